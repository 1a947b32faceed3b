"""Property tests (hypothesis) on sessions, day 0, benchmark alignment and CARs.

Expected values are computed here from first principles (bisect over dates,
numpy least squares, plain sums), never by the functions under test.
Example counts are modest so the file runs in a few seconds.
"""

from __future__ import annotations

import bisect
import itertools
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventstudy.engine import ols
from eventstudy.engine.panel import read_prices, returns_panel
from eventstudy.market.calendars import day_zero, sessions_around
from eventstudy.market.frames import PRICE_COLUMNS


@lru_cache(maxsize=8)
def get_calendar(code: str):
    """exchange_calendars itself: the oracle the package's session tables are checked against."""
    import exchange_calendars as xcals

    return xcals.get_calendar(code)


EXCHANGES = ("XNYS", "XNAS", "XTKS")
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def sessions_of(exchange: str) -> pd.DatetimeIndex:
    """Sessions 2008-2026, well inside exchange_calendars' default bounds."""
    sessions = get_calendar(exchange).sessions
    return sessions[(sessions >= "2008-01-01") & (sessions <= "2026-12-31")]


def price_frame(dates, prices) -> pd.DataFrame:
    index = pd.DatetimeIndex(dates, name="Date")
    data = {c: np.asarray(prices, dtype=float) for c in PRICE_COLUMNS[:-1]} | {"Volume": np.ones(len(index))}
    return pd.DataFrame(data, index=index)[PRICE_COLUMNS]


# --- sessions_around -------------------------------------------------------------------------


@FAST
@given(
    exchange=st.sampled_from(EXCHANGES), pos=st.integers(400, 4000), a=st.integers(-300, 20), span=st.integers(0, 320)
)
def test_sessions_around_count_and_day0(exchange, pos, a, span):
    sessions = sessions_of(exchange)
    d = sessions[pos]
    b = a + span
    out = sessions_around(d, a, b, exchange)
    assert len(out) == b - a + 1
    assert out.is_monotonic_increasing and out.is_unique
    assert out.isin(get_calendar(exchange).sessions).all()
    if a <= 0 <= b:
        assert d in out and out[-a] == d
    else:
        assert d not in out


# --- day 0 -----------------------------------------------------------------------------------

UTC_TIMES = st.datetimes(
    min_value=pd.Timestamp("2008-01-01").to_pydatetime(), max_value=pd.Timestamp("2026-06-30").to_pydatetime()
)


@st.composite
def near_a_close(draw, exchange: str):
    """A time within a few hours of a session's close (where the rule is easiest to get wrong)."""
    closes = get_calendar(exchange).closes
    closes = closes[(closes.index >= "2008-01-01") & (closes.index <= "2026-06-30")]
    close = closes.iloc[draw(st.integers(0, len(closes) - 1))]
    return close + pd.Timedelta(seconds=draw(st.integers(-6 * 3600, 6 * 3600)))


@st.composite
def announcement(draw):
    exchange = draw(st.sampled_from(EXCHANGES))
    if draw(st.booleans()):
        ts = pd.Timestamp(draw(UTC_TIMES), tz="UTC")
    else:
        ts = draw(near_a_close(exchange)).tz_convert("UTC")
    return exchange, ts


@settings(max_examples=150, deadline=None)
@given(case=announcement())
def test_day0_is_the_first_session_closing_after_the_announcement(case):
    exchange, ts = case
    cal = get_calendar(exchange)
    d0 = day_zero(ts, exchange)
    assert cal.session_close(d0.session) > ts
    assert cal.session_close(cal.previous_session(d0.session)) <= ts
    assert d0.shifted == (d0.session.date() > ts.tz_convert(cal.tz).date())


@FAST
@given(
    exchange=st.sampled_from(EXCHANGES),
    day=st.dates(pd.Timestamp("2008-01-02").date(), pd.Timestamp("2026-06-30").date()),
)
def test_date_only_day0_is_the_first_session_on_or_after_the_date(exchange, day):
    cal = get_calendar(exchange)
    d0 = day_zero(pd.Timestamp(day, tz="UTC"), exchange, date_only=True)
    date = pd.Timestamp(day)
    assert d0.session >= date and cal.previous_session(d0.session) < date
    assert (d0.rule == "date only") == (d0.session == date)


