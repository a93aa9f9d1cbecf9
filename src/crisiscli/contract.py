"""Contract terms and the compensation an outage calls for.

A contract states which service credit a customer is owed after an outage
(its ``tiers`` and optional caps); our generosity policy states how far beyond
the contract we go (``generosity``). ``assess`` turns outage windows into the
amount owed, the amount we propose, in-kind gestures and an explanation in
English and French. This module reads no session and prints nothing.

Rules, all documented in docs/contract-format.md:

* Tiers may come in any order. Among the tiers whose condition is met, the one
  granting the largest credit applies (ties go to the earlier tier): the most
  favourable to the customer.
* Money is ``decimal.Decimal``, never float. TOML numbers become decimals
  through their shortest text form (``99.9`` is exactly 99.9). A credit is
  rounded *up* to the currency's minor unit (the customer never gets less than
  the contract says); a cap is rounded *down* (what is owed never exceeds the
  cap); the proposal is rounded up.
* Outage minutes are rounded up to the whole minute, availability is cut (not
  rounded) to three decimals: it reads 100.000% only when nothing was down,
  and comparing these shown figures with a tier gives the same answer as
  comparing the exact ones.
* ``proposed`` is ``max(owed × multiplier, minimum_goodwill)`` when anything
  was down, else 0; it is never capped by the contract.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, ROUND_UP, Decimal, localcontext
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from crisiscli.errors import ContractError, did_you_mean
from crisiscli.formatting import format_datetime, format_duration
from crisiscli.tomlfile import key_path, read_toml, toml_type

Window = tuple[datetime, datetime]
ProposalBasis = Literal["nothing_down", "contract", "multiplier", "minimum_goodwill"]

CURRENCY = re.compile(r"[A-Z]{3}")
GESTURE_KIND = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_AMOUNT = Decimal(10) ** 12
MAX_MULTIPLIER = Decimal(100)
MAX_PERIOD_DAYS = 366
MAX_OUTAGE_MINUTES = MAX_PERIOD_DAYS * 24 * 60
MAX_HOURS_PER_UNIT = Decimal(MAX_PERIOD_DAYS * 24)
MAX_UNITS = 10_000
MAX_TIERS = 50
MAX_GESTURES = 20
MAX_LABEL = 200
PERCENT_DECIMALS = 3

# ISO 4217 currencies whose minor unit is not the cent; every other code has two decimals.
_ZERO_DECIMALS = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG"}
    | {"RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"}
)
_THREE_DECIMALS = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})

_MICROSECONDS_PER_MINUTE = 60_000_000
_MICROSECONDS_PER_HOUR = 3_600_000_000


def minor_unit(currency: str) -> int:
    """Decimals of ``currency``'s smallest unit: 2 for EUR, 0 for JPY, 3 for KWD."""
    if currency in _ZERO_DECIMALS:
        return 0
    return 3 if currency in _THREE_DECIMALS else 2


def _number(value: Any) -> Any:
    """TOML integers and floats as exact decimals; anything else is refused."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))  # the shortest text that reads back as this float
    raise PydanticCustomError("number_type", "expected a number")


Number = Annotated[Decimal, BeforeValidator(_number)]
OptionalNumber = Annotated[Decimal | None, BeforeValidator(_number)]

# Unknown keys are errors, types are not coerced, docstrings document fields.
_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, use_attribute_docstrings=True)


class Tier(BaseModel):
    """One service-credit tier: one condition and the one credit it grants."""

    model_config = _STRICT

    availability_below: OptionalNumber = None
    """Condition: availability over the measurement period is below this percentage (e.g. 99.9;
    above 0, at most 100, at most three decimals)."""
    outage_over_minutes: int | None = None
    """Condition: the service was down for more than this many minutes in total (0 means any
    outage)."""
    credit_amount: OptionalNumber = None
    """Credit: a fixed amount in the contract's currency (above 0)."""
    credit_percent: OptionalNumber = None
    """Credit: a percentage of ``monthly_fee`` (above 0, at most 100); needs ``monthly_fee``."""


