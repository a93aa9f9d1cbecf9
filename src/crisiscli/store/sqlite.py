"""The embedded store: one SQLite file, write-ahead logged, fully synchronous.

Durability choices, each on purpose:

* ``journal_mode=WAL`` and ``synchronous=FULL``: a committed event survives a
  crash of the process or of the machine.
* One ``BEGIN IMMEDIATE`` transaction per event: the sequence number is read
  and written under the write lock, so concurrent writers never collide.
* ``busy_timeout``: a second writer waits for the lock instead of failing.
* Triggers refuse ``UPDATE`` and ``DELETE``: the journal is append-only.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from crisiscli.errors import AlreadyRecordedError, SessionClosedError, StoreError, UsageError
from crisiscli.events import SESSION_CLOSED, SESSION_STARTED, Event
from crisiscli.store import (
    SessionSummary,
    check_whole_session,
    encode_payload,
    events_to_import,
)

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 30_000
_LARGEST_WRITE = 65_536 + 24  # a WAL frame of the largest page SQLite allows

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    session_id TEXT NOT NULL,
    seq INTEGER NOT NULL CHECK (seq > 0),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    type TEXT NOT NULL,
    payload TEXT NOT NULL CHECK (json_valid(payload)),
    PRIMARY KEY (session_id, seq)
);
CREATE INDEX IF NOT EXISTS events_by_type ON events (type, session_id);
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
"""


