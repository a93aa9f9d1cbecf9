"""``crisis replay`` (a drill, or the playback of a session) and ``crisis scenario``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crisiscli.cli.common import JsonOption, home, open_store, preferred_language
from crisiscli.cli.completion import scenario_names
from crisiscli.cli.output import echo, local_time, one_line, print_json, printable, write_whole

if TYPE_CHECKING:
    from crisiscli.scoring import Scorecard


scenario_app = typer.Typer(help="Find, check and write training scenarios.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("replay")(replay)
    app.add_typer(scenario_app, name="scenario")


def replay(  # noqa: PLR0917 - typer passes options by position
    target: Annotated[
        str,
        typer.Argument(
            metavar="SCENARIO|SESSION",
            help="A scenario (id or .toml file) to drill, or a session id to play back.",
            autocompletion=scenario_names,
        ),
    ],
    speed: Annotated[
        float | None,
        typer.Option(
            "--speed",
            help="Simulated seconds per real second (default 60: a simulated minute a second).",
            show_default=False,
        ),
    ] = None,
    step: Annotated[
        bool, typer.Option("--step", help="Enter moves on to the next inject (or event).")
    ] = False,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            "-a",
            help="Trainee script: \\[answers] and timed \\[\\[actions]]; runs without prompts.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", "-l", help="Scenario language: en or fr.", show_default=False),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Drill a training scenario with timed injects and get a scorecard, or play back a session."""
    from crisiscli.errors import UsageError  # noqa: PLC0415
    from crisiscli.store import SESSION_ID  # noqa: PLC0415

    if speed is not None and not 0 < speed <= 100_000:
        raise UsageError(f"--speed {speed:g} is out of range; expected more than 0, up to 100000")
    if step and speed is not None:
        raise UsageError("choose --speed or --step, not both")
    if SESSION_ID.fullmatch(target):
        if answers is not None:
            raise UsageError("--answers scripts a drill; a session is played back as recorded")
        _playback(target, speed=speed or 60.0, step=step, as_json=as_json)
        return
    if answers is not None and (step or speed is not None):
        raise UsageError("--answers runs the drill on its own clock; leave out --speed and --step")
    if as_json and answers is None:
        raise UsageError(
            "--json needs --answers: an interactive drill talks to the trainee on stdout; "
            "afterwards, `crisis report SESSION --format json` holds its scorecard"
        )
    _drill(target, speed=speed, step=step, answers=answers, lang=lang, as_json=as_json)


def _drill(
    target: str,
    *,
    speed: float | None,
    step: bool,
    answers: Path | None,
    lang: str | None,
    as_json: bool,
) -> None:
    from crisiscli.actors import default_actor  # noqa: PLC0415
    from crisiscli.clock import SimulatedClock, SystemClock, local_timezone_name  # noqa: PLC0415
    from crisiscli.drill import Drill, run_script  # noqa: PLC0415
    from crisiscli.drill_actions import load_script  # noqa: PLC0415
    from crisiscli.scenario import find_scenario, playbook_of  # noqa: PLC0415
    from crisiscli.store.memory import MemoryStore  # noqa: PLC0415

    cwd, data = Path.cwd(), home()
    scenario, path = find_scenario(target, language=preferred_language(lang), home=data, cwd=cwd)
    playbook, source = playbook_of(scenario, path, home=data, cwd=cwd)
    info = scenario.scenario
    start = info.starts_at or SystemClock().now()
    zone = info.timezone or local_timezone_name()
    actor = default_actor()
    if answers is not None:
        script = load_script(answers, playbook)

        def begin(store: Any, clock: Any) -> Drill:
            return Drill.begin(
                store,
                scenario,
                playbook,
                clock=clock,
                actor=actor,
                timezone=zone,
                mode="scripted",
                speed=None,
                source=f"{source} + {path}",
            )

        # A rehearsal in memory first: a script that does not fit the scenario
        # fails before any session is recorded.
        run_script(begin(MemoryStore(), SimulatedClock(start, 0)), script, say=lambda _l: None)
        drill = begin(open_store(), SimulatedClock(start, 0))
        say_to = sys.stderr if as_json else sys.stdout
        card = run_script(drill, script, say=lambda line: say_to.write(printable(line) + "\n"))
        _show_card(card, drill.state.session_id, drill.language, as_json=as_json)
        return
    from crisiscli.cli.drill_console import run_console  # noqa: PLC0415

    clock = SimulatedClock(start, 1.0 if step else (speed or 60.0))
    drill = Drill.begin(
        open_store(),
        scenario,
        playbook,
        clock=clock,
        actor=actor,
        timezone=zone,
        mode="step" if step else "speed",
        speed=None if step else clock.speed,
        source=f"{source} + {path}",
    )
    card = run_console(drill, step=step)
    _show_card(card, drill.state.session_id, drill.language, as_json=as_json)


def _show_card(card: Scorecard, session_id: str, language: str, *, as_json: bool) -> None:
    from crisiscli.messages import format_number, t  # noqa: PLC0415

    if as_json:
        print_json({"session": session_id, **card.to_json()})
        return
    echo()
    echo(
        t(
            "drill.scorecard",
            language,
            title=card.title,
            score=card.score,
            maximum=card.maximum,
            points=_points_word(card.score, card.maximum, language),
            percent=format_number(card.percent, language),
        )
    )
    for check in card.checks:
        mark = "✓" if check.passed else "✗"
        echo(f"  {mark} {check.earned:>3}/{check.points:<3} {one_line(check.title)}")
        if not check.passed:
            echo(f"            {one_line(check.explain)}")
    echo()
    echo(t("drill.debrief_hint", language, session_id=session_id))


