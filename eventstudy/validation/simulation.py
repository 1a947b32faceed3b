"""The placebo simulation: draw pseudo-events, fit, run every test, count rejections.

Only the market-model fits are vectorized (:func:`fit_market_batch`, the
closed-form OLS solution on stacked windows, the same numbers as
:class:`~eventstudy.models.MarketModel`); the tests are the package's own
functions, called as :func:`eventstudy.significance.significance_table`
calls them, so the simulation validates the code a study runs. Every draw
comes from one seeded :class:`numpy.random.Generator`: the same seed gives
the same table.

References
----------
Brown, S. J. & Warner, J. B. (1985). Using daily stock returns: the case of
event studies. Journal of Financial Economics 14(1), 3-31.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from eventstudy import cross_section as cs
from eventstudy import single_firm as sf
from eventstudy.errors import EventStudyError
from eventstudy.inference import TestResult, car_t_test
from eventstudy.models import FittedModel


class ValidationInputError(EventStudyError, ValueError):
    """Bad options or data for the validation (the CLI exits with code 2)."""


class Listing(NamedTuple):
    """A security, its benchmark and the exchange whose sessions it trades on."""

    ticker: str
    benchmark: str
    exchange: str


US_STOCKS = ("ORCL", "NVDA", "ARM", "MSFT", "AVGO", "AMD", "SMCI", "VRT", "CEG")
GROUP: tuple[Listing, ...] = tuple(Listing(t, "^GSPC", "XNYS") for t in US_STOCKS)  # XNAS has the same sessions
SINGLE: tuple[Listing, ...] = (*GROUP, Listing("9984.T", "^N225", "XTKS"))
ESTIMATION_WINDOW = (-250, -11)
AR_WINDOW = (-10, 10)  # the Corrado test ranks these days, as in a study
WINDOWS: tuple[tuple[int, int], ...] = ((0, 0),)
EFFECTS = (0.0, 0.01, 0.02, 0.05)
ALPHAS = (0.01, 0.05, 0.10)
GROUP_SIZE = (4, 8)
BOOTSTRAP_DRAWS = 999
DEFAULT_TRIALS = 1000
DEFAULT_SEED = 1985
SIZE_BAND = (0.04, 0.06)  # acceptable null rejection rate at the 5 % level
TABLE_COLUMNS = ["test", "effect", "alpha", "rejection_rate", "n"]


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class ReturnSeries:
    """Simple returns of a security and its benchmark on its exchange's sessions.

    ``ret[i]`` and ``bench[i]`` are the returns from session ``i - 1`` to
    ``i``; NaN where a price is missing (outside the file or a gap). The
    benchmark's last close is carried onto sessions it did not trade, as
    :func:`eventstudy.returns.aligned_returns` does.
    """

    listing: Listing
    sessions: pd.DatetimeIndex
    ret: np.ndarray
    bench: np.ndarray

    def valid_days(self, lo: int, hi: int) -> np.ndarray:
        """Positions ``t`` (day 0) whose days ``lo..hi`` all have both returns."""
        bad = ~(np.isfinite(self.ret) & np.isfinite(self.bench))
        cum = np.concatenate([[0], np.cumsum(bad)])
        t = np.arange(max(-lo, 0), len(bad) - hi)
        return t[cum[t + hi + 1] - cum[t + lo] == 0]


def load_returns(prices: str | Path, listings: Sequence[Listing]) -> dict[Listing, ReturnSeries]:
    """Read ``prices/<symbol>.csv`` and align each listing on its exchange's sessions.

    Raises
    ------
    DataError
        Missing directory or file, unreadable prices.
    """
    from eventstudy.calendars import get_calendar
    from eventstudy.data import CsvDirectorySource, price_series
    from eventstudy.returns import simple_returns

    source = CsvDirectorySource(prices)
    cache: dict[str, pd.Series] = {}

    def level(symbol: str) -> pd.Series:
        if symbol not in cache:
            frame = source.prices(symbol, pd.Timestamp("1900-01-01"), pd.Timestamp("2200-01-01"))
            cache[symbol] = price_series(frame).dropna()
        return cache[symbol]

    out: dict[Listing, ReturnSeries] = {}
    for exchange in dict.fromkeys(x.exchange for x in listings):
        members = [x for x in listings if x.exchange == exchange]
        symbols = {s for x in members for s in (x.ticker, x.benchmark)}
        first = min(level(s).index[0] for s in symbols)
        last = max(level(s).index[-1] for s in symbols)
        sessions = get_calendar(exchange).sessions_in_range(first, last)
        for x in members:
            sec = level(x.ticker).reindex(sessions)  # gaps stay NaN
            bench_px = level(x.benchmark)
            bench = bench_px.reindex(bench_px.index.union(sessions)).ffill().reindex(sessions)
            bench[(sessions < bench_px.index[0]) | (sessions > bench_px.index[-1])] = np.nan
            ret = simple_returns(sec).to_numpy(dtype=float)
            out[x] = ReturnSeries(x, sessions, ret, simple_returns(bench).to_numpy(dtype=float))
    return out


# --------------------------------------------------------------------------- fits


@dataclass(frozen=True)
class BatchFit:
    """Market-model OLS fits of many estimation windows at once (rows)."""

    alpha: np.ndarray
    beta: np.ndarray
    sigma: np.ndarray
    r2: np.ndarray
    xtx_inv: np.ndarray  # (n, 2, 2)
    residuals: np.ndarray  # (n, T)

    @property
    def df_resid(self) -> int:
        """``T - 2``."""
        return self.residuals.shape[1] - 2

    def fitted(self, i: int) -> FittedModel:
        """Row ``i`` as the :class:`~eventstudy.models.FittedModel` a study would hold."""
        return FittedModel(
            name="market",
            params=pd.Series([self.alpha[i], self.beta[i]], index=["alpha", "beta"], name="params"),
            sigma=float(self.sigma[i]),
            r2=float(self.r2[i]),
            nobs=self.residuals.shape[1],
            df_resid=self.df_resid,
            xtx_inv=self.xtx_inv[i],
            residuals=pd.Series(self.residuals[i], name="residual"),
        )


def fit_market_batch(returns: np.ndarray, benchmark: np.ndarray) -> BatchFit:
    """OLS of ``R = α + β Rm + ε`` on every row of ``(n, T)`` arrays.

    Closed form of the least-squares solution on stacked windows (centred,
    for accuracy); σ with ``T - 2`` degrees of freedom and ``(X'X)⁻¹`` as in
    :class:`~eventstudy.models.MarketModel` (MacKinlay 1997, section 4).
    """
    y, x = np.asarray(returns, dtype=float), np.asarray(benchmark, dtype=float)
    t = y.shape[1]
    xm, ym = x.mean(axis=1), y.mean(axis=1)
    dx, dy = x - xm[:, None], y - ym[:, None]
    sxx = np.einsum("ij,ij->i", dx, dx)
    beta = np.einsum("ij,ij->i", dx, dy) / sxx
    alpha = ym - beta * xm
    resid = y - alpha[:, None] - beta[:, None] * x
    ssr = np.einsum("ij,ij->i", resid, resid)
    sigma = np.sqrt(ssr / (t - 2))
    r2 = 1.0 - ssr / np.einsum("ij,ij->i", dy, dy)
    # (X'X)^-1 for X = [1, x]: [[Σx², -Σx], [-Σx, T]] / (T · Sxx)
    sum_x, sum_x2 = x.sum(axis=1), np.einsum("ij,ij->i", x, x)
    inv = np.stack([np.stack([sum_x2, -sum_x], -1), np.stack([-sum_x, np.full(len(x), float(t))], -1)], 1)
    return BatchFit(alpha, beta, sigma, r2, inv / (t * sxx)[:, None, None], resid)


# --------------------------------------------------------------------------- simulation


@dataclass
class ValidationResult:
    """Rejection rates of a placebo simulation and what produced them.

    ``table`` has :data:`TABLE_COLUMNS`; ``pvalues`` maps each test label
    to an ``(n_effects, trials)`` array of p-values (NaN: not computable);
    ``diagnostics`` holds data properties used to explain mis-sized tests.
    """

    table: pd.DataFrame
    pvalues: dict[str, np.ndarray]
    diagnostics: dict[str, float]
    trials: int
    seed: int
    effects: tuple[float, ...]
    alphas: tuple[float, ...]
    windows: tuple[tuple[int, int], ...]
    timings: dict[str, float] = field(default_factory=dict)

    def rate(self, test: str, effect: float, alpha: float) -> float:
        """One rejection rate from ``table``."""
        t = self.table
        row = t[(t["test"] == test) & np.isclose(t["effect"], effect) & np.isclose(t["alpha"], alpha)]
        return float(row["rejection_rate"].iloc[0])

    def to_csv(self, path: str | Path) -> None:
        """Write ``table`` as CSV (``test,effect,alpha,rejection_rate,n``)."""
        from eventstudy.files import write_csv

        write_csv(self.table, path, float_format=None)

    def mis_sized(self, alpha: float = 0.05, band: tuple[float, float] = SIZE_BAND) -> pd.DataFrame:
        """Tests whose null rejection rate at ``alpha`` lies outside ``band``, with the reason.

        See :func:`eventstudy.validation.report.mis_sized`.
        """
        from eventstudy.validation.report import mis_sized

        return mis_sized(self, alpha, band)


Progress = Callable[[str], None]


def run_validation(
    prices: str | Path,
    *,
    trials: int = DEFAULT_TRIALS,
    seed: int = DEFAULT_SEED,
    effects: Sequence[float] = EFFECTS,
    alphas: Sequence[float] = ALPHAS,
    windows: Sequence[tuple[int, int]] = WINDOWS,
    single: Sequence[Listing] = SINGLE,
    group: Sequence[Listing] = GROUP,
    group_size: tuple[int, int] = GROUP_SIZE,
    n_boot: int = BOOTSTRAP_DRAWS,
    progress: Progress | None = None,
) -> ValidationResult:
    """Placebo simulation on the real prices in ``prices`` (Brown & Warner 1985).

    Parameters
    ----------
    prices
        Directory of price CSV files (``../shared/data/prices``).
    trials
        Number of single-security pseudo-events, and of cross-sectional
        groups.
    seed
        Seed of every random draw (dates, securities, bootstrap).
    effects
        Abnormal returns added to every security's day-0 return; 0 is the null.
    alphas
        Test levels.
    windows
        Event windows ``(start, end)`` inside ``AR_WINDOW`` (day 0 inside).
        Test labels are the :class:`~eventstudy.inference.TestResult`
        names, followed by ``" [start,end]"`` for windows other than [0, 0].
    single, group
        Securities drawn for single-security trials and for groups; the group
        securities must share one exchange.
    group_size
        Smallest and largest number of securities in a group.
    n_boot
        Bootstrap resamples per test.
    progress
        Called with short progress messages.

    Returns
    -------
    ValidationResult

    Raises
    ------
    ValidationInputError
        ``trials < 1``, bad windows or sizes, or no date with enough data.
    DataError
        The price directory or a file is missing or unreadable.

    References
    ----------
    Brown, S. J. & Warner, J. B. (1985). Using daily stock returns: the case
    of event studies. Journal of Financial Economics 14(1), 3-31.
    """
    say = progress or (lambda _msg: None)
    windows = tuple((int(a), int(b)) for a, b in windows)
    _check_options(trials, single, windows, group, group_size, n_boot)
    clock = time.perf_counter()
    timings: dict[str, float] = {}
    say(f"reading prices from {prices}")
    series = load_returns(prices, list(dict.fromkeys([*single, *group])))
    timings["load"] = time.perf_counter() - clock

    lo, hi = ESTIMATION_WINDOW[0], AR_WINDOW[1]
    rng = np.random.default_rng(seed)
    single_rows = _draw_single(rng, [series[x] for x in single], trials, lo, hi)
    groups = _draw_groups(rng, [series[x] for x in group], trials, lo, hi, group_size)
    boot_seeds = rng.integers(0, 2**32, size=trials)
    rows = single_rows + [r for g in groups for r in g]
    offsets = np.cumsum([len(single_rows)] + [len(g) for g in groups])

    # stacked windows: estimation [-250, -11] and AR window [-10, 10]
    est_days = np.arange(ESTIMATION_WINDOW[0], ESTIMATION_WINDOW[1] + 1)
    ar_days = np.arange(AR_WINDOW[0], AR_WINDOW[1] + 1)
    est_y, est_x = _gather(rows, est_days)
    ev_y, ev_x = _gather(rows, ar_days)
    fit = fit_market_batch(est_y, est_x)
    timings["draw_fit"] = time.perf_counter() - clock - timings["load"]
    say(f"fitted {len(rows)} market models; running the tests")

    day0 = int(np.flatnonzero(ar_days == 0)[0])
    cols = {w: np.flatnonzero((ar_days >= w[0]) & (ar_days <= w[1])) for w in windows}
    rec = _Recorder(len(effects), trials)
    for i in range(len(single_rows)):
        _single_trial(rec, i, fit, ev_y, ev_x, day0, cols, effects, n_boot, int(boot_seeds[i]))
    for g in range(len(groups)):
        _group_trial(rec, g, np.arange(offsets[g], offsets[g + 1]), fit, ev_y, ev_x, day0, cols, effects)
        if (g + 1) % 250 == 0:
            say(f"{g + 1} of {trials} groups")
    labels = rec.pvalues
    timings["tests"] = time.perf_counter() - clock - timings["load"] - timings["draw_fit"]

    table = _rates(labels, tuple(effects), tuple(alphas))
    diagnostics = _diagnostics(fit, ev_y, ev_x, len(single_rows), offsets, day0)
    timings["total"] = time.perf_counter() - clock
    return ValidationResult(table, labels, diagnostics, trials, seed, tuple(effects), tuple(alphas), windows, timings)


class _Recorder:
    """p-values per test label: an ``(n_effects, trials)`` array each (NaN until set)."""

    def __init__(self, n_effects: int, trials: int) -> None:
        self.shape = (n_effects, trials)
        self.pvalues: dict[str, np.ndarray] = {}

    def add(self, result: TestResult, window: tuple[int, int], effect: int, trial: int) -> None:
        label = result.name if window == (0, 0) else f"{result.name} [{window[0]},{window[1]}]"
        if label not in self.pvalues:
            self.pvalues[label] = np.full(self.shape, np.nan)
        self.pvalues[label][effect, trial] = result.pvalue


def _single_trial(
    rec: _Recorder,
    i: int,
    fit: BatchFit,
    ev_y: np.ndarray,
    ev_x: np.ndarray,
    day0: int,
    cols: dict[tuple[int, int], np.ndarray],
    effects: Sequence[float],
    n_boot: int,
    boot_seed: int,
) -> None:
    """CAR t, SQ and bootstrap for row ``i`` (as ``significance_table`` calls them)."""
    fm = fit.fitted(i)
    expected = fm.expected(ev_x[i])
    variances = {w: fm.car_variance(ev_x[i, c]) for w, c in cols.items()}
    for e, effect in enumerate(effects):
        y = ev_y[i].copy()
        y[day0] += effect  # planted on the return, before the AR is computed
        ar = y - expected
        for w, c in cols.items():
            rec.add(car_t_test(float(ar[c].sum()), variances[w], fm.df_resid), w, e, i)
            rec.add(sf.sample_quantile_test(ar[c], fit.residuals[i]), w, e, i)
            rec.add(sf.bootstrap_test(ar[c], fit.residuals[i], n_boot=n_boot, rng=boot_seed), w, e, i)


def _group_trial(
    rec: _Recorder,
    g: int,
    members: np.ndarray,
    fit: BatchFit,
    ev_y: np.ndarray,
    ev_x: np.ndarray,
    day0: int,
    cols: dict[tuple[int, int], np.ndarray],
    effects: Sequence[float],
) -> None:
    """The seven cross-sectional tests for the group in rows ``members``."""
    fms = [fit.fitted(r) for r in members]
    expected = np.vstack([fm.expected(ev_x[r]) for fm, r in zip(fms, members, strict=True)])
    resid = fit.residuals[members]
    dof = np.full(len(members), fit.df_resid)
    pairs = list(zip(fms, members, strict=True))
    sds = {w: np.sqrt([fm.car_variance(ev_x[r, c]) for fm, r in pairs]) for w, c in cols.items()}
    for e, effect in enumerate(effects):
        y = ev_y[members].copy()
        y[:, day0] += effect  # every security's day-0 return
        ar = y - expected
        for w, c in cols.items():
            cars = ar[:, c].sum(axis=1)
            for result in (
                cs.cross_sectional_t(cars),
                cs.patell_z(cars, sds[w], dof),
                cs.bmp_t(cars, sds[w]),
                cs.kolari_pynnonen_t(cars, sds[w], resid),
                cs.corrado_rank(resid, ar, days=list(c)),  # ranks the whole AR window, as a study does
                cs.generalized_sign_z(cars, resid),
                cs.wilcoxon_signed_rank(cars),
            ):
                rec.add(result, w, e, g)


def _check_options(
    trials: int,
    single: Sequence[Listing],
    windows: tuple[tuple[int, int], ...],
    group: Sequence[Listing],
    group_size: tuple[int, int],
    n_boot: int,
) -> None:
    if not single and not group:
        raise ValidationInputError("no securities to draw: give single or group securities")
    if trials < 1:
        raise ValidationInputError(f"trials must be at least 1, got {trials}")
    if n_boot < 1:
        raise ValidationInputError(f"n_boot must be at least 1, got {n_boot}")
    for a, b in windows:
        if not AR_WINDOW[0] <= a <= 0 <= b <= AR_WINDOW[1]:
            raise ValidationInputError(f"window [{a},{b}] must contain day 0 and lie inside {list(AR_WINDOW)}")
    if not 2 <= group_size[0] <= group_size[1]:
        raise ValidationInputError(f"group size {group_size} must be (min, max) with 2 <= min <= max")
    if len({x.exchange for x in group}) > 1:
        raise ValidationInputError("group securities must trade on one exchange (one common event date)")


def _draw_single(
    rng: np.random.Generator, series: list[ReturnSeries], trials: int, lo: int, hi: int
) -> list[tuple[ReturnSeries, int]]:
    """A random security, then a random day 0 with the whole window available."""
    if not series:
        return []
    days = [s.valid_days(lo, hi) for s in series]
    usable = [i for i, d in enumerate(days) if len(d)]
    if not usable:
        raise ValidationInputError(f"no security has {hi - lo + 1} consecutive sessions of prices")
    picks = rng.choice(usable, size=trials)
    return [(series[k], int(rng.choice(days[k]))) for k in picks]


def _draw_groups(
    rng: np.random.Generator, series: list[ReturnSeries], trials: int, lo: int, hi: int, size: tuple[int, int]
) -> list[list[tuple[ReturnSeries, int]]]:
    """A random common day 0 with at least ``size[0]`` securities available, then the securities."""
    if not series:
        return []
    n = len(series[0].ret)
    avail = np.zeros((len(series), n), dtype=bool)
    for i, s in enumerate(series):
        avail[i, s.valid_days(lo, hi)] = True
    dates = np.flatnonzero(avail.sum(axis=0) >= size[0])
    if not len(dates):
        raise ValidationInputError(f"no session has {size[0]} group securities with {hi - lo + 1} sessions of prices")
    out = []
    for t in rng.choice(dates, size=trials):
        pool = np.flatnonzero(avail[:, t])
        k = min(int(rng.integers(size[0], size[1] + 1)), len(pool))
        out.append([(series[i], int(t)) for i in np.sort(rng.choice(pool, size=k, replace=False))])
    return out


def _gather(rows: list[tuple[ReturnSeries, int]], days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.vstack([s.ret[t + days] for s, t in rows])
    x = np.vstack([s.bench[t + days] for s, t in rows])
    return y, x


def _rates(pvalues: dict[str, np.ndarray], effects: tuple[float, ...], alphas: tuple[float, ...]) -> pd.DataFrame:
    rows = []
    for test, p in pvalues.items():
        for e, effect in enumerate(effects):
            valid = p[e][np.isfinite(p[e])]
            for alpha in alphas:
                rate = float(np.mean(valid <= alpha)) if len(valid) else math.nan
                rows.append((test, float(effect), float(alpha), round(rate, 6), len(valid)))
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def _diagnostics(
    fit: BatchFit, ev_y: np.ndarray, ev_x: np.ndarray, n_single: int, offsets: np.ndarray, day0: int
) -> dict[str, float]:
    """Properties of the drawn data that explain a mis-sized test (see ``report.explain``)."""
    from scipy import stats

    # day-0 prediction errors over their own sd: the [0,0] CAR t statistics under H0
    x0 = np.stack([np.ones(len(ev_x)), ev_x[:, day0]], 1)
    h = np.einsum("ij,ijk,ik->i", x0, fit.xtx_inv, x0)
    z = (ev_y[:, day0] - fit.alpha - fit.beta * ev_x[:, day0]) / (fit.sigma * np.sqrt(1.0 + h))
    single = z[:n_single]
    out: dict[str, float] = {}
    if n_single > 1:
        out |= {
            "residual_excess_kurtosis": float(np.mean(stats.kurtosis(fit.residuals[:n_single], axis=1))),
            "day0_t_variance": float(np.var(single)),
            "day0_t_excess_kurtosis": float(stats.kurtosis(single)),
        }
    groups = [np.arange(offsets[g], offsets[g + 1]) for g in range(len(offsets) - 1)]
    if not groups:
        return out
    sizes = np.array([len(g) for g in groups])
    r = np.array([cs.average_correlation(fit.residuals[g]) for g in groups])
    # pooled correlation of the day-0 ARs of securities sharing the date
    cross = sum(float(z[g].sum() ** 2 - (z[g] ** 2).sum()) for g in groups)
    own = sum(float((len(g) - 1) * (z[g] ** 2).sum()) for g in groups)
    # size at 5 % if the only flaw were equicorrelation r: the t statistic is too large by
    # sqrt((1 + (N-1) r) / (1 - r)) (Kolari & Pynnönen 2010), Patell's Z by sqrt(1 + (N-1) r)
    inflate_t = np.sqrt((1.0 + (sizes - 1) * r) / (1.0 - r))
    crit = stats.t.ppf(0.975, sizes - 1)
    out |= {
        "group_residual_correlation": float(np.nanmean(r)),
        "group_day0_correlation": cross / own if own > 0 else math.nan,
        "t_size_from_correlation": float(np.nanmean(2.0 * stats.t.sf(crit / inflate_t, sizes - 1))),
        "z_size_from_correlation": float(np.nanmean(2.0 * stats.norm.sf(1.959964 / np.sqrt(1.0 + (sizes - 1) * r)))),
        "group_mean_size": float(sizes.mean()),
    }
    out |= {f"groups_n{k}": float(np.sum(sizes == k)) for k in range(int(sizes.min()), int(sizes.max()) + 1)}
    return out
