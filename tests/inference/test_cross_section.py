"""Cross-sectional tests against each paper's formula written out by hand.

The hand panel has 4 securities and 6 estimation days with small integer
residuals, so the intermediate numbers (SCARs, ranks, correlations, sign
counts) can be checked on paper; they are written here as literals derived
by hand, not produced by eventstudy.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from eventstudy.inference import cross_section as cs
from eventstudy.inference.cross_section.inputs_and_p import average_ranks
from eventstudy.inference.result import TestResult

# --- the hand panel ---------------------------------------------------------

CAR = np.array([0.03, 0.01, -0.005, 0.02])
SD = np.array([0.01, 0.02, 0.01, 0.025])
DF = np.array([8, 10, 8, 12])  # T_i - k
# Estimation residuals in percent; every row has mean 0.
E = np.array(
    [
        [1, -2, 0, 3, -1, -1],
        [2, -1, 1, 2, -2, -2],
        [-1, 0, 1, -1, 2, -1],
        [0, 1, -1, 1, -1, 0],
    ],
    dtype=float,
)
DAY0 = np.array([4, 1.5, 3, 2])  # event-day ARs, percent


def t3_two_sided(t: float) -> float:
    """Two-sided p of Student t with 3 df, closed form (no scipy)."""
    a = abs(t) / math.sqrt(3.0)
    cdf = 0.5 + (a / (1 + a * a) + math.atan(a)) / math.pi
    return 2.0 * (1.0 - cdf)


def normal_two_sided(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2.0))


def hand_ranks(row: np.ndarray) -> np.ndarray:
    """Average ranks: #{smaller} + (#{equal} + 1) / 2."""
    return np.array([np.sum(row < x) + (np.sum(row == x) + 1) / 2 for x in row])


def assert_invalid(res: TestResult, *words: str) -> None:
    assert not res.valid
    assert math.isnan(res.pvalue) and math.isnan(res.stat)
    for word in words:
        assert word in res.note


# --- hand-checked values ----------------------------------------------------


def test_cross_sectional_t_by_hand():
    mean = 0.055 / 4
    var = sum((c - mean) ** 2 for c in CAR) / 3
    t = mean / math.sqrt(var / 4)
    res = cs.cross_sectional_t(CAR)
    assert res.stat == pytest.approx(t, rel=1e-12)
    assert res.pvalue == pytest.approx(t3_two_sided(t), rel=1e-9)
    assert (res.nobs, res.df) == (4, 3.0)


def test_patell_z_by_hand():
    # SCAR = CAR / s = [3, 0.5, -0.5, 0.8]; Var(SCAR_i) = (T-k) / (T-k-2)
    z = (3 + 0.5 - 0.5 + 0.8) / math.sqrt(8 / 6 + 10 / 8 + 8 / 6 + 12 / 10)
    res = cs.patell_z(CAR, SD, DF)
    assert res.stat == pytest.approx(z, rel=1e-12)
    assert res.pvalue == pytest.approx(normal_two_sided(z), rel=1e-12)
    assert res.df is None


def test_patell_accepts_scalar_df():
    z = 3.8 / math.sqrt(4 * 10 / 8)
    assert cs.patell_z(CAR, SD, 10).stat == pytest.approx(z, rel=1e-12)


def test_bmp_by_hand():
    # SCAR = [3, .5, -.5, .8], mean .95, squared deviations sum to 6.53
    t = 0.95 / math.sqrt(6.53 / 3 / 4)
    res = cs.bmp_t(CAR, SD)
    assert res.stat == pytest.approx(t, rel=1e-12)
    assert res.pvalue == pytest.approx(t3_two_sided(t), rel=1e-9)
    assert res.df == 3.0


def test_average_correlation_by_hand():
    # rows have mean 0, so r_ij = e_i . e_j / (|e_i| |e_j|); |e|^2 = 16, 18, 8, 4
    pairs = [14 / math.sqrt(16 * 18), -5 / math.sqrt(16 * 8), 2 / math.sqrt(16 * 4)]
    pairs += [-5 / math.sqrt(18 * 8), 2 / math.sqrt(18 * 4), -4 / math.sqrt(8 * 4)]
    assert cs.average_correlation(E) == pytest.approx(sum(pairs) / 6, rel=1e-12)


