"""Large studies from the command line: the 2,000-pair run with figures and the 100,000-pair run.

Run: ``.venv/bin/python benchmarks/bench_large.py [--sizes 2000,100000] [--repeat 3] [--against DIR]``

The events CSVs (seeded) are those of issue 15: ten US tickers (ORCL NVDA MSFT AVGO
AMD SMCI VRT CEG ARM SMH), events of all ten on random business days from
2024-09-02 to 2025-10-31, date-only, against ^GSPC, so N pairs are N/10 events.
Prices are read from ../shared/data/prices. 100,000 pairs need
``EVENTSTUDY_MAX_PAIRS`` only above the default limit (100,000).

Printed (nothing asserted): for each size, wall seconds and peak resident memory
(MB, the ``ru_maxrss`` of the command's main process) of ``eventstudy run
events.csv --prices ... --skip-errors -q``, with figures (the default, SVG, up to
5,000 pairs) and with ``--figures none``, best and median of ``--repeat`` runs,
and the median over issue 15's bar (10 s for 2,000 pairs with figures, 30 s for
100,000 pairs without). ``--against DIR`` also runs the ``eventstudy`` of another
checkout (e.g. ``git worktree add /tmp/before HEAD~1``) in turn with this one and
prints the median of the paired ratios. Then, per size, a run split by stage in
this process (EventStudy.run, tests table, figures, report.md, report.html,
results.json, Parquet tables).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
PRICES = REPO.parent / "shared" / "data" / "prices"
BARS = {(2_000, "svg"): 10.0, (100_000, "none"): 30.0}  # issue 15: seconds, with figures / --figures none
TICKERS = ["ORCL", "NVDA", "MSFT", "AVGO", "AMD", "SMCI", "VRT", "CEG", "ARM", "SMH"]


def write_events(path: Path, pairs: int, seed: int = 0) -> Path:
    """An events CSV of ``pairs`` rows: events of the ten tickers, date-only, on random business days."""
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2024-09-02", "2025-10-31")
    events = -(-pairs // len(TICKERS))
    picks = days[rng.integers(len(days), size=events)]
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["event", "ticker", "timestamp", "benchmark"])
        width = len(str(events))
        rows = ((f"e{i:0{width}d}", t, f"{day:%Y-%m-%d}", "^GSPC") for i, day in enumerate(picks) for t in TICKERS)
        out.writerows(row for _, row in zip(range(pairs), rows, strict=False))
    return path


def cli(path: Path, out: Path, *extra: str, prices: Path = PRICES, checkout: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one ``eventstudy run`` in a fresh process.

    ``checkout``: run the ``eventstudy`` of another checkout (its root put first on ``PYTHONPATH``).
    """
    args = ["run", str(path), "--prices", str(prices), "--out", str(out), "--skip-errors", "-q", *extra]
    code = (
        "import resource, sys, runpy; sys.argv = ['eventstudy', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('eventstudy', run_name='__main__')\n"
        "finally:\n    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    )
    t0 = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(checkout)} if checkout else None
    # from a folder that holds no package, so that PYTHONPATH decides which eventstudy runs
    cwd = out.parent
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if done.returncode:
        sys.exit(f"eventstudy run failed ({done.returncode}):\n{done.stderr}")
    return wall, int(done.stderr.strip().splitlines()[-1]) / 1024  # the main process (not figure workers)


def report_split(path: Path, prices: Path = PRICES, *, figures: bool = True) -> dict[str, float]:
    """Seconds of each part of a run and its report of ``path``, in this process (figures in workers)."""
    import warnings

    from eventstudy import CsvDirectorySource, EventStudy
    from eventstudy.report.figure_jobs import report_figures
    from eventstudy.report.model import report_model
    from eventstudy.report.pages import html_page, markdown_page
    from eventstudy.results_json import COLUMNAR_TABLES
    from eventstudy.spec.events_csv import load_events_csv

    times: dict[str, float] = {}
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EventStudy(load_events_csv(path), CsvDirectorySource(prices), on_error="skip").run(tests=False)
    times["EventStudy.run"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    res.tests = res.compute_tests()
    times["tests table"] = time.perf_counter() - t0
    drawn = []
    if figures:
        t0 = time.perf_counter()
        drawn = report_figures(res)
        times[f"figures ({len(drawn)})"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    model = report_model(res, drawn)
    times["report model"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    markdown_page(model)
    times["report.md"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    html_page(model)
    times["report.html"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    res.to_json(columnar=True)
    times["results.json"] = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        for name in COLUMNAR_TABLES:
            getattr(res, name).to_parquet(Path(tmp) / f"{name}.parquet", index=False)
        times["Parquet tables"] = time.perf_counter() - t0
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,100000", help="pairs per events CSV, comma-separated")
    parser.add_argument("--repeat", type=int, default=1, help="CLI runs per measurement (best and median printed)")
    parser.add_argument("--prices", type=Path, default=PRICES, help="price directory (default ../shared/data/prices)")
    parser.add_argument("--keep", type=Path, help="write the events CSVs here (and keep them) instead of a temp dir")
    parser.add_argument("--events-only", action="store_true", help="only write the events CSVs (with --keep)")
    parser.add_argument(
        "--against", type=Path, help="another checkout (e.g. a `git worktree` of an earlier commit): run in turn, ratio"
    )
    args = parser.parse_args()
    if not args.prices.exists():
        sys.exit(f"{args.prices} not found: the benchmark reads the real price files")
    prices = args.prices.resolve()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        paths = {n: write_events(root / f"events{n}.csv", n) for n in sizes}
        if args.events_only:
            print("\n".join(str(p) for p in paths.values()))
            return
        head = f"{'pairs':>7} {'figures':>8} {'best s':>7} {'median s':>8} {'peak MB':>8} {'x target':>8}"
        print(head + (f" {'other s':>8} {'this/other':>10}" if args.against else ""))
        for n, path in paths.items():
            for figures in ("svg", "none") if n <= 5_000 else ("none",):
                target = BARS.get((n, figures))
                runs, other = [], []
                for _ in range(args.repeat):  # this, other, this, other, ...
                    runs.append(cli(path, Path(tmp) / "out", "--figures", figures, prices=prices))
                    if args.against:
                        other.append(cli(path, Path(tmp) / "out", "--figures", figures, prices=prices,
                                         checkout=args.against.resolve())[0])  # fmt: skip
                walls = [w for w, _ in runs]
                peak, med = max(m for _, m in runs), statistics.median(walls)
                bar = f"{med / target:>8.2f}" if target else f"{'-':>8}"
                line = f"{n:>7} {figures:>8} {min(walls):>7.2f} {med:>8.2f} {peak:>8.0f} {bar}"
                if other:
                    ratio = statistics.median(w / o for w, o in zip(walls, other, strict=True))
                    line += f" {statistics.median(other):>8.2f} {ratio:>10.2f}"
                print(line)
        for n in sizes:
            print(f"\nin-process split, {n:,} pairs (s):")
            for name, secs in report_split(paths[n], prices, figures=n <= 5_000).items():
                print(f"  {name:<20}{secs:7.2f}")


if __name__ == "__main__":
    main()
