"""Read-through disk cache for downloaded prices.

One ``<symbol>.csv`` and one ``<symbol>.json`` per symbol. The JSON records
the covered date range, the retrieval time, the source and the sha256 of the
CSV; a CSV whose hash does not match is treated as absent, never used, and
reported with a :class:`~eventstudy.errors.DataWarning`.

Each file is written to a temporary file in the same directory, then
``os.replace``-d into place. The two files of a symbol are written under an
exclusive ``fcntl.flock`` on ``.<symbol>.lock`` and read under a shared one,
so a reader never sees the CSV of one write with the JSON of another; a
writer killed between the two renames leaves a pair whose hash does not
match, which is detected and re-fetched. Temporary files left by a killed
writer are removed by the next writer of that symbol.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.errors import DataError, DataWarning
from eventstudy.file_io import atomic_write, locked, read_input, symbol_filename, write_csv
from eventstudy.market.csv_folder import read_price_csv
from eventstudy.market.frames import validate_prices


def default_cache_dir() -> Path:
    """``$EVENTSTUDY_CACHE``, else ``$XDG_CACHE_HOME/eventstudy``, else ``~/.cache/eventstudy``."""
    if env := os.environ.get("EVENTSTUDY_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "eventstudy"


class DiskCache:
    """Price cache in a directory (created on first write)."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        if self.directory.exists() and not self.directory.is_dir():
            raise DataError(
                f"cache directory {self.directory} is a file, not a directory; pass --cache DIR "
                "(or set EVENTSTUDY_CACHE) to a folder"
            )

    def _paths(self, symbol: str) -> tuple[Path, Path]:
        csv = self.directory / symbol_filename(symbol)
        return csv, csv.with_suffix(".json")

    def get(self, symbol: str, start: pd.Timestamp, end: pd.Timestamp) -> tuple[pd.DataFrame, dict[str, Any]] | None:
        """Cached frame and metadata when they cover ``start..end``, else None.

        A damaged entry (hash mismatch, unreadable or incomplete JSON, CSV
        that fails validation) gives None and a ``DataWarning``.
        """
        hit = self.load(symbol)
        if hit is None:
            return None
        frame, meta = hit
        if pd.Timestamp(meta["start"]) > start or pd.Timestamp(meta["end"]) < end:
            return None
        return frame, meta

    def load(self, symbol: str) -> tuple[pd.DataFrame, dict[str, Any]] | None:
        """Whatever valid entry the cache holds for ``symbol``, whatever its range; else None."""
        csv, meta_path = self._paths(symbol)
        if not csv.exists() and not meta_path.exists():
            return None
        with self._lock(symbol, shared=True):  # no writer replaces either file meanwhile
            return self._read(symbol, csv, meta_path)

    def _read(self, symbol: str, csv: Path, meta_path: Path) -> tuple[pd.DataFrame, dict[str, Any]] | None:
        try:
            meta_text = read_input(meta_path, "prices").decode("utf-8")
            raw = read_input(csv, "prices")  # never blocks on a FIFO or reads a device
        except FileNotFoundError as exc:
            return self._damaged(symbol, f"{Path(str(exc.filename)).name} is missing")
        except (OSError, UnicodeDecodeError) as exc:
            return self._damaged(symbol, f"cannot be read: {exc}")
        try:
            meta = json.loads(meta_text)
        except (ValueError, RecursionError):
            return self._damaged(symbol, f"{meta_path.name} is not valid JSON")
        if not isinstance(meta, dict) or not all(
            isinstance(meta.get(k), str) for k in ("sha256", "start", "end", "symbol")
        ):
            return self._damaged(symbol, f"{meta_path.name} lacks sha256, start, end or symbol")
        if meta["symbol"] != symbol:  # another symbol's files copied over this one's
            return self._damaged(symbol, f"{meta_path.name} holds {meta['symbol']!r}, not {symbol!r}")
        if meta["sha256"] != hashlib.sha256(raw).hexdigest():
            return self._damaged(symbol, f"{csv.name} does not match the sha256 in {meta_path.name}")
        try:
            if pd.isna(pd.Timestamp(meta["start"])) or pd.isna(pd.Timestamp(meta["end"])):
                raise ValueError(f"{meta_path.name} has an empty start or end date")
            frame = validate_prices(read_price_csv(csv, raw), symbol, str(csv))
        except (DataError, ValueError) as exc:
            return self._damaged(symbol, str(exc))
        return frame, meta

    def put(self, symbol: str, frame: pd.DataFrame, meta: dict[str, Any]) -> dict[str, Any]:
        """Store a frame atomically; return the metadata written."""
        self.directory.mkdir(parents=True, exist_ok=True)
        csv, meta_path = self._paths(symbol)
        table = frame.rename_axis("Date").reset_index()
        table["Date"] = pd.DatetimeIndex(table["Date"]).strftime("%Y-%m-%d")
        body = str(write_csv(table)).encode()
        meta = {**meta, "symbol": symbol, "sha256": hashlib.sha256(body).hexdigest()}
        with self._lock(symbol, shared=False):
            # under the exclusive lock, any temporary file of this symbol is a killed writer's
            for path in (csv, meta_path):
                for stray in self.directory.glob(f".{path.name}.*.tmp"):
                    stray.unlink(missing_ok=True)
            atomic_write(csv, body)
            atomic_write(meta_path, json.dumps(meta, indent=2).encode())
        return meta

    def _damaged(self, symbol: str, why: str) -> None:
        warnings.warn(
            f"{symbol}: cache entry in {self.directory} is damaged ({why}); not used, downloading again",
            DataWarning,
            stacklevel=4,
        )
        return None

    def _lock(self, symbol: str, *, shared: bool) -> contextlib.AbstractContextManager[None]:
        """Shared (read) or exclusive (write) lock on ``.<symbol>.lock``; none if it cannot be opened.

        Where there is no ``flock`` (not POSIX), the sha256 check alone keeps a mixed pair from being used.
        """
        return locked(self.directory / f".{symbol_filename(symbol)[:-4]}.lock", shared=shared)
