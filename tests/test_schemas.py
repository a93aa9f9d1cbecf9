"""The published JSON Schemas: what `crisis schema` prints, complete, and applied by taplo.

taplo (the `taplo` wheel of the test extra) is the validator editors such as VS Code's
Even Better TOML run, so the shipped files are checked the way an editor checks them:
through the `#:schema` line each starts with, resolved from the file's own folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from crisiscli.answers import InvalidAnswer, parse_answer
from crisiscli.cli.schema import _kinds
from crisiscli.playbook_loading import load_playbook
from crisiscli.schemas import KINDS, schema

from .conftest import MINI_PLAYBOOK, PYTHON, REPO, cli_env, run

SCHEMAS = REPO / "schemas"
TAPLO = Path(sys.executable).with_name("taplo")
FIXTURES = REPO / "tests" / "data" / "training" / "fixture"
SHIPPED: list[tuple[Path, str]] = [
    *((path, "playbook") for path in sorted((REPO / "playbooks").glob("*.toml"))),
    *((path, "scenario") for path in sorted((REPO / "scenarios").glob("*.toml"))),
    *((path, "contract") for path in sorted((REPO / "contracts").glob("*.toml"))),
    *((path, "answers") for path in sorted((REPO / "tests" / "data").glob("*.answers.toml"))),
    (FIXTURES / "playbook.en.toml", "playbook"),
    (FIXTURES / "sign-in.en.toml", "scenario"),
]


def taplo(*files: Path, schema_file: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``taplo check`` on ``files``: their own ``#:schema`` line, or ``schema_file`` if given.

    The repository's .taplo.toml is left out, so a file passes only on its own header.
    """
    assert TAPLO.is_file(), "taplo is missing: pip install -e '.[test]'"
    command = [str(TAPLO), "check", "--no-auto-config", "--colors", "never"]
    if schema_file is not None:
        command += ["--schema", schema_file.as_uri()]
    return subprocess.run(
        [*command, *map(str, files)], capture_output=True, text=True, timeout=60, check=False
    )


def problems(result: subprocess.CompletedProcess[str]) -> list[str]:
    """taplo's distinct error lines (it repeats each one for every key of a table)."""
    lines = result.stdout.splitlines() + result.stderr.splitlines()
    return sorted({line for line in lines if line.startswith("error:")})


# ---------------------------------------------------------------------------
# The published files


@pytest.mark.parametrize("kind", KINDS)
def test_each_published_schema_is_what_crisis_schema_prints(kind: str, runner: CliRunner) -> None:
    code, out, err = run(runner, "schema", kind)
    assert code == 0, err
    published = SCHEMAS / f"{kind}.schema.json"
    assert published.is_file(), f"run `crisis schema {kind} --out schemas/{kind}.schema.json`"
    assert out == published.read_text(encoding="utf-8"), (
        f"schemas/{kind}.schema.json is stale: run `crisis schema {kind} --out {published}`"
    )


def test_scenario_schema_prints_the_same_as_schema_scenario(runner: CliRunner) -> None:
    assert run(runner, "scenario", "schema") == run(runner, "schema", "scenario")


def test_the_kinds_are_listed_once_and_completed_without_pydantic() -> None:
    """crisiscli.schema_kinds is the one list: the command, init and the builders use it."""
    from crisiscli import schema_kinds, schemas  # noqa: PLC0415
    from crisiscli.scaffold import team_folder  # noqa: PLC0415

    assert KINDS is schema_kinds.KINDS
    assert tuple(schemas._BUILDERS) == KINDS  # a schema for each kind, and no other
    assert _kinds("") == list(KINDS)
    assert _kinds("c") == ["contract", "config"]
    written = team_folder(
        Path("team"),
        language="en",
        timezone=None,
        store=".crisis/crisis.db",
        store_path=Path("team/.crisis/crisis.db"),
        schema_of=lambda kind: {"kind": kind},
        example_contract=REPO / "contracts" / "example.en.toml",
    )
    in_schemas = [f.path.name for f in written if f.path.parent.name == "schemas"]
    assert in_schemas == [f"{kind}.schema.json" for kind in KINDS]
    probe = (
        "import sys; from crisiscli.cli.schema import _kinds; _kinds('p'); "
        "print([m for m in ('pydantic', 'crisiscli.schemas') if m in sys.modules])"
    )
    loaded = subprocess.run(
        [PYTHON, "-c", probe], capture_output=True, text=True, env=cli_env(), check=True
    )
    assert loaded.stdout == "[]\n", loaded.stderr


