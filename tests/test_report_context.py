"""The report context, the impact rule, formatting, and the report_as vocabulary."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crisiscli.answers import InvalidAnswer, parse_answer, show_answer
from crisiscli.clock import FixedClock
from crisiscli.engine import start_session
from crisiscli.errors import PlaybookError
from crisiscli.formatting import format_date, format_datetime, format_duration, format_percent
from crisiscli.impact import shares
from crisiscli.playbook import Question
from crisiscli.playbook_loading import load_playbook
from crisiscli.report_context import ReportContext
from crisiscli.report_fields import REPORT_FIELDS
from crisiscli.state import fold
from crisiscli.store.memory import MemoryStore

from .report_samples import STARTED, _playbook, complete_session, context, half_session

Write = Callable[[str, str], Path]
PARIS = "Europe/Paris"


# -- impact shares --------------------------------------------------------------


def test_the_seed_figures() -> None:
    assert shares(3, 1000) == (0.3, 99.7)


@pytest.mark.parametrize(
    ("affected", "total", "expected"),
    [
        (0, 10, (0.0, 100.0)),
        (10, 10, (100.0, 0.0)),
        (1, 100_000, (0.001, 99.999)),
        (99_999, 100_000, (99.999, 0.001)),
        (1, 1999, (0.1, 99.9)),
        (1, 10**12, (0.000001, 99.999999)),
        (11, 10, None),
        (-1, 10, None),
        (1, 0, None),
        (None, 10, None),
        (2, None, None),
    ],
)
def test_shares_never_round_to_the_ends(
    affected: int | None, total: int | None, expected: tuple[float, float] | None
) -> None:
    assert shares(affected, total) == expected


@given(st.integers(min_value=1, max_value=10**12), st.data())
def test_nobody_reads_100_percent_working_while_someone_is_affected(
    total: int, data: st.DataObject
) -> None:
    affected = data.draw(st.integers(min_value=0, max_value=total))
    result = shares(affected, total)
    assert result is not None
    affected_percent, working_percent = result
    assert (working_percent == 100.0) == (affected == 0)
    assert (affected_percent == 100.0) == (affected == total)
    assert round(affected_percent + working_percent, 1) == 100.0


# -- formatting ------------------------------------------------------------------


def test_dates_in_each_language() -> None:
    moment = datetime(2026, 11, 22, 14, 5)
    assert format_datetime(moment, "fr") == "22 novembre 2026, 14:05"
    assert format_datetime(moment, "en") == "22 November 2026, 14:05"
    assert format_date(date(2026, 12, 1), "fr") == "1er décembre 2026"


@pytest.mark.parametrize(
    ("minutes", "en", "fr"),
    [(0, "0 min", "0 min"), (45, "45 min", "45 min"), (120, "2 h", "2 h"),
     (150, "2 h 30 min", "2 h 30 min"), (3000, "2 d 2 h", "2 j 2 h")],
)  # fmt: skip
def test_durations(minutes: int, en: str, fr: str) -> None:
    assert (format_duration(minutes, "en"), format_duration(minutes, "fr")) == (en, fr)


def test_percentages_use_the_language_decimal_mark() -> None:
    assert format_percent(99.7, "en") == "99.7%"
    assert format_percent(99.7, "fr") == "99,7\u202f%"
    assert format_percent(100.0, "fr") == "100\u202f%"
    assert format_percent(0.000001, "en") == "0.000001%"


# -- the actions question type ------------------------------------------------------


def _actions(raw: object, language: str = "en") -> object:
    question = Question(id="actions", type="actions", prompt="Actions?")
    return parse_answer(question, raw, language=language, zone=UTC, now=datetime.now(UTC))


def test_actions_are_typed_one_per_line() -> None:
    raw = "Load-test sign-up; Sam; 2026-12-15\nAdd backoff | Lea | 01/12/2026\nWrite runbook; Alex"
    assert _actions(raw) == [
        {"action": "Load-test sign-up", "owner": "Sam", "due": "2026-12-15"},
        {"action": "Add backoff", "owner": "Lea", "due": "2026-12-01"},
        {"action": "Write runbook", "owner": "Alex", "due": None},
    ]


def test_actions_from_an_answers_file_may_be_tables() -> None:
    value = [{"action": "Add backoff", "owner": "Lea", "due": date(2026, 12, 1)}]
    assert _actions(value) == [{"action": "Add backoff", "owner": "Lea", "due": "2026-12-01"}]
    assert show_answer(_actions(value), "en") == "Add backoff (Lea, 2026-12-01)"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("Add backoff", "expected one action per line as: what; owner; due date"),
        ("Add backoff; ; 2026-12-01", "expected one action per line"),
        ("a; b; c; d", "expected one action per line"),
        ("Add backoff; Lea; next week", "the due date of 'Add backoff' should be a date"),
        ([{"action": "x", "who": "y"}], "expected one action per line"),
        ([{"action": " ", "owner": "Lea"}], "expected one action per line"),
        ([{"action": "x" * 20_001, "owner": "Lea"}], "the answer is longer than 20,000"),
    ],
)
def test_actions_without_an_owner_or_with_a_bad_date_are_refused(raw: object, reason: str) -> None:
    with pytest.raises(InvalidAnswer, match=reason):
        _actions(raw)


def test_a_refused_action_is_explained_in_french() -> None:
    with pytest.raises(InvalidAnswer, match="l'échéance de « x » doit être une date"):
        _actions("x; Lea; bientôt", "fr")


# -- report_as in playbooks ------------------------------------------------------------

PLAYBOOK = """
[playbook]
id = "tiny"
title = "Tiny"
language = "en"