class Gesture(BaseModel):
    """Something given in kind, in units that grow with the time the service was down."""

    model_config = _STRICT

    kind: str
    """What is given, as an identifier for scripts, e.g. ``extra_days``."""
    label_en: str
    """English label; ``{n}`` becomes the number of units, e.g. "{n} extra days of service"."""
    label_fr: str
    """French label with ``{n}``, e.g. "{n} jours de service offerts"."""
    label_en_one: str | None = None
    """English label used when there is exactly one unit, e.g. "1 extra day of service"."""
    label_fr_one: str | None = None
    """French label used when there is exactly one unit, e.g. "1 jour de service offert"."""
    per_hours_down: Number = Decimal(1)
    """One unit per started period of this many hours down (1: one unit per started hour)."""
    max_units: int | None = None
    """Most units ever given (1 to 10,000); no limit when left out."""


class Generosity(BaseModel):
    """Our policy for going beyond the contract without being asked."""

    model_config = _STRICT

    multiplier: Number = Decimal(1)
    """The amount owed is multiplied by this (from 1 to 100) to make the proposal."""
    minimum_goodwill: Number = Decimal(0)
    """Smallest amount proposed whenever anything was down, even if the contract owes nothing."""
    gestures: list[Gesture] = Field(default_factory=list)
    """In-kind gestures offered whenever anything was down."""


class Contract(BaseModel):
    """The service-credit terms of a customer's contract, and our generosity policy."""

    model_config = _STRICT

    currency: str
    """ISO 4217 code of every amount, three capital letters, e.g. ``EUR``."""
    monthly_fee: OptionalNumber = None
    """What the customer pays per month (0 or more); needed by percentage credits and caps."""
    measurement_period_days: int = 30
    """Length in days (1 to 366) of the period over which availability is measured."""
    cap_percent: OptionalNumber = None
    """Credits never exceed this percentage of ``monthly_fee`` (above 0, at most 100)."""
    cap_amount: OptionalNumber = None
    """Credits never exceed this amount (above 0)."""
    tiers: list[Tier]
    """The service-credit tiers, in any order; may be empty when the contract grants none."""
    generosity: Generosity = Field(default_factory=Generosity)
    """How we go beyond the contract."""


# ---------------------------------------------------------------------------
# Loading


def load_contract(path: Path) -> Contract:
    """Read and check the contract file at ``path``: one ``[contract]`` table."""
    shown = str(path)
    data = read_toml(path, ContractError)
    for key in data:
        if key == "contract":
            continue
        if key in Contract.model_fields:
            problem = f"'{key}' belongs in the [contract] table; start the file with [contract]"
        else:
            problem = f"unknown key '{key}'{did_you_mean(key, ['contract'])}; "
            problem += "a contract file holds a single [contract] table"
        raise ContractError(shown, problem, path=key_path(key))
    if "contract" not in data:
        raise ContractError(
            shown, "expected a [contract] table, the only table of a contract file", path="contract"
        )
    return contract_from_table(data["contract"], file=shown, prefix="contract")


def contract_from_table(data: dict[str, Any], *, file: str, prefix: str) -> Contract:
    """Check a ``[contract]`` table already read from ``file``.

    ``prefix`` is the key path of the table (``contract``); every error names
    ``file`` and the key path under it, e.g. ``contract.tiers[1].credit_percent``.
    """
    if not isinstance(data, dict):
        raise ContractError(file, f"expected a table, got {toml_type(data)}", path=prefix or None)
    try:
        contract = Contract.model_validate(data)
    except ValidationError as exc:
        problems = exc.errors(include_url=False)
        path, problem = _describe(problems[0], prefix)
        if len(problems) > 1:
            others = len(problems) - 1
            problem += f" (and {others} more problem{'s' if others > 1 else ''})"
        raise ContractError(file, problem, path=path or None) from None
    _check_meaning(contract, file=file, prefix=prefix)
    return contract


_TABLES: dict[tuple[str, ...], type[BaseModel]] = {
    (): Contract,
    ("tiers",): Tier,
    ("generosity",): Generosity,
    ("generosity", "gestures"): Gesture,
}
_ARRAYS_OF_TABLES = {("tiers",), ("generosity", "gestures")}
_EXPECTED = {
    "number_type": "expected a number",
    "int_type": "expected a whole number",
    "string_type": "expected text",
    "list_type": "expected an array",
    "model_type": "expected a table",
    "dict_type": "expected a table",
}


def _header(prefix: str, table: tuple[str, ...]) -> str:
    """How a table is opened in TOML: ``[contract]``, ``[[contract.tiers]]``."""
    path = key_path(*table, under=prefix)
    if not path:
        return "the top level"
    return f"[[{path}]]" if table in _ARRAYS_OF_TABLES else f"[{path}]"


