"""``crisis.toml``: the settings file's format and its checks.

Kept apart from ``crisiscli.config`` so that commands run where no
``crisis.toml`` exists never import pydantic's models nor TOML. The model
below is also what ``crisiscli.schemas`` publishes as the JSON Schema
(``crisis schema config``, ``schemas/config.schema.json``), so the format has
one definition.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crisiscli.config import parse_store, store_value, timezone_problem
from crisiscli.errors import ConfigError, did_you_mean
from crisiscli.tomlfile import key_path, read_toml, toml_type

MAX_BYTES = 64 * 1024
"""A settings file holds four short values; anything larger is a mistake."""

Text = Annotated[str, Field(min_length=1, max_length=4096)]


class ConfigFile(BaseModel):
    """Defaults for crisiscli, for a team (./crisis.toml) or one person
    ($CRISIS_HOME/crisis.toml). Every key is optional; flags and environment
    variables override them."""

    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, use_attribute_docstrings=True
    )

    language: Literal["en", "fr"] | None = Field(default=None, examples=["fr"])
    """Language of new sessions and of the playbook version chosen: en or fr.
    Overridden by --lang and CRISIS_LANG."""
    timezone: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        default=None, examples=["Europe/Paris"]
    )
    """IANA time zone new sessions record and show their times in, e.g. Europe/Paris.
    Default: this machine's. Overridden by --timezone and CRISIS_TZ."""
    playbook: Text | None = Field(default=None, examples=["customer-outage"])
    """Playbook `crisis start` walks when none is named: an id, or a path to a .toml file
    relative to this file's folder. Default: customer-outage. Overridden by the playbook named
    on the command line and CRISIS_PLAYBOOK."""
    store: Text | None = Field(default=None, examples=[".crisis/crisis.db"])
    """Where the session journal lives: the path of a SQLite file, relative to this
    file's folder, or a postgresql:// URL for team mode (keep its password out: use
    PGPASSWORD or ~/.pgpass). Default: crisis.db in $CRISIS_HOME. Overridden by
    CRISIS_STORE."""


_EXPECTED = {"string_type": "expected text"}


def load_config(path: Path) -> dict[str, str]:
    """The settings ``path`` sets, checked; relative paths made relative to its folder.

    Errors name the file and the key, exit 2 (``ConfigError``).
    """
    from crisiscli.catalogue import looks_like_path  # noqa: PLC0415

    shown = str(path)
    data = read_toml(path, ConfigError, max_bytes=MAX_BYTES)
    try:
        settings = ConfigFile.model_validate(data)
    except ValidationError as exc:
        problems = _in_file_order(exc.errors(include_url=False), list(data))
        where, problem = _describe(problems[0])
        if len(problems) > 1:
            others = len(problems) - 1
            problem += f" (and {others} more problem{'s' if others > 1 else ''})"
        raise ConfigError(shown, problem, path=where or None) from None
    values: dict[str, str] = settings.model_dump(exclude_none=True)
    folder = path.parent
    if "timezone" in values:
        unknown = timezone_problem(values["timezone"])
        if unknown is not None:
            raise ConfigError(shown, unknown, path="timezone")
    if "store" in values:
        try:
            values["store"] = store_value(parse_store(values["store"], base=folder))
        except ValueError as refused:
            raise ConfigError(shown, str(refused), path="store") from None
    if "playbook" in values:
        playbook = values["playbook"]
        if "\x00" in playbook:
            raise ConfigError(shown, "contains a NUL character", path="playbook")
        if looks_like_path(playbook):
            try:
                values["playbook"] = str(folder / Path(playbook).expanduser())
            except RuntimeError:  # ~user, and no such user
                raise ConfigError(
                    shown,
                    "starts with ~ but that home folder is unknown; expected a path without ~",
                    path="playbook",
                ) from None
    return values


def _in_file_order(problems: list[Any], keys: list[str]) -> list[Any]:
    """Problems sorted by where their key is written, so that the first one is reported."""
    return sorted(problems, key=lambda error: keys.index(error["loc"][0]))


def _describe(error: Any) -> tuple[str, str]:
    """A pydantic error as (key path, problem in plain words)."""
    location = tuple(error["loc"])
    kind = error["type"]
    path = key_path(*location)
    key = str(location[-1]) if location else ""
    if kind == "extra_forbidden":
        known = list(ConfigFile.model_fields)
        hint = did_you_mean(key, known)
        if hint:
            return path, f"unknown key '{key}'{hint}"
        return path, f"unknown key '{key}'; crisis.toml knows {', '.join(known)}"
    given = error.get("input")
    got = repr(given) if isinstance(given, str) else toml_type(given)
    if kind == "literal_error":
        return path, f"expected one of 'en', 'fr'; got {got}"
    if kind == "string_too_short":
        return path, "is empty; expected some text"
    if kind == "string_too_long":
        limit = error.get("ctx", {}).get("max_length", 0)
        return path, f"is longer than {limit:,} characters"
    got = toml_type(given)
    if kind in _EXPECTED:
        return path, f"{_EXPECTED[kind]}, got {got}"
    if kind == "model_type":
        return path, f"expected a table of settings, got {got}"
    return path, str(error["msg"]).lower()
