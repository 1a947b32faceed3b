"""Orchestration: spec + price source → :class:`StudyResults`.

No computation lives here; each step calls the stage that owns it::

    plan (engine.plan) ─▶ prices (market) ─▶ engine (engine.abnormal_returns) ─▶ moves, claims (claims) ─▶ StudyResults

With a Dask ``client`` the engine step runs on the cluster (engine.distributed: the workers read
the prices); everything after it is the same.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from eventstudy.claims.reconcile import CANDIDATE_DAYS, reconcile_claims
from eventstudy.engine.abnormal_returns import EngineTables, compute
from eventstudy.engine.flags import label_flags, overlapping_windows, unusual_moves
from eventstudy.engine.models import ExpectedReturnModel, get_model
from eventstudy.engine.plan import FETCH_MARGIN, Plan, Progress, fetch, plan
from eventstudy.engine.provenance import provenance
from eventstudy.errors import DataWarning, EventStudyError, InsufficientHistoryError
from eventstudy.market import PriceSource
from eventstudy.market.calendars import get_calendar
from eventstudy.market.decompose import DECOMPOSITION_COLUMNS, decompose
from eventstudy.results import StudyResults
from eventstudy.spec import Security, StudySpec
from eventstudy.table_cache import store_pending

if TYPE_CHECKING:
    from pathlib import Path

    from dask.distributed import Client

    from eventstudy.engine.worker_tables import WrittenStudy
    from eventstudy.inference.validation.placebo import StudyPlacebo

KEY = ["event", "ticker"]
Key = tuple[str, str]


class EventStudy:
    """An event study: a spec, a price source and an expected-return model.

    Parameters
    ----------
    spec
        The study (see :func:`eventstudy.load_study`).
    source
        Where prices come from (``CsvDirectorySource``, ``YahooSource``).
    model
        Model name or object (:data:`eventstudy.engine.models.MODELS`); defaults to the spec's ``study.model``.
    factors
        Fama-French daily factors (decimals, ``read_fama_french``) for the
        ``ff3`` model.
    on_error
        "raise" stops at the first (event, security) pair whose data or fit
        fails; "skip" records it in ``results.excluded`` with the reason.
    generated_at
        "Generated" timestamp written into reports; default ``$SOURCE_DATE_EPOCH``,
        else none, so the same inputs give the same report bytes.
    client
        A ``dask.distributed.Client``: the engine runs on its cluster, in
        ``partitions`` partitions of whole events (default: about 5,000
        pairs each, at least one per worker); each worker reads its pairs'
        prices from ``source`` itself (a ``ParquetSource`` URL or a folder
        every worker sees). The results are those of a local run.
    tables_to
        With ``client``: a folder every worker sees, where the workers write the ar, car, fits and
        tests tables as Parquet partitions; the results then hold the report's events' ar, car, fits
        and tests rows, and of every pair the CARs, p and share of unusual days the report summarises
        (``results.every_car()``, ``every_fit()``; :mod:`eventstudy.engine.worker_tables`; not with
        ``garch`` or ``study.measures``, which run on the client's tables).
    placebo_trials, placebo_seed
        The study's own placebo run (``results.placebo``, computed by :meth:`run`):
        placebo dates (None: the default, 200, or none for a study of more than 500
        pairs; 0: off) and the seed (:mod:`eventstudy.inference.validation.placebo`).

    Every pair, whatever the model or the study's size, goes through the one
    engine (:mod:`eventstudy.engine.abnormal_returns`): a single study is a batch of one.

    Examples
    --------
    >>> from eventstudy import EventStudy, load_study, CsvDirectorySource
    >>> res = EventStudy(load_study("seeds/stargate.toml"),
    ...                  CsvDirectorySource("../shared/data/prices")).run()  # doctest: +SKIP
    >>> res.car  # doctest: +SKIP
    """

    def __init__(
        self,
        spec: StudySpec,
        source: PriceSource,
        *,
        model: str | ExpectedReturnModel | None = None,
        on_error: Literal["raise", "skip"] = "raise",
        factors: pd.DataFrame | None = None,
        generated_at: dt.datetime | None = None,
        client: Client | None = None,
        partitions: int | None = None,
        placebo_trials: int | None = None,
        placebo_seed: int | None = None,
        tables_to: str | Path | None = None,
    ) -> None:
        self.spec = spec
        self.source = source
        self.model = get_model(model if model is not None else spec.model)
        if on_error not in ("raise", "skip"):
            raise ValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
        self.on_error = on_error
        self.factors = factors
        self.generated_at = generated_at
        self.client, self.partitions = client, partitions
        self.placebo_trials = placebo_trials
        self.placebo_seed = placebo_seed
        self.tables_to = tables_to

    def plan(self) -> Plan:
        """Every (event, security) pair with its day 0 (:func:`eventstudy.engine.plan.plan`)."""
        return plan(self.spec)

    def run(self, *, progress: Progress | None = None, tests: bool = True) -> StudyResults:
        """Plan the pairs, fetch prices, fit every pair, compute AR/CAR, reconcile claims, test, run the placebo.

        ``tests``: compute the tests table (``results.tests``, 9,999-draw bootstraps: seconds for
        a few pairs, minutes for 100,000); False leaves it None, for the report to compute (a large
        study's in parts, never whole: :meth:`StudyResults.write_tests`) or for
        :meth:`StudyResults.compute_tests`. The placebo run (``results.placebo``, 2-4 s for a few
        securities, cached on disk) reads the price files again through the source.
        """
        say = progress or (lambda _msg, *_count: None)
        the_plan = self.plan()
        data = None  # provenance of the prices: the source's, unless workers read them
        written = None  # the tables the workers wrote, when they did
        if self.client is None:
            frames = self._fetch(the_plan, say)
            say(f"fitting {len(the_plan)} (event, security) pairs")
            tables = compute(the_plan, frames, self.model, self.factors)
        else:
            tables, data, frames, written = self._on_dask(the_plan, say)
        for message in tables.warnings:
            warnings.warn(message, DataWarning, stacklevel=2)
        if tables.excluded and self.on_error == "raise":
            raise tables.excluded[0][1]
        # a model not fitted by least squares refits its pairs; a failed fit is excluded, never fatal
        tables.excluded = sorted(tables.excluded + self.model.refit(tables), key=lambda e: e[0])
        pairs = the_plan.pairs
        excluded = pd.DataFrame(
            [{"event": pairs["event"].iat[i], "ticker": pairs["ticker"].iat[i], "reason": str(e)}
             for i, e in tables.excluded],
            columns=["event", "ticker", "reason"],
        )  # fmt: skip
        left_out = self._left_out(the_plan, tables, frames)
        if (tables.car if written is None else written.pairs.fits).empty and not left_out:
            raise EventStudyError("no (event, security) pair could be computed: " + "; ".join(excluded["reason"]))
        moves = self._all_moves(the_plan, frames)
        day0 = the_plan.day0.reset_index(drop=True)
        claims, candidates = reconcile_claims(
            self.spec, tables.ar, moves, tables.fits, day0, left_out=left_out,
            prices=lambda symbol, start, end: self.prices(symbol, start, end, frames),
        )  # fmt: skip
        found = unusual_moves(tables.ar, self.spec.event_windows) if written is None else written.flags
        flags = label_flags(found, day0, categorical=written is not None)  # on Dask, each day-0 label held once
        results = StudyResults(
            spec=self.spec,
            model=self.model.name,
            day0=day0,
            ar=tables.ar,
            car=tables.car,
            fits=tables.fits,
            moves=moves,
            claims=claims,
            candidates=candidates,
            flags=flags,
            overlaps=overlapping_windows(day0, self.spec.event_windows),
            excluded=excluded,
            provenance=provenance(self.spec, self.source, self.generated_at, data, warned=tables.warnings),
            engine=tables if written is None else None,
            frames=frames,
            report_tests=None if written is None else (written.keep, written.tests),
            written=None if written is None else written.folder,
            car_paths=None if written is None else written.paths,
            pairs=None if written is None else written.pairs,
        )
        if tests and written is None:  # else the workers wrote the tests table
            say("testing every event and window")
            results.tests = results.compute_tests()
        say("the study's placebo run")
        results.placebo = self.compute_placebo()
        store_pending()  # the calendars, fits and parsed prices kept, now that the run went through
        return results

    def compute_placebo(self) -> StudyPlacebo:
        """The study's own placebo run (:func:`~eventstudy.inference.validation.placebo.placebo_for_study`).

        It reads each security's whole price history again through the source: 2-4 s for a few
        securities on the first run, then read back from the disk cache.
        """
        from eventstudy.inference.validation.placebo import placebo_for_study

        seed = {"seed": self.placebo_seed} if self.placebo_seed is not None else {}
        return placebo_for_study(self.spec, self.source, trials=self.placebo_trials, **seed)

    def _fetch(self, the_plan: Plan, say: Progress) -> dict[str, pd.DataFrame]:
        return fetch(the_plan, self.source, say)

    def _on_dask(
        self, the_plan: Plan, say: Progress
    ) -> tuple[EngineTables, dict[str, Any], dict[str, pd.DataFrame], WrittenStudy | None]:
        """The engine on the client's cluster; the prices the moves need (claimed pairs) are read here.

        With ``study.measures`` (volume, volatility, BHAR, computed on the client) every pair's prices are.
        With ``tables_to`` the workers write the big tables there (:mod:`eventstudy.engine.worker_tables`).
        """
        from eventstudy.engine.distributed import compute_dask, default_partitions

        assert self.client is not None
        workers = len(self.client.scheduler_info()["workers"])
        partitions = self.partitions or default_partitions(len(the_plan), max(workers, 1))
        say(f"fitting {len(the_plan)} (event, security) pairs on Dask ({workers} workers, {partitions} partitions)")
        written = None
        if self.tables_to is not None and self.model.name != "garch" and not self.spec.measures:
            from eventstudy.engine.worker_tables import compute_written, tables_out

            written = compute_written(the_plan, self.source, self.model, self.factors, client=self.client,
                                      partitions=partitions, out=tables_out(self.spec, self.tables_to))  # fmt: skip
            tables, data = written.tables, written.data
        else:
            tables, data = compute_dask(the_plan, self.source, self.model, self.factors, client=self.client,
                                        partitions=partitions)  # fmt: skip
        claimed = {(c.event, c.ticker) for c in self.spec.claims}
        pairs = the_plan.pairs
        keys = enumerate(zip(pairs["event"], pairs["ticker"], strict=True))
        rows = [i for i, key in keys if key in claimed or self.spec.measures]
        frames = fetch(replace(the_plan, pairs=pairs.iloc[rows].reset_index(drop=True)), self.source) if rows else {}
        return tables, data, frames, written

    def _left_out(self, the_plan: Plan, tables: EngineTables, frames: dict[str, pd.DataFrame]) -> dict[Key, str]:
        """Per claimed pair the model left out: why, and (too short a history) how much there is before day 0."""
        claimed = {(c.event, c.ticker) for c in self.spec.claims}
        pairs, (lo, hi) = the_plan.pairs, self.spec.estimation_window
        size = hi - lo + 1
        out = {}
        for i, exc in tables.excluded:
            event, ticker = str(pairs["event"].iat[i]), str(pairs["ticker"].iat[i])
            if (event, ticker) not in claimed:
                continue
            why = str(exc).split("): ", 1)[-1]
            if isinstance(exc, InsufficientHistoryError) and ticker in frames:
                n = int((frames[ticker].index < pairs["session"].iat[i]).sum())
                why += f"; it has {n} sessions of prices before day 0, the estimation window needs {size}"
            bench = self.spec.security(ticker).benchmark
            out[(event, ticker)] = (
                f"{ticker} was left out of the {self.model.name} model around {event} ({why}): its abnormal parts "
                f"here are market-adjusted (the move less {bench}'s)."
            )
        return out

    def _all_moves(self, the_plan: Plan, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
        """Overnight/intraday moves of the claimed pairs on their claims' candidate sessions.

        Days -1..+2 of the event, and for a claim that names a session that session (the next one
        when it is not a trading day) with days -1, +1, +2 around it: every pair in the plan,
        fitted or not (a pair excluded for a short history still has its raw moves).
        """
        named: dict[tuple[str, str], set[dt.date]] = {}
        for c in self.spec.claims:
            named.setdefault((c.event, c.ticker), set()).update([c.session] if c.session else [])
        if not named:
            return _no_moves()
        pairs, parts = the_plan.pairs, []
        for event, ticker, exchange, pos in zip(pairs["event"], pairs["ticker"], pairs["exchange"],
                                                pairs["position"], strict=True):  # fmt: skip
            if (event, ticker) not in named:
                continue
            sessions = get_calendar(str(exchange)).sessions
            days = set(CANDIDATE_DAYS)
            for day in named[(event, ticker)]:
                anchor = int(sessions.searchsorted(pd.Timestamp(day))) - int(pos)
                days.update(anchor + k for k in CANDIDATE_DAYS)
            days = {d for d in days if 0 <= pos + d < len(sessions)}
            on = pd.DataFrame({"day": sorted(days), "session": sessions[[int(pos) + d for d in sorted(days)]]})
            parts.append(self._moves(self.spec.security(ticker), on, frames).assign(event=event, ticker=ticker))
        return _front(pd.concat(parts, ignore_index=True), KEY) if parts else _no_moves()

    def _moves(self, sec: Security, days: pd.DataFrame, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
        """Overnight/intraday parts of the candidate sessions (``day, session``), security and benchmark."""
        sessions = pd.DatetimeIndex(days["session"])
        span = sessions[0] - FETCH_MARGIN, sessions[-1]
        symbol = sec.ticker
        own_frame = self.prices(sec.ticker, *span, frames)
        if sec.ohlc and own_frame["Open"].reindex(sessions).isna().any():
            symbol, own_frame = sec.ohlc, self.prices(sec.ohlc, *span, frames)
        own = decompose(own_frame, sessions, origin=f"{symbol} prices")
        bench = decompose(self.prices(sec.benchmark, *span, frames), sessions, origin=f"{sec.benchmark} prices")
        for note in own["note"]:
            if "below Low" in note:
                warnings.warn(f"{sec.ticker}: {note.split('; ')[-1]}", DataWarning, stacklevel=2)
        own.insert(0, "day", days["day"].to_numpy())
        own["bench_overnight"] = bench["overnight"].to_numpy()
        own["bench_intraday"] = bench["intraday"].to_numpy()
        own["source"] = symbol
        own["bench_close_to_close"] = bench["close_to_close"].to_numpy()
        return own

    def prices(
        self, symbol: str, start: pd.Timestamp, end: pd.Timestamp, frames: dict[str, pd.DataFrame] | None = None
    ) -> pd.DataFrame:
        """Prices of ``symbol`` over ``start..end``: the run's frame when it covers them, else asked of the source."""
        frame = (frames or {}).get(symbol)
        if frame is not None and len(frame) and frame.index[0] <= start and frame.index[-1] >= end:
            return frame
        if frame is not None and len(frame):
            start, end = min(start, frame.index[0]), max(end, frame.index[-1])
        return self.source.prices(symbol, start, end)


def _no_moves() -> pd.DataFrame:
    cols = [
        "event",
        "ticker",
        "day",
        *DECOMPOSITION_COLUMNS,
        "bench_overnight",
        "bench_intraday",
        "source",
        "bench_close_to_close",
    ]
    return pd.DataFrame(columns=cols)


def _front(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    return frame[cols + [c for c in frame.columns if c not in cols]]
