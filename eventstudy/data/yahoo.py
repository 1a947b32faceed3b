"""Live prices from Yahoo Finance through yfinance (imported lazily).

yfinance returns an empty frame instead of raising when a download fails;
this source turns that into an error naming the symbol.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from typing import Any

import pandas as pd

from eventstudy.data.cache import DiskCache
from eventstudy.data.frames import PRICE_COLUMNS, validate_prices
from eventstudy.errors import DataError, UnknownSymbolError

Downloader = Callable[..., pd.DataFrame | None]


def from_yfinance(raw: pd.DataFrame | None, symbol: str, *, auto_adjust: bool) -> pd.DataFrame:
    """Turn a ``yfinance.download`` frame into a price frame.

    Handles MultiIndex columns ``(Price, Ticker)`` or ``(Ticker, Price)``,
    flat columns, and tz-aware indexes (the local wall date is kept, never
    shifted through UTC). With ``auto_adjust=True`` yfinance's ``Close`` is
    already split- and dividend-adjusted and there is no ``Adj Close``: it
    becomes ``Adj Close`` here and ``Close`` is left empty, so an adjusted
    number is never mistaken for a quoted one.
    """
    if raw is None or raw.empty or raw.dropna(how="all").empty:
        raise UnknownSymbolError(
            f"Yahoo Finance returned no prices for {symbol!r}; check the ticker "
            "(e.g. 9984.T for SoftBank Group, ^GSPC for the S&P 500) or try again later"
        )
    frame = raw
    if isinstance(frame.columns, pd.MultiIndex):
        frame = _select_ticker(frame, symbol)
    frame = frame.rename(columns=lambda c: str(c).strip().title().replace("Adj close", "Adj Close"))
    if auto_adjust:
        frame = frame.assign(**{"Adj Close": frame["Close"], "Close": float("nan")})
    frame = frame.reindex(columns=PRICE_COLUMNS)
    frame = frame.dropna(subset=["Close", "Adj Close"], how="all")
    return validate_prices(frame, symbol, "yfinance")


def _select_ticker(frame: pd.DataFrame, symbol: str) -> pd.DataFrame:
    for level in range(frame.columns.nlevels):
        values = frame.columns.get_level_values(level)
        if symbol in set(values):
            return frame.xs(symbol, axis=1, level=level)
    tickers = sorted({str(v) for lvl in range(frame.columns.nlevels) for v in frame.columns.get_level_values(lvl)})
    raise DataError(f"yfinance frame has no columns for {symbol!r} (columns mention {tickers})")


class YahooSource:
    """Prices from yfinance with a read-through :class:`DiskCache`.

    Parameters
    ----------
    cache
        Disk cache; ``None`` disables caching.
    downloader
        Callable with ``yfinance.download``'s signature; by default
        ``yfinance.download``, imported on first use. Tests pass a fake.
    now
        Clock for retrieval times (injectable for tests).
    """

    name = "yfinance"

    def __init__(
        self,
        cache: DiskCache | None = None,
        *,
        downloader: Downloader | None = None,
        now: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.cache = cache
        self._downloader = downloader
        self._now = now or (lambda: dt.datetime.now(dt.UTC))
        self._provenance: dict[str, dict[str, Any]] = {}

    def describe(self) -> str:
        """One line for reports."""
        where = f", cache {self.cache.directory}" if self.cache else ""
        return f"Yahoo Finance via yfinance{where}"

    def provenance(self) -> dict[str, dict[str, Any]]:
        """Per symbol: retrieval time, covered range, cache hit or download."""
        return dict(self._provenance)

    def prices(self, symbol: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
        """Rows of ``symbol`` dated ``start..end`` inclusive."""
        if self.cache is not None and (hit := self.cache.get(symbol, start, end)) is not None:
            frame, meta = hit
            self._provenance[symbol] = {**meta, "cache": "hit"}
            return frame.loc[start:end]
        frame = self._download(symbol, start, end)
        meta = {
            "source": "yfinance",
            "start": str(start.date()),
            "end": str(end.date()),
            "retrieved_at": self._now().isoformat(timespec="seconds"),
            "yfinance": _yf_version(),
        }
        if self.cache is not None:
            meta = self.cache.put(symbol, frame, meta)
        self._provenance[symbol] = {**meta, "cache": "miss"}
        return frame.loc[start:end]

    def _download(self, symbol: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
        download = self._downloader or importlib.import_module("yfinance").download
        raw = download(
            symbol,
            start=start.strftime("%Y-%m-%d"),
            end=(end + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),  # yfinance's end is exclusive
            auto_adjust=False,
            actions=False,
            progress=False,
            threads=False,
            multi_level_index=True,
        )
        return from_yfinance(raw, symbol, auto_adjust=False)


def _yf_version() -> str:
    try:
        return str(importlib.import_module("yfinance").__version__)
    except ImportError:
        return "not installed"
