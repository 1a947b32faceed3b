"""Each reported claim against the measured moves on the sessions it may speak of.

Candidates, for the claim's security on the session the claim names and its
neighbours (-1, +1, +2), else on days -1..+2 of its event
(:mod:`eventstudy.claims.candidate_sessions`):

- ``close_to_close`` (abnormal part: the AR, outside the AR window the move
  less α + β × the benchmark's);
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
3. the fewest claims held only by a two-day or an open-to-close move;
4. the session the article implies (day 0), then the earlier session.

**Verdicts** on that session (words in :mod:`eventstudy.claims.verdicts`):
``matches the close`` (a close-to-close, two-day or open-to-close move
holds it), ``within the day's range`` (else the overnight gap or the day's
range holds it), ``consistent on another session`` (else something holds
it on another of days -1..+2), ``not supported``. The best match is the
holding measure (preferring the one the claim's timing names:
close-to-close for "close", the overnight gap for "open", open-to-close for
"intraday"), else the nearest one. A claim timed ``close_only`` (a close the
article told after the session ended) is held on its own session only by a
move measured to a close, never by the day's range.

**Quotes.** A claim timed ``premarket`` or ``open`` is first the opening gap
(previous close → open) of its session, ``after_hours`` the next session's
opening gap, ``intraday``/``midday`` the day's range: when that holds, the
verdict is ``within the day's range`` and the text says it was a quote, not
a close. **Period moves** (``since``) are measured from their reference
close (:mod:`eventstudy.claims.period_moves`). A pair the engine left out (too
short a history) is judged on its raw moves, the abnormal part by the
market-adjusted model, and says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from eventstudy.claims import verdicts as V
from eventstudy.claims.candidate_sessions import (
    CANDIDATE_DAYS,
    QUOTE_GAP,
    QUOTE_TIMINGS,
    candidate_days,
    candidate_measures,
    daily_moves,
    not_trading,
)
from eventstudy.claims.period_moves import PriceReader, period_moves, reference, span_start
from eventstudy.claims.rules import acceptance, choose_day, claim_groups, excess, range_holds
from eventstudy.claims.tolerance import decimals_in, decimals_of, tolerance
from eventstudy.spec import Claim, StudySpec

__all__ = ["CANDIDATE_DAYS", "acceptance", "choose_day", "claim_groups", "excess", "range_holds", "reconcile_claims"]

# also the order of preference on ties
MEASURES = ("close_to_close", "intraday", "overnight", "two_day", "next_overnight", "period")
CLOSE_MEASURES = ("close_to_close", "two_day", "intraday", "period")  # moves measured to a close
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
_PREFERRED = {"close": "close_to_close", "close_only": "close_to_close", "intraday": "intraday", **QUOTE_GAP}


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
    closed: str  # "2025-01-25 is not a trading day on XNAS" when the named session is not one
    model_note: str  # how the abnormal part was measured, when not by the study's model
    verdict: dict[str, object] = field(default_factory=dict)

    def status(self, day: int) -> str | None:
        """``matches the close``, ``within the day's range`` or None on this day."""
        info = self.days.get(day)
        if info is None:
            return None
        hits = set(self.cands[(self.cands["day"] == day) & self.cands["match"]]["measure"])
        if info["session"] != self.implied:
            hits.discard("intraday")  # another session's open-to-close move is a coincidence, not the article's move
        timing = self.claim.timing
        if timing in QUOTE_TIMINGS:  # a quote, never a close: its gap, the day's range, or the range traded next
            # an after-hours move is from the session's close: the next session's gap and range measure it
            ranged = info["next_in_range"] if timing == "after_hours" else info["in_range"]
            return V.WITHIN_RANGE if QUOTE_GAP.get(timing) in hits or ranged else None
        if hits & set(CLOSE_MEASURES):
            return V.MATCHES_CLOSE
        if timing == "close_only" and info["session"] == self.implied:  # told after its session ended: its close
            return None  # (on a neighbouring session, the wrong day's close or a price traded then is consistent)
        if hits or info["in_range"]:
            return V.WITHIN_RANGE
        return None

    def cost(self, day: int) -> tuple[bool, float, bool]:
        """What choosing this day costs.

        (held, distance beyond tolerance of the nearest daily measure, held only by a two-day or
        open-to-close move).
        """
        on = self.cands[self.cands["day"] == day]
        hits = set(on[on["match"]]["measure"])
        # held only by a two-day or an open-to-close move: a weaker match than the session's own close
        two_only = self.status(day) == V.MATCHES_CLOSE and hits & set(CLOSE_MEASURES) <= {"two_day", "intraday"}
        ex = on["excess"].dropna()
        return self.status(day) is not None, float(ex.min()) if len(ex) else math.inf, two_only

    def day_of(self, session: pd.Timestamp) -> int | None:
        return next((d for d, info in self.days.items() if info["session"] == session), None)


def _interval(claim: Claim) -> tuple[float, float, float]:
    tol = tolerance(claim.reported, approximate=claim.approximate, quote=claim.quote)
    return (tol, *acceptance(claim.reported, tol, claim.bound))


