"""What a figure is: a price move (its verb and direction) or another figure (a stake, a metric, a period…).

:mod:`.moves` walks an article's figures; for each it asks :func:`classify` for the measure noun, the
move verb and its direction, and :func:`verdict` whether the figure is a price move or which other
figure it is, with the reason shown in the draft.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from eventstudy.articles.attribution import DESCRIPTION, Subject
from eventstudy.articles.descriptions import blank_descriptions
from eventstudy.articles.period_words import PERIOD
from eventstudy.articles.records import DateMention
from eventstudy.articles.words import (
    AFTER,
    AFTER_KIND,
    COMPARATIVE,
    DOWN,
    FORECAST,
    MOVE,
    RELATIVE_ASIDE,
    UP,
    blank,
    main_clauses,
    nouns,
)

_I = re.IGNORECASE
KIND_TEXT = {"stake": "a stake in a company's capital", "valuation": "a valuation", "market share": "a market share",
              "metric": "a company or market metric (revenue, volume, capitalisation…)",
              "sector": "a sector move", "crypto": "a crypto token's move",
              "futures": "a futures contract's move (before or beside the cash session)",
              "quote notation": "a ticker notation's live quote"}  # fmt: skip


@dataclass
class Context:
    """What a figure passes on to the next one in its sentence."""

    kind: str | None = None
    direction: str = ""
    verb: str = ""
    subject: Subject | None = None
    session: DateMention | None = None
    timing: str = ""
    since: str = ""  # a period move's reference: "Sur la semaine, le Nasdaq 100 recule de 1,9 % et Broadcom de 7,8 %"


_TIMES = re.compile(
    r"\s*(?:on\s+(?:\d+|two|three|four|five|six|seven|eight|nine|ten|a dozen)\s+(?:separate\s+)?(?:occasions"
    r"|sessions|days|trading days)|(?:\d+|two|three|four|five|six|seven|eight|nine|ten)\s+times|à\s+\d+\s+reprises)"
    r"(?![\w])",
    re.IGNORECASE,
)
# the previous figure's complement at the start of a segment: "(90 %) du capital, …", "(8%) of revenue, …"
_PREVIOUS_TAIL = re.compile(r"\s*(?:(?:du|de la|des|de|of|in)\s|de l['’]|d['’])[^,;:()]{0,40}[,;:]", re.IGNORECASE)
# an opening circumstance ("Au lendemain de ses résultats, …", "After its earnings report, …"): not the figure's measure
_CIRCUMSTANCE = re.compile(
    r"(?:^|(?<=[,;:]))\s*(?:even |même )?(?:au lendemain d[eu']|dans la foulée d[eu']|après|after|following|counting"
    r"|including|y compris"
    r"|in the wake of|à la suite d[eu']|suite à)[^,;:]{0,80}(?=,)",
    re.IGNORECASE,
)


# a level's change before its percent: "finished 157.50 points, or 0.70%, higher" (the word after is the figure's)
_POINTS_OR = re.compile(r"\d\s*(?:points?|pts|yens?|dollars?|\$)?,?\s+(?:or|soit)\s*[+-]?$", re.IGNORECASE)


_OR_POINTS = re.compile(r",?\s*(?:or|soit)\s+[\d,.]+\s*(?:points?|pts)\s*", re.IGNORECASE)


def classify(segment: str, ahead: str, prev: Context, text: str, seg_start: int, a: int) -> Context:
    """The measure noun, verb and direction of the figure after ``segment`` (``prev``: the figure before it)."""
    ctx = Context()
    tail = _PREVIOUS_TAIL.match(segment) if seg_start > a else None  # "90 % du capital, a grimpé de 8,7 %"
    body = blank(_CIRCUMSTANCE, segment[tail.end() :] if tail else segment)
    found = nouns(blank_descriptions(body))  # "Le géant japonais de l'investissement SoftBank": no measure
    moves = list(MOVE.finditer(blank(RELATIVE_ASIDE, segment)))  # not "et Nvidia, qui avait ouvert en hausse, de"
    if found and found[0]["price"] and _HEAD.fullmatch(body[: found[0].start()]):
        found = found[:1]  # "L'action du géant japonais de l'investissement…": the head noun is the price
    if found:
        ctx.kind = next(k for k, v in found[-1].groupdict().items() if v).replace("_", " ")
    elif not moves and prev.kind not in ("sector", "crypto"):
        ctx.kind = prev.kind  # "…, Nvidia de 2,3 %" shares the measure
    points_or = _POINTS_OR.search(segment) and ahead.startswith(",")  # "finished 157.50 points, or 0.70%, higher"
    or_points = _OR_POINTS.match(ahead)  # "ended 0.23 per cent or 39.60 points lower"
    if m := COMPARATIVE.match(ahead[1:] if points_or else ahead[or_points.end() :] if or_points else ahead):
        ctx.verb, ctx.direction = m.group().strip(), "up" if m["up"] else "down"
    elif moves:
        ctx.verb, ctx.direction = moves[-1].group(), "up" if moves[-1]["up"] else "down"
    elif m := MOVE.match(ahead.lstrip()[:15]):  # "3% higher", "Thursday's 10.8% slide"
        ctx.verb, ctx.direction = m.group(), "up" if m["up"] else "down"
    elif m := _HIT.match(ahead):  # "took a 5.1% hit"
        ctx.verb, ctx.direction = m.group().strip(), "down"
    elif prev.verb and (not found or found[-1]["sector"]):  # "…, et l'indice Nasdaq avec 3,1 %"
        ctx.verb, ctx.direction = prev.verb, prev.direction
    return ctx


def verdict(
    ctx: Context, ahead: str, segment: str, crypto_article: bool, *, signed: bool, heading: bool
) -> tuple[str, str]:
    """("", "") for a price move, else (kind, reason) of an other figure."""
    if heading:
        return "headline", "a figure in a headline (the body reports the move)"
    if _TICKER_QUOTE_BEFORE.search(segment) and CLOSING_PAREN.match(ahead):  # "Arm Holdings (ARM -13.43%)"
        return "quote notation", "a ticker notation carrying the page's live quote, not the story's move"
    if m := _TIMES.match(ahead):  # "it has moved more than 5% on 21 occasions": a count of moves, not one
        return "not a move", f"a threshold counted over several sessions ({m.group().strip()!r}), not one move"
    if m := AFTER.match(ahead):
        what = (m["what"] or m["levy"]).lower()
        kind = AFTER_KIND.get(what, "metric")
        return kind, f"{KIND_TEXT[kind]}: followed by {m.group().strip()!r}"
    if ctx.kind not in (None, "price"):
        return ctx.kind, f"{KIND_TEXT[ctx.kind]}, not a stock price"
    tail = blank(RELATIVE_ASIDE, segment[_last_end(MOVE, segment) :]) + ahead
    # "With today's rally of about 15%, the shares have doubled in 2024" (not "Even after Tuesday's jump, …")
    one_day = _ONE_DAY.search(blank(_CIRCUMSTANCE, segment)[-40:])
    p = PERIOD.search(tail, len(tail) - len(ahead)) or PERIOD.search(tail)  # the figure's own words first
    level = p and p.group().lower().startswith(("above", "below")) and _LEVEL_VERB.search(tail[: p.start()])
    # "en hausse de 2,19 %, au-dessus de son précédent sommet", "added 0.82%, still short of its March record"
    after_figure = len(tail) - len(ahead)  # the comma must lie between the figure and the words
    level = level or (p and _POSITION.match(p.group()) and _AFTER_COMMA.search(tail[after_figure : p.start()]))
    session_extreme = p and _EXTREME_WORD.search(p.group()) and _SESSION_EXTREME.search(tail, p.start(), p.end() + 25)
    if p and (level or _LEVEL.search(tail[: p.start()]) or session_extreme):
        p = None  # "en hausse de 2,19 %, au-dessus de son précédent sommet": a level, not the move's period
    before = tail[: p.start()] if p else ""
    if p is None and (p := _nearest_period(blank(RELATIVE_ASIDE, segment))):  # the nearest before the figure
        before = segment[: p.start()]  # "its best day since January 2001, while the S&P 500 rose 9.5%"
        opening = p.start() == 0 and segment[:1].isupper() and "," in segment[p.end() : p.end() + 40]
        if _OWN_CLAUSE.search(segment, p.end()) and not opening:  # ("Depuis leurs plus hauts, A et B…": the sentence's)
            p = None  # "… gained 600% so far this year and were up 4% on Monday": the period is the last clause's
        elif segment.rfind("(", p.end()) > segment.rfind(")", p.end()):
            p = None  # "recovered from a weak start (Nasdaq up 1.9%": the parenthesis is the figure's own
    if p and not _SUPERLATIVE.search(before[before.rfind(",") + 1 :][-40:]) and not one_day:  # its own clause's
        return "period move", f"a move over a period ({p.group()!r}), not a session's move"
    if f := FORECAST.search(_forecast_zone(main_clauses(segment))):
        return "forecast", f"a forecast or a possibility ({f.group()!r}), not a move that happened"
    if not ctx.direction and not signed:
        return "not a move", "no movement verb or sign"
    if ctx.subject is None:
        return "no company", "no company or index named as what moved"
    if ctx.subject.note.startswith(DESCRIPTION):
        return "description", f"{ctx.subject.note}: listed for review"
    if not ctx.subject.ticker:
        name = ctx.subject.name
        if crypto_article and (name.isupper() or any(c.isdigit() for c in name)):
            return "crypto", f"{name} is not in the company table and the article speaks of tokens"
        return "unknown company", f"{name} is not in the company table (add it with --alias NAME=TICKER)"
    return "", ""


# a clause of the figure's own after a period's words: a conjunction, then a move verb
_OWN_CLAUSE = re.compile(
    rf"(?<![\w])(?:and|but|while|et|mais|tandis que|alors que)(?![\w]).*(?<![\w])(?:{UP}|{DOWN})(?![\w])", _I
)
_EXTREME_WORD = re.compile(r"(?:peak|high|low|top|bottom|record|sommet|pic|haut|bas|plancher|creux)s?$", _I)
# "(ARM -13.43%)": a symbol and its signed live quote in parentheses ("(ORCL | -13.79%)" is the story's figure)
_TICKER_QUOTE_BEFORE = re.compile(r"\(\s*(?:[A-Z]+:\s*)?\^?[A-Z][A-Z0-9.]{0,6}\s+$")  # "(^GSPC -0.17%)" too


def _nearest_period(segment: str) -> re.Match[str] | None:
    """The period words nearest before the figure, not those of a superlative ("its lowest close in April")."""
    found = list(PERIOD.finditer(segment))
    for p in reversed(found):
        before = segment[: p.start()]
        if not _SUPERLATIVE.search(before[before.rfind(",") + 1 :][-40:]):
            return p
    return found[0] if found else None


CLOSING_PAREN = re.compile(r"\s*\)")
_HIT = re.compile(r"\s*(?:hit|knock|haircut)(?![\w])", _I)
_HEAD = re.compile(r"\s*(?:l['’]|les? |la |the )?", _I)  # a clause opening on its noun
# "well off its morning low": the session's own low, not a period's reference
_SESSION_EXTREME = re.compile(
    r"(?<![\w])(?:morning|intraday|session|midday|afternoon|early|day's|daily|de la journée|de la séance)(?![\w])", _I
)
# "… and breaking above the peak it set in December 1989": a level crossed, not the move's period
_LEVEL_VERB = re.compile(
    r"(?:break(?:ing|s)?|broke|clos(?:ing|ed)|end(?:ing|ed)|finish(?:ing|ed)|trad(?:ing|ed))\s+$", _I
)
_POSITION = re.compile(
    r"(?:above|below|under|beneath|short of|off|sous|en dessous|au-dessous|au-dessus|en deçà)(?![\w])", re.IGNORECASE
)
_AFTER_COMMA = re.compile(r",\s*(?:(?:still|now|yet|toujours|encore|désormais)\s+)?$", re.IGNORECASE)
_LEVEL = re.compile(r",\s*(?:au-dessus|au-dessous|en dessous|en-dessous|above|below)\s+$", re.IGNORECASE)
# the figure's own noun phrase names one session: the period words after it are another clause's
_ONE_DAY = re.compile(
    r"(?<![\w])(?:(?:(?:today|monday|tuesday|wednesday|thursday|friday)['’]s|one-day|single-day)\s+(?:\w+\s+)?"
    r"(?:gain|rally|jump|surge|rise|advance|climb|pop|rebound|drop|decline|fall|loss|slide|slump|plunge|move|sell-?off)s?"
    r"|(?:hausse|baisse|chute|progression|recul|bond|repli|envolée|gain|perte)s? (?:du jour|de la séance"
    r"|d['’]aujourd['’]hui))(?![\w])",
    re.IGNORECASE,
)
# "its heaviest one-day loss since March 2020": the period dates a record, not a move
_SUPERLATIVE = re.compile(
    r"(?<![\w])(?:\w+est|biggest|worst|best|largest|most|plus (?:forte?|grande?|gros|importante?)|pire|meilleure?"
    r"|jamais vu|never seen|not seen"
    r"|(?:un|son|leur|a|its|their) (?:nouveau |new )?(?:sommet|plus haut|plus bas|high|low))"
    r"(?![\w])[^.;]*$",
    _I,
)


def _forecast_zone(main: str) -> str:
    """From the move verb before the figure's own verb to it: "expected to fall on Friday after they dropped 6%"."""
    verbs = list(MOVE.finditer(main))
    if len(verbs) < 2:
        return main
    return main[verbs[-2].end() : verbs[-1].end()]


def _last_end(rx: re.Pattern[str], s: str) -> int:
    end = 0
    for m in rx.finditer(s):
        end = m.end()
    return end
