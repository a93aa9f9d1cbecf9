"""Time, injectable: the engine and the store never call ``datetime.now`` themselves.

Tests and training replays pass a ``FixedClock``; the CLI passes ``SystemClock``.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to; ``tick`` advances it after each reading."""

    def __init__(self, start: datetime, tick: timedelta = timedelta(0)) -> None:
        self.current = start.astimezone(UTC)
        self.tick = tick

    def now(self) -> datetime:
        reading = self.current
        self.current += self.tick
        return reading

    def advance(self, delta: timedelta) -> None:
        self.current += delta


def local_timezone_name() -> str:
    """The IANA name of this machine's time zone, or its UTC offset when unknown.

    Recorded in each session so that its times show in the zone where it happened.
    """
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            target = Path("/etc/localtime").resolve()
            parts = target.parts
            if "zoneinfo" in parts:
                name = "/".join(parts[parts.index("zoneinfo") + 1 :])
        except OSError:
            name = ""
    if name and _is_zone(name):
        return name
    offset = datetime.now().astimezone().utcoffset() or timedelta(0)
    return _format_offset(offset)


def _is_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # noqa: PLC0415

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _format_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def timezone_from_name(name: str) -> tzinfo:
    """The ``tzinfo`` for a name written by ``local_timezone_name``."""
    from datetime import timezone  # noqa: PLC0415
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # noqa: PLC0415

    if name.startswith("UTC") and len(name) == 9:
        sign = -1 if name[3] == "-" else 1
        hours, minutes = int(name[4:6]), int(name[7:9])
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC
