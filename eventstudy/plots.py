"""Matplotlib figures for reports and notebooks.

Every function returns a :class:`matplotlib.figure.Figure` and takes
``ax=None`` (or ``axes=None``); none uses pyplot state or shows anything, so
figures can be saved, embedded or displayed by the caller. Values are drawn
in percent.

==================  =========================================================
``price_path``      adjusted prices, 100 at day -1, benchmarks dashed,
                    announcement and each security's day 0 marked
``ar_bars``         abnormal returns by day, one panel per security, with
                    the ±1.96σ band of the estimation residuals
``car_path``        CAR rebased to 0 at day -1, with a 95 % band
``claims_chart``    each claim: reported (± tolerance), best measured match,
                    close-to-close move of the session the article implies
``volume_bars``     abnormal log volume by day, one panel per security, with
                    the ±1.96 band of its prediction-error sd (market model,
                    else the mean model)
``mean_car``        mean and median CAR of every pair by day, 0 at day -1,
                    with a 95 % band of the mean (a large study's report)
``car_histogram``   distribution of every pair's CAR, one outline per window
==================  =========================================================

The CAR band is ±1.96 × ``se`` from :func:`car_band`: for day k ≥ 0,
``se² = Σ_{d=0..k} σ_pred,d²``, the sum of each day's prediction-error
variance (σ_pred = AR / SAR, i.e. σ·sqrt(1 + x'(X'X)⁻¹x)); days before day 0
mirror it over (k, -1]. It leaves out the small covariance that the shared
estimated α and β add across days, so it can differ slightly from the exact
CAR standard error in ``res.car`` (equal for the one-day window [0, 0]).
"""

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
_BAR_COLORS = {"reported": "#6e7781", "measured": "#0969da", "implied": "#bf8700"}


class Results(Protocol):
    """The tables the figures read (:class:`eventstudy.results.StudyResults` has them)."""

    spec: StudySpec
    model: str
    ar: pd.DataFrame
    car: pd.DataFrame
    fits: pd.DataFrame
    day0: pd.DataFrame
    claims: pd.DataFrame


def _axes(ax: Axes | None, size: tuple[float, float] = (8.0, 4.5), **margins: float) -> tuple[Figure, Axes]:
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


def _event_ar(res: Results, event: str) -> pd.DataFrame:
    if event not in {e.id for e in res.spec.events}:
        raise KeyError(f"no event {event!r} in study {res.spec.id!r}; events: {[e.id for e in res.spec.events]}")
    return res.ar[res.ar["event"] == event]


