"""JSON-ready values for ``results.json`` and the placebo summary: :func:`records`, :func:`clean`.

May import: nothing of the package.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd


# Dates without a time as YYYY-MM-DD, other timestamps in ISO 8601,
# NaN, infinities and NaT as null, numpy scalars as Python numbers.
def clean(value: Any) -> Any:
    """One value as JSON-ready Python (see above)."""
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() and value.tzinfo is None else value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return clean(value.item())
    return value


def _values(column: pd.Series) -> list[Any]:
    """A column's cleaned values."""
    kind = column.dtype.kind if isinstance(column.dtype, np.dtype) else ""
    if kind in ("i", "u", "b"):
        return column.to_numpy().tolist()
    if kind == "f":
        arr = column.to_numpy()
        out = arr.tolist()
        for i in np.flatnonzero(~np.isfinite(arr)):
            out[i] = None
        return out
    return [clean(v) for v in column.tolist()]


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of cleaned values."""
    names = list(frame.columns)
    columns = [_values(frame.iloc[:, k]) for k in range(len(names))]
    return (
        [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
        if names
        else [{} for _ in range(len(frame))]
    )
