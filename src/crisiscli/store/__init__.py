"""Where session journals live, behind one small interface.

The embedded SQLite store is the default; a PostgreSQL store for team mode
implements the same ``Store`` protocol.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from crisiscli.errors import NotFoundError, SessionConflictError, UsageError, did_you_mean
from crisiscli.events import SESSION_STARTED, Event

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
        """
        ...

    def import_session(self, events: list[Event]) -> bool:
        """Record a whole session brought from elsewhere (``crisis import``), as it was.

        ``events`` are every event of one session: the same ``session_id``, ``seq``
        from 1 without gaps, ``session_started`` first (``check_whole_session``).
        Each keeps its own ``seq``, ``at``, ``actor``, type and payload. All are
        written in one transaction: a failure (full disk, a crash) leaves no part
        of the session behind.

        Returns True when the session was written, False when this store already
        holds the very same events (same seq, instant, actor, type and payload
        JSON text), so that importing a file twice is harmless. Raises
        ``SessionConflictError`` when the id is taken by other events; the store
        is then unchanged. The check and the write share the transaction, so two
        concurrent imports cannot both write.
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


def refuse_other_events(stored: list[Event], events: list[Event]) -> bool:
    """Whether ``stored`` is already the session ``events``; raise if it is another one.

    Returns True when the store holds no such session (write it), False when it
    holds exactly these events (nothing to do). Payloads compare by their JSON
    text, so 1 and 1.0, or keys in another order, count as different.
    """
    if not stored:
        return True
    same = [
        (a.seq, a.at, a.actor, a.type, encode_payload(a.payload))
        == (b.seq, b.at, b.actor, b.type, encode_payload(b.payload))
        for a, b in zip(stored, events, strict=False)
    ]
    if len(stored) == len(events) and all(same):
        return False
    differs = same.index(False) + 1 if not all(same) else min(len(stored), len(events)) + 1
    raise SessionConflictError(
        f"session {events[0].session_id} is already in this store with other events "
        f"({len(stored)} here, {len(events)} imported; the first that differs is event {differs}), "
        "so nothing was imported"
    )


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


def open_store(location: Path) -> Store:
    """The store at ``location``, the ``store`` setting: for now always a SQLite file.

    ``crisiscli.config.parse_store`` decides what a setting may name; team mode
    will add PostgreSQL there and here.
    """
    from crisiscli.store.sqlite import SQLiteStore  # noqa: PLC0415

    return SQLiteStore(location)
