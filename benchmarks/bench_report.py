"""Wall time of the Stargate study from the command line, and where it goes.

Run: ``.venv/bin/python benchmarks/bench_report.py [--runs N]``

Prints, with the price files in the OS cache:

- interpreter start, and ``import eventstudy.cli`` in a fresh interpreter
  (what the command line pays before any work; target < 0.5 s);
- ``eventstudy run seeds/stargate.toml`` in a subprocess: best and median of
  N runs, and the CPU seconds it used (its own and its figure workers');
  kept within 1.5x of the time before issue 15 (3.65 s median here);
- one in-process run split into phases, as the CLI runs them: spec and
  sessions, prices, compute, then the report (figures drawn in worker
  processes, as the CLI does);
- how much two processes speed up CPU-bound work on this machine (1.0 on one
  core, 2.0 on two real cores): the figures are drawn in parallel, so this
  bounds what they can gain.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PRICES = REPO.parent / "shared" / "data" / "prices"
STUDY = REPO / "seeds" / "stargate.toml"
BURN = "s = 0\nfor i in range(3_000_000): s += i"


def fresh(code: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
    return time.perf_counter() - t0


def cli_runs(out: Path, runs: int) -> tuple[list[float], float]:
    cmd = [sys.executable, "-m", "eventstudy", "run", str(STUDY), "--prices", str(PRICES), "--out", str(out), "-q"]
    subprocess.run(cmd, check=True)  # warm the OS file cache
    walls = []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True)
        walls.append(time.perf_counter() - t0)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / runs
    return walls, cpu


def phases(out: Path) -> dict[str, float]:
    from eventstudy.market import CsvDirectorySource
    from eventstudy.report import write_report
    from eventstudy.report.render import default_workers
    from eventstudy.spec import load_study
    from eventstudy.study import EventStudy

    times = {}
    t0 = time.perf_counter()
    spec = load_study(STUDY)
    study = EventStudy(spec, CsvDirectorySource(PRICES))
    plan = study.plan()
    times["spec and sessions"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    study._fetch(plan, lambda _m: None)
    times["prices (8 files)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = study.run()  # reads the prices again: subtract them
    times["compute"] = time.perf_counter() - t0 - times["prices (8 files)"]
    t0 = time.perf_counter()
    write_report(res, out)
    times[f"report (up to {default_workers()} figure workers)"] = time.perf_counter() - t0
    return times


def parallel_speedup() -> float:
    one = min(fresh(BURN) for _ in range(2))
    t0 = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(2)]
    for p in procs:
        p.wait()
    return 2 * one / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="CLI runs to time (default 5)")
    args = parser.parse_args()
    base = min(fresh("pass") for _ in range(3))
    imp = min(fresh("import eventstudy.cli") for _ in range(3)) - base
    with tempfile.TemporaryDirectory() as tmp:
        walls, cpu = cli_runs(Path(tmp) / "cli", args.runs)
        split = phases(Path(tmp) / "inproc")
    print(f"interpreter start           {base:6.3f} s (not counted)")
    print(f"import eventstudy.cli       {imp:6.3f} s   target < 0.5 s")
    print(f"eventstudy run (CLI), best  {min(walls):6.3f} s   target: within 1.5x of the 3.65 s median before issue 15")
    print(f"          median of {len(walls):<2}       {statistics.median(walls):6.3f} s")
    print(f"          CPU per run       {cpu:6.3f} s   (main process and figure workers)")
    print("in-process phases:")
    for name, secs in split.items():
        print(f"  {name:<26}{secs:6.3f} s")
    print(f"two processes vs one        {parallel_speedup():6.2f}x  (2.00 = two free cores)")


if __name__ == "__main__":
    main()
