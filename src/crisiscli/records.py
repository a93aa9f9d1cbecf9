"""``dataclass`` for the records every command loads: frozen for mypy, cheaper at run time.

The journal's events, a playbook and a session's state are immutable values.
Declared ``@dataclass(frozen=True)``, each class costs about 0.9 ms to create
when its module is imported, against 0.5 ms without ``frozen``: Python
generates ``__setattr__`` and ``__delattr__`` for it. Those modules are
imported by every ``crisis status`` and ``crisis note``, where the twenty-odd
frozen classes came to about 8 ms of a start-up budget of a few tens
(docs/performance.md).

So these modules import ``dataclass`` from here. For the type checker it *is*
``dataclasses.dataclass``: mypy --strict, run by CI on all of ``src``, refuses
any assignment to a field of a frozen class. At run time ``frozen=True``
becomes ``unsafe_hash=True``: the instances compare and hash exactly as
frozen ones do, only the run-time guard against assignment is left out.
Classes whose immutability is part of a public promise (coach flags,
compensation assessments) keep the standard decorator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["dataclass"]

if TYPE_CHECKING:
    from dataclasses import dataclass
else:
    import dataclasses

    def dataclass(cls: Any = None, /, **options: Any) -> Any:
        """``dataclasses.dataclass``, with ``frozen=True`` read as ``unsafe_hash=True``."""
        if options.pop("frozen", False):
            options["unsafe_hash"] = True
        if cls is None:
            return dataclasses.dataclass(**options)
        return dataclasses.dataclass(cls, **options)
