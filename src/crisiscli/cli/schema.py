"""``crisis schema``: the JSON Schema of each kind of file, for editors and validators."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crisiscli.cli.common import home, preferred_language
from crisiscli.cli.completion import playbook_names
from crisiscli.schema_kinds import KINDS


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)


def _kinds(incomplete: str) -> list[str]:
    return [kind for kind in KINDS if kind.startswith(incomplete)]


def schema(
    kind: Annotated[
        str,
        typer.Argument(
            metavar="KIND",
            help="playbook, scenario, contract, answers or config (crisis.toml).",
            autocompletion=_kinds,
            show_default=False,
        ),
    ],
    playbook: Annotated[
        str | None,
        typer.Option(
            "--playbook",
            "-p",
            help="With answers: list the questions of this playbook (an id or a .toml file).",
            autocompletion=playbook_names,
            show_default=False,
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang", "-l", help="The playbook's language version: en or fr.", show_default=False
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Write to this file instead of standard output (- for standard output). "
            "An existing file is replaced without --force: rewriting the copies in schemas/ "
            "is how they are brought up to date.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print the JSON Schema of a file kind, for editors and validators.

    KIND is playbook, scenario, contract, answers or config (crisis.toml). The
    answers schema accepts any step_id.question_id key; with --playbook it lists
    that playbook's questions, each with the answers it accepts. Files that start with a
    `#:schema` line naming the schema are checked as you type by editors that
    use taplo (docs/editors.md).
    """
    import json  # noqa: PLC0415

    from crisiscli.errors import UsageError  # noqa: PLC0415
    from crisiscli.schema_kinds import check_kind  # noqa: PLC0415

    check_kind(kind)
    chosen = None
    if playbook is not None:
        from crisiscli.catalogue import find_playbook  # noqa: PLC0415

        if kind != "answers":
            raise UsageError(f"--playbook only applies to the answers schema, not to {kind}")
        chosen, _source = find_playbook(
            playbook,
            language=preferred_language(lang),
            home=home(),
            cwd=Path.cwd(),
            strict_language=lang is not None,
        )
    elif lang is not None:
        raise UsageError("--lang chooses the language of --playbook; give --playbook too")
    from crisiscli.schemas import schema as build  # noqa: PLC0415

    text = json.dumps(build(kind, chosen), ensure_ascii=False, indent=2) + "\n"
    if out is None or str(out) == "-":
        typer.echo(text, nl=False)
        return
    from crisiscli.cli.output import write_whole  # noqa: PLC0415

    write_whole(out, text)
