"""Training drills: the scenario format, scoring, scripted and interactive replays, playback,
and turning a recorded crisis into a scenario."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest
from typer.testing import CliRunner

from crisiscli.cli.app import app
from crisiscli.drill_actions import ACTIONS, parse_command
from crisiscli.errors import UsageError
from crisiscli.messages import MESSAGES
from crisiscli.scenario import load_scenario, schema, to_table
from crisiscli.scoring import FACTS
from crisiscli.state import load_session
from crisiscli.store.sqlite import SQLiteStore

from .conftest import PYTHON, REPO, cli_env

SCENARIO = """
[scenario]
id = "mini-drill"
title = "Mini drill"
language = "en"
playbook = "customer-outage"
briefing = "The app crashes for some users of Eventia."
duration_minutes = 120
starts_at = 2026-03-14T08:00:00+01:00
timezone = "Europe/Paris"
practise = ["Read the limits ladder again."]

[[injects]]
at_minutes = 0
from = "Nadia Ferrand"
org = "Eventia"
role = "President"
text = "Your app is down! Lots of people cannot get in."

[[injects]]
at_minutes = 10
from = "Monitoring"
channel = "chat"
text = "3 of 1,000 users cannot download the app."
affected = 3
total = 1000

[[injects]]
at_minutes = 30
from = "Nadia Ferrand"
text = "You are all incompetent idiots."
abusive = true

[[injects]]
at_minutes = 90
from = "Monitoring"
channel = "chat"
text = "Crash rate back to zero."
restored = true

[[rubric]]
id = "quantified"
title = "Quantified the impact with the true figures"
points = 20
check = "drill.impact_measured >= 1 and drill.impact_matches"
explain = "Give the true figures: 3 of 1,000."

[[rubric]]
id = "cadence"
title = "Kept the cadence"
points = 20
check = "drill.updates >= 2 and drill.max_silence_minutes <= 45"
explain = "Never leave the customer more than 45 minutes without news."

[[rubric]]
id = "no-blame"
title = "No blame"
points = 20
check = "drill.blame_flags == 0"
explain = "Own the failure."

[[rubric]]
id = "limit"
title = "Set a limit after abuse"
points = 20
check = "not drill.abuse or drill.limit_after_abuse_minutes <= 15"
explain = "Warn within a quarter of an hour of the abuse."

[[rubric]]
id = "feedback"
title = "Asked for feedback"
points = 20
check = "drill.feedback_after >= 1 and feedback.score >= 0"
explain = "Ask for a score the day after."
"""

CAREFUL = """
[[actions]]
at_minutes = 2
do = "stakeholder"
name = "Nadia Ferrand"
org = "Eventia"
cadence = 30

[[actions]]
at_minutes = 5
do = "update"
text = "We are on it. Sam owns the response; next update at 08:35."
next_in = 30

[[actions]]
at_minutes = 12
do = "impact"
affected = 3
total = 1000

[[actions]]
at_minutes = 33
do = "limit"
name = "Nadia Ferrand"
level = "warn"
text = "Asked calmly to keep the exchange respectful."

[[actions]]
at_minutes = 35
do = "update"
text = "3 of 1,000 users cannot download the app. Sam owns it; next update at 09:05."
next_in = 30

[[actions]]
at_minutes = 65
do = "update"
text = "Workaround in place for the 3 users. Sam owns it; next update at 09:35."
next_in = 30

[[actions]]
at_minutes = 95
do = "update"
text = "Crashes have stopped for all 1,000 users. Sam owns the follow-up; final report at 10:30."

