"""Tests that survive clustering and small N (eventstudy.inference.robust), against hand arithmetic, numpy and scipy."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from eventstudy.inference import multitest as mt
from eventstudy.inference import robust as rb
from eventstudy.inference import wild


def _panel(seed: int, n: int = 5, t: int = 120, common: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Residuals (n, t), CARs (n,), CAR SDs (n,): independent or with a common factor."""
    rng = np.random.default_rng(seed)
    f = rng.normal(0, 1, t + 1)
    e = rng.standard_t(5, size=(n, t + 1)) + common * f
    e *= rng.uniform(0.01, 0.03, size=(n, 1))
    resid = e[:, :t] - e[:, :t].mean(axis=1, keepdims=True)
    sd = resid.std(axis=1, ddof=2) * 1.01
    return resid, e[:, t], sd


# --------------------------------------------------------------------------- portfolio test


def test_portfolio_worked_example():
    # portfolio residuals (1, 0, 0, -1) %, SD sqrt(2/3) %; CAAR 1.5 % over 2 days:
    # t = 1.5 / (sqrt(2/3) sqrt 2) = 0.75 sqrt 3
    est = np.array([[1.0, -1.0, 2.0, -2.0], [1.0, 1.0, -2.0, 0.0]]) / 100
    res = rb.portfolio_t([0.02, 0.01], est, length=2)
    assert res.stat == pytest.approx(0.75 * math.sqrt(3), rel=1e-12)
    assert res.df == 3 and res.nobs == 2
    assert res.pvalue == pytest.approx(2 * stats.t.sf(0.75 * math.sqrt(3), 3), rel=1e-10)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_portfolio_equals_numpy_formula(seed):
    resid, ar0, _ = _panel(seed, common=0.8)
    car = ar0 + 0.004
    p = resid.mean(axis=0)  # Brown & Warner: Abar_t, S = sqrt(sum (Abar_t - mean)^2 / (T - 1))
    s = math.sqrt(float(np.sum((p - p.mean()) ** 2)) / (len(p) - 1))
    t = car.mean() / (s * math.sqrt(3))
    res = rb.portfolio_t(car, resid, length=3)
    assert res.stat == pytest.approx(t, rel=1e-12)
    assert res.pvalue == pytest.approx(2 * stats.t.sf(abs(t), len(p) - 1), rel=1e-10)


def test_portfolio_equals_statsmodels_fit_of_the_portfolio():
    """One date, one benchmark: the mean of the securities' OLS residuals is the portfolio's own OLS residual."""
    import statsmodels.api as sm

    rng = np.random.default_rng(8)
    t, n = 240, 4
    m = rng.normal(0.0005, 0.01, t + 1)
    common = rng.normal(0, 0.01, t + 1)  # a sector factor the market does not remove
    y = 0.0003 + rng.uniform(0.8, 1.6, (n, 1)) * m + common + rng.normal(0, 0.015, (n, t + 1))
    x = sm.add_constant(m[:t])
    resid = np.vstack([sm.OLS(y[i, :t], x).fit().resid for i in range(n)])
    ar0 = np.array([y[i, t] - sm.OLS(y[i, :t], x).fit().predict([[1.0, m[t]]])[0] for i in range(n)])
    port = sm.OLS(y[:, :t].mean(axis=0), x).fit()
    port_ar0 = y[:, t].mean() - port.predict([[1.0, m[t]]])[0]
    expected = port_ar0 / np.std(port.resid, ddof=1)
    assert rb.portfolio_t(ar0, resid, length=1).stat == pytest.approx(expected, rel=1e-10)


def test_portfolio_single_security_and_bad_input():
    resid, ar0, _ = _panel(4, n=1)
    res = rb.portfolio_t(ar0, resid, length=1)
    assert res.valid and res.stat == pytest.approx(ar0[0] / resid[0].std(ddof=1), rel=1e-12)
    assert not rb.portfolio_t([np.nan], resid, length=1).valid
    assert not rb.portfolio_t([0.01, 0.02], np.zeros((2, 10)), length=1).valid
    with pytest.raises(ValueError):
        rb.portfolio_t([0.01], resid, length=0)


# --------------------------------------------------------------------------- GRANK