def test_out_writes_what_standard_output_shows(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "playbook.schema.json"
    code, out, err = run(runner, "schema", "playbook", "--out", str(target))
    assert (code, out, err) == (0, "", "")
    assert target.read_text(encoding="utf-8") == (SCHEMAS / "playbook.schema.json").read_text(
        encoding="utf-8"
    )


def test_out_replaces_an_old_copy_and_the_help_says_so(runner: CliRunner, tmp_path: Path) -> None:
    """Unlike export, init and playbooks new, no --force: replacing is how copies are updated."""
    target = tmp_path / "config.schema.json"
    target.write_text('{"title": "an old copy"}\n', encoding="utf-8")
    code, out, err = run(runner, "schema", "config", "-o", str(target))
    assert (code, out, err) == (0, "", "")
    assert json.loads(target.read_text(encoding="utf-8")) == schema("config")
    code, out, _ = run(runner, "schema", "--help")
    assert code == 0
    said = " ".join(line.strip(" │") for line in out.splitlines())
    assert "An existing file is replaced without --force" in " ".join(said.split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["schema", "playbok"],
            "unknown kind 'playbok' (did you mean 'playbook'?); "
            "expected one of playbook, scenario, contract, answers",
        ),
        (
            ["schema", "contract", "--playbook", "customer-outage"],
            "--playbook only applies to the answers schema, not to contract",
        ),
        (["schema", "answers", "--lang", "fr"], "--lang chooses the language of --playbook"),
        (["schema", "answers", "--playbook", "nope"], "no playbook named 'nope'"),
        (
            ["schema", "answers", "--playbook", "customer-outage", "--lang", "de"],
            "playbook 'customer-outage' has no version in 'de'",
        ),
    ],
)
def test_a_wrong_request_is_one_sentence_and_exit_2(
    runner: CliRunner, args: list[str], message: str
) -> None:
    code, out, err = run(runner, *args)
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1
    assert message in err


@pytest.mark.parametrize("kind", KINDS)
def test_each_schema_says_what_it_is(kind: str) -> None:
    document = schema(kind)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"] == f"urn:crisiscli:schema:{kind}"
    assert document["title"] == f"crisiscli {kind}"
    assert document["description"]


def keys_without_description(node: Any, where: str = "") -> list[str]:
    """Every key defined under ``properties`` with no description.

    The tables inside ``if``/``then``/``else``/``not`` only state rules about keys
    already described, so they are not searched.
    """
    missing: list[str] = []
    if isinstance(node, list):
        for index, item in enumerate(node):
            missing += keys_without_description(item, f"{where}/{index}")
    if not isinstance(node, dict):
        return missing
    for key, definition in node.get("properties", {}).items():
        if not isinstance(definition, dict) or not definition.get("description"):
            missing.append(f"{where}/properties/{key}")
    for name, child in node.items():
        if name not in ("if", "then", "else", "not"):
            missing += keys_without_description(child, f"{where}/{name}")
    return missing


@pytest.mark.parametrize("kind", [*KINDS, "answers of customer-outage"])
def test_every_key_has_a_description(kind: str) -> None:
    if kind in KINDS:
        document = schema(kind)
    else:
        document = schema("answers", load_playbook(REPO / "playbooks" / "customer-outage.en.toml"))
    assert keys_without_description(document) == []


# ---------------------------------------------------------------------------
# The shipped files, checked by taplo through their own header


@pytest.mark.parametrize(("path", "kind"), SHIPPED, ids=lambda x: getattr(x, "name", x))
def test_a_shipped_file_names_its_schema_on_its_first_line(path: Path, kind: str) -> None:
    relative = Path(os.path.relpath(SCHEMAS / f"{kind}.schema.json", path.parent)).as_posix()
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == f"#:schema {relative}"
    assert (path.parent / relative).is_file()


def test_the_shipped_files_are_valid_against_their_schemas() -> None:
    result = taplo(*(path for path, _kind in SHIPPED))
    assert result.returncode == 0, "\n".join(problems(result)) or result.stderr[-2000:]


# (shipped file, text replaced once, replacement, what taplo says)
BROKEN = [
    (
        "playbooks/customer-outage.en.toml",
        'language = "en"',
        'language = "en"\ncolour = "red"',
        "Additional properties are not allowed ('colour' was unexpected)",
    ),
    (
        "playbooks/customer-outage.en.toml",
        'phase = "acknowledge"',
        "phase = 3",
        "3 is not of type",
    ),
    (
        "playbooks/customer-outage.en.toml",
        'phase = "acknowledge"',
        'phase = "acknowlege"',
        '"acknowlege" is not one of',
    ),
    (
        "scenarios/damaged-delivery.en.toml",
        'title = "Cracked case, missing screwdriver"',
        'titel = "Cracked case, missing screwdriver"',
        '"title" is a required property',
    ),
    (
        "scenarios/damaged-delivery.en.toml",
        "duration_minutes = 1800",
        'duration_minutes = "1800"',
        '"1800" is not of type "integer"',
    ),
    (
        "contracts/example.en.toml",
        'currency = "EUR"',
        'currency = "EUR"\nfee = 1200',
        "Additional properties are not allowed ('fee' was unexpected)",
    ),
    (
        "contracts/example.en.toml",
        "cap_percent = 50",
        'cap_percent = "50%"',
        '"50%" is not of type "number"',
    ),
    (
        "tests/data/customer-outage.en.answers.toml",
        '"impact.affected" = 3',
        '"impact.affected" = { count = 3 }',
        '{"count":3} is not of types',
    ),
    (
        "tests/data/customer-outage.en.answers.toml",
        '"impact.affected" = 3',
        '"Impact affected" = 3',
        '"Impact affected" does not match',
    ),
]


