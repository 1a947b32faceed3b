"""Figures: return a Figure, take ax/axes, never touch pyplot; the numbers they draw are right."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from eventstudy import CsvDirectorySource, EventStudy, load_study
from eventstudy import plots as F


@pytest.fixture(scope="module")
def res(prices_dir, study_path):
    return EventStudy(load_study(study_path), CsvDirectorySource(prices_dir)).run()


def _close(prices_dir, symbol: str) -> pd.Series:
    """Adj Close from the CSV, read here with pandas alone (independent of eventstudy)."""
    frame = pd.read_csv(prices_dir / f"{symbol}.csv", index_col="Date", parse_dates=True)
    return frame["Adj Close"]


def _no_pyplot_figures() -> bool:
    import matplotlib.pyplot as plt

    return plt.get_fignums() == []


@pytest.mark.parametrize(
    "draw",
    [
        lambda r: F.price_path(r, "white-house"),
        lambda r: F.ar_bars(r, "white-house"),
        lambda r: F.car_path(r, "white-house"),
        lambda r: F.car_panels(r, "white-house"),
        lambda r: F.claims_chart(r),
        lambda r: r.plot_car("musk-doubt"),
        lambda r: r.plot_prices(),
        lambda r: r.plot_ar("stalling-report"),
        lambda r: r.plot_claims(),
    ],
    ids=["prices", "ar", "car", "car-panels", "claims", "plot_car", "plot_prices", "plot_ar", "plot_claims"],
)
def test_every_figure_is_a_figure_with_labelled_percent_axes(res, draw):
    fig = draw(res)
    assert isinstance(fig, Figure)
    assert _no_pyplot_figures(), "a figure function used pyplot"
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert axes
    for ax in axes:
        assert ax.get_ylabel(), "every panel has a y label"
    # units: percent on the y axis, or an index level (prices, 100 at day -1)
    labels = " ".join(ax.get_ylabel() for ax in axes)
    assert "%" in labels or "= 100" in labels
    assert any(ax.get_legend() is not None for ax in axes) or fig._suptitle is not None


def test_figures_draw_on_the_callers_axes(res):
    fig = Figure()
    ax = fig.add_subplot()
    assert F.car_path(res, "white-house", ax=ax) is fig
    assert F.price_path(res, "white-house", ax=ax) is fig
    assert F.claims_chart(res, ax=ax) is fig
    grid = Figure().subplots(2, 2).ravel()
    assert F.ar_bars(res, "white-house", axes=grid) is grid[0].figure
    with pytest.raises(ValueError, match="needs 4 axes"):
        F.car_panels(res, "white-house", axes=grid[:2])


def test_unknown_event_names_the_known_ones(res):
    with pytest.raises(KeyError, match="white-house"):
        F.car_path(res, "no-such-event")


def test_price_path_marks_day0_and_dates(res):
    fig = F.price_path(res, "white-house")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"ORCL", "NVDA", "ARM", "9984.T", "^GSPC (benchmark)", "^N225 (benchmark)"} <= set(labels)
    assert any(label.startswith("announced 2025-01-21 16:00") for label in labels)
    assert "2025" in ax.get_xlabel()


def test_car_band_matches_the_car_table(res):
    """Path = CAR[0, k] for k ≥ 0, 0 at day -1; band se exact for [0, 0], close for [0, 1]."""
    band = F.car_band(res, "white-house")
    for ticker, part in band.groupby("ticker"):
        part = part.set_index("day")
        car = res.car[(res.car["event"] == "white-house") & (res.car["ticker"] == ticker)].set_index(["start", "end"])
        assert part.loc[-1, "car"] == pytest.approx(0.0, abs=1e-15) and part.loc[-1, "se"] == 0.0
        assert part.loc[0, "car"] == pytest.approx(car.loc[(0, 0), "car"], abs=1e-12)
        assert part.loc[1, "car"] == pytest.approx(car.loc[(0, 1), "car"], abs=1e-12)
        assert part.loc[0, "se"] == pytest.approx(car.loc[(0, 0), "se"], rel=1e-9)
        # without the parameter covariance across days: within 2 % of the exact MacKinlay se
        assert part.loc[1, "se"] == pytest.approx(car.loc[(0, 1), "se"], rel=0.02)
        # before day 0 the path runs backwards: day -3 is minus the sum of the ARs of days -2 and -1
        ar = res.ar[(res.ar["event"] == "white-house") & (res.ar["ticker"] == ticker)].set_index("day")
        assert part.loc[-3, "car"] == pytest.approx(-(ar.loc[-2, "abnormal"] + ar.loc[-1, "abnormal"]), abs=1e-12)
        assert np.all(np.diff(part.loc[0:, "se"].to_numpy()) > 0), "the band widens after day 0"


def test_claims_data_from_the_price_files(res, prices_dir):
    """The implied-session move is the close-to-close return computed here from the CSVs."""
    data = F.claims_data(res).set_index("claim")
    orcl, arm = _close(prices_dir, "ORCL"), _close(prices_dir, "ARM")
    assert data.loc["orcl-7", "implied_close_to_close"] == pytest.approx(
        orcl["2025-01-22"] / orcl["2025-01-21"] - 1, abs=1e-9
    )
    assert data.loc["arm-4.1", "implied_close_to_close"] == pytest.approx(
        arm["2025-01-22"] / arm["2025-01-21"] - 1, abs=1e-9
    )
    assert data.loc["nvda-2.3", "reported"] == 0.023 and data.loc["nvda-2.3", "tolerance"] == pytest.approx(0.0005)
    assert list(data["verdict"]) == list(res.claims["verdict"])


def test_claims_chart_bars_and_error_bars(res):
    fig = F.claims_chart(res)
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    n = len(res.claims)
    assert len(heights) == 3 * n  # reported, measured, implied session
    assert heights[:n] == pytest.approx(list(res.claims["reported"] * 100))
    assert heights[n : 2 * n] == pytest.approx(list(res.claims["measured"] * 100))
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert all(c in t for c, t in zip(res.claims["claim"], ticks, strict=True))
    assert "within the day's range" in " ".join(ticks)


def test_ar_band_is_196_sigma(res):
    fig = F.ar_bars(res, "white-house")
    ax = fig.axes[0]  # ORCL
    sigma = float(res.fits[(res.fits["event"] == "white-house") & (res.fits["ticker"] == "ORCL")]["sigma"].iloc[0])
    band = [p for p in ax.patches if p.get_label() == "±1.96σ"]
    assert len(band) == 1
    # a Polygon before matplotlib 3.9, a Rectangle since: both map their path through the patch transform
    ys = band[0].get_patch_transform().transform(band[0].get_path().vertices)[:, 1]
    low, high = min(ys), max(ys)
    assert high == pytest.approx(1.96 * sigma * 100) and low == pytest.approx(-1.96 * sigma * 100)
    assert not math.isnan(sigma)


def test_report_figures_names(res, monkeypatch):
    import dataclasses

    from eventstudy.report import figure_jobs

    monkeypatch.setattr(figure_jobs, "figure_bytes", lambda fig, fmt: fmt.encode())  # drawing runs; saving is skipped
    figs = figure_jobs.report_figures(res, workers=1)
    names = [f.name for f in figs]
    # musk-doubt shares white-house's day 0 on every exchange: its section, and figures, are white-house's
    # prices, AR, CAR and (the seed study asks for volume) abnormal volume per section
    assert names[0] == "figures/claims.svg" and len(names) == 1 + 4 * (len(res.spec.events) - 1)
    assert "figures/volume_white-house.svg" in names
    assert "figures/ar_white-house.svg" in names and "figures/car_stalling-report.svg" in names
    assert not [n for n in names if "musk-doubt" in n]
    assert {f.mime for f in figs} == {"image/svg+xml"}
    empty = dataclasses.replace(res, claims=res.claims.iloc[0:0])
    assert "no claims" in F.claims_chart(empty).axes[0].texts[0].get_text()
    assert "figures/claims.svg" not in [f.name for f in figure_jobs.report_figures(empty, workers=1)]
    png = figure_jobs.report_figures(res, workers=1, fmt="png")
    assert png[0].name == "figures/claims.png" and png[0].mime == "image/png"
    with pytest.raises(ValueError, match="pdf"):
        figure_jobs.report_figures(res, fmt="pdf")


def test_parallel_rendering_gives_the_same_bytes(res):
    """Serial and in a pool of 2 processes: same files."""
    from eventstudy.report import figure_jobs

    serial = figure_jobs.report_figures(res, workers=1)
    parallel = figure_jobs.report_figures(res, workers=2)
    assert [f.name for f in serial] == [f.name for f in parallel]
    assert all(a.data == b.data for a, b in zip(serial, parallel, strict=True))
    svg = serial[1].data
    assert svg.startswith(b"<?xml") and b"<svg" in svg[:500] and b"<text" in svg  # text kept as text


def test_workers_get_a_private_copy_of_the_results(res, monkeypatch):
    """What goes to the pool shares no object with the results the run goes on computing with.

    (The pool's feeder thread pickles the jobs' arguments while the run computes its tests: an object shared with
    the results, filled meanwhile, once broke a run with "dictionary changed size during iteration".)
    """
    import dataclasses
    from concurrent.futures import Future

    from eventstudy import processes
    from eventstudy.report import figure_jobs

    submitted = []

    class Recording:
        def submit(self, fn, *args):
            submitted.append(args)
            done = Future()
            done.set_result(fn(*args))
            return done

        def shutdown(self, **kw):
            pass

    monkeypatch.setattr(processes, "worker_pool", lambda n: Recording())
    with figure_jobs.start_figures(res, workers=2, early=True, cache=False) as pending:
        drawn = pending.result()
    assert submitted
    views = {id(args[0]): args[0] for args in submitted}
    assert len(views) == 1  # one copy for every job
    (view,) = views.values()
    theirs = {id(getattr(res, f.name)) for f in dataclasses.fields(res)} | {id(res.spec), *map(id, res.spec.events)}
    mine = [getattr(view, f.name) for f in dataclasses.fields(view)]
    shared = [v for v in mine if id(v) in theirs and not isinstance(v, (str, int, float, bool, type(None), tuple))]
    assert shared == [] and view.spec is not res.spec
    serial = figure_jobs.report_figures(res, workers=1)
    assert [f.data for f in drawn] == [f.data for f in serial]


def test_figure_view_keeps_what_the_figures_read(res):
    from eventstudy.report import figure_jobs

    jobs = [j for j in figure_jobs.figure_jobs(res) if j.event == "white-house"]
    view = figure_jobs._figure_view(res, jobs)
    claimed = set(res.claims["event"])
    assert set(view.ar["event"]) == {"white-house"} | claimed and view.residuals.empty and view.tests.empty
    assert view.engine is None
    assert figure_jobs.figure_bytes(F.ar_bars(view, "white-house"), "svg") == figure_jobs.figure_bytes(
        F.ar_bars(res, "white-house"), "svg"
    )


def test_claims_chart_one_sided_bounds(res):
    """An "at least" figure: interval from reported - tolerance upward, open (arrow); "at most": 0 to reported + tol."""
    import copy

    from matplotlib.container import ErrorbarContainer

    bounded = copy.copy(res)
    claims = res.claims.copy()
    claims["bound"] = ""
    claims.loc[0, "bound"], claims.loc[1, "bound"] = "at_least", "at_most"
    bounded.claims = claims
    ax = F.claims_chart(bounded).axes[0]
    bars = next(c for c in ax.containers if isinstance(c, ErrorbarContainer))
    segments = bars.lines[2][0].get_segments()
    rep, tol = claims["reported"].to_numpy() * 100, claims["tolerance"].to_numpy() * 100
    assert rep[0] > 0 and rep[1] > 0
    assert sorted(segments[0][:, 1]) == pytest.approx([rep[0] - tol[0], rep[0]])  # open above
    assert sorted(segments[1][:, 1]) == pytest.approx([0.0, rep[1] + tol[1]])
    assert sorted(segments[2][:, 1]) == pytest.approx([rep[2] - tol[2], rep[2] + tol[2]])  # two-sided
    arrows = [line for line in ax.lines if line.get_marker() == "^"]
    assert len(arrows) == 1 and arrows[0].get_ydata()[0] == pytest.approx(rep[0])
