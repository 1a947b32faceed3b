"""The study's placebo run cached on disk: a rerun, or a study of the same securities and design, reads it back.

The run is seeded and reads only the price files, so it is a function of its key: the
sha256 of every price file it reads (securities and benchmarks, as the provenance hashes
them), the securities (ticker, benchmark, exchange), the windows, the real events' dates
(no placebo date near them), the trials, the seed, the effects, levels and bootstrap draws,
the version of this package and a sha256 of its Python files (an edited checkout is a new
key), and the versions of the libraries that shape the numbers
(:func:`eventstudy.versions.package_versions`). Entries live in
``<cache>/placebo/<sha256 of the key>.npz`` under the cache folder of the price downloads
(``$EVENTSTUDY_CACHE``, else ``~/.cache/eventstudy``;
:func:`eventstudy.market.price_cache.default_cache_dir`), written atomically
(:func:`eventstudy.file_io.atomic_write`). An entry is NumPy arrays and one JSON text, read
with allow_pickle=False (no objects); it carries its whole key, and one that does not parse,
lacks a field, has the wrong shapes or another key is ignored with a warning and recomputed,
never trusted.

What is stored is the whole :class:`~eventstudy.inference.validation.placebo.PlaceboRun`:
the rejection table, every p-value array, the diagnostics, the dates drawn and the number
of candidate dates, so the report is the same byte for byte with or without the cache.
"""

from __future__ import annotations

import hashlib
import io
import json
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy.cache_limit import stored, used
from eventstudy.table_cache import code_fingerprint

if TYPE_CHECKING:
    from eventstudy.inference.validation.design import Listing
    from eventstudy.inference.validation.placebo import PlaceboRun
    from eventstudy.market import PriceSource

FORMAT = 1  # bumped when the entry's layout changes


def run_inputs(source: PriceSource, listings: Sequence[Listing], design: dict[str, Any]) -> dict[str, Any] | None:
    """Everything that determines the run (see the module doc); None if a price file cannot be read.

    Plain JSON values: the entry carries them whole, and its file is named by their sha256. Not a
    digest like :func:`eventstudy.table_cache.cache_key`, which hashes tables it is given.
    """
    from eventstudy import __version__
    from eventstudy.errors import EventStudyError
    from eventstudy.inference.validation.returns import HISTORY
    from eventstudy.versions import package_versions

    data: dict[str, str] = {}
    for symbol in sorted({s for x in listings for s in (x.ticker, x.benchmark)}):
        try:  # read as the run reads it (the source keeps it): never blocks on a FIFO, never past the size limit
            source.prices(symbol, *HISTORY)
            data[symbol] = str(source.provenance()[symbol]["sha256"])
        except (OSError, KeyError, EventStudyError):
            return None  # the run itself says what is wrong with the file
    return {
        "format": FORMAT,
        "eventstudy": __version__,
        "code": code_fingerprint(),
        "packages": package_versions(),
        "data": data,
        "securities": [list(x) for x in listings],
        **{k: _plain(v) for k, v in sorted(design.items())},
    }


def cached_run(
    source: PriceSource, listings: Sequence[Listing], design: dict[str, Any], compute: Callable[[], PlaceboRun]
) -> PlaceboRun:
    """The run of ``compute()``, read from the cache when its entry is there and sound, else computed and stored."""
    from eventstudy.errors import DataWarning
    from eventstudy.market.price_cache import default_cache_dir

    key = run_inputs(source, listings, design)
    if key is None:
        return compute()
    text = json.dumps(key, sort_keys=True, separators=(",", ":"))
    path = default_cache_dir() / "placebo" / f"{hashlib.sha256(text.encode()).hexdigest()}.npz"
    if path.is_file():
        try:
            run = _load(path.read_bytes(), key)
        except FileNotFoundError:  # removed meanwhile (eventstudy.cache_limit): computed
            pass
        except Exception as exc:  # any flaw of the entry: ignored, recomputed
            warnings.warn(f"placebo cache entry {path} is damaged or not this run's ({exc}); recomputed",
                          DataWarning, stacklevel=2)  # fmt: skip
        else:
            used(path)
            return run
    run = compute()
    try:
        from eventstudy.file_io import atomic_write

        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, _dump(run, key))
        stored(path)
    except OSError as exc:
        warnings.warn(f"the placebo run could not be cached in {path.parent}: {exc}", DataWarning, stacklevel=2)
    return run


def _plain(value: Any) -> Any:
    """Tuples as lists, timestamps as ISO dates, numbers as Python numbers: the key as JSON reads it back."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _dump(run: PlaceboRun, key: dict[str, Any]) -> bytes:
    res = run.result
    meta = {
        "key": key,
        "table": list(res.table.columns),
        "pvalues": [list(k) for k in res.pvalues],
        "diagnostics": res.diagnostics,
        "trials": res.trials,
        "seed": res.seed,
        "effects": list(res.effects),
        "alphas": list(res.alphas),
        "windows": [list(w) for w in res.windows],
        "timings": res.timings,
        "designs": list(res.designs),
        "design_diagnostics": res.design_diagnostics,
        "listings": [list(x) for x in run.listings],
        "dates": [d.isoformat() for d in run.dates],
        "candidates": run.candidates,
    }
    arrays = {f"t{i}": _column(res.table[c]) for i, c in enumerate(res.table.columns)}
    arrays |= {f"p{i}": np.asarray(p) for i, p in enumerate(res.pvalues.values())}
    buf = io.BytesIO()
    np.savez(buf, meta=np.array(json.dumps(meta)), **arrays)
    return buf.getvalue()


def _column(values: pd.Series) -> np.ndarray:
    if values.dtype.kind in "biuf":
        return values.to_numpy()
    return np.array([str(v) for v in values], dtype=str)


def _load(raw: bytes, key: dict[str, Any]) -> PlaceboRun:
    from eventstudy.inference.validation.design import Listing
    from eventstudy.inference.validation.placebo import PlaceboRun
    from eventstudy.inference.validation.simulation import ValidationResult

    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        meta = json.loads(str(npz["meta"][()]))
        if meta["key"] != key:
            raise ValueError("its key differs")
        table = pd.DataFrame({c: _restore(npz[f"t{i}"]) for i, c in enumerate(meta["table"])})
        effects = tuple(float(e) for e in meta["effects"])
        pvalues = {}
        for i, (design, label) in enumerate(meta["pvalues"]):
            p = npz[f"p{i}"]
            if p.ndim != 2 or len(p) != len(effects) or p.dtype != np.float64:
                raise ValueError(f"p-values of {label!r} have shape {p.shape}")
            pvalues[(str(design), str(label))] = p
    if not len(table) or not len(meta["dates"]):
        raise ValueError("empty table")
    result = ValidationResult(
        table, pvalues, dict(meta["diagnostics"]), int(meta["trials"]), int(meta["seed"]), effects,
        tuple(float(a) for a in meta["alphas"]), tuple((int(a), int(b)) for a, b in meta["windows"]),
        dict(meta["timings"]), tuple(meta["designs"]), {k: dict(v) for k, v in meta["design_diagnostics"].items()},
    )  # fmt: skip
    listings = tuple(Listing(*x) for x in meta["listings"])
    dates = tuple(pd.Timestamp(d) for d in meta["dates"])
    return PlaceboRun(result, listings, dates, int(meta["candidates"]))


def _restore(values: np.ndarray) -> np.ndarray | list[str]:
    if values.dtype.kind == "U":
        return values.tolist()
    if values.dtype.kind not in "biuf":
        raise ValueError(f"a table column of dtype {values.dtype}")
    return values
