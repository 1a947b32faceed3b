"""Running the tests of the simulation: every row fitted at once, each test's p-values recorded, rejection rates."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy.engine import ols
from eventstudy.engine.ols import Fit
from eventstudy.inference import single_firm as sf
from eventstudy.inference import wild
from eventstudy.inference.result import TestResult, car_t_test
from eventstudy.inference.table import cross_sectional_columns
from eventstudy.inference.validation.design import SINGLE_DESIGN, TABLE_COLUMNS
from eventstudy.inference.validation.diagnostics import day0_t
from eventstudy.inference.validation.returns import ReturnSeries, gather

Progress = Callable[[str], None]


def simulate(
    rows_fit: RowsFit,
    n_single: int,
    members: dict[str, list[np.ndarray]],
    *,
    effects: Sequence[float],
    n_boot: int,
    boot_seed: int,
    wild_seeds: dict[str, np.ndarray],
    width: int,
    say: Progress,
) -> Recorder:
    """Every test on the fitted rows with each effect added on day 0.

    Rows ``0 .. n_single - 1`` get the single-security tests; ``members[design]``
    lists the rows of each group.
    """
    cols = {w: rows_fit.columns(w) for w in rows_fit.windows}
    sds = {w: rows_fit.se[:, k] for k, w in enumerate(rows_fit.windows)}
    rec = Recorder(len(effects), max(width, n_single))
    for e, effect in enumerate(effects):
        run = EffectRun(e, rows_fit.fit, rows_fit.ar_with(effect), sds, cols, n_boot)
        if n_single:
            single_tests(rec, run, np.arange(n_single), boot_seed)
        for d, groups in members.items():
            for g, m in enumerate(groups):
                _group_window_tests(rec, run, d, g, m, int(wild_seeds[d][g]))
        say(f"effect {effect:.0%} done")
    return rec


@dataclass(frozen=True)
class RowsFit:
    """The market model of every row (security, day 0), fitted at once, and its AR window.

    ``ev_y``, ``ev_x``: the AR window's returns and benchmark (rows, days); ``expected`` the
    model's returns there; ``se`` the CAR prediction-error SD of each of ``windows`` (rows, windows).
    """

    windows: tuple[tuple[int, int], ...]
    fit: Fit
    ev_y: np.ndarray
    ev_x: np.ndarray
    expected: np.ndarray
    se: np.ndarray
    ar_days: np.ndarray
    day0: int

    def columns(self, window: tuple[int, int]) -> np.ndarray:
        """The AR-window columns of ``window``."""
        return np.flatnonzero((self.ar_days >= window[0]) & (self.ar_days <= window[1]))

    def ar_with(self, effect: float) -> np.ndarray:
        """Abnormal returns with ``effect`` added to every row's day-0 return before the AR is computed."""
        y = self.ev_y.copy()
        y[:, self.day0] += effect
        return y - self.expected

    def day0_z(self) -> np.ndarray:
        """Each row's day-0 AR standardized (:func:`~eventstudy.inference.validation.diagnostics.day0_t`)."""
        return day0_t(self.fit, self.ev_y, self.ev_x, self.day0)


def fit_rows(
    rows: list[tuple[ReturnSeries, int]],
    estimation_window: tuple[int, int],
    ar_window: tuple[int, int],
    windows: Sequence[tuple[int, int]],
) -> RowsFit:
    """Fit the market model of every row (security, day 0) at once by the engine's solver, as a study runs it."""
    ar_days = np.arange(ar_window[0], ar_window[1] + 1)
    est_y, est_x = gather(rows, np.arange(estimation_window[0], estimation_window[1] + 1))
    ev_y, ev_x = gather(rows, ar_days)
    fit = ols.fit(est_y, est_x, ols.market_design())
    expected, _, _, _, se, _, _ = ols.abnormal(fit, ev_y, ev_x, ar_days, tuple(windows))
    day0 = int(np.flatnonzero(ar_days == 0)[0])
    return RowsFit(tuple(windows), fit, ev_y, ev_x, expected, se, ar_days, day0)


def window_label(name: str, window: tuple[int, int]) -> str:
    """A test's label in the tables: its name, with the window unless it is day 0 alone."""
    return name if window == (0, 0) else f"{name} [{window[0]},{window[1]}]"


