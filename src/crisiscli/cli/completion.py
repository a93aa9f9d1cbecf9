"""What the shell offers when TAB is pressed after a command that names something.

Typer installs the shell side (``crisis --install-completion bash|zsh|fish``);
these functions answer it with session ids, playbooks and scenarios, each with
a short description for the shells that show one (zsh, fish).

They run on every TAB press, so they read only what they must (session
summaries, never whole journals) and never raise: a broken playbook or an
unreadable journal must not spill an error into the user's command line.
"""

from __future__ import annotations

from pathlib import Path


def session_ids(incomplete: str) -> list[tuple[str, str]]:
    """Session ids starting with ``incomplete``: open real sessions first, then the rest."""
    try:
        from crisiscli.cli.common import open_store  # noqa: PLC0415

        store = open_store()
        try:
            summaries = store.sessions()
        finally:
            store.close()
    except Exception:
        return []
    ranked = sorted(
        summaries,
        key=lambda s: (s.closed_at is not None, s.training, -s.started_at.timestamp(), s.id),
    )
    return [
        (s.id, f"{s.title} ({'training, ' if s.training else ''}{s.status})")
        for s in ranked
        if s.id.startswith(incomplete)
    ]


def playbook_names(incomplete: str) -> list[tuple[str, str]]:
    """Playbook ids on the search path (./playbooks, $CRISIS_HOME, built-ins), with titles."""
    if _looks_like_path(incomplete):
        return []  # a file name: let the shell complete it
    try:
        from crisiscli.catalogue import catalogue, effective  # noqa: PLC0415
        from crisiscli.paths import crisis_home  # noqa: PLC0415

        entries = effective([e for e in catalogue(crisis_home(), Path.cwd()) if e.error is None])
    except Exception:
        return []
    titles: dict[str, list[str]] = {}
    for entry in entries:
        titles.setdefault(entry.id, []).append(f"{entry.language}: {entry.title}")
    return [
        (name, "; ".join(sorted(found)))
        for name, found in sorted(titles.items())
        if name.startswith(incomplete)
    ]


def scenario_names(incomplete: str) -> list[tuple[str, str]]:
    """Scenario names (``id`` and ``id.lang``) on the search path, and session ids to play back."""
    if _looks_like_path(incomplete):
        return []
    try:
        from crisiscli.paths import crisis_home  # noqa: PLC0415
        from crisiscli.scenario import available  # noqa: PLC0415

        found = available(crisis_home(), Path.cwd())
    except Exception:
        return []
    names: dict[str, str] = {}
    for origin, stem, _path in found:
        names.setdefault(stem.split(".")[0], "training scenario")
        names.setdefault(stem, f"training scenario ({origin})")
    offered = [(name, help) for name, help in sorted(names.items()) if name.startswith(incomplete)]
    if incomplete[:1].isdigit():
        offered += session_ids(incomplete)
    return offered


def _looks_like_path(text: str) -> bool:
    return "/" in text or text.startswith((".", "~")) or text.endswith(".toml")
