"""Team mode through the CLI: a postgresql:// store setting, two responders, moving sessions.

The settings tests need no server. The others run ``crisis`` against a fresh
schema of the ``CRISIS_TEST_POSTGRES`` server (``tests/pg.py``): two
processes with different ``--as`` names record into one session and both
appear in its report; sessions exported from PostgreSQL import into SQLite
(and back) byte for byte; ``crisis stats`` gives the same figures on both.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crisiscli.config import PostgresURL, Settings, mask_password, parse_store
from crisiscli.store.postgres import PostgresStore

from .conftest import REPO, cli_env, run
from .pg import fresh_schema
from .test_exchange import record_a_live_crisis

ANSWERS = REPO / "tests" / "data" / "customer-outage.en.answers.toml"
EPOCH = "1795000000"


def ok(runner: CliRunner, *args: str) -> str:
    code, out, err = run(runner, *args)
    assert code == 0, (args, err)
    return out


# -- the setting (no server needed) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://crisis:s3cret@db:5432/crisis", "postgresql://crisis:***@db:5432/crisis"),
        ("postgres://u:p%40ss@db/x?sslmode=require", "postgres://u:***@db/x?sslmode=require"),
        (
            "postgresql://db/x?user=u&password=s3cret&a=b",
            "postgresql://db/x?user=u&password=***&a=b",
        ),
        ("postgresql://u:p@[::1]:5432/x", "postgresql://u:***@[::1]:5432/x"),
        (
            "postgresql://u@db/x?sslpassword=s3cret&Password=p",
            "postgresql://u@db/x?sslpassword=***&Password=***",
        ),
        ("postgresql://crisis@db/crisis", "postgresql://crisis@db/crisis"),
        ("postgresql:///crisis", "postgresql:///crisis"),
        ("postgresql://db/a@b", "postgresql://db/a@b"),
    ],
)
def test_a_url_is_shown_without_its_password(url: str, shown: str) -> None:
    assert mask_password(url) == shown
    assert repr(PostgresURL(url)) == f"PostgresURL({shown!r})"


def test_postgresql_urls_are_stores(tmp_path: Path) -> None:
    assert parse_store("postgresql://crisis@db/crisis", base=None) == PostgresURL(
        "postgresql://crisis@db/crisis"
    )
    assert parse_store("PostgreSQL://crisis@db/crisis", base=tmp_path) == PostgresURL(
        "postgresql://crisis@db/crisis"
    )  # libpq knows the scheme in lower case only
    assert parse_store("postgres://db/crisis", base=tmp_path) == PostgresURL("postgres://db/crisis")
    with pytest.raises(ValueError, match="the store contains a NUL character"):
        parse_store("postgresql://db/cri\x00sis", base=tmp_path)
    assert parse_store("postgresql://u:p%40ss@db/x?application_name=a@b", base=None)
    assert parse_store("postgresql://u:p?ss@db/x", base=None)  # libpq reads p?ss as the password
    for ambiguous in ("postgresql://u:p@ss@db/x", "postgresql://u:pa/ss@db/x"):
        with pytest.raises(ValueError) as refused:
            parse_store(ambiguous, base=None)
        assert str(refused.value) == (
            "the store's URL has an @ that libpq would not read as the end of the user and "
            "password; percent-encode their special characters (@ as %40, / as %2F)"
        )
    configured = Settings(
        cwd=tmp_path, environ={"CRISIS_STORE": "postgresql://db/crisis"}, home=lambda: tmp_path
    )
    assert configured.store() == PostgresURL("postgresql://db/crisis")
    assert configured.get("store").value == "postgresql://db/crisis"


def test_config_show_masks_the_password(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """``config show`` names the server without opening it, and never shows the password."""
    monkeypatch.setenv("CRISIS_STORE", "postgresql://crisis:s3cret@127.0.0.1:5432/crisis_test")
    out = ok(runner, "config", "show")
    assert (
        "store      postgresql://crisis:***@127.0.0.1:5432/crisis_test  environment (CRISIS_STORE)"
        in out
    )
    as_json = json.loads(ok(runner, "config", "show", "--json"))
    assert as_json["settings"]["store"] == {
        "value": "postgresql://crisis:***@127.0.0.1:5432/crisis_test",
        "source": "environment",
        "origin": "CRISIS_STORE",
    }
    assert "s3cret" not in out + json.dumps(as_json)


def test_a_team_file_may_name_a_server(runner: CliRunner, tmp_path: Path) -> None:
    url = "postgresql://crisis@db.example:5432/crisis?sslmode=require"
    (tmp_path / "work" / "crisis.toml").write_text(f'store = "{url}"\n', encoding="utf-8")
    shown = json.loads(ok(runner, "config", "show", "--json"))["settings"]["store"]
    assert shown == {
        "value": url,
        "source": "file",
        "origin": str(tmp_path / "work" / "crisis.toml"),
    }


def test_init_names_a_server_and_refuses_a_password(runner: CliRunner, tmp_path: Path) -> None:
    url = "postgresql://crisis@db.example/crisis"
    ok(runner, "init", "team", "--store", url)
    team = tmp_path / "work" / "team"
    assert f'store = "{url}"' in (team / "crisis.toml").read_text(encoding="utf-8")
    assert not (team / ".gitignore").exists()  # no journal file to keep out of git
    code, _, err = run(runner, "init", "other", "--store", "postgresql://crisis:s3cret@db/crisis")
    assert (code, err) == (
        2,
        "crisis: error: --store holds a password, and crisis.toml is shared through git; "
        "leave it out of the URL and give it with PGPASSWORD or ~/.pgpass\n",
    )
    assert not (tmp_path / "work" / "other").exists()


# -- on a real server ------------------------------------------------------------------------


@pytest.fixture
def team_store(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh PostgreSQL journal that every ``crisis`` of the test uses (CRISIS_STORE)."""
    with fresh_schema() as url:
        monkeypatch.setenv("CRISIS_STORE", url)
        yield url


