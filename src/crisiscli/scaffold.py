"""What ``crisis init`` and ``crisis playbooks new`` write: a team folder, a starter playbook.

Every TOML file is written by tomli-w from data, one table at a time, with
comments placed between the tables (tomli-w writes none). The texts come in
English and French, like the built-in playbooks. No terminal code here: the
commands in ``crisiscli.cli`` print what these functions return.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from crisiscli.errors import CrisisError, UsageError
from crisiscli.schema_kinds import KINDS

if TYPE_CHECKING:
    from crisiscli.playbook import Playbook

STARTER_ID: Final = "customer-crisis"
"""The id of the playbook ``crisis init`` writes: distinct from the built-ins, which it
would otherwise override."""
DEFAULT_STORE: Final = ".crisis/crisis.db"
TAPLO_FOLDERS: Final = {"playbooks": "playbook", "contracts": "contract", "scenarios": "scenario"}


@dataclass(frozen=True)
class NewFile:
    """A file to write: where (relative to the folder scaffolded) and what."""

    path: Path
    text: str
    append: bool = False
    """Add the lines missing from an existing file instead of refusing it (``.gitignore``)."""


# ---------------------------------------------------------------------------
# The starter playbook


def starter_playbook(playbook_id: str, language: str, title: str | None = None) -> dict[str, Any]:
    """A short playbook following the built-ins' practice, as a TOML document.

    Its title is ``title``, else made from the id (``api-outage``: "Api outage").
    """
    texts = _STARTER[language]
    title = title or playbook_id.replace("-", " ").capitalize()
    steps = [_step(step_id, texts["steps"][step_id]) for step_id in _STEPS]
    return {
        "playbook": {
            "id": playbook_id,
            "title": title,
            "language": language,
            "description": _wrapped(texts["description"]),
            "cadence": {"update_every_minutes": 60},
        },
        "steps": steps,
    }


def playbook_text(playbook_id: str, language: str, *, schema: str, title: str | None = None) -> str:
    """The starter playbook as TOML text: ``#:schema`` line, comments, then the tables."""
    import tomli_w  # noqa: PLC0415

    texts = _STARTER[language]
    document = starter_playbook(playbook_id, language, title)
    parts = [
        f"#:schema {schema}\n" + _comment(texts["header"].format(id=playbook_id)),
        tomli_w.dumps({"playbook": document["playbook"]}, multiline_strings=True),
    ]
    for number, step in enumerate(document["steps"], start=1):
        banner = f"# {number}. {step['title']} "
        note = texts["notes"].get(step["id"], "")
        parts.append(banner + "-" * max(4, 78 - len(banner)) + "\n" + _comment(note))
        parts.append(tomli_w.dumps({"steps": [step]}, multiline_strings=True))
    return "\n".join(part.rstrip("\n") + "\n" for part in parts)


_STEPS: Final = ("acknowledge", "inform", "impact", "mitigate", "resolve", "compensate", "feedback")

# What never changes with the language: phases, question ids, types, fields, bounds.
_SHAPES: Final[dict[str, dict[str, Any]]] = {
    "acknowledge": {
        "phase": "acknowledge",
        "questions": [
            {"id": "customer", "type": "text", "report_as": "incident.customer"},
            {"id": "owner", "type": "text", "report_as": "incident.owner"},
            {"id": "summary", "type": "text", "report_as": "incident.summary"},
        ],
    },
    "inform": {
        "phase": "inform",
        "questions": [
            {"id": "stakeholders", "type": "list", "report_as": "updates.stakeholders"},
            {"id": "next_update", "type": "datetime", "report_as": "updates.next_at"},
        ],
    },
    "impact": {
        "phase": "quantify",
        "questions": [
            {"id": "affected", "type": "integer", "min": 0, "report_as": "impact.affected"},
            {"id": "total", "type": "integer", "min": 1, "report_as": "impact.total"},
        ],
        "compute": {
            # The share never shows 100% working unless nobody is affected, nor 0%
            # unless everybody is; none when the counts contradict each other.
            "working_percent": (
                "none if impact.affected > impact.total else (100 if impact.affected == 0 "
                "else (0 if impact.affected == impact.total else min(99.9, max(0.1, "
                "round(100 - 100 * impact.affected / impact.total, 1)))))"
            ),
        },
    },
    "mitigate": {
        "phase": "mitigate",
        "questions": [
            {"id": "workaround", "type": "text", "report_as": "mitigation.workaround"},
            {"id": "removes_promise", "type": "confirm", "report_as": "mitigation.removes_promise"},
            {
                "id": "trade_off",
                "type": "text",
                "report_as": "mitigation.cost",
                "when": "mitigate.removes_promise",
            },
        ],
    },
    "resolve": {
        "phase": "resolve",
        "questions": [
            {"id": "root_cause", "type": "text", "report_as": "cause.root_cause"},
            {"id": "lessons", "type": "list", "report_as": "review.lessons", "required": False},
        ],
    },
    "compensate": {
        "phase": "compensate",
        "questions": [
            {"id": "gesture", "type": "text", "report_as": "compensation.gesture"},
        ],
    },
    "feedback": {
        "phase": "feedback",
        "questions": [
            {"id": "score", "type": "score", "report_as": "feedback.score"},
        ],
    },
}


