"""The cap on the on-disk cache's computed entries (eventstudy/cache_limit.py): least recently used removed first.

Sizes are counted here from the files themselves (os.path.getsize), never from the module's own listing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from eventstudy import cache_limit
from eventstudy.cli import main
from eventstudy.errors import EventStudyError
from eventstudy.table_cache import cached_table


def _entry(root: Path, kind: str, name: str, size: int, age: float) -> Path:
    path = root / kind / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def _total(root: Path) -> int:
    return sum(p.stat().st_size for kind in root.iterdir() if kind.is_dir() for p in kind.iterdir())


def test_evict_removes_the_least_recently_used_entries_of_every_kind_until_under_the_cap(tmp_path):
    old = _entry(tmp_path, "tests", "a.npz", 400, age=300)
    older = _entry(tmp_path, "figures", "b.svg", 300, age=400)
    recent = _entry(tmp_path, "placebo", "c.npz", 500, age=10)
    newest = _entry(tmp_path, "tests", "d.npz", 200, age=1)
    prices = [tmp_path / "ORCL.csv", tmp_path / "ORCL.json"]  # price downloads: data, never removed
    for p in prices:
        p.write_bytes(b"p" * 5000)
    temp = _entry(tmp_path, "tests", ".e.npz.x.tmp", 5000, age=1000)  # a writer's temporary file
    removed = cache_limit.evict(tmp_path, 800)
    assert removed == [older, old]
    assert not older.exists() and not old.exists() and recent.exists() and newest.exists()
    assert all(p.exists() for p in [*prices, temp])
    assert cache_limit.evict(tmp_path, 800) == []  # 700 bytes left (and the temporary file, not counted)
    assert cache_limit.evict(tmp_path, 0) == []  # 0: no cap
    assert recent.exists()


def test_a_table_read_back_is_kept_while_unused_ones_go(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    tables = {k: pd.DataFrame({"x": [float(k)] * 200}) for k in range(4)}

    def cache(k: int) -> pd.DataFrame:
        return cached_table("tests", k, lambda: tables[k])

    for k in range(3):
        cache(k)
    entries = sorted((tmp_path / "tests").iterdir(), key=os.path.getmtime)
    assert len(entries) == 3
    size = os.path.getsize(entries[0])
    for i, path in enumerate(entries):  # written a second apart in the past: 0 oldest
        os.utime(path, (time.time() - 100 + i, time.time() - 100 + i))
    first = entries[0]
    computed = []
    assert cached_table("tests", 0, lambda: computed.append(0) or tables[0]).equals(tables[0])
    assert not computed  # read back, and now the most recently used
    monkeypatch.setenv("EVENTSTUDY_CACHE_MAX_BYTES", str(3 * size + size // 2))
    cache(3)  # a fourth entry: one must go, the least recently used (1), not the one just read (0)
    left = set((tmp_path / "tests").iterdir())
    assert first in left and entries[1] not in left and entries[2] in left and len(left) == 3
    assert _total(tmp_path) <= 3 * size + size // 2


_WRITER = """
import sys
import pandas as pd
from eventstudy.table_cache import cached_table
me, n = sys.argv[1], int(sys.argv[2])
for k in range(n):
    cached_table("tests", (me, k), lambda: pd.DataFrame({"x": [float(k)] * 500}))
    for j in range(k):  # read back the other writer's entries too, while they are being removed
        cached_table("tests", ("a" if me == "b" else "b", j), lambda: pd.DataFrame({"x": [float(j)] * 500}))
"""


def test_two_processes_sharing_the_folder_end_under_the_cap_without_an_error(tmp_path):
    cap = 20_000  # a few entries of about 4.5 KB
    env = {**os.environ, "EVENTSTUDY_CACHE": str(tmp_path), "EVENTSTUDY_CACHE_MAX_BYTES": str(cap)}
    command = [sys.executable, "-W", "error", "-c", _WRITER]
    procs = [subprocess.Popen([*command, me, "40"], env=env, stderr=subprocess.PIPE, text=True) for me in "ab"]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0 and not err, err
    assert 0 < _total(tmp_path) <= cap
    assert not [p for p in (tmp_path / "tests").iterdir() if p.name.startswith(".") and p.suffix == ".tmp"]


def test_a_bad_cap_is_one_error_line(monkeypatch, capsys, study_path, prices_dir, tmp_path):
    monkeypatch.setenv("EVENTSTUDY_CACHE_MAX_BYTES", "lots")
    with pytest.raises(EventStudyError, match="EVENTSTUDY_CACHE_MAX_BYTES='lots' is not a size"):
        cache_limit.cache_cap()
    code = main(["run", str(study_path), "--prices", str(prices_dir), "--out", str(tmp_path / "out"), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: EVENTSTUDY_CACHE_MAX_BYTES=") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()
    monkeypatch.setenv("EVENTSTUDY_CACHE_MAX_BYTES", "2M")
    assert cache_limit.cache_cap() == 2 * 1024**2
    monkeypatch.delenv("EVENTSTUDY_CACHE_MAX_BYTES")
    assert cache_limit.cache_cap() == 1024**3
