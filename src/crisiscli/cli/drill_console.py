"""The drill console: the trainee types actions while injects arrive on the simulated clock.

With ``--speed``, injects are printed when their simulated time comes, even
while the prompt waits (the console waits on standard input with a timeout,
so a line being typed stays in the terminal's buffer). With ``--step``, time
runs at real speed and an empty line (or ``next``) brings the next inject at
once. ``walk`` answers the playbook between injects; Ctrl-C during a walk
pauses it, Ctrl-C at the prompt stops the drill, ``end`` or Ctrl-D ends it.
Every action is recorded before the next prompt, like any other command.
"""

from __future__ import annotations

import os
import select
import sys
from typing import Any

from crisiscli.cli.output import printable
from crisiscli.drill import Drill, describe_inject
from crisiscli.drill_actions import ACTIONS, parse_command
from crisiscli.errors import CrisisError, InterruptedByUser
from crisiscli.formatting import clock_label
from crisiscli.messages import t
from crisiscli.playbook import Question, Step
from crisiscli.scoring import Scorecard

_TIMED_OUT = object()


class LineReader:
    """Lines from a file descriptor, with an optional timeout, and nothing read ahead lost.

    ``sys.stdin`` buffers what it reads, so waiting on the descriptor with
    ``select`` could miss lines already in that buffer; this reader keeps its
    own buffer and serves the walk's prompts from it too (``readline``).
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""
        self.closed = False

    def read_line(self, timeout: float | None) -> str | object | None:
        """A line without its end; ``_TIMED_OUT`` after ``timeout`` seconds; None at EOF."""
        while b"\n" not in self.buffer:
            if self.closed:
                if not self.buffer:
                    return None
                line, self.buffer = self.buffer, b""
                return line.decode("utf-8", "replace")
            ready, _w, _x = select.select([self.fd], [], [], timeout)
            if not ready:
                return _TIMED_OUT
            chunk = os.read(self.fd, 65536)
            if not chunk:
                self.closed = True
            self.buffer += chunk
        line, _sep, self.buffer = self.buffer.partition(b"\n")
        return line.decode("utf-8", "replace").rstrip("\r")

    def readline(self) -> str:
        """File-like, for the line prompter: the line with its end, or "" at EOF."""
        line = self.read_line(None)
        return "" if line is None else f"{line}\n"


class _InjectingPrompter:
    """Wraps the walk's prompter: injects that fall due are shown before each question."""

    def __init__(self, inner: Any, drill: Drill, show: Any) -> None:
        self.inner, self.drill, self.show = inner, drill, show

    def begin_step(self, number: int, total: int, step: Step) -> None:
        self.inner.begin_step(number, total, step)

    def ask(self, key: str, question: Question, problem: str | None) -> Any:
        if problem is None:
            for inject in self.drill.deliver_due():
                self.show(describe_inject(inject, self.drill.language))
        return self.inner.ask(key, question, problem)

    def show_computed(self, key: str, value: Any, error: str | None) -> None:
        self.inner.show_computed(key, value, error)

    def show_notice(self, text: str) -> None:
        self.inner.show_notice(text)


def _say(text: str = "") -> None:
    sys.stdout.write(printable(text) + "\n")
    sys.stdout.flush()


def run_console(drill: Drill, *, step: bool) -> Scorecard:
    """Run the drill at the console until time is up or the trainee ends it; score it."""
    language = drill.language
    reader = LineReader(sys.stdin.fileno())
    info = drill.scenario.scenario
    _say(t("drill.console.title", language, title=info.title, minutes=info.duration_minutes))
    _say()
    _say(info.briefing.strip())
    _say()
    _say(t("drill.console.step_help" if step else "drill.console.help", language))
    _say()
    try:
        for inject in drill.deliver_due():
            _say(describe_inject(inject, language))
        while True:
            if drill.over:
                _say(t("drill.console.time_up", language))
                return drill.finish("completed")
            sys.stdout.write(f"{clock_label(drill.minutes())}> ")
            sys.stdout.flush()
            line = reader.read_line(None if step else _wait(drill))
            if line is _TIMED_OUT:
                sys.stdout.write("\n")
                for inject in drill.deliver_due():
                    _say(describe_inject(inject, language))
                continue
            if line is None:
                _say()
                return drill.finish("completed")
            assert isinstance(line, str)
            if not _handle(drill, line.strip(), reader, step=step):
                return drill.finish("completed")
    except KeyboardInterrupt:
        _say()
        _say(t("drill.console.stopped", language))
        return drill.finish("stopped")


