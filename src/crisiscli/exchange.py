"""Sessions as files: what ``crisis export`` writes and ``crisis import`` reads back.

An export holds one whole session, event for event, so that a session can be
archived, reviewed in git, and loaded into another store with the same id and
the same events (docs/export-import.md describes every key)::

    format = 1                      # this layout; a reader refuses other numbers
    session = "20261122-1405-k3m9qz"
    crisiscli = "0.1.0"             # the version that wrote the file
    exported_at = "..."             # optional: when it was written (UTC)
    events = [ {seq, at, actor, type, payload}, ... ]

JSON holds payloads as they are. TOML has no null and orders a table's plain
values before its sub-tables, so a TOML export says what it cannot show:

* ``nulls``: the key path of every null in the payload (``payload.source``,
  ``payload.to[2]``), in document order. A null in a table is left out of
  it; a null in an array, whose positions must not move, is written as an
  empty table ``{}`` at its place.
* ``order``: for each table whose keys would otherwise come back in another
  order, its path and its keys in their recorded order. A table comes back
  with its keys in the order the file lists them, then the keys of its nulls
  in the order ``nulls`` lists them; ``order`` is written only where that is
  not the recorded order (typically a table whose null sits between values,
  or a sub-table followed by plain values).

Both lists use the key paths of error messages (``crisiscli.tomlfile.key_path``),
so the file stays readable and a diff of two exports shows the events that
changed. Integers, floats (``1.0`` stays a float, ``-0.0`` keeps its sign),
text and booleans are written as themselves; dates stay text, as in the journal.
Integers beyond 64 bits are written as they are: crisiscli reads them back, a
strict TOML 1.0 tool may not.

Reading trusts nothing: an export may come from anywhere. Every problem is
refused with the file and the key path (``events[3].seq``), before anything
reaches the store; see ``read_export``.
"""

from __future__ import annotations

import codecs
import json
import math
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Final, NoReturn

from crisiscli import events as ev
from crisiscli.errors import ExportFileError, UsageError, did_you_mean
from crisiscli.events import Event
from crisiscli.store import check_session_id, encode_payload
from crisiscli.tomlfile import (
    decode_text,
    key_path,
    number_problem,
    parse_toml,
    read_file,
    toml_type,
)

if TYPE_CHECKING:
    from pydantic import TypeAdapter

    from crisiscli.playbook import Playbook

FORMAT_VERSION: Final = 1
FORMATS: Final = ("json", "toml")
MAX_EXPORT_BYTES: Final = 16 * 1024 * 1024
"""Largest file ``read_export`` reads. A real session is far under a megabyte (a long
crisis with its playbook snapshot); 16 MiB leaves room for thousands of events while an
import stays within seconds and a few hundred megabytes of memory."""
MAX_EXPORT_EVENTS: Final = 100_000
"""Most events an export may hold: a crisis with a note a minute for two months."""
STDIN: Final = "-"
"""The file name that means standard input, as ``crisis export -o -`` means standard output."""
STDIN_NAME: Final = "standard input"
"""How messages name standard input in place of a file."""
MAX_ACTOR_LENGTH: Final = 320
"""A ``user@host`` actor: a 32-character user name and a 253-character host name fit."""
MAX_VERSION_LENGTH: Final = 64
MAX_PAYLOAD_DEPTH: Final = 24
"""How deep tables and arrays may nest in a payload: real ones nest about eight levels."""

KNOWN_TYPES: Final = frozenset(
    {
        ev.SESSION_STARTED,
        ev.ANSWER_RECORDED,
        ev.VALUE_COMPUTED,
        ev.SESSION_CLOSED,
        *ev.LIVE_TYPES,
        *ev.DRILL_TYPES,
    }
)
_TOP_KEYS: Final = ("format", "session", "crisiscli", "exported_at", "events")
_EVENT_KEYS: Final = ("seq", "at", "actor", "type", "nulls", "payload", "order")
_SUMMARY_TEXTS: Final = ("playbook_id", "title", "language", "timezone", "source")
_INSTANT_EXAMPLE: Final = "2026-11-22T13:05:00.000000+00:00"

