"""The walk, with a fake prompter and a real SQLite journal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from crisiscli.clock import FixedClock
from crisiscli.engine import close_session, rehearse, start_session, walk
from crisiscli.errors import InterruptedByUser, SessionClosedError
from crisiscli.events import Event
from crisiscli.playbook import Question, Step
from crisiscli.playbook_loading import load_playbook
from crisiscli.state import load_session
from crisiscli.store.sqlite import SQLiteStore

from .conftest import MINI_PLAYBOOK


class FakePrompter:
    """Gives scripted raw answers in order and records what the engine showed."""

    def __init__(self, answers: list[Any]) -> None:
        self.answers = list(answers)
        self.log: list[str] = []

    def begin_step(self, number: int, total: int, step: Step) -> None:
        self.log.append(f"step {number}/{total} {step.id}")

    def ask(self, key: str, question: Question, problem: str | None) -> Any:
        self.log.append(f"ask {key}" + (f" after: {problem}" if problem else ""))
        if not self.answers:
            raise KeyboardInterrupt
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def show_computed(self, key: str, value: Any, error: str | None) -> None:
        self.log.append(f"computed {key}={value!r} error={error!r}")

    def show_notice(self, text: str) -> None:
        self.log.append(f"notice {text}")


@pytest.fixture
def setup(
    tmp_path: Path, write: Callable[[str, str], Path], clock: FixedClock
) -> tuple[SQLiteStore, Any]:
    store = SQLiteStore(tmp_path / "crisis.db")
    playbook = load_playbook(write("mini.toml", MINI_PLAYBOOK))
    state = start_session(
        store,
        playbook,
        title="APPLI crash",
        source="test",
        clock=clock,
        actor="me@here",
        timezone="Europe/Paris",
    )
    return store, state


def test_a_full_walk_records_answers_and_computed_values(
    setup: tuple[SQLiteStore, Any], clock: FixedClock
) -> None:
    store, state = setup
    prompter = FakePrompter(["lots", "3", "1 000", "yes", "TIM", "line one\nline two"])
    walk(store, state, prompter, clock=clock, actor="me@here")
    assert prompter.log == [
        "step 1/2 impact",
        "ask impact.affected",
        "ask impact.affected after: expected a whole number, like 1000",
        "ask impact.total",
        "computed impact.working_pct=99.7 error=None",
        "step 2/2 limits",
        "ask limits.abusive",
        "ask limits.who",
        "ask limits.notes",
    ]
    again = load_session(store, state.session_id)
    assert again.answers == {
        "impact.affected": 3,
        "impact.total": 1000,
        "limits.abusive": True,
        "limits.who": "TIM",
        "limits.notes": "line one\nline two",
    }
    assert again.computed["impact.working_pct"].value == 99.7
    assert again.next_item() is None
    assert [e.type for e in store.events(state.session_id)] == [
        "session_started",
        "answer_recorded",
        "answer_recorded",
        "value_computed",
        "answer_recorded",
        "answer_recorded",
        "answer_recorded",
    ]


def test_conditions_skip_steps_and_questions(
    setup: tuple[SQLiteStore, Any], clock: FixedClock
) -> None:
    store, state = setup
    walk(store, state, FakePrompter(["0", "10"]), clock=clock, actor="me")
    again = load_session(store, state.session_id)
    assert again.next_item() is None
    assert [status for _, status in again.step_statuses()] == ["done", "skipped"]

    store2, state2 = (
        store,
        start_session(
            store, state.playbook, title="t", source="s", clock=clock, actor="me", timezone="UTC"
        ),
    )
    walk(store2, state2, FakePrompter(["1", "10", "no", ""]), clock=clock, actor="me")
    assert "limits.who" not in load_session(store2, state2.session_id).answers


def test_a_failed_computation_is_recorded_with_its_reason(
    tmp_path: Path, write: Callable[[str, str], Path], clock: FixedClock
) -> None:
    text = MINI_PLAYBOOK.replace("min = 1\n", "").replace(
        "round(100 * (1 - impact.affected / impact.total), 1)", "impact.affected / impact.total"
    )
    store = SQLiteStore(tmp_path / "c.db")
    state = start_session(
        store,
        load_playbook(write("m.toml", text)),
        title="t",
        source="s",
        clock=clock,
        actor="me",
        timezone="UTC",
    )
    prompter = FakePrompter(["0", "0"])
    walk(store, state, prompter, clock=clock, actor="me")
    assert "computed impact.working_pct=None error='divides by zero'" in prompter.log


def test_interrupting_loses_nothing_and_resume_continues(
    setup: tuple[SQLiteStore, Any], clock: FixedClock
) -> None:
    store, state = setup
    with pytest.raises(InterruptedByUser) as stopped:
        walk(store, state, FakePrompter(["3", EOFError()]), clock=clock, actor="me")
    assert str(stopped.value) == f"saved; continue with `crisis resume {state.session_id}`"
    resumed = load_session(store, state.session_id)
    assert resumed.answers == {"impact.affected": 3}
    prompter = FakePrompter(["1000", "no", ""])
    walk(store, resumed, prompter, clock=clock, actor="me")
    assert prompter.log[0] == "step 1/2 impact"
    assert prompter.log[1] == "ask impact.total"
    assert load_session(store, state.session_id).next_item() is None


def test_a_crash_between_answer_and_computation_computes_on_resume(
    setup: tuple[SQLiteStore, Any], clock: FixedClock
) -> None:
    store, state = setup
    # As if the process died after the last answer of the step was committed.
    for key, value in (("impact.affected", 3), ("impact.total", 1000)):
        payload = {"key": key, "value": value}
        store.append(state.session_id, "answer_recorded", payload, actor="me", at=clock.now())
    prompter = FakePrompter(["no", ""])
    walk(store, load_session(store, state.session_id), prompter, clock=clock, actor="me")
    assert prompter.log[0] == "computed impact.working_pct=99.7 error=None"


def test_the_playbook_is_snapshotted_when_the_session_starts(
    tmp_path: Path, write: Callable[[str, str], Path], clock: FixedClock
) -> None:
    path = write("mini.toml", MINI_PLAYBOOK)
    store = SQLiteStore(tmp_path / "c.db")
    state = start_session(
        store, load_playbook(path), title="t", source="s", clock=clock, actor="me", timezone="UTC"
    )
    path.write_text(MINI_PLAYBOOK.replace("How many users are affected?", "Changed?"))
    again = load_session(store, state.session_id)
    assert again.playbook.steps[0].questions[0].prompt == "How many users are affected?"


def test_two_walks_of_one_session_record_each_answer_once(
    setup: tuple[SQLiteStore, Any], clock: FixedClock
) -> None:
    store, state = setup
    stale = load_session(store, state.session_id)  # a second responder, same screen
    with pytest.raises(InterruptedByUser):
        walk(store, state, FakePrompter(["3"]), clock=clock, actor="alice@a")
    prompter = FakePrompter(["99", "1000", "no", ""])
    walk(store, stale, prompter, clock=clock, actor="bob@b")
    assert prompter.log[:4] == [
        "step 1/2 impact",
        "ask impact.affected",
        "notice impact.affected was answered meanwhile by alice@a: 3. "
        "Your answer was not recorded.",
        "ask impact.total",
    ]
    keys = [e.payload["key"] for e in store.events(state.session_id)[1:]]
    assert sorted(keys) == sorted(set(keys))
    again = load_session(store, state.session_id)
    assert again.answers["impact.affected"] == 3
    assert again.computed["impact.working_pct"].value == 99.7


def test_a_session_closed_elsewhere_refuses_answers_and_computations(
    setup: tuple[SQLiteStore, Any], clock: FixedClock
) -> None:
    store, state = setup
    stale = load_session(store, state.session_id)
    close_session(
        store, load_session(store, state.session_id), resolution="", clock=clock, actor="other"
    )
    with pytest.raises(SessionClosedError):
        walk(store, stale, FakePrompter(["3"]), clock=clock, actor="me")
    # A walk whose next item is a computation is refused too.
    for key, value in (("impact.affected", 3), ("impact.total", 1000)):
        payload = {"key": key, "value": value}
        stale.apply(Event(state.session_id, 99, clock.now(), "me", "answer_recorded", payload))
    with pytest.raises(SessionClosedError):
        walk(store, stale, FakePrompter([]), clock=clock, actor="me")
    assert [e.type for e in store.events(state.session_id)] == ["session_started", "session_closed"]


def test_interrupting_a_rehearsal_says_nothing_was_recorded(
    tmp_path: Path, write: Callable[[str, str], Path], clock: FixedClock
) -> None:
    playbook = load_playbook(write("mini.toml", MINI_PLAYBOOK))
    with pytest.raises(InterruptedByUser) as stopped:
        rehearse(playbook, FakePrompter([]), clock=clock, timezone="UTC")
    assert str(stopped.value) == "stopped before the session started; nothing was recorded"


def test_a_closed_session_accepts_no_more_answers(
    setup: tuple[SQLiteStore, Any], clock: FixedClock
) -> None:
    store, state = setup
    close_session(store, state, resolution="fixed", clock=clock, actor="me")
    with pytest.raises(SessionClosedError):
        walk(store, state, FakePrompter(["3"]), clock=clock, actor="me")
    with pytest.raises(SessionClosedError):
        close_session(store, state, resolution="", clock=clock, actor="me")
    assert load_session(store, state.session_id).resolution == "fixed"
