"""Large studies: the tables that grow with the pairs as Parquet, results.json with a summary instead."""

from __future__ import annotations

import csv
import json
import math
import statistics

import pyarrow.parquet as pq
import pytest

from eventstudy import CsvDirectorySource, EventStudy, load_study
from eventstudy.cli import main
from eventstudy.report import write_report
from eventstudy.results_json import COLUMNAR_TABLES


@pytest.fixture(scope="module")
def res(prices_dir, study_path):
    return EventStudy(load_study(study_path), CsvDirectorySource(prices_dir)).run()


def _csv_rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_small_study_writes_csv_and_full_json(res, tmp_path):
    names = {p.name for p in write_report(res, tmp_path / "r", figure_format="none")}
    assert {"ar.csv", "car.csv", "tests.csv"} <= names and not [n for n in names if n.endswith(".parquet")]
    doc = json.loads((tmp_path / "r" / "results.json").read_text())
    assert "summary" not in doc and len(doc["car"]) == len(res.car)


def test_from_the_threshold_tables_go_to_parquet(res, tmp_path):
    small = tmp_path / "small"
    write_report(res, small, figure_format="none")
    big = tmp_path / "big"
    names = {p.name for p in write_report(res, big, figure_format="none", parquet_from=len(res.day0))}
    assert {f"{n}.parquet" for n in COLUMNAR_TABLES} <= names
    assert not {"ar.csv", "car.csv", "tests.csv"} & names and {"claims.csv", "flags.csv"} <= names
    # car.parquet holds the numbers of the CSV a small study writes (read with the csv module)
    rows = _csv_rows(small / "car.csv")
    table = pq.read_table(big / "car.parquet").to_pylist()
    assert len(table) == len(rows)
    for row, rec in zip(rows, table, strict=True):
        assert (row["event"], row["ticker"], int(row["start"]), int(row["end"])) == (
            rec["event"], rec["ticker"], rec["start"], rec["end"])  # fmt: skip
        assert float(row["car"]) == pytest.approx(rec["car"], rel=1e-9, abs=1e-15)
    assert pq.read_table(big / "ar.parquet").num_rows == len(_csv_rows(small / "ar.csv"))
    # results.json: no big table, their files named, a summary computed here from car.csv
    doc = json.loads((big / "results.json").read_text())
    assert not set(COLUMNAR_TABLES) & set(doc) and doc["tables"]["ar"] == "ar.parquet"
    assert {"study", "claims", "excluded", "provenance"} <= set(doc)
    assert doc["summary"]["pairs"] == len({(r["event"], r["ticker"]) for r in rows})
    for w in doc["summary"]["car"]:
        cars = [float(r["car"]) for r in rows if (int(r["start"]), int(r["end"])) == (w["start"], w["end"])]
        ps = [float(r["p"]) for r in rows if (int(r["start"]), int(r["end"])) == (w["start"], w["end"])]
        assert w["pairs"] == len(cars)
        assert w["mean_car"] == pytest.approx(statistics.fmean(cars), rel=1e-6)
        assert w["median_car"] == pytest.approx(statistics.median(cars), rel=1e-6)
        assert w["share_p_below_0_05"] == pytest.approx(sum(p < 0.05 for p in ps) / len(ps))
    assert all(not isinstance(v, float) or math.isfinite(v) for w in doc["summary"]["car"] for v in w.values())


def test_csv_on_request_is_the_same_csv(res, tmp_path):
    write_report(res, tmp_path / "small", figure_format="none")
    write_report(res, tmp_path / "big", figure_format="none", parquet_from=0, csv=True)
    for name in ("ar.csv", "car.csv", "tests.csv"):
        assert (tmp_path / "big" / name).read_bytes() == (tmp_path / "small" / name).read_bytes(), name
    assert (tmp_path / "big" / "car.parquet").is_file()


def test_cli_parquet_options(study_path, prices_dir, tmp_path, capsys):
    out = tmp_path / "r"
    argv = ["run", str(study_path), "--prices", str(prices_dir), "--out", str(out), "--figures", "none", "-q"]
    assert main([*argv, "--parquet-from", "0", "--csv"]) == 0
    assert (out / "ar.parquet").is_file() and (out / "ar.csv").is_file()
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--parquet-from", "many"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "--parquet-from" in err and "Traceback" not in err
