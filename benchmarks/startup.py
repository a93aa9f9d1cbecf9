"""Time crisis commands against the floor every Typer CLI pays, and print the ratios.

    .venv/bin/python benchmarks/startup.py [--runs 30] [--bytecode both|compiled|source]

The floor is a minimal Typer app with one command (one string option): what
any Typer CLI pays to start. `crisis --help` is compared with that app's
`--help`; `crisis status`, `crisis note TEXT` and the others with running its
command. Typer's own cost depends on the parameters it has to coerce (it
builds pydantic adapters for them), so two more floors have the parameter
shape of `status` (an optional argument and a flag) and of `note` (an
argument and three options): "x shaped" compares with those.

Figures are wall times of separate processes, in milliseconds: the median,
and the minimum (the run least disturbed by the rest of the machine). The
commands run interleaved (one process of each, in a shuffled order, per
round), so that a noisy machine slows floor and commands alike.

Two ways of loading Python code are measured, each with its own bytecode
cache (``PYTHONPYCACHEPREFIX``), so that stale ``__pycache__`` folders in the
tree do not count:

- compiled: every module has its ``.pyc`` (what ``pip install`` leaves);
- source: ``PYTHONDONTWRITEBYTECODE=1`` (set in the development
  environment) with no ``.pyc`` for crisiscli, so its modules are compiled
  at every run; the standard library and the dependencies have theirs.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

FLOOR = """
import typer
app = typer.Typer()
@app.command()
def hello(name: str = "world") -> None:
    print(name)
app()
"""

FLOOR_LIKE_STATUS = """
from typing import Annotated
import typer
app = typer.Typer()
@app.command()
def status(session: Annotated[str | None, typer.Argument()] = None, json: bool = False) -> None:
    print(session, json)
app()
"""

FLOOR_LIKE_NOTE = """
from typing import Annotated
import typer
app = typer.Typer()
@app.command()
def note(
    text: str,
    source: Annotated[str | None, typer.Option("--from", "-f")] = None,
    channel: Annotated[str | None, typer.Option("--channel", "-c")] = None,
    session: Annotated[str | None, typer.Option("--session", "-s")] = None,
) -> None:
    print(text, source, channel, session)