def _score(cands: pd.DataFrame, claim: Claim, lo: float, hi: float) -> pd.DataFrame:
    cands["distance"] = (cands["measured"] - claim.reported).abs()
    cands["excess"] = [excess(m, lo, hi) for m in cands["measured"]]
    cands["match"] = cands["excess"] <= 1e-12
    return cands


def _pair(claim: Claim, daily: pd.DataFrame, beta: float, d0: pd.Timestamp, exchange: str, model_note: str) -> _Pair:
    tol, lo, hi = _interval(claim)
    day_list, _, trading = candidate_days(claim, daily)
    cands = _score(candidate_measures(daily, day_list, beta, claim.timing), claim, lo, hi)
    days = {}
    held = {d: bool(range_holds(float(r["low"]), float(r["high"]), lo, hi)) for d, r in daily.iterrows()}
    for day in day_list:
        r = daily.loc[day]
        low, high = float(r["low"]), float(r["high"])
        bad = [n for n in str(r["note"]).split("; ") if "below Low" in n]
        note = bad[0] if bad else f"no High/Low for {claim.ticker} in the price source {r['source']}"
        days[day] = {"session": r["session"], "low": low, "high": high, "range_note": note,
                     "in_range": held[day], "next_in_range": held.get(day + 1, False),
                     "next": daily.loc[day + 1, "session"] if day + 1 in daily.index else None,
                     "next_range": (tuple(daily.loc[day + 1, ["low", "high"]])
                                    if day + 1 in daily.index else None)}  # fmt: skip
    implied = pd.Timestamp(claim.session) if claim.session else d0
    closed = "" if trading else not_trading(claim, exchange)
    return _Pair(claim, tol, lo, hi, cands, days, implied, d0, closed, model_note)


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
        next_session=bday["next"] if best["measure"] == "next_overnight" else None,
        next_range=bday["next_range"] if best["measure"] == "next_overnight" else None,
        session_close_to_close=float(c2c.iloc[0]) if len(c2c) else math.nan,
        range_note=info.get("range_note", ""),
        closed=p.closed if day is None else "",
        named=p.claim.session is not None,
        model_note=p.model_note,
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


def _text(c: Claim, tol: float, r: dict[str, object], group: str, story: str, implied: object) -> dict[str, object]:
    """The claims-table row of a measured claim, from its verdict ``r``."""
    row: dict[str, object] = {
        **_base(c, group, tol),
        "implied_session": implied,
        **{k: v for k, v in r.items() if k in CLAIM_COLUMNS},
    }
    row["verdict_label"] = V.verdict_label(str(r["verdict"]), c.reported, tol, c.bound)
    words = {"figure_text": _figure(c), "tolerance_text": V.tolerance_text(c.reported, tol, c.bound)}
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


def _story(
    members: list[tuple[Claim, dict[str, object]]], day: int | None, d0_session: object, spec: StudySpec,
    day0: pd.DataFrame, *, pinned: bool, closed: str = "",
) -> str:  # fmt: skip
    head = members[0][0]
    d0 = day0.set_index(["event", "ticker"])
    ev = spec.event(head.event)

    def info(event_id: str) -> dict[str, object]:
        e = spec.event(event_id)
        local = d0.loc[(event_id, head.ticker), "local_time"]
        return {"id": e.id, "title": e.title, "local_time": local, "approximate": e.approximate}

    others = []
    for e in spec.events:
        if e.id == ev.id:
            continue
        keys = [(e.id, c.ticker) for c, _ in members]
        if all(k in d0.index for k in keys) and all(
            d0.loc[k, "session"] == r["session"] for k, (_, r) in zip(keys, members, strict=True)
        ):
            others.append(info(e.id))
    rows = [{"verdict": r["verdict"], "session": r["session"]} for _, r in members]
    return V.story(rows, event=info(ev.id), day=day, day0=d0_session, pinned=pinned, others=others, closed=closed)


def _judge_period(p: _Pair, daily: pd.DataFrame, prices: PriceReader | None) -> dict[str, object] | str:
    """The verdict of a period move (``since``), or why it cannot be measured."""
    c = p.claim
    sessions = daily.loc[list(p.days), "session"]
    if prices is None or sessions.empty:
        return f"Not measured: no price history was available for the move of {c.ticker} since {c.since}."
    frame = prices(c.ticker, span_start(c.since), sessions.max())
    ref = reference(c.since, frame, until=sessions.min())
    if ref is None:
        return f"Not measured: the prices of {c.ticker} do not reach the reference close of {c.since}."
    moves = period_moves(frame, ref, sessions)
    cands = pd.DataFrame({"day": moves.index, "session": sessions.to_numpy(), "measure": "period",
                          "measured": moves.to_numpy(), "abnormal": math.nan})  # fmt: skip
    p.cands = _score(cands, c, p.lo, p.hi)
    judged = p.day_of(p.implied)
    on = p.cands[p.cands["day"] == judged]
    held = p.cands[p.cands["match"]]
    if len(on) and bool(on["match"].iloc[0]):
        verdict, best = V.MATCHES_CLOSE, on.iloc[0]
    elif len(held):
        verdict = V.ANOTHER_SESSION
        best = held.loc[(held["day"] - (judged if judged is not None else 0)).abs().sort_values(kind="stable").index[0]]
    else:
        verdict = V.NOT_SUPPORTED
        best = p.cands.loc[p.cands["excess"].fillna(math.inf).sort_values(kind="stable").index[0]]
    return {"session": p.implied, "day": judged, "verdict": verdict, "best_measure": "period",
            "best_session": best["session"], "best_day": int(best["day"]), "measured": best["measured"],
            "abnormal": math.nan, "distance": best["distance"], "range_low": math.nan, "range_high": math.nan,
            "reference": ref.words, "since": c.since, "closed": p.closed if judged is None else "",
            "session_move": float(on["measured"].iloc[0]) if len(on) else math.nan}  # fmt: skip


