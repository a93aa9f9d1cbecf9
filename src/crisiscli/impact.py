"""Impact as shares of users: the one rounding rule every view uses."""

from __future__ import annotations


def shares(affected: float | None, total: float | None) -> tuple[float, float] | None:
    """``(affected_percent, working_percent)`` to one decimal, or None when unknown.

    A share never rounds to 0% or 100% unless it really is: with 1 user of
    100,000 affected, that is 0.1% affected and 99.9% working, so nobody reads
    "100% working" while someone is still stuck. None when a figure is missing,
    the total is not positive, or more users are affected than exist.
    """
    if affected is None or total is None or total <= 0 or not 0 <= affected <= total:
        return None
    if affected == 0:
        return 0.0, 100.0
    if affected == total:
        return 100.0, 0.0
    affected_percent = min(99.9, max(0.1, round(100 * affected / total, 1)))
    return affected_percent, round(100 - affected_percent, 1)
