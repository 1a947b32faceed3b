"""The engine against an independent implementation: R EventStudy 0.50.0 (../shared/reference/r-eventstudy).

Its README lists which numbers use the same formula (α, β, σ, R², df,
estimation dates, AR, CAR, the forecast-error-corrected σ of one day) and
where R differs: its per-firm CAR t leaves out the prediction-error term,
so here it is recomputed from the engine's σ as CAR / (σ √L), R's formula.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from pathlib import Path

import pytest
from conftest import SHARED, STUDY, require_shared

from eventstudy import CsvDirectorySource, EventStudy, load_study
from eventstudy.spec.events_csv import load_events_csv

REFERENCE = SHARED / "reference" / "r-eventstudy"
TOL = 1e-9


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module", params=["stargate", "sample40"])
def study(request, prices_dir):
    """(R's files, the engine's results) of one reference study, with R's [-10, 10] window added."""
    folder = require_shared(REFERENCE / request.param)
    spec = load_events_csv(folder / "events.csv") if request.param == "sample40" else load_study(STUDY)
    spec = dataclasses.replace(spec, event_windows=(*spec.event_windows, (-10, 10)))
    res = EventStudy(spec, CsvDirectorySource(prices_dir), model="market").run()
    label = {r["event_id"]: (r["group"], r["ticker"]) for r in rows(folder / "pairs.csv")}
    return folder, res, label


def test_fits_equal_r(study):
    folder, res, label = study
    fits = res.fits.set_index(["event", "ticker"])
    ref = rows(folder / "r_fits.csv")
    assert len(ref) == len(fits)
    for r in ref:
        ours = fits.loc[label[r["event_id"]]]
        for name in ("alpha", "beta", "sigma", "r2"):
            assert ours[name] == pytest.approx(float(r[name]), abs=TOL, rel=TOL), (r["event_id"], name)
        assert (ours["df"], ours["n"]) == (int(r["df"]), int(r["n"]))
        assert str(ours["estimation_start"].date()) == r["est_start"]
        assert str(ours["estimation_end"].date()) == r["est_end"]


def test_abnormal_returns_equal_r(study):
    folder, res, label = study
    ar = res.ar.set_index(["event", "ticker", "day"])
    ref = rows(folder / "r_ar.csv")
    assert len(ref) == len(ar)
    for r in ref:
        ours = ar.loc[(*label[r["event_id"]], int(r["day"]))]
        assert str(ours["session"].date()) == r["session"]
        assert ours["return"] == pytest.approx(float(r["firm_returns"]), abs=TOL)
        assert ours["benchmark"] == pytest.approx(float(r["index_returns"]), abs=TOL)
        assert ours["abnormal"] == pytest.approx(float(r["abnormal_returns"]), abs=TOL)
        # R's forecast-error-corrected σ of one day is the SD the engine standardizes by
        assert ours["abnormal"] / ours["sar"] == pytest.approx(float(r["fec_sigma"]), rel=TOL)


def test_cars_equal_r(study):
    folder, res, label = study
    car = res.car.set_index(["event", "ticker", "start", "end"])
    sigma = res.fits.set_index(["event", "ticker"])["sigma"]
    ref = rows(folder / "r_car.csv")
    assert len(ref) == len(car)
    for r in ref:
        key = label[r["event_id"]]
        start, end = int(r["start"]), int(r["end"])
        ours = car.loc[(*key, start, end)]
        assert ours["car"] == pytest.approx(float(r["car"]), abs=TOL)
        assert ours["df"] == int(r["df"])
        # R's t leaves out the estimation term of the prediction error (README): CAR / (σ √L)
        r_t = ours["car"] / (sigma.loc[key] * math.sqrt(end - start + 1))
        assert r_t == pytest.approx(float(r["car_t"]), rel=TOL, abs=TOL)
        # the engine's t keeps it (a larger variance), so it is never larger in size
        assert abs(ours["t"]) <= abs(r_t) + 1e-12


def test_ols_is_the_statsmodels_fit_of_the_engine(study):
    """``res.ols`` gives statsmodels' results of each pair's estimation regression: the engine's numbers."""
    res = study[1]
    fits = res.fits.set_index(["event", "ticker"])
    resid = res.residuals.set_index(["event", "ticker"])
    for event, ticker in list(fits.index)[:6]:
        fit = res.ols(event, ticker)
        ours = fits.loc[(event, ticker)]
        assert fit.params["alpha"] == pytest.approx(ours["alpha"], rel=1e-10, abs=1e-14)
        assert fit.params["beta"] == pytest.approx(ours["beta"], rel=1e-10)
        assert math.sqrt(fit.scale) == pytest.approx(ours["sigma"], rel=1e-10)
        assert fit.rsquared == pytest.approx(ours["r2"], rel=1e-10)
        assert (fit.nobs, fit.df_resid) == (ours["n"], ours["df"])
        assert fit.resid.to_numpy() == pytest.approx(resid.loc[(event, ticker), "residual"].to_numpy(), abs=1e-14)
        assert fit.resid.index[0] == ours["estimation_start"] and fit.resid.index[-1] == ours["estimation_end"]
        assert fit.get_robustcov_results("HC1").bse.shape == (2,)  # robust covariances are there
    with pytest.raises(KeyError):
        res.ols("no-such-event", "ORCL")


SAME_FORMULA = {  # R's test name -> the tests table's, where the README says both use one formula
    "CSectT caar_t": "cross-sectional t",
    "GSignT cgsign_z": "generalized sign Z",
    "PatellZ caar_z": "Patell Z",  # one-day windows only
    "BMP cbmp_t": "BMP t",  # one benchmark and one day 0 per group only (sample40)
    "KP ckp_t": "Kolari-Pynnönen adjusted BMP t",
}


def test_cross_sectional_tests_equal_r(study):
    folder, res, _ = study
    tests = res.tests[res.tests["ticker"] == ""].set_index(["event", "start", "end", "test"])["statistic"]
    checked = 0
    for r in rows(folder / "r_multi.csv"):
        name = SAME_FORMULA.get(r["test"])
        start, end = int(r["start"]), int(r["end"])
        if name is None or (name == "Patell Z" and start != end):
            continue
        if name in ("BMP t", "Kolari-Pynnönen adjusted BMP t") and folder.name != "sample40":
            continue
        assert tests.loc[(r["group"], start, end, name)] == pytest.approx(float(r["statistic"]), rel=TOL, abs=TOL), r
        checked += 1
    assert checked >= 40
