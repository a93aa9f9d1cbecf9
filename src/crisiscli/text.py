"""Limits on text people type, shared by answers and command-line options."""

from __future__ import annotations

MAX_ANSWER_LENGTH = 20_000


def is_clean_text(text: str) -> bool:
    """False for text holding bytes that were not valid UTF-8 (lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
