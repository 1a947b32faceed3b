"""Read-through disk cache for downloaded prices.

One ``<symbol>.csv`` and one ``<symbol>.json`` per symbol. The JSON records
the covered date range, the retrieval time, the source and the sha256 of the
CSV; a CSV whose hash does not match is treated as absent, never used.
Writes go to a temporary file in the same directory, then ``os.replace``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.data.csv import read_price_csv, symbol_filename
from eventstudy.data.frames import validate_prices
from eventstudy.errors import DataError


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

    def _paths(self, symbol: str) -> tuple[Path, Path]:
        csv = self.directory / symbol_filename(symbol)
        return csv, csv.with_suffix(".json")

    def get(self, symbol: str, start: pd.Timestamp, end: pd.Timestamp) -> tuple[pd.DataFrame, dict[str, Any]] | None:
        """Cached frame and metadata when they cover ``start..end``, else None."""
        csv, meta_path = self._paths(symbol)
        try:
            meta = json.loads(meta_path.read_text())
            raw = csv.read_bytes()
        except (OSError, ValueError):
            return None
        if meta.get("sha256") != hashlib.sha256(raw).hexdigest():
            return None
        if pd.Timestamp(meta["start"]) > start or pd.Timestamp(meta["end"]) < end:
            return None
        try:
            frame = validate_prices(read_price_csv(csv), symbol, str(csv))
        except DataError:
            return None
        return frame, meta

    def put(self, symbol: str, frame: pd.DataFrame, meta: dict[str, Any]) -> dict[str, Any]:
        """Store a frame atomically; return the metadata written."""
        self.directory.mkdir(parents=True, exist_ok=True)
        csv, meta_path = self._paths(symbol)
        body = frame.to_csv(index_label="Date", date_format="%Y-%m-%d", float_format="%.10g").encode()
        meta = {**meta, "symbol": symbol, "sha256": hashlib.sha256(body).hexdigest()}
        _atomic_write(csv, body)
        _atomic_write(meta_path, json.dumps(meta, indent=2).encode())
        return meta


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
