"""results.json: json.dumps of typed records, the values following the documented rule (NaN/NaT as null, ...)."""

from __future__ import annotations

import dataclasses
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


def plain_json(res, indent) -> str:
    doc = res.to_dict()
    for name in TABLES:
        doc[name] = plain_records(getattr(res, name))
    return json.dumps(doc, indent=indent, allow_nan=False)


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
