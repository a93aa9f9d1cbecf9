"""Many responders at once: concurrent writers into one session, on PostgreSQL and on SQLite.

    .venv/bin/python benchmarks/team.py [--writers 8] [--events 1000] [--readers 2]
                                        [--read-every 0.1] [--dsn postgresql://...]
                                        [--backends postgresql,sqlite] [--json]

``--writers`` processes each append ``--events`` events to one session, all
at once (each opens its store first, then waits for the same start signal),
through the ``Store`` protocol as ``crisis note`` does: one transaction per
event. Meanwhile ``--readers`` processes read the whole session every
``--read-every`` seconds (0.1 by default: ``crisis watch`` at its fastest; 0
reads without a pause, a stress test on a small machine). Then the session is
read once more and checked:

* lost: events written minus events found (each writer's numbers 0..n-1);
* duplicates: events found more than once;
* ordering violations: sequence numbers that are not 1, 2, 3... without a
  gap; a writer's events out of the order it wrote them; a reader that saw
  the journal in another order than the final one (each of its reads must be
  the beginning of the next, and its last read must equal the final journal).

The PostgreSQL journal is a fresh schema of the ``--dsn`` database (default:
``$CRISIS_TEST_POSTGRES``; the role must be able to create schemas), dropped
afterwards; SQLite's is a file in a temporary folder. Exit 1 when anything was
lost, duplicated or out of order.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import multiprocessing
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from multiprocessing.synchronize import Event as Signal
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from crisiscli.config import store_location  # noqa: E402
from crisiscli.store import Store, open_store  # noqa: E402

SESSION = "20261122-1405-bench1"
PROBE = "note_added"


@dataclass
class Figures:
    backend: str
    writers: int
    events: int
    seconds: float
    per_second: float
    lost: int
    duplicates: int
    gaps: int
    out_of_writer_order: int
    readers_disagreeing: int

    @property
    def ordering_violations(self) -> int:
        return self.gaps + self.out_of_writer_order + self.readers_disagreeing

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.duplicates == 0 and self.ordering_violations == 0


@dataclass
class Load:
    """What one run asks of a backend."""

    writers: int
    events: int
    readers: int
    read_every: float


@dataclass
class Signals:
    """Shared with every process: ready (one release each), go, and done (the writers are)."""

    ready: Any
    go: Signal
    done: Signal


def open_location(location: str) -> Store:
    return open_store(store_location(location))


def writer(location: str, name: str, count: int, signals: Signals) -> None:
    store = open_location(location)
    signals.ready.release()
    signals.go.wait()
    for number in range(count):
        store.append(
            SESSION,
            PROBE,
            {"text": f"{name} {number}", "writer": name, "n": number},
            actor=name,
            at=datetime.now(UTC),
        )
    store.close()


def signature(store: Store) -> list[tuple[int, str, int]]:
    return [(e.seq, e.actor, int(e.payload.get("n", -1))) for e in store.events(SESSION)]


def reader(location: str, pause: float, signals: Signals, results: Any) -> None:
    """Read until the writers are done; every read must extend the one before it."""
    store = open_location(location)
    signals.ready.release()
    signals.go.wait()
    previous: list[tuple[int, str, int]] = []
    violations = reads = 0
    while not signals.done.is_set():
        current = signature(store)
        reads += 1
        if current[: len(previous)] != previous:
            violations += 1
        previous = current
        time.sleep(pause)
    final = signature(store)
    if final[: len(previous)] != previous:
        violations += 1
    results.put((violations, reads, digest(final)))
    store.close()


def digest(rows: list[tuple[int, str, int]]) -> str:
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def measure(backend: str, location: str, load: Load) -> Figures:
    context = multiprocessing.get_context("spawn")
    store = open_location(location)
    started = {"playbook_id": "bench", "title": "Team benchmark", "language": "en"}
    store.append(
        SESSION,
        "session_started",
        {**started, "training": False},
        actor="bench",
        at=datetime.now(UTC),
        new_session=True,
    )
    signals = Signals(context.Semaphore(0), context.Event(), context.Event())
    results = context.Queue()
    names = [f"writer-{number}" for number in range(load.writers)]
    writing = [
        context.Process(target=writer, args=(location, name, load.events, signals))
        for name in names
    ]
    reading = [
        context.Process(target=reader, args=(location, load.read_every, signals, results))
        for _ in range(load.readers)
    ]
    for process in writing + reading:
        process.start()
    for _ in writing + reading:
        signals.ready.acquire()
    begun = time.perf_counter()
    signals.go.set()
    for process in writing:
        process.join()
    seconds = time.perf_counter() - begun
    signals.done.set()
    seen = [results.get(timeout=120) for _ in reading]
    for process in reading:
        process.join()
    if any(process.exitcode for process in writing + reading):
        raise SystemExit(f"{backend}: a writer or a reader failed (see above)")

    final = signature(store)
    store.close()
    probes = final[1:]
    found = {(actor, number) for _, actor, number in probes}
    expected = {(name, number) for name in names for number in range(load.events)}
    out_of_order = 0
    for name in names:
        mine = [number for _, actor, number in probes if actor == name]
        out_of_order += sum(1 for a, b in itertools.pairwise(mine) if b <= a)
    return Figures(
        backend=backend,
        writers=load.writers,
        events=len(probes),
        seconds=round(seconds, 2),
        per_second=round(len(probes) / seconds),
        lost=len(expected - found),
        duplicates=len(probes) - len(found),
        gaps=sum(1 for index, (seq, _, _) in enumerate(final, start=1) if seq != index),
        out_of_writer_order=out_of_order,
        readers_disagreeing=sum(
            1 for violations, _, last in seen if violations or last != digest(final)
        ),
    )


@contextmanager
def sqlite_journal() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="crisis-team-") as folder:
        yield str(Path(folder) / "crisis.db")


@contextmanager
def postgres_journal(dsn: str) -> Iterator[str]:
    """A fresh schema of ``dsn``'s database, dropped afterwards."""
    import psycopg  # noqa: PLC0415 - only when PostgreSQL is measured
    from psycopg import sql  # noqa: PLC0415

    schema = f"crisis_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        options = quote(f"-csearch_path={schema}", safe="")
        yield f"{dsn}{'&' if '?' in dsn else '?'}options={options}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--events", type=int, default=1000, help="per writer")
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--read-every", type=float, default=0.1, help="seconds between reads")
    parser.add_argument("--dsn", default=os.environ.get("CRISIS_TEST_POSTGRES", ""))
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    options = parser.parse_args()
    load = Load(options.writers, options.events, options.readers, options.read_every)
    figures = []
    for backend in options.backends.split(","):
        if backend == "postgresql":
            if not options.dsn:
                parser.error("--dsn (or CRISIS_TEST_POSTGRES) is needed for postgresql")
            journal = postgres_journal(options.dsn)
        elif backend == "sqlite":
            journal = sqlite_journal()
        else:
            parser.error(f"unknown backend {backend}; expected postgresql or sqlite")
        with journal as location:
            figures.append(measure(backend, location, load))
    if options.json:
        print(json.dumps([asdict(f) | {"ordering_violations": f.ordering_violations}
                          for f in figures], indent=2))  # fmt: skip
    else:
        print(
            f"{'backend':<11} {'writers':>7} {'events':>7} {'seconds':>8} {'events/s':>9} "
            f"{'lost':>5} {'duplicates':>10} {'ordering violations':>20}"
        )
        for f in figures:
            print(
                f"{f.backend:<11} {f.writers:>7} {f.events:>7,} {f.seconds:>8.2f} "
                f"{f.per_second:>9,} {f.lost:>5} {f.duplicates:>10} {f.ordering_violations:>20}"
            )
        print(
            f"(ordering violations: sequence gaps, a writer's events out of its order, and "
            f"readers disagreeing; {options.readers} readers read the whole session every "
            f"{options.read_every:g} s throughout)"
        )
    return 0 if all(f.ok for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
