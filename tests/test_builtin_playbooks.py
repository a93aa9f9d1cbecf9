"""The shipped playbooks: valid, the same shape in both languages, and runnable end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crisiscli.cli.app import app
from crisiscli.expressions import evaluate, parse
from crisiscli.paths import builtin_dir
from crisiscli.playbook import Playbook
from crisiscli.playbook_loading import load_playbook

DATA = Path(__file__).parent / "data"
BUILT_INS = sorted(builtin_dir("playbooks").glob("*.toml"))
IDS = ("customer-outage", "failed-delivery")


def shape(
    playbook: Playbook,
) -> list[tuple[str, str, list[tuple[str, str, bool, int, str | None]]]]:
    """What must match across languages: ids, phases, types, report fields, which are optional."""
    return [
        (
            step.id,
            step.phase,
            [(q.id, q.type, q.required, len(q.choices), q.report_as) for q in step.questions],
        )
        for step in playbook.steps
    ]


@pytest.mark.parametrize("path", BUILT_INS, ids=[p.name for p in BUILT_INS])
def test_every_built_in_playbook_is_valid(path: Path) -> None:
    playbook = load_playbook(path)
    assert path.name == f"{playbook.id}.{playbook.language}.toml"


@pytest.mark.parametrize("playbook_id", IDS)
def test_english_and_french_versions_have_the_same_shape(playbook_id: str) -> None:
    folder = builtin_dir("playbooks")
    english = load_playbook(folder / f"{playbook_id}.en.toml")
    french = load_playbook(folder / f"{playbook_id}.fr.toml")
    assert (english.language, french.language) == ("en", "fr")
    assert shape(english) == shape(french)
    for en_step, fr_step in zip(english.steps, french.steps, strict=True):
        assert list(en_step.compute) == list(fr_step.compute)
        assert (en_step.when is None) == (fr_step.when is None)
        for en_q, fr_q in zip(en_step.questions, fr_step.questions, strict=True):
            assert (en_q.when is None) == (fr_q.when is None)


def test_the_default_playbook_is_customer_outage_in_english(isolated: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["start"], input="")
    assert result.exit_code == 130
    result = runner.invoke(app, ["sessions", "list", "--json"])
    (session,) = json.loads(result.stdout)
    assert (session["playbook"], session["language"]) == ("customer-outage", "en")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_customer_outage_runs_from_an_answers_file(language: str) -> None:
    runner = CliRunner()
    answers = DATA / f"customer-outage.{language}.answers.toml"
    result = runner.invoke(
        app, ["start", "customer-outage", "--lang", language, "-a", str(answers)]
    )
    assert result.exit_code == 0, result.stderr
    status = json.loads(runner.invoke(app, ["status", "--json"]).stdout)
    assert status["progress"]["complete"] is True
    assert status["progress"]["steps_done"] == 9
    assert status["answers"]["impact.affected"] == 3
    assert status["answers"]["impact.total"] == 1000
    assert status["computed"]["impact.affected_percent"]["value"] == 0.3
    assert status["computed"]["impact.working_percent"]["value"] == 99.7
    assert status["answers"]["feedback.score"] == 7
    # One action is written as a line, the other as a table; both are stored alike.
    actions = status["answers"]["review.actions"]
    assert [sorted(action) for action in actions] == [["action", "due", "owner"]] * 2
    assert [action["due"] for action in actions] == ["2026-12-15", "2026-12-01"]


@pytest.mark.parametrize(
    ("playbook_id", "language"),
    [(p, lang) for p in IDS for lang in ("en", "fr")],
)
def test_built_in_playbooks_run_from_piped_input(playbook_id: str, language: str) -> None:
    runner = CliRunner()
    piped = (DATA / f"{playbook_id}.{language}.piped.txt").read_text(encoding="utf-8")
    result = runner.invoke(app, ["start", playbook_id, "--lang", language], input=piped)
    assert result.exit_code == 0, result.stderr
    status = json.loads(runner.invoke(app, ["status", "--json"]).stdout)
    assert status["progress"]["complete"] is True
    assert status["session"]["playbook"]["language"] == language


def test_working_share_never_rounds_up_to_100_while_anyone_is_affected() -> None:
    path = builtin_dir("playbooks") / "customer-outage.en.toml"
    playbook = load_playbook(path)
    step = next(s for s in playbook.steps if s.id == "impact")

    def shares(affected: int, total: int) -> tuple[object, object]:
        values = {"impact.affected": affected, "impact.total": total}
        affected_pct = evaluate(parse(step.compute["affected_percent"]), values)
        values["impact.affected_percent"] = affected_pct
        return affected_pct, evaluate(parse(step.compute["working_percent"]), values)

    assert shares(3, 1000) == (0.3, 99.7)
    assert shares(1, 100_000) == (0.1, 99.9)
    assert shares(0, 1000) == (0, 100)
    assert shares(999_999, 1_000_000) == (99.9, 0.1)
    assert shares(5, 3) == (None, None)
