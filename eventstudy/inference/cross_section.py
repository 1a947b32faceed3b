"""Cross-sectional tests: N securities, one event on a common event date.

Every function takes plain arrays and returns a
:class:`~eventstudy.inference.result.TestResult`. A test that cannot be computed
(fewer than two securities, NaNs, zero variance) returns
:func:`~eventstudy.inference.result.invalid_result` with the reason in ``note``;
only inconsistent shapes raise ``ValueError``.

Inputs, per security ``i = 1..N``:

- ``car``: the CAR over the event window (or the event-day AR), shape (N,).
- ``sd``: the prediction-error standard deviation of that CAR, e.g.
  the CAR ``se`` of the engine (:mod:`eventstudy.engine.ols`; or the AR's for a
  day), shape (N,).
- ``df_resid``: estimation-window degrees of freedom ``T_i - k``.
- ``estimation``: estimation-window residuals, shape (N, T).
- ``event``: event-window abnormal returns, shape (N, L) or (N,).

References are in each docstring and in ``docs/methodology.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from eventstudy.inference.result import TestResult, invalid_result, t_two_sided

NULL_MEAN = "mean CAR = 0"
NULL_MEDIAN = "CARs symmetric about 0"


def _vector(values: ArrayLike, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def _matrix(values: ArrayLike, name: str, nrows: int) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] != nrows:
        raise ValueError(f"{name} must have shape ({nrows}, T), got {arr.shape}")
    return arr


def _problems(n: int, **arrays: np.ndarray) -> list[str | None]:
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


def _batch(values: ArrayLike, name: str, ndim: int) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional (blocks first), got shape {arr.shape}")
    return arr


def _normal_p(z: float) -> float:
    """Two-sided standard-normal p-value."""
    return math.erfc(abs(z) / math.sqrt(2.0))


def _t_p(t: float, df: float) -> float:
    """Two-sided Student-t p-value."""
    return t_two_sided(t, df)


def _mean_t(values: np.ndarray) -> np.ndarray:
    """Per row, ``mean / (sd / sqrt(N))`` with the ddof=1 sd; NaN where the sd is not positive or finite."""
    n = values.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.std(values, ddof=1, axis=1)
        t = np.mean(values, axis=1) / (sd / math.sqrt(n))
    return np.where(np.isfinite(sd) & (sd > 0), t, np.nan)


def cross_sectional_t(car: ArrayLike) -> TestResult:
    """Cross-sectional t test of the mean CAR.

    ``t = mean(CAR) / (s / sqrt(N))`` with ``s`` the cross-sectional standard
    deviation of the CARs (ddof = 1), Student t with ``N - 1`` df, two-sided.
    Robust to event-induced variance, but assumes the CARs are independent
    across securities and equally distributed (Brown & Warner 1985,
    Journal of Financial Economics 14(1), 3-31).

    Parameters
    ----------
    car : array_like, shape (N,)
        CARs (or event-day ARs).

    Returns
    -------
    TestResult
    """
    return cross_sectional_t_batch(_vector(car, "car")[None])[0]


def cross_sectional_t_batch(car: ArrayLike) -> list[TestResult]:
    """:func:`cross_sectional_t` of each row of ``car`` (blocks, N)."""
    x = _batch(car, "car", 2)
    return _mean_t_results("cross-sectional t", x, _problems(x.shape[1], car=x), "CARs")


def _mean_t_results(name: str, x: np.ndarray, reasons: list[str | None], what: str) -> list[TestResult]:
    """The mean t test of each row of ``x``, or the row's reason it cannot be computed."""
    n = x.shape[1]
    t = _mean_t(x) if n >= 2 else np.full(len(x), np.nan)
    p = _t_p(t, n - 1) if n >= 2 else t
    out = []
    for i, reason in enumerate(reasons):
        if reason:
            out.append(invalid_result(name, NULL_MEAN, n, reason))
        elif not math.isfinite(t[i]):
            out.append(invalid_result(name, NULL_MEAN, n, f"{what} have zero cross-sectional variance"))
        else:
            out.append(TestResult(name, float(t[i]), float(p[i]), NULL_MEAN, n, float(n - 1)))
    return out


def standardized_car(car: ArrayLike, sd: ArrayLike) -> np.ndarray:
    """``SCAR_i = CAR_i / s_i``; NaN where ``s_i`` is not positive (any shape, the same for both)."""
    x, s = np.asarray(car, dtype=float), np.asarray(sd, dtype=float)
    if x.ndim == 0 or x.shape != s.shape:
        raise ValueError(f"car and sd differ in shape: {x.shape} vs {s.shape}")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(s > 0, x / s, np.nan)