def crisis(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crisiscli", *args],
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_two_responders_record_into_one_session(team_store: str) -> None:
    """Lea walks the playbook, then Lea and Tim take notes at once, from two processes."""
    started = crisis("--as", "lea@support", "start", "customer-outage", "--answers", str(ANSWERS))
    assert started.returncode == 0, started.stderr
    session = started.stdout.strip()
    failures: list[str] = []

    def responder(name: str) -> None:
        for number in range(5):
            said = crisis("--as", name, "note", f"{name} says {number}", "--session", session)
            if said.returncode != 0:
                failures.append(said.stderr)

    both = [threading.Thread(target=responder, args=(n,)) for n in ("lea@support", "tim@ops")]
    for thread in both:
        thread.start()
    for thread in both:
        thread.join()
    assert failures == []

    report = crisis("report", "-t", "postmortem", session)
    assert report.returncode == 0, report.stderr
    recorded_by = next(line for line in report.stdout.splitlines() if "Recorded by" in line)
    assert "lea@support" in recorded_by and "tim@ops" in recorded_by
    assert "tim@ops says 4" in report.stdout

    store = PostgresStore(team_store)
    events = store.events(session)
    store.close()
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    for name in ("lea@support", "tim@ops"):
        notes = [e.payload["text"] for e in events if e.type == "note_added" and e.actor == name]
        assert notes == [f"{name} says {number}" for number in range(5)]


def test_sessions_move_between_postgresql_and_sqlite_exactly(
    team_store: str, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Export from one backend, import into the other, export again: the same bytes."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    sqlite = str(tmp_path / "elsewhere.db")

    on_postgres = record_a_live_crisis(runner)
    shown = ok(runner, "sessions", "show", on_postgres, "--json")
    for suffix in ("json", "toml"):
        (tmp_path / f"pg.{suffix}").write_text(ok(runner, "export", on_postgres, "-f", suffix))

    monkeypatch.setenv("CRISIS_STORE", sqlite)
    for suffix in ("json", "toml"):
        ok(runner, "import", str(tmp_path / f"pg.{suffix}"))
        assert (
            ok(runner, "export", on_postgres, "-f", suffix)
            == (tmp_path / f"pg.{suffix}").read_text()
        )
    assert ok(runner, "sessions", "show", on_postgres, "--json") == shown
    on_sqlite = ok(runner, "start", "customer-outage", "--answers", str(ANSWERS)).strip()
    ok(runner, "note", "--session", on_sqlite, "Démarrage à froid : 🚑 «lent»\nsecond line")
    from_sqlite = ok(runner, "export", on_sqlite)
    (tmp_path / "sqlite.json").write_text(from_sqlite)
    stats_sqlite = ok(runner, "stats", "--json")
    listed_sqlite = ok(runner, "sessions", "list", "--json")

    monkeypatch.setenv("CRISIS_STORE", team_store)
    imported = json.loads(ok(runner, "import", str(tmp_path / "sqlite.json"), "--json"))
    assert imported["new_events"] == imported["events"] > 0
    assert ok(runner, "export", on_sqlite) == from_sqlite
    # The same two sessions on each side: listed and counted alike.
    assert ok(runner, "sessions", "list", "--json") == listed_sqlite
    assert {s["id"] for s in json.loads(listed_sqlite)} == {on_postgres, on_sqlite}
    assert ok(runner, "stats", "--json") == stats_sqlite
