"""The study's own placebo run: its securities on random dates of their own history.

``eventstudy validate`` measures the tests on a universe of US stocks; a
study's securities, benchmarks, exchanges and windows are its own. This run
draws placebo dates from the study's own price history, puts every
security of the study on that date (clustered, as the study is: day 0 on
each exchange is its first session on or after the date), fits the market
model on the study's estimation window, and runs every test with no effect
(size) and with 1 %, 2 % and 5 % added to every security's day-0 return
(power). Dates whose window would come near a real event of the study are
not drawn. Seeded: the same seed gives the same table.

Examples
--------
>>> from eventstudy.spec import load_study
>>> from eventstudy.inference.validation.placebo import study_placebo_for
>>> run = study_placebo_for(load_study("seeds/stargate.toml"), "../shared/data/prices")  # doctest: +SKIP
>>> run.summary()  # doctest: +SKIP
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from eventstudy.inference.validation.design import (
    ALPHAS,
    BOOTSTRAP_DRAWS,
    EFFECTS,
    SINGLE_DESIGN,
    SIZE_BAND,
    Listing,
    ValidationInputError,
)
from eventstudy.inference.validation.diagnostics import group_diagnostics, single_diagnostics
from eventstudy.inference.validation.returns import common_dates, load_returns, pick_dates
from eventstudy.inference.validation.simulation import ValidationResult
from eventstudy.inference.validation.trials import RowsFit, fit_rows, rejection_rates, window_label

if TYPE_CHECKING:
    from eventstudy.market import PriceSource
    from eventstudy.spec import StudySpec

STUDY_DESIGN = "study"  # design label of the study's group tests
PLACEBO_TRIALS = 200  # about 2 s for the four-security Stargate study, day-0 window (docs/methodology.md)
PLACEBO_SEED = 2025
EXCLUDE_SESSIONS = 20  # placebo day 0 at least this many sessions from a real event's day 0


@dataclass(frozen=True)
class PlaceboRun:
    """A study's placebo run: the rejection table and how it was drawn."""

    result: ValidationResult  # table columns: test, design ("single" or "study"), effect, alpha, rejection_rate, n
    listings: tuple[Listing, ...]
    dates: tuple[pd.Timestamp, ...]  # the placebo dates drawn (distinct when trials <= candidates)
    candidates: int  # dates on which every security has the whole window, away from the real events

    @property
    def table(self) -> pd.DataFrame:
        """The rejection rates (``ValidationResult.table``)."""
        return self.result.table

    def summary(self, alpha: float = 0.05, band: tuple[float, float] = SIZE_BAND) -> pd.DataFrame:
        """One row per test and design: size at ``alpha``, its 95 % interval, power, and whether it is well sized.

        Columns: ``test, design, n, size, size_low, size_high, power_1, power_2,
        power_5`` (rejection rates at ``alpha`` with 1 %, 2 %, 5 % added; NaN if
        that effect was not run) and ``well_sized``: the size lies in ``band``
        and its Wilson 95 % interval contains ``alpha``.
        """
        from statsmodels.stats.proportion import proportion_confint

        t = self.result.table
        at = t[np.isclose(t["alpha"], alpha)]
        rows = []
        for (test, design), part in at.groupby(["test", "design"], sort=False):
            by_effect = dict(zip(part["effect"].round(6), part["rejection_rate"], strict=True))
            n = int(part.loc[np.isclose(part["effect"], 0.0), "n"].iloc[0]) if 0.0 in by_effect else 0
            size = by_effect.get(0.0, math.nan)
            lo, hi = proportion_confint(round(size * n), n, alpha=0.05, method="wilson") if n else (math.nan,) * 2
            rows.append(
                {"test": test, "design": design, "n": n, "size": size, "size_low": lo, "size_high": hi,
                 "power_1": by_effect.get(0.01, math.nan), "power_2": by_effect.get(0.02, math.nan),
                 "power_5": by_effect.get(0.05, math.nan),
                 "well_sized": bool(band[0] <= size <= band[1] and lo <= alpha <= hi)}
            )  # fmt: skip
        return pd.DataFrame(rows)


