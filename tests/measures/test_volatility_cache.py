"""The abnormal volatility cached on disk (eventstudy/measures/volatility.py through eventstudy/record_cache.py).

A rerun reads back exactly what the computation gives and computes nothing; other returns miss;
a damaged entry is computed again; more pairs than the cache holds are computed, not stored.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from eventstudy import record_cache
from eventstudy import table_cache as tc
from eventstudy.measures import volatility

KW = {"start": -60, "estimation_window": (-60, -11), "ar_window": (-10, 10), "event_windows": ((0, 0), (-1, 1))}


def stacks(seed: int = 2) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    m = rng.normal(0.0, 0.01, (6, 71))
    return 0.0002 + 1.2 * m + rng.normal(0.0, 0.015, m.shape), m


def _entries(cache: Path) -> list[Path]:
    tc.store_pending()
    return sorted((cache / "volatility").glob("*.npz"))


def _direct(y: np.ndarray, m: np.ndarray) -> volatility.AbnormalVolatility:
    return volatility._abnormal_volatility(y, m, -60, (-60, -11), (-10, 10), ((0, 0), (-1, 1)))


def test_a_rerun_reads_it_back_and_computes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    y, m = stacks()
    direct = _direct(y, m)
    assert record_cache._same(volatility.abnormal_volatility(y, m, **KW), direct)
    assert len(_entries(tmp_path)) == 1
    monkeypatch.setattr(volatility, "_abnormal_volatility", lambda *a: pytest.fail("cached volatility computed"))
    again = volatility.abnormal_volatility(y, m, **KW)
    assert record_cache._same(again, direct) and again.p_window.tobytes() == direct.p_window.tobytes()
    assert again.windows == ((0, 0), (-1, 1)) and type(again.df) is int


def test_other_returns_miss_and_a_damaged_entry_is_computed_again(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    y, m = stacks()
    volatility.abnormal_volatility(y, m, **KW)
    moved = y.copy()
    moved[0, 30] += 1e-12
    volatility.abnormal_volatility(moved, m, **KW)
    entries = _entries(tmp_path)
    assert len(entries) == 2
    for entry in entries:
        entry.write_bytes(b"not an npz file")
    assert record_cache._same(volatility.abnormal_volatility(y, m, **KW), _direct(y, m))


def test_many_pairs_are_computed_not_stored(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    monkeypatch.setattr(record_cache, "CACHED_PAIRS", 3)
    y, m = stacks()
    assert record_cache._same(volatility.abnormal_volatility(y, m, **KW), _direct(y, m))
    assert not _entries(tmp_path)
