"""A size cap on the on-disk cache of computed entries: the least recently used go first, after a write.

The caches of computed results (the tests and measure-tests tables, the placebo runs and their
summaries, the report figures, the exchange calendars) keep one file an entry in a folder of
their own under the cache folder (``$EVENTSTUDY_CACHE``, else ``~/.cache/eventstudy``):
``<cache>/<kind>/<entry>``. Every entry they read is marked used (:func:`used`: its modification
time set to now) and after every entry they write (:func:`stored`) the entries of all the kinds
together are held to ``$EVENTSTUDY_CACHE_MAX_BYTES`` (default 1G; ``K``, ``M``, ``G`` as for the
input limits, :func:`eventstudy.file_io.size_limit`; 0: no cap), removing the least recently used
first. The price downloads (``<cache>/<symbol>.csv`` and ``.json``, data and not a computation)
are never removed.

Two processes may share the folder: the removals run under an exclusive lock on
``<cache>/.evict.lock``; files starting with a dot (a writer's temporary file, the locks) are
never counted nor removed; an entry removed while another process reads it is read whole (an
open file outlives its name) or, once gone, computed again as any missing entry is.
"""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

CAP_VARIABLE = "EVENTSTUDY_CACHE_MAX_BYTES"
DEFAULT_CAP = "1G"


def cache_cap() -> int:
    """The cap in bytes on the computed entries (``$EVENTSTUDY_CACHE_MAX_BYTES``, default 1G; 0: none)."""
    from eventstudy.file_io import parse_size

    return parse_size(CAP_VARIABLE, os.environ.get(CAP_VARIABLE, "").strip() or DEFAULT_CAP)


def used(entry: Path) -> None:
    """Mark ``entry`` (a file read from the cache) as just used: it is then removed last."""
    with suppress(OSError):  # removed meanwhile, a read-only folder: it only ages
        os.utime(entry)


def stored(entry: Path) -> None:
    """After ``entry`` (``<cache>/<kind>/<file>``) was written: hold its cache to the cap (:func:`evict`)."""
    cap = cache_cap()
    with suppress(OSError):  # a folder that cannot be listed or locked: the cache only grows
        evict(entry.parent.parent, cap)


def evict(root: Path, cap: int) -> list[Path]:
    """Remove the least recently used entries of ``root``'s kinds until they total at most ``cap`` bytes.

    Under an exclusive lock on ``root/.evict.lock``. Returns the entries removed (oldest first).
    """
    from eventstudy.file_io import locked

    if cap <= 0:
        return []
    with locked(root / ".evict.lock"):
        found = entries(root)
        total = sum(size for _, _, size in found)
        removed = []
        for _, path, size in sorted(found):
            if total <= cap:
                break
            path.unlink(missing_ok=True)  # gone: removed by hand meanwhile
            total -= size
            removed.append(path)
    return removed


def entries(root: Path) -> list[tuple[int, Path, int]]:
    """(last use in ns, path, bytes) of every entry in the kinds' folders under ``root``."""
    found = []
    with os.scandir(root) as top:
        kinds = [d.path for d in top if d.is_dir(follow_symlinks=False) and not d.name.startswith(".")]
    for kind in kinds:
        try:
            with os.scandir(kind) as files:
                for f in files:
                    if f.name.startswith(".") or not f.is_file(follow_symlinks=False):
                        continue
                    try:
                        info = f.stat(follow_symlinks=False)
                    except FileNotFoundError:  # removed since it was listed
                        continue
                    found.append((info.st_mtime_ns, Path(f.path), info.st_size))
        except FileNotFoundError:
            continue
    return found
