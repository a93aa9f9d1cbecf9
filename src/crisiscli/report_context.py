"""The report context: a typed, documented view of one session for templates.

Templates never see raw events. ``build_context`` folds a session into a
``ReportContext``: the answers filed under their ``report_as`` names
(``impact.affected`` and so on), what the live-crisis commands recorded
(contacts, updates and the promise ledger, counts over time, limits, scores,
notes, the compensation decision), derived figures (shares, durations), a
timeline, every answer step by step, and the events for an appendix. An
answer the session has not recorded yet is ``None`` (a list answer too),
and ``missing`` names it, so a half-done session renders without errors;
lists of live records are empty until something is recorded.
``crisis report --context-json`` prints this model; the field docstrings
below are its documentation (see also ``docs/templates.md``).
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
from crisiscli.live import (
    LiveState,
    Measurement,
    cadence_compliance,
    promise_ledger,
    recovery_paradox,
    severity_level,
    user_minutes_lost,
)
from crisiscli.messages import t
from crisiscli.playbook import Question, Step
from crisiscli.report_fields import REPORT_FIELDS, SECTIONS
from crisiscli.report_training import TrainingView, training_view
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


class ContactView(_View):
    """A stakeholder recorded with ``crisis stakeholder add`` (or taking over from one)."""

    name: str
    """Who."""
    org: str | None
    """Their organisation."""
    role: str | None
    """Their role."""
    cadence_minutes: int
    """Minutes between two updates they expect."""
    active: bool
    """False once replaced by another contact."""
    added_at: datetime
    """When they were added (or took over)."""
    replaces: str | None
    """The contact they took over from."""
    replaced_by: str | None
    """The contact who took over from them."""
    replaced_reason: str | None
    """Why they were replaced, in neutral words."""


class FlagView(_View):
    """Something the comms coach noticed in an update."""

    category: str
    """``blame``, ``over_apology``, ``vague_impact``, ``no_next_update`` or ``no_owner``."""
    excerpt: str
    """The words concerned (empty for something missing)."""
    reason: str
    """Why it matters, in the session's language."""


class SentUpdateView(_View):
    """An update sent with ``crisis update``."""

    at: datetime
    """When it was sent."""
    actor: str
    """Who recorded it."""
    to: list[str]
    """The stakeholders it went to."""
    channel: str | None
    """``phone``, ``email``, ``chat`` or ``meeting``."""
    next_at: datetime | None
    """The time it promised for the next update, if it named one."""
    no_news: bool
    """True for a "nothing new yet" holding message."""
    text: str
    """The message as sent."""
    flags: list[FlagView]
    """What the comms coach flagged in it."""


class PromiseView(_View):
    """One promised update to one stakeholder, and what became of it."""

    stakeholder: str
    """To whom."""
    made_at: datetime
    """The update that made the promise."""
    due_at: datetime
    """By when the next update was due."""
    explicit: bool
    """True when a time was named; False when due from the cadence."""
    status: str
    """``kept``, ``missed``, ``overdue``, ``pending`` or ``released`` (closed or handed over)."""
    kept_at: datetime | None
    """When the next update went out, if it did."""


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
    contacts: list[ContactView]
    """Stakeholders recorded during the crisis, with their cadence."""
    sent: list[SentUpdateView]
    """Updates sent during the crisis, oldest first."""
    promises: list[PromiseView]
    """The promise ledger: each promised update per stakeholder."""
    compliance_percent: float | None
    """Share of settled promises that were kept (None before any is settled)."""


class MeasurementView(_View):
    """One count of affected users."""

    at: datetime
    """When it was taken."""
    affected: int
    """Users affected."""
    total: int
    """Users in all."""
    affected_percent: float
    """Share affected (same rounding rule as ``impact.affected_percent``)."""
    working_percent: float
    """Share working."""
    note: str | None
    """How it was counted."""


class ImpactView(_View):
    """How many users are affected, in numbers."""

    affected: int | float | None
    """Users affected: the walk's figure, or the worst count recorded with ``crisis impact``."""
    total: int | float | None
    """Users in all, from the same count."""
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
    measurements: list[MeasurementView]
    """Every count, oldest first: the walk's figures, then each ``crisis impact``."""
    user_minutes_lost: float
    """Affected users × minutes, each count holding until the next, up to the fix or now."""
    severity: str | None
    """The level the playbook's thresholds give for the worst count and the user-minutes."""


class RungView(_View):
    """One rung of the limits ladder, recorded with ``crisis limit``."""

    at: datetime
    """When."""
    actor: str
    """Who recorded it."""
    name: str
    """The contact concerned."""
    level: str
    """``warn``, ``final-warning``, ``end-contact`` or ``escalate``."""
    text: str | None
    """What was said and done, in neutral words."""


