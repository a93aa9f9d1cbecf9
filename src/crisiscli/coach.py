"""The comms coach: flag what a message to a customer does against service-recovery practice.

``coach(text, language)`` reads a message a responder is about to send and returns
:class:`Flag` s, each with the span of text it is about and a short reason in the
message's language. It only advises: nothing here blocks a message.

The five categories (stable ids, see ``CATEGORIES``):

- ``blame``: the failure is pushed onto someone else, or the apology is hedged
  with "but" / "mais".
- ``over_apology``: apologies piled up, or one grovelling apology.
- ``vague_impact``: impact stated as "many users" with no figure in the sentence.
- ``no_next_update``: a status update that does not say when the next one comes.
- ``no_owner``: an announced next action that no person or named team takes.

The patterns live in ``coach_rules/<language>.toml`` inside the package; they are
read, validated and compiled the first time a language is used, then cached.
A broken rule file is a bug in crisiscli, reported as :class:`RuleFileError`
naming the file and the key.

Everything is pure: no terminal, no clock, no third-party import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

CATEGORIES: tuple[str, ...] = (
    "blame",
    "over_apology",
    "vague_impact",
    "no_next_update",
    "no_owner",
)

LANGUAGES: tuple[str, ...] = ("en", "fr")

# A sentence ends at . ! or ? followed by a space or the end, or at a line break;
# "99.9%" and "1,000" do not end one.
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n")
_WORD = re.compile(r"\w+(?:['-]\w+)*")
# Typographic apostrophes are read as plain ones; both are one character, so
# spans found in the normalised text are spans of the original.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'"})


@dataclass(frozen=True)
class Flag:
    """One problem in a message: ``text[start:end]`` is ``excerpt``.

    An empty span (``start == end == len(text)``) means something is missing
    from the message as a whole.
    """

    category: str
    start: int
    end: int
    excerpt: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        """As kept with an update in the journal (``update_sent``'s ``flags``)."""
        return {
            "category": self.category,
            "start": self.start,
            "end": self.end,
            "excerpt": self.excerpt,
            "reason": self.reason,
        }


class RuleFileError(Exception):
    """A rule file shipped with crisiscli is broken: a bug, not a user error."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        super().__init__(f"{file}, at {key}: {problem}" if key else f"{file}: {problem}")


@dataclass(frozen=True)
class Rules:
    """One language's compiled rules (see ``coach_rules/en.toml`` for their meaning)."""

    language: str
    reasons: dict[str, str]
    times: re.Pattern[str]
    blame: re.Pattern[str]
    apologies: re.Pattern[str]
    intensifiers: re.Pattern[str]
    min_apologies: int
    vague: re.Pattern[str]
    figures: re.Pattern[str]
    cues: re.Pattern[str]
    closed: re.Pattern[str]
    limits: re.Pattern[str]
    min_words: int
    min_sentences: int
    long_words: int
    actions: re.Pattern[str]
    owners: re.Pattern[str]


def coach(text: str, language: str) -> list[Flag]:
    """The problems of ``text`` (a message in ``language``, en or fr), sorted by start."""
    rules = load_rules(language)
    plain = text.translate(_APOSTROPHES)
    sentences = _sentence_spans(plain)
    spans: list[tuple[str, int, int]] = []
    spans += _blame(plain, rules)
    spans += _over_apology(plain, rules)
    spans += _vague_impact(plain, sentences, rules)
    spans += _no_next_update(plain, sentences, rules)
    spans += _no_owner(plain, rules)
    flags = [
        Flag(category, start, end, text[start:end], rules.reasons[category])
        for category, start, end in _without_nested(spans)
    ]
    flags.sort(key=lambda flag: (flag.start, flag.end, CATEGORIES.index(flag.category)))
    return flags


# --- the five checks -------------------------------------------------------

Span = tuple[str, int, int]


def _blame(text: str, rules: Rules) -> list[Span]:
    return [("blame", *match.span()) for match in rules.blame.finditer(text)]


def _over_apology(text: str, rules: Rules) -> list[Span]:
    """Once there are ``min_apologies`` apologies, each after the first; and any grovelling one."""
    found: list[Span] = [("over_apology", *m.span()) for m in rules.intensifiers.finditer(text)]
    apologies = [match.span() for match in rules.apologies.finditer(text)]
    if len(apologies) >= rules.min_apologies:
        found += [("over_apology", start, end) for start, end in apologies[1:]]
    return found


def _vague_impact(text: str, sentences: list[tuple[int, int]], rules: Rules) -> list[Span]:
    """Vague quantities in sentences that give no figure (clock times do not count)."""
    found: list[Span] = []
    for start, end in sentences:
        sentence = text[start:end]
        matches = list(rules.vague.finditer(sentence))
        if not matches:
            continue
        if rules.figures.search(rules.times.sub(" ", sentence)):
            continue
        found += [("vague_impact", start + m.start(), start + m.end()) for m in matches]
    return found


def _no_next_update(text: str, sentences: list[tuple[int, int]], rules: Rules) -> list[Span]:
    """A status update whose sentences never pair a time with an update word.

    A status update is a message of at least ``min_sentences`` sentences and
    ``min_words`` words, or of ``long_words`` words in any number of sentences,
    that does not say the crisis is over (``closed``) and sets no limit with
    an abusive contact (``limits``).
    """
    words = len(_WORD.findall(text))
    is_update = (len(sentences) >= rules.min_sentences and words >= rules.min_words) or (
        words >= rules.long_words
    )
    if not is_update or rules.closed.search(text) or rules.limits.search(text):
        return []
    for start, end in sentences:
        sentence = text[start:end]
        if rules.times.search(sentence) and rules.cues.search(sentence):
            return []
    return [("no_next_update", len(text), len(text))]


def _no_owner(text: str, rules: Rules) -> list[Span]:
    """Announced actions with no subject, when nobody in the message takes any action."""
    actions = [match.span() for match in rules.actions.finditer(text)]
    if not actions or rules.owners.search(text):
        return []
    return [("no_owner", start, end) for start, end in actions]


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    return [(start, end) for start, end in spans if _WORD.search(text, start, end)]


def _without_nested(spans: list[Span]) -> list[Span]:
    """Drop a span inside another of the same category ("deeply sorry" holds "sorry")."""
    kept: list[Span] = []
    for category, start, end in sorted(set(spans), key=lambda s: (s[0], s[1], -s[2])):
        if kept:
            last_category, last_start, last_end = kept[-1]
            inside = last_start <= start and end <= last_end and last_start < last_end
            if last_category == category and inside:
                continue
        kept.append((category, start, end))
    return kept


# --- the rule files --------------------------------------------------------

_PATTERNS = "patterns"
# table -> key -> "patterns" (a list of regexes, joined) or "int" or "text"
_SCHEMA: dict[str, dict[str, str]] = {
    "reasons": dict.fromkeys(CATEGORIES, "text"),
    "time": {"patterns": _PATTERNS},
    "blame": {"patterns": _PATTERNS},
    "over_apology": {"apologies": _PATTERNS, "intensifiers": _PATTERNS, "min_apologies": "int"},
    "vague_impact": {"patterns": _PATTERNS, "figures": _PATTERNS},
    "no_next_update": {
        "cues": _PATTERNS,
        "closed": _PATTERNS,
        "limits": _PATTERNS,
        "min_words": "int",
        "min_sentences": "int",
        "long_words": "int",
    },
    "no_owner": {"actions": _PATTERNS, "owners": _PATTERNS},
}


@cache
def load_rules(language: str) -> Rules:
    """The rules of ``language``, read from the package and compiled once."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
    import tomllib  # noqa: PLC0415 - only paid for on first use
    from importlib import resources  # noqa: PLC0415

    resource = resources.files("crisiscli") / "coach_rules" / f"{language}.toml"
    name = f"crisiscli/coach_rules/{language}.toml"
    try:
        data = tomllib.loads(resource.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as problem:
        raise RuleFileError(name, "", f"cannot be read ({problem})") from None
    except tomllib.TOMLDecodeError as problem:
        raise RuleFileError(name, "", f"invalid TOML: {problem}") from None
    return parse_rules(data, name, language)


def parse_rules(data: dict[str, Any], file: str, language: str) -> Rules:
    """Validate and compile a parsed rule file; ``file`` names it in errors."""
    if data.get("language") != language:
        raise RuleFileError(
            file, "language", f"expected {language!r}, found {data.get('language')!r}"
        )
    unknown = sorted(set(data) - set(_SCHEMA) - {"language"})
    if unknown:
        raise RuleFileError(file, unknown[0], "unknown table")
    values: dict[str, Any] = {}
    for table, keys in _SCHEMA.items():
        section = data.get(table)
        if not isinstance(section, dict):
            raise RuleFileError(file, table, "missing table")
        extra = sorted(set(section) - set(keys))
        if extra:
            raise RuleFileError(file, f"{table}.{extra[0]}", "unknown key")
        for key, kind in keys.items():
            where = f"{table}.{key}"
            if key not in section:
                raise RuleFileError(file, where, "missing key")
            values[where] = _checked(section[key], kind, file, where)
    return Rules(
        language=language,
        reasons={category: values[f"reasons.{category}"] for category in CATEGORIES},
        times=values["time.patterns"],
        blame=values["blame.patterns"],
        apologies=values["over_apology.apologies"],
        intensifiers=values["over_apology.intensifiers"],
        min_apologies=values["over_apology.min_apologies"],
        vague=values["vague_impact.patterns"],
        figures=values["vague_impact.figures"],
        cues=values["no_next_update.cues"],
        closed=values["no_next_update.closed"],
        limits=values["no_next_update.limits"],
        min_words=values["no_next_update.min_words"],
        min_sentences=values["no_next_update.min_sentences"],
        long_words=values["no_next_update.long_words"],
        actions=values["no_owner.actions"],
        owners=values["no_owner.owners"],
    )


def _checked(value: Any, kind: str, file: str, where: str) -> Any:
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise RuleFileError(file, where, "expected a non-empty string")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise RuleFileError(file, where, "expected a whole number of at least 1")
        return value
    if not isinstance(value, list) or not value:
        raise RuleFileError(file, where, "expected a non-empty list of regular expressions")
    for index, pattern in enumerate(value):
        item = f"{where}[{index}]"
        if not isinstance(pattern, str) or not pattern.strip():
            raise RuleFileError(file, item, "expected a non-empty regular expression")
        try:
            compiled = re.compile(pattern, re.IGNORECASE)
        except re.error as problem:
            raise RuleFileError(file, item, f"invalid regular expression: {problem}") from None
        if compiled.groups:
            raise RuleFileError(file, item, "use (?:...) rather than capturing groups")
        if compiled.search(""):
            raise RuleFileError(file, item, "matches the empty string")
        if _nested_quantifier(pattern):
            raise RuleFileError(
                file,
                item,
                "a repeated group holds a repetition (risk of catastrophic backtracking)",
            )
    return re.compile("|".join(f"(?:{pattern})" for pattern in value), re.IGNORECASE)


def _nested_quantifier(pattern: str) -> bool:
    """Whether an unbounded repetition (``+ * {n,}``) applies to a group that holds one.

    ``(?:\\w+\\s+)+`` can take exponential time on text that almost matches;
    ``(?:\\w+\\s+){0,2}`` and ``[^.]{0,80}`` cannot. A rough scan, enough for
    hand-written rules: escapes and character classes are skipped.
    """
    stack: list[bool] = [False]  # per open group: does it hold an unbounded repetition?
    index = 0
    closed_group: bool | None = None  # the group just closed held a repetition
    while index < len(pattern):
        char = pattern[index]
        unbounded = _unbounded_at(pattern, index)
        if unbounded:
            if closed_group:
                return True
            stack[-1] = True
            index += unbounded
            closed_group = None
            continue
        closed_group = None
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = _class_end(pattern, index)
            continue
        if char == "(":
            stack.append(False)
        elif char == ")" and len(stack) > 1:
            inner = stack.pop()
            stack[-1] = stack[-1] or inner
            closed_group = inner
        index += 1
    return False


def _unbounded_at(pattern: str, index: int) -> int:
    """Length of an unbounded quantifier starting at ``index`` (0 when there is none)."""
    char = pattern[index]
    if char in "+*" and index > 0 and pattern[index - 1] != "(":
        return 1
    if char == "{":
        match = re.match(r"\{\d*,\}", pattern[index:])
        if match:
            return len(match.group())
    return 0


def _class_end(pattern: str, index: int) -> int:
    """The index just after the character class opening at ``index``."""
    index += 1
    if index < len(pattern) and pattern[index] == "^":
        index += 1
    if index < len(pattern) and pattern[index] == "]":
        index += 1
    while index < len(pattern) and pattern[index] != "]":
        index += 2 if pattern[index] == "\\" else 1
    return index + 1
