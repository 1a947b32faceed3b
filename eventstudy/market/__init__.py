"""Stage 3, the market: exchange sessions, daily prices and returns.

Owns the price sources behind one protocol (:mod:`~eventstudy.market.source`: offline CSV
directories, Parquet files at an fsspec URL for the workers of a Dask cluster
(:mod:`~eventstudy.market.parquet`), yfinance, the disk cache), price frames and their checks, Fama-French factors,
exchange calendars (day 0 of an event) and the decomposition of a move into overnight and
intraday parts. Returns panels per exchange are built by the engine (:mod:`eventstudy.engine.panel`).
May import: :mod:`eventstudy.spec` and the base layer (:mod:`eventstudy.errors`, :mod:`eventstudy.file_io`).
"""

from __future__ import annotations

from eventstudy.market.csv_folder import CsvDirectorySource
from eventstudy.market.frames import PRICE_COLUMNS, price_series, validate_prices
from eventstudy.market.parquet import ParquetSource
from eventstudy.market.price_cache import DiskCache
from eventstudy.market.source import PriceSource
from eventstudy.market.yahoo import YahooSource

__all__ = [
    "PRICE_COLUMNS",
    "CsvDirectorySource",
    "DiskCache",
    "ParquetSource",
    "PriceSource",
    "YahooSource",
    "price_series",
    "validate_prices",
]
