"""Training scenarios: a briefing, timed injects and a rubric, in one TOML file.

A scenario names the playbook the trainee walks, what arrives while they do
(``[[injects]]``: who, by which channel, at which minute, and what it changes
in the simulated world) and how the drill is scored (``[[rubric]]``: checks
written in the playbooks' safe expression language over facts about what the
trainee did, see ``crisiscli.scoring``). Shared scenario files are untrusted:
they are size-capped, strictly typed, and their checks are parsed, never run.

The pydantic models below are also the published JSON Schema
(``schemas/scenario.schema.json``), so the file format has one definition.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from crisiscli.errors import ScenarioError, did_you_mean
from crisiscli.scoring import FACTS
from crisiscli.tomlfile import key_path, read_toml, toml_type

FORMAT_VERSION = 1
SCENARIO_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
CHECK_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
MAX_TEXT = 20_000
MAX_INJECTS = 500
MAX_CHECKS = 100
MAX_MINUTES = 10_080
"""A week: drills are short; longer ones are almost certainly a typo."""

_STRICT = ConfigDict(
    extra="forbid",
    strict=True,
    populate_by_name=True,
    use_attribute_docstrings=True,
    str_strip_whitespace=True,
)

Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Channel = Literal["phone", "email", "chat", "meeting"]


class ScenarioInfo(BaseModel):
    """The ``[scenario]`` table: what the drill is about and how long it lasts."""

    model_config = _STRICT

    format: int = FORMAT_VERSION
    """Version of this file format; only 1 exists."""
    id: str
    """Lowercase letters, digits and hyphens, e.g. ``event-app-overload``."""
    title: Name
    language: Literal["en", "fr"]
    """Language of the scenario, and of the playbook version walked."""
    playbook: Name
    """Id of the playbook walked (built-in or in ``playbooks/``), or a path to one."""
    briefing: Text
    """What the trainee is told before the drill starts."""
    duration_minutes: int = Field(ge=1, le=MAX_MINUTES)
    """Simulated length of the drill; it ends then (or when the trainee ends it)."""
    starts_at: AwareDatetime | None = None
    """Simulated start, with its offset (e.g. ``2026-03-14T08:00:00+01:00``); default: now."""
    timezone: Name | None = None
    """IANA zone the session's times are shown in; default: the machine's."""
    practise: list[Text] = Field(default_factory=list, max_length=20)
    """Advice for the debrief whatever the score, e.g. readings on the practices drilled."""


class Inject(BaseModel):
    """One ``[[injects]]`` entry: something that reaches the trainee during the drill."""

    model_config = _STRICT

    at_minutes: int = Field(ge=0, le=MAX_MINUTES)
    """Minutes after the start of the drill."""
    source: Name = Field(alias="from")
    """Who it comes from (a person, or a system such as ``Monitoring``)."""
    org: Name | None = None
    role: Name | None = None
    channel: Channel = "phone"
    text: Text
    abusive: bool = False
    """The message is abusive: the rubric can expect a limit to be set."""
    affected: int | None = Field(default=None, ge=0)
    """New true impact: users affected from now on (with ``total``)."""
    total: int | None = Field(default=None, ge=1)
    restored: bool | None = None
    """The service is back (true) or down again (false) from now on."""


class Check(BaseModel):
    """One ``[[rubric]]`` entry: a scored check, evaluated when the drill ends."""

    model_config = _STRICT

    id: str
    title: Name
    """What was expected, shown on the scorecard."""
    points: int = Field(ge=1, le=1000)
    check: Annotated[str, Field(min_length=1, max_length=2000)]
    """A safe expression over ``drill.*`` facts and the playbook's answers."""
    explain: Text
    """Why it matters and what to do next time; shown when the check fails."""


class Scenario(BaseModel):
    """A whole scenario file."""

    model_config = _STRICT

    scenario: ScenarioInfo
    contract: dict[str, Any] | None = None
    """Contract terms for ``compensation`` during the drill (the format of contract files)."""
    injects: list[Inject] = Field(default_factory=list, max_length=MAX_INJECTS)
    rubric: list[Check] = Field(min_length=1, max_length=MAX_CHECKS)

    @property
    def id(self) -> str:
        return self.scenario.id

    @property
    def language(self) -> str:
        return self.scenario.language

    def injects_in_order(self) -> list[tuple[int, Inject]]:
        """Each inject with its index in the file, by time (file order breaks ties)."""
        return sorted(enumerate(self.injects), key=lambda pair: (pair[1].at_minutes, pair[0]))

    def maximum(self) -> int:
        return sum(check.points for check in self.rubric)


