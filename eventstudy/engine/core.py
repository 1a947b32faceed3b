"""The engine: a plan and its price frames → the ar, car, fits and residuals tables of every pair.

One path for every model and study size (a single study is a batch of
one)::

    plan ─▶ panels per exchange (+ data check) ─▶ pairs grouped by design ─▶ ols.solve ─▶ long tables

Pairs whose data or fit fail are left out with their reason
(:attr:`EngineTables.excluded`), in pair order: data problems first, then
degenerate fits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from eventstudy.engine import ols
from eventstudy.engine.flags import Z_THRESHOLD  # |residual / σ| counted in share_abs_z_ge_3
from eventstudy.engine.models import ExpectedReturnModel, PairDesign, pair_design
from eventstudy.engine.panel import ExchangePanel, exchange_panel
from eventstudy.engine.plan import Plan
from eventstudy.errors import EventStudyError, ModelError


@dataclass
class EngineTables:
    """The engine's tables (rows in pair order) and the pairs it left out."""

    ar: pd.DataFrame
    car: pd.DataFrame
    fits: pd.DataFrame
    residuals: pd.DataFrame
    excluded: list[tuple[int, EventStudyError]] = field(default_factory=list)  # (plan position, error)
    warnings: list[str] = field(default_factory=list)  # DataWarning texts, in pair order
    panels: list[ExchangePanel] = field(default_factory=list)
    designs: list[PairDesign | None] = field(default_factory=list)


def compute(
    plan: Plan, frames: dict[str, pd.DataFrame], model: ExpectedReturnModel, fama_french: pd.DataFrame | None = None
) -> EngineTables:
    """Fit ``model`` for every pair of ``plan`` and compute its tables (see the module doc)."""
    spec = plan.spec
    pairs, secs = plan.pairs, plan.securities
    designs: list[PairDesign | None] = []
    model_errors: dict[int, EventStudyError] = {}
    for i, sec in enumerate(secs):
        try:
            designs.append(pair_design(model, sec, fama_french=fama_french is not None))
        except ModelError as exc:
            designs.append(None)
            model_errors[i] = exc
    panels = []
    for exchange, members in pairs.groupby("exchange", sort=False).indices.items():
        factor_symbols = [_factor_symbols(designs[i]) for i in members]
        ff = fama_french if any(d is not None and ("ff", "RF") in d.columns for d in designs) else None
        panels.append(exchange_panel(pairs, members, str(exchange), plan.sessions(str(exchange)), frames,
                                     first=plan.first, last=plan.last, factor_symbols=factor_symbols,
                                     fama_french=ff))  # fmt: skip
    data_errors = {i: e for p in panels for i, e in p.reasons.items()}
    warned = {i: w for p in panels for i, w in p.warnings.items()}
    n_est = spec.estimation_window[1] - spec.estimation_window[0] + 1
    out = _Out(len(pairs), spec)
    fit_errors: dict[int, EventStudyError] = {}
    for panel in panels:
        groups: dict[PairDesign, list[int]] = {}
        for r, i in enumerate(panel.members):
            d = designs[i]
            if d is not None and int(i) not in data_errors:
                groups.setdefault(d, []).append(r)
        for d, rows_list in groups.items():
            rows = np.array(rows_list, dtype=np.intp)
            members = panel.members[rows]
            minimum = d.min_obs
            if n_est < minimum:
                for i in members:
                    fit_errors[int(i)] = ModelError(
                        f"estimation window has {n_est} returns; at least {minimum} are needed"
                    )
                continue
            cols = np.array([[panel.columns["own", str(pairs["ticker"].iat[i])],
                              *(panel.columns[c] for c in d.columns)] for i in members], dtype=np.intp)  # fmt: skip
            solved = ols.solve(
                panel.values_t, cols, panel.day0[rows], d.design, first=plan.first + 1,
                estimation_window=spec.estimation_window, ar_window=spec.ar_window, event_windows=spec.event_windows,
            )  # fmt: skip
            bench = np.array([panel.columns["carried", str(pairs["benchmark"].iat[i])] for i in members])
            ok = solved.fit.problem == ""
            for r_, i in zip(np.flatnonzero(~ok), members[~ok], strict=True):
                fit_errors[int(i)] = ModelError(str(solved.fit.problem[r_]))
            out.fill(panel, rows[ok], members[ok], bench[ok], cols[ok, 0], d, _take(solved, ok), plan)
    for i, exc in model_errors.items():
        if i not in data_errors:
            fit_errors[i] = exc
    named = {i: type(e)(f"{pairs['ticker'].iat[i]} around {pairs['event'].iat[i]}: {e}") for i, e in fit_errors.items()}
    excluded = sorted(data_errors.items()) + sorted(named.items())
    warnings = [w for i in sorted(warned) for w in warned[i]]
    ar, car, fits, residuals = out.tables(pairs, spec)
    return EngineTables(ar, car, fits, residuals, excluded, warnings, panels, designs)


def _factor_symbols(d: PairDesign | None) -> tuple[str, ...]:
    return () if d is None else tuple(s for kind, s in d.columns[1:] if kind == "carried")


def _take(s: ols.Solved, ok: np.ndarray) -> ols.Solved:
    f = s.fit
    fit = ols.Fit(f.design, f.params[ok], f.sigma[ok], f.r2[ok], None if f.xtx_inv is None else f.xtx_inv[ok],
                  f.residuals[ok], f.nobs, f.problem[ok])  # fmt: skip
    names = ("returns", "regressors", "expected", "abnormal", "sar", "car", "se", "t", "p", "nan")
    return ols.Solved(fit, s.windows, **{k: getattr(s, k)[ok] for k in names})  # type: ignore[arg-type]


