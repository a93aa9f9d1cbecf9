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

from crisiscli.errors import NotFoundError, UsageError, did_you_mean
from crisiscli.events import Event

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


def open_store(home: Path) -> Store:
    """The store configured for this data folder (the embedded SQLite journal)."""
    from crisiscli.store.sqlite import SQLiteStore  # noqa: PLC0415

    return SQLiteStore(home / "crisis.db")
