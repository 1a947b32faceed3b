"""DiskCache integrity and YahooSource's retries and fallback, with a fake yfinance boundary.

No network and no waiting: the downloader and ``sleep`` are injected. The
crash tests fork writer processes (they inherit the imported modules, so
they start at once) and kill them with SIGKILL in the middle of writes.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import re
import signal
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from test_yahoo import yf_frame

from eventstudy.errors import DataError, DataWarning, UnknownSymbolError
from eventstudy.market import DiskCache, YahooSource
from eventstudy.market.frames import PRICE_COLUMNS

START = pd.Timestamp("2025-01-16")
END = pd.Timestamp("2025-01-22")
NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
META = {"source": "test", "start": "2025-01-16", "end": "2025-01-22", "retrieved_at": "2025-02-01T00:00:00+00:00"}


def frame(level: float, n: int = 4, start: str = "2025-01-16") -> pd.DataFrame:
    """A valid price frame on ``n`` business days, every price ``level + i / 1000``."""
    index = pd.bdate_range(start, periods=n, name="Date")
    values = level + np.arange(n) / 1000.0
    data = {c: values for c in PRICE_COLUMNS[:-1]} | {"Volume": np.full(n, 1000.0)}
    return pd.DataFrame(data, index=index)[PRICE_COLUMNS]


# --- detection of damaged entries -----------------------------------------------------------


def stored(tmp_path):
    cache = DiskCache(tmp_path)
    cache.put("ORCL", frame(10.0), META)
    return cache, tmp_path / "ORCL.csv", tmp_path / "ORCL.json"


def test_round_trip(tmp_path):
    cache, _, _ = stored(tmp_path)
    out, meta = cache.get("ORCL", START, END)
    pd.testing.assert_frame_equal(out, frame(10.0), check_freq=False)
    assert meta["symbol"] == "ORCL" and meta["retrieved_at"] == META["retrieved_at"]
    assert cache.get("ORCL", START - pd.Timedelta(days=1), END) is None  # does not cover: a miss, no warning


def truncate(csv, meta):
    csv.write_bytes(csv.read_bytes()[:-30])


def flip_digit(csv, meta):
    csv.write_bytes(csv.read_bytes().replace(b"10.001", b"10.009"))


def json_garbage(csv, meta):
    meta.write_text('{"sha256": "ab')


def json_list(csv, meta):
    meta.write_text("[1, 2]")


def json_missing_key(csv, meta):
    doc = json.loads(meta.read_text())
    del doc["end"]
    meta.write_text(json.dumps(doc))


def json_empty_date(csv, meta):
    doc = json.loads(meta.read_text())
    doc["start"] = ""
    meta.write_text(json.dumps(doc))


def json_deleted(csv, meta):
    meta.unlink()


def csv_deleted(csv, meta):
    csv.unlink()


def consistent_but_invalid(csv, meta):
    # the hash matches, the content does not pass validation (duplicate date)
    body = csv.read_bytes()
    lines = body.splitlines(keepends=True)
    body = b"".join([*lines, lines[-1]])
    csv.write_bytes(body)
    doc = json.loads(meta.read_text())
    doc["sha256"] = __import__("hashlib").sha256(body).hexdigest()
    meta.write_text(json.dumps(doc))


def new_csv_old_json(csv, meta):
    # a writer killed between its two renames: the CSV of one write, the JSON of the one before
    old = meta.read_text()
    DiskCache(csv.parent).put("ORCL", frame(20.0), META)
    meta.write_text(old)


DAMAGE = [
    truncate,
    flip_digit,
    json_garbage,
    json_list,
    json_missing_key,
    json_empty_date,
    json_deleted,
    csv_deleted,
    consistent_but_invalid,
    new_csv_old_json,
]


@pytest.mark.parametrize("damage", DAMAGE, ids=[d.__name__ for d in DAMAGE])
def test_damaged_entry_is_reported_and_not_used(tmp_path, damage):
    cache, csv, meta = stored(tmp_path)
    damage(csv, meta)
    with pytest.warns(DataWarning, match=r"ORCL: cache entry .* damaged .* downloading again"):
        assert cache.get("ORCL", START, END) is None
    with pytest.warns(DataWarning):
        assert cache.load("ORCL") is None


@pytest.mark.parametrize("damage", [truncate, json_garbage, new_csv_old_json], ids=lambda d: d.__name__)
def test_damaged_entry_is_fetched_again(tmp_path, damage):
    _, csv, meta = stored(tmp_path)
    damage(csv, meta)
    calls = []

    def download(*args, **kwargs):
        calls.append(args)
        return yf_frame()

    src = YahooSource(DiskCache(tmp_path), downloader=download, now=lambda: NOW, sleep=pytest.fail)
    with pytest.warns(DataWarning, match="damaged"):
        out = src.prices("ORCL", START, END)
    assert len(calls) == 1 and out.loc["2025-01-21", "Close"] == 172.57
    assert src.provenance()["ORCL"]["cache"] == "miss"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the repaired entry is clean
        assert DiskCache(tmp_path).get("ORCL", START, END)[0].loc["2025-01-21", "Close"] == 172.57


def test_stray_temp_files_are_ignored_then_removed(tmp_path):
    cache, csv, _ = stored(tmp_path)
    stray = tmp_path / ".ORCL.csv.k1llED.tmp"
    stray.write_bytes(csv.read_bytes()[:40])
    (tmp_path / ".ORCL.json.k1llED.tmp").write_text("{")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cache.get("ORCL", START, END) is not None
    cache.put("ORCL", frame(11.0), META)
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))
    assert cache.get("ORCL", START, END)[0]["Close"].iloc[0] == 11.0


def test_missing_cache_directory_is_a_miss(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert DiskCache(tmp_path / "absent").get("ORCL", START, END) is None
    assert not (tmp_path / "absent").exists()


# --- processes killed mid-write, and writing at once -----------------------------------------

SIZE = 1_000  # rows: small enough that writes complete, and a kill often lands inside one


def big(level: float) -> pd.DataFrame:
    return frame(level, SIZE, start="1900-01-01")


def _writer(directory: str, levels: tuple[float, ...], ready) -> None:
    cache = DiskCache(directory)
    frames = [big(level) for level in levels]
    meta = {**META, "start": "1900-01-01", "end": "2100-01-01"}
    ready.set()
    i = 0
    while True:
        cache.put("BIG", frames[i % len(frames)], meta)
        i += 1


def _check(cache: DiskCache, levels: tuple[float, ...], *, strict: bool = False) -> float | None:
    """Read the cache: None, or a frame exactly equal to one of the written ones; return its level.

    ``strict``: not even a DataWarning (no damaged entry seen).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hit = cache.get("BIG", pd.Timestamp("1900-01-01"), pd.Timestamp("2000-01-01"))
    messages = [str(w.message) for w in caught]
    assert all(issubclass(w.category, DataWarning) for w in caught), messages
    assert not (strict and caught), messages
    if hit is None:
        return None
    out = hit[0]
    level = float(out["Close"].iloc[0])
    assert level in levels
    assert len(out) == SIZE
    np.testing.assert_allclose(out["Adj Close"].to_numpy(), big(level)["Adj Close"].to_numpy(), rtol=1e-9)
    return level


