"""Each reported claim against the measured moves around its event.

Candidates, for the claim's security around its event's day 0:

- ``close_to_close`` on days -1, 0, +1, +2 (abnormal part: the AR);
- ``overnight`` (previous close → open) and ``intraday`` (open → close)
  on the same days (abnormal part: the move minus β times the benchmark's
  same part; NaN where an Open is missing);
- ``two_day`` close-to-close over days (d-1, d) for d = 0, +1, +2, dated by
  its last session (abnormal part: the sum of the two ARs);
- the day's range: low and high from the previous close (adjusted like
  the close, :mod:`eventstudy.market.decompose`); NaN where the source has no
  High/Low.

A candidate holds the figure when it lies within the claim's acceptance
interval: the figure ± its tolerance (:mod:`eventstudy.claims.tolerance`), or for
a one-sided figure (``bound``) everything beyond the figure less the
tolerance. The day's range holds it when the range meets that interval.

**Groups.** Claims with the same ``group`` key, and by default claims from
one sentence (same ``source`` and the same ``offset``, or without offsets
the same ``quote``) about the same event naming the same ``session`` (or
none), describe one moment and are judged on one session. When they name
a session, that is it. Otherwise it is chosen among days -1..+2 (each
security's day *d* is its own exchange's session) by, in order:

1. the fewest claims held neither by a measure nor by the day's range;
2. the smallest sum, over the claims, of the distance from the figure to
   the nearest daily measure beyond its tolerance (0 when one matches);
3. the session the article implies (day 0), then the earlier session.

**Verdicts** on that session (words in :mod:`eventstudy.claims.verdicts`):
``matches the close`` (a close-to-close, two-day or open-to-close move
holds it), ``within the day's range`` (else the overnight gap or the day's
range holds it), ``consistent on another session`` (else something holds
it on another of days -1..+2), ``not supported``. The best match is the
holding measure (preferring the one the claim's timing names:
close-to-close for "close", the overnight gap for "open", open-to-close for
"intraday"), else the nearest one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from eventstudy.claims import verdicts as V
from eventstudy.claims.tolerance import decimals_in, decimals_of, tolerance
from eventstudy.spec import Claim, StudySpec

CANDIDATE_DAYS = (-1, 0, 1, 2)
MEASURES = ("close_to_close", "intraday", "overnight", "two_day")  # also the order of preference on ties
CLOSE_MEASURES = ("close_to_close", "two_day", "intraday")  # moves measured to a close
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
    "excess",
    "match",
]
CLAIM_COLUMNS = [
    "claim", "ticker", "event", "group", "reported", "bound", "tolerance", "approximate", "timing",
    "implied_session", "session", "day", "verdict", "best_measure", "best_session", "best_day", "measured",
    "abnormal", "distance", "range_low", "range_high", "reported_text", "verdict_label", "finding", "story",
    "explanation", "source", "quote",
]  # fmt: skip
TEXT_COLUMNS = ["finding", "story", "explanation"]  # sentences with measured numbers in them
# kept for callers of the earlier vocabulary
CONSISTENT, ANOTHER_SESSION, NOT_SUPPORTED, NOT_MEASURED = (
    V.MATCHES_CLOSE,
    V.ANOTHER_SESSION,
    V.NOT_SUPPORTED,
    V.NOT_MEASURED,
)
_PREFERRED = {"close": "close_to_close", "open": "overnight", "intraday": "intraday"}


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


# -- the rules ------------------------------------------------------------------------
def acceptance(reported: float, tol: float, bound: str = "") -> tuple[float, float]:
    """The interval of measured moves that hold a figure.

    Two-sided: ``reported ± tol``. ``at_least``: at least the figure less the
    tolerance, in the figure's direction. ``at_most``: between 0 and the
    figure plus the tolerance.
    """
    if bound == "at_least" and reported != 0:
        return (reported - tol, math.inf) if reported > 0 else (-math.inf, reported + tol)
    if bound == "at_most" and reported != 0:
        return (0.0, reported + tol) if reported > 0 else (reported - tol, 0.0)
    return reported - tol, reported + tol


def excess(measured: float, lo: float, hi: float) -> float:
    """How far ``measured`` lies outside [lo, hi] (0 inside; NaN stays NaN)."""
    if measured is None or math.isnan(measured):
        return math.nan
    return max(lo - measured, measured - hi, 0.0)


def range_holds(low: float, high: float, lo: float, hi: float) -> bool | None:
    """Whether the day's range [low, high] meets [lo, hi]; None when the range is unknown."""
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return None
    return low <= hi + 1e-12 and high >= lo - 1e-12