Parts = list[str | int]
"""A key path as its parts: keys, and indexes into arrays."""


@dataclass(frozen=True)
class SessionExport:
    """A session read from an export file, checked and ready for ``Store.import_session``."""

    session_id: str
    crisiscli: str
    """The version of crisiscli that wrote the file."""
    exported_at: datetime | None
    events: list[Event]


def format_of(path: Path) -> str | None:
    """``json`` or ``toml`` from a file name's suffix, or None when it says neither."""
    suffix = path.suffix.lower().removeprefix(".")
    return suffix if suffix in FORMATS else None


# ---------------------------------------------------------------------------
# Writing


def write_export(
    events: list[Event], fmt: str, *, version: str, exported_at: datetime | None
) -> str:
    """The export of the session made of ``events`` (all of them, in order), as text.

    ``exported_at`` is left out when None, for exports that must not change
    unless the session does.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format '{fmt}'; expected json or toml")
    document: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "session": events[0].session_id,
        "crisiscli": version,
    }
    if exported_at is not None:
        document["exported_at"] = exported_at.astimezone(UTC).isoformat(timespec="seconds")
    if fmt == "json":
        document["events"] = [_json_event(event) for event in events]
        return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    import tomli_w  # noqa: PLC0415 - only TOML exports pay for it

    document["events"] = [_toml_event(event) for event in events]
    return tomli_w.dumps(document)


def _instant(moment: datetime) -> str:
    """An event's time as written: UTC, always with six decimals, so columns line up."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _json_event(event: Event) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": _instant(event.at),
        "actor": event.actor,
        "type": event.type,
        "payload": event.payload,
    }


def _toml_event(event: Event) -> dict[str, Any]:
    nulls: list[Parts] = []
    payload = _without_nulls(event.payload, ["payload"], nulls)
    entry: dict[str, Any] = {
        "seq": event.seq,
        "at": _instant(event.at),
        "actor": event.actor,
        "type": event.type,
    }
    if nulls:
        entry["nulls"] = [key_path(*parts) for parts in nulls]
    entry["payload"] = payload
    order = _order_to_record(event.payload, payload, nulls)
    if order:
        entry["order"] = order
    return entry


def _without_nulls(value: Any, parts: Parts, nulls: list[Parts]) -> Any:
    """``value`` with nulls left out of tables and ``{}`` in their place in arrays."""
    if isinstance(value, dict):
        kept: dict[str, Any] = {}
        for key, item in value.items():
            if item is None:
                nulls.append([*parts, key])
            else:
                kept[key] = _without_nulls(item, [*parts, key], nulls)
        return kept
    if isinstance(value, list):
        items: list[Any] = []
        for index, item in enumerate(value):
            if item is None:
                nulls.append([*parts, index])
                items.append({})
            else:
                items.append(_without_nulls(item, [*parts, index], nulls))
        return items
    return value


def _order_to_record(original: dict[str, Any], written: dict[str, Any], nulls: list[Parts]) -> Any:
    """The ``order`` entries a reader needs to give every table its recorded key order.

    Rather than predict how tomli-w lays tables out, the payload is written and
    read back, and the reader's own rules (``_put_null``) restore its nulls;
    any table whose keys then differ in order gets an entry.
    """
    import tomllib  # noqa: PLC0415

    import tomli_w  # noqa: PLC0415

    as_read = tomllib.loads(tomli_w.dumps({"payload": written}))["payload"]
    for parts in nulls:
        _put_null(as_read, parts)
    order: dict[str, list[str]] = {}
    _differing_orders(original, as_read, ["payload"], order)
    return order


def _differing_orders(
    original: Any, restored: Any, parts: Parts, found: dict[str, list[str]]
) -> None:
    if isinstance(original, dict):
        if list(original) != list(restored):
            found[key_path(*parts)] = list(original)
        for key, item in original.items():
            _differing_orders(item, restored[key], [*parts, key], found)
    elif isinstance(original, list):
        for index, (item, back) in enumerate(zip(original, restored, strict=True)):
            _differing_orders(item, back, [*parts, index], found)


