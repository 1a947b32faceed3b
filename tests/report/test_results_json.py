"""results.json of the Stargate study against numbers worked here and the documented schema.

Expected values come from the price CSVs (csv module, plain numpy), the study
file (tomllib), the R reference numbers (../shared/reference/r-eventstudy),
scipy and statsmodels, never from eventstudy's own tables: the JSON is read
back with ``json.loads`` and each section is checked on its own.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import math
import tomllib
from datetime import UTC

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, SHARED, require_shared
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from eventstudy import CsvDirectorySource, EventStudy, load_study
from eventstudy.json_records import records

R_STARGATE = SHARED / "reference" / "r-eventstudy" / "stargate"
BENCH_FILE = {"ORCL": "GSPC.csv", "NVDA": "GSPC.csv", "ARM": "GSPC.csv", "9984.T": "N225.csv"}
TOL = 1e-9

# Columns as README.md ("What a run produces") lists them for each table's CSV file;
# a section of results.json holds these columns in this order (it may hold more).
DOCUMENTED = {
    "ar": "event,ticker,day,session,return,expected,abnormal",
    "car": "event,ticker,start,end,car,se,t,p",
    "flags": "event,ticker,day,session,abnormal,z,day0_of",
    "tests": "event,ticker,start,end,test,statistic,p,n,note,p_holm,p_bh",
    "volume": "event,ticker,model,day,session,volume,log_volume,expected,abnormal,sav",
    "volume_windows": "event,ticker,model,start,end,cav,se,t,p,df,note",
    "volatility": "event,ticker,day,session,abnormal,u,u_star,p",
    "volatility_windows": "event,ticker,start,end,variance_ratio,f,df1,df2,p",
    "bhar": "event,ticker,start,end,return,benchmark_return,bhar",
    "measure_tests": "measure,event,model,start,end,test,statistic,p,n,df,note",
}
# the rest of the sections: the study, the other tables the README names (fits, day 0s, claims and their
# candidate moves, moves, overlaps, exclusions), the placebo run (README, "The study's placebo run") and provenance
OTHER_SECTIONS = {"study", "fits", "day0", "claims", "candidates", "moves", "overlaps", "excluded", "placebo"}
PLACEBO_KEYS = {"trials", "seed", "note", "dates_drawn", "distinct_dates", "candidate_dates", "securities", "alpha",
                "size_band", "tests"}  # fmt: skip


def read_rows(path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def closes(path) -> dict[str, float]:
    """Date -> adjusted close (Adj Close, else Close) straight from a price CSV."""
    rows = read_rows(path)
    col = "Adj Close" if rows[0]["Adj Close"] else "Close"
    return {r["Date"]: float(r[col]) for r in rows}


@pytest.fixture(scope="module")
def results(prices_dir, study_path):
    return EventStudy(load_study(study_path), CsvDirectorySource(prices_dir)).run()


@pytest.fixture(scope="module")
def doc(results) -> dict:
    text = results.to_json()
    assert "NaN" not in text and "Infinity" not in text  # NaN and infinities are null
    return json.loads(text)


def frame(doc: dict, name: str) -> pd.DataFrame:
    return pd.DataFrame(doc[name])


def test_sections_and_columns_are_the_documented_ones(doc):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert set(doc) == {*DOCUMENTED, *OTHER_SECTIONS, "provenance"}
    for name, columns in DOCUMENTED.items():
        assert f"`{columns}`" in readme, name  # the list above is the README's
        keys = list(doc[name][0])
        assert [k for k in keys if k in columns.split(",")] == columns.split(","), name
        assert all(list(row) == keys for row in doc[name]), name  # every record has the same keys
    assert set(doc["placebo"]) == PLACEBO_KEYS
    assert {"study_sha256", "data", "packages"} <= set(doc["provenance"])


def test_study_section_is_the_study_file(doc, study_path):
    toml = tomllib.loads(study_path.read_text(encoding="utf-8"))
    study, got = toml["study"], doc["study"]
    assert (got["id"], got["title"], got["model"]) == (study["id"], study["title"], study["model"])
    for key in ("estimation_window", "event_windows", "ar_window", "bhar_windows"):
        assert got[key] == study[key], key
    assert got["measures"] == ["returns", *study["measures"]]
    assert [e["id"] for e in got["events"]] == [e["id"] for e in toml["events"]]
    for ours, event in zip(got["events"], toml["events"], strict=True):
        stamp = event["timestamp"]
        if hasattr(stamp, "tzinfo") and stamp.tzinfo is not None:
            assert ours["timestamp"] == stamp.astimezone(UTC).isoformat()
        assert (ours["title"], ours["sources"]) == (event["title"], event["sources"])
        assert ours["approximate"] == event.get("approximate", False)


def test_ar_section_against_the_csvs_and_r(doc, prices_dir):
    """Returns from the CSVs' adjusted closes; sessions, abnormal returns and their SD from R EventStudy."""
    ar = frame(doc, "ar").set_index(["event", "ticker", "day"])
    ref = read_rows(require_shared(R_STARGATE) / "r_ar.csv")
    assert len(ar) == len(ref) == 336
    prices = {t: closes(prices_dir / f"{t}.csv") for t in BENCH_FILE}
    bench = {f: closes(prices_dir / f) for f in set(BENCH_FILE.values())}
    for r in ref:
        event, ticker = r["event_id"].split("|")
        row = ar.loc[(event, ticker, int(r["day"]))]
        assert row["session"] == r["session"]
        dates = list(prices[ticker])
        prev = dates[dates.index(r["session"]) - 1]
        assert row["return"] == pytest.approx(prices[ticker][r["session"]] / prices[ticker][prev] - 1, abs=1e-12)
        b = bench[BENCH_FILE[ticker]]
        assert row["benchmark"] == pytest.approx(b[r["session"]] / b[prev] - 1, abs=1e-12)
        assert row["abnormal"] == pytest.approx(float(r["abnormal_returns"]), abs=TOL)
        assert row["return"] - row["expected"] == pytest.approx(row["abnormal"], abs=1e-15)
        assert row["abnormal"] / row["sar"] == pytest.approx(float(r["fec_sigma"]), rel=TOL)


