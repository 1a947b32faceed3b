"""Peak memory and time of large studies, per size and shape of the events CSV (issue 24).

Run: ``.venv/bin/python benchmarks/bench_memory.py [--sizes 10000,100000,1000000] [--shapes ten,one]``
``[--runs local,dask] [--workers 2] [--repeat 1] [--stages] [--keep DIR] [--checkout DIR]`` (another
checkout, e.g. ``git worktree add /tmp/before HEAD~3``, measured instead of this one; ``--stages`` always
runs this one). One row alone: e.g. ``--sizes 1000000 --shapes one --runs dask`` (7-10 minutes).

One table, a row per size, run and shape: ``local`` (not above ``--local-max`` pairs, 100,000) and
``dask N``, each run on a cluster started for it as a user starts one (``dask scheduler`` and
N ``dask worker --nthreads 1`` processes on 127.0.0.1, ``--dask ADDRESS``); then the peak printed is the
client's (the ``eventstudy run`` process), and ``workers MB`` the largest worker's peak. From
``--parquet-from`` pairs (1,000) the workers write the ar, car, fits and tests tables beside ``--out``
and the client holds summaries (:mod:`eventstudy.engine.worker_tables`). ``target`` and ``met``: issue
24's bar for the row (peak < 2 GB locally up to 100,000 pairs for both shapes; the Dask client's at any
size, 1,000,000 pairs included).

Two shapes of events CSV, seeded, from the ten US tickers of ``bench_large.py`` (prices in
../shared/data/prices) on random business days from 2024-09-02 to 2025-10-31, date-only,
against ^GSPC:

- ``ten``: N/10 events of all ten tickers (``bench_large.write_events``);
- ``one``: N events of one ticker each, drawn at random (the shape of a screener's events file).

Printed (nothing asserted), per size and shape: wall seconds, CPU seconds (user + system: less
sensitive than wall time to other jobs on the machine) and peak resident memory (MB) of
``eventstudy run events.csv --prices ... --skip-errors -q --figures none`` (all formats, Parquet
tables), each in a fresh process; the peak is ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``
read in this process after the child ends (each child is run from a fresh helper process, so the
figure is that child's alone), best and median of ``--repeat`` runs. ``--stages``: also, per size
and shape, the run split by stage in a fresh process, each stage's seconds, its peak resident
memory (``VmHWM``, reset before the stage through ``/proc/self/clear_refs``) and the resident
memory left after it; ``write_report`` computes the tests table, as ``eventstudy run`` does (a
large study's in parts of whole events, :mod:`eventstudy.inference.parts`).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_large import PRICES, TICKERS, write_events

SHAPES = ("ten", "one")
TARGET_MB = 2_000  # issue 24: peak < 2 GB at 100,000 pairs for both shapes (and for the client of 1,000,000 on Dask)
LIMITS = {"EVENTSTUDY_MAX_PAIRS": "2000000", "EVENTSTUDY_MAX_EVENTS_BYTES": "1G"}  # the 1,000,000-pair files


def write_one_security_events(path: Path, pairs: int, seed: int = 0) -> Path:
    """An events CSV of ``pairs`` one-security events: a random ticker of the ten on a random business day."""
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2024-09-02", "2025-10-31")
    picks = days[rng.integers(len(days), size=pairs)]
    tickers = np.asarray(TICKERS)[rng.integers(len(TICKERS), size=pairs)]
    width = len(str(pairs))
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["event", "ticker", "timestamp", "benchmark"])
        rows = enumerate(zip(tickers, picks, strict=True))
        out.writerows((f"s{i:0{width}d}", t, f"{day:%Y-%m-%d}", "^GSPC") for i, (t, day) in rows)
    return path


def events_csv(root: Path, pairs: int, shape: str) -> Path:
    """The seeded events CSV of ``pairs`` pairs in ``shape`` (written once into ``root``)."""
    path = root / f"events_{shape}_{pairs}.csv"
    if not path.exists():
        (write_events if shape == "ten" else write_one_security_events)(path, pairs)
    return path


_CHILD = """
import resource, subprocess, sys, time
t0 = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - t0
if done.returncode:
    sys.exit(f"eventstudy run failed ({done.returncode}):\\n{done.stderr}")
