"""The comms coach: its API, its rule files, its accuracy on the labelled set, its CLI."""

from __future__ import annotations

import json
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from crisiscli.cli.app import CrisisGroup
from crisiscli.cli.coach import register
from crisiscli.coach import (
    CATEGORIES,
    LANGUAGES,
    Flag,
    RuleFileError,
    coach,
    load_rules,
    parse_rules,
)

from .conftest import REPO

LABELLED = REPO / "tests" / "data" / "coach"
RULES = REPO / "src" / "crisiscli" / "coach_rules"


def categories(text: str, language: str = "en") -> set[str]:
    return {flag.category for flag in coach(text, language)}


def excerpts(text: str, category: str, language: str = "en") -> list[str]:
    return [flag.excerpt for flag in coach(text, language) if flag.category == category]


# --- the API --------------------------------------------------------------


def test_each_flag_points_at_its_excerpt_and_flags_are_sorted_by_start() -> None:
    text = (
        "Sorry about this, but it is not really our fault. Lots of customers are affected. "
        "We will look into it."
    )
    flags = coach(text, "en")
    assert [flag.start for flag in flags] == sorted(flag.start for flag in flags)
    for flag in flags:
        assert text[flag.start : flag.end] == flag.excerpt
        assert flag.category in CATEGORIES
    assert excerpts(text, "blame") == ["Sorry about this, but", "not really our fault"]
    assert excerpts(text, "vague_impact") == ["Lots of customers"]
    assert excerpts(text, "no_owner") == ["We will look into"]


def test_a_missing_next_update_is_an_empty_span_at_the_end() -> None:
    text = "Many users cannot log in. Sam is restarting the service and will report back soon."
    (flag,) = [flag for flag in coach(text, "en") if flag.category == "no_next_update"]
    assert (flag.start, flag.end, flag.excerpt) == (len(text), len(text), "")


def test_the_second_apology_is_flagged_not_the_first() -> None:
    text = "Sorry for the delay. Sam ships the part today, and sorry again for the trouble."
    flags = [flag for flag in coach(text, "en") if flag.category == "over_apology"]
    assert [text[flag.start : flag.end] for flag in flags] == ["sorry"]
    assert flags[0].start == text.rindex("sorry")


def test_one_plain_apology_passes_and_a_grovelling_one_does_not() -> None:
    assert "over_apology" not in categories("We are sorry: the outage was our mistake.")
    assert excerpts("We are deeply sorry.", "over_apology") == ["deeply sorry"]
    assert excerpts("Mille excuses pour hier.", "over_apology", "fr") == ["Mille excuses"]


def test_reasons_are_in_the_language_of_the_message() -> None:
    english = coach("We're looking into it.", "en")
    french = coach("Nous allons regarder.", "fr")
    assert [flag.category for flag in english] == ["no_owner"]
    assert [flag.category for flag in french] == ["no_owner"]
    assert "who" in english[0].reason
    assert "qui" in french[0].reason
    assert english[0].reason != french[0].reason


def test_every_category_has_a_reason_in_both_languages() -> None:
    for language in LANGUAGES:
        reasons = load_rules(language).reasons
        assert set(reasons) == set(CATEGORIES)
        assert all(reason.strip() for reason in reasons.values())


def test_empty_and_blank_text_have_no_flags() -> None:
    assert coach("", "en") == []
    assert coach("   \n ", "fr") == []


def test_typographic_apostrophes_are_understood_and_kept_in_the_excerpt() -> None:
    text = "It’s not our fault. We’re looking into it."
    assert excerpts(text, "blame") == ["not our fault"]
    assert excerpts(text, "no_owner") == ["We’re looking into"]


def test_a_figure_next_to_a_vague_word_is_enough_but_a_clock_time_is_not() -> None:
    assert "vague_impact" not in categories("Many users (640 of 1,000) are affected.")
    assert "vague_impact" in categories("Many users are affected since 09:00.")
    assert "vague_impact" not in categories("La plupart (640 sur 1 000) sont touchés.", "fr")
    assert "vague_impact" in categories("Beaucoup de clients sont touchés depuis 9 h.", "fr")


