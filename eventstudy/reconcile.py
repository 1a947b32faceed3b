"""Each reported claim against the measured moves around its event.

Candidates, for the claim's security around its event's day 0:

- ``close_to_close`` on days -1, 0, +1, +2 (abnormal part: the AR);
- ``overnight`` (previous close → open) and ``intraday`` (open → close)
  on the same days (abnormal part: the move minus β times the benchmark's
  same part; NaN where an Open is missing);
- ``two_day`` close-to-close over days (d-1, d) for d = 0, +1, +2, dated by
  its last session (abnormal part: the sum of the two ARs).

A candidate matches when it lies within the claim's tolerance
(:mod:`eventstudy.tolerance`). Claims about a moment inside a session
(timing "midday", "intraday", "open") also match a session whose low-high
range, measured from the previous close and widened by the tolerance,
contains the reported figure: daily data cannot show the price at noon,
only the range it lay in.

Verdict: ``consistent`` when a candidate on the session the article
implies matches (the claim's ``session``, else day 0 of its event);
``consistent on another session`` when only candidates on other sessions
match; ``not supported`` when none does. The best match is the closest
matching candidate of the verdict's group (the measure the claim's timing
names is preferred when it matches: close-to-close for "close", the
overnight gap for "open", open-to-close for "intraday"), else the closest
candidate.
"""

from __future__ import annotations

import math

import pandas as pd

from eventstudy.report.tables import fmt_pct
from eventstudy.spec import Claim, StudySpec
from eventstudy.tolerance import tolerance

CANDIDATE_DAYS = (-1, 0, 1, 2)
MEASURES = ("close_to_close", "overnight", "intraday", "two_day")
CANDIDATE_COLUMNS = [
    "claim",
    "ticker",
    "event",
    "day",
    "session",
    "measure",
    "measured",
    "abnormal",
    "distance",
    "match",
]
CLAIM_COLUMNS = [
    "claim", "ticker", "event", "reported", "tolerance", "approximate", "timing", "implied_session",
    "best_measure", "best_session", "best_day", "measured", "abnormal", "distance", "verdict",
    "range_low", "range_high", "explanation", "source", "quote",
]  # fmt: skip
CONSISTENT, ANOTHER_SESSION, NOT_SUPPORTED = "consistent", "consistent on another session", "not supported"
NOT_MEASURED = "not measured"
_PREFERRED = {"close": "close_to_close", "open": "overnight", "intraday": "intraday"}
_WORDS = {"close_to_close": "close-to-close move", "overnight": "overnight gap", "intraday": "open-to-close move",
          "two_day": "two-day move"}  # fmt: skip


def candidate_measures(ar: pd.DataFrame, moves: pd.DataFrame, beta: float) -> pd.DataFrame:
    """Every candidate measure for one (event, security) pair.

    ``ar`` is indexed by day (``session, return, abnormal``); ``moves`` has
    ``day, overnight, intraday, bench_overnight, bench_intraday``.
    """
    rows = []
    mv = moves.set_index("day")
    for day in CANDIDATE_DAYS:
        if day not in ar.index:
            continue
        session = ar.loc[day, "session"]
        rows.append((day, session, "close_to_close", ar.loc[day, "return"], ar.loc[day, "abnormal"]))
        if day in mv.index:
            for part in ("overnight", "intraday"):
                value = mv.loc[day, part]
                rows.append((day, session, part, value, value - beta * mv.loc[day, f"bench_{part}"]))
        if day - 1 in ar.index and day > CANDIDATE_DAYS[0]:
            two = (1 + ar.loc[day - 1, "return"]) * (1 + ar.loc[day, "return"]) - 1
            rows.append((day, session, "two_day", two, ar.loc[day - 1, "abnormal"] + ar.loc[day, "abnormal"]))
    return pd.DataFrame(rows, columns=["day", "session", "measure", "measured", "abnormal"])


def judge(claim: Claim, cands: pd.DataFrame, moves: pd.DataFrame, implied: pd.Timestamp) -> dict[str, object]:
    """Verdict, best match and explanation for one claim (see module doc)."""
    tol = tolerance(claim.reported, approximate=claim.approximate, quote=claim.quote)
    cands = cands.assign(distance=(cands["measured"] - claim.reported).abs())
    cands["match"] = cands["distance"] <= tol + 1e-12
    ranged = set()
    if claim.timing != "close":
        for row in moves.itertuples():
            if not math.isnan(row.low) and row.low - tol <= claim.reported <= row.high + tol:
                ranged.add(row.session)
    on_implied = cands["session"] == implied
    implied_hit = cands[on_implied & cands["match"]]
    other_hit = cands[~on_implied & cands["match"]]
    if not implied_hit.empty or implied in ranged:
        verdict, pool = CONSISTENT, implied_hit if not implied_hit.empty else cands[on_implied]
    elif not other_hit.empty or ranged:
        verdict = ANOTHER_SESSION
        pool = other_hit if not other_hit.empty else cands[cands["session"].isin(ranged)]
    else:
        verdict, pool = NOT_SUPPORTED, cands
    preferred = pool[pool["match"] & (pool["measure"] == _PREFERRED.get(claim.timing))]
    best = (preferred if not preferred.empty else pool).sort_values("distance", kind="stable").iloc[0]
    rng = moves[moves["session"] == best["session"]]
    low, high = (rng["low"].iloc[0], rng["high"].iloc[0]) if len(rng) else (math.nan, math.nan)
    out = {
        "tolerance": tol,
        "implied_session": implied,
        "best_measure": best["measure"],
        "best_session": best["session"],
        "best_day": int(best["day"]),
        "measured": best["measured"],
        "abnormal": best["abnormal"],
        "distance": best["distance"],
        "verdict": verdict,
        "range_low": low,
        "range_high": high,
    }
    out["explanation"] = _explain(claim, out, ranged, cands, implied)
    return {**out, "_candidates": cands}


