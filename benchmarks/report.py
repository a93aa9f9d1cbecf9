"""Time report rendering and measure its memory, and print the figures.

    .venv/bin/python benchmarks/report.py [--runs 20] [--events 10000]

Two sessions: the sample crisis of the tests (42 answers, about 45 events),
and the same crisis followed by ``--events`` extra journal events (the kind
a long crisis accumulates: notes, updates), which every report lists in its
timeline and the post-incident review in its appendix. For each, the time to
fold the journal into the report context and to render each built-in
template (median of ``--runs``, milliseconds), and the peak Python memory of
one whole post-incident review in HTML (tracemalloc).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from crisiscli import events as ev  # noqa: E402
from crisiscli.report_context import build_context  # noqa: E402
from crisiscli.reports import render_report  # noqa: E402
from crisiscli.state import SessionState, fold  # noqa: E402
from tests.report_samples import GENERATED, complete_session  # noqa: E402

TEMPLATES = ("remediation", "postmortem", "update", "summary")


def median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def long_crisis(events: int) -> SessionState:
    """The sample crisis, then ``events`` more events of a type this version does not know."""
    base = complete_session("en")
    journal = list(base.events)
    closing = journal.pop()
    last = journal[-1]
    for number in range(events):
        journal.append(
            ev.Event(
                session_id=base.session_id,
                seq=last.seq + 1 + number,
                at=last.at + timedelta(seconds=30 * (number + 1)),
                actor="alex@support-laptop",
                type="note_added",
                payload={"text": f"Call {number}: still three users unable to sign in"},
            )
        )
    journal.append(
        ev.Event(
            session_id=closing.session_id,
            seq=len(journal) + 1,
            at=journal[-1].at + timedelta(minutes=1),
            actor=closing.actor,
            type=closing.type,
            payload=closing.payload,
        )
    )
    return fold(journal)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--events", type=int, default=10_000)
    options = parser.parse_args()
    out = Path("/nonexistent-report-benchmark")
    print(f"{'session':<22} {'step':<24} {'median ms':>10}")
    for label, state in (
        ("sample (45 events)", complete_session("en")),
        (f"long ({options.events:,} more)", long_crisis(options.events)),
    ):
        context_ms = median_ms(
            lambda s=state: build_context(s, language="en", now=GENERATED), options.runs
        )
        print(f"{label:<22} {'fold into the context':<24} {context_ms:>10.1f}")
        view = build_context(state, language="en", now=GENERATED)
        for template in TEMPLATES:
            for fmt in ("md", "html"):
                ms = median_ms(
                    lambda t=template, f=fmt, v=view: render_report(
                        v, template=t, fmt=f, home=out, cwd=out
                    ),
                    options.runs,
                )
                print(f"{label:<22} {template + ' ' + fmt:<24} {ms:>10.1f}")
        tracemalloc.start()
        view = build_context(state, language="en", now=GENERATED)
        text = render_report(view, template="postmortem", fmt="html", home=out, cwd=out)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"{label:<22} {'postmortem html, peak':<24} {peak / 2**20:>8.1f} MiB"
            f"  ({len(text) / 1024:,.0f} KiB of HTML)"
        )


if __name__ == "__main__":
    main()
