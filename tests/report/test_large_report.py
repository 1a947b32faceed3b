"""The report of a large study: an "All pairs" section with study-wide figures, capped lists, same numbers."""

from __future__ import annotations

import dataclasses
import re
import statistics

import numpy as np
import pytest
from matplotlib.figure import Figure

from eventstudy import CsvDirectorySource, EventStudy, load_study
from eventstudy import plots as F
from eventstudy.inference import single_firm as sf
from eventstudy.report import figure_jobs, tables, write_report


@pytest.fixture(scope="module")
def res(prices_dir, study_path):
    return EventStudy(load_study(study_path), CsvDirectorySource(prices_dir)).run()


@pytest.fixture
def large(monkeypatch):
    """Every study counts as large, and a large study's lists show one row."""
    monkeypatch.setattr(tables, "LARGE_STUDY_PAIRS", 1)
    monkeypatch.setattr(tables, "MAX_LISTED_ROWS", 1)


def test_mean_car_data_is_the_mean_of_the_pairs_paths(res):
    """Each pair's path: cumulated ARs minus their value at day -1; then mean, median and sd / sqrt(n) by day."""
    paths: dict[int, list[float]] = {}
    for _, part in res.ar.groupby(["event", "ticker"]):
        part = part.sort_values("day")
        cum = np.cumsum(part["abnormal"].to_numpy(dtype=float))
        base = cum[part["day"].to_numpy() == -1][0]
        for day, value in zip(part["day"], cum - base, strict=True):
            paths.setdefault(int(day), []).append(value)
    got = F.mean_car_data(res).set_index("day")
    assert sorted(paths) == list(got.index)
    for day, values in paths.items():
        v = np.array(values)
        assert got.loc[day, "pairs"] == len(v)
        assert got.loc[day, "mean"] == pytest.approx(v.mean(), abs=1e-15)
        assert got.loc[day, "median"] == pytest.approx(np.median(v), abs=1e-15)
        assert got.loc[day, "se"] == pytest.approx(v.std(ddof=1) / np.sqrt(len(v)), rel=1e-12, abs=1e-18)
    assert got.loc[-1, "mean"] == 0 and got.loc[-1, "se"] == 0


def test_summary_figures_draw_every_pair(res):
    for fig in (F.mean_car(res), F.car_histogram(res)):
        assert isinstance(fig, Figure) and fig.axes[0].get_ylabel()
    mean_line = F.mean_car(res).axes[0].get_lines()[0]
    np.testing.assert_allclose(mean_line.get_ydata(), F.mean_car_data(res)["mean"] * 100)
    hist = F.car_histogram(res).axes[0]
    assert len(hist.patches) == res.car.groupby(["start", "end"]).ngroups  # one outline per window


def test_large_study_figures_are_study_wide_and_claimed_events_only(res, large, monkeypatch):
    monkeypatch.setattr(figure_jobs, "figure_bytes", lambda fig, fmt: fmt.encode())  # drawing runs; saving is skipped
    one_event = dataclasses.replace(res, claims=res.claims[res.claims["event"] == "white-house"])
    names = [f.name for f in figure_jobs.report_figures(one_event, workers=1)]
    assert names == [
        "figures/claims.svg", "figures/car_mean.svg", "figures/car_distribution.svg",
        "figures/prices_white-house.svg", "figures/ar_white-house.svg", "figures/car_white-house.svg",
        *(["figures/volume_white-house.svg"] if "volume" in res.spec.measures else []),
    ]  # fmt: skip
    figs = figure_jobs.report_figures(one_event, workers=2)  # event figures in workers, the summary ones here
    assert [f.name for f in figs] == names
    assert [figure_jobs.is_summary(f) for f in figs] == [False, True, True] + [False] * (len(names) - 3)


def test_large_study_report_has_all_pairs_and_capped_lists(res, large, tmp_path):
    write_report(res, tmp_path / "r")
    md = (tmp_path / "r" / "report.md").read_text()
    html = (tmp_path / "r" / "report.html").read_text()
    section = md.split("## All pairs", 1)[1].split("\n## ", 1)[0]
    for (start, end), w in res.car.groupby(["start", "end"], sort=False):  # means computed here, from car
        share = (w["p"] < 0.05).mean() * 100
        row = f"| [{start}, {end}] | {len(w):,} | {w['car'].mean() * 100:+.2f} % | {w['car'].median() * 100:+.2f} % |"
        assert f"{row} {share:.1f} % |" in section
    assert "](figures/car_mean.svg)" in section and "](figures/car_distribution.svg)" in section
    assert 'id="all-pairs"' in html and 'id="fig-car_mean"' in html and 'href="#all-pairs"' in html
    flags = len(res.flags)
    assert flags > 1
    assert f"… and {flags - 1:,} more unusual days: a large study lists the first 1; every one is in flags.csv" in md
    flag_list = md.split("Unusual days inside", 1)[1].split("Share of estimation-window days", 1)[0]
    shown = re.findall(r"^\| [\w-]+ \| \w+ \| [+-]\d+ \|", flag_list, re.M)
    assert len(shown) == 1
    assert "… and" in html.split('id="warnings"', 1)[1].split("</section>", 1)[0]


