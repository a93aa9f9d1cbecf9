"""The JSON Schemas of the files people write: playbooks, scenarios, contracts, answers.

Editors that use taplo (VS Code's Even Better TOML among them) read these to
validate and complete a file as it is typed; ``crisis schema KIND`` prints
them, and ``schemas/`` holds the published copies that the shipped files name
in their ``#:schema`` first line (``tests/test_schemas.py`` keeps them in
sync).

Each schema starts from pydantic's view of the classes the loaders validate
with, so a key added to a class appears here with its docstring as its
description. The loaders check more in code than pydantic sees (identifier
patterns, bounds, which keys go with which question type); those rules are
added on top, because an editor only knows what the schema says. The loader
stays the judge: ``crisis playbooks validate``, ``crisis scenario check``.

The schemas declare draft 2020-12 but use only keywords that draft 7 has too
(``if``/``then``, not ``dependentRequired``): taplo's validator applies those
and silently skips the newer ones. They never say ``null``: TOML has none, an
optional key is simply left out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from crisiscli.errors import UsageError
from crisiscli.schema_kinds import KINDS, check_kind

__all__ = ["KINDS", "check_kind", "schema"]

if TYPE_CHECKING:
    from crisiscli.playbook import Playbook, Question, Step

DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
ID_PREFIX: Final = "urn:crisiscli:schema:"

_SINGLE_LINE: Final = r"^[^\r\n]*\S[^\r\n]*$"
"""Some text on one line."""
_SOME_TEXT: Final = r"\S"
"""Some text that is not only blanks (line breaks allowed)."""
_BLANK: Final = r"^\s*$"

Refinements = Mapping[str, Mapping[str, Mapping[str, Any]]]
"""Keywords to add, by table (a ``$defs`` name, or the root's class name) and key."""
Descriptions = Mapping[str, Mapping[str, str]]
"""Descriptions of keys whose class attribute has no docstring, by table and key."""


class _TomlJsonSchema(GenerateJsonSchema):
    """pydantic's JSON Schema, as a TOML file sees it.

    TOML has no null: an optional key is left out, so ``X | None`` is just X
    and a default of None is not written. Decimals are TOML numbers (the
    loaders refuse text). A key's title would only repeat its name.
    """

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def decimal_schema(self, schema: core_schema.DecimalSchema) -> JsonSchemaValue:
        return {"type": "number"}

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        json_schema = super().default_schema(schema)
        if "default" in json_schema and json_schema["default"] is None:
            del json_schema["default"]
        return json_schema

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def _generated(source: type) -> dict[str, Any]:
    """The schema of a pydantic model or a dataclass validated by pydantic."""
    document: dict[str, Any] = TypeAdapter(source).json_schema(
        by_alias=True, schema_generator=_TomlJsonSchema
    )
    return document


def _refine(document: dict[str, Any], refinements: Refinements) -> None:
    """Add keywords to the keys of each table (a KeyError means a key was renamed)."""
    for table, keys in refinements.items():
        properties = _table(document, table)["properties"]
        for key, keywords in keys.items():
            properties[key].update(keywords)


def _add_rules(document: dict[str, Any], rules: Mapping[str, Mapping[str, Any]]) -> None:
    """Add keywords to tables themselves: rules across keys, such as "one of these two"."""
    for table, keywords in rules.items():
        _table(document, table).update(keywords)


def _describe(document: dict[str, Any], descriptions: Descriptions) -> None:
    """Describe the keys whose class attribute has no docstring."""
    for table, keys in descriptions.items():
        properties = _table(document, table)["properties"]
        for key, description in keys.items():
            properties[key].setdefault("description", description)


def _table(document: dict[str, Any], name: str) -> dict[str, Any]:
    if document.get("title") == name:
        return document
    table: dict[str, Any] = document["$defs"][name]
    return table


def _inline_contract(document: dict[str, Any], description: str) -> None:
    """Replace a free ``contract`` table with the contract schema (a file's own format)."""
    contract = _contract_table()
    definitions = document.setdefault("$defs", {})
    for name, definition in [*contract.pop("$defs", {}).items(), ("Contract", contract)]:
        if definitions.get(name, definition) != definition:
            raise RuntimeError(f"two different schemas are named {name}")
        definitions[name] = definition
    document["properties"]["contract"] = {"$ref": "#/$defs/Contract", "description": description}


def _published(
    kind: str, body: dict[str, Any], *, title: str, description: str, name: str | None = None
) -> dict[str, Any]:
    """``body`` with the header every published schema starts with."""
    header = {
        "$schema": DIALECT,
        "$id": ID_PREFIX + kind + (f":{name}" if name else ""),
        "title": title,
        "description": description,
    }
    return header | {key: value for key, value in body.items() if key not in header}


def _anchored(pattern: re.Pattern[str]) -> str:
    return f"^{pattern.pattern}$"


def _text(limit: int, pattern: str = _SOME_TEXT) -> dict[str, Any]:
    return {"minLength": 1, "maxLength": limit, "pattern": pattern}


# ---------------------------------------------------------------------------
# Contracts


def _contract_table() -> dict[str, Any]:
    """The schema of a ``[contract]`` table, with the ranges ``contract.py`` checks."""
    from crisiscli import contract as terms  # noqa: PLC0415

    amount = {"minimum": 0, "maximum": int(terms.MAX_AMOUNT)}
    positive = {"exclusiveMinimum": 0, "maximum": int(terms.MAX_AMOUNT)}
    percent = {"exclusiveMinimum": 0, "maximum": 100}
    label = _text(terms.MAX_LABEL, r"^[^\r\n]*\{n\}[^\r\n]*$")
    label_one = _text(terms.MAX_LABEL, _SINGLE_LINE)
    document = _generated(terms.Contract)
    _refine(
        document,
        {
            "Contract": {
                "currency": {"pattern": _anchored(terms.CURRENCY)},
                "monthly_fee": amount,
                "measurement_period_days": {"minimum": 1, "maximum": terms.MAX_PERIOD_DAYS},
                "cap_percent": percent,
                "cap_amount": positive,
                "tiers": {"maxItems": terms.MAX_TIERS},
            },
            "Tier": {
                "availability_below": percent,
                "outage_over_minutes": {"minimum": 0, "maximum": terms.MAX_OUTAGE_MINUTES},
                "credit_amount": positive,
                "credit_percent": percent,
            },
            "Generosity": {
                "multiplier": {"minimum": 1, "maximum": int(terms.MAX_MULTIPLIER)},
                "minimum_goodwill": amount,
                "gestures": {"maxItems": terms.MAX_GESTURES},
            },
            "Gesture": {
                "kind": {"pattern": _anchored(terms.GESTURE_KIND)},
                "label_en": label,
                "label_fr": label,
                "label_en_one": label_one,
                "label_fr_one": label_one,
                "per_hours_down": {
                    "exclusiveMinimum": 0,
                    "maximum": int(terms.MAX_HOURS_PER_UNIT),
                },
                "max_units": {"minimum": 1, "maximum": terms.MAX_UNITS},
            },
        },
    )
    _add_rules(
        document,
        {
            "Tier": {
                "allOf": [
                    _exactly_one("availability_below", "outage_over_minutes"),
                    _exactly_one("credit_amount", "credit_percent"),
                ]
            }
        },
    )
    return document


def _exactly_one(*keys: str) -> dict[str, Any]:
    return {"oneOf": [{"required": [key]} for key in keys]}


def _contract_schema() -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "object",
        "properties": {},
        "required": ["contract"],
        "additionalProperties": False,
    }
    _inline_contract(body, "The contract terms and our generosity policy: the file's only table.")
    return _published(
        "contract",
        body,
        title="crisiscli contract",
        description=(
            "Service credits a customer's contract grants after an outage, and how far "
            "beyond them we go; read by `crisis compensation` (docs/contract-format.md)."
        ),
    )


