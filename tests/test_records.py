"""The core's records are immutable for mypy and hash like frozen dataclasses at run time."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from crisiscli.events import Event
from crisiscli.playbook import Question

from .conftest import REPO


def test_records_compare_and_hash_by_value() -> None:
    one = Question(id="affected", type="integer", prompt="How many?")
    same = Question(id="affected", type="integer", prompt="How many?")
    assert one == same
    assert one != dataclasses.replace(one, prompt="How many users?")
    # As with frozen=True: a __hash__ from the fields (here unusable: choices is a list).
    assert Question.__hash__ is not None and Question.__hash__ is not object.__hash__


def test_mypy_refuses_an_assignment_to_a_record(tmp_path: Path) -> None:
    source = tmp_path / "assigns.py"
    source.write_text(
        "from crisiscli.events import Event\n\n\n"
        "def renumber(event: Event) -> None:\n"
        "    event.seq = 3\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(source)],
        cwd=REPO,
        env={"MYPYPATH": str(REPO / "src"), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stdout
    assert 'Property "seq" defined in "Event" is read-only' in result.stdout


def test_an_event_is_a_value() -> None:
    at = datetime(2026, 11, 22, 13, 5, tzinfo=UTC)
    event = Event("20261122-1305-abcdef", 1, at, "me@host", "note_added", {})
    assert event == Event("20261122-1305-abcdef", 1, at, "me@host", "note_added", {})
