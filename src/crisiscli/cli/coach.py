"""``crisis coach``: review a message before it goes to a customer or stakeholder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crisiscli.cli.common import JsonOption
from crisiscli.cli.output import echo, one_line, print_json

if TYPE_CHECKING:
    from crisiscli.coach import Flag

MAX_MESSAGE_BYTES = 1024 * 1024

_WORDS = {
    "en": {
        "none": "No problems found.",
        "some": "{count} possible problem(s). The coach only advises: send when you are satisfied.",
        "end": "(end of message)",
    },
    "fr": {
        "none": "Aucun problème trouvé.",
        "some": (
            "{count} problème(s) possible(s). "
            "Le coach ne fait que conseiller : envoyez quand vous êtes satisfait."
        ),
        "end": "(fin du message)",
    },
}


def register(app: typer.Typer) -> None:
    app.command("coach")(coach_command)


def coach_command(
    text: Annotated[
        str | None,
        typer.Argument(
            metavar="TEXT",
            help="The message to check; '-' reads it from standard input.",
            show_default=False,
        ),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", "-f", help="Read the message from this UTF-8 file.", dir_okay=False),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            "-l",
            help="Language of the message: en or fr (default: the language setting, else en).",
        ),
    ] = None,
    as_json: JsonOption = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with code 1 when anything is flagged.")
    ] = False,
) -> None:
    """Check a message to a customer for blame, over-apology, vague impact, and a missing
    next-update time or owner. It warns and never blocks."""
    from crisiscli.cli.common import settings  # noqa: PLC0415
    from crisiscli.coach import coach  # noqa: PLC0415
    from crisiscli.errors import CrisisError, UsageError  # noqa: PLC0415

    # --lang, CRISIS_LANG, ./crisis.toml, $CRISIS_HOME/crisis.toml, checked by the settings.
    language = settings(language=("--lang", lang)).language() or "en"
    message = _message(text, file)
    if not message.strip():
        raise UsageError("the message is empty; give the text to check")
    flags = coach(message, language)
    words = _WORDS[language]
    if as_json:
        print_json(
            {
                "language": language,
                "flags": [_flag_json(flag) for flag in flags],
                "ok": not flags,
            }
        )
    else:
        _print_text(message, flags, words)
    if strict and flags:
        # Error lines are in English, like every other command's.
        raise CrisisError(f"the message has {len(flags)} flagged problem(s) (--strict)")


def _message(text: str | None, file: Path | None) -> str:
    """The message from exactly one of TEXT, --file, or standard input."""
    import sys  # noqa: PLC0415

    from crisiscli.errors import UsageError  # noqa: PLC0415

    if text is not None and file is not None:
        raise UsageError("give the message once: as TEXT or with --file, not both")
    if file is not None:
        return _read_file(file)
    if text == "-":
        return _read_stdin()
    if text is not None:
        return text
    if sys.stdin is None or sys.stdin.isatty():
        raise UsageError("no message to check; give it as TEXT, with --file, or on standard input")
    return _read_stdin()


def _read_file(path: Path) -> str:
    from crisiscli.errors import InvalidFileError  # noqa: PLC0415
    from crisiscli.tomlfile import read_file  # noqa: PLC0415

    data = read_file(path, InvalidFileError, max_bytes=MAX_MESSAGE_BYTES, expected="a text file")
    return _decoded(data, str(path))


def _read_stdin() -> str:
    import sys  # noqa: PLC0415

    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a text-only stream: measure what it gives
        text = sys.stdin.read(MAX_MESSAGE_BYTES + 1)
        return _decoded(text.encode("utf-8", "surrogateescape"), "standard input")
    return _decoded(buffer.read(MAX_MESSAGE_BYTES + 1), "standard input")


def _decoded(data: bytes, shown: str) -> str:
    """``data`` as text, refusing more than 1 MiB and anything but UTF-8."""
    from crisiscli.errors import InvalidFileError  # noqa: PLC0415

    if len(data) > MAX_MESSAGE_BYTES:
        limit = MAX_MESSAGE_BYTES // 1024
        raise InvalidFileError(shown, f"is larger than {limit} KiB, the limit for a message")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InvalidFileError(shown, "is not valid UTF-8 text", line=line) from None


def _flag_json(flag: Flag) -> dict[str, object]:
    return {
        "category": flag.category,
        "start": flag.start,
        "end": flag.end,
        "excerpt": flag.excerpt,
        "reason": flag.reason,
    }


def _print_text(message: str, flags: list[Flag], words: dict[str, str]) -> None:
    for line in message.strip("\n").splitlines():
        echo(f"  {line}")
    echo()
    if not flags:
        echo(words["none"])
        return
    width = max(len(flag.category) for flag in flags)
    for flag in flags:
        excerpt = f'"{one_line(flag.excerpt)}"' if flag.excerpt else words["end"]
        echo(f"{flag.category:<{width}}  {excerpt}  {flag.reason}")
    echo()
    echo(words["some"].format(count=len(flags)))