def _describe(error: Any, prefix: str) -> tuple[str, str]:
    """A pydantic error as (key path, problem in plain words)."""
    location = tuple(error["loc"])
    kind = error["type"]
    path = key_path(*location, under=prefix)
    key = str(location[-1]) if location else ""
    table = tuple(part for part in location[:-1] if isinstance(part, str))
    if kind == "extra_forbidden":
        known = list(_TABLES[table].model_fields) if table in _TABLES else []
        hint = did_you_mean(key, known)
        if not hint:
            for other, model in _TABLES.items():
                if other != table and key in model.model_fields:
                    hint = f"; it belongs in {_header(prefix, other)}"
                    break
        return path, f"unknown key '{key}'{hint}"
    if kind == "missing":
        return path, "is required but missing"
    got = toml_type(error.get("input"))
    named = tuple(part for part in location if isinstance(part, str))
    if kind == "list_type" and named in _ARRAYS_OF_TABLES:
        return path, f"expected an array of tables, written {_header(prefix, named)}, got {got}"
    if kind == "finite_number":
        return path, "expected a finite number, not nan or inf"
    if kind in _EXPECTED:
        return path, f"{_EXPECTED[kind]}, got {got}"
    return path, str(error["msg"]).lower()


def _plain(value: Decimal) -> str:
    """A decimal as written in a file: ``99.9``, ``100``, never ``1E+2``."""
    return format(value, "f")


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _check_meaning(contract: Contract, *, file: str, prefix: str) -> None:
    """Checks beyond shape: ranges, one condition and one credit per tier, labels."""
    check = _Checker(contract, file, prefix)
    if not CURRENCY.fullmatch(contract.currency):
        check.fail(
            "expected an ISO 4217 currency code of three capital letters, like EUR; "
            f"got {contract.currency!r}",
            "currency",
        )
    check.amount(contract.monthly_fee, "monthly_fee")
    if not 1 <= contract.measurement_period_days <= MAX_PERIOD_DAYS:
        check.fail(
            f"expected a number of days from 1 to {MAX_PERIOD_DAYS}, "
            f"got {contract.measurement_period_days}",
            "measurement_period_days",
        )
    check.percent(contract.cap_percent, "cap_percent")
    if contract.cap_percent is not None:
        check.needs_fee("cap_percent")
    check.amount(contract.cap_amount, "cap_amount", positive=True)
    if len(contract.tiers) > MAX_TIERS:
        check.fail(f"expected at most {MAX_TIERS} tiers, got {len(contract.tiers)}", "tiers")
    seen: dict[tuple[str, Decimal], int] = {}
    for index, tier in enumerate(contract.tiers):
        check.tier(tier, index)
        condition = _condition(tier)
        if condition in seen:
            same = key_path("tiers", seen[condition], under=prefix)
            check.fail(f"has the same condition as {same}; keep one of the two", "tiers", index)
        seen[condition] = index
    check.generosity(contract.generosity)


