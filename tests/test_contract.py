"""Contract terms: loading with located errors, and the compensation they call for."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crisiscli.contract import (
    Assessment,
    Contract,
    assess,
    contract_from_table,
    load_contract,
    merge_windows,
)
from crisiscli.errors import ContractError, ExitCode, InvalidFileError

from .conftest import REPO

END = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)

SEED = """
[contract]
currency = "EUR"

[[contract.tiers]]
outage_over_minutes = 60
credit_amount = 100

[[contract.generosity.gestures]]
kind = "extra_days"
per_hours_down = 1
label_en = "{n} extra days of service"
label_fr = "{n} jours de service offerts"
"""

HEAD = """
[contract]
currency = "EUR"
monthly_fee = 500
"""

TIER = """
[[contract.tiers]]
availability_below = 99.9
credit_percent = 10
"""

GESTURE = """
[[contract.generosity.gestures]]
kind = "extra_days"
label_en = "{n} extra days"
label_fr = "{n} jours offerts"
"""


def table(**keys: Any) -> dict[str, Any]:
    """A valid [contract] table with one tier, changed by ``keys``."""
    data: dict[str, Any] = {
        "currency": "EUR",
        "tiers": [{"outage_over_minutes": 60, "credit_amount": 100}],
    }
    data.update(keys)
    return data


def contract(**keys: Any) -> Contract:
    return contract_from_table(table(**keys), file="c.toml", prefix="contract")


def down(hours: float, end: datetime = END) -> list[tuple[datetime, datetime]]:
    return [(end - timedelta(hours=hours), end)]


# ---------------------------------------------------------------------------
# Loading


@pytest.mark.parametrize("name", ["example.en.toml", "example.fr.toml"])
def test_the_example_contracts_load(name: str) -> None:
    loaded = load_contract(REPO / "contracts" / name)
    assert loaded.currency == "EUR"
    assert len(loaded.tiers) == 3
    assert loaded.generosity.multiplier > 1
    assert [g.kind for g in loaded.generosity.gestures] == ["extra_days", "priority_support_months"]


def test_both_example_contracts_state_the_same_terms() -> None:
    english = load_contract(REPO / "contracts" / "example.en.toml")
    french = load_contract(REPO / "contracts" / "example.fr.toml")
    assert english == french


def test_the_complete_example_of_the_format_reference_loads(tmp_path: Path) -> None:
    text = (REPO / "docs" / "contract-format.md").read_text(encoding="utf-8")
    example = re.findall(r"```toml\n(.*?)```", text, flags=re.DOTALL)[0]
    path = tmp_path / "example.toml"
    path.write_text(example, encoding="utf-8")
    assert load_contract(path) == load_contract(REPO / "contracts" / "example.en.toml")


def test_the_worked_example_of_the_format_reference_is_what_assess_gives() -> None:
    terms = load_contract(REPO / "contracts" / "example.en.toml")
    start = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
    windows = [(start, start + timedelta(minutes=90)), (start + HOUR, start + 2 * HOUR)]
    result = assess(terms, windows, period_end=start + 3 * HOUR)
    doc = (REPO / "docs" / "contract-format.md").read_text(encoding="utf-8")
    worked = doc.split("## A worked example", 1)[1].split("\n## ", 1)[0]
    assert result.explain("en") in " ".join(worked.split())
    for figure in ("120", "99.722", "100.00 EUR", "125.00 EUR", "2 extra days of service"):
        assert figure in worked, figure


CASES: list[tuple[str, str, str]] = [
    (
        "toml-syntax",
        "[contract\ncurrency = 'EUR'\n",
        "c.toml, line 1: invalid TOML: expected ']' at the end of a table declaration",
    ),
    (
        "no-contract-table",
        "# nothing yet\n",
        "c.toml, at contract: expected a [contract] table, the only table of a contract file",
    ),
    (
        "misspelt-contract-table",
        "[contrat]\ncurrency = 'EUR'\n",
        "c.toml, at contrat: unknown key 'contrat' (did you mean 'contract'?); "
        "a contract file holds a single [contract] table",
    ),
    (
        "keys-before-the-table",
        'currency = "EUR"\n' + HEAD,
        "c.toml, at currency: 'currency' belongs in the [contract] table; "
        "start the file with [contract]",
    ),
    (
        "unknown-key-with-suggestion",
        HEAD + TIER + "credit_amont = 100\n",
        "c.toml, at contract.tiers[0].credit_amont: unknown key 'credit_amont' "
        "(did you mean 'credit_amount'?)",
    ),
    (
        "key-in-the-wrong-table",
        HEAD + "multiplier = 1.5\n" + TIER,
        "c.toml, at contract.multiplier: unknown key 'multiplier'; "
        "it belongs in [contract.generosity]",
    ),
    (
        "missing-currency",
        HEAD.replace('currency = "EUR"\n', "") + TIER,
        "c.toml, at contract.currency: is required but missing",
    ),
    (
        "missing-tiers",
        HEAD,
        "c.toml, at contract.tiers: is required but missing",
    ),
    (
        "lowercase-currency",
        HEAD.replace('"EUR"', '"eur"') + TIER,
        "c.toml, at contract.currency: expected an ISO 4217 currency code of three capital "
        "letters, like EUR; got 'eur'",
    ),
    (
        "number-as-text",
        HEAD.replace("500", '"500"') + TIER,
        "c.toml, at contract.monthly_fee: expected a number, got text",
    ),
    (
        "decimal-minutes",
        HEAD + "[[contract.tiers]]\noutage_over_minutes = 60.5\ncredit_amount = 10\n",
        "c.toml, at contract.tiers[0].outage_over_minutes: expected a whole number, "
        "got a decimal number",
    ),
    (
        "boolean-amount",
        HEAD + "[[contract.tiers]]\noutage_over_minutes = 60\ncredit_amount = true\n",
        "c.toml, at contract.tiers[0].credit_amount: expected a number, got a boolean",
    ),
    (
        "not-a-finite-number",
        HEAD + "[[contract.tiers]]\navailability_below = nan\ncredit_amount = 10\n",
        "c.toml, at contract.tiers[0].availability_below: expected a finite number, not nan or inf",
    ),
    (
        "tiers-as-a-single-table",
        HEAD + "[contract.tiers]\navailability_below = 99.9\ncredit_percent = 10\n",
        "c.toml, at contract.tiers: expected an array of tables, written [[contract.tiers]], "
        "got a table",
    ),
    (
        "several-problems",
        HEAD.replace("500", '"500"') + TIER + "credit_amont = 1\n",
        "c.toml, at contract.monthly_fee: expected a number, got text (and 1 more problem)",
    ),
    (
        "two-conditions",
        HEAD + TIER.replace("credit_percent", "outage_over_minutes = 60\ncredit_percent"),
        "c.toml, at contract.tiers[0]: expected exactly one condition, got both "
        "availability_below and outage_over_minutes; write them as two tiers",
    ),
    (
        "no-condition",
        HEAD + "[[contract.tiers]]\ncredit_amount = 10\n",
        "c.toml, at contract.tiers[0]: expected a condition: availability_below or "
        "outage_over_minutes",
    ),
    (
        "two-credits",
        HEAD + TIER + "credit_amount = 10\n",
        "c.toml, at contract.tiers[0]: expected exactly one credit, got both credit_amount "
        "and credit_percent",
    ),
    (
        "no-credit",
        HEAD + "[[contract.tiers]]\navailability_below = 99\n",
        "c.toml, at contract.tiers[0]: expected a credit: credit_amount or credit_percent",
    ),
    (
        "credit-percent-without-monthly-fee",
        HEAD.replace("monthly_fee = 500\n", "")
        + "[[contract.tiers]]\noutage_over_minutes = 60\ncredit_amount = 50\n"
        + TIER,
        "c.toml, at contract.tiers[1].credit_percent: a percentage of monthly_fee needs "
        "monthly_fee, which the contract does not give; add monthly_fee or give an amount instead",
    ),
    (
        "cap-percent-without-monthly-fee",
        HEAD.replace("monthly_fee = 500\n", "cap_percent = 50\n")
        + "[[contract.tiers]]\noutage_over_minutes = 60\ncredit_amount = 50\n",
        "c.toml, at contract.cap_percent: a percentage of monthly_fee needs monthly_fee, "
        "which the contract does not give; add monthly_fee or give an amount instead",
    ),
    (
        "percent-above-100",
        HEAD + TIER.replace("credit_percent = 10", "credit_percent = 120"),
        "c.toml, at contract.tiers[0].credit_percent: expected a percentage above 0 and at "
        "most 100, got 120",
    ),
    (
        "availability-with-four-decimals",
        HEAD + TIER.replace("99.9", "99.9995"),
        "c.toml, at contract.tiers[0].availability_below: expected at most 3 decimals, got 99.9995",
    ),
    (
        "negative-fee",
        HEAD.replace("500", "-5") + TIER,
        "c.toml, at contract.monthly_fee: expected an amount from 0 to 1,000,000,000,000, got -5",
    ),
    (
        "fraction-of-a-cent",
        HEAD.replace("500", "500.005") + TIER,
        "c.toml, at contract.monthly_fee: expected at most 2 decimals for EUR, got 500.005",
    ),
    (
        "fraction-of-a-yen",
        HEAD.replace('"EUR"', '"JPY"').replace("500", "500.5") + TIER,
        "c.toml, at contract.monthly_fee: expected a whole amount for JPY, got 500.5",
    ),
    (
        "period-of-no-days",
        HEAD + "measurement_period_days = 0\n" + TIER,
        "c.toml, at contract.measurement_period_days: expected a number of days from 1 to 366, "
        "got 0",
    ),
    (
        "same-condition-twice",
        HEAD + TIER + TIER.replace("credit_percent = 10", "credit_percent = 20"),
        "c.toml, at contract.tiers[1]: has the same condition as contract.tiers[0]; "
        "keep one of the two",
    ),
    (
        "stingy-multiplier",
        HEAD + TIER + "[contract.generosity]\nmultiplier = 0.5\n",
        "c.toml, at contract.generosity.multiplier: expected a multiplier from 1 to 100 with "
        "at most 3 decimals, got 0.5",
    ),
    (
        "label-without-placeholder",
        HEAD + TIER + GESTURE.replace('"{n} jours offerts"', '"des jours offerts"'),
        "c.toml, at contract.generosity.gestures[0].label_fr: expected the placeholder {n} for "
        'the number of units, as in "{n} extra days"',
    ),
    (
        "label-with-unknown-placeholder",
        HEAD + TIER + GESTURE.replace('"{n} extra days"', '"{days} extra days"'),
        "c.toml, at contract.generosity.gestures[0].label_en: unknown placeholder {days}; "
        "only {n}, the number of units, is replaced",
    ),
    (
        "gesture-kind-twice",
        HEAD + TIER + GESTURE + GESTURE,
        "c.toml, at contract.generosity.gestures[1].kind: the kind 'extra_days' is already "
        "used by contract.generosity.gestures[0]",
    ),
    (
        "no-hours-per-unit",
        HEAD + TIER + GESTURE + "per_hours_down = 0\n",
        "c.toml, at contract.generosity.gestures[0].per_hours_down: expected a number of hours "
        "above 0 and at most 8,784, got 0",
    ),
]


@pytest.mark.parametrize(("text", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_an_invalid_contract_file_is_one_located_sentence(
    write: Callable[[str, str], Path], text: str, message: str
) -> None:
    path = write("c.toml", text)
    with pytest.raises(ContractError) as caught:
        load_contract(path)
    assert str(caught.value).replace(str(path), "c.toml") == message
    assert caught.value.exit_code == ExitCode.USAGE
    assert isinstance(caught.value, InvalidFileError)


def test_a_missing_contract_file() -> None:
    with pytest.raises(ContractError, match=r"^nowhere\.toml: no such file$"):
        load_contract(Path("nowhere.toml"))


def test_an_embedded_table_reports_the_playbook_file_and_its_key_path() -> None:
    data = table(tiers=[{"outage_over_minutes": 60}])
    with pytest.raises(ContractError) as caught:
        contract_from_table(data, file="outage.toml", prefix="contract")
    assert str(caught.value) == (
        "outage.toml, at contract.tiers[0]: expected a credit: credit_amount or credit_percent"
    )
    assert caught.value.path == "contract.tiers[0]"


def test_an_embedded_table_that_is_not_a_table() -> None:
    with pytest.raises(ContractError) as caught:
        contract_from_table(3, file="p.toml", prefix="contract")  # type: ignore[arg-type]
    assert str(caught.value) == "p.toml, at contract: expected a table, got a whole number"


def test_an_empty_prefix_gives_paths_from_the_table_itself() -> None:
    with pytest.raises(ContractError) as caught:
        contract_from_table(
            {"currency": "EUR", "tiers": [], "generosity": {"multipler": 2}},
            file="t.toml",
            prefix="",
        )
    assert str(caught.value) == (
        "t.toml, at generosity.multipler: unknown key 'multipler' (did you mean 'multiplier'?)"
    )


def test_numbers_become_exact_decimals_and_defaults_apply() -> None:
    terms = contract(monthly_fee=99.9, tiers=[{"availability_below": 99.9, "credit_percent": 7.5}])
    assert terms.monthly_fee == Decimal("99.9")
    assert terms.tiers[0].availability_below == Decimal("99.9")
    assert terms.measurement_period_days == 30
    assert terms.generosity.multiplier == 1
    assert terms.generosity.minimum_goodwill == 0
    assert terms.generosity.gestures == []


def test_a_contract_may_have_no_tiers() -> None:
    terms = contract(tiers=[], generosity={"minimum_goodwill": 20})
    result = assess(terms, down(1), period_end=END)
    assert (result.owed, result.proposed) == (Decimal("0.00"), Decimal("20.00"))
    assert result.tier is None


def test_the_fields_are_documented_from_their_docstrings() -> None:
    described = {name: field.description for name, field in Contract.model_fields.items()}
    assert all(described.values()), described
    doc = (REPO / "docs" / "contract-format.md").read_text(encoding="utf-8")
    from crisiscli.contract import Generosity, Gesture, Tier  # noqa: PLC0415

    for model in (Contract, Tier, Generosity, Gesture):
        for name in model.model_fields:
            assert f"`{name}`" in doc, name


# ---------------------------------------------------------------------------
# The computation


def seed() -> Contract:
    return contract_from_table(
        {
            "currency": "EUR",
            "tiers": [{"outage_over_minutes": 60, "credit_amount": 100}],
            "generosity": {
                "gestures": [
                    {
                        "kind": "extra_days",
                        "per_hours_down": 1,
                        "label_en": "{n} extra days of service",
                        "label_fr": "{n} jours de service offerts",
                    }
                ]
            },
        },
        file="seed.toml",
        prefix="contract",
    )


def test_the_seed_example_owes_100_and_offers_two_extra_days(
    write: Callable[[str, str], Path],
) -> None:
    terms = load_contract(write("seed.toml", SEED))
    assert terms == seed()
    result = assess(terms, down(2), period_end=END)
    assert result.outage_minutes == 120
    assert result.availability_percent == Decimal("99.722")
    assert result.tier_index == 0
    assert result.owed == Decimal("100.00")
    assert result.proposed == Decimal("100.00")
    assert result.proposal_basis == "contract"
    [gesture] = result.gestures
    assert (gesture.kind, gesture.units) == ("extra_days", 2)
    assert gesture.label_en == "2 extra days of service"
    assert gesture.label_fr == "2 jours de service offerts"
    assert result.explain("en") == (
        "The service was down for 2 h (120 minutes) in total, which puts availability at "
        "99.722% over the 30-day measurement period ending 22 November 2026, 16:00. This meets "
        "the contract's tier for an outage longer than 1 h, granting a credit of 100.00 EUR. "
        "The amount owed under the contract is 100.00 EUR. We propose exactly that, "
        "100.00 EUR. The generosity policy adds 2 extra days of service."
    )
    assert result.explain("fr") == (
        "Le service a été interrompu pendant 2 h (120 minutes) au total, ce qui porte la "
        "disponibilité à 99,722\u202f% sur la période de mesure de 30 jours se terminant le "
        "22 novembre 2026, 16:00. Cela déclenche le palier du contrat pour une interruption de "
        "plus de 1 h, qui accorde un avoir de 100,00\u202fEUR. Le montant dû au titre du contrat "
        "est de 100,00\u202fEUR. Nous proposons ce montant, 100,00\u202fEUR. La politique de "
        "générosité y ajoute : 2 jours de service offerts."
    )


def test_overlapping_and_touching_windows_are_merged() -> None:
    start = END - 5 * HOUR
    windows = [
        (start + HOUR, start + 2 * HOUR),
        (start, start + timedelta(minutes=90)),  # overlaps the first
        (start + 2 * HOUR, start + timedelta(minutes=150)),  # touches it
        (start + HOUR, start + HOUR),  # no length
    ]
    assert merge_windows(windows) == [(start, start + timedelta(minutes=150))]
    result = assess(seed(), windows, period_end=END)
    assert result.outage_minutes == 150
    assert result.gestures[0].units == 3


def test_windows_in_other_time_zones_are_merged_by_instant() -> None:
    paris = ZoneInfo("Europe/Paris")
    windows = [
        (datetime(2026, 11, 22, 14, 0, tzinfo=paris), datetime(2026, 11, 22, 15, 0, tzinfo=paris)),
        (datetime(2026, 11, 22, 13, 30, tzinfo=UTC), datetime(2026, 11, 22, 14, 30, tzinfo=UTC)),
    ]
    assert assess(seed(), windows, period_end=END).outage_minutes == 90


def test_no_downtime_owes_nothing_and_offers_nothing() -> None:
    terms = contract(generosity={"minimum_goodwill": 50, "multiplier": 2})
    result = assess(terms, [], period_end=END)
    assert result.outage_minutes == 0
    assert result.availability_percent == Decimal("100.000")
    assert (result.owed, result.proposed) == (Decimal("0.00"), Decimal("0.00"))
    assert result.gestures == ()
    assert result.proposal_basis == "nothing_down"
    assert result.tier is None
    assert result.explain("en") == (
        "No downtime was recorded in the 30-day measurement period ending 22 November 2026, "
        "16:00: availability is 100.000% and the contract owes nothing."
    )
    assert result.explain("fr").startswith("Aucune interruption n'a été enregistrée")


@pytest.mark.parametrize(
    ("days", "down_for", "shown"),
    [
        (30, timedelta(seconds=1), "99.999"),
        (366, timedelta(microseconds=1), "99.999"),
        (1, timedelta(days=1) - timedelta(seconds=1), "0.001"),
        (1, timedelta(days=1), "0.000"),
    ],
)
def test_availability_is_cut_never_rounded_up_to_100_while_down(
    days: int, down_for: timedelta, shown: str
) -> None:
    terms = contract(measurement_period_days=days)
    result = assess(terms, [(END - down_for, END)], period_end=END)
    assert str(result.availability_percent) == shown
    assert result.outage_minutes >= 1


def test_availability_tiers_compare_exactly_at_the_threshold() -> None:
    terms = contract(tiers=[{"availability_below": 99.9, "credit_amount": 10}])
    at_threshold = timedelta(minutes=43.2)  # 0.1% of 30 days
    exactly = assess(terms, [(END - at_threshold, END)], period_end=END)
    assert exactly.availability_percent == Decimal("99.900")
    assert exactly.tier is None
    beyond = assess(terms, [(END - at_threshold - timedelta(seconds=1), END)], period_end=END)
    assert beyond.availability_percent == Decimal("99.899")
    assert beyond.owed == Decimal("10.00")


def test_outage_minutes_are_rounded_up_and_duration_tiers_are_strict() -> None:
    terms = contract()  # over 60 minutes: 100
    assert assess(terms, down(1), period_end=END).owed == 0
    just_over = assess(terms, [(END - HOUR - timedelta(seconds=1), END)], period_end=END)
    assert just_over.outage_minutes == 61
    assert just_over.owed == Decimal("100.00")


def test_the_most_favourable_tier_applies_whatever_the_order() -> None:
    tiers = [
        {"availability_below": 99.0, "credit_percent": 25},
        {"outage_over_minutes": 60, "credit_amount": 100},
        {"availability_below": 99.5, "credit_percent": 10},
    ]
    terms = contract(monthly_fee=1200, tiers=tiers)
    five_hours = assess(terms, down(5), period_end=END)
    assert five_hours.tiers_met == (1, 2)
    assert (five_hours.tier_index, five_hours.owed) == (2, Decimal("120.00"))
    assert "This meets 2 tiers of the contract; the most favourable" in five_hours.explain("en")
    two_hours = assess(terms, down(2), period_end=END)
    assert (two_hours.tier_index, two_hours.owed) == (1, Decimal("100.00"))


def test_a_tie_goes_to_the_earlier_tier() -> None:
    tiers = [
        {"outage_over_minutes": 30, "credit_amount": 100},
        {"outage_over_minutes": 60, "credit_amount": 100},
    ]
    assert assess(contract(tiers=tiers), down(2), period_end=END).tier_index == 0


def test_a_percentage_credit_is_rounded_up_to_the_cent() -> None:
    terms = contract(monthly_fee=999.99, tiers=[{"outage_over_minutes": 0, "credit_percent": 7.5}])
    result = assess(terms, down(0.5), period_end=END)
    assert result.credit == Decimal("75.00")  # 74.99925
    assert result.owed == Decimal("75.00")
    assert "7.5% of the monthly fee of 999.99 EUR, that is 75.00 EUR" in result.explain("en")
    assert "7,5\u202f% de l'abonnement mensuel de 999,99\u202fEUR" in result.explain("fr")


def test_currencies_without_cents_round_to_whole_units() -> None:
    terms = contract(
        currency="JPY", monthly_fee=9999, tiers=[{"outage_over_minutes": 0, "credit_percent": 10}]
    )
    result = assess(terms, down(1), period_end=END)
    assert result.owed == Decimal("1000")
    assert result.to_json()["owed"] == "1000"


@pytest.mark.parametrize(
    ("caps", "owed"),
    [
        ({"cap_amount": 80}, "80.00"),
        ({"cap_percent": 10}, "50.00"),
        ({"cap_amount": 80, "cap_percent": 10}, "50.00"),
        ({"cap_amount": 40, "cap_percent": 10}, "40.00"),
        ({"cap_amount": 500}, "100.00"),
        ({"cap_percent": 33.333}, "100.00"),
    ],
)
def test_the_tightest_cap_limits_what_is_owed(caps: dict[str, Any], owed: str) -> None:
    terms = contract(monthly_fee=500, **caps)
    result = assess(terms, down(2), period_end=END)
    assert result.credit == Decimal("100.00")
    assert result.owed == Decimal(owed)
    assert result.capped is (Decimal(owed) < 100)


def test_a_cap_is_rounded_down_and_explained() -> None:
    terms = contract(monthly_fee=100, cap_percent=33.333)  # 33.333 EUR
    result = assess(terms, down(2), period_end=END)
    assert result.cap == Decimal("33.33")
    assert result.owed == Decimal("33.33")
    assert "The contract caps credits at 33.33 EUR, so 33.33 EUR is owed." in result.explain("en")
    assert "Le contrat plafonne les avoirs à 33,33\u202fEUR" in result.explain("fr")


def test_the_multiplier_goes_beyond_what_is_owed() -> None:
    terms = contract(generosity={"multiplier": 1.5, "minimum_goodwill": 50})
    result = assess(terms, down(2), period_end=END)
    assert (result.owed, result.proposed) == (Decimal("100.00"), Decimal("150.00"))
    assert result.proposal_basis == "multiplier"
    assert "multiplies the amount owed by 1.5: we propose 150.00 EUR" in result.explain("en")


def test_the_minimum_goodwill_applies_when_it_is_larger() -> None:
    terms = contract(generosity={"multiplier": 1.5, "minimum_goodwill": 200})
    result = assess(terms, down(2), period_end=END)
    assert (result.owed, result.proposed) == (Decimal("100.00"), Decimal("200.00"))
    assert result.proposal_basis == "minimum_goodwill"
    short = assess(terms, down(0.25), period_end=END)  # no tier is met
    assert (short.owed, short.proposed) == (Decimal("0.00"), Decimal("200.00"))
    assert "This meets none of the contract's service-credit tiers" in short.explain("en")
    assert "accorde au moins 200,00\u202fEUR" in short.explain("fr")


def test_nothing_owed_and_no_goodwill_proposes_nothing() -> None:
    result = assess(contract(), down(0.5), period_end=END)
    assert (result.owed, result.proposed, result.proposal_basis) == (0, 0, "contract")
    assert result.explain("en").endswith("No credit is proposed.")


@pytest.mark.parametrize(
    ("down_for", "per_hours", "max_units", "units", "label"),
    [
        (timedelta(hours=2), 1, None, 2, "2 extra days"),
        (timedelta(hours=2, seconds=1), 1, None, 3, "3 extra days"),
        (timedelta(minutes=5), 1, None, 1, "1 extra day"),
        (timedelta(hours=30), 1, 14, 14, "14 extra days"),
        (timedelta(hours=2), 0.5, None, 4, "4 extra days"),
        (timedelta(hours=25), 24, None, 2, "2 extra days"),
    ],
)
def test_gestures_give_one_unit_per_started_period_down(
    down_for: timedelta, per_hours: float, max_units: int | None, units: int, label: str
) -> None:
    gesture: dict[str, Any] = {
        "kind": "extra_days",
        "per_hours_down": per_hours,
        "label_en": "{n} extra days",
        "label_en_one": "{n} extra day",
        "label_fr": "{n} jours offerts",
        "label_fr_one": "un jour offert",
    }
    if max_units is not None:
        gesture["max_units"] = max_units
    terms = contract(generosity={"gestures": [gesture]})
    [offer] = assess(terms, [(END - down_for, END)], period_end=END).gestures
    assert (offer.units, offer.label_en) == (units, label)
    assert offer.label_fr == ("un jour offert" if units == 1 else f"{units} jours offerts")


def test_downtime_before_the_period_counts_in_minutes_but_not_in_availability() -> None:
    terms = contract(measurement_period_days=1)
    period_start = END - timedelta(days=1)
    windows = [(period_start - HOUR, period_start + HOUR)]
    result = assess(terms, windows, period_end=END)
    assert result.outage_minutes == 120
    assert result.availability_percent == Decimal("95.833")  # 1 hour of 24
    assert result.period_start == period_start


def test_the_period_is_counted_in_real_days_across_a_clock_change() -> None:
    paris = ZoneInfo("Europe/Paris")
    end = datetime(2026, 11, 22, 12, 0, tzinfo=paris)  # the clocks went back on 25 October
    result = assess(contract(), [(end - HOUR, end)], period_end=end)
    # 30 real days earlier is 13:00 in Paris, before the clocks went back.
    assert result.period_start == datetime(2026, 10, 23, 13, 0, tzinfo=paris)
    assert result.period_start.astimezone(UTC) == end.astimezone(UTC) - timedelta(days=30)
    assert result.availability_percent == Decimal("99.861")


@pytest.mark.parametrize(
    ("windows", "period_end", "message"),
    [
        ([(datetime(2026, 11, 22), END)], END, "outage windows need times with a time zone"),
        ([(END, END - HOUR)], END, "ends .* before it starts"),
        ([(END - HOUR, END + HOUR)], END, "ends after the measurement period"),
        ([], datetime(2026, 11, 22), "period_end needs a time zone"),
    ],
)
def test_windows_that_make_no_sense_are_refused(
    windows: list[tuple[datetime, datetime]], period_end: datetime, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        assess(seed(), windows, period_end=period_end)


def test_the_assessment_is_json_ready() -> None:
    terms = load_contract(REPO / "contracts" / "example.en.toml")
    result = assess(terms, down(2), period_end=END)
    data = json.loads(json.dumps(result.to_json()))
    assert data["owed"] == "100.00"
    assert data["proposed"] == "125.00"
    assert data["availability_percent"] == 99.722
    assert data["outage_minutes"] == 120
    assert data["tier"] == {
        "index": 0,
        "availability_below": None,
        "outage_over_minutes": 60,
        "credit_amount": "100.00",
        "credit_percent": None,
    }
    assert data["cap"] == "600.00"
    assert data["period"] == {
        "start": "2026-10-23T16:00:00+00:00",
        "end": "2026-11-22T16:00:00+00:00",
        "days": 30,
    }
    assert [g["label_en"] for g in data["gestures"]] == [
        "2 extra days of service",
        "1 month of priority support",
    ]
    assert data["explanation"]["fr"] == result.explain("fr")


def test_an_assessment_is_frozen() -> None:
    result = assess(seed(), down(2), period_end=END)
    with pytest.raises(AttributeError):
        result.owed = Decimal(0)  # type: ignore[misc]


# ---------------------------------------------------------------------------
# Properties

_tiers = st.lists(
    st.one_of(
        st.fixed_dictionaries(
            {
                "availability_below": st.decimals(
                    min_value=Decimal("0.001"), max_value=100, places=3
                ).map(float),
                "credit_percent": st.integers(min_value=1, max_value=100),
            }
        ),
        st.fixed_dictionaries(
            {
                "outage_over_minutes": st.integers(min_value=0, max_value=3000),
                "credit_amount": st.integers(min_value=1, max_value=10_000),
            }
        ),
    ),
    max_size=5,
    unique_by=lambda t: (t.get("availability_below"), t.get("outage_over_minutes")),
)
_offsets = st.integers(min_value=0, max_value=3 * 24 * 60 * 60)


@st.composite
def _contracts(draw: st.DrawFn) -> Contract:
    data: dict[str, Any] = {
        "currency": draw(st.sampled_from(["EUR", "JPY", "KWD"])),
        "monthly_fee": draw(st.integers(min_value=0, max_value=100_000)),
        "measurement_period_days": draw(st.integers(min_value=1, max_value=60)),
        "tiers": draw(_tiers),
        "generosity": {
            "multiplier": draw(st.decimals(min_value=1, max_value=5, places=2).map(float)),
            "minimum_goodwill": draw(st.integers(min_value=0, max_value=500)),
        },
    }
    if draw(st.booleans()):
        data["cap_amount"] = draw(st.integers(min_value=1, max_value=5000))
    if draw(st.booleans()):
        data["cap_percent"] = draw(st.integers(min_value=1, max_value=100))
    return contract_from_table(data, file="h.toml", prefix="contract")


@settings(max_examples=200, deadline=None)
@given(
    terms=_contracts(),
    spans=st.lists(st.tuples(_offsets, _offsets), max_size=6),
)
def test_proposed_is_never_below_owed_and_owed_never_above_a_cap(
    terms: Contract, spans: list[tuple[int, int]]
) -> None:
    start = END - timedelta(days=3)
    windows = [
        (start + timedelta(seconds=min(a, b)), start + timedelta(seconds=max(a, b)))
        for a, b in spans
    ]
    result: Assessment = assess(terms, windows, period_end=END)
    assert result.proposed >= result.owed >= 0
    if terms.cap_amount is not None:
        assert result.owed <= terms.cap_amount
    if terms.cap_percent is not None and terms.monthly_fee is not None:
        assert result.owed <= terms.monthly_fee * terms.cap_percent / 100
    period_start = END - timedelta(days=terms.measurement_period_days)
    down_in_period = any(end > period_start for _, end in merge_windows(windows))
    assert (result.availability_percent < 100) is down_in_period
    if result.outage_minutes > 0:
        assert result.proposed >= terms.generosity.minimum_goodwill
    else:
        assert result.proposed == 0
    assert result.explain("en") and result.explain("fr")
