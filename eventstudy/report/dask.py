"""The report of a ``--dask`` run: ``car.csv`` and a short ``report.md``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from eventstudy.engine.distributed import CAR_CSV_COLUMNS
from eventstudy.files import write_csv
from eventstudy.formats import md_text
from eventstudy.report.write import atomic_directory

if TYPE_CHECKING:
    import pandas as pd

    from eventstudy.spec import StudySpec


def write_dask_report(
    table: pd.DataFrame, spec: StudySpec, out_dir: str | Path, *, partitions: int, workers: int
) -> list[Path]:
    """Write ``car.csv`` and a short ``report.md`` into ``out_dir`` (replaced atomically).

    ``car.csv`` has exactly the columns and number format of the full
    report's; ``report.md`` says what this mode computes and what it leaves out.
    """
    out_dir = Path(out_dir)
    with atomic_directory(out_dir) as tmp:
        write_csv(table[CAR_CSV_COLUMNS], tmp / "car.csv")
        (tmp / "report.md").write_text(_dask_markdown(table, spec, partitions, workers), encoding="utf-8")
    return [out_dir / "car.csv", out_dir / "report.md"]


def _dask_markdown(table: pd.DataFrame, spec: StudySpec, partitions: int, workers: int) -> str:
    pairs = table[["event", "ticker"]].drop_duplicates()
    lines = [
        f"# {md_text(spec.title)} (Dask mode)",
        "",
        f"`eventstudy run --dask` computed market-model CARs for {len(pairs)} (event, security) pairs "
        f"({pairs['event'].nunique()} events) with the batch engine, in up to {partitions} partitions "
        f"of whole events per exchange on a local Dask cluster of {workers} workers.",
        "",
        f"Estimation window {list(spec.estimation_window)}; CAR standard error from the prediction-error "
        "variance; t with n − 2 degrees of freedom; two-sided p.",
        "",
        "Written: `car.csv` (`event,ticker,start,end,car,se,t,p`). Not written in this mode: `ar.csv`, "
        "`claims.csv`, `flags.csv`, `tests.csv`, `results.json`, `report.html`, figures and this report's "
        "full form; run without `--dask` for them.",
        "",
        "| window | pairs | mean CAR | median t | p < 0.05 |",
        "|---|---:|---:|---:|---:|",
    ]
    for (start, end), rows in table.groupby(["start", "end"], sort=False):
        lines.append(
            f"| [{start}, {end}] | {len(rows)} | {rows['car'].mean():+.4f} | {rows['t'].median():+.2f} | "
            f"{(rows['p'] < 0.05).mean():.0%} |"
        )
    return "\n".join(lines) + "\n"
