"""From a recorded crisis to a training scenario: what came in becomes timed injects.

Inbound events are what the responder did not choose: what a stakeholder
told us (notes with a source), new impact figures, feedback scores, and the
injects of a drill. Each becomes an inject at its offset from the start; a
contact who was later given a limit has their last message before it marked
abusive. The rubric is the standard one (``standard_rubric``), in the
session's language. With ``anonymize``, every person, organisation, e-mail
address and phone number is replaced consistently (``crisiscli.anonymize``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from crisiscli import events as ev
from crisiscli.anonymize import Anonymizer
from crisiscli.clock import timezone_from_name
from crisiscli.messages import format_number
from crisiscli.scenario import MAX_MINUTES, MAX_TEXT, scenario_from_table, to_table
from crisiscli.state import SessionState

_RUBRIC: dict[str, list[dict[str, Any]]] = {
    "en": [
        {
            "id": "impact-quantified",
            "title": "Quantified the impact with real numbers",
            "points": 20,
            "check": "drill.impact_measured >= 1",
            "explain": "Say how many users are affected out of how many: a figure calms and "
            "lets everyone judge the size of the problem; 'lots of users' alarms.",
        },
        {
            "id": "updates-on-cadence",
            "title": "Kept every stakeholder informed on the cadence",
            "points": 20,
            "check": "drill.all_injects and drill.updates >= 1 "
            "and drill.max_silence_minutes <= drill.cadence_minutes",
            "explain": "Send an update before the cadence runs out, even with no news: silence "
            "is what turns a worried customer into an angry one.",
        },
        {
            "id": "no-blame",
            "title": "Owned the failure without blaming others",
            "points": 15,
            "check": "drill.blame_flags == 0",
            "explain": "The customer chose us, not our suppliers: own the failure in every "
            "message and keep the causes for the review.",
        },
        {
            "id": "limits-when-abused",
            "title": "Set limits when a contact became abusive",
            "points": 15,
            "check": "drill.all_injects and (not drill.abuse or drill.limits >= 1)",
            "explain": "Warn calmly, then end the contact or ask for another person: abuse is "
            "never part of the job, and the crisis still needs a working contact.",
        },
        {
            "id": "feedback-asked",
            "title": "Asked the customer for feedback afterwards",
            "points": 15,
            "check": "drill.feedback_after >= 1",
            "explain": "Ask for a score once it is over: it shows you care about the outcome and "
            "tells you whether the recovery worked.",
        },
        {
            "id": "playbook-complete",
            "title": "Worked through the whole playbook",
            "points": 15,
            "check": "drill.walk_complete",
            "explain": "Every step of the playbook is there because it was once forgotten: "
            "walk it to the end.",
        },
    ],
    "fr": [
        {
            "id": "impact-quantified",
            "title": "Impact chiffré avec des nombres réels",
            "points": 20,
            "check": "drill.impact_measured >= 1",
            "explain": "Dites combien d'utilisateurs sont touchés, et sur combien : un chiffre "
            "rassure et donne la mesure du problème ; « beaucoup d'utilisateurs » inquiète.",
        },
        {
            "id": "updates-on-cadence",
            "title": "Chaque partie prenante informée au rythme prévu",
            "points": 20,
            "check": "drill.all_injects and drill.updates >= 1 "
            "and drill.max_silence_minutes <= drill.cadence_minutes",
            "explain": "Envoyez un point avant l'échéance, même sans nouvelle : c'est le silence "
            "qui transforme un client inquiet en client en colère.",
        },
        {
            "id": "no-blame",
            "title": "Défaillance assumée, sans rejeter la faute",
            "points": 15,
            "check": "drill.blame_flags == 0",
            "explain": "Le client nous a choisis, pas nos fournisseurs : assumez la défaillance "
            "dans chaque message et gardez les causes pour la revue.",
        },
        {
            "id": "limits-when-abused",
            "title": "Limites posées face à un interlocuteur insultant",
            "points": 15,
            "check": "drill.all_injects and (not drill.abuse or drill.limits >= 1)",
            "explain": "Avertissez calmement, puis mettez fin à l'échange ou demandez un autre "
            "interlocuteur : les insultes ne font pas partie du métier.",
        },
        {
            "id": "feedback-asked",
            "title": "Avis du client demandé après la crise",
            "points": 15,
            "check": "drill.feedback_after >= 1",
            "explain": "Demandez une note une fois la crise passée : cela montre que le résultat "
            "compte pour vous et dit si la reprise a réussi.",
        },
        {
            "id": "playbook-complete",
            "title": "Playbook suivi jusqu'au bout",
            "points": 15,
            "check": "drill.walk_complete",
            "explain": "Chaque étape du playbook existe parce qu'elle a été oubliée un jour : "
            "allez jusqu'au bout.",
        },
    ],
}

_WORDS = {
    "en": {
        "monitoring": "Monitoring",
        "figures": "The latest count: {affected} of {total} users affected.",
        "score": "My score: {score}/10.",
        "briefing": "This drill replays a real crisis recorded on {date}: {title}.",
        "summary": "What the customer saw: {summary}",
        "customer": "Customer: {customer}.",
        "role": "You are the person in charge of the response. Messages arrive when they did "
        "in the real crisis.",
        "opening": "The crisis has begun.",
        "client": "The customer",
    },
    "fr": {
        "monitoring": "Supervision",
        "figures": "Dernier comptage : {affected} utilisateurs touchés sur {total}.",
        "score": "Ma note : {score}/10.",
        "briefing": "Cet exercice rejoue une crise réelle enregistrée le {date} : {title}.",
        "summary": "Ce que le client a vu : {summary}",
        "customer": "Client : {customer}.",
        "role": "Vous êtes responsable de la gestion de crise. Les messages arrivent au moment "
        "où ils sont arrivés dans la crise réelle.",
        "opening": "La crise commence.",
        "client": "Le client",
    },
}


def dumps(table: dict[str, Any]) -> str:
    """A scenario document as TOML, laid out as people write it: ``[scenario]`` first, then one
    ``[[injects]]`` and ``[[rubric]]`` table each (tomli-w alone inlines short arrays)."""
    import tomli_w  # noqa: PLC0415

    parts = [tomli_w.dumps({"scenario": table["scenario"]}, multiline_strings=True)]
    if "contract" in table:
        parts.append(tomli_w.dumps({"contract": table["contract"]}, multiline_strings=True))
    for key in ("injects", "rubric"):
        for item in table.get(key, []):
            parts.append(f"[[{key}]]\n" + tomli_w.dumps(item, multiline_strings=True))
    return "\n".join(parts)


def standard_rubric(language: str) -> list[dict[str, Any]]:
    """The checks every exported scenario starts with (trainers edit them afterwards)."""
    return [dict(check) for check in _RUBRIC.get(language, _RUBRIC["en"])]


@dataclass(frozen=True)
class ExportedScenario:
    table: dict[str, Any]
    """The scenario document, ready for tomli-w."""
    header: str
    """Comment lines written before it."""
    replaced: int
    """How many distinct names, addresses and numbers were anonymised."""


def scenario_from_session(state: SessionState, *, anonymize: bool) -> ExportedScenario:
    language = state.language if state.language in _WORDS else "en"
    words = _WORDS[language]
    masker = Anonymizer(language) if anonymize else None
    _register_names(state, masker)

    def person(name: str) -> str:
        return masker.person(name) if masker else name

    def org(name: str | None) -> str | None:
        return masker.organisation(name) if masker and name else name

    def text(value: str) -> str:
        return masker.text(value) if masker else value

    start = state.started_at
    injects = _injects(state, words)
    if not injects or injects[0]["at_minutes"] > 0:
        injects.insert(0, _opening(state, words))
    for inject in injects:
        if inject["from"] != words["monitoring"]:
            inject["from"] = person(inject["from"])
        if inject.get("org"):
            inject["org"] = org(inject["org"])
        inject["text"] = text(inject["text"])[:MAX_TEXT] or "…"
    end = (state.closed_at or state.events[-1].at) - start
    duration = min(MAX_MINUTES, max(30, math.ceil(end.total_seconds() / 60) + 15))
    for inject in injects:
        inject["at_minutes"] = min(inject["at_minutes"], duration)
    zone = timezone_from_name(state.timezone)
    info: dict[str, Any] = {
        "id": _slug(f"{state.playbook.id}-{start.astimezone(zone):%Y%m%d}"),
        "title": text(state.title)[:200],
        "language": language,
        "playbook": state.playbook.id,
        "briefing": _briefing(state, words, text),
        "duration_minutes": duration,
        "starts_at": start.astimezone(zone).replace(microsecond=0),
    }
    if re.fullmatch(r"[A-Za-z_]+(/[A-Za-z0-9_+-]+)+", state.timezone):
        info["timezone"] = state.timezone
    ordered = [{"at_minutes": i.pop("at_minutes"), **i} for i in injects]
    table: dict[str, Any] = {"scenario": info}
    if state.playbook.contract is not None:
        table["contract"] = state.playbook.contract
    table["injects"] = ordered
    table["rubric"] = standard_rubric(language)
    # Written as the loader reads it back: a bug, not a user error, if it does not load.
    table = to_table(scenario_from_table(table, file="the exported scenario"))
    header = (
        f"# Written by `crisis scenario from-session` from session {state.session_id}"
        + (", anonymised" if anonymize else "")
        + ".\n# Edit the briefing and the rubric to suit the training, then run\n"
        "# `crisis scenario check` on it. `crisis scenario schema` prints its JSON Schema.\n\n"
    )
    replaced = len(masker.replacements) if masker else 0
    return ExportedScenario(table=table, header=header, replaced=replaced)


def _injects(state: SessionState, words: dict[str, str]) -> list[dict[str, Any]]:
    """The inbound events as injects (names still real), in journal order."""
    start = state.started_at
    injects: list[dict[str, Any]] = []
    last_from: dict[str, int] = {}
    stakeholders = state.live.stakeholders
    for event in state.events:
        minute = max(0, math.floor((event.at - start).total_seconds() / 60))
        payload = event.payload
        inject: dict[str, Any] | None = None
        if event.type == ev.NOTE_ADDED and payload.get("source"):
            inject = _contact(payload["source"], stakeholders, payload.get("channel"))
            inject["text"] = payload["text"]
        elif event.type == ev.INJECT_RECEIVED:
            inject = {
                key: payload[key]
                for key in (
                    "from",
                    "org",
                    "role",
                    "channel",
                    "text",
                    "abusive",
                    "affected",
                    "total",
                    "restored",
                )
                if payload.get(key) is not None
            }
        elif event.type == ev.IMPACT_MEASURED and state.drill is None:
            # In a drill the trainee's counts are answers, not news: the true figures
            # arrived with the injects.
            inject = {
                "from": words["monitoring"],
                "channel": "chat",
                "text": words["figures"].format(
                    affected=format_number(payload["affected"], state.language),
                    total=format_number(payload["total"], state.language),
                ),
                "affected": payload["affected"],
                "total": payload["total"],
            }
        elif event.type == ev.FEEDBACK_GIVEN and payload.get("phase") == "after":
            inject = _contact(payload["source"], stakeholders, "email")
            said = words["score"].format(score=payload["score"])
            inject["text"] = f"{payload['text']}\n{said}" if payload.get("text") else said
        elif event.type == ev.LIMIT_SET:
            earlier = last_from.get(payload["name"])
            if earlier is not None:
                injects[earlier]["abusive"] = True
        if inject is None:
            continue
        inject["at_minutes"] = minute
        if inject["from"] != words["monitoring"]:
            last_from[inject["from"]] = len(injects)
        injects.append(inject)
    return injects


def _register_names(state: SessionState, masker: Anonymizer | None) -> None:
    """Every person and organisation first, so that texts are anonymised with all of them."""
    if masker is None:
        return
    for stakeholder in state.live.stakeholders.values():
        masker.person(stakeholder.name)
        if stakeholder.org:
            masker.organisation(stakeholder.org)
    for event in state.events:
        payload = event.payload
        for key in ("source", "from", "name", "old", "new"):
            value = payload.get(key)
            if isinstance(value, str) and event.type != ev.SESSION_STARTED:
                masker.person(value)
        if isinstance(payload.get("org"), str):
            masker.organisation(payload["org"])
    for field in ("incident.owner", "mitigation.agreed_by", "limits.new_contact"):
        value = state.answer_for(field)
        if isinstance(value, str) and value.strip():
            masker.person(value)
    customer = state.answer_for("incident.customer")
    if isinstance(customer, str) and customer.strip():
        masker.organisation(customer)


def _contact(name: str, stakeholders: dict[str, Any], channel: str | None) -> dict[str, Any]:
    found = stakeholders.get(name)
    inject: dict[str, Any] = {"from": name, "channel": channel or "phone"}
    if found is not None and found.org:
        inject["org"] = found.org
    if found is not None and found.role:
        inject["role"] = found.role
    return inject


def _opening(state: SessionState, words: dict[str, str]) -> dict[str, Any]:
    customer = state.answer_for("incident.customer")
    summary = state.answer_for("incident.summary")
    return {
        "at_minutes": 0,
        "from": customer if isinstance(customer, str) and customer.strip() else words["client"],
        "channel": "phone",
        "text": summary if isinstance(summary, str) and summary.strip() else words["opening"],
    }


def _briefing(state: SessionState, words: dict[str, str], text: Any) -> str:
    if state.drill is not None:
        return str(text(state.drill.scenario["scenario"]["briefing"]))[:MAX_TEXT]
    zone = timezone_from_name(state.timezone)
    parts = [
        words["briefing"].format(
            date=f"{state.started_at.astimezone(zone):%Y-%m-%d}", title=state.title
        )
    ]
    customer, summary = state.answer_for("incident.customer"), state.answer_for("incident.summary")
    if isinstance(customer, str) and customer.strip():
        parts.append(words["customer"].format(customer=customer))
    if isinstance(summary, str) and summary.strip():
        parts.append(words["summary"].format(summary=summary))
    parts.append(words["role"])
    return str(text("\n\n".join(parts)))[:MAX_TEXT]


def _slug(value: str) -> str:
    slug = re.sub(r"[^a-z0-9-]+", "-", value.lower()).strip("-")
    return (slug or "scenario")[:64].rstrip("-") or "scenario"
