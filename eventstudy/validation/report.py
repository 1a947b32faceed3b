"""Tables of rejection rates, and why a test is mis-sized on these data.

A test is called mis-sized when its rejection rate under the null at the
5 % level lies outside 4-6 % (:data:`~eventstudy.validation.simulation.SIZE_BAND`).
:func:`explain` gives the reason from measured properties of the drawn data
(``ValidationResult.diagnostics``): fat tails, correlation of securities
sharing an event date, the discreteness of rank and sign tests with 4-8
securities, and the p-value floor of the empirical-distribution tests.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from functools import lru_cache
from itertools import product

import numpy as np
import pandas as pd

from eventstudy import cross_section as cs
from eventstudy.validation.simulation import SIZE_BAND, ValidationResult


def binomial_band(rate: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """Normal-approximation interval a rejection rate ``rate`` stays in over ``n`` trials."""
    half = z * math.sqrt(rate * (1.0 - rate) / n) if n > 0 else math.nan
    return rate - half, rate + half


@lru_cache(maxsize=32)
def wilcoxon_exact_size(n: int, alpha: float = 0.05) -> float:
    """Share of the 2^n equally likely sign patterns of ``n`` independent CARs that Wilcoxon rejects."""
    ranks = np.arange(1.0, n + 1)
    hits = sum(cs.wilcoxon_signed_rank(ranks * np.array(signs)).pvalue <= alpha for signs in product((-1, 1), repeat=n))
    return hits / 2**n


@lru_cache(maxsize=32)
def sign_exact_size(n: int, alpha: float = 0.05) -> float:
    """Probability that the generalized sign test rejects ``n`` independent CARs (p = 1/2)."""
    from scipy import stats

    half = np.tile([1.0, -1.0], (n, 1))  # estimation share of positive residuals = 1/2
    return float(
        sum(
            stats.binom.pmf(w, n, 0.5)
            for w in range(n + 1)
            if cs.generalized_sign_z(np.r_[np.ones(w), -np.ones(n - w)], half).pvalue <= alpha
        )
    )


def _group_counts(diag: dict[str, float]) -> dict[int, float]:
    """Number of groups of each size N, from the ``groups_nN`` diagnostics."""
    return {int(k[len("groups_n") :]): v for k, v in diag.items() if k.startswith("groups_n")}


def _by_size(diag: dict[str, float], size: Callable[[int], float]) -> float:
    """Average of ``size(N)`` over the drawn groups."""
    counts = _group_counts(diag)
    total = sum(counts.values())
    return sum(v * size(k) for k, v in counts.items()) / total if total else math.nan


def explain(result: ValidationResult, test: str, rate: float, alpha: float = 0.05) -> str:
    """Why ``test`` rejects a share ``rate`` of the null trials at ``alpha`` on these data."""
    d = result.diagnostics
    n = int(result.table.loc[result.table["test"] == test, "n"].iloc[0])
    lo, hi = binomial_band(alpha, n)
    noise = f"within sampling error ({lo:.1%}-{hi:.1%} for an exact test over {n} trials); " if lo <= rate <= hi else ""
    over = rate > alpha
    level = f"{alpha:.0%}"
    r, r0 = d.get("group_residual_correlation", math.nan), d.get("group_day0_correlation", math.nan)
    corr = f"cross-correlation of securities sharing day 0 (r = {r:.2f} on the estimation window, {r0:.2f} on day 0)"
    keys = ("day0_t_variance", "day0_t_excess_kurtosis", "residual_excess_kurtosis")
    var0, kurt0, kurt = (d.get(k, math.nan) for k in keys)
    tails = (
        f"fat tails (day-0 t statistics: variance {var0:.2f}, excess kurtosis {kurt0:.1f}, against 1.01 and 0.03 "
        f"for Student t with 238 df; estimation residuals: excess kurtosis {kurt:.1f})"
    )
    if test.startswith("CAR t"):
        if over:
            return f"{noise}{tails} and volatility clustering: σ from the estimation window misses day-0 volatility."
        return f"{noise}{tails}: |t| passes the critical value more often than t(238) at 1%, less often at 5-10%."
    if test.startswith(("sample-quantile", "bootstrap")):
        return (
            f"{noise}the empirical null is exact only if the day-0 AR is exchangeable with the estimation "
            "residuals; estimated α and β and volatility changes make it only nearly so. The p-value floor "
            "2/(n+1) (0.008 for SQ with 240 residuals, 0.002 for 999 draws) matters only at 1%."
        )
    if test.startswith(("cross-sectional t", "BMP t")):
        predicted = d.get("t_size_from_correlation", math.nan)
        return (
            f"{noise}{corr}, which the test assumes away: t is too large by sqrt((1+(N-1)r)/(1-r)), which with "
            f"the measured r predicts {predicted:.1%} at 5%."
        )
    if test.startswith("Patell"):
        predicted = d.get("z_size_from_correlation", math.nan)
        return f"{noise}{corr}: Z is too large by sqrt(1+(N-1)r), which predicts {predicted:.1%} at 5%" + (
            f"; the rest is {tails}, as the sum of 4-8 SCARs is far from normal." if rate > predicted else "."
        )
    if test.startswith("Kolari"):
        return (
            f"{noise}the adjustment takes the estimation-window r ({r:.2f}) for the event-window correlation "
            f"(day 0: {r0:.2f}); with 4-8 securities r and the Student-t reference are rough."
        )
    if test.startswith("Corrado"):
        return (
            f"{noise}{corr}, which the test assumes away; ranks remove the fat tails and S, from the time "
            "series of mean ranks, absorbs part of the correlation, so the excess is smaller than for the t tests."
        )
    if test.startswith("generalized sign"):
        indep = _by_size(d, lambda k: sign_exact_size(k, alpha))
        return (
            f"{noise}discreteness: with N = 4-8 the count of positive CARs takes N + 1 values, and the normal "
            f"approximation rejects {indep:.1%} of independent groups of the drawn sizes at {level} (N = 4: "
            f"{sign_exact_size(4, alpha):.1%}, all four signs equal)"
            + (f"; the rest is {corr}." if rate > indep else ".")
        )
    if test.startswith("Wilcoxon"):
        indep = _by_size(d, lambda k: wilcoxon_exact_size(k, alpha))
        counts = _group_counts(d)
        few = (counts.get(4, 0.0) + counts.get(5, 0.0)) / max(sum(counts.values()), 1.0)
        return (
            f"{noise}discreteness: the exact p-value is at least 0.125 with N = 4 and 0.0625 with N = 5 "
            f"({few:.0%} of the groups), so independent groups of the drawn sizes would be rejected "
            f"{indep:.1%} of the time at {level}" + (f"; {corr} more than offsets this." if rate > indep else ".")
        )
    return f"{noise}no explanation recorded for this test."


def mis_sized(result: ValidationResult, alpha: float = 0.05, band: tuple[float, float] = SIZE_BAND) -> pd.DataFrame:
    """Tests whose null rejection rate at ``alpha`` lies outside ``band``: ``test, rate, direction, reason``."""
    rows = []
    if 0.0 not in result.effects or not any(math.isclose(alpha, a) for a in result.alphas):
        return pd.DataFrame(rows, columns=["test", "rate", "direction", "reason"])  # no null trials at alpha
    for test in dict.fromkeys(result.table["test"]):
        rate = result.rate(test, 0.0, alpha)
        if not band[0] <= rate <= band[1]:
            direction = "over-rejects" if rate > band[1] else "under-rejects"
            rows.append({"test": test, "rate": rate, "direction": direction, "reason": explain(result, test, rate)})
    return pd.DataFrame(rows, columns=["test", "rate", "direction", "reason"])


def _effect_label(effect: float) -> str:
    return "no effect" if effect == 0 else f"+{effect:.0%} on day 0"


def format_table(result: ValidationResult, *, markdown: bool = False) -> str:
    """The rejection rates in percent, one row per test, columns effect x alpha.

    ``n`` is the number of valid trials of the test at the first effect
    (the null, by default). The Markdown
    headers read "effect / alpha" ("2% / 5%": 2% added on day 0, 5% level).
    """
    t = result.table
    alphas = [f"{a:.0%}" for a in result.alphas]
    tests = list(dict.fromkeys(t["test"]))
    values = {
        test: [f"{100 * result.rate(test, e, a):.1f}" for e in result.effects for a in result.alphas] for test in tests
    }
    n = {test: int(t.loc[t["test"] == test, "n"].iloc[0]) for test in tests}  # first effect: the null
    if markdown:
        head = ["test", "n", *(f"{e:.0%} / {a}" for e in result.effects for a in alphas)]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * 2 + "---:|" * (len(head) - 2)]
        lines += ["| " + " | ".join([test, str(n[test]), *values[test]]) + " |" for test in tests]
        return "\n".join(lines)
    width = max(len(x) for x in [*tests, "test"])
    group = 6 * len(alphas)
    top = " " * (width + 6) + "".join(f"{_effect_label(e):>{group}}" for e in result.effects)
    sub = f"{'test':<{width}} {'n':>5}" + "".join(f"{a:>6}" for _ in result.effects for a in alphas)
    rows = [f"{test:<{width}} {n[test]:>5}" + "".join(f"{v:>6}" for v in values[test]) for test in tests]
    return "\n".join([top, sub, *rows])


def format_report(result: ValidationResult, prices: str = "") -> str:
    """What ``eventstudy validate`` prints: the table, the mis-sized tests and the times."""
    source = f" on {prices}" if prices else ""
    windows = ", ".join(f"[{a},{b}]" for a, b in result.windows)
    lo, hi = SIZE_BAND
    blo, bhi = binomial_band(0.05, result.trials)
    lines = [
        f"Placebo simulation{source}: {result.trials} trials, seed {result.seed}; market model on [-250,-11]; "
        f"event window {windows}",
        "Rejection rates in % (share of trials with p <= alpha; n = valid trials under H0)",
        "",
        format_table(result),
        "",
        f"Size at 5% under H0: well specified is {lo:.0%}-{hi:.0%} "
        f"(an exact test lands in {blo:.1%}-{bhi:.1%} in 95% of {result.trials}-trial runs).",
    ]
    bad = mis_sized(result)
    if bad.empty:
        lines.append("Every test is within the band.")
    for row in bad.itertuples():
        text = f"- {row.test}: {row.rate:.1%}, {row.direction}. {row.reason[:1].upper()}{row.reason[1:]}"
        lines.append(textwrap.fill(text, width=110, subsequent_indent="  "))
    tm = result.timings
    lines += [
        "",
        f"elapsed {tm.get('total', math.nan):.1f} s (prices {tm.get('load', math.nan):.1f} s, draws and fits "
        f"{tm.get('draw_fit', math.nan):.1f} s, tests {tm.get('tests', math.nan):.1f} s)",
    ]
    return "\n".join(lines)
