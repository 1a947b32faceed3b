"""Write a report directory: report.md, report.html, CSV tables, results.json, figures/.

The report is written to a temporary sibling directory and moved into place,
so an interrupted run never leaves half a report over a good one.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from eventstudy.errors import EventStudyError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from eventstudy.report.render import FigurePool, ReportFigure
    from eventstudy.results import StudyResults


REPORT_FORMATS = ("md", "html", "json")


def write_report(
    res: StudyResults,
    out_dir: str | Path,
    *,
    formats: Sequence[str] = REPORT_FORMATS,
    figure_format: str = "svg",
    pool: FigurePool | None = None,
) -> list[Path]:
    """Write the report files into ``out_dir`` (replaced atomically); return the paths.

    ``formats`` picks among ``md`` (report.md), ``html`` (report.html, self-contained)
    and ``json`` (results.json). The CSV tables are always written; figures/*.svg
    (``figure_format="png"``: figures/*.png; ``"none"``: no figures) with ``md`` or ``html``. ``pool``: a
    started :class:`~eventstudy.report.render.FigurePool` to draw them in.
    """
    if isinstance(formats, str):
        formats = [f.strip() for f in formats.split(",")]
    unknown = sorted(set(formats) - set(REPORT_FORMATS))
    if unknown:
        raise EventStudyError(f"unknown report format(s) {', '.join(unknown)}; choose from {', '.join(REPORT_FORMATS)}")
    if figure_format not in ("svg", "png", "none"):
        raise EventStudyError(f"unknown figure format {figure_format!r}; choose svg, png or none")
    from eventstudy.results import (
        AR_CSV_COLUMNS,
        CAR_CSV_COLUMNS,
        CLAIMS_CSV_COLUMNS,
        FLAGS_CSV_COLUMNS,
        TESTS_CSV_COLUMNS,
    )

    with atomic_directory(out_dir) as tmp, ExitStack() as stack:
        pending = None
        if {"md", "html"} & set(formats) and figure_format != "none":
            from eventstudy.report.render import start_figures

            pending = stack.enter_context(start_figures(res, fmt=figure_format, pool=pool))  # drawn meanwhile
        ar = res.ar[AR_CSV_COLUMNS].copy()
        ar["session"] = ar["session"].dt.strftime("%Y-%m-%d")
        ar.to_csv(tmp / "ar.csv", index=False, float_format="%.10g")
        res.car[CAR_CSV_COLUMNS].to_csv(tmp / "car.csv", index=False, float_format="%.10g")
        _csv(res.claims, CLAIMS_CSV_COLUMNS, ["best_session"], tmp / "claims.csv")
        _csv(res.flags, FLAGS_CSV_COLUMNS, ["session"], tmp / "flags.csv")
        _csv(res.tests, TESTS_CSV_COLUMNS, [], tmp / "tests.csv")
        if "json" in formats:
            (tmp / "results.json").write_text(res.to_json(), encoding="utf-8")
        if "md" in formats:
            from eventstudy.report.markdown import render_markdown

            by_event: dict[str, list[str]] = {}
            for job in pending.jobs if pending is not None else []:
                by_event.setdefault(job.event or "", []).append(f"figures/{job.stem}.{figure_format}")
            (tmp / "report.md").write_text(render_markdown(res, by_event), encoding="utf-8")
        figures = _write_figures(pending.result(), tmp) if pending is not None else []
        if "html" in formats:
            from eventstudy.report.html import render_html

            (tmp / "report.html").write_text(render_html(res, figures), encoding="utf-8")
    return sorted(p for p in Path(out_dir).rglob("*") if p.is_file())


def _csv(frame, columns: list[str], dates: list[str], path: Path) -> None:
    import pandas as pd

    out = frame[columns].copy()
    for col in dates:
        out[col] = pd.to_datetime(out[col]).dt.strftime("%Y-%m-%d")
    out.to_csv(path, index=False, float_format="%.10g")


def _write_figures(figures: list[ReportFigure], root: Path) -> list[ReportFigure]:
    (root / "figures").mkdir()
    for fig in figures:
        (root / fig.name).write_bytes(fig.data)
    return figures


@contextmanager
def atomic_directory(out_dir: str | Path) -> Iterator[Path]:
    """Yield a temporary sibling of ``out_dir``; on success it replaces ``out_dir``.

    On any exception the temporary directory is removed and ``out_dir`` is
    left as it was. Raises ``EventStudyError`` when ``out_dir`` cannot be
    written (a file in the way, no permission).
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise EventStudyError(
            f"cannot write the report to {out_dir}: it is a file, not a directory; choose another --out"
        )
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    except OSError as exc:
        raise EventStudyError(f"cannot write the report to {out_dir}: {exc.strerror}; choose another --out") from None
    try:
        yield tmp
        old = None
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            out_dir.rename(old)
        tmp.rename(out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
