"""The vectorized large-study path gives the per-pair path's tables, errors and warnings, on real prices.

Three runs of the same studies are compared: the vectorized path
(``batch_min_pairs=1``), the per-pair path (``batch_min_pairs=10**9``,
numpy OLS pair by pair) and ``MarketModel(engine="statsmodels")`` (statsmodels
OLS pair by pair). The per-pair paths are the reference: the vectorized
path must match them to 1e-10 on every numeric column, exactly elsewhere.

The events CSV is built here from the real price files: 13 dates, the nine
US stocks against ^GSPC and SoftBank against ^N225 on each (ARM listed on
2023-09-14 and CEG on 2022-01-19, so early dates exclude them; ^N225
starts on 2021-05-28), and one-security events whose benchmark trades on
another exchange (the TOPIX ETF 1306.T against ^GSPC, SPY against ^N225), whose
carried-forward closes give warnings and, when the benchmark has no close
on the last window session, an error.
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy import CsvDirectorySource, EventStudy, load_study
from eventstudy.claims.reconcile import TEXT_COLUMNS
from eventstudy.engine.models import MarketModel
from eventstudy.errors import EventStudyError
from eventstudy.spec.events_csv import load_events_csv

US = ["ORCL", "NVDA", "MSFT", "AVGO", "AMD", "SMCI", "VRT", "CEG", "ARM"]
DATES = [
    "2021-06-15", "2022-03-01", "2022-11-10", "2023-06-01", "2023-10-25", "2024-02-28", "2024-03-15",
    "2024-06-12", "2024-09-19", "2024-12-18", "2025-01-21", "2025-04-09", "2025-10-01",
]  # fmt: skip
CROSS = ["2022-08-22", "2023-03-24", "2023-11-22", "2024-05-06", "2024-09-30", "2025-06-20", "2025-11-26"]
NUMERIC = {
    "ar": ["return", "benchmark", "expected", "abnormal", "sar", "price", "benchmark_price"],
    "car": ["car", "se", "t", "p"],
    "fits": ["alpha", "beta", "sigma", "r2", "share_abs_z_ge_3"],
    "residuals": ["residual"],
    "tests": ["statistic", "p"],
    "flags": ["abnormal", "z"],
}


def events_rows() -> list[tuple[str, str, str, str, str]]:
    rows = []
    for i, day in enumerate(DATES):
        stamp = day if i % 3 == 0 else f"{day}T{9 + i:02d}:30:00-05:00"  # date-only and timed events
        rows += [(f"d{i:02d}", t, stamp, "^GSPC", "XNAS" if t in ("NVDA", "ARM") else "XNYS") for t in US]
        rows.append((f"d{i:02d}", "9984.T", stamp, "^N225", "XTKS"))
    for i, day in enumerate(CROSS):
        rows.append((f"x{i:02d}", "1306.T" if i % 2 else "SPY", f"{day}T15:00:00+09:00",
                     "^GSPC" if i % 2 else "^N225", "XTKS" if i % 2 else "XNYS"))  # fmt: skip
    return rows


def write_events(path: Path) -> Path:
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["event", "ticker", "timestamp", "benchmark", "exchange"])
        out.writerows(events_rows())
    return path


def run(spec, source, **kw):
    """Results and the warnings the run gave (messages, in order)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = EventStudy(spec, source, on_error="skip", **kw).run()
    return res, [str(w.message) for w in caught if "carried forward" in str(w.message)]


@pytest.fixture(scope="module")
def source(prices_dir):
    return CsvDirectorySource(prices_dir)


@pytest.fixture(scope="module")
def events_spec(tmp_path_factory):
    return load_events_csv(write_events(tmp_path_factory.mktemp("events") / "events.csv"))


@pytest.fixture(scope="module")
def csv_runs(events_spec, source):
    return {
        "vectorized": run(events_spec, source, batch_min_pairs=1),
        "per-pair": run(events_spec, source, batch_min_pairs=10**9),
        "statsmodels": run(events_spec, source, model=MarketModel(engine="statsmodels"), batch_min_pairs=1),
    }


@pytest.fixture(scope="module")
def stargate_runs(study_path, source):
    spec = load_study(study_path)
    return {
        "vectorized": run(spec, source, batch_min_pairs=1),
        "per-pair": run(spec, source, batch_min_pairs=10**9),
        "statsmodels": run(spec, source, model=MarketModel(engine="statsmodels"), batch_min_pairs=1),
    }


def assert_same_tables(fast, ref) -> None:
    """Every table: same shape, columns, dtypes and text; numbers to 1e-10."""
    for name in ("day0", "ar", "car", "fits", "residuals", "tests", "excluded", "flags", "overlaps"):
        a, b = getattr(fast, name), getattr(ref, name)
        assert list(a.columns) == list(b.columns), name
        assert a.dtypes.to_dict() == b.dtypes.to_dict(), name
        assert len(a) == len(b), name
        numeric = NUMERIC.get(name, [])
        pd.testing.assert_frame_equal(a.drop(columns=numeric), b.drop(columns=numeric), check_exact=True, obj=name)
        for col in numeric:
            np.testing.assert_allclose(a[col].to_numpy(float), b[col].to_numpy(float), rtol=0, atol=1e-10,
                                       err_msg=f"{name}.{col}")  # fmt: skip


