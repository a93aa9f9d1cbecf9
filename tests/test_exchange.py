"""crisis export and crisis import: a session moves to another machine exactly, or not at all.

"Another machine" is another data folder ($CRISIS_HOME) with its own SQLite
journal. The round trips compare what people and scripts read on both sides
(``sessions show --json``, ``sessions show``, reports) and export the imported
session again: the bytes must be those of the first export.
"""

from __future__ import annotations

import ast
import codecs
import json
import math
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from crisiscli import events as ev
from crisiscli.cli.output import generation_time, write_whole
from crisiscli.clock import FixedClock, SimulatedClock, SystemClock
from crisiscli.drill import Drill
from crisiscli.engine import start_session
from crisiscli.errors import ExportFileError, SessionConflictError, StoreError, did_you_mean
from crisiscli.events import Event
from crisiscli.exchange import (
    MAX_EXPORT_BYTES,
    MAX_EXPORT_EVENTS,
    parse_key_path,
    read_export,
    write_export,
)
from crisiscli.playbook_loading import load_playbook
from crisiscli.recording import append_event
from crisiscli.scenario import load_scenario, playbook_of
from crisiscli.store import Store
from crisiscli.store.memory import MemoryStore
from crisiscli.store.sqlite import SQLiteStore
from crisiscli.tomlfile import key_path

from .conftest import MINI_PLAYBOOK, REPO, cli_env, run

ANSWERS = REPO / "tests" / "data" / "customer-outage.en.answers.toml"
CONTRACT = REPO / "contracts" / "example.en.toml"
SCENARIO = REPO / "scenarios" / "event-app-overload.en.toml"
CAREFUL = REPO / "tests" / "data" / "training" / "event-app-overload.en.careful.toml"
EPOCH = "1795000000"  # SOURCE_DATE_EPOCH: reports and exports name the same "now" on both sides


def ok(runner: CliRunner, *args: str, input: str | None = None) -> str:
    code, out, err = run(runner, *args, input=input)
    assert code == 0, (args, err)
    return out


