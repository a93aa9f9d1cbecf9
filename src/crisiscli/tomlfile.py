"""Reading a TOML file the user gave us, with errors that say where.

Used for every TOML file crisiscli reads (playbooks, answers, scenarios,
contracts, exports, ``crisis.toml``): a size cap, strict UTF-8, and TOML
syntax errors reported with their line. ``read_file`` also opens the
other files a user gives (coached messages), with the same sentences.

A UTF-8 byte-order mark is refused, for every kind of file alike, with a
sentence saying how to save the file: TOML has no place for one, and taplo
(the validator editors run) refuses it too, so a file crisiscli accepted
would still be flagged in the editor.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from crisiscli.errors import InvalidFileError

MAX_FILE_BYTES = 1024 * 1024
_BOM = b"\xef\xbb\xbf"
"""UTF-8's byte-order mark, which some Windows editors write at the start of a file."""

_LINE = re.compile(r"^(?P<message>.*?)\s*\(at line (?P<line>\d+), column (?P<column>\d+)\)$")


def read_toml(
    path: Path,
    error: type[InvalidFileError] = InvalidFileError,
    *,
    max_bytes: int = MAX_FILE_BYTES,
) -> dict[str, Any]:
    """Parse ``path`` or raise ``error`` naming the file and the line."""
    shown = str(path)
    data = read_file(path, error, max_bytes=max_bytes, expected="a TOML file")
    if len(data) > max_bytes:
        raise error(shown, f"is larger than {max_bytes // 1024} KiB, the limit for such files")
    document = parse_toml(data, shown, error)
    too_deep = _too_deep(document, MAX_DEPTH)
    if too_deep is not None:
        raise error(shown, f"nested more than {MAX_DEPTH} levels deep", path=too_deep)
    return document


def read_file(path: Path, error: type[InvalidFileError], *, max_bytes: int, expected: str) -> bytes:
    """At most ``max_bytes + 1`` bytes of ``path`` (the caller refuses more, in its words).

    A missing file, a folder or an unreadable file is ``error``, one sentence
    naming the file; ``expected`` says what it should have been ("a TOML file").
    """
    shown = str(path)
    try:
        with path.open("rb") as handle:
            return handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise error(shown, "no such file") from None
    except IsADirectoryError:
        raise error(shown, f"is a folder, expected {expected}") from None
    except OSError as exc:
        raise error(shown, f"cannot be read ({exc.strerror or exc})") from None


def parse_toml(
    data: bytes, shown: str, error: type[InvalidFileError] = InvalidFileError
) -> dict[str, Any]:
    """The TOML document in ``data``, read already (from a file, a pipe), or ``error``.

    Refused in words, each naming ``shown`` and the line where one applies: a
    byte-order mark, text that is not UTF-8, TOML syntax, nesting deeper than
    the parser follows, and integers longer than Python converts.
    """
    import tomllib  # noqa: PLC0415 - only commands that read TOML pay for it

    if data.startswith(_BOM):
        raise error(shown, "starts with a byte-order mark; save it as UTF-8 without one", line=1)
    text = decode_text(data, shown, error)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _LINE.match(message)
        if match:
            problem = match["message"][0].lower() + match["message"][1:]
            raise error(shown, f"invalid TOML: {problem}", line=int(match["line"])) from None
        if message.endswith("(at end of document)"):
            problem = message.removesuffix("(at end of document)").strip()
            problem = problem[:1].lower() + problem[1:]
            raise error(shown, f"invalid TOML: {problem}", line=text.count("\n") + 1) from None
        raise error(shown, f"invalid TOML: {exc}") from None
    except RecursionError:
        raise error(
            shown,
            f"invalid TOML: nested more than {MAX_DEPTH} levels deep",
            line=_line_nesting_past(text, MAX_DEPTH),
        ) from None
    except ValueError as exc:  # Python's cap on the digits of an integer
        long_number = _LONG_NUMBER.search(text)
        line = text.count("\n", 0, long_number.start()) + 1 if long_number else None
        raise error(shown, number_problem("TOML", exc), line=line) from None


def decode_text(data: bytes, shown: str, error: type[InvalidFileError]) -> str:
    """``data`` as UTF-8 text, or ``error`` naming the line of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(shown, "is not valid UTF-8 text", line=line) from None


def number_problem(language: str, problem: ValueError) -> str:
    """A parser's ``ValueError`` in words: mostly Python's cap on an integer's digits."""
    if "integer string conversion" in str(problem):
        return f"invalid {language}: a number has more digits than crisiscli reads (4,300)"
    return f"invalid {language}: {problem}"


_LONG_NUMBER = re.compile(r"(?:[0-9]_?){4301,}")
"""More digits than Python turns into an integer (``sys.get_int_max_str_digits``)."""

MAX_DEPTH = 32


def _too_deep(value: Any, limit: int) -> str | None:
    """The key path (shortened) where ``value`` nests deeper than ``limit``, or None."""
    stack: list[tuple[Any, list[str]]] = [(value, [])]
    while stack:
        node, path = stack.pop()
        if len(path) > limit:
            shown = ".".join(path[:3]) + "…" + ".".join(path[-2:])
            return shown.replace(".[", "[")
        if isinstance(node, dict):
            stack.extend((child, [*path, str(key)]) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((child, [*path, f"[{index}]"]) for index, child in enumerate(node))
    return None


def _line_nesting_past(text: str, limit: int) -> int | None:
    """The line where brackets and braces in ``text`` first nest deeper than ``limit``.

    Only called when tomllib itself gave up (``RecursionError``), which hides
    where; a scan that skips strings and comments finds it again.
    """
    depth = 0
    line = 1
    index = 0
    end = len(text)
    while index < end:
        char = text[index]
        if char == "\n":
            line += 1
        elif char == "#":
            newline = text.find("\n", index)
            index = end if newline < 0 else newline
            continue
        elif char in "\"'":
            quote = text[index : index + 3] if text.startswith(char * 3, index) else char
            index += len(quote)
            while index < end and not text.startswith(quote, index):
                if text[index] == "\\" and char == '"':
                    index += 1  # the escaped character, which may be a line feed
                if index < end and text[index] == "\n":
                    line += 1
                index += 1
            index += len(quote)
            continue
        elif char in "[{":
            depth += 1
            if depth > limit:
                return line
        elif char in "]}":
            depth = max(depth - 1, 0)
        index += 1
    return None


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def key_path(*parts: str | int, under: str = "") -> str:
    """Where a value sits, written as TOML would: ``steps[2].questions[0]."a.b"``.

    Whole numbers are array indexes; keys that are not bare (empty, dotted,
    spaced) are quoted so that every key stays visible in a message.
    """
    text = under
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        key = part if _BARE_KEY.fullmatch(part) else _quoted(part)
        text += f".{key}" if text else key
    return text


def _quoted(key: str) -> str:
    import json  # noqa: PLC0415 - only for keys that need quoting

    return json.dumps(key, ensure_ascii=False)


def toml_type(value: Any) -> str:
    """What kind of TOML value ``value`` is, in words, for "expected ..., got ..." messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date or time" if value is not None else "nothing"