def _percent_axis(ax: Axes) -> None:
    """Y axis in percent with round steps (values are already × 100)."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g} %" if v else "0"))


# -- CAR with its band --------------------------------------------------------
def car_band(res: Results, event: str) -> pd.DataFrame:
    """CAR path rebased to 0 at day -1, with the standard error of its band.

    Returns one row per (ticker, day): ``ticker, day, session, car, se``
    (decimals). For k ≥ 0, ``car`` is CAR[0, k]; for k < -1 it is
    -CAR[k+1, -1], so the path reads as a cumulative sum that is 0 at day -1.
    ``se`` is the square root of the summed daily prediction-error variances
    over the same days (see the module docstring).
    """
    ar = _event_ar(res, event)
    parts = []
    for ticker, part in ar.groupby("ticker", sort=False):
        part = part.sort_values("day")
        days = part["day"].to_numpy()
        abnormal = part["abnormal"].to_numpy(dtype=float)
        fit = res.fits[(res.fits["event"] == event) & (res.fits["ticker"] == ticker)]
        sigma = float(fit["sigma"].iloc[0]) if len(fit) else np.nan
        with np.errstate(divide="ignore", invalid="ignore"):
            sd = abnormal / part["sar"].to_numpy(dtype=float)  # σ_pred of each day
        sd = np.where(np.isfinite(sd) & (sd > 0), sd, sigma)
        cum, cum_var = np.cumsum(abnormal), np.cumsum(sd**2)
        at = np.flatnonzero(days == -1)
        base, base_var = (cum[at[0]], cum_var[at[0]]) if len(at) else (0.0, 0.0)
        parts.append(
            pd.DataFrame(
                {
                    "ticker": ticker,
                    "day": days,
                    "session": part["session"].to_numpy(),
                    "car": cum - base,
                    "se": np.sqrt(np.abs(cum_var - base_var)),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["ticker", "day", "session", "car", "se"])
    return pd.concat(parts, ignore_index=True)


def car_path(
    res: Results, event: str, ax: Axes | None = None, *, tickers: Sequence[str] | None = None, band: bool = True
) -> Figure:
    """CAR per security on one axes, 0 at day -1, with ±1.96·se bands (see :func:`car_band`).

    ``tickers`` selects securities (default all); with many securities the
    bands overlap, and :func:`car_panels` is easier to read.
    """
    fig, ax = _axes(ax)
    data = car_band(res, event)
    if tickers is not None:
        data = data[data["ticker"].isin(list(tickers))]
    for ticker, part in data.groupby("ticker", sort=False):
        _draw_car(ax, res, event, str(ticker), part, band=band)
    _car_axes(ax, label_x=True)
    ax.set_title(f"Cumulative abnormal return around {event} (model: {res.model})", fontsize="medium", y=1.0)
    ax.legend(frameon=False, fontsize="small", loc="best")
    return fig


def car_panels(res: Results, event: str, axes: Sequence[Axes] | None = None) -> Figure:
    """CAR with its 95 % band, one panel per security (see :func:`car_band`)."""
    data = car_band(res, event)
    tickers = list(dict.fromkeys(data["ticker"]))
    fig, axes = _panels(axes, len(tickers), "car_panels")
    for ax, ticker in zip(axes, tickers, strict=False):
        _draw_car(ax, res, event, ticker, data[data["ticker"] == ticker], band=True, color="#0969da")
        _car_axes(ax, label_x=False)
        ax.set_title(ax.get_lines()[0].get_label(), fontsize="medium", y=1.0)
    fig.suptitle(
        f"Cumulative abnormal return around {event} (model: {res.model}), 0 at day -1\n"
        "shaded: 95 % band, ±1.96 × sqrt(sum of the daily prediction-error variances)",
        fontsize="medium",
    )
    fig.supxlabel("Trading sessions relative to day 0 (each security's own exchange)", fontsize="small")
    return fig


def _draw_car(
    ax: Axes, res: Results, event: str, ticker: str, part: pd.DataFrame, *, band: bool, color: str | None = None
) -> None:
    d0 = res.day0[(res.day0["event"] == event) & (res.day0["ticker"] == ticker)]["session"]
    label = f"{ticker} (day 0 = {pd.Timestamp(d0.iloc[0]):%Y-%m-%d})" if len(d0) else ticker
    line = ax.plot(part["day"], part["car"] * 100, marker="o", ms=3, lw=1.6, label=label, color=color)[0]
    if band:
        lo, hi = (part["car"] - Z95 * part["se"]) * 100, (part["car"] + Z95 * part["se"]) * 100
        ax.fill_between(part["day"], lo, hi, color=line.get_color(), alpha=0.15, lw=0, label="95 % band")


def _car_axes(ax: Axes, *, label_x: bool) -> None:
    from matplotlib.ticker import MultipleLocator

    ax.axvline(0, color="0.3", lw=1, ls="--")
    ax.axhline(0, color="0.6", lw=0.8)
    if label_x:
        ax.set_xlabel("Trading sessions relative to day 0 (each security's own exchange)")
    ax.set_ylabel("CAR (%)")
    _percent_axis(ax)
    ax.xaxis.set_major_locator(MultipleLocator(5))
    ax.tick_params(labelbottom=True)
    ax.grid(alpha=0.3)


def _panels(
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


# -- abnormal returns by day ----------------------------------------------------
def ar_bars(res: Results, event: str, axes: Sequence[Axes] | None = None) -> Figure:
    """Abnormal return bars by day, one panel per security.

    The shaded band is ±1.96σ, σ the standard deviation of the estimation
    residuals (``res.fits["sigma"]``); bars outside it are drawn dark.
    ``axes`` (optional) gives one Axes per security, in the study's order.
    """
    ar = _event_ar(res, event)
    tickers = list(dict.fromkeys(ar["ticker"]))
    fig, axes = _panels(axes, len(tickers), "ar_bars", bottom=0.8, hspace=0.5)
    for ax, ticker in zip(axes, tickers, strict=False):
        part = ar[ar["ticker"] == ticker].sort_values("day")
        fit = res.fits[(res.fits["event"] == event) & (res.fits["ticker"] == ticker)]
        sigma = float(fit["sigma"].iloc[0]) if len(fit) else np.nan
        values = part["abnormal"].to_numpy(dtype=float) * 100
        outside = np.abs(values) > Z95 * sigma * 100
        colors = np.where(outside, "#0550ae", "#8fb8de")
        _bars(ax, part["day"].to_numpy(dtype=float), values, colors)
        ax.axhspan(-Z95 * sigma * 100, Z95 * sigma * 100, color="0.5", alpha=0.15, lw=0, label="±1.96σ")
        ax.axvline(0, color="0.3", lw=0.8, ls="--")
        ax.axhline(0, color="0.4", lw=0.6)
        ax.set_title(f"{ticker}: σ = {sigma * 100:.2f} % per day", fontsize="medium", y=1.0)
        ax.set_ylabel("Abnormal return (%)")
        _percent_axis(ax)
        days = part["day"].to_numpy()
        ticks = [d for d in days if d % 5 == 0]
        dates = dict(zip(days, pd.to_datetime(part["session"]), strict=True))
        ax.set_xticks(ticks, [f"{d:+d}\n{dates[d]:%m-%d}" if d else f"0\n{dates[d]:%m-%d}" for d in ticks])
        ax.tick_params(labelbottom=True, labelsize="small")
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(
        f"Abnormal returns by day around {event} (dark bars: outside ±1.96σ of the estimation residuals)",
        fontsize="medium",
    )
    fig.supxlabel("Trading session relative to day 0, with its date (month-day)", fontsize="small")
    return fig


def volume_bars(res: object, event: str, axes: Sequence[Axes] | None = None) -> Figure:
    """Abnormal log volume by day, one panel per security (``res.volume``).

    Each panel shows the market model's AV (the mean model's where the
    benchmark has no volume); the band is ±1.96 × the day's prediction-error
    sd (AV / SAV); bars outside it are dark. The title gives day 0's ratio
    to the normal level, exp(AV).
    """
    if event not in {e.id for e in res.spec.events}:  # type: ignore[attr-defined]
        raise KeyError(f"no event {event!r} in the study")
    v = res.volume  # type: ignore[attr-defined]
    v = v[v["event"] == event]
    v = v[v["model"] == v.groupby("ticker")["model"].transform("first")]  # market first, else mean
    tickers = list(dict.fromkeys(v["ticker"]))
    fig, axes = _panels(axes, len(tickers), "volume_bars", bottom=0.8, hspace=0.5)
    for ax, ticker in zip(axes, tickers, strict=False):
        part = v[v["ticker"] == ticker].sort_values("day")
        values = part["abnormal"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            sd = np.abs(values / part["sav"].to_numpy(dtype=float))
        days = part["day"].to_numpy()
        outside = np.abs(values) > Z95 * sd
        _bars(ax, days.astype(float), values, np.where(outside, "#8250df", "#c8b3f0"))
        ax.fill_between(days, -Z95 * sd, Z95 * sd, color="0.5", alpha=0.15, lw=0, step="mid")
        ax.axvline(0, color="0.3", lw=0.8, ls="--")
        ax.axhline(0, color="0.4", lw=0.6)
        at0 = values[days == 0]
        ratio = f"day 0 × {np.exp(at0[0]):.2f} normal" if len(at0) and np.isfinite(at0[0]) else "day 0 –"
        ax.set_title(f"{ticker} ({part['model'].iloc[0]} model): {ratio}", fontsize="medium", y=1.0)
        ax.set_ylabel("Abnormal log volume")
        ticks = [d for d in days if d % 5 == 0]
        dates = dict(zip(days, pd.to_datetime(part["session"]), strict=True))
        ax.set_xticks(ticks, [f"{d:+d}\n{dates[d]:%m-%d}" if d else f"0\n{dates[d]:%m-%d}" for d in ticks])
        ax.tick_params(labelbottom=True, labelsize="small")
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(f"Abnormal log volume by day around {event} (dark bars: outside ±1.96 sd)", fontsize="medium")
    fig.supxlabel("Trading session relative to day 0, with its date (month-day)", fontsize="small")
    return fig


def _bars(ax: Axes, x: np.ndarray, heights: np.ndarray, colors: np.ndarray, width: float = 0.75) -> None:
    """Bars as one PolyCollection: drawn like ``ax.bar`` at a fraction of its cost (one artist, not one each)."""
    from matplotlib.collections import PolyCollection

    left, right, zero = x - width / 2, x + width / 2, np.zeros_like(heights)
    verts = np.stack([np.column_stack(c) for c in ((left, zero), (left, heights), (right, heights), (right, zero))], 1)
    ax.add_collection(PolyCollection(verts, facecolors=colors, linewidths=0, label="abnormal return"))
    ax.autoscale_view()


# -- prices ---------------------------------------------------------------------
def price_path(res: Results, event: str, ax: Axes | None = None) -> Figure:
    """Adjusted prices normalised to 100 at day -1, benchmarks dashed.

    A hollow marker shows each security's day 0; the vertical line is the
    announcement in the first security's local time.
    """
    import matplotlib.dates as mdates

    fig, ax = _axes(ax, (8.5, 4.6), left=0.08, right=0.73, top=0.88, bottom=0.14)
    ar = _event_ar(res, event)
    seen_bench: set[str] = set()
    bench_greys = ("0.35", "0.6", "0.75")
    for ticker, part in ar.groupby("ticker", sort=False):
        base = part.loc[part["day"] == -1]
        if base.empty:
            continue
        level = part["price"] / base["price"].iloc[0] * 100
        line = ax.plot(part["session"], level, marker="o", ms=2.5, lw=1.6, label=str(ticker))[0]
        d0 = part["day"] == 0
        ax.plot(part.loc[d0, "session"], level[d0], "o", ms=9, color=line.get_color(), mfc="none", mew=1.5)
        bench = res.spec.security(str(ticker)).benchmark
        if bench not in seen_bench:
            grey = bench_greys[min(len(seen_bench), len(bench_greys) - 1)]
            seen_bench.add(bench)
            level_b = part["benchmark_price"] / base["benchmark_price"].iloc[0] * 100
            ax.plot(part["session"], level_b, ls="--", lw=1.2, color=grey, label=f"{bench} (benchmark)")
    announced = _announcement_local(res, event)
    if announced is not None:
        when, zone = announced
        ax.axvline(when, color="#cf222e", lw=1, ls=":", label=f"announced {when:%Y-%m-%d %H:%M}\n({zone} time)")
    ax.axhline(100, color="0.7", lw=0.8)
    year = pd.Timestamp(ar["session"].iloc[len(ar) // 2]).year
    ax.set_xlabel(f"Session ({year}, exchange-local date); hollow markers: day 0 of each security")
    ax.set_ylabel("Adjusted price (day -1 = 100)")
    ev = res.spec.event(event)
    ax.set_title(f"Prices around {event}" + (f"\n{ev.title}" if ev.title else ""), fontsize="medium", y=1.0)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=8))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.legend(frameon=False, fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    ax.grid(alpha=0.3)
    return fig


def _announcement_local(res: Results, event: str) -> tuple[pd.Timestamp, str] | None:
    """Announcement time, naive, in the first security's exchange time zone, and that zone."""
    ev = res.spec.event(event)
    if ev.date_only:
        return None
    from eventstudy.market.calendars import get_calendar

    tz = get_calendar(res.spec.securities[0].exchange).tz
    return pd.Timestamp(ev.timestamp).tz_convert(tz).tz_localize(None), str(tz)


