"""Hostile input: bad files and bad values never crash the CLI, read files or run code.

The promise under test: every bad file given to a command (playbook, answers
file, contract, report template) ends with exit code 2 and exactly one line on
stderr, ``crisis: error: FILE, line N: ...`` or ``crisis: error: FILE, at
KEY.PATH: ...``; never a traceback, never "internal error"; and nothing in a
file (an expression, a template) can read a file or run code.

Two kinds of tests:

* Hypothesis properties run the real CLI (typer's ``CliRunner`` on
  ``crisiscli.cli.app.app``) on generated files: random bytes, random TOML
  documents, real files mutated (a value retyped or replaced at a random key
  path, unknown keys added, keys deleted), invalid UTF-8 inserted, nesting
  1,000 levels deep, files over the size caps. Example counts are the
  ``settings`` below each strategy's test.
* Hand-written cases: expressions reaching for Python internals, session ids
  and paths with ``../``, NUL bytes and absurd lengths, terminal escapes and
  HTML in answers, huge answers, templates trying to leave the sandbox.

Every refusal must name a line or a key path, except the few problems about
a whole file listed in ``WHOLE_FILE_PROBLEMS``. A bug found here and not yet
fixed is kept as an ``xfail(strict=True)`` test whose reason says what is wrong.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from datetime import UTC, date, datetime, timedelta, timezone
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from crisiscli.cli.app import app

from .conftest import MINI_PLAYBOOK, REPO, cli_env

PLAYBOOK_FILES = [
    REPO / "playbooks" / "customer-outage.en.toml",
    REPO / "playbooks" / "failed-delivery.fr.toml",
]
CONTRACT_FILE = REPO / "contracts" / "example.en.toml"
ANSWERS_FILE = REPO / "tests" / "data" / "customer-outage.en.answers.toml"
TEMPLATE_FILES = [
    REPO / "templates" / "remediation.en.md.j2",
    REPO / "templates" / "postmortem.fr.html.j2",
]
MiB = 1024 * 1024

PREFIX = "crisis: error: "
# Problems about a whole file, where no line or key path applies.
WHOLE_FILE_PROBLEMS = (
    "no such file",
    "is a folder",
    "cannot be read",
    "is larger than",  # the 1 MiB cap of TOML files
    "needs more memory than a report may use",
    "produces more than",
)
# Modest per-strategy example counts: the whole module runs in about a minute.
FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one data folder for all examples is fine
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
FUZZ_BIG_FILES = settings(FUZZ, max_examples=8)


# ---------------------------------------------------------------------------
# Running the CLI and checking its refusals


def cli(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=input)


def crisis_process(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """A real ``crisis`` process (for what could hang: a timeout can stop it)."""
    return subprocess.run(
        [sys.executable, "-m", "crisiscli", *args],
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=timeout,
        check=False,
    )


def assert_no_crash(result: Result) -> None:
    """No traceback, no internal error, and no exception escaped the error handler."""
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}"
    )
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stderr, result.stderr


def refusal(result: Result) -> str:
    """The single ``crisis: error:`` line of an exit-2 refusal, without the prefix."""
    assert_no_crash(result)
    assert result.exit_code == 2, (result.exit_code, result.stderr[-500:])
    lines = result.stderr.removesuffix("\n").split("\n")
    assert len(lines) == 1, result.stderr[-2000:]
    assert lines[0].startswith(PREFIX), lines[0]
    return lines[0][len(PREFIX) :]


def refused_file(result: Result, file: str) -> str:
    """Check that ``result`` refuses ``file`` saying where; return the problem."""
    message = refusal(result)
    assert message.startswith(file), f"the message does not start with {file}: {message}"
    return located_problem(message[len(file) :])


def located_problem(after_file: str) -> str:
    """What follows the file name: ``, line N`` and/or ``, at PATH``, then the problem."""
    match = re.match(r"(?:, line [1-9]\d*)?(?:, at .+?)?: (?P<problem>\S.*)$", after_file)
    assert match, f"no problem after the file: {after_file!r}"
    problem = match["problem"]
    if after_file.startswith(", "):
        return problem
    assert problem.startswith(WHOLE_FILE_PROBLEMS), f"neither a line nor a key path: {after_file!r}"
    return problem


def valid_or_refused(result: Result, file: str) -> str | None:
    """Exit 0 (the generated file happened to be valid), or a located refusal."""
    assert_no_crash(result)
    if result.exit_code == 0:
        return None
    return refused_file(result, file)


@pytest.fixture(scope="module")
def recorded_session(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A finished customer-outage session, recorded once for the module."""
    home = tmp_path_factory.mktemp("recorded") / "home"
    result = CliRunner(env={"CRISIS_HOME": str(home), "NO_COLOR": "1"}).invoke(
        app, ["start", "customer-outage", "--answers", str(ANSWERS_FILE)]
    )
    assert result.exit_code == 0, result.stderr
    return home, result.stdout.strip()


@pytest.fixture
def session(recorded_session: tuple[Path, str], isolated: Path) -> str:
    """The recorded session, copied into this test's data folder (for contracts, templates)."""
    home, session_id = recorded_session
    isolated.mkdir(exist_ok=True)
    for journal in home.iterdir():
        shutil.copy2(journal, isolated / journal.name)
    return session_id


@pytest.fixture
def fuzz_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "fuzz"
    folder.mkdir()
    return folder


# ---------------------------------------------------------------------------
# Strategies

# Generated keys and texts hold no line feed: one echoed back splits the error line,
# a known bug pinned by test_a_line_feed_in_a_key_or_value_stays_on_one_line.
TEXT = st.characters(codec="utf-8", exclude_characters="\n")
KEYS = st.text(TEXT, max_size=12)
SCALARS = st.one_of(
    st.text(TEXT, max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),  # NaN and infinities included: TOML has them
    st.booleans(),
    st.dates(),
    st.times(),
    st.datetimes(timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=5, minutes=30))])),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=20,
)
DOCUMENTS = st.dictionaries(KEYS, VALUES, max_size=6)
# One strategy per kind of TOML value, to replace a value by one of another kind.
VALUES_OF_KIND: dict[str, st.SearchStrategy[Any]] = {
    "bool": st.booleans(),
    "int": st.integers(min_value=-(2**70), max_value=2**70),
    "float": st.floats(),
    "str": st.text(TEXT, max_size=30),
    "datetime": st.datetimes(timezones=st.sampled_from([None, UTC])),
    "date": st.dates(),
    "time": st.times(),
    "list": st.lists(VALUES, max_size=4),
    "dict": st.dictionaries(KEYS, VALUES, max_size=4),
}


def _question_keys() -> list[str]:
    return sorted(tomllib.loads(ANSWERS_FILE.read_text(encoding="utf-8"))["answers"])