def study_placebo(
    prices: str | Path | PriceSource,
    listings: Sequence[Listing],
    *,
    estimation_window: tuple[int, int] = (-250, -11),
    event_windows: Sequence[tuple[int, int]] = ((0, 0),),
    ar_window: tuple[int, int] = (-10, 10),
    trials: int = PLACEBO_TRIALS,
    seed: int = PLACEBO_SEED,
    effects: Sequence[float] = EFFECTS,
    alphas: Sequence[float] = ALPHAS,
    n_boot: int = BOOTSTRAP_DRAWS,
    wild_draws: int = BOOTSTRAP_DRAWS,
    exclude: Sequence[pd.Timestamp] = (),
) -> PlaceboRun:
    """Size and power of every test for these securities, on placebo dates of their own history.

    Parameters
    ----------
    prices
        A price source that holds whole price histories (a folder of CSV or Parquet files,
        :func:`~eventstudy.inference.validation.returns.load_returns`), or a folder of price CSVs.
    listings
        The study's securities: ticker, benchmark, exchange.
    estimation_window, event_windows, ar_window
        The study's windows (sessions relative to day 0); the Corrado test
        ranks the AR window, as in the study.
    trials
        Placebo dates: distinct dates while there are enough candidates;
        beyond, every candidate once and the rest drawn with replacement.
    seed
        Seed of the dates and of the bootstrap draws.
    n_boot, wild_draws
        Draws of the single-security bootstrap and of the wild bootstrap over
        estimation dates (as in the study's table, the same draws for every trial).
    effects
        Added to every security's day-0 return; 0 is the null.
    exclude
        Dates of the study's real events: no placebo day 0 within
        :data:`EXCLUDE_SESSIONS` sessions of them.

    Returns
    -------
    PlaceboRun
        Single-security tests (CAR t, SQ, bootstrap) pooled over the
        securities (design ``"single"``, ``trials x N`` rows); the
        cross-sectional tests of the group (design ``"study"``): the tests of
        the study's table, run by the same batched functions
        (:func:`eventstudy.inference.table.cross_sectional_columns`), every trial a block.

    Raises
    ------
    ValidationInputError
        Bad options, or no date on which every security has the whole window.
    DataError
        A price file is missing or unreadable.
    """
    listings = tuple(dict.fromkeys(listings))
    windows = tuple((int(a), int(b)) for a, b in event_windows)
    if trials < 1 or n_boot < 1 or not listings:
        raise ValidationInputError(f"need trials >= 1, n_boot >= 1 and securities; got {trials}, {n_boot}, {listings}")
    for a, b in windows:
        if not ar_window[0] <= a <= b <= ar_window[1] or not estimation_window[1] < ar_window[0]:
            raise ValidationInputError(f"window [{a},{b}] must lie inside {list(ar_window)}, after the estimation")
    clock = time.perf_counter()
    timings: dict[str, float] = {}
    series = load_returns(prices, listings)
    timings["load"] = time.perf_counter() - clock
    lo, hi = estimation_window[0], ar_window[1]
    candidates, positions = common_dates([series[x] for x in listings], lo, hi, exclude, EXCLUDE_SESSIONS)
    if not len(candidates):
        raise ValidationInputError(f"no date on which {', '.join(x.ticker for x in listings)} all have the window")
    rng = np.random.default_rng(seed)
    picks = pick_dates(rng, len(candidates), trials)
    boot_seed = int(rng.integers(0, 2**32))
    k = len(listings)
    rows = [(series[x], int(positions[j, p])) for p in picks for j, x in enumerate(listings)]
    members = {STUDY_DESIGN: [np.arange(g * k, (g + 1) * k) for g in range(trials)]} if k > 1 else {}
    rows_fit = fit_rows(rows, estimation_window, ar_window, windows)
    pvalues = _batched(rows_fit, k, effects=effects, n_boot=n_boot, seed=boot_seed, wild_draws=wild_draws)
    timings["tests"] = time.perf_counter() - clock - timings["load"]
    table = rejection_rates(pvalues, tuple(effects), tuple(alphas))
    fit, z = rows_fit.fit, rows_fit.day0_z()
    design_diag = {d: group_diagnostics(fit, z, groups) for d, groups in members.items()}
    diagnostics = single_diagnostics(fit, z, len(rows)) | design_diag.get(STUDY_DESIGN, {})
    timings["total"] = time.perf_counter() - clock
    result = ValidationResult(
        table, pvalues, diagnostics, trials, seed, tuple(effects), tuple(alphas), windows, timings,
        (SINGLE_DESIGN, *members), design_diag,
    )  # fmt: skip
    return PlaceboRun(result, listings, tuple(pd.Timestamp(candidates[p]) for p in picks), len(candidates))