def test_grank_worked_example():
    """N = 2, T = 4 by hand (see the ranks in the comments): t = 4 / sqrt(19), df 2."""
    est = np.array([[1.0, -2.0, 3.0, -1.0], [-1.0, 2.0, 1.0, -3.0]]) / 100
    # sigma_i = sqrt(15 / 2) %; SCAR = (5, 1), S_SCAR = sqrt 8, SCAR* = (1.768, 0.354)
    # ranks among 5 values: (3, 1, 4, 2 | 5) and (2, 5, 4, 1 | 3); U = rank / 6 - 1/2
    # Ubar = (-1/12, 0, 1/6, -1/4 | 1/6); S_U² = (18/144) / 4 = 1/32; Z = 2 sqrt(2) / 3
    res = rb.grank_t([0.05, 0.01], [0.01, 0.01], est, df_resid=2)
    assert res.stat == pytest.approx(4 / math.sqrt(19), rel=1e-12)
    assert res.df == 2
    assert res.pvalue == pytest.approx(2 * stats.t.sf(4 / math.sqrt(19), 2), rel=1e-10)
    assert "Z = 0.9428" in res.note


def test_grank_without_restandardization_worked_example():
    # GSAR_0 = SCAR = (5, 1): both rank 5; security 2's SARs rank (2, 4, 3, 1); Ubar = (-1/12, -1/12, 1/12, -1/4 | 1/3)
    # S_U² = (28/144) / 4 = 7/144, Z = 4 / sqrt 7, t = Z sqrt(2 / (3 - 16/7)) = 4 sqrt(2/5)
    est = np.array([[1.0, -2.0, 3.0, -1.0], [-1.0, 2.0, 1.0, -3.0]]) / 100
    res = rb.grank_t([0.05, 0.01], [0.01, 0.01], est, df_resid=2, restandardize=False)
    assert res.name == rb.GRANK_SCAR
    assert res.stat == pytest.approx(4 * math.sqrt(0.4), rel=1e-12)


def test_grank_small_n_size_on_iid_normal_data():
    """The re-standardization by the SD of N SCARs over-rejects with N = 4; ranking SCAR itself does not."""
    rng = np.random.default_rng(0)
    scale = math.sqrt(1 + 1 / 119)
    rejected = {True: 0, False: 0}
    for _ in range(600):
        est = rng.normal(size=(4, 119))
        car = rng.normal(size=4) * scale
        for flag in rejected:
            rejected[flag] += rb.grank_t(car, np.full(4, scale), est, 117, restandardize=flag).pvalue <= 0.05
    assert rejected[True] / 600 > 0.08  # measured 12 % over 2,000 trials
    assert 0.025 <= rejected[False] / 600 <= 0.075


def _grank_by_formula(car, sd, resid, dof, restandardize=True):
    """Kolari & Pynnönen (2011), eqs. 7-14, one security and one day at a time."""
    n, t = resid.shape
    scar = [car[i] / sd[i] for i in range(n)]
    s_scar = math.sqrt(sum((s - sum(scar) / n) ** 2 for s in scar) / (n - 1)) if restandardize else 1.0
    u = np.empty((n, t + 1))
    for i in range(n):
        sigma = math.sqrt(sum(v * v for v in resid[i]) / dof)
        gsar = [v / sigma for v in resid[i]] + [scar[i] / s_scar]
        u[i] = stats.rankdata(gsar) / (t + 2) - 0.5
    ubar = [sum(u[i, d] for i in range(n)) / n for d in range(t + 1)]
    z = ubar[-1] / math.sqrt(sum(v * v for v in ubar) / t)
    return z * math.sqrt((t - 2) / (t - 1 - z * z))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_grank_equals_formula(seed):
    resid, ar0, sd = _panel(seed, n=6, common=0.5)
    car = ar0 * 3 + 0.01
    expected = _grank_by_formula(car, sd * 1.7, resid, 118)
    res = rb.grank_t(car, sd * 1.7, resid, 118)
    assert res.stat == pytest.approx(expected, rel=1e-12)
    assert res.pvalue == pytest.approx(2 * stats.t.sf(abs(expected), 118), rel=1e-10)


