"""The live-crisis commands end to end: a scripted crisis through the CLI, and crisis watch."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pexpect
import pytest
from typer.testing import CliRunner

from crisiscli import events as ev
from crisiscli.store.sqlite import SQLiteStore

from .conftest import PYTHON, REPO, cli_env, run


@pytest.fixture
def session(runner: CliRunner) -> str:
    answers = REPO / "tests" / "data" / "customer-outage.en.answers.toml"
    code, out, err = run(runner, "start", "customer-outage", "--answers", str(answers))
    assert code == 0, err
    return out.strip()


def test_a_scripted_crisis_shows_in_status(runner: CliRunner, session: str) -> None:
    steps = [
        ["stakeholder", "add", "Tim", "--org", "ASSO", "--role", "president", "--cadence", "60"],
        ["stakeholder", "add", "Head of delivery", "--cadence", "120"],
        ["note", "--from", "Tim", "--channel", "phone", "three people cannot download the app"],
        [
            "update",
            "--to",
            "Tim",
            "--channel",
            "phone",
            "--next-in",
            "30",
            "Sam will call at 10:30",
        ],
        ["impact", "--affected", "3", "--total", "1,000", "--note", "counted with Tim"],
        ["impact", "--affected", "1", "--total", "1000"],
        ["limit", "Tim", "--level", "warn", "--text", "insults on the phone"],
        ["stakeholder", "replace", "Tim", "Lea", "--reason", "insults after a warning"],
        ["feedback", "--from", "Lea", "--score", "6", "--phase", "before"],
        ["feedback", "--from", "Lea", "--score", "8", "handled well"],
    ]
    for args in steps:
        code, _, err = run(runner, *args)
        assert (code, err) == (0, ""), (args, err)
    code, out, _ = run(runner, "status", "--json")
    live = json.loads(out)["live"]
    assert [s["name"] for s in live["stakeholders"]] == ["Tim", "Head of delivery", "Lea"]
    assert live["stakeholders"][0]["replaced_by"] == "Lea"
    assert sorted(d["name"] for d in live["due"]) == ["Head of delivery", "Lea"]
    assert not any(d["overdue"] for d in live["due"])
    assert live["impact"]["affected"] == 1 and live["impact"]["affected_percent"] == 0.1
    assert [m["affected"] for m in live["impact"]["measurements"]] == [3, 3, 1]
    assert live["impact"]["severity"] == "minor"
    assert [x["level"] for x in live["limits"]] == ["warn"]
    assert live["recovery_paradox"] is True
    assert live["notes"][0]["source"] == "Tim"
    assert [(p["stakeholder"], p["explicit"]) for p in live["promises"]] == [("Tim", True)]
    code, text, _ = run(runner, "status")
    assert "Stakeholders" in text and "Head of delivery" in text
    assert "Impact    1 of 1,000 affected (0.1%), 99.9% working" in text
    assert "Recovery paradox held" in text
    assert "update sent to Tim: Sam will call at 10:30" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["impact", "--affected", "5", "--total", "3"],
         "--affected 5 is more than --total 3; count again: the affected users are part of the "
         "total"),
        (["impact", "--affected", "many", "--total", "3"],
         "--affected 'many': expected a whole number, like 1000"),
        (["impact", "--affected", "-2", "--total", "3"], "--affected '-2': expected 0 or more"),
        (["update", "--to", "Tom", "hello"],
         "no stakeholder named Tom; add one with `crisis stakeholder add`"),
        (["update"], "give the update's TEXT, or --no-news to draft a holding message"),
        (["limit", "Tim", "--level", "yell"],
         "--level 'yell' is not one of warn, final-warning, end-contact, escalate"),
        (["feedback", "--from", "Lea", "--score", "12"],
         "--score 12 is out of range; expected a score from 0 to 10"),
        (["note", "   "], "TEXT is empty; expected a few words"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_one_sentence(
    runner: CliRunner, session: str, args: list[str], message: str
) -> None:
    code, out, err = run(runner, *args)
    assert (code, out, err) == (2, "", f"crisis: error: {message}\n")


def test_no_news_drafts_the_holding_message_from_the_update_template(
    runner: CliRunner, session: str
) -> None:
    run(runner, "stakeholder", "add", "Tim")
    code, out, err = run(runner, "update", "--no-news", "--next-in", "30")
    assert (code, err) == (0, "")
    assert "Update recorded at" in out and "for Tim." in out
    code, status, _ = run(runner, "status", "--json")
    (sent,) = json.loads(status)["live"]["updates"]
    assert sent["no_news"] is True and sent["to"] == ["Tim"]
    assert sent["text"] and sent["text"] in out
    assert sent["next_at"] is not None


def test_live_commands_refuse_a_closed_session(runner: CliRunner, session: str) -> None:
    assert run(runner, "close")[0] == 0
    code, _, err = run(runner, "note", "--session", session, "too late")
    assert code == 2 and "is closed" in err


def _overdue_stakeholder(home: Path, session: str) -> None:
    """A stakeholder added two hours ago, so an update is already overdue."""
    store = SQLiteStore(home / "crisis.db")
    store.append(
        session,
        ev.STAKEHOLDER_ADDED,
        {"name": "Tim", "org": "ASSO", "role": "president", "cadence_minutes": 60},
        actor="test@host",
        at=datetime.now(UTC) - timedelta(hours=2),
    )
    store.close()


def test_watch_shows_overdue_rings_the_bell_and_stops_on_ctrl_c(
    runner: CliRunner, session: str, isolated: Path
) -> None:
    _overdue_stakeholder(isolated, session)
    env = cli_env()
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(
        PYTHON,
        ["-m", "crisiscli", "watch"],
        env=env,
        encoding="utf-8",
        dimensions=(30, 120),
        timeout=20,
        cwd=str(Path.cwd()),
    )
    try:
        child.expect("\a")  # the bell, once, when the update falls due
        child.expect("OVERDUE")
        child.expect("Tim")
        child.expect(r"OVERDUE \d+:\d\d:\d\d")
        child.sendintr()
        child.expect("Stopped watching; nothing was recorded.")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def test_watch_sees_an_update_recorded_from_another_terminal(
    runner: CliRunner, session: str, isolated: Path
) -> None:
    _overdue_stakeholder(isolated, session)
    child = pexpect.spawn(
        PYTHON,
        ["-m", "crisiscli", "watch"],
        env=cli_env(),
        encoding="utf-8",
        dimensions=(30, 120),
        timeout=20,
        cwd=str(Path.cwd()),
    )
    try:
        child.expect("OVERDUE")
        code, _, err = run(runner, "update", "--to", "Tim", "--next-in", "45", "fixed soon")
        assert code == 0, err
        child.expect(r"Tim \(president\)[^\n]*\d\d:\d\d[^\n]*(44|45):\d\d")
        child.sendintr()
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


CONTRACT = REPO / "contracts" / "example.en.toml"


def test_compensation_from_a_contract_file(runner: CliRunner, session: str) -> None:
    code, out, err = run(runner, "compensation", "--contract", str(CONTRACT), "--yes", "--json")
    assert (code, err) == (0, "")
    decided = json.loads(out)
    # Down from 09:00 until the workaround at 11:30: the "over 60 minutes" tier, 100 EUR.
    assert (decided["outage_minutes"], decided["owed"], decided["proposed"]) == (150, 100.0, 125.0)
    assert decided["gestures"] == ["3 extra days of service", "1 month of priority support"]
    status = json.loads(run(runner, "status", "--json")[1])
    assert status["live"]["compensation"]["offered"] == 125.0
    code, out, _ = run(
        runner, "compensation", "--contract", str(CONTRACT), "--yes", "--offer", "200"
    )
    assert code == 0 and "Offer of 200 EUR recorded" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "the playbook customer-outage has no [contract] table; give the contract's terms "
             "with --contract FILE"),
        (["--contract", str(CONTRACT), "--yes", "--offer", "50"],
         "--offer 50 is below what the contract owes (100.00 EUR); offer at least that"),
        (["--contract", str(CONTRACT), "--yes", "--offer", "lots"],
         "--offer 'lots': expected a number, like 99.7"),
        (["--contract", str(CONTRACT), "--yes", "--offer", "150.555"],
         "--offer '150.555' has more decimals than EUR allows (2)"),
        (["--contract", str(CONTRACT)],
         "confirm with --yes to record the offer without a terminal"),
    ],
)  # fmt: skip
def test_compensation_refusals(
    runner: CliRunner, session: str, args: list[str], message: str
) -> None:
    code, _, err = run(runner, "compensation", *args)
    assert (code, err) == (2, f"crisis: error: {message}\n")
    assert json.loads(run(runner, "status", "--json")[1])["live"]["compensation"] is None


def test_a_playbook_may_carry_its_contract(runner: CliRunner, tmp_path: Path) -> None:
    source = (REPO / "playbooks" / "customer-outage.en.toml").read_text(encoding="utf-8")
    terms = CONTRACT.read_text(encoding="utf-8").split("[contract]", 1)[1]
    playbook = tmp_path / "with-contract.toml"
    playbook.write_text(source + "\n[contract]" + terms, encoding="utf-8")
    answers = REPO / "tests" / "data" / "customer-outage.en.answers.toml"
    code, _, err = run(runner, "start", str(playbook), "--answers", str(answers))
    assert code == 0, err
    code, out, err = run(runner, "compensation", "--yes")
    assert code == 0, err
    assert "Owed under the contract  100 EUR" in out
    broken = tmp_path / "broken.toml"
    broken.write_text(source + '\n[contract]\ncurrency = "euro"\ntiers = []\n', encoding="utf-8")
    code, _, err = run(runner, "playbooks", "validate", str(broken))
    assert code == 2 and "contract.currency" in err


def test_the_coach_reads_every_update_and_never_blocks(runner: CliRunner, session: str) -> None:
    run(runner, "stakeholder", "add", "Tim")
    text = "Sorry, but it is not really our fault: the host failed. Lots of users are affected."
    code, out, err = run(runner, "update", text)
    assert code == 0 and "Update recorded" in out
    flagged = {line.split(":")[1].split()[0] for line in err.splitlines()}
    assert {"blame", "vague_impact", "no_next_update"} <= flagged
    (sent,) = json.loads(run(runner, "status", "--json")[1])["live"]["updates"]
    assert {f["category"] for f in sent["flags"]} == flagged


def test_a_replaced_name_cannot_come_back_and_closing_ends_the_countdowns(
    runner: CliRunner, session: str
) -> None:
    run(runner, "stakeholder", "add", "Tim")
    run(runner, "stakeholder", "replace", "Tim", "Lea", "--reason", "insults")
    code, _, err = run(runner, "stakeholder", "add", "Tim")
    assert code == 2 and "Tim was replaced by Lea in this session" in err
    assert run(runner, "close")[0] == 0
    live = json.loads(run(runner, "status", "--json", session)[1])["live"]
    assert live["due"] == []


def test_no_news_promises_the_time_its_draft_names(runner: CliRunner, session: str) -> None:
    run(runner, "stakeholder", "add", "Tim", "--cadence", "30")
    assert run(runner, "update", "--no-news")[0] == 0
    (sent,) = json.loads(run(runner, "status", "--json")[1])["live"]["updates"]
    made, due = datetime.fromisoformat(sent["at"]), datetime.fromisoformat(sent["next_at"])
    minutes = (due - made).total_seconds() / 60
    assert minutes == 60  # the playbook's cadence, as the draft says, not Tim's 30
