"""Files in and out: inputs read only from regular files under a size limit; CSV written safe.

Inputs (study files, events CSVs, articles, price and factor CSVs) are read by
:func:`read_input`: it opens without blocking, refuses anything but a regular
file (a directory, a FIFO, ``/dev/zero``), and refuses a file over the size
limit of its kind before reading it. The limits (bytes; a ``K``, ``M`` or ``G``
suffix multiplies by 1024, 1024² or 1024³) can be changed in the environment:

=========  ==========  ==============================
kind       default     environment variable
=========  ==========  ==============================
study      5M          ``EVENTSTUDY_MAX_STUDY_BYTES``
events     20M         ``EVENTSTUDY_MAX_EVENTS_BYTES``
article    128K        ``EVENTSTUDY_MAX_ARTICLE_BYTES``
prices     100M        ``EVENTSTUDY_MAX_PRICES_BYTES``
=========  ==========  ==============================

Every CSV the tool writes goes through :func:`write_csv`, which neutralises
spreadsheet formulas as OWASP recommends: a text cell beginning with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``. Numbers
(numeric columns, and text that is a plain number such as ``-1.5``) are left
as they are.

:func:`locked` is the one file lock (``flock``): the price cache's per-symbol
lock files and the report folder's parent directory.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from eventstudy.errors import EventStudyError, UnknownSymbolError

if TYPE_CHECKING:
    import pandas as pd

LIMITS = {  # kind: (environment variable, default, what it is)
    "study": ("EVENTSTUDY_MAX_STUDY_BYTES", "5M", "a study file"),
    "events": ("EVENTSTUDY_MAX_EVENTS_BYTES", "20M", "an events CSV"),
    "article": ("EVENTSTUDY_MAX_ARTICLE_BYTES", "128K", "an article"),
    "prices": ("EVENTSTUDY_MAX_PRICES_BYTES", "100M", "a price or factors file"),
}
_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}
_SIZE = re.compile(r"^\s*(\d+)\s*([KMG]?)B?\s*$", re.IGNORECASE)


class InputFileError(OSError):
    """An input that is not a regular file, or is over its size limit (``strerror`` says which)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.strerror = message


def size_limit(kind: str) -> int:
    """The size limit in bytes for inputs of ``kind`` (see the module doc)."""
    var, default, _ = LIMITS[kind]
    return parse_size(var, os.environ.get(var, "").strip() or default)


def parse_size(var: str, text: str) -> int:
    """``text``, the value of the setting ``var``, in bytes (a ``K``, ``M`` or ``G`` suffix: 1024, 1024², 1024³)."""
    m = _SIZE.match(text)
    if m is None:
        raise EventStudyError(f"{var}={text!r} is not a size in bytes such as 5000000, 500K or 20M")
    return int(m.group(1)) * _UNITS[m.group(2).upper()]


def human_size(n: int) -> str:
    """Bytes as text: 262144 → '256 KB'."""
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n} bytes"