# ---------------------------------------------------------------------------
# Restoring what TOML cannot show (shared by the writer's check and the reader)


class _Misplaced(Exception):
    """A ``nulls`` or ``order`` entry that does not fit the payload (the message says why)."""


def _walk(payload: dict[str, Any], parts: Parts) -> Any:
    """The value at ``parts`` (which start with ``payload``)."""
    node: Any = payload
    for part in parts[1:]:
        in_array = isinstance(part, int) and isinstance(node, list) and part < len(node)
        if not in_array and not (isinstance(node, dict) and part in node):
            raise _Misplaced("names nothing in this event's payload")
        node = node[part]
    return node


def _put_null(payload: dict[str, Any], parts: Parts) -> None:
    """Put back the null at ``parts``: a key left out of its table, or ``{}`` in an array."""
    parent = _walk(payload, parts[:-1])
    last = parts[-1]
    if isinstance(last, int):
        if not isinstance(parent, list) or last >= len(parent):
            raise _Misplaced("names no element of an array in this event's payload")
        if parent[last] != {}:
            raise _Misplaced("names an array element that is not {}, the place of a null")
        parent[last] = None
        return
    if not isinstance(parent, dict):
        raise _Misplaced("names a key inside something that is not a table")
    if last in parent:
        raise _Misplaced(f"names the key '{last}', which the payload already holds")
    parent[last] = None


def _put_order(payload: dict[str, Any], parts: Parts, keys: list[str]) -> None:
    """Give the table at ``parts`` its keys in the order ``keys`` lists them."""
    table = _walk(payload, parts)
    if not isinstance(table, dict):
        raise _Misplaced("names something that is not a table")
    if len(keys) != len(table) or set(keys) != set(table):
        raise _Misplaced("does not list every key of that table once")
    reordered = {key: table[key] for key in keys}
    table.clear()
    table.update(reordered)


_INDEX = re.compile(r"\[(0|[1-9][0-9]{0,8})\]")
_BARE = re.compile(r"\.([A-Za-z0-9_-]+)")


def parse_key_path(text: str) -> Parts | None:
    """The parts of a key path written by ``key_path`` under ``payload``, or None.

    Only the exact spelling ``key_path`` gives is accepted, so each value has
    one path.
    """
    if not text.startswith("payload"):
        return None
    parts: Parts = ["payload"]
    index = len("payload")
    decoder = json.JSONDecoder()
    while index < len(text):
        if text.startswith('."', index):
            try:
                key, index = decoder.raw_decode(text, index + 1)
            except ValueError:
                return None
            if not isinstance(key, str):
                return None
            parts.append(key)
            continue
        match = _INDEX.match(text, index) or _BARE.match(text, index)
        if match is None:
            return None
        parts.append(int(match[1]) if match[0].startswith("[") else match[1])
        index = match.end()
    return parts if key_path(*parts) == text else None


# ---------------------------------------------------------------------------
# Reading


def read_export(path: Path, *, now: datetime | None = None) -> SessionExport:
    """Read and check the export at ``path``; ``ExportFileError`` names the file and key path.

    ``-`` is standard input. The file is read once, so a pipe or a FIFO
    (``crisis import <(...)``) reads as a file does. JSON or TOML by the
    file's suffix, else by its first character (``{`` is JSON). Refused: a
    file over ``MAX_EXPORT_BYTES`` or of more than ``MAX_EXPORT_EVENTS``
    events, a byte-order mark, text that is not UTF-8, invalid JSON or TOML
    (with its line), another ``format``, unknown or missing keys, values of
    the wrong type, a bad session id, ``seq`` not counting from 1 without
    gaps, a first event other than ``session_started``, event types this
    crisiscli does not know, times without an offset, actors that are empty,
    longer than ``MAX_ACTOR_LENGTH`` or not one printable line, payloads
    nested deeper than ``MAX_PAYLOAD_DEPTH``, histories crisiscli never
    records (a title or time zone ``crisis start`` would refuse, events after
    the close, a drill without its start, times out of bounds: see
    ``_Checker.session_started``, ``history`` and ``instants``), and events
    that crisiscli cannot fold into a session it can show and report on.

    Times in other offsets are read as the same instant in UTC. ``now``
    (default: the system clock) bounds how late an event may be; see
    ``_Checker.instants``.
    """
    if str(path) == STDIN:
        shown, data, fmt = STDIN_NAME, _read_stdin(), None
    else:
        shown, data, fmt = str(path), _read_bytes(path), format_of(path)
    if not data.strip():
        raise ExportFileError(shown, "is empty; expected a session written by crisis export")
    _refuse_byte_order_mark(data, shown)
    if fmt == "toml" or (fmt is None and not _LOOKS_LIKE_JSON.match(data)):
        document = parse_toml(data, shown, ExportFileError)
    else:
        document = _parse_json(data, shown)
    return _Checker(shown, now or datetime.now(UTC)).document(document)


