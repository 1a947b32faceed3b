"""Reading the fields of a study file, one check per kind of value.

Each :class:`FieldParser` method checks a value and raises
:class:`~eventstudy.errors.StudyFileError` naming the file, the key and the value.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventstudy.errors import StudyFileError
from eventstudy.spec.types import (
    BOUNDS,
    ID_PATTERN,
    MAX_SESSION_GAP_DAYS,
    MAX_WINDOW_DAYS,
    MEASURE_NAMES,
    MODEL_NAMES,
    RECORD,
    SINCE_PATTERN,
    SYMBOL,
    TIMINGS,
    Claim,
    Event,
    Security,
)

if TYPE_CHECKING:
    import pandas as pd


@lru_cache(maxsize=1)
def exchange_names() -> frozenset[str]:
    """The exchange codes exchange_calendars knows (XNYS, XNAS, XTKS, …, aliases included)."""
    import exchange_calendars as xcals

    return frozenset(xcals.get_calendar_names(include_aliases=True))


class FieldParser:
    """Checks of the values of one study file (``path``), each raising StudyFileError naming file, key and value."""

    def __init__(self, path: str | Path) -> None:
        self.path = path
        self.stamps: dict[str, tuple[pd.Timestamp, bool]] = {}  # text → timestamp: events on one day share it

    def fail(self, key: str, value: object, why: str) -> None:
        """Raise the error naming the file, ``key`` and ``value``, with why it is refused."""
        raise StudyFileError(self.path, key, f"{why} (got {_shown(value)})")

    def table(self, doc: dict[str, Any], key: str) -> dict[str, Any]:
        """The table ``key`` of ``doc`` (required)."""
        if key not in doc:
            raise StudyFileError(self.path, key, "missing table; add a [study] table with an id")
        value = doc[key]
        if not isinstance(value, dict):
            self.fail(key, value, "must be a table")
        return value

    def array(self, doc: dict[str, Any], key: str, *, required: bool = True) -> list[dict[str, Any]]:
        """The array of tables ``key`` of ``doc`` (``[[key]]``)."""
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
        """A string (required when ``default`` is None)."""
        value = self._get(t, key, _REQUIRED if default is None else default)
        if not isinstance(value, str):
            self.fail(key, value, "must be a string")
        return value  # type: ignore[return-value]

    def ident(self, t: dict[str, Any], key: str) -> str:
        """An id: 1-64 letters, digits, '.', '_' or '-'."""
        value = self.string(t, key)
        if not ID_PATTERN.match(value):
            self.fail(key, value, "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
        return value

    def model(self, t: dict[str, Any], key: str) -> str:
        """A model name of :data:`~eventstudy.spec.types.MODEL_NAMES` (default market)."""
        value = self.string(t, key, default="market")
        if value not in MODEL_NAMES:
            self.fail(key, value, f"is not a model; choose one of {', '.join(MODEL_NAMES)}")
        return value

    def measures(self, t: dict[str, Any], key: str) -> tuple[str, ...]:
        """Measure names of :data:`~eventstudy.spec.types.MEASURE_NAMES`, in that order (default none)."""
        value = self._get(t, key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, value, f"must be a list of measure names from {', '.join(MEASURE_NAMES)}")
        for v in value:  # type: ignore[union-attr]
            if v not in MEASURE_NAMES:
                self.fail(key, v, f"is not a measure; choose from {', '.join(MEASURE_NAMES)} (returns are always "
                          "measured)")  # fmt: skip
        return tuple(m for m in MEASURE_NAMES if m in value)  # type: ignore[operator]

    def boolean(self, t: dict[str, Any], key: str, default: bool = False) -> bool:
        """A TOML boolean (true or false)."""
        value = self._get(t, key, default)
        if not isinstance(value, bool):
            self.fail(key, value, "must be true or false")
        return bool(value)

    def window(self, t: dict[str, Any], key: str, default: tuple[int, int]) -> tuple[int, int]:
        """A window ``[start, end]`` in sessions from day 0."""
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
        """A non-empty list of windows."""
        value = self._get(t, key, default)
        if not isinstance(value, (list, tuple)) or not value:
            self.fail(key, value, "must be a non-empty list of [start, end] pairs")
        return tuple(self._pair(key, v) for v in value)  # type: ignore[union-attr]

    def security(self, i: int, t: dict[str, Any]) -> Security:
        """``securities[i]``."""
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
        factors = self.symbols(t, f"{k}.factors")
        for j, f in enumerate(factors):  # a regressor twice, or the security explaining itself: no fit
            if f in (ticker, benchmark) or f in factors[:j]:
                what = "the security itself" if f == ticker else "the benchmark" if f == benchmark else "listed twice"
                self.fail(f"{k}.factors", list(factors), f"{f} is {what}; list other indices only, such as SOXX")
        return Security(
            ticker=ticker,
            exchange=exchange,
            benchmark=benchmark,
            name=self.string(t, f"{k}.name", default=""),
            ohlc=self.symbol(t, f"{k}.ohlc") if "ohlc" in t else "",
            factors=factors,
            index=index and benchmark == ticker,
        )

    def symbols(self, t: dict[str, Any], key: str) -> tuple[str, ...]:
        """A list of ticker symbols (default empty)."""
        value = self._get(t, key, [])
        if not isinstance(value, list):
            self.fail(key, value, 'must be a list of symbols such as ["SOXX"]')
        return tuple(self._check_symbol(v, f"{key}[{j}]") for j, v in enumerate(value))  # type: ignore[arg-type]

    def symbol(self, t: dict[str, Any], key: str) -> str:
        """A ticker symbol."""
        return self._check_symbol(self.string(t, key), key)

    def _check_symbol(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not SYMBOL.match(value):
            self.fail(key, value, "is not a ticker symbol (letters, digits, '.', '-', '=', optional leading '^')")
        return value  # type: ignore[return-value]

    def event(self, i: int, t: dict[str, Any]) -> Event:
        """``events[i]``."""
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
        """An ISO date-time with offset, or a date (then ``date_only``); text read once (a million events, 290 days)."""
        value = self._get(t, key, _REQUIRED)
        if isinstance(value, str):
            if value not in self.stamps:
                self.stamps[value] = self._timestamp(value, key)
            return self.stamps[value]
        return self._timestamp(value, key)

    def _timestamp(self, value: Any, key: str) -> tuple[pd.Timestamp, bool]:
        import pandas as pd  # here: reading the study vocabulary (the company table's listings) needs no pandas

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
        """The dates articles give for an event: ``[{source, date}]``."""
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
        """``claims[i]``, about one of ``tickers`` and one of ``events``."""
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
        if timing not in TIMINGS:
            self.fail(f"{k}.timing", timing, f"must be one of {', '.join(TIMINGS)}")
        bound = self.string(t, f"{k}.bound", default="")
        if bound and bound not in BOUNDS:
            self.fail(f"{k}.bound", bound, 'must be "at_least" ("more than 12 %") or "at_most" ("less than 2 %")')
        since = self.since(t, f"{k}.since", session)
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
            since=since,
        )

    def since(self, t: dict[str, Any], key: str, session: Any) -> str:
        """A period move's reference: ``YYYY-MM-DD``, or ``high:YYYY-MM`` / ``low:YYYY-MM``, before the session."""
        value = self._get(t, key, "")
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = value.isoformat()  # a bare TOML date
        how = (
            '(a reference close): a date such as "2024-12-31", or "high:2025-07" / "low:2025-04" '
            '(a month\'s highest / lowest close), or "high:record" / "low:record" (of the price history)'
        )
        if not isinstance(value, str) or (value and not SINCE_PATTERN.match(value)):
            self.fail(key, value, f"must be {how}")
        if not value or value in RECORD:
            return value
        day = value.split(":")[-1]
        try:
            start = dt.date.fromisoformat(day if len(day) == 10 else f"{day}-01")
        except ValueError:
            self.fail(key, value, f"is not a real date; must be {how}")
        if len(day) == 7 and ":" not in value:
            self.fail(key, value, f"names a month: write high:{day} or low:{day}, or a date")
        if len(day) == 10 and ":" in value:
            self.fail(key, value, f"high/low take a month (high:{day[:7]}); a day's close is written {day}")
        if isinstance(session, dt.date) and start >= session:
            self.fail(key, value, f"must be before the claim's session {session}")
        return value

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
        """No value of ``values`` twice."""
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
