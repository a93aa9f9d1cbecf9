"""The report context: a typed, documented view of one session for templates.

Templates never see raw events. ``build_context`` folds a session into a
``ReportContext``: the answers filed under their ``report_as`` names
(``impact.affected`` and so on), derived figures (shares, durations), a
timeline, every answer step by step, and the events for an appendix. A value
the session has not recorded yet is ``None`` (an empty list stays ``None``
too), and ``missing`` names it, so a half-done session renders without
errors. ``crisis report --context-json`` prints this model; the field
docstrings below are its documentation (see also ``docs/templates.md``).
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from crisiscli import events as ev
from crisiscli.answers import show_answer
from crisiscli.clock import timezone_from_name
from crisiscli.expressions import ExpressionError
from crisiscli.formatting import format_datetime
from crisiscli.impact import shares
from crisiscli.messages import t
from crisiscli.playbook import Question, Step
from crisiscli.report_fields import REPORT_FIELDS, SECTIONS
from crisiscli.state import SessionState
from crisiscli.status import summarize

CONTEXT_VERSION = 1


class _View(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class SessionView(_View):
    """Which session this is and where it stands."""

    id: str
    """Session id, e.g. ``20261122-0915-k3v9qa``."""
    title: str
    """The crisis's short name."""
    playbook_id: str
    """Id of the playbook the session follows."""
    playbook_title: str
    """Title of that playbook."""
    language: str
    """Language the session was recorded in (``en`` or ``fr``)."""
    timezone: str
    """Time zone of the session; every time in the context is expressed in it."""
    status: Literal["open", "closed"]
    """Whether the session still accepts answers."""
    complete: bool
    """True once every question that applies has been answered."""
    training: bool
    """True for training sessions (replays of scenarios)."""
    started_at: datetime
    """When the responder started the session."""
    started_by: str
    """Who started it (``user@host``)."""
    closed_at: datetime | None
    """When it was closed, if it was."""
    resolution: str | None
    """The note given when closing, if any."""
    actors: list[str]
    """Everyone who recorded something, in order of first appearance."""


class IncidentView(_View):
    """What happened, to whom, and when."""

    customer: str | None
    """The customer affected."""
    owner: str | None
    """Who owns the crisis on our side."""
    contact: str | None
    """How the customer reaches the owner."""
    summary: str | None
    """What the customer sees, in one line."""
    severity: str | None
    """How severe it is, as the responder rated it."""
    started_at: datetime | None
    """When it started for the customer."""
    detected_at: datetime | None
    """When we learnt about it."""
    detection: str | None
    """How we learnt about it."""
    mitigated_at: datetime | None
    """When the workaround took effect."""
    resolved_at: datetime | None
    """When the service was back to normal."""
    minutes_to_detect: int | None
    """From ``started_at`` to ``detected_at``, in whole minutes."""
    minutes_to_mitigate: int | None
    """From ``started_at`` to ``mitigated_at``, in whole minutes."""
    minutes_to_resolve: int | None
    """From ``started_at`` to ``resolved_at``: how long the customer was affected."""


class UpdatesView(_View):
    """Keeping stakeholders informed."""

    cadence_minutes: int
    """Minutes between two updates, from the playbook."""
    stakeholders: list[str] | None
    """Who must be kept informed."""
    first_sent: bool | None
    """Whether every stakeholder heard from us at least once."""
    next_at: datetime | None
    """When the next update was promised."""


class ImpactView(_View):
    """How many users are affected, in numbers."""

    affected: int | float | None
    """Users affected."""
    total: int | float | None
    """Users in all."""
    affected_percent: float | None
    """Share affected, one decimal; never rounded to 0 or 100 unless exact."""
    working_percent: float | None
    """Share still working, one decimal; 100 only when nobody is affected."""
    consistent: bool
    """False when the figures cannot both be true (more affected than exist, a total of 0 or
    less, a negative count); the shares are then None."""
    basis: str | None
    """Whether the figures are measured or estimated."""
    method: str | None
    """How the figures were obtained."""


class MitigationView(_View):
    """The workaround and its price."""

    workaround: str | None
    """What was done to get the customer working."""
    removes_promise: bool | None
    """Whether it takes away something the contract promises."""
    cost: str | None
    """What the customer loses, and gains in return."""
    agreed: bool | None
    """Whether the customer agreed to the trade-off."""
    agreed_by: str | None
    """Who agreed on the customer's side."""


class LimitsView(_View):
    """Limits set with an abusive contact."""

    abusive: bool | None
    """Whether a contact became abusive."""
    incident: str | None
    """What happened, in neutral words."""
    ladder: list[str] | None
    """The rungs taken (warn, end the conversation, ...), as recorded."""
    new_contact: str | None
    """The new contact person."""


