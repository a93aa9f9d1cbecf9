"""The documentation's examples stay true: they are run against the code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
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
    groups = {"sessions", "playbooks", "templates"}
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


def _context_field_paths() -> set[str]:
    """Every field of the report context as ``section.field`` / ``list[].field``."""
    import types  # noqa: PLC0415
    from typing import Union, get_args, get_origin  # noqa: PLC0415

    from pydantic import BaseModel  # noqa: PLC0415

    from crisiscli.report_context import ReportContext  # noqa: PLC0415

    def model_in(annotation: object) -> tuple[type[BaseModel] | None, bool]:
        origin = get_origin(annotation)
        if origin in (Union, types.UnionType):
            for arg in get_args(annotation):
                found, is_list = model_in(arg)
                if found is not None:
                    return found, is_list
            return None, False
        if origin is list:
            found, _ = model_in(get_args(annotation)[0])
            return found, True
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation, False
        return None, False

    paths: set[str] = set()

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            path = f"{prefix}{name}"
            paths.add(path)
            nested, is_list = model_in(field.annotation)
            if nested is not None:
                walk(nested, f"{path}[]." if is_list else f"{path}.")

    walk(ReportContext, "")
    return paths


def test_the_template_reference_documents_every_context_field() -> None:
    text = (REPO / "docs" / "templates.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_\[\].]+)`", text))
    missing = sorted(_context_field_paths() - documented)
    assert missing == [], f"docs/templates.md does not document: {', '.join(missing)}"


def test_the_template_reference_lists_every_report_field() -> None:
    from crisiscli.report_fields import REPORT_FIELDS  # noqa: PLC0415

    text = (REPO / "docs" / "templates.md").read_text(encoding="utf-8")
    assert [name for name in REPORT_FIELDS if f"`{name}`" not in text] == []


def test_the_cli_reference_is_current() -> None:
    from crisiscli.cli.reference import render  # noqa: PLC0415

    committed = (REPO / "docs" / "cli-reference.md").read_text(encoding="utf-8")
    assert committed == render(), (
        "docs/cli-reference.md is stale; run: "
        ".venv/bin/python -m crisiscli.cli.reference > docs/cli-reference.md"
    )


def test_every_command_and_parameter_has_help() -> None:
    from crisiscli.cli.reference import commands, missing_help  # noqa: PLC0415

    assert missing_help() == []
    bare = typer.Typer()

    @bare.command()
    def helped(name: str, count: int = 3) -> None:
        """A command whose parameters say nothing."""

    @bare.command()
    def silent(flag: bool = typer.Option(False, help="Documented.")) -> None:
        pass

    assert missing_help(bare) == [
        "crisis helped name <str>",
        "crisis helped --count <int>",
        "crisis silent",
    ]
    listed = {" ".join(path) for path, _command, _context in commands()}
    assert {"crisis export", "crisis import", "crisis config show", "crisis schema"} <= listed
    assert len(listed) >= 40


@pytest.mark.parametrize("guide", ["getting-started.md", "getting-started.fr.md", "conventions.md"])
def test_every_command_line_of_the_guides_parses(guide: str) -> None:
    """Each `crisis ...` line of the guide names real commands and options, rightly used."""
    import shlex  # noqa: PLC0415

    from typer._click import Context  # noqa: PLC0415
    from typer.core import TyperGroup  # noqa: PLC0415

    text = (REPO / "docs" / guide).read_text(encoding="utf-8")
    lines = [
        line.split("  #")[0].strip()
        for block in re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)
        for line in block.splitlines()
        if line.startswith("crisis ")
    ]
    assert lines or guide == "conventions.md"
    root = typer.main.get_command(app)
    for line in lines:
        words = shlex.split(line)[1:]
        context = Context(root, info_name="crisis", resilient_parsing=False)
        command: Any = root
        while isinstance(command, TyperGroup) and words and not words[0].startswith("-"):
            name = words.pop(0)
            found = command.get_command(context, name)
            assert found is not None, (guide, line)
            command = found
        if words in (["--install-completion"], ["--version"]):
            continue
        command.make_context(line, list(words), parent=context)  # raises on a bad option
