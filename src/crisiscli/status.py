"""What ``crisis status`` shows, computed from a folded session (no terminal code).

``status_view`` returns plain JSON-ready data; ``--json`` prints it as is and
the text view is drawn from the same data, so the two never disagree.
"""

from __future__ import annotations

from typing import Any

from crisiscli import events as ev
from crisiscli.answers import show_answer
from crisiscli.messages import t
from crisiscli.state import NextComputation, NextQuestion, SessionState


def status_view(state: SessionState) -> dict[str, Any]:
    playbook = state.playbook
    statuses = state.step_statuses()
    upcoming = state.next_item()
    next_view: dict[str, Any] | None = None
    if isinstance(upcoming, NextQuestion):
        next_view = {
            "key": upcoming.key,
            "step": upcoming.step.title,
            "prompt": upcoming.question.prompt,
        }
    elif isinstance(upcoming, NextComputation):
        next_view = {
            "key": f"{upcoming.step.id}.{upcoming.names[0]}",
            "step": upcoming.step.title,
            "prompt": None,
        }
    return {
        "session": {
            "id": state.session_id,
            "title": state.title,
            "status": "closed" if state.is_closed else "open",
            "language": state.language,
            "timezone": state.timezone,
            "training": state.training,
            "started_at": state.started_at.isoformat(),
            "started_by": state.started_by,
            "closed_at": state.closed_at.isoformat() if state.closed_at else None,
            "resolution": state.resolution,
            "playbook": {
                "id": playbook.id,
                "title": playbook.title,
                "language": playbook.language,
                "source": state.source,
            },
        },
        "progress": {
            "steps_total": len(statuses),
            "steps_done": sum(1 for _, s in statuses if s == "done"),
            "steps_skipped": sum(1 for _, s in statuses if s == "skipped"),
            "questions_answered": len(state.answers),
            "complete": upcoming is None,
            "next": next_view,
        },
        "steps": [
            {"id": step.id, "title": step.title, "phase": step.phase, "status": status}
            for step, status in statuses
        ],
        "answers": dict(state.answers),
        "computed": {
            key: {"value": item.value, "error": item.error} for key, item in state.computed.items()
        },
        "timeline": [
            {
                "seq": event.seq,
                "at": event.at.isoformat(),
                "actor": event.actor,
                "type": event.type,
                "summary": summarize(event, state.language),
            }
            for event in state.events
        ],
    }


def summarize(event: ev.Event, language: str) -> str:
    """One line saying what an event recorded, in ``language``."""
    payload = event.payload
    if event.type == ev.SESSION_STARTED:
        return t(
            "event.session_started",
            language,
            playbook=payload["playbook_id"],
            language=payload["language"],
        )
    if event.type == ev.ANSWER_RECORDED:
        return f"{payload['key']} = {show_answer(payload['value'], language)}"
    if event.type == ev.VALUE_COMPUTED:
        if payload.get("error"):
            return t("event.not_computed", language, key=payload["key"], reason=payload["error"])
        return f"{payload['key']} = {show_answer(payload['value'], language)}"
    if event.type == ev.SESSION_CLOSED:
        resolution = payload.get("resolution") or ""
        if resolution:
            return t("event.session_closed_because", language, resolution=resolution)
        return t("event.session_closed", language)
    return event.type.replace("_", " ")
