"""``eventstudy`` against its peers on PyPI: whole-process time of the same CARs, side by side.

Run: ``.venv/bin/python benchmarks/bench_peers.py [--runs 5] [--cases 16,1000] [--peers-venv DIR]``

The peers, installed from the package index into their own virtual environment
(``benchmarks/.peers-venv`` by default, ignored by git; created on first use):

- EasyEventStudies 2.0 (``benchmarks/peers/easy_event_studies_cars.py``): per pair, the
  market model by statsmodels OLS on the estimation window, the ARs of the event window with
  their covariance, the day-by-day CAR, its variance, t and p;
- event-study-toolkit 1.0.0 (``benchmarks/peers/event_study_toolkit_cars.py``): the market
  model by statsmodels formula OLS per pair, the ARs, and per pair the CAR, sigma, SCAR and
  BMP-scaled SCAR of the event period.

Both fit the market model on sessions [-250, -11] and sum the ARs of [-10, 10], from the same
price CSVs (``Adj Close``, else ``Close``; the benchmark's close carried onto sessions it did not trade), on
the same pairs (security, day 0). ``eventstudy`` computes all of that (its ``ar`` table over
[-10, 10], CARs with se, t and p) and, in its default ``run``, much more: the CARs of four
windows, the tests table (parametric, rank, sign and bootstrap tests), the study's placebo
run (below 500 pairs), volume, volatility and BHAR where asked, the claims, the figures and
the report in Markdown, HTML, JSON and CSV.

Cases:

- ``16``: ``eventstudy run seeds/stargate.toml`` (4 events x 4 securities, default report),
  the peers on its 16 (security, day 0) pairs;
- ``1000``: ``eventstudy run events.csv`` (default report) on an events CSV written here:
  100 events on random NYSE sessions from 2024-10 to 2025-12 (seeded), each with the nine US
  stocks against ^GSPC and SoftBank (9984.T) against ^N225.

Each run is a whole process (interpreter start, imports, reading the prices, the work,
writing the output), the tools in turn (A B C A B C ...), after one warm-up run each that
also gives the pairs (day 0 of every pair, read from ``eventstudy``'s ``ar`` table) and the
CARs compared. ``eventstudy``'s study placebo run and report figures are cached on disk
(``$EVENTSTUDY_CACHE``, a temporary folder here): the timed runs are reruns; ``cold`` is the
median of runs with an empty cache (the placebo run and the figures computed). Printed, per
case: the median and range of each tool's wall time and of its CPU time (user + system, which a
machine shared with other jobs inflates less), the ratio of medians (peer / eventstudy: above 1,
``eventstudy`` is faster) and the median of the paired ratios, and the largest
difference between a peer's CAR[-10, 10] and ``eventstudy``'s.
Nothing is asserted.

Every tool runs from byte-compiled modules, as ``pip install`` leaves them: the peers' packages
were compiled when installed, and ``eventstudy``'s are compiled here first (an editable checkout
under ``PYTHONDONTWRITEBYTECODE`` would otherwise compile its ~120 modules in every process,
0.2-0.3 s that no installed copy pays).
"""

from __future__ import annotations

import argparse
import compileall
import csv
import os
import resource
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
PEERS = {
    "EasyEventStudies 2.0": ("EasyEventStudies==2.0", REPO / "benchmarks" / "peers" / "easy_event_studies_cars.py"),
    "event-study-toolkit 1.0.0": (
        "event-study-toolkit==1.0.0",
        REPO / "benchmarks" / "peers" / "event_study_toolkit_cars.py",
    ),
}
US = ["ORCL", "NVDA", "MSFT", "AVGO", "AMD", "SMCI", "VRT", "CEG", "ARM"]


def peers_python(venv: Path) -> Path:
    """The peers' interpreter, their virtual environment created and filled on first use."""
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating {venv} and installing {', '.join(spec for spec, _ in PEERS.values())} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *(spec for spec, _ in PEERS.values())], check=True)
    return python


def write_events(path: Path, prices: Path, events: int = 100, seed: int = 0) -> Path:
    """``events`` events on random NYSE sessions (^GSPC's dates), each with the nine US stocks and 9984.T."""
    dates = pd.read_csv(prices / "GSPC.csv", usecols=["Date"])["Date"]
    dates = dates[(dates >= "2024-10-01") & (dates <= "2025-12-10")].to_numpy()
    rng = np.random.default_rng(seed)
    picks = sorted(rng.choice(len(dates), size=events, replace=False))
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["event", "ticker", "timestamp", "benchmark"])
        for i, pick in enumerate(picks):
            out.writerows([(f"e{i:03d}", t, dates[pick], "^GSPC") for t in US])
            out.writerow((f"e{i:03d}", "9984.T", dates[pick], "^N225"))
    return path


def ours_command(study: Path, prices: Path, out: Path) -> list[str]:
    """``eventstudy run STUDY`` with its default report (``-q``: no per-row printing)."""
    return [sys.executable, "-m", "eventstudy", "run", str(study), "--prices", str(prices), "--out", str(out), "-q"]


def ar_table(out: Path) -> pd.DataFrame:
    """``eventstudy``'s AR table (CSV, or Parquet from 1,000 pairs on)."""
    parquet = out / "ar.parquet"
    return pd.read_parquet(parquet) if parquet.exists() else pd.read_csv(out / "ar.csv")


