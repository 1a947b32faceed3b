"""The placebo simulation: draw pseudo-events, fit, run every test, count rejections.

The market-model fits, ARs and CAR variances come from the engine's own
solver on stacked windows (:func:`eventstudy.engine.ols.fit`, as a study
computes them); the tests are the package's own
functions, called as :func:`eventstudy.inference.table.significance_table`
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

from eventstudy.engine import ols
from eventstudy.engine.ols import Fit
from eventstudy.errors import EventStudyError
from eventstudy.inference import cross_section as cs
from eventstudy.inference import robust as rb
from eventstudy.inference import single_firm as sf
from eventstudy.inference.result import TestResult, car_t_test


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
DEFAULT_TRIALS = 2000  # a size of 5 % to about ±1 pp (binomial 95 % half-width 0.96 pp)
DEFAULT_SEED = 1985
SIZE_BAND = (0.04, 0.06)  # acceptable null rejection rate at the 5 % level
DESIGNS = ("brown-warner", "clustered")  # group designs: own random date each, or one date for all
SINGLE_DESIGN = "single"  # design label of the single-security trials (CAR t, SQ, bootstrap)
TABLE_COLUMNS = ["test", "design", "effect", "alpha", "rejection_rate", "n"]


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class ReturnSeries:
    """Simple returns of a security and its benchmark on its exchange's sessions.

    ``ret[i]`` and ``bench[i]`` are the returns from session ``i - 1`` to
    ``i``; NaN where a price is missing (outside the file or a gap). The
    benchmark's last close is carried onto sessions it did not trade, as
    :mod:`eventstudy.engine.panel` does.
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
    from eventstudy.market import CsvDirectorySource, price_series
    from eventstudy.market.calendars import get_calendar

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
            ret = (sec / sec.shift(1) - 1.0).to_numpy(dtype=float)  # simple returns, first row NaN
            out[x] = ReturnSeries(x, sessions, ret, (bench / bench.shift(1) - 1.0).to_numpy(dtype=float))
    return out


# --------------------------------------------------------------------------- fits


# --------------------------------------------------------------------------- simulation


