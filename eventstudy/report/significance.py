"""What the report says about significance: only tests right-sized in the study's own placebo run lead.

- :func:`headline`: per window of an event, the cross-sectional tests that the
  study's placebo run (:attr:`eventstudy.results.StudyResults.placebo`) finds
  right-sized at 5 %, with their p-values and the verdict they give; the
  mis-sized tests are named as such, never with a p-value.
- :func:`test_rows`: the event's tests table, one row per (window, test):
  statistic, p, Holm- and Benjamini-Hochberg-adjusted p, and the test's size in
  the placebo run ("over-rejects in this design (size 15.7 %)").
- :func:`placebo_rows`: the placebo run's table (every test and window).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventstudy.inference.validation.placebo import CANNOT, OVER, RIGHT, UNDER, describe
from eventstudy.text_format import fmt_num, fmt_p

if TYPE_CHECKING:
    import pandas as pd

    from eventstudy.results import StudyResults

PER_SECURITY = ("CAR t", "sample-quantile (SQ)", "bootstrap")
TEST_HEADER = ["window", "test", "statistic", "p", "p Holm", "p BH", "size in this study's placebo run"]
PLACEBO_HEADER = ["test", "window", "n", "size at 5 %", "95 % interval", "power +1 %", "+2 %", "+5 %", "reading"]
ALPHA = 0.05
_ORDER = {RIGHT: 0, UNDER: 1, CANNOT: 2, OVER: 3}


def _window(start: int, end: int) -> str:
    return f"[{start}, {end}]"


def _event_tests(res: StudyResults, event_id: str) -> pd.DataFrame:
    tests = res.tests
    return tests[tests["event"] == event_id]


def _reading(res: StudyResults, test: str, start: int, end: int) -> tuple[str, dict[str, object] | None]:
    row = res.placebo.row(test, start, end)
    return (str(row["reading"]) if row else "not measured"), row


def test_rows(res: StudyResults, event_id: str) -> list[list[str]]:
    """The event's tests, window by window; right-sized tests first; per-security tests as one row each."""
    from eventstudy.report.story import capped

    t = _event_tests(res, event_id)
    n = res.placebo.securities
    groups: dict[tuple[int, int, str], list[tuple[object, ...]]] = {}
    cols = [t[c].tolist() for c in ("start", "end", "test", "ticker", "statistic", "p", "p_holm", "p_bh")]
    for start, end, test, *rest in zip(*cols, strict=True):
        groups.setdefault((int(start), int(end), str(test)), []).append(tuple(rest))
    windows = list(dict.fromkeys((start, end) for start, end, _ in groups))
    rows: list[tuple[int, int, int, list[str]]] = []
    for (start, end, test), members in groups.items():
        reading, row = _reading(res, test, start, end)
        if test in PER_SECURITY:
            shown, more = capped(members, res)  # a large study's first securities; the rest counted
            tail = [f"and {more:,} more securities (tests table)"] if more else []
            cells = ["; ".join([*(f"{m[0]} {fmt_p(m[k])}" for m in shown), *tail]) for k in (2, 3, 4)]
            name, stat = f"{test} (each security)", "–"
        else:
            m = members[0]
            cells = [fmt_p(m[2]), fmt_p(m[3]), fmt_p(m[4])]  # type: ignore[arg-type]
            name, stat = test, fmt_num(m[1], 2)  # type: ignore[arg-type]
        order = (windows.index((start, end)), _ORDER.get(reading, 4), len(rows))
        rows.append((*order, [_window(start, end), name, stat, *cells, describe(row, n)]))
    return [r[3] for r in sorted(rows, key=lambda r: r[:3])]


