"""Reading user TOML: key paths as TOML writes them, and the line of runaway nesting."""

from __future__ import annotations

from pathlib import Path

import pytest

from crisiscli.errors import InvalidFileError
from crisiscli.tomlfile import MAX_DEPTH, key_path, read_toml


@pytest.mark.parametrize(
    ("parts", "under", "expected"),
    [
        (("steps", 2, "questions", 0, "type"), "", "steps[2].questions[0].type"),
        (("tiers", 1, "credit_percent"), "contract", "contract.tiers[1].credit_percent"),
        (("",), "", '""'),
        (("answers", "impact.affected"), "", 'answers."impact.affected"'),
        (("a b", "c-d_e"), "", '"a b".c-d_e'),
        (("a\nb",), "", '"a\\nb"'),
        (("adhérents",), "", '"adhérents"'),
        ((), "contract", "contract"),
        ((), "", ""),
    ],
)
def test_key_paths_quote_keys_that_are_not_bare(
    parts: tuple[str | int, ...], under: str, expected: str
) -> None:
    assert key_path(*parts, under=under) == expected


def refusal(path: Path) -> InvalidFileError:
    with pytest.raises(InvalidFileError) as caught:
        read_toml(path)
    return caught.value


@pytest.mark.parametrize(
    "before",
    [
        "",
        'title = "a [ in a string"\n',
        "note = 'a { in a literal string'\n",
        "# a comment with [[[ brackets\nx = 1\n",
        'text = """\nthree\nlines [ with a \\\nline-ending backslash\n"""\n',
        "text = '''\ntwo [ lines\n'''\n",
        'quote = "an escaped \\" and a [ after it"\n',
        "[table]\n[[array.of.tables]]\nx = [1, [2, {a = 3}]]\n",
    ],
    ids=["alone", "basic", "literal", "comment", "multiline", "multi-literal", "escape", "tables"],
)
@pytest.mark.parametrize("shape", ["[", "{a = "])
def test_nesting_too_deep_for_the_parser_names_its_line(
    tmp_path: Path, before: str, shape: str
) -> None:
    closing = "]" if shape == "[" else "}"
    path = tmp_path / "deep.toml"
    path.write_text(f"{before}\n\ndeep = {shape * 2000}1{closing * 2000}\n", encoding="utf-8")
    error = refusal(path)
    assert error.line == before.count("\n") + 3
    assert error.problem == f"invalid TOML: nested more than {MAX_DEPTH} levels deep"


def test_nesting_within_the_parser_but_past_the_limit_names_its_key_path(tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text("deep = " + "[" * 40 + "1" + "]" * 40 + "\n", encoding="utf-8")
    error = refusal(path)
    assert error.line is None
    assert error.path is not None and error.path.startswith("deep[0][0]")
