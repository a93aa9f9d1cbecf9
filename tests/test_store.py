"""The store contract: one suite, run against SQLite and a real PostgreSQL server.

Every test taking ``backend`` or ``store`` runs twice: on a SQLite file in a
temporary folder, and on a fresh schema of the server ``CRISIS_TEST_POSTGRES``
names (see ``tests/pg.py``: skipped locally without one, a failure under CI).
The stores are opened as the CLI opens them, from the ``store`` setting's
value. What only one backend has (SQLite's pragmas, PostgreSQL's migrations
and retries) is tested at the end of this file and in ``test_postgres.py``.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from crisiscli.config import store_location
from crisiscli.errors import (
    AlreadyRecordedError,
    NotFoundError,
    SessionClosedError,
    SessionConflictError,
    UsageError,
)
from crisiscli.events import Event
from crisiscli.store import Store, check_session_id, encode_payload, open_store, resolve_session
from crisiscli.store.sqlite import SQLiteStore

from .conftest import cli_env
from .pg import connect, fresh_schema

AT = datetime(2026, 11, 22, 13, 5, tzinfo=UTC)
SID = "20261122-1405-abc123"
OTHER = "20261122-1600-zzz999"


@dataclass
class Backend:
    """One store, named as the ``store`` setting names it: a SQLite path or a PostgreSQL URL."""

    name: str
    location: str

    def open(self) -> Store:
        return open_store(store_location(self.location))

    def make_newer(self) -> None:
        """Mark the journal as written by a crisiscli with journal version 99."""
        if self.name == "sqlite":
            db = sqlite3.connect(self.location)
            db.execute("PRAGMA user_version = 99")
            db.close()
        else:
            with connect(self.location) as db:
                db.execute(
                    "INSERT INTO crisis_schema_migrations (version, description) "
                    "VALUES (99, 'from the future')"
                )


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        yield Backend("sqlite", str(tmp_path / "crisis.db"))
        return
    with fresh_schema() as url:
        yield Backend("postgresql", url)


@pytest.fixture
def store(backend: Backend) -> Iterator[Store]:
    opened = backend.open()
    yield opened
    opened.close()


def started(
    store: Store, session_id: str = SID, at: datetime = AT, *, training: bool = False
) -> Event:
    payload = {"playbook_id": "mini", "title": "T", "language": "en", "training": training}
    return store.append(
        session_id, "session_started", payload, actor="a@h", at=at, new_session=True
    )


def note(store: Store, text: str, *, session_id: str = SID, at: datetime = AT) -> Event:
    payload = {"text": text, "source": None, "channel": None}
    return store.append(session_id, "note_added", payload, actor="a@h", at=at)


# -- appending and reading ------------------------------------------------------------


def test_events_come_back_in_order_with_gapless_sequence(store: Store) -> None:
    started(store)
    for number in range(5):
        store.append(SID, "answer_recorded", {"key": "s.q", "value": number}, actor="a@h", at=AT)
    events = store.events(SID)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
    assert [e.payload.get("value") for e in events[1:]] == [0, 1, 2, 3, 4]
    assert events[0].at == AT and events[0].actor == "a@h"
    assert store.events("20261122-1405-nosuch") == []


def test_append_returns_the_event_as_stored(store: Store, backend: Backend) -> None:
    first = started(store)
    second = note(store, "hello")
    assert (first.seq, second.seq) == (1, 2)
    reopened = backend.open()
    try:
        assert reopened.events(SID) == [first, second]
    finally:
        reopened.close()


PAYLOADS: list[dict[str, Any]] = [
    {"b": 1.0, "a": 1, "z": 10**20, "neg": -0.0, "tiny": 5e-324, "big": 1.7976931348623157e308},
    {"text": "Démarrage : 🚑 «lent»\nsecond line\ttabbed \\ \" '", "nul": "a\x00b\x01"},
    {"nested": {"y": None, "x": True, "list": [[], {}, [1, [2, [3]]]]}, "": "empty key"},
    {"key": "s.q", "value": "1.0", "order": ["z", "a"], "unicode": "\u2028\u2029\ufeff"},
]


@pytest.mark.parametrize("payload", PAYLOADS, ids=["numbers", "text", "nesting", "strings"])
def test_payloads_come_back_as_the_same_json_text(store: Store, payload: dict[str, Any]) -> None:
    """1 and 1.0, key order, NUL and other controls: the text each store returns is the same."""
    started(store)
    store.append(SID, "note_added", payload, actor="a@h", at=AT)
    (event,) = store.events(SID)[1:]
    assert encode_payload(event.payload) == encode_payload(payload)
    assert list(event.payload) == list(payload)


def test_instants_keep_their_microseconds(store: Store) -> None:
    precise = datetime(2026, 11, 22, 13, 5, 7, 123456, tzinfo=UTC)
    paris = datetime(2026, 11, 22, 14, 5, 7, 999999, tzinfo=timezone(timedelta(hours=1)))
    started(store, at=precise)
    note(store, "later", at=paris)
    first, second = store.events(SID)
    assert first.at == precise and second.at == paris
    assert first.at.utcoffset() is not None and second.at.utcoffset() is not None
    assert store.sessions()[0].started_at == precise


def test_a_new_session_cannot_reuse_an_id_and_unknown_sessions_cannot_grow(store: Store) -> None:
    started(store)
    with pytest.raises(UsageError, match=f"a session with id {SID} already exists"):
        started(store)
    with pytest.raises(UsageError, match="no session '20261122-1405-zzzzzz' in this store"):
        store.append("20261122-1405-zzzzzz", "note_added", {}, actor="a", at=AT)
    assert len(store.events(SID)) == 1
    assert store.events("20261122-1405-zzzzzz") == []


def test_a_closed_session_refuses_answers_in_the_same_transaction(store: Store) -> None:
    started(store)
    store.append(SID, "session_closed", {"resolution": ""}, actor="a", at=AT)
    with pytest.raises(SessionClosedError):
        store.append(SID, "answer_recorded", {}, actor="a", at=AT, refuse_if_closed=True)
    assert len(store.events(SID)) == 2
    # Without refuse_if_closed, a closed session still takes notes (``crisis note`` after close).
    assert note(store, "after the close").seq == 3


def test_an_answer_is_recorded_once(store: Store) -> None:
    started(store)
    answer = {"key": "impact.affected", "value": 3}
    store.append(SID, "answer_recorded", answer, actor="a", at=AT, unique_key=True)
    with pytest.raises(AlreadyRecordedError) as again:
        store.append(
            SID, "answer_recorded", {**answer, "value": 4}, actor="b", at=AT, unique_key=True
        )
    assert str(again.value) == f"session {SID} already has an answer for impact.affected"
    # Another type, or another key, is not the same answer.
    store.append(SID, "value_computed", answer, actor="a", at=AT, unique_key=True)
    other = {"key": "impact.total", "value": 1}
    store.append(SID, "answer_recorded", other, actor="a", at=AT, unique_key=True)
    assert [e.type for e in store.events(SID)] == [
        "session_started",
        "answer_recorded",
        "value_computed",
        "answer_recorded",
    ]


def test_sessions_are_summarised_from_the_journal(store: Store) -> None:
    started(store)
    later = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
    started(store, OTHER, at=later, training=True)
    store.append(SID, "session_closed", {"resolution": "fixed"}, actor="a", at=later)
    store.append(SID, "session_closed", {"resolution": "again"}, actor="a", at=AT)
    first, second = store.sessions()
    assert (first.id, first.status, first.closed_at, first.training) == (SID, "closed", AT, False)
    assert (second.id, second.status, second.playbook_id, second.training) == (
        OTHER,
        "open",
        "mini",
        True,
    )
    assert (first.title, first.language, first.started_at) == ("T", "en", AT)
    assert resolve_session(store, SID).id == SID
    with pytest.raises(NotFoundError, match="there is no open session"):
        resolve_session(store, None)  # the open one is a training drill


def test_sessions_with_odd_text_are_listed(store: Store) -> None:
    """An emoji in a title, a NUL in a note: listing and reading are not upset."""
    payload = {"playbook_id": "mini", "title": "T 🚑 «»", "language": "en", "training": False}
    store.append(SID, "session_started", payload, actor="a", at=AT, new_session=True)
    note(store, "nul \x00 inside")
    (summary,) = store.sessions()
    assert summary.title == "T 🚑 «»"
    assert store.events(SID)[1].payload["text"] == "nul \x00 inside"


def test_unknown_and_malformed_session_ids(store: Store) -> None:
    started(store)
    with pytest.raises(NotFoundError) as missing:
        resolve_session(store, "20261122-1405-abc124")
    assert str(missing.value) == (
        "no session '20261122-1405-abc124' in this store (did you mean '20261122-1405-abc123'?)"
    )
    for bad in ("../../etc/passwd", "x\x00y", "1" * 5000, ""):
        with pytest.raises(UsageError, match="is not a session id"):
            check_session_id(bad)


def test_a_newer_journal_is_refused_clearly(backend: Backend) -> None:
    backend.open().close()
    backend.make_newer()
    with pytest.raises(UsageError, match=r"written by a newer crisiscli \(journal version 99\)"):
        backend.open()


# -- importing a session ----------------------------------------------------------------


def a_history() -> list[Event]:
    """Four events of one session, with payloads whose text must survive exactly."""
    start = {"playbook_id": "mini", "title": "T", "language": "en", "training": False}
    return [
        Event(SID, 1, AT, "ana@laptop", "session_started", start),
        Event(SID, 2, AT + timedelta(seconds=1), "ana@laptop", "note_added", {"n": 1.0}),
        Event(SID, 3, AT + timedelta(microseconds=7), "tim@ops", "note_added", {"b": 1, "a": 2}),
        Event(SID, 4, AT + timedelta(minutes=3), "lea@support", "session_closed", {}),
    ]


def test_an_import_writes_a_whole_session_once(store: Store) -> None:
    history = a_history()
    assert store.import_session(history) == 4
    assert store.events(SID) == history
    assert [encode_payload(e.payload) for e in store.events(SID)] == [
        encode_payload(e.payload) for e in history
    ]
    assert store.import_session(history) == 0
    assert store.import_session(history[:2]) == 0  # an older export, imported again
    (summary,) = store.sessions()
    assert (summary.id, summary.status, summary.closed_at) == (SID, "closed", history[3].at)
    # What is imported goes on like any session.
    assert store.append(SID, "note_added", {}, actor="a", at=AT).seq == 5


def test_an_import_catches_up_a_stored_beginning(store: Store) -> None:
    history = a_history()
    assert store.import_session(history[:2]) == 2
    assert store.import_session(history) == 2
    assert store.events(SID) == history


@pytest.mark.parametrize(
    "change",
    [
        {"payload": {"n": 1}},  # 1 is not 1.0
        {"actor": "sam@desk"},
        {"at": AT + timedelta(seconds=1, microseconds=1)},
    ],
    ids=["payload", "actor", "instant"],
)
def test_a_diverging_import_changes_nothing(store: Store, change: dict[str, Any]) -> None:
    history = a_history()
    store.import_session(history[:2])
    edited = [*history[:1], Event(**{**history[1].__dict__, **change}), *history[2:]]
    with pytest.raises(SessionConflictError) as refused:
        store.import_session(edited)
    assert str(refused.value) == (
        f"session {SID} is already in this store with other events "
        "(2 here, 4 imported; the first that differs is event 2), so nothing was imported"
    )
    assert store.events(SID) == history[:2]


def test_concurrent_imports_write_once(backend: Backend) -> None:
    backend.open().close()
    history = a_history()
    results: list[int] = []
    failures: list[BaseException] = []

    def import_once() -> None:
        mine = backend.open()
        try:
            results.append(mine.import_session(history))
        except BaseException as problem:  # reported below, with the thread's error
            failures.append(problem)
        finally:
            mine.close()

    threads = [threading.Thread(target=import_once) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(results) == [0, 0, 0, 4]
    reader = backend.open()
    try:
        assert reader.events(SID) == history
    finally:
        reader.close()


# -- several processes at once ------------------------------------------------------------

WRITER = """
import sys
from datetime import UTC, datetime
from crisiscli.config import store_location
from crisiscli.store import open_store
store = open_store(store_location(sys.argv[1]))
for number in range(int(sys.argv[3])):
    store.append(sys.argv[2], "probe", {"writer": sys.argv[4], "n": number},
                 actor=sys.argv[4], at=datetime.now(UTC))
