"""Recording what happens while a crisis lasts: one checked event per call.

Each function checks its input against the session as it stands (a known
stakeholder, figures that add up, a level of the limits ladder), raises a
``UsageError`` in one sentence when something does not fit, and otherwise
appends one event, refusing a closed session inside the same transaction.
No terminal code: the CLI and the training replays both call these.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from crisiscli import events as ev
from crisiscli.clock import Clock, FixedClock
from crisiscli.errors import SessionClosedError, UsageError, did_you_mean
from crisiscli.live import CHANNELS, FEEDBACK_PHASES, LIMIT_LEVELS
from crisiscli.state import SessionState
from crisiscli.store import Store

MAX_NAME = 200


def append_event(
    store: Store,
    state: SessionState,
    type: str,
    payload: dict[str, Any],
    *,
    clock: Clock,
    actor: str,
    unique_key: bool = False,
) -> ev.Event:
    """Append one event to an open session and fold it into ``state``.

    The store refuses a closed session inside the write transaction;
    ``unique_key`` also refuses a second event of the type for the same key.
    """
    if state.is_closed:
        raise SessionClosedError(state.session_id)
    event = store.append(
        state.session_id,
        type,
        payload,
        actor=actor,
        at=clock.now(),
        refuse_if_closed=True,
        unique_key=unique_key,
    )
    state.apply(event)
    return event


def _name(what: str, value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise UsageError(f"the {what} is empty; expected a name")
    if len(name) > MAX_NAME:
        raise UsageError(f"the {what} is longer than {MAX_NAME} characters")
    return name


def _choice(option: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    if value not in allowed:
        hint = did_you_mean(value, allowed)
        raise UsageError(f"{option} '{value}'{hint} is not one of {', '.join(allowed)}")
    return value


def check_recipients(state: SessionState, names: list[str]) -> list[str]:
    """The current stakeholders named, each once, or a clear error."""
    return list(dict.fromkeys(_current(state, _name("--to name", n)) for n in names))


def _current(state: SessionState, name: str) -> str:
    """The name of a current stakeholder, or a clear error naming who exists."""
    stakeholder = state.live.stakeholders.get(name)
    if stakeholder is not None and stakeholder.active:
        return name
    if stakeholder is not None:
        raise UsageError(
            f"{name} was replaced by {stakeholder.replaced_by}; send updates to the new contact"
        )
    known = [s.name for s in state.live.active_stakeholders()]
    if not known:
        raise UsageError(f"no stakeholder named {name}; add one with `crisis stakeholder add`")
    raise UsageError(
        f"no stakeholder named {name}{did_you_mean(name, known)}; current: {', '.join(known)}"
    )


def add_note(
    store: Store,
    state: SessionState,
    text: str,
    *,
    source: str | None,
    channel: str | None,
    clock: Clock,
    actor: str,
) -> ev.Event:
    payload = {
        "text": text.strip(),
        "source": _name("--from name", source) if source is not None else None,
        "channel": _choice("--channel", channel, CHANNELS),
    }
    return append_event(store, state, ev.NOTE_ADDED, payload, clock=clock, actor=actor)


def add_stakeholder(
    store: Store,
    state: SessionState,
    name: str,
    *,
    org: str | None,
    role: str | None,
    cadence_minutes: int | None,
    clock: Clock,
    actor: str,
) -> ev.Event:
    name = _name("stakeholder name", name)
    existing = state.live.stakeholders.get(name)
    if existing is not None and existing.active:
        raise UsageError(f"{name} is already a stakeholder of this session")
    if existing is not None:
        raise UsageError(
            f"{name} was replaced by {existing.replaced_by} in this session; "
            "use another name (e.g. with the organisation) to add them again"
        )
    if cadence_minutes is not None and not 1 <= cadence_minutes <= 1440:
        raise UsageError(f"--cadence {cadence_minutes} is out of range; expected 1 to 1440 minutes")
    payload = {
        "name": name,
        "org": _name("--org", org) if org is not None else None,
        "role": _name("--role", role) if role is not None else None,
        "cadence_minutes": cadence_minutes or state.playbook.playbook.cadence.update_every_minutes,
    }
    return append_event(store, state, ev.STAKEHOLDER_ADDED, payload, clock=clock, actor=actor)


def replace_stakeholder(
    store: Store, state: SessionState, old: str, new: str, *, reason: str, clock: Clock, actor: str
) -> ev.Event:
    old = _current(state, _name("stakeholder name", old))
    new = _name("new contact's name", new)
    if new in state.live.stakeholders:
        raise UsageError(f"{new} is already a stakeholder of this session")
    payload = {"old": old, "new": new, "reason": reason.strip()}
    return append_event(store, state, ev.STAKEHOLDER_REPLACED, payload, clock=clock, actor=actor)


def send_update(
    store: Store,
    state: SessionState,
    text: str,
    *,
    to: list[str],
    channel: str | None,
    next_in_minutes: int | None,
    no_news: bool,
    flags: list[dict[str, Any]],
    clock: Clock,
    actor: str,
) -> ev.Event:
    """Record an update sent; ``next_in_minutes`` makes an explicit promise for the next one."""
    recipients = check_recipients(state, to)
    if next_in_minutes is not None and not 1 <= next_in_minutes <= 10080:
        raise UsageError(
            f"--next-in {next_in_minutes} is out of range; expected 1 to 10080 minutes (a week)"
        )
    now = clock.now()
    payload = {
        "text": text.strip(),
        "to": recipients,
        "channel": _choice("--channel", channel, CHANNELS),
        "next_at": (now + timedelta(minutes=next_in_minutes)).isoformat()
        if next_in_minutes is not None
        else None,
        "no_news": no_news,
        "flags": flags,
    }
    return append_event(store, state, ev.UPDATE_SENT, payload, clock=FixedClock(now), actor=actor)


def measure_impact(
    store: Store,
    state: SessionState,
    *,
    affected: int,
    total: int,
    note: str | None,
    clock: Clock,
    actor: str,
) -> ev.Event:
    if affected < 0 or total < 0:
        raise UsageError("user counts cannot be negative; expected 0 or more")
    if total == 0:
        raise UsageError("--total is 0; expected the number of users who could be affected")
    if affected > total:
        raise UsageError(
            f"--affected {affected:,} is more than --total {total:,}; "
            "count again: the affected users are part of the total"
        )
    payload = {"affected": affected, "total": total, "note": note.strip() if note else None}
    return append_event(store, state, ev.IMPACT_MEASURED, payload, clock=clock, actor=actor)


def set_limit(
    store: Store,
    state: SessionState,
    name: str,
    *,
    level: str,
    text: str | None,
    clock: Clock,
    actor: str,
) -> ev.Event:
    payload = {
        "name": _name("contact's name", name),
        "level": _choice("--level", level, LIMIT_LEVELS),
        "text": text.strip() if text else None,
    }
    return append_event(store, state, ev.LIMIT_SET, payload, clock=clock, actor=actor)


def give_feedback(
    store: Store,
    state: SessionState,
    *,
    source: str,
    score: int,
    phase: str,
    text: str | None,
    clock: Clock,
    actor: str,
) -> ev.Event:
    if not 0 <= score <= 10:
        raise UsageError(f"--score {score} is out of range; expected a score from 0 to 10")
    payload = {
        "source": _name("--from name", source),
        "score": score,
        "phase": _choice("--phase", phase, FEEDBACK_PHASES),
        "text": text.strip() if text else None,
    }
    return append_event(store, state, ev.FEEDBACK_GIVEN, payload, clock=clock, actor=actor)


def decide_compensation(
    store: Store, state: SessionState, decision: dict[str, Any], *, clock: Clock, actor: str
) -> ev.Event:
    return append_event(store, state, ev.COMPENSATION_DECIDED, decision, clock=clock, actor=actor)