def patell_z(car: ArrayLike, sd: ArrayLike, df_resid: ArrayLike) -> TestResult:
    """Patell (1976) standardized-residual Z test.

    ``SCAR_i = CAR_i / s_i``; under H0 with normal disturbances SCAR_i is
    Student t with ``T_i - k`` df, so ``Var(SCAR_i) = (T_i - k) / (T_i - k - 2)``.
    ``Z = sum_i SCAR_i / sqrt(sum_i (T_i - k) / (T_i - k - 2))``, standard
    normal, two-sided. Assumes independence across securities and no
    event-induced variance change (Patell 1976, Journal of Accounting
    Research 14(2), 246-276).

    Parameters
    ----------
    car : array_like, shape (N,)
        CARs.
    sd : array_like, shape (N,)
        Prediction-error standard deviations of the CARs.
    df_resid : array_like, shape (N,) or scalar
        ``T_i - k`` (the fits' ``df``); each must exceed 2.

    Returns
    -------
    TestResult
    """
    x = _vector(car, "car")
    return patell_z_batch(
        x[None], _vector(sd, "sd")[None], np.broadcast_to(np.asarray(df_resid, float), x.shape)[None]
    )[0]


def patell_z_batch(car: ArrayLike, sd: ArrayLike, df_resid: ArrayLike) -> list[TestResult]:
    """:func:`patell_z` of each row of ``car``, ``sd`` (blocks, N) and ``df_resid`` (broadcast to them)."""
    name = "Patell Z"
    scar = standardized_car(_batch(car, "car", 2), _batch(sd, "sd", 2))
    dof = np.broadcast_to(np.asarray(df_resid, dtype=float), scar.shape)
    n = scar.shape[1]
    reasons = _problems(n, SCAR=scar, df_resid=dof)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = scar.sum(axis=1) / np.sqrt(np.sum(dof / (dof - 2.0), axis=1))
    out = []
    for i, reason in enumerate(reasons):
        if reason:
            out.append(invalid_result(name, NULL_MEAN, n, reason))
        elif (dof[i] <= 2).any():
            out.append(invalid_result(name, NULL_MEAN, n, "df_resid (T - k) must exceed 2 for every security"))
        else:
            out.append(TestResult(name, float(z[i]), _normal_p(float(z[i])), NULL_MEAN, n))
    return out


def bmp_t(car: ArrayLike, sd: ArrayLike) -> TestResult:
    """Boehmer, Musumeci & Poulsen (1991) standardized cross-sectional test.

    ``t = mean(SCAR) / (sd(SCAR) / sqrt(N))`` with ``SCAR_i = CAR_i / s_i``
    and the cross-sectional sd of the SCARs (ddof = 1); Student t with
    ``N - 1`` df, two-sided. Robust to event-induced variance; assumes
    independence across securities (Boehmer, Musumeci & Poulsen 1991,
    Journal of Financial Economics 30(2), 253-272).

    Parameters
    ----------
    car : array_like, shape (N,)
        CARs.
    sd : array_like, shape (N,)
        Prediction-error standard deviations of the CARs.

    Returns
    -------
    TestResult
    """
    return bmp_t_batch(_vector(car, "car")[None], _vector(sd, "sd")[None])[0]


def bmp_t_batch(car: ArrayLike, sd: ArrayLike) -> list[TestResult]:
    """:func:`bmp_t` of each row of ``car`` and ``sd`` (blocks, N)."""
    scar = standardized_car(_batch(car, "car", 2), _batch(sd, "sd", 2))
    return _mean_t_results("BMP t", scar, _problems(scar.shape[1], SCAR=scar), "SCARs")


def average_correlation(residuals: ArrayLike) -> float:
    """Mean off-diagonal entry of the correlation matrix of the N rows.

    NaN if there are fewer than 2 rows, fewer than 3 columns, NaNs, or a
    constant row.
    """
    e = np.asarray(residuals, dtype=float)
    if e.ndim != 2:
        return float("nan")
    return float(average_correlations(e[None])[0])


def average_correlations(residuals: ArrayLike) -> np.ndarray:
    """:func:`average_correlation` of each block of ``residuals`` (blocks, N, T)."""
    e = _batch(residuals, "residuals", 3)
    b, n, t = e.shape
    if n < 2 or t < 3:
        return np.full(b, np.nan)
    ok = np.isfinite(e).all(axis=(1, 2))
    ok[ok] = (np.ptp(e[ok], axis=2) > 0).all(axis=1)
    centred = e[ok] - e[ok].mean(axis=2, keepdims=True)
    cov = centred @ centred.transpose(0, 2, 1)
    d = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
    corr = np.clip(cov / d[:, :, None] / d[:, None, :], -1.0, 1.0)
    out = np.full(b, np.nan)
    out[ok] = (corr.sum(axis=(1, 2)) - np.trace(corr, axis1=1, axis2=2)) / (n * (n - 1))
    return out