@pytest.mark.parametrize(("shipped", "old", "new", "expected"), BROKEN)
def test_taplo_refuses_a_file_with_an_unknown_key_or_a_wrong_type(
    tmp_path: Path, shipped: str, old: str, new: str, expected: str
) -> None:
    """A copy of a shipped file, in a folder beside a copy of the schemas, like the original."""
    shutil.copytree(SCHEMAS, tmp_path / "schemas")
    source = REPO / shipped
    folder = tmp_path / "a" / "b" if shipped.startswith("tests/") else tmp_path / "files"
    copy = folder / source.name
    folder.mkdir(parents=True)
    text = source.read_text(encoding="utf-8")
    assert old in text
    copy.write_text(text, encoding="utf-8")
    assert taplo(copy).returncode == 0
    copy.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = taplo(copy)
    assert result.returncode == 1
    assert any(expected in line for line in problems(result)), problems(result)


def test_the_taplo_configuration_gives_existing_schemas_to_each_folder() -> None:
    config = tomllib.loads((REPO / ".taplo.toml").read_text(encoding="utf-8"))
    given = {
        rule["include"][0]: rule["schema"]["path"] for rule in config["rule"] if "schema" in rule
    }
    assert given == {
        "playbooks/*.toml": "schemas/playbook.schema.json",
        "scenarios/*.toml": "schemas/scenario.schema.json",
        "contracts/*.toml": "schemas/contract.schema.json",
        "**/*.answers.toml": "schemas/answers.schema.json",
        "crisis.toml": "schemas/config.schema.json",
    }
    assert all((REPO / path).is_file() for path in given.values())


