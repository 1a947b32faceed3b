"""The HTML report: one self-contained file.

:func:`render_html` writes a page that needs nothing but a browser: CSS is
inline, figures are embedded as ``data:image/png;base64`` URIs, and there is
no script, web font or other network resource. The verdict for each claim
comes first, then the evidence per event, the warnings, the method and the
provenance. The page is the jinja2 template ``report/templates/report.html.j2``
(CSS in ``report.css``) with autoescape on: every value put into it, text from
a study file or an article included, is escaped; this module only gathers the
values (text and tables, no markup).

Section ids (stable, for links and tests): ``verdicts``, ``claims-figure``, ``all-pairs`` (a large study),
``event-<event id>`` (with ``event-<event id>-<ticker>`` per security and, when measured,
``event-<event id>-volume``, ``-volatility``, ``-bhar``, ``-measure-tests``),
``warnings``, ``candidates``, ``excluded``, ``method``, ``provenance``.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pandas as pd

from eventstudy.engine.provenance import time_note
from eventstudy.formats import VERDICT_CLASS, VERDICT_MARK, best_match, fmt_num, fmt_pct, slug
from eventstudy.report.story import day0_table, merged_events, merged_note, same_day0
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
)

if TYPE_CHECKING:
    from jinja2 import Environment

    from eventstudy.report.render import ReportFigure
    from eventstudy.results import StudyResults


_ALIGN = {"l": "", "r": ' class="r"', "n": ' class="nw"'}  # table column letters: CSS classes of report.css


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """The templates of report/templates/, autoescaped, with the filters they use."""
    from jinja2 import Environment, PackageLoader, StrictUndefined
    from markupsafe import Markup

    env = Environment(
        loader=PackageLoader("eventstudy.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(
        slug=slug,
        cell=_cell,
        align_attr=lambda a: Markup(_ALIGN[a]),
        verdict_class=lambda v: VERDICT_CLASS.get(v, "no"),
        verdict_mark=lambda v: VERDICT_MARK[VERDICT_CLASS.get(v, "no")],
    )
    return env


def _cell(value: object) -> object:
    """A table cell as text: a date without a time as YYYY-MM-DD, None as empty."""
    if value is None:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() else value
    return value


def _table(header: Sequence[str], rows: Sequence[Sequence[object]], align: str = "") -> dict[str, Any]:
    """A table for the template; ``align`` has one letter per column: ``l`` left, ``r`` right, ``n`` no wrap."""
    return {"header": list(header), "rows": [list(r) for r in rows], "align": align.ljust(len(header), "l")}


def _figure(fig: ReportFigure) -> dict[str, str]:
    """A figure embedded as a data URI."""
    data = base64.b64encode(fig.data).decode("ascii")
    return {
        "id": slug(fig.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]),
        "caption": fig.caption,
        "uri": f"data:{fig.mime};base64,{data}",
    }


# -- the page ---------------------------------------------------------------------
def render_html(res: StudyResults, figures: Sequence[ReportFigure] = ()) -> str:
    """The complete report page (see the module docstring)."""
    from eventstudy.report.render import is_summary
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
        summary = [_figure(f) for f in figures if is_summary(f)]
        all_pairs = {"text": text, "table": _table(SUMMARY_HEADER, rows, "lrrrr"), "figures": summary}
        nav += [("all-pairs", "All pairs")]
    shown = detailed_events(res)
    nav += [(f"event-{slug(e)}", f"Event {e}") for e in shown]
    nav += [("warnings", "Warnings")]
    nav += [("candidates", "Every candidate")] if not res.candidates.empty else []
    nav += [("excluded", "Excluded")] if not res.excluded.empty else []
    nav += [("placebo", "Placebo run"), ("method", "Method"), ("provenance", "Provenance")]
    _ = res.placebo  # computed once, shared with the events' view
    detail = events_view(res, shown)
    excluded = None
    if not res.excluded.empty:
        rows, more = listed(res.excluded, res)
        excluded = _table(
            ["event", "ticker", "reason"], list(rows[["event", "ticker", "reason"]].itertuples(index=False))
        )
        excluded["more"] = more_note(more, "excluded pairs", "results.json (excluded)")
    overlaps = overlap_rows(res)  # once: each event's section takes its rows
    records = pair_records(detail)
    context = {
        "title": spec.title or spec.id,
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
        "warnings": _warnings(res),
        "candidates": _candidates(res) if not res.candidates.empty else None,
        "excluded": excluded,
        "placebo": _placebo(res),
        "method": method_notes(res.model) + _measure_notes(res),
        "provenance": _provenance(res),
    }
    return _environment().get_template("report.html.j2").render(context)


def _verdicts(res: StudyResults, figures: Sequence[ReportFigure]) -> dict[str, Any]:
    from eventstudy.claims.verdicts import GROUP_RULE, MEASURES_RULE, RULES, TOLERANCE_RULE
    from eventstudy.report.story import group_story, grouped_claims, shared_quote

    counts = res.claims["verdict"].value_counts()
    groups = []
    for group, g in grouped_claims(res):
        quote = shared_quote(g)
        rows = [
            {
                "claim": c["claim"],
                "ticker": c["ticker"],
                "event": c["event"],
                "reported_text": c["reported_text"],
                "verdict": c["verdict"],
                "verdict_rest": c["verdict_label"][len(c["verdict"]) :],
                "session": c["session"],
                "implied_session": c["implied_session"],
                "best": best_match(c, sep="\n").split("\n"),
                "measured": fmt_pct(c["measured"]),
                "abnormal": fmt_pct(c["abnormal"]),
                "quote": c["quote"] if c["quote"] and not quote else "",
                "source": c["source"],
                "finding": c["finding"],
            }
            for c in g.to_dict("records")
        ]
        groups.append(
            {
                "group": group,
                "claims": list(g["claim"]),
                "quote": quote,
                "sources": [s for s in dict.fromkeys(g["source"]) if s],
                "story": group_story(g),
                "rows": rows,
            }
        )
    return {
        "counts": [(v, int(counts[v])) for v in VERDICT_CLASS if v in counts],
        "header": [
            "claim",
            "reported",
            "verdict",
            "judged on",
            "session implied",
            "best match",
            "measured",
            "abnormal",
        ],
        "align": "nlnnnnrr",
        "groups": groups,
        "rules": list(RULES.items()),
        "group_rule": GROUP_RULE,
        "tolerance_rule": TOLERANCE_RULE,
        "measures_rule": MEASURES_RULE,
        "figures": [_figure(f) for f in figures],
    }


# -- per event ------------------------------------------------------------------------
def _event(
    res: StudyResults,
    event_id: str,
    figures: Sequence[ReportFigure],
    full: StudyResults,
    overlaps: pd.DataFrame,
    records: tuple[PairRecords, PairRecords, PairRecords],
) -> dict[str, Any]:
    ev = res.spec.event(event_id)
    if ev.date_only:
        when = f"{ev.timestamp:%Y-%m-%d} (date only: day 0 is the first session on or after it)"
    else:
        when = f"{ev.timestamp:%Y-%m-%d %H:%M} UTC" + (" (approximate time)" if ev.approximate else "")
    merged = None
    if note := merged_note(full, ev.id):
        merged = {"anchors": same_day0(full)[ev.id][1:], "note": note, "lines": merged_events(full, ev.id)}
    reported = []
    if ev.reported_dates and not ev.date_only:
        from eventstudy.market.calendars import explain_reported_date

        reported = [(src, day, explain_reported_date(ev.timestamp, day)) for src, day in ev.reported_dates]
    d0 = res.day0[res.day0["event"] == ev.id]
    flags, overlaps = _event_warnings(res, ev.id, full, overlaps)
    return {
        "id": ev.id,
        "title": f"Event {ev.id}" + (f": {ev.title}" if ev.title else ""),
        "when": when,
        "note": ev.note,
        "merged": merged,
        "sources": list(ev.sources),
        "reported_dates": reported,
        "day0": _table(*day0_table(full, ev.id)),  # every event of the section
        "figures": [_figure(f) for f in figures],
        "moves": _moves(res, ev.id),
        "securities": [_security(records, ev.id, str(t)) for t in d0["ticker"]],
        "tests": _tests(res, ev.id),
        "measures": _measures(full, ev.id),
        "holds": _holds(res, ev.id),
        "flags": flags,
        "overlaps": overlaps,
    }


def _moves(res: StudyResults, event_id: str) -> dict[str, Any] | None:
    mv = res.moves[res.moves["event"] == event_id]
    if mv.empty:
        return None
    rows = [
        [
            r["ticker"],
            f"{r['day']:+d}",
            r["session"],
            fmt_pct(r["close_to_close"]),
            fmt_pct(r["overnight"]),
            fmt_pct(r["intraday"]),
            f"{fmt_pct(r['low'])} to {fmt_pct(r['high'])}",
            r["source"],
        ]
        for r in mv.to_dict("records")
    ]
    header = ["ticker", "day", "session", "close to close", "overnight", "open to close", "day's range", "OHLC source"]
    return {"table": _table(header, rows, "lrlrrrrl"), "notes": sorted({n for n in mv["note"] if n})}


def _security(records: tuple[PairRecords, PairRecords, PairRecords], event_id: str, ticker: str) -> dict[str, Any]:
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
        "car": _table(CAR_HEADER, car_rows(car), "lrrrr"),
        "ar": _table(AR_HEADER, ar_rows(ar), "rnrrrr"),
    }


def _measures(res: StudyResults, event_id: str) -> list[dict[str, Any]]:
    """Volume, volatility and BHAR blocks of one event (template ``measures.html.j2``)."""
    from eventstudy.report.measures import event_measures

    return [{**b, "table": _table(b["header"], b["rows"], b["align"])} for b in event_measures(res, event_id)]


def _measure_notes(res: StudyResults) -> list[str]:
    from eventstudy.report.measures import measure_notes

    return measure_notes(res)


def _tests(res: StudyResults, event_id: str) -> dict[str, Any] | None:
    """The event's tests by window, with each test's size in the study's placebo run."""
    from eventstudy.report.significance import TEST_HEADER, test_rows

    tests = getattr(res, "tests", None)
    if tests is None or tests.empty or not (tests["event"] == event_id).any():
        return None
    return _table(TEST_HEADER, test_rows(res, event_id), "nlrllll")  # p lists of the securities wrap


