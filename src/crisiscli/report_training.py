"""The ``training`` part of the report context: a drill's scorecard, injects and responses.

Only training sessions (recorded by ``crisis replay SCENARIO``) have one; the
``debrief`` template renders it. The scorecard is computed here from the
recorded scenario, exactly as ``crisis replay`` printed it at the end.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from pydantic import BaseModel, ConfigDict

from crisiscli import events as ev
from crisiscli.state import SessionState
from crisiscli.status import summarize

RESPONSE_TYPES = (*ev.LIVE_TYPES, ev.SESSION_CLOSED)


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class CheckView(_View):
    """One rubric check on the scorecard."""

    id: str
    """The check's id in the scenario."""
    title: str
    """What was expected."""
    points: int
    """Points available."""
    earned: int
    """Points earned: all or nothing."""
    passed: bool
    """Whether the check passed."""
    explain: str
    """Why it matters and what to do next time (shown when it failed)."""
    error: str | None
    """Why the check could not be evaluated, if so (it then failed)."""


class InjectView(_View):
    """An inject as it reached the trainee."""

    at: datetime
    """When it arrived (simulated time, in the session's zone)."""
    minutes: int
    """Minutes after the start of the drill, as scheduled."""
    source: str
    """Who it came from."""
    org: str | None
    """Their organisation."""
    role: str | None
    """Their role."""
    channel: str
    """``phone``, ``email``, ``chat`` or ``meeting``."""
    text: str
    """What it said."""
    abusive: bool
    """Whether the scenario marks it abusive."""
    affected: int | None
    """New true figures it brought: users affected (with ``total``)."""
    total: int | None
    """New true figures it brought: users in all."""
    restored: bool | None
    """Whether it said the service was back (true) or down again (false)."""


class ExchangeView(_View):
    """One line of the drill's timeline: an inject, or what the trainee did."""

    at: datetime
    """When (simulated time, in the session's zone)."""
    minutes: float
    """Minutes after the start of the drill."""
    kind: str
    """``inject`` or ``response``."""
    type: str
    """The event type, e.g. ``inject_received`` or ``update_sent``."""
    text: str
    """What happened, in the report's language."""


class TrainingView(_View):
    """A training drill: scenario, scorecard, timeline, advice."""

    scenario_id: str
    """The scenario's id."""
    title: str
    """The scenario's title."""
    briefing: str
    """What the trainee was told before the start."""
    mode: str
    """How it was run: ``scripted``, ``speed`` or ``step``."""
    duration_minutes: int
    """The scenario's planned length."""
    minutes: float
    """How long the drill actually ran, in simulated minutes."""
    finished: str | None
    """``completed``, ``stopped`` (interrupted), or None when it never finished."""
    score: int
    """Points earned."""
    maximum: int
    """Points available."""
    percent: float
    """Score as a percentage of the maximum."""
    checks: list[CheckView]
    """Every rubric check, in the scenario's order."""
    injects: list[InjectView]
    """The injects received, in order."""
    exchanges: list[ExchangeView]
    """Injects and the trainee's responses, in time order."""
    practise: list[str]
    """What to practise next: the failed checks' advice (most points first), then the
    scenario's own advice."""
    facts: dict[str, Any]
    """Every ``drill.*`` fact the rubric could read, by name."""


def training_view(state: SessionState, *, language: str, zone: tzinfo) -> TrainingView | None:
    from crisiscli.scoring import score  # noqa: PLC0415

    drill = state.drill
    if drill is None:
        return None
    card = score(state)
    start = drill.started_at
    exchanges: list[ExchangeView] = []
    for event in state.events:
        # Answers are in the steps; the timeline keeps what reached the trainee and what
        # they did about it.
        if event.type == ev.INJECT_RECEIVED:
            kind = "inject"
        elif event.type in RESPONSE_TYPES:
            kind = "response"
        else:
            continue
        exchanges.append(
            ExchangeView(
                at=event.at.astimezone(zone),
                minutes=round((event.at - start).total_seconds() / 60, 1),
                kind=kind,
                type=event.type,
                text=summarize(event, language),
            )
        )
    failed = sorted((c for c in card.checks if not c.passed), key=lambda c: -c.points)
    advice = [c.explain for c in failed] + list(drill.scenario["scenario"].get("practise", []))
    return TrainingView(
        scenario_id=card.scenario_id,
        title=card.title,
        briefing=drill.scenario["scenario"]["briefing"],
        mode=drill.mode,
        duration_minutes=drill.duration_minutes,
        minutes=card.facts["drill.minutes"],
        finished=drill.finish_reason,
        score=card.score,
        maximum=card.maximum,
        percent=card.percent,
        checks=[CheckView(**c.__dict__) for c in card.checks],
        injects=[
            InjectView(
                at=i.at.astimezone(zone),
                minutes=i.at_minutes,
                source=i.source,
                org=i.org,
                role=i.role,
                channel=i.channel,
                text=i.text,
                abusive=i.abusive,
                affected=i.affected,
                total=i.total,
                restored=i.restored,
            )
            for i in drill.injects
        ],
        exchanges=exchanges,
        practise=advice,
        facts=card.facts,
    )
