"""A study on Dask whose big tables stay on the workers: Parquet partitions written where every worker sees.

For a study too large for the client (``eventstudy run --dask`` from
``PARQUET_FROM_PAIRS`` pairs on, ``EventStudy(..., client=, tables_to=DIR)``):
each task runs the engine on its partition of whole events and writes the
partition's ``ar``, ``car``, ``fits`` and ``tests`` rows as
``DIR/<table>.parquet/part-NNNNN.parquet``, and returns only what the client
needs for the report::

    plan ──partitions of whole events, in order of first appearance──▶ task k on a worker:
        prices + engine.abnormal_returns.compute ─▶ write ar, car, fits            (phase 1: the engine's tables)
        ─▶ return the report's events' ar, car and fits rows, every pair's CARs and p by window,
           its share of unusual estimation days and CAR path, unusual days, exclusions
    client: the study's draw counts from every partition's car (table.study_draws)
    task k, on the engine tables it kept ─▶ tests ─▶ write tests       (phase 2: the tests table)
        ─▶ return its row count and the report's events' rows

The client never holds the AR table (21 rows a pair), the tests table (up to 60
rows a pair), the car and fits tables (4 and 1 rows a pair, 13 and 9 columns) or
the estimation residuals: of every pair it holds the numbers the report
summarises (:class:`PairColumns`, 72 bytes a pair with four windows, and the
CAR path, 168 bytes). The partitions are runs of whole
events in order of first appearance, so read one after the other (``pandas.read_parquet``
of the folder) the ``tests`` rows are those of a local run, in its order, and the
``ar``, ``car`` and ``fits`` rows too when each event's rows are together in the
events file (else grouped by event); every row is a local run's, value for value
(``tests/engine/test_cluster.py``). See ``docs/scaling.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from collections.abc import Sequence

    from dask.distributed import Client, Future

    from eventstudy.engine.abnormal_returns import EngineTables
    from eventstudy.engine.models import ExpectedReturnModel
    from eventstudy.engine.plan import Plan
    from eventstudy.market import PriceSource
    from eventstudy.spec import StudySpec

CAR_COLUMNS = ("event", "ticker", "start", "end", "car", "p")  # of the car table, in every pair's summary
WRITTEN_TABLES = ("ar", "car", "fits", "tests")  # written by the workers, one Parquet part per partition
KEEP_EVENTS = 1_000  # the first events (study order) whose rows come back: the report details some of them


@dataclass(frozen=True)
class TablesOut:
    """Where the workers write (an absolute folder every worker sees) and what comes back to the client."""

    folder: str
    keep: frozenset[str]  # events whose ar and tests rows come back (the report's candidates, the claimed ones)
    indices: frozenset[str]  # securities measured on themselves: no tests rows, as in a local run


@dataclass(frozen=True)
class PairColumns:
    """Of every fitted pair, in plan order, what the report summarises when the workers wrote the car and fits tables.

    ``fits`` and :meth:`car_table` are those tables' rows, in their order, with a few of their columns.
    """

    fits: pd.DataFrame  # event, ticker, share_abs_z_ge_3: the fits table's rows
    windows: tuple[tuple[int, int], ...]
    car: np.ndarray  # (pairs, windows): the car table's car and p
    p: np.ndarray

    def car_table(self, columns: Sequence[str] = CAR_COLUMNS) -> pd.DataFrame:
        """``columns`` of :data:`CAR_COLUMNS`: the car table's rows, one per pair and window (only those built)."""
        starts, ends = np.array(self.windows, dtype=np.int64).reshape(-1, 2).T
        n, per = self.car.shape[0], len(self.windows)
        build = {
            "event": lambda: self.fits["event"].array.take(np.repeat(np.arange(n), per)),
            "ticker": lambda: self.fits["ticker"].array.take(np.repeat(np.arange(n), per)),
            "start": lambda: np.tile(starts, n), "end": lambda: np.tile(ends, n),
            "car": self.car.ravel, "p": self.p.ravel,
        }  # fmt: skip
        return pd.DataFrame({c: build[c]() for c in columns})

    def car_columns(self) -> tuple[np.ndarray, pd.Series, pd.Series]:
        """The car table's rows as three columns, no copy: each row's window (its index in ``windows``), car, p."""
        n, per = self.car.shape
        window = np.tile(np.arange(per, dtype=np.intp), n)
        return window, pd.Series(self.car.ravel(), copy=False), pd.Series(self.p.ravel(), copy=False)

    def window_table(self, k: int, columns: Sequence[str] = CAR_COLUMNS) -> pd.DataFrame:
        """``columns`` of the car table's rows of window ``k`` alone: one per pair, in plan order."""
        (start, end), n = self.windows[k], self.car.shape[0]
        build = {
            "event": lambda: self.fits["event"].array, "ticker": lambda: self.fits["ticker"].array,
            "start": lambda: np.full(n, start, dtype=np.int64), "end": lambda: np.full(n, end, dtype=np.int64),
            "car": lambda: self.car[:, k], "p": lambda: self.p[:, k],
        }  # fmt: skip
        return pd.DataFrame({c: build[c]() for c in columns})


