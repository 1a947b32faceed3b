"""Write a report directory: report.md, report.html, CSV (or Parquet) tables, results.json, figures/.

From ``PARQUET_FROM_PAIRS`` (event, security) pairs on, the tables that grow with the pairs
(``COLUMNAR_TABLES`` of :mod:`eventstudy.results_json`: day0, fits, moves, overlaps, flags, tests, ar, car)
are written as Parquet files and results.json holds the rest, a summary and the provenance;
ar, car and tests are then also written as CSV only on request (``csv=True``, ``--csv``).

The report is written to a hidden sibling directory and swapped into place
(:mod:`eventstudy.report.folder`): at every instant a complete report, old or new,
is reachable, and a folder eventstudy did not write is never replaced.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from eventstudy.errors import EventStudyError
from eventstudy.file_io import write_csv
from eventstudy.report.folder import REPORT_FILES, atomic_directory

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from eventstudy.report.figure_jobs import ReportFigure
    from eventstudy.results import StudyResults


REPORT_FORMATS = ("md", "html", "json")
PARQUET_FROM_PAIRS = 1_000  # a 1,000-pair results.json was ~12 MB and a quarter of the run's time


def write_report(
    res: StudyResults,
    out_dir: str | Path,
    *,
    formats: Sequence[str] = REPORT_FORMATS,
    figure_format: str = "svg",
    parquet_from: int = PARQUET_FROM_PAIRS,
    csv: bool = False,
    extra: dict[str, str] | None = None,
) -> list[Path]:
    """Write the report files into ``out_dir`` (replaced atomically); return the paths.

    ``extra`` maps further file names of ``REPORT_FILES`` (``draft.toml``) to their text, written
    into the same folder before it is swapped in.
    ``formats`` picks among ``md`` (report.md), ``html`` (report.html, self-contained)
    and ``json`` (results.json). The CSV tables are always written; figures/*.svg
    (``figure_format="png"``: figures/*.png; ``"none"``: no figures) with ``md`` or ``html``.
    From ``parquet_from`` pairs on, the big tables are Parquet files (see the module doc), and
    ar, car and tests are also CSV files only with ``csv``.
    """
    if isinstance(formats, str):
        formats = [f.strip() for f in formats.split(",")]
    unknown = sorted(set(formats) - set(REPORT_FORMATS))
    if unknown:
        raise EventStudyError(f"unknown report format(s) {', '.join(unknown)}; choose from {', '.join(REPORT_FORMATS)}")
    if figure_format not in ("svg", "png", "none"):
        raise EventStudyError(f"unknown figure format {figure_format!r}; choose svg, png or none")
    drawn = bool({"md", "html"} & set(formats)) and figure_format != "none"
    with ExitStack() as stack:
        if drawn:  # the figures are drawn in workers while the tables and tests are computed here
            from eventstudy.report.figure_jobs import start_figures

            pending = stack.enter_context(start_figures(res, fmt=figure_format))
        tmp = stack.enter_context(atomic_directory(out_dir))
        _write_files(res, tmp, formats, pending.result if drawn else list, parquet_from=parquet_from, csv=csv)
        for name, text in (extra or {}).items():
            if name not in REPORT_FILES:
                raise ValueError(f"{name} is not a report file")
            (tmp / name).write_text(text, encoding="utf-8")
    from eventstudy.table_cache import store_pending

    store_pending()  # the cache entries kept while the report was computed (the measures' fits)
    return sorted(p for p in Path(out_dir).rglob("*") if p.is_file())


def _write_files(
    res: StudyResults,
    tmp: Path,
    formats: Sequence[str],
    figures_when_ready: Callable[[], list[ReportFigure]],
    *,
    parquet_from: int,
    csv: bool,
) -> None:
    """Every file of the report into ``tmp``; the figures are asked for once the tables are written."""
    from eventstudy.results import (
        AR_CSV_COLUMNS,
        CAR_CSV_COLUMNS,
        CLAIMS_CSV_COLUMNS,
        FLAGS_CSV_COLUMNS,
        TESTS_CSV_COLUMNS,
    )
    from eventstudy.results_json import COLUMNAR_TABLES

    columnar = len(res.day0) >= parquet_from or res.written is not None
    if res.tests is None and (csv or not columnar):  # run(tests=False): a table written whole, computed here
        res.tests = res.compute_tests()
    with ThreadPoolExecutor(1) as pool:
        if columnar:  # written on a thread while the reports render (pyarrow releases the GIL)
            parts = res.tests is None and not csv  # the tests table in parts, never held whole
            done = _workers_tables(res, tmp, csv=csv)  # the tables Dask workers wrote, moved in
            if parts and not done:  # first: the other tables' Arrow copies are not made while the tests are computed
                from eventstudy.report.tables import detailed_events

                res.write_tests(tmp / "tests.parquet", detailed_events(res))
            skip = done or ({"tests"} if parts else set())
            tables = {name: getattr(res, name) for name in COLUMNAR_TABLES if name not in skip}
            writing = pool.submit(_parquet, tables, tmp)
        if csv or not columnar:
            ar = res.ar[AR_CSV_COLUMNS].copy()
            ar["session"] = ar["session"].dt.strftime("%Y-%m-%d")
            write_csv(ar, tmp / "ar.csv")
            write_csv(res.car[CAR_CSV_COLUMNS], tmp / "car.csv")
            _csv(res.tests, TESTS_CSV_COLUMNS, [], tmp / "tests.csv")
        _measure_files(res, tmp, columnar=columnar, csv=csv)
        _csv(res.claims, CLAIMS_CSV_COLUMNS, ["best_session"], tmp / "claims.csv")
        _csv(res.flags, FLAGS_CSV_COLUMNS, ["session"], tmp / "flags.csv")
        if "json" in formats:
            res.write_json(tmp / "results.json", columnar=columnar)
        figures = figures_when_ready()
        if figures:
            _write_figures(figures, tmp)
        if {"md", "html"} & set(formats):
            from eventstudy.report.model import report_model
            from eventstudy.report.pages import html_page, markdown_page

            model = report_model(res, figures)  # one model, two renderings
            if "md" in formats:
                (tmp / "report.md").write_text(markdown_page(model), encoding="utf-8")
            if "html" in formats:
                (tmp / "report.html").write_text(html_page(model), encoding="utf-8")
        if columnar:
            writing.result()


def _workers_tables(res: StudyResults, tmp: Path, *, csv: bool) -> set[str]:
    """Move in the Parquet partitions Dask workers wrote (``res.written``); the names of those tables."""
    if res.written is None:
        return set()
    from eventstudy.engine.worker_tables import WRITTEN_TABLES

    if csv:
        raise EventStudyError("--csv: the Dask workers wrote the ar, car and tests tables as Parquet partitions; "
                              "read them with pandas.read_parquet, or run without writing on the workers")  # fmt: skip
    for name in WRITTEN_TABLES:
        (res.written / f"{name}.parquet").rename(tmp / f"{name}.parquet")  # a folder of parts, as pandas reads it
    return set(WRITTEN_TABLES)


ROW_GROUPS = {"flags": 10_000}  # rows a row group: day0_of is ~3 KB a row at 1,000,000 pairs, ~1 GB to write whole


def _parquet(tables: dict[str, pd.DataFrame], root: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    for name, table in tables.items():
        text = {c: "str" for c, t in table.dtypes.items() if str(t) == "category"}  # flags' day0_of on Dask
        rows = ROW_GROUPS.get(name, max(len(table), 1))
        writer = None
        for start in range(0, max(len(table), 1), rows):  # as DataFrame.to_parquet writes, a row group at a time
            part = table.iloc[start : start + rows]
            arrow = pa.Table.from_pandas(part.astype(text) if text else part, preserve_index=False)
            writer = writer or pq.ParquetWriter(root / f"{name}.parquet", arrow.schema, compression="snappy")
            writer.write_table(arrow)
        assert writer is not None
        writer.close()


def _csv(frame, columns: list[str], dates: list[str], path: Path) -> None:
    import pandas as pd

    out = frame[columns].copy()
    for col in dates:
        out[col] = pd.to_datetime(out[col]).dt.strftime("%Y-%m-%d")
    write_csv(out, path)


def _measure_files(res: StudyResults, tmp: Path, *, columnar: bool, csv: bool) -> None:
    """volume.csv, volatility.csv, bhar.csv, ... of the measures the study asks for (Parquet in a large study)."""
    for name, table in res.measure_tables().items():
        if columnar:
            table.to_parquet(tmp / f"{name}.parquet", index=False)
        if csv or not columnar:
            _csv(table, list(table.columns), [c for c in ("session",) if c in table], tmp / f"{name}.csv")


def _write_figures(figures: list[ReportFigure], root: Path) -> None:
    (root / "figures").mkdir()
    for fig in figures:
        (root / fig.name).write_bytes(fig.data)
