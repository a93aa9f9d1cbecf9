"""Turning what the responder typed (or scripted) into a recorded answer.

One function, ``parse_answer``, serves the interactive prompt, piped standard
input and answers files, so the three accept exactly the same things. Typed
text is read generously (``1 000``, ``99,7``, ``oui``, ``7/10``); values that
come from TOML are accepted in their native type too.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Any

from crisiscli.messages import format_number, t
from crisiscli.playbook import Question
from crisiscli.text import MAX_ANSWER_LENGTH, is_clean_text

# JSON-ready values stored in the journal.
AnswerValue = str | int | float | bool | list[str] | list[dict[str, str | None]] | None

_YES = {"y", "yes", "true", "o", "oui", "vrai", "1"}
_NO = {"n", "no", "false", "non", "faux", "0"}
_NOW = {"now", "maintenant"}
# Digits grouped by threes: "1 000", "1\u202f000", "1_000", "1'000"; in English also "1,000".
_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}([ \u00a0\u202f_']\d{3})+([.,]\d+)?")
# At most 18 digits (beyond, no one is counting users): keeps int() and JSON safe.
_WHOLE = r"[+-]?\d{1,18}"
_DECIMAL = r"[+-]?(\d{1,18}(\.\d{0,18})?|\.\d{1,18})"
_GROUPED_COMMAS = re.compile(r"[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?")


@dataclass(frozen=True)
class _Context:
    language: str
    zone: tzinfo
    now: datetime


class InvalidAnswer(Exception):
    """An answer that does not fit its question; ``reason`` is in the session language."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_answer(
    question: Question, raw: Any, *, language: str, zone: tzinfo, now: datetime
) -> AnswerValue:
    """Check ``raw`` against ``question`` and return the value to record.

    ``zone`` is the session's time zone (for dates typed without one) and ``now``
    the current instant (for ``now`` and bare times such as ``14:05``).
    """
    if isinstance(raw, str):
        if len(raw) > MAX_ANSWER_LENGTH:
            raise InvalidAnswer(t("answer.too_long", language, limit=MAX_ANSWER_LENGTH))
        if not is_clean_text(raw):
            raise InvalidAnswer(t("answer.encoding", language))
        if question.type != "multiline" or not raw.strip():
            raw = raw.strip()
    if raw is None or raw in ("", []):
        if question.default not in (None, "", []) and raw is not None:
            return parse_answer(question, question.default, language=language, zone=zone, now=now)
        if not question.required:
            return None
        raise InvalidAnswer(t("answer.required", language))
    context = _Context(language=language, zone=zone, now=now.astimezone(zone))
    return _PARSERS[question.type](question, raw, context)


def _text(question: Question, raw: Any, ctx: _Context) -> AnswerValue:
    if not isinstance(raw, str):
        raise InvalidAnswer(t("answer.text", ctx.language))
    if question.type == "text" and "\n" in raw:
        raise InvalidAnswer(t("answer.single_line", ctx.language))
    return raw


def _plain_number(raw: str, language: str) -> str:
    """Digits without thousands separators; a French comma stays a decimal comma."""
    text = raw.strip()
    if _GROUPED.fullmatch(text):
        text = re.sub(r"[ \u00a0\u202f_']", "", text)
    if language != "fr" and _GROUPED_COMMAS.fullmatch(text):
        text = text.replace(",", "")
    return text


def _integer(question: Question, raw: Any, ctx: _Context) -> AnswerValue:
    value: int
    if isinstance(raw, bool):
        raise InvalidAnswer(t("answer.integer", ctx.language))
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, str) and re.fullmatch(_WHOLE, text := _plain_number(raw, ctx.language)):
        value = int(text)
    else:
        raise InvalidAnswer(t("answer.integer", ctx.language))
    return _bounded(question, value, ctx)


