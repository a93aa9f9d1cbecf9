"""Answers files: a whole walk scripted in TOML, for automation and tests.

```toml
[answers]
"acknowledge.owner" = "Alex Martin"
"impact.affected" = 3
```

Keys are ``step_id.question_id``; values may be TOML natives (numbers,
booleans, arrays, dates) or text read as if typed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crisiscli.errors import AnswersFileError, InvalidFileError, did_you_mean
from crisiscli.playbook import Playbook, Question, Step
from crisiscli.tomlfile import key_path, read_toml


def load_answers(path: Path, playbook: Playbook) -> dict[str, Any]:
    """The ``[answers]`` table of ``path``, every key checked against ``playbook``."""
    data = read_toml(path, AnswersFileError)
    extra = sorted(set(data) - {"answers"})
    if extra:
        raise AnswersFileError(
            str(path),
            f"unknown table or key '{extra[0]}'; expected only [answers]",
            path=key_path(extra[0]),
        )
    return check_answers(data.get("answers"), str(path), playbook, AnswersFileError)


def check_answers(
    answers: Any, file: str, playbook: Playbook, error: type[InvalidFileError]
) -> dict[str, Any]:
    """An ``[answers]`` table keyed ``step_id.question_id``, each a question of ``playbook``."""
    if not isinstance(answers, dict):
        raise error(file, "expected an [answers] table keyed step_id.question_id", path="answers")
    keys = playbook.question_keys()
    for key in answers:
        if key not in keys:
            hint = did_you_mean(key, keys)
            raise error(
                file,
                f"'{key}' is not a question of playbook '{playbook.id}'{hint}",
                path=key_path("answers", key),
            )
    return answers


class ScriptedPrompter:
    """Answers every question from an answers file; never asks twice."""

    def __init__(self, path: Path, answers: dict[str, Any]) -> None:
        self.path = path
        self.answers = answers
        self.notices: list[str] = []
        """What happened meanwhile (another responder answered first), for the caller to show."""

    def begin_step(self, number: int, total: int, step: Step) -> None:
        return None

    def ask(self, key: str, question: Question, problem: str | None) -> Any:
        where = f'answers."{key}"'
        if problem is not None:
            raise AnswersFileError(str(self.path), problem, path=where)
        if key in self.answers:
            return self.answers[key]
        if question.required and question.default is None:
            raise AnswersFileError(
                str(self.path), f"no answer for the question '{question.prompt}'", path=where
            )
        return ""

    def show_computed(self, key: str, value: Any, error: str | None) -> None:
        return None

    def show_notice(self, text: str) -> None:
        self.notices.append(text)