def test_the_toml_examples_of_the_editors_guide_are_toml() -> None:
    text = (REPO / "docs" / "editors.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) == 3
    for block in blocks:
        tomllib.loads(block)


# ---------------------------------------------------------------------------
# The answers of one playbook


def test_the_answers_schema_of_a_playbook_knows_its_questions(write: Any) -> None:
    playbook = load_playbook(write("mini.toml", MINI_PLAYBOOK))
    document = schema("answers", playbook)
    answers = document["properties"]["answers"]
    assert document["$id"] == "urn:crisiscli:schema:answers:mini.en"
    assert list(answers["properties"]) == playbook.question_keys()
    assert answers["additionalProperties"] is False
    # Asked whatever happens, with no default: the limits step is asked only when
    # someone is affected, so its questions may be missing.
    assert answers["required"] == ["impact.affected", "impact.total"]
    affected = answers["properties"]["impact.affected"]
    assert affected["description"] == "How many users are affected?\n\nType: integer."
    assert {"type": "integer", "minimum": 0} in affected["anyOf"]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_test_answers_files_fit_their_playbook(
    runner: CliRunner, tmp_path: Path, language: str
) -> None:
    target = tmp_path / "answers.schema.json"
    code, _, err = run(
        runner, "schema", "answers", "-p", "customer-outage", "-l", language, "-o", str(target)
    )
    assert code == 0, err
    answers = REPO / "tests" / "data" / f"customer-outage.{language}.answers.toml"
    result = taplo(answers, schema_file=target)
    assert result.returncode == 0, problems(result)
    broken = tmp_path / "broken.toml"
    text = answers.read_text(encoding="utf-8")
    broken.write_text(text.replace('"impact.affected"', '"impact.afected"'), encoding="utf-8")
    assert problems(taplo(broken, schema_file=target)) == [
        'error: "impact.affected" is a required property',
        "error: Additional properties are not allowed ('impact.afected' was unexpected)",
    ]


# One question of each type (id, type, more keys), and one that may be left blank.
FORMS = [
    ("text", "text", ""),
    ("multiline", "multiline", ""),
    ("integer", "integer", "min = 0\nmax = 5000"),
    ("number", "number", "min = 0\nmax = 100"),
    ("choice", "choice", 'choices = ["Low", "High"]'),
    ("multichoice", "multichoice", 'choices = ["REST", "GraphQL", "Webhooks"]'),
    ("confirm", "confirm", ""),
    ("score", "score", ""),
    ("list", "list", ""),
    ("datetime", "datetime", ""),
    ("actions", "actions", ""),
    ("optional", "choice", 'choices = ["Yes"]\nrequired = false'),
]
QUESTIONS = """
[playbook]
id = "forms"
title = "One question of each type"
language = "en"

[[steps]]
id = "s"
title = "Everything"
phase = "custom"
""" + "".join(
    f'[[steps.questions]]\nid = "{name}"\ntype = "{kind}"\nprompt = "{name}?"\n{more}\n'
    for name, kind, more in FORMS
)

# (question, TOML value, accepted by crisis and by the schema alike)
SAMPLES = [
    ("text", '"Alex Martin"', True),
    ("text", '"  Alex  \\n"', True),
    ("text", '"two\\nlines"', False),
    ("text", "3", False),
    ("text", '""', False),
    ("multiline", '"one\\ntwo"', True),
    ("multiline", '"  \\n "', False),
    ("integer", "1200", True),
    ("integer", "12.0", True),
    ("integer", '"1 200"', True),
    ("integer", "-1", False),
    ("integer", "6000", False),
    ("integer", "true", False),
    ("number", "99.5", True),
    ("number", '"99,5"', True),
    ("number", "101", False),
    ("number", "false", False),
    ("choice", '"High"', True),
    ("choice", '" high "', True),
    ("choice", "2", True),
    ("choice", '"02"', True),
    ("choice", "3", False),
    ("choice", "0", False),
    ("choice", '"3"', False),
    ("choice", '"Medium"', False),
    ("choice", '["High"]', False),
    ("multichoice", '["REST", 3]', True),
    ("multichoice", '"rest, webhooks"', True),
    ("multichoice", '"1,2"', True),
    ("multichoice", '"graphql"', True),
    ("multichoice", "2", True),
    ("multichoice", '"REST Webhooks"', False),
    ("multichoice", '["SOAP"]', False),
    ("multichoice", "4", False),
    ("multichoice", "[]", False),
    ("confirm", "true", True),
    ("confirm", '"oui"', True),
    ("confirm", '" NO "', True),
    ("confirm", '"maybe"', False),
    ("confirm", "1", False),
    ("score", "7", True),
    ("score", '"7/10"', True),
    ("score", '"10"', True),
    ("score", "11", False),
    ("score", '"11"', False),
    ("score", "7.5", False),
    ("score", '"-3"', False),
    ("list", '["Tim", "Lea"]', True),
    ("list", '"Tim\\nLea"', True),
    ("list", "[1]", False),
    ("list", "true", False),
    ("datetime", "2026-11-22T09:00:00+01:00", True),
    ("datetime", "2026-11-22", True),
    ("datetime", '"14:05"', True),
    ("datetime", "5", False),
    ("actions", '["Fix it; Alex; 2026-12-01"]', True),
    ("actions", '["Fix it | Alex"]', True),
    ("actions", '"Fix it; Alex"', True),
    ("actions", '[{ action = "Fix it", owner = "Alex", due = 2026-12-01 }]', True),
    ("actions", '["Fix it"]', False),
    ("actions", '["Fix it;; Alex"]', False),
    ("actions", '[{ action = "Fix it" }]', False),
    ("actions", '[{ action = "Fix it", owner = "Alex", by = "now" }]', False),
    ("optional", '""', True),
    ("optional", "[]", True),
    ("optional", "[1]", False),
]


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """The one-of-each playbook and its answers schema, ``required`` left out.

    Each sample file answers one question only; what is checked is the values.
    """
    folder = tmp_path_factory.mktemp("forms")
    (folder / "forms.toml").write_text(QUESTIONS, encoding="utf-8")
    playbook = load_playbook(folder / "forms.toml")
    document = schema("answers", playbook)
    del document["properties"]["answers"]["required"]
    (folder / "forms.schema.json").write_text(json.dumps(document), encoding="utf-8")
    return playbook, folder / "forms.schema.json"


@pytest.mark.parametrize(("question", "value", "accepted"), SAMPLES)
def test_the_schema_accepts_what_crisis_accepts(
    forms: tuple[Any, Path], tmp_path: Path, question: str, value: str, accepted: bool
) -> None:
    playbook, schema_file = forms
    (asked,) = [q for q in playbook.steps[0].questions if q.id == question]
    raw = tomllib.loads(f"value = {value}")["value"]
    try:
        parse_answer(asked, raw, language="en", zone=UTC, now=datetime.now(UTC))
        parsed = True
    except InvalidAnswer:
        parsed = False
    assert parsed == accepted, "the sample's verdict is not the parser's"
    answers = tmp_path / "answers.toml"
    answers.write_text(f'[answers]\n"s.{question}" = {value}\n', encoding="utf-8")
    result = taplo(answers, schema_file=schema_file)
    assert (result.returncode == 0) == accepted, problems(result)
