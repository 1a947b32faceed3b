"""The HTML report: one self-contained file.

:func:`render_html` writes a page that needs nothing but a browser: CSS is
inline, figures are embedded as ``data:image/png;base64`` URIs, and there is
no script, web font or other network resource. The verdict for each claim
comes first, then the evidence per event, the warnings, the method and the
provenance. Every piece of text that comes from a study file or an article
(titles, notes, quotes, sources, ids, tickers) goes through
:func:`html.escape`; only markup built here is inserted raw (:class:`Html`).

Section ids (stable, for links and tests): ``verdicts``, ``claims-figure``,
``event-<event id>`` (with ``event-<event id>-<ticker>`` per security),
``warnings``, ``candidates``, ``excluded``, ``method``, ``provenance``.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import TYPE_CHECKING

from eventstudy.engine.provenance import time_note
from eventstudy.formats import ALIGN, VERDICT_CLASS, Html, badge, best_match, esc, fmt_num, fmt_p, fmt_pct, slug, table
from eventstudy.report.story import day0_table, merged_events, merged_note, same_day0
from eventstudy.report.tables import (
    AR_HEADER,
    CAR_HEADER,
    ar_rows,
    car_rows,
    detailed_events,
    events_view,
    fit_sentence,
    method_notes,
    other_events_note,
)

if TYPE_CHECKING:
    from eventstudy.report.render import ReportFigure
    from eventstudy.results import StudyResults

CSS = """
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#ffffff; --soft:#f6f8fa; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--fg); line-height:1.45;
  font:15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 1.7em; margin: 0 0 .3em; } h2 { font-size: 1.35em; margin-top: 2em;
  padding-bottom: .25em; border-bottom: 1px solid var(--line); } h3 { font-size: 1.12em; margin-top: 1.6em; }
h4 { font-size: 1em; margin: 1.2em 0 .4em; }
.meta { color: var(--muted); font-size: .92em; } .muted { color: var(--muted); }
nav { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; margin: 16px 0;
  font-size: .92em; } nav a { margin-right: 14px; white-space: nowrap; }
