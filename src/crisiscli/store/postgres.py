"""The team store: one PostgreSQL database that several responders' terminals share.

Same ``Store`` protocol, events, errors and exit codes as the SQLite store;
the schema and its migrations are in ``postgres_migrations``, the wording of
failures in ``postgres_errors``. Choices, each on purpose:

* Autocommit connection, one explicit transaction per write. A writer first
  locks its session's row in ``crisis_sessions`` (``FOR UPDATE``; a new
  session inserts it), then reads the last sequence number and the closed
  flag: in READ COMMITTED each statement sees what committed before it
  started, so after the lock it sees every earlier write. Writers to one
  session take turns and their numbers are gapless, in commit order, the
  order every reader sees; the primary key (session_id, seq) is the backstop.
* Every write carries an id the client made (``write_id``, unique). When the
  connection is lost during a write, the commit may or may not have happened;
  the write is retried once on a new connection, and the retry, once it holds
  the session's lock, looks for its id first: found, the first attempt
  committed and its event is returned; not found, nothing was written and it
  writes now. Nothing is recorded twice, nothing acknowledged is lost.
* Payloads are stored as the exact JSON text the SQLite store writes
  (``encode_payload``) in a ``json`` column, and read back with ``json.loads``,
  so that both stores return identical events and exports.
* ``idle_in_transaction_session_timeout``: a transaction left open by a
  client that vanished (a cut network) releases its session's lock after a
  minute instead of holding up the other responders.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

import psycopg
from psycopg.rows import TupleRow

from crisiscli.errors import AlreadyRecordedError, SessionClosedError, StoreError, UsageError
from crisiscli.events import SESSION_CLOSED, SESSION_STARTED, Event
from crisiscli.store import (
    SessionSummary,
    check_whole_session,
    encode_payload,
    events_to_import,
)
from crisiscli.store.postgres_errors import CONNECT_TIMEOUT, Server, problem, server_of
from crisiscli.store.postgres_migrations import migrate

Connection = psycopg.Connection[TupleRow]
T = TypeVar("T")

IDLE_IN_TRANSACTION: Final = "60s"
"""How long the server keeps a transaction whose client went silent (see the module's doc)."""

_INSERT_EVENT: Final = (
    "INSERT INTO crisis_events (session_id, seq, at, actor, type, payload, key, write_id) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
)
_INSERT_SESSION: Final = (
    "INSERT INTO crisis_sessions (session_id, started_at, summary) VALUES (%s, %s, %s) "
    "ON CONFLICT (session_id) DO NOTHING RETURNING 1"
)


@dataclass(frozen=True)
class _Row:
    """One event as written: the payload already encoded, with its write's id."""

    session_id: str
    at: datetime
    actor: str
    type: str
    payload: dict[str, Any]
    text: str
    write_id: uuid.UUID

    def values(self, seq: int) -> tuple[Any, ...]:
        key = self.payload.get("key")
        return (
            self.session_id,
            seq,
            self.at,
            self.actor,
            self.type,
            self.text,
            json.dumps(key) if isinstance(key, str) else None,
            self.write_id,
        )

    def session(self) -> tuple[Any, ...]:
        """The session's row this event would create: summarised when it is session_started."""
        if self.type != SESSION_STARTED:
            return (self.session_id, None, None)
        summary = {name: self.payload.get(name) for name in ("playbook_id", "title", "language")}
        summary["training"] = bool(self.payload.get("training"))
        return (self.session_id, self.at, encode_payload(summary))


class PostgresStore:
    """A ``Store`` in a PostgreSQL database, named by a libpq URL (``postgresql://...``).

    libpq reads the password from the URL, ``PGPASSWORD`` or ``~/.pgpass``;
    messages name the journal as ``host:port/dbname`` and never hold it.
    """

    def __init__(self, url: str) -> None:
        self._url = url
        server, params = server_of(url)
        self.server: Server = server
        self._options = _connect_options(params)
        self._conn: Connection | None = None
        self._committing = False
        conn = self._connection("open")
        try:
            migrate(conn, self.server.where)
        except psycopg.Error as exc:
            self.close()
            raise self.server.failure("open", problem(exc, self.server)) from exc
        except BaseException:
            self.close()
            raise

    # -- connections and the one retry ------------------------------------------------

    def _connection(self, action: str) -> Connection:
        """The open connection, or a new one (checked to be UTF-8) when there is none."""
        if self._conn is not None and not self._conn.closed:
            return self._conn
        try:
            conn = psycopg.connect(self._url, autocommit=True, **self._options)
        except psycopg.Error as exc:
            raise self.server.failure(action, problem(exc, self.server)) from exc
        encoding = conn.info.parameter_status("server_encoding") or "unknown"
        if encoding.upper() not in ("UTF8", "UTF-8"):
            conn.close()
            raise self.server.failure(
                action,
                f"the database's encoding is {encoding}, not UTF8; "
                "create it with createdb --encoding UTF8 --template template0",
            )
        self._conn = conn
        return conn

    def _run(self, action: str, work: Callable[[Connection, bool], T]) -> T:
        """``work(conn, retrying)``, retried once on a new connection when the first is lost.

        ``work`` runs one transaction; on its retry (``retrying``), it must
        find out whether the lost attempt committed (see the module's doc).
        """
        retrying = False
        maybe_written = False
        while True:
            self._committing = False
            try:
                conn = self._connection(action)
                return work(conn, retrying)
            except StoreError as failed:  # the connection could not be made again
                if maybe_written:
                    raise self.server.failure(action, _MAYBE_WRITTEN) from failed
                raise
            except psycopg.Error as exc:
                maybe_written = maybe_written or self._committing
                lost = self._conn is not None and self._conn.broken
                if lost:
                    self._drop()
                if lost and not retrying:
                    retrying = True
                    continue
                said = _MAYBE_WRITTEN if maybe_written else problem(exc, self.server)
                raise self.server.failure(action, said) from exc

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None

    def close(self) -> None:
        self._drop()

    # -- writes --------------------------------------------------------------------

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
        row = _Row(session_id, at, actor, type, payload, encode_payload(payload), uuid.uuid4())
        seq = self._run(
            "write to",
            lambda conn, retrying: self._append(
                conn,
                row,
                retrying,
                new_session=new_session,
                refuse_if_closed=refuse_if_closed,
                unique_key=unique_key,
            ),
        )
        return Event(session_id, seq, at, actor, type, payload)

    def _append(
        self,
        conn: Connection,
        row: _Row,
        retrying: bool,
        *,
        new_session: bool,
        refuse_if_closed: bool,
        unique_key: bool,
    ) -> int:
        session_id = row.session_id
        with conn.transaction():
            if new_session:
                created = conn.execute(_INSERT_SESSION, row.session()).fetchone()
                if created is None:
                    if retrying and (seq := _written(conn, row.write_id)) is not None:
                        return seq
                    raise UsageError(f"a session with id {session_id} already exists")
                seq = 1
            else:
                if not _lock_session(conn, session_id):
                    raise UsageError(f"no session '{session_id}' in this store")
                if retrying and (seq := _written(conn, row.write_id)) is not None:
                    return seq
                last, closed = _last_and_closed(conn, session_id)
                if refuse_if_closed and closed:
                    raise SessionClosedError(session_id)
                seq = last + 1
            if unique_key:
                key = row.payload["key"]
                found = conn.execute(
                    "SELECT 1 FROM crisis_events WHERE session_id = %s AND type = %s AND key = %s "
                    "LIMIT 1",
                    (session_id, row.type, json.dumps(key)),
                ).fetchone()
                if found:
                    raise AlreadyRecordedError(session_id, key)
            conn.execute(_INSERT_EVENT, row.values(seq))
            self._committing = True  # what follows is the COMMIT (see _run)
        return seq

    def import_session(self, events: list[Event]) -> int:
        session_id = check_whole_session(events)
        batch = uuid.uuid4()
        rows = [
            _Row(
                session_id,
                e.at,
                e.actor,
                e.type,
                e.payload,
                encode_payload(e.payload),
                uuid.uuid5(batch, str(e.seq)),  # the same ids on a retry
            )
            for e in events
        ]
        return self._run(
            "write to", lambda conn, retrying: self._import(conn, events, rows, retrying)
        )

    def _import(
        self, conn: Connection, events: list[Event], rows: list[_Row], retrying: bool
    ) -> int:
        session_id = events[0].session_id
        with conn.transaction():
            conn.execute(_INSERT_SESSION, rows[0].session())
            _lock_session(conn, session_id)
            if retrying:
                (written,) = _one(
                    conn,
                    "SELECT count(*) FROM crisis_events WHERE write_id = ANY(%s)",
                    ([row.write_id for row in rows],),
                )
                if written:
                    return int(written)
            # Read under the session's lock: no other writer can add to it meanwhile.
            added = events_to_import(_read_events(conn, session_id), events)
            if added:
                with conn.cursor() as cursor:
                    cursor.executemany(
                        _INSERT_EVENT, [rows[e.seq - 1].values(e.seq) for e in added]
                    )
            self._committing = True
        return len(added)

    # -- reads ---------------------------------------------------------------------

    def events(self, session_id: str) -> list[Event]:
        return self._run("read", lambda conn, _retrying: _read_events(conn, session_id))

    def sessions(self) -> list[SessionSummary]:
        rows = self._run(
            "read",
            lambda conn, _retrying: conn.execute(
                """
                SELECT s.session_id, s.started_at, s.summary::text,
                       (SELECT min(c.at) FROM crisis_events c
                         WHERE c.session_id = s.session_id AND c.type = %s)
                  FROM crisis_sessions s
                 WHERE s.started_at IS NOT NULL
                 ORDER BY s.started_at, s.session_id
                """,
                (SESSION_CLOSED,),
            ).fetchall(),
        )
        summaries = []
        for sid, started, text, closed in rows:
            summary = json.loads(text)
            summaries.append(
                SessionSummary(
                    id=sid,
                    playbook_id=summary["playbook_id"],
                    title=summary["title"],
                    language=summary["language"],
                    started_at=started.astimezone(UTC),
                    closed_at=closed.astimezone(UTC) if closed else None,
                    training=summary["training"],
                )
            )
        return summaries


_MAYBE_WRITTEN: Final = (
    "the connection to the server was lost while the write was being committed and could "
    "not be restored to find out whether it was; look at the session before recording it again"
)


# Session settings the store's correctness depends on, whatever the server, database or
# role says by default: READ COMMITTED, so that a writer reads the last seq after taking
# the session's lock (under REPEATABLE READ it would read an older snapshot and collide);
# ISO dates in UTC, so that every instant parses and reads back the same on every client;
# UTF-8 text. Placed after the user's own options, so these win.
_PINNED: Final = (
    "-c default_transaction_isolation=read\\ committed -c DateStyle=ISO -c TimeZone=UTC "
    "-c client_encoding=UTF8"
)
LOCK_TIMEOUT: Final = "30s"
"""How long a write waits for another writer's lock on the session before giving up."""
TCP_USER_TIMEOUT_MS: Final = 15_000
"""How long unacknowledged data may wait on a silent network link before it counts as lost."""


def _connect_options(params: dict[str, str]) -> dict[str, Any]:
    """What crisiscli adds to the URL's connection parameters.

    Timeouts and keepalives keep a silently dropped link from hanging a command
    (it fails, and an append retries once); the user's URL or ``PG*`` variables
    override them. The settings of ``_PINNED`` are not negotiable.
    """
    options: dict[str, Any] = {"fallback_application_name": "crisiscli", "client_encoding": "UTF8"}
    if not params.get("connect_timeout") and not os.environ.get("PGCONNECT_TIMEOUT"):
        options["connect_timeout"] = CONNECT_TIMEOUT
    defaults = {
        "tcp_user_timeout": str(TCP_USER_TIMEOUT_MS),
        "keepalives": "1",
        "keepalives_idle": "10",
        "keepalives_interval": "5",
        "keepalives_count": "3",
    }
    for key, value in defaults.items():
        if not params.get(key):
            options[key] = value
    theirs = params.get("options") or os.environ.get("PGOPTIONS", "")
    options["options"] = (
        f"{theirs} -c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION} "
        f"-c lock_timeout={LOCK_TIMEOUT} {_PINNED}"
    ).strip()
    return options


def _one(conn: Connection, query: str, params: tuple[Any, ...]) -> TupleRow:
    row = conn.execute(query, params).fetchone()
    assert row is not None  # an aggregate always returns a row
    return row


def _lock_session(conn: Connection, session_id: str) -> bool:
    """Lock the session's row until the transaction ends; False when there is no such session."""
    row = conn.execute(
        "SELECT 1 FROM crisis_sessions WHERE session_id = %s FOR UPDATE", (session_id,)
    ).fetchone()
    return row is not None


def _written(conn: Connection, write_id: uuid.UUID) -> int | None:
    """The sequence number of the event written with ``write_id``, if it was."""
    row = conn.execute("SELECT seq FROM crisis_events WHERE write_id = %s", (write_id,)).fetchone()
    return int(row[0]) if row else None


def _last_and_closed(conn: Connection, session_id: str) -> tuple[int, bool]:
    """The session's last sequence number and whether it is closed; two index look-ups."""
    last, closed = _one(
        conn,
        "SELECT (SELECT max(seq) FROM crisis_events WHERE session_id = %s), "
        "EXISTS (SELECT 1 FROM crisis_events WHERE session_id = %s AND type = %s)",
        (session_id, session_id, SESSION_CLOSED),
    )
    return int(last or 0), bool(closed)


def _read_events(conn: Connection, session_id: str) -> list[Event]:
    rows = conn.execute(
        "SELECT seq, at, actor, type, payload::text FROM crisis_events "
        "WHERE session_id = %s ORDER BY seq",
        (session_id,),
    ).fetchall()
    return [
        Event(session_id, seq, at.astimezone(UTC), actor, kind, json.loads(payload))
        for seq, at, actor, kind, payload in rows
    ]
