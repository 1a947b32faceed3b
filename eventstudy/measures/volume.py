"""Abnormal trading volume: log volume against a mean or a market model.

Log volume ``v_t = log(1 + V_t)`` (V in shares) is close to normal where raw
volume is strongly skewed (Ajinkya & Jain 1989); the ``1 +`` keeps a day
without trades defined (``log(1 + 0) = 0``). Expected log volume, fitted on
the estimation window by OLS, for all pairs at once:

- ``market``: ``v_t = a + b v_mt + e_t``, ``v_mt`` the benchmark's log
  volume, through the batch engine's closed form
  (:func:`eventstudy.engine.ols.solve_stacked`): prediction-error variance
  ``σ²(1 + 1/T + (v_m* - v̄_m)²/S_mm)`` by day and the MacKinlay variance of
  cumulated values, Student t with ``T - 2`` df (Campbell & Wasley 1996).
- ``mean``: ``v_t = μ + e_t``; ``σ² = Σ(v - v̄)²/(T - 1)``, prediction
  variance ``σ²(1 + 1/T)`` by day, ``σ²(L + L²/T)`` for L days, Student t
  with ``T - 1`` df.

Abnormal log volume ``AV_t = v_t - E[v_t]``, its standardized value
``SAV_t = AV_t / sd``, ``CAV`` summed over each event window with its t
test, and (across pairs) :func:`volume_tests`: the t test on the
standardized CAVs and the Corrado rank test on the standardized values.

Data rules (see ``docs/methodology.md``):

- **A benchmark without volume** (no array, or empty or zero volume on a
  window day: indices such as TOPIX have none, and Yahoo's ^GSPC has a zero
  on 2023-05-24) cannot be a regressor: that pair takes the mean model and
  its ``note`` says why, also when ``model="market"`` was asked for.
- **Zero-volume days** of the security are kept (``v = 0``) and counted
  (``zero_days``, ``zero``); on a liquid stock such a day is a data problem
  worth a look, on an illiquid one a real day without trades.
- **Splits**: volumes must be on one share basis. Yahoo's are split-adjusted
  (9984.T is on the post-2026 4:1 basis throughout); for a raw series use
  :func:`split_adjust_volume`. A missing volume (empty cell) in a window
  makes the pair ``ok = False``.

References
----------
Ajinkya, B. B. & Jain, P. C. (1989). The behavior of daily stock market
trading volume. Journal of Accounting and Economics 11(4), 331-359.
Campbell, C. J. & Wasley, C. E. (1996). Measuring abnormal daily trading
volume for samples of NYSE/ASE and NASDAQ securities using parametric and
nonparametric test statistics. Review of Quantitative Finance and
Accounting 6(3), 309-326.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from eventstudy.engine.stacks import as_stacked, batch_fit, columns
from eventstudy.inference.cross_section import bmp_t, corrado_rank
from eventstudy.inference.result import TestResult
from eventstudy.spec.types import DEFAULT_AR_WINDOW, DEFAULT_ESTIMATION_WINDOW, DEFAULT_EVENT_WINDOWS

MODELS = ("market", "mean")
NO_BENCHMARK_VOLUME = "benchmark has no volume (empty or zero): mean model"
BENCHMARK_GAPS = "benchmark volume zero or missing on a window day: mean model"
ZERO_DAYS = "zero-volume day(s) in the windows (log(1 + 0) = 0)"
MISSING = "volume missing (empty cell) in the windows"


def log_volume(volume: ArrayLike) -> np.ndarray:
    """``log(1 + V)``; NaN stays NaN.

    Raises
    ------
    ValueError
        On a negative volume.
    """
    v = np.asarray(volume, dtype=np.float64)
    if (v < 0).any():
        raise ValueError("volume must not be negative")
    # log(1 + V), not np.log1p: numpy's log1p takes another code path on CPUs with AVX-512 and differs in the
    # last bit there, so a report would change with the machine; 1 + V is exact for share counts below 2**53
    return np.log(1.0 + v)


def split_adjust_volume(volume: pd.Series, splits: Mapping[str | pd.Timestamp, float]) -> pd.Series:
    """Volume on the latest share basis: days before each split times its ratio.

    ``splits`` maps the first day on the new basis to the ratio (new shares
    per old share: 4 for a 4:1 split). Only for a raw series; Yahoo's
    volumes are already adjusted.
    """
    out = volume.astype(float).copy()
    for day, ratio in splits.items():
        if not ratio > 0:
            raise ValueError(f"split ratio on {day} must be positive, got {ratio!r}")
        out[out.index < pd.Timestamp(day)] *= ratio
    return out


@dataclass(frozen=True)
class AbnormalVolume:
    """Abnormal log volume for P pairs: arrays over pairs (first axis), days, windows.

    ``model`` is the model each pair took (``"market"`` or ``"mean"``),
    ``note`` why it fell back to the mean model or what is odd in its data
    (empty when nothing); ``ok`` is False where a volume is missing or the
    fit is degenerate (constant volume). ``residuals`` are the
    estimation-window abnormal log volumes, (P, T).
    """

    model: np.ndarray  # (P,) str
    note: np.ndarray  # (P,) str
    ok: np.ndarray  # (P,) bool
    alpha: np.ndarray  # (P,) a or μ
    beta: np.ndarray  # (P,) b (NaN for the mean model)
    sigma: np.ndarray  # (P,)
    df: np.ndarray  # (P,) T - 2 or T - 1
    nobs: int
    days: np.ndarray  # (L,)
    log_volume: np.ndarray  # (P, L)
    expected: np.ndarray  # (P, L)
    abnormal: np.ndarray  # (P, L)
    sav: np.ndarray  # (P, L) standardized by the prediction-error sd
    windows: tuple[tuple[int, int], ...]
    cav: np.ndarray  # (P, W)
    se: np.ndarray  # (P, W)
    t: np.ndarray  # (P, W)
    p: np.ndarray  # (P, W)
    residuals: np.ndarray  # (P, T)
    zero_days: np.ndarray  # (P,) zero-volume days of the security in the estimation and abnormal windows
    zero: np.ndarray  # (P, L) bool, zero volume on that event day


def abnormal_volume(
    volume: ArrayLike,
    market_volume: ArrayLike | None = None,
    *,
    start: int,
    estimation_window: tuple[int, int] = DEFAULT_ESTIMATION_WINDOW,
    ar_window: tuple[int, int] = DEFAULT_AR_WINDOW,
    event_windows: tuple[tuple[int, int], ...] = DEFAULT_EVENT_WINDOWS,
    model: str = "market",
) -> AbnormalVolume:
    """Abnormal log volume of every pair (see the module doc).

    Parameters
    ----------
    volume
        (P, S) shares traded, consecutive sessions; column ``j`` is event day ``start + j``.
    market_volume
        (P, S) the benchmark's volume on the same sessions, NaN where it has
        no row (never carried forward), or None (no benchmark volume).
    start
        Event day of column 0.
    model
        ``"market"`` (default; pairs whose benchmark has no usable volume take
        the mean model, with a note) or ``"mean"``.

    Raises
    ------
    ValueError
        Unknown model, a negative volume, inconsistent shapes, or windows
        outside the stacked days.
    """
    if model not in MODELS:
        raise ValueError(f"unknown volume model {model!r}; choose one of {', '.join(MODELS)}")
    y = log_volume(as_stacked(volume, "volume"))
    n_pairs, span = y.shape
    est, ev = columns(start, span, estimation_window, "estimation window"), columns(start, span, ar_window, "ar_window")
    windows = tuple((int(a), int(b)) for a, b in event_windows)

    notes = np.full(n_pairs, "", dtype=object)
    use_market = np.zeros(n_pairs, dtype=bool)
    if model == "market":
        if market_volume is None:
            notes[:] = NO_BENCHMARK_VOLUME
        else:
            mv = as_stacked(market_volume, "market_volume", y.shape)
            good = np.isfinite(mv) & (mv > 0)
            use_market = good[:, est].all(axis=1) & good[:, ev].all(axis=1)
            some = good[:, est].any(axis=1) | good[:, ev].any(axis=1)
            notes[~some] = NO_BENCHMARK_VOLUME
            notes[some & ~use_market] = BENCHMARK_GAPS
    if use_market.any():
        fit = batch_fit(y, log_volume(np.where(use_market[:, None], mv, 1.0)), start, estimation_window, ar_window,
                        windows)  # fmt: skip
        out = {
            "alpha": fit.fit.param("alpha"), "beta": fit.fit.param("beta"), "sigma": fit.fit.sigma,
            "df": np.full(n_pairs, fit.fit.df), "expected": fit.expected, "abnormal": fit.abnormal, "sav": fit.sar,
            "cav": fit.car, "se": fit.se, "t": fit.t, "p": fit.p, "residuals": fit.fit.residuals,
            "fit_ok": fit.fit.problem == "",
        }  # fmt: skip
    else:
        out = {}
    if not use_market.all():  # the mean model for the other pairs, written into their rows
        rows = np.flatnonzero(~use_market)
        mean = _mean_model(y[rows], start, estimation_window, ar_window, windows)
        for key, value in mean.items():
            if key not in out:
                out[key] = np.empty((n_pairs, *value.shape[1:]), dtype=value.dtype)
            out[key][rows] = value

    zero_days = (y[:, est] == 0).sum(axis=1) + (y[:, ev] == 0).sum(axis=1)
    missing = np.isnan(y[:, est]).any(axis=1) | np.isnan(y[:, ev]).any(axis=1)
    notes[zero_days > 0] = _join(notes[zero_days > 0], ZERO_DAYS)
    notes[missing] = _join(notes[missing], MISSING)
    return AbnormalVolume(
        model=np.where(use_market, "market", "mean"), note=notes.astype(str), ok=out["fit_ok"] & ~missing,
        alpha=out["alpha"], beta=out["beta"], sigma=out["sigma"], df=out["df"], nobs=est.stop - est.start,
        days=np.arange(ar_window[0], ar_window[1] + 1), log_volume=y[:, ev], expected=out["expected"],
        abnormal=out["abnormal"], sav=out["sav"], windows=windows, cav=out["cav"], se=out["se"], t=out["t"],
        p=out["p"], residuals=out["residuals"], zero_days=zero_days, zero=y[:, ev] == 0,
    )  # fmt: skip


def _join(notes: np.ndarray, text: str) -> np.ndarray:
    return np.where(notes == "", text, notes + ("; " + text))


def _mean_model(
    y: np.ndarray,
    start: int,
    estimation_window: tuple[int, int],
    ar_window: tuple[int, int],
    windows: tuple[tuple[int, int], ...],
) -> dict[str, np.ndarray]:
    """The constant-mean model for every pair, by the engine's solver (read from its disk cache when there)."""
    from eventstudy.engine import ols

    solved = ols.solve_stacked(
        y, np.zeros((*y.shape, 0)), ols.Design("constant_mean", ("alpha",)), start=start,
        estimation_window=estimation_window, ar_window=ar_window, event_windows=windows, cached=True,
    )  # fmt: skip
    f = solved.fit
    return {
        "alpha": f.param("alpha"), "beta": np.full(len(y), np.nan), "sigma": f.sigma, "df": np.full(len(y), f.df),
        "expected": solved.expected, "abnormal": solved.abnormal, "sav": solved.sar, "cav": solved.car,
        "se": solved.se, "t": solved.t, "p": solved.p, "residuals": f.residuals, "fit_ok": f.problem == "",
    }  # fmt: skip


