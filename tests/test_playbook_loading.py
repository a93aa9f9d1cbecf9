"""A corpus of broken playbooks, each with the exact message a user sees."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from crisiscli.errors import PlaybookError
from crisiscli.playbook_loading import load_playbook

from .conftest import MINI_PLAYBOOK

HEAD = """
[playbook]
id = "broken"
title = "Broken"
language = "en"
"""

STEP = """
[[steps]]
id = "impact"
title = "Impact"
phase = "quantify"
[[steps.questions]]
id = "affected"
type = "integer"
prompt = "How many?"
"""

CASES: list[tuple[str, str, str]] = [
    (
        "toml-syntax",
        HEAD + "[[steps]\n",
        "p.toml, line 5: invalid TOML: expected ']]' at the end of an array declaration",
    ),
    (
        "unknown-key-with-suggestion",
        HEAD + STEP + "mni = 0\n",
        "p.toml, at steps[0].questions[0].mni: unknown key 'mni' (did you mean 'min'?)",
    ),
    (
        "unknown-top-level-table",
        HEAD + STEP + "[stepz]\n",
        "p.toml, at stepz: unknown key 'stepz' (did you mean 'steps'?)",
    ),
    (
        "bad-question-type",
        HEAD + STEP.replace('"integer"', '"integr"'),
        "p.toml, at steps[0].questions[0].type: expected one of 'text', 'multiline', 'integer', "
        "'number', 'choice', 'multichoice', 'confirm', 'score', 'list', 'datetime', 'actions'; "
        "got 'integr' (did you mean 'integer'?)",
    ),
    (
        "bad-phase",
        HEAD + STEP.replace('"quantify"', '"panic"'),
        "p.toml, at steps[0].phase: expected one of 'acknowledge', 'inform', 'quantify', "
        "'mitigate', 'limits', 'resolve', 'compensate', 'feedback', 'custom'; got 'panic'",
    ),
    (
        "missing-title",
        HEAD + STEP.replace('title = "Impact"\n', ""),
        "p.toml, at steps[0].title: is required but missing",
    ),
    (
        "wrong-type",
        HEAD + STEP.replace('prompt = "How many?"', "prompt = 3"),
        "p.toml, at steps[0].questions[0].prompt: expected text, got a whole number",
    ),
    (
        "several-problems",
        HEAD + STEP.replace('prompt = "How many?"', "prompt = 3\nmni = 1"),
        "p.toml, at steps[0].questions[0].prompt: expected text, got a whole number "
        "(and 1 more problem)",
    ),
    (
        "bad-playbook-id",
        HEAD.replace('"broken"', '"Broken Playbook"') + STEP,
        "p.toml, at playbook.id: expected lowercase letters, digits and dashes, "
        "like customer-outage",
    ),
    (
        "bad-language",
        HEAD.replace('"en"', '"de"') + STEP,
        "p.toml, at playbook.language: expected one of 'en', 'fr'; got 'de'",
    ),
    ("no-steps", HEAD, "p.toml, at steps: is required but missing"),
    (
        "duplicate-step",
        HEAD + STEP + STEP,
        "p.toml, at steps[1].id: the step id 'impact' is used twice",
    ),
    (
        "choice-without-choices",
        HEAD + STEP.replace('"integer"', '"choice"'),
        "p.toml, at steps[0].questions[0].choices: a choice question needs a list of choices",
    ),
    (
        "min-on-text",
        HEAD + STEP.replace('"integer"', '"text"') + "min = 1\n",
        "p.toml, at steps[0].questions[0].min: min only applies to integer and number, not text",
    ),
    (
        "bad-default",
        HEAD + STEP + 'default = "many"\n',
        "p.toml, at steps[0].questions[0].default: the default does not fit the question: "
        "expected a whole number, like 1000",
    ),
    (
        "misspelt-reference",
        HEAD + STEP + '[steps.compute]\nshare = "impact.afected / 10"\n',
        "p.toml, at steps[0].compute.share: unknown answer 'impact.afected' "
        "(did you mean 'impact.affected'?); expressions read step_id.question_id or computed "
        "values and may call abs, answered, float, int, len, max, min, round, str, sum",
    ),
    (
        "forward-reference",
        HEAD + STEP.replace('phase = "quantify"', 'phase = "quantify"\nwhen = "impact.affected"'),
        "p.toml, at steps[0].when: 'impact.affected' is answered later in the playbook; "
        "refer to earlier answers",
    ),
    (
        "python-internals",
        HEAD + STEP + '[steps.compute]\nx = "impact.affected.__class__"\n',
        "p.toml, at steps[0].compute.x: the expression uses 'impact.affected.__class__'; "
        "only step_id.question_id is allowed",
    ),
    (
        "import-attempt",
        HEAD + STEP + "[steps.compute]\nx = \"__import__('os').system('true')\"\n",
        "p.toml, at steps[0].compute.x: the expression calls '__import__('os').system', which "
        "is not one of: abs, answered, float, int, len, max, min, round, str, sum",
    ),
    (
        "empty-title",
        HEAD.replace('"Broken"', '"  "') + STEP,
        "p.toml, at playbook.title: expected some text, got an empty string",
    ),
    (
        "empty-default",
        HEAD + STEP + 'default = ""\n',
        "p.toml, at steps[0].questions[0].default: expected a default answer; "
        "leave the key out for no default",
    ),
    (
        "id-with-trailing-newline",
        HEAD.replace('"broken"', '"broken\\n"') + STEP,
        "p.toml, at playbook.id: expected lowercase letters, digits and dashes, "
        "like customer-outage",
    ),
    (
        "decimal-where-whole-number-expected",
        HEAD + "[playbook.cadence]\nupdate_every_minutes = 1.5\n" + STEP,
        "p.toml, at playbook.cadence.update_every_minutes: expected a whole number, "
        "got a decimal number",
    ),
    (
        "nan-bound",
        HEAD + STEP + "min = nan\n",
        "p.toml, at steps[0].questions[0].min: expected a finite number",
    ),
    (
        "boolean-bound",
        HEAD + STEP + "max = true\n",
        "p.toml, at steps[0].questions[0].max: expected a number, got a boolean",
    ),
    (
        "text-where-boolean-expected",
        HEAD + STEP + 'required = "yes"\n',
        "p.toml, at steps[0].questions[0].required: expected true or false, got text",
    ),
    (
        "text-where-number-expected",
        HEAD + '[playbook.cadence]\nupdate_every_minutes = "30"\n' + STEP,
        "p.toml, at playbook.cadence.update_every_minutes: expected a whole number, got text",
    ),
    (
        "title-on-two-lines",
        HEAD.replace('title = "Broken"', 'title = "Real\\nFake row"') + STEP,
        "p.toml, at playbook.title: expected a single line of text",
    ),
    (
        "cadence-out-of-range",
        HEAD + "[playbook.cadence]\nupdate_every_minutes = 0\n" + STEP,
        "p.toml, at playbook.cadence.update_every_minutes: expected minutes from 1 to 1440",
    ),
]


@pytest.mark.parametrize(("name", "text", "message"), CASES, ids=[c[0] for c in CASES])
def test_invalid_playbooks_name_file_place_and_expectation(
    write: Callable[[str, str], Path], name: str, text: str, message: str
) -> None:
    path = write("p.toml", text)
    with pytest.raises(PlaybookError) as problem:
        load_playbook(path)
    assert str(problem.value) == message.replace("p.toml", str(path))


def test_invalid_utf8_gives_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(b'[playbook]\nid = "x"\ntitle = "\xff"\n')
    with pytest.raises(PlaybookError) as problem:
        load_playbook(path)
    assert str(problem.value) == f"{path}, line 3: is not valid UTF-8 text"


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    path.write_text("# " + "x" * (1024 * 1024) + "\n")
    with pytest.raises(PlaybookError) as problem:
        load_playbook(path)
    assert str(problem.value) == f"{path}: is larger than 1024 KiB, the limit for such files"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PlaybookError) as problem:
        load_playbook(tmp_path / "nope.toml")
    assert str(problem.value) == f"{tmp_path / 'nope.toml'}: no such file"


def test_a_toml_date_default_becomes_text_read_in_the_session_zone(
    write: Callable[[str, str], Path],
) -> None:
    text = HEAD + STEP.replace('"integer"', '"datetime"') + "default = 2026-11-22T09:00:00\n"
    playbook = load_playbook(write("p.toml", text))
    assert playbook.steps[0].questions[0].default == "2026-11-22T09:00:00"


def test_a_valid_playbook_loads(write: Callable[[str, str], Path]) -> None:
    playbook = load_playbook(write("mini.toml", MINI_PLAYBOOK))
    assert playbook.id == "mini"
    assert playbook.question_keys() == [
        "impact.affected",
        "impact.total",
        "limits.abusive",
        "limits.who",
        "limits.notes",
    ]
    assert playbook.playbook.cadence.update_every_minutes == 60
    assert playbook.steps[0].compute == {
        "working_pct": "round(100 * (1 - impact.affected / impact.total), 1)"
    }
