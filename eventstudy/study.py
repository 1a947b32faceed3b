"""Orchestration: spec + price source → :class:`StudyResults`.

No computation lives here; each step calls the module that owns it.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable
from typing import Literal

import numpy as np
import pandas as pd

from eventstudy.claims.reconcile import CANDIDATE_DAYS, reconcile_claims
from eventstudy.engine.abnormal import abnormal_returns, cumulative_abnormal
from eventstudy.engine.batch_study import BatchTables, batch_tables
from eventstudy.engine.flags import exceedance_rate, label_flags, overlapping_windows, unusual_moves
from eventstudy.engine.models import ExpectedReturnModel, FittedModel, MarketModel, get_model, index_fit
from eventstudy.engine.overlaps import overlapping_windows as overlaps_from_positions
from eventstudy.engine.plan import Pair
from eventstudy.engine.provenance import provenance
from eventstudy.errors import CalendarError, DataError, DataWarning, EventStudyError
from eventstudy.inference.table import significance_table
from eventstudy.market import PriceSource
from eventstudy.market.calendars import DayZero, day_zero, sessions_around
from eventstudy.market.decompose import decompose
from eventstudy.market.returns import aligned_returns, prices_on_sessions, simple_returns
from eventstudy.results import StudyResults
from eventstudy.spec import Security, StudySpec

Progress = Callable[[str], None]
KEY = ["event", "ticker"]
BATCH_MIN_PAIRS = 1  # the vectorized path is faster from one pair on (Stargate: 0.23 s against 0.65 s)
MOVES_FOR_ALL_BELOW = 64  # from this many pairs on, overnight/intraday moves only of claimed pairs
_FETCH_MARGIN = pd.Timedelta(days=10)  # calendar days before the first session, for a starting price


class EventStudy:
    """An event study: a spec, a price source and an expected-return model.

    Parameters
    ----------
    spec
        The study (see :func:`eventstudy.load_study`).
    source
        Where prices come from (``CsvDirectorySource``, ``YahooSource``).
    model
        Model name or object; defaults to the spec's ``study.model``.
    factors
        Fama-French daily factors (decimals, ``read_fama_french``) for the
        ``ff3`` model.
    batch_min_pairs
        From this many pairs on (default 1: always), with the numpy market
        model, the ar, car, fits and residuals tables of all pairs are computed together
        (:mod:`eventstudy.engine.batch_study`: same numbers to ~1e-12, same errors,
        exclusions and warnings); not with ``MarketModel(engine="statsmodels")``,
        other models or ``factors``, which run pair by pair. ``10**9`` forces
        the per-pair path.
    on_error
        "raise" stops at the first (event, security) pair whose data or fit
        fails; "skip" records it in ``results.excluded`` with the reason.
    generated_at
        "Generated" timestamp written into reports; default ``$SOURCE_DATE_EPOCH``,
        else none, so the same inputs give the same report bytes.

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
        batch_min_pairs: int = BATCH_MIN_PAIRS,
        generated_at: dt.datetime | None = None,
    ) -> None:
        self.spec = spec
        self.source = source
        self.model = get_model(model if model is not None else spec.model)
        if on_error not in ("raise", "skip"):
            raise ValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
        self.on_error = on_error
        self.factors = factors
        self.batch_min_pairs = batch_min_pairs
        self.generated_at = generated_at

    def pairs(self) -> list[Pair]:
        """Every (event, security) pair with its day 0 and needed sessions (events, then securities, in order)."""
        spec = self.spec
        lo = spec.estimation_window[0] - 1
        hi = max(spec.ar_window[1], *(w[1] for w in spec.event_windows))
        rank = {sec.ticker: k for k, sec in enumerate(spec.securities)}
        by_event: dict[str, list[Security]] = {}
        for event_id, ticker in dict.fromkeys(spec.pairs):  # an events CSV lists its pairs
            if ticker in rank:
                by_event.setdefault(event_id, []).append(spec.securities[rank[ticker]])
        out = []
        found: dict[tuple[str, str], tuple[DayZero, pd.DatetimeIndex]] = {}  # shared by an event's securities
        for event in spec.events:
            secs = sorted(by_event.get(event.id, []), key=lambda s: rank[s.ticker]) if spec.pairs else spec.securities
            for sec in secs:
                if (event.id, sec.exchange) not in found:
                    try:
                        d0 = day_zero(event.timestamp, sec.exchange, date_only=event.date_only)
                        found[event.id, sec.exchange] = (d0, sessions_around(d0.session, lo, hi, sec.exchange))
                    except CalendarError as exc:  # name the event and the study file
                        where = f" in {spec.path}" if spec.path else ""
                        raise CalendarError(f"event {event.id!r}{where} ({sec.ticker}): {exc}") from None
                d0, sessions = found[event.id, sec.exchange]
                out.append(Pair(event, sec, d0, sessions))
        return out

    def run(self, *, progress: Progress | None = None) -> StudyResults:
        """Fetch prices, fit, compute AR/CAR and reconcile claims.

        With the numpy market model and at least ``batch_min_pairs`` pairs,
        the tables are computed together (:mod:`eventstudy.engine.batch_study`);
        pairs it leaves out (bad data, degenerate fit) go through the
        per-pair steps below, which give their exact error or exclusion.
        """
        say = progress or (lambda _msg: None)
        pairs = self.pairs()
        frames = self._fetch(pairs, say)
        fast = self._batch(pairs, frames, say)
        excluded: list[dict[str, str]] = []
        panels = self._panels(pairs, frames, fast, excluded)
        if panels:
            say(f"fitting {len(panels)} (event, security) pairs" + (" one by one" if fast else ""))
        n_panels = len(panels) + (len(fast.index) if fast else 0)
        claimed = {(c.event, c.ticker) for c in self.spec.claims}  # large studies: moves only where claimed
        parts: dict[str, list[tuple[int, pd.DataFrame]]] = {"ar": [], "car": [], "moves": [], "residuals": []}
        fit_rows: list[tuple[int, dict[str, object]]] = []
        fitted_by = dict(zip((i for i, _, _ in panels), self._fits([(p, pn) for _, p, pn in panels]), strict=True))
        by_pos = {i: pn for i, _, pn in panels}
        for i in sorted([*by_pos, *(fast.index if fast else ())]):
            pair = pairs[i]
            key = {"event": pair.event.id, "ticker": pair.security.ticker}
            want_moves = n_panels < MOVES_FOR_ALL_BELOW or (pair.event.id, pair.security.ticker) in claimed
            if i in by_pos:
                fitted = fitted_by[i]
                try:
                    if isinstance(fitted, EventStudyError):
                        raise fitted
                    ar, car = self._abnormal(by_pos[i], fitted)
                except EventStudyError as exc:
                    self._exclude(excluded, key, exc)
                    continue
                parts["ar"].append((i, ar.assign(**key)))
                parts["car"].append((i, car.assign(**key)))
                parts["residuals"].append((i, _residuals(fitted, self.spec.estimation_window).assign(**key)))
                fit_rows.append((i, {**key, **_fit_row(fitted, pair, self.spec.estimation_window)}))
            elif want_moves:
                ar = fast.ar_days(i)  # type: ignore[union-attr]
            if want_moves:
                parts["moves"].append((i, self._moves(pair, ar, frames).assign(**key)))
        if not parts["ar"] and not (fast and len(fast.index)):
            raise EventStudyError(
                "no (event, security) pair could be computed: " + "; ".join(e["reason"] for e in excluded)
            )
        ar_all, car_all, residuals = (_front(_merged(fast, k, parts[k]), KEY) for k in ("ar", "car", "residuals"))
        fit_part = (np.array([i for i, _ in fit_rows]), pd.DataFrame([r for _, r in fit_rows]))
        fits = _merged(fast, "fits", [fit_part] if fit_rows else [])
        moves = _front(_merged(None, "moves", parts["moves"]), KEY) if parts["moves"] else _no_moves()
        day0 = pd.DataFrame(
            [{"event": p.event.id, "ticker": p.security.ticker, "exchange": p.day0.exchange, "session": p.day0.session,
              "rule": p.day0.rule, "local_time": p.day0.local_time} for p in pairs]
        )  # fmt: skip
        claims, candidates = reconcile_claims(self.spec, ar_all, moves, fits, day0)
        return StudyResults(
            spec=self.spec,
            model=self.model.name,
            day0=day0,
            ar=ar_all,
            car=car_all,
            fits=fits,
            moves=moves,
            claims=claims,
            candidates=candidates,
            flags=label_flags(unusual_moves(ar_all, self.spec.event_windows), day0),
            tests=significance_table(*_without_indices(self.spec, ar_all, car_all, fits, residuals)),
            residuals=residuals,
            overlaps=(overlaps_from_positions if fast else overlapping_windows)(day0, self.spec.event_windows),
            excluded=pd.DataFrame(excluded, columns=["event", "ticker", "reason"]),
            provenance=provenance(self.spec, self.source, self.generated_at),
        )

    def _batch(self, pairs: list[Pair], frames: dict[str, pd.DataFrame], say: Progress) -> BatchTables | None:
        """The tables of every pair at once, for the numpy market model from ``batch_min_pairs`` pairs on."""
        numpy_market = isinstance(self.model, MarketModel) and self.model.engine == "numpy"
        if not (pairs and numpy_market and self.factors is None and len(pairs) >= self.batch_min_pairs):
            return None
        say(f"computing {len(pairs)} (event, security) pairs together")
        return batch_tables(self.spec, pairs, frames)

    def _panels(
        self,
        pairs: list[Pair],
        frames: dict[str, pd.DataFrame],
        fast: BatchTables | None,
        excluded: list[dict[str, str]],
    ) -> list[tuple[int, Pair, pd.DataFrame]]:
        """Per-pair panels of the pairs the batch did not compute; batch pairs' warnings in their place."""
        todo = range(len(pairs)) if fast is None else fast.fallback
        said = {} if fast is None else fast.warnings
        panels = []
        for i in sorted({*map(int, todo), *said}):
            for message in said.get(i, ()):
                warnings.warn(message, DataWarning, stacklevel=3)
            if i in said:
                continue
            pair = pairs[i]
            try:
                panels.append((i, pair, self._panel(pair, frames)))
            except EventStudyError as exc:
                self._exclude(excluded, {"event": pair.event.id, "ticker": pair.security.ticker}, exc)
        return panels

    def _exclude(self, excluded: list[dict[str, str]], key: dict[str, str], exc: EventStudyError) -> None:
        if self.on_error == "raise":
            raise exc
        excluded.append({**key, "reason": str(exc)})

    def _fits(self, panels: list[tuple[Pair, pd.DataFrame]]) -> list[FittedModel | EventStudyError]:
        """Fit every pair: the batch engine for many market-model pairs, else one by one.

        Both give the same numbers (to ~1e-12); a pair the batch cannot fit is
        fitted one by one, so its error message is the model's own.
        """
        est = [panel[panel["day"].between(*self.spec.estimation_window)] for _, panel in panels]
        batch: list[FittedModel | None] = [None] * len(est)
        numpy_market = isinstance(self.model, MarketModel) and self.model.engine == "numpy"
        if numpy_market and len(est) >= self.batch_min_pairs:
            from eventstudy.engine.batch import market_model_fits

            y = np.vstack([e["return"].to_numpy(dtype=float) for e in est])
            m = np.vstack([e["benchmark"].to_numpy(dtype=float) for e in est])
            batch = market_model_fits(y, m, est[0].index)
        out: list[FittedModel | EventStudyError] = []
        for (pair, _), e, fitted in zip(panels, est, batch, strict=True):
            if pair.security.is_index:  # an index on itself: nothing to fit, its move is all market
                fitted = index_fit(e["return"])
            elif fitted is None:
                try:
                    fitted = self.model.fit(e["return"], e.drop(columns=["day", "session", "return"]))
                except EventStudyError as exc:
                    out.append(type(exc)(f"{pair.security.ticker} around {pair.event.id}: {exc}"))
                    continue
            out.append(fitted)
        return out

    def _fetch(self, pairs: list[Pair], say: Progress) -> dict[str, pd.DataFrame]:
        """One request per symbol covering every pair that needs it."""
        spans: dict[str, tuple[pd.Timestamp, pd.Timestamp]] = {}
        for pair in pairs:
            start, end = pair.sessions[0] - _FETCH_MARGIN, pair.sessions[-1]
            sec = pair.security
            for symbol in filter(None, (sec.ticker, sec.benchmark, sec.ohlc, *sec.factors)):
                lo, hi = spans.get(symbol, (start, end))
                spans[symbol] = (min(lo, start), max(hi, end))
        frames = {}
        for symbol, (start, end) in spans.items():
            say(f"prices for {symbol}")
            frames[symbol] = self.source.prices(symbol, start, end)
        return frames

    def _panel(self, pair: Pair, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
        """Returns of the security, its benchmark and any factors, by day, on its sessions."""
        spec, sec = self.spec, pair.security
        try:
            panel = aligned_returns(
                frames[sec.ticker].loc[: pair.sessions[-1]],
                frames[sec.benchmark].loc[: pair.sessions[-1]],
                pair.sessions,
                ticker=sec.ticker,
                benchmark_symbol=sec.benchmark,
            )
            panel.insert(0, "day", range(spec.estimation_window[0], spec.estimation_window[0] + len(panel)))
            panel = self._add_regressors(panel, pair, frames)
        except DataError as exc:  # name the event: its date decides which prices are needed
            raise type(exc)(f"event {pair.event.id} (day 0 {pair.day0.session.date()}): {exc}") from None
        return panel

    def _abnormal(self, panel: pd.DataFrame, fitted: FittedModel) -> tuple[pd.DataFrame, pd.DataFrame]:
        """AR table (with prices, for figures) and CAR table of one pair."""
        spec = self.spec
        window = panel[panel["day"].between(*spec.ar_window)]
        ar = abnormal_returns(window, fitted)
        ar["price"] = window["price"].to_numpy()
        ar["benchmark_price"] = window["benchmark_price"].to_numpy()
        return ar, cumulative_abnormal(ar, fitted, spec.event_windows)

    def _add_regressors(self, panel: pd.DataFrame, pair: Pair, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
        """Factor-index returns (``f:SYM``) and Fama-French factors on the panel's sessions."""
        sec = pair.security
        for symbol in sec.factors:
            carried = prices_on_sessions(frames[symbol].loc[: pair.sessions[-1]], pair.sessions, symbol=symbol,
                                         ticker=sec.ticker)  # fmt: skip
            panel[f"f:{symbol}"] = simple_returns(carried).to_numpy()[1:]
        if self.factors is not None:
            ff = self.factors.reindex(pd.DatetimeIndex(panel["session"]))
            missing = ff.index[ff.isna().any(axis=1)]
            if len(missing):
                raise DataError(
                    f"{sec.ticker}: the Fama-French factors have no row for session(s) "
                    f"{', '.join(str(d.date()) for d in missing[:3])}; ff3 needs US sessions covered by the file"
                )
            for col in ff.columns:
                panel[col] = ff[col].to_numpy()
        return panel

    def _moves(self, pair: Pair, ar: pd.DataFrame, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
        """Overnight/intraday parts of the candidate sessions, security and benchmark."""
        sec = pair.security
        days = ar[ar["day"].isin(CANDIDATE_DAYS)]
        sessions = pd.DatetimeIndex(days["session"])
        symbol = sec.ticker
        if sec.ohlc and frames[sec.ticker]["Open"].loc[sessions].isna().any():
            symbol = sec.ohlc
        own = decompose(frames[symbol], sessions, origin=f"{symbol} prices")
        bench = decompose(frames[sec.benchmark], sessions, origin=f"{sec.benchmark} prices")
        own.insert(0, "day", days["day"].to_numpy())
        own["bench_overnight"] = bench["overnight"].to_numpy()
        own["bench_intraday"] = bench["intraday"].to_numpy()
        own["source"] = symbol
        return own


def _fit_row(fitted: FittedModel, pair: Pair, estimation_window: tuple[int, int]) -> dict[str, object]:
    return {
        "model": fitted.name,
        "benchmark": pair.security.benchmark,
        "alpha": fitted.alpha,
        "beta": fitted.beta,
        "sigma": fitted.sigma,
        "r2": fitted.r2,
        "n": fitted.nobs,
        "df": fitted.df_resid,
        "share_abs_z_ge_3": exceedance_rate(fitted.residuals, fitted.sigma),
        "estimation_start": pair.sessions[1],
        "estimation_end": pair.sessions[estimation_window[1] - estimation_window[0] + 1],
        **{k: float(v) for k, v in fitted.params.items() if k not in ("alpha", "beta")},
    }


def _without_indices(spec: StudySpec, *tables: pd.DataFrame) -> list[pd.DataFrame]:
    """The tables without the rows of indices benchmarked on themselves (no abnormal return to test)."""
    indices = [s.ticker for s in spec.securities if s.is_index]
    return [t[~t["ticker"].isin(indices)] if indices else t for t in tables]


def _no_moves() -> pd.DataFrame:
    from eventstudy.market.decompose import DECOMPOSITION_COLUMNS

    cols = ["event", "ticker", "day", *DECOMPOSITION_COLUMNS, "bench_overnight", "bench_intraday", "source"]
    return pd.DataFrame(columns=cols)


def _residuals(fitted: FittedModel, estimation_window: tuple[int, int]) -> pd.DataFrame:
    days = range(estimation_window[0], estimation_window[0] + len(fitted.residuals))
    return pd.DataFrame({"day": list(days), "residual": fitted.residuals.to_numpy()})


def _merged(batch: BatchTables | None, name: str, parts: list[tuple[int | np.ndarray, pd.DataFrame]]) -> pd.DataFrame:
    """Table ``name`` of the batch (rows grouped by pair) and per-pair parts, in pair order.

    A part is a pair's frame with its position, or rows with one position each.
    """
    frames = [f for _, f in parts]
    where = [np.full(len(f), i) for i, f in parts]
    if batch is not None and len(batch.index):
        table = getattr(batch, name)
        frames.insert(0, table)
        where.insert(0, np.repeat(batch.index, len(table) // len(batch.index)))
    merged = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if batch is not None and len(batch.index) and parts:
        merged = merged.iloc[np.argsort(np.concatenate(where), kind="stable")].reset_index(drop=True)
    return merged


def _front(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    return frame[cols + [c for c in frame.columns if c not in cols]]