use = resource.getrusage(resource.RUSAGE_CHILDREN)
print(wall, use.ru_maxrss, use.ru_utime + use.ru_stime)
"""


def cli(
    path: Path, out: Path, prices: Path = PRICES, checkout: Path | None = None, dask: str = ""
) -> tuple[float, float, float]:
    """Wall seconds, peak resident MB and CPU seconds of one ``eventstudy run --figures none`` in a fresh process.

    ``checkout``: run the ``eventstudy`` of another checkout (its root first on ``PYTHONPATH``); ``dask``: the
    address of a scheduler to run on (``--dask``).
    """
    exe = Path(sys.executable).with_name("eventstudy")
    cmd = [str(exe), "run", str(path), "--prices", str(prices), "--out", str(out), "--skip-errors", "-q",
           "--figures", "none", *(["--dask", dask] if dask else [])]  # fmt: skip
    env = {**os.environ, **({"PYTHONPATH": str(checkout)} if checkout else {}), **LIMITS}
    done = subprocess.run([sys.executable, "-c", _CHILD, *cmd], capture_output=True, text=True, cwd=out.parent, env=env)
    if done.returncode:
        sys.exit(done.stderr)
    wall, kb, cpu = done.stdout.split()
    return float(wall), int(kb) / 1024, float(cpu)


_STAGES = """
import json, sys, time, warnings
from pathlib import Path

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024

rows = []
def stage(name, fn):
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # reset VmHWM to the current RSS
    t0 = time.perf_counter()
    out = fn()
    rows.append((name, time.perf_counter() - t0, status("VmHWM"), status("VmRSS")))
    return out

path, prices, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
from eventstudy import CsvDirectorySource, EventStudy
from eventstudy.spec.events_csv import load_events_csv
from eventstudy.report.write import write_report
warnings.simplefilter("ignore")
spec = stage("load_events_csv", lambda: load_events_csv(path))
res = stage("EventStudy.run", lambda: EventStudy(spec, CsvDirectorySource(prices), on_error="skip").run(tests=False))
stage("write_report", lambda: write_report(res, out, figure_format="none"))  # with the tests, as the CLI
print(json.dumps(rows))
"""


def stages(path: Path, out: Path, prices: Path = PRICES) -> list[tuple[str, float, float, float]]:
    """(stage, seconds, peak MB during it, resident MB after it) of one run in a fresh process."""
    done = subprocess.run([sys.executable, "-c", _STAGES, str(path), str(prices), str(out)],
                          capture_output=True, text=True, cwd=out.parent)  # fmt: skip
    if done.returncode:
        sys.exit(done.stderr)
    return [tuple(r) for r in json.loads(done.stdout.strip().splitlines()[-1])]


class Cluster:
    """``dask scheduler`` and ``workers`` ``dask worker`` processes on 127.0.0.1, in ``folder``; stopped on exit."""

    def __init__(self, workers: int, folder: Path) -> None:
        import socket
        import time

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.address = f"tcp://127.0.0.1:{port}"
        dask = str(Path(sys.executable).with_name("dask"))
        log = (folder / "cluster.log").open("ab")
        self.procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                        "--no-dashboard"], cwd=folder, stdout=log, stderr=log)]  # fmt: skip
        time.sleep(3)
        self.procs += [subprocess.Popen([dask, "worker", self.address, "--host", "127.0.0.1", "--nthreads", "1",
                                         "--no-nanny", "--no-dashboard", "--memory-limit", "0",
                                         "--local-directory", str(folder)], cwd=folder, stdout=log, stderr=log)
                       for _ in range(workers)]  # fmt: skip
        from dask.distributed import Client

        with Client(self.address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=120)

    def worker_peak_mb(self) -> float:
        """The largest peak resident memory of the workers so far (MB)."""
        import resource

        from dask.distributed import Client

        with Client(self.address, timeout=60) as client:
            peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        return max(peaks.values()) / 1024

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            proc.kill()
            proc.wait()


def target(n: int, mode: str) -> str:
    """What issue 24 asks of this row: peak < 2 GB locally up to 100,000 pairs, the Dask client's at any size."""
    return "< 2 GB" if mode == "dask" or n <= 100_000 else "-"