@dataclass
class WrittenStudy:
    """What the client holds of a study whose big tables the workers wrote (:func:`compute_written`)."""

    tables: EngineTables  # ar, car and fits: the ``keep`` events' rows only; no residuals
    flags: pd.DataFrame  # unusual days (engine.flags.unusual_moves) of every pair, plan order, not labelled
    tests: pd.DataFrame  # the ``keep`` events' rows of the tests table, labelled by their row in the whole table
    keep: frozenset[str]
    folder: Path
    data: dict[str, dict[str, Any]]  # provenance of the prices the workers read
    paths: tuple[np.ndarray, np.ndarray]  # days, and every fitted pair's CAR path (pair_paths), plan order
    pairs: PairColumns  # every fitted pair's CARs and p, plan order


def tables_out(spec: StudySpec, folder: str | Path) -> TablesOut:
    """The :class:`TablesOut` of ``spec``: its claimed events and first :data:`KEEP_EVENTS` events come back."""
    import os

    keep = {e.id for e in spec.events[:KEEP_EVENTS]} | {c.event for c in spec.claims}
    indices = {s.ticker for s in spec.securities if s.is_index}
    return TablesOut(os.path.abspath(str(folder)), frozenset(keep), frozenset(indices))


def compute_written(
    plan: Plan,
    source: PriceSource,
    model: ExpectedReturnModel,
    fama_french: pd.DataFrame | None,
    *,
    client: Client,
    partitions: int,
    out: TablesOut,
) -> WrittenStudy:
    """The engine and the tests on the cluster, the big tables written by the workers (see the module doc)."""
    from eventstudy.engine.cluster import for_workers, gather
    from eventstudy.engine.distributed import engine_part, partition_pairs, run_tasks
    from eventstudy.inference.table import study_draws

    parts = partition_pairs(plan.pairs, partitions, by_day0=False)
    Path(out.folder).mkdir(parents=True, exist_ok=True)
    engine: list[Future] = []

    def submit(spec: Future, shared: Future) -> list[Future]:
        engine[:] = [client.submit(engine_part, spec, plan.pairs.iloc[idx].reset_index(drop=True), plan.first,
                                   plan.last, shared, pure=False) for idx in parts]  # fmt: skip
        return [client.submit(_write_engine, e, k, out, pure=False) for k, e in enumerate(engine)]

    found = run_tasks(client, (plan.spec, for_workers(source), model, fama_french), submit)
    written = _client_tables(plan, parts, found)
    fits = written.pairs.fits  # one row a fitted pair, each with every window
    tested = fits[~fits["ticker"].isin(out.indices)] if out.indices else fits
    draws = study_draws(len(tested), tested["event"].nunique() * len(plan.spec.event_windows))
    tests = gather(client, [client.submit(_write_tests, e, k, out, draws, pure=False) for k, e in enumerate(engine)],
                   len(client.nthreads()))  # fmt: skip
    engine.clear()  # the workers drop the partitions' engine tables
    kept, offset = [], 0
    for n, rows in tests:
        kept.append(rows.set_axis(rows.index + offset))  # labels of the whole table's rows
        offset += n
    written.tests = pd.concat(kept)
    written.folder, written.keep = Path(out.folder), out.keep
    _release_freed_memory()  # the partitions' results, read on Dask's thread, are freed by now
    return written


def _release_freed_memory() -> None:
    """Give the memory freed so far back to the system (glibc keeps a thread's freed memory; elsewhere nothing)."""
    import ctypes
    from contextlib import suppress

    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _write(table: pd.DataFrame, out: TablesOut, name: str, part: int) -> None:
    folder = Path(out.folder) / f"{name}.parquet"
    folder.mkdir(exist_ok=True)
    table.to_parquet(folder / f"part-{part:05d}.parquet", index=False)


def _write_engine(result: tuple[EngineTables, np.ndarray, dict[str, Any]], part: int, out: TablesOut) -> dict[str, Any]:
    """Phase 1 on a worker: the partition's ar, car and fits as Parquet parts; what the client keeps comes back."""
    from eventstudy.engine.distributed import problems
    from eventstudy.engine.flags import unusual_moves

    tables, done, data = result
    assert tables.plan is not None
    ar = ar_columns(tables.ar)
    for name, table in (("ar", ar), ("car", tables.car), ("fits", tables.fits)):
        _write(table, out, name, part)
    flags = unusual_moves(ar, tables.plan.spec.event_windows)
    per = len(tables.plan.spec.event_windows)
    days, paths = pair_paths(ar)
    back = {"done": done, "data": data, "problems": problems(tables), "flags": flags,
            "flags_at": tables.positions(flags), "days": days,  # then the fitted pairs', in the fits order:
            "paths": paths.reshape(len(done), -1) if len(done) else np.empty((0, len(days))),
            "car_values": tables.car["car"].to_numpy(dtype=float).reshape(-1, per),
            "p_values": tables.car["p"].to_numpy(dtype=float).reshape(-1, per),
            "share": tables.fits["share_abs_z_ge_3"].to_numpy(dtype=float)}  # fmt: skip
    for name, table in (("ar", ar), ("car", tables.car), ("fits", tables.fits)):
        kept = table[table["event"].isin(out.keep)]
        back |= {name: kept, f"{name}_at": tables.positions(kept)}
    return back


