"""What most commands need: the store, the clock, who is acting, the language."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crisiscli.cli.completion import session_ids

if TYPE_CHECKING:
    from crisiscli.config import Settings
    from crisiscli.state import SessionState
    from crisiscli.store import Store


SessionArg = Annotated[
    str | None,
    typer.Argument(
        metavar="SESSION",
        help="Session id; the most recent open session when left out.",
        show_default=False,
        autocompletion=session_ids,
    ),
]
"""The SESSION argument of every command that reads one session."""

JsonOption = Annotated[bool, typer.Option("--json", help="Print as JSON, for scripts.")]
"""``--json`` of every command that shows state (docs/conventions.md)."""

OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        help="Write to this file instead of standard output (- for standard output).",
        dir_okay=False,
        show_default=False,
    ),
]
"""``--out`` of the commands that print a document: a report, an export."""


def settings(**flags: tuple[str, str | None]) -> Settings:
    """The settings in force (``crisiscli.config``); ``flags``: setting -> (flag, value or None).

    A current folder deleted under the shell means no ``./crisis.toml``, not a crash.
    """
    from crisiscli.config import Settings, current_folder  # noqa: PLC0415

    return Settings(cwd=current_folder(), flags=flags)


def open_store(configured: Settings | None = None) -> Store:
    """The journal the ``store`` setting names (CRISIS_STORE, crisis.toml, $CRISIS_HOME)."""
    from crisiscli.store import open_store as open_configured  # noqa: PLC0415

    return open_configured((configured or settings()).store())


def home() -> Path:
    from crisiscli.paths import crisis_home  # noqa: PLC0415

    return crisis_home()


def preferred_language(flag: str | None) -> str | None:
    """``--lang``, else the ``language`` setting, else none (let the playbook decide)."""
    return flag or settings().language()


def load_chosen_session(store: Store, session: str | None) -> SessionState:
    """The session named on the command line, or the most recent open one."""
    from crisiscli.state import load_session  # noqa: PLC0415
    from crisiscli.store import resolve_session  # noqa: PLC0415

    return load_session(store, resolve_session(store, session).id)


def check_text_option(option: str, text: str, *, single_line: bool) -> None:
    from crisiscli.errors import UsageError  # noqa: PLC0415
    from crisiscli.text import MAX_ANSWER_LENGTH, is_clean_text  # noqa: PLC0415

    if not text.strip():
        raise UsageError(f"{option} is empty; expected a few words")
    if not is_clean_text(text):
        raise UsageError(f"{option} holds bytes that are not valid UTF-8 text")
    if single_line and ("\n" in text or "\r" in text):
        raise UsageError(f"{option} holds a line break; expected a single line")
    if len(text) > MAX_ANSWER_LENGTH:
        raise UsageError(f"{option} is longer than {MAX_ANSWER_LENGTH:,} characters")
