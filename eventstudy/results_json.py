"""``results.json``: a study's results as JSON-ready dicts, written event by event.

:func:`results_dict` (behind ``StudyResults.to_dict``), :func:`write_results_json` and
:func:`pairs_summary` (a large study's ``summary``, and its report's "All pairs" section).

``JSON_TABLES`` are the tables results.json holds; ``COLUMNAR_TABLES`` those a large study writes as Parquet
files instead. May import: :mod:`eventstudy.json_records` (and :mod:`eventstudy.results` for types only).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy.json_records import records

JSON_TABLES = ("day0", "fits", "moves", "flags", "overlaps", "tests", "ar", "car", "claims", "candidates", "excluded")
# the tables that grow with the pairs: Parquet files, not results.json, in a large study (see to_dict)
COLUMNAR_TABLES = ("day0", "fits", "moves", "overlaps", "flags", "tests", "ar", "car")

if TYPE_CHECKING:
    from pathlib import Path

    from eventstudy.results import StudyResults
    from eventstudy.spec import Event


def results_dict(res: StudyResults, *, columnar: bool = False, events: Any = None) -> dict[str, Any]:
    """JSON-ready dict: spec summary, every table, provenance.

    ``columnar`` (a large study, whose big tables are written as Parquet files):
    the tables of ``COLUMNAR_TABLES`` are left out, ``tables`` names their files
    and ``summary`` counts the pairs and summarises the CARs by window. ``events``:
    what stands in the study's list of events (default: that list, see :func:`write_results_json`).
    """
    if not columnar:
        if res.tests is None:
            raise ValueError("the tests table was not computed (EventStudy.run(tests=False)): see write_tests")
        return {
            "study": _study(res, events),
            **{n: records(getattr(res, n)) for n in JSON_TABLES},
            **res.measure_records(),
            "placebo": res.placebo.to_dict(),
            "provenance": res.provenance,
        }
    return {
        "study": _study(res, events),
        "summary": pairs_summary(res),
        "tables": {n: f"{n}.parquet" for n in (*COLUMNAR_TABLES, *res.measure_tables())},
        **{n: records(getattr(res, n)) for n in JSON_TABLES if n not in COLUMNAR_TABLES},
        "placebo": res.placebo.to_dict(),
        "provenance": res.provenance,
    }


def write_results_json(res: StudyResults, path: Path, *, columnar: bool = False) -> None:
    """``res.to_json()`` into ``path``, the same bytes, each event's entry made as it is written.

    A study of a million one-security events has a million entries: their text and dicts
    are never held together (results.json of such a study is over 200 MB).
    """
    marker = "\x00events\x00"  # written by json as "\u0000events\u0000", which no other value gives
    text = json.dumps(results_dict(res, columnar=columnar, events=marker), indent=2, allow_nan=False)
    head, tail = text.split(json.dumps(marker))
    key_line = head[head.rfind("\n") + 1 :]
    pad = "\n" + " " * (len(key_line) - len(key_line.lstrip(" ")) + 2)  # an item: the key's indent and one more
    with path.open("w", encoding="utf-8") as fh:
        fh.write(head)
        sep = "[" + pad
        for event in res.spec.events:
            fh.write(sep + json.dumps(_event(event), indent=2, allow_nan=False).replace("\n", pad))
            sep = "," + pad
        fh.write(pad[:-2] + "]" if res.spec.events else "[]")
        fh.write(tail)


def pairs_summary(res: StudyResults) -> dict[str, Any]:
    """Pairs, events, securities and exclusions; per CAR window the pairs, mean and median CAR, share p < 0.05."""
    if res.pairs is None:
        car, p = res.car["car"], res.car["p"]
        window = res.car.groupby(["start", "end"], sort=False).ngroup().to_numpy()
        spans = res.car[["start", "end"]].drop_duplicates().to_numpy(dtype=np.int64).reshape(-1, 2)
    else:  # the workers' CARs as they are, a row per pair and window: no table built
        window, car, p = res.pairs.car_columns()
        spans = np.array(res.pairs.windows, dtype=np.int64).reshape(-1, 2)
    significant = (p < 0.05).astype(float).where(p.notna())
    by_window = car.groupby(window, sort=False)  # the groups, sums and order of grouping by (start, end)
    windows = pd.DataFrame(
        {
            "start": spans[:, 0],
            "end": spans[:, 1],
            "pairs": by_window.count().to_numpy(),
            "mean_car": by_window.mean().to_numpy(),
            "median_car": by_window.median().to_numpy(),
            "share_p_below_0_05": significant.groupby(window, sort=False).mean().to_numpy(),
        }
    )
    return {
        "pairs": len(res.day0),
        "events": len(res.spec.events),
        "securities": len(res.spec.securities),
        "excluded": len(res.excluded),
        "car": records(windows),
    }


def _study(res: StudyResults, events: Any = None) -> dict[str, Any]:
    spec = res.spec
    return {
        "id": spec.id,
        "title": spec.title,
        "model": res.model,
        "estimation_window": list(spec.estimation_window),
        "event_windows": [list(w) for w in spec.event_windows],
        "ar_window": list(spec.ar_window),
        "measures": ["returns", *spec.measures],
        "bhar_windows": [list(w) for w in spec.bhar_windows],
        "events": [_event(e) for e in spec.events] if events is None else events,
    }


def _event(e: Event) -> dict[str, Any]:
    return {
        "id": e.id,
        "timestamp": e.timestamp.isoformat(),
        "date_only": e.date_only,
        "approximate": e.approximate,
        "title": e.title,
        "sources": list(e.sources),
    }