class Machines:
    """Two data folders; ``use`` points $CRISIS_HOME (and so every command) at one."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.homes = {"a": root / "machine-a", "b": root / "machine-b"}
        self._monkeypatch = monkeypatch
        monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        self.use("a")

    def use(self, name: str) -> None:
        self._monkeypatch.setenv("CRISIS_HOME", str(self.homes[name]))

    def events(self, name: str, session_id: str) -> list[Event]:
        store = SQLiteStore(self.homes[name] / "crisis.db")
        try:
            return store.events(session_id)
        finally:
            store.close()

    def rows(self, name: str) -> list[tuple[Any, ...]]:
        """Every row of the journal, as stored (text and all)."""
        path = self.homes[name] / "crisis.db"
        if not path.exists():
            return []
        db = sqlite3.connect(path)
        try:
            return db.execute("SELECT * FROM events ORDER BY session_id, seq").fetchall()
        finally:
            db.close()


@pytest.fixture
def machines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Machines:
    return Machines(tmp_path, monkeypatch)


def record_a_live_crisis(runner: CliRunner) -> str:
    """A session with every live event type: notes, stakeholders, updates (coached), ..."""
    session = ok(runner, "start", "customer-outage", "--answers", str(ANSWERS)).strip()
    steps = [
        ["stakeholder", "add", "Tim", "--org", "ASSO", "--role", "president", "--cadence", "60"],
        ["stakeholder", "add", "Head of delivery", "--cadence", "120"],
        ["note", "--from", "Tim", "--channel", "phone", "three people cannot download the app"],
        ["note", "Démarrage à froid : 🚑 «lent»\nsecond line\ttabbed"],
        ["update", "--to", "Tim", "--channel", "phone", "--next-in", "30", "Sam calls at 10:30"],
        ["update", "Sorry, so sorry, our hosting provider failed. Lots of users are affected."],
        ["impact", "--affected", "3", "--total", "1,000", "--note", "counted with Tim"],
        ["impact", "--affected", "1", "--total", "1000"],
        ["limit", "Tim", "--level", "warn", "--text", "insults on the phone"],
        ["stakeholder", "replace", "Tim", "Lea", "--reason", "insults after a warning"],
        ["feedback", "--from", "Lea", "--score", "6", "--phase", "before"],
        ["feedback", "--from", "Lea", "--score", "8", "handled well"],
        ["compensation", "--contract", str(CONTRACT), "--yes"],
    ]
    for args in steps:
        ok(runner, *args, "--session", session)
    return session


@pytest.fixture
def three_sessions(runner: CliRunner, machines: Machines) -> dict[str, str]:
    """On machine A: a live crisis with every live event, a closed session, a training drill."""
    live = record_a_live_crisis(runner)
    closed = ok(runner, "start", "customer-outage", "--answers", str(ANSWERS)).strip()
    ok(runner, "note", "--session", closed, "all good")
    ok(runner, "close", closed, "--resolution", "back to normal")
    card = json.loads(ok(runner, "replay", str(SCENARIO), "--answers", str(CAREFUL), "--json"))
    return {"live": live, "closed": closed, "drill": str(card["session"])}


def views(runner: CliRunner, session: str) -> dict[str, str]:
    """What people and scripts read of a session."""
    return {
        "show --json": ok(runner, "sessions", "show", session, "--json"),
        "show": ok(runner, "sessions", "show", session),
        "report": ok(runner, "report", session),
        "postmortem html": ok(runner, "report", session, "-t", "postmortem", "-f", "html"),
    }


@pytest.mark.parametrize("fmt", ["json", "toml"])
def test_sessions_move_to_another_machine_exactly(
    runner: CliRunner, machines: Machines, three_sessions: dict[str, str], fmt: str, tmp_path: Path
) -> None:
    types = {e.type for e in machines.events("a", three_sessions["live"])}
    assert set(ev.LIVE_TYPES) <= types
    flags = [
        e.payload["flags"]
        for e in machines.events("a", three_sessions["live"])
        if e.type == ev.UPDATE_SENT
    ]
    assert flags[0] == [] and flags[1]  # the coach flagged the second update
    before = {kind: views(runner, session) for kind, session in three_sessions.items()}
    files = {}
    for kind, session in three_sessions.items():
        files[kind] = tmp_path / f"{kind}.{fmt}"
        code, out, err = run(runner, "export", session, "--out", str(files[kind]))
        count = len(machines.events("a", session))
        assert (code, out, err) == (0, "", f"Exported session {session} ({count} events) to "
                                           f"{files[kind]}\n")  # fmt: skip

    machines.use("b")
    for kind, session in three_sessions.items():
        started = machines.events("a", session)[0].payload
        count = len(machines.events("a", session))
        out = ok(runner, "import", str(files[kind]))
        assert out == (
            f"Imported session {session} ({count} events, playbook {started['playbook_id']}, "
            f"title {started['title']})\n"
        )
        assert views(runner, session) == before[kind], kind
        assert machines.events("b", session) == machines.events("a", session)
        # Exported again from machine B: the very same bytes.
        again = tmp_path / f"{kind}.again.{fmt}"
        ok(runner, "export", session, "--out", str(again))
        assert again.read_bytes() == files[kind].read_bytes(), kind
    assert machines.rows("b") == machines.rows("a")  # stored text and all, every session
    listed = json.loads(ok(runner, "sessions", "list", "--all", "--json"))
    assert sorted(s["id"] for s in listed) == sorted(three_sessions.values())


def test_the_real_command_line_round_trip(
    tmp_path: Path, write: Callable[[str, str], Path]
) -> None:
    """The installed entry point, in subprocesses, as a team would run it."""

    def crisis(home: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        env = cli_env() | {"CRISIS_HOME": str(tmp_path / home), "SOURCE_DATE_EPOCH": EPOCH}
        return subprocess.run(
            [sys.executable, "-m", "crisiscli", *args],
            input=stdin,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    write("mini.toml", MINI_PLAYBOOK)
    session = crisis("a", "start", "mini.toml", stdin="3\n1000\nno\n.\n").stdout.strip()
    assert crisis("a", "note", "the president called").returncode == 0
    exported = crisis("a", "export", "--format", "toml")
    assert (exported.returncode, exported.stderr) == (0, "")
    archive = tmp_path / "work" / "archive.toml"
    archive.write_text(exported.stdout, encoding="utf-8")
    imported = crisis("b", "import", str(archive), "--json")
    assert (imported.returncode, imported.stderr) == (0, "")
    assert json.loads(imported.stdout) == {
        "session": json.loads(crisis("a", "sessions", "list", "--json").stdout)[0],
        "events": 7,
        "imported": True,
        "new_events": 7,
    }
    for args in (["sessions", "show", session, "--json"], ["report", session]):
        assert crisis("b", *args).stdout == crisis("a", *args).stdout
    again = crisis("b", "import", str(archive))
    assert (again.returncode, again.stdout) == (
        0,
        f"Session {session} is already in this store with the same 7 events; nothing imported\n",
    )


def test_importing_twice_changes_nothing(
    runner: CliRunner, machines: Machines, tmp_path: Path
) -> None:
    session = record_a_live_crisis(runner)
    target = tmp_path / "s.json"
    ok(runner, "export", session, "--out", str(target))
    machines.use("b")
    ok(runner, "import", str(target))
    stored = machines.rows("b")
    code, out, err = run(runner, "import", str(target))
    count = len(stored)
    assert (code, err) == (0, "")
    assert out == f"Session {session} is already in this store with the same {count} events; " \
                  "nothing imported\n"  # fmt: skip
    assert json.loads(ok(runner, "import", str(target), "--json"))["imported"] is False
    assert machines.rows("b") == stored
    # Importing back into the machine it came from is just as harmless.
    machines.use("a")
    assert json.loads(ok(runner, "import", str(target), "--json"))["imported"] is False


def test_a_session_with_other_events_is_refused_and_nothing_changes(
    runner: CliRunner, machines: Machines, tmp_path: Path
) -> None:
    session = record_a_live_crisis(runner)
    count = len(machines.events("a", session))
    original = tmp_path / "s.json"
    ok(runner, "export", session, "--out", str(original))
    document = json.loads(original.read_text(encoding="utf-8"))
    document["events"][-1]["payload"]["note"] = "edited on the way"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(document), encoding="utf-8")
    stored = machines.rows("a")
    code, out, err = run(runner, "import", str(edited))
    assert (code, out) == (2, "")
    assert err == (
        f"crisis: error: session {session} is already in this store with other events "
        f"({count} here, {count} imported; the first that differs is event {count}), "
        "so nothing was imported\n"
    )
    # A shorter history that differs is another session too, and so is a longer one.
    document = json.loads(original.read_text(encoding="utf-8"))
    del document["events"][-3:]
    document["events"][-1]["actor"] = "someone@else"
    shorter = tmp_path / "shorter.json"
    shorter.write_text(json.dumps(document), encoding="utf-8")
    code, _, err = run(runner, "import", str(shorter))
    assert code == 2
    assert (
        f"({count} here, {count - 3} imported; the first that differs is event {count - 3})" in err
    )
    document = json.loads(edited.read_text(encoding="utf-8"))
    document["events"].append({**document["events"][-2], "seq": count + 1})
    longer = tmp_path / "longer.json"
    longer.write_text(json.dumps(document), encoding="utf-8")
    code, _, err = run(runner, "import", str(longer))
    assert code == 2
    assert f"({count} here, {count + 1} imported; the first that differs is event {count})" in err
    assert machines.rows("a") == stored


def test_export_writes_files_carefully(
    runner: CliRunner, machines: Machines, tmp_path: Path
) -> None:
    session = record_a_live_crisis(runner)
    # Standard output, JSON by default; TOML by --format or by the file's suffix.
    stdout = ok(runner, "export")
    assert json.loads(stdout)["session"] == session
    assert ok(runner, "export", "-f", "toml").startswith('format = 1\nsession = "')
    named = tmp_path / "s.toml"
    ok(runner, "export", "--out", str(named))
    assert named.read_text(encoding="utf-8").startswith("format = 1\n")
    forced = tmp_path / "s.txt"
    ok(runner, "export", "--out", str(forced), "--format", "toml")
    assert forced.read_text(encoding="utf-8").startswith("format = 1\n")
    other = tmp_path / "s.data"
    ok(runner, "export", "--out", str(other))
    assert other.read_text(encoding="utf-8").startswith("{\n")
    # An existing file is kept unless --force.
    named.write_text("keep me", encoding="utf-8")
    code, out, err = run(runner, "export", "--out", str(named))
    assert (code, out, err) == (2, "", f"crisis: error: {named} already exists; add --force "
                                       "to replace it\n")  # fmt: skip
    assert named.read_text(encoding="utf-8") == "keep me"
    ok(runner, "export", "--out", str(named), "--force")
    assert named.read_text(encoding="utf-8").startswith("format = 1\n")
    for args, message in [
        (["--format", "yaml"], "unknown format 'yaml' (from --format); expected one of json, toml"),
        # The session was started on the real clock: whether its id is close enough to
        # suggest depends on the day, so the hint is the one did_you_mean gives for it.
        (["20261122-1405-zzzzzz"], "no session '20261122-1405-zzzzzz' in this store"
                                   + did_you_mean("20261122-1405-zzzzzz", [session])),
        (["../etc/passwd"], "'../etc/passwd' is not a session id; expected something like "
                            "20261122-1405-k3m9qz (see `crisis sessions list`)"),
        (["--out", str(tmp_path / "missing" / "s.json")],
         f"the folder {tmp_path / 'missing'} does not exist (from --out)"),
    ]:  # fmt: skip
        assert run(runner, "export", *args) == (2, "", f"crisis: error: {message}\n"), args
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".s.")) == []


def test_exports_change_only_when_the_session_does(
    runner: CliRunner, machines: Machines, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exported again, a session differs by its export time only; a new event adds lines."""
    import difflib  # noqa: PLC0415

    session = record_a_live_crisis(runner)
    for fmt in ("json", "toml"):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        first = ok(runner, "export", "-f", fmt)
        assert ok(runner, "export", "-f", fmt) == first
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 3600))
        later = ok(runner, "export", "-f", fmt)
        changed = [
            (a, b) for a, b in zip(first.splitlines(), later.splitlines(), strict=True) if a != b
        ]
        (stamp,) = [line for line in first.splitlines() if "exported_at" in line]
        assert "2026-11-18T11:06:40+00:00" in stamp
        assert changed == [(stamp, stamp.replace("T11:06:40", "T12:06:40"))]
        ok(runner, "note", "--session", session, f"one more thing in {fmt}")
        grown = ok(runner, "export", "-f", fmt)
        opcodes = difflib.SequenceMatcher(
            None, later.splitlines(), grown.splitlines(), autojunk=False
        ).get_opcodes()
        edits = [(tag, later.splitlines()[i1:i2]) for tag, i1, i2, _j1, _j2 in opcodes]
        edits = [(tag, lines) for tag, lines in edits if tag != "equal"]
        assert [tag for tag, _ in edits] == ["insert"]  # lines added, none changed
        if fmt == "toml":
            assert grown.startswith(later)  # and all of them at the end
        assert f"one more thing in {fmt}" in grown


