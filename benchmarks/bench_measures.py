"""Volume, volatility and BHAR for 10,000 pairs at once; GARCH pairs per second.

Run: ``.venv/bin/python benchmarks/bench_measures.py [--pairs 10000] [--garch 40]``

Synthetic stacked windows, seeded: P pairs x 261 days (-250..+10; 311 days,
to +60, for BHAR), log-normal volumes and market-model returns. Timed (best
of 5): ``abnormal_volume`` (market model on the benchmark's log volume, AV,
SAV, CAV t for four windows) plus ``abnormal_volatility`` (market model of
returns, Beaver's U, U*, variance ratios and exact F tests), the target being
under 1 s for 10,000 pairs; ``buy_and_hold`` for [0, +20], [0, +60]. The
floor is the least numpy work any implementation does on the same inputs:
``log1p`` of the two volume stacks and one sum over the two return stacks.
GARCH: ``fit_garch_many`` on ``--garch`` pairs of simulated GARCH(1,1)
returns, with 1 worker and with one per CPU (arch imported beforehand).

``--study PAIRS`` (default 10,000; 0 skips it): the same measures the way
``eventstudy run`` computes them, on an events CSV of the real price files
(``bench_study.write_events``): after ``EventStudy.run``, the stacks cut from
the engine's panels (returns, volumes read on the session grids) plus the
``volume``, ``volume_windows``, ``volatility`` and ``volatility_windows``
tables (both volume models), best of 3.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

import numpy as np

from eventstudy.engine.garch import fit_garch_many
from eventstudy.measures.bhar import buy_and_hold
from eventstudy.measures.volatility import abnormal_volatility
from eventstudy.measures.volume import abnormal_volume


def timed(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def data(pairs: int, days: int, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    m = rng.normal(0.0004, 0.01, (pairs, days))
    vm = np.exp(rng.normal(21.0, 0.3, (pairs, days)))
    return {
        "returns": 0.0002 + 1.1 * m + rng.normal(0, 0.02, (pairs, days)),
        "market": m,
        "volume": np.exp(2.0 + 0.6 * np.log(vm) + rng.normal(0, 0.5, (pairs, days))),
        "market_volume": vm,
    }


def garch_data(pairs: int, days: int, seed: int = 3) -> dict[str, np.ndarray]:
    """Market-model returns with GARCH(1,1) errors (ω = 0.05 %², α = 0.08, γ = 0.9)."""
    rng = np.random.default_rng(seed)
    m = rng.normal(0.0, 1.0, (pairs, days))
    eps, var = np.empty((pairs, days)), np.full(pairs, 0.05 / 0.02)
    for t in range(days):  # over days, all pairs at once
        eps[:, t] = np.sqrt(var) * rng.standard_normal(pairs)
        var = 0.05 + 0.08 * eps[:, t] ** 2 + 0.9 * var
    return {"returns": (0.02 + 1.1 * m + eps) / 100, "market": m / 100}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--garch", type=int, default=40, help="pairs for the GARCH timing")
    parser.add_argument("--study", type=int, default=10_000, help="pairs of the study-level timing (0: skip)")
    args = parser.parse_args()
    d = data(args.pairs, 261)

    def volume_and_volatility() -> None:
        abnormal_volume(d["volume"], d["market_volume"], start=-250)
        abnormal_volatility(d["returns"], d["market"], start=-250)

    both = timed(volume_and_volatility)
    vol_only = timed(lambda: abnormal_volume(d["volume"], d["market_volume"], start=-250))
    floor = timed(lambda: (np.log1p(d["volume"]), np.log1p(d["market_volume"]), d["returns"].sum(), d["market"].sum()))
    long = data(args.pairs, 311, seed=2)
    bhar = timed(lambda: buy_and_hold(long["returns"], long["market"], start=-250))
    bhar_floor = timed(lambda: (long["returns"].sum(), long["market"].sum()))
    print(f"{'measure':<28} {'pairs':>7} {'s':>8} {'pairs/s':>11} {'floor s':>9} {'x floor':>8}")
    for name, sec, fl in (
        ("volume + volatility", both, floor),
        ("volume only", vol_only, floor),
        ("BHAR [0,20], [0,60]", bhar, bhar_floor),
    ):
        print(f"{name:<28} {args.pairs:>7,} {sec:>8.4f} {args.pairs / sec:>11,.0f} {fl:>9.5f} {sec / fl:>8.1f}")
    g = garch_data(args.garch, 261)
    fit_garch_many(g["returns"][:1], g["market"][:1], start=-250, workers=1)  # import arch before timing
    for workers in sorted({1, os.cpu_count() or 1}):
        t0 = time.perf_counter()
        fits = fit_garch_many(g["returns"], g["market"], start=-250, workers=workers)
        sec = time.perf_counter() - t0
        excluded = sum(not f.ok for f in fits)
        label = f"GARCH(1,1), {workers} worker(s)"
        print(f"{label:<28} {args.garch:>7,} {sec:>8.3f} {args.garch / sec:>11,.1f} {'':>9} {'':>8}  "
              f"({excluded} excluded: at a bound or not converged)")  # fmt: skip
    if args.study:
        study_level(args.study)


def study_level(pairs: int) -> None:
    """Volume and volatility tables of a study run of ``pairs`` real pairs (see the module doc)."""
    import tempfile
    import warnings
    from pathlib import Path

    from bench_study import make_study, write_events

    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = make_study(write_events(Path(tmp) / "events.csv", pairs))
        study.spec = dataclasses.replace(study.spec, measures=("volume", "volatility"))
        res = study.run()

    def tables() -> None:
        for name in ("_stacks", "_volume", "_volume_tables", "_volatility", "_volatility_tables"):
            res.__dict__.pop(name, None)
        _ = res.volume, res.volatility

    sec = timed(tables, repeat=3)
    fitted = len(res.volatility_windows) // len(res.spec.event_windows)
    print(
        f"{'study: volume + volatility':<28} {fitted:>7,} {sec:>8.4f} {fitted / sec:>11,.0f}  "
        f"(tables of both volume models; {pairs:,} pairs asked, {fitted:,} fitted)"
    )


if __name__ == "__main__":
    main()
