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
    from eventstudy.inference.validation.returns import common_dates, load_returns

    listings = [Listing("ORCL", "^GSPC", "XNYS"), Listing("9984.T", "^N225", "XTKS")]
    series = load_returns(prices_dir, listings)
    dates, pos = common_dates([series[x] for x in listings], -250, 10, [pd.Timestamp("2025-01-21")], EXCLUDE_SESSIONS)
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


@pytest.fixture(scope="module")
def parquet_dir(prices_dir, tmp_path_factory):
    from eventstudy.cli import main

    out = tmp_path_factory.mktemp("placebo-parquet") / "prices"
    assert main(["prices", "to-parquet", "--prices", str(prices_dir), "--out", str(out), "-q"]) == 0
    return out


def test_returns_are_the_prices_ratios_on_each_exchange_sessions(prices_dir, parquet_dir):
    """The engine's returns: the security by exact date, the benchmark carried, NaN past its last close."""
    from eventstudy import ParquetSource
    from eventstudy.file_io import symbol_filename
    from eventstudy.inference.validation.returns import load_returns

    listings = [Listing("ORCL", "^GSPC", "XNYS"), Listing("NVDA", "^GSPC", "XNYS"), Listing("9984.T", "^N225", "XTKS")]
    from_csv = load_returns(prices_dir, listings)
    from_parquet = load_returns(ParquetSource(parquet_dir), listings)

    def level(symbol):
        frame = pd.read_csv(prices_dir / symbol_filename(symbol), index_col="Date", parse_dates=True)
        px = frame["Adj Close"] if frame["Adj Close"].notna().any() else frame["Close"]
        return px.dropna()

    for x in listings:
        got = from_csv[x]
        sec, bench = level(x.ticker).reindex(got.sessions), level(x.benchmark)
        carried = bench.reindex(bench.index.union(got.sessions)).ffill().reindex(got.sessions)
        carried[(got.sessions < bench.index[0]) | (got.sessions > bench.index[-1])] = np.nan
        np.testing.assert_array_equal(got.ret, (sec / sec.shift(1) - 1).to_numpy())
        np.testing.assert_array_equal(got.bench, (carried / carried.shift(1) - 1).to_numpy())
        assert np.isfinite(got.ret).sum() > 1000
        same = from_parquet[x]
        assert same.sessions.equals(got.sessions)
        np.testing.assert_array_equal(same.ret, got.ret)
        np.testing.assert_array_equal(same.bench, got.bench)


def test_the_study_placebo_runs_on_a_parquet_price_folder(prices_dir, parquet_dir, study_path):
    """--prices of Parquet files: the same placebo run as from the CSV folder (it was skipped before)."""
    from eventstudy import CsvDirectorySource, ParquetSource
    from eventstudy.inference.validation.placebo import placebo_for_study

    spec = load_study(study_path)
    csv, parquet = (placebo_for_study(spec, src, trials=20) for src in
                    (CsvDirectorySource(prices_dir), ParquetSource(parquet_dir)))  # fmt: skip
    assert parquet.run is not None, parquet.note
    assert parquet.note == csv.note and parquet.run.dates == csv.run.dates
    pd.testing.assert_frame_equal(parquet.summary, csv.summary)
    for key, p in csv.run.result.pvalues.items():
        np.testing.assert_array_equal(parquet.run.result.pvalues[key], p)
