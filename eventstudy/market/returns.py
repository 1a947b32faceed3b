"""Returns from prices, aligned to a security's own exchange sessions.

The returns panel for one (event, security) pair::

    day (index: session offset from day 0)
    +-----+------------+----------+-----------+-----------+-----------------+
    | day | session    | return   | benchmark | price     | benchmark_price |
    +-----+------------+----------+-----------+-----------+-----------------+
    |  -1 | 2025-01-17 |  0.0137  |  0.0100   | 160.63    | 5996.66         |
    |   0 | 2025-01-21 |  0.0717  |  0.0088   | 172.14    | 6049.24         |
    +-----+------------+----------+-----------+-----------+-----------------+

Returns are simple decimal returns between consecutive sessions of the
security's exchange, from adjusted prices (``price_series``).
"""

from __future__ import annotations

import warnings

import pandas as pd

from eventstudy.errors import DataWarning, InsufficientHistoryError, MissingPricesError
from eventstudy.market.frames import price_series


def simple_returns(prices: pd.Series) -> pd.Series:
    """``P_t / P_{t-1} - 1`` between consecutive rows (first row NaN)."""
    return prices / prices.shift(1) - 1.0


def aligned_returns(
    security: pd.DataFrame,
    benchmark: pd.DataFrame,
    sessions: pd.DatetimeIndex,
    *,
    ticker: str,
    benchmark_symbol: str,
) -> pd.DataFrame:
    """Security and benchmark returns on ``sessions[1:]``.

    ``sessions`` are consecutive sessions of the security's exchange; the
    first one only provides the starting price. The security must have a
    price on every session: a gap raises, naming the sessions. The
    benchmark may trade on other days (another exchange): its last close
    on or before each session is used, so its returns still compound to
    the right total, and a ``DataWarning`` says how many sessions were
    carried forward.

    Raises
    ------
    InsufficientHistoryError
        The security's data start after the first session needed.
    MissingPricesError
        Sessions inside the range have no price.
    """
    sec_price = price_series(security).dropna()
    _require_history(sec_price, sessions, ticker)
    on_sessions = sec_price.reindex(sessions)
    gaps = on_sessions.index[on_sessions.isna()]
    if len(gaps):
        shown = ", ".join(str(d.date()) for d in gaps[:5])
        more = f" and {len(gaps) - 5} more" if len(gaps) > 5 else ""
        raise MissingPricesError(
            f"{ticker}: no price on session(s) {shown}{more} needed by the windows; "
            "fill the data source or move the event"
        )
    carried = prices_on_sessions(benchmark, sessions, symbol=benchmark_symbol, ticker=ticker)
    out = pd.DataFrame(
        {
            "session": sessions,
            "return": simple_returns(on_sessions).to_numpy(),
            "benchmark": simple_returns(carried).to_numpy(),
            "price": on_sessions.to_numpy(),
            "benchmark_price": carried.to_numpy(),
        }
    )
    return out.iloc[1:].reset_index(drop=True)


def prices_on_sessions(frame: pd.DataFrame, sessions: pd.DatetimeIndex, *, symbol: str, ticker: str) -> pd.Series:
    """Adjusted prices of an index on a security's sessions, last close carried forward.

    Used for benchmarks and factor indices, which may trade on other days;
    a ``DataWarning`` says how many sessions were carried forward.
    """
    price = price_series(frame)
    # a row with an empty price is a hole in the file, not a day the index did not trade
    holes = price.index[price.isna() & (price.index >= sessions[0]) & (price.index <= sessions[-1])]
    if len(holes):
        raise MissingPricesError(
            f"{symbol}: empty price cell on {', '.join(str(d.date()) for d in holes[:5])}, inside the windows of "
            f"{ticker}; fill the cell, or remove the row if the market was closed"
        )
    price = price.dropna()
    _require_history(price, sessions, symbol)
    carried = price.reindex(price.index.union(sessions)).ffill().reindex(sessions)
    n_carried = int((~sessions.isin(price.index)).sum())
    if n_carried:
        warnings.warn(
            f"{symbol}: no close on {n_carried} session(s) of {ticker}'s exchange between "
            f"{sessions[0].date()} and {sessions[-1].date()}; its previous close was carried forward",
            DataWarning,
            stacklevel=3,
        )
    return carried


def _require_history(prices: pd.Series, sessions: pd.DatetimeIndex, symbol: str) -> None:
    if prices.empty:
        raise MissingPricesError(f"{symbol}: no prices between {sessions[0].date()} and {sessions[-1].date()}")
    if prices.index[0] > sessions[0]:
        raise InsufficientHistoryError(
            f"{symbol}: the windows need prices from {sessions[0].date()}, but the data start on "
            f"{prices.index[0].date()}; shorten study.estimation_window or choose a later event"
        )
    if prices.index[-1] < sessions[-1]:
        raise InsufficientHistoryError(
            f"{symbol}: the windows need prices up to {sessions[-1].date()}, but the data end on "
            f"{prices.index[-1].date()}; shorten study.ar_window or update the data"
        )
