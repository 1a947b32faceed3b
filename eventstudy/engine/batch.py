"""Batch engine: the market model for many (event, security) pairs at once.

Windows are gathered from a returns panel by session position and every
fit is solved in closed form, vectorized over pairs, in plain numpy. For
pair p with estimation returns y (stock) and m (market) over T sessions::

    β = Σ(m - m̄)(y - ȳ) / Σ(m - m̄)²,  α = ȳ - β m̄,  σ² = Σe² / (T - 2)

and, for an event window of L days with market returns m*,
ι'X*(X'X)⁻¹X*'ι = L²/T + (Σm* - L m̄)² / Sxx, so
Var(CAR) = σ²(L + L²/T + (Σm* - L m̄)²/Sxx) — the same prediction-error
variance as :meth:`eventstudy.engine.models.FittedModel.car_variance`, which this
engine reproduces to 1e-10 (``tests/test_batch.py``).

The returns panel (one exchange's sessions)::

    session (index)   ORCL     NVDA     ^GSPC
    2025-01-17        0.0093   0.0310   0.0100
    2025-01-21        0.0717   0.0227   0.0088
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from eventstudy.engine.models import FittedModel


BLOCK_PAIRS = 1024  # pairs per block: a block's gathered windows (4 MB) stay in cache


@dataclass(frozen=True)
class BatchResult:
    """Arrays over pairs (first axis) and event days (second axis).

    ``ok`` marks pairs whose windows hold no NaN and whose fit is not
    degenerate (market variance and residual variance positive);
    ``residuals`` (estimation window, (P, T)) only when asked for.
    """

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
    expected: np.ndarray | None = None  # (P, L) alpha + beta * market
    ok: np.ndarray | None = None  # (P,) bool
    residuals: np.ndarray | None = None  # (P, T)


def gather(panel_t: np.ndarray, cols: np.ndarray, first_row: np.ndarray, length: int) -> np.ndarray:
    """Rows ``first_row[p] .. first_row[p] + length - 1`` of column ``cols[p]``, shape (P, length).

    ``panel_t`` is the transposed panel (symbols, sessions), C-contiguous, so
    each pair's window is one contiguous block. ``cols`` may also be (P, k):
    then the result is (P, k, length), k windows per pair starting on the same row.
    """
    windows = np.lib.stride_tricks.sliding_window_view(panel_t, length, axis=1)
    return windows[cols, first_row[:, None] if cols.ndim == 2 else first_row]


def market_model_batch(
    returns: np.ndarray,
    stock_col: np.ndarray,
    market_col: np.ndarray,
    day0_row: np.ndarray,
    *,
    estimation_window: tuple[int, int] = (-250, -11),
    ar_window: tuple[int, int] = (-10, 10),
    event_windows: tuple[tuple[int, int], ...] = ((0, 0), (0, 1), (-1, 1), (-5, 5)),
    strict: bool = True,
    residuals: bool = False,
    threads: int | None = None,
) -> BatchResult:
    """Fit and test the market model for every pair.

    Pairs are computed in blocks of :data:`BLOCK_PAIRS`: each block gathers
    its windows (security and market, one array) and computes every moment
    and table from them while they are in cache; blocks run on ``threads``
    threads (default: one per CPU; numpy releases the GIL).

    Parameters
    ----------
    returns
        (sessions, symbols) array of simple returns on one exchange's sessions.
    stock_col, market_col
        Column of each pair's security and benchmark, shape (P,).
    day0_row
        Row of each pair's day 0, shape (P,).
    strict
        Raise on NaN inside a window (default); with False, such pairs and
        degenerate fits get ``ok = False`` and NaN or meaningless numbers.
    residuals
        Also return the estimation-window residuals, (P, T).

    Raises
    ------
    ValueError
        When a window runs outside the panel, or (``strict``) holds NaN.
    """
    first, last = min(estimation_window[0], ar_window[0]), max(estimation_window[1], ar_window[1])
    day0_row = np.asarray(day0_row)
    if len(day0_row) and ((day0_row + first).min() < 0 or (day0_row + last).max() >= returns.shape[0]):
        raise ValueError("a window runs outside the returns panel")
    k = _Kernel(np.ascontiguousarray(np.asarray(returns, dtype=np.float64).T), first, last - first + 1,
                estimation_window, ar_window, tuple(event_windows), residuals)  # fmt: skip
    out = k.allocate(len(day0_row))
    cols = np.stack([np.asarray(stock_col), np.asarray(market_col)], axis=1)
    blocks = [(a, min(a + BLOCK_PAIRS, len(day0_row))) for a in range(0, len(day0_row), BLOCK_PAIRS)]
    workers = min(threads or os.cpu_count() or 1, len(blocks))
    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda ab: k.block(out, cols, day0_row, *ab), blocks))
    else:
        for a, b in blocks:
            k.block(out, cols, day0_row, a, b)
    if strict and out["nan"].any():
        raise ValueError("missing returns inside a window")
    with np.errstate(invalid="ignore"):  # a degenerate fit (ok False) may have sigma² < 0
        sigma = np.sqrt(out["sigma2"])
    return BatchResult(
        out["alpha"], out["beta"], sigma, out["r2"], k.n, out["abnormal"], out["returns"],
        out["market"], out["sar"], np.arange(ar_window[0], ar_window[1] + 1), out["car"], out["se"], out["t"],
        out["p"], k.windows, out["expected"], out["ok"], out.get("residuals"),
    )  # fmt: skip


@dataclass(frozen=True)
class _Kernel:
    """The market model on one block of pairs (see :func:`market_model_batch`)."""

    panel_t: np.ndarray  # (symbols, sessions)
    first: int  # first window day (row offset from day 0)
    span: int  # sessions gathered per pair
    estimation_window: tuple[int, int]
    ar_window: tuple[int, int]
    windows: tuple[tuple[int, int], ...]
    residuals: bool

    @property
    def n(self) -> int:
        return self.estimation_window[1] - self.estimation_window[0] + 1

    @property
    def inside(self) -> np.ndarray:
        days = np.arange(self.ar_window[0], self.ar_window[1] + 1)[:, None]
        return np.array([(days[:, 0] >= s) & (days[:, 0] <= e) for s, e in self.windows], dtype=float).T

    def allocate(self, pairs: int) -> dict[str, np.ndarray]:
        length, w = self.ar_window[1] - self.ar_window[0] + 1, len(self.windows)
        out = {k: np.empty(pairs) for k in ("alpha", "beta", "sigma2", "r2")}
        out |= {k: np.empty((pairs, length)) for k in ("abnormal", "returns", "market", "sar", "expected")}
        out |= {k: np.empty((pairs, w)) for k in ("car", "se", "t", "p")}
        out |= {"ok": np.empty(pairs, dtype=bool), "nan": np.empty(pairs, dtype=bool)}
        if self.residuals:
            out["residuals"] = np.empty((pairs, self.n))
        return out

    def block(self, out: dict[str, np.ndarray], cols: np.ndarray, day0_row: np.ndarray, a: int, b: int) -> None:
        """Pairs ``a:b``: gather their windows, fit, and write every output row."""
        from scipy import special

        g = gather(self.panel_t, cols[a:b], day0_row[a:b] + self.first, self.span)  # (c, 2, span)
        (e0, e1), (v0, v1), n = self.estimation_window, self.ar_window, self.n
        y, m = g[:, 0, e0 - self.first : e1 - self.first + 1], g[:, 1, e0 - self.first : e1 - self.first + 1]
        ye, me = g[:, 0, v0 - self.first : v1 - self.first + 1], g[:, 1, v0 - self.first : v1 - self.first + 1]
        # Moments by single passes over the cached block (no centred copies); NaN propagates to them.
        sm, sy = m.sum(axis=1), y.sum(axis=1)
        smm, smy, syy = (np.einsum("ij,ij->i", u, v) for u, v in ((m, m), (m, y), (y, y)))
        with np.errstate(divide="ignore", invalid="ignore"):
            m_bar, y_bar = sm / n, sy / n
            sxx = smm - sm * m_bar
            sxy = smy - sm * y_bar
            syy_c = syy - sy * y_bar
            beta = sxy / sxx
            alpha = y_bar - beta * m_bar
            ssr = syy_c - beta * sxy
            sigma2 = ssr / (n - 2)
            expected = alpha[:, None] + beta[:, None] * me
            ar = ye - expected
            sar = ar / np.sqrt(sigma2[:, None] * (1.0 + 1.0 / n + (me - m_bar[:, None]) ** 2 / sxx[:, None]))
            inside = self.inside  # (L, W): day l lies in window w; sums over windows as one product
            length = inside.sum(axis=0)
            car = np.matmul(ar, inside, out=out["car"][a:b])
            msum = me @ inside
            se = np.sqrt(
                sigma2[:, None] * (length + length**2 / n + (msum - length * m_bar[:, None]) ** 2 / sxx[:, None])
            )
            out["se"][a:b] = se
            t = np.divide(car, se, out=out["t"][a:b])
            out["p"][a:b] = 2.0 * special.stdtr(n - 2, -np.abs(t))
            out["r2"][a:b] = 1.0 - ssr / syy_c
        nan = np.isnan(sigma2) | np.isnan(ar).any(axis=1)
        out["nan"][a:b] = nan
        out["ok"][a:b] = ~nan & np.isfinite(beta) & np.isfinite(sigma2) & (sxx > 0) & (sigma2 > 0)
        out["alpha"][a:b], out["beta"][a:b], out["sigma2"][a:b] = alpha, beta, sigma2
        out["abnormal"][a:b], out["returns"][a:b], out["market"][a:b] = ar, ye, me
        out["sar"][a:b], out["expected"][a:b] = sar, expected
        if self.residuals:
            out["residuals"][a:b] = y - alpha[:, None] - beta[:, None] * m


def returns_panel(
    frames: dict[str, pd.DataFrame], sessions: pd.DatetimeIndex, *, carry: set[str] | frozenset[str] = frozenset()
) -> pd.DataFrame:
    """Returns of every symbol on ``sessions`` (one exchange), NaN where a price is missing.

    Symbols in ``carry`` (benchmarks, which may trade on other days) take
    their last close on or before each session, as
    :func:`eventstudy.market.returns.prices_on_sessions` does.
    """
    from eventstudy.market.frames import price_series

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
    from eventstudy.engine.models import DEGENERATE_FIT, FittedModel

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
        if not (np.isfinite(beta[p]) and np.isfinite(sigma2[p]) and sxx[p] > 0 and sigma2[p] > 0) or not (
            ssr[p] > DEGENERATE_FIT * syy_c[p]
        ):  # degenerate, or R² = 1: fitted again the slow way, which names the problem
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
