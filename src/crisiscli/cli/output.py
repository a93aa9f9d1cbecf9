"""Printing for the terminal: JSON for scripts, neutralised text for people."""

from __future__ import annotations

import re
import sys
from datetime import datetime
from typing import Any, TextIO

# Control characters (ANSI escapes start with ESC) except tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN``, so typed answers
    or shared playbooks cannot move the cursor, recolour or retitle the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def one_line(text: str) -> str:
    """``text`` for a table cell: line breaks shown as ⏎ so no row can forge another."""
    return text.replace("\r\n", " ⏎ ").replace("\n", " ⏎ ").replace("\r", " ⏎ ")


def print_json(data: Any) -> None:
    import json  # noqa: PLC0415 - only --json pays for it

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def local_time(moment: str | datetime, zone_name: str, *, seconds: bool = False) -> str:
    """An instant as ``2026-11-22 14:05`` in the session's time zone."""
    from crisiscli.clock import timezone_from_name  # noqa: PLC0415

    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    shown = moment.astimezone(timezone_from_name(zone_name))
    return shown.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def colour_on(stream: TextIO) -> bool:
    """Colour only on a terminal, and not when ``NO_COLOR`` is set to a non-empty value.

    (https://no-color.org: an empty ``NO_COLOR`` does not count.) Rich, which
    draws ``--help`` and the interactive prompts, follows the same rule.
    """
    import os  # noqa: PLC0415

    return stream.isatty() and not os.environ.get("NO_COLOR")


def echo(text: str = "", *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(printable(text) + "\n")


def print_due(view: dict[str, Any], zone: str) -> None:
    """Each current stakeholder: last update and when the next is due, OVERDUE in red."""
    colour = colour_on(sys.stdout)
    by_name = {s["name"]: s for s in view["stakeholders"]}
    if not view["due"]:
        echo("  No stakeholders yet: add them with `crisis stakeholder add NAME`.")
        return
    for due in view["due"]:
        who = by_name[due["name"]]
        label = due["name"] + (
            f" ({who['role']}, {who['org']})"
            if who["role"] and who["org"]
            else f" ({who['role'] or who['org']})"
            if who["role"] or who["org"]
            else ""
        )
        last = local_time(due["last_update_at"], zone) if due["last_update_at"] else "never"
        next_due = local_time(due["next_due_at"], zone)
        if due["overdue"]:
            state = f"OVERDUE by {_minutes(-due['minutes_left'])}"
            if colour:
                state = f"\x1b[31;1m{state}\x1b[0m"
        else:
            state = f"in {_minutes(due['minutes_left'])}"
        sys.stdout.write(f"  {printable(label):<40} last {last}  next {next_due}  {state}\n")


def _minutes(value: float) -> str:
    from crisiscli.formatting import format_duration  # noqa: PLC0415

    return format_duration(int(value), "en")
