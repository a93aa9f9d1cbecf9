"""Every error a user can cause or meet, each knowing its exit code.

The CLI turns these into one line on stderr and the exit code below; nothing
else in the project decides exit codes (see ``crisiscli.cli.app``).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, the same for every command."""

    OK = 0
    FAILURE = 1
    USAGE = 2
    INTERRUPTED = 130


class CrisisError(Exception):
    """Base of every error shown to the user as one sentence."""

    exit_code: ExitCode = ExitCode.FAILURE


class UsageError(CrisisError):
    """The user asked for something that cannot be: bad input, unknown name."""

    exit_code = ExitCode.USAGE


class InvalidFileError(UsageError):
    """A file the user gave us (playbook, answers, ...) is not what we expect.

    The message always says where: the file, then the line or the key path.
    """

    def __init__(
        self, file: str, problem: str, *, line: int | None = None, path: str | None = None
    ) -> None:
        self.file = file
        self.problem = problem
        self.line = line
        self.path = path
        where = file
        if line is not None:
            where += f", line {line}"
        if path is not None:
            where += f", at {path}"
        super().__init__(f"{where}: {problem}")


class PlaybookError(InvalidFileError):
    """An invalid playbook file."""


class AnswersFileError(InvalidFileError):
    """An answers file that is unreadable, or lacks or misstates an answer."""


class ContractError(InvalidFileError):
    """Invalid contract terms: a contract file, or a ``[contract]`` table in a playbook."""


class ScenarioError(InvalidFileError):
    """An invalid training scenario, or a trainee's script for one."""


class ConfigError(InvalidFileError):
    """An invalid ``crisis.toml``: an unknown key, a wrong type or an impossible value."""


class ExportFileError(InvalidFileError):
    """A session export (``crisis import FILE``) that is unreadable or not a whole session."""


class NotFoundError(UsageError):
    """A session, playbook or other named thing does not exist."""


class SessionClosedError(UsageError):
    """Someone tried to add to a session that was closed."""

    def __init__(self, session_id: str) -> None:
        super().__init__(f"session {session_id} is closed and accepts no more answers")


class SessionConflictError(UsageError):
    """An imported session's id is already in the store with other events."""


class AlreadyRecordedError(CrisisError):
    """Another process recorded the same answer first (two responders on one walk)."""

    def __init__(self, session_id: str, key: str) -> None:
        super().__init__(f"session {session_id} already has an answer for {key}")
        self.key = key


class StoreError(CrisisError):
    """The journal could not be read or written (full disk, I/O error, lock)."""


class InterruptedByUser(CrisisError):
    """Ctrl-C or end of input at a prompt; everything acknowledged is saved."""

    exit_code = ExitCode.INTERRUPTED


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest candidate, or ``""``."""
    import difflib  # noqa: PLC0415 - only needed when something is misspelt

    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""
