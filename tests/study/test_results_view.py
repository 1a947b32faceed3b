"""StudyResults hold results: tests and placebo computed by run, a statsmodels Summary, one event's view."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from eventstudy import CsvDirectorySource, EventStudy, load_study
from eventstudy.market import PriceSource


@pytest.fixture(scope="module")
def results(prices_dir, study_path):
    return EventStudy(load_study(study_path), CsvDirectorySource(prices_dir)).run()


def test_run_computes_the_tests_and_the_placebo_and_keeps_no_source(results):
    assert isinstance(results.tests, pd.DataFrame) and len(results.tests)
    assert results.placebo.run is not None and results.placebo.trials == 200
    held = [getattr(results, f.name) for f in dataclasses.fields(results)]
    assert not [v for v in held if isinstance(v, PriceSource)]
    assert not hasattr(results, "placebo_options")


def test_run_without_tests_leaves_them_to_the_caller(prices_dir, study_path):
    res = EventStudy(load_study(study_path), CsvDirectorySource(prices_dir), placebo_trials=0).run(tests=False)
    assert res.tests is None and res.placebo.run is None
    with pytest.raises(ValueError, match="not computed"):
        res.to_dict()


def test_summary_is_a_statsmodels_summary(results):
    from statsmodels.iolib.summary import Summary

    summary = results.summary()
    assert isinstance(summary, Summary)
    text, html, latex = summary.as_text(), summary.as_html(), summary.as_latex()
    for row in results.car.itertuples():  # every CAR in percent, three decimals (the car table's numbers)
        assert f"{row.car * 100:.3f}" in text and f"{row.car * 100:.3f}" in html
    assert "Claims against measured moves (percent)" in text and html.count("<table") == len(summary.tables) == 2
    assert r"\begin{tabular}" in latex
    assert str(results).startswith("Event study 'stargate': 4 event(s), 4 securities, model market")


def test_one_event_is_its_rows_of_every_table(results):
    wh = results.event("white-house")
    assert [e.id for e in wh.spec.events] == ["white-house"]
    assert {c.event for c in wh.spec.claims} == {"white-house"} and len(wh.spec.claims) == len(wh.claims)
    for name in ("day0", "ar", "car", "fits", "moves", "claims", "candidates", "flags", "overlaps", "tests"):
        whole = getattr(results, name)
        pd.testing.assert_frame_equal(getattr(wh, name), whole[whole["event"] == "white-house"], check_exact=True)
    assert len(wh.tests) and set(wh.tests["event"]) == {"white-house"}
    assert wh.placebo is results.placebo  # study-wide, not recomputed
    with pytest.raises(KeyError):
        results.event("no-such-event")
