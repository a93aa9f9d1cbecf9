"""``crisis stats``: figures across sessions of a real SQLite journal, core and CLI."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pexpect
import pytest
from typer.testing import CliRunner

from crisiscli.cli.app import app
from crisiscli.cli.common import open_store
from crisiscli.clock import FixedClock
from crisiscli.compensation import assess_session, decision_payload
from crisiscli.contract import load_contract
from crisiscli.engine import close_session, start_session, walk
from crisiscli.errors import UsageError
from crisiscli.playbook_loading import load_playbook
from crisiscli.recording import (
    add_stakeholder,
    decide_compensation,
    give_feedback,
    send_update,
)
from crisiscli.report_context import build_context, minutes_to_mitigate
from crisiscli.scripted import ScriptedPrompter
from crisiscli.state import SessionState, load_session
from crisiscli.stats import compute_stats, load_stats, parse_since
from crisiscli.store import Store
from crisiscli.store.memory import MemoryStore

from .conftest import PYTHON, REPO, cli_env

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 10, tzinfo=UTC)
"""When the figures are taken: after every promise of the sessions fell due."""

PLAYBOOK = """
[playbook]
id = "{id}"
title = "Stats {id}"
language = "en"

[[steps]]
id = "incident"
title = "Times"
phase = "acknowledge"
[[steps.questions]]
id = "started"
type = "datetime"
prompt = "When did it start for the customer?"
report_as = "incident.started_at"
[[steps.questions]]
id = "mitigated"
type = "datetime"
prompt = "When did the workaround take effect?"
report_as = "incident.mitigated_at"
required = false
[[steps.questions]]
id = "score"
type = "score"
prompt = "What score did the customer give?"
report_as = "feedback.score"
required = false
"""

USD_CONTRACT = """
[contract]
currency = "USD"
tiers = [{ outage_over_minutes = 30, credit_amount = 40 }]
"""

# Session ids, in the order the sessions started.
S1 = "20261031-2330-aaaaa1"  # 2026-10-31 23:30 in Paris: before --since 2026-11-01
S4 = "20261101-0030-aaaaa4"  # 2026-11-01 00:30 in Paris (still 31 October in UTC)
S2 = "20261102-0900-aaaaa2"
S3 = "20261103-0900-aaaaa3"
S5 = "20261104-0900-aaaaa5"  # a training drill
S6 = "20261105-0900-aaaaa6"


class Journal:
    """Sessions recorded through the real engine and recording functions, on a fixed clock."""

    def __init__(self, store: Store, folder: Path) -> None:
        self.store = store
        self.folder = folder
        self.clock = FixedClock(NOW)
        self.actor = "alex@test"

    def at(self, moment: datetime) -> FixedClock:
        self.clock.current = moment.astimezone(UTC)  # as a real clock reads
        return self.clock

    def start(
        self,
        session_id: str,
        started: datetime,
        *,
        mitigation_minutes: int | None,
        walk_score: int | None = None,
        playbook: str = "stats-mini",
        training: bool = False,
    ) -> SessionState:
        path = self.folder / f"{playbook}.toml"
        path.write_text(PLAYBOOK.format(id=playbook), encoding="utf-8")
        state = start_session(
            self.store,
            load_playbook(path),
            title=f"Crisis {session_id[-1]}",
            source=str(path),
            clock=self.at(started),
            actor=self.actor,
            timezone="Europe/Paris",
            training=training,
            session_id=session_id,
        )
        began = started - timedelta(minutes=10)
        answers: dict[str, object] = {"incident.started": began.isoformat()}
        if mitigation_minutes is not None:
            mitigated = began + timedelta(minutes=mitigation_minutes)
            answers["incident.mitigated"] = mitigated.isoformat()
        if walk_score is not None:
            answers["incident.score"] = walk_score
        prompter = ScriptedPrompter(path, answers)
        return walk(self.store, state, prompter, clock=self.clock, actor=self.actor)

    def stakeholder(self, state: SessionState, name: str, cadence: int, at: datetime) -> None:
        add_stakeholder(
            self.store,
            state,
            name,
            org=None,
            role=None,
            cadence_minutes=cadence,
            clock=self.at(at),
            actor=self.actor,
        )

    def update(self, state: SessionState, at: datetime, next_in: int | None = None) -> None:
        send_update(
            self.store,
            state,
            "Sign-in works again for most users; next update soon.",
            to=[],
            channel=None,
            next_in_minutes=next_in,
            no_news=False,
            flags=[],
            clock=self.at(at),
            actor=self.actor,
        )

    def score(self, state: SessionState, score: int, phase: str, at: datetime) -> None:
        give_feedback(
            self.store,
            state,
            source="Lea",
            score=score,
            phase=phase,
            text=None,
            clock=self.at(at),
            actor=self.actor,
        )

    def compensate(self, state: SessionState, contract: Path, offered: str, at: datetime) -> None:
        assessment = assess_session(state, load_contract(contract), at)
        payload = decision_payload(assessment, language="en", offered=Decimal(offered), note=None)
        decide_compensation(self.store, state, payload, clock=self.at(at), actor=self.actor)

    def close(self, state: SessionState, at: datetime) -> None:
        close_session(self.store, state, resolution="", clock=self.at(at), actor=self.actor)


def paris(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


def record_sessions(store: Store, folder: Path) -> None:
    """Six sessions (one a drill) whose figures are worked out in the tests below."""
    usd = folder / "usd.toml"
    usd.write_text(USD_CONTRACT, encoding="utf-8")
    eur = REPO / "contracts" / "example.en.toml"
    journal = Journal(store, folder)
    minute = timedelta(minutes=1)

    # S1: 30 minutes to mitigate; scores 6 before and 9 after; 75.50 EUR; closed.
    t1 = paris("2026-10-31T23:30")
    s1 = journal.start(S1, t1, mitigation_minutes=30)
    journal.score(s1, 6, "before", t1 + minute)
    journal.score(s1, 9, "after", t1 + 2 * minute)
    journal.compensate(s1, eur, "75.50", t1 + 3 * minute)
    journal.close(s1, t1 + 4 * minute)

    # S4: another playbook, no mitigation time, nothing else; closed.
    t4 = paris("2026-11-01T00:30")
    s4 = journal.start(S4, t4, mitigation_minutes=None, playbook="stats-other")
    journal.close(s4, t4 + minute)

    # S2: 90 minutes; Tim every 30 minutes: kept, then missed, then overdue; open.
    t2 = paris("2026-11-02T09:00")
    s2 = journal.start(S2, t2, mitigation_minutes=90)
    journal.stakeholder(s2, "Tim", 30, t2)
    journal.update(s2, t2)  # due by +30: kept by the next one at +20
    journal.update(s2, t2 + 20 * minute, next_in=10)  # due by +30: the next is at +45, missed
    journal.update(s2, t2 + 45 * minute)  # due by +75: nothing since, overdue at NOW

    # S3: 45 minutes; Nadia every hour: kept, then released by the close; the walk's
    # score 8 is its after-crisis score; 80 USD (40 owed); closed.
    t3 = paris("2026-11-03T09:00")
    s3 = journal.start(S3, t3, mitigation_minutes=45, walk_score=8)
    journal.stakeholder(s3, "Nadia", 60, t3)
    journal.update(s3, t3)
    journal.update(s3, t3 + 50 * minute)
    journal.compensate(s3, usd, "80", t3 + 55 * minute)
    journal.close(s3, t3 + 60 * minute)

    # S5: a training drill, 5 minutes to mitigate, a score of 1 before.
    t5 = paris("2026-11-04T09:00")
    s5 = journal.start(S5, t5, mitigation_minutes=5, training=True)
    journal.score(s5, 1, "before", t5 + minute)

    # S6: 60 minutes; 9 before, then 6 and 9 after (the walk's 5 does not count: scores
    # were recorded after the crisis); 100.25 EUR; open.
    t6 = paris("2026-11-05T09:00")
    s6 = journal.start(S6, t6, mitigation_minutes=60, walk_score=5)
    journal.score(s6, 9, "before", t6 + minute)
    journal.score(s6, 6, "after", t6 + 2 * minute)
    journal.score(s6, 9, "after", t6 + 3 * minute)
    journal.compensate(s6, eur, "100.25", t6 + 4 * minute)


@pytest.fixture
def recorded(tmp_path: Path) -> Store:
    """The sessions, in the journal `crisis` itself opens ($CRISIS_HOME/crisis.db)."""
    store = open_store()
    record_sessions(store, tmp_path)
    return store


# -- the core ---------------------------------------------------------------------------------


def test_the_figures_of_every_real_session(recorded: Store) -> None:
    stats = load_stats(recorded, now=NOW)
    assert [s.session_id for s in stats.sessions] == [S1, S4, S2, S3, S6]
    assert (stats.count, stats.closed) == (5, 3)
    assert stats.playbooks == [("stats-mini", 4), ("stats-other", 1)]
    # 30, 90, 45 and 60 minutes (S4 has none): an even count, the mean of 45 and 60.
    assert stats.mitigation_minutes == [30, 90, 45, 60]
    assert stats.median_minutes_to_mitigate == 52.5
    # S2: kept, missed, overdue; S3: kept (its last promise was released by the close).
    by_id = {s.session_id: s for s in stats.sessions}
    assert (by_id[S2].promises_kept, by_id[S2].promises_due) == (1, 3)
    assert by_id[S2].compliance_percent == 33.3
    assert (by_id[S3].promises_kept, by_id[S3].promises_due) == (1, 1)
    assert by_id[S3].compliance_percent == 100.0
    assert by_id[S1].compliance_percent is None
    assert (stats.promises_kept, stats.promises_due, stats.compliance_percent) == (2, 4, 50.0)
    assert stats.sessions_with_promises_due == 2
    # Before: 6 (S1) and 9 (S6). After: 9 (S1), 8 (S3, from the walk), 6 and 9 (S6).
    before, after = stats.feedback("before"), stats.feedback("after")
    assert (before.scores, before.sessions, before.average) == (2, 2, 7.5)
    assert (after.scores, after.sessions, after.average) == (4, 3, 8.0)
    assert by_id[S6].after == (6, 9)  # the walk's 5 is left out
    assert stats.paradox == (1, 2)  # S1: 9 > 6 held; S6: 9 is not above 9
    # Two currencies, never added together.
    totals = [(c.currency, c.sessions, c.offered, c.owed) for c in stats.compensation]
    assert totals == [
        ("EUR", 2, Decimal("175.75"), Decimal("0")),
        ("USD", 1, Decimal("80"), Decimal("40")),
    ]
    assert stats.sessions_with_compensation == 3


def test_the_mitigation_time_is_the_reports(recorded: Store) -> None:
    for session_id in (S1, S2, S4):
        state = load_session(recorded, session_id)
        context = build_context(state, language="en", now=NOW)
        assert minutes_to_mitigate(state) == context.incident.minutes_to_mitigate
    assert minutes_to_mitigate(load_session(recorded, S4)) is None


def test_since_a_local_date_and_an_odd_count(recorded: Store) -> None:
    since = parse_since("2026-11-01", PARIS)
    assert since == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
    stats = load_stats(recorded, now=NOW, since=since)
    # S4 began at 00:30 in Paris on 1 November (23:30 UTC on 31 October): it counts.
    assert [s.session_id for s in stats.sessions] == [S4, S2, S3, S6]
    assert stats.mitigation_minutes == [90, 45, 60]
    assert stats.median_minutes_to_mitigate == 60.0


def test_since_an_instant(recorded: Store) -> None:
    since = parse_since("2026-11-03T10:00+01:00", PARIS)
    stats = load_stats(recorded, now=NOW, since=since)
    assert [s.session_id for s in stats.sessions] == [S6]
    assert parse_since("2026-11-03T10:00", PARIS) == since  # no offset: the local zone


def test_drills_only_when_asked(recorded: Store) -> None:
    stats = load_stats(recorded, now=NOW, include_training=True)
    assert S5 in [s.session_id for s in stats.sessions]
    assert stats.median_minutes_to_mitigate == 45.0  # 5, 30, 45, 60, 90
    assert stats.feedback("before").average == round((6 + 9 + 1) / 3, 1)


@pytest.mark.parametrize("given", ["yesterday", "2026-13-01", "01/11/2026", "2026-11-01 25:00", ""])
def test_a_bad_since_is_a_usage_error(given: str) -> None:
    with pytest.raises(UsageError) as refused:
        parse_since(given, PARIS)
    assert "is not a date; expected a day like 2026-11-01" in str(refused.value)


def test_the_pure_function_works_on_any_store(tmp_path: Path) -> None:
    """The same figures from a store that is not SQLite, and from folded states directly."""
    memory = MemoryStore()
    record_sessions(memory, tmp_path)
    states = [load_session(memory, s.id) for s in memory.sessions()]
    from_states = compute_stats(states, now=NOW).to_json()
    assert from_states == load_stats(memory, now=NOW).to_json()
    assert from_states["sessions"] == {"count": 5, "open": 2, "closed": 3}


def test_no_session_at_all() -> None:
    stats = load_stats(MemoryStore(), now=NOW)
    document = stats.to_json()
    assert document["sessions"] == {"count": 0, "open": 0, "closed": 0}
    assert document["minutes_to_mitigate"] == {
        "sessions": 0,
        "median": None,
        "min": None,
        "max": None,
    }
    assert document["feedback"]["after"] == {"sessions": 0, "scores": 0, "average": None}
    assert document["compensation"] == {"sessions": 0, "totals": []}


# -- the command ------------------------------------------------------------------------------


@pytest.fixture
def cli(recorded: Store, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """`crisis stats` with the figures taken at NOW."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    return CliRunner()


