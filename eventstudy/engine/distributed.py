"""The engine on a Dask cluster: partitions of whole events, the same engine in every task.

A study (:func:`compute_dask`, what ``EventStudy(..., client=)`` and
``eventstudy run --dask`` call): the one planner gives the pairs, they are
split by event into partitions, and each task reads its pairs' prices from
the study's source on the worker (a Parquet URL every worker sees, see
:mod:`eventstudy.market.parquet`) and runs the engine
(:func:`eventstudy.engine.core.compute`) on them. The partitions' tables are
merged in plan order, those of a local run, and the rest of the study
(claims, tests, report) runs on the client as usual::

    plan ──partition by event──▶ [pairs] ──worker: prices + engine.core.compute──▶ tables ──merge──▶ EngineTables

A returns panel already built (:func:`run_batch_dask`, :func:`run_batch_local`
in-process): each task gets a slice of it and index arrays and runs the
solver (:func:`eventstudy.engine.ols.solve`); one row per pair and event window::

    event     ticker  start  end   car      se      t      p      alpha    beta   sigma   r2
    stargate  ORCL    0      0     0.0687   0.0150  4.58   7e-06  0.0011   1.21   0.0148  0.31

Dask is imported only inside the functions that need it
(``pip install "eventstudy-claims[dask]"``). See ``docs/scaling.md``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy.engine import ols
from eventstudy.engine.cluster import (
    DASK_MISSING,
    ScatteredDataLost,
    check_seen,
    ensure_workers,
    for_workers,
    gather,
)
from eventstudy.engine.plan import Plan, price_spans
from eventstudy.errors import EventStudyError

if TYPE_CHECKING:
    from dask.distributed import Client

    from eventstudy.engine.core import EngineTables
    from eventstudy.engine.models import ExpectedReturnModel
    from eventstudy.market import PriceSource
    from eventstudy.spec import StudySpec

PAIR_COLUMNS = ["event", "ticker", "benchmark", "session"]
CAR_CSV_COLUMNS = ["event", "ticker", "start", "end", "car", "se", "t", "p"]  # = results.CAR_CSV_COLUMNS
RESULT_COLUMNS = [*CAR_CSV_COLUMNS, "alpha", "beta", "sigma", "r2"]
WINDOW_KEYS = ("estimation_window", "ar_window", "event_windows")
DEFAULT_WINDOWS: dict[str, Any] = {
    "estimation_window": (-250, -11),
    "ar_window": (-10, 10),
    "event_windows": ((0, 0), (0, 1), (-1, 1), (-5, 5)),
}
PAIRS_PER_PARTITION = 5_000  # default target for the CLI (see docs/scaling.md)
SCATTER_ATTEMPTS = 3  # runs of a study's tasks when a lost worker takes the scattered inputs with it


@dataclass(frozen=True)
class Partition:
    """What one task receives: a panel slice and index arrays into it.

    Attributes
    ----------
    values
        (sessions, symbols) returns, only the rows and columns the pairs need.
    stock_col, market_col, day0_row
        Per pair, the security's and benchmark's column and day 0's row in ``values``.
    order
        Per pair, its position in the input pairs.
    """

    values: np.ndarray
    stock_col: np.ndarray
    market_col: np.ndarray
    day0_row: np.ndarray
    order: np.ndarray

    @property
    def nbytes(self) -> int:
        """Bytes shipped to a worker for this partition."""
        return sum(a.nbytes for a in (self.values, self.stock_col, self.market_col, self.day0_row, self.order))


class BadPairError(ValueError):
    """A pair's windows hold NaN returns; ``args[0]`` is its position in the input pairs."""


