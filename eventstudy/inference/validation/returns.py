"""The returns the simulation draws from, and the draws: single securities, groups in each design."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from eventstudy.inference.validation.design import Listing, ValidationInputError


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


def load_returns(prices: str | Path, listings: Sequence[Listing]) -> dict[Listing, ReturnSeries]:
    """Read ``prices/<symbol>.csv`` and align each listing on its exchange's sessions.

    Raises
    ------
    DataError
        Missing directory or file, unreadable prices.
    """
    from eventstudy.market import CsvDirectorySource, price_series
    from eventstudy.market.calendars import get_calendar

    source = CsvDirectorySource(prices)
    cache: dict[str, pd.Series] = {}

    def level(symbol: str) -> pd.Series:
        if symbol not in cache:
            frame = source.prices(symbol, pd.Timestamp("1900-01-01"), pd.Timestamp("2200-01-01"))
            cache[symbol] = price_series(frame).dropna()
        return cache[symbol]

    out: dict[Listing, ReturnSeries] = {}
    for exchange in dict.fromkeys(x.exchange for x in listings):
        members = [x for x in listings if x.exchange == exchange]
        symbols = {s for x in members for s in (x.ticker, x.benchmark)}
        first = min(level(s).index[0] for s in symbols)
        last = max(level(s).index[-1] for s in symbols)
        sessions = get_calendar(exchange).sessions_in_range(first, last)
        for x in members:
            sec = level(x.ticker).reindex(sessions)  # gaps stay NaN
            bench_px = level(x.benchmark)
            bench = bench_px.reindex(bench_px.index.union(sessions)).ffill().reindex(sessions)
            bench[(sessions < bench_px.index[0]) | (sessions > bench_px.index[-1])] = np.nan
            ret = (sec / sec.shift(1) - 1.0).to_numpy(dtype=float)  # simple returns, first row NaN
            out[x] = ReturnSeries(x, sessions, ret, (bench / bench.shift(1) - 1.0).to_numpy(dtype=float))
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
