"""Sample sessions for report tests, on a fixed clock with fixed ids.

``python -m tests.report_samples OUT_DIR`` renders every built-in template in
every format and language into OUT_DIR, to look at while writing templates.
"""

from __future__ import annotations

import contextlib
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from crisiscli.catalogue import find_playbook
from crisiscli.clock import FixedClock
from crisiscli.engine import close_session, start_session, walk
from crisiscli.playbook import Playbook, Question, Step
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


class _OnSchedule(ScriptedPrompter):
    """Scripted answers, with the clock moved to when each step really happened."""

    def __init__(self, path: Path, answers: dict[str, Any], clock: FixedClock) -> None:
        super().__init__(path, answers)
        self.clock = clock

    def begin_step(self, number: int, total: int, step: Step) -> None:
        if step.id in STEP_TIMES:
            self.clock.current = STEP_TIMES[step.id]
        super().begin_step(number, total, step)


def _playbook(language: str) -> Playbook:
    nowhere = REPO / "nowhere"
    playbook, _source = find_playbook(
        "customer-outage", language=language, home=nowhere, cwd=nowhere
    )
    return playbook


def complete_session(language: str) -> SessionState:
    """The customer-outage answers file of ``language``, walked to the end and closed."""
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
    prompter = _OnSchedule(path, load_answers(path, playbook), clock)
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
