"""Who did something: every event records its actor.

By default ``user@host``; a responder sharing a machine or an account names
themself with ``crisis --as NAME`` or ``CRISIS_ACTOR``, so that a team's
journal says who called the customer and who wrote the update. Kept apart
from the engine so that quick commands (``note``, ``status``) learn who is
typing without loading the playbook walker.
"""

from __future__ import annotations

import getpass
import os
import socket

MAX_ACTOR = 100
"""Characters in a name given with ``--as`` or ``CRISIS_ACTOR``."""

_chosen: str | None = None


def choose(name: str, origin: str = "--as") -> str:
    """Record every event of this run as done by ``name``; refuse a name that cannot be shown."""
    from crisiscli.errors import UsageError  # noqa: PLC0415

    name = name.strip()
    if not name:
        raise UsageError(f"{origin} is empty; expected a name, e.g. --as lea@support")
    if len(name) > MAX_ACTOR:
        raise UsageError(f"{origin} is longer than {MAX_ACTOR} characters")
    if not name.isprintable():
        raise UsageError(f"{origin} holds a line break or a control character; expected a name")
    global _chosen  # noqa: PLW0603 - one actor per process, set once from the command line
    _chosen = name
    return name


def default_actor() -> str:
    """The name chosen with ``--as``, else ``$CRISIS_ACTOR``, else ``user@host``."""
    if _chosen is not None:
        return _chosen
    from_environment = os.environ.get("CRISIS_ACTOR", "")
    if from_environment:
        return choose(from_environment, "CRISIS_ACTOR")
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname() or 'localhost'}"
