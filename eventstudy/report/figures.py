"""Matplotlib figures. Each returns a Figure and accepts ``ax=None``; none is shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from eventstudy.results import StudyResults


def _axes(ax: Axes | None, size: tuple[float, float] = (8.0, 4.5)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=110, layout="constrained")
    return fig, fig.add_subplot()


def car_path(res: StudyResults, event: str, ax: Axes | None = None) -> Figure:
    """Cumulative abnormal return from the start of the AR window, per security."""
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    fig, ax = _axes(ax)
    ar = res.ar[res.ar["event"] == event]
    for ticker, part in ar.groupby("ticker", sort=False):
        ax.plot(part["day"], part["abnormal"].cumsum() * 100, marker="o", ms=3, label=str(ticker))
    ax.axvline(0, color="0.3", lw=1, ls="--")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xlabel("Trading sessions relative to day 0 (each security's exchange)")
    ax.set_ylabel("Cumulative abnormal return")
    ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"CAR around {event} (model: {res.model})")
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return fig


def price_path(res: StudyResults, event: str, ax: Axes | None = None) -> Figure:
    """Adjusted prices normalised to 100 at day -1, with benchmarks dashed."""
    import matplotlib.dates as mdates

    fig, ax = _axes(ax)
    ar = res.ar[res.ar["event"] == event]
    seen_bench: set[str] = set()
    for ticker, part in ar.groupby("ticker", sort=False):
        base = part.loc[part["day"] == -1]
        if base.empty:
            continue
        line = ax.plot(
            part["session"], part["price"] / base["price"].iloc[0] * 100, marker="o", ms=3, label=str(ticker)
        )[0]
        bench = res.spec.security(str(ticker)).benchmark
        if bench not in seen_bench:
            seen_bench.add(bench)
            ax.plot(
                part["session"],
                part["benchmark_price"] / base["benchmark_price"].iloc[0] * 100,
                ls="--",
                lw=1,
                color="0.4" if len(seen_bench) == 1 else "0.65",
                label=bench,
            )
        d0 = part.loc[part["day"] == 0, "session"]
        if len(d0):
            ax.axvline(d0.iloc[0], color=line.get_color(), lw=0.8, ls=":")
    ax.set_xlabel("Session (exchange-local date); dotted lines: day 0 per security")
    ax.set_ylabel("Adjusted price, day -1 = 100")
    ax.set_title(f"Prices around {event}")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
    ax.legend(frameon=False, ncols=2)
    ax.grid(alpha=0.3)
    return fig