class _Out:
    """Per-pair outputs over every pair of the study, filled group by group."""

    def __init__(self, pairs: int, spec: object) -> None:
        est, arw, windows = spec.estimation_window, spec.ar_window, spec.event_windows  # type: ignore[attr-defined]
        length, nobs = arw[1] - arw[0] + 1, est[1] - est[0] + 1
        self.ok = np.zeros(pairs, bool)
        self.model = np.full(pairs, "", dtype=object)
        self.fit = {k: np.full(pairs, np.nan) for k in ("alpha", "beta", "sigma", "r2", "share")}
        self.df = np.zeros(pairs, np.int64)
        self.extra: dict[str, np.ndarray] = {}  # other parameters, by name
        self.dates = {k: np.zeros(pairs, np.int64) for k in ("estimation_start", "estimation_end")}
        day = ("return", "benchmark", "expected", "abnormal", "sar", "price", "benchmark_price")
        self.day = {k: np.full((pairs, length), np.nan) for k in day}
        self.session = np.zeros((pairs, length), np.int64)
        self.shown: dict[str, np.ndarray] = {}  # regressor columns kept in the ar table
        self.car = {k: np.full((pairs, len(windows)), np.nan) for k in ("car", "se", "t", "p")}
        self.residual = np.full((pairs, nobs), np.nan)
        self.nobs, self.est, self.arw = nobs, est, arw

    def fill(
        self,
        panel: ExchangePanel,
        rows: np.ndarray,
        at: np.ndarray,
        bench: np.ndarray,
        own: np.ndarray,
        d: PairDesign,
        s: ols.Solved,
        plan: Plan,
    ) -> None:
        f = s.fit
        self.ok[at] = True
        self.model[at] = d.design.name
        self.fit["alpha"][at], self.fit["beta"][at] = f.param("alpha"), f.param("beta")
        self.fit["sigma"][at], self.fit["r2"][at] = f.sigma, f.r2
        with np.errstate(invalid="ignore", divide="ignore"):
            self.fit["share"][at] = (np.abs(f.residuals) / f.sigma[:, None] >= Z_THRESHOLD).mean(axis=1)
        self.df[at] = f.df
        for name in d.design.names:
            if name not in ("alpha", "beta"):
                self.extra.setdefault(name, np.full(len(self.ok), np.nan))[at] = f.param(name)
        grid = panel.grid.as_unit("ns").asi8
        d0 = panel.day0[rows]
        lo = d0 + plan.first
        self.dates["estimation_start"][at] = grid[lo + 1]
        self.dates["estimation_end"][at] = grid[lo + 1 + self.est[1] - self.est[0]]
        ev = d0[:, None] + np.arange(self.arw[0], self.arw[1] + 1)
        self.session[at] = grid[ev]
        self.day["return"][at] = s.returns
        self.day["benchmark"][at] = panel.values_t[bench[:, None], ev]
        for k in ("expected", "abnormal", "sar"):
            self.day[k][at] = getattr(s, k)
        self.day["price"][at] = panel.prices_t[own[:, None], ev]
        self.day["benchmark_price"][at] = panel.prices_t[bench[:, None], ev]
        for name, col in d.shown:
            self.shown.setdefault(name, np.full(self.session.shape, np.nan))[at] = s.regressors[:, :, col]
        for k in ("car", "se", "t", "p"):
            self.car[k][at] = getattr(s, k)
        self.residual[at] = f.residuals

    def tables(self, pairs: pd.DataFrame, spec: object) -> tuple[pd.DataFrame, ...]:
        done = np.flatnonzero(self.ok)
        windows = spec.event_windows  # type: ignore[attr-defined]
        events = pairs["event"].to_numpy(dtype=object)[done]
        tickers = pairs["ticker"].to_numpy(dtype=object)[done]
        length = self.session.shape[1]

        def keys(each: int) -> dict[str, np.ndarray]:
            return {"event": np.repeat(events, each), "ticker": np.repeat(tickers, each)}

        days = np.arange(self.arw[0], self.arw[1] + 1)
        ar = {**keys(length), "day": np.tile(days, len(done)),
              "session": self.session[done].ravel().astype("datetime64[ns]")}  # fmt: skip
        for k in ("return", "benchmark", "expected", "abnormal", "sar"):
            ar[k] = self.day[k][done].ravel()
        for name, v in self.shown.items():
            ar[name] = v[done].ravel()
        ar["price"], ar["benchmark_price"] = self.day["price"][done].ravel(), self.day["benchmark_price"][done].ravel()
        starts, ends = np.array(windows, dtype=np.int64).reshape(-1, 2).T
        car = {
            **keys(len(windows)),
            "start": np.tile(starts, len(done)),
            "end": np.tile(ends, len(done)),
            **{k: v[done].ravel() for k, v in self.car.items()},
            "df": np.repeat(self.df[done], len(windows)),
        }
        fits = {
            **keys(1),
            "model": self.model[done],
            "benchmark": pairs["benchmark"].to_numpy(dtype=object)[done],
            **{k: self.fit[k][done] for k in ("alpha", "beta", "sigma", "r2")},
            "n": np.full(len(done), self.nobs, dtype=np.int64),
            "df": self.df[done],
            "share_abs_z_ge_3": self.fit["share"][done],
            **{k: v[done].astype("datetime64[ns]") for k, v in self.dates.items()},
            **{k: v[done] for k, v in self.extra.items()},
        }
        est_days = np.arange(self.est[0], self.est[1] + 1)
        residuals = {**keys(self.nobs), "day": np.tile(est_days, len(done)), "residual": self.residual[done].ravel()}
        return tuple(pd.DataFrame(t) for t in (ar, car, fits, residuals))
