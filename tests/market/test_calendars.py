"""Day 0 on hand-built cases (exchange hours written here, not read from the code)."""

from __future__ import annotations

import pandas as pd
import pytest

from eventstudy.errors import CalendarError
from eventstudy.market.calendars import day_zero, sessions_around

NY, TK = "America/New_York", "Asia/Tokyo"

# (local time, zone, exchange, expected day 0, rule)
CASES = [
    ("2025-01-21 12:00", NY, "XNYS", "2025-01-21", "during the session"),
    ("2025-01-21 12:00", NY, "XNAS", "2025-01-21", "during the session"),
    ("2025-01-21 12:00", NY, "XTKS", "2025-01-22", "before the open"),  # 02:00 JST
    ("2025-01-21 16:00", NY, "XNYS", "2025-01-22", "after the close"),  # close is 16:00: not after
    ("2025-01-21 15:59", NY, "XNYS", "2025-01-21", "during the session"),
    ("2025-01-21 16:00", NY, "XTKS", "2025-01-22", "before the open"),  # 06:00 JST
    ("2025-01-21 08:00", NY, "XNYS", "2025-01-21", "before the open"),
    ("2025-01-20 10:00", NY, "XNYS", "2025-01-21", "not a session day"),  # MLK Day
    ("2025-01-18 10:00", NY, "XNYS", "2025-01-21", "not a session day"),  # Saturday, then MLK Monday
    ("2025-01-22 12:00", TK, "XTKS", "2025-01-22", "during the lunch break"),  # 11:30-12:30 break
    ("2025-01-22 15:29", TK, "XTKS", "2025-01-22", "during the session"),  # close 15:30 since Nov 2024
    ("2025-01-22 15:30", TK, "XTKS", "2025-01-23", "after the close"),
    ("2025-01-13 10:00", TK, "XTKS", "2025-01-14", "not a session day"),  # Coming-of-Age Day
    ("2025-01-24 17:00", NY, "XNYS", "2025-01-27", "after the close"),  # Friday evening -> Monday
    ("2025-07-03 13:30", NY, "XNYS", "2025-07-07", "after the close"),  # early close 13:00, then July 4
]


@pytest.mark.parametrize(("local", "zone", "exchange", "expected", "rule"), CASES)
def test_day_zero(local, zone, exchange, expected, rule):
    dz = day_zero(pd.Timestamp(local, tz=zone), exchange)
    assert str(dz.session.date()) == expected
    assert dz.rule == rule


def test_date_only_events():
    on_session = day_zero(pd.Timestamp("2025-01-22", tz="UTC"), "XTKS", date_only=True)
    assert str(on_session.session.date()) == "2025-01-22" and on_session.rule == "date only"
    holiday = day_zero(pd.Timestamp("2025-01-20", tz="UTC"), "XNYS", date_only=True)
    assert str(holiday.session.date()) == "2025-01-21" and holiday.shifted is False
    assert holiday.rule == "date only, not a session day"


def test_errors_name_the_input():
    with pytest.raises(CalendarError, match="XXXX"):
        day_zero(pd.Timestamp("2025-01-21 12:00", tz=NY), "XXXX")
    with pytest.raises(CalendarError, match="no time zone"):
        day_zero(pd.Timestamp("2025-01-21 12:00"), "XNYS")
    with pytest.raises(CalendarError, match="outside the XNYS calendar"):
        day_zero(pd.Timestamp("2150-01-21 12:00", tz=NY), "XNYS")


def test_sessions_around_counts_trading_days():
    s = sessions_around(pd.Timestamp("2025-01-21"), -1, 1, "XNYS")
    assert [str(d.date()) for d in s] == ["2025-01-17", "2025-01-21", "2025-01-22"]  # MLK Day skipped
    s = sessions_around(pd.Timestamp("2025-01-14"), -1, 0, "XTKS")
    assert [str(d.date()) for d in s] == ["2025-01-10", "2025-01-14"]  # 13th a holiday
