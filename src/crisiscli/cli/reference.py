"""The command-line reference (``docs/cli-reference.md``), written from the commands themselves.

    python -m crisiscli.cli.reference > docs/cli-reference.md

Every command, group and parameter is read from the click objects typer
builds, so the page says exactly what ``--help`` says. ``tests/test_docs.py``
fails when the committed page differs from this output, or when a command
or a parameter has no help text.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import typer
from typer._click import Command, Context
from typer.core import TyperGroup as Group

HEADER = """\
# Command-line reference

Generated from the commands' own help by `python -m crisiscli.cli.reference`;
do not edit by hand (`tests/test_docs.py` fails when this page is stale).
Every command also answers `--help`. Conventions shared by all commands are
in [conventions](conventions.md).
"""


def commands(app: typer.Typer | None = None) -> Iterator[tuple[list[str], Command, Context]]:
    """Every command and group under ``crisis`` (or ``app``), depth first, in ``--help`` order."""
    import typer.main  # noqa: PLC0415

    from crisiscli.cli.app import app as crisis  # noqa: PLC0415

    root = typer.main.get_command(app or crisis)
    context = Context(root, info_name="crisis")
    yield from _walk(["crisis"], root, context)


def _walk(
    path: list[str], command: Command, context: Context
) -> Iterator[tuple[list[str], Command, Context]]:
    yield path, command, context
    if isinstance(command, Group):
        for name in command.list_commands(context):
            child = command.get_command(context, name)
            if child is None or child.hidden:
                continue
            yield from _walk([*path, name], child, Context(child, info_name=name, parent=context))


def render() -> str:
    """The whole reference page, in Markdown."""
    parts = [HEADER]
    for path, command, context in commands():
        parts.append(_section(path, command, context))
    return "\n".join(parts)


def _section(path: list[str], command: Command, context: Context) -> str:
    level = "#" * min(len(path) + 1, 4)
    lines = [f"{level} `{' '.join(path)}`", ""]
    usage = " ".join([*path, *command.collect_usage_pieces(context)])
    lines += ["```", usage, "```", ""]
    if command.help:
        lines += [_plain(command.help), ""]
    rows = [
        record
        for param in command.get_params(context)
        if (record := param.get_help_record(context)) is not None and record[0] != "--help"
    ]
    if rows:
        lines += ["| parameter | what it does |", "|---|---|"]
        lines += [f"| `{_cell(name)}` | {_cell(text)} |" for name, text in rows]
        lines.append("")
    if isinstance(command, Group):
        names = [n for n in command.list_commands(context) if n]
        listed = ", ".join(f"`{n}`" for n in names)
        lines += [f"Commands: {listed}.", ""]
    return "\n".join(lines)


def _plain(text: str) -> str:
    """Help text as Markdown: typer's escaped brackets (``\\[answers]``) unescaped."""
    return text.replace("\\[", "[").strip()


def _cell(text: str) -> str:
    return _plain(text).replace("|", "\\|").replace("\n", " ")


def missing_help(app: typer.Typer | None = None) -> list[str]:
    """Commands and parameters that have no help text, as ``crisis cmd --param``."""
    missing: list[str] = []
    for path, command, context in commands(app):
        where = " ".join(path)
        if len(path) > 1 and not (command.help or "").strip():
            missing.append(where)
        for param in command.get_params(context):
            record = param.get_help_record(context)
            if record is None or record[0] == "--help":
                continue
            # Not record[1]: typer fills it with "[required]" or "[default: ...]" even
            # when the parameter has no help of its own.
            if not (getattr(param, "help", None) or "").strip():
                missing.append(f"{where} {record[0]}")
    return missing


if __name__ == "__main__":
    sys.stdout.write(render())
