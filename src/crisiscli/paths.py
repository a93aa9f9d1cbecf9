"""Where things live: the data folder and the built-in playbooks and templates."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from crisiscli.errors import UsageError

APP_NAME = "crisiscli"


def crisis_home() -> Path:
    """``$CRISIS_HOME``, or the platform's user data folder for crisiscli."""
    configured = os.environ.get("CRISIS_HOME", "")
    if configured:
        if "\x00" in configured:
            raise UsageError("CRISIS_HOME contains a NUL character; expected a folder path")
        return Path(configured).expanduser()
    import platformdirs  # noqa: PLC0415 - costs ~20 ms; most runs set CRISIS_HOME or need it once

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def builtin_dir(name: str) -> Path:
    """The built-in ``playbooks`` or ``templates`` folder.

    In an installed wheel they are package data inside ``crisiscli``; in a
    source checkout (an editable install) they are the repository's top-level
    folders of the same name.
    """
    packaged = Path(str(resources.files(APP_NAME))) / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / name
