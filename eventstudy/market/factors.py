"""Fama-French daily factors from Ken French's CSV (percent → decimals).

Expected layout (as in ``../shared/data/prices/F-F_Research_Data_Factors_daily.csv``)::

    Date,Mkt-RF,SMB,HML,RF
    2020-01-02,0.86,-0.88,-0.34,0.01
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from eventstudy.errors import DataError
from eventstudy.file_io import read_input

FF3_FILE = "F-F_Research_Data_Factors_daily.csv"
FF3_COLUMNS = ["Mkt-RF", "SMB", "HML", "RF"]


def read_fama_french(path: str | Path) -> pd.DataFrame:
    """Daily factors as decimals, indexed by date (US sessions)."""
    path = Path(path)
    try:
        raw = read_input(path, "prices")
    except FileNotFoundError:
        raise DataError(f"factors file {path} not found; pass --factors FILE") from None
    except OSError as exc:
        raise DataError(f"factors file {path} cannot be read: {exc.strerror or exc}; pass --factors FILE") from None
    try:
        frame = pd.read_csv(io.BytesIO(raw))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not a readable CSV file: {exc}") from None
    missing = [c for c in ["Date", *FF3_COLUMNS] if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {missing}; expected Date,{','.join(FF3_COLUMNS)}")
    dates = pd.to_datetime(frame["Date"].astype(str), format="mixed", errors="coerce")
    if dates.isna().any():
        row = int(dates.isna().to_numpy().argmax())
        raise DataError(f"{path}: row {row + 2} has date {frame['Date'].iloc[row]!r}, not a date")
    values = frame[FF3_COLUMNS].apply(pd.to_numeric, errors="coerce")
    bad = values.isna() | values.abs().eq(float("inf"))
    if bad.any().any():
        row = int(bad.any(axis=1).to_numpy().argmax())
        raise DataError(f"{path}: row {row + 2} has a missing, infinite or non-numeric factor value")
    out = (values / 100.0).set_axis(pd.DatetimeIndex(dates, name="Date"))
    if out.index.has_duplicates:
        raise DataError(f"{path}: duplicate date {out.index[out.index.duplicated()][0].date()}")
    return out.sort_index()
