"""The yfinance boundary, without network: fake ``yfinance.download`` frames and a fake downloader."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.errors import DataError, DataWarning, UnknownSymbolError
from eventstudy.market import DiskCache, YahooSource
from eventstudy.market.yahoo import from_yfinance

DATES = ["2025-01-16", "2025-01-17", "2025-01-21", "2025-01-22"]
CLOSE = [159.54, 161.03, 172.57, 184.22]
ADJ = [157.39, 158.86, 170.24, 181.74]


def yf_frame(symbol="ORCL", *, auto_adjust=False, tz=None, dates=DATES, group_by="column"):
    """A frame shaped like ``yfinance.download`` (0.2.5x / 1.x) for one ticker."""
    n = len(dates)
    close = np.array(CLOSE[:n])
    fields = {
        "Adj Close": ADJ[:n],
        "Close": close,
        "High": close + 1,
        "Low": close - 1,
        "Open": close - 0.5,
        "Volume": [1e7] * n,
    }
    if auto_adjust:
        fields.pop("Adj Close")
        fields["Close"] = ADJ[:n]
    index = pd.DatetimeIndex(pd.to_datetime(dates), name="Date")
    if tz is not None:
        index = index.tz_localize(tz)
    cols = pd.MultiIndex.from_tuples([(f, symbol) for f in fields], names=["Price", "Ticker"])
    frame = pd.DataFrame(np.column_stack(list(fields.values())), index=index, columns=cols)
    if group_by == "ticker":
        frame.columns = frame.columns.swaplevel(0, 1)
    return frame


def test_multiindex_price_ticker_tz_naive():
    raw = yf_frame()
    assert raw.columns.names == ["Price", "Ticker"]
    out = from_yfinance(raw, "ORCL", auto_adjust=False)
    assert list(out.columns) == ["Open", "High", "Low", "Close", "Adj Close", "Volume"]
    assert list(out.index.strftime("%Y-%m-%d")) == DATES
    assert out.index.tz is None
    assert out.index.name == "Date"
    assert out.loc["2025-01-21", "Close"] == 172.57
    assert out.loc["2025-01-21", "Adj Close"] == 170.24
    assert out.loc["2025-01-21", "Open"] == pytest.approx(172.07)


def test_ticker_price_level_order():
    raw = yf_frame(group_by="ticker")
    assert raw.columns[0] == ("ORCL", "Adj Close")
    out = from_yfinance(raw, "ORCL", auto_adjust=False)
    assert list(out["Close"]) == CLOSE
    assert list(out["Adj Close"]) == ADJ


def test_flat_columns():
    raw = yf_frame().droplevel("Ticker", axis=1)
    out = from_yfinance(raw, "ORCL", auto_adjust=False)
    assert list(out["Close"]) == CLOSE
    assert list(out["Volume"]) == [1e7] * 4


@pytest.mark.parametrize(
    ("symbol", "tz", "dates"),
    [
        ("ORCL", "America/New_York", DATES),
        ("9984.T", "Asia/Tokyo", ["2025-01-17", "2025-01-20", "2025-01-21", "2025-01-22"]),
    ],
)
def test_tz_aware_midnight_keeps_local_session_date(symbol, tz, dates):
    raw = yf_frame(symbol, tz=tz, dates=dates)
    out = from_yfinance(raw, symbol, auto_adjust=False)
    assert out.index.tz is None
    assert list(out.index.strftime("%Y-%m-%d")) == dates
    assert list(out["Close"]) == CLOSE


def test_tokyo_dates_would_shift_through_utc():
    # Guards the test above: Tokyo midnight is the previous day in UTC.
    raw = yf_frame("9984.T", tz="Asia/Tokyo")
    assert str(raw.index.tz_convert("UTC")[0].date()) == "2025-01-15"
    assert str(from_yfinance(raw, "9984.T", auto_adjust=False).index[0].date()) == "2025-01-16"


def test_auto_adjust_true_moves_close_to_adj_close():
    raw = yf_frame(auto_adjust=True)
    assert "Adj Close" not in raw.columns.get_level_values("Price")
    out = from_yfinance(raw, "ORCL", auto_adjust=True)
    assert list(out["Adj Close"]) == ADJ
    assert out["Close"].isna().all()
    assert len(out) == 4


def test_other_ticker_in_frame_is_an_error_naming_symbol():
    with pytest.raises(DataError, match=r"'NVDA'.*ORCL"):
        from_yfinance(yf_frame("ORCL"), "NVDA", auto_adjust=False)


def _empty_multi():
    cols = pd.MultiIndex.from_tuples([("Close", "XXXX"), ("Adj Close", "XXXX")], names=["Price", "Ticker"])
    return pd.DataFrame(columns=cols, index=pd.DatetimeIndex([], name="Date"))


def _all_nan():
    raw = yf_frame("XXXX")
    return raw * np.nan


@pytest.mark.parametrize(
    "raw", [None, pd.DataFrame(), _empty_multi(), _all_nan()], ids=["none", "empty", "empty-multi", "all-nan"]
)
def test_no_data_is_unknown_symbol(raw):
    with pytest.raises(UnknownSymbolError, match=r"no prices for 'XXXX'"):
        from_yfinance(raw, "XXXX", auto_adjust=False)


# --- YahooSource with an injected downloader -------------------------------------------------

START = pd.Timestamp("2025-01-16")
END = pd.Timestamp("2025-01-22")
NOW = dt.datetime(2025, 3, 1, 12, 30, 5, tzinfo=dt.UTC)


class FakeDownloader:
    def __init__(self, frame=None):
        self.frame = yf_frame() if frame is None else frame
        self.calls = []

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        return self.frame


def test_downloader_arguments():
    fake = FakeDownloader()
    YahooSource(downloader=fake, now=lambda: NOW).prices("ORCL", START, END)
    [(args, kwargs)] = fake.calls
    assert args == ("ORCL",)
    assert kwargs["start"] == "2025-01-16"
    assert kwargs["end"] == "2025-01-23"  # exclusive: END + 1 day
    assert kwargs["auto_adjust"] is False
    assert kwargs["progress"] is False


def test_prices_and_provenance():
    fake = FakeDownloader()
    src = YahooSource(downloader=fake, now=lambda: NOW)
    out = src.prices("ORCL", pd.Timestamp("2025-01-17"), pd.Timestamp("2025-01-21"))
    assert list(out.index.strftime("%Y-%m-%d")) == ["2025-01-17", "2025-01-21"]
    prov = src.provenance()["ORCL"]
    assert prov["retrieved_at"] == "2025-03-01T12:30:05+00:00"
    assert prov["cache"] == "miss"
    assert prov["source"] == "yfinance"


def test_empty_download_raises_unknown_symbol():
    src = YahooSource(downloader=FakeDownloader(pd.DataFrame()), sleep=lambda _s: None)
    with pytest.raises(UnknownSymbolError, match="'NOPE'"):
        src.prices("NOPE", START, END)


def test_second_call_served_from_cache(tmp_path):
    fake = FakeDownloader()
    first = YahooSource(DiskCache(tmp_path), downloader=fake, now=lambda: NOW).prices("ORCL", START, END)
    assert len(fake.calls) == 1

    def refuse(*args, **kwargs):
        raise AssertionError("downloader called despite a valid cache")

    src = YahooSource(DiskCache(tmp_path), downloader=refuse)
    second = src.prices("ORCL", START, END)
    pd.testing.assert_frame_equal(first, second, check_freq=False, rtol=1e-9)
    assert first.columns.name is None
    prov = src.provenance()["ORCL"]
    assert prov["cache"] == "hit"
    assert prov["retrieved_at"] == "2025-03-01T12:30:05+00:00"


def test_cache_not_covering_range_downloads_again(tmp_path):
    fake = FakeDownloader()
    src = YahooSource(DiskCache(tmp_path), downloader=fake, now=lambda: NOW)
    src.prices("ORCL", START, pd.Timestamp("2025-01-17"))
    src.prices("ORCL", START, END)
    assert len(fake.calls) == 2


def test_corrupted_cache_is_not_used(tmp_path):
    fake = FakeDownloader()
    YahooSource(DiskCache(tmp_path), downloader=fake, now=lambda: NOW).prices("ORCL", START, END)
    csv = tmp_path / "ORCL.csv"
    meta = json.loads((tmp_path / "ORCL.json").read_text())
    body = csv.read_bytes()
    assert b"172.57" in body
    csv.write_bytes(body.replace(b"172.57", b"999.99"))

    src = YahooSource(DiskCache(tmp_path), downloader=fake, now=lambda: NOW)
    with pytest.warns(DataWarning, match="ORCL: cache entry .* damaged"):
        out = src.prices("ORCL", START, END)
    assert len(fake.calls) == 2
    assert out.loc["2025-01-21", "Close"] == 172.57
    assert src.provenance()["ORCL"]["cache"] == "miss"
    # the fresh download replaced the corrupted file
    assert b"999.99" not in csv.read_bytes()
    assert json.loads((tmp_path / "ORCL.json").read_text())["sha256"] == meta["sha256"]


def test_import_does_not_load_yfinance():
    code = (
        "import sys, eventstudy; from eventstudy.market import YahooSource; "
        "YahooSource(); print('yfinance' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "False"


@pytest.mark.network
@pytest.mark.skipif(os.environ.get("EVENTSTUDY_NETWORK") != "1", reason="set EVENTSTUDY_NETWORK=1 to download")
def test_real_download_orcl(tmp_path: Path):
    src = YahooSource(DiskCache(tmp_path))
    out = src.prices("ORCL", pd.Timestamp("2025-01-13"), pd.Timestamp("2025-01-17"))
    assert list(out.index.strftime("%Y-%m-%d")) == [
        "2025-01-13",
        "2025-01-14",
        "2025-01-15",
        "2025-01-16",
        "2025-01-17",
    ]
    assert math.isclose(out.loc["2025-01-17", "Close"], 161.03, abs_tol=0.01)
    assert out["Adj Close"].notna().all()
    assert (tmp_path / "ORCL.json").is_file()
