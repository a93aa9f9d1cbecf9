"""From a session to a compensation offer: outage windows, the contract, the decision.

The contract comes from a file (``--contract``) or from the ``[contract]``
table of the session's playbook snapshot. The outage is the time the
customer could not work: from when it started for them to when the
workaround took effect (or the service was back, or now). A walk without a
start time falls back on the impact counts (the periods when anyone was
affected).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from crisiscli.clock import timezone_from_name
from crisiscli.contract import Assessment, Contract, assess, contract_from_table, load_contract
from crisiscli.errors import UsageError
from crisiscli.formatting import format_percent
from crisiscli.live import outage_windows
from crisiscli.state import SessionState

Window = tuple[datetime, datetime]


def contract_for(state: SessionState, path: Path | None) -> Contract:
    """The contract of ``--contract``, else the playbook's ``[contract]`` table."""
    if path is not None:
        return load_contract(path)
    if state.playbook.contract is None:
        raise UsageError(
            f"the playbook {state.playbook.id} has no [contract] table; "
            "give the contract's terms with --contract FILE"
        )
    return contract_from_table(
        state.playbook.contract, file=f"playbook {state.playbook.id}", prefix="contract"
    )


def outage_of(state: SessionState, now: datetime) -> list[Window]:
    """When the customer could not work, as windows (see the module docstring)."""
    started = state.answer_for("incident.started_at")
    if isinstance(started, str):
        start = datetime.fromisoformat(started)
        end = now
        for field in ("incident.mitigated_at", "incident.resolved_at"):
            value = state.answer_for(field)
            if isinstance(value, str):
                end = datetime.fromisoformat(value)
                break
        if end <= start:
            raise UsageError(
                "the recorded outage ends before it starts; check when it started, "
                "and when the workaround took effect"
            )
        return [(start, min(end, now))]
    return outage_windows(state.measurements(), until=now)


def assess_session(state: SessionState, contract: Contract, now: datetime) -> Assessment:
    """The contract's verdict on the session's outage, with times in the session's zone."""
    windows = outage_of(state, now)
    zone = timezone_from_name(state.timezone)
    period_end = max([now, *(end for _start, end in windows)]).astimezone(zone)
    try:
        return assess(contract, windows, period_end=period_end)
    except ValueError as problem:
        raise UsageError(f"cannot assess the outage: {problem}") from None


def decision_payload(
    assessment: Assessment, *, language: str, offered: Decimal, note: str | None
) -> dict[str, Any]:
    """The ``compensation_decided`` event's payload (see ``report_context.DecisionView``)."""
    tier = assessment.tier
    described: str | None = None
    if tier is not None and tier.outage_over_minutes is not None:
        minutes = tier.outage_over_minutes
        described = (
            f"interruption de plus de {minutes} minutes"
            if language == "fr"
            else f"outage over {minutes} minutes"
        )
    elif tier is not None and tier.availability_below is not None:
        share = format_percent(float(tier.availability_below), language)
        described = (
            f"disponibilité inférieure à {share}"
            if language == "fr"
            else f"availability below {share}"
        )
    return {
        "currency": assessment.currency,
        "outage_minutes": assessment.outage_minutes,
        "availability_percent": float(assessment.availability_percent),
        "tier": described,
        "owed": float(assessment.owed),
        "proposed": float(assessment.proposed),
        "offered": float(offered),
        "gestures": [gesture.label(language) for gesture in assessment.gestures],
        "explanation": assessment.explain(language),
        "note": note,
        "assessment": assessment.to_json(),
    }
