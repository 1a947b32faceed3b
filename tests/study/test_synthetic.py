"""Synthetic market with known alpha, beta and a planted abnormal return."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from synthetic import make_market, write_study

from eventstudy import CsvDirectorySource, EventStudy, load_study

EVENT_DAY = "2025-01-21"


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    root = tmp_path_factory.mktemp("synthetic")
    market = make_market(root / "prices", planted={EVENT_DAY: 0.08, "2025-01-22": -0.03})
    study = load_study(write_study(root / "study.toml"))
    res = EventStudy(study, CsvDirectorySource(root / "prices")).run()
    return market, res


def _window(market, first: int, last: int):
    """Returns on sessions day `first`..`last` around the event, from the generator's arrays."""
    i0 = market.sessions[1:].get_loc(pd.Timestamp(EVENT_DAY))
    sl = slice(i0 + first, i0 + last + 1)
    return market.stock[sl], market.market[sl]


def test_alpha_beta_recovered_within_noise(planted):
    market, res = planted
    fit = res.fits.iloc[0]
    _, x = _window(market, -250, -11)
    # Standard errors of OLS under the true sigma: the tolerance comes from the noise.
    sxx = np.sum((x - x.mean()) ** 2)
    se_beta = market.sigma / np.sqrt(sxx)
    se_alpha = market.sigma * np.sqrt(1 / len(x) + x.mean() ** 2 / sxx)
    assert abs(fit["beta"] - market.beta) < 4 * se_beta
    assert abs(fit["alpha"] - market.alpha) < 4 * se_alpha
    assert fit["n"] == 240
    assert abs(fit["sigma"] - market.sigma) < 4 * market.sigma / np.sqrt(2 * 238)


def test_planted_abnormal_returns_recovered(planted):
    market, res = planted
    ar = res.ar.set_index("day")
    # AR0 - planted = noise + estimation error of alpha/beta: within 4 prediction sds.
    assert abs(ar.loc[0, "abnormal"] - 0.08) < 4 * market.sigma * 1.05
    assert abs(ar.loc[1, "abnormal"] + 0.03) < 4 * market.sigma * 1.05
    car = res.car.set_index(["start", "end"])
    assert car.loc[(0, 0), "t"] > 4
    assert car.loc[(0, 0), "p"] < 1e-3
    # Days without a planted effect: |AR| rarely beyond 4 sigma.
    quiet = ar.drop(index=[0, 1])["abnormal"]
    assert (quiet.abs() < 4 * market.sigma * 1.05).all()


def test_sessions_and_returns_match_generator(planted):
    market, res = planted
    ar = res.ar.set_index("day")
    y, x = _window(market, -10, 10)
    np.testing.assert_allclose(ar["return"].to_numpy(), y, atol=1e-12)
    np.testing.assert_allclose(ar["benchmark"].to_numpy(), x, atol=1e-12)
    assert ar.loc[0, "session"] == pd.Timestamp(EVENT_DAY)


def test_no_effect_gives_unremarkable_car(tmp_path):
    make_market(tmp_path / "p", seed=7)
    res = EventStudy(load_study(write_study(tmp_path / "s.toml")), CsvDirectorySource(tmp_path / "p")).run()
    assert (res.car["p"] > 1e-4).all()


@pytest.mark.parametrize("model", ["market", "market_adjusted", "constant_mean"])
def test_car_is_sum_of_ar(model, tmp_path):
    make_market(tmp_path / "p", planted={EVENT_DAY: 0.05})
    res = EventStudy(
        load_study(write_study(tmp_path / "s.toml", model=model)), CsvDirectorySource(tmp_path / "p")
    ).run()
    ar = res.ar.set_index("day")["abnormal"]
    for row in res.car.itertuples():
        assert row.car == pytest.approx(ar.loc[row.start : row.end].sum(), abs=1e-14)
