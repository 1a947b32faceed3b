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
  use (see :mod:`eventstudy.measures.lazy_tables`)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy.measures.lazy_tables import MeasureViews
from eventstudy.spec import StudySpec

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Iterator, Sequence
    from pathlib import Path

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from statsmodels.iolib.summary import Summary
    from statsmodels.iolib.table import SimpleTable
    from statsmodels.regression.linear_model import RegressionResultsWrapper

    from eventstudy.engine.abnormal_returns import EngineTables
    from eventstudy.engine.worker_tables import PairColumns
    from eventstudy.inference.validation.placebo import StudyPlacebo

CLAIMS_CSV_COLUMNS = [
    "claim", "ticker", "reported", "best_measure", "best_session", "measured", "abnormal", "verdict",
    "group", "implied_session", "session", "tolerance", "bound", "explanation",
]  # fmt: skip
FLAGS_CSV_COLUMNS = ["event", "ticker", "day", "session", "abnormal", "z", "day0_of"]
TESTS_CSV_COLUMNS = ["event", "ticker", "start", "end", "test", "statistic", "p", "n", "note", "p_holm", "p_bh"]
AR_CSV_COLUMNS = ["event", "ticker", "day", "session", "return", "expected", "abnormal"]
CAR_CSV_COLUMNS = ["event", "ticker", "start", "end", "car", "se", "t", "p"]
# the tables with an ``event`` column: what :meth:`StudyResults.event` cuts
EVENT_TABLES = ("day0", "ar", "car", "fits", "moves", "claims", "candidates", "flags", "overlaps", "tests", "excluded",
                "residuals")  # fmt: skip


