"""Multiple testing: Holm and Benjamini-Hochberg adjusted p-values, one family or many at once.

The numbers of :func:`statsmodels.stats.multitest.multipletests` (``tests/inference/test_robust.py`` checks
them family by family), computed for every family of a tests table in one pass: statsmodels'
Holm runs a full ``gc.collect()`` on each call, which cost seconds on a study's table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

ADJUSTMENTS = {"holm": "Holm", "fdr_bh": "Benjamini-Hochberg"}


@dataclass(frozen=True)
class AdjustedPValues:
    """p-values adjusted for multiple testing, with what was done."""

    adjusted: np.ndarray
    method: str  # "holm" or "fdr_bh"
    family: int  # number of finite p-values adjusted together

    @property
    def label(self) -> str:
        """E.g. ``"Holm-adjusted over 12 tests"``."""
        return f"{ADJUSTMENTS[self.method]}-adjusted over {self.family} tests"


def adjust_pvalues(pvalues: ArrayLike, method: str = "holm") -> AdjustedPValues:
    """Holm (family-wise error) or Benjamini-Hochberg (false discovery rate) adjusted p-values of one family.

    The numbers of :func:`statsmodels.stats.multitest.multipletests` (``tests/inference/test_robust.py``
    checks them against it) on the finite p-values; NaNs, tests that could not be
    computed, stay NaN and are not counted in the family. ``method`` is ``"holm"``
    (Holm 1979, Scandinavian Journal of Statistics 6(2), 65-70) or ``"fdr_bh"``
    (Benjamini & Hochberg 1995, JRSS B 57(1), 289-300). See :func:`adjust_families`.
    """
    p = np.asarray(pvalues, dtype=float).ravel()
    out = adjust_families(p, np.zeros(len(p), dtype=np.int64), method)
    return AdjustedPValues(out, method, int(np.isfinite(p).sum()))


def adjust_families(pvalues: ArrayLike, family: ArrayLike, method: str = "holm") -> np.ndarray:
    """Holm or Benjamini-Hochberg adjusted p-values of many families at once (``family``: a code per p-value).

    Within a family of m finite p-values sorted ``p_(1) <= ... <= p_(m)``: Holm
    ``min(1, max_{j <= i} (m - j + 1) p_(j))``; Benjamini-Hochberg
    ``min(1, min_{j >= i} m p_(j) / j)``; NaN stays NaN. These are the formulas of
    ``multipletests(method="holm" | "fdr_bh")``, computed here for every family
    in one pass because statsmodels' Holm runs a full ``gc.collect()`` on each
    call (about 0.1 s in a process holding a study's tables; a tests table has
    one family per event and test, thousands in a large study).
    """
    if method not in ADJUSTMENTS:
        raise ValueError(f"method must be one of {sorted(ADJUSTMENTS)}, got {method!r}")
    p = np.asarray(pvalues, dtype=float).ravel()
    codes = np.asarray(family).ravel()
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    if not len(ok):
        return out
    # by family, then p (tied p-values get the same adjusted value, so their order does not matter)
    by_p = ok[np.argsort(p[ok])]
    order = by_p[np.argsort(codes[by_p], kind="stable")]
    fam = codes[order]
    first = np.r_[True, fam[1:] != fam[:-1]]
    segment = np.cumsum(first) - 1  # family number in sorted order
    starts = np.flatnonzero(first)
    rank = np.arange(len(order)) - starts[segment] + 1  # i = 1..m
    m = np.diff(np.r_[starts, len(order)])[segment]
    if method == "holm":
        raw = pd.Series(p[order] * (m - rank + 1))
        adjusted = raw.groupby(segment, sort=False).cummax().to_numpy()
    else:
        raw = pd.Series((p[order] * m / rank)[::-1])
        adjusted = raw.groupby(segment[::-1], sort=False).cummin().to_numpy()[::-1]
    out[order] = np.minimum(adjusted, 1.0)
    return out
