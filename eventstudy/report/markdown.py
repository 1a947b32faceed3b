"""The Markdown report."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from eventstudy.engine.provenance import time_note
from eventstudy.formats import best_match, fmt_num, fmt_pct, md_code, md_text
from eventstudy.report.story import day0_table, merged_events, merged_note
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
    markdown_table,
    method_notes,
    more_note,
    other_events_note,
    pair_records,
    summary_rows,
)

if TYPE_CHECKING:
    from eventstudy.results import StudyResults


def render_markdown(
    res: StudyResults, figures: dict[str, list[str]] | None = None, summary: list[tuple[str, str]] | None = None
) -> str:
    """Render the report.

    ``figures`` maps event id → relative figure paths ("" → the claims chart);
    ``summary``: (path, caption) of the study-wide figures of a large study's "All pairs" section.
    """
    spec, prov = res.spec, res.provenance
    out = [f"# {md_text(spec.title, literal=True)}", ""]
    out.append(
        f"Study `{spec.id}` · model **{res.model}** · estimation window "
        f"[{spec.estimation_window[0]}, {spec.estimation_window[1]}] sessions · {time_note(prov)} · "
        f"data: {md_text(prov.get('data_source', ''))}"
    )
    out += [
        "",
        "Returns are simple close-to-close returns from adjusted prices; percent in this report, "
        "decimals in the CSV and JSON files.",
        "",
    ]
    if not res.claims.empty:
        out += ["## The articles' claims against the market", "", _claims_summary(res), ""]
        out += [f"![Reported against measured moves]({p})" for p in (figures or {}).get("", [])] + [""]
    if large_study(res):
        text, rows = summary_rows(res)
        out += ["## All pairs", "", text, "", markdown_table(rows, SUMMARY_HEADER, "lrrrr"), ""]
        out += [f"![{md_text(caption)}]({path})" for path, caption in summary or []]
        out += [""] if summary else []
    shown = detailed_events(res)
    _ = res.placebo  # computed once, shared with the events' view
    detail = events_view(res, shown)
    records = pair_records(detail)
    for event_id in shown:
        out += _event_section(detail, event_id, (figures or {}).get(event_id, []), res, records)
    if note := other_events_note(res, shown):
        out += ["## Other events", "", note, ""]
    if not res.flags.empty or not res.overlaps.empty:
        out += ["## Warnings", "", *_flags(res)]
    if not res.candidates.empty:
        out += ["## Claims: every candidate measure", "", _candidates(res), ""]
    if not res.excluded.empty:
        excluded, more = listed(res.excluded, res)
        rows = excluded[["event", "ticker", "reason"]].itertuples(index=False)
        out += ["## Excluded", "", markdown_table(list(rows), ["event", "ticker", "reason"]), ""]
        out += [more_note(more, "excluded pairs", "results.json (excluded)"), ""] if more else []
    out += _placebo_section(res)
    out += _method(res) + _provenance(res)
    return "\n".join(out) + "\n"


def _claims_summary(res: StudyResults) -> str:
    from eventstudy.claims.verdicts import GROUP_RULE, MEASURES_RULE, RULES, TOLERANCE_RULE
    from eventstudy.report.story import group_story, grouped_claims, shared_quote

    rows = []
    for c in res.claims.to_dict("records"):
        rows.append(
            [md_text(c["claim"]), c["ticker"], c["reported_text"], f"**{c['verdict_label']}**", c["session"],
             c["implied_session"], best_match(c), fmt_pct(c["measured"]), fmt_pct(c["abnormal"])]
        )  # fmt: skip
    header = ["claim", "ticker", "reported", "verdict", "judged on", "session implied", "best match", "measured",
              "abnormal"]  # fmt: skip
    lines = [markdown_table(rows, header, "llrllllrr"), ""]
    for _, g in grouped_claims(res):
        members = g.to_dict("records")
        quote = shared_quote(g)
        lines.append(f"### {md_text(', '.join(c['claim'] for c in members))}")
        lines.append("")
        if quote:
            sources = ", ".join(md_code(s) for s in dict.fromkeys(g["source"]) if s)
            lines += [f"> “{md_text(quote, literal=True)}”" + (f" ({sources})" if sources else ""), ""]
        if story := group_story(g):
            lines += [md_text(story), ""]
        for c in members:
            own = (
                f" — “{md_text(c['quote'], literal=True)}” ({md_code(c['source'])})" if c["quote"] and not quote else ""
            )
            lines.append(f"- **{md_text(c['claim'])}**, *{c['verdict']}*: {md_text(c['finding'])}{own}")
        lines.append("")
    lines += ["Verdicts, on the session in “judged on”:", ""]
    lines += [f"- **{v}**: {rule}." for v, rule in RULES.items()]
    lines += [
        "",
        f"{GROUP_RULE} {TOLERANCE_RULE} {MEASURES_RULE}",
    ]
    return "\n".join(lines)


def _event_section(
    res: StudyResults,
    event_id: str,
    figures: list[str],
    full: StudyResults | None = None,
    records: tuple[PairRecords, PairRecords, PairRecords] | None = None,
) -> list[str]:
    ev = res.spec.event(event_id)
    if ev.date_only:
        when = ev.timestamp.strftime("%Y-%m-%d") + " (date only: day 0 is the first session on or after it)"
    else:
        when = ev.timestamp.strftime("%Y-%m-%d %H:%M UTC") + (" (approximate time)" if ev.approximate else "")
    out = [f"## Event `{ev.id}`: {md_text(ev.title, literal=True)}", "", f"Announced {when}."]
    out += _holds(res, ev.id)
    if ev.note:
        out += ["", md_text(ev.note, literal=True)]
    if merged := merged_note(full or res, ev.id):
        out += ["", f"**One day 0, several events.** {md_text(merged)}", ""]
        out += [f"- {md_text(line)}" for line in merged_events(full or res, ev.id)]
    if ev.sources:
        out += ["", "Sources: " + ", ".join(md_code(s) for s in ev.sources) + "."]
    if ev.reported_dates and not ev.date_only:
        from eventstudy.market.calendars import explain_reported_date

        out += [""] + [
            f"- {md_code(src)} dates it {day}: {explain_reported_date(ev.timestamp, day)}."
            for src, day in ev.reported_dates
        ]
    d0 = res.day0[res.day0["event"] == ev.id]
    header, rows = day0_table(full or res, ev.id)  # every event of the section
    out += ["", markdown_table(rows, header), ""]
    out += [f"![{p.split('/')[-1].split('_')[0]} around {ev.id}]({p})" for p in figures]
    out += [""] if figures else []
    out += _moves_section(res, ev.id)
    records = pair_records(res) if records is None else records
    for ticker in d0["ticker"]:
        out += _security_section(records, ev.id, ticker)
    out += _measures(full or res, ev.id)
    return out + _tests_section(res, ev.id)


def _measures(res: StudyResults, event_id: str) -> list[str]:
    """Volume, volatility and BHAR blocks of one event (:mod:`eventstudy.report.measures`)."""
    from eventstudy.report.measures import event_measures

    out = []
    for b in event_measures(res, event_id):
        table = markdown_table(b["rows"], b["header"], b["align"])
        if b["details"]:
            out += [f"<details><summary>{b['title']}</summary>", "", md_text(b["text"]), "", table, ""]
        else:
            out += [f"#### {b['title']}", "", md_text(b["text"]), "", table, ""]
        out += [f"- {md_text(n)}" for n in b["notes"]] + ([""] if b["notes"] else [])
        out += ["</details>", ""] if b["details"] else []
    return out


def _holds(res: StudyResults, event_id: str) -> list[str]:
    """What holds: the tests right-sized in the study's placebo run, their p-values and verdict."""
    from eventstudy.report.significance import headline, misfits

    if res.tests.empty or not (res.tests["event"] == event_id).any():
        return []
    out = ["", "**What holds** (tests right-sized in this study's own placebo run; no other test is given as "
           "evidence):", ""]  # fmt: skip
    out += [f"- {md_text(line)}" for line in headline(res, event_id)]
    if note := misfits(res, event_id):
        out += ["", md_text(note)]
    return out