[[actions]]
at_minutes = 110
do = "feedback"
from = "Nadia Ferrand"
score = 7
text = "Rough start, well handled."
"""

CARELESS = """
[[actions]]
at_minutes = 100
do = "update"
text = "Sorry, our hosting provider failed. Lots of users are affected."
"""


def run(runner: CliRunner, *args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def drill_files(write: Callable[[str, str], Path]) -> tuple[Path, Path, Path]:
    answers = (REPO / "tests" / "data" / "customer-outage.en.answers.toml").read_text()
    scenario = write("mini.en.toml", SCENARIO)
    careful = write("careful.toml", answers + CAREFUL)
    careless = write("careless.toml", answers + CARELESS)
    return scenario, careful, careless


def _replay_json(runner: CliRunner, *args: str) -> dict[str, object]:
    code, out, err = run(runner, "replay", *args, "--json")
    assert code == 0, err
    card: dict[str, object] = json.loads(out)
    return card


def test_careful_and_careless_trainees_are_scored_apart(
    runner: CliRunner, drill_files: tuple[Path, Path, Path]
) -> None:
    scenario, careful, careless = drill_files
    good = _replay_json(runner, str(scenario), "--answers", str(careful))
    bad = _replay_json(runner, str(scenario), "--answers", str(careless))
    assert (good["score"], good["maximum"]) == (100, 100)
    # The careless trainee's playbook answers still hold the true figures (3 of 1,000).
    assert (bad["score"], bad["maximum"]) == (20, 100)
    facts = good["facts"]
    assert isinstance(facts, dict)
    assert facts["drill.max_silence_minutes"] == 30.0
    assert facts["drill.limit_after_abuse_minutes"] == 3.0
    assert facts["drill.impact_matches"] is True
    assert facts["drill.injects"] == 4
    bad_checks = {c["id"]: c for c in bad["checks"]}  # type: ignore[attr-defined]
    assert bad_checks["no-blame"]["passed"] is False
    assert bad_checks["cadence"]["explain"].startswith("Never leave")
    bad_facts = bad["facts"]
    assert isinstance(bad_facts, dict)
    assert bad_facts["drill.max_silence_minutes"] == 100.0
    assert bad_facts["drill.blame_flags"] == 1


def test_the_scripted_transcript_and_scorecard(
    runner: CliRunner, drill_files: tuple[Path, Path, Path]
) -> None:
    scenario, _careful, careless = drill_files
    code, out, _err = run(runner, "replay", str(scenario), "--answers", str(careless))
    assert code == 0
    assert "T+00:30  Nadia Ferrand, by phone:\n        You are all incompetent idiots." in out
    assert "(the figures now: 3 of 1,000 affected)" in out
    assert "T+01:40  Update sent to 0 stakeholder(s)." in out
    assert "coach: blame" in out
    assert "Scorecard: Mini drill: 20 of 100 points (20%)" in out
    assert "  ✗   0/20  Set a limit after abuse\n            Warn within a quarter" in out
    assert re.search(r"Debrief: crisis report \d{8}-\d{4}-\w{6} --template debrief", out)


def test_injects_are_recorded_at_their_own_minute(
    runner: CliRunner, drill_files: tuple[Path, Path, Path], isolated: Path
) -> None:
    scenario, _careful, careless = drill_files
    card = _replay_json(runner, str(scenario), "--answers", str(careless))
    store = SQLiteStore(isolated / "crisis.db")
    state = load_session(store, str(card["session"]))
    store.close()
    assert state.training and state.is_closed and state.drill is not None
    offsets = [(i.at - state.started_at).total_seconds() / 60 for i in state.drill.injects]
    assert offsets == [0, 10, 30, 90]
    assert state.drill.finish_reason == "completed"
    assert (state.closed_at - state.started_at).total_seconds() == 120 * 60  # type: ignore[operator]
    times = [e.at for e in state.events]
    assert times == sorted(times)


def test_training_sessions_stay_out_of_the_way_of_real_ones(
    runner: CliRunner, drill_files: tuple[Path, Path, Path]
) -> None:
    scenario, _careful, careless = drill_files
    card = _replay_json(runner, str(scenario), "--answers", str(careless))
    code, out, _ = run(runner, "sessions", "list")
    assert code == 0
    assert str(card["session"]) not in out
    assert "(1 training drill hidden; --all shows them)" in out
    code, out, _ = run(runner, "sessions", "list", "--all")
    assert f"{card['session']}   training" in out
    code, out, _ = run(runner, "sessions", "list", "--json")
    assert json.loads(out) == []
    # A live command without a session id never lands in a drill.
    code, _out, err = run(runner, "note", "hello")
    assert code == 2
    assert "there is no open session" in err


def test_a_bad_script_records_nothing(
    runner: CliRunner, drill_files: tuple[Path, Path, Path], write: Callable[[str, str], Path]
) -> None:
    scenario, careful, _careless = drill_files
    text = careful.read_text().replace(
        'do = "limit"\nname = "Nadia Ferrand"',
        'do = "limit"\nname = "Nadia Ferrand"\nlevel_ = 1',
        1,
    )
    broken = write("broken.toml", text)
    code, out, err = run(runner, "replay", str(scenario), "--answers", str(broken))
    assert code == 2, out
    assert err.count("\n") == 1
    assert "broken.toml, at actions[3].level_: limit level_: unknown (did you mean 'level'?)" in err
    unknown = write("unknown.toml", careful.read_text().replace('do = "impact"', 'do = "impakt"'))
    code, _out, err = run(runner, "replay", str(scenario), "--answers", str(unknown))
    assert code == 2
    assert "at actions[2].do: 'impakt' is not an action (did you mean 'impact'?)" in err
    # Refused by the session (no such stakeholder), found in the rehearsal: nothing recorded.
    stranger = write(
        "stranger.toml", careful.read_text().replace('level = "warn"', 'level = "warm"')
    )
    code, _out, err = run(runner, "replay", str(scenario), "--answers", str(stranger))
    assert code == 2
    assert f"{stranger}, at actions[3]: --level 'warm' (did you mean 'warn'?)" in err
    late = write("late.toml", careful.read_text().replace("at_minutes = 110", "at_minutes = 500"))
    code, _out, err = run(runner, "replay", str(scenario), "--answers", str(late))
    assert code == 2
    assert "late.toml, at actions[7].at_minutes: minute 500 is after the end of the drill" in err
    code, out, _ = run(runner, "sessions", "list", "--all", "--json")
    assert json.loads(out) == []


@pytest.mark.parametrize(
    ("change", "where", "problem"),
    [
        (
            ("duration_minutes = 120", "duration_minutes = 20"),
            "injects[2].at_minutes",
            "after the drill ends",
        ),
        (
            ("abusive = true", 'abusive = "yes"'),
            "injects[2].abusive",
            "expected true or false, got text",
        ),
        (
            ('channel = "chat"\ntext = "3', 'chanel = "chat"\ntext = "3'),
            "injects[1].chanel",
            "unknown key 'chanel' (did you mean 'channel'?)",
        ),
        (
            ("affected = 3\n", ""),
            "injects[1].affected",
            "new impact figures need both affected and total",
        ),
        (
            ("drill.blame_flags == 0", "drill.blame_flag == 0"),
            "rubric[2].check",
            "'drill.blame_flag' is not a drill fact (did you mean 'drill.blame_flags'?)",
        ),
        (
            ("drill.blame_flags == 0", "__import__('os')"),
            "rubric[2].check",
            "the check calls '__import__', which is not one of",
        ),
        (
            ("drill.blame_flags == 0", "drill.__class__"),
            "rubric[2].check",
            "only step_id.question_id is allowed",
        ),
        (('id = "limit"', 'id = "cadence"'), "rubric[3].id", "the id 'cadence' is used twice"),
        (
            ("+01:00\ntimezone", "\ntimezone"),
            "scenario.starts_at",
            "expected a date and time with its offset",
        ),
        (
            ('timezone = "Europe/Paris"', 'timezone = "Mars/Olympus"'),
            "scenario.timezone",
            "unknown time zone",
        ),
        (
            ('playbook = "customer-outage"', 'playbook = "custmer-outage"'),
            "scenario.playbook",
            "no playbook named 'custmer-outage' (did you mean 'customer-outage'?)",
        ),
        (
            ("feedback.score >= 0", "feedback.scor >= 0"),
            "rubric[4].check",
            "'feedback.scor' is neither a drill fact nor a question",
        ),
    ],
)
def test_scenario_problems_are_located(
    runner: CliRunner,
    write: Callable[[str, str], Path],
    change: tuple[str, str],
    where: str,
    problem: str,
) -> None:
    assert change[0] in SCENARIO
    path = write("bad.en.toml", SCENARIO.replace(*change, 1))
    code, out, err = run(runner, "scenario", "check", str(path))
    assert code == 2, out
    assert err.startswith(f"crisis: error: {path}, at {where}: "), err
    assert problem in err
    assert err.count("\n") == 1


def test_scenario_check_and_list(runner: CliRunner, drill_files: tuple[Path, Path, Path]) -> None:
    scenario, _careful, _careless = drill_files
    code, out, _ = run(runner, "scenario", "check", str(scenario))
    assert code == 0
    assert "is valid: 4 injects, 5 checks worth 100 points, playbook 'customer-outage'." in out
    Path("scenarios").mkdir()
    Path("scenarios/mini-drill.en.toml").write_text(SCENARIO)
    code, out, _ = run(runner, "scenario", "list", "--json")
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows["mini-drill"]["origin"] == "project"
    assert rows["mini-drill"]["injects"] == 4


def test_the_published_schema_is_in_sync() -> None:
    published = json.loads((REPO / "schemas" / "scenario.schema.json").read_text())
    assert published == schema(), "run `crisis scenario schema > schemas/scenario.schema.json`"
    assert published["properties"]["injects"]["items"]["$ref"] == "#/$defs/Inject"
    assert "from" in published["$defs"]["Inject"]["properties"]


def test_every_action_has_its_usage_in_both_languages() -> None:
    assert all(f"drill.help.{name}" in MESSAGES for name in ACTIONS)
    with pytest.raises(UsageError, match="Envoyer un point : update"):
        parse_command("update --nxt 3 texte", "fr")


def test_console_commands_parse_like_the_live_commands() -> None:
    action = parse_command('update --to "Nadia Ferrand" --to Tim --next-in 30 We found it.')
    assert action.do == "update"
    assert action.fields == {"to": ["Nadia Ferrand", "Tim"], "next_in": 30, "text": "We found it."}
    assert parse_command("replace Nadia Paul Girard --reason abuse").fields == {
        "old": "Nadia",
        "new": "Paul Girard",
        "reason": "abuse",
    }
    assert parse_command("impact --affected 1,000 --total 20000").fields == {
        "affected": 1000,
        "total": 20000,
    }
    assert parse_command("walk 2").fields == {"steps": 2}
    # Apostrophes are text, not shell quotes: French and "it's" arrive as typed.
    assert parse_command("update Désolé, c'est notre faute ; 3 d'entre eux").fields == {
        "text": "Désolé, c'est notre faute ; 3 d'entre eux"
    }
    assert parse_command("note \"unclosed it's").fields == {"text": "\"unclosed it's"}
    for line, message in [
        ("updat hello", "'updat' is not an action (did you mean 'update'?)"),
        ("impact --affected many --total 3", "impact --affected: expected a whole number"),
        ("limit Nadia", "limit --level: is required"),
        ("update --next", "update has no option --next (did you mean '--next-in'?)"),
        ("walk 0", "walk --steps: expected 1 or more steps"),
        ("walk -1", "walk --steps: expected a whole number of 0 or more"),
    ]:
        with pytest.raises(UsageError, match=re.escape(message)):
            parse_command(line)


def _spawn(*args: str) -> pexpect.spawn:
    return pexpect.spawn(
        PYTHON,
        ["-m", "crisiscli", *args],
        env=cli_env(),
        encoding="utf-8",
        dimensions=(40, 140),
        timeout=30,
        cwd=str(Path.cwd()),
    )


def test_the_console_in_step_mode(drill_files: tuple[Path, Path, Path], isolated: Path) -> None:
    scenario, _careful, _careless = drill_files
    child = _spawn("replay", str(scenario), "--step")
    try:
        child.expect("Training drill: Mini drill")
        child.expect("Press Enter")
        child.expect("Lots of people cannot get in.")
        child.expect(r"T\+00:00> ")
        child.sendline('stakeholder "Nadia Ferrand" --org Eventia --cadence 30')
        child.expect("Added Nadia Ferrand: an update every 30 minutes.")
        child.sendline("")  # the next inject, at once
        child.expect("3 of 1,000 users cannot download the app.")
        child.expect(r"T\+00:10> ")
        child.sendline("impact --affected 3 --total 1000")
        child.expect("Impact recorded: 3 of 1,000 affected.")
        child.sendline("update --to Nadia Sam owns it; 3 of 1,000 affected; next update at 09:40.")
        child.expect("Not recorded: no stakeholder named Nadia")
        child.sendline("limit")
        child.expect("Not recorded: limit --name: is required")
        child.sendline("next")
        child.expect("incompetent idiots")
        child.sendline("status")
        child.expect(r"T\+00:30: 89 minutes left, 1 inject\(s\) to come, 0 update\(s\) sent.")
        child.expect("Nadia Ferrand: (next update due in|update OVERDUE by)")
        child.sendline("end")
        child.expect(r"Scorecard: Mini drill: 40 of 100 points \(40%\)")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    store = SQLiteStore(isolated / "crisis.db")
    (summary,) = store.sessions()
    state = load_session(store, summary.id)
    store.close()
    assert state.drill is not None and state.drill.mode == "step"
    assert [i.index for i in state.drill.injects] == [0, 1, 2]
    assert state.live.measurements[0].affected == 3
    assert state.is_closed


def test_the_console_delivers_injects_while_the_prompt_waits(
    drill_files: tuple[Path, Path, Path], isolated: Path
) -> None:
    """At 600x, the inject at minute 10 arrives about a second in, with nothing typed."""
    scenario, _careful, _careless = drill_files
    child = _spawn("replay", str(scenario), "--speed", "600")
    try:
        child.expect(r"T\+00:00> ")
        child.expect("3 of 1,000 users cannot download the app.", timeout=10)
        child.expect("incompetent idiots", timeout=10)
        child.sendintr()
        child.expect("Drill stopped; everything you did is recorded.")
        child.expect(r"Scorecard: Mini drill: \d+ of 100 points")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    store = SQLiteStore(isolated / "crisis.db")
    (summary,) = store.sessions()
    state = load_session(store, summary.id)
    store.close()
    assert state.drill is not None and state.drill.finish_reason == "stopped"
    assert len(state.drill.injects) >= 3


def test_walking_the_playbook_in_the_console_and_pausing(
    drill_files: tuple[Path, Path, Path], isolated: Path
) -> None:
    scenario, _careful, _careless = drill_files
    child = _spawn("replay", str(scenario), "--step")
    try:
        child.expect(r"T\+00:00> ")
        child.sendline("walk 1")
        child.expect("Which customer is affected")
        child.sendline("Eventia")
        child.expect("Who owns")
        child.sendintr()
        child.expect("Walk paused; your answers are kept.")
        child.expect("Playbook: 1 answer")
        child.expect(r"T\+00:00> ")
        child.sendeof()
        child.expect("Scorecard")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    store = SQLiteStore(isolated / "crisis.db")
    (summary,) = store.sessions()
    state = load_session(store, summary.id)
    store.close()
    assert state.answers == {"acknowledge.customer": "Eventia"}


def test_closing_an_abandoned_drill_keeps_it_on_simulated_time(
    drill_files: tuple[Path, Path, Path], isolated: Path, runner: CliRunner
) -> None:
    scenario, _careful, _careless = drill_files
    child = _spawn("replay", str(scenario), "--step")
    try:
        child.expect(r"T\+00:00> ")
        child.sendline("")
        child.expect("3 of 1,000 users cannot download the app.")
        child.expect(r"T\+00:10> ")
        child.kill(9)  # the terminal closed: nothing finished the drill
    finally:
        child.close()
    store = SQLiteStore(isolated / "crisis.db")
    (summary,) = store.sessions()
    store.close()
    code, _out, err = run(runner, "close", summary.id)
    assert code == 0, err
    store = SQLiteStore(isolated / "crisis.db")
    state = load_session(store, summary.id)
    store.close()
    assert state.drill is not None and state.drill.finish_reason == "stopped"
    assert state.closed_at is not None
    assert (state.closed_at - state.started_at).total_seconds() / 60 == pytest.approx(10, abs=1)
    card = json.loads(run(runner, "report", summary.id, "-f", "json")[1])
    assert card["training"]["finished"] == "stopped"
    assert card["training"]["minutes"] == pytest.approx(10, abs=1)


def test_playback_of_a_recorded_session(
    runner: CliRunner, drill_files: tuple[Path, Path, Path]
) -> None:
    scenario, careful, _careless = drill_files
    card = _replay_json(runner, str(scenario), "--answers", str(careful))
    code, out, _ = run(runner, "replay", str(card["session"]), "--speed", "100000")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("T+00:00  14 Mar 2026 08:00") or lines[0].startswith("T+00:00")
    assert "training drill started: Mini drill" in lines[1]
    offsets = [line.split()[0] for line in lines]
    assert offsets == sorted(offsets)
    assert any(line.startswith("T+00:30") and "inject from Nadia Ferrand" in line for line in lines)
    assert lines[-1].startswith("T+02:00") and "closed" in lines[-1]
    code, out, _ = run(runner, "replay", str(card["session"]), "--speed", "100000", "--json")
    assert [json.loads(line)["seq"] for line in out.splitlines()][:2] == [1, 2]


def test_a_real_session_becomes_an_anonymous_scenario_that_replays(
    runner: CliRunner, write: Callable[[str, str], Path]
) -> None:
    answers = REPO / "tests" / "data" / "customer-outage.en.answers.toml"
    code, session, err = run(runner, "start", "--answers", str(answers))
    assert code == 0, err
    session = session.strip()
    for args in [
        ["stakeholder", "add", "Nadia Ferrand", "--org", "Eventia", "--role", "president"],
        [
            "note",
            "--from",
            "Nadia Ferrand",
            "--channel",
            "phone",
            "Nadia here, call me on +33 6 12 34 56 78 or nadia.ferrand@eventia.fr. "
            "Eventia is furious.",
        ],
        ["impact", "--affected", "3", "--total", "1000"],
        ["note", "--from", "Nadia Ferrand", "Ferrand again: you are useless idiots."],
        ["limit", "Nadia Ferrand", "--level", "warn"],
        ["stakeholder", "replace", "Nadia Ferrand", "Paul Girard", "--reason", "insults"],
        ["update", "3 of 1,000 affected. Sam owns it; next update at noon.", "--next-in", "60"],
        ["feedback", "--from", "Paul Girard", "--score", "7", "Paul Girard: good recovery."],
    ]:
        code, _out, err = run(runner, *args)
        assert code == 0, (args, err)
    out_file = Path("drill.toml")
    code, out, err = run(
        runner, "scenario", "from-session", session, "--out", str(out_file), "--anonymize"
    )
    assert code == 0, err
    assert "written to drill.toml: 4 injects, 6 checks" in out
    text = out_file.read_text()
    assert text.startswith(f"# Written by `crisis scenario from-session` from session {session}")
    assert text.index("[scenario]") < text.index("[[injects]]") < text.index("[[rubric]]")
    code, _out, err = run(runner, "scenario", "from-session", session, "--out", str(out_file))
    assert code == 2
    assert "drill.toml exists; choose another --out, or --force to overwrite it" in err
    for secret in [
        "Nadia",
        "Ferrand",
        "Paul",
        "Girard",
        "Eventia",
        "eventia",
        "12 34 56 78",
        "nadia.ferrand",
    ]:
        assert secret.lower() not in text.lower(), secret
    data = tomllib.loads(text)
    sources = [i["from"] for i in data["injects"]]
    assert sources[0] == sources[2] != "Monitoring"  # the same person, the same stand-in
    assert sources[1] == "Monitoring"
    abusive = [i for i in data["injects"] if i.get("abusive")]
    assert len(abusive) == 1 and "useless idiots" in abusive[0]["text"]
    figures = [i for i in data["injects"] if "affected" in i]
    assert (figures[0]["affected"], figures[0]["total"]) == (3, 1000)
    # What was written loads back unchanged, and replays.
    assert to_table(load_scenario(out_file)) == data
    code, out, err = run(runner, "replay", str(out_file), "--answers", str(answers), "--json")
    assert code == 0, err
    card = json.loads(out)
    assert card["maximum"] == 100
    assert card["facts"]["drill.abuse"] is True


def test_a_drill_becomes_a_scenario_with_its_own_briefing_and_true_figures(
    runner: CliRunner, drill_files: tuple[Path, Path, Path]
) -> None:
    scenario, careful, _careless = drill_files
    card = _replay_json(runner, str(scenario), "--answers", str(careful))
    code, out, err = run(
        runner, "scenario", "from-session", str(card["session"]), "-o", "again.toml"
    )
    assert code == 0, err
    assert "5 injects, 6 checks." in out  # the four injects, and the score given at 110
    data = tomllib.loads(Path("again.toml").read_text())
    assert data["scenario"]["briefing"] == "The app crashes for some users of Eventia."
    # The trainee's own count is not news for the next trainee: only the injects' figures.
    assert [(i.get("affected"), i.get("total")) for i in data["injects"]] == [
        (None, None),
        (3, 1000),
        (None, None),
        (None, None),
        (None, None),
    ]
    assert [i["at_minutes"] for i in data["injects"]] == [0, 10, 30, 90, 110]


def test_from_session_without_anonymize_keeps_names(runner: CliRunner) -> None:
    answers = REPO / "tests" / "data" / "customer-outage.en.answers.toml"
    _code, session, _err = run(runner, "start", "--answers", str(answers))
    run(runner, "note", "--from", "Nadia Ferrand", "Any news?")
    code, _out, err = run(runner, "scenario", "from-session", session.strip(), "--out", "s.toml")
    assert code == 0, err
    assert 'from = "Nadia Ferrand"' in Path("s.toml").read_text()


def test_replay_option_conflicts(runner: CliRunner, drill_files: tuple[Path, Path, Path]) -> None:
    scenario, careful, _careless = drill_files
    for args, message in [
        (["--speed", "60", "--step"], "choose --speed or --step, not both"),
        (["--answers", str(careful), "--step"], "leave out --speed and --step"),
        (["--speed", "0"], "--speed 0 is out of range"),
        (["--step", "--json"], "--json needs --answers"),
    ]:
        code, _out, err = run(runner, "replay", str(scenario), *args)
        assert code == 2
        assert message in err
    code, _out, err = run(runner, "replay", "no-such-drill")
    assert code == 2
    assert "no scenario named 'no-such-drill'" in err


def test_the_format_reference_lists_every_fact_and_its_example_is_valid(
    runner: CliRunner, write: Callable[[str, str], Path]
) -> None:
    doc = (REPO / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    missing = [name for name in FACTS if f"| `{name}` |" not in doc]
    assert not missing, f"document these facts in docs/scenario-format.md: {missing}"
    example = re.findall(r"```toml\n(.*?)```", doc, flags=re.DOTALL)[0]
    path = write("example.en.toml", example)
    code, out, err = run(runner, "scenario", "check", str(path))
    assert code == 0, err
    assert "4 injects, 2 checks worth 40 points" in out
