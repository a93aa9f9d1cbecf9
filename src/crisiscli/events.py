"""The events a session is made of.

A session is an append-only journal of these; everything else (progress,
status, reports) is derived from it by ``crisiscli.state.fold``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from crisiscli.records import dataclass

SESSION_STARTED: Final = "session_started"
"""Payload: playbook_id, title, language, timezone, source, training, playbook (snapshot)."""
ANSWER_RECORDED: Final = "answer_recorded"
"""Payload: key (``step_id.question_id``), value."""
VALUE_COMPUTED: Final = "value_computed"
"""Payload: key (``step_id.name``), value, error (why it could not be computed, or null)."""
SESSION_CLOSED: Final = "session_closed"
"""Payload: resolution (free text, may be empty)."""

# Live-crisis events, recorded by the commands used while the crisis lasts.
NOTE_ADDED: Final = "note_added"
"""Payload: text, source (who told us, or null for our own note), channel (or null)."""
STAKEHOLDER_ADDED: Final = "stakeholder_added"
"""Payload: name, org, role (each may be null), cadence_minutes."""
STAKEHOLDER_REPLACED: Final = "stakeholder_replaced"
"""Payload: old, new (names), reason; the new contact inherits org, role and cadence."""
UPDATE_SENT: Final = "update_sent"
"""Payload: text, to (names; empty for every current stakeholder), channel, next_at (ISO
instant promised for the next update, or null), no_news (bool), flags (coach findings)."""
IMPACT_MEASURED: Final = "impact_measured"
"""Payload: affected, total, note (or null)."""
LIMIT_SET: Final = "limit_set"
"""Payload: name (the contact), level (warn, final-warning, end-contact, escalate), text."""
FEEDBACK_GIVEN: Final = "feedback_given"
"""Payload: source (who gave it), score (0-10), phase (before or after), text."""
COMPENSATION_DECIDED: Final = "compensation_decided"
"""Payload: currency, owed, proposed, offered (amount decided), gestures (labels), outage_minutes,
availability_percent, tier, explanation, note."""

# Training drills (``crisis replay SCENARIO``), recorded in sessions started with training=true.
DRILL_STARTED: Final = "drill_started"
"""Payload: scenario (snapshot of the scenario file), mode (scripted, speed or step), speed."""
INJECT_RECEIVED: Final = "inject_received"
"""Payload: index (in the scenario), at_minutes (as scheduled) and the inject's fields:
from, org, role, channel, text, abusive, affected, total, restored."""
DRILL_FINISHED: Final = "drill_finished"
"""Payload: reason (completed: the drill ran to its end or the trainee ended it; stopped:
interrupted), at_minutes."""

DRILL_TYPES: Final = (DRILL_STARTED, INJECT_RECEIVED, DRILL_FINISHED)

LIVE_TYPES: Final = (
    NOTE_ADDED,
    STAKEHOLDER_ADDED,
    STAKEHOLDER_REPLACED,
    UPDATE_SENT,
    IMPACT_MEASURED,
    LIMIT_SET,
    FEEDBACK_GIVEN,
    COMPENSATION_DECIDED,
)


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
