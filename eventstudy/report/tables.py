"""Tables of the report model: the table type, the rows of the CAR and AR tables, which events are shown in detail."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from eventstudy.text_format import fmt_num, fmt_p, fmt_pct

if TYPE_CHECKING:
    from eventstudy.results import StudyResults


def table(
    header: Sequence[str], rows: Iterable[Sequence[object]], align: str = "", *, md_align: str = ""
) -> dict[str, Any]:
    """A table of the report model: header, rows of cells (text, numbers, dates; never markup), alignment.

    ``align`` has one letter per column (``l`` left, the default; ``r`` right; ``n`` left, no wrap in HTML);
    ``md_align`` the Markdown one where it differs (default: ``align``, ``n`` as ``l``).
    """
    align = align.ljust(len(header), "l")
    md_align = (md_align or align.replace("n", "l")).ljust(len(header), "l")
    return {"header": list(header), "rows": [list(r) for r in rows], "align": align, "md_align": md_align}


# -- rows of the report's tables ---------------------------------------------------
CAR_HEADER = ["window", "CAR", "se", "t", "p"]
AR_HEADER = ["day", "session", "return", "market", "expected", "abnormal"]
_EXTRA = ("gamma_", "s_SMB", "h_HML", "garch_alpha", "garch_gamma")  # coefficients besides α and β


def fit_sentence(f: pd.Series | dict[str, Any]) -> str:
    """One sentence on a fitted model (a row of ``StudyResults.fits``, as a Series or a record)."""
    extra = "".join(f"{k} = {fmt_num(v)}, " for k, v in f.items() if str(k).startswith(_EXTRA) and not pd.isna(v))
    return (
        f"Model {f['model']}: α = {fmt_num(f['alpha'] * 100, 4)} % per day, β = {fmt_num(f['beta'])}, {extra}"
        f"σ = {fmt_pct(f['sigma'], 3, sign=False)}, R² = {fmt_num(f['r2'])}, n = {f['n']} "
        f"({f['estimation_start']:%Y-%m-%d} to {f['estimation_end']:%Y-%m-%d})."
    )


def car_rows(car: Iterable[dict[str, Any]]) -> list[list[str]]:
    """CAR table rows for one (event, security), from its records of ``StudyResults.car``."""
    return [
        [f"[{r['start']}, {r['end']}]", fmt_pct(r["car"]), fmt_pct(r["se"], sign=False), fmt_num(r["t"], 2),
         fmt_p(r["p"])]
        for r in car
    ]  # fmt: skip


def ar_rows(ar: Iterable[dict[str, Any]]) -> list[list[object]]:
    """Returns-by-day rows for one (event, security), from its records of ``StudyResults.ar``."""
    return [
        [f"{r['day']:+d}", r["session"], fmt_pct(r["return"]), fmt_pct(r["benchmark"]), fmt_pct(r["expected"]),
         fmt_pct(r["abnormal"])]
        for r in ar
    ]  # fmt: skip


PairRecords = dict[tuple[str, str], list[dict[str, Any]]]


def pair_records(res: StudyResults) -> tuple[PairRecords, PairRecords, PairRecords]:
    """The fits, car and ar records of ``res`` by (event, ticker), each table read once.

    For the report's security sections, on a view of the detailed events (:func:`events_view`).
    """
    out: list[PairRecords] = []
    for frame in (res.fits, res.car, res.ar):
        by: PairRecords = {}
        for r in frame.to_dict("records"):
            by.setdefault((r["event"], r["ticker"]), []).append(r)
        out.append(by)
    return out[0], out[1], out[2]


MAX_DETAILED_EVENTS = 12
LARGE_STUDY_PAIRS = 1_000  # from this many pairs: an "All pairs" section, study-wide figures, capped lists
MAX_LISTED_ROWS = 100  # rows of a study-wide list (flags, overlaps, exclusions) a large study's report shows


_Rows = TypeVar("_Rows", pd.DataFrame, list)


def large_study(res: StudyResults) -> bool:
    """Whether the report summarises every pair (``LARGE_STUDY_PAIRS`` pairs or more) rather than draws each event."""
    return len(res.day0) >= LARGE_STUDY_PAIRS


def listed(rows: _Rows, res: StudyResults) -> tuple[_Rows, int]:
    """The rows (a frame or a list) a study-wide list shows: the first ``MAX_LISTED_ROWS`` of a large study.

    Also how many are left out.
    """
    if not large_study(res) or len(rows) <= MAX_LISTED_ROWS:
        return rows, 0
    return rows[:MAX_LISTED_ROWS], len(rows) - MAX_LISTED_ROWS


PER_EVENT_TABLES = ("day0", "ar", "car", "fits", "moves", "flags", "tests", "residuals")


def events_view(res: StudyResults, events: Iterable[str]) -> StudyResults:
    """``res`` with only these events' rows in its per-event tables (:meth:`StudyResults.view`).

    The report looks rows up event by event; on a study with hundreds of
    events, filtering once makes each lookup cheap.
    """
    return res.view(events, PER_EVENT_TABLES)


def more_note(n: int, what: str, where: str) -> str:
    """'… and N more …' under a list a large study cuts short (:func:`listed`); '' when nothing was cut."""
    if not n:
        return ""
    return f"… and {n:,} more {what}: a large study lists the first {MAX_LISTED_ROWS}; every one is in {where}."


SUMMARY_HEADER = ["window", "pairs", "mean CAR", "median CAR", "p < 0.05 (CAR t)"]


def summary_rows(res: StudyResults) -> tuple[str, list[list[str]]]:
    """The "All pairs" section of a large study: one sentence, and per CAR window its row (``SUMMARY_HEADER``)."""
    s = res.pairs_summary()
    shown = len(detailed_events(res))
    text = (
        f"{s['pairs']:,} (event, security) pairs in {s['events']:,} events and {s['securities']:,} securities, "
        f"{s['excluded']:,} excluded. The report details {shown} event(s); every pair's numbers are in the ar, car "
        "and tests tables (Parquet files in a large study, readable with pandas.read_parquet) and results.json."
    )
    rows = [
        [f"[{w['start']}, {w['end']}]", f"{w['pairs']:,}", fmt_pct(w["mean_car"]), fmt_pct(w["median_car"]),
         "" if w["share_p_below_0_05"] is None else f"{w['share_p_below_0_05'] * 100:.1f} %"]
        for w in s["car"]
    ]  # fmt: skip
    return text, rows


def detailed_events(res: StudyResults) -> list[str]:
    """Events given a full section and figures: those with claims first, at most ``MAX_DETAILED_EVENTS``.

    Events whose day 0 is the same session on every security share the
    section of the first of them (:func:`eventstudy.report.story.same_day0`).

    Large studies (an events CSV with hundreds of rows) keep every number in
    the CSV and JSON files; the report details a readable subset.
    """
    from eventstudy.report.story import same_day0

    together = same_day0(res)  # events with the same day 0 everywhere: one section, for the first
    claimed = {together.first(c.event) for c in res.spec.claims}
    ids = together.ids[together.measured & together.firsts()].tolist()
    ordered = [e for e in ids if e in claimed] + [e for e in ids if e not in claimed]
    keep = set(ordered[:MAX_DETAILED_EVENTS])
    return [e for e in ids if e in keep]


def other_events_note(res: StudyResults, shown: list[str]) -> str:
    """One paragraph on the events without a section, or '' when every event has one."""
    from eventstudy.report.story import same_day0

    together = same_day0(res)
    detailed = {m for e in shown for m in together.get(e, [e])}
    counted = np.zeros(len(together.ids), dtype=bool)  # the events of the pairs not detailed, by position
    unknown: set[str] = set()  # and any not in the study's list
    parts = []
    for car in res.car_windows(["event", "start", "end", "p"]):  # a window at a time, in the study's order
        rest = ~car["event"].isin(detailed).to_numpy()
        n = int(rest.sum())
        if n:
            events = car["event"].to_numpy()[rest]
            at = together.index.get_indexer(events)
            counted[at[at >= 0]] = True
            unknown.update(events[at < 0])
            below = int(((car["p"] < 0.05).to_numpy() & rest).sum())
            parts.append(f"[{car['start'].iat[0]}, {car['end'].iat[0]}]: {below} of {n} with p < 0.05")
    if not parts:
        return ""
    n_events = int(counted.sum()) + len(unknown)
    return (
        f"{n_events} more event(s) are not detailed here; every number is in the ar, car and tests tables "
        f"(ar.csv, car.csv, tests.csv, or .parquet files in a large study) and results.json. "
        f"CAR t tests of those pairs: {'; '.join(parts)}."
    )


def method_notes(model: str) -> list[str]:
    """The report's method section, one sentence per item (Markdown and HTML)."""
    return [
        "Day 0 on each exchange is the first session whose close is after the announcement (exchange_calendars); "
        "windows count that exchange's sessions.",
        "Returns: simple returns of Adj Close (Close where the source has no Adj Close, as for indices); benchmark "
        "returns taken on the security's own sessions.",
        f"Expected returns: {model} model fitted by OLS on the estimation window; σ with n - k degrees of freedom.",
        "CAR standard error: σ²(L + ι'X*(X'X)⁻¹X*'ι) (MacKinlay 1997); t with n - k degrees of freedom, two-sided "
        "p-value.",
        "Figures: the AR band is ±1.96σ of the estimation residuals; the CAR band is ±1.96 × the square root of the "
        "summed daily prediction-error variances (σ_pred = AR / SAR) from day -1, which leaves out the small "
        "covariance of the estimated parameters across days (exact for one day).",
        "Significance: only tests right-sized in the study's own placebo run (size at 5 % in 4-6 %, its 95 % "
        "interval containing 5 %) give the verdict at the top of each event; the others are shown with their size "
        "(e.g. the cross-sectional t, Patell and sign tests over-reject when securities share an event date: "
        "`eventstudy validate`, 2,000 clustered trials: 12.4 %, 13.2 %, 14.5 % at 5 %; docs/methodology.md). "
        "p Holm and p BH: p adjusted by Holm and by Benjamini-Hochberg across the event's windows and "
        "securities, test by test (tests.csv: p_holm, p_bh).",
    ]
