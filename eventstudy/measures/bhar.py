"""Buy-and-hold abnormal returns for long windows, and their cross-sectional tests.

``BHAR_i = Π_{t=τ1..τ2} (1 + R_it) - Π_{t=τ1..τ2} (1 + R_mt)``: the return of
holding the security over the window less that of holding its benchmark
(Barber & Lyon 1997). Unlike a CAR it compounds, so it is the move an
investor saw over weeks or months ([0, +20], [0, +60]). BHARs are
right-skewed, which biases the ordinary t test; Lyon, Barber & Tsai (1999)
use Johnson's (1978) skewness-adjusted t and its bootstrap:

    S = mean(BHAR) / sd(BHAR)        (sd with N - 1)
    γ̂ = Σ (BHAR_i - mean)³ / (N sd³)
    t_sa = √N (S + γ̂ S² / 3 + γ̂ / (6N))

compared with Student t, N - 1 df (Johnson 1978). The bootstrapped version
draws B resamples of ``n_b = N/4`` BHARs with replacement, computes
``t_sa^b`` on each with ``S^b = (mean^b - mean) / sd^b`` (centred on the
sample mean, so H0 holds in the resamples) and γ̂^b from the resample, and
rejects when ``t_sa`` falls outside the α/2 and 1 - α/2 quantiles of the
``t_sa^b``; the two-sided p-value is ``2 min(P(t^b ≤ t_sa), P(t^b ≥ t_sa))``.

References
----------
Barber, B. M. & Lyon, J. D. (1997). Detecting long-run abnormal stock
returns: the empirical power and specification of test statistics. Journal
of Financial Economics 43(3), 341-372.
Johnson, N. J. (1978). Modified t tests and confidence intervals for
asymmetrical populations. Journal of the American Statistical Association
73(363), 536-544.
Lyon, J. D., Barber, B. M. & Tsai, C.-L. (1999). Improved methods for tests
of long-run abnormal stock returns. Journal of Finance 54(1), 165-201.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from eventstudy.engine.stacks import as_stacked, columns
from eventstudy.inference.result import TestResult, invalid_result, t_two_sided

LONG_WINDOWS = ((0, 20), (0, 60))
NULL = "mean BHAR = 0"


@dataclass(frozen=True)
class BuyAndHold:
    """Buy-and-hold returns by pair (first axis) and window (second axis); NaN where a return is missing."""

    windows: tuple[tuple[int, int], ...]
    security: np.ndarray  # (P, W) Π(1 + R) - 1
    benchmark: np.ndarray  # (P, W) Π(1 + R_m) - 1
    bhar: np.ndarray  # (P, W)


def buy_and_hold(
    returns: ArrayLike, market: ArrayLike, *, start: int, windows: tuple[tuple[int, int], ...] = LONG_WINDOWS
) -> BuyAndHold:
    """BHAR of every pair over each window.

    ``returns`` and ``market`` are (P, S) simple returns on the security's
    consecutive sessions; column ``j`` is event day ``start + j``. The
    window [τ1, τ2] compounds the returns of days τ1..τ2 (the return of
    day τ1 runs from the close of τ1 - 1).
    """
    y = as_stacked(returns, "returns")
    m = as_stacked(market, "market", y.shape)
    keys = tuple((int(a), int(b)) for a, b in windows)
    sec, bench = np.empty((len(y), len(keys))), np.empty((len(y), len(keys)))
    for w, key in enumerate(keys):  # windows, not pairs
        cols = columns(start, y.shape[1], key, "BHAR window")
        sec[:, w] = np.prod(1.0 + y[:, cols], axis=1) - 1.0
        bench[:, w] = np.prod(1.0 + m[:, cols], axis=1) - 1.0
    return BuyAndHold(keys, sec, bench, sec - bench)


def _skew_t(x: np.ndarray, center: np.ndarray | float) -> np.ndarray:
    """``√n (S + γ̂S²/3 + γ̂/(6n))`` along the last axis, S centred on ``center``."""
    n = x.shape[-1]
    mean = x.mean(axis=-1)
    sd = x.std(axis=-1, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = (mean - center) / sd
        gamma = ((x - mean[..., None]) ** 3).sum(axis=-1) / (n * sd**3)
        return np.sqrt(n) * (s + gamma * s**2 / 3.0 + gamma / (6.0 * n))


def _sample(bhar: ArrayLike) -> tuple[np.ndarray, str | None]:
    x = np.asarray(bhar, dtype=float).ravel()
    if len(x) < 3:
        return x, f"{len(x)} BHARs; at least 3 are needed"
    if not np.isfinite(x).all():
        return x, "BHARs contain NaN or infinite values"
    if not np.std(x) > 0:
        return x, "BHARs have zero cross-sectional variance"
    return x, None


def skewness_adjusted_t(bhar: ArrayLike) -> TestResult:
    """Johnson's skewness-adjusted t of the mean BHAR (Lyon, Barber & Tsai 1999); Student t, N - 1 df."""
    name = "skewness-adjusted t"
    x, problem = _sample(bhar)
    if problem:
        return invalid_result(name, NULL, len(x), problem)
    t = float(_skew_t(x, 0.0))
    return TestResult(name, t, t_two_sided(t, len(x) - 1), NULL, len(x), float(len(x) - 1))


def bootstrap_skewness_adjusted_t(
    bhar: ArrayLike, *, resamples: int = 1000, fraction: float = 0.25, seed: int | None = 1999
) -> TestResult:
    """Bootstrapped skewness-adjusted t (Lyon, Barber & Tsai 1999): resamples of ``N * fraction``.

    ``stat`` is the full sample's t_sa; the p-value comes from the ``resamples``
    values of t_sa^b (see the module doc). Resamples whose values are all
    equal (no variance) are dropped and counted in ``note``.
    """
    name = "bootstrapped skewness-adjusted t"
    x, problem = _sample(bhar)
    n_b = math.floor(len(x) * fraction)
    if problem is None and n_b < 3:
        problem = f"resamples of N/4 = {n_b} BHARs; at least 12 BHARs are needed"
    if problem:
        return invalid_result(name, NULL, len(x), problem)
    t = float(_skew_t(x, 0.0))
    draws = x[np.random.default_rng(seed).integers(len(x), size=(resamples, n_b))]
    tb = _skew_t(draws, float(x.mean()))
    tb = tb[np.isfinite(tb)]
    if not len(tb):
        return invalid_result(name, NULL, len(x), "no resample with positive variance")
    p = min(1.0, 2.0 * min(float(np.mean(tb <= t)), float(np.mean(tb >= t))))
    dropped = resamples - len(tb)
    note = f"{len(tb)} resamples of {n_b}" + (f"; {dropped} without variance dropped" if dropped else "")
    return TestResult(name, t, p, NULL, len(x), note=note)
