"""The sessions a claim is judged on, and the measured moves on each of them.

A claim that names a session is judged on that session and its neighbours
(-1, +1, +2 on the security's exchange), whatever event it is linked to; a
session that is not a trading day is replaced by the next one, and said.
Without a named session the candidates are days -1..+2 of the event.

Per candidate day (``daily_moves``): the close-to-close move (abnormal part:
the engine's AR inside the AR window, else the move less α + β × the
benchmark's), the overnight gap and the open-to-close move (abnormal part:
the move less β × the benchmark's same part) and the day's range, from the
moves table of :meth:`eventstudy.study.EventStudy.run`.
"""

from __future__ import annotations

import math

import pandas as pd

from eventstudy.spec import Claim

CANDIDATE_DAYS = (-1, 0, 1, 2)  # around the event's day 0, or around a named session
QUOTE_GAP = {"open": "overnight", "premarket": "overnight", "after_hours": "next_overnight"}
RANGE_TIMINGS = ("intraday", "midday")  # a price quoted during the session: the day's range
QUOTE_TIMINGS = (*QUOTE_GAP, *RANGE_TIMINGS)
_DAILY = ["session", "return", "abnormal", "overnight", "intraday", "low", "high", "bench_overnight",
          "bench_intraday", "note", "source"]  # fmt: skip


def daily_moves(pair_ar: pd.DataFrame, pair_moves: pd.DataFrame, alpha: float, beta: float) -> pd.DataFrame:
    """One pair's measured moves by day (``_DAILY`` columns), from its AR rows and its moves rows.

    ``pair_ar`` (indexed by day) may be empty: a pair the engine left out still has its raw moves.
    """
    mv = pair_moves.set_index("day") if len(pair_moves) else pd.DataFrame(columns=["session"])
    ar_days = [d for d in CANDIDATE_DAYS if d in pair_ar.index]
    days = sorted({*(int(d) for d in mv.index), *ar_days})
    out = pd.DataFrame(index=pd.Index(days, name="day"), columns=_DAILY, dtype=object)
    for col in _DAILY[1:]:
        out[col] = mv[col].reindex(days) if col in mv else math.nan
    out[["note", "source"]] = out[["note", "source"]].fillna("")
    out["session"] = mv["session"].reindex(days) if len(mv) else pd.NaT
    if "close_to_close" in mv:
        c2c = mv["close_to_close"].reindex(days).astype(float)
        bench = mv["bench_close_to_close"].reindex(days).astype(float) if "bench_close_to_close" in mv else math.nan
        out["return"], out["abnormal"] = c2c, c2c - alpha - beta * bench
    in_ar = [d for d in days if d in pair_ar.index]
    out.loc[in_ar, "session"] = pair_ar.loc[in_ar, "session"].to_numpy()
    out.loc[in_ar, "return"] = pair_ar.loc[in_ar, "return"].to_numpy()
    out.loc[in_ar, "abnormal"] = pair_ar.loc[in_ar, "abnormal"].to_numpy()
    out["session"] = pd.to_datetime(out["session"])
    for col in _DAILY[1:-2]:
        out[col] = out[col].astype(float)
    return out


def candidate_days(claim: Claim, daily: pd.DataFrame) -> tuple[list[int], int | None, bool]:
    """(candidate days, the named session's day, whether the named date is a trading day).

    The named day is None for a claim that names no session (or one beyond the measured days).
    """
    if claim.session is not None:
        named = pd.Timestamp(claim.session)
        later = daily[daily["session"] >= named]
        if len(later):
            anchor = int(later["session"].idxmin())
            days = [anchor + k for k in CANDIDATE_DAYS if anchor + k in daily.index]
            return days, anchor, bool(daily.loc[anchor, "session"] == named)
    return [d for d in CANDIDATE_DAYS if d in daily.index], None, True


def candidate_measures(daily: pd.DataFrame, days: list[int], beta: float, timing: str) -> pd.DataFrame:
    """Every candidate measure of one claim: ``day, session, measure, measured, abnormal``.

    ``close_to_close``, ``overnight``, ``intraday`` on each day; ``two_day`` over (d-1, d) dated by d
    (not on the first candidate day); for an after-hours quote, ``next_overnight``: the next
    session's opening gap, dated by the session whose after-hours it is.
    """
    rows = []
    for day in days:
        r = daily.loc[day]
        session = r["session"]
        rows.append((day, session, "close_to_close", r["return"], r["abnormal"]))
        for part in ("overnight", "intraday"):
            rows.append((day, session, part, r[part], r[part] - beta * r[f"bench_{part}"]))
        if day - 1 in daily.index and day > days[0]:
            prev = daily.loc[day - 1]
            two = (1 + prev["return"]) * (1 + r["return"]) - 1
            rows.append((day, session, "two_day", two, prev["abnormal"] + r["abnormal"]))
        if timing == "after_hours" and day + 1 in daily.index:
            nxt = daily.loc[day + 1]
            gap = nxt["overnight"]
            rows.append((day, session, "next_overnight", gap, gap - beta * nxt["bench_overnight"]))
    return pd.DataFrame(rows, columns=["day", "session", "measure", "measured", "abnormal"])


def not_trading(claim: Claim, exchange: str) -> str:
    """'2025-01-25 is not a trading day on XNAS'."""
    return f"{claim.session} is not a trading day on {exchange}"