class CauseView(_View):
    """Why it happened."""

    trigger: str | None
    """What set it off."""
    root_cause: str | None
    """The root cause (may span several lines)."""
    in_control: str | None
    """Whether it was within our control, as recorded (e.g. ``Partly``)."""
    contributing_factors: list[str] | None
    """What made it worse or more likely."""


class ActionItem(_View):
    """One follow-up action."""

    action: str
    """What will be done."""
    owner: str
    """Who does it."""
    due: date | None
    """By when, if a date was given."""


class ReviewView(_View):
    """What the team learnt."""

    roles: list[str] | None
    """Who held which role during the response."""
    went_well: list[str] | None
    """What went well."""
    went_badly: list[str] | None
    """What went badly."""
    lucky: list[str] | None
    """Where we were lucky."""
    lessons: list[str] | None
    """What changes so that it does not happen again."""
    actions: list[ActionItem] | None
    """Follow-up actions with owner and due date."""


class CompensationView(_View):
    """What we owe and what we give."""

    owed: str | None
    """What the contract owes, in words."""
    amount: int | float | None
    """The amount owed, in the contract's currency."""
    gesture: str | None
    """What we offer beyond the contract."""
    unasked: bool | None
    """Whether it is offered before the customer asks."""


class FeedbackView(_View):
    """What the customer thought of how we handled it."""

    score: int | None
    """Score from 0 to 10."""
    comments: str | None
    """What they said."""


class TimelineEntry(_View):
    """One moment of the crisis, in time order."""

    at: datetime
    """When it happened."""
    kind: str
    """``started``, ``detected``, ``mitigated``, ``resolved``, ``update_promised``,
    ``session_started``, ``step_done``, ``session_closed``, or an event type."""
    text: str
    """What happened, in the report's language."""
    actor: str | None
    """Who recorded it, for entries that come from the journal."""
    step: str | None = None
    """For ``step_done``: the step's id."""
    phase: str | None = None
    """For ``step_done``: the step's phase (``limits``, ``feedback``, ...)."""


class AnswerView(_View):
    """One answer as recorded."""

    key: str
    """``step_id.question_id``."""
    prompt: str
    """The question asked."""
    type: str
    """The question type."""
    report_as: str | None
    """The report field it fills, if any."""
    value: Any
    """The value as recorded (JSON types; dates as ISO text)."""
    text: str
    """The value written out in the report's language."""
    recorded_at: datetime
    """When it was recorded."""
    recorded_by: str
    """Who recorded it."""


class StepView(_View):
    """One playbook step and its answers."""

    id: str
    """Step id."""
    title: str
    """Step title."""
    phase: str
    """The practice it serves (``acknowledge``, ``inform``, ...)."""
    status: str
    """``done``, ``skipped``, ``current`` or ``pending``."""
    answers: list[AnswerView]
    """Its recorded answers, in playbook order."""
    unanswered: list[str]
    """Prompts of its questions that apply but have no answer yet."""


class EventView(_View):
    """One journal event, for appendices."""

    seq: int
    """Position in the journal, from 1."""
    at: datetime
    """When it was recorded."""
    actor: str
    """Who recorded it."""
    type: str
    """Event type, e.g. ``answer_recorded``."""
    summary: str
    """One line saying what it recorded, in the report's language."""
    payload: dict[str, Any]
    """The event's data as stored (the playbook snapshot is left out)."""


class ReportContext(_View):
    """Everything a report template may use."""

    context_version: int
    """Version of this structure; it changes only when a field is removed or renamed."""
    language: str
    """Language of the report (``en`` or ``fr``); may differ from the session's."""
    generated_at: datetime
    """When the report was generated, in the session's time zone."""
    session: SessionView
    """The session."""
    covers: list[str]
    """Sections the playbook has questions for (``incident``, ``impact``, ...)."""
    asked: list[str]
    """Report fields the playbook has a question for (``impact.method``, ...), in playbook order."""
    missing: list[str]
    """Report fields the playbook asks for that are not recorded yet."""
    incident: IncidentView
    """What happened, to whom, and when."""
    updates: UpdatesView
    """Keeping stakeholders informed."""
    impact: ImpactView
    """Impact in numbers."""
    mitigation: MitigationView
    """The workaround and its price."""
    limits: LimitsView
    """Limits set with an abusive contact."""
    cause: CauseView
    """Why it happened."""
    review: ReviewView
    """What the team learnt."""
    compensation: CompensationView
    """What we owe and what we give."""
    feedback: FeedbackView
    """The customer's score."""
    timeline: list[TimelineEntry]
    """Milestones and journal entries in time order."""
    steps: list[StepView]
    """Every step with its answers, in playbook order."""
    events: list[EventView]
    """The raw journal, for an appendix."""


