"""A session's state, folded from its events; the one source every view reads.

``fold`` is pure: the same events always give the same state. What is due
next in the walk (``next_item``) is derived here too, so ``start``, ``resume``
and ``status`` agree on it by construction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from crisiscli import events as ev
from crisiscli.live import LiveState, Measurement
from crisiscli.playbook import Playbook, Question, Step, from_snapshot
from crisiscli.records import dataclass

if TYPE_CHECKING:
    from crisiscli.drill_record import DrillRecord
    from crisiscli.store import Store


@dataclass(frozen=True)
class Computed:
    """A computed value, or why it could not be computed."""

    value: Any
    error: str | None


@dataclass(frozen=True)
class NextQuestion:
    step_index: int
    step: Step
    question: Question

    @property
    def key(self) -> str:
        return f"{self.step.id}.{self.question.id}"


@dataclass(frozen=True)
class NextComputation:
    """A step whose questions are answered but whose values are not all computed."""

    step_index: int
    step: Step
    names: list[str]


@dataclass
class SessionState:
    session_id: str
    playbook: Playbook
    title: str
    language: str
    timezone: str
    source: str
    training: bool
    started_at: datetime
    started_by: str
    answers: dict[str, Any] = field(default_factory=dict)
    computed: dict[str, Computed] = field(default_factory=dict)
    closed_at: datetime | None = None
    resolution: str = ""
    events: list[ev.Event] = field(default_factory=list)
    live: LiveState = field(default_factory=LiveState)
    """What the live-crisis commands recorded: notes, stakeholders, updates, ..."""
    drill: DrillRecord | None = None
    """For a training drill: the scenario, the injects received, how it finished."""

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def values(self) -> dict[str, Any]:
        """Answers and computed values together, as expressions see them."""
        merged = dict(self.answers)
        merged.update({key: c.value for key, c in self.computed.items()})
        return merged

    def apply(self, event: ev.Event) -> None:
        """Fold one more event into the state."""
        self.events.append(event)
        payload = event.payload
        if event.type == ev.ANSWER_RECORDED:
            self.answers[payload["key"]] = payload["value"]
        elif event.type == ev.VALUE_COMPUTED:
            self.computed[payload["key"]] = Computed(payload["value"], payload.get("error"))
        elif event.type == ev.SESSION_CLOSED:
            self.closed_at = event.at
            self.resolution = payload.get("resolution", "")
        elif event.type in ev.LIVE_TYPES:
            self.live.apply(event, self.playbook.playbook.cadence.update_every_minutes)
        elif event.type == ev.DRILL_STARTED:
            from crisiscli.drill_record import DrillRecord  # noqa: PLC0415 - drills only

            self.drill = DrillRecord.from_event(event)
        elif event.type in ev.DRILL_TYPES and self.drill is not None:
            self.drill.apply(event)
        # Unknown types are kept in ``events`` (for the timeline) and otherwise
        # ignored, so that an older crisiscli can still read a newer journal.

    @cached_property
    def report_keys(self) -> dict[str, str]:
        """Report field (``impact.affected``) → the ``step_id.question_id`` reported as it."""
        return {
            question.report_as: f"{step.id}.{question.id}"
            for step in self.playbook.steps
            for question in step.questions
            if question.report_as
        }

    def key_for(self, report_field: str) -> str | None:
        """The ``step_id.question_id`` reported as ``report_field`` (e.g. ``impact.affected``)."""
        return self.report_keys.get(report_field)

    def answer_for(self, report_field: str) -> Any:
        key = self.key_for(report_field)
        return self.answers.get(key) if key else None

    def measurements(self) -> list[Measurement]:
        """Impact over time: the walk's figures (when given), then every ``crisis impact``."""
        series = list(self.live.measurements)
        keys = {self.key_for("impact.affected"), self.key_for("impact.total")} - {None}
        affected, total = self.answer_for("impact.affected"), self.answer_for("impact.total")
        if isinstance(affected, int) and isinstance(total, int) and 0 <= affected <= total:
            answered = [
                e.at
                for e in self.events
                if e.type == ev.ANSWER_RECORDED and e.payload["key"] in keys
            ]
            series.append(
                Measurement(max(answered, default=self.started_at), affected, total, None)
            )
        return sorted(series, key=lambda m: m.at)

    def impact_until(self, now: datetime) -> datetime:
        """Where impact stops counting: now, or earlier once resolved or closed."""
        until = now
        if self.closed_at is not None:
            until = min(until, self.closed_at)
        resolved = self.answer_for("incident.resolved_at")
        if isinstance(resolved, str):
            until = min(until, datetime.fromisoformat(resolved))
        return until

    def applies(self, part: Step | Question) -> bool:
        """Whether a step or question is asked, given its ``when`` and the answers so far."""
        if part.when is None:
            return True
        # Imported here: recording a note or an update never evaluates a condition.
        from crisiscli.expressions import is_true, parse  # noqa: PLC0415

        return is_true(parse(part.when), self.values())

    def next_item(self) -> NextQuestion | NextComputation | None:
        """The first unanswered question or uncomputed value, in walking order."""
        for index, step in enumerate(self.playbook.steps):
            if not self.applies(step):
                continue
            for question in step.questions:
                key = f"{step.id}.{question.id}"
                if key not in self.answers and self.applies(question):
                    return NextQuestion(index, step, question)
            missing = [name for name in step.compute if f"{step.id}.{name}" not in self.computed]
            if missing:
                return NextComputation(index, step, missing)
        return None

    def step_statuses(self) -> list[tuple[Step, str]]:
        """Each step with ``done``, ``skipped``, ``current`` or ``pending``."""
        upcoming = self.next_item()
        current = upcoming.step_index if upcoming else len(self.playbook.steps)
        statuses: list[tuple[Step, str]] = []
        for index, step in enumerate(self.playbook.steps):
            if index < current:
                statuses.append((step, "done" if self.applies(step) else "skipped"))
            elif index == current:
                statuses.append((step, "current"))
            else:
                statuses.append((step, "pending"))
        return statuses


