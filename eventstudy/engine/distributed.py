"""The engine on a Dask cluster: partitions of whole events, the same engine in every task.

A study (:func:`compute_dask`, what ``EventStudy(..., client=)`` and
``eventstudy run --dask`` call): the one planner gives the pairs, they are
split by event into partitions, and each task reads its pairs' prices from
the study's source on the worker (a Parquet URL every worker sees, see
:mod:`eventstudy.market.parquet`) and runs the engine
(:func:`eventstudy.engine.abnormal_returns.compute`) on them. The partitions' tables are
merged in plan order, those of a local run, and the rest of the study
(claims, tests, report) runs on the client as usual::

    plan ──partition by event──▶ [pairs] ──worker: prices + engine.abnormal_returns.compute──▶ tables
         ──merge──▶ EngineTables

Dask is imported only inside the functions that need it
(``pip install "eventstudy-claims[dask]"``). See ``docs/scaling.md``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

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
    from dask.distributed import Client, Future

    from eventstudy.engine.abnormal_returns import EngineTables
    from eventstudy.engine.models import ExpectedReturnModel
    from eventstudy.market import PriceSource
    from eventstudy.spec import StudySpec

PAIRS_PER_PARTITION = 5_000  # default target for the CLI (see docs/scaling.md)
SCATTER_ATTEMPTS = 3  # runs of a study's tasks when a lost worker takes the scattered inputs with it


def partition_pairs(pairs: pd.DataFrame, partitions: int, *, by_day0: bool = True) -> list[np.ndarray]:
    """Split pair positions into at most ``partitions`` groups of whole events.

    Events are ordered by their first day 0 (ties: first appearance) and cut
    into contiguous runs of about equal pair counts, so an event's pairs
    always share a partition and each partition spans a narrow range of
    sessions. ``by_day0=False``: in order of first appearance (the tests
    table's order, for tables written a partition at a time). Empty groups are dropped.

    Returns
    -------
    list of numpy.ndarray
        Positions (0-based, increasing) of the pairs in each partition.
    """
    if partitions < 1:
        raise EventStudyError(f"partitions must be at least 1, got {partitions}")
    codes, _ = pd.factorize(pairs["event"])
    n_events = int(codes.max()) + 1
    ordered = np.arange(n_events)  # factorize codes: order of first appearance
    if by_day0:
        first_day0 = pd.Series(pd.DatetimeIndex(pairs["session"]).asi8).groupby(codes).min().to_numpy()
        ordered = np.lexsort((ordered, first_day0))  # by day 0, then appearance
    counts = np.bincount(codes, minlength=n_events)[ordered]
    before = np.cumsum(counts) - counts  # pairs ahead of each event
    group = np.empty(n_events, dtype=np.int64)
    group[ordered] = np.minimum(before * partitions // len(pairs), partitions - 1)
    pair_group = group[codes]
    return [p for g in range(partitions) if len(p := np.flatnonzero(pair_group == g))]


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
    """The engine (:func:`~eventstudy.engine.abnormal_returns.compute`) mapped over partitions of whole events on Dask.

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

    def submit(spec: Future, shared: Future) -> list[Future]:
        return [client.submit(_engine_task, spec, plan.pairs.iloc[idx].reset_index(drop=True), plan.first, plan.last,
                              shared, pure=False) for idx in parts]  # fmt: skip

    return _merge(plan, parts, run_tasks(client, (plan.spec, for_workers(source), model, fama_french), submit))


def run_tasks(client: Client, inputs: tuple[Any, ...], submit: Callable[[Future, Future], list[Future]]) -> list[Any]:
    """Scatter ``inputs`` (spec, source, model, factors) to every worker, ``submit`` the tasks on them, gather them.

    Scattered and submitted again when the inputs went with a lost worker (:data:`SCATTER_ATTEMPTS` tries).
    """
    workers = 0
    for attempt in range(SCATTER_ATTEMPTS):  # again when the scattered inputs went with a lost worker
        workers = ensure_workers(client, had=workers)
        spec, shared = client.scatter([inputs[0], inputs[1:]], broadcast=True, hash=False)
        try:
            return gather(client, submit(spec, shared), workers, last=attempt == SCATTER_ATTEMPTS - 1)
        except ScatteredDataLost:
            continue
    raise AssertionError("unreachable: the last attempt raises")


def engine_part(
    spec: StudySpec, pairs: pd.DataFrame, first: int, last: int, shared: tuple[Any, ...]
) -> tuple[EngineTables, np.ndarray, dict[str, dict[str, Any]]]:
    """On a worker: prices of one partition's pairs, read here, and the engine on them.

    Returns the tables, the plan rows of the fitted pairs and the provenance of the prices read.
    """
    from eventstudy.engine.abnormal_returns import compute
    from eventstudy.engine.plan import Plan, fetch

    source, model, fama_french = shared
    check_seen(source)
    sub = Plan(spec, pairs, first, last)
    tables = compute(sub, fetch(sub, source), model, fama_french)
    return tables, tables.positions(tables.fits), source.provenance()


def _engine_task(
    spec: StudySpec, pairs: pd.DataFrame, first: int, last: int, shared: tuple[Any, ...]
) -> tuple[EngineTables, np.ndarray, dict[str, dict[str, Any]]]:
    """The task: :func:`engine_part`, its tables sent back without the plan (the client has it)."""
    tables, done, data = engine_part(spec, pairs, first, last, shared)
    return replace(tables, plan=None), done, data


def problems(tables: EngineTables) -> tuple[list[tuple[bool, int, Any]], list[tuple[int, str]]]:
    """A partition's exclusions (fit problem?, row, error) and warnings (row, text), rows of its own plan."""
    data_rows = {i for p in tables.panels for i in p.reasons}  # data problems come before fit problems
    excluded = [(i not in data_rows, i, e) for i, e in tables.excluded]
    return excluded, [(i, w) for p in tables.panels for i, ws in p.warnings.items() for w in ws]


def exclusions(parts: list[np.ndarray], found: list[tuple[list[Any], list[Any]]]) -> tuple[list[Any], list[str]]:
    """The partitions' :func:`problems` as a local run orders them: data problems first, then fits; plan order."""
    excluded = [(fit, int(idx[i]), e) for idx, (ex, _) in zip(parts, found, strict=True) for fit, i, e in ex]
    warned = [(int(idx[i]), w) for idx, (_, ws) in zip(parts, found, strict=True) for i, w in ws]
    return ([(i, e) for _, i, e in sorted(excluded, key=lambda x: x[:2])],
            [w for _, w in sorted(warned, key=lambda x: x[0])])  # fmt: skip


def in_plan_order(tables: list[pd.DataFrame], back: np.ndarray, per: int) -> pd.DataFrame:
    """The partitions' rows (``per`` a pair) as one table, pairs in plan order (``back``: argsort of their rows)."""
    table = pd.concat([t for t in tables if len(t)] or tables[:1], ignore_index=True)
    if "benchmark_price" in table.columns:  # the ar table ends with the prices, whatever the model's columns
        last = ["price", "benchmark_price"]
        table = table[[c for c in table.columns if c not in last] + last]
    return table.iloc[(back[:, None] * per + np.arange(per)).ravel()].reset_index(drop=True)


def provenance_in_order(plan: Plan, found: list[dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """The workers' provenance of the prices, symbols in the order a local run reads them."""
    data = {k: v for prov in found for k, v in prov.items()}
    order = list(price_spans(plan))
    return {s: data[s] for s in sorted(data, key=lambda s: order.index(s) if s in order else len(order))}


def _merge(
    plan: Plan, parts: list[np.ndarray], results: list[tuple[EngineTables, np.ndarray, dict[str, Any]]]
) -> tuple[EngineTables, dict[str, dict[str, Any]]]:
    """The partitions' tables as one, in plan order (what ``compute`` gives on the whole plan)."""
    from eventstudy.engine.abnormal_returns import EngineTables

    spec, n = plan.spec, len(plan)
    first = sorted(range(len(parts)), key=lambda k: int(parts[k].min()))  # a model's own columns: local order
    parts, results = [parts[k] for k in first], [results[k] for k in first]
    back = np.argsort(np.concatenate([idx[done] for idx, (_, done, _) in zip(parts, results, strict=True)]),
                      kind="stable")  # fmt: skip
    found = [t for t, _, _ in results]
    ar = in_plan_order([t.ar for t in found], back, spec.ar_window[1] - spec.ar_window[0] + 1)
    car = in_plan_order([t.car for t in found], back, len(spec.event_windows))
    fits = in_plan_order([t.fits for t in found], back, 1)
    residuals = np.full((n, found[0].residual_rows.shape[1]), np.nan)
    designs: list[Any] = [None] * n
    panels = []
    for idx, t in zip(parts, found, strict=True):
        residuals[idx] = t.residual_rows
        for i, d in enumerate(t.designs):
            designs[idx[i]] = d
        panels += [replace(p, members=idx[p.members], reasons={int(idx[i]): e for i, e in p.reasons.items()},
                           warnings={int(idx[i]): w for i, w in p.warnings.items()}) for p in t.panels]  # fmt: skip
    excluded, warnings = exclusions(parts, [problems(t) for t in found])
    tables = EngineTables(ar, car, fits, residuals, excluded=excluded, warnings=warnings, panels=panels,
                          designs=designs, plan=plan)  # fmt: skip
    return tables, provenance_in_order(plan, [prov for _, _, prov in results])
