"""Every shipped scenario loads, replays scripted, and tells careful from careless trainees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crisiscli.cli.app import app
from crisiscli.scenario import load_scenario

from .conftest import REPO

SCENARIOS = sorted((REPO / "scenarios").glob("*.toml"))
SCRIPTS = REPO / "tests" / "data" / "training"
# (careful, careless) scores out of the maximum: a change to a rubric, a script or the
# scoring shows here first.
EXPECTED = {
    "event-app-overload": (100, 0),
    "damaged-delivery": (100, 10),
    "enterprise-outage": (100, 5),
}


def test_three_scenarios_in_two_languages_are_shipped() -> None:
    assert sorted(p.name for p in SCENARIOS) == sorted(
        f"{name}.{language}.toml" for name in EXPECTED for language in ("en", "fr")
    )


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_a_shipped_scenario_is_well_formed(path: Path) -> None:
    scenario = load_scenario(path)
    assert path.read_text(encoding="utf-8").startswith("#:schema ../schemas/scenario.schema.json")
    assert path.stem == f"{scenario.id}.{scenario.language}"
    assert scenario.maximum() == 100
    other = path.with_name(f"{scenario.id}.{'fr' if scenario.language == 'en' else 'en'}.toml")
    twin = load_scenario(other)
    # The two languages drill the same thing: same minutes, same checks, same points.
    assert [i.at_minutes for i in twin.injects] == [i.at_minutes for i in scenario.injects]
    assert [(c.id, c.points, c.check) for c in twin.rubric] == [
        (c.id, c.points, c.check) for c in scenario.rubric
    ]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_careful_and_careless_trainees(path: Path, runner: CliRunner) -> None:
    scenario = load_scenario(path)
    scores = []
    for kind in ("careful", "careless"):
        script = SCRIPTS / f"{path.stem}.{kind}.toml"
        result = runner.invoke(app, ["replay", str(path), "--answers", str(script), "--json"])
        assert result.exit_code == 0, result.stderr
        card = json.loads(result.stdout)
        assert card["maximum"] == 100
        scores.append(card["score"])
        if kind == "careful":
            failed = [c["id"] for c in card["checks"] if not c["passed"]]
            assert not failed, failed
            report = runner.invoke(app, ["report", card["session"], "-t", "debrief"])
            assert report.exit_code == 0, report.stderr
            assert scenario.scenario.title in report.stdout
    assert tuple(scores) == EXPECTED[scenario.id]


def test_by_id_in_the_preferred_language(runner: CliRunner) -> None:
    result = runner.invoke(app, ["scenario", "list", "--json"])
    rows = json.loads(result.stdout)
    assert {(r["id"], r["language"], r["origin"]) for r in rows} >= {
        ("event-app-overload", "fr", "builtin"),
        ("damaged-delivery", "en", "builtin"),
    }
    script = SCRIPTS / "damaged-delivery.fr.careful.toml"
    result = runner.invoke(
        app, ["replay", "damaged-delivery", "--lang", "fr", "--answers", str(script)]
    )
    assert result.exit_code == 0, result.stderr
    assert "Bilan : " in result.stdout