def stats(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["stats", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_is_one_document_of_numbers(cli: CliRunner) -> None:
    code, out, err = stats(cli, "--json", "--since", "2026-11-01")
    assert (code, err) == (0, "")

    def session(session_id: str, **figures: object) -> dict[str, object]:
        started = {
            S4: "2026-10-31T23:30:00+00:00",
            S2: "2026-11-02T08:00:00+00:00",
            S3: "2026-11-03T08:00:00+00:00",
            S6: "2026-11-05T08:00:00+00:00",
        }[session_id]
        return {
            "id": session_id,
            "title": f"Crisis {session_id[-1]}",
            "playbook": "stats-other" if session_id == S4 else "stats-mini",
            "started_at": started,
            "training": False,
            **figures,
        }

    assert json.loads(out) == {
        "since": "2026-11-01T00:00:00+01:00",
        "training_included": False,
        "sessions": {"count": 4, "open": 2, "closed": 2},
        "playbooks": [
            {"playbook": "stats-mini", "sessions": 3},
            {"playbook": "stats-other", "sessions": 1},
        ],
        "minutes_to_mitigate": {"sessions": 3, "median": 60.0, "min": 45, "max": 90},
        "cadence": {
            "sessions": 2,
            "promises_kept": 2,
            "promises_due": 4,
            "compliance_percent": 50.0,
        },
        "feedback": {
            "before": {"sessions": 1, "scores": 1, "average": 9.0},
            "after": {"sessions": 2, "scores": 3, "average": 7.7},
        },
        "recovery_paradox": {"sessions": 1, "held": 0},
        "compensation": {
            "sessions": 2,
            "totals": [
                {"currency": "EUR", "sessions": 1, "offered": 100.25, "owed": 0.0},
                {"currency": "USD", "sessions": 1, "offered": 80.0, "owed": 40.0},
            ],
        },
        "per_session": [
            session(
                S4,
                status="closed",
                minutes_to_mitigate=None,
                promises_kept=0,
                promises_due=0,
                compliance_percent=None,
                feedback_before=[],
                feedback_after=[],
                recovery_paradox=None,
                compensation=None,
            ),
            session(
                S2,
                status="open",
                minutes_to_mitigate=90,
                promises_kept=1,
                promises_due=3,
                compliance_percent=33.3,
                feedback_before=[],
                feedback_after=[],
                recovery_paradox=None,
                compensation=None,
            ),
            session(
                S3,
                status="closed",
                minutes_to_mitigate=45,
                promises_kept=1,
                promises_due=1,
                compliance_percent=100.0,
                feedback_before=[],
                feedback_after=[8],
                recovery_paradox=None,
                compensation={"currency": "USD", "offered": 80.0, "owed": 40.0},
            ),
            session(
                S6,
                status="open",
                minutes_to_mitigate=60,
                promises_kept=0,
                promises_due=0,
                compliance_percent=None,
                feedback_before=[9],
                feedback_after=[6, 9],
                recovery_paradox=False,
                compensation={"currency": "EUR", "offered": 100.25, "owed": 0.0},
            ),
        ],
    }


def test_json_without_since_counts_every_real_session(cli: CliRunner) -> None:
    code, out, _ = stats(cli, "--json")
    document = json.loads(out)
    assert code == 0 and document["since"] is None
    assert document["minutes_to_mitigate"] == {
        "sessions": 4,
        "median": 52.5,
        "min": 30,
        "max": 90,
    }
    assert [s["id"] for s in document["per_session"]] == [S1, S4, S2, S3, S6]
    code, out, _ = stats(cli, "--json", "--training")
    assert json.loads(out)["training_included"] is True
    assert [s["id"] for s in json.loads(out)["per_session"]][-2:] == [S5, S6]


def rows(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def test_the_tables_and_bars_in_english(cli: CliRunner) -> None:
    code, out, err = stats(cli)
    assert (code, err) == (0, "")
    assert "\x1b" not in out  # not a terminal, and NO_COLOR is set
    lines = rows(out)
    assert lines[:3] == [
        "Figures across crises",
        "Every session.",
        "Training drills left out (--training includes them).",
    ]
    for expected in (
        "Sessions 5 (open: 2, closed: 3)",
        "Playbooks stats-mini: 4, stats-other: 1",
        "Time to mitigation median 52 min 30 s, from 30 min to 1 h 30 min",
        "sessions with a mitigation time: 4 of 5",
        "Update cadence promised updates kept: 2 of 4 (50%)",
        "sessions with promises due: 2 of 5",
        "Feedback before average 7.5/10 (scores: 2, sessions: 2)",
        "Feedback after average 8/10 (scores: 4, sessions: 3)",
        "Recovery paradox held in sessions scored before and after: 1 of 2",
        "Compensation 175.75 EUR offered (owed: 0 EUR), sessions: 2",
        "80 USD offered (owed: 40 USD), sessions: 1",
        "sessions with a compensation decision: 3 of 5",
        "Promised updates kept, per session",
        f"{S1} no promise due",
        "Average feedback, out of 10",
        "Time to mitigation, per session",
        f"{S4} not recorded",
    ):
        assert expected in lines, expected
    # Bars: 33.3% and 100% of 30 cells, 7.5 and 8 of 10.
    assert f"{S2} {'█' * 9}▉ 33.3% (1 of 3)" in lines
    assert f"{S3} {'█' * 30} 100% (1 of 1)" in lines
    assert f"before {'█' * 22}▌ 7.5/10" in lines
    assert f"after {'█' * 24} 8/10" in lines
    assert f"{S2} {'█' * 30} 1 h 30 min" in lines


def test_the_tables_in_french(cli: CliRunner) -> None:
    code, out, _ = stats(cli, "--lang", "fr", "--since", "2026-11-01")
    assert code == 0
    lines = rows(out)
    assert lines[:3] == [
        "Chiffres des crises",
        "Sessions commencées depuis le 1er novembre 2026.",
        "Exercices d'entraînement exclus (--training les inclut).",
    ]
    for expected in (
        "Sessions 4 (en cours : 2, closes : 2)",
        "Délai de contournement médiane 1 h, de 45 min à 1 h 30 min",
        "sessions avec une heure de contournement : 3 sur 4",
        "Rythme des points points promis tenus : 2 sur 4 (50 %)",
        "Avis avant moyenne 9/10 (notes : 1, sessions : 1)",
        "Avis après moyenne 7,7/10 (notes : 3, sessions : 2)",
        "Paradoxe de la reprise vérifié dans les sessions notées avant et après : 0 sur 1",
        "Dédommagement 100,25 EUR offerts (dus : 0 EUR), sessions : 1",
        "80 USD offerts (dus : 40 USD), sessions : 1",
        "Points promis tenus, par session",
        f"{S2} {'█' * 9}▉ 33,3 % (1 sur 3)",
        f"{S4} non enregistré",
    ):
        assert expected in lines, expected


def test_the_language_setting_chooses_french(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRISIS_LANG", "fr")
    assert stats(cli)[1].startswith("Chiffres des crises\n")
    assert stats(cli, "--lang", "en")[1].startswith("Figures across crises\n")


def test_it_fits_80_columns(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    for language in ("en", "fr"):
        code, out, _ = stats(cli, "--lang", language, "--training")
        assert code == 0
        assert max(len(line.rstrip()) for line in out.splitlines()) <= 80, language


def test_nothing_to_count(runner: CliRunner) -> None:
    result = runner.invoke(app, ["stats", "--since", "2026-11-01"])
    assert result.exit_code == 0
    assert rows(result.stdout)[-1] == "No session to count."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "last week"],
         "--since 'last week' is not a date; expected a day like 2026-11-01 or an instant like "
         "2026-11-01T09:00+01:00"),
        (["--lang", "de"], "unknown language 'de' (from --lang or CRISIS_LANG); expected en or fr"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["stats", *args])
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"crisis: error: {message}\n",
    )


def in_terminal(*args: str, **env: str) -> str:
    """What ``crisis stats ARGS`` shows in a real (pseudo-)terminal."""
    environment = {**cli_env(), "TERM": "xterm-256color", "COLUMNS": "80", **env}
    if "NO_COLOR" not in env:
        environment.pop("NO_COLOR", None)  # the test isolation sets it
    child = pexpect.spawn(
        PYTHON,
        ["-m", "crisiscli", "stats", *args],
        env=environment,
        encoding="utf-8",
        timeout=60,
        dimensions=(60, 80),
    )
    child.expect(pexpect.EOF)
    child.close()
    return str(child.before)


def colour_codes(text: str) -> set[str]:
    """The foreground colours set by ``text``'s escape sequences (bold is not a colour)."""
    codes = {
        code for match in re.finditer(r"\x1b\[([0-9;]*)m", text) for code in match[1].split(";")
    }
    return {code for code in codes if code and 30 <= int(code) <= 37}


def test_colour_only_in_a_terminal_without_no_color(recorded: Store) -> None:
    assert colour_codes(in_terminal()) == {"36"}  # the bars are cyan
    shown = in_terminal(NO_COLOR="1")
    assert colour_codes(shown) == set()
    assert "Figures across crises" in shown


def test_a_since_beyond_the_calendar_is_refused_in_one_sentence() -> None:
    from zoneinfo import ZoneInfo  # noqa: PLC0415

    from crisiscli.errors import UsageError  # noqa: PLC0415
    from crisiscli.stats import parse_since  # noqa: PLC0415

    with pytest.raises(UsageError, match=r"--since '0001-01-01T00:00\+14:00' is out of range"):
        parse_since("0001-01-01T00:00+14:00", ZoneInfo("UTC"))
