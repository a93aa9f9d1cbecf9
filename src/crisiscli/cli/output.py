"""Printing for the terminal: JSON for scripts, neutralised text for people."""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime
from typing import Any

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
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def local_time(moment: str | datetime, zone_name: str, *, seconds: bool = False) -> str:
    """An instant as ``2026-11-22 14:05`` in the session's time zone."""
    from crisiscli.clock import timezone_from_name  # noqa: PLC0415

    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    shown = moment.astimezone(timezone_from_name(zone_name))
    return shown.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def echo(text: str = "", *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(printable(text) + "\n")
