"""Study files: the seed loads as written; malformed files fail naming file, key and value."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from eventstudy.errors import StudyFileError
from eventstudy.spec import load_study, parse_study

SEED = Path(__file__).resolve().parents[2] / "seeds" / "stargate.toml"

BASE = """\
[study]
id = "t"
estimation_window = [-250, -11]
event_windows = [[0, 0], [-1, 1]]
ar_window = [-10, 10]

[[securities]]
ticker = "ORCL"
exchange = "XNYS"
benchmark = "^GSPC"

[[securities]]
ticker = "9984.T"
exchange = "XTKS"
benchmark = "^N225"

[[events]]
id = "ev"
timestamp = 2025-01-21T16:00:00-05:00

[[claims]]
id = "c"
ticker = "ORCL"
event = "ev"
reported_percent = 7.0
"""


def edit(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "study.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> StudyFileError:
    with pytest.raises(StudyFileError) as info:
        load_study(path)
    return info.value


@pytest.fixture(scope="module")
def seed():
    return load_study(SEED)


def test_seed_securities(seed):
    got = [(s.ticker, s.exchange, s.benchmark) for s in seed.securities]
    assert got == [
        ("ORCL", "XNYS", "^GSPC"),
        ("NVDA", "XNAS", "^GSPC"),
        ("ARM", "XNAS", "^GSPC"),
        ("9984.T", "XTKS", "^N225"),
    ]


def test_seed_events_are_utc_and_approximate(seed):
    assert [e.id for e in seed.events] == ["first-reports", "white-house", "musk-doubt", "stalling-report"]
    assert [e.timestamp for e in seed.events] == [
        pd.Timestamp("2025-01-21 17:00", tz="UTC"),
        pd.Timestamp("2025-01-21 21:00", tz="UTC"),
        pd.Timestamp("2025-01-22 01:00", tz="UTC"),
        pd.Timestamp("2025-07-22 00:00", tz="UTC"),
    ]
    assert all(str(e.timestamp.tz) == "UTC" for e in seed.events)
    assert all(e.approximate and not e.date_only for e in seed.events[:3])
    assert seed.events[3].date_only and not seed.events[3].approximate
    dates = dict(seed.event("white-house").reported_dates)
    assert str(dates["001_583f144498a7a794.txt"]) == "2025-01-21"
    assert str(dates["004_4f7adb95c1daf6a0.txt"]) == "2025-01-22"
    assert seed.security("9984.T").ohlc == "9984.T_JQuants_OHLCV"


def test_seed_claims_are_decimals(seed):
    reported = [c.reported for c in seed.claims]
    assert reported == pytest.approx([0.07, 0.023, 0.041, 0.10, 0.06])
    assert seed.claims[3].session == pd.Timestamp("2025-01-22").date()
    assert seed.claims[4].timing == "midday"


def test_seed_records_path_and_hash(seed):
    import hashlib

    assert seed.path == str(SEED)
    assert seed.sha256 == hashlib.sha256(SEED.read_bytes()).hexdigest()


def test_base_fixture_is_valid(tmp_path):
    spec = load_study(write(tmp_path, BASE))
    assert spec.security("9984.T").exchange == "XTKS"
    assert spec.claims[0].reported == pytest.approx(0.07)


def test_date_only_event(tmp_path):
    spec = load_study(write(tmp_path, edit("2025-01-21T16:00:00-05:00", "2025-01-21")))
    ev = spec.event("ev")
    assert ev.date_only is True
    assert ev.timestamp == pd.Timestamp("2025-01-21", tz="UTC")


def test_string_timestamp_with_offset_is_converted_to_utc(tmp_path):
    spec = load_study(write(tmp_path, edit("2025-01-21T16:00:00-05:00", '"2025-01-22T06:00:00+09:00"')))
    assert spec.event("ev").timestamp == pd.Timestamp("2025-01-21 21:00", tz="UTC")
    assert spec.event("ev").date_only is False


MALFORMED = {
    "unknown exchange": (
        ('exchange = "XTKS"', 'exchange = "XXXX"'),
        "securities[1].exchange",
        "'XXXX'",
    ),
    "bad id characters": (('id = "t"', 'id = "../x"'), "study.id", "'../x'"),
    "timestamp without time zone": (
        ("2025-01-21T16:00:00-05:00", "2025-01-21T16:00:00"),
        "events[0].timestamp",
        "2025-01-21T16:00:00",
    ),
    "unparseable timestamp string": (
        ("2025-01-21T16:00:00-05:00", '"Tuesday afternoon"'),
        "events[0].timestamp",
        "'Tuesday afternoon'",
    ),
    "time without date": (
        ("2025-01-21T16:00:00-05:00", "16:00:00"),
        "events[0].timestamp",
        "16:00",
    ),
    "reported_percent as string": (
        ("reported_percent = 7.0", 'reported_percent = "7 %"'),
        "claims[0].reported_percent",
        "'7 %'",
    ),
    "reported_percent out of range": (
        ("reported_percent = 7.0", "reported_percent = -150.0"),
        "claims[0].reported_percent",
        "-150.0",
    ),
    "claim names unknown ticker": (
        ('ticker = "ORCL"\nevent', 'ticker = "NVDA"\nevent'),
        "claims[0].ticker",
        "'NVDA'",
    ),
    "claim names unknown event": (('event = "ev"', 'event = "nope"'), "claims[0].event", "'nope'"),
    "duplicate security ticker": (('ticker = "9984.T"', 'ticker = "ORCL"'), "securities[1].ticker", "'ORCL'"),
    "window start after end": (
        ("event_windows = [[0, 0], [-1, 1]]", "event_windows = [[0, 0], [1, -1]]"),
        "study.event_windows",
        "[1, -1]",
    ),
    "estimation window overlaps AR window": (
        ("estimation_window = [-250, -11]", "estimation_window = [-250, -5]"),
        "study.estimation_window",
        "-250, -5",
    ),
    "event window outside ar_window": (
        ("event_windows = [[0, 0], [-1, 1]]", "event_windows = [[0, 0], [-20, 20]]"),
        "study.event_windows",
        "-20, 20",
    ),
    "missing study.id": (('id = "t"\n', ""), "study.id", "missing"),
    "missing benchmark": (('benchmark = "^N225"\n', ""), "securities[1].benchmark", "missing"),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_malformed_study_names_file_key_and_value(tmp_path, case):
    (old, new), key, value = MALFORMED[case]
    path = write(tmp_path, edit(old, new))
    err = load_error(path)
    message = str(err)
    assert err.key == key
    assert message.startswith(f"{path}: {key}: ")
    assert value in message


def test_invalid_toml(tmp_path):
    path = write(tmp_path, BASE.replace("[study]", "[study"))
    err = load_error(path)
    assert err.key == "(file)"
    assert str(path) in str(err)
    assert "not valid TOML" in str(err)
    assert "line 1" in str(err)


def test_missing_study_table(tmp_path):
    path = write(tmp_path, edit('[study]\nid = "t"\n', ""))
    err = load_error(path)
    assert err.key == "study"
    assert str(err).startswith(f"{path}: study: missing")


def test_non_utf8_bytes(tmp_path):
    path = write(tmp_path, BASE.encode("utf-8").replace(b'id = "t"', b'id = "t\xff"'))
    err = load_error(path)
    assert err.key == "(file)"
    assert str(path) in str(err)
    assert "UTF-8" in str(err)
    assert "0xff" in str(err)


def test_file_not_found(tmp_path):
    path = tmp_path / "absent.toml"
    err = load_error(path)
    assert str(err) == f"{path}: (file): no such file"


def test_parse_study_without_file_names_placeholder():
    with pytest.raises(StudyFileError, match=r"^<study>: study: missing"):
        parse_study({})


@pytest.mark.parametrize(
    ("since", "ok"),
    [
        ("2024-12-31", True),
        ("high:2024-07", True),
        ("low:2024-04", True),
        ("high:record", True),
        ("low:record", True),
        ("record", False),
        ("high:records", False),
        ("2025-07", False),  # a month without high/low
        ("high:2025-07-10", False),  # high/low take a month
        ("2025-02-30", False),
        ("2025-01-22", False),  # not before the session
        ("yesterday", False),
    ],
)
def test_claim_since_is_a_reference_close(tmp_path, since, ok):
    path = write(
        tmp_path, edit("reported_percent = 7.0", f'reported_percent = 7.0\nsession = 2025-01-22\nsince = "{since}"')
    )
    if ok:
        assert load_study(path).claims[0].since == since
    else:
        with pytest.raises(StudyFileError, match=r"claims\[0\]\.since"):
            load_study(path)