def _step(step_id: str, texts: dict[str, Any]) -> dict[str, Any]:
    """One ``[[steps]]`` table: the shape above with the texts of one language."""
    shape = _SHAPES[step_id]
    step: dict[str, Any] = {
        "id": step_id,
        "title": texts["title"],
        "phase": shape["phase"],
        "guidance": _wrapped(texts["guidance"]),
    }
    if texts.get("checklist"):
        step["checklist"] = list(texts["checklist"])
    questions = []
    for question in shape["questions"]:
        prompt, *hint = texts["questions"][question["id"]]
        written = {"id": question["id"], "type": question["type"], "prompt": prompt}
        if hint:
            written["help"] = hint[0]
        written.update({key: value for key, value in question.items() if key not in written})
        questions.append(written)
    step["questions"] = questions
    if "compute" in shape:
        step["compute"] = dict(shape["compute"])
    return step


_STARTER: Final[dict[str, dict[str, Any]]] = {
    "en": {
        "title": "Customer crisis",
        "header": (
            'Playbook "{id}", made by `crisis playbooks new`: the service-recovery practice '
            "in seven short steps. Make it your team's: reword, add questions, drop what "
            "you never need. Each [[steps]] table is one step; its [[steps.questions]] are "
            "asked in order and recorded as step_id.question_id. Your editor checks the "
            "file against the schema named on the first line; `crisis playbooks validate` "
            "checks everything else. The format is described in docs/playbook-format.md."
        ),
        "description": (
            "For a customer who cannot use what we provide. A starter made by crisiscli; "
            "edit it to match how your team handles a crisis."
        ),
        "notes": {
            "inform": "The cadence above ([playbook.cadence]) is how often `crisis watch` "
            "reminds you that an update is due.",
            "impact": "working_percent is computed once both counts are in: the share of "
            "users still working, never rounded to 0 or 100 unless it is exactly that.",
            "mitigate": "trade_off is only asked when the workaround takes away something "
            "promised: `when` reads an earlier answer.",
        },
        "steps": {
            "acknowledge": {
                "title": "Own the failure",
                "guidance": (
                    "Tell the customer plainly that the failure is ours and that we are on "
                    'it. No "but", and no blaming a supplier, a host or a courier: to the '
                    "customer, they are our business.\n\n"
                    "A person whose day is going wrong is on the other end. Treat it as a "
                    "relationship under strain, not as a ticket; listen before you explain.\n"
                ),
                "checklist": [
                    "Name one owner for the crisis; everything goes through them",
                    'Acknowledge the failure to the customer in your own words, without a "but"',
                ],
                "questions": {
                    "customer": ["Which customer is affected?"],
                    "owner": [
                        "Who owns this crisis on our side?",
                        "One name: the person who speaks for us and keeps every promise.",
                    ],
                    "summary": [
                        "In one line, what does the customer see?",
                        "Their words, not our diagnosis.",
                    ],
                },
            },
            "inform": {
                "title": "Inform every stakeholder",
                "guidance": (
                    "Keep everyone informed on a cadence: the customer, the people they "
                    "serve, and our own management, who should never learn it from the "
                    "customer. Promise a time for the next update and keep it, even when "
                    "nothing is new: silence makes people imagine the worst.\n"
                ),
                "checklist": [
                    'Give the customer a time for the next update, not "soon"',
                    "Tell our own management before they hear it from someone else",
                ],
                "questions": {
                    "stakeholders": [
                        "Who must be kept informed?",
                        "One per line, with their role.",
                    ],
                    "next_update": [
                        "When is the next update promised?",
                        "A time such as 14:00. Keep it even if there is nothing new to say.",
                    ],
                },
            },
            "impact": {
                "title": "Measure the impact",
                "guidance": (
                    'Numbers, not impressions: "3 users out of 1,000 cannot sign in" tells '
                    "everyone what to do and puts the problem to scale. Count again as "
                    "things change, with `crisis impact`.\n"
                ),
                "questions": {
                    "affected": ["How many users are affected right now?"],
                    "total": [
                        "How many users are there in total?",
                        "Everyone who could be affected.",
                    ],
                },
            },
            "mitigate": {
                "title": "Mitigate, knowing the trade-off",
                "guidance": (
                    "Get the customer working again, even before the real fix. If the "
                    "workaround takes away something the contract promises, say so, and "
                    "let the customer decide.\n"
                ),
                "questions": {
                    "workaround": ["What is the workaround?"],
                    "removes_promise": ["Does it take away something the contract promises?"],
                    "trade_off": ["What does the customer lose, and what do they gain?"],
                },
            },
            "resolve": {
                "title": "Find the cause, learn the lessons",
                "guidance": (
                    "Once the service is back, take the time to gather the facts with the "
                    "colleagues involved, find the real cause, and decide honestly whether "
                    "it was within our control. Then write the remediation report with "
                    "`crisis report`: factual, complete, and one sincere apology.\n"
                ),
                "questions": {
                    "root_cause": ["What was the root cause?"],
                    "lessons": [
                        "What changes so that it does not happen again?",
                        "One per line; leave empty if the review is still to come.",
                    ],
                },
            },
            "compensate": {
                "title": "Compensate generously",
                "guidance": (
                    "Give what the contract owes (`crisis compensation` works it out), then "
                    "go beyond it before the customer asks.\n"
                ),
                "questions": {
                    "gesture": [
                        "What do we offer beyond the contract?",
                        "For example two extra days of service.",
                    ],
                },
            },
            "feedback": {
                "title": "Ask for feedback",
                "guidance": (
                    "Once calm has returned, dare to ask the customer for a score, and "
                    "listen to what they say about how we handled it.\n"
                ),
                "questions": {
                    "score": ["What score from 0 to 10 does the customer give us?"],
                },
            },
        },
    },
    "fr": {
        "title": "Crise chez un client",
        "header": (
            "Playbook « {id} », créé par `crisis playbooks new` : la pratique de la reprise "
            "de service en sept étapes courtes. Faites-en celui de votre équipe : "
            "reformulez, ajoutez des questions, retirez ce qui ne sert jamais. Chaque "
            "table [[steps]] est une étape ; ses [[steps.questions]] sont posées dans "
            "l'ordre et enregistrées sous id_étape.id_question. Votre éditeur vérifie le "
            "fichier d'après le schéma nommé en première ligne ; `crisis playbooks "
            "validate` vérifie tout le reste. Le format est décrit dans "
            "docs/playbook-format.md (en anglais)."
        ),
        "description": (
            "Pour un client qui ne peut plus utiliser ce que nous lui fournissons. Un point "
            "de départ créé par crisiscli, à adapter à la façon dont votre équipe gère une crise."
        ),
        "notes": {
            "inform": "La cadence ci-dessus ([playbook.cadence]) règle la fréquence à "
            "laquelle `crisis watch` rappelle qu'un point est dû.",
            "impact": "working_percent est calculé une fois les deux comptages saisis : la "
            "part des utilisateurs qui fonctionnent encore, jamais arrondie à 0 ou 100 "
            "sauf si c'est exact.",
            "mitigate": "trade_off n'est demandé que si le contournement retire quelque "
            "chose de promis : `when` lit une réponse précédente.",
        },
        "steps": {
            "acknowledge": {
                "title": "Assumer la défaillance",
                "guidance": (
                    "Dites simplement au client que la défaillance est la nôtre et que nous "
                    "nous en occupons. Pas de « mais », et aucun fournisseur, hébergeur ou "
                    "transporteur mis en cause : pour le client, ce sont nos affaires.\n\n"
                    "En face, il y a une personne dont la journée tourne mal. Traitez-la "
                    "comme une relation mise à l'épreuve, pas comme un ticket ; écoutez "
                    "avant d'expliquer.\n"
                ),
                "checklist": [
                    "Désigner une seule personne responsable de la crise ; tout passe par elle",
                    "Reconnaître la défaillance auprès du client avec vos mots, sans « mais »",
                ],
                "questions": {
                    "customer": ["Quel client est touché ?"],
                    "owner": [
                        "Qui pilote cette crise chez nous ?",
                        "Un seul nom : la personne qui parle en notre nom et tient chaque "
                        "promesse.",
                    ],
                    "summary": [
                        "En une ligne, que constate le client ?",
                        "Ses mots, pas notre diagnostic.",
                    ],
                },
            },
            "inform": {
                "title": "Informer chaque partie prenante",
                "guidance": (
                    "Tenez chacun informé à un rythme régulier : le client, ceux qu'il sert, "
                    "et notre propre direction, qui ne doit jamais l'apprendre par le "
                    "client. Promettez une heure pour le prochain point et tenez-la, même "
                    "sans nouvelle : le silence fait imaginer le pire.\n"
                ),
                "checklist": [
                    "Donner au client une heure pour le prochain point, pas « bientôt »",
                    "Prévenir notre direction avant qu'elle l'apprenne par quelqu'un d'autre",
                ],
                "questions": {
                    "stakeholders": [
                        "Qui doit être tenu informé ?",
                        "Une personne par ligne, avec son rôle.",
                    ],
                    "next_update": [
                        "À quelle heure le prochain point est-il promis ?",
                        "Une heure comme 14h00. Tenez-la même s'il n'y a rien de nouveau.",
                    ],
                },
            },
            "impact": {
                "title": "Mesurer l'impact",
                "guidance": (
                    "Des chiffres, pas des impressions : « 3 utilisateurs sur 1 000 ne "
                    "peuvent pas se connecter » dit à chacun quoi faire et remet le problème "
                    "à sa juste mesure. Recomptez quand la situation change, avec "
                    "`crisis impact`.\n"
                ),
                "questions": {
                    "affected": ["Combien d'utilisateurs sont touchés en ce moment ?"],
                    "total": [
                        "Combien d'utilisateurs y a-t-il au total ?",
                        "Tous ceux qui pourraient être touchés.",
                    ],
                },
            },
            "mitigate": {
                "title": "Atténuer, en connaissant le compromis",
                "guidance": (
                    "Remettez le client en état de travailler, même avant la vraie "
                    "correction. Si le contournement retire quelque chose que le contrat "
                    "promet, dites-le, et laissez le client décider.\n"
                ),
                "questions": {
                    "workaround": ["Quel est le contournement ?"],
                    "removes_promise": ["Retire-t-il quelque chose que le contrat promet ?"],
                    "trade_off": ["Que perd le client, et que gagne-t-il en échange ?"],
                },
            },
            "resolve": {
                "title": "Trouver la cause, en tirer les leçons",
                "guidance": (
                    "Une fois le service rétabli, prenez le temps de rassembler les faits "
                    "avec les collègues concernés, de trouver la vraie cause et de décider "
                    "honnêtement si elle était de notre ressort. Rédigez ensuite le rapport "
                    "de remédiation avec `crisis report` : factuel, complet, et une seule "
                    "excuse sincère.\n"
                ),
                "questions": {
                    "root_cause": ["Quelle était la cause profonde ?"],
                    "lessons": [
                        "Qu'est-ce qui change pour que cela ne se reproduise pas ?",
                        "Une leçon par ligne ; laissez vide si la revue reste à faire.",
                    ],
                },
            },
            "compensate": {
                "title": "Dédommager avec générosité",
                "guidance": (
                    "Donnez ce que le contrat prévoit (`crisis compensation` le calcule), "
                    "puis allez au-delà avant que le client le demande.\n"
                ),
                "questions": {
                    "gesture": [
                        "Que proposons-nous au-delà du contrat ?",
                        "Par exemple deux jours de service offerts.",
                    ],
                },
            },
            "feedback": {
                "title": "Demander un avis",
                "guidance": (
                    "Une fois le calme revenu, osez demander une note au client, et écoutez "
                    "ce qu'il dit de la façon dont nous avons géré la crise.\n"
                ),
                "questions": {
                    "score": ["Quelle note de 0 à 10 le client nous donne-t-il ?"],
                },
            },
        },
    },
}


