"""Safe expressions over answers, for ``when`` conditions and computed values.

Playbooks are shared files, so their expressions are untrusted. They are
parsed with :mod:`ast` and interpreted here node by node; nothing is ever
passed to ``eval`` or ``compile``. Only a small, documented subset exists:

* literals: numbers, strings, ``true``/``false``/``none`` (any case), lists;
* answers as ``step_id.question_id`` (an unanswered or skipped one is ``none``);
* ``+ - * / // % **``, comparisons (chained too), ``in``, ``not in``,
  ``and``, ``or``, ``not``, ``a if condition else b``;
* the functions in ``FUNCTIONS``.

Names starting with an underscore, any other attribute, subscripts, lambdas,
comprehensions and keyword arguments are refused when the playbook is loaded.
Sizes are capped so that an expression cannot exhaust memory or time.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

MAX_SOURCE_LENGTH = 2_000
MAX_DEPTH = 40
MAX_NUMBER = 10**30
MAX_SEQUENCE = 10_000

CONSTANT_NAMES: dict[str, Any] = {"true": True, "false": False, "none": None}


class ExpressionError(Exception):
    """An expression that is not allowed, or that could not be evaluated."""


def _text_of(value: Any) -> str:
    """``str()``, refused before building a text over the size limit."""
    if isinstance(value, list):
        size = sum(len(item) if isinstance(item, str) else 24 for item in value)
        if size > MAX_SEQUENCE:
            raise ExpressionError(f"builds a text longer than {MAX_SEQUENCE} characters")
    return str(value)


def _sum(items: Any, start: Any = 0) -> Any:
    """``sum()`` of numbers only (summing lists or texts would build huge values)."""
    values = [*items, start]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        raise ExpressionError("sums values that are not all numbers")
    return sum(items, start)


MAX_ROUND_DIGITS = 30


def _round(value: Any, digits: Any = 0) -> Any:
    """``round`` with at most 30 digits either side (a huge count would hang in C)."""
    digits = int(digits)
    if not -MAX_ROUND_DIGITS <= digits <= MAX_ROUND_DIGITS:
        raise ExpressionError(
            f"rounds to {digits} digits; expected -{MAX_ROUND_DIGITS} to {MAX_ROUND_DIGITS}"
        )
    result = round(value, digits)
    return int(result) if digits == 0 else result


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": abs,
    "min": min,
    "max": max,
    "round": _round,
    "len": len,
    "int": int,
    "float": float,
    "str": _text_of,
    "sum": _sum,
    "answered": lambda value: value is not None and value not in ("", []),
}

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


@dataclass(frozen=True)
class Expression:
    """A checked expression, ready to evaluate many times."""

    source: str
    tree: ast.expr
    references: frozenset[str]
    """The ``step_id.name`` keys the expression reads."""


@lru_cache(maxsize=1024)
def parse(source: str) -> Expression:
    """Check an expression and return it; raise ``ExpressionError`` saying why not.

    Cached: a walk evaluates the same conditions after every answer.
    """
    if len(source) > MAX_SOURCE_LENGTH:
        raise ExpressionError(f"is longer than {MAX_SOURCE_LENGTH} characters")
    try:
        tree = ast.parse(source.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ExpressionError(f"is not a valid expression ({exc.msg})") from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError("is not a valid expression") from None
    references: set[str] = set()
    _check(tree, references, depth=0)
    return Expression(source=source, tree=tree, references=frozenset(references))


def _check(node: ast.AST, references: set[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ExpressionError(f"nests deeper than {MAX_DEPTH} levels")
    children: list[ast.AST]
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, int | float | str | bool | None):
            raise ExpressionError(f"uses a literal of type {type(node.value).__name__}")
        return
    if isinstance(node, ast.Name):
        if node.id.lower() in CONSTANT_NAMES:
            return
        raise ExpressionError(
            f"uses the bare name '{node.id}'; answers are written step_id.question_id"
        )
    if isinstance(node, ast.Attribute):
        if not isinstance(node.value, ast.Name) or node.attr.startswith("_"):
            raise ExpressionError(
                f"uses '{ast.unparse(node)}'; only step_id.question_id is allowed"
            )
        if node.value.id.startswith("_"):
            raise ExpressionError(f"uses the name '{node.value.id}', which is not allowed")
        references.add(f"{node.value.id}.{node.attr}")
        return
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = ast.unparse(node.func)
            raise ExpressionError(
                f"calls '{name}', which is not one of: {', '.join(sorted(FUNCTIONS))}"
            )
        if node.keywords:
            raise ExpressionError(f"passes keyword arguments to '{node.func.id}'")
        children = list(node.args)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise ExpressionError(f"uses the operator '{ast.unparse(node)}', which is not allowed")
        children = [node.left, node.right]
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.Not | ast.USub | ast.UAdd):
            raise ExpressionError("uses '~', which is not allowed")
        children = [node.operand]
    elif isinstance(node, ast.BoolOp):
        children = list(node.values)
    elif isinstance(node, ast.Compare):
        for op in node.ops:
            if type(op) not in _COMPARE:
                raise ExpressionError("uses 'is'; write == or != instead")
        children = [node.left, *node.comparators]
    elif isinstance(node, ast.IfExp):
        children = [node.test, node.body, node.orelse]
    elif isinstance(node, ast.List | ast.Tuple):
        children = list(node.elts)
    else:
        kind = type(node).__name__
        raise ExpressionError(f"uses a construct that is not allowed ({kind})")
    for child in children:
        _check(child, references, depth + 1)


def evaluate(expression: Expression, values: Mapping[str, Any]) -> Any:
    """Evaluate with ``values`` keyed ``step_id.name``; missing keys are ``None``."""
    try:
        return _checked(_eval(expression.tree, values))
    except ExpressionError:
        raise
    except ZeroDivisionError:
        raise ExpressionError("divides by zero") from None
    except TypeError as exc:
        raise ExpressionError(_type_problem(exc)) from None
    except (ValueError, OverflowError, RecursionError, MemoryError) as exc:
        raise ExpressionError(f"could not be computed ({exc})") from None


def is_true(expression: Expression, values: Mapping[str, Any]) -> bool:
    """A condition's truth; one that cannot be evaluated (e.g. unanswered) is false."""
    try:
        return bool(evaluate(expression, values))
    except ExpressionError:
        return False