RANDOM_DOCUMENTS = {
    "playbook": st.one_of(
        DOCUMENTS,
        st.builds(
            lambda extra, info, steps: {**extra, "playbook": info, "steps": steps},
            DOCUMENTS,
            DOCUMENTS | VALUES,
            st.lists(DOCUMENTS, max_size=3) | VALUES,
        ),
    ),
    "answers": st.one_of(
        DOCUMENTS,
        st.builds(
            lambda answers: {"answers": answers},
            st.dictionaries(st.sampled_from(_question_keys()) | KEYS, VALUES, max_size=8),
        ),
    ),
    "contract": st.one_of(
        DOCUMENTS,
        st.builds(lambda terms: {"contract": terms}, DOCUMENTS | VALUES),
    ),
}

KeyPath = tuple[str | int, ...]


def kind_of(value: Any) -> str:
    for kind in (bool, int, float, str, datetime, date, clock_time, list, dict):
        if isinstance(value, kind):
            return kind.__name__
    raise AssertionError(f"not a TOML value: {value!r}")


def key_paths(node: Any, prefix: KeyPath = ()) -> list[KeyPath]:
    """Every key path into ``node``, tables and arrays alike."""
    items: list[tuple[str | int, Any]] = []
    if isinstance(node, dict):
        items = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    found: list[KeyPath] = []
    for key, value in items:
        found.append((*prefix, key))
        found.extend(key_paths(value, (*prefix, key)))
    return found


def get_at(document: Any, path: KeyPath) -> Any:
    for part in path:
        document = document[part]
    return document


@st.composite
def mutated(draw: st.DrawFn, original: dict[str, Any]) -> dict[str, Any]:
    """``original`` with one to three random changes at random key paths."""
    document = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 3))):
        paths = key_paths(document)
        change = draw(st.sampled_from(["retype", "replace", "add", "delete"]))
        if not paths:
            change = "add"
        if change == "add":
            tables = [()] + [p for p in paths if isinstance(get_at(document, p), dict)]
            table = get_at(document, draw(st.sampled_from(tables)))
            table[draw(KEYS)] = draw(VALUES)
            continue
        path = draw(st.sampled_from(paths))
        parent, last = get_at(document, path[:-1]), path[-1]
        if change == "delete":
            del parent[last]
        elif change == "retype":
            old = kind_of(parent[last])
            other = draw(st.sampled_from([kind for kind in VALUES_OF_KIND if kind != old]))
            parent[last] = draw(VALUES_OF_KIND[other])
        else:
            parent[last] = draw(VALUES)
    return document


