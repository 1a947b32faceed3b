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
