"""Batch engine: the market model for many (event, security) pairs at once.

Windows are gathered from a returns panel by session position and every
fit is solved in closed form, vectorized over pairs, in plain numpy. For
pair p with estimation returns y (stock) and m (market) over T sessions::

    β = Σ(m - m̄)(y - ȳ) / Σ(m - m̄)²,  α = ȳ - β m̄,  σ² = Σe² / (T - 2)

and, for an event window of L days with market returns m*,
ι'X*(X'X)⁻¹X*'ι = L²/T + (Σm* - L m̄)² / Sxx, so
Var(CAR) = σ²(L + L²/T + (Σm* - L m̄)²/Sxx) — the same prediction-error
variance as :meth:`eventstudy.models.FittedModel.car_variance`, which this
engine reproduces to 1e-10 (``tests/test_batch.py``).

The returns panel (one exchange's sessions)::

    session (index)   ORCL     NVDA     ^GSPC
    2025-01-17        0.0093   0.0310   0.0100
    2025-01-21        0.0717   0.0227   0.0088
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from eventstudy.models import FittedModel


@dataclass(frozen=True)
class BatchResult:
    """Arrays over pairs (first axis) and event days (second axis)."""

    alpha: np.ndarray  # (P,)
    beta: np.ndarray
    sigma: np.ndarray
    r2: np.ndarray
    nobs: int
    abnormal: np.ndarray  # (P, L)
    returns: np.ndarray  # (P, L)
    market: np.ndarray  # (P, L)
    sar: np.ndarray  # (P, L) AR / prediction-error sd
    days: np.ndarray  # (L,)
    car: np.ndarray  # (P, W)
    car_se: np.ndarray
    t: np.ndarray
    p: np.ndarray
    windows: tuple[tuple[int, int], ...]


def gather(panel_t: np.ndarray, cols: np.ndarray, first_row: np.ndarray, length: int) -> np.ndarray:
    """Rows ``first_row[p] .. first_row[p] + length - 1`` of column ``cols[p]``, shape (P, length).

    ``panel_t`` is the transposed panel (symbols, sessions), C-contiguous, so
    each pair's window is one contiguous block.
    """
    windows = np.lib.stride_tricks.sliding_window_view(panel_t, length, axis=1)
    return windows[cols, first_row]


def market_model_batch(
    returns: np.ndarray,
    stock_col: np.ndarray,
    market_col: np.ndarray,
    day0_row: np.ndarray,
    *,
    estimation_window: tuple[int, int] = (-250, -11),
    ar_window: tuple[int, int] = (-10, 10),
    event_windows: tuple[tuple[int, int], ...] = ((0, 0), (0, 1), (-1, 1), (-5, 5)),
) -> BatchResult:
    """Fit and test the market model for every pair.

    Parameters
    ----------
    returns
        (sessions, symbols) array of simple returns on one exchange's sessions.
    stock_col, market_col
        Column of each pair's security and benchmark, shape (P,).
    day0_row
        Row of each pair's day 0, shape (P,).

    Raises
    ------
    ValueError
        When a window runs outside the panel or holds NaN.
    """
    from scipy import special

    days = np.arange(ar_window[0], ar_window[1] + 1)
    first, last = min(estimation_window[0], ar_window[0]), max(estimation_window[1], ar_window[1])
    lo = day0_row + first
    if lo.min() < 0 or (day0_row + last).max() >= returns.shape[0]:
        raise ValueError("a window runs outside the returns panel")
    panel_t = np.ascontiguousarray(returns.T)
    span = last - first + 1
    stock, market = gather(panel_t, stock_col, lo, span), gather(panel_t, market_col, lo, span)
    est = slice(estimation_window[0] - first, estimation_window[1] - first + 1)
    ev = slice(ar_window[0] - first, ar_window[1] - first + 1)
    y, m, ye, me = stock[:, est], market[:, est], stock[:, ev], market[:, ev]
    n = estimation_window[1] - estimation_window[0] + 1
    # Moments by single passes (no centred copies); NaN anywhere propagates to them.
    sm, sy = m.sum(axis=1), y.sum(axis=1)
    smm, smy, syy = (np.einsum("ij,ij->i", a, b) for a, b in ((m, m), (m, y), (y, y)))
    m_bar, y_bar = sm / n, sy / n
    sxx = smm - sm * m_bar
    sxy = smy - sm * y_bar
    syy_c = syy - sy * y_bar
    beta = sxy / sxx
    alpha = y_bar - beta * m_bar
    ssr = syy_c - beta * sxy
    sigma2 = ssr / (n - 2)
    r2 = 1.0 - ssr / syy_c
    ar = ye - alpha[:, None] - beta[:, None] * me
    if np.isnan(sigma2).any() or np.isnan(ar).any():
        raise ValueError("missing returns inside a window")
    sar = ar / np.sqrt(sigma2[:, None] * (1.0 + 1.0 / n + (me - m_bar[:, None]) ** 2 / sxx[:, None]))
    cars, ses = [], []
    for start, end in event_windows:
        sl = slice(start - ar_window[0], end - ar_window[0] + 1)
        length = end - start + 1
        msum = me[:, sl].sum(axis=1)
        var = sigma2 * (length + length**2 / n + (msum - length * m_bar) ** 2 / sxx)
        cars.append(ar[:, sl].sum(axis=1))
        ses.append(np.sqrt(var))
    car, se = np.column_stack(cars), np.column_stack(ses)
    t = car / se
    p = 2.0 * special.stdtr(n - 2, -np.abs(t))
    return BatchResult(alpha, beta, np.sqrt(sigma2), r2, n, ar, ye, me, sar, days, car, se, t, p, tuple(event_windows))


def returns_panel(
    frames: dict[str, pd.DataFrame], sessions: pd.DatetimeIndex, *, carry: set[str] | frozenset[str] = frozenset()
) -> pd.DataFrame:
    """Returns of every symbol on ``sessions`` (one exchange), NaN where a price is missing.

    Symbols in ``carry`` (benchmarks, which may trade on other days) take
    their last close on or before each session, as
    :func:`eventstudy.returns.prices_on_sessions` does.
    """
    from eventstudy.data.frames import price_series

    cols = {}
    for symbol, frame in frames.items():
        price = price_series(frame).dropna()
        if symbol in carry:
            price = price.reindex(price.index.union(sessions)).ffill()
        on = price.reindex(sessions)
        cols[symbol] = on / on.shift(1) - 1.0
    return pd.DataFrame(cols, index=sessions)


def market_model_fits(y: np.ndarray, m: np.ndarray, index: pd.Index) -> list[FittedModel | None]:
    """Market-model fits for stacked estimation windows, as :class:`FittedModel` objects.

    ``y`` and ``m`` are (P, T) stock and market returns. Solved in closed
    form (see the module doc); equal to the statsmodels fit to about 1e-12.
    A pair whose fit is degenerate (constant market, zero residual variance,
    NaN) gets None, so the caller can fit it the slow way for a precise error.
    """
    from eventstudy.models import FittedModel

    n = y.shape[1]
    sm, sy = m.sum(axis=1), y.sum(axis=1)
    smm, smy, syy = (np.einsum("ij,ij->i", a, b) for a, b in ((m, m), (m, y), (y, y)))
    with np.errstate(divide="ignore", invalid="ignore"):
        sxx = smm - sm * sm / n
        sxy = smy - sm * sy / n
        syy_c = syy - sy * sy / n
        beta = sxy / sxx
        alpha = (sy - beta * sm) / n
        ssr = syy_c - beta * sxy
        sigma2 = ssr / (n - 2)
        r2 = 1.0 - ssr / syy_c
    out: list[FittedModel | None] = []
    for p in range(len(y)):
        if not (np.isfinite(beta[p]) and np.isfinite(sigma2[p]) and sxx[p] > 0 and sigma2[p] > 0):
            out.append(None)
            continue
        det = n * sxx[p]  # n Σm² - (Σm)²
        xtx_inv = np.array([[smm[p], -sm[p]], [-sm[p], n]]) / det
        resid = y[p] - alpha[p] - beta[p] * m[p]
        out.append(
            FittedModel(
                name="market",
                params=pd.Series([alpha[p], beta[p]], index=["alpha", "beta"], name="params"),
                sigma=float(np.sqrt(sigma2[p])),
                r2=float(r2[p]),
                nobs=n,
                df_resid=n - 2,
                xtx_inv=xtx_inv,
                residuals=pd.Series(resid, index=index, name="residual"),
            )
        )
    return out
