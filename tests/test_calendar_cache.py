"""Session tables: equal to exchange_calendars, kept on disk as plain data, rebuilt when bad."""

from __future__ import annotations

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pytest

from eventstudy.errors import CalendarError
from eventstudy.market import calendar_cache, calendars


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    calendars.get_calendar.cache_clear()
    yield tmp_path / "calendars"
    calendars.get_calendar.cache_clear()


@pytest.mark.parametrize("code", ["XNYS", "XTKS"])
def test_saved_table_answers_as_exchange_calendars_does(fresh, code):
    calendars.get_calendar(code)
    [path] = fresh.glob(f"{code}-*.npz")
    table = calendar_cache.load(path)
    cal = xcals.get_calendar(code)
    pd.testing.assert_index_equal(table.sessions, cal.sessions, check_names=False, exact=False, check_freq=False)
    for col in calendar_cache.COLUMNS:
        pd.testing.assert_series_equal(getattr(table, col), getattr(cal, col), check_names=False, check_freq=False,
                                       check_index_type=False)  # fmt: skip
    assert table.tz == str(cal.tz)
    for day in pd.date_range("2024-12-20", "2025-01-20"):  # New Year, weekends, Tokyo's closed days
        assert table.is_session(day) == cal.is_session(day), day
        assert table.date_to_session(day) == cal.date_to_session(day, direction="next"), day
    np.testing.assert_array_equal(
        table.sessions_in_range("2025-01-01", "2025-02-01"), cal.sessions_in_range("2025-01-01", "2025-02-01")
    )


def test_second_process_reads_the_file_instead_of_building(fresh, monkeypatch):
    built = calendars.get_calendar("XTKS")
    calendars.get_calendar.cache_clear()  # as a new process would start

    def no_build(code):
        raise AssertionError("rebuilt although the file was there")

    monkeypatch.setattr(calendar_cache, "build", no_build)
    loaded = calendars.get_calendar("XTKS")
    pd.testing.assert_series_equal(loaded.break_starts, built.break_starts, check_freq=False)
    ts = pd.Timestamp("2025-01-22 12:00", tz="Asia/Tokyo")
    assert calendars.day_zero(ts, "XTKS").rule == "during the lunch break"


def test_file_is_data_not_code(fresh):
    calendars.get_calendar("XNYS")
    [path] = fresh.glob("XNYS-*.npz")
    with np.load(path, allow_pickle=False) as npz:
        assert {npz[k].dtype.kind for k in npz.files} <= {"i", "U"}  # integers and strings only


@pytest.mark.parametrize("damage", [b"not a zip", b"", "truncate", "shuffle"])
def test_damaged_file_is_rebuilt_and_replaced(fresh, damage):
    calendars.get_calendar("XNYS")
    [path] = fresh.glob("XNYS-*.npz")
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:1000])
    elif damage == "shuffle":  # valid npz, sessions out of order
        table = calendar_cache.load(path)
        bad = calendar_cache.SessionTable(table.code, table.tz, table.sessions[::-1], *(
            getattr(table, c) for c in calendar_cache.COLUMNS))  # fmt: skip
        path.write_bytes(calendar_cache.to_bytes(bad))
    else:
        path.write_bytes(damage)
    assert calendar_cache.load(path) is None
    calendars.get_calendar.cache_clear()
    cal = calendars.get_calendar("XNYS")
    assert cal.is_session("2025-01-21") and not cal.is_session("2025-01-20")  # MLK day
    assert calendar_cache.load(path) is not None  # rewritten


def test_old_files_of_the_exchange_are_removed(fresh):
    fresh.mkdir(parents=True)
    stale, other = fresh / "XNYS-0.0.1-20200101.npz", fresh / "XTKS-0.0.1-20200101.npz"
    stale.write_bytes(b"old")
    other.write_bytes(b"old")
    calendars.get_calendar("XNYS")
    assert not stale.exists() and other.exists()
    assert calendar_cache.cache_path("XNYS").exists()


def test_unwritable_cache_directory_is_skipped(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(blocker))
    calendars.get_calendar.cache_clear()
    try:
        assert calendars.get_calendar("XNYS").is_session("2025-01-22")
    finally:
        calendars.get_calendar.cache_clear()


def test_unknown_or_path_like_codes_never_touch_the_cache(fresh):
    for code in ("XXXX", "../XNYS", "XNYS/../../x"):
        with pytest.raises(CalendarError, match="unknown exchange"):
            calendars.get_calendar(code)
    assert not fresh.exists() or not [p for p in fresh.iterdir() if "XXXX" in p.name or ".." in p.name]
