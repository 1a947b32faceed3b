"""Test statistics: one as a small :class:`TestResult`, many as :class:`TestColumns` (arrays).

References
----------
MacKinlay, A. C. (1997). Event studies in economics and finance. Journal of
Economic Literature 35(1), 13-39.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np

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


@dataclass(frozen=True, eq=False)
class TestColumns(Sequence[TestResult]):
    """One test of many blocks or securities, as arrays: item ``i`` is what the one-block function returns for ``i``.

    What every batch function returns (cross-sectional and single-security
    tests): the table reads the arrays, a caller indexing or iterating gets
    :class:`TestResult` objects. ``df`` is NaN where the result has none (every invalid block);
    ``stat`` and ``pvalue`` are NaN where the test cannot be computed, the
    reason in ``note``.
    """

    __test__ = False  # not a pytest test class

    name: np.ndarray  # object, one per block (the Corrado name depends on the window)
    stat: np.ndarray
    pvalue: np.ndarray
    null: str
    nobs: np.ndarray  # int64
    df: np.ndarray
    note: np.ndarray  # object

    def __len__(self) -> int:
        return len(self.stat)

    @overload
    def __getitem__(self, i: int) -> TestResult: ...
    @overload
    def __getitem__(self, i: slice) -> list[TestResult]: ...
    def __getitem__(self, i: int | slice) -> TestResult | list[TestResult]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        df = float(self.df[i])
        return TestResult(str(self.name[i]), float(self.stat[i]), float(self.pvalue[i]), self.null,
                          int(self.nobs[i]), None if math.isnan(df) else df, str(self.note[i]))  # fmt: skip

    def __iter__(self) -> Iterator[TestResult]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:  # as the list of its results
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None  # type: ignore[assignment]


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
