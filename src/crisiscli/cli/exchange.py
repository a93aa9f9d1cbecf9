"""``crisis export`` and ``crisis import``: a session as a JSON or TOML file, and back.

The format and its checks live in ``crisiscli.exchange``; see docs/export-import.md.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from crisiscli.cli.common import JsonOption, OutOption, SessionArg, open_store
from crisiscli.cli.output import echo, generation_time, one_line, print_json, write_whole


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("import")(import_command)


def export(
    session: SessionArg = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="json or toml (default: from the --out file's suffix, else json).",
            metavar="FORMAT",
            show_default=False,
        ),
    ] = None,
    out: OutOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the --out file if it exists.")
    ] = False,
) -> None:
    """Write a session to a JSON or TOML file, to archive it or review it in git.

    Every event is written with its number, time, actor and payload, so that
    `crisis import` on another machine recreates the session exactly. Name a
    training drill by its id to export it. Set SOURCE_DATE_EPOCH to fix the
    recorded export time; everything else only changes when the session does.
    """
    from crisiscli import __version__  # noqa: PLC0415
    from crisiscli.errors import UsageError  # noqa: PLC0415
    from crisiscli.exchange import FORMATS, format_of, write_export  # noqa: PLC0415
    from crisiscli.store import resolve_session  # noqa: PLC0415

    target = None if out is None or str(out) == "-" else out
    chosen = fmt or (format_of(target) if target else None) or "json"
    if chosen not in FORMATS:
        raise UsageError(
            f"unknown format '{chosen}' (from --format); expected one of {', '.join(FORMATS)}"
        )
    if target is not None and not force and (target.exists() or target.is_symlink()):
        raise UsageError(f"{target} already exists; add --force to replace it")
    exported_at = generation_time()
    store = open_store()
    summary = resolve_session(store, session)
    events = store.events(summary.id)
    text = write_export(events, chosen, version=__version__, exported_at=exported_at)
    if target is None:
        sys.stdout.write(text)
        return
    write_whole(target, text)
    echo(f"Exported session {summary.id} ({_count(len(events))}) to {target}", err=True)


def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="An export written by `crisis export` (.json or .toml), or - for standard input.",
            metavar="FILE",
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """Load a session exported by crisis export, with the same id and events.

    The whole file is checked before anything is recorded, and it is written in
    one transaction. Importing the same file again changes nothing. A later
    export of a session imported before brings in its new events; a session
    with the same id but another history is refused.
    """
    from crisiscli.exchange import read_export  # noqa: PLC0415
    from crisiscli.store import resolve_session  # noqa: PLC0415

    export = read_export(file)
    store = open_store()
    written = store.import_session(export.events)
    summary = resolve_session(store, export.session_id)
    count = len(export.events)
    stored = count if written else len(store.events(summary.id))
    if as_json:
        print_json(
            {
                "session": summary.to_json(),
                "events": count,
                "imported": written > 0,
                "new_events": written,
            }
        )
    elif written == count:
        echo(
            f"Imported session {summary.id} ({_count(count)}, playbook {summary.playbook_id}, "
            f"title {one_line(summary.title)})"
        )
    elif written:
        echo(
            f"Imported {_count(written, 'new ')} into session {summary.id} "
            f"(events {count - written + 1:,} to {count:,}; {_count(count)} in all)"
        )
    elif stored == count:
        echo(
            f"Session {summary.id} is already in this store with the same {_count(count)}; "
            "nothing imported"
        )
    else:
        echo(
            f"Session {summary.id} is already in this store with these {_count(count)} and "
            f"{stored - count:,} later; nothing imported"
        )


def _count(events: int, kind: str = "") -> str:
    return f"{events:,} {kind}event{'s' if events != 1 else ''}"
