"""Results of a study: tidy DataFrames, a text/HTML summary, JSON, plots.

Tables (decimals, not percent):

- ``day0``: event, ticker, exchange, session, rule, local_time
- ``ar``: event, ticker, day, session, return, benchmark, expected,
  abnormal, sar, price, benchmark_price
- ``car``: event, ticker, start, end, car, se, t, p, df
- ``fits``: event, ticker, model, benchmark, alpha, beta, sigma, r2, n, df,
  estimation_start, estimation_end
- ``moves``: event, ticker, day, session, close_to_close, overnight,
  intraday, low, high, note, bench_overnight, bench_intraday, source
  (days -1..+2, of the claimed pairs; see :mod:`eventstudy.market.decompose`)
- ``claims`` and ``candidates``: see :mod:`eventstudy.claims.reconcile` (texts:
  :mod:`eventstudy.claims.verdicts`)
- ``flags`` (unusual days, with ``day0_of``) and ``overlaps`` (per event and ticker: overlapping, nearest_event,
  shared_sessions, first_shared, last_shared): see :mod:`eventstudy.engine.flags`
- ``tests``: event, ticker, start, end, test, statistic, p, n, note, p_holm, p_bh
  (Holm- and Benjamini-Hochberg-adjusted p; see :mod:`eventstudy.inference.table`)
- ``residuals``: event, ticker, day, residual (estimation window)
- ``excluded``: event, ticker, reason
- ``volume``, ``volume_windows``, ``volatility``, ``volatility_windows``,
  ``bhar``, ``measure_tests``: the measures beyond returns, computed on first
  use (see :mod:`eventstudy.measures.views`)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy.formats import records
from eventstudy.measures.views import MeasureViews
from eventstudy.spec import StudySpec

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence
    from pathlib import Path

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from statsmodels.regression.linear_model import RegressionResultsWrapper

    from eventstudy.engine.core import EngineTables
    from eventstudy.inference.validation.placebo import StudyPlacebo

CLAIMS_CSV_COLUMNS = [
    "claim", "ticker", "reported", "best_measure", "best_session", "measured", "abnormal", "verdict",
    "group", "implied_session", "session", "tolerance", "bound", "explanation",
]  # fmt: skip
FLAGS_CSV_COLUMNS = ["event", "ticker", "day", "session", "abnormal", "z", "day0_of"]
TESTS_CSV_COLUMNS = ["event", "ticker", "start", "end", "test", "statistic", "p", "n", "note", "p_holm", "p_bh"]
AR_CSV_COLUMNS = ["event", "ticker", "day", "session", "return", "expected", "abnormal"]
CAR_CSV_COLUMNS = ["event", "ticker", "start", "end", "car", "se", "t", "p"]
JSON_TABLES = ("day0", "fits", "moves", "flags", "overlaps", "tests", "ar", "car", "claims", "candidates", "excluded")
# the tables that grow with the pairs: Parquet files, not results.json, in a large study (see to_dict)
COLUMNAR_TABLES = ("day0", "fits", "moves", "overlaps", "flags", "tests", "ar", "car")


@dataclass
class StudyResults(MeasureViews):
    """Everything a run produced, with the spec and provenance to reproduce it.

    ``tests`` (every test of every event and window, with the 9,999-draw
    bootstrap) is computed on first use and kept; :meth:`ols` gives the
    statsmodels results of any pair's estimation regression.
    """

    spec: StudySpec
    model: str
    day0: pd.DataFrame
    ar: pd.DataFrame
    car: pd.DataFrame
    fits: pd.DataFrame
    moves: pd.DataFrame
    claims: pd.DataFrame
    candidates: pd.DataFrame
    flags: pd.DataFrame
    overlaps: pd.DataFrame
    excluded: pd.DataFrame
    provenance: dict[str, Any] = field(default_factory=dict)
    engine: EngineTables | None = field(default=None, repr=False, compare=False)  # for :meth:`ols`
    frames: dict[str, pd.DataFrame] | None = field(default=None, repr=False, compare=False)  # volumes, measures
    # the study's placebo run (:attr:`placebo`): price source, trials (None: default), seed
    placebo_options: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # the report's events and their tests rows, when the whole table was written in parts (:meth:`write_tests`)
    report_tests: tuple[frozenset[str], pd.DataFrame] | None = field(default=None, repr=False, compare=False)
    # the folder where Dask workers wrote the ar, car, fits and tests tables as Parquet partitions (then ``ar``
    # holds the report's events only and ``tests`` is not computed here; eventstudy.engine.worker_tables)
    written: Path | None = field(default=None, repr=False, compare=False)
    # then also every pair's CAR path by day (days, pairs x days), what the mean-CAR figure reads instead of ``ar``
    car_paths: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def tests(self) -> pd.DataFrame:
        """Every test for every event and window (:func:`eventstudy.inference.table.significance_table`).

        Indices measured on themselves (no abnormal return) are left out.
        """
        from eventstudy.inference.table import significance_table

        if self.written is not None:
            from eventstudy.errors import EventStudyError

            raise EventStudyError(f"the Dask workers wrote the tests table: pandas.read_parquet('{self.written}/"
                                  "tests.parquet'), or the report folder's tests.parquet")  # fmt: skip
        ar, car, fits, residuals = self._test_inputs()
        assert residuals is not None
        return significance_table(ar, car, fits, residuals)

    def _test_inputs(
        self, *, residuals: bool = True
    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame | np.ndarray | None]:
        """ar, car, fits (indices measured on themselves left out) and the residuals the tests read (if asked)."""
        indices = [s.ticker for s in self.spec.securities if s.is_index]
        ar, car, fits = (t[~t["ticker"].isin(indices)] if indices else t for t in (self.ar, self.car, self.fits))
        if not residuals:
            return ar, car, fits, None
        if self.engine is None or "residuals" in vars(self):
            return ar, car, fits, self.residuals
        # the engine's matrix, rows in the car table's pair order: no long table built
        keys = car[["event", "ticker"]].drop_duplicates()
        return ar, car, fits, self.engine.residual_rows[self.engine.positions(keys)]

    def write_tests(self, path: Path, keep: Collection[str]) -> None:
        """The tests table as a Parquet file at ``path``, computed in parts of whole events when not computed yet.

        Then the whole table is never held (:mod:`eventstudy.inference.parts`): ``tests`` stays
        uncomputed, and the rows of the events ``keep`` (the report's) are kept for
        :func:`eventstudy.report.tables.events_view`.
        """
        from eventstudy.inference.parts import tests_in_parts, write_tests_parquet

        if "tests" in vars(self) or self.engine is None or "residuals" in vars(self):
            self.tests.to_parquet(path, index=False)
            return
        ar, car, fits = self._test_inputs(residuals=False)[:3]
        rows = self.engine.positions(car[["event", "ticker"]].drop_duplicates())  # no copy of the residuals
        parts = tests_in_parts(ar, car, fits, self.engine.residual_rows, residual_rows=rows)
        self.report_tests = (frozenset(keep), write_tests_parquet(parts, path, keep))

    @cached_property
    def placebo(self) -> StudyPlacebo:
        """The study's own placebo run: each test's size and power on placebo dates of these securities' history.

        Seeded; every window of the study; :func:`eventstudy.inference.validation.placebo.placebo_for_study`
        (which says when it is skipped, with the reason in ``note``). ``res.placebo.summary`` is the table.
        """
        from eventstudy.inference.validation.placebo import placebo_for_study

        opts = self.placebo_options
        return placebo_for_study(self.spec, opts.get("source"), **{k: v for k, v in opts.items() if k != "source"})

    @cached_property
    def residuals(self) -> pd.DataFrame:
        """Estimation-window residuals of the fitted pairs: ``event, ticker, day, residual`` (built on first use)."""
        if self.engine is None:
            return pd.DataFrame(columns=["event", "ticker", "day", "residual"])
        return self.engine.residual_table(self.fits[["event", "ticker"]])

    def ols(self, event: str, ticker: str) -> RegressionResultsWrapper:
        """The statsmodels OLS results of one pair's estimation regression (summary, robust covariances, ...).

        Its parameters, σ (``np.sqrt(scale)``), R² and residuals are the
        engine's (``fits``, ``residuals``). For ``ff3`` the regressand is
        R - RF. Raises ``KeyError`` for a pair the study did not fit and
        ``ValueError`` for a model with nothing estimated.

        Examples
        --------
        >>> res.ols("white-house", "ORCL").summary()  # doctest: +SKIP
        >>> res.ols("white-house", "ORCL").get_robustcov_results("HAC", maxlags=5).bse  # doctest: +SKIP
        """
        import statsmodels.api as sm

        if self.engine is None:
            raise ValueError("these results hold no estimation data (a view, or results read back from a file)")
        if self.model == "garch":
            raise ValueError("the garch model is fitted by maximum likelihood (arch), not OLS; see res.fits")
        y, x = self.engine.estimation(event, ticker)
        return sm.OLS(y, x).fit()

    # -- views -------------------------------------------------------------
    def car_table(self) -> pd.DataFrame:
        """CAR in percent with t and p, one row per (event, ticker, window)."""
        t = self.car.copy()
        t["window"] = "[" + t["start"].astype(str) + "," + t["end"].astype(str) + "]"
        t["CAR %"] = t["car"] * 100
        t["se %"] = t["se"] * 100
        return t[["event", "ticker", "window", "CAR %", "se %", "t", "p"]]

    def claims_table(self) -> pd.DataFrame:
        """Claims with their group, verdict, the session judged on and the best measured move, in percent."""
        c = self.claims
        return pd.DataFrame(
            {
                "claim": c["claim"],
                "ticker": c["ticker"],
                "group": c["group"],
                "reported %": c["reported"] * 100,
                "verdict": c["verdict"],
                "judged on": pd.to_datetime(c["session"]).dt.date,
                "best session": pd.to_datetime(c["best_session"]).dt.date,
                "measure": c["best_measure"],
                "measured %": c["measured"] * 100,
                "abnormal %": c["abnormal"] * 100,
            }
        )

    def summary(self) -> str:
        """Plain-text summary: CARs and claims."""
        with pd.option_context("display.width", 120, "display.float_format", "{:.3f}".format):
            parts = [
                f"Event study {self.spec.id!r}: {len(self.spec.events)} event(s), "
                f"{len(self.spec.securities)} securities, model {self.model}",
                "",
                "Cumulative abnormal returns (percent)",
                self.car_table().to_string(index=False),
            ]
            if not self.claims.empty:
                parts += ["", "Claims against measured moves (percent)", self.claims_table().to_string(index=False)]
            if not self.excluded.empty:
                parts += ["", "Excluded", self.excluded.to_string(index=False)]
        return "\n".join(parts)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return f"<StudyResults {self.spec.id!r}: {len(self.car)} CARs, {len(self.claims)} claims>"

    def _repr_html_(self) -> str:
        """Compact HTML for Jupyter: verdicts first, then CARs (inline styles only)."""
        from eventstudy.formats import Html, badge, best_match, esc, fmt_num, fmt_pct, table

        res = self
        spec = res.spec
        out = [
            f"<h4>Event study {esc(spec.id)}: {len(spec.events)} event(s), {len(spec.securities)} securities, "
            f"model {esc(res.model)}</h4>"
        ]
        if not res.claims.empty:
            rows = [
                [
                    Html(f"<b>{esc(c['claim'])}</b>"),
                    c["ticker"],
                    fmt_pct(c["reported"], 1),
                    badge(c["verdict"]),
                    Html(esc(best_match(c, sep="\n", day=False)).replace("\n", "<br>")),
                    fmt_pct(c["measured"]),
                    fmt_pct(c["abnormal"]),
                    c["explanation"],
                ]
                for c in res.claims.to_dict("records")
            ]
            header = ["claim", "ticker", "reported", "verdict", "best match", "measured", "abnormal", "why"]
            out += ["<p><b>Claims against the measured moves</b></p>", table(header, rows, "nnrnnrrl")]
        windows = list(dict.fromkeys(zip(res.car["start"], res.car["end"], strict=True)))
        cells: dict[tuple[str, str], dict[tuple[int, int], str]] = {}
        for r in res.car.itertuples():
            cells.setdefault((r.event, r.ticker), {})[(r.start, r.end)] = f"{fmt_pct(r.car)} (t {fmt_num(r.t, 2)})"
        rows = [[event, ticker, *(by.get(w, "–") for w in windows)] for (event, ticker), by in cells.items()]
        header = ["event", "ticker", *(f"CAR [{a}, {b}]" for a, b in windows)]
        out += [
            "<p><b>Cumulative abnormal returns (t statistic)</b>; <code>res.car</code> has se and p</p>",
            table(header, rows, "nn" + "r" * len(windows)),
        ]
        if not res.excluded.empty:
            rows = [list(r) for r in res.excluded[["event", "ticker", "reason"]].itertuples(index=False)]
            out += ["<p><b>Excluded</b></p>", table(["event", "ticker", "reason"], rows)]
        return "\n".join(out)

    # -- export ------------------------------------------------------------
    def to_dict(self, *, columnar: bool = False) -> dict[str, Any]:
        """JSON-ready dict: spec summary, every table, provenance.

        ``columnar`` (a large study, whose big tables are written as Parquet files):
        the tables of ``COLUMNAR_TABLES`` are left out, ``tables`` names their files
        and ``summary`` counts the pairs and summarises the CARs by window.
        """
        if not columnar:
            return {
                "study": self._study(),
                **{n: records(getattr(self, n)) for n in JSON_TABLES},
                **self.measure_records(),
                "placebo": self.placebo.to_dict(),
                "provenance": self.provenance,
            }
        return {
            "study": self._study(),
            "summary": self.pairs_summary(),
            "tables": {n: f"{n}.parquet" for n in (*COLUMNAR_TABLES, *self.measure_tables())},
            **{n: records(getattr(self, n)) for n in JSON_TABLES if n not in COLUMNAR_TABLES},
            "placebo": self.placebo.to_dict(),
            "provenance": self.provenance,
        }

    def to_json(self, indent: int | None = 2, *, columnar: bool = False) -> str:
        """The :meth:`to_dict` content as JSON text (NaN written as null)."""
        return json.dumps(self.to_dict(columnar=columnar), indent=indent, allow_nan=False)

    def pairs_summary(self) -> dict[str, Any]:
        """Pairs, events, securities and exclusions; per CAR window the pairs, mean and median CAR, share p < 0.05.

        ``summary`` of a large study's results.json, and its report's "All pairs" section.
        """
        p = self.car["p"]
        car = self.car.assign(significant=(p < 0.05).astype(float).where(p.notna()))
        by_window = car.groupby(["start", "end"], sort=False)
        windows = pd.DataFrame(
            {
                "pairs": by_window["car"].count(),
                "mean_car": by_window["car"].mean(),
                "median_car": by_window["car"].median(),
                "share_p_below_0_05": by_window["significant"].mean(),
            }
        ).reset_index()
        return {
            "pairs": len(self.day0),
            "events": len(self.spec.events),
            "securities": len(self.spec.securities),
            "excluded": len(self.excluded),
            "car": records(windows),
        }

    def _study(self) -> dict[str, Any]:
        return {
            "id": self.spec.id,
            "title": self.spec.title,
            "model": self.model,
            "estimation_window": list(self.spec.estimation_window),
            "event_windows": [list(w) for w in self.spec.event_windows],
            "ar_window": list(self.spec.ar_window),
            "measures": ["returns", *self.spec.measures],
            "bhar_windows": [list(w) for w in self.spec.bhar_windows],
            "events": [
                {
                    "id": e.id,
                    "timestamp": e.timestamp.isoformat(),
                    "date_only": e.date_only,
                    "approximate": e.approximate,
                    "title": e.title,
                    "sources": list(e.sources),
                }
                for e in self.spec.events
            ],
        }

    # -- plots (return figures, never show) --------------------------------
    def plot_car(self, event: str | None = None, ax: Axes | None = None) -> Figure:
        """CAR path by day for each security around one event, 0 at day -1, with 95 % bands."""
        from eventstudy.plots import car_path

        return car_path(self, event or self.spec.events[0].id, ax=ax)

    def plot_prices(self, event: str | None = None, ax: Axes | None = None) -> Figure:
        """Prices normalised to day -1, securities and benchmarks, event marked."""
        from eventstudy.plots import price_path

        return price_path(self, event or self.spec.events[0].id, ax=ax)

    def plot_ar(self, event: str | None = None, axes: Sequence[Axes] | None = None) -> Figure:
        """Abnormal returns by day, one panel per security, with the ±1.96σ band."""
        from eventstudy.plots import ar_bars

        return ar_bars(self, event or self.spec.events[0].id, axes=axes)

    def plot_claims(self, ax: Axes | None = None) -> Figure:
        """Each claim: reported (± tolerance), best measured match, implied-session move."""
        from eventstudy.plots import claims_chart

        return claims_chart(self, ax=ax)