def test_grank_sets_rank_once_and_equal_the_formula_with_planted_ties():
    """Blocks sharing a set of securities (the windows of an event) against rankdata over the T + 1 values.

    Set 0 has SARs that tie with each other and with GSAR_0: sigma = 2 exactly (squares sum to
    4 x 13.5), so the SARs are the halves of the residuals, and the SCARs (2, 0, -2) have SD 2.
    """
    rows = np.array([[2.0, -2, 0, 4, -4, 2, 1, -3], [0, 2, -2, 4, -4, -2, 3, 1], [2, 2, -2, -4, 4, 0, -1, -3]])
    assert np.allclose((rows**2).sum(axis=1), 54.0)
    gen = np.random.default_rng(8)
    est = np.stack([rows, gen.normal(0, 1, (3, 8))])  # set 1: no ties
    dof = np.full((2, 3), 13.5)
    car = np.array([[4.0, 0.0, -4.0], [1.0, 0.5, -0.3], [0.3, 2.0, 1.1], [2.0, 0.0, -2.0]])
    sd = np.array([[2.0, 2.0, 2.0], [0.7, 0.9, 1.2], [1.0, 1.0, 1.0], [1.0, 2.0, 4.0]])
    of_block = np.array([0, 1, 1, 0])
    paper, scar = rb.grank_t_pair(car, sd, est, dof, of_block)
    for j, s in enumerate(of_block):
        for flag, res in ((True, paper[j]), (False, scar[j])):
            expected = _grank_by_formula(car[j], sd[j], est[s], 13.5, restandardize=flag)
            assert res.stat == pytest.approx(expected, rel=1e-12, abs=1e-15)
            assert res.pvalue == pytest.approx(2 * stats.t.sf(abs(expected), 6), rel=1e-10)
            one = rb.grank_t(car[j], sd[j], est[s], 13.5, restandardize=flag)
            assert (one.stat, one.pvalue, one.note) == (res.stat, res.pvalue, res.note)
    # block 0 (restandardized): GSAR_0 = (1, 0, -1) ties with SARs of every security
    assert (est[0] / 2 == 1.0).any(axis=1)[0] and (est[0] / 2 == 0.0).any(axis=1)[1]
    assert rb.grank_t_batch(car, sd, est, dof, restandardize=False, of_block=of_block) == scar
    with pytest.raises(ValueError):
        rb.grank_t_pair(car, sd, est, dof, [0, 1, 2, 0])


def test_grank_detects_a_shift_and_bad_input():
    resid, ar0, sd = _panel(5, n=8)
    up = rb.grank_t(ar0 + 5 * sd, sd, resid, 118)
    assert up.stat > 0 and up.pvalue < 0.01
    assert not rb.grank_t([0.01], [0.01], resid[:1], 118).valid
    assert not rb.grank_t(ar0, sd, np.where(np.eye(8, 120) > 0, np.nan, resid), 118).valid
    assert "zero variance" in rb.grank_t(sd, sd, resid, 118).note  # every SCAR = 1


# --------------------------------------------------------------------------- wild bootstrap


@pytest.mark.parametrize("car", [[0.02, 0.011, -0.004, 0.03], [0.01, 0.02, 0.015, -0.002, 0.012, 0.03]])
def test_wild_bootstrap_converges_to_the_enumerated_null(car):
    x = np.asarray(car)
    t_obs = stats.ttest_1samp(x, 0.0).statistic
    d = x - x.mean()
    hits = 0
    for signs in itertools.product((-1.0, 1.0), repeat=len(x)):
        b = np.array(signs) * d
        sd = b.std(ddof=1)
        t_star = math.inf if sd == 0 else b.mean() / (sd / math.sqrt(len(x)))
        hits += abs(t_star) >= abs(t_obs)
    exact = hits / 2 ** len(x)
    res = wild.wild_bootstrap_t(x, n_boot=40000, rng=3)
    assert res.stat == pytest.approx(t_obs, rel=1e-12)
    assert res.pvalue == pytest.approx(exact, abs=0.008)  # binomial SE <= 0.0025
    again = wild.wild_bootstrap_t(x, n_boot=40000, rng=3)
    assert again.pvalue == res.pvalue


def test_wild_bootstrap_p_value_rule():
    # |t| beyond every draw: p = 1 / (B + 1); below every draw: p = 1
    x = np.array([0.05, 0.051, 0.049, 0.05, 0.0502])
    assert wild.wild_bootstrap_t(x, n_boot=99, rng=1).pvalue == pytest.approx(1 / 100)
    y = np.array([0.01, -0.01, 0.02, -0.02, 0.0])
    assert wild.wild_bootstrap_t(y, n_boot=99, rng=1).pvalue == 1.0
    assert not wild.wild_bootstrap_t([0.01]).valid
    with pytest.raises(ValueError):
        wild.wild_bootstrap_t(y, n_boot=0)