def pairs_of(study: Path, out: Path, pairs_csv: Path) -> pd.Series:
    """Write the peers' pairs (``pair,ticker,benchmark,exchange,day0``); return ``eventstudy``'s CAR[-10,10] by pair."""
    from eventstudy.spec import load_study
    from eventstudy.spec.events_csv import load_events_csv

    spec = load_events_csv(study) if study.suffix == ".csv" else load_study(study)
    listing = {s.ticker: (s.benchmark, s.exchange) for s in spec.securities}
    ar = ar_table(out)
    ar = ar[(ar["day"] >= -10) & (ar["day"] <= 10)]
    keys = ar[["event", "ticker"]].drop_duplicates().reset_index(drop=True)
    day0 = ar[ar["day"] == 0].set_index(["event", "ticker"])["session"]
    rows = [(i, t, *listing[t], str(day0[(e, t)])[:10]) for i, (e, t) in enumerate(keys.itertuples(index=False))]
    pd.DataFrame(rows, columns=["pair", "ticker", "benchmark", "exchange", "day0"]).to_csv(pairs_csv, index=False)
    car = ar.groupby(["event", "ticker"], sort=False)["abnormal"].sum()
    return pd.Series([car[(e, t)] for e, t in keys.itertuples(index=False)], name="car")


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one whole process (from a folder with no package in it)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, cwd=tempfile.gettempdir(), stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def run_case(name: str, study: Path, prices: Path, python: Path, runs: int, tmp: Path) -> None:
    """Time ``eventstudy`` and the peers on one case, in turn; print medians, ratios and the CAR check."""
    cache = tmp / f"cache-{name}"
    env = {**os.environ, "EVENTSTUDY_CACHE": str(cache)}
    out = tmp / f"ours-{name}"
    ours = ours_command(study, prices, out)
    subprocess.run(ours, check=True, env=env, cwd=tempfile.gettempdir(), stdout=subprocess.DEVNULL)  # warm-up
    pairs_csv = tmp / f"pairs-{name}.csv"
    our_car = pairs_of(study, out, pairs_csv)
    commands = {"eventstudy": ours} | {
        peer: [str(python), str(script), str(pairs_csv), str(prices), str(tmp / f"{peer.split()[0]}-{name}.csv")]
        for peer, (_, script) in PEERS.items()
    }
    for peer in PEERS:  # warm-up, and the CAR check
        subprocess.run(commands[peer], check=True, cwd=tempfile.gettempdir())
    times: dict[str, list[tuple[float, float]]] = {tool: [] for tool in commands}
    cold: list[tuple[float, float]] = []
    for r in range(runs):
        for tool, cmd in commands.items():
            times[tool].append(timed(cmd, env))
        cold_env = {**env, "EVENTSTUDY_CACHE": str(tmp / f"cold-{name}-{r}")}
        cold.append(timed(ours, cold_env))
    print(f"\n{name} pairs ({len(our_car)} in the AR table), {runs} runs each in turn")
    for k, what in enumerate(("wall", "CPU")):
        ours_t, cold_t = [t[k] for t in times["eventstudy"]], [t[k] for t in cold]
        base, empty = statistics.median(ours_t), statistics.median(cold_t)
        print(f"  {what + ' seconds':28s} {'median':>7s} {'min':>6s} {'max':>6s}  peer/eventstudy (medians; paired)"
              + "  max |CAR diff|" * (k == 0))  # fmt: skip
        print(f"  {'eventstudy (rerun)':28s} {base:7.2f} {min(ours_t):6.2f} {max(ours_t):6.2f}")
        print(f"  {'eventstudy (empty cache)':28s} {empty:7.2f} {min(cold_t):6.2f} {max(cold_t):6.2f}")
        for peer in PEERS:
            t = [x[k] for x in times[peer]]
            paired = statistics.median(p / o for p, o in zip(t, ours_t, strict=True))
            paired_cold = statistics.median(p / o for p, o in zip(t, cold_t, strict=True))
            theirs = pd.read_csv(tmp / f"{peer.split()[0]}-{name}.csv").set_index("pair")["car"]
            diff = float(np.nanmax(np.abs(theirs.reindex(range(len(our_car))).to_numpy() - our_car.to_numpy())))
            mid = statistics.median(t)
            print(f"  {peer:28s} {mid:7.2f} {min(t):6.2f} {max(t):6.2f}  {mid / base:5.2f}x; {paired:5.2f}x  "
                  f"(empty cache {mid / empty:5.2f}x; {paired_cold:5.2f}x)" + f"  {diff:.1e}" * (k == 0))  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cases", default="16,1000", help="comma-separated: 16 (Stargate), 1000 (events CSV)")
    parser.add_argument("--prices", type=Path, default=PRICES)
    parser.add_argument("--peers-venv", type=Path, default=REPO / "benchmarks" / ".peers-venv")
    args = parser.parse_args(argv)
    python = peers_python(args.peers_venv)
    compileall.compile_dir(REPO / "eventstudy", quiet=1)  # as pip does for an installed package
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; peers in {args.peers_venv.name}")
    with tempfile.TemporaryDirectory(prefix="bench-peers-") as tmp:
        for case in args.cases.split(","):
            if case == "16":
                study = REPO / "seeds" / "stargate.toml"
            else:
                study = write_events(Path(tmp) / "events.csv", args.prices, events=int(case) // 10)
            run_case(case, study, args.prices.resolve(), python, args.runs, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