_TABLES: dict[tuple[str, ...], type[BaseModel]] = {
    (): Scenario,
    ("scenario",): ScenarioInfo,
    ("injects",): Inject,
    ("rubric",): Check,
}
_ARRAYS = {("injects",), ("rubric",)}
_EXPECTED = {
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "bool_type": "expected true or false",
    "list_type": "expected an array",
    "model_type": "expected a table",
    "dict_type": "expected a table",
    "datetime_type": "expected a date and time with its offset, e.g. 2026-03-14T08:00:00+01:00",
    "timezone_aware": "expected a date and time with its offset, e.g. 2026-03-14T08:00:00+01:00",
}


def load_scenario(path: Path) -> Scenario:
    """Read and check the scenario file at ``path``."""
    return scenario_from_table(read_toml(path, ScenarioError), file=str(path))


def scenario_from_table(data: dict[str, Any], *, file: str) -> Scenario:
    """Check a scenario already read as a TOML document; errors name ``file`` and a key path."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = exc.errors(include_url=False)
        path, problem = _describe(problems[0])
        if len(problems) > 1:
            others = len(problems) - 1
            problem += f" (and {others} more problem{'s' if others > 1 else ''})"
        raise ScenarioError(file, problem, path=path or None) from None
    _check_meaning(scenario, file)
    return scenario


def _describe(error: Any) -> tuple[str, str]:
    location = tuple(error["loc"])
    kind = error["type"]
    path = key_path(*location)
    key = str(location[-1]) if location else ""
    table = tuple(part for part in location[:-1] if isinstance(part, str))
    if kind == "extra_forbidden":
        model = _TABLES.get(table)
        known = [f.alias or name for name, f in model.model_fields.items()] if model else []
        return path, f"unknown key '{key}'{did_you_mean(key, known)}"
    if kind == "missing":
        return path, "is required but missing"
    got = toml_type(error.get("input"))
    named = tuple(part for part in location if isinstance(part, str))
    if kind == "list_type" and named in _ARRAYS:
        return path, f"expected an array of tables, written [[{named[0]}]], got {got}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return path, f"expected one of {expected}; got {error.get('input')!r}"
    if kind == "string_too_short":
        return path, "is empty; expected some text"
    limit = error.get("ctx", {}).get("max_length")
    if kind == "string_too_long":
        return path, f"is longer than {limit:,} characters"
    if kind == "too_long":
        return path, f"has more than {limit:,} entries"
    if kind in _EXPECTED:
        return path, f"{_EXPECTED[kind]}, got {got}"
    return path, str(error["msg"]).lower()


def _check_meaning(scenario: Scenario, file: str) -> None:
    from crisiscli.expressions import ExpressionError, parse  # noqa: PLC0415

    info = scenario.scenario
    if info.format != FORMAT_VERSION:
        raise ScenarioError(file, f"expected format = {FORMAT_VERSION}", path="scenario.format")
    if not SCENARIO_ID.fullmatch(info.id):
        raise ScenarioError(
            file,
            "expected lowercase letters, digits and hyphens, e.g. 'app-overload'",
            path="scenario.id",
        )
    if info.timezone is not None:
        from crisiscli.clock import is_zone  # noqa: PLC0415

        if not is_zone(info.timezone):
            raise ScenarioError(
                file,
                f"unknown time zone '{info.timezone}'; expected an IANA name such as Europe/Paris",
                path="scenario.timezone",
            )
    for index, inject in enumerate(scenario.injects):
        where = f"injects[{index}]"
        if inject.at_minutes > info.duration_minutes:
            raise ScenarioError(
                file,
                f"arrives at minute {inject.at_minutes}, after the drill ends "
                f"(duration_minutes = {info.duration_minutes})",
                path=f"{where}.at_minutes",
            )
        if (inject.affected is None) != (inject.total is None):
            missing = "total" if inject.total is None else "affected"
            raise ScenarioError(
                file, "new impact figures need both affected and total", path=f"{where}.{missing}"
            )
        if (
            inject.affected is not None
            and inject.total is not None
            and (inject.affected > inject.total)
        ):
            raise ScenarioError(
                file,
                f"affected ({inject.affected}) is more than total ({inject.total})",
                path=f"{where}.affected",
            )
    seen: set[str] = set()
    for index, check in enumerate(scenario.rubric):
        where = f"rubric[{index}]"
        if not CHECK_ID.fullmatch(check.id):
            raise ScenarioError(
                file, "expected lowercase letters, digits and hyphens", path=f"{where}.id"
            )
        if check.id in seen:
            raise ScenarioError(file, f"the id '{check.id}' is used twice", path=f"{where}.id")
        seen.add(check.id)
        try:
            expression = parse(check.check)
        except ExpressionError as problem:
            raise ScenarioError(file, f"the check {problem}", path=f"{where}.check") from None
        for name in sorted(expression.references):
            if name.startswith("drill.") and name not in FACTS:
                hint = did_you_mean(name, FACTS)
                raise ScenarioError(
                    file,
                    f"'{name}' is not a drill fact{hint}; see docs/scenario-format.md",
                    path=f"{where}.check",
                )
    if scenario.contract is not None:
        from crisiscli.contract import contract_from_table  # noqa: PLC0415

        contract_from_table(scenario.contract, file=file, prefix="contract")


def check_against_playbook(scenario: Scenario, playbook_keys: set[str], file: str) -> None:
    """Refuse checks that read an answer the playbook never asks (a typo scores zero silently)."""
    from crisiscli.expressions import parse  # noqa: PLC0415

    for index, check in enumerate(scenario.rubric):
        for name in sorted(parse(check.check).references):
            if not name.startswith("drill.") and name not in playbook_keys:
                hint = did_you_mean(name, [*playbook_keys, *FACTS])
                raise ScenarioError(
                    file,
                    f"'{name}' is neither a drill fact nor a question or computed value of "
                    f"playbook '{scenario.scenario.playbook}'{hint}",
                    path=f"rubric[{index}].check",
                )


def to_table(scenario: Scenario) -> dict[str, Any]:
    """The scenario as a TOML document (for tomli-w): aliases, and only keys that differ
    from their defaults, so that loading it back and writing it again gives the same text."""
    return scenario.model_dump(by_alias=True, exclude_none=True, exclude_defaults=True)


def to_snapshot(scenario: Scenario) -> dict[str, Any]:
    """The scenario as JSON-ready data, recorded in the drill's journal."""
    data: dict[str, Any] = json.loads(scenario.model_dump_json(by_alias=True, exclude_none=True))
    return data


