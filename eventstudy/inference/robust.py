"""Cross-sectional tests that survive clustered event dates and few securities.

The tests of :mod:`eventstudy.inference.cross_section` assume CARs independent across
securities; when every security shares one event date (one announcement,
one sector) their residuals are correlated and the cross-sectional t,
Patell, BMP, sign and Wilcoxon tests reject a true null too often
(``eventstudy validate``, ``docs/methodology.md``). This module adds:

- :func:`portfolio_t`: Brown & Warner's crude dependence adjustment, the
  equally weighted portfolio standardized by its own estimation-period SD;
- :func:`grank_t`: the generalized rank test of Kolari & Pynnönen (2011),
  whose rank variance comes from the time series of mean ranks and so
  carries the cross-correlation;
- the wild bootstrap t tests, in :mod:`eventstudy.inference.wild`;
- :func:`sign_test_exact`: the (generalized) sign test with the exact
  binomial p-value (:func:`scipy.stats.binomtest`);
Holm and Benjamini-Hochberg adjustment: :mod:`eventstudy.inference.multitest`.

Inputs follow :mod:`eventstudy.inference.cross_section`: ``car`` (N,), ``sd`` (N,) the
prediction-error SD of each CAR, ``estimation`` (N, T) estimation-window
residuals aligned in event time, ``df_resid`` ``T - k``. Every test returns
a :class:`~eventstudy.inference.result.TestResult`; one that cannot be computed
returns :func:`~eventstudy.inference.result.invalid_result` with the reason.

The small-sample Wilcoxon test is :func:`eventstudy.inference.cross_section.wilcoxon_signed_rank`
(:func:`scipy.stats.wilcoxon`: exact null for N <= 50 without ties).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from eventstudy.inference.cross_section import NULL_MEAN, standardized_car
from eventstudy.inference.cross_section.inputs_and_p import (
    TestColumns,
    average_ranks,
    car_blocks,
    finite_blocks,
    not_finite,
    result_columns,
)
from eventstudy.inference.result import TestResult, invalid_result, t_two_sided

PORTFOLIO = "portfolio t (Brown-Warner)"
GRANK = "GRANK t (Kolari-Pynnönen)"
GRANK_SCAR = "GRANK t, SCAR not re-standardized"
SIGN_EXACT = "generalized sign (exact binomial)"
SIGN_HALF = "sign (exact binomial)"


def _vector(values: ArrayLike, name: str) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def _matrix(values: ArrayLike, name: str, nrows: int) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 2 or arr.shape[0] != nrows:
        raise ValueError(f"{name} must have shape ({nrows}, T), got {arr.shape}")
    return arr


def portfolio_t(car: ArrayLike, estimation: ArrayLike, length: int) -> TestResult:
    """Brown & Warner's portfolio test (crude dependence adjustment).

    The N securities form one equally weighted portfolio. Its abnormal
    return on an estimation day is ``Abar_t = mean_i e_it``; its SD is
    ``S = sqrt(sum_t (Abar_t - mean(Abar))^2 / (T - 1))`` over the T
    estimation days; the window's CAAR is ``mean_i CAR_i`` over L days, and

    ``t = CAAR / (S * sqrt(L))``,  Student t with ``T - 1`` df, two-sided.

    Because S is measured on the portfolio itself, the covariance of
    securities that share a date is in it: no independence across
    securities is assumed (Brown & Warner 1980, Journal of Financial
    Economics 8(3), 205-258, appendix; 1985, JFE 14(1), 3-31).
    Degrees of freedom: S is the sample SD of T portfolio residuals, so
    ``T - 1``, as Brown & Warner compare their statistic with Student t on
    the 239 - 1 = 238 df of their estimation period; the loss of the two
    market-model parameters per security and the prediction-error term are
    ignored, as in the paper (at T = 240 the difference is below 1 %).
    With each security on its own date (no clustering), ``Abar_t`` is taken
    in event time (day -250 of each is row 0), as Brown & Warner do.

    Parameters
    ----------
    car : array_like, shape (N,)
        CARs over the window (or the event-day ARs); N >= 1.
    estimation : array_like, shape (N, T)
        Estimation-window residuals, aligned in event time.
    length : int
        Days L in the window.
    """
    x = _vector(car, "car")
    est = _matrix(estimation, "estimation", len(x))
    return portfolio_t_batch(x[None], est[None], length)[0]


def _portfolio_reason(x: np.ndarray, est: np.ndarray) -> str:
    """Why one block's portfolio t cannot be computed."""
    n, t = est.shape
    if n < 1 or t < 3:
        return f"{n} securities and {t} estimation days; need 1 and 3"
    return not_finite(car=x, estimation=est) or "the portfolio's estimation residuals have zero variance"


