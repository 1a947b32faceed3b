"""Expected-return models: what each regresses, for the one engine (:mod:`eventstudy.engine.ols`).

A model is a name and, for each security, a :class:`PairDesign`: the
:class:`~eventstudy.engine.ols.Design` (parameters, constant, offset) and
the panel columns it reads (``("carried", SYMBOL)`` for a benchmark or a
factor index, ``("ff", NAME)`` for a Fama-French factor). The engine fits
every pair at once; the variance of a cumulative prediction error is
σ²(L + ι'X*(X'X)⁻¹X*'ι) (MacKinlay 1997, eq. 11-12), which includes the
estimation error of the coefficients.

Models, by name through :func:`get_model` or as objects:

=================  ====================================================
``constant_mean``  R = μ + ε (Brown & Warner 1985)
``market_adjusted`` R = Rm + ε, nothing estimated (σ with n - 1 df)
``market``         R = α + β Rm + ε (OLS; σ with n - 2 df)
``multi_index``    R = α + β Rm + Σ γ_j F_j + ε, F_j the security's ``factors``
``ff3``            R - RF = α + β (Rm - RF) + s SMB + h HML + ε (Fama & French 1993)
``garch``          R = c + β Rm + ε, ε GARCH(1,1) (Bollerslev 1986; :meth:`GarchModel.refit`)
=================  ====================================================

After the engine's least-squares pass, :meth:`~ExpectedReturnModel.refit` lets a model
estimated otherwise replace its pairs' tables (GARCH by maximum likelihood,
:mod:`eventstudy.engine.garch`); the least-squares models keep them as they are.

An index benchmarked on itself (``index = true``) takes no fit whatever
the model: expected = its own return, AR 0, σ undefined (NaN).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from eventstudy.engine import ols
from eventstudy.errors import EventStudyError, ModelError
from eventstudy.spec import Security

if TYPE_CHECKING:
    from eventstudy.engine.abnormal_returns import EngineTables

FF3_COLUMNS = ("Mkt-RF", "SMB", "HML")


@dataclass(frozen=True)
class PairDesign:
    """What one pair's model reads: the design and the panel columns of its regressors."""

    design: ols.Design
    columns: tuple[tuple[str, str], ...]  # panel columns, in design order (offset last)
    shown: tuple[tuple[str, int], ...] = ()  # regressor columns kept in the ar table: (name, regressor index)
    min_obs: int = 3  # estimation-window returns needed
    fitted_by: str = "OLS"  # the estimator of the reported fit (``res.ols`` gives the OLS ones)


class ExpectedReturnModel(Protocol):
    """What a model must provide."""

    name: str

    def design(self, security: Security, *, fama_french: bool = False) -> PairDesign:
        """The design of this model for ``security``."""
        ...

    def refit(self, tables: EngineTables) -> list[tuple[int, EventStudyError]]:
        """Replace the engine's least-squares tables of its pairs by the model's own fit, in place.

        Returns the pairs that fit leaves out: (plan position, error). A
        least-squares model returns [] and changes nothing.
        """
        ...


class LeastSquares:
    """A model the engine's least-squares pass fits completely: nothing to refit."""

    def refit(self, tables: EngineTables) -> list[tuple[int, EventStudyError]]:
        """Nothing: the engine's tables are this model's."""
        return []


class MarketModel(LeastSquares):
    """``R = α + β Rm`` by OLS; σ with n - 2 degrees of freedom."""

    name = "market"

    def design(self, security: Security, *, fama_french: bool = False) -> PairDesign:
        """α and β on the benchmark."""
        return PairDesign(ols.market_design(), (("carried", security.benchmark),))


class ConstantMeanModel(LeastSquares):
    """Expected return = the estimation-window mean (Brown & Warner 1985)."""

    name = "constant_mean"

    def design(self, security: Security, *, fama_french: bool = False) -> PairDesign:
        """A constant only."""
        return PairDesign(ols.Design(self.name, ("alpha",)), ())