@dataclass
class ValidationResult:
    """Rejection rates of a placebo simulation and what produced them.

    ``table`` has :data:`TABLE_COLUMNS`; ``pvalues`` maps each ``(design,
    test label)`` to an ``(n_effects, trials)`` array of p-values (NaN: not
    computable); ``diagnostics`` holds data properties used to explain
    mis-sized tests (single-security trials and the clustered design),
    ``design_diagnostics`` the group properties of each design.
    """

    table: pd.DataFrame
    pvalues: dict[tuple[str, str], np.ndarray]
    diagnostics: dict[str, float]
    trials: int
    seed: int
    effects: tuple[float, ...]
    alphas: tuple[float, ...]
    windows: tuple[tuple[int, int], ...]
    timings: dict[str, float] = field(default_factory=dict)
    designs: tuple[str, ...] = DESIGNS
    design_diagnostics: dict[str, dict[str, float]] = field(default_factory=dict)

    def rate(self, test: str, effect: float, alpha: float, design: str | None = None) -> float:
        """One rejection rate from ``table``; ``design`` may be left out when the test has only one."""
        t = self.table
        row = t[(t["test"] == test) & np.isclose(t["effect"], effect) & np.isclose(t["alpha"], alpha)]
        if design is not None:
            row = row[row["design"] == design]
        if len(set(row["design"])) > 1:
            raise ValueError(f"{test!r} was run in designs {sorted(set(row['design']))}: name one")
        return float(row["rejection_rate"].iloc[0])

    def to_csv(self, path: str | Path) -> None:
        """Write ``table`` as CSV (``test,design,effect,alpha,rejection_rate,n``)."""
        from eventstudy.files import write_csv

        write_csv(self.table, path, float_format=None)


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
    designs: Sequence[str] = DESIGNS,
    n_boot: int = BOOTSTRAP_DRAWS,
    progress: Progress | None = None,
) -> ValidationResult:
    """Placebo simulation on the real prices in ``prices`` (Brown & Warner 1985).

    Parameters
    ----------
    prices
        Directory of price CSV files (``../shared/data/prices``).
    trials
        Number of single-security pseudo-events, and of groups in each design.
    seed
        Seed of every random draw (dates, securities, bootstrap).
    effects
        Abnormal returns added to every security's day-0 return; 0 is the null.
    alphas
        Test levels.
    windows
        Event windows ``(start, end)`` inside ``AR_WINDOW`` (day 0 inside).
        Test labels are the :class:`~eventstudy.inference.result.TestResult`
        names, followed by ``" [start,end]"`` for windows other than [0, 0].
    single, group
        Securities drawn for single-security trials and for groups; the group
        securities must share one exchange.
    group_size
        Smallest and largest number of securities in a group.
    designs
        Group designs: ``"brown-warner"`` (each security of a group on its
        own random date: no clustering) and ``"clustered"`` (one random date
        for every security of a group).
    n_boot
        Bootstrap resamples per test (single-security bootstrap, wild bootstrap).
    progress
        Called with short progress messages.

    Returns
    -------
    ValidationResult

    Raises
    ------
    ValidationInputError
        ``trials < 1``, bad windows, sizes or designs, or no date with enough data.
    DataError
        The price directory or a file is missing or unreadable.

    References
    ----------
    Brown, S. J. & Warner, J. B. (1985). Using daily stock returns: the case
    of event studies. Journal of Financial Economics 14(1), 3-31.
    """
    say = progress or (lambda _msg: None)
    windows = tuple((int(a), int(b)) for a, b in windows)
    designs = tuple(designs) if group else ()
    _check_options(trials, single, windows, group, group_size, n_boot, designs)
    clock = time.perf_counter()
    timings: dict[str, float] = {}
    say(f"reading prices from {prices}")
    series = load_returns(prices, list(dict.fromkeys([*single, *group])))
    timings["load"] = time.perf_counter() - clock

    lo, hi = ESTIMATION_WINDOW[0], AR_WINDOW[1]
    rng = np.random.default_rng(seed)
    single_rows = _draw_single(rng, [series[x] for x in single], trials, lo, hi)
    draws = {
        "clustered": lambda: _draw_groups(rng, [series[x] for x in group], trials, lo, hi, group_size),
        "brown-warner": lambda: _draw_bw(rng, [series[x] for x in group], trials, lo, hi, group_size),
    }
    groups_of = {d: draws[d]() for d in DESIGNS if d in designs}  # fixed draw order whatever the order asked
    boot_seed = int(rng.integers(0, 2**32))
    wild_seeds = {d: rng.integers(0, 2**32, size=trials) for d in groups_of}
    rows = list(single_rows)
    members: dict[str, list[np.ndarray]] = {}
    for d, groups in groups_of.items():
        members[d] = [np.arange(len(rows) + k, len(rows) + k + len(g)) for k, g in _starts(groups)]
        rows += [r for g in groups for r in g]

    rec, fit, ev_y, ev_x, day0 = simulate(
        rows, len(single_rows), members, estimation_window=ESTIMATION_WINDOW, ar_window=AR_WINDOW,
        windows=windows, effects=effects, n_boot=n_boot, boot_seed=boot_seed, wild_seeds=wild_seeds,
        width=trials, timings=timings, clock=clock, say=say,
    )  # fmt: skip
    table = _rates(rec.pvalues, tuple(effects), tuple(alphas))
    z = _day0_t(fit, ev_y, ev_x, day0)
    diagnostics = _single_diagnostics(fit, z, len(single_rows))
    design_diag = {d: _group_diagnostics(fit, z, groups) for d, groups in members.items()}
    diagnostics |= design_diag.get("clustered", {})
    timings["total"] = time.perf_counter() - clock
    return ValidationResult(
        table, rec.pvalues, diagnostics, trials, seed, tuple(effects), tuple(alphas), windows, timings,
        tuple(members), design_diag,
    )  # fmt: skip


