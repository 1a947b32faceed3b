"""Parametric cross-sectional tests of the mean CAR: cross-sectional t, Patell, BMP and Kolari-Pynnönen."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from eventstudy.inference.cross_section.inputs_and_p import (
    NULL_MEAN,
    TestColumns,
    batch,
    matrix,
    mean_t_results,
    normal_p,
    problems,
    result_columns,
    t_p,
    vector,
)
from eventstudy.inference.result import TestResult


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
    return cross_sectional_t_batch(vector(car, "car")[None])[0]


def cross_sectional_t_batch(car: ArrayLike) -> TestColumns:
    """:func:`cross_sectional_t` of each row of ``car`` (blocks, N)."""
    x = batch(car, "car", 2)
    return mean_t_results("cross-sectional t", x, problems(x.shape[1], car=x), "CARs")


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
    x = vector(car, "car")
    return patell_z_batch(x[None], vector(sd, "sd")[None], np.broadcast_to(np.asarray(df_resid, float), x.shape)[None])[
        0
    ]


def patell_z_batch(car: ArrayLike, sd: ArrayLike, df_resid: ArrayLike) -> TestColumns:
    """:func:`patell_z` of each row of ``car``, ``sd`` (blocks, N) and ``df_resid`` (broadcast to them)."""
    scar = standardized_car(batch(car, "car", 2), batch(sd, "sd", 2))
    dof = np.broadcast_to(np.asarray(df_resid, dtype=float), scar.shape)
    n = scar.shape[1]
    reasons = problems(n, SCAR=scar, df_resid=dof)
    small = "df_resid (T - k) must exceed 2 for every security"
    reasons = [r or (small if s else None) for r, s in zip(reasons, (dof <= 2).any(axis=1).tolist(), strict=True)]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = scar.sum(axis=1) / np.sqrt(np.sum(dof / (dof - 2.0), axis=1))
    return result_columns("Patell Z", NULL_MEAN, n, z, normal_p(z), reasons=reasons)


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
    return bmp_t_batch(vector(car, "car")[None], vector(sd, "sd")[None])[0]


def bmp_t_batch(car: ArrayLike, sd: ArrayLike) -> TestColumns:
    """:func:`bmp_t` of each row of ``car`` and ``sd`` (blocks, N)."""
    scar = standardized_car(batch(car, "car", 2), batch(sd, "sd", 2))
    return mean_t_results("BMP t", scar, problems(scar.shape[1], SCAR=scar), "SCARs")


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
    e = batch(residuals, "residuals", 3)
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
    x = vector(car, "car")
    return kolari_pynnonen_t_batch(x[None], vector(sd, "sd")[None], matrix(residuals, "residuals", len(x))[None])[0]


def kolari_pynnonen_t_batch(
    car: ArrayLike, sd: ArrayLike, residuals: ArrayLike, of_block: ArrayLike | None = None
) -> TestColumns:
    """:func:`kolari_pynnonen_t` of each block: ``car``, ``sd`` (blocks, N), ``residuals`` (blocks, N, T).

    With ``of_block``, ``residuals`` (sets, N, T) are sets of securities and block
    ``j`` uses set ``of_block[j]``: each set's correlation is computed once (the
    windows of one event).
    """
    name = "Kolari-Pynnönen adjusted BMP t"
    bmp = bmp_t_batch(car, sd)
    e = batch(residuals, "residuals", 3)
    n = e.shape[1]
    sets = np.arange(len(bmp)) if of_block is None else np.asarray(of_block, dtype=np.intp).reshape(-1)
    if len(sets) != len(bmp) or n != np.shape(car)[1] or (len(sets) and not 0 <= sets.min() <= sets.max() < len(e)):
        raise ValueError(f"residuals must have shape ({len(bmp)}, {np.shape(car)[1]}, T), got {e.shape}")
    valid = np.isfinite(bmp.pvalue)
    used = np.zeros(len(e), dtype=bool)
    used[sets[valid]] = True
    by_set = np.full(len(e), np.nan)
    by_set[used] = average_correlations(e[used])
    rs = by_set[sets]
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = 1.0 + (n - 1) * rs
        t = bmp.stat * np.sqrt((1.0 - rs) / denom)
    undefined = "residual correlation undefined (NaNs, T < 3 or a constant series)"
    reasons = [
        note if not ok else undefined if not math.isfinite(r) else
        f"average residual correlation {r:.4f} makes 1 + (N-1)r <= 0" if d <= 0 else None
        for ok, note, r, d in zip(valid.tolist(), bmp.note.tolist(), rs.tolist(), denom.tolist(), strict=True)
    ]  # fmt: skip
    notes = [f"average residual correlation {r:.4f}" for r in rs.tolist()]
    return result_columns(name, NULL_MEAN, n, t, t_p(t, n - 1), df=float(n - 1), note=notes, reasons=reasons)