def build_context(state: SessionState, *, language: str, now: datetime) -> ReportContext:
    """The report context of ``state``: texts in ``language``, times in the session's zone."""
    zone = timezone_from_name(state.timezone)
    fields = _fields(state)
    answered_at = _answer_times(state)
    missing = _missing(state)

    def get(name: str) -> Any:
        return fields.get(name)

    def moment(name: str) -> datetime | None:
        value = get(name)
        return datetime.fromisoformat(value).astimezone(zone) if value else None

    started, detected = moment("incident.started_at"), moment("incident.detected_at")
    mitigated, resolved = moment("incident.mitigated_at"), moment("incident.resolved_at")
    affected, total = get("impact.affected"), get("impact.total")
    percent = shares(affected, total)
    actions = get("review.actions")

    incident = IncidentView(
        customer=get("incident.customer"),
        owner=get("incident.owner"),
        contact=get("incident.contact"),
        summary=get("incident.summary"),
        severity=get("incident.severity"),
        started_at=started,
        detected_at=detected,
        detection=get("incident.detection"),
        mitigated_at=mitigated,
        resolved_at=resolved,
        minutes_to_detect=_minutes(started, detected),
        minutes_to_mitigate=_minutes(started, mitigated),
        minutes_to_resolve=_minutes(started, resolved),
    )
    return ReportContext(
        context_version=CONTEXT_VERSION,
        language=language,
        generated_at=now.astimezone(zone),
        session=_session_view(state, zone),
        covers=[s for s in SECTIONS if any(n.startswith(s + ".") for n in _claimed(state))],
        asked=list(_claimed(state)),
        missing=missing,
        incident=incident,
        updates=UpdatesView(
            cadence_minutes=state.playbook.playbook.cadence.update_every_minutes,
            stakeholders=get("updates.stakeholders"),
            first_sent=get("updates.first_sent"),
            next_at=moment("updates.next_at"),
        ),
        impact=ImpactView(
            affected=affected,
            total=total,
            affected_percent=percent[0] if percent else None,
            working_percent=percent[1] if percent else None,
            consistent=affected is None or total is None or percent is not None,
            basis=get("impact.basis"),
            method=get("impact.method"),
        ),
        mitigation=MitigationView(
            workaround=get("mitigation.workaround"),
            removes_promise=get("mitigation.removes_promise"),
            cost=get("mitigation.cost"),
            agreed=get("mitigation.agreed"),
            agreed_by=get("mitigation.agreed_by"),
        ),
        limits=LimitsView(
            abusive=get("limits.abusive"),
            incident=get("limits.incident"),
            ladder=get("limits.ladder"),
            new_contact=get("limits.new_contact"),
        ),
        cause=CauseView(
            trigger=get("cause.trigger"),
            root_cause=get("cause.root_cause"),
            in_control=get("cause.in_control"),
            contributing_factors=get("cause.contributing_factors"),
        ),
        review=ReviewView(
            roles=get("review.roles"),
            went_well=get("review.went_well"),
            went_badly=get("review.went_badly"),
            lucky=get("review.lucky"),
            lessons=get("review.lessons"),
            actions=[ActionItem(**item) for item in actions] if actions else None,
        ),
        compensation=CompensationView(
            owed=get("compensation.owed"),
            amount=get("compensation.amount"),
            gesture=get("compensation.gesture"),
            unasked=get("compensation.unasked"),
        ),
        feedback=FeedbackView(score=get("feedback.score"), comments=get("feedback.comments")),
        timeline=_timeline(state, incident, moment("updates.next_at"), answered_at, language, zone),
        steps=_steps(state, answered_at, language, zone),
        events=[
            EventView(
                seq=event.seq,
                at=event.at.astimezone(zone),
                actor=event.actor,
                type=event.type,
                summary=summarize(event, language),
                payload={k: v for k, v in event.payload.items() if k != "playbook"},
            )
            for event in state.events
        ],
    )


def _claimed(state: SessionState) -> dict[str, str]:
    """Report field name → answer key, for the questions of this playbook."""
    return {
        q.report_as: f"{step.id}.{q.id}"
        for step in state.playbook.steps
        for q in step.questions
        if q.report_as in REPORT_FIELDS
    }


def _fields(state: SessionState) -> dict[str, Any]:
    return {
        name: state.answers[key]
        for name, key in _claimed(state).items()
        if state.answers.get(key) is not None
    }


def _applies(state: SessionState, part: Step | Question) -> bool:
    """``state.applies``, tolerating a condition that cannot be evaluated yet.

    A condition over an answer not given yet reads it as none, so the
    question it guards is not counted as missing until that answer makes it apply.
    """
    try:
        return state.applies(part)
    except (ExpressionError, KeyError, TypeError, ValueError):
        return True