def simulate(
    rows: list[tuple[ReturnSeries, int]],
    n_single: int,
    members: dict[str, list[np.ndarray]],
    *,
    estimation_window: tuple[int, int],
    ar_window: tuple[int, int],
    windows: tuple[tuple[int, int], ...],
    effects: Sequence[float],
    n_boot: int,
    boot_seed: int,
    wild_seeds: dict[str, np.ndarray],
    width: int,
    timings: dict[str, float],
    clock: float,
    say: Progress,
) -> tuple[_Recorder, Fit, np.ndarray, np.ndarray, int]:
    """Fit every row (security, day 0) at once and run every test with each effect added on day 0.

    Rows ``0 .. n_single - 1`` get the single-security tests; ``members[design]``
    lists the rows of each group. Returns the p-values, the fits, the AR-window
    returns and benchmark, and the column of day 0.
    """
    est_days = np.arange(estimation_window[0], estimation_window[1] + 1)
    ar_days = np.arange(ar_window[0], ar_window[1] + 1)
    est_y, est_x = _gather(rows, est_days)
    ev_y, ev_x = _gather(rows, ar_days)
    fitted = ols.fit(est_y, est_x, ols.market_design())  # the engine's solver, as a study runs it
    expected, _, _, _, se, _, _ = ols.abnormal(fitted, ev_y, ev_x, ar_days, tuple(windows))
    cols = {w: np.flatnonzero((ar_days >= w[0]) & (ar_days <= w[1])) for w in windows}
    sds = {w: se[:, k] for k, w in enumerate(windows)}
    timings["draw_fit"] = time.perf_counter() - clock - timings["load"]
    say(f"fitted {len(rows)} market models; running the tests")

    day0 = int(np.flatnonzero(ar_days == 0)[0])
    rec = _Recorder(len(effects), max(width, n_single))
    for e, effect in enumerate(effects):
        y = ev_y.copy()
        y[:, day0] += effect  # every security's day-0 return, before the AR is computed
        ar = y - expected
        if n_single:
            _single_tests(rec, e, np.arange(n_single), fitted, ar, sds, cols, n_boot, boot_seed)
        for d, groups in members.items():
            for g, m in enumerate(groups):
                _group_tests(rec, d, e, g, m, fitted, ar, sds, cols, n_boot, int(wild_seeds[d][g]))
        say(f"effect {effect:.0%} done")
    timings["tests"] = time.perf_counter() - clock - timings["load"] - timings["draw_fit"]
    return rec, fitted, ev_y, ev_x, day0


def _starts(groups: list[list[tuple[ReturnSeries, int]]]) -> list[tuple[int, list[tuple[ReturnSeries, int]]]]:
    """Each group with the offset of its first row."""
    out, k = [], 0
    for g in groups:
        out.append((k, g))
        k += len(g)
    return out


class _Recorder:
    """p-values per (design, test label): an ``(n_effects, trials)`` array each (NaN until set)."""

    def __init__(self, n_effects: int, trials: int) -> None:
        self.shape = (n_effects, trials)
        self.pvalues: dict[tuple[str, str], np.ndarray] = {}

    def _array(self, design: str, name: str, window: tuple[int, int]) -> np.ndarray:
        label = name if window == (0, 0) else f"{name} [{window[0]},{window[1]}]"
        if (design, label) not in self.pvalues:
            self.pvalues[design, label] = np.full(self.shape, np.nan)
        return self.pvalues[design, label]

    def add(self, design: str, result: TestResult, window: tuple[int, int], effect: int, trial: int) -> None:
        self._array(design, result.name, window)[effect, trial] = result.pvalue

    def add_many(self, design: str, name: str, pvalues: np.ndarray, window: tuple[int, int], effect: int) -> None:
        self._array(design, name, window)[effect, : len(pvalues)] = pvalues


def _single_tests(
    rec: _Recorder,
    e: int,
    rows: np.ndarray,
    fit: Fit,
    ar: np.ndarray,
    sds: dict[tuple[int, int], np.ndarray],
    cols: dict[tuple[int, int], np.ndarray],
    n_boot: int,
    seed: int,
) -> None:
    """CAR t, SQ and bootstrap of every single-security row (the functions ``significance_table`` calls)."""
    for w, c in cols.items():
        window_ar = ar[rows][:, c]
        var = sds[w][rows] ** 2
        car_p = [car_t_test(float(window_ar[i].sum()), float(var[i]), fit.df).pvalue for i in range(len(rows))]
        rec.add_many(SINGLE_DESIGN, "CAR t", np.array(car_p), w, e)
        for res in (
            sf.sample_quantile_tests(window_ar, fit.residuals[rows]),
            sf.bootstrap_tests(window_ar, fit.residuals[rows], n_boot=n_boot, seed=seed),
        ):
            rec.add_many(SINGLE_DESIGN, res.name, res.pvalue, w, e)


