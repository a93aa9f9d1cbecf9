from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crisiscli.expressions import ExpressionError, evaluate, is_true, parse

VALUES = {"impact.affected": 3, "impact.total": 1000, "limits.abusive": True, "x.none": None}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("round(100 * (1 - impact.affected / impact.total), 1)", 99.7),
        ("impact.affected > 0 and limits.abusive", True),
        ("impact.affected if impact.total else 0", 3),
        ("'a' in ['a', 'b']", True),
        ("1 < impact.affected < 10", True),
        ("not answered(x.none)", True),
        ("max(1, 2, 3) + min([4, 5]) + abs(-1) + len('abc')", 11),
        ("True and TRUE and true", True),
        ("none", None),
        ("2 ** 10", 1024),
        ("-impact.affected // 2", -2),
    ],
)
def test_evaluates(source: str, expected: object) -> None:
    assert evaluate(parse(source), VALUES) == expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("().__class__", "uses '().__class__'; only step_id.question_id is allowed"),
        ("impact.__class__", "uses 'impact.__class__'; only step_id.question_id is allowed"),
        ("a.b.c", "uses 'a.b.c'; only step_id.question_id is allowed"),
        (
            "__import__('os')",
            "calls '__import__', which is not one of: abs, answered, float, "
            "int, len, max, min, round, str, sum",
        ),
        (
            "open('/etc/passwd')",
            "calls 'open', which is not one of: abs, answered, float, "
            "int, len, max, min, round, str, sum",
        ),
        (
            "(lambda: 1)()",
            "calls 'lambda: 1', which is not one of: abs, answered, float, "
            "int, len, max, min, round, str, sum",
        ),
        ("[x for x in [1]]", "uses a construct that is not allowed (ListComp)"),
        ("impact", "uses the bare name 'impact'; answers are written step_id.question_id"),
        ("impact.affected[0]", "uses a construct that is not allowed (Subscript)"),
        ("round(1, ndigits=2)", "passes keyword arguments to 'round'"),
        ("1 is 1", "uses 'is'; write == or != instead"),
        ("x = 1", "is not a valid expression (invalid syntax)"),
        ("'%s' % 1", None),
        ("f'{1}'", "uses a construct that is not allowed (JoinedStr)"),
        ("~1", "uses '~', which is not allowed"),
        ("1" + " + 1" * 3000, "is longer than 2000 characters"),
        ("[" * 60 + "]" * 60, "nests deeper than 40 levels"),
        ("-" * 100 + "1", "nests deeper than 40 levels"),
    ],
)
def test_refuses_at_parse_time(source: str, message: str | None) -> None:
    if message is None:  # refused at evaluation time instead, or parse-level depth
        with pytest.raises(ExpressionError):
            evaluate(parse(source), VALUES)
        return
    with pytest.raises(ExpressionError) as refused:
        parse(source)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("impact.affected / 0", "divides by zero"),
        ("x.none + 1", "reads an answer that was not given"),
        ("2 ** 1000", "raises to a power above 100"),
        ("'a' * 100000", "builds a sequence longer than 10000"),
        ("[1] * 100000", "builds a sequence longer than 10000"),
        ("10.0 ** 100 * 10.0 ** 100 * 10.0 ** 100 * 10.0 ** 100", None),
        ("len(str([[1] * 10000] * 10000))", "builds a list of lists, which is not allowed"),
        ("len(sum([[1] * 10000] * 10000, []))", "builds a list of lists, which is not allowed"),
        ("str(['a' * 10000] * 10000)", "builds a text longer than 10000 characters"),
        ("sum(['a', 'b'], '')", "sums values that are not all numbers"),
        ("[1] * 10000 + [1] * 10000", "builds a list longer than 10000 items"),
        ("min([])", None),
        ("int('nope')", None),
    ],
)
def test_refuses_at_evaluation_time(source: str, message: str | None) -> None:
    with pytest.raises(ExpressionError) as refused:
        evaluate(parse(source), VALUES)
    if message is not None:
        assert str(refused.value) == message


def test_references_are_collected() -> None:
    expression = parse("impact.affected / impact.total if limits.abusive else 0")
    assert expression.references == {"impact.affected", "impact.total", "limits.abusive"}


def test_a_condition_that_cannot_be_evaluated_is_false() -> None:
    assert is_true(parse("x.none > 3"), VALUES) is False
    assert is_true(parse("impact.affected > 0"), VALUES) is True


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_is_either_refused_cleanly_or_evaluated(source: str) -> None:
    try:
        expression = parse(source)
    except ExpressionError:
        return
    with contextlib.suppress(ExpressionError):
        evaluate(expression, VALUES)
