"""Live prices from Yahoo Finance through yfinance (imported lazily).

yfinance returns an empty frame instead of raising when a download fails;
this source turns that into an error naming the symbol.

Failures and what :class:`YahooSource` does about them:

==========================  ===============================================
download raises             retried with exponential backoff (network
(DNS, timeout, HTTP 429)    errors, timeouts; rate limits wait 4× longer)
empty frame                 retried the same way (yfinance hides errors
                            behind empty frames); still empty after the
                            retries → ``UnknownSymbolError``
partial frame (rows do not  not retried (a listing or delisting date does
reach the requested start   not move); the cached copy is used if it
or end)                     covers the request, else the partial frame is
                            returned with a ``DataWarning`` and cached for
                            the range it really covers
every attempt failed        the cached copy, whatever its range, if it
                            covers the request (``DataWarning`` naming its
                            retrieval time); else ``DataError`` naming
                            the symbol and the last error
==========================  ===============================================
"""

from __future__ import annotations

import datetime as dt
import importlib
import time
import warnings
from collections.abc import Callable
from typing import Any

import pandas as pd

from eventstudy.data.cache import DiskCache
from eventstudy.data.frames import PRICE_COLUMNS, validate_prices
from eventstudy.errors import DataError, DataWarning, UnknownSymbolError

Downloader = Callable[..., pd.DataFrame | None]