class SQLiteStore:
    """A ``Store`` in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: transactions are opened explicitly, one per event.
            self._db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise self._failure("open", exc) from exc

    def _migrate(self) -> None:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise UsageError(
                f"{self.path} was written by a newer crisiscli (journal version {version}); "
                "upgrade crisiscli to read it"
            )
        if version < SCHEMA_VERSION:
            # executescript commits any open transaction first, so the script
            # carries its own; IF NOT EXISTS makes a concurrent first use harmless.
            self._db.executescript(
                f"BEGIN IMMEDIATE; {_SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
            )

    def _failure(self, action: str, exc: BaseException) -> StoreError:
        text = str(exc)
        if isinstance(exc, sqlite3.Error):
            code = getattr(exc, "sqlite_errorname", "")
            if code == "SQLITE_FULL" or "disk is full" in text:
                text = "the disk is full; free some space and try again"
            elif (code.startswith("SQLITE_IOERR") or "disk I/O error" in text) and (
                self._at_file_size_limit()
            ):
                text = "the journal reached this process's file-size limit (ulimit -f)"
            elif code.startswith("SQLITE_IOERR") or "disk I/O error" in text:
                text = "the disk reported an I/O error"
            elif code.startswith("SQLITE_BUSY") or "locked" in text:
                text = "another process held the journal locked for too long"
            elif code.startswith("SQLITE_CORRUPT") or code == "SQLITE_NOTADB":
                text = "the file is not a readable crisiscli journal"
        elif isinstance(exc, OSError) and exc.strerror:
            text = exc.strerror[0].lower() + exc.strerror[1:]
        return StoreError(f"could not {action} the journal {self.path}: {text}")

    def _at_file_size_limit(self) -> bool:
        """Whether a journal file stands at this process's file-size limit (``ulimit -f``).

        SQLite reports a write refused with EFBIG just as it reports a failing
        disk (``SQLITE_IOERR_WRITE``); the file sizes tell the two apart.
        """
        try:
            import resource  # noqa: PLC0415 - only on failure, and not on Windows
        except ImportError:
            return False
        soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        if soft == resource.RLIM_INFINITY:
            return False
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                size = Path(f"{self.path}{suffix}").stat().st_size
            except OSError:
                continue
            if size + _LARGEST_WRITE > soft:
                return True
        return False

    def append(
        self,
        session_id: str,
        type: str,
        payload: dict[str, Any],
        *,
        actor: str,
        at: datetime,
        new_session: bool = False,
        refuse_if_closed: bool = False,
        unique_key: bool = False,
    ) -> Event:
        body = encode_payload(payload)
        with self._writing():
            seq = self._next_seq(session_id, new_session, refuse_if_closed)
            if unique_key:
                self._refuse_duplicate(session_id, type, payload["key"])
            self._db.execute(
                "INSERT INTO events (session_id, seq, at, actor, type, payload) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (session_id, seq, at.isoformat(), actor, type, body),
            )
        return Event(session_id, seq, at, actor, type, payload)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One write transaction: ``BEGIN IMMEDIATE`` (the write lock first, so that what
        is read inside cannot change before the write), ``COMMIT`` on success, ``ROLLBACK``
        on any exception; SQLite and OS errors become one ``StoreError`` sentence."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
        except (sqlite3.Error, OSError) as exc:
            raise self._failure("write to", exc) from exc

    def _next_seq(self, session_id: str, new_session: bool, refuse_if_closed: bool) -> int:
        row = self._db.execute(
            "SELECT COALESCE(MAX(seq), 0), "
            "EXISTS (SELECT 1 FROM events WHERE session_id = ? AND type = ?) "
            "FROM events WHERE session_id = ?",
            (session_id, SESSION_CLOSED, session_id),
        ).fetchone()
        last, closed = int(row[0]), bool(row[1])
        if new_session and last:
            raise UsageError(f"a session with id {session_id} already exists")
        if not new_session and not last:
            raise UsageError(f"no session '{session_id}' in this store")
        if refuse_if_closed and closed:
            raise SessionClosedError(session_id)
        return last + 1

    def _refuse_duplicate(self, session_id: str, type: str, key: str) -> None:
        row = self._db.execute(
            "SELECT 1 FROM events WHERE session_id = ? AND type = ? "
            "AND json_extract(payload, '$.key') = ? LIMIT 1",
            (session_id, type, key),
        ).fetchone()
        if row:
            raise AlreadyRecordedError(session_id, key)

    def import_session(self, events: list[Event]) -> int:
        session_id = check_whole_session(events)
        with self._writing():
            # Read under the write lock: no other writer can add to the session meanwhile.
            added = events_to_import(self.events(session_id), events)
            self._db.executemany(
                "INSERT INTO events (session_id, seq, at, actor, type, payload) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        session_id,
                        e.seq,
                        e.at.isoformat(),
                        e.actor,
                        e.type,
                        encode_payload(e.payload),
                    )
                    for e in added
                ],
            )
        return len(added)

    def events(self, session_id: str) -> list[Event]:
        try:
            rows = self._db.execute(
                "SELECT seq, at, actor, type, payload FROM events "
                "WHERE session_id = ? ORDER BY seq",
                (session_id,),
            ).fetchall()
        except sqlite3.Error as exc:
            raise self._failure("read", exc) from exc
        return [
            Event(session_id, seq, datetime.fromisoformat(at), actor, kind, json.loads(payload))
            for seq, at, actor, kind, payload in rows
        ]

    def sessions(self) -> list[SessionSummary]:
        try:
            rows = self._db.execute(
                """
                SELECT s.session_id, s.at,
                       json_extract(s.payload, '$.playbook_id'),
                       json_extract(s.payload, '$.title'),
                       json_extract(s.payload, '$.language'),
                       json_extract(s.payload, '$.training'),
                       (SELECT MIN(c.at) FROM events c
                         WHERE c.session_id = s.session_id AND c.type = ?)
                  FROM events s
                 WHERE s.type = ?
                 ORDER BY s.at, s.session_id
                """,
                (SESSION_CLOSED, SESSION_STARTED),
            ).fetchall()
        except sqlite3.Error as exc:
            raise self._failure("read", exc) from exc
        return [
            SessionSummary(
                id=sid,
                playbook_id=playbook_id,
                title=title,
                language=language,
                started_at=datetime.fromisoformat(started),
                closed_at=datetime.fromisoformat(closed) if closed else None,
                training=bool(training),
            )
            for sid, started, playbook_id, title, language, training, closed in rows
        ]

    def close(self) -> None:
        self._db.close()
