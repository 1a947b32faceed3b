"""The report model: what report.md and report.html say, as plain data, gathered once.

:func:`report_model` returns dicts of text, tables (:func:`eventstudy.report.tables.table`: rows of
formatted cells, never markup) and figures; the templates ``report.md.j2`` and ``report.html.j2``
(:mod:`eventstudy.report.pages`) lay it out and escape it, each for its format. The claims' rows
(:func:`eventstudy.verdict_rows.verdict_rows`) also feed the notebook view and the terminal.

Keys: ``title``, ``study_id``, ``model``, ``window``, ``time_note``, ``data_source``, ``nav`` (HTML),
``verdicts``, ``all_pairs``, ``events``, ``other_events``, ``warnings``, ``candidates``, ``excluded``,
``placebo``, ``method``, ``provenance``; None (or empty) for a section the study does not have.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy.engine.provenance import time_note
from eventstudy.report.story import capped, day0_table, group_label, merged_events, merged_note, named, same_day0
from eventstudy.report.tables import (
    AR_HEADER,
    CAR_HEADER,
    SUMMARY_HEADER,
    PairRecords,
    ar_rows,
    car_rows,
    detailed_events,
    events_view,
    fit_sentence,
    large_study,
    listed,
    method_notes,
    more_note,
    other_events_note,
    pair_records,
    summary_rows,
    table,
)
from eventstudy.text_format import VERDICT_CLASS, fmt_num, fmt_pct, slug
from eventstudy.verdict_rows import verdict_rows

if TYPE_CHECKING:
    from eventstudy.report.figure_jobs import ReportFigure
    from eventstudy.results import StudyResults

Model = dict[str, Any]


def report_model(res: StudyResults, figures: Sequence[ReportFigure] = ()) -> Model:
    """Every section of the report (see the module docstring); ``figures`` as drawn for the report."""
    from eventstudy.report.figure_jobs import is_summary
    from eventstudy.report.measures import measure_notes
    from eventstudy.report.story import overlap_rows

    spec, prov = res.spec, res.provenance
    by_event: dict[str | None, list[ReportFigure]] = {}
    for fig in figures:
        if not is_summary(fig):
            by_event.setdefault(fig.event, []).append(fig)
    nav = [("verdicts", "Verdicts")] if not res.claims.empty else []
    all_pairs = None
    if large_study(res):
        text, rows = summary_rows(res)
        summary = [f for f in figures if is_summary(f)]
        all_pairs = {"text": text, "table": table(SUMMARY_HEADER, rows, "lrrrr"), "figures": summary}
        nav += [("all-pairs", "All pairs")]
    shown = detailed_events(res)
    nav += [(f"event-{slug(e)}", f"Event {e}") for e in shown]
    nav += [("warnings", "Warnings")]
    nav += [("candidates", "Every candidate")] if not res.candidates.empty else []
    nav += [("excluded", "Excluded")] if not res.excluded.empty else []
    nav += [("placebo", "Placebo run"), ("method", "Method"), ("provenance", "Provenance")]
    _ = res.placebo  # computed once, shared with the events' view
    detail = events_view(res, shown)
    overlaps = overlap_rows(res)  # once: each event's section takes its rows
    records = pair_records(detail)
    return {
        "title": spec.title,
        "study_id": spec.id,
        "model": res.model,
        "window": spec.estimation_window,
        "time_note": time_note(prov),
        "data_source": prov.get("data_source", ""),
        "nav": nav,
        "verdicts": _verdicts(res, by_event.get(None, [])) if not res.claims.empty else None,
        "all_pairs": all_pairs,
        "events": [_event(detail, e, by_event.get(e, []), res, overlaps, records) for e in shown],
        "other_events": other_events_note(res, shown),
        "warnings": _warnings(res, overlaps),
        "candidates": _candidates(res) if not res.candidates.empty else None,
        "excluded": _excluded(res) if not res.excluded.empty else None,
        "placebo": _placebo(res),
        "method": method_notes(res.model) + measure_notes(res),
        "provenance": _provenance(res),
    }


def _verdicts(res: StudyResults, figures: Sequence[ReportFigure]) -> Model:
    """The claims section: every row in claim order, the groups judged together, the rules, the claims chart."""
    from eventstudy.claims.verdicts import GROUP_RULE, MEASURES_RULE, RULES, TOLERANCE_RULE
    from eventstudy.report.story import group_story, grouped_claims, shared_quote

    counts = res.claims["verdict"].value_counts()
    groups = []
    for group, g in grouped_claims(res):
        quote = shared_quote(g)
        groups.append(
            {
                "group": group,
                "claims": list(g["claim"]),
                "quote": quote,
                "sources": [s for s in dict.fromkeys(g["source"]) if s],
                "story": group_story(g),
                "rows": verdict_rows(g, quote),
            }
        )
    return {
        "rows": verdict_rows(res.claims),
        "counts": [(v, int(counts[v])) for v in VERDICT_CLASS if v in counts],
        "groups": groups,
        "rules": list(RULES.items()),
        "group_rule": GROUP_RULE,
        "tolerance_rule": TOLERANCE_RULE,
        "measures_rule": MEASURES_RULE,
        "figures": list(figures),
    }


# -- per event ------------------------------------------------------------------------
def _event(
    res: StudyResults,
    event_id: str,
    figures: Sequence[ReportFigure],
    full: StudyResults,
    overlaps: pd.DataFrame,
    records: tuple[PairRecords, PairRecords, PairRecords],
) -> Model:
    """One event's section; ``res`` is the view of the detailed events, ``full`` the whole study."""
    from eventstudy.report.measures import event_measures
    from eventstudy.report.significance import TEST_HEADER, headline, misfits, test_rows

    ev = res.spec.event(event_id)
    if ev.date_only:
        when = f"{ev.timestamp:%Y-%m-%d} (date only: day 0 is the first session on or after it)"
    else:
        when = f"{ev.timestamp:%Y-%m-%d %H:%M} UTC" + (" (approximate time)" if ev.approximate else "")
    merged = None
    if note := merged_note(full, ev.id):
        anchors = capped(same_day0(full)[ev.id][1:], full)[0]
        merged = {"anchors": anchors, "note": note, "lines": merged_events(full, ev.id)}
    reported = []
    if ev.reported_dates and not ev.date_only:
        from eventstudy.market.calendars import explain_reported_date

        reported = [(src, day, explain_reported_date(ev.timestamp, day)) for src, day in ev.reported_dates]
    d0 = res.day0[res.day0["event"] == ev.id]
    flags, overlaps, overlaps_more = _event_warnings(res, ev.id, full, overlaps)
    tickers, n_more = listed(list(d0["ticker"]), full)  # a large study's first securities of the event
    day0_header, day0_rows = day0_table(full, ev.id)
    at, shown = day0_header.index("ticker"), set(tickers)
    tested = res.tests is not None and not res.tests.empty and bool((res.tests["event"] == event_id).any())
    return {
        "id": ev.id,
        "title": ev.title,
        "when": when,
        "note": ev.note,
        "merged": merged,
        "sources": list(ev.sources),
        "reported_dates": reported,
        "day0": table(day0_header, [r for r in day0_rows if r[at] in shown]),  # every event of the section
        "figures": list(figures),
        "moves": _moves(res, ev.id),
        "securities": [_security(records, ev.id, str(t)) for t in tickers],
        "securities_more": more_note(n_more, "securities of this event", "the day0, ar, car and tests tables"),
        "measures": event_measures(full, ev.id),
        # what holds: right-sized tests and their verdict, mis-sized ones named; then every test (HTML: p lists wrap)
        "holds": {"lines": headline(res, ev.id), "misfits": misfits(res, ev.id)} if tested else None,
        "tests": table(TEST_HEADER, test_rows(res, ev.id), "nlrllll", md_align="llrrrrl") if tested else None,
        "flags": flags,
        "overlaps": overlaps,
        "overlaps_more": overlaps_more,
    }


