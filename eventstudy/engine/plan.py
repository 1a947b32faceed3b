"""The one planner: a study spec → its (event, security) pairs, day 0s and session windows.

Day 0 follows :func:`eventstudy.calendars.day_zero` (DESIGN.md: the first
session whose close is after the announcement, per exchange). A pair's
windows are event days ``first..last`` (``first`` = the estimation
window's start - 1, the session that supplies the starting price) around
day 0 on its security's exchange; they are kept as the position of day 0
among the exchange's sessions, so a plan of 100,000 pairs is a table, not
100,000 session indexes.

The plan's table, one row per pair (events in study order, then securities)::

    event          ticker  exchange  benchmark  session     rule                local_time             position
    first-reports  ORCL    XNYS      ^GSPC      2025-01-21  during the session  2025-01-21 12:00 EST   6291
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np
import pandas as pd

from eventstudy.errors import CalendarError
from eventstudy.market import PriceSource
from eventstudy.market.calendars import DayZero, day_zero, get_calendar
from eventstudy.spec import Security, StudySpec

PLAN_COLUMNS = ["event", "ticker", "exchange", "benchmark", "session", "rule", "local_time", "position"]
DAY0_COLUMNS = ["event", "ticker", "exchange", "session", "rule", "local_time"]
FETCH_MARGIN = pd.Timedelta(days=10)  # calendar days before the first session, for a starting price


@dataclass(frozen=True)
class Plan:
    """Every pair of a study with its day 0; windows span event days ``first..last``."""

    spec: StudySpec
    pairs: pd.DataFrame  # PLAN_COLUMNS
    first: int
    last: int

    def __len__(self) -> int:
        return len(self.pairs)

    @property
    def checked_last(self) -> int:
        """Last event day whose prices every pair must have: the return windows' (not the BHAR windows')."""
        return max(self.spec.ar_window[1], *(w[1] for w in self.spec.event_windows))

    @cached_property
    def securities(self) -> list[Security]:
        """The security of each pair."""
        by_ticker = {s.ticker: s for s in self.spec.securities}
        return [by_ticker[t] for t in self.pairs["ticker"]]

    @property
    def day0(self) -> pd.DataFrame:
        """The ``day0`` table of the results."""
        return self.pairs[DAY0_COLUMNS]

    def sessions(self, exchange: str) -> pd.DatetimeIndex:
        """Every session of ``exchange`` (``position`` indexes into it)."""
        return get_calendar(exchange).sessions

    def span(self, rows: np.ndarray | None = None) -> tuple[pd.Timestamp, pd.Timestamp]:
        """First and last session the windows of pairs ``rows`` (default all) need, over their exchanges."""
        part = self.pairs if rows is None else self.pairs.iloc[rows]
        lo, hi = [], []
        for exchange, group in part.groupby("exchange", sort=False):
            sessions = self.sessions(str(exchange))
            pos = group["position"].to_numpy()
            lo.append(sessions[int(pos.min()) + self.first])
            hi.append(sessions[int(pos.max()) + self.last])
        return min(lo), max(hi)


def plan(spec: StudySpec) -> Plan:
    """The pairs of ``spec``: events in study order, then securities in study order.

    An events CSV lists its pairs (``spec.pairs``); a study file pairs every
    event with every security.

    Raises
    ------
    CalendarError
        An event outside its exchange's calendar, or windows that run past
        it (naming the event, the study file and the ticker).
    """
    first = spec.estimation_window[0] - 1
    last = max(spec.ar_window[1], *(w[1] for w in spec.event_windows), *(w[1] for w in spec.bhar_windows))
    rank = {sec.ticker: k for k, sec in enumerate(spec.securities)}
    by_event: dict[str, list[Security]] = {}
    for event_id, ticker in dict.fromkeys(spec.pairs):
        if ticker in rank:
            by_event.setdefault(event_id, []).append(spec.securities[rank[ticker]])
    # shared by the securities on one exchange of every event announced at the same time
    found: dict[tuple[pd.Timestamp, bool, str], tuple[DayZero, int]] = {}
    rows = []
    for event in spec.events:
        secs = sorted(by_event.get(event.id, []), key=lambda s: rank[s.ticker]) if spec.pairs else spec.securities
        for sec in secs:
            key = (event.timestamp, event.date_only, sec.exchange)
            if key not in found:
                try:
                    d0 = day_zero(event.timestamp, sec.exchange, date_only=event.date_only)
                    found[key] = (d0, _position(d0.session, first, last, sec.exchange))
                except CalendarError as exc:  # name the event and the study file
                    where = f" in {spec.path}" if spec.path else ""
                    raise CalendarError(f"event {event.id!r}{where} ({sec.ticker}): {exc}") from None
            d0, pos = found[key]
            session = d0.session.value  # ns since the epoch
            rows.append((event.id, sec.ticker, sec.exchange, sec.benchmark, session, d0.rule, d0.local_time, pos))
    columns = dict(zip(PLAN_COLUMNS, map(list, zip(*rows, strict=True)), strict=True)) if rows else {}
    pairs = pd.DataFrame({c: columns.get(c, []) for c in PLAN_COLUMNS})  # column by column: no object matrix
    pairs["position"] = pairs["position"].astype(np.int64)
    pairs["session"] = pd.to_datetime(pairs["session"].astype(np.int64), unit="ns")
    return Plan(spec, pairs, first, last)


def _position(session: pd.Timestamp, start: int, end: int, exchange: str) -> int:
    """Position of ``session`` among the exchange's sessions, checking that ``start..end`` around it exist."""
    sessions = get_calendar(exchange).sessions
    pos = int(sessions.get_loc(session))
    if pos + start < 0 or pos + end >= len(sessions):
        raise CalendarError(
            f"sessions {start}..{end} around {session.date()} run outside the {exchange} calendar "
            f"({sessions[0].date()} to {sessions[-1].date()})"
        )
    return pos