def _explain(claim: Claim, r: dict[str, object], ranged: set[pd.Timestamp], cands: pd.DataFrame, implied) -> str:
    rep = ("≈ " if claim.approximate else "") + fmt_pct(claim.reported, 1)
    tol = f"±{float(r['tolerance']) * 100:.2f} pp"  # type: ignore[arg-type]
    what = f"the {_WORDS[str(r['best_measure'])]} of {r['best_session']:%Y-%m-%d} ({fmt_pct(r['measured'])}" + (
        f", abnormal {fmt_pct(r['abnormal'])})" if not _nan(r["abnormal"]) else ")"
    )
    if r["best_session"] in ranged and float(r["distance"]) > float(r["tolerance"]):  # type: ignore[arg-type]
        span = f"{fmt_pct(r['range_low'])} to {fmt_pct(r['range_high'])}"
        where = "the session the article implies" if r["verdict"] == CONSISTENT else "another session than implied"
        return (
            f"{rep} ({claim.timing}) lies within the range traded on {r['best_session']:%Y-%m-%d}, {where} "
            f"({span} from the previous close, {tol}); daily data cannot give the {claim.timing} price, "
            f"and the nearest daily measure is {what}."
        )
    if r["verdict"] == CONSISTENT:
        return f"{rep} ({tol}) matches {what}, on the session the article implies."
    if r["verdict"] == ANOTHER_SESSION:
        imp = cands[(cands["session"] == implied) & (cands["measure"] == "close_to_close")]
        on_imp = f" ({fmt_pct(imp['measured'].iloc[0])} close to close)" if len(imp) else ""
        return f"{rep} ({tol}) matches {what}, not the session the article implies, {implied:%Y-%m-%d}{on_imp}."
    return (
        f"No measure on days -1..+2 is within {tol} of {rep}; the closest is {what}, "
        f"{float(r['distance']) * 100:.2f} pp away."  # type: ignore[arg-type]
    )


def _nan(x: object) -> bool:
    return isinstance(x, float) and math.isnan(x)


def reconcile_claims(
    spec: StudySpec, ar: pd.DataFrame, moves: pd.DataFrame, fits: pd.DataFrame, day0: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Judge every claim; return (claims, candidates) tables.

    ``moves`` is the decomposition table (``event, ticker, day, session,
    overnight, intraday, low, high, bench_overnight, bench_intraday``).
    """
    claim_rows, cand_parts = [], []
    for claim in spec.claims:
        key = (ar["event"] == claim.event) & (ar["ticker"] == claim.ticker)
        if not key.any():  # the pair was excluded (no data or no fit): say so, do not drop the claim
            claim_rows.append(
                {"claim": claim.id, "ticker": claim.ticker, "event": claim.event, "reported": claim.reported,
                 "approximate": claim.approximate, "timing": claim.timing, "source": claim.source,
                 "quote": claim.quote, "verdict": NOT_MEASURED,
                 "tolerance": tolerance(claim.reported, approximate=claim.approximate, quote=claim.quote),
                 "explanation": f"Not measured: {claim.ticker} around {claim.event} was excluded (see Excluded)."}
            )  # fmt: skip
            continue
        pair_ar = ar[key].set_index("day")
        pair_moves = moves[(moves["event"] == claim.event) & (moves["ticker"] == claim.ticker)]
        fit = fits[(fits["event"] == claim.event) & (fits["ticker"] == claim.ticker)].iloc[0]
        beta = float(fit["beta"]) if not math.isnan(fit["beta"]) else 0.0
        cands = candidate_measures(pair_ar, pair_moves, beta)
        d0 = day0[(day0["event"] == claim.event) & (day0["ticker"] == claim.ticker)]["session"].iloc[0]
        implied = pd.Timestamp(claim.session) if claim.session else d0
        result = judge(claim, cands, pair_moves, implied)
        cand = result.pop("_candidates")
        cand_parts.append(cand.assign(claim=claim.id, ticker=claim.ticker, event=claim.event))
        claim_rows.append(
            {
                "claim": claim.id,
                "ticker": claim.ticker,
                "event": claim.event,
                "reported": claim.reported,
                "approximate": claim.approximate,
                "timing": claim.timing,
                "source": claim.source,
                "quote": claim.quote,
                **result,
            }
        )
    cands = pd.concat(cand_parts, ignore_index=True) if cand_parts else pd.DataFrame(columns=CANDIDATE_COLUMNS)
    return pd.DataFrame(claim_rows, columns=CLAIM_COLUMNS), cands[CANDIDATE_COLUMNS]
