"""Where session journals live, behind one small interface.

The embedded SQLite store is the default; the PostgreSQL store of team mode
(``postgres.py``) implements the same ``Store`` protocol with the same events,
errors and exit codes, and ``tests/test_store.py`` runs one contract suite
against both.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from crisiscli.errors import (
    NotFoundError,
    SessionConflictError,
    StoreError,
    UsageError,
    did_you_mean,
)
from crisiscli.events import SESSION_STARTED, Event

if TYPE_CHECKING:
    from crisiscli.config import StoreLocation

SESSION_ID = re.compile(r"\d{8}-\d{4}-[a-z0-9]{6}")


@dataclass(frozen=True)
class SessionSummary:
    """One line of ``crisis sessions list``, read without folding the journal."""

    id: str
    playbook_id: str
    title: str
    language: str
    started_at: datetime
    closed_at: datetime | None
    training: bool

    @property
    def status(self) -> str:
        return "closed" if self.closed_at else "open"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "playbook": self.playbook_id,
            "title": self.title,
            "language": self.language,
            "status": self.status,
            "started_at": self.started_at.isoformat(),
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "training": self.training,
        }


class Store(Protocol):
    """An append-only journal of session events."""

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
        """Durably record one event and return it with its sequence number.

        ``new_session`` requires the session not to exist yet; ``refuse_if_closed``
        requires it not to be closed; ``unique_key`` requires no event of the same
        type with the same ``payload["key"]`` (raising ``AlreadyRecordedError``).
        All are checked in the same transaction as the write, so concurrent
        writers cannot slip past them.

        Sequence numbers run from 1 without gaps in each session, in the order
        the writes commit, and every reader sees that one order, whatever the
        number of concurrent writers. A failure raises ``StoreError`` (exit 1)
        and records nothing; a store reached over a network retries once when
        the connection is lost, and never records the event twice.
        """
        ...

    def import_session(self, events: list[Event]) -> int:
        """Record a session brought from elsewhere (``crisis import``), as it was; return
        how many of its events were written.

        ``events`` are every event of one session: the same ``session_id``, ``seq``
        from 1 without gaps, ``session_started`` first (``check_whole_session``).
        Each keeps its own ``seq``, ``at``, ``actor``, type and payload.

        * The id is new here: every event is written; returns ``len(events)``.
        * This store holds events 1 to n of ``events`` exactly (same seq,
          instant, actor, type and payload JSON text), as after importing an
          earlier export of the same session: events n + 1 onwards are
          appended; returns how many. Returns 0 when there are none, including
          when the store holds more events than ``events`` and they begin with
          all of them (an older export imported again).
        * Otherwise the two histories diverge: ``SessionConflictError``, and
          the store is unchanged.

        The comparison and the writes share one transaction: a failure (full
        disk, a crash) leaves no part of the import behind, and two concurrent
        imports cannot both write.
        """
        ...

    def events(self, session_id: str) -> list[Event]:
        """Every event of a session, in sequence order."""
        ...

    def sessions(self) -> list[SessionSummary]:
        """Every session, oldest first."""
        ...

    def close(self) -> None: ...


def encode_payload(payload: dict[str, Any]) -> str:
    """The JSON text stored for an event's payload (no NaN or infinity: not JSON).

    Input is checked before it gets here; this is the last line of defence, so
    that nothing unrecordable can reach the journal or crash the command.
    """
    try:
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        text.encode("utf-8")
    except (TypeError, ValueError) as problem:
        raise UsageError(f"this cannot be recorded: {problem}") from None
    return text


def check_whole_session(events: list[Event]) -> str:
    """The session id of ``events``, which must make a whole session (see ``import_session``).

    Callers check imported files with located messages first; this guards the
    store against a programming error, never against a user's file.
    """
    if not events or events[0].type != SESSION_STARTED:
        raise ValueError("an imported session begins with session_started")
    session_id = events[0].session_id
    for number, event in enumerate(events, start=1):
        if event.session_id != session_id or event.seq != number:
            raise ValueError(f"imported event {number} is not event {number} of {session_id}")
    return session_id


def events_to_import(stored: list[Event], events: list[Event]) -> list[Event]:
    """The events of the session ``events`` that ``stored`` (the same id, as stored) lacks.

    All of them when nothing is stored; those after ``stored`` when ``stored`` is
    their beginning; none when ``events`` is ``stored`` or its beginning. Raises
    ``SessionConflictError`` when the two differ at some event. Payloads compare
    by their JSON text, so 1 and 1.0, or keys in another order, count as different.
    """
    for number, (here, there) in enumerate(zip(stored, events, strict=False), start=1):
        if (here.seq, here.at, here.actor, here.type, encode_payload(here.payload)) != (
            there.seq,
            there.at,
            there.actor,
            there.type,
            encode_payload(there.payload),
        ):
            raise SessionConflictError(
                f"session {events[0].session_id} is already in this store with other events "
                f"({len(stored)} here, {len(events)} imported; the first that differs is "
                f"event {number}), so nothing was imported"
            )
    return events[len(stored) :]


def check_session_id(session_id: str) -> str:
    """Refuse anything that is not a session id before it reaches a query or a path."""
    if not SESSION_ID.fullmatch(session_id):
        shown = session_id if len(session_id) <= 40 and session_id.isprintable() else "that value"
        raise UsageError(
            f"'{shown}' is not a session id; expected something like 20261122-1405-k3m9qz "
            "(see `crisis sessions list`)"
        )
    return session_id


def resolve_session(store: Store, session_id: str | None) -> SessionSummary:
    """The named session, or the most recent open one when no name is given.

    Training drills are never chosen by default: a live command typed during a
    real crisis must not land in a drill left open in another terminal.
    """
    summaries = store.sessions()
    if session_id is None:
        open_ones = [s for s in summaries if s.closed_at is None and not s.training]
        if not open_ones:
            raise NotFoundError(
                "there is no open session; start one with `crisis start` "
                "or name one from `crisis sessions list`"
            )
        return max(open_ones, key=lambda s: (s.started_at, s.id))
    check_session_id(session_id)
    for summary in summaries:
        if summary.id == session_id:
            return summary
    hint = did_you_mean(session_id, [s.id for s in summaries])
    raise NotFoundError(f"no session '{session_id}' in this store{hint}")


def open_store(location: StoreLocation) -> Store:
    """The store at ``location``, the ``store`` setting: a SQLite file or a PostgreSQL database.

    ``crisiscli.config.parse_store`` decides what a setting may name. psycopg
    is imported only here, only for a ``postgresql://`` store, so that
    commands on a SQLite journal never load it.
    """
    if isinstance(location, Path):
        from crisiscli.store.sqlite import SQLiteStore  # noqa: PLC0415

        return SQLiteStore(location)
    try:
        from crisiscli.store.postgres import PostgresStore  # noqa: PLC0415
    except ImportError as missing:
        if not (missing.name or "psycopg").startswith("psycopg"):
            raise
        raise StoreError(
            "could not open the PostgreSQL journal: psycopg is not installed "
            "(or cannot load libpq); install team mode with pip install 'crisiscli[team]'"
        ) from None
    return PostgresStore(location.url)
