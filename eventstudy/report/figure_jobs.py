"""Report figures rendered to SVG (default) or PNG bytes.

Drawing a figure is CPU-bound pure Python (matplotlib). The report starts
them with :func:`start_figures`: the event figures go at once to a
:class:`concurrent.futures.ProcessPoolExecutor` (each worker receives the
results cut to the drawn events; matplotlib is imported before they fork),
and the report computes its tests and placebo run meanwhile.
:func:`report_figures`, which only waits, uses workers from a few figures per
worker on, otherwise the calling process. The bytes are the same either way.

SVG keeps text as text (``svg.fonttype = none``: the viewer's sans-serif
font) and a fixed ``svg.hashsalt``, so the same results give the same
bytes; it is about twice as fast to write as PNG and scales on any screen.
"""

from __future__ import annotations

import copy
import dataclasses
import gc
import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from eventstudy.results import StudyResults

FIGURE_FORMATS = ("svg", "png")
MIME = {"svg": "image/svg+xml", "png": "image/png"}
MAX_WORKERS = 4
FIGURES_PER_WORKER = 8  # a worker process (matplotlib import, pickled results) pays off from about this many


@dataclass(frozen=True)
class ReportFigure:
    """One report figure.

    ``name`` is its path relative to the report directory
    (``figures/car_<event>.svg``); ``event`` is None for study-wide figures.
    """

    name: str
    event: str | None
    caption: str
    data: bytes

    @property
    def mime(self) -> str:
        """``image/svg+xml`` or ``image/png``, from the file name."""
        return MIME[self.name.rsplit(".", 1)[-1]]


@dataclass(frozen=True)
class Job:
    """What to draw: ``draw(res)`` for a study-wide figure, ``draw(res, event)`` for an event's."""

    stem: str
    event: str | None
    caption: str
    draw: Callable[..., Figure]


def figure_jobs(res: StudyResults) -> list[Job]:
    """Claims chart, then per detailed event the prices, AR and CAR figures.

    A large study (:func:`eventstudy.report.tables.large_study`) draws the mean CAR and
    the CAR distribution of every pair instead, and the per-event figures of
    its claimed events only (``eventstudy.plots`` draws any other in a notebook).
    """
    from eventstudy import plots as F
    from eventstudy.report.story import representative
    from eventstudy.report.tables import detailed_events, large_study

    jobs = []
    if not res.claims.empty:
        jobs.append(Job("claims", None, "Reported against measured moves", F.claims_chart))
    large = large_study(res)
    if large:
        jobs.append(Job("car_mean", None, SUMMARY_CAPTIONS["car_mean"], F.mean_car))
        jobs.append(Job("car_distribution", None, SUMMARY_CAPTIONS["car_distribution"], F.car_histogram))
    claimed = {representative(res, e) for e in res.claims["event"]} if large else set()
    for event_id in detailed_events(res):  # events with a report section; excluded ones have none
        if large and event_id not in claimed:
            continue
        for kind, caption, draw in (
            ("prices", "Prices normalised to day -1", F.price_path),
            ("ar", "Abnormal returns by day", F.ar_bars),
            ("car", "Cumulative abnormal returns with 95 % band", F.car_panels),
        ):
            jobs.append(Job(f"{kind}_{event_id}", event_id, f"{caption} around {event_id}", draw))
        if "volume" in res.measures_on and res.engine is not None:
            caption = f"Abnormal log volume by day around {event_id}"
            jobs.append(Job(f"volume_{event_id}", event_id, caption, F.volume_bars))
    return jobs


SUMMARY_CAPTIONS = {
    "car_mean": "Mean and median CAR of every pair by day, 0 at day -1, with a 95 % band of the mean "
    "(pairs taken as independent: too narrow when they share event dates)",
    "car_distribution": "Distribution of the CARs of every pair, by event window",
}


def is_summary(fig: ReportFigure) -> bool:
    """Whether a study-wide figure belongs to the "All pairs" section (not the claims)."""
    return fig.event is None and fig.name.rsplit("/", 1)[-1].rsplit(".", 1)[0] in SUMMARY_CAPTIONS


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """The figure as SVG or PNG bytes, with no date or software stamp (reproducible)."""
    import matplotlib

    buf = io.BytesIO()
    if fmt == "svg":
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "eventstudy"}):
            fig.savefig(buf, format="svg", metadata={"Date": None})
    elif fmt == "png":
        fig.savefig(buf, format="png", metadata={"Software": None})
    else:
        raise ValueError(f"unknown figure format {fmt!r}; choose one of {', '.join(FIGURE_FORMATS)}")
    return buf.getvalue()


def report_figures(res: StudyResults, *, fmt: str = "svg", workers: int | None = None) -> list[ReportFigure]:
    """Render every report figure: claims, then per detailed event prices, AR, CAR.

    In ``workers`` processes (default :func:`default_workers`) when there are
    enough figures to pay for starting them (:func:`workers_for`), else here.
    """
    with start_figures(res, fmt=fmt, workers=workers, early=False, cache=False) as pending:
        return pending.result()