def group_tests(
    car: np.ndarray, sd: np.ndarray, resid: np.ndarray, ar: np.ndarray, cols: np.ndarray, df_resid: int,
    *, n_boot: int, seed: int,
) -> tuple[TestResult, ...]:  # fmt: skip
    """Every cross-sectional test of one group and window, as a study runs them.

    ``car``, ``sd`` (N,): CARs and their prediction-error SDs; ``resid`` (N, T)
    estimation residuals; ``ar`` (N, L) the whole AR window (the Corrado
    test ranks all of it); ``cols`` the window's columns of ``ar``.
    """
    dof = np.full(len(car), df_resid)
    return (
        cs.cross_sectional_t(car),
        cs.patell_z(car, sd, dof),
        cs.bmp_t(car, sd),
        cs.kolari_pynnonen_t(car, sd, resid),
        cs.corrado_rank(resid, ar, days=list(cols)),
        cs.generalized_sign_z(car, resid),
        cs.wilcoxon_signed_rank(car),
        rb.portfolio_t(car, resid, len(cols)),
        rb.grank_t(car, sd, resid, dof),
        rb.grank_t(car, sd, resid, dof, restandardize=False),
        rb.wild_bootstrap_t(car, n_boot=n_boot, rng=seed),
        rb.wild_bootstrap_dates_t(car, resid, len(cols), n_boot=n_boot, rng=seed),
        rb.sign_test_exact(car, resid),
    )


def _group_tests(
    rec: _Recorder,
    design: str,
    e: int,
    g: int,
    members: np.ndarray,
    fit: Fit,
    ar: np.ndarray,
    sds: dict[tuple[int, int], np.ndarray],
    cols: dict[tuple[int, int], np.ndarray],
    n_boot: int,
    seed: int,
) -> None:
    resid, group_ar = fit.residuals[members], ar[members]
    for w, c in cols.items():
        cars = group_ar[:, c].sum(axis=1)
        for result in group_tests(cars, sds[w][members], resid, group_ar, c, fit.df, n_boot=n_boot, seed=seed):
            rec.add(design, result, w, e, g)