@pytest.fixture
def fork():
    if not hasattr(os, "fork"):
        pytest.skip("needs fork")
    procs = []

    def start(target, *args):
        ctx = multiprocessing.get_context("fork")
        ready = ctx.Event()
        proc = ctx.Process(target=target, args=(*args, ready), daemon=True)
        proc.start()
        assert ready.wait(30), "writer did not start"
        procs.append(proc)
        return proc

    yield start
    for proc in procs:  # only the processes this test started
        if proc.is_alive():
            proc.kill()
        proc.join(5)


def test_writer_killed_mid_write(tmp_path, fork):
    levels = (1.0, 2.0)
    cache = DiskCache(tmp_path)
    seen = set()
    for delay in (0.01, 0.03, 0.05, 0.08, 0.11, 0.15, 0.2, 0.25):
        proc = fork(_writer, str(tmp_path), levels)
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(5)
        assert proc.exitcode == -signal.SIGKILL
        seen.add(_check(cache, levels))
    assert seen - {None}, "no write ever completed"
    # the next writer cleans up after the killed ones, and its frame is served
    cache.put("BIG", big(3.0), {**META, "start": "1900-01-01", "end": "2100-01-01"})
    assert not list(tmp_path.glob(".*.tmp"))
    assert _check(cache, (3.0,)) == 3.0