def _toml(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


@st.composite
def spliced(draw: st.DrawFn, original: bytes) -> bytes:
    """``original`` with a random slice replaced by random bytes."""
    start = draw(st.integers(0, len(original)))
    end = draw(st.integers(start, min(len(original), start + 200)))
    return original[:start] + draw(st.binary(max_size=50)) + original[end:]


INVALID_UTF8 = [
    b"\xff",
    b"\xfe\xfe",
    b"\x80",
    b"\xc3\x28",
    b"\xe2\x82",
    b"\xed\xa0\x80",  # an encoded surrogate
    b"\xf8\x88\x80\x80\x80",  # a 5-byte form
    b"\xc0\xaf",  # an overlong '/'
]


@st.composite
def with_invalid_utf8(draw: st.DrawFn, original: bytes) -> tuple[bytes, int]:
    """``original`` with an invalid UTF-8 sequence at a character boundary, and its line."""
    boundaries = [i for i in range(len(original) + 1) if i == len(original) or original[i] < 0x80]
    offset = draw(st.sampled_from(boundaries))
    bad = draw(st.sampled_from(INVALID_UTF8))
    return original[:offset] + bad + original[offset:], original.count(b"\n", 0, offset) + 1


def nested(shape: str, depth: int, where: str) -> str:
    """A TOML fragment nesting ``depth`` levels deep, to put under the table ``where``.

    With ``where`` empty the fragment goes first in the file (top-level keys);
    otherwise it opens its own table (``[where.deep]``, or a new ``[[steps]]``)
    and goes last.
    """
    dotted = ".".join(["a"] * depth)
    values = {
        "array": "[" * depth + "1" + "]" * depth,
        "inline": "{a = " * depth + "1" + "}" * depth,
    }
    if shape in values or shape == "dotted":
        body = f"{dotted} = 1\n" if shape == "dotted" else f"x = {values[shape]}\n"
        if not where:
            return body
        return ("[[steps]]\n" if where == "steps" else f"[{where}.deep]\n") + body
    head = f"{where}." if where else ""
    if shape == "header":
        return f"[{head}{dotted}]\nx = 1\n"
    assert shape == "arrays-of-tables"
    return "".join(f"[[{head}{'.'.join(['a'] * level)}]]\n" for level in range(1, depth + 1))


def with_fragment(original: str, fragment: str, where: str) -> str:
    return fragment + original if not where else original + "\n" + fragment


VALUE_SHAPES = ("array", "inline")
TABLE_SHAPES = ("header", "dotted", "arrays-of-tables")


# ---------------------------------------------------------------------------
# Generated bad files: playbooks


@FUZZ
@given(content=st.one_of(st.binary(max_size=3000), spliced(PLAYBOOK_FILES[0].read_bytes())))
def test_random_bytes_as_a_playbook(fuzz_dir: Path, content: bytes) -> None:
    path = fuzz_dir / "playbook.toml"
    path.write_bytes(content)
    valid_or_refused(cli("playbooks", "validate", str(path)), str(path))


@FUZZ
@given(document=RANDOM_DOCUMENTS["playbook"])
def test_random_toml_documents_as_a_playbook(fuzz_dir: Path, document: dict[str, Any]) -> None:
    path = fuzz_dir / "playbook.toml"
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    valid_or_refused(cli("playbooks", "validate", str(path)), str(path))


@pytest.mark.parametrize("original", PLAYBOOK_FILES, ids=lambda p: p.name)
@FUZZ
@given(data=st.data())
def test_mutated_real_playbooks(fuzz_dir: Path, original: Path, data: st.DataObject) -> None:
    """``validate`` and ``start`` give the same located refusal, or validate passes."""
    path = fuzz_dir / "playbook.toml"
    path.write_text(tomli_w.dumps(data.draw(mutated(_toml(original)))), encoding="utf-8")
    validated = cli("playbooks", "validate", str(path))
    if valid_or_refused(validated, str(path)) is None:
        return
    started = cli("start", str(path))
    refusal(started)
    assert started.stderr == validated.stderr


# ---------------------------------------------------------------------------
# Generated bad files: answers


def start_with_answers(path: Path) -> Result:
    return cli("start", "customer-outage", "--answers", str(path))


@FUZZ
@given(content=st.one_of(st.binary(max_size=3000), spliced(ANSWERS_FILE.read_bytes())))
def test_random_bytes_as_an_answers_file(fuzz_dir: Path, content: bytes) -> None:
    path = fuzz_dir / "answers.toml"
    path.write_bytes(content)
    valid_or_refused(start_with_answers(path), str(path))


@FUZZ
@given(document=RANDOM_DOCUMENTS["answers"])
def test_random_toml_documents_as_an_answers_file(fuzz_dir: Path, document: dict[str, Any]) -> None:
    path = fuzz_dir / "answers.toml"
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    valid_or_refused(start_with_answers(path), str(path))


@FUZZ
@given(document=mutated(_toml(ANSWERS_FILE)))
def test_mutated_real_answers_files(fuzz_dir: Path, document: dict[str, Any]) -> None:
    path = fuzz_dir / "answers.toml"
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    problem = valid_or_refused(start_with_answers(path), str(path))
    if problem is not None:
        assert "earlier answers" not in problem  # refused before any session was started


# ---------------------------------------------------------------------------
# Generated bad files: contracts


def compensate(path: Path) -> Result:
    return cli("compensation", "--contract", str(path), "--yes")


@FUZZ
@given(content=st.one_of(st.binary(max_size=3000), spliced(CONTRACT_FILE.read_bytes())))
def test_random_bytes_as_a_contract(session: str, fuzz_dir: Path, content: bytes) -> None:
    path = fuzz_dir / "contract.toml"
    path.write_bytes(content)
    valid_or_refused(compensate(path), str(path))


@FUZZ
@given(document=RANDOM_DOCUMENTS["contract"])
def test_random_toml_documents_as_a_contract(
    session: str, fuzz_dir: Path, document: dict[str, Any]
) -> None:
    path = fuzz_dir / "contract.toml"
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    valid_or_refused(compensate(path), str(path))


@FUZZ
@given(document=mutated(_toml(CONTRACT_FILE)))
def test_mutated_real_contracts(session: str, fuzz_dir: Path, document: dict[str, Any]) -> None:
    path = fuzz_dir / "contract.toml"
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    valid_or_refused(compensate(path), str(path))


# ---------------------------------------------------------------------------
# Generated bad files: training scenarios and trainee scripts

SCENARIO_FILES = [
    REPO / "scenarios" / "event-app-overload.en.toml",
    REPO / "scenarios" / "enterprise-outage.fr.toml",  # with a [contract] table
]
DRILL_SCENARIO = REPO / "scenarios" / "damaged-delivery.fr.toml"
DRILL_SCRIPT = REPO / "tests" / "data" / "training" / "damaged-delivery.fr.careful.toml"
FUZZ_DRILLS = settings(FUZZ, max_examples=25)


def check_scenario(path: Path) -> Result:
    return cli("scenario", "check", str(path))


@FUZZ
@given(content=st.one_of(st.binary(max_size=3000), spliced(SCENARIO_FILES[0].read_bytes())))
def test_random_bytes_as_a_scenario(fuzz_dir: Path, content: bytes) -> None:
    path = fuzz_dir / "scenario.toml"
    path.write_bytes(content)
    valid_or_refused(check_scenario(path), str(path))


@FUZZ
@given(document=DOCUMENTS)
def test_random_toml_documents_as_a_scenario(fuzz_dir: Path, document: dict[str, Any]) -> None:
    path = fuzz_dir / "scenario.toml"
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    valid_or_refused(check_scenario(path), str(path))


@pytest.mark.parametrize("original", SCENARIO_FILES, ids=lambda p: p.name)
@FUZZ
@given(data=st.data())
def test_mutated_real_scenarios(fuzz_dir: Path, original: Path, data: st.DataObject) -> None:
    """``scenario check`` and ``replay`` give the same located refusal, or check passes."""
    path = fuzz_dir / "scenario.toml"
    path.write_text(tomli_w.dumps(data.draw(mutated(_toml(original)))), encoding="utf-8")
    checked = check_scenario(path)
    if valid_or_refused(checked, str(path)) is None:
        return
    replayed = cli("replay", str(path), "--answers", str(DRILL_SCRIPT))
    refusal(replayed)
    assert replayed.stderr == checked.stderr
    assert json.loads(cli("sessions", "list", "--all", "--json").stdout) == []


@FUZZ_DRILLS
@given(document=mutated(_toml(DRILL_SCRIPT)))
def test_mutated_trainee_scripts(fuzz_dir: Path, document: dict[str, Any]) -> None:
    """A script the drill cannot run is refused before any session is recorded."""
    path = fuzz_dir / "script.toml"
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    before = json.loads(cli("sessions", "list", "--all", "--json").stdout)
    result = cli("replay", str(DRILL_SCENARIO), "--answers", str(path), "--json")
    if valid_or_refused(result, str(path)) is not None:
        assert json.loads(cli("sessions", "list", "--all", "--json").stdout) == before


@pytest.mark.parametrize(
    "expression",
    EXPRESSION_ATTACKS_FOR_CHECKS := [
        "__import__('os').system('touch CANARY')",
        "drill.__class__",
        "drill._minutes",
        "().__class__.__bases__[0].__subclasses__()",
        "open('/etc/passwd').read()",
        "'{0.__class__}'.format(1)",
        "(" * 10_000 + "1" + ")" * 10_000,
        "drill.updates\nimport os",
    ],
    ids=lambda e: f"attack{len(e)}",
)
def test_rubric_checks_reaching_for_python_are_refused(tmp_path: Path, expression: str) -> None:
    scenario = _toml(SCENARIO_FILES[0])
    scenario["rubric"][0]["check"] = expression
    path = tmp_path / "hostile.toml"
    path.write_text(tomli_w.dumps(scenario), encoding="utf-8")
    message = refused_file(check_scenario(path), str(path))
    assert message.startswith("the check ") or "is longer than" in message, message
    assert "rubric[0].check" in refusal(check_scenario(path))
    assert not (tmp_path / "work" / "CANARY").exists()


# ---------------------------------------------------------------------------
# Generated bad files: every TOML kind


def run_kind(kind: str, path: Path) -> Result:
    if kind == "playbook":
        return cli("playbooks", "validate", str(path))
    if kind == "answers":
        return start_with_answers(path)
    return compensate(path)


REAL_TOML = {"playbook": PLAYBOOK_FILES[1], "answers": ANSWERS_FILE, "contract": CONTRACT_FILE}


@pytest.mark.parametrize("kind", list(REAL_TOML))
@FUZZ
@given(data=st.data())
def test_invalid_utf8_is_refused_at_its_line(
    session: str, fuzz_dir: Path, kind: str, data: st.DataObject
) -> None:
    content, line = data.draw(with_invalid_utf8(REAL_TOML[kind].read_bytes()))
    path = fuzz_dir / f"{kind}.toml"
    path.write_bytes(content)
    assert refusal(run_kind(kind, path)) == f"{path}, line {line}: is not valid UTF-8 text"


@pytest.mark.parametrize("kind", list(REAL_TOML))
@FUZZ_BIG_FILES
@given(
    extra=st.integers(1, 64 * 1024),
    filler=st.sampled_from(["# comment line\n", "x = 1\n", '"key" = "value"\n', " ", "\n"]),
)
def test_files_over_the_size_cap_are_refused_unread(
    session: str, fuzz_dir: Path, kind: str, extra: int, filler: str
) -> None:
    head = REAL_TOML[kind].read_bytes()
    size = MiB + extra
    body = (filler.encode() * (size // len(filler) + 1))[: size - len(head)]
    path = fuzz_dir / f"{kind}.toml"
    path.write_bytes(head + body)
    assert path.stat().st_size == MiB + extra
    assert refused_file(run_kind(kind, path), str(path)) == (
        "is larger than 1024 KiB, the limit for such files"
    )


@pytest.mark.parametrize("kind", list(REAL_TOML))
def test_a_file_of_exactly_the_cap_is_read(session: str, fuzz_dir: Path, kind: str) -> None:
    head = REAL_TOML[kind].read_bytes() + b"\n"
    path = fuzz_dir / f"{kind}.toml"
    path.write_bytes(head + b"#" * (MiB - len(head)))
    assert path.stat().st_size == MiB
    assert_no_crash(result := run_kind(kind, path))
    assert result.exit_code == 0, result.stderr


def deep_files() -> st.SearchStrategy[tuple[str, str, str, int]]:
    """(kind, shape, where, depth): nesting up to 1,200 levels in every TOML kind.

    Deep tables in a playbook beyond ~400 levels crash (an internal error):
    that case is pinned by ``test_deep_tables_in_a_playbook_are_refused``.
    """
    wheres = {
        "playbook": ["", "playbook", "steps"],
        "answers": ["", "answers"],
        "contract": ["", "contract", "contract.generosity"],
    }
    safe = (
        st.tuples(
            st.sampled_from(["answers", "contract"]),
            st.sampled_from(VALUE_SHAPES + TABLE_SHAPES),
            st.integers(1, 1200),
        )
        | st.tuples(
            st.just("playbook"),
            st.sampled_from(VALUE_SHAPES),
            st.integers(1, 1200),
        )
        | st.tuples(st.just("playbook"), st.sampled_from(TABLE_SHAPES), st.integers(1, 300))
    )
    return safe.flatmap(
        lambda t: st.sampled_from(wheres[t[0]]).map(lambda where: (t[0], t[1], where, t[2]))
    )


@FUZZ
@given(case=deep_files())
def test_deep_nesting_is_refused(
    session: str, fuzz_dir: Path, case: tuple[str, str, str, int]
) -> None:
    kind, shape, where, depth = case
    original = REAL_TOML[kind].read_text(encoding="utf-8")
    path = fuzz_dir / f"{kind}.toml"
    path.write_text(with_fragment(original, nested(shape, depth, where), where), encoding="utf-8")
    result = run_kind(kind, path)
    assert_no_crash(result)
    # Unknown keys and too-deep values are refused; a deep array under a known key may fail
    # on its type. Whatever the reason, a refusal naming the file.
    message = refusal(result)
    assert message.startswith(str(path))


# ---------------------------------------------------------------------------
# Generated bad files: report templates

JINJA_PIECES = [
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "#}",
    "{{ incident.customer }}",
    "{{ nothing }}",
    "{% if %}",
    "{% endif %}",
    "{% for x in incident %}",
    "{% endfor %}",
    "{% include 'fuzz.md.j2' %}",
    "{% extends 'builtin/remediation.en.md.j2' %}",
    "{% extends 'builtin/update.en.md.j2' %}",
    "|dictsort",
    "|map('x')",
    "|round(1, 'x')",
    "|center(9)",
    "|indent(4)",
    "|batch(2)|list",
    "super()",
    "loop.index",
    "self",
    "report.name",
    "{% block x %}",
    "{% endblock %}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "|attr('__class__')",
    ".__class__",
    "|md",
    "|number",
    "|datetime",
    "|round(2)",
    "|join(', ')",
    "|int",
    "* 999999",
    "** 99",
    "range(100000)",
    "'x'",
    "1 / 0",
    "\n",
    "\u2028",
    "\x1b[31m",
]


@FUZZ
@given(
    content=st.one_of(
        st.binary(max_size=2000),
        st.lists(st.sampled_from(JINJA_PIECES) | st.text(max_size=6), max_size=30).map(
            lambda parts: "".join(parts).encode("utf-8", "surrogatepass")
        ),
        st.sampled_from(TEMPLATE_FILES).flatmap(lambda p: spliced(p.read_bytes())),
    )
)
def test_random_templates_render_or_are_refused_at_a_line(
    session: str, fuzz_dir: Path, content: bytes
) -> None:
    path = fuzz_dir / "fuzz.md.j2"
    path.write_bytes(content)
    result = cli("report", "-t", str(path))
    assert_no_crash(result)
    if result.exit_code == 0:
        assert "\x1b" not in result.stdout
        return
    message = refusal(result)
    match = re.match(r"(?P<file>[^,:]*\.j2)(?P<rest>.*)$", message)
    assert match, f"the message names no template file: {message}"
    located_problem(match["rest"])


@FUZZ_BIG_FILES
@given(extra=st.integers(1, 64 * 1024))
def test_templates_over_their_cap_are_refused(session: str, fuzz_dir: Path, extra: int) -> None:
    path = fuzz_dir / "big.md.j2"
    path.write_bytes(b"x" * (256 * 1024 + extra))
    message = refusal(cli("report", "-t", str(path)))
    assert message == f"{path}: is {256 * 1024 + extra:,} bytes; templates are capped at 262,144"


# ---------------------------------------------------------------------------
# Hand-written: expressions in `when` and `compute`

EXPRESSION_ATTACKS = [
    "__import__('os').system('touch CANARY')",
    "__import__",
    "().__class__.__bases__[0].__subclasses__()",
    "''.__class__.__mro__[1].__subclasses__()",
    "impact.__class__",
    "impact.affected.__class__",
    "impact.affected.real",
    "impact._affected",
    "_impact.affected",
    "true.__class__",
    "abs.__self__",
    "min.__call__",
    "(lambda: 1)()",
    "lambda: __import__('os')",
    "[x for x in [1, 2]]",
    "{x: 1 for x in [1]}",
    "{x for x in [1]}",
    "sum(x for x in [1])",
    "f'{impact.affected}'",
    "f'{().__class__}'",
    "(y := 1)",
    "impact['affected']",
    "getattr(impact, 'affected')",
    "open('/etc/passwd').read()",
    "eval('1')",
    "exec('import os')",
    "compile('1', 'x', 'eval')",
    "globals()",
    "__builtins__",
    "min([1], key=abs)",
    "impact.affected is none",
    "~impact.affected",
    "impact.affected @ 1",
    "impact.affected << 1",
    "b'bytes'",
    "...",
    "1j",
    "[*[1]]",
    "{'a': 1}",
    "{1, 2}",
    "await impact.affected",
    "yield 1",
    "impact.affected; import os",
    "impact.affected\nimport os",
    "1 if true else __import__('os')",
    "str.format('{0.__class__}', 1)",
    "'{0.__class__}'.format(1)",
    "'x' * 10**10 if impact.affected.__len__ else 1",
    "a\x00b",
    "\x1b[2J",
    "(" * 10_000 + "1" + ")" * 10_000,
    "(" * 999 + "1" + ")" * 999,
    "-" * 1999 + "1",
    "not " * 400 + "true",
    "+".join(["1"] * 1000),
    "1 + " * 700 + "1",
    "impact.affected + " * 200 + "1",
    "[" * 500 + "]" * 500,
]

# Where an expression can be, and the key path its refusal names.
EXPRESSION_PLACES = {
    "compute": "steps[0].compute.hostile",
    "step-when": "steps[1].when",
    "question-when": "steps[1].questions[1].when",
}


def mini_playbook_with(place: str, expression: str) -> dict[str, Any]:
    playbook = tomllib.loads(MINI_PLAYBOOK)
    if place == "compute":
        playbook["steps"][0]["compute"]["hostile"] = expression
    elif place == "step-when":
        playbook["steps"][1]["when"] = expression
    else:
        playbook["steps"][1]["questions"][1]["when"] = expression
    return playbook


@pytest.mark.parametrize("place", list(EXPRESSION_PLACES))
@pytest.mark.parametrize(
    "expression", EXPRESSION_ATTACKS, ids=[f"attack{i}" for i in range(len(EXPRESSION_ATTACKS))]
)
def test_expressions_reaching_for_python_are_refused_at_their_key(
    tmp_path: Path, place: str, expression: str
) -> None:
    path = tmp_path / "hostile.toml"
    path.write_text(tomli_w.dumps(mini_playbook_with(place, expression)), encoding="utf-8")
    started = time.monotonic()
    result = cli("playbooks", "validate", str(path))
    message = refusal(result)
    assert message.startswith(f"{path}, at {EXPRESSION_PLACES[place]}: the expression "), message
    assert time.monotonic() - started < 5
    assert len(message) < 1000  # a 10,000-character expression is not echoed back
    assert "\x1b" not in result.stderr
    assert not (tmp_path / "work" / "CANARY").exists()
    if place == "compute":  # `start` refuses it the same way, before a session exists
        assert cli("start", str(path)).stderr == result.stderr
        assert json.loads(cli("sessions", "list", "--json").stdout) == []


# Allowed by the grammar, so a playbook holding them is valid; evaluating them
# must be refused quickly, as an error beside the value, never a hang or a crash.
EXPENSIVE_EXPRESSIONS = [
    "10**10**10",
    "7**7**7",
    "2 ** 1000",
    "(10**30) * (10**30)",
    "10**30 + 10**30",
    "-10**30 - 1",
    "'a' * 10**9",
    "[1] * 10**9",
    "'x' * 10000 + 'y'",
    "str(impact.affected) * 100000",
    "str([1] * 5000)",
    "[1] * 6000 + [1] * 6000",
    "int('9' * 5000)",
    "int('1' * 4000)",
    "float('1e999')",
    "int(1e300)",
    "2.0 ** 1e308",
    "(-8) ** 0.5",
    "impact.affected / 0",
    "impact.affected // 0",
    "impact.affected % 0",
    "'%s%s' % (impact.affected, impact.total)",
    "max([])",
    "len(impact.affected)",
    "sum(['a', 'b'])",
    "abs('x')",
    "round('x')",
    "min(1, 'a')",
]


def test_expensive_expressions_fail_fast_beside_their_value(tmp_path: Path) -> None:
    playbook = tomllib.loads(MINI_PLAYBOOK)
    compute = playbook["steps"][0]["compute"]
    for number, expression in enumerate(EXPENSIVE_EXPRESSIONS):
        compute[f"c{number}"] = expression
    playbook["steps"][1]["when"] = "10**10**10 > 1 or 'a' * 10**9 == 'a'"
    path = tmp_path / "expensive.toml"
    path.write_text(tomli_w.dumps(playbook), encoding="utf-8")
    answers = tmp_path / "answers.toml"
    answers.write_text(
        '[answers]\n"impact.affected" = 3\n"impact.total" = 1000\n'
        '"limits.abusive" = false\n"limits.notes" = "none"\n'
    )
    assert cli("playbooks", "validate", str(path)).exit_code == 0

    started = time.monotonic()
    walked = crisis_process("start", str(path), "--answers", str(answers), timeout=60)
    assert walked.returncode == 0, walked.stderr
    assert time.monotonic() - started < 30
    view = json.loads(crisis_process("status", "--json", timeout=60).stdout)
    for number, expression in enumerate(EXPENSIVE_EXPRESSIONS):
        computed = view["computed"][f"impact.c{number}"]
        assert computed["value"] is None and computed["error"], (expression, computed)
    assert [step["status"] for step in view["steps"]] == ["done", "skipped"]


def test_rounding_to_a_huge_number_of_digits_fails_fast(tmp_path: Path) -> None:
    playbook = tomllib.loads(MINI_PLAYBOOK)
    playbook["steps"][0]["compute"]["rounded"] = "round(impact.affected, -1000000000)"
    path = tmp_path / "round.toml"
    path.write_text(tomli_w.dumps(playbook), encoding="utf-8")
    answers = tmp_path / "answers.toml"
    answers.write_text(
        '[answers]\n"impact.affected" = 3\n"impact.total" = 1000\n'
        '"limits.abusive" = false\n"limits.notes" = "none"\n'
    )
    try:
        walked = crisis_process("start", str(path), "--answers", str(answers), timeout=5)
    except subprocess.TimeoutExpired:
        pytest.fail("`crisis start` was still computing round(3, -1000000000) after 5 s")
    assert walked.returncode == 0, walked.stderr
    computed = json.loads(crisis_process("status", "--json", timeout=8).stdout)["computed"]
    assert computed["impact.rounded"]["error"]


# ---------------------------------------------------------------------------
# Hand-written: session ids, playbook names and paths, titles, CRISIS_HOME

HOSTILE_SESSION_IDS = [
    "../x",
    "../../etc/passwd",
    "/etc/passwd",
    "20261122-1405-k3m9qz/../../x",
    "..",
    ".",
    "",
    "a\x00b",
    "20261122-1405-k3m9qz\x00",
    "x" * 10_000,
    "2" * 10_000,
    "20261122-1405-K3M9QZ",
    "20261122-1405-k3m9qz\n",
    " 20261122-1405-k3m9qz",
    "20261122-1405-k3m9q%",
    "20261122-1405-k3m9q*",
    "' OR 1=1 --",
    "%s%n%x",
    "\x1b[2J\x1b]0;pwned\x07",
    "\udcff\udcfe",  # undecodable bytes, as argv gives them
    "20261122-1405-k3m9qz",  # well formed, but no such session
]
SESSION_COMMANDS = [
    ["status"],
    ["status", "--json"],
    ["resume"],
    ["report"],
    ["close"],
    ["sessions", "show"],
    ["watch"],
]


@pytest.mark.parametrize("command", SESSION_COMMANDS, ids=" ".join)
@pytest.mark.parametrize(
    "session_id", HOSTILE_SESSION_IDS, ids=[f"id{i}" for i in range(len(HOSTILE_SESSION_IDS))]
)
def test_hostile_session_ids_are_refused(
    session: str, tmp_path: Path, command: list[str], session_id: str
) -> None:
    result = cli(*command, session_id)
    message = refusal(result)
    assert "session" in message
    assert len(message) < 300  # a 10,000-character id is not echoed back
    assert "\x1b" not in result.stderr and "\x00" not in result.stderr
    assert result.stdout == ""
    created = {p.name for p in tmp_path.rglob("*")} - {"home", "work", "fuzz"}
    assert all(name.startswith("crisis.db") for name in created), created


def test_a_session_id_option_is_checked_the_same_way(session: str) -> None:
    for args in (["note", "x"], ["stakeholder", "add", "Tim"], ["compensation", "--yes"]):
        message = refusal(cli(*args, "--session", "../../etc/passwd"))
        assert "is not a session id" in message


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("./../x.toml", "no such file"),
        ("../../../../../../x.toml", "no such file"),
        ("playbooks/../../x.toml", "no such file"),
        ("a/" * 2_030 + "x.toml", "cannot be read"),  # longer than PATH_MAX once absolute
        ("x" * 300 + ".toml", "cannot be read"),  # longer than NAME_MAX
        ("/etc", "is a folder"),
        ("/dev/zero", "is larger than"),
    ],
    ids=["dot-dot", "many-dot-dots", "dot-dot-inside", "path-max", "name-max", "folder", "dev"],
)
def test_hostile_playbook_paths_are_located_refusals(name: str, problem: str) -> None:
    result = cli("start", name)
    message = refusal(result)
    shown = str(Path.cwd() / name) if not name.startswith("/") else name
    assert message.startswith(f"{shown}: {problem}"), message


def test_a_dot_dot_path_reads_exactly_the_file_named(tmp_path: Path) -> None:
    (tmp_path / "x.toml").write_text("[playbook]\n", encoding="utf-8")
    message = refusal(cli("start", "./../x.toml"))
    assert message.startswith(f"{tmp_path / 'work' / '..' / 'x.toml'}, at playbook.")


@pytest.mark.parametrize(
    "name",
    ["a\x00b", "x" * 10_000, "../" * 2_000 + "x.toml", "\x1b[2J", "\udcff"],
    ids=["nul", "long", "long-dot-dots", "escape", "undecodable"],
)
def test_hostile_playbook_names_are_refused(name: str) -> None:
    result = cli("start", name)
    message = refusal(result)
    assert len(message) < 500
    assert "\x1b" not in result.stderr and "\x00" not in result.stderr


@pytest.mark.parametrize(
    ("title", "problem"),
    [
        ("a\udcffb", "holds bytes that are not valid UTF-8"),
        ("two\nlines", "holds a line break"),
        ("x" * 20_001, "is longer than 20,000 characters"),
        ("   ", "is empty"),
    ],
    ids=["undecodable", "line-break", "too-long", "blank"],
)
def test_hostile_titles_are_refused_before_a_session_exists(title: str, problem: str) -> None:
    result = cli("start", "customer-outage", "--answers", str(ANSWERS_FILE), "--title", title)
    assert refusal(result).startswith(f"--title {problem}")
    assert json.loads(cli("sessions", "list", "--json").stdout) == []


@pytest.mark.parametrize("title", ["a\x00b", "T\x1b[2J\x1b]0;pwned\x07", "a\x9b2Jb", "<b>x</b>"])
def test_titles_with_control_characters_stay_inert(title: str) -> None:
    """Accepted (a title is free text) but never printed raw: no NUL, ESC or CSI in output."""
    result = cli("start", "customer-outage", "--answers", str(ANSWERS_FILE), "--title", title)
    assert_no_crash(result)
    if result.exit_code == 2:
        return  # refusing such a title is fine too
    assert result.exit_code == 0, result.stderr
    for args in (["status"], ["sessions", "list"], ["report"], ["report", "-f", "html"]):
        shown = cli(*args)
        assert shown.exit_code == 0, shown.stderr
        assert not re.search(r"[\x00\x1b\x07\x9b]", shown.stdout + shown.stderr), args
    html = cli("report", "-f", "html").stdout
    assert "<b>x</b>" not in html


def test_crisis_home_with_a_nul_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # A real environment cannot hold NUL (execve refuses it): fake os.environ to reach the check.
    monkeypatch.setattr(os, "environ", {**os.environ, "CRISIS_HOME": "/tmp/a\x00b"})
    assert refusal(cli("status")) == "CRISIS_HOME contains a NUL character; expected a folder path"


@pytest.mark.parametrize(
    "home",
    ["/etc/passwd", "/proc/self", "x" * 10_000, "/tmp/\x1b[2J"],
    ids=["file", "proc", "long", "escape"],
)
def test_an_unusable_crisis_home_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, home: str
) -> None:
    monkeypatch.setenv("CRISIS_HOME", home if home.startswith("/") else str(tmp_path / home))
    for args in (["status"], ["sessions", "list"]):
        result = cli(*args)
        assert_no_crash(result)
        if result.exit_code == 0:
            continue  # an empty but usable folder
        assert result.exit_code in (1, 2)
        (line,) = result.stderr.splitlines()
        assert line.startswith(PREFIX) and "\x1b" not in line


