"""The vectorized path of :class:`eventstudy.study.EventStudy` for the numpy market model.

Every result table of many (event, security) pairs without per-pair pandas
work. Per exchange, one grid of sessions covers every pair's windows; each
security's prices are read on it by exact date and each benchmark's with
its last close carried forward, as :func:`eventstudy.market.returns.aligned_returns`
does; returns are divisions of consecutive rows; windows are gathered by row
and fitted by :func:`eventstudy.engine.batch.market_model_batch`::

    frames ─▶ prices on the exchange grid (exact / carried) ─▶ returns panel
           ─▶ market_model_batch (pairs that pass the checks) ─▶ long tables (np.repeat / np.tile)

A pair whose prices would make the per-pair path fail (a missing price, an
empty benchmark cell, history too short, ...) or whose fit is degenerate is
not computed here: it is listed in :attr:`BatchTables.fallback`, and the
per-pair path raises or records its exact error. Numbers equal the per-pair
path's to ~1e-12 (``tests/test_batch_study.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from eventstudy.engine.batch import market_model_batch
from eventstudy.engine.flags import Z_THRESHOLD
from eventstudy.market.frames import price_series

if TYPE_CHECKING:
    from eventstudy.engine.plan import Pair
    from eventstudy.spec import StudySpec


@dataclass(frozen=True)
class BatchTables:
    """Result tables of the pairs computed together, rows in pair order.

    ``index`` holds the positions (in the study's pairs) of the computed
    pairs, increasing; ``fallback`` the positions left to the per-pair path;
    ``warnings`` the carried-forward messages of computed pairs, by position,
    which the per-pair path would have given.
    """

    index: np.ndarray
    ar: pd.DataFrame
    car: pd.DataFrame
    fits: pd.DataFrame
    residuals: pd.DataFrame
    fallback: np.ndarray
    warnings: dict[int, list[str]]

    def ar_days(self, position: int) -> pd.DataFrame:
        """``day, session`` rows of one computed pair's AR window (for the overnight/intraday moves)."""
        k = int(np.searchsorted(self.index, position))
        length = len(self.ar) // len(self.index)
        return self.ar.iloc[k * length : (k + 1) * length][["day", "session"]]


@dataclass(frozen=True)
class _Prices:
    """One symbol's adjusted prices on an exchange grid, as the per-pair path reads them."""

    exact: np.ndarray  # (G,) price dated on the session, NaN where none
    carried: np.ndarray  # (G,) last price on or before the session, NaN before the first
    holes: np.ndarray  # int64 ns dates of rows whose price cell is empty
    first_adj: int | None  # ns date of the first Adj Close, when that column is the price


def _prices(frame: pd.DataFrame, grid: np.ndarray) -> _Prices:
    price = price_series(frame)
    adj = frame["Adj Close"]
    first_adj = adj.first_valid_index()
    dates = _ns(price.index)
    filled = price.notna().to_numpy()
    valid_dates, valid = dates[filled], price.to_numpy(dtype=float)[filled]
    at = np.searchsorted(valid_dates, grid, side="right") - 1
    if not len(valid):
        at = np.full(len(grid), -1)
        valid, valid_dates = np.array([np.nan]), np.array([0], dtype=np.int64)
    carried = np.where(at >= 0, valid[np.maximum(at, 0)], np.nan)
    on_date = (at >= 0) & (valid_dates[np.maximum(at, 0)] == grid)
    return _Prices(
        exact=np.where(on_date, carried, np.nan),
        carried=carried,
        holes=dates[~filled],
        first_adj=None if first_adj is None else int(pd.Timestamp(first_adj).as_unit("ns").value),
    )


def _ns(index: pd.Index) -> np.ndarray:
    return pd.DatetimeIndex(index).as_unit("ns").asi8


def _same_column(p: _Prices, last: np.ndarray) -> np.ndarray:
    """Whether the per-pair path, which cuts the frame at the window's last session, reads the same column.

    ``price_series`` takes Adj Close when the column has any value: cut
    before its first value, the frame would fall back to Close.
    """
    return np.ones(len(last), bool) if p.first_adj is None else p.first_adj <= last


def _security_ok(p: _Prices, lo: np.ndarray, hi: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """A price on every session lo..hi (rows, inclusive), so no gap or history error."""
    missing = np.concatenate([[0], np.cumsum(np.isnan(p.exact))])
    return (missing[hi + 1] - missing[lo] == 0) & _same_column(p, grid[hi])


def _carried_ok(p: _Prices, lo: np.ndarray, hi: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """What :func:`eventstudy.market.returns.prices_on_sessions` accepts.

    No empty cell dated inside the sessions, a price on or before the first
    session, and one dated on the last (the per-pair frame ends there).
    """
    holes = np.searchsorted(p.holes, grid[hi], side="right") - np.searchsorted(p.holes, grid[lo], side="left")
    on_last = ~np.isnan(p.exact[hi])
    return (holes == 0) & ~np.isnan(p.carried[lo]) & on_last & _same_column(p, grid[hi])


def _carried_count(p: _Prices, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Sessions lo..hi without a close of their own (carried forward)."""
    dated = np.concatenate([[0], np.cumsum(~np.isnan(p.exact))])
    return (hi - lo + 1) - (dated[hi + 1] - dated[lo])


def _returns(prices: np.ndarray) -> np.ndarray:
    """Simple returns down the rows (first row NaN), as ``simple_returns``."""
    out = np.full(prices.shape, np.nan)
    out[1:] = prices[1:] / prices[:-1] - 1.0
    return out


class _Arrays:
    """Per-pair outputs over every pair of the study, filled exchange by exchange."""

    def __init__(self, pairs: int, length: int, windows: int, nobs: int) -> None:
        self.ok = np.zeros(pairs, bool)
        self.fit = {k: np.full(pairs, np.nan) for k in ("alpha", "beta", "sigma", "r2", "share")}
        self.dates = {k: np.zeros(pairs, np.int64) for k in ("estimation_start", "estimation_end")}
        day = ("session", "return", "benchmark", "expected", "abnormal", "sar", "price", "benchmark_price")
        self.day = {k: np.full((pairs, length), np.nan) for k in day}
        self.day["session"] = np.zeros((pairs, length), np.int64)
        self.car = {k: np.full((pairs, windows), np.nan) for k in ("car", "se", "t", "p")}
        self.residual = np.full((pairs, nobs), np.nan)


def batch_tables(spec: StudySpec, pairs: list[Pair], frames: dict[str, pd.DataFrame]) -> BatchTables:
    """Compute ar, car, fits and residuals of ``pairs`` together (see the module doc).

    ``frames`` are the price frames :meth:`EventStudy._fetch` returned.
    """
    est, arw, windows = spec.estimation_window, spec.ar_window, spec.event_windows
    nobs, length = est[1] - est[0] + 1, arw[1] - arw[0] + 1
    out = _Arrays(len(pairs), length, len(windows), nobs)
    warned: dict[int, list[str]] = {}
    by_exchange: dict[str, list[int]] = {}
    for i, pair in enumerate(pairs):
        by_exchange.setdefault(pair.day0.exchange, []).append(i)
    for exchange, members in by_exchange.items():
        _exchange(spec, [pairs[i] for i in members], np.array(members), exchange, frames, out, warned)
    done = np.flatnonzero(out.ok)
    unit = pairs[0].sessions.dtype if pairs else np.dtype("datetime64[ns]")  # dates as the per-pair tables hold them
    keys = (
        np.array([p.event.id for p in pairs], dtype=object),
        np.array([p.security.ticker for p in pairs], dtype=object),
    )
    return BatchTables(
        index=done,
        ar=_ar_table(out, done, keys, np.arange(arw[0], arw[1] + 1), unit),
        car=_car_table(out, done, keys, windows, nobs - 2),
        fits=_fits_table(out, done, keys, pairs, nobs, unit),
        residuals=_residuals_table(out, done, keys, np.arange(est[0], est[1] + 1)),
        fallback=np.flatnonzero(~out.ok),
        warnings={i: w for i, w in warned.items() if out.ok[i]},
    )


def _exchange(
    spec: StudySpec,
    pairs: list[Pair],
    members: np.ndarray,
    exchange: str,
    frames: dict[str, pd.DataFrame],
    out: _Arrays,
    warned: dict[int, list[str]],
) -> None:
    """Fill ``out`` for the pairs of one exchange (positions ``members``)."""
    from eventstudy.market.calendars import get_calendar

    est, arw = spec.estimation_window, spec.ar_window
    last_day = max(arw[1], *(w[1] for w in spec.event_windows))
    sessions = get_calendar(exchange).sessions
    pos = sessions.get_indexer(pd.DatetimeIndex([p.day0.session for p in pairs]))
    base = int(pos.min()) + est[0] - 1  # grid row 0: the earliest starting price
    grid_index = sessions[base : int(pos.max()) + last_day + 1]
    grid = _ns(grid_index)
    d0 = pos - base
    lo, hi = d0 + est[0] - 1, d0 + last_day
    ok, said, own, other = _check_prices(pairs, frames, grid_index, lo, hi)
    for r, messages in enumerate(said):
        if messages:
            warned[int(members[r])] = messages
    tickers = [p.security.ticker for p in pairs]
    sel = np.flatnonzero(ok)
    if not len(sel):
        return
    benchmarks = list(dict.fromkeys(p.security.benchmark for p in pairs))
    col = {("own", s): k for k, s in enumerate(own)} | {("bench", s): len(own) + k for k, s in enumerate(benchmarks)}
    prices = np.column_stack([own[s].exact for s in own] + [other[s].carried for s in benchmarks])
    stock_col = np.array([col["own", tickers[r]] for r in sel])
    market_col = np.array([col["bench", pairs[r].security.benchmark] for r in sel])
    res = market_model_batch(
        _returns(prices),
        stock_col,
        market_col,
        d0[sel],
        estimation_window=est,
        ar_window=arw,
        event_windows=spec.event_windows,
        strict=False,
        residuals=True,
    )
    good = res.ok
    sel, at, stock_col, market_col = sel[good], members[sel[good]], stock_col[good], market_col[good]
    out.ok[at] = True
    for k, v in (("alpha", res.alpha), ("beta", res.beta), ("sigma", res.sigma), ("r2", res.r2)):
        out.fit[k][at] = v[good]
    resid = res.residuals[good]
    out.residual[at] = resid
    out.fit["share"][at] = (np.abs(resid) / res.sigma[good][:, None] >= Z_THRESHOLD).mean(axis=1)
    out.dates["estimation_start"][at] = grid[lo[sel] + 1]
    out.dates["estimation_end"][at] = grid[lo[sel] + est[1] - est[0] + 1]
    rows = d0[sel][:, None] + np.arange(arw[0], arw[1] + 1)
    out.day["session"][at] = grid[rows]
    for k, v in (("return", res.returns), ("benchmark", res.market), ("expected", res.expected),
                 ("abnormal", res.abnormal), ("sar", res.sar)):  # fmt: skip
        out.day[k][at] = v[good]
    out.day["price"][at] = prices[rows, stock_col[:, None]]
    out.day["benchmark_price"][at] = prices[rows, market_col[:, None]]
    for k, v in (("car", res.car), ("se", res.car_se), ("t", res.t), ("p", res.p)):
        out.car[k][at] = v[good]


def _check_prices(
    pairs: list[Pair], frames: dict[str, pd.DataFrame], grid_index: pd.DatetimeIndex, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, list[list[str]], dict[str, _Prices], dict[str, _Prices]]:
    """Which pairs the per-pair path would accept, and the warnings it would give them.

    Returns the mask, the carried-forward messages of each pair (benchmark
    first, then factors, as the per-pair path gives them), and the prices on
    the grid of the securities and of the benchmarks and factors.
    """
    grid = _ns(grid_index)
    carried_syms = [(p.security.benchmark, *p.security.factors) for p in pairs]
    own_rows, other_rows = _groups([(p.security.ticker,) for p in pairs]), _groups(carried_syms)
    own = {s: _prices(frames[s], grid) for s in own_rows}
    other = {s: _prices(frames[s], grid) for s in other_rows}
    ok = np.zeros(len(pairs), bool)
    for s, rows in own_rows.items():
        ok[rows] = _security_ok(own[s], lo[rows], hi[rows], grid)
    counts: list[dict[str, int]] = [{} for _ in pairs]
    for s, rows in other_rows.items():
        ok[rows] &= _carried_ok(other[s], lo[rows], hi[rows], grid)
        for r, c in zip(rows, _carried_count(other[s], lo[rows], hi[rows]), strict=True):
            counts[r][s] = int(c)
    said: list[list[str]] = [[] for _ in pairs]
    for r, pair in enumerate(pairs):
        if any(counts[r].values()):
            first, last = grid_index[lo[r]], grid_index[hi[r]]
            said[r] = [_carried_message(s, counts[r][s], pair.security.ticker, first, last)
                       for s in carried_syms[r] if counts[r][s]]  # fmt: skip
    return ok, said, own, other


def _groups(symbols: list[tuple[str, ...]]) -> dict[str, np.ndarray]:
    """Rows (pairs) that read each symbol, symbols in order of first use."""
    rows: dict[str, list[int]] = {}
    for r, syms in enumerate(symbols):
        for s in dict.fromkeys(syms):
            rows.setdefault(s, []).append(r)
    return {s: np.array(r) for s, r in rows.items()}


def _carried_message(symbol: str, count: int, ticker: str, first: pd.Timestamp, last: pd.Timestamp) -> str:
    """The DataWarning text of :func:`eventstudy.market.returns.prices_on_sessions`."""
    return (
        f"{symbol}: no close on {count} session(s) of {ticker}'s exchange between "
        f"{first.date()} and {last.date()}; its previous close was carried forward"
    )


def _keys(keys: tuple[np.ndarray, np.ndarray], done: np.ndarray, each: int) -> dict[str, np.ndarray]:
    return {"event": np.repeat(keys[0][done], each), "ticker": np.repeat(keys[1][done], each)}


def _ar_table(
    out: _Arrays, done: np.ndarray, keys: tuple[np.ndarray, np.ndarray], days: np.ndarray, unit: np.dtype
) -> pd.DataFrame:
    cols = {k: v[done].ravel() for k, v in out.day.items()}
    cols["session"] = cols["session"].astype("datetime64[ns]").astype(unit)
    order = ["session", "return", "benchmark", "expected", "abnormal", "sar", "price", "benchmark_price"]
    return pd.DataFrame(
        {**_keys(keys, done, len(days)), "day": np.tile(days, len(done)), **{k: cols[k] for k in order}}
    )


def _car_table(
    out: _Arrays, done: np.ndarray, keys: tuple[np.ndarray, np.ndarray], windows: tuple[tuple[int, int], ...], df: int
) -> pd.DataFrame:
    starts, ends = np.array(windows, dtype=np.int64).reshape(-1, 2).T
    return pd.DataFrame(
        {
            **_keys(keys, done, len(windows)),
            "start": np.tile(starts, len(done)),
            "end": np.tile(ends, len(done)),
            **{k: v[done].ravel() for k, v in out.car.items()},
            "df": np.full(len(done) * len(windows), df, dtype=np.int64),
        }
    )


def _fits_table(
    out: _Arrays, done: np.ndarray, keys: tuple[np.ndarray, np.ndarray], pairs: list[Pair], nobs: int, unit: np.dtype
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            **_keys(keys, done, 1),
            "model": np.full(len(done), "market", dtype=object),
            "benchmark": np.array([pairs[i].security.benchmark for i in done], dtype=object),
            **{k: out.fit[k][done] for k in ("alpha", "beta", "sigma", "r2")},
            "n": np.full(len(done), nobs, dtype=np.int64),
            "df": np.full(len(done), nobs - 2, dtype=np.int64),
            "share_abs_z_ge_3": out.fit["share"][done],
            **{k: v[done].astype("datetime64[ns]").astype(unit) for k, v in out.dates.items()},
        }
    )


def _residuals_table(
    out: _Arrays, done: np.ndarray, keys: tuple[np.ndarray, np.ndarray], days: np.ndarray
) -> pd.DataFrame:
    return pd.DataFrame(
        {**_keys(keys, done, len(days)), "day": np.tile(days, len(done)), "residual": out.residual[done].ravel()}
    )