class ScoreView(_View):
    """A feedback score recorded with ``crisis feedback``."""

    at: datetime
    """When it was given."""
    source: str
    """Who gave it."""
    score: int
    """From 0 to 10."""
    phase: str
    """``before`` or ``after`` the crisis."""
    text: str | None
    """What they said."""


class NoteView(_View):
    """A note, or what a stakeholder told us."""

    at: datetime
    """When it was recorded."""
    actor: str
    """Who recorded it."""
    text: str
    """The note."""
    source: str | None
    """Who told us, for an inbound contact."""
    channel: str | None
    """How they reached us."""


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
    rungs: list[RungView]
    """Each rung recorded during the crisis, with its time."""


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


class DecisionView(_View):
    """The compensation decided with ``crisis compensation``, from the contract's terms."""

    at: datetime
    """When it was decided."""
    currency: str
    """ISO currency code of the contract, e.g. ``EUR``."""
    outage_minutes: int
    """Minutes of outage the credit was computed from."""
    availability_percent: float | None
    """Availability over the contract's measurement period."""
    tier: str | None
    """The contract tier that applied, described in words."""
    owed: float
    """The contractual credit."""
    proposed: float
    """What the generosity policy proposed."""
    offered: float
    """What was decided and offered."""
    gestures: list[str]
    """In-kind gestures offered, in the session's language (e.g. "2 extra days of service")."""
    explanation: str
    """How the credit was computed, in the session's language."""
    note: str | None
    """Anything the responder added."""


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
    decision: DecisionView | None
    """The decision recorded with ``crisis compensation``, if any."""


class FeedbackView(_View):
    """What the customer thought of how we handled it."""

    score: int | None
    """Score from 0 to 10."""
    comments: str | None
    """What they said."""
    scores: list[ScoreView]
    """Scores recorded with ``crisis feedback``, before and after the crisis."""
    recovery_paradox: bool | None
    """Whether the latest after-score beats the latest before-score (None without both)."""


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
    notes: list[NoteView]
    """Notes and inbound contacts recorded with ``crisis note``."""
    timeline: list[TimelineEntry]
    """Milestones and journal entries in time order."""
    steps: list[StepView]
    """Every step with its answers, in playbook order."""
    events: list[EventView]
    """The raw journal, for an appendix."""
    training: TrainingView | None
    """For a training drill: the scenario, scorecard and timeline (None for a real crisis)."""


