"""A small Markdown pipe-table formatter (no tabulate dependency)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd


def fmt_pct(value: float, digits: int = 2, *, sign: bool = True) -> str:
    """Decimal → percent text, e.g. 0.0717 → '+7.17 %'; NaN → '–'."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value * 100:{'+' if sign else ''}.{digits}f} %"


def fmt_num(value: float, digits: int = 3) -> str:
    """Number with fixed digits; NaN → '–'."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:.{digits}f}"


def fmt_p(value: float) -> str:
    """p-value: 4 decimals, or '<0.0001'."""
    if value is None or not math.isfinite(value):
        return "–"
    return "<0.0001" if value < 1e-4 else f"{value:.4f}"


def _cell(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return str(value.date())
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(rows: Sequence[Sequence[object]], header: Sequence[str], align: str = "") -> str:
    """Pipe table. ``align`` has one letter per column: l, r or c (default l)."""
    align = align.ljust(len(header), "l")
    marks = {"l": ":---", "r": "---:", "c": ":---:"}
    lines = [
        "| " + " | ".join(_cell(h) for h in header) + " |",
        "| " + " | ".join(marks[a] for a in align) + " |",
    ]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
