"""Abnormal and cumulative abnormal returns for one (event, security) pair."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from eventstudy.engine.models import FittedModel

AR_COLUMNS = ["day", "session", "return", "benchmark", "expected", "abnormal", "sar"]
CAR_COLUMNS = ["start", "end", "car", "se", "t", "p", "df"]


def abnormal_returns(panel: pd.DataFrame, fitted: FittedModel) -> pd.DataFrame:
    """AR = return - expected for each row of an event-window panel.

    ``panel`` has ``day, session, return, benchmark`` (see ``returns``) and
    any other regressor columns the model reads, which are kept in the
    output so CAR variances can be computed from it.
    ``sar`` is the AR standardized by its own prediction-error standard
    deviation σ·sqrt(1 + x'(X'X)⁻¹x) (Patell 1976).
    """
    expected = fitted.expected(panel)
    abnormal = panel["return"].to_numpy(dtype=float) - expected
    sar = abnormal / np.sqrt(fitted.ar_variance(panel))
    out = panel[["day", "session", "return", "benchmark"]].copy()
    out["expected"] = expected
    out["abnormal"] = abnormal
    out["sar"] = sar
    extra = [c for c in (*fitted.columns, fitted.offset) if c and c not in AR_COLUMNS]
    return pd.concat([out[AR_COLUMNS], panel[extra]], axis=1).reset_index(drop=True)


def cumulative_abnormal(ar: pd.DataFrame, fitted: FittedModel, windows: tuple[tuple[int, int], ...]) -> pd.DataFrame:
    """CAR over each window with its standard error, t and two-sided p.

    The standard error uses the prediction-error variance of the summed
    ARs, σ²(L + ι'X*(X'X)⁻¹X*'ι), with X* the event-window design rows.
    """
    rows = []
    by_day = ar.set_index("day")
    for start, end in windows:
        part = by_day.loc[start:end]
        car = float(part["abnormal"].sum())
        var = fitted.car_variance(part)
        t, p = _car_t(car, var, fitted.df_resid)
        rows.append((start, end, car, math.sqrt(var), t, p, fitted.df_resid))
    return pd.DataFrame(rows, columns=CAR_COLUMNS)


def _car_t(car: float, variance: float, df: int) -> tuple[float, float]:
    """``t = CAR / sqrt(Var)`` and its two-sided Student-t p-value (df = n - k); NaN without a positive variance."""
    if not (math.isfinite(variance) and variance > 0):
        return math.nan, math.nan
    from scipy.special import stdtr

    t = car / math.sqrt(variance)
    return float(t), float(2.0 * stdtr(df, -abs(t)))