# -- claims ---------------------------------------------------------------------
def claims_data(res: Results) -> pd.DataFrame:
    """Per claim: reported, tolerance, best measured match, implied-session close-to-close.

    Columns ``claim, ticker, verdict, reported, tolerance, bound, measured,
    best_measure, best_session, implied_session, implied_close_to_close``
    (decimals; the last is NaN when the session is outside the AR window).
    """
    rows = []
    for c in res.claims.to_dict("records"):
        if pd.isna(c["best_session"]):
            continue  # not measured (pair excluded)
        ar = res.ar[(res.ar["event"] == c["event"]) & (res.ar["ticker"] == c["ticker"])]
        hit = ar[ar["session"] == c["implied_session"]]
        rows.append(
            {
                "claim": c["claim"],
                "ticker": c["ticker"],
                "verdict": c["verdict"],
                "reported": c["reported"],
                "tolerance": c["tolerance"],
                "bound": c["bound"] if isinstance(c.get("bound"), str) else "",
                "measured": c["measured"],
                "best_measure": c["best_measure"],
                "best_session": c["best_session"],
                "implied_session": c["implied_session"],
                "implied_close_to_close": float(hit["return"].iloc[0]) if len(hit) else np.nan,
            }
        )
    return pd.DataFrame(rows)


