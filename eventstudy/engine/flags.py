"""Warnings a reader needs next to a CAR: unusual days, overlapping events.

Unusual move: a session inside an event window, other than day 0, whose
standardized abnormal return ``z = AR / σ_pred`` (σ_pred the
prediction-error standard deviation of that day, σ·sqrt(1 + x'(X'X)⁻¹x))
has ``|z| ≥ 3``. Under normal errors that happens on 0.27 % of days;
daily returns have fat tails, so the report also gives how often it
happened in the estimation window itself. A flagged day means another
piece of news may drive a CAR that contains it; when that day is day 0 of
another event of the study (same security), the flag names that event
(``day0_of``), so the reader knows which news it is.

Overlap: two events whose event-window spans (the union of the study's
event windows around each day 0) share a session of the same security. The
table summarises them per (event, ticker), linear in the pairs: how many
other events overlap, the nearest one, and the first and last shared session.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy.market.calendars import get_calendar

Z_THRESHOLD = 3.0
FLAG_COLUMNS = ["event", "ticker", "day", "session", "abnormal", "z", "day0_of"]
OVERLAP_COLUMNS = ["ticker", "event", "overlapping", "nearest_event", "shared_sessions", "first_shared", "last_shared"]


def unusual_moves(
    ar: pd.DataFrame, windows: tuple[tuple[int, int], ...], threshold: float = Z_THRESHOLD
) -> pd.DataFrame:
    """Rows of ``ar`` (with ``event, ticker, day, session, abnormal, sar``) to flag."""
    lo, hi = min(w[0] for w in windows), max(w[1] for w in windows)
    inside = ar["day"].between(lo, hi) & (ar["day"] != 0)
    flagged = ar[inside & (ar["sar"].abs() >= threshold)]
    return flagged.rename(columns={"sar": "z"}).assign(day0_of="")[FLAG_COLUMNS].reset_index(drop=True)


def label_flags(flags: pd.DataFrame, day0: pd.DataFrame, *, categorical: bool = False) -> pd.DataFrame:
    """``flags`` with ``day0_of``: the other events (comma-separated ids) whose day 0 is the flagged session.

    ``day0`` has ``event, ticker, session``; only the same security's day 0s count. The ids of each
    (ticker, session) are joined once, in day0 order, not once per flag (hundreds of events can share a
    day 0: a merge of flags and day 0s had flags x events rows); a flag's own event is left out.
    ``categorical``: ``day0_of`` as a pandas Categorical, each label held once (at 1,000,000 pairs of ten
    securities about 330 events share a day 0: 3 KB a label, about 0.4 GB as a text column).
    """
    if flags.empty:
        return flags.assign(day0_of=pd.Series(dtype="category" if categorical else str))
    d0 = day0[["ticker", "session", "event"]]
    ids = (d0["event"].astype(str) + ",").groupby([d0["ticker"], d0["session"]], sort=False).sum().str[:-1]
    at = ids.index.get_indexer(pd.MultiIndex.from_frame(flags[["ticker", "session"]]))
    at[at < 0] = len(ids)  # no day 0 that session: ""
    labels = [*ids.to_numpy(dtype=object), ""]  # each flag's is labels[at]
    own = flags[["event", "ticker", "session"]].assign(_flag=np.arange(len(flags))).merge(d0)["_flag"]
    for i in own.to_numpy():  # a flagged session that is the flag's own event's day 0 (not for a day != 0)
        labels.append(",".join(e for e in labels[at[i]].split(",") if e != str(flags["event"].iloc[i])))
        at[i] = len(labels) - 1
    if not categorical:
        return flags.assign(day0_of=np.array(labels, dtype=object)[at])
    codes, names = pd.factorize(np.array(labels, dtype=object))  # the labels, not one per flag: never as text
    return flags.assign(day0_of=pd.Categorical.from_codes(codes[at], names))


def overlapping_windows(day0: pd.DataFrame, windows: tuple[tuple[int, int], ...]) -> pd.DataFrame:
    """Per (event, ticker) whose window span shares sessions with another event's of the same ticker: a summary.

    ``day0`` has ``event, ticker, exchange, session``. Columns: how many
    other events' spans overlap (``overlapping``), the nearest of them by
    day 0 (``nearest_event``; ties: the earlier day 0) and the
    sessions shared with it, and the first and last session shared with any
    of them. Linear in the pairs: a span is the union of the event windows,
    the same number of sessions for every event, so spans overlap exactly
    when day 0s lie at most that many sessions apart.
    Rows: tickers in order of first appearance, events in study order.
    """
    lo, hi = min(w[0] for w in windows), max(w[1] for w in windows)
    width = hi - lo
    parts = []
    for ticker, part in day0.groupby("ticker", sort=False):
        sessions = get_calendar(str(part["exchange"].iloc[0])).sessions
        pos = sessions.get_indexer(pd.DatetimeIndex(part["session"]))
        order = np.argsort(pos, kind="stable")  # ties keep the study order
        s = pos[order]
        k = np.arange(len(s))
        left = np.searchsorted(s, s - width, side="left")
        right = np.searchsorted(s, s + width, side="right")
        count = right - left - 1
        has = count > 0
        gap_prev = np.where(k > 0, s - s[np.maximum(k - 1, 0)], np.iinfo(np.int64).max)
        gap_next = np.where(k < len(s) - 1, s[np.minimum(k + 1, len(s) - 1)] - s, np.iinfo(np.int64).max)
        near = np.where(gap_prev <= gap_next, k - 1, k + 1)
        first_other = np.where(left == k, left + 1, left)  # the leftmost other overlapping span
        last_other = np.where(right - 1 == k, right - 2, right - 1)
        idx = np.flatnonzero(has)
        first_shared = np.maximum(s[idx], s[first_other[idx]]) + lo
        last_shared = np.minimum(s[idx], s[last_other[idx]]) + hi
        events = part["event"].to_numpy(dtype=object)[order]
        nearest = near[idx]
        frame = pd.DataFrame(
            {
                "ticker": np.full(len(idx), ticker, dtype=object),
                "event": events[idx],
                "overlapping": count[idx].astype(np.int64),
                "nearest_event": events[nearest],
                "shared_sessions": (width + 1 - np.abs(s[idx] - s[nearest])).astype(np.int64),
                "first_shared": sessions.values[first_shared],
                "last_shared": sessions.values[last_shared],
                "_rank": order[idx],
            }
        )
        parts.append(frame.sort_values("_rank", kind="stable").drop(columns="_rank"))
    found = [p for p in parts if len(p)]
    if not found:
        return pd.DataFrame([], columns=OVERLAP_COLUMNS)
    return pd.concat(found, ignore_index=True)
