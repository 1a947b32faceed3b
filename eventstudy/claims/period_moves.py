"""Period moves: from a reference close the article names to the close of a session.

``since`` (see :data:`eventstudy.spec.types.SINCE_PATTERN`) names the reference:

- ``YYYY-MM-DD``: the close of the last session on or before that date
  ("year to date" is ``2024-12-31``);
- ``high:YYYY-MM`` / ``low:YYYY-MM``: the highest / lowest close of that month;
- ``high:record`` / ``low:record``: the highest / lowest close of the whole price history up to the
  first session the claim is judged on, the one before its own (the words say from when the history
  runs: a record set before it is not seen).

Closes are adjusted closes (:func:`eventstudy.market.decompose.adjusted_close`), read from the price
source over the span the reference needs, however far before the estimation window it lies. The
move on session s is ``close_s / reference - 1``; it is never judged as a one-day move.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from eventstudy.market.decompose import adjusted_close

PriceReader = Callable[[str, pd.Timestamp, pd.Timestamp], pd.DataFrame]
_MARGIN = pd.Timedelta(days=10)  # calendar days before a named date, to find the last session on or before it


@dataclass(frozen=True)
class Reference:
    """The close a period move is measured from."""

    session: pd.Timestamp
    close: float  # adjusted, what the move is measured from
    price: float  # the Close as printed in the source
    words: str  # "the highest close of July 2025 (2025-07-11, 245.12)"


_HISTORY_START = pd.Timestamp("1970-01-02")  # a record is looked for in all the history the source has


def span_start(since: str) -> pd.Timestamp:
    """First date the reference needs prices from."""
    when = since.split(":")[-1]
    if when == "record":
        return _HISTORY_START
    if len(when) == 7:
        return pd.Timestamp(f"{when}-01")
    return pd.Timestamp(when) - _MARGIN


def reference(since: str, frame: pd.DataFrame, until: pd.Timestamp | None = None) -> Reference | None:
    """The reference close named by ``since`` in ``frame`` (None when the prices do not reach it).

    ``until``: the first session judged (the one before the claim's); a record is the highest (lowest) close up
    to it.
    """
    closes = adjusted_close(frame).dropna()
    kind, _, when = since.rpartition(":")
    if when == "record":
        history = closes[closes.index <= until] if until is not None else closes
        if history.empty:
            return None
        day = history.idxmax() if kind == "high" else history.idxmin()
        extreme = "highest" if kind == "high" else "lowest"
        words = f"the {extreme} close of the price history (from {history.index[0]:%Y-%m-%d})"
    elif kind:
        month = closes[closes.index.strftime("%Y-%m") == when]
        if month.empty:
            return None
        day = month.idxmax() if kind == "high" else month.idxmin()
        name = f"{dt.date.fromisoformat(when + '-01'):%B %Y}"
        words = f"the {'highest' if kind == 'high' else 'lowest'} close of {name}"
    else:
        named = pd.Timestamp(when)
        before = closes[closes.index <= named]
        if before.empty or before.index[-1] < named - _MARGIN:
            return None
        day = before.index[-1]
        words = f"the close of {when}" if day == named else f"the close of the last session on or before {when}"
    price = float(frame.loc[day, "Close"]) if pd.notna(frame.loc[day, "Close"]) else float(closes[day])
    return Reference(pd.Timestamp(day), float(closes[day]), price, f"{words} ({day:%Y-%m-%d}, {price:,.2f})")


def period_moves(frame: pd.DataFrame, ref: Reference, sessions: pd.Series) -> pd.Series:
    """The move from the reference close to the close of each of ``sessions`` (a Series by day)."""
    closes = adjusted_close(frame)
    return pd.Series(
        [float(closes.get(s, float("nan"))) / ref.close - 1 for s in sessions], index=sessions.index, dtype=float
    )
