"""Price sources: offline CSV directories and live yfinance, behind one protocol."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import pandas as pd

from eventstudy.data.cache import DiskCache
from eventstudy.data.csv import CsvDirectorySource
from eventstudy.data.frames import PRICE_COLUMNS, price_series, validate_prices
from eventstudy.data.yahoo import YahooSource


@runtime_checkable
class PriceSource(Protocol):
    """What a study needs from a source of daily prices."""

    name: str

    def prices(self, symbol: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
        """Validated price frame (see ``eventstudy.data.frames``) for ``start..end``."""
        ...

    def provenance(self) -> dict[str, dict[str, Any]]:
        """Per symbol read so far: where it came from (file hash or retrieval time)."""
        ...

    def describe(self) -> str:
        """One line naming the source, for reports."""
        ...


__all__ = [
    "PRICE_COLUMNS",
    "CsvDirectorySource",
    "DiskCache",
    "PriceSource",
    "YahooSource",
    "price_series",
    "validate_prices",
]
