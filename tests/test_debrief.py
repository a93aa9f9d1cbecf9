"""The ``debrief`` report of a training drill, end to end: replay, then report.

Drills come from the fixture scenario in ``tests/data/training/fixture/`` (a
one-hour sign-in outage, four injects, six checks worth 100 points) played by a
careful and a careless trainee script; the debrief is rendered in every format
and language, and refused, cleanly, for a real crisis.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from crisiscli.cli.app import app

from .conftest import REPO

Write = Callable[[str, str], Path]
FIXTURE = REPO / "tests" / "data" / "training" / "fixture"
SCENARIO = FIXTURE / "sign-in.en.toml"
NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.fixture(autouse=True)
def fixed_generation_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795597200")  # 25 November 2026, 09:00 UTC


def drill(runner: CliRunner, script: Path) -> dict[str, Any]:
    """Replay the fixture scenario with ``script``; the scorecard as ``--json`` prints it."""
    result = runner.invoke(app, ["replay", str(SCENARIO), "--answers", str(script), "--json"])
    assert result.exit_code == 0, result.stderr
    card: dict[str, Any] = json.loads(result.stdout)
    return card


def debrief(runner: CliRunner, session: str, fmt: str = "md", lang: str = "en") -> str:
    result = runner.invoke(
        app, ["report", session, "--template", "debrief", "-f", fmt, "--lang", lang]
    )
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return result.stdout


@pytest.fixture
def careless(runner: CliRunner) -> dict[str, Any]:
    return drill(runner, FIXTURE / "careless.toml")


# What the careless drill's debrief must show, whatever the format: the score
# line, a failed check's explanation, the reason another could not be evaluated,
# an inject and the responses, with their offsets from the start.
EXPECTED = {
    "en": [
        "40 of 100 points (40%)",
        "2 of 6 checks passed",
        "The customer heard nothing for too long. Send a short first update early",
        "Could not be evaluated: the check reads an answer that was not given.",
        "This is a joke. You people are useless, I'll have your job for this.",
        "Sign-in is down because of our hosting provider, not us.",
        "Still down for 120 of 400 attendees.",
        "Impact measured: 120 of 400 affected",
        "T+00:25",
        "T+00:22",
        "Rehearse a first update you can send in under ten minutes.",
        "no limit was set afterwards",
    ],
    "fr": [
        f"40 points sur 100 (40{NNBSP}%)",
        "2 vérifications réussies sur 6",
        "The customer heard nothing for too long. Send a short first update early",
        f"Non évaluée{NBSP}: the check reads an answer that was not given.",
        "This is a joke. You people are useless, I'll have your job for this.",
        "Sign-in is down because of our hosting provider, not us.",
        "Still down for 120 of 400 attendees.",
        "T+00:25",
        "T+00:22",
        "Rehearse a first update you can send in under ten minutes.",
        "aucune limite n'a été posée ensuite",
    ],
}

# How an inject and a response are told apart, per format and language.
INJECT_AND_RESPONSE = {
    ("md", "en"): (
        "- **T+00:25 · Inject · Nadia Ferrand (head of operations, Blue Harbour Events), "
        "by phone:**",
        "- T+00:22 · Response · Update sent to every stakeholder:",
    ),
    ("md", "fr"): (
        "- **T+00:25 · Message · Nadia Ferrand (head of operations, Blue Harbour Events), "
        f"par téléphone{NBSP}:**",
        f"- T+00:22 · Réponse · Point envoyé à toutes les parties prenantes{NBSP}:",
    ),
    ("txt", "en"): (
        ">> T+00:25  INJECT    Nadia Ferrand (head of operations, Blue Harbour Events),",
        "   T+00:22  response  Update sent to every stakeholder",
    ),
    ("txt", "fr"): (
        ">> T+00:25  MESSAGE   Nadia Ferrand (head of operations, Blue Harbour Events),",
        "   T+00:22  réponse   Point envoyé à toutes les parties prenantes",
    ),
    ("html", "en"): (
        '<td class="time"><strong>Inject</strong></td>\n<td class="note"><strong>'
        "Nadia Ferrand (head of operations, Blue Harbour Events), by phone</strong>",
        '<td class="time">Response</td>\n<td>Update sent to every stakeholder:',
    ),
    ("html", "fr"): (
        '<td class="time"><strong>Message</strong></td>\n<td class="note"><strong>'
        "Nadia Ferrand (head of operations, Blue Harbour Events), par téléphone</strong>",
        f'<td class="time">Réponse</td>\n<td>Point envoyé à toutes les parties prenantes{NBSP}:',
    ),
}


# Injects at 2, 5, 25 and 50; updates at 22 and 45, a count at 30, the end at 60.
TIMELINE = ["T+00:02", "T+00:05", "T+00:22", "T+00:25", "T+00:30", "T+00:45", "T+00:50"]
TIMELINE += ["T+01:00"]


def plain(text: str, fmt: str) -> str:
    """The report's words: HTML tags and escapes, Markdown escapes and line wraps undone."""
    if fmt == "html":
        text = re.sub(r"<[^>]+>", "", text)
        text = text.replace("&#39;", "'").replace("&amp;", "&").replace("&lt;", "<")
    if fmt == "md":
        text = re.sub(r"\\([\\`*_\[\]<>|~&#.+-])", r"\1", text)
    if fmt == "txt":
        text = re.sub(r"\n +", " ", text)
    return text


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("fmt", ["md", "txt", "html"])
def test_the_careless_drill_debrief_shows_score_failures_injects_and_responses(
    runner: CliRunner, careless: dict[str, Any], fmt: str, lang: str
) -> None:
    assert (careless["score"], careless["maximum"]) == (40, 100)
    out = debrief(runner, careless["session"], fmt, lang)
    words = plain(out, fmt)
    missing = [text for text in EXPECTED[lang] if text not in words]
    assert missing == [], out
    inject, response = INJECT_AND_RESPONSE[fmt, lang]
    assert inject in out and response in out, out
    # The timeline is in time order: inject at 25, count at 30, update at 45, inject at 50.
    offsets = re.findall(r"T\+\d\d:\d\d", out)
    timeline = offsets[: offsets.index("T+01:00") + 1]  # the key facts come after
    assert timeline == TIMELINE
    if fmt == "html":
        assert out.startswith("<!DOCTYPE html>") and "<script" not in out
        ids = re.findall(r'<section id="([a-z-]+)">\n<h2>', out)
        assert ids == ["scenario", "score", "timeline", "key-facts", "practise"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_check_is_listed_passed_or_failed_as_the_replay_scored_it(
    runner: CliRunner, careless: dict[str, Any], lang: str
) -> None:
    out = debrief(runner, careless["session"], "md", lang)
    found = re.findall(r"^- ([✓✗]) \*\*(.+?)\*\*", out, flags=re.MULTILINE)
    marks = {title: mark for mark, title in found}
    assert marks == {
        check["title"]: "✓" if check["passed"] else "✗" for check in careless["checks"]
    }
    assert sum(1 for check in careless["checks"] if not check["passed"]) == 4


def test_what_to_practise_comes_most_points_first_then_the_scenario_advice(
    runner: CliRunner, careless: dict[str, Any]
) -> None:
    out = debrief(runner, careless["session"])
    practise = out.split("## What to practise next\n\n", 1)[1].split("\n\n", 1)[0]
    assert practise.splitlines() == [
        "1. The customer heard nothing for too long. Send a short first update early, "
        "even before you know the cause.",
        "2. When a contact becomes abusive, name it calmly and set a limit straight away.",
        "3. Do not point at a supplier or a host: to the customer, it is our failure.",
        "4. Walk the playbook to the end: the impact step feeds every report.",
        "5. Rehearse a first update you can send in under ten minutes.",
    ]


def test_the_key_facts_are_in_plain_words(runner: CliRunner, careless: dict[str, Any]) -> None:
    out = debrief(runner, careless["session"])
    facts = out.split("## Key facts\n\n", 1)[1].split("\n\n", 1)[0]
    assert facts.splitlines() == [
        "- **Updates sent:** 2; the first at T+00:22.",
        "- **Longest silence:** 23 min, where the playbook asks for an update every 30 "
        "minutes (within the cadence).",
        "- **Comms coach:** flagged 1 of 2 updates: 1 shifting the blame.",
        "- **Impact:** measured once, at T+00:30; latest count: 120 of 400 users affected.",
        "- **The scenario's true figures:** 120 of 400; the latest count matches.",
        "- **Limits:** a contact became abusive; no limit was set afterwards.",
        "- **Customer feedback:** no score recorded.",
    ]


def test_the_careful_drill_passes_every_check(runner: CliRunner) -> None:
    card = drill(runner, FIXTURE / "careful.toml")
    assert card["score"] == 100
    out = debrief(runner, card["session"])
    assert "**100 of 100 points (100%)**, 6 of 6 checks passed." in out
    assert "✗" not in out and out.count("✓") == 6
    assert "- **Limits:** a contact became abusive; a limit was set 3 min later." in out
    assert "- T+00:28 · Response · Limit set for Nadia Ferrand: warn" in out
    practise = out.split("## What to practise next\n\n", 1)[1]
    assert practise.startswith("1. Rehearse a first update you can send in under ten minutes.\n")
    french = debrief(runner, card["session"], "txt", "fr")
    assert f"100 points sur 100 (100{NNBSP}%), 6 vérifications réussies sur 6." in french


def test_the_french_debrief_follows_french_typography(
    runner: CliRunner, careless: dict[str, Any]
) -> None:
    out = debrief(runner, careless["session"], "md", "fr")
    assert out.startswith(f"# Débriefing{NBSP}: Sign-in outage at Blue Harbour Events\n")
    assert f"- **Points envoyés{NBSP}:** 2{NNBSP}; le premier à T+00:22." in out
    assert f"«{NBSP}because of our hosting provider{NBSP}»" in out
    # Everything the template writes itself puts a no-break space before : ; ? !
    own = [line for line in out.splitlines() if "Impact mesuré :" not in line]
    assert [line for line in own if re.search(r"[^\s] [:;?!](\s|$)", line)] == []


def test_a_drill_ended_early_shows_only_what_happened_before_the_end(
    runner: CliRunner, write: Write
) -> None:
    script = write(
        "early.toml",
        """
        [answers]
        "acknowledge.owner" = "Alex Martin"
        "impact.affected" = 120
        "impact.total" = 400

        [[actions]]
        at_minutes = 4
        do = "update"
        text = "Sign-in fails for 120 of 400 attendees; Alex Martin owns it. Next update at 08:30."

        [[actions]]
        at_minutes = 20
        do = "end"
        """,
    )
    card = drill(runner, script)
    out = debrief(runner, card["session"])
    assert "20 min of simulated time (1 h planned); it was ended before the planned time." in out
    assert "- T+00:20 · End · The drill was ended before the planned time." in out
    assert "This is a joke" not in out and "back above 99%" not in out
    assert "- **Limits:**" not in out  # the abusive call never came


def test_typed_text_cannot_break_the_markdown_or_the_html(runner: CliRunner, write: Write) -> None:
    script = write(
        "hostile.toml",
        """
        [answers]
        "acknowledge.owner" = "Alex Martin"
        "impact.affected" = 120
        "impact.total" = 400

        [[actions]]
        at_minutes = 1
        do = "stakeholder"
        name = "<b>Eve</b>"

        [[actions]]
        at_minutes = 3
        do = "update"
        text = "# Not a heading\\n| not | a table |\\n<script>alert(1)</script> [link](http://x)"
        """,
    )
    session = drill(runner, script)["session"]
    markdown = debrief(runner, session)
    assert "\n# Not a heading" not in markdown and "\\# Not a heading" in markdown
    assert "\\<script\\>" in markdown and "\\[link\\](http://x)" in markdown
    assert "Update sent to \\<b\\>Eve\\</b\\>:" in markdown
    html = debrief(runner, session, "html")
    assert "<script" not in html and "<b>Eve" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;Eve&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        (
            "en",
            "Session {} is not a training drill; the debrief needs a session "
            "recorded by crisis replay (see crisis sessions list --all)",
        ),
        (
            "fr",
            "La session {} n'est pas un exercice : le débriefing demande une "
            "session enregistrée par crisis replay (voir crisis sessions list --all)",
        ),
    ],
)
@pytest.mark.parametrize("fmt", ["md", "txt", "html"])
def test_a_real_crisis_has_no_debrief(
    runner: CliRunner, tmp_path: Path, fmt: str, lang: str, sentence: str
) -> None:
    answers = REPO / "tests" / "data" / f"customer-outage.{lang}.answers.toml"
    started = runner.invoke(
        app, ["start", "customer-outage", "--lang", lang, "--answers", str(answers)]
    )
    assert started.exit_code == 0, started.stderr
    session = started.stdout.strip().splitlines()[0]
    target = tmp_path / "debrief.out"
    result = runner.invoke(
        app,
        ["report", session, "-t", "debrief", "-f", fmt, "--lang", lang, "--out", str(target)],
    )
    assert result.exit_code == 2
    assert result.stdout == "" and not target.exists()
    assert result.stderr == f"crisis: error: {sentence.format(session)}\n"
