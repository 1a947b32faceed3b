"""Single-firm tests: SQ against hand counts, bootstrap against the exact bootstrap law.

The residuals are small integers so the null sums and the ``<=`` / ``>=``
counts can be worked out on paper; the expected p-values below are those
hand counts put into the documented rule
``p = min(1, 2 * min(n_le + 1, n_ge + 1) / (n + 1))``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstudy.inference import single_firm as sf

E = np.array([-3, -1, 0, 2, 5, -2, 1, 4, -4, 3], dtype=float)


def rule(n_le: int, n_ge: int, n: int) -> float:
    return min(1.0, 2 * min(n_le + 1, n_ge + 1) / (n + 1))


def loop_sq(ar: np.ndarray, e: np.ndarray) -> tuple[float, float]:
    """SQ test with explicit loops over windows."""
    length, car = len(ar), sum(ar)
    sums = [sum(e[i : i + length]) for i in range(len(e) - length + 1)]
    n_le = sum(s <= car for s in sums)
    n_ge = sum(s >= car for s in sums)
    return n_le / len(sums), rule(n_le, n_ge, len(sums))


# --- sample-quantile test ----------------------------------------------------------


def test_sq_one_day_by_hand():
    # 4.5 is above 9 residuals and below 1 (the 5)
    res = sf.sample_quantile_test(4.5, E)
    assert res.stat == 9 / 10
    assert res.pvalue == pytest.approx(rule(9, 1, 10)) == pytest.approx(4 / 11)
    assert res.nobs == 10


def test_sq_two_day_window_by_hand():
    # 2-day sums: -4, -1, 2, 7, 3, -1, 5, 0, -1; CAR = 3 + 2 = 5 ties the 5
    res = sf.sample_quantile_test([3.0, 2.0], E)
    assert res.stat == 8 / 9
    assert res.pvalue == pytest.approx(2 * 3 / 10)
    assert res.nobs == 9
    # CAR = -4 ties the smallest sum: n_le = 1, n_ge = 9
    assert sf.sample_quantile_test([-1.0, -3.0], E).pvalue == pytest.approx(2 * 2 / 10)


def test_sq_p_capped_at_one():
    # median-ish CAR: n_le = 5, n_ge = 5 -> 2 * 6 / 11 > 1
    assert sf.sample_quantile_test(0.5, E).pvalue == 1.0


def test_sq_matches_loop_on_random_data():
    rng = np.random.default_rng(4)
    for length in (1, 2, 5):
        e, ar = rng.standard_t(4, size=120), rng.normal(0.3, 1.0, size=length)
        res = sf.sample_quantile_test(ar, e)
        stat, p = loop_sq(ar, e)
        assert res.stat == pytest.approx(stat, abs=1e-12)
        assert res.pvalue == pytest.approx(p, abs=1e-12)


def test_rolling_sums_match_loop():
    expected = [-4, -1, 2, 7, 3, -1, 5, 0, -1]
    np.testing.assert_array_equal(sf.rolling_sums(E, 2), expected)
    assert sf.rolling_sums(E, 11).size == 0


def test_small_sample_note():
    res = sf.sample_quantile_test(100.0, E)
    assert res.pvalue == pytest.approx(2 / 11)
    assert "smallest attainable" in res.note


# --- bootstrap ------------------------------------------------------------------------


def exact_bootstrap_p(car: float, e: np.ndarray, length: int) -> float:
    """p under the exact bootstrap law: all T**L ordered draws equally likely."""
    sums = np.array([sum(c) for c in itertools.product(e, repeat=length)])
    return min(1.0, 2 * min(np.mean(sums <= car), np.mean(sums >= car)))


@pytest.mark.parametrize(("ar", "length"), [([3.5], 1), ([2.5, 2.0], 2), ([-2.5, -3.0], 2), ([1.0, 2.0, 1.5], 3)])
def test_bootstrap_converges_to_exact_bootstrap_law(ar, length):
    exact = exact_bootstrap_p(sum(ar), E, length)
    res = sf.bootstrap_test(ar, E, n_boot=200_000, rng=1)
    assert res.pvalue == pytest.approx(exact, abs=0.01)
    assert res.nobs == 200_000


def test_bootstrap_is_reproducible_and_seed_dependent():
    rng = np.random.default_rng(9)
    e, ar = rng.normal(size=80), rng.normal(size=3)
    a = sf.bootstrap_test(ar, e, n_boot=999, rng=5)
    b = sf.bootstrap_test(ar, e, n_boot=999, rng=np.random.default_rng(5))
    c = sf.bootstrap_test(ar, e, n_boot=999, rng=6)
    assert a == b
    assert a.stat != c.stat
    assert sf.bootstrap_test(ar, e) == sf.bootstrap_test(ar, e)  # default seed


def test_bootstrap_rejects_nonpositive_n_boot():
    with pytest.raises(ValueError, match="n_boot"):
        sf.bootstrap_test(1.0, E, n_boot=0)


# --- invalid inputs ---------------------------------------------------------------------

TESTS = {"sq": sf.sample_quantile_test, "bootstrap": lambda ar, e: sf.bootstrap_test(ar, e, n_boot=99)}


@pytest.mark.parametrize("name", TESTS)
@pytest.mark.parametrize(
    ("ar", "e", "word"),
    [
        ([1.0, np.nan], E, "NaN"),
        ([1.0], np.array([1.0, np.inf, 2.0]), "NaN"),
        ([1.0, 2.0], E[:2], "at least"),
        ([1.0], np.full(20, 0.3), "zero variance"),
        ([], E, "no event"),
    ],
)
def test_invalid_inputs(name, ar, e, word):
    res = TESTS[name](np.array(ar, dtype=float), e)
    assert not res.valid and math.isnan(res.stat)
    assert word in res.note


# --- properties -------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(1e-3, 1e3), length=st.integers(1, 5))
def test_rescaling_leaves_results_unchanged(seed, scale, length):
    rng = np.random.default_rng(seed)
    e, ar = rng.normal(size=60), rng.normal(size=length)
    for name, test in TESTS.items():
        base, scaled = test(ar, e), test(ar * scale, e * scale)
        assert (scaled.stat, scaled.pvalue) == (base.stat, base.pvalue), name


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), length=st.integers(1, 5))
def test_sq_is_symmetric_in_sign(seed, length):
    rng = np.random.default_rng(seed)
    e, ar = rng.normal(size=60), rng.normal(size=length)
    base, flipped = sf.sample_quantile_test(ar, e), sf.sample_quantile_test(-ar, -e)
    assert flipped.pvalue == base.pvalue
    assert 0.0 < base.pvalue <= 1.0


# --- seeded synthetic checks ---------------------------------------------------------------


@pytest.mark.parametrize("length", [1, 3])
def test_planted_effect_is_detected(length):
    rng = np.random.default_rng(21)
    e = rng.normal(0.0, 0.01, 250)
    ar = rng.normal(0.0, 0.01, length) + 0.08 / length  # +8 sd over the window
    for name, test in TESTS.items():
        res = test(ar, e)
        assert res.pvalue < 0.05, name
        assert res.stat == 1.0, name


@pytest.mark.parametrize("length", [1, 3])
def test_no_effect_rejects_near_nominal_rate(length):
    rng = np.random.default_rng(22)
    pvalues = {name: [] for name in TESTS}
    for _ in range(300):
        e = rng.standard_t(5, 250) * 0.01
        ar = rng.standard_t(5, length) * 0.01
        for name, test in TESTS.items():
            pvalues[name].append(test(ar, e).pvalue)
    for name, ps in pvalues.items():
        ps = np.array(ps)
        assert 0.01 < np.mean(ps < 0.05) < 0.10, name
        assert np.median(ps) > 0.3, name


# --- many securities at once ------------------------------------------------------------


def plain_counts(car: float, null: np.ndarray) -> tuple[float, float, int]:
    n_le, n_ge = int(np.sum(null <= car)), int(np.sum(null >= car))
    return n_le / len(null), min(1.0, 2.0 * min(n_le + 1, n_ge + 1) / (len(null) + 1)), len(null)


def plain_sq(ar: np.ndarray, e: np.ndarray) -> tuple[float, float, int]:
    """The SQ statistic by the documented formula: rolling sums with sliding_window_view, sum(ar)."""
    null = np.lib.stride_tricks.sliding_window_view(e, len(ar)).sum(axis=1)
    return plain_counts(float(ar.sum()), null)


def plain_bootstrap(ar: np.ndarray, e: np.ndarray, n_boot: int, seed: int) -> tuple[float, float, int]:
    """The bootstrap by the documented draws: a fresh default_rng(seed), choice(e, (n_boot, L)) summed by row."""
    null = np.random.default_rng(seed).choice(e, size=(n_boot, len(ar)), replace=True).sum(axis=1)
    return plain_counts(float(ar.sum()), null)


def tie_prone(rng: np.random.Generator, rows: int, t: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Residuals from a few decimals (sums depend on the order of addition) and CARs equal to some null sums."""
    e = rng.choice([0.1, 0.2, 0.3, -0.7, 0.6, -0.3, 1e-3], size=(rows, t))
    ar = np.vstack([e[i, rng.integers(0, t, length)] for i in range(rows)])
    return ar, e


