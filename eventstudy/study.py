"""Orchestration: spec + price source → :class:`StudyResults`.

No computation lives here; each step calls the module that owns it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from eventstudy.abnormal import abnormal_returns, cumulative_abnormal
from eventstudy.calendars import DayZero, day_zero, sessions_around
from eventstudy.data import PriceSource
from eventstudy.decompose import decompose
from eventstudy.errors import DataError, EventStudyError
from eventstudy.flags import exceedance_rate, overlapping_windows, unusual_moves
from eventstudy.models import ExpectedReturnModel, FittedModel, MarketModel, get_model
from eventstudy.provenance import provenance
from eventstudy.reconcile import CANDIDATE_DAYS, reconcile_claims
from eventstudy.results import StudyResults
from eventstudy.returns import aligned_returns, prices_on_sessions, simple_returns
from eventstudy.significance import significance_table
from eventstudy.spec import Event, Security, StudySpec

Progress = Callable[[str], None]
BATCH_MIN_PAIRS = 64
_FETCH_MARGIN = pd.Timedelta(days=10)  # calendar days before the first session, for a starting price


@dataclass(frozen=True)
class _Pair:
    event: Event
    security: Security
    day0: DayZero
    sessions: pd.DatetimeIndex  # first one only supplies the starting price


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
        From this many pairs on, market-model fits are solved together by the
        batch engine (:mod:`eventstudy.batch`, same numbers to ~1e-12); not
        with ``MarketModel(engine="statsmodels")``, which fits one by one.
    on_error
        "raise" stops at the first (event, security) pair whose data or fit
        fails; "skip" records it in ``results.excluded`` with the reason.
    generated_at
        Timestamp written into reports (injectable for reproducible output).

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

    def pairs(self) -> list[_Pair]:
        """Every (event, security) pair with its day 0 and needed sessions."""
        spec = self.spec
        lo = spec.estimation_window[0] - 1
        hi = max(spec.ar_window[1], *(w[1] for w in spec.event_windows))
        out = []
        wanted = set(spec.pairs)
        for event in spec.events:
            for sec in spec.securities:
                if wanted and (event.id, sec.ticker) not in wanted:
                    continue
                d0 = day_zero(event.timestamp, sec.exchange, date_only=event.date_only)
                out.append(_Pair(event, sec, d0, sessions_around(d0.session, lo, hi, sec.exchange)))
        return out

    def run(self, *, progress: Progress | None = None) -> StudyResults:
        """Fetch prices, fit, compute AR/CAR and reconcile claims."""
        say = progress or (lambda _msg: None)
        pairs = self.pairs()
        frames = self._fetch(pairs, say)
        ar_parts, car_parts, move_parts, resid_parts, fit_rows, day0_rows, excluded = [], [], [], [], [], [], []
        panels: list[tuple[_Pair, pd.DataFrame]] = []
        for pair in pairs:
            key = {"event": pair.event.id, "ticker": pair.security.ticker}
            day0_rows.append({**key, "exchange": pair.day0.exchange, "session": pair.day0.session,
                              "rule": pair.day0.rule, "local_time": pair.day0.local_time})  # fmt: skip
            try:
                panels.append((pair, self._panel(pair, frames)))
            except EventStudyError as exc:
                self._exclude(excluded, key, exc)
        say(f"fitting {len(panels)} (event, security) pairs")
        claimed = {(c.event, c.ticker) for c in self.spec.claims}  # large studies: moves only where claimed
        for (pair, panel), fitted in zip(panels, self._fits(panels), strict=True):
            key = {"event": pair.event.id, "ticker": pair.security.ticker}
            try:
                if isinstance(fitted, EventStudyError):
                    raise fitted
                ar, car = self._abnormal(panel, fitted)
            except EventStudyError as exc:
                self._exclude(excluded, key, exc)
                continue
            ar_parts.append(ar.assign(**key))
            car_parts.append(car.assign(**key))
            if len(panels) < self.batch_min_pairs or (pair.event.id, pair.security.ticker) in claimed:
                move_parts.append(self._moves(pair, ar, frames).assign(**key))
            resid_parts.append(_residuals(fitted, self.spec.estimation_window).assign(**key))
            fit_rows.append({**key, **_fit_row(fitted, pair, self.spec.estimation_window)})
        if not ar_parts:
            raise EventStudyError(
                "no (event, security) pair could be computed: " + "; ".join(e["reason"] for e in excluded)
            )
        ar_all = _front(pd.concat(ar_parts, ignore_index=True), ["event", "ticker"])
        car_all = _front(pd.concat(car_parts, ignore_index=True), ["event", "ticker"])
        moves = _front(pd.concat(move_parts, ignore_index=True), ["event", "ticker"]) if move_parts else _no_moves()
        day0 = pd.DataFrame(day0_rows)
        fits = pd.DataFrame(fit_rows)
        claims, candidates = reconcile_claims(self.spec, ar_all, moves, fits, day0)
        residuals = _front(pd.concat(resid_parts, ignore_index=True), ["event", "ticker"])
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
            flags=unusual_moves(ar_all, self.spec.event_windows),
            tests=significance_table(ar_all, car_all, fits, residuals),
            residuals=residuals,
            overlaps=overlapping_windows(day0, self.spec.event_windows),
            excluded=pd.DataFrame(excluded, columns=["event", "ticker", "reason"]),
            provenance=provenance(self.spec, self.source, self.generated_at),
        )

    def _exclude(self, excluded: list[dict[str, str]], key: dict[str, str], exc: EventStudyError) -> None:
        if self.on_error == "raise":
            raise exc
        excluded.append({**key, "reason": str(exc)})

    def _fits(self, panels: list[tuple[_Pair, pd.DataFrame]]) -> list[FittedModel | EventStudyError]:
        """Fit every pair: the batch engine for many market-model pairs, else one by one.

        Both give the same numbers (to ~1e-12); a pair the batch cannot fit is
        fitted one by one, so its error message is the model's own.
        """
        est = [panel[panel["day"].between(*self.spec.estimation_window)] for _, panel in panels]
        batch: list[FittedModel | None] = [None] * len(est)
        numpy_market = isinstance(self.model, MarketModel) and self.model.engine == "numpy"
        if numpy_market and len(est) >= self.batch_min_pairs:
            from eventstudy.batch import market_model_fits

            y = np.vstack([e["return"].to_numpy(dtype=float) for e in est])
            m = np.vstack([e["benchmark"].to_numpy(dtype=float) for e in est])
            batch = market_model_fits(y, m, est[0].index)
        out: list[FittedModel | EventStudyError] = []
        for (pair, _), e, fitted in zip(panels, est, batch, strict=True):
            if fitted is None:
                try:
                    fitted = self.model.fit(e["return"], e.drop(columns=["day", "session", "return"]))
                except EventStudyError as exc:
                    out.append(type(exc)(f"{pair.security.ticker} around {pair.event.id}: {exc}"))
                    continue
            out.append(fitted)
        return out

    def _fetch(self, pairs: list[_Pair], say: Progress) -> dict[str, pd.DataFrame]:
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

    def _panel(self, pair: _Pair, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
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

    def _add_regressors(self, panel: pd.DataFrame, pair: _Pair, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
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

    def _moves(self, pair: _Pair, ar: pd.DataFrame, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
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


def _fit_row(fitted: FittedModel, pair: _Pair, estimation_window: tuple[int, int]) -> dict[str, object]:
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


def _no_moves() -> pd.DataFrame:
    from eventstudy.decompose import DECOMPOSITION_COLUMNS

    cols = ["event", "ticker", "day", *DECOMPOSITION_COLUMNS, "bench_overnight", "bench_intraday", "source"]
    return pd.DataFrame(columns=cols)


def _residuals(fitted: FittedModel, estimation_window: tuple[int, int]) -> pd.DataFrame:
    days = range(estimation_window[0], estimation_window[0] + len(fitted.residuals))
    return pd.DataFrame({"day": list(days), "residual": fitted.residuals.to_numpy()})


def _front(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    return frame[cols + [c for c in frame.columns if c not in cols]]