[[steps]]
id = "impact"
title = "Impact"
phase = "quantify"

[[steps.questions]]
id = "affected"
type = "{type}"
prompt = "How many?"
report_as = "{field}"

[[steps.questions]]
id = "again"
type = "integer"
prompt = "How many, again?"
report_as = "{second}"
"""


@pytest.mark.parametrize(
    ("type_", "field", "second", "message"),
    [
        (
            "integer",
            "impact.afected",
            "impact.total",
            "tiny.toml, at steps[0].questions[0].report_as: unknown report field 'impact.afected' "
            "(did you mean 'impact.affected'?); docs/templates.md lists them",
        ),
        (
            "text",
            "impact.affected",
            "impact.total",
            "tiny.toml, at steps[0].questions[0].report_as: 'impact.affected' needs a question "
            "of type integer or number, not text",
        ),
        (
            "integer",
            "impact.affected",
            "impact.affected",
            "tiny.toml, at steps[0].questions[1].report_as: 'impact.affected' is already "
            "reported by impact.affected",
        ),
    ],
)
def test_report_as_is_checked_when_the_playbook_loads(
    write: Write, type_: str, field: str, second: str, message: str
) -> None:
    path = write("tiny.toml", PLAYBOOK.format(type=type_, field=field, second=second))
    with pytest.raises(PlaybookError) as caught:
        load_playbook(path)
    assert str(caught.value).replace(str(path), "tiny.toml") == message


def test_every_report_field_is_a_context_field() -> None:
    for name in REPORT_FIELDS:
        section, field = name.split(".")
        model = ReportContext.model_fields[section].annotation
        assert field in model.model_fields, name  # type: ignore[union-attr]


# -- the context of the sample sessions ---------------------------------------------------


def test_a_complete_session_fills_every_section() -> None:
    view = context(complete_session("en"))
    assert view.missing == []
    assert view.session.status == "closed" and view.session.complete
    assert (view.impact.affected, view.impact.total) == (3, 1000)
    assert (view.impact.affected_percent, view.impact.working_percent) == (0.3, 99.7)
    assert view.incident.started_at == datetime.fromisoformat("2026-11-22T09:00+01:00")
    assert view.incident.minutes_to_resolve == 2 * 24 * 60 + 2 * 60  # until 24 Nov, 11:00
    assert str(view.incident.started_at.tzinfo) == PARIS  # type: ignore[union-attr]
    assert view.review.actions and view.review.actions[0].owner
    assert view.session.actors == ["alex@support-laptop", "sam@lead-desk"]
    assert [e.kind for e in view.timeline][:2] == ["started", "detected"]
    assert view.timeline == sorted(view.timeline, key=lambda e: e.at)
    assert all("playbook" not in e.payload for e in view.events)
    assert len(view.events) == len(complete_session("en").events)


def test_a_half_done_session_names_what_is_missing() -> None:
    view = context(half_session("en", answered=4))
    assert not view.session.complete and view.session.status == "open"
    assert view.incident.customer is not None
    assert view.impact.affected is None and view.impact.affected_percent is None
    assert "impact.affected" in view.missing and "incident.customer" not in view.missing
    asked = [a.key for step in view.steps for a in step.answers]
    assert len(asked) == 4
    assert view.steps[0].unanswered  # the rest of the first step is still to come


def test_the_report_language_may_differ_from_the_session() -> None:
    view = context(complete_session("fr"), language="en")
    assert view.language == "en" and view.session.language == "fr"
    assert view.timeline[0].text == "The problem started for the customer"
    view = context(complete_session("en"), language="fr")
    assert view.timeline[0].text == "Début du problème pour le client"
    detected = next(a for s in view.steps for a in s.answers if a.key == "acknowledge.detected")
    assert detected.text == "22 novembre 2026, 09:20"


def test_sessions_recorded_before_report_fields_existed_still_report() -> None:
    """A 0.1 journal snapshots customer-outage without report_as: the built-in's apply."""
    current = _playbook("en")
    legacy = dataclasses.replace(
        current,
        steps=[
            dataclasses.replace(
                s, questions=[dataclasses.replace(q, report_as=None) for q in s.questions]
            )
            for s in current.steps
        ],
    )
    store = MemoryStore()
    state = start_session(
        store, legacy, title="old", source="", clock=FixedClock(STARTED), actor="a", timezone=PARIS
    )
    store.append(
        state.session_id,
        "answer_recorded",
        {"key": "acknowledge.customer", "value": "ACME"},
        actor="a",
        at=STARTED,
    )
    view = context(fold(store.events(state.session_id)))
    assert view.incident.customer == "ACME"
    assert "impact" in view.covers
