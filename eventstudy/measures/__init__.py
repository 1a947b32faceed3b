"""Measures beyond abnormal returns: volume, volatility, buy-and-hold returns.

:mod:`eventstudy.measures.compute` runs them on a study's pairs, from the
engine's plan and panels (``study.measures``, ``run --measure``); :mod:`eventstudy.measures.lazy_tables` puts
their tables on
``StudyResults``. Every other function takes **stacked windows**: arrays of shape
(pairs, days) holding, for each (event, security) pair, consecutive sessions
of the security's exchange; column ``j`` is event day ``start + j``. Windows
(estimation, abnormal, event windows) are given in event days, as in the
study file. :func:`stack` (:mod:`eventstudy.engine.stacks`) cuts such arrays
out of a (sessions, symbols) panel, as the batch engine does.

- :mod:`eventstudy.measures.volume`: abnormal log volume, ``log(1 + V)``,
  mean and market models (Ajinkya & Jain 1989; Campbell & Wasley 1996).
- :mod:`eventstudy.measures.volatility`: Beaver's (1968) U by day and the
  variance ratio of windows, with exact F tests.
- :mod:`eventstudy.measures.bhar`: buy-and-hold abnormal returns with the
  skewness-adjusted and bootstrapped skewness-adjusted t (Lyon, Barber &
  Tsai 1999).

Volume, volatility and BHAR are computed for all pairs at once in numpy
(the market-model fits through the engine's solver, :mod:`eventstudy.engine.ols`).
Imports: numpy, scipy, :mod:`eventstudy.engine`, :mod:`eventstudy.inference.cross_section`,
:mod:`eventstudy.inference.result`. The GARCH(1,1) model is one of the engine's
(:mod:`eventstudy.engine.garch`).

Stage 6 of the flow, after inference (its tests come from there). May import:
:mod:`eventstudy.inference`, :mod:`eventstudy.engine`, :mod:`eventstudy.market`,
:mod:`eventstudy.spec` and the base layer.
"""

from __future__ import annotations

from eventstudy.engine.stacks import stack

__all__ = ["stack"]
