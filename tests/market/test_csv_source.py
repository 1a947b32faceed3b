"""CsvDirectorySource on the real price directory, and on broken files written here."""

from __future__ import annotations

import csv
import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.errors import DataError, UnknownSymbolError
from eventstudy.market import CsvDirectorySource

PRICES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "prices"
HEADER = "Date,Open,High,Low,Close,Adj Close,Volume"


@pytest.fixture(scope="module")
def prices_dir() -> Path:
    """The shared price directory: fail under CI=true when it is missing, skip elsewhere."""
    if not PRICES.is_dir():
        message = f"{PRICES} not found: real-data tests read ../shared next to the repository"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return PRICES


def csv_rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="") as fh:
        return {row["Date"]: row for row in csv.DictReader(fh)}


def test_index_symbol_maps_to_file_without_caret(prices_dir):
    src = CsvDirectorySource(prices_dir)
    assert src.path("^GSPC") == prices_dir / "GSPC.csv"
    out = src.prices("^GSPC", pd.Timestamp("2025-01-21"), pd.Timestamp("2025-01-21"))
    expected = float(csv_rows(prices_dir / "GSPC.csv")["2025-01-21"]["Close"])
    assert out["Close"].tolist() == [expected]
    assert src.provenance()["^GSPC"]["file"] == "GSPC.csv"


def test_orcl_close_matches_csv_text(prices_dir):
    rows = csv_rows(prices_dir / "ORCL.csv")
    out = CsvDirectorySource(prices_dir).prices("ORCL", pd.Timestamp("2025-01-17"), pd.Timestamp("2025-01-21"))
    assert list(out.index.strftime("%Y-%m-%d")) == ["2025-01-17", "2025-01-21"]  # 2025-01-20 was a holiday
    for day, close in (("2025-01-17", 161.03), ("2025-01-21", 172.57)):
        assert float(rows[day]["Close"]) == pytest.approx(close, abs=5e-3)
        assert out.loc[day, "Close"] == float(rows[day]["Close"])
        assert out.loc[day, "Adj Close"] == float(rows[day]["Adj Close"])


def test_index_has_no_adj_close(prices_dir):
    out = CsvDirectorySource(prices_dir).prices("^N225", pd.Timestamp("2025-01-01"), pd.Timestamp("2025-01-31"))
    assert len(out) > 15
    assert out["Adj Close"].isna().all()
    assert out["Close"].notna().all()


def test_provenance_has_file_sha256(prices_dir):
    src = CsvDirectorySource(prices_dir)
    src.prices("ORCL", pd.Timestamp("2025-01-02"), pd.Timestamp("2025-01-31"))
    prov = src.provenance()["ORCL"]
    assert prov["sha256"] == hashlib.sha256((prices_dir / "ORCL.csv").read_bytes()).hexdigest()
    rows = csv_rows(prices_dir / "ORCL.csv")
    assert prov["rows"] == len(rows)
    assert prov["first"] == min(rows)
    assert prov["last"] == max(rows)


# --- broken files ------------------------------------------------------------------------------


def write_csv(tmp_path: Path, *lines: str, symbol: str = "XYZ", header: str = HEADER) -> Path:
    path = tmp_path / f"{symbol}.csv"
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


def load(tmp_path: Path, symbol: str = "XYZ") -> pd.DataFrame:
    return CsvDirectorySource(tmp_path).prices(symbol, pd.Timestamp("2000-01-01"), pd.Timestamp("2100-01-01"))


GOOD = "2025-01-17,10,11,9,10.5,10.4,1000"
LATER = "2025-01-21,10.5,12,10,11.5,11.4,2000"


def test_small_valid_file(tmp_path):
    write_csv(tmp_path, GOOD, "2025-01-21,,,,11.5,,")
    out = load(tmp_path)
    assert out["Close"].tolist() == [10.5, 11.5]
    assert pd.isna(out.loc["2025-01-21", "Open"])
    assert all(dtype == "float64" for dtype in out.dtypes)


def test_missing_directory(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        CsvDirectorySource(tmp_path / "nowhere")


def test_unknown_symbol_names_symbol_and_directory(tmp_path):
    with pytest.raises(UnknownSymbolError) as info:
        load(tmp_path, "NOPE")
    assert "'NOPE'" in str(info.value)
    assert str(tmp_path) in str(info.value)
    assert "NOPE.csv" in str(info.value)


BROKEN = {
    "wrong columns": (("2025-01-17,10.5",), "Date,Price", r"unexpected column\(s\) \['Price'\]"),
    "no date column": (("2025-01-17,10.5",), "Day,Close", "no Date column"),
    "no close column": (("2025-01-17,10.5",), "Date,Open", r"lacks column\(s\) \['Close'\]"),
    "unparseable date": (("2025/01/17,10,11,9,10.5,10.4,1000",), HEADER, r"row 2 has date '2025/01/17'"),
    "duplicate date": ((GOOD, GOOD), HEADER, "duplicate date 2025-01-17"),
    "unsorted rows": ((LATER, GOOD), HEADER, "out of date order at 2025-01-17"),
    "zero price": ((GOOD, "2025-01-21,10.5,12,10,0,11.4,2000"), HEADER, "zero or negative price on 2025-01-21"),
    "negative price": ((GOOD, "2025-01-21,10.5,12,-1,11.5,11.4,2000"), HEADER, "zero or negative price on 2025-01-21"),
    "n/a cell": ((GOOD, "2025-01-21,10.5,12,10,n/a,11.4,2000"), HEADER, "row 3, column Close: 'n/a' is not a number"),
    "quoted decimal comma": ((GOOD, '2025-01-21,10.5,12,10,"12,5",11.4,2000'), HEADER, "'12,5' is not a number"),
    "unquoted decimal comma": (
        (GOOD, "2025-01-21,10.5,12,10,12,5,11.4,2000"),
        HEADER,
        "row 3 has 8 fields, the header has 7",
    ),
    "header only": ((), HEADER, "no price rows"),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_broken_csv_names_file_and_problem(tmp_path, case):
    lines, header, problem = BROKEN[case]
    path = write_csv(tmp_path, *lines, header=header)
    with pytest.raises(DataError, match=problem) as info:
        load(tmp_path)
    assert str(path) in str(info.value)


def test_empty_file(tmp_path):
    path = tmp_path / "XYZ.csv"
    path.write_text("")
    with pytest.raises(DataError, match="not a readable CSV") as info:
        load(tmp_path)
    assert str(path) in str(info.value)