a { color: #0969da; text-decoration: none; } a:hover { text-decoration: underline; }
table { border-collapse: collapse; margin: .6em 0 1em; font-size: .9em; }
th, td { border: 1px solid var(--line); padding: 4px 8px; vertical-align: top; }
th { background: var(--soft); text-align: left; font-weight: 600; }
td.r, th.r { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.nw, .nw { white-space: nowrap; }  th.nw { white-space: normal; }
.securities { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); column-gap: 36px; }
.scroll { overflow-x: auto; }
.verdict { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600; white-space: nowrap; }
.v-ok { background:#dafbe1; color:#116329; } .v-other { background:#fff8c5; color:#7d4e00; }
.v-range { background:#ddf4ff; color:#0a3069; }
.v-no { background:#ffebe9; color:#a40e26; } .v-na { background:#eaeef2; color:#57606a; }
table.verdicts { width: 100%; } table.verdicts tr.claim td { border-bottom: none; }
table.verdicts tr.why td { border-top: none; background: #fbfcfd; }
table.verdicts tbody { border-left: 4px solid var(--line); }
table.verdicts tbody.v-ok-row { border-left-color: #1a7f37; }
table.verdicts tbody.v-range-row { border-left-color: #0969da; }
table.verdicts tbody.group td { background: var(--soft); border-bottom: none; }
table.verdicts tbody.v-other-row { border-left-color: #bf8700; }
table.verdicts tbody.v-no-row { border-left-color: #cf222e; }
blockquote { margin: .2em 0 .4em; padding: 2px 10px; border-left: 3px solid var(--line); color: #3d444d;
  font-style: italic; }
.summary-counts span { margin-right: 12px; }
figure { margin: 1em 0; } figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: .88em; }
details { margin: .4em 0 1em; } summary { cursor: pointer; color: #0969da; }
code { background: var(--soft); padding: 0 4px; border-radius: 4px; font-size: .92em; overflow-wrap: anywhere; }
code.small { font-size: .8em; }
.note { background: var(--soft); border-radius: 6px; padding: 8px 12px; }
"""


def img(fig: ReportFigure) -> Html:
    """A <figure> with the image (SVG or PNG) embedded as a data URI."""
    data = base64.b64encode(fig.data).decode("ascii")
    return Html(
        f'<figure id="fig-{slug(fig.name.rsplit("/", 1)[-1].rsplit(".", 1)[0])}">'
        f'<img alt="{esc(fig.caption)}" src="data:{fig.mime};base64,{data}">'
        f"<figcaption>{esc(fig.caption)}</figcaption></figure>"
    )


# -- the page ---------------------------------------------------------------------
def render_html(res: StudyResults, figures: Sequence[ReportFigure] = ()) -> str:
    """The complete report page (see the module docstring)."""
    spec, prov = res.spec, res.provenance
    by_event: dict[str | None, list[ReportFigure]] = {}
    for fig in figures:
        by_event.setdefault(fig.event, []).append(fig)
    nav = [("verdicts", "Verdicts")] if not res.claims.empty else []
    shown = detailed_events(res)
    nav += [(f"event-{slug(e)}", f"Event {e}") for e in shown]
    nav += [("warnings", "Warnings")]
    nav += [("candidates", "Every candidate")] if not res.candidates.empty else []
    nav += [("excluded", "Excluded")] if not res.excluded.empty else []
    nav += [("method", "Method"), ("provenance", "Provenance")]
    body = [
        f"<header><h1>{esc(spec.title or spec.id)}</h1>",
        f'<p class="meta">Study <code>{esc(spec.id)}</code> · model <b>{esc(res.model)}</b> · estimation window '
        f"[{spec.estimation_window[0]}, {spec.estimation_window[1]}] sessions · {esc(time_note(prov))} · "
        f"data: {esc(prov.get('data_source', ''))}</p>",
        '<p class="meta">Returns are simple close-to-close returns from adjusted prices, in percent here '
        "(decimals in the CSV and JSON files).</p></header>",
        "<nav>" + " ".join(f'<a href="#{i}">{esc(t)}</a>' for i, t in nav) + "</nav>",  # spaces: wraps
    ]
    if not res.claims.empty:
        body.append(_verdicts(res, by_event.get(None, [])))
    detail = events_view(res, shown)
    for event_id in shown:
        body.append(_event(detail, event_id, by_event.get(event_id, []), res))
    if note := other_events_note(res, shown):
        body.append(_section("other-events", "Other events", f"<p>{esc(note)}</p>"))
    body.append(_warnings(res))
    if not res.candidates.empty:
        body.append(_candidates(res))
    if not res.excluded.empty:
        rows = res.excluded[["event", "ticker", "reason"]].itertuples(index=False)
        body.append(_section("excluded", "Excluded", table(["event", "ticker", "reason"], list(rows))))
    body += [_method(res), _provenance(res)]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(spec.title or spec.id)} · eventstudy report</title>\n<style>{CSS}</style>\n</head>\n"
        "<body>\n<main>\n" + "\n".join(body) + "\n</main>\n</body>\n</html>\n"
    )


def _section(sid: str, title: str, *parts: str) -> Html:
    return Html(f'<section id="{sid}">\n<h2>{esc(title)}</h2>\n' + "\n".join(parts) + "\n</section>")


def _verdict_counts(res: StudyResults) -> Html:
    counts = res.claims["verdict"].value_counts()
    spans = [f"<span>{badge(v)} × {int(counts[v])}</span>" for v in VERDICT_CLASS if v in counts]
    return Html('<p class="summary-counts">' + "".join(spans) + "</p>")


def _verdicts(res: StudyResults, figures: Sequence[ReportFigure]) -> Html:
    from eventstudy.claims.verdicts import GROUP_RULE, RULES, TOLERANCE_RULE
    from eventstudy.report.story import claim_groups, group_story, shared_quote

    header = ["claim", "reported", "verdict", "judged on", "session implied", "best match", "measured", "abnormal"]
    align = "nlnnnnrr"
    out = ['<div class="scroll"><table class="verdicts"><thead><tr>']
    out += [f"<th{ALIGN[a]}>{esc(h)}</th>" for h, a in zip(header, align, strict=True)]
    out.append("</tr></thead>")
    for group, g in claim_groups(res):
        quote = shared_quote(g)
        head = f"<b>{esc(', '.join(g['claim']))}</b>"
        if quote:
            sources = ", ".join(f"<code>{esc(s)}</code>" for s in dict.fromkeys(g["source"]) if s)
            head += f"<blockquote>“{esc(quote)}”</blockquote>" + (f'<span class="muted">Source: {sources}</span>'
                                                                  if sources else "")  # fmt: skip
        if story := group_story(g):
            head += f'<p class="story">{esc(story)}</p>'
        out.append(f'<tbody class="group" id="group-{slug(group)}"><tr><td colspan="{len(header)}">{head}</td></tr>'
                   "</tbody>")  # fmt: skip
        for c in g.to_dict("records"):
            key = VERDICT_CLASS.get(c["verdict"], "no")
            best = Html(esc(best_match(c, sep="\n")).replace("\n", "<br>"))
            cells = [
                Html(
                    f'<b>{esc(c["claim"])}</b><br><span class="muted">{esc(c["ticker"])}<br>'
                    f'<a href="#event-{slug(c["event"])}">{esc(c["event"])}</a></span>'
                ),
                c["reported_text"],
                Html(
                    f'{badge(c["verdict"])}<br><span class="muted">{esc(c["verdict_label"][len(c["verdict"]) :])}'
                    "</span>"
                ),
                c["session"],
                c["implied_session"],
                best,
                fmt_pct(c["measured"]),
                fmt_pct(c["abnormal"]),
            ]
            out.append(f'<tbody class="v-{key}-row" id="claim-{slug(c["claim"])}"><tr class="claim">')
            out += [f"<td{ALIGN[a]}>{esc(v)}</td>" for v, a in zip(cells, align, strict=True)]
            own = ""
            if c["quote"] and not quote:
                source = (
                    f' <span class="muted nw">Source: <code>{esc(c["source"])}</code></span>' if c["source"] else ""
                )
                own = f"<blockquote>“{esc(c['quote'])}”</blockquote>{source}"
            out.append(f'</tr><tr class="why"><td colspan="{len(header)}">{own}{esc(c["finding"])}</td></tr></tbody>')
    out.append("</table></div>")
    rules = "".join(f"<li><b>{esc(v)}</b>: {esc(r)}.</li>" for v, r in RULES.items())
    note = (
        f'<p class="muted">Verdicts, on the session in “judged on”:</p><ul class="muted">{rules}</ul>'
        f'<p class="muted">{esc(GROUP_RULE)} {esc(TOLERANCE_RULE)} Measured moves are close-to-close, overnight '
        "(previous close → open), open → close, and two-day, on days -1..+2; the day's range runs from the "
        "session's low to its high, from the previous close; abnormal = measured minus the model's expectation.</p>"
    )
    figs = [Html(f'<div id="claims-figure">{img(f)}</div>') for f in figures]
    return _section(
        "verdicts", "The articles' claims against the market", _verdict_counts(res), "".join(out), note, *figs
    )


# -- per event ------------------------------------------------------------------------
def _event(res: StudyResults, event_id: str, figures: Sequence[ReportFigure], full: StudyResults | None = None) -> Html:
    ev = res.spec.event(event_id)
    if ev.date_only:
        when = f"{ev.timestamp:%Y-%m-%d} (date only: day 0 is the first session on or after it)"
    else:
        when = f"{ev.timestamp:%Y-%m-%d %H:%M} UTC" + (" (approximate time)" if ev.approximate else "")
    sid = f"event-{slug(ev.id)}"
    parts = [f"<p>Announced {esc(when)}.</p>"]
    if ev.note:
        parts.append(f'<p class="note">{esc(ev.note)}</p>')
    if merged := merged_note(full or res, ev.id):
        anchors = "".join(f'<span id="event-{slug(e)}"></span>' for e in same_day0(full or res)[ev.id][1:])
        items = "".join(f"<li>{esc(line)}</li>" for line in merged_events(full or res, ev.id))
        parts.append(f'<div class="note">{anchors}<p><b>One day 0, several events.</b> {esc(merged)}</p>'
                     f"<ul>{items}</ul></div>")  # fmt: skip
    if ev.sources:
        parts.append("<p>Sources: " + ", ".join(f"<code>{esc(s)}</code>" for s in ev.sources) + ".</p>")
    if ev.reported_dates and not ev.date_only:
        from eventstudy.market.calendars import explain_reported_date

        items = [
            f"<li><code>{esc(src)}</code> dates it {esc(day)}: {esc(explain_reported_date(ev.timestamp, day))}</li>"
            for src, day in ev.reported_dates
        ]
        parts.append("<ul>" + "".join(items) + "</ul>")
    d0 = res.day0[res.day0["event"] == ev.id]
    parts.append("<h4>Day 0 on each exchange</h4>")
    parts.append(table(*day0_table(full or res, ev.id)))  # every event of the section
    parts += [img(f) for f in figures]
    parts.append(_moves(res, ev.id))
    blocks = "".join(f"<div>{_security(res, ev.id, str(t))}</div>" for t in d0["ticker"])
    parts.append(f'<div class="securities">{blocks}</div>')
    parts.append(_tests(res, ev.id))
    parts.append(_event_warnings(res, ev.id, full or res))
    title = f"Event {ev.id}" + (f": {ev.title}" if ev.title else "")
    return _section(sid, title, *parts)


def _moves(res: StudyResults, event_id: str) -> Html:
    mv = res.moves[res.moves["event"] == event_id]
    if mv.empty:
        return Html("")
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
    notes = sorted({n for n in mv["note"] if n})
    out = ["<h4>When the move happened: overnight and intraday parts</h4>", table(header, rows, "lrlrrrrl")]
    if notes:
        out.append("<ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    return Html("\n".join(out))


def _security(res: StudyResults, event_id: str, ticker: str) -> Html:
    sid = f"event-{slug(event_id)}-{slug(ticker)}"
    fit = res.fits[(res.fits["event"] == event_id) & (res.fits["ticker"] == ticker)]
    if fit.empty:
        return Html(f'<h3 id="{sid}">{esc(ticker)}: excluded (see <a href="#excluded">Excluded</a>)</h3>')
    f = fit.iloc[0]
    out = [f'<h3 id="{sid}">{esc(ticker)} <span class="muted">(benchmark {esc(f["benchmark"])})</span></h3>']
    out.append(f"<p>{esc(fit_sentence(f))}</p>")
    car = res.car[(res.car["event"] == event_id) & (res.car["ticker"] == ticker)]
    out.append(table(CAR_HEADER, car_rows(car), "lrrrr"))
    ar = res.ar[(res.ar["event"] == event_id) & (res.ar["ticker"] == ticker)]
    out.append("<details><summary>Returns by day</summary>" + table(AR_HEADER, ar_rows(ar), "rnrrrr") + "</details>")
    return Html("\n".join(out))


_PER_SECURITY_TESTS = ("CAR t", "sample-quantile (SQ)", "bootstrap")


def _tests(res: StudyResults, event_id: str) -> Html:
    """Tests across securities: one row per test, statistic and p per window."""
    tests = getattr(res, "tests", None)
    if tests is None or tests.empty:
        return Html("")
    t = tests[(tests["event"] == event_id) & ~tests["test"].isin(_PER_SECURITY_TESTS)]
    if t.empty:
        return Html("")
    windows = list(dict.fromkeys(zip(t["start"], t["end"], strict=True)))
    cells: dict[str, dict[tuple[int, int], str]] = {}
    for r in t.to_dict("records"):
        cells.setdefault(r["test"], {})[(r["start"], r["end"])] = f"{fmt_num(r['statistic'], 2)} (p {fmt_p(r['p'])})"
    rows = [[name, *(by.get(w, "–") for w in windows)] for name, by in cells.items()]
    header = ["test", *(f"[{a}, {b}]" for a, b in windows)]
    return Html(
        f'<details id="event-{slug(event_id)}-tests"><summary>Tests across securities (statistic and p-value '
        "per window; see tests.csv for the notes)</summary>"
        + table(header, rows, "l" + "r" * len(windows))
        + "</details>"
    )


def _event_warnings(res: StudyResults, event_id: str, full: StudyResults | None = None) -> Html:
    from eventstudy.report.story import flag_label, overlap_rows

    full = full or res
    flags = res.flags[res.flags["event"] == event_id]
    ov = overlap_rows(full)
    ov = ov[[event_id in o["event"].split(", ") for o in ov.to_dict("records")]]
    if flags.empty and ov.empty:
        return Html(f'<h4 id="event-{slug(event_id)}-warnings">Warnings</h4><p>None.</p>')
    out = [f'<h4 id="event-{slug(event_id)}-warnings">Warnings</h4>']
    if not flags.empty:
        rows = [
            [f["ticker"], f"{f['day']:+d}", f["session"], fmt_pct(f["abnormal"]), fmt_num(f["z"], 2),
             flag_label(full, f.get("day0_of", ""))]
            for f in flags.to_dict("records")
        ]  # fmt: skip
        out += [
            "<p>Unusual days inside the event windows (other than day 0), |z| ≥ 3: a CAR that contains one is "
            "driven in part by that day's news, named when it is an event of the study.</p>",
            table(["ticker", "day", "session", "abnormal", "z", "news that day"], rows, "lrlrrl"),
        ]
    if not ov.empty:
        groups: dict[tuple[str, str, int], list[str]] = {}
        for o in ov.to_dict("records"):
            span = f"{o['first_shared']:%Y-%m-%d} to {o['last_shared']:%Y-%m-%d}"
            groups.setdefault((o["nearest_event"], span, int(o["overlapping"])), []).append(str(o["ticker"]))
        rows = [[other, ", ".join(t), span, n] for (other, span, n), t in groups.items()]
        out += [
            "<p>Events whose windows share sessions with this one (their CARs are not separate evidence):</p>",
            table(
                ["nearest overlapping event", "tickers", "sessions shared with any", "overlapping events"], rows, "llnr"
            ),
        ]
    return Html("\n".join(out))


# -- study-wide sections ----------------------------------------------------------------
def _warnings(res: StudyResults) -> Html:
    """Study-wide: where each event's warnings are, and how fat-tailed the residuals are."""
    items = []
    shown = set(detailed_events(res))
    flag_counts = res.flags["event"].value_counts()
    together = same_day0(res)  # events with one day 0 everywhere are listed once, together
    rep = {e: ids[0] for e, ids in together.items()}
    shared: dict[str, set[str]] = {}
    for a, b in zip(res.overlaps["event"], res.overlaps["nearest_event"], strict=True):
        a, b = rep.get(a, a), rep.get(b, b)
        shared.setdefault(a, set()).add(b)
        shared.setdefault(b, set()).add(a)
    for ev in res.spec.events:
        if rep.get(ev.id, ev.id) != ev.id:
            continue
        n_flags = int(flag_counts.get(ev.id, 0))
        others = sorted(shared.get(ev.id, set()) - {ev.id})
        if not n_flags and not others:
            continue
        what = [f"{n_flags} unusual day(s)"] if n_flags else []
        what += ["windows shared with " + ", ".join(", ".join(together.get(o, [o])) for o in others)] if others else []
        label = esc(", ".join(together.get(ev.id, [ev.id])))
        name = f'<a href="#event-{slug(ev.id)}-warnings">{label}</a>' if ev.id in shown else label
        items.append(f"<li>{name}: {'; '.join(what)}</li>")
    parts = ["<ul>" + "".join(items) + "</ul>"] if items else ["<p>No unusual day and no overlapping events.</p>"]
    if "share_abs_z_ge_3" in res.fits and not res.fits.empty:
        rates = res.fits.groupby("ticker", sort=False)["share_abs_z_ge_3"].max()
        parts.append(
            "<p>Unusual day: |z| ≥ 3 on a day of an event window other than day 0, z = AR / its prediction-error "
            "standard deviation; a CAR that contains one is driven in part by that day's news (each event's "
            "table names the event of the study whose day 0 it is, if any). Share of estimation-window "
            "days with |z| ≥ 3 (normal errors: 0.27 %): "
            + ", ".join(f"{esc(t)} {r * 100:.1f} %" for t, r in rates.items())
            + ".</p>"
        )
    return _section("warnings", "Warnings", *parts)


def _candidates(res: StudyResults) -> Html:
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
    inner = table(header, rows, "llrllrrrl")
    return _section(
        "candidates",
        "Claims: every candidate measure",
        Html(f"<details><summary>{len(rows)} candidates</summary>{inner}</details>"),
    )


def _method(res: StudyResults) -> Html:
    items = method_notes(res.model)
    return _section("method", "Method", "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")


def _provenance(res: StudyResults) -> Html:
    prov = res.provenance
    items = [
        f"Study file: <code>{esc(prov.get('study_file', ''))}</code> (sha256 <code>{esc(prov.get('study_sha256', ''))}"
        "</code>)",
        f"Data source: {esc(prov.get('data_source', ''))}",
    ]
    items += [f"Generated: {esc(prov['generated_at'])}"] if prov.get("generated_at") else []
    items += [f"Data as of: {esc(prov['data_as_of'])}"] if prov.get("data_as_of") else []
    data = prov.get("data", {})
    retrieved = any(info.get("retrieved_at") for info in data.values())
    rows = []
    for symbol, info in data.items():
        row = [symbol, info.get("file") or info.get("cache", ""), info.get("first", ""), info.get("last", "")]
        row += [info.get("retrieved_at", "")] if retrieved else []
        rows.append([*row, Html(f'<code class="small">{esc(info.get("sha256", ""))}</code>')])
    header = ["symbol", "file", "first", "last", *(["retrieved"] if retrieved else []), "sha256"]
    packages = ", ".join(f"{k} {v}" for k, v in prov.get("packages", {}).items())
    return _section(
        "provenance",
        "Provenance",
        "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>",
        table(header, rows, "llnn" + ("n" if retrieved else "") + "l"),
        f"<p>Packages: {esc(packages)}</p>",
    )


# -- notebook view ----------------------------------------------------------------------
