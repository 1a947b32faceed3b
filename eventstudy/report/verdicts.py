"""The claims' verdicts as rows of text: one source for the reports, the notebook view and the terminal.

:func:`verdict_rows` turns ``StudyResults.claims`` into one dict per claim (formatted cells,
no markup); :func:`verdicts_section` groups them for the report model
(:mod:`eventstudy.report.model`); :func:`verdicts_text` writes them for the terminal
(``eventstudy check``, ``run``) and :func:`notebook_html` for ``StudyResults._repr_html_``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from eventstudy.formats import VERDICT_CLASS, best_match, fmt_pct

if TYPE_CHECKING:
    import pandas as pd

    from eventstudy.report.render import ReportFigure
    from eventstudy.results import StudyResults


def verdict_rows(claims: pd.DataFrame, shared_quote: str = "") -> list[dict[str, Any]]:
    """One row per claim: its cells as text; ``quote`` is '' when the group shares ``shared_quote``."""
    return [
        {
            "claim": c["claim"],
            "ticker": c["ticker"],
            "event": c["event"],
            "reported_text": c["reported_text"],
            "verdict": c["verdict"],
            "verdict_label": c["verdict_label"],
            "verdict_rest": c["verdict_label"][len(c["verdict"]) :],
            "session": c["session"],
            "implied_session": c["implied_session"],
            "best": best_match(c, sep="\n").split("\n"),  # [measure, "session (day d)"], or ["–"]
            "measured": fmt_pct(c["measured"]),
            "abnormal": fmt_pct(c["abnormal"]),
            "quote": c["quote"] if c["quote"] and not shared_quote else "",
            "source": c["source"],
            "finding": c["finding"],
            "explanation": c["explanation"],
        }
        for c in claims.to_dict("records")
    ]


def verdicts_section(res: StudyResults, figures: Sequence[ReportFigure] = ()) -> dict[str, Any]:
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


def verdicts_text(rows: Sequence[dict[str, Any]]) -> list[str]:
    """One terminal line per claim: ticker, the article's figure, verdict, best match, source and quote's start."""
    lines = []
    for r in rows:
        line = f"  {r['ticker']} {r['reported_text']} → {r['verdict']}"
        line += f": {r['measured']} {', '.join(r['best'])}" if r["best"] != ["–"] else ""
        lines.append(line + (f"  ({r['source']}: {str(r['quote'])[:70]!r})" if r["quote"] else ""))
    return lines


def notebook_html(res: StudyResults) -> str:
    """Compact HTML for Jupyter: verdicts first, then CARs (inline styles only, text escaped)."""
    from eventstudy.formats import Html, badge, esc, fmt_num, table

    spec = res.spec
    out = [
        f"<h4>Event study {esc(spec.id)}: {len(spec.events)} event(s), {len(spec.securities)} securities, "
        f"model {esc(res.model)}</h4>"
    ]
    if not res.claims.empty:
        rows = [
            [Html(f"<b>{esc(c['claim'])}</b>"), c["ticker"], c["reported_text"], badge(c["verdict"]),
             Html("<br>".join(esc(part) for part in c["best"])), c["measured"], c["abnormal"], c["explanation"]]
            for c in verdict_rows(res.claims)
        ]  # fmt: skip
        header = ["claim", "ticker", "reported", "verdict", "best match", "measured", "abnormal", "why"]
        out += ["<p><b>Claims against the measured moves</b></p>", table(header, rows, "nnrnnrrl")]
    windows = list(dict.fromkeys(zip(res.car["start"], res.car["end"], strict=True)))
    cells: dict[tuple[str, str], dict[tuple[int, int], str]] = {}
    for r in res.car.itertuples():
        cells.setdefault((r.event, r.ticker), {})[(r.start, r.end)] = f"{fmt_pct(r.car)} (t {fmt_num(r.t, 2)})"
    rows = [[event, ticker, *(by.get(w, "–") for w in windows)] for (event, ticker), by in cells.items()]
    header = ["event", "ticker", *(f"CAR [{a}, {b}]" for a, b in windows)]
    out += [
        "<p><b>Cumulative abnormal returns (t statistic)</b>; <code>res.car</code> has se and p</p>",
        table(header, rows, "nn" + "r" * len(windows)),
    ]
    if not res.excluded.empty:
        rows = [list(r) for r in res.excluded[["event", "ticker", "reason"]].itertuples(index=False)]
        out += ["<p><b>Excluded</b></p>", table(["event", "ticker", "reason"], rows)]
    return "\n".join(out)
