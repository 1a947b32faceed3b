"""The tests table in parts of whole events (a large study's tests.parquet) is the whole table, row for row."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy import CsvDirectorySource, EventStudy, load_study
from eventstudy.inference import parts as parts_module
from eventstudy.inference import table as table_module
from eventstudy.inference.table import significance_table
from eventstudy.report import write_report


def _study(seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Events of 1, 3, 1, 4, 2 and 1 securities, their pairs interleaved in the car table; T = 30, AR days -5..5."""
    rng = np.random.default_rng(seed)
    sizes = {"a": 1, "b": 3, "c": 1, "d": 4, "e": 2, "f": 1}
    days = np.arange(-5, 6)
    pairs = [(ev, f"T{i}") for ev, n in sizes.items() for i in range(n)]
    order = rng.permutation(len(pairs))  # the study order: events' pairs not together
    pairs = [pairs[k] for k in order]
    ar = rng.normal(0.001, 0.02, (len(pairs), len(days)))
    resid = rng.normal(0, 0.02, (len(pairs), 30))
    df = rng.integers(20, 28, len(pairs)).astype(float)
    ar_rows = [(ev, tk, int(d), ar[p, j]) for p, (ev, tk) in enumerate(pairs) for j, d in enumerate(days)]
    car_rows = []
    for p, (ev, tk) in enumerate(pairs):
        for start, end in ((-1, 1), (0, 0), (-5, 5)):  # 11 days: the Corrado sum's order matters
            cols = (days >= start) & (days <= end)
            c, se = float(ar[p, cols].sum()), 0.02 * math.sqrt(cols.sum()) * (1 + 0.1 * p)
            car_rows.append((ev, tk, start, end, c, se, c / se, 0.5, df[p]))
    car = pd.DataFrame(car_rows, columns=["event", "ticker", "start", "end", "car", "se", "t", "p", "df"])
    ar_t = pd.DataFrame(ar_rows, columns=["event", "ticker", "day", "abnormal"])
    fits = pd.DataFrame({"event": [e for e, _ in pairs], "ticker": [t for _, t in pairs], "df": df})
    return ar_t, car, fits, resid


@pytest.mark.parametrize("pairs_per_part", [1, 2, 5, 100])
def test_parts_are_the_whole_table(monkeypatch, tmp_path: Path, pairs_per_part: int) -> None:
    monkeypatch.setattr(table_module, "WILD_DRAWS", 999)  # speed
    monkeypatch.setattr(table_module, "BOOTSTRAP_DRAWS", 999)
    ar, car, fits, resid = _study()
    whole = significance_table(ar, car, fits, resid)
    parts = list(parts_module.tests_in_parts(ar, car, fits, resid, pairs_per_part=pairs_per_part))
    assert len(parts) > 1 or pairs_per_part == 100
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), whole, check_exact=True)
    # the residuals read through row positions (the engine's matrix, not copied)
    shuffled = np.random.default_rng(1).permutation(len(resid))
    matrix = np.empty_like(resid)
    matrix[shuffled] = resid
    again = parts_module.tests_in_parts(ar, car, fits, matrix, residual_rows=shuffled, pairs_per_part=pairs_per_part)
    kept = parts_module.write_tests_parquet(again, tmp_path / "tests.parquet", {"b", "f"})
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "tests.parquet"), whole, check_exact=True)
    pd.testing.assert_frame_equal(kept, whole[whole["event"].isin(["b", "f"])], check_exact=True)


def test_parts_keep_the_study_draws(monkeypatch) -> None:
    """A part of a large study draws as the whole study does (fewer draws above the limits)."""
    monkeypatch.setattr(table_module, "BOOTSTRAP_LARGE_PAIRS", 5)
    monkeypatch.setattr(table_module, "WILD_LARGE_BLOCKS", 4)
    ar, car, fits, resid = _study()
    whole = significance_table(ar, car, fits, resid)
    assert whole.loc[whole["test"] == "bootstrap", "n"].eq(table_module.BOOTSTRAP_DRAWS_LARGE).all()
    parts = pd.concat(parts_module.tests_in_parts(ar, car, fits, resid, pairs_per_part=2), ignore_index=True)
    pd.testing.assert_frame_equal(parts, whole, check_exact=True)


def test_no_pairs() -> None:
    ar, car, fits, resid = _study()
    parts = list(parts_module.tests_in_parts(ar.iloc[:0], car.iloc[:0], fits.iloc[:0], resid[:0]))
    assert len(parts) == 1 and parts[0].empty


def test_a_large_report_writes_the_tests_in_parts(prices_dir, study_path, tmp_path, monkeypatch) -> None:
    """write_report with Parquet tables: tests.parquet in parts, the whole table never computed, the same files."""
    monkeypatch.setattr(parts_module, "PAIRS_PER_PART", 3)
    spec = load_study(study_path)
    streamed = EventStudy(spec, CsvDirectorySource(prices_dir)).run(tests=False)
    write_report(streamed, tmp_path / "parts", figure_format="none", parquet_from=0)
    assert streamed.tests is None and streamed.report_tests is not None
    whole = EventStudy(spec, CsvDirectorySource(prices_dir)).run()
    assert len(whole.tests["event"].unique()) > 1  # computed by run: the report writes it at once
    write_report(whole, tmp_path / "whole", figure_format="none", parquet_from=0)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "parts" / "tests.parquet"), whole.tests, check_exact=True)
    for name in ("report.md", "report.html", "results.json", "car.parquet"):
        assert (tmp_path / "parts" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
