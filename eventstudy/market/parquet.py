"""Prices as Parquet files behind an fsspec URL: what the workers of a Dask cluster read.

A price folder in Parquet is one file per symbol, ``<symbol>.parquet``
(``^GSPC`` → ``GSPC.parquet``), with a ``Date`` column (date32) and the
columns of a price frame (see :mod:`eventstudy.market.frames`); the
location is a local folder, an NFS mount or any URL fsspec opens
(``file://…``, ``s3://bucket/prices`` with ``s3fs``, ``gs://…`` with
``gcsfs``). :func:`write_parquet_prices` (``eventstudy prices to-parquet``)
converts a folder of price CSVs; each file keeps the name and sha256 of the
CSV it came from in its metadata.

:class:`ParquetSource` reads a symbol's file on first use, so a Dask task
reads only the symbols of its own pairs; it pickles as its URL alone.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.errors import DataError, EventStudyError, UnknownSymbolError
from eventstudy.market.frames import PRICE_COLUMNS, validate_prices
from eventstudy.market.source import FileSource, first_with_range

SUFFIX = ".parquet"
FSSPEC_MISSING = "reading Parquet prices needs fsspec, a dependency of eventstudy: pip install eventstudy-claims"
_META = b"eventstudy"  # key of the schema metadata: the CSV a file was converted from


def is_url(location: str | Path) -> bool:
    """Whether ``location`` is a URL (``scheme://…``) rather than a local path."""
    return "://" in str(location)


def parquet_filename(symbol: str) -> str:
    """File name of a symbol's Parquet prices: the symbol without a leading ``^``, plus ``.parquet``."""
    return symbol.lstrip("^") + SUFFIX


def is_parquet_location(location: str | Path) -> bool:
    """A URL, or a local folder of ``*.parquet`` files and no ``*.csv`` (else a folder of price CSVs)."""
    if is_url(location):
        return True
    path = Path(location)
    return path.is_dir() and any(path.glob("*" + SUFFIX)) and not any(path.glob("*.csv"))


class ParquetSource(FileSource):
    """Read prices from ``URL/<symbol>.parquet`` through fsspec, one file per symbol on first use.

    Parameters
    ----------
    url
        A local folder or any URL fsspec opens (``file:///data/prices``,
        ``s3://bucket/prices``); every Dask worker must see the same location.
    """

    name = "parquet"

    def __init__(self, url: str | Path) -> None:
        self._open(str(url).rstrip("/"))
        if not self._fs.isdir(self._root):
            what = "is not a folder" if self._fs.exists(self._root) else "does not exist"
            raise DataError(f"price location {self.url} {what}; check --prices")

    def _open(self, url: str) -> None:
        self.url = url
        self._fs, self._root = _filesystem(url)
        self._frames: dict[str, pd.DataFrame] = {}
        self._provenance: dict[str, dict[str, Any]] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"url": self.url}  # a worker opens the location itself and reads what its pairs need

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._open(state["url"])  # a worker that cannot see it fails on the first read, naming the file

    def describe(self) -> str:
        """One line for reports."""
        return f"Parquet prices {self.url}"

    def day_range(self, symbol: str) -> str | None:
        """The symbol whose file gives ``symbol``'s day range (High/Low), or None.

        Itself, else the first second file ``<symbol>_*.parquet`` that has them, else None
        (as :meth:`~eventstudy.market.csv_folder.CsvDirectorySource.day_range`). Nothing is cached.
        """
        stem = parquet_filename(symbol).removesuffix(SUFFIX)
        found = self._fs.glob(f"{self._root}/{stem}_*{SUFFIX}")
        others = sorted(str(p).rsplit("/", 1)[-1].removesuffix(SUFFIX) for p in found)
        return first_with_range([symbol, *others], lambda s: self._read(s)[0])

    def _read_file(self, symbol: str) -> None:
        frame, raw, table = self._read(symbol)
        meta = (table.schema.metadata or {}).get(_META)
        origin = dict(zip(("csv", "csv_sha256"), meta.decode().split(" ", 1), strict=True)) if meta else {}
        file = {"source": "parquet", "file": parquet_filename(symbol), "sha256": hashlib.sha256(raw).hexdigest()}
        self._keep(symbol, frame, file | origin)

    def _read(self, symbol: str) -> tuple[pd.DataFrame, bytes, Any]:
        """``symbol``'s checked frame, the file's bytes and its Parquet table (not cached)."""
        import pyarrow.parquet as pq

        name = parquet_filename(symbol)
        path = f"{self._root}/{name}"
        try:
            raw = self._fs.cat_file(path)
        except FileNotFoundError:
            raise UnknownSymbolError(
                f"no price file for {symbol!r} in {self.url} (looked for {name}); "
                "convert it with `eventstudy prices to-parquet` or fix the ticker"
            ) from None
        except OSError as exc:
            raise DataError(f"{self.url}/{name}: cannot be read: {exc}") from None
        try:
            table = pq.read_table(io.BytesIO(raw))
        except Exception as exc:  # pyarrow raises ArrowInvalid and others for a damaged file
            raise DataError(f"{self.url}/{name}: not a readable Parquet file ({exc})") from None
        frame = _to_frame(table, f"{self.url}/{name}")
        return validate_prices(frame, symbol, f"{self.url}/{name}"), raw, table


