"""The events a session is made of.

A session is an append-only journal of these; everything else (progress,
status, reports) is derived from it by ``crisiscli.state.fold``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

SESSION_STARTED: Final = "session_started"
"""Payload: playbook_id, title, language, timezone, source, training, playbook (snapshot)."""
ANSWER_RECORDED: Final = "answer_recorded"
"""Payload: key (``step_id.question_id``), value."""
VALUE_COMPUTED: Final = "value_computed"
"""Payload: key (``step_id.name``), value, error (why it could not be computed, or null)."""
SESSION_CLOSED: Final = "session_closed"
"""Payload: resolution (free text, may be empty)."""


@dataclass(frozen=True)
class Event:
    """One entry of a session's journal, as stored."""

    session_id: str
    seq: int
    """Position in the session, from 1, without gaps."""
    at: datetime
    """When it was recorded, in UTC."""
    actor: str
    """Who recorded it, ``user@host`` by default."""
    type: str
    payload: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "type": self.type,
            "payload": self.payload,
        }
