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
event windows around each day 0) share a session of the same security.
"""

from __future__ import annotations

import pandas as pd

from eventstudy.market.calendars import sessions_around

Z_THRESHOLD = 3.0
FLAG_COLUMNS = ["event", "ticker", "day", "session", "abnormal", "z", "day0_of"]
OVERLAP_COLUMNS = ["ticker", "event", "other_event", "first_shared", "last_shared", "shared_sessions"]


def unusual_moves(
    ar: pd.DataFrame, windows: tuple[tuple[int, int], ...], threshold: float = Z_THRESHOLD
) -> pd.DataFrame:
    """Rows of ``ar`` (with ``event, ticker, day, session, abnormal, sar``) to flag."""
    lo, hi = min(w[0] for w in windows), max(w[1] for w in windows)
    inside = ar["day"].between(lo, hi) & (ar["day"] != 0)
    flagged = ar[inside & (ar["sar"].abs() >= threshold)]
    return flagged.rename(columns={"sar": "z"}).assign(day0_of="")[FLAG_COLUMNS].reset_index(drop=True)


def label_flags(flags: pd.DataFrame, day0: pd.DataFrame) -> pd.DataFrame:
    """``flags`` with ``day0_of``: the other events (comma-separated ids) whose day 0 is the flagged session.

    ``day0`` has ``event, ticker, session``; only the same security's day 0s count.
    """
    if flags.empty:
        return flags.assign(day0_of=pd.Series(dtype=str))
    by_key: dict[tuple[str, pd.Timestamp], list[str]] = {}
    for r in day0.itertuples(index=False):
        by_key.setdefault((r.ticker, r.session), []).append(r.event)
    labels = [
        ",".join(e for e in by_key.get((t, s), []) if e != ev)
        for ev, t, s in zip(flags["event"], flags["ticker"], flags["session"], strict=True)
    ]
    return flags.assign(day0_of=labels)


def overlapping_windows(day0: pd.DataFrame, windows: tuple[tuple[int, int], ...]) -> pd.DataFrame:
    """Pairs of events whose window spans share sessions, per ticker.

    ``day0`` has ``event, ticker, exchange, session``.
    """
    lo, hi = min(w[0] for w in windows), max(w[1] for w in windows)
    rows = []
    for ticker, part in day0.groupby("ticker", sort=False):
        spans = {r.event: sessions_around(r.session, lo, hi, r.exchange) for r in part.itertuples(index=False)}
        rank = {e: i for i, e in enumerate(spans)}  # the study's event order
        order = sorted(spans, key=lambda e: spans[e][0])  # sweep by first session: stop at the first gap
        found = []
        for i, a in enumerate(order):
            for b in order[i + 1 :]:
                if spans[b][0] > spans[a][-1]:
                    break
                shared = spans[a].intersection(spans[b])
                first, second = sorted((a, b), key=rank.__getitem__)
                found.append((ticker, first, second, shared[0], shared[-1], len(shared)))
        rows += sorted(found, key=lambda r: (rank[r[1]], rank[r[2]]))
    return pd.DataFrame(rows, columns=OVERLAP_COLUMNS)