def test_a_drill_is_exported_by_its_id(
    runner: CliRunner, machines: Machines, tmp_path: Path
) -> None:
    card = json.loads(ok(runner, "replay", str(SCENARIO), "--answers", str(CAREFUL), "--json"))
    code, _, err = run(runner, "export")  # a drill is never the default session
    assert (code, err) == (
        2,
        "crisis: error: there is no open session; start one with `crisis start` or name one "
        "from `crisis sessions list`\n",
    )
    document = json.loads(ok(runner, "export", str(card["session"])))
    assert document["events"][0]["payload"]["training"] is True
    assert {e["type"] for e in document["events"]} >= set(ev.DRILL_TYPES)


# -- the store ---------------------------------------------------------------------------


def a_session(store: Store, playbook_file: Path, *, note: str = "hello") -> list[Event]:
    """A small session recorded in ``store``: the mini playbook started, two notes."""
    playbook = load_playbook(playbook_file)
    clock = FixedClock(datetime(2026, 11, 22, 13, 5, 0, 123456, tzinfo=UTC), tick=timedelta(0))
    state = start_session(
        store,
        playbook,
        title="Mini",
        source="mini.toml",
        clock=clock,
        actor="ana@laptop",
        timezone="Europe/Paris",
        session_id="20261122-1405-k3m9qz",
    )
    for text in (note, "second"):
        store.append(
            state.session_id,
            ev.NOTE_ADDED,
            {"text": text, "source": None, "channel": None},
            actor="ana@laptop",
            at=clock.now(),
        )
    return store.events(state.session_id)


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini playbook, as a file."""
    path = tmp_path_factory.mktemp("playbooks") / "mini.toml"
    path.write_text(MINI_PLAYBOOK, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def base(mini: Path) -> list[Event]:
    """The events of a small session: the mini playbook started, two notes."""
    return a_session(MemoryStore(), mini)


@pytest.fixture(params=["sqlite", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    made: Store = SQLiteStore(tmp_path / "other.db") if request.param == "sqlite" else MemoryStore()
    yield made
    made.close()


def test_the_store_imports_whole_sessions_once(store: Store, base: list[Event], mini: Path) -> None:
    events = base
    assert store.import_session(events) == 3
    assert store.events(events[0].session_id) == events
    assert store.import_session(events) == 0
    assert store.events(events[0].session_id) == events
    (summary,) = store.sessions()
    assert (summary.id, summary.title, summary.started_at) == (
        "20261122-1405-k3m9qz",
        "Mini",
        events[0].at,
    )
    other = a_session(MemoryStore(), mini, note="not hello")
    with pytest.raises(SessionConflictError) as refused:
        store.import_session(other)
    assert str(refused.value) == (
        "session 20261122-1405-k3m9qz is already in this store with other events "
        "(3 here, 3 imported; the first that differs is event 2), so nothing was imported"
    )
    # 1 and 1.0 are different payloads.
    retyped = [*events[:-1], Event(**{**events[-1].__dict__, "payload": {"n": 1.0}})]
    store2 = MemoryStore()
    store2.import_session([*events[:-1], Event(**{**events[-1].__dict__, "payload": {"n": 1}})])
    with pytest.raises(SessionConflictError):
        store2.import_session(retyped)
    with pytest.raises(ValueError, match="begins with session_started"):
        store.import_session(events[1:])


def test_an_import_is_one_transaction(tmp_path: Path, base: list[Event]) -> None:
    """A failure in the middle of the import leaves no event of the session behind."""
    store = SQLiteStore(tmp_path / "crisis.db")
    events = base

    class FailingAfterInsert:
        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def __getattr__(self, name: str) -> Any:
            return getattr(self.db, name)

        def executemany(self, sql: str, rows: Any) -> Any:
            self.db.executemany(sql, rows)  # the rows are in, inside the transaction
            raise sqlite3.OperationalError("database or disk is full")

    real = store._db
    store._db = FailingAfterInsert(real)  # type: ignore[assignment]
    with pytest.raises(StoreError, match="the disk is full; free some space and try again"):
        store.import_session(events)
    store._db = real
    assert store.events(events[0].session_id) == []
    assert store.import_session(events) == 3
    store.close()


def test_concurrent_imports_write_once(tmp_path: Path, base: list[Event]) -> None:
    events = base
    results: list[int] = []

    def import_once() -> None:
        store = SQLiteStore(tmp_path / "crisis.db")
        try:
            results.append(store.import_session(events))
        finally:
            store.close()

    SQLiteStore(tmp_path / "crisis.db").close()
    threads = [threading.Thread(target=import_once) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 0, 0, 3]
    store = SQLiteStore(tmp_path / "crisis.db")
    assert store.events(events[0].session_id) == events
    store.close()


def test_an_import_at_the_file_size_limit_leaves_nothing(
    runner: CliRunner, machines: Machines, tmp_path: Path
) -> None:
    """A real ``ulimit -f`` on ``crisis import``: one sentence, exit 1, no part of the session."""
    session = record_a_live_crisis(runner)
    target = tmp_path / "s.json"
    ok(runner, "export", session, "--out", str(target))
    machines.use("b")
    ok(runner, "sessions", "list")  # creates machine B's empty journal
    journal = machines.homes["b"] / "crisis.db"
    limit = 32 * 1024

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = cli_env()
    result = subprocess.run(
        [sys.executable, "-m", "crisiscli", "import", str(target)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=limited,
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"crisis: error: could not write to the journal {journal}: the journal reached this "
        "process's file-size limit (ulimit -f)\n"
    )
    assert machines.rows("b") == []
    db = sqlite3.connect(journal)
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    db.close()
    ok(runner, "import", str(target))
    assert machines.rows("b") == machines.rows("a")


def test_a_failed_export_keeps_the_previous_file(
    runner: CliRunner, machines: Machines, tmp_path: Path
) -> None:
    session = record_a_live_crisis(runner)
    target = tmp_path / "s.toml"
    target.write_text("the previous export\n", encoding="utf-8")

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    result = subprocess.run(
        [sys.executable, "-m", "crisiscli", "export", session, "--out", str(target), "--force"],
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=limited,
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"crisis: error: could not write {target}: file too large\n"
    assert target.read_text(encoding="utf-8") == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".s.toml")] == []


def test_times_may_go_backwards_as_in_a_real_journal(tmp_path: Path, mini: Path) -> None:
    """Concurrent writers read the clock before the write lock: a later seq may be earlier."""
    store = MemoryStore()
    events = a_session(store, mini)
    store.append(
        events[0].session_id,
        ev.NOTE_ADDED,
        {"text": "typed a moment earlier", "source": None, "channel": None},
        actor="sam@desk",
        at=events[-1].at - timedelta(seconds=2),
    )
    events = store.events(events[0].session_id)
    for fmt in ("json", "toml"):
        path = tmp_path / f"s.{fmt}"
        path.write_text(write_export(events, fmt, version="0.1.0", exported_at=None), "utf-8")
        assert read_export(path).events == events


# -- hostile files --------------------------------------------------------------------------


@pytest.fixture
def small_export(machines: Machines, base: list[Event]) -> dict[str, Any]:
    """The export (JSON, as a dict) of a small session: started, then notes "hello" and
    "second". The commands then run on machine B."""
    machines.use("b")
    document: dict[str, Any] = json.loads(
        write_export(base, "json", version="0.1.0", exported_at=datetime.now(UTC))
    )
    return document


def _set(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """``document`` with the value at ``path`` (``events[1].seq``) replaced, or removed."""
    node: Any = document
    parts = path.replace("[", ".").replace("]", "").split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last: Any = int(parts[-1]) if isinstance(node, list) else parts[-1]
    if value is _REMOVE:
        del node[last]
    else:
        node[last] = value
    return document


_REMOVE = object()


def _nested(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


# (what is changed in a real JSON export, where the refusal points, the problem)
EDITS: list[tuple[str, Any, str | None, str]] = [
    ("format", 2, "format", "this file is export format 2, and this crisiscli reads format 1; "
                            "a newer crisiscli may read it"),
    ("format", "1", "format", "expected a whole number, got text"),
    ("format", _REMOVE, "format", "is required but missing; crisiscli exports start with "
                                  "format = 1"),
    ("sesion", "x", "sesion", "unknown key 'sesion' (did you mean 'session'?)"),
    ("session", "../../etc/passwd", "session",
     "is not a session id; expected something like 20261122-1405-k3m9qz"),
    ("session", _REMOVE, "session", "is required but missing"),
    ("crisiscli", "", "crisiscli", "expected the version of crisiscli that wrote the file, "
                                   "e.g. 0.1.0"),
    ("exported_at", "2026-11-22T13:05:00", "exported_at",
     "expected a date and time with its offset, e.g. 2026-11-22T13:05:00.000000+00:00; "
     "this one has no offset"),
    ("events", {}, "events", "expected an array of tables, written [[events]], got a table"),
    ("events", [], "events", "is empty; a session has at least its session_started event"),
    ("events[1]", 7, "events[1]", "expected a table, got a whole number"),
    ("events[1].seq", 3, "events[1].seq",
     "expected 2, got 3: events are numbered from 1 without gaps"),
    ("events[1].seq", True, "events[1].seq", "expected a whole number, got a boolean"),
    ("events[1].seq", _REMOVE, "events[1].seq", "is required but missing"),
    ("events[1].when", "now", "events[1].when", "unknown key 'when'"),
    ("events[0].type", "note_added", "events[0].type",
     "the first event must be session_started, got note_added"),
    ("events[1].type", "session_started", "events[1].type",
     "a session starts once: only the first event is session_started"),
    ("events[1].type", "answer_recorde", "events[1].type",
     "unknown event type 'answer_recorde' (did you mean 'answer_recorded'?); a newer crisiscli "
     "may have written it"),
    ("events[1].actor", "x" * 321, "events[1].actor", "is longer than 320 characters"),
    ("events[1].actor", " ", "events[1].actor",
     "is empty; expected who recorded the event, e.g. ana@laptop"),
    ("events[1].actor", "ana\n@laptop", "events[1].actor", "expected one line of printable text"),
    ("events[1].at", "2026-11-22T13:05:00", "events[1].at",
     "expected a date and time with its offset, e.g. 2026-11-22T13:05:00.000000+00:00; "
     "this one has no offset"),
    ("events[1].at", "yesterday", "events[1].at",
     "expected a date and time with its offset, e.g. 2026-11-22T13:05:00.000000+00:00; "
     "got 'yesterday'"),
    ("events[1].at", "0001-01-01T00:00:00+01:00", "events[1].at",
     "is out of the range of dates crisiscli records"),
    ("events[1].at", 1700000000, "events[1].at", "expected text, got a whole number"),
    ("events[1].payload", [], "events[1].payload", "expected a table, got an array"),
    ("events[1].payload.nested", _nested(24), "events[1].payload.nested" + "[0]" * 23,
     "nested more than 24 levels deep"),
    ("events[1].payload.text", _REMOVE, "events[1].payload",
     "crisiscli cannot read this note_added event (KeyError: 'text')"),
    ("events[1].nulls", ["payload.nowhere.x"], "events[1].nulls[0]",
     "payload.nowhere.x names nothing in this event's payload"),
    ("events[1].nulls", ["payload.text"], "events[1].nulls[0]",
     "payload.text names the key 'text', which the payload already holds"),
    ("events[1].nulls", ["payload"], "events[1].nulls[0]",
     "names the payload itself, which is a table, never null"),
    ("events[1].nulls", ['payload."text"'], "events[1].nulls[0]",
     "expected a key path in the payload, like payload.source or payload.to[0]"),
    ("events[1].order", {"payload": ["text"]}, "events[1].order.payload",
     "does not list every key of that table once"),
    ("events[1].order", {"payload.x": ["text"]}, 'events[1].order."payload.x"',
     "names nothing in this event's payload"),
    ("events[0].payload.title", 5, "events[0].payload.title", "expected text, got a whole number"),
    ("events[0].payload.language", "de", "events[0].payload.language", "expected one of en, fr"),
    ("events[0].payload.training", "no", "events[0].payload.training",
     "expected true or false, got text"),
    ("events[0].payload.timezone", _REMOVE, "events[0].payload.timezone",
     "is required but missing"),
    ("events[0].payload.playbook.steps[0].title", ["a"],
     "events[0].payload.playbook.steps[0].title",
     "is not a playbook as crisiscli records it: input should be a valid string"),
    ("events[1].payload.text", 5, None, "its events do not make a session crisiscli can show "
     "(NoteView.text: input should be a valid string)"),
    ("events[1].type", "stakeholder_added", "events[1].payload",
     "crisiscli cannot read this stakeholder_added event (KeyError: 'name')"),
    ("events[0].payload.playbook.steps[0].when", "impact.affected >", None,
     "its events do not make a session crisiscli can show (ExpressionError: is not a valid "
     "expression (invalid syntax))"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "value", "where", "problem"), EDITS, ids=[f"{e[0]}={e[1]!r}"[:60] for e in EDITS]
)
def test_an_edited_export_is_refused_with_its_key_path(  # noqa: PLR0917 - parametrized
    runner: CliRunner,
    machines: Machines,
    small_export: dict[str, Any],
    tmp_path: Path,
    change: str,
    value: Any,
    where: str | None,
    problem: str,
) -> None:
    target = tmp_path / "edited.json"
    target.write_text(json.dumps(_set(small_export, change, value)), encoding="utf-8")
    code, out, err = run(runner, "import", str(target))
    assert (code, out) == (2, ""), err
    located = f", at {where}" if where else ""
    assert err == f"crisis: error: {target}{located}: {problem}\n"
    assert machines.rows("b") == []


# (the file's text, the refusal after "crisis: error: FILE")
TEXTS: list[tuple[str, bytes, str]] = [
    ("json", b'{"format": 1,\n  "session": }', ", line 2: invalid JSON: expecting value"),
    ("json", b'{"format": 1, "format": 1}',
     ": invalid JSON: the key 'format' appears twice in one object"),
    ("json", b'{"format": NaN}', ": invalid JSON: NaN is not a JSON number"),
    ("json", b'{"format": 1e400}', ", at format: expected a whole number, got a decimal number"),
    ("json", b'{"format": ' + b"9" * 5000 + b"}",
     ": invalid JSON: a number has more digits than crisiscli reads (4,300)"),
    ("json", b'{\n"format": 1,\n"session": "\xff"}', ", line 3: is not valid UTF-8 text"),
    ("json", b"[" * 100_000, ": invalid JSON: nested too deeply"),
    ("json", b"[1, 2]", ": expected an object of the export's keys, got an array"),
    ("toml", b"format = 1\nsession = \n", ", line 2: invalid TOML: invalid value"),
    ("toml", b'format = 1\ncrisiscli = "0.1.0"\nsession = 2026-11-22\nevents = []\n',
     ", at session: expected text, got a date or time"),
    ("toml", b"format = " + b"9" * 5000 + b"\n",
     ", line 1: invalid TOML: a number has more digits than crisiscli reads (4,300)"),
    ("data", b"  {\"format\": 3}", ", at format: this file is export format 3, and this crisiscli "
                                   "reads format 1; a newer crisiscli may read it"),
    ("data", b"format = 3", ", at format: this file is export format 3, and this crisiscli "
                            "reads format 1; a newer crisiscli may read it"),
]  # fmt: skip


@pytest.mark.parametrize(("suffix", "text", "problem"), TEXTS)
def test_unreadable_files_are_refused_with_their_line(
    runner: CliRunner, tmp_path: Path, suffix: str, text: bytes, problem: str
) -> None:
    target = tmp_path / f"export.{suffix}"
    target.write_bytes(text)
    assert run(runner, "import", str(target)) == (2, "", f"crisis: error: {target}{problem}\n")
    assert not (tmp_path / "home" / "crisis.db").exists()


def test_toml_specific_refusals(
    runner: CliRunner, machines: Machines, base: list[Event], tmp_path: Path
) -> None:
    machines.use("b")
    good = write_export(base, "toml", version="0.1.0", exported_at=None)
    target = tmp_path / "edited.toml"
    for old, new, message in [
        ('type = "note_added"', 'type = "note_added"\nwhen = 2026-11-22T13:05:00Z',
         "at events[1].when: unknown key 'when'"),
        ('text = "hello"', "text = nan",
         "at events[1].payload.text: expected a finite number, not nan or inf"),
        ('text = "hello"', "text = 2026-11-22",
         "at events[1].payload.text: expected text, a number, true, false, an array or a table, "
         "got a date or time"),
        ('nulls = [\n    "payload.source",\n    "payload.channel",\n]', "nulls = 3",
         "at events[1].nulls: expected an array of key paths, got a whole number"),
    ]:  # fmt: skip
        assert old in good, old
        target.write_text(good.replace(old, new, 1), encoding="utf-8")
        code, out, err = run(runner, "import", str(target))
        assert (code, out, err) == (2, "", f"crisis: error: {target}, {message}\n")
    assert machines.rows("b") == []


def test_other_unreadable_files(runner: CliRunner, tmp_path: Path) -> None:
    assert run(runner, "import", str(tmp_path / "nope.json")) == (
        2, "", f"crisis: error: {tmp_path / 'nope.json'}: no such file\n"
    )  # fmt: skip
    assert run(runner, "import", str(tmp_path)) == (
        2, "", f"crisis: error: {tmp_path}: is a folder, expected an export file\n"
    )  # fmt: skip
    for suffix in ("json", "toml"):
        huge = tmp_path / f"huge.{suffix}"
        with huge.open("wb") as handle:
            handle.truncate(MAX_EXPORT_BYTES + 1)
        assert run(runner, "import", str(huge)) == (
            2,
            "",
            f"crisis: error: {huge}: is larger than 16 MiB, the limit for export files\n",
        )


def test_a_lone_surrogate_is_refused(
    runner: CliRunner, machines: Machines, small_export: dict[str, Any], tmp_path: Path
) -> None:
    target = tmp_path / "edited.json"
    text = json.dumps(small_export).replace('"hello"', '"\\ud800"')
    target.write_text(text, encoding="utf-8")
    assert run(runner, "import", str(target)) == (
        2,
        "",
        f"crisis: error: {target}, at events[1].payload.text: is not valid Unicode text "
        "(a lone surrogate)\n",
    )


# -- exactness, for any JSON payload ---------------------------------------------------------

_KEYS = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["", ".", "a.b", "payload", '"', "[0]", "0", " ", "é", "\x00", "\u2028"]),
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1.0, 1e16, 5e-324, 1.7976931348623157e308, 2**63, -(2**63) - 1]),
    st.text(),
    st.sampled_from(["2026-11-22", "2026-11-22T13:05:00+01:00", "13:05:00", "nan", "null", "{}"]),
)
_JSON = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(_KEYS, children, max_size=4),
    ),
    max_leaves=24,
)
_NOTE_KEYS = ("text", "source", "channel")
# A note's own fields, and any JSON beside them, in any order: a note's payload is one
# crisiscli reads whatever else it holds, so the whole file passes the import's checks.
_PAYLOADS = st.tuples(
    st.dictionaries(_KEYS.filter(lambda k: k not in _NOTE_KEYS), _JSON, max_size=5),
    st.text(min_size=1),
    st.one_of(st.none(), st.text()),
).flatmap(
    lambda parts: st.permutations(
        [*parts[0].items(), ("text", parts[1]), ("source", parts[2]), ("channel", None)]
    ).map(dict)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads=st.lists(_PAYLOADS, min_size=1, max_size=3))
def test_any_json_payload_round_trips_exactly(
    base: list[Event], payloads: list[dict[str, Any]]
) -> None:
    """Nulls, empty keys, dotted keys, 1.0 and -0.0, big integers, empty arrays and tables,
    in both formats: the events read back are the events written, down to their JSON text."""
    store = MemoryStore()
    store.import_session(base)
    session_id = base[0].session_id
    for number, payload in enumerate(payloads):
        store.append(
            session_id,
            ev.NOTE_ADDED,
            payload,
            actor="ana@laptop",
            at=datetime(2026, 11, 22, 13, 6, number, 999, tzinfo=UTC),
        )
    events = store.events(session_id)
    with tempfile.TemporaryDirectory() as folder:
        for fmt in ("json", "toml"):
            path = Path(folder) / f"s.{fmt}"
            text = write_export(events, fmt, version="0.1.0", exported_at=None)
            path.write_text(text, encoding="utf-8")
            back = read_export(path).events
            assert [_exact(e) for e in back] == [_exact(e) for e in events], text
            copy = MemoryStore()
            assert copy.import_session(back) == len(events)
            assert copy.import_session(events) == 0


def _exact(event: Event) -> str:
    """An event as text that tells 1 from 1.0 and -0.0 from 0.0, and keeps key order."""
    return json.dumps(event.to_json(), ensure_ascii=False) + repr(event.at)


NOTE = {
    "text": "Tim called",
    "source": None,
    "extra": {
        "a.b": 1,
        "": None,
        "numbers": [1, 1.0, -0.0, 2**70],
        "list": [None, {}, []],
        "when": "2026-11-22",
    },
    "channel": "phone",
}

NOTE_IN_TOML = """\
[[events]]
seq = 4
at = "2026-11-22T13:06:00.000005+00:00"
actor = "ana@laptop"
type = "note_added"
nulls = [
    "payload.source",
    "payload.extra.\\"\\"",
    "payload.extra.list[0]",
]