def claim_groups(claims: Sequence[Claim]) -> dict[str, str]:
    """Claim id → group id (see the module doc).

    An explicit ``group`` is its own id; an automatic group of several
    claims is named by its claims' ids joined with ``+``; a claim alone is
    its own group.
    """
    keys: dict[str, tuple[object, ...]] = {}
    for c in claims:
        if c.group:
            keys[c.id] = ("group", c.group)
        elif c.source and (c.offset is not None or c.quote):
            where = ("offset", c.offset) if c.offset is not None else ("quote", c.quote.strip())
            keys[c.id] = ("sentence", c.source, where, c.event, c.session)
        else:
            keys[c.id] = ("alone", c.id)
    members: dict[tuple[object, ...], list[str]] = {}
    for c in claims:
        members.setdefault(keys[c.id], []).append(c.id)
    out = {}
    for key, ids in members.items():
        name = str(key[1]) if key[0] == "group" else "+".join(ids)
        out.update(dict.fromkeys(ids, name))
    return out


def choose_day(costs: dict[int, list[tuple[bool, float, bool]]], implied: int = 0) -> int:
    """The group's day: ``costs[day]`` holds, per claim, (held, distance beyond tolerance, two-day only).

    Fewest claims not held, then the smallest sum of distances, then the
    fewest claims held only by a two-day move (a quiet day after the move
    repeats it), then the implied day, then the earlier day.
    """

    def score(day: int) -> tuple[int, float, int, bool, int]:
        c = costs[day]
        return (
            sum(not held for held, _, _ in c),
            round(sum(e for _, e, _ in c), 12),
            sum(two for _, _, two in c),
            day != implied,
            day,
        )

    return min(costs, key=score)


@dataclass
class _Pair:
    """One measured claim: its interval, candidates and days."""

    claim: Claim
    tol: float
    lo: float
    hi: float
    cands: pd.DataFrame
    days: dict[int, dict[str, object]]
    implied: pd.Timestamp
    day0: pd.Timestamp
    range_note: str
    verdict: dict[str, object] = field(default_factory=dict)

    def status(self, day: int) -> str | None:
        """``matches the close``, ``within the day's range`` or None on this day."""
        info = self.days.get(day)
        if info is None:
            return None
        hits = self.cands[(self.cands["day"] == day) & self.cands["match"]]
        if hits["measure"].isin(CLOSE_MEASURES).any():
            return V.MATCHES_CLOSE
        if len(hits) or info["in_range"]:
            return V.WITHIN_RANGE
        return None

    def cost(self, day: int) -> tuple[bool, float, bool]:
        """(held, distance beyond tolerance of the nearest daily measure, held only by a two-day move) on this day."""
        on = self.cands[self.cands["day"] == day]
        hits = set(on[on["match"]]["measure"])
        two_only = self.status(day) == V.MATCHES_CLOSE and hits & set(CLOSE_MEASURES) == {"two_day"}
        ex = on["excess"].dropna()
        return self.status(day) is not None, float(ex.min()) if len(ex) else math.inf, two_only

    def day_of(self, session: pd.Timestamp) -> int | None:
        return next((d for d, info in self.days.items() if info["session"] == session), None)


def _pair(claim: Claim, pair_ar: pd.DataFrame, pair_moves: pd.DataFrame, beta: float, d0: pd.Timestamp) -> _Pair:
    tol = tolerance(claim.reported, approximate=claim.approximate, quote=claim.quote)
    lo, hi = acceptance(claim.reported, tol, claim.bound)
    cands = candidate_measures(pair_ar, pair_moves, beta)
    cands["distance"] = (cands["measured"] - claim.reported).abs()
    cands["excess"] = [excess(m, lo, hi) for m in cands["measured"]]
    cands["match"] = cands["excess"] <= 1e-12
    mv = pair_moves.set_index("day")
    days = {}
    for day in CANDIDATE_DAYS:
        if day not in pair_ar.index:
            continue
        low, high = (mv.loc[day, "low"], mv.loc[day, "high"]) if day in mv.index else (math.nan, math.nan)
        days[day] = {"session": pair_ar.loc[day, "session"], "low": low, "high": high,
                     "in_range": bool(range_holds(low, high, lo, hi))}  # fmt: skip
    source = pair_moves["source"].iloc[0] if "source" in pair_moves and len(pair_moves) else claim.ticker
    note = f"no High/Low for {claim.ticker} in the price source {source}"
    implied = pd.Timestamp(claim.session) if claim.session else d0
    return _Pair(claim, tol, lo, hi, cands, days, implied, d0, note)