def _number(question: Question, raw: Any, ctx: _Context) -> AnswerValue:
    value: int | float
    if isinstance(raw, bool):
        raise InvalidAnswer(t("answer.number", ctx.language))
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            raise InvalidAnswer(t("answer.number", ctx.language))
        value = raw
    elif isinstance(raw, str):
        text = _plain_number(raw, ctx.language)
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")  # a decimal comma, as written in French
        if not re.fullmatch(_DECIMAL, text):
            raise InvalidAnswer(t("answer.number", ctx.language))
        value = int(text) if re.fullmatch(_WHOLE, text) else float(text)
        if not math.isfinite(value):
            raise InvalidAnswer(t("answer.number", ctx.language))
    else:
        raise InvalidAnswer(t("answer.number", ctx.language))
    return _bounded(question, value, ctx)


def _bounded(question: Question, value: int | float, ctx: _Context) -> int | float:
    if question.min is not None and value < question.min:
        raise InvalidAnswer(t("answer.min", ctx.language, minimum=_show(question.min)))
    if question.max is not None and value > question.max:
        raise InvalidAnswer(t("answer.max", ctx.language, maximum=_show(question.max)))
    return value


def _show(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def _score(question: Question, raw: Any, ctx: _Context) -> AnswerValue:
    if isinstance(raw, str):
        raw = re.sub(r"\s*/\s*10$", "", raw.strip())
    try:
        value = _integer(question, raw, ctx)
    except InvalidAnswer:
        raise InvalidAnswer(t("answer.score", ctx.language)) from None
    if not isinstance(value, int) or not 0 <= value <= 10:
        raise InvalidAnswer(t("answer.score", ctx.language))
    return value


def _confirm(question: Question, raw: Any, ctx: _Context) -> AnswerValue:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        word = raw.strip().lower()
        if word in _YES:
            return True
        if word in _NO:
            return False
    raise InvalidAnswer(t("answer.confirm", ctx.language))


def _pick(question: Question, item: str) -> str | None:
    """The choice named by ``item`` (its text, any case, or its 1-based number)."""
    text = item.strip()
    if text.isdigit() and 1 <= int(text) <= len(question.choices):
        return question.choices[int(text) - 1]
    for choice in question.choices:
        if choice.lower() == text.lower():
            return choice
    return None


def _choice(question: Question, raw: Any, ctx: _Context) -> AnswerValue:
    picked = _pick(question, str(raw)) if isinstance(raw, str | int) else None
    if picked is None:
        raise InvalidAnswer(t("answer.choice", ctx.language, choices=", ".join(question.choices)))
    return picked


def _multichoice(question: Question, raw: Any, ctx: _Context) -> AnswerValue:
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list):
        items = [items]
    chosen: list[str] = []
    for item in items:
        if isinstance(item, str) and not item.strip():
            continue
        picked = _pick(question, str(item)) if isinstance(item, str | int) else None
        if picked is None:
            choices = ", ".join(question.choices)
            raise InvalidAnswer(t("answer.multichoice", ctx.language, choices=choices))
        if picked not in chosen:
            chosen.append(picked)
    if not chosen:
        if question.required:
            raise InvalidAnswer(t("answer.required", ctx.language))
        return None
    return chosen


def _list(question: Question, raw: Any, ctx: _Context) -> AnswerValue:
    if isinstance(raw, str):
        items = raw.split("\n")
    elif isinstance(raw, list) and all(isinstance(item, str) for item in raw):
        items = raw
    else:
        raise InvalidAnswer(t("answer.list", ctx.language))
    cleaned = [item.strip() for item in items if item.strip()]
    if sum(len(item) for item in cleaned) > MAX_ANSWER_LENGTH:
        raise InvalidAnswer(t("answer.too_long", ctx.language, limit=MAX_ANSWER_LENGTH))
    if not cleaned:
        if question.required:
            raise InvalidAnswer(t("answer.required", ctx.language))
        return None
    return cleaned