def headline(res: StudyResults, event_id: str) -> list[str]:
    """Sentences for the top of an event: per window, the right-sized tests, their p-values and verdict.

    Tests the placebo run shows to be mis-sized are named without a p-value.
    Without a placebo run: one sentence saying why, and no verdict.
    """
    placebo = res.placebo
    if placebo.run is None:
        return [f"No placebo run for this study ({placebo.note}): the tests below have no size check here; "
                "docs/methodology.md gives their size on a clustered design of US stocks."]  # fmt: skip
    t = _event_tests(res, event_id)
    cross = t[~t["test"].isin(PER_SECURITY)]
    lines = []
    for (start, end), w in cross.groupby(["start", "end"], sort=False):
        good = []
        for r in w.to_dict("records"):
            reading, _ = _reading(res, r["test"], int(start), int(end))
            if reading == RIGHT and r["p"] == r["p"]:
                good.append(r)
        window = _window(int(start), int(end))
        if not good:
            lines.append(f"{window}: no cross-sectional test is right-sized in this study's placebo run; "
                         "no verdict on the mean abnormal return.")  # fmt: skip
            continue
        named = ", ".join(f"{r['test']} (p {fmt_p(r['p'])})" for r in good)
        hits = sum(r["p"] <= ALPHA for r in good)
        if hits == len(good):
            verdict = "the mean abnormal return differs from 0 at 5 %"
        elif hits == 0:
            verdict = "no significant mean abnormal return at 5 %"
        else:
            verdict = f"mixed: {hits} of {len(good)} reject at 5 %"
        lines.append(f"{window}: {named}: {verdict}.")
    car_t = t[t["test"] == "CAR t"]
    parts = []
    for (start, end), w in car_t.groupby(["start", "end"], sort=False):
        if _reading(res, "CAR t", int(start), int(end))[0] == RIGHT:
            sig = [f"{r['ticker']} (p {fmt_p(r['p'])})" for r in w.to_dict("records") if r["p"] <= ALPHA]
            parts.append(f"{_window(int(start), int(end))} {', '.join(sig) if sig else 'none'}")
    if parts:
        lines.append(
            "Each security's CAR t, where right-sized; securities significant at 5 %: " + "; ".join(parts) + "."
        )
    return lines


def misfits(res: StudyResults, event_id: str) -> str:
    """One sentence naming the tests mis-sized here, window by window with their size: '' if none."""
    if res.placebo.run is None:
        return ""
    t = _event_tests(res, event_id)
    by_reading: dict[str, dict[str, list[str]]] = {}
    for (test, start, end), _ in t.groupby(["test", "start", "end"], sort=False):
        reading, row = _reading(res, str(test), int(start), int(end))
        if row is not None and reading in (OVER, UNDER, CANNOT):
            name = str(test).split(" (Campbell-Wasley")[0]
            size = f"{_window(int(start), int(end))} {float(row['size']) * 100:.1f} %"  # type: ignore[arg-type]
            by_reading.setdefault(reading, {}).setdefault(name, []).append(size)
    words = {OVER: "over-reject in this design", UNDER: "under-reject", CANNOT: "cannot reject at 5 % with "
             f"N = {res.placebo.securities}"}  # fmt: skip
    parts = [
        f"{words[k]}: " + "; ".join(f"{name} ({', '.join(sizes)})" for name, sizes in tests.items())
        for k, tests in by_reading.items()
    ]
    return ("Not read as evidence here (size at 5 % in this study's placebo run outside 4-6 %, or its interval "
            "excludes 5 %): " + ". ".join(parts) + "." if parts else "")  # fmt: skip


def placebo_rows(res: StudyResults) -> list[list[object]]:
    """The placebo run's table: test, window, n, size, interval, power at +1/2/5 %, reading (percent)."""
    s = res.placebo.summary
    out = []
    for r in s.to_dict("records"):
        name, _, window = str(r["test"]).partition(" [")
        window = f"[{window}" if window else "[0,0]"
        out.append([
            name, window.replace(",", ", "), r["n"], f"{r['size'] * 100:.1f}",
            f"{r['size_low'] * 100:.1f}-{r['size_high'] * 100:.1f}",
            *(f"{r[c] * 100:.1f}" for c in ("power_1", "power_2", "power_5")), r["reading"],
        ])  # fmt: skip
    return out


def placebo_intro(res: StudyResults) -> str:
    """The paragraph above the placebo table."""
    p = res.placebo
    if p.run is None:
        return f"The study's placebo run: {p.note}."
    return (
        f"The study's own placebo run: {p.note}. A test is right-sized when its size at 5 % lies in 4-6 % and "
        "its 95 % Wilson interval contains 5 %; only those give the verdicts at the top of each event. Sizes "
        "from a few hundred overlapping dates are a check of the order of magnitude (intervals of ±3-4 points), "
        "in percent; power is the rejection rate at 5 % with 1 %, 2 %, 5 % added to every security's day 0."
    )