def _exact_dates_p(car: np.ndarray, est: np.ndarray, length: int) -> float:
    """The date-row wild bootstrap's p as B -> inf: every (rows, signs) combination, equally likely."""
    t_obs = stats.ttest_1samp(car, 0.0).statistic
    rows = est.T
    hits = total = 0
    for taus in itertools.product(range(rows.shape[0]), repeat=length):
        for signs in itertools.product((-1.0, 1.0), repeat=length):
            draw = sum(w * rows[tau] for w, tau in zip(signs, taus, strict=True))
            hits += abs(stats.ttest_1samp(draw, 0.0).statistic) >= abs(t_obs)
            total += 1
    return hits / total


@pytest.mark.parametrize("length", [1, 2])
def test_wild_dates_converges_to_the_enumerated_null(length):
    gen = np.random.default_rng(11)
    est = gen.normal(0, 0.01, size=(5, 12)) + gen.normal(0, 0.01, size=12)  # a common shock per date
    car = np.array([0.012, 0.02, 0.004, 0.017, 0.009])
    res = wild.wild_bootstrap_dates_t(car, est, length, n_boot=40000, rng=5)
    assert res.name == wild.WILD_DATES
    assert res.stat == pytest.approx(stats.ttest_1samp(car, 0.0).statistic, rel=1e-12)
    assert res.pvalue == pytest.approx(_exact_dates_p(car, est, length), abs=0.008)  # binomial SE <= 0.0025
    assert wild.wild_bootstrap_dates_t(car, est, length, n_boot=40000, rng=5).pvalue == res.pvalue


def test_wild_dates_right_sized_under_clustering_where_independent_weights_are_not():
    """Planted equicorrelation (r = 0.5) and no effect: 5 securities share every date, event day included."""
    gen = np.random.default_rng(2024)
    trials, n, t = 400, 5, 120
    cov = 0.5 * np.ones((n, n)) + 0.5 * np.eye(n)
    dates = independent = 0
    for _ in range(trials):
        x = gen.multivariate_normal(np.zeros(n), cov, size=t + 1).T * 0.01
        est, car = x[:, :t], x[:, t]
        dates += wild.wild_bootstrap_dates_t(car, est, 1, n_boot=199, rng=gen).pvalue <= 0.05
        independent += wild.wild_bootstrap_t(car, n_boot=199, rng=gen).pvalue <= 0.05
    assert 0.025 <= dates / trials <= 0.085  # binomial 99 % band around 5 % with 400 trials
    assert independent / trials > 0.12  # sqrt((1 + 4r) / (1 - r)) = 2.45: the t's null is far too narrow


def _wild_dates_by_gather(car, est, length, n_boot, seed):
    """The date-row wild bootstrap's p by the one-block route: gather the drawn days, sum, t of each draw."""
    gen = np.random.default_rng(seed)
    rows = gen.integers(0, est.shape[1], size=(n_boot, length))
    weights = gen.integers(0, 2, size=(n_boot, length)).astype(float) * 2 - 1
    draws = np.einsum("bl,nbl->bn", weights, est[:, rows])
    sd, mean = draws.std(axis=1, ddof=1), draws.mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):  # a zero draw (a day drawn twice, signs opposite): t* = 0
        t_star = np.where(sd > 0, mean / (sd / math.sqrt(len(car))), np.where(mean == 0, 0.0, np.inf))
    t_obs = car.mean() / (car.std(ddof=1) / math.sqrt(len(car)))
    return (1 + np.count_nonzero(np.abs(t_star) >= abs(t_obs))) / (n_boot + 1)


