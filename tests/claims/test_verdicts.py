"""Claims judged together, graded verdicts, one-sided figures, the timing story, and one text everywhere.

Synthetic tables (built here, numbers chosen by hand) test the rules; the seed sentence of article 001 is
checked against arithmetic on the price CSVs (csv module), never against eventstudy's own numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math

import pandas as pd
import pytest
from markupsafe import escape

from eventstudy import CsvDirectorySource, EventStudy, load_study
from eventstudy.claims.reconcile import acceptance, choose_day, claim_groups, reconcile_claims
from eventstudy.claims.tolerance import tolerance
from eventstudy.errors import StudyFileError
from eventstudy.json_records import records
from eventstudy.report.write import write_report
from eventstudy.spec import parse_study

NAN = math.nan
SESSIONS = pd.to_datetime(["2025-03-03", "2025-03-04", "2025-03-05", "2025-03-06"])  # days -1..+2 of "ev"
QUIET = {"c2c": 0.0, "overnight": 0.0, "intraday": 0.0, "low": -0.001, "high": 0.001}


# -- synthetic study ---------------------------------------------------------------
def study(claims: list[dict], tickers=("AAA", "BBB", "CCC")):
    doc = {
        "study": {"id": "synthetic"},
        "securities": [{"ticker": t, "exchange": "XNYS", "benchmark": "^X"} for t in tickers],
        "events": [
            {"id": "early", "title": "Early leak", "timestamp": "2025-03-03T11:00:00-05:00"},
            {"id": "ev", "title": "The announcement", "timestamp": "2025-03-04T10:00:00-05:00"},
        ],
        "claims": claims,
    }
    return parse_study(doc)


def tables(days: dict[str, dict[int, dict[str, float]]]):
    """ar, moves, fits and day0 tables for event "ev" (day 0 = 2025-03-04) from per-day moves.

    ``days[ticker][day]`` gives c2c, overnight, intraday, low, high (defaults: a quiet day). The
    "early" event has day 0 on 2025-03-03 (day -1 of "ev"). β = 0, so abnormal = measured.
    """
    ar, moves, fits, day0 = [], [], [], []
    for ticker, by_day in days.items():
        for day, session in zip((-1, 0, 1, 2), SESSIONS, strict=True):
            m = {**QUIET, **by_day.get(day, {})}
            ar.append({"event": "ev", "ticker": ticker, "day": day, "session": session, "return": m["c2c"],
                       "abnormal": m["c2c"]})  # fmt: skip
            moves.append({"event": "ev", "ticker": ticker, "day": day, "session": session,
                          "overnight": m["overnight"], "intraday": m["intraday"], "low": m["low"], "high": m["high"],
                          "bench_overnight": 0.0, "bench_intraday": 0.0, "source": ticker, "note": ""})  # fmt: skip
        fits.append({"event": "ev", "ticker": ticker, "beta": 0.0})
        day0 += [
            {"event": "ev", "ticker": ticker, "exchange": "XNYS", "session": SESSIONS[1], "rule": "during the session",
             "local_time": "2025-03-04 10:00 EST"},
            {"event": "early", "ticker": ticker, "exchange": "XNYS", "session": SESSIONS[0],
             "rule": "during the session", "local_time": "2025-03-03 11:00 EST"},
        ]  # fmt: skip
    return pd.DataFrame(ar), pd.DataFrame(moves), pd.DataFrame(fits), pd.DataFrame(day0)


def judge(claims: list[dict], days: dict[str, dict[int, dict[str, float]]]) -> pd.DataFrame:
    spec = study(claims)
    return reconcile_claims(spec, *tables(days))[0].set_index("claim")


def claim(cid: str, ticker: str, pct: float, **kw) -> dict:
    return {"id": cid, "ticker": ticker, "event": "ev", "reported_percent": pct, **kw}


SENTENCE = {"source": "a.txt", "quote": "AAA a gagné 5 %, BBB 3 % et CCC 8 %."}


# -- the tolerance rule ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("quote", "percent", "approximate", "pp"),
    [
        ("Nvidia de 2,3 %", 2.3, False, 0.05),  # one decimal: half a unit of the last digit
        ("grimpant de 6% jeudi", 6.0, False, 0.5),  # no decimal
        ("d'environ 7 %", 7.0, True, 1.0),  # approximate: max(one unit, 10 %) = 1 pp
        ("environ 25 %", 25.0, True, 2.5),  # approximate: 10 % of 25
        ("une hausse de 10,47 %", 10.47, False, 0.005),  # two decimals
        ("", 2.3, False, 0.05),  # no quote: decimals from the study file's value
        ("a perdu 4,10 %", 4.1, False, 0.005),  # the decimals the article writes, trailing zero included
        ("about 1.5%", 1.5, True, 0.15),  # approximate with a decimal: max(0.1, 0.15)
    ],
)
def test_tolerance_rule(quote, percent, approximate, pp):
    assert tolerance(percent / 100, approximate=approximate, quote=quote) == pytest.approx(pp / 100)


@pytest.mark.parametrize(
    ("reported", "tol", "bound", "lo", "hi"),
    [
        (0.041, 0.0005, "", 0.0405, 0.0415),
        (0.12, 0.005, "at_least", 0.115, math.inf),  # "plus de 12 %"
        (-0.12, 0.005, "at_least", -math.inf, -0.115),  # "a chuté de plus de 12 %"
        (0.02, 0.005, "at_most", 0.0, 0.025),  # "moins de 2 %" (a rise)
        (-0.02, 0.005, "at_most", -0.025, 0.0),  # "a cédé moins de 2 %"
    ],
)
def test_acceptance_interval(reported, tol, bound, lo, hi):
    assert acceptance(reported, tol, bound) == (pytest.approx(lo), pytest.approx(hi))


@pytest.mark.parametrize(
    ("costs", "expected"),
    [
        ({-1: [(True, 0.0, False)], 0: [(True, 0.0, False)]}, 0),  # tie: the implied day (day 0)
        ({-1: [(True, 0.0, False)], 1: [(True, 0.0, False)]}, -1),  # tie without day 0: the earlier
        ({-1: [(True, 0.0, False), (True, 0.0007, False)], 0: [(True, 0.0, False), (True, 0.0109, False)]}, -1),
        ({-1: [(True, 0.02, False), (True, 0.02, False)], 0: [(True, 0.0, False), (False, 0.001, False)]}, -1),
        ({-1: [(True, 0.0, False)], 0: [(True, 0.0, True)]}, -1),  # day 0 only repeats day -1 in a two-day move
        ({0: [(False, 0.001, False)], 2: [(False, 0.0005, False)]}, 2),  # nothing held: the smaller distance
    ],
)
def test_choose_day(costs, expected):
    assert choose_day(costs) == expected


# -- every verdict category ------------------------------------------------------------
# (reported %, claim keys, AAA's moves by day, verdict, judged day, best measure)
VERDICT_TABLE = [
    ("close-to-close", 5.0, {}, {0: {"c2c": 0.052, "low": 0.01, "high": 0.06}}, "matches the close", 0,
     "close_to_close"),
    ("open to close", 3.0, {}, {0: {"c2c": 0.06, "intraday": 0.031, "overnight": 0.028, "low": 0.02, "high": 0.065}},
     "matches the close", 0, "intraday"),
    ("two days", 6.0, {}, {-1: {"c2c": 0.03, "low": 0.0, "high": 0.035},
                           0: {"c2c": 0.03, "low": 0.0, "high": 0.035}}, "matches the close", 0, "two_day"),
    ("opening gap", 4.0, {}, {0: {"c2c": 0.02, "overnight": 0.04, "intraday": -0.019, "low": 0.015, "high": 0.045}},
     "within the day's range", 0, "overnight"),
    ("range only", 4.1, {}, {0: {"c2c": 0.0398, "overnight": 0.004, "intraday": 0.0357, "low": -0.0151,
                                 "high": 0.0517}}, "within the day's range", 0, "close_to_close"),
    ("range widened by the tolerance", 4.1, {}, {0: {"c2c": 0.03, "low": 0.0, "high": 0.0406}},
     "within the day's range", 0, "close_to_close"),
    ("later session, article names none", 5.0, {}, {1: {"c2c": 0.05, "low": 0.0, "high": 0.06}},
     "matches the close", 1, "close_to_close"),
    ("later session, article names day 0", 5.0, {"session": dt.date(2025, 3, 4)},
     {1: {"c2c": 0.05, "low": 0.0, "high": 0.06}}, "consistent on another session", 0, "close_to_close"),
    ("nothing", 9.0, {}, {0: {"c2c": 0.05, "low": 0.0, "high": 0.06}}, "not supported", 0, "close_to_close"),
    ("bound: more than 12 %", 12.0, {"bound": "at_least"}, {0: {"c2c": 0.135, "low": 0.05, "high": 0.14}},
     "matches the close", 0, "close_to_close"),
    ("bound: more than 12 %, reached intraday", 12.0, {"bound": "at_least"},
     {0: {"c2c": 0.09, "low": 0.05, "high": 0.125}}, "within the day's range", 0, "close_to_close"),
    ("bound: less than 2 %", 2.0, {"bound": "at_most"}, {0: {"c2c": 0.005, "low": -0.01, "high": 0.01}},
     "matches the close", 0, "close_to_close"),
    ("bound: fell more than 12 %", -12.0, {"bound": "at_least"}, {0: {"c2c": -0.14, "low": -0.15, "high": -0.02}},
     "matches the close", 0, "close_to_close"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("reported", "keys", "moves", "verdict", "day", "measure"),
    [row[1:] for row in VERDICT_TABLE],
    ids=[row[0] for row in VERDICT_TABLE],
)
def test_verdict_categories(reported, keys, moves, verdict, day, measure):
    c = judge([claim("x", "AAA", reported, **keys)], {"AAA": moves}).loc["x"]
    assert c["verdict"] == verdict
    assert c["session"] == SESSIONS[day + 1]
    assert c["best_measure"] == measure
    assert c["verdict_label"].startswith(verdict) and "pp)" in c["verdict_label"]


def test_one_sided_bound_is_not_a_symmetric_tolerance():
    """13.5 % is 'more than 12 %'; with the two-sided ±0.5 pp it would not be supported."""
    moves = {"AAA": {0: {"c2c": 0.135, "low": 0.13, "high": 0.14}}}
    bound = judge([claim("x", "AAA", 12.0, bound="at_least")], moves).loc["x"]
    both = judge([claim("x", "AAA", 12.0)], moves).loc["x"]
    assert bound["verdict"] == "matches the close" and both["verdict"] == "not supported"
    assert bound["reported_text"] == "≥ +12 % −0.50 pp" and "≥ +12 %" in bound["finding"]
    below = judge([claim("x", "AAA", 12.0, bound="at_least")], {"AAA": {0: {"c2c": 0.114, "low": 0.1, "high": 0.114}}})
    assert below.loc["x", "verdict"] == "not supported"  # 11.4 % < 12 % - 0.5 pp, on every measure and the range


def test_range_unknown_is_said():
    """No High/Low (the source lacks them): no range verdict, and the finding says why."""
    nan_range = {d: {"c2c": 0.01, "low": NAN, "high": NAN} for d in (-1, 0, 1, 2)}
    c = judge([claim("x", "AAA", 4.1)], {"AAA": nan_range}).loc["x"]
    assert c["verdict"] == "not supported"
    assert "the day's range is not available (no High/Low for AAA" in c["finding"]


def test_excluded_pair_is_not_measured():
    spec = study([claim("x", "AAA", 5.0, **SENTENCE), claim("y", "BBB", 3.0, **SENTENCE)])
    ar, moves, fits, day0 = tables({"BBB": {-1: {"c2c": 0.03}}})
    claims = reconcile_claims(spec, ar, moves, fits, day0)[0].set_index("claim")
    assert claims.loc["x", "verdict"] == "not measured" and claims.loc["x", "explanation"].startswith("Not measured")
    assert claims.loc["y", "verdict"] == "matches the close" and claims.loc["x", "group"] == claims.loc["y", "group"]
    doc = json.loads(json.dumps(records(claims.reset_index()), allow_nan=False))  # as results.json: NaN → null
    assert doc[0]["day"] is None and doc[1]["day"] == -1


# -- groups ----------------------------------------------------------------------------
def test_groups_from_one_sentence_named_session_and_explicit_key():
    spec = study(
        [
            claim("a", "AAA", 5.0, **SENTENCE, offset=10),
            claim("b", "BBB", 3.0, **SENTENCE, offset=10),
            claim("c", "CCC", 8.0, **SENTENCE, offset=10, session=dt.date(2025, 3, 5)),  # names its own day
            claim("d", "AAA", 1.0, source="a.txt", quote="AAA recule de 1 %."),  # another sentence
            claim("e", "BBB", 2.0, source="b.txt", quote="x", group="para"),
            claim("f", "CCC", 2.0, source="b.txt", quote="y", group="para"),
        ]
    )
    groups = claim_groups(spec.claims)
    assert groups["a"] == groups["b"] == "a+b"
    assert groups["c"] == "c" and groups["d"] == "d"
    assert groups["e"] == groups["f"] == "para"


def test_explicit_group_must_be_one_event_and_one_session():
    with pytest.raises(StudyFileError, match="different events"):
        study([claim("a", "AAA", 5.0, group="g"), {**claim("b", "BBB", 3.0, group="g"), "event": "early"}])
    with pytest.raises(StudyFileError, match="different sessions"):
        study([claim("a", "AAA", 5.0, group="g", session=dt.date(2025, 3, 4)), claim("b", "BBB", 3.0, group="g")])
    with pytest.raises(StudyFileError, match="at_least"):
        study([claim("a", "AAA", 5.0, bound="more")])
    with pytest.raises(StudyFileError, match="offset"):
        study([claim("a", "AAA", 5.0, offset=-1)])


def test_joint_choice_differs_from_the_per_claim_choice():
    """AAA alone matches days -1 and 0 (tie → day 0, implied); with BBB, only day -1 explains both."""
    days = {
        "AAA": {-1: {"c2c": 0.054, "low": 0.0, "high": 0.06}, 0: {"c2c": 0.051, "low": 0.0, "high": 0.06}},
        "BBB": {-1: {"c2c": 0.032, "low": 0.0, "high": 0.04}, 0: {"c2c": 0.01, "low": -0.005, "high": 0.015}},
    }
    alone = judge([claim("a", "AAA", 5.0)], days).loc["a"]
    assert alone["session"] == SESSIONS[1] and alone["verdict"] == "matches the close"
    together = judge([claim("a", "AAA", 5.0, **SENTENCE), claim("b", "BBB", 3.0, **SENTENCE)], days)
    assert list(together["session"]) == [SESSIONS[0], SESSIONS[0]]
    assert list(together["verdict"]) == ["matches the close", "matches the close"]
    story = together.loc["a", "story"]
    assert story == together.loc["b", "story"]
    assert "These two moves happened on 2025-03-03, in the session that closed before" in story
    assert "(ev, 2025-03-04 10:00 EST)" in story and "“Early leak” (early, 2025-03-03 11:00 EST)" in story
    assert together.loc["a", "explanation"] == together.loc["a", "finding"] + " " + story


@pytest.mark.parametrize(
    ("ccc", "verdict", "best_day"),
    [
        ({1: {"c2c": 0.081, "low": 0.0, "high": 0.09}}, "consistent on another session", 1),  # fits day +1 only
        ({1: {"c2c": 0.02, "low": 0.0, "high": 0.03}}, "not supported", None),  # fits nowhere
    ],
)
def test_one_claim_of_a_group_is_false(ccc, verdict, best_day):
    days = {
        "AAA": {-1: {"c2c": 0.05, "low": 0.0, "high": 0.06}},
        "BBB": {-1: {"c2c": 0.03, "low": 0.0, "high": 0.04}},
        "CCC": {-1: {"c2c": 0.01, "low": -0.01, "high": 0.02}, **ccc},
    }
    claims = [
        claim("a", "AAA", 5.0, **SENTENCE),
        claim("b", "BBB", 3.0, **SENTENCE),
        claim("c", "CCC", 8.0, **SENTENCE),
    ]
    out = judge(claims, days)
    assert set(out["session"]) == {SESSIONS[0]}  # two of three fit day -1: the group's session
    assert list(out["verdict"]) == ["matches the close", "matches the close", verdict]
    if best_day is not None:
        assert out.loc["c", "best_session"] == SESSIONS[best_day + 1]
    assert out.loc["a", "story"].startswith("Two of these three moves happened on 2025-03-03")


# -- the seed sentence, against the price files ------------------------------------------
def _rows(path):
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {r["Date"]: r for r in rows}, [r["Date"] for r in rows]


def _day_move(prices_dir, ticker, day):
    """Close-to-close from Adj Close, and the day's low/high from the previous adjusted close (factor Adj/Close)."""
    rows, dates = _rows(prices_dir / f"{ticker}.csv")
    r, p = rows[day], rows[dates[dates.index(day) - 1]]
    factor = float(r["Adj Close"]) / float(r["Close"])
    base = float(p["Adj Close"])
    return (
        float(r["Adj Close"]) / base - 1,
        float(r["Low"]) * factor / base - 1,
        float(r["High"]) * factor / base - 1,
    )


