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

The pieces: :mod:`~eventstudy.inference.validation.design` (securities, windows,
effects, option checks), :mod:`~eventstudy.inference.validation.returns` (returns and
draws), :mod:`~eventstudy.inference.validation.trials` (fits, tests, rejection rates)
and :mod:`~eventstudy.inference.validation.diagnostics` (what explains a mis-sized test).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from eventstudy.inference.validation.design import (
    ALPHAS,
    AR_WINDOW,
    BOOTSTRAP_DRAWS,
    DEFAULT_SEED,
    DEFAULT_TRIALS,
    DESIGNS,
    EFFECTS,
    ESTIMATION_WINDOW,
    GROUP,
    GROUP_SIZE,
    SINGLE,
    WINDOWS,
    Listing,
    check_options,
)
from eventstudy.inference.validation.diagnostics import group_diagnostics, single_diagnostics
from eventstudy.inference.validation.returns import draw_bw, draw_groups, draw_single, group_offsets, load_returns
from eventstudy.inference.validation.trials import Progress, fit_rows, rejection_rates, simulate


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
        from eventstudy.file_io import write_csv

        write_csv(self.table, path, float_format=None)


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
    check_options(trials, single, windows, group, group_size, n_boot, designs)
    clock = time.perf_counter()
    timings: dict[str, float] = {}
    say(f"reading prices from {prices}")
    series = load_returns(prices, list(dict.fromkeys([*single, *group])))
    timings["load"] = time.perf_counter() - clock

    lo, hi = ESTIMATION_WINDOW[0], AR_WINDOW[1]
    rng = np.random.default_rng(seed)
    single_rows = draw_single(rng, [series[x] for x in single], trials, lo, hi)
    draws = {
        "clustered": lambda: draw_groups(rng, [series[x] for x in group], trials, lo, hi, group_size),
        "brown-warner": lambda: draw_bw(rng, [series[x] for x in group], trials, lo, hi, group_size),
    }
    groups_of = {d: draws[d]() for d in DESIGNS if d in designs}  # fixed draw order whatever the order asked
    boot_seed = int(rng.integers(0, 2**32))
    wild_seeds = {d: rng.integers(0, 2**32, size=trials) for d in groups_of}
    rows = list(single_rows)
    members: dict[str, list[np.ndarray]] = {}
    for d, groups in groups_of.items():
        members[d] = [np.arange(len(rows) + k, len(rows) + k + len(g)) for k, g in group_offsets(groups)]
        rows += [r for g in groups for r in g]

    rows_fit = fit_rows(rows, ESTIMATION_WINDOW, AR_WINDOW, windows)
    timings["draw_fit"] = time.perf_counter() - clock - timings["load"]
    say(f"fitted {len(rows)} market models; running the tests")
    rec = simulate(rows_fit, len(single_rows), members, effects=effects, n_boot=n_boot, boot_seed=boot_seed,
                   wild_seeds=wild_seeds, width=trials, say=say)  # fmt: skip
    timings["tests"] = time.perf_counter() - clock - timings["load"] - timings["draw_fit"]
    table = rejection_rates(rec.pvalues, tuple(effects), tuple(alphas))
    fit, z = rows_fit.fit, rows_fit.day0_z()
    diagnostics = single_diagnostics(fit, z, len(single_rows))
    design_diag = {d: group_diagnostics(fit, z, groups) for d, groups in members.items()}
    diagnostics |= design_diag.get("clustered", {})
    timings["total"] = time.perf_counter() - clock
    return ValidationResult(
        table, rec.pvalues, diagnostics, trials, seed, tuple(effects), tuple(alphas), windows, timings,
        tuple(members), design_diag,
    )  # fmt: skip
