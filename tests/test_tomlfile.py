"""Reading user TOML: key paths as TOML writes them, and the line of runaway nesting."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from crisiscli.errors import InvalidFileError
from crisiscli.tomlfile import MAX_DEPTH, key_path, read_toml

from .conftest import REPO


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


BOM = "starts with a byte-order mark; save it as UTF-8 without one"


def test_a_byte_order_mark_is_refused_on_line_1(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b'\xef\xbb\xbflanguage = "fr"\n')
    error = refusal(path)
    assert (error.line, error.path, error.problem) == (1, None, BOM)
    assert str(error) == f"{path}, line 1: {BOM}"
    # Without the mark the same text is fine: only the mark is refused.
    path.write_bytes(b'language = "fr"\n')
    assert read_toml(path) == {"language": "fr"}


def _loaders() -> dict[str, tuple[Callable[[Path], object], bytes]]:
    """Per kind of TOML file, its loader and a valid file of that kind."""
    from crisiscli.config_file import load_config  # noqa: PLC0415
    from crisiscli.contract import load_contract  # noqa: PLC0415
    from crisiscli.exchange import read_export  # noqa: PLC0415
    from crisiscli.playbook_loading import load_playbook  # noqa: PLC0415
    from crisiscli.scenario import load_scenario  # noqa: PLC0415
    from crisiscli.scripted import load_answers  # noqa: PLC0415

    outage = load_playbook(REPO / "playbooks" / "customer-outage.en.toml")

    def shipped(path: str) -> bytes:
        return (REPO / path).read_bytes()

    return {
        "crisis.toml": (load_config, b'language = "fr"\nplaybook = "customer-outage"\n'),
        "playbook": (load_playbook, shipped("playbooks/customer-outage.en.toml")),
        "scenario": (load_scenario, shipped("scenarios/enterprise-outage.en.toml")),
        "contract": (load_contract, shipped("contracts/example.en.toml")),
        "answers": (
            lambda path: load_answers(path, outage),
            shipped("tests/data/customer-outage.en.answers.toml"),
        ),
        "export": (read_export, b""),
    }


@pytest.mark.parametrize("kind", ["crisis.toml", "playbook", "scenario", "contract", "answers"])
def test_every_kind_of_toml_file_refuses_a_byte_order_mark_alike(tmp_path: Path, kind: str) -> None:
    """One behaviour for every file read through read_toml: exit 2, the file, line 1."""
    load, valid = _loaders()[kind]
    path = tmp_path / f"{kind}.toml"
    path.write_bytes(b"\xef\xbb\xbf" + valid)
    with pytest.raises(InvalidFileError) as caught:
        load(path)
    assert str(caught.value) == f"{path}, line 1: {BOM}"
    assert caught.value.exit_code == 2
    path.write_bytes(valid)
    load(path)  # the same file without the mark loads


def test_an_export_with_a_byte_order_mark_is_refused_in_the_same_words(tmp_path: Path) -> None:
    """Exports are read by crisiscli.exchange, which looks for the mark itself (JSON too)."""
    load, _ = _loaders()["export"]
    path = tmp_path / "session.toml"
    path.write_bytes(b'\xef\xbb\xbfformat = "crisiscli-session"\n')
    with pytest.raises(InvalidFileError) as caught:
        load(path)
    assert (caught.value.file, caught.value.problem) == (str(path), BOM)


@pytest.mark.parametrize("digits", ["9" * 5000, "1_" * 4400 + "1"])
def test_an_integer_longer_than_python_reads_is_refused_at_its_line(
    tmp_path: Path, digits: str
) -> None:
    path = tmp_path / "long.toml"
    path.write_text(f'title = "x"\n\ncount = {digits}\n', encoding="utf-8")
    error = refusal(path)
    assert error.line == 3
    assert error.problem == "invalid TOML: a number has more digits than crisiscli reads (4,300)"