# ---------------------------------------------------------------------------
# Hand-written: stakeholders, answers with markup and escapes, huge answers

EVIL = (
    "\x1b[31mRED\x1b[0m <script>alert(1)</script> \x1b]0;pwned\x07 "
    "<img src=x onerror=alert(1)> \x9b2J [link](javascript:alert(1)) &amp; \x00 \x7f"
)


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["stakeholder", "add", "x" * 10_000], "the stakeholder name is longer than 200"),
        (["stakeholder", "add", "Tim", "--org", "x" * 10_000], "the --org is longer than 200"),
        (["stakeholder", "add", "Tim", "--role", "x" * 10_000], "the --role is longer than 200"),
        (["stakeholder", "add", " \n\t "], "the stakeholder name is empty"),
        (["stakeholder", "add", "Tim", "--cadence", "-1"], "--cadence -1 is out of range"),
        (["stakeholder", "add", "Tim", "--cadence", "99999999"], "--cadence 99999999 is out"),
        (["note", "x" * 20_001], "TEXT is longer than 20,000 characters"),
        (["note", "a\udcffb"], "TEXT holds bytes that are not valid UTF-8"),
    ],
    ids=["name", "org", "role", "blank", "cadence-negative", "cadence-huge", "note", "note-utf8"],
)
def test_hostile_live_values_are_refused(session: str, args: list[str], problem: str) -> None:
    result = cli(*args)
    assert refusal(result).startswith(problem)


