"""Multi-index and Fama-French models against plain-numpy least squares on the real CSVs."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from eventstudy import CsvDirectorySource, EventStudy, load_study
from eventstudy.engine.models import MarketAdjustedModel, MarketModel, MultiIndexModel, get_model
from eventstudy.errors import ModelError
from eventstudy.market.factors import FF3_FILE, read_fama_french


def _rows(path):
    with path.open(newline="") as fh:
        return {r["Date"]: r for r in csv.DictReader(fh)}


def _ret(rows, dates, i):
    def px(d):
        return float(rows[d]["Adj Close"] or rows[d]["Close"])

    return px(dates[i]) / px(dates[i - 1]) - 1


def _window(prices_dir, ticker, day0="2025-01-22"):
    rows = _rows(prices_dir / f"{ticker}.csv")
    dates = sorted(rows)
    i0 = dates.index(day0)
    return rows, dates, list(range(i0 - 250, i0 - 10))  # days -250..-11


@pytest.fixture(scope="module")
def study(study_path):
    return load_study(study_path)


def test_multi_index_matches_numpy(prices_dir, study):
    res = EventStudy(study, CsvDirectorySource(prices_dir), model="multi_index", on_error="skip").run()
    rows, dates, idx = _window(prices_dir, "NVDA")
    gspc, soxx = _rows(prices_dir / "GSPC.csv"), _rows(prices_dir / "SOXX.csv")
    y = np.array([_ret(rows, dates, i) for i in idx])
    m = np.array([_ret(gspc, dates, i) for i in idx])
    f = np.array([_ret(soxx, dates, i) for i in idx])
    X = np.column_stack([np.ones(len(y)), m, f])
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    fit = res.fits.set_index(["event", "ticker"]).loc[("white-house", "NVDA")]
    assert (fit["alpha"], fit["beta"], fit["gamma_SOXX"]) == pytest.approx(tuple(coef), rel=1e-8)
    resid = y - X @ coef
    assert fit["sigma"] == pytest.approx(np.sqrt(resid @ resid / (len(y) - 3)), rel=1e-9)
    # ORCL and 9984.T have no factors: left out with the reason, not fitted with a silent fallback
    assert set(res.excluded["ticker"]) == {"ORCL", "9984.T"}
    assert res.excluded["reason"].str.contains("factors").all()


def test_ff3_matches_numpy(prices_dir, study):
    factors = read_fama_french(prices_dir / FF3_FILE)
    res = EventStudy(study, CsvDirectorySource(prices_dir), model="ff3", factors=factors, on_error="skip").run()
    rows, dates, idx = _window(prices_dir, "ORCL")
    ff = _rows(prices_dir / FF3_FILE)
    fac = np.array([[float(ff[dates[i]][c]) / 100 for c in ("Mkt-RF", "SMB", "HML", "RF")] for i in idx])
    y = np.array([_ret(rows, dates, i) for i in idx]) - fac[:, 3]
    X = np.column_stack([np.ones(len(y)), fac[:, :3]])
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    fit = res.fits.set_index(["event", "ticker"]).loc[("white-house", "ORCL")]
    assert (fit["alpha"], fit["beta"], fit["s_SMB"], fit["h_HML"]) == pytest.approx(tuple(coef), rel=1e-8)
    # AR on day 0 = R - RF - X b, written out by hand
    i0 = dates.index("2025-01-22")
    r0 = _ret(rows, dates, i0)
    f0 = [float(ff["2025-01-22"][c]) / 100 for c in ("Mkt-RF", "SMB", "HML", "RF")]
    ar0 = r0 - f0[3] - (coef[0] + coef[1:] @ np.array(f0[:3]))
    ar = res.ar.set_index(["event", "ticker", "day"]).loc[("white-house", "ORCL", 0)]
    assert ar["abnormal"] == pytest.approx(ar0, abs=1e-12)
    # Tokyo sessions are not in the US factor file: SoftBank is excluded with the reason
    assert set(res.excluded["ticker"]) == {"9984.T"}


def test_stock_equal_to_market_has_zero_market_adjusted_ar():
    rng = np.random.default_rng(3)
    m = pd.Series(rng.normal(0, 0.01, 100))
    fit = MarketAdjustedModel().fit(m + rng.normal(0, 0.001, 100), m)
    event = rng.normal(0, 0.01, 5)
    assert np.allclose(event - fit.expected(event), 0.0)


def test_market_model_t_is_scale_invariant():
    rng = np.random.default_rng(5)
    m = rng.normal(0, 0.01, 200)
    y = 0.001 + 1.2 * m + rng.normal(0, 0.02, 200)
    a = MarketModel().fit(pd.Series(y[:190]), pd.Series(m[:190]))
    b = MarketModel().fit(pd.Series(10 * y[:190]), pd.Series(10 * m[:190]))
    car_a = np.sum(y[190:] - a.expected(m[190:]))
    car_b = np.sum(10 * y[190:] - b.expected(10 * m[190:]))
    t_a = car_a / np.sqrt(a.car_variance(m[190:]))
    t_b = car_b / np.sqrt(b.car_variance(10 * m[190:]))
    assert t_a == pytest.approx(t_b, rel=1e-10)


def test_registry_and_errors():
    assert get_model("multi_index").name == "multi_index"
    with pytest.raises(ModelError, match="unknown model 'capm'"):
        get_model("capm")
    with pytest.raises(ModelError, match="factors"):
        MultiIndexModel().fit(pd.Series(np.arange(10.0)), pd.DataFrame({"benchmark": np.arange(10.0) ** 2}))
    with pytest.raises(ModelError, match="collinear or constant"):
        MarketModel().fit(pd.Series(np.random.default_rng(1).normal(size=10)), pd.Series(np.zeros(10)))


@pytest.mark.parametrize("name", ["constant_mean", "market", "multi_index", "ff3"])
def test_numpy_ols_equals_statsmodels(prices_dir, name):
    """The default QR solve against statsmodels OLS fitted here directly, on the NVDA window."""
    from statsmodels.regression.linear_model import OLS

    rows, dates, idx = _window(prices_dir, "NVDA")
    gspc, soxx = _rows(prices_dir / "GSPC.csv"), _rows(prices_dir / "SOXX.csv")
    y = pd.Series([_ret(rows, dates, i) for i in idx])
    reg = pd.DataFrame(
        {"benchmark": [_ret(gspc, dates, i) for i in idx], "f:SOXX": [_ret(soxx, dates, i) for i in idx]}
    )
    ff = read_fama_french(prices_dir / FF3_FILE).reindex(pd.to_datetime([dates[i] for i in idx]))
    for col in ff.columns:
        reg[col] = ff[col].to_numpy()
    fit = get_model(name).fit(y, reg)
    target = y - reg["RF"] if name == "ff3" else y
    cols = {"constant_mean": [], "market": ["benchmark"], "multi_index": ["benchmark", "f:SOXX"],
            "ff3": ["Mkt-RF", "SMB", "HML"]}[name]  # fmt: skip
    x = np.column_stack([np.ones(len(y)), reg[cols].to_numpy()])
    ref = OLS(target.to_numpy(), x).fit()
    np.testing.assert_allclose(fit.params.to_numpy(), ref.params, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fit.residuals.to_numpy(), ref.resid, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fit.xtx_inv, ref.normalized_cov_params, rtol=1e-10)
    assert fit.sigma == pytest.approx(np.sqrt(ref.scale), rel=1e-12)
    assert (fit.nobs, fit.df_resid) == (ref.nobs, ref.df_resid)
    if cols:
        assert fit.r2 == pytest.approx(ref.rsquared, rel=1e-10)
    sm = get_model(name).__class__(engine="statsmodels").fit(y, reg)
    np.testing.assert_allclose(sm.params.to_numpy(), ref.params, rtol=0, atol=1e-15)


def test_unknown_engine_is_refused():
    with pytest.raises(ModelError, match="engine 'scipy'"):
        MarketModel(engine="scipy")


def test_study_file_model_names_are_the_engine_models():
    from eventstudy.engine.models import MODELS
    from eventstudy.spec import MODEL_NAMES

    assert tuple(MODELS) == MODEL_NAMES
