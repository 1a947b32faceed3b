"""Batch engine vs the per-event statsmodels loop: pairs per second, memory, floor.

Run: ``.venv/bin/python benchmarks/bench_batch.py [--quick]``

Panels: a synthetic one (1,500 sessions x 50 stocks + market, seeded) and
the real US panel from ../shared/data/prices (9 stocks + ^GSPC). Each
size draws random (stock, day 0) pairs with full windows; the batch engine
fits the market model on [-250, -11] and computes AR, CAR, se, t and p
for four windows. The loop does the same pair by pair with
statsmodels OLS (fit, predict, CAR variance from its normalized_cov_params). The floor is one numpy
pass (a sum) over the bytes the batch engine gathers: P x 2 x 261 float64
(each pair's security and market windows, days -250..+10). Batch and floor
times are the best of 5 runs (1 for the loop); the batch engine runs on one
thread per CPU (``eventstudy.engine.ols.solve(threads=...)``).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from pathlib import Path

import numpy as np

from eventstudy.engine import ols
from eventstudy.engine.panel import returns_panel

REPO = Path(__file__).resolve().parents[1]
PRICES = REPO.parent / "shared" / "data" / "prices"
US = ["ORCL", "NVDA", "MSFT", "AVGO", "AMD", "SMCI", "VRT", "CEG", "ARM"]
WINDOWS = ((0, 0), (0, 1), (-1, 1), (-5, 5))


def synthetic_panel(seed: int = 1) -> tuple[np.ndarray, int]:
    rng = np.random.default_rng(seed)
    m = rng.normal(0.0004, 0.01, 1500)
    stocks = 0.0002 + rng.uniform(0.5, 1.5, 50) * m[:, None] + rng.normal(0, 0.02, (1500, 50))
    return np.column_stack([stocks, m]), 50


def real_panel() -> tuple[np.ndarray, int]:
    from eventstudy.market import CsvDirectorySource
    from eventstudy.market.calendars import get_calendar

    src = CsvDirectorySource(PRICES)
    sessions = get_calendar("XNYS").sessions_in_range("2020-01-02", "2025-12-31")
    frames = {s: src.prices(s, sessions[0], sessions[-1]) for s in [*US, "^GSPC"]}
    return returns_panel(frames, sessions, carry={"^GSPC"}).to_numpy(), len(US)


def draw_pairs(values: np.ndarray, mcol: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    ok = ~np.isnan(values)
    cols, rows = [], []
    while len(cols) < n:
        c = rng.integers(mcol, size=4 * n)
        r = rng.integers(251, values.shape[0] - 11, size=4 * n)
        good = np.array([ok[ri - 250 : ri + 11, ci].all() for ci, ri in zip(c, r, strict=True)])
        cols.extend(c[good][: n - len(cols)])
        rows.extend(r[good][: n - len(rows)])
    return np.array(cols), np.array(rows)


def loop(values: np.ndarray, cols: np.ndarray, mcol: int, rows: np.ndarray) -> None:
    """Pair by pair with statsmodels: OLS, AR, CAR variance σ²(L + ι'X*(X'X)⁻¹X*'ι), t p-value."""
    import statsmodels.api as sm
    from scipy import stats

    for c, r in zip(cols, rows, strict=True):
        x = sm.add_constant(values[r - 250 : r - 10, mcol])
        fit = sm.OLS(values[r - 250 : r - 10, c], x).fit()
        xe = sm.add_constant(values[r - 10 : r + 11, mcol], has_constant="add")
        ar = values[r - 10 : r + 11, c] - fit.predict(xe)
        for s, e in WINDOWS:
            sl = slice(s + 10, e + 11)
            v = xe[sl].sum(axis=0)
            t = ar[sl].sum() / np.sqrt(fit.scale * (e - s + 1 + v @ fit.normalized_cov_params @ v))
            stats.t.sf(abs(t), fit.df_resid)


def batch(values_t: np.ndarray, cols: np.ndarray, mcol: int, rows: np.ndarray) -> ols.Solved:
    """The engine's solver on every pair."""
    pair_cols = np.stack([cols, np.full(len(cols), mcol)], axis=1)
    return ols.solve(values_t, pair_cols, rows, ols.market_design(), first=-250, estimation_window=(-250, -11),
                     ar_window=(-10, 10), event_windows=WINDOWS)  # fmt: skip


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip the 100,000-pair statsmodels loop")
    args = parser.parse_args()
    panels = {"synthetic": synthetic_panel()}
    if PRICES.exists():
        panels["real US"] = real_panel()
    print(f"{'panel':<10} {'pairs':>7} {'batch s':>9} {'pairs/s':>11} {'loop s':>9} {'loop pairs/s':>13} "
          f"{'ratio':>7} {'peak MB':>8} {'floor s':>9} {'x floor':>8}")  # fmt: skip
    for name, (values, mcol) in panels.items():
        for n in (100, 1_000, 10_000, 100_000):
            cols, rows = draw_pairs(values, mcol, n, seed=n)
            values_t = np.ascontiguousarray(values.T)
            batch_s = timed(lambda: batch(values_t, cols, mcol, rows), 5)  # noqa: B023
            tracemalloc.start()
            batch(values_t, cols, mcol, rows)
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            gathered = np.random.default_rng(0).random((n, 2 * 261))
            floor_s = timed(lambda: gathered.sum(), 5)  # noqa: B023
            if args.quick and n > 10_000:
                loop_s = float("nan")
            else:
                loop_s = timed(lambda: loop(values, cols, mcol, rows), repeat=1)  # noqa: B023
            print(f"{name:<10} {n:>7,} {batch_s:>9.4f} {n / batch_s:>11,.0f} {loop_s:>9.2f} {n / loop_s:>13,.0f} "
                  f"{loop_s / batch_s:>7.0f} {peak:>8.1f} {floor_s:>9.5f} {batch_s / floor_s:>8.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
