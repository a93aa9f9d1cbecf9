"""Running a training drill: a session on a simulated clock, injects arriving, actions recorded.

A ``Drill`` owns one training session. The caller (the drill console, or
``run_script`` for a scripted trainee) moves the simulated clock, asks for
the injects that have fallen due, and performs the trainee's actions; each
is recorded as an ordinary event through ``crisiscli.recording``, so a drill
folds, reports and replays like a real crisis. No terminal code: what to
show comes back as text in the session's language.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from crisiscli import events as ev
from crisiscli.clock import Clock, SimulatedClock
from crisiscli.drill_actions import Action, TraineeScript
from crisiscli.drill_record import ReceivedInject
from crisiscli.engine import Prompter, close_session, start_session, walk
from crisiscli.errors import InvalidFileError, ScenarioError, UsageError
from crisiscli.formatting import clock_label
from crisiscli.messages import format_number, t
from crisiscli.playbook import Playbook
from crisiscli.recording import (
    add_note,
    add_stakeholder,
    append_event,
    decide_compensation,
    give_feedback,
    measure_impact,
    replace_stakeholder,
    send_update,
    set_limit,
)
from crisiscli.scenario import Inject, Scenario, to_snapshot
from crisiscli.scoring import Scorecard, score
from crisiscli.state import SessionState
from crisiscli.store import Store


@dataclass
class Drill:
    store: Store
    state: SessionState
    scenario: Scenario
    clock: Clock
    actor: str

    @classmethod
    def begin(
        cls,
        store: Store,
        scenario: Scenario,
        playbook: Playbook,
        *,
        clock: Clock,
        actor: str,
        timezone: str,
        mode: str,
        speed: float | None,
        source: str,
        session_id: str | None = None,
    ) -> Drill:
        """Start the training session with the playbook (and the scenario's contract, if any)."""
        if scenario.contract is not None:
            playbook = dataclasses.replace(playbook, contract=scenario.contract)
        state = start_session(
            store,
            playbook,
            title=scenario.scenario.title,
            source=source,
            clock=clock,
            actor=actor,
            timezone=timezone,
            training=True,
            session_id=session_id,
        )
        payload = {"scenario": to_snapshot(scenario), "mode": mode, "speed": speed}
        append_event(store, state, ev.DRILL_STARTED, payload, clock=clock, actor=actor)
        return cls(store, state, scenario, clock, actor)

    @property
    def language(self) -> str:
        return self.state.language

    @property
    def started_at(self) -> datetime:
        return self.state.started_at

    @property
    def ends_at(self) -> datetime:
        return self.at(self.scenario.scenario.duration_minutes)

    def at(self, minutes: float) -> datetime:
        return self.started_at + timedelta(minutes=minutes)

    def minutes(self) -> float:
        """Simulated minutes since the start."""
        return (self.clock.now() - self.started_at).total_seconds() / 60

    @property
    def over(self) -> bool:
        return self.state.is_closed or self.clock.now() >= self.ends_at

    def pending(self) -> list[tuple[int, Inject]]:
        """The injects that have not reached the trainee yet, in the order they will."""
        received = {inject.index for inject in self._received()}
        return [(i, inj) for i, inj in self.scenario.injects_in_order() if i not in received]

    def _received(self) -> list[ReceivedInject]:
        assert self.state.drill is not None
        return self.state.drill.injects

    def next_inject_at(self) -> datetime | None:
        pending = self.pending()
        return self.at(pending[0][1].at_minutes) if pending else None

    def deliver_due(self) -> list[ReceivedInject]:
        """Record every inject whose time has come, and return them to show."""
        now = self.clock.now()
        delivered: list[ReceivedInject] = []
        for index, inject in self.pending():
            if self.at(inject.at_minutes) > now:
                break
            payload: dict[str, Any] = {
                "index": index,
                **inject.model_dump(mode="json", by_alias=True, exclude_none=True),
            }
            append_event(
                self.store,
                self.state,
                ev.INJECT_RECEIVED,
                payload,
                clock=self.clock,
                actor=self.actor,
            )
            delivered.append(self._received()[-1])
        return delivered

    def advance_to(self, instant: datetime) -> list[ReceivedInject]:
        """Move a scripted clock to ``instant``, delivering each inject on the way at its time."""
        assert isinstance(self.clock, SimulatedClock)
        delivered: list[ReceivedInject] = []
        while (upcoming := self.next_inject_at()) is not None and upcoming <= instant:
            self.clock.jump_to(upcoming)
            delivered += self.deliver_due()
        self.clock.jump_to(instant)
        return delivered + self.deliver_due()

    def skip_to_next_inject(self) -> list[ReceivedInject]:
        """``--step``: move the clock to the next inject and deliver it (and any due with it)."""
        upcoming = self.next_inject_at()
        if upcoming is None:
            return []
        if isinstance(self.clock, SimulatedClock):
            self.clock.jump_to(upcoming)
        return self.deliver_due()

    def walk(self, prompter: Prompter, *, steps: int | None = None) -> None:
        walk(self.store, self.state, prompter, clock=self.clock, actor=self.actor, steps=steps)

    def perform(self, action: Action) -> str:
        """Record one trainee action (not ``walk`` or ``end``); return what to tell them."""
        fields, language = action.fields, self.language
        common: dict[str, Any] = {"clock": self.clock, "actor": self.actor}
        store, state = self.store, self.state
        if action.do == "note":
            add_note(
                store,
                state,
                fields["text"],
                source=fields.get("from"),
                channel=fields.get("channel"),
                **common,
            )
            return t("drill.noted", language)
        if action.do == "stakeholder":
            event = add_stakeholder(
                store,
                state,
                fields["name"],
                org=fields.get("org"),
                role=fields.get("role"),
                cadence_minutes=fields.get("cadence"),
                **common,
            )
            return t(
                "drill.stakeholder",
                language,
                name=event.payload["name"],
                minutes=event.payload["cadence_minutes"],
            )
        if action.do == "replace":
            replace_stakeholder(
                store, state, fields["old"], fields["new"], reason=fields["reason"], **common
            )
            return t("drill.replaced", language, old=fields["old"], new=fields["new"])
        if action.do == "update":
            return self._update(fields)
        if action.do == "impact":
            measure_impact(
                store,
                state,
                affected=fields["affected"],
                total=fields["total"],
                note=fields.get("note"),
                **common,
            )
            return t("drill.impact", language, affected=fields["affected"], total=fields["total"])
        if action.do == "limit":
            set_limit(
                store,
                state,
                fields["name"],
                level=fields["level"],
                text=fields.get("text"),
                **common,
            )
            return t("drill.limit", language, name=fields["name"], level=fields["level"])
        if action.do == "feedback":
            give_feedback(
                store,
                state,
                source=fields["from"],
                score=fields["score"],
                phase=fields.get("phase", "after"),
                text=fields.get("text"),
                **common,
            )
            return t("drill.feedback", language, score=fields["score"], source=fields["from"])
        if action.do == "compensation":
            return self._compensation(fields)
        raise UsageError(f"'{action.do}' is not recorded by perform")

    def _update(self, fields: dict[str, Any]) -> str:
        from crisiscli.coach import coach  # noqa: PLC0415

        text = fields["text"]
        flags = [flag.to_json() for flag in coach(text, self.language)]
        send_update(
            self.store,
            self.state,
            text,
            to=fields.get("to", []),
            channel=fields.get("channel"),
            next_in_minutes=fields.get("next_in"),
            no_news=False,
            flags=flags,
            clock=self.clock,
            actor=self.actor,
        )
        lines = [t("drill.update", self.language, count=len(self.state.live.updates[-1].to))]
        lines += [
            t(
                "drill.coach",
                self.language,
                category=f["category"],
                excerpt=f["excerpt"],
                reason=f["reason"],
            )
            for f in flags
        ]
        return "\n".join(lines)

    def _compensation(self, fields: dict[str, Any]) -> str:
        from crisiscli.compensation import (  # noqa: PLC0415
            assess_session,
            contract_for,
            decision_payload,
        )

        terms = contract_for(self.state, None)
        assessment = assess_session(self.state, terms, self.clock.now())
        offered = assessment.proposed
        if "offer" in fields:
            offered = Decimal(str(fields["offer"]))
            if offered < assessment.owed:
                raise UsageError(
                    f"the offer {fields['offer']} is below what the contract owes "
                    f"({assessment.owed} {assessment.currency}); offer at least that"
                )
        payload = decision_payload(
            assessment, language=self.language, offered=offered, note=fields.get("note")
        )
        decide_compensation(self.store, self.state, payload, clock=self.clock, actor=self.actor)
        return t(
            "drill.compensation",
            self.language,
            owed=format_number(float(assessment.owed), self.language),
            offered=format_number(float(offered), self.language),
            currency=assessment.currency,
        )

    def finish(self, reason: str = "completed") -> Scorecard:
        """Record the end of the drill, close its session, and score it."""
        if not self.state.is_closed:
            payload = {"reason": reason, "at_minutes": round(self.minutes(), 1)}
            append_event(
                self.store,
                self.state,
                ev.DRILL_FINISHED,
                payload,
                clock=self.clock,
                actor=self.actor,
            )
            close_session(
                self.store,
                self.state,
                resolution=t(f"drill.{reason}", self.language),
                clock=self.clock,
                actor=self.actor,
            )
        return score(self.state, self.scenario)


def stop_abandoned(store: Store, state: SessionState, *, actor: str) -> Clock:
    """Record that a drill left open (its console killed) stopped at its last event.

    Returns a clock at that instant, so that closing it stays on simulated time
    rather than jumping to today's date.
    """
    from crisiscli.clock import FixedClock  # noqa: PLC0415
    from crisiscli.scoring import drill_end  # noqa: PLC0415

    assert state.drill is not None
    end = drill_end(state)
    minutes = round((end - state.drill.started_at).total_seconds() / 60, 1)
    clock = FixedClock(end)
    payload = {"reason": "stopped", "at_minutes": minutes}
    append_event(store, state, ev.DRILL_FINISHED, payload, clock=clock, actor=actor)
    return clock


def run_script(drill: Drill, script: TraineeScript, *, say: Any) -> Scorecard:
    """Play a scripted trainee: each action at its minute, injects delivered as they fall due.

    Without any ``walk`` action the whole playbook is walked at minute 0.
    ``say`` receives each line of the transcript (minute, what happened).
    """
    from crisiscli.scripted import ScriptedPrompter  # noqa: PLC0415

    assert isinstance(drill.clock, SimulatedClock)
    duration = drill.scenario.scenario.duration_minutes
    for action in script.actions:
        if (action.at_minutes or 0) > duration:
            raise ScenarioError(
                str(script.path),
                f"minute {action.at_minutes} is after the end of the drill "
                f"(duration_minutes = {duration})",
                path=f"{action.where}.at_minutes",
            )
    actions = sorted(script.actions, key=lambda a: a.at_minutes or 0)
    if not script.walks:
        actions.insert(0, Action("walk", {}, at_minutes=0))
    prompter = ScriptedPrompter(script.path, script.answers)
    for action in actions:
        minute = action.at_minutes or 0
        for inject in drill.advance_to(drill.at(minute)):
            say(describe_inject(inject, drill.language))
        if action.do == "end":
            break
        if action.do == "walk":
            before = len(drill.state.answers)
            drill.walk(prompter, steps=action.fields.get("steps"))
            answered = len(drill.state.answers) - before
            say(f"{clock_label(minute)}  " + t("drill.walked", drill.language, count=answered))
            continue
        try:
            done = drill.perform(action)
        except InvalidFileError:
            raise  # already names its file
        except UsageError as refused:
            # The session refused it (an unknown stakeholder, a score of 11): say where.
            raise ScenarioError(str(script.path), str(refused), path=action.where) from None
        say(f"{clock_label(minute)}  " + done.replace("\n", "\n        "))
    else:
        for inject in drill.advance_to(drill.ends_at):
            say(describe_inject(inject, drill.language))
    return drill.finish("completed")


def describe_inject(inject: ReceivedInject, language: str) -> str:
    """How an inject is shown to the trainee: when, who, how, what it says, what changed."""
    who = inject.source
    if inject.role or inject.org:
        who += f" ({', '.join(x for x in (inject.role, inject.org) if x)})"
    lines = [
        f"{clock_label(inject.at_minutes)}  "
        + t(
            "drill.inject",
            language,
            who=who,
            channel=t(f"drill.channel.{inject.channel}", language),
        )
    ]
    lines += [f"        {line}" for line in inject.text.splitlines()]
    if inject.affected is not None and inject.total is not None:
        lines.append(
            "        "
            + t("drill.inject_impact", language, affected=inject.affected, total=inject.total)
        )
    if inject.restored is not None:
        lines.append(
            "        " + t("drill.restored" if inject.restored else "drill.down_again", language)
        )
    return "\n".join(lines)
