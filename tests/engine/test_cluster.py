"""``--dask`` on a cluster started as a user starts one: ``dask scheduler`` and ``dask worker`` processes.

The scheduler and workers run from a folder other than the client's, on
127.0.0.1 and free ports, and are killed in the fixtures' teardown; every
wait is bounded. Each fault ends in one ``error:`` line naming the address.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from synthetic import make_market

from eventstudy.cli import main

pytest.importorskip("dask.distributed")

DASK = str(Path(sys.executable).with_name("dask"))
START_WAIT = 30.0  # seconds for a scheduler or worker process to come up
N_EVENTS = 12


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    """A ``dask scheduler`` and its ``dask worker`` processes, each its own process in ``folder``."""

    address: str
    folder: Path
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen] = field(default_factory=list)

    def add_workers(self, n: int) -> None:
        for _ in range(n):
            name = f"w{len(self.workers)}"
            cmd = [DASK, "worker", self.address, "--host", "127.0.0.1", "--nthreads", "1", "--no-nanny",
                   "--no-dashboard", "--name", name, "--local-directory", str(self.folder)]  # fmt: skip
            self.workers.append(_spawn(cmd, self.folder, f"worker{len(self.workers)}"))
        from dask.distributed import Client

        with Client(self.address, timeout=START_WAIT) as client:
            client.wait_for_workers(len(self.workers), timeout=START_WAIT)

    def stop(self) -> None:
        for proc in [*self.workers, self.scheduler]:
            if proc.poll() is None:
                proc.kill()
        for proc in [*self.workers, self.scheduler]:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)


def _spawn(cmd: list[str], folder: Path, name: str) -> subprocess.Popen:
    log = (folder / f"{name}.log").open("wb")
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    return subprocess.Popen(cmd, cwd=folder, stdout=log, stderr=subprocess.STDOUT, env=env)


def _wait_for_port(port: int, proc: subprocess.Popen, folder: Path) -> None:
    deadline = time.monotonic() + START_WAIT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"dask scheduler exited: {(folder / 'scheduler.log').read_text()[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    pytest.fail("dask scheduler did not listen in time")


@pytest.fixture
def start_cluster(tmp_path: Path) -> Iterator[Callable[[int], Cluster]]:
    """Start a scheduler with ``n`` workers in tmp_path/cluster (not the client's folder); all killed at the end."""
    started: list[Cluster] = []

    def start(n: int) -> Cluster:
        folder = tmp_path / f"cluster{len(started)}"
        folder.mkdir()
        port = free_port()
        cmd = [DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"]
        cluster = Cluster(f"tcp://127.0.0.1:{port}", folder, _spawn(cmd, folder, "scheduler"))
        started.append(cluster)
        _wait_for_port(port, cluster.scheduler, folder)
        if n:
            cluster.add_workers(n)
        return cluster

    try:
        yield start
    finally:
        for cluster in started:
            cluster.stop()


@pytest.fixture
def client_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The client's folder (the current one): synthetic prices as Parquet in ./pq and an events CSV of 12 events."""
    folder = tmp_path / "client"
    market = make_market(folder / "csv")
    assert main(["prices", "to-parquet", "--prices", str(folder / "csv"), "--out", str(folder / "pq"), "-q"]) == 0
    days = market.sessions[-300::20][:N_EVENTS]
    lines = ["event,ticker,timestamp,benchmark,exchange"]
    lines += [f"e{i:02d},STOCK,{d.date()},MKT,XNYS" for i, d in enumerate(days)]
    (folder / "events.csv").write_text("\n".join(lines) + "\n")
    monkeypatch.chdir(folder)
    monkeypatch.setenv("EVENTSTUDY_DASK_WAIT", "2")
    return folder


RUN = ["run", "events.csv", "--prices", "pq", "--figures", "none", "--placebo-trials", "0", "-q"]


def _one_error(capsys: pytest.CaptureFixture[str]) -> str:
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in out + err
    return lines[0]


def test_relative_prices_on_workers_in_another_folder_give_the_local_report(client_dir, start_cluster):
    """--prices pq (relative) is sent to the workers as an absolute path: the report of a local run, file for file."""
    cluster = start_cluster(2)
    assert main([*RUN, "--out", "dask", "--dask", cluster.address]) == 0
    assert main([*RUN, "--out", "local"]) == 0
    names = sorted(p.name for p in (client_dir / "local").iterdir())
    assert names == sorted(p.name for p in (client_dir / "dask").iterdir()) and "car.csv" in names
    for name in names:
        assert (client_dir / "dask" / name).read_bytes() == (client_dir / "local" / name).read_bytes(), name


class _QuietHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def _not_a_scheduler(kind: str) -> Iterator[str]:
    """An address where something other than a Dask scheduler listens (or nothing does)."""
    if kind == "nothing":
        yield f"tcp://127.0.0.1:{free_port()}"
        return
    if kind == "http":
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _QuietHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"tcp://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
        return
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = listener.accept()
                accepted.append(conn)
                if kind == "garbage":  # an HTTP reply read as a Dask frame header: a length of exabytes
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" * 4)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
        for conn in accepted:
            conn.close()


@pytest.mark.parametrize("kind", ["http", "nothing", "garbage", "silent"])
def test_an_address_that_is_not_a_scheduler_fails_within_4_s(client_dir, capsys, kind):
    with _not_a_scheduler(kind) as address:
        started = time.monotonic()
        assert main([*RUN, "--out", "o", "--dask", address]) == 2
        took = time.monotonic() - started
    line = _one_error(capsys)
    assert took < 4, f"{kind}: {took:.1f} s"
    assert line.startswith(f"error: --dask {address}: ") and "scheduler" in line
    assert not (client_dir / "o").exists()


def test_a_scheduler_without_workers_is_one_error_line(client_dir, start_cluster, capsys):
    cluster = start_cluster(0)
    started = time.monotonic()
    assert main([*RUN, "--out", "o", "--dask", cluster.address]) == 2
    assert time.monotonic() - started < 10
    line = _one_error(capsys)
    assert cluster.address in line and "0 workers" in line and "dask worker" in line


def _kill_mid_run(
    cluster: Cluster,
    victims: list[subprocess.Popen],
    blockers: list[float],
    alive: list[subprocess.Popen] | None = None,
) -> threading.Thread:
    """Occupy each live worker's thread (``blockers``: seconds per worker, in order), then kill ``victims`` once
    the study's tasks are on the scheduler: they are killed while the study runs."""
    from dask.distributed import Client

    client = Client(cluster.address, timeout=START_WAIT)
    by_name = {str(w["name"]): a for a, w in client.scheduler_info()["workers"].items()}
    alive = cluster.workers if alive is None else alive
    addresses = [by_name[f"w{cluster.workers.index(w)}"] for w in alive]
    holds = [client.submit(time.sleep, s, workers=[a], allow_other_workers=False, pure=False)
             for a, s in zip(addresses, blockers, strict=True)]  # fmt: skip

    def study_tasks(dask_scheduler) -> int:
        return sum(str(k).startswith("_engine_task") for k in dask_scheduler.tasks)

    def watch() -> None:
        try:
            deadline = time.monotonic() + START_WAIT
            while time.monotonic() < deadline and not client.run_on_scheduler(study_tasks):
                time.sleep(0.05)
            for proc in victims:
                proc.send_signal(signal.SIGKILL)
            for proc in victims:
                proc.wait(timeout=10)
        finally:
            del holds[:]
            client.close(timeout=5)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_workers_killed_mid_run_one_is_survived_all_is_one_error_line(client_dir, start_cluster, capsys):
    """Dask runs a lost worker's tasks again on another; with none left, one error line names the scheduler."""
    cluster = start_cluster(3)
    watcher = _kill_mid_run(cluster, cluster.workers[:1], [60.0, 1.0, 1.0])
    assert main([*RUN, "--out", "dask", "--dask", cluster.address]) == 0
    watcher.join(timeout=15)
    assert [w.poll() is None for w in cluster.workers] == [False, True, True]
    assert main([*RUN, "--out", "local"]) == 0
    for name in ("car.csv", "ar.csv", "tests.csv", "report.md"):
        assert (client_dir / "dask" / name).read_bytes() == (client_dir / "local" / name).read_bytes(), name
    capsys.readouterr()

    watcher = _kill_mid_run(cluster, cluster.workers[1:], [60.0, 60.0], alive=cluster.workers[1:])
    started = time.monotonic()
    assert main([*RUN, "--out", "o", "--dask", cluster.address]) == 2
    assert time.monotonic() - started < 15
    watcher.join(timeout=15)
    line = _one_error(capsys)
    assert cluster.address in line and "lost all its workers" in line and "it had 2" in line
    assert not (client_dir / "o").exists()


def test_a_worker_that_cannot_see_the_prices_names_the_path(tmp_path, monkeypatch):
    """The check each task makes first: the folder as the worker sees it, and that every worker must see it."""
    from eventstudy import CsvDirectorySource
    from eventstudy.engine.cluster import check_seen, for_workers
    from eventstudy.errors import EventStudyError

    make_market(tmp_path / "prices")
    source = CsvDirectorySource(tmp_path / "prices")
    check_seen(source)
    monkeypatch.chdir(tmp_path)
    relative = CsvDirectorySource("prices")
    shipped = for_workers(relative)
    assert shipped.directory == tmp_path / "prices" and relative.directory == Path("prices")
    assert relative.describe() == "CSV directory prices"  # the report names it as given
    (tmp_path / "prices" / "STOCK.csv").rename(tmp_path / "STOCK.csv")
    (tmp_path / "prices" / "MKT.csv").unlink()
    (tmp_path / "prices").rmdir()
    with pytest.raises(EventStudyError, match="every worker must see the prices at the same location") as err:
        check_seen(source)
    assert str(tmp_path / "prices") in str(err.value)
    assert for_workers(source) is source  # already absolute: sent as it is


def test_a_scheduler_killed_mid_run_is_one_error_line(client_dir, start_cluster, capsys):
    cluster = start_cluster(1)
    watcher = _kill_mid_run(cluster, [cluster.scheduler], [60.0])
    started = time.monotonic()
    assert main([*RUN, "--out", "o", "--dask", cluster.address]) == 2
    took = time.monotonic() - started
    watcher.join(timeout=15)
    line = _one_error(capsys)
    assert line.startswith(f"error: lost the connection to the Dask scheduler at {cluster.address}")
    assert took < 15, took
    assert not (client_dir / "o").exists()


def test_a_large_study_s_tables_are_written_by_the_workers(tmp_path, prices_dir, start_cluster, monkeypatch):
    """--parquet-from 0 makes a study large: the workers write ar, car, fits and tests as Parquet partitions.

    Read back, every table equals a local run's (the tests table in its order; ar, car and fits in their order
    but for the event whose rows are apart in the events file), and every other file is byte for byte the same.
    """
    import numpy as np
    import pandas as pd

    folder = tmp_path / "client"
    assert main(["prices", "to-parquet", "--prices", str(prices_dir), "--out", str(folder / "pq"), "-q"]) == 0
    rng = np.random.default_rng(5)
    days = pd.bdate_range("2024-09-02", "2025-10-31")[rng.integers(0, 290, size=24)]
    tickers = ["ORCL", "NVDA", "MSFT", "AVGO", "AMD"]
    rows = [(f"e{i:02d}", t, f"{d.date()}") for i, d in enumerate(days)
            for t in (tickers if i % 3 == 0 else [tickers[i % 5]])]  # fmt: skip
    rows.insert(2, ("apart", "ORCL", "2025-01-27"))
    rows.append(("apart", "NVDA", "2025-01-27"))  # one event's rows apart in the file
    text = "event,ticker,timestamp,benchmark\n" + "".join(f"{e},{t},{d},^GSPC\n" for e, t, d in rows)
    (folder / "events.csv").write_text(text)
    monkeypatch.chdir(folder)
    cluster = start_cluster(2)
    run = ["run", "events.csv", "--prices", "pq", "--figures", "none", "--placebo-trials", "0", "--parquet-from",
           "0", "--skip-errors", "-q"]  # fmt: skip
    assert main([*run, "--out", "dask", "--dask", cluster.address]) == 0
    assert main([*run, "--out", "local"]) == 0
    names = sorted(p.name for p in (folder / "local").iterdir())
    assert names == sorted(p.name for p in (folder / "dask").iterdir())
    assert not [p for p in folder.iterdir() if ".tables-" in p.name]  # the workers' folder is moved in, then gone
    for name in ("ar", "car", "fits", "tests"):
        parts = sorted((folder / "dask" / f"{name}.parquet").iterdir())
        assert len(parts) == 2 and all(p.name.startswith("part-") for p in parts)  # one per partition
        got = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
        pd.testing.assert_frame_equal(pd.read_parquet(folder / "dask" / f"{name}.parquet"), got)  # the folder
        want = pd.read_parquet(folder / "local" / f"{name}.parquet")
        if name != "tests":
            keys = [c for c in ("event", "ticker", "day", "start", "end") if c in want.columns]
            got, want = (t.sort_values(keys, kind="stable").reset_index(drop=True) for t in (got, want))
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    for name in names:
        if not name.endswith(".parquet") or name.split(".")[0] not in ("ar", "car", "fits", "tests"):
            assert (folder / "dask" / name).read_bytes() == (folder / "local" / name).read_bytes(), name
    assert main([*run, "--out", "dask", "--dask", cluster.address]) == 0  # a report with part folders is replaced
