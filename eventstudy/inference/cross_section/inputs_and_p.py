"""What the cross-sectional tests share: input checks, p-values, the mean t and the null hypotheses."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import overload

import numpy as np
from numpy.typing import ArrayLike

from eventstudy.inference.result import TestColumns, t_two_sided

NULL_MEAN = "mean CAR = 0"
NULL_MEDIAN = "CARs symmetric about 0"


def vector(values: ArrayLike, name: str) -> np.ndarray:
    """``values`` as a float vector (a scalar: length 1); ``ValueError`` for another shape."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def matrix(values: ArrayLike, name: str, nrows: int) -> np.ndarray:
    """``values`` as a float (nrows, T) matrix (a vector: one column); ``ValueError`` for another shape."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] != nrows:
        raise ValueError(f"{name} must have shape ({nrows}, T), got {arr.shape}")
    return arr


def car_blocks(car: ArrayLike, estimation: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """``car`` (blocks, N) and ``estimation`` (blocks, N, T) as float arrays; ``ValueError`` for other shapes."""
    x, est = np.asarray(car, dtype=float), np.asarray(estimation, dtype=float)
    if x.ndim != 2 or est.ndim != 3 or est.shape[:2] != x.shape:
        raise ValueError(f"car must be (blocks, N) and estimation (blocks, N, T); got {x.shape} and {est.shape}")
    return x, est


def finite_blocks(*arrays: np.ndarray) -> np.ndarray:
    """Blocks (first axis) whose every value is finite in every array."""
    ok = np.ones(len(arrays[0]), dtype=bool)
    for arr in arrays:
        ok &= np.isfinite(arr.reshape(len(arr), -1)).all(axis=1)
    return ok


def not_finite(**arrays: np.ndarray) -> str | None:
    """'<name> contains NaN or infinite values' for the first such array, else None."""
    for name, arr in arrays.items():
        if not np.isfinite(arr).all():
            return f"{name} contains NaN or infinite values"
    return None


def problems(n: int, **arrays: np.ndarray) -> list[str | None]:
    """Per block (every array's first axis), why a test cannot be computed, or None."""
    b = len(next(iter(arrays.values())))
    if n < 2:
        return [f"{n} securities; at least 2 are needed"] * b
    out: list[str | None] = [None] * b
    if b == 0:
        return out
    for name, arr in arrays.items():
        bad = ~np.isfinite(arr.reshape(b, -1)).all(axis=1)
        for i in np.flatnonzero(bad):
            out[i] = out[i] or f"{name} contains NaN or infinite values"
    return out


def batch(values: ArrayLike, name: str, ndim: int) -> np.ndarray:
    """``values`` as a float array of ``ndim`` dimensions, blocks first; ``ValueError`` otherwise."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional (blocks first), got shape {arr.shape}")
    return arr


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..K along the last axis, average ranks for ties: :func:`scipy.stats.rankdata` of each row.

    One unstable argsort of all rows; a row with a tie (equal neighbours once sorted) is
    ranked again by ``rankdata`` (the order of tied values in the argsort is arbitrary),
    so every rank is rankdata's.
    """
    from scipy.stats import rankdata

    if not values.size:
        return values.astype(float)
    order = np.argsort(values, axis=-1)
    ranks = np.empty(values.shape)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(1.0, values.shape[-1] + 1), values.shape), axis=-1)
    ordered = np.sort(values, axis=-1)
    tied = (ordered[..., 1:] == ordered[..., :-1]).any(axis=-1)
    if tied.any():
        ranks[tied] = rankdata(values[tied], axis=-1)
    return ranks


@overload
def normal_p(z: float) -> float: ...
@overload
def normal_p(z: np.ndarray) -> np.ndarray: ...
def normal_p(z: float | np.ndarray) -> float | np.ndarray:
    """Two-sided standard-normal p-value (of each value of an array: the same ``math.erfc``)."""
    if np.ndim(z) == 0:
        return math.erfc(abs(z) / math.sqrt(2.0))
    return np.array([math.erfc(abs(v) / math.sqrt(2.0)) for v in np.ravel(z).tolist()]).reshape(np.shape(z))


def t_p(t: float, df: float) -> float:
    """Two-sided Student-t p-value."""
    return t_two_sided(t, df)


def scatter_columns(parts: Sequence[tuple[np.ndarray, TestColumns]], size: int) -> TestColumns:
    """One :class:`TestColumns` of ``size`` blocks from parts ``(positions, columns)`` that cover every block once."""
    first = parts[0][1]
    out = TestColumns(np.empty(size, dtype=object), np.empty(size), np.empty(size), first.null,
                      np.empty(size, dtype=np.int64), np.empty(size), np.empty(size, dtype=object))  # fmt: skip
    for at, part in parts:
        for field in ("name", "stat", "pvalue", "nobs", "df", "note"):
            getattr(out, field)[at] = getattr(part, field)
    return out


def result_columns(
    name: str | Sequence[str],
    null: str,
    nobs: int | ArrayLike,
    stat: ArrayLike,
    pvalue: ArrayLike,
    *,
    df: float | ArrayLike | None = None,
    note: str | Sequence[str] = "",
    reasons: Sequence[str | None] | None = None,
) -> TestColumns:
    """:class:`TestColumns` of ``len(stat)`` blocks; a block with a reason gets NaNs, no df and the reason as note."""
    stat_arr = np.array(stat, dtype=float, ndmin=1)
    b = len(stat_arr)

    def column(value: object, dtype: type) -> np.ndarray:
        if isinstance(value, str) or np.ndim(value) == 0:
            out = np.empty(b, dtype=dtype)
            out[:] = value  # type: ignore[call-overload]
            return out
        return np.array(value, dtype=dtype)

    p = np.array(pvalue, dtype=float, ndmin=1)
    dfs = column(math.nan if df is None else df, float)
    names, notes = column(name, object), column(note, object)
    if reasons is not None:
        bad = np.array([r is not None for r in reasons], dtype=bool)
        if bad.any():
            stat_arr, p, dfs, notes = stat_arr.copy(), p.copy(), dfs.copy(), notes.copy()
            stat_arr[bad] = p[bad] = dfs[bad] = np.nan
            notes[bad] = np.array(reasons, dtype=object)[bad]
    return TestColumns(names, stat_arr, p, null, column(nobs, np.int64), dfs, notes)


def mean_t(values: np.ndarray) -> np.ndarray:
    """Per row, ``mean / (sd / sqrt(N))`` with the ddof=1 sd; NaN where the sd is not positive or finite."""
    n = values.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.std(values, ddof=1, axis=1)
        t = np.mean(values, axis=1) / (sd / math.sqrt(n))
    return np.where(np.isfinite(sd) & (sd > 0), t, np.nan)


def mean_t_results(name: str, x: np.ndarray, reasons: list[str | None], what: str) -> TestColumns:
    """The mean t test of each row of ``x``, or the row's reason it cannot be computed."""
    n = x.shape[1]
    t = mean_t(x) if n >= 2 else np.full(len(x), np.nan)
    p = t_p(t, n - 1) if n >= 2 else t
    zero = f"{what} have zero cross-sectional variance"
    why = [r if r or math.isfinite(v) else zero for r, v in zip(reasons, np.asarray(t).tolist(), strict=True)]
    return result_columns(name, NULL_MEAN, n, t, p, df=float(n - 1), reasons=why)