def write_parquet_prices(prices: str | Path, url: str | Path, symbols: list[str] | None = None) -> list[str]:
    """Write the price CSVs of folder ``prices`` as ``url/<symbol>.parquet``; the file names written.

    Each CSV is read and checked as :class:`~eventstudy.market.csv_folder.CsvDirectorySource` reads it
    (the frames :class:`ParquetSource` returns are equal to the CSV source's). ``symbols``
    (default: every ``*.csv`` of the folder) are file stems (``GSPC`` for ``^GSPC``).

    Raises
    ------
    EventStudyError
        The price folder holds no CSV, a CSV is malformed (naming it), or ``url``
        holds other files than ``*.parquet`` (a folder of someone else's: nothing is written).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from eventstudy.market.csv_folder import CsvDirectorySource
    from eventstudy.spec import SYMBOL

    if bad := [s for s in symbols or () if not SYMBOL.match(s)]:  # a name, never a path
        raise EventStudyError(
            f"--symbols {bad[0]!r} is not a symbol: letters, digits, '.', '-', '=' or '_' (GSPC for ^GSPC), "
            "never a path"
        )
    if not is_url(url) and not is_url(prices) and Path(url).resolve() == Path(prices).resolve():
        raise EventStudyError(f"--out {url} is the --prices folder; name a new or empty folder for the Parquet files")
    source = CsvDirectorySource(prices)
    names = (
        [s.lstrip("^") for s in symbols] if symbols is not None else sorted(p.stem for p in Path(prices).glob("*.csv"))
    )
    names = [n for n in names if n != "F-F_Research_Data_Factors_daily"]  # the factors file is not prices
    if not names:
        raise EventStudyError(f"no price CSV (<symbol>.csv) in {prices}; check --prices")
    fs, root = _filesystem(str(url).rstrip("/"))
    if fs.exists(root):
        if not fs.isdir(root):
            raise EventStudyError(f"--out {url} is a file, not a folder; name a new or empty folder")
        other = sorted(Path(p).name for p in fs.ls(root, detail=False) if not str(p).endswith(SUFFIX))
        if other:
            raise EventStudyError(
                f"--out {url} holds other files than *.parquet ({', '.join(other[:3])}); name a new or empty folder"
            )
    fs.makedirs(root, exist_ok=True)
    written = []
    for stem in names:
        frame = source.prices(stem, pd.Timestamp.min, pd.Timestamp.max)
        info = source.provenance()[stem]
        table = pa.Table.from_pandas(
            frame.reset_index().assign(Date=frame.index.date),
            schema=pa.schema([("Date", pa.date32()), *((c, pa.float64()) for c in PRICE_COLUMNS)]),
            preserve_index=False,
        )
        table = table.replace_schema_metadata({_META: f"{info['file']} {info['sha256']}".encode()})
        name = parquet_filename(stem)
        with fs.open(f"{root}/{name}", "wb") as fh:
            pq.write_table(table, fh)
        written.append(name)
    return written


def _to_frame(table: Any, origin: str) -> pd.DataFrame:
    """A price frame (Date index, price columns) from a Parquet table."""
    if "Date" not in table.column_names:
        raise DataError(f"{origin}: no Date column; write it with `eventstudy prices to-parquet`")
    unknown = [c for c in table.column_names if c != "Date" and c not in PRICE_COLUMNS]
    if unknown:
        raise DataError(f"{origin}: unexpected column(s) {unknown}; expected {','.join(['Date', *PRICE_COLUMNS])}")
    frame = table.to_pandas()
    text = frame.pop("Date").astype(str)  # parsed as the CSV source parses its Date column: equal frames
    return frame.set_index(pd.DatetimeIndex(pd.to_datetime(text, format="%Y-%m-%d"), name="Date"))


def _filesystem(url: str) -> tuple[Any, str]:
    """The fsspec filesystem and path of ``url`` (a plain path is a local folder)."""
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        raise EventStudyError(FSSPEC_MISSING) from None
    try:
        return url_to_fs(url)
    except ImportError as exc:  # e.g. s3:// without s3fs
        raise EventStudyError(f"{url}: {exc}") from None
    except ValueError as exc:
        raise EventStudyError(f"{url}: not a location fsspec can open ({exc})") from None
