"""Settings: the precedence of flags, environment, ./crisis.toml, $CRISIS_HOME/crisis.toml
and defaults; refusals of a broken crisis.toml; `crisis config show`; the published schema."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crisiscli.config import SETTINGS, Settings, parse_store
from crisiscli.errors import ConfigError, UsageError
from crisiscli.schemas import schema

from .conftest import MINI_PLAYBOOK, REPO, run
from .test_startup import probe

Write = Callable[[str, str], Path]

LEVELS = ("flag", "environment", "here", "home", "default")
"""From the strongest to the weakest: each level, when set, hides every level after it."""

# Per setting, a distinct value at each level (the default is what is left when none is set).
VALUES: dict[str, dict[str, str]] = {
    "language": {"flag": "fr", "environment": "en", "here": "fr", "home": "en"},
    "timezone": {
        "flag": "Asia/Tokyo",
        "environment": "America/New_York",
        "here": "Europe/Lisbon",
        "home": "Africa/Dakar",
    },
    "playbook": {
        "flag": "from-flag",
        "environment": "from-environment",
        "here": "from-here",
        "home": "from-home",
    },
    "store": {
        "flag": "flag.db",
        "environment": "environment.db",
        "here": "here.db",
        "home": "home.db",
    },
}
VARIABLES = {
    "language": "CRISIS_LANG",
    "timezone": "CRISIS_TZ",
    "playbook": "CRISIS_PLAYBOOK",
    "store": "CRISIS_STORE",
}


def settings_from(levels: tuple[str, ...], name: str, cwd: Path, home: Path) -> Settings:
    """Settings where ``name`` is set at each of ``levels`` only."""
    home.mkdir(exist_ok=True)
    values = VALUES[name]
    for level, folder in (("here", cwd), ("home", home)):
        if level in levels:
            (folder / "crisis.toml").write_text(f'{name} = "{values[level]}"\n', encoding="utf-8")
    flags = {name: ("--" + name, values["flag"] if "flag" in levels else None)}
    environ = {VARIABLES[name]: values["environment"]} if "environment" in levels else {}
    return Settings(cwd=cwd, flags=flags, environ=environ, home=lambda: home)


@pytest.mark.parametrize("name", SETTINGS)
@pytest.mark.parametrize("strongest", range(len(LEVELS)))
def test_each_level_overrides_the_ones_after_it(tmp_path: Path, name: str, strongest: int) -> None:
    cwd, home = tmp_path / "work", tmp_path / "home"
    levels = LEVELS[strongest:-1]
    setting = settings_from(levels, name, cwd, home).get(name)
    level = LEVELS[strongest]
    expected_source = {"here": "file", "home": "file"}.get(level, level)
    assert setting.source == expected_source
    if level == "default":
        default = {
            "language": None,
            "timezone": "Europe/Paris",  # TZ, set by conftest: this machine's zone
            "playbook": "customer-outage",
            "store": str(home / "crisis.db"),
        }
        assert setting.value == default[name]
        assert setting.origin == "built-in"
        return
    expected = VALUES[name][level]
    if name == "store":
        expected = str((home if level == "home" else cwd) / expected)
    assert setting.value == expected
    origin = {
        "flag": "--" + name,
        "environment": VARIABLES[name],
        "here": str(cwd / "crisis.toml"),
        "home": str(home / "crisis.toml"),
    }[level]
    assert setting.origin == origin


def test_the_settings_of_a_level_are_independent(tmp_path: Path) -> None:
    """One file may set one setting and leave the next to a weaker level."""
    cwd, home = tmp_path / "work", tmp_path / "home"
    home.mkdir()
    (cwd / "crisis.toml").write_text('language = "fr"\n', encoding="utf-8")
    (home / "crisis.toml").write_text('language = "en"\nplaybook = "mine"\n', encoding="utf-8")
    configured = Settings(cwd=cwd, environ={"CRISIS_TZ": "UTC"}, home=lambda: home)
    assert [(s.name, s.value, s.source) for s in configured.all()] == [
        ("language", "fr", "file"),
        ("timezone", "UTC", "environment"),
        ("playbook", "mine", "file"),
        ("store", str(home / "crisis.db"), "default"),
    ]


def test_an_empty_variable_counts_as_unset(tmp_path: Path) -> None:
    configured = Settings(cwd=tmp_path, environ={"CRISIS_LANG": ""}, home=lambda: tmp_path)
    assert configured.get("language").source == "default"


def test_paths_in_a_file_are_relative_to_its_folder(tmp_path: Path) -> None:
    cwd, home = tmp_path / "work", tmp_path / "home"
    home.mkdir()
    (home / "crisis.toml").write_text(
        'store = "journal/crisis.db"\nplaybook = "playbooks/ours.toml"\n', encoding="utf-8"
    )
    configured = Settings(cwd=cwd, environ={}, home=lambda: home)
    assert configured.store() == home / "journal" / "crisis.db"
    assert configured.playbook() == str(home / "playbooks" / "ours.toml")
    # From the environment, a relative store is from the current folder.
    configured = Settings(cwd=cwd, environ={"CRISIS_STORE": "x/y.db"}, home=lambda: home)
    assert configured.store() == cwd / "x" / "y.db"


def test_store_values() -> None:
    base = Path("/team")
    assert parse_store("sqlite:///var/crisis.db", base=base) == Path("/var/crisis.db")
    assert parse_store("sqlite://journal.db", base=base) == Path("/team/journal.db")
    assert parse_store("C:/journal.db", base=base) == Path("/team/C:/journal.db")
    for value, problem in [
        (
            "mysql://crisis:s3cret@db.example/crisis",
            "'mysql://' stores are not supported; expected the path of a SQLite file, "
            "such as .crisis/crisis.db, or a postgresql:// URL",
        ),
        ("sqlite://", "the store is empty; expected the path of a SQLite file"),
        (
            "~no-such-user-of-crisiscli/crisis.db",
            "the store starts with ~ but that home folder is unknown; expected a path without ~",
        ),
        (" ", "the store is empty; expected the path of a SQLite file"),
    ]:
        with pytest.raises(ValueError) as refused:
            parse_store(value, base=base)
        assert str(refused.value) == problem


def test_no_file_is_read_when_none_exists(tmp_path: Path) -> None:
    """The lazy path: no crisis.toml, so nothing imports TOML or pydantic's models for it."""
    configured = Settings(cwd=tmp_path, environ={}, home=lambda: tmp_path / "home")
    assert configured.store() == tmp_path / "home" / "crisis.db"
    assert configured._tables == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('langage = "fr"\n', "at langage: unknown key 'langage' (did you mean 'language'?)"),
        (
            '[team]\nname = "support"\n',
            "at team: unknown key 'team'; crisis.toml knows language, timezone, playbook, store",
        ),
        ("store = 3\n", "at store: expected text, got a whole number"),
        ("language = true\n", "at language: expected one of 'en', 'fr'; got a boolean"),
        ('language = "de"\n', "at language: expected one of 'en', 'fr'; got 'de'"),
        ('playbook = ""\n', "at playbook: is empty; expected some text"),
        (
            'playbook = "~no-such-user-of-crisiscli/ours.toml"\n',
            "at playbook: starts with ~ but that home folder is unknown; expected a path without ~",
        ),
        (
            'timezone = "Mars/Olympus"\n',
            "at timezone: unknown time zone 'Mars/Olympus'; "
            "expected an IANA name such as Europe/Paris or UTC",
        ),
        (
            'store = "mysql://crisis:s3cret@db.example/crisis"\n',
            "at store: 'mysql://' stores are not supported; expected the path of a SQLite "
            "file, such as .crisis/crisis.db, or a postgresql:// URL",
        ),
        (
            'store = "3"\nlanguage = 3\nnope = 1\n',
            "at language: expected one of 'en', 'fr'; got a whole number (and 1 more problem)",
        ),
        ('language = "fr"\nlanguage = "en"\n', "line 2: invalid TOML: cannot overwrite a value"),
    ],
)
def test_a_broken_crisis_toml_is_refused_naming_the_file_and_key(
    runner: CliRunner, write: Write, text: str, problem: str
) -> None:
    path = write("crisis.toml", text)
    for args in (["config", "show"], ["status"], ["start"]):
        code, _, err = run(runner, *args)
        assert (code, err) == (2, f"crisis: error: {path}, {problem}\n"), args
    assert "s3cret" not in err


