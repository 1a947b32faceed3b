"""The one protocol every price source follows (CSV directories, yfinance, the disk cache).

Besides the protocol, the sources shipped here answer two questions `eventstudy check` asks
before a run: ``has(symbol)`` (prices held for it?) and ``day_range(symbol)`` (which symbol
gives its day's High/Low?). A source without them is asked through :func:`holds`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol, runtime_checkable

import pandas as pd


@runtime_checkable
class PriceSource(Protocol):
    """What a study needs from a source of daily prices."""

    name: str

    def prices(self, symbol: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
        """Validated price frame (see ``eventstudy.market.frames``) for ``start..end``."""
        ...

    def provenance(self) -> dict[str, dict[str, Any]]:
        """Per symbol read so far: where it came from (file hash or retrieval time)."""
        ...

    def describe(self) -> str:
        """One line naming the source, for reports."""
        ...


class FileSource:
    """What the sources of one file per symbol share: each file read once, its provenance, ``has``.

    A subclass reads and checks a symbol's file in ``_read_file`` and hands the frame with what
    its provenance says of the file to :meth:`_keep`.
    """

    name: str
    _frames: dict[str, pd.DataFrame]
    _provenance: dict[str, dict[str, Any]]

    def prices(self, symbol: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
        """Rows of ``symbol`` dated ``start..end`` inclusive (see ``frames``)."""
        if symbol not in self._frames:
            self._read_file(symbol)
        return self._frames[symbol].loc[start:end]

    def provenance(self) -> dict[str, dict[str, Any]]:
        """Per symbol read: source, file, sha256 (and what it was converted from), rows and date range."""
        return dict(self._provenance)

    def has(self, symbol: str) -> bool:
        """Whether the source holds ``symbol``'s prices (a damaged file is an error, not a no)."""
        return holds(self, symbol)

    def _read_file(self, symbol: str) -> None:
        raise NotImplementedError

    def _keep(self, symbol: str, frame: pd.DataFrame, origin: dict[str, Any]) -> None:
        """Keep ``symbol``'s checked frame and its provenance: ``origin``, then rows and date range."""
        self._frames[symbol] = frame
        self._provenance[symbol] = {
            **origin,
            "rows": len(frame),
            "first": str(frame.index[0].date()),
            "last": str(frame.index[-1].date()),
        }


def holds(source: PriceSource, symbol: str) -> bool:
    """Whether ``source`` has prices for ``symbol`` (a damaged file is an error, not a no)."""
    from eventstudy.errors import UnknownSymbolError

    try:
        source.prices(symbol, pd.Timestamp.min, pd.Timestamp.max)
    except UnknownSymbolError:
        return False
    return True


def has_high_low(frame: pd.DataFrame) -> bool:
    """Whether a price frame gives the day's range: High and Low both set in one of its first 20 rows."""
    head = frame.reindex(columns=["High", "Low"]).head(20)
    return bool(head.notna().all(axis=1).any())


def first_with_range(symbols: Iterable[str], read: Callable[[str], pd.DataFrame]) -> str | None:
    """The first of ``symbols`` whose prices (``read(symbol)``) have High/Low; one not readable is passed over."""
    from eventstudy.errors import EventStudyError

    for symbol in symbols:
        try:
            frame = read(symbol)
        except (OSError, EventStudyError):
            continue
        if has_high_low(frame):
            return symbol
    return None
