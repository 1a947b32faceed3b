"""Returns panels per exchange, and the one data check of every pair.

Per exchange, one grid of sessions covers every pair's windows. Each
security's prices are read on it by exact date; a benchmark's or a factor
index's (which may trade on other days) with its last close carried
forward; returns are divisions of consecutive grid rows::

    frames ─▶ prices on the exchange grid (exact / carried) ─▶ returns (symbols × sessions)

A pair whose data cannot give its windows is excluded with the reason,
naming the event, its day 0, the symbol and the sessions:

- the security: no prices, history starting after the first session needed
  or ending before the last, or a session without a price;
- a benchmark or factor index: an empty price cell inside the windows (a
  hole in the file, not a holiday), history too short, no price on the
  windows' last session;
- ``ff3``: a session without a Fama-French row.

A benchmark or factor carried forward over sessions it did not trade gives
a ``DataWarning`` naming how many.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.errors import DataError, EventStudyError, InsufficientHistoryError, MissingPricesError
from eventstudy.market.frames import price_series, split_like_moves, split_warning

FF_COLUMNS = ("Mkt-RF", "SMB", "HML", "RF")


@dataclass(frozen=True)
class Prices:
    """One symbol's adjusted prices on an exchange grid."""

    exact: np.ndarray  # (G,) price dated on the session, NaN where none
    carried: np.ndarray  # (G,) last price on or before the session, NaN before the first
    holes: np.ndarray  # int64 ns dates of rows whose price cell is empty
    dates: np.ndarray  # int64 ns dates of the valid prices


def read_prices(frame: pd.DataFrame, grid: np.ndarray) -> Prices:
    """``frame``'s adjusted prices (:func:`price_series`) on ``grid`` (int64 ns session dates)."""
    price = price_series(frame)
    dates = pd.DatetimeIndex(price.index).as_unit("ns").asi8
    filled = price.notna().to_numpy()
    valid_dates, valid = dates[filled], price.to_numpy(dtype=float)[filled]
    at = np.searchsorted(valid_dates, grid, side="right") - 1
    if len(valid):
        carried = np.where(at >= 0, valid[np.maximum(at, 0)], np.nan)
        on_date = (at >= 0) & (valid_dates[np.maximum(at, 0)] == grid)
    else:
        carried, on_date = np.full(len(grid), np.nan), np.zeros(len(grid), bool)
    return Prices(np.where(on_date, carried, np.nan), carried, dates[~filled], valid_dates)


@dataclass
class ExchangePanel:
    """Returns of every symbol the pairs of one exchange read, on its grid of sessions.

    ``values_t`` is (columns, sessions), C-contiguous; ``columns`` maps
    ("own", symbol) (exact prices) and ("carried", symbol) to its row, and
    ("ff", name) for the Fama-French factors. ``day0`` is each pair's day-0
    grid position; ``members`` the pairs' positions in the plan.
    """

    exchange: str
    grid: pd.DatetimeIndex
    values_t: np.ndarray
    prices_t: np.ndarray  # (columns, sessions) prices (NaN for the factors)
    columns: dict[tuple[str, str], int]
    members: np.ndarray
    day0: np.ndarray
    reasons: dict[int, EventStudyError] = field(default_factory=dict)  # by plan position
    warnings: dict[int, list[str]] = field(default_factory=dict)


