"""Stacked windows: (pairs, days) arrays cut from the engine's panels, and the columns of a window of event days.

The measures (:mod:`eventstudy.measures`) and the GARCH model (:mod:`eventstudy.engine.garch`) read the
pairs the engine fitted through :func:`pair_stacks`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    from eventstudy.engine.abnormal_returns import EngineTables
    from eventstudy.engine.ols import Solved


def stack(panel: ArrayLike, cols: ArrayLike, day0_row: ArrayLike, first: int, last: int) -> np.ndarray:
    """Event days ``first..last`` of each pair, shape (P, last - first + 1).

    ``panel`` is (sessions, symbols) (returns, volume, ...) on one
    exchange's sessions; pair ``p`` reads column ``cols[p]`` from row
    ``day0_row[p] + first``. The result's column ``j`` is event day ``first + j``.

    Raises
    ------
    ValueError
        When a window runs outside the panel.
    """
    values = np.ascontiguousarray(np.asarray(panel, dtype=np.float64).T)
    rows = np.asarray(day0_row, dtype=int) + first
    span = last - first + 1
    if len(rows) and (rows.min() < 0 or rows.max() + span > values.shape[1]):
        raise ValueError(f"event days {first}..{last} run outside the panel's {values.shape[1]} sessions")
    windows = np.lib.stride_tricks.sliding_window_view(values, span, axis=1)
    return np.array(windows[np.asarray(cols, dtype=int), rows])


def as_stacked(values: ArrayLike, name: str, shape: tuple[int, int] | None = None) -> np.ndarray:
    """``values`` as a float (P, S) array; a 1-D array is one pair."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be (pairs, days), got shape {arr.shape}")
    if shape is not None and arr.shape != shape:
        raise ValueError(f"{name} has shape {arr.shape}; expected {shape} like the security's array")
    return arr


def columns(start: int, span: int, window: tuple[int, int], name: str) -> slice:
    """Columns of event days ``window[0]..window[1]`` in a stack whose column 0 is day ``start``."""
    a, b = int(window[0]), int(window[1])
    if a > b or a < start or b > start + span - 1:
        raise ValueError(f"{name} {window} lies outside the stacked days {start}..{start + span - 1}")
    return slice(a - start, b - start + 1)


def batch_fit(
    y: np.ndarray,
    m: np.ndarray,
    start: int,
    estimation_window: tuple[int, int],
    ar_window: tuple[int, int],
    event_windows: tuple[tuple[int, int], ...],
) -> Solved:
    """The engine's market model (:func:`eventstudy.engine.ols.solve_stacked`) on ``y`` against ``m``, both (P, S).

    Column 0 of the stacks is event day ``start``. Pairs with NaN or a
    degenerate fit have a non-empty ``fit.problem``. Read from the disk cache when there
    (:mod:`eventstudy.engine.solve_cache`).
    """
    from eventstudy.engine import ols

    s = y.shape[1]
    columns(start, s, estimation_window, "estimation window")
    columns(start, s, ar_window, "abnormal window")
    for w in event_windows:
        if not ar_window[0] <= w[0] <= w[1] <= ar_window[1]:
            raise ValueError(f"event window {tuple(w)} must lie inside the abnormal window {tuple(ar_window)}")
    return ols.solve_stacked(
        y, m, ols.market_design(), start=start, estimation_window=estimation_window, ar_window=ar_window,
        event_windows=tuple(event_windows), cached=True,
    )  # fmt: skip


@dataclass(frozen=True)
class Stacks:
    """Stacked windows of the study's pairs: column ``j`` is event day ``first + j``."""

    keys: pd.DataFrame  # event, ticker (fits order, indices left out)
    positions: np.ndarray  # plan positions
    first: int
    sessions: np.ndarray  # (P, S) datetime64[ns]
    returns: np.ndarray  # (P, S)
    market: np.ndarray  # (P, S) the benchmark's returns (carried forward as in the engine)
    volume: np.ndarray | None  # (P, S) shares, NaN where the file has no value
    market_volume: np.ndarray | None  # (P, S) the benchmark's, NaN where it has no row that session

    def days(self, a: int, b: int) -> slice:
        """Columns of event days a..b."""
        return slice(a - self.first, b - self.first + 1)


def pair_stacks(
    tables: EngineTables, frames: dict[str, pd.DataFrame] | None, first: int, last: int, *, volume: bool = False
) -> Stacks:
    """Event days ``first..last`` of every fitted pair, cut from the engine's panels (see the module doc)."""
    plan = tables.plan
    assert plan is not None
    indices = {s.ticker for s in plan.spec.securities if s.is_index}
    fits = tables.fits
    keys = fits.loc[~fits["ticker"].isin(indices), ["event", "ticker"]].reset_index(drop=True)
    positions = tables.positions(keys)
    at_of = np.full(len(plan.pairs), -1, dtype=np.intp)  # plan position -> row of the stacks
    at_of[positions] = np.arange(len(positions))
    span = last - first + 1
    shape = (len(keys), span)
    ret, mkt = np.full(shape, np.nan), np.full(shape, np.nan)
    sessions = np.zeros(shape, "datetime64[ns]")
    vol = np.full(shape, np.nan) if volume else None
    mvol = np.full(shape, np.nan) if volume else None
    tickers, benchmarks = plan.pairs["ticker"].to_numpy(dtype=object), plan.pairs["benchmark"].to_numpy(dtype=object)
    offsets = np.arange(first, last + 1)
    for panel in tables.panels:
        k = at_of[panel.members]
        rows = np.flatnonzero(k >= 0)
        if not len(rows):
            continue
        members, at = panel.members[rows], k[rows]
        grid_rows = panel.day0[rows][:, None] + offsets
        own_syms, own_inv = np.unique(tickers[members].astype(str), return_inverse=True)
        bench_syms, bench_inv = np.unique(benchmarks[members].astype(str), return_inverse=True)
        own = np.array([panel.columns["own", t] for t in own_syms], dtype=np.intp)[own_inv]
        bench = np.array([panel.columns["carried", b] for b in bench_syms], dtype=np.intp)[bench_inv]
        ret[at] = panel.values_t[own[:, None], grid_rows]
        mkt[at] = panel.values_t[bench[:, None], grid_rows]
        sessions[at] = panel.grid.as_unit("ns").to_numpy()[grid_rows]
        if vol is not None and mvol is not None and frames is not None:
            own_v = np.vstack([_volume_on(frames.get(s), panel.grid) for s in own_syms])
            bench_v = np.vstack([_volume_on(frames.get(s), panel.grid) for s in bench_syms])
            vol[at] = own_v[own_inv[:, None], grid_rows]
            mvol[at] = bench_v[bench_inv[:, None], grid_rows]
    return Stacks(keys, positions, first, sessions, ret, mkt, vol, mvol)


def _volume_on(frame: pd.DataFrame | None, grid: pd.DatetimeIndex) -> np.ndarray:
    """A frame's ``Volume`` on the session grid, by exact date (NaN where no row or no value)."""
    if frame is None or "Volume" not in frame:
        return np.full(len(grid), np.nan)
    return frame["Volume"].reindex(grid).to_numpy(dtype=float)
