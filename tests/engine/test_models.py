"""Multi-index and Fama-French models against plain-numpy least squares on the real CSVs."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from eventstudy import CsvDirectorySource, EventStudy, load_study
from eventstudy.engine import ols
from eventstudy.engine.models import MarketAdjustedModel, MarketModel, MultiIndexModel, get_model
from eventstudy.errors import ModelError
from eventstudy.market.factors import FF3_FILE, read_fama_french
from eventstudy.spec import Security


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


SEC = Security("STOCK", "XNYS", "MKT")


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
    m = rng.normal(0, 0.01, 105)
    d = MarketAdjustedModel().design(SEC).design
    res = ols.solve_stacked((m + rng.normal(0, 0.001, 105))[None], m[None], d, start=-100,
                            estimation_window=(-100, -6), ar_window=(-5, 4), event_windows=((0, 0),))  # fmt: skip
    assert np.allclose(res.abnormal, (res.returns - m[95:]), atol=1e-15)
    assert res.fit.df == 94 and np.isnan(res.fit.r2).all()
    same = ols.solve_stacked(m[None], m[None], d, start=-100, estimation_window=(-100, -6), ar_window=(-5, 4),
                             event_windows=((0, 0),))  # fmt: skip
    assert np.allclose(same.abnormal, 0.0) and "constant" in same.fit.problem[0]


def test_market_model_t_is_scale_invariant():
    rng = np.random.default_rng(5)
    m = rng.normal(0, 0.01, 200)
    y = 0.001 + 1.2 * m + rng.normal(0, 0.02, 200)
    kw = {"start": -190, "estimation_window": (-190, -1), "ar_window": (0, 9), "event_windows": ((0, 9), (2, 4))}
    a = ols.solve_stacked(y[None], m[None], ols.market_design(), **kw)
    b = ols.solve_stacked(10 * y[None], 10 * m[None], ols.market_design(), **kw)
    np.testing.assert_allclose(a.t, b.t, rtol=1e-10)


def test_registry_and_errors():
    assert get_model("multi_index").name == "multi_index"
    with pytest.raises(ModelError, match="unknown model 'capm'"):
        get_model("capm")
    with pytest.raises(ModelError, match="factors"):
        MultiIndexModel().design(SEC)
    with pytest.raises(ModelError, match="--factors"):
        get_model("ff3").design(SEC)
    y = np.random.default_rng(1).normal(size=(1, 10))
    fit = ols.fit(y, np.zeros((1, 10, 1)), MarketModel().design(SEC).design)
    assert "collinear or constant" in fit.problem[0]


@pytest.mark.parametrize("name", ["constant_mean", "market", "multi_index", "ff3"])
def test_engine_ols_equals_statsmodels_on_real_prices(prices_dir, name):
    """The engine's solver against statsmodels OLS fitted here directly, on the NVDA window."""
    from statsmodels.regression.linear_model import OLS

    rows, dates, idx = _window(prices_dir, "NVDA")
    gspc, soxx = _rows(prices_dir / "GSPC.csv"), _rows(prices_dir / "SOXX.csv")
    y = np.array([_ret(rows, dates, i) for i in idx])
    reg = pd.DataFrame(
        {"benchmark": [_ret(gspc, dates, i) for i in idx], "f:SOXX": [_ret(soxx, dates, i) for i in idx]}
    )
    ff = read_fama_french(prices_dir / FF3_FILE).reindex(pd.to_datetime([dates[i] for i in idx]))
    for col in ff.columns:
        reg[col] = ff[col].to_numpy()
    sec = Security("NVDA", "XNAS", "^GSPC", factors=("SOXX",))
    design = get_model(name).design(sec, fama_french=True)
    read = {"^GSPC": "benchmark", "SOXX": "f:SOXX"}
    x = reg[[read.get(symbol, symbol) for _, symbol in design.columns]].to_numpy()
    fit = ols.fit(y[None], x[None], design.design)
    target = y - reg["RF"].to_numpy() if name == "ff3" else y
    cols = {"constant_mean": [], "market": ["benchmark"], "multi_index": ["benchmark", "f:SOXX"],
            "ff3": ["Mkt-RF", "SMB", "HML"]}[name]  # fmt: skip
    ref = OLS(target, np.column_stack([np.ones(len(y)), reg[cols].to_numpy()])).fit()
    np.testing.assert_allclose(fit.params[0], ref.params, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fit.residuals[0], ref.resid, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fit.xtx_inv[0], ref.normalized_cov_params, rtol=1e-10)
    assert fit.sigma[0] == pytest.approx(np.sqrt(ref.scale), rel=1e-12)
    assert (fit.nobs, fit.df) == (ref.nobs, ref.df_resid)
    if cols:
        assert fit.r2[0] == pytest.approx(ref.rsquared, rel=1e-10)


def test_study_file_model_names_are_the_engine_models():
    from eventstudy.engine.models import MODELS
    from eventstudy.spec import MODEL_NAMES

    assert tuple(MODELS) == MODEL_NAMES