def test_kolari_pynnonen_by_hand():
    rbar = (14 / math.sqrt(288) - 5 / math.sqrt(128) + 2 / 8 - 5 / 12 + 2 / math.sqrt(72) - 4 / math.sqrt(32)) / 6
    t = 0.95 / math.sqrt(6.53 / 12) * math.sqrt((1 - rbar) / (1 + 3 * rbar))
    res = cs.kolari_pynnonen_t(CAR, SD, E / 100)
    assert res.stat == pytest.approx(t, rel=1e-12)
    assert res.pvalue == pytest.approx(t3_two_sided(t), rel=1e-9)
    assert "correlation" in res.note


def test_corrado_single_day_by_hand():
    # ranks of [6 estimation days, event day] per row, worked out on paper
    ranks = np.array(
        [
            [5, 1, 4, 6, 2.5, 2.5, 7],
            [6.5, 3, 4, 6.5, 1.5, 1.5, 5],
            [2, 4, 5, 2, 6, 2, 7],
            [3.5, 5.5, 1.5, 5.5, 1.5, 3.5, 7],
        ]
    )
    dev = ranks.mean(axis=0) - 4.0  # expected rank (M + 1) / 2, M = 7
    z = dev[-1] / math.sqrt(np.mean(dev**2))  # Corrado (1989), unstandardized ranks
    res = cs.corrado_rank(E, DAY0)
    assert res.stat == pytest.approx(z, rel=1e-12)
    assert res.pvalue == pytest.approx(normal_two_sided(z), rel=1e-12)
    assert res.nobs == 4


def test_campbell_wasley_window_matches_formula():
    rng = np.random.default_rng(7)
    est, ev = rng.normal(size=(5, 30)), rng.normal(0.5, 1, size=(5, 4))
    full = np.hstack([est, ev])
    m = full.shape[1]
    kbar = np.array([hand_ranks(row) for row in full]).mean(axis=0) - (m + 1) / 2
    s = math.sqrt(np.mean(kbar**2))
    days = [1, 2, 3]
    z = kbar[30 + np.array(days)].sum() / (math.sqrt(3) * s)
    res = cs.corrado_rank(est, ev, days=days)
    assert res.stat == pytest.approx(z, rel=1e-12)
    assert "3 days" in res.name
    # the default tests every event column; a single int tests one
    all_days = kbar[30:].sum() / (2 * s)
    assert cs.corrado_rank(est, ev).stat == pytest.approx(all_days, rel=1e-12)
    assert cs.corrado_rank(est, ev, days=2).stat == pytest.approx(kbar[32] / s, rel=1e-12)


def test_average_ranks_are_rankdata_with_planted_ties():
    x = np.random.default_rng(4).normal(size=(6, 3, 25))
    x[1, 2, [3, 7, 20]] = 0.5  # a three-way tie
    x[4, 0, 1] = x[4, 0, 2]
    x[5, 1, :] = 1.0  # a constant row
    np.testing.assert_array_equal(average_ranks(x), stats.rankdata(x, axis=-1))
    assert average_ranks(np.zeros((0, 3))).shape == (0, 3)


def test_corrado_sets_with_windows_of_their_own():
    """Blocks of two sets with different windows: each equals corrado_rank of its set and window."""
    gen = np.random.default_rng(12)
    est, ev = gen.normal(0, 0.02, (2, 5, 60)), gen.normal(0, 0.02, (2, 5, 4))
    days = [[1], [0, 1, 2], [1], [3], [0, 1, 2, 3]]
    got = cs.corrado_rank_sets(est, ev, days, [0, 0, 1, 1, 1])
    for j, (s, d) in enumerate(zip([0, 0, 1, 1, 1], days, strict=True)):
        one = cs.corrado_rank(est[s], ev[s], d)
        assert (got[j].name, got[j].stat, got[j].pvalue, got[j].note) == (one.name, one.stat, one.pvalue, one.note)


def test_corrado_rejects_bad_days():
    with pytest.raises(ValueError, match="days"):
        cs.corrado_rank(E, DAY0, days=1)
    with pytest.raises(ValueError, match="days"):
        cs.corrado_rank(E, np.column_stack([DAY0, DAY0]), days=[0, 0])