class Progress(Protocol):
    """Told each step of a run: a message, and how far a counted step has got (``done`` of ``total``)."""

    def __call__(self, message: str, done: int | None = None, total: int | None = None, /) -> None:
        """Report one step."""
        ...


def price_spans(plan: Plan) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """The symbols the pairs read (in the order they are fetched) and the dates each must cover."""
    pairs = plan.pairs
    first = np.empty(len(pairs), "datetime64[ns]")
    last = np.empty(len(pairs), "datetime64[ns]")
    for exchange, idx in pairs.groupby("exchange", sort=False).indices.items():
        sessions = plan.sessions(str(exchange))
        pos = pairs["position"].to_numpy()[idx]
        first[idx], last[idx] = sessions[pos + plan.first], sessions[pos + plan.last]
    spans_by_ticker = (
        pd.DataFrame({"ticker": pairs["ticker"], "first": first, "last": last})
        .groupby("ticker", sort=False)
        .agg(first=("first", "min"), last=("last", "max"))
    )
    secs = {s.ticker: s for s in plan.spec.securities}
    spans: dict[str, tuple[pd.Timestamp, pd.Timestamp]] = {}
    for ticker, start, end in zip(spans_by_ticker.index, spans_by_ticker["first"], spans_by_ticker["last"],
                                  strict=True):  # fmt: skip
        sec, start = secs[str(ticker)], start - FETCH_MARGIN
        for symbol in filter(None, (sec.ticker, sec.benchmark, sec.ohlc, *sec.factors)):
            lo, hi = spans.get(symbol, (start, end))
            spans[symbol] = (min(lo, start), max(hi, end))
    return spans


def fetch(plan: Plan, source: PriceSource, say: Progress | None = None) -> dict[str, pd.DataFrame]:
    """The price frames of every symbol the pairs read: one request per symbol covering every pair that needs it."""
    spans = price_spans(plan)
    frames = {}
    for k, (symbol, (start, end)) in enumerate(spans.items()):
        if say is not None:
            say(f"prices for {symbol}", k, len(spans))
        frames[symbol] = source.prices(symbol, start, end)
    return frames
