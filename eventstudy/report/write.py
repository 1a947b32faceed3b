"""Write a report directory: report.md, ar/car/claims/flags.csv, results.json, figures/.

The report is written to a temporary sibling directory and moved into place,
so an interrupted run never leaves half a report over a good one.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from eventstudy.errors import EventStudyError

if TYPE_CHECKING:
    from eventstudy.results import StudyResults


def write_report(res: StudyResults, out_dir: str | Path) -> list[Path]:
    """Write every report file into ``out_dir`` (replaced atomically); return the paths."""
    from eventstudy.results import (
        AR_CSV_COLUMNS,
        CAR_CSV_COLUMNS,
        CLAIMS_CSV_COLUMNS,
        FLAGS_CSV_COLUMNS,
        TESTS_CSV_COLUMNS,
    )

    out_dir = Path(out_dir)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    except OSError as exc:
        raise EventStudyError(f"cannot write the report to {out_dir}: {exc.strerror}; choose another --out") from None
    try:
        figures = _figures(res, tmp)
        ar = res.ar[AR_CSV_COLUMNS].copy()
        ar["session"] = ar["session"].dt.strftime("%Y-%m-%d")
        ar.to_csv(tmp / "ar.csv", index=False, float_format="%.10g")
        res.car[CAR_CSV_COLUMNS].to_csv(tmp / "car.csv", index=False, float_format="%.10g")
        _csv(res.claims, CLAIMS_CSV_COLUMNS, ["best_session"], tmp / "claims.csv")
        _csv(res.flags, FLAGS_CSV_COLUMNS, ["session"], tmp / "flags.csv")
        _csv(res.tests, TESTS_CSV_COLUMNS, [], tmp / "tests.csv")
        (tmp / "results.json").write_text(res.to_json(), encoding="utf-8")
        from eventstudy.report.markdown import render_markdown

        (tmp / "report.md").write_text(render_markdown(res, figures), encoding="utf-8")
        _replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return sorted(p for p in out_dir.rglob("*") if p.is_file())


def _csv(frame, columns: list[str], dates: list[str], path: Path) -> None:
    out = frame[columns].copy()
    for col in dates:
        out[col] = out[col].dt.strftime("%Y-%m-%d")
    out.to_csv(path, index=False, float_format="%.10g")


def _figures(res: StudyResults, root: Path) -> dict[str, list[str]]:
    from eventstudy.report.figures import car_path, price_path

    (root / "figures").mkdir()
    out: dict[str, list[str]] = {}
    for event in res.spec.events:
        names = []
        for kind, draw in (("prices", price_path), ("car", car_path)):
            name = f"figures/{kind}_{event.id}.png"
            draw(res, event.id).savefig(root / name)
            names.append(name)
        out[event.id] = names
    return out


def _replace(tmp: Path, out_dir: Path) -> None:
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        out_dir.rename(old)
    tmp.rename(out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
