"""Result tables as JSON-ready records and as JSON text, column by column.

Values follow one rule (:func:`clean`): dates without a time as
``YYYY-MM-DD``, other timestamps in ISO 8601, NaN, infinities and NaT as
null, numpy scalars as Python numbers. :func:`table_json` writes a table
exactly as ``json.dumps(records(frame), indent=indent)`` would nest it one
level deep in a document, converting each column at once instead of value
by value (a 2,000-pair study has about 700,000 values);
``tests/test_json_tables.py`` checks the text is identical.
"""

from __future__ import annotations

import math
from json.encoder import encode_basestring_ascii
from typing import Any

import numpy as np
import pandas as pd


class NotFlat(TypeError):
    """A value that is not a JSON scalar: the caller writes the document with :mod:`json` instead."""


def clean(value: Any) -> Any:
    """One value as JSON-ready Python (see the module doc)."""
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


def _json(value: Any) -> str:
    """JSON text of a cleaned scalar, as :mod:`json` writes it (ASCII, no NaN)."""
    if isinstance(value, str):
        return encode_basestring_ascii(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float) and math.isfinite(value):
        return float.__repr__(value)
    raise NotFlat(type(value).__name__)


def _json_column(column: pd.Series) -> list[str]:
    kind = column.dtype.kind if isinstance(column.dtype, np.dtype) else ""
    if kind == "b":
        return ["true" if v else "false" for v in column.to_numpy().tolist()]
    if kind in ("i", "u"):
        return list(map(int.__repr__, column.to_numpy().tolist()))
    if kind == "f":
        arr = column.to_numpy(dtype=float)
        out = list(map(float.__repr__, arr.tolist()))
        for i in np.flatnonzero(~np.isfinite(arr)):
            out[i] = "null"
        return out
    return [_json(v) for v in _values(column)]


def table_json(frame: pd.DataFrame, indent: int) -> str:
    """JSON text of ``records(frame)`` as a value one level inside an ``indent``-indented document.

    Raises :class:`NotFlat` for a value that is not a JSON scalar.
    """
    if len(frame) == 0:
        return "[]"
    if not all(isinstance(c, str) for c in frame.columns):
        raise NotFlat("column names must be text")
    pad = [" " * (indent * level) for level in range(4)]
    if frame.shape[1] == 0:
        rows = [pad[2] + "{}"] * len(frame)
    else:
        keys = [encode_basestring_ascii(c).replace("%", "%%") for c in frame.columns]
        template = pad[2] + "{\n" + ",\n".join(f"{pad[3]}{k}: %s" for k in keys) + "\n" + pad[2] + "}"
        columns = [_json_column(frame.iloc[:, k]) for k in range(frame.shape[1])]
        rows = [template % row for row in zip(*columns, strict=True)]
    return "[\n" + ",\n".join(rows) + "\n" + pad[1] + "]"
