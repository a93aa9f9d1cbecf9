"""``crisis start``, ``resume``, ``status`` and ``close``: one session's life."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crisiscli.cli.common import (
    JsonOption,
    SessionArg,
    check_text_option,
    home,
    load_chosen_session,
    open_store,
    settings,
)
from crisiscli.cli.completion import playbook_names
from crisiscli.cli.output import echo, local_time, one_line, print_due, print_json

if TYPE_CHECKING:
    from crisiscli.engine import Prompter
    from crisiscli.state import SessionState
    from crisiscli.store import Store


def register(app: typer.Typer) -> None:
    app.command("start")(start)
    app.command("resume")(resume)
    app.command("status")(status)
    app.command("close")(close)


def start(
    playbook: Annotated[
        str | None,
        typer.Argument(
            help="Playbook id or path to a .toml file (default: the playbook setting, "
            "else customer-outage).",
            show_default=False,
            autocompletion=playbook_names,
        ),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option("--title", "-t", help="Short name of the crisis (default: the playbook's)."),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang", "-l", help="Playbook language: en or fr (default: the language setting)."
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            help="IANA time zone of the session, e.g. Europe/Paris "
            "(default: the timezone setting, else this machine's).",
            show_default=False,
        ),
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            "-a",
            help="TOML file with an \\[answers] table keyed step_id.question_id; no prompts.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Start a crisis session and walk its playbook step by step."""
    from crisiscli.actors import default_actor  # noqa: PLC0415
    from crisiscli.catalogue import find_playbook  # noqa: PLC0415
    from crisiscli.clock import SystemClock  # noqa: PLC0415
    from crisiscli.engine import rehearse, start_session  # noqa: PLC0415
    from crisiscli.messages import t  # noqa: PLC0415

    configured = settings(
        language=("--lang", lang),
        timezone=("--timezone", timezone),
        playbook=("PLAYBOOK", playbook),
    )
    language = configured.language()
    chosen, source = find_playbook(
        configured.playbook(),
        language=language,
        home=home(),
        cwd=Path.cwd(),
        strict_language=lang is not None,
    )
    if title is not None:
        check_text_option("--title", title, single_line=True)
    clock, actor, zone = SystemClock(), default_actor(), configured.timezone()
    prompter = _prompter(chosen.language, answers, chosen)
    if answers is not None:
        rehearse(chosen, prompter, clock=clock, timezone=zone)
    store = open_store(configured)
    state = start_session(
        store,
        chosen,
        title=(title or chosen.title).strip(),
        source=source,
        clock=clock,
        actor=actor,
        timezone=zone,
    )
    _say(t("walk.started", state.language, session_id=state.session_id, title=state.title))
    _walk_saying_how_to_resume(store, state, prompter, clock=clock, actor=actor)
    for notice in getattr(prompter, "notices", []):
        echo(notice, err=True)
    _finish(state)


def resume(session: SessionArg = None) -> None:
    """Continue a session at its first unanswered question."""
    from crisiscli.actors import default_actor  # noqa: PLC0415
    from crisiscli.clock import SystemClock  # noqa: PLC0415
    from crisiscli.messages import t  # noqa: PLC0415

    store = open_store()
    state = load_chosen_session(store, session)
    if state.is_closed:
        from crisiscli.errors import SessionClosedError  # noqa: PLC0415

        raise SessionClosedError(state.session_id)
    _say(t("walk.resumed", state.language, session_id=state.session_id, title=state.title))
    prompter = _prompter(state.language, None, state.playbook)
    _walk_saying_how_to_resume(store, state, prompter, clock=SystemClock(), actor=default_actor())
    _finish(state)


def status(session: SessionArg = None, as_json: JsonOption = False) -> None:
    """Show a session's progress, answers, computed values and timeline."""
    from crisiscli.status import status_view  # noqa: PLC0415

    view = status_view(load_chosen_session(open_store(), session))
    if as_json:
        print_json(view)
        return
    _print_status(view)


def close(
    session: SessionArg = None,
    resolution: Annotated[
        str, typer.Option("--resolution", "-r", help="How the crisis was resolved, in a sentence.")
    ] = "",
) -> None:
    """Record that the crisis is resolved; the session then accepts no more answers."""
    from crisiscli.actors import default_actor  # noqa: PLC0415
    from crisiscli.clock import SystemClock  # noqa: PLC0415
    from crisiscli.engine import close_session  # noqa: PLC0415

    if resolution:
        check_text_option("--resolution", resolution, single_line=False)
    store = open_store()
    state = load_chosen_session(store, session)
    clock: Any = SystemClock()
    if state.drill is not None and state.drill.finished_at is None:
        from crisiscli.drill import stop_abandoned  # noqa: PLC0415

        clock = stop_abandoned(store, state, actor=default_actor())
    state = close_session(
        store, state, resolution=resolution.strip(), clock=clock, actor=default_actor()
    )
    assert state.closed_at is not None
    echo(f"Session {state.session_id} closed at {local_time(state.closed_at, state.timezone)}.")


