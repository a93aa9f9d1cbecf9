"""The ``crisis`` application and the one place where errors become exit codes.

``crisis`` builds only the subcommand it runs: typer would otherwise turn every
command and each of its parameters into click objects at every start (about
25 ms for twenty commands), and import every command module. ``COMMANDS``
names where each subcommand lives and the first paragraph of its help, which
is all ``crisis --help`` shows of it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Annotated, Any, Final

import typer
from typer._click import Command, Context, HelpFormatter
from typer.core import TyperCommand, TyperGroup

# Every subcommand, in the order `crisis --help` lists them (commands, then
# groups, as typer orders them): the module of crisiscli.cli whose `register`
# adds it, and the first paragraph of its help. tests/test_startup.py checks
# that this matches what the modules register.
COMMANDS: Final[dict[str, tuple[str, str]]] = {
    "start": ("walk", "Start a crisis session and walk its playbook step by step."),
    "resume": ("walk", "Continue a session at its first unanswered question."),
    "status": ("walk", "Show a session's progress, answers, computed values and timeline."),
    "close": (
        "walk",
        "Record that the crisis is resolved; the session then accepts no more answers.",
    ),
    "note": ("live", "Record a note, or what a stakeholder told us, in the session's timeline."),
    "update": ("live", "Record an update sent to stakeholders, and the next one it promises."),
    "impact": ("live", "Record an impact measurement: affected users out of the total."),
    "limit": ("live", "Record a rung of the limits ladder with an abusive contact."),
    "feedback": ("live", "Record a feedback score from 0 to 10, before or after the crisis."),
    "compensation": (
        "live",
        "Compute what the contract owes for the outage, propose a generous offer, record it.",
    ),
    "watch": (
        "watch",
        "Watch the crisis live: next update per stakeholder, countdowns, "
        "a bell when one falls due.",
    ),
    "coach": (
        "coach",
        "Check a message to a customer for blame, over-apology, vague impact, and a missing\n"
        "next-update time or owner. It warns and never blocks.",
    ),
    "replay": (
        "training",
        "Drill a training scenario with timed injects and get a scorecard, or play back a session.",
    ),
    "report": (
        "report",
        "Render a report from a recorded session: for the customer, the team or executives.",
    ),
    "export": (
        "exchange",
        "Write a session to a JSON or TOML file, to archive it or review it in git.",
    ),
    "import": (
        "exchange",
        "Load a session exported by crisis export, with the same id and events.",
    ),
    "init": (
        "init",
        "Scaffold a folder a team keeps in git: playbooks, templates, contracts, crisis.toml.",
    ),
    "schema": ("schema", "Print the JSON Schema of a file kind, for editors and validators."),
    "stats": (
        "stats",
        "Figures across crises: time to mitigation, update cadence, feedback, compensation.",
    ),
    "stakeholder": ("live", "Who must hear from us, and how often."),
    "templates": ("report", "Find the report templates."),
    "scenario": ("training", "Find, check and write training scenarios."),
    "sessions": ("sessions", "List recorded sessions and show one in full."),
    "playbooks": ("playbooks", "Find, read and check playbooks."),
    "config": ("config", "Show the settings in force and where each comes from."),
}


@contextmanager
def errors_to_exit_codes() -> Iterator[None]:
    """Turn every user-facing error into one line on stderr and its exit code.

    ``CRISIS_DEBUG=1`` lets the original exception through, traceback and all.
    """
    from crisiscli.errors import CrisisError, ExitCode  # noqa: PLC0415

    debug = os.environ.get("CRISIS_DEBUG", "") not in ("", "0")
    try:
        yield
    except CrisisError as error:
        if debug:
            raise
        label = "interrupted" if error.exit_code == ExitCode.INTERRUPTED else "error"
        _complain(str(error), label)
        raise typer.Exit(int(error.exit_code)) from None
    except KeyboardInterrupt:
        if debug:
            raise
        _complain("stopped before anything was recorded", "interrupted")
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except (typer.Exit, typer.Abort, BrokenPipeError):
        raise  # the reader of stdout went away: handled quietly by the caller
    except Exception as error:
        if debug:
            raise
        if _is_click_error(error):
            raise
        _complain(
            f"internal error: {type(error).__name__}: {error} "
            "(run again with CRISIS_DEBUG=1 to see where, and please report it)"
        )
        raise typer.Exit(int(ExitCode.FAILURE)) from None


def _is_click_error(error: Exception) -> bool:
    """Usage errors of the argument parser keep their own handling (exit 2).

    typer vendors click as ``typer._click``, so the module is matched by name.
    """
    return any(
        "click" in cls.__module__.split(".") or "_click" in cls.__module__
        for cls in type(error).__mro__
    )


def _complain(message: str, label: str = "error") -> None:
    from crisiscli.cli.output import colour_on, one_line, printable  # noqa: PLC0415

    prefix = f"crisis: {label}: "
    if colour_on(sys.stderr):
        prefix = f"\n\x1b[31mcrisis: {label}:\x1b[0m "
    # One line, always: a key or value quoted from a file may hold a line break.
    sys.stderr.write(prefix + one_line(printable(message)) + "\n")
    sys.stderr.flush()


class CrisisGroup(TyperGroup):
    """The top-level group: every subcommand runs inside ``errors_to_exit_codes``."""

    def invoke(self, ctx: Any) -> Any:
        with errors_to_exit_codes():
            return super().invoke(ctx)


class _Commands(MutableMapping[str, Command]):
    """The subcommands of ``crisis`` by name: each built the first time it is looked up.

    Names, membership and order come from ``COMMANDS`` without building anything.
    """

    def __init__(self, given: Mapping[str, Command], build: Callable[[str], Command]) -> None:
        self.built: dict[str, Command] = dict(given)
        self._names = list(dict.fromkeys([*COMMANDS, *given]))
        self._build = build

    def __getitem__(self, name: str) -> Command:
        command = self.built.get(name)
        if command is None:
            if name not in self._names:
                raise KeyError(name)
            command = self.built[name] = self._build(name)
        return command

    def __setitem__(self, name: str, command: Command) -> None:
        if name not in self._names:
            self._names.append(name)
        self.built[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self._names:
            raise KeyError(name)
        self._names.remove(name)
        self.built.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)


class _LazyCrisisGroup(CrisisGroup):
    """``crisis`` itself: a command is imported and built only when it runs.

    Its help lists the commands from ``COMMANDS`` (those already built speak for
    themselves), so ``crisis --help`` builds none.
    """

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.lazy = _Commands(self.commands, _build)
        self.commands = self.lazy
        self._listing = False  # True while drawing the help

    def list_commands(self, ctx: Context) -> list[str]:
        return list(self.commands)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if self._listing and cmd_name in COMMANDS and cmd_name not in self.lazy.built:
            return TyperCommand(cmd_name, help=COMMANDS[cmd_name][1])
        return super().get_command(ctx, cmd_name)

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


def _build(name: str) -> Command:
    """The click command of ``crisis NAME``, made by typer as if registered up front."""
    import typer.main  # noqa: PLC0415

    module = f"crisiscli.cli.{COMMANDS[name][0]}"
    registered = typer.Typer()
    # __import__ rather than importlib.import_module: `python -X importtime` lists it.
    __import__(module, fromlist=["register"]).register(registered)
    for command in registered.registered_commands:
        if command.name == name:
            return typer.main.get_command_from_info(
                command,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
    for group in registered.registered_groups:
        if group.name == name:
            return typer.main.get_group_from_info(
                group,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
                suggest_commands=app.suggest_commands,
            )
    raise LookupError(f"{module} registers no command named {name!r}")


app = typer.Typer(
    cls=_LazyCrisisGroup,
    name="crisis",
    help=(
        "A calm assistant for customer crises: walk a service-recovery playbook, "
        "record every answer durably, and report on it."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        from crisiscli import __version__  # noqa: PLC0415

        sys.stdout.write(f"crisis {__version__}\n")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    actor: Annotated[
        str | None,
        typer.Option(
            "--as",
            metavar="NAME",
            help="Record events as done by NAME (default: $CRISIS_ACTOR, else user@host).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """A calm assistant for customer crises: walk a service-recovery playbook,
    record every answer durably, and report on it."""
    from crisiscli.actors import choose  # noqa: PLC0415

    choose(actor)  # None too: a run without --as never inherits an earlier one's name