def test_two_writers_at_once(tmp_path, fork):
    cache = DiskCache(tmp_path)
    writers = [fork(_writer, str(tmp_path), (level,)) for level in (1.0, 2.0)]
    seen, deadline = [], time.monotonic() + 1.0
    while time.monotonic() < deadline:
        # under the shared lock a reader never sees one write's CSV with the other's JSON
        seen.append(_check(cache, (1.0, 2.0), strict=True))
    for proc in writers:
        os.kill(proc.pid, signal.SIGTERM)
        proc.join(5)
    assert {1.0, 2.0} & set(seen)
    assert _check(cache, (1.0, 2.0)) in (1.0, 2.0, None)


# --- YahooSource: retries, backoff, fallback -------------------------------------------------


class Script:
    """A fake ``yfinance.download`` playing a list of outcomes (exceptions are raised)."""

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.calls = 0

    def __call__(self, *args, **kwargs):
        outcome = self.outcomes[min(self.calls, len(self.outcomes) - 1)]
        self.calls += 1
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


class RateLimitError(Exception):
    pass


FAILURES = {
    "dns": ConnectionError("Failed to resolve 'query2.finance.yahoo.com' ([Errno -3] Temporary failure)"),
    "timeout": TimeoutError("The read operation timed out"),
    "http-429": RateLimitError("HTTP Error 429: Too Many Requests"),
    "empty": pd.DataFrame(),
}


def source(script, cache=None, **kw):
    sleeps: list[float] = []
    src = YahooSource(cache, downloader=script, now=lambda: NOW, sleep=sleeps.append, **kw)
    return src, sleeps


TRANSIENT = [f for f in FAILURES if f != "dns"]  # an unresolved host is not retried (below)


@pytest.mark.parametrize("failure", TRANSIENT, ids=TRANSIENT)
def test_transient_failure_is_retried(failure):
    script = Script(FAILURES[failure], FAILURES[failure], yf_frame())
    src, sleeps = source(script)
    out = src.prices("ORCL", START, END)
    assert script.calls == 3 and out.loc["2025-01-21", "Close"] == 172.57
    factor = 4.0 if failure == "http-429" else 1.0
    assert sleeps == [1.0 * factor, 2.0 * factor]
    assert src.provenance()["ORCL"]["attempts"] == 3


@pytest.mark.parametrize(
    ("failure", "cause"),
    [
        (ConnectionError("Failed to resolve 'query2.finance.yahoo.com'"), "name resolution failed"),
        (ConnectionRefusedError(111, "Connection refused"), "connection refused"),
        (OSError("curl: (6) Could not resolve host: query2.finance.yahoo.com"), "name resolution failed"),
    ],
)
def test_unreachable_yahoo_fails_at_once_for_every_symbol(failure, cause):
    script = Script(failure)
    src, sleeps = source(script)
    message = f"cannot reach Yahoo Finance ({cause}) to download ORCL: use --prices DIR, or try again later"
    with pytest.raises(DataError, match=re.escape(message)):
        src.prices("ORCL", START, END)
    assert script.calls == 1 and sleeps == []
    with pytest.raises(DataError, match="cannot reach Yahoo Finance"):
        src.prices("NVDA", START, END)  # no second attempt at an unreachable host
    assert script.calls == 1


@pytest.mark.parametrize("failure", ["timeout", "http-429"])
def test_persistent_failure_names_symbol_and_last_error(failure):
    script = Script(FAILURES[failure])
    src, sleeps = source(script, retries=2, backoff=0.5)
    with pytest.raises(DataError) as info:
        src.prices("ORCL", START, END)
    message = str(info.value)
    assert message.startswith("ORCL: ") and "3 attempt(s)" in message
    assert str(FAILURES[failure]) in message and type(FAILURES[failure]).__name__ in message
    assert script.calls == 3 and len(sleeps) == 2
    assert sleeps[1] == 2 * sleeps[0] >= 1.0


def test_unknown_symbol_gives_up_after_the_retries():
    script = Script(pd.DataFrame())
    src, sleeps = source(script, retries=3)
    with pytest.raises(UnknownSymbolError, match=r"no prices for 'NOPE'.*4 attempts"):
        src.prices("NOPE", START, END)
    assert script.calls == 4 and sleeps == [1.0, 2.0, 4.0]


def test_no_retries_tries_once():
    script = Script(TimeoutError("slow"))
    src, sleeps = source(script, retries=0)
    with pytest.raises(DataError, match="1 attempt"):
        src.prices("ORCL", START, END)
    assert script.calls == 1 and sleeps == []


def test_malformed_frame_is_not_retried():
    script = Script(yf_frame("NVDA"))  # another ticker's columns: trying again would not help
    src, sleeps = source(script)
    with pytest.raises(DataError, match="'ORCL'"):
        src.prices("ORCL", START, END)
    assert script.calls == 1 and sleeps == []


