"""Expected-return models, fitted on the estimation window.

A model has ``fit(returns, regressors) -> FittedModel``. ``regressors`` is
a DataFrame on the same rows with a ``benchmark`` column (the market
return on the security's sessions) and, where a model needs them, ``f:SYM``
columns (other indices, for the multi-index model) and the Fama-French
columns ``Mkt-RF, SMB, HML, RF`` (decimals). A fitted model predicts
expected returns on the event window and gives the variance of a cumulative
prediction error, σ²(L + ι'X*(X'X)⁻¹X*'ι) (MacKinlay 1997, eq. 11-12),
which includes the estimation error of the coefficients.

Models, by name through :func:`get_model` or as objects:

=================  ====================================================
``constant_mean``  R = μ + ε (Brown & Warner 1985)
``market_adjusted`` R = Rm + ε, nothing estimated
``market``         R = α + β Rm + ε (OLS; σ with n - 2 df)
``multi_index``    R = α + β Rm + Σ γ_j F_j + ε, F_j the security's ``factors``
``ff3``            R - RF = α + β (Rm - RF) + s SMB + h HML + ε (Fama & French 1993)
=================  ====================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd

from eventstudy.errors import ModelError

FF3_COLUMNS = ("Mkt-RF", "SMB", "HML")


@dataclass(frozen=True)
class FittedModel:
    """A model fitted on the estimation window.

    ``columns`` are the regressor columns (besides the constant) the model
    reads; ``offset`` a column added to the prediction (RF for ``ff3``);
    ``xtx_inv`` is (X'X)⁻¹ of the estimation design, or None for a model
    with nothing estimated (market-adjusted).
    """

    name: str
    params: pd.Series
    sigma: float
    r2: float
    nobs: int
    df_resid: int
    xtx_inv: np.ndarray | None
    residuals: pd.Series = field(repr=False)
    columns: tuple[str, ...] = ("benchmark",)
    intercept: bool = True
    offset: str | None = None

    @property
    def alpha(self) -> float:
        """Intercept (0 for market-adjusted, NaN without one)."""
        return float(self.params.get("alpha", np.nan))

    @property
    def beta(self) -> float:
        """Slope on the market (NaN when the model has none)."""
        return float(self.params.get("beta", np.nan))

    def _regressors(self, data: pd.DataFrame | np.ndarray) -> np.ndarray:
        if isinstance(data, pd.DataFrame):
            missing = [c for c in self.columns if c not in data.columns]
            if missing:
                raise ModelError(f"{self.name} model needs column(s) {missing}")
            return data[list(self.columns)].to_numpy(dtype=float)
        arr = np.asarray(data, dtype=float)  # an array is the benchmark column
        if self.columns not in ((), ("benchmark",)):
            raise ModelError(f"{self.name} model needs a DataFrame with columns {list(self.columns)}")
        return arr.reshape(-1, 1)[:, : len(self.columns)]

    def design(self, data: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Design rows X (constant first when the model has one)."""
        x = self._regressors(data)
        return np.column_stack([np.ones(len(x)), x]) if self.intercept else x

    def expected(self, data: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Expected returns on these rows."""
        out = self.design(data) @ self.params.to_numpy()
        if self.offset is not None:
            out = out + np.asarray(data[self.offset], dtype=float)  # type: ignore[index]
        return out

    def car_variance(self, data: pd.DataFrame | np.ndarray) -> float:
        """Variance of the sum of prediction errors over these event days."""
        x = self.design(data)
        if self.xtx_inv is None:
            return float(self.sigma**2 * len(x))
        x_sum = x.sum(axis=0)
        return float(self.sigma**2 * (len(x) + x_sum @ self.xtx_inv @ x_sum))

    def ar_variance(self, data: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Variance of each day's prediction error (for standardized ARs)."""
        x = self.design(data)
        if self.xtx_inv is None:
            return np.full(len(x), self.sigma**2)
        return self.sigma**2 * (1.0 + np.einsum("ij,jk,ik->i", x, self.xtx_inv, x))


class ExpectedReturnModel(Protocol):
    """What a model must provide."""

    name: str

    def fit(self, returns: pd.Series, regressors: pd.DataFrame | pd.Series) -> FittedModel:
        """Fit on estimation-window returns."""
        ...


def _frame(regressors: pd.DataFrame | pd.Series, returns: pd.Series, min_obs: int) -> pd.DataFrame:
    frame = regressors.to_frame("benchmark") if isinstance(regressors, pd.Series) else regressors
    if len(returns) != len(frame):
        raise ModelError("returns and regressors differ in length")
    if returns.isna().any() or frame.isna().any().any():
        raise ModelError("estimation window contains missing returns")
    if len(returns) < min_obs:
        raise ModelError(f"estimation window has {len(returns)} returns; at least {min_obs} are needed")
    return frame


def _ols(
    name: str, y: np.ndarray, x: np.ndarray, names: list[str], index: pd.Index, *, engine: str, **kw: object
) -> FittedModel:
    """OLS of ``y`` on ``x`` (constant first when the model has one).

    Solved with a QR decomposition: X = QR, b = R⁻¹Q'y, (X'X)⁻¹ = R⁻¹R⁻ᵀ,
    σ² = e'e / (n - k). ``engine="statsmodels"`` (a keyword of every model)
    fits with statsmodels OLS instead; the two agree to ~1e-12
    (``tests/test_models.py``), so the default skips statsmodels' ~1 s import.
    """
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise ModelError(f"{name} model: regressors are collinear or constant on the estimation window")
    n, k = x.shape
    if engine == "statsmodels":
        from statsmodels.regression.linear_model import OLS

        res = OLS(y, x).fit()
        params, resid, xtx_inv = np.asarray(res.params), np.asarray(res.resid), np.asarray(res.normalized_cov_params)
    else:
        q, r = np.linalg.qr(x)
        params = np.linalg.solve(r, q.T @ y)
        resid = y - x @ params
        r_inv = np.linalg.inv(r)
        xtx_inv = r_inv @ r_inv.T
    ssr = float(resid @ resid)
    scale = ssr / (n - k)
    if not np.isfinite(scale) or scale <= 0:
        raise ModelError(f"{name} model: estimation-window residuals have zero variance (constant returns?)")
    centered = y - y.mean()
    if k > 1 and ssr <= DEGENERATE_FIT * float(centered @ centered):
        raise ModelError(
            f"{name} model: the regressors reproduce the returns exactly (R² = 1, σ ≈ 0 on the estimation "
            "window): is the benchmark the security itself, or the same prices under another name?"
        )
    return FittedModel(
        name=name,
        params=pd.Series(params, index=names, name="params"),
        sigma=float(np.sqrt(scale)),  # ssr / (n - k)
        r2=1.0 - ssr / float(centered @ centered) if k > 1 else float("nan"),
        nobs=n,
        df_resid=n - k,
        xtx_inv=xtx_inv,
        residuals=pd.Series(resid, index=index, name="residual"),
        **kw,  # type: ignore[arg-type]
    )


ENGINES = ("numpy", "statsmodels")
# a fit whose residual sum of squares is below this share of the returns' is degenerate (σ/sd < 1e-6)
DEGENERATE_FIT = 1e-12


class _OLSModel:
    """Shared constructor: ``engine`` is "numpy" (default) or "statsmodels"."""

    name = ""

    def __init__(self, engine: str = "numpy") -> None:
        if engine not in ENGINES:
            raise ModelError(f"unknown OLS engine {engine!r}; choose one of {', '.join(ENGINES)}")
        self.engine = engine


class ConstantMeanModel(_OLSModel):
    """Expected return = the estimation-window mean (Brown & Warner 1985)."""

    name = "constant_mean"

    def fit(self, returns: pd.Series, regressors: pd.DataFrame | pd.Series) -> FittedModel:
        """Fit by OLS on a constant."""
        _frame(regressors, returns, 3)
        y = returns.to_numpy(dtype=float)
        return _ols(self.name, y, np.ones((len(y), 1)), ["alpha"], returns.index, columns=(), engine=self.engine)


class MarketAdjustedModel:
    """Expected return = the benchmark return (α = 0, β = 1), nothing estimated.

    σ is the standard deviation of ``R - Rm`` on the estimation window
    (n - 1 degrees of freedom).
    """

    name = "market_adjusted"

    def fit(self, returns: pd.Series, regressors: pd.DataFrame | pd.Series) -> FittedModel:
        """Compute σ of the estimation-window abnormal returns."""
        frame = _frame(regressors, returns, 3)
        resid = returns - frame["benchmark"].to_numpy()
        sigma = float(resid.std(ddof=1))
        if not sigma > 0:
            raise ModelError("market_adjusted model: R - Rm is constant on the estimation window")
        return FittedModel(
            name=self.name,
            params=pd.Series({"beta": 1.0}, name="params"),
            sigma=sigma,
            r2=float("nan"),
            nobs=len(returns),
            df_resid=len(returns) - 1,
            xtx_inv=None,
            residuals=resid.rename("residual"),
            intercept=False,
        )


def index_fit(returns: pd.Series) -> FittedModel:
    """The "fit" of an index benchmarked on itself: expected = its own return, AR = 0, σ undefined (NaN).

    Used for claims about an index (its raw moves are checked); such pairs
    are left out of the tests across securities.
    """
    return FittedModel(
        name="index",
        params=pd.Series({"beta": 1.0}, name="params"),
        sigma=float("nan"),
        r2=float("nan"),
        nobs=len(returns),
        df_resid=len(returns) - 1,
        xtx_inv=None,
        residuals=(returns * 0.0).rename("residual"),
        intercept=False,
    )


class MarketModel(_OLSModel):
    """``R = α + β Rm + ε`` by OLS; σ with n - 2 degrees of freedom."""

    name = "market"

    def fit(self, returns: pd.Series, regressors: pd.DataFrame | pd.Series) -> FittedModel:
        """Fit α and β by OLS."""
        frame = _frame(regressors, returns, 3)
        x = np.column_stack([np.ones(len(frame)), frame["benchmark"].to_numpy(dtype=float)])
        return _ols(self.name, returns.to_numpy(dtype=float), x, ["alpha", "beta"], returns.index, engine=self.engine)


class MultiIndexModel(_OLSModel):
    """``R = α + β Rm + Σ γ_j F_j + ε``: the market plus other indices.

    The other indices are the security's ``factors`` in the study file
    (e.g. SOXX or SMH, a semiconductor index, for chip stocks), present
    here as ``f:SYM`` columns.
    """

    name = "multi_index"

    def fit(self, returns: pd.Series, regressors: pd.DataFrame | pd.Series) -> FittedModel:
        """Fit by OLS on the market and the factor indices."""
        frame = _frame(regressors, returns, 5)
        extra = [c for c in frame.columns if c.startswith("f:")]
        if not extra:
            raise ModelError('multi_index model: add factors = ["SOXX"] (other index symbols) to the security')
        cols = ("benchmark", *extra)
        x = np.column_stack([np.ones(len(frame)), frame[list(cols)].to_numpy(dtype=float)])
        names = ["alpha", "beta", *(f"gamma_{c[2:]}" for c in extra)]
        return _ols(self.name, returns.to_numpy(dtype=float), x, names, returns.index, columns=cols, engine=self.engine)


class FamaFrenchModel(_OLSModel):
    """Fama & French (1993) three factors: ``R - RF = α + β MKT + s SMB + h HML + ε``.

    Needs the columns ``Mkt-RF, SMB, HML, RF`` (daily, decimals) on the
    security's sessions; the prediction adds RF back.
    """

    name = "ff3"

    def fit(self, returns: pd.Series, regressors: pd.DataFrame | pd.Series) -> FittedModel:
        """Fit by OLS on the three factors."""
        frame = _frame(regressors, returns, 6)
        missing = [c for c in (*FF3_COLUMNS, "RF") if c not in frame.columns]
        if missing:
            raise ModelError(f"ff3 model needs the Fama-French factors {missing}; pass a factors file (--factors)")
        y = returns.to_numpy(dtype=float) - frame["RF"].to_numpy(dtype=float)
        x = np.column_stack([np.ones(len(frame)), frame[list(FF3_COLUMNS)].to_numpy(dtype=float)])
        names = ["alpha", "beta", "s_SMB", "h_HML"]
        return _ols(self.name, y, x, names, returns.index, columns=FF3_COLUMNS, offset="RF", engine=self.engine)


MODELS: dict[str, type[ExpectedReturnModel]] = {
    "constant_mean": ConstantMeanModel,
    "market_adjusted": MarketAdjustedModel,
    "market": MarketModel,
    "multi_index": MultiIndexModel,
    "ff3": FamaFrenchModel,
}


def get_model(model: str | ExpectedReturnModel) -> ExpectedReturnModel:
    """Resolve a model name or pass a model object through."""
    if not isinstance(model, str):
        return model
    try:
        return MODELS[model]()
    except KeyError:
        raise ModelError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}") from None
