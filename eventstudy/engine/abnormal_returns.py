"""The engine: a plan and its price frames → the ar, car and fits tables and the residuals of every pair.

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
from eventstudy.engine.solve_cache import cached_solve
from eventstudy.errors import EventStudyError, ModelError

CHUNK_PAIRS = 16_384  # pairs solved at a time: bounds the transient arrays of a large study


@dataclass
class EngineTables:
    """The engine's tables (rows in pair order) and the pairs it left out."""

    ar: pd.DataFrame
    car: pd.DataFrame
    fits: pd.DataFrame
    residual_rows: np.ndarray  # (plan pairs, T) estimation-window residuals, NaN rows for excluded pairs
    excluded: list[tuple[int, EventStudyError]] = field(default_factory=list)  # (plan position, error)
    warnings: list[str] = field(default_factory=list)  # DataWarning texts, in pair order
    panels: list[ExchangePanel] = field(default_factory=list)
    designs: list[PairDesign | None] = field(default_factory=list)
    plan: Plan | None = None

    def positions(self, keys: pd.DataFrame) -> np.ndarray:
        """Plan positions of the (event, ticker) rows of ``keys`` (-1 for a pair not in the study)."""
        assert self.plan is not None
        index = pd.MultiIndex.from_frame(self.plan.pairs[["event", "ticker"]])
        return index.get_indexer(pd.MultiIndex.from_frame(keys[["event", "ticker"]]))

    def residual_table(self, keys: pd.DataFrame) -> pd.DataFrame:
        """Long table ``event, ticker, day, residual`` of the pairs in ``keys`` (in that order)."""
        assert self.plan is not None
        est = self.plan.spec.estimation_window
        days = np.arange(est[0], est[1] + 1)
        rows = self.residual_rows[self.positions(keys)]
        return pd.DataFrame(
            {
                "event": np.repeat(keys["event"].to_numpy(dtype=object), len(days)),
                "ticker": np.repeat(keys["ticker"].to_numpy(dtype=object), len(days)),
                "day": np.tile(days, len(keys)),
                "residual": rows.ravel(),
            }
        )

    def estimation(self, event: str, ticker: str) -> tuple[pd.Series, pd.DataFrame]:
        """One pair's estimation-window regressand and design (constant first), by session, as the engine fitted.

        Raises
        ------
        KeyError
            The pair is not in the study, or was excluded (the reason is given).
        ValueError
            Its model estimates nothing (market-adjusted, an index on itself).
        """
        assert self.plan is not None
        pairs = self.plan.pairs
        hit = np.flatnonzero((pairs["event"].to_numpy() == event) & (pairs["ticker"].to_numpy() == ticker))
        if not len(hit):
            raise KeyError(f"({event!r}, {ticker!r}) is not a pair of the study")
        i = int(hit[0])
        reason = dict(self.excluded).get(i)
        if reason is not None:
            raise KeyError(f"{ticker} around {event} was excluded: {reason}")
        d = self.designs[i]
        assert d is not None
        if d.design.kind != "ols":
            raise ValueError(f"{ticker} around {event}: the {d.design.name} model estimates nothing")
        if d.fitted_by != "OLS":
            raise ValueError(f"the {d.design.name} model is fitted by {d.fitted_by}, not OLS; see res.fits")
        panel = next(p for p in self.panels if i in set(p.members.tolist()))
        r = int(np.flatnonzero(panel.members == i)[0])
        est = self.plan.spec.estimation_window
        rows = panel.day0[r] + np.arange(est[0], est[1] + 1)
        index = panel.grid[rows]
        y = panel.values_t[panel.columns["own", ticker], rows]
        x = {c: panel.values_t[panel.columns[c], rows] for c in d.columns}
        if d.design.offset:
            y = y - x.pop(d.columns[-1])
        names = list(d.design.names)
        design = pd.DataFrame(dict(zip(names[d.design.intercept :], x.values(), strict=True)), index=index)
        if d.design.intercept:
            design.insert(0, names[0], 1.0)
        return pd.Series(y, index=index, name="return"), design


