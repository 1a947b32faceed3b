"""Tests for one security and one event that do not assume normal returns.

Both tests compare the event-window CAR with an empirical null distribution
built from the estimation-window residuals and return a
:class:`~eventstudy.inference.result.TestResult`; a test that cannot be computed
returns :func:`~eventstudy.inference.result.invalid_result` with the reason.
:func:`sample_quantile_tests` and :func:`bootstrap_tests` run them for many
securities at once, with the same numbers to the bit.

p-value rule (both tests)
-------------------------
With null draws ``d_1..d_n`` and the observed CAR ``x``,
``n_le = #{d_j <= x}`` and ``n_ge = #{d_j >= x}``,

``p = min(1, 2 * min(n_le + 1, n_ge + 1) / (n + 1))``.

The ``+1`` counts the observed CAR as one draw of the null distribution,
so the one-sided p-values are exactly valid when the event CAR is
exchangeable with the null draws, and ``p`` is never 0; its smallest value
is ``2 / (n + 1)``. ``stat`` is ``n_le / n``, the empirical quantile of the
CAR in the null distribution.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import numpy as np
from numpy.typing import ArrayLike

from eventstudy.inference.result import TestColumns, TestResult, invalid_result

NULL = "event CAR drawn from the estimation-window residual distribution"


def rolling_sums(residuals: ArrayLike, length: int) -> np.ndarray:
    """Sums of every ``length`` consecutive residuals (``T - length + 1`` values)."""
    e = np.asarray(residuals, dtype=float)
    if length < 1 or length > len(e):
        return np.empty(0)
    return np.lib.stride_tricks.sliding_window_view(e, length).sum(axis=1)


def empirical_pvalue(x: float, null: np.ndarray) -> tuple[float, float]:
    """Return ``(n_le / n, p)`` by the module's two-sided rule."""
    n = len(null)
    n_le = int(np.sum(null <= x))
    n_ge = int(np.sum(null >= x))
    p = min(1.0, 2.0 * min(n_le + 1, n_ge + 1) / (n + 1))
    return n_le / n, p


