"""``crisis sessions list`` and ``crisis sessions show``."""

from __future__ import annotations

from typing import Annotated

import typer

from crisiscli.cli.common import JsonOption, open_store
from crisiscli.cli.completion import session_ids
from crisiscli.cli.output import echo, local_time, one_line, print_json

app = typer.Typer(help="List recorded sessions and show one in full.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="sessions")


@app.command("list")
def list_sessions(
    as_json: JsonOption = False,
    show_all: Annotated[
        bool, typer.Option("--all", "-a", help="Include training drills (crisis replay).")
    ] = False,
) -> None:
    """List real crisis sessions, most recent first (training drills too with --all)."""
    everything = open_store().sessions()
    summaries = everything if show_all else [s for s in everything if not s.training]
    summaries.sort(key=lambda s: (s.started_at, s.id), reverse=True)
    if as_json:
        print_json([s.to_json() for s in summaries])
        return
    hidden = len(everything) - len(summaries)
    if not summaries:
        echo("No sessions yet. Start one with `crisis start`.")
    else:
        echo(f"{'ID':<21}  {'STATUS':<8}  {'STARTED (UTC)':<16}  {'PLAYBOOK':<22}  TITLE")
    for s in summaries:
        started = local_time(s.started_at, "UTC")
        status = "training" if s.training else s.status
        echo(f"{s.id:<21}  {status:<8}  {started:<16}  {s.playbook_id:<22}  {one_line(s.title)}")
    if hidden:
        echo(f"({hidden} training drill{'s' if hidden > 1 else ''} hidden; --all shows them)")


@app.command("show")
def show(
    session: Annotated[
        str,
        typer.Argument(help="Session id (see `crisis sessions list`).", autocompletion=session_ids),
    ],
    as_json: JsonOption = False,
) -> None:
    """Show a session's details and every event of its journal."""
    from crisiscli.state import fold  # noqa: PLC0415
    from crisiscli.status import summarize  # noqa: PLC0415
    from crisiscli.store import resolve_session  # noqa: PLC0415

    store = open_store()
    summary = resolve_session(store, session)
    events = store.events(summary.id)
    if as_json:
        print_json({"session": summary.to_json(), "events": [e.to_json() for e in events]})
        return
    state = fold(events)
    zone = state.timezone
    echo(f"Session   {summary.id} ({summary.status})")
    echo(f"Title     {summary.title}")
    echo(f"Playbook  {summary.playbook_id} ({summary.language}) from {state.source}")
    echo(f"Started   {local_time(summary.started_at, zone)} {zone} by {state.started_by}")
    if summary.closed_at:
        echo(f"Closed    {local_time(summary.closed_at, zone)}")
    echo()
    echo(f"{len(events)} events")
    for event in events:
        when = local_time(event.at, zone, seconds=True)
        summary_line = one_line(summarize(event, state.language))
        echo(f"  {event.seq:>4}  {when}  {event.actor}  {event.type}: {summary_line}")
