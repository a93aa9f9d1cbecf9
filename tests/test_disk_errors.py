"""A full disk, a file-size limit and I/O errors: one clear sentence, exit 1, nothing lost.

Two kinds of failure are used. Real ones: a ``crisis`` subprocess runs under
``RLIMIT_FSIZE`` (with SIGXFSZ ignored, so a write past the limit fails with
EFBIG instead of killing the process), which SQLite and the report writer
meet exactly as they would meet a full disk. Injected ones: the store's
SQLite connection is wrapped so that one statement of the write path raises
``OSError(ENOSPC)``, ``OSError(EIO)`` or SQLite's own "database or disk is
full" / "disk I/O error", in-process through the CLI.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import crisiscli.store
from crisiscli.cli.app import app
from crisiscli.errors import StoreError
from crisiscli.store.sqlite import SQLiteStore

from .conftest import MINI_PLAYBOOK, REPO, cli_env

Write = Callable[[str, str], Path]
QUESTIONS = 40


def drill_playbook(questions: int = QUESTIONS) -> str:
    """Many integer questions, so that the journal keeps growing."""
    parts = ['[playbook]\nid = "drill"\ntitle = "Disk drill"\nlanguage = "en"\n']
    parts.append('\n[[steps]]\nid = "s"\ntitle = "Count"\nphase = "quantify"\n')
    for number in range(1, questions + 1):
        parts.append(
            f'[[steps.questions]]\nid = "q{number:02d}"\ntype = "integer"\n'
            f'prompt = "Value of s.q{number:02d}?"\nmin = 0\n'
        )
    return "".join(parts)


def answers(home: Path) -> dict[str, object]:
    """The recorded answers, after checking the journal's integrity."""
    db = sqlite3.connect(home / "crisis.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = db.execute(
            "SELECT payload FROM events WHERE type = 'answer_recorded' ORDER BY seq"
        ).fetchall()
    finally:
        db.close()
    recorded: dict[str, object] = {}
    for (payload,) in rows:
        body = json.loads(payload)
        assert body["key"] not in recorded, f"{body['key']} recorded twice"
        recorded[body["key"]] = body["value"]
    return recorded


def event_count(home: Path) -> int:
    db = sqlite3.connect(home / "crisis.db")
    try:
        (count,) = db.execute("SELECT COUNT(*) FROM events").fetchone()
    finally:
        db.close()
    return int(count)


def limited_to(size: int) -> Callable[[], None]:
    """A ``preexec_fn``: no file may grow past ``size`` bytes, and going past is an error."""

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


def crisis(
    *args: str, stdin: str = "", limit: int | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crisiscli", *args],
        input=stdin,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=limited_to(limit) if limit is not None else None,
    )


def the_error(stderr: str) -> str:
    """The one error line, after checking there is one and no traceback."""
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("crisis: error:")]
    assert len(errors) == 1, stderr
    assert stderr.rstrip("\n").endswith(errors[0]), stderr  # nothing after it
    return errors[0]


# -- a real file-size limit -------------------------------------------------------


def test_a_journal_that_cannot_grow_stops_the_walk_clearly_and_loses_nothing(
    isolated: Path, write: Write
) -> None:
    write("drill.toml", drill_playbook())
    values = [1000 + 7 * number for number in range(QUESTIONS)]
    piped = "".join(f"{value}\n" for value in values)
    # 32 KiB is the shared-memory index SQLite needs beside a WAL journal; the
    # session and a few answers fit in what is left, forty answers do not.
    result = crisis("start", "drill.toml", stdin=piped, limit=96 * 1024)

    assert result.returncode == 1, result.stderr
    journal = isolated / "crisis.db"
    error = the_error(result.stderr)
    assert error == (
        f"crisis: error: could not write to the journal {journal}: "
        "the journal reached this process's file-size limit (ulimit -f)"
    )
    # Each prompt after the first acknowledges the answer before it.
    asked = [line for line in result.stderr.splitlines() if line.startswith("Value of ")]
    acknowledged = len(asked) - 1
    assert 1 <= acknowledged < QUESTIONS - 1, result.stderr
    keys = [f"s.q{number:02d}" for number in range(1, QUESTIONS + 1)]
    # Every acknowledged answer is there; the one whose write failed is not, even in part.
    assert answers(isolated) == dict(zip(keys[:acknowledged], values[:acknowledged], strict=True))

    resumed = crisis("resume", stdin="".join(f"{value}\n" for value in values[acknowledged:]))
    assert resumed.returncode == 0, resumed.stderr
    first = next(line for line in resumed.stderr.splitlines() if line.startswith("Value of "))
    assert first == f"Value of {keys[acknowledged]}?"
    assert answers(isolated) == dict(zip(keys, values, strict=True))