# --- benchmark alignment ---------------------------------------------------------------------


@st.composite
def security_and_benchmark(draw):
    """Sessions of a security's exchange, and a benchmark on another calendar with random days missing."""
    own, other = draw(st.sampled_from([("XNYS", "XTKS"), ("XTKS", "XNYS"), ("XNYS", "XNYS"), ("XNAS", "XNYS")]))
    day0 = sessions_of(own)[draw(st.integers(300, 4000))]
    a = draw(st.integers(-40, -1))
    sessions = sessions_around(day0, a, draw(st.integers(1, 30)), own)
    # the benchmark trades on its own calendar, from a little before to a little after
    pool = get_calendar(other).sessions
    pool = pool[(pool >= sessions[0] - pd.Timedelta(days=12)) & (pool <= sessions[-1] + pd.Timedelta(days=5))]
    keep = draw(st.lists(st.booleans(), min_size=len(pool), max_size=len(pool)))
    bench_days = [d for d, k in zip(pool, keep, strict=True) if k]
    # it must have a close on or before the first session, and one on or after the last
    before = [d for d in pool if d <= sessions[0]]
    after = [d for d in pool if d >= sessions[-1]]
    bench_days = sorted({*bench_days, before[draw(st.integers(0, len(before) - 1))], after[-1]})
    seed = draw(st.integers(0, 2**32 - 1))
    return sessions, pd.DatetimeIndex(bench_days), seed


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=security_and_benchmark())
def test_benchmark_return_uses_last_close_on_or_before_each_session(case):
    sessions, bench_days, seed = case
    rng = np.random.default_rng(seed)
    own_prices = 100 * np.cumprod(1 + rng.normal(0, 0.02, len(sessions)))
    bench_prices = 1000 * np.cumprod(1 + rng.normal(0, 0.01, len(bench_days)))
    frames = {"S": price_frame(sessions, own_prices), "B": price_frame(bench_days, bench_prices)}
    panel = returns_panel(frames, sessions, carry={"B"}).iloc[1:]
    carried = read_prices(frames["B"], sessions.as_unit("ns").asi8).carried[1:]
    days = list(bench_days)

    def last_close(session):
        return bench_prices[bisect.bisect_right(days, session) - 1]

    expected_bench = [last_close(s) / last_close(p) - 1 for p, s in itertools.pairwise(sessions)]
    assert list(panel.index) == list(sessions[1:])
    np.testing.assert_allclose(panel["B"], expected_bench, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(panel["S"], own_prices[1:] / own_prices[:-1] - 1, rtol=1e-12)
    np.testing.assert_allclose(carried, [last_close(s) for s in sessions[1:]])


# --- AR and CAR ------------------------------------------------------------------------------


@st.composite
def windows(draw, lo: int, hi: int):
    out = []
    for _ in range(draw(st.integers(1, 5))):
        start = draw(st.integers(lo, hi))
        out.append((start, draw(st.integers(start, hi))))
    return tuple(out)


@FAST
@given(seed=st.integers(0, 2**32 - 1), n_est=st.integers(30, 250), wins=windows(-10, 10))
def test_car_is_the_sum_of_ars_and_ar_is_return_minus_ols_fit(seed, n_est, wins):
    rng = np.random.default_rng(seed)
    n = n_est + 21
    market = rng.normal(0.0005, 0.01, n)
    stock = 0.0002 + rng.uniform(0.2, 2.0) * market + rng.normal(0, 0.015, n)
    res = ols.solve_stacked(stock[None], market[None], ols.market_design(), start=-n_est - 10,
                            estimation_window=(-n_est - 10, -11), ar_window=(-10, 10), event_windows=wins)  # fmt: skip
    beta, alpha = np.polyfit(market[:n_est], stock[:n_est], 1)  # independent least squares
    np.testing.assert_allclose(res.abnormal[0], stock[n_est:] - (alpha + beta * market[n_est:]), rtol=1e-8, atol=1e-12)
    by_day = dict(zip(range(-10, 11), res.abnormal[0], strict=True))
    for (start, end), value in zip(wins, res.car[0], strict=True):
        assert value == pytest.approx(sum(by_day[d] for d in range(start, end + 1)), abs=1e-12)
    assert (res.se > 0).all()
