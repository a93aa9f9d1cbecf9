"""Walking a playbook: ask what is due, record it, compute what follows.

The engine talks to the responder only through a ``Prompter`` and to the
journal only through a ``Store``; it has no terminal code. Every answer is
committed to the store before the next question is asked, so an interrupted
walk loses nothing that was acknowledged and ``resume`` picks up where it
stopped.
"""

from __future__ import annotations

import secrets
import string
from datetime import datetime
from typing import Any, Protocol

from crisiscli import events as ev
from crisiscli.answers import InvalidAnswer, parse_answer, show_answer
from crisiscli.clock import Clock, timezone_from_name
from crisiscli.errors import AlreadyRecordedError, InterruptedByUser, SessionClosedError
from crisiscli.expressions import ExpressionError, evaluate, parse
from crisiscli.messages import t
from crisiscli.playbook import Playbook, Question, Step, to_snapshot
from crisiscli.recording import append_event
from crisiscli.state import NextComputation, NextQuestion, SessionState, fold, load_session
from crisiscli.store import Store

_ID_ALPHABET = string.ascii_lowercase + string.digits


class Prompter(Protocol):
    """How the engine reaches the responder (a terminal, a pipe, a script)."""

    def begin_step(self, number: int, total: int, step: Step) -> None:
        """Show a step's title, guidance and checklist before its questions."""
        ...

    def ask(self, key: str, question: Question, problem: str | None) -> Any:
        """Return the raw answer to ``question``.

        ``problem`` is set when the previous answer was refused; it says why,
        in the session's language. Raise ``KeyboardInterrupt`` or ``EOFError``
        to stop the walk (everything recorded so far is kept).
        """
        ...

    def show_computed(self, key: str, value: Any, error: str | None) -> None:
        """Show a value computed from the answers, or why it could not be."""
        ...

    def show_notice(self, text: str) -> None:
        """Tell the responder something happened that they did not cause."""
        ...


def new_session_id(now: datetime) -> str:
    """A readable id that sorts by start time: ``20261122-1405-k3m9qz``."""
    suffix = "".join(secrets.choice(_ID_ALPHABET) for _ in range(6))
    return f"{now:%Y%m%d-%H%M}-{suffix}"


def start_session(
    store: Store,
    playbook: Playbook,
    *,
    title: str,
    source: str,
    clock: Clock,
    actor: str,
    timezone: str,
    training: bool = False,
    session_id: str | None = None,
) -> SessionState:
    """Record a new session with a snapshot of ``playbook`` and return its state.

    The snapshot means later edits to the playbook file change nothing recorded.
    ``session_id`` is drawn at random unless given (sample sessions, imports).
    """
    now = clock.now()
    if session_id is None:
        session_id = new_session_id(now.astimezone(timezone_from_name(timezone)))
    payload = {
        "playbook_id": playbook.id,
        "title": title,
        "language": playbook.language,
        "timezone": timezone,
        "source": source,
        "training": training,
        "playbook": to_snapshot(playbook),
    }
    event = store.append(
        session_id, ev.SESSION_STARTED, payload, actor=actor, at=now, new_session=True
    )
    return fold([event])


def walk(
    store: Store,
    state: SessionState,
    prompter: Prompter,
    *,
    clock: Clock,
    actor: str,
    steps: int | None = None,
) -> SessionState:
    """Ask every question still due, in order, recording each answer as it comes.

    ``steps`` stops the walk before a further step begins once that many were
    walked (a drill interleaves the playbook with what arrives meanwhile).
    """
    if state.is_closed:
        raise SessionClosedError(state.session_id)
    zone = timezone_from_name(state.timezone)
    total = len(state.playbook.steps)
    shown_step = -1
    begun = 0
    try:
        while (item := state.next_item()) is not None:
            if item.step_index != shown_step and isinstance(item, NextQuestion):
                if steps is not None and begun >= steps:
                    break
                prompter.begin_step(item.step_index + 1, total, item.step)
                shown_step = item.step_index
                begun += 1
            try:
                if isinstance(item, NextQuestion):
                    value = _ask_until_valid(state, item, prompter, zone=zone, clock=clock)
                    payload = {"key": item.key, "value": value}
                    append_event(
                        store,
                        state,
                        ev.ANSWER_RECORDED,
                        payload,
                        clock=clock,
                        actor=actor,
                        unique_key=True,
                    )
                else:
                    _compute(store, state, item, prompter, clock=clock, actor=actor)
            except AlreadyRecordedError as conflict:
                # Someone else walks this session too: take their answers and go on.
                state = load_session(store, state.session_id)
                prompter.show_notice(_conflict_notice(state, conflict.key))
    except (KeyboardInterrupt, EOFError):
        raise InterruptedByUser(
            t("walk.saved", state.language, session_id=state.session_id)
        ) from None
    return state


def _conflict_notice(state: SessionState, key: str) -> str:
    recorded = next(e for e in reversed(state.events) if e.payload.get("key") == key)
    value = show_answer(recorded.payload.get("value"), state.language)
    return t("walk.conflict", state.language, key=key, actor=recorded.actor, value=value)


def _ask_until_valid(
    state: SessionState, item: NextQuestion, prompter: Prompter, *, zone: Any, clock: Clock
) -> Any:
    problem: str | None = None
    while True:
        raw = prompter.ask(item.key, item.question, problem)
        try:
            return parse_answer(
                item.question, raw, language=state.language, zone=zone, now=clock.now()
            )
        except InvalidAnswer as refused:
            problem = refused.reason


def _compute(
    store: Store,
    state: SessionState,
    item: NextComputation,
    prompter: Prompter,
    *,
    clock: Clock,
    actor: str,
) -> None:
    for name in item.names:
        key = f"{item.step.id}.{name}"
        value: Any = None
        error: str | None = None
        try:
            value = evaluate(parse(item.step.compute[name]), state.values())
        except ExpressionError as failure:
            error = str(failure)
        payload = {"key": key, "value": value, "error": error}
        append_event(
            store, state, ev.VALUE_COMPUTED, payload, clock=clock, actor=actor, unique_key=True
        )
        prompter.show_computed(key, value, error)


def rehearse(playbook: Playbook, prompter: Prompter, *, clock: Clock, timezone: str) -> None:
    """Walk ``playbook`` against an in-memory store, recording nothing.

    Used before a scripted run, so that a missing or invalid answer fails
    before any session exists rather than leaving a half-answered one.
    """
    from crisiscli.store.memory import MemoryStore  # noqa: PLC0415

    memory = MemoryStore()
    state = start_session(
        memory, playbook, title="rehearsal", source="", clock=clock, actor="", timezone=timezone
    )
    try:
        walk(memory, state, prompter, clock=clock, actor="")
    except InterruptedByUser:
        raise InterruptedByUser(t("walk.nothing_saved", playbook.language)) from None


def close_session(
    store: Store, state: SessionState, *, resolution: str, clock: Clock, actor: str
) -> SessionState:
    """Record the resolution time; afterwards the session accepts no more answers."""
    if state.is_closed:
        raise SessionClosedError(state.session_id)
    event = store.append(
        state.session_id,
        ev.SESSION_CLOSED,
        {"resolution": resolution},
        actor=actor,
        at=clock.now(),
        refuse_if_closed=True,
    )
    state.apply(event)
    return state
