"""Time, injectable: the engine and the store never call ``datetime.now`` themselves.

Tests and training replays pass a ``FixedClock``; the CLI passes ``SystemClock``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
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


class SimulatedClock:
    """A drill's clock: ``speed`` simulated seconds per real second from ``start``.

    ``jump_to`` moves it forward at once (``--step``: Enter brings the next
    inject; scripted drills jump from one action to the next). It never goes back.
    """

    def __init__(
        self, start: datetime, speed: float, real: Callable[[], float] = time.monotonic
    ) -> None:
        self.start = start.astimezone(UTC)
        self.speed = speed
        self._real = real
        self._real_start = real()
        self._skipped = timedelta(0)

    def now(self) -> datetime:
        elapsed = (self._real() - self._real_start) * self.speed
        return self.start + timedelta(seconds=elapsed) + self._skipped

    def jump_to(self, instant: datetime) -> None:
        gap = instant - self.now()
        if gap > timedelta(0):
            self._skipped += gap

    def real_seconds_until(self, instant: datetime) -> float:
        """How long to wait, in real seconds, until the clock shows ``instant``."""
        if self.speed <= 0:
            return float("inf")
        return max(0.0, (instant - self.now()).total_seconds() / self.speed)


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
    if name and is_zone(name):
        return name
    offset = datetime.now().astimezone().utcoffset() or timedelta(0)
    return _format_offset(offset)


def is_zone(name: str) -> bool:
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
