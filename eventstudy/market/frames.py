"""The price frame every source returns, and its validation.

A price frame::

    Date (index, naive, exchange-local session date, sorted, unique)
    +------------+--------+--------+--------+--------+-----------+----------+
    | Date       | Open   | High   | Low    | Close  | Adj Close | Volume   |
    +------------+--------+--------+--------+--------+-----------+----------+
    | 2025-01-17 | 158.12 | 162.00 | 157.50 | 161.03 | 160.63    | 1.2e7    |
    +------------+--------+--------+--------+--------+-----------+----------+

All columns are float; an empty cell (NaN) means the source lacks that field
(indices have no Adj Close; 9984.T's Yahoo file has no Open). ``Close`` is
split-adjusted; ``Adj Close`` is split- and dividend-adjusted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy.errors import DataError

PRICE_COLUMNS = ["Open", "High", "Low", "Close", "Adj Close", "Volume"]
# a close this many times the previous one (or that much smaller) is refused as a data error
MAX_JUMP = 1000.0


def validate_prices(frame: pd.DataFrame, symbol: str, origin: str) -> pd.DataFrame:
    """Check and normalise a price frame; raise ``DataError`` naming the problem.

    Parameters
    ----------
    frame
        Frame with a date index and at least a ``Close`` column.
    symbol
        Symbol, for messages.
    origin
        Where the frame came from (a file path or "yfinance"), for messages.
    """
    if frame.empty:
        raise DataError(f"{symbol}: no price rows in {origin}")
    missing = [c for c in ("Close",) if c not in frame.columns]
    if missing:
        raise DataError(f"{symbol}: {origin} lacks column(s) {missing}; expected {','.join(['Date', *PRICE_COLUMNS])}")
    out = frame.reindex(columns=PRICE_COLUMNS).rename_axis(columns=None)  # yfinance names it "Price"
    try:
        out = out.astype("float64")
    except (TypeError, ValueError) as exc:
        raise DataError(f"{symbol}: non-numeric price in {origin}: {exc}") from None
    index = pd.DatetimeIndex(out.index)
    if index.tz is not None:
        index = index.tz_localize(None)  # keep the exchange-local wall date
    out.index = index.normalize().rename("Date")
    dup = out.index[out.index.duplicated()]
    if len(dup):
        raise DataError(f"{symbol}: duplicate date {dup[0].date()} in {origin}; remove the repeated row")
    if not out.index.is_monotonic_increasing:
        bad = out.index[1:][np.diff(out.index.asi8) < 0][0]
        raise DataError(f"{symbol}: rows out of date order at {bad.date()} in {origin}; sort the file by Date")
    infinite = np.isinf(out.to_numpy())
    if infinite.any():
        row, col = np.argwhere(infinite)[0]
        raise DataError(
            f"{symbol}: infinite value {out.iat[row, col]} in column {out.columns[col]} on "
            f"{out.index[row].date()} in {origin}; fix or remove the row"
        )
    prices = out[["Open", "High", "Low", "Close", "Adj Close"]]
    nonpos = prices.le(0).any(axis=1)
    if nonpos.any():
        raise DataError(f"{symbol}: zero or negative price on {out.index[nonpos][0].date()} in {origin}")
    negative = out["Volume"].lt(0)
    if negative.any():
        day = out.index[negative][0]
        raise DataError(
            f"{symbol}: negative Volume {out.at[day, 'Volume']:g} on {day.date()} in {origin}; fix or remove the row"
        )
    latest = pd.Timestamp.now(tz="UTC").tz_localize(None).normalize() + pd.Timedelta(days=1)  # Tokyo is ahead of UTC
    if out.index[-1] > latest:
        raise DataError(
            f"{symbol}: row dated {out.index[-1].date()} lies in the future in {origin}; fix the date or remove the row"
        )
    for col in ("Close", "Adj Close"):
        _check_jumps(out[col].dropna(), symbol, col, origin)
    return out


def _check_jumps(price: pd.Series, symbol: str, column: str, origin: str) -> None:
    """A price ``MAX_JUMP`` times the one before it, or that much smaller, is a data error (1e308, 1e-300)."""
    if len(price) < 2:
        return
    values = price.to_numpy()
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        ratio = values[1:] / values[:-1]
    bad = ~np.isfinite(ratio) | (ratio > MAX_JUMP) | (ratio < 1.0 / MAX_JUMP)
    if bad.any():
        i = int(bad.argmax())
        raise DataError(
            f"{symbol}: {column} {values[i + 1]:.6g} on {price.index[i + 1].date()} is {ratio[i]:.3g} times "
            f"the previous row's {values[i]:.6g} ({price.index[i].date()}) in {origin}; a daily move that large is "
            "a data error: fix the row"
        )


def price_series(frame: pd.DataFrame) -> pd.Series:
    """Adjusted price: ``Adj Close`` where the column is filled, else ``Close``.

    The choice is per column, not per row, so a series never mixes
    dividend-adjusted and unadjusted levels.
    """
    adj = frame["Adj Close"]
    return (adj if adj.notna().any() else frame["Close"]).rename("price")


# a daily price ratio this close (in log terms) to a split ratio k or 1/k, on a day the benchmark
# moved less than SPLIT_QUIET_MARKET, is named as a likely split the prices were not adjusted for
SPLIT_RATIOS = (2, 3, 4, 5, 8, 10, 15, 20, 25, 50, 100)
SPLIT_LOG_TOLERANCE = 0.04
SPLIT_QUIET_MARKET = 0.05


def split_like_moves(price: np.ndarray, benchmark: np.ndarray) -> list[tuple[int, float, int]]:
    """Positions ``t`` where ``price[t] / price[t - 1]`` looks like an unapplied split: (t, ratio, k).

    ``k`` > 0 for a forward split not applied (the price divided by about ``k``), < 0 for a reverse
    split (multiplied by about ``-k``). Only days the benchmark moved less than
    ``SPLIT_QUIET_MARKET`` count: a market crash is no split.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log(price[1:] / price[:-1])
        market = np.abs(benchmark[1:] / benchmark[:-1] - 1.0)
    found = []
    for t in np.flatnonzero(np.abs(log_ratio) > np.log(1.8) - SPLIT_LOG_TOLERANCE):
        if not market[t] < SPLIT_QUIET_MARKET:  # NaN: no benchmark price that day, nothing to compare
            continue
        k = min(SPLIT_RATIOS, key=lambda r: abs(abs(log_ratio[t]) - np.log(r)))
        if abs(abs(log_ratio[t]) - np.log(k)) < SPLIT_LOG_TOLERANCE:
            found.append((int(t) + 1, float(np.exp(log_ratio[t])), k if log_ratio[t] < 0 else -k))
    return found


def split_warning(symbol: str, benchmark: str, day: pd.Timestamp, ratio: float, k: int) -> str:
    """The words for one of :func:`split_like_moves`."""
    kind = f"a {k}-for-1 split" if k > 0 else f"a 1-for-{-k} reverse split"
    return (
        f"{symbol}: the price on {day.date()} is {ratio:.4g} times the previous session's while {benchmark} "
        f"moved less than {SPLIT_QUIET_MARKET:.0%}: likely {kind} the prices were not adjusted for; "
        "check the price file (returns, ARs and tests across that day are wrong if so)"
    )
