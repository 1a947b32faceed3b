"""The engine's fits cached on disk: a rerun reads each group of pairs back instead of solving it.

:func:`eventstudy.engine.ols.solve` is a function of its arguments only: the returns panel, the
pairs' columns and day-0 sessions, the design and the windows. :func:`cached_solve` keys an entry
on all of them (:func:`eventstudy.record_cache.cached_record`: with this package's code and the
libraries' versions, under ``<cache>/solved/``); the entry holds every array of the
:class:`~eventstudy.engine.ols.Solved` (fits, ARs, CARs, their t and p) and the fits' problems, and
is stored only if it reads back exactly. A rerun of a small study then neither fits its pairs nor
imports ``scipy.special`` for their p-values. Groups above
:data:`~eventstudy.record_cache.CACHED_PAIRS` pairs, or read from a panel above :data:`PANEL_BYTES`,
are solved, not stored.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from eventstudy.engine import ols

PANEL_BYTES = 64 << 20  # a larger panel is not hashed (its key would copy it): its pairs are solved


def cached_solve(
    values_t: np.ndarray, cols: np.ndarray, day0_col: np.ndarray, design: ols.Design, *, first: int,
    **windows: Any,
) -> ols.Solved:  # fmt: skip
    """:func:`eventstudy.engine.ols.solve` (same arguments), read back from the disk cache when there."""
    from eventstudy import record_cache

    def compute() -> ols.Solved:
        return ols.solve(values_t, cols, day0_col, design, first=first, **windows)

    if len(day0_col) > record_cache.CACHED_PAIRS or values_t.nbytes > PANEL_BYTES:
        return compute()
    inputs = (values_t, np.asarray(cols), np.asarray(day0_col), design, first, sorted(windows.items()))
    return record_cache.cached_record("solved", inputs, compute, (ols.Solved, ols.Fit, ols.Design))
