"""The batch engine gives the per-event statsmodels numbers to 1e-10 on real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy import CsvDirectorySource, EventStudy, load_study
from eventstudy.claims.reconcile import TEXT_COLUMNS
from eventstudy.engine.batch import market_model_batch, returns_panel
from eventstudy.market.calendars import get_calendar

US = ["ORCL", "NVDA", "MSFT", "AVGO", "AMD", "SMCI", "VRT", "CEG", "ARM"]


@pytest.fixture(scope="module")
def panel(prices_dir):
    src = CsvDirectorySource(prices_dir)
    sessions = get_calendar("XNYS").sessions_in_range("2020-01-02", "2025-12-31")
    frames = {s: src.prices(s, sessions[0], sessions[-1]) for s in [*US, "^GSPC"]}
    return returns_panel(frames, sessions, carry={"^GSPC"})


def test_batch_equals_statsmodels_path_on_stargate(prices_dir, study_path, panel):
    spec = load_study(study_path)
    res = EventStudy(spec, CsvDirectorySource(prices_dir)).run()
    us = res.day0[res.day0["exchange"].isin(["XNYS", "XNAS"])].reset_index(drop=True)
    cols = np.array([panel.columns.get_loc(t) for t in us["ticker"]])
    mkt = np.full(len(us), panel.columns.get_loc("^GSPC"))
    rows = panel.index.get_indexer(pd.DatetimeIndex(us["session"]))
    out = market_model_batch(panel.to_numpy(), cols, mkt, rows)
    fits = res.fits.set_index(["event", "ticker"])
    car = res.car.set_index(["event", "ticker", "start", "end"]).sort_index()
    ar = res.ar.set_index(["event", "ticker", "day"]).sort_index()
    for p, row in us.iterrows():
        key = (row["event"], row["ticker"])
        assert out.alpha[p] == pytest.approx(fits.loc[key, "alpha"], abs=1e-10)
        assert out.beta[p] == pytest.approx(fits.loc[key, "beta"], abs=1e-10)
        assert out.sigma[p] == pytest.approx(fits.loc[key, "sigma"], abs=1e-10)
        assert out.r2[p] == pytest.approx(fits.loc[key, "r2"], abs=1e-10)
        np.testing.assert_allclose(out.abnormal[p], ar.loc[key, "abnormal"].to_numpy(), atol=1e-10, rtol=0)
        np.testing.assert_allclose(out.sar[p], ar.loc[key, "sar"].to_numpy(), atol=1e-10, rtol=0)
        for w, (s, e) in enumerate(out.windows):
            c = car.loc[(*key, s, e)]
            assert out.car[p, w] == pytest.approx(c["car"], abs=1e-10)
            assert out.car_se[p, w] == pytest.approx(c["se"], abs=1e-10)
            assert out.t[p, w] == pytest.approx(c["t"], abs=1e-10)
            assert out.p[p, w] == pytest.approx(c["p"], abs=1e-10)


def test_batch_equals_numpy_lstsq_on_random_pairs(panel):
    """200 random (security, date) pairs against per-pair np.linalg.lstsq and the MacKinlay variance."""
    rng = np.random.default_rng(11)
    values = panel.to_numpy()
    mcol = panel.columns.get_loc("^GSPC")
    cols, rows = [], []
    while len(cols) < 200:
        c, r = rng.integers(len(US)), rng.integers(251, len(panel) - 11)
        if not np.isnan(values[r - 250 : r + 11, c]).any():
            cols.append(c)
            rows.append(r)
    cols, rows = np.array(cols), np.array(rows)
    out = market_model_batch(values, cols, np.full(len(cols), mcol), rows)
    for p in range(0, 200, 7):
        y, m = values[rows[p] - 250 : rows[p] - 10, cols[p]], values[rows[p] - 250 : rows[p] - 10, mcol]
        X = np.column_stack([np.ones(240), m])
        coef, *_ = np.linalg.lstsq(X, y, rcond=None)
        s2 = np.sum((y - X @ coef) ** 2) / 238
        ye, me = values[rows[p] - 1 : rows[p] + 2, cols[p]], values[rows[p] - 1 : rows[p] + 2, mcol]  # [-1, 1]
        xs = np.array([3.0, me.sum()])
        var = s2 * (3 + xs @ np.linalg.inv(X.T @ X) @ xs)
        car = np.sum(ye - coef[0] - coef[1] * me)
        assert (out.alpha[p], out.beta[p]) == pytest.approx(tuple(coef), abs=1e-10)
        assert out.car[p, 2] == pytest.approx(car, abs=1e-12)
        assert out.car_se[p, 2] == pytest.approx(np.sqrt(var), abs=1e-12)


def test_batch_rejects_windows_outside_or_nan(panel):
    values = panel.to_numpy()
    with pytest.raises(ValueError, match="outside"):
        market_model_batch(values, np.array([0]), np.array([1]), np.array([10]))
    arm = panel.columns.get_loc("ARM")
    with pytest.raises(ValueError, match="missing"):  # ARM listed 2023-09-14: NaN before
        market_model_batch(values, np.array([arm]), np.array([0]), np.array([panel.index.get_loc("2023-10-02")]))


def test_event_study_uses_the_batch_engine_with_the_same_numbers(prices_dir, study_path, monkeypatch):
    """Forced batch fits vs one statsmodels fit per pair: every table agrees to 1e-10."""
    import eventstudy.engine.models as models

    spec = load_study(study_path)
    src = CsvDirectorySource(prices_dir)
    calls = []
    original = models.MarketModel.fit
    monkeypatch.setattr(models.MarketModel, "fit", lambda self, *a: calls.append(1) or original(self, *a))
    batch = EventStudy(spec, src).run()  # the default: the vectorized path, even for 16 pairs
    assert calls == []  # no per-pair fit at all
    single = EventStudy(spec, src, model=models.MarketModel(engine="statsmodels"), batch_min_pairs=1).run()
    assert len(calls) == len(single.fits)
    checks = {"ar": ["abnormal", "expected", "sar"], "car": ["car", "se", "t", "p"],
              "fits": ["alpha", "beta", "sigma", "r2"], "residuals": ["residual"]}  # fmt: skip
    for name, cols in checks.items():
        a, b = getattr(batch, name)[cols].to_numpy(float), getattr(single, name)[cols].to_numpy(float)
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10, err_msg=name)
    claims = [r.claims.drop(columns=TEXT_COLUMNS) for r in (batch, single)]  # sentences round the numbers
    pd.testing.assert_frame_equal(*claims, check_exact=False, atol=1e-10)


def _random_pairs(panel, n, seed):
    rng = np.random.default_rng(seed)
    values = panel.to_numpy()
    cols, rows = [], []
    while len(cols) < n:
        c, r = rng.integers(len(US)), rng.integers(251, len(panel) - 11)
        if not np.isnan(values[r - 250 : r + 11, c]).any():
            cols.append(c)
            rows.append(r)
    return values, np.array(cols), np.array(rows)


def test_blocks_and_threads_give_the_same_numbers(panel, monkeypatch):
    import eventstudy.engine.batch as batch

    values, cols, rows = _random_pairs(panel, 300, 3)
    mkt = np.full(len(cols), panel.columns.get_loc("^GSPC"))
    whole = market_model_batch(values, cols, mkt, rows, threads=1)
    monkeypatch.setattr(batch, "BLOCK_PAIRS", 37)
    for threads in (1, 3):
        part = market_model_batch(values, cols, mkt, rows, threads=threads)
        for name in ("alpha", "beta", "sigma", "r2", "abnormal", "expected", "sar", "car", "car_se", "t", "p"):
            np.testing.assert_allclose(getattr(part, name), getattr(whole, name), rtol=0, atol=1e-14, err_msg=name)


def test_non_strict_marks_bad_pairs_and_returns_residuals(panel):
    """A pair with NaN (ARM before its listing) is marked, the others are the per-pair least squares."""
    values, cols, rows = _random_pairs(panel, 20, 4)
    arm = panel.columns.get_loc("ARM")
    cols, rows = np.append(cols, arm), np.append(rows, panel.index.get_loc("2023-10-02"))
    mcol = panel.columns.get_loc("^GSPC")
    out = market_model_batch(values, cols, np.full(len(cols), mcol), rows, strict=False, residuals=True)
    assert out.ok.tolist() == [True] * 20 + [False]
    for p in range(20):
        y, m = values[rows[p] - 250 : rows[p] - 10, cols[p]], values[rows[p] - 250 : rows[p] - 10, mcol]
        x = np.column_stack([np.ones(240), m])
        coef, *_ = np.linalg.lstsq(x, y, rcond=None)
        np.testing.assert_allclose(out.residuals[p], y - x @ coef, rtol=0, atol=1e-12)
        me = values[rows[p] - 10 : rows[p] + 11, mcol]
        np.testing.assert_allclose(out.expected[p], coef[0] + coef[1] * me, rtol=0, atol=1e-12)
        np.testing.assert_allclose(out.abnormal[p], out.returns[p] - out.expected[p], rtol=0, atol=0)  # AR = R - E(R)
