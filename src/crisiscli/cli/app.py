"""The ``crisis`` application and the one place where errors become exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from crisiscli.errors import CrisisError, ExitCode


@contextmanager
def errors_to_exit_codes() -> Iterator[None]:
    """Turn every user-facing error into one line on stderr and its exit code.

    ``CRISIS_DEBUG=1`` lets the original exception through, traceback and all.
    """
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
    from crisiscli.cli.output import printable  # noqa: PLC0415

    prefix = f"crisis: {label}: "
    if sys.stderr.isatty() and "NO_COLOR" not in os.environ:
        prefix = f"\n\x1b[31mcrisis: {label}:\x1b[0m "
    sys.stderr.write(prefix + printable(message) + "\n")
    sys.stderr.flush()


class CrisisGroup(TyperGroup):
    """The top-level group: every subcommand runs inside ``errors_to_exit_codes``."""

    def invoke(self, ctx: Any) -> Any:
        with errors_to_exit_codes():
            return super().invoke(ctx)


app = typer.Typer(
    cls=CrisisGroup,
    name="crisis",
    help=(
        "A calm assistant for customer crises: walk a service-recovery playbook, "
        "record every answer durably, and report on it."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
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
) -> None:
    """A calm assistant for customer crises: walk a service-recovery playbook,
    record every answer durably, and report on it."""


def _register() -> None:
    from crisiscli.cli import coach, live, playbooks, report, sessions, walk, watch  # noqa: PLC0415

    walk.register(app)
    live.register(app)
    watch.register(app)
    coach.register(app)
    report.register(app)
    app.add_typer(sessions.app, name="sessions")
    app.add_typer(playbooks.app, name="playbooks")


_register()
