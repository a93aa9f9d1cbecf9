"""What happens while a crisis lasts: notes, stakeholders, updates, impact, limits, feedback.

``LiveState`` is folded from the live events of a session (``SessionState``
holds one and feeds it every event). The functions below derive what the
responder needs from it at a given instant: each stakeholder's next update
and whether it is overdue, the ledger of promised updates (kept, missed,
pending), impact over time with the user-minutes lost, the severity the
playbook's thresholds give, and whether the recovery paradox held.
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from crisiscli import events as ev
from crisiscli.impact import shares
from crisiscli.playbook import SeverityLevel
from crisiscli.records import dataclass

CHANNELS: Final = ("phone", "email", "chat", "meeting")
LIMIT_LEVELS: Final = ("warn", "final-warning", "end-contact", "escalate")
FEEDBACK_PHASES: Final = ("before", "after")


@dataclass(frozen=True)
class Note:
    at: datetime
    actor: str
    text: str
    source: str | None
    """Who told us (an inbound contact), or None for the responder's own note."""
    channel: str | None


@dataclass
class Stakeholder:
    name: str
    org: str | None
    role: str | None
    cadence_minutes: int
    added_at: datetime
    active: bool = True
    replaced_by: str | None = None
    replaced_reason: str | None = None
    replaced_at: datetime | None = None
    replaces: str | None = None
    """The contact this one took over from, if any."""


@dataclass(frozen=True)
class Update:
    at: datetime
    actor: str
    text: str
    to: tuple[str, ...]
    """The stakeholders it went to (every active one at the time when sent to all)."""
    channel: str | None
    next_at: datetime | None
    """The instant promised for the next update, if one was promised."""
    no_news: bool
    flags: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Measurement:
    at: datetime
    affected: int
    total: int
    note: str | None


@dataclass(frozen=True)
class Limit:
    at: datetime
    actor: str
    name: str
    level: str
    text: str | None


@dataclass(frozen=True)
class Feedback:
    at: datetime
    source: str
    score: int
    phase: str
    text: str | None


@dataclass
class LiveState:
    """Everything recorded by the live-crisis commands, in journal order."""

    notes: list[Note] = field(default_factory=list)
    stakeholders: dict[str, Stakeholder] = field(default_factory=dict)
    updates: list[Update] = field(default_factory=list)
    measurements: list[Measurement] = field(default_factory=list)
    limits: list[Limit] = field(default_factory=list)
    feedback: list[Feedback] = field(default_factory=list)
    compensation: dict[str, Any] | None = None
    compensation_at: datetime | None = None

    def active_stakeholders(self) -> list[Stakeholder]:
        return [s for s in self.stakeholders.values() if s.active]

    def apply(self, event: ev.Event, default_cadence: int) -> None:
        payload = event.payload
        kind = event.type
        if kind == ev.NOTE_ADDED:
            self.notes.append(
                Note(
                    event.at,
                    event.actor,
                    payload["text"],
                    payload.get("source"),
                    payload.get("channel"),
                )
            )
        elif kind == ev.STAKEHOLDER_ADDED:
            self.stakeholders[payload["name"]] = Stakeholder(
                name=payload["name"],
                org=payload.get("org"),
                role=payload.get("role"),
                cadence_minutes=int(payload.get("cadence_minutes") or default_cadence),
                added_at=event.at,
            )
        elif kind == ev.STAKEHOLDER_REPLACED:
            old = self.stakeholders.get(payload["old"])
            if old is not None:
                old.active = False
                old.replaced_by = payload["new"]
                old.replaced_reason = payload.get("reason")
                old.replaced_at = event.at
                self.stakeholders[payload["new"]] = Stakeholder(
                    name=payload["new"],
                    org=old.org,
                    role=old.role,
                    cadence_minutes=old.cadence_minutes,
                    added_at=event.at,
                    replaces=old.name,
                )
        elif kind == ev.UPDATE_SENT:
            to = tuple(payload.get("to") or [s.name for s in self.active_stakeholders()])
            next_at = payload.get("next_at")
            self.updates.append(
                Update(
                    at=event.at,
                    actor=event.actor,
                    text=payload["text"],
                    to=to,
                    channel=payload.get("channel"),
                    next_at=datetime.fromisoformat(next_at) if next_at else None,
                    no_news=bool(payload.get("no_news")),
                    flags=tuple(payload.get("flags") or ()),
                )
            )
        elif kind == ev.IMPACT_MEASURED:
            self.measurements.append(
                Measurement(event.at, payload["affected"], payload["total"], payload.get("note"))
            )
        elif kind == ev.LIMIT_SET:
            self.limits.append(
                Limit(event.at, event.actor, payload["name"], payload["level"], payload.get("text"))
            )
        elif kind == ev.FEEDBACK_GIVEN:
            self.feedback.append(
                Feedback(
                    event.at,
                    payload["source"],
                    payload["score"],
                    payload["phase"],
                    payload.get("text"),
                )
            )
        elif kind == ev.COMPENSATION_DECIDED:
            self.compensation = dict(payload)
            self.compensation_at = event.at


# -- updates: what is due, and the promise ledger -------------------------------------------


@dataclass(frozen=True)
class Promise:
    """One "next update by ..." made to one stakeholder, and what became of it."""

    stakeholder: str
    made_at: datetime
    due_at: datetime
    explicit: bool
    """True when a time was promised; False when due from the cadence."""
    status: Literal["kept", "missed", "pending", "overdue", "released"]
    """kept: updated by the due time; missed: updated late; overdue: due and still no update;
    pending: not due yet; released: the crisis was closed before it fell due."""
    kept_at: datetime | None
    """When the next update to this stakeholder went out, if it has."""