def cached_orcl(tmp_path, retrieved="2025-02-01T00:00:00+00:00"):
    """A cache holding ORCL from 2025-01-16 to 2025-01-22, recorded as covering up to 2025-01-20 only."""
    src, _ = source(Script(yf_frame()), DiskCache(tmp_path))
    src.prices("ORCL", START, END)
    meta_path = tmp_path / "ORCL.json"
    doc = json.loads(meta_path.read_text())
    doc.update(end="2025-01-20", retrieved_at=retrieved)  # so a request up to END misses the cache
    meta_path.write_text(json.dumps(doc))
    return DiskCache(tmp_path)


@pytest.mark.parametrize("failure", FAILURES, ids=list(FAILURES))
def test_failure_falls_back_to_a_covering_cache(tmp_path, failure):
    cache = cached_orcl(tmp_path)
    script = Script(FAILURES[failure])
    src, sleeps = source(script, cache)
    with pytest.warns(DataWarning, match=r"ORCL: the download failed: .*using the cached prices retrieved 2025-02-01"):
        out = src.prices("ORCL", START, END)
    retried = failure != "dns"  # an unresolved host is not tried again
    assert script.calls == (4 if retried else 1) and len(sleeps) == (3 if retried else 0)
    assert list(out.index.strftime("%Y-%m-%d")) == ["2025-01-16", "2025-01-17", "2025-01-21", "2025-01-22"]
    prov = src.provenance()["ORCL"]
    assert prov["cache"] == "fallback" and "download failed" in prov["fallback_reason"]


def test_failure_with_a_cache_not_covering_the_request(tmp_path):
    cache = cached_orcl(tmp_path)
    src, _ = source(Script(ConnectionError("offline")), cache)
    with pytest.raises(DataError, match=r"ORCL: .*ConnectionError: offline"):
        src.prices("ORCL", pd.Timestamp("2024-06-01"), END)  # cached rows start seven months later


def test_partial_frame_is_returned_with_a_warning_and_cached_as_partial(tmp_path):
    # rows up to 2025-01-22 only, for a request running to the end of February
    script = Script(yf_frame())
    src, sleeps = source(script, DiskCache(tmp_path))
    end = pd.Timestamp("2025-02-27")
    with pytest.warns(DataWarning, match=r"ORCL: Yahoo Finance has prices from 2025-01-16 to 2025-01-22 only"):
        out = src.prices("ORCL", START, end)
    assert len(out) == 4 and script.calls == 1 and sleeps == []  # not retried
    meta = json.loads((tmp_path / "ORCL.json").read_text())
    assert (meta["start"], meta["end"]) == ("2025-01-16", "2025-01-22")  # what it really covers
    src2, _ = source(Script(yf_frame()), DiskCache(tmp_path))
    with pytest.warns(DataWarning):
        src2.prices("ORCL", START, end)
    assert src2.provenance()["ORCL"]["cache"] == "miss"  # the partial entry is not served as covering


def test_partial_frame_prefers_a_covering_cache(tmp_path):
    cache = cached_orcl(tmp_path)
    script = Script(yf_frame(dates=["2025-01-06", "2025-01-08"]))  # stops two weeks short
    src, _ = source(script, cache)
    with pytest.warns(DataWarning, match=r"ORCL: the download has rows from 2025-01-06 to 2025-01-08 only; using the"):
        out = src.prices("ORCL", START, END)
    assert len(out) == 4 and src.provenance()["ORCL"]["cache"] == "fallback"


def test_range_reaching_today_is_downloaded_again(tmp_path):
    # retrieved on 2025-01-22, the day the range ends: that session may not be final yet
    script = Script(yf_frame())
    src = YahooSource(DiskCache(tmp_path), downloader=script, now=lambda: dt.datetime(2025, 1, 22, 15, tzinfo=dt.UTC))
    src.prices("ORCL", START, END)
    assert json.loads((tmp_path / "ORCL.json").read_text())["end"] == "2025-01-21"
    src2, _ = source(script, DiskCache(tmp_path))
    src2.prices("ORCL", START, END)
    assert script.calls == 2
    src3, _ = source(script, DiskCache(tmp_path))
    src3.prices("ORCL", START, END)
    assert script.calls == 2 and src3.provenance()["ORCL"]["cache"] == "hit"


def test_negative_settings_are_refused():
    with pytest.raises(ValueError, match="retries"):
        YahooSource(retries=-1)