def study_placebo_for(spec: StudySpec, prices: str | Path | PriceSource, **options: object) -> PlaceboRun:
    """:func:`study_placebo` with a study's securities, windows and event dates (excluded from the draw).

    ``options`` are passed on and override the study's (e.g. ``event_windows=((0, 0),)``).
    """
    listings = [Listing(s.ticker, s.benchmark, s.exchange) for s in spec.securities]
    exclude = [pd.Timestamp(e.timestamp).tz_localize(None).normalize() for e in spec.events]
    study: dict[str, object] = {"estimation_window": spec.estimation_window, "event_windows": spec.event_windows,
                                "ar_window": spec.ar_window, "exclude": exclude}  # fmt: skip
    return study_placebo(prices, listings, **(study | options))  # type: ignore[arg-type]


def _batched(
    rows_fit: RowsFit, k: int, *, effects: Sequence[float], n_boot: int, seed: int, wild_draws: int
) -> dict[tuple[str, str], np.ndarray]:
    """Every test of the study's table on every trial, window and effect, the rows fitted at once.

    Rows come trial by trial, ``k`` securities each. Returns the p-values by
    (design, test label) as ``(effects, trials)`` arrays (``trials x k`` for the
    single-security tests).
    """
    from eventstudy.engine import ols
    from eventstudy.inference import single_firm as sf
    from eventstudy.inference.table import cross_sectional_columns

    fit, se = rows_fit.fit, rows_fit.se
    n_rows = len(rows_fit.ev_y)
    trials = n_rows // k
    pairs = np.arange(n_rows).reshape(trials, k)
    dof = np.full(n_rows, float(fit.df))
    out: dict[tuple[str, str], np.ndarray] = {}

    def put(design: str, name: str, window: tuple[int, int], e: int, p: np.ndarray) -> None:
        out.setdefault((design, window_label(name, window)), np.full((len(effects), len(p)), np.nan))[e] = p

    for e, effect in enumerate(effects):
        ar = rows_fit.ar_with(effect)
        for w, window in enumerate(rows_fit.windows):
            cols = rows_fit.columns(window)
            car = ar[:, cols].sum(axis=1)
            put(SINGLE_DESIGN, "CAR t", window, e, np.asarray(ols.t_two_sided(car / se[:, w], fit.df)))
            for res in (
                sf.sample_quantile_tests(ar[:, cols], fit.residuals),
                sf.bootstrap_tests(ar[:, cols], fit.residuals, n_boot=n_boot, seed=seed),
            ):
                put(SINGLE_DESIGN, str(res.name[0]), window, e, np.asarray(res.pvalue, dtype=float))
            if k < 2:
                continue
            tests = cross_sectional_columns(
                car[pairs], se[pairs, w], fit.residuals, ar, dof, pairs, [list(cols)] * trials, seed, wild_draws
            )
            for test in tests:  # one window: one name per test
                put(STUDY_DESIGN, str(test.name[0]), window, e, test.pvalue)
    return out


# --------------------------------------------------------------------------- the run a study report carries

PLACEBO_MAX_PAIRS = 500  # larger studies: no placebo run unless asked for (--placebo-trials)
PLACEBO_MAX_SECURITIES = 30  # every security on one date: beyond this, skipped (too few common dates, too slow)
OVER, UNDER, CANNOT, RIGHT = "over-rejects", "under-rejects", "cannot reject", "right-sized"