def test_stakeholder_names_with_control_characters_stay_inert(session: str) -> None:
    for name in (EVIL, "Tim\x00", "Lea\x1b[8m", "x" * 200):
        added = cli("stakeholder", "add", name, "--org", EVIL, "--role", "\x1b[2J")
        assert_no_crash(added)
        assert added.exit_code in (0, 2), added.stderr
        assert "\x1b" not in added.stdout + added.stderr
    for args in (["stakeholder", "list"], ["status"], ["report", "-f", "txt"], ["report"]):
        shown = cli(*args)
        assert shown.exit_code == 0, shown.stderr
        assert not re.search(r"[\x00\x1b\x07]", shown.stdout), args
    html = cli("report", "-f", "html").stdout
    assert "<script>" not in html and "<img" not in html


def evil_answers(tmp_path: Path) -> Path:
    answers = _toml(ANSWERS_FILE)
    table = answers["answers"]
    for key in ("acknowledge.customer", "acknowledge.owner", "acknowledge.summary"):
        table[key] = EVIL.replace("\x00", "")  # a NUL in a TOML string is written \u0000
    table["impact.method"] = EVIL
    table["resolve.root_cause"] = f"{EVIL}\n# heading\n{EVIL}"
    table["review.lessons"] = [EVIL, "</td></tr></table><script>x()</script>"]
    table["review.actions"] = [f"{EVIL.replace(';', ',')}; Alex; 2026-12-01"]
    path = tmp_path / "evil.toml"
    path.write_text(tomli_w.dumps(answers), encoding="utf-8")
    return path


