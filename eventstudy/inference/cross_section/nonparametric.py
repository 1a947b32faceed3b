"""Rank and sign tests: Corrado rank, generalized sign and Wilcoxon signed-rank."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from eventstudy.inference.cross_section.inputs_and_p import (
    NULL_MEDIAN,
    TestColumns,
    average_ranks,
    batch,
    matrix,
    normal_p,
    problems,
    result_columns,
    vector,
)
from eventstudy.inference.result import TestResult


def _columns(days: int | Sequence[int] | None, length: int) -> np.ndarray:
    cols = np.arange(length) if days is None else np.atleast_1d(np.asarray(days, dtype=int))
    if cols.size == 0 or len(np.unique(cols)) != cols.size or cols.min() < 0 or cols.max() >= length:
        raise ValueError(f"days must be distinct column indices in [0, {length}), got {days!r}")
    return cols


def _sum_left_to_right(values: np.ndarray) -> np.ndarray:
    """Row sums of ``values`` (rows, L), adding the columns left to right: the same bits however many rows.

    ``values.sum(axis=1)`` adds the columns of a one-row array pairwise (8 partial sums from
    L = 8 on) and those of a fancy-indexed array of several rows left to right, so a block's
    statistic depends on how many blocks share its window in the call; left to right is what
    several rows give.
    """
    out = values[:, 0].copy()
    for j in range(1, values.shape[1]):
        out += values[:, j]
    return out


def corrado_rank(estimation: ArrayLike, event: ArrayLike, days: int | Sequence[int] | None = None) -> TestResult:
    """Corrado (1989) rank test; Campbell & Wasley (1993) sum over a window.

    Per security, the ``M = T + L`` abnormal returns of the estimation and
    event windows are ranked (average ranks for ties) and standardized,
    ``U_it = K_it / (M + 1) - 1/2`` (Corrado & Zivney 1992). With
    ``Ubar_t = mean_i U_it`` and ``S = sqrt(mean_t Ubar_t^2)`` over all M days,

    ``Z = sum_{t in D} Ubar_t / (sqrt(|D|) * S)``,

    standard normal, two-sided. With one day in ``D`` this is Corrado's
    statistic (identical to his unstandardized-rank form since every
    security has the same M); with several it is the Campbell-Wasley
    window statistic, which treats the Ubar_t of different days as
    uncorrelated. Assumes independence across securities; robust to
    non-normality.

    Parameters
    ----------
    estimation : array_like, shape (N, T)
        Estimation-window residuals.
    event : array_like, shape (N, L) or (N,)
        Event-window abnormal returns (a 1-D array is one event day).
    days : int or sequence of int, optional
        Columns of ``event`` to test (positions, not event-day labels);
        default all L columns. Every column of ``event`` is ranked.

    Returns
    -------
    TestResult

    Raises
    ------
    ValueError
        If shapes disagree or ``days`` are not valid column indices.
    """
    ev = np.asarray(event, dtype=float)
    n = ev.shape[0] if ev.ndim else 1
    ev = matrix(ev, "event", n)
    return corrado_rank_batch(matrix(estimation, "estimation", n)[None], ev[None], days)[0]


def corrado_rank_batch(estimation: ArrayLike, event: ArrayLike, days: int | Sequence[int] | None = None) -> TestColumns:
    """:func:`corrado_rank` of each block: ``estimation`` (blocks, N, T), ``event`` (blocks, N, L)."""
    blocks = np.asarray(estimation).shape[0] if np.ndim(estimation) == 3 else 0
    return corrado_rank_sets(estimation, event, [days] * blocks, np.arange(blocks))


def corrado_rank_sets(
    estimation: ArrayLike,
    event: ArrayLike,
    days: Sequence[int | Sequence[int] | None],
    of_block: ArrayLike,
    *,
    left_to_right: bool = False,
) -> TestColumns:
    """:func:`corrado_rank` of blocks that share securities: each set is ranked once.

    ``estimation`` (sets, N, T) and ``event`` (sets, N, L) are the sets of
    securities; block ``j`` tests the columns ``days[j]`` of set ``of_block[j]``
    (e.g. the windows of one event). ``left_to_right``: a window's standardized ranks summed
    left to right whatever the number of blocks (:func:`_sum_left_to_right`; the study's tests
    table, whose blocks may be tested in parts); else by ``sum(axis=1)``, pairwise for a lone block.
    """
    est, ev = batch(estimation, "estimation", 3), batch(event, "event", 3)
    if est.shape[:2] != ev.shape[:2]:
        raise ValueError(f"estimation and event differ in blocks or securities: {est.shape} vs {ev.shape}")
    sets = np.asarray(of_block, dtype=int)
    if sets.shape != (len(days),) or (len(sets) and (sets.min() < 0 or sets.max() >= est.shape[0])):
        raise ValueError(f"of_block must give a set in [0, {est.shape[0]}) for each of the {len(days)} blocks")
    n = est.shape[1]
    null = "event-day ranks are average"
    reasons = problems(n, estimation=est, event=ev)
    combined = np.concatenate([est, ev], axis=2)
    m = combined.shape[2]
    ok = np.array([r is None for r in reasons], dtype=bool)
    ubar = np.full((len(reasons), m), np.nan)
    s = np.full(len(reasons), np.nan)
    if ok.any():
        u = average_ranks(combined[ok]) / (m + 1.0) - 0.5
        ubar[ok] = u.mean(axis=1)
        s[ok] = np.sqrt(np.mean(ubar[ok] ** 2, axis=1))
    zero = "standardized ranks have zero variance"
    set_reason = [r or (None if v > 0 else zero) for r, v in zip(reasons, s.tolist(), strict=True)]
    z = np.full(len(sets), np.nan)
    names = np.empty(len(sets), dtype=object)
    windows: dict[object, list[int]] = {}  # blocks by their days: one vectorized sum each
    for j, block_days in enumerate(days):
        key = block_days if block_days is None or np.ndim(block_days) == 0 else tuple(block_days)
        windows.setdefault(key, []).append(j)
    for key, members in windows.items():
        cols = est.shape[2] + _columns(key, ev.shape[2])  # type: ignore[arg-type]
        names[members] = "Corrado rank" if cols.size == 1 else f"Corrado rank (Campbell-Wasley, {cols.size} days)"
        at = sets[members]
        with np.errstate(invalid="ignore", divide="ignore"):
            window = ubar[at][:, cols]
            total = _sum_left_to_right(window) if left_to_right else window.sum(axis=1)
            z[members] = total / (math.sqrt(cols.size) * s[at])
    reasons_of_block = [set_reason[i] for i in sets.tolist()]
    note = f"ranked over T + L = {m} days"
    return result_columns(names, null, n, z, normal_p(z), note=note, reasons=reasons_of_block)


def generalized_sign_z(car: ArrayLike, estimation: ArrayLike) -> TestResult:
    """Cowan (1992) generalized sign test.

    ``p = (1/N) sum_i (1/T_i) #{t : e_it > 0}``, the fraction of positive
    estimation-window residuals (pooled; equal T_i here), ``w = #{i : CAR_i > 0}``,
    ``Z = (w - N p) / sqrt(N p (1 - p))``, standard normal, two-sided. Zero
    CARs or residuals count as not positive. Assumes independence across
    securities (Cowan 1992, Review of Quantitative Finance and Accounting
    2(4), 343-358).

    Parameters
    ----------
    car : array_like, shape (N,)
        CARs.
    estimation : array_like, shape (N, T)
        Estimation-window residuals.

    Returns
    -------
    TestResult
    """
    x = vector(car, "car")
    return generalized_sign_z_batch(x[None], matrix(estimation, "estimation", len(x))[None])[0]


def generalized_sign_z_batch(car: ArrayLike, estimation: ArrayLike) -> TestColumns:
    """:func:`generalized_sign_z` of each block: ``car`` (blocks, N), ``estimation`` (blocks, N, T)."""
    name = "generalized sign Z"
    null = "share of positive CARs = estimation-window share"
    x, est = batch(car, "car", 2), batch(estimation, "estimation", 3)
    if est.shape[:2] != x.shape:
        raise ValueError(f"estimation must have shape ({x.shape[0]}, {x.shape[1]}, T), got {est.shape}")
    n = x.shape[1]
    reasons = problems(n, car=x, estimation=est)
    ps = np.count_nonzero(est > 0, axis=(1, 2)) / est[0].size if est.size else np.mean(est > 0, axis=(1, 2))
    ws = np.sum(x > 0, axis=1)
    for i, p in enumerate(ps.tolist()):
        if not reasons[i] and not 0.0 < p < 1.0:
            reasons[i] = f"estimation-window share of positive residuals is {p:g}"
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (ws - n * ps) / np.sqrt(n * ps * (1.0 - ps))
    notes = [f"{w} of {n} CARs positive; p = {p:.4f}" for w, p in zip(ws.tolist(), ps.tolist(), strict=True)]
    return result_columns(name, null, n, z, normal_p(z), note=notes, reasons=reasons)


def wilcoxon_signed_rank(car: ArrayLike) -> TestResult:
    """Wilcoxon (1945) signed-rank test on the CARs, through :func:`scipy.stats.wilcoxon`.

    Zero CARs are dropped (``zero_method="wilcox"``); the remaining
    ``|CAR_i|`` are ranked (ties at their average rank) and ``W+ / W-`` are
    the rank sums of positive / negative CARs. ``stat`` is ``min(W+, W-)``;
    the p-value is two-sided, from scipy's default ``method="auto"``: without
    ties, the exact null for n <= 50; with ties, every sign pattern for
    n <= 13 and above that the normal approximation with the tie correction
    ``Var = n(n+1)(2n+1)/24 - Σ(t³ - t)/48``; the normal approximation for
    n > 50; no continuity correction. (With ties, scipy's ``method="exact"``
    uses the null without ties, and an exhaustive permutation null took 14 s
    for one call at n = 16.)
    Assumes independent CARs, each symmetric about its median (Wilcoxon
    1945, Biometrics Bulletin 1(6), 80-83).

    Parameters
    ----------
    car : array_like, shape (N,)
        CARs.

    Returns
    -------
    TestResult
    """
    return wilcoxon_signed_rank_batch(vector(car, "car")[None])[0]


def wilcoxon_signed_rank_batch(car: ArrayLike) -> TestColumns:
    """:func:`wilcoxon_signed_rank` of each row of ``car`` (blocks, N).

    Rows without zero CARs go to scipy together (``axis=1``); a row with
    zeros is called alone on its non-zero CARs.
    """
    name = "Wilcoxon signed-rank"
    x = batch(car, "car", 2)
    n = x.shape[1]
    reasons = problems(n, car=x)
    nonzero = np.count_nonzero(x, axis=1)
    full = np.array([r is None for r in reasons], dtype=bool) & (nonzero == n) & (n >= 2)
    from scipy.stats import wilcoxon

    stat, pvalue = np.full(len(x), np.nan), np.full(len(x), np.nan)
    if full.any():
        res = wilcoxon(x[full], zero_method="wilcox", alternative="two-sided", axis=1)
        stat[full], pvalue[full] = res.statistic, res.pvalue
    notes = np.full(len(x), "", dtype=object)
    for i in np.flatnonzero(~full).tolist():
        k = int(nonzero[i])
        if reasons[i]:
            continue
        if k < 2:
            reasons[i] = f"{k} non-zero CARs; at least 2 are needed"
            continue
        one = wilcoxon_signed_rank_batch(x[i][x[i] != 0][None])
        stat[i], pvalue[i], notes[i] = one.stat[0], one.pvalue[0], f"{n - k} zero CARs dropped"
    nobs = np.where([r is None for r in reasons], nonzero, n) if len(x) else np.zeros(0, dtype=np.int64)
    return result_columns(name, NULL_MEDIAN, nobs, stat, pvalue, note=notes, reasons=reasons)
