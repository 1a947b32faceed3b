"""The study's placebo run inside ``run``: results.json, the report's headline, the CLI options.

The Stargate checks read the placebo section of results.json and recompute what
they need themselves (Wilson intervals with scipy, rejection rates from the raw
p-values), then check that the report gives no headline p-value from a test the
placebo run shows to be mis-sized.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from eventstudy import CsvDirectorySource, EventStudy, load_study
from eventstudy.cli import main
from eventstudy.inference.validation import placebo as pl
from eventstudy.report import write_report
from eventstudy.report.significance import headline


@pytest.fixture(scope="module")
def stargate(prices_dir, study_path, tmp_path_factory):
    """The Stargate study with its default placebo run (200 dates, seed 2025), and its written report."""
    res = EventStudy(load_study(study_path), CsvDirectorySource(prices_dir)).run()
    out = tmp_path_factory.mktemp("stargate") / "report"
    write_report(res, out, figure_format="none")
    return res, out


def _label(test: str, start: int, end: int) -> str:
    return test if (start, end) == (0, 0) else f"{test} [{start},{end}]"


def test_results_json_placebo_section(stargate):
    res, out = stargate
    data = json.loads((out / "results.json").read_text())
    p = data["placebo"]
    assert (p["trials"], p["seed"], p["dates_drawn"]) == (200, 2025, 200)
    assert p["distinct_dates"] == p["candidate_dates"] == 197  # every qualifying date once (docs/methodology.md)
    assert p["securities"] == ["ORCL", "NVDA", "ARM", "9984.T"]
    rows = {r["test"]: r for r in p["tests"]}
    windows = [tuple(w) for w in data["study"]["event_windows"]]
    table_tests = {(r["test"], r["start"], r["end"]) for r in data["tests"]}
    for test, start, end in table_tests:  # every test of the table has its size, in its window
        assert _label(test, start, end) in rows, (test, start, end)
    assert len(rows) == 15 * len(windows)
    for r in rows.values():
        n, k = r["n"], round(r["size"] * r["n"])
        ci = binomtest(k, n).proportion_ci(method="wilson")  # independent of statsmodels' proportion_confint
        assert r["size_low"] == pytest.approx(ci.low, abs=1e-9) and r["size_high"] == pytest.approx(ci.high, abs=1e-9)
        assert r["well_sized"] == (0.04 <= r["size"] <= 0.06 and ci.low <= 0.05 <= ci.high)
        assert (r["reading"] == "right-sized") == r["well_sized"]
        if not r["well_sized"]:
            assert r["reading"] == ("over-rejects" if r["size"] > 0.05 else r["reading"])
    # sizes from the raw p-values of the run
    raw = res.placebo.run.result.pvalues
    for (design, test), pv in raw.items():
        assert rows[test]["design"] == design
        assert rows[test]["size"] == pytest.approx(np.mean(pv[0][np.isfinite(pv[0])] <= 0.05), abs=1e-6)
    assert rows["Patell Z"]["reading"] == "over-rejects" and rows["GRANK t (Kolari-Pynnönen)"]["size"] > 0.1
    assert rows["Wilcoxon signed-rank"]["reading"] == "cannot reject"  # N = 4: exact p never below 0.125
    assert rows["CAR t"]["well_sized"] and rows["CAR t"]["n"] == 800


def _headline_tests(text: str) -> list[tuple[str, str]]:
    """(window, test) of every p-value given in the 'What holds' lines of report.md."""
    found = []
    for block in re.findall(r"\*\*What holds\*\*.*?\n\n(.*?)\n\n", text, flags=re.S):
        for line in block.splitlines():
            m = re.match(r"- (\[-?\d+, -?\d+\]): (.*)", line)
            if not m:
                assert line.startswith("- Each security's CAR t"), line
                continue
            for name in re.findall(r"(?:^|, )([^,(][^()]*?(?:\([^()]*\))?) \(p [<\d.]+\)", m.group(2)):
                found.append((m.group(1), name))
    return found


def test_no_headline_p_value_from_a_mis_sized_test(stargate):
    _, out = stargate
    placebo = {r["test"]: r for r in json.loads((out / "results.json").read_text())["placebo"]["tests"]}
    md = (out / "report.md").read_text()
    named = _headline_tests(md)
    assert len(named) >= 8 and md.count("**What holds**") == 3  # three event sections
    for window, test in named:
        start, end = (int(x) for x in window.strip("[]").split(", "))
        assert placebo[_label(test, start, end)]["well_sized"], (window, test)
    mis = [t for t, r in placebo.items() if not r["well_sized"] and r["design"] == "study"]
    for window, test in named:
        assert test not in ("Patell Z", "generalized sign Z", "GRANK t (Kolari-Pynnönen)"), (window, test)
    assert "Patell Z" in mis and "over-reject in this design" in md
    html = (out / "report.html").read_text()
    holds = re.findall(r'id="event-[^"]+-holds">(.*?)</div>', html, flags=re.S)
    assert len(holds) == 3
    for block in holds:
        items = re.findall(r"<li>(.*?)</li>", block)
        assert items and all("Patell Z (p" not in i and "GRANK t (Kolari-Pynnönen) (p" not in i for i in items)


def test_tests_table_rows_show_the_size(stargate):
    _, out = stargate
    placebo = {r["test"]: r for r in json.loads((out / "results.json").read_text())["placebo"]["tests"]}
    md = (out / "report.md").read_text()
    size = placebo["Patell Z"]["size"] * 100
    assert "| [0, 0] | Patell Z | " in md and f"over-rejects in this design (size {size:.1f} %)" in md
    car = placebo["CAR t"]
    assert f"right-sized here (size {car['size'] * 100:.1f} %" in md
    assert "cannot reject at 5 % with N = 4" in md
    assert "## The study's placebo run" in md and 'id="placebo"' in (out / "report.html").read_text()
    tests = pd.read_csv(out / "tests.csv")
    assert {"p_holm", "p_bh"} <= set(tests.columns)
    assert (tests["p_holm"].dropna() >= tests.loc[tests["p_holm"].notna(), "p"] - 1e-15).all()


def test_reading_and_words():
    row = {"test": "x", "design": "study", "n": 200, "size": 0.157, "size_low": 0.11, "size_high": 0.21,
           "power_5": 0.9, "well_sized": False}  # fmt: skip
    assert pl._reading(row) == pl.OVER
    assert pl.describe(row | {"reading": pl.OVER}, 4) == "over-rejects in this design (size 15.7 %)"
    zero = row | {"size": 0.0, "size_low": 0.0, "size_high": 0.019, "power_5": 0.0}
    assert pl._reading(zero) == pl.CANNOT
    assert pl.describe(zero | {"reading": pl.CANNOT}, 4) == (
        "under-rejects: cannot reject at 5 % with N = 4 (size 0.0 %)"
    )
    assert pl._reading(zero | {"power_5": 0.03, "size": 0.005}) == pl.UNDER
    ok = row | {"size": 0.05, "size_low": 0.03, "size_high": 0.08, "well_sized": True}
    assert pl._reading(ok) == pl.RIGHT and pl.describe(None, 4) == "size not measured"


def test_when_the_placebo_run_is_skipped(prices_dir, study_path, tmp_path):
    spec = load_study(study_path)
    off = pl.placebo_for_study(spec, CsvDirectorySource(prices_dir), trials=0)
    assert off.run is None and off.to_dict()["trials"] == 0 and off.to_dict()["tests"] == []
    assert "not run" in pl.placebo_for_study(spec, object()).note  # not a price directory
    empty = pl.placebo_for_study(spec, CsvDirectorySource(tmp_path))  # no price file: a note, not an error
    assert empty.run is None and empty.note.startswith("not run:") and "no price file" in empty.note
    res = EventStudy(spec, CsvDirectorySource(prices_dir), placebo_trials=0).run()
    assert res.placebo.run is None and res.placebo.summary.empty
    assert "No placebo run" in " ".join(headline(res, spec.events[0].id))


def test_cli_placebo_options(prices_dir, study_path, tmp_path, capsys):
    assert main(["run", str(study_path), "--prices", str(prices_dir), "--placebo-trials", "-1", "-q"]) == 2
    assert capsys.readouterr().err.startswith("error: --placebo-trials")
    out = tmp_path / "r"
    args = ["run", str(study_path), "--prices", str(prices_dir), "--out", str(out), "--format", "json",
            "--figures", "none", "-q", "--placebo-trials", "15", "--placebo-seed", "7"]  # fmt: skip
    assert main(args) == 0
    p = json.loads((out / "results.json").read_text())["placebo"]
    assert (p["trials"], p["seed"], p["dates_drawn"], p["distinct_dates"]) == (15, 7, 15, 15)


def test_large_study_skips_by_default(tmp_path: Path, prices_dir):
    from eventstudy.spec.events_csv import load_events_csv

    rows = ["event,ticker,timestamp,benchmark"] + [
        f"e{i},{t},2024-0{1 + i % 9}-1{i % 10},^GSPC" for i in range(130) for t in ("ORCL", "NVDA", "MSFT", "AMD")
    ]
    path = tmp_path / "events.csv"
    path.write_text("\n".join(rows) + "\n")
    spec = load_events_csv(path)
    skipped = pl.placebo_for_study(spec, CsvDirectorySource(prices_dir))
    assert skipped.run is None and "520 pairs" in skipped.note and "--placebo-trials" in skipped.note
