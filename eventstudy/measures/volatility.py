"""Abnormal volatility: Beaver's U by day and the variance ratio of windows.

From the market model of returns fitted by the batch engine on the
estimation window (σ̂² = SSR/(T - 2)), for every pair at once:

- **Beaver's U** by day: ``U_t = AR_t² / σ̂²`` (Beaver 1968), about 1 on an
  ordinary day. Its test uses the prediction-error variance,
  ``U*_t = AR_t² / (σ̂²(1 + h_t)) = SAR_t²``, ``1 + h_t = 1 + 1/T +
  (m_t - m̄)²/S_mm``: under normal i.i.d. disturbances ``SAR_t`` is Student t
  with ``T - 2`` df, so ``U*_t`` is exactly ``F(1, T - 2)``; the p-value is
  the upper tail (more variance than usual).
- **Variance ratio** of an event window of L days: ``VR = (Σ AR_t² / L) /
  σ̂²``, the window's variance of abnormal returns about their mean of 0
  under H0, over the estimation variance. Its test accounts for the
  correlation of prediction errors through the estimated α, β:
  ``F = AR'Ω⁻¹AR / (L σ̂²)``, ``Ω = I + X*(X'X)⁻¹X*'``, exactly ``F(L, T - 2)``
  under the same assumptions (AR ~ N(0, σ²Ω), independent of σ̂²); with
  ``Ω⁻¹ = I - X*(X'X + X*'X*)⁻¹X*'`` it needs 2 x 2 inverses only. For
  L = 1 it is U*. The ARs are not demeaned: a large CAR raises VR as
  well as a wider spread of the daily ARs.
- Across N independent pairs (:func:`volatility_tests`), ``Σ_i L F_i`` is
  approximately χ²(N L) (each ``L F_i`` → χ²(L) as T → ∞; with T - 2 = 238
  the mean of each term is 0.8 % above L, so the test is very slightly
  liberal).

References
----------
Beaver, W. H. (1968). The information content of annual earnings
announcements. Journal of Accounting Research 6 (Supplement), 67-92.
MacKinlay, A. C. (1997). Event studies in economics and finance. Journal of
Economic Literature 35(1), 13-39.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from eventstudy.engine.stacks import as_stacked, batch_fit, columns
from eventstudy.inference.result import TestResult, invalid_result
from eventstudy.spec.types import DEFAULT_AR_WINDOW, DEFAULT_ESTIMATION_WINDOW, DEFAULT_EVENT_WINDOWS


@dataclass(frozen=True)
class AbnormalVolatility:
    """Beaver's U by day and the variance ratio by window, for P pairs."""

    ok: np.ndarray  # (P,) bool: the market model fit is usable
    sigma: np.ndarray  # (P,) estimation-window σ̂ of the returns' market model
    df: int  # T - 2
    days: np.ndarray  # (L,)
    abnormal: np.ndarray  # (P, L)
    u: np.ndarray  # (P, L) AR² / σ̂²
    u_star: np.ndarray  # (P, L) SAR², F(1, df) under H0
    p_day: np.ndarray  # (P, L) upper-tail p of u_star
    windows: tuple[tuple[int, int], ...]
    variance_ratio: np.ndarray  # (P, W) mean AR² / σ̂²
    f: np.ndarray  # (P, W) AR'Ω⁻¹AR / (L σ̂²), F(L, df) under H0
    p_window: np.ndarray  # (P, W)


def abnormal_volatility(
    returns: ArrayLike,
    market: ArrayLike,
    *,
    start: int,
    estimation_window: tuple[int, int] = DEFAULT_ESTIMATION_WINDOW,
    ar_window: tuple[int, int] = DEFAULT_AR_WINDOW,
    event_windows: tuple[tuple[int, int], ...] = DEFAULT_EVENT_WINDOWS,
) -> AbnormalVolatility:
    """Beaver's U and window variance ratios of every pair (see the module doc).

    Parameters
    ----------
    returns, market
        (P, S) simple returns of the security and its benchmark on the
        security's consecutive sessions; column ``j`` is event day ``start + j``.

    Read back from the disk cache when there (:func:`eventstudy.record_cache.cached_record`): a
    rerun then does not import ``scipy.special``.
    """
    from eventstudy import record_cache

    y = as_stacked(returns, "returns")
    m = as_stacked(market, "market", y.shape)
    windows = tuple((int(a), int(b)) for a, b in event_windows)
    inputs = (y, m, start, tuple(estimation_window), tuple(ar_window), windows)
    if len(y) > record_cache.CACHED_PAIRS:
        return _abnormal_volatility(*inputs)
    compute = functools.partial(_abnormal_volatility, *inputs)
    return record_cache.cached_record("volatility", inputs, compute, (AbnormalVolatility,))