def _tests_section(res: StudyResults, event_id: str) -> list[str]:
    from eventstudy.report.significance import TEST_HEADER, test_rows

    if res.tests.empty or not (res.tests["event"] == event_id).any():
        return []
    rows = [[md_text(c) for c in r] for r in test_rows(res, event_id)]
    return [
        "<details><summary>Tests by window: statistic, p, Holm- and Benjamini-Hochberg-adjusted p, and each "
        "test's size in this study's placebo run</summary>",
        "",
        markdown_table(rows, TEST_HEADER, "llrrrrl"),
        "",
        "</details>",
        "",
    ]


def _placebo_section(res: StudyResults) -> list[str]:
    from eventstudy.report.significance import PLACEBO_HEADER, placebo_intro, placebo_rows

    out = ["## The study's placebo run", "", md_text(placebo_intro(res)), ""]
    rows = placebo_rows(res)
    if rows:
        out += ["<details><summary>Size and power of every test, by window (percent)</summary>", "",
                markdown_table(rows, PLACEBO_HEADER, "llrrrrrrl"), "", "</details>", ""]  # fmt: skip
    return out


def _moves_section(res: StudyResults, event_id: str) -> list[str]:
    mv = res.moves[res.moves["event"] == event_id]
    if mv.empty:
        return []
    rows = [[r["ticker"], f"{r['day']:+d}", r["session"], fmt_pct(r["close_to_close"]), fmt_pct(r["overnight"]),
             fmt_pct(r["intraday"]), f"{fmt_pct(r['low'])} to {fmt_pct(r['high'])}", r["source"]]
            for r in mv.to_dict("records")]  # fmt: skip
    notes = sorted({n for n in mv["note"] if n})
    out = ["#### When the move happened: overnight and intraday parts", "",
           markdown_table(rows, ["ticker", "day", "session", "close to close", "overnight", "open to close",
                                 "day's range", "OHLC source"], "lrlrrrrl"), ""]  # fmt: skip
    return out + [f"- {md_text(n)}" for n in notes] + ([""] if notes else [])


