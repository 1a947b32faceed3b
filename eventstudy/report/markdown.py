"""The Markdown report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventstudy.report.tables import fmt_num, fmt_p, fmt_pct, markdown_table

if TYPE_CHECKING:
    from eventstudy.results import StudyResults


def render_markdown(res: StudyResults, figures: dict[str, list[str]] | None = None) -> str:
    """Render the report. ``figures`` maps event id → relative PNG paths."""
    spec, prov = res.spec, res.provenance
    out = [f"# {spec.title}", ""]
    out.append(
        f"Study `{spec.id}` · model **{res.model}** · estimation window "
        f"[{spec.estimation_window[0]}, {spec.estimation_window[1]}] sessions · generated "
        f"{prov.get('generated_at', '')} · data: {prov.get('data_source', '')}"
    )
    out += [
        "",
        "Returns are simple close-to-close returns from adjusted prices; percent in this report, "
        "decimals in the CSV and JSON files.",
        "",
    ]
    if not res.claims.empty:
        out += ["## The articles' claims against the market", "", _claims_summary(res), ""]
    for event in spec.events:
        out += _event_section(res, event.id, (figures or {}).get(event.id, []))
    if not res.candidates.empty:
        out += ["## Claims: every candidate session", "", _candidates(res), ""]
    if not res.excluded.empty:
        rows = res.excluded[["event", "ticker", "reason"]].itertuples(index=False)
        out += ["## Excluded", "", markdown_table(list(rows), ["event", "ticker", "reason"]), ""]
    out += _method(res) + _provenance(res)
    return "\n".join(out) + "\n"


def _claims_summary(res: StudyResults) -> str:
    rows = []
    for c in res.claims.itertuples(index=False):
        rows.append(
            [
                c.claim,
                c.ticker,
                ("≈ " if c.approximate else "") + fmt_pct(c.reported, 1),
                c.implied_session,
                f"{c.closest_session.date()} (day {c.closest_day:+d})",
                fmt_pct(c.measured),
                fmt_pct(c.benchmark),
                fmt_pct(c.abnormal),
                c.source,
            ]
        )
    header = [
        "claim",
        "ticker",
        "reported",
        "session implied",
        "closest session",
        "measured",
        "market",
        "abnormal",
        "source",
    ]
    return markdown_table(rows, header, "llrllrrrl")


def _event_section(res: StudyResults, event_id: str, figures: list[str]) -> list[str]:
    ev = res.spec.event(event_id)
    when = ev.timestamp.strftime("%Y-%m-%d") + " (date only)" if ev.date_only else ev.timestamp.isoformat()
    out = [
        f"## Event `{ev.id}`: {ev.title}",
        "",
        f"Announced {when} UTC" + (" (approximate time)" if ev.approximate else "") + ".",
    ]
    if ev.note:
        out += ["", ev.note]
    if ev.sources:
        out += ["", "Sources: " + ", ".join(f"`{s}`" for s in ev.sources) + "."]
    d0 = res.day0[res.day0["event"] == ev.id]
    out += [
        "",
        markdown_table(
            [[r.ticker, r.exchange, r.local_time, r.session, r.rule] for r in d0.itertuples()],
            ["ticker", "exchange", "local time", "day 0", "rule"],
        ),
        "",
    ]
    out += [f"![{p.split('/')[-1].split('_')[0].upper()} around {ev.id}]({p})" for p in figures]
    out += [""] if figures else []
    for ticker in d0["ticker"]:
        out += _security_section(res, ev.id, ticker)
    return out


def _security_section(res: StudyResults, event_id: str, ticker: str) -> list[str]:
    fit = res.fits[(res.fits["event"] == event_id) & (res.fits["ticker"] == ticker)]
    if fit.empty:
        return [f"### {ticker}: excluded (see below)", ""]
    f = fit.iloc[0]
    out = [f"### {ticker} (benchmark {f['benchmark']})", ""]
    out.append(
        f"Model {f['model']}: α = {fmt_num(f['alpha'] * 100, 4)} % per day, β = {fmt_num(f['beta'])}, "
        f"σ = {fmt_pct(f['sigma'], 3, sign=False)}, R² = {fmt_num(f['r2'])}, n = {f['n']} "
        f"({f['estimation_start'].date()} to {f['estimation_end'].date()})."
    )
    car = res.car[(res.car["event"] == event_id) & (res.car["ticker"] == ticker)]
    rows = [
        [f"[{r.start}, {r.end}]", fmt_pct(r.car), fmt_pct(r.se, sign=False), fmt_num(r.t, 2), fmt_p(r.p)]
        for r in car.itertuples()
    ]
    out += ["", markdown_table(rows, ["window", "CAR", "se", "t", "p"], "lrrrr"), ""]
    ar = res.ar[(res.ar["event"] == event_id) & (res.ar["ticker"] == ticker)]
    rows = [
        [
            f"{r['day']:+d}",
            r["session"],
            fmt_pct(r["return"]),
            fmt_pct(r["benchmark"]),
            fmt_pct(r["expected"]),
            fmt_pct(r["abnormal"]),
        ]
        for r in ar.to_dict("records")
    ]
    out += [
        "<details><summary>Returns by day</summary>",
        "",
        markdown_table(rows, ["day", "session", "return", "market", "expected", "abnormal"], "rlrrrr"),
        "",
        "</details>",
        "",
    ]
    return out


def _candidates(res: StudyResults) -> str:
    rows = [
        [
            c.claim,
            c.ticker,
            f"{c.day:+d}",
            c.session,
            fmt_pct(c.measured),
            fmt_pct(c.benchmark),
            fmt_pct(c.abnormal),
            fmt_pct(c.distance, sign=False),
            "closest" if c.closest else "",
        ]
        for c in res.candidates.itertuples()
    ]
    return markdown_table(
        rows, ["claim", "ticker", "day", "session", "measured", "market", "abnormal", "distance", ""], "llrlrrrrl"
    )


def _method(res: StudyResults) -> list[str]:
    return [
        "## Method",
        "",
        "- Day 0 on each exchange is the first session whose close is after the announcement "
        "(exchange_calendars); windows count that exchange's sessions.",
        "- Returns: simple returns of Adj Close (Close where the source has no Adj Close, as for indices); "
        "benchmark returns taken on the security's own sessions.",
        f"- Expected returns: {res.model} model fitted by OLS on the estimation window; "
        "σ with n - k degrees of freedom.",
        "- CAR standard error: σ²(L + ι'X*(X'X)⁻¹X*'ι) (MacKinlay 1997); t with n - k degrees of freedom, "
        "two-sided p-value.",
        "",
    ]


def _provenance(res: StudyResults) -> list[str]:
    prov = res.provenance
    out = [
        "## Provenance",
        "",
        f"- Study file: `{prov.get('study_file', '')}` (sha256 `{prov.get('study_sha256', '')}`)",
        f"- Data source: {prov.get('data_source', '')}",
    ]
    for symbol, info in prov.get("data", {}).items():
        detail = ", ".join(
            f"{k} {v}" for k, v in info.items() if k in ("file", "sha256", "retrieved_at", "first", "last", "cache")
        )
        out.append(f"  - `{symbol}`: {detail}")
    pk = prov.get("packages", {})
    out.append("- Packages: " + ", ".join(f"{k} {v}" for k, v in pk.items()))
    return [*out, ""]
