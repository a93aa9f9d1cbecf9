"""Finding playbooks by name: ``./playbooks``, ``$CRISIS_HOME/playbooks``, then built-ins.

A playbook is named by its ``[playbook] id`` (or its file name without
``.toml``); the same id may exist once per language. An earlier folder in the
search path overrides a later one for the same id and language, so a team can
replace a built-in by dropping its own version in ``./playbooks``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crisiscli.errors import InvalidFileError, NotFoundError, PlaybookError, did_you_mean
from crisiscli.paths import builtin_dir
from crisiscli.playbook import LANGUAGES, Playbook
from crisiscli.tomlfile import read_toml

DEFAULT_PLAYBOOK = "customer-outage"


@dataclass(frozen=True)
class PlaybookEntry:
    """A playbook file found on the search path, described without full validation."""

    id: str
    title: str
    language: str
    path: Path
    origin: str
    """``project`` (./playbooks), ``home`` ($CRISIS_HOME/playbooks) or ``built-in``."""
    error: str | None = None
    """Why the file cannot be used, when it cannot."""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "language": self.language,
            "origin": self.origin,
            "path": str(self.path),
            "valid": self.error is None,
            "error": self.error,
        }


def search_path(home: Path, cwd: Path) -> list[tuple[str, Path]]:
    return [
        ("project", cwd / "playbooks"),
        ("home", home / "playbooks"),
        ("built-in", builtin_dir("playbooks")),
    ]


def catalogue(home: Path, cwd: Path) -> list[PlaybookEntry]:
    """Every playbook on the search path, the ones that override others first."""
    entries: list[PlaybookEntry] = []
    for origin, folder in search_path(home, cwd):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            entries.append(_describe(path, origin))
    return entries


def _describe(path: Path, origin: str) -> PlaybookEntry:
    try:
        table = read_toml(path, PlaybookError).get("playbook")
    except InvalidFileError as problem:
        return PlaybookEntry(path.stem, "", "", path, origin, error=str(problem))
    if not isinstance(table, dict):
        return PlaybookEntry(path.stem, "", "", path, origin, error="no [playbook] table")
    return PlaybookEntry(
        id=str(table.get("id", path.stem)),
        title=str(table.get("title", "")),
        language=str(table.get("language", "")),
        path=path,
        origin=origin,
    )


def effective(entries: list[PlaybookEntry]) -> list[PlaybookEntry]:
    """The entries in force: the first one found for each id and language."""
    chosen: dict[tuple[str, str], PlaybookEntry] = {}
    for entry in entries:
        chosen.setdefault((entry.id, entry.language), entry)
    return list(chosen.values())


def looks_like_path(name: str) -> bool:
    return name.endswith(".toml") or "/" in name or "\\" in name


def find_playbook(
    name: str, *, language: str | None, home: Path, cwd: Path, strict_language: bool = True
) -> tuple[Playbook, str]:
    """Load the playbook called ``name`` (an id, a file stem, or a path).

    Returns the playbook and a description of where it came from. For a path,
    ``language`` is only enforced when ``strict_language`` (it was asked for
    explicitly); a preference from the environment does not block a file.
    """
    from crisiscli.playbook_loading import load_playbook  # noqa: PLC0415 - imports pydantic

    if "\x00" in name or len(name) > 4096:
        raise NotFoundError("the playbook name is not a name or a path")
    if looks_like_path(name):
        path = cwd / Path(name).expanduser()
        playbook = load_playbook(path)
        if strict_language:
            _check_language(playbook, language, str(path))
        return playbook, str(path)

    entries = catalogue(home, cwd)
    matches = [e for e in entries if name in (e.id, e.path.stem)]
    if not matches:
        hint = did_you_mean(name, sorted({e.id for e in entries}))
        raise NotFoundError(
            f"no playbook named '{name}'{hint}; `crisis playbooks list` shows the ones available"
        )
    for entry in entries:
        # A file that cannot be read may be the one meant (named <id>.<lang>.toml):
        # report it rather than silently fall back to another playbook.
        if entry.error is not None and entry.path.stem.split(".")[0] == name:
            load_playbook(entry.path)
    wanted = [m for m in matches if language is None or m.language == language]
    if not wanted:
        have = ", ".join(sorted({m.language for m in matches if m.language}))
        raise NotFoundError(
            f"playbook '{name}' has no version in '{language}' (it has: {have or 'none'})"
        )
    if language is None:
        # Without a language asked for, English first, then the others in order.
        order: dict[str, int] = {lang: index for index, lang in enumerate(LANGUAGES)}
        wanted.sort(key=lambda e: order.get(e.language, len(order)))
    entry = wanted[0]
    return load_playbook(entry.path), f"{entry.origin}:{entry.path.name}"


def _check_language(playbook: Playbook, language: str | None, shown: str) -> None:
    if language is not None and playbook.language != language:
        raise NotFoundError(
            f"{shown} is written in '{playbook.language}', not '{language}'; "
            f"drop --lang or pick the {language} version"
        )
