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