_LOOKS_LIKE_JSON = re.compile(rb"[ \t\r\n]*\{")


def _read_bytes(path: Path) -> bytes:
    data = read_file(path, ExportFileError, max_bytes=MAX_EXPORT_BYTES, expected="an export file")
    if len(data) > MAX_EXPORT_BYTES:
        raise ExportFileError(str(path), _too_large())
    return data


def _read_stdin() -> bytes:
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise ExportFileError(STDIN_NAME, "cannot be read: this process has none")
    try:
        if stream.isatty():
            raise ExportFileError(
                STDIN_NAME, "is a terminal; pipe an export into it: crisis import - < FILE"
            )
        return _read_capped(stream, STDIN_NAME)
    except (OSError, ValueError) as exc:  # ValueError: a closed stream
        raise ExportFileError(STDIN_NAME, f"cannot be read ({_os_reason(exc)})") from None


def _os_reason(exc: Exception) -> str:
    return str(getattr(exc, "strerror", None) or exc)


def _read_capped(stream: BinaryIO, shown: str) -> bytes:
    data = stream.read(MAX_EXPORT_BYTES + 1)
    if len(data) > MAX_EXPORT_BYTES:
        raise ExportFileError(shown, _too_large())
    return data


def _too_large() -> str:
    return f"is larger than {MAX_EXPORT_BYTES // (1024 * 1024)} MiB, the limit for export files"


def _refuse_byte_order_mark(data: bytes, shown: str) -> None:
    """A BOM is refused in words, before a parser says it in Python's (``utf-8-sig``)."""
    if data.startswith(codecs.BOM_UTF8):
        raise ExportFileError(shown, "starts with a byte-order mark; save it as UTF-8 without one")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ExportFileError(
            shown, "is UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8"
        )


