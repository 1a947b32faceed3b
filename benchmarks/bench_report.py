"""Wall time of the Stargate study from the command line, and where it goes.

Run: ``.venv/bin/python benchmarks/bench_report.py [--runs N] [--against DIR]``

Prints, with the price files in the OS cache:

- interpreter start, and ``import eventstudy.cli`` in a fresh interpreter
  (what the command line pays before any work; target < 0.5 s);
- ``eventstudy run seeds/stargate.toml`` in a subprocess: best and median of
  N runs, and the CPU seconds it used (its own and its figure workers'); the
  runs are reruns: the warm-up run fills a temporary ``$EVENTSTUDY_CACHE``
  (the placebo run, the report figures), as a user's second run finds it;
  ``--against DIR`` runs the ``eventstudy`` of another checkout (its root
  first on ``PYTHONPATH``, its own ``seeds/stargate.toml``) in turn with this
  one, A B A B, and prints the median of the paired wall-time ratios: issue
  15 keeps the seed report within 1.5x of the code before its redesign
  (``git worktree add /tmp/before af7651b``; 3.65 s median then, on a
  quieter machine);
- one in-process run split into phases, as the CLI runs them: spec and
  sessions, prices, compute, then the report (figures drawn in worker
  processes, as the CLI does);
- how much two processes speed up CPU-bound work on this machine (1.0 on one
  core, 2.0 on two real cores): the figures are drawn in parallel, so this
  bounds what they can gain.
"""

from __future__ import annotations

import argparse
import os
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


def command(out: Path, checkout: Path | None = None) -> tuple[list[str], dict[str, str] | None]:
    """The Stargate run of this checkout, or of ``checkout`` (its root first on PYTHONPATH, its own seed file)."""
    root = checkout or REPO
    cmd = [sys.executable, "-m", "eventstudy", "run", str(root / "seeds" / "stargate.toml"), "--prices", str(PRICES),
           "--out", str(out), "-q"]  # fmt: skip
    return cmd, ({**os.environ, "PYTHONPATH": str(checkout)} if checkout else None)


def timed(cmd: list[str], env: dict[str, str] | None) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, cwd=tempfile.gettempdir())  # a folder with no package in it
    return time.perf_counter() - t0


def cli_runs(out: Path, runs: int, against: Path | None = None) -> tuple[list[float], float, list[float]]:
    """Wall seconds of each run, CPU seconds per run, and (``against``) the paired ratios this / other."""
    this = command(out)
    other = command(out.with_name("other"), against) if against else None
    for cmd, env in filter(None, (this, other)):  # warm the OS file cache
        subprocess.run(cmd, check=True, env=env, cwd=tempfile.gettempdir())
    walls, ratios, cpu = [], [], 0.0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        walls.append(timed(*this))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu += after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        if other:
            ratios.append(walls[-1] / timed(*other))
    return walls, cpu / runs, ratios


def phases(out: Path) -> dict[str, float]:
    from eventstudy.market import CsvDirectorySource
    from eventstudy.report import write_report
    from eventstudy.report.figure_jobs import default_workers, report_figures
    from eventstudy.spec import load_study
    from eventstudy.study import EventStudy

    times = {}
    t0 = time.perf_counter()
    spec = load_study(STUDY)
    study = EventStudy(spec, CsvDirectorySource(PRICES))
    plan = study.plan()
    times["spec and sessions"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    study._fetch(plan, lambda *_: None)
    times["prices"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = study.run()  # reads the prices again: subtract them
    times["compute"] = time.perf_counter() - t0 - times["prices"]
    for name in ("tests", "placebo"):  # computed on first use, by the report
        t0 = time.perf_counter()
        getattr(res, name)
        times[f"{name} (first use)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    res.measure_tables()
    times[f"measures {', '.join(spec.measures) or '(none)'}"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    report_figures(res)
    times[f"figures (up to {default_workers()} workers)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    write_report(res, out)
    times["report (figures again)"] = time.perf_counter() - t0
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
    parser.add_argument("--against", type=Path, help="another checkout (a `git worktree` of an earlier commit)")
    args = parser.parse_args()
    base = min(fresh("pass") for _ in range(3))
    imp = min(fresh("import eventstudy.cli") for _ in range(3)) - base
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["EVENTSTUDY_CACHE"] = str(Path(tmp) / "cache")  # filled by the warm-up run
        walls, cpu, ratios = cli_runs(Path(tmp) / "cli", args.runs, args.against and args.against.resolve())
        split = phases(Path(tmp) / "inproc")
    print(f"interpreter start           {base:6.3f} s (not counted)")
    print(f"import eventstudy.cli       {imp:6.3f} s   target < 0.5 s")
    print(f"eventstudy run (CLI), best  {min(walls):6.3f} s")
    print(f"          median of {len(walls):<2}       {statistics.median(walls):6.3f} s")
    print(f"          CPU per run       {cpu:6.3f} s   (main process and figure workers)")
    if ratios:
        spread = f"min {min(ratios):.2f}, max {max(ratios):.2f}"
        print(f"this / {args.against}, paired: median {statistics.median(ratios):.2f}x ({spread}); target < 1.5x")
    print("in-process phases:")
    for name, secs in split.items():
        print(f"  {name:<26}{secs:6.3f} s")
    print(f"two processes vs one        {parallel_speedup():6.2f}x  (2.00 = two free cores)")


if __name__ == "__main__":
    main()
