"""HTML reports opened in a real headless Chromium: sections, escaping, screen and print.

Chromium is Debian's ``chromium`` package; ``.ci/run`` installs it. Without it
the tests are skipped locally but fail under CI (``CI`` set), so a missing
browser can never pass silently there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crisiscli.cli.app import app

from .conftest import REPO

Write = Callable[[str, str], Path]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = REPO / "tests" / "artifacts"

if CHROMIUM is None and os.environ.get("CI"):
    pytest.fail("chromium is not installed; .ci/run should have installed it", pytrace=False)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")

SECTIONS = {
    "remediation": [
        "summary", "impact", "timeline", "actions-taken", "cause", "prevention",
        "compensation", "apology", "contact",
    ],
    "postmortem": [
        "metadata", "summary", "impact", "trigger", "detection", "response", "limits",
        "recovery", "timeline", "contributing-factors", "review", "action-items", "updates",
        "feedback", "compensation", "appendix-events", "appendix-answers",
    ],
    "update": ["status", "impact", "actions", "next-update"],
    "summary": ["headline", "impact", "cause", "customer", "next-steps"],
}  # fmt: skip


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium offline (no background networking), as the machine allows."""
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


class _Page(HTMLParser):
    """What a rendered DOM holds: section ids and headings, tags, text, resource links."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.tags: set[str] = set()
        self.text: list[str] = []
        self.links: list[str] = []
        self.in_style = False
        self.headings: dict[str, str] = {}
        self._section: str | None = None
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        attributes = dict(attrs)
        if tag == "section" and attributes.get("id"):
            self._section = attributes["id"]
            self.sections.append(self._section or "")
        if tag == "h2":
            self._heading = []
        if tag == "style":
            self.in_style = True
        for name in ("src", "href"):
            if attributes.get(name):
                self.links.append(attributes[name] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self._heading is not None and self._section:
            self.headings[self._section] = "".join(self._heading).strip()
            self._heading = None
        if tag == "style":
            self.in_style = False

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)
        if not self.in_style:
            self.text.append(data)


def rendered_dom(path: Path, profile: Path) -> _Page:
    result = chromium("--dump-dom", path.as_uri(), profile=profile)
    page = _Page()
    page.feed(result.stdout)
    return page


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Every built-in HTML report of a session whose customer name holds a script tag."""
    folder = tmp_path_factory.mktemp("html")
    home, work = folder / "home", folder / "work"
    work.mkdir()
    data = REPO / "tests" / "data"
    made: dict[tuple[str, str], Path] = {}
    runner = CliRunner()
    previous = Path.cwd()
    os.chdir(work)
    try:
        for language in ("en", "fr"):
            answers = work / f"answers.{language}.toml"
            text = (data / f"customer-outage.{language}.answers.toml").read_text(encoding="utf-8")
            text = text.replace("SUPERTRIP", "<script>alert(1)</script> SUPERTRIP")
            answers.write_text(text, encoding="utf-8")
            env = {"CRISIS_HOME": str(home), "SOURCE_DATE_EPOCH": "1795597200"}
            started = runner.invoke(
                app,
                ["start", "customer-outage", "--lang", language, "--answers", str(answers)],
                env=env,
            )
            assert started.exit_code == 0, started.stderr
            session_id = started.stdout.strip()
            for template in SECTIONS:
                out = folder / f"{template}.{language}.html"
                args = ["report", session_id, "-t", template, "-f", "html", "--out", str(out)]
                result = runner.invoke(app, args, env=env)
                assert result.exit_code == 0, result.stderr
                made[(template, language)] = out
    finally:
        os.chdir(previous)
    return made


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("template", list(SECTIONS))
def test_the_rendered_page_holds_every_section_and_no_script(
    reports: dict[tuple[str, str], Path], tmp_path: Path, template: str, language: str
) -> None:
    page = rendered_dom(reports[(template, language)], tmp_path / "profile")
    assert page.sections == SECTIONS[template]
    assert all(page.headings.get(section) for section in page.sections), page.headings
    assert "script" not in page.tags
    text = " ".join(page.text)
    assert "<script>alert(1)</script> SUPERTRIP" in text
    assert [link for link in page.links if not link.startswith("#")] == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_remediation_report_shows_the_figures_in_the_report_language(
    reports: dict[tuple[str, str], Path], tmp_path: Path, language: str
) -> None:
    page = rendered_dom(reports[("remediation", language)], tmp_path / "profile")
    text = re.sub(r"[ \t\n]+", " ", " ".join(page.text))  # keeps no-break spaces
    if language == "fr":
        assert "0,3\u202f%" in text and "99,7\u202f%" in text and "22 novembre 2026" in text
    else:
        assert "0.3%" in text and "99.7%" in text and "22 November 2026" in text


