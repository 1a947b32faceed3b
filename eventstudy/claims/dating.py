"""The dates an undated article's figures fit: a suggestion for ``--reference-date``, never a verdict.

An article that prints no date gives its weekday words nothing to count from, so ``check``
stops and asks for ``--reference-date``. Before it stops it says which dates fit the figures,
so the user can decide (the article itself may say nothing else about its day):

1. every one-session close claim with an exact figure (no "more than", no period) is compared
   with its security's close-to-close moves (:func:`eventstudy.market.decompose.decompose`)
   on every session held; the dates with the most matches, within the claim's tolerance
   (:func:`eventstudy.claims.tolerance.tolerance`), are the candidates;
2. the article is read again from each candidate date (its weekday words then name sessions;
   a claim without one is on that date, as ``check`` hangs it there), and the claims whose
   close on that session matches are counted.

The date with the most matches is suggested when at least two claims match there and no
other date does as well. The suggestion is a guess from the prices and is worded as one: a
report run from it would judge claims on the date chosen because they fit it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from eventstudy.claims.tolerance import tolerance

CANDIDATES = 4  # dates read again (step 2)
CLOSE_TIMINGS = ("close", "close_only")


@dataclass(frozen=True)
class DateFit:
    """A date an article may be from: ``matched`` of its ``measured`` close figures fit when read from it."""

    date: dt.date
    matched: int
    measured: int


def fitting_dates(
    claims: Sequence[Any],
    read: Callable[[dt.date], Sequence[Any]],
    moves: Callable[[str], pd.Series | None],
) -> list[DateFit]:
    """Candidate dates for an undated article, best first (see the module doc).

    ``claims`` are the article's claims as printed; ``read(date)`` gives them read with ``date`` as reference;
    ``moves(ticker)`` the ticker's close-to-close moves (decimals) indexed by session, or None
    when no prices are held.
    """
    cache: dict[str, pd.Series | None] = {}

    def close_moves(ticker: str) -> pd.Series | None:
        if ticker not in cache:
            cache[ticker] = moves(ticker)
        return cache[ticker]

    usable = [c for c in claims if _measurable(c) and close_moves(c.ticker) is not None]
    hits: Counter[dt.date] = Counter()
    for c in usable:
        s = close_moves(c.ticker)
        assert s is not None
        near = s[(s - c.reported_percent / 100).abs() <= _tolerance(c)]
        hits.update({d.date() for d in near.index})
    fits = []
    for date, _ in sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))[:CANDIDATES]:
        claims = [c for c in read(date) if _measurable(c) and close_moves(c.ticker) is not None]
        matched = sum(_fits(c, c.session or date, close_moves(c.ticker)) for c in claims)
        fits.append(DateFit(date, matched, len(claims)))
    return sorted(fits, key=lambda f: (-f.matched, -f.date.toordinal()))


def suggestion(fits: Sequence[DateFit]) -> str:
    """The sentence ``check``'s error adds, or "" when no date fits clearly (fewer than 2 matches, or a tie)."""
    if not fits or fits[0].matched < 2 or (len(fits) > 1 and fits[1].matched == fits[0].matched):
        return ""
    best = fits[0]
    runner = f"; next best {fits[1].date} ({fits[1].matched})" if len(fits) > 1 and fits[1].matched else ""
    return (
        f"its figures fit {best.date} best ({best.matched} of {best.measured} closes match when its day words "
        f"count from that date{runner}): if the article is from that day, pass --reference-date {best.date}"
    )


def _measurable(claim: Any) -> bool:
    return not claim.bound and not claim.since and claim.timing in CLOSE_TIMINGS


def _tolerance(claim: Any) -> float:
    return tolerance(claim.reported_percent / 100, approximate=claim.approximate, quote=claim.quote) + 1e-12


def _fits(claim: Any, session: dt.date, moves: pd.Series | None) -> bool:
    if moves is None:
        return False
    at = pd.Timestamp(session)
    if at not in moves.index or pd.isna(moves[at]):
        return False
    return abs(moves[at] - claim.reported_percent / 100) <= _tolerance(claim)