def _check_options(
    trials: int,
    single: Sequence[Listing],
    windows: tuple[tuple[int, int], ...],
    group: Sequence[Listing],
    group_size: tuple[int, int],
    n_boot: int,
    designs: tuple[str, ...] = DESIGNS,
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
    unknown = [d for d in designs if d not in DESIGNS]
    if unknown or (group and not designs):
        raise ValidationInputError(f"designs must be among {', '.join(DESIGNS)}, got {', '.join(designs) or 'none'}")


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
    """Clustered design: a random common day 0 with at least ``size[0]`` securities available, then the securities."""
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


def _draw_bw(
    rng: np.random.Generator, series: list[ReturnSeries], trials: int, lo: int, hi: int, size: tuple[int, int]
) -> list[list[tuple[ReturnSeries, int]]]:
    """Brown-Warner design: ``size`` distinct securities, each on its own random day 0 (no clustering)."""
    days = [s.valid_days(lo, hi) for s in series]
    usable = np.array([i for i, d in enumerate(days) if len(d)])
    if len(usable) < size[0]:
        raise ValidationInputError(
            f"{len(usable)} group securities have {hi - lo + 1} sessions of prices; need {size[0]}"
        )
    out = []
    for _ in range(trials):
        k = min(int(rng.integers(size[0], size[1] + 1)), len(usable))
        picks = np.sort(rng.choice(usable, size=k, replace=False))
        out.append([(series[i], int(rng.choice(days[i]))) for i in picks])
    return out


def _gather(rows: list[tuple[ReturnSeries, int]], days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.vstack([s.ret[t + days] for s, t in rows])
    x = np.vstack([s.bench[t + days] for s, t in rows])
    return y, x


def _rates(
    pvalues: dict[tuple[str, str], np.ndarray], effects: tuple[float, ...], alphas: tuple[float, ...]
) -> pd.DataFrame:
    rows = []
    for (design, test), p in pvalues.items():
        for e, effect in enumerate(effects):
            valid = p[e][np.isfinite(p[e])]
            for alpha in alphas:
                rate = float(np.mean(valid <= alpha)) if len(valid) else math.nan
                rows.append((test, design, float(effect), float(alpha), round(rate, 6), len(valid)))
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def _day0_t(fit: Fit, ev_y: np.ndarray, ev_x: np.ndarray, day0: int) -> np.ndarray:
    """Day-0 prediction errors over their own SD: the [0,0] CAR t statistics under H0."""
    x0 = np.stack([np.ones(len(ev_x)), ev_x[:, day0]], 1)
    h = np.einsum("ij,ijk,ik->i", x0, fit.xtx_inv, x0)
    alpha, beta = fit.param("alpha"), fit.param("beta")
    return (ev_y[:, day0] - alpha - beta * ev_x[:, day0]) / (fit.sigma * np.sqrt(1.0 + h))


def _single_diagnostics(fit: Fit, z: np.ndarray, n_single: int) -> dict[str, float]:
    """Tail properties of the single-security trials (see ``report.explain``)."""
    from scipy import stats

    if n_single < 2:
        return {}
    single = z[:n_single]
    return {
        "residual_excess_kurtosis": float(np.mean(stats.kurtosis(fit.residuals[:n_single], axis=1))),
        "day0_t_variance": float(np.var(single)),
        "day0_t_excess_kurtosis": float(stats.kurtosis(single)),
    }


def _group_diagnostics(fit: Fit, z: np.ndarray, groups: list[np.ndarray]) -> dict[str, float]:
    """Correlation and sizes of the groups of one design (see ``report.explain``)."""
    from scipy import stats

    if not groups:
        return {}
    sizes = np.array([len(g) for g in groups])
    # day-0 portfolio statistic under H0 (z times the prediction SD is the day-0 AR)
    ar0 = z * fit.sigma * np.sqrt(1.0 + 1.0 / fit.residuals.shape[1])  # the leverage term is below 1 %
    zp = np.array([ar0[g].mean() / np.std(fit.residuals[g].mean(axis=0), ddof=1) for g in groups])
    r = np.array([cs.average_correlation(fit.residuals[g]) for g in groups])
    # pooled correlation of the day-0 ARs of securities in one group
    cross = sum(float(z[g].sum() ** 2 - (z[g] ** 2).sum()) for g in groups)
    own = sum(float((len(g) - 1) * (z[g] ** 2).sum()) for g in groups)
    # size at 5 % if the only flaw were equicorrelation r: the t statistic is too large by
    # sqrt((1 + (N-1) r) / (1 - r)) (Kolari & Pynnönen 2010), Patell's Z by sqrt(1 + (N-1) r)
    inflate_t = np.sqrt((1.0 + (sizes - 1) * r) / (1.0 - r))
    crit = stats.t.ppf(0.975, sizes - 1)
    out = {
        "group_residual_correlation": float(np.nanmean(r)),
        "group_day0_correlation": cross / own if own > 0 else math.nan,
        "t_size_from_correlation": float(np.nanmean(ols.t_two_sided(crit / inflate_t, sizes - 1))),
        "z_size_from_correlation": float(np.nanmean(2.0 * stats.norm.sf(1.959964 / np.sqrt(1.0 + (sizes - 1) * r)))),
        "group_mean_size": float(sizes.mean()),
        "portfolio_day0_t_variance": float(np.var(zp)),
        "portfolio_day0_t_excess_kurtosis": float(stats.kurtosis(zp)),
    }
    out |= {f"groups_n{k}": float(np.sum(sizes == k)) for k in range(int(sizes.min()), int(sizes.max()) + 1)}
    return out