@dataclass
class StudyResults(MeasureViews):
    """Everything a run produced, with the spec and provenance to reproduce it.

    Every table is data: ``tests`` (every test of every event and window) and
    ``placebo`` (the study's own placebo run) are computed by
    :meth:`eventstudy.EventStudy.run`; :meth:`ols` gives the statsmodels
    results of any pair's estimation regression.
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
    # every test of every event and window (None: not computed, see ``EventStudy.run(tests=...)``)
    tests: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    # the study's own placebo run (:func:`eventstudy.inference.validation.placebo.placebo_for_study`)
    placebo: StudyPlacebo = field(default_factory=lambda: _no_placebo(), repr=False, compare=False)
    # the report's events and their tests rows, when the whole table was written in parts (:meth:`write_tests`)
    report_tests: tuple[frozenset[str], pd.DataFrame] | None = field(default=None, repr=False, compare=False)
    # the folder where Dask workers wrote the ar, car, fits and tests tables as Parquet partitions (then ``ar``
    # holds the report's events only and ``tests`` is not computed here; eventstudy.engine.worker_tables)
    written: Path | None = field(default=None, repr=False, compare=False)
    # then also every pair's CAR path by day (days, pairs x days), what the mean-CAR figure reads instead of ``ar``
    car_paths: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)
    # and every pair's CARs, p and share of unusual days, what the report summarises: ``car`` and ``fits`` then
    # hold the report's events' rows only (see every_car)
    pairs: PairColumns | None = field(default=None, repr=False, compare=False)

    def every_car(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Every pair's CAR rows: ``car``, or when the Dask workers wrote it, event, ticker, start, end, car, p.

        ``columns``: only those (of the six above), built alone when the workers wrote the table.
        """
        if self.pairs is None:
            return self.car if columns is None else self.car[list(columns)]
        return self.pairs.car_table() if columns is None else self.pairs.car_table(columns)

    def car_windows(self, columns: Sequence[str]) -> Iterator[pd.DataFrame]:
        """``columns`` of :meth:`every_car`, one window at a time (in the table's order): no table of every window."""
        if self.pairs is None:
            for _, rows in self.car.groupby(["start", "end"], sort=False):
                yield rows[list(columns)]
        else:
            for k in range(len(self.pairs.windows)):
                yield self.pairs.window_table(k, columns)

    def every_fit(self) -> pd.DataFrame:
        """Every fitted pair's row: ``fits``, or when the Dask workers wrote it, event, ticker, share_abs_z_ge_3."""
        return self.fits if self.pairs is None else self.pairs.fits

    def compute_tests(self) -> pd.DataFrame:
        """Every test for every event and window (:func:`eventstudy.inference.table.significance_table`).

        The 9,999-draw bootstraps: seconds for a few pairs, minutes for 100,000 (``EventStudy.run``
        calls it once and keeps the table in ``tests``). Indices measured on themselves are left out.
        """
        from eventstudy.inference.table import cached_significance_table

        if self.written is not None:
            from eventstudy.errors import EventStudyError

            raise EventStudyError(f"the Dask workers wrote the tests table: pandas.read_parquet('{self.written}/"
                                  "tests.parquet'), or the report folder's tests.parquet")  # fmt: skip
        ar, car, fits, residuals = self._test_inputs()
        assert residuals is not None
        return cached_significance_table(ar, car, fits, residuals)  # a rerun: read back, not computed

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
        """The tests table as a Parquet file at ``path``; computed in parts of whole events when ``tests`` is None.

        Then the whole table is never held (:mod:`eventstudy.inference.parts`): ``tests`` stays
        None, and the rows of the events ``keep`` (the report's) are kept for
        :func:`eventstudy.report.tables.events_view`.
        """
        from eventstudy.inference.parts import tests_in_parts, write_tests_parquet

        if self.tests is None and (self.engine is None or "residuals" in vars(self)):
            self.tests = self.compute_tests()
        if self.tests is not None:
            self.tests.to_parquet(path, index=False)
            return
        assert self.engine is not None
        ar, car, fits = self._test_inputs(residuals=False)[:3]
        rows = self.engine.positions(car[["event", "ticker"]].drop_duplicates())  # no copy of the residuals
        parts = tests_in_parts(ar, car, fits, self.engine.residual_rows, residual_rows=rows)
        self.report_tests = (frozenset(keep), write_tests_parquet(parts, path, keep))

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

    def summary(self) -> Summary:
        """The study as a statsmodels ``Summary`` (``as_text``, ``as_html``, ``as_latex``): CARs, claims, exclusions.

        Each table is a ``SimpleTable`` of ``summary().tables``; percent with three decimals.
        ``str(res)`` is the same as plain text, as ``eventstudy run`` prints it.
        """
        from statsmodels.iolib.summary import Summary

        out = Summary()
        for title, frame in self._summary_tables():
            out.tables.append(_simple_table(frame, title))
        out.add_extra_txt([self._summary_title()])
        return out

    def _summary_title(self) -> str:
        return (
            f"Event study {self.spec.id!r}: {len(self.spec.events)} event(s), "
            f"{len(self.spec.securities)} securities, model {self.model}"
        )

    def _summary_tables(self) -> list[tuple[str, pd.DataFrame]]:
        """(title, table) of :meth:`summary` and ``str``: CARs, then the claims and exclusions there are."""
        out = [("Cumulative abnormal returns (percent)", self.car_table())]
        if not self.claims.empty:
            out.append(("Claims against measured moves (percent)", self.claims_table()))
        if not self.excluded.empty:
            out.append(("Excluded", self.excluded))
        return out

    def __str__(self) -> str:
        """Plain-text summary: CARs and claims."""
        parts = [self._summary_title()]
        with pd.option_context("display.width", 120, "display.float_format", "{:.3f}".format):
            for title, frame in self._summary_tables():
                parts += ["", title, frame.to_string(index=False)]
        return "\n".join(parts)

    def event(self, event_id: str) -> StudyResults:
        """The results of one event: its day 0s, ARs, CARs, fits, moves, tests, claims, flags and exclusions.

        A view (nothing recomputed) whose spec holds that event and its claims; ``KeyError``
        for an event not in the study.

        Examples
        --------
        >>> wh = res.event("white-house")  # doctest: +SKIP
        >>> wh.car_table(), wh.claims_table(), wh.tests  # doctest: +SKIP
        """
        event = self.spec.event(event_id)
        spec = replace(self.spec, events=(event,), claims=tuple(c for c in self.spec.claims if c.event == event_id),
                       pairs=tuple(p for p in self.spec.pairs if p[0] == event_id))  # fmt: skip
        return replace(self.view([event_id]), spec=spec)

    def view(self, events: Iterable[str], tables: Iterable[str] = EVENT_TABLES) -> StudyResults:
        """These results with only the rows of ``events`` in ``tables`` (the other tables whole); nothing recomputed.

        ``tests`` not computed: the rows :meth:`write_tests` kept of these events, if it kept them all.
        """
        keep, names = set(events), set(tables)
        tests = self.tests
        if tests is None and self.report_tests is not None and keep <= self.report_tests[0]:
            tests = self.report_tests[1]  # the rows of the report's events, kept when the table was written in parts
        cut = {name: getattr(self, name) for name in names - {"tests", "residuals"}}
        if "tests" in names and tests is not None:
            cut["tests"] = tests
        out = replace(self, pairs=None, **{n: f[f["event"].isin(keep)] if "event" in f else f for n, f in cut.items()})
        if "residuals" in names and "residuals" in vars(self):  # computed on first use: cut if computed already
            out.residuals = self.residuals[self.residuals["event"].isin(keep)]
        return out

    def __repr__(self) -> str:
        return f"<StudyResults {self.spec.id!r}: {len(self.every_car())} CARs, {len(self.claims)} claims>"

    def _repr_html_(self) -> str:
        """Compact HTML for Jupyter: verdicts first, then CARs (:func:`eventstudy.verdict_rows.notebook_html`)."""
        from eventstudy.verdict_rows import notebook_html

        return notebook_html(self.spec, self.model, self.claims, self.car, self.excluded)

    # -- export ------------------------------------------------------------
    def to_dict(self, *, columnar: bool = False, events: Any = None) -> dict[str, Any]:
        """JSON-ready dict: spec summary, every table, provenance (see :func:`eventstudy.results_json.results_dict`)."""
        from eventstudy.results_json import results_dict

        return results_dict(self, columnar=columnar, events=events)

    def to_json(self, indent: int | None = 2, *, columnar: bool = False) -> str:
        """The :meth:`to_dict` content as JSON text (NaN written as null)."""
        return json.dumps(self.to_dict(columnar=columnar), indent=indent, allow_nan=False)

    def write_json(self, path: Path, *, columnar: bool = False) -> None:
        """:meth:`to_json` into ``path``, the same bytes, each event's entry made as it is written."""
        from eventstudy.results_json import write_results_json

        write_results_json(self, path, columnar=columnar)

    def pairs_summary(self) -> dict[str, Any]:
        """Pairs, events, securities, exclusions and per-window CAR summaries (see :mod:`eventstudy.results_json`)."""
        from eventstudy.results_json import pairs_summary

        return pairs_summary(self)

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


def _no_placebo() -> StudyPlacebo:
    from eventstudy.inference.validation.placebo import PLACEBO_SEED, StudyPlacebo

    return StudyPlacebo(None, 0, PLACEBO_SEED, "not run (results made without a price source)")


def _simple_table(frame: pd.DataFrame, title: str) -> SimpleTable:
    """``frame`` as a statsmodels ``SimpleTable``: floats with three decimals, NaN as "nan"."""
    from statsmodels.iolib.table import SimpleTable

    cells = [[f"{v:.3f}" if isinstance(v, float) else str(v) for v in row] for row in frame.itertuples(index=False)]
    return SimpleTable(cells or [["" for _ in frame.columns]], headers=[str(c) for c in frame.columns], title=title)
