"""Report figures cached on disk: a rerun reads the same bytes back and draws nothing; other inputs, other keys."""

from __future__ import annotations

import dataclasses

import matplotlib
import pytest

from eventstudy import CsvDirectorySource, EventStudy, load_study
from eventstudy.errors import DataWarning
from eventstudy.figures.figure_cache import figure_keys
from eventstudy.report import figure_jobs


@pytest.fixture(scope="module")
def res(prices_dir, study_path):
    return EventStudy(load_study(study_path), CsvDirectorySource(prices_dir)).run()


def _figures(res, cache: bool = True) -> dict[str, bytes]:
    """The report's figures as ``write_report`` starts them, drawn in this process (so a patched draw shows)."""
    with figure_jobs.start_figures(res, workers=1, early=False, cache=cache) as pending:
        return {f.name: f.data for f in pending.result()}


def test_rerun_reads_the_same_bytes_and_draws_nothing(res, tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    first = _figures(res)
    assert first == _figures(res, cache=False)  # what the cache keeps is what is drawn
    entries = sorted((tmp_path / "figures").iterdir())
    assert len(entries) == len(first) and all(e.suffix == ".svg" for e in entries)

    def no_drawing(*args):
        raise AssertionError("a cached figure was drawn")

    monkeypatch.setattr(figure_jobs, "_render", no_drawing)
    assert _figures(res) == first
    assert list(first) == [f"figures/{job.stem}.svg" for job in figure_jobs.figure_jobs(res)]  # report order kept


def test_damaged_entry_drawn_again(res, tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    first = _figures(res)
    entries = sorted((tmp_path / "figures").iterdir())
    entries[0].write_bytes(b"")
    assert _figures(res) == first
    assert entries[0].read_bytes() in first.values()


def test_unwritable_cache_is_a_warning(res, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(blocker))
    with pytest.warns(DataWarning, match="could not be cached"):
        figures = _figures(res)
    assert figures == _figures(res, cache=False)


def test_keys_follow_the_data_the_format_and_the_settings(res):
    view = figure_jobs._figure_view(res, figure_jobs.figure_jobs(res))
    stems = ["car_white-house", "ar_white-house"]
    keys = figure_keys(view, stems, "svg")
    assert len(set(keys.values())) == 2 and keys == figure_keys(view, stems, "svg")
    assert set(figure_keys(view, stems, "png").values()).isdisjoint(keys.values())
    moved = view.ar.copy()
    moved.loc[moved.index[0], "abnormal"] += 1e-12
    assert set(figure_keys(dataclasses.replace(view, ar=moved), stems, "svg").values()).isdisjoint(keys.values())
    with matplotlib.rc_context({"lines.linewidth": 3.0}):
        assert set(figure_keys(view, stems, "svg").values()).isdisjoint(keys.values())