@pytest.mark.parametrize("length", [1, 2, 3, 11])
def test_wild_dates_batch_equals_gathered_draws(length):
    """Day counts (L = 1) and the sparse product (L > 1) against the einsum of gathered days, block by block.

    In block 0 the CARs are estimation day 5 itself: the draws of that day have |t*| = |t|
    (the >= must count them); block 2 is shifted so that few draws exceed it.
    """
    gen = np.random.default_rng(40 + length)
    est = gen.normal(0, 0.01, (5, 6, 40)) + gen.normal(0, 0.01, (5, 1, 40))  # a common shock per day
    car = gen.normal(0, 0.01 * math.sqrt(length), (5, 6))
    car[0] = est[0, :, 5]
    car[2] = 0.05 + gen.normal(0, 0.001, 6)
    got = wild.wild_bootstrap_dates_t_batch(car, est, length, n_boot=2000, seed=9)
    for j in range(5):
        assert got[j].pvalue == _wild_dates_by_gather(car[j], est[j], length, 2000, 9)
    assert got.pvalue[2] < 0.05
    one_day = wild.wild_bootstrap_dates_t(car[0], est[0], 1, n_boot=2000, rng=9)
    drawn_day_5 = np.count_nonzero(np.random.default_rng(9).integers(0, 40, size=(2000, 1)) == 5)
    assert drawn_day_5 > 0 and one_day.pvalue * 2001 >= 1 + drawn_day_5


def test_wild_dates_input_rules():
    est = np.zeros((3, 1))
    assert "at least 2" in wild.wild_bootstrap_dates_t([0.01, 0.02, 0.03], est, 1).note
    assert not wild.wild_bootstrap_dates_t([0.01], np.ones((1, 10)), 1).valid
    bad = np.ones((3, 10))
    bad[1, 2] = np.nan
    assert "NaN" in wild.wild_bootstrap_dates_t([0.01, 0.02, 0.03], bad, 1).note
    with pytest.raises(ValueError):
        wild.wild_bootstrap_dates_t([0.01, 0.02, 0.03], np.ones((3, 10)), 0)


# --------------------------------------------------------------------------- exact sign test


def _binom_two_sided(w: int, n: int, p: float) -> float:
    pmf = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    return min(1.0, sum(q for q in pmf if q <= pmf[w] * (1 + 1e-7)))


def test_sign_exact_by_hand():
    res = rb.sign_test_exact([0.01, 0.02, 0.03, 0.04])
    assert res.pvalue == pytest.approx(2 / 16, rel=1e-12)  # four of four positive, p0 = 1/2
    est = np.tile(np.r_[np.ones(19), -np.ones(21)], (4, 1))  # share 19/40 = 0.475
    gen = rb.sign_test_exact([0.01, 0.02, 0.03, 0.04], est)
    assert gen.name == rb.SIGN_EXACT
    assert gen.pvalue == pytest.approx(_binom_two_sided(4, 4, 0.475), rel=1e-12)
    assert gen.pvalue == pytest.approx(0.475**4, rel=1e-12)  # no other count is as unlikely


@pytest.mark.parametrize("seed", range(4))
def test_sign_exact_equals_binomial_sum(seed):
    resid, ar0, _ = _panel(seed, n=7)
    res = rb.sign_test_exact(ar0, resid)
    w, p0 = int(np.sum(ar0 > 0)), float(np.mean(resid > 0))
    assert res.pvalue == pytest.approx(_binom_two_sided(w, 7, p0), rel=1e-10)
    assert res.pvalue == pytest.approx(stats.binomtest(w, 7, p0).pvalue, rel=1e-12)
    assert not rb.sign_test_exact([0.01, 0.02], np.ones((2, 5))).valid


# --------------------------------------------------------------------------- multiple testing


def test_holm_and_bh_by_hand():
    p = np.array([0.01, 0.04, 0.03, np.nan, 0.20])
    holm = mt.adjust_pvalues(p, "holm")
    # sorted 0.01, 0.03, 0.04, 0.20 times 4, 3, 2, 1, running maximum
    np.testing.assert_allclose(holm.adjusted, [0.04, 0.09, 0.09, np.nan, 0.20], rtol=1e-12)
    assert holm.family == 4 and holm.label == "Holm-adjusted over 4 tests"
    bh = mt.adjust_pvalues(p, "fdr_bh")
    # p * m / rank = 0.04, 0.04 (0.03*4/2=0.06 -> min with 0.04*4/3 = 0.0533), 0.0533, 0.20; running min from the top
    np.testing.assert_allclose(bh.adjusted, [0.04, 0.16 / 3, 0.16 / 3, np.nan, 0.20], rtol=1e-12)
    assert bh.label == "Benjamini-Hochberg-adjusted over 4 tests"
    with pytest.raises(ValueError):
        mt.adjust_pvalues(p, "bonferroni")