def test_fits_and_car_sections_against_r(doc):
    fits = frame(doc, "fits").set_index(["event", "ticker"])
    for r in read_rows(require_shared(R_STARGATE) / "r_fits.csv"):
        ours = fits.loc[tuple(r["event_id"].split("|"))]
        for name in ("alpha", "beta", "sigma", "r2"):
            assert ours[name] == pytest.approx(float(r[name]), abs=TOL, rel=TOL), name
        assert (ours["n"], ours["df"]) == (int(r["n"]), int(r["df"]))
        assert (ours["estimation_start"], ours["estimation_end"]) == (r["est_start"], r["est_end"])
    car = frame(doc, "car").set_index(["event", "ticker", "start", "end"])
    ref = [r for r in read_rows(R_STARGATE / "r_car.csv") if (r["start"], r["end"]) != ("-10", "10")]
    assert len(car) == len(ref) == 64  # R ran the study's windows and [-10, 10]
    for r in ref:
        key = tuple(r["event_id"].split("|"))
        ours = car.loc[(*key, int(r["start"]), int(r["end"]))]
        assert ours["car"] == pytest.approx(float(r["car"]), abs=TOL)
        # R's t leaves out the estimation term (test_reference_r.py): CAR / (σ √L)
        r_t = ours["car"] / (fits.loc[key, "sigma"] * math.sqrt(int(r["end"]) - int(r["start"]) + 1))
        assert r_t == pytest.approx(float(r["car_t"]), rel=TOL, abs=TOL)
        assert ours["t"] == pytest.approx(ours["car"] / ours["se"], rel=1e-12)
        assert ours["p"] == pytest.approx(2 * stats.t.sf(abs(ours["t"]), ours["df"]), rel=1e-9)


