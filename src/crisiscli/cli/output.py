"""Printing for the terminal: JSON for scripts, neutralised text for people; ``--out`` files."""

from __future__ import annotations

import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

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
    import json  # noqa: PLC0415 - only --json pays for it

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def local_time(moment: str | datetime, zone_name: str, *, seconds: bool = False) -> str:
    """An instant as ``2026-11-22 14:05`` in the session's time zone."""
    from crisiscli.clock import timezone_from_name  # noqa: PLC0415

    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    shown = moment.astimezone(timezone_from_name(zone_name))
    return shown.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def colour_on(stream: TextIO) -> bool:
    """Colour only on a terminal, and not when ``NO_COLOR`` is set to a non-empty value.

    (https://no-color.org: an empty ``NO_COLOR`` does not count.) Rich, which
    draws ``--help`` and the interactive prompts, follows the same rule.
    """
    import os  # noqa: PLC0415

    return stream.isatty() and not os.environ.get("NO_COLOR")


def echo(text: str = "", *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(printable(text) + "\n")


def generation_time() -> datetime:
    """Now, or ``$SOURCE_DATE_EPOCH`` (the reproducible-builds convention) when set."""
    from crisiscli.errors import UsageError  # noqa: PLC0415

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if not epoch:
        return datetime.now(UTC)
    if not epoch.isdigit() or len(epoch) > 12:
        raise UsageError("SOURCE_DATE_EPOCH must be a number of seconds since 1970")
    return datetime.fromtimestamp(int(epoch), UTC)


def write_whole(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (``--out``) so that no reader ever sees half of it.

    A regular file (new or existing) is replaced through a temporary file made
    with ``O_EXCL`` beside it, then renamed; an existing file keeps its
    permissions, and a symbolic link is followed to the file it names. Anything
    else that exists (``/dev/null``, a pipe) is written to directly.
    """
    import stat  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    from crisiscli.errors import CrisisError, UsageError  # noqa: PLC0415

    target = Path(os.path.realpath(path))
    if target.is_dir():
        raise UsageError(f"{path} is a folder; --out expects a file name")
    if not target.parent.is_dir():
        raise UsageError(f"the folder {path.parent} does not exist (from --out)")
    data = text.encode("utf-8")
    try:
        if target.exists() and not target.is_file():
            with target.open("wb") as device:
                device.write(data)
            return
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            if mode is None:  # a new file: the usual permissions, not mkstemp's 0600
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask
            Path(temporary).chmod(mode)
            Path(temporary).replace(target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as problem:
        reason = str(problem.strerror or problem)
        raise CrisisError(f"could not write {path}: {reason[:1].lower() + reason[1:]}") from None


def print_due(view: dict[str, Any], zone: str) -> None:
    """Each current stakeholder: last update and when the next is due, OVERDUE in red."""
    colour = colour_on(sys.stdout)
    by_name = {s["name"]: s for s in view["stakeholders"]}
    if not view["due"]:
        echo("  No stakeholders yet: add them with `crisis stakeholder add NAME`.")
        return
    for due in view["due"]:
        who = by_name[due["name"]]
        label = due["name"] + (
            f" ({who['role']}, {who['org']})"
            if who["role"] and who["org"]
            else f" ({who['role'] or who['org']})"
            if who["role"] or who["org"]
            else ""
        )
        last = local_time(due["last_update_at"], zone) if due["last_update_at"] else "never"
        next_due = local_time(due["next_due_at"], zone)
        if due["overdue"]:
            state = f"OVERDUE by {_minutes(-due['minutes_left'])}"
            if colour:
                state = f"\x1b[31;1m{state}\x1b[0m"
        else:
            state = f"in {_minutes(due['minutes_left'])}"
        sys.stdout.write(f"  {printable(label):<40} last {last}  next {next_due}  {state}\n")


def _minutes(value: float) -> str:
    from crisiscli.formatting import format_duration  # noqa: PLC0415

    return format_duration(int(value), "en")
