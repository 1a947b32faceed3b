"""Parquet price files behind an fsspec URL: written from the CSVs, read back lazily, the same numbers."""

from __future__ import annotations

import csv
import hashlib
import math
import pickle

import pandas as pd
import pyarrow.parquet as pq
import pytest

from eventstudy.cli import main
from eventstudy.errors import EventStudyError, UnknownSymbolError
from eventstudy.market.parquet import ParquetSource, is_parquet_location, write_parquet_prices

SYMBOLS = ["ORCL", "GSPC", "9984.T", "N225"]
ALL = (pd.Timestamp("1990-01-01"), pd.Timestamp("2100-01-01"))


@pytest.fixture(scope="module")
def folder(prices_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("pq") / "prices"
    assert write_parquet_prices(prices_dir, out, SYMBOLS) == [f"{s}.parquet" for s in SYMBOLS]
    return out


def _csv(path):
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("symbol", SYMBOLS)
def test_every_cell_is_the_csv_cell(folder, prices_dir, symbol):
    rows = _csv(prices_dir / f"{symbol}.csv")
    table = pq.read_table(folder / f"{symbol}.parquet").to_pylist()  # pyarrow alone, not the code under test
    assert len(table) == len(rows)
    for got, want in zip(table, rows, strict=True):
        assert got["Date"].isoformat() == want["Date"]
        for col in ("Open", "High", "Low", "Close", "Adj Close", "Volume"):
            value = got[col]
            if want.get(col, "") == "":
                assert value is None or math.isnan(value)
            else:
                assert value == float(want[col]), (symbol, want["Date"], col)


def test_source_reads_lazily_with_provenance_and_pickles_as_its_url(folder, prices_dir):
    src = ParquetSource(folder.as_uri())  # file:///…, a URL as a worker would get it
    frame = src.prices("^GSPC", pd.Timestamp("2025-01-21"), pd.Timestamp("2025-01-24"))
    rows = [r for r in _csv(prices_dir / "GSPC.csv") if "2025-01-21" <= r["Date"] <= "2025-01-24"]
    assert [d.date().isoformat() for d in frame.index] == [r["Date"] for r in rows]
    assert frame["Close"].tolist() == [float(r["Close"]) for r in rows]
    assert list(src.provenance()) == ["^GSPC"]  # only what was read
    info = src.provenance()["^GSPC"]
    assert info["csv"] == "GSPC.csv"
    assert info["csv_sha256"] == hashlib.sha256((prices_dir / "GSPC.csv").read_bytes()).hexdigest()
    assert info["sha256"] == hashlib.sha256((folder / "GSPC.parquet").read_bytes()).hexdigest()
    shipped = pickle.dumps(src)
    assert len(shipped) < 300 and b"Close" not in shipped  # the URL, never the frames
    again = pickle.loads(shipped)
    assert again.provenance() == {} and again.url == src.url
    assert again.prices("ORCL", *ALL)["Close"].iloc[-1] == float(_csv(prices_dir / "ORCL.csv")[-1]["Close"])


def test_csv_source_pickles_as_its_folder(prices_dir):
    from eventstudy.market import CsvDirectorySource

    src = CsvDirectorySource(prices_dir)
    src.prices("ORCL", *ALL)
    shipped = pickle.dumps(src)
    assert len(shipped) < 500 and b"Close" not in shipped
    again = pickle.loads(shipped)
    assert again.provenance() == {} and again.prices("ORCL", *ALL).equals(src.prices("ORCL", *ALL))


def test_a_worker_that_cannot_see_the_location_fails_on_read(folder, tmp_path):
    moved = tmp_path / "moved"
    moved.mkdir()
    (moved / "ORCL.parquet").write_bytes((folder / "ORCL.parquet").read_bytes())
    shipped = pickle.dumps(ParquetSource(moved))
    (moved / "ORCL.parquet").unlink()
    moved.rmdir()
    worker_copy = pickle.loads(shipped)  # unpickling does not touch the location
    with pytest.raises(UnknownSymbolError, match=r"no price file for 'ORCL'"):
        worker_copy.prices("ORCL", *ALL)


def test_missing_symbol_and_location(folder, tmp_path):
    with pytest.raises(UnknownSymbolError, match=r"no price file for 'TSLA'.*TSLA\.parquet.*to-parquet"):
        ParquetSource(folder).prices("TSLA", *ALL)
    with pytest.raises(EventStudyError, match="does not exist"):
        ParquetSource(tmp_path / "nowhere")
    assert is_parquet_location(folder) and is_parquet_location("s3://bucket/prices")
    assert not is_parquet_location(tmp_path)  # an empty folder is a CSV folder


def test_a_damaged_file_is_named(folder, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "ORCL.parquet").write_bytes(b"not parquet")
    with pytest.raises(EventStudyError, match=r"ORCL\.parquet: not a readable Parquet file"):
        ParquetSource(bad).prices("ORCL", *ALL)


def test_cli_to_parquet_and_a_foreign_folder_untouched(prices_dir, tmp_path, capsys):
    out = tmp_path / "pq"
    assert main(["prices", "to-parquet", "--prices", str(prices_dir), "--out", str(out), "--symbols", "ORCL,GSPC"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["GSPC.parquet", "ORCL.parquet"]
    assert "2 Parquet price files" in capsys.readouterr().out
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep")
    argv = ["prices", "to-parquet", "--prices", str(prices_dir), "--out", str(foreign), "--symbols", "ORCL"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --out") and "notes.txt" in err[0]
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]
    assert main(["prices", "to-parquet", "--prices", str(tmp_path / "none"), "--out", str(tmp_path / "x")]) == 2
    assert "does not exist" in capsys.readouterr().err
