"""Commands import only what they need: no jinja2 (nor pydantic) where it is not used."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import MINI_PLAYBOOK, cli_env

PROBE = """
import json, sys
sys.argv = ["crisis", *json.loads(sys.argv[1])]
from crisiscli.cli import main
code = 0
try:
    main()
except SystemExit as exit:
    code = exit.code or 0
sys.__stderr__.write(f"EXIT {code}\\n")
heavy = ["jinja2", "pydantic", "rich", "platformdirs", "tomllib"]
sys.__stderr__.write("MODULES " + json.dumps([m for m in heavy if m in sys.modules]) + "\\n")
"""


def loaded(args: list[str], stdin: str = "", code: int = 0) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        input=stdin,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert f"EXIT {code}" in result.stderr, result.stderr
    line = next(x for x in result.stderr.splitlines() if x.startswith("MODULES "))
    return list(json.loads(line.removeprefix("MODULES ")))


@pytest.fixture
def a_session(write: Callable[[str, str], Path]) -> None:
    write("mini.toml", MINI_PLAYBOOK)
    subprocess.run(
        [sys.executable, "-m", "crisiscli", "start", "mini.toml"],
        input="3\n1000\n",
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_help_imports_no_jinja2_nor_pydantic() -> None:
    modules = loaded(["--help"])
    assert "jinja2" not in modules
    assert "pydantic" not in modules


# typer itself imports pydantic to coerce the parameters of any command that has
# some (typer/_coercion.py), so pydantic is part of the floor every such typer
# CLI pays; what we control is that nothing heavier of ours comes along.
OURS = ["jinja2", "rich", "platformdirs", "tomllib"]


def test_status_imports_no_jinja2_rich_or_toml(a_session: None) -> None:
    for args in (["status"], ["status", "--json"], ["sessions", "list"]):
        assert [m for m in loaded(args) if m in OURS] == [], args


def test_start_imports_no_jinja2(write: Callable[[str, str], Path]) -> None:
    write("mini.toml", MINI_PLAYBOOK)
    modules = loaded(["start", "mini.toml"], stdin="3\n1000\nno\n.\n")
    assert "rich" not in modules  # piped input: the Rich prompter is not loaded
    assert "jinja2" not in modules
    assert "pydantic" in modules  # proves the probe ran the command


def test_live_commands_import_no_jinja2_rich_or_toml(a_session: None) -> None:
    for args in (
        ["note", "the president called"],
        ["stakeholder", "add", "Tim"],
        ["impact", "--affected", "3", "--total", "1000"],
        ["stakeholder", "list"],
    ):
        assert [m for m in loaded(args) if m in OURS] == [], args
