"""``crisis playbooks list``, ``show``, ``validate`` and ``new``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crisiscli.cli.common import JsonOption, home, preferred_language, settings
from crisiscli.cli.completion import playbook_names
from crisiscli.cli.output import echo, one_line, print_json

if TYPE_CHECKING:
    from crisiscli.catalogue import PlaybookEntry

app = typer.Typer(help="Find, read and check playbooks.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="playbooks")


@app.command("list")
def list_playbooks(
    as_json: JsonOption = False,
) -> None:
    """List the playbooks on the search path: ./playbooks, $CRISIS_HOME/playbooks, built-ins."""
    from crisiscli.catalogue import catalogue, effective  # noqa: PLC0415

    entries = catalogue(home(), Path.cwd())
    in_force = effective([e for e in entries if e.error is None])
    broken = [e for e in entries if e.error is not None]
    if as_json:
        print_json([e.to_json() for e in in_force + broken])
        return
    echo(f"{'ID':<24}  {'LANG':<4}  {'ORIGIN':<8}  TITLE")
    for entry in in_force:
        echo(f"{entry.id:<24}  {entry.language:<4}  {entry.origin:<8}  {one_line(entry.title)}")
    for entry in broken:
        echo(
            f"{entry.id:<24}  {'?':<4}  {entry.origin:<8}  (invalid: {one_line(entry.error or '')})"
        )


@app.command("show")
def show(
    name: Annotated[
        str,
        typer.Argument(help="Playbook id or path to a .toml file.", autocompletion=playbook_names),
    ],
    lang: Annotated[
        str | None, typer.Option("--lang", "-l", help="Language version: en or fr.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show a playbook's steps, questions and computed values."""
    from crisiscli.catalogue import find_playbook  # noqa: PLC0415

    playbook, source = find_playbook(
        name, language=preferred_language(lang), home=home(), cwd=Path.cwd()
    )
    if as_json:
        from crisiscli.playbook import to_snapshot  # noqa: PLC0415

        print_json({"source": str(source), **to_snapshot(playbook)})
        return
    info = playbook.playbook
    echo(f"{info.title}  [{info.id}, {info.language}]  from {source}")
    if info.description:
        echo(info.description.strip())
    echo(f"Stakeholder updates every {info.cadence.update_every_minutes} minutes.")
    for number, step in enumerate(playbook.steps, start=1):
        echo()
        condition = f"  (only when {step.when})" if step.when else ""
        echo(f"{number}. {step.title}  [{step.id}, {step.phase}]{condition}")
        for item in step.checklist:
            echo(f"   ☐ {item}")
        for question in step.questions:
            extra = f" when {question.when}" if question.when else ""
            choices = f": {', '.join(question.choices)}" if question.choices else ""
            echo(f"   ? {step.id}.{question.id} ({question.type}{choices}{extra})")
            echo(f"     {question.prompt}")
        for key, expression in step.compute.items():
            echo(f"   = {step.id}.{key} = {expression}")


@app.command("validate")
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Playbook files to check.")],
) -> None:
    """Check playbook files; exit 2 at the first invalid one, saying where and why."""
    from crisiscli.playbook_loading import load_playbook  # noqa: PLC0415

    for path in paths:
        playbook = load_playbook(path)
        steps = len(playbook.steps)
        questions = len(playbook.question_keys())
        echo(
            f"{path}: ok ({playbook.id}, {playbook.language}, {steps} steps, {questions} questions)"
        )


@app.command("new")
def new(
    name: Annotated[
        str,
        typer.Argument(
            help="The new playbook's id: lowercase letters, digits and dashes.",
            show_default=False,
        ),
    ],
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            "-l",
            help="Language of the playbook: en or fr (default: the language setting, else en).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="The file to write (default: playbooks/NAME.LANG.toml).",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Write a short starter playbook to make your own; checked by the loader before it is kept."""
    from crisiscli.errors import UsageError  # noqa: PLC0415
    from crisiscli.scaffold import (  # noqa: PLC0415
        check_playbook_id,
        playbook_text,
        schema_reference,
        write_playbook,
    )

    check_playbook_id(name)
    language = settings(language=("--lang", lang)).language() or "en"
    target = out if out is not None else Path("playbooks") / f"{name}.{language}.toml"
    if target.suffix != ".toml":
        raise UsageError(f"{target} does not end in .toml, which playbooks must (from --out)")
    schema_file = Path.cwd() / "schemas" / "playbook.schema.json"
    schema = schema_reference(target.absolute(), schema_file)
    playbook = write_playbook(target, playbook_text(name, language, schema=schema), force=force)
    steps, questions = len(playbook.steps), len(playbook.question_keys())
    echo(f"{target}: written ({playbook.id}, {language}, {steps} steps, {questions} questions)")
    if not schema_file.is_file():
        echo(
            f"Its #:schema line names {schema}, which does not exist yet: "
            "`crisis schema playbook -o schemas/playbook.schema.json` writes it.",
            err=True,
        )
    overridden = _overridden(target, name, language)
    if overridden is not None:
        echo(
            f"warning: {target} overrides the {overridden.origin} playbook {name} ({language}) "
            f"of {overridden.path}; choose another id to keep both",
            err=True,
        )
    found = target.absolute().parent in (Path.cwd() / "playbooks", home() / "playbooks")
    echo(f"Edit it, check it with `crisis playbooks validate {target}`,")
    echo(f"and walk it with `crisis start {name if found else target}`.")


def _overridden(target: Path, name: str, language: str) -> PlaybookEntry | None:
    """The playbook ``target`` hides: same id and language, further down the search path.

    None when ``target`` is outside the search path (./playbooks,
    $CRISIS_HOME/playbooks, the built-ins) or hides nothing.
    """
    from crisiscli.catalogue import catalogue, search_path  # noqa: PLC0415

    levels = search_path(home(), Path.cwd())
    folders = [folder.resolve() for _origin, folder in levels]
    written_in = target.absolute().parent.resolve()
    if written_in not in folders:
        return None
    first = folders.index(written_in)
    below = {
        origin
        for (origin, _), folder in zip(levels[first + 1 :], folders[first + 1 :], strict=True)
        if folder != written_in
    }
    for entry in catalogue(home(), Path.cwd()):
        if entry.origin in below and (entry.id, entry.language) == (name, language):
            return entry
    return None
