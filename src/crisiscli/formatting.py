"""How dates, durations, numbers and shares are written in each language.

Written out by hand rather than through the C locale: the machine's locale
must not change a report, and only two languages are needed.
"""

from __future__ import annotations

from datetime import date, datetime

_MONTHS = {
    "en": [
        *("January", "February", "March", "April", "May", "June"),
        *("July", "August", "September", "October", "November", "December"),
    ],
    "fr": [
        *("janvier", "février", "mars", "avril", "mai", "juin"),
        *("juillet", "août", "septembre", "octobre", "novembre", "décembre"),
    ],
}


def format_date(value: date, language: str) -> str:
    """``22 November 2026`` / ``22 novembre 2026`` (``1er`` for the first day in French)."""
    months = _MONTHS.get(language, _MONTHS["en"])
    day = "1er" if language == "fr" and value.day == 1 else str(value.day)
    return f"{day} {months[value.month - 1]} {value.year}"


def format_time(value: datetime) -> str:
    """``14:05``: the 24-hour clock, in both languages."""
    return f"{value.hour:02d}:{value.minute:02d}"


def format_datetime(value: datetime, language: str) -> str:
    """``22 November 2026, 14:05`` / ``22 novembre 2026, 14:05``."""
    return f"{format_date(value, language)}, {format_time(value)}"


def format_duration(minutes: int, language: str) -> str:
    """``45 min``, ``2 h``, ``2 h 30 min``, ``3 d 4 h`` (``3 j 4 h`` in French)."""
    days, rest = divmod(max(0, minutes), 1440)
    hours, mins = divmod(rest, 60)
    parts: list[str] = []
    if days:
        parts.append(f"{days} {'j' if language == 'fr' else 'd'}")
    if hours:
        parts.append(f"{hours} h")
    if mins or not parts:
        parts.append(f"{mins} min")
    return " ".join(parts)


def format_percent(value: float, language: str) -> str:
    """``0.3%`` in English; ``0,3 %`` in French (with a narrow no-break space).

    The value is shown as given (``impact.shares`` decides the decimals).
    """
    number = f"{value:.6f}".rstrip("0").rstrip(".")
    if language == "fr":
        number = number.replace(".", ",")
    return f"{number}\u202f%" if language == "fr" else f"{number}%"


def clock_label(minutes: float) -> str:
    """``T+01:05``: time since the start of a drill (or of any session), in whole minutes."""
    whole = int(minutes)
    return f"T+{whole // 60:02d}:{whole % 60:02d}"
