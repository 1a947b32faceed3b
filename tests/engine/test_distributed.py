"""A study on Dask (partitions of whole events, the one engine in each task) gives the local run's results."""

from __future__ import annotations

import csv
import itertools
import json
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from eventstudy import CsvDirectorySource
from eventstudy.cli import main
from eventstudy.engine.distributed import local_client, partition_pairs
from eventstudy.errors import EventStudyError

WINDOWS = ((0, 0), (0, 1), (-1, 1), (-5, 5))
CAR_CSV_COLUMNS = ["event", "ticker", "start", "end", "car", "se", "t", "p"]


def test_partitions_hold_whole_events_in_day0_order():
    rng = np.random.default_rng(3)
    sizes = rng.integers(1, 30, size=57)
    day0 = pd.bdate_range("2021-01-04", periods=57)[rng.permutation(57)]
    pairs = pd.DataFrame(
        [(f"e{i}", f"S{j}", "M", day0[i]) for i, n in enumerate(sizes) for j in range(n)],
        columns=["event", "ticker", "benchmark", "session"],
    ).sample(frac=1.0, random_state=1)
    for k in (1, 4, 9, 57, 100):
        parts = partition_pairs(pairs, k)
        assert len(parts) <= min(k, 57)
        assert sorted(np.concatenate(parts)) == list(range(len(pairs)))
        owner = {e: i for i, p in enumerate(parts) for e in pairs["event"].iloc[p]}
        assert all(pairs["event"].iloc[p].map(owner).eq(i).all() for i, p in enumerate(parts))
        spans = [(pairs["session"].iloc[p].min(), pairs["session"].iloc[p].max()) for p in parts]
        assert all(a[1] < b[0] for a, b in itertools.pairwise(spans))  # contiguous in day 0
        if k <= 9:  # balanced to within one event
            assert max(len(p) for p in parts) - len(pairs) / k < sizes.max()
    with pytest.raises(EventStudyError, match="at least 1"):
        partition_pairs(pairs, 0)