def test_generalized_sign_by_hand():
    # positive residuals per row: 2, 3, 2, 2 of 6 -> p = 9/24; 3 of 4 CARs positive
    p = 9 / 24
    z = (3 - 4 * p) / math.sqrt(4 * p * (1 - p))
    res = cs.generalized_sign_z(CAR, E)
    assert res.stat == pytest.approx(z, rel=1e-12)
    assert res.pvalue == pytest.approx(normal_two_sided(z), rel=1e-12)
    assert "3 of 4" in res.note


def test_wilcoxon_by_hand():
    # |CAR| ranks 4, 2, 1, 3; W+ = 9, W- = 1; P(W+ >= 9) = 2/16 under H0 for n = 4
    res = cs.wilcoxon_signed_rank(CAR)
    assert res.stat == 1.0
    assert res.pvalue == pytest.approx(2 * 2 / 16, rel=1e-12)


def test_wilcoxon_matches_enumerated_null():
    x = np.array([0.7, -0.2, 1.3, 0.4, -0.9, 2.1, 0.05, 1.6])
    ranks = hand_ranks(np.abs(x))
    w_plus = ranks[x > 0].sum()
    null = [sum(r for r, s in zip(ranks, signs, strict=True) if s) for signs in itertools.product([0, 1], repeat=8)]
    null = np.array(null)
    p = min(1.0, 2 * min(np.mean(null <= w_plus), np.mean(null >= w_plus)))
    res = cs.wilcoxon_signed_rank(x)
    assert res.stat == min(w_plus, ranks.sum() - w_plus)
    assert res.pvalue == pytest.approx(p, rel=1e-12)


def test_wilcoxon_drops_zeros():
    res = cs.wilcoxon_signed_rank(np.array([0.0, *CAR]))
    assert res.nobs == 4 and "1 zero" in res.note
    # same as without the zero: W- = 1, p = 4/16 (a zero kept with a split rank would give 2.5)
    assert (res.stat, res.pvalue) == (1.0, pytest.approx(0.25))


def test_generalized_sign_counts_zero_car_as_not_positive():
    car = np.array([0.03, 0.0, -0.005, 0.02])  # 2 of 4 positive
    p = 9 / 24
    z = (2 - 4 * p) / math.sqrt(4 * p * (1 - p))
    assert cs.generalized_sign_z(car, E).stat == pytest.approx(z, rel=1e-12)


# --- invalid inputs -----------------------------------------------------------

ALL = {
    "t": lambda car, sd, est, ev: cs.cross_sectional_t(car),
    "patell": lambda car, sd, est, ev: cs.patell_z(car, sd, est.shape[1] - 1),
    "bmp": lambda car, sd, est, ev: cs.bmp_t(car, sd),
    "kp": lambda car, sd, est, ev: cs.kolari_pynnonen_t(car, sd, est),
    "corrado": lambda car, sd, est, ev: cs.corrado_rank(est, ev),
    "sign": lambda car, sd, est, ev: cs.generalized_sign_z(car, est),
    "wilcoxon": lambda car, sd, est, ev: cs.wilcoxon_signed_rank(car),
}


@pytest.mark.parametrize("test", ALL)
def test_one_security_is_invalid(test):
    res = ALL[test](CAR[:1], SD[:1], E[:1] / 100, DAY0[:1] / 100)
    assert_invalid(res, "1 securities")  # Wilcoxon: "1 securities" precedes the zero check


@pytest.mark.parametrize("test", ALL)
def test_nan_is_invalid(test):
    car, est, ev = CAR.copy(), E / 100, DAY0 / 100
    car[1] = np.nan
    est[2, 3] = np.nan
    ev[0] = np.nan
    assert_invalid(ALL[test](car, SD, est, ev), "NaN")


def test_zero_variance_is_invalid():
    same = np.full(4, 0.02)
    assert_invalid(cs.cross_sectional_t(same), "zero")
    assert_invalid(cs.bmp_t(same * SD, SD), "zero")
    assert_invalid(cs.kolari_pynnonen_t(same * SD, SD, E), "zero")
    constant_row = E.copy()
    constant_row[1] = 0.5
    assert_invalid(cs.kolari_pynnonen_t(CAR, SD, constant_row), "correlation")
    assert_invalid(cs.corrado_rank(np.zeros((4, 6)), np.zeros(4)), "zero variance")
    assert_invalid(cs.generalized_sign_z(CAR, np.abs(E) + 1), "share")
    # two perfectly negatively correlated series: r = -1, 1 + (N-1) r = 0
    assert_invalid(cs.kolari_pynnonen_t(CAR[:2], SD[:2], np.vstack([E[0], -E[0]])), "1 + (N-1)r")
    assert_invalid(cs.wilcoxon_signed_rank(np.zeros(4)), "non-zero")