def exchange_panel(
    pairs: pd.DataFrame,
    members: np.ndarray,
    exchange: str,
    sessions: pd.DatetimeIndex,
    frames: dict[str, pd.DataFrame],
    *,
    first: int,
    last: int,
    checked_last: int | None = None,
    factor_symbols: list[tuple[str, ...]],
    fama_french: pd.DataFrame | None = None,
) -> ExchangePanel:
    """The panel of the pairs ``members`` (plan rows, all on ``exchange``) and their data check.

    The grid runs over event days ``first..last``; the data check over
    ``first..checked_last`` (default ``last``): days after it (a long
    buy-and-hold window) may lack prices, and read NaN.
    ``factor_symbols``: per member, the factor indices its model reads;
    ``fama_french``: the factors (decimals, by US date) when the model is ``ff3``.
    """
    part = pairs.iloc[members]
    pos = part["position"].to_numpy()
    base = int(pos.min()) + first
    grid_index = sessions[base : int(pos.max()) + last + 1]
    grid = grid_index.as_unit("ns").asi8
    d0 = pos - base
    lo, hi = d0 + first, d0 + (last if checked_last is None else checked_last)
    tickers, benchmarks = part["ticker"].to_numpy(dtype=object), part["benchmark"].to_numpy(dtype=object)
    own = {s: read_prices(frames[s], grid) for s in dict.fromkeys(tickers)}
    carried_syms = [(b, *f) for b, f in zip(benchmarks, factor_symbols, strict=True)]
    other = {s: read_prices(frames[s], grid) for s in dict.fromkeys(s for syms in carried_syms for s in syms)}
    reasons: dict[int, EventStudyError] = {}
    said: dict[int, list[str]] = {}
    bad = np.zeros(len(part), bool)
    for s, rows in _groups([(t,) for t in tickers]).items():
        bad[rows] |= _own_bad(own[s], lo[rows], hi[rows])
    counts = {}
    for s, rows in _groups(carried_syms).items():
        bad[rows] |= _carried_bad(other[s], lo[rows], hi[rows], grid)
        counts[s] = (rows, _carried_count(other[s], lo[rows], hi[rows]))
    carried_n = [dict.fromkeys(syms, 0) for syms in carried_syms]
    for s, (rows, n) in counts.items():
        for r, c in zip(rows, n, strict=True):
            carried_n[r][s] = int(c)
    ff = None
    if fama_french is not None:
        ff = fama_french.reindex(grid_index)[list(FF_COLUMNS)].to_numpy(dtype=float)
        gaps = np.concatenate([[0], np.cumsum(np.isnan(ff).any(axis=1))])
        bad |= gaps[hi + 1] - gaps[lo + 1] > 0  # the sessions with a return: lo + 1 .. hi
    for r in np.flatnonzero(bad):
        reasons[int(members[r])] = _reason(part.iloc[r], own, other, carried_syms[r], grid_index, lo[r], hi[r], ff)
    for r in range(len(part)):
        if not bad[r] and any(carried_n[r].values()):
            first_s, last_s = grid_index[lo[r]], grid_index[hi[r]]
            said[int(members[r])] = [
                f"{s}: no close on {carried_n[r][s]} session(s) of {tickers[r]}'s exchange between "
                f"{first_s.date()} and {last_s.date()}; its previous close was carried forward"
                for s in carried_syms[r]
                if carried_n[r][s]
            ]
    for (s, b), rows in _groups([((t, b),) for t, b in zip(tickers, benchmarks, strict=True)]).items():
        for t, ratio, k in split_like_moves(own[s].exact, other[b].carried):
            spans = rows[(lo[rows] < t) & (t <= hi[rows]) & ~bad[rows]]
            if len(spans):  # said once per symbol and day, on the first pair whose windows span it
                text = split_warning(s, b, grid_index[t], ratio, k)
                said.setdefault(int(members[spans[0]]), []).append(f"{text} ({len(spans)} pair(s) span it)")
    for s, rows in _groups([(t,) for t in tickers]).items():
        if len(off := _off_session(own[s].dates, grid)):  # ignored rows: say so (a file shifted by a day?)
            said.setdefault(int(members[rows[0]]), []).append(off_session_warning(s, exchange, off))
    columns: dict[tuple[str, str], int] = {}
    rows_p: list[np.ndarray] = []
    for s, p in own.items():
        columns["own", s] = len(rows_p)
        rows_p.append(p.exact)
    for s, p in other.items():
        columns["carried", s] = len(rows_p)
        rows_p.append(p.carried)
    prices_t = np.vstack(rows_p) if rows_p else np.zeros((0, len(grid)))
    values_t = np.full(prices_t.shape, np.nan)
    values_t[:, 1:] = prices_t[:, 1:] / prices_t[:, :-1] - 1.0
    if ff is not None:
        for k, name in enumerate(FF_COLUMNS):
            columns["ff", name] = len(values_t) + k
        values_t = np.vstack([values_t, ff.T])
        prices_t = np.vstack([prices_t, np.full((len(FF_COLUMNS), len(grid)), np.nan)])
    return ExchangePanel(exchange, grid_index, np.ascontiguousarray(values_t), prices_t, columns, members, d0,
                         reasons, said)  # fmt: skip


def _groups(symbols: list[tuple[Hashable, ...]]) -> dict[Any, np.ndarray]:
    """Rows (pairs) that read each symbol (or key), in order of first use."""
    rows: dict[Hashable, list[int]] = {}
    for r, syms in enumerate(symbols):
        for s in dict.fromkeys(syms):
            rows.setdefault(s, []).append(r)
    return {s: np.array(r, dtype=np.intp) for s, r in rows.items()}


def _off_session(dates: np.ndarray, grid: np.ndarray) -> pd.DatetimeIndex:
    """Price rows dated between the grid's first and last session on a day that is no session."""
    inside = dates[(dates >= grid[0]) & (dates <= grid[-1])] if len(grid) else dates[:0]
    return pd.DatetimeIndex(inside[~np.isin(inside, grid)])


def off_session_warning(symbol: str, exchange: str, off: pd.DatetimeIndex) -> str:
    """The words for rows on days ``exchange`` did not trade (a weekend, a holiday): not used."""
    first = off[0]
    return (
        f"{symbol}: {len(off)} price row(s) dated on days that are not {exchange} sessions were ignored (the "
        f"first on {first.date()}, a {first.day_name()}); check the file's dates"
    )