def _actions(question: Question, raw: Any, ctx: _Context) -> AnswerValue:
    """Follow-up actions, each ``{"action", "owner", "due"}`` (``due`` an ISO date or None).

    Typed as one line per action, ``what; owner; due date``; an answers file may
    give those lines or tables with the three keys.
    """
    items = raw.split("\n") if isinstance(raw, str) else raw
    if not isinstance(items, list):
        raise InvalidAnswer(t("answer.actions", ctx.language))
    actions: list[dict[str, str | None]] = []
    size = 0
    for item in items:
        if isinstance(item, str):
            if not item.strip():
                continue
            parts = [part.strip() for part in re.split(r"\s*[;|]\s*", item.strip())]
            if len(parts) == 2:
                parts.append("")
            if len(parts) != 3:
                raise InvalidAnswer(t("answer.actions", ctx.language))
            action, owner, due = parts
        elif isinstance(item, dict) and set(item) <= {"action", "owner", "due"}:
            action, owner, due = (item.get(k, "") for k in ("action", "owner", "due"))
            if isinstance(due, date):
                due = due.isoformat()
            if not all(isinstance(v, str) and "\n" not in v for v in (action, owner, due)):
                raise InvalidAnswer(t("answer.actions", ctx.language))
            action, owner, due = action.strip(), owner.strip(), due.strip()
        else:
            raise InvalidAnswer(t("answer.actions", ctx.language))
        size += len(action) + len(owner) + len(due)
        if size > MAX_ANSWER_LENGTH:
            raise InvalidAnswer(t("answer.too_long", ctx.language, limit=MAX_ANSWER_LENGTH))
        if not action or not owner:
            raise InvalidAnswer(t("answer.actions", ctx.language))
        actions.append({"action": action, "owner": owner, "due": _due_date(action, due, ctx)})
    if not actions:
        if question.required:
            raise InvalidAnswer(t("answer.required", ctx.language))
        return None
    return actions


def _due_date(action: str, text: str, ctx: _Context) -> str | None:
    if not text.strip():
        return None
    day_first = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text.strip())
    if day_first:
        text = f"{day_first[3]}-{int(day_first[2]):02d}-{int(day_first[1]):02d}"
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise InvalidAnswer(t("answer.action_date", ctx.language, action=action)) from None


def _datetime(question: Question, raw: Any, ctx: _Context) -> AnswerValue:
    moment: datetime
    if isinstance(raw, datetime):
        moment = raw
    elif isinstance(raw, date):
        moment = datetime.combine(raw, time(0, 0))
    elif isinstance(raw, str):
        moment = _read_datetime(raw.strip(), ctx)
    else:
        raise InvalidAnswer(t("answer.datetime", ctx.language))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ctx.zone)
    return moment.isoformat(timespec="minutes" if moment.second == 0 else "seconds")


def _read_datetime(text: str, ctx: _Context) -> datetime:
    if text.lower() in _NOW:
        return ctx.now.replace(microsecond=0)
    clock_time = re.fullmatch(r"(\d{1,2})[:hH](\d{2})", text)
    if clock_time:
        hour, minute = int(clock_time[1]), int(clock_time[2])
        if hour < 24 and minute < 60:
            return ctx.now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    # French habits: 24/11/2026 (day first) and 11h00; ISO forms otherwise.
    day_first = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](.+))?", text)
    if day_first:
        day, month, year, rest = day_first.groups()
        text = f"{year}-{int(month):02d}-{int(day):02d}" + (f" {rest}" if rest else "")
    text = re.sub(r"(?<=\d)h(?=\d{2}$)", ":", text)
    text = re.sub(r"(?<= )(\d):", r"0\1:", text)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise InvalidAnswer(t("answer.datetime", ctx.language)) from None


_PARSERS = {
    "text": _text,
    "multiline": _text,
    "integer": _integer,
    "number": _number,
    "choice": _choice,
    "multichoice": _multichoice,
    "confirm": _confirm,
    "score": _score,
    "list": _list,
    "datetime": _datetime,
    "actions": _actions,
}


def show_answer(value: AnswerValue, language: str) -> str:
    """An answer as the responder would write it back (for status and prompts)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return t("walk.yes" if value else "walk.no", language)
    if isinstance(value, list):
        separator = "; " if value and isinstance(value[0], dict) else ", "
        return separator.join(_show_item(item) for item in value)
    if isinstance(value, int | float):
        return format_number(value, language)
    return value


def _show_item(item: str | dict[str, str | None]) -> str:
    if isinstance(item, str):
        return item
    details = ", ".join(part for part in (item["owner"], item["due"]) if part)
    return f"{item['action']} ({details})"