def test_answers_with_escapes_and_markup_stay_inert_everywhere(tmp_path: Path) -> None:
    started = cli("start", "customer-outage", "--answers", str(evil_answers(tmp_path)))
    assert started.exit_code == 0, started.stderr
    session_id = started.stdout.strip()
    cli("note", EVIL)
    for args in (
        ["status"],
        ["status", "--json"],
        ["sessions", "show", session_id],
        ["sessions", "list"],
        ["report", "-f", "txt"],
        ["report", "-f", "md"],
        ["report", "-f", "json"],
        ["report", "-t", "postmortem", "-f", "html"],
        ["report", "-f", "html"],
    ):
        shown = cli(*args)
        assert shown.exit_code == 0, (args, shown.stderr)
        assert "\x1b" not in shown.stdout + shown.stderr, args
        assert "\x07" not in shown.stdout, args
    status = cli("status").stdout
    assert "\\x1b[31mRED" in status  # shown, not obeyed
    assert "\x9b" not in status and "\x7f" not in status
    html = cli("report", "-f", "html").stdout
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "javascript:" not in re.sub(r"&[^;]+;", "", html).split("[link](")[0]
    markdown = cli("report", "-f", "md").stdout
    assert "<script>" not in markdown and "\n# heading" not in markdown


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("acknowledge.customer", "x" * 20_001),
        ("resolve.root_cause", "line\n" * 4_001),
        ("review.actions", [f"{'x' * 7_000}; {'y' * 7_000}; 2026-12-01"] * 2),
    ],
    ids=["text", "multiline", "actions"],
)
def test_huge_answers_in_a_file_are_refused_at_their_key(
    tmp_path: Path, key: str, value: Any
) -> None:
    answers = _toml(ANSWERS_FILE)
    answers["answers"][key] = value
    path = tmp_path / "huge.toml"
    path.write_text(tomli_w.dumps(answers), encoding="utf-8")
    message = refusal(start_with_answers(path))
    assert message.startswith(f'{path}, at answers."{key}": ')
    assert "20,000" in message or "20000" in message or "20 000" in message, message
    assert json.loads(cli("sessions", "list", "--json").stdout) == []