def check_playbook_id(name: str) -> str:
    """Refuse a NAME that is not a playbook id (``../x``, ``A B``) before it becomes a path."""
    from crisiscli.playbook_loading import PLAYBOOK_ID  # noqa: PLC0415

    if not PLAYBOOK_ID.fullmatch(name):
        shown = name if len(name) <= 64 and name.isprintable() else "that name"
        raise UsageError(
            f"'{shown}' is not a playbook id; expected lowercase letters, digits and dashes, "
            "not starting with a dash, at most 64 characters (such as api-outage)"
        )
    return name


def write_playbook(path: Path, text: str, *, force: bool) -> Playbook:
    """Write a new playbook only once the real loader accepts it; returns the ``Playbook``.

    The text goes to a temporary file beside ``path``, is loaded as any playbook
    is, then renamed into place, so a failure never leaves a broken file behind.
    """
    from crisiscli.playbook_loading import load_playbook  # noqa: PLC0415

    refuse_existing([path], force=force)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as problem:
        raise _not_written(path, problem) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        playbook = load_playbook(Path(temporary))
        umask = os.umask(0)
        os.umask(umask)
        Path(temporary).chmod(0o666 & ~umask)  # the usual permissions, not mkstemp's 0600
        Path(temporary).replace(path)
    except OSError as problem:
        raise _not_written(path, problem) from None
    finally:
        Path(temporary).unlink(missing_ok=True)
    return playbook