# ---------------------------------------------------------------------------
# Playbooks


def _playbook_schema() -> dict[str, Any]:
    from crisiscli import playbook_loading as rules  # noqa: PLC0415
    from crisiscli.playbook import FORMAT_VERSION, Playbook  # noqa: PLC0415
    from crisiscli.report_fields import REPORT_FIELDS  # noqa: PLC0415

    identifier = {"pattern": _anchored(rules.IDENTIFIER)}
    condition = {"minLength": 1}
    document = _generated(Playbook)
    # The lengths and bounds written as numbers below are those playbook_loading checks
    # with the same numbers written in its calls (it names no constant for them).
    _refine(
        document,
        {
            "Playbook": {"steps": {"minItems": 1, "maxItems": rules.MAX_STEPS}},
            "PlaybookInfo": {
                "id": {"pattern": _anchored(rules.PLAYBOOK_ID)},
                "title": _text(200, _SINGLE_LINE),
                "description": {"maxLength": rules.MAX_TEXT},
                "format": {"const": FORMAT_VERSION},
            },
            "Cadence": {"update_every_minutes": {"minimum": 1, "maximum": 1440}},
            "SeverityLevel": {
                "level": _text(60, _SINGLE_LINE),
                "affected_percent": {"minimum": 0, "maximum": 100},
                "user_minutes": {"minimum": 0, "exclusiveMaximum": 1e15},
            },
            "Step": {
                "id": identifier,
                "title": _text(200, _SINGLE_LINE),
                "guidance": {"maxLength": rules.MAX_TEXT},
                "checklist": {"items": {"type": "string", **_text(2000)}},
                "questions": {"minItems": 1, "maxItems": rules.MAX_QUESTIONS},
                "when": condition,
                "compute": {
                    "propertyNames": identifier,
                    "additionalProperties": {"type": "string", "minLength": 1},
                },
            },
            "Question": {
                "id": identifier,
                "prompt": _text(2000),
                "help": {"maxLength": 2000},
                "choices": {
                    "uniqueItems": True,
                    "items": {
                        "type": "string",
                        "pattern": r"^[^,\r\n]*[^,\s][^,\r\n]*$",
                        "not": {"pattern": r"^\s*[0-9]+\s*$"},
                    },
                },
                "when": condition,
                "report_as": {"enum": list(REPORT_FIELDS)},
            },
        },
    )
    _add_rules(
        document,
        {
            "SeverityLevel": {
                "anyOf": [{"required": ["affected_percent"]}, {"required": ["user_minutes"]}]
            },
            "Question": {
                "allOf": [
                    _for_types(
                        rules.CHOICE_TYPES,
                        then={"required": ["choices"], "properties": {"choices": {"minItems": 1}}},
                        otherwise={"properties": {"choices": {"maxItems": 0}}},
                    ),
                    _for_types(
                        rules.NUMERIC_TYPES,
                        otherwise={"properties": {"min": False, "max": False}},
                    ),
                ]
            },
        },
    )
    _inline_contract(
        document,
        "Contract terms for `crisis compensation`, written [contract] (docs/contract-format.md).",
    )
    return _published(
        "playbook",
        document,
        title="crisiscli playbook",
        description=(
            "A service-recovery playbook: its steps, the questions each asks, and computed "
            "values (docs/playbook-format.md). `crisis playbooks validate` checks the rest."
        ),
    )


def _for_types(
    types: tuple[str, ...],
    *,
    then: dict[str, Any] | None = None,
    otherwise: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A rule on a question that depends on its ``type``."""
    rule: dict[str, Any] = {
        "if": {"properties": {"type": {"enum": list(types)}}, "required": ["type"]}
    }
    if then is not None:
        rule["then"] = then
    if otherwise is not None:
        rule["else"] = otherwise
    return rule


# ---------------------------------------------------------------------------
# Scenarios

_SCENARIO_DESCRIPTIONS: Final[Descriptions] = {
    "Scenario": {
        "scenario": "What the drill is about, what the trainee is told, and how long it lasts.",
        "injects": "What reaches the trainee during the drill, one [[injects]] table each.",
        "rubric": "How the drill is scored: one [[rubric]] table per check, at least one.",
    },
    "ScenarioInfo": {"title": "The drill's title, shown when it starts and on the scorecard."},
    "Inject": {
        "org": "The sender's organisation, e.g. the customer's company.",
        "role": "The sender's role, e.g. IT director.",
        "channel": "How it reaches the trainee: phone, email, chat or meeting.",
        "text": "What the sender says or writes, as the trainee receives it.",
        "total": "New true impact: users in all (with `affected`).",
    },
    "Check": {
        "id": "Identifier of the check: lowercase letters, digits and hyphens.",
        "points": "Points the check is worth when it passes (1 to 1000).",
    },
}


def _scenario_schema() -> dict[str, Any]:
    from crisiscli import scenario as drills  # noqa: PLC0415

    document = _generated(drills.Scenario)
    _refuse_blanks(document)
    _describe(document, _SCENARIO_DESCRIPTIONS)
    _refine(
        document,
        {
            "ScenarioInfo": {
                "id": {"pattern": _anchored(drills.SCENARIO_ID)},
                "format": {"const": drills.FORMAT_VERSION},
            },
            "Check": {"id": {"pattern": _anchored(drills.CHECK_ID)}},
        },
    )
    _add_rules(
        document,
        {
            "Inject": {
                "allOf": [
                    {"if": {"required": [one]}, "then": {"required": [other]}}
                    for one, other in (("affected", "total"), ("total", "affected"))
                ]
            }
        },
    )
    _inline_contract(
        document,
        "Contract terms for `compensation` during the drill, as in a contract file's [contract].",
    )
    return _published(
        "scenario",
        document,
        title="crisiscli scenario",
        description=(
            "A training scenario: a briefing, timed injects and a scored rubric, drilled "
            "with `crisis replay` (docs/scenario-format.md)."
        ),
    )


def _refuse_blanks(node: Any) -> None:
    """Text that may not be empty may not be only blanks either: scenarios are trimmed first."""
    if isinstance(node, list):
        for child in node:
            _refuse_blanks(child)
    elif isinstance(node, dict):
        if node.get("type") == "string" and node.get("minLength") == 1:
            node.setdefault("pattern", _SOME_TEXT)
        for child in node.values():
            _refuse_blanks(child)


# ---------------------------------------------------------------------------
# Answers files

_ACTION: Final[dict[str, Any]] = {
    "type": "object",
    "description": "A follow-up action as a table.",
    "properties": {
        "action": {"type": "string", "description": "What is to be done."},
        "owner": {"type": "string", "description": "Who does it."},
        "due": {
            "type": "string",
            "description": "When it is due: a TOML date (2026-11-30) or a date as text.",
        },
    },
    "required": ["action", "owner"],
    "additionalProperties": False,
}
_PART: Final = r"[^;|\n]*[^;|\s][^;|\n]*"
_ACTION_LINE: Final = rf"^{_PART}[;|]{_PART}(?:[;|][^;|\n]*)?$"
"""``what; owner`` or ``what; owner; due``, with ``|`` also accepted between parts."""


def _answers_schema() -> dict[str, Any]:
    """Any answers file: the keys are not checked against a playbook, only their form."""
    from crisiscli.playbook_loading import IDENTIFIER  # noqa: PLC0415

    key = f"^{IDENTIFIER.pattern}\\.{IDENTIFIER.pattern}$"
    body = {
        "type": "object",
        "properties": {
            "answers": {
                "type": "object",
                "description": (
                    "One answer per question, keyed step_id.question_id (quoted: the dot "
                    "is part of the key)."
                ),
                "propertyNames": {"pattern": key},
                "additionalProperties": {"$ref": "#/$defs/Answer"},
            }
        },
        "required": ["answers"],
        "additionalProperties": False,
        "$defs": {
            "Answer": {
                "description": (
                    "A native TOML value (text, number, boolean, date, array) or text read "
                    "as if typed at the prompt; docs/answers-format.md lists what each "
                    "question type accepts."
                ),
                "type": ["string", "integer", "number", "boolean", "array"],
                "items": {"anyOf": [{"type": ["string", "integer"]}, {"$ref": "#/$defs/Action"}]},
            },
            "Action": _ACTION,
        },
    }
    return _published(
        "answers",
        body,
        title="crisiscli answers",
        description=(
            "Answers for `crisis start --answers`: a single [answers] table. "
            "`crisis schema answers --playbook NAME` prints a schema that knows each question."
        ),
    )


def _answers_for(playbook: Playbook) -> dict[str, Any]:
    """The answers file of one playbook: each question's key, and what it accepts."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for step in playbook.steps:
        for question in step.questions:
            key = f"{step.id}.{question.id}"
            properties[key] = _answer(step, question)
            if _must_answer(step, question):
                required.append(key)
    answers: dict[str, Any] = {
        "type": "object",
        "description": f"One answer per question of playbook '{playbook.id}'.",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        answers["required"] = required
    body = {
        "type": "object",
        "properties": {"answers": answers},
        "required": ["answers"],
        "additionalProperties": False,
    }
    language = playbook.language
    return _published(
        "answers",
        body,
        name=f"{playbook.id}.{language}",
        title=f"crisiscli answers for {playbook.id} ({language})",
        description=(
            f"Answers for `crisis start {playbook.id} --lang {language} --answers FILE`: "
            f"{playbook.title}."
        ),
    )


def _must_answer(step: Step, question: Question) -> bool:
    """A question always asked, with no default, that refuses an empty answer."""
    return (
        question.required
        and question.default is None
        and question.when is None
        and step.when is None
    )


def _answer(step: Step, question: Question) -> dict[str, Any]:
    forms = _ANSWER_FORMS[question.type](question)
    if question.default is not None or not question.required:
        # Blank, whatever the type: the default, or no answer (answers.parse_answer).
        forms += [{"type": "string", "pattern": _BLANK}, {"type": "array", "maxItems": 0}]
    described: dict[str, Any] = {"description": _question_description(step, question)}
    return described | (forms[0] if len(forms) == 1 else {"anyOf": forms})


def _question_description(step: Step, question: Question) -> str:
    lines = [question.prompt.strip()]
    if question.help.strip():
        lines.append(question.help.strip())
    facts = [f"Type: {question.type}"]
    if question.choices:
        facts.append("choices: " + ", ".join(question.choices))
    if question.default is not None:
        facts.append(f"default: {json.dumps(question.default, ensure_ascii=False)}")
    elif not question.required:
        facts.append("optional")
    condition = " and ".join(f"({w})" for w in (step.when, question.when) if w)
    if condition:
        facts.append(f"asked only when {condition}")
    lines.append("; ".join(facts) + ".")
    return "\n\n".join(lines)


def _typed(pattern: str = _SOME_TEXT) -> dict[str, Any]:
    """Text read as if typed at the prompt."""
    return {"type": "string", "pattern": pattern}


def _bounds(question: Question) -> dict[str, Any]:
    bounds: dict[str, Any] = {}
    for keyword, value in (("minimum", question.min), ("maximum", question.max)):
        if value is not None:
            bounds[keyword] = int(value) if float(value).is_integer() else value
    return bounds


def _any_case(text: str) -> str:
    """A pattern matching ``text`` in any letter case, in the regex syntax all validators share."""
    parts = []
    for char in text:
        lower, upper = char.lower(), char.upper()
        if lower != upper and len(lower) == len(upper) == 1:
            parts.append(f"[{lower}{upper}]")
        elif char in r"^$\.*+?()[]{}|":
            parts.append("\\" + char)
        else:
            parts.append(char)
    return "".join(parts)


def _choice_item(question: Question) -> str:
    """A pattern for one choice: its label in any case, or its position from 1."""
    labels = [_any_case(choice) for choice in question.choices]
    positions = [str(number) for number in range(1, len(question.choices) + 1)]
    return f"(?:{'|'.join(labels)}|0*(?:{'|'.join(positions)}))"


def _choice_forms(question: Question) -> list[dict[str, Any]]:
    position = {"type": "integer", "minimum": 1, "maximum": len(question.choices)}
    return [
        {"enum": list(question.choices)},
        position,
        _typed(rf"^\s*{_choice_item(question)}\s*$"),
    ]


def _multichoice_forms(question: Question) -> list[dict[str, Any]]:
    item = _choice_item(question)
    one = _choice_forms(question)
    return [
        {"type": "array", "minItems": 1, "items": {"anyOf": one}},
        *one[1:],
        _typed(rf"^[\s,]*{item}(?:[\s,]*,[\s,]*{item})*[\s,]*$"),
    ]


def _confirm_forms(question: Question) -> list[dict[str, Any]]:
    from crisiscli.answers import _NO, _YES  # noqa: PLC0415 - the words the prompt accepts

    words = "|".join(_any_case(word) for word in sorted(_YES | _NO))
    return [{"type": "boolean"}, _typed(rf"^\s*(?:{words})\s*$")]


def _score_forms(question: Question) -> list[dict[str, Any]]:
    return [
        {"type": "integer", "minimum": 0, "maximum": 10},
        _typed(r"^\s*\+?(?:0{0,17}[0-9]|0{0,16}10)(?:\s*/\s*10)?\s*$"),
    ]


def _text_forms(question: Question) -> list[dict[str, Any]]:
    from crisiscli.text import MAX_ANSWER_LENGTH  # noqa: PLC0415

    # Surrounding blanks are trimmed first, so only a line break inside the text is refused.
    one_line = r"^\s*[^\n]*\S[^\n]*\s*$" if question.type == "text" else _SOME_TEXT
    return [{"type": "string", "maxLength": MAX_ANSWER_LENGTH, "pattern": one_line}]


def _count_forms(question: Question) -> list[dict[str, Any]]:
    return [{"type": question.type, **_bounds(question)}, _typed()]


def _list_forms(question: Question) -> list[dict[str, Any]]:
    return [{"type": "array", "minItems": 1, "items": {"type": "string"}}, _typed()]


def _datetime_forms(question: Question) -> list[dict[str, Any]]:
    # TOML dates reach validators as text, like "14:05" or "2026-11-22 09:00" typed.
    return [_typed()]


def _actions_forms(question: Question) -> list[dict[str, Any]]:
    item = {"anyOf": [_typed(_ACTION_LINE), _ACTION]}
    return [{"type": "array", "minItems": 1, "items": item}, _typed()]


_ANSWER_FORMS: Final[dict[str, Callable[[Question], list[dict[str, Any]]]]] = {
    "text": _text_forms,
    "multiline": _text_forms,
    "integer": _count_forms,
    "number": _count_forms,
    "choice": _choice_forms,
    "multichoice": _multichoice_forms,
    "confirm": _confirm_forms,
    "score": _score_forms,
    "list": _list_forms,
    "datetime": _datetime_forms,
    "actions": _actions_forms,
}


# ---------------------------------------------------------------------------
# The kinds


def _config_schema() -> dict[str, Any]:
    """``crisis.toml``: its model lives with the settings (``config_file.ConfigFile``)."""
    from crisiscli.config_file import ConfigFile  # noqa: PLC0415

    return _published(
        "config",
        _generated(ConfigFile),
        title="crisiscli config",
        description=(
            "Defaults for crisiscli, for a team (./crisis.toml) or one person "
            "($CRISIS_HOME/crisis.toml). Every key is optional; flags and environment "
            "variables override them (docs/configuration.md)."
        ),
    )


_BUILDERS: Final[dict[str, Callable[[], dict[str, Any]]]] = {
    "playbook": _playbook_schema,
    "scenario": _scenario_schema,
    "contract": _contract_schema,
    "answers": _answers_schema,
    "config": _config_schema,
}
"""One builder per kind of ``KINDS`` (``tests/test_schemas.py`` checks both lists agree)."""


def schema(kind: str, playbook: Playbook | None = None) -> dict[str, Any]:
    """The JSON Schema of files of ``kind``; for ``answers``, of ``playbook``'s answers if given."""
    check_kind(kind)
    if playbook is None:
        return _BUILDERS[kind]()
    if kind != "answers":
        raise UsageError(f"a playbook only applies to the answers schema, not to {kind}")
    return _answers_for(playbook)
