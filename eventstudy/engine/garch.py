"""The GARCH(1,1) market model, fitted by ``arch`` (Sheppard), per pair.

Mean and variance (Bollerslev 1986), fitted by maximum likelihood (normal
errors) on the estimation window::

    R_t = c + β R_mt + ε_t,   ε_t = σ_t z_t
    σ_t² = ω + α ε_{t-1}² + γ σ_{t-1}²

through ``arch_model(100 R, x=100 R_m, mean="LS", vol="GARCH", p=1, q=1,
rescale=False)``: returns are fitted in percent, where arch's optimizer is
well scaled, so ``const`` is in percent and ``omega`` in percent²; ``beta``
(the market slope), ``alpha`` and ``gamma`` (arch's ``beta[1]``) have no unit.

**Out of sample.** The event window is forecast from the last day of the
estimation window with the fitted parameters (arch's analytic multi-step
forecast, ``ARCHModelResult.forecast(horizon=H, x=...)``): the conditional
variance of day d is the (d - τ_end)-step-ahead forecast, which uses no
return of the event window, so an event cannot widen its own yardstick.
The mean of day d is ``c + β R_md`` with the day's actual market return.
``AR_d = R_d - c - β R_md`` and ``SAR_d = AR_d / σ_d`` (decimals); a CAR's
variance is ``Σ σ_d²`` (the forecast errors are uncorrelated), and
``z = CAR / sqrt(Σ σ_d²)`` is compared with the standard normal. Parameter
estimation error is ignored (T ≈ 240).

**Exclusions** (``GarchFit.ok`` False, ``reason`` says why; never reported
silently): missing returns in the windows; an arch error; the optimizer's
``convergence_flag`` ≠ 0; a variance parameter on the boundary of arch's
constraints (ω > 0, α ≥ 0, γ ≥ 0, α + γ < 1), i.e. ``α < BOUND``, ``γ <
BOUND`` or ``α + γ > 1 - BOUND``, or ``ω`` below 1e-6 of the sample
variance: there the model is not a GARCH(1,1) (no ARCH effect, γ
unidentified, or an integrated variance without a finite level) and the
usual standard errors do not hold; non-finite standard errors.

References
----------
Bollerslev, T. (1986). Generalized autoregressive conditional
heteroskedasticity. Journal of Econometrics 31(3), 307-327.
Sheppard, K. et al. arch: ARCH models in Python. https://github.com/bashtage/arch
"""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from eventstudy.engine.stacks import as_stacked, columns, pair_stacks
from eventstudy.errors import ModelError
from eventstudy.processes import worker_pool
from eventstudy.spec.types import DEFAULT_AR_WINDOW, DEFAULT_ESTIMATION_WINDOW, DEFAULT_EVENT_WINDOWS

if TYPE_CHECKING:
    from eventstudy.engine.abnormal_returns import EngineTables

SCALE = 100.0  # fitted in percent
GARCH_SERIAL_BELOW = 64  # fewer pairs are fitted in this process (a process pool costs ~1 s to start)
BOUND = 1e-4
ARCH_NAMES = {"Const": "const", "x0": "beta", "omega": "omega", "alpha[1]": "alpha", "beta[1]": "gamma"}


@dataclass(frozen=True)
class GarchFit:
    """One pair's GARCH(1,1) market model: parameters, and the event window out of sample.

    Arrays are NaN when ``ok`` is False; ``reason`` says why.
    """

    ok: bool
    reason: str
    nobs: int
    days: np.ndarray  # (L,)
    windows: tuple[tuple[int, int], ...]
    params: dict[str, float] = field(default_factory=dict)  # const (%), beta, omega (%²), alpha, gamma
    std_err: dict[str, float] = field(default_factory=dict)
    convergence_flag: int = -1
    loglik: float = math.nan
    abnormal: np.ndarray = field(default_factory=lambda: np.empty(0))  # (L,) decimals
    sigma: np.ndarray = field(default_factory=lambda: np.empty(0))  # (L,) conditional sd forecast, decimals
    sar: np.ndarray = field(default_factory=lambda: np.empty(0))  # (L,)
    car: np.ndarray = field(default_factory=lambda: np.empty(0))  # (W,)
    car_se: np.ndarray = field(default_factory=lambda: np.empty(0))
    z: np.ndarray = field(default_factory=lambda: np.empty(0))
    p: np.ndarray = field(default_factory=lambda: np.empty(0))


