"""The PostgreSQL store beyond the shared contract: migrations, retries, failures in words.

Everything runs against the real server of ``CRISIS_TEST_POSTGRES`` (see
``tests/pg.py``), each test in a schema of its own. Failures are real ones:
a closed port, a socket that never answers, wrong credentials, a missing
database, a read-only session, a schema the role may not write to, the
server ending the connection (``pg_terminate_backend`` from a trigger, in the
middle of a write), and a TCP relay that cuts the connection after the
``COMMIT`` went through (an acknowledgement lost) or disappears altogether.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict
from typer.testing import CliRunner

from crisiscli.cli.app import app
from crisiscli.errors import StoreError, UsageError
from crisiscli.events import Event
from crisiscli.store.postgres import PostgresStore
from crisiscli.store.postgres_errors import Server, problem
from crisiscli.store.postgres_migrations import LATEST, MIGRATIONS, Migration, migrate

from .conftest import cli_env
from .pg import Relay, connect, fresh_schema, server_url, with_options

AT = datetime(2026, 11, 22, 13, 5, tzinfo=UTC)
SID = "20261122-1405-abc123"
STARTED = {"playbook_id": "mini", "title": "T", "language": "en", "training": False}


@pytest.fixture
def url() -> Iterator[str]:
    with fresh_schema() as made:
        yield made


@pytest.fixture
def params() -> dict[str, str]:
    """The test server's connection parameters, libpq's defaults filled in."""
    given = {key: str(value) for key, value in conninfo_to_dict(server_url()).items()}
    given.setdefault("host", os.environ.get("PGHOST", "localhost"))
    given.setdefault("port", os.environ.get("PGPORT", "5432"))
    given.setdefault("user", os.environ.get("PGUSER", ""))
    given.setdefault("password", os.environ.get("PGPASSWORD", ""))
    given.setdefault("dbname", os.environ.get("PGDATABASE", given["user"]))
    return given


def url_to(
    params: dict[str, str],
    *,
    host: str | None = None,
    port: int | str | None = None,
    password: str | None = None,
    dbname: str | None = None,
    query: str = "",
) -> str:
    """A URL to the test server's database (or the given parts), written out in full."""
    secret = params["password"] if password is None else password
    credentials = quote(params["user"], safe="") + (f":{quote(secret, safe='')}" if secret else "")
    where = f"{host or params['host']}:{port or params['port']}"
    return f"postgresql://{credentials}@{where}/{dbname or params['dbname']}{query}"


