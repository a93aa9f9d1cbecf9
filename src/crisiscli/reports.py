"""Rendering reports: finding templates, the Jinja sandbox, formats and filters.

Templates are files named ``NAME.LANG.FORMAT.j2`` (``remediation.fr.html.j2``)
found in ``./templates``, then ``$CRISIS_HOME/templates``, then the built-ins;
the first folder that has a name wins, so a team overrides a built-in by
dropping a file of the same name in its own folder, and can still extend the
original as ``builtin/remediation.fr.html.j2``.

Templates may come from anyone, so they run in Jinja's immutable sandbox with
``StrictUndefined``; files are capped in size, output in length, and
rendering in time. HTML templates autoescape everything. Whatever goes wrong
becomes a ``TemplateError`` naming the file and line.
"""

from __future__ import annotations

import json
import os
import re
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any

from crisiscli.errors import InvalidFileError, NotFoundError, UsageError, did_you_mean
from crisiscli.formatting import (
    format_date,
    format_datetime,
    format_duration,
    format_percent,
    format_time,
)
from crisiscli.messages import format_number, t
from crisiscli.paths import builtin_dir

if TYPE_CHECKING:
    import jinja2

    from crisiscli.report_context import ReportContext

FORMATS = ("md", "html", "txt", "json")
TEMPLATE_FORMATS = ("md", "html", "txt")
DEFAULT_TEMPLATE = "remediation"
BUILTIN_PREFIX = "builtin/"
MAX_TEMPLATE_BYTES = 256 * 1024
MAX_OUTPUT_CHARS = 5_000_000
RENDER_SECONDS = 10.0
RENDER_MEMORY_BYTES = 1024 * 1024 * 1024

# Control characters except tab and newline: typed answers must not be able to
# drive a terminal (ANSI escapes) or corrupt a document.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Markdown that could change a document's structure when it starts a line:
# headings, quotes, list markers, setext underlines, numbered items ("1.").
_MD_LINE_START = re.compile(r"^([#>+=-])", re.MULTILINE)
_MD_NUMBERED = re.compile(r"^(\d+)([.)])", re.MULTILINE)
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")


class TemplateError(InvalidFileError):
    """A report template that cannot be read, parsed or rendered."""


@dataclass(frozen=True)
class TemplateEntry:
    """A template file on the search path."""

    name: str
    language: str
    format: str
    path: Path
    origin: str
    """``project`` (./templates), ``home`` ($CRISIS_HOME/templates) or ``built-in``."""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "language": self.language,
            "format": self.format,
            "origin": self.origin,
            "path": str(self.path),
        }


def search_path(home: Path, cwd: Path) -> list[tuple[str, Path]]:
    return [
        ("project", cwd / "templates"),
        ("home", home / "templates"),
        ("built-in", builtin_dir("templates")),
    ]


def catalogue(home: Path, cwd: Path) -> list[TemplateEntry]:
    """Every usable template file, overriding ones first; ``_partials`` are left out."""
    entries: list[TemplateEntry] = []
    for origin, folder in search_path(home, cwd):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.j2")):
            parts = path.name.split(".")
            if len(parts) != 4 or path.name.startswith("_"):
                continue
            name, language, fmt, _suffix = parts
            if fmt in TEMPLATE_FORMATS:
                entries.append(TemplateEntry(name, language, fmt, path, origin))
    return entries


def effective(entries: list[TemplateEntry]) -> list[TemplateEntry]:
    """The templates that are used: the first of each name, language and format."""
    seen: dict[tuple[str, str, str], TemplateEntry] = {}
    for entry in entries:
        seen.setdefault((entry.name, entry.language, entry.format), entry)
    return sorted(seen.values(), key=lambda e: (e.name, e.language, e.format))


def looks_like_path(template: str) -> bool:
    return "/" in template or "\\" in template or template.endswith(".j2")


def format_of(template: str) -> str:
    """The format a template file is named for (``letter.html.j2`` → ``html``), else ``md``."""
    if looks_like_path(template):
        parts = Path(template).name.split(".")
        if len(parts) >= 3 and parts[-1] == "j2" and parts[-2] in TEMPLATE_FORMATS:
            return parts[-2]
    return "md"


def template_file_name(name: str, language: str, fmt: str) -> str:
    return f"{name}.{language}.{fmt}.j2"