def _excluded(reason: str, nobs: int, days: np.ndarray, windows: tuple, **kw: object) -> GarchFit:
    nan_l, nan_w = np.full(len(days), np.nan), np.full(len(windows), np.nan)
    return GarchFit(False, reason, nobs, days, windows, abnormal=nan_l, sigma=nan_l, sar=nan_l, car=nan_w,
                    car_se=nan_w, z=nan_w, p=nan_w, **kw)  # type: ignore[arg-type]  # fmt: skip


def boundary_reason(params: dict[str, float], sample_variance: float) -> str:
    """Why the variance parameters sit on a boundary of the GARCH(1,1) constraints, or ``""``."""
    a, g, w = params["alpha"], params["gamma"], params["omega"]
    if a < BOUND:
        return f"alpha = {a:.2g} at its bound 0 (no ARCH effect; gamma not identified)"
    if g < BOUND:
        return f"gamma (beta[1]) = {g:.2g} at its bound 0"
    if a + g > 1.0 - BOUND:
        return f"alpha + gamma = {a + g:.6f} at the stationarity bound 1"
    if w < 1e-6 * sample_variance:
        return f"omega = {w:.2g} at its bound 0"
    return ""


def fit_garch(
    returns: ArrayLike,
    market: ArrayLike,
    *,
    start: int,
    options: dict[str, object] | None = None,
    estimation_window: tuple[int, int] = DEFAULT_ESTIMATION_WINDOW,
    ar_window: tuple[int, int] = DEFAULT_AR_WINDOW,
    event_windows: tuple[tuple[int, int], ...] = DEFAULT_EVENT_WINDOWS,
) -> GarchFit:
    """Fit one pair (1-D arrays on consecutive sessions; index ``j`` is event day ``start + j``).

    ``options`` go to the optimizer (``scipy.optimize.minimize``'s SLSQP
    options through ``arch``'s ``fit``), e.g. ``{"maxiter": 500}``.

    Raises
    ------
    ValueError
        Windows outside the arrays, or an abnormal window that does not
        start after the estimation window. Data and fit problems do not
        raise: they exclude the pair with its reason.
    """
    from arch import arch_model

    y = as_stacked(returns, "returns")[0]
    m = as_stacked(market, "market", (1, len(y)))[0]
    est = columns(start, len(y), estimation_window, "estimation window")
    ev = columns(start, len(y), ar_window, "ar_window")
    if ar_window[0] <= estimation_window[1]:
        raise ValueError(f"ar_window {ar_window} must start after the estimation window {estimation_window}")
    windows = tuple((int(a), int(b)) for a, b in event_windows)
    for w in windows:
        columns(ar_window[0], ev.stop - ev.start, w, "event window")
    days = np.arange(ar_window[0], ar_window[1] + 1)
    nobs = est.stop - est.start
    ahead = slice(est.stop, ev.stop)  # horizons 1..H after the estimation window
    if not (np.isfinite(y[est]).all() and np.isfinite(m[est]).all() and np.isfinite(m[ahead]).all()):
        return _excluded(
            "missing returns in the estimation window or the benchmark's event window", nobs, days, windows
        )
    if not np.isfinite(y[ev]).all():
        return _excluded("missing returns in the event window", nobs, days, windows)
    ys, ms = SCALE * y[est], SCALE * m[est]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence is read from the result below
            model = arch_model(ys, x=ms[:, None], mean="LS", vol="GARCH", p=1, q=1, dist="normal", rescale=False)
            res = model.fit(disp="off", show_warning=False, options=options)
    except (ValueError, np.linalg.LinAlgError, RuntimeError) as exc:
        return _excluded(f"arch could not fit: {exc}", nobs, days, windows)
    params = {ARCH_NAMES[k]: float(v) for k, v in res.params.items()}
    std_err = {ARCH_NAMES[k]: float(v) for k, v in res.std_err.items()}
    info = {"params": params, "std_err": std_err, "convergence_flag": int(res.convergence_flag),
            "loglik": float(res.loglikelihood)}  # fmt: skip
    if res.convergence_flag != 0:
        message = getattr(res.optimization_result, "message", "")
        return _excluded(f"optimizer did not converge (flag {res.convergence_flag}: {message})", nobs, days, windows,
                         **info)  # fmt: skip
    if reason := boundary_reason(params, float(np.var(ys))):
        return _excluded(reason, nobs, days, windows, **info)
    if not all(math.isfinite(v) for v in std_err.values()):
        return _excluded("standard errors are not finite", nobs, days, windows, **info)
    horizon = ahead.stop - ahead.start
    fc = res.forecast(horizon=horizon, x=SCALE * m[ahead][None, None, :], reindex=False)
    take = slice(horizon - len(days), horizon)
    mean = fc.mean.to_numpy()[-1, take] / SCALE
    sigma = np.sqrt(fc.variance.to_numpy()[-1, take]) / SCALE
    ar = y[ev] - mean
    car, var = np.empty(len(windows)), np.empty(len(windows))
    for w, (a, b) in enumerate(windows):
        sel = (days >= a) & (days <= b)
        car[w], var[w] = ar[sel].sum(), (sigma[sel] ** 2).sum()
    se = np.sqrt(var)
    z = car / se
    p = np.array([math.erfc(abs(v) / math.sqrt(2.0)) for v in z])
    return GarchFit(True, "", nobs, days, windows, abnormal=ar, sigma=sigma, sar=ar / sigma, car=car, car_se=se, z=z,
                    p=p, **info)  # type: ignore[arg-type]  # fmt: skip


