"""``crisis init``: scaffold a folder a team keeps in git."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from crisiscli.cli.common import settings
from crisiscli.cli.output import echo
from crisiscli.scaffold import DEFAULT_STORE


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def init(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="DIR",
            help="The folder to scaffold, created if missing (default: the current folder).",
            show_default=False,
            file_okay=False,
        ),
    ] = Path(),
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            "-l",
            help="Language of the scaffold and the team's default: en or fr "
            "(default: the language setting, else en).",
        ),
    ] = None,
    store: Annotated[
        str,
        typer.Option(
            "--store",
            help="The journal's SQLite file that crisis.toml names, relative to DIR; "
            "listed in .gitignore when inside DIR. Or a postgresql:// URL for team mode, "
            "without its password (PGPASSWORD or ~/.pgpass supply it).",
        ),
    ] = DEFAULT_STORE,
    force: Annotated[
        bool, typer.Option("--force", help="Replace files that already exist.")
    ] = False,
) -> None:
    """Scaffold a folder a team keeps in git: playbooks, templates, contracts, crisis.toml.

    DIR gets playbooks/ (a starter playbook), templates/ (how to override a
    report template), contracts/ (an example contract), scenarios/, sessions/
    (exported sessions), schemas/ (JSON Schemas for editors), crisis.toml (the
    team's defaults), .taplo.toml (which schema checks which file) and
    .gitignore (the local journal). If one of these files exists, nothing is
    written, unless --force; .gitignore only gets the lines it lacks.
    """
    from crisiscli.config import check_value, store_location  # noqa: PLC0415
    from crisiscli.errors import UsageError  # noqa: PLC0415
    from crisiscli.paths import builtin_dir  # noqa: PLC0415
    from crisiscli.scaffold import STARTER_ID, team_folder, write_files  # noqa: PLC0415
    from crisiscli.schemas import schema  # noqa: PLC0415

    configured = settings(language=("--lang", lang))
    language = configured.language() or "en"
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file; expected the folder to scaffold")
    # Written as given (sqlite://j.db stays so); .gitignore lists what it resolves to.
    location = store_location(check_value("store", store, "--store", folder))
    if not isinstance(location, Path) and location.masked != location.url:
        raise UsageError(
            "--store holds a password, and crisis.toml is shared through git; leave it out "
            "of the URL and give it with PGPASSWORD or ~/.pgpass"
        )
    store_path = location if isinstance(location, Path) else None
    files = team_folder(
        folder,
        language=language,
        timezone=_zone_name(configured.timezone()),
        store=store,
        store_path=store_path,
        schema_of=schema,
        example_contract=builtin_dir("contracts") / f"example.{language}.toml",
    )
    written = write_files(folder, files, force=force)
    said = _SAY[language]
    echo(said["done"].format(folder=folder))
    for path, what in written:
        echo(f"  {path.as_posix():<44} {said[what]}")
    echo()
    echo(said["next"])
    if folder.resolve() != Path.cwd().resolve():
        echo(f"  cd {folder}")
    for line in said["steps"]:
        echo("  " + line.format(starter=f"playbooks/{STARTER_ID}.{language}.toml", id=STARTER_ID))


def _zone_name(zone: str) -> str | None:
    """The time zone to write into crisis.toml: an IANA name, never a bare UTC offset."""
    from crisiscli.clock import is_zone  # noqa: PLC0415

    return zone if is_zone(zone) else None


_SAY: dict[str, dict[str, Any]] = {
    "en": {
        "done": "Scaffolded {folder}:",
        "created": "created",
        "replaced": "replaced",
        "updated": "updated",
        "next": "Next:",
        "steps": [
            "crisis playbooks validate {starter}   # after editing it",
            "crisis start                # walks {id}, the default in crisis.toml",
            "crisis config show          # the settings in force, and where each comes from",
            'git init && git add -A && git commit -m "Our crisis playbooks"',
        ],
    },
    "fr": {
        "done": "Dossier {folder} préparé :",
        "created": "créé",
        "replaced": "remplacé",
        "updated": "complété",
        "next": "Ensuite :",
        "steps": [
            "crisis playbooks validate {starter}   # après l'avoir modifié",
            "crisis start                # suit {id}, le playbook par défaut de crisis.toml",
            "crisis config show          # les réglages en vigueur et leur provenance",
            'git init && git add -A && git commit -m "Nos playbooks de crise"',
        ],
    },
}
