"""Tables of rejection rates, and why a test is mis-sized on these data.

A test is called mis-sized when its rejection rate under the null at the
5 % level lies outside 4-6 % (:data:`~eventstudy.inference.validation.design.SIZE_BAND`).
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

from eventstudy.inference import cross_section as cs
from eventstudy.inference.validation.design import SIZE_BAND
from eventstudy.inference.validation.simulation import ValidationResult


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


@lru_cache(maxsize=32)
def sign_binomial_size(n: int, alpha: float = 0.05) -> float:
    """Probability that the exact binomial sign test (p0 = 1/2) rejects ``n`` independent CARs."""
    from scipy import stats

    return float(sum(stats.binom.pmf(w, n, 0.5) for w in range(n + 1) if stats.binomtest(w, n).pvalue <= alpha))


def _group_counts(diag: dict[str, float]) -> dict[int, float]:
    """Number of groups of each size N, from the ``groups_nN`` diagnostics."""
    return {int(k[len("groups_n") :]): v for k, v in diag.items() if k.startswith("groups_n")}


def _by_size(diag: dict[str, float], size: Callable[[int], float]) -> float:
    """Average of ``size(N)`` over the drawn groups."""
    counts = _group_counts(diag)
    total = sum(counts.values())
    return sum(v * size(k) for k, v in counts.items()) / total if total else math.nan


def explain(result: ValidationResult, test: str, rate: float, alpha: float = 0.05, design: str = "clustered") -> str:
    """Why ``test`` rejects a share ``rate`` of the null trials at ``alpha`` in ``design`` on these data."""
    d = result.diagnostics | result.design_diagnostics.get(design, {})
    t = result.table
    n = int(t.loc[(t["test"] == test) & (t["design"] == design), "n"].iloc[0])
    lo, hi = binomial_band(alpha, n)
    noise = f"within sampling error ({lo:.1%}-{hi:.1%} for an exact test over {n} trials); " if lo <= rate <= hi else ""
    over = rate > alpha
    level = f"{alpha:.0%}"
    clustered = design == "clustered"
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
    if test.startswith("GRANK t (Kolari"):
        return (
            f"{noise}small N: the SCARs are divided by their cross-sectional SD, estimated from only 4-8 of "
            "them, so the re-standardized day-0 value is heavy-tailed against the estimation-day SARs and ranks "
            "at the extremes too often (12% at 5% with N = 4 and 7% with N = 8 on i.i.d. normal data). The "
            "variant that ranks the SCAR itself is not affected."
        )
    if not clustered and over:
        return (
            f"{noise}no shared date here (r = {r0:.2f} between day-0 ARs), so the excess comes from {tails} "
            "and the small N (4-8), which the test's reference distribution does not allow for."
        )
    independent_wild = test == "wild bootstrap t"
    if not clustered and (test.startswith(("cross-sectional t", "BMP t", "Kolari")) or independent_wild):
        return (
            f"{noise}no shared date here (r = {r0:.2f} between day-0 ARs); with 4-8 fat-tailed CARs "
            f"({tails}) one large CAR inflates the cross-sectional SD as much as the mean, so the t ratio is "
            "conservative (a known property of the t test under heavy tails)"
            + ("; the 2^N sign patterns of the wild bootstrap inherit it." if independent_wild else ".")
        )
    if test.startswith(("cross-sectional t", "BMP t")) or independent_wild:
        predicted = d.get("t_size_from_correlation", math.nan)
        wild = (
            " The wild bootstrap draws its sign weights independently across securities, so a shock common to "
            "the shared date is missing from its null distribution too."
            if independent_wild
            else ""
        )
        return (
            f"{noise}{corr}, which the test assumes away: t is too large by sqrt((1+(N-1)r)/(1-r)), which with "
            f"the measured r predicts {predicted:.1%} at 5%.{wild}"
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
    if test.startswith("portfolio"):
        pv, pk = d.get("portfolio_day0_t_variance", math.nan), d.get("portfolio_day0_t_excess_kurtosis", math.nan)
        return (
            f"{noise}the portfolio's SD comes from the estimation window; on day 0 the portfolio statistic has "
            f"variance {pv:.2f} (1 for a right-sized test) and excess kurtosis {pk:.1f}: the fat tails of a "
            f"portfolio of 4-8 tech stocks, and a day-0 correlation ({r0:.2f}) above the estimation-window one "
            f"({r:.2f}), which the portfolio SD cannot know."
        )
    if test.startswith("wild bootstrap t, estimation dates"):
        return (
            f"{noise}its null is drawn from whole estimation days, so it assumes the event day's cross-section "
            f"is like an estimation day's: day-0 correlation {r0:.2f} against {r:.2f} on the estimation window, "
            f"and {tails}."
        )
    if test.startswith("GRANK"):
        return (
            f"{noise}the rank variance comes from the time series of mean ranks on the estimation window, so "
            f"it assumes the day-0 correlation ({r0:.2f}) equals the estimation-window one ({r:.2f})."
        )
    if test.startswith("Corrado"):
        return (
            f"{noise}{corr}, which the test assumes away; ranks remove the fat tails and S, from the time "
            "series of mean ranks, absorbs part of the correlation, so the excess is smaller than for the t tests."
        )
    if test.startswith(("generalized sign", "sign")):
        exact = "exact binomial" in test
        indep = _by_size(d, lambda k: (sign_binomial_size if exact else sign_exact_size)(k, alpha))
        what = (
            "the exact binomial p-value cannot fall below 0.5^N for N equal signs (0.0625 with N = 4)"
            if exact
            else "the normal approximation is crude"
        )
        return (
            f"{noise}discreteness: with N = 4-8 the count of positive CARs takes N + 1 values and {what}; "
            f"independent groups of the drawn sizes would be rejected {indep:.1%} of the time at {level}"
            + (f"; the rest is {corr}." if clustered and rate > indep else ".")
        )
    if test.startswith("Wilcoxon"):
        indep = _by_size(d, lambda k: wilcoxon_exact_size(k, alpha))
        counts = _group_counts(d)
        few = (counts.get(4, 0.0) + counts.get(5, 0.0)) / max(sum(counts.values()), 1.0)
        return (
            f"{noise}discreteness: the exact p-value is at least 0.125 with N = 4 and 0.0625 with N = 5 "
            f"({few:.0%} of the groups), so independent groups of the drawn sizes would be rejected "
            f"{indep:.1%} of the time at {level}"
            + (f"; {corr} more than offsets this." if clustered and rate > indep else ".")
        )
    return f"{noise}no explanation recorded for this test."


def mis_sized(result: ValidationResult, alpha: float = 0.05, band: tuple[float, float] = SIZE_BAND) -> pd.DataFrame:
    """Tests whose null rejection rate at ``alpha`` lies outside ``band``: ``test, design, rate, direction, reason``."""
    rows = []
    columns = ["test", "design", "rate", "direction", "reason"]
    if 0.0 not in result.effects or not any(math.isclose(alpha, a) for a in result.alphas):
        return pd.DataFrame(rows, columns=columns)  # no null trials at alpha
    pairs = result.table[["test", "design"]].drop_duplicates()
    for test, design in pairs.itertuples(index=False):
        rate = result.rate(test, 0.0, alpha, design)
        if not band[0] <= rate <= band[1]:
            direction = "over-rejects" if rate > band[1] else "under-rejects"
            reason = explain(result, test, rate, alpha, design)
            rows.append({"test": test, "design": design, "rate": rate, "direction": direction, "reason": reason})
    return pd.DataFrame(rows, columns=columns)


def _effect_label(effect: float) -> str:
    return "no effect" if effect == 0 else f"+{effect:.0%} on day 0"


def format_table(result: ValidationResult, *, markdown: bool = False) -> str:
    """The rejection rates in percent, one row per test and design, columns effect x alpha.

    ``n`` is the number of valid trials of the test at the first effect
    (the null, by default). The Markdown headers read "effect / alpha"
    ("2% / 5%": 2% added on day 0, 5% level).
    """
    t = result.table
    alphas = [f"{a:.0%}" for a in result.alphas]
    pairs = list(dict.fromkeys(zip(t["test"], t["design"], strict=True)))
    values = {
        (test, d): [f"{100 * result.rate(test, e, a, d):.1f}" for e in result.effects for a in result.alphas]
        for test, d in pairs
    }
    n = {(test, d): int(t.loc[(t["test"] == test) & (t["design"] == d), "n"].iloc[0]) for test, d in pairs}
    if markdown:
        head = ["test", "design", "n", *(f"{e:.0%} / {a}" for e in result.effects for a in alphas)]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * 3 + "---:|" * (len(head) - 3)]
        lines += ["| " + " | ".join([test, d, str(n[test, d]), *values[test, d]]) + " |" for test, d in pairs]
        return "\n".join(lines)
    width = max(len(x) for x in [*(p[0] for p in pairs), "test"])
    dw = max(len(x) for x in [*(p[1] for p in pairs), "design"])
    group = 6 * len(alphas)
    top = " " * (width + dw + 7) + "".join(f"{_effect_label(e):>{group}}" for e in result.effects)
    sub = f"{'test':<{width}} {'design':<{dw}} {'n':>5}" + "".join(f"{a:>6}" for _ in result.effects for a in alphas)
    rows = [
        f"{test:<{width}} {d:<{dw}} {n[test, d]:>5}" + "".join(f"{v:>6}" for v in values[test, d]) for test, d in pairs
    ]
    return "\n".join([top, sub, *rows])


def format_report(result: ValidationResult, prices: str = "") -> str:
    """What ``eventstudy validate`` prints: the table, the mis-sized tests and the times."""
    source = f" on {prices}" if prices else ""
    windows = ", ".join(f"[{a},{b}]" for a, b in result.windows)
    lo, hi = SIZE_BAND
    blo, bhi = binomial_band(0.05, result.trials)
    lines = [
        f"Placebo simulation{source}: {result.trials} trials per design, seed {result.seed}; market model on "
        f"[-250,-11]; event window {windows}",
        "Designs: single = one security; brown-warner = 4-8 securities, each on its own random date; "
        "clustered = 4-8 securities on one common date",
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
        text = f"- {row.test} ({row.design}): {row.rate:.1%}, {row.direction}. {row.reason[:1].upper()}{row.reason[1:]}"
        lines.append(textwrap.fill(text, width=110, subsequent_indent="  "))
    tm = result.timings
    lines += [
        "",
        f"elapsed {tm.get('total', math.nan):.1f} s (prices {tm.get('load', math.nan):.1f} s, draws and fits "
        f"{tm.get('draw_fit', math.nan):.1f} s, tests {tm.get('tests', math.nan):.1f} s)",
    ]
    return "\n".join(lines)