def test_tests_section_from_the_car_section(doc):
    """The cross-sectional t and BMP t from the JSON's CARs (scipy); Holm and BH by statsmodels."""
    car, tests = frame(doc, "car"), frame(doc, "tests")
    across = tests[tests["ticker"] == ""].set_index(["event", "start", "end", "test"])
    checked = 0
    for (event, start, end), block in car.groupby(["event", "start", "end"]):
        x = block["car"].to_numpy()
        for name, values in (("cross-sectional t", x), ("BMP t", x / block["se"].to_numpy())):
            ref = stats.ttest_1samp(values, 0)
            row = across.loc[(event, start, end, name)]
            assert (row["statistic"], row["p"]) == pytest.approx((ref.statistic, ref.pvalue), rel=1e-10)
            assert row["n"] == len(x)
            checked += 1
        ref = stats.wilcoxon(x)
        row = across.loc[(event, start, end, "Wilcoxon signed-rank")]
        assert (row["statistic"], row["p"]) == pytest.approx((ref.statistic, ref.pvalue), rel=1e-10)
    assert checked == 2 * 4 * 4
    per_security = tests[tests["test"] == "CAR t"].merge(car, on=["event", "ticker", "start", "end"])
    assert len(per_security) == len(car)
    np.testing.assert_allclose(per_security["statistic"], per_security["t"], rtol=1e-12)
    family = tests["test"].str.replace(r" \(Campbell-Wasley, \d+ days?\)$", "", regex=True)
    for _, part in tests.groupby([tests["event"], family]):
        p = part["p"].to_numpy(float)
        ok = np.isfinite(p)
        if ok.sum() >= 2:
            np.testing.assert_allclose(part["p_holm"].to_numpy(float)[ok], multipletests(p[ok], method="holm")[1])
            np.testing.assert_allclose(part["p_bh"].to_numpy(float)[ok], multipletests(p[ok], method="fdr_bh")[1])


def test_day0_and_measure_sections_against_the_csvs(doc, prices_dir):
    day0 = frame(doc, "day0").set_index(["event", "ticker"])["session"]
    assert day0[("first-reports", "ORCL")] == "2025-01-21" and day0[("first-reports", "9984.T")] == "2025-01-22"
    assert (day0.loc["white-house"] == "2025-01-22").all()
    volume = frame(doc, "volume")
    for ticker in ("ORCL", "9984.T"):
        raw = {r["Date"]: float(r["Volume"]) for r in read_rows(prices_dir / f"{ticker}.csv")}
        rows = volume[volume["ticker"] == ticker]
        np.testing.assert_array_equal(rows["volume"], [raw[s] for s in rows["session"]])
        np.testing.assert_allclose(rows["log_volume"], np.log1p(rows["volume"]), rtol=1e-14)
    bhar = frame(doc, "bhar")
    for r in doc["bhar"]:  # buy and hold from the close before day 0 to the close of day `end`
        p, b = closes(prices_dir / f"{r['ticker']}.csv"), closes(prices_dir / BENCH_FILE[r["ticker"]])
        dates = list(p)
        first, last = dates[dates.index(day0[(r["event"], r["ticker"])]) - 1 :: r["end"] + 1][:2]
        assert r["return"] == pytest.approx(p[last] / p[first] - 1, rel=1e-12)
        assert r["benchmark_return"] == pytest.approx(b[last] / b[first] - 1, rel=1e-12)
        assert r["bhar"] == pytest.approx(r["return"] - r["benchmark_return"], abs=1e-15)
    assert len(bhar) == 16 * 2


def test_placebo_section_wilson_intervals(doc):
    placebo = doc["placebo"]
    assert placebo["dates_drawn"] == placebo["trials"] == 200 and placebo["seed"] == 2025
    assert placebo["securities"] == ["ORCL", "NVDA", "ARM", "9984.T"]
    for row in placebo["tests"]:
        k = round(row["size"] * row["n"])
        assert k == pytest.approx(row["size"] * row["n"], abs=1e-9)
        low, high = proportion_confint(k, row["n"], alpha=0.05, method="wilson")
        assert (row["size_low"], row["size_high"]) == pytest.approx((low, high), rel=1e-9, abs=1e-15)
        band = 0.04 <= row["size"] <= 0.06 and low <= 0.05 <= high
        assert row["well_sized"] == band