def test_a_next_update_time_needs_an_update_word_in_its_sentence() -> None:
    started = "The error started at 08:40 and affects 312 accounts. Sam is fixing it."
    promised = "The error affects 312 accounts. Sam is fixing it; next update at 10:00."
    assert "no_next_update" in categories(started)
    assert "no_next_update" not in categories(promised)
    assert "no_next_update" not in categories(
        "L'erreur touche 312 comptes. Sam la corrige ; je vous rappelle à 14 h 30.", "fr"
    )


def test_a_short_sentence_is_not_a_status_update() -> None:
    assert "no_next_update" not in categories("Thanks, we're on it.")


def test_a_named_owner_anywhere_clears_no_owner() -> None:
    assert "no_owner" in categories("The team is working on it.")
    assert "no_owner" not in categories("The team is working on it; Léa will call you at 3 pm.")
    assert "no_owner" not in categories("Our database team will look into it by 15:00.")
    assert "no_owner" not in categories("Nous allons regarder ; Léa vous rappellera à 15 h.", "fr")


def test_a_harmless_but_is_not_blame() -> None:
    assert "blame" not in categories("The app is slow, but every booking has been saved.")
    assert "blame" not in categories(
        "We are sorry not only to you but also to your customers; Sam calls each one today."
    )


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language"):
        coach("Hello", "de")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_100k_character_message_is_checked_in_under_a_second(language: str) -> None:
    messages = [m["text"] for m in labelled(language)]
    realistic = " ".join(messages)
    realistic = (realistic * (100_000 // len(realistic) + 1))[:100_000]
    hostile = [
        realistic,
        "sorry " * 17_000,  # an apology every few characters, no sentence end
        "sorry " + "a" * 100_000,
        "Sorry, " + "but " * 25_000,
        "many " * 20_000,
        "Sam, " * 20_000,
        "A" * 100_000,
        ("é" * 60 + " ") * 1_600,
        "1" * 100_000,
        ("nous allons " if language == "fr" else "we will ") * 9_000,
    ]
    for text in hostile:
        started = time.perf_counter()
        coach(text, language)
        elapsed = time.perf_counter() - started
        assert elapsed < 1.0, (text[:40], elapsed)


# --- the rule files -------------------------------------------------------


def rule_data(language: str = "en") -> dict[str, Any]:
    return tomllib.loads((RULES / f"{language}.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_shipped_rule_files_load(language: str) -> None:
    rules = load_rules(language)
    assert rules.language == language
    assert load_rules(language) is rules  # cached


def test_a_broken_regex_names_the_file_and_the_key() -> None:
    data = rule_data()
    data["blame"]["patterns"].append("(unclosed")
    index = len(data["blame"]["patterns"]) - 1
    with pytest.raises(RuleFileError) as caught:
        parse_rules(data, "en.toml", "en")
    assert str(caught.value).startswith(f"en.toml, at blame.patterns[{index}]: invalid regular")


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        (lambda d: d["reasons"].pop("blame"), "reasons.blame", "missing key"),
        (lambda d: d.pop("no_owner"), "no_owner", "missing table"),
        (lambda d: d["no_owner"].update(owner=["x"]), "no_owner.owner", "unknown key"),
        (lambda d: d.update(extra={}), "extra", "unknown table"),
        (
            lambda d: d["over_apology"].update(min_apologies=0),
            "over_apology.min_apologies",
            "number",
        ),
        (lambda d: d["time"].update(patterns=[]), "time.patterns", "non-empty list"),
        (lambda d: d["time"].update(patterns=[r"(\d+)h"]), "time.patterns[0]", "capturing"),
        (lambda d: d["time"].update(patterns=[r"\d*"]), "time.patterns[0]", "empty string"),
        (lambda d: d["time"].update(patterns=[r"(?:\w+\s)+h"]), "time.patterns[0]", "backtracking"),
        (lambda d: d["time"].update(patterns=[r"(?:a|b+){2,}"]), "time.patterns[0]", "backtrack"),
        (lambda d: d.update(language="fr"), "language", "expected 'en'"),
    ],
)
def test_rule_files_are_validated(change: Any, key: str, problem: str) -> None:
    data = rule_data()
    change(data)
    with pytest.raises(RuleFileError) as caught:
        parse_rules(data, "en.toml", "en")
    assert caught.value.key == key
    assert problem in caught.value.problem


def test_bounded_repetitions_are_allowed() -> None:
    data = rule_data()
    data["time"]["patterns"] = [r"(?:\w+\s+){0,2}o'clock", r"[^.(+)]{0,80}?x", r"(?:ab)+c"]
    parse_rules(data, "en.toml", "en")


# --- the labelled set -----------------------------------------------------


def labelled(language: str) -> list[dict[str, Any]]:
    data = tomllib.loads((LABELLED / f"{language}.toml").read_text(encoding="utf-8"))
    messages: list[dict[str, Any]] = data["messages"]
    return messages


def test_the_labelled_set_is_large_varied_and_well_formed() -> None:
    total = 0
    for language in LANGUAGES:
        messages = labelled(language)
        total += len(messages)
        clean = [m for m in messages if not m["flags"]]
        assert 0.35 <= len(clean) / len(messages) <= 0.65
        for message in messages:
            assert set(message) <= {"text", "flags", "heldout", "batch"}
            assert set(message["flags"]) <= set(CATEGORIES), message["text"]
            assert len(set(message["flags"])) == len(message["flags"])
        for category in CATEGORIES:
            assert sum(category in m["flags"] for m in messages) >= 5, (language, category)
    assert total >= 80


def scores(messages: list[dict[str, Any]], language: str) -> dict[str, tuple[float, float]]:
    """Precision and recall per category, message by message."""
    counts = {category: [0, 0, 0] for category in CATEGORIES}  # tp, fp, fn
    for message in messages:
        predicted = categories(message["text"], language)
        expected = set(message["flags"])
        for category in CATEGORIES:
            if category in predicted and category in expected:
                counts[category][0] += 1
            elif category in predicted:
                counts[category][1] += 1
            elif category in expected:
                counts[category][2] += 1
    return {
        category: (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)
        for category, (tp, fp, fn) in counts.items()
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_precision_and_recall_reach_085_per_category(language: str) -> None:
    """On every labelled message of the language (tuned-against and held-out
    batches together). The last blind batch alone scores lower on some
    categories; benchmarks/coach.py reports each batch and docs/coach.md
    discusses the gap."""
    low = {
        category: (round(precision, 3), round(recall, 3))
        for category, (precision, recall) in scores(labelled(language), language).items()
        if precision < 0.85 or recall < 0.85
    }
    assert low == {}


def test_the_labelled_set_is_large_and_balanced() -> None:
    for language in LANGUAGES:
        messages = labelled(language)
        assert len(messages) >= 60
        clean = [m for m in messages if not m["flags"]]
        assert len(messages) / 3 <= len(clean) <= 2 * len(messages) / 3
        for category in CATEGORIES:
            assert sum(category in m["flags"] for m in messages) >= 10, (language, category)


# --- the command ----------------------------------------------------------


def coach_app() -> typer.Typer:
    app = typer.Typer(cls=CrisisGroup)

    @app.callback()
    def _root() -> None:
        """A test root, so that coach stays a subcommand."""

    register(app)
    return app


def run(*args: str, stdin: str | bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(coach_app(), ["coach", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


BLAMING = "We are sorry for the delay, but the courier lost your parcel."


def test_text_output_shows_the_message_and_each_flag() -> None:
    code, out, err = run(BLAMING)
    assert code == 0, err
    assert out.startswith(f"  {BLAMING}\n")
    assert 'blame  "sorry for the delay, but"  Sounds like shifting the blame' in out
    assert "possible problem(s)" in out


def test_a_clean_message_says_so_in_its_language() -> None:
    assert run("Thanks, fixed now.")[1].endswith("No problems found.\n")
    assert run("C'est corrigé, merci.", "--lang", "fr")[1].endswith("Aucun problème trouvé.\n")


def test_the_language_comes_from_crisis_lang_when_not_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CRISIS_LANG", "fr")
    code, out, _ = run("Nous allons regarder.")
    assert code == 0
    assert "Dites qui s'en charge" in out


def test_the_language_setting_of_a_crisis_toml_is_followed(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """./crisis.toml, then $CRISIS_HOME/crisis.toml; CRISIS_LANG and --lang win over both."""
    isolated.mkdir()
    (isolated / "crisis.toml").write_text('language = "fr"\n', encoding="utf-8")
    code, out, err = run("Nous allons regarder.", "--json")
    assert (code, json.loads(out)["language"]) == (0, "fr"), err
    Path("crisis.toml").write_text('language = "en"\n', encoding="utf-8")
    assert json.loads(run("We will look.", "--json")[1])["language"] == "en"
    monkeypatch.setenv("CRISIS_LANG", "fr")
    assert json.loads(run("Nous allons regarder.", "--json")[1])["language"] == "fr"
    assert json.loads(run("We will look.", "--json", "--lang", "en")[1])["language"] == "en"


def test_a_broken_language_setting_names_the_file_and_key() -> None:
    Path("crisis.toml").write_text('language = "de"\n', encoding="utf-8")
    code, out, err = run("hello")
    assert (code, out) == (2, "")
    assert err == (
        f"crisis: error: {Path('crisis.toml').absolute()}, at language: "
        "expected one of 'en', 'fr'; got 'de'\n"
    )


def test_a_missing_next_update_is_shown_at_the_end_of_the_message() -> None:
    code, out, _ = run("Many users cannot log in. Sam is restarting the service right now.")
    assert code == 0
    assert "no_next_update  (end of message)  Say when the next update" in out


def test_file_input(tmp_path: Path) -> None:
    path = tmp_path / "draft.txt"
    path.write_text("Nous allons regarder.\n", encoding="utf-8")
    code, out, _ = run("--file", str(path), "-l", "fr")
    assert code == 0
    assert 'no_owner  "Nous allons regarder"' in out


@pytest.mark.parametrize("args", [["-"], []])
def test_standard_input(args: list[str]) -> None:
    code, out, _ = run(*args, "--json", stdin="We're looking into it.\n")
    assert code == 0
    assert json.loads(out)["flags"][0]["excerpt"] == "We're looking into"


def test_json_output() -> None:
    code, out, _ = run(BLAMING, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["language"] == "en"
    assert data["ok"] is False
    first = data["flags"][0]
    assert set(first) == {"category", "start", "end", "excerpt", "reason"}
    assert BLAMING[first["start"] : first["end"]] == first["excerpt"]
    clean = json.loads(run("Thanks, fixed now.", "--json")[1])
    assert clean == {"language": "en", "flags": [], "ok": True}


def test_strict_exits_1_after_printing_when_something_is_flagged() -> None:
    code, out, err = run(BLAMING, "--strict")
    assert code == 1
    assert "blame" in out
    assert err.strip() == "crisis: error: the message has 2 flagged problem(s) (--strict)"
    assert run("Thanks, fixed now.", "--strict")[0] == 0


def test_control_characters_are_neutralised() -> None:
    code, out, _ = run("We're looking \x1b[31minto it.")
    assert code == 0
    assert "\x1b" not in out
    assert "\\x1b" in out


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["hello", "--file", "x.txt"], None, "not both"),
        (["--lang", "de", "hello"], None, "unknown language 'de'"),
        (["  "], None, "the message is empty"),
        ([], "", "the message is empty"),
        (["--file", "missing.txt"], None, "missing.txt: no such file"),
        (["-"], b"caf\xe9\n", "standard input, line 1: is not valid UTF-8"),
    ],
)
def test_bad_usage_exits_2_with_one_sentence(
    args: list[str], stdin: str | bytes | None, message: str
) -> None:
    code, out, err = run(*args, stdin=stdin)
    assert code == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1


def test_a_file_over_1_mib_or_not_utf8_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (1024 * 1024 + 1))
    code, _, err = run("--file", str(big))
    assert code == 2
    assert "larger than 1024 KiB" in err
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"ok\nd\xe9sol\xe9\n")
    code, _, err = run("--file", str(latin))
    assert code == 2
    assert f"{latin}, line 2: is not valid UTF-8 text" in err
    assert run("--file", str(tmp_path))[0] == 2


def test_flags_are_frozen_values() -> None:
    flag = Flag("blame", 0, 3, "but", "reason")
    with pytest.raises(AttributeError):
        flag.start = 1  # type: ignore[misc]
