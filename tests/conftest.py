"""Shared fixtures: every test gets its own data folder and working folder."""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crisiscli.clock import FixedClock

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point $CRISIS_HOME at a fresh folder and run from an empty working folder."""
    home = tmp_path / "home"
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("CRISIS_HOME", str(home))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("TZ", "Europe/Paris")
    for name in ("CRISIS_LANG", "CRISIS_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(work)
    return home


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a file from an inline (dedented) string; returns its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / "work" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def clock() -> FixedClock:
    """22 November 2026, 13:05 UTC (14:05 in Paris), one second per reading."""
    return FixedClock(datetime(2026, 11, 22, 13, 5, tzinfo=UTC), tick=timedelta(seconds=1))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str, input: str | None = None) -> tuple[int, str, str]:
    """``crisis ARGS`` in this process: exit code, stdout, stderr."""
    from crisiscli.cli.app import app  # noqa: PLC0415

    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def cli_env() -> dict[str, str]:
    """Environment for a real `crisis` subprocess, inheriting the test's isolation."""
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    return env


PYTHON = sys.executable

MINI_PLAYBOOK = """
[playbook]
id = "mini"
title = "Mini outage"
language = "en"

[[steps]]
id = "impact"
title = "Quantify the impact"
phase = "quantify"
guidance = "Count **precisely**."
checklist = ["Ask the customer", "Check the dashboard"]
[[steps.questions]]
id = "affected"
type = "integer"
prompt = "How many users are affected?"
min = 0
[[steps.questions]]
id = "total"
type = "integer"
prompt = "How many users in total?"
min = 1
[steps.compute]
working_pct = "round(100 * (1 - impact.affected / impact.total), 1)"

[[steps]]
id = "limits"
title = "Set limits"
phase = "limits"
when = "impact.affected > 0"
[[steps.questions]]
id = "abusive"
type = "confirm"
prompt = "Is a contact abusive?"
[[steps.questions]]
id = "who"
type = "text"
prompt = "Who?"
when = "limits.abusive"
[[steps.questions]]
id = "notes"
type = "multiline"
prompt = "Notes"
required = false
"""