[events.payload]
text = "Tim called"
channel = "phone"

[events.payload.extra]
"a.b" = 1
numbers = [
    1,
    1.0,
    -0.0,
    1180591620717411303424,
]
list = [
    {},
    {},
    [],
]
when = "2026-11-22"

[events.order]
payload = [
    "text",
    "source",
    "extra",
    "channel",
]
"payload.extra" = [
    "a.b",
    "",
    "numbers",
    "list",
    "when",
]
"""


def test_the_toml_encoding_of_nulls_and_key_order(base: list[Event], tmp_path: Path) -> None:
    """The example of docs/export-import.md: what TOML cannot show is listed beside it."""
    at = datetime(2026, 11, 22, 13, 6, 0, 5, tzinfo=UTC)
    events = [*base, Event(base[0].session_id, 4, at, "ana@laptop", ev.NOTE_ADDED, NOTE)]
    text = write_export(events, "toml", version="0.1.0", exported_at=None)
    assert text.endswith("\n\n" + NOTE_IN_TOML)
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    payload = read_export(path).events[-1].payload
    assert json.dumps(payload) == json.dumps(NOTE)
    assert math.copysign(1, payload["extra"]["numbers"][2]) == -1
    doc = (REPO / "docs" / "export-import.md").read_text(encoding="utf-8")
    assert NOTE_IN_TOML in doc


def test_key_paths_read_back_as_they_are_written() -> None:
    for parts in (["payload", "a"], ["payload", "", 0, "a.b"], ["payload", '"', 12, "x y"]):
        assert parse_key_path(key_path(*parts)) == parts
    for text in ("payload.", "payload[01]", "payload..a", 'payload."a"', "other.a", "payload[x]"):
        assert parse_key_path(text) is None, text


def test_read_export_raises_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text('{"format": 1, "session": 7, "crisiscli": "0", "events": []}', "utf-8")
    with pytest.raises(ExportFileError) as refused:
        read_export(path)
    assert (refused.value.path, refused.value.problem) == ("session", "expected text, got a "
                                                                      "whole number")  # fmt: skip


def _paths(value: Any, parts: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Every key path in a JSON value, the value itself first."""
    yield parts
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*parts, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*parts, index))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), fmt=st.sampled_from(["json", "toml"]))
def test_any_retyped_or_removed_value_is_refused_or_read_never_crashes(
    base: list[Event], data: st.DataObject, fmt: str
) -> None:
    """Mutated real exports: ``read_export`` reads them or refuses them with a located
    ``ExportFileError``; no other exception escapes, and what it reads exports again."""
    document = json.loads(write_export(base, "json", version="0.1.0", exported_at=None))
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="edits")):
        paths = [p for p in _paths(document) if p]
        where = data.draw(st.sampled_from(paths), label="where")
        node: Any = document
        for part in where[:-1]:
            node = node[part]
        if isinstance(node, dict) and data.draw(st.booleans(), label="remove"):
            del node[where[-1]]
        else:
            node[where[-1]] = data.draw(_JSON, label="value")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"s.{fmt}"
        if fmt == "json":
            text = json.dumps(document, ensure_ascii=False)
        else:
            try:
                # The mutated document as TOML, through the writer's own encoding when it
                # still has the shape of events, else as plain TOML.
                text = write_export(
                    [Event(document["session"], e["seq"], datetime.fromisoformat(e["at"]),
                           e["actor"], e["type"], e["payload"]) for e in document["events"]],
                    "toml", version="0.1.0", exported_at=None,
                )  # fmt: skip
            except Exception:  # not events any more: write the document as it is
                import tomli_w  # noqa: PLC0415

                try:
                    text = tomli_w.dumps(document)
                except (TypeError, ValueError):
                    return  # null or non-table: nothing TOML can hold
        path.write_text(text, encoding="utf-8")
        try:
            read = read_export(path)
        except ExportFileError as refused:
            assert str(refused).startswith(str(path))
            return
        again = write_export(read.events, fmt, version="0.1.0", exported_at=None)
        path.write_text(again, encoding="utf-8")
        assert read_export(path).events == read.events


