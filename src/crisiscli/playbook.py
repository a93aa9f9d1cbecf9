"""The playbook format: what a playbook is made of.

These are plain frozen dataclasses so that commands which only read a session
(``status``, ``note``) never import pydantic. Loading a playbook from TOML
validates these same classes with pydantic (``crisiscli.playbook_loading``);
a session keeps a JSON snapshot of them (``to_snapshot``/``from_snapshot``).

The docstrings under each field become the descriptions in the JSON Schema.
"""

from __future__ import annotations

import dataclasses
from dataclasses import field
from typing import Any, ClassVar, Literal

from crisiscli.records import dataclass

FORMAT_VERSION = 1

Phase = Literal[
    "acknowledge",
    "inform",
    "quantify",
    "mitigate",
    "limits",
    "resolve",
    "compensate",
    "feedback",
    "custom",
]
QuestionType = Literal[
    "text",
    "multiline",
    "integer",
    "number",
    "choice",
    "multichoice",
    "confirm",
    "score",
    "list",
    "datetime",
    "actions",
]
Language = Literal["en", "fr"]
LANGUAGES: tuple[Language, ...] = ("en", "fr")

# Shared by every class: unknown keys are errors, docstrings document fields.
_STRICT_KEYS: dict[str, Any] = {"extra": "forbid", "use_attribute_docstrings": True}


@dataclass(frozen=True)
class Cadence:
    """How often stakeholders expect to hear from us."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT_KEYS

    update_every_minutes: int = 60
    """Minutes between two stakeholder updates, even when nothing is new (1 to 1440)."""


@dataclass(frozen=True)
class SeverityLevel:
    """One rung of the severity scale; the first level whose thresholds are met applies."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT_KEYS

    level: str
    """Name shown in status and reports, e.g. ``critical``."""
    affected_percent: float | None = None
    """Met when at least this share of users (0-100) is affected in the latest measurement."""
    user_minutes: float | None = None
    """Met when at least this many user-minutes have been lost so far."""


@dataclass(frozen=True)
class PlaybookInfo:
    """The ``[playbook]`` table: identity and defaults of the playbook."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT_KEYS

    id: str
    """Stable identifier: lowercase letters, digits and dashes, e.g. ``customer-outage``."""
    title: str
    """Human title, shown when the playbook starts and in reports."""
    language: Language
    """Language of every text in the file: ``en`` or ``fr``."""
    description: str = ""
    """One paragraph on when to use this playbook."""
    format: int = FORMAT_VERSION
    """Version of the playbook format; only 1 exists."""
    cadence: Cadence = field(default_factory=Cadence)
    """Stakeholder update rhythm."""
    severity: list[SeverityLevel] = field(default_factory=list)
    """Severity thresholds, most severe first (``[[playbook.severity]]``)."""


@dataclass(frozen=True)
class Question:
    """One thing the responder is asked; its answer is addressed ``step_id.question_id``."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT_KEYS

    id: str
    """Identifier within the step: lowercase letters, digits and underscores."""
    type: QuestionType
    """Kind of answer expected; decides how input is read and checked."""
    prompt: str
    """The question as shown to the responder."""
    help: str = ""
    """A hint shown under the prompt."""
    required: bool = True
    """When false, an empty answer is accepted and recorded as no answer."""
    default: Any = None
    """Answer used when the responder just presses Enter; checked like any answer."""
    min: float | None = None
    """Smallest accepted value (integer and number questions)."""
    max: float | None = None
    """Largest accepted value (integer and number questions)."""
    choices: list[str] = field(default_factory=list)
    """The options of a choice or multichoice question."""
    when: str | None = None
    """Condition over earlier answers; the question is skipped when it is false."""
    report_as: str | None = None
    """What the answer stands for in reports, e.g. ``impact.affected`` (see docs/templates.md)."""


@dataclass(frozen=True)
class Step:
    """One stage of the playbook: guidance, a checklist, questions, computed values."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT_KEYS

    id: str
    """Identifier: lowercase letters, digits and underscores; used in expressions."""
    title: str
    """Short title shown as "Step n of N: title"."""
    phase: Phase
    """Which service-recovery practice this step serves."""
    questions: list[Question]
    """What to ask, in order (at least one)."""
    guidance: str = ""
    """Advice shown before the questions (Markdown)."""
    checklist: list[str] = field(default_factory=list)
    """Things to do or check during this step."""
    when: str | None = None
    """Condition over earlier answers; the whole step is skipped when it is false."""
    compute: dict[str, str] = field(default_factory=dict)
    """Derived values: name = expression over answers; recorded as ``step_id.name``."""


@dataclass(frozen=True)
class Playbook:
    """A whole playbook file."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _STRICT_KEYS

    playbook: PlaybookInfo
    """Identity and defaults."""
    steps: list[Step]
    """The steps, walked in order."""
    contract: dict[str, Any] | None = None
    """Contract terms for ``crisis compensation`` (``[contract]``; see docs/contract-format.md)."""

    @property
    def id(self) -> str:
        return self.playbook.id

    @property
    def title(self) -> str:
        return self.playbook.title

    @property
    def language(self) -> Language:
        return self.playbook.language

    def question_keys(self) -> list[str]:
        """Every ``step_id.question_id``, in walking order."""
        return [f"{s.id}.{q.id}" for s in self.steps for q in s.questions]

    def value_keys(self) -> list[str]:
        """Every key an expression can read: the questions, then the computed values."""
        computed = [f"{s.id}.{name}" for s in self.steps for name in s.compute]
        return [*self.question_keys(), *computed]


def to_snapshot(playbook: Playbook) -> dict[str, Any]:
    """A JSON-ready copy of the playbook, kept in the session journal."""
    return dataclasses.asdict(playbook)


def from_snapshot(data: dict[str, Any]) -> Playbook:
    """Rebuild a playbook from a snapshot written by ``to_snapshot``.

    The snapshot was validated when the session started, so this trusts it and
    stays free of pydantic.
    """
    info = dict(data["playbook"])
    info["cadence"] = Cadence(**info["cadence"])
    info["severity"] = [SeverityLevel(**level) for level in info.get("severity", [])]
    steps = [
        Step(**{**step, "questions": [Question(**q) for q in step["questions"]]})
        for step in data["steps"]
    ]
    return Playbook(playbook=PlaybookInfo(**info), steps=steps, contract=data.get("contract"))
