"""Commands import only what they need: no jinja2 (nor pydantic) where it is not used.

And ``crisis`` builds only the command it runs: ``--help`` imports no command
module, ``status`` and ``note`` only their own (see docs/performance.md).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
import typer.main

from crisiscli.cli.app import COMMANDS, app

from .conftest import MINI_PLAYBOOK, cli_env

PROBE = """
import sys
sys.argv = ["crisis", *sys.argv[1:]]
from crisiscli.cli import main
code = 0
try:
    main()
except SystemExit as exit:
    code = exit.code or 0
heavy = ["jinja2", "pydantic", "rich", "platformdirs", "tomllib", "psycopg"]
modules = [m for m in heavy if m in sys.modules]
cli = sorted(m for m in sys.modules if m.startswith("crisiscli.cli."))
core = sorted(m for m in sys.modules if m.startswith("crisiscli.") and m not in cli)
import json
sys.__stderr__.write(f"EXIT {code}\\n")
sys.__stderr__.write("MODULES " + json.dumps(modules) + "\\n")
sys.__stderr__.write("CLI " + json.dumps(cli) + "\\n")
sys.__stderr__.write("CORE " + json.dumps(core) + "\\n")
"""


def loaded(args: list[str], stdin: str = "", code: int = 0) -> list[str]:
    """The heavy modules (of PROBE's list) that ``crisis ARGS`` loaded."""
    return probe(args, stdin, code)["MODULES"]


def probe(args: list[str], stdin: str = "", code: int = 0) -> dict[str, list[str]]:
    """Run ``crisis ARGS``; the heavy modules and the ``crisiscli.cli`` modules it loaded."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        input=stdin,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert f"EXIT {code}" in result.stderr, result.stderr
    found = {}
    for label in ("MODULES", "CLI", "CORE"):
        line = next(x for x in result.stderr.splitlines() if x.startswith(f"{label} "))
        found[label] = list(json.loads(line.removeprefix(f"{label} ")))
    return found


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


def test_a_sqlite_journal_never_loads_psycopg(
    a_session: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """psycopg (team mode) is imported only when the store is a postgresql:// URL."""
    for args in (["status"], ["note", "the president called"], ["sessions", "list"]):
        assert "psycopg" not in loaded(args), args
    # The probe sees it when it is loaded: a server that is not there, exit 1.
    monkeypatch.setenv("CRISIS_STORE", "postgresql://crisis@127.0.0.1:1/crisis")
    assert "psycopg" in loaded(["status"], code=1)


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


def test_a_note_leaves_the_walker_and_answer_parsing_alone(a_session: None) -> None:
    """Recording a note needs the session, not the playbook walker nor answer parsing.

    (``impact`` does parse its figures the way answers are parsed: ``1 000``, ``99,7``.)
    """
    for args in (["note", "the president called"], ["note", "x", "--from", "Tim"]):
        found = probe(args)
        assert "crisiscli.recording" in found["CORE"], args  # proves the probe ran the command
        walker = [m for m in ("crisiscli.engine", "crisiscli.answers") if m in found["CORE"]]
        assert walker == [], args


def test_help_status_and_note_load_no_jinja2_and_only_their_command(a_session: None) -> None:
    """``--help`` imports no command module; ``status`` and ``note`` only their own.

    typer draws its help with Rich, so ``--help`` loads Rich (the floor does too).
    """
    expected = {
        ("--help",): (["rich"], []),
        ("status",): ([], ["crisiscli.cli.walk"]),
        ("note", "the president called"): ([], ["crisiscli.cli.live"]),
    }
    for args, (theirs, command_modules) in expected.items():
        found = probe(list(args))
        assert "jinja2" not in found["MODULES"], args
        assert [m for m in found["MODULES"] if m in OURS] == theirs, args
        shared = ["crisiscli.cli.app"]
        if command_modules:
            shared += ["crisiscli.cli.common", "crisiscli.cli.completion", "crisiscli.cli.output"]
        assert found["CLI"] == sorted(shared + command_modules), args


def test_the_commands_are_those_the_modules_register() -> None:
    for module in sorted({module for module, _ in COMMANDS.values()}):
        registered = typer.Typer()
        importlib.import_module(f"crisiscli.cli.{module}").register(registered)
        names = [c.name for c in registered.registered_commands]
        names += [g.name for g in registered.registered_groups]
        assert names == [n for n, (m, _) in COMMANDS.items() if m == module], module


def help_of(group: typer.core.TyperGroup) -> str:
    """The group's help as ``crisis --help`` prints it (typer draws it with Rich, on stdout)."""
    shown = io.StringIO()
    ctx = group.context_class(group, info_name="crisis")
    formatter = ctx.make_formatter()
    with contextlib.redirect_stdout(shown):
        group.format_help(ctx, formatter)
    return shown.getvalue() + formatter.getvalue()


def test_help_lists_the_commands_as_their_own_help_says() -> None:
    """``crisis --help`` describes each command from COMMANDS; built, they say the same."""
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    listed = help_of(group)
    assert "stakeholder" in listed
    assert dict(group.commands.items())  # builds every command
    assert help_of(group) == listed
    for name, (_, summary) in COMMANDS.items():
        command = group.commands[name]
        assert (command.help or "").split("\n\n")[0] == summary, name