def _best(p: _Pair, day: int | None, status: str | None) -> pd.Series:
    """The measure shown as the best match on ``day`` (None: the nearest anywhere)."""
    pool = p.cands if day is None else p.cands[p.cands["day"] == day]
    hits = pool[pool["match"]]
    if status == V.MATCHES_CLOSE:
        hits = hits[hits["measure"].isin(CLOSE_MEASURES)]
    if len(hits):
        pref = hits[hits["measure"] == _PREFERRED.get(p.claim.timing)]
        pool = pref if len(pref) else hits
    order = pool.assign(
        _e=pool["excess"].round(12), _d=pool["distance"].round(12), _m=pool["measure"].map(MEASURES.index)
    )
    return pool.loc[order.sort_values(["_e", "_d", "_m"], kind="stable").index[0]]


def _grade(p: _Pair, session: pd.Timestamp) -> dict[str, object]:
    """The verdict of one claim judged on ``session``."""
    day = p.day_of(session)
    status = p.status(day) if day is not None else None
    info = p.days.get(day, {}) if day is not None else {}
    out: dict[str, object] = {"session": session, "day": day, "best_held": status}
    if status is not None:
        verdict, best = status, _best(p, day, status)
    else:
        others = [(d, p.status(d)) for d in p.days if d != day and p.status(d) is not None]
        if others:
            d, st = min(others, key=lambda x: (x[1] != V.MATCHES_CLOSE, p.cost(x[0])[1], x[0]))
            verdict, best, out["best_held"] = V.ANOTHER_SESSION, _best(p, d, st), st
        else:
            verdict, best = V.NOT_SUPPORTED, _best(p, None, None)
    bday = p.days[int(best["day"])]
    c2c = p.cands[(p.cands["day"] == day) & (p.cands["measure"] == "close_to_close")]["measured"]
    out.update(
        verdict=verdict,
        best_measure=best["measure"],
        best_session=best["session"],
        best_day=int(best["day"]),
        measured=best["measured"],
        abnormal=best["abnormal"],
        distance=best["distance"],
        range_low=info.get("low", math.nan),
        range_high=info.get("high", math.nan),
        best_range_low=bday["low"],
        best_range_high=bday["high"],
        session_close_to_close=float(c2c.iloc[0]) if len(c2c) else math.nan,
        range_note=p.range_note,
    )
    return out


def _judge_group(pairs: list[_Pair]) -> tuple[int | None, bool]:
    """Give each pair of a group its session and verdict; return (the story's day, pinned)."""
    pinned = pairs[0].claim.session is not None
    if pinned:
        for p in pairs:
            p.verdict = _grade(p, p.implied)
        return pairs[0].day_of(pairs[0].implied), True
    days = sorted(set.intersection(*(set(p.days) for p in pairs)))
    costs = {d: [p.cost(d) for p in pairs] for d in days}
    day = choose_day(costs) if costs else None
    for p in pairs:
        p.verdict = _grade(p, p.days[day]["session"] if day is not None else p.implied)
    return day, False


def _text(p: _Pair, group: str, story: str) -> dict[str, object]:
    """The claims-table row of a measured claim."""
    c, r = p.claim, p.verdict
    row: dict[str, object] = {
        **_base(c, group, p.tol),
        "implied_session": p.implied,
        **{k: v for k, v in r.items() if k in CLAIM_COLUMNS},
    }
    row["verdict_label"] = V.verdict_label(str(r["verdict"]), c.reported, p.tol, c.bound)
    words = {"figure_text": _figure(c), "tolerance_text": V.tolerance_text(c.reported, p.tol, c.bound)}
    row["finding"] = V.finding({**row, **r, **words})
    row["story"] = story
    row["explanation"] = V.explanation(row["finding"], story)  # type: ignore[arg-type]
    return row