def build_context(state: SessionState, *, language: str, now: datetime) -> ReportContext:
    """The report context of ``state``: texts in ``language``, times in the session's zone."""
    zone = timezone_from_name(state.timezone)
    claimed = _claimed(state)
    fields = _fields(state, claimed)
    answered_at = _answer_times(state)
    missing = _missing(state)

    def get(name: str) -> Any:
        return fields.get(name)

    def moment(name: str) -> datetime | None:
        value = get(name)
        return datetime.fromisoformat(value).astimezone(zone) if value else None

    started, detected = moment("incident.started_at"), moment("incident.detected_at")
    mitigated, resolved = moment("incident.mitigated_at"), moment("incident.resolved_at")
    live = state.live
    ledger = promise_ledger(live, now=now, closed_at=state.closed_at)
    series = state.measurements()
    lost = user_minutes_lost(series, until=state.impact_until(now))
    affected, total = get("impact.affected"), get("impact.total")
    if live.measurements:  # counted again during the crisis: report the worst count
        peak = max(series, key=lambda m: (m.affected / m.total, m.at))
        affected, total = peak.affected, peak.total
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
        minutes_to_mitigate=minutes_to_mitigate(state),
        minutes_to_resolve=_minutes(started, resolved),
    )
    return ReportContext(
        context_version=CONTEXT_VERSION,
        language=language,
        generated_at=now.astimezone(zone),
        session=_session_view(state, zone),
        covers=[s for s in SECTIONS if any(n.startswith(s + ".") for n in claimed)],
        asked=list(claimed),
        missing=missing,
        incident=incident,
        updates=UpdatesView(
            cadence_minutes=state.playbook.playbook.cadence.update_every_minutes,
            stakeholders=get("updates.stakeholders"),
            first_sent=get("updates.first_sent"),
            next_at=moment("updates.next_at"),
            contacts=[
                ContactView(
                    name=c.name,
                    org=c.org,
                    role=c.role,
                    cadence_minutes=c.cadence_minutes,
                    active=c.active,
                    added_at=c.added_at.astimezone(zone),
                    replaces=c.replaces,
                    replaced_by=c.replaced_by,
                    replaced_reason=c.replaced_reason,
                )
                for c in live.stakeholders.values()
            ],
            sent=[
                SentUpdateView(
                    at=u.at.astimezone(zone),
                    actor=u.actor,
                    to=list(u.to),
                    channel=u.channel,
                    next_at=u.next_at.astimezone(zone) if u.next_at else None,
                    no_news=u.no_news,
                    text=u.text,
                    flags=[
                        FlagView(category=f["category"], excerpt=f["excerpt"], reason=f["reason"])
                        for f in u.flags
                    ],
                )
                for u in live.updates
            ],
            promises=[
                PromiseView(
                    stakeholder=p.stakeholder,
                    made_at=p.made_at.astimezone(zone),
                    due_at=p.due_at.astimezone(zone),
                    explicit=p.explicit,
                    status=p.status,
                    kept_at=p.kept_at.astimezone(zone) if p.kept_at else None,
                )
                for p in ledger
            ],
            compliance_percent=cadence_compliance(ledger),
        ),
        impact=ImpactView(
            affected=affected,
            total=total,
            affected_percent=percent[0] if percent else None,
            working_percent=percent[1] if percent else None,
            consistent=affected is None or total is None or percent is not None,
            basis=get("impact.basis"),
            method=get("impact.method"),
            measurements=[_measurement(m, zone) for m in series],
            user_minutes_lost=lost,
            # The worst count, as in affected/total above, so the two agree.
            severity=severity_level(
                state.playbook.playbook.severity,
                affected_percent=percent[0] if percent else None,
                user_minutes=lost,
            ),
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
            rungs=[
                RungView(
                    at=r.at.astimezone(zone), actor=r.actor, name=r.name, level=r.level, text=r.text
                )
                for r in live.limits
            ],
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
            decision=_decision(live, zone),
        ),
        feedback=FeedbackView(
            score=get("feedback.score"),
            comments=get("feedback.comments"),
            scores=[
                ScoreView(
                    at=f.at.astimezone(zone),
                    source=f.source,
                    score=f.score,
                    phase=f.phase,
                    text=f.text,
                )
                for f in live.feedback
            ],
            recovery_paradox=recovery_paradox(live.feedback),
        ),
        notes=[
            NoteView(
                at=n.at.astimezone(zone),
                actor=n.actor,
                text=n.text,
                source=n.source,
                channel=n.channel,
            )
            for n in live.notes
        ],
        timeline=_timeline(state, incident, moment("updates.next_at"), answered_at, language, zone),
        steps=_steps(state, answered_at, language, zone),
        events=[
            EventView(
                seq=event.seq,
                at=event.at.astimezone(zone),
                actor=event.actor,
                type=event.type,
                summary=summarize(event, language),
                payload={
                    k: v for k, v in event.payload.items() if k not in ("playbook", "scenario")
                },
            )
            for event in state.events
        ],
        training=training_view(state, language=language, zone=zone),
    )


def _decision(live: LiveState, zone: tzinfo) -> DecisionView | None:
    if live.compensation is None or live.compensation_at is None:
        return None
    fields = set(DecisionView.model_fields) - {"at"}
    data = {key: value for key, value in live.compensation.items() if key in fields}
    return DecisionView(at=live.compensation_at.astimezone(zone), **data)


def _measurement(measurement: Measurement, zone: tzinfo) -> MeasurementView:
    figures = shares(measurement.affected, measurement.total) or (0.0, 100.0)
    return MeasurementView(
        at=measurement.at.astimezone(zone),
        affected=measurement.affected,
        total=measurement.total,
        affected_percent=figures[0],
        working_percent=figures[1],
        note=measurement.note,
    )


def _claimed(state: SessionState) -> dict[str, str]:
    """Report field name → answer key, for the report fields this crisiscli knows."""
    return {name: key for name, key in state.report_keys.items() if name in REPORT_FIELDS}


def _fields(state: SessionState, claimed: dict[str, str]) -> dict[str, Any]:
    return {
        name: state.answers[key]
        for name, key in claimed.items()
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


def minutes_to_mitigate(state: SessionState) -> int | None:
    """``incident.minutes_to_mitigate`` of the report: from when it started for the customer
    to when the workaround took effect, in whole minutes (None when either is not recorded,
    or the workaround is dated before the start). ``crisis stats`` reads it too."""
    started, mitigated = (
        state.answer_for(name) for name in ("incident.started_at", "incident.mitigated_at")
    )
    return _minutes(
        datetime.fromisoformat(started) if started else None,
        datetime.fromisoformat(mitigated) if mitigated else None,
    )


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