def _points_word(score: int, maximum: int, language: str) -> str:
    """French counts 0 and 1 in the singular ("0 point sur 1"); English reads "of N points"."""
    if language == "fr":
        return "point" if score < 2 else "points"
    return "point" if maximum == 1 else "points"


def _playback(session: str, *, speed: float, step: bool, as_json: bool) -> None:
    """Print a session's events in time order, waiting between them as they happened."""
    import json  # noqa: PLC0415
    import time  # noqa: PLC0415

    from crisiscli.formatting import clock_label  # noqa: PLC0415
    from crisiscli.state import fold  # noqa: PLC0415
    from crisiscli.status import summarize  # noqa: PLC0415
    from crisiscli.store import resolve_session  # noqa: PLC0415

    store = open_store()
    events = store.events(resolve_session(store, session).id)
    state = fold(events)
    ordered = sorted(events, key=lambda e: (e.at, e.seq))
    previous = ordered[0].at
    try:
        for event in ordered:
            gap = (event.at - previous).total_seconds()
            if step and event is not ordered[0]:
                sys.stdin.readline()
            elif gap > 0:
                time.sleep(gap / speed)
            previous = event.at
            if as_json:
                sys.stdout.write(json.dumps(event.to_json(), ensure_ascii=False) + "\n")
                sys.stdout.flush()
                continue
            minutes = (event.at - state.started_at).total_seconds() / 60
            when = local_time(event.at, state.timezone)
            line = one_line(summarize(event, state.language))
            echo(f"{clock_label(minutes)}  {when}  {event.actor}  {line}")
            sys.stdout.flush()
    except KeyboardInterrupt:
        from crisiscli.messages import t  # noqa: PLC0415

        echo(t("drill.playback_stopped", state.language), err=True)


@scenario_app.command("list")
def scenario_list(as_json: JsonOption = False) -> None:
    """List the scenarios found in ./scenarios, $CRISIS_HOME/scenarios and the built-ins."""
    from crisiscli.errors import ScenarioError  # noqa: PLC0415
    from crisiscli.scenario import available, load_scenario  # noqa: PLC0415

    rows: list[dict[str, Any]] = []
    for origin, stem, path in available(home(), Path.cwd()):
        try:
            scenario = load_scenario(path)
        except ScenarioError as problem:
            rows.append({"id": stem, "origin": origin, "path": str(path), "error": str(problem)})
            continue
        info = scenario.scenario
        rows.append(
            {
                "id": info.id,
                "language": info.language,
                "title": info.title,
                "playbook": info.playbook,
                "minutes": info.duration_minutes,
                "injects": len(scenario.injects),
                "points": scenario.maximum(),
                "origin": origin,
                "path": str(path),
                "error": None,
            }
        )
    if as_json:
        print_json(rows)
        return
    if not rows:
        echo("No scenarios found.")
        return
    for row in rows:
        if row["error"]:
            echo(f"{row['id']:<24}  (unreadable) {one_line(row['error'])}")
            continue
        echo(
            f"{row['id']:<24}  {row['language']}  {row['minutes']:>4} min  "
            f"{row['injects']:>2} injects  {row['origin']:<7}  {one_line(row['title'])}"
        )


@scenario_app.command("check")
def scenario_check(
    file: Annotated[Path, typer.Argument(help="The scenario file to check.", dir_okay=False)],
) -> None:
    """Check a scenario file and the playbook it names; exit 2 with the first problem."""
    from crisiscli.scenario import load_scenario, playbook_of  # noqa: PLC0415

    scenario = load_scenario(file)
    playbook, _source = playbook_of(scenario, file, home=home(), cwd=Path.cwd())
    echo(
        f"{file}: scenario '{scenario.id}' ({scenario.language}) is valid: "
        f"{len(scenario.injects)} injects, {len(scenario.rubric)} checks worth "
        f"{scenario.maximum()} points, playbook '{playbook.id}'."
    )


@scenario_app.command("schema")
def scenario_schema() -> None:
    """Print the JSON Schema of scenario files (for editors and validators).

    The same as `crisis schema scenario`.
    """
    from crisiscli.cli.schema import schema  # noqa: PLC0415

    schema("scenario")


@scenario_app.command("from-session")
def scenario_from_session(
    session: Annotated[str, typer.Argument(help="The session to turn into a scenario.")],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="The scenario file to write (.toml).", dir_okay=False),
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite FILE if it exists (a trainer's edits too).")
    ] = False,
    anonymize: Annotated[
        bool,
        typer.Option(
            "--anonymize",
            help="Replace names, organisations, e-mail addresses and phone numbers consistently.",
        ),
    ] = False,
) -> None:
    """Write a training scenario from a recorded session: what came in becomes timed injects."""
    from crisiscli.errors import UsageError  # noqa: PLC0415
    from crisiscli.scenario import load_scenario  # noqa: PLC0415
    from crisiscli.scenario_export import dumps  # noqa: PLC0415
    from crisiscli.scenario_export import scenario_from_session as build  # noqa: PLC0415

    if out.exists() and not force:
        raise UsageError(f"{out} exists; choose another --out, or --force to overwrite it")
    from crisiscli.state import load_session  # noqa: PLC0415
    from crisiscli.store import resolve_session  # noqa: PLC0415

    store = open_store()
    state = load_session(store, resolve_session(store, session).id)
    exported = build(state, anonymize=anonymize)
    text = exported.header + dumps(exported.table)
    write_whole(out, text)
    load_scenario(out)  # what was written loads back: a bug otherwise, not a user error
    injects, checks = len(exported.table.get("injects", [])), len(exported.table["rubric"])
    echo(
        f"Scenario '{exported.table['scenario']['id']}' written to {out}: "
        f"{injects} inject{'s' if injects != 1 else ''}, {checks} checks"
        + (f", {exported.replaced} names and numbers replaced." if anonymize else ".")
    )