class Recorder:
    """p-values per (design, test label): an ``(n_effects, trials)`` array each (NaN until set)."""

    def __init__(self, n_effects: int, trials: int) -> None:
        self.shape = (n_effects, trials)
        self.pvalues: dict[tuple[str, str], np.ndarray] = {}

    def _array(self, design: str, name: str, window: tuple[int, int]) -> np.ndarray:
        label = window_label(name, window)
        if (design, label) not in self.pvalues:
            self.pvalues[design, label] = np.full(self.shape, np.nan)
        return self.pvalues[design, label]

    def add(self, design: str, result: TestResult, window: tuple[int, int], effect: int, trial: int) -> None:
        """Record one test's p-value of one trial."""
        self._array(design, result.name, window)[effect, trial] = result.pvalue

    def add_many(self, design: str, name: str, pvalues: np.ndarray, window: tuple[int, int], effect: int) -> None:
        """Record the p-values of trials ``0..len(pvalues)-1``."""
        self._array(design, name, window)[effect, : len(pvalues)] = pvalues


@dataclass(frozen=True)
class EffectRun:
    """What every test reads with one effect added: its index, the fits, the AR window's abnormal returns.

    ``sds[w]`` and ``cols[w]``: each window's CAR prediction-error SDs and columns of ``ar``.
    """

    effect: int
    fit: Fit
    ar: np.ndarray
    sds: dict[tuple[int, int], np.ndarray]
    cols: dict[tuple[int, int], np.ndarray]
    n_boot: int


def single_tests(rec: Recorder, run: EffectRun, rows: np.ndarray, seed: int) -> None:
    """CAR t, SQ and bootstrap of every single-security row (the functions ``significance_table`` calls)."""
    resid = run.fit.residuals[rows]
    for w, c in run.cols.items():
        window_ar = run.ar[rows][:, c]
        var = run.sds[w][rows] ** 2
        car_p = [car_t_test(float(window_ar[i].sum()), float(var[i]), run.fit.df).pvalue for i in range(len(rows))]
        rec.add_many(SINGLE_DESIGN, "CAR t", np.array(car_p), w, run.effect)
        for res in (
            sf.sample_quantile_tests(window_ar, resid),
            sf.bootstrap_tests(window_ar, resid, n_boot=run.n_boot, seed=seed),
        ):
            rec.add_many(SINGLE_DESIGN, str(res.name[0]), res.pvalue, w, run.effect)


def group_tests(
    car: np.ndarray, sd: np.ndarray, resid: np.ndarray, ar: np.ndarray, cols: np.ndarray, df_resid: int,
    *, n_boot: int, seed: int,
) -> tuple[TestResult, ...]:  # fmt: skip
    """Every cross-sectional test of one group and window: the study's twelve, and the wild bootstrap over securities.

    The twelve are the tests table's (:func:`eventstudy.inference.table.cross_sectional_columns`,
    one block); the wild bootstrap over securities (:func:`eventstudy.inference.wild.wild_bootstrap_t`)
    is measured here only, before the one over estimation dates. ``car``, ``sd`` (N,): CARs and their
    prediction-error SDs; ``resid`` (N, T) estimation residuals; ``ar`` (N, L) the whole AR window (the
    Corrado test ranks all of it); ``cols`` the window's columns of ``ar``.
    """
    n = len(car)
    study = cross_sectional_columns(car[None, :], sd[None, :], resid, ar, np.full(n, float(df_resid)),
                                    np.arange(n)[None, :], [list(cols)], seed, n_boot)  # fmt: skip
    tests = [column[0] for column in study]
    wild_at = next(i for i, c in enumerate(study) if c.name[0] == wild.WILD_DATES)
    return (*tests[:wild_at], wild.wild_bootstrap_t(car, n_boot=n_boot, rng=seed), *tests[wild_at:])


def _group_window_tests(rec: Recorder, run: EffectRun, design: str, g: int, members: np.ndarray, seed: int) -> None:
    resid, group_ar = run.fit.residuals[members], run.ar[members]
    for w, c in run.cols.items():
        cars = group_ar[:, c].sum(axis=1)
        tests = group_tests(cars, run.sds[w][members], resid, group_ar, c, run.fit.df, n_boot=run.n_boot, seed=seed)
        for result in tests:
            rec.add(design, result, w, run.effect, g)


def rejection_rates(
    pvalues: dict[tuple[str, str], np.ndarray], effects: tuple[float, ...], alphas: tuple[float, ...]
) -> pd.DataFrame:
    """The table of :data:`TABLE_COLUMNS`: per test, design, effect and level, the share of p <= α."""
    rows = []
    for (design, test), p in pvalues.items():
        for e, effect in enumerate(effects):
            valid = p[e][np.isfinite(p[e])]
            for alpha in alphas:
                rate = float(np.mean(valid <= alpha)) if len(valid) else math.nan
                rows.append((test, design, float(effect), float(alpha), round(rate, 6), len(valid)))
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)