def pair_paths(ar: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each pair's CAR path, 0 at day -1: the days, and a (pairs, days) matrix, pairs in the ar table's order.

    The ar table holds each pair's days together and in order (the engine's tables do); a missing
    AR leaves its day empty and the sum goes on past it. What the mean-CAR figure summarises
    (:func:`eventstudy.plots.mean_car_data`), sent back by the workers instead of the ar table.
    """
    width = int(ar["day"].nunique()) if len(ar) else 0
    if not width:
        return np.empty(0, dtype=np.int64), np.empty((0, 0))
    days = ar["day"].to_numpy(dtype=np.int64)[:width]
    pair = np.repeat(np.arange(len(ar) // width), width)
    cum = pd.Series(ar["abnormal"].to_numpy(dtype=float)).groupby(pair).cumsum().to_numpy().reshape(-1, width)
    base = cum[:, days == -1] if (days == -1).any() else np.full((len(cum), 1), np.nan)
    return days, cum - base


def ar_columns(ar: pd.DataFrame) -> pd.DataFrame:
    """The ar table with the prices last, as a local run orders it whatever the model's columns."""
    last = ["price", "benchmark_price"]
    return ar[[c for c in ar.columns if c not in last] + [c for c in last if c in ar.columns]]


def _write_tests(
    result: tuple[EngineTables, np.ndarray, dict[str, Any]], part: int, out: TablesOut, draws: tuple[int, int]
) -> tuple[int, pd.DataFrame]:
    """Phase 2 on a worker: the partition's tests rows (the study's draw counts) written; the kept events' back."""
    from eventstudy.inference.table import significance_table

    tables = result[0]
    ar, car, fits = (t[~t["ticker"].isin(out.indices)] if out.indices else t
                     for t in (ar_columns(tables.ar), tables.car, tables.fits))  # fmt: skip
    residuals = tables.residual_rows[tables.positions(car[["event", "ticker"]].drop_duplicates())]
    tests = significance_table(ar, car, fits, residuals, draws=draws)
    _write(tests, out, "tests", part)
    return len(tests), tests[tests["event"].isin(out.keep)]


def _client_tables(plan: Plan, parts: list[np.ndarray], found: list[dict[str, Any]]) -> WrittenStudy:
    """What the partitions sent back, as the client's tables in plan order."""
    from eventstudy.engine.abnormal_returns import EngineTables
    from eventstudy.engine.distributed import exclusions, provenance_in_order

    spec = plan.spec
    back = np.argsort(np.concatenate([idx[r["done"]] for idx, r in zip(parts, found, strict=True)]), kind="stable")

    def by_position(name: str) -> pd.DataFrame:
        at = np.concatenate([idx[r[f"{name}_at"]] for idx, r in zip(parts, found, strict=True)])
        table = pd.concat([r[name] for r in found], ignore_index=True)
        return table.iloc[np.argsort(at, kind="stable")].reset_index(drop=True)

    excluded, warnings = exclusions(parts, [r["problems"] for r in found])
    tables = EngineTables(by_position("ar"), by_position("car"), by_position("fits"), np.empty((0, 0)),
                          excluded=excluded, warnings=warnings, plan=plan)  # fmt: skip
    data = provenance_in_order(plan, [r["data"] for r in found])
    days = next((r["days"] for r in found if len(r["days"])), np.empty(0, dtype=np.int64))
    fitted = np.sort(np.concatenate([idx[r["done"]] for idx, r in zip(parts, found, strict=True)]))
    rank = np.empty_like(back)
    rank[back] = np.arange(len(back))  # each partition's fitted pair: its row in plan order

    def in_order(name: str) -> np.ndarray:
        """The partitions' rows of ``name`` (pairs first) in plan order, each partition's dropped once placed."""
        out, start = None, 0
        for r in found:
            rows = r.pop(name)
            out = np.empty((len(rank), *rows.shape[1:])) if out is None else out
            out[rank[start : start + len(rows)]] = rows
            start += len(rows)
        assert out is not None
        return out

    paths, car, p = in_order("paths"), in_order("car_values"), in_order("p_values")
    fits = plan.pairs[["event", "ticker"]].iloc[fitted].reset_index(drop=True)
    fits["share_abs_z_ge_3"] = in_order("share")
    pairs = PairColumns(fits, spec.event_windows, car, p)
    return WrittenStudy(tables, by_position("flags"), pd.DataFrame(), frozenset(), Path(), data, (days, paths), pairs)
