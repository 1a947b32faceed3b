"""Placebo validation of the tests on real prices, after Brown & Warner (1985).

Pseudo-events are drawn at random from the price files; the market model is
fitted on sessions [-250, -11] as a study fits it; and every test statistic
(:func:`~eventstudy.inference.result.car_t_test`, :mod:`eventstudy.inference.single_firm`,
:mod:`eventstudy.inference.cross_section`) is run on the event window, with no
abnormal return added (size) and with 1 %, 2 % and 5 % added to every
security's day-0 return (power). A well-specified test rejects a share α of
the null trials at level α.

- Single-security trials: a random security of :data:`SINGLE` (nine US
  stocks against ^GSPC, SoftBank Group 9984.T against ^N225) on a random
  session with the whole estimation and AR windows available. Tests: CAR t,
  sample-quantile (SQ), bootstrap.
- Group trials, two designs (:data:`DESIGNS`): 4 to 8 securities of
  :data:`GROUP` (the US stocks), each on its own random session
  ("brown-warner": no clustering) or all on one common random session
  ("clustered", as in a study of one announcement). Tests: cross-sectional
  t, Patell, BMP, Kolari-Pynnönen, Corrado rank, generalized sign, Wilcoxon,
  and those of :mod:`eventstudy.inference.robust` (portfolio, GRANK with and without
  re-standardization, wild bootstrap, exact sign).
- :mod:`eventstudy.inference.validation.placebo`: the same on a study's own
  securities and windows, on random dates of their own history.

Modules: ``design`` (securities, windows, effects, levels, option checks), ``returns``
(return series and the draws), ``trials`` (fits, tests, rejection rates), ``diagnostics``
(what explains a mis-sized test), ``simulation`` (:func:`run_validation`), ``placebo``
and ``summary`` (the printed report).

Examples
--------
>>> from eventstudy.inference.validation import format_report, run_validation
>>> res = run_validation("../shared/data/prices", trials=200, seed=1)  # doctest: +SKIP
>>> print(format_report(res))  # doctest: +SKIP

References
----------
Brown, S. J. & Warner, J. B. (1985). Using daily stock returns: the case of
event studies. Journal of Financial Economics 14(1), 3-31.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# names are loaded on first use: the command line reads the constants of ``design`` (light)
# without importing pandas and scipy through the simulation
_LAZY = {
    **dict.fromkeys(("ALPHAS", "DEFAULT_SEED", "DEFAULT_TRIALS", "DESIGNS", "EFFECTS", "GROUP", "SINGLE"), "design"),
    **dict.fromkeys(("SIZE_BAND", "TABLE_COLUMNS", "Listing", "ValidationInputError"), "design"),
    **dict.fromkeys(["PlaceboRun", "study_placebo", "study_placebo_for"], "placebo"),
    **dict.fromkeys(["ReturnSeries", "load_returns"], "returns"),
    **dict.fromkeys(["ValidationResult", "run_validation"], "simulation"),
    **dict.fromkeys(["explain", "format_report", "format_table", "mis_sized"], "summary"),
}

if TYPE_CHECKING:
    from eventstudy.inference.validation.design import (
        ALPHAS,
        DEFAULT_SEED,
        DEFAULT_TRIALS,
        DESIGNS,
        EFFECTS,
        GROUP,
        SINGLE,
        SIZE_BAND,
        TABLE_COLUMNS,
        Listing,
        ValidationInputError,
    )
    from eventstudy.inference.validation.placebo import PlaceboRun, study_placebo, study_placebo_for
    from eventstudy.inference.validation.returns import ReturnSeries, load_returns
    from eventstudy.inference.validation.simulation import ValidationResult, run_validation
    from eventstudy.inference.validation.summary import explain, format_report, format_table, mis_sized


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [
    "ALPHAS",
    "DEFAULT_SEED",
    "DEFAULT_TRIALS",
    "DESIGNS",
    "EFFECTS",
    "GROUP",
    "SINGLE",
    "SIZE_BAND",
    "TABLE_COLUMNS",
    "Listing",
    "PlaceboRun",
    "ReturnSeries",
    "ValidationInputError",
    "ValidationResult",
    "explain",
    "format_report",
    "format_table",
    "load_returns",
    "mis_sized",
    "run_validation",
    "study_placebo",
    "study_placebo_for",
]
