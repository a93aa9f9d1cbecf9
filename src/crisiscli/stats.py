"""Figures across crises, for ``crisis stats``: no terminal code.

``compute_stats`` is pure: from folded sessions (``SessionState``) and an
instant, it counts the sessions and gathers what each recorded, with the same
rules as the reports and ``crisis status``:

- time to mitigation is the report's ``incident.minutes_to_mitigate``
  (``report_context.minutes_to_mitigate``);
- update cadence is the promise ledger of ``live.promise_ledger``: kept
  promises over settled ones (kept, missed, overdue), as
  ``live.cadence_compliance`` counts them, pooled across sessions;
- feedback averages every score recorded with ``crisis feedback`` per phase;
  a session without any ``after`` score counts the walk's ``feedback.score``
  (asked once the crisis is over) as its ``after`` score; the recovery
  paradox is ``live.recovery_paradox`` (the latest after-score beats the
  latest before-score) over those same scores;
- compensation adds up the latest ``crisis compensation`` decision of each
  session, one total per currency.

A session that lacks a figure is counted as lacking it, never as zero.
``load_stats`` is the thin loader over any ``Store``.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Any

from crisiscli.errors import UsageError
from crisiscli.live import Feedback, cadence_compliance, promise_ledger, recovery_paradox
from crisiscli.report_context import minutes_to_mitigate
from crisiscli.state import SessionState, load_session
from crisiscli.store import Store

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class SessionFigures:
    """What one session contributes; None (or empty) where it recorded nothing."""

    session_id: str
    title: str
    playbook_id: str
    started_at: datetime
    closed: bool
    training: bool
    minutes_to_mitigate: int | None
    promises_kept: int
    promises_due: int
    """Settled promises: kept, missed, or overdue at the instant of the figures."""
    compliance_percent: float | None
    before: tuple[int, ...]
    after: tuple[int, ...]
    recovery_paradox: bool | None
    currency: str | None
    offered: Decimal | None
    owed: Decimal | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.session_id,
            "title": self.title,
            "playbook": self.playbook_id,
            "started_at": self.started_at.isoformat(),
            "status": "closed" if self.closed else "open",
            "training": self.training,
            "minutes_to_mitigate": self.minutes_to_mitigate,
            "promises_kept": self.promises_kept,
            "promises_due": self.promises_due,
            "compliance_percent": self.compliance_percent,
            "feedback_before": list(self.before),
            "feedback_after": list(self.after),
            "recovery_paradox": self.recovery_paradox,
            "compensation": None
            if self.currency is None
            else {
                "currency": self.currency,
                "offered": _number(self.offered),
                "owed": _number(self.owed),
            },
        }


@dataclass(frozen=True)
class Average:
    scores: int
    sessions: int
    average: float | None
    """Mean of every score, one decimal; None without any."""


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    sessions: int
    offered: Decimal
    owed: Decimal


@dataclass(frozen=True)
class Stats:
    """The figures of ``crisis stats`` (``to_json`` is its ``--json`` document)."""

    since: datetime | None
    training_included: bool
    sessions: list[SessionFigures]
    """Oldest first."""

    @property
    def count(self) -> int:
        return len(self.sessions)

    @property
    def closed(self) -> int:
        return sum(1 for s in self.sessions if s.closed)

    @property
    def playbooks(self) -> list[tuple[str, int]]:
        """Each playbook with its number of sessions, the most used first."""
        counts = Counter(s.playbook_id for s in self.sessions)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    @property
    def mitigation_minutes(self) -> list[int]:
        return [s.minutes_to_mitigate for s in self.sessions if s.minutes_to_mitigate is not None]

    @property
    def median_minutes_to_mitigate(self) -> float | None:
        values = self.mitigation_minutes
        return float(statistics.median(values)) if values else None

    @property
    def promises_kept(self) -> int:
        return sum(s.promises_kept for s in self.sessions)

    @property
    def promises_due(self) -> int:
        return sum(s.promises_due for s in self.sessions)

    @property
    def sessions_with_promises_due(self) -> int:
        return sum(1 for s in self.sessions if s.promises_due)

    @property
    def compliance_percent(self) -> float | None:
        """Kept ÷ due over every session's promises, in percent, as ``cadence_compliance``."""
        if not self.promises_due:
            return None
        return round(100 * self.promises_kept / self.promises_due, 1)

    def feedback(self, phase: str) -> Average:
        per_session = [s.before if phase == "before" else s.after for s in self.sessions]
        scores = [score for session in per_session for score in session]
        return Average(
            scores=len(scores),
            sessions=sum(1 for session in per_session if session),
            average=round(statistics.fmean(scores), 1) if scores else None,
        )

    @property
    def paradox(self) -> tuple[int, int]:
        """Sessions where the recovery paradox held, out of those with scores of both phases."""
        known = [s.recovery_paradox for s in self.sessions if s.recovery_paradox is not None]
        return sum(1 for held in known if held), len(known)

    @property
    def compensation(self) -> list[CurrencyTotal]:
        """The offers decided, one total per currency (amounts are never converted)."""
        totals: dict[str, CurrencyTotal] = {}
        for s in self.sessions:
            if s.currency is None or s.offered is None:
                continue
            known = totals.get(s.currency, CurrencyTotal(s.currency, 0, Decimal(0), Decimal(0)))
            totals[s.currency] = CurrencyTotal(
                s.currency,
                known.sessions + 1,
                known.offered + s.offered,
                known.owed + (s.owed or Decimal(0)),
            )
        return [totals[currency] for currency in sorted(totals)]

    @property
    def sessions_with_compensation(self) -> int:
        return sum(1 for s in self.sessions if s.currency is not None)

    def to_json(self) -> dict[str, Any]:
        minutes = self.mitigation_minutes
        kept, known = self.paradox
        return {
            "since": self.since.isoformat() if self.since else None,
            "training_included": self.training_included,
            "sessions": {
                "count": self.count,
                "open": self.count - self.closed,
                "closed": self.closed,
            },
            "playbooks": [{"playbook": name, "sessions": n} for name, n in self.playbooks],
            "minutes_to_mitigate": {
                "sessions": len(minutes),
                "median": self.median_minutes_to_mitigate,
                "min": min(minutes, default=None),
                "max": max(minutes, default=None),
            },
            "cadence": {
                "sessions": self.sessions_with_promises_due,
                "promises_kept": self.promises_kept,
                "promises_due": self.promises_due,
                "compliance_percent": self.compliance_percent,
            },
            "feedback": {
                phase: {
                    "sessions": average.sessions,
                    "scores": average.scores,
                    "average": average.average,
                }
                for phase in ("before", "after")
                for average in [self.feedback(phase)]
            },
            "recovery_paradox": {"sessions": known, "held": kept},
            "compensation": {
                "sessions": self.sessions_with_compensation,
                "totals": [
                    {
                        "currency": total.currency,
                        "sessions": total.sessions,
                        "offered": _number(total.offered),
                        "owed": _number(total.owed),
                    }
                    for total in self.compensation
                ],
            },
            "per_session": [s.to_json() for s in self.sessions],
        }