def _security_section(records: tuple[PairRecords, PairRecords, PairRecords], event_id: str, ticker: str) -> list[str]:
    fits, cars, ars = records
    fit = fits.get((event_id, ticker))
    if not fit:
        return [f"### {ticker}: excluded (see below)", ""]
    f = fit[0]
    out = [f"### {ticker} (benchmark {f['benchmark']})", ""]
    out.append(fit_sentence(f))
    out += ["", markdown_table(car_rows(cars.get((event_id, ticker), [])), CAR_HEADER, "lrrrr"), ""]
    ar = ars.get((event_id, ticker), [])
    out += [
        "<details><summary>Returns by day</summary>",
        "",
        markdown_table(ar_rows(ar), AR_HEADER, "rlrrrr"),
        "",
        "</details>",
        "",
    ]
    return out


def _candidates(res: StudyResults) -> str:
    rows = [[c["claim"], c["ticker"], f"{c['day']:+d}", c["session"], c["measure"].replace("_", "-"),
             fmt_pct(c["measured"]), fmt_pct(c["abnormal"]), fmt_pct(c["distance"], sign=False),
             "yes" if c["match"] else ""] for c in res.candidates.to_dict("records")]  # fmt: skip
    return markdown_table(rows, ["claim", "ticker", "day", "session", "measure", "measured", "abnormal",
                                 "distance", "within tolerance"], "llrllrrrl")  # fmt: skip


def _flags(res: StudyResults) -> list[str]:
    from eventstudy.report.story import flag_rows, overlap_rows

    out = []
    if not res.flags.empty:
        flags, more = listed(res.flags, res)
        shown = flag_rows(dataclasses.replace(res, flags=flags)) if more else flag_rows(res)
        rows = [[f["event"], f["ticker"], f"{f['day']:+d}", f["session"], fmt_pct(f["abnormal"]), fmt_num(f["z"], 2),
                 f["label"]] for f in shown.to_dict("records")]  # fmt: skip
        out += ["Unusual days inside the event windows (other than day 0): |z| ≥ 3, z = AR / its prediction-error "
                "standard deviation. A CAR that contains one of these days is driven in part by that day's news: "
                "the last column names the event of the study whose day 0 it is, when there is one.", "",
                markdown_table(rows, ["event", "ticker", "day", "session", "abnormal", "z", "news that day"],
                               "llrlrrl"), ""]  # fmt: skip
        out += [more_note(more, "unusual days", "flags.csv"), ""] if more else []
        rates = res.fits.groupby("ticker")["share_abs_z_ge_3"].max()
        out += ["Share of estimation-window days with |z| ≥ 3 (normal errors: 0.27 %): "
                + ", ".join(f"{t} {r * 100:.1f} %" for t, r in rates.items()) + ".", ""]  # fmt: skip
    overlaps, more = listed(overlap_rows(res), res)
    if not overlaps.empty:
        rows = [[o["ticker"], o["event"], o["nearest_event"],
                 f"{o['first_shared'].date()} to {o['last_shared'].date()}", o["overlapping"]]
                for o in overlaps.to_dict("records")]  # fmt: skip
        header = ["ticker", "event", "nearest overlapping event", "sessions shared with any", "overlapping events"]
        out += ["Events whose windows share sessions (their CARs are not separate evidence):", "",
                markdown_table(rows, header, "lllll"), ""]  # fmt: skip
        out += [more_note(more, "rows", "the overlaps table"), ""] if more else []
    return out


def _method(res: StudyResults) -> list[str]:
    from eventstudy.report.measures import measure_notes

    return ["## Method", "", *(f"- {note}" for note in method_notes(res.model) + measure_notes(res)), ""]


def _provenance(res: StudyResults) -> list[str]:
    prov = res.provenance
    out = [
        "## Provenance",
        "",
        f"- Study file: {md_code(prov.get('study_file', ''))} (sha256 `{prov.get('study_sha256', '')}`)",
        f"- Data source: {md_text(prov.get('data_source', ''))}",
    ]
    for symbol, info in prov.get("data", {}).items():
        detail = ", ".join(
            f"{k} {v}" for k, v in info.items() if k in ("file", "sha256", "retrieved_at", "first", "last", "cache")
        )
        out.append(f"  - `{symbol}`: {md_text(detail)}")
    pk = prov.get("packages", {})
    out.append("- Packages: " + ", ".join(f"{k} {v}" for k, v in pk.items()))
    out += (
        ["- Data warnings:", *(f"  - {md_text(w)}" for w in prov["data_warnings"])] if "data_warnings" in prov else []
    )
    return [*out, ""]
