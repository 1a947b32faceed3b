"""Split a session's move into overnight and intraday parts, from daily OHLC.

For session t with previous session t-1 and adjustment factor
f = Adj Close / Close (1 where the source has no Adj Close)::

    close_to_close_t = Close_t f_t / (Close_{t-1} f_{t-1}) - 1
    overnight_t      = Open_t  f_t / (Close_{t-1} f_{t-1}) - 1
    intraday_t       = Close_t / Open_t - 1
    (1 + overnight_t) (1 + intraday_t) = 1 + close_to_close_t

The factor carries any split or dividend between the two closes into the
overnight part, so the three compound exactly. ``low`` and ``high`` are the
returns from the previous close to the day's low and high: any price
reached during session t lies between them.

Where the source lacks Open (9984.T from Yahoo), the overnight and
intraday parts are NaN and ``note`` says so; they are never guessed. A row
whose High is below its Low has no day's range (``low``, ``high`` NaN, and
``note`` says why): a range from such a row would be nonsense.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DECOMPOSITION_COLUMNS = ["session", "close_to_close", "overnight", "intraday", "low", "high", "note"]


def decompose(frame: pd.DataFrame, sessions: pd.DatetimeIndex, *, origin: str = "") -> pd.DataFrame:
    """Overnight, intraday and close-to-close returns on each of ``sessions``.

    Parameters
    ----------
    frame
        Price frame (``eventstudy.market.frames``) with rows on the sessions
        and on the session before each.
    sessions
        Sessions to decompose (consecutive sessions of one exchange).
    origin
        Name of the source, for notes.

    Returns
    -------
    DataFrame
        One row per session, columns ``DECOMPOSITION_COLUMNS``.
    """
    close, factor = _close_and_factor(frame)
    adj_close = close * factor
    at = frame.index.get_indexer(sessions)  # -1: not in the frame (the index is unique: get_indexer says so)
    # each session's values as numpy scalars, read by position (what .loc would give, without its cost per cell)
    adj, fac, opens, highs, lows = (
        s.to_numpy() for s in (adj_close, factor, frame["Open"], frame["High"], frame["Low"])
    )
    closes = (frame["Close"] if close.name == "Close" else close).to_numpy()
    rows = []
    for session, t in zip(sessions, at.tolist(), strict=True):
        if t < 1:
            rows.append((session, np.nan, np.nan, np.nan, np.nan, np.nan, "no previous session in the data"))
            continue
        base = adj[t - 1]
        f_t = fac[t]
        op, hi, lo, cl = opens[t], highs[t], lows[t], closes[t]
        c2c = adj[t] / base - 1.0
        notes = []
        if np.isnan(op):
            notes.append(f"no Open in {origin or 'the source'}: overnight and intraday parts unknown")
        if hi < lo:
            notes.append(bad_range_note(session, hi, lo, origin))
            hi = lo = np.nan
        note = "; ".join(notes)
        rows.append(
            (
                session,
                c2c,
                op * f_t / base - 1.0,
                cl / op - 1.0,
                lo * f_t / base - 1.0,
                hi * f_t / base - 1.0,
                note,
            )
        )
    return pd.DataFrame(rows, columns=DECOMPOSITION_COLUMNS)


def adjusted_close(frame: pd.DataFrame) -> pd.Series:
    """Close × Adj Close / Close: the closes returns are measured on (Close where there is no Adj Close)."""
    close, factor = _close_and_factor(frame)
    return close * factor


def bad_range_note(session: pd.Timestamp, high: float, low: float, origin: str = "") -> str:
    """Why a session has no day's range although the source has High and Low."""
    where = f" in {origin}" if origin else ""
    return f"High {high:g} below Low {low:g} on {session:%Y-%m-%d}{where}: no day's range for that session"


def _close_and_factor(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    close = frame["Close"]
    adj = frame["Adj Close"]
    factor = (adj / close) if adj.notna().any() else pd.Series(1.0, index=frame.index)
    if adj.notna().any() and close.isna().all():  # auto-adjusted source: Close is empty
        close, factor = adj, pd.Series(1.0, index=frame.index)
    return close, factor
