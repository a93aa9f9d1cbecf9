"""Kill a real interactive walk with SIGKILL at random moments; check that nothing is lost.

    .venv/bin/python benchmarks/crash.py [--kills 30] [--seed N] [--questions 20] [--verbose]

A generated playbook of ``--questions`` integer questions (five a step, each
step computing the sum of its answers) is walked in a pseudo-terminal by
``python -m crisiscli start`` and then ``crisis resume``, as a person would.
Each process answers a random number of questions and is killed with
SIGKILL at one of three moments:

* ``startup``: after a random delay from its launch (opening the journal,
  creating the session, loading it), before or around the first prompt;
* ``prompt``: while it waits at a prompt, every answer sent so far acknowledged;
* ``in-flight``: right after an answer is sent, before the next prompt shows,
  after a random delay of zero to a few milliseconds (while it is committed).

An answer is *acknowledged* when the prompt that follows it (or the end of
the walk) appeared. After each kill, a copy of the journal is checked
(the original is left as the crash left it, for ``crisis resume`` to
recover): ``PRAGMA integrity_check`` is ok, sequence numbers have no gap,
no answer or computed value is recorded twice, answers are recorded in
question order with the value sent, and every acknowledged answer is there.
The next process, ``crisis resume``, must ask the first unanswered question.
When a session is fully answered, a new one starts in a fresh data folder.
After the last kill the session is resumed and finished: it must say every
step is recorded, exit 0, and hold every answer and computed sum.

The figures printed at the end are returned by ``run_crash`` too, which the
test suite calls with a smaller count (tests/test_crash.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pexpect

PER_STEP = 5
QUESTION = r"Value of (s\d+\.q\d+)\?"
DONE = "Every step of the playbook is recorded for session"
TIMEOUT = 30
MOMENTS = ("startup", "prompt", "in-flight")
MOMENT_WEIGHTS = (0.15, 0.35, 0.5)


@dataclass
class Figures:
    """What one run of the harness saw; ``ok`` when nothing acknowledged was lost."""

    kills: int = 0
    kills_by_moment: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MOMENTS, 0))
    sessions: int = 0
    acknowledged: int = 0
    found: int = 0
    losses: int = 0
    integrity_failures: int = 0
    duplicates: int = 0
    unacknowledged_recorded: int = 0
    unacknowledged_not_recorded: int = 0
    resumes_checked: int = 0
    resume_mismatches: int = 0
    finished_before_kill: int = 0
    completed: bool = False
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            not self.problems
            and self.losses == 0
            and self.integrity_failures == 0
            and self.duplicates == 0
            and self.resume_mismatches == 0
            and self.completed
        )

    def lines(self) -> list[str]:
        moments = ", ".join(f"{n} {moment}" for moment, n in self.kills_by_moment.items())
        return [
            f"kills                            {self.kills} ({moments})",
            f"sessions                         {self.sessions}",
            f"acknowledged answers             {self.acknowledged}",
            f"acknowledged answers found       {self.found}",
            f"losses                           {self.losses}",
            f"integrity failures               {self.integrity_failures}",
            f"answers recorded twice           {self.duplicates}",
            f"unacknowledged but recorded      {self.unacknowledged_recorded}",
            f"unacknowledged, not recorded     {self.unacknowledged_not_recorded}",
            f"resumes checked / wrong question {self.resumes_checked} / {self.resume_mismatches}",
            f"walks finished before the kill   {self.finished_before_kill}",
            f"last session completed           {'yes' if self.completed else 'NO'}",
            f"duration                         {self.seconds:.1f} s",
            *(f"PROBLEM: {problem}" for problem in self.problems),
        ]


def drill_playbook(questions: int) -> tuple[str, list[str]]:
    """A playbook of integer questions, five a step; returns its text and the keys in order."""
    parts = ['[playbook]\nid = "drill"\ntitle = "Crash drill"\nlanguage = "en"\n']
    keys: list[str] = []
    steps = (questions + PER_STEP - 1) // PER_STEP
    for step in range(1, steps + 1):
        ids = [f"q{n:02d}" for n in range((step - 1) * PER_STEP + 1, step * PER_STEP + 1)]
        ids = [qid for qid in ids if int(qid[1:]) <= questions]
        parts.append(f'\n[[steps]]\nid = "s{step}"\ntitle = "Round {step}"\nphase = "quantify"\n')
        for qid in ids:
            parts.append(
                f'[[steps.questions]]\nid = "{qid}"\ntype = "integer"\n'
                f'prompt = "Value of s{step}.{qid}?"\nmin = 0\n'
            )
            keys.append(f"s{step}.{qid}")
        total = " + ".join(f"s{step}.{qid}" for qid in ids)
        parts.append(f'[steps.compute]\ntotal = "{total}"\n')
    return "".join(parts), keys


@dataclass
class Journal:
    """What a copy of the journal holds, read with sqlite3."""

    integrity: str
    session_ids: list[str]
    answers: dict[str, list[object]]
    computed: dict[str, list[object]]
    answer_order: list[str]
    seq_gaps: bool


def read_journal(home: Path, scratch: Path) -> Journal:
    """Check a copy of the journal, so that the crashed files stay as they are for resume."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    for suffix in ("", "-wal", "-shm"):
        source = home / f"crisis.db{suffix}"
        if source.exists():
            shutil.copy2(source, scratch / source.name)
    path = scratch / "crisis.db"
    if not path.exists():
        return Journal("ok", [], {}, {}, [], False)
    db = sqlite3.connect(path)
    try:
        integrity = "; ".join(row[0] for row in db.execute("PRAGMA integrity_check"))
        has_table = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'"
        ).fetchone()
        rows = (
            db.execute(
                "SELECT session_id, seq, type, payload FROM events ORDER BY session_id, seq"
            ).fetchall()
            if has_table
            else []
        )
    finally:
        db.close()
    sessions: dict[str, list[int]] = {}
    answers: dict[str, list[object]] = {}
    computed: dict[str, list[object]] = {}
    order: list[str] = []
    started: list[str] = []
    for session_id, seq, kind, payload in rows:
        sessions.setdefault(session_id, []).append(seq)
        body = json.loads(payload)
        if kind == "session_started":
            started.append(session_id)
        elif kind == "answer_recorded":
            answers.setdefault(body["key"], []).append(body["value"])
            order.append(body["key"])
        elif kind == "value_computed":
            computed.setdefault(body["key"], []).append(body["value"])
    gaps = any(seqs != list(range(1, len(seqs) + 1)) for seqs in sessions.values())
    return Journal(integrity, started, answers, computed, order, gaps)


