"""Exchange calendars cached on disk (eventstudy/market/calendar_cache.py).

Read back, a calendar answers as the one exchange_calendars builds: the same schedule, sessions,
day 0 of every rule, sessions in a range; a rerun does not build it; a damaged entry is built
again; a folder that cannot be written is a warning.
"""

from __future__ import annotations

import warnings

import exchange_calendars as xcals
import pandas as pd
import pytest

from eventstudy.errors import DataWarning
from eventstudy.market import calendar_cache as cc
from eventstudy.market import calendars

CODES = ("XNYS", "XNAS", "XTKS", "XPAR", "XHKG")
TIMES = ("2025-01-21 12:00-05:00", "2025-01-21 16:30-05:00", "2025-01-18 10:00+00:00", "2025-01-22 03:00+00:00",
         "2024-12-24 17:00-05:00", "2025-01-22 11:45+09:00")  # fmt: skip


def _built(code: str) -> xcals.ExchangeCalendar:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return xcals.get_calendar(code)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    calendars.get_calendar.cache_clear()
    yield tmp_path
    calendars.get_calendar.cache_clear()


@pytest.mark.parametrize("code", CODES)
def test_read_back_answers_as_built(cache, code, monkeypatch):
    cc.cached_calendar(code)
    cc.store_pending()  # as the end of a run does
    monkeypatch.setattr(xcals, "get_calendar", lambda *a, **k: pytest.fail("a cached calendar was built"))
    back = cc.cached_calendar(code)
    monkeypatch.undo()
    built = _built(code)
    assert type(back) is type(built) and cc._same(back, built)
    assert back.sessions.equals(built.sessions) and back.closes.equals(built.closes)
    assert back.tz == built.tz and back.first_session == built.first_session
    assert back.sessions_in_range("2024-01-01", "2024-12-31").equals(
        built.sessions_in_range("2024-01-01", "2024-12-31")
    )
    for day in pd.date_range("2024-12-20", "2025-01-05"):
        assert back.is_session(day) == built.is_session(day)
        assert back.date_to_session(day, direction="next") == built.date_to_session(day, direction="next")
    assert back.day == built.day  # the holiday rules, computed when asked


def test_day_zero_with_and_without_the_cache(cache, monkeypatch):
    def every_day_zero() -> list:
        return [calendars.day_zero(pd.Timestamp(t), code, date_only=only) for code in CODES for t in TIMES
                for only in (False, True)]  # fmt: skip

    first = every_day_zero()  # built
    cc.store_pending()
    calendars.get_calendar.cache_clear()
    monkeypatch.setattr(cc, "cached_calendar", _built)
    direct = every_day_zero()
    monkeypatch.undo()
    calendars.get_calendar.cache_clear()
    assert every_day_zero() == direct == first  # read back


def test_damaged_entry_built_again(cache):
    cc.cached_calendar("XTKS")
    assert not (cache / "calendars").exists()  # kept until the run goes through
    cc.store_pending()
    (entry,) = (cache / "calendars").iterdir()
    entry.write_bytes(entry.read_bytes()[:100])
    assert cc._same(cc.cached_calendar("XTKS"), _built("XTKS"))
    cc.store_pending()
    assert cc._same(cc._load(type(_built("XTKS")), entry.read_bytes(), entry.stem), _built("XTKS"))  # rewritten


def test_unwritable_cache_is_a_warning(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(blocker))
    cal = cc.cached_calendar("XNYS")
    with pytest.warns(DataWarning, match="could not be cached"):
        cc.store_pending()
    assert cc._same(cal, _built("XNYS"))