def kolari_pynnonen_t(car: ArrayLike, sd: ArrayLike, residuals: ArrayLike) -> TestResult:
    """Kolari & Pynnönen (2010) BMP test adjusted for cross-correlation.

    ``t_adj = t_BMP * sqrt((1 - r) / (1 + (N - 1) r))`` with ``r`` the
    average pairwise correlation of the N estimation-window residual series
    (:func:`average_correlation`); Student t with ``N - 1`` df, two-sided.
    Assumes the event-window correlation equals the estimation-window one
    (Kolari & Pynnönen 2010, Review of Financial Studies 23(11), 3996-4025).

    Parameters
    ----------
    car : array_like, shape (N,)
        CARs.
    sd : array_like, shape (N,)
        Prediction-error standard deviations of the CARs.
    residuals : array_like, shape (N, T)
        Estimation-window residuals, aligned on the same dates.

    Returns
    -------
    TestResult
    """
    x = _vector(car, "car")
    return kolari_pynnonen_t_batch(x[None], _vector(sd, "sd")[None], _matrix(residuals, "residuals", len(x))[None])[0]


def kolari_pynnonen_t_batch(car: ArrayLike, sd: ArrayLike, residuals: ArrayLike) -> list[TestResult]:
    """:func:`kolari_pynnonen_t` of each block: ``car``, ``sd`` (blocks, N), ``residuals`` (blocks, N, T)."""
    name = "Kolari-Pynnönen adjusted BMP t"
    bmps = bmp_t_batch(car, sd)
    e = _batch(residuals, "residuals", 3)
    n = e.shape[1]
    if e.shape[0] != len(bmps) or n != np.shape(car)[1]:
        raise ValueError(f"residuals must have shape ({len(bmps)}, {np.shape(car)[1]}, T), got {e.shape}")
    valid = np.array([b.valid for b in bmps], dtype=bool)
    rs = np.full(len(bmps), np.nan)
    rs[valid] = average_correlations(e[valid])
    out = []
    for bmp, r in zip(bmps, rs, strict=True):
        r = float(r)
        if not bmp.valid:
            out.append(invalid_result(name, NULL_MEAN, n, bmp.note))
        elif not math.isfinite(r):
            reason = "residual correlation undefined (NaNs, T < 3 or a constant series)"
            out.append(invalid_result(name, NULL_MEAN, n, reason))
        elif (denom := 1.0 + (n - 1) * r) <= 0:
            reason = f"average residual correlation {r:.4f} makes 1 + (N-1)r <= 0"
            out.append(invalid_result(name, NULL_MEAN, n, reason))
        else:
            t = bmp.stat * math.sqrt((1.0 - r) / denom)
            note = f"average residual correlation {r:.4f}"
            out.append(TestResult(name, t, _t_p(t, n - 1), NULL_MEAN, n, float(n - 1), note))
    return out


def _columns(days: int | Sequence[int] | None, length: int) -> np.ndarray:
    cols = np.arange(length) if days is None else np.atleast_1d(np.asarray(days, dtype=int))
    if cols.size == 0 or len(np.unique(cols)) != cols.size or cols.min() < 0 or cols.max() >= length:
        raise ValueError(f"days must be distinct column indices in [0, {length}), got {days!r}")
    return cols


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
    ev = _matrix(ev, "event", n)
    return corrado_rank_batch(_matrix(estimation, "estimation", n)[None], ev[None], days)[0]


def corrado_rank_batch(
    estimation: ArrayLike, event: ArrayLike, days: int | Sequence[int] | None = None
) -> list[TestResult]:
    """:func:`corrado_rank` of each block: ``estimation`` (blocks, N, T), ``event`` (blocks, N, L)."""
    blocks = np.asarray(estimation).shape[0] if np.ndim(estimation) == 3 else 0
    return corrado_rank_sets(estimation, event, [days] * blocks, np.arange(blocks))


