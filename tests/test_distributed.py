"""Dask partitions of the batch engine give the single-process numbers, which are the kernel's."""

from __future__ import annotations

import csv
import itertools
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from eventstudy import CsvDirectorySource
from eventstudy.cli import main
from eventstudy.engine import ols
from eventstudy.engine.distributed import (
    CAR_CSV_COLUMNS,
    RESULT_COLUMNS,
    local_client,
    partition_pairs,
    run_batch_dask,
    run_batch_local,
)
from eventstudy.engine.panel import returns_panel
from eventstudy.errors import EventStudyError
from eventstudy.market.calendars import get_calendar

US = ["ORCL", "NVDA", "MSFT", "AVGO", "AMD"]
WINDOWS = ((0, 0), (0, 1), (-1, 1), (-5, 5))


@pytest.fixture(scope="module")
def panel(prices_dir):
    src = CsvDirectorySource(prices_dir)
    sessions = get_calendar("XNYS").sessions_in_range("2020-01-02", "2025-12-31")
    frames = {s: src.prices(s, sessions[0], sessions[-1]) for s in [*US, "^GSPC"]}
    return returns_panel(frames, sessions, carry={"^GSPC"})


@pytest.fixture(scope="module")
def pairs(panel):
    """200 (stock, day 0) pairs: 40 events of the five stocks on random sessions, rows shuffled."""
    rng = np.random.default_rng(2024)
    rows = rng.choice(np.arange(251, len(panel) - 11), size=40, replace=False)
    out = pd.DataFrame(
        [(f"e{i:02d}", t, "^GSPC", panel.index[r]) for i, r in enumerate(rows) for t in US],
        columns=["event", "ticker", "benchmark", "session"],
    )
    return out.sample(frac=1.0, random_state=7).reset_index(drop=True)


@pytest.fixture(scope="module")
def client():
    pytest.importorskip("dask.distributed")
    with local_client() as c:
        yield c


@pytest.fixture(scope="module")
def local(panel, pairs):
    return run_batch_local(panel, pairs)


def test_local_is_the_kernel_on_the_whole_set(panel, pairs, local):
    cols = np.stack([panel.columns.get_indexer(pairs["ticker"]), panel.columns.get_indexer(pairs["benchmark"])], 1)
    out = ols.solve(np.ascontiguousarray(panel.to_numpy().T), cols,
                    panel.index.get_indexer(pd.DatetimeIndex(pairs["session"])), ols.market_design(), first=-250,
                    estimation_window=(-250, -11), ar_window=(-10, 10), event_windows=WINDOWS)  # fmt: skip
    assert list(local.columns) == RESULT_COLUMNS and len(local) == 200 * len(WINDOWS)
    assert (local["event"].to_numpy()[::4] == pairs["event"].to_numpy()).all()
    assert (local["ticker"].to_numpy()[::4] == pairs["ticker"].to_numpy()).all()
    assert local[["start", "end"]].to_numpy().tolist() == [list(w) for w in WINDOWS] * 200
    for col, arr in [("car", out.car), ("se", out.se), ("t", out.t), ("p", out.p)]:
        np.testing.assert_allclose(local[col].to_numpy(), arr.ravel(), rtol=0, atol=1e-12)
    for col in ("alpha", "beta", "sigma", "r2"):
        value = out.fit.param(col) if col in ("alpha", "beta") else getattr(out.fit, col)
        np.testing.assert_allclose(local[col].to_numpy(), np.repeat(value, 4), rtol=0, atol=1e-12)


@pytest.mark.parametrize("partitions", [1, 2, 7, 40, 500])
def test_dask_equals_local(panel, pairs, local, client, partitions):
    got = run_batch_dask(panel, pairs, partitions=partitions, client=client)
    pd.testing.assert_frame_equal(got, local, check_exact=False, rtol=0, atol=1e-12)


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


def test_each_partition_ships_only_its_sessions_and_symbols(panel, pairs):
    from eventstudy.engine.distributed import _Plan

    plan = _Plan(panel, pairs, {})
    for idx in partition_pairs(pairs, 40):  # one event each: 261 sessions, 5 stocks + ^GSPC
        part = plan.partition(idx)
        assert part.values.shape == (261, 6) and part.values.flags.c_contiguous
        assert part.nbytes < 13_000 + 5 * 4 * 8


