"""What ``eventstudy run`` prints when it is done: every CAR row of a small study, a summary of a large one.

Above :data:`SUMMARY_ABOVE_PAIRS` (event, security) pairs the terminal gets the
study-wide numbers (the report's "All pairs" summary: per window the pairs,
mean and median CAR, the share with p < 0.05), the exclusions count and the
claims, never a line per pair; ``--verbose`` prints every row, as
``str(StudyResults)`` does::

    Event study 'screener': 20,000 (event, security) pairs in 20,000 events, 4,000 securities, model market
    0 pairs excluded

    CAR per window (percent), over all pairs
     window  pairs  mean CAR  median CAR  p < 0.05
     [0, 0] 20,000     0.012       0.004     5.1 %
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from eventstudy.results import StudyResults

SUMMARY_ABOVE_PAIRS = 50  # more (event, security) pairs than this: a summary, every row only with --verbose
MAX_CLAIM_ROWS = 50  # claims listed in the summary; more: counts per verdict


def results_text(res: StudyResults, *, verbose: bool = False) -> str:
    """Every row (``str(res)``) for a small study or with ``verbose``, else :func:`large_summary`."""
    if verbose or len(res.day0) <= SUMMARY_ABOVE_PAIRS:
        return str(res)
    return large_summary(res)


def large_summary(res: StudyResults) -> str:
    """Study-wide numbers of a large study: a few lines whatever its size."""
    import pandas as pd

    s = res.pairs_summary()
    rows = pd.DataFrame(
        {
            "window": [f"[{w['start']}, {w['end']}]" for w in s["car"]],
            "pairs": [f"{w['pairs']:,}" for w in s["car"]],
            "mean CAR": [_pct(w["mean_car"]) for w in s["car"]],
            "median CAR": [_pct(w["median_car"]) for w in s["car"]],
            "p < 0.05": ["" if w["share_p_below_0_05"] is None else f"{w['share_p_below_0_05'] * 100:.1f} %"
                         for w in s["car"]],
        }
    )  # fmt: skip
    parts = [
        f"Event study {res.spec.id!r}: {s['pairs']:,} (event, security) pairs in {s['events']:,} event(s), "
        f"{s['securities']:,} securities, model {res.model}",
        f"{s['excluded']:,} pair(s) excluded" + (" (listed in the report)" if s["excluded"] else ""),
        "",
        "CAR per window (percent), over all pairs",
        rows.to_string(index=False),
    ]
    if not res.claims.empty:
        parts += ["", *_claims(res)]
    rows = len(res.every_car())  # every pair's, also when the Dask workers wrote the car table
    parts += ["", f"every pair's CAR: the car table of the report, or run again with --verbose ({rows:,} rows)"]
    return "\n".join(parts)


def _claims(res: StudyResults) -> list[str]:
    from eventstudy.verdict_rows import verdict_rows, verdicts_text

    if len(res.claims) <= MAX_CLAIM_ROWS:
        return ["Claims against measured moves", *verdicts_text(verdict_rows(res.claims))]
    counts = res.claims["verdict"].value_counts()
    return [f"{len(res.claims):,} claims: " + ", ".join(f"{n:,} {verdict}" for verdict, n in counts.items())]


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.3f}"
