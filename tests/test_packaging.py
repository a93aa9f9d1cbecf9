"""The wheel ships the built-in playbooks, templates and schemas; the CLI finds them anywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

pytestmark = pytest.mark.slow


def test_installed_wheel_lists_the_built_in_playbooks_in_both_languages(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = dist.glob("crisiscli-*.whl")
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert (target / "crisiscli" / "playbooks").is_dir()
    assert (target / "crisiscli" / "templates").is_dir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(os.environ, PYTHONPATH=str(target), CRISIS_HOME=str(tmp_path / "home"))
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from crisiscli.cli import main; main()",
            "playbooks",
            "list",
            "--json",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    listed = json.loads(result.stdout)
    assert all(Path(e["path"]).is_relative_to(target) for e in listed)
    found = {(e["id"], e["language"]) for e in listed if e["origin"] == "built-in"}
    for playbook in ("customer-outage", "failed-delivery"):
        assert {(playbook, "en"), (playbook, "fr")} <= found
    templates = subprocess.run(
        [
            sys.executable,
            "-c",
            "from crisiscli.cli import main; main()",
            "templates",
            "list",
            "--json",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    shipped = json.loads(templates.stdout)
    assert all(Path(e["path"]).is_relative_to(target) for e in shipped)
    assert {(e["name"], e["language"], e["format"]) for e in shipped} == {
        (name, language, fmt)
        for name in ("remediation", "postmortem", "update", "summary", "debrief")
        for language in ("en", "fr")
        for fmt in ("md", "txt", "html")
    }
    assert (target / "crisiscli" / "templates" / "_layout.html.j2").is_file()
    assert sorted(p.name for p in (target / "crisiscli" / "scenarios").glob("*.toml")) == sorted(
        p.name for p in (REPO / "scenarios").glob("*.toml")
    )
    # The schemas travel with the files that name them, so `#:schema ../schemas/...` resolves
    # in an installed package too; and crisiscli.schemas (the module) still imports beside them.
    installed = target / "crisiscli"
    assert sorted(p.name for p in (installed / "schemas").glob("*.json")) == sorted(
        p.name for p in (REPO / "schemas").glob("*.json")
    )
    for data in [*(installed / "playbooks").glob("*.toml"), *(installed / "scenarios").glob("*")]:
        header = data.read_text(encoding="utf-8").splitlines()[0]
        assert header.startswith("#:schema ../schemas/"), data
        assert (data.parent / header.removeprefix("#:schema ")).is_file(), data
    printed = subprocess.run(
        [sys.executable, "-c", "from crisiscli.cli import main; main()", "schema", "playbook"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert printed.stdout == (installed / "schemas" / "playbook.schema.json").read_text("utf-8")
