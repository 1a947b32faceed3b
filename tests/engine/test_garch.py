"""GARCH(1,1) market model: against arch called here, and on a simulated series with known parameters."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest
from arch import arch_model

from eventstudy.engine.garch import boundary_reason, fit_garch, fit_garch_many, garch_arrays

DAY0 = "2025-01-22"


def _pair(prices_dir, ticker, bench):
    """Returns of days -250..+10 from the CSV rows (adjusted closes)."""
    with open(prices_dir / f"{ticker}.csv", newline="") as fh:
        sec = list(csv.DictReader(fh))
    with open(prices_dir / f"{bench}.csv", newline="") as fh:
        b = {r["Date"]: r for r in csv.DictReader(fh)}

    def px(r):
        return float(r["Adj Close"] or r["Close"])

    i = [r["Date"] for r in sec].index(DAY0)
    span = range(i - 250, i + 11)
    r = np.array([px(sec[k]) / px(sec[k - 1]) - 1 for k in span])
    rm = np.array([px(b[sec[k]["Date"]]) / px(b[sec[k - 1]["Date"]]) - 1 for k in span])
    return r, rm


def test_softbank_fit_equals_arch_called_directly(prices_dir):
    """Same window, same arch call; the out-of-sample variance by the GARCH recursion written here."""
    r, rm = _pair(prices_dir, "9984.T", "N225")
    fit = fit_garch(r, rm, start=-250)
    assert fit.ok, fit.reason
    res = arch_model(100 * r[:240], x=100 * rm[:240, None], mean="LS", vol="GARCH", p=1, q=1, rescale=False).fit(
        disp="off"
    )
    c, b, omega, alpha, gamma = res.params.to_numpy()
    assert [fit.params[k] for k in ("const", "beta", "omega", "alpha", "gamma")] == pytest.approx(
        [c, b, omega, alpha, gamma], rel=1e-8
    )
    assert fit.std_err["alpha"] == pytest.approx(res.std_err["alpha[1]"], rel=1e-8)
    # h-step forecasts from the last estimation day: σ²(1) = ω + α ε_T² + γ σ_T², then σ²(h) = ω + (α + γ) σ²(h-1)
    var = [omega + alpha * res.resid[-1] ** 2 + gamma * res.conditional_volatility[-1] ** 2]
    for _ in range(20):
        var.append(omega + (alpha + gamma) * var[-1])
    sigma = np.sqrt(var) / 100
    np.testing.assert_allclose(fit.sigma, sigma, rtol=1e-10)
    ar = r[240:] - (c + b * 100 * rm[240:]) / 100
    np.testing.assert_allclose(fit.abnormal, ar, atol=1e-12)
    np.testing.assert_allclose(fit.sar, ar / sigma, rtol=1e-9)
    w = fit.windows.index((-1, 1))
    z = ar[9:12].sum() / math.sqrt((sigma[9:12] ** 2).sum())
    assert fit.z[w] == pytest.approx(z, rel=1e-9)
    assert fit.p[w] == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), rel=1e-9)


def test_simulated_garch_parameters_are_recovered():
    """T = 3,000 days from known parameters (percent units); each estimate within 4 of arch's standard errors."""
    rng = np.random.default_rng(1986)
    n, omega, alpha, gamma, c, beta = 3000, 0.05, 0.08, 0.90, 0.03, 1.1
    m = rng.normal(0.0, 1.0, n + 21)
    eps, var = np.empty(n + 21), omega / (1 - alpha - gamma)
    for t in range(n + 21):
        eps[t] = math.sqrt(var) * rng.standard_normal()
        var = omega + alpha * eps[t] ** 2 + gamma * var
    y = c + beta * m + eps
    fit = fit_garch(y / 100, m / 100, start=-n, estimation_window=(-n, -11), ar_window=(-10, 10))
    assert fit.ok, fit.reason
    for key, true in {"omega": omega, "alpha": alpha, "gamma": gamma, "beta": beta, "const": c}.items():
        assert abs(fit.params[key] - true) < 4 * fit.std_err[key], (key, fit.params[key], fit.std_err[key])
    assert fit.std_err["gamma"] < 0.05  # the tolerance shrinks with the sample size


def test_fits_on_a_boundary_are_excluded_with_their_reason():
    rng = np.random.default_rng(2)
    m = rng.normal(0, 0.01, 261)
    y = 0.001 + 1.2 * m + rng.normal(0, 0.015, 261)  # constant variance: alpha goes to its bound 0
    fit = fit_garch(y, m, start=-250)
    assert not fit.ok and "alpha" in fit.reason and "bound" in fit.reason
    assert np.isnan(fit.sar).all() and np.isnan(fit.car).all() and fit.params  # parameters kept for the record
    assert boundary_reason({"alpha": 0.3, "gamma": 0.7, "omega": 0.1}, 1.0).startswith("alpha + gamma")
    assert boundary_reason({"alpha": 0.1, "gamma": 0.0, "omega": 0.1}, 1.0).startswith("gamma")
    assert boundary_reason({"alpha": 0.1, "gamma": 0.8, "omega": 1e-9}, 1.0).startswith("omega")
    assert boundary_reason({"alpha": 0.1, "gamma": 0.8, "omega": 0.1}, 1.0) == ""
    stopped = fit_garch(y, m, start=-250, options={"maxiter": 2})
    assert not stopped.ok and stopped.convergence_flag != 0
    assert stopped.reason.startswith(f"optimizer did not converge (flag {stopped.convergence_flag}: ")
    y[255] = np.nan
    assert fit_garch(y, m, start=-250).reason == "missing returns in the event window"


def test_fit_many_in_processes_keeps_the_order(prices_dir):
    pairs = [_pair(prices_dir, t, b) for t, b in (("9984.T", "N225"), ("ARM", "GSPC"), ("ORCL", "GSPC"))]
    r, rm = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    r = np.vstack([r, r[:1]])
    rm = np.vstack([rm, rm[:1]])
    many = fit_garch_many(r, rm, start=-250, workers=2)
    one = [fit_garch(r[k], rm[k], start=-250) for k in range(4)]
    assert [f.reason for f in many] == [f.reason for f in one]
    arrays = garch_arrays(many)
    np.testing.assert_array_equal(arrays["sar"], np.array([f.sar for f in one]))
    assert arrays["ok"].tolist() == [f.ok for f in one] == [True, False, False, True]
    # quoted in docs/methodology.md: Arm's alpha at 0, Oracle integrated, SoftBank's day-0 SAR
    assert many[1].reason.startswith("alpha = ") and many[2].reason.startswith("alpha + gamma")
    assert many[0].sar[10] == pytest.approx(4.58, abs=5e-3)
