"""Study files: what to measure, around which events, against which claims.

A study file is TOML. ``load_study(path)`` reads and validates it; every
error names the file, the key and the offending value. The full key
reference is in ``docs/study-file.md``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.errors import StudyFileError
from eventstudy.files import read_input

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")  # \Z: "$" would let a trailing newline through
ID_PATTERN = _ID
SYMBOL = re.compile(r"\^?[A-Za-z0-9][A-Za-z0-9.=_-]{0,31}\Z")
_TIMINGS = ("close", "open", "midday", "intraday")
BOUNDS = ("at_least", "at_most")

MAX_WINDOW_DAYS = 10_000  # window bounds, in sessions from day 0
MAX_SESSION_GAP_DAYS = 31  # a claim's session, in calendar days from its event's date
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
    "intraday"). ``bound`` makes the figure one-sided: ``"at_least"``
    ("plus de 12 %": the move went at least that far in the figure's
    direction) or ``"at_most"`` ("moins de 2 %": between 0 and the figure).
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
        for sec in self.securities:
            if sec.ticker == ticker:
                return sec
        raise KeyError(ticker)

    def event(self, event_id: str) -> Event:
        """Return the event with this id."""
        for ev in self.events:
            if ev.id == event_id:
                return ev
        raise KeyError(event_id)


@lru_cache(maxsize=1)
def exchange_names() -> frozenset[str]:
    """The exchange codes exchange_calendars knows (XNYS, XNAS, XTKS, …, aliases included)."""
    import exchange_calendars as xcals

    return frozenset(xcals.get_calendar_names(include_aliases=True))


def load_study(path: str | Path) -> StudySpec:
    """Read and validate a TOML study file.

    Parameters
    ----------
    path
        Path of the study file.

    Returns
    -------
    StudySpec

    Raises
    ------
    StudyFileError
        When the file cannot be read or parsed, or a key is missing or has
        an invalid value. The message names the file, the key and the value.
    """
    path = Path(path)
    try:
        raw = read_input(path, "study")
    except FileNotFoundError:
        raise StudyFileError(path, "(file)", "no such file") from None
    except OSError as exc:
        raise StudyFileError(path, "(file)", f"cannot be read: {exc.strerror or exc}") from None
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise StudyFileError(path, "(file)", f"is not UTF-8 text: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise StudyFileError(path, "(file)", f"is not valid TOML: {exc}") from None
    except RecursionError:
        raise StudyFileError(path, "(file)", "is nested too deeply to be a study file (arrays or tables)") from None
    return parse_study(doc, path=path, sha256=hashlib.sha256(raw).hexdigest())


def parse_study(doc: dict[str, Any], *, path: str | Path = "<study>", sha256: str = "") -> StudySpec:
    """Validate a study already parsed into a dict (see :func:`load_study`)."""
    p = _Parser(path)
    study = p.table(doc, "study")
    study_id = p.ident(study, "study.id")
    est = p.window(study, "study.estimation_window", DEFAULT_ESTIMATION_WINDOW)
    ar_win = p.window(study, "study.ar_window", DEFAULT_AR_WINDOW)
    windows = p.windows(study, "study.event_windows", DEFAULT_EVENT_WINDOWS)
    model = p.model(study, "study.model")
    _check_windows(p, est, ar_win, windows)
    measures = p.measures(study, "study.measures")
    bhar_windows: tuple[tuple[int, int], ...] = ()
    if "bhar_windows" in study or "bhar" in measures:
        bhar_windows = p.windows(study, "study.bhar_windows", DEFAULT_BHAR_WINDOWS)
        check_bhar_windows(p, bhar_windows, est)
        measures = tuple(m for m in MEASURE_NAMES if m in measures or m == "bhar")

    securities = tuple(p.security(i, t) for i, t in enumerate(p.array(doc, "securities")))
    p.unique([s.ticker for s in securities], "securities", "ticker")
    events = tuple(p.event(i, t) for i, t in enumerate(p.array(doc, "events")))
    p.unique([e.id for e in events], "events", "id")
    tickers = {s.ticker for s in securities}
    event_ids = {e.id: e for e in events}
    claims = tuple(p.claim(i, t, tickers, event_ids) for i, t in enumerate(p.array(doc, "claims", required=False)))
    p.unique([c.id for c in claims], "claims", "id")
    p.groups(claims)
    return StudySpec(
        id=study_id,
        title=p.string(study, "study.title", default=study_id),
        securities=securities,
        events=events,
        claims=claims,
        estimation_window=est,
        event_windows=windows,
        ar_window=ar_win,
        model=model,
        path=str(path),
        sha256=sha256,
        measures=measures,
        bhar_windows=bhar_windows,
    )


def check_bhar_windows(p: _Parser, windows: tuple[tuple[int, int], ...], est: tuple[int, int]) -> None:
    """Buy-and-hold windows start after the estimation window and are distinct."""
    for w in windows:
        if w[0] <= est[1]:
            p.fail("study.bhar_windows", w, f"must start after the estimation window ends (day {est[1]})")
    if len(set(windows)) != len(windows):
        p.fail("study.bhar_windows", windows, "lists a window twice")


def _check_windows(
    p: _Parser,
    est: tuple[int, int],
    ar_win: tuple[int, int],
    windows: tuple[tuple[int, int], ...],
) -> None:
    if est[1] - est[0] + 1 < 30:
        p.fail("study.estimation_window", est, "needs at least 30 sessions")
    if est[1] >= ar_win[0]:
        p.fail(
            "study.estimation_window",
            est,
            f"must end before the AR window starts (day {ar_win[0]})",
        )
    for w in windows:
        if w[0] < ar_win[0] or w[1] > ar_win[1]:
            p.fail("study.event_windows", w, f"must lie inside study.ar_window {ar_win}")


class _Parser:
    """Small helpers that raise StudyFileError naming file, key and value."""

    def __init__(self, path: str | Path) -> None:
        self.path = path

    def fail(self, key: str, value: object, why: str) -> None:
        raise StudyFileError(self.path, key, f"{why} (got {_shown(value)})")

    def table(self, doc: dict[str, Any], key: str) -> dict[str, Any]:
        if key not in doc:
            raise StudyFileError(self.path, key, "missing table; add a [study] table with an id")
        value = doc[key]
        if not isinstance(value, dict):
            self.fail(key, value, "must be a table")
        return value

    def array(self, doc: dict[str, Any], key: str, *, required: bool = True) -> list[dict[str, Any]]:
        if key not in doc:
            if required:
                raise StudyFileError(self.path, key, f"missing; add at least one [[{key}]] table")
            return []
        value = doc[key]
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(key, value, f"must be an array of tables ([[{key}]])")
        if required and not value:
            self.fail(key, value, "must not be empty")
        return value

    def _get(self, t: dict[str, Any], key: str, default: object) -> object:
        name = key.rsplit(".", 1)[-1]
        if name in t:
            return t[name]
        if default is _REQUIRED:
            raise StudyFileError(self.path, key, "missing required key")
        return default

    def string(self, t: dict[str, Any], key: str, default: object = None) -> str:
        value = self._get(t, key, _REQUIRED if default is None else default)
        if not isinstance(value, str):
            self.fail(key, value, "must be a string")
        return value  # type: ignore[return-value]

    def ident(self, t: dict[str, Any], key: str) -> str:
        value = self.string(t, key)
        if not _ID.match(value):
            self.fail(key, value, "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
        return value

    def model(self, t: dict[str, Any], key: str) -> str:
        value = self.string(t, key, default="market")
        if value not in MODEL_NAMES:
            self.fail(key, value, f"is not a model; choose one of {', '.join(MODEL_NAMES)}")
        return value

    def measures(self, t: dict[str, Any], key: str) -> tuple[str, ...]:
        value = self._get(t, key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, value, f"must be a list of measure names from {', '.join(MEASURE_NAMES)}")
        for v in value:  # type: ignore[union-attr]
            if v not in MEASURE_NAMES:
                self.fail(key, v, f"is not a measure; choose from {', '.join(MEASURE_NAMES)} (returns are always "
                          "measured)")  # fmt: skip
        return tuple(m for m in MEASURE_NAMES if m in value)  # type: ignore[operator]

    def boolean(self, t: dict[str, Any], key: str, default: bool = False) -> bool:
        value = self._get(t, key, default)
        if not isinstance(value, bool):
            self.fail(key, value, "must be true or false")
        return bool(value)

    def window(self, t: dict[str, Any], key: str, default: tuple[int, int]) -> tuple[int, int]:
        value = self._get(t, key, default)
        return self._pair(key, value)

    def _pair(self, key: str, value: object) -> tuple[int, int]:
        if (
            not isinstance(value, (list, tuple))
            or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        ):
            self.fail(key, value, "must be two whole numbers [start, end] in sessions relative to day 0")
        start, end = value  # type: ignore[misc]
        if start > end:
            self.fail(key, value, "start must not be after end")
        if max(abs(start), abs(end)) > MAX_WINDOW_DAYS:
            self.fail(key, value, f"must lie within {MAX_WINDOW_DAYS} sessions of day 0 (about 40 years)")
        return int(start), int(end)

    def windows(self, t: dict[str, Any], key: str, default: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
        value = self._get(t, key, default)
        if not isinstance(value, (list, tuple)) or not value:
            self.fail(key, value, "must be a non-empty list of [start, end] pairs")
        return tuple(self._pair(key, v) for v in value)  # type: ignore[union-attr]

    def security(self, i: int, t: dict[str, Any]) -> Security:
        k = f"securities[{i}]"
        ticker = self.symbol(t, f"{k}.ticker")
        exchange = self.string(t, f"{k}.exchange")
        if exchange not in exchange_names():
            self.fail(f"{k}.exchange", exchange, "is not an exchange_calendars code such as XNYS, XNAS, XTKS")
        benchmark = self.symbol(t, f"{k}.benchmark")
        index = self.boolean(t, f"{k}.index")
        if benchmark == ticker and not index:
            self.fail(
                f"{k}.benchmark",
                benchmark,
                f"is the security {ticker} itself; choose a market index such as ^GSPC "
                "(an index measured on itself, for claims about the index, needs index = true)",
            )
        return Security(
            ticker=ticker,
            exchange=exchange,
            benchmark=benchmark,
            name=self.string(t, f"{k}.name", default=""),
            ohlc=self.symbol(t, f"{k}.ohlc") if "ohlc" in t else "",
            factors=self.symbols(t, f"{k}.factors"),
            index=index and benchmark == ticker,
        )

    def symbols(self, t: dict[str, Any], key: str) -> tuple[str, ...]:
        value = self._get(t, key, [])
        if not isinstance(value, list):
            self.fail(key, value, 'must be a list of symbols such as ["SOXX"]')
        return tuple(self._check_symbol(v, f"{key}[{j}]") for j, v in enumerate(value))  # type: ignore[arg-type]

    def symbol(self, t: dict[str, Any], key: str) -> str:
        return self._check_symbol(self.string(t, key), key)

    def _check_symbol(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not SYMBOL.match(value):
            self.fail(key, value, "is not a ticker symbol (letters, digits, '.', '-', '=', optional leading '^')")
        return value  # type: ignore[return-value]

    def event(self, i: int, t: dict[str, Any]) -> Event:
        k = f"events[{i}]"
        event_id = self.ident(t, f"{k}.id")
        timestamp, date_only = self.timestamp(t, f"{k}.timestamp")
        sources = self._get(t, f"{k}.sources", [])
        if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
            self.fail(f"{k}.sources", sources, "must be a list of strings")
        return Event(
            id=event_id,
            timestamp=timestamp,
            reported_dates=self.reported_dates(t, f"{k}.reported_dates"),
            title=self.string(t, f"{k}.title", default=""),
            date_only=date_only,
            approximate=self.boolean(t, f"{k}.approximate"),
            sources=tuple(sources),  # type: ignore[arg-type]
            note=self.string(t, f"{k}.note", default=""),
        )

    def timestamp(self, t: dict[str, Any], key: str) -> tuple[pd.Timestamp, bool]:
        value = self._get(t, key, _REQUIRED)
        if isinstance(value, str):
            try:
                value = (
                    dt.datetime.fromisoformat(value) if "T" in value or " " in value else dt.date.fromisoformat(value)
                )
            except ValueError:
                self.fail(key, value, "is not an ISO 8601 date or date-time such as 2025-01-21T16:00:00-05:00")
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                self.fail(
                    key,
                    value.isoformat(),
                    "has no time zone; write an offset such as 2025-01-21T16:00:00-05:00 or a date only (2025-01-21)",
                )
            return pd.Timestamp(value).tz_convert("UTC"), False
        if isinstance(value, dt.date):
            return pd.Timestamp(value.isoformat(), tz="UTC"), True
        if isinstance(value, dt.time):
            self.fail(key, value.isoformat(), "is a time without a date")
        self.fail(key, value, "must be a TOML date-time with offset or a date")
        raise AssertionError  # unreachable

    def reported_dates(self, t: dict[str, Any], key: str) -> tuple[tuple[str, dt.date], ...]:
        value = self._get(t, key, [])
        if not isinstance(value, list):
            self.fail(key, value, 'must be a list of {source = "...", date = YYYY-MM-DD} tables')
        out = []
        for j, item in enumerate(value):  # type: ignore[arg-type]
            k = f"{key}[{j}]"
            if not isinstance(item, dict):
                self.fail(k, item, 'must be a table {source = "...", date = YYYY-MM-DD}')
            date = self._get(item, f"{k}.date", _REQUIRED)
            if isinstance(date, dt.datetime) or not isinstance(date, dt.date):
                self.fail(f"{k}.date", date, "must be a date such as 2025-01-22")
            out.append((self.string(item, f"{k}.source"), date))
        return tuple(out)  # type: ignore[arg-type]

    def claim(self, i: int, t: dict[str, Any], tickers: set[str], events: dict[str, Event]) -> Claim:
        k = f"claims[{i}]"
        ticker = self.string(t, f"{k}.ticker")
        if ticker not in tickers:
            self.fail(f"{k}.ticker", ticker, f"is not one of the study's securities {sorted(tickers)}")
        event = self.string(t, f"{k}.event")
        if event not in events:
            self.fail(f"{k}.event", event, f"is not one of the study's events {sorted(events)}")
        pct = self._get(t, f"{k}.reported_percent", _REQUIRED)
        if isinstance(pct, bool) or not isinstance(pct, (int, float)):
            self.fail(f"{k}.reported_percent", pct, "must be a number of percent such as 7.0 or -2.3")
        if not -100.0 <= float(pct) <= 10_000.0:  # type: ignore[arg-type]
            self.fail(f"{k}.reported_percent", pct, "must be between -100 and 10000 percent")
        session = self._get(t, f"{k}.session", None)
        if session is not None and (isinstance(session, dt.datetime) or not isinstance(session, dt.date)):
            self.fail(f"{k}.session", session, "must be a date such as 2025-01-22 (the exchange-local session)")
        if session is not None:
            announced = events[event].timestamp.date()
            if abs((session - announced).days) > MAX_SESSION_GAP_DAYS:  # type: ignore[operator]
                self.fail(
                    f"{k}.session",
                    session,
                    f"is {abs((session - announced).days)} days from event {event!r} ({announced}); a claim's "  # type: ignore[operator]
                    f"session must lie within {MAX_SESSION_GAP_DAYS} days of its event: check the year",
                )
        timing = self.string(t, f"{k}.timing", default="close")
        if timing not in _TIMINGS:
            self.fail(f"{k}.timing", timing, f"must be one of {', '.join(_TIMINGS)}")
        bound = self.string(t, f"{k}.bound", default="")
        if bound and bound not in BOUNDS:
            self.fail(f"{k}.bound", bound, 'must be "at_least" ("more than 12 %") or "at_most" ("less than 2 %")')
        offset = self._get(t, f"{k}.offset", None)
        if offset is not None and (isinstance(offset, bool) or not isinstance(offset, int) or offset < 0):
            self.fail(f"{k}.offset", offset, "must be a whole number of characters, 0 or more")
        return Claim(
            id=self.ident(t, f"{k}.id"),
            ticker=ticker,
            event=event,
            reported=float(pct) / 100.0,  # type: ignore[arg-type]
            approximate=self.boolean(t, f"{k}.approximate"),
            session=session,  # type: ignore[arg-type]
            timing=timing,
            source=self.string(t, f"{k}.source", default=""),
            quote=self.string(t, f"{k}.quote", default=""),
            offset=offset,  # type: ignore[arg-type]
            group=self.ident(t, f"{k}.group") if "group" in t else "",
            bound=bound,
        )

    def groups(self, claims: tuple[Claim, ...]) -> None:
        """Claims of one explicit group must be about one event and name the same session (or none)."""
        first: dict[str, tuple[int, Claim]] = {}
        for i, c in enumerate(claims):
            if not c.group:
                continue
            _, head = first.setdefault(c.group, (i, c))
            if c.event != head.event:
                self.fail(f"claims[{i}].group", c.group, f"joins claims about different events ({head.event}, "
                          f"{c.event}); a group describes one moment of one event")  # fmt: skip
            if c.session != head.session:
                self.fail(f"claims[{i}].group", c.group, f"joins claims naming different sessions ({head.session}, "
                          f"{c.session}); give them different groups")  # fmt: skip

    def unique(self, values: list[str], key: str, name: str) -> None:
        seen: set[str] = set()
        for i, v in enumerate(values):
            if v in seen:
                self.fail(f"{key}[{i}].{name}", v, "is duplicated")
            seen.add(v)


_REQUIRED = object()


def _shown(value: object, limit: int = 80) -> str:
    """``repr`` of a value for a message, cut to ``limit`` characters (a value may be huge or deeply nested)."""
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    try:
        text = repr(value)
    except RecursionError:
        text = f"a {type(value).__name__} nested too deeply to show"
    return text if len(text) <= limit else text[: limit - 1] + "…"