def _moves(res: StudyResults, event_id: str) -> Model | None:
    mv = res.moves[res.moves["event"] == event_id]
    if mv.empty:
        return None
    rows = [[r["ticker"], f"{r['day']:+d}", r["session"], fmt_pct(r["close_to_close"]), fmt_pct(r["overnight"]),
             fmt_pct(r["intraday"]), f"{fmt_pct(r['low'])} to {fmt_pct(r['high'])}", r["source"]]
            for r in mv.to_dict("records")]  # fmt: skip
    header = ["ticker", "day", "session", "close to close", "overnight", "open to close", "day's range", "OHLC source"]
    return {"table": table(header, rows, "lrlrrrrl"), "notes": sorted({n for n in mv["note"] if n})}


def _security(records: tuple[PairRecords, PairRecords, PairRecords], event_id: str, ticker: str) -> Model:
    fits, cars, ars = records
    fit = fits.get((event_id, ticker))
    if not fit:
        return {"ticker": ticker, "excluded": True}
    f = fit[0]
    car, ar = cars.get((event_id, ticker), []), ars.get((event_id, ticker), [])
    return {
        "ticker": ticker,
        "excluded": False,
        "benchmark": f["benchmark"],
        "fit": fit_sentence(f),
        "car": table(CAR_HEADER, car_rows(car), "lrrrr"),
        "ar": table(AR_HEADER, ar_rows(ar), "rnrrrr"),
    }


