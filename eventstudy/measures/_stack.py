"""Stacked windows: (pairs, days) arrays and the columns of a window of event days."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

if TYPE_CHECKING:
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
    degenerate fit have a non-empty ``fit.problem``.
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
        event_windows=tuple(event_windows),
    )  # fmt: skip
