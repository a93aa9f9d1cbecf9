"""A store that keeps events in memory: for dry runs and tests, never for real sessions."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from crisiscli.errors import AlreadyRecordedError, SessionClosedError, UsageError
from crisiscli.events import SESSION_CLOSED, SESSION_STARTED, Event
from crisiscli.store import (
    SessionSummary,
    check_whole_session,
    encode_payload,
    events_to_import,
)


class MemoryStore:
    def __init__(self) -> None:
        self._events: dict[str, list[Event]] = {}

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
        journal = self._events.get(session_id, [])
        if new_session and journal:
            raise UsageError(f"a session with id {session_id} already exists")
        if not new_session and not journal:
            raise UsageError(f"no session '{session_id}' in this store")
        if refuse_if_closed and any(e.type == SESSION_CLOSED for e in journal):
            raise SessionClosedError(session_id)
        if unique_key and any(
            e.type == type and e.payload.get("key") == payload["key"] for e in journal
        ):
            raise AlreadyRecordedError(session_id, payload["key"])
        # Encode as the real stores do, so a dry run fails where they would.
        stored = json.loads(encode_payload(payload))
        event = Event(session_id, len(journal) + 1, at, actor, type, stored)
        self._events[session_id] = [*journal, event]
        return event

    def import_session(self, events: list[Event]) -> int:
        session_id = check_whole_session(events)
        journal = self.events(session_id)
        added = [
            Event(e.session_id, e.seq, e.at, e.actor, e.type, json.loads(encode_payload(e.payload)))
            for e in events_to_import(journal, events)
        ]
        self._events[session_id] = [*journal, *added]
        return len(added)

    def events(self, session_id: str) -> list[Event]:
        return list(self._events.get(session_id, []))

    def sessions(self) -> list[SessionSummary]:
        summaries = []
        for session_id, journal in self._events.items():
            first = journal[0]
            closed = next((e.at for e in journal if e.type == SESSION_CLOSED), None)
            if first.type != SESSION_STARTED:
                continue
            summaries.append(
                SessionSummary(
                    id=session_id,
                    playbook_id=first.payload["playbook_id"],
                    title=first.payload["title"],
                    language=first.payload["language"],
                    started_at=first.at,
                    closed_at=closed,
                    training=bool(first.payload.get("training")),
                )
            )
        return sorted(summaries, key=lambda s: (s.started_at, s.id))

    def close(self) -> None:
        return None