def crisis(*args: str, store: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    environment = cli_env() | {"CRISIS_STORE": store} | env
    return subprocess.run(
        [sys.executable, "-m", "crisiscli", *args],
        input=stdin,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def the_error(result: subprocess.CompletedProcess[str]) -> str:
    """The one error line of a command that failed with exit 1, without a traceback."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def start(store: PostgresStore) -> Event:
    return store.append(SID, "session_started", STARTED, actor="a@h", at=AT, new_session=True)


def note(store: PostgresStore, text: str) -> Event:
    payload = {"text": text, "source": None, "channel": None}
    return store.append(SID, "note_added", payload, actor="a@h", at=AT)


# -- migrations ------------------------------------------------------------------------


def test_the_first_use_migrates_and_later_uses_do_not(url: str) -> None:
    store = PostgresStore(url)
    store.close()
    with connect(url) as db:
        ledger = db.execute(
            "SELECT version, description, applied_at FROM crisis_schema_migrations"
        ).fetchall()
        assert [(version, text) for version, text, _ in ledger] == [
            (m.version, m.description) for m in MIGRATIONS
        ]
        assert all(isinstance(applied, datetime) for *_, applied in ledger)
        assert migrate(db, "here") == 0
        tables = db.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() ORDER BY table_name"
        ).fetchall()
    assert tables == [("crisis_events",), ("crisis_schema_migrations",), ("crisis_sessions",)]
    PostgresStore(url).close()
    with connect(url) as db:
        assert db.execute("SELECT count(*) FROM crisis_schema_migrations").fetchone() == (LATEST,)


OPENER = """
import sys
from datetime import UTC, datetime
from crisiscli.store.postgres import PostgresStore
store = PostgresStore(sys.argv[1])
store.append(sys.argv[2], "session_started", {"playbook_id": "p", "title": "t",
             "language": "en", "training": False}, actor="a", at=datetime.now(UTC),
             new_session=True)
"""


def test_concurrent_first_uses_migrate_once(url: str) -> None:
    """Four processes open a database crisiscli never used, at once: all work, once migrated."""
    ids = [f"20261122-1405-proc0{number}" for number in range(4)]
    runs = [
        subprocess.Popen([sys.executable, "-c", OPENER, url, sid], env=cli_env()) for sid in ids
    ]
    assert [run.wait(timeout=60) for run in runs] == [0, 0, 0, 0]
    with connect(url) as db:
        assert db.execute("SELECT version FROM crisis_schema_migrations").fetchall() == [(1,)]
    store = PostgresStore(url)
    assert sorted(summary.id for summary in store.sessions()) == ids
    store.close()


def test_a_migration_is_applied_once_while_another_process_waits(url: str) -> None:
    """The advisory lock: a second migrator waits for the first, then finds nothing to do."""
    PostgresStore(url).close()
    slow = Migration(
        2, "a slow test migration", ("SELECT pg_sleep(1)", "CREATE TABLE crisis_extra (x int)")
    )
    migrations = (*MIGRATIONS, slow)
    applied: dict[str, int] = {}

    def run(name: str) -> None:
        with connect(url) as db:
            applied[name] = migrate(db, "here", migrations)

    first = threading.Thread(target=run, args=("first",))
    first.start()
    with connect(url) as watcher:
        for _ in range(200):  # until the first holds the migration lock
            held = watcher.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s",
                (0x63726973,),
            ).fetchone()
            if held and held[0]:
                break
            time.sleep(0.01)
    second = threading.Thread(target=run, args=("second",))
    second.start()
    first.join()
    second.join()
    assert applied == {"first": 1, "second": 0}
    with connect(url) as db:
        assert db.execute("SELECT version FROM crisis_schema_migrations ORDER BY 1").fetchall() == [
            (1,),
            (2,),
        ]
    # This crisiscli knows only version 1: the journal is now a newer one.
    with pytest.raises(UsageError, match=r"newer crisiscli \(journal version 2\)"):
        PostgresStore(url)


def test_the_journal_is_append_only(url: str) -> None:
    store = PostgresStore(url)
    start(store)
    store.close()
    with connect(url) as db:
        for statement in (
            "UPDATE crisis_events SET actor = 'mallory'",
            "DELETE FROM crisis_events",
            "TRUNCATE crisis_events",
            "UPDATE crisis_sessions SET started_at = now()",
            "DELETE FROM crisis_sessions",
            "TRUNCATE crisis_sessions",
        ):
            with pytest.raises(psycopg.errors.RestrictViolation, match="append-only"):
                db.execute(statement)


def test_odd_text_is_kept_exactly(url: str) -> None:
    """NUL in a title and in a key: neither a text column nor a JSON operator sees them raw."""
    store = PostgresStore(url)
    started = {**STARTED, "title": "T\x00 🚑"}
    store.append(SID, "session_started", started, actor="a", at=AT, new_session=True)
    odd = {"key": "s.q\x00", "value": 1}
    store.append(SID, "answer_recorded", odd, actor="a", at=AT, unique_key=True)
    with pytest.raises(Exception, match="already has an answer"):
        store.append(SID, "answer_recorded", odd, actor="a", at=AT, unique_key=True)
    (summary,) = store.sessions()
    assert summary.title == "T\x00 🚑"
    assert store.events(SID)[1].payload == odd
    store.close()


def test_the_connection_says_who_it_is_and_bounds_idle_transactions(url: str) -> None:
    store = PostgresStore(url)
    conn = store._connection("read")
    assert conn.execute("SHOW idle_in_transaction_session_timeout").fetchone() == ("1min",)
    assert conn.execute("SHOW application_name").fetchone() == ("crisiscli",)
    assert conn.execute("SHOW search_path").fetchone()[0].startswith("crisis_test_")  # type: ignore[index]
    store.close()


# -- a write retried once, never twice ------------------------------------------------------


def kill_inserts(url: str, times: int) -> None:
    """The server ends the connection of the next ``times`` inserts, mid-transaction.

    A trigger has the backend terminate itself (``pg_terminate_backend``, as a
    fast shutdown does): the transaction rolls back and the client reads
    SQLSTATE 57P01. A sequence counts, since a sequence is not rolled back.
    """
    with connect(url) as db:
        db.execute("CREATE SEQUENCE crisis_test_trap")
        db.execute(
            f"""
            CREATE FUNCTION crisis_test_kill() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF nextval('crisis_test_trap') <= {times} THEN
                    PERFORM pg_terminate_backend(pg_backend_pid());
                    PERFORM pg_sleep(5);
                END IF;
                RETURN NEW;
            END $$
            """
        )
        db.execute(
            "CREATE TRIGGER crisis_test_kill AFTER INSERT ON crisis_events "
            "FOR EACH ROW EXECUTE FUNCTION crisis_test_kill()"
        )


def test_a_write_whose_connection_ends_before_commit_is_retried_once(url: str) -> None:
    store = PostgresStore(url)
    start(store)
    kill_inserts(url, 1)
    event = note(store, "through a restart")
    assert event.seq == 2
    assert [(e.seq, e.payload.get("text")) for e in store.events(SID)] == [
        (1, None),
        (2, "through a restart"),
    ]
    store.close()


def test_a_server_that_shuts_down_twice_stops_the_write_with_one_sentence(
    url: str, params: dict[str, str]
) -> None:
    store = PostgresStore(url)
    start(store)
    kill_inserts(url, 2)
    with pytest.raises(StoreError) as failed:
        note(store, "never recorded")
    where = f"{params['host']}:{params['port']}/{params['dbname']}"
    assert str(failed.value) == (
        f"could not write to the PostgreSQL journal {where}: "
        "the server shut down while the journal was in use"
    )
    assert [e.seq for e in store.events(SID)] == [1]  # a new connection, after the failure
    assert note(store, "recorded").seq == 2
    store.close()


@pytest.fixture
def relay(params: dict[str, str]) -> Iterator[Relay]:
    made = Relay(params["host"], int(params["port"]))
    yield made
    made.stop()


def through(relay: Relay, url: str, params: dict[str, str]) -> str:
    """``url``'s schema, reached through ``relay``, without TLS (the relay reads statements)."""
    options = url.split("options=", 1)[1]
    return url_to(params, host="127.0.0.1", port=relay.port, query=f"?options={options}") + (
        "&sslmode=disable"
    )


def test_a_lost_acknowledgement_does_not_record_the_event_twice(
    url: str, params: dict[str, str], relay: Relay
) -> None:
    store = PostgresStore(through(relay, url, params))
    relay.cut_after(b"COMMIT")
    assert start(store).seq == 1  # a new session: the retry finds it instead of refusing
    relay.cut_after(b"COMMIT")
    assert note(store, "once").seq == 2
    assert relay.cuts == 2
    direct = PostgresStore(url)
    assert [(e.seq, e.type) for e in direct.events(SID)] == [
        (1, "session_started"),
        (2, "note_added"),
    ]
    direct.close()
    store.close()


def test_a_lost_acknowledgement_of_an_import_reports_what_it_wrote(
    url: str, params: dict[str, str], relay: Relay
) -> None:
    history = [
        Event(SID, 1, AT, "ana", "session_started", STARTED),
        Event(SID, 2, AT, "ana", "note_added", {"n": 1.0}),
        Event(SID, 3, AT, "tim", "note_added", {"b": 1, "a": 2}),
    ]
    store = PostgresStore(through(relay, url, params))
    relay.cut_after(b"COMMIT")
    assert store.import_session(history) == 3
    assert relay.cuts == 1
    assert store.events(SID) == history
    assert store.import_session(history) == 0
    store.close()


def test_a_server_gone_mid_way_is_one_sentence_and_records_nothing(
    url: str, params: dict[str, str], relay: Relay
) -> None:
    store = PostgresStore(through(relay, url, params))
    start(store)
    relay.stop()
    with pytest.raises(StoreError) as failed:
        note(store, "lost")
    assert str(failed.value) == (
        f"could not write to the PostgreSQL journal 127.0.0.1:{relay.port}/{params['dbname']}: "
        f"nothing answers at 127.0.0.1:{relay.port} (connection refused); check that the "
        "server is running and accepts TCP/IP connections there"
    )
    direct = PostgresStore(url)
    assert [e.seq for e in direct.events(SID)] == [1]
    direct.close()


def test_a_server_gone_during_the_commit_says_the_event_may_be_recorded(
    url: str, params: dict[str, str], relay: Relay
) -> None:
    store = PostgresStore(through(relay, url, params))
    start(store)
    relay.cut_after(b"COMMIT", then_stop=True)
    with pytest.raises(StoreError) as failed:
        note(store, "committed, unacknowledged")
    assert str(failed.value) == (
        f"could not write to the PostgreSQL journal 127.0.0.1:{relay.port}/{params['dbname']}: "
        "the connection to the server was lost while the write was being committed and could "
        "not be restored to find out whether it was; look at the session before recording it again"
    )
    direct = PostgresStore(url)
    assert [e.seq for e in direct.events(SID)] == [1, 2]  # it was, once
    direct.close()


# -- failures, each in one sentence, never with the password ------------------------------------


def a_closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


def test_an_unreachable_server(params: dict[str, str]) -> None:
    port = a_closed_port()
    result = crisis("status", store=url_to(params, host="127.0.0.1", port=port, password="s3cr3t"))
    assert the_error(result) == (
        f"crisis: error: could not open the PostgreSQL journal 127.0.0.1:{port}/"
        f"{params['dbname']}: nothing answers at 127.0.0.1:{port} (connection refused); "
        "check that the server is running and accepts TCP/IP connections there"
    )
    assert "s3cr3t" not in result.stderr


def test_a_server_that_never_answers(params: dict[str, str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # listens, never speaks
        port = int(silent.getsockname()[1])
        begun = time.monotonic()
        result = crisis(
            "status",
            store=url_to(params, host="127.0.0.1", port=port, query="?connect_timeout=2"),
        )
        waited = time.monotonic() - begun
    assert the_error(result) == (
        f"crisis: error: could not open the PostgreSQL journal 127.0.0.1:{port}/"
        f"{params['dbname']}: the server did not answer within 2 seconds"
    )
    assert waited < 20


def test_wrong_credentials_record_nothing(url: str, params: dict[str, str]) -> None:
    options = url.split("options=", 1)[1]
    wrong = url_to(params, password="wrong-s3cret", query=f"?options={options}")
    result = crisis("note", "never recorded", store=wrong)
    assert the_error(result) == (
        f"crisis: error: could not open the PostgreSQL journal {params['host']}:{params['port']}/"
        f"{params['dbname']}: the server refused the credentials of role {params['user']} "
        "(a wrong password, or no such role); check PGPASSWORD, ~/.pgpass or the URL"
    )
    assert "wrong-s3cret" not in result.stderr
    store = PostgresStore(url)
    assert store.sessions() == []
    store.close()


def test_no_password_at_all(params: dict[str, str], tmp_path: Path) -> None:
    result = crisis(
        "status",
        store=url_to(params, password=""),
        PGPASSWORD="",
        PGPASSFILE=str(tmp_path / "none"),
    )
    assert the_error(result) == (
        f"crisis: error: could not open the PostgreSQL journal {params['host']}:{params['port']}/"
        f"{params['dbname']}: the server asks for the password of role {params['user']} and "
        "none was given; set PGPASSWORD or add the server to ~/.pgpass"
    )


def test_a_missing_database(params: dict[str, str]) -> None:
    result = crisis("status", store=url_to(params, dbname="crisis_no_such_db"))
    assert the_error(result) == (
        f"crisis: error: could not open the PostgreSQL journal {params['host']}:{params['port']}/"
        "crisis_no_such_db: the database crisis_no_such_db does not exist on the server; "
        "create it (createdb) or correct the URL"
    )


def test_the_password_can_come_from_pgpassword_or_pgpass(
    url: str, params: dict[str, str], tmp_path: Path
) -> None:
    """The documented way: no password in the URL; libpq reads PGPASSWORD or ~/.pgpass."""
    options = url.split("options=", 1)[1]
    bare = url_to(params, password="", query=f"?options={options}")
    assert ":" not in bare.split("@")[0].removeprefix("postgresql://")
    nowhere = str(tmp_path / "none")
    by_variable = crisis(
        "sessions", "list", store=bare, PGPASSWORD=params["password"], PGPASSFILE=nowhere
    )
    assert by_variable.returncode == 0, by_variable.stderr
    passfile = tmp_path / "pgpass"
    passfile.write_text(
        f"{params['host']}:{params['port']}:{params['dbname']}:{params['user']}:"
        f"{params['password']}\n",
        encoding="utf-8",
    )
    passfile.chmod(0o600)
    by_file = crisis("sessions", "list", store=bare, PGPASSWORD="", PGPASSFILE=str(passfile))
    assert by_file.returncode == 0, by_file.stderr


def test_a_read_only_server(url: str, params: dict[str, str]) -> None:
    PostgresStore(url).close()
    read_only = with_options(url, "default_transaction_read_only=on")
    result = crisis("start", "customer-outage", store=read_only, stdin="")
    assert the_error(result) == (
        f"crisis: error: could not write to the PostgreSQL journal {params['host']}:"
        f"{params['port']}/{params['dbname']}: the server only accepts reads (is it a standby?)"
    )
    store = PostgresStore(url)
    assert store.sessions() == []
    store.close()


def test_a_schema_the_role_may_not_write_to(params: dict[str, str]) -> None:
    denied = with_options(server_url(), "search_path=information_schema")
    result = crisis("status", store=denied)
    assert the_error(result) == (
        f"crisis: error: could not open the PostgreSQL journal {params['host']}:{params['port']}/"
        f"{params['dbname']}: role {params['user']} lacks a permission the journal needs "
        "(permission denied for schema information_schema); ask the database's owner to "
        "grant it, or make the role own the database"
    )


def test_an_unreadable_url_is_a_usage_error_without_the_password() -> None:
    """libpq quotes the rest of a URL it cannot read, password and all; crisiscli does not."""
    runner = CliRunner()
    env = {"CRISIS_STORE": "postgresql://crisis:pa%zzword@127.0.0.1/crisis"}
    result = runner.invoke(app, ["status"], env=env)
    assert result.exit_code == 2
    assert result.stderr == (
        "crisis: error: the store is not a PostgreSQL URL libpq can read (invalid "
        "percent-encoded token); expected postgresql://USER@HOST:PORT/DATABASE\n"
    )


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (psycopg.errors.DiskFull, "the server's disk is full; free some space there and try again"),
        (psycopg.errors.IoError, "the server's disk reported an I/O error"),
        (psycopg.errors.OutOfMemory, "the server ran out of memory"),
        (
            psycopg.errors.TooManyConnections,
            "the server has too many connections open; try again in a moment",
        ),
        (psycopg.errors.ConfigurationLimitExceeded, "the server ran out of resources"),
        (psycopg.errors.CrashShutdown, "the server stopped after one of its processes crashed"),
        (psycopg.errors.LockNotAvailable, "another process held the session locked for too long"),
    ],
)
def test_server_conditions_no_test_can_cause_are_worded_too(
    error: type[psycopg.Error], said: str
) -> None:
    """A full disk on the server and the like, by SQLSTATE: the sentences nobody sees in tests."""
    server = Server("db", "5432", "crisis", "crisis", 5, ("s3cret",))
    assert problem(error("the server's own words, s3cret"), server) == said
    unknown = psycopg.errors.RaiseException("boom with s3cret\nCONTEXT: line 2")
    assert problem(unknown, server) == "the server reported: boom with ***"


def test_without_psycopg_the_message_says_how_to_install_team_mode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg fails, as if absent
    monkeypatch.delitem(sys.modules, "crisiscli.store.postgres", raising=False)
    monkeypatch.setenv("CRISIS_STORE", "postgresql://crisis@127.0.0.1/crisis")
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 1
    assert result.stderr == (
        "crisis: error: could not open the PostgreSQL journal: psycopg is not installed "
        "(or cannot load libpq); install team mode with pip install 'crisiscli[team]'\n"
    )


# -- session settings the store pins, whatever the server's defaults ------------------------


def test_the_store_pins_the_session_settings_it_relies_on(url: str) -> None:
    """A role or database may default to REPEATABLE READ, a German DateStyle, another zone.

    The user's own options come first in ``options``; the store's pinned ones after
    them win. Two concurrent writers then still get gapless numbers (under
    REPEATABLE READ, the read after the lock would see an old snapshot and collide).
    """
    hostile = with_options(
        url,
        "default_transaction_isolation=repeatable\\ read",
        "DateStyle=German,DMY",
        "TimeZone=America/New_York",
    )
    store = PostgresStore(hostile)
    conn = store._connection("read")
    assert conn.execute("SHOW transaction_isolation").fetchone() == ("read committed",)
    assert conn.execute("SHOW DateStyle").fetchone() == ("ISO, DMY",)
    assert conn.execute("SHOW TimeZone").fetchone() == ("UTC",)
    assert conn.execute("SHOW lock_timeout").fetchone() == ("30s",)
    start(store)
    store.close()
    writer = (
        "import sys\n"
        "from datetime import UTC, datetime\n"
        "from crisiscli.store.postgres import PostgresStore\n"
        "store = PostgresStore(sys.argv[1])\n"
        "for n in range(100):\n"
        "    store.append(sys.argv[2], 'note_added', {'text': str(n), 'source': None,"
        " 'channel': None}, actor=sys.argv[3], at=datetime.now(UTC))\n"
        "store.close()\n"
    )
    writers = [
        subprocess.Popen([sys.executable, "-c", writer, hostile, SID, name], env=cli_env())
        for name in ("alice", "bob", "carol")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0]
    reader = PostgresStore(hostile)
    events = reader.events(SID)
    reader.close()
    assert [e.seq for e in events] == list(range(1, 302))
    assert events[0].at == AT


def test_a_password_with_a_space_is_not_quoted_back() -> None:
    """libpq's complaint about spaces quotes the value without a colon before it."""
    runner = CliRunner()
    result = runner.invoke(
        app, ["status"], env={"CRISIS_STORE": "postgresql://crisis:s3 cret@127.0.0.1/db"}
    )
    assert result.exit_code == 2
    assert "s3" not in result.stderr and "cret" not in result.stderr
    assert result.stderr.startswith(
        "crisis: error: the store is not a PostgreSQL URL libpq can read (unexpected spaces found"
    )