def load_session(store: Store, session_id: str) -> SessionState:
    """The current state of a stored session."""
    return fold(store.events(session_id))


def fold(events: Iterable[ev.Event]) -> SessionState:
    """The state of a session from its events (the first must be ``session_started``)."""
    iterator = iter(events)
    first = next(iterator, None)
    if first is None or first.type != ev.SESSION_STARTED:
        raise ValueError("a session journal must begin with session_started")
    payload = first.payload
    state = SessionState(
        session_id=first.session_id,
        playbook=_with_report_fields(from_snapshot(payload["playbook"])),
        title=payload["title"],
        language=payload["language"],
        timezone=payload["timezone"],
        source=payload["source"],
        training=bool(payload.get("training", False)),
        started_at=first.at,
        started_by=first.actor,
        events=[first],
    )
    for event in iterator:
        state.apply(event)
    return state


def _with_report_fields(playbook: Playbook) -> Playbook:
    """A snapshot from before ``report_as`` existed, given the built-in playbook's fields.

    Sessions recorded with crisiscli 0.1 snapshot built-in playbooks without
    ``report_as``; their reports would be empty. When no question has one and
    a built-in playbook of the same id and language exists, each question with
    the same step, id and type takes the built-in's ``report_as``.
    """
    if any(q.report_as for step in playbook.steps for q in step.questions):
        return playbook
    import dataclasses  # noqa: PLC0415

    from crisiscli.errors import PlaybookError  # noqa: PLC0415
    from crisiscli.paths import builtin_dir  # noqa: PLC0415

    path = builtin_dir("playbooks") / f"{playbook.id}.{playbook.language}.toml"
    if not path.is_file():
        return playbook
    from crisiscli.playbook_loading import load_playbook  # noqa: PLC0415 - pydantic, TOML

    try:
        builtin = load_playbook(path)
    except PlaybookError:
        return playbook
    fields = {
        (step.id, q.id, q.type): q.report_as
        for step in builtin.steps
        for q in step.questions
        if q.report_as
    }
    steps = [
        dataclasses.replace(
            step,
            questions=[
                dataclasses.replace(q, report_as=fields.get((step.id, q.id, q.type)))
                for q in step.questions
            ],
        )
        for step in playbook.steps
    ]
    return dataclasses.replace(playbook, steps=steps)
