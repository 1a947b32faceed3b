"""The measures on :class:`eventstudy.results.StudyResults`: tables computed on first use, JSON records, a figure.

``res.volume``, ``res.volume_windows``, ``res.volatility``,
``res.volatility_windows``, ``res.bhar`` and ``res.measure_tests`` (columns
in :mod:`eventstudy.measures.compute`) are computed when first read, from the
engine's panels and the price frames the run kept, whether or not the study
names the measure; reports and ``results.json`` hold the measures the study
asks for (``study.measures``, ``run --measure``).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from collections.abc import Sequence

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from eventstudy.engine.abnormal_returns import EngineTables
    from eventstudy.engine.stacks import Stacks
    from eventstudy.measures.bhar import BuyAndHold
    from eventstudy.measures.compute import VolumeMeasure
    from eventstudy.measures.volatility import AbnormalVolatility
    from eventstudy.spec import StudySpec

# results.json section and file name of each measure's tables
MEASURE_TABLES = {
    "volume": ("volume", "volume_windows"),
    "volatility": ("volatility", "volatility_windows"),
    "bhar": ("bhar",),
}
ALL_MEASURE_TABLES = (*(t for ts in MEASURE_TABLES.values() for t in ts), "measure_tests")


class MeasureViews:
    """Mixin of :class:`~eventstudy.results.StudyResults` (needs ``spec``, ``engine`` and ``frames``)."""

    spec: StudySpec
    engine: EngineTables | None
    frames: dict[str, pd.DataFrame] | None

    def _need_engine(self) -> EngineTables:
        if self.engine is None or self.frames is None:
            raise ValueError("these results hold no price panels (a view, or results read back from a file)")
        return self.engine

    @cached_property
    def _stacks(self) -> Stacks:
        from eventstudy.engine.stacks import pair_stacks

        est, arw = self.spec.estimation_window, self.spec.ar_window
        last = max((arw[1], *(w[1] for w in self.spec.bhar_windows)))
        return pair_stacks(self._need_engine(), self.frames, est[0], last, volume=True)

    @cached_property
    def _volume(self) -> VolumeMeasure:
        from eventstudy.measures.compute import volume_measure

        return volume_measure(self.spec, self._stacks)

    @cached_property
    def _volatility(self) -> AbnormalVolatility:
        from eventstudy.measures.compute import volatility_measure

        return volatility_measure(self.spec, self._stacks)

    @cached_property
    def _bhar(self) -> BuyAndHold:
        from eventstudy.measures.compute import bhar_measure

        if not self.spec.bhar_windows:
            raise ValueError('the study has no buy-and-hold windows: set study.bhar_windows or measures = ["bhar"]')
        stacks, plan = self._stacks, self._need_engine().plan
        benchmarks = None if plan is None else plan.pairs["benchmark"].to_numpy(dtype=object)[stacks.positions]
        return bhar_measure(self.spec, stacks, self.frames, benchmarks)

    @cached_property
    def _volume_tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        from eventstudy.measures.compute import VOLUME_COLUMNS, VOLUME_WINDOW_COLUMNS, volume_tables

        if not len(self._stacks.keys):  # no pair with an abnormal part (only indices measured on themselves)
            return pd.DataFrame(columns=VOLUME_COLUMNS), pd.DataFrame(columns=VOLUME_WINDOW_COLUMNS)
        return volume_tables(self.spec, self._volume)

    @cached_property
    def _volatility_tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        from eventstudy.measures.compute import VOLATILITY_COLUMNS, VOLATILITY_WINDOW_COLUMNS, volatility_tables

        if not len(self._stacks.keys):
            return pd.DataFrame(columns=VOLATILITY_COLUMNS), pd.DataFrame(columns=VOLATILITY_WINDOW_COLUMNS)
        return volatility_tables(self.spec, self._stacks, self._volatility)

    @property
    def volume(self) -> pd.DataFrame:
        """Abnormal log volume by day: event, ticker, model, day, session, volume, log_volume, expected, abnormal, sav.

        Two rows per day: the ``market`` model (on the benchmark's log volume;
        absent when the benchmark has no volume) and the ``mean`` model.
        """
        return self._volume_tables[0]

    @property
    def volume_windows(self) -> pd.DataFrame:
        """Cumulated abnormal log volume: event, ticker, model, start, end, cav, se, t, p, df, note."""
        return self._volume_tables[1]

    @property
    def volatility(self) -> pd.DataFrame:
        """Beaver's U by day: event, ticker, day, session, abnormal, u, u_star, p (upper tail of F(1, df))."""
        return self._volatility_tables[0]

    @property
    def volatility_windows(self) -> pd.DataFrame:
        """Variance ratios of the event windows: event, ticker, start, end, variance_ratio, f, df1, df2, p."""
        return self._volatility_tables[1]

    @cached_property
    def bhar(self) -> pd.DataFrame:
        """Buy-and-hold abnormal returns: event, ticker, start, end, return, benchmark_return, bhar."""
        from eventstudy.measures.compute import BHAR_COLUMNS, bhar_table

        if not len(self._stacks.keys) and self.spec.bhar_windows:
            return pd.DataFrame(columns=BHAR_COLUMNS)
        return bhar_table(self._stacks, self._bhar)

    @cached_property
    def measure_tests(self) -> pd.DataFrame:
        """Tests across securities of the study's measures (``measure`` column): volume, volatility, bhar.

        One block per event with two or more securities and one across every
        pair (``event`` empty). Columns: measure, event, model, start, end,
        test, statistic, p, n, df, note.
        """
        from eventstudy.measures.compute import MEASURE_TEST_COLUMNS, measure_tests

        on = self.measures_on
        if not len(self._stacks.keys):
            return pd.DataFrame(columns=MEASURE_TEST_COLUMNS)
        from eventstudy.table_cache import cached_table

        inputs = (self.spec, self._stacks.keys, self._volume if "volume" in on else None,
                  self._volatility if "volatility" in on else None, self._bhar if "bhar" in on else None)  # fmt: skip
        return cached_table("measure-tests", inputs, lambda: measure_tests(*inputs))  # a rerun: read back

    @property
    def measures_on(self) -> tuple[str, ...]:
        """The measures the study asks for (``study.measures``, ``run --measure``), besides returns."""
        return self.spec.measures

    def measure_tables(self) -> dict[str, pd.DataFrame]:
        """The tables of the measures asked for, by name (empty when none is)."""
        if not self.measures_on:
            return {}
        out = {name: getattr(self, name) for m in self.measures_on for name in MEASURE_TABLES[m]}
        out["measure_tests"] = self.measure_tests
        return out

    def measure_records(self) -> dict[str, Any]:
        """``results.json`` sections of the measures asked for."""
        from eventstudy.json_records import records

        return {name: records(t) for name, t in self.measure_tables().items()}

    def plot_volume(self, event: str | None = None, axes: Sequence[Axes] | None = None) -> Figure:
        """Abnormal log volume by day, one panel per security, with the ±1.96 prediction-error band."""
        from eventstudy.plots import volume_bars

        return volume_bars(self, event or self.spec.events[0].id, axes=axes)