def test_import_eventstudy_does_not_import_dask():
    code = "import sys, eventstudy, eventstudy.cli, eventstudy.engine.distributed; print('dask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_dask_says_how_to_install(monkeypatch):
    for name in ("dask", "dask.distributed", "distributed"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(EventStudyError, match=r'pip install "eventstudy-claims\[dask\]"'), local_client():
        pass


EVENTS = [
    ("stargate", "ORCL", "2025-01-21T16:00:00-05:00", "^GSPC", ""),
    ("stargate", "9984.T", "2025-01-21T16:00:00-05:00", "^N225", ""),
    ("stargate", "NVDA", "2025-01-21T16:00:00-05:00", "^GSPC", "XNAS"),
    ("q3", "MSFT", "2024-10-30T16:05:00-04:00", "^GSPC", "XNAS"),
    ("amd-q3", "AMD", "2024-10-29", "^GSPC", "XNAS"),
    ("deepseek", "NVDA", "2025-01-27", "^GSPC", "XNAS"),
    ("deepseek", "AVGO", "2025-01-27", "^GSPC", "XNAS"),
    ("deepseek", "ORCL", "2025-01-27", "^GSPC", ""),
]


@pytest.fixture(scope="module")
def events_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("dask") / "events.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["event", "ticker", "timestamp", "benchmark", "exchange"])
        w.writerows(EVENTS)
    return path


@pytest.fixture(scope="module")
def parquet_prices(prices_dir, tmp_path_factory):
    """The price CSVs as Parquet files, where every worker of the test's cluster can read them."""
    out = tmp_path_factory.mktemp("parquet") / "prices"
    assert main(["prices", "to-parquet", "--prices", str(prices_dir), "--out", str(out), "-q"]) == 0
    return out


@pytest.fixture(scope="module")
def remote_scheduler():
    """A cluster of worker processes started here, reached by address as a remote scheduler would be."""
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


TABLES = ["ar.csv", "car.csv", "claims.csv", "flags.csv", "tests.csv", "report.md"]


def _same_report(dask_dir, local_dir):
    """Every CSV table and report.md byte for byte; results.json's numbers to 1e-12, its other values equal."""
    written = sorted(p.name for p in dask_dir.iterdir())
    assert written == sorted(p.name for p in local_dir.iterdir())
    assert {"ar.csv", "car.csv", "claims.csv", "tests.csv", "results.json"} <= set(written)
    for name in (n for n in TABLES if n in written):
        assert (dask_dir / name).read_bytes() == (local_dir / name).read_bytes(), name
    got, want = (json.loads((d / "results.json").read_text()) for d in (dask_dir, local_dir))
    _close(got, want, "results.json")


def _close(got, want, where):
    if isinstance(want, float) and isinstance(got, float):
        assert got == pytest.approx(want, rel=0, abs=1e-12), where
    elif isinstance(want, dict):
        assert list(got) == list(want), where
        for k in want:
            _close(got[k], want[k], f"{where}.{k}")
    elif isinstance(want, list):
        assert len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _close(g, w, f"{where}[{i}]")
    else:
        assert got == want, where


@pytest.mark.parametrize("how", ["option", "environment"])
def test_cli_dask_on_a_scheduler_by_address_writes_the_local_report(
    events_csv, parquet_prices, tmp_path, remote_scheduler, monkeypatch, how
):
    """The events CSV on worker processes reading Parquet: the report of a local run, table for table."""
    if how == "option":
        dask = ["--dask", remote_scheduler]
    else:
        monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", remote_scheduler)
        dask = ["--dask"]
    run = ["run", str(events_csv), "--prices", str(parquet_prices), "--figures", "none", "-q"]
    assert main([*run, "--out", str(tmp_path / "dask"), *dask]) == 0
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    assert main([*run, "--out", str(tmp_path / "local")]) == 0
    _same_report(tmp_path / "dask", tmp_path / "local")
    car = pd.read_csv(tmp_path / "dask" / "car.csv")
    assert len(car) == len(EVENTS) * len(WINDOWS) and list(car.columns) == CAR_CSV_COLUMNS
    data = json.loads((tmp_path / "dask" / "results.json").read_text())["provenance"]["data"]
    assert sorted(data) == sorted({s for e in EVENTS for s in (e[1], e[3])})  # read by the workers
    assert all(v["source"] == "parquet" for v in data.values())


def test_dask_study_with_claims_equals_the_csv_run(study_path, prices_dir, parquet_prices, tmp_path, remote_scheduler):
    """The Stargate study (claims, moves, flags) on the cluster from Parquet = the ordinary run from the CSVs."""
    common = [str(study_path), "--figures", "none", "--format", "md,json", "-q"]
    assert main(["run", *common, "--prices", str(parquet_prices), "--out", str(tmp_path / "dask"),
                 "--dask", remote_scheduler]) == 0  # fmt: skip
    assert main(["run", *common, "--prices", str(prices_dir), "--out", str(tmp_path / "local")]) == 0
    for name in ("ar.csv", "car.csv", "claims.csv", "flags.csv", "tests.csv", "volume.csv", "volatility.csv"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    claims = pd.read_csv(tmp_path / "dask" / "claims.csv")
    assert len(claims) > 0 and claims["verdict"].notna().all()
    got, want = (json.loads((tmp_path / d / "results.json").read_text()) for d in ("dask", "local"))
    for key in ("moves", "candidates", "overlaps", "fits", "excluded"):
        _close(got[key], want[key], key)


@pytest.fixture(scope="module")
def threads_client():
    pytest.importorskip("dask.distributed")
    with local_client() as c:
        yield c


@pytest.mark.parametrize(("model", "partitions"), [("market", 3), ("multi_index", 2), ("ff3", 5), ("market", 50)])
def test_api_on_a_client_gives_the_local_results(study_path, parquet_prices, prices_dir, threads_client, model,
                                                 partitions):  # fmt: skip
    """EventStudy(..., client=) in several partitions: the same tables (columns in the same order), and res.ols."""
    from eventstudy import EventStudy, ParquetSource, load_study
    from eventstudy.market.factors import FF3_FILE, read_fama_french

    spec = load_study(study_path)
    ff = read_fama_french(prices_dir / FF3_FILE) if model == "ff3" else None
    local = EventStudy(spec, CsvDirectorySource(prices_dir), model=model, factors=ff, on_error="skip").run()
    res = EventStudy(spec, ParquetSource(parquet_prices), model=model, factors=ff, on_error="skip",
                     client=threads_client, partitions=partitions).run()  # fmt: skip
    for name in ("day0", "ar", "car", "fits", "moves", "claims", "candidates", "flags", "overlaps", "excluded",
                 "tests", "residuals"):  # fmt: skip
        pd.testing.assert_frame_equal(getattr(res, name), getattr(local, name), check_exact=False, rtol=0, atol=1e-12)
    if model == "multi_index":  # securities without factors are excluded, with their reason
        assert len(local.excluded) and "f:SOXX" in local.ar.columns
    event, ticker = local.fits[["event", "ticker"]].iloc[-1]
    np.testing.assert_allclose(res.ols(event, ticker).params, local.ols(event, ticker).params, rtol=0, atol=1e-14)


def test_dask_skips_and_reports_excluded_pairs_as_a_local_run(prices_dir, tmp_path, capsys):
    """--skip-errors: the same exclusions, with their reasons, in the same order."""
    pytest.importorskip("dask.distributed")
    path = tmp_path / "events.csv"
    rows = [*EVENTS, ("early", "ARM", "2020-03-02", "^GSPC", "XNAS"), ("ghost", "ZZZZ", "2025-01-27", "^GSPC", "")]
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows([["event", "ticker", "timestamp", "benchmark", "exchange"], *rows])
    run = ["run", str(path), "--prices", str(prices_dir), "--figures", "none", "--format", "json", "-q"]
    assert main([*run, "--out", str(tmp_path / "dask"), "--dask", "--skip-errors"]) == 2  # ZZZZ has no prices
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: no price file for 'ZZZZ'")  # no worker log, no traceback
    ok = path.read_text().replace("ghost,ZZZZ,2025-01-27,^GSPC,\n", "")
    path.write_text(ok)
    assert main([*run, "--out", str(tmp_path / "dask"), "--dask", "--skip-errors"]) == 0
    assert main([*run, "--out", str(tmp_path / "local"), "--skip-errors"]) == 0
    _same_report(tmp_path / "dask", tmp_path / "local")
    excluded = json.loads((tmp_path / "dask" / "results.json").read_text())["excluded"]
    assert [(e["event"], e["ticker"]) for e in excluded] == [("early", "ARM")]


def test_cli_dask_needs_prices_every_worker_sees(events_csv, tmp_path, capsys):
    assert main(["run", str(events_csv), "--out", str(tmp_path / "o"), "--dask"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --dask") and "--prices" in err[0]


def test_cli_dask_address_without_a_scheduler_is_an_input_error(events_csv, prices_dir, tmp_path, capsys):
    pytest.importorskip("dask.distributed")
    argv = ["run", str(events_csv), "--prices", str(prices_dir), "--out", str(tmp_path / "o"), "-q"]
    started = time.monotonic()
    assert main([*argv, "--dask", "tcp://127.0.0.1:9"]) == 2
    assert time.monotonic() - started < 8
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --dask tcp://127.0.0.1:9") and "scheduler" in err[0]
    assert not (tmp_path / "o").exists()


def test_model_columns_keep_their_place_when_a_partition_lacks_them(study_path, parquet_prices, prices_dir,
                                                                    threads_client):  # fmt: skip
    """The first partition has only an index measured on itself (no f:SOXX column): the merged ar keeps local order."""
    from dataclasses import replace

    from eventstudy import EventStudy, ParquetSource, Security, load_study

    spec = load_study(study_path)
    index = Security("^GSPC", "XNYS", "^GSPC", index=True)
    first, second = spec.events[0].id, spec.events[1].id
    spec = replace(spec, securities=(*spec.securities, index), claims=(),
                   pairs=((first, "^GSPC"), (second, "NVDA"), (second, "ARM")))  # fmt: skip
    local = EventStudy(spec, CsvDirectorySource(prices_dir), model="multi_index").run()
    res = EventStudy(spec, ParquetSource(parquet_prices), model="multi_index", client=threads_client,
                     partitions=3).run()  # fmt: skip
    assert list(local.ar.columns[-3:]) == ["f:SOXX", "price", "benchmark_price"]
    for name in ("ar", "car", "fits", "tests"):
        pd.testing.assert_frame_equal(getattr(res, name), getattr(local, name), check_exact=False, rtol=0, atol=1e-12)


def test_car_paths_are_each_pair_s_cumulative_ar_from_day_minus_1(study_path, prices_dir):
    """pair_paths (what the workers send for the mean-CAR figure) against pandas' grouped cumulative sums."""
    from eventstudy import EventStudy, load_study
    from eventstudy.engine.worker_tables import pair_paths
    from eventstudy.plots import mean_car_data

    res = EventStudy(load_study(study_path), CsvDirectorySource(prices_dir)).run()
    ar = res.ar.copy()
    ar.loc[ar.index[30], "abnormal"] = np.nan  # a missing AR: its day is empty, the sum goes on past it
    keys = [ar["event"], ar["ticker"]]
    cum = ar["abnormal"].groupby(keys, sort=False).cumsum()
    want = cum - cum.where(ar["day"] == -1).groupby(keys, sort=False).transform("max")
    days, paths = pair_paths(ar)
    assert days.tolist() == list(range(-10, 11))
    np.testing.assert_array_equal(paths.ravel(), want.to_numpy())
    by_day = want.groupby(ar["day"].to_numpy())
    got = mean_car_data(type("R", (), {"car_paths": (days, paths), "ar": ar.iloc[:0]})())
    np.testing.assert_array_equal(got["pairs"], by_day.count().to_numpy())
    np.testing.assert_allclose(got["mean"], by_day.mean().to_numpy(), rtol=0, atol=1e-15)
    np.testing.assert_array_equal(got["median"], by_day.median().to_numpy())
    np.testing.assert_allclose(got["se"], (by_day.std() / np.sqrt(by_day.count())).to_numpy(), rtol=1e-12)


@pytest.mark.parametrize("shape", ["mixed", "one"])
def test_a_large_study_written_by_the_workers_has_the_local_report(tmp_path, prices_dir, threads_client, monkeypatch,
                                                                   shape):  # fmt: skip
    """The workers write ar, car, fits and tests; from what they send of every pair, the local report, byte for byte.

    Every study counts as large here (the "All pairs" section, its two figures, capped lists) and only the first
    three events' rows come back to the client: the other events are summarised from every pair's CARs, p and
    share of unusual days (worker_tables.PairColumns), never from their rows. Shapes: events of one to five
    securities, or one security each (a screener's file: many events share a security and a day 0).
    """
    from eventstudy import EventStudy
    from eventstudy.engine import worker_tables
    from eventstudy.report import tables, write_report
    from eventstudy.spec.events_csv import load_events_csv

    for name, value in (("LARGE_STUDY_PAIRS", 1), ("MAX_LISTED_ROWS", 3), ("MAX_DETAILED_EVENTS", 2)):
        monkeypatch.setattr(tables, name, value)
    monkeypatch.setattr(worker_tables, "KEEP_EVENTS", 3)
    rng = np.random.default_rng(11)
    days = pd.bdate_range("2024-09-02", "2025-10-31")[rng.integers(0, 290, size=30)]
    tickers = ["ORCL", "NVDA", "MSFT", "AVGO", "AMD"]
    if shape == "one":  # each (security, day) twice: one section for both; day 5 two sessions after day 0: overlaps
        on = [*days[:5], days[0] + pd.offsets.BDay(2)]
        rows = [(f"s{i:02d}", tickers[i % 5], f"{on[i % 6].date()}") for i in range(60)]
    else:
        rows = [(f"e{i:02d}", t, f"{d.date()}") for i, d in enumerate(days)
                for t in (tickers if i % 2 else tickers[: 1 + i % 5])]  # fmt: skip
        rows.append(("same", "ORCL", f"{days[0].date()}"))  # e00's day 0 on its one security: one section for both
    path = tmp_path / "events.csv"
    path.write_text("event,ticker,timestamp,benchmark\n" + "".join(f"{e},{t},{d},^GSPC\n" for e, t, d in rows))
    spec, source = load_events_csv(path), CsvDirectorySource(prices_dir)
    local = EventStudy(spec, source, on_error="skip", placebo_trials=0).run(tests=False)
    res = EventStudy(spec, source, on_error="skip", placebo_trials=0, client=threads_client, partitions=4,
                     tables_to=tmp_path / "tables").run(tests=False)  # fmt: skip
    first = [e.id for e in spec.events[:3]]
    assert set(res.car["event"]) == set(first) and res.car["event"].nunique() < local.car["event"].nunique()
    pd.testing.assert_frame_equal(res.every_car(), local.car[res.every_car().columns], check_exact=True)
    pd.testing.assert_frame_equal(res.every_fit(), local.fits[res.every_fit().columns], check_exact=True)
    for r, out in ((local, "local"), (res, "dask")):
        write_report(r, tmp_path / out, parquet_from=0)
    files = sorted(p.relative_to(tmp_path / "local") for p in (tmp_path / "local").rglob("*") if p.is_file())
    assert {"report.md", "report.html", "results.json", "figures/car_distribution.svg"} <= {str(f) for f in files}
    for name in files:
        if name.suffix == ".parquet" and name.stem in worker_tables.WRITTEN_TABLES:  # a folder of parts
            got, want = (pd.read_parquet(tmp_path / out / name) for out in ("dask", "local"))
            pd.testing.assert_frame_equal(got, want, check_exact=True)
        else:
            assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
