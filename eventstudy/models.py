"""Expected-return models, fitted on the estimation window.

Each model has ``fit(returns, benchmark) -> FittedModel``; a fitted model
predicts expected returns on the event window and gives the variance of a
cumulative prediction error, σ²(L + ι'X*(X'X)⁻¹X*'ι) (MacKinlay 1997,
eq. 11-12), which for the market model includes the estimation error of
α and β.

Models are chosen by object or by name through :func:`get_model`
("constant_mean", "market_adjusted", "market").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd

from eventstudy.errors import ModelError


@dataclass(frozen=True)
class FittedModel:
    """A model fitted on the estimation window.

    ``xtx_inv`` is (X'X)⁻¹ of the estimation design, or None for a model
    with no estimated parameters (market-adjusted).
    """

    name: str
    params: pd.Series
    sigma: float
    r2: float
    nobs: int
    df_resid: int
    xtx_inv: np.ndarray | None
    residuals: pd.Series = field(repr=False)
    uses_benchmark: bool = True
    fixed_beta: float | None = None

    @property
    def alpha(self) -> float:
        """Intercept (NaN when the model has none)."""
        return float(self.params.get("alpha", np.nan))

    @property
    def beta(self) -> float:
        """Benchmark slope (1 for market-adjusted, NaN when not used)."""
        return float(self.params.get("beta", np.nan))

    def design(self, benchmark: np.ndarray) -> np.ndarray:
        """Design rows X for benchmark returns."""
        ones = np.ones_like(benchmark, dtype=float)
        if not self.uses_benchmark:
            return ones[:, None]
        return np.column_stack([ones, benchmark])

    def expected(self, benchmark: np.ndarray) -> np.ndarray:
        """Expected returns given benchmark returns."""
        benchmark = np.asarray(benchmark, dtype=float)
        if self.fixed_beta is not None:
            return self.fixed_beta * benchmark
        return self.design(benchmark) @ self.params.to_numpy()

    def car_variance(self, benchmark: np.ndarray) -> float:
        """Variance of the sum of prediction errors over these event days."""
        benchmark = np.asarray(benchmark, dtype=float)
        length = len(benchmark)
        if self.xtx_inv is None:
            return self.sigma**2 * length
        x_sum = self.design(benchmark).sum(axis=0)
        return float(self.sigma**2 * (length + x_sum @ self.xtx_inv @ x_sum))

    def ar_variance(self, benchmark: np.ndarray) -> np.ndarray:
        """Variance of each day's prediction error (for standardized ARs)."""
        benchmark = np.asarray(benchmark, dtype=float)
        if self.xtx_inv is None:
            return np.full(len(benchmark), self.sigma**2)
        x = self.design(benchmark)
        return self.sigma**2 * (1.0 + np.einsum("ij,jk,ik->i", x, self.xtx_inv, x))


class ExpectedReturnModel(Protocol):
    """What a model must provide."""

    name: str

    def fit(self, returns: pd.Series, benchmark: pd.Series) -> FittedModel:
        """Fit on estimation-window returns."""
        ...


def _check(returns: pd.Series, benchmark: pd.Series, min_obs: int) -> None:
    if len(returns) != len(benchmark):
        raise ModelError("returns and benchmark differ in length")
    if returns.isna().any() or benchmark.isna().any():
        raise ModelError("estimation window contains missing returns")
    if len(returns) < min_obs:
        raise ModelError(f"estimation window has {len(returns)} returns; at least {min_obs} are needed")


def _ols(name: str, y: pd.Series, x: np.ndarray, names: list[str], *, uses_benchmark: bool = True) -> FittedModel:
    from statsmodels.regression.linear_model import OLS

    res = OLS(y.to_numpy(dtype=float), x).fit()
    if not np.isfinite(res.scale) or res.scale <= 0:
        raise ModelError(f"{name} model: estimation-window residuals have zero variance (constant returns?)")
    return FittedModel(
        name=name,
        params=pd.Series(res.params, index=names, name="params"),
        sigma=float(np.sqrt(res.scale)),  # ssr / (n - k)
        r2=float(res.rsquared) if len(names) > 1 else float("nan"),
        nobs=int(res.nobs),
        df_resid=int(res.df_resid),
        xtx_inv=np.asarray(res.normalized_cov_params),
        residuals=pd.Series(res.resid, index=y.index, name="residual"),
        uses_benchmark=uses_benchmark,
    )


class ConstantMeanModel:
    """Expected return = the estimation-window mean (Brown & Warner 1985)."""

    name = "constant_mean"

    def fit(self, returns: pd.Series, benchmark: pd.Series) -> FittedModel:
        """Fit by OLS on a constant."""
        _check(returns, benchmark, 3)
        return _ols(self.name, returns, np.ones((len(returns), 1)), ["alpha"], uses_benchmark=False)


class MarketAdjustedModel:
    """Expected return = the benchmark return (α = 0, β = 1), nothing estimated.

    σ is the standard deviation of ``R - Rm`` on the estimation window
    (n - 1 degrees of freedom).
    """

    name = "market_adjusted"

    def fit(self, returns: pd.Series, benchmark: pd.Series) -> FittedModel:
        """Compute σ of the estimation-window abnormal returns."""
        _check(returns, benchmark, 3)
        resid = returns - benchmark.to_numpy()
        sigma = float(resid.std(ddof=1))
        if not sigma > 0:
            raise ModelError("market_adjusted model: R - Rm is constant on the estimation window")
        return FittedModel(
            name=self.name,
            params=pd.Series({"alpha": 0.0, "beta": 1.0}, name="params"),
            sigma=sigma,
            r2=float("nan"),
            nobs=len(returns),
            df_resid=len(returns) - 1,
            xtx_inv=None,
            residuals=resid.rename("residual"),
            fixed_beta=1.0,
        )


class MarketModel:
    """``R = α + β Rm + ε`` by statsmodels OLS; σ with n - 2 degrees of freedom."""

    name = "market"

    def fit(self, returns: pd.Series, benchmark: pd.Series) -> FittedModel:
        """Fit α and β by OLS."""
        _check(returns, benchmark, 3)
        bench = benchmark.to_numpy(dtype=float)
        if np.ptp(bench) == 0:
            raise ModelError("market model: benchmark returns are constant on the estimation window")
        x = np.column_stack([np.ones(len(bench)), bench])
        return _ols(self.name, returns, x, ["alpha", "beta"])


MODELS: dict[str, type[ExpectedReturnModel]] = {
    "constant_mean": ConstantMeanModel,
    "market_adjusted": MarketAdjustedModel,
    "market": MarketModel,
}


def get_model(model: str | ExpectedReturnModel) -> ExpectedReturnModel:
    """Resolve a model name or pass a model object through."""
    if not isinstance(model, str):
        return model
    try:
        return MODELS[model]()
    except KeyError:
        raise ModelError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}") from None
