"""The documentation's examples stay true: they are run against the code."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main
from typer.testing import CliRunner

from crisiscli.cli.app import app
from crisiscli.playbook_loading import load_playbook

from .conftest import REPO


def toml_blocks(doc: str) -> list[str]:
    text = (REPO / "docs" / doc).read_text(encoding="utf-8")
    return re.findall(r"```toml\n(.*?)```", text, flags=re.DOTALL)


def test_the_complete_example_of_the_format_reference_is_valid(tmp_path: Path) -> None:
    example = toml_blocks("playbook-format.md")[0]
    path = tmp_path / "example.toml"
    path.write_text(example, encoding="utf-8")
    playbook = load_playbook(path)
    assert len(playbook.steps) >= 3


def test_every_command_the_readme_shows_exists() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    groups = {"sessions", "playbooks"}
    shown = re.findall(r"^crisis ([a-z]+)(?: ([a-z]+))?", readme, flags=re.MULTILINE)
    commands = {(first, second if first in groups else "") for first, second in shown}
    assert ("start", "") in commands and ("playbooks", "validate") in commands
    top_level = typer_command_names()
    runner = CliRunner()
    for first, second in sorted(commands):
        assert first in top_level, first
        args = [first, second] if second else [first]
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0, (args, result.output)
        if second:
            assert f"crisis {first} {second}" in result.output.replace("  ", " ")


def typer_command_names() -> set[str]:
    group = typer.main.get_command(app)
    return set(getattr(group, "commands", {}))