def _abnormal_volatility(
    y: np.ndarray,
    m: np.ndarray,
    start: int,
    estimation_window: tuple[int, int],
    ar_window: tuple[int, int],
    windows: tuple[tuple[int, int], ...],
) -> AbnormalVolatility:
    from scipy import special

    fit = batch_fit(y, m, start, estimation_window, ar_window, windows)
    me_est = m[:, columns(start, y.shape[1], estimation_window, "estimation window")]
    n, df = fit.fit.nobs, fit.fit.df
    s2 = fit.fit.sigma**2
    ar, me = fit.abnormal, fit.regressors[:, :, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        u = ar**2 / s2[:, None]
        u_star = fit.sar**2
        # X'X of the estimation design [1, m], per pair
        a11, a12, a22 = np.full(len(y), float(n)), me_est.sum(axis=1), np.einsum("ij,ij->i", me_est, me_est)
        vr, f = np.empty((len(y), len(windows))), np.empty((len(y), len(windows)))
        for w, (lo, hi) in enumerate(windows):  # windows, not pairs
            cols = slice(lo - ar_window[0], hi - ar_window[0] + 1)
            e, x = ar[:, cols], me[:, cols]
            length = e.shape[1]
            ss = np.einsum("ij,ij->i", e, e)
            b1, b2 = e.sum(axis=1), np.einsum("ij,ij->i", x, e)  # X*'AR
            c11, c12, c22 = a11 + length, a12 + x.sum(axis=1), a22 + np.einsum("ij,ij->i", x, x)  # X'X + X*'X*
            det = c11 * c22 - c12**2
            quad = ss - (c22 * b1**2 - 2 * c12 * b1 * b2 + c11 * b2**2) / det
            vr[:, w] = ss / length / s2
            f[:, w] = quad / length / s2
        p_window = special.fdtrc(np.array([b - a + 1 for a, b in windows], dtype=float), df, f)
    return AbnormalVolatility(
        ok=fit.fit.problem == "", sigma=fit.fit.sigma, df=df, days=np.arange(ar_window[0], ar_window[1] + 1),
        abnormal=ar, u=u, u_star=u_star,
        p_day=special.fdtrc(1.0, df, u_star), windows=windows, variance_ratio=vr, f=f, p_window=p_window,
    )  # fmt: skip


def volatility_tests(vol: AbnormalVolatility, window: tuple[int, int], pairs: ArrayLike | None = None) -> TestResult:
    """Across pairs: ``Σ_i L F_i`` against χ²(N L) (see the module doc).

    For a one-day window this is the sum of the pairs' U* on that day.
    ``pairs`` selects rows (default every ``ok`` pair); pairs not ``ok`` are left out.
    """
    from scipy import special

    key = (int(window[0]), int(window[1]))
    w = vol.windows.index(key)
    sel = vol.ok.copy() if pairs is None else np.isin(np.arange(len(vol.ok)), np.asarray(pairs)) & vol.ok
    length = key[1] - key[0] + 1
    name, null = "abnormal volatility chi-square", "event-window return variance = estimation variance"
    values = vol.f[sel, w] * length
    if not len(values):
        return invalid_result(name, null, 0, "no pair with a usable fit")
    if not np.isfinite(values).all():
        return invalid_result(name, null, len(values), "F statistics contain NaN or infinite values")
    stat, dof = float(values.sum()), len(values) * length
    return TestResult(name, stat, float(special.chdtrc(dof, stat)), null, len(values), float(dof),
                      f"upper tail; mean variance ratio {float(vol.variance_ratio[sel, w].mean()):.3f}")  # fmt: skip
