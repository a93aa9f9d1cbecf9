"""The settings in force, and where each one comes from.

Four settings: ``language`` (of new sessions and of the playbook version
chosen), ``timezone`` (the zone a new session records), ``playbook`` (what
``crisis start`` walks when none is named) and ``store`` (where the journal
lives). Each is looked for in this order, the first found winning:

1. a flag of the command (``--lang``, ``--timezone``, the playbook argument);
2. the environment: ``CRISIS_LANG``, ``CRISIS_TZ``, ``CRISIS_PLAYBOOK``, ``CRISIS_STORE``;
3. ``./crisis.toml``, in the current folder (a team's repository); none when the
   current folder no longer exists (deleted from another terminal);
4. ``$CRISIS_HOME/crisis.toml`` (this person's own defaults);
5. the built-in defaults.

``crisis status`` and ``crisis note`` read the store setting on every run, so
this module imports nothing heavy: TOML and pydantic are only loaded once a
``crisis.toml`` is known to exist (the file format is ``crisiscli.config_file``).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final, Literal

from crisiscli.errors import UsageError
from crisiscli.records import dataclass

FILE_NAME: Final = "crisis.toml"
SETTINGS: Final = ("language", "timezone", "playbook", "store")
ENVIRONMENT: Final[Mapping[str, str]] = {
    "language": "CRISIS_LANG",
    "timezone": "CRISIS_TZ",
    "playbook": "CRISIS_PLAYBOOK",
    "store": "CRISIS_STORE",
}
STORE_FILE_NAME: Final = "crisis.db"
"""The journal's file name in ``$CRISIS_HOME`` when no store is configured."""

Source = Literal["flag", "environment", "file", "default"]
Flags = Mapping[str, tuple[str, str | None]]
"""Per setting, the flag as the user typed it (``--lang``) and its value, None when not given."""

# A URL scheme such as postgresql://, with at least two letters so that a
# Windows drive (C:\...) is never taken for one.
_SCHEME = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]+)://")
POSTGRES_SCHEMES: Final = ("postgresql", "postgres")
"""The URL schemes libpq reads (in lower case only: a value is rewritten so)."""
_SQLITE_HEADER: Final = b"SQLite format 3\x00"
"""The first bytes of every SQLite file (an empty file is a new one)."""


@dataclass(frozen=True)
class PostgresURL:
    """A PostgreSQL database named by a libpq URL, for team mode (``postgresql://...``).

    ``url`` may hold a password: show ``masked`` instead, in messages and output.
    """

    url: str

    @property
    def masked(self) -> str:
        return mask_password(self.url)

    def __repr__(self) -> str:
        return f"PostgresURL({self.masked!r})"


StoreLocation = Path | PostgresURL
"""Where the journal lives: a SQLite file's path, or a PostgreSQL database."""


@dataclass(frozen=True)
class Setting:
    """One setting in force: its value and where it came from."""

    name: str
    value: str | None
    """None only for ``language`` left unset: each playbook's own language, English first."""
    source: Source
    origin: str
    """The flag (``--lang``), the variable (``CRISIS_LANG``), the file's path, or ``built-in``."""

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "source": self.source, "origin": self.origin}