def _event_warnings(
    res: StudyResults, event_id: str, full: StudyResults, ov: pd.DataFrame
) -> tuple[Model | None, Model | None, str]:
    """The unusual days and the overlapping events of one event, as tables (None when there are none).

    ``ov``: the study's overlaps as :func:`eventstudy.report.story.overlap_rows` gives them. Also the note
    on the overlap rows a large study leaves out ('' when none).
    """
    from eventstudy.report.story import flag_label

    flags = res.flags[res.flags["event"] == event_id]
    ov = ov[ov["event"] == event_id]  # event_id: the first of its group (a detailed event)
    flag_table = overlap_table = None
    more = 0
    if not flags.empty:
        rows = [
            [f["ticker"], f"{f['day']:+d}", f["session"], fmt_pct(f["abnormal"]), fmt_num(f["z"], 2),
             flag_label(full, f.get("day0_of", ""))]
            for f in flags.to_dict("records")
        ]  # fmt: skip
        flag_table = table(["ticker", "day", "session", "abnormal", "z", "news that day"], rows, "lrlrrl")
    if not ov.empty:
        groups: dict[tuple[str, str, int], list[str]] = {}
        for o in ov.to_dict("records"):
            span = f"{o['first_shared']:%Y-%m-%d} to {o['last_shared']:%Y-%m-%d}"
            groups.setdefault((o["nearest_event"], span, int(o["overlapping"])), []).append(str(o["ticker"]))
        shown, more = listed(list(groups.items()), full)
        rows = [[group_label(full, other), ", ".join(t), span, n] for (other, span, n), t in shown]
        header = ["nearest overlapping event", "tickers", "sessions shared with any", "overlapping events"]
        overlap_table = table(header, rows, "llnr")
    return flag_table, overlap_table, more_note(more, "rows", "the overlaps table")


# -- study-wide sections ----------------------------------------------------------------
def _warnings(res: StudyResults, overlaps: pd.DataFrame) -> Model:
    """Study-wide: where each event's warnings are (HTML), every unusual day and overlap (Markdown), fat tails."""
    from eventstudy.report.story import flag_rows, overlap_summary

    items, more = _warning_entries(res)
    rates, rates_more = [], ""
    fits = res.every_fit()
    if "share_abs_z_ge_3" in fits and not fits.empty:
        by_ticker, n_more = listed(fits.groupby("ticker", sort=False)["share_abs_z_ge_3"].max(), res)
        rates = [(t, f"{r * 100:.1f} %") for t, r in by_ticker.items()]
        rates_more = f" and {n_more:,} more securities (fits table: share_abs_z_ge_3)" if n_more else ""
    flags, flags_more = listed(res.flags, res)
    shown = flag_rows(dataclasses.replace(res, flags=flags)) if flags_more else flag_rows(res)
    rows = [[f["event"], f["ticker"], f"{f['day']:+d}", f["session"], fmt_pct(f["abnormal"]), fmt_num(f["z"], 2),
             f["label"]] for f in shown.to_dict("records")]  # fmt: skip
    overlaps, overlaps_more = listed(overlaps, res)
    spans = [[o["ticker"], group_label(res, o["event"]), group_label(res, o["nearest_event"]),
              f"{o['first_shared'].date()} to {o['last_shared'].date()}", o["overlapping"]]
             for o in overlaps.to_dict("records")]  # fmt: skip
    header = ["ticker", "event", "nearest overlapping event", "sessions shared with any", "overlapping events"]
    return {
        "entries": items,
        "more": more_note(more, "events with warnings", "flags.csv and the overlaps table"),
        "rates": rates,
        "rates_more": rates_more,
        "any": not res.flags.empty or not res.overlaps.empty,
        "flags": table(["event", "ticker", "day", "session", "abnormal", "z", "news that day"], rows, "llrlrrl")
        if not res.flags.empty
        else None,
        "flags_more": more_note(flags_more, "unusual days", "flags.csv"),
        "overlaps": table(header, spans, "lllll") if not overlaps.empty else None,
        "overlaps_more": more_note(overlaps_more, "rows", "the overlaps table"),
        "overlap_summary": overlap_summary(res),
    }


