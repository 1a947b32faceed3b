"""Stage 4, the engine: from a study and its prices to abnormal returns.

Owns the planner (:mod:`~eventstudy.engine.plan`: the (event, security) pairs with their
day 0), the expected-return models and their fits, abnormal and cumulative abnormal
returns, unusual-move and overlap flags, the Dask path and the provenance of a run.
May import: :mod:`eventstudy.market`, :mod:`eventstudy.spec` and the base layer.
"""
