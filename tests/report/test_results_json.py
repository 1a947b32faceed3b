"""results.json: json.dumps of typed records, the values following the documented rule (NaN/NaT as null, ...)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math

import numpy as np
import pandas as pd
import pytest

from eventstudy import CsvDirectorySource, EventStudy, load_study
from eventstudy.results import records

TABLES = ("day0", "fits", "moves", "flags", "overlaps", "tests", "ar", "car", "claims", "candidates", "excluded")


def plain_value(value):
    """The documented rule, value by value: dates as ISO text, NaN/NaT as None, numpy scalars as Python."""
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        midnight = value == value.normalize() and value.tzinfo is None
        return value.date().isoformat() if midnight else value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def plain_records(frame: pd.DataFrame) -> list[dict]:
    return [{k: plain_value(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


MEASURE_TABLES = {"volume": ("volume", "volume_windows"), "volatility": ("volatility", "volatility_windows"),
                  "bhar": ("bhar",)}  # fmt: skip
PLACEBO_COLUMNS = ["test", "design", "n", "size", "size_low", "size_high", "power_1", "power_2", "power_5",
                   "well_sized", "reading"]  # fmt: skip


def study_section(spec) -> dict:
    """The ``study`` section as the documentation describes it, from the spec's fields."""
    return {
        "id": spec.id, "title": spec.title, "model": spec.model,
        "estimation_window": list(spec.estimation_window), "event_windows": [list(w) for w in spec.event_windows],
        "ar_window": list(spec.ar_window), "measures": ["returns", *spec.measures],
        "bhar_windows": [list(w) for w in spec.bhar_windows],
        "events": [{"id": e.id, "timestamp": e.timestamp.isoformat(), "date_only": e.date_only,
                    "approximate": e.approximate, "title": e.title, "sources": list(e.sources)} for e in spec.events],
    }  # fmt: skip


def placebo_section(placebo) -> dict:
    """The ``placebo`` section from the run's own fields: its dates, securities and summary table."""
    run = placebo.run
    head = {"trials": placebo.trials if run else 0, "seed": placebo.seed, "note": placebo.note}
    if run is None:
        return head | {"dates_drawn": 0, "distinct_dates": 0, "candidate_dates": 0, "tests": []}
    return head | {
        "dates_drawn": len(run.dates), "distinct_dates": len(set(run.dates)), "candidate_dates": run.candidates,
        "securities": [x.ticker for x in run.listings], "alpha": 0.05, "size_band": [0.04, 0.06],
        "tests": plain_records(placebo.summary[PLACEBO_COLUMNS]),
    }  # fmt: skip


def plain_json(res, indent) -> str:
    """results.json built section by section from the results' fields and the documented rule."""
    doc = {"study": study_section(res.spec)}
    doc |= {name: plain_records(getattr(res, name)) for name in TABLES}
    measures = [name for m in res.spec.measures for name in MEASURE_TABLES[m]]
    doc |= {name: plain_records(getattr(res, name)) for name in [*measures, "measure_tests"] if measures}
    doc |= {"placebo": placebo_section(res.placebo), "provenance": res.provenance}
    return json.dumps(doc, indent=indent, allow_nan=False)


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


@pytest.fixture(scope="module")
def results(prices_dir, study_path):
    return EventStudy(load_study(study_path), CsvDirectorySource(prices_dir)).run()


@pytest.mark.parametrize("indent", [2, 4, None])
def test_results_json_is_the_json_module_text(results, indent):
    assert results.to_json(indent=indent) == plain_json(results, indent)


@pytest.mark.parametrize("indent", [2, None])
def test_odd_values_and_empty_tables(results, indent):
    tz = ODD.assign(day=pd.to_datetime(["2025-01-21 16:00"] * 4).tz_localize("America/New_York"))
    for frame in (ODD, tz, ODD.iloc[:0], ODD[[]]):
        res = dataclasses.replace(results, excluded=frame.iloc[:2])
        res.tests = frame
        assert res.to_json(indent=indent) == plain_json(res, indent)
        assert records(frame) == plain_records(frame)


def test_a_list_in_a_cell_is_left_to_json(results):
    res = dataclasses.replace(results, excluded=pd.DataFrame({"event": ["e"], "ticker": ["T"], "reason": [[1, 2]]}))
    assert res.to_json() == plain_json(res, 2)