def _not_written(path: Path, problem: OSError) -> CrisisError:
    """A failed write as one sentence (exit 1): a full disk, a folder without permission."""
    reason = str(problem.strerror or problem)
    return CrisisError(f"could not write {path}: {reason[:1].lower() + reason[1:]}")


def schema_reference(file: Path, schema: Path) -> str:
    """How ``file`` names ``schema`` on its ``#:schema`` line: relative, with forward slashes."""
    try:
        relative = os.path.relpath(schema, file.parent)
    except ValueError:  # another drive, on Windows
        return schema.as_uri()
    return Path(relative).as_posix()


# ---------------------------------------------------------------------------
# The team folder


def team_folder(
    folder: Path,
    *,
    language: str,
    timezone: str | None,
    store: str,
    store_path: Path | None,
    schema_of: Callable[[str], dict[str, Any]],
    example_contract: Path,
) -> list[NewFile]:
    """Every file ``crisis init`` writes into ``folder``, paths relative to it.

    ``store_path`` is where the journal's file resolves to, listed in .gitignore
    when inside ``folder``; None for a PostgreSQL store, which has no file here.
    """
    starter = Path("playbooks") / f"{STARTER_ID}.{language}.toml"
    files = [
        NewFile(Path("crisis.toml"), config_text(language, timezone, store)),
        NewFile(Path(".taplo.toml"), taplo_text(language)),
        NewFile(
            starter,
            playbook_text(
                STARTER_ID,
                language,
                schema="../schemas/playbook.schema.json",
                title=_STARTER[language]["title"],
            ),
        ),
        NewFile(Path("templates") / "README.md", _TEMPLATES_README[language]),
        NewFile(Path("scenarios") / "README.md", _SCENARIOS_README[language]),
        NewFile(Path("sessions") / "README.md", _SESSIONS_README[language]),
        NewFile(
            Path("contracts") / f"example.{language}.toml",
            _with_schema(example_contract.read_text(encoding="utf-8"), "contract"),
        ),
    ]
    for kind in KINDS:
        text = json.dumps(schema_of(kind), ensure_ascii=False, indent=2) + "\n"
        files.append(NewFile(Path("schemas") / f"{kind}.schema.json", text))
    ignored = None if store_path is None else _inside(store_path, folder)
    if ignored is not None:
        files.append(NewFile(Path(".gitignore"), gitignore_text(ignored, language), append=True))
    return files