def claims_chart(res: Results, ax: Axes | None = None) -> Figure:
    """Reported against measured moves, one group of bars per claim.

    Grey: the article's figure with the interval of moves that hold it as an
    error bar (``reported ± tolerance``; for "at least" / "at most" figures
    one-sided, an arrow marking the open end); blue: the best measured match
    (its measure and session under the claim); amber: the close-to-close move
    of the session the article implies.
    """
    from eventstudy.claims.reconcile import acceptance

    data = claims_data(res)
    fig, ax = _axes(ax, (9.0, 5.0), left=0.08, right=0.98, top=0.93, bottom=0.19)
    if data.empty:
        ax.text(0.5, 0.5, "no claims in this study", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    x = np.arange(len(data))
    width = 0.26
    spans = np.array([acceptance(r.reported, r.tolerance, r.bound) for r in data.itertuples()]) * 100
    top = data["reported"].to_numpy() * 100
    below, above = (
        np.where(np.isfinite(spans[:, 0]), top - spans[:, 0], 0.0),
        np.where(np.isfinite(spans[:, 1]), spans[:, 1] - top, 0.0),
    )
    reported = ax.bar(
        x - width, top, width, color=_BAR_COLORS["reported"], label="reported (moves that hold it)",
        yerr=np.vstack([below, above]), capsize=4, error_kw={"elinewidth": 1.2},
    )  # fmt: skip
    for side, marker in ((1, "^"), (0, "v")):  # "at least": the open end of the interval
        open_end = ~np.isfinite(spans[:, side])
        if open_end.any():
            ax.plot(x[open_end] - width, top[open_end], linestyle="", marker=marker, color="0.25", markersize=7)
    measured = ax.bar(x, data["measured"] * 100, width, color=_BAR_COLORS["measured"], label="measured, best match")
    implied = ax.bar(
        x + width, data["implied_close_to_close"] * 100, width, color=_BAR_COLORS["implied"],
        label="close-to-close, session the article implies",
    )  # fmt: skip
    for bars in (reported, measured, implied):
        ax.bar_label(bars, fmt="%+.1f", fontsize="x-small", padding=2)
    labels = [
        f"{r.claim}\n{r.verdict}\nbest: {str(r.best_measure).replace('_', '-')} {pd.Timestamp(r.best_session):%m-%d}"
        for r in data.itertuples()
    ]
    ax.set_xticks(x, labels, fontsize="x-small")
    for tick, verdict in zip(ax.get_xticklabels(), data["verdict"], strict=True):
        tick.set_color(VERDICT_COLORS.get(verdict, "black"))
    ax.axhline(0, color="0.4", lw=0.8)
    ax.set_ylabel("Move (%)")
    ax.set_xlabel("Claim, verdict, and the measure and session that match best", fontsize="small")
    _percent_axis(ax)
    ax.margins(y=0.15)
    ax.set_title("The articles' figures against the measured moves", fontsize="medium", y=1.0)
    ax.legend(frameon=False, fontsize="small", loc="upper right")
    ax.grid(axis="y", alpha=0.3)
    return fig


# -- every pair at once (large studies) -------------------------------------------
def mean_car_data(res: Results) -> pd.DataFrame:
    """Mean and median CAR by day over every measured pair, 0 at day -1, with the standard error of the mean.

    Returns one row per day: ``day, pairs, mean, median, se`` (decimals). A
    pair's path is that of :func:`car_band` (CAR[0, k] from day 0 on,
    -CAR[k+1, -1] before; :func:`eventstudy.engine.worker_tables.pair_paths`, or
    ``res.car_paths`` when the Dask workers wrote the ar table); ``se`` is the
    cross-sectional standard deviation over the square root of the pairs.
    """
    from eventstudy.engine.worker_tables import pair_paths

    given = getattr(res, "car_paths", None)
    days, paths = given if given is not None else pair_paths(res.ar)
    frame = pd.DataFrame(paths, columns=days)
    out = pd.DataFrame({"pairs": frame.count(), "mean": frame.mean(), "median": frame.median()})
    out["se"] = frame.std() / np.sqrt(out["pairs"])
    return out.rename_axis("day").reset_index()


def mean_car(res: Results, ax: Axes | None = None) -> Figure:
    """Mean CAR of every measured pair by day, 0 at day -1, with a 95 % band (±1.96 standard errors), and the median.

    The band treats the pairs as independent: pairs sharing an event date move
    together, so it is too narrow when they do (see the Kolari-Pynnönen test).
    """
    data = mean_car_data(res)
    fig, ax = _axes(ax)
    day, mean = data["day"], data["mean"] * 100
    line = ax.plot(day, mean, marker="o", ms=3, lw=1.6, color="#0969da", label="mean")[0]
    half = Z95 * data["se"] * 100
    ax.fill_between(day, mean - half, mean + half, color=line.get_color(), alpha=0.15, lw=0, label="95 % band")
    ax.plot(day, data["median"] * 100, ls="--", lw=1.2, color="0.35", label="median")
    pairs = int(data["pairs"].max()) if len(data) else 0
    _car_axes(ax, label_x=True)
    ax.set_title(f"Mean CAR of {pairs:,} pairs, 0 at day -1 (model: {res.model})", fontsize="medium", y=1.0)
    ax.legend(frameon=False, fontsize="small", loc="best")
    return fig


def car_histogram(res: Results, ax: Axes | None = None) -> Figure:
    """Distribution of the CARs of every measured pair, one outline per event window."""
    from matplotlib.ticker import FuncFormatter

    fig, ax = _axes(ax)
    car = res.car.dropna(subset=["car"])
    values = car["car"].to_numpy(dtype=float) * 100
    if len(values):
        lo, hi = np.percentile(values, [0.5, 99.5])  # the extreme half percent would squeeze the rest
        bins = np.linspace(lo, hi, 61) if hi > lo else 30
        for (start, end), w in car.groupby(["start", "end"], sort=False):
            ax.hist(w["car"].to_numpy(dtype=float) * 100, bins=bins, histtype="step", lw=1.4, label=f"[{start}, {end}]")
        ax.legend(title="window", frameon=False, fontsize="small", loc="upper right")
    ax.axvline(0, color="0.3", lw=1, ls="--")
    ax.set_xlabel("CAR (%), the extreme 0.5 % on each side left out")
    ax.set_ylabel("Pairs")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g} %" if v else "0"))
    ax.set_title(f"CARs of {car[['event', 'ticker']].drop_duplicates().shape[0]:,} pairs by window", fontsize="medium")
    ax.grid(alpha=0.3)
    return fig
