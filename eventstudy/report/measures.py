"""Report sections of the measures beyond returns (volume, volatility, BHAR) and the GARCH model: rows for both reports.

:func:`event_measures` gives, for one event, a list of blocks (title, text,
table, notes) of the report model (:mod:`eventstudy.report.model`), written by
``report.md.j2`` and ``measures.html.j2``; :func:`measure_notes` adds to the
method section.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy.report.tables import table
from eventstudy.text_format import fmt_num, fmt_p, fmt_pct

if TYPE_CHECKING:
    from eventstudy.results import StudyResults


def _block(
    key: str, title: str, text: str, header: list[str], rows: list[list[object]], align: str, notes: list[str],
    details: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """A block: ``id`` (for the HTML anchor), title, text, table (``align`` letters l/r, r by default), notes."""
    cells = table(header, rows, align.ljust(len(header), "r"))
    return {"id": key, "title": title, "text": text, "table": cells, "notes": notes, "details": details}


def _shares(v: float) -> str:
    return "–" if not math.isfinite(v) else f"{v:,.0f}"


def _windows(t: pd.DataFrame) -> list[tuple[int, int]]:
    return list(dict.fromkeys(zip(t["start"].tolist(), t["end"].tolist(), strict=True)))


def _event_rows(
    days: pd.DataFrame, windows: pd.DataFrame, event_id: str
) -> tuple[pd.DataFrame, pd.DataFrame, list[tuple[int, int]]] | None:
    """An event's day-0 rows, its window rows and its windows; None when it has no day-0 row."""
    day0 = days[(days["event"] == event_id) & (days["day"] == 0)]
    if day0.empty:
        return None
    w = windows[windows["event"] == event_id]
    return day0, w, _windows(w)


def volume_block(res: StudyResults, event_id: str) -> dict[str, Any] | None:
    """Day-0 abnormal log volume and the CAVs of each security, by model."""
    if (rows_of := _event_rows(res.volume, res.volume_windows, event_id)) is None:
        return None
    day0, w, windows = rows_of
    cav = {(r["ticker"], r["model"], r["start"], r["end"]): r for r in w.to_dict("records")}
    rows = []
    for r in day0.to_dict("records"):
        key = (r["ticker"], r["model"])
        c0 = cav.get((*key, 0, 0), {})
        rows.append([
            r["ticker"], r["model"], _shares(r["volume"]), fmt_num(r["abnormal"], 4),
            fmt_num(math.exp(r["abnormal"]), 2),
            fmt_num(c0.get("t", math.nan), 2), fmt_p(c0.get("p", math.nan)),
            *(f"{fmt_num(cav[(*key, a, b)]['cav'], 3)} ({fmt_num(cav[(*key, a, b)]['t'], 2)})"
              if (*key, a, b) in cav else "–" for a, b in windows),
        ])  # fmt: skip
    notes = sorted({f"{r['ticker']}: {r['note']}" for r in w.to_dict("records") if r["note"]})
    text = (
        "Abnormal log volume AV = log(1 + V) − its expected level, fitted on the estimation window by the market "
        "model on the benchmark's log volume (Campbell & Wasley 1996) and by its mean; × normal = exp(AV), the "
        "day's volume over its expected level; t and p of day 0; CAV (t) summed over each window."
    )
    header = ["ticker", "model", "volume day 0", "AV day 0", "× normal", "t", "p",
              *(f"CAV [{a}, {b}] (t)" for a, b in windows)]  # fmt: skip
    return _block("volume", "Trading volume", text, header, rows, "ll", notes)


def volatility_block(res: StudyResults, event_id: str) -> dict[str, Any] | None:
    """Beaver's U on day 0 and the variance ratio of each window."""
    if (rows_of := _event_rows(res.volatility, res.volatility_windows, event_id)) is None:
        return None
    day0, w, windows = rows_of
    vr = {(r["ticker"], r["start"], r["end"]): r for r in w.to_dict("records")}
    rows = [
        [r["ticker"], fmt_num(r["u"], 2), fmt_num(r["u_star"], 2), fmt_p(r["p"]),
         *(f"{fmt_num(vr[(r['ticker'], a, b)]['variance_ratio'], 2)} (p {fmt_p(vr[(r['ticker'], a, b)]['p'])})"
           for a, b in windows)]
        for r in day0.to_dict("records")
    ]  # fmt: skip
    text = (
        "Beaver's U = AR² / σ² on day 0 (about 1 on an ordinary day) from the market model of returns; U* uses the "
        "prediction-error variance and is F(1, T − 2) under no change, p its upper tail; VR = mean AR² over the "
        "window / σ², with the exact F test."
    )
    header = ["ticker", "U day 0", "U*", "p", *(f"VR [{a}, {b}] (p)" for a, b in windows)]
    return _block("volatility", "Volatility", text, header, rows, "l", [])


