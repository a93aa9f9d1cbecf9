"""``crisis report`` and ``crisis templates list`` end to end, and the template sandbox."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crisiscli import reports

from .conftest import REPO, run

Write = Callable[[str, str], Path]
ANSWERS = REPO / "tests" / "data"


def start(runner: CliRunner, language: str = "en", answers: Path | None = None) -> str:
    path = answers or ANSWERS / f"customer-outage.{language}.answers.toml"
    code, out, err = run(
        runner, "start", "customer-outage", "--lang", language, "--answers", str(path)
    )
    assert code == 0, err
    return out.strip()


def answers_with(write: Write, **replacements: str) -> Path:
    """The English answers file with some answers replaced (TOML basic strings)."""
    text = (ANSWERS / "customer-outage.en.answers.toml").read_text(encoding="utf-8")
    lines = []
    for line in text.splitlines():
        key = line.split(" = ")[0].strip('"')
        lines.append(f'"{key}" = {json.dumps(replacements[key])}' if key in replacements else line)
    return write("answers.toml", "\n".join(lines) + "\n")


@pytest.fixture(autouse=True)
def fixed_generation_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795597200")  # 25 November 2026, 09:00 UTC


def test_the_default_report_is_the_remediation_in_markdown_in_the_session_language(
    runner: CliRunner,
) -> None:
    start(runner, "fr")
    code, out, err = run(runner, "report")
    assert (code, err) == (0, "")
    assert out.startswith("# ")
    assert "22 novembre 2026, 09:00" in out
    assert "0,3\u202f%" in out and "99,7\u202f%" in out
    code, english, _ = run(runner, "report", "--lang", "en")
    assert code == 0 and "22 November 2026, 09:00" in english and "99.7%" in english


@pytest.mark.parametrize("template", ["remediation", "postmortem", "update", "summary"])
@pytest.mark.parametrize("fmt", ["md", "html", "txt", "json"])
def test_every_template_renders_in_every_format(runner: CliRunner, template: str, fmt: str) -> None:
    session_id = start(runner)
    code, out, err = run(runner, "report", session_id, "-t", template, "-f", fmt)
    assert (code, err) == (0, "")
    assert "SUPERTRIP" in out
    if fmt == "json":
        data = json.loads(out)
        assert data["report"] == template and data["session"]["id"] == session_id
    if fmt == "html":
        assert out.startswith("<!DOCTYPE html>") and "<script" not in out


def test_out_writes_the_file_and_says_so_on_stderr(runner: CliRunner, tmp_path: Path) -> None:
    start(runner)
    target = tmp_path / "report.html"
    code, out, err = run(runner, "report", "--format", "html", "--out", str(target))
    assert (code, out) == (0, "")
    assert err == f"Report written to {target}\n"
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_failed_render_leaves_no_file(runner: CliRunner, write: Write, tmp_path: Path) -> None:
    start(runner)
    write("templates/broken.en.md.j2", "{{ nothing.here }}\n")
    target = tmp_path / "report.md"
    code, _, err = run(runner, "report", "-t", "broken", "--out", str(target))
    assert code == 2 and "broken.en.md.j2, line 1:" in err
    assert not target.exists()


def test_the_same_session_gives_the_same_report(runner: CliRunner) -> None:
    start(runner)
    first = run(runner, "report", "-t", "postmortem", "-f", "html")
    second = run(runner, "report", "-t", "postmortem", "-f", "html")
    assert first == second and first[0] == 0


def test_context_json_prints_what_templates_receive(runner: CliRunner) -> None:
    session_id = start(runner)
    code, out, _ = run(runner, "report", "--context-json")
    data = json.loads(out)
    assert code == 0
    assert data["session"]["id"] == session_id
    assert {k: v for k, v in data["impact"].items() if k not in ("measurements",)} == {
        "user_minutes_lost": data["impact"]["user_minutes_lost"],
        "severity": "minor",
        "affected": 3,
        "total": 1000,
        "affected_percent": 0.3,
        "working_percent": 99.7,
        "consistent": True,
        "basis": "Measured",
        "method": "counted with Tim from the members' messages",
    }
    assert data["generated_at"] == "2026-11-25T10:00:00+01:00"


def test_an_unfinished_session_reports_what_is_not_recorded_yet(runner: CliRunner) -> None:
    code, _, _ = run(runner, "start", "customer-outage")  # no input: stops at the first question
    assert code == 130
    for template in ("remediation", "postmortem", "update", "summary"):
        for fmt in ("md", "html", "txt"):
            code, out, err = run(runner, "report", "-t", template, "-f", fmt)
            assert (code, err) == (0, ""), (template, fmt)
    code, out, _ = run(runner, "report", "-t", "postmortem")
    assert "not recorded yet" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-t", "remedation"],
            "crisis: error: no template named 'remedation' (did you mean 'remediation'?); "
            "available: debrief, postmortem, remediation, summary, update\n",
        ),
        (["-f", "pdf"], "crisis: error: unknown format 'pdf' (from --format); expected one of md, "
         "html, txt, json\n"),
        (["--lang", "de"],
         "crisis: error: unknown language 'de' (from --lang); expected en or fr\n"),
        (["-t", "missing/file.j2"],
         "crisis: error: template file missing/file.j2 does not exist\n"),
    ],
)  # fmt: skip
def test_bad_choices_are_usage_errors(runner: CliRunner, args: list[str], message: str) -> None:
    start(runner)
    code, out, err = run(runner, "report", *args)
    assert (code, out, err) == (2, "", message)


def test_a_template_missing_in_one_format_says_what_exists(runner: CliRunner, write: Write) -> None:
    start(runner)
    write("templates/letter.en.md.j2", "Dear {{ incident.customer }}\n")
    code, _, err = run(runner, "report", "-t", "letter", "-f", "html")
    assert code == 2
    assert (
        err == "crisis: error: template 'letter' has no html version in en; it exists as md in en\n"
    )
    assert (
        run(runner, "report", "-t", "letter")[1]
        == "Dear SUPERTRIP (event agency) for ASSO's weekend\n"
    )


def test_reporting_without_any_session_is_a_clear_error(runner: CliRunner) -> None:
    code, out, err = run(runner, "report")
    assert code == 2 and out == ""
    assert err.startswith("crisis: error: ") and err.count("\n") == 1


# -- user templates: search path, override, extension -------------------------------------


def test_a_project_template_overrides_the_built_in_and_can_extend_it(
    runner: CliRunner, write: Write
) -> None:
    start(runner)
    write(
        "templates/remediation.en.html.j2",
        """
        {% extends "builtin/remediation.en.html.j2" %}
        {% block footer %}Sent by the ACME support team{% endblock %}
        """,
    )
    code, out, _ = run(runner, "report", "-f", "html")
    assert code == 0
    assert "Sent by the ACME support team" in out and 'id="impact"' in out
    code, listed, _ = run(runner, "templates", "list", "--json")
    origins = {(e["name"], e["language"], e["format"]): e["origin"] for e in json.loads(listed)}
    assert origins[("remediation", "en", "html")] == "project"
    assert origins[("remediation", "fr", "html")] == "built-in"
    assert len(origins) == 5 * 2 * 3


def test_home_templates_come_after_the_project_ones(
    runner: CliRunner, write: Write, isolated: Path
) -> None:
    start(runner)
    home_template = isolated / "templates" / "note.en.txt.j2"
    home_template.parent.mkdir(parents=True)
    home_template.write_text("from home\n", encoding="utf-8")
    assert run(runner, "report", "-t", "note", "-f", "txt")[1] == "from home\n"
    write("templates/note.en.txt.j2", "from the project\n")
    assert run(runner, "report", "-t", "note", "-f", "txt")[1] == "from the project\n"


def test_a_template_file_given_by_path_can_include_its_neighbours(
    runner: CliRunner, write: Write
) -> None:
    start(runner)
    write("mine/_sign.j2", "-- {{ incident.owner }}\n")
    path = write(
        "mine/letter.j2", "{{ impact.affected|number }} affected\n{% include '_sign.j2' %}"
    )
    code, out, err = run(runner, "report", "-t", str(path))
    assert (code, err) == (0, "")
    assert out == "3 affected\n-- Alex Martin\n"


# -- broken and hostile templates --------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("line one\n{% if %}\n",
         "line 2: syntax error: Expected an expression, got 'end of statement block'"),
        ("ok\n\n{{ incident.nope }}\n", "line 3: 'dict object' has no attribute 'nope'"),
        ("{{ undefined_name }}", "line 1: 'undefined_name' is undefined"),
        ("{{ ''.__class__.__mro__ }}", "line 1: is not allowed in the sandbox: access to attribute "
         "'__class__' of 'str' object is unsafe."),
        ("{{ session|attr('__class__') }}", "line 1: is not allowed in the sandbox"),
        ("{{ '{0.__class__}'.format(1) }}", "line 1: is not allowed in the sandbox"),
        ("{{ session.clear() }}", "line 1: is not allowed in the sandbox"),
        ("{% include '/etc/passwd' %}", "line 1: includes '/etc/passwd', which was not found"),
        ("{% include '../../../../etc/passwd' %}", "line 1: includes '../../../../etc/passwd', "
         "which was not found"),
        ("{{ impact.affected / 0 }}", "line 1: fails while rendering: division by zero"),
        ("{{ incident.customer|number }}", "line 1: fails while rendering: the number filter "
         "expects a number, got str"),
    ],
)  # fmt: skip
def test_a_broken_or_hostile_template_is_a_located_error(
    runner: CliRunner, write: Write, source: str, problem: str
) -> None:
    start(runner)
    path = write("templates/bad.en.md.j2", source)
    code, out, err = run(runner, "report", "-t", "bad")
    assert (code, out) == (2, "")
    assert err.startswith(f"crisis: error: {path}, {problem}"), err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_runaway_templates_are_stopped(
    runner: CliRunner, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    start(runner)
    monkeypatch.setattr(reports, "RENDER_SECONDS", 0.5)
    path = write(
        "templates/slow.en.md.j2",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    )
    code, _, err = run(runner, "report", "-t", "slow")
    assert code == 2
    assert (
        err == f"crisis: error: {path}, line 1: took longer than 0.5 seconds to render; stopped\n"
    )
    path = write(
        "templates/huge.en.md.j2", "{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}"
    )
    code, _, err = run(runner, "report", "-t", "huge")
    assert code == 2
    assert err == f"crisis: error: {path}: produces more than 5,000,000 characters; stopped\n"


def test_oversized_and_undecodable_template_files_are_refused(
    runner: CliRunner, write: Write, tmp_path: Path
) -> None:
    start(runner)
    big = write("templates/big.en.md.j2", "x" * (reports.MAX_TEMPLATE_BYTES + 1))
    code, _, err = run(runner, "report", "-t", "big")
    assert code == 2
    assert err == f"crisis: error: {big}: is 262,145 bytes; templates are capped at 262,144\n"
    latin = tmp_path / "work" / "templates" / "latin.en.md.j2"
    latin.write_bytes(b"ok\nd\xe9j\xe0\n")
    code, _, err = run(runner, "report", "-t", "latin")
    assert (code, err) == (2, f"crisis: error: {latin}, line 2: is not valid UTF-8 text\n")


# -- what the responder typed stays inert ----------------------------------------------------


def test_typed_html_and_terminal_escapes_stay_inert(runner: CliRunner, write: Write) -> None:
    answers = answers_with(
        write,
        **{
            "acknowledge.customer": "<script>alert(1)</script> & Co",
            "acknowledge.summary": "Screen cleared by \u001b[2J and \u001b]0;title\u0007",
            "acknowledge.owner": "# Not a heading | [link](http://example.com)",
        },
    )
    start(runner, answers=answers)
    code, html, _ = run(runner, "report", "-f", "html")
    assert code == 0
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    for fmt in ("md", "txt", "html"):
        text = run(runner, "report", "-f", fmt, "-t", "postmortem")[1]
        assert "\u001b" not in text and "\u0007" not in text
    markdown = run(runner, "report", "-t", "postmortem")[1]
    assert "\\# Not a heading \\| \\[link\\](http://example.com)" in markdown
    assert "\\<script\\>" in markdown


def test_out_keeps_permissions_follows_links_and_writes_devices(
    runner: CliRunner, tmp_path: Path
) -> None:
    start(runner)
    private = tmp_path / "private.md"
    private.write_text("old", encoding="utf-8")
    private.chmod(0o600)
    assert run(runner, "report", "--out", str(private))[0] == 0
    assert private.stat().st_mode & 0o777 == 0o600 and private.read_text().startswith("# ")
    link = tmp_path / "latest.md"
    link.symlink_to(private)
    assert run(runner, "report", "-f", "txt", "--out", str(link))[0] == 0
    assert link.is_symlink() and not private.read_text().startswith("# ")
    code, out, _err = run(runner, "report", "--out", "/dev/null")
    assert (code, out) == (0, "") and Path("/dev/null").is_char_device()
    assert run(runner, "report", "--out", "-")[1].startswith("# ")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_templates_cannot_reach_files_beside_or_outside_them(
    runner: CliRunner, write: Write, tmp_path: Path
) -> None:
    start(runner)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    (tmp_path / "work" / "templates").mkdir()
    (tmp_path / "work" / "templates" / "pw.en.md.j2").symlink_to(secret)
    code, out, err = run(runner, "report", "-t", "pw")
    assert code == 2 and "TOP SECRET" not in out + err
    assert err.endswith("pw.en.md.j2: links to a file outside its template folder; refused\n")
    write("home/notes.txt", "TOP SECRET")
    write("home/.ssh/id_rsa.j2", "TOP SECRET")
    for include in ("notes.txt", ".ssh/id_rsa.j2"):
        letter = write("home/letter.md.j2", f"{{% include '{include}' %}}")
        code, out, err = run(runner, "report", "-t", str(letter))
        assert code == 2 and "TOP SECRET" not in out + err
        assert f"includes '{include}', which was not found" in err


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("{{ 7 ** (2 ** 31) }}", "would be a number too big to print"),
        ("{% set s = 'x' * 3000000000 %}{{ s|length }}", "repeating a text or list would build"),
        ("{{ (10 ** 600) * (10 ** 600) * (10 ** 600) }}", "would be a number too big to print"),
    ],
)
def test_arithmetic_that_would_hang_or_exhaust_memory_is_refused(
    runner: CliRunner, write: Write, source: str, problem: str
) -> None:
    start(runner)
    path = write("templates/big.en.md.j2", source)
    code, _, err = run(runner, "report", "-t", "big")
    assert code == 2 and err.startswith(f"crisis: error: {path}, line 1: ") and problem in err
