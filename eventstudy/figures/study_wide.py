"""Study-wide figures: the claims against the measured moves, and every pair at once (large studies)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

from eventstudy.figures.axes import BAR_COLORS, VERDICT_COLORS, Z95, Results, car_axes, new_axes, percent_axis


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
    fig, ax = new_axes(ax, (9.0, 5.0), left=0.08, right=0.98, top=0.93, bottom=0.19)
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
        x - width, top, width, color=BAR_COLORS["reported"], label="reported (moves that hold it)",
        yerr=np.vstack([below, above]), capsize=4, error_kw={"elinewidth": 1.2},
    )  # fmt: skip
    for side, marker in ((1, "^"), (0, "v")):  # "at least": the open end of the interval
        open_end = ~np.isfinite(spans[:, side])
        if open_end.any():
            ax.plot(x[open_end] - width, top[open_end], linestyle="", marker=marker, color="0.25", markersize=7)
    measured = ax.bar(x, data["measured"] * 100, width, color=BAR_COLORS["measured"], label="measured, best match")
    implied = ax.bar(
        x + width, data["implied_close_to_close"] * 100, width, color=BAR_COLORS["implied"],
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
    percent_axis(ax)
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
    fig, ax = new_axes(ax)
    day, mean = data["day"], data["mean"] * 100
    line = ax.plot(day, mean, marker="o", ms=3, lw=1.6, color="#0969da", label="mean")[0]
    half = Z95 * data["se"] * 100
    ax.fill_between(day, mean - half, mean + half, color=line.get_color(), alpha=0.15, lw=0, label="95 % band")
    ax.plot(day, data["median"] * 100, ls="--", lw=1.2, color="0.35", label="median")
    pairs = int(data["pairs"].max()) if len(data) else 0
    car_axes(ax, label_x=True)
    ax.set_title(f"Mean CAR of {pairs:,} pairs, 0 at day -1 (model: {res.model})", fontsize="medium", y=1.0)
    ax.legend(frameon=False, fontsize="small", loc="best")
    return fig


def car_histogram(res: Results, ax: Axes | None = None) -> Figure:
    """Distribution of the CARs of every measured pair, one outline per event window."""
    from matplotlib.ticker import FuncFormatter

    fig, ax = new_axes(ax)
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