def test_nonpositive_sd_or_small_df_is_invalid():
    assert_invalid(cs.patell_z(CAR, [0.01, 0.0, 0.01, 0.01], DF), "NaN")
    assert_invalid(cs.bmp_t(CAR, [0.01, -0.02, 0.01, 0.01]), "NaN")
    assert_invalid(cs.patell_z(CAR, SD, [8, 2, 8, 8]), "exceed 2")


def test_shape_mismatch_raises():
    with pytest.raises(ValueError):
        cs.bmp_t(CAR, SD[:3])
    with pytest.raises(ValueError):
        cs.generalized_sign_z(CAR, E[:3])
    with pytest.raises(ValueError):
        cs.kolari_pynnonen_t(CAR, SD, E[:2])


# --- properties ------------------------------------------------------------------


def random_panel(seed: int, n: int = 6, t: int = 40, length: int = 3):
    rng = np.random.default_rng(seed)
    sigma = rng.uniform(0.01, 0.03, n)
    est = rng.normal(size=(n, t)) * sigma[:, None]
    ev = rng.normal(size=(n, length)) * sigma[:, None]
    return ev.sum(axis=1), sigma * math.sqrt(length), est, ev


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(1e-3, 1e3))
def test_rescaling_returns_leaves_every_statistic_unchanged(seed, scale):
    car, sd, est, ev = random_panel(seed)
    for name, test in ALL.items():
        base, scaled = test(car, sd, est, ev), test(car * scale, sd * scale, est * scale, ev * scale)
        assert scaled.stat == pytest.approx(base.stat, rel=1e-9, abs=1e-12), name
        assert scaled.pvalue == pytest.approx(base.pvalue, rel=1e-9, abs=1e-12), name


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_flipping_signs_negates_z_and_keeps_p(seed):
    car, sd, est, ev = random_panel(seed)
    for name, test in ALL.items():
        base, flipped = test(car, sd, est, ev), test(-car, sd, -est, -ev)
        expected = base.stat if name == "wilcoxon" else -base.stat
        assert flipped.stat == pytest.approx(expected, rel=1e-9, abs=1e-12), name
        assert flipped.pvalue == pytest.approx(base.pvalue, rel=1e-9, abs=1e-12), name


def test_kp_shrinks_bmp_under_positive_correlation():
    rng = np.random.default_rng(3)
    common = rng.normal(size=60)
    est = 0.7 * common + rng.normal(size=(8, 60))
    car, sd = rng.normal(1.0, 1.0, 8), np.ones(8)
    assert cs.average_correlation(est) > 0.2
    assert abs(cs.kolari_pynnonen_t(car, sd, est).stat) < abs(cs.bmp_t(car, sd).stat)


# --- seeded synthetic study -------------------------------------------------------


def constant_mean_study(rng: np.random.Generator, effect: float, n: int = 40, t: int = 100, length: int = 3):
    """Constant-mean model fitted by hand; effect added to every event day."""
    mu, sigma = rng.normal(0.0005, 0.0005, n), rng.uniform(0.01, 0.03, n)
    est_ret = mu[:, None] + sigma[:, None] * rng.normal(size=(n, t))
    ev_ret = mu[:, None] + sigma[:, None] * rng.normal(size=(n, length)) + effect
    mean = est_ret.mean(axis=1, keepdims=True)
    est, ev = est_ret - mean, ev_ret - mean
    s = np.sqrt((est**2).sum(axis=1) / (t - 1))
    sd = s * np.sqrt(length + length**2 / t)  # sigma^2 (L + L^2 / T) for the constant-mean model
    return ev.sum(axis=1), sd, est, ev


def test_planted_effect_is_detected():
    car, sd, est, ev = constant_mean_study(np.random.default_rng(11), effect=0.02)
    for name, test in ALL.items():
        res = test(car, sd, est, ev)
        assert res.stat > 0 or name == "wilcoxon", name
        assert res.pvalue < 0.01, name