def test_small_study_report_has_no_all_pairs_section(res, tmp_path):
    write_report(res, tmp_path / "r", formats=["md", "html"], figure_format="none")
    assert "All pairs" not in (tmp_path / "r" / "report.md").read_text()
    assert "all-pairs" not in (tmp_path / "r" / "report.html").read_text()


@pytest.mark.parametrize("length", [1, 2])
def test_single_firm_tests_over_many_row_blocks_equal_the_formulas(length):
    """More rows than one block (blocks run on threads): each row's counts are those of its own draws."""
    rng = np.random.default_rng(40 + length)
    rows = 2 * sf.BLOCK_ROWS + 7
    e = rng.choice([0.1, 0.2, 0.3, -0.7, 0.6, -0.3, 1e-3], size=(rows, 50))
    ar = np.vstack([e[i, rng.integers(0, 50, length)] for i in range(rows)])  # CARs equal to some null sums
    boot = sf.bootstrap_tests(ar, e, n_boot=299, seed=4)
    for i in range(rows):
        null = np.random.default_rng(4).choice(e[i], size=(299, length), replace=True).sum(axis=1)
        car = float(ar[i].sum())
        n_le, n_ge = int((null <= car).sum()), int((null >= car).sum())
        assert boot.stat[i] == n_le / 299
        assert boot.pvalue[i] == min(1.0, 2.0 * min(n_le + 1, n_ge + 1) / 300)


def test_summary_of_results_json_against_plain_python(res):
    """The summary's counts, means, medians and shares, worked with the statistics module over the CAR rows."""
    s = res.pairs_summary()
    rows = list(zip(res.car["start"], res.car["end"], res.car["car"], res.car["p"], strict=True))
    assert (s["pairs"], s["events"], s["securities"], s["excluded"]) == (16, 4, 4, 0)  # the Stargate seed
    assert [(w["start"], w["end"]) for w in s["car"]] == [(0, 0), (0, 1), (-1, 1), (-5, 5)]  # the study file's order
    for w in s["car"]:
        cars = [c for a, b, c, _ in rows if (a, b) == (w["start"], w["end"])]
        ps = [p for a, b, _, p in rows if (a, b) == (w["start"], w["end"])]
        assert w["pairs"] == len(cars) == 16
        assert w["mean_car"] == pytest.approx(statistics.fmean(cars), rel=1e-12)
        assert w["median_car"] == pytest.approx(statistics.median(cars), rel=1e-12)
        assert w["share_p_below_0_05"] == sum(p < 0.05 for p in ps) / 16


@pytest.fixture(scope="module")
def many_pairs(tmp_path_factory):
    """A synthetic events CSV of 60 events of one security (60 pairs), its prices in csv/."""
    from synthetic import make_market

    folder = tmp_path_factory.mktemp("many")
    market = make_market(folder / "csv")
    days = market.sessions[-300::4][:60]
    lines = ["event,ticker,timestamp,benchmark,exchange", *(f"e{i:02d},STOCK,{d.date()},MKT,XNYS"
                                                            for i, d in enumerate(days))]  # fmt: skip
    (folder / "events.csv").write_text("\n".join(lines) + "\n")
    return folder


