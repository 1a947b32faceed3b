"""Stage 1, the study: what to measure, read from a study file (TOML) or an events CSV.

Owns the study's vocabulary (:class:`StudySpec`, :class:`Security`, :class:`Event`,
:class:`Claim`), its parsing and its validation, with the line of every mistake.
May import: the base layer only (:mod:`eventstudy.errors`, :mod:`eventstudy.files`).
"""

from __future__ import annotations

from eventstudy.spec.study import (
    DEFAULT_AR_WINDOW,
    DEFAULT_ESTIMATION_WINDOW,
    DEFAULT_EVENT_WINDOWS,
    ID_PATTERN,
    MEASURE_NAMES,
    MODEL_NAMES,
    SYMBOL,
    Claim,
    Event,
    Security,
    StudySpec,
    load_study,
    parse_study,
)

__all__ = [
    "DEFAULT_AR_WINDOW",
    "DEFAULT_ESTIMATION_WINDOW",
    "DEFAULT_EVENT_WINDOWS",
    "ID_PATTERN",
    "MEASURE_NAMES",
    "MODEL_NAMES",
    "SYMBOL",
    "Claim",
    "Event",
    "Security",
    "StudySpec",
    "load_study",
    "parse_study",
]