def _wait(drill: Drill) -> float:
    """Real seconds until the next inject or the end of the drill."""
    clock: Any = drill.clock
    upcoming = [drill.ends_at]
    next_inject = drill.next_inject_at()
    if next_inject is not None:
        upcoming.append(next_inject)
    return float(clock.real_seconds_until(min(upcoming)))


def _handle(drill: Drill, line: str, reader: LineReader, *, step: bool) -> bool:
    """Do what the line says; False when the trainee ends the drill."""
    language = drill.language
    arrived = drill.deliver_due()
    for inject in arrived:
        _say(describe_inject(inject, language))
    word = line.split(maxsplit=1)[0] if line else ""
    if word == "":
        if step:
            shown = drill.skip_to_next_inject()
            for inject in shown:
                _say(describe_inject(inject, language))
            if not shown and not arrived:
                _say(t("drill.console.no_more", language))
        return True
    if word in ("help", "?"):
        for name in ACTIONS:
            _say(f"  {name:<13} " + t(f"drill.help.{name}", language))
        _say(f"  {'status':<13} " + t("drill.console.status_help", language))
        if step:
            _say(f"  {'next':<13} " + t("drill.console.next_help", language))
        return True
    if word == "next":
        return _handle(drill, "", reader, step=True)
    if word == "status":
        _status(drill)
        return True
    try:
        action = parse_command(line, language)
        if action.do == "end":
            return False
        if action.do == "walk":
            _walk(drill, reader, action.fields.get("steps"))
            return True
        _say(drill.perform(action))
    except CrisisError as problem:
        _say(t("drill.console.refused", language, problem=str(problem)))
    return True


def _walk(drill: Drill, reader: LineReader, steps: int | None) -> None:
    if sys.stdin.isatty():
        from crisiscli.cli.prompters import RichPrompter  # noqa: PLC0415

        inner: Any = RichPrompter(drill.language)
    else:
        from crisiscli.cli.prompters import LinePrompter  # noqa: PLC0415

        inner = LinePrompter(drill.language, stream=reader)  # type: ignore[arg-type]
    before = len(drill.state.answers)
    try:
        drill.walk(_InjectingPrompter(inner, drill, _say), steps=steps)
    except InterruptedByUser:
        _say()
        _say(t("drill.console.walk_paused", drill.language))
    except CrisisError as problem:
        _say(t("drill.console.refused", drill.language, problem=str(problem)))
    count = len(drill.state.answers) - before
    _say(t("drill.walked", drill.language, count=count))
    if drill.state.next_item() is None:
        _say(t("drill.console.walk_done", drill.language))


def _status(drill: Drill) -> None:
    from crisiscli.live import stakeholders_due  # noqa: PLC0415

    language, now = drill.language, drill.clock.now()
    left = (drill.ends_at - now).total_seconds() / 60
    _say(
        t(
            "drill.console.status",
            language,
            minute=clock_label(drill.minutes()),
            left=int(left),
            pending=len(drill.pending()),
            updates=len(drill.state.live.updates),
        )
    )
    for due in stakeholders_due(drill.state.live, now=now):
        minutes = int(due.minutes_left)
        key = "drill.console.overdue" if due.overdue else "drill.console.due"
        _say("  " + t(key, language, name=due.name, minutes=abs(minutes)))
