"""The PostgreSQL journal's schema, built by versioned migrations on first use.

``crisis_schema_migrations`` holds one row per migration applied (its
version, when, and what it did). Opening a store compares the highest version
there with ``LATEST``: equal, nothing more is done (one query); lower, the
missing migrations are applied in order, each in its own transaction with its
row, while a session-level advisory lock is held, so that two processes
opening a new database at once apply each migration once (the second waits,
then finds nothing left to do); higher, the journal was written by a newer
crisiscli and is refused, as a newer SQLite journal is.

Everything lives in the first schema of ``search_path`` (``public`` unless
the URL says otherwise), under names starting with ``crisis_``, so that the
journal can share a database with other applications.

The journal itself (migration 1):

* ``crisis_events``: the same columns as SQLite's ``events``, with
  ``timestamptz`` instants (microseconds, as Python's) and payloads as
  ``json``, which keeps the text exactly as written (``jsonb`` would rewrite
  ``1.0`` and reorder keys; an export must come back byte for byte).
  ``write_id`` is the id the client made for the write, so that a write
  retried after a lost connection finds itself instead of being recorded
  twice; ``key`` is the payload's ``key``, when it is text, as a JSON string,
  so that "recorded once" checks compare plain text. The server never parses
  a payload: its ``json`` operators refuse a whole value holding ``\\u0000``
  (a NUL typed in a note), and a ``text`` column refuses NUL itself.
* ``crisis_sessions``: one row per session, written with its first event:
  when that is ``session_started``, its instant and, as JSON text, what
  ``crisis sessions list`` shows (playbook, title, language, training). A
  writer locks the session's row (``FOR UPDATE``) before reading the last
  sequence number: writers to one session take turns, so numbers are
  gapless, while other sessions are not held up.
* Triggers refuse ``UPDATE``, ``DELETE`` and ``TRUNCATE`` on both: the
  journal is append-only, as the SQLite one is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import psycopg
from psycopg import errors as pg_errors
from psycopg.rows import TupleRow

from crisiscli.errors import UsageError


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


_REFUSE_CHANGES = """
CREATE FUNCTION crisis_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the journal is append-only' USING ERRCODE = 'restrict_violation';
END
$$
"""


def _append_only(table: str) -> tuple[str, ...]:
    return (
        f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION crisis_refuse_change()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION crisis_refuse_change()",
    )


MIGRATIONS: Final = (
    Migration(
        1,
        "the journal: crisis_events, crisis_sessions, append-only triggers",
        (
            """
            CREATE TABLE crisis_events (
                session_id text NOT NULL,
                seq integer NOT NULL CHECK (seq > 0),
                at timestamptz NOT NULL,
                actor text NOT NULL,
                type text NOT NULL,
                payload json NOT NULL,
                key text,
                write_id uuid NOT NULL UNIQUE,
                PRIMARY KEY (session_id, seq)
            )
            """,
            "CREATE INDEX crisis_events_by_key ON crisis_events (session_id, type, key)",
            """
            CREATE TABLE crisis_sessions (
                session_id text PRIMARY KEY,
                started_at timestamptz,
                summary json
            )
            """,
            "CREATE INDEX crisis_sessions_by_start ON crisis_sessions (started_at, session_id)",
            _REFUSE_CHANGES,
            *_append_only("crisis_events"),
            *_append_only("crisis_sessions"),
        ),
    ),
)
LATEST: Final = MIGRATIONS[-1].version

_LEDGER = """
CREATE TABLE IF NOT EXISTS crisis_schema_migrations (
    version integer PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    description text NOT NULL
)
"""

# Session-level advisory lock while migrating: crisiscli's class of locks, and
# one key per schema, so that journals in different schemas do not wait on each other.
_LOCK_CLASS: Final = 0x63726973  # "cris"
_KEY = "('x' || left(md5(coalesce(current_schema(), '')), 8))::bit(32)::integer"


def schema_version(conn: psycopg.Connection[TupleRow]) -> int:
    """The highest migration applied, 0 for a database crisiscli never used."""
    try:
        row = conn.execute("SELECT max(version) FROM crisis_schema_migrations").fetchone()
    except pg_errors.UndefinedTable:
        return 0
    return int(row[0]) if row and isinstance(row[0], int) else 0


def migrate(
    conn: psycopg.Connection[TupleRow],
    where: str,
    migrations: tuple[Migration, ...] = MIGRATIONS,
) -> int:
    """Bring the journal's schema to the last of ``migrations``; return how many were applied.

    ``conn`` is in autocommit mode. ``where`` names the journal in the message
    refusing a newer schema.
    """
    latest = migrations[-1].version
    version = schema_version(conn)
    if version == latest:
        return 0
    if version > latest:
        raise _newer(where, version)
    conn.execute(f"SELECT pg_advisory_lock({_LOCK_CLASS}, {_KEY})")
    try:
        conn.execute(_LEDGER)
        version = schema_version(conn)  # another process may have migrated meanwhile
        if version > latest:
            raise _newer(where, version)
        missing = [migration for migration in migrations if migration.version > version]
        for migration in missing:
            with conn.transaction():
                for statement in migration.statements:
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO crisis_schema_migrations (version, description) VALUES (%s, %s)",
                    (migration.version, migration.description),
                )
        return len(missing)
    finally:
        if not conn.broken:
            conn.execute(f"SELECT pg_advisory_unlock({_LOCK_CLASS}, {_KEY})")


def _newer(where: str, version: int) -> UsageError:
    return UsageError(
        f"the PostgreSQL journal {where} was written by a newer crisiscli "
        f"(journal version {version}); upgrade crisiscli to read it"
    )
