"""Parsed price files cached on disk (eventstudy/market/csv_folder.py, read_price_csv).

A rerun reads back exactly the frame pandas' parse gives (index, dtypes, every value's bits)
and parses nothing; other bytes or other code miss; a damaged entry is parsed again; a file
that does not parse raises and stores nothing; an unwritable cache folder is a warning.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from synthetic import prices_with_a_negative_volume

from eventstudy import table_cache as tc
from eventstudy.errors import DataError, DataWarning
from eventstudy.market import csv_folder

CSV = "Date,Open,High,Low,Close,Adj Close,Volume\n2025-01-02,1.5,2,1,1.75,1.7,100\n2025-01-03,1.8,2.1,1.6,,1.9,0\n"


def _entries(cache: Path) -> list[Path]:
    tc.store_pending()  # entries are written when a run goes through
    return sorted((cache / "parsed-prices").glob("*.npz"))


def _exactly(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True, check_freq=True)
    assert a.index.name == b.index.name and a.index.dtype == b.index.dtype and list(a.dtypes) == list(b.dtypes)
    for name in a.columns:
        assert a[name].to_numpy().tobytes() == b[name].to_numpy().tobytes(), name


def test_a_rerun_reads_the_parsed_frame_back_and_parses_nothing(prices_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    path = prices_dir / "NVDA.csv"
    direct = csv_folder._parse(path, path.read_bytes())
    _exactly(csv_folder.read_price_csv(path), direct)
    assert len(_entries(tmp_path)) == 1
    monkeypatch.setattr(csv_folder, "_parse", lambda *a: pytest.fail("a cached price file was parsed"))
    _exactly(csv_folder.read_price_csv(path), direct)
    _exactly(csv_folder.read_price_csv(path, path.read_bytes()), direct)
    assert direct.loc["2025-01-21", "Close"] == float(pd.read_csv(path, index_col="Date").loc["2025-01-21", "Close"])


def test_other_bytes_or_code_miss(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    path = tmp_path / "X.csv"
    path.write_text(CSV)
    first = csv_folder.read_price_csv(path)
    path.write_text(CSV.replace("1.75", "1.76"))
    assert csv_folder.read_price_csv(path).loc["2025-01-02", "Close"] == 1.76
    assert len(_entries(tmp_path)) == 2
    monkeypatch.setattr(tc, "code_fingerprint", lambda: "an edited checkout")
    path.write_text(CSV)
    _exactly(csv_folder.read_price_csv(path), first)
    assert len(_entries(tmp_path)) == 3


@pytest.mark.parametrize("flaw", ["garbage", "truncated"])
def test_a_damaged_entry_is_parsed_again(flaw, tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    path = tmp_path / "X.csv"
    path.write_text(CSV)
    first = csv_folder.read_price_csv(path)
    (entry,) = _entries(tmp_path)
    raw = entry.read_bytes()
    entry.write_bytes(b"not an npz file" if flaw == "garbage" else raw[: len(raw) // 2])
    _exactly(csv_folder.read_price_csv(path), first)
    tc.store_pending()
    assert entry.read_bytes() == raw  # written again


def test_a_file_that_does_not_parse_raises_and_stores_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path))
    path = tmp_path / "X.csv"
    path.write_text(CSV.replace("1.75", "1,75"))
    for _ in range(2):
        with pytest.raises(DataError, match=r"not a number|fields"):
            csv_folder.read_price_csv(path)
    assert not _entries(tmp_path)


def test_an_unwritable_cache_is_a_warning(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(blocker))
    path = tmp_path / "X.csv"
    path.write_text(CSV)
    got = csv_folder.read_price_csv(path)
    with pytest.warns(DataWarning, match="could not be cached"):
        tc.store_pending()
    _exactly(got, csv_folder._parse(path, path.read_bytes()))


def test_a_run_that_fails_on_its_input_writes_nothing(prices_dir, study_path, tmp_path, monkeypatch):
    """A price file that parses but fails validation (a negative volume): no parsed entry is written."""
    from eventstudy import CsvDirectorySource, EventStudy, load_study

    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))
    tc.store_pending()
    folder = prices_with_a_negative_volume(prices_dir, tmp_path / "prices")
    with pytest.raises(DataError):
        EventStudy(load_study(study_path), CsvDirectorySource(folder)).run()
    tc._PENDING.clear()  # what the failed run kept is never written (the process ends)
    assert not (tmp_path / "cache").exists()
