"""The study's vocabulary: securities, events, claims and the study itself, with their defaults.

Plain frozen dataclasses; reading and checking them from a file is
:mod:`eventstudy.spec.study_file` (with :mod:`eventstudy.spec.fields`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")  # \Z: "$" would let a trailing newline through
SYMBOL = re.compile(r"\^?[A-Za-z0-9][A-Za-z0-9.=_-]{0,31}\Z")
# when in (or around) the session the article quotes the move: "close" (a close-to-close move),
# "open" (the opening gap), "midday"/"intraday" (a quote during the session), "premarket" (before
# the open: the opening gap), "after_hours" (after the close: the next session's opening gap),
# "close_only" (a close told after the session ended: judged on the close, never on the day's range)
TIMINGS = ("close", "open", "midday", "intraday", "premarket", "after_hours", "close_only")
BOUNDS = ("at_least", "at_most")

MAX_WINDOW_DAYS = 10_000  # window bounds, in sessions from day 0
MAX_SESSION_GAP_DAYS = 31  # a claim's session, in calendar days from its event's date
# a period move's reference ("since" of a claim): a date (the close of the last session on or before
# it: "since Sept. 10", "year to date" = since YYYY-12-31 of the year before), or "high:YYYY-MM" /
# "low:YYYY-MM" (the highest / lowest close of that month: "from its July peak"), or "high:record" /
# "low:record" (the highest / lowest close of the price history before the story: "from its record high")
SINCE_PATTERN = re.compile(r"(?:(high|low):)?(\d{4}-\d{2}(?:-\d{2})?)\Z|(?:high|low):record\Z")
RECORD = ("high:record", "low:record")
DEFAULT_ESTIMATION_WINDOW = (-250, -11)
DEFAULT_EVENT_WINDOWS = ((0, 0), (0, 1), (-1, 1), (-5, 5))
DEFAULT_AR_WINDOW = (-10, 10)
# the expected-return models a study may name (eventstudy.engine.models.MODELS implements each)
MODEL_NAMES = ("constant_mean", "market_adjusted", "market", "multi_index", "ff3", "garch")
# measures besides abnormal returns (eventstudy.measures): study.measures, `run --measure`
MEASURE_NAMES = ("volume", "volatility", "bhar")
DEFAULT_BHAR_WINDOWS = ((0, 20), (0, 60))


@dataclass(frozen=True)
class Security:
    """A security, the exchange whose sessions define its days, its benchmark."""

    ticker: str
    exchange: str
    benchmark: str
    name: str = ""
    ohlc: str = ""  # symbol of a second source with Open/High/Low, used where the first lacks them
    factors: tuple[str, ...] = ()  # other index symbols for the multi-index model

    index: bool = False  # an index measured on itself (benchmark = ticker), for claims about the index

    @property
    def is_index(self) -> bool:
        """An index benchmarked on itself: its claims are checked on its raw moves (abnormal part 0)."""
        return self.index and self.benchmark == self.ticker


@dataclass(frozen=True)
class Event:
    """An announcement.

    ``timestamp`` is timezone-aware UTC. ``date_only`` events carry midnight
    UTC of their date and take day 0 by the date-only rule (see
    ``eventstudy.market.calendars.day_zero``). ``approximate`` marks a timestamp
    whose minute is not known exactly.
    """

    id: str
    timestamp: pd.Timestamp
    title: str = ""
    date_only: bool = False
    approximate: bool = False
    sources: tuple[str, ...] = ()
    note: str = ""
    reported_dates: tuple[tuple[str, dt.date], ...] = ()  # (source, date the article gives)


@dataclass(frozen=True)
class Claim:
    """A move reported by an article.

    ``reported`` is a decimal return (0.07 for +7 %). ``session`` is the
    exchange-local session the article's words point to, when they do;
    ``timing`` says which moment of it ("close", "open", "midday",
    "intraday", "premarket", "after_hours"). ``since`` makes it a period
    move, from a reference close to the session (:data:`SINCE_PATTERN`).
    ``bound`` makes the figure one-sided: ``"at_least"`` ("plus de 12 %": the
    move went at least that far in the figure's direction) or ``"at_most"`` ("moins de 2 %": between 0 and the figure).
    ``group`` names claims judged together on one session; without it,
    claims from one sentence are grouped (see :mod:`eventstudy.claims.reconcile`).
    """

    id: str
    ticker: str
    event: str
    reported: float
    approximate: bool = False
    session: dt.date | None = None
    timing: str = "close"
    source: str = ""
    quote: str = ""
    offset: int | None = None  # character offset of the quote in the source (written by ``eventstudy extract``)
    group: str = ""  # claims with the same group are judged together (see eventstudy.claims.reconcile)
    bound: str = ""  # "", "at_least" ("more than 12 %") or "at_most" ("less than 2 %")
    since: str = ""  # a period move's reference (SINCE_PATTERN); "" for a move over one session


@dataclass(frozen=True)
class StudySpec:
    """Everything a study needs besides prices."""

    id: str
    title: str
    securities: tuple[Security, ...]
    events: tuple[Event, ...]
    claims: tuple[Claim, ...] = ()
    estimation_window: tuple[int, int] = DEFAULT_ESTIMATION_WINDOW
    event_windows: tuple[tuple[int, int], ...] = DEFAULT_EVENT_WINDOWS
    ar_window: tuple[int, int] = DEFAULT_AR_WINDOW
    model: str = "market"
    path: str = ""
    sha256: str = ""
    pairs: tuple[tuple[str, str], ...] = ()  # (event id, ticker) to study; empty: every combination
    measures: tuple[str, ...] = ()  # of MEASURE_NAMES, besides abnormal returns (always measured)
    bhar_windows: tuple[tuple[int, int], ...] = ()  # buy-and-hold windows; non-empty when "bhar" is measured
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def security(self, ticker: str) -> Security:
        """Return the security with this ticker."""
        return self._securities[ticker]

    def event(self, event_id: str) -> Event:
        """Return the event with this id."""
        return self._events[event_id]

    @cached_property
    def _securities(self) -> dict[str, Security]:  # the first of a ticker, as a scan would find it
        return {sec.ticker: sec for sec in reversed(self.securities)}

    @cached_property
    def _events(self) -> dict[str, Event]:
        return {ev.id: ev for ev in reversed(self.events)}
