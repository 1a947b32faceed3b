"""The measures of a study run: volume, volatility and BHAR tables, on the engine's panels.

No second planner: every measure reads the pairs, day 0s and session grids
the engine built (:class:`eventstudy.engine.abnormal_returns.EngineTables`: its plan and
its per-exchange panels) and the study's windows. Returns and benchmark
returns are the panels' rows (the benchmark carried forward as for the
abnormal returns); volumes are the price frames' ``Volume`` read on the same
grid by exact date (never carried: a benchmark without a row that day has
no volume that day).

Pairs: those the engine fitted, in the ``fits`` table's order, without the
indices measured on themselves (they have no abnormal part).

Tables (decimals; ``model`` is the volume model a row uses):

- ``volume``: event, ticker, model, day, session, volume, log_volume,
  expected, abnormal, sav
- ``volume_windows``: event, ticker, model, start, end, cav, se, t, p, df,
  note (why a pair took the mean model, zero-volume days, missing volume)
- ``volatility``: event, ticker, day, session, abnormal, u, u_star, p
- ``volatility_windows``: event, ticker, start, end, variance_ratio, f, df1, df2, p
- ``bhar``: event, ticker, start, end, return, benchmark_return, bhar
- ``measure_tests``: measure, event ("" = every pair of the study), model,
  start, end, test, statistic, p, n, df, note
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from eventstudy.engine.stacks import Stacks
from eventstudy.inference.result import TestResult

if TYPE_CHECKING:
    from eventstudy.measures.bhar import BuyAndHold
    from eventstudy.measures.volatility import AbnormalVolatility
    from eventstudy.measures.volume import AbnormalVolume
    from eventstudy.spec import StudySpec

VOLUME_COLUMNS = ["event", "ticker", "model", "day", "session", "volume", "log_volume", "expected", "abnormal", "sav"]
VOLUME_WINDOW_COLUMNS = ["event", "ticker", "model", "start", "end", "cav", "se", "t", "p", "df", "note"]
VOLATILITY_COLUMNS = ["event", "ticker", "day", "session", "abnormal", "u", "u_star", "p"]
VOLATILITY_WINDOW_COLUMNS = ["event", "ticker", "start", "end", "variance_ratio", "f", "df1", "df2", "p"]
BHAR_COLUMNS = ["event", "ticker", "start", "end", "return", "benchmark_return", "bhar"]
MEASURE_TEST_COLUMNS = ["measure", "event", "model", "start", "end", "test", "statistic", "p", "n", "df", "note"]
VOLUME_MODELS = ("market", "mean")  # both are reported: the market model, and the mean model as a check


def _long(keys: pd.DataFrame, each: int) -> dict[str, np.ndarray]:
    return {
        "event": np.repeat(keys["event"].to_numpy(dtype=object), each),
        "ticker": np.repeat(keys["ticker"].to_numpy(dtype=object), each),
    }


def _window_keys(keys: pd.DataFrame, windows: tuple[tuple[int, int], ...]) -> dict[str, np.ndarray]:
    starts, ends = np.array(windows, dtype=np.int64).reshape(-1, 2).T
    return {**_long(keys, len(windows)), "start": np.tile(starts, len(keys)), "end": np.tile(ends, len(keys))}


# -- volume ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class VolumeMeasure:
    """Abnormal log volume by both models (:func:`eventstudy.measures.volume.abnormal_volume`)."""

    stacks: Stacks
    fits: dict[str, AbnormalVolume]  # "market" (pairs whose benchmark has volume) and "mean" (every pair)
    used: dict[str, np.ndarray]  # model -> (P,) bool: the pair's rows come from this model


def volume_measure(spec: StudySpec, stacks: Stacks) -> VolumeMeasure:
    """Both volume models for every pair; the market model only where the benchmark has volume."""
    from eventstudy.measures.volume import abnormal_volume

    assert stacks.volume is not None and stacks.market_volume is not None
    est, arw = spec.estimation_window, spec.ar_window
    cols = stacks.days(est[0], arw[1])
    fits, used = {}, {}
    for model in VOLUME_MODELS:
        fits[model] = abnormal_volume(
            stacks.volume[:, cols], stacks.market_volume[:, cols] if model == "market" else None, start=est[0],
            estimation_window=est, ar_window=arw, event_windows=spec.event_windows, model=model,
        )  # fmt: skip
        used[model] = fits[model].model == model
    return VolumeMeasure(stacks, fits, used)


def volume_tables(spec: StudySpec, vm: VolumeMeasure) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``volume`` (by day) and ``volume_windows`` tables, market-model rows first for each pair."""
    s = vm.stacks
    days_cols = s.days(*spec.ar_window)
    events, tickers = s.keys["event"].to_numpy(dtype=object), s.keys["ticker"].to_numpy(dtype=object)
    day: dict[str, list[np.ndarray]] = {}
    win: dict[str, list[np.ndarray]] = {}
    for m, model in enumerate(VOLUME_MODELS):
        av, rows = vm.fits[model], np.flatnonzero(vm.used[model])
        # a pair without benchmark volume: the market run's note says why it has the mean model only
        notes = av.note if model == "market" else np.where(vm.used["market"], av.note, vm.fits["market"].note)
        length, w = len(av.days), len(av.windows)
        ok = np.where(av.ok[rows, None], 1.0, np.nan)
        starts, ends = np.array(av.windows, dtype=np.int64).reshape(-1, 2).T
        for out, each, cols in (
            (day, length, {
                "day": np.tile(av.days, len(rows)), "session": s.sessions[rows][:, days_cols].ravel(),
                "volume": s.volume[rows][:, days_cols].ravel(), "log_volume": av.log_volume[rows].ravel(),
                **{k: (getattr(av, k)[rows] * ok).ravel() for k in ("expected", "abnormal", "sav")},
            }),
            (win, w, {
                "start": np.tile(starts, len(rows)), "end": np.tile(ends, len(rows)),
                **{k: (getattr(av, k)[rows] * ok).ravel() for k in ("cav", "se", "t", "p")},
                "df": np.repeat(av.df[rows].astype(np.int64), w), "note": np.repeat(notes[rows].astype(object), w),
            }),
        ):  # fmt: skip
            base = {"_pair": np.repeat(rows, each), "_model": np.full(len(rows) * each, m),
                    "_row": np.tile(np.arange(each), len(rows))}  # fmt: skip
            for k, v in {**base, **cols}.items():
                out.setdefault(k, []).append(v)

    def frame(parts: dict[str, list[np.ndarray]], columns: list[str]) -> pd.DataFrame:
        if not parts:
            return pd.DataFrame(columns=columns)
        flat = {k: np.concatenate(v) for k, v in parts.items()}
        order = np.lexsort((flat.pop("_row"), flat.pop("_model"), flat["_pair"]))  # pair, then market before mean
        pair = flat.pop("_pair")[order]
        model = np.array(VOLUME_MODELS, dtype=object)
        model_of = np.concatenate(parts["_model"])[order]
        data = {"event": events[pair], "ticker": tickers[pair], "model": model[model_of],
                **{k: v[order] for k, v in flat.items()}}  # fmt: skip
        return pd.DataFrame(data)[columns]

    return frame(day, VOLUME_COLUMNS), frame(win, VOLUME_WINDOW_COLUMNS)


