"""Stage 1, the study: what to measure, read from a study file (TOML) or an events CSV.

Owns the study's vocabulary (:mod:`~eventstudy.spec.types`: :class:`StudySpec`, :class:`Security`,
:class:`Event`, :class:`Claim`), reading a study file (:mod:`~eventstudy.spec.study_file`) with the
check of each field (:mod:`~eventstudy.spec.fields`) naming the key of every mistake, and
events CSVs (:mod:`~eventstudy.spec.events_csv`).
May import: the base layer only (:mod:`eventstudy.errors`, :mod:`eventstudy.file_io`).
"""

from __future__ import annotations

from eventstudy.spec.fields import exchange_names
from eventstudy.spec.study_file import load_study, parse_study
from eventstudy.spec.types import (
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
    "exchange_names",
    "load_study",
    "parse_study",
]
