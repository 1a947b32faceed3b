"""The engine on a Dask cluster: partitions of whole events, the same engine in every task.

A study (:func:`run_study_dask`): the one planner gives the pairs, they are
split by event into partitions, and each task runs the engine
(:func:`eventstudy.engine.core.compute`: panels, data check, solver) on its
pairs with the price frames they read; the CAR rows come back in the
study's order, equal to ``EventStudy.run``'s::

    plan ──partition by event──▶ [pairs, frames] ──engine.core.compute──▶ CAR rows ──concat──▶ CAR table

A returns panel already built (:func:`run_batch_dask`, :func:`run_batch_local`
in-process): each task gets a slice of it and index arrays and runs the
solver (:func:`eventstudy.engine.ols.solve`). Dask is imported only inside
the functions that need it (``pip install "eventstudy-claims[dask]"``). See
``docs/scaling.md``.

The result table, one row per pair and event window::

    event     ticker  start  end   car      se      t      p      alpha    beta   sigma   r2
    stargate  ORCL    0      0     0.0687   0.0150  4.58   7e-06  0.0011   1.21   0.0148  0.31
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy.engine import ols
from eventstudy.errors import EventStudyError, ModelError

if TYPE_CHECKING:
    from dask.distributed import Client

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
DASK_MISSING = 'Dask is not installed; install the extra: pip install "eventstudy-claims[dask]"'
_FETCH_MARGIN = pd.Timedelta(days=10)  # calendar days before the first session, for a starting price


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
    cluster = LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=processes,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@contextmanager
def connect(address: str, timeout: float = 10.0) -> Iterator[Client]:
    """A ``dask.distributed.Client`` of the running scheduler at ``address`` (e.g. ``tcp://10.0.0.5:8786``).

    Its workers need ``eventstudy`` installed; the price frames are sent to
    them, so they need no access to the price files.

    Raises
    ------
    EventStudyError
        Dask is missing, or no scheduler answers at ``address`` within ``timeout`` seconds.
    """
    try:
        from dask.distributed import Client
    except ImportError:
        raise EventStudyError(DASK_MISSING) from None
    try:
        client = Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        raise EventStudyError(
            f"--dask {address}: no Dask scheduler answers there ({type(exc).__name__}: {exc}); start one "
            "(`dask scheduler` and `dask worker ADDRESS`) or leave the address out for a local cluster"
        ) from None
    try:
        yield client
    finally:
        client.close()


def default_partitions(n_pairs: int, n_workers: int = 2) -> int:
    """At least one partition per worker, and about :data:`PAIRS_PER_PARTITION` pairs each."""
    return max(n_workers, math.ceil(n_pairs / PAIRS_PER_PARTITION))


def run_study_dask(
    spec: StudySpec, source: PriceSource, *, partitions: int, client: Client | None = None
) -> pd.DataFrame:
    """Market-model CARs of a study's pairs on a Dask cluster: the engine mapped over partitions of the plan.

    The one planner (:func:`eventstudy.engine.plan.plan`) gives the pairs;
    they are split into partitions of whole events (:func:`partition_pairs`)
    and each task runs the engine (:func:`eventstudy.engine.core.compute`:
    panels, data check, solver) on its pairs with the price frames they read.
    Returns :data:`RESULT_COLUMNS` with the pairs in the full run's order, the
    numbers of ``EventStudy.run``.

    Raises
    ------
    EventStudyError
        The first pair whose data or fit fails, as ``EventStudy.run`` raises it
        (data problems first, then fits, in study order).
    """
    from eventstudy.engine.plan import fetch, plan

    the_plan = plan(spec)
    frames = fetch(the_plan, source)
    parts = partition_pairs(the_plan.pairs, partitions)
    tasks = [(spec, the_plan.pairs.iloc[idx].reset_index(drop=True), the_plan.first, the_plan.last) for idx in parts]
    if client is None:
        with local_client() as own:
            results = _map(own, tasks, frames)
    else:
        results = _map(client, tasks, frames)
    excluded = [(int(idx[i]), e) for idx, (_, errors) in zip(parts, results, strict=True) for i, e in errors]
    if excluded:  # data problems first, then fits, each in study order: the error EventStudy.run raises
        raise min(excluded, key=lambda x: (isinstance(x[1], ModelError), x[0]))[1]
    table = pd.concat([t for t, _ in results], ignore_index=True)
    order = np.concatenate([np.repeat(idx, len(spec.event_windows)) for idx in parts])
    return table.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)


def _map(
    client: Client, tasks: list[tuple[Any, ...]], frames: dict[str, pd.DataFrame]
) -> list[tuple[pd.DataFrame, list[tuple[int, EventStudyError]]]]:
    shipped = client.scatter(frames, broadcast=True, hash=False)  # every task reads prices from the workers' copy
    futures = [client.submit(_study_partition, *task, shipped, pure=False) for task in tasks]
    return client.gather(futures)


def _study_partition(
    spec: StudySpec, pairs: pd.DataFrame, first: int, last: int, frames: dict[str, pd.DataFrame]
) -> tuple[pd.DataFrame, list[tuple[int, EventStudyError]]]:
    """The task: the engine on one partition's pairs; its CAR rows with the fit, and its exclusions."""
    from eventstudy.engine.core import compute
    from eventstudy.engine.models import MarketModel
    from eventstudy.engine.plan import Plan

    tables = compute(Plan(spec, pairs, first, last), frames, MarketModel())
    fit = tables.fits.set_index(["event", "ticker"])[["alpha", "beta", "sigma", "r2"]]
    car = tables.car.join(fit, on=["event", "ticker"])
    return car[RESULT_COLUMNS].reset_index(drop=True), tables.excluded


def _compute(client: Client, parts: list[Partition], windows: dict[str, Any]) -> list[dict[str, np.ndarray]]:
    """Ship the partitions, run the kernel on each, gather the arrays (in partition order)."""
    shipped = client.scatter(parts, hash=False)  # unique keys: equal partitions of earlier calls may be released
    # one thread per task: Dask runs the tasks in parallel
    futures = [client.submit(_fit_partition, part, windows, threads=1, pure=False) for part in shipped]
    return client.gather(futures)


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
