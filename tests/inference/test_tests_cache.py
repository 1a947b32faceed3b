"""Deterministic tables cached on disk (eventstudy/table_cache.py): the tests table, the measures' tests.

A rerun reads back exactly the table the computation gives (dtypes, every value's bits) and
computes nothing; other inputs or other code miss; a damaged entry is computed again; a table
that would not read back exactly is not stored; a rerun of the command line does not import
scipy.stats.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy import CsvDirectorySource, EventStudy, load_study
from eventstudy import table_cache as tc
from eventstudy.errors import DataWarning
from eventstudy.inference import table as tests_table


@pytest.fixture(scope="module")
def res(prices_dir, study_path):
    return EventStudy(load_study(study_path), CsvDirectorySource(prices_dir)).run(tests=False)


def _entries(cache: Path, kind: str = "tests") -> list[Path]:
    return sorted((cache / kind).glob("*.npz"))


def _exactly(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    for name in a.columns:
        if a[name].dtype.kind == "f":
            assert a[name].to_numpy().tobytes() == b[name].to_numpy().tobytes(), name


def _direct(res) -> pd.DataFrame:
    """The tests table from significance_table itself, no cache."""
    ar, car, fits, residuals = res._test_inputs()
    return tests_table.significance_table(ar, car, fits, residuals)


def test_rerun_reads_the_computed_table_back_and_computes_nothing(res, tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    direct = _direct(res)
    first = res.compute_tests()
    assert len(_entries(tmp_path)) == 1
    _exactly(first, direct)

    def no_computing(*args, **kwargs):
        raise AssertionError("a cached tests table was computed")

    monkeypatch.setattr(tests_table, "significance_table", no_computing)
    _exactly(res.compute_tests(), direct)


def test_other_inputs_or_code_miss(res, tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    res.compute_tests()
    ar, car, fits, residuals = res._test_inputs()
    moved = car.copy()
    moved.loc[0, "car"] += 1e-12
    assert tc.cache_key("tests", (ar, moved, fits, residuals)) != tc.cache_key("tests", (ar, car, fits, residuals))
    assert tc.cache_key("tests", (ar, car, fits, residuals[:, ::-1])) != tc.cache_key(
        "tests", (ar, car, fits, residuals)
    )
    monkeypatch.setattr(tc, "code_fingerprint", lambda: "an edited checkout")
    res.compute_tests()
    assert len(_entries(tmp_path)) == 2


@pytest.mark.parametrize("flaw", ["garbage", "truncated", "foreign"])
def test_a_damaged_or_foreign_entry_is_computed_again(res, tmp_path, monkeypatch, flaw):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    direct = res.compute_tests()
    (entry,) = _entries(tmp_path)
    if flaw == "foreign":  # another table's entry under this one's name
        tc.cached_table("tests", "other inputs", lambda: direct.head(3))
        (other,) = (p for p in _entries(tmp_path) if p != entry)
        entry.write_bytes(other.read_bytes())
    else:
        raw = entry.read_bytes()
        entry.write_bytes(b"not an npz file" if flaw == "garbage" else raw[: len(raw) // 2])
    _exactly(res.compute_tests(), direct)
    _exactly(tc._load(entry.read_bytes(), tc.cache_key("tests", (*res._test_inputs(), 0, None))), direct)  # rewritten


def test_a_large_study_s_parts_read_back(res, tmp_path, monkeypatch):
    from eventstudy.inference.parts import tests_in_parts

    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    ar, car, fits, residuals = res._test_inputs()
    first = pd.concat(list(tests_in_parts(ar, car, fits, residuals, pairs_per_part=4)), ignore_index=True)
    assert len(_entries(tmp_path)) == 4  # one entry a part: an event of four securities each
    _exactly(first, _direct(res))
    monkeypatch.setattr(tests_table, "significance_table", lambda *a, **k: pytest.fail("a cached part was computed"))
    again = pd.concat(list(tests_in_parts(ar, car, fits, residuals, pairs_per_part=4)), ignore_index=True)
    _exactly(again, first)


def test_a_table_that_would_not_read_back_exactly_is_not_stored(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    tables = {
        "numpy scalars in an object column": pd.DataFrame({"x": pd.Series([np.float64(1.5), "a"], dtype=object)}),
        "an index of labels": pd.DataFrame({"x": [1.0, 2.0]}, index=["a", "b"]),
        "attrs": pd.DataFrame({"x": [1.0]}).set_flags(allows_duplicate_labels=True),
        "timestamps": pd.DataFrame({"x": pd.to_datetime(["2025-01-21"]).tz_localize("UTC")}),
    }
    tables["attrs"].attrs["source"] = "a note"
    for name, table in tables.items():
        assert tc.cached_table("odd", name, lambda t=table: t) is table, name
    assert not _entries(tmp_path, "odd")
    plain = pd.DataFrame({"s": pd.Series(["a", None, "c"], dtype=object), "f": [0.1, math.nan, -0.0], "i": [1, 2, 3],
                          "t": ["x", "y", "z"], "b": [True, False, True]})  # fmt: skip
    tc.cached_table("odd", "plain", lambda: plain)
    assert len(_entries(tmp_path, "odd")) == 1
    back = tc.cached_table("odd", "plain", lambda: pytest.fail("computed again"))
    _exactly(back, plain)
    assert back["s"].tolist()[1] is None and str(back["f"].iloc[2]) == "-0.0"


def test_an_unwritable_cache_is_a_warning(res, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(blocker))
    with pytest.warns(DataWarning, match="could not be cached"):
        table = res.compute_tests()
    _exactly(table, _direct(res))


def test_measure_tests_read_back(prices_dir, study_path, tmp_path, monkeypatch):
    from eventstudy.measures import compute

    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    spec = load_study(study_path)
    first = EventStudy(spec, CsvDirectorySource(prices_dir)).run(tests=False).measure_tests
    assert len(_entries(tmp_path, "measure-tests")) == 1
    monkeypatch.setattr(compute, "measure_tests", lambda *a: pytest.fail("cached measure tests computed"))
    _exactly(EventStudy(spec, CsvDirectorySource(prices_dir)).run(tests=False).measure_tests, first)


def test_a_rerun_imports_neither_scipy_nor_matplotlib(prices_dir, study_path, tmp_path):
    env = {**os.environ, "EVENTSTUDY_CACHE": str(tmp_path / "cache")}
    code = (
        "import sys; from eventstudy.cli import main; "
        f"main(['run', {str(study_path)!r}, '--prices', {str(prices_dir)!r}, '--out', sys.argv[1], '-q']); "
        "print(sorted(m for m in ('scipy', 'scipy.stats', 'matplotlib', 'statsmodels') if m in sys.modules))"
    )
    outs = []
    for out in ("first", "second"):
        run = subprocess.run([sys.executable, "-c", code, str(tmp_path / out)], capture_output=True, text=True,
                             check=True, env=env)  # fmt: skip
        outs.append(run.stdout.strip())
    assert "scipy.stats" in outs[0] and outs[1] == "[]"
    files = sorted(p.relative_to(tmp_path / "first") for p in (tmp_path / "first").rglob("*") if p.is_file())
    for name in files:
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes(), name