def _inputs(event_ar: ArrayLike, residuals: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    ar = np.atleast_1d(np.asarray(event_ar, dtype=float))
    e = np.asarray(residuals, dtype=float)
    if ar.ndim != 1 or e.ndim != 1:
        raise ValueError("event_ar and residuals must be one-dimensional")
    return ar, e


def _problem(ar: np.ndarray, e: np.ndarray) -> str | None:
    if len(ar) == 0:
        return "no event-window abnormal returns"
    if not (np.isfinite(ar).all() and np.isfinite(e).all()):
        return "inputs contain NaN or infinite values"
    if len(e) < len(ar) + 1:
        return f"{len(e)} residuals; at least L + 1 = {len(ar) + 1} are needed"
    if np.ptp(e) == 0:
        return "estimation-window residuals have zero variance"
    return None


def _floor_note(n: int) -> str:
    floor = 2.0 / (n + 1)
    return f"smallest attainable p-value is {floor:.3g}" if floor > 0.05 else ""


def sample_quantile_test(event_ar: ArrayLike, residuals: ArrayLike) -> TestResult:
    """Sample-quantile (SQ) test of Gelbach, Helland & Klick (2013).

    The null distribution of an L-day CAR is the empirical distribution of
    the ``n = T - L + 1`` sums of L consecutive estimation-window residuals
    (overlapping windows; for L = 1 the residuals themselves). The CAR is
    ``sum(event_ar)``; the p-value follows the module's rule
    ``p = min(1, 2 * min(n_le + 1, n_ge + 1) / (n + 1))``. It needs no
    normality, only that event-window and estimation-window abnormal
    returns share a distribution under H0 (Gelbach, Helland & Klick 2013,
    American Law and Economics Review 15(2), 495-541).

    Parameters
    ----------
    event_ar : array_like, shape (L,) or scalar
        Event-window abnormal returns (a scalar is the day-0 AR).
    residuals : array_like, shape (T,)
        Estimation-window residuals, in date order.

    Returns
    -------
    TestResult
        ``stat`` is the empirical quantile ``n_le / n`` of the CAR.
    """
    name = "sample-quantile (SQ)"
    ar, e = _inputs(event_ar, residuals)
    if reason := _problem(ar, e):
        return invalid_result(name, NULL, max(len(e) - len(ar) + 1, 0), reason)
    null = rolling_sums(e, len(ar))
    q, p = empirical_pvalue(float(ar.sum()), null)
    note = "; ".join(s for s in (f"{len(ar)}-day sums of residuals", _floor_note(len(null))) if s)
    return TestResult(name, q, p, NULL, len(null), note=note)


def bootstrap_test(
    event_ar: ArrayLike,
    residuals: ArrayLike,
    *,
    n_boot: int = 9999,
    rng: np.random.Generator | int | None = 0,
) -> TestResult:
    """Bootstrap test of one CAR against resampled estimation residuals.

    Draws ``n_boot`` CARs, each the sum of L residuals sampled with
    replacement (i.i.d.) from the T estimation-window residuals, and applies
    the module's p-value rule to ``CAR = sum(event_ar)``. Residuals are used
    as they are (not re-centred), so H0 is "the event window looks like an
    ordinary window". Unlike :func:`sample_quantile_test` it ignores serial
    dependence; like it, it ignores estimation error in the model
    parameters (Efron 1979, Annals of Statistics 7(1), 1-26).

    Parameters
    ----------
    event_ar : array_like, shape (L,) or scalar
        Event-window abnormal returns.
    residuals : array_like, shape (T,)
        Estimation-window residuals.
    n_boot : int
        Number of bootstrap CARs.
    rng : numpy.random.Generator, int or None
        Generator or seed for :func:`numpy.random.default_rng`; the default
        seed 0 makes results reproducible, None draws fresh entropy.

    Returns
    -------
    TestResult
        ``stat`` is the share of bootstrap CARs at or below the CAR.

    Raises
    ------
    ValueError
        If ``n_boot < 1``.
    """
    if n_boot < 1:
        raise ValueError(f"n_boot must be positive, got {n_boot}")
    name = "bootstrap"
    ar, e = _inputs(event_ar, residuals)
    if reason := _problem(ar, e):
        return invalid_result(name, NULL, n_boot, reason)
    gen = np.random.default_rng(rng)
    null = gen.choice(e, size=(n_boot, len(ar)), replace=True).sum(axis=1)
    q, p = empirical_pvalue(float(ar.sum()), null)
    note = "; ".join(s for s in (f"{n_boot} resamples of {len(ar)} residuals", _floor_note(n_boot)) if s)
    return TestResult(name, q, p, NULL, n_boot, note=note)


# -- many securities at once ------------------------------------------------


def sample_quantile_tests(event_ar: np.ndarray, residuals: np.ndarray) -> TestColumns:
    """:func:`sample_quantile_test` for every row of ``event_ar`` (R, L) and ``residuals`` (R, T)."""
    ar, e = _rows(event_ar, residuals)
    length = ar.shape[1]

    def null(rows: np.ndarray) -> Iterator[tuple[np.ndarray, None]]:
        et = np.ascontiguousarray(e[rows].T)  # (T, rows): the sums are L shifted slices added, contiguous
        sums = et[:n].copy()
        for k in range(1, length):
            sums += et[k : k + n]
        yield sums, None

    def exact(row: int) -> np.ndarray:  # the one-security computation, for near-ties
        return rolling_sums(e[row], length)

    def one(row: int) -> TestResult:
        return sample_quantile_test(ar[row], e[row])

    n = e.shape[1] - length + 1  # below 2, every row is invalid and gets the one-security note
    note = "; ".join(s for s in (f"{length}-day sums of residuals", _floor_note(max(n, 1))) if s)
    return _many("sample-quantile (SQ)", ar, e, n, note, null, exact, one)


def bootstrap_tests(event_ar: np.ndarray, residuals: np.ndarray, *, n_boot: int = 9999, seed: int = 0) -> TestColumns:
    """:func:`bootstrap_test` with ``rng=seed`` for every row of ``event_ar`` (R, L) and ``residuals`` (R, T).

    Each row draws as a fresh ``numpy.random.default_rng(seed)`` would, so
    every row of the same shape uses the same resampled positions: they are
    drawn once and the residuals gathered for all rows together. With L = 1
    a draw is one residual: each position is counted once, weighted by how
    often it was drawn.
    """
    if n_boot < 1:
        raise ValueError(f"n_boot must be positive, got {n_boot}")
    ar, e = _rows(event_ar, residuals)
    length, t = ar.shape[1], e.shape[1]
    # choice() of an array of length T draws the same positions whatever the array holds
    idx = np.random.default_rng(seed).choice(np.arange(t), size=(n_boot, length), replace=True) if t else None

    def null(rows: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
        et = np.ascontiguousarray(e[rows].T)  # (T, rows): a draw gathers whole rows
        if length == 1:  # the draws are residuals themselves: each position once, with its count
            yield et, np.bincount(idx[:, 0], minlength=t)  # type: ignore[index]
            return
        acc, part = np.empty((DRAW_BLOCK, len(rows))), np.empty((DRAW_BLOCK, len(rows)))
        for first in range(0, n_boot, DRAW_BLOCK):  # blocks of draws that stay in cache
            draw = idx[first : first + DRAW_BLOCK]  # type: ignore[index]
            out, tmp = acc[: len(draw)], part[: len(draw)]
            np.take(et, draw[:, 0], axis=0, out=out)
            for k in range(1, length):
                out += np.take(et, draw[:, k], axis=0, out=tmp)
            yield out, None

    def exact(row: int) -> np.ndarray:
        return np.random.default_rng(seed).choice(e[row], size=(n_boot, length), replace=True).sum(axis=1)

    def one(row: int) -> TestResult:
        return bootstrap_test(ar[row], e[row], n_boot=n_boot, rng=seed)

    note = "; ".join(s for s in (f"{n_boot} resamples of {length} residuals", _floor_note(n_boot)) if s)
    return _many("bootstrap", ar, e, n_boot, note, null, exact, one)


BLOCK_ROWS = 256  # rows (securities) per block of null draws; blocks run on threads (numpy releases the GIL)
DRAW_BLOCK = 128  # null draws per block: 128 x 256 float64 (256 KB) stays in cache; counts fit uint16


def _rows(event_ar: np.ndarray, residuals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ar, e = np.asarray(event_ar, dtype=float), np.asarray(residuals, dtype=float)
    if ar.ndim != 2 or e.ndim != 2 or len(ar) != len(e):
        raise ValueError(f"event_ar (R, L) and residuals (R, T) must be 2-D with equal rows, got {ar.shape}, {e.shape}")
    return ar, e


def _many(
    name: str,
    ar: np.ndarray,
    e: np.ndarray,
    n: int,
    note: str,
    null: Callable[[np.ndarray], Iterator[tuple[np.ndarray, np.ndarray | None]]],
    exact: Callable[[int], np.ndarray],
    one: Callable[[int], TestResult],
) -> TestColumns:
    """Counts of null draws at or below / above each row's CAR, with near-ties settled exactly.

    ``null(rows)`` yields blocks ``(draws, weights)``: draws (k, rows) of the null
    draws of those rows, summed in any order, each counted once (``weights``
    None) or ``weights[j]`` times;
    a draw within ``tol`` of the CAR, where another summation order could
    fall on the other side, is recounted with ``exact(row)``, the
    one-security computation. Rows the one-security test rejects (NaN, too
    few residuals, constant residuals) are computed by it, ``one(row)``.
    Blocks of rows run on one thread per CPU.
    """
    rows = len(ar)
    car = np.ascontiguousarray(ar).sum(axis=1)  # as the one-security test sums each row (the same pairwise sum)
    length = ar.shape[1]
    high, low = e.max(axis=1, initial=-np.inf), e.min(axis=1, initial=np.inf)  # NaN or ±inf in a row shows here
    bad = (
        (length == 0)
        | (e.shape[1] < length + 1)
        | ~(np.isfinite(ar).all(axis=1) & np.isfinite(high) & np.isfinite(low))
        | (high == low)
    )
    good = np.flatnonzero(~bad)
    # two summation orders of L terms differ by at most 2 (L - 1) u sum|a| (u = 2^-53): a wide margin
    tol = 4.0 * length * length * np.finfo(float).eps * np.maximum(np.abs(high), np.abs(low))
    n_le, n_ge = np.zeros(rows, dtype=np.int64), np.zeros(rows, dtype=np.int64)

    def count(block: np.ndarray) -> None:
        low, high = car[block] - tol[block], car[block] + tol[block]
        below, maybe = np.zeros(len(block), dtype=np.int64), np.zeros(len(block), dtype=np.int64)
        mask = None
        for draws, weights in null(block):
            if mask is None or mask.shape[0] < len(draws):
                mask = np.empty(draws.shape, dtype=bool)
            m = mask[: len(draws)]
            for bound, total, op in ((low, below, np.less), (high, maybe, np.less_equal)):
                op(draws, bound, out=m)
                if weights is None:
                    total += np.add.reduce(m.view(np.uint8), axis=0, dtype=np.uint16)  # at most DRAW_BLOCK
                else:
                    total += weights @ m
        n_le[block], n_ge[block] = below, n - below  # no draw within tol of the CAR: the order cannot matter
        for row in block[below != maybe]:  # a draw near the CAR: count the exact sums
            sums = exact(int(row))
            n_le[row], n_ge[row] = np.count_nonzero(sums <= car[row]), np.count_nonzero(sums >= car[row])

    blocks = [good[start : start + BLOCK_ROWS] for start in range(0, len(good), BLOCK_ROWS)]
    workers = min(os.cpu_count() or 1, len(blocks))
    if workers > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(count, blocks))
    else:
        for block in blocks:
            count(block)
    stat = np.full(rows, np.nan)
    pvalue = np.full(rows, np.nan)
    stat[good] = n_le[good] / n
    pvalue[good] = np.minimum(1.0, 2.0 * np.minimum(n_le[good] + 1, n_ge[good] + 1) / (n + 1))
    nobs = np.full(rows, n, dtype=np.int64)
    notes = [note] * rows
    for row in np.flatnonzero(bad):
        res = one(int(row))
        stat[row], pvalue[row], nobs[row], notes[row] = res.stat, res.pvalue, res.nobs, res.note
    names, dfs = np.full(rows, name, dtype=object), np.full(rows, np.nan)
    return TestColumns(names, stat, pvalue, NULL, nobs, dfs, np.asarray(notes, dtype=object))
