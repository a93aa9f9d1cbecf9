"""Golden files: every built-in template, in every format and language, on fixed sessions.

The sessions come from ``tests/report_samples.py`` (a fixed clock, fixed ids),
so the output is byte-for-byte stable. When a template changes on purpose,
review the new files and accept them with ``pytest --snapshot-update``; each
golden is a plain file in ``tests/__snapshots__/test_report_goldens/``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from crisiscli.reports import render_report
from crisiscli.state import SessionState

from .report_samples import complete_session, context, half_session


def _extension(suffix: str) -> type[SingleFileSnapshotExtension]:
    return type(
        f"{suffix.title()}Golden",
        (SingleFileSnapshotExtension,),
        {"file_extension": suffix, "_write_mode": WriteMode.TEXT},
    )


EXTENSIONS = {fmt: _extension(fmt) for fmt in ("md", "txt", "html", "json")}


@cache
def _session(kind: str, language: str) -> SessionState:
    return complete_session(language) if kind == "complete" else half_session(language)


@pytest.mark.parametrize("kind", ["complete", "half"])
@pytest.mark.parametrize("fmt", ["md", "txt", "html"])
@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("template", ["remediation", "postmortem", "update", "summary"])
def test_golden(  # noqa: PLR0917 - pytest parameters
    snapshot: SnapshotAssertion, tmp_path: Path, template: str, language: str, fmt: str, kind: str
) -> None:
    text = render_report(
        context(_session(kind, language)),
        template=template,
        fmt=fmt,
        home=tmp_path / "home",
        cwd=tmp_path,
    )
    assert text == snapshot(extension_class=EXTENSIONS[fmt])


@pytest.mark.parametrize("kind", ["complete", "half"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_golden_json(snapshot: SnapshotAssertion, tmp_path: Path, language: str, kind: str) -> None:
    """JSON is the context itself, so one golden per session; templates only change its name."""
    view = context(_session(kind, language))
    texts = {
        template: render_report(view, template=template, fmt="json", home=tmp_path, cwd=tmp_path)
        for template in ("remediation", "postmortem", "update", "summary")
    }
    assert texts["remediation"] == snapshot(extension_class=EXTENSIONS["json"])
    for template, text in texts.items():
        data = json.loads(text)
        assert data.pop("report") == template
        assert data == view.model_dump(mode="json")
