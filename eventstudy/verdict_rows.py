"""The claims' verdicts as rows of text: one source for the reports, the notebook view and the terminal.

:func:`verdict_rows` turns a claims table (``StudyResults.claims``) into one dict per claim
(formatted cells, no markup). The report model (:mod:`eventstudy.report.model`) groups them;
:func:`verdicts_text` writes them for the terminal (``eventstudy check``, a large ``run``) and
:func:`notebook_html` for ``StudyResults._repr_html_``.
May import: :mod:`eventstudy.text_format` and :mod:`eventstudy.spec`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from eventstudy.text_format import best_match, fmt_pct

if TYPE_CHECKING:
    import pandas as pd

    from eventstudy.spec import StudySpec


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


def verdicts_text(rows: Sequence[dict[str, Any]]) -> list[str]:
    """One terminal line per claim: ticker, the article's figure, verdict, best match, source and quote's start."""
    lines = []
    for r in rows:
        line = f"  {r['ticker']} {r['reported_text']} → {r['verdict']}"
        line += f": {r['measured']} {', '.join(r['best'])}" if r["best"] != ["–"] else ""
        lines.append(line + (f"  ({r['source']}: {str(r['quote'])[:70]!r})" if r["quote"] else ""))
    return lines


def notebook_html(spec: StudySpec, model: str, claims: pd.DataFrame, car: pd.DataFrame, excluded: pd.DataFrame) -> str:
    """Compact HTML for Jupyter: verdicts first, then CARs (inline styles only, text escaped)."""
    from eventstudy.text_format import Html, badge, esc, fmt_num, table

    out = [
        f"<h4>Event study {esc(spec.id)}: {len(spec.events)} event(s), {len(spec.securities)} securities, "
        f"model {esc(model)}</h4>"
    ]
    if not claims.empty:
        rows = [
            [Html(f"<b>{esc(c['claim'])}</b>"), c["ticker"], c["reported_text"], badge(c["verdict"]),
             Html("<br>".join(esc(part) for part in c["best"])), c["measured"], c["abnormal"], c["explanation"]]
            for c in verdict_rows(claims)
        ]  # fmt: skip
        header = ["claim", "ticker", "reported", "verdict", "best match", "measured", "abnormal", "why"]
        out += ["<p><b>Claims against the measured moves</b></p>", table(header, rows, "nnrnnrrl")]
    windows = list(dict.fromkeys(zip(car["start"], car["end"], strict=True)))
    cells: dict[tuple[str, str], dict[tuple[int, int], str]] = {}
    for r in car.itertuples():
        cells.setdefault((r.event, r.ticker), {})[(r.start, r.end)] = f"{fmt_pct(r.car)} (t {fmt_num(r.t, 2)})"
    rows = [[event, ticker, *(by.get(w, "–") for w in windows)] for (event, ticker), by in cells.items()]
    header = ["event", "ticker", *(f"CAR [{a}, {b}]" for a, b in windows)]
    out += [
        "<p><b>Cumulative abnormal returns (t statistic)</b>; <code>res.car</code> has se and p</p>",
        table(header, rows, "nn" + "r" * len(windows)),
    ]
    if not excluded.empty:
        rows = [list(r) for r in excluded[["event", "ticker", "reason"]].itertuples(index=False)]
        out += ["<p><b>Excluded</b></p>", table(["event", "ticker", "reason"], rows)]
    return "\n".join(out)