store.close()
"""


def test_two_processes_appending_lose_and_duplicate_nothing(backend: Backend) -> None:
    """1,000 events from two processes: kept, numbered without gaps, one order for every reader.

    While they write, a reader keeps reading: whatever it sees must be the
    beginning of the final journal (never a later event without the ones
    before it, never another order).
    """
    store = backend.open()
    started(store)
    count = 500
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, backend.location, SID, str(count), name], env=cli_env()
        )
        for name in ("alice", "bob")
    ]
    seen: list[list[tuple[int, str, int]]] = []
    while any(w.poll() is None for w in writers):
        seen.append([(e.seq, e.actor, e.payload.get("n", -1)) for e in store.events(SID)])
        time.sleep(0.01)
    assert [w.wait(timeout=120) for w in writers] == [0, 0]

    events = store.events(SID)[1:]
    assert len(events) == 2 * count
    assert [e.seq for e in events] == list(range(2, 2 * count + 2))
    for name in ("alice", "bob"):
        assert [e.payload["n"] for e in events if e.actor == name] == list(range(count))
    final = [(e.seq, e.actor, e.payload.get("n", -1)) for e in store.events(SID)]
    assert len(seen) > 1
    for snapshot in seen:
        assert snapshot == final[: len(snapshot)]
    other = backend.open()
    try:
        assert other.events(SID) == store.events(SID)
    finally:
        other.close()
        store.close()


# -- SQLite only ---------------------------------------------------------------------------


def test_sqlite_durability_settings(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "crisis.db")
    assert store._db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert store._db.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    assert store._db.execute("PRAGMA busy_timeout").fetchone() == (30_000,)


def test_the_sqlite_journal_is_append_only(tmp_path: Path) -> None:
    path = tmp_path / "crisis.db"
    started(SQLiteStore(path))
    db = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE events SET actor = 'mallory'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM events")


def test_a_file_that_is_not_a_journal(tmp_path: Path) -> None:
    path = tmp_path / "crisis.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(Exception, match="not a readable crisiscli journal"):
        SQLiteStore(path)
