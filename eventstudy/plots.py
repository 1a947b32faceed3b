"""Matplotlib figures for reports and notebooks.

Every function returns a :class:`matplotlib.figure.Figure` and takes
``ax=None`` (or ``axes=None``); none uses pyplot state or shows anything, so
figures can be saved, embedded or displayed by the caller. Values are drawn
in percent.

==================  =========================================================
``price_path``      adjusted prices, 100 at day -1, benchmarks dashed,
                    announcement and each security's day 0 marked
``ar_bars``         abnormal returns by day, one panel per security, with
                    the ±1.96σ band of the estimation residuals
``car_path``        CAR rebased to 0 at day -1, with a 95 % band
``claims_chart``    each claim: reported (± tolerance), best measured match,
                    close-to-close move of the session the article implies
``volume_bars``     abnormal log volume by day, one panel per security, with
                    the ±1.96 band of its prediction-error sd (market model,
                    else the mean model)
``mean_car``        mean and median CAR of every pair by day, 0 at day -1,
                    with a 95 % band of the mean (a large study's report)
``car_histogram``   distribution of every pair's CAR, one outline per window
==================  =========================================================

The figures live in :mod:`eventstudy.figures` (``events``: one event's; ``study``: the claims
and every pair at once; ``axes``: what they share); this module names them. The CAR band of
:func:`car_band` is described in :mod:`eventstudy.figures.events`.
"""

from __future__ import annotations

from eventstudy.figures.axes import DPI, VERDICT_COLORS, Z95, Results
from eventstudy.figures.events import ar_bars, car_band, car_panels, car_path, price_path, volume_bars
from eventstudy.figures.study_wide import car_histogram, claims_chart, claims_data, mean_car, mean_car_data

__all__ = [
    "DPI",
    "VERDICT_COLORS",
    "Z95",
    "Results",
    "ar_bars",
    "car_band",
    "car_histogram",
    "car_panels",
    "car_path",
    "claims_chart",
    "claims_data",
    "mean_car",
    "mean_car_data",
    "price_path",
    "volume_bars",
]
