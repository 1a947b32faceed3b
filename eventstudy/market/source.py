"""The one protocol every price source follows (CSV directories, yfinance, the disk cache)."""

from __future__ import annotations

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


def holds(source: PriceSource, symbol: str) -> bool:
    """Whether ``source`` has prices for ``symbol`` (a damaged file is an error, not a no)."""
    from eventstudy.errors import UnknownSymbolError

    try:
        source.prices(symbol, pd.Timestamp.min, pd.Timestamp.max)
    except UnknownSymbolError:
        return False
    return True
