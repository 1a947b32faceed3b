"""Offline prices from a directory of CSV files, one per symbol."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.errors import DataError, UnknownSymbolError
from eventstudy.file_io import read_input, symbol_filename
from eventstudy.market.frames import PRICE_COLUMNS, validate_prices
from eventstudy.market.source import FileSource, first_with_range


class CsvDirectorySource(FileSource):
    """Read prices from ``DIR/<symbol>.csv`` (``^GSPC`` → ``GSPC.csv``).

    Columns ``Date,Open,High,Low,Close,Adj Close,Volume``; empty cells are
    missing fields. This is the layout of ``../shared/data/prices``.

    Parameters
    ----------
    directory
        Directory holding the CSV files.
    """

    name = "csv"

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        if not self.directory.is_dir():
            what = "is not a directory" if self.directory.exists() else "does not exist"
            raise DataError(f"price directory {self.directory} {what}; check --prices")
        self._frames: dict[str, pd.DataFrame] = {}
        self._provenance: dict[str, dict[str, Any]] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"directory": self.directory}  # sent to Dask workers as its folder, never its frames

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.directory = state["directory"]
        self._frames, self._provenance = {}, {}

    def path(self, symbol: str) -> Path:
        """Path of the file that holds ``symbol``."""
        return self.directory / symbol_filename(symbol)

    def describe(self) -> str:
        """One line for reports."""
        return f"CSV directory {self.directory}"

    def day_range(self, symbol: str) -> str | None:
        """The symbol whose file gives ``symbol``'s day range (High/Low), or None.

        Itself, else the first second file ``<symbol>_*.csv`` that has them
        (``9984.T_JQuants_OHLCV.csv``), else None. Nothing is cached.
        """
        stem = symbol_filename(symbol).removesuffix(".csv")
        others = sorted(p.name.removesuffix(".csv") for p in self.directory.glob(f"{stem}_*.csv") if p.is_file())
        return first_with_range([symbol, *others], lambda s: read_price_csv(self.path(s)))

    def _read_file(self, symbol: str) -> None:
        path = self.path(symbol)
        if not os.path.lexists(path):
            raise UnknownSymbolError(
                f"no price file for {symbol!r} in {self.directory} (looked for {path.name}); "
                "add the file or fix the ticker"
            )
        try:
            raw = read_input(path, "prices")
        except OSError as exc:
            raise DataError(f"{path}: cannot be read: {exc.strerror or exc}") from None
        frame = validate_prices(read_price_csv(path, raw), symbol, str(path))
        self._keep(symbol, frame, {"source": "csv", "file": path.name, "sha256": hashlib.sha256(raw).hexdigest()})


def read_price_csv(path: Path, raw: bytes | None = None) -> pd.DataFrame:
    """Parse one price CSV (``raw``: its bytes, already read) into a frame indexed by date (not yet validated).

    The parsed table is a function of the file's bytes: it is read back from the disk cache
    (:func:`eventstudy.table_cache.cached_table`, keyed by their sha256) when there; it is written
    there when the run goes through. A file that does not parse raises, and nothing is stored.
    """
    from eventstudy.table_cache import cached_table

    if raw is None:
        raw = read_input(path, "prices")
    data = raw
    digest = hashlib.sha256(data).hexdigest()
    table = cached_table("parsed-prices", digest, lambda: _parse(path, data).reset_index(), pending=True)
    return table.set_index("Date")


def _parse(path: Path, raw: bytes) -> pd.DataFrame:
    _check_field_counts(path, raw)
    try:
        # only an empty cell is missing; "n/a", "NA", "null" must not silently become NaN
        frame = pd.read_csv(io.BytesIO(raw), keep_default_na=False, na_values=[""], index_col=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not a readable CSV file: {exc}") from None
    expected = ",".join(["Date", *PRICE_COLUMNS])
    if "Date" not in frame.columns:
        known = {c.lower() for c in ["Date", *PRICE_COLUMNS]}
        if found := [c for c in frame.columns if str(c).strip().lower() in known]:
            raise DataError(f"{path}: no Date column; column names are case-sensitive (found {found[:3]}): "
                            f"write the header as {expected}")  # fmt: skip
        if len(frame.columns) == 1 and ";" in str(frame.columns[0]):  # a comma-decimal locale's spreadsheet export
            raise DataError(f"{path}: the columns are separated by semicolons; save the file with commas: "
                            f"{','.join(['Date', *PRICE_COLUMNS])}")  # fmt: skip
        raise DataError(f"{path}: no Date column; expected columns {','.join(['Date', *PRICE_COLUMNS])}")
    unknown = [c for c in frame.columns if c != "Date" and c not in PRICE_COLUMNS]
    if any(str(c).startswith("Unnamed: ") for c in unknown):  # pandas' name for an empty header cell
        raise DataError(f"{path}: a column has an empty name (a table index saved by pandas' to_csv without "
                        f"index=False?); remove that column, keeping {expected}")  # fmt: skip
    if unknown:
        raise DataError(f"{path}: unexpected column(s) {unknown}; expected {','.join(['Date', *PRICE_COLUMNS])}")
    dates = pd.to_datetime(frame["Date"], format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        row = int(dates.isna().to_numpy().argmax())
        raise DataError(f"{path}: row {row + 2} has date {frame['Date'].iloc[row]!r}, not YYYY-MM-DD")
    for col in frame.columns.drop("Date"):
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = values.isna() & frame[col].notna()
        if bad.any():
            row = int(bad.to_numpy().argmax())
            value = frame[col].iloc[row]
            raise DataError(f"{path}: row {row + 2}, column {col}: {value!r} is not a number{_why_not_a_number(value)}")
        frame[col] = values
    return frame.drop(columns="Date").set_index(pd.DatetimeIndex(dates, name="Date"))


def _why_not_a_number(value: object) -> str:
    """Why a cell that looks numeric is not read as one: digits of another script, a comma, a space."""
    text = str(value)
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        ascii_form = unicodedata.normalize("NFKC", text)
        return f" (it holds non-ASCII digits, such as fullwidth ones; write {ascii_form!r} in ASCII digits)"
    if re.fullmatch(r"-?\d+,\d+", text):
        return " (a decimal comma: write the decimal point, 12.5)"
    if re.fullmatch(r"-?[\d.,\s\u00a0\u202f']+", text) and any(c in text for c in " \u00a0\u202f'"):
        return " (a thousands separator: write the number without it)"
    return ""


def _check_field_counts(path: Path, raw: bytes) -> None:
    """Every row has as many fields as the header (a trailing comma would shift the columns)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text (byte {exc.start}); not a readable CSV file") from None
    rows = csv.reader(io.StringIO(text), strict=True)
    try:
        header = next(rows, None)
        if header and header[0].lstrip().startswith("#"):  # a comment above the header: not CSV
            raise DataError(f"{path}: row 1 is a comment ({header[0][:40]!r}), not the header "
                            f"{','.join(['Date', *PRICE_COLUMNS])}; remove the comment line(s)")  # fmt: skip
        for row in rows:
            if row and len(row) != len(header or ()):
                raise DataError(
                    f"{path}: row {rows.line_num} has {len(row)} fields, the header has {len(header or ())} "
                    f"({','.join(header or ())}); remove the extra or add the missing commas"
                )
    except csv.Error as exc:
        raise DataError(f"{path}: row {rows.line_num}: not a readable CSV row ({exc})") from None