def bhar_block(res: StudyResults, event_id: str) -> dict[str, Any] | None:
    """Buy-and-hold returns of each security and its benchmark over the long windows."""
    b = res.bhar[res.bhar["event"] == event_id]
    if b.empty:
        return None
    windows = _windows(b)
    by = {(r["ticker"], r["start"], r["end"]): r for r in b.to_dict("records")}
    rows = []
    for ticker in dict.fromkeys(b["ticker"]):
        cells = []
        for a, e in windows:
            r = by[(ticker, a, e)]
            cells.append(f"{fmt_pct(r['bhar'])} ({fmt_pct(r['return'])} vs {fmt_pct(r['benchmark_return'])})")
        rows.append([ticker, *cells])
    text = (
        "Buy-and-hold abnormal return BHAR = Π(1 + R) − Π(1 + R_m) from the close before the window's first day "
        "(Barber & Lyon 1997); in brackets the security's and its benchmark's own buy-and-hold returns."
    )
    header = ["ticker", *(f"BHAR [{a}, {e}]" for a, e in windows)]
    return _block("bhar", "Buy-and-hold abnormal returns", text, header, rows, "l", [])


def tests_block(res: StudyResults, event_id: str) -> dict[str, Any] | None:
    """The measures' tests across the event's securities, statistic and p per window."""
    t = res.measure_tests
    t = t[t["event"] == event_id]
    if t.empty:
        return None
    windows = _windows(t)
    cells: dict[tuple[str, str], dict[tuple[int, int], str]] = {}
    for r in t.to_dict("records"):
        test = re.sub(r" \(Campbell-Wasley, \d+ days\)$", "", r["test"])  # one row for every window length
        label = (r["measure"] + (f" ({r['model']} model)" if r["model"] else ""), test)
        text = "–" if not np.isfinite(r["statistic"]) else f"{fmt_num(r['statistic'], 2)} (p {fmt_p(r['p'])})"
        cells.setdefault(label, {})[(r["start"], r["end"])] = text
    rows = [[m, name, *(by.get(w, "") for w in windows)] for (m, name), by in cells.items()]
    notes = sorted({f"{r['test']}: {r['note']}" for r in t.to_dict("records") if not np.isfinite(r["statistic"])})
    title = "Volume, volatility and BHAR tests across securities"
    header = ["measure", "test", *(f"[{a}, {b}]" for a, b in windows)]
    text = "Statistic (p-value) per window; measure_tests.csv has the notes."
    return _block("measure-tests", title, text, header, rows, "ll", notes, details=True)


def event_measures(res: StudyResults, event_id: str) -> list[dict[str, Any]]:
    """The blocks of one event for the measures the study asks for (empty when none)."""
    on = res.measures_on
    if not on or res.engine is None:
        return []
    makers = [("volume", volume_block), ("volatility", volatility_block), ("bhar", bhar_block)]
    blocks = [make(res, event_id) for m, make in makers if m in on]
    blocks.append(tests_block(res, event_id))
    return [b for b in blocks if b is not None]


def measure_notes(res: StudyResults) -> list[str]:
    """Method sentences for the GARCH model and the measures the study asks for."""
    out = []
    if res.model == "garch":
        out.append(
            "GARCH(1,1) market model (Bollerslev 1986) fitted by maximum likelihood with arch (Sheppard) on the "
            "estimation window; the event window's conditional σ is forecast out of sample from its last day; "
            "SAR = AR / σ_d, CAR se = sqrt(Σσ_d²), z against the normal (in the t column); σ in the fits is the "
            "unconditional one. A fit that does not converge or lies on a bound is excluded with its reason."
        )
    on = res.measures_on
    if "volume" in on:
        out.append(
            "Volume: log(1 + shares traded) from each price file's Volume (Yahoo's, split-adjusted; for SoftBank "
            "9984.T the Yahoo file, as the J-Quants volume is unadjusted before 2021-01-26); a benchmark without "
            "volume on a window day leaves the pair with the mean model only; zero-volume days stay in, noted."
        )
    if "volatility" in on:
        out.append("Volatility: Beaver's (1968) U and window variance ratios from the OLS market model of returns, "
                   "whatever the study's model.")  # fmt: skip
    if "bhar" in on:
        out.append("BHAR across securities: Johnson's skewness-adjusted t and its bootstrap (Lyon, Barber & Tsai "
                   "1999; the bootstrap needs 12 or more securities).")  # fmt: skip
    return out
