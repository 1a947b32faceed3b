"""Live prices from Yahoo Finance through yfinance (imported lazily).

yfinance returns an empty frame instead of raising when a download fails;
this source turns that into an error naming the symbol.

Failures and what :class:`YahooSource` does about them:

==========================  ===============================================
host name not resolved,     not retried: ``YahooUnreachable`` ("cannot
connection refused          reach Yahoo Finance (name resolution failed):
                            use --prices DIR, or try again later") at once,
                            and for every later symbol of the run
timeout, HTTP 429           retried with exponential backoff (rate limits
                            wait 4× longer)
other exception             not retried; ``DataError`` naming it
empty frame                 yfinance hides its errors behind empty frames
                            and logs them: the log (captured, not printed)
                            is classified as above; "delisted" / "no data"
                            → ``UnknownSymbolError`` at once; no reason
                            logged → retried, then ``UnknownSymbolError``
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

import contextlib
import datetime as dt
import importlib
import logging
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd

from eventstudy.errors import DataError, DataWarning, UnknownSymbolError
from eventstudy.market.frames import PRICE_COLUMNS, validate_prices
from eventstudy.market.price_cache import DiskCache

Downloader = Callable[..., pd.DataFrame | None]

# Rows may start or end this many calendar days inside the requested range
# without the frame counting as partial: weekends and holidays (Golden Week).
COVERAGE_SLACK = pd.Timedelta(days=10)
RATE_LIMIT_FACTOR = 4.0  # an HTTP 429 waits this many times the usual backoff

# what a failure's text (exception, or yfinance's log) says about its cause; lower case
_CAUSES = (
    ("name resolution failed", ("could not resolve host", "name or service not known", "failed to resolve",
                                "temporary failure in name resolution", "nodename nor servname", "getaddrinfo",
                                "nameresolutionerror", "dnserror", "curl: (6)", "no address associated")),
    ("connection refused", ("connection refused", "connectionrefusederror", "curl: (7)", "failed to connect",
                            "could not connect to server", "network is unreachable")),
    ("rate limited", ("429", "too many requests", "ratelimit", "rate limit")),
    ("timeout", ("timed out", "timeout", "curl: (28)")),
    ("no data", ("delisted", "no data found", "no price data found", "no timezone found", "symbol may be")),
)  # fmt: skip
_UNREACHABLE = ("name resolution failed", "connection refused")


class YahooUnreachable(DataError):
    """Yahoo Finance cannot be reached at all (no name resolution, connection refused)."""


def failure_cause(text: str) -> str | None:
    """The cause a failure's text names (see ``_CAUSES``), or None."""
    low = text.lower()
    for cause, marks in _CAUSES:
        if any(mark in low for mark in marks):
            return cause
    return None


class _LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            self.messages.append(record.getMessage())


@contextlib.contextmanager
def _yfinance_quiet() -> Iterator[list[str]]:
    """Collect yfinance's log messages and warnings during a download (they explain empty frames).

    With a handler on the "yfinance" logger, Python's last-resort handler no longer prints its
    messages to stderr; they still reach handlers an application configures (``--verbose``).
    yfinance's own warnings (pandas deprecations) are logged at DEBUG on "eventstudy.yahoo".
    """
    logger = logging.getLogger("yfinance")
    capture = _LogCapture()
    logger.addHandler(capture)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield capture.messages
    finally:
        logger.removeHandler(capture)
    for w in caught:
        logging.getLogger("eventstudy.yahoo").debug("yfinance warning: %s", w.message)


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
        self._unreachable: str = ""  # set once Yahoo Finance could not be reached: no more attempts

    def describe(self) -> str:
        """One line for reports."""
        where = f", cache {self.cache.directory}" if self.cache else ""
        return f"Yahoo Finance via yfinance{where}"

    def provenance(self) -> dict[str, dict[str, Any]]:
        """Per symbol: retrieval time, covered range, cache hit or download."""
        return dict(self._provenance)

    def has(self, symbol: str) -> bool:
        """Yes: Yahoo is not asked before the run (a download per symbol); the run says which symbol it lacks."""
        return True

    def day_range(self, symbol: str) -> str | None:
        """``symbol`` itself: Yahoo's daily bars carry High and Low."""
        return symbol

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
        if self._unreachable:
            raise YahooUnreachable(self._unreachable)
        download = self._downloader or importlib.import_module("yfinance").download
        attempts = self.retries + 1
        last, delay = "", self.backoff
        for attempt in range(1, attempts + 1):
            wait = delay
            with _yfinance_quiet() as log:
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
                    error: Exception | None = None
                except Exception as exc:  # network errors, timeouts, rate limits, yfinance's own
                    error = exc
            if error is None:
                try:
                    return from_yfinance(raw, symbol, auto_adjust=False), attempt
                except UnknownSymbolError as exc:  # an empty frame: yfinance logged why, if it knows
                    last = str(exc) + (f" (yfinance: {log[-1].strip()})" if log else "")
                    cause = failure_cause(" ".join(log))
                    if cause == "no data" or (cause is None and attempt == attempts):
                        raise UnknownSymbolError(f"{last} (empty in {attempt} attempt{'s' * (attempt > 1)})") from None
            else:
                last = f"{type(error).__name__}: {error}".rstrip(": ")
                cause = failure_cause(f"{last} {' '.join(log)}")
            if cause in _UNREACHABLE:
                self._unreachable = (
                    f"cannot reach Yahoo Finance ({cause}) to download {symbol}: use --prices DIR, or try again later"
                )
                raise YahooUnreachable(self._unreachable)
            if error is not None and cause not in ("timeout", "rate limited"):
                raise DataError(f"{symbol}: Yahoo Finance download failed: {last}")
            wait *= RATE_LIMIT_FACTOR if cause == "rate limited" else 1.0
            if attempt < attempts:
                self._sleep(wait)
                delay *= 2
        raise DataError(f"{symbol}: Yahoo Finance download failed in {attempts} attempt(s); last error: {last}")


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
