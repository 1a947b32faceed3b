"""Stage 4, the engine: from a study and its prices to abnormal returns.

Owns the planner (:mod:`~eventstudy.engine.plan`: the (event, security) pairs with their
day 0), the returns panels per exchange and the one data check of every pair
(:mod:`~eventstudy.engine.panel`), the expected-return models (:mod:`~eventstudy.engine.models`)
and the one batched solver that fits them all and gives AR, SAR, CAR and their prediction-error
variances (:mod:`~eventstudy.engine.ols`), the GARCH(1,1) model's maximum-likelihood refit
(:mod:`~eventstudy.engine.garch`), the pairs' windows cut from the panels for it and the measures
(:mod:`~eventstudy.engine.stacks`), the run over every pair (:mod:`~eventstudy.engine.abnormal_returns`),
unusual-move and overlap flags, the Dask path (:mod:`~eventstudy.engine.distributed`: the
engine mapped over partitions of whole events, tables merged in plan order) and the provenance
of a run.
May import: :mod:`eventstudy.market`, :mod:`eventstudy.spec` and the base layer.
"""
