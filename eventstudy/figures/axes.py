"""What every report figure shares: colours, the results it reads, new axes, panels, percent axes, bars."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from eventstudy.spec import StudySpec

Z95 = 1.96
DPI = 110
VERDICT_COLORS = {
    "matches the close": "#1a7f37",
    "within the day's range": "#0969da",
    "consistent on another session": "#9a6700",
    "not supported": "#cf222e",
    "not measured": "#57606a",
}
BAR_COLORS = {"reported": "#6e7781", "measured": "#0969da", "implied": "#bf8700"}


class Results(Protocol):
    """The tables the figures read (:class:`eventstudy.results.StudyResults` has them)."""

    spec: StudySpec
    model: str
    ar: pd.DataFrame
    car: pd.DataFrame
    fits: pd.DataFrame
    day0: pd.DataFrame
    claims: pd.DataFrame


def new_axes(ax: Axes | None, size: tuple[float, float] = (8.0, 4.5), **margins: float) -> tuple[Figure, Axes]:
    """The caller's axes, or a new figure whose margins are fixed (``subplots_adjust``).

    Fixed margins instead of a layout engine: the constrained layout would
    double the drawing time of a report.
    """
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=DPI)
    fig.subplots_adjust(**{"left": 0.1, "right": 0.97, "top": 0.9, "bottom": 0.13, **margins})
    return fig, fig.add_subplot()


def event_ar(res: Results, event: str) -> pd.DataFrame:
    """The AR rows of ``event`` (KeyError naming the study's events if it has no such event)."""
    if event not in {e.id for e in res.spec.events}:
        raise KeyError(f"no event {event!r} in study {res.spec.id!r}; events: {[e.id for e in res.spec.events]}")
    return res.ar[res.ar["event"] == event]


def percent_axis(ax: Axes) -> None:
    """Y axis in percent with round steps (values are already × 100)."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g} %" if v else "0"))


def car_axes(ax: Axes, *, label_x: bool) -> None:
    """A CAR axes: day 0 and zero lines, percent y axis, a tick every 5 sessions, grid."""
    from matplotlib.ticker import MultipleLocator

    ax.axvline(0, color="0.3", lw=1, ls="--")
    ax.axhline(0, color="0.6", lw=0.8)
    if label_x:
        ax.set_xlabel("Trading sessions relative to day 0 (each security's own exchange)")
    ax.set_ylabel("CAR (%)")
    percent_axis(ax)
    ax.xaxis.set_major_locator(MultipleLocator(5))
    ax.tick_params(labelbottom=True)
    ax.grid(alpha=0.3)


def panels(
    axes: Sequence[Axes] | None, n: int, who: str, *, bottom: float = 0.55, hspace: float = 0.55
) -> tuple[Figure, list[Axes]]:
    """A grid of ``n`` panels (two columns), or the caller's axes; ``bottom`` in inches."""
    if axes is not None:
        if len(axes) < n:
            raise ValueError(f"{who} needs {n} axes (one per security), got {len(axes)}")
        return axes[0].figure, list(axes)  # type: ignore[return-value]
    from matplotlib.figure import Figure

    ncols = 2 if n > 1 else 1
    nrows = -(-n // ncols)
    height = 2.5 * nrows + 0.35 + bottom
    fig = Figure(figsize=(9.0, height), dpi=DPI)
    # margins in inches, turned into fractions: room for the suptitle and the shared x label
    fig.subplots_adjust(
        left=0.09, right=0.98, top=1 - 0.75 / height, bottom=bottom / height, hspace=hspace, wspace=0.28
    )
    grid = list(fig.subplots(nrows, ncols, squeeze=False).ravel())  # sharex would align tick boxes: slow
    for extra in grid[n:]:
        extra.set_visible(False)
    return fig, grid


def bars(ax: Axes, x: np.ndarray, heights: np.ndarray, colors: np.ndarray, width: float = 0.75) -> None:
    """Bars as one PolyCollection: drawn like ``ax.bar`` at a fraction of its cost (one artist, not one each)."""
    from matplotlib.collections import PolyCollection

    left, right, zero = x - width / 2, x + width / 2, np.zeros_like(heights)
    verts = np.stack([np.column_stack(c) for c in ((left, zero), (left, heights), (right, heights), (right, zero))], 1)
    ax.add_collection(PolyCollection(verts, facecolors=colors, linewidths=0, label="abnormal return"))
    ax.autoscale_view()
