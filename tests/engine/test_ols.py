"""The batched solver against statsmodels OLS and numpy formulas written here, pair by pair."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from eventstudy.engine.ols import Design, fit, solve_stacked, t_two_sided

EST, ARW, WINDOWS = (-60, -11), (-10, 10), ((0, 0), (0, 1), (-1, 1), (-5, 5))
START = -60


def data(pairs: int, regressors: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Returns (P, S) driven by ``regressors`` factors (P, S, j), S = days -60..10."""
    rng = np.random.default_rng(seed)
    s = ARW[1] - START + 1
    x = rng.normal(0.0, 0.01, (pairs, s, regressors))
    beta = rng.uniform(0.5, 1.5, (pairs, 1, regressors))
    y = 0.0005 + (x * beta).sum(axis=2) + rng.normal(0.0, 0.015, (pairs, s))
    return y, x


DESIGNS = {
    "constant_mean": (Design("constant_mean", ("alpha",)), 0),
    "market": (Design("market", ("alpha", "beta")), 1),
    "multi_index": (Design("multi_index", ("alpha", "beta", "gamma_SOXX")), 2),
    "ff3": (Design("ff3", ("alpha", "beta", "s_SMB", "h_HML"), offset=True), 4),
}


@pytest.mark.parametrize("model", list(DESIGNS))
def test_every_ols_model_equals_statsmodels(model):
    design, j = DESIGNS[model]
    y, x = data(7, j)
    res = solve_stacked(y, x, design, start=START, estimation_window=EST, ar_window=ARW, event_windows=WINDOWS)
    est, ev = slice(EST[0] - START, EST[1] - START + 1), slice(ARW[0] - START, ARW[1] - START + 1)
    days = np.arange(ARW[0], ARW[1] + 1)
    for p in range(len(y)):
        offset = x[p, :, -1] if design.offset else np.zeros(y.shape[1])
        reg = x[p, :, :-1] if design.offset else x[p]
        xd = sm.add_constant(reg, has_constant="add") if reg.shape[1] else np.ones((y.shape[1], 1))
        ols = sm.OLS(y[p, est] - offset[est], xd[est]).fit()
        n, k = ols.nobs, len(ols.params)
        np.testing.assert_allclose(res.fit.params[p], ols.params, rtol=1e-10, atol=1e-14)
        assert res.fit.sigma[p] == pytest.approx(np.sqrt(ols.scale), rel=1e-10)
        assert res.fit.df == n - k == ols.df_resid
        if k > 1:
            assert res.fit.r2[p] == pytest.approx(ols.rsquared, rel=1e-10)
        np.testing.assert_allclose(res.fit.xtx_inv[p], ols.normalized_cov_params, rtol=1e-9)
        np.testing.assert_allclose(res.fit.residuals[p], ols.resid, atol=1e-14)
        pred = xd[ev] @ ols.params + offset[ev]
        np.testing.assert_allclose(res.expected[p], pred, atol=1e-14)
        np.testing.assert_allclose(res.abnormal[p], y[p, ev] - pred, atol=1e-14)
        # prediction-error variances by the textbook formulas, with the inverse from numpy
        inv = np.linalg.inv(xd[est].T @ xd[est])
        h = np.einsum("ij,jk,ik->i", xd[ev], inv, xd[ev])
        np.testing.assert_allclose(res.sar[p], (y[p, ev] - pred) / np.sqrt(ols.scale * (1 + h)), rtol=1e-9)
        for w, (a, b) in enumerate(WINDOWS):
            inside = (days >= a) & (days <= b)
            s = xd[ev][inside].sum(axis=0)
            var = ols.scale * (inside.sum() + s @ inv @ s)
            car = (y[p, ev] - pred)[inside].sum()
            assert res.car[p, w] == pytest.approx(car, abs=1e-14)
            assert res.se[p, w] == pytest.approx(np.sqrt(var), rel=1e-9)
            assert res.t[p, w] == pytest.approx(car / np.sqrt(var), rel=1e-9)
            assert res.p[p, w] == pytest.approx(2 * stats.t.sf(abs(car / np.sqrt(var)), n - k), rel=1e-8)
    assert not res.fit.problem.any()


def test_market_adjusted_and_index():
    y, x = data(4, 1)
    adj = solve_stacked(y, x, Design("market_adjusted", ("beta",), kind="adjusted", intercept=False), start=START,
                        estimation_window=EST, ar_window=ARW, event_windows=WINDOWS)  # fmt: skip
    est, ev = slice(0, EST[1] - START + 1), slice(ARW[0] - START, None)
    e = y[:, est] - x[:, est, 0]
    np.testing.assert_allclose(adj.fit.sigma, e.std(axis=1, ddof=1), rtol=1e-12)
    assert adj.fit.df == e.shape[1] - 1
    np.testing.assert_allclose(adj.abnormal, y[:, ev] - x[:, ev, 0], atol=1e-15)
    np.testing.assert_allclose(adj.se[:, 3], e.std(axis=1, ddof=1) * np.sqrt(11), rtol=1e-12)
    index = solve_stacked(y, y[:, :, None], Design("index", ("beta",), kind="index", intercept=False), start=START,
                          estimation_window=EST, ar_window=ARW, event_windows=WINDOWS)  # fmt: skip
    assert (index.abnormal == 0).all() and (index.car == 0).all()
    assert np.isnan(index.fit.sigma).all() and np.isnan(index.t).all() and np.isnan(index.p).all()


def test_degenerate_fits_are_named():
    y, x = data(4, 1)
    x[0] = 0.0  # constant benchmark
    y[1] = 0.0  # constant returns
    y[2] = x[2, :, 0]  # the benchmark itself
    res = solve_stacked(y, x, Design("market", ("alpha", "beta")), start=START, estimation_window=EST, ar_window=ARW,
                        event_windows=WINDOWS)  # fmt: skip
    assert "collinear or constant" in res.fit.problem[0]
    assert "zero variance" in res.fit.problem[1]
    assert "R² = 1" in res.fit.problem[2]
    assert res.fit.problem[3] == ""
    z = np.concatenate([x, x[:, :, :1]], axis=2)  # the factor repeats the market
    multi = fit(y[3:, :50], z[3:, :50], Design("multi_index", ("alpha", "beta", "gamma_X")))
    assert "collinear" in multi.problem[0]


def test_blocks_and_threads_give_the_same_numbers(monkeypatch):
    y, x = data(50, 1)
    kw = {"start": START, "estimation_window": EST, "ar_window": ARW, "event_windows": WINDOWS}
    one = solve_stacked(y, x, Design("market", ("alpha", "beta")), threads=1, **kw)
    monkeypatch.setattr("eventstudy.engine.ols.BLOCK_PAIRS", 7)
    many = solve_stacked(y, x, Design("market", ("alpha", "beta")), threads=3, **kw)
    for name in ("car", "se", "t", "p", "sar"):
        np.testing.assert_allclose(getattr(one, name), getattr(many, name), rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(one.fit.residuals, many.fit.residuals, rtol=1e-13, atol=1e-16)


def test_t_two_sided_is_scipy():
    t = np.array([-3.0, -0.2, 0.0, 1.7, np.nan])
    np.testing.assert_allclose(t_two_sided(t, 27), 2 * stats.t.sf(np.abs(t), 27), rtol=1e-12)
    assert t_two_sided(2.0, 10) == pytest.approx(2 * stats.t.sf(2.0, 10), rel=1e-12)