def _kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_input(path: str | Path, kind: str) -> bytes:
    """The bytes of a regular file of at most ``size_limit(kind)`` bytes.

    Raises ``FileNotFoundError``, ``IsADirectoryError``, ``PermissionError`` (as ``open`` does),
    or :class:`InputFileError` for a FIFO, a device, a socket, or a file over the limit; never
    blocks on a FIFO or reads an endless device.
    """
    limit = size_limit(kind)
    var, _, what = LIMITS[kind]
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "is a directory, not a file", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError(f"is {_kind_of(info.st_mode)}, not a regular file")
        too_large = (
            f"is over the {human_size(limit)} limit for {what} ({{size}}); "
            f"set {var} (bytes, or with K, M, G) to raise it"
        )
        if info.st_size > limit:
            raise InputFileError(too_large.format(size=human_size(info.st_size)))
        chunks, total = [], 0
        while chunk := os.read(fd, min(1 << 20, limit + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # grew while being read
                raise InputFileError(too_large.format(size=f"more than {human_size(limit)}"))
        return b"".join(chunks)
    finally:
        os.close(fd)


# -- CSV out ---------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def safe_cell(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, with a leading ``'``; anything else as is."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


CSV_CHUNK_ROWS = 10_000  # rows converted to text at a time: a million-pair study's flags.csv is ~0.4 GB of text


def write_csv(frame: pd.DataFrame, path: str | Path | None = None, *, float_format: str | None = "%.10g") -> str | None:
    """Write ``frame`` (no index) as CSV to ``path``, or return the text when ``path`` is None.

    The one CSV writer of the package: text cells (text or categorical columns) are neutralised by
    :func:`safe_cell`; numeric columns are written as numbers with ``float_format`` (None: shortest repr);
    one line per row. A file is written :data:`CSV_CHUNK_ROWS` rows at a time, never held as one text
    (at once when a column holds dates: pandas writes a date without its time when no row has one).
    """
    text = [c for c in frame.columns if _is_text(frame[c].dtype)]
    # the csv module quotes a "\n" in a cell but not a lone "\r": then every text cell is quoted
    quoting = csv.QUOTE_NONNUMERIC if any(_has_return(frame[c]) for c in text) else csv.QUOTE_MINIMAL
    options = {"index": False, "float_format": float_format, "lineterminator": "\n", "quoting": quoting}
    dated = any(getattr(t, "kind", "") in ("m", "M") for t in frame.dtypes)
    rows = max(len(frame), 1) if dated else CSV_CHUNK_ROWS
    with io.StringIO() if path is None else Path(path).open("w", encoding="utf-8") as out:
        for start in range(0, max(len(frame), 1), rows):
            part = frame.iloc[start : start + rows].copy()
            for col in text:
                part[col] = part[col].astype(object).map(safe_cell).astype(object)
            part.to_csv(out, header=start == 0, **options)
        return out.getvalue() if path is None else None


def _is_text(dtype: object) -> bool:
    return str(dtype) in ("object", "category") or str(dtype).startswith(("string", "str"))


def _has_return(column: pd.Series) -> bool:
    """Whether a cell of a text column holds a carriage return."""
    values = column.cat.categories if str(column.dtype) == "category" else column
    return bool(values.map(lambda v: isinstance(v, str) and "\r" in v).any())


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary sibling, so a reader sees the old file or the new one."""
    from eventstudy.processes import cleanup_on_interrupt

    with cleanup_on_interrupt():
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


@contextmanager
def locked(path: Path, *, shared: bool = False) -> Iterator[None]:
    """``flock`` on ``path``, shared or exclusive, released on exit.

    A directory is locked as it is (an error if it cannot be opened); a file is created if
    missing, and when it cannot be (a read-only folder) nothing is locked. No lock where
    ``fcntl`` does not exist (not POSIX).
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    directory = path.is_dir()
    try:
        fd = os.open(path, os.O_RDONLY if directory else os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        if directory:
            raise
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def symbol_filename(symbol: str) -> str:
    """File name of a symbol's price CSV: the symbol without a leading ``^``, plus ``.csv``.

    A symbol is a name, never a path: one holding a separator or starting with a dot is refused.
    """
    stem = symbol.lstrip("^")
    if not stem or stem.startswith(".") or any(sep in stem for sep in ("/", "\\", "\0")):
        raise UnknownSymbolError(f"{symbol!r} is not a symbol but a path: give the ticker, such as ORCL or ^GSPC")
    return stem + ".csv"


def private_dir(path: Path) -> Path:
    """``path``, a folder only this user may enter: made with mode 0o700 if missing, else checked.

    Refused (``EventStudyError``) when it is a symbolic link, not a directory, owned by another
    user, or open to others: in a shared temp directory another user could plant any of these
    to redirect what is written there.
    """
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(path)
    except OSError as exc:
        raise EventStudyError(f"cannot use {path}: {exc.strerror or exc}; give --out DIR") from None
    owner = getattr(os, "getuid", lambda: info.st_uid)()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != owner or info.st_mode & 0o077:
        why = (
            "is a symbolic link" if stat.S_ISLNK(info.st_mode)
            else "is not a directory" if not stat.S_ISDIR(info.st_mode)
            else "belongs to another user" if info.st_uid != owner
            else f"is open to other users (mode {stat.S_IMODE(info.st_mode):o})"
        )  # fmt: skip
        raise EventStudyError(f"cannot use {path}: it {why}; remove it or give --out DIR")
    return path
