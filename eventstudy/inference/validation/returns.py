"""The returns the simulation draws from, and the draws: single securities, groups in each design."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from eventstudy.inference.validation.design import Listing, ValidationInputError

if TYPE_CHECKING:
    from eventstudy.market import PriceSource


@dataclass(frozen=True)
class ReturnSeries:
    """Simple returns of a security and its benchmark on its exchange's sessions.

    ``ret[i]`` and ``bench[i]`` are the returns from session ``i - 1`` to
    ``i``; NaN where a price is missing (outside the file or a gap). The
    benchmark's last close is carried onto sessions it did not trade, as
    :mod:`eventstudy.engine.panel` does.
    """

    listing: Listing
    sessions: pd.DatetimeIndex
    ret: np.ndarray
    bench: np.ndarray

    def valid_days(self, lo: int, hi: int) -> np.ndarray:
        """Positions ``t`` (day 0) whose days ``lo..hi`` all have both returns."""
        bad = ~(np.isfinite(self.ret) & np.isfinite(self.bench))
        cum = np.concatenate([[0], np.cumsum(bad)])
        t = np.arange(max(-lo, 0), len(bad) - hi)
        return t[cum[t + hi + 1] - cum[t + lo] == 0]


HISTORY = (pd.Timestamp("1900-01-01"), pd.Timestamp("2200-01-01"))  # a symbol's whole price history


def load_returns(prices: str | Path | PriceSource, listings: Sequence[Listing]) -> dict[Listing, ReturnSeries]:
    """Each listing's returns and its benchmark's on its exchange's sessions, from the prices' whole history.

    ``prices``: a price source (a folder of CSV or Parquet files, as the study reads) or a folder of
    price CSVs. The returns are the engine's (:func:`eventstudy.engine.panel.returns_panel`: the
    security by exact date, the benchmark's last close carried forward), on the sessions from the
    first to the last price of the exchange's symbols; a benchmark's returns are NaN after its last price.

    Raises
    ------
    DataError
        Missing directory or file, unreadable prices.
    """
    from eventstudy.engine.panel import returns_panel
    from eventstudy.market import CsvDirectorySource
    from eventstudy.market.calendars import get_calendar
    from eventstudy.market.frames import price_series

    source = CsvDirectorySource(prices) if isinstance(prices, str | Path) else prices
    frames = {s: source.prices(s, *HISTORY) for x in listings for s in (x.ticker, x.benchmark)}
    dates = {s: frame.index[price_series(frame).notna().to_numpy()] for s, frame in frames.items()}
    out: dict[Listing, ReturnSeries] = {}
    for exchange in dict.fromkeys(x.exchange for x in listings):
        members = [x for x in listings if x.exchange == exchange]
        symbols = {s for x in members for s in (x.ticker, x.benchmark)}
        first, last = min(dates[s][0] for s in symbols), max(dates[s][-1] for s in symbols)
        sessions = get_calendar(exchange).sessions_in_range(first, last)
        own = returns_panel({x.ticker: frames[x.ticker] for x in members}, sessions)  # gaps stay NaN
        benchmarks = {x.benchmark: frames[x.benchmark] for x in members}
        carried = returns_panel(benchmarks, sessions, carry=set(benchmarks))
        for x in members:
            bench = carried[x.benchmark].to_numpy(dtype=float).copy()
            bench[sessions > dates[x.benchmark][-1]] = np.nan  # no close carried past the benchmark's last price
            out[x] = ReturnSeries(x, sessions, own[x.ticker].to_numpy(dtype=float), bench)
    return out


def draw_single(
    rng: np.random.Generator, series: list[ReturnSeries], trials: int, lo: int, hi: int
) -> list[tuple[ReturnSeries, int]]:
    """A random security, then a random day 0 with the whole window available."""
    if not series:
        return []
    days = [s.valid_days(lo, hi) for s in series]
    usable = [i for i, d in enumerate(days) if len(d)]
    if not usable:
        raise ValidationInputError(f"no security has {hi - lo + 1} consecutive sessions of prices")
    picks = rng.choice(usable, size=trials)
    return [(series[k], int(rng.choice(days[k]))) for k in picks]


def draw_groups(
    rng: np.random.Generator, series: list[ReturnSeries], trials: int, lo: int, hi: int, size: tuple[int, int]
) -> list[list[tuple[ReturnSeries, int]]]:
    """Clustered design: a random common day 0 with at least ``size[0]`` securities available, then the securities."""
    if not series:
        return []
    n = len(series[0].ret)
    avail = np.zeros((len(series), n), dtype=bool)
    for i, s in enumerate(series):
        avail[i, s.valid_days(lo, hi)] = True
    dates = np.flatnonzero(avail.sum(axis=0) >= size[0])
    if not len(dates):
        raise ValidationInputError(f"no session has {size[0]} group securities with {hi - lo + 1} sessions of prices")
    out = []
    for t in rng.choice(dates, size=trials):
        pool = np.flatnonzero(avail[:, t])
        k = min(int(rng.integers(size[0], size[1] + 1)), len(pool))
        out.append([(series[i], int(t)) for i in np.sort(rng.choice(pool, size=k, replace=False))])
    return out


def draw_bw(
    rng: np.random.Generator, series: list[ReturnSeries], trials: int, lo: int, hi: int, size: tuple[int, int]
) -> list[list[tuple[ReturnSeries, int]]]:
    """Brown-Warner design: ``size`` distinct securities, each on its own random day 0 (no clustering)."""
    days = [s.valid_days(lo, hi) for s in series]
    usable = np.array([i for i, d in enumerate(days) if len(d)])
    if len(usable) < size[0]:
        raise ValidationInputError(
            f"{len(usable)} group securities have {hi - lo + 1} sessions of prices; need {size[0]}"
        )
    out = []
    for _ in range(trials):
        k = min(int(rng.integers(size[0], size[1] + 1)), len(usable))
        picks = np.sort(rng.choice(usable, size=k, replace=False))
        out.append([(series[i], int(rng.choice(days[i]))) for i in picks])
    return out


def group_offsets(groups: list[list[tuple[ReturnSeries, int]]]) -> list[tuple[int, list[tuple[ReturnSeries, int]]]]:
    """Each group with the offset of its first row."""
    out, k = [], 0
    for g in groups:
        out.append((k, g))
        k += len(g)
    return out


def gather(rows: list[tuple[ReturnSeries, int]], days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Returns and benchmark returns of each row (security, day 0) on event days ``days``, stacked."""
    y = np.vstack([s.ret[t + days] for s, t in rows])
    x = np.vstack([s.bench[t + days] for s, t in rows])
    return y, x