@pytest.fixture(scope="module")
def stargate(prices_dir, study_path):
    return EventStudy(load_study(study_path), CsvDirectorySource(prices_dir)).run()


def test_seed_sentence_is_judged_on_2025_01_21(stargate, prices_dir):
    orcl, nvda, arm = (_day_move(prices_dir, t, "2025-01-21") for t in ("ORCL", "NVDA", "ARM"))
    assert (round(orcl[0] * 100, 2), round(nvda[0] * 100, 2), round(arm[0] * 100, 2)) == (7.17, 2.27, 3.98)
    assert (round(arm[1] * 100, 2), round(arm[2] * 100, 2)) == (-1.51, 5.17)
    # on 2025-01-22 (the implied day 0) only Oracle's close fits
    assert abs(_day_move(prices_dir, "ORCL", "2025-01-22")[0] - 0.07) <= 0.01
    assert abs(_day_move(prices_dir, "NVDA", "2025-01-22")[0] - 0.023) > 0.0005
    assert abs(_day_move(prices_dir, "ARM", "2025-01-22")[0] - 0.041) > 0.0005

    c = stargate.claims.set_index("claim")
    group = c.loc[["orcl-7", "nvda-2.3", "arm-4.1"]]
    assert len(set(group["group"])) == 1
    assert {str(s.date()) for s in group["session"]} == {"2025-01-21"}
    assert {str(s.date()) for s in group["implied_session"]} == {"2025-01-22"}
    assert c.loc["orcl-7", "verdict"] == c.loc["nvda-2.3", "verdict"] == "matches the close"
    assert c.loc["orcl-7", "measured"] == pytest.approx(orcl[0], abs=1e-9)
    assert c.loc["nvda-2.3", "measured"] == pytest.approx(nvda[0], abs=1e-9)
    arm_row = c.loc["arm-4.1"]
    assert arm_row["verdict"] == "within the day's range"
    assert (arm_row["range_low"], arm_row["range_high"]) == (pytest.approx(arm[1], abs=1e-9), pytest.approx(arm[2]))
    assert "-1.51 % to +5.17 % from the previous close" in arm_row["finding"]
    story = arm_row["story"]
    assert story.startswith("These three moves happened on 2025-01-21, in the session that closed before")
    assert "(white-house, 2025-01-21 16:00 EST)" in story
    assert "(first-reports, 2025-01-21 12:00 EST, approximate time)" in story
    # SoftBank's sentence names two sessions: two groups, each on the day it names
    assert c.loc["softbank-wed-10", "group"] != c.loc["softbank-thu-6", "group"]
    assert str(c.loc["softbank-thu-6", "session"].date()) == "2025-01-23"


