"""Measure the comms coach on the labelled messages, and its speed.

    .venv/bin/python benchmarks/coach.py [--runs 20] [--misses]

For each language, then both together: per category, the messages rightly
flagged (tp), wrongly flagged (fp) and wrongly left alone (fn), with
precision and recall, counted message by message (the set of categories the
coach finds in a message against the set it is labelled with). The same
table follows for the held-out messages alone: those written after the
rules were frozen, never used to tune them. Then the speed: messages per
second over the whole labelled set (best of ``--runs``), and the time for
one 100,000-character message. ``--misses`` lists every wrong message.
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from crisiscli.coach import CATEGORIES, LANGUAGES, coach, load_rules  # noqa: E402

LABELLED = REPO / "tests" / "data" / "coach"

Counts = dict[str, list[int]]


def labelled(language: str) -> list[dict[str, Any]]:
    data = tomllib.loads((LABELLED / f"{language}.toml").read_text(encoding="utf-8"))
    messages: list[dict[str, Any]] = data["messages"]
    return messages


def count(messages: list[dict[str, Any]], language: str, misses: list[str]) -> Counts:
    counts: Counts = {category: [0, 0, 0] for category in CATEGORIES}
    for message in messages:
        found = {flag.category for flag in coach(message["text"], language)}
        expected = set(message["flags"])
        for category in CATEGORIES:
            if category in found and category in expected:
                counts[category][0] += 1
            elif category in found or category in expected:
                kind = "fp" if category in found else "fn"
                counts[category][1 if kind == "fp" else 2] += 1
                held = " (held out)" if message.get("heldout") else ""
                misses.append(f"{language} {kind} {category:<14} {message['text']}{held}")
    return counts


def added(first: Counts, second: Counts) -> Counts:
    return {c: [a + b for a, b in zip(first[c], second[c], strict=True)] for c in CATEGORIES}


def table(title: str, counts: Counts, size: int) -> None:
    print(f"\n{title} ({size} messages)")
    print(f"  {'category':<15} {'tp':>3} {'fp':>3} {'fn':>3} {'precision':>9} {'recall':>6}")
    for category, (tp, fp, fn) in counts.items():
        precision = f"{tp / (tp + fp):.2f}" if tp + fp else "-"
        recall = f"{tp / (tp + fn):.2f}" if tp + fn else "-"
        print(f"  {category:<15} {tp:>3} {fp:>3} {fn:>3} {precision:>9} {recall:>6}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--misses", action="store_true", help="List every wrong message.")
    options = parser.parse_args()

    misses: list[str] = []

    def batch(message: dict[str, Any]) -> str:
        if not message.get("heldout", False):
            return "tuned"
        return {2: "batch 2", 3: "batch 3"}.get(message.get("batch", 1), "batch 1")

    subsets = (
        ("tuned against", "tuned"),
        ("held out, batch 1 (the rules were then tuned on its misses)", "batch 1"),
        ("held out, batch 2 (written blind; the rules were then tuned on its misses)", "batch 2"),
        ("held out, batch 3 (written blind, never tuned on)", "batch 3"),
        ("all", None),
    )
    for subset, keep in subsets:
        total: Counts = {category: [0, 0, 0] for category in CATEGORIES}
        size = 0
        for language in LANGUAGES:
            messages = [m for m in labelled(language) if keep is None or batch(m) == keep]
            counts = count(messages, language, misses if keep is None else [])
            table(f"{language}, {subset}", counts, len(messages))
            total = added(total, counts)
            size += len(messages)
        table(f"en + fr, {subset}", total, size)

    for language in LANGUAGES:
        load_rules(language)  # compile before timing
    everything = [(m["text"], language) for language in LANGUAGES for m in labelled(language)]
    best = float("inf")
    for _ in range(options.runs):
        started = time.perf_counter()
        for text, language in everything:
            coach(text, language)
        best = min(best, time.perf_counter() - started)
    print(f"\nspeed: {len(everything) / best:,.0f} messages per second", end="")
    print(f" ({len(everything)} messages, best of {options.runs} runs)")
    long_text = " ".join(text for text, language in everything if language == "en")
    long_text = (long_text * (100_000 // len(long_text) + 1))[:100_000]
    started = time.perf_counter()
    coach(long_text, "en")
    print(f"one 100,000-character message: {(time.perf_counter() - started) * 1000:.0f} ms")

    if options.misses:
        print("\nmisses (fp: flagged but labelled clean; fn: labelled but not flagged)")
        for miss in misses:
            print(f"  {miss}")


if __name__ == "__main__":
    main()