def _type_problem(exc: TypeError) -> str:
    text = str(exc)
    if "NoneType" in text:
        return "reads an answer that was not given"
    return f"mixes values of the wrong types ({text})"


def _checked(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        if isinstance(value, str) and len(value) > MAX_SEQUENCE:
            raise ExpressionError(f"builds a text longer than {MAX_SEQUENCE} characters")
        return value
    if isinstance(value, int):
        if abs(value) > MAX_NUMBER:
            raise ExpressionError("builds a number too large")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ExpressionError("gives a number that is not finite")
        return value
    if isinstance(value, list | tuple):
        if len(value) > MAX_SEQUENCE:
            raise ExpressionError(f"builds a list longer than {MAX_SEQUENCE} items")
        if any(isinstance(item, list | tuple) for item in value):
            raise ExpressionError("builds a list of lists, which is not allowed")
        return list(value)
    raise ExpressionError(f"gives a value of type {type(value).__name__}")


def _eval(node: ast.AST, values: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return CONSTANT_NAMES[node.id.lower()]
    if isinstance(node, ast.Attribute):
        assert isinstance(node.value, ast.Name)
        return values.get(f"{node.value.id}.{node.attr}")
    if isinstance(node, ast.BoolOp):
        result: Any = None
        for item in node.values:
            result = _eval(item, values)
            if isinstance(node.op, ast.And) and not result:
                return result
            if isinstance(node.op, ast.Or) and result:
                return result
        return result
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        if isinstance(node.op, ast.Not):
            return not operand
        return -operand if isinstance(node.op, ast.USub) else +operand
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, values), _eval(node.right, values)
        _guard_size(node.op, left, right)
        return _checked(_BINARY[type(node.op)](left, right))
    if isinstance(node, ast.Compare):
        left = _eval(node.left, values)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, values)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.IfExp):
        branch = node.body if _eval(node.test, values) else node.orelse
        return _eval(branch, values)
    if isinstance(node, ast.List | ast.Tuple):
        return _checked([_eval(item, values) for item in node.elts])
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        args = [_eval(arg, values) for arg in node.args]
        return _checked(FUNCTIONS[node.func.id](*args))
    raise ExpressionError(f"uses a construct that is not allowed ({type(node).__name__})")


def _guard_size(op: ast.operator, left: Any, right: Any) -> None:
    """Refuse operations whose result would be huge before computing them."""
    if isinstance(op, ast.Pow) and isinstance(right, int | float) and abs(right) > 100:
        raise ExpressionError("raises to a power above 100")
    if isinstance(op, ast.Mult):
        for seq, count in ((left, right), (right, left)):
            sized = isinstance(seq, str | list) and isinstance(count, int)
            if sized and len(seq) * count > MAX_SEQUENCE:
                raise ExpressionError(f"builds a sequence longer than {MAX_SEQUENCE}")
    if isinstance(op, ast.Mod) and isinstance(left, str):
        raise ExpressionError("uses '%' on text, which is not allowed")
