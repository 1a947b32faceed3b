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


def _problem(n: int, **arrays: np.ndarray) -> str | None:
    """Why a test cannot be computed, or None."""
    if n < 2:
        return f"{n} securities; at least 2 are needed"
    for name, arr in arrays.items():
        if not np.isfinite(arr).all():
            return f"{name} contains NaN or infinite values"
    return None


def _normal_p(z: float) -> float:
    """Two-sided standard-normal p-value."""
    return math.erfc(abs(z) / math.sqrt(2.0))


def _t_p(t: float, df: float) -> float:
    """Two-sided Student-t p-value."""
    return t_two_sided(t, df)


def _mean_t(values: np.ndarray) -> float | None:
    """``mean / (sd / sqrt(N))`` with the ddof=1 sd; None if the sd is not positive."""
    sd = float(np.std(values, ddof=1))
    if not (math.isfinite(sd) and sd > 0):
        return None
    return float(np.mean(values) / (sd / math.sqrt(len(values))))


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
    name = "cross-sectional t"
    x = _vector(car, "car")
    if reason := _problem(len(x), car=x):
        return invalid_result(name, NULL_MEAN, len(x), reason)
    t = _mean_t(x)
    if t is None:
        return invalid_result(name, NULL_MEAN, len(x), "CARs have zero cross-sectional variance")
    return TestResult(name, t, _t_p(t, len(x) - 1), NULL_MEAN, len(x), float(len(x) - 1))


def standardized_car(car: ArrayLike, sd: ArrayLike) -> np.ndarray:
    """``SCAR_i = CAR_i / s_i``; NaN where ``s_i`` is not positive."""
    x, s = _vector(car, "car"), _vector(sd, "sd")
    if x.shape != s.shape:
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
    name = "Patell Z"
    scar = standardized_car(car, sd)
    dof = np.broadcast_to(np.asarray(df_resid, dtype=float), scar.shape)
    if reason := _problem(len(scar), SCAR=scar, df_resid=dof):
        return invalid_result(name, NULL_MEAN, len(scar), reason)
    if (dof <= 2).any():
        return invalid_result(name, NULL_MEAN, len(scar), "df_resid (T - k) must exceed 2 for every security")
    z = float(scar.sum() / math.sqrt(float(np.sum(dof / (dof - 2.0)))))
    return TestResult(name, z, _normal_p(z), NULL_MEAN, len(scar))


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
    name = "BMP t"
    scar = standardized_car(car, sd)
    if reason := _problem(len(scar), SCAR=scar):
        return invalid_result(name, NULL_MEAN, len(scar), reason)
    t = _mean_t(scar)
    if t is None:
        return invalid_result(name, NULL_MEAN, len(scar), "SCARs have zero cross-sectional variance")
    return TestResult(name, t, _t_p(t, len(scar) - 1), NULL_MEAN, len(scar), float(len(scar) - 1))


def average_correlation(residuals: ArrayLike) -> float:
    """Mean off-diagonal entry of the correlation matrix of the N rows.

    NaN if there are fewer than 2 rows, fewer than 3 columns, NaNs, or a
    constant row.
    """
    e = np.asarray(residuals, dtype=float)
    if e.ndim != 2 or e.shape[0] < 2 or e.shape[1] < 3 or not np.isfinite(e).all():
        return float("nan")
    if (np.ptp(e, axis=1) == 0).any():
        return float("nan")
    corr = np.corrcoef(e)
    n = e.shape[0]
    return float((corr.sum() - np.trace(corr)) / (n * (n - 1)))


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
    name = "Kolari-Pynnönen adjusted BMP t"
    bmp = bmp_t(car, sd)
    e = _matrix(residuals, "residuals", bmp.nobs)
    if not bmp.valid:
        return invalid_result(name, NULL_MEAN, bmp.nobs, bmp.note)
    n = bmp.nobs
    r = average_correlation(e)
    if not math.isfinite(r):
        return invalid_result(name, NULL_MEAN, n, "residual correlation undefined (NaNs, T < 3 or a constant series)")
    denom = 1.0 + (n - 1) * r
    if denom <= 0:
        return invalid_result(name, NULL_MEAN, n, f"average residual correlation {r:.4f} makes 1 + (N-1)r <= 0")
    t = bmp.stat * math.sqrt((1.0 - r) / denom)
    return TestResult(name, t, _t_p(t, n - 1), NULL_MEAN, n, float(n - 1), f"average residual correlation {r:.4f}")


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
    est = _matrix(estimation, "estimation", n)
    cols = est.shape[1] + _columns(days, ev.shape[1])
    name = "Corrado rank" if cols.size == 1 else f"Corrado rank (Campbell-Wasley, {cols.size} days)"
    null = "event-day ranks are average"
    if reason := _problem(n, estimation=est, event=ev):
        return invalid_result(name, null, n, reason)
    combined = np.hstack([est, ev])
    from scipy.stats import rankdata

    u = rankdata(combined, axis=-1) / (combined.shape[1] + 1.0) - 0.5
    ubar = u.mean(axis=0)
    s = math.sqrt(float(np.mean(ubar**2)))
    if not s > 0:
        return invalid_result(name, null, n, "standardized ranks have zero variance")
    z = float(ubar[cols].sum() / (math.sqrt(cols.size) * s))
    return TestResult(name, z, _normal_p(z), null, n, note=f"ranked over T + L = {combined.shape[1]} days")


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
    name = "generalized sign Z"
    null = "share of positive CARs = estimation-window share"
    x = _vector(car, "car")
    est = _matrix(estimation, "estimation", len(x))
    if reason := _problem(len(x), car=x, estimation=est):
        return invalid_result(name, null, len(x), reason)
    p = float(np.mean(est > 0))
    if not 0.0 < p < 1.0:
        return invalid_result(name, null, len(x), f"estimation-window share of positive residuals is {p:g}")
    w = int(np.sum(x > 0))
    n = len(x)
    z = (w - n * p) / math.sqrt(n * p * (1.0 - p))
    return TestResult(name, z, _normal_p(z), null, n, note=f"{w} of {n} CARs positive; p = {p:.4f}")


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
    name = "Wilcoxon signed-rank"
    x = _vector(car, "car")
    if reason := _problem(len(x), car=x):
        return invalid_result(name, NULL_MEDIAN, len(x), reason)
    nonzero = int(np.count_nonzero(x))
    if nonzero < 2:
        return invalid_result(name, NULL_MEDIAN, len(x), f"{nonzero} non-zero CARs; at least 2 are needed")
    note = f"{len(x) - nonzero} zero CARs dropped" if nonzero < len(x) else ""
    from scipy.stats import wilcoxon

    res = wilcoxon(x[x != 0], zero_method="wilcox", alternative="two-sided")
    return TestResult(name, float(res.statistic), float(res.pvalue), NULL_MEDIAN, nonzero, note=note)