class Settings:
    """The settings for one command run, each resolved the first time it is asked for.

    ``flags`` holds what the command line gave; ``environ`` and ``home`` are
    parameters so that tests need not touch the process's environment. ``cwd``
    is None when the current folder no longer exists: there is no
    ``./crisis.toml`` then, and the other levels decide.
    """

    def __init__(
        self,
        *,
        cwd: Path | None,
        flags: Flags | None = None,
        environ: Mapping[str, str] | None = None,
        home: Callable[[], Path] | None = None,
    ) -> None:
        self.cwd = cwd
        self.flags: Flags = flags or {}
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        self._home = home
        self._resolved: dict[str, Setting] = {}
        self._tables: list[tuple[Path, dict[str, str]]] | None = None

    def home(self) -> Path:
        if self._home is None:
            from crisiscli.paths import crisis_home  # noqa: PLC0415

            return crisis_home()
        return self._home()

    def files(self) -> list[Path]:
        """The ``crisis.toml`` files consulted, the one that wins first (existing or not)."""
        mine = self.home() / FILE_NAME
        if self.cwd is None:
            return [mine]
        here = self.cwd / FILE_NAME
        if here == mine or (_is_file(here) and _is_file(mine) and here.samefile(mine)):
            return [here]
        return [here, mine]

    def get(self, name: str) -> Setting:
        """The setting called ``name`` in force, checked (exit 2 naming its origin when invalid)."""
        if name not in self._resolved:
            self._resolved[name] = self._resolve(name)
        return self._resolved[name]

    def all(self) -> list[Setting]:
        return [self.get(name) for name in SETTINGS]

    def language(self) -> str | None:
        return self.get("language").value

    def timezone(self) -> str:
        return str(self.get("timezone").value)

    def playbook(self) -> str:
        return str(self.get("playbook").value)

    def store(self) -> StoreLocation:
        """Where the journal lives: a SQLite file, or a PostgreSQL database (team mode)."""
        return store_location(str(self.get("store").value))

    def _resolve(self, name: str) -> Setting:
        flag, given = self.flags.get(name, ("", None))
        if given is not None:
            return Setting(name, check_value(name, given, flag, self.cwd), "flag", flag)
        variable = ENVIRONMENT[name]
        from_environment = self.environ.get(variable, "")
        if from_environment:
            value = check_value(name, from_environment, variable, self.cwd)
            return Setting(name, value, "environment", variable)
        for path, table in self._files_read():
            if name in table:
                return Setting(name, table[name], "file", str(path))
        return Setting(name, self._default(name), "default", "built-in")

    def _files_read(self) -> list[tuple[Path, dict[str, str]]]:
        """Every existing ``crisis.toml``, read and checked once; none is parsed if none exists."""
        if self._tables is None:
            found = [path for path in self.files() if _is_file(path)]
            if found:
                from crisiscli.config_file import load_config  # noqa: PLC0415

                self._tables = [(path, load_config(path)) for path in found]
            else:
                self._tables = []
        return self._tables

    def _default(self, name: str) -> str | None:
        if name == "timezone":
            from crisiscli.clock import local_timezone_name  # noqa: PLC0415

            return local_timezone_name()
        if name == "playbook":
            from crisiscli.catalogue import DEFAULT_PLAYBOOK  # noqa: PLC0415

            return DEFAULT_PLAYBOOK
        if name == "store":
            return str(self.home() / STORE_FILE_NAME)
        return None


def current_folder() -> Path | None:
    """The current folder, or None when it no longer exists (or cannot be reached)."""
    try:
        return Path.cwd()
    except OSError:
        return None


def check_value(name: str, value: str, origin: str, base: Path | None) -> str:
    """A value given by a flag or a variable, checked; a relative store path is from ``base``.

    ``base`` is None when the current folder no longer exists: a relative
    store path is then refused, since it names nothing.
    """
    if name == "language":
        from crisiscli.playbook import LANGUAGES  # noqa: PLC0415

        if value not in LANGUAGES:
            raise UsageError(
                f"unknown language '{value}' (from --lang or CRISIS_LANG); expected en or fr"
            )
    elif name == "timezone":
        problem = timezone_problem(value)
        if problem is not None:
            raise UsageError(_from(problem, origin))
    elif name == "store":
        try:
            return store_value(parse_store(value, base=base))
        except ValueError as problem:
            raise UsageError(_from(str(problem), origin)) from None
    elif "\x00" in value:
        raise UsageError(f"{origin} contains a NUL character; expected a playbook id or path")
    return value


def _from(problem: str, origin: str) -> str:
    """``problem`` naming its origin before what is expected: ``x (from CRISIS_TZ); expected y``."""
    said, separator, expected = problem.partition("; ")
    return f"{said} (from {origin}){separator}{expected}"


def timezone_problem(name: str) -> str | None:
    """Why ``name`` is not a time zone this machine knows, or None when it is one."""
    from crisiscli.clock import is_zone  # noqa: PLC0415

    if is_zone(name):
        return None
    shown = name if len(name) <= 64 and name.isprintable() else "that value"
    return f"unknown time zone '{shown}'; expected an IANA name such as Europe/Paris or UTC"