def _with_schema(text: str, kind: str) -> str:
    """``text`` starting with the ``#:schema`` line of a file one folder below the schemas."""
    if text.startswith("#:schema "):
        return text
    return f"#:schema ../schemas/{kind}.schema.json\n{text}"


def _inside(path: Path, folder: Path) -> str | None:
    """``path`` relative to ``folder`` as a .gitignore pattern, or None when it is elsewhere."""
    try:
        relative = path.resolve().relative_to(folder.resolve())
    except ValueError:
        return None
    return "/" + relative.as_posix()


def config_text(language: str, timezone: str | None, store: str) -> str:
    """``crisis.toml``: a ``#:schema`` line, then each key under the comment that explains it."""
    import tomli_w  # noqa: PLC0415

    comments = _CONFIG_COMMENTS[language]
    values: dict[str, str | None] = {
        "language": language,
        "timezone": timezone,
        "playbook": STARTER_ID,
        "store": store,
    }
    parts = ["#:schema ./schemas/config.schema.json\n" + _comment(comments["header"])]
    for key, value in values.items():
        line = (
            tomli_w.dumps({key: value})
            if value is not None
            else "# " + tomli_w.dumps({key: "Europe/Paris"})
        )
        parts.append(_comment(comments[key]) + line)
    return "\n".join(parts)


