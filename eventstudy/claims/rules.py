"""The rules of reconciliation: a figure's acceptance interval, which claims are judged together, the group's day.

Described in :mod:`eventstudy.claims.reconcile` and ``docs/methodology.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from eventstudy.spec import Claim


def acceptance(reported: float, tol: float, bound: str = "") -> tuple[float, float]:
    """The interval of measured moves that hold a figure.

    Two-sided: ``reported ± tol``. ``at_least``: at least the figure less the
    tolerance, in the figure's direction. ``at_most``: between 0 and the
    figure plus the tolerance.
    """
    if bound == "at_least" and reported != 0:
        return (reported - tol, math.inf) if reported > 0 else (-math.inf, reported + tol)
    if bound == "at_most" and reported != 0:
        return (0.0, reported + tol) if reported > 0 else (reported - tol, 0.0)
    return reported - tol, reported + tol


def excess(measured: float, lo: float, hi: float) -> float:
    """How far ``measured`` lies outside [lo, hi] (0 inside; NaN stays NaN)."""
    if measured is None or math.isnan(measured):
        return math.nan
    return max(lo - measured, measured - hi, 0.0)


def range_holds(low: float, high: float, lo: float, hi: float) -> bool | None:
    """Whether the day's range [low, high] meets [lo, hi]; None when the range is unknown."""
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return None
    return low <= hi + 1e-12 and high >= lo - 1e-12


def claim_groups(claims: Sequence[Claim]) -> dict[str, str]:
    """Claim id → group id (see the module doc).

    An explicit ``group`` is its own id; an automatic group of several
    claims is named by its claims' ids joined with ``+``; a claim alone (and
    a period move) is its own group.
    """
    keys: dict[str, tuple[object, ...]] = {}
    for c in claims:
        if c.group:
            keys[c.id] = ("group", c.group)
        elif c.source and (c.offset is not None or c.quote) and not c.since:
            where = ("offset", c.offset) if c.offset is not None else ("quote", c.quote.strip())
            keys[c.id] = ("sentence", c.source, where, c.event, c.session)
        else:
            keys[c.id] = ("alone", c.id)
    members: dict[tuple[object, ...], list[str]] = {}
    for c in claims:
        members.setdefault(keys[c.id], []).append(c.id)
    out = {}
    for key, ids in members.items():
        name = str(key[1]) if key[0] == "group" else "+".join(ids)
        out.update(dict.fromkeys(ids, name))
    return out


def choose_day(costs: dict[int, list[tuple[bool, float, bool]]], implied: int = 0) -> int:
    """The group's day: ``costs[day]`` holds, per claim, (held, distance beyond tolerance, two-day only).

    Fewest claims not held, then the smallest sum of distances, then the
    fewest claims held only by a two-day move (a quiet day after the move
    repeats it) or an open-to-close move (not the close the figure names),
    then the implied day, then the earlier day.
    """

    def score(day: int) -> tuple[int, float, int, bool, int]:
        c = costs[day]
        return (
            sum(not held for held, _, _ in c),
            round(sum(e for _, e, _ in c), 12),
            sum(two for _, _, two in c),
            day != implied,
            day,
        )

    return min(costs, key=score)
