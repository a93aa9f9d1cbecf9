"""``crisis stats``: figures across every session of the journal, drawn with Rich."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from crisiscli.cli.common import JsonOption
from crisiscli.cli.output import print_json, printable

if TYPE_CHECKING:
    from datetime import tzinfo

    from crisiscli.stats import Stats

BAR_WIDTH = 30


def register(app: typer.Typer) -> None:
    app.command("stats")(stats_command)


def stats_command(
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATE",
            help="Only sessions started on or after DATE (2026-11-01, in the local time zone) "
            "or an ISO 8601 instant (2026-11-01T09:00+01:00).",
            show_default=False,
        ),
    ] = None,
    training: Annotated[
        bool, typer.Option("--training", help="Include training drills (crisis replay).")
    ] = False,
    as_json: JsonOption = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            "-l",
            help="Language of the labels: en or fr (default: the language setting, else en).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Figures across crises: time to mitigation, update cadence, feedback, compensation.

    Counts every real session of the journal (training drills too with
    --training): open and closed, the median time from the start of the
    incident to the workaround, the share of promised updates sent on time,
    the average feedback before and after, and the compensation offered per
    currency. Sessions that did not record a figure are counted as such.
    """
    from crisiscli.cli.common import open_store, settings  # noqa: PLC0415
    from crisiscli.cli.output import generation_time  # noqa: PLC0415
    from crisiscli.clock import timezone_from_name  # noqa: PLC0415
    from crisiscli.stats import load_stats, parse_since  # noqa: PLC0415

    # --lang, CRISIS_LANG, ./crisis.toml, $CRISIS_HOME/crisis.toml, checked by the settings.
    configured = settings(language=("--lang", lang))
    language = configured.language() or "en"
    zone = timezone_from_name(configured.timezone())
    start = parse_since(since, zone) if since is not None else None
    now = generation_time()
    store = open_store(configured)
    try:
        figures = load_stats(store, now=now, since=start, include_training=training)
    finally:
        store.close()
    if as_json:
        print_json(figures.to_json())
        return
    _draw(figures, language, zone)


def _draw(figures: Stats, language: str, zone: tzinfo) -> None:
    from rich import box  # noqa: PLC0415
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    from crisiscli.messages import t  # noqa: PLC0415

    # Rich draws no colour when stdout is not a terminal or NO_COLOR is set.
    console = Console(highlight=False, emoji=False)
    console.print(Text(t("stats.title", language), style="bold"))
    for line in _scope(figures, language, zone):
        console.print(Text(line))
    if not figures.count:
        console.print(Text(t("stats.none", language)))
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column(t("stats.head.figure", language), no_wrap=True, style="bold")
    table.add_column(t("stats.head.value", language))
    for label, lines in _rows(figures, language):
        table.add_row(Text(t(label, language)), Text("\n".join(printable(x) for x in lines)))
    console.print()
    console.print(table)
    for title, bars in _bars(figures, language):
        console.print()
        console.print(Text(t(title, language), style="bold"))
        console.print(_bar_grid(bars))


def _scope(figures: Stats, language: str, zone: tzinfo) -> list[str]:
    from crisiscli.formatting import format_date, format_datetime  # noqa: PLC0415
    from crisiscli.messages import t  # noqa: PLC0415

    if figures.since is None:
        scope = t("stats.scope.all", language)
    else:
        local = figures.since.astimezone(zone)
        midnight = (local.hour, local.minute, local.second) == (0, 0, 0)
        shown = format_date(local, language) if midnight else format_datetime(local, language)
        scope = t("stats.scope.since", language, since=shown)
    key = "stats.scope.training" if figures.training_included else "stats.scope.real"
    return [scope, t(key, language)]