def test_a_report_that_cannot_be_written_leaves_the_previous_file_whole(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = REPO / "tests" / "data" / "customer-outage.en.answers.toml"
    assert runner.invoke(app, ["start", "customer-outage", "--answers", str(data)]).exit_code == 0
    target = tmp_path / "work" / "postmortem.html"
    written = runner.invoke(app, ["report", "-t", "postmortem", "-f", "html", "--out", str(target)])
    assert written.exit_code == 0, written.stderr
    previous = target.read_bytes()
    for number in range(4):  # grow the timeline, so that the next report is larger
        note = f"note {number}: " + "the customer called again about the outage. " * 200
        assert runner.invoke(app, ["note", note]).exit_code == 0
    limit = 40 * 1024
    assert len(previous) < limit
    unlimited = crisis("report", "-t", "postmortem", "-f", "html")
    assert len(unlimited.stdout.encode()) > limit  # the new report does not fit

    result = crisis("report", "-t", "postmortem", "-f", "html", "--out", str(target), limit=limit)

    assert result.returncode == 1, result.stderr
    error = the_error(result.stderr)
    assert error.startswith(f"crisis: error: could not write {target}: "), error
    assert target.read_bytes() == previous
    assert sorted(path.name for path in target.parent.iterdir()) == ["postmortem.html"]


# -- injected errors at the store's write path ---------------------------------------

FAILURES: dict[str, Callable[[], BaseException]] = {
    "ENOSPC": lambda: OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)),
    "EIO": lambda: OSError(errno.EIO, os.strerror(errno.EIO)),
    "sqlite full": lambda: sqlite3.OperationalError("database or disk is full"),
    "sqlite ioerr": lambda: sqlite3.OperationalError("disk I/O error"),
}
SAID = {
    "ENOSPC": "no space left on device",
    "EIO": "input/output error",
    "sqlite full": "the disk is full; free some space and try again",
    "sqlite ioerr": "the disk reported an I/O error",
}


class FailingConnection:
    """A SQLite connection whose ``nth`` statement starting with ``verb`` raises ``failure``."""

    def __init__(self, real: sqlite3.Connection, verb: str, nth: int, failure: BaseException):
        self.real = real
        self.verb = verb
        self.left = nth
        self.failure = failure
        self.raised = 0

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if sql.lstrip().upper().startswith(self.verb):
            self.left -= 1
            if self.left == 0:
                self.raised += 1
                raise self.failure
        return self.real.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@contextmanager
def failing_store(verb: str, nth: int, failure: BaseException) -> Iterator[list[FailingConnection]]:
    """Every store the CLI opens fails once, at the ``nth`` ``verb`` statement."""
    made: list[FailingConnection] = []
    original = crisiscli.store.open_store

    def open_failing(home: Path) -> crisiscli.store.Store:
        store = original(home)
        assert isinstance(store, SQLiteStore)
        wrapper = FailingConnection(store._db, verb, nth, failure)
        store._db = wrapper  # type: ignore[assignment]
        made.append(wrapper)
        return store

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(crisiscli.store, "open_store", open_failing)
        yield made


@pytest.mark.parametrize("verb", ["INSERT", "COMMIT"])
@pytest.mark.parametrize("kind", list(FAILURES))
def test_a_failed_write_is_one_sentence_and_leaves_nothing_half_written(
    runner: CliRunner, write: Write, isolated: Path, kind: str, verb: str
) -> None:
    write("mini.toml", MINI_PLAYBOOK)
    # The session is the first write, the first answer the second: the second answer fails.
    with failing_store(verb, 3, FAILURES[kind]()) as made:
        result = runner.invoke(app, ["start", "mini.toml"], input="3\n1000\nno\n.\n")
    assert made and made[0].raised == 1

    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    journal = isolated / "crisis.db"
    error = the_error(result.stderr)
    assert error == f"crisis: error: could not write to the journal {journal}: {SAID[kind]}"
    assert event_count(isolated) == 2  # the session and the first answer, nothing of the second
    assert answers(isolated) == {"impact.affected": 3}

    resumed = runner.invoke(app, ["resume"], input="1000\nno\n.\n")
    assert resumed.exit_code == 0, resumed.stderr
    assert answers(isolated) == {
        "impact.affected": 3,
        "impact.total": 1000,
        "limits.abusive": False,
        "limits.notes": None,
    }


@pytest.mark.parametrize("verb", ["BEGIN", "INSERT", "COMMIT"])
@pytest.mark.parametrize("kind", list(FAILURES))
def test_the_same_store_appends_again_after_a_failed_write(
    tmp_path: Path, kind: str, verb: str
) -> None:
    path = tmp_path / "crisis.db"
    store = SQLiteStore(path)
    at = datetime(2026, 11, 22, 13, 5, tzinfo=UTC)
    sid = "20261122-1405-abc123"
    store.append(sid, "session_started", {"title": "T"}, actor="a@h", at=at, new_session=True)
    real = store._db
    store._db = FailingConnection(real, verb, 1, FAILURES[kind]())  # type: ignore[assignment]
    payload = {"key": "s.q", "value": 1}

    with pytest.raises(StoreError) as failed:
        store.append(sid, "answer_recorded", payload, actor="a@h", at=at, unique_key=True)

    assert str(failed.value) == f"could not write to the journal {path}: {SAID[kind]}"
    assert not real.in_transaction
    assert [event.type for event in store.events(sid)] == ["session_started"]
    event = store.append(sid, "answer_recorded", payload, actor="a@h", at=at, unique_key=True)
    assert event.seq == 2
    assert [e.payload.get("value") for e in SQLiteStore(path).events(sid)] == [None, 1]
