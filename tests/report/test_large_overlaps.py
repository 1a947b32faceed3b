"""A large study's report is bounded: overlap rows capped, events named up to a limit, counts by security right.

The expected rows and counts are worked out here with pandas from the day0 and overlaps tables the
run writes (Parquet), not by the report code.
"""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
from test_report_model import _md_rows

from eventstudy.report import story, tables

TICKERS = ("T0", "T1", "T2", "T3")
COPIES = {"T0": 5, "T1": 1, "T2": 3, "T3": 1}  # events of one security per (ticker, date): T0's five share a day 0


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """Events of one security on dates 3 sessions apart (windows overlap), several events per day 0; the report."""
    from synthetic import make_market

    from eventstudy.cli import main

    folder = tmp_path_factory.mktemp("overlaps")
    market = make_market(folder / "csv")
    for t in TICKERS:
        shutil.copy(folder / "csv" / "STOCK.csv", folder / "csv" / f"{t}.csv")
    lines = ["event,ticker,timestamp,benchmark,exchange"]
    for k, day in enumerate(market.sessions[-200::3][:6]):
        for t in TICKERS:
            lines += [f"{t}-{k}-{c},{t},{day.date()},MKT,XNYS" for c in range(COPIES[t])]
    (folder / "events.csv").write_text("\n".join(lines) + "\n")
    mp = pytest.MonkeyPatch()
    mp.setattr(tables, "LARGE_STUDY_PAIRS", 1)
    mp.setattr(tables, "MAX_LISTED_ROWS", 3)
    mp.setattr(story, "MAX_NAMED", 2)
    try:
        argv = ["run", str(folder / "events.csv"), "--prices", str(folder / "csv"), "--out", str(folder / "out"),
                "--figures", "none", "--format", "md,html", "--placebo-trials", "0", "--parquet-from", "0",
                "-q"]  # fmt: skip
        assert main(argv) == 0
    finally:
        mp.undo()
    return folder / "out"


def _groups(day0: pd.DataFrame) -> pd.Series:
    """Event → the first event (in file order) with the same (ticker, day 0) set: the report's one section."""
    key = day0.assign(k=day0["ticker"] + "@" + day0["session"].astype(str)).groupby("event", sort=False)["k"]
    key = key.apply(lambda s: "|".join(sorted(s)))
    return key.map(key.reset_index().drop_duplicates("k").set_index("k")["event"])


def test_overlap_rows_are_capped_with_the_count_of_the_rest(study):
    day0, ov = pd.read_parquet(study / "day0.parquet"), pd.read_parquet(study / "overlaps.parquet")
    first = _groups(day0)
    ends = ov.assign(event=ov["event"].map(first), nearest_event=ov["nearest_event"].map(first))
    ends = ends[ends["event"] != ends["nearest_event"]].drop_duplicates(["ticker", "event", "nearest_event"])
    assert len(ends) > 3
    md = (study / "report.md").read_text()
    rows = _md_rows(md, "Events whose windows share sessions")
    assert len(rows) == 3
    assert f"… and {len(ends) - 3:,} more rows: a large study lists the first 3" in md
    size = first.value_counts()
    for row, (_, want) in zip(rows, ends.head(3).iterrows(), strict=True):
        assert row[0] == want["ticker"]
        for cell, ev in ((row[1], want["event"]), (row[2], want["nearest_event"])):
            members = list(first.index[first == ev])  # the group, in file order
            more = f" and {size[ev] - 2:,} more" if size[ev] > 2 else ""
            assert cell == ", ".join(members[:2]) + more


def test_overlaps_by_security_are_counted(study):
    day0, ov = pd.read_parquet(study / "day0.parquet"), pd.read_parquet(study / "overlaps.parquet")
    counts = ov.groupby("ticker")["overlapping"].agg(["size", "max"])
    pairs = day0["ticker"].value_counts()
    md = (study / "report.md").read_text()
    assert f"{len(ov):,} of {len(day0):,} (event, security) pairs have a window that shares sessions" in md
    assert f"(the first 3 of {len(counts)})" in md
    rows = _md_rows(md, f"{len(ov):,} of {len(day0):,}")
    assert len(rows) == 3
    assert [int(r[2]) for r in rows] == sorted(counts["size"], reverse=True)[:3]
    for t, n_pairs, n_over, most in rows:
        assert (int(n_pairs), int(n_over), int(most)) == (pairs[t], counts.loc[t, "size"], counts.loc[t, "max"])
    html = (study / "report.html").read_text()
    assert f"{len(ov):,} of {len(day0):,} (event, security) pairs" in html.split('id="warnings"', 1)[1]