def _walk_saying_how_to_resume(
    store: Store, state: SessionState, prompter: Prompter, *, clock: Any, actor: str
) -> None:
    """Walk; if piped input is refused, say that earlier answers are kept and how to go on."""
    from crisiscli.engine import walk  # noqa: PLC0415
    from crisiscli.errors import AnswersFileError  # noqa: PLC0415
    from crisiscli.messages import t  # noqa: PLC0415

    try:
        walk(store, state, prompter, clock=clock, actor=actor)
    except AnswersFileError as refused:
        saved = t("walk.saved", state.language, session_id=state.session_id)
        raise AnswersFileError(
            refused.file,
            f"{refused.problem}; earlier answers {saved}",
            line=refused.line,
            path=refused.path,
        ) from None


def _prompter(language: str, answers: Path | None, playbook: Any) -> Prompter:
    if answers is not None:
        from crisiscli.scripted import ScriptedPrompter, load_answers  # noqa: PLC0415

        return ScriptedPrompter(answers, load_answers(answers, playbook))
    if sys.stdin.isatty():
        from crisiscli.cli.prompters import RichPrompter  # noqa: PLC0415

        return RichPrompter(language)
    from crisiscli.cli.prompters import LinePrompter  # noqa: PLC0415

    return LinePrompter(language)


def _say(text: str) -> None:
    """Progress for people: on stdout at a terminal, on stderr when scripted."""
    echo(text, err=not sys.stdin.isatty())


def _finish(state: SessionState) -> None:
    from crisiscli.messages import t  # noqa: PLC0415

    _say(t("walk.done", state.language, session_id=state.session_id))
    sys.stdout.write(state.session_id + "\n")


def _print_status(view: dict[str, Any]) -> None:
    from crisiscli.answers import show_answer  # noqa: PLC0415

    session, progress = view["session"], view["progress"]
    zone, language = session["timezone"], session["language"]
    playbook = session["playbook"]
    echo(f"Session   {session['id']} ({session['status']})")
    echo(f"Title     {session['title']}")
    echo(f"Playbook  {playbook['id']} ({playbook['language']}): {playbook['title']}")
    echo(f"Started   {local_time(session['started_at'], zone)} {zone} by {session['started_by']}")
    if session["closed_at"]:
        echo(f"Closed    {local_time(session['closed_at'], zone)}")
    done = progress["steps_done"] + progress["steps_skipped"]
    echo(
        f"Progress  {done} of {progress['steps_total']} steps, "
        f"{progress['questions_answered']} answers"
    )
    upcoming = progress["next"]
    if upcoming and not session["closed_at"]:
        echo(f"Next      {upcoming['key']}: {upcoming['prompt'] or upcoming['step']}")
        echo(f"          continue with `crisis resume {session['id']}`")
    echo()
    echo("Steps")
    marks = {"done": "✓", "skipped": "–", "current": "▶", "pending": " "}
    for step in view["steps"]:
        echo(f"  {marks[step['status']]} {step['title']} ({step['status']})")
    if view["answers"]:
        echo()
        echo("Answers")
        width = max(len(key) for key in view["answers"])
        for key, value in view["answers"].items():
            shown = show_answer(value, language).replace("\n", "\n" + " " * (width + 4))
            echo(f"  {key:<{width}}  {shown}")
    if view["computed"]:
        echo()
        echo("Computed")
        for key, item in view["computed"].items():
            shown = show_answer(item["value"], language) if item["error"] is None else item["error"]
            echo(f"  {key}  {shown}")
    _print_live(view["live"], zone)
    echo()
    echo("Timeline")
    for entry in view["timeline"]:
        when = local_time(entry["at"], zone)
        summary = one_line(entry["summary"])
        echo(f"  {when}  {entry['actor']}  {summary}")


def _print_live(live: dict[str, Any], zone: str) -> None:
    """The live part of status: stakeholders due, promises, impact, limits, feedback."""
    from crisiscli.formatting import format_percent  # noqa: PLC0415
    from crisiscli.messages import format_number  # noqa: PLC0415

    if live["stakeholders"]:
        echo()
        echo("Stakeholders")
        print_due(live, zone)
    if live["promises"]:
        counts: dict[str, int] = {}
        for promise in live["promises"]:
            counts[promise["status"]] = counts.get(promise["status"], 0) + 1
        compliance = live["cadence_compliance_percent"]
        shown = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        kept = f"; {format_percent(compliance, 'en')} kept" if compliance is not None else ""
        echo(f"Promises  {shown}{kept}")
    impact = live["impact"]
    if impact["affected"] is not None:
        echo()
        line = (
            f"Impact    {format_number(impact['affected'], 'en')} of "
            f"{format_number(impact['total'], 'en')} affected"
        )
        if impact["affected_percent"] is not None:
            line += (
                f" ({format_percent(impact['affected_percent'], 'en')}), "
                f"{format_percent(impact['working_percent'], 'en')} working"
            )
        echo(line)
        lost = format_number(impact["user_minutes_lost"], "en")
        severity = f"; severity {impact['severity']}" if impact["severity"] else ""
        measured = len(impact["measurements"])
        echo(f"          {lost} user-minutes lost over {measured} measurements{severity}")
    if live["limits"]:
        echo()
        echo("Limits")
        for rung in live["limits"]:
            echo(f"  {local_time(rung['at'], zone)}  {rung['name']}: {rung['level']}")
    if live["feedback"]:
        echo()
        echo("Feedback")
        for given in live["feedback"]:
            when = local_time(given["at"], zone)
            echo(f"  {when}  {given['source']} ({given['phase']}): {given['score']}/10")
        if live["recovery_paradox"] is not None:
            held = "held" if live["recovery_paradox"] else "did not hold"
            echo(f"  Recovery paradox {held}")