def test_events_csv_covers_what_it_should(csv_runs, events_spec):
    res, said = csv_runs["per-pair"]
    assert len(events_spec.pairs) >= 130
    assert len(res.fits) >= 100
    reasons = res.excluded.set_index(["event", "ticker"])["reason"]
    assert "no prices between" in reasons[("d03", "ARM")]  # ARM before its listing
    assert "data start on 2023-09-14" in reasons[("d05", "ARM")]  # listed inside the estimation window
    assert "data start on 2022-01-19" in reasons[("d01", "CEG")]
    assert "^N225" in reasons[("d00", "9984.T")]  # the index file starts 2021-05-28
    assert reasons.str.contains("the data end on").any()  # a benchmark with no close on the last session
    assert said and all("carried forward" in w for w in said)
    assert set(res.ar["ticker"]) >= {*US, "9984.T"}


@pytest.mark.parametrize("reference", ["per-pair", "statsmodels"])
def test_events_csv_vectorized_equals_one_by_one(csv_runs, reference):
    fast, fast_said = csv_runs["vectorized"]
    ref, ref_said = csv_runs[reference]
    assert_same_tables(fast, ref)
    assert fast_said == ref_said  # the same carried-forward warnings, in the same order


@pytest.mark.parametrize("reference", ["per-pair", "statsmodels"])
def test_stargate_vectorized_equals_one_by_one(stargate_runs, reference):
    fast, _ = stargate_runs["vectorized"]
    ref, _ = stargate_runs[reference]
    assert_same_tables(fast, ref)
    assert set(fast.day0["exchange"]) >= {"XTKS", "XNYS"}
    claimed = set(zip(fast.claims["event"], fast.claims["ticker"], strict=True))
    moves = [
        r.moves[[k in claimed for k in zip(r.moves["event"], r.moves["ticker"], strict=True)]] for r in (fast, ref)
    ]
    pd.testing.assert_frame_equal(*(m.reset_index(drop=True) for m in moves), check_exact=False, atol=1e-10)
    cols = ["measured", "abnormal", "distance"]
    claims = [r.claims.drop(columns=TEXT_COLUMNS) for r in (fast, ref)]  # sentences round the numbers
    pd.testing.assert_frame_equal(*(c.drop(columns=cols) for c in claims), check_exact=True)
    for col in cols:
        np.testing.assert_allclose(*(c[col].to_numpy(float) for c in claims), rtol=0, atol=1e-10)


def test_vectorized_path_fits_nothing_one_by_one(events_spec, source, monkeypatch):
    """Only the pairs it cannot compute (they all fail on their data here) reach the per-pair steps."""
    import eventstudy.study as study

    panels = []
    original = study.EventStudy._panel
    monkeypatch.setattr(
        study.EventStudy, "_panel", lambda self, pair, f: panels.append(pair) or original(self, pair, f)
    )
    res, _ = run(events_spec, source, batch_min_pairs=1)
    assert len(panels) == len(res.excluded)


def test_raise_gives_the_same_first_error(events_spec, source):
    errors = []
    for kw in ({"batch_min_pairs": 1}, {"batch_min_pairs": 10**9}):
        with pytest.raises(EventStudyError) as exc, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            EventStudy(events_spec, source, **kw).run()
        errors.append((type(exc.value), str(exc.value)))
    assert errors[0] == errors[1]
    assert "CEG" in errors[0][1]  # d00 (2021-06-15): CEG is the first pair without history


class Edited:
    """A price source that edits some frames of another (for data the real files do not have)."""

    def __init__(self, inner: CsvDirectorySource, edits: dict) -> None:
        self.inner, self.edits = inner, edits

    def prices(self, symbol, start, end):
        frame = self.inner.prices(symbol, start, end).copy()
        return self.edits[symbol](frame) if symbol in self.edits else frame

    def provenance(self):
        return self.inner.provenance()

    def describe(self):
        return self.inner.describe()


def _constant_msft(frame):
    frame.loc["2023-01-02":"2024-12-31", ["Close", "Adj Close"]] = 100.0  # zero residual variance for d07
    return frame


def _hole_in_gspc(frame):
    frame.loc["2024-09-23", "Adj Close"] = np.nan  # an empty benchmark cell inside d08's windows
    return frame


def _late_adj_close(frame):
    frame.loc[:"2023-05-31", "Adj Close"] = np.nan  # Adj Close starts later: windows ending before use Close
    return frame


