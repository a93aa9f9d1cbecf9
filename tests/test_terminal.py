"""The interactive walk in a real pseudo-terminal (pexpect), as a person would use it."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest

from .conftest import MINI_PLAYBOOK, cli_env

pytestmark = pytest.mark.slow


def spawn(*args: str) -> pexpect.spawn:
    env = cli_env()
    env["TERM"] = "xterm-256color"
    return pexpect.spawn(
        sys.executable,
        ["-m", "crisiscli", *args],
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 120),
    )


def answers_in_journal(home: Path) -> dict[str, object]:
    db = sqlite3.connect(home / "crisis.db")
    rows = db.execute(
        "SELECT payload FROM events WHERE type = 'answer_recorded' ORDER BY seq"
    ).fetchall()
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db.close()
    return {json.loads(p)["key"]: json.loads(p)["value"] for (p,) in rows}


def crisis_json(*args: str) -> object:
    out = subprocess.run(
        [sys.executable, "-m", "crisiscli", *args, "--json"],
        env=cli_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def test_answer_interrupt_with_ctrl_c_then_resume(
    isolated: Path, write: Callable[[str, str], Path]
) -> None:
    write("mini.toml", MINI_PLAYBOOK)
    child = spawn("start", "mini.toml", "--title", "APPLI crash")
    child.expect("Step 1 of 2: Quantify the impact")
    child.expect("Ask the customer")
    child.expect("How many users are affected\\?")
    child.expect("> ")
    child.sendline("3")
    child.expect("How many users in total\\?")
    child.expect("> ")
    child.sendline("lots")
    child.expect("Not recorded: expected a whole number, like 1000.")
    child.sendline("1 000")
    child.expect("impact.working_pct = 99.7")
    child.expect("Is a contact abusive\\?")
    child.expect("> ")
    child.sendintr()
    child.expect("saved; continue with `crisis resume (\\S+)`")
    session_id = child.match.group(1)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert answers_in_journal(isolated) == {"impact.affected": 3, "impact.total": 1000}

    child = spawn("resume")
    child.expect(f"Resuming session {session_id}: APPLI crash")
    child.expect("Is a contact abusive\\?")
    child.expect("> ")
    child.sendline("y")
    child.expect("Who\\?")
    child.expect("> ")
    child.sendline("TIM")
    child.expect("Notes")
    child.expect("> ")
    child.sendline("He apologised the next evening.")
    child.expect("… ")
    child.sendline(".")
    child.expect(f"Every step of the playbook is recorded for session {session_id}")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert answers_in_journal(isolated) == {
        "impact.affected": 3,
        "impact.total": 1000,
        "limits.abusive": True,
        "limits.who": "TIM",
        "limits.notes": "He apologised the next evening.",
    }
    status = crisis_json("status")
    assert isinstance(status, dict) and status["progress"]["complete"] is True


def test_sigkill_after_an_acknowledged_answer_loses_nothing(
    isolated: Path, write: Callable[[str, str], Path]
) -> None:
    write("mini.toml", MINI_PLAYBOOK)
    child = spawn("start", "mini.toml")
    child.expect("How many users are affected\\?")
    child.expect("> ")
    child.sendline("3")
    child.expect("How many users in total\\?")  # the answer was acknowledged
    child.expect("> ")
    os.kill(child.pid, signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()
    assert child.signalstatus == signal.SIGKILL
    assert answers_in_journal(isolated) == {"impact.affected": 3}

    child = spawn("resume")
    child.expect("How many users in total\\?")
    child.expect("> ")
    child.sendline("1000")
    child.expect("impact.working_pct = 99.7")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert answers_in_journal(isolated) == {"impact.affected": 3, "impact.total": 1000}
