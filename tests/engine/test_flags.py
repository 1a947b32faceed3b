"""The overlap summary against a brute-force intersection of session sets; flags' day-0 labels by brute force."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventstudy.engine.flags import OVERLAP_COLUMNS, label_flags, overlapping_windows
from eventstudy.market.calendars import get_calendar

WINDOWS = ((0, 0), (-1, 1), (-5, 5))


def brute(day0: pd.DataFrame, sessions: pd.DatetimeIndex) -> dict[tuple[str, str], tuple]:
    """Per (event, ticker): other events sharing a session, the nearest by day 0, first and last shared session."""
    out = {}
    for ticker, part in day0.groupby("ticker", sort=False):
        pos = dict(zip(part["event"], sessions.get_indexer(pd.DatetimeIndex(part["session"])), strict=True))
        span = {e: set(range(p - 5, p + 6)) for e, p in pos.items()}
        for e in pos:
            others = [o for o in pos if o != e and span[e] & span[o]]
            if not others:
                continue
            shared = sorted(set().union(*(span[e] & span[o] for o in others)))
            gap = min(abs(pos[o] - pos[e]) for o in others)
            nearest = {o for o in others if abs(pos[o] - pos[e]) == gap}
            out[e, ticker] = (len(others), nearest, 11 - gap, sessions[shared[0]], sessions[shared[-1]])
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["A", "B"]), st.integers(0, 40)), min_size=1, max_size=25))
def test_summary_equals_brute_force(rows):
    sessions = get_calendar("XNYS").sessions
    base = int(sessions.get_loc(pd.Timestamp("2024-03-01")))
    day0 = pd.DataFrame(
        {
            "event": [f"e{i}" for i in range(len(rows))],
            "ticker": [t for t, _ in rows],
            "exchange": "XNYS",
            "session": [sessions[base + p] for _, p in rows],
        }
    )
    got = overlapping_windows(day0, WINDOWS)
    assert list(got.columns) == OVERLAP_COLUMNS
    want = brute(day0, sessions)
    assert len(got) == len(want)
    for r in got.to_dict("records"):
        count, nearest, shared, first, last = want[r["event"], r["ticker"]]
        assert r["overlapping"] == count and r["nearest_event"] in nearest
        assert r["shared_sessions"] == shared
        assert (r["first_shared"], r["last_shared"]) == (first, last)
    order = [(e, t) for e, t in zip(day0["event"], day0["ticker"], strict=True) if (e, t) in want]
    assert sorted(order, key=lambda k: list(dict.fromkeys(day0["ticker"])).index(k[1])) == list(
        zip(got["event"], got["ticker"], strict=True)
    )


def test_summary_is_linear_in_the_pairs():
    """100,000 pairs on 280 sessions (every window overlaps hundreds of others): one row per pair."""
    sessions = get_calendar("XNYS").sessions
    base = int(sessions.get_loc(pd.Timestamp("2024-09-03")))
    rng = np.random.default_rng(0)
    n = 100_000
    day0 = pd.DataFrame(
        {
            "event": [f"e{i // 10:05d}" for i in range(n)],
            "ticker": np.tile([f"T{k}" for k in range(10)], n // 10),
            "exchange": "XNYS",
            "session": sessions[base + np.repeat(rng.integers(0, 280, n // 10), 10)],
        }
    )
    got = overlapping_windows(day0, WINDOWS)
    assert len(got) == n and got["overlapping"].min() > 100


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.sampled_from(["A", "B"]), st.integers(0, 6)), min_size=1, max_size=30),
    st.lists(st.tuples(st.integers(0, 40), st.sampled_from(["A", "B", "C"]), st.integers(0, 6)), max_size=20),
)
def test_day0_labels_name_the_other_events_of_the_flagged_session(pairs, flagged):
    """day0_of: the events (day0 order) whose day 0 on the flag's security is its session, its own event left out.

    A flag may sit on its own event's day 0 here (unusual_moves never flags day 0, label_flags allows it);
    ``categorical`` gives the same labels, each held once.
    """
    sessions = pd.bdate_range("2024-03-01", periods=7)
    day0 = pd.DataFrame({"event": [f"e{i % 9}" for i in range(len(pairs))], "ticker": [t for t, _ in pairs],
                         "session": [sessions[d] for _, d in pairs]}).drop_duplicates(["event", "ticker"])  # fmt: skip
    flags = pd.DataFrame({"event": [f"e{e % 9}" for e, _, _ in flagged], "ticker": [t for _, t, _ in flagged],
                          "day": 1, "session": pd.DatetimeIndex([sessions[d] for _, _, d in flagged]),
                          "abnormal": 0.1, "z": 4.0})  # fmt: skip

    def others(f: dict) -> str:
        rows = zip(day0["event"], day0["ticker"], day0["session"], strict=True)
        return ",".join(e for e, t, s in rows if t == f["ticker"] and s == f["session"] and e != f["event"])

    want = [others(f) for f in flags.to_dict("records")]
    plain, compact = label_flags(flags, day0), label_flags(flags, day0, categorical=True)
    assert list(plain["day0_of"]) == want and list(compact["day0_of"]) == want
    assert plain["day0_of"].dtype == "str" and isinstance(compact["day0_of"].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(plain.drop(columns="day0_of"), flags)