def parse_store(value: str, *, base: Path | None) -> StoreLocation:
    """Where the journal lives, from a ``store`` value: a SQLite file or a PostgreSQL URL.

    ``postgresql://...`` and ``postgres://...`` name a PostgreSQL database
    (team mode, ``crisiscli.store.postgres``); libpq reads the rest of the URL
    when the store is opened, so only a NUL character is refused here, and the
    scheme is put in lower case, the only case libpq knows. ``sqlite://PATH``
    means PATH; a relative path is taken from ``base`` (the folder of the
    ``crisis.toml`` that sets it, or the current folder; None when that folder
    no longer exists). Every other ``scheme://`` is refused. A path naming
    something that cannot be a journal is refused too: a folder, a device or
    other special file, a file that is not SQLite's (``_refuse_what_is_there``).
    Raises ``ValueError`` with the problem in words; the scheme alone is
    quoted, never the rest of a URL, which may hold a password.
    """
    text = value
    match = _SCHEME.match(value)
    if match:
        scheme = match["scheme"].lower()
        if scheme in POSTGRES_SCHEMES:
            rest = value[match.end() :]
            if "\x00" in rest:
                raise ValueError("the store contains a NUL character; expected a postgresql:// URL")
            if _stray_at(rest):
                raise ValueError(
                    "the store's URL has an @ that libpq would not read as the end of the user "
                    "and password; percent-encode their special characters (@ as %40, / as %2F)"
                )
            return PostgresURL(f"{scheme}://{rest}")
        if scheme != "sqlite":
            raise ValueError(
                f"'{scheme}://' stores are not supported; expected the path of a SQLite "
                "file, such as .crisis/crisis.db, or a postgresql:// URL"
            )
        text = value[match.end() :]
    if not text.strip():
        raise ValueError("the store is empty; expected the path of a SQLite file")
    if "\x00" in text:
        raise ValueError("the store contains a NUL character; expected the path of a SQLite file")
    try:
        path = Path(text).expanduser()
    except RuntimeError:  # ~ or ~user, and no such home folder is known
        raise ValueError(
            "the store starts with ~ but that home folder is unknown; expected a path without ~"
        ) from None
    if not path.is_absolute():
        if base is None:
            raise ValueError(
                f"the store {text} is a relative path but the current folder no longer "
                "exists; expected an absolute path, or run crisis from an existing folder"
            )
        path = base / path
    _refuse_what_is_there(path)
    return path


def _stray_at(rest: str) -> bool:
    """Whether a URL (after ``scheme://``) has an ``@`` libpq would take for part of a name.

    libpq ends the user part at the first ``@`` unless a ``/`` comes first. An
    ``@`` after that (and before the query) means a password with an ``@`` or
    a ``/`` left unencoded: part of it would be read as the host or the
    database, and shown in messages.
    """
    user_end = min((i for i in (rest.find("@"), rest.find("/")) if i != -1), default=-1)
    after = rest[user_end + 1 :] if user_end != -1 and rest[user_end] == "@" else rest
    return "@" in after.partition("?")[0]


def store_value(location: StoreLocation) -> str:
    """The ``store`` setting's value for ``location``: a path, or the whole URL (password too)."""
    return location.url if isinstance(location, PostgresURL) else str(location)


def store_location(value: str) -> StoreLocation:
    """The location a checked ``store`` value names (``parse_store``), with no look at disk."""
    match = _SCHEME.match(value)
    if match and match["scheme"] in POSTGRES_SCHEMES:
        return PostgresURL(value)
    return Path(value)


def mask_password(url: str) -> str:
    """``url`` with its password shown as ``***``: in the user part and in a ``password=`` query.

    The user part is read as libpq reads it: up to the first ``@`` before any ``/``.
    """
    match = _SCHEME.match(url)
    if not match:
        return url
    start = match.end()
    rest = url[start:]
    slash = rest.find("/")
    at = rest.find("@")
    if at != -1 and (slash == -1 or at < slash):
        user, colon, _password = rest[:at].partition(":")
        if colon:
            rest = f"{user}:***{rest[at:]}"
    head, question, query = rest.partition("?")
    if question:
        fields = [
            f"{field.partition('=')[0]}=***"
            if field.lower().startswith(("password=", "sslpassword="))
            else field
            for field in query.split("&")
        ]
        rest = head + "?" + "&".join(fields)
    return url[:start] + rest


def shown_store(value: str) -> str:
    """A ``store`` value as it may be shown: a path as it is, a URL without its password."""
    location = store_location(value)
    return location.masked if isinstance(location, PostgresURL) else value


def _refuse_what_is_there(path: Path) -> None:
    """Refuse a store path naming something that cannot be a journal.

    Nothing there is fine (the journal is created on first use), and so is an
    empty file (SQLite's new database). A path the system refuses to look at
    is left to the journal, which reports why in one sentence. One ``stat``,
    and a 16-byte read when a file is there: cheap enough for every run.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if stat.S_ISDIR(mode):
        raise ValueError(
            f"the store {path} is a folder; expected the path of a SQLite file, "
            f"such as {path / STORE_FILE_NAME}"
        )
    if not stat.S_ISREG(mode):
        raise ValueError(
            f"the store {path} is not a regular file but a device, pipe or socket; "
            "expected the path of a SQLite file"
        )
    try:
        with path.open("rb") as handle:
            start = handle.read(len(_SQLITE_HEADER))
    except OSError:
        return
    if start and start != _SQLITE_HEADER:
        raise ValueError(
            f"the store {path} is not a crisiscli journal, nor any SQLite file; "
            "expected the path of a SQLite file"
        )


def _is_file(path: Path) -> bool:
    """Whether ``path`` is a file; a path the system refuses (too long, say) is not one.

    The folder it lies in is reported by whatever needs it next (the journal),
    in one sentence.
    """
    try:
        return path.is_file()
    except OSError:
        return False