def _figure(c: Claim) -> str:
    d = decimals_in(c.quote, c.reported * 100)
    d = d if d is not None else decimals_of(round(c.reported * 100, 10))
    return V.figure_text(c.reported, approximate=c.approximate, bound=c.bound, decimals=d)


def _base(c: Claim, group: str, tol: float) -> dict[str, object]:
    return {"claim": c.id, "ticker": c.ticker, "event": c.event, "group": group, "reported": c.reported,
            "bound": c.bound, "tolerance": tol, "approximate": c.approximate, "timing": c.timing,
            "reported_text": f"{_figure(c)} {V.tolerance_text(c.reported, tol, c.bound)}",
            "source": c.source, "quote": c.quote}  # fmt: skip


def _story(pairs: list[_Pair], day: int | None, pinned: bool, spec: StudySpec, day0: pd.DataFrame) -> str:
    head = pairs[0]
    d0 = day0.set_index(["event", "ticker"])
    ev = spec.event(head.claim.event)

    def info(event_id: str) -> dict[str, object]:
        e = spec.event(event_id)
        local = d0.loc[(event_id, head.claim.ticker), "local_time"]
        return {"id": e.id, "title": e.title, "local_time": local, "approximate": e.approximate}

    others = []
    for e in spec.events:
        if e.id == ev.id:
            continue
        keys = [(e.id, p.claim.ticker) for p in pairs]
        if all(k in d0.index for k in keys) and all(
            d0.loc[k, "session"] == p.verdict["session"] for k, p in zip(keys, pairs, strict=True)
        ):
            others.append(info(e.id))
    members = [{"verdict": p.verdict["verdict"], "session": p.verdict["session"]} for p in pairs]
    return V.story(members, event=info(ev.id), day=day, day0=head.day0, pinned=pinned, others=others)


def reconcile_claims(
    spec: StudySpec, ar: pd.DataFrame, moves: pd.DataFrame, fits: pd.DataFrame, day0: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Judge every claim, group by group; return (claims, candidates) tables.

    ``moves`` is the decomposition table (``event, ticker, day, session,
    overnight, intraday, low, high, bench_overnight, bench_intraday``).
    """
    groups = claim_groups(spec.claims)
    measured: dict[str, _Pair] = {}
    for claim in spec.claims:
        key = (ar["event"] == claim.event) & (ar["ticker"] == claim.ticker)
        if not key.any():
            continue
        pair_ar = ar[key].set_index("day")
        pair_moves = moves[(moves["event"] == claim.event) & (moves["ticker"] == claim.ticker)]
        fit = fits[(fits["event"] == claim.event) & (fits["ticker"] == claim.ticker)].iloc[0]
        beta = float(fit["beta"]) if not math.isnan(fit["beta"]) else 0.0
        d0 = day0[(day0["event"] == claim.event) & (day0["ticker"] == claim.ticker)]["session"].iloc[0]
        measured[claim.id] = _pair(claim, pair_ar, pair_moves, beta, d0)
    stories: dict[str, str] = {}
    for group in dict.fromkeys(groups.values()):
        pairs = [measured[c.id] for c in spec.claims if groups[c.id] == group and c.id in measured]
        if pairs:
            day, pinned = _judge_group(pairs)
            stories[group] = _story(pairs, day, pinned, spec, day0)
    rows, cand_parts = [], []
    for claim in spec.claims:
        group = groups[claim.id]
        p = measured.get(claim.id)
        if p is None:  # the pair was excluded (no data or no fit): say so, do not drop the claim
            tol = tolerance(claim.reported, approximate=claim.approximate, quote=claim.quote)
            text = f"Not measured: {claim.ticker} around {claim.event} was excluded (see Excluded)."
            rows.append({**_base(claim, group, tol), "verdict": V.NOT_MEASURED, "verdict_label": V.NOT_MEASURED,
                         "finding": text, "story": "", "explanation": text})  # fmt: skip
            continue
        rows.append(_text(p, group, stories[group]))
        cand_parts.append(p.cands.assign(claim=claim.id, ticker=claim.ticker, event=claim.event))
    cands = pd.concat(cand_parts, ignore_index=True) if cand_parts else pd.DataFrame(columns=CANDIDATE_COLUMNS)
    return pd.DataFrame(rows, columns=CLAIM_COLUMNS), cands[CANDIDATE_COLUMNS]
