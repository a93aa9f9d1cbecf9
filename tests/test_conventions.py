"""The conventions of docs/conventions.md, checked on the real commands.

Data on stdout, errors on stderr; ``--json`` on every command that shows
state, printing one JSON document and nothing else; colour only on a
terminal and never under ``NO_COLOR``. The terminal cases run ``crisis`` in a
real pseudo-terminal.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest

from .conftest import MINI_PLAYBOOK, REPO, cli_env

ESCAPE = "\x1b["
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def colours(text: str) -> list[str]:
    """The colour codes of ``text``'s escape sequences (bold or underline are not colour)."""
    found = []
    for match in SGR.finditer(text):
        for code in match[1].split(";"):
            if code and (30 <= int(code) <= 49 or 90 <= int(code) <= 107):
                found.append(code)
    return found


NO_SUCH_SESSION = "20000101-0000-aaaaaa"


def crisis(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crisiscli", *args],
        input=stdin,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def session(write: Callable[[str, str], Path]) -> str:
    """A session with a stakeholder, an update and an impact measurement."""
    write("mini.toml", MINI_PLAYBOOK)
    crisis("start", "mini.toml", stdin="3\n1000\n")
    crisis("stakeholder", "add", "Tim", "--org", "ASSO", "--cadence", "30")
    crisis("update", "3 of 1,000 users cannot sign in; Alex owns it; next update at 10:30.")
    crisis("impact", "--affected", "3", "--total", "1000")
    listed = json.loads(crisis("sessions", "list", "--json").stdout)
    return str(listed[0]["id"])


# Every command that shows state, with the arguments it needs.
JSON_COMMANDS: list[list[str]] = [
    ["status"],
    ["sessions", "list"],
    ["sessions", "show", "{session}"],
    ["stakeholder", "list"],
    ["coach", "Sorry, our hosting provider failed."],
    ["playbooks", "list"],
    ["playbooks", "show", "customer-outage"],
    ["templates", "list"],
    ["scenario", "list"],
    ["config", "show"],
    ["stats"],
    ["compensation", "--contract", str(REPO / "contracts" / "example.en.toml"), "--yes"],
]


@pytest.mark.parametrize("args", JSON_COMMANDS, ids=lambda args: " ".join(args[:2]))
def test_json_prints_one_document_on_stdout_and_nothing_else(session: str, args: list[str]) -> None:
    result = crisis(*[a.format(session=session) for a in args], "--json")
    assert result.returncode == 0, result.stderr
    json.loads(result.stdout)  # one document: no banner, no trailing text
    assert ESCAPE not in result.stdout


def test_every_command_that_reads_a_session_refuses_a_bad_one_on_stderr(session: str) -> None:
    commands = [
        ["status", NO_SUCH_SESSION],
        ["resume", NO_SUCH_SESSION],
        ["report", NO_SUCH_SESSION],
        ["sessions", "show", NO_SUCH_SESSION],
        ["note", "text", "--session", NO_SUCH_SESSION],
        ["stakeholder", "list", "--session", NO_SUCH_SESSION],
        ["close", NO_SUCH_SESSION],
        ["export", NO_SUCH_SESSION],
    ]
    for args in commands:
        result = crisis(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stdout == "", args
        assert result.stderr.startswith("crisis: error: no session '20000101"), args
        assert result.stderr.count("\n") == 1, args


def test_piped_output_carries_no_colour(session: str) -> None:
    for args in (["--help"], ["status"], ["stakeholder", "list"], ["sessions", "show", "x"]):
        result = crisis(*args)
        assert ESCAPE not in result.stdout + result.stderr, args


def in_terminal(args: list[str], **env: str) -> str:
    """What ``crisis ARGS`` shows in a real terminal (a pseudo-terminal)."""
    environment = {**cli_env(), "TERM": "xterm-256color", **env}
    if "NO_COLOR" not in env:
        environment.pop("NO_COLOR", None)  # the test isolation sets it
    child = pexpect.spawn(
        sys.executable,
        ["-m", "crisiscli", *args],
        env=environment,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 120),
    )
    child.expect(pexpect.EOF)
    child.close()
    return str(child.before)


def test_a_terminal_gets_colour_unless_no_color_is_set(session: str) -> None:
    error = ["sessions", "show", NO_SUCH_SESSION]
    assert colours(in_terminal(error))
    assert colours(in_terminal(["--help"]))
    assert colours(in_terminal(error, NO_COLOR=""))  # empty: not set, per no-color.org
    for args in (error, ["--help"], ["status"]):
        shown = in_terminal(args, NO_COLOR="1")
        assert colours(shown) == [], args
        assert re.search(r"\w", shown), args  # it did print something


def test_no_color_is_read_the_same_way_by_our_code_and_by_rich(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rich.console import Console  # noqa: PLC0415

    from crisiscli.cli.output import colour_on  # noqa: PLC0415

    class Terminal:
        def isatty(self) -> bool:
            return True

    for value, coloured in (("1", False), ("", True), ("anything", False)):
        monkeypatch.setenv("NO_COLOR", value)
        assert colour_on(Terminal()) is coloured, value  # type: ignore[arg-type]
        assert Console(force_terminal=True).no_color is not coloured, value
    monkeypatch.delenv("NO_COLOR")
    assert colour_on(Terminal()) is True  # type: ignore[arg-type]
    assert os.environ.get("NO_COLOR") is None
