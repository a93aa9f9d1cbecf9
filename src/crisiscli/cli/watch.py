"""``crisis watch``: a live dashboard of who is due an update, with countdowns and a bell."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crisiscli.cli.common import SessionArg, load_chosen_session, open_store

if TYPE_CHECKING:
    from rich.console import RenderableType


def register(app: typer.Typer) -> None:
    app.command("watch")(watch)


def watch(
    session: SessionArg = None,
    interval: Annotated[
        float,
        typer.Option("--interval", help="Seconds between refreshes (at most 1).", min=0.1, max=1.0),
    ] = 1.0,
) -> None:
    """Watch the crisis live: next update per stakeholder, countdowns, a bell when one falls due.

    The journal is read again at every refresh, so updates recorded from another
    terminal show at once. Ctrl-C stops watching; nothing is recorded.
    """
    from rich.console import Console  # noqa: PLC0415
    from rich.live import Live  # noqa: PLC0415

    from crisiscli.status import live_view  # noqa: PLC0415

    store = open_store()
    session_id = load_chosen_session(store, session).session_id
    console = Console(highlight=False)
    rung: set[tuple[str, str]] = set()
    try:
        with Live(console=console, refresh_per_second=4, transient=False) as live:
            while True:
                state = load_chosen_session(store, session_id)
                now = datetime.now(UTC)
                view = live_view(state, now=now)
                for due in view["due"]:
                    key = (due["name"], due["next_due_at"])
                    if due["overdue"] and key not in rung:
                        rung.add(key)
                        console.bell()
                live.update(_dashboard(state, view, now))
                if state.is_closed:
                    break
                time.sleep(interval)
    except KeyboardInterrupt:
        pass
    console.print("Stopped watching; nothing was recorded.")


def _dashboard(state: Any, view: dict[str, Any], now: datetime) -> RenderableType:
    from rich.console import Group  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    from crisiscli.cli.output import local_time, printable  # noqa: PLC0415
    from crisiscli.formatting import format_percent  # noqa: PLC0415
    from crisiscli.messages import format_number  # noqa: PLC0415

    zone = state.timezone
    title = Text.assemble(
        (printable(state.title), "bold"),
        f"  {state.session_id}  ",
        ("closed" if state.is_closed else "open", "green" if state.is_closed else "yellow"),
        f"  {local_time(now, zone, seconds=True)}",
    )
    table = Table(expand=True, title=None, show_edge=False)
    table.add_column("Stakeholder")
    table.add_column("Last update")
    table.add_column("Next due")
    table.add_column("Countdown", justify="right")
    by_name = {s["name"]: s for s in view["stakeholders"]}
    for due in view["due"]:
        who = by_name[due["name"]]
        label = printable(due["name"]) + (f" ({printable(who['role'])})" if who["role"] else "")
        seconds = int(due["minutes_left"] * 60)
        countdown = _clock(abs(seconds))
        shown = (
            Text(f"OVERDUE {countdown}", style="bold red")
            if due["overdue"]
            else Text(countdown, style="green" if seconds > 600 else "yellow")
        )
        last = local_time(due["last_update_at"], zone) if due["last_update_at"] else "never"
        table.add_row(label, last, local_time(due["next_due_at"], zone), shown)
    parts: list[RenderableType] = [title, table]
    if not view["due"]:
        parts.append(Text("No stakeholders yet: add them with `crisis stakeholder add NAME`."))
    impact = view["impact"]
    if impact["affected"] is not None:
        line = (
            f"Impact: {format_number(impact['affected'], 'en')} of "
            f"{format_number(impact['total'], 'en')} affected"
        )
        if impact["affected_percent"] is not None:
            line += f" ({format_percent(impact['affected_percent'], 'en')})"
        if impact["severity"]:
            line += f", severity {impact['severity']}"
        parts.append(Text(line))
    parts.append(Text("Ctrl-C to stop watching.", style="dim"))
    return Group(*parts)


def _clock(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
