"""``crisis config show``: the settings in force and where each comes from."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from crisiscli.cli.common import JsonOption, settings
from crisiscli.cli.output import echo, one_line, print_json

if TYPE_CHECKING:
    from crisiscli.config import Setting

app = typer.Typer(
    help=(
        "Show the settings in force and where each comes from.\n\n"
        "A flag wins over the environment (CRISIS_LANG, CRISIS_TZ, CRISIS_PLAYBOOK, "
        "CRISIS_STORE), which wins over ./crisis.toml, then $CRISIS_HOME/crisis.toml, "
        "then the built-in defaults."
    ),
    no_args_is_help=True,
)

_DEFAULTS = {
    "language": "default (each playbook's own, English first)",
    "timezone": "default (this machine's)",
    "store": "default (in $CRISIS_HOME)",
}


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="config")


@app.command("show")
def show(
    as_json: JsonOption = False,
) -> None:
    """Show each setting, its value and where it comes from: environment, file or default."""
    configured = settings()
    in_force = configured.all()
    files = configured.files()
    if as_json:
        print_json(
            {
                "settings": {
                    setting.name: setting.to_json() | {"value": _value(setting)}
                    for setting in in_force
                },
                "files": [{"path": str(path), "exists": path.is_file()} for path in files],
            }
        )
        return
    width = max(len(_shown(setting)) for setting in in_force)
    echo(f"{'SETTING':<9}  {'VALUE':<{width}}  SOURCE")
    for setting in in_force:
        echo(f"{setting.name:<9}  {_shown(setting):<{width}}  {_source(setting)}")
    echo()
    echo("Settings files, the first one winning:")
    if configured.cwd is None:
        echo("  ./crisis.toml  (none: the current folder no longer exists)")
    for path in files:
        echo(f"  {path}" + ("" if path.is_file() else "  (none)"))


def _value(setting: Setting) -> str | None:
    """The setting's value as it may be shown: a store URL never shows its password."""
    if setting.name == "store" and setting.value is not None:
        from crisiscli.config import shown_store  # noqa: PLC0415

        return shown_store(setting.value)
    return setting.value


def _shown(setting: Setting) -> str:
    value = _value(setting)
    return "(not set)" if value is None else one_line(value)


def _source(setting: Setting) -> str:
    if setting.source == "environment":
        return f"environment ({setting.origin})"
    if setting.source == "flag":
        return f"flag ({setting.origin})"
    if setting.source == "file":
        return setting.origin
    return _DEFAULTS.get(setting.name, "default")
