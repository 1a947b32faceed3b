"""Overlapping event windows of many events, from session positions.

The same table as :func:`eventstudy.engine.engine.flags.overlapping_windows` (which
builds each event's sessions and intersects them pair by pair), computed
with arrays: every event's window span is the same number of sessions, so
two spans of a security share sessions exactly when their first sessions
lie at most that many sessions apart, and the shared run goes from the
later first session to the earlier last one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy.engine.flags import OVERLAP_COLUMNS
from eventstudy.engine.flags import overlapping_windows as overlapping_windows_one_by_one


def overlapping_windows(day0: pd.DataFrame, windows: tuple[tuple[int, int], ...]) -> pd.DataFrame:
    """Pairs of events whose window spans share sessions, per ticker (``day0``: event, ticker, exchange, session).

    Rows: tickers in order of first appearance; within a ticker, by the
    study order of the first event, then of the other.
    """
    from eventstudy.market.calendars import get_calendar

    lo, hi = min(w[0] for w in windows), max(w[1] for w in windows)
    parts = []
    for ticker, part in day0.groupby("ticker", sort=False):
        sessions = get_calendar(str(part["exchange"].iloc[0])).sessions
        pos = sessions.get_indexer(pd.DatetimeIndex(part["session"]))
        outside = (pos < 0).any() or (pos + lo).min() < 0 or (pos + hi).max() >= len(sessions)
        if outside or part["exchange"].nunique() > 1:
            return overlapping_windows_one_by_one(day0, windows)  # it raises the calendar's error
        parts.append(_pairs(str(ticker), part["event"].to_numpy(dtype=object), pos + lo, hi - lo, sessions))
    found = [p for p in parts if len(p)]
    if not found:
        return pd.DataFrame([], columns=OVERLAP_COLUMNS)
    return pd.concat(found, ignore_index=True)


def _pairs(ticker: str, events: np.ndarray, first: np.ndarray, width: int, sessions: pd.DatetimeIndex) -> pd.DataFrame:
    """Overlapping pairs of one ticker's events; ``first`` session positions, spans of ``width + 1`` sessions."""
    by_start = np.argsort(first, kind="stable")  # ties keep the study order
    start = first[by_start]
    stop = np.searchsorted(start, start + width, side="right")  # partners: the next events starting in the span
    count = stop - np.arange(len(start)) - 1
    a = np.repeat(np.arange(len(start)), count)
    b = a + 1 + (np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count))
    ea, eb = by_start[a], by_start[b]  # study positions of the two events
    one, two = np.minimum(ea, eb), np.maximum(ea, eb)
    order = np.lexsort((two, one))
    shared_first, shared_last = start[b][order], start[a][order] + width
    return pd.DataFrame(
        {
            "ticker": np.full(len(order), ticker, dtype=object),
            "event": events[one[order]],
            "other_event": events[two[order]],
            "first_shared": sessions.values[shared_first],
            "last_shared": sessions.values[shared_last],
            "shared_sessions": (shared_last - shared_first + 1).astype(np.int64),
        }
    )
