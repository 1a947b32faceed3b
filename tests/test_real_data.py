"""The Stargate study on the real CSVs, checked against arithmetic done here.

Expected values are computed in this file from the CSV text (csv module and
plain numpy), using the CSV's own row order as the trading calendar, never
from eventstudy's code.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy import CsvDirectorySource, EventStudy, load_study


def read_adj(path: Path) -> tuple[list[str], np.ndarray]:
    """Dates and adjusted prices (Adj Close, else Close) straight from a CSV."""
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    col = "Adj Close" if rows[0]["Adj Close"] else "Close"
    return [r["Date"] for r in rows], np.array([float(r[col]) for r in rows])


@pytest.fixture(scope="module")
def results(prices_dir, study_path):
    return EventStudy(load_study(study_path), CsvDirectorySource(prices_dir)).run()


def _ar(results, event, ticker):
    ar = results.ar
    return ar[(ar["event"] == event) & (ar["ticker"] == ticker)].set_index("day")


def test_orcl_return_on_2025_01_21(results):
    ar = _ar(results, "first-reports", "ORCL")
    assert ar.loc[0, "session"] == pd.Timestamp("2025-01-21")
    assert ar.loc[0, "return"] == pytest.approx(172.57 / 161.03 - 1, abs=2e-6)


def test_day_zero_per_exchange(results):
    d0 = results.day0.set_index(["event", "ticker"])["session"].dt.strftime("%Y-%m-%d")
    assert d0[("first-reports", "ORCL")] == "2025-01-21"
    assert d0[("first-reports", "NVDA")] == "2025-01-21"
    assert d0[("first-reports", "ARM")] == "2025-01-21"
    assert d0[("first-reports", "9984.T")] == "2025-01-22"
    for ticker in ("ORCL", "NVDA", "ARM", "9984.T"):
        assert d0[("white-house", ticker)] == "2025-01-22"


def test_softbank_return_on_wednesday(results):
    ar = _ar(results, "white-house", "9984.T")
    assert ar.loc[0, "return"] == pytest.approx(2557.50 / 2312.00 - 1, abs=2e-6)
    assert ar.loc[0, "benchmark"] == pytest.approx(39646.25 / 39027.98 - 1, abs=1e-6)


def _numpy_market_model(prices_dir, ticker, bench_file, day0):
    """OLS of stock on market over rows day0-250..day0-11 of the CSV, in plain numpy."""
    dates, p = read_adj(prices_dir / f"{ticker}.csv")
    bdates, bp = read_adj(prices_dir / bench_file)
    bmap = dict(zip(bdates, bp, strict=True))
    i0 = dates.index(day0)
    idx = np.arange(i0 - 250, i0 + 11)  # rows for days -250..+10
    y = p[idx] / p[idx - 1] - 1
    x = np.array([bmap[dates[i]] / bmap[dates[i - 1]] - 1 for i in idx])
    est = slice(0, 240)  # days -250..-11
    X = np.column_stack([np.ones(240), x[est]])
    coef, *_ = np.linalg.lstsq(X, y[est], rcond=None)
    resid = y[est] - X @ coef
    sigma2 = resid @ resid / (240 - 2)
    return coef, sigma2, X, y, x


@pytest.mark.parametrize(("ticker", "bench"), [("ORCL", "GSPC.csv"), ("ARM", "GSPC.csv"), ("9984.T", "N225.csv")])
def test_market_model_matches_numpy_lstsq(results, prices_dir, ticker, bench):
    day0 = "2025-01-22"
    coef, sigma2, X, y, x = _numpy_market_model(prices_dir, ticker, bench, day0)
    fit = results.fits.set_index(["event", "ticker"]).loc[("white-house", ticker)]
    assert fit["alpha"] == pytest.approx(coef[0], abs=1e-10)
    assert fit["beta"] == pytest.approx(coef[1], rel=1e-9)
    assert fit["sigma"] == pytest.approx(np.sqrt(sigma2), rel=1e-9)
    assert fit["n"] == 240

    # CAR and its t statistic, MacKinlay (1997): Var = s^2 (L + i'X*(X'X)^-1 X*'i)
    from scipy import stats

    xtx_inv = np.linalg.inv(X.T @ X)
    ar = y[240:] - (coef[0] + coef[1] * x[240:])  # days -10..+10
    car = results.car.set_index(["event", "ticker", "start", "end"])
    for start, end in [(0, 0), (0, 1), (-1, 1), (-5, 5)]:
        sl = slice(start + 10, end + 11)
        xs = np.column_stack([np.ones(end - start + 1), x[240:][sl]]).sum(axis=0)
        var = sigma2 * ((end - start + 1) + xs @ xtx_inv @ xs)
        t = ar[sl].sum() / np.sqrt(var)
        row = car.loc[("white-house", ticker, start, end)]
        assert row["car"] == pytest.approx(ar[sl].sum(), abs=1e-12)
        assert row["se"] == pytest.approx(np.sqrt(var), rel=1e-9)
        assert row["t"] == pytest.approx(t, rel=1e-9)
        assert row["p"] == pytest.approx(2 * stats.t.sf(abs(t), 238), rel=1e-7)


def test_claims_name_closest_candidate_session(results, prices_dir):
    claims = results.claims.set_index("claim")
    # Close-to-close moves computed here from the CSVs around the White House event.
    for claim, ticker, reported in [
        ("orcl-7", "ORCL", 0.07),
        ("nvda-2.3", "NVDA", 0.023),
        ("arm-4.1", "ARM", 0.041),
        ("softbank-wed-10", "9984.T", 0.10),
        ("softbank-thu-6", "9984.T", 0.06),
    ]:
        dates, p = read_adj(prices_dir / f"{ticker}.csv")
        i0 = dates.index("2025-01-22")
        moves = {dates[i]: p[i] / p[i - 1] - 1 for i in (i0 - 1, i0, i0 + 1)}
        best = min(moves, key=lambda d: abs(moves[d] - reported))
        assert str(claims.loc[claim, "closest_session"].date()) == best
        assert claims.loc[claim, "measured"] == pytest.approx(moves[best], abs=1e-12)
    # What the arithmetic above finds, stated for readers: the US moves were on the 21st.
    assert str(claims.loc["orcl-7", "closest_session"].date()) == "2025-01-21"
    assert str(claims.loc["softbank-wed-10", "closest_session"].date()) == "2025-01-22"