def volume_tests(av: AbnormalVolume, window: tuple[int, int], pairs: ArrayLike | None = None) -> list[TestResult]:
    """Across pairs (one event's securities): t test and rank test on the standardized values.

    - ``abnormal volume t``: ``mean(SCAV) / (sd(SCAV)/√N)``, ``SCAV = CAV / se``,
      Student t with ``N - 1`` df (:func:`eventstudy.inference.cross_section.bmp_t`).
    - ``abnormal volume rank``: Corrado's (1989) rank test (Campbell &
      Wasley's sum over a window of several days) on the standardized
      estimation residuals and SAVs (:func:`eventstudy.inference.cross_section.corrado_rank`).

    ``pairs`` selects rows (default every ``ok`` pair); pairs not ``ok`` are left out.
    """
    w = av.windows.index((int(window[0]), int(window[1])))
    sel = av.ok.copy() if pairs is None else np.isin(np.arange(len(av.ok)), np.asarray(pairs)) & av.ok
    days = np.flatnonzero((av.days >= window[0]) & (av.days <= window[1]))
    t = bmp_t(av.cav[sel, w], av.se[sel, w])
    rank = corrado_rank(av.residuals[sel] / av.sigma[sel, None], av.sav[sel], days=days)
    return [
        dataclasses.replace(t, name="abnormal volume t", null="mean standardized CAV = 0"),
        dataclasses.replace(rank, name=rank.name.replace("Corrado rank", "abnormal volume rank")),
    ]
