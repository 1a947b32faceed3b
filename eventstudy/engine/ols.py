"""The one least-squares engine: every expected-return model, all pairs at once, on stacked windows.

For each pair p the estimation window gives returns y (T,) and regressors
X (T, k) (a constant first when the model has one); the event (AR) window
gives y* (L,) and X* (L, k). With b the OLS estimate and e its residuals::

    σ² = e'e / (n - k),   R² = 1 - e'e / Σ(y - ȳ)²,   AR = y* - X* b (+ offset)
    Var(AR_t) = σ²(1 + x_t'(X'X)⁻¹x_t)                        (SAR = AR / its SD, Patell 1976)
    Var(CAR)  = σ²(L + ι'X*(X'X)⁻¹X*'ι)                       (MacKinlay 1997, eq. 11-12)
    t = CAR / √Var(CAR),  p = 2 P(T_{n-k} ≥ |t|)

Models (:class:`Design`): ``constant_mean`` (k = 1), ``market`` (k = 2),
``multi_index`` (market + other indices), ``ff3`` (three factors, y - RF
regressed, RF added back to the prediction), ``market_adjusted`` (nothing
estimated: AR = R - Rm, σ with n - 1 df, no estimation term) and ``index``
(an index measured on itself: AR 0, σ NaN). The market model (k = 2) is
solved in closed form (centred moments), every other OLS by a batched QR
decomposition, X = QR, b = R⁻¹Q'y, (X'X)⁻¹ = R⁻¹R⁻ᵀ; both are branches of
:func:`fit`.

Pairs are read from a panel ``values_t`` (symbols × sessions, C-contiguous)
by column and first row, in blocks of :data:`BLOCK_PAIRS` pairs, so a
block's windows stay in cache; blocks run on threads (numpy releases the
GIL). :func:`solve_stacked` takes already stacked windows instead.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import NotRequired, TypedDict, Unpack

import numpy as np

BLOCK_PAIRS = 1024  # pairs per block: a block's gathered windows (a few MB) stay in cache
# a fit whose residual sum of squares is below this share of the returns' is degenerate (σ/sd < 1e-6)
DEGENERATE_FIT = 1e-12


@dataclass(frozen=True)
class Design:
    """What a model regresses: its kind, parameter names, constant and offset.

    ``kind`` is "ols", "adjusted" (AR = R - Rm, nothing estimated) or
    "index" (AR 0, σ NaN). ``names`` are the parameters in design-column
    order (the constant, when ``intercept``, is "alpha"). ``offset``: the
    last regressor column is subtracted from the returns before the fit and
    added back to the prediction (RF for ``ff3``).
    """

    name: str
    names: tuple[str, ...]
    kind: str = "ols"
    intercept: bool = True
    offset: bool = False

    @property
    def k(self) -> int:
        """Design columns (parameters)."""
        return len(self.names)

    @property
    def regressors(self) -> int:
        """Regressor columns read from the panel (besides the security's; the offset included)."""
        return self.k - self.intercept + self.offset

    @property
    def closed_form(self) -> bool:
        """The market model: α + β·Rm, solved in closed form."""
        return self.kind == "ols" and self.intercept and self.k == 2 and not self.offset

    @property
    def df_lost(self) -> int:
        """Degrees of freedom used by the fit (k; 1 for the models with nothing estimated)."""
        return self.k if self.kind == "ols" else 1


def market_design(name: str = "market") -> Design:
    """``R = α + β Rm``."""
    return Design(name, ("alpha", "beta"))


@dataclass
class Fit:
    """Estimation-window fits of P pairs (first axis).

    ``problem`` holds, per pair, why its fit is degenerate ("" when it is
    not): the text the exclusion check reports.
    """

    design: Design
    params: np.ndarray  # (P, k)
    sigma: np.ndarray  # (P,)
    r2: np.ndarray  # (P,)
    xtx_inv: np.ndarray | None  # (P, k, k); None when nothing is estimated
    residuals: np.ndarray  # (P, T)
    nobs: int
    problem: np.ndarray  # (P,) object

    @property
    def df(self) -> int:
        """Residual degrees of freedom, n - k (n - 1 for market-adjusted and index)."""
        return self.nobs - self.design.df_lost

    def param(self, name: str) -> np.ndarray:
        """One parameter over the pairs (NaN when the model has none; 1 for β of the unestimated models)."""
        if name in self.design.names:
            return self.params[:, self.design.names.index(name)]
        return np.full(len(self.sigma), np.nan)


@dataclass
class Solved:
    """Fits, abnormal returns and CAR tests of P pairs.

    Event-window arrays are (P, L); window arrays (P, W) in the order of ``windows``.
    """

    fit: Fit
    windows: tuple[tuple[int, int], ...]
    returns: np.ndarray  # (P, L) security returns on the AR window
    regressors: np.ndarray  # (P, L, regressors) as read from the panel (benchmark first)
    expected: np.ndarray
    abnormal: np.ndarray
    sar: np.ndarray
    car: np.ndarray  # (P, W)
    se: np.ndarray
    t: np.ndarray
    p: np.ndarray
    nan: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # (P,) a window held NaN


def t_two_sided(t: np.ndarray | float, df: np.ndarray | float) -> np.ndarray | float:
    """Two-sided Student-t p-value, ``2 P(T_df >= |t|)`` (NaN for NaN ``t``); the one place it is computed.

    ``scipy.special.stdtr`` is the t CDF that ``scipy.stats.t`` itself uses.
    """
    from scipy.special import stdtr

    p = 2.0 * stdtr(df, -np.abs(t))
    return float(p) if np.ndim(p) == 0 else p


# --------------------------------------------------------------------------- fit


def fit(y: np.ndarray, x: np.ndarray, design: Design) -> Fit:
    """Fit ``design`` on stacked estimation windows: ``y`` (P, T), ``x`` (P, T, regressors).

    ``x`` holds the regressor columns the design reads (benchmark first;
    the offset last when ``design.offset``); the constant is added here.
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float).reshape(len(y), y.shape[1], design.regressors)
    n = y.shape[1]
    if design.kind in ("adjusted", "index"):
        return _unestimated(y, x, design)
    if design.offset:
        y, x = y - x[:, :, -1], x[:, :, :-1]
    if design.closed_form:
        return _market(y, x[:, :, 0], design)
    xd = np.concatenate([np.ones((*y.shape, 1)), x], axis=2) if design.intercept else x
    rank = np.linalg.matrix_rank(np.nan_to_num(xd)) if len(y) else np.zeros(0, int)
    singular = rank < design.k
    safe = xd
    if singular.any() or np.isnan(xd).any():  # a stand-in design, so the batch solves; those pairs are flagged
        safe = np.where((singular | np.isnan(xd).any(axis=(1, 2)))[:, None, None], np.eye(n, design.k) + 1e-3, xd)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        q, r = np.linalg.qr(safe)
        params = np.linalg.solve(r, np.einsum("ptk,pt->pk", q, y)[:, :, None])[:, :, 0]
        resid = y - np.einsum("ptk,pk->pt", xd, params)
        r_inv = np.linalg.inv(r)
    xtx_inv = r_inv @ np.swapaxes(r_inv, 1, 2)
    ssr = np.einsum("pt,pt->p", resid, resid)
    centred = y - y.mean(axis=1, keepdims=True)
    syy = np.einsum("pt,pt->p", centred, centred)
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma2 = ssr / (n - design.k)
        r2 = 1.0 - ssr / syy if design.k > 1 else np.full(len(y), np.nan)
    problem = _problems(design, singular, ssr, syy, sigma2)
    return Fit(design, params, np.sqrt(np.maximum(sigma2, 0.0)), r2, xtx_inv, resid, n, problem)


def _market(y: np.ndarray, m: np.ndarray, design: Design) -> Fit:
    """The market model in closed form: β = Sxy / Sxx, α = ȳ - β m̄, σ² = SSR / (n - 2)."""
    n = y.shape[1]
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
        r2 = 1.0 - ssr / syy_c
        # (X'X)⁻¹ for X = [1, m]: [[Σm², -Σm], [-Σm, n]] / (n · Sxx)
        xtx_inv = np.stack([np.stack([smm, -sm], -1), np.stack([-sm, np.full(len(m), float(n))], -1)], 1)
        xtx_inv /= (n * sxx)[:, None, None]
    resid = y - alpha[:, None] - beta[:, None] * m
    suspect = np.flatnonzero(~(sxx > 0) | ~np.isfinite(beta))  # only these can be rank deficient
    singular = np.zeros(len(y), bool)
    if len(suspect):
        design_rows = np.stack([np.ones_like(m[suspect]), m[suspect]], axis=2)
        singular[suspect] = np.linalg.matrix_rank(np.nan_to_num(design_rows)) < 2
    problem = _problems(design, singular, ssr, syy_c, sigma2)
    with np.errstate(invalid="ignore"):
        sigma = np.sqrt(sigma2)
    return Fit(design, np.stack([alpha, beta], 1), sigma, r2, xtx_inv, resid, n, problem)


def _unestimated(y: np.ndarray, x: np.ndarray, design: Design) -> Fit:
    """Market-adjusted (AR = R - Rm, σ with n - 1 df) and index (AR 0, σ NaN) "fits"."""
    p, n = y.shape
    params = np.ones((p, 1))
    problem = np.full(p, "", dtype=object)
    if design.kind == "index":
        return Fit(design, params, np.full(p, np.nan), np.full(p, np.nan), None, np.zeros_like(y), n, problem)
    resid = y - x[:, :, 0]
    with np.errstate(invalid="ignore"):
        sigma = np.std(resid, axis=1, ddof=1)
    problem[~(sigma > 0)] = f"{design.name} model: R - Rm is constant on the estimation window"
    return Fit(design, params, sigma, np.full(p, np.nan), None, resid, n, problem)


def _problems(design: Design, singular: np.ndarray, ssr: np.ndarray, syy: np.ndarray, sigma2: np.ndarray) -> np.ndarray:
    """Why each fit is degenerate ("" when it is not), first reason first."""
    name = design.name
    out = np.full(len(ssr), "", dtype=object)
    with np.errstate(invalid="ignore"):
        exact = (syy > 0) & (ssr <= DEGENERATE_FIT * syy) if design.k > 1 else np.zeros(len(ssr), bool)
        flat = ~(np.isfinite(sigma2) & (sigma2 > 0))
    out[flat] = f"{name} model: estimation-window residuals have zero variance (constant returns?)"
    out[exact] = (
        f"{name} model: the regressors reproduce the returns exactly (R² = 1, σ ≈ 0 on the estimation "
        "window): is the benchmark the security itself, or the same prices under another name?"
    )
    out[singular] = f"{name} model: regressors are collinear or constant on the estimation window"
    return out


# --------------------------------------------------------------------------- abnormal returns


def window_matrix(days: np.ndarray, windows: tuple[tuple[int, int], ...]) -> np.ndarray:
    """(L, W) 0/1 matrix: event day l lies in window w."""
    return np.array([(days >= s) & (days <= e) for s, e in windows], dtype=float).reshape(len(windows), -1).T


def abnormal(
    f: Fit, y: np.ndarray, x: np.ndarray, days: np.ndarray, windows: tuple[tuple[int, int], ...]
) -> tuple[np.ndarray, ...]:
    """Expected, AR, SAR, CAR, its standard error, t and p of fits ``f`` on event windows.

    ``y`` (P, L) returns and ``x`` (P, L, regressors) on event days ``days``.
    """
    d = f.design
    p_, length = y.shape
    x = np.asarray(x, dtype=float).reshape(p_, length, d.regressors)
    inside = window_matrix(days, windows)
    sigma2 = f.sigma[:, None] ** 2
    if d.kind in ("adjusted", "index"):
        expected = x[:, :, 0].copy()
        ar = y - expected
        with np.errstate(invalid="ignore", divide="ignore"):
            sar = ar / np.sqrt(sigma2)
            var = sigma2 * inside.sum(axis=0)
    elif d.closed_form:
        expected, ar, sar, var = _market_abnormal(f, y, x[:, :, 0], inside)
    else:
        off = x[:, :, -1] if d.offset else 0.0
        reg = x[:, :, :-1] if d.offset else x
        xd = np.concatenate([np.ones((p_, length, 1)), reg], axis=2) if d.intercept else reg
        expected = np.einsum("plk,pk->pl", xd, f.params) + off
        ar = y - expected
        assert f.xtx_inv is not None
        h = np.einsum("plj,pjk,plk->pl", xd, f.xtx_inv, xd)
        s = np.einsum("plk,lw->pwk", xd, inside)
        with np.errstate(invalid="ignore", divide="ignore"):
            sar = ar / np.sqrt(sigma2 * (1.0 + h))
            var = sigma2 * (inside.sum(axis=0) + np.einsum("pwj,pjk,pwk->pw", s, f.xtx_inv, s))
    car = by_rows(ar, inside)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(var)
        t = np.where(np.isfinite(var) & (var > 0), car / se, np.nan)
    return expected, ar, sar, car, se, t, t_two_sided(t, f.df)


ROW_BLOCK = 32  # rows a matrix product is padded to a multiple of (see by_rows)


def by_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b``, each row's bits independent of the other rows of ``a``.

    BLAS computes a product's last rows (those past a multiple of its tile), and a single row,
    with other kernels, whose sums can differ in the last bit; padded with zero rows to a
    multiple of :data:`ROW_BLOCK`, every row goes through the same kernel, so a pair's CAR is
    the same whichever pairs share its block (a study on Dask equals a local run to the bit).
    """
    pad = -len(a) % ROW_BLOCK
    if not pad:
        return a @ b
    return (np.concatenate([a, np.zeros((pad, *a.shape[1:]))]) @ b)[: len(a)]


def _market_abnormal(f: Fit, y: np.ndarray, m: np.ndarray, inside: np.ndarray) -> tuple[np.ndarray, ...]:
    """The closed-form market model's AR terms: ι'X*(X'X)⁻¹X*'ι = L²/n + (Σm* - L m̄)²/Sxx."""
    n = f.nobs
    assert f.xtx_inv is not None
    alpha, beta = f.params[:, 0], f.params[:, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        sxx = 1.0 / f.xtx_inv[:, 1, 1]  # (X'X)⁻¹[1,1] = 1 / Sxx
        m_bar = -f.xtx_inv[:, 0, 1] * sxx  # (X'X)⁻¹[0,1] = -m̄ / Sxx
        sigma2 = f.sigma**2
        expected = alpha[:, None] + beta[:, None] * m
        ar = y - expected
        sar = ar / np.sqrt(sigma2[:, None] * (1.0 + 1.0 / n + (m - m_bar[:, None]) ** 2 / sxx[:, None]))
        length = inside.sum(axis=0)
        msum = by_rows(m, inside)
        var = sigma2[:, None] * (length + length**2 / n + (msum - length * m_bar[:, None]) ** 2 / sxx[:, None])
    return expected, ar, sar, var


# --------------------------------------------------------------------------- drivers


def solve(
    values_t: np.ndarray,
    cols: np.ndarray,
    day0_col: np.ndarray,
    design: Design,
    *,
    first: int,
    estimation_window: tuple[int, int],
    ar_window: tuple[int, int],
    event_windows: tuple[tuple[int, int], ...],
    threads: int | None = None,
) -> Solved:
    """Fit and test every pair, reading its windows from a panel.

    ``values_t`` is (symbols, sessions) returns, C-contiguous; pair p reads
    columns ``cols[p]`` ((P, 1 + regressors): the security, then the
    design's regressors) with day 0 at session ``day0_col[p]``; ``first``
    is the earliest event day any window needs (so ``day0_col + first >= 0``).
    """
    cols = np.asarray(cols, dtype=np.intp).reshape(len(day0_col), 1 + design.regressors)
    last = max(estimation_window[1], ar_window[1])
    span = last - first + 1
    rows = np.asarray(day0_col, dtype=np.intp) + first
    if len(rows) and (rows.min() < 0 or rows.max() + span > values_t.shape[1]):
        raise ValueError("a window runs outside the returns panel")
    windows = np.lib.stride_tricks.sliding_window_view(values_t, span, axis=1)
    est = slice(estimation_window[0] - first, estimation_window[1] - first + 1)
    ev = slice(ar_window[0] - first, ar_window[1] - first + 1)
    days = np.arange(ar_window[0], ar_window[1] + 1)

    def block(a: int, b: int) -> Solved:
        g = windows[cols[a:b], rows[a:b, None]]  # (c, 1 + regressors, span)
        y, x = g[:, 0], np.moveaxis(g[:, 1:], 1, 2)
        nan = np.isnan(g[:, :, est]).any(axis=(1, 2)) | np.isnan(g[:, :, ev]).any(axis=(1, 2))
        f = fit(y[:, est], x[:, est], design)
        f.problem[nan] = "missing"
        out = abnormal(f, y[:, ev], x[:, ev], days, event_windows)
        return Solved(f, event_windows, y[:, ev], x[:, ev], *out, nan=nan)

    bounds = [(a, min(a + BLOCK_PAIRS, len(rows))) for a in range(0, len(rows), BLOCK_PAIRS)] or [(0, 0)]
    workers = min(threads or os.cpu_count() or 1, len(bounds))
    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            parts = list(pool.map(lambda ab: block(*ab), bounds))
    else:
        parts = [block(a, b) for a, b in bounds]
    return parts[0] if len(parts) == 1 else _concat(parts)


class SolveWindows(TypedDict):
    """The keyword arguments :func:`solve_stacked` passes on to :func:`solve` (see there)."""

    estimation_window: tuple[int, int]
    ar_window: tuple[int, int]
    event_windows: tuple[tuple[int, int], ...]
    threads: NotRequired[int | None]


def solve_stacked(
    y: np.ndarray, x: np.ndarray, design: Design, *, start: int, cached: bool = False, **windows: Unpack[SolveWindows]
) -> Solved:
    """:func:`solve` on stacked windows: ``y`` (P, S), ``x`` (P, S, regressors), column 0 = event day ``start``.

    ``windows``: ``estimation_window``, ``ar_window``, ``event_windows`` and ``threads``, as :func:`solve` takes them.
    ``cached``: read from (and kept in) the disk cache of :mod:`eventstudy.engine.solve_cache`.
    """
    y = np.asarray(y, dtype=float)
    p, s = y.shape
    x = np.asarray(x, dtype=float).reshape(p, s, design.regressors)
    values_t = np.ascontiguousarray(np.concatenate([y[:, None, :], np.moveaxis(x, 2, 1)], axis=1).reshape(-1, s))
    cols = (np.arange(p)[:, None] * (1 + design.regressors) + np.arange(1 + design.regressors)).astype(np.intp)
    if cached:
        from eventstudy.engine.solve_cache import cached_solve  # imports this module

        return cached_solve(values_t, cols, np.full(p, -start), design, first=start, **windows)
    return solve(values_t, cols, np.full(p, -start), design, first=start, **windows)


def _concat(parts: list[Solved]) -> Solved:
    def cat(name: str, obj: str = "") -> np.ndarray:
        return np.concatenate([getattr(getattr(p, obj) if obj else p, name) for p in parts])

    f0 = parts[0].fit
    xtx = None if f0.xtx_inv is None else cat("xtx_inv", "fit")
    f = Fit(f0.design, cat("params", "fit"), cat("sigma", "fit"), cat("r2", "fit"), xtx, cat("residuals", "fit"),
            f0.nobs, cat("problem", "fit"))  # fmt: skip
    names = ("returns", "regressors", "expected", "abnormal", "sar", "car", "se", "t", "p", "nan")
    return Solved(f, parts[0].windows, **{k: cat(k) for k in names})  # type: ignore[arg-type]
