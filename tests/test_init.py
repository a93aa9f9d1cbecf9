"""`crisis init` and `crisis playbooks new`: a team folder kept in git, a starter playbook.

Every file the scaffold writes is read back by the real loaders, and by taplo
(the `taplo` wheel of the test extra, installed beside Python) against the
schemas it names.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crisiscli.config_file import load_config
from crisiscli.contract import load_contract
from crisiscli.paths import builtin_dir
from crisiscli.playbook_loading import load_playbook
from crisiscli.scenario import load_scenario
from crisiscli.schemas import KINDS, schema

from .conftest import run

Write = Callable[[str, str], Path]

TAPLO = Path(sys.executable).with_name("taplo")


def taplo_check(folder: Path) -> subprocess.CompletedProcess[str]:
    """``taplo check`` in ``folder``, with its .taplo.toml; taplo must be installed."""
    assert TAPLO.is_file(), "taplo is missing: pip install -e '.[test]'"
    return subprocess.run(
        [str(TAPLO), "check", "--colors", "never"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


SCAFFOLD = [
    ".gitignore",
    ".taplo.toml",
    "contracts/example.{lang}.toml",
    "crisis.toml",
    "playbooks/customer-crisis.{lang}.toml",
    "scenarios/README.md",
    "schemas/answers.schema.json",
    "schemas/config.schema.json",
    "schemas/contract.schema.json",
    "schemas/playbook.schema.json",
    "schemas/scenario.schema.json",
    "sessions/README.md",
    "templates/README.md",
]

# Piped answers to the starter playbook, one a line, in each language.
STARTER_ANSWERS = {
    "en": [
        "ASSO",
        "Alex Martin",
        "the app crashes when members sign in",
        "Tim, president of ASSO",
        "",
        "14:00",
        "3",
        "1000",
        "photo sharing turned off",
        "yes",
        "no photo sharing this weekend; the app stays up",
        "an upload queue without backoff",
        "load-test sign-in before large events",
        "",
        "two extra days of service",
        "7",
    ],
    "fr": [
        "ASSO",
        "Alex Martin",
        "l'appli plante à la connexion des membres",
        "Tim, président de l'ASSO",
        "",
        "14h00",
        "3",
        "1 000",
        "partage de photos désactivé",
        "oui",
        "pas de partage de photos ce week-end ; l'appli tient",
        "une file d'envoi sans temporisation",
        "",
        "deux jours de service offerts",
        "7",
    ],
}


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_init_writes_a_team_folder_every_loader_accepts(
    runner: CliRunner, tmp_path: Path, lang: str
) -> None:
    team = tmp_path / "work" / "team"
    code, out, err = run(runner, "init", "team", "--lang", lang)
    assert code == 0, err
    assert files_under(team) == sorted(name.format(lang=lang) for name in SCAFFOLD)
    assert load_config(team / "crisis.toml") == {
        "language": lang,
        "timezone": "Europe/Paris",  # this machine's (TZ, set by conftest)
        "playbook": "customer-crisis",
        "store": str(team / ".crisis" / "crisis.db"),
    }
    starter = load_playbook(team / "playbooks" / f"customer-crisis.{lang}.toml")
    assert (starter.id, starter.language, len(starter.steps)) == ("customer-crisis", lang, 7)
    assert {step.phase for step in starter.steps} >= {"acknowledge", "inform", "quantify"}
    load_contract(team / "contracts" / f"example.{lang}.toml")
    taplo = tomllib.loads((team / ".taplo.toml").read_text(encoding="utf-8"))
    associated = {rule["include"][0]: rule["schema"]["path"] for rule in taplo["rule"]}
    assert associated == {
        "crisis.toml": "schemas/config.schema.json",
        "playbooks/*.toml": "schemas/playbook.schema.json",
        "contracts/*.toml": "schemas/contract.schema.json",
        "scenarios/*.toml": "schemas/scenario.schema.json",
        "**/*.answers.toml": "schemas/answers.schema.json",
    }
    for kind in KINDS:
        written = json.loads((team / "schemas" / f"{kind}.schema.json").read_text("utf-8"))
        assert written == schema(kind), kind
    for toml in ("crisis.toml", f"playbooks/customer-crisis.{lang}.toml"):
        first = (team / toml).read_text(encoding="utf-8").splitlines()[0]
        assert (
            first.startswith("#:schema ")
            and (team / toml).parent.joinpath(first.removeprefix("#:schema ")).is_file()
        ), toml
    assert (team / ".gitignore").read_text(encoding="utf-8").splitlines()[1:] == [
        "/.crisis/crisis.db",
        "/.crisis/crisis.db-*",
    ]
    said = {"en": "Scaffolded team:", "fr": "Dossier team préparé :"}[lang]
    assert out.startswith(said + "\n")
    assert f"crisis playbooks validate playbooks/customer-crisis.{lang}.toml" in out
    assert "  cd team\n" in out


def test_a_scenario_written_in_the_team_folder_loads(runner: CliRunner, tmp_path: Path) -> None:
    """scenarios/ is where the search path looks: a copy of a shipped one is found there."""
    run(runner, "init")
    shipped = sorted((Path(__file__).parents[1] / "scenarios").glob("*.en.toml"))[0]
    copy = tmp_path / "work" / "scenarios" / shipped.name
    shutil.copy(shipped, copy)
    scenario = load_scenario(copy)
    code, out, _ = run(runner, "scenario", "list")
    assert code == 0
    listed = [line.split() for line in out.splitlines()]
    assert [scenario.id, "en", "project"] in [[w[0], w[1], w[6]] for w in listed if w]


def test_taplo_checks_the_scaffold_against_its_schemas(runner: CliRunner, tmp_path: Path) -> None:
    team = tmp_path / "work"
    assert run(runner, "init", "--lang", "fr")[0] == 0
    checked = taplo_check(team)
    assert checked.returncode == 0, checked.stderr
    # The schemas are really applied: a misspelt key in each kind of file is caught.
    (team / "crisis.toml").write_text('langage = "fr"\n', encoding="utf-8")
    starter = team / "playbooks" / "customer-crisis.fr.toml"
    starter.write_text(
        starter.read_text(encoding="utf-8").replace('phase = "inform"', 'phase = "informer"'),
        encoding="utf-8",
    )
    checked = taplo_check(team)
    assert checked.returncode != 0
    assert "langage" in checked.stderr
    assert "informer" in checked.stderr


def test_init_refuses_to_overwrite_and_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "templates").mkdir()
    (work / "templates" / "README.md").write_text("ours\n", encoding="utf-8")
    code, _, err = run(runner, "init")
    assert (code, err) == (
        2,
        "crisis: error: templates/README.md already exists; add --force to replace it\n",
    )
    assert files_under(work) == ["templates/README.md"]
    code, out, err = run(runner, "init", "--force")
    assert code == 0, err
    assert "templates/README.md" in out and "replaced" in out
    assert (work / "templates" / "README.md").read_text(encoding="utf-8") != "ours\n"
    code, _, err = run(runner, "init")
    assert (code, err) == (
        2,
        "crisis: error: crisis.toml already exists; add --force to replace it\n",
    )


def test_init_keeps_an_existing_gitignore_and_adds_only_what_it_lacks(
    runner: CliRunner, tmp_path: Path
) -> None:
    ignore = tmp_path / "work" / ".gitignore"
    ignore.write_text("*.pyc", encoding="utf-8")  # no final line break
    assert run(runner, "init")[0] == 0
    lines = ignore.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "*.pyc"
    assert lines[-2:] == ["/.crisis/crisis.db", "/.crisis/crisis.db-*"]
    before = ignore.read_text(encoding="utf-8")
    code, out, _ = run(runner, "init", "--force")
    assert code == 0
    assert ignore.read_text(encoding="utf-8") == before
    assert ".gitignore" not in out


def test_a_store_outside_the_folder_is_not_ignored(runner: CliRunner, tmp_path: Path) -> None:
    outside = tmp_path / "journals" / "team.db"
    code, _, err = run(runner, "init", "team", "--store", str(outside))
    assert code == 0, err
    team = tmp_path / "work" / "team"
    assert not (team / ".gitignore").exists()
    assert load_config(team / "crisis.toml")["store"] == str(outside)


@pytest.mark.parametrize(
    ("given", "journal", "ignored"),
    [
        ("sqlite://j.db", "j.db", "/j.db"),
        ("sqlite://journal//team.db", "journal/team.db", "/journal/team.db"),
        ("data/./team.db", "data/team.db", "/data/team.db"),
    ],
)
def test_the_store_is_written_as_given_and_ignored_where_it_resolves(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, given: str, journal: str, ignored: str
) -> None:
    """crisis.toml keeps the value typed; config show and .gitignore agree on the file."""
    team = Path.cwd() / "team"
    code, _, err = run(runner, "init", "team", "--store", given)
    assert code == 0, err
    assert tomllib.loads((team / "crisis.toml").read_text(encoding="utf-8"))["store"] == given
    assert (team / ".gitignore").read_text(encoding="utf-8").splitlines()[-2:] == [
        ignored,
        f"{ignored}-*",
    ]
    monkeypatch.chdir(team)
    code, out, err = run(runner, "config", "show", "--json")
    assert code == 0, err
    assert Path(json.loads(out)["settings"]["store"]["value"]) == team / journal


def test_init_refuses_bad_input(runner: CliRunner, write: Write) -> None:
    write("notes.txt", "x")
    code, _, err = run(runner, "init", "notes.txt")
    assert code == 2
    assert "notes.txt" in err
    code, _, err = run(runner, "init", "--lang", "de")
    assert (code, err) == (
        2,
        "crisis: error: unknown language 'de' (from --lang or CRISIS_LANG); expected en or fr\n",
    )
    write("playbooks", "not a folder")
    code, _, err = run(runner, "init")
    assert (code, err) == (2, "crisis: error: playbooks is a file; expected a folder there\n")
    assert not Path("crisis.toml").exists()
    code, _, err = run(runner, "init", "--store", "mysql://db/crisis")
    assert (code, err) == (
        2,
        "crisis: error: 'mysql://' stores are not supported (from --store); "
        "expected the path of a SQLite file, such as .crisis/crisis.db, or a postgresql:// URL\n",
    )


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_start_in_a_team_folder_uses_its_defaults(
    runner: CliRunner, tmp_path: Path, isolated: Path, lang: str
) -> None:
    work = tmp_path / "work"
    assert run(runner, "init", "--lang", lang)[0] == 0
    answers = "\n".join(STARTER_ANSWERS[lang]) + "\n"
    code, out, err = run(runner, "start", input=answers)
    assert code == 0, err
    session_id = out.strip()
    assert (work / ".crisis" / "crisis.db").is_file()
    assert not (isolated / "crisis.db").exists()
    code, out, _ = run(runner, "status", "--json")
    view = json.loads(out)
    assert view["session"]["id"] == session_id
    assert view["session"]["language"] == lang
    assert view["session"]["timezone"] == "Europe/Paris"
    assert view["session"]["playbook"]["id"] == "customer-crisis"
    assert view["progress"]["complete"] is True
    assert view["answers"]["impact.total"] == 1000
    assert view["computed"]["impact.working_percent"]["value"] == 99.7


def test_a_new_team_from_init_to_another_machine(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's whole story: init, edit with schema validation, run, export, import."""
    team = tmp_path / "work"
    assert run(runner, "init")[0] == 0
    starter = team / "playbooks" / "customer-crisis.en.toml"
    text = starter.read_text(encoding="utf-8").replace(
        "update_every_minutes = 60", "update_every_minutes = 30"
    )
    starter.write_text(text, encoding="utf-8")
    taplo = taplo_check(team)
    assert taplo.returncode == 0, taplo.stderr
    code, out, err = run(runner, "playbooks", "validate", str(starter))
    assert code == 0, err
    code, out, err = run(runner, "start", input="\n".join(STARTER_ANSWERS["en"]) + "\n")
    assert code == 0, err
    session_id = out.strip()
    export = team / "sessions" / f"{session_id}.toml"
    code, _, err = run(runner, "export", session_id, "--out", str(export))
    assert code == 0, err

    # Another machine: a fresh clone of the repository (no journal) and its own data folder.
    clone = tmp_path / "clone"
    shutil.copytree(team, clone, ignore=shutil.ignore_patterns(".crisis"))
    monkeypatch.setenv("CRISIS_HOME", str(tmp_path / "other-home"))
    monkeypatch.chdir(clone)
    code, _, err = run(runner, "import", f"sessions/{session_id}.toml")
    assert code == 0, err
    assert (clone / ".crisis" / "crisis.db").is_file()
    code, out, _ = run(runner, "status", session_id, "--json")
    view = json.loads(out)
    assert view["answers"]["acknowledge.customer"] == "ASSO"
    assert view["progress"]["complete"] is True