def test_a_merged_section_names_a_bounded_number_of_events(study):
    md = (study / "report.md").read_text()
    html = (study / "report.html").read_text()
    # T0's five events on each day 0 are one section: two named, "and 2 more events"
    assert "Also T0-0-1, T0-0-2 and 2 more events (listed in the day0 table)" in md
    section = md.split("## Event `T0-0-0`", 1)[1].split("\n## ", 1)[0]
    assert not re.search(r"T0-0-[34]", section)  # neither the lines nor the day-0 table list the rest
    day0 = _md_rows(section, "**One day 0")
    assert [r[0] for r in day0] == ["T0-0-0", "T0-0-1", "T0-0-2"]
    assert 'id="event-T0-0-3"' not in html and 'id="event-T0-0-1"' in html
    for cell in re.findall(r"<td[^>]*>([^<]*)</td>", html):  # no cell names more than two events of a group
        assert len(re.findall(r"T\d-\d-\d", cell)) <= 2 * 2, cell


def test_lists_per_security_are_capped(study):
    html = (study / "report.html").read_text()
    rates = html.split("Share of estimation-window days with |z| ≥ 3", 1)[1].split("</p>", 1)[0]
    assert len(re.findall(r"T\d \d+\.\d %", rates)) == 3
    assert rates.endswith(" and 1 more securities (fits table: share_abs_z_ge_3).")


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    """One event of five securities, in a report that shows three securities and names two per cell."""
    from synthetic import make_market

    from eventstudy.cli import main

    folder = tmp_path_factory.mktemp("wide")
    market = make_market(folder / "csv")
    names = [f"W{i}" for i in range(5)]
    for t in names:
        shutil.copy(folder / "csv" / "STOCK.csv", folder / "csv" / f"{t}.csv")
    day = market.sessions[-100].date()
    lines = ["event,ticker,timestamp,benchmark,exchange", *(f"wide,{t},{day},MKT,XNYS" for t in names)]
    (folder / "events.csv").write_text("\n".join(lines) + "\n")
    mp = pytest.MonkeyPatch()
    mp.setattr(tables, "LARGE_STUDY_PAIRS", 1)
    mp.setattr(tables, "MAX_LISTED_ROWS", 3)
    mp.setattr(story, "MAX_NAMED", 2)
    try:
        argv = ["run", str(folder / "events.csv"), "--prices", str(folder / "csv"), "--out", str(folder / "out"),
                "--figures", "none", "--format", "md", "--placebo-trials", "0", "--parquet-from", "0",
                "-q"]  # fmt: skip
        assert main(argv) == 0
    finally:
        mp.undo()
    return folder / "out"


def test_an_event_of_many_securities_shows_a_bounded_number(wide):
    md = (wide / "report.md").read_text()
    assert re.findall(r"^### (W\d) \(benchmark MKT\)$", md, re.M) == ["W0", "W1", "W2"]
    assert "… and 2 more securities of this event: a large study lists the first 3" in md
    tests = pd.read_parquet(wide / "tests.parquet")
    car_t = tests[(tests["test"] == "CAR t") & (tests["start"] == -1) & (tests["end"] == 1)]
    assert len(car_t) == 5
    cell = next(line for line in md.splitlines() if line.startswith("| [-1, 1] | CAR t (each security)"))
    ps = cell.split(" | ")[3]
    p0 = float(car_t.loc[car_t["ticker"] == "W0", "p"].iloc[0])
    assert ps.startswith(f"W0 {p0:.4f}; W1 ") and "W2" not in ps
    assert ps.endswith("; and 3 more securities (tests table)")