class _Checker:
    """The meaning checks, each failing with the key path of what is wrong."""

    def __init__(self, contract: Contract, file: str, prefix: str) -> None:
        self.contract = contract
        self.file = file
        self.prefix = prefix

    def fail(self, problem: str, *parts: str | int) -> NoReturn:
        raise ContractError(self.file, problem, path=key_path(*parts, under=self.prefix) or None)

    def amount(self, value: Decimal | None, *parts: str | int, positive: bool = False) -> None:
        if value is None:
            return
        if (value <= 0 if positive else value < 0) or value > MAX_AMOUNT:
            low = "above 0 and at most" if positive else "from 0 to"
            self.fail(f"expected an amount {low} {MAX_AMOUNT:,}, got {_plain(value)}", *parts)
        currency = self.contract.currency
        decimals = minor_unit(currency)
        if _decimals(value) > decimals:
            allowed = f"at most {decimals} decimals" if decimals else "a whole amount"
            self.fail(f"expected {allowed} for {currency}, got {_plain(value)}", *parts)

    def percent(self, value: Decimal | None, *parts: str | int) -> None:
        if value is None:
            return
        if not 0 < value <= 100:
            self.fail(f"expected a percentage above 0 and at most 100, got {_plain(value)}", *parts)
        if _decimals(value) > PERCENT_DECIMALS:
            self.fail(f"expected at most {PERCENT_DECIMALS} decimals, got {_plain(value)}", *parts)

    def needs_fee(self, *parts: str | int) -> None:
        if self.contract.monthly_fee is None:
            self.fail(
                "a percentage of monthly_fee needs monthly_fee, which the contract does not "
                "give; add monthly_fee or give an amount instead",
                *parts,
            )

    def tier(self, tier: Tier, index: int) -> None:
        at: tuple[str | int, ...] = ("tiers", index)
        conditions = [n for n in ("availability_below", "outage_over_minutes") if _set(tier, n)]
        if not conditions:
            self.fail("expected a condition: availability_below or outage_over_minutes", *at)
        if len(conditions) > 1:
            self.fail(
                "expected exactly one condition, got both availability_below and "
                "outage_over_minutes; write them as two tiers",
                *at,
            )
        credits = [n for n in ("credit_amount", "credit_percent") if _set(tier, n)]
        if not credits:
            self.fail("expected a credit: credit_amount or credit_percent", *at)
        if len(credits) > 1:
            self.fail("expected exactly one credit, got both credit_amount and credit_percent", *at)
        self.percent(tier.availability_below, *at, "availability_below")
        minutes = tier.outage_over_minutes
        if minutes is not None and not 0 <= minutes <= MAX_OUTAGE_MINUTES:
            self.fail(
                f"expected minutes from 0 to {MAX_OUTAGE_MINUTES:,}, got {minutes}",
                *at,
                "outage_over_minutes",
            )
        self.amount(tier.credit_amount, *at, "credit_amount", positive=True)
        if tier.credit_percent is not None:
            self.needs_fee(*at, "credit_percent")
        self.percent(tier.credit_percent, *at, "credit_percent")

    def generosity(self, generosity: Generosity) -> None:
        at = ("generosity",)
        multiplier = generosity.multiplier
        if not 1 <= multiplier <= MAX_MULTIPLIER or _decimals(multiplier) > PERCENT_DECIMALS:
            self.fail(
                f"expected a multiplier from 1 to {MAX_MULTIPLIER} with at most "
                f"{PERCENT_DECIMALS} decimals, got {_plain(multiplier)}",
                *at,
                "multiplier",
            )
        self.amount(generosity.minimum_goodwill, *at, "minimum_goodwill")
        if len(generosity.gestures) > MAX_GESTURES:
            self.fail(f"expected at most {MAX_GESTURES} gestures", *at, "gestures")
        kinds: dict[str, int] = {}
        for index, gesture in enumerate(generosity.gestures):
            g_at = (*at, "gestures", index)
            if not GESTURE_KIND.fullmatch(gesture.kind):
                self.fail(
                    "expected lowercase letters, digits and underscores, like extra_days; "
                    f"got {gesture.kind!r}",
                    *g_at,
                    "kind",
                )
            if gesture.kind in kinds:
                other = key_path(*at, "gestures", kinds[gesture.kind], under=self.prefix)
                self.fail(f"the kind '{gesture.kind}' is already used by {other}", *g_at, "kind")
            kinds[gesture.kind] = index
            self.gesture(gesture, g_at)

    def gesture(self, gesture: Gesture, at: tuple[str | int, ...]) -> None:
        for name in ("label_en", "label_fr", "label_en_one", "label_fr_one"):
            label = getattr(gesture, name)
            if label is not None:
                problem = _label_problem(label, needs_n=not name.endswith("_one"))
                if problem:
                    self.fail(problem, *at, name)
        hours = gesture.per_hours_down
        if not 0 < hours <= MAX_HOURS_PER_UNIT:
            self.fail(
                f"expected a number of hours above 0 and at most {MAX_HOURS_PER_UNIT:,}, "
                f"got {_plain(hours)}",
                *at,
                "per_hours_down",
            )
        if gesture.max_units is not None and not 1 <= gesture.max_units <= MAX_UNITS:
            self.fail(
                f"expected a whole number from 1 to {MAX_UNITS:,}, got {gesture.max_units}",
                *at,
                "max_units",
            )


def _set(tier: Tier, name: str) -> bool:
    return getattr(tier, name) is not None


def _condition(tier: Tier) -> tuple[str, Decimal]:
    if tier.availability_below is not None:
        return "availability_below", tier.availability_below
    return "outage_over_minutes", Decimal(tier.outage_over_minutes or 0)


