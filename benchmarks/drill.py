"""Time scripted training drills, their scoring and their debrief, and print the figures.

    .venv/bin/python benchmarks/drill.py [--runs 10]

For each shipped scenario (English), with its careful trainee script: the
whole scripted drill as ``crisis replay --answers`` runs it (a rehearsal in
memory, then the drill recorded in a fresh SQLite journal), scoring the
recorded session, and rendering its debrief in Markdown and HTML. Medians of
``--runs``, in milliseconds, in one process (so imports are not counted).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from crisiscli.catalogue import find_playbook  # noqa: E402
from crisiscli.clock import SimulatedClock  # noqa: E402
from crisiscli.drill import Drill, run_script  # noqa: E402
from crisiscli.drill_actions import load_script  # noqa: E402
from crisiscli.report_context import build_context  # noqa: E402
from crisiscli.reports import render_report  # noqa: E402
from crisiscli.scenario import load_scenario  # noqa: E402
from crisiscli.scoring import score  # noqa: E402
from crisiscli.state import load_session  # noqa: E402
from crisiscli.store.memory import MemoryStore  # noqa: E402
from crisiscli.store.sqlite import SQLiteStore  # noqa: E402

SCENARIOS = ("event-app-overload", "damaged-delivery", "enterprise-outage")


def median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    folder = Path(tempfile.mkdtemp(prefix="crisis-drill-bench-"))
    print(f"{'scenario':<20} {'events':>6}  {'step':<28} {'median ms':>9}")
    for name in SCENARIOS:
        bench(name, runs, folder)


def bench(name: str, runs: int, folder: Path) -> None:
    scenario_path = REPO / "scenarios" / f"{name}.en.toml"
    scenario = load_scenario(scenario_path)
    playbook, source = find_playbook(
        scenario.scenario.playbook, language="en", home=folder, cwd=folder
    )
    script = load_script(REPO / "tests" / "data" / "training" / f"{name}.en.careful.toml", playbook)
    start = scenario.scenario.starts_at
    assert start is not None
    sessions: list[str] = []

    def drill(store: object) -> Drill:
        return Drill.begin(
            store,  # type: ignore[arg-type]
            scenario,
            playbook,
            clock=SimulatedClock(start, 0),
            actor="bench@host",
            timezone="Europe/Paris",
            mode="scripted",
            speed=None,
            source=source,
        )

    def replay() -> None:
        run_script(drill(MemoryStore()), script, say=lambda _line: None)
        store = SQLiteStore(folder / f"{name}-{len(sessions)}.db")
        recorded = drill(store)
        run_script(recorded, script, say=lambda _line: None)
        sessions.append(recorded.state.session_id)
        store.close()

    replay_ms = median_ms(replay, runs)
    store = SQLiteStore(folder / f"{name}-0.db")
    state = load_session(store, sessions[0])
    events = len(state.events)
    score_ms = median_ms(lambda: score(state), runs)
    context = build_context(state, language="en", now=state.events[-1].at)
    print(f"{name:<20} {events:>6}  {'scripted replay (2 runs)':<28} {replay_ms:>9.1f}")
    print(f"{name:<20} {events:>6}  {'score':<28} {score_ms:>9.1f}")
    for fmt in ("md", "html"):
        render_ms = median_ms(
            lambda fmt=fmt: render_report(
                context, template="debrief", fmt=fmt, home=folder, cwd=folder
            ),
            runs,
        )
        print(f"{name:<20} {events:>6}  {'debrief ' + fmt:<28} {render_ms:>9.1f}")
    store.close()


if __name__ == "__main__":
    main()
