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
from eventstudy.inference.validation.diagnostics import day0_t, group_diagnostics, single_diagnostics
from eventstudy.inference.validation.returns import ReturnSeries, load_returns
from eventstudy.inference.validation.simulation import ValidationResult
from eventstudy.inference.validation.trials import rejection_rates, simulate

if TYPE_CHECKING:
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
    prices: str | Path,
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
    exclude: Sequence[pd.Timestamp] = (),
) -> PlaceboRun:
    """Size and power of every test for these securities, on placebo dates of their own history.

    Parameters
    ----------
    prices
        Directory of price CSV files.
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
        cross-sectional tests of the group (design ``"study"``).

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
    candidates, positions = _common_dates([series[x] for x in listings], lo, hi, exclude)
    if not len(candidates):
        raise ValidationInputError(f"no date on which {', '.join(x.ticker for x in listings)} all have the window")
    rng = np.random.default_rng(seed)
    picks = _pick(rng, len(candidates), trials)
    boot_seed = int(rng.integers(0, 2**32))
    wild = {STUDY_DESIGN: rng.integers(0, 2**32, size=trials)}
    k = len(listings)
    rows = [(series[x], int(positions[j, p])) for p in picks for j, x in enumerate(listings)]
    members = {STUDY_DESIGN: [np.arange(g * k, (g + 1) * k) for g in range(trials)]} if k > 1 else {}
    rec, fit, ev_y, ev_x, day0 = simulate(
        rows, len(rows), members, estimation_window=estimation_window, ar_window=ar_window, windows=windows,
        effects=effects, n_boot=n_boot, boot_seed=boot_seed, wild_seeds=wild, width=trials, timings=timings,
        clock=clock, say=lambda _m: None,
    )  # fmt: skip
    table = rejection_rates(rec.pvalues, tuple(effects), tuple(alphas))
    z = day0_t(fit, ev_y, ev_x, day0)
    design_diag = {d: group_diagnostics(fit, z, groups) for d, groups in members.items()}
    diagnostics = single_diagnostics(fit, z, len(rows)) | design_diag.get(STUDY_DESIGN, {})
    timings["total"] = time.perf_counter() - clock
    result = ValidationResult(
        table, rec.pvalues, diagnostics, trials, seed, tuple(effects), tuple(alphas), windows, timings,
        (SINGLE_DESIGN, *members), design_diag,
    )  # fmt: skip
    return PlaceboRun(result, listings, tuple(pd.Timestamp(candidates[p]) for p in picks), len(candidates))


def study_placebo_for(spec: StudySpec, prices: str | Path, **options: object) -> PlaceboRun:
    """:func:`study_placebo` with a study's securities, windows and event dates (excluded from the draw).

    ``options`` are passed on and override the study's (e.g. ``event_windows=((0, 0),)``).
    """
    listings = [Listing(s.ticker, s.benchmark, s.exchange) for s in spec.securities]
    exclude = [pd.Timestamp(e.timestamp).tz_localize(None).normalize() for e in spec.events]
    study: dict[str, object] = {"estimation_window": spec.estimation_window, "event_windows": spec.event_windows,
                                "ar_window": spec.ar_window, "exclude": exclude}  # fmt: skip
    return study_placebo(prices, listings, **(study | options))  # type: ignore[arg-type]


def _pick(rng: np.random.Generator, candidates: int, trials: int) -> np.ndarray:
    """``trials`` distinct candidates if there are enough; otherwise each once, in random order, then at random."""
    if trials <= candidates:
        return rng.choice(candidates, size=trials, replace=False)
    return np.concatenate([rng.permutation(candidates), rng.choice(candidates, size=trials - candidates)])


def _common_dates(
    series: list[ReturnSeries], lo: int, hi: int, exclude: Sequence[pd.Timestamp]
) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Sessions of the first security's exchange on which every security has its window, and each one's day 0.

    Day 0 of security j for date d is its first session on or after d.
    Returns the dates and an (N, dates) array of session positions.
    """
    dates = series[0].sessions
    positions = np.empty((len(series), len(dates)), dtype=np.int64)
    ok = np.ones(len(dates), dtype=bool)
    for j, s in enumerate(series):
        pos = s.sessions.searchsorted(dates)
        valid = np.zeros(len(s.sessions) + 1, dtype=bool)
        valid[s.valid_days(lo, hi)] = True
        ok &= valid[pos]
        positions[j] = np.minimum(pos, len(s.sessions) - 1)
    if len(exclude):
        near = np.abs(dates.searchsorted(pd.DatetimeIndex(exclude))[:, None] - np.arange(len(dates))[None, :])
        ok &= ~(near < EXCLUDE_SESSIONS + hi).any(axis=0)
    keep = np.flatnonzero(ok)
    return dates[keep], positions[:, keep]
