"""Many events from a CSV file: one row per (event, security) pair.

Columns ``event,ticker,timestamp,benchmark`` and optionally ``exchange``
(default from the symbol's Yahoo suffix: ``.T`` is XTKS, ``.PA`` XPAR, …; none: XNYS; an
unknown suffix needs the column). The study id comes from the file name (accents dropped).
``timestamp`` is ISO 8601 with an offset (``2025-01-21T16:00:00-05:00``)
or a date (``2025-01-21``, a date-only event). Rows sharing an event id
must share the timestamp. The result is a :class:`StudySpec` whose
``pairs`` lists exactly the rows, with default windows and the market model.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from eventstudy.errors import EventStudyError, StudyFileError
from eventstudy.spec import parse_study
from eventstudy.spec.fields import exchange_names
from eventstudy.spec.study_file import read_text

REQUIRED = ("event", "ticker", "timestamp", "benchmark")
MAX_PAIRS = 100_000  # rows; 100,000 pairs peak at 1.1-1.5 GB (benchmarks/bench_memory.py): at most ~15 KB a pair
PAIR_KB = 15


# Yahoo's listing suffix → the exchange_calendars code of that market
SUFFIX_EXCHANGES = {
    "T": "XTKS", "PA": "XPAR", "DE": "XETR", "F": "XFRA", "L": "XLON", "AS": "XAMS", "MI": "XMIL", "MC": "XMAD",
    "SW": "XSWX", "BR": "XBRU", "LS": "XLIS", "VI": "XWBO", "IR": "XDUB", "ST": "XSTO", "CO": "XCSE",
    "HE": "XHEL", "OL": "XOSL", "HK": "XHKG", "SS": "XSHG", "SZ": "XSHG", "KS": "XKRX", "TW": "XTAI",
    "SI": "XSES", "AX": "XASX", "NZ": "XNZE", "TO": "XTSE", "BO": "XBOM", "NS": "XBOM", "JO": "XJSE",
    "MX": "XMEX", "IS": "XIST", "WA": "XWAR",
}  # fmt: skip


def default_exchange(ticker: str) -> str | None:
    """The exchange of a Yahoo symbol: its suffix's (``.T`` → XTKS, ``.PA`` → XPAR), XNYS without one.

    US share classes (``BRK.B``: one letter after the dot) are XNYS; None for a suffix not in
    ``SUFFIX_EXCHANGES`` (the events file must then give the ``exchange`` column).
    """
    stem, dot, suffix = ticker.rpartition(".")
    if not dot or not stem or ticker.startswith("^"):
        return "XNYS"
    suffix = suffix.upper()
    if suffix in SUFFIX_EXCHANGES:
        return SUFFIX_EXCHANGES[suffix]
    return "XNYS" if len(suffix) == 1 and suffix.isalpha() else None


def _study_id(stem: str) -> str:
    """A study id from a file name: accents dropped, other characters '-', starting with a letter or digit."""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_.-]", "-", ascii_stem).lstrip("._-")[:64] or "events"


def max_pairs() -> int:
    """The most rows an events CSV may have: ``$EVENTSTUDY_MAX_PAIRS``, default ``MAX_PAIRS``."""
    text = os.environ.get("EVENTSTUDY_MAX_PAIRS", "").strip()
    if not text:
        return MAX_PAIRS
    if not text.isdigit() or int(text) < 1:
        raise EventStudyError(f"EVENTSTUDY_MAX_PAIRS={text!r} is not a whole number of pairs such as 50000")
    return int(text)


def _records(path: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """The header, then (line number, fields) of every non-blank row; each must have exactly the header's fields.

    Read as they are used, never kept: a list of a million rows' fields was several hundred MB, and the
    strings each row left in the spec kept the memory of the others (issue 24).
    """
    limit = max_pairs()
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
        yield 1, header
        start = reader.line_num + 1  # a row's first line: a quoted newline spreads it over more than one
        count = 0
        for row in reader:
            first, start = start, reader.line_num + 1
            if len(row) != len(header):
                if not any(cell.strip() for cell in row):
                    continue
                shown = ",".join(header) if len(header) <= 12 else ",".join(header[:12]) + ",…"  # one short line
                raise StudyFileError(
                    path, f"row {first}", f"has {len(row)} fields, the header has {len(header)} "
                    f"({shown}); remove the extra or add the missing commas"
                )  # fmt: skip
            if not any(cell.strip() for cell in row):
                continue
            if count == limit:
                raise StudyFileError(
                    path, "(file)", f"has more than {limit:,} rows (event, security pairs), the limit; split it or "
                    f"set EVENTSTUDY_MAX_PAIRS (about {PAIR_KB} KB of memory per pair)"
                )  # fmt: skip
            count += 1
            yield first, row
    except csv.Error as exc:
        raise StudyFileError(
            path, f"row {reader.line_num}", f"is not a readable CSV row ({exc}); check its quotes"
        ) from None


def _rows(path: Path, text: str) -> tuple[list[str], int]:
    """The header and the number of rows, every row checked (:func:`_records`) before any is used."""
    records = _records(path, text)
    header = next(records)[1]
    return header, sum(1 for _ in records)


def load_events_csv(path: str | Path):
    """Read an events CSV into a study (see module doc); errors name file, row and column."""
    path = Path(path)
    raw, text = read_text(path, "events")
    header, count = _rows(path, text)
    if len(header) == 1 and ";" in header[0]:  # a spreadsheet's CSV in a comma-decimal locale
        raise StudyFileError(path, "(header)", "is separated by semicolons; save the file with commas "
                             f"between the columns {','.join(REQUIRED)}[,exchange]")  # fmt: skip
    if not count:
        raise StudyFileError(path, "(file)", f"has no rows; expected columns {','.join(REQUIRED)}[,exchange]")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise StudyFileError(path, "(header)", f"missing column(s) {missing}; expected {','.join(REQUIRED)}[,exchange]")
    col = {name: k for k, name in enumerate(header)}  # a repeated column: its last, as dict(zip()) gave
    c_event, c_ticker, c_ts, c_bench = (col[c] for c in REQUIRED)
    c_exchange = col.get("exchange")
    securities: dict[str, dict[str, str]] = {}
    events: dict[str, dict[str, str]] = {}
    pairs: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for i, row in itertools.islice(_records(path, text), 1, None):  # read again, checked
        ticker, event, ts = row[c_ticker].strip(), row[c_event].strip(), row[c_ts].strip()
        exchange = (row[c_exchange].strip() if c_exchange is not None else "") or default_exchange(ticker) or ""
        if exchange not in exchange_names():
            where = f"row {i}.exchange" if exchange else f"row {i}.ticker"
            why = (
                f"is not an exchange_calendars code such as XNYS, XNAS, XTKS (got {exchange!r})" if exchange
                else f"{ticker!r} has a listing suffix of no known market: give its exchange in an exchange column"
            )  # fmt: skip
            raise StudyFileError(path, where, why)
        sec = securities.get(ticker)
        if sec is None:
            sec = securities[ticker] = {"ticker": ticker, "exchange": exchange, "benchmark": row[c_bench].strip()}
        elif sec["exchange"] != exchange or sec["benchmark"] != row[c_bench].strip():
            raise StudyFileError(path, f"row {i}", f"{ticker} has another exchange or benchmark than on an earlier row")
        known = events.setdefault(event, {"id": event, "timestamp": ts})
        if known["timestamp"] != ts:
            first = known["timestamp"]
            why = f"event {event!r} has another timestamp on an earlier row ({first}, got {ts!r}); or give it a new id"
            raise StudyFileError(path, f"row {i}.timestamp", why)
        pair = (known["id"], sec["ticker"])  # the first row's strings: this row's are freed
        if pair in seen:
            raise StudyFileError(path, f"row {i}", f"duplicate pair ({event!r}, {ticker!r})")
        seen.add(pair)
        pairs.append(pair)
    study_id = _study_id(path.stem)
    doc = {"study": {"id": study_id, "title": f"Events from {path.name}"},
           "securities": list(securities.values()), "events": list(events.values())}  # fmt: skip
    try:
        spec = parse_study(doc, path=path, sha256=hashlib.sha256(raw).hexdigest())
    except StudyFileError as exc:
        rows = list(itertools.islice(_records(path, text), 1, None))  # read again, to name the row
        raise _on_its_row(exc, path, rows, header, list(events), list(securities)) from None
    from dataclasses import replace

    return replace(spec, pairs=tuple(pairs))


def _on_its_row(
    exc: StudyFileError,
    path: Path,
    rows: list[tuple[int, list[str]]],
    header: list[str],
    events: list[str],
    tickers: list[str],
) -> StudyFileError:
    """``events[k].id`` of the generated study as the user wrote it: the first row and column holding it."""
    found = re.match(r"(events|securities)\[(\d+)\]\.(\w+)", exc.key)
    if not found:
        return exc
    kind, k, field = found.group(1), int(found.group(2)), found.group(3)
    column = {"id": "event"}.get(field, field) if kind == "events" else field
    value, name = (events[k], "event") if kind == "events" else (tickers[k], "ticker")
    c_name = header.index(name)
    line = next((i for i, row in rows if row[c_name].strip() == value), rows[0][0])
    why = str(exc).split(f"{exc.key}: ", 1)[-1]
    return StudyFileError(path, f"row {line}.{column}", why)