def partition_pairs(pairs: pd.DataFrame, partitions: int) -> list[np.ndarray]:
    """Split pair positions into at most ``partitions`` groups of whole events.

    Events are ordered by their first day 0 (ties: first appearance) and cut
    into contiguous runs of about equal pair counts, so an event's pairs
    always share a partition and each partition spans a narrow range of
    sessions. Empty groups are dropped.

    Returns
    -------
    list of numpy.ndarray
        Positions (0-based, increasing) of the pairs in each partition.
    """
    if partitions < 1:
        raise EventStudyError(f"partitions must be at least 1, got {partitions}")
    codes, _ = pd.factorize(pairs["event"])
    n_events = int(codes.max()) + 1
    first_day0 = pd.Series(pd.DatetimeIndex(pairs["session"]).asi8).groupby(codes).min().to_numpy()
    ordered = np.lexsort((np.arange(n_events), first_day0))  # by day 0, then appearance
    counts = np.bincount(codes, minlength=n_events)[ordered]
    before = np.cumsum(counts) - counts  # pairs ahead of each event
    group = np.empty(n_events, dtype=np.int64)
    group[ordered] = np.minimum(before * partitions // len(pairs), partitions - 1)
    pair_group = group[codes]
    return [p for g in range(partitions) if len(p := np.flatnonzero(pair_group == g))]


def run_batch_local(panel: pd.DataFrame, pairs: pd.DataFrame, **windows: Any) -> pd.DataFrame:
    """Market-model CARs of every pair in this process (one partition).

    Same arguments and output as :func:`run_batch_dask`, without a cluster.
    """
    plan = _Plan(panel, pairs, windows)
    whole = plan.partition(np.arange(len(plan.pairs)))
    return plan.run([whole], lambda parts: [_fit_partition(p, plan.windows) for p in parts])


def run_batch_dask(
    panel: pd.DataFrame, pairs: pd.DataFrame, *, partitions: int, client: Client | None = None, **windows: Any
) -> pd.DataFrame:
    """Market-model CARs of every pair, one Dask task per partition of events.

    Parameters
    ----------
    panel
        Simple returns, one exchange's sessions (index) by symbol (columns),
        as :func:`eventstudy.engine.panel.returns_panel` builds it.
    pairs
        Columns ``event, ticker, benchmark, session`` (day 0, a session of ``panel``).
    partitions
        Number of partitions (tasks); capped at the number of events.
    client
        A ``dask.distributed.Client``; by default a local cluster is started
        for this call (:func:`local_client`) and closed after it.
    **windows
        ``estimation_window``, ``ar_window``, ``event_windows`` as for
        :func:`eventstudy.engine.ols.solve` (defaults: the study defaults).

    Returns
    -------
    pandas.DataFrame
        One row per pair and event window, pairs in input order:
        ``event, ticker, start, end, car, se, t, p`` and the pair's fit,
        ``alpha, beta, sigma, r2`` (see :data:`RESULT_COLUMNS`).

    Raises
    ------
    EventStudyError
        Dask is missing, a symbol or session is not in the panel, a window
        runs outside it, or a window holds missing returns (naming the pair).
    """
    plan = _Plan(panel, pairs, windows)
    parts = [plan.partition(idx) for idx in partition_pairs(plan.pairs, partitions)]
    if client is None:
        with local_client() as own:
            return plan.run(parts, lambda ps: _compute(own, ps, plan.windows))
    return plan.run(parts, lambda ps: _compute(client, ps, plan.windows))


@contextmanager
def local_client(n_workers: int = 2, *, processes: bool = False) -> Iterator[Client]:
    """A ``dask.distributed.Client`` on a local cluster, closed on exit.

    Threads by default (``processes=False``): the cluster starts in about
    0.05 s once dask is imported and talks over in-process queues (no
    sockets, no dashboard, nothing serialized). ``processes=True`` starts
    worker processes on localhost TCP (about 1 s). See ``docs/scaling.md``
    for measured costs.
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise EventStudyError(DASK_MISSING) from None
    from eventstudy.processes import cleanup_on_interrupt

    cluster = LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=processes,
        dashboard_address=":0",  # its small HTTP server on a free port (8787 may be taken)
        scheduler_kwargs={"dashboard": False},
        silence_logs=logging.CRITICAL,  # a task's error reaches the caller, not the log
    )
    client = Client(cluster)
    try:
        with cleanup_on_interrupt():  # Ctrl-C closes the cluster (its processes) before the run ends
            yield client
    finally:
        client.close()
        cluster.close()


def default_partitions(n_pairs: int, n_workers: int = 2) -> int:
    """At least one partition per worker, and about :data:`PAIRS_PER_PARTITION` pairs each."""
    return max(n_workers, math.ceil(n_pairs / PAIRS_PER_PARTITION))


def compute_dask(
    plan: Plan,
    source: PriceSource,
    model: ExpectedReturnModel,
    fama_french: pd.DataFrame | None = None,
    *,
    client: Client,
    partitions: int,
) -> tuple[EngineTables, dict[str, dict[str, Any]]]:
    """The engine (:func:`eventstudy.engine.core.compute`) mapped over partitions of whole events on a Dask cluster.

    ``plan`` is split into partitions of whole events (:func:`partition_pairs`);
    each task reads the prices of its own pairs from ``source`` on the worker
    (the client sends the source, never the frames: a ``ParquetSource`` URL
    or a folder every worker sees) and runs the engine on them. The tables
    come back merged in plan order, equal to ``compute`` on the whole plan.

    Returns
    -------
    (EngineTables, dict)
        The engine's tables over the whole plan, and the provenance of the
        prices the workers read (per symbol, as ``source.provenance()``).
    """
    parts = partition_pairs(plan.pairs, partitions)
    workers = 0
    for attempt in range(SCATTER_ATTEMPTS):  # again when the scattered inputs went with a lost worker
        workers = ensure_workers(client, had=workers)
        spec, shared = client.scatter([plan.spec, (for_workers(source), model, fama_french)], broadcast=True,
                                      hash=False)  # fmt: skip
        futures = [
            client.submit(_engine_task, spec, plan.pairs.iloc[idx].reset_index(drop=True), plan.first, plan.last,
                          shared, pure=False)
            for idx in parts
        ]  # fmt: skip
        try:
            return _merge(plan, parts, gather(client, futures, workers, last=attempt == SCATTER_ATTEMPTS - 1))
        except ScatteredDataLost:
            continue
    raise AssertionError("unreachable: the last attempt raises")


def _engine_task(
    spec: StudySpec, pairs: pd.DataFrame, first: int, last: int, shared: tuple[Any, ...]
) -> tuple[EngineTables, np.ndarray, dict[str, dict[str, Any]]]:
    """The task: prices of one partition's pairs, read here, and the engine on them.

    Returns the tables (without the plan), the plan rows of the fitted pairs
    and the provenance of the prices read.
    """
    from eventstudy.engine.core import compute
    from eventstudy.engine.plan import Plan, fetch

    source, model, fama_french = shared
    check_seen(source)
    sub = Plan(spec, pairs, first, last)
    tables = compute(sub, fetch(sub, source), model, fama_french)
    done = tables.positions(tables.fits)
    return replace(tables, plan=None), done, source.provenance()


def _merge(
    plan: Plan, parts: list[np.ndarray], results: list[tuple[EngineTables, np.ndarray, dict[str, Any]]]
) -> tuple[EngineTables, dict[str, dict[str, Any]]]:
    """The partitions' tables as one, in plan order (what ``compute`` gives on the whole plan)."""
    from eventstudy.engine.core import EngineTables

    spec, n = plan.spec, len(plan)
    first = sorted(range(len(parts)), key=lambda k: int(parts[k].min()))  # a model's own columns: local order
    parts, results = [parts[k] for k in first], [results[k] for k in first]
    back = np.argsort(np.concatenate([idx[done] for idx, (_, done, _) in zip(parts, results, strict=True)]),
                      kind="stable")  # fmt: skip

    def ordered(name: str, per: int) -> pd.DataFrame:
        tables = [getattr(t, name) for t, _, _ in results]
        table = pd.concat([t for t in tables if len(t)] or tables[:1], ignore_index=True)
        last = [c for c in ("price", "benchmark_price") if name == "ar"]  # the ar table ends with the prices
        table = table[[c for c in table.columns if c not in last] + last]
        return table.iloc[(back[:, None] * per + np.arange(per)).ravel()].reset_index(drop=True)

    ar = ordered("ar", spec.ar_window[1] - spec.ar_window[0] + 1)
    car, fits = ordered("car", len(spec.event_windows)), ordered("fits", 1)
    residuals = np.full((n, results[0][0].residual_rows.shape[1]), np.nan)
    designs: list[Any] = [None] * n
    excluded, warned, panels, data = [], [], [], {}
    for idx, (t, _, prov) in zip(parts, results, strict=True):
        residuals[idx] = t.residual_rows
        for i, d in enumerate(t.designs):
            designs[idx[i]] = d
        data_rows = {i for p in t.panels for i in p.reasons}  # data problems come before fit problems
        excluded += [(i not in data_rows, int(idx[i]), e) for i, e in t.excluded]
        warned += [(int(idx[i]), w) for p in t.panels for i, ws in p.warnings.items() for w in ws]
        panels += [replace(p, members=idx[p.members], reasons={int(idx[i]): e for i, e in p.reasons.items()},
                           warnings={int(idx[i]): w for i, w in p.warnings.items()}) for p in t.panels]  # fmt: skip
        data.update(prov)
    tables = EngineTables(
        ar, car, fits, residuals,
        excluded=[(i, e) for _, i, e in sorted(excluded, key=lambda x: x[:2])],
        warnings=[w for _, w in sorted(warned, key=lambda x: x[0])],
        panels=panels, designs=designs, plan=plan,
    )  # fmt: skip
    order = list(price_spans(plan))  # the order a local run reads the symbols in
    return tables, {s: data[s] for s in sorted(data, key=lambda s: order.index(s) if s in order else len(order))}


def _compute(client: Client, parts: list[Partition], windows: dict[str, Any]) -> list[dict[str, np.ndarray]]:
    """Ship the partitions, run the kernel on each, gather the arrays (in partition order)."""
    shipped = client.scatter(parts, hash=False)  # unique keys: equal partitions of earlier calls may be released
    # one thread per task: Dask runs the tasks in parallel
    futures = [client.submit(_fit_partition, part, windows, threads=1, pure=False) for part in shipped]
    return gather(client, futures, len(client.nthreads()))


def _fit_partition(part: Partition, windows: dict[str, Any], threads: int | None = None) -> dict[str, np.ndarray]:
    """The task: the engine's solver (:func:`eventstudy.engine.ols.solve`) on one partition; arrays keyed by name."""
    est, arw = windows["estimation_window"], windows["ar_window"]
    first = min(est[0], arw[0])
    cols = np.stack([part.stock_col, part.market_col], axis=1)
    res = ols.solve(
        np.ascontiguousarray(part.values.T), cols, part.day0_row, ols.market_design(), first=first,
        estimation_window=est, ar_window=arw, event_windows=tuple(windows["event_windows"]), threads=threads,
    )  # fmt: skip
    if res.nan.any():  # name the first pair with NaN returns in its windows
        raise BadPairError(int(part.order[np.flatnonzero(res.nan)[0]]))
    return {
        "order": part.order,
        "car": res.car,
        "se": res.se,
        "t": res.t,
        "p": res.p,
        "alpha": res.fit.param("alpha"),
        "beta": res.fit.param("beta"),
        "sigma": res.fit.sigma,
        "r2": res.fit.r2,
    }


class _Plan:
    """Pairs checked against the panel and turned into positions."""

    def __init__(self, panel: pd.DataFrame, pairs: pd.DataFrame, windows: dict[str, Any]) -> None:
        unknown = sorted(set(windows) - set(WINDOW_KEYS))
        if unknown:
            raise TypeError(f"unknown window argument(s) {unknown}; expected {', '.join(WINDOW_KEYS)}")
        self.windows = {**DEFAULT_WINDOWS, **windows}
        missing = [c for c in PAIR_COLUMNS if c not in pairs.columns]
        if missing:
            raise EventStudyError(f"pairs lack column(s) {missing}; expected {', '.join(PAIR_COLUMNS)}")
        if pairs.empty:
            raise EventStudyError("no pairs to compute")
        self.pairs = pairs.reset_index(drop=True)
        self.values = panel.to_numpy(dtype=float)
        self.stock_col = self._lookup(panel.columns, self.pairs["ticker"], "ticker", "symbol of the panel")
        self.market_col = self._lookup(panel.columns, self.pairs["benchmark"], "benchmark", "symbol of the panel")
        sessions = pd.DatetimeIndex(self.pairs["session"])
        self.day0_row = self._lookup(panel.index, sessions, "session", "session of the panel")
        est, ar = self.windows["estimation_window"], self.windows["ar_window"]
        self.first, self.last = min(est[0], ar[0]), max(est[1], ar[1])
        out = (self.day0_row + self.first < 0) | (self.day0_row + self.last >= len(panel))
        if out.any():
            i = int(np.flatnonzero(out)[0])
            raise EventStudyError(
                f"{self._name(i)}: sessions {self.first}..{self.last} around {sessions[i].date()} run outside the "
                f"returns panel ({panel.index[0].date()} to {panel.index[-1].date()})"
            )

    def _lookup(self, index: pd.Index, keys: pd.Index | pd.Series, what: str, where: str) -> np.ndarray:
        pos = index.get_indexer(keys)
        if (pos < 0).any():
            i = int(np.flatnonzero(pos < 0)[0])
            raise EventStudyError(f"{self._name(i)}: {what} {keys[i]} is not a {where}")
        return pos

    def _name(self, i: int) -> str:
        return f"{self.pairs['ticker'].iloc[i]} around {self.pairs['event'].iloc[i]}"

    def partition(self, idx: np.ndarray) -> Partition:
        """The panel slice (rows and columns) and re-based index arrays for pairs ``idx``."""
        rows = self.day0_row[idx]
        lo, hi = int(rows.min()) + self.first, int(rows.max()) + self.last
        cols = np.unique(np.concatenate([self.stock_col[idx], self.market_col[idx]]))
        values = np.ascontiguousarray(self.values[lo : hi + 1][:, cols])
        return Partition(
            values,
            np.searchsorted(cols, self.stock_col[idx]),
            np.searchsorted(cols, self.market_col[idx]),
            rows - lo,
            idx,
        )

    def run(
        self, parts: list[Partition], compute: Callable[[list[Partition]], list[dict[str, np.ndarray]]]
    ) -> pd.DataFrame:
        """``compute`` the partitions and build the table; a pair with NaN returns becomes an error naming it."""
        try:
            results = compute(parts)
        except BadPairError as exc:
            raise self._bad(exc) from None
        return self.table(results)

    def table(self, results: list[dict[str, np.ndarray]]) -> pd.DataFrame:
        """Concatenate partition results into the tidy table, pairs in input order."""
        merged = {k: np.concatenate([r[k] for r in results]) for k in results[0]}
        back = np.argsort(merged.pop("order"), kind="stable")
        merged = {k: v[back] for k, v in merged.items()}
        n_pairs, n_windows = merged["car"].shape
        per_row = np.repeat(np.arange(n_pairs), n_windows)
        starts, ends = np.array(self.windows["event_windows"], dtype=np.int64).T
        return pd.DataFrame(
            {
                "event": self.pairs["event"].to_numpy()[per_row],
                "ticker": self.pairs["ticker"].to_numpy()[per_row],
                "start": np.tile(starts, n_pairs),
                "end": np.tile(ends, n_pairs),
                **{k: merged[k].ravel() for k in ("car", "se", "t", "p")},
                **{k: merged[k][per_row] for k in ("alpha", "beta", "sigma", "r2")},
            }
        )

    def _bad(self, exc: BadPairError) -> EventStudyError:
        i = int(exc.args[0])
        return EventStudyError(
            f"{self._name(i)} (day 0 {pd.Timestamp(self.pairs['session'].iloc[i]).date()}): missing returns "
            f"inside sessions {self.first}..{self.last} of {self.pairs['ticker'].iloc[i]} or "
            f"{self.pairs['benchmark'].iloc[i]} (a price missing on a session, or history too short)"
        )