def grank_t(
    car: ArrayLike, sd: ArrayLike, estimation: ArrayLike, df_resid: ArrayLike, *, restandardize: bool = True
) -> TestResult:
    """Kolari & Pynnönen (2011) generalized rank test (GRANK-T) of a CAR window.

    With T estimation days per security:

    1. ``SAR_it = e_it / σ_i`` on the estimation days, ``σ_i² = Σ_t e_it² / (T - k)``.
    2. ``SCAR_i = CAR_i / s_i`` (s_i: the CAR's prediction-error SD), and to
       absorb event-induced volatility ``SCAR*_i = SCAR_i / S_SCAR`` with
       ``S_SCAR`` the cross-sectional SD of the SCARs (ddof 1).
    3. The generalized standardized abnormal returns ``GSAR_i`` are the T
       SARs and, as one more observation "day 0", ``SCAR*_i``: the CAR
       window collapsed to one point.
    4. Standardized ranks ``U_it = rank(GSAR_it) / (T + 2) - 1/2`` over
       these T + 1 values (average ranks for ties), ``Ubar_t = mean_i U_it``.
    5. ``S_U = sqrt((1 / T) Σ_{t in T+1 values} Ubar_t²)``, ``Z = Ubar_0 / S_U`` and

       ``t_grank = Z sqrt((T - 2) / (T - 1 - Z²))``, Student t with ``T - 2`` df.

    The rank variance ``S_U`` comes from the time series of mean ranks, so
    it includes the covariance of securities that share a date: the test
    is robust to cross-correlation from event-date clustering, to
    event-induced volatility and to non-normal returns (Kolari & Pynnönen
    2011, Journal of Empirical Finance 18(5), 953-971, eqs. 7-14). T is the
    estimation-window length, as the Stata ``estudy`` implementation reads
    the paper (Pacicco, Vena & Venegoni 2018, Stata Journal 18(2));
    equal weights ``N_t / N = 1`` since every security has every day.

    Small N: step 2 divides by an SD estimated from N SCARs, which with 4-8
    securities is so noisy that the ``SCAR*`` are heavy-tailed and the test
    over-rejects (12 % at 5 % with N = 4 and 7 % with N = 8 on i.i.d.
    normal data; 5 % with N = 50: ``tests/inference/test_robust.py``,
    ``docs/methodology.md``). ``restandardize=False`` ranks ``SCAR_i``
    itself (name :data:`GRANK_SCAR`): right-sized for small N, but no
    longer robust to event-induced volatility.

    Parameters
    ----------
    car, sd : array_like, shape (N,)
        CARs and their prediction-error SDs; N >= 2.
    estimation : array_like, shape (N, T)
        Estimation-window residuals.
    df_resid : array_like, shape (N,) or scalar
        ``T - k`` of each fit (σ_i's divisor).
    restandardize : bool
        Divide the SCARs by their cross-sectional SD (step 2, the paper's
        procedure); False skips it.
    """
    x, s_i = _vector(car, "car"), _vector(sd, "sd")
    est = _matrix(estimation, "estimation", len(x))
    dof = np.broadcast_to(np.asarray(df_resid, dtype=float), x.shape)
    return grank_t_batch(x[None], s_i[None], est[None], dof[None], restandardize=restandardize)[0]