@dataclass(frozen=True)
class StudyPlacebo:
    """The study's own placebo run as its report shows it: the run (or why there is none) and each test's reading.

    ``summary`` is :meth:`PlaceboRun.summary` at 5 % (empty without a run);
    :meth:`reading` says, for one test label, whether the test is right-sized
    in this study's design. In Jupyter the object shows as that table.
    """

    run: PlaceboRun | None
    trials: int
    seed: int
    note: str  # how the dates were drawn, or why there is no run
    securities: int = 0  # N of the cross-sectional tests in the run

    @property
    def summary(self) -> pd.DataFrame:
        """Size at 5 % with its Wilson 95 % interval, power at +1/2/5 %, ``well_sized`` and ``reading``."""
        if self.run is None:
            return pd.DataFrame(columns=[*SUMMARY_COLUMNS, "reading"])
        cache = self.__dict__.setdefault("_cache", {})
        if "summary" not in cache:  # read by each report format: computed once, cached on disk (a rerun)
            from eventstudy.table_cache import cached_table

            s = cached_table("placebo-summary", self.run.table, self.run.summary)
            cache["summary"] = s.assign(reading=[_reading(r) for r in s.to_dict("records")])
        return cache["summary"].copy()

    def row(self, test: str, start: int, end: int) -> dict[str, object] | None:
        """The summary row of ``test`` on window [start, end] (tests-table names), or None if not measured."""
        if self.run is None:
            return None
        label = test if (start, end) == (0, 0) else f"{test} [{start},{end}]"
        rows = self._rows()
        return rows.get(label)

    def _rows(self) -> dict[str, dict[str, object]]:
        cache = self.__dict__.setdefault("_cache", {})
        if "rows" not in cache:
            cache["rows"] = {r["test"]: r for r in self.summary.to_dict("records")}
        return cache["rows"]

    def to_dict(self) -> dict[str, object]:
        """The ``placebo`` section of results.json."""
        from eventstudy.json_records import records

        out: dict[str, object] = {"trials": self.trials if self.run else 0, "seed": self.seed, "note": self.note}
        if self.run is None:
            return out | {"dates_drawn": 0, "distinct_dates": 0, "candidate_dates": 0, "tests": []}
        keep = ["test", "design", "n", "size", "size_low", "size_high", "power_1", "power_2", "power_5", "well_sized",
                "reading"]  # fmt: skip
        return out | {
            "dates_drawn": len(self.run.dates),
            "distinct_dates": len(set(self.run.dates)),
            "candidate_dates": self.run.candidates,
            "securities": [x.ticker for x in self.run.listings],
            "alpha": 0.05,
            "size_band": list(SIZE_BAND),
            "tests": records(self.summary[keep]),
        }

    def _repr_html_(self) -> str:
        from eventstudy.text_format import esc

        head = f"<p><b>The study's placebo run</b>: {esc(self.note)}</p>"
        if self.run is None:
            return head
        s = self.summary
        cols = ["test", "design", "n", "size", "size_low", "size_high", "power_1", "power_2", "power_5", "reading"]
        return head + s[cols].to_html(index=False, float_format=lambda v: f"{v:.3f}")

    def __repr__(self) -> str:
        return f"<StudyPlacebo: {self.note}>"


SUMMARY_COLUMNS = ["test", "design", "n", "size", "size_low", "size_high", "power_1", "power_2", "power_5",
                   "well_sized"]  # fmt: skip


def _reading(row: dict[str, object], alpha: float = 0.05) -> str:
    """'right-sized', 'over-rejects', 'under-rejects' or 'cannot reject' at ``alpha`` in this study's design.

    Not well sized (size outside 4-6 % or its interval excludes 5 %): over- or
    under-rejects by the side of ``alpha`` the size is on; 'cannot reject' when it
    rejected nothing even with 5 % added to day 0.
    """
    size = float(row["size"])  # type: ignore[arg-type]
    if row["well_sized"]:
        return RIGHT
    if not math.isfinite(size):
        return "not measured"
    if size > alpha:
        return OVER
    power = float(row.get("power_5", math.nan))  # type: ignore[arg-type]
    if size == 0.0 and (not math.isfinite(power) or power == 0.0):
        return CANNOT
    return UNDER


def _pct(value: float) -> str:
    return f"{value * 100:.1f} %"