def _fit_one(job: tuple[np.ndarray, np.ndarray, dict]) -> GarchFit:
    y, m, kw = job
    return fit_garch(y, m, **kw)


def fit_garch_many(
    returns: ArrayLike, market: ArrayLike, *, start: int, workers: int | None = None, **fit: Any
) -> list[GarchFit]:
    """:func:`fit_garch` for every pair of (P, S) stacks, in ``workers`` processes.

    ``workers`` defaults to ``os.cpu_count()``; 1 (or fewer than 2 pairs per
    worker) fits in this process. Results keep the pairs' order; ``fit``: the
    other keywords of :func:`fit_garch` (windows, ``options``).
    """
    y = as_stacked(returns, "returns")
    m = as_stacked(market, "market", y.shape)
    kw = {"start": start, **fit}
    jobs = [(y[p], m[p], kw) for p in range(len(y))]
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(jobs) < 2 * workers:
        return [_fit_one(j) for j in jobs]
    with worker_pool(workers) as pool:
        return list(pool.map(_fit_one, jobs, chunksize=max(1, len(jobs) // (4 * workers))))


def garch_arrays(fits: list[GarchFit]) -> dict[str, np.ndarray]:
    """The fits as arrays over pairs: ``ok``, ``reason``, ``abnormal``/``sigma``/``sar`` (P, L), ``car``... (P, W)."""
    out: dict[str, np.ndarray] = {"ok": np.array([f.ok for f in fits]), "reason": np.array([f.reason for f in fits])}
    for key in ("abnormal", "sigma", "sar", "car", "car_se", "z", "p"):
        out[key] = np.array([getattr(f, key) for f in fits])
    for key in ARCH_NAMES.values():
        out[key] = np.array([f.params.get(key, math.nan) for f in fits])
    return out


def refit_garch(tables: EngineTables, *, workers: int | None = None) -> list[tuple[int, ModelError]]:
    """Refit every pair of ``tables`` (fitted by the OLS market model) as a GARCH(1,1) market model, in place.

    The ar, car and fits tables and the residuals of each pair are replaced
    by the GARCH model's (:func:`fit_garch`): AR =
    R - c - β Rm, SAR = AR / conditional σ forecast out of sample, CAR with
    se = sqrt(Σ σ_d²) and z against the normal (in the ``t`` column); fits
    get ``alpha`` = c, ``beta``, ``sigma`` = the unconditional σ, ``r2``
    NaN, and ``garch_omega``, ``garch_alpha``, ``garch_gamma``,
    ``garch_loglik``. Pairs whose fit fails are removed from the tables and
    returned as (plan position, error naming the pair and the reason).
    ``workers``: processes (default one per CPU from ``GARCH_SERIAL_BELOW`` pairs on, else 1).
    """
    plan = tables.plan
    assert plan is not None
    spec = plan.spec
    est, arw = spec.estimation_window, spec.ar_window
    stacks = pair_stacks(tables, None, est[0], arw[1])
    if not len(stacks.keys):
        return []
    if workers is None:
        workers = None if len(stacks.keys) >= GARCH_SERIAL_BELOW else 1
    fits = fit_garch_many(stacks.returns, stacks.market, start=est[0], estimation_window=est, ar_window=arw,
                          event_windows=spec.event_windows, workers=workers)  # fmt: skip
    # rows of the engine's tables: pair k of ``fits`` (the table) has ar rows k*L.., car rows k*W..
    table_row = pd.MultiIndex.from_frame(tables.fits[["event", "ticker"]]).get_indexer(
        pd.MultiIndex.from_frame(stacks.keys)
    )
    length, n_windows = arw[1] - arw[0] + 1, len(spec.event_windows)
    ar, car, fit_t = tables.ar.copy(), tables.car.copy(), tables.fits.copy()
    for col in ("garch_omega", "garch_alpha", "garch_gamma", "garch_loglik"):
        fit_t[col] = np.nan
    drop = np.zeros(len(fit_t), bool)
    excluded = []
    est_cols = stacks.days(*est)
    for k, g in enumerate(fits):
        row, pos = int(table_row[k]), int(stacks.positions[k])
        if not g.ok:
            drop[row] = True
            tables.residual_rows[pos] = np.nan
            event, ticker = stacks.keys.iloc[k]
            excluded.append((pos, ModelError(f"{ticker} around {event}: GARCH(1,1) fit excluded: {g.reason}")))
            continue
        a = slice(row * length, (row + 1) * length)
        ar.iloc[a, ar.columns.get_loc("expected")] = ar["return"].to_numpy()[a] - g.abnormal
        ar.iloc[a, ar.columns.get_loc("abnormal")] = g.abnormal
        ar.iloc[a, ar.columns.get_loc("sar")] = g.sar
        c = slice(row * n_windows, (row + 1) * n_windows)
        for name, value in (("car", g.car), ("se", g.car_se), ("t", g.z), ("p", g.p)):
            car.iloc[c, car.columns.get_loc(name)] = value
        car.iloc[c, car.columns.get_loc("df")] = g.nobs - 5
        par = g.params
        const, beta = par["const"] / SCALE, par["beta"]
        persistence = par["alpha"] + par["gamma"]
        values = {"model": "garch", "alpha": const, "beta": beta, "r2": np.nan, "df": g.nobs - 5,
                  "sigma": math.sqrt(par["omega"] / (1.0 - persistence)) / SCALE,
                  "garch_omega": par["omega"] / SCALE**2, "garch_alpha": par["alpha"], "garch_gamma": par["gamma"],
                  "garch_loglik": g.loglik}  # fmt: skip
        for name, value in values.items():
            fit_t.iloc[row, fit_t.columns.get_loc(name)] = value
        tables.residual_rows[pos] = stacks.returns[k, est_cols] - const - beta * stacks.market[k, est_cols]
    keep_ar, keep_car = np.repeat(~drop, length), np.repeat(~drop, n_windows)
    tables.ar = ar[keep_ar].reset_index(drop=True)
    tables.car = car[keep_car].reset_index(drop=True)
    tables.fits = fit_t[~drop].reset_index(drop=True)
    return excluded