def _grank_reason(scar: np.ndarray, est: np.ndarray, dof: np.ndarray, z: float) -> str:
    """Why one block's GRANK t cannot be computed (``z``: its Z, NaN where it was not reached)."""
    n, t = est.shape
    if n < 2:
        return f"{n} securities; at least 2 are needed"
    if t < 4:
        return f"{t} estimation days; at least 4 are needed"
    if reason := not_finite(SCAR=scar, estimation=est, df_resid=dof):
        return reason
    if (dof <= 0).any():
        return "df_resid must be positive"
    if not math.isfinite(z):
        return "SCARs or residuals have zero variance"
    return f"Z = {z:.3f}: Z² >= T - 1, the t transformation is undefined"


def sign_test_exact(car: ArrayLike, estimation: ArrayLike | None = None) -> TestResult:
    """Sign test with the exact binomial p-value (the two-sided rule of :func:`scipy.stats.binomtest`).

    ``w = #{i : CAR_i > 0}`` of N CARs (zeros count as not positive) is
    Binomial(N, p0) under H0; the two-sided p-value is the probability of
    every count no more likely than ``w`` (:func:`binomial_two_sided`). ``p0`` is 1/2,
    or, given estimation-window residuals, their pooled share of positive
    values: the exact counterpart of Cowan's (1992) generalized sign Z
    (:func:`eventstudy.inference.cross_section.generalized_sign_z`), which uses the
    normal approximation. Exact for independent securities at any N;
    assumes independence across securities (Cowan 1992, Review of
    Quantitative Finance and Accounting 2(4), 343-358).

    Parameters
    ----------
    car : array_like, shape (N,)
        CARs; N >= 1.
    estimation : array_like, shape (N, T), optional
        Estimation-window residuals; without them ``p0 = 1/2``.
    """
    x = _vector(car, "car")
    name = SIGN_HALF if estimation is None else SIGN_EXACT
    null = "share of positive CARs = " + ("1/2" if estimation is None else "estimation-window share")
    n = len(x)
    if n < 1:
        return invalid_result(name, null, n, "no CARs")
    if estimation is None:
        p0 = 0.5
    else:
        est = _matrix(estimation, "estimation", n)
        if reason := not_finite(estimation=est):
            return invalid_result(name, null, n, reason)
        p0 = float(np.mean(est > 0))
    if reason := not_finite(car=x):
        return invalid_result(name, null, n, reason)
    if not 0.0 < p0 < 1.0:
        return invalid_result(name, null, n, f"estimation-window share of positive residuals is {p0:g}")
    w = int(np.sum(x > 0))
    p = float(binomial_two_sided(np.array([w]), n, np.array([p0]))[0])
    return TestResult(name, w / n, p, null, n, note=f"{w} of {n} CARs positive; p0 = {p0:.4f}")


# --------------------------------------------------------------------------- batches (the study's tests table)