class MarketAdjustedModel(LeastSquares):
    """Expected return = the benchmark return (β = 1), nothing estimated; σ of R - Rm with n - 1 df."""

    name = "market_adjusted"

    def design(self, security: Security, *, fama_french: bool = False) -> PairDesign:
        """AR = R - Rm."""
        d = ols.Design(self.name, ("beta",), kind="adjusted", intercept=False)
        return PairDesign(d, (("carried", security.benchmark),))


class MultiIndexModel(LeastSquares):
    """``R = α + β Rm + Σ γ_j F_j``: the market plus the security's ``factors`` (other indices, e.g. SOXX)."""

    name = "multi_index"

    def design(self, security: Security, *, fama_french: bool = False) -> PairDesign:
        """α, β and one γ per factor index."""
        if not security.factors:
            raise ModelError('multi_index model: add factors = ["SOXX"] (other index symbols) to the security')
        names = ("alpha", "beta", *(f"gamma_{s}" for s in security.factors))
        cols = (("carried", security.benchmark), *(("carried", s) for s in security.factors))
        shown = tuple((f"f:{s}", j + 1) for j, s in enumerate(security.factors))
        return PairDesign(ols.Design(self.name, names), cols, shown, min_obs=5)


class FamaFrenchModel(LeastSquares):
    """Fama & French (1993) three factors: ``R - RF = α + β MKT + s SMB + h HML``; RF added back."""

    name = "ff3"

    def design(self, security: Security, *, fama_french: bool = False) -> PairDesign:
        """The three factors, RF as the offset."""
        if not fama_french:
            raise ModelError(
                f"ff3 model needs the Fama-French factors {[*FF3_COLUMNS, 'RF']}; pass a factors file (--factors)"
            )
        names = (*FF3_COLUMNS, "RF")
        d = ols.Design(self.name, ("alpha", "beta", "s_SMB", "h_HML"), offset=True)
        return PairDesign(d, tuple(("ff", c) for c in names), tuple((c, j) for j, c in enumerate(names)), min_obs=6)


class GarchModel:
    """GARCH(1,1) market model (:mod:`eventstudy.engine.garch`, through ``arch``).

    The engine fits the OLS market model first (data checks, the same panels
    and windows); :meth:`refit` then fits every pair by maximum likelihood and
    replaces its abnormal returns and CARs (a fit that fails is excluded with its reason).
    """

    name = "garch"

    def design(self, security: Security, *, fama_french: bool = False) -> PairDesign:
        """The market model's design, refitted as a GARCH(1,1) after the engine."""
        design = ols.market_design(self.name)
        cols = (("carried", security.benchmark),)
        return PairDesign(design, cols, min_obs=30, fitted_by="maximum likelihood (arch)")

    def refit(self, tables: EngineTables) -> list[tuple[int, EventStudyError]]:
        """Every pair as a GARCH(1,1) market model (:func:`eventstudy.engine.garch.refit_garch`)."""
        from eventstudy.engine.garch import refit_garch

        return list(refit_garch(tables))


INDEX = PairDesign(ols.Design("index", ("beta",), kind="index", intercept=False), ())

MODELS: dict[str, type[ExpectedReturnModel]] = {
    "constant_mean": ConstantMeanModel,
    "market_adjusted": MarketAdjustedModel,
    "market": MarketModel,
    "multi_index": MultiIndexModel,
    "ff3": FamaFrenchModel,
    "garch": GarchModel,
}


def get_model(model: str | ExpectedReturnModel) -> ExpectedReturnModel:
    """Resolve a model name or pass a model object through."""
    if not isinstance(model, str):
        return model
    try:
        return MODELS[model]()
    except KeyError:
        raise ModelError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}") from None


def pair_design(model: ExpectedReturnModel, security: Security, *, fama_french: bool = False) -> PairDesign:
    """The design of ``model`` for ``security``; an index benchmarked on itself takes no fit."""
    if security.is_index:
        return PairDesign(INDEX.design, (("carried", security.benchmark),))
    return model.design(security, fama_french=fama_french)
