"""Who did something: every event records its actor.

By default ``user@host``; a responder sharing a machine or an account names
themself with ``crisis --as NAME`` or ``CRISIS_ACTOR``, so that a team's
journal says who called the customer and who wrote the update. Kept apart
from the engine so that quick commands (``note``, ``status``) learn who is
typing without loading the playbook walker.
"""

from __future__ import annotations

import os

MAX_ACTOR = 100
"""Characters in a name given with ``--as`` or ``CRISIS_ACTOR``."""

_chosen: str | None = None


def choose(name: str | None, origin: str = "--as") -> None:
    """Record every event of this run as done by ``name`` (None: the default again)."""
    global _chosen  # noqa: PLW0603 - one actor per run, set from the command line
    _chosen = None if name is None else _checked(name, origin)


def default_actor() -> str:
    """The name chosen with ``--as``, else ``$CRISIS_ACTOR``, else ``user@host``."""
    if _chosen is not None:
        return _chosen
    from_environment = os.environ.get("CRISIS_ACTOR", "")
    if from_environment:
        return _checked(from_environment, "CRISIS_ACTOR")
    import getpass  # noqa: PLC0415 - only when no name was given
    import socket  # noqa: PLC0415

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname() or 'localhost'}"


def _checked(name: str, origin: str) -> str:
    """``name`` stripped, or a ``UsageError`` saying why it cannot name a responder."""
    from crisiscli.errors import UsageError  # noqa: PLC0415

    name = name.strip()
    if not name:
        raise UsageError(f"{origin} is empty; expected a name, e.g. --as lea@support")
    if len(name) > MAX_ACTOR:
        raise UsageError(f"{origin} is longer than {MAX_ACTOR} characters")
    if not name.isprintable():
        raise UsageError(f"{origin} holds a line break or a control character; expected a name")
    return name
