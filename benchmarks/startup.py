"""Time crisis commands against the floor every Typer CLI pays, and print the ratios.

    .venv/bin/python benchmarks/startup.py [--runs 20]

Two floors, because typer's own start-up cost depends on the parameters it
has to coerce (it builds pydantic adapters for them): a minimal app whose one
command takes one string option, and one whose command has the same shape as
`crisis status` (an optional string argument and a flag). Each figure is the
median wall time of separate processes, in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
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

ANSWERS = "3\n1000\n"


def median_ms(command: list[str], env: dict[str, str], runs: int, stdin: str = "") -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, input=stdin, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, CRISIS_HOME=folder, NO_COLOR="1")
        floor_file = Path(folder) / "floor.py"
        floor_file.write_text(FLOOR)
        shaped_file = Path(folder) / "floor_like_status.py"
        shaped_file.write_text(FLOOR_LIKE_STATUS)
        crisis = [sys.executable, "-m", "crisiscli"]
        subprocess.run(
            [*crisis, "start"], env=env, input=ANSWERS, capture_output=True, text=True, check=False
        )
        floor = median_ms([sys.executable, str(floor_file), "--name", "x"], env, runs)
        floor_help = median_ms([sys.executable, str(floor_file), "--help"], env, runs)
        shaped = median_ms([sys.executable, str(shaped_file), "x", "--json"], env, runs)
        status = median_ms([*crisis, "status"], env, runs)
        status_json = median_ms([*crisis, "status", "--json"], env, runs)
        rows = [
            ("typer floor: one command, one option", floor, floor, shaped),
            ("typer floor: shaped like status", shaped, floor, shaped),
            ("typer floor --help", floor_help, floor_help, floor_help),
            ("crisis --help", median_ms([*crisis, "--help"], env, runs), floor_help, floor_help),
            ("crisis status", status, floor, shaped),
            ("crisis status --json", status_json, floor, shaped),
            (
                "crisis sessions list",
                median_ms([*crisis, "sessions", "list"], env, runs),
                floor,
                floor,
            ),
        ]
    print(f"{'command':<38} {'median ms':>10} {'x floor':>8} {'x shaped':>9}")
    for name, value, reference, like in rows:
        print(f"{name:<38} {value:>10.1f} {value / reference:>8.2f} {value / like:>9.2f}")


if __name__ == "__main__":
    main()
