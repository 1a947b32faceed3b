"""The words of a verdict: one source for every writer (results, claims.csv, Markdown, HTML, figures).

:mod:`eventstudy.claims.reconcile` decides; this module says it. Every sentence a
reader sees about a claim is built here, stored in the claims table
(``finding``, ``story``, ``explanation``) and copied as is by the writers.

Verdicts, strongest first (rules in ``docs/methodology.md``):

- ``matches the close``: on the claim's session, a move measured to a
  close (close-to-close, two-day, open-to-close) lies within the
  tolerance (or the bound);
- ``within the day's range``: no close does, but the figure lies within the
  session's low-high range from the previous close, widened by the
  tolerance (the overnight gap, previous close to open, is such a price):
  a price quoted during the session;
- ``consistent on another session``: neither holds on the claim's session,
  but one of them does on another session of days -1..+2;
- ``not supported``: nothing on the candidate sessions holds the figure;
- ``not measured``: no prices for the claim's sessions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

MATCHES_CLOSE = "matches the close"
WITHIN_RANGE = "within the day's range"
ANOTHER_SESSION = "consistent on another session"
NOT_SUPPORTED = "not supported"
NOT_MEASURED = "not measured"
VERDICTS = (MATCHES_CLOSE, WITHIN_RANGE, ANOTHER_SESSION, NOT_SUPPORTED, NOT_MEASURED)
HELD = (MATCHES_CLOSE, WITHIN_RANGE)  # the figure holds on the session it is judged on

RULES = {
    MATCHES_CLOSE: "a move measured to a close of the session (close to close, two days, open to close) is within "
    "the tolerance",
    WITHIN_RANGE: "no close is, but the figure lies within the session's low–high range from the previous close "
    "(widened by the tolerance): a price quoted during the session",
    ANOTHER_SESSION: "neither holds on the session the claim is judged on, but one does on another candidate session "
    "(days -1, +1, +2 around the session the article names, else days -1..+2 of the event; not by that session's "
    "open-to-close move)",
    NOT_SUPPORTED: "no close and no day's range on the candidate sessions holds the figure",
    NOT_MEASURED: "no prices of the security on the sessions the claim could speak of (see Excluded)",
}
TOLERANCE_RULE = (
    "Tolerance: half a unit in the last digit the article gives (±0.05 pp for “2,3 %”); for approximate figures "
    "(“environ”, “quelque”) the larger of one unit and 10 % of the figure. A one-sided figure (“plus de 12 %”) "
    "only needs the move to reach it, less the tolerance."
)
GROUP_RULE = (
    "Claims from one sentence (or with the same group key) describe one moment and are judged on one session: the one "
    "that leaves the fewest figures unheld, then the smallest sum of distances beyond each tolerance; ties go to "
    "the session the article implies, then to the earlier one. A session the article names is kept."
)
MEASURES_RULE = (
    "Measured moves are close-to-close, overnight (previous close → open), open → close, and two-day, on the "
    "session the article names and days -1, +1, +2 around it, else on days -1..+2 of the event; the day's range "
    "runs from the session's low to its high, from the previous close; abnormal = measured minus the model's "
    "expectation (outside the AR window: minus α + β × the benchmark's move; for a security left out of the model: "
    "minus the benchmark's move). A period move runs from its reference close to the session's close."
)
MEASURE_WORDS = {
    "close_to_close": "close-to-close move",
    "overnight": "opening gap (previous close to open)",
    "intraday": "open-to-close move",
    "two_day": "two-day move",
    "next_overnight": "next session's opening gap (an after-hours quote)",
    "period": "move from the reference close",
}
QUOTE_WORDS = {"premarket": "a pre-market quote", "open": "a quote at the open", "after_hours": "an after-hours quote"}
_COUNT = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}


def pct(value: float, digits: int = 2) -> str:
    """0.0717 → '+7.17 %'; NaN → '–'."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value * 100:+.{digits}f} %"


def pp(value: float) -> str:
    """0.0005 → '0.05 pp'."""
    return f"{value * 100:.2f} pp"


def figure_text(reported: float, *, approximate: bool, bound: str, decimals: int) -> str:
    """The figure as the article gives it: '≈ +7 %', '+2.3 %', '≥ +12 %' (one-sided)."""
    fig = pct(reported, decimals)
    if bound:
        up = (bound == "at_least") == (reported >= 0)
        return ("≥ " if up else "≤ ") + fig
    return ("≈ " if approximate else "") + fig


def tolerance_text(reported: float, tolerance: float, bound: str = "") -> str:
    """'±0.05 pp'; for a one-sided figure the side the tolerance widens: '−0.50 pp'."""
    if bound:
        up = (bound == "at_least") == (reported >= 0)
        return ("−" if up else "+") + pp(tolerance)
    return "±" + pp(tolerance)


