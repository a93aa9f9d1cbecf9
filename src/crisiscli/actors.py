"""Who did something: every event records its actor.

Kept apart from the engine so that quick commands (``note``, ``status``)
learn who is typing without loading the playbook walker.
"""

from __future__ import annotations

import getpass
import socket


def default_actor() -> str:
    """``user@host``, recorded on every event."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname() or 'localhost'}"