@pytest.mark.parametrize(("verbose", "pairs"), [(False, 60), (True, 60), (False, 50)])
def test_run_prints_a_summary_of_a_large_study_and_every_row_with_verbose(many_pairs, tmp_path, capsys, verbose,
                                                                          pairs):  # fmt: skip
    """Above 50 pairs a few lines, whatever the size; --verbose (or 50 pairs or fewer): a line per CAR row."""
    from eventstudy.cli import main

    events = tmp_path / "events.csv"
    events.write_text("".join((many_pairs / "events.csv").read_text().splitlines(keepends=True)[: pairs + 1]))
    argv = ["run", str(events), "--prices", str(many_pairs / "csv"), "--out", str(tmp_path / "o"),
            "--figures", "none", "--format", "md", "--placebo-trials", "0"]  # fmt: skip
    argv += ["--verbose"] if verbose else []
    assert main(argv) == 0
    out = capsys.readouterr().out
    rows = pairs * 4  # four event windows
    if verbose or pairs <= 50:
        assert len(out.splitlines()) > rows and out.count("STOCK") == rows
    else:
        lines = out.splitlines()
        assert len(lines) < 20 and "STOCK" not in out, out
        assert lines[0] == "Event study 'events': 60 (event, security) pairs in 60 event(s), 1 securities, model market"
        assert "0 pair(s) excluded" in out and "mean CAR" in out and "p < 0.05" in out
        assert "--verbose (240 rows)" in out and out.rstrip().endswith("report.md")


def _warning_entries_by_text(res):
    """The study-wide warning entries as worked before on event ids (text), for the test below."""
    import pandas as pd

    from eventstudy.report.story import group_label, named, same_day0

    together = same_day0(res)
    shown = set(tables.detailed_events(res))
    flag_counts = res.flags["event"].value_counts()
    ends = [pd.Series(together.first_of(res.overlaps[c]), dtype=object) for c in ("event", "nearest_event")]
    links = pd.DataFrame({"a": pd.concat(ends), "b": pd.concat(ends[::-1])}).drop_duplicates()
    shared = {a: set(b) for a, b in links.groupby("a", sort=False)["b"]}
    found = []
    for eid in together.ids[together.first_of(together.ids) == together.ids]:
        n_flags = int(flag_counts.get(eid, 0))
        others = sorted(shared.get(eid, set()) - {eid})
        if n_flags or others:
            found.append((eid, n_flags, others))
    found, more = tables.listed(found, res)
    items = []
    for eid, n_flags, others in found:
        what = [f"{n_flags} unusual day(s)"] if n_flags else []
        ids = [m for o in others for m in together.get(o, [o])]
        what += ["windows shared with " + named(ids, res)] if others else []
        items.append({"id": eid, "label": group_label(res, eid), "link": eid in shown, "what": what})
    return items, more


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    """60 one-security events: 40 days 3 sessions apart (their windows overlap), 20 more on days of those."""
    from synthetic import make_market

    folder = tmp_path_factory.mktemp("crowded")
    market = make_market(folder / "csv")
    days = list(market.sessions[-300::3][:40])
    days += [days[i] for i in (5, 5, 7, 12, 12, 12, 30, 39, 0, 1, 2, 3, 20, 21, 22, 23, 24, 25, 26, 27)]
    lines = ["event,ticker,timestamp,benchmark,exchange", *(f"e{i:02d},STOCK,{d.date()},MKT,XNYS"
                                                            for i, d in enumerate(days))]  # fmt: skip
    (folder / "events.csv").write_text("\n".join(lines) + "\n")
    from eventstudy.spec.events_csv import load_events_csv

    spec = load_events_csv(folder / "events.csv")
    return EventStudy(spec, CsvDirectorySource(folder / "csv"), placebo_trials=0).run()


@pytest.mark.parametrize("is_large", [False, True])
def test_study_wide_notes_on_event_positions_as_on_event_ids(crowded, monkeypatch, is_large):
    """The warning entries and the note on the other events, found on integer positions, say what the ids gave."""
    from eventstudy.report import model

    if is_large:
        monkeypatch.setattr(tables, "LARGE_STUDY_PAIRS", 1)
        monkeypatch.setattr(tables, "MAX_LISTED_ROWS", 7)
        monkeypatch.setattr(tables, "MAX_DETAILED_EVENTS", 3)
    assert not crowded.overlaps.empty and crowded.overlaps["event"].nunique() > 30
    assert model._warning_entries(crowded) == _warning_entries_by_text(crowded)
    shown = tables.detailed_events(crowded)
    together = model.same_day0(crowded)
    detailed = {m for e in shown for m in together.get(e, [e])}
    rest = crowded.car[~crowded.car["event"].isin(detailed)]
    note = tables.other_events_note(crowded, shown)
    assert note.startswith(f"{rest['event'].nunique()} more event(s) are not detailed here")
    for (start, end), rows in rest.groupby(["start", "end"], sort=False):
        assert f"[{start}, {end}]: {int((rows['p'] < 0.05).sum())} of {len(rows)} with p < 0.05" in note