class Drill:
    """One run: sessions walked, killed and resumed until enough kills are done."""

    def __init__(
        self,
        folder: Path,
        *,
        questions: int,
        rng: random.Random,
        python: str,
        log: Callable[[str], None],
    ) -> None:
        self.folder = folder
        self.rng = rng
        self.python = python
        self.log = log
        text, self.keys = drill_playbook(questions)
        folder.mkdir(parents=True, exist_ok=True)
        self.playbook = folder / "drill.toml"
        self.playbook.write_text(text, encoding="utf-8")
        self.figures = Figures()
        self.home = folder
        self.session_id: str | None = None
        self.values: dict[str, int] = {}
        self.acknowledged: set[str] = set()
        self.checked: set[str] = set()
        self.lost: set[str] = set()
        self.recorded: list[str] = []

    # -- sessions and processes -------------------------------------------------

    def new_session(self) -> None:
        self.figures.sessions += 1
        self.home = self.folder / f"home-{self.figures.sessions:03d}"
        self.session_id = None
        self.values = {key: self.rng.randint(0, 999_999) for key in self.keys}
        self.acknowledged = set()
        self.checked = set()
        self.lost = set()
        self.recorded = []

    def spawn(self) -> pexpect.spawn:
        env = dict(os.environ)
        env.update(
            CRISIS_HOME=str(self.home),
            NO_COLOR="1",
            TERM="xterm-256color",
            PYTHONUNBUFFERED="1",
            COLUMNS="120",
        )
        for name in ("CRISIS_DEBUG", "CRISIS_LANG"):
            env.pop(name, None)
        if self.session_id is None:
            args = ["-m", "crisiscli", "start", str(self.playbook)]
        else:
            args = ["-m", "crisiscli", "resume", self.session_id]
        return pexpect.spawn(
            self.python,
            args,
            env=env,
            cwd=str(self.folder),
            encoding="utf-8",
            timeout=TIMEOUT,
            dimensions=(40, 120),
        )

    def next_expected(self) -> str | None:
        done = set(self.recorded)
        return next((key for key in self.keys if key not in done), None)

    def wait_question(self, child: pexpect.spawn) -> str | None:
        """The key of the question now asked, or None when the walk says it is finished."""
        index = child.expect([QUESTION, DONE])
        return str(child.match.group(1)) if index == 0 else None

    def arrive(self, child: pexpect.spawn) -> str | None:
        """Wait for the first question of a fresh process; check resume asks the right one."""
        if self.session_id is not None:
            child.expect(f"Resuming session {self.session_id}")
        asked = self.wait_question(child)
        if self.session_id is not None:
            self.figures.resumes_checked += 1
            expected = self.next_expected()
            if asked != expected:
                self.figures.resume_mismatches += 1
                self.problems(f"resume asked {asked}, expected {expected}")
        return asked

    def answer(self, child: pexpect.spawn, key: str) -> str | None:
        """Send the answer to ``key``; return the next question once it shows (acknowledged)."""
        child.sendline(str(self.values[key]))
        following = self.wait_question(child)
        if key not in self.acknowledged:
            self.acknowledged.add(key)
            self.figures.acknowledged += 1
        return following

    def problems(self, text: str) -> None:
        self.figures.problems.append(f"session {self.figures.sessions}: {text}")

    # -- one killed process --------------------------------------------------------

    def kill_one(self) -> None:
        moment = self.rng.choices(MOMENTS, MOMENT_WEIGHTS)[0]
        child = self.spawn()
        in_flight: str | None = None
        if moment == "startup":
            time.sleep(self.rng.uniform(0.0, 0.8))
        else:
            asked = self.arrive(child)
            if asked is None:  # nothing left to ask: the walk ends by itself
                self.reap(child, killed=False)
                return
            remaining = len(self.keys) - self.keys.index(asked)
            for _ in range(self.rng.randint(0, remaining - 1)):
                nxt = self.answer(child, asked)
                assert nxt is not None
                asked = nxt
            if moment == "prompt":
                time.sleep(self.rng.uniform(0.0, 0.05))
            else:
                child.sendline(str(self.values[asked]))
                in_flight = asked
                delay = self.rng.choice(
                    [0.0, self.rng.uniform(0, 0.003), self.rng.uniform(0, 0.02)]
                )
                if delay:
                    time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        if self.reap(child, killed=True):
            self.figures.kills += 1
            self.figures.kills_by_moment[moment] += 1
        self.check(in_flight)

    def reap(self, child: pexpect.spawn, *, killed: bool) -> bool:
        """Wait for the process to end; True when SIGKILL ended it."""
        child.expect(pexpect.EOF)
        child.close()
        if child.signalstatus == signal.SIGKILL:
            return True
        if child.exitstatus != 0:
            self.problems(f"a walk ended with exit {child.exitstatus}: {child.before!r}")
        elif killed:
            self.figures.finished_before_kill += 1
        return False

    # -- checks ---------------------------------------------------------------------

    def check(self, in_flight: str | None, label: str = "") -> None:
        journal = read_journal(self.home, self.folder / "scratch")
        figures = self.figures
        if journal.integrity != "ok" or journal.seq_gaps:
            figures.integrity_failures += 1
            self.problems(f"integrity: {journal.integrity}, gaps in seq: {journal.seq_gaps}")
        if len(journal.session_ids) > 1:
            self.problems(f"{len(journal.session_ids)} sessions in one data folder")
        if journal.session_ids:
            self.session_id = journal.session_ids[0]
        for kind in (journal.answers, journal.computed):
            twice = [key for key, values in kind.items() if len(values) > 1]
            figures.duplicates += len(twice)
            if twice:
                self.problems(f"recorded twice: {twice}")
        if journal.answer_order != self.keys[: len(journal.answer_order)]:
            self.problems(f"answers out of order: {journal.answer_order}")
        for key, values in journal.answers.items():
            if values[0] != self.values[key]:
                self.problems(f"{key} recorded as {values[0]}, sent {self.values[key]}")
        for key in sorted(self.acknowledged):
            present = journal.answers.get(key, [None])[0] == self.values[key]
            if key not in self.checked:
                self.checked.add(key)
                figures.found += present
            if not present and key not in self.lost:
                self.lost.add(key)
                figures.losses += 1
                self.problems(f"acknowledged answer {key} is not in the journal")
        if in_flight is not None and in_flight not in self.acknowledged:
            if in_flight in journal.answers:
                figures.unacknowledged_recorded += 1
            else:
                figures.unacknowledged_not_recorded += 1
        self.check_sums(journal)
        self.recorded = journal.answer_order
        self.log(
            f"{label or f'kill {figures.kills:3d}'}: session {figures.sessions}, "
            f"{len(self.recorded)}/{len(self.keys)} answers recorded, "
            f"{len(self.acknowledged)} acknowledged"
        )

    def check_sums(self, journal: Journal) -> None:
        for key, values in journal.computed.items():
            step = key.split(".")[0]
            expected = sum(self.values[k] for k in self.keys if k.startswith(step + "."))
            if values[0] != expected:
                self.problems(f"{key} computed as {values[0]}, expected {expected}")

    # -- the end ----------------------------------------------------------------------

    def finish(self) -> None:
        """Resume the last session (or start it, if no kill left one) and answer everything."""
        child = self.spawn()
        asked = self.arrive(child)
        while asked is not None:
            asked = self.answer(child, asked)
        child.expect(pexpect.EOF)
        child.close()
        if child.exitstatus != 0:
            self.problems(f"the last walk ended with exit {child.exitstatus}")
            return
        self.check(None, "finished")
        journal = read_journal(self.home, self.folder / "scratch")
        missing = [key for key in self.keys if key not in journal.answers]
        sums = len(journal.computed) == len(self.keys) // PER_STEP + bool(len(self.keys) % PER_STEP)
        if missing or not sums:
            self.problems(f"the finished session lacks {missing or 'computed sums'}")
            return
        self.figures.completed = True


def run_crash(
    kills: int = 30,
    seed: int | None = None,
    *,
    questions: int = 20,
    folder: Path | None = None,
    python: str = sys.executable,
    log: Callable[[str], None] | None = None,
) -> Figures:
    """Kill walks ``kills`` times, check the journal after each, finish the last session."""
    rng = random.Random(seed)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="crisis-crash-") as temporary:
        drill = Drill(
            folder or Path(temporary),
            questions=questions,
            rng=rng,
            python=python,
            log=log or (lambda _text: None),
        )
        drill.new_session()
        while drill.figures.kills < kills:
            if drill.session_id is not None and drill.next_expected() is None:
                drill.new_session()
            drill.kill_one()
        drill.finish()
    drill.figures.seconds = time.perf_counter() - started
    return drill.figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--verbose", action="store_true", help="One line per kill.")
    options = parser.parse_args()
    seed = options.seed if options.seed is not None else random.randrange(1_000_000)
    print(f"seed {seed}, {options.questions} questions, {options.kills} kills")
    figures = run_crash(
        options.kills,
        seed,
        questions=options.questions,
        log=print if options.verbose else None,
    )
    print("\n".join(figures.lines()))
    sys.exit(0 if figures.ok else 1)


if __name__ == "__main__":
    main()
