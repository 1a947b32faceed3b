"""Records of arrays cached on disk: a rerun reads a computation's dataclass back instead of computing it.

The engine's fits (:mod:`eventstudy.engine.solve_cache`) and the abnormal volatility
(:mod:`eventstudy.measures.volatility`) are dataclasses of NumPy arrays, texts and numbers, each a
function of its inputs only. :func:`cached_record` keys an entry on those inputs the way
:mod:`eventstudy.table_cache` does (sha256 of the inputs, this package's code and the libraries'
versions); the entry, ``<cache>/<kind>/<key>.npz``, holds the numeric arrays as NumPy arrays and
everything else (texts, numbers, tuples, the nested dataclasses' layout) as one JSON text, read
with allow_pickle=False, written atomically. Only the classes the caller names are built from an
entry. A record is stored only if it reads back exactly as computed (types, dtypes, shapes and
every value's bits); an entry that does not parse, names another class or carries another key is
computed again, and a cache folder that cannot be written is only a warning. Entries are written
when the run (or the report) went through (:func:`eventstudy.table_cache.store_pending`): a run
that fails on its input writes nothing to the cache.
"""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")
CACHED_PAIRS = 4096  # records of more pairs are computed, not stored: an entry holds every pair's arrays


def cached_record(kind: str, inputs: Any, compute: Callable[[], T], classes: tuple[type, ...]) -> T:
    """``compute()`` (a dataclass of one of ``classes``), read back from the disk cache when there, else stored."""
    from eventstudy.table_cache import cached_entry

    known = {c.__qualname__: c for c in classes}
    return cached_entry(kind, inputs, compute, lambda value, key: dump(value, key, known),
                        lambda data, key: load(data, key, known), pending=True)  # fmt: skip


def dump(value: Any, key: str, classes: dict[str, type]) -> bytes | None:
    """The entry of ``value``, or None if it would not read back exactly as it is."""
    arrays: dict[str, np.ndarray] = {}
    try:
        meta = {"key": key, "record": _encode(value, arrays, classes)}
        buf = io.BytesIO()
        np.savez(buf, meta=np.array(json.dumps(meta)), **arrays)
    except (TypeError, ValueError):  # a value this layout does not hold
        return None
    data = buf.getvalue()
    try:
        same = _same(load(data, key, classes), value)
    except (TypeError, ValueError, KeyError):  # a class whose fields do not build it back
        return None
    return data if same else None


def load(data: bytes, key: str, classes: dict[str, type]) -> Any:
    """The record of an entry (ValueError, KeyError...: damaged, another key's, an unknown class)."""
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        meta = json.loads(str(npz["meta"]))
        if meta["key"] != key:
            raise ValueError("another key's entry")
        return _decode(meta["record"], npz, classes)


def _encode(value: Any, arrays: dict[str, np.ndarray], classes: dict[str, type]) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [f.name for f in dataclasses.fields(value)]
        if classes.get(type(value).__qualname__) is not type(value) or set(vars(value)) - set(fields):
            raise TypeError(f"{type(value).__qualname__} is not a record this cache builds")
        return {"class": type(value).__qualname__, "fields": {n: _encode(getattr(value, n), arrays, classes)
                                                                for n in fields}}  # fmt: skip
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf":
            arrays[f"a{len(arrays)}"] = value
            return {"array": f"a{len(arrays) - 1}"}
        if value.dtype == object and value.ndim == 1 and all(type(v) is str for v in value.tolist()):
            return {"texts": value.tolist()}
        raise TypeError(f"an array of {value.dtype}")
    if isinstance(value, tuple):
        return {"tuple": [_encode(v, arrays, classes) for v in value]}
    if value is None or type(value) in (str, int, float, bool):
        return {"value": value}
    raise TypeError(f"a {type(value).__name__}")


def _decode(node: dict[str, Any], npz: Any, classes: dict[str, type]) -> Any:
    if "class" in node:
        fields = {n: _decode(v, npz, classes) for n, v in node["fields"].items()}
        return classes[node["class"]](**fields)
    if "array" in node:
        return npz[node["array"]]
    if "texts" in node:
        return np.array(node["texts"], dtype=object).reshape(len(node["texts"]))
    if "tuple" in node:
        return tuple(_decode(v, npz, classes) for v in node["tuple"])
    return node["value"]


def _same(a: Any, b: Any) -> bool:
    """Whether ``a`` and ``b`` are the same record: types, dtypes, shapes, every value's bits."""
    if type(a) is not type(b):
        return False
    if dataclasses.is_dataclass(a):
        names = [f.name for f in dataclasses.fields(a)]
        return all(_same(getattr(a, n), getattr(b, n)) for n in names)
    if isinstance(a, np.ndarray):
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        if a.dtype == object:
            return [(type(v), v) for v in a.tolist()] == [(type(v), v) for v in b.tolist()]
        return a.tobytes() == b.tobytes()
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return repr(a) == repr(b)