def reported_text(reported: float, tolerance: float, *, approximate: bool, bound: str, decimals: int) -> str:
    """The figure with its tolerance: '≈ +7 % ±1.00 pp', '≥ +12 % −0.50 pp'."""
    fig = figure_text(reported, approximate=approximate, bound=bound, decimals=decimals)
    return f"{fig} {tolerance_text(reported, tolerance, bound)}"


def verdict_label(verdict: str, reported: float, tolerance: float, bound: str = "") -> str:
    """The verdict with the tolerance it was judged with: 'matches the close (±0.05 pp)'."""
    if verdict == NOT_MEASURED or _nan(tolerance):
        return verdict
    return f"{verdict} ({tolerance_text(reported, tolerance, bound)})"


def _day(session: object) -> str:
    return f"{pd.Timestamp(session):%Y-%m-%d}"  # type: ignore[arg-type]


def _what(measure: str, session: object, measured: float, abnormal: float) -> str:
    ab = f", abnormal {pct(abnormal)}" if not _nan(abnormal) else ""
    return f"the {MEASURE_WORDS[measure]} of {_day(session)} ({pct(measured)}{ab})"


def _nan(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _range(low: float, high: float) -> str:
    return f"{pct(low)} to {pct(high)} from the previous close"


def finding(c: dict[str, object]) -> str:
    """One or two sentences on one claim (a row of the claims table, before its texts)."""
    text = period_finding(c) if c["best_measure"] == "period" else _finding(c)
    return f"{text} {c['model_note']}" if c.get("model_note") else text


def _finding(c: dict[str, object]) -> str:
    rep = f"{c['ticker']} {c['figure_text']} ({c['tolerance_text']})"
    session, verdict = c["session"], c["verdict"]
    best = _what(str(c["best_measure"]), c["best_session"], c["measured"], c["abnormal"])  # type: ignore[arg-type]
    c2c = f"close to close {pct(c['session_close_to_close'])}"  # type: ignore[arg-type]
    note = c.get("range_note") or ""
    no_range = f"; the day's range is not available ({note})" if _nan(c["range_low"]) and note else ""
    rng = _range(c["range_low"], c["range_high"]) if not _nan(c["range_low"]) else ""  # type: ignore[arg-type]
    quote = QUOTE_WORDS.get(str(c["timing"]))
    if verdict == WITHIN_RANGE and quote and c["best_measure"] in ("overnight", "next_overnight"):
        ab = f", abnormal {pct(c['abnormal'])}" if not _nan(c["abnormal"]) else ""  # type: ignore[arg-type]
        if c["best_measure"] == "next_overnight":
            nxt = _day(c["next_session"])
            traded = ""
            if abs(float(c["measured"]) - float(c["reported"])) > float(c["tolerance"]) and c.get("next_range"):  # type: ignore[arg-type]
                low, high = c["next_range"]  # type: ignore[misc]
                traded = (
                    f"; the quote lies within the range {nxt} then traded "
                    f"({pct(low)} to {pct(high)} from the {_day(session)} close)"
                )
            return (
                f"{rep}: {quote} on {_day(session)}, not a close: the opening gap of {c['ticker']} on "
                f"{nxt}, the next session, was {pct(c['measured'])}{ab} ({c2c} on "  # type: ignore[arg-type]
                f"{_day(session)}){traded}."
            )
        return (
            f"{rep}: {quote}, not a close: the opening gap of {c['ticker']} on {_day(session)} (previous close to "
            f"open) was {pct(c['measured'])}{ab}; {c2c}."  # type: ignore[arg-type]
        )
    if verdict == MATCHES_CLOSE:
        return f"{rep} matches {best}."
    if verdict == WITHIN_RANGE and quote and c["timing"] != "after_hours":
        return f"{rep}: {quote}, not a close: it lies within the range traded on {_day(session)} ({rng}); {c2c}."
    if verdict == WITHIN_RANGE:
        when = f"; the article says “{c['timing']}”" if c["timing"] != "close" else ""
        if c["best_measure"] == "overnight":
            return (
                f"{rep} matches {best}, a price inside the range traded on {_day(session)} ({rng}), not its "
                f"close ({c2c}){when}."
            )
        return (
            f"{rep} is not the close of {_day(session)} ({c2c}) but lies within that day's range ({rng}): a price "
            f"quoted during the session, not at its close{when}."
        )
    if verdict == ANOTHER_SESSION:
        where = f"range {rng}" if rng else "no day's range"
        other = (
            f"it matches {best}"
            if c["best_held"] == MATCHES_CLOSE
            else f"it lies within the range traded on {_day(c['best_session'])} "
            f"({_range(c['best_range_low'], c['best_range_high'])})"  # type: ignore[arg-type]
        )
        if c.get("closed"):
            return f"{rep}: {c['closed']}; {other}."
        return f"{rep} fits neither the close nor the range of {_day(session)} ({c2c}, {where}){no_range}; {other}."
    dist = abs(float(c["measured"]) - float(c["reported"]))  # type: ignore[arg-type]
    around = f"{c['closed']}; no close and no day's range of the sessions around it" if c.get("closed") else (
        f"No close and no day's range of {_day(session)} and the sessions around it"
        if c.get("named") else "No close and no day's range on days -1..+2"
    )  # fmt: skip
    return f"{around} holds {rep}; the closest measure is {best}, {dist * 100:.2f} pp away{no_range}."


def period_finding(c: dict[str, object]) -> str:
    """A period move's finding: from its reference close to the close of the session."""
    rep = f"{c['ticker']} {c['figure_text']} ({c['tolerance_text']}) from {c['reference']}"
    to_best = f"the close of {_day(c['best_session'])} ({pct(c['measured'])})"  # type: ignore[arg-type]
    if c["verdict"] == MATCHES_CLOSE:
        return f"{rep} matches the move from that close to {to_best}."
    if c["verdict"] == ANOTHER_SESSION:
        head = c["closed"] if c.get("closed") else (
            f"to the close of {_day(c['session'])} the move is {pct(c['session_move'])}"  # type: ignore[arg-type]
        )  # fmt: skip
        return f"{rep}: {head}; it holds to {to_best}."
    dist = abs(float(c["measured"]) - float(c["reported"]))  # type: ignore[arg-type]
    return (
        f"{rep}: no close of {_day(c['session'])} or the sessions around it holds it; the closest is the move to "
        f"{to_best}, {dist * 100:.2f} pp away."
    )


def _subject(n_held: int, n: int) -> str:
    if n == 1:
        return "This move"
    if n_held == n:
        return f"These {_COUNT.get(n, str(n))} moves" if n > 2 else "These two moves"
    return f"{_COUNT.get(n_held, str(n_held)).capitalize()} of these {_COUNT.get(n, str(n))} moves"


def _event_name(ev: dict[str, object]) -> str:
    approx = ", approximate time" if ev["approximate"] else ""
    title = f"“{ev['title']}” " if ev["title"] else ""
    return f"{title}({ev['id']}, {ev['local_time']}{approx})"


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def story(
    members: Sequence[dict[str, object]],
    *,
    event: dict[str, object],
    day: int | None,
    day0: object,
    pinned: bool,
    others: Sequence[dict[str, object]],
    closed: str = "",
) -> str:
    """The timing story of a group: on which session its moves happened, and what came before.

    ``members`` are the measured claims of the group (rows with ``verdict``
    and ``session``); ``event`` the event they are tied to (``id, title,
    local_time, approximate``); ``day`` the session's day relative to the
    event's day 0 (None when the session is outside days -1..+2); ``others``
    the study's other events whose day 0 is that session; ``closed`` says that the session the
    article names is not a trading day.
    """
    n = len(members)
    held = sum(m["verdict"] in HELD for m in members)
    sessions = sorted({_day(m["session"]) for m in members})
    on = sessions[0] if len(sessions) == 1 else " / ".join(sessions) + " (each exchange's own session)"
    them = "it" if n == 1 else "them"
    ties = f"the announcement the article ties {them} to ({event['id']}, {event['local_time']})"
    if pinned and closed:
        return f"The article names {on} (not a trading day); it ties {them} to {event['id']} ({event['local_time']})."
    if pinned:
        lead = f"The article names {on}"
    elif held:
        lead = f"{_subject(held, n)} happened on {on}"
    else:
        lead = f"No session of days -1..+2 holds {'this figure' if n == 1 else 'these figures'}; the nearest is {on}"
    if day is None:
        where = f", outside days -1..+2 of {ties}"
    elif day == 0:
        where = f", the first session to close after {ties}"
    elif day < 0:
        before = "the session" if day == -1 else f"{-day} sessions before the session"
        where = f", in {before} that closed before {ties}"
    else:
        after = "one session" if day == 1 else f"{day} sessions"
        where = f", {after} after day 0 ({_day(day0)}) of {ties}"
    text = lead + where
    if others:
        names = _join([_event_name(o) for o in others])
        many = "other events" if len(others) > 1 else "another event"
        if day is not None and day < 0 and held and not pinned:
            text += (
                f". That session is day 0 of {many} of the study, {names}: the market reacted to that news, "
                "not to the announcement."
            )
        else:
            text += f". That session is also day 0 of {names}: daily data cannot separate them."
    elif day is not None and day < 0 and held and not pinned:
        text += ": no event of the study falls in that session; the move came before the news the study records."
    else:
        text += "."
    return text


def explanation(finding_text: str, story_text: str) -> str:
    """What claims.csv says about a claim: its finding, then its group's story."""
    return f"{finding_text} {story_text}".strip()
