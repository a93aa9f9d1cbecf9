"""SIGKILL at random moments of a real interactive walk loses no acknowledged answer.

The harness is benchmarks/crash.py (run it with ``--kills 30`` for the full
figures); here a seeded, shorter run of it is part of the suite.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from crisiscli.playbook_loading import load_playbook

from .conftest import PYTHON, REPO

pytestmark = pytest.mark.slow


def load_harness() -> ModuleType:
    name = "crisis_crash_harness"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / "crash.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_random_sigkills_lose_no_acknowledged_answer(tmp_path: Path) -> None:
    harness = load_harness()
    lines: list[str] = []
    figures = harness.run_crash(
        6, seed=20261122, questions=10, folder=tmp_path / "crash", python=PYTHON, log=lines.append
    )
    report = "\n".join([*lines, *figures.lines()])
    assert figures.kills == 6, report
    assert figures.acknowledged > 0, report
    assert figures.found == figures.acknowledged, report
    assert figures.losses == 0, report
    assert figures.integrity_failures == 0, report
    assert figures.duplicates == 0, report
    assert figures.resume_mismatches == 0, report
    assert figures.resumes_checked > 0, report
    assert figures.completed, report
    assert figures.problems == [], report
    assert figures.ok


def test_the_drill_playbook_is_valid(tmp_path: Path) -> None:
    text, keys = load_harness().drill_playbook(12)
    assert keys[0] == "s1.q01" and keys[-1] == "s3.q12" and len(keys) == 12
    path = tmp_path / "drill.toml"
    path.write_text(text, encoding="utf-8")
    playbook = load_playbook(path)
    assert [step.id for step in playbook.steps] == ["s1", "s2", "s3"]
