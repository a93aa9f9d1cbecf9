"""Scoring a drill: facts about what the trainee did, and the scenario's rubric over them.

A rubric check is a safe expression (``crisiscli.expressions``) that reads
the ``drill.*`` facts below and the playbook's answers (``impact.affected``).
Facts are computed from the folded session at the instant the drill ended,
so a check reads the same values whenever the scorecard is drawn: at the end
of ``crisis replay``, or later in the debrief.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from crisiscli import events as ev
from crisiscli.expressions import ExpressionError, evaluate, parse
from crisiscli.live import cadence_compliance, promise_ledger, recovery_paradox

if TYPE_CHECKING:
    from crisiscli.drill_record import DrillRecord
    from crisiscli.scenario import Scenario
    from crisiscli.state import SessionState

FACTS: dict[str, str] = {
    "drill.minutes": "Simulated minutes from the start of the drill to its end.",
    "drill.answers": "Playbook questions answered.",
    "drill.walk_complete": "true when every playbook question that applies was answered.",
    "drill.injects": "Injects that reached the trainee.",
    "drill.all_injects": (
        "true when every inject of the scenario reached the trainee (the drill was not ended "
        "before the last one)."
    ),
    "drill.notes": "Notes recorded with `note`.",
    "drill.stakeholders": "Stakeholders added (including those later replaced).",
    "drill.uninformed": "Current stakeholders who never received an update.",
    "drill.updates": "Updates sent.",
    "drill.first_update_minutes": "Minutes from the start to the first update; none without one.",
    "drill.max_silence_minutes": (
        "Longest time without any update: from the start to the first, between two, "
        "and from the last to the end of the drill."
    ),
    "drill.cadence_minutes": "The playbook's update cadence, in minutes.",
    "drill.promises_missed": (
        "Updates that did not go out in time: each update promises the next, at the time "
        "given with --next-in or else within the stakeholder's cadence (as in crisis status)."
    ),
    "drill.cadence_compliance": "Percentage of settled promises kept; none when none settled.",
    "drill.blame_flags": "Updates the comms coach flagged for deflecting blame.",
    "drill.flagged_updates": "Updates with at least one comms-coach finding.",
    "drill.vague_updates": "Updates flagged for describing impact without numbers.",
    "drill.impact_measured": (
        "Impact measurements with real numbers: `impact`, and the walk's affected/total answers."
    ),
    "drill.first_impact_minutes": "Minutes from the start to the first measurement; none without.",
    "drill.affected": "Users affected in the latest measurement; none without one.",
    "drill.total": "Users who could be affected in the latest measurement; none without one.",
    "drill.true_affected": "Users affected according to the latest inject that gave figures.",
    "drill.true_total": "The total according to the latest inject that gave figures.",
    "drill.impact_matches": (
        "true when the latest measurement equals the latest figures an inject gave; "
        "none when no inject gave figures."
    ),
    "drill.abuse": "true when an abusive inject reached the trainee.",
    "drill.limits": "Rungs of the limits ladder recorded with `limit`.",
    "drill.limit_after_abuse_minutes": (
        "Minutes from the first abusive inject to the first limit set after it; none without."
    ),
    "drill.contact_replaced": "true when a stakeholder was replaced by another contact.",
    "drill.feedback": "Feedback scores recorded.",
    "drill.feedback_after": "Feedback scores recorded for after the crisis.",
    "drill.recovery_paradox": (
        "true when the after score beats the before score; none without both."
    ),
    "drill.compensation": "true when a compensation offer was decided.",
    "drill.owed": "What the contract owed, in the contract's currency; none without a decision.",
    "drill.offered": "The amount offered; none without a decision.",
    "drill.gestures": (
        "Gestures recorded with the offer (those the contract's generosity policy proposes)."
    ),
    "drill.generous": "true when the amount offered is more than the contract owes.",
}


@dataclass(frozen=True)
class CheckResult:
    id: str
    title: str
    points: int
    """Points available."""
    earned: int
    passed: bool
    explain: str
    """Why it matters; the scorecard shows it when the check failed."""
    error: str | None
    """Why the check could not be evaluated (it then fails), e.g. it reads a missing answer."""


@dataclass(frozen=True)
class Scorecard:
    scenario_id: str
    title: str
    score: int
    maximum: int
    checks: list[CheckResult]
    facts: dict[str, Any]

    @property
    def percent(self) -> float:
        return round(100 * self.score / self.maximum, 1) if self.maximum else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario_id,
            "title": self.title,
            "score": self.score,
            "maximum": self.maximum,
            "percent": self.percent,
            "checks": [asdict(check) for check in self.checks],
            "facts": self.facts,
        }


def drill_end(state: SessionState) -> datetime:
    """When the drill ended: its finish event; for a drill killed on the way, its last
    event before any ``crisis close`` (stamped on the real clock), at most the planned end."""
    drill = state.drill
    if drill is not None and drill.finished_at is not None:
        return drill.finished_at
    recorded = [e.at for e in state.events if e.type != ev.SESSION_CLOSED]
    if drill is None:
        return recorded[-1]
    return min(recorded[-1], drill.started_at + timedelta(minutes=drill.duration_minutes))


def _minutes(start: datetime, end: datetime) -> float:
    return round((end - start).total_seconds() / 60, 1)


def facts(state: SessionState) -> dict[str, Any]:
    """Every ``drill.*`` fact of a training session, at the end of the drill."""
    drill = _drill_of(state)
    start, end = drill.started_at, drill_end(state)
    live = state.live
    updates = live.updates
    times = [start, *(u.at for u in updates), end]
    silences = [_minutes(a, b) for a, b in itertools.pairwise(times)]
    ledger = promise_ledger(live, now=end, closed_at=None)
    measured = state.measurements()
    truths = [i for i in drill.injects if i.affected is not None and i.total is not None]
    latest_truth = truths[-1] if truths else None
    latest = measured[-1] if measured else None
    abusive = [i.at for i in drill.injects if i.abusive]
    limit_after = (
        next(
            (_minutes(abusive[0], limit.at) for limit in live.limits if limit.at >= abusive[0]),
            None,
        )
        if abusive
        else None
    )
    decision = live.compensation
    informed = {name for u in updates for name in u.to}

    def flagged(category: str) -> int:
        return sum(1 for u in updates if any(f.get("category") == category for f in u.flags))

    matches: bool | None = None
    if latest_truth is not None:
        matches = latest is not None and (latest.affected, latest.total) == (
            latest_truth.affected,
            latest_truth.total,
        )
    return {
        "drill.minutes": _minutes(start, end),
        "drill.answers": len(state.answers),
        "drill.walk_complete": state.next_item() is None,
        "drill.injects": len(drill.injects),
        "drill.all_injects": len(drill.injects) >= len(drill.scenario.get("injects", [])),
        "drill.notes": len(live.notes),
        "drill.stakeholders": len(live.stakeholders),
        "drill.uninformed": sum(1 for s in live.active_stakeholders() if s.name not in informed),
        "drill.updates": len(updates),
        "drill.first_update_minutes": _minutes(start, updates[0].at) if updates else None,
        "drill.max_silence_minutes": max(silences),
        "drill.cadence_minutes": state.playbook.playbook.cadence.update_every_minutes,
        "drill.promises_missed": sum(1 for p in ledger if p.status in ("missed", "overdue")),
        "drill.cadence_compliance": cadence_compliance(ledger),
        "drill.blame_flags": flagged("blame"),
        "drill.flagged_updates": sum(1 for u in updates if u.flags),
        "drill.vague_updates": flagged("vague_impact"),
        "drill.impact_measured": len(measured),
        "drill.first_impact_minutes": _minutes(start, measured[0].at) if measured else None,
        "drill.affected": latest.affected if latest else None,
        "drill.total": latest.total if latest else None,
        "drill.true_affected": latest_truth.affected if latest_truth else None,
        "drill.true_total": latest_truth.total if latest_truth else None,
        "drill.impact_matches": matches,
        "drill.abuse": bool(abusive),
        "drill.limits": len(live.limits),
        "drill.limit_after_abuse_minutes": limit_after,
        "drill.contact_replaced": any(s.replaced_by for s in live.stakeholders.values()),
        "drill.feedback": len(live.feedback),
        "drill.feedback_after": sum(1 for f in live.feedback if f.phase == "after"),
        "drill.recovery_paradox": recovery_paradox(live.feedback),
        "drill.compensation": decision is not None,
        "drill.owed": decision.get("owed") if decision else None,
        "drill.offered": decision.get("offered") if decision else None,
        "drill.gestures": len(decision.get("gestures") or []) if decision else 0,
        "drill.generous": bool(
            decision and (decision.get("offered") or 0) > (decision.get("owed") or 0)
        ),
    }


def score(state: SessionState, scenario: Scenario | None = None) -> Scorecard:
    """The scorecard of a training session, against its recorded scenario by default."""
    from crisiscli.scenario import from_snapshot  # noqa: PLC0415

    drill = _drill_of(state)
    if scenario is None:
        scenario = from_snapshot(drill.scenario)
    known = facts(state)
    values = {**state.values(), **known}
    results: list[CheckResult] = []
    for check in scenario.rubric:
        error: str | None = None
        try:
            passed = bool(evaluate(parse(check.check), values))
        except ExpressionError as problem:
            passed, error = False, f"the check {problem}"
        results.append(
            CheckResult(
                id=check.id,
                title=check.title,
                points=check.points,
                earned=check.points if passed else 0,
                passed=passed,
                explain=check.explain,
                error=error,
            )
        )
    return Scorecard(
        scenario_id=scenario.id,
        title=scenario.scenario.title,
        score=sum(r.earned for r in results),
        maximum=scenario.maximum(),
        checks=results,
        facts=known,
    )


def _drill_of(state: SessionState) -> DrillRecord:
    if state.drill is None:
        from crisiscli.errors import UsageError  # noqa: PLC0415

        raise UsageError(
            f"session {state.session_id} is not a training drill; "
            "drills are recorded by `crisis replay SCENARIO`"
        )
    return state.drill