def test_provenance_hashes_are_the_files(results, prices_dir, study_path):
    """The provenance names each price file read with its SHA-256 and row count, and the study file's hash."""
    prov = results.provenance
    assert prov["study_sha256"] == hashlib.sha256(study_path.read_bytes()).hexdigest()
    assert {"ORCL", "NVDA", "ARM", "9984.T", "^GSPC", "^N225"} <= set(prov["data"])
    for item in prov["data"].values():
        path = prices_dir / item["file"]
        assert item["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        dates = pd.read_csv(path, usecols=["Date"])["Date"]
        assert item["rows"] == len(dates) and (item["first"], item["last"]) == (dates.min(), dates.max())


ODD = pd.DataFrame(
    {
        "text": pd.array(["a", None, 'quote " and \\ and % and é and ≈', "日本"], dtype="str"),
        "float": [0.1, np.nan, np.inf, -1e-300],
        "int": np.array([1, -2, 3, 2**40], dtype=np.int64),
        "flag": [True, False, True, False],
        "day": pd.to_datetime(["2025-01-21", None, "2025-01-22 16:00", "2025-01-23"], format="mixed"),
        "objects": np.array([np.int64(4), None, np.float64(np.nan), "x"], dtype=object),
        "%d key": [1.5, 2.5, 3.5, 4.5],
    }
)
# ODD by the documented rule (docs/scaling.md: NaN, infinities and NaT as null), written out by hand
ODD_JSON = """[
 {"text": "a", "float": 0.1, "int": 1, "flag": true, "day": "2025-01-21", "objects": 4, "%d key": 1.5},
 {"text": null, "float": null, "int": -2, "flag": false, "day": null, "objects": null, "%d key": 2.5},
 {"text": "quote \\" and \\\\ and % and \\u00e9 and \\u2248", "float": null, "int": 3, "flag": true,
  "day": "2025-01-22T16:00:00", "objects": null, "%d key": 3.5},
 {"text": "\\u65e5\\u672c", "float": -1e-300, "int": 1099511627776, "flag": false, "day": "2025-01-23",
  "objects": "x", "%d key": 4.5}
]"""


@pytest.mark.parametrize("indent", [2, None])
def test_odd_values_and_empty_tables(results, indent):
    expected = json.loads(ODD_JSON)
    tz = ODD.assign(day=pd.to_datetime(["2025-01-21 16:00"] * 4).tz_localize("America/New_York"))
    expected_tz = [row | {"day": "2025-01-21T16:00:00-05:00"} for row in expected]
    for table, want in ((ODD, expected), (tz, expected_tz), (ODD.iloc[:0], []), (ODD[[]], [{}] * 4)):
        assert records(table) == want
        res = dataclasses.replace(results, excluded=table.iloc[:2])
        res.tests = table
        text = res.to_json(indent=indent)
        assert (text.count("\n") == 0) == (indent is None)
        got = json.loads(text)
        assert (got["tests"], got["excluded"]) == (want, want[:2])


def test_a_list_in_a_cell_is_left_to_json(results):
    res = dataclasses.replace(results, excluded=pd.DataFrame({"event": ["e"], "ticker": ["T"], "reason": [[1, 2]]}))
    assert json.loads(res.to_json())["excluded"] == [{"event": "e", "ticker": "T", "reason": [1, 2]}]


def test_the_written_file_is_to_json_byte_for_byte(results, tmp_path):
    """write_json (results.json, each event's entry made as it is written) against json.dumps of to_dict."""
    spec = results.spec
    odd = [dataclasses.replace(e, title='a "quoted"\nline 日本\x00', sources=("x", "y")) for e in spec.events]
    studies = (results, dataclasses.replace(results, excluded=ODD),
               dataclasses.replace(results, spec=dataclasses.replace(spec, events=tuple(odd))))  # fmt: skip
    path = tmp_path / "results.json"
    for res in studies:
        for columnar in (False, True):
            res.write_json(path, columnar=columnar)
            want = json.dumps(res.to_dict(columnar=columnar), indent=2, allow_nan=False)
            assert path.read_bytes() == want.encode("utf-8")
    assert json.loads(path.read_text())["study"]["events"][0]["title"] == 'a "quoted"\nline 日本\x00'
