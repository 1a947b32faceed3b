"""Placebo simulation on the real prices: rejection rates and timings.

Runs :func:`eventstudy.inference.validation.run_validation` (Brown & Warner 1985,
Journal of Financial Economics 14(1), 3-31) and prints the table of
rejection rates, the mis-sized tests with the reason, and how long each
phase took. A script that prints its figures, not a test.

Usage, from the repository root::

    .venv/bin/python benchmarks/simulate.py                      # 2,000 trials per design, [0,0]
    .venv/bin/python benchmarks/simulate.py --three-day          # also the [-1,1] window
    .venv/bin/python benchmarks/simulate.py --trials 200 --seed 7
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from eventstudy.inference.validation import DEFAULT_SEED, DEFAULT_TRIALS, format_report, format_table, run_validation

REPO = Path(__file__).resolve().parents[1]
PRICES = REPO.parent / "shared" / "data" / "prices"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prices", type=Path, default=PRICES)
    parser.add_argument("--trials", type=int, default=DEFAULT_TRIALS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--three-day", action="store_true", help="also test the [-1,1] window")
    parser.add_argument("--markdown", action="store_true", help="also print the table as Markdown (for the docs)")
    args = parser.parse_args(argv)

    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    start = time.perf_counter()
    windows = [(0, 0), (-1, 1)] if args.three_day else [(0, 0)]
    res = run_validation(args.prices, trials=args.trials, seed=args.seed, windows=windows)
    wall = time.perf_counter() - start
    print(format_report(res, str(args.prices)))
    if args.markdown:
        print()
        print(format_table(res, markdown=True))
    print()
    tests = len(res.table[["test", "design"]].drop_duplicates())
    calls = tests * len(res.effects) * res.trials
    print(f"wall clock {wall:.1f} s for {res.trials} trials x {len(res.effects)} effects x {tests} tests x designs")
    print(f"{calls / res.timings['tests']:.0f} test calls per second; {res.trials / wall:.0f} trials per second")
    print("diagnostics: " + ", ".join(f"{k} = {v:.3g}" for k, v in res.diagnostics.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