app()
"""

ANSWERS = "3\n1000\n"
# A session a few minutes into a crisis: two answers, then the piped input ends
# (exit 130, answers kept); a stakeholder, an update, an impact and a note.
SETUP = [
    ["stakeholder", "add", "Tim", "--role", "president", "--org", "ACME"],
    ["update", "We are on it; next update within the hour.", "--next-in", "60"],
    ["impact", "--affected", "3", "--total", "1000"],
    ["note", "the president called"],
]


@dataclass
class Row:
    label: str
    command: list[str]
    home: str
    floor: str  # label of the row it is compared with ("x floor")
    shaped: str  # label of the floor with the same parameter shape ("x shaped")
    times: dict[str, list[float]] = field(default_factory=dict)
    """Per bytecode mode: the wall time of each run, in seconds."""


def crisis_command() -> list[str]:
    """The ``crisis`` console script as installed, else ``python -m crisiscli``."""
    script = Path(sys.executable).with_name("crisis")
    if script.exists():
        return [sys.executable, str(script)]
    return [sys.executable, "-m", "crisiscli"]


def prepare(crisis: list[str], home: Path) -> None:
    env = dict(os.environ, CRISIS_HOME=str(home), NO_COLOR="1")
    for args, stdin, codes in [(["start"], ANSWERS, (0, 130)), *((a, "", (0,)) for a in SETUP)]:
        done = subprocess.run(
            [*crisis, *args], env=env, input=stdin, capture_output=True, text=True, check=False
        )
        if done.returncode not in codes:
            sys.exit(f"crisis {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")


def rows(folder: Path, status_home: str, note_home: str) -> list[Row]:
    files = {}
    for name, text in (
        ("floor.py", FLOOR),
        ("floor_like_status.py", FLOOR_LIKE_STATUS),
        ("floor_like_note.py", FLOOR_LIKE_NOTE),
    ):
        files[name] = folder / name
        files[name].write_text(text)
    python, crisis = sys.executable, crisis_command()
    floor, floor_help = "typer floor: one command", "typer floor --help"
    like_status, like_note = "typer floor: shaped like status", "typer floor: shaped like note"
    home = status_home
    return [
        Row(floor, [python, str(files["floor.py"]), "--name", "x"], home, floor, floor),
        Row(floor_help, [python, str(files["floor.py"]), "--help"], home, floor_help, floor_help),
        Row(
            like_status,
            [python, str(files["floor_like_status.py"]), "x", "--json"],
            home,
            floor,
            like_status,
        ),
        Row(
            like_note,
            [python, str(files["floor_like_note.py"]), "x", "-f", "y"],
            home,
            floor,
            like_note,
        ),
        Row("crisis --help", [*crisis, "--help"], home, floor_help, floor_help),
        Row("crisis status", [*crisis, "status"], home, floor, like_status),
        Row("crisis status --json", [*crisis, "status", "--json"], home, floor, like_status),
        Row(
            "crisis note TEXT",
            [*crisis, "note", "the president called"],
            note_home,
            floor,
            like_note,
        ),
        Row("crisis sessions list", [*crisis, "sessions", "list"], home, floor, floor),
    ]


def run(row: Row, env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        row.command,
        env=dict(env, CRISIS_HOME=row.home),
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{row.label} failed ({result.returncode}):\n{result.stderr}")
    return elapsed


def environments(folder: Path, modes: list[str], table: list[Row]) -> dict[str, dict[str, str]]:
    """One environment per bytecode mode, its cache warmed as that mode requires."""
    base = dict(os.environ, NO_COLOR="1", COLUMNS="80")
    base.pop("PYTHONDONTWRITEBYTECODE", None)
    spec = importlib.util.find_spec("crisiscli")
    assert spec is not None and spec.submodule_search_locations is not None
    package = Path(next(iter(spec.submodule_search_locations))).resolve()
    envs = {}
    for mode in modes:
        cache = folder / f"pycache-{mode}"
        env = dict(base, PYTHONPYCACHEPREFIX=str(cache))
        for row in table:  # compiles every module any row loads into the cache
            run(row, env)
        if mode == "source":
            shutil.rmtree(cache / package.relative_to(package.anchor), ignore_errors=True)
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        envs[mode] = env
    return envs


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--bytecode", choices=["both", "compiled", "source"], default="both")
    options = parser.parse_args()
    modes = ["compiled", "source"] if options.bytecode == "both" else [options.bytecode]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        homes = [folder / "status-home", folder / "note-home"]
        crisis = crisis_command()
        for home in homes:
            prepare(crisis, home)
        table = rows(folder, str(homes[0]), str(homes[1]))
        envs = environments(folder, modes, table)
        order = [(row, mode) for row in table for mode in modes]
        shuffle = random.Random(20261122).shuffle
        for _ in range(options.runs):
            shuffle(order)
            for row, mode in order:
                row.times.setdefault(mode, []).append(run(row, envs[mode]))
    for mode in modes:
        print(f"\n{mode} ({options.runs} runs each)")
        print(
            f"{'command':<34} {'median ms':>9} {'x floor':>7} {'x shaped':>8}"
            f" {'min ms':>8} {'x floor':>7}"
        )
        medians = {row.label: statistics.median(row.times[mode]) * 1000 for row in table}
        minima = {row.label: min(row.times[mode]) * 1000 for row in table}
        for row in table:
            value, least = medians[row.label], minima[row.label]
            print(
                f"{row.label:<34} {value:>9.1f} {value / medians[row.floor]:>7.2f}"
                f" {value / medians[row.shaped]:>8.2f}"
                f" {least:>8.1f} {least / minima[row.floor]:>7.2f}"
            )


if __name__ == "__main__":
    main()
