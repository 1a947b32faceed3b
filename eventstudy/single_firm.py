"""Tests for one security and one event that do not assume normal returns.

Both tests compare the event-window CAR with an empirical null distribution
built from the estimation-window residuals and return a
:class:`~eventstudy.inference.TestResult`; a test that cannot be computed
returns :func:`~eventstudy.inference.invalid_result` with the reason.

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

import numpy as np
from numpy.typing import ArrayLike

from eventstudy.inference import TestResult, invalid_result

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
