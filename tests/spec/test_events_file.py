"""Events CSV: many (event, security) rows, same numbers as the TOML path."""

from __future__ import annotations

import csv

import pytest

from eventstudy import CsvDirectorySource, EventStudy, load_study
from eventstudy.cli import main
from eventstudy.errors import StudyFileError
from eventstudy.spec.events_csv import load_events_csv

ROWS = [
    ("stargate", "ORCL", "2025-01-21T16:00:00-05:00", "^GSPC", ""),
    ("stargate", "9984.T", "2025-01-21T16:00:00-05:00", "^N225", ""),
    ("stargate", "NVDA", "2025-01-21T16:00:00-05:00", "^GSPC", "XNAS"),
    ("q3", "MSFT", "2024-10-30T16:05:00-04:00", "^GSPC", "XNAS"),
    ("amd-q3", "AMD", "2024-10-29", "^GSPC", "XNAS"),
]


def _write(path, rows, header=("event", "ticker", "timestamp", "benchmark", "exchange")):
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_pairs_are_exactly_the_rows(tmp_path):
    spec = load_events_csv(_write(tmp_path / "ev.csv", ROWS[:4]))
    assert spec.pairs == (("stargate", "ORCL"), ("stargate", "9984.T"), ("stargate", "NVDA"), ("q3", "MSFT"))
    assert spec.security("ORCL").exchange == "XNYS" and spec.security("9984.T").exchange == "XTKS"


def test_same_numbers_as_the_toml_study(tmp_path, prices_dir, study_path):
    src = CsvDirectorySource(prices_dir)
    res = EventStudy(load_events_csv(_write(tmp_path / "ev.csv", ROWS)), src).run()
    assert len(res.fits) == len(ROWS)
    ref = EventStudy(load_study(study_path), src).run()
    a = res.car[(res.car["event"] == "stargate") & (res.car["ticker"] == "ORCL")].reset_index(drop=True)
    b = ref.car[(ref.car["event"] == "white-house") & (ref.car["ticker"] == "ORCL")].reset_index(drop=True)
    for col in ("car", "se", "t", "p"):
        assert a[col].to_numpy() == pytest.approx(b[col].to_numpy(), abs=1e-12)


def test_cli_runs_an_events_file(tmp_path, prices_dir):
    out = tmp_path / "out"
    assert (
        main(["run", str(_write(tmp_path / "ev.csv", ROWS)), "--prices", str(prices_dir), "--out", str(out), "-q"]) == 0
    )
    with (out / "car.csv").open() as fh:
        assert len(list(csv.reader(fh))) == 1 + len(ROWS) * 4


@pytest.mark.parametrize(
    ("rows", "header", "match"),
    [
        ([], ("event", "ticker", "timestamp", "benchmark"), "has no rows"),
        ([("e", "ORCL", "2025-01-21", "^GSPC")], ("event", "ticker", "date", "benchmark"), "missing column"),
        ([("e", "ORCL", "2025-01-21", "^GSPC"), ("e", "NVDA", "2025-01-22", "^GSPC")], None, "another timestamp"),
        ([("e", "ORCL", "2025-01-21", "^GSPC"), ("e", "ORCL", "2025-01-21", "^GSPC")], None, "duplicate pair"),
        ([("e", "ORCL", "2025-01-21 16:00", "^GSPC")], None, "no time zone"),
    ],
)
def test_bad_events_files(tmp_path, rows, header, match):
    path = _write(tmp_path / "bad.csv", rows, header or ("event", "ticker", "timestamp", "benchmark"))
    with pytest.raises(StudyFileError, match=match) as exc:
        load_events_csv(path)
    assert "bad.csv" in str(exc.value)


def test_large_studies_detail_a_readable_subset(tmp_path, prices_dir):
    from eventstudy.report.pages import render_markdown
    from eventstudy.report.tables import MAX_DETAILED_EVENTS, detailed_events

    days = [f"2024-{m:02d}-{d:02d}" for m in range(3, 10) for d in (4, 18)]  # 14 dates, Mondays or not
    rows = [(f"e{i:02d}", "ORCL", d, "^GSPC", "") for i, d in enumerate(days)]
    res = EventStudy(load_events_csv(_write(tmp_path / "many.csv", rows)), CsvDirectorySource(prices_dir)).run()
    shown = detailed_events(res)
    assert shown == [f"e{i:02d}" for i in range(MAX_DETAILED_EVENTS)]
    text = render_markdown(res)
    assert f"{len(days) - MAX_DETAILED_EVENTS} more event(s) are not detailed here" in text
    assert "## Event `e13`" not in text and "## Event `e00`" in text
    assert len(res.car) == len(days) * 4  # every number is still computed
