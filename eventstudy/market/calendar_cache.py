"""Exchange sessions as plain arrays, computed once by exchange_calendars and kept on disk.

Building an exchange_calendars calendar evaluates every holiday rule over
its 21-year default range (0.2-0.3 s each on a small machine). What this
package reads of a calendar (sessions, opens, closes, lunch breaks, time
zone) is kept in a :class:`SessionTable`, saved as ``.npz`` (numbers and
strings only, loaded with ``allow_pickle=False``: data, never code) in
``<cache dir>/calendars/`` (see :func:`eventstudy.market.cache.default_cache_dir`).
The file name holds the exchange code, the exchange_calendars version and
today's date (the default range ends a year after today), so a new version
or a new day builds afresh and older files of that exchange are removed.
An unreadable file is rebuilt; a cache directory that cannot be written is
skipped silently.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

COLUMNS = ("opens", "closes", "break_starts", "break_ends")


@dataclass(frozen=True)
class SessionTable:
    """One exchange's sessions (exchange-local dates) with their UTC open, close and break times."""

    code: str
    tz: str
    sessions: pd.DatetimeIndex
    opens: pd.Series
    closes: pd.Series
    break_starts: pd.Series  # NaT on sessions without a lunch break
    break_ends: pd.Series

    @property
    def first_session(self) -> pd.Timestamp:
        """The first session of the table."""
        return self.sessions[0]

    @property
    def last_session(self) -> pd.Timestamp:
        """The last session of the table."""
        return self.sessions[-1]

    def is_session(self, date: str | pd.Timestamp) -> bool:
        """Whether the exchange trades on this (local) date."""
        return pd.Timestamp(date) in self.sessions

    def date_to_session(self, date: str | pd.Timestamp) -> pd.Timestamp:
        """The date itself if a session, else the next session (the date must be in range)."""
        return self.sessions[self.sessions.searchsorted(pd.Timestamp(date), side="left")]

    def sessions_in_range(self, first: str | pd.Timestamp, last: str | pd.Timestamp) -> pd.DatetimeIndex:
        """Sessions from ``first`` to ``last``, both included."""
        return self.sessions[self.sessions.slice_indexer(pd.Timestamp(first), pd.Timestamp(last))]


def build(code: str) -> SessionTable:
    """Compute the table with exchange_calendars (its default range)."""
    import exchange_calendars as xcals

    with warnings.catch_warnings():
        # exchange_calendars reads Series.values of tz-aware columns, which
        # pandas >= 3.1 deprecates; the values it gets are still right.
        warnings.filterwarnings("ignore", message="Series.values returning an ndarray")
        cal = xcals.get_calendar(code)
        cols = {c: getattr(cal, c) for c in COLUMNS}
    return from_bytes(to_bytes(SessionTable(code, str(cal.tz), cal.sessions, **cols)))  # as loaded later


def cache_path(code: str, directory: Path | None = None) -> Path:
    """Where the table of ``code`` for today and this exchange_calendars version lives."""
    from eventstudy.market.cache import default_cache_dir

    base = directory if directory is not None else default_cache_dir() / "calendars"
    return base / f"{code}-{_xcals_version()}-{dt.date.today():%Y%m%d}.npz"


@lru_cache(maxsize=1)
def _xcals_version() -> str:
    """Read from the package metadata once (importing exchange_calendars would cost ~0.2 s)."""
    from importlib.metadata import version

    return version("exchange_calendars")


def to_bytes(table: SessionTable) -> bytes:
    """The table as ``.npz`` bytes: int64 nanoseconds (NaT included) and two strings."""
    arrays = {c: getattr(table, c).to_numpy(dtype="datetime64[ns]").view("int64") for c in COLUMNS}
    buf = io.BytesIO()
    np.savez(buf, code=np.array(table.code), tz=np.array(table.tz),
             sessions=table.sessions.to_numpy(dtype="datetime64[ns]").view("int64"), **arrays)  # fmt: skip
    return buf.getvalue()


def from_bytes(data: bytes) -> SessionTable:
    """Inverse of :func:`to_bytes`; raises ValueError/KeyError on a malformed file."""
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        sessions = pd.DatetimeIndex(npz["sessions"].view("datetime64[ns]"))
        cols = {c: _utc(npz[c], sessions, c) for c in COLUMNS}
        table = SessionTable(str(npz["code"]), str(npz["tz"]), sessions, **cols)
    if len(sessions) == 0 or not sessions.is_monotonic_increasing:
        raise ValueError("sessions are empty or out of order")
    return table


def _utc(nanos: np.ndarray, sessions: pd.DatetimeIndex, name: str) -> pd.Series:
    if nanos.shape != (len(sessions),):
        raise ValueError(f"{name} has {nanos.shape} values for {len(sessions)} sessions")
    return pd.Series(pd.DatetimeIndex(nanos.view("datetime64[ns]")).tz_localize("UTC"), index=sessions, name=name)


def load(path: Path) -> SessionTable | None:
    """The table saved at ``path``, or None when missing or unreadable."""
    try:
        return from_bytes(path.read_bytes())
    except Exception:  # missing, truncated, another layout: rebuild
        return None


def store(path: Path, table: SessionTable) -> None:
    """Write the table atomically and drop older files of the same exchange; best effort."""
    from eventstudy.files import atomic_write

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, to_bytes(table))
        for old in path.parent.glob(f"{table.code}-*.npz"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # read-only or full disk: the table is simply rebuilt next time
