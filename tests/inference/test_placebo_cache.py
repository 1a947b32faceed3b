"""The study's placebo run cached on disk (eventstudy/inference/validation/placebo_cache.py).

A rerun reads the run back and writes the same report, byte for byte; a changed price file
or seed misses the cache; a damaged or foreign entry is ignored with a warning and recomputed.
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.cli import main
from eventstudy.errors import DataWarning
from eventstudy.inference.validation import placebo as pl
from eventstudy.market import CsvDirectorySource
from eventstudy.spec import load_study

SYMBOLS = ("ORCL", "NVDA", "ARM", "9984.T", "GSPC", "N225")


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / "placebo").glob("*.npz"))


def _same(a: pl.StudyPlacebo, b: pl.StudyPlacebo) -> None:
    assert a.run is not None and b.run is not None
    pd.testing.assert_frame_equal(a.run.table, b.run.table)
    assert a.run.result.pvalues.keys() == b.run.result.pvalues.keys()
    for k, v in a.run.result.pvalues.items():
        assert v.tobytes() == b.run.result.pvalues[k].tobytes(), k
    assert (a.run.dates, a.run.candidates, a.run.listings) == (b.run.dates, b.run.candidates, b.run.listings)
    assert a.to_dict() == b.to_dict() and a.note == b.note
    pd.testing.assert_frame_equal(a.summary, b.summary)


@pytest.fixture
def prices(prices_dir: Path, tmp_path: Path) -> Path:
    """A copy of the Stargate study's price files, to change one."""
    out = tmp_path / "prices"
    out.mkdir()
    for symbol in SYMBOLS:
        shutil.copy(prices_dir / f"{symbol}.csv", out / f"{symbol}.csv")
    return out


def test_rerun_writes_the_same_report_from_the_cache(prices_dir, study_path, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(cache))
    outs = [tmp_path / "first", tmp_path / "second"]
    for out in outs:
        assert main(["run", str(study_path), "--prices", str(prices_dir), "--out", str(out), "-q"]) == 0
        assert len(_entries(cache)) == 1  # stored by the first run, read by the second
    files = sorted(p.relative_to(outs[0]) for p in outs[0].rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(outs[1]) for p in outs[1].rglob("*") if p.is_file())
    assert Path("results.json") in files and Path("report.md") in files
    for name in files:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_a_changed_price_file_or_seed_misses_the_cache(prices, study_path, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(cache))
    spec = load_study(study_path)
    first = pl.placebo_for_study(spec, CsvDirectorySource(prices), trials=20)
    again = pl.placebo_for_study(spec, CsvDirectorySource(prices), trials=20)
    assert len(_entries(cache)) == 1
    _same(first, again)
    other_seed = pl.placebo_for_study(spec, CsvDirectorySource(prices), trials=20, seed=7)
    assert len(_entries(cache)) == 2 and other_seed.run.dates != first.run.dates
    path = prices / "ORCL.csv"
    lines = path.read_text().splitlines(keepends=True)
    date, *cells = lines[1].rstrip("\n").split(",")
    lines[1] = ",".join([date, *cells[:-1], str(int(float(cells[-1])) + 1)]) + "\n"  # one day's volume
    path.write_text("".join(lines))
    changed = pl.placebo_for_study(spec, CsvDirectorySource(prices), trials=20)
    assert len(_entries(cache)) == 3
    _same(first, changed)  # the volume plays no part in the run: the same numbers, from a new entry


@pytest.mark.parametrize("flaw", ["garbage", "truncated", "foreign"])
def test_a_damaged_or_foreign_entry_is_recomputed(prices, study_path, tmp_path, monkeypatch, flaw):
    cache = tmp_path / "cache"
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(cache))
    spec = load_study(study_path)
    fresh = pl.placebo_for_study(spec, CsvDirectorySource(prices), trials=20)
    (entry,) = _entries(cache)
    if flaw == "foreign":  # another run's entry under this run's name
        pl.placebo_for_study(spec, CsvDirectorySource(prices), trials=20, seed=7)
        (other,) = (p for p in _entries(cache) if p != entry)
        shutil.copy(other, entry)
    else:
        raw = entry.read_bytes()
        entry.write_bytes(b"not an npz file" if flaw == "garbage" else raw[: len(raw) // 2])
    with pytest.warns(DataWarning, match="damaged or not this run's"):
        again = pl.placebo_for_study(spec, CsvDirectorySource(prices), trials=20)
    _same(fresh, again)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # rewritten: read back without a warning
        _same(fresh, pl.placebo_for_study(spec, CsvDirectorySource(prices), trials=20))


def test_an_unwritable_cache_is_a_warning(prices, study_path, tmp_path, monkeypatch):
    blocker = tmp_path / "cachefile"
    blocker.write_text("")
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(blocker))
    spec = load_study(study_path)
    with pytest.warns(DataWarning, match="could not be cached"):
        res = pl.placebo_for_study(spec, CsvDirectorySource(prices), trials=20)
    assert res.run is not None


def test_changed_code_misses_the_cache(prices, study_path, tmp_path, monkeypatch):
    from eventstudy.inference.validation import placebo_cache

    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))
    spec = load_study(study_path)
    pl.placebo_for_study(spec, CsvDirectorySource(prices), trials=20)
    monkeypatch.setattr(placebo_cache, "code_fingerprint", lambda: "an edited checkout")
    pl.placebo_for_study(spec, CsvDirectorySource(prices), trials=20)
    assert len(_entries(tmp_path / "cache")) == 2


def test_a_price_file_that_is_a_fifo_is_not_read_for_the_key(prices, study_path, tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))
    (prices / "ARM.csv").unlink()
    os.mkfifo(prices / "ARM.csv")  # opening it to read would block
    res = pl.placebo_for_study(load_study(study_path), CsvDirectorySource(prices), trials=20)
    assert res.run is None and "not run" in res.note and not _entries(tmp_path / "cache")
