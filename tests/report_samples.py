"""Sample sessions for report tests, on a fixed clock with fixed ids.

``python -m tests.report_samples OUT_DIR`` renders every built-in template in
every format and language into OUT_DIR, to look at while writing templates.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from crisiscli.catalogue import find_playbook
from crisiscli.clock import FixedClock
from crisiscli.compensation import assess_session, decision_payload
from crisiscli.contract import load_contract
from crisiscli.engine import close_session, start_session, walk
from crisiscli.playbook import Playbook, Question, Step
from crisiscli.recording import (
    add_note,
    add_stakeholder,
    decide_compensation,
    give_feedback,
    measure_impact,
    replace_stakeholder,
    send_update,
    set_limit,
)
from crisiscli.report_context import ReportContext, build_context
from crisiscli.reports import render_report
from crisiscli.scripted import ScriptedPrompter, load_answers
from crisiscli.state import SessionState
from crisiscli.store.memory import MemoryStore

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
# The crisis of the seed story, in Paris time: the walk starts at 09:30 on
# Sunday 22 November, one answer every three minutes; each later step is
# answered when it happened (the workaround at 11:30, Tim's insults at 17:00,
# the fix on the 24th, feedback the next day). The closed session's reports
# are generated an hour after the feedback; the half-done session's while it
# is going on.
STARTED = datetime(2026, 11, 22, 8, 30, tzinfo=UTC)
STEP_TIMES = {
    "mitigate": datetime(2026, 11, 22, 10, 35, tzinfo=UTC),
    "limits": datetime(2026, 11, 22, 16, 10, tzinfo=UTC),
    "resolve": datetime(2026, 11, 24, 10, 15, tzinfo=UTC),
    "review": datetime(2026, 11, 24, 14, 0, tzinfo=UTC),
    "compensate": datetime(2026, 11, 24, 15, 30, tzinfo=UTC),
    "feedback": datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
}
CLOSED = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
GENERATED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
GENERATED_MIDWAY = datetime(2026, 11, 22, 9, 15, tzinfo=UTC)
ZONE = "Europe/Paris"
ACTOR = "alex@support-laptop"


def _paris(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 11, day, hour - 1, minute, tzinfo=UTC)


TEXTS = {
    "en": {
        "note": "three people cannot download the app",
        "u1": "The app crashes at sign-in for 3 of your 1,000 attendees. Alex Martin is on it; "
        "next update at 11:10.",
        "u2": "We are testing a workaround: switching off photo sharing. Alex Martin will call "
        "you at 12:05 with the result.",
        "u3": "Photo sharing is off and sign-in works again: 1 of 1,000 attendees still affected. "
        "Alex Martin keeps working on the fix; next update on Tuesday by 12:30.",
        "u4": "The fix is in: every attendee can sign in and photo sharing is back. Alex Martin "
        "will send the remediation report tomorrow by 11:10.",
        "m1": "counted with Lea after photo sharing was switched off",
        "m2": "all attendees can sign in",
        "warn": "raised voice and insults on the phone; warned once",
        "end": "insults went on; call ended politely",
        "replace": "insults after a warning; ASSO named Lea as contact",
        "before": "score given in October's satisfaction survey",
        "after": "remembered the problems, but said we did everything to save the weekend",
        "survey": "ASSO satisfaction survey",
    },
    "fr": {
        "note": "trois personnes n'arrivent pas à télécharger l'application",
        "u1": "L'application plante à la connexion pour 3 de vos 1 000 participants. Camille "
        "Durand s'en occupe ; prochain point à 11h10.",
        "u2": "Nous testons un contournement : couper le partage de photos. Camille Durand vous "
        "rappelle à 12h05 avec le résultat.",
        "u3": "Le partage de photos est coupé et la connexion refonctionne : 1 participant sur "
        "1 000 encore touché. Camille Durand continue sur la correction ; prochain point "
        "mardi avant 12h30.",
        "u4": "La correction est en place : tous les participants se connectent et le partage "
        "de photos est revenu. Camille Durand enverra le rapport demain avant 11h10.",
        "m1": "compté avec Léa après la coupure du partage de photos",
        "m2": "tous les participants peuvent se connecter",
        "warn": "ton qui monte et insultes au téléphone ; un avertissement donné",
        "end": "les insultes ont continué ; appel terminé poliment",
        "replace": "insultes après un avertissement ; l'ASSO a désigné Léa",
        "before": "note de l'enquête de satisfaction d'octobre",
        "after": "a rappelé les problèmes, mais reconnaît que nous avons tout fait",
        "survey": "Enquête de satisfaction ASSO",
    },
}


def _live_part(
    step_id: str, store: MemoryStore, state: SessionState, clock: FixedClock, language: str
) -> None:
    """What happens between the steps of the walk: stakeholders, updates, counts, limits."""
    text = TEXTS[language]
    actor = ACTOR

    def at(day: int, hour: int, minute: int) -> FixedClock:
        clock.current = _paris(day, hour, minute)
        return clock

    def update(key: str, moment: FixedClock, next_in: int | None) -> None:
        send_update(
            store, state, text[key], to=[], channel="phone" if key == "u2" else "email",
            next_in_minutes=next_in, no_news=False, flags=[], clock=moment, actor=actor,
        )  # fmt: skip

    if step_id == "impact":
        add_stakeholder(store, state, "Tim", org="ASSO", role="president", cadence_minutes=60,
                        clock=at(22, 10, 4), actor=actor)  # fmt: skip
        add_stakeholder(store, state, "Head of delivery", org=None, role="our management",
                        cadence_minutes=120, clock=at(22, 10, 5), actor=actor)  # fmt: skip
        add_note(store, state, text["note"], source="Tim", channel="phone", clock=at(22, 10, 6),
                 actor=actor)  # fmt: skip
        give_feedback(store, state, source=text["survey"], score=6, phase="before",
                      text=text["before"], clock=at(22, 10, 7), actor=actor)  # fmt: skip
        update("u1", at(22, 10, 10), 60)
    elif step_id == "mitigate":
        update("u2", at(22, 11, 5), 60)
        measure_impact(store, state, affected=1, total=1000, note=text["m1"],
                       clock=at(22, 11, 40), actor=actor)  # fmt: skip
        update("u3", at(22, 12, 30), 2880)  # the 12:05 promise was missed
    elif step_id == "limits":
        set_limit(store, state, "Tim", level="warn", text=text["warn"], clock=at(22, 17, 0),
                  actor=actor)  # fmt: skip
        set_limit(store, state, "Tim", level="end-contact", text=text["end"], clock=at(22, 17, 4),
                  actor=actor)  # fmt: skip
        replace_stakeholder(store, state, "Tim", "Lea", reason=text["replace"],
                            clock=at(22, 17, 8), actor=actor)  # fmt: skip
    elif step_id == "resolve":
        measure_impact(store, state, affected=0, total=1000, note=text["m2"],
                       clock=at(24, 11, 5), actor=actor)  # fmt: skip
        update("u4", at(24, 11, 10), 1440)
    elif step_id == "feedback":
        terms = load_contract(REPO / "contracts" / f"example.{language}.toml")
        moment = at(24, 16, 45)
        assessment = assess_session(state, terms, moment.current)
        decision = decision_payload(
            assessment, language=language, offered=assessment.proposed, note=None
        )
        decide_compensation(store, state, decision, clock=moment, actor=actor)
        give_feedback(store, state, source="Lea", score=7, phase="after", text=text["after"],
                      clock=at(25, 10, 2), actor=actor)  # fmt: skip


class _OnSchedule(ScriptedPrompter):
    """Scripted answers, with the clock moved to when each step really happened, and the
    live-crisis events (stakeholders, updates, counts, limits, feedback) in between."""

    def __init__(
        self,
        path: Path,
        answers: dict[str, Any],
        clock: FixedClock,
        live: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(path, answers)
        self.clock = clock
        self.live = live

    def begin_step(self, number: int, total: int, step: Step) -> None:
        if self.live is not None:
            self.live(step.id)
        if step.id in STEP_TIMES:
            self.clock.current = max(self.clock.current, STEP_TIMES[step.id])
        super().begin_step(number, total, step)


def _playbook(language: str) -> Playbook:
    nowhere = REPO / "nowhere"
    playbook, _source = find_playbook(
        "customer-outage", language=language, home=nowhere, cwd=nowhere
    )
    return playbook


def complete_session(language: str) -> SessionState:
    """The customer-outage answers file of ``language``, walked to the end and closed, with
    the live part of the crisis recorded between the steps (see ``_live_part``)."""
    playbook = _playbook(language)
    path = DATA / f"customer-outage.{language}.answers.toml"
    clock = FixedClock(STARTED, tick=timedelta(seconds=90))  # two readings per answer
    store = MemoryStore()
    state = start_session(
        store,
        playbook,
        title="ASSO weekend app" if language == "en" else "Appli du week-end ASSO",
        source=f"tests/data/{path.name}",
        clock=clock,
        actor=ACTOR,
        timezone=ZONE,
        session_id=f"20261122-0930-sample{language}",
    )
    prompter = _OnSchedule(
        path,
        load_answers(path, playbook),
        clock,
        lambda step_id: _live_part(step_id, store, state, clock, language),
    )
    walk(store, state, prompter, clock=clock, actor=ACTOR)
    clock.current = CLOSED
    resolution = (
        "Service restored; remediation report sent to ASSO"
        if language == "en"
        else "Service rétabli ; rapport de remédiation envoyé à ASSO"
    )
    return close_session(store, state, resolution=resolution, clock=clock, actor="sam@lead-desk")


def half_session(language: str, answered: int = 9) -> SessionState:
    """The same crisis with only its first ``answered`` answers recorded, still open."""
    playbook = _playbook(language)
    path = DATA / f"customer-outage.{language}.answers.toml"
    answers = load_answers(path, playbook)
    kept = dict(list(answers.items())[:answered])
    clock = FixedClock(STARTED, tick=timedelta(seconds=90))
    store = MemoryStore()
    state = start_session(
        store,
        playbook,
        title="ASSO weekend app" if language == "en" else "Appli du week-end ASSO",
        source=f"tests/data/{path.name}",
        clock=clock,
        actor=ACTOR,
        timezone=ZONE,
        session_id=f"20261122-0930-partial{language}",
    )

    class Stop(Exception):
        pass

    class Partial(ScriptedPrompter):
        def ask(self, key: str, question: Question, problem: str | None) -> Any:
            if key not in kept:
                raise Stop
            return super().ask(key, question, problem)

    with contextlib.suppress(Stop):
        walk(store, state, Partial(path, kept), clock=clock, actor=ACTOR)
    return state


def context(state: SessionState, language: str | None = None) -> ReportContext:
    """The report context as generated after the crisis (closed) or during it (open)."""
    now = GENERATED if state.is_closed else GENERATED_MIDWAY
    return build_context(state, language=language or state.language, now=now)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for language in ("en", "fr"):
        for label, state in (
            ("complete", complete_session(language)),
            ("half", half_session(language)),
        ):
            for name in ("remediation", "postmortem", "update", "summary"):
                for fmt in ("md", "txt", "html", "json"):
                    try:
                        text = render_report(
                            context(state), template=name, fmt=fmt, home=out / "home", cwd=out
                        )
                    except Exception as problem:  # a preview tool: show the problem and go on
                        print(f"{name}.{language}.{fmt} ({label}): {problem}", file=sys.stderr)
                        continue
                    (out / f"{name}.{language}.{label}.{fmt}").write_text(text, encoding="utf-8")
    print(f"rendered into {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