@pytest.mark.parametrize("length", [1, 2, 3, 11])
def test_many_securities_equal_the_documented_formulas(length):
    rng = np.random.default_rng(length)
    fat = rng.standard_t(3, (40, 240)) * 0.02, rng.standard_t(3, (40, length)) * 0.02
    ties = tie_prone(rng, 40, 240, length)
    for ar, e in ((fat[1], fat[0]), ties):
        sq, boot = sf.sample_quantile_tests(ar, e), sf.bootstrap_tests(ar, e, n_boot=999, seed=3)
        for i in range(len(ar)):
            assert (sq.stat[i], sq.pvalue[i], sq.nobs[i]) == plain_sq(ar[i], e[i])
            assert (boot.stat[i], boot.pvalue[i], boot.nobs[i]) == plain_bootstrap(ar[i], e[i], 999, 3)
        assert list(sq.note) == [f"{length}-day sums of residuals"] * len(ar)
        assert list(boot.note) == [f"999 resamples of {length} residuals"] * len(ar)


def test_many_securities_near_ties_are_counted_exactly():
    """CARs equal to a null sum in one order of addition and not in another still count as the formula does."""
    rng = np.random.default_rng(5)
    ar, e = tie_prone(rng, 300, 60, 11)
    boot, sq = sf.bootstrap_tests(ar, e, n_boot=499, seed=0), sf.sample_quantile_tests(ar, e)
    for i in range(len(ar)):
        assert (boot.stat[i], boot.pvalue[i], boot.nobs[i]) == plain_bootstrap(ar[i], e[i], 499, 0)
        assert (sq.stat[i], sq.pvalue[i], sq.nobs[i]) == plain_sq(ar[i], e[i])


