"""What a training drill recorded, folded from its events (no pydantic: ``state`` stays light).

A drill is an ordinary session started with ``training = true`` plus three
event types (see ``crisiscli.events``): the scenario's snapshot when it
starts, each inject as it reaches the trainee, and how it finished. Scores
are derived from this record and the rest of the session, never stored, so
a debrief rendered later says exactly what the scorecard said.
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime
from typing import Any

from crisiscli import events as ev
from crisiscli.records import dataclass


@dataclass(frozen=True)
class ReceivedInject:
    """An inject as it reached the trainee."""

    at: datetime
    index: int
    at_minutes: int
    source: str
    org: str | None
    role: str | None
    channel: str
    text: str
    abusive: bool
    affected: int | None
    total: int | None
    restored: bool | None


@dataclass
class DrillRecord:
    scenario: dict[str, Any]
    """The scenario as recorded (``crisiscli.scenario.to_snapshot``)."""
    mode: str
    speed: float | None
    started_at: datetime
    injects: list[ReceivedInject] = field(default_factory=list)
    finished_at: datetime | None = None
    finish_reason: str | None = None

    @property
    def scenario_id(self) -> str:
        return str(self.scenario["scenario"]["id"])

    @property
    def duration_minutes(self) -> int:
        return int(self.scenario["scenario"]["duration_minutes"])

    def apply(self, event: ev.Event) -> None:
        payload = event.payload
        if event.type == ev.INJECT_RECEIVED:
            self.injects.append(
                ReceivedInject(
                    at=event.at,
                    index=int(payload["index"]),
                    at_minutes=int(payload["at_minutes"]),
                    source=payload["from"],
                    org=payload.get("org"),
                    role=payload.get("role"),
                    channel=payload.get("channel", "phone"),
                    text=payload["text"],
                    abusive=bool(payload.get("abusive", False)),
                    affected=payload.get("affected"),
                    total=payload.get("total"),
                    restored=payload.get("restored"),
                )
            )
        elif event.type == ev.DRILL_FINISHED:
            self.finished_at = event.at
            self.finish_reason = payload.get("reason")

    @classmethod
    def from_event(cls, event: ev.Event) -> DrillRecord:
        payload = event.payload
        speed = payload.get("speed")
        return cls(
            scenario=payload["scenario"],
            mode=payload.get("mode", "scripted"),
            speed=float(speed) if speed is not None else None,
            started_at=event.at,
        )
