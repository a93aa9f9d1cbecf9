"""Who did what: ``crisis --as NAME`` and ``CRISIS_ACTOR`` name the responder on every event."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import MINI_PLAYBOOK, cli_env


def crisis(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crisiscli", *args],
        input=stdin,
        env={**cli_env(), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_two_responders_appear_in_the_timeline_and_the_report(
    write: Callable[[str, str], Path],
) -> None:
    write("mini.toml", MINI_PLAYBOOK)
    assert crisis("--as", "lea@support", "start", "mini.toml", stdin="3\n1000\n").returncode == 130
    assert crisis("--as", "tim@ops", "note", "restarted the sign-in service").returncode == 0
    assert crisis("note", "customer called back", CRISIS_ACTOR="nadia@phone").returncode == 0
    status = json.loads(crisis("status", "--json").stdout)
    actors = [entry["actor"] for entry in status["timeline"]]
    assert actors[:3] == ["lea@support"] * 3  # started, then two answers
    assert actors[-2:] == ["tim@ops", "nadia@phone"]
    report = crisis("report", "-t", "postmortem", "-f", "md").stdout
    for name in ("lea@support", "tim@ops", "nadia@phone"):
        assert name in report, name


def test_the_flag_wins_over_the_environment(write: Callable[[str, str], Path]) -> None:
    write("mini.toml", MINI_PLAYBOOK)
    crisis("start", "mini.toml", stdin="3\n")
    crisis("--as", "lea", "note", "x", CRISIS_ACTOR="tim")
    events = json.loads(crisis("sessions", "show", "--json", _last_session()).stdout)["events"]
    assert events[-1]["actor"] == "lea"


def _last_session() -> str:
    listed = json.loads(crisis("sessions", "list", "--json").stdout)
    return str(listed[0]["id"])


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "--as is empty; expected a name, e.g. --as lea@support"),
        ("   ", "--as is empty; expected a name, e.g. --as lea@support"),
        ("x" * 101, "--as is longer than 100 characters"),
        ("lea\nforged line", "--as holds a line break or a control character; expected a name"),
        ("\x1b[31mlea", "--as holds a line break or a control character; expected a name"),
    ],
    ids=["empty", "blank", "long", "newline", "escape"],
)
def test_unusable_names_are_refused_before_anything_is_recorded(
    write: Callable[[str, str], Path], name: str, problem: str
) -> None:
    write("mini.toml", MINI_PLAYBOOK)
    result = crisis("--as", name, "start", "mini.toml", stdin="3\n")
    assert result.returncode == 2
    assert result.stderr == f"crisis: error: {problem}\n"
    assert json.loads(crisis("sessions", "list", "--json").stdout) == []


def test_an_unusable_environment_name_is_named_as_such(write: Callable[[str, str], Path]) -> None:
    write("mini.toml", MINI_PLAYBOOK)
    result = crisis("start", "mini.toml", stdin="3\n", CRISIS_ACTOR="a\tb")
    assert result.returncode == 2
    assert result.stderr.startswith("crisis: error: CRISIS_ACTOR holds a line break")


def test_a_run_without_as_does_not_inherit_an_earlier_runs_name(
    write: Callable[[str, str], Path],
) -> None:
    """Within one process (a test runner, an embedding script) each run starts afresh."""
    from typer.testing import CliRunner  # noqa: PLC0415

    from crisiscli.actors import default_actor  # noqa: PLC0415
    from crisiscli.cli.app import app  # noqa: PLC0415

    write("mini.toml", MINI_PLAYBOOK)
    crisis("start", "mini.toml", stdin="3\n")
    runner = CliRunner()
    assert runner.invoke(app, ["--as", "lea", "note", "first"]).exit_code == 0
    assert runner.invoke(app, ["note", "second"]).exit_code == 0
    events = json.loads(crisis("sessions", "show", "--json", _last_session()).stdout)["events"]
    assert [e["actor"] for e in events[-2:]] == ["lea", default_actor()]
    assert default_actor() != "lea"