def session_figures(state: SessionState, *, now: datetime) -> SessionFigures:
    """What ``state`` contributes to the figures, as of ``now`` (which settles promises)."""
    live = state.live
    ledger = promise_ledger(live, now=now, closed_at=state.closed_at)
    settled = [p for p in ledger if p.status in ("kept", "missed", "overdue")]
    scores = list(live.feedback)
    walked = state.answer_for("feedback.score")
    if (
        not any(f.phase == "after" for f in scores)
        and isinstance(walked, int)
        and not isinstance(walked, bool)
    ):
        scores.append(Feedback(state.started_at, "", walked, "after", None))
    before = tuple(f.score for f in scores if f.phase == "before")
    after = tuple(f.score for f in scores if f.phase == "after")
    decision = live.compensation or {}
    currency, offered = decision.get("currency"), _decimal(decision.get("offered"))
    decided = isinstance(currency, str) and offered is not None
    return SessionFigures(
        session_id=state.session_id,
        title=state.title,
        playbook_id=state.playbook.id,
        started_at=state.started_at,
        closed=state.is_closed,
        training=state.training,
        minutes_to_mitigate=minutes_to_mitigate(state),
        promises_kept=sum(1 for p in settled if p.status == "kept"),
        promises_due=len(settled),
        compliance_percent=cadence_compliance(ledger),
        before=before,
        after=after,
        recovery_paradox=recovery_paradox(scores),
        currency=currency if decided else None,
        offered=offered if decided else None,
        owed=_decimal(decision.get("owed")) if decided else None,
    )


def compute_stats(
    states: Iterable[SessionState],
    *,
    now: datetime,
    since: datetime | None = None,
    include_training: bool = False,
) -> Stats:
    """The figures over ``states``: real sessions only unless ``include_training``, and
    only those started at or after ``since`` when given."""
    chosen = [
        state
        for state in states
        if (include_training or not state.training) and (since is None or state.started_at >= since)
    ]
    chosen.sort(key=lambda state: (state.started_at, state.session_id))
    return Stats(
        since=since,
        training_included=include_training,
        sessions=[session_figures(state, now=now) for state in chosen],
    )


def load_stats(
    store: Store, *, now: datetime, since: datetime | None = None, include_training: bool = False
) -> Stats:
    """``compute_stats`` over the sessions of ``store``, folding only those that are wanted."""
    wanted = [
        summary.id
        for summary in store.sessions()
        if (include_training or not summary.training)
        and (since is None or summary.started_at >= since)
    ]
    states = (load_session(store, session_id) for session_id in wanted)
    return compute_stats(states, now=now, since=since, include_training=include_training)


def parse_since(text: str, zone: tzinfo) -> datetime:
    """``--since``: a date (``2026-11-01``, from midnight in ``zone``) or an ISO 8601 instant.

    An instant without an offset is read in ``zone`` too.
    """
    given = text.strip()
    try:
        if _DATE.fullmatch(given):
            moment = datetime.fromisoformat(given + "T00:00")
        elif _DATE.match(given) and given[10:11] in ("T", "t", " "):
            moment = datetime.fromisoformat(given)
        else:
            raise ValueError(given)
    except ValueError:
        shown = given if len(given) <= 40 and given.isprintable() else "that value"
        raise UsageError(
            f"--since '{shown}' is not a date; expected a day like 2026-11-01 "
            "or an instant like 2026-11-01T09:00+01:00"
        ) from None
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
    try:  # shown in UTC and in the local zone: both must exist
        moment.astimezone(UTC).astimezone(zone)
    except OverflowError:
        raise UsageError(
            f"--since '{given}' is out of range; expected a day between years 1 and 9999"
        ) from None
    return moment


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return Decimal(str(value))


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
