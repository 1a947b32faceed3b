"""Report figures cached on disk: a rerun reads the same bytes back and draws nothing; other inputs, other keys."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

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


SETTINGS = (
    "import sys; from eventstudy.figures.figure_cache import settings_digest; "
    "d = settings_digest(); print('matplotlib' in sys.modules, d.hex())"
)


def _digest(folder, **env) -> str:
    run = subprocess.run([sys.executable, "-c", SETTINGS], capture_output=True, text=True, check=True, cwd=folder,
                         env={**os.environ, **env})  # fmt: skip
    imported, digest = run.stdout.split()
    assert imported == "False"  # the key of cached figures does not import matplotlib
    return digest


def test_settings_without_matplotlib_follow_its_rc_files(tmp_path):
    """Not imported yet, matplotlib's settings are keyed by the matplotlibrc files it would read."""
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "XDG_CONFIG_HOME": "", "MPLCONFIGDIR": "", "MATPLOTLIBRC": ""}
    plain = _digest(tmp_path, **env)
    assert _digest(tmp_path, **env) == plain
    (tmp_path / "matplotlibrc").write_text("lines.linewidth: 3\n")  # one in the working folder
    local = _digest(tmp_path, **env)
    (tmp_path / "matplotlibrc").write_text("lines.linewidth: 4\n")
    assert len({plain, local, _digest(tmp_path, **env)}) == 3
    (tmp_path / "matplotlibrc").unlink()
    config = home / ".config" / "matplotlib"
    config.mkdir(parents=True)
    (config / "matplotlibrc").write_text("axes.grid: True\n")  # the user's
    assert _digest(tmp_path, **env) not in (plain, local)
    named = tmp_path / "named.rc"
    named.write_text("axes.grid: False\n")
    assert _digest(tmp_path, **{**env, "MATPLOTLIBRC": str(named)}) != _digest(tmp_path, **env)
    (config / "matplotlibrc").unlink()
    assert _digest(tmp_path, **env) == plain


def test_settings_once_imported_are_its_rcparams():
    from eventstudy.figures.figure_cache import settings_digest

    before = settings_digest()
    with matplotlib.rc_context({"lines.linewidth": 3.0}):
        assert settings_digest() != before
    assert settings_digest() == before
