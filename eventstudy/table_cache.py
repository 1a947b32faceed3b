"""Deterministic tables cached on disk: a rerun on the same inputs reads the table back instead of computing it.

A cached table is a function of its inputs: the tables and values it is computed from (hashed
by :func:`feed`: tables column by column, objects by all their fields), which computation
(``kind``), the code of this package
(:func:`code_fingerprint`: an edited checkout
is a new key) and the versions of the libraries that shape the numbers
(:func:`eventstudy.versions.package_versions`). The key is the sha256 of all of that;
the entry, ``<cache>/<kind>/<key>.npz`` under the folder of the price downloads
(``$EVENTSTUDY_CACHE``, else ``~/.cache/eventstudy``), holds the table's numeric and (zone-less)
datetime columns as NumPy arrays and its other columns as one JSON text, read with
allow_pickle=False, written atomically.

A table is stored only if it reads back exactly as computed (dtypes, every value's type and
bits, a plain 0..n-1 index, no ``attrs``); an entry that does not parse or carries another key
is computed again, and a cache folder that cannot be written is only a warning. Used for the
tests table (:meth:`eventstudy.results.StudyResults.compute_tests`), which on a rerun saves
computing it and importing ``scipy.stats``, the placebo run's summary and the parsed price files
(:func:`eventstudy.market.csv_folder.read_price_csv`).

Entries computed during a run can be kept in memory until it goes through (:func:`write_entry` with
``pending``, read back by :func:`read_entry`, written by :func:`store_pending`): the one such
mechanism, which the engine's fits (:mod:`eventstudy.record_cache`) and the exchange calendars
(:mod:`eventstudy.market.calendar_cache`) use too.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import warnings
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from eventstudy.cache_limit import stored, used

if TYPE_CHECKING:
    import pandas as pd

T = TypeVar("T")
FORMAT = 1  # bumped when the entry's layout changes
_PENDING: dict[Path, bytes] = {}  # entries kept until a run goes through (write_entry(pending=True))


def feed(value: Any, h: Any, seen: dict[int, Any]) -> None:
    """Feed ``value`` to the hash ``h``: tables by their columns' types and bytes, objects by all their fields."""
    import numpy as np
    import pandas as pd

    h.update(type(value).__name__.encode() + b"\x1e")
    if isinstance(value, pd.DataFrame):
        feed(value.index, h, seen)
        for name in value.columns:
            h.update(repr(name).encode())
            feed(value[name].to_numpy(), h, seen)
    elif isinstance(value, pd.Series | pd.Index):
        h.update(repr(value.name).encode())
        feed(value.to_numpy(), h, seen)
    elif isinstance(value, np.ndarray):
        h.update(f"{value.dtype}{value.shape}".encode())
        if value.dtype.kind in "biufcmM":
            h.update(np.ascontiguousarray(value).tobytes())
        else:  # text, timestamps with a zone, mixed: each cell's repr
            h.update("\x1f".join(map(repr, value.ravel().tolist())).encode())
    elif isinstance(value, str | bytes | int | float | bool | complex | type(None)):
        h.update(repr(value).encode())
    elif id(value) in seen:  # digested where first met
        h.update(b"\x1dagain")
    else:
        seen[id(value)] = value  # kept alive: a freed object's id is reused
        if isinstance(value, dict):
            items = sorted(value.items(), key=lambda kv: repr(kv[0]))
            for k, v in items:
                h.update(repr(k).encode())
                feed(v, h, seen)
        elif isinstance(value, list | tuple | set | frozenset):
            for v in sorted(value, key=repr) if isinstance(value, set | frozenset) else value:
                feed(v, h, seen)
        elif dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):  # every field, shown in its repr or not
                h.update(f.name.encode())
                feed(getattr(value, f.name), h, seen)
            fields = {f.name for f in dataclasses.fields(value)}
            extra = {k: v for k, v in vars(value).items() if k not in fields and not k.startswith("_")}
            feed(extra, h, seen)  # computed attributes; private ones are caches, filled as they are used
        elif hasattr(value, "__dict__"):
            feed({k: v for k, v in vars(value).items() if not k.startswith("_")}, h, seen)
        else:  # dates, paths, numpy scalars: their repr is their value
            h.update(repr(value).encode())


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 of this package's Python files: a changed line (a checkout, an edit) is a new key, as a new version is.

    Every on-disk cache of the package keys on it (tables, the placebo run, figures, calendars).
    """
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def cache_key(kind: str, inputs: Any) -> str:
    """The sha256 hex digest of ``kind``, ``inputs``, this package's code and the libraries' versions."""
    from eventstudy.versions import package_versions

    drawn = hashlib.sha256()
    feed(inputs, drawn, {})
    key = hashlib.sha256()
    for part in (kind.encode(), str(FORMAT).encode(), drawn.digest(), code_fingerprint().encode(),
                 repr(sorted(package_versions().items())).encode()):  # fmt: skip
        key.update(hashlib.sha256(part).digest())
    return key.hexdigest()


def cached_table(kind: str, inputs: Any, compute: Callable[[], pd.DataFrame], *, pending: bool = False) -> pd.DataFrame:
    """``compute()``, read from the cache when the entry of (``kind``, ``inputs``) is there and sound, else stored."""
    return cached_entry(kind, inputs, compute, _dump, _load, pending=pending)


def cached_entry(
    kind: str,
    inputs: Any,
    compute: Callable[[], T],
    dump: Callable[[T, str], bytes | None],
    load: Callable[[bytes, str], T],
    *,
    pending: bool = False,
) -> T:
    """``compute()``, or its entry read back by ``load(data, key)``; stored as ``dump(value, key)`` unless that is None.

    ``dump`` gives None for a value that would not read back exactly; ``load`` raises on an entry
    that is damaged or carries another key. ``pending``: the entry is kept in memory (and read
    from there) until :func:`store_pending`, called when a run or a report went through, so that
    a run that fails on its input writes nothing to the cache.
    """
    from eventstudy.market.price_cache import default_cache_dir

    key = cache_key(kind, inputs)
    path = default_cache_dir() / kind / f"{key}.npz"
    try:
        return read_entry(path, lambda data: load(data, key))
    except Exception:  # not there, damaged, another key's: computed
        pass
    value = compute()
    data = dump(value, key)
    if data is not None:
        write_entry(path, data, pending=pending)
    return value


def read_entry(path: Path, load: Callable[[bytes], T]) -> T:
    """``load`` of the entry at ``path``: the one kept for :func:`store_pending` if any, else the file's (marked used).

    Raises what ``load`` raises, or OSError when there is no entry.
    """
    if path in _PENDING:
        return load(_PENDING[path])
    value = load(path.read_bytes())
    used(path)
    return value


def write_entry(path: Path, data: bytes, *, pending: bool = False) -> None:
    """Write the entry ``data`` at ``path``; ``pending``: keep it in memory until :func:`store_pending`."""
    if pending:
        _PENDING[path] = data
    else:
        _store(path, data)


def store_pending() -> None:
    """Write the entries kept since the last call (:func:`write_entry`): a run or a report went through.

    The one place every cache's pending entries (tables, fits, parsed prices, calendars) are written.
    """
    while _PENDING:
        _store(*_PENDING.popitem())


def _store(path: Path, data: bytes) -> None:
    from eventstudy.errors import DataWarning
    from eventstudy.file_io import atomic_write

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
        stored(path)
    except OSError as exc:
        kind = path.parent.name
        warnings.warn(f"a {kind} entry could not be cached in {path.parent}: {exc}", DataWarning, stacklevel=4)


def _dump(table: pd.DataFrame, key: str) -> bytes | None:
    """The entry of ``table``, or None if it would not read back exactly as it is."""
    import numpy as np
    import pandas as pd

    if table.attrs or not table.index.equals(pd.RangeIndex(len(table))) or not table.columns.is_unique:
        return None
    meta: dict[str, Any] = {"key": key, "columns": [], "dtypes": [], "text": {}}
    arrays = {}
    for i, name in enumerate(table.columns):
        col = table[name]
        if not isinstance(name, str):
            return None
        meta["columns"].append(name)
        meta["dtypes"].append(str(col.dtype))
        if isinstance(col.dtype, np.dtype) and col.dtype.kind in "biufM":
            arrays[f"c{i}"] = col.to_numpy()
        else:
            meta["text"][name] = col.tolist()
    try:
        buf = io.BytesIO()
        np.savez(buf, meta=np.array(json.dumps(meta)), **arrays)
        data = buf.getvalue()
        same = _same(_load(data, key), table)
    except (TypeError, ValueError):  # a value JSON does not hold
        return None
    return data if same else None


def _load(data: bytes, key: str) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        meta = json.loads(str(npz["meta"]))
        if meta["key"] != key:
            raise ValueError("another key's entry")
        columns = {}
        for i, (name, dtype) in enumerate(zip(meta["columns"], meta["dtypes"], strict=True)):
            values = meta["text"][name] if name in meta["text"] else npz[f"c{i}"]
            columns[name] = pd.Series(values, dtype=dtype, name=name)
    return pd.DataFrame(columns, columns=meta["columns"])


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Whether ``a`` and ``b`` are the same table: columns, dtypes, index, and every value's type and bits."""
    import numpy as np

    if list(a.columns) != list(b.columns) or not a.index.equals(b.index) or type(a.index) is not type(b.index):
        return False
    for name in a.columns:
        x, y = a[name], b[name]
        if x.dtype != y.dtype:
            return False
        if isinstance(x.dtype, np.dtype) and x.dtype.kind in "biufM":
            if x.to_numpy().tobytes() != y.to_numpy().tobytes():
                return False
        elif [(type(v), repr(v)) for v in x.tolist()] != [(type(v), repr(v)) for v in y.tolist()]:
            return False
    return True