def test_a_store_that_is_a_folder_is_refused(runner: CliRunner, write: Write) -> None:
    path = write("crisis.toml", 'store = "."\n')
    code, _, err = run(runner, "status")
    assert (code, err) == (
        2,
        f"crisis: error: {path}, at store: the store {path.parent} is a folder; "
        f"expected the path of a SQLite file, such as {path.parent / 'crisis.db'}\n",
    )


NOT_JOURNALS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "device": (
        lambda folder: Path(os.devnull),
        "the store {path} is not a regular file but a device, pipe or socket; "
        "expected the path of a SQLite file",
    ),
    "pipe": (
        lambda folder: _fifo(folder / "pipe.db"),
        "the store {path} is not a regular file but a device, pipe or socket; "
        "expected the path of a SQLite file",
    ),
    "text": (
        lambda folder: _text_file(folder / "notes.db"),
        "the store {path} is not a crisiscli journal, nor any SQLite file; "
        "expected the path of a SQLite file",
    ),
}


def _fifo(path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this system")
    os.mkfifo(path)
    return path


def _text_file(path: Path) -> Path:
    path.write_text("# my notes, not a journal\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("what", NOT_JOURNALS)
@pytest.mark.parametrize("level", ["environment", "here", "home"])
def test_a_store_that_cannot_be_a_journal_is_refused_naming_the_setting(
    runner: CliRunner, isolated: Path, monkeypatch: pytest.MonkeyPatch, what: str, level: str
) -> None:
    """Exit 2 and one sentence naming where the value came from, for every command."""
    tmp_path = isolated.parent
    make, problem = NOT_JOURNALS[what]
    store = make(tmp_path)
    said = problem.format(path=store)
    if level == "environment":
        monkeypatch.setenv("CRISIS_STORE", str(store))
        expected = said.replace("; ", " (from CRISIS_STORE); ", 1)
    else:
        folder = tmp_path / "work" if level == "here" else isolated
        folder.mkdir(exist_ok=True)
        (folder / "crisis.toml").write_text(f"store = {json.dumps(str(store))}\n", "utf-8")
        expected = f"{folder / 'crisis.toml'}, at store: {said}"
    for args in (["status"], ["sessions", "list"], ["note", "x"], ["config", "show"]):
        code, out, err = run(runner, *args)
        assert (code, out, err) == (2, "", f"crisis: error: {expected}\n"), args


def test_init_refuses_a_store_that_cannot_be_a_journal(runner: CliRunner) -> None:
    code, _, err = run(runner, "init", "--store", os.devnull)
    assert (code, err) == (
        2,
        f"crisis: error: the store {os.devnull} is not a regular file but a device, pipe or "
        "socket (from --store); expected the path of a SQLite file\n",
    )
    assert not Path("crisis.toml").exists()


def test_an_empty_file_or_a_journal_is_a_fine_store(
    runner: CliRunner, write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    monkeypatch.setenv("CRISIS_STORE", str(empty))
    write("mini.toml", MINI_PLAYBOOK)
    code, _, err = run(runner, "start", "mini.toml", input="")
    assert code == 130, err  # the session was recorded; the walk stops at end of input
    assert empty.read_bytes().startswith(b"SQLite format 3\x00")
    code, out, err = run(runner, "sessions", "list", "--json")
    assert (code, len(json.loads(out))) == (0, 1), err


def test_a_deleted_current_folder_means_no_crisis_toml_there(
    runner: CliRunner,
    write: Write,
    tmp_path: Path,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Deleted from another terminal: the commands work on $CRISIS_HOME, no internal error."""
    write("mini.toml", MINI_PLAYBOOK)
    code, _, err = run(runner, "start", "mini.toml", input="")
    assert code == 130, err
    (isolated / "crisis.toml").write_text('language = "fr"\n', encoding="utf-8")
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    code, out, err = run(runner, "status", "--json")
    assert code == 0, err
    assert json.loads(out)["session"]["playbook"]["id"] == "mini"
    code, out, err = run(runner, "config", "show", "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["settings"]["language"]["origin"] == str(isolated / "crisis.toml")
    assert shown["settings"]["store"]["value"] == str(isolated / "crisis.db")
    assert shown["files"] == [{"path": str(isolated / "crisis.toml"), "exists": True}]
    code, out, err = run(runner, "config", "show")
    assert code == 0, err
    assert out.splitlines()[-2:] == [
        "  ./crisis.toml  (none: the current folder no longer exists)",
        f"  {isolated / 'crisis.toml'}",
    ]
    # A relative store from the environment names nothing now: refused, saying why.
    monkeypatch.setenv("CRISIS_STORE", "team.db")
    code, _, err = run(runner, "status")
    assert (code, err) == (
        2,
        "crisis: error: the store team.db is a relative path but the current folder no longer "
        "exists (from CRISIS_STORE); expected an absolute path, or run crisis from an existing "
        "folder\n",
    )


def test_the_home_file_is_checked_too(runner: CliRunner, isolated: Path) -> None:
    isolated.mkdir()
    (isolated / "crisis.toml").write_bytes(b'language = "fr\xe9"\n')
    code, _, err = run(runner, "config", "show")
    assert (code, err) == (
        2,
        f"crisis: error: {isolated / 'crisis.toml'}, line 1: is not valid UTF-8 text\n",
    )


def test_a_byte_order_mark_is_refused_saying_how_to_save_the_file(
    runner: CliRunner, write: Write
) -> None:
    path = write("crisis.toml", "")
    path.write_bytes(b'\xef\xbb\xbflanguage = "fr"\n')
    for args in (["config", "show"], ["status"]):
        code, _, err = run(runner, *args)
        assert (code, err) == (
            2,
            f"crisis: error: {path}, line 1: starts with a byte-order mark; "
            "save it as UTF-8 without one\n",
        ), args


def test_a_large_file_is_refused(runner: CliRunner, write: Write) -> None:
    path = write("crisis.toml", "# padding\n" * 7000)
    code, _, err = run(runner, "config", "show")
    assert (code, err) == (
        2,
        f"crisis: error: {path}: is larger than 64 KiB, the limit for such files\n",
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "CRISIS_LANG",
            "de",
            "unknown language 'de' (from --lang or CRISIS_LANG); expected en or fr",
        ),
        (
            "CRISIS_TZ",
            "Nowhere/Town",
            "unknown time zone 'Nowhere/Town' (from CRISIS_TZ); "
            "expected an IANA name such as Europe/Paris or UTC",
        ),
        (
            "CRISIS_STORE",
            "mysql://crisis:s3cret@db/crisis",
            "'mysql://' stores are not supported (from CRISIS_STORE); expected the path of "
            "a SQLite file, such as .crisis/crisis.db, or a postgresql:// URL",
        ),
    ],
)
def test_a_bad_variable_is_refused_naming_it(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    code, _, err = run(runner, "config", "show")
    assert (code, err) == (2, f"crisis: error: {message}\n")


def test_a_bad_timezone_flag_is_refused(runner: CliRunner) -> None:
    code, _, err = run(runner, "start", "--timezone", "Paris")
    assert (code, err) == (
        2,
        "crisis: error: unknown time zone 'Paris' (from --timezone); "
        "expected an IANA name such as Europe/Paris or UTC\n",
    )


def test_config_show(
    runner: CliRunner, write: Write, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = write("crisis.toml", 'language = "fr"\nstore = "journal/crisis.db"\n')
    monkeypatch.setenv("CRISIS_TZ", "America/Montreal")
    code, out, err = run(runner, "config", "show", "--json")
    assert code == 0, err
    assert json.loads(out) == {
        "settings": {
            "language": {"value": "fr", "source": "file", "origin": str(here)},
            "timezone": {
                "value": "America/Montreal",
                "source": "environment",
                "origin": "CRISIS_TZ",
            },
            "playbook": {"value": "customer-outage", "source": "default", "origin": "built-in"},
            "store": {
                "value": str(here.parent / "journal" / "crisis.db"),
                "source": "file",
                "origin": str(here),
            },
        },
        "files": [
            {"path": str(here), "exists": True},
            {"path": str(isolated / "crisis.toml"), "exists": False},
        ],
    }
    code, out, _ = run(runner, "config", "show")
    store = str(here.parent / "journal" / "crisis.db")
    width = len(store)
    assert out.splitlines() == [
        f"{'SETTING':<9}  {'VALUE':<{width}}  SOURCE",
        f"{'language':<9}  {'fr':<{width}}  {here}",
        f"{'timezone':<9}  {'America/Montreal':<{width}}  environment (CRISIS_TZ)",
        f"{'playbook':<9}  {'customer-outage':<{width}}  default",
        f"{'store':<9}  {store}  {here}",
        "",
        "Settings files, the first one winning:",
        f"  {here}",
        f"  {isolated / 'crisis.toml'}  (none)",
    ]


def test_start_follows_the_settings_and_flags_win(
    runner: CliRunner, write: Write, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Language, playbook, time zone and store of `crisis start`, from each level."""
    isolated.mkdir()
    (isolated / "crisis.toml").write_text(
        'language = "fr"\nplaybook = "failed-delivery"\ntimezone = "America/Montreal"\n',
        encoding="utf-8",
    )
    write("crisis.toml", 'store = "team.db"\n')

    def started(*args: str) -> dict[str, object]:
        code, _, err = run(runner, "start", *args, input="")
        assert code == 130, err  # the session exists; the walk stops at end of input
        _, out, _ = run(runner, "status", "--json")
        session: dict[str, object] = json.loads(out)["session"]
        return session

    session = started()
    assert (session["language"], session["timezone"]) == ("fr", "America/Montreal")
    assert session["playbook"]["id"] == "failed-delivery"  # type: ignore[index]
    assert session["playbook"]["language"] == "fr"  # type: ignore[index]
    assert (isolated.parent / "work" / "team.db").is_file()
    assert not (isolated / "crisis.db").exists()

    monkeypatch.setenv("CRISIS_LANG", "en")
    monkeypatch.setenv("CRISIS_PLAYBOOK", "customer-outage")
    session = started()
    assert session["language"] == "en"
    assert session["playbook"]["id"] == "customer-outage"  # type: ignore[index]

    write("mini.toml", MINI_PLAYBOOK)
    session = started("mini.toml", "--lang", "en", "--timezone", "Asia/Tokyo")
    assert (session["language"], session["timezone"]) == ("en", "Asia/Tokyo")
    assert session["playbook"]["id"] == "mini"  # type: ignore[index]


def test_a_language_from_a_file_does_not_block_a_playbook_given_by_path(
    runner: CliRunner, write: Write
) -> None:
    write("crisis.toml", 'language = "fr"\n')
    write("mini.toml", MINI_PLAYBOOK)
    code, _, err = run(runner, "start", "mini.toml", input="")
    assert code == 130, err


def test_status_and_note_read_no_toml_without_a_crisis_toml(write: Write) -> None:
    """The cheap path that `crisis status` and `crisis note` take on every run."""
    write("mini.toml", MINI_PLAYBOOK)
    found = probe(["start", "mini.toml"], stdin="3\n1000\nno\n.\n")
    for args in (["status"], ["note", "the president called"]):
        found = probe(args)
        assert "tomllib" not in found["MODULES"], args
        assert "crisiscli.config" in found["CORE"], args  # proves the settings were consulted
        assert "crisiscli.config_file" not in found["CORE"], args


def test_status_reads_the_store_a_crisis_toml_names(write: Write, tmp_path: Path) -> None:
    write("crisis.toml", 'store = "elsewhere/team.db"\n')
    write("mini.toml", MINI_PLAYBOOK)
    probe(["start", "mini.toml"], stdin="3\n1000\nno\n.\n")
    assert (tmp_path / "work" / "elsewhere" / "team.db").is_file()
    found = probe(["status"])
    assert "crisiscli.config_file" in found["CORE"]


def test_the_published_schema_is_in_sync() -> None:
    published = json.loads((REPO / "schemas" / "config.schema.json").read_text(encoding="utf-8"))
    assert published == schema("config"), "run: crisis schema config > schemas/config.schema.json"


def test_the_schema_describes_every_key_and_refuses_others() -> None:
    document = schema("config")
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["additionalProperties"] is False
    assert list(document["properties"]) == list(SETTINGS)
    for name, definition in document["properties"].items():
        assert definition["description"], name
        assert definition["type"] == "string", name
        assert "null" not in json.dumps(definition), name


def test_errors_are_usage_errors() -> None:
    assert issubclass(ConfigError, UsageError)
