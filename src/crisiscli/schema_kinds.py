"""The kinds of file that have a JSON Schema, listed once.

``crisiscli.schemas`` builds a schema for each; ``crisis schema`` completes
them on TAB and ``crisis init`` writes each one into ``schemas/``. Kept apart
from ``crisiscli.schemas``, which imports pydantic, so that completing
``crisis schema <TAB>`` stays cheap.
"""

from __future__ import annotations

from typing import Final

from crisiscli.errors import UsageError, did_you_mean

KINDS: Final[tuple[str, ...]] = ("playbook", "scenario", "contract", "answers", "config")
"""In the order ``crisis schema`` lists them; ``config`` is ``crisis.toml``."""


def check_kind(kind: str) -> None:
    """Refuse a kind of file that has no schema, naming those that have one."""
    if kind not in KINDS:
        hint = did_you_mean(kind, KINDS)
        raise UsageError(f"unknown kind '{kind}'{hint}; expected one of {', '.join(KINDS)}")
