"""The SQLite journal, on real files in temporary folders."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crisiscli.errors import NotFoundError, SessionClosedError, UsageError
from crisiscli.store import check_session_id, resolve_session
from crisiscli.store.sqlite import SQLiteStore

AT = datetime(2026, 11, 22, 13, 5, tzinfo=UTC)
SID = "20261122-1405-abc123"


def started(store: SQLiteStore, session_id: str = SID, at: datetime = AT) -> None:
    payload = {"playbook_id": "mini", "title": "T", "language": "en", "training": False}
    store.append(session_id, "session_started", payload, actor="a@h", at=at, new_session=True)


def test_events_come_back_in_order_with_gapless_sequence(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "crisis.db")
    started(store)
    for number in range(5):
        store.append(SID, "answer_recorded", {"key": "s.q", "value": number}, actor="a@h", at=AT)
    events = store.events(SID)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
    assert [e.payload.get("value") for e in events[1:]] == [0, 1, 2, 3, 4]
    assert events[0].at == AT and events[0].actor == "a@h"


def test_durability_settings(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "crisis.db")
    assert store._db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert store._db.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    assert store._db.execute("PRAGMA busy_timeout").fetchone() == (30_000,)


def test_the_journal_is_append_only(tmp_path: Path) -> None:
    path = tmp_path / "crisis.db"
    started(SQLiteStore(path))
    db = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE events SET actor = 'mallory'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM events")


def test_a_new_session_cannot_reuse_an_id_and_unknown_sessions_cannot_grow(
    tmp_path: Path,
) -> None:
    store = SQLiteStore(tmp_path / "crisis.db")
    started(store)
    with pytest.raises(UsageError, match="already exists"):
        started(store)
    with pytest.raises(UsageError, match="no session"):
        store.append("20261122-1405-zzzzzz", "note_added", {}, actor="a", at=AT)


def test_a_closed_session_refuses_answers_in_the_same_transaction(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "crisis.db")
    started(store)
    store.append(SID, "session_closed", {"resolution": ""}, actor="a", at=AT)
    with pytest.raises(SessionClosedError):
        store.append(SID, "answer_recorded", {}, actor="a", at=AT, refuse_if_closed=True)
    assert len(store.events(SID)) == 2


def test_sessions_are_summarised_from_the_journal(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "crisis.db")
    started(store)
    later = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
    started(store, "20261122-1600-zzz999", at=later)
    store.append(SID, "session_closed", {"resolution": "fixed"}, actor="a", at=later)
    first, second = store.sessions()
    assert (first.id, first.status, first.closed_at) == (SID, "closed", later)
    assert (second.id, second.status, second.playbook_id) == (
        "20261122-1600-zzz999",
        "open",
        "mini",
    )
    assert resolve_session(store, None).id == "20261122-1600-zzz999"
    assert resolve_session(store, SID).id == SID


def test_unknown_and_malformed_session_ids(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "crisis.db")
    started(store)
    with pytest.raises(NotFoundError) as missing:
        resolve_session(store, "20261122-1405-abc124")
    assert str(missing.value) == (
        "no session '20261122-1405-abc124' in this store (did you mean '20261122-1405-abc123'?)"
    )
    for bad in ("../../etc/passwd", "x\x00y", "1" * 5000, ""):
        with pytest.raises(UsageError, match="is not a session id"):
            check_session_id(bad)


def test_a_newer_journal_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "crisis.db"
    SQLiteStore(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(UsageError, match="written by a newer crisiscli"):
        SQLiteStore(path)


def test_a_file_that_is_not_a_journal(tmp_path: Path) -> None:
    path = tmp_path / "crisis.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(Exception, match="not a readable crisiscli journal"):
        SQLiteStore(path)


WRITER = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from crisiscli.store.sqlite import SQLiteStore
store = SQLiteStore(Path(sys.argv[1]))
for number in range(int(sys.argv[3])):
    store.append(sys.argv[2], "probe", {"writer": sys.argv[4], "n": number},
                 actor=sys.argv[4], at=datetime.now(UTC))
store.close()
"""


def test_two_processes_appending_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    path = tmp_path / "crisis.db"
    started(SQLiteStore(path))
    count = 500  # 1,000 events in all, as the hardening issue asks
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), SID, str(count), name])
        for name in ("alice", "bob")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    events = SQLiteStore(path).events(SID)[1:]
    assert len(events) == 2 * count
    assert [e.seq for e in events] == list(range(2, 2 * count + 2))
    for name in ("alice", "bob"):
        assert [e.payload["n"] for e in events if e.actor == name] == list(range(count))
