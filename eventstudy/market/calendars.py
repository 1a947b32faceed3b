"""Exchange sessions: which session is day 0, and relative session offsets.

Day-0 rule (DESIGN.md): day 0 on an exchange is the first session whose
close is strictly after the announcement. Announced during a session, day 0
is that session; before the open, that day's session; at or after the close,
on a weekend or a holiday, the next session. A date-only event has no time:
day 0 is the first session on or after that date in the exchange's local
calendar, and the result says whether the date itself was a session.

Sessions are returned as timezone-naive ``pd.Timestamp`` dates (the
exchange-local trading date), as exchange_calendars labels them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import pandas as pd

from eventstudy.errors import CalendarError
from eventstudy.spec import exchange_names

if TYPE_CHECKING:
    from exchange_calendars import ExchangeCalendar


@lru_cache(maxsize=32)
def get_calendar(code: str) -> ExchangeCalendar:
    """exchange_calendars' calendar of exchange ``code`` (its default range; once per process, cached on disk)."""
    if code not in exchange_names():
        raise CalendarError(f"unknown exchange {code!r}: use an exchange_calendars code such as XNYS, XNAS or XTKS")
    from eventstudy.market.calendar_cache import cached_calendar

    return cached_calendar(code)


@dataclass(frozen=True)
class DayZero:
    """Day 0 of an event on one exchange, and why."""

    exchange: str
    session: pd.Timestamp
    rule: str
    local_time: str

    @property
    def shifted(self) -> bool:
        """True when day 0 is a later date than the announcement's local date."""
        return self.rule in ("after the close", "not a session day")


def day_zero(timestamp: pd.Timestamp, exchange: str, *, date_only: bool = False) -> DayZero:
    """Map an announcement time to day 0 on an exchange.

    Parameters
    ----------
    timestamp
        Timezone-aware announcement time. For ``date_only`` events only its
        UTC date is used.
    exchange
        exchange_calendars code.
    date_only
        Apply the date-only rule (first session on or after the date).

    Returns
    -------
    DayZero
        The session and a short phrase naming the rule that applied:
        "during the session", "during the lunch break", "before the open",
        "after the close",
        "not a session day", or for date-only events "date only" or
        "date only, not a session day".

    Raises
    ------
    CalendarError
        Unknown exchange, naive timestamp, or a time outside the calendar.

    Examples
    --------
    >>> import pandas as pd
    >>> ts = pd.Timestamp("2025-01-21 16:00", tz="America/New_York")
    >>> day_zero(ts, "XNYS").session.date(), day_zero(ts, "XTKS").session.date()
    (datetime.date(2025, 1, 22), datetime.date(2025, 1, 22))
    """
    cal = get_calendar(exchange)
    if timestamp.tzinfo is None:
        raise CalendarError(f"timestamp {timestamp} has no time zone; give it an offset or a zone")
    ts = timestamp.tz_convert("UTC")
    first, last = cal.first_session, cal.last_session
    if date_only:
        day = pd.Timestamp(ts.date())
        _check_range(day, first, last, exchange)
        session = cal.date_to_session(day, direction="next")
        rule = "date only" if session == day else "date only, not a session day"
        return DayZero(exchange, session, rule, ts.strftime("%Y-%m-%d (date only)"))

    closes = cal.closes
    # compare before searchsorted, which overflows on dates outside pandas' nanosecond range
    if ts >= closes.iloc[-1] or ts < cal.opens.iloc[0] - pd.Timedelta(days=7):
        pos = len(closes)
    else:
        pos = int(closes.searchsorted(ts, side="right"))
    if pos >= len(closes):
        raise CalendarError(
            f"timestamp {timestamp.isoformat()} is outside the {exchange} calendar ({first.date()} to {last.date()})"
        )
    session = closes.index[pos]
    local = ts.tz_convert(cal.tz)
    if local.normalize().tz_localize(None) != session:
        rule = "after the close" if cal.is_session(local.strftime("%Y-%m-%d")) else "not a session day"
    elif ts < cal.opens.iloc[pos]:
        rule = "before the open"
    elif _in_break(cal, pos, ts):
        rule = "during the lunch break"
    else:
        rule = "during the session"
    return DayZero(exchange, session, rule, local.strftime("%Y-%m-%d %H:%M %Z"))


def _in_break(cal: ExchangeCalendar, pos: int, ts: pd.Timestamp) -> bool:
    start, end = cal.break_starts.iloc[pos], cal.break_ends.iloc[pos]
    return not (pd.isna(start) or pd.isna(end)) and start <= ts < end


def _check_range(day: pd.Timestamp, first: pd.Timestamp, last: pd.Timestamp, exchange: str) -> None:
    if not first <= day <= last:
        raise CalendarError(f"date {day.date()} is outside the {exchange} calendar ({first.date()} to {last.date()})")


def sessions_around(session: pd.Timestamp, start: int, end: int, exchange: str) -> pd.DatetimeIndex:
    """Sessions ``start..end`` (inclusive) relative to ``session`` on ``exchange``.

    Raises
    ------
    CalendarError
        When the offsets run outside the calendar.
    """
    cal = get_calendar(exchange)
    sessions = cal.sessions
    pos = sessions.get_loc(session)
    lo, hi = pos + start, pos + end
    if lo < 0 or hi >= len(sessions):
        raise CalendarError(
            f"sessions {start}..{end} around {session.date()} run outside the {exchange} calendar "
            f"({sessions[0].date()} to {sessions[-1].date()})"
        )
    return sessions[lo : hi + 1]


REFERENCE_ZONES = ("America/New_York", "Europe/Paris", "Asia/Tokyo")


def explain_reported_date(
    timestamp: pd.Timestamp, date: pd.Timestamp | str, zones: tuple[str, ...] = REFERENCE_ZONES
) -> str:
    """Say in which time zones an announcement fell on a date an article gives.

    Two articles may date the same announcement differently (a 16:00 New
    York announcement is the next morning in Tokyo); this names the zones
    where each date is right.

    Examples
    --------
    >>> ts = pd.Timestamp("2025-01-21 16:00", tz="America/New_York")
    >>> explain_reported_date(ts, "2025-01-22", ("America/New_York", "Asia/Tokyo"))
    '2025-01-22 is the local date in Asia/Tokyo (06:00); it was 2025-01-21 in America/New_York (16:00)'
    """
    day = pd.Timestamp(date).date()
    local = {zone: timestamp.tz_convert(zone) for zone in zones}
    right = [f"{z} ({t:%H:%M})" for z, t in local.items() if t.date() == day]
    wrong = [f"{z} ({t:%H:%M})" for z, t in local.items() if t.date() != day]
    if not right:
        return f"{day} is not the local date in {', '.join(zones)}: the article's date looks wrong"
    text = f"{day} is the local date in {', '.join(right)}"
    if wrong:
        other = {t.date() for t in local.values() if t.date() != day}
        text += f"; it was {', '.join(str(d) for d in sorted(other))} in {', '.join(wrong)}"
    return text