def test_many_securities_invalid_rows_are_named_and_the_valid_row_is_the_formula():
    rng = np.random.default_rng(8)
    e, ar = rng.normal(size=(4, 30)), rng.normal(size=(4, 2))
    ar[1, 0] = np.nan
    e[2] = 0.25  # constant residuals
    e[3, 5] = np.inf
    not_finite, constant = "inputs contain NaN or infinite values", "estimation-window residuals have zero variance"
    sq, boot = sf.sample_quantile_tests(ar, e), sf.bootstrap_tests(ar, e, n_boot=99, seed=1)
    assert (sq.stat[0], sq.pvalue[0], sq.nobs[0]) == plain_sq(ar[0], e[0])
    assert (boot.stat[0], boot.pvalue[0], boot.nobs[0]) == plain_bootstrap(ar[0], e[0], 99, 1)
    for many, nobs in ((sq, 30 - 2 + 1), (boot, 99)):  # SQ: the T - L + 1 rolling sums; bootstrap: the draws
        assert list(many.note[1:]) == [not_finite, constant, not_finite]
        assert list(many.nobs[1:]) == [nobs] * 3
        assert np.isfinite(many.pvalue[0]) and not np.isfinite(many.pvalue[1:]).any()
        assert not np.isfinite(many.stat[1:]).any()
    short = sf.sample_quantile_tests(ar, e[:, :2])  # fewer residuals than L + 1
    assert not np.isfinite(short.pvalue).any() and "at least" in short.note[0]
    with pytest.raises(ValueError, match="n_boot"):
        sf.bootstrap_tests(ar, e, n_boot=0)