def pick_dates(rng: np.random.Generator, candidates: int, trials: int) -> np.ndarray:
    """``trials`` distinct candidates if there are enough; otherwise each once, in random order, then at random."""
    if trials <= candidates:
        return rng.choice(candidates, size=trials, replace=False)
    return np.concatenate([rng.permutation(candidates), rng.choice(candidates, size=trials - candidates)])


def common_dates(
    series: list[ReturnSeries], lo: int, hi: int, exclude: Sequence[pd.Timestamp], exclude_sessions: int
) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Sessions of the first security's exchange on which every security has its window, and each one's day 0.

    Day 0 of security j for date d is its first session on or after d; no date within
    ``exclude_sessions`` sessions (plus the window) of a date of ``exclude``.
    Returns the dates and an (N, dates) array of session positions.
    """
    dates = series[0].sessions
    positions = np.empty((len(series), len(dates)), dtype=np.int64)
    ok = np.ones(len(dates), dtype=bool)
    for j, s in enumerate(series):
        pos = s.sessions.searchsorted(dates)
        valid = np.zeros(len(s.sessions) + 1, dtype=bool)
        valid[s.valid_days(lo, hi)] = True
        ok &= valid[pos]
        positions[j] = np.minimum(pos, len(s.sessions) - 1)
    if len(exclude):
        near = np.abs(dates.searchsorted(pd.DatetimeIndex(exclude))[:, None] - np.arange(len(dates))[None, :])
        ok &= ~(near < exclude_sessions + hi).any(axis=0)
    keep = np.flatnonzero(ok)
    return dates[keep], positions[:, keep]