def taplo_text(language: str) -> str:
    """``.taplo.toml``: each kind of file checked against its schema in ``schemas/``."""
    import tomli_w  # noqa: PLC0415

    patterns = (
        {"crisis.toml": "config"}
        | {f"{folder}/*.toml": kind for folder, kind in TAPLO_FOLDERS.items()}
        | {"**/*.answers.toml": "answers"}
    )
    document = {
        "include": list(patterns),
        "rule": [
            {"include": [pattern], "schema": {"path": f"schemas/{kind}.schema.json"}}
            for pattern, kind in patterns.items()
        ],
    }
    return _comment(_TAPLO_COMMENT[language]) + "\n" + tomli_w.dumps(document)


def gitignore_text(store: str, language: str) -> str:
    """The lines that keep the local journal (and SQLite's side files) out of git."""
    return _comment(_GITIGNORE_COMMENT[language]) + f"{store}\n{store}-*\n"


def refuse_existing(paths: list[Path], *, force: bool) -> None:
    """Exit 2 naming the first path that exists, unless ``force``; folders are never replaced."""
    for path in paths:
        blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        if blocking is not None:
            raise UsageError(f"{blocking} is a file; expected a folder there")
        if path.is_dir():
            raise UsageError(f"{path} is a folder; expected to write a file there")
        if path.exists() and not force:
            raise UsageError(f"{path} already exists; add --force to replace it")


