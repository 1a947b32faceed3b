"""The study's own placebo run (eventstudy.inference.validation.placebo) on the real Stargate files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.inference.validation import Listing, ValidationInputError
from eventstudy.inference.validation.placebo import EXCLUDE_SESSIONS, study_placebo, study_placebo_for
from eventstudy.spec import load_study


@pytest.fixture(scope="module")
def stargate_run(prices_dir, study_path):
    return study_placebo_for(load_study(study_path), prices_dir, trials=60, seed=3, event_windows=((0, 0),))


def test_table_layout_and_counts(stargate_run):
    t = stargate_run.table
    assert list(t.columns) == ["test", "design", "effect", "alpha", "rejection_rate", "n"]
    single = t[t["design"] == "single"]
    assert set(single["test"]) == {"CAR t", "sample-quantile (SQ)", "bootstrap"}
    assert set(single["n"]) == {60 * 4}  # every security of the study on every placebo date
    study = t[t["design"] == "study"]
    assert {
        "portfolio t (Brown-Warner)",
        "GRANK t, SCAR not re-standardized",
        "wild bootstrap t, estimation dates",
    } <= set(study["test"])
    assert set(study["n"]) == {60}
    assert [x.ticker for x in stargate_run.listings] == ["ORCL", "NVDA", "ARM", "9984.T"]
    assert len(set(stargate_run.dates)) == 60 < stargate_run.candidates  # distinct dates


def test_summary_size_power_and_flags(stargate_run):
    s = stargate_run.summary().set_index("test")
    assert list(s.columns) == ["design", "n", "size", "size_low", "size_high", "power_1", "power_2", "power_5",
                               "well_sized"]  # fmt: skip
    row = s.loc["portfolio t (Brown-Warner)"]
    assert row["size_low"] <= row["size"] <= row["size_high"]
    assert row["size"] <= row["power_2"] <= row["power_5"] and row["power_5"] > 0.5
    assert not s.loc["Wilcoxon signed-rank", "well_sized"]  # N = 4: the exact p-value is at least 0.125
    assert s.loc["Wilcoxon signed-rank", "size"] == 0.0


def test_dates_avoid_the_real_events_and_same_seed_same_table(stargate_run, prices_dir, study_path):
    day0 = pd.Timestamp("2025-01-21")
    sessions = pd.bdate_range("2024-01-01", "2026-06-30")
    near = abs(sessions.searchsorted(pd.DatetimeIndex(stargate_run.dates)) - sessions.searchsorted(day0))
    assert near.min() >= EXCLUDE_SESSIONS  # business days: at least as far as sessions
    again = study_placebo_for(load_study(study_path), prices_dir, trials=60, seed=3, event_windows=((0, 0),))
    pd.testing.assert_frame_equal(again.table, stargate_run.table)
    assert again.dates == stargate_run.dates
    other = study_placebo_for(load_study(study_path), prices_dir, trials=60, seed=4, event_windows=((0, 0),))
    assert other.dates != stargate_run.dates


def test_day0_on_each_exchange_is_the_first_session_on_or_after_the_date(prices_dir):
    from eventstudy.inference.validation.placebo import _common_dates
    from eventstudy.inference.validation.returns import load_returns

    listings = [Listing("ORCL", "^GSPC", "XNYS"), Listing("9984.T", "^N225", "XTKS")]
    series = load_returns(prices_dir, listings)
    dates, pos = _common_dates([series[x] for x in listings], -250, 10, [pd.Timestamp("2025-01-21")])
    tokyo = series[listings[1]].sessions
    assert len(dates) > 200
    for d, p in zip(dates[::25], pos[1, ::25], strict=True):
        assert tokyo[p] >= d > tokyo[p - 1]
        assert np.isfinite(series[listings[1]].ret[p - 250 : p + 11]).all()
    run = study_placebo(prices_dir, listings, trials=20, seed=1, effects=(0.0,), alphas=(0.05,))
    assert set(run.table["design"]) == {"single", "study"}


def test_more_trials_than_dates_uses_every_date(prices_dir):
    listings = [Listing("ARM", "^GSPC", "XNAS"), Listing("ORCL", "^GSPC", "XNYS")]
    first = study_placebo(prices_dir, listings, trials=5, effects=(0.0,), alphas=(0.05,))
    run = study_placebo(prices_dir, listings, trials=first.candidates + 7, effects=(0.0,), alphas=(0.05,))
    assert len(set(run.dates)) == run.candidates == first.candidates


def test_bad_input(prices_dir):
    with pytest.raises(ValidationInputError, match="trials"):
        study_placebo(prices_dir, [Listing("ORCL", "^GSPC", "XNYS")], trials=0)
    with pytest.raises(ValidationInputError, match="window"):
        study_placebo(prices_dir, [Listing("ORCL", "^GSPC", "XNYS")], event_windows=((0, 20),))
    assert np.isfinite(study_placebo(prices_dir, [Listing("ORCL", "^GSPC", "XNYS")], trials=3).table["n"]).all()