def start_figures(
    res: StudyResults, *, fmt: str = "svg", workers: int | None = None, early: bool = True, cache: bool = True
) -> PendingFigures:
    """Start drawing the report figures; :meth:`PendingFigures.result` gives them (use as a context manager).

    The event figures go to worker processes at once, so the caller computes
    what else the report needs meanwhile. ``early``: a caller with such work
    starts a worker per CPU (at most one per figure) however few the figures,
    since they draw while it computes; with a single CPU, or ``workers`` given,
    the :func:`workers_for` rule holds. ``cache``: event figures drawn before from the same
    results are read back from the disk cache (:mod:`eventstudy.figures.figure_cache`), the others
    are drawn and kept there.
    """
    if fmt not in FIGURE_FORMATS:
        raise ValueError(f"unknown figure format {fmt!r}; choose one of {', '.join(FIGURE_FORMATS)}")
    return PendingFigures(res, fmt, workers, early, cache)


class PendingFigures:
    """Report figures being drawn: event figures in workers (if any) from the start, study-wide ones on result()."""

    def __init__(self, res: StudyResults, fmt: str, workers: int | None, early: bool, cache: bool = False) -> None:
        self.res, self.fmt = res, fmt
        self.jobs = figure_jobs(res)
        self.here = [job for job in self.jobs if job.stem in SUMMARY_CAPTIONS]  # read every pair: never on a view
        self.rest = [job for job in self.jobs if job.stem not in SUMMARY_CAPTIONS]
        self.keys: dict[str, str] = {}  # cache key of each event figure (cache=True)
        self.cached: dict[str, bytes] = {}
        view = None
        if cache and self.rest:
            from eventstudy.figures.figure_cache import figure_keys, read_figure

            view = _figure_view(res, self.rest)
            self.keys = figure_keys(view, [job.stem for job in self.rest], fmt)
            self.cached = {stem: data for stem, key in self.keys.items() if (data := read_figure(key, fmt))}
            self.rest = [job for job in self.rest if job.stem not in self.cached]
        n = workers_for(len(self.rest), workers)
        if early and workers is None and default_workers() > 1:  # the caller computes meanwhile: workers pay off
            n = min(default_workers(), len(self.rest))
        fewest = 1 if early else 2  # a caller that only waits gains nothing from a single worker
        self.pool = self.drawing = None
        if n >= fewest:
            import matplotlib.figure  # noqa: F401 - imported here once, before the workers fork

            from eventstudy.processes import worker_pool

            view = _figure_view(res, self.rest) if view is None else view
            # a private copy (~50 KB for the Stargate study): the pool's feeder thread pickles it while this
            # process goes on with the tests, and an object shared with ``res`` filled meanwhile broke pickling
            view = copy.deepcopy(view)
            self.pool = worker_pool(n)
            self.drawing = [self.pool.submit(_render, view, job, fmt) for job in self.rest]

    def result(self) -> list[ReportFigure]:
        """Every figure, in report order (waits for the workers)."""
        res = self.res  # the histogram reads every pair's CARs (the Dask workers' summaries when they wrote them)
        if res.pairs is not None:
            res = dataclasses.replace(res, car=res.every_car(["event", "ticker", "start", "end", "car"]))
        by_stem = {job.stem: _render(res, job, self.fmt) for job in self.here}  # while the workers draw
        if self.drawing is None:
            drawn = [_render(self.res, job, self.fmt) for job in self.rest]
        else:
            drawn = [future.result() for future in self.drawing]
        by_stem.update(zip([job.stem for job in self.rest], drawn, strict=True))
        if self.keys:
            from eventstudy.figures.figure_cache import write_figure

            for job, data in zip(self.rest, drawn, strict=True):
                write_figure(self.keys[job.stem], self.fmt, data)
        by_stem.update(self.cached)
        return [
            ReportFigure(f"figures/{job.stem}.{self.fmt}", job.event, job.caption, by_stem[job.stem])
            for job in self.jobs
        ]

    def __enter__(self) -> PendingFigures:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def workers_for(n_figures: int, workers: int | None = None) -> int:
    """Worker processes for ``n_figures``: ``workers`` or the default, and that many figures each at least."""
    return min(default_workers() if workers is None else workers, n_figures // FIGURES_PER_WORKER)


def default_workers() -> int:
    """``$EVENTSTUDY_WORKERS``, else the CPU count, at most 4."""
    return max(1, int(os.environ.get("EVENTSTUDY_WORKERS", min(os.cpu_count() or 1, MAX_WORKERS))))


def _figure_view(res: StudyResults, jobs: Sequence[Job]) -> StudyResults:
    """``res`` cut to what the figures read: the drawn and claimed events' rows, no residuals, tests or engine."""
    from eventstudy.report.tables import events_view

    drawn = {job.event for job in jobs if job.event is not None} | set(res.claims["event"])
    view = events_view(res, drawn)
    view = dataclasses.replace(view, engine=None, frames=None)
    if "volume" in res.measures_on:  # computed here, shipped as the drawn events' rows
        view._volume_tables = tuple(t[t["event"].isin(drawn)] for t in res._volume_tables)  # type: ignore[misc]
    view.residuals = view.tests = view.ar.iloc[0:0]  # figures read neither: nothing computed, nothing shipped
    return view


def _render(res: StudyResults, job: Job, fmt: str) -> bytes:
    """One figure's bytes, drawn with the cyclic garbage collector paused (a tenth of the drawing time)."""
    collecting = gc.isenabled()
    gc.disable()  # matplotlib makes thousands of artists: collections while they live find nothing to free
    try:
        fig = job.draw(res) if job.event is None else job.draw(res, job.event)
        return figure_bytes(fig, fmt)
    finally:
        if collecting:
            gc.enable()
