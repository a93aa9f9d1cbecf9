"""The two terminal prompters: Rich for a person at a terminal, lines for a pipe.

Both read the same things in the same way (``multiline`` ends at a line with a
single dot, ``list`` at an empty line); only the display differs. Everything
that comes from a playbook or from the responder is neutralised before it is
printed: Rich markup is escaped and control characters are made visible.
"""

from __future__ import annotations

import sys
from typing import IO, Any

from crisiscli.cli.output import printable
from crisiscli.errors import AnswersFileError
from crisiscli.messages import t
from crisiscli.playbook import Question, Step


def _read_block(read_line: Any, question: Question) -> str:
    """Read a multiline answer (until ``.``) or a list (until an empty line)."""
    lines: list[str] = []
    while True:
        line = read_line()
        if question.type == "multiline" and line.strip() == ".":
            return "\n".join(lines)
        if question.type in ("list", "actions") and not line.strip():
            return "\n".join(lines)
        lines.append(line)


def _computed_line(key: str, value: Any, error: str | None, language: str) -> str:
    from crisiscli.answers import show_answer  # noqa: PLC0415

    if error is None:
        return t("walk.computed", language, key=key, value=show_answer(value, language))
    return t("walk.not_computed", language, key=key, reason=error)


def _hints(question: Question, language: str) -> list[str]:
    hints: list[str] = []
    if question.type == "multiline":
        hints.append(t("walk.hint.multiline", language))
    elif question.type == "list":
        hints.append(t("walk.hint.list", language))
    elif question.type == "actions":
        hints.append(t("walk.hint.actions", language))
    if not question.required and question.default is None:
        hints.append(t("walk.hint.optional", language))
    return hints


def _suffix(question: Question, language: str) -> str:
    """What follows the prompt: accepted forms and the default."""
    parts: list[str] = []
    if question.type == "confirm":
        parts.append("[o/n]" if language == "fr" else "[y/n]")
    elif question.type == "score":
        parts.append("[0-10]")
    if question.default is not None:
        default = question.default
        if isinstance(default, bool):
            default = t("walk.yes" if default else "walk.no", language)
        elif isinstance(default, list):
            default = ", ".join(str(item) for item in default)
        parts.append(f"({default})")
    return " ".join(parts)


class RichPrompter:
    """Interactive prompts with Rich: step panels, Markdown guidance, colour."""

    def __init__(self, language: str) -> None:
        from rich.console import Console  # noqa: PLC0415 - only interactive runs pay for Rich

        self.language = language
        self.console = Console(highlight=False)

    def begin_step(self, number: int, total: int, step: Step) -> None:
        from rich.markdown import Markdown  # noqa: PLC0415
        from rich.markup import escape  # noqa: PLC0415

        title = t("walk.step", self.language, number=number, total=total, title=step.title)
        self.console.print()
        self.console.rule(f"[bold]{escape(printable(title))}[/bold]", align="left")
        if step.guidance.strip():
            self.console.print(Markdown(printable(step.guidance)))
        if step.checklist:
            self.console.print(f"[bold]{escape(t('walk.checklist', self.language))}[/bold]")
            for item in step.checklist:
                self.console.print(f"  ☐ {escape(printable(item))}")
        self.console.print()

    def ask(self, key: str, question: Question, problem: str | None) -> Any:
        from rich.markup import escape  # noqa: PLC0415

        if problem is not None:
            refused = t("walk.invalid", self.language, reason=problem)
            self.console.print(f"[red]{escape(printable(refused))}[/red]")
        else:
            self.console.print(f"[bold]{escape(printable(question.prompt))}[/bold]")
            if question.help:
                self.console.print(f"[dim]{escape(printable(question.help))}[/dim]")
            for index, choice in enumerate(question.choices, start=1):
                self.console.print(f"  {index}. {escape(printable(choice))}")
            for hint in _hints(question, self.language):
                self.console.print(f"[dim]{escape(hint)}[/dim]")
        suffix = _suffix(question, self.language)
        prompt = f"[cyan]{escape(suffix)}[/cyan] > " if suffix else "> "
        if question.type in ("multiline", "list", "actions"):
            first = True

            def read_line() -> str:
                nonlocal first
                line = self.console.input(prompt if first else "… ")
                first = False
                return line

            return _read_block(read_line, question)
        return self.console.input(prompt)

    def show_computed(self, key: str, value: Any, error: str | None) -> None:
        from rich.markup import escape  # noqa: PLC0415

        colour = "green" if error is None else "yellow"
        line = _computed_line(key, value, error, self.language)
        self.console.print(f"[{colour}]{escape(printable(line))}[/{colour}]")

    def show_notice(self, text: str) -> None:
        from rich.markup import escape  # noqa: PLC0415

        self.console.print(f"[yellow]{escape(printable(text))}[/yellow]")


class LinePrompter:
    """Reads one answer a line from a pipe; questions go to stderr, so stdout stays clean.

    A refused answer is an error (exit 2) naming the input line, since a
    script cannot be asked again.
    """

    def __init__(self, language: str, stream: IO[str] | None = None) -> None:
        self.language = language
        self.stream = stream if stream is not None else sys.stdin
        self.line_number = 0
        self.first_line_of_answer = 0

    def _read_line(self) -> str:
        line = self.stream.readline()
        if not line:
            raise EOFError
        self.line_number += 1
        return line.rstrip("\r\n")

    def _say(self, text: str) -> None:
        sys.stderr.write(printable(text) + "\n")

    def begin_step(self, number: int, total: int, step: Step) -> None:
        self._say(t("walk.step", self.language, number=number, total=total, title=step.title))

    def ask(self, key: str, question: Question, problem: str | None) -> Any:
        if problem is not None:
            raise AnswersFileError(
                "standard input", f"answer to {key}: {problem}", line=self.first_line_of_answer
            )
        suffix = _suffix(question, self.language)
        self._say(f"{question.prompt} {suffix}".rstrip())
        if question.help:
            self._say(f"  {question.help}")
        for index, choice in enumerate(question.choices, start=1):
            self._say(f"  {index}. {choice}")
        for hint in _hints(question, self.language):
            self._say(f"  {hint}")
        self.first_line_of_answer = self.line_number + 1
        if question.type in ("multiline", "list", "actions"):
            return _read_block(self._read_line, question)
        return self._read_line()

    def show_computed(self, key: str, value: Any, error: str | None) -> None:
        self._say(_computed_line(key, value, error, self.language))

    def show_notice(self, text: str) -> None:
        self._say(text)