def write_files(folder: Path, files: list[NewFile], *, force: bool) -> list[tuple[Path, str]]:
    """Write ``files`` under ``folder`` after checking that none would be overwritten.

    Nothing is written when one file is refused. A file marked ``append``
    receives only the lines it lacks. Returns each file written (relative to
    ``folder``) with what happened to it: ``created``, ``replaced`` or ``updated``.
    """
    refuse_existing([folder / f.path for f in files if not f.append], force=force)
    refuse_existing([folder / f.path for f in files if f.append], force=True)
    written: list[tuple[Path, str]] = []
    try:
        for new in files:
            target = folder / new.path
            existed = target.exists()
            target.parent.mkdir(parents=True, exist_ok=True)
            text = _missing_lines(target, new.text) if new.append else new.text
            if not text:
                continue
            with target.open("a" if new.append else "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
            done = "created" if not existed else ("updated" if new.append else "replaced")
            written.append((new.path, done))
    except OSError as problem:
        raise _not_written(Path(problem.filename or folder), problem) from None
    return written


def _missing_lines(target: Path, text: str) -> str:
    """The lines of ``text`` not yet in ``target`` (with its comment), or all when it is new."""
    if not target.exists():
        return text
    present = set(target.read_text(encoding="utf-8").splitlines())
    wanted = [line for line in text.splitlines() if line and not line.startswith("#")]
    if all(line in present for line in wanted):
        return ""
    lead = "" if target.read_bytes().endswith(b"\n") or not target.stat().st_size else "\n"
    return lead + "\n" + text


def _wrapped(text: str, width: int = 78) -> str:
    """Paragraphs broken into lines (Markdown joins them again), ending with a line break."""
    import textwrap  # noqa: PLC0415

    paragraphs = [textwrap.fill(p, width, break_on_hyphens=False) for p in text.split("\n\n")]
    return "\n\n".join(paragraphs).strip() + "\n"


def _comment(text: str, width: int = 78) -> str:
    """``text`` as ``#`` comment lines of at most ``width`` characters (empty for no text)."""
    import textwrap  # noqa: PLC0415

    if not text:
        return ""
    lines = textwrap.wrap(text, width=width - 2, break_long_words=False, break_on_hyphens=False)
    return "".join(f"# {line}\n" for line in lines)


_CONFIG_COMMENTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "header": (
            "Settings for crisiscli, shared by the team through git. They apply when crisis "
            "runs in this folder; a flag or an environment variable still wins. `crisis "
            "config show` says which value is in force and where it comes from "
            "(docs/configuration.md)."
        ),
        "language": "Language of new sessions and of the playbook version chosen: en or fr "
        "(CRISIS_LANG, --lang).",
        "timezone": "IANA time zone new sessions record their times in (CRISIS_TZ, "
        "--timezone). Remove it to use each machine's own.",
        "playbook": "The playbook `crisis start` walks when none is named: an id, or a path "
        "relative to this folder (CRISIS_PLAYBOOK). The built-in one is customer-outage.",
        "store": "Where the journal of sessions lives: a SQLite file, relative to this folder "
        "(CRISIS_STORE). It stays on each machine (.gitignore); `crisis export` puts a "
        "session in the repository and `crisis import` loads it elsewhere.",
    },
    "fr": {
        "header": (
            "Réglages de crisiscli, partagés par l'équipe via git. Ils s'appliquent quand "
            "crisis est lancé dans ce dossier ; une option ou une variable d'environnement "
            "l'emporte toujours. `crisis config show` indique la valeur en vigueur et sa "
            "provenance (docs/configuration.md, en anglais)."
        ),
        "language": "Langue des nouvelles sessions et de la version du playbook choisie : en "
        "ou fr (CRISIS_LANG, --lang).",
        "timezone": "Fuseau horaire IANA des nouvelles sessions (CRISIS_TZ, --timezone). "
        "Retirez-le pour utiliser celui de chaque machine.",
        "playbook": "Le playbook que suit `crisis start` quand aucun n'est nommé : un id, ou "
        "un chemin relatif à ce dossier (CRISIS_PLAYBOOK). Celui intégré est customer-outage.",
        "store": "Où vit le journal des sessions : un fichier SQLite, relatif à ce dossier "
        "(CRISIS_STORE). Il reste sur chaque machine (.gitignore) ; `crisis export` met une "
        "session dans le dépôt et `crisis import` la charge ailleurs.",
    },
}

_TAPLO_COMMENT: Final = {
    "en": (
        "Taplo (the TOML toolkit behind editor extensions such as Even Better TOML) "
        "checks each file against the JSON Schema of its kind, from schemas/. Run "
        "`taplo check` here, or let your editor do it as you type."
    ),
    "fr": (
        "Taplo (la boîte à outils TOML derrière des extensions d'éditeur comme Even Better "
        "TOML) vérifie chaque fichier d'après le schéma JSON de son type, dans schemas/. "
        "Lancez `taplo check` ici, ou laissez votre éditeur le faire pendant la saisie."
    ),
}