# -- pipes and standard input ---------------------------------------------------------------


def crisis_process(
    tmp_path: Path, home: str, *args: str, stdin: str = "", timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``crisis ARGS`` as a real process with its own data folder; ``bash`` runs a shell line."""
    env = cli_env() | {"CRISIS_HOME": str(tmp_path / home), "SOURCE_DATE_EPOCH": EPOCH}
    command = list(args) if args[0] == "bash" else [sys.executable, "-m", "crisiscli", *args]
    return subprocess.run(
        command,
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_import_reads_pipes_fifos_and_standard_input(
    tmp_path: Path, write: Callable[[str, str], Path]
) -> None:
    """The file is read once, so what can be read only once imports as a file does."""
    write("mini.toml", MINI_PLAYBOOK)
    started = crisis_process(tmp_path, "a", "start", "mini.toml", stdin="3\n1000\nno\n.\n")
    session = started.stdout.strip()
    toml = crisis_process(tmp_path, "a", "export", "--format", "toml").stdout
    as_json = crisis_process(tmp_path, "a", "export").stdout
    count = len(json.loads(as_json)["events"])
    archive = tmp_path / "archive.toml"
    archive.write_text(toml, encoding="utf-8")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)

    def feed_the_fifo() -> None:
        with fifo.open("w", encoding="utf-8") as stream:
            stream.write(toml)

    feeder = threading.Thread(target=feed_the_fifo, daemon=True)
    feeder.start()
    shell = 'exec "$0" -m crisiscli import <(cat "$1")'
    cases: dict[str, tuple[list[str], str]] = {
        "process substitution": (["bash", "-c", shell, sys.executable, str(archive)], ""),
        "cat s.toml | crisis import /dev/stdin": (["import", "/dev/stdin"], toml),
        "crisis import - (TOML)": (["import", "-"], toml),
        "crisis import - (JSON)": (["import", "-"], as_json),
        "a FIFO": (["import", str(fifo)], ""),
    }
    for number, (case, (args, stdin)) in enumerate(cases.items()):
        result = crisis_process(tmp_path, f"b{number}", *args, stdin=stdin, timeout=30)
        assert (result.returncode, result.stderr) == (0, ""), case
        assert result.stdout == (
            f"Imported session {session} ({count} events, playbook mini, title Mini outage)\n"
        ), case
    feeder.join(timeout=5)


def test_standard_input_is_named_in_messages(runner: CliRunner, machines: Machines) -> None:
    for text, problem in [
        ("", ": is empty; expected a session written by crisis export"),
        (" \n", ": is empty; expected a session written by crisis export"),
        ('{"format": 1,\n  "session": }', ", line 2: invalid JSON: expecting value"),
        ("format = 1\nsession = \n", ", line 2: invalid TOML: invalid value"),
        ("format = 2\n", ", at format: this file is export format 2, and this crisiscli reads "
                         "format 1; a newer crisiscli may read it"),
    ]:  # fmt: skip
        code, out, err = run(runner, "import", "-", input=text)
        assert (code, out, err) == (2, "", f"crisis: error: standard input{problem}\n"), text


# -- catching up with a later export ----------------------------------------------------------


def test_a_later_export_brings_in_the_new_events(
    runner: CliRunner, machines: Machines, tmp_path: Path
) -> None:
    """The git workflow of docs/export-import.md: export, later export --force, pull, import."""
    session = record_a_live_crisis(runner)
    archive = tmp_path / "sessions" / f"{session}.toml"
    archive.parent.mkdir()
    ok(runner, "export", session, "--out", str(archive))
    older = tmp_path / "older.toml"
    older.write_bytes(archive.read_bytes())
    for machine in ("b", "c"):
        machines.homes[machine] = tmp_path / f"machine-{machine}"
        machines.use(machine)
        ok(runner, "import", str(archive))
    machines.use("a")
    ok(runner, "note", "--session", session, "the president called back")
    ok(runner, "close", session, "--resolution", "back to normal")
    ok(runner, "export", session, "--out", str(archive), "--force")
    count = len(machines.events("a", session))
    before = views(runner, session)

    machines.use("b")
    code, out, err = run(runner, "import", str(archive))
    assert (code, err) == (0, "")
    assert out == (
        f"Imported 2 new events into session {session} "
        f"(events {count - 1} to {count}; {count} events in all)\n"
    )
    assert machines.rows("b") == machines.rows("a")
    assert views(runner, session) == before
    again = json.loads(ok(runner, "import", str(archive), "--json"))
    assert (again["events"], again["imported"], again["new_events"]) == (count, False, 0)
    # The older export, imported again (a stale checkout): nothing to do, and it says so.
    code, out, err = run(runner, "import", str(older))
    assert (code, err) == (0, "")
    assert out == (
        f"Session {session} is already in this store with these {count - 2} events and 2 "
        "later; nothing imported\n"
    )
    assert machines.rows("b") == machines.rows("a")

    machines.use("c")
    caught_up = json.loads(ok(runner, "import", str(archive), "--json"))
    assert caught_up["session"]["status"] == "closed"
    assert (caught_up["events"], caught_up["imported"], caught_up["new_events"]) == (
        count,
        True,
        2,
    )
    assert machines.rows("c") == machines.rows("a")


def test_the_store_catches_up_and_refuses_divergence(
    store: Store, base: list[Event], mini: Path
) -> None:
    session_id = base[0].session_id
    assert store.import_session(base[:1]) == 1
    assert store.import_session(base) == 2
    assert store.events(session_id) == base
    assert store.import_session(base[:2]) == 0  # an older export: nothing to do
    assert store.import_session(base) == 0
    assert store.events(session_id) == base
    other = a_session(MemoryStore(), mini, note="not hello")
    later = Event(session_id, 4, base[-1].at, "sam@desk", ev.NOTE_ADDED, {"text": "4"})
    for imported in (other[:2], other, [*other, later]):
        with pytest.raises(SessionConflictError) as refused:
            store.import_session(imported)
        assert str(refused.value) == (
            f"session {session_id} is already in this store with other events "
            f"(3 here, {len(imported)} imported; the first that differs is event 2), "
            "so nothing was imported"
        )
    # Another instant, actor or payload text at the last stored event is divergence too.
    for change in ({"at": base[-1].at + timedelta(microseconds=1)}, {"actor": "sam@desk"},
                   {"payload": {**base[-1].payload, "channel": None, "source": None}}):  # fmt: skip
        edited = [*base[:-1], Event(**{**base[-1].__dict__, **change}), later]
        if edited[2].payload == base[-1].payload and "payload" in change:
            edited[2] = Event(**{**base[-1].__dict__, "payload": {"text": "second"}})
        with pytest.raises(SessionConflictError, match="the first that differs is event 3"):
            store.import_session(edited)
    assert store.events(session_id) == base


def test_catching_up_is_one_transaction(tmp_path: Path, base: list[Event]) -> None:
    """The new events are written together, or not at all, and concurrent imports write once."""
    path = tmp_path / "crisis.db"
    store = SQLiteStore(path)
    store.import_session(base[:1])

    class FailingAfterInsert:
        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def __getattr__(self, name: str) -> Any:
            return getattr(self.db, name)

        def executemany(self, sql: str, rows: Any) -> Any:
            self.db.executemany(sql, rows)
            raise sqlite3.OperationalError("database or disk is full")

    real = store._db
    store._db = FailingAfterInsert(real)  # type: ignore[assignment]
    with pytest.raises(StoreError, match="the disk is full"):
        store.import_session(base)
    store._db = real
    assert store.events(base[0].session_id) == base[:1]
    store.close()
    results: list[int] = []

    def import_once() -> None:
        mine = SQLiteStore(path)
        try:
            results.append(mine.import_session(base))
        finally:
            mine.close()

    threads = [threading.Thread(target=import_once) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 0, 0, 2]
    store = SQLiteStore(path)
    assert store.events(base[0].session_id) == base
    store.close()


# -- histories crisiscli never writes ---------------------------------------------------------


def _closed(document: dict[str, Any], *indexes: int) -> dict[str, Any]:
    for index in indexes:
        document["events"][index]["type"] = "session_closed"
        document["events"][index]["payload"] = {"resolution": "done"}
    return document


# (how the small export is changed, where the refusal points, the problem)
HISTORIES: list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]], str, str]] = [
    ("events after the close", lambda d: _closed(d, 1), "events[2].type",
     "comes after the session was closed (events[1]); crisiscli records nothing in a closed "
     "session"),
    ("closed twice", lambda d: _closed(d, 1, 2), "events[2].type",
     "a session closes once: events[1] closed it"),
    ("no IANA zone", lambda d: _set(d, "events[0].payload.timezone", "Mars/Olympus_Mons"),
     "events[0].payload.timezone",
     "expected an IANA time zone such as Europe/Paris, or an offset such as UTC+01:00"),
    ("an impossible offset", lambda d: _set(d, "events[0].payload.timezone", "UTC+24:00"),
     "events[0].payload.timezone",
     "expected an IANA time zone such as Europe/Paris, or an offset such as UTC+01:00"),
    ("an empty title", lambda d: _set(d, "events[0].payload.title", " "),
     "events[0].payload.title", "is empty; expected the session's title, a few words"),
    ("a title on two lines", lambda d: _set(d, "events[0].payload.title", "Mini\r\nforged"),
     "events[0].payload.title", "holds a line break; expected a single line"),
    ("a title too long", lambda d: _set(d, "events[0].payload.title", "x" * 20_001),
     "events[0].payload.title", "is longer than 20,000 characters"),
    ("a language crisiscli lacks", lambda d: _set(d, "events[0].payload.language", "de"),
     "events[0].payload.language", "expected one of en, fr"),
    ("training without a drill", lambda d: _set(d, "events[0].payload.training", True),
     "events[0].payload.training", "is true, but no drill_started event follows: only crisis "
     "replay records training sessions, and it starts the drill at once"),
    ("a drill in a live session", lambda d: _set(d, "events[1].type", "drill_started"),
     "events[1].type",
     "drill_started belongs to a training drill, but this session has training = false"),
    ("an event in year 9999", lambda d: _set(d, "events[1].at", "9999-12-31T23:59:59+00:00"),
     "events[1].at", "is more than a day after now (2026-11-24 12:00:00 UTC)"),
    ("an event long before the start",
     lambda d: _set(d, "events[2].at", "2026-11-21T13:04:59+00:00"),
     "events[2].at", "is more than a day before the session started (2026-11-22 13:05:00 UTC)"),
    ("a start in the future", lambda d: _set(d, "events[0].at", "2026-11-25T12:00:01+00:00"),
     "events[0].at", "is more than a day after now (2026-11-24 12:00:00 UTC)"),
]  # fmt: skip
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
"""The clock of the imports below: two days after the small session."""


@pytest.mark.parametrize(
    ("change", "where", "problem"),
    [case[1:] for case in HISTORIES],
    ids=[case[0] for case in HISTORIES],
)
def test_histories_crisiscli_never_writes_are_refused(
    base: list[Event],
    tmp_path: Path,
    change: Callable[[dict[str, Any]], dict[str, Any]],
    where: str,
    problem: str,
) -> None:
    document = json.loads(write_export(base, "json", version="0.1.0", exported_at=None))
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(change(document)), encoding="utf-8")
    with pytest.raises(ExportFileError) as refused:
        read_export(path, now=NOW)
    assert str(refused.value) == f"{path}, at {where}: {problem}"


def test_times_within_a_day_are_accepted(base: list[Event], tmp_path: Path) -> None:
    """Writers a little out of step: a day before the start, a day after now, both kept."""
    path = tmp_path / "s.json"
    document = json.loads(write_export(base, "json", version="0.1.0", exported_at=None))
    _set(document, "events[1].at", "2026-11-21T13:05:00.123456+00:00")
    _set(document, "events[2].at", "2026-11-25T12:00:00+00:00")
    path.write_text(json.dumps(document), encoding="utf-8")
    assert [e.at for e in read_export(path, now=NOW).events] == [
        base[0].at,
        datetime(2026, 11, 21, 13, 5, 0, 123456, tzinfo=UTC),
        datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
    ]
    # Offset time zones, as crisis start records on a machine that names no zone, are fine.
    _set(document, "events[0].payload.timezone", "UTC-03:30")
    path.write_text(json.dumps(document), encoding="utf-8")
    assert read_export(path, now=NOW).events[0].payload["timezone"] == "UTC-03:30"


@pytest.fixture(scope="module")
def future_drill(tmp_path_factory: pytest.TempPathFactory) -> list[Event]:
    """A drill of a scenario that starts in sixty days, as ``crisis replay`` records it, with a
    note typed beside it on real time (``crisis note --session DRILL``), then finished."""
    folder = tmp_path_factory.mktemp("scenario")
    start = (datetime.now(UTC) + timedelta(days=60)).replace(microsecond=0)
    text = SCENARIO.read_text(encoding="utf-8")
    assert "starts_at = 2026-06-12T09:00:00+02:00" in text
    path = folder / SCENARIO.name
    path.write_text(text.replace("2026-06-12T09:00:00+02:00", start.isoformat()), "utf-8")
    scenario = load_scenario(path)
    playbook, source = playbook_of(scenario, path, home=folder, cwd=folder)
    store = MemoryStore()
    clock = SimulatedClock(start, 0)
    drill = Drill.begin(
        store,
        scenario,
        playbook,
        clock=clock,
        actor="ana@laptop",
        timezone="Europe/Paris",
        mode="step",
        speed=None,
        source=source,
    )
    note = {"text": "typed in another terminal", "source": None, "channel": None}
    append_event(store, drill.state, ev.NOTE_ADDED, note, clock=SystemClock(), actor="sam@desk")
    clock.jump_to(start + timedelta(minutes=90))
    drill.finish()
    return store.events(drill.state.session_id)


def test_a_drill_keeps_its_simulated_and_real_times(
    future_drill: list[Event], tmp_path: Path
) -> None:
    """Simulated weeks ahead and real time today, in one session: both are real journals."""
    events = future_drill
    assert [e.type for e in events] == [
        ev.SESSION_STARTED,
        ev.DRILL_STARTED,
        ev.NOTE_ADDED,
        ev.DRILL_FINISHED,
        ev.SESSION_CLOSED,
    ]
    assert events[0].at - events[2].at > timedelta(days=59)
    for fmt in ("json", "toml"):
        path = tmp_path / f"drill.{fmt}"
        path.write_text(write_export(events, fmt, version="0.1.0", exported_at=None), "utf-8")
        assert read_export(path).events == events


@pytest.mark.parametrize(
    ("edit", "where", "problem"),
    [
        ("moved", "events[2].at", "is neither in the drill's simulated week from {start} nor in "
         "real time, from 2026-01-01 00:00:00 UTC to a day after now ({now})"),
        ("twice", "events[3].type", "a drill starts once: events[1] started it"),
        ("unstarted", "events[3].type", "drill_finished without a drill_started event before it"),
        ("untrained", "events[1].type",
         "drill_started belongs to a training drill, but this session has training = false"),
    ],
)  # fmt: skip
def test_a_drill_crisiscli_never_writes_is_refused(
    future_drill: list[Event], tmp_path: Path, edit: str, where: str, problem: str
) -> None:
    document = json.loads(write_export(future_drill, "json", version="0.1.0", exported_at=None))
    events = document["events"]
    if edit == "moved":  # the real-time note, in year 9999
        events[2]["at"] = "9999-12-31T00:00:00+00:00"
    elif edit == "twice":
        events.insert(3, {**events[1], "seq": 4})
        for seq, event in enumerate(events, start=1):
            event["seq"] = seq
    elif edit == "unstarted":  # drill_started turned into a note: drill_finished has no start
        events[1] = {**events[2], "seq": 2, "at": events[1]["at"]}
    else:
        events[0]["payload"]["training"] = False
    path = tmp_path / "drill.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    with pytest.raises(ExportFileError) as refused:
        read_export(path, now=now)
    start = future_drill[0].at.strftime("%Y-%m-%d %H:%M:%S UTC")
    expected = problem.format(start=start, now="2026-11-24 12:00:00 UTC")
    assert str(refused.value) == f"{path}, at {where}: {expected}"


# -- size ---------------------------------------------------------------------------------


def test_the_limits_are_those_the_docs_state(runner: CliRunner, tmp_path: Path) -> None:
    assert (MAX_EXPORT_BYTES, MAX_EXPORT_EVENTS) == (16 * 1024 * 1024, 100_000)
    doc = (REPO / "docs" / "export-import.md").read_text(encoding="utf-8")
    assert "16 MiB" in doc
    assert "100,000 events" in doc
    many = tmp_path / "many.json"
    document = {
        "format": 1,
        "session": "20261122-1405-k3m9qz",
        "crisiscli": "0.1.0",
        "events": [{}] * (MAX_EXPORT_EVENTS + 1),
    }
    many.write_text(json.dumps(document), encoding="utf-8")
    assert run(runner, "import", str(many)) == (
        2,
        "",
        f"crisis: error: {many}, at events: holds 100,001 events; crisiscli imports at most "
        "100,000 in one session\n",
    )


# -- byte-order marks ---------------------------------------------------------------------

BOM_REFUSAL = ": starts with a byte-order mark; save it as UTF-8 without one"


@pytest.mark.parametrize(
    ("suffix", "text", "problem"),
    [
        ("json", codecs.BOM_UTF8 + b'{"format": 1}', BOM_REFUSAL),
        ("toml", codecs.BOM_UTF8 + b"format = 1\n", BOM_REFUSAL),
        ("data", codecs.BOM_UTF8 + b'{"format": 1}', BOM_REFUSAL),
        ("data", codecs.BOM_UTF8 + b"format = 1\n", BOM_REFUSAL),
        ("json", '{"format": 1}'.encode("utf-16"),
         ": is UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8"),
    ],
)  # fmt: skip
def test_a_byte_order_mark_is_refused_in_words(
    runner: CliRunner, tmp_path: Path, suffix: str, text: bytes, problem: str
) -> None:
    target = tmp_path / f"export.{suffix}"
    target.write_bytes(text)
    code, out, err = run(runner, "import", str(target))
    assert (code, out, err) == (2, "", f"crisis: error: {target}{problem}\n")
    assert "utf-8-sig" not in err


# -- no private names across modules --------------------------------------------------------


def test_no_command_imports_another_commands_private_names() -> None:
    """What several commands share (``generation_time``, ``write_whole``) is public, in
    cli/output.py; no module imports a private name from a ``crisiscli.cli`` module."""
    assert callable(generation_time) and callable(write_whole)
    found = []
    for path in sorted((REPO / "src" / "crisiscli").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("crisiscli.cli"):
                private = [alias.name for alias in node.names if alias.name.startswith("_")]
                if private:
                    found.append(f"{path.relative_to(REPO)}: {node.module} {private}")
    assert found == []
