from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from crisiscli.answers import InvalidAnswer, parse_answer, show_answer
from crisiscli.playbook import Question

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 22, 13, 5, tzinfo=UTC)


def ask(raw: Any, language: str = "en", **question: Any) -> Any:
    fields = {"id": "q", "type": "text", "prompt": "?", **question}
    return parse_answer(Question(**fields), raw, language=language, zone=PARIS, now=NOW)


def refused(raw: Any, language: str = "en", **question: Any) -> str:
    with pytest.raises(InvalidAnswer) as problem:
        ask(raw, language, **question)
    return problem.value.reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1000", 1000),
        ("1 000", 1000),
        ("1,000", 1000),
        ("1\u202f000", 1000),
        (" 3 ", 3),
        (3, 3),
        (3.0, 3),
        ("-2", -2),
    ],
)
def test_integer(raw: Any, expected: int) -> None:
    assert ask(raw, type="integer") == expected


def test_integer_refusals_say_why_in_the_session_language() -> None:
    assert refused("lots", type="integer") == "expected a whole number, like 1000"
    assert refused("beaucoup", "fr", type="integer") == (
        "un nombre entier est attendu, par exemple 1000"
    )
    assert refused("1,5", type="integer") == "expected a whole number, like 1000"
    assert refused(True, type="integer") == "expected a whole number, like 1000"
    assert refused("-1", type="integer", min=0) == "expected 0 or more"
    assert refused("11", type="integer", max=10) == "expected 10 or less"


@pytest.mark.parametrize(
    ("raw", "expected"), [("99.7", 99.7), ("99,7", 99.7), ("3", 3), (".5", 0.5), (2.5, 2.5)]
)
def test_number(raw: Any, expected: float) -> None:
    assert ask(raw, type="number") == expected


def test_decimal_commas_and_grouping_follow_the_language() -> None:
    assert ask("0,250", "fr", type="number") == 0.25
    assert ask("99,700", "fr", type="number") == 99.7
    assert ask("1 000,5", "fr", type="number") == 1000.5
    assert ask("1,000.5", type="number") == 1000.5
    assert ask("1,000", type="number") == 1000
    assert ask("0,250", type="number") == 0.25
    assert refused("12 34", type="integer") == "expected a whole number, like 1000"
    assert refused("1,000", "fr", type="integer") == (
        "un nombre entier est attendu, par exemple 1000"
    )


def test_absurd_numbers_and_broken_text_are_refused_not_crashed() -> None:
    assert refused("9" * 5000, type="integer") == "expected a whole number, like 1000"
    assert refused("1" * 400 + ".0", type="number") == "expected a number, like 99.7"
    assert refused("1" * 19, type="number") == "expected a number, like 99.7"
    assert ask("1" * 18, type="integer") == int("1" * 18)
    assert refused("caf\udce9", type="text") == (
        "the answer holds bytes that are not valid UTF-8 text"
    )


def test_number_refusals() -> None:
    assert refused("about ten", type="number") == "expected a number, like 99.7"
    assert refused("nan", type="number") == "expected a number, like 99.7"
    assert refused(float("nan"), type="number") == "expected a number, like 99.7"
    assert refused(float("inf"), type="number") == "expected a number, like 99.7"


@pytest.mark.parametrize(("raw", "expected"), [("7", 7), ("7/10", 7), ("0", 0), (10, 10)])
def test_score(raw: Any, expected: int) -> None:
    assert ask(raw, type="score") == expected


@pytest.mark.parametrize("raw", ["11", "-1", "seven", "7.5"])
def test_score_refusals(raw: str) -> None:
    assert refused(raw, type="score") == "expected a score from 0 to 10"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("y", True), ("Yes", True), ("oui", True), ("n", False), ("non", False), (False, False)],
)
def test_confirm(raw: Any, expected: bool) -> None:
    assert ask(raw, type="confirm") is expected


def test_choice_by_label_or_number() -> None:
    choices = ["yes", "partly", "no"]
    assert ask("Partly", type="choice", choices=choices) == "partly"
    assert ask("3", type="choice", choices=choices) == "no"
    assert refused("maybe", type="choice", choices=choices) == (
        "expected one of: yes, partly, no (or its number)"
    )


def test_multichoice() -> None:
    choices = ["warn", "end contact", "escalate"]
    assert ask("warn, 3", type="multichoice", choices=choices) == ["warn", "escalate"]
    assert ask(["warn", "warn"], type="multichoice", choices=choices) == ["warn"]
    assert refused("warn, shout", type="multichoice", choices=choices) == (
        "expected some of: warn, end contact, escalate, separated by commas (or their numbers)"
    )


def test_list_and_multiline() -> None:
    assert ask("customer\n\n the customer's customers \n", type="list") == [
        "customer",
        "the customer's customers",
    ]
    assert ask(["a", "b"], type="list") == ["a", "b"]
    assert ask("line one\n  line two", type="multiline") == "line one\n  line two"
    assert refused("two\nlines", type="text") == "expected a single line of text"


def test_datetime_is_read_in_the_session_zone() -> None:
    assert ask("2026-11-22 15:00", type="datetime") == "2026-11-22T15:00+01:00"
    assert ask("16:30", type="datetime") == "2026-11-22T16:30+01:00"
    assert ask("now", type="datetime") == "2026-11-22T14:05+01:00"
    assert ask("maintenant", "fr", type="datetime") == "2026-11-22T14:05+01:00"
    assert ask(datetime(2026, 11, 23, 9, 0), type="datetime") == "2026-11-23T09:00+01:00"
    assert ask(date(2026, 11, 23), type="datetime") == "2026-11-23T00:00+01:00"
    assert ask("24/11/2026 11h00", "fr", type="datetime") == "2026-11-24T11:00+01:00"
    assert ask("2026-11-24 9h30", "fr", type="datetime") == "2026-11-24T09:30+01:00"
    assert ask("24/11/2026", "fr", type="datetime") == "2026-11-24T00:00+01:00"
    assert ask("9h05", "fr", type="datetime") == "2026-11-22T09:05+01:00"
    assert refused("tomorrow", type="datetime").startswith("expected a date and time")
    assert refused("31/02/2026", "fr", type="datetime").startswith("une date et une heure")


def test_empty_answers_use_the_default_or_are_skipped_when_optional() -> None:
    assert ask("", type="integer", default=5) == 5
    assert ask("", type="text", required=False) is None
    assert refused("", type="text") == "an answer is required"
    assert refused("   ", "fr", type="text") == "une réponse est nécessaire"
    assert refused(" \n \n", type="multiline") == "an answer is required"
    assert ask(",", type="multichoice", choices=["a"], required=False) is None
    assert ask("", type="list", required=False) is None


def test_huge_answers_are_refused_with_the_limit() -> None:
    assert refused("x" * 20_001, type="multiline") == (
        "the answer is longer than 20,000 characters; shorten it"
    )


def test_show_answer() -> None:
    assert show_answer(1000, "en") == "1,000"
    assert show_answer(99.7, "fr") == "99,7"
    assert show_answer(True, "fr") == "oui"
    assert show_answer(["a", "b"], "en") == "a, b"
    assert show_answer(None, "en") == "—"
