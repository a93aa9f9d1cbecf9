"""Whole-command transcripts through typer's CliRunner (stdin is a pipe here)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crisiscli import __version__
from crisiscli.cli.app import app

from .conftest import MINI_PLAYBOOK, run

Write = Callable[[str, str], Path]


def session_ids(runner: CliRunner) -> list[str]:
    code, out, _ = run(runner, "sessions", "list", "--json")
    assert code == 0
    return [s["id"] for s in json.loads(out)]


def test_piped_start_records_every_answer(runner: CliRunner, write: Write) -> None:
    write("mini.toml", MINI_PLAYBOOK)
    code, out, err = run(
        runner,
        "start",
        "mini.toml",
        "--title",
        "APPLI crash",
        input="3\n1 000\nyes\nTIM\nfirst line\nsecond line\n.\n",
    )
    assert code == 0, err
    (session_id,) = session_ids(runner)
    assert out == session_id + "\n"
    assert err.splitlines() == [
        f"Session {session_id} started: APPLI crash",
        "Step 1 of 2: Quantify the impact",
        "How many users are affected?",
        "How many users in total?",
        "impact.working_pct = 99.7",
        "Step 2 of 2: Set limits",
        "Is a contact abusive? [y/n]",
        "Who?",
        "Notes",
        "  (several lines; finish with a line holding a single dot)",
        "  (optional: press Enter to skip)",
        f"Every step of the playbook is recorded for session {session_id}. "
        "Close it with `crisis close` once the customer is back to normal.",
    ]
    code, out, _ = run(runner, "status", "--json")
    view = json.loads(out)
    assert view["answers"] == {
        "impact.affected": 3,
        "impact.total": 1000,
        "limits.abusive": True,
        "limits.who": "TIM",
        "limits.notes": "first line\nsecond line",
    }
    assert view["computed"] == {"impact.working_pct": {"value": 99.7, "error": None}}
    assert view["progress"]["complete"] is True
    assert view["session"]["title"] == "APPLI crash"
    assert [e["type"] for e in view["timeline"]].count("answer_recorded") == 5


def test_a_refused_piped_answer_names_the_line_and_keeps_earlier_answers(
    runner: CliRunner, write: Write
) -> None:
    write("mini.toml", MINI_PLAYBOOK)
    code, _, err = run(runner, "start", "mini.toml", input="3\nlots\n")
    assert code == 2
    (session_id,) = session_ids(runner)
    assert err.splitlines()[-1] == (
        "crisis: error: standard input, line 2: answer to impact.total: "
        "expected a whole number, like 1000; earlier answers saved; continue with "
        f"`crisis resume {session_id}`"
    )
    code, out, _ = run(runner, "status", "--json")
    assert json.loads(out)["answers"] == {"impact.affected": 3}


def test_end_of_input_exits_130_and_resume_continues(runner: CliRunner, write: Write) -> None:
    write("mini.toml", MINI_PLAYBOOK)
    code, _, err = run(runner, "start", "mini.toml", input="3\n")
    (session_id,) = session_ids(runner)
    assert code == 130
    assert err.splitlines()[-1] == (
        f"crisis: interrupted: saved; continue with `crisis resume {session_id}`"
    )
    code, out, err = run(runner, "resume", input="1000\nno\n.\n")
    assert code == 0, err
    assert out == session_id + "\n"
    assert err.splitlines()[:2] == [
        f"Resuming session {session_id}: Mini outage",
        "Step 1 of 2: Quantify the impact",
    ]
    code, out, _ = run(runner, "status", session_id, "--json")
    assert json.loads(out)["answers"]["impact.total"] == 1000


def test_answers_file_runs_without_prompting(runner: CliRunner, write: Write) -> None:
    write("mini.toml", MINI_PLAYBOOK)
    write(
        "answers.toml",
        """
        [answers]
        "impact.affected" = 3
        "impact.total" = "1,000"
        "limits.abusive" = false
        """,
    )
    code, out, err = run(runner, "start", "mini.toml", "--answers", "answers.toml")
    assert code == 0, err
    (session_id,) = session_ids(runner)
    assert out == session_id + "\n"
    code, out, _ = run(runner, "status", "--json")
    assert json.loads(out)["answers"] == {
        "impact.affected": 3,
        "impact.total": 1000,
        "limits.abusive": False,
        "limits.notes": None,
    }


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (
            '"impact.affected" = 3\n',
            'answers.toml, at answers."impact.total": no answer for the question '
            "'How many users in total?'",
        ),
        (
            '"impact.affected" = "lots"\n',
            'answers.toml, at answers."impact.affected": expected a whole number, like 1000',
        ),
        (
            '"impact.afected" = 3\n',
            "answers.toml, at answers.\"impact.afected\": 'impact.afected' is not a question "
            "of playbook 'mini' (did you mean 'impact.affected'?)",
        ),
    ],
)
def test_a_broken_answers_file_exits_2_and_creates_no_session(
    runner: CliRunner, write: Write, answers: str, message: str
) -> None:
    write("mini.toml", MINI_PLAYBOOK)
    write("answers.toml", "[answers]\n" + answers)
    code, out, err = run(runner, "start", "mini.toml", "--answers", "answers.toml")
    assert code == 2
    assert out == ""
    assert err == f"crisis: error: {message}\n"
    assert session_ids(runner) == []


def test_invalid_playbook_exits_2_without_traceback(runner: CliRunner, write: Write) -> None:
    write("bad.toml", MINI_PLAYBOOK.replace('type = "integer"', 'type = "integr"', 1))
    code, _, err = run(runner, "playbooks", "validate", "bad.toml")
    assert code == 2
    assert "Traceback" not in err
    assert err.startswith("crisis: error: bad.toml, at steps[0].questions[0].type: expected one of")
    assert err.endswith("got 'integr' (did you mean 'integer'?)\n")
    code, _, err = run(runner, "start", "bad.toml")
    assert code == 2 and "did you mean 'integer'" in err


def test_crisis_debug_shows_the_traceback(
    runner: CliRunner, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("bad.toml", "[[steps]\n")
    monkeypatch.setenv("CRISIS_DEBUG", "1")
    result = runner.invoke(app, ["playbooks", "validate", "bad.toml"])
    assert type(result.exception).__name__ == "PlaybookError"


def test_unknown_session_and_no_open_session(runner: CliRunner, write: Write) -> None:
    code, _, err = run(runner, "status")
    assert (code, err) == (
        2,
        "crisis: error: there is no open session; start one with `crisis start` "
        "or name one from `crisis sessions list`\n",
    )
    code, _, err = run(runner, "status", "20261122-1405-abcdef")
    assert (code, err) == (2, "crisis: error: no session '20261122-1405-abcdef' in this store\n")
    code, _, err = run(runner, "resume", "../../etc/passwd")
    assert code == 2
    assert err == (
        "crisis: error: '../../etc/passwd' is not a session id; expected something like "
        "20261122-1405-k3m9qz (see `crisis sessions list`)\n"
    )


def test_close_then_resume_is_refused(runner: CliRunner, write: Write) -> None:
    write("mini.toml", MINI_PLAYBOOK)
    run(runner, "start", "mini.toml", input="3\n")
    (session_id,) = session_ids(runner)
    code, out, _ = run(runner, "close", session_id, "--resolution", "feature disabled")
    assert code == 0
    assert out.startswith(f"Session {session_id} closed at 2")
    code, _, err = run(runner, "resume", session_id)
    assert (code, err) == (
        2,
        f"crisis: error: session {session_id} is closed and accepts no more answers\n",
    )
    code, out, _ = run(runner, "sessions", "list", "--json")
    (listed,) = json.loads(out)
    assert listed["status"] == "closed" and listed["playbook"] == "mini"
    code, out, _ = run(runner, "status", session_id, "--json")
    assert json.loads(out)["session"]["resolution"] == "feature disabled"


def test_status_text_view(runner: CliRunner, write: Write) -> None:
    write("mini.toml", MINI_PLAYBOOK)
    run(runner, "start", "mini.toml", "--title", "APPLI crash", input="3\n1000\n")
    code, out, _ = run(runner, "status")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Session   ") and lines[0].endswith(" (open)")
    assert lines[1] == "Title     APPLI crash"
    assert lines[2] == "Playbook  mini (en): Mini outage"
    assert "Progress  1 of 2 steps, 2 answers" in lines
    assert "Next      limits.abusive: Is a contact abusive?" in lines
    assert "  impact.total     1,000" in lines
    assert "  impact.working_pct  99.7" in lines


def test_control_characters_in_answers_are_neutralised(runner: CliRunner, write: Write) -> None:
    write("mini.toml", MINI_PLAYBOOK)
    run(runner, "start", "mini.toml", input="3\n1000\nyes\n\x1b]0;owned\x07TIM\x1b[2J\n.\n")
    _, out, _ = run(runner, "status")
    assert "\x1b" not in out
    assert "\\x1b]0;owned\\x07TIM\\x1b[2J" in out


def test_sessions_show(runner: CliRunner, write: Write) -> None:
    write("mini.toml", MINI_PLAYBOOK)
    run(runner, "start", "mini.toml", input="3\n1000\n")
    (session_id,) = session_ids(runner)
    _, out, _ = run(runner, "sessions", "show", session_id, "--json")
    data = json.loads(out)
    assert [e["seq"] for e in data["events"]] == [1, 2, 3, 4]
    assert data["events"][0]["payload"]["playbook"]["playbook"]["id"] == "mini"
    code, out, _ = run(runner, "sessions", "show", session_id)
    assert code == 0
    assert "4 events" in out
    assert "answer_recorded: impact.total = 1,000" in out


def test_unknown_language_and_playbook(runner: CliRunner) -> None:
    code, _, err = run(runner, "start", "--lang", "de")
    assert (code, err) == (
        2,
        "crisis: error: unknown language 'de' (from --lang or CRISIS_LANG); expected en or fr\n",
    )
    code, _, err = run(runner, "start", "custmer-outage")
    assert code == 2
    assert err.startswith("crisis: error: no playbook named 'custmer-outage' (did you mean")


def test_nan_in_an_answers_file_is_refused_before_any_session_exists(
    runner: CliRunner, write: Write
) -> None:
    write("p.toml", MINI_PLAYBOOK.replace('type = "integer"', 'type = "number"'))
    write("answers.toml", '[answers]\n"impact.affected" = nan\n"impact.total" = 10\n')
    code, _, err = run(runner, "start", "p.toml", "--answers", "answers.toml")
    assert (code, err) == (
        2,
        'crisis: error: answers.toml, at answers."impact.affected": expected a number, like 99.7\n',
    )
    assert session_ids(runner) == []


def test_a_path_with_a_tilde_is_expanded(
    runner: CliRunner, write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "work"))
    write("mini.toml", MINI_PLAYBOOK)
    code, _, err = run(runner, "playbooks", "validate", "~/mini.toml")
    assert code == 2  # validate takes a plain path: the shell expands ~, not us
    code, _, err = run(runner, "start", "~/mini.toml", input="")
    assert code == 130, err


def test_crisis_lang_does_not_block_an_explicit_file(
    runner: CliRunner, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("mini.toml", MINI_PLAYBOOK)
    monkeypatch.setenv("CRISIS_LANG", "fr")
    code, _, err = run(runner, "start", "mini.toml", input="")
    assert code == 130, err
    code, _, err = run(runner, "start", "mini.toml", "--lang", "fr", input="")
    assert code == 2
    assert err.endswith(
        "mini.toml is written in 'en', not 'fr'; drop --lang or pick the fr version\n"
    )


def test_a_broken_project_playbook_is_reported_not_skipped(runner: CliRunner, write: Write) -> None:
    write("playbooks/customer-outage.en.toml", "[playbook\n")
    code, _, err = run(runner, "start", "customer-outage")
    assert code == 2
    assert "customer-outage.en.toml, line 1: invalid TOML" in err


def test_a_closed_pipe_is_not_an_internal_error(write: Write) -> None:
    write("mini.toml", MINI_PLAYBOOK)
    subprocess.run(
        [sys.executable, "-m", "crisiscli", "start", "mini.toml"],
        input="3\n1000\n",
        capture_output=True,
        text=True,
        check=False,
    )
    reader = subprocess.run(
        f"{sys.executable} -m crisiscli playbooks show customer-outage | head -c 1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "internal error" not in reader.stderr
    assert "Traceback" not in reader.stderr


def test_version(runner: CliRunner) -> None:
    code, out, _ = run(runner, "--version")
    assert (code, out) == (0, f"crisis {__version__}\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "--jsn"], "No such option: --jsn"),
        (["bogus"], "No such command 'bogus'"),
        (["sessions", "show"], "Missing argument"),
    ],
)
def test_argument_mistakes_exit_2_without_internal_error(
    runner: CliRunner, args: list[str], message: str
) -> None:
    code, _, err = run(runner, *args)
    assert code == 2
    assert message in err
    assert "internal error" not in err


def test_titles_must_be_one_clean_line(runner: CliRunner, write: Write) -> None:
    write("mini.toml", MINI_PLAYBOOK)
    code, _, err = run(runner, "start", "mini.toml", "--title", "Real\n20261122-0000-zzzzzz Fake")
    assert (code, err) == (2, "crisis: error: --title holds a line break; expected a single line\n")
    code, _, err = run(runner, "start", "mini.toml", "--title", "caf\udce9")
    assert (code, err) == (2, "crisis: error: --title holds bytes that are not valid UTF-8 text\n")
    assert session_ids(runner) == []


def test_undecodable_piped_bytes_are_refused_with_the_line(write: Write) -> None:
    write("mini.toml", MINI_PLAYBOOK)
    result = subprocess.run(
        [sys.executable, "-m", "crisiscli", "start", "mini.toml"],
        input=b"3\n4\n\xff\xfe\n",
        capture_output=True,
        check=False,
    )
    assert result.returncode == 2
    assert b"standard input, line 3: answer to limits.abusive" in result.stderr
    assert b"internal error" not in result.stderr


def test_a_date_default_from_toml_works_end_to_end(runner: CliRunner, write: Write) -> None:
    write(
        "d.toml",
        """
        [playbook]
        id = "dates"
        title = "Dates"
        language = "en"
        [[steps]]
        id = "when"
        title = "When"
        phase = "custom"
        [[steps.questions]]
        id = "started"
        type = "datetime"
        prompt = "Since when?"
        default = 2026-11-22T09:00:00
        """,
    )
    code, _, err = run(runner, "start", "d.toml", input="\n")
    assert code == 0, err
    _, out, _ = run(runner, "status", "--json")
    assert json.loads(out)["answers"] == {"when.started": "2026-11-22T09:00+01:00"}
