"""Report figures rendered to SVG (default) or PNG bytes, in worker processes.

Drawing a figure is CPU-bound pure Python (matplotlib), so the figures of a
report are rendered by a :class:`FigurePool` of forked processes. The
command line starts the pool before the study runs: the workers import
matplotlib and load its fonts while the main process fetches prices and
computes, then receive the results (pickled once, only the detailed events)
and draw a figure each. Without ``fork`` (or with one worker) the figures
are drawn in the calling process; the bytes are the same either way.

SVG keeps text as text (``svg.fonttype = none``: the viewer's sans-serif
font) and a fixed ``svg.hashsalt``, so the same results give the same
bytes; it is about twice as fast to write as PNG and scales on any screen.
"""

from __future__ import annotations

import dataclasses
import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from matplotlib.figure import Figure

    from eventstudy.results import StudyResults

FIGURE_FORMATS = ("svg", "png")
MIME = {"svg": "image/svg+xml", "png": "image/png"}
MAX_WORKERS = 4


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
    """Claims chart, then per detailed event the prices, AR and CAR figures."""
    from eventstudy import plots as F
    from eventstudy.report.tables import detailed_events

    jobs = []
    if not res.claims.empty:
        jobs.append(Job("claims", None, "Reported against measured moves", F.claims_chart))
    for event_id in detailed_events(res):  # events with a report section; excluded ones have none
        for kind, caption, draw in (
            ("prices", "Prices normalised to day -1", F.price_path),
            ("ar", "Abnormal returns by day", F.ar_bars),
            ("car", "Cumulative abnormal returns with 95 % band", F.car_panels),
        ):
            jobs.append(Job(f"{kind}_{event_id}", event_id, f"{caption} around {event_id}", draw))
    return jobs


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


def report_figures(
    res: StudyResults, *, fmt: str = "svg", workers: int | None = None, pool: FigurePool | None = None
) -> list[ReportFigure]:
    """Render every report figure: claims, then per detailed event prices, AR, CAR.

    ``pool`` is a started :class:`FigurePool`; without one, a pool of
    ``workers`` processes (default :func:`default_workers`) is started here
    when there are enough figures to pay for it.
    """
    with start_figures(res, fmt=fmt, workers=workers, pool=pool) as pending:
        return pending.result()


class PendingFigures:
    """Figures being drawn; ``result()`` waits for them.

    A context manager: on exit, a pool started for them alone is stopped.
    """

    def __init__(self, jobs: list[Job], fmt: str, wait: Callable[[], list[bytes]], own: FigurePool | None) -> None:
        self.jobs, self.fmt, self._wait, self._own = jobs, fmt, wait, own

    def result(self) -> list[ReportFigure]:
        """The figures, in job order."""
        blobs = self._wait()
        return [
            ReportFigure(f"figures/{job.stem}.{self.fmt}", job.event, job.caption, blob)
            for job, blob in zip(self.jobs, blobs, strict=True)
        ]

    def __enter__(self) -> PendingFigures:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._own is not None:
            self._own.close()


def start_figures(
    res: StudyResults, *, fmt: str = "svg", workers: int | None = None, pool: FigurePool | None = None
) -> PendingFigures:
    """Start rendering (in ``pool`` if given, else in a pool of their own) and return at once.

    The caller can write other files while the workers draw.
    """
    if fmt not in FIGURE_FORMATS:
        raise ValueError(f"unknown figure format {fmt!r}; choose one of {', '.join(FIGURE_FORMATS)}")
    jobs = figure_jobs(res)
    own = None
    if pool is None or pool.workers < 2:
        n = workers_for(len(jobs), workers)
        pool = own = FigurePool(n)
    return PendingFigures(jobs, fmt, pool.submit(res, jobs, fmt), own)


def workers_for(n_figures: int, workers: int | None = None) -> int:
    """Worker processes for ``n_figures``: ``workers`` or the default, and ~3 figures each at least."""
    return min(default_workers() if workers is None else workers, n_figures // 3)


def default_workers() -> int:
    """``$EVENTSTUDY_WORKERS``, else the CPU count, at most 4."""
    return max(1, int(os.environ.get("EVENTSTUDY_WORKERS", min(os.cpu_count() or 1, MAX_WORKERS))))


def _draw(res: StudyResults, job: Job) -> Figure:
    return job.draw(res) if job.event is None else job.draw(res, job.event)


class FigurePool:
    """Forked processes that draw report figures; use as a context manager.

    Start it early: each worker imports matplotlib and draws a throw-away
    figure (loading the font cache) as soon as it starts.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = default_workers() if workers is None else max(1, workers)
        self._executor: ProcessPoolExecutor | None = None
        if self.workers > 1 and self.available():
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            ctx = multiprocessing.get_context("fork")
            self._executor = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_warm_worker)
            self._executor.submit(int)  # forks every worker now (fork start method)
        else:
            self.workers = 1

    @staticmethod
    def available() -> bool:
        """Whether worker processes can be forked here (POSIX)."""
        import multiprocessing

        return "fork" in multiprocessing.get_all_start_methods()

    def submit(self, res: StudyResults, jobs: Sequence[Job], fmt: str) -> Callable[[], list[bytes]]:
        """Queue every job; the returned function waits and gives the bytes in order.

        Without workers the figures are drawn when that function is called.
        """
        if self._executor is None:
            return lambda: [figure_bytes(_draw(res, job), fmt) for job in jobs]
        view = _figure_view(res, jobs)  # sent with each job: ~50 KB for the Stargate study
        futures = [self._executor.submit(_render_in_worker, view, job, fmt) for job in jobs]
        return lambda: [f.result() for f in futures]

    def close(self) -> None:
        """Stop the workers."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> FigurePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _figure_view(res: StudyResults, jobs: Sequence[Job]) -> StudyResults:
    """``res`` cut to what the figures read: the drawn and claimed events' rows, no residuals, tests or engine."""
    from eventstudy.report.tables import events_view

    view = events_view(res, {job.event for job in jobs if job.event is not None} | set(res.claims["event"]))
    view = dataclasses.replace(view, engine=None)
    view.residuals = view.tests = view.ar.iloc[0:0]  # figures read neither: nothing computed, nothing shipped
    return view


def _warm_worker() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:  # best effort: a failure here shows again, with its message, when a figure is drawn
        from matplotlib.figure import Figure

        import eventstudy.plots  # noqa: F401

        fig = Figure(figsize=(1, 1))
        fig.add_subplot().set_title("warm")
        figure_bytes(fig, "svg")
    except Exception:
        pass


def _render_in_worker(res: StudyResults, job: Job, fmt: str) -> bytes:
    return figure_bytes(_draw(res, job), fmt)
