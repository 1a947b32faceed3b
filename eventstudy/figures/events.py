"""Figures of one event: prices, abnormal returns and volume by day, CAR with its band.

The CAR band is ±1.96 × ``se`` from :func:`car_band`: for day k ≥ 0,
``se² = Σ_{d=0..k} σ_pred,d²``, the sum of each day's prediction-error
variance (σ_pred = AR / SAR, i.e. σ·sqrt(1 + x'(X'X)⁻¹x)); days before day 0
mirror it over (k, -1]. It leaves out the small covariance that the shared
estimated α and β add across days, so it can differ slightly from the exact
CAR standard error in ``res.car`` (equal for the one-day window [0, 0]).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

from eventstudy.figures.axes import Z95, Results, bars, car_axes, event_ar, new_axes, panels, percent_axis


# -- CAR with its band --------------------------------------------------------
def car_band(res: Results, event: str) -> pd.DataFrame:
    """CAR path rebased to 0 at day -1, with the standard error of its band.

    Returns one row per (ticker, day): ``ticker, day, session, car, se``
    (decimals). For k ≥ 0, ``car`` is CAR[0, k]; for k < -1 it is
    -CAR[k+1, -1], so the path reads as a cumulative sum that is 0 at day -1.
    ``se`` is the square root of the summed daily prediction-error variances
    over the same days (see the module docstring).
    """
    ar = event_ar(res, event)
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
    fig, ax = new_axes(ax)
    data = car_band(res, event)
    if tickers is not None:
        data = data[data["ticker"].isin(list(tickers))]
    for ticker, part in data.groupby("ticker", sort=False):
        _draw_car(ax, res, event, str(ticker), part, band=band)
    car_axes(ax, label_x=True)
    ax.set_title(f"Cumulative abnormal return around {event} (model: {res.model})", fontsize="medium", y=1.0)
    ax.legend(frameon=False, fontsize="small", loc="best")
    return fig


def car_panels(res: Results, event: str, axes: Sequence[Axes] | None = None) -> Figure:
    """CAR with its 95 % band, one panel per security (see :func:`car_band`)."""
    data = car_band(res, event)
    tickers = list(dict.fromkeys(data["ticker"]))
    fig, axes = panels(axes, len(tickers), "car_panels")
    for ax, ticker in zip(axes, tickers, strict=False):
        _draw_car(ax, res, event, ticker, data[data["ticker"] == ticker], band=True, color="#0969da")
        car_axes(ax, label_x=False)
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


# -- abnormal returns by day ----------------------------------------------------
def ar_bars(res: Results, event: str, axes: Sequence[Axes] | None = None) -> Figure:
    """Abnormal return bars by day, one panel per security.

    The shaded band is ±1.96σ, σ the standard deviation of the estimation
    residuals (``res.fits["sigma"]``); bars outside it are drawn dark.
    ``axes`` (optional) gives one Axes per security, in the study's order.
    """
    ar = event_ar(res, event)
    tickers = list(dict.fromkeys(ar["ticker"]))
    fig, axes = panels(axes, len(tickers), "ar_bars", bottom=0.8, hspace=0.5)
    for ax, ticker in zip(axes, tickers, strict=False):
        part = ar[ar["ticker"] == ticker].sort_values("day")
        fit = res.fits[(res.fits["event"] == event) & (res.fits["ticker"] == ticker)]
        sigma = float(fit["sigma"].iloc[0]) if len(fit) else np.nan
        values = part["abnormal"].to_numpy(dtype=float) * 100
        outside = np.abs(values) > Z95 * sigma * 100
        colors = np.where(outside, "#0550ae", "#8fb8de")
        bars(ax, part["day"].to_numpy(dtype=float), values, colors)
        ax.axhspan(-Z95 * sigma * 100, Z95 * sigma * 100, color="0.5", alpha=0.15, lw=0, label="±1.96σ")
        ax.axvline(0, color="0.3", lw=0.8, ls="--")
        ax.axhline(0, color="0.4", lw=0.6)
        ax.set_title(f"{ticker}: σ = {sigma * 100:.2f} % per day", fontsize="medium", y=1.0)
        ax.set_ylabel("Abnormal return (%)")
        percent_axis(ax)
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
    fig, axes = panels(axes, len(tickers), "volume_bars", bottom=0.8, hspace=0.5)
    for ax, ticker in zip(axes, tickers, strict=False):
        part = v[v["ticker"] == ticker].sort_values("day")
        values = part["abnormal"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            sd = np.abs(values / part["sav"].to_numpy(dtype=float))
        days = part["day"].to_numpy()
        outside = np.abs(values) > Z95 * sd
        bars(ax, days.astype(float), values, np.where(outside, "#8250df", "#c8b3f0"))
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


# -- prices ---------------------------------------------------------------------
def price_path(res: Results, event: str, ax: Axes | None = None) -> Figure:
    """Adjusted prices normalised to 100 at day -1, benchmarks dashed.

    A hollow marker shows each security's day 0; the vertical line is the
    announcement in the first security's local time.
    """
    import matplotlib.dates as mdates

    fig, ax = new_axes(ax, (8.5, 4.6), left=0.08, right=0.73, top=0.88, bottom=0.14)
    ar = event_ar(res, event)
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