def check_template_name(template: str, fmt: str, language: str, home: Path, cwd: Path) -> None:
    """Refuse a template name that has no file for this format and language."""
    if looks_like_path(template):
        path = Path(template)
        if path.is_dir():
            raise UsageError(f"{template} is a folder; --template expects a .j2 file or a name")
        if not path.is_file():
            raise NotFoundError(f"template file {template} does not exist")
        if not path.name.endswith(".j2") or path.name.startswith("."):
            raise TemplateError(
                template, "is not a template: template files are named NAME.LANG.FORMAT.j2"
            )
        return
    entries = effective(catalogue(home, cwd))
    if fmt == "json":
        if any(e.name == template for e in entries):
            return
    elif any(e.name == template and e.language == language and e.format == fmt for e in entries):
        return
    names = sorted({e.name for e in entries})
    if template in names:
        have = sorted({f"{e.format} in {e.language}" for e in entries if e.name == template})
        raise NotFoundError(
            f"template '{template}' has no {fmt} version in {language}; it exists as "
            + ", ".join(have)
        )
    raise NotFoundError(
        f"no template named '{template}'{did_you_mean(template, names)}; "
        f"available: {', '.join(names) or 'none'}"
    )


def render_report(context: ReportContext, *, template: str, fmt: str, home: Path, cwd: Path) -> str:
    """The report for ``context`` as ``fmt`` (``md``, ``html``, ``txt`` or ``json``)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}'; expected one of {', '.join(FORMATS)}")
    language = context.language
    check_template_name(template, fmt, language, home, cwd)
    if fmt == "json":
        data = {"report": Path(template).name if looks_like_path(template) else template}
        data.update(context.model_dump(mode="json"))
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    extra_folder: Path | None = None
    name = template_file_name(template, language, fmt)
    if looks_like_path(template):
        path = Path(template)
        extra_folder, name = path.parent, path.name
    environment = make_environment(
        fmt=fmt, language=language, folders=_folders(home, cwd, extra_folder)
    )
    environment.globals["report"] = {"name": template, "format": fmt, "language": language}
    return _neutralise(_render(environment, name, context.model_dump()))


def _folders(home: Path, cwd: Path, extra: Path | None) -> list[Path]:
    folders = [folder for _origin, folder in search_path(home, cwd)]
    return ([extra] if extra is not None else []) + folders


def make_environment(*, fmt: str, language: str, folders: list[Path]) -> jinja2.Environment:
    """A sandboxed environment for one format and language."""
    from jinja2 import ChoiceLoader, PrefixLoader, StrictUndefined  # noqa: PLC0415

    missing = t("report.not_recorded", language)
    loader = ChoiceLoader(
        [
            PrefixLoader({BUILTIN_PREFIX.rstrip("/"): _capped_loader([builtin_dir("templates")])}),
            _capped_loader(folders),
        ]
    )
    environment: jinja2.Environment = _sandbox_class()(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=fmt == "html",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        # A value never recorded prints as "not recorded yet", never as "None".
        finalize=lambda value: missing if value is None else value,
    )
    environment.filters.update(_filters(language, missing))
    environment.globals["not_recorded"] = missing
    environment.globals["refuse"] = _refuse
    return environment


def _refuse(message: Any) -> None:
    """``{{ refuse("...") }}``: a template declines the session it was given, in one sentence.

    The report stops with exit 2 and the sentence alone (e.g. the debrief of a
    session that is not a drill): a refusal, not a fault in the template.
    """
    from crisiscli.errors import UsageError  # noqa: PLC0415

    text = " ".join(str(message).split())[:500]
    raise UsageError(text or "this template refuses this session")


MAX_NUMBER_BITS = 4096
MAX_ROUND_DIGITS = 30
MAX_SEQUENCE_LENGTH = 1_000_000


def _bounded_binop(operator: str, left: Any, right: Any) -> Any:
    """``*`` and ``**`` that cannot build a number or a text big enough to hang the report."""
    from jinja2.exceptions import SecurityError  # noqa: PLC0415

    if operator == "**":
        huge = (
            isinstance(left, int)
            and isinstance(right, int)
            and right > 0
            and abs(left) > 1
            and right * abs(left).bit_length() > MAX_NUMBER_BITS
        )
        if huge:
            raise SecurityError(f"{left} ** {right} would be a number too big to print")
        return left**right
    if isinstance(left, str | list | tuple) and isinstance(right, int):
        size = len(left) * right
    elif isinstance(right, str | list | tuple) and isinstance(left, int):
        size = len(right) * left
    else:
        size = 0
    if size > MAX_SEQUENCE_LENGTH:
        raise SecurityError(f"repeating a text or list would build {size:,} items")
    both_int = isinstance(left, int) and isinstance(right, int)
    if both_int and left.bit_length() + right.bit_length() > MAX_NUMBER_BITS:
        raise SecurityError("the product would be a number too big to print")
    return left * right


def _sandbox_class() -> type:
    from jinja2.sandbox import ImmutableSandboxedEnvironment  # noqa: PLC0415

    class BoundedSandbox(ImmutableSandboxedEnvironment):
        """The immutable sandbox, with ``*`` and ``**`` bounded (see ``_bounded_binop``)."""

        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator in ("*", "**"):
                return _bounded_binop(operator, left, right)
            return super().call_binop(context, operator, left, right)

    return BoundedSandbox


def _filters(language: str, missing: str) -> dict[str, Callable[..., Any]]:
    def when(value: datetime | None) -> str | None:
        return format_datetime(value, language) if value is not None else None

    def day(value: date | None) -> str | None:
        return format_date(value, language) if value is not None else None

    def clock(value: datetime | None) -> str | None:
        return format_time(value) if value is not None else None

    def duration(minutes: int | None) -> str | None:
        return format_duration(minutes, language) if minutes is not None else None

    def number(value: float | None) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"the number filter expects a number, got {type(value).__name__}")
        return format_number(value, language)

    def percent(value: float | None) -> str | None:
        return format_percent(value, language) if value is not None else None

    def yesno(value: bool | None) -> str | None:
        if value is None:
            return None
        return t("walk.yes" if value else "walk.no", language)

    def or_missing(value: Any) -> Any:
        return missing if value is None or value == [] else value

    def bounded_round(value: float, precision: int = 0, method: str = "common") -> float:
        from jinja2.filters import do_round  # noqa: PLC0415

        if not isinstance(precision, int) or abs(precision) > MAX_ROUND_DIGITS:
            raise TypeError(f"round to {precision!r} digits: expected -30 to 30")
        return do_round(value, precision, method)  # type: ignore[arg-type]

    return {
        "round": bounded_round,
        "datetime": when,
        "date": day,
        "time": clock,
        "duration": duration,
        "number": number,
        "percent": percent,
        "yesno": yesno,
        "or_missing": or_missing,
        "md": escape_markdown,
    }


def escape_markdown(value: Any) -> Any:
    """Typed text made inert in Markdown: it cannot open a heading, list, link or table cell."""
    if value is None:
        return None
    # Leading spaces would make an indented code block; typed text never means that.
    text = "\n".join(line.lstrip(" \t") for line in str(value).split("\n"))
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_NUMBERED.sub(r"\1\\\2", text)
    return _MD_LINE_START.sub(r"\\\1", text)


def _neutralise(text: str) -> str:
    return _CONTROL.sub("\ufffd", text)


def _capped_loader(folders: list[Path]) -> jinja2.BaseLoader:
    """Templates from ``folders`` (first match wins), refusing oversized and non-UTF-8 files."""
    from jinja2 import BaseLoader, TemplateNotFound  # noqa: PLC0415
    from jinja2.loaders import split_template_path  # noqa: PLC0415

    class CappedLoader(BaseLoader):
        def get_source(
            self, environment: jinja2.Environment, template: str
        ) -> tuple[str, str, Callable[[], bool]]:
            pieces = split_template_path(template)  # refuses "..", like FileSystemLoader
            # Only template files: never notes.txt, a key in .ssh/, or a hidden file,
            # even when a template's own folder holds them.
            if not pieces[-1].endswith(".j2") or any(p.startswith(".") for p in pieces):
                raise TemplateNotFound(template)
            for folder in folders:
                path = folder.joinpath(*pieces)
                if path.is_file():
                    _check_inside(path, folder)
                    return _read_template(path), str(path), lambda: True
            raise TemplateNotFound(template)

    return CappedLoader()


def _check_inside(path: Path, folder: Path) -> None:
    """Refuse a template that is a link to a file outside its folder."""
    if not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder)):
        raise TemplateError(str(path), "links to a file outside its template folder; refused")


def _read_template(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_TEMPLATE_BYTES:
        raise TemplateError(
            str(path), f"is {size:,} bytes; templates are capped at {MAX_TEMPLATE_BYTES:,}"
        )
    raw = path.read_bytes()[: MAX_TEMPLATE_BYTES + 1]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as problem:
        line = raw[: problem.start].count(b"\n") + 1
        raise TemplateError(str(path), "is not valid UTF-8 text", line=line) from None


def _render(environment: jinja2.Environment, name: str, variables: dict[str, Any]) -> str:
    import jinja2  # noqa: PLC0415
    from jinja2.exceptions import SecurityError  # noqa: PLC0415

    current = name
    try:
        with _time_limit(RENDER_SECONDS), _memory_limit(RENDER_MEMORY_BYTES):
            template = environment.get_template(name)
            current = template.filename or name
            chunks: list[str] = []
            size = 0
            for chunk in template.generate(variables):
                size += len(chunk)
                if size > MAX_OUTPUT_CHARS:
                    raise TemplateError(
                        template.filename or name,
                        f"produces more than {MAX_OUTPUT_CHARS:,} characters; stopped",
                    )
                chunks.append(chunk)
            return "".join(chunks)
    except TemplateError:
        raise
    except jinja2.TemplateSyntaxError as problem:
        file = problem.filename or problem.name or name
        raise TemplateError(file, f"syntax error: {problem.message}", line=problem.lineno) from None
    except jinja2.TemplateNotFound as problem:
        file, line = _template_frame(problem.__traceback__, name)
        raise TemplateError(
            file, f"includes '{problem.name}', which was not found", line=line
        ) from None
    except _RenderTimeout as problem:
        file, line = _template_frame(problem.__traceback__, current)
        raise TemplateError(
            file, f"took longer than {RENDER_SECONDS:g} seconds to render; stopped", line=line
        ) from None
    except SecurityError as problem:
        file, line = _template_frame(problem.__traceback__, name)
        raise TemplateError(file, f"is not allowed in the sandbox: {problem}", line=line) from None
    except jinja2.UndefinedError as problem:
        file, line = _template_frame(problem.__traceback__, name)
        raise TemplateError(file, f"{problem.message}", line=line) from None
    except jinja2.TemplateRuntimeError as problem:  # after its subclasses above
        file, line = _template_frame(problem.__traceback__, current)
        raise TemplateError(file, f"fails while rendering: {problem}", line=line) from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as problem:
        file, line = _template_frame(problem.__traceback__, name)
        raise TemplateError(file, f"fails while rendering: {problem}", line=line) from None
    except RecursionError as problem:
        file, line = _template_frame(problem.__traceback__, current)
        raise TemplateError(file, "recurses too deeply while rendering", line=line) from None
    except MemoryError:
        raise TemplateError(current, "needs more memory than a report may use; stopped") from None


def _template_frame(trace: TracebackType | None, fallback: str) -> tuple[str, int | None]:
    """The innermost template file and line in a traceback Jinja rewrote."""
    found: tuple[str, int | None] = (fallback, None)
    while trace is not None:
        frame: FrameType = trace.tb_frame
        filename = frame.f_code.co_filename
        if filename.endswith(".j2") or frame.f_globals.get("__jinja_template__") is not None:
            found = (filename, trace.tb_lineno)
        trace = trace.tb_next
    return found


class _RenderTimeout(Exception):
    pass


@contextmanager
def _memory_limit(extra_bytes: int) -> Iterator[None]:
    """Cap the address space while a template renders (POSIX; elsewhere no cap).

    A template that builds a huge value then gets a MemoryError instead of
    taking the machine's memory; the cap is lifted afterwards.
    """
    try:
        import resource  # noqa: PLC0415
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    in_use = _address_space_in_use()
    if in_use is None:
        yield
        return
    cap = in_use + extra_bytes
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft != resource.RLIM_INFINITY:
        cap = min(cap, soft)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space_in_use() -> int | None:
    try:
        pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Stop a template that loops for too long (main thread, POSIX; elsewhere no limit)."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise _RenderTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
