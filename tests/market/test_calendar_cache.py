"""Exchange calendars cached on disk (eventstudy/market/calendar_cache.py).

Read back, a calendar answers as the one exchange_calendars builds: the same schedule, sessions,
day 0 of every rule, sessions in a range; a rerun does not build it; a damaged entry is built
again; a folder that cannot be written is a warning. A calendar built is kept as the table cache's
entries are (one mechanism): read back from memory, written only by ``table_cache.store_pending``,
never by a run that fails.
"""

from __future__ import annotations

import warnings

import exchange_calendars as xcals
import pandas as pd
import pytest
from synthetic import prices_with_a_negative_volume

from eventstudy import table_cache as tc
from eventstudy.errors import DataError, DataWarning
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
    tc.store_pending()  # as the end of a run does
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
    tc.store_pending()
    calendars.get_calendar.cache_clear()
    monkeypatch.setattr(cc, "cached_calendar", _built)
    direct = every_day_zero()
    monkeypatch.undo()
    calendars.get_calendar.cache_clear()
    assert every_day_zero() == direct == first  # read back


def test_damaged_entry_built_again(cache):
    cc.cached_calendar("XTKS")
    assert not (cache / "calendars").exists()  # kept until the run goes through
    tc.store_pending()
    (entry,) = (cache / "calendars").iterdir()
    entry.write_bytes(entry.read_bytes()[:100])
    assert cc._same(cc.cached_calendar("XTKS"), _built("XTKS"))
    tc.store_pending()
    assert cc._same(cc._load(type(_built("XTKS")), entry.read_bytes(), entry.stem), _built("XTKS"))  # rewritten


def test_unwritable_cache_is_a_warning(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(blocker))
    cal = cc.cached_calendar("XNYS")
    with pytest.warns(DataWarning, match="could not be cached"):
        tc.store_pending()
    assert cc._same(cal, _built("XNYS"))


def test_kept_with_the_table_cache_entries_until_the_run_goes_through(cache, monkeypatch):
    built = cc.cached_calendar("XPAR")
    (path,) = [p for p in tc._PENDING if p.parent.name == "calendars"]
    monkeypatch.setattr(xcals, "get_calendar", lambda *a, **k: pytest.fail("a kept calendar was built again"))
    assert cc._same(cc.cached_calendar("XPAR"), built)  # read back from memory, not built
    assert not path.exists()
    tc.store_pending()
    assert path.is_file() and cc._same(cc._load(type(built), path.read_bytes(), path.stem), built)


def test_a_run_that_fails_on_its_input_writes_no_calendar(cache, prices_dir, study_path, tmp_path):
    """A price file that fails validation (a negative volume), after the calendars were built: none is written."""
    from eventstudy import CsvDirectorySource, EventStudy, load_study

    tc.store_pending()
    folder = prices_with_a_negative_volume(prices_dir, tmp_path / "prices")
    with pytest.raises(DataError):
        EventStudy(load_study(study_path), CsvDirectorySource(folder)).run()
    kept = [p for p in tc._PENDING if p.parent.name == "calendars"]
    assert kept and not (cache / "calendars").exists()  # built, kept, not written
    tc._PENDING.clear()  # what the failed run kept is never written (the process ends)
