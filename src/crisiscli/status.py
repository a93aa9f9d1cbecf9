"""What ``crisis status`` shows, computed from a folded session (no terminal code).

``status_view`` returns plain JSON-ready data; ``--json`` prints it as is and
the text view is drawn from the same data, so the two never disagree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from crisiscli import events as ev
from crisiscli.answers import show_answer
from crisiscli.live import (
    cadence_compliance,
    promise_ledger,
    recovery_paradox,
    severity_level,
    stakeholders_due,
    user_minutes_lost,
)
from crisiscli.live import latest_shares as latest_shares_of
from crisiscli.messages import format_number, t
from crisiscli.state import NextComputation, NextQuestion, SessionState


def status_view(state: SessionState, *, now: datetime | None = None) -> dict[str, Any]:
    """Everything ``crisis status`` shows; ``now`` decides what is due or overdue."""
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
        "live": live_view(state, now=now or datetime.now(UTC)),
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


def live_view(state: SessionState, *, now: datetime) -> dict[str, Any]:
    """What the live-crisis commands recorded, and what follows from it at ``now``."""
    live = state.live
    ledger = promise_ledger(live, now=now, closed_at=state.closed_at)
    series = state.measurements()
    lost = user_minutes_lost(series, until=state.impact_until(now))
    latest = series[-1] if series else None
    latest_shares = latest_shares_of(latest)
    return {
        "stakeholders": [
            {
                "name": s.name,
                "org": s.org,
                "role": s.role,
                "cadence_minutes": s.cadence_minutes,
                "active": s.active,
                "added_at": s.added_at.isoformat(),
                "replaces": s.replaces,
                "replaced_by": s.replaced_by,
                "replaced_reason": s.replaced_reason,
            }
            for s in live.stakeholders.values()
        ],
        "due": [
            {
                "name": d.name,
                "last_update_at": d.last_update_at.isoformat() if d.last_update_at else None,
                "next_due_at": d.next_due_at.isoformat(),
                "overdue": d.overdue,
                "minutes_left": round(d.minutes_left, 1),
            }
            for d in stakeholders_due(live, now=now, closed_at=state.closed_at)
        ],
        "updates": [
            {
                "at": u.at.isoformat(),
                "actor": u.actor,
                "to": list(u.to),
                "channel": u.channel,
                "next_at": u.next_at.isoformat() if u.next_at else None,
                "no_news": u.no_news,
                "text": u.text,
                "flags": list(u.flags),
            }
            for u in live.updates
        ],
        "promises": [
            {
                "stakeholder": p.stakeholder,
                "made_at": p.made_at.isoformat(),
                "due_at": p.due_at.isoformat(),
                "explicit": p.explicit,
                "status": p.status,
                "kept_at": p.kept_at.isoformat() if p.kept_at else None,
            }
            for p in ledger
        ],
        "cadence_compliance_percent": cadence_compliance(ledger),
        "impact": {
            "measurements": [
                {
                    "at": m.at.isoformat(),
                    "affected": m.affected,
                    "total": m.total,
                    "note": m.note,
                }
                for m in series
            ],
            "affected": latest.affected if latest else None,
            "total": latest.total if latest else None,
            "affected_percent": latest_shares[0] if latest_shares else None,
            "working_percent": latest_shares[1] if latest_shares else None,
            "user_minutes_lost": lost,
            "severity": severity_level(
                state.playbook.playbook.severity,
                affected_percent=latest_shares[0] if latest_shares else None,
                user_minutes=lost,
            ),
        },
        "limits": [
            {
                "at": x.at.isoformat(),
                "actor": x.actor,
                "name": x.name,
                "level": x.level,
                "text": x.text,
            }
            for x in live.limits
        ],
        "feedback": [
            {
                "at": f.at.isoformat(),
                "source": f.source,
                "score": f.score,
                "phase": f.phase,
                "text": f.text,
            }
            for f in live.feedback
        ],
        "recovery_paradox": recovery_paradox(live.feedback),
        "notes": [
            {
                "at": n.at.isoformat(),
                "actor": n.actor,
                "text": n.text,
                "source": n.source,
                "channel": n.channel,
            }
            for n in live.notes
        ],
        "compensation": live.compensation,
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
    return _summarize_live(event, language)


def _channel(channel: Any, language: str) -> str:
    """A channel in words of the language (``téléphone``); an unknown one as recorded."""
    if channel in ("phone", "email", "chat", "meeting"):
        return t(f"channel.{channel}", language)
    return str(channel) if channel else "—"


def _summarize_live(event: ev.Event, language: str) -> str:
    payload = event.payload
    first_line = str(payload.get("text") or "").split("\n")[0]
    if event.type == ev.INJECT_RECEIVED:
        return t(
            "event.inject_received",
            language,
            source=payload.get("from", "?"),
            channel=_channel(payload.get("channel"), language),
            text=first_line,
        )
    if event.type == ev.DRILL_STARTED:
        title = payload.get("scenario", {}).get("scenario", {}).get("title", "")
        return t("event.drill_started", language, title=title)
    if event.type == ev.DRILL_FINISHED:
        return t(
            "event.drill_finished",
            language,
            reason=payload.get("reason", ""),
            minutes=payload.get("at_minutes", ""),
        )
    if event.type == ev.NOTE_ADDED:
        if payload.get("source"):
            channel = _channel(payload.get("channel"), language)
            return t(
                "event.note_from",
                language,
                source=payload["source"],
                channel=channel,
                text=first_line,
            )
        return t("event.note", language, text=first_line)
    if event.type == ev.STAKEHOLDER_ADDED:
        return t("event.stakeholder_added", language, name=payload["name"])
    if event.type == ev.STAKEHOLDER_REPLACED:
        return t(
            "event.stakeholder_replaced",
            language,
            old=payload["old"],
            new=payload["new"],
            reason=payload.get("reason") or "",
        )
    if event.type == ev.UPDATE_SENT:
        to = ", ".join(payload.get("to") or []) or t("event.update_everyone", language)
        return t("event.update_sent", language, to=to, text=first_line)
    if event.type == ev.IMPACT_MEASURED:
        return t(
            "event.impact_measured", language, affected=payload["affected"], total=payload["total"]
        )
    if event.type == ev.LIMIT_SET:
        return t("event.limit_set", language, name=payload["name"], level=payload["level"])
    if event.type == ev.FEEDBACK_GIVEN:
        return t(
            "event.feedback_given",
            language,
            source=payload["source"],
            phase=payload["phase"],
            score=payload["score"],
        )
    if event.type == ev.COMPENSATION_DECIDED:
        offered = payload.get("offered")
        shown = format_number(offered, language) if isinstance(offered, int | float) else "—"
        return t(
            "event.compensation_decided",
            language,
            offered=shown,
            currency=payload.get("currency") or "",
        )
    return event.type.replace("_", " ")