def describe(row: dict[str, object] | None, securities: int) -> str:
    """The report's words for a test's size: e.g. 'over-rejects in this design (size 15.7 %)'."""
    if row is None:
        return "size not measured"
    size, low, high = (float(row[k]) for k in ("size", "size_low", "size_high"))  # type: ignore[arg-type]
    reading = row["reading"]
    if reading == RIGHT:
        return f"right-sized here (size {_pct(size)}, 95 % interval {low * 100:.1f}-{_pct(high)})"
    if reading == OVER:
        return f"over-rejects in this design (size {_pct(size)})"
    if reading == CANNOT:
        n = "one security" if row["design"] == SINGLE_DESIGN else f"N = {securities}"
        return f"under-rejects: cannot reject at 5 % with {n} (size {_pct(size)})"
    return f"under-rejects in this design (size {_pct(size)})"


def placebo_for_study(
    spec: StudySpec, source: object, *, trials: int | None = None, seed: int = PLACEBO_SEED
) -> StudyPlacebo:
    """The study's placebo run as ``run`` makes it: seeded, every window of the study, or a note saying why not.

    ``trials`` None: :data:`PLACEBO_TRIALS`, skipped for a study of more than
    :data:`PLACEBO_MAX_PAIRS` pairs; 0: off. Skipped also when the prices do
    not come from a folder of CSV or Parquet files (the run reads each file's
    whole history), when the study has more than :data:`PLACEBO_MAX_SECURITIES`
    securities (all on one date) or fewer than 1, or when no date has every
    security's whole window. Indices measured on themselves are left out, as in the tests table.
    """
    from eventstudy.errors import EventStudyError
    from eventstudy.inference.validation.placebo_cache import cached_run
    from eventstudy.market import CsvDirectorySource, ParquetSource

    asked = trials is not None
    n_trials = PLACEBO_TRIALS if trials is None else int(trials)
    secs = [s for s in spec.securities if not s.is_index]
    pairs = len(spec.pairs) or len(spec.events) * len(spec.securities)
    if n_trials <= 0:
        return StudyPlacebo(None, 0, seed, "not run (--placebo-trials 0)")
    if not asked and pairs > PLACEBO_MAX_PAIRS:
        return StudyPlacebo(None, 0, seed, f"not run by default for a study of {pairs:,} pairs (more than "
                            f"{PLACEBO_MAX_PAIRS}); --placebo-trials N runs it")  # fmt: skip
    if not isinstance(source, CsvDirectorySource | ParquetSource):
        return StudyPlacebo(None, 0, seed, "not run: it reads whole price files (--prices DIR), not downloads")
    if any(not s.benchmark for s in secs):
        return StudyPlacebo(None, 0, seed, "not run: it fits the market model, and a security has no benchmark")
    if not secs or len(secs) > PLACEBO_MAX_SECURITIES:
        return StudyPlacebo(None, 0, seed, f"not run: {len(secs)} securities (it puts 1 to "
                            f"{PLACEBO_MAX_SECURITIES} on one date)")  # fmt: skip
    listings = [Listing(s.ticker, s.benchmark, s.exchange) for s in secs]
    exclude = [pd.Timestamp(e.timestamp).tz_localize(None).normalize() for e in spec.events]
    design = {"estimation_window": spec.estimation_window, "event_windows": spec.event_windows,
              "ar_window": spec.ar_window, "trials": n_trials, "seed": seed, "exclude": exclude}  # fmt: skip
    defaults = {"effects": EFFECTS, "alphas": ALPHAS, "n_boot": BOOTSTRAP_DRAWS, "wild_draws": BOOTSTRAP_DRAWS}
    try:  # cached on disk (inference/validation/placebo_cache.py): a rerun reads it back
        run = cached_run(source, listings, design | defaults, lambda: study_placebo(source, listings, **design))  # type: ignore[arg-type]
    except EventStudyError as exc:  # no common date, a price file missing or unreadable: the study stands without it
        return StudyPlacebo(None, 0, seed, f"not run: {exc}")
    distinct = len(set(run.dates))
    note = (
        f"{n_trials} placebo dates from the securities' own history ({distinct} distinct of {run.candidates} "
        f"qualifying dates, none within {EXCLUDE_SESSIONS} sessions of an event), seed {seed}; every security on "
        f"each date, market model on the study's estimation window, no effect added (size) and 1 %, 2 %, 5 % "
        f"added to day 0 (power)"
    )
    return StudyPlacebo(run, n_trials, seed, note, len(listings))