def from_snapshot(data: dict[str, Any]) -> Scenario:
    """A scenario recorded by ``to_snapshot`` (already checked when it was recorded)."""
    return Scenario.model_validate_json(json.dumps(data), strict=False)


def schema() -> dict[str, Any]:
    """The JSON Schema of scenario files (``crisis schema scenario``), contract table included."""
    from crisiscli.schemas import schema as of_kind  # noqa: PLC0415

    return of_kind("scenario")


def search_path(home: Path, cwd: Path) -> list[tuple[str, Path]]:
    """Where scenarios are looked for, first match wins: the project, the user, built-ins."""
    from crisiscli.paths import builtin_dir  # noqa: PLC0415

    return [
        ("project", cwd / "scenarios"),
        ("user", home / "scenarios"),
        ("builtin", builtin_dir("scenarios")),
    ]


def available(home: Path, cwd: Path) -> list[tuple[str, str, Path]]:
    """Every scenario file found: (origin, ``id.lang`` stem, path), first match per stem."""
    seen: dict[str, tuple[str, str, Path]] = {}
    for origin, folder in search_path(home, cwd):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            if path.stem.startswith(".") or path.stem in seen:
                continue
            seen[path.stem] = (origin, path.stem, path)
    return list(seen.values())


def find_scenario(
    name: str, *, language: str | None, home: Path, cwd: Path
) -> tuple[Scenario, Path]:
    """The scenario called ``name`` (an id, optionally ``id.lang``, or a path to a file)."""
    from crisiscli.catalogue import looks_like_path  # noqa: PLC0415
    from crisiscli.errors import NotFoundError  # noqa: PLC0415

    if "\x00" in name or len(name) > 4096:
        raise NotFoundError("the scenario name is not a name or a path")
    if looks_like_path(name):
        path = cwd / Path(name).expanduser()
        return load_scenario(path), path
    found = available(home, cwd)
    matches = [entry for entry in found if name in (entry[1], entry[1].split(".")[0])]
    if not matches:
        ids = sorted({entry[1].split(".")[0] for entry in found})
        raise NotFoundError(
            f"no scenario named '{name}'{did_you_mean(name, ids)}; "
            "`crisis scenario list` shows the ones available"
        )
    if language is not None:
        wanted = [m for m in matches if m[1].endswith(f".{language}") or m[1] == name]
        if not wanted:
            have = ", ".join(sorted(m[1].rsplit(".", 1)[-1] for m in matches))
            raise NotFoundError(
                f"scenario '{name}' has no version in '{language}' (it has: {have})"
            )
        matches = wanted
    else:
        matches.sort(key=lambda m: (not m[1].endswith(".en"), m[1]))
    path = matches[0][2]
    return load_scenario(path), path


def playbook_of(scenario: Scenario, path: Path, *, home: Path, cwd: Path) -> tuple[Any, str]:
    """The playbook the scenario names, in its language; a relative path is from the scenario."""
    from crisiscli.catalogue import find_playbook, looks_like_path  # noqa: PLC0415

    name = scenario.scenario.playbook
    if looks_like_path(name):
        name = str(path.parent / name)
    from crisiscli.errors import NotFoundError  # noqa: PLC0415

    try:
        playbook, source = find_playbook(
            name, language=scenario.language, home=home, cwd=cwd, strict_language=True
        )
    except NotFoundError as missing:
        raise ScenarioError(str(path), str(missing), path="scenario.playbook") from None
    check_against_playbook(scenario, set(playbook.value_keys()), str(path))
    return playbook, source