def measure(root: Path, n: int, shape: str, mode: str, args: argparse.Namespace, tmp: Path) -> str:
    """One row of the table: ``--repeat`` runs of the events CSV of ``n`` pairs in ``shape``, ``mode`` local or dask."""
    path = events_csv(root, n, shape)
    checkout = args.checkout.resolve() if args.checkout else None
    runs, workers = [], []
    for _ in range(args.repeat):
        if mode == "dask":  # a fresh cluster per run: the workers' peak is this run's
            with Cluster(args.workers, tmp) as cluster:
                runs.append(cli(path, tmp / "out", args.prices, checkout, cluster.address))
                workers.append(cluster.worker_peak_mb())
        else:
            runs.append(cli(path, tmp / "out", args.prices, checkout))
    walls = [w for w, _, _ in runs]
    peak, cpu = max(m for _, m, _ in runs), statistics.median(c for _, _, c in runs)
    goal = target(n, mode)
    met = ("yes" if peak < TARGET_MB else "NO") if goal != "-" else "-"
    run = "local" if mode == "local" else f"dask {args.workers}"
    worker = f"{max(workers):>10.0f}" if workers else f"{'-':>10}"
    return (f"{n:>9,} {run:>6} {SHAPE_NAMES[shape]:>9} {min(walls):>7.1f} "
            f"{statistics.median(walls):>8.1f} {cpu:>7.1f} {peak:>8.0f} {worker} {goal:>7} {met:>4}")  # fmt: skip


SHAPE_NAMES = {"ten": "ten/event", "one": "one/event"}
HEADER = (f"{'pairs':>9} {'run':>6} {'shape':>9} {'best s':>7} {'median s':>8} {'CPU s':>7} {'peak MB':>8} "
          f"{'workers MB':>10} {'target':>7} {'met':>4}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="pairs per events CSV, comma-separated")
    parser.add_argument("--shapes", default=",".join(SHAPES), help="ten (events of ten securities), one, or both")
    parser.add_argument("--runs", default="local,dask", help="local, dask or both (each size and shape)")
    parser.add_argument("--local-max", type=int, default=100_000, help="no local run above this many pairs")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (best and median printed)")
    parser.add_argument("--prices", type=Path, default=PRICES, help="price directory (default ../shared/data/prices)")
    parser.add_argument("--keep", type=Path, help="write the events CSVs here (and keep them) instead of a temp dir")
    parser.add_argument("--stages", action="store_true", help="also split each local run by stage (seconds, peak)")
    parser.add_argument("--checkout", type=Path, help="measure the eventstudy of another checkout (git worktree add)")
    parser.add_argument("--workers", type=int, default=2, metavar="N", help="dask worker processes (default 2)")
    args = parser.parse_args()
    if not args.prices.exists():
        sys.exit(f"{args.prices} not found: the benchmark reads the real price files")
    args.prices = args.prices.resolve()
    sizes = [int(s) for s in args.sizes.split(",")]
    shapes = [s for s in args.shapes.split(",") if s]
    modes = [m for m in args.runs.split(",") if m]
    if set(shapes) - set(SHAPES) or set(modes) - {"local", "dask"}:
        sys.exit(f"--shapes: choose from {', '.join(SHAPES)}; --runs: from local, dask")
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        print(HEADER, flush=True)
        for n in sizes:
            for shape in shapes:
                for mode in modes:
                    if mode == "local" and n > args.local_max:
                        continue
                    print(measure(root, n, shape, mode, args, Path(tmp)), flush=True)
        print(f"peak MB, CPU s: `eventstudy run` (with dask: the client); workers MB: the largest dask "
              f"worker's; target: issue 24's (peak < {TARGET_MB:,} MB)")  # fmt: skip
        if args.stages:
            for n in sizes:
                for shape in shapes:
                    print(f"\nstages, {n:,} pairs, shape {shape}: seconds, peak MB, resident MB after")
                    for name, secs, peak, after in stages(
                        events_csv(root, n, shape), Path(tmp) / "stages", args.prices
                    ):
                        print(f"  {name:<18}{secs:7.2f} {peak:8.0f} {after:8.0f}")


if __name__ == "__main__":
    main()