def test_no_effect_rejects_near_nominal_rate():
    rng = np.random.default_rng(12)
    pvalues = {name: [] for name in ALL}
    for _ in range(200):
        car, sd, est, ev = constant_mean_study(rng, effect=0.0)
        for name, test in ALL.items():
            pvalues[name].append(test(car, sd, est, ev).pvalue)
    for name, ps in pvalues.items():
        ps = np.array(ps)
        assert np.isfinite(ps).all(), name
        assert np.mean(ps < 0.05) < 0.12, name
        assert np.median(ps) > 0.25, name


@pytest.mark.parametrize("seed", range(12))
def test_wilcoxon_is_scipys_default_on_the_nonzero_cars(seed):
    """The wiring: the CARs reach scipy as given (zeros dropped first), two-sided, scipy's default method."""
    from scipy import stats

    rng = np.random.default_rng(seed)
    samples = [
        rng.normal(0.3, 1, size=rng.integers(2, 30)),  # continuous: no ties
        np.round(rng.normal(0.5, 1, size=rng.integers(3, 11)), 1),  # ties, n <= 13
        np.round(rng.normal(0.5, 1, size=rng.integers(14, 50)), 1),  # ties, 13 < n <= 50
        np.round(rng.normal(0.1, 1, size=rng.integers(51, 300)), 1),  # ties, n > 50
    ]
    for x in samples:
        x = x[x != 0]
        ours = cs.wilcoxon_signed_rank(x)
        ref = stats.wilcoxon(x)
        assert (ours.stat, ours.pvalue, ours.nobs) == (float(ref.statistic), float(ref.pvalue), len(x))
        flipped = cs.wilcoxon_signed_rank(-x)  # two-sided: min(W+, W-) and p do not change with the sign
        assert (flipped.stat, flipped.pvalue) == pytest.approx((ours.stat, ours.pvalue), rel=1e-12)


def test_wilcoxon_with_ties_above_13_is_the_tie_corrected_normal():
    """Ties and n = 16: the normal approximation with the tie correction, written out here (fast, not 14 s)."""
    x = np.array([1, -1, 2, 2, -3, 3, 3, 4, -4, 5, 5, 5, 6, -7, 8, 8], dtype=float)
    n = len(x)
    ranks = hand_ranks(np.abs(x))
    w_plus = ranks[x > 0].sum()
    _, ties = np.unique(np.abs(x), return_counts=True)
    var = n * (n + 1) * (2 * n + 1) / 24 - np.sum(ties**3 - ties) / 48
    z = (w_plus - n * (n + 1) / 4) / math.sqrt(var)
    res = cs.wilcoxon_signed_rank(x)
    assert res.stat == min(w_plus, n * (n + 1) / 2 - w_plus)
    assert res.pvalue == pytest.approx(normal_two_sided(z), rel=1e-12)


def test_wilcoxon_smallest_sample():
    """n = 2, no ties: W+ = 3 of the 4 equally likely sign patterns' sums {0, 1, 2, 3}: p = 2 * 1/4."""
    res = cs.wilcoxon_signed_rank(np.array([0.01, 0.02]))
    assert (res.stat, res.pvalue, res.nobs) == (0.0, pytest.approx(0.5), 2)
    assert not cs.wilcoxon_signed_rank(np.array([0.0, 0.02])).valid  # one non-zero CAR: not computed


def test_rank_tests_rank_with_scipy_rankdata(monkeypatch):
    """Corrado and GRANK rank rows with ties through scipy.stats.rankdata along each security's row.

    (Rows without ties: one argsort; ``test_average_ranks_are_rankdata_with_planted_ties``.)
    Every row of E has a tie.
    """
    from scipy import stats

    calls = []
    real = stats.rankdata

    def spy(a, *args, **kwargs):
        calls.append((np.array(a), kwargs.get("axis")))
        return real(a, *args, **kwargs)

    monkeypatch.setattr(stats, "rankdata", spy)
    cs.corrado_rank(E, np.array([[0.02], [-0.01], [0.03], [0.0]]))
    assert calls and calls[-1][1] == -1 and calls[-1][0].shape == (4, E.shape[1] + 1)