def _rows(figures: Stats, language: str) -> list[tuple[str, list[str]]]:
    """The summary table: a label id and the lines of its value."""
    from crisiscli.formatting import format_percent  # noqa: PLC0415
    from crisiscli.messages import format_number, t  # noqa: PLC0415

    count = figures.count
    rows: list[tuple[str, list[str]]] = []
    rows.append(
        (
            "stats.sessions",
            [
                t(
                    "stats.sessions.value",
                    language,
                    count=count,
                    open=count - figures.closed,
                    closed=figures.closed,
                )
            ],
        )
    )
    rows.append(("stats.playbooks", [", ".join(f"{name}: {n}" for name, n in figures.playbooks)]))

    minutes = figures.mitigation_minutes
    median = figures.median_minutes_to_mitigate
    mitigation = (
        t(
            "stats.mitigation.value",
            language,
            median=_duration(median, language),
            low=_duration(min(minutes), language),
            high=_duration(max(minutes), language),
        )
        if median is not None
        else t("stats.mitigation.none", language)
    )
    coverage = t("stats.mitigation.coverage", language, have=len(minutes), count=count)
    rows.append(("stats.mitigation", [mitigation, coverage]))

    percent = figures.compliance_percent
    cadence = (
        t(
            "stats.cadence.value",
            language,
            kept=figures.promises_kept,
            due=figures.promises_due,
            percent=format_percent(percent, language),
        )
        if percent is not None
        else t("stats.cadence.none", language)
    )
    have = figures.sessions_with_promises_due
    rows.append(
        ("stats.cadence", [cadence, t("stats.cadence.coverage", language, have=have, count=count)])
    )

    for phase in ("before", "after"):
        average = figures.feedback(phase)
        line = (
            t(
                "stats.feedback.value",
                language,
                average=format_number(average.average, language),
                scores=average.scores,
                sessions=average.sessions,
            )
            if average.average is not None
            else t("stats.feedback.none", language)
        )
        rows.append((f"stats.feedback.{phase}", [line]))

    held, known = figures.paradox
    paradox = (
        t("stats.paradox.value", language, held=held, count=known)
        if known
        else t("stats.paradox.none", language)
    )
    rows.append(("stats.paradox", [paradox]))

    totals = [
        t(
            "stats.compensation.value",
            language,
            offered=_money(total.offered, total.currency, language),
            owed=_money(total.owed, total.currency, language),
            sessions=total.sessions,
        )
        for total in figures.compensation
    ] or [t("stats.compensation.none", language)]
    have = figures.sessions_with_compensation
    totals.append(t("stats.compensation.coverage", language, have=have, count=count))
    rows.append(("stats.compensation", totals))
    return rows


Bar = tuple[str, float | None, float, str]
"""A bar: its label, its length (None for no bar), the length of a full bar, the value shown."""


def _bars(figures: Stats, language: str) -> list[tuple[str, list[Bar]]]:
    from crisiscli.formatting import format_percent  # noqa: PLC0415
    from crisiscli.messages import format_number, t  # noqa: PLC0415

    cadence: list[Bar] = []
    for s in figures.sessions:
        if s.compliance_percent is None:
            cadence.append((s.session_id, None, 100, t("stats.bars.cadence.none", language)))
        else:
            shown = t(
                "stats.bars.cadence.value",
                language,
                percent=format_percent(s.compliance_percent, language),
                kept=s.promises_kept,
                due=s.promises_due,
            )
            cadence.append((s.session_id, s.compliance_percent, 100, shown))
    feedback: list[Bar] = []
    for phase in ("before", "after"):
        average = figures.feedback(phase).average
        shown = (
            f"{format_number(average, language)}/10"
            if average is not None
            else t("stats.feedback.none", language)
        )
        feedback.append((t(f"stats.bars.{phase}", language), average, 10, shown))
    longest = max(figures.mitigation_minutes, default=0) or 1
    mitigation: list[Bar] = [
        (
            s.session_id,
            s.minutes_to_mitigate,
            longest,
            _duration(s.minutes_to_mitigate, language)
            if s.minutes_to_mitigate is not None
            else t("stats.bars.not_recorded", language),
        )
        for s in figures.sessions
    ]
    return [
        ("stats.bars.cadence", cadence),
        ("stats.bars.feedback", feedback),
        ("stats.bars.mitigation", mitigation),
    ]


def _bar_grid(bars: list[Bar]) -> Any:
    from rich.bar import Bar as RichBar  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(width=BAR_WIDTH, no_wrap=True)
    grid.add_column()
    for label, length, full, shown in bars:
        drawn = (
            RichBar(full, 0, length, width=BAR_WIDTH, color="cyan")
            if length
            else Text(" " * BAR_WIDTH)
        )
        grid.add_row(Text(printable(label)), drawn, Text(printable(shown)))
    return grid


def _duration(minutes: float, language: str) -> str:
    """Whole minutes as ``1 h 30 min``; a median between two values may add ``30 s``."""
    from crisiscli.formatting import format_duration  # noqa: PLC0415

    whole = int(minutes)
    text = format_duration(whole, language)
    seconds = round((minutes - whole) * 60)
    return f"{text} {seconds} s" if seconds else text


def _money(amount: Any, currency: str, language: str) -> str:
    from crisiscli.messages import format_number  # noqa: PLC0415

    return f"{format_number(float(amount), language)} {currency}"
