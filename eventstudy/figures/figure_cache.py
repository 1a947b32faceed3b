"""Report figures cached on disk: a rerun on the same results reads the figures back instead of drawing them.

A report figure is a function of what it draws: the results cut to the drawn events (the
view the figure workers receive; hashed table by table, column by column, and every other field
of it), which figure
(its file stem: ``car_<event>``), the format, matplotlib's settings (:func:`settings_digest`:
its ``rcParams`` once imported, else the ``matplotlibrc`` files it would read them from), the code of this package
(:func:`~eventstudy.table_cache.code_fingerprint`: an edited checkout
is a new key) and the versions of the libraries
(:func:`eventstudy.versions.package_versions`, matplotlib among them). The key is the
sha256 of all of that; the entry is the figure's bytes, ``<cache>/figures/<key>.<fmt>``,
under the folder of the price downloads and the placebo runs (``$EVENTSTUDY_CACHE``, else
``~/.cache/eventstudy``), written atomically. Only bytes are read back (no objects); an
entry that cannot be read is drawn again, and one that cannot be written is only a warning.
When every figure of a report is there, matplotlib is not even imported.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path
from typing import Any

from eventstudy.cache_limit import stored, used


def figure_keys(view: Any, stems: list[str], fmt: str) -> dict[str, str]:
    """The cache key (a sha256 hex digest) of each figure ``stem`` drawn from ``view`` in ``fmt``."""
    from eventstudy.table_cache import code_fingerprint, feed
    from eventstudy.versions import package_versions

    drawn = hashlib.sha256()
    feed(view, drawn, {})
    feed(vars(view).get("_volume_tables"), drawn, {})  # the drawn events' volume rows it carries
    shared = hashlib.sha256()
    for part in (
        drawn.digest(),  # every table and value the figures read
        code_fingerprint().encode(),
        repr(sorted(package_versions().items())).encode(),
        settings_digest(),
        fmt.encode(),
    ):
        shared.update(hashlib.sha256(part).digest())
    return {stem: hashlib.sha256(shared.digest() + stem.encode()).hexdigest() for stem in stems}


def settings_digest() -> bytes:
    """What matplotlib's settings are made of, without importing it when it is not imported yet.

    Imported, its ``rcParams`` (this process may have changed them). Not imported, they will be
    read from the first ``matplotlibrc`` of its search list (``./matplotlibrc``, ``$MATPLOTLIBRC``,
    the config folder, the package's own): the contents of every candidate (or its absence) and
    the variables that choose them are the digest, so that a changed or new file is a new key.
    """
    import importlib.util
    import os
    import sys

    if "matplotlib" in sys.modules:
        return repr(_settings(sys.modules["matplotlib"].rcParams)).encode()
    env = {k: os.environ.get(k) for k in ("MATPLOTLIBRC", "MPLCONFIGDIR", "XDG_CONFIG_HOME", "HOME", "LOCALAPPDATA")}
    spec = importlib.util.find_spec("matplotlib")
    package = Path(spec.submodule_search_locations[0]) if spec and spec.submodule_search_locations else Path()
    home = Path(env["HOME"] or "~").expanduser()
    folders = [Path(env["MPLCONFIGDIR"] or "."), Path(env["XDG_CONFIG_HOME"] or home / ".config") / "matplotlib",
               home / ".config" / "matplotlib", home / ".matplotlib", Path(env["LOCALAPPDATA"] or ".") / "matplotlib",
               Path(env["MATPLOTLIBRC"] or "."), Path(), package / "mpl-data"]  # fmt: skip
    candidates = [Path(env["MATPLOTLIBRC"] or "matplotlibrc")] + [f / "matplotlibrc" for f in folders]
    digest = hashlib.sha256(repr((sorted(env.items()), str(package))).encode())
    for path in candidates:
        try:
            data = path.read_bytes() if path.is_file() else b"\x00none"
        except OSError:
            data = b"\x00unreadable"
        digest.update(hashlib.sha256(str(path).encode() + b"\x00" + data).digest())
    return b"rc files " + digest.digest()


def _settings(rc: dict[str, Any]) -> list[tuple[str, Any]]:
    """Matplotlib settings as stored, but the backend (resolving it imports pyplot; figures are saved by format)."""
    return sorted((k, v) for k, v in dict.items(rc) if not k.startswith("backend"))


def entry(key: str, fmt: str) -> Path:
    """Where the figure of ``key`` is kept."""
    from eventstudy.market.price_cache import default_cache_dir

    return default_cache_dir() / "figures" / f"{key}.{fmt}"


def read_figure(key: str, fmt: str) -> bytes | None:
    """The cached bytes of ``key``, or None (not there, empty, unreadable)."""
    path = entry(key, fmt)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    used(path)
    return data or None


def write_figure(key: str, fmt: str, data: bytes) -> None:
    """Keep ``data`` as the figure of ``key`` (a folder that cannot be written: a warning, nothing else)."""
    from eventstudy.errors import DataWarning
    from eventstudy.file_io import atomic_write

    path = entry(key, fmt)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
        stored(path)
    except OSError as exc:
        warnings.warn(f"a report figure could not be cached in {path.parent}: {exc}", DataWarning, stacklevel=2)
