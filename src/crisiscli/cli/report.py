"""``crisis report`` and ``crisis templates list``: documents from a recorded session."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from crisiscli.cli.common import (
    JsonOption,
    OutOption,
    SessionArg,
    home,
    load_chosen_session,
    open_store,
)
from crisiscli.cli.output import echo, generation_time, print_json, write_whole

templates_app = typer.Typer(help="Find the report templates.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.add_typer(templates_app, name="templates")


def report(  # noqa: PLR0917 - typer passes options by position
    session: SessionArg = None,
    template: Annotated[
        str,
        typer.Option(
            "--template",
            "-t",
            help="remediation, postmortem, update, summary, a template of yours, or a .j2 file.",
        ),
    ] = "remediation",
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="md, html, txt or json (default: md, or the format a .j2 file is named for).",
            metavar="FORMAT",
            show_default=False,
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", "-l", help="en or fr (default: the session's language)."),
    ] = None,
    out: OutOption = None,
    context_json: Annotated[
        bool,
        typer.Option("--context-json", help="Print the data templates receive, as JSON, and stop."),
    ] = False,
) -> None:
    """Render a report from a recorded session: for the customer, the team or executives."""
    from crisiscli.errors import UsageError  # noqa: PLC0415
    from crisiscli.playbook import LANGUAGES  # noqa: PLC0415
    from crisiscli.report_context import build_context  # noqa: PLC0415
    from crisiscli.reports import FORMATS, format_of, render_report  # noqa: PLC0415

    fmt = fmt or format_of(template)
    if fmt not in FORMATS:
        raise UsageError(
            f"unknown format '{fmt}' (from --format); expected one of {', '.join(FORMATS)}"
        )
    if lang is not None and lang not in LANGUAGES:
        raise UsageError(f"unknown language '{lang}' (from --lang); expected en or fr")
    state = load_chosen_session(open_store(), session)
    context = build_context(state, language=lang or state.language, now=generation_time())
    if context_json:
        text = json.dumps(context.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    else:
        text = render_report(context, template=template, fmt=fmt, home=home(), cwd=Path.cwd())
    if out is None or str(out) == "-":
        typer.echo(text, nl=False)
        return
    write_whole(out, text)
    echo(f"Report written to {out}", err=True)


@templates_app.command("list")
def list_templates(
    as_json: JsonOption = False,
) -> None:
    """List report templates: ./templates, $CRISIS_HOME/templates, then built-ins."""
    from crisiscli.reports import catalogue, effective  # noqa: PLC0415

    entries = effective(catalogue(home(), Path.cwd()))
    if as_json:
        print_json([entry.to_json() for entry in entries])
        return
    echo(f"{'NAME':<16}  {'LANG':<4}  {'FORMAT':<6}  {'ORIGIN':<8}  PATH")
    for entry in entries:
        columns = f"{entry.name:<16}  {entry.language:<4}  {entry.format:<6}  {entry.origin:<8}"
        echo(f"{columns}  {entry.path}")