def compute(
    plan: Plan, frames: dict[str, pd.DataFrame], model: ExpectedReturnModel, fama_french: pd.DataFrame | None = None
) -> EngineTables:
    """Fit ``model`` for every pair of ``plan`` and compute its tables (see the module doc)."""
    spec = plan.spec
    pairs, secs = plan.pairs, plan.securities
    designs: list[PairDesign | None] = []
    model_errors: dict[int, EventStudyError] = {}
    made: dict[int, PairDesign | ModelError] = {}  # one design per security, shared by its pairs
    for i, sec in enumerate(secs):
        if id(sec) not in made:
            try:
                made[id(sec)] = pair_design(model, sec, fama_french=fama_french is not None)
            except ModelError as exc:
                made[id(sec)] = exc
        design = made[id(sec)]
        designs.append(None if isinstance(design, ModelError) else design)
        if isinstance(design, ModelError):
            model_errors[i] = design
    panels = []
    for exchange, members in pairs.groupby("exchange", sort=False).indices.items():
        factor_symbols = [_factor_symbols(designs[i]) for i in members]
        ff = fama_french if any(d is not None and ("ff", "RF") in d.columns for d in designs) else None
        panels.append(exchange_panel(pairs, members, str(exchange), plan.sessions(str(exchange)), frames,
                                     first=plan.first, last=plan.last, checked_last=plan.checked_last,
                                     factor_symbols=factor_symbols,
                                     fama_french=ff))  # fmt: skip
    data_errors = {i: e for p in panels for i, e in p.reasons.items()}
    warned = {i: w for p in panels for i, w in p.warnings.items()}
    n_est = spec.estimation_window[1] - spec.estimation_window[0] + 1
    tickers, benchmarks = pairs["ticker"].to_numpy(dtype=object), pairs["benchmark"].to_numpy(dtype=object)
    out = _Out(len(pairs), spec)
    fit_errors: dict[int, EventStudyError] = {}
    for panel in panels:
        groups: dict[PairDesign, list[int]] = {}
        for r, i in enumerate(panel.members):
            d = designs[i]
            if d is not None and int(i) not in data_errors:
                groups.setdefault(d, []).append(r)
        for d, rows_list in groups.items():
            for a in range(0, len(rows_list), CHUNK_PAIRS):  # chunks bound the solver's transient arrays
                rows = np.array(rows_list[a : a + CHUNK_PAIRS], dtype=np.intp)
                _solve(panel, rows, d, plan, n_est, tickers, benchmarks, out, fit_errors)
    for i, exc in model_errors.items():
        if i not in data_errors:
            fit_errors[i] = exc
    named = {i: type(e)(f"{pairs['ticker'].iat[i]} around {pairs['event'].iat[i]}: {e}") for i, e in fit_errors.items()}
    excluded = sorted(data_errors.items()) + sorted(named.items())
    warnings = [w for i in sorted(warned) for w in warned[i]]
    ar, car, fits = out.tables(pairs, spec)
    return EngineTables(ar, car, fits, out.residual, excluded, warnings, panels, designs, plan)


def _solve(
    panel: ExchangePanel,
    rows: np.ndarray,
    d: PairDesign,
    plan: Plan,
    n_est: int,
    tickers: np.ndarray,
    benchmarks: np.ndarray,
    out: _Out,
    fit_errors: dict[int, EventStudyError],
) -> None:
    """Solve the pairs ``rows`` of ``panel`` (one design) and write them into ``out``."""
    spec = plan.spec
    members = panel.members[rows]
    if n_est < d.min_obs:
        for i in members:
            fit_errors[int(i)] = ModelError(f"estimation window has {n_est} returns; at least {d.min_obs} are needed")
        return
    own = np.array([panel.columns["own", t] for t in tickers[members]], dtype=np.intp)
    reg = np.array([panel.columns[c] for c in d.columns], dtype=np.intp)  # the same for the group
    cols = np.column_stack([own, np.broadcast_to(reg, (len(own), len(reg)))])
    solved = cached_solve(
        panel.values_t, cols, panel.day0[rows], d.design, first=plan.first + 1,
        estimation_window=spec.estimation_window, ar_window=spec.ar_window, event_windows=spec.event_windows,
    )  # fmt: skip
    bench = np.array([panel.columns["carried", b] for b in benchmarks[members]], dtype=np.intp)
    ok = solved.fit.problem == ""
    for r, i in zip(np.flatnonzero(~ok), members[~ok], strict=True):
        fit_errors[int(i)] = ModelError(str(solved.fit.problem[r]))
    out.fill(panel, rows[ok], members[ok], bench[ok], cols[ok, 0], d, _take(solved, ok), plan)


def _factor_symbols(d: PairDesign | None) -> tuple[str, ...]:
    return () if d is None else tuple(s for kind, s in d.columns[1:] if kind == "carried")


def _take(s: ols.Solved, ok: np.ndarray) -> ols.Solved:
    if ok.all():
        return s
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
        with np.errstate(invalid="ignore"):
            self.fit["share"][at] = (np.abs(f.residuals) >= Z_THRESHOLD * f.sigma[:, None]).mean(axis=1)
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
        # event and ticker as codes into their distinct values: each row's string is taken, not converted
        coded = {c: pd.factorize(pairs[c]) for c in ("event", "ticker")}
        length = self.session.shape[1]

        def keys(each: int) -> dict[str, object]:
            return {c: values.array.take(np.repeat(codes[done], each)) for c, (codes, values) in coded.items()}

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
        return tuple(pd.DataFrame(t) for t in (ar, car, fits))