def _label_problem(label: str, *, needs_n: bool) -> str | None:
    """What is wrong with a gesture label, or None."""
    if not label.strip():
        return "expected some text, got an empty string"
    if "\n" in label or "\r" in label:
        return "expected a single line of text"
    if len(label) > MAX_LABEL:
        return f"expected at most {MAX_LABEL} characters, got {len(label)}"
    try:
        parsed = list(string.Formatter().parse(label))
    except ValueError:
        return "expected {n} for the number of units, and {{ or }} for a literal brace"
    fields = [(name, spec, conversion) for _, name, spec, conversion in parsed if name is not None]
    for name, spec, conversion in fields:
        if name != "n":
            return f"unknown placeholder {{{name}}}; only {{n}}, the number of units, is replaced"
        if spec or conversion:
            return "expected the placeholder {n} as is, without a format"
    if needs_n and not fields:
        return 'expected the placeholder {n} for the number of units, as in "{n} extra days"'
    return None


# ---------------------------------------------------------------------------
# Assessment


@dataclass(frozen=True)
class GestureOffer:
    """A gesture as offered: how many units, and its labels with the number filled in."""

    kind: str
    units: int
    label_en: str
    label_fr: str

    def label(self, language: str) -> str:
        return self.label_fr if language == "fr" else self.label_en

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "units": self.units,
            "label_en": self.label_en,
            "label_fr": self.label_fr,
        }


