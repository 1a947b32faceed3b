"""The engine's fits cached on disk (eventstudy/engine/solve_cache.py).

A rerun reads back exactly what :func:`eventstudy.engine.ols.solve` gives (every array's dtype,
shape and bits, the fits' problems) and solves nothing; other inputs or other code miss; a
damaged entry is solved again; an unwritable cache folder is a warning; large groups are not stored.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from eventstudy import record_cache
from eventstudy import table_cache as tc
from eventstudy.engine import ols, solve_cache
from eventstudy.errors import DataWarning

WINDOWS = {"estimation_window": (-60, -11), "ar_window": (-10, 10), "event_windows": ((0, 0), (-1, 1), (-5, 5))}
FIRST = -60
MARKET = ols.market_design()
DESIGNS = {
    "market": (MARKET, 1),
    "multi_index": (ols.Design("multi_index", ("alpha", "beta", "gamma_SOXX")), 2),
    "market_adjusted": (ols.Design("market_adjusted", ("beta",), kind="adjusted", intercept=False), 1),
    "index": (ols.Design("index", ("beta",), kind="index", intercept=False), 1),
}


def panel(symbols: int = 6, sessions: int = 120, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = rng.normal(0.0, 0.01, (symbols, sessions))
    values[4] = 0.0  # constant returns: a degenerate fit with its problem text
    return values


def args(design: ols.Design, regressors: int, values: np.ndarray | None = None) -> tuple:
    values = panel() if values is None else values
    own = np.array([0, 1, 2, 4, 3])
    cols = np.column_stack([own, *(np.full(len(own), c) for c in (5, 3)[:regressors])])
    return values, cols, np.array([70, 75, 80, 90, 100]), design


def _entries(cache: Path) -> list[Path]:
    tc.store_pending()  # entries are written when a run goes through
    return sorted((cache / "solved").glob("*.npz"))


def _exactly(a: ols.Solved, b: ols.Solved) -> None:
    assert record_cache._same(a, b)
    for name in ("car", "t", "p"):
        assert getattr(a, name).tobytes() == getattr(b, name).tobytes()
    assert a.fit.design == b.fit.design and a.fit.problem.tolist() == b.fit.problem.tolist()


@pytest.mark.parametrize("model", list(DESIGNS))
def test_a_rerun_reads_the_solved_pairs_back_and_solves_nothing(model, tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    a = args(*DESIGNS[model])
    direct = ols.solve(*a, first=FIRST, **WINDOWS)
    first = solve_cache.cached_solve(*a, first=FIRST, **WINDOWS)
    assert len(_entries(tmp_path)) == 1
    _exactly(first, direct)
    monkeypatch.setattr(ols, "solve", lambda *a, **k: pytest.fail("cached pairs were solved again"))
    again = solve_cache.cached_solve(*a, first=FIRST, **WINDOWS)
    _exactly(again, direct)
    if model == "market":
        assert again.fit.problem[3] and not again.fit.problem[0]  # constant returns: a degenerate fit
        assert np.isfinite(again.p[0]).all()


def test_other_inputs_or_code_miss(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    values = panel()
    solve_cache.cached_solve(*args(MARKET, 1, values), first=FIRST, **WINDOWS)
    moved = values.copy()
    moved[0, 50] += 1e-12
    solve_cache.cached_solve(*args(MARKET, 1, moved), first=FIRST, **WINDOWS)
    solve_cache.cached_solve(*args(MARKET, 1, values), first=FIRST, **{**WINDOWS, "event_windows": ((0, 1),)})
    solve_cache.cached_solve(*args(*DESIGNS["multi_index"], values), first=FIRST, **WINDOWS)
    assert len(_entries(tmp_path)) == 4
    monkeypatch.setattr(tc, "code_fingerprint", lambda: "an edited checkout")
    solve_cache.cached_solve(*args(MARKET, 1, values), first=FIRST, **WINDOWS)
    assert len(_entries(tmp_path)) == 5


@pytest.mark.parametrize("flaw", ["garbage", "truncated", "foreign"])
def test_a_damaged_or_foreign_entry_is_solved_again(flaw, tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    a = args(MARKET, 1)
    direct = solve_cache.cached_solve(*a, first=FIRST, **WINDOWS)
    (entry,) = _entries(tmp_path)
    if flaw == "foreign":  # another group's entry under this one's name
        solve_cache.cached_solve(*args(MARKET, 1, panel(seed=9)), first=FIRST, **WINDOWS)
        (other,) = (p for p in _entries(tmp_path) if p != entry)
        entry.write_bytes(other.read_bytes())
    else:
        raw = entry.read_bytes()
        entry.write_bytes(b"not an npz file" if flaw == "garbage" else raw[: len(raw) // 2])
    _exactly(solve_cache.cached_solve(*a, first=FIRST, **WINDOWS), direct)
    monkeypatch.setattr(ols, "solve", lambda *a, **k: pytest.fail("a rewritten entry was solved again"))
    _exactly(solve_cache.cached_solve(*a, first=FIRST, **WINDOWS), direct)


def test_an_unwritable_cache_is_a_warning(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(blocker))
    a = args(MARKET, 1)
    got = solve_cache.cached_solve(*a, first=FIRST, **WINDOWS)
    with pytest.warns(DataWarning, match="could not be cached"):
        tc.store_pending()
    _exactly(got, ols.solve(*a, first=FIRST, **WINDOWS))


def test_a_large_group_is_solved_not_stored(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    monkeypatch.setattr(record_cache, "CACHED_PAIRS", 4)
    a = args(MARKET, 1)
    _exactly(solve_cache.cached_solve(*a, first=FIRST, **WINDOWS), ols.solve(*a, first=FIRST, **WINDOWS))
    assert not _entries(tmp_path)


def test_nothing_is_written_before_the_run_goes_through(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    a = args(MARKET, 1)
    first = solve_cache.cached_solve(*a, first=FIRST, **WINDOWS)
    assert not (tmp_path / "solved").exists()  # kept in memory, and read from there
    monkeypatch.setattr(ols, "solve", lambda *a, **k: pytest.fail("a kept entry was solved again"))
    _exactly(solve_cache.cached_solve(*a, first=FIRST, **WINDOWS), first)
    assert len(_entries(tmp_path)) == 1


def test_a_result_that_would_not_read_back_is_not_stored(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    a = args(MARKET, 1)
    solved = ols.solve(*a, first=FIRST, **WINDOWS)
    classes = {c.__qualname__: c for c in (ols.Solved, ols.Fit, ols.Design)}
    assert record_cache.dump(solved, "key", classes) is not None
    solved.fit.problem[0] = None  # not a text
    assert record_cache.dump(solved, "key", classes) is None
    solved.fit.problem[0] = ""
    solved.windows = [list(w) for w in solved.windows]  # lists: JSON would give them back as tuples
    assert record_cache.dump(solved, "key", classes) is None
    assert record_cache.dump(solved, "key", {}) is None  # a class the caller did not name


def test_a_group_from_a_large_panel_is_solved_not_stored(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    monkeypatch.setattr(solve_cache, "PANEL_BYTES", 1000)
    a = args(MARKET, 1)
    _exactly(solve_cache.cached_solve(*a, first=FIRST, **WINDOWS), ols.solve(*a, first=FIRST, **WINDOWS))
    assert not _entries(tmp_path)
