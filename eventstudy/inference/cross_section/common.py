"""What the cross-sectional tests share: input checks, p-values, the mean t and the null hypotheses."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from eventstudy.inference.result import TestResult, invalid_result, t_two_sided

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


def normal_p(z: float) -> float:
    """Two-sided standard-normal p-value."""
    return math.erfc(abs(z) / math.sqrt(2.0))


def t_p(t: float, df: float) -> float:
    """Two-sided Student-t p-value."""
    return t_two_sided(t, df)


def mean_t(values: np.ndarray) -> np.ndarray:
    """Per row, ``mean / (sd / sqrt(N))`` with the ddof=1 sd; NaN where the sd is not positive or finite."""
    n = values.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.std(values, ddof=1, axis=1)
        t = np.mean(values, axis=1) / (sd / math.sqrt(n))
    return np.where(np.isfinite(sd) & (sd > 0), t, np.nan)


def mean_t_results(name: str, x: np.ndarray, reasons: list[str | None], what: str) -> list[TestResult]:
    """The mean t test of each row of ``x``, or the row's reason it cannot be computed."""
    n = x.shape[1]
    t = mean_t(x) if n >= 2 else np.full(len(x), np.nan)
    p = t_p(t, n - 1) if n >= 2 else t
    out = []
    for i, reason in enumerate(reasons):
        if reason:
            out.append(invalid_result(name, NULL_MEAN, n, reason))
        elif not math.isfinite(t[i]):
            out.append(invalid_result(name, NULL_MEAN, n, f"{what} have zero cross-sectional variance"))
        else:
            out.append(TestResult(name, float(t[i]), float(p[i]), NULL_MEAN, n, float(n - 1)))
    return out
