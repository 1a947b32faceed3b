"""Claims against measured moves: which session matches the reported number.

For each claim the candidate sessions are days -1, 0 and +1 of the claim's
event on the security's exchange. The closest candidate is the one whose
close-to-close return is nearest the reported number.
"""

from __future__ import annotations

import pandas as pd

from eventstudy.spec import StudySpec

CANDIDATE_DAYS = (-1, 0, 1)
CANDIDATE_COLUMNS = [
    "claim",
    "ticker",
    "event",
    "day",
    "session",
    "measured",
    "benchmark",
    "abnormal",
    "distance",
    "closest",
]
CLAIM_COLUMNS = [
    "claim",
    "ticker",
    "event",
    "reported",
    "approximate",
    "implied_session",
    "closest_day",
    "closest_session",
    "measured",
    "benchmark",
    "abnormal",
    "distance",
    "source",
    "quote",
]


def reconcile_claims(spec: StudySpec, ar: pd.DataFrame, day0: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compare each claim with the raw returns of its candidate sessions.

    Parameters
    ----------
    spec
        The study (claims, events).
    ar
        Abnormal-return table with ``event, ticker, day, session, return,
        benchmark, abnormal``.
    day0
        Day-0 table with ``event, ticker, session``.

    Returns
    -------
    claims, candidates
        One row per claim naming the closest session, and one row per
        (claim, candidate day).
    """
    cand_rows: list[dict[str, object]] = []
    claim_rows: list[dict[str, object]] = []
    for claim in spec.claims:
        pair = ar[(ar["event"] == claim.event) & (ar["ticker"] == claim.ticker)]
        if pair.empty:
            continue
        cands = pair[pair["day"].isin(CANDIDATE_DAYS)].copy()
        cands["distance"] = (cands["return"] - claim.reported).abs()
        best = cands.loc[cands["distance"].idxmin()]
        for _, row in cands.iterrows():
            cand_rows.append(
                {
                    "claim": claim.id,
                    "ticker": claim.ticker,
                    "event": claim.event,
                    "day": int(row["day"]),
                    "session": row["session"],
                    "measured": row["return"],
                    "benchmark": row["benchmark"],
                    "abnormal": row["abnormal"],
                    "distance": row["distance"],
                    "closest": row["day"] == best["day"],
                }
            )
        d0 = day0[(day0["event"] == claim.event) & (day0["ticker"] == claim.ticker)]["session"].iloc[0]
        claim_rows.append(
            {
                "claim": claim.id,
                "ticker": claim.ticker,
                "event": claim.event,
                "reported": claim.reported,
                "approximate": claim.approximate,
                "implied_session": pd.Timestamp(claim.session) if claim.session else d0,
                "closest_day": int(best["day"]),
                "closest_session": best["session"],
                "measured": best["return"],
                "benchmark": best["benchmark"],
                "abnormal": best["abnormal"],
                "distance": best["distance"],
                "source": claim.source,
                "quote": claim.quote,
            }
        )
    return (
        pd.DataFrame(claim_rows, columns=CLAIM_COLUMNS),
        pd.DataFrame(cand_rows, columns=CANDIDATE_COLUMNS),
    )