def _holds(res: StudyResults, event_id: str) -> dict[str, Any] | None:
    """The summary at the top of an event: right-sized tests and their verdict, mis-sized ones named."""
    from eventstudy.report.significance import headline, misfits

    tests = getattr(res, "tests", None)
    if tests is None or tests.empty or not (tests["event"] == event_id).any():
        return None
    return {"lines": headline(res, event_id), "misfits": misfits(res, event_id)}


def _placebo(res: StudyResults) -> dict[str, Any]:
    from eventstudy.report.significance import PLACEBO_HEADER, placebo_intro, placebo_rows

    rows = placebo_rows(res)
    return {"intro": placebo_intro(res), "table": _table(PLACEBO_HEADER, rows, "lnrrrrrrl") if rows else None}


def _event_warnings(
    res: StudyResults, event_id: str, full: StudyResults, ov: pd.DataFrame
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The unusual days and the overlapping events of one event, as tables (None when there are none).

    ``ov``: the study's overlaps as :func:`eventstudy.report.story.overlap_rows` gives them.
    """
    from eventstudy.report.story import flag_label, same_day0

    flags = res.flags[res.flags["event"] == event_id]
    ov = ov[ov["event"] == ", ".join(same_day0(full).get(event_id, [event_id]))]
    flag_table = overlap_table = None
    if not flags.empty:
        rows = [
            [f["ticker"], f"{f['day']:+d}", f["session"], fmt_pct(f["abnormal"]), fmt_num(f["z"], 2),
             flag_label(full, f.get("day0_of", ""))]
            for f in flags.to_dict("records")
        ]  # fmt: skip
        flag_table = _table(["ticker", "day", "session", "abnormal", "z", "news that day"], rows, "lrlrrl")
    if not ov.empty:
        groups: dict[tuple[str, str, int], list[str]] = {}
        for o in ov.to_dict("records"):
            span = f"{o['first_shared']:%Y-%m-%d} to {o['last_shared']:%Y-%m-%d}"
            groups.setdefault((o["nearest_event"], span, int(o["overlapping"])), []).append(str(o["ticker"]))
        rows = [[other, ", ".join(t), span, n] for (other, span, n), t in groups.items()]
        overlap_table = _table(
            ["nearest overlapping event", "tickers", "sessions shared with any", "overlapping events"], rows, "llnr"
        )
    return flag_table, overlap_table


# -- study-wide sections ----------------------------------------------------------------
def _warnings(res: StudyResults) -> dict[str, Any]:
    """Study-wide: where each event's warnings are, and how fat-tailed the residuals are."""
    items = []
    shown = set(detailed_events(res))
    flag_counts = res.flags["event"].value_counts()
    together = same_day0(res)  # events with one day 0 everywhere are listed once, together
    rep = {e: ids[0] for e, ids in together.items()}
    ends = [res.overlaps[c].map(rep).fillna(res.overlaps[c]) for c in ("event", "nearest_event")]
    links = pd.DataFrame({"a": pd.concat(ends), "b": pd.concat(ends[::-1])}).drop_duplicates()
    shared: dict[str, set[str]] = {a: set(b) for a, b in links.groupby("a", sort=False)["b"]}
    for ev in res.spec.events:
        if rep.get(ev.id, ev.id) != ev.id:
            continue
        n_flags = int(flag_counts.get(ev.id, 0))
        others = sorted(shared.get(ev.id, set()) - {ev.id})
        if not n_flags and not others:
            continue
        what = [f"{n_flags} unusual day(s)"] if n_flags else []
        what += ["windows shared with " + ", ".join(", ".join(together.get(o, [o])) for o in others)] if others else []
        label = ", ".join(together.get(ev.id, [ev.id]))
        items.append({"id": ev.id, "label": label, "link": ev.id in shown, "what": what})
    items, more = listed(items, res)
    rates = []
    if "share_abs_z_ge_3" in res.fits and not res.fits.empty:
        by_ticker = res.fits.groupby("ticker", sort=False)["share_abs_z_ge_3"].max()
        rates = [(t, f"{r * 100:.1f} %") for t, r in by_ticker.items()]
    return {
        "entries": items,
        "more": more_note(more, "events with warnings", "flags.csv and the overlaps table"),
        "rates": rates,
    }


def _candidates(res: StudyResults) -> dict[str, Any]:
    rows = [
        [
            c["claim"],
            c["ticker"],
            f"{c['day']:+d}",
            c["session"],
            str(c["measure"]).replace("_", "-"),
            fmt_pct(c["measured"]),
            fmt_pct(c["abnormal"]),
            fmt_pct(c["distance"], sign=False),
            "yes" if c["match"] else "",
        ]
        for c in res.candidates.to_dict("records")
    ]
    header = ["claim", "ticker", "day", "session", "measure", "measured", "abnormal", "distance", "within tolerance"]
    return _table(header, rows, "llrllrrrl")


def _provenance(res: StudyResults) -> dict[str, Any]:
    prov = res.provenance
    data = prov.get("data", {})
    retrieved = any(info.get("retrieved_at") for info in data.values())
    rows = []
    for symbol, info in data.items():
        row = [symbol, info.get("file") or info.get("cache", ""), info.get("first", ""), info.get("last", "")]
        row += [info.get("retrieved_at", "")] if retrieved else []
        rows.append((row, info.get("sha256", "")))
    header = ["symbol", "file", "first", "last", *(["retrieved"] if retrieved else []), "sha256"]
    return {
        "study_file": prov.get("study_file", ""),
        "study_sha256": prov.get("study_sha256", ""),
        "generated_at": prov.get("generated_at", ""),
        "data_as_of": prov.get("data_as_of", ""),
        "header": header,
        "align": "llnn" + ("n" if retrieved else "") + "l",
        "rows": rows,
        "packages": ", ".join(f"{k} {v}" for k, v in prov.get("packages", {}).items()),
        "data_warnings": prov.get("data_warnings", []),
    }