class _Refused(Exception):
    """Raised from inside ``json.loads`` for what the JSON module would let through."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    table = dict(pairs)
    if len(table) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _Refused(f"the key '{key}' appears twice in one object")
            seen.add(key)
    return table


def _no_constants(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number")


def _parse_json(data: bytes, shown: str) -> Any:
    text = decode_text(data, shown, ExportFileError)
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        problem = exc.msg[:1].lower() + exc.msg[1:]
        raise ExportFileError(shown, f"invalid JSON: {problem}", line=exc.lineno) from None
    except _Refused as exc:
        raise ExportFileError(shown, f"invalid JSON: {exc}") from None
    except RecursionError:
        raise ExportFileError(shown, "invalid JSON: nested too deeply") from None
    except ValueError as exc:
        raise ExportFileError(shown, number_problem("JSON", exc)) from None


class _Checker:
    """The checks of an export document, each failing with the key path of what is wrong."""

    def __init__(self, file: str, now: datetime) -> None:
        self.file = file
        self.now = now

    def fail(self, problem: str, *parts: str | int) -> NoReturn:
        raise ExportFileError(self.file, problem, path=key_path(*parts) or None)

    def document(self, document: Any) -> SessionExport:
        if not isinstance(document, dict):
            self.fail(f"expected an object of the export's keys, got {toml_type(document)}")
        if "format" not in document:
            self.fail("is required but missing; crisiscli exports start with format = 1", "format")
        number = document["format"]
        if type(number) is not int:
            self.fail(f"expected a whole number, got {toml_type(number)}", "format")
        if number != FORMAT_VERSION:
            which = f"export format {number}" if 0 < number < 1000 else "another export format"
            self.fail(
                f"this file is {which}, and this crisiscli reads format {FORMAT_VERSION}; "
                "a newer crisiscli may read it",
                "format",
            )
        self.keys(document, _TOP_KEYS, ("session", "crisiscli", "events"))
        session_id = self.text(document["session"], "session")
        try:
            check_session_id(session_id)
        except UsageError:
            self.fail(
                "is not a session id; expected something like 20261122-1405-k3m9qz", "session"
            )
        version = self.text(document["crisiscli"], "crisiscli")
        if not version or len(version) > MAX_VERSION_LENGTH or not version.isprintable():
            self.fail(
                "expected the version of crisiscli that wrote the file, e.g. 0.1.0", "crisiscli"
            )
        exported_at = None
        if "exported_at" in document:
            exported_at = self.instant(document["exported_at"], "exported_at")
        raw_events = document["events"]
        if not isinstance(raw_events, list):
            self.fail(
                f"expected an array of tables, written [[events]], got {toml_type(raw_events)}",
                "events",
            )
        if not raw_events:
            self.fail("is empty; a session has at least its session_started event", "events")
        if len(raw_events) > MAX_EXPORT_EVENTS:
            self.fail(
                f"holds {len(raw_events):,} events; crisiscli imports at most "
                f"{MAX_EXPORT_EVENTS:,} in one session",
                "events",
            )
        events = [self.event(raw, index, session_id) for index, raw in enumerate(raw_events)]
        self.session_started(events[0])
        self.history(events)
        self.instants(events)
        _check_readable(events, self)
        return SessionExport(session_id, version, exported_at, events)

    def keys(
        self,
        table: dict[str, Any],
        known: tuple[str, ...],
        required: tuple[str, ...],
        *parts: str | int,
    ) -> None:
        for key in table:
            if key not in known:
                self.fail(f"unknown key '{key}'{did_you_mean(key, known)}", *parts, key)
        for key in required:
            if key not in table:
                self.fail("is required but missing", *parts, key)

    def text(self, value: Any, *parts: str | int) -> str:
        if not isinstance(value, str):
            self.fail(f"expected text, got {toml_type(value)}", *parts)
        return value

    def instant(self, value: Any, *parts: str | int) -> datetime:
        expected = f"expected a date and time with its offset, e.g. {_INSTANT_EXAMPLE}"
        text = self.text(value, *parts)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{expected}; got {text[:40]!r}", *parts)
        if moment.tzinfo is None or moment.utcoffset() is None:
            self.fail(f"{expected}; this one has no offset", *parts)
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            self.fail("is out of the range of dates crisiscli records", *parts)

    def event(self, raw: Any, index: int, session_id: str) -> Event:
        where = ("events", index)
        if not isinstance(raw, dict):
            self.fail(f"expected a table, got {toml_type(raw)}", *where)
        self.keys(raw, _EVENT_KEYS, ("seq", "at", "actor", "type", "payload"), *where)
        seq = raw["seq"]
        if type(seq) is not int:
            self.fail(f"expected a whole number, got {toml_type(seq)}", *where, "seq")
        if seq != index + 1:
            self.fail(
                f"expected {index + 1}, got {seq}: events are numbered from 1 without gaps",
                *where,
                "seq",
            )
        at = self.instant(raw["at"], *where, "at")
        actor = self.text(raw["actor"], *where, "actor")
        if not actor.strip():
            self.fail("is empty; expected who recorded the event, e.g. ana@laptop", *where, "actor")
        if len(actor) > MAX_ACTOR_LENGTH:
            self.fail(f"is longer than {MAX_ACTOR_LENGTH} characters", *where, "actor")
        if not actor.isprintable():
            self.fail("expected one line of printable text", *where, "actor")
        kind = self.text(raw["type"], *where, "type")
        if kind not in KNOWN_TYPES:
            self.fail(
                f"unknown event type '{kind}'{did_you_mean(kind, KNOWN_TYPES)}; "
                "a newer crisiscli may have written it",
                *where,
                "type",
            )
        if index == 0 and kind != ev.SESSION_STARTED:
            self.fail(f"the first event must be session_started, got {kind}", *where, "type")
        if index > 0 and kind == ev.SESSION_STARTED:
            self.fail(
                "a session starts once: only the first event is session_started", *where, "type"
            )
        payload = raw["payload"]
        if not isinstance(payload, dict):
            self.fail(f"expected a table, got {toml_type(payload)}", *where, "payload")
        self.values(payload, [*where, "payload"])
        self.restore(raw, payload, where)
        try:
            encode_payload(payload)
        except UsageError as problem:  # a safety net: the checks above should catch it first
            self.fail(str(problem), *where, "payload")
        return Event(session_id, seq, at, actor, kind, payload)

    def values(self, payload: dict[str, Any], parts: Parts) -> None:
        """Refuse what is not JSON: dates, nan and inf, broken text, and deep nesting."""
        stack: list[tuple[Any, Parts]] = [(payload, parts)]
        while stack:
            value, where = stack.pop()
            if isinstance(value, dict | list):
                if len(where) - len(parts) >= MAX_PAYLOAD_DEPTH:
                    self.fail(f"nested more than {MAX_PAYLOAD_DEPTH} levels deep", *where)
                items = value.items() if isinstance(value, dict) else enumerate(value)
                children = [(item, [*where, key]) for key, item in items]
                stack.extend(reversed(children))
                if isinstance(value, dict):
                    for key in value:
                        if not _is_unicode(key):
                            self.fail(
                                "the key is not valid Unicode (a lone surrogate)", *where, key
                            )
            elif isinstance(value, str):
                if not _is_unicode(value):
                    self.fail("is not valid Unicode text (a lone surrogate)", *where)
            elif isinstance(value, float):
                if not math.isfinite(value):
                    self.fail("expected a finite number, not nan or inf", *where)
            elif value is not None and not isinstance(value, bool | int):
                self.fail(
                    "expected text, a number, true, false, an array or a table, "
                    f"got {toml_type(value)}",
                    *where,
                )

    def restore(self, raw: dict[str, Any], payload: dict[str, Any], where: tuple[str, int]) -> None:
        """Put back the nulls and key order that ``nulls`` and ``order`` record."""
        nulls = raw.get("nulls", [])
        if not isinstance(nulls, list):
            self.fail(f"expected an array of key paths, got {toml_type(nulls)}", *where, "nulls")
        for number, text in enumerate(nulls):
            parts = self.path(text, *where, "nulls", number)
            if len(parts) < 2:
                self.fail(
                    "names the payload itself, which is a table, never null",
                    *where,
                    "nulls",
                    number,
                )
            try:
                _put_null(payload, parts)
            except _Misplaced as problem:
                self.fail(f"{key_path(*parts)} {problem}", *where, "nulls", number)
        order = raw.get("order", {})
        if not isinstance(order, dict):
            self.fail(f"expected a table of key paths, got {toml_type(order)}", *where, "order")
        for text, keys in order.items():
            parts = self.path(text, *where, "order")
            if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
                self.fail("expected an array of the table's keys", *where, "order", text)
            try:
                _put_order(payload, parts, keys)
            except _Misplaced as problem:
                self.fail(str(problem), *where, "order", text)

    def path(self, text: Any, *parts: str | int) -> Parts:
        found = parse_key_path(text) if isinstance(text, str) else None
        if found is None:
            self.fail(
                "expected a key path in the payload, like payload.source or payload.to[0]", *parts
            )
        return found

    def session_started(self, event: Event) -> None:
        """The values every listing reads without folding the session."""
        from crisiscli.playbook import LANGUAGES  # noqa: PLC0415

        where = ("events", 0, "payload")
        payload = event.payload
        for key in (*_SUMMARY_TEXTS, "training", "playbook"):
            if key not in payload:
                self.fail("is required but missing", *where, key)
        for key in _SUMMARY_TEXTS:
            self.text(payload[key], *where, key)
        if payload["language"] not in LANGUAGES:
            self.fail(f"expected one of {', '.join(LANGUAGES)}", *where, "language")
        if not isinstance(payload["training"], bool):
            self.fail(
                f"expected true or false, got {toml_type(payload['training'])}", *where, "training"
            )
        self.title(payload["title"])
        if not _is_time_zone(payload["timezone"]):
            self.fail(
                "expected an IANA time zone such as Europe/Paris, or an offset such as UTC+01:00",
                *where,
                "timezone",
            )
        _check_snapshot(payload["playbook"], self)

    def title(self, title: str) -> None:
        """The rule ``crisis start --title`` applies (playbook and scenario titles are stricter)."""
        from crisiscli.text import MAX_ANSWER_LENGTH  # noqa: PLC0415

        where = ("events", 0, "payload", "title")
        if not title.strip():
            self.fail("is empty; expected the session's title, a few words", *where)
        if "\n" in title or "\r" in title:
            self.fail("holds a line break; expected a single line", *where)
        if len(title) > MAX_ANSWER_LENGTH:
            self.fail(f"is longer than {MAX_ANSWER_LENGTH:,} characters", *where)

    def history(self, events: list[Event]) -> None:
        """What crisiscli's commands never record, refused at the event that shows it.

        Every write checks, in the transaction that makes it, that the session is
        not closed: nothing follows ``session_closed``, which comes once. Only
        ``crisis replay`` starts a session with ``training = true``, and it
        records ``drill_started`` at once; the other drill events follow it.
        """
        training = events[0].payload["training"]
        closed: int | None = None
        drill: int | None = None
        for index, event in enumerate(events):
            where = ("events", index, "type")
            if closed is not None:
                if event.type == ev.SESSION_CLOSED:
                    self.fail(f"a session closes once: events[{closed}] closed it", *where)
                self.fail(
                    f"comes after the session was closed (events[{closed}]); "
                    "crisiscli records nothing in a closed session",
                    *where,
                )
            if event.type == ev.SESSION_CLOSED:
                closed = index
            elif event.type in ev.DRILL_TYPES:
                if not training:
                    self.fail(
                        f"{event.type} belongs to a training drill, but this session has "
                        "training = false",
                        *where,
                    )
                if event.type == ev.DRILL_STARTED:
                    if drill is not None:
                        self.fail(f"a drill starts once: events[{drill}] started it", *where)
                    drill = index
                elif drill is None:
                    self.fail(f"{event.type} without a drill_started event before it", *where)
        if training and drill is None:
            self.fail(
                "is true, but no drill_started event follows: only crisis replay records "
                "training sessions, and it starts the drill at once",
                "events",
                0,
                "payload",
                "training",
            )

    def instants(self, events: list[Event]) -> None:
        """Refuse times no journal holds; accept those real journals do.

        A command reads the clock before it takes the write lock, so a writer
        may record an instant earlier than the event before it; and crisiscli
        runs on more than one machine's clock. Neither comes near a day, so
        every event of a session lies between a day before its first event and
        a day after now (the clock of the import).

        A training drill runs on a simulated clock from its scenario's
        ``starts_at``, which may be any date, for at most the longest drill
        (``MAX_MINUTES``, a week); commands typed beside it on real time (a
        note for the drill's session) record today's date. A drill's event
        therefore lies either in its simulated week (from a day before its
        first event to a day after the longest drill), or in real time: from
        ``REAL_TIME_FLOOR``, before crisiscli existed, to a day after now.

        Without these bounds, one event dated 9999-12-31 would make
        ``crisis replay SESSION`` wait for millennia before showing it.
        """
        from crisiscli.scenario import MAX_MINUTES  # noqa: PLC0415

        first = events[0].at
        earliest = _shift(first, -_SLACK)
        latest = _shift(self.now, _SLACK)
        training = events[0].payload["training"]
        simulated_end = _shift(first, timedelta(minutes=MAX_MINUTES) + _SLACK)
        for index, event in enumerate(events):
            at = event.at
            if training:
                if earliest <= at <= simulated_end or REAL_TIME_FLOOR <= at <= latest:
                    continue
                self.fail(
                    f"is neither in the drill's simulated week from {_day(first)} nor in real "
                    f"time, from {_day(REAL_TIME_FLOOR)} to a day after now ({_day(self.now)})",
                    "events",
                    index,
                    "at",
                )
            if at > latest:
                self.fail(f"is more than a day after now ({_day(self.now)})", "events", index, "at")
            if at < earliest:
                self.fail(
                    f"is more than a day before the session started ({_day(first)})",
                    "events",
                    index,
                    "at",
                )


_SLACK: Final = timedelta(days=1)
"""How far a recorded time may stray: clocks of several machines, a wait for the lock."""
REAL_TIME_FLOOR: Final = datetime(2026, 1, 1, tzinfo=UTC)
"""No crisiscli command ran on real time before this: crisiscli did not exist yet."""
_OFFSET_ZONE = re.compile(r"UTC[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]")


def _is_time_zone(name: str) -> bool:
    """An IANA zone, or the offset ``local_timezone_name`` records when a machine names none."""
    from crisiscli.clock import is_zone  # noqa: PLC0415

    return bool(_OFFSET_ZONE.fullmatch(name)) or is_zone(name)


def _shift(moment: datetime, delta: timedelta) -> datetime:
    """``moment + delta``, held at the first or last date Python knows."""
    try:
        return moment + delta
    except OverflowError:
        edge = datetime.max if delta > timedelta(0) else datetime.min
        return edge.replace(tzinfo=UTC)


def _day(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _is_unicode(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@cache
def _playbook_adapter() -> TypeAdapter[Playbook]:
    from pydantic import TypeAdapter  # noqa: PLC0415

    from crisiscli.playbook import Playbook  # noqa: PLC0415

    return TypeAdapter(Playbook)


def _check_snapshot(snapshot: Any, check: _Checker) -> None:
    """The playbook snapshot of ``session_started`` has the shape of a playbook."""
    from pydantic import ValidationError  # noqa: PLC0415

    where = ("events", 0, "payload", "playbook")
    try:
        # As JSON, as when a playbook file is loaded: strict, yet tables become dataclasses.
        _playbook_adapter().validate_json(json.dumps(snapshot), strict=True)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        location = [part for part in error["loc"] if isinstance(part, str | int)]
        check.fail(
            f"is not a playbook as crisiscli records it: {str(error['msg']).lower()}",
            *where,
            *location,
        )


def _check_readable(events: list[Event], check: _Checker) -> None:
    """Fold the events and build what status and reports show, as a later command would.

    Payload shapes are each command's own; rather than a second description of
    them, the import runs the code that reads them, so a file that would make
    ``crisis status`` or ``crisis report`` fail is refused now, with the event
    that broke it.
    """
    from crisiscli.report_context import build_context  # noqa: PLC0415
    from crisiscli.state import fold  # noqa: PLC0415
    from crisiscli.status import status_view, summarize  # noqa: PLC0415

    def refuse(problem: Exception, index: int | None) -> NoReturn:
        reason = _reason(problem)
        if index is None:
            check.fail(f"its events do not make a session crisiscli can show ({reason})")
        kind = events[index].type
        check.fail(
            f"crisiscli cannot read this {kind} event ({reason})", "events", index, "payload"
        )

    try:
        state = fold(events[:1])
    except Exception as problem:  # hostile input may break any of it
        refuse(problem, 0)
    for index, event in enumerate(events):
        try:
            if index:
                state.apply(event)
            summarize(event, state.language)
        except Exception as problem:
            refuse(problem, index)
    now = max(event.at for event in events)
    try:
        status_view(state, now=now)
        build_context(state, language=state.language, now=now)
    except Exception as problem:
        refuse(problem, None)


def _reason(problem: Exception) -> str:
    """An unexpected failure in a few words: pydantic's first error, or Python's first line."""
    errors = getattr(problem, "errors", None)
    if callable(errors) and hasattr(problem, "title"):
        first = errors(include_url=False)[0]
        where = ".".join(str(part) for part in (problem.title, *first["loc"]))
        text = f"{where}: {str(first['msg']).lower()}"
    else:
        lines = str(problem).strip().splitlines()
        text = f"{type(problem).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    return text if len(text) <= 200 else text[:199] + "…"
