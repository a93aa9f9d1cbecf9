"""Loading a playbook file: TOML, then shape (pydantic), then meaning.

Every problem becomes a ``PlaybookError`` naming the file, the line (for TOML
syntax) or the key path (``steps[2].questions[0].type``), what was expected,
and a "did you mean" when a key or value looks misspelt.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, NoReturn, get_args

from crisiscli.answers import InvalidAnswer, parse_answer
from crisiscli.errors import PlaybookError, UsageError, did_you_mean
from crisiscli.expressions import FUNCTIONS, ExpressionError, parse
from crisiscli.playbook import (
    FORMAT_VERSION,
    Cadence,
    Language,
    Phase,
    Playbook,
    PlaybookInfo,
    Question,
    QuestionType,
    SeverityLevel,
    Step,
    to_snapshot,
)
from crisiscli.report_fields import REPORT_FIELDS
from crisiscli.store import encode_payload
from crisiscli.tomlfile import key_path, read_toml, toml_type

PLAYBOOK_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_STEPS = 200
MAX_QUESTIONS = 100
MAX_TEXT = 20_000
NUMERIC_TYPES = ("integer", "number")
CHOICE_TYPES = ("choice", "multichoice")

_Fail = Callable[[str, str], NoReturn]

# The keys allowed in each table, found from the non-numeric parts of a key path.
_TABLES: dict[tuple[str, ...], type] = {
    (): Playbook,
    ("playbook",): PlaybookInfo,
    ("playbook", "cadence"): Cadence,
    ("playbook", "severity"): SeverityLevel,
    ("steps",): Step,
    ("steps", "questions"): Question,
}
_ALLOWED_VALUES: dict[str, tuple[str, ...]] = {
    "type": get_args(QuestionType),
    "phase": get_args(Phase),
    "language": get_args(Language),
}
_EXPECTED = {
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected an array",
    "dict_type": "expected a table",
    "dataclass_type": "expected a table",
    "dataclass_args_type": "expected a table",
    "model_type": "expected a table",
}


def load_playbook(path: Path) -> Playbook:
    """Read and check the playbook at ``path``."""
    shown = str(path)
    data = read_toml(path, PlaybookError)
    contract = data.pop("contract", None)
    if contract is not None:
        from crisiscli.contract import contract_from_table  # noqa: PLC0415

        if not isinstance(contract, dict):
            raise PlaybookError(shown, "expected a table", path="contract")
        contract_from_table(contract, file=shown, prefix="contract")
        contract = json.loads(json.dumps(contract, default=_iso))
    playbook = _validate_shape(shown, data)
    if contract is not None:
        playbook = dataclasses.replace(playbook, contract=contract)
    _check_meaning(shown, playbook)
    try:
        encode_payload(to_snapshot(playbook))
    except UsageError as problem:  # a safety net: every check above should catch it first
        raise PlaybookError(shown, str(problem)) from None
    return playbook


def _validate_shape(file: str, data: dict[str, Any]) -> Playbook:
    from pydantic import TypeAdapter, ValidationError  # noqa: PLC0415

    # Strict validation of the data as JSON: no silent coercion ("yes" is not a
    # boolean, true is not a number) while tables still become dataclasses.
    # TOML dates become ISO text on the way (they are only meaningful as defaults).
    text = json.dumps(data, default=_iso, allow_nan=True)
    try:
        return TypeAdapter(Playbook).validate_json(text, strict=True)
    except ValidationError as exc:
        problems = exc.errors(include_url=False)
        path, problem = _describe(problems[0], data)
        if len(problems) > 1:
            others = len(problems) - 1
            problem += f" (and {others} more problem{'s' if others > 1 else ''})"
        raise PlaybookError(file, problem, path=path) from None


def _iso(value: Any) -> str:
    if isinstance(value, date | time):
        return value.isoformat()
    raise TypeError(f"unexpected {type(value).__name__} in a TOML document")


def _describe(error: Any, data: dict[str, Any]) -> tuple[str, str]:
    """A pydantic error as (key path, problem in plain words)."""
    location = tuple(error["loc"])
    kind = error["type"]
    key = location[-1] if location else ""
    parent = tuple(part for part in location[:-1] if isinstance(part, str))
    if kind in ("unexpected_keyword_argument", "extra_forbidden"):
        table = _TABLES.get(parent)
        known = list(getattr(table, "__dataclass_fields__", {}))
        return key_path(*location), f"unknown key '{key}'{did_you_mean(str(key), known)}"
    if kind in ("missing", "missing_keyword_argument", "missing_argument"):
        return key_path(*location), "is required but missing"
    if kind == "literal_error":
        allowed = _ALLOWED_VALUES.get(str(key), ())
        got = error.get("input")
        listing = ", ".join(f"'{value}'" for value in allowed)
        hint = did_you_mean(got, allowed) if isinstance(got, str) else ""
        return key_path(*location), f"expected one of {listing}; got {got!r}{hint}"
    if kind in _EXPECTED:
        got = toml_type(error.get("input"))
        return key_path(*location), f"{_EXPECTED[kind]}, got {got}"
    return key_path(*location), str(error["msg"]).lower()


def _check_meaning(file: str, playbook: Playbook) -> None:
    """Checks beyond shape: identifiers, references, bounds, defaults."""

    def fail(path: str, problem: str) -> NoReturn:
        raise PlaybookError(file, problem, path=path)

    _check_info(fail, playbook)
    _check_steps(fail, playbook)


def _check_info(fail: _Fail, playbook: Playbook) -> None:
    info = playbook.playbook
    if not PLAYBOOK_ID.fullmatch(info.id):
        fail("playbook.id", "expected lowercase letters, digits and dashes, like customer-outage")
    if info.format != FORMAT_VERSION:
        fail("playbook.format", f"expected {FORMAT_VERSION}, the only format version there is")
    if not 1 <= info.cadence.update_every_minutes <= 1440:
        fail("playbook.cadence.update_every_minutes", "expected minutes from 1 to 1440")
    _check_text(fail, "playbook.title", info.title, limit=200, single_line=True)
    seen_levels: set[str] = set()
    for index, level in enumerate(info.severity):
        at = f"playbook.severity[{index}]"
        _check_text(fail, f"{at}.level", level.level, limit=60, single_line=True)
        if level.level in seen_levels:
            fail(f"{at}.level", f"the level '{level.level}' is listed twice")
        seen_levels.add(level.level)
        if level.affected_percent is None and level.user_minutes is None:
            fail(at, "expected affected_percent, user_minutes or both")
        if level.affected_percent is not None and not 0 <= level.affected_percent <= 100:
            fail(f"{at}.affected_percent", "expected a share from 0 to 100")
        if level.user_minutes is not None and not 0 <= level.user_minutes < 1e15:
            fail(f"{at}.user_minutes", "expected a number of user-minutes, 0 or more")
        if index > 0:
            before = info.severity[index - 1]
            for name in ("affected_percent", "user_minutes"):
                mine, theirs = getattr(level, name), getattr(before, name)
                if mine is not None and theirs is not None and mine > theirs:
                    fail(
                        f"{at}.{name}",
                        "levels go from most to least severe: expected a threshold no higher "
                        f"than the level before ({theirs:g})",
                    )
    _check_text(fail, "playbook.description", info.description, required=False)
    if not playbook.steps:
        fail("steps", "expected at least one step")
    if len(playbook.steps) > MAX_STEPS:
        fail("steps", f"expected at most {MAX_STEPS} steps")


def _check_steps(fail: _Fail, playbook: Playbook) -> None:
    known: list[str] = []  # keys an expression may read so far, in walking order
    later = set(playbook.question_keys()) | {
        f"{s.id}.{name}" for s in playbook.steps for name in s.compute
    }
    seen_steps: set[str] = set()
    for s_index, step in enumerate(playbook.steps):
        at = f"steps[{s_index}]"
        if not IDENTIFIER.fullmatch(step.id):
            fail(f"{at}.id", "expected lowercase letters, digits and underscores, like impact")
        if step.id in seen_steps:
            fail(f"{at}.id", f"the step id '{step.id}' is used twice")
        seen_steps.add(step.id)
        _check_text(fail, f"{at}.title", step.title, limit=200, single_line=True)
        _check_text(fail, f"{at}.guidance", step.guidance, required=False)
        for c_index, item in enumerate(step.checklist):
            _check_text(fail, f"{at}.checklist[{c_index}]", item, limit=2000)
        if step.when is not None:
            _check_expression(fail, f"{at}.when", step.when, known, later)
        if not step.questions:
            fail(f"{at}.questions", "expected at least one question")
        if len(step.questions) > MAX_QUESTIONS:
            fail(f"{at}.questions", f"expected at most {MAX_QUESTIONS} questions")
        step_known = list(known)
        seen_questions: set[str] = set()
        for q_index, question in enumerate(step.questions):
            q_at = f"{at}.questions[{q_index}]"
            if not IDENTIFIER.fullmatch(question.id):
                fail(f"{q_at}.id", "expected lowercase letters, digits and underscores")
            if question.id in seen_questions:
                fail(f"{q_at}.id", f"the question id '{question.id}' is used twice in this step")
            seen_questions.add(question.id)
            _check_question(fail, q_at, question, step_known, later)
            step_known.append(f"{step.id}.{question.id}")
        for name, source in step.compute.items():
            if not IDENTIFIER.fullmatch(name):
                fail(
                    f"{at}.compute.{name}",
                    "expected a name of lowercase letters, digits and underscores",
                )
            if name in seen_questions:
                fail(f"{at}.compute.{name}", f"'{name}' is already a question of this step")
            _check_expression(fail, f"{at}.compute.{name}", source, step_known, later)
            step_known.append(f"{step.id}.{name}")
        known = step_known
    _check_report_fields(fail, playbook)


def _check_report_fields(fail: _Fail, playbook: Playbook) -> None:
    """Each ``report_as`` names a known report field, fits its type, and is used once."""
    claimed: dict[str, str] = {}
    for s_index, step in enumerate(playbook.steps):
        for q_index, question in enumerate(step.questions):
            name = question.report_as
            if name is None:
                continue
            at = f"steps[{s_index}].questions[{q_index}].report_as"
            if name not in REPORT_FIELDS:
                hint = did_you_mean(name, list(REPORT_FIELDS))
                fail(at, f"unknown report field '{name}'{hint}; docs/templates.md lists them")
            types, _meaning = REPORT_FIELDS[name]
            if question.type not in types:
                accepted = " or ".join(types)
                fail(at, f"'{name}' needs a question of type {accepted}, not {question.type}")
            if name in claimed:
                fail(at, f"'{name}' is already reported by {claimed[name]}")
            claimed[name] = f"{step.id}.{question.id}"


def _check_question(
    fail: _Fail, at: str, question: Question, known: list[str], later: set[str]
) -> None:
    _check_text(fail, f"{at}.prompt", question.prompt, limit=2000)
    _check_text(fail, f"{at}.help", question.help, required=False, limit=2000)
    kind: QuestionType = question.type
    if kind in CHOICE_TYPES:
        if not question.choices:
            fail(f"{at}.choices", f"a {kind} question needs a list of choices")
        if len(set(question.choices)) != len(question.choices):
            fail(f"{at}.choices", "each choice must appear once")
        for index, choice in enumerate(question.choices):
            if not choice.strip() or choice.strip().isdigit() or any(c in choice for c in ",\n\r"):
                fail(
                    f"{at}.choices[{index}]",
                    "expected a one-line label that is not empty, not a number and has no comma",
                )
    elif question.choices:
        fail(f"{at}.choices", f"choices only apply to choice and multichoice, not {kind}")
    for bound in ("min", "max"):
        value = getattr(question, bound)
        if value is not None and kind not in NUMERIC_TYPES:
            fail(f"{at}.{bound}", f"{bound} only applies to integer and number, not {kind}")
        if value is not None and (isinstance(value, bool) or not math.isfinite(value)):
            fail(f"{at}.{bound}", "expected a finite number")
    if question.min is not None and question.max is not None and question.min > question.max:
        fail(f"{at}.max", "expected max to be at least min")
    if question.default in ("", []):
        fail(f"{at}.default", "expected a default answer; leave the key out for no default")
    if question.default is not None:
        try:
            parse_answer(question, question.default, language="en", zone=UTC, now=datetime.now(UTC))
        except InvalidAnswer as refused:
            fail(f"{at}.default", f"the default does not fit the question: {refused.reason}")
    if question.when is not None:
        _check_expression(fail, f"{at}.when", question.when, known, later)


def _check_text(
    fail: _Fail,
    at: str,
    text: str,
    *,
    required: bool = True,
    limit: int = MAX_TEXT,
    single_line: bool = False,
) -> None:
    if required and not text.strip():
        fail(at, "expected some text, got an empty string")
    if single_line and ("\n" in text or "\r" in text):
        fail(at, "expected a single line of text")
    if len(text) > limit:
        fail(at, f"expected at most {limit:,} characters, got {len(text):,}")


def _check_expression(fail: _Fail, at: str, source: str, known: list[str], later: set[str]) -> None:
    try:
        expression = parse(source)
    except ExpressionError as problem:
        fail(at, f"the expression {problem}")
        return
    for reference in sorted(expression.references):
        if reference in known:
            continue
        if reference in later:
            fail(at, f"'{reference}' is answered later in the playbook; refer to earlier answers")
        hint = did_you_mean(reference, known)
        functions = ", ".join(sorted(FUNCTIONS))
        fail(
            at,
            f"unknown answer '{reference}'{hint}; expressions read step_id.question_id "
            f"or computed values and may call {functions}",
        )