def _warning_entries(res: StudyResults) -> tuple[list[Model], int]:
    """Per event (events sharing a day 0 once): how many unusual days, which events it shares sessions with.

    The entries a list shows (:func:`listed`), and how many are left out; the text only for those shown.
    """
    together = same_day0(res)  # events with one day 0 everywhere are listed once, together
    shown = set(detailed_events(res))
    n = len(together.ids)
    flag_counts = res.flags["event"].value_counts()
    n_flags = np.zeros(n, dtype=np.int64)  # by event position; integer positions, never a million strings
    at = together.index.get_indexer(flag_counts.index)
    n_flags[at[at >= 0]] = flag_counts.to_numpy()[at >= 0]
    a, b = (together.head_at(together.index.get_indexer(res.overlaps[c])) for c in ("event", "nearest_event"))
    a, b = np.concatenate([a, b]), np.concatenate([b, a])
    links = np.unique(a[a != b] * n + b[a != b])  # (group, other group) once each, by group
    linked = np.zeros(n, dtype=bool)
    linked[links // n] = True
    found, more = listed(np.flatnonzero(together.firsts() & ((n_flags > 0) | linked)), res)  # each group by its first
    items = []
    for i in found:
        eid, flags = together.ids[i], int(n_flags[i])
        others = sorted(together.ids[links[np.searchsorted(links, i * n) : np.searchsorted(links, (i + 1) * n)] % n])
        what = [f"{flags} unusual day(s)"] if flags else []
        ids = [m for o in others for m in together.get(o, [o])]
        what += ["windows shared with " + named(ids, res)] if others else []
        items.append({"id": eid, "label": group_label(res, eid), "link": eid in shown, "what": what})
    return items, more


def _candidates(res: StudyResults) -> Model:
    rows = [[c["claim"], c["ticker"], f"{c['day']:+d}", c["session"], str(c["measure"]).replace("_", "-"),
             fmt_pct(c["measured"]), fmt_pct(c["abnormal"]), fmt_pct(c["distance"], sign=False),
             "yes" if c["match"] else ""] for c in res.candidates.to_dict("records")]  # fmt: skip
    header = ["claim", "ticker", "day", "session", "measure", "measured", "abnormal", "distance", "within tolerance"]
    return table(header, rows, "llrllrrrl")


def _excluded(res: StudyResults) -> Model:
    rows, more = listed(res.excluded, res)
    cells = list(rows[["event", "ticker", "reason"]].itertuples(index=False))
    note = more_note(more, "excluded pairs", "results.json (excluded)")
    return {**table(["event", "ticker", "reason"], cells), "more": note}


def _placebo(res: StudyResults) -> Model:
    from eventstudy.report.significance import PLACEBO_HEADER, placebo_intro, placebo_rows

    rows = placebo_rows(res)
    return {"intro": placebo_intro(res), "table": table(PLACEBO_HEADER, rows, "lnrrrrrrl") if rows else None}


_DETAIL_KEYS = ("file", "sha256", "retrieved_at", "first", "last", "cache")


def _provenance(res: StudyResults) -> Model:
    prov = res.provenance
    data = prov.get("data", {})
    retrieved = any(info.get("retrieved_at") for info in data.values())
    rows = []
    for symbol, info in data.items():
        cells = [symbol, info.get("file") or info.get("cache", ""), info.get("first", ""), info.get("last", "")]
        cells += [info.get("retrieved_at", "")] if retrieved else []
        detail = ", ".join(f"{k} {v}" for k, v in info.items() if k in _DETAIL_KEYS)
        rows.append({"symbol": symbol, "cells": cells, "sha256": info.get("sha256", ""), "detail": detail})
    header = ["symbol", "file", "first", "last", *(["retrieved"] if retrieved else []), "sha256"]
    warned, more = listed(prov.get("data_warnings", []), res)
    return {
        "study_file": prov.get("study_file", ""),
        "study_sha256": prov.get("study_sha256", ""),
        "generated_at": prov.get("generated_at", ""),
        "data_as_of": prov.get("data_as_of", ""),
        "header": header,
        "align": "llnn" + ("n" if retrieved else "") + "l",
        "rows": rows,
        "packages": ", ".join(f"{k} {v}" for k, v in prov.get("packages", {}).items()),
        "data_warnings": [*warned, *([more_note(more, "data warnings", "results.json (provenance)")] if more else [])],
    }