# -- volatility -----------------------------------------------------------------------------
def volatility_measure(spec: StudySpec, stacks: Stacks) -> AbnormalVolatility:
    """Beaver's U and the window variance ratios (:func:`eventstudy.measures.volatility.abnormal_volatility`)."""
    from eventstudy.measures.volatility import abnormal_volatility

    est, arw = spec.estimation_window, spec.ar_window
    cols = stacks.days(est[0], arw[1])
    return abnormal_volatility(stacks.returns[:, cols], stacks.market[:, cols], start=est[0], estimation_window=est,
                               ar_window=arw, event_windows=spec.event_windows)  # fmt: skip


def volatility_tables(spec: StudySpec, stacks: Stacks, vol: AbnormalVolatility) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``volatility`` (by day) and ``volatility_windows`` tables."""
    keys, length = stacks.keys, len(vol.days)
    ok = np.where(vol.ok[:, None], 1.0, np.nan)
    day = pd.DataFrame({
        **_long(keys, length), "day": np.tile(vol.days, len(keys)),
        "session": stacks.sessions[:, stacks.days(*spec.ar_window)].ravel(),
        "abnormal": (vol.abnormal * ok).ravel(), "u": (vol.u * ok).ravel(), "u_star": (vol.u_star * ok).ravel(),
        "p": (vol.p_day * ok).ravel(),
    })  # fmt: skip
    lengths = np.array([b - a + 1 for a, b in vol.windows], dtype=np.int64)
    win = pd.DataFrame({
        **_window_keys(keys, vol.windows), "variance_ratio": (vol.variance_ratio * ok).ravel(),
        "f": (vol.f * ok).ravel(), "df1": np.tile(lengths, len(keys)),
        "df2": np.full(len(keys) * len(lengths), vol.df, dtype=np.int64), "p": (vol.p_window * ok).ravel(),
    })  # fmt: skip
    return day[VOLATILITY_COLUMNS], win[VOLATILITY_WINDOW_COLUMNS]


# -- buy-and-hold ---------------------------------------------------------------------------
def bhar_measure(
    spec: StudySpec, stacks: Stacks, frames: dict[str, pd.DataFrame] | None = None, benchmarks: np.ndarray | None = None
) -> BuyAndHold:
    """Buy-and-hold returns of every pair over ``spec.bhar_windows`` (:func:`eventstudy.measures.bhar.buy_and_hold`).

    A window that runs past the prices is NaN: the security's returns are
    NaN there, and (given ``frames`` and each pair's benchmark symbol) a
    benchmark whose last close comes before the window's last session gives
    NaN rather than its carried close.
    """
    from eventstudy.measures.bhar import buy_and_hold

    bh = buy_and_hold(stacks.returns, stacks.market, start=stacks.first, windows=spec.bhar_windows)
    if frames is None or benchmarks is None or not len(stacks.keys):
        return bh
    bench = np.asarray(benchmarks, dtype=object)
    ends = {b: _last_close(frames.get(b)) for b in dict.fromkeys(bench)}
    last_close = np.array([ends[b] for b in bench], dtype="datetime64[ns]")
    for k, (_, b) in enumerate(bh.windows):
        past = stacks.sessions[:, b - stacks.first] > last_close
        bh.benchmark[past, k] = np.nan
        bh.bhar[past, k] = np.nan
    return bh


def _last_close(frame: pd.DataFrame | None) -> np.datetime64:
    """The date of a frame's last close (the earliest date when there is none)."""
    if frame is None or not len(frame):
        return np.datetime64("1677-09-22", "ns")
    cols = [c for c in ("Adj Close", "Close") if c in frame]
    last = frame[cols].dropna(how="all").last_valid_index() if cols else None
    return np.datetime64("1677-09-22", "ns") if last is None else np.datetime64(pd.Timestamp(last).as_unit("ns"))


def bhar_table(stacks: Stacks, bh: BuyAndHold) -> pd.DataFrame:
    """The ``bhar`` table."""
    return pd.DataFrame({
        **_window_keys(stacks.keys, bh.windows), "return": bh.security.ravel(),
        "benchmark_return": bh.benchmark.ravel(), "bhar": bh.bhar.ravel(),
    })[BHAR_COLUMNS]  # fmt: skip


# -- tests across securities ----------------------------------------------------------------
def groups(keys: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
    """Rows tested together: each event with two or more securities, then every pair ("")."""
    out = [(str(e), rows) for e, rows in keys.groupby("event", sort=False).indices.items() if len(rows) >= 2]
    if keys["event"].nunique() > 1 or not out:
        out.append(("", np.arange(len(keys))))
    return out


def _test_rows(measure: str, event: str, model: str, window: tuple[int, int], tests: list[TestResult]) -> list[dict]:
    return [
        {"measure": measure, "event": event, "model": model, "start": window[0], "end": window[1], "test": t.name,
         "statistic": t.stat, "p": t.pvalue, "n": t.nobs, "df": math.nan if t.df is None else t.df, "note": t.note}
        for t in tests
    ]  # fmt: skip


def measure_tests(
    spec: StudySpec,
    keys: pd.DataFrame,
    volume: VolumeMeasure | None,
    volatility: AbnormalVolatility | None,
    bhar: BuyAndHold | None,
) -> pd.DataFrame:
    """Tests across securities for each event (two or more securities) and across every pair (``event`` "")."""
    from eventstudy.measures.bhar import bootstrap_skewness_adjusted_t, skewness_adjusted_t
    from eventstudy.measures.volatility import volatility_tests
    from eventstudy.measures.volume import volume_tests

    rows: list[dict] = []
    for event, sel in groups(keys):
        if volume is not None:
            for model in VOLUME_MODELS:
                pairs = sel[volume.used[model][sel]]
                if len(pairs):
                    for w in spec.event_windows:
                        rows += _test_rows("volume", event, model, w, volume_tests(volume.fits[model], w, pairs))
        if volatility is not None:
            for w in spec.event_windows:
                rows += _test_rows("volatility", event, "", w, [volatility_tests(volatility, w, sel)])
        if bhar is not None:
            for k, w in enumerate(bhar.windows):
                x = bhar.bhar[sel, k]
                x = x[np.isfinite(x)]  # windows past the prices have no BHAR
                rows += _test_rows("bhar", event, "", w, [skewness_adjusted_t(x), bootstrap_skewness_adjusted_t(x)])
    out = pd.DataFrame(rows, columns=MEASURE_TEST_COLUMNS)
    return out.astype({"start": np.int64, "end": np.int64, "n": np.int64, "statistic": float, "p": float, "df": float})
