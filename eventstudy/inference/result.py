"""Test statistics, each returned as a small :class:`TestResult`.

References
----------
MacKinlay, A. C. (1997). Event studies in economics and finance. Journal of
Economic Literature 35(1), 13-39.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from eventstudy.engine.ols import t_two_sided  # the one Student-t p-value


@dataclass(frozen=True)
class TestResult:
    """A test statistic with its p-value and what it tests."""

    __test__ = False  # not a pytest test class

    name: str
    stat: float
    pvalue: float
    null: str
    nobs: int
    df: float | None = None
    note: str = ""

    @property
    def valid(self) -> bool:
        """False for a test that could not be computed."""
        return math.isfinite(self.pvalue)

    def summary(self) -> str:
        """One line: name, statistic, p-value, n."""
        df = f", df={self.df:g}" if self.df is not None else ""
        return f"{self.name}: stat={self.stat:.4f}, p={self.pvalue:.4g}, n={self.nobs}{df} (H0: {self.null})"


def invalid_result(name: str, null: str, nobs: int, reason: str) -> TestResult:
    """A test that cannot be computed: NaN statistic and p-value, with the reason."""
    return TestResult(name, float("nan"), float("nan"), null, nobs, None, reason)


def car_t_test(car: float, variance: float, df: int, *, name: str = "CAR t") -> TestResult:
    """T test of one security's CAR with the prediction-error variance.

    ``t = CAR / sqrt(Var)``, ``Var = σ²(L + ι'X*(X'X)⁻¹X*'ι)``. Under normal
    i.i.d. disturbances the prediction errors are independent of σ̂², so
    ``t`` follows Student's t with ``df = n - k`` degrees of freedom
    (MacKinlay 1997, section 4); the p-value is two-sided.
    """
    null = "CAR = 0"
    if not (math.isfinite(variance) and variance > 0):
        return invalid_result(name, null, df, f"variance {variance!r} is not positive")
    t = car / math.sqrt(variance)
    return TestResult(name, float(t), t_two_sided(t, df), null, df, float(df))
