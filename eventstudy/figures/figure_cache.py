"""Report figures cached on disk: a rerun on the same results reads the figures back instead of drawing them.

A report figure is a function of what it draws: the results cut to the drawn events (the
view the figure workers receive; hashed table by table, column by column, and every other field
of it), which figure
(its file stem: ``car_<event>``), the format, matplotlib's settings (``rcParams``: a
``matplotlibrc`` or style changes them), the code of this package
(:func:`~eventstudy.inference.validation.placebo_cache.code_fingerprint`: an edited checkout
is a new key) and the versions of the libraries
(:func:`eventstudy.engine.provenance.package_versions`, matplotlib among them). The key is the
sha256 of all of that; the entry is the figure's bytes, ``<cache>/figures/<key>.<fmt>``,
under the folder of the price downloads and the placebo runs (``$EVENTSTUDY_CACHE``, else
``~/.cache/eventstudy``), written atomically. Only bytes are read back (no objects); an
entry that cannot be read is drawn again, and one that cannot be written is only a warning.
When every figure of a report is there, matplotlib's drawing modules are not even imported.
"""

from __future__ import annotations

import dataclasses
import hashlib
import warnings
from pathlib import Path
from typing import Any


def figure_keys(view: Any, stems: list[str], fmt: str) -> dict[str, str]:
    """The cache key (a sha256 hex digest) of each figure ``stem`` drawn from ``view`` in ``fmt``."""
    import matplotlib

    from eventstudy.engine.provenance import package_versions
    from eventstudy.inference.validation.placebo_cache import code_fingerprint

    drawn = hashlib.sha256()
    _digest(view, drawn, {})
    _digest(vars(view).get("_volume_tables"), drawn, {})  # the drawn events' volume rows it carries
    shared = hashlib.sha256()
    for part in (
        drawn.digest(),  # every table and value the figures read
        code_fingerprint().encode(),
        repr(sorted(package_versions().items())).encode(),
        repr(_settings(matplotlib.rcParams)).encode(),
        fmt.encode(),
    ):
        shared.update(hashlib.sha256(part).digest())
    return {stem: hashlib.sha256(shared.digest() + stem.encode()).hexdigest() for stem in stems}


def _digest(value: Any, h: Any, seen: dict[int, Any]) -> None:
    """Feed ``value`` to the hash ``h``: tables by their columns' types and bytes, objects by all their fields."""
    import numpy as np
    import pandas as pd

    h.update(type(value).__name__.encode() + b"\x1e")
    if isinstance(value, pd.DataFrame):
        _digest(value.index, h, seen)
        for name in value.columns:
            h.update(repr(name).encode())
            _digest(value[name].to_numpy(), h, seen)
    elif isinstance(value, pd.Series | pd.Index):
        h.update(repr(value.name).encode())
        _digest(value.to_numpy(), h, seen)
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
                _digest(v, h, seen)
        elif isinstance(value, list | tuple | set | frozenset):
            for v in sorted(value, key=repr) if isinstance(value, set | frozenset) else value:
                _digest(v, h, seen)
        elif dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):  # every field, shown in its repr or not
                h.update(f.name.encode())
                _digest(getattr(value, f.name), h, seen)
            fields = {f.name for f in dataclasses.fields(value)}
            extra = {k: v for k, v in vars(value).items() if k not in fields and not k.startswith("_")}
            _digest(extra, h, seen)  # computed attributes; private ones are caches, filled as they are used
        elif hasattr(value, "__dict__"):
            _digest({k: v for k, v in vars(value).items() if not k.startswith("_")}, h, seen)
        else:  # dates, paths, numpy scalars: their repr is their value
            h.update(repr(value).encode())


def _settings(rc: dict[str, Any]) -> list[tuple[str, Any]]:
    """Matplotlib settings as stored, but the backend (resolving it imports pyplot; figures are saved by format)."""
    return sorted((k, v) for k, v in dict.items(rc) if not k.startswith("backend"))


def entry(key: str, fmt: str) -> Path:
    """Where the figure of ``key`` is kept."""
    from eventstudy.market.price_cache import default_cache_dir

    return default_cache_dir() / "figures" / f"{key}.{fmt}"


def read_figure(key: str, fmt: str) -> bytes | None:
    """The cached bytes of ``key``, or None (not there, empty, unreadable)."""
    try:
        data = entry(key, fmt).read_bytes()
    except OSError:
        return None
    return data or None


def write_figure(key: str, fmt: str, data: bytes) -> None:
    """Keep ``data`` as the figure of ``key`` (a folder that cannot be written: a warning, nothing else)."""
    from eventstudy.errors import DataWarning
    from eventstudy.file_io import atomic_write

    path = entry(key, fmt)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
    except OSError as exc:
        warnings.warn(f"a report figure could not be cached in {path.parent}: {exc}", DataWarning, stacklevel=2)