def test_errors_name_the_pair(panel, pairs, client):
    victim = pairs.iloc[17]
    some = pairs[(pairs["ticker"] != victim["ticker"]) | (pairs.index == 17)]  # only the victim sees the hole
    holed = panel.copy()
    holed.iloc[holed.index.get_loc(victim["session"]) - 40, holed.columns.get_loc(victim["ticker"])] = np.nan
    runs = (lambda: run_batch_local(holed, some), lambda: run_batch_dask(holed, some, partitions=5, client=client))
    for run in runs:
        with pytest.raises(EventStudyError, match=f"{victim['ticker']} around {victim['event']}.*missing returns"):
            run()
    bad = pairs.assign(ticker=pairs["ticker"].where(pairs.index != 3, "TSLA"))
    with pytest.raises(EventStudyError, match="ticker TSLA is not a symbol of the panel"):
        run_batch_local(panel, bad)
    early = pairs.assign(session=pairs["session"].where(pairs.index != 5, panel.index[100]))
    with pytest.raises(EventStudyError, match="run outside the returns panel"):
        run_batch_local(panel, early)
    with pytest.raises(TypeError, match="unknown window"):
        run_batch_local(panel, pairs, estimation=(-100, -11))


def test_import_eventstudy_does_not_import_dask():
    code = "import sys, eventstudy, eventstudy.cli, eventstudy.engine.distributed; print('dask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_dask_says_how_to_install(monkeypatch, panel, pairs):
    for name in ("dask", "dask.distributed", "distributed"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(EventStudyError, match=r'pip install "eventstudy-claims\[dask\]"'):
        run_batch_dask(panel, pairs, partitions=2)


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


def test_cli_dask_writes_car_csv_equal_to_the_full_run(events_csv, prices_dir, tmp_path):
    pytest.importorskip("dask.distributed")
    prices = ["--prices", str(prices_dir), "-q"]
    assert main(["run", str(events_csv), *prices, "--out", str(tmp_path / "dask"), "--dask"]) == 0
    assert main(["run", str(events_csv), *prices, "--out", str(tmp_path / "full"), "--format", "json"]) == 0
    assert sorted(p.name for p in (tmp_path / "dask").iterdir()) == [".eventstudy-report", "car.csv", "report.md"]
    assert (tmp_path / "dask" / "car.csv").read_text().splitlines()[0] == ",".join(CAR_CSV_COLUMNS)
    dask, full = (pd.read_csv(tmp_path / d / "car.csv") for d in ("dask", "full"))
    assert len(dask) == len(EVENTS) * len(WINDOWS)
    keys = ["event", "ticker", "start", "end"]
    pd.testing.assert_frame_equal(dask[keys], full[keys])  # same rows in the same order
    for col in ("car", "se", "t", "p"):
        np.testing.assert_allclose(dask[col], full[col], rtol=0, atol=1e-10, err_msg=col)
    report = (tmp_path / "dask" / "report.md").read_text()
    assert "car.csv" in report and "run without `--dask`" in report and "8 (event, security) pairs" in report


@pytest.mark.parametrize(
    ("extra", "match"),
    [(["--model", "constant_mean"], "market model"), (["--skip-errors"], "market model")],
)
def test_cli_dask_refuses_what_it_cannot_do(events_csv, prices_dir, tmp_path, capsys, extra, match):
    argv = ["run", str(events_csv), "--prices", str(prices_dir), "--out", str(tmp_path / "o"), "--dask", *extra]
    assert main(argv) == 2
    assert match in capsys.readouterr().err


def test_cli_dask_needs_an_events_csv(study_path, prices_dir, tmp_path, capsys):
    assert main(["run", str(study_path), "--prices", str(prices_dir), "--out", str(tmp_path / "o"), "--dask"]) == 2
    assert "events CSV" in capsys.readouterr().err


@pytest.fixture(scope="module")
def remote_scheduler():
    """A cluster of worker processes started here, reached by address as a remote scheduler would be."""
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


@pytest.mark.parametrize("how", ["option", "environment"])
def test_cli_dask_on_a_scheduler_by_address_equals_the_full_run(
    events_csv, prices_dir, tmp_path, remote_scheduler, monkeypatch, how
):
    prices = ["--prices", str(prices_dir), "-q"]
    if how == "option":
        dask = ["--dask", remote_scheduler]
    else:
        monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", remote_scheduler)
        dask = ["--dask"]
    assert main(["run", str(events_csv), *prices, "--out", str(tmp_path / "dask"), *dask]) == 0
    assert main(["run", str(events_csv), *prices, "--out", str(tmp_path / "full"), "--format", "json"]) == 0
    got, full = (pd.read_csv(tmp_path / d / "car.csv") for d in ("dask", "full"))
    pd.testing.assert_frame_equal(got[["event", "ticker", "start", "end"]], full[["event", "ticker", "start", "end"]])
    for col in ("car", "se", "t", "p"):
        np.testing.assert_allclose(got[col], full[col], rtol=0, atol=1e-10, err_msg=col)


def test_cli_dask_address_without_a_scheduler_is_an_input_error(events_csv, prices_dir, tmp_path, capsys):
    pytest.importorskip("dask.distributed")
    argv = ["run", str(events_csv), "--prices", str(prices_dir), "--out", str(tmp_path / "o"), "-q"]
    assert main([*argv, "--dask", "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --dask tcp://127.0.0.1:9") and "scheduler" in err[0]