def corrado_rank_sets(
    estimation: ArrayLike,
    event: ArrayLike,
    days: Sequence[int | Sequence[int] | None],
    of_block: ArrayLike,
) -> list[TestResult]:
    """:func:`corrado_rank` of blocks that share securities: each set is ranked once.

    ``estimation`` (sets, N, T) and ``event`` (sets, N, L) are the sets of
    securities; block ``j`` tests the columns ``days[j]`` of set ``of_block[j]``
    (e.g. the windows of one event).
    """
    est, ev = _batch(estimation, "estimation", 3), _batch(event, "event", 3)
    if est.shape[:2] != ev.shape[:2]:
        raise ValueError(f"estimation and event differ in blocks or securities: {est.shape} vs {ev.shape}")
    sets = np.asarray(of_block, dtype=int)
    if sets.shape != (len(days),) or (len(sets) and (sets.min() < 0 or sets.max() >= est.shape[0])):
        raise ValueError(f"of_block must give a set in [0, {est.shape[0]}) for each of the {len(days)} blocks")
    n = est.shape[1]
    null = "event-day ranks are average"
    reasons = _problems(n, estimation=est, event=ev)
    combined = np.concatenate([est, ev], axis=2)
    m = combined.shape[2]
    from scipy.stats import rankdata

    ok = np.array([r is None for r in reasons], dtype=bool)
    ubar = np.full((len(reasons), m), np.nan)
    s = np.full(len(reasons), np.nan)
    if ok.any():
        u = rankdata(combined[ok], axis=-1) / (m + 1.0) - 0.5
        ubar[ok] = u.mean(axis=1)
        s[ok] = np.sqrt(np.mean(ubar[ok] ** 2, axis=1))
    out = []
    for block_days, i in zip(days, sets.tolist(), strict=True):
        cols = est.shape[2] + _columns(block_days, ev.shape[2])
        name = "Corrado rank" if cols.size == 1 else f"Corrado rank (Campbell-Wasley, {cols.size} days)"
        if reasons[i]:
            out.append(invalid_result(name, null, n, reasons[i]))
        elif not s[i] > 0:
            out.append(invalid_result(name, null, n, "standardized ranks have zero variance"))
        else:
            z = float(ubar[i, cols].sum() / (math.sqrt(cols.size) * s[i]))
            out.append(TestResult(name, z, _normal_p(z), null, n, note=f"ranked over T + L = {m} days"))
    return out


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
    x = _vector(car, "car")
    return generalized_sign_z_batch(x[None], _matrix(estimation, "estimation", len(x))[None])[0]


def generalized_sign_z_batch(car: ArrayLike, estimation: ArrayLike) -> list[TestResult]:
    """:func:`generalized_sign_z` of each block: ``car`` (blocks, N), ``estimation`` (blocks, N, T)."""
    name = "generalized sign Z"
    null = "share of positive CARs = estimation-window share"
    x, est = _batch(car, "car", 2), _batch(estimation, "estimation", 3)
    if est.shape[:2] != x.shape:
        raise ValueError(f"estimation must have shape ({x.shape[0]}, {x.shape[1]}, T), got {est.shape}")
    n = x.shape[1]
    reasons = _problems(n, car=x, estimation=est)
    ps = np.mean(est > 0, axis=(1, 2))
    ws = np.sum(x > 0, axis=1)
    out = []
    for reason, p, w in zip(reasons, ps.tolist(), ws.tolist(), strict=True):
        if reason:
            out.append(invalid_result(name, null, n, reason))
        elif not 0.0 < p < 1.0:
            out.append(invalid_result(name, null, n, f"estimation-window share of positive residuals is {p:g}"))
        else:
            z = (w - n * p) / math.sqrt(n * p * (1.0 - p))
            out.append(TestResult(name, z, _normal_p(z), null, n, note=f"{w} of {n} CARs positive; p = {p:.4f}"))
    return out


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
    return wilcoxon_signed_rank_batch(_vector(car, "car")[None])[0]


def wilcoxon_signed_rank_batch(car: ArrayLike) -> list[TestResult]:
    """:func:`wilcoxon_signed_rank` of each row of ``car`` (blocks, N).

    Rows without zero CARs go to scipy together (``axis=1``); a row with
    zeros is called alone on its non-zero CARs.
    """
    name = "Wilcoxon signed-rank"
    x = _batch(car, "car", 2)
    n = x.shape[1]
    reasons = _problems(n, car=x)
    nonzero = np.count_nonzero(x, axis=1)
    full = np.array([r is None for r in reasons], dtype=bool) & (nonzero == n) & (n >= 2)
    from scipy.stats import wilcoxon

    stat, pvalue = np.full(len(x), np.nan), np.full(len(x), np.nan)
    if full.any():
        res = wilcoxon(x[full], zero_method="wilcox", alternative="two-sided", axis=1)
        stat[full], pvalue[full] = res.statistic, res.pvalue
    out = []
    for i, reason in enumerate(reasons):
        k = int(nonzero[i])
        if reason:
            out.append(invalid_result(name, NULL_MEDIAN, n, reason))
        elif k < 2:
            out.append(invalid_result(name, NULL_MEDIAN, n, f"{k} non-zero CARs; at least 2 are needed"))
        elif full[i]:
            out.append(TestResult(name, float(stat[i]), float(pvalue[i]), NULL_MEDIAN, k))
        else:
            one = wilcoxon_signed_rank_batch(x[i][x[i] != 0][None])[0]
            out.append(TestResult(name, one.stat, one.pvalue, NULL_MEDIAN, k, note=f"{n - k} zero CARs dropped"))
    return out