def test_a_huge_list_answer_is_refused(tmp_path: Path) -> None:
    answers = _toml(ANSWERS_FILE)
    answers["answers"]["inform.stakeholders"] = ["x" * 900] * 100
    path = tmp_path / "huge.toml"
    path.write_text(tomli_w.dumps(answers), encoding="utf-8")
    message = refusal(start_with_answers(path))
    assert message.startswith(f'{path}, at answers."inform.stakeholders": ')


def test_a_huge_piped_answer_is_refused_at_its_line() -> None:
    result = cli("start", "customer-outage", input="x" * 20_001 + "\n")
    assert_no_crash(result)
    assert result.exit_code == 2
    message = result.stderr.splitlines()[-1].removeprefix(PREFIX)  # after the progress lines
    assert message.startswith("standard input, line 1: answer to acknowledge.customer: ")
    assert "20" in message


# ---------------------------------------------------------------------------
# Hand-written: templates trying to leave the sandbox

TEMPLATE_ATTACKS = [
    "{{ ''.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ [].__class__.__base__.__subclasses__() }}",
    "{{ ''|attr('__class__') }}",
    "{{ (''|attr('__class__')|attr('__mro__'))[1] }}",
    "{{ '{0.__class__}'.format(1) }}",
    "{{ '{0.__globals__}'.format(cycler.__init__) }}",
    "{{ '%s'|format(cycler.__init__) }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ lipsum.__globals__ }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ self._TemplateReference__context }}",
    "{{ self.__init__.__globals__ }}",
    "{{ report.__class__ }}",
    "{{ config }}",
    "{{ request }}",
    "{% set x = [] %}{{ x.append(1) }}",
    "{% set d = {} %}{{ d.update(a=1) }}",
    "{{ incident.__dict__ }}",
    "{% include '/etc/passwd' %}",
    "{% include '../../../../../../etc/passwd' %}",
    "{% include '/etc/hostname.j2' %}",
    "{% include '../../../../../../tmp/x.j2' %}",
    "{% extends '/etc/passwd' %}",
    "{% import '/etc/passwd' as p %}",
    "{% from '/etc/passwd' import x %}",
    "{% include 'hostile.md.j2' %}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "{{ range(10**9)|list }}",
    "{{ range(100001)|list|length }}",
    "{{ 'x' * 10**9 }}",
    "{{ 'x' * 999999999 }}",
    "{{ [1] * 10**9 }}",
    "{{ 7**(7**7) }}",
    "{{ 2**4097 }}",
    "{{ (10**1000) * (10**1000) }}",
    "{{ 'x'|center(2000000000) }}",
    "{{ 1 / 0 }}",
    "{{ {}['x'] }}",
    "{{ nothing }}",
    "{% for %}",
    "{{ }}",
]


@pytest.mark.parametrize(
    "source", TEMPLATE_ATTACKS, ids=[f"tpl{i}" for i in range(len(TEMPLATE_ATTACKS))]
)
def test_hostile_templates_are_refused_at_a_line(session: str, tmp_path: Path, source: str) -> None:
    folder = tmp_path / "templates-dir"
    folder.mkdir()
    path = folder / "hostile.md.j2"
    path.write_text(source + "\n", encoding="utf-8")
    started = time.monotonic()
    result = cli("report", "-t", str(path))
    message = refusal(result)
    assert time.monotonic() - started < 15
    assert "root:" not in result.stdout + result.stderr  # /etc/passwd never shows
    match = re.match(r"(?P<file>[^,:]*\.j2)(?P<rest>.*)$", message)
    assert match, message
    located_problem(match["rest"])