def test_flags_name_the_event_of_their_day(stargate):
    f = stargate.flags
    orcl = f[(f["event"] == "first-reports") & (f["ticker"] == "ORCL") & (f["day"] == 1)].iloc[0]
    assert str(orcl["session"].date()) == "2025-01-22" and orcl["day0_of"] == "white-house,musk-doubt"
    back = f[(f["event"] == "white-house") & (f["ticker"] == "ORCL") & (f["day"] == -1)].iloc[0]
    assert back["day0_of"] == "first-reports"
    deepseek = f[f["session"] == pd.Timestamp("2025-01-27")]
    assert len(deepseek) and set(deepseek["day0_of"]) == {""}  # not an event of the study


def test_results_csv_markdown_and_html_say_the_same(stargate, tmp_path):
    out = tmp_path / "report"
    write_report(stargate, out, figure_format="none")
    md = (out / "report.md").read_text(encoding="utf-8")
    page = (out / "report.html").read_text(encoding="utf-8")
    with (out / "claims.csv").open(newline="", encoding="utf-8") as fh:
        rows = {r["claim"]: r for r in csv.DictReader(fh)}
    for c in stargate.claims.to_dict("records"):
        row = rows[c["claim"]]
        assert row["verdict"] == c["verdict"] and row["group"] == c["group"]
        assert row["explanation"] == c["explanation"] == f"{c['finding']} {c['story']}".strip()
        for text in (c["finding"], c["story"], c["verdict_label"], c["reported_text"]):
            assert text in md, text
        for text in (c["finding"], c["story"], c["verdict"], c["reported_text"]):  # HTML: verdict badge, tolerance
            assert escape(text) in page, text  # report.html is autoescaped by jinja2 (markupsafe)


def test_one_section_for_events_with_one_day0(stargate, tmp_path):
    out = tmp_path / "report"
    write_report(stargate, out, figure_format="none", formats=["md"])
    md = (out / "report.md").read_text(encoding="utf-8")
    assert md.count("## Event `white-house`") == 1 and "## Event `musk-doubt`" not in md
    assert "Also musk-doubt" in md and "daily data cannot separate the two" in md
    with (out / "car.csv").open() as fh:
        events = {r["event"] for r in csv.DictReader(fh)}
    assert {"white-house", "musk-doubt"} <= events  # the CSV tables keep every event