@pytest.mark.parametrize("language", ["en", "fr"])
def test_screenshots_and_print_output(
    reports: dict[tuple[str, str], Path], tmp_path: Path, language: str
) -> None:
    """A screenshot to look at (kept in tests/artifacts), and a PDF through the print styles."""
    SCREENSHOTS.mkdir(exist_ok=True)
    shot = SCREENSHOTS / f"remediation.{language}.png"
    shot.unlink(missing_ok=True)
    source = reports[("remediation", language)]
    chromium(
        f"--screenshot={shot}", "--window-size=1000,1800", source.as_uri(), profile=tmp_path / "a"
    )
    assert png_size(shot) == (1000, 1800)
    assert shot.stat().st_size > 20_000  # a page of text, not a blank image
    pdf = tmp_path / "remediation.pdf"
    chromium(
        "--no-pdf-header-footer", f"--print-to-pdf={pdf}", source.as_uri(), profile=tmp_path / "b"
    )
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", data)) >= 1


DEBRIEF_SECTIONS = ["scenario", "score", "timeline", "key-facts", "practise"]


@pytest.fixture(scope="module")
def debriefs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The HTML debrief of a careless drill whose update holds a script tag, per language."""
    folder = tmp_path_factory.mktemp("debrief")
    env = {"CRISIS_HOME": str(folder / "home"), "SOURCE_DATE_EPOCH": "1795597200"}
    runner = CliRunner()
    made: dict[str, Path] = {}
    for language in ("en", "fr"):
        stem = f"event-app-overload.{language}"
        script = (REPO / "tests" / "data" / "training" / f"{stem}.careless.toml").read_text(
            encoding="utf-8"
        )
        hostile = folder / f"careless.{language}.toml"
        hostile.write_text(
            script.replace('text = "', 'text = "<script>alert(1)</script> SUPERTRIP ', 1),
            encoding="utf-8",
        )
        scenario = REPO / "scenarios" / f"{stem}.toml"
        played = runner.invoke(
            app, ["replay", str(scenario), "--answers", str(hostile), "--json"], env=env
        )
        assert played.exit_code == 0, played.stderr
        session = json.loads(played.stdout)["session"]
        out = folder / f"debrief.{language}.html"
        args = ["report", session, "-t", "debrief", "-f", "html", "--out", str(out)]
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, result.stderr
        made[language] = out
    return made


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_debrief_page(debriefs: dict[str, Path], tmp_path: Path, language: str) -> None:
    page = rendered_dom(debriefs[language], tmp_path / "profile")
    assert page.sections == DEBRIEF_SECTIONS
    assert all(page.headings.get(section) for section in page.sections), page.headings
    assert "script" not in page.tags
    text = re.sub(r"[ \t\n]+", " ", " ".join(page.text))
    assert "<script>alert(1)</script> SUPERTRIP" in text
    assert [link for link in page.links if not link.startswith("#")] == []
    assert ("0 point sur 100" if language == "fr" else "0 of 100 points") in text