_GITIGNORE_COMMENT: Final = {
    "en": "The crisiscli journal (store in crisis.toml) stays on each machine.",
    "fr": "Le journal de crisiscli (store dans crisis.toml) reste sur chaque machine.",
}

_TEMPLATES_README: Final = {
    "en": """\
# Report templates

`crisis report` looks for templates here first, then in `$CRISIS_HOME/templates`,
then among the built-ins. A file here with the same name as a built-in template
replaces it for this team, one file at a time: `remediation.en.html.j2` replaces
the English HTML remediation report and leaves every other language and format
built-in.

Names follow `NAME.LANG.FORMAT.j2` (for example `handover.en.txt.j2`, used by
`crisis report -t handover -f txt --lang en`). To change only part of a built-in,
extend it through the `builtin/` prefix and redefine one block:

```jinja
{% extends "builtin/remediation.en.html.j2" %}
{% block footer %}Sent by our support team{% endblock %}
```

`crisis templates list` shows which file is in force for each name. Templates run
in a sandbox; docs/templates.md describes the data they receive.
""",
    "fr": """\
# Modèles de rapport

`crisis report` cherche les modèles d'abord ici, puis dans `$CRISIS_HOME/templates`,
puis parmi les modèles intégrés. Un fichier placé ici sous le même nom qu'un modèle
intégré le remplace pour l'équipe, fichier par fichier : `remediation.fr.html.j2`
remplace le rapport de remédiation HTML en français et laisse les autres langues
et formats intégrés.

Les noms suivent `NOM.LANGUE.FORMAT.j2` (par exemple `passation.fr.txt.j2`, utilisé
par `crisis report -t passation -f txt --lang fr`). Pour ne changer qu'une partie
d'un modèle intégré, étendez-le par le préfixe `builtin/` et redéfinissez un bloc :

```jinja
{% extends "builtin/remediation.fr.html.j2" %}
{% block footer %}Envoyé par notre équipe support{% endblock %}
```

`crisis templates list` montre quel fichier est en vigueur pour chaque nom. Les
modèles s'exécutent dans un bac à sable ; docs/templates.md (en anglais) décrit les
données qu'ils reçoivent.
""",
}

_SCENARIOS_README: Final = {
    "en": """\
# Training scenarios

Drills for the team: `crisis replay NAME` finds the scenarios here before the
built-in ones. Turn a real crisis into one with
`crisis scenario from-session SESSION --out scenarios/NAME.en.toml --anonymize`,
and check a file with `crisis scenario check`. docs/scenario-format.md
describes the format.
""",
    "fr": """\
# Scénarios d'entraînement

Des exercices pour l'équipe : `crisis replay NOM` trouve les scénarios d'ici avant
ceux intégrés. Transformez une vraie crise en scénario avec
`crisis scenario from-session SESSION --out scenarios/NOM.fr.toml --anonymize`,
et vérifiez un fichier avec `crisis scenario check`. docs/scenario-format.md
(en anglais) décrit le format.
""",
}

_SESSIONS_README: Final = {
    "en": """\
# Sessions

Sessions the team keeps, one file each, to review in git or to carry to another
machine. The journal itself stays on each machine (see `store` in crisis.toml).

```sh
crisis export SESSION --out sessions/SESSION.toml   # write one session here
crisis import sessions/SESSION.toml                 # load it into this machine's journal
```

An export holds everything that was recorded, customer names and messages
included: keep this repository private, or anonymise a session as a training
scenario instead (`crisis scenario from-session --anonymize`).
""",
    "fr": """\
# Sessions

Les sessions que l'équipe conserve, un fichier chacune, pour les relire dans git
ou les emporter sur une autre machine. Le journal lui-même reste sur chaque
machine (voir `store` dans crisis.toml).

```sh
crisis export SESSION --out sessions/SESSION.toml   # écrire une session ici
crisis import sessions/SESSION.toml                 # la charger dans le journal de cette machine
```

Un export contient tout ce qui a été enregistré, y compris les noms des clients et
les messages : gardez ce dépôt privé, ou anonymisez plutôt la session en scénario
d'entraînement (`crisis scenario from-session --anonymize`).
""",
}
