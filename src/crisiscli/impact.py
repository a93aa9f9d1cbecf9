"""Impact as shares of users: the one rounding rule every view uses."""

from __future__ import annotations

MAX_DECIMALS = 6


def shares(affected: float | None, total: float | None) -> tuple[float, float] | None:
    """``(affected_percent, working_percent)``, or None when unknown.

    One decimal, unless that would round either share to 0% or 100% while it
    is not: then as many decimals as it takes (up to six), so 1 user of
    100,000 is 0.001% affected and 99.999% working. Nobody reads "100%
    working" while someone is still stuck, nor "0% affected". None when a
    figure is missing, the total is not positive, or more users are affected
    than exist.
    """
    if affected is None or total is None or total <= 0 or not 0 <= affected <= total:
        return None
    if affected == 0:
        return 0.0, 100.0
    if affected == total:
        return 100.0, 0.0
    exact = 100 * affected / total
    decimals = 1
    while decimals < MAX_DECIMALS and (
        round(exact, decimals) in (0, 100) or round(100 - exact, decimals) in (0, 100)
    ):
        decimals += 1
    step = 10.0**-decimals
    affected_percent = min(100 - step, max(step, round(exact, decimals)))
    return round(affected_percent, decimals), round(100 - affected_percent, decimals)