def _not_measured(claim: Claim, group: str, text: str) -> dict[str, object]:
    tol = _interval(claim)[0]
    return {**_base(claim, group, tol), "verdict": V.NOT_MEASURED, "verdict_label": V.NOT_MEASURED,
            "finding": text, "story": "", "explanation": text}  # fmt: skip


def reconcile_claims(
    spec: StudySpec,
    ar: pd.DataFrame,
    moves: pd.DataFrame,
    fits: pd.DataFrame,
    day0: pd.DataFrame,
    *,
    prices: PriceReader | None = None,
    left_out: dict[tuple[str, str], str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Judge every claim, group by group; return (claims, candidates) tables.

    ``moves`` is the decomposition table (``event, ticker, day, session,
    close_to_close, overnight, intraday, low, high, bench_overnight, bench_intraday,
    bench_close_to_close``) on the claims' candidate sessions. ``prices(symbol, start, end)``
    reads the closes a period move needs. ``left_out`` says, per (event, ticker) the engine
    left out, why and how much history there is: such a pair is judged on its raw moves, its
    abnormal part by the market-adjusted model.
    """
    groups = claim_groups(spec.claims)
    measured: dict[str, _Pair] = {}
    dailies: dict[str, pd.DataFrame] = {}
    for claim in spec.claims:
        key = (claim.event, claim.ticker)
        in_ar = (ar["event"] == claim.event) & (ar["ticker"] == claim.ticker)
        fit = fits[(fits["event"] == claim.event) & (fits["ticker"] == claim.ticker)]
        pair_moves = moves[(moves["event"] == claim.event) & (moves["ticker"] == claim.ticker)]
        if in_ar.any() and len(fit):
            alpha, beta = (float(fit.iloc[0].get(k, math.nan)) for k in ("alpha", "beta"))
            alpha, beta, note = (0.0 if math.isnan(alpha) else alpha), (0.0 if math.isnan(beta) else beta), ""
        elif left_out and key in left_out and len(pair_moves) and pair_moves["close_to_close"].notna().any():
            alpha, beta, note = 0.0, 1.0, left_out[key]
        else:
            continue
        daily = daily_moves(ar[in_ar].set_index("day"), pair_moves, alpha, beta)
        d0 = day0[(day0["event"] == claim.event) & (day0["ticker"] == claim.ticker)]["session"].iloc[0]
        exchange = spec.security(claim.ticker).exchange
        measured[claim.id] = _pair(claim, daily, beta, d0, exchange, note)
        dailies[claim.id] = daily
    stories: dict[str, str] = {}
    for group in dict.fromkeys(groups.values()):
        pairs = [measured[c.id] for c in spec.claims if groups[c.id] == group and c.id in measured and not c.since]
        if pairs:  # period moves are judged on their own, below
            day, pinned = _judge_group(pairs)
            members = [(p.claim, p.verdict) for p in pairs]
            closed = pairs[0].closed if pinned else ""
            stories[group] = _story(members, day, pairs[0].day0, spec, day0, pinned=pinned, closed=closed)
    rows, cand_parts = [], []
    for claim in spec.claims:
        group = groups[claim.id]
        p = measured.get(claim.id)
        if p is None:  # the pair was excluded (no data or no fit): say so, do not drop the claim
            text = f"Not measured: {claim.ticker} around {claim.event} was excluded, with no prices (see Excluded)."
            rows.append(_not_measured(claim, group, text))
            continue
        story = stories.get(group, "")
        if claim.since:
            r = _judge_period(p, dailies[claim.id], prices)
            if isinstance(r, str):
                rows.append(_not_measured(claim, group, r))
                continue
            p.verdict = r
            pinned = claim.session is not None
            story = _story([(claim, r)], r["day"], p.day0, spec, day0, pinned=pinned,  # type: ignore[arg-type]
                           closed=str(r["closed"]))  # fmt: skip
        rows.append(_text(claim, p.tol, p.verdict, group, story, p.implied))
        cand_parts.append(p.cands.assign(claim=claim.id, ticker=claim.ticker, event=claim.event))
    cands = pd.concat(cand_parts, ignore_index=True) if cand_parts else pd.DataFrame(columns=CANDIDATE_COLUMNS)
    return pd.DataFrame(rows, columns=CLAIM_COLUMNS), cands[CANDIDATE_COLUMNS]
