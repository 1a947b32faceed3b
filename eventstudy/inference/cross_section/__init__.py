"""Cross-sectional tests: N securities, one event on a common event date.

Every function takes plain arrays and returns a
:class:`~eventstudy.inference.result.TestResult`. A test that cannot be computed
(fewer than two securities, NaNs, zero variance) returns
:func:`~eventstudy.inference.result.invalid_result` with the reason in ``note``;
only inconsistent shapes raise ``ValueError``.

Inputs, per security ``i = 1..N``:

- ``car``: the CAR over the event window (or the event-day AR), shape (N,).
- ``sd``: the prediction-error standard deviation of that CAR, e.g.
  the CAR ``se`` of the engine (:mod:`eventstudy.engine.ols`; or the AR's for a
  day), shape (N,).
- ``df_resid``: estimation-window degrees of freedom ``T_i - k``.
- ``estimation``: estimation-window residuals, shape (N, T).
- ``event``: event-window abnormal returns, shape (N, L) or (N,).

References are in each docstring and in ``docs/methodology.md``.

Modules: :mod:`~eventstudy.inference.cross_section.parametric` (cross-sectional t, Patell,
BMP, Kolari-Pynnönen), :mod:`~eventstudy.inference.cross_section.nonparametric` (Corrado
rank, generalized sign, Wilcoxon signed-rank) and :mod:`~eventstudy.inference.cross_section.inputs_and_p`
(input checks, p-values, the null hypotheses). Import the tests from this package.
"""

from __future__ import annotations

from eventstudy.inference.cross_section.inputs_and_p import NULL_MEAN, NULL_MEDIAN
from eventstudy.inference.cross_section.nonparametric import (
    corrado_rank,
    corrado_rank_batch,
    corrado_rank_sets,
    generalized_sign_z,
    generalized_sign_z_batch,
    wilcoxon_signed_rank,
    wilcoxon_signed_rank_batch,
)
from eventstudy.inference.cross_section.parametric import (
    average_correlation,
    average_correlations,
    bmp_t,
    bmp_t_batch,
    cross_sectional_t,
    cross_sectional_t_batch,
    kolari_pynnonen_t,
    kolari_pynnonen_t_batch,
    patell_z,
    patell_z_batch,
    standardized_car,
)

__all__ = [
    "NULL_MEAN",
    "NULL_MEDIAN",
    "average_correlation",
    "average_correlations",
    "bmp_t",
    "bmp_t_batch",
    "corrado_rank",
    "corrado_rank_batch",
    "corrado_rank_sets",
    "cross_sectional_t",
    "cross_sectional_t_batch",
    "generalized_sign_z",
    "generalized_sign_z_batch",
    "kolari_pynnonen_t",
    "kolari_pynnonen_t_batch",
    "patell_z",
    "patell_z_batch",
    "standardized_car",
    "wilcoxon_signed_rank",
    "wilcoxon_signed_rank_batch",
]