@pytest.mark.parametrize(
    ("source", "value"), [("{{ 7**7**7 }}", (7**7) ** 7), ("{{ 10**10**10 }}", (10**10) ** 10)]
)
def test_left_associative_powers_are_small_and_allowed(
    session: str, tmp_path: Path, source: str, value: int
) -> None:
    """In Jinja ``**`` is left-associative: ``7**7**7`` is ``(7**7)**7``, 42 digits, no hang."""
    path = tmp_path / "power.md.j2"
    path.write_text(source + "\n", encoding="utf-8")
    result = cli("report", "-t", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(value)


def test_a_template_cannot_include_a_template_file_by_absolute_path(
    session: str, tmp_path: Path
) -> None:
    secret = tmp_path / "outside" / "secret.md.j2"
    secret.parent.mkdir()
    secret.write_text("SECRET\n", encoding="utf-8")
    path = tmp_path / "work" / "thief.md.j2"
    path.write_text(f"{{% include '{secret}' %}}\n", encoding="utf-8")
    result = cli("report", "-t", str(path))
    assert refused_file(result, str(path)) == f"includes '{secret}', which was not found"
    assert "SECRET" not in result.stdout


def test_a_template_linking_outside_its_folder_is_refused(session: str, tmp_path: Path) -> None:
    folder = tmp_path / "work" / "templates"
    folder.mkdir()
    (folder / "leak.en.md.j2").symlink_to("/etc/passwd")
    result = cli("report", "-t", "leak")
    message = refusal(result)
    assert message.startswith(f"{folder / 'leak.en.md.j2'}: links to a file outside")
    assert "root:" not in result.stdout


@pytest.mark.parametrize("name", ["x\x00.md.j2", "a\x00b", "\x1b[2J.md.j2", "x" * 10_000])
def test_hostile_template_names_are_refused(session: str, name: str) -> None:
    result = cli("report", "-t", name)
    refusal(result)
    assert "\x1b" not in result.stderr and "\x00" not in result.stderr


def test_a_template_path_that_is_not_a_template_is_named_as_given(session: str) -> None:
    message = refusal(cli("report", "-t", "/etc/passwd"))
    assert message.startswith("/etc/passwd: ")
    assert "includes" not in message


def test_rounding_filters_with_huge_precision_are_stopped(session: str, tmp_path: Path) -> None:
    # `{{ 1.5|round(1000000000, 'ceil') }}` hangs the same way (10**precision in do_round).
    source = "{{ 3|round(-1000000000) }}"
    path = tmp_path / "round.md.j2"
    path.write_text(source + "\n", encoding="utf-8")
    try:  # a bounded filter refuses at once (the 10 s render limit never fires in C code)
        result = crisis_process("report", "-t", str(path), timeout=6)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`crisis report` was still rendering {source} after 6 s")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"{PREFIX}{path}, line 1: ")


# ---------------------------------------------------------------------------
# Known bugs found by the deep-nesting and random-document strategies


@pytest.mark.parametrize("where", ["", "playbook", "steps"])
@pytest.mark.parametrize("shape", TABLE_SHAPES)
def test_deep_tables_in_a_playbook_are_refused(tmp_path: Path, shape: str, where: str) -> None:
    original = PLAYBOOK_FILES[0].read_text(encoding="utf-8")
    path = tmp_path / "deep.toml"
    path.write_text(with_fragment(original, nested(shape, 1000, where), where), encoding="utf-8")
    result = cli("playbooks", "validate", str(path))
    refused_file(result, str(path))


@pytest.mark.parametrize(("shape", "depth"), [("array", 250), ("inline", 250), ("header", 300)])
def test_deep_playbook_values_name_a_key_path(tmp_path: Path, shape: str, depth: int) -> None:
    original = PLAYBOOK_FILES[0].read_text(encoding="utf-8")
    path = tmp_path / "deep.toml"
    path.write_text(with_fragment(original, nested(shape, depth, "playbook"), "playbook"))
    message = refusal(cli("playbooks", "validate", str(path)))
    assert message.startswith(f"{path}, at playbook."), message
    assert "json" not in message


@pytest.mark.parametrize("kind", list(REAL_TOML))
def test_toml_nested_too_deeply_names_its_line(session: str, tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.toml"
    original = REAL_TOML[kind].read_text(encoding="utf-8")
    path.write_text(original + "\n" + nested("array", 1000, ""), encoding="utf-8")  # last line
    line = original.count("\n") + 2
    message = refusal(run_kind(kind, path))
    expected = f"{path}, line {line}: invalid TOML: nested more than 32 levels deep"
    assert message == expected, message


@pytest.mark.parametrize(
    "content", ["", "# nothing\n", "answers = 1\n", "answers = []\n"], ids=repr
)
def test_an_answers_file_without_its_table_names_the_key(tmp_path: Path, content: str) -> None:
    path = tmp_path / "answers.toml"
    path.write_text(content, encoding="utf-8")
    message = refusal(start_with_answers(path))
    assert message.startswith(f"{path}, at answers: "), message


@pytest.mark.parametrize("kind", list(REAL_TOML))
def test_an_empty_key_is_named_in_the_key_path(session: str, tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.toml"
    path.write_text('"" = 1\n' + REAL_TOML[kind].read_text(encoding="utf-8"), encoding="utf-8")
    message = refusal(run_kind(kind, path))
    assert message.startswith(f'{path}, at "": '), message


@pytest.mark.parametrize("kind", list(REAL_TOML))
def test_toml_errors_at_the_end_name_the_last_line(session: str, tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.toml"
    original = REAL_TOML[kind].read_text(encoding="utf-8")
    path.write_text(original + "A", encoding="utf-8")
    line = original.count("\n") + 1
    message = refusal(run_kind(kind, path))
    assert message == (
        f"{path}, line {line}: invalid TOML: expected '=' after a key in a key/value pair"
    ), message


@pytest.mark.parametrize(
    ("kind", "edit"),
    [
        ("answers", lambda text: text.replace("[answers]\n", '[answers]\n"a\\nb" = 1\n')),
        ("contract", lambda text: text.replace("[contract]\n", '[contract]\n"a\\nb" = 1\n')),
        ("playbook", lambda text: text.replace("[playbook]\n", '[playbook]\n"a\\nb" = 1\n')),
        (
            "playbook",
            lambda text: text.replace(
                'report_as = "incident.customer"', 'report_as = "incident.cus\\ntomer"', 1
            ),
        ),
    ],
    ids=["answers-key", "contract-key", "playbook-key", "playbook-report-as"],
)
def test_a_line_feed_in_a_key_or_value_stays_on_one_line(
    session: str, tmp_path: Path, kind: str, edit: Any
) -> None:
    original = PLAYBOOK_FILES[0] if kind == "playbook" else REAL_TOML[kind]
    path = tmp_path / f"{kind}.toml"
    path.write_text(edit(original.read_text(encoding="utf-8")), encoding="utf-8")
    result = run_kind(kind, path)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1, result.stderr


@pytest.mark.parametrize(
    "source",
    [
        "{% extends 'builtin/remediation.en.md.j2' %}{% extends 'builtin/remediation.en.md.j2' %}",
        "{{ 1|round(2, 'x') }}",
        "{{ {'a': 1}|dictsort(by='x') }}",
        "{{ [1]|map('nosuchfilter')|list }}",
        "{{ [1]|select('nosuchtest')|list }}",
    ],
    ids=["extends-twice", "round-method", "dictsort-by", "map-unknown", "select-unknown"],
)
def test_template_runtime_errors_are_located_refusals(
    session: str, tmp_path: Path, source: str
) -> None:
    path = tmp_path / "runtime.md.j2"
    path.write_text(source + "\n", encoding="utf-8")
    assert refused_file(cli("report", "-t", str(path)), str(path))