def _missing(state: SessionState) -> list[str]:
    """Report fields still to be answered: asked, applicable, and not recorded."""
    complete = state.next_item() is None
    missing: list[str] = []
    for step in state.playbook.steps:
        for question in step.questions:
            name = question.report_as
            key = f"{step.id}.{question.id}"
            if name is None or key in state.answers or complete:
                continue
            if _applies(state, step) and _applies(state, question):
                missing.append(name)
    return missing


def _answer_times(state: SessionState) -> dict[str, ev.Event]:
    return {e.payload["key"]: e for e in state.events if e.type == ev.ANSWER_RECORDED}


def _minutes(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None or end < start:
        return None
    return int((end - start).total_seconds() // 60)


def _session_view(state: SessionState, zone: tzinfo) -> SessionView:
    return SessionView(
        id=state.session_id,
        title=state.title,
        playbook_id=state.playbook.id,
        playbook_title=state.playbook.title,
        language=state.language,
        timezone=state.timezone,
        status="closed" if state.is_closed else "open",
        complete=state.next_item() is None,
        training=state.training,
        started_at=state.started_at.astimezone(zone),
        started_by=state.started_by,
        closed_at=state.closed_at.astimezone(zone) if state.closed_at else None,
        resolution=state.resolution or None,
        actors=list(dict.fromkeys(event.actor for event in state.events)),
    )


def _timeline(  # noqa: PLR0917 - private, called once
    state: SessionState,
    incident: IncidentView,
    next_update: datetime | None,
    answered_at: dict[str, ev.Event],
    language: str,
    zone: tzinfo,
) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    milestones = [
        ("started", incident.started_at),
        ("detected", incident.detected_at),
        ("mitigated", incident.mitigated_at),
        ("resolved", incident.resolved_at),
        ("update_promised", next_update),
    ]
    for kind, at in milestones:
        if at is not None:
            text = t(f"timeline.{kind}", language)
            entries.append(TimelineEntry(at=at, kind=kind, text=text, actor=None))
    for event in state.events:
        at = event.at.astimezone(zone)
        if event.type == ev.SESSION_STARTED:
            text = t("timeline.session_started", language, title=state.playbook.title)
            entries.append(TimelineEntry(at=at, kind=event.type, text=text, actor=event.actor))
        elif event.type == ev.SESSION_CLOSED:
            resolution = event.payload.get("resolution") or ""
            text = (
                t("timeline.session_closed_because", language, resolution=resolution)
                if resolution
                else t("timeline.session_closed", language)
            )
            entries.append(TimelineEntry(at=at, kind=event.type, text=text, actor=event.actor))
        elif event.type not in (ev.ANSWER_RECORDED, ev.VALUE_COMPUTED):
            text = summarize(event, language)
            entries.append(TimelineEntry(at=at, kind=event.type, text=text, actor=event.actor))
    for step, status in state.step_statuses():
        keys = [f"{step.id}.{q.id}" for q in step.questions if f"{step.id}.{q.id}" in answered_at]
        if status != "done" or not keys:
            continue
        last = max((answered_at[key] for key in keys), key=lambda e: e.seq)
        text = t("timeline.step_done", language, title=step.title)
        entries.append(
            TimelineEntry(
                at=last.at.astimezone(zone),
                kind="step_done",
                text=text,
                actor=last.actor,
                step=step.id,
                phase=step.phase,
            )
        )
    return sorted(entries, key=lambda entry: entry.at)


def _answer_text(question: Question, value: Any, language: str, zone: tzinfo) -> str:
    if question.type == "datetime" and isinstance(value, str):
        return format_datetime(datetime.fromisoformat(value).astimezone(zone), language)
    return show_answer(value, language)


def _steps(
    state: SessionState, answered_at: dict[str, ev.Event], language: str, zone: tzinfo
) -> list[StepView]:
    views: list[StepView] = []
    incomplete = state.next_item() is not None
    for step, status in state.step_statuses():
        answers: list[AnswerView] = []
        unanswered: list[str] = []
        for question in step.questions:
            key = f"{step.id}.{question.id}"
            event = answered_at.get(key)
            if event is not None:
                value = state.answers[key]
                answers.append(
                    AnswerView(
                        key=key,
                        prompt=question.prompt,
                        type=question.type,
                        report_as=question.report_as,
                        value=value,
                        text=_answer_text(question, value, language, zone),
                        recorded_at=event.at.astimezone(zone),
                        recorded_by=event.actor,
                    )
                )
            elif incomplete and _applies(state, step) and _applies(state, question):
                unanswered.append(question.prompt)
        views.append(
            StepView(
                id=step.id,
                title=step.title,
                phase=step.phase,
                status=status,
                answers=answers,
                unanswered=unanswered,
            )
        )
    return views
