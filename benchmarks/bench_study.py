"""Large studies end to end: EventStudy.run and ``eventstudy run`` on events CSVs of 100 to 2,000 pairs.

Run: ``.venv/bin/python benchmarks/bench_study.py [--sizes 100,500,2000] [--repeat 3] [--profile-report]``
(``--prices DIR`` for another price directory).

The events CSVs are built from the real price files in ../shared/data/prices
into a temporary directory: events on random sessions from 2021-03 to
2025-11 (seeded), each with the nine US stocks against ^GSPC and SoftBank
(9984.T) against ^N225, a third of them date-only. Pairs without enough
history (ARM before 2024-09, CEG before 2023-01, ^N225 before 2022-06) are
excluded with their reason, as ``--skip-errors`` does, about one in ten.

Printed (nothing asserted), best and median of ``--repeat`` runs:

- ``run s``: ``EventStudy(spec, source).run()`` on a warm source (prices
  already read);
- ``cli s``: ``eventstudy run events.csv --prices ../shared/data/prices
  --skip-errors -q`` as a subprocess, all formats (md, html, json, CSV,
  figures);
- ``--profile-report``: where the report writing of the largest file spends
  its time (eventstudy/report/*), by function.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from eventstudy import EventStudy

REPO = Path(__file__).resolve().parents[1]
PRICES = REPO.parent / "shared" / "data" / "prices"
US = ["ORCL", "NVDA", "MSFT", "AVGO", "AMD", "SMCI", "VRT", "CEG", "ARM"]


def write_events(path: Path, pairs: int, seed: int = 0) -> Path:
    """An events CSV of ``pairs`` rows: events of ten securities on random sessions."""
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2021-03-01", "2025-11-28")
    rows: list[tuple[str, str, str, str]] = []
    while len(rows) < pairs:
        i, day = len(rows) // 10, days[rng.integers(len(days))]
        stamp = f"{day:%Y-%m-%d}" if i % 3 == 0 else f"{day:%Y-%m-%d}T{rng.integers(8, 20):02d}:30:00-05:00"
        rows += [(f"e{i:04d}", t, stamp, "^GSPC") for t in US] + [(f"e{i:04d}", "9984.T", stamp, "^N225")]
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["event", "ticker", "timestamp", "benchmark"])
        out.writerows(rows[:pairs])
    return path


def timed(fn, repeat: int) -> tuple[float, float]:
    """Best and median wall time of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def make_study(path: Path, prices: Path = PRICES) -> EventStudy:
    """The study of an events CSV, pairs without data skipped."""
    from eventstudy import CsvDirectorySource, EventStudy
    from eventstudy.spec.events_csv import load_events_csv

    spec, source = load_events_csv(path), CsvDirectorySource(prices)
    return EventStudy(spec, source, on_error="skip")


def quiet_run(study: EventStudy) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study.run()


def cli(path: Path, out: Path, prices: Path = PRICES) -> None:
    args = ["run", str(path), "--prices", str(prices), "--out", str(out), "--skip-errors", "-q"]
    subprocess.run([sys.executable, "-m", "eventstudy", *args], check=True, cwd=REPO, capture_output=True)


def profile_report(path: Path, out: Path, prices: Path = PRICES, top: int = 25) -> str:
    """cProfile of write_report on the study of ``path``: functions of eventstudy/report/* by cumulative time."""
    from eventstudy.report import write_report

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = make_study(path, prices).run()
    t0 = time.perf_counter()
    write_report(res, out)
    first = time.perf_counter() - t0
    prof = cProfile.Profile()
    prof.enable()
    write_report(res, out)
    prof.disable()
    text = io.StringIO()
    stats = pstats.Stats(prof, stream=text).sort_stats("cumulative")
    stats.print_stats(r"eventstudy/(report|results)", top)
    return f"write_report: {first:.2f} s (first call, unprofiled)\n" + text.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,500,2000", help="pairs per events CSV, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best and median printed)")
    parser.add_argument("--profile-report", action="store_true", help="profile the report writing of the largest file")
    parser.add_argument("--prices", type=Path, default=PRICES, help="price directory (default ../shared/data/prices)")
    args = parser.parse_args()
    if not args.prices.exists():
        sys.exit(f"{args.prices} not found: the benchmark reads the real price files")
    prices = args.prices.resolve()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        print(f"{'pairs':>6} {'run best s':>10} {'run med s':>10} {'cli best s':>10} {'cli med s':>10}")
        for n in sizes:
            path = write_events(root / f"events{n}.csv", n)
            study = make_study(path, prices)
            quiet_run(study)  # warm: prices read, modules imported
            run_best, run_med = timed(lambda: quiet_run(study), args.repeat)  # noqa: B023
            cli_best, cli_med = timed(lambda: cli(path, root / "out", prices), args.repeat)  # noqa: B023
            print(f"{n:>6} {run_best:>10.2f} {run_med:>10.2f} {cli_best:>10.2f} {cli_med:>10.2f}")
        if args.profile_report:
            print()
            print(profile_report(root / f"events{max(sizes)}.csv", root / "profiled", prices))


if __name__ == "__main__":
    main()