def test_playbooks_new_end_to_end(runner: CliRunner, tmp_path: Path) -> None:
    work = tmp_path / "work"
    code, out, err = run(runner, "playbooks", "new", "api-outage")
    assert code == 0, err
    written = work / "playbooks" / "api-outage.en.toml"
    assert out.splitlines() == [
        "playbooks/api-outage.en.toml: written (api-outage, en, 7 steps, 14 questions)",
        "Edit it, check it with `crisis playbooks validate playbooks/api-outage.en.toml`,",
        "and walk it with `crisis start api-outage`.",
    ]
    assert err == (
        "Its #:schema line names ../schemas/playbook.schema.json, which does not exist yet: "
        "`crisis schema playbook -o schemas/playbook.schema.json` writes it.\n"
    )
    assert written.read_text(encoding="utf-8").startswith(
        "#:schema ../schemas/playbook.schema.json\n"
    )
    assert oct(written.stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    code, out, err = run(runner, "playbooks", "validate", str(written))
    assert (code, out) == (0, f"{written}: ok (api-outage, en, 7 steps, 14 questions)\n"), err
    code, out, err = run(
        runner, "start", "api-outage", input="\n".join(STARTER_ANSWERS["en"]) + "\n"
    )
    assert code == 0, err
    code, out, _ = run(runner, "status", "--json")
    view = json.loads(out)
    assert view["session"]["playbook"]["id"] == "api-outage"
    assert view["session"]["title"] == "Api outage"
    assert view["answers"]["mitigate.trade_off"] == (
        "no photo sharing this weekend; the app stays up"
    )
    assert view["answers"]["resolve.lessons"] == ["load-test sign-in before large events"]
    assert view["answers"]["feedback.score"] == 7


def test_playbooks_new_in_french_to_a_file_of_your_choice(
    runner: CliRunner, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    (work / "schemas").mkdir()
    (work / "schemas" / "playbook.schema.json").write_text("{}", encoding="utf-8")
    code, out, err = run(
        runner, "playbooks", "new", "panne-api", "--lang", "fr", "--out", "drafts/panne.toml"
    )
    assert (code, err) == (0, "")
    written = work / "drafts" / "panne.toml"
    assert written.read_text(encoding="utf-8").startswith(
        "#:schema ../schemas/playbook.schema.json\n"
    )
    assert "crisis start drafts/panne.toml" in out
    playbook = load_playbook(written)
    assert (playbook.id, playbook.language) == ("panne-api", "fr")
    code, _, err = run(
        runner, "start", "drafts/panne.toml", input="\n".join(STARTER_ANSWERS["fr"]) + "\n"
    )
    assert code == 0, err


def test_playbooks_new_warns_when_it_overrides_a_playbook_further_down(
    runner: CliRunner, isolated: Path
) -> None:
    """One line on stderr naming what is hidden; the file is still written (exit 0)."""
    builtin = builtin_dir("playbooks") / "customer-outage.en.toml"
    code, _, err = run(runner, "playbooks", "new", "customer-outage")
    assert code == 0, err
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: playbooks/customer-outage.en.toml overrides the built-in playbook "
        f"customer-outage (en) of {builtin}; choose another id to keep both"
    ]
    # In $CRISIS_HOME/playbooks, it hides the built-in too; in ./playbooks, the home one first.
    mine = isolated / "playbooks" / "customer-outage.fr.toml"
    code, _, err = run(runner, "playbooks", "new", "customer-outage", "-l", "fr", "-o", str(mine))
    assert code == 0, err
    hidden = builtin.with_name(mine.name)
    assert f"overrides the built-in playbook customer-outage (fr) of {hidden};" in err
    code, _, err = run(runner, "playbooks", "new", "customer-outage", "--lang", "fr")
    assert code == 0, err
    assert f"overrides the home playbook customer-outage (fr) of {mine};" in err
    # Another language of a playbook of ours, a new id, or a file off the search path: silent.
    for args in (
        ["ours", "--lang", "en", "--out", str(isolated / "playbooks" / "ours.en.toml")],
        ["ours", "--lang", "fr"],
        ["customer-outage", "--out", "drafts/customer-outage.en.toml"],
    ):
        code, _, err = run(runner, "playbooks", "new", *args)
        assert code == 0, err
        assert "warning" not in err, args


def test_playbooks_new_refuses_bad_names_and_existing_files(runner: CliRunner) -> None:
    for name in ("../evil", "Api", "-api", "a/b", "api.toml", "a" * 65, ""):
        code, _, err = run(runner, "playbooks", "new", "--", name)
        assert code == 2, name
        assert "is not a playbook id" in err, name
    assert not Path("playbooks").exists()
    assert run(runner, "playbooks", "new", "api")[0] == 0
    code, _, err = run(runner, "playbooks", "new", "api")
    assert (code, err) == (
        2,
        "crisis: error: playbooks/api.en.toml already exists; add --force to replace it\n",
    )
    assert run(runner, "playbooks", "new", "api", "--force")[0] == 0
    code, _, err = run(runner, "playbooks", "new", "api", "--out", "api.txt")
    assert (code, err) == (
        2,
        "crisis: error: api.txt does not end in .toml, which playbooks must (from --out)\n",
    )
    left = [path.name for path in Path("playbooks").iterdir()]
    assert left == ["api.en.toml"]  # no temporary file left behind


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask
