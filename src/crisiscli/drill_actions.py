"""What a trainee can do during a drill, typed at the drill console or scripted in a file.

The same actions exist in both forms, checked by the same table (``ACTIONS``):

* at the console, a line much like the live commands:
  ``update --to "Nadia Ferrand" --next-in 30 We found the cause: ...``;
* in a trainee script (``crisis replay SCENARIO --answers FILE``), a table:
  ``[[actions]]`` with ``at_minutes``, ``do = "update"`` and one key per option
  (``to = ["Nadia Ferrand"]``, ``next_in = 30``, ``text = "..."``).

A script also holds the playbook's ``[answers]``, exactly as for
``crisis start --answers``. Nothing here records anything: ``crisiscli.drill``
performs the checked actions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from crisiscli.errors import ScenarioError, UsageError, did_you_mean
from crisiscli.playbook import Playbook
from crisiscli.tomlfile import key_path, read_toml, toml_type

Kind = Literal["text", "int", "number", "names"]
MAX_ACTIONS = 1_000


@dataclass(frozen=True)
class Spec:
    """One action: its positional arguments, its options, which are required.

    Its usage line, in English and French, is the message ``drill.help.NAME``."""

    positionals: tuple[str, ...] = ()
    """Fields taken in order from the words after the action; the last one named ``text``
    takes every remaining word."""
    options: dict[str, Kind] = field(default_factory=dict)
    """Field name → kind; at the console, ``--field-name VALUE``."""
    required: tuple[str, ...] = ()


ACTIONS: dict[str, Spec] = {
    "walk": Spec(
        positionals=("steps",),
        options={"steps": "int"},
    ),
    "note": Spec(
        positionals=("text",),
        options={"text": "text", "from": "text", "channel": "text"},
        required=("text",),
    ),
    "stakeholder": Spec(
        positionals=("name",),
        options={"name": "text", "org": "text", "role": "text", "cadence": "int"},
        required=("name",),
    ),
    "replace": Spec(
        positionals=("old", "new"),
        options={"old": "text", "new": "text", "reason": "text"},
        required=("old", "new", "reason"),
    ),
    "update": Spec(
        positionals=("text",),
        options={"text": "text", "to": "names", "channel": "text", "next_in": "int"},
        required=("text",),
    ),
    "impact": Spec(
        options={"affected": "int", "total": "int", "note": "text"},
        required=("affected", "total"),
    ),
    "limit": Spec(
        positionals=("name", "text"),
        options={"name": "text", "level": "text", "text": "text"},
        required=("name", "level"),
    ),
    "feedback": Spec(
        positionals=("text",),
        options={"from": "text", "score": "int", "phase": "text", "text": "text"},
        required=("from", "score"),
    ),
    "compensation": Spec(
        options={"offer": "number", "note": "text"},
    ),
    "end": Spec(),
}


@dataclass(frozen=True)
class Action:
    do: str
    fields: dict[str, Any]
    at_minutes: int | None = None
    """When a script performs it; None at the console (now)."""
    where: str | None = None
    """Its key path in a script (``actions[3]``), for errors; None at the console."""


@dataclass(frozen=True)
class TraineeScript:
    path: Path
    answers: dict[str, Any]
    actions: list[Action]

    @property
    def walks(self) -> bool:
        return any(action.do == "walk" for action in self.actions)


def _words(line: str) -> list[str]:
    """The words of a console line: a word that opens with a quote runs to the matching quote
    ("Nadia Ferrand"); any other word runs to the next space, apostrophes and all, so that
    ``c'est`` and ``it's`` stay as typed (shell quoting would eat or refuse them)."""
    words: list[str] = []
    index, size = 0, len(line)
    while index < size:
        if line[index].isspace():
            index += 1
            continue
        quote = line[index]
        if quote in "\"'":
            closing = line.find(quote, index + 1)
            if closing != -1 and (closing + 1 == size or line[closing + 1].isspace()):
                words.append(line[index + 1 : closing])
                index = closing + 1
                continue
        end = index
        while end < size and not line[end].isspace():
            end += 1
        words.append(line[index:end])
        index = end
    return words


def parse_command(line: str, language: str = "en") -> Action:
    """A console line as an action, or a ``UsageError`` saying what was expected."""
    from crisiscli.messages import t  # noqa: PLC0415

    words = _words(line)
    if not words:
        raise UsageError("type an action, or `help`")
    name, rest = words[0], words[1:]
    spec = _spec(name, "")
    usage = t(f"drill.help.{name}", language)
    values: dict[str, Any] = {}
    loose: list[str] = []
    index = 0
    while index < len(rest):
        word = rest[index]
        if word.startswith("--") and len(word) > 2:
            option = word[2:].replace("-", "_")
            if option not in spec.options:
                known = [f"--{o.replace('_', '-')}" for o in spec.options]
                started = [k for k in known if k.startswith(word)]
                hint = f" (did you mean '{started[0]}'?)" if started else did_you_mean(word, known)
                raise UsageError(f"{name} has no option {word}{hint}; {usage}")
            if index + 1 >= len(rest):
                raise UsageError(f"{word} needs a value; {usage}")
            raw = rest[index + 1]
            if spec.options[option] == "names":
                values.setdefault(option, []).append(raw)
            else:
                values[option] = raw
            index += 2
            continue
        loose.append(word)
        index += 1
    for position, field_name in enumerate(spec.positionals):
        if position >= len(loose):
            break
        if field_name == "text" or position == len(spec.positionals) - 1:
            values.setdefault(field_name, " ".join(loose[position:]))
            loose = []
            break
        values.setdefault(field_name, loose[position])
    else:
        if len(loose) > len(spec.positionals):
            raise UsageError(f"{name} takes no more words; {usage}")
    return Action(name, _checked(name, values, from_text=True, where=None))


def load_script(path: Path, playbook: Playbook) -> TraineeScript:
    """A trainee script: ``[answers]`` for the playbook and ``[[actions]]`` on the clock."""
    from crisiscli.scripted import check_answers  # noqa: PLC0415

    shown = str(path)
    data = read_toml(path, ScenarioError)
    for key in data:
        if key not in ("answers", "actions"):
            hint = did_you_mean(key, ["answers", "actions"])
            raise ScenarioError(
                shown,
                f"unknown key '{key}'{hint}; expected [answers] and [[actions]]",
                path=key_path(key),
            )
    answers = check_answers(data.get("answers", {}), shown, playbook, ScenarioError)
    raw_actions = data.get("actions", [])
    if not isinstance(raw_actions, list) or not all(isinstance(a, dict) for a in raw_actions):
        raise ScenarioError(
            shown,
            f"expected an array of tables, written [[actions]], got {toml_type(raw_actions)}",
            path="actions",
        )
    if len(raw_actions) > MAX_ACTIONS:
        raise ScenarioError(shown, f"has more than {MAX_ACTIONS} actions", path="actions")
    actions = [_action_from_table(shown, index, table) for index, table in enumerate(raw_actions)]
    return TraineeScript(path, answers, actions)


def _action_from_table(file: str, index: int, table: dict[str, Any]) -> Action:
    where = f"actions[{index}]"
    body = dict(table)
    at = body.pop("at_minutes", None)
    do = body.pop("do", None)
    if not isinstance(at, int) or isinstance(at, bool) or at < 0:
        raise ScenarioError(
            file,
            f"expected minutes from the start (0 or more), got {toml_type(at)}",
            path=f"{where}.at_minutes",
        )
    if not isinstance(do, str):
        raise ScenarioError(
            file,
            f"expected the action's name, one of {', '.join(ACTIONS)}, got {toml_type(do)}",
            path=f"{where}.do",
        )
    try:
        fields = _checked(do, body, from_text=False, where=where)
        return Action(do, fields, at_minutes=at, where=where)
    except UsageError as problem:
        path = getattr(problem, "path", None) or f"{where}.do"
        raise ScenarioError(file, str(problem.args[0]), path=path) from None


class _FieldError(UsageError):
    def __init__(self, message: str, path: str | None) -> None:
        super().__init__(message)
        self.path = path


def _spec(name: str, where: str) -> Spec:
    spec = ACTIONS.get(name)
    if spec is None:
        hint = did_you_mean(name, ACTIONS)
        raise _FieldError(
            f"'{name}' is not an action{hint}; expected one of {', '.join(ACTIONS)}",
            f"{where}.do" if where else None,
        )
    return spec


def _checked(
    name: str, values: dict[str, Any], *, from_text: bool, where: str | None
) -> dict[str, Any]:
    """The action's fields, typed; ``from_text`` reads console words, else TOML values."""
    spec = _spec(name, where or "")
    checked: dict[str, Any] = {}

    def fail(key: str, problem: str) -> _FieldError:
        shown = f"--{key.replace('_', '-')}" if from_text else key
        return _FieldError(f"{name} {shown}: {problem}", f"{where}.{key}" if where else None)

    for key, value in values.items():
        kind = spec.options.get(key)
        if kind is None:
            hint = did_you_mean(key, spec.options)
            raise fail(key, f"unknown{hint}; expected {', '.join(spec.options) or 'nothing'}")
        checked[key] = _typed(value, kind, from_text, lambda problem, k=key: fail(k, problem))
    for key in spec.required:
        if key not in checked:
            raise fail(key, "is required")
    if name == "walk" and checked.get("steps", 1) < 1:
        raise fail("steps", "expected 1 or more steps")
    return checked


def _typed(value: Any, kind: Kind, from_text: bool, fail: Any) -> Any:
    if kind == "names":
        items = value if isinstance(value, list) else None
        if items is None or not all(isinstance(item, str) and item.strip() for item in items):
            raise fail(f"expected an array of names, got {toml_type(value)}")
        return items
    if kind == "int" and from_text and isinstance(value, str) and value.startswith("-"):
        raise fail(f"expected a whole number of 0 or more, got '{value}'")
    if kind in ("int", "number") and from_text and isinstance(value, str):
        cleaned = value.replace(",", "").replace("\u202f", "").replace(" ", "")
        try:
            return int(cleaned) if kind == "int" else float(cleaned)
        except ValueError:
            expected = "a whole number" if kind == "int" else "a number"
            raise fail(f"expected {expected}, got '{value}'") from None
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise fail(f"expected a whole number, got {toml_type(value)}")
        return value
    if kind == "number":
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise fail(f"expected a number, got {toml_type(value)}")
        return value
    if not isinstance(value, str):
        raise fail(f"expected some text, got {toml_type(value)}")
    if not value.strip():
        raise fail("is empty; expected some text")
    return value