def portfolio_t_batch(car: ArrayLike, estimation: ArrayLike, length: int) -> TestColumns:
    """:func:`portfolio_t` of each block: ``car`` (blocks, N), ``estimation`` (blocks, N, T)."""
    if length < 1:
        raise ValueError(f"length must be at least 1, got {length}")
    x, est = car_blocks(car, estimation)
    n, t = x.shape[1], est.shape[2]
    if n < 1 or t < 3:
        reasons = [_portfolio_reason(x[i], est[i]) for i in range(len(x))]
        return result_columns(
            PORTFOLIO, NULL_MEAN, n, np.full(len(x), np.nan), np.full(len(x), np.nan), reasons=reasons
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.std(est.mean(axis=1), ddof=1, axis=1)
        stat = x.mean(axis=1) / (s * math.sqrt(length))
    p = np.atleast_1d(t_two_sided(stat, t - 1))
    ok = finite_blocks(x, est) & (s > 0)
    reasons = [None if ok[i] else _portfolio_reason(x[i], est[i]) for i in range(len(x))]
    notes = [f"{n} securities; portfolio SD {v:.4g} over {t} estimation days" for v in s.tolist()]
    return result_columns(PORTFOLIO, NULL_MEAN, n, stat, p, df=float(t - 1), note=notes, reasons=reasons)


def grank_t_batch(
    car: ArrayLike,
    sd: ArrayLike,
    estimation: ArrayLike,
    df_resid: ArrayLike,
    *,
    restandardize: bool = True,
    of_block: ArrayLike | None = None,
) -> TestColumns:
    """:func:`grank_t` of each block: ``car``, ``sd``, ``df_resid`` (blocks, N), ``estimation`` (blocks, N, T).

    With ``of_block``, ``estimation`` and ``df_resid`` are sets of securities
    ((sets, N, T), (sets, N)) and block ``j`` uses set ``of_block[j]``
    (:func:`grank_t_pair`).
    """
    return grank_t_pair(car, sd, estimation, df_resid, of_block)[0 if restandardize else 1]


def grank_t_pair(
    car: ArrayLike, sd: ArrayLike, estimation: ArrayLike, df_resid: ArrayLike, of_block: ArrayLike | None = None
) -> tuple[TestColumns, TestColumns]:
    """GRANK t as in the paper and without re-standardization (:func:`grank_t`) of each block, from one ranking.

    ``car``, ``sd`` (blocks, N); ``estimation`` (sets, N, T) and ``df_resid``
    (sets, N) or broadcast to it; block ``j`` uses set ``of_block[j]``
    (default: set ``j``). The T SARs of each security of a set are ranked once
    (:func:`~eventstudy.inference.cross_section.inputs_and_p.average_ranks`); the rank
    of a block's ``GSAR_0`` among the T + 1 values is
    ``1 + #{SAR < GSAR_0} + #{SAR = GSAR_0} / 2`` and a SAR's rank rises by 1
    where ``GSAR_0`` is below it and by 1/2 where they are equal: the average
    ranks of the T + 1 values, exactly, for every window of a set and both variants.
    The ranks are summed over the securities as integers (twice the ranks) and
    ``Ubar_t = Σ_i rank_it / (N (T + 2)) - 1/2`` (the mean of the U_it up to rounding).
    """
    x, s_i, est = np.asarray(car, dtype=float), np.asarray(sd, dtype=float), np.asarray(estimation, dtype=float)
    sets = np.arange(len(x)) if of_block is None else np.asarray(of_block, dtype=np.intp).reshape(-1)
    if x.ndim != 2 or est.ndim != 3 or est.shape[1] != x.shape[1] or len(sets) != len(x):
        raise ValueError(f"car must be (blocks, N) and estimation (sets, N, T); got {x.shape} and {est.shape}")
    if len(sets) and not 0 <= sets.min() <= sets.max() < len(est):
        raise ValueError(f"of_block must give a set in [0, {len(est)}) for each of the {len(x)} blocks")
    dof = np.broadcast_to(np.asarray(df_resid, dtype=float), est.shape[:2])
    n, t = x.shape[1], est.shape[2]
    scar = standardized_car(x, s_i)
    null = "CAR-window ranks are average"
    out = []
    if n < 2 or t < 4 or not len(x):
        for name in (GRANK, GRANK_SCAR):
            reasons = [_grank_reason(scar[i], est[sets[i]], dof[sets[i]], math.nan) for i in range(len(x))]
            out.append(result_columns(name, null, n, np.full(len(x), np.nan), np.full(len(x), np.nan), reasons=reasons))
        return out[0], out[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.sqrt(np.einsum("gij,gij->gi", est, est) / dof)
        sar = est / sigma[..., None]
    set_ok = finite_blocks(est, dof) & (dof > 0).all(axis=1) & (sigma > 0).all(axis=1)
    twice = np.zeros(est.shape, dtype=np.int32)  # 2 x average rank: integers
    twice[set_ok] = 2 * average_ranks(sar[set_ok])  # each security's T SARs, ranked once
    twice_sum = twice.sum(axis=1, dtype=np.int64)  # (sets, T)
    for name, restandardize in ((GRANK, True), (GRANK_SCAR, False)):
        with np.errstate(invalid="ignore", divide="ignore"):
            s_scar = np.std(scar, ddof=1, axis=1) if restandardize else np.ones(len(x))
        ok = finite_blocks(scar) & set_ok[sets] & (s_scar > 0)
        z = np.full(len(x), np.nan)
        if ok.any():
            g = np.flatnonzero(ok)
            gsar0 = (scar[g] / s_scar[g, None])[..., None]
            values = sar[sets[g]]
            above = np.add.reduce((gsar0 < values).view(np.uint8), axis=1, dtype=np.int32)  # (blocks, T) counts
            tied = np.add.reduce((gsar0 == values).view(np.uint8), axis=1, dtype=np.int32)
            rank2 = np.empty((len(g), t + 1), dtype=np.int64)  # Σ_i 2 x rank, exact
            rank2[:, :t] = twice_sum[sets[g]] + 2 * above + tied
            rank2[:, t] = 2 * n * (t + 1) - 2 * above.sum(axis=1) - tied.sum(axis=1)
            ubar = rank2 / (2.0 * n * (t + 2)) - 0.5  # mean_i (rank / (T + 2) - 1/2)
            z[g] = ubar[:, -1] / np.sqrt(np.sum(ubar**2, axis=1) / t)
        ok &= z * z < t - 1
        with np.errstate(invalid="ignore"):
            stat = z * np.sqrt((t - 2) / (t - 1 - z * z))
        p = np.atleast_1d(t_two_sided(stat, t - 2))
        reasons = [
            None if ok[i] else _grank_reason(scar[i], est[sets[i]], dof[sets[i]], float(z[i])) for i in range(len(x))
        ]
        notes = [f"{n} securities; Z = {v:.4f}; ranks over T + 1 = {t + 1} values" for v in z.tolist()]
        out.append(result_columns(name, null, n, stat, p, df=float(t - 2), note=notes, reasons=reasons))
    return out[0], out[1]


def binomial_two_sided(w: np.ndarray, n: int, p0: np.ndarray) -> np.ndarray:
    """Exact two-sided binomial p-values of counts ``w`` out of ``n`` at success rates ``p0`` (arrays).

    The probability of every count no more likely than the observed one
    (relative tolerance 1e-7), as :func:`scipy.stats.binomtest` computes it,
    from :data:`scipy.stats.binom` pmfs of all blocks at once (``binomtest``
    takes about 0.6 ms a call: 24 s for the 40,000 blocks of 100,000 pairs).
    """
    from scipy.stats import binom

    pmf = binom.pmf(np.arange(n + 1)[None, :], n, np.asarray(p0, dtype=float)[:, None])  # (blocks, n + 1)
    observed = pmf[np.arange(len(pmf)), np.asarray(w, dtype=np.intp)]
    return np.minimum(1.0, np.sum(np.where(pmf <= observed[:, None] * (1 + 1e-7), pmf, 0.0), axis=1))


def sign_test_exact_batch(car: ArrayLike, estimation: ArrayLike) -> TestColumns:
    """:func:`sign_test_exact` (generalized: p0 from the residuals) of each block, the binomial p-values at once."""
    x, est = car_blocks(car, estimation)
    n = x.shape[1]
    ok = finite_blocks(x, est)
    p0 = np.count_nonzero(est > 0, axis=(1, 2)) / est[0].size if est.size else np.full(len(x), np.nan)  # = np.mean
    ok &= (p0 > 0) & (p0 < 1) & (n >= 1)
    w = np.sum(x > 0, axis=1)
    pvalue = np.full(len(x), np.nan)
    if ok.any():
        pvalue[ok] = binomial_two_sided(w[ok], n, p0[ok])
    null = "share of positive CARs = estimation-window share"
    reasons = [None if ok[i] else sign_test_exact(x[i], est[i]).note for i in range(len(x))]
    notes = [f"{k} of {n} CARs positive; p0 = {q:.4f}" for k, q in zip(w.tolist(), p0.tolist(), strict=True)]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = w / n
    return result_columns(SIGN_EXACT, null, n, share, pvalue, note=notes, reasons=reasons)