@dataclass(frozen=True)
class Assessment:
    """What an outage calls for under a contract and our generosity policy.

    Amounts are decimals with the currency's number of decimals.
    """

    currency: str
    period_start: datetime
    """Start of the measurement period (in the time zone of ``period_end``)."""
    period_end: datetime
    measurement_period_days: int
    outage_minutes: int
    """Total time down, merged windows, in minutes rounded up."""
    availability_percent: Decimal
    """Share of the measurement period the service was up, cut to three decimals."""
    tiers_met: tuple[int, ...]
    """Indexes (from 0) of every tier whose condition is met."""
    tier_index: int | None
    """Index of the tier that applies: the met tier with the largest credit."""
    tier: Tier | None
    monthly_fee: Decimal | None
    credit: Decimal
    """The applicable tier's credit before caps (0 when no tier applies)."""
    cap: Decimal | None
    """The tightest cap on credits, rounded down, when the contract has one."""
    owed: Decimal
    """What the contract requires: ``credit`` limited by ``cap``."""
    proposed: Decimal
    """What we propose: ``max(owed × multiplier, minimum_goodwill)`` if anything was down."""
    proposal_basis: ProposalBasis
    multiplier: Decimal
    minimum_goodwill: Decimal
    gestures: tuple[GestureOffer, ...]

    @property
    def was_down(self) -> bool:
        return self.outage_minutes > 0

    @property
    def capped(self) -> bool:
        return self.cap is not None and self.cap < self.credit

    def explain(self, language: str) -> str:
        """One paragraph on how the amounts were reached, in ``language`` (``en`` or ``fr``)."""
        return _explain_fr(self) if language == "fr" else _explain_en(self)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready: amounts as text (exact), percentages as numbers, times in ISO 8601."""
        tier = self.tier
        return {
            "currency": self.currency,
            "period": {
                "start": self.period_start.isoformat(),
                "end": self.period_end.isoformat(),
                "days": self.measurement_period_days,
            },
            "outage_minutes": self.outage_minutes,
            "availability_percent": float(self.availability_percent),
            "tiers_met": list(self.tiers_met),
            "tier": None
            if tier is None
            else {
                "index": self.tier_index,
                "availability_below": _maybe_float(tier.availability_below),
                "outage_over_minutes": tier.outage_over_minutes,
                "credit_amount": _maybe_money(tier.credit_amount, self.currency),
                "credit_percent": _maybe_float(tier.credit_percent),
            },
            "credit": str(self.credit),
            "cap": _maybe_text(self.cap),
            "owed": str(self.owed),
            "proposed": str(self.proposed),
            "proposal_basis": self.proposal_basis,
            "multiplier": float(self.multiplier),
            "minimum_goodwill": str(self.minimum_goodwill),
            "gestures": [gesture.to_json() for gesture in self.gestures],
            "explanation": {"en": self.explain("en"), "fr": self.explain("fr")},
        }


def _maybe_float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _maybe_text(value: Decimal | None) -> str | None:
    return None if value is None else _plain(value)


def _maybe_money(value: Decimal | None, currency: str) -> str | None:
    if value is None:
        return None
    return str(value.quantize(Decimal(1).scaleb(-minor_unit(currency))))


def merge_windows(windows: Iterable[Window]) -> list[Window]:
    """Outage windows in UTC, sorted, with overlapping or touching ones merged.

    Windows of no length are dropped. Raises ValueError for a time without a
    time zone or a window that ends before it starts.
    """
    spans: list[Window] = []
    for start, end in windows:
        if start.utcoffset() is None or end.utcoffset() is None:
            raise ValueError("outage windows need times with a time zone")
        if end < start:
            raise ValueError(
                f"an outage window ends ({end.isoformat()}) before it starts ({start.isoformat()})"
            )
        if end > start:
            spans.append((start.astimezone(UTC), end.astimezone(UTC)))
    spans.sort()
    merged: list[Window] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _microseconds(span: timedelta) -> int:
    return span // timedelta(microseconds=1)


def assess(contract: Contract, windows: list[Window], *, period_end: datetime) -> Assessment:
    """What ``windows`` of outage call for under ``contract``.

    ``period_end`` ends the measurement period (``measurement_period_days``
    long) over which availability is measured; no window may end after it.
    Downtime before the period still counts in ``outage_minutes`` (the
    incident's length) but not in availability. Raises ValueError for times
    without a time zone and windows that end before they start or after
    ``period_end``.
    """
    if period_end.utcoffset() is None:
        raise ValueError("period_end needs a time zone")
    end_utc = period_end.astimezone(UTC)
    merged = merge_windows(windows)
    if merged and merged[-1][1] > end_utc:
        raise ValueError(
            f"an outage window ends after the measurement period ({period_end.isoformat()})"
        )
    start_utc = end_utc - timedelta(days=contract.measurement_period_days)
    down = sum(_microseconds(end - start) for start, end in merged)
    down_in_period = sum(
        _microseconds(end - max(start, start_utc)) for start, end in merged if end > start_utc
    )
    period = _microseconds(end_utc - start_utc)
    # Cut, never rounded: 100.000 only with no downtime at all.
    availability = Decimal((period - down_in_period) * 100_000 // period).scaleb(-PERCENT_DECIMALS)
    outage_minutes = -(-down // _MICROSECONDS_PER_MINUTE)
    quantum = Decimal(1).scaleb(-minor_unit(contract.currency))
    fee = contract.monthly_fee
    generosity = contract.generosity

    with localcontext() as context:
        context.prec = 60  # exact for every amount the checks allow
        met = tuple(
            index
            for index, tier in enumerate(contract.tiers)
            if _is_met(tier, availability, outage_minutes)
        )
        tier_index: int | None = None
        exact_credit = Decimal(0)
        for index in met:
            candidate = _tier_credit(contract.tiers[index], fee)
            if tier_index is None or candidate > exact_credit:
                tier_index, exact_credit = index, candidate
        credit = exact_credit.quantize(quantum, rounding=ROUND_UP)
        caps = [contract.cap_amount] if contract.cap_amount is not None else []
        if contract.cap_percent is not None and fee is not None:
            caps.append(fee * contract.cap_percent / 100)
        cap = min(caps).quantize(quantum, rounding=ROUND_DOWN) if caps else None
        owed = min(credit, cap) if cap is not None else credit

        proposed = Decimal(0).quantize(quantum)
        basis: ProposalBasis = "nothing_down"
        if down > 0:
            multiplied = (owed * generosity.multiplier).quantize(quantum, rounding=ROUND_UP)
            goodwill = generosity.minimum_goodwill.quantize(quantum, rounding=ROUND_UP)
            if goodwill > multiplied:
                proposed, basis = goodwill, "minimum_goodwill"
            else:
                proposed = multiplied
                basis = "multiplier" if multiplied > owed else "contract"

    gestures = tuple(_offer(gesture, down) for gesture in generosity.gestures) if down else ()
    zone = period_end.tzinfo
    return Assessment(
        currency=contract.currency,
        period_start=start_utc.astimezone(zone),
        period_end=period_end,
        measurement_period_days=contract.measurement_period_days,
        outage_minutes=outage_minutes,
        availability_percent=availability,
        tiers_met=met,
        tier_index=tier_index,
        tier=None if tier_index is None else contract.tiers[tier_index],
        monthly_fee=fee,
        credit=credit,
        cap=cap,
        owed=owed,
        proposed=proposed,
        proposal_basis=basis,
        multiplier=generosity.multiplier,
        minimum_goodwill=generosity.minimum_goodwill.quantize(quantum, rounding=ROUND_UP),
        gestures=gestures,
    )


def _is_met(tier: Tier, availability: Decimal, outage_minutes: int) -> bool:
    if tier.availability_below is not None:
        return availability < tier.availability_below
    return tier.outage_over_minutes is not None and outage_minutes > tier.outage_over_minutes


def _tier_credit(tier: Tier, fee: Decimal | None) -> Decimal:
    if tier.credit_amount is not None:
        return tier.credit_amount
    return (fee or Decimal(0)) * (tier.credit_percent or Decimal(0)) / 100


def _offer(gesture: Gesture, down_microseconds: int) -> GestureOffer:
    per_unit = Fraction(gesture.per_hours_down) * _MICROSECONDS_PER_HOUR
    units = math.ceil(Fraction(down_microseconds) / per_unit)
    if gesture.max_units is not None:
        units = min(units, gesture.max_units)
    one = units == 1
    label_en = (gesture.label_en_one if one else None) or gesture.label_en
    label_fr = (gesture.label_fr_one if one else None) or gesture.label_fr
    return GestureOffer(
        kind=gesture.kind,
        units=units,
        label_en=label_en.format(n=_number_text(Decimal(units), "en")),
        label_fr=label_fr.format(n=_number_text(Decimal(units), "fr")),
    )


# ---------------------------------------------------------------------------
# Explanations


def _number_text(value: Decimal, language: str) -> str:
    """``1,234.5`` in English; ``1 234,5`` in French (narrow no-break space)."""
    text = format(value, ",f")
    if language == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def money(value: Decimal, currency: str, language: str) -> str:
    """``1,234.50 EUR`` / ``1 234,50 EUR``, with the currency's number of decimals."""
    quantum = Decimal(1).scaleb(-minor_unit(currency))
    amount = _number_text(value.quantize(quantum, rounding=ROUND_UP), language)
    return f"{amount}\u202f{currency}" if language == "fr" else f"{amount} {currency}"


def _percent_text(value: Decimal, language: str, *, trim: bool = False) -> str:
    """``99.5%`` / ``99,5 %``; ``trim`` drops trailing zeros (``99.0`` reads ``99``)."""
    number = _number_text(value.normalize() if trim else value, language)
    return f"{number}\u202f%" if language == "fr" else f"{number}%"


def _gesture_list(gestures: tuple[GestureOffer, ...], language: str) -> str:
    labels = [gesture.label(language) for gesture in gestures]
    if len(labels) == 1:
        return labels[0]
    last = " et " if language == "fr" else " and "
    return ", ".join(labels[:-1]) + last + labels[-1]


def _explain_en(a: Assessment) -> str:
    end = format_datetime(a.period_end, "en")
    availability = _percent_text(a.availability_percent, "en")
    days = a.measurement_period_days
    if not a.was_down:
        return (
            f"No downtime was recorded in the {days}-day measurement period ending {end}: "
            f"availability is {availability} and the contract owes nothing."
        )
    minutes = a.outage_minutes
    note = f" ({minutes:,} minutes)" if minutes >= 60 else ""
    sentences = [
        f"The service was down for {format_duration(minutes, 'en')}{note} in total, which puts "
        f"availability at {availability} over the {days}-day measurement period ending {end}."
    ]
    owed = money(a.owed, a.currency, "en")
    if a.tier is None:
        sentences.append(
            "This meets none of the contract's service-credit tiers, so nothing is owed under it."
        )
    else:
        condition, credit = _tier_text_en(a, a.tier)
        if len(a.tiers_met) == 1:
            sentences.append(f"This meets the contract's tier for {condition}, granting {credit}.")
        else:
            sentences.append(
                f"This meets {len(a.tiers_met)} tiers of the contract; the most favourable to "
                f"the customer, for {condition}, grants {credit}."
            )
        if a.capped and a.cap is not None:
            cap = money(a.cap, a.currency, "en")
            sentences.append(f"The contract caps credits at {cap}, so {owed} is owed.")
        else:
            sentences.append(f"The amount owed under the contract is {owed}.")
    proposed = money(a.proposed, a.currency, "en")
    if a.proposal_basis == "multiplier":
        factor = _number_text(a.multiplier, "en")
        sentences.append(
            f"Our generosity policy multiplies the amount owed by {factor}: we propose {proposed}."
        )
    elif a.proposal_basis == "minimum_goodwill":
        sentences.append(
            f"Our generosity policy gives at least {proposed} whenever the service was down, "
            "so that is what we propose."
        )
    elif a.proposed > 0:
        sentences.append(f"We propose exactly that, {proposed}.")
    else:
        sentences.append("No credit is proposed.")
    if a.gestures:
        sentences.append(f"The generosity policy adds {_gesture_list(a.gestures, 'en')}.")
    return " ".join(sentences)


def _tier_text_en(a: Assessment, tier: Tier) -> tuple[str, str]:
    if tier.availability_below is not None:
        threshold = _percent_text(tier.availability_below, "en", trim=True)
        condition = f"availability below {threshold}"
    elif tier.outage_over_minutes:
        condition = f"an outage longer than {format_duration(tier.outage_over_minutes, 'en')}"
    else:
        condition = "any outage"
    credit = money(a.credit, a.currency, "en")
    if tier.credit_percent is not None and a.monthly_fee is not None:
        share = _percent_text(tier.credit_percent, "en", trim=True)
        fee = money(a.monthly_fee, a.currency, "en")
        return condition, f"a credit of {share} of the monthly fee of {fee}, that is {credit}"
    return condition, f"a credit of {credit}"


def _explain_fr(a: Assessment) -> str:
    end = format_datetime(a.period_end, "fr")
    availability = _percent_text(a.availability_percent, "fr")
    days = a.measurement_period_days
    if not a.was_down:
        return (
            f"Aucune interruption n'a été enregistrée sur la période de mesure de {days} jours "
            f"se terminant le {end} : la disponibilité est de {availability} et le contrat ne "
            "prévoit aucun avoir."
        )
    minutes = a.outage_minutes
    note = f" ({_number_text(Decimal(minutes), 'fr')} minutes)" if minutes >= 60 else ""
    sentences = [
        f"Le service a été interrompu pendant {format_duration(minutes, 'fr')}{note} au total, "
        f"ce qui porte la disponibilité à {availability} sur la période de mesure de {days} "
        f"jours se terminant le {end}."
    ]
    owed = money(a.owed, a.currency, "fr")
    if a.tier is None:
        sentences.append(
            "Cela ne déclenche aucun palier d'avoir du contrat : rien n'est dû à ce titre."
        )
    else:
        condition, credit = _tier_text_fr(a, a.tier)
        if len(a.tiers_met) == 1:
            sentences.append(
                f"Cela déclenche le palier du contrat pour {condition}, qui accorde {credit}."
            )
        else:
            sentences.append(
                f"Cela déclenche {len(a.tiers_met)} paliers du contrat ; le plus favorable au "
                f"client, pour {condition}, accorde {credit}."
            )
        if a.capped and a.cap is not None:
            cap = money(a.cap, a.currency, "fr")
            sentences.append(
                f"Le contrat plafonne les avoirs à {cap} : le montant dû est donc de {owed}."
            )
        else:
            sentences.append(f"Le montant dû au titre du contrat est de {owed}.")
    proposed = money(a.proposed, a.currency, "fr")
    if a.proposal_basis == "multiplier":
        factor = _number_text(a.multiplier, "fr")
        sentences.append(
            f"Notre politique de générosité multiplie le montant dû par {factor} : "
            f"nous proposons {proposed}."
        )
    elif a.proposal_basis == "minimum_goodwill":
        sentences.append(
            f"Notre politique de générosité accorde au moins {proposed} dès que le service a été "
            "interrompu : c'est ce que nous proposons."
        )
    elif a.proposed > 0:
        sentences.append(f"Nous proposons ce montant, {proposed}.")
    else:
        sentences.append("Aucun avoir n'est proposé.")
    if a.gestures:
        sentences.append(
            f"La politique de générosité y ajoute : {_gesture_list(a.gestures, 'fr')}."
        )
    return " ".join(sentences)


def _tier_text_fr(a: Assessment, tier: Tier) -> tuple[str, str]:
    if tier.availability_below is not None:
        threshold = _percent_text(tier.availability_below, "fr", trim=True)
        condition = f"une disponibilité inférieure à {threshold}"
    elif tier.outage_over_minutes:
        condition = f"une interruption de plus de {format_duration(tier.outage_over_minutes, 'fr')}"
    else:
        condition = "toute interruption"
    credit = money(a.credit, a.currency, "fr")
    if tier.credit_percent is not None and a.monthly_fee is not None:
        share = _percent_text(tier.credit_percent, "fr", trim=True)
        fee = money(a.monthly_fee, a.currency, "fr")
        return condition, f"un avoir de {share} de l'abonnement mensuel de {fee}, soit {credit}"
    return condition, f"un avoir de {credit}"
