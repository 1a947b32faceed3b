"""Wild bootstrap t tests of the mean CAR: signs independent across securities, or shared by whole estimation days.

- :func:`wild_bootstrap_t`: the cross-sectional t with a Rademacher wild
  bootstrap null (weights independent across securities);
- :func:`wild_bootstrap_dates_t`: the same t, its null drawn from whole
  estimation days with one Rademacher sign per day (keeps the
  cross-correlation of securities that share an event date);
- :func:`wild_bootstrap_dates_t_batch`: the second for many (event, window)
  blocks at once, as the study's tests table runs it (the one-block function
  is its batch of one).

Inputs and results as in :mod:`eventstudy.inference.robust`.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from eventstudy.inference import cross_section as cs
from eventstudy.inference.cross_section import NULL_MEAN, cross_sectional_t
from eventstudy.inference.cross_section.inputs_and_p import (
    TestColumns,
    car_blocks,
    finite_blocks,
    matrix,
    not_finite,
    result_columns,
    vector,
)
from eventstudy.inference.result import TestResult, invalid_result

WILD = "wild bootstrap t"
WILD_DATES = "wild bootstrap t, estimation dates"


def wild_bootstrap_t(car: ArrayLike, *, n_boot: int = 9999, rng: np.random.Generator | int | None = 0) -> TestResult:
    """Cross-sectional t test with a Rademacher wild-bootstrap null.

    With ``d_i = CAR_i - mean(CAR)`` (the CARs centred, so that H0 holds in
    the bootstrap world), each of ``B = n_boot`` draws multiplies them by
    independent Rademacher weights ``w_i = ±1`` (probability 1/2 each) and
    computes the cross-sectional t of ``w_i d_i``. The two-sided p-value is

    ``p = (1 + #{b : |t*_b| >= |t|}) / (B + 1)``

    (a draw with zero SD counts as ``|t*| = inf``). Robust to heteroskedastic
    CARs of different scales; like the t test it assumes CARs independent
    across securities, since the weights are drawn independently (Wu 1986,
    Annals of Statistics 14(4), 1261-1295; Liu 1988; Davidson & Flachaire
    2008, Journal of Econometrics 146(1), 162-169). With N securities there
    are only 2^N sign patterns, so the p-value is coarse for small N.

    Parameters
    ----------
    car : array_like, shape (N,)
        CARs; N >= 2.
    n_boot : int
        Number of bootstrap draws B.
    rng : numpy.random.Generator, int or None
        Generator or seed for :func:`numpy.random.default_rng`.
    """
    if n_boot < 1:
        raise ValueError(f"n_boot must be positive, got {n_boot}")
    base = cross_sectional_t(car)
    if not base.valid:
        return invalid_result(WILD, NULL_MEAN, base.nobs, base.note)
    x = vector(car, "car")
    n = len(x)
    weights = np.random.default_rng(rng).integers(0, 2, size=(n_boot, n), dtype=np.int8) * 2 - 1
    t_star = _bootstrap_t(weights * (x - x.mean()))
    p = (1 + int(np.count_nonzero(np.abs(t_star) >= abs(base.stat)))) / (n_boot + 1)
    note = f"{n_boot} Rademacher draws; smallest p {1 / (n_boot + 1):.2g}"
    return TestResult(WILD, base.stat, p, NULL_MEAN, n, float(n - 1), note)


def wild_bootstrap_dates_t(
    car: ArrayLike, estimation: ArrayLike, length: int, *, n_boot: int = 9999, rng: np.random.Generator | int | None = 0
) -> TestResult:
    """Cross-sectional t test whose wild-bootstrap null is built from whole estimation days.

    Under H0 an event window of L days is L more days of residuals. Each of
    ``B = n_boot`` draws picks L estimation rows ``τ_1..τ_L`` at random (with
    replacement) and one Rademacher weight ``w_l = ±1`` per row, shared by
    every security, and forms ``CAR*_i = Σ_l w_l e_{i,τ_l}``; ``t*`` is the
    cross-sectional t of the ``CAR*``. The two-sided p-value is

    ``p = (1 + #{b : |t*_b| >= |t|}) / (B + 1)``.

    Resampling whole rows keeps the covariance of securities that share a
    date (rows are aligned in event time, so with one event date a row is
    one calendar day for all; with dates of their own the rows are
    independent across securities, and so are the draws): the bootstrap
    distribution of ``t`` has the heavy tails that cross-correlation gives
    it, and the test stays right-sized under event-date clustering, unlike
    :func:`wild_bootstrap_t` whose weights are independent across
    securities. Resampling residual vectors by date follows Hein & Westfall
    (2004, Journal of Financial Econometrics 2(3), 451-471); one weight per
    date is the wild cluster bootstrap with dates as clusters (Cameron,
    Gelbach & Miller 2008, Review of Economics and Statistics 90(3),
    414-427). The in-sample residuals' variance is ``(T - k) / T`` of an
    out-of-sample AR's; the t ratio does not depend on that common scale.

    Parameters
    ----------
    car : array_like, shape (N,)
        CARs over the window; N >= 2.
    estimation : array_like, shape (N, T)
        Estimation-window residuals, aligned in event time.
    length : int
        Days L in the window.
    n_boot : int
        Number of bootstrap draws B.
    rng : numpy.random.Generator, int or None
        Generator or seed for :func:`numpy.random.default_rng`.
    """
    x = vector(car, "car")
    est = matrix(estimation, "estimation", len(x))
    return wild_bootstrap_dates_t_batch(x[None], est[None], length, n_boot=n_boot, seed=rng)[0]


def _bootstrap_t(draws: np.ndarray) -> np.ndarray:
    """The cross-sectional t of each row; inf where the row's SD is zero (and its mean is not).

    The mean and the ddof-1 SD as ``numpy.mean`` and ``numpy.std`` compute them, the sum taken once.
    """
    n = draws.shape[-1]
    mean = np.add.reduce(draws, axis=-1, keepdims=True) / n
    dev = draws - mean
    np.multiply(dev, dev, out=dev)
    return _t_ratio(mean[..., 0], np.sqrt(np.add.reduce(dev, axis=-1) / (n - 1)), n)


def _t_ratio(mean: np.ndarray, sd: np.ndarray, n: int) -> np.ndarray:
    """``mean / (sd / sqrt(n))``; inf where ``sd`` is zero and the mean is not, 0 where both are."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = mean / (sd / math.sqrt(n))
    return np.where(sd > 0, t, np.where(mean == 0, 0.0, np.inf))


WILD_CHUNK = 1_000_000  # bootstrap values (draws x N x blocks) held at once


def wild_bootstrap_dates_t_batch(
    car: ArrayLike,
    estimation: ArrayLike,
    length: int,
    *,
    n_boot: int = 9999,
    seed: np.random.Generator | int | None = 0,
) -> TestColumns:
    """:func:`wild_bootstrap_dates_t` of each block: the same draws of days and signs for all.

    ``car`` (blocks, N), ``estimation`` (blocks, N, T); ``seed`` as ``rng`` of the
    one-block function (common random numbers across blocks: every block's
    test is exact as a bootstrap test on its own). With L = 1 a draw is one
    estimation day with a sign, and ``|t*|`` does not depend on the sign (negating
    a row is exact), so each day's ``|t|`` is computed once and counted as often
    as the day was drawn: the same counts, to the bit. With L > 1 the draws of
    all blocks are one sparse product (:func:`_exceed_days`).
    """
    if n_boot < 1:
        raise ValueError(f"n_boot must be positive, got {n_boot}")
    if length < 1:
        raise ValueError(f"length must be at least 1, got {length}")
    x, est = car_blocks(car, estimation)
    n, t = x.shape[1], est.shape[2]
    base = cs.cross_sectional_t_batch(x)
    ok = np.isfinite(base.pvalue) & finite_blocks(est) & (t >= 2)
    exceed = np.zeros(len(x), dtype=np.int64)
    good = np.flatnonzero(ok)
    if len(good):
        gen = np.random.default_rng(seed)
        rows = gen.integers(0, t, size=(n_boot, length))
        weights = gen.integers(0, 2, size=(n_boot, length)).astype(float) * 2 - 1
        count = _exceed_one_day if length == 1 else _exceed_days
        exceed[good] = count(est if len(good) == len(x) else est[good], np.abs(base.stat[good]), rows, weights)
    reasons = [
        None if ok[i] else base.note[i] if not np.isfinite(base.pvalue[i]) else
        f"{t} estimation days; at least 2 are needed" if t < 2 else not_finite(estimation=est[i]) or "invalid input"
        for i in range(len(x))
    ]  # fmt: skip
    note = f"{n_boot} draws of {length} estimation day(s), one sign per day; smallest p {1 / (n_boot + 1):.2g}"
    p = (1 + exceed) / (n_boot + 1)
    return result_columns(WILD_DATES, NULL_MEAN, n, base.stat, p, df=float(n - 1), note=note, reasons=reasons)


def _exceed_one_day(est: np.ndarray, stat: np.ndarray, rows: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per block, the draws (one day each) with ``|t*| >= stat``: each day's ``|t|`` times how often it was drawn."""
    g, n, t = est.shape
    counts = np.bincount(rows[:, 0], minlength=t)
    out = np.empty(g, dtype=np.int64)
    step = max(1, WILD_CHUNK // max(1, n * t))
    for lo in range(0, g, step):
        days = est[lo : lo + step].transpose(0, 2, 1).reshape(-1, n)  # a copy: one row per (block, day)
        t_day = np.abs(_bootstrap_t(days)).reshape(-1, t)
        out[lo : lo + step] = np.where(t_day >= stat[lo : lo + step, None], counts, 0).sum(axis=1)
    return out


def _exceed_days(est: np.ndarray, stat: np.ndarray, rows: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per block, the draws with ``|t*| >= stat``: draw b is ``Σ_l w_bl e[:, r_bl]``, for all blocks at once.

    A draw's mean over the securities is ``Σ_l w_bl ē_{r_bl}`` (ē: each day's mean)
    and its deviations from that mean are the same sum of the residuals centred on
    their day's mean: two products of the sparse (B, T) matrix of signed days drawn
    (:mod:`scipy.sparse`, terms added in the order l = 1..L) with the days'
    means (T, blocks) and centred residuals (T, N x blocks). The t of each draw
    is that of the gathered draws but for the order of the sums (about 1e-16
    apart; ``tests/inference/test_robust.py`` compares the p-values).
    """
    from scipy.sparse import csr_array

    g, n, t = est.shape
    b, length = rows.shape
    pick = csr_array((weights.ravel(), rows.ravel(), np.arange(0, b * length + 1, length)), shape=(b, t))
    step = max(1, WILD_CHUNK // max(1, b * n))  # blocks per chunk
    draw_step = max(1, WILD_CHUNK // max(1, n * step))  # draws per chunk, when one block is too wide
    picks = [pick[d : d + draw_step] for d in range(0, b, draw_step)] if draw_step < b else [pick]
    out = np.zeros(g, dtype=np.int64)
    for lo in range(0, g, step):
        days = est[lo : lo + step].transpose(2, 1, 0).copy()  # (T, N, blocks), centred below
        day_mean = days.mean(axis=1)
        days -= day_mean[:, None, :]
        for part in picks:
            dev = (part @ days.reshape(t, -1)).reshape(part.shape[0], n, -1)
            sd = np.sqrt(np.einsum("bng,bng->bg", dev, dev) / (n - 1))
            t_star = _t_ratio(part @ day_mean, sd, n)
            out[lo : lo + step] += np.count_nonzero(np.abs(t_star) >= stat[lo : lo + step], axis=0)
    return out