# Rows may start or end this many calendar days inside the requested range
# without the frame counting as partial: weekends and holidays (Golden Week).
COVERAGE_SLACK = pd.Timedelta(days=10)
RATE_LIMIT_FACTOR = 4.0  # an HTTP 429 waits this many times the usual backoff


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
    retries
        Further attempts after a failed download (an exception or an empty
        frame); 0 tries once.
    backoff
        Seconds before the first retry, doubled before each next one
        (1, 2, 4 s by default); times ``RATE_LIMIT_FACTOR`` after an HTTP 429.
    sleep
        Called with the seconds to wait between attempts (``time.sleep``
        by default; tests pass a recorder so nothing waits).
    """

    name = "yfinance"

    def __init__(
        self,
        cache: DiskCache | None = None,
        *,
        downloader: Downloader | None = None,
        now: Callable[[], dt.datetime] | None = None,
        retries: int = 3,
        backoff: float = 1.0,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if retries < 0 or backoff < 0:
            raise ValueError(f"retries and backoff must not be negative (got {retries}, {backoff})")
        self.cache = cache
        self.retries = retries
        self.backoff = backoff
        self._downloader = downloader
        self._now = now or (lambda: dt.datetime.now(dt.UTC))
        self._sleep = sleep or time.sleep
        self._provenance: dict[str, dict[str, Any]] = {}

    def describe(self) -> str:
        """One line for reports."""
        where = f", cache {self.cache.directory}" if self.cache else ""
        return f"Yahoo Finance via yfinance{where}"

    def provenance(self) -> dict[str, dict[str, Any]]:
        """Per symbol: retrieval time, covered range, cache hit or download."""
        return dict(self._provenance)

    def prices(self, symbol: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
        """Rows of ``symbol`` dated ``start..end`` inclusive.

        Raises
        ------
        UnknownSymbolError
            Every attempt returned an empty frame and no cached copy covers
            the request.
        DataError
            Every attempt failed otherwise (the message names the symbol and
            the last error) and no cached copy covers the request.
        """
        if self.cache is not None and (hit := self.cache.get(symbol, start, end)) is not None:
            frame, meta = hit
            self._provenance[symbol] = {**meta, "cache": "hit"}
            return frame.loc[start:end]
        retrieved = self._now()
        try:
            frame, attempts = self._download(symbol, start, end)
        except DataError as exc:
            if (cached := self._cached_cover(symbol, start, end, retrieved)) is not None:
                return self._fallback(symbol, cached, start, end, f"the download failed: {exc}")
            raise
        covered_start, covered_end = _coverage(frame, start, end, retrieved)
        if _partial(frame, start, end, retrieved):
            first, last = frame.index[0].date(), frame.index[-1].date()
            if (cached := self._cached_cover(symbol, start, end, retrieved)) is not None:
                return self._fallback(symbol, cached, start, end, f"the download has rows from {first} to {last} only")
            warnings.warn(
                f"{symbol}: Yahoo Finance has prices from {first} to {last} only, not the whole of "
                f"{start.date()} to {end.date()} (listing or delisting date?)",
                DataWarning,
                stacklevel=2,
            )
        meta = {
            "source": "yfinance",
            "start": str(covered_start.date()),
            "end": str(covered_end.date()),
            "retrieved_at": retrieved.isoformat(timespec="seconds"),
            "yfinance": _yf_version(),
        }
        if self.cache is not None:
            meta = self.cache.put(symbol, frame, meta)
        self._provenance[symbol] = {**meta, "cache": "miss", "attempts": attempts}
        return frame.loc[start:end]

    def _cached_cover(
        self, symbol: str, start: pd.Timestamp, end: pd.Timestamp, now: dt.datetime
    ) -> tuple[pd.DataFrame, dict[str, Any]] | None:
        """A valid cached entry whose rows cover ``start..end`` (within the slack), else None."""
        if self.cache is None or (cached := self.cache.load(symbol)) is None:
            return None
        return None if _partial(cached[0], start, end, now) else cached

    def _fallback(
        self,
        symbol: str,
        cached: tuple[pd.DataFrame, dict[str, Any]],
        start: pd.Timestamp,
        end: pd.Timestamp,
        why: str,
    ) -> pd.DataFrame:
        frame, meta = cached
        warnings.warn(
            f"{symbol}: {why}; using the cached prices retrieved {meta.get('retrieved_at', 'at an unknown time')} "
            f"({frame.index[0].date()} to {frame.index[-1].date()})",
            DataWarning,
            stacklevel=3,
        )
        self._provenance[symbol] = {**meta, "cache": "fallback", "fallback_reason": why}
        return frame.loc[start:end]

    def _download(self, symbol: str, start: pd.Timestamp, end: pd.Timestamp) -> tuple[pd.DataFrame, int]:
        """Download with retries; return the frame and the number of attempts."""
        download = self._downloader or importlib.import_module("yfinance").download
        attempts = self.retries + 1
        last, delay = "", self.backoff
        for attempt in range(1, attempts + 1):
            wait = delay
            try:
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
                return from_yfinance(raw, symbol, auto_adjust=False), attempt
            except UnknownSymbolError as exc:  # an empty frame: maybe a hidden network error
                last = str(exc)
                if attempt == attempts:
                    raise UnknownSymbolError(f"{exc} (empty in {attempts} attempts)") from None
            except DataError:  # a malformed frame: another try would not change it
                raise
            except Exception as exc:  # network errors, timeouts, rate limits, yfinance's own
                last = f"{type(exc).__name__}: {exc}".rstrip(": ")
                wait *= RATE_LIMIT_FACTOR if _rate_limited(exc) else 1.0
            if attempt < attempts:
                self._sleep(wait)
                delay *= 2
        raise DataError(f"{symbol}: Yahoo Finance download failed in {attempts} attempt(s); last error: {last}")


def _rate_limited(exc: BaseException) -> bool:
    text = f"{type(exc).__name__} {exc}"
    return "429" in text or "too many requests" in text.lower() or "ratelimit" in text.lower()


def _last_final_day(end: pd.Timestamp, now: dt.datetime) -> pd.Timestamp:
    """``end``, or yesterday when the range reaches today (today's session may still be trading)."""
    return min(end, pd.Timestamp(now.date()) - pd.Timedelta(days=1))


def _partial(frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, now: dt.datetime) -> bool:
    """Whether the rows stop short of ``start..end`` by more than ``COVERAGE_SLACK`` at either end."""
    final = _last_final_day(end, now)
    return frame.index[0] - start > COVERAGE_SLACK or final - frame.index[-1] > COVERAGE_SLACK


def _coverage(
    frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, now: dt.datetime
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The part of ``start..end`` the frame's rows really cover, as recorded in the cache.

    Rows starting or ending within ``COVERAGE_SLACK`` of the range (weekends,
    holidays) cover it. A range reaching today counts as covered up to
    yesterday only, so a later request for it downloads again.
    """
    first, last = frame.index[0], frame.index[-1]
    final = _last_final_day(end, now)
    covered_start = start if first - start <= COVERAGE_SLACK else first
    covered_end = final if final - last <= COVERAGE_SLACK else last
    return covered_start, covered_end


def _yf_version() -> str:
    try:
        return str(importlib.import_module("yfinance").__version__)
    except ImportError:
        return "not installed"
