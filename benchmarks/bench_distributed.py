"""Batch engine in one process vs on a local Dask cluster: start-up, run time, bytes per task.

Run: ``.venv/bin/python benchmarks/bench_distributed.py [--quick]``

Pairs are events of 5 securities on random day 0s of a synthetic panel
(1,500 sessions x 50 stocks + market, seeded, as in bench_batch.py).
``run_batch_local`` is one ``market_model_batch`` call; ``run_batch_dask``
runs one task per partition on ``LocalCluster(n_workers=2,
threads_per_worker=1)`` with threads (processes=False) or processes.
Times are the best of three; the cluster start is measured once.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from eventstudy.engine.distributed import _Plan, local_client, partition_pairs, run_batch_dask, run_batch_local


def synthetic_panel(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    m = rng.normal(0.0004, 0.01, 1500)
    stocks = 0.0002 + rng.uniform(0.5, 1.5, 50) * m[:, None] + rng.normal(0, 0.02, (1500, 50))
    cols = [f"S{i:02d}" for i in range(50)]
    index = pd.bdate_range("2019-01-01", periods=1500)
    return pd.DataFrame(np.column_stack([stocks, m]), columns=[*cols, "M"], index=index)


def event_pairs(panel: pd.DataFrame, n_pairs: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_events = n_pairs // 5
    rows = rng.integers(251, len(panel) - 11, size=n_events)
    stocks = np.array([rng.choice(50, size=5, replace=False) for _ in range(n_events)])
    return pd.DataFrame(
        {
            "event": np.repeat([f"e{i}" for i in range(n_events)], 5),
            "ticker": panel.columns[stocks.ravel()],
            "benchmark": "M",
            "session": panel.index[np.repeat(rows, 5)],
        }
    )


def best(fn, repeat: int = 3) -> float:
    out = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out = min(out, time.perf_counter() - t0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="stop at 10,000 pairs")
    args = parser.parse_args()
    panel = synthetic_panel()
    sizes = (200, 10_000) if args.quick else (200, 10_000, 100_000)
    for processes in (False, True):
        t0 = time.perf_counter()
        with local_client(processes=processes) as client:
            start = time.perf_counter() - t0
            print(f"\nLocalCluster(n_workers=2, threads_per_worker=1, processes={processes}): start {start:.2f} s")
            print(f"{'pairs':>8} {'parts':>6} {'local s':>8} {'dask s':>8} {'dask/local':>10} {'KB/task':>8}")
            for n in sizes:
                pairs = event_pairs(panel, n, seed=n)
                local_s = best(lambda: run_batch_local(panel, pairs))  # noqa: B023
                plan = _Plan(panel, pairs, {})
                for k in (2, 8, 32):
                    kb = np.mean([plan.partition(i).nbytes for i in partition_pairs(pairs, k)]) / 1024
                    dask_s = best(lambda: run_batch_dask(panel, pairs, partitions=k, client=client))  # noqa: B023
                    print(f"{n:>8,} {k:>6} {local_s:>8.3f} {dask_s:>8.3f} {dask_s / local_s:>10.2f} {kb:>8.0f}")


if __name__ == "__main__":
    main()
