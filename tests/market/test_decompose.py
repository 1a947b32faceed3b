"""Overnight / intraday decomposition: identities and hand arithmetic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventstudy.market.decompose import decompose


def _frame(rows):
    idx = pd.DatetimeIndex([r[0] for r in rows], name="Date")
    cols = ["Open", "High", "Low", "Close", "Adj Close", "Volume"]
    return pd.DataFrame([r[1:] for r in rows], index=idx, columns=cols, dtype=float)


def test_hand_computed_example_with_dividend_factor():
    # Day 2 goes ex-dividend: Adj Close/Close changes from 0.98 to 1.0.
    f = _frame(
        [
            ("2025-01-02", 99, 101, 98, 100, 98, 1),
            ("2025-01-03", 102, 106, 101, 105, 105, 1),
        ]
    )
    d = decompose(f, pd.DatetimeIndex(["2025-01-03"])).iloc[0]
    assert d["close_to_close"] == pytest.approx(105 / 98 - 1)
    assert d["overnight"] == pytest.approx(102 / 98 - 1)
    assert d["intraday"] == pytest.approx(105 / 102 - 1)
    assert d["low"] == pytest.approx(101 / 98 - 1)
    assert d["high"] == pytest.approx(106 / 98 - 1)


def test_missing_open_is_said_not_guessed():
    f = _frame(
        [("2025-01-02", np.nan, np.nan, np.nan, 100, 100, 1), ("2025-01-03", np.nan, np.nan, np.nan, 110, 110, 1)]
    )
    d = decompose(f, pd.DatetimeIndex(["2025-01-03"]), origin="9984.T.csv").iloc[0]
    assert d["close_to_close"] == pytest.approx(0.1)
    assert np.isnan(d["overnight"]) and np.isnan(d["intraday"])
    assert "no Open in 9984.T.csv" in d["note"]


prices = st.floats(min_value=1.0, max_value=1e4, allow_nan=False)
factors = st.floats(min_value=0.2, max_value=1.0)


@given(prices, prices, prices, factors, factors)
def test_parts_compound_to_close_to_close(prev_close, open_, close, f0, f1):
    f = _frame(
        [
            ("2025-01-02", prev_close, prev_close, prev_close, prev_close, prev_close * f0, 1),
            ("2025-01-03", open_, max(open_, close), min(open_, close), close, close * f1, 1),
        ]
    )
    d = decompose(f, pd.DatetimeIndex(["2025-01-03"])).iloc[0]
    assert (1 + d["overnight"]) * (1 + d["intraday"]) == pytest.approx(1 + d["close_to_close"], rel=1e-12)
    assert d["low"] <= d["close_to_close"] + 1e-12 <= d["high"] + 2e-12


def test_real_orcl_and_softbank(prices_dir):
    from eventstudy.market import CsvDirectorySource

    src = CsvDirectorySource(prices_dir)
    lo, hi = pd.Timestamp("2025-01-01"), pd.Timestamp("2025-01-31")
    orcl = decompose(src.prices("ORCL", lo, hi), pd.DatetimeIndex(["2025-01-22"])).iloc[0]
    # From the CSV rows: Open 2025-01-22 191.51, Close 2025-01-21 172.57 (no dividend between;
    # the Adj Close/Close factor moves by float32 noise, ~1e-7)
    assert orcl["overnight"] == pytest.approx(191.50999450683594 / 172.57000732421875 - 1, rel=1e-6)
    assert orcl["intraday"] == pytest.approx(184.22000122070312 / 191.50999450683594 - 1, rel=1e-9)
    sb = decompose(src.prices("9984.T_JQuants_OHLCV", lo, hi), pd.DatetimeIndex(["2025-01-23"])).iloc[0]
    assert sb["high"] == pytest.approx(2722.5 / 2557.5 - 1)
    assert sb["overnight"] == pytest.approx(2682.5 / 2557.5 - 1)