def _own_bad(p: Prices, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A session lo..hi without a price of its own."""
    missing = np.concatenate([[0], np.cumsum(np.isnan(p.exact))])
    return missing[hi + 1] - missing[lo] > 0


def _carried_bad(p: Prices, lo: np.ndarray, hi: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """An empty cell dated inside the sessions, no price on or before the first, or none dated on the last."""
    holes = np.searchsorted(p.holes, grid[hi], side="right") - np.searchsorted(p.holes, grid[lo], side="left")
    return (holes > 0) | np.isnan(p.carried[lo]) | np.isnan(p.exact[hi])


def _carried_count(p: Prices, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Sessions lo..hi without a close of their own (carried forward)."""
    dated = np.concatenate([[0], np.cumsum(~np.isnan(p.exact))])
    return (hi - lo + 1) - (dated[hi + 1] - dated[lo])


def _reason(
    pair: pd.Series,
    own: dict[str, Prices],
    other: dict[str, Prices],
    carried: tuple[str, ...],
    grid: pd.DatetimeIndex,
    lo: int,
    hi: int,
    ff: np.ndarray | None,
) -> EventStudyError:
    """The first problem of one pair's data, as the error to raise or record."""
    ticker, first, last = str(pair["ticker"]), grid[lo], grid[hi]
    exc = _history(own[ticker], ticker, first, last)
    if exc is None:
        gaps = grid[lo : hi + 1][np.isnan(own[ticker].exact[lo : hi + 1])]
        if len(gaps):
            shown = ", ".join(str(d.date()) for d in gaps[:5])
            more = f" and {len(gaps) - 5} more" if len(gaps) > 5 else ""
            exc = MissingPricesError(
                f"{ticker}: no price on session(s) {shown}{more} needed by the windows; "
                "fill the data source or move the event"
            )
    for symbol in carried:
        if exc is not None:
            break
        p = other[symbol]
        holes = p.holes[(p.holes >= first.value) & (p.holes <= last.value)]
        if len(holes):
            dates = ", ".join(str(d.date()) for d in pd.DatetimeIndex(holes[:5]))
            exc = MissingPricesError(
                f"{symbol}: empty price cell on {dates}, inside the windows of {ticker}; fill the cell, "
                "or remove the row if the market was closed"
            )
        else:
            exc = _history(p, symbol, first, last)
    if exc is None and ff is not None:
        missing = grid[lo + 1 : hi + 1][np.isnan(ff[lo + 1 : hi + 1]).any(axis=1)]
        exc = DataError(
            f"{ticker}: the Fama-French factors have no row for session(s) "
            f"{', '.join(str(d.date()) for d in missing[:3])}; ff3 needs US sessions covered by the file"
        )
    assert exc is not None, "a pair marked bad has a reason"
    session = pd.Timestamp(pair["session"]).date()
    return type(exc)(f"event {pair['event']} (day 0 {session}): {exc}")


def _history(p: Prices, symbol: str, first: pd.Timestamp, last: pd.Timestamp) -> DataError | None:
    """Prices (up to ``last``) that start after ``first`` or end before ``last``."""
    dates = p.dates[p.dates <= last.value]
    if not len(dates):
        return MissingPricesError(f"{symbol}: no prices between {first.date()} and {last.date()}")
    start, end = pd.Timestamp(dates[0]), pd.Timestamp(dates[-1])
    if start > first:
        return InsufficientHistoryError(
            f"{symbol}: the windows need prices from {first.date()}, but the data start on "
            f"{start.date()}; shorten study.estimation_window or choose a later event"
        )
    if end < last:
        return InsufficientHistoryError(
            f"{symbol}: the windows need prices up to {last.date()}, but the data end on "
            f"{end.date()}; shorten study.ar_window or update the data"
        )
    return None


def returns_panel(
    frames: dict[str, pd.DataFrame], sessions: pd.DatetimeIndex, *, carry: set[str] | frozenset[str] = frozenset()
) -> pd.DataFrame:
    """Returns of every symbol on ``sessions`` (one exchange), NaN where a price is missing.

    Symbols in ``carry`` (benchmarks, which may trade on other days) take
    their last close on or before each session (:func:`read_prices`, as the
    study's panels do).
    """
    grid = pd.DatetimeIndex(sessions).as_unit("ns").asi8
    cols = {}
    for symbol, frame in frames.items():
        p = read_prices(frame, grid)
        price = p.carried if symbol in carry else p.exact
        ret = np.full(len(grid), np.nan)
        ret[1:] = price[1:] / price[:-1] - 1.0
        cols[symbol] = ret
    return pd.DataFrame(cols, index=sessions)