@pytest.mark.parametrize(
    ("edits", "expect"),
    [
        ({"MSFT": _constant_msft}, "zero variance"),
        ({"^GSPC": _hole_in_gspc}, "empty price cell on 2024-09-23"),
        ({"AMD": _late_adj_close}, None),
    ],
)
def test_bad_data_and_degenerate_fits_match_the_per_pair_path(events_spec, source, edits, expect):
    edited = Edited(source, edits)
    fast, fast_said = run(events_spec, edited, batch_min_pairs=1)
    ref, ref_said = run(events_spec, edited, batch_min_pairs=10**9)
    assert_same_tables(fast, ref)
    assert fast_said == ref_said
    if expect is not None:
        assert fast.excluded["reason"].str.contains(expect).any()


def test_overlaps_from_positions_equal_the_flags_table(csv_runs):
    from eventstudy.engine.flags import overlapping_windows
    from eventstudy.engine.overlaps import overlapping_windows as from_positions

    res, _ = csv_runs["per-pair"]
    windows = ((0, 0), (0, 1), (-1, 1), (-5, 5))
    for w in (windows, ((-10, 10),), ((0, 0),)):
        pd.testing.assert_frame_equal(from_positions(res.day0, w), overlapping_windows(res.day0, w), check_exact=True)


def plain_tests_table(ar: pd.DataFrame, car: pd.DataFrame, fits: pd.DataFrame, resid: pd.DataFrame) -> pd.DataFrame:
    """The tests table written out with plain numpy: event by event, window by window, security by security.

    SQ: the rolling L-day sums of the residuals; bootstrap: a fresh
    ``default_rng(0)`` per security and window drawing 9,999 x L residuals;
    both with ``p = min(1, 2 min(n_le + 1, n_ge + 1) / (n + 1))``. The
    cross-sectional rows call :mod:`eventstudy.inference.cross_section` directly.
    """
    from eventstudy.inference import cross_section as cs

    def rule(car_value: float, null: np.ndarray) -> tuple[float, float]:
        n_le, n_ge = int(np.sum(null <= car_value)), int(np.sum(null >= car_value))
        return n_le / len(null), min(1.0, 2.0 * min(n_le + 1, n_ge + 1) / (len(null) + 1))

    rows = []
    for event in dict.fromkeys(car["event"]):
        ev = car[car["event"] == event]
        tickers = list(dict.fromkeys(ev["ticker"]))
        e = np.vstack(
            [resid[(resid["event"] == event) & (resid["ticker"] == t)]["residual"].to_numpy() for t in tickers]
        )
        a = np.vstack([ar[(ar["event"] == event) & (ar["ticker"] == t)]["abnormal"].to_numpy() for t in tickers])
        days = ar[(ar["event"] == event) & (ar["ticker"] == tickers[0])]["day"].to_numpy()
        df = np.array([fits[(fits["event"] == event) & (fits["ticker"] == t)]["df"].iloc[0] for t in tickers])
        for start, end in dict.fromkeys(zip(ev["start"], ev["end"], strict=True)):
            win = ev[(ev["start"] == start) & (ev["end"] == end)].set_index("ticker").loc[tickers]
            cols = np.flatnonzero((days >= start) & (days <= end))
            base = [event, int(start), int(end)]
            rows += [[*base, "CAR t", r["t"], r["p"], int(r["df"]), f"{t}; df = n - k"] for t, r in win.iterrows()]
            for i, t in enumerate(tickers):
                x, length = float(a[i, cols].sum()), len(cols)
                sums = np.array([e[i, k : k + length].sum() for k in range(e.shape[1] - length + 1)])
                boot = np.random.default_rng(0).choice(e[i], size=(9999, length), replace=True).sum(axis=1)
                rows.append([*base, "sample-quantile (SQ)", *rule(x, sums), len(sums),
                             f"{t}; {length}-day sums of residuals"])  # fmt: skip
                rows.append([*base, "bootstrap", *rule(x, boot), 9999, f"{t}; 9999 resamples of {length} residuals"])
            c, s = win["car"].to_numpy(), win["se"].to_numpy()
            for r in (cs.cross_sectional_t(c), cs.patell_z(c, s, df), cs.bmp_t(c, s), cs.kolari_pynnonen_t(c, s, e),
                      cs.corrado_rank(e, a, days=list(cols)), cs.generalized_sign_z(c, e),
                      cs.wilcoxon_signed_rank(c)):  # fmt: skip
                note = "; ".join(x for x in (f"{len(tickers)} securities", r.note) if x)
                rows.append([*base, r.name, r.stat, r.pvalue, r.nobs, note])
    return pd.DataFrame(rows, columns=["event", "start", "end", "test", "statistic", "p", "n", "note"])


def test_tests_table_equals_plain_formulas(csv_runs):
    """Every row of the tests table, to the bit, including one-security events."""
    res, _ = csv_runs["vectorized"]
    expected = plain_tests_table(res.ar, res.car, res.fits, res.residuals)
    assert (res.car.groupby("event")["ticker"].nunique() == 1).any()
    pd.testing.assert_frame_equal(res.tests, expected, check_exact=True)
