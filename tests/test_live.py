"""The live-crisis core: recording checks, the promise ledger, impact over time, feedback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crisiscli.clock import FixedClock
from crisiscli.engine import close_session, start_session
from crisiscli.errors import SessionClosedError, UsageError
from crisiscli.live import (
    Measurement,
    cadence_compliance,
    outage_windows,
    promise_ledger,
    recovery_paradox,
    severity_level,
    stakeholders_due,
    user_minutes_lost,
)
from crisiscli.playbook import SeverityLevel
from crisiscli.playbook_loading import load_playbook
from crisiscli.recording import (
    add_note,
    add_stakeholder,
    give_feedback,
    measure_impact,
    replace_stakeholder,
    send_update,
    set_limit,
)
from crisiscli.state import SessionState, load_session
from crisiscli.store.sqlite import SQLiteStore

from .conftest import MINI_PLAYBOOK

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture
def live(tmp_path: Path) -> tuple[SQLiteStore, SessionState, FixedClock]:
    path = tmp_path / "mini.toml"
    path.write_text(MINI_PLAYBOOK, encoding="utf-8")
    store = SQLiteStore(tmp_path / "crisis.db")
    clock = FixedClock(T0)
    state = start_session(
        store, load_playbook(path), title="t", source="", clock=clock, actor="a", timezone="UTC"
    )
    return store, state, clock


def at(clock: FixedClock, minutes: float) -> FixedClock:
    clock.current = T0 + timedelta(minutes=minutes)
    return clock


def update(store: SQLiteStore, state: SessionState, clock: FixedClock, **kw: object) -> None:
    options: dict[str, object] = {"to": [], "channel": None, "next_in_minutes": None}
    options.update(kw)
    send_update(store, state, "text", no_news=False, flags=[], clock=clock, actor="a", **options)  # type: ignore[arg-type]


def test_the_ledger_records_kept_missed_and_pending_promises(
    live: tuple[SQLiteStore, SessionState, FixedClock],
) -> None:
    store, state, clock = live
    add_stakeholder(
        store, state, "Tim", org="ASSO", role=None, cadence_minutes=60, clock=clock, actor="a"
    )
    update(store, state, at(clock, 10), next_in_minutes=30)  # due 09:40
    update(store, state, at(clock, 35))  # kept; due 10:35 by cadence
    update(store, state, at(clock, 100), next_in_minutes=20)  # missed (late by 5 min); due 10:00
    ledger = promise_ledger(state.live, now=T0 + timedelta(minutes=110), closed_at=None)
    assert [(p.status, p.explicit) for p in ledger] == [
        ("kept", True),
        ("missed", False),
        ("pending", True),
    ]
    assert cadence_compliance(ledger) == 50.0
    later = promise_ledger(state.live, now=T0 + timedelta(minutes=121), closed_at=None)
    assert later[-1].status == "overdue"
    assert cadence_compliance(later) == pytest.approx(33.3)
    # Reloaded from the file, the journal gives the same ledger.
    again = load_session(store, state.session_id)
    assert promise_ledger(again.live, now=T0 + timedelta(minutes=121), closed_at=None) == later


def test_what_is_due_per_stakeholder(live: tuple[SQLiteStore, SessionState, FixedClock]) -> None:
    store, state, clock = live
    add_stakeholder(
        store, state, "Tim", org=None, role=None, cadence_minutes=60, clock=clock, actor="a"
    )
    add_stakeholder(
        store, state, "Board", org=None, role=None, cadence_minutes=None, clock=clock, actor="a"
    )
    update(store, state, at(clock, 5), to=["Tim"], next_in_minutes=15)
    due = {d.name: d for d in stakeholders_due(state.live, now=T0 + timedelta(minutes=30))}
    assert due["Tim"].overdue and due["Tim"].minutes_left == -10
    assert due["Tim"].last_update_at == T0 + timedelta(minutes=5)
    # Never updated: due one cadence (the playbook's, 60 minutes) after being added.
    assert not due["Board"].overdue and due["Board"].last_update_at is None
    assert due["Board"].next_due_at == T0 + timedelta(minutes=60)


def test_a_replaced_contact_hands_over_its_promises(
    live: tuple[SQLiteStore, SessionState, FixedClock],
) -> None:
    store, state, clock = live
    add_stakeholder(
        store,
        state,
        "Tim",
        org="ASSO",
        role="president",
        cadence_minutes=30,
        clock=clock,
        actor="a",
    )
    update(store, state, at(clock, 1))
    replace_stakeholder(store, state, "Tim", "Lea", reason="insults", clock=at(clock, 5), actor="a")
    lea = state.live.stakeholders["Lea"]
    assert (lea.org, lea.role, lea.cadence_minutes, lea.replaces) == (
        "ASSO",
        "president",
        30,
        "Tim",
    )
    assert state.live.stakeholders["Tim"].replaced_reason == "insults"
    ledger = promise_ledger(state.live, now=T0 + timedelta(hours=2), closed_at=None)
    assert [(p.stakeholder, p.status) for p in ledger] == [("Tim", "released")]
    with pytest.raises(
        UsageError, match="Tim was replaced by Lea; send updates to the new contact"
    ):
        update(store, state, clock, to=["Tim"])


def test_closing_the_session_settles_the_last_promises(
    live: tuple[SQLiteStore, SessionState, FixedClock],
) -> None:
    store, state, clock = live
    add_stakeholder(
        store, state, "Tim", org=None, role=None, cadence_minutes=60, clock=clock, actor="a"
    )
    update(store, state, at(clock, 1))
    close_session(store, state, resolution="", clock=at(clock, 30), actor="a")
    (promise,) = promise_ledger(state.live, now=T0 + timedelta(days=1), closed_at=state.closed_at)
    assert promise.status == "released"
    with pytest.raises(SessionClosedError):
        add_note(store, state, "late", source=None, channel=None, clock=clock, actor="a")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s, st, c: measure_impact(s, st, affected=5, total=3, note=None, clock=c,
                                         actor="a"),
         "--affected 5 is more than --total 3; count again: the affected users are part of"),
        (lambda s, st, c: measure_impact(s, st, affected=-1, total=3, note=None, clock=c,
                                         actor="a"),
         "user counts cannot be negative; expected 0 or more"),
        (lambda s, st, c: measure_impact(s, st, affected=0, total=0, note=None, clock=c, actor="a"),
         "--total is 0; expected the number of users who could be affected"),
        (lambda s, st, c: set_limit(s, st, "Tim", level="shout", text=None, clock=c, actor="a"),
         "--level 'shout' is not one of warn, final-warning, end-contact, escalate"),
        (lambda s, st, c: set_limit(s, st, "Tim", level="warning", text=None, clock=c, actor="a"),
         "--level 'warning' (did you mean 'warn'?) is not one of"),
        (lambda s, st, c: give_feedback(s, st, source="Lea", score=11, phase="after", text=None,
                                        clock=c, actor="a"),
         "--score 11 is out of range; expected a score from 0 to 10"),
        (lambda s, st, c: give_feedback(s, st, source="Lea", score=7, phase="during", text=None,
                                        clock=c, actor="a"),
         "--phase 'during' is not one of before, after"),
        (lambda s, st, c: add_stakeholder(s, st, "Tim", org=None, role=None, cadence_minutes=0,
                                          clock=c, actor="a"),
         "--cadence 0 is out of range; expected 1 to 1440 minutes"),
        (lambda s, st, c: add_stakeholder(s, st, "  ", org=None, role=None, cadence_minutes=None,
                                          clock=c, actor="a"),
         "the stakeholder name is empty; expected a name"),
        (lambda s, st, c: add_note(s, st, "x", source=None, channel="pigeon", clock=c, actor="a"),
         "--channel 'pigeon' is not one of phone, email, chat, meeting"),
        (lambda s, st, c: send_update(s, st, "x", to=["Nobody"], channel=None, next_in_minutes=None,
                                      no_news=False, flags=[], clock=c, actor="a"),
         "no stakeholder named Nobody; add one with `crisis stakeholder add`"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_before_anything_is_recorded(
    live: tuple[SQLiteStore, SessionState, FixedClock], call: object, message: str
) -> None:
    store, state, clock = live
    with pytest.raises(UsageError) as refused:
        call(store, state, clock)  # type: ignore[operator]
    assert str(refused.value).startswith(message)
    assert len(store.events(state.session_id)) == 1


def test_user_minutes_and_outage_windows_follow_the_measurements() -> None:
    series = [
        Measurement(T0, 3, 1000, None),
        Measurement(T0 + timedelta(minutes=30), 10, 1000, None),
        Measurement(T0 + timedelta(minutes=60), 0, 1000, None),
        Measurement(T0 + timedelta(minutes=90), 2, 1000, None),
    ]
    until = T0 + timedelta(minutes=100)
    assert user_minutes_lost(series, until=until) == 3 * 30 + 10 * 30 + 0 + 2 * 10
    assert outage_windows(series, until=until) == [
        (T0, T0 + timedelta(minutes=60)),
        (T0 + timedelta(minutes=90), until),
    ]


def test_severity_comes_from_the_first_threshold_met() -> None:
    levels = [
        SeverityLevel("critical", affected_percent=25, user_minutes=100_000),
        SeverityLevel("major", affected_percent=5, user_minutes=10_000),
        SeverityLevel("minor", affected_percent=0.1, user_minutes=1),
    ]
    assert severity_level(levels, affected_percent=30, user_minutes=0) == "critical"
    assert severity_level(levels, affected_percent=0.3, user_minutes=20_000) == "major"
    assert severity_level(levels, affected_percent=0.3, user_minutes=90) == "minor"
    assert severity_level(levels, affected_percent=0.0, user_minutes=0) is None
    assert severity_level([], affected_percent=99, user_minutes=1e9) is None


def test_the_recovery_paradox_compares_the_latest_before_and_after_scores(
    live: tuple[SQLiteStore, SessionState, FixedClock],
) -> None:
    store, state, clock = live
    assert recovery_paradox(state.live.feedback) is None
    give_feedback(
        store, state, source="Lea", score=8, phase="before", text=None, clock=clock, actor="a"
    )
    give_feedback(
        store, state, source="Lea", score=7, phase="after", text="ok", clock=clock, actor="a"
    )
    assert recovery_paradox(state.live.feedback) is False
    give_feedback(
        store, state, source="Lea", score=9, phase="after", text=None, clock=clock, actor="a"
    )
    assert recovery_paradox(state.live.feedback) is True