@dataclass(frozen=True)
class StakeholderDue:
    """Where one current stakeholder stands at an instant."""

    name: str
    org: str | None
    role: str | None
    cadence_minutes: int
    last_update_at: datetime | None
    next_due_at: datetime
    overdue: bool
    minutes_left: float
    """Negative when overdue."""


def _due_after(update: Update, cadence_minutes: int) -> tuple[datetime, bool]:
    if update.next_at is not None:
        return update.next_at, True
    return update.at + timedelta(minutes=cadence_minutes), False


def promise_ledger(live: LiveState, *, now: datetime, closed_at: datetime | None) -> list[Promise]:
    """Every promise made with an update, per stakeholder, oldest first.

    Each update promises the next one: at the time it names (``--next-in``),
    or else within the stakeholder's cadence. The promise is kept when the
    next update to that stakeholder goes out by then.
    """
    ledger: list[Promise] = []
    for name, stakeholder in live.stakeholders.items():
        sent = [u for u in live.updates if name in u.to]
        for index, update in enumerate(sent):
            due, explicit = _due_after(update, stakeholder.cadence_minutes)
            following = sent[index + 1] if index + 1 < len(sent) else None
            status: Literal["kept", "missed", "pending", "overdue", "released"]
            if following is not None:
                status = "kept" if following.at <= due else "missed"
            elif stakeholder.replaced_at is not None and stakeholder.replaced_at <= due:
                status = "released"  # replaced before it fell due: the new contact takes over
            elif stakeholder.replaced_at is not None:
                status = "missed"
            elif closed_at is not None and closed_at <= due:
                status = "released"
            elif closed_at is not None or now > due:
                status = "overdue" if closed_at is None else "missed"
            else:
                status = "pending"
            ledger.append(
                Promise(
                    stakeholder=name,
                    made_at=update.at,
                    due_at=due,
                    explicit=explicit,
                    status=status,
                    kept_at=following.at if following else None,
                )
            )
    return sorted(ledger, key=lambda p: (p.made_at, p.stakeholder))


def stakeholders_due(
    live: LiveState, *, now: datetime, closed_at: datetime | None = None
) -> list[StakeholderDue]:
    """Each current stakeholder's last update and when the next is due.

    A stakeholder nobody has updated yet is due one cadence after being added:
    every stakeholder hears from us early, not only when there is news.
    Once the crisis is closed (``closed_at``), nothing is due any more.
    """
    if closed_at is not None:
        return []
    result: list[StakeholderDue] = []
    for stakeholder in live.active_stakeholders():
        sent = [u for u in live.updates if stakeholder.name in u.to]
        if sent:
            last = sent[-1]
            due, _explicit = _due_after(last, stakeholder.cadence_minutes)
            last_at: datetime | None = last.at
        else:
            due = stakeholder.added_at + timedelta(minutes=stakeholder.cadence_minutes)
            last_at = None
        left = (due - now).total_seconds() / 60
        result.append(
            StakeholderDue(
                name=stakeholder.name,
                org=stakeholder.org,
                role=stakeholder.role,
                cadence_minutes=stakeholder.cadence_minutes,
                last_update_at=last_at,
                next_due_at=due,
                overdue=left < 0,
                minutes_left=left,
            )
        )
    return sorted(result, key=lambda s: s.next_due_at)


def cadence_compliance(ledger: list[Promise]) -> float | None:
    """Share of settled promises that were kept, in percent (None when none is settled)."""
    settled = [p for p in ledger if p.status in ("kept", "missed", "overdue")]
    if not settled:
        return None
    return round(100 * sum(1 for p in settled if p.status == "kept") / len(settled), 1)


# -- impact over time ------------------------------------------------------------------------


def user_minutes_lost(measurements: list[Measurement], *, until: datetime) -> float:
    """Affected users × minutes, each measurement holding until the next one (or ``until``)."""
    total = 0.0
    for index, measurement in enumerate(measurements):
        end = measurements[index + 1].at if index + 1 < len(measurements) else until
        minutes = max(0.0, (end - measurement.at).total_seconds() / 60)
        total += measurement.affected * minutes
    return round(total, 1)


def outage_windows(
    measurements: list[Measurement], *, until: datetime
) -> list[tuple[datetime, datetime]]:
    """The periods when at least one user was affected, from the measurements."""
    windows: list[tuple[datetime, datetime]] = []
    opened: datetime | None = None
    for measurement in measurements:
        if measurement.affected > 0 and opened is None:
            opened = measurement.at
        elif measurement.affected == 0 and opened is not None:
            windows.append((opened, measurement.at))
            opened = None
    if opened is not None and until > opened:
        windows.append((opened, until))
    return windows


def latest_shares(measurement: Measurement | None) -> tuple[float, float] | None:
    return shares(measurement.affected, measurement.total) if measurement else None


def severity_level(
    levels: list[SeverityLevel], *, affected_percent: float | None, user_minutes: float
) -> str | None:
    """The first level (most severe first) whose share or user-minutes threshold is met."""
    for level in levels:
        share_met = (
            level.affected_percent is not None
            and affected_percent is not None
            and affected_percent >= level.affected_percent
        )
        minutes_met = level.user_minutes is not None and user_minutes >= level.user_minutes
        if share_met or minutes_met:
            return level.level
    return None


# -- feedback ---------------------------------------------------------------------------------


def recovery_paradox(feedback: list[Feedback]) -> bool | None:
    """Whether an after-crisis score beats the before-crisis score (None without both).

    The service recovery paradox: a customer whose failure was handled well can
    end up more satisfied than before it happened. Compares the latest score of
    each phase.
    """
    before = [f.score for f in feedback if f.phase == "before"]
    after = [f.score for f in feedback if f.phase == "after"]
    if not before or not after:
        return None
    return after[-1] > before[-1]
