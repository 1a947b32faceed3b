"""Moves over a period: the words that make a figure one, and the reference close they name.

A period move ("has lost 40% from its July peak", "up 17% year to date",
"a plus que doublé depuis le début de l'année") is measured from a
reference close to the session; :func:`since` gives that reference as a
claim's ``since`` (see ``SINCE_PATTERN`` in :mod:`eventstudy.spec.types`;
the multiples without a percent sign are read in :mod:`.multiples`):

- the year so far ("year to date", "this year", "for the year", "since
  January", "depuis le début de l'année", "depuis janvier") → the last day
  of the previous year;
- "since March", "depuis mars" → the last day of the month before;
- a peak, high or low of a named month ("from its July peak", "son plus haut
  de juillet") → ``high:YYYY-MM`` / ``low:YYYY-MM``, the latest such month
  on or before the session;
- a named day ("since Sept. 10", "from the record close it hit on Sept.
  10") → that day;
- "this week" / "cette semaine" → the Sunday before; "this month" / "ce
  mois-ci" → the last day of the month before.

Anything else (since a listing, over a year, in 2024) stays an other figure.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import numpy as np

from eventstudy.articles.date_names import month_number, month_pattern
from eventstudy.articles.records import DateMention
from eventstudy.articles.session_words import article_day
from eventstudy.articles.story_day import as_of

_I = re.IGNORECASE
PERIOD = re.compile(
    r"(?<![\w])(?:sur (?:un an|douze mois|12 mois|l'année|cinq ans|\d+ (?:ans|mois|semaines))|en un an|depuis le début "
    r"de l'année|sur l'ensemble de l'année|depuis la clôture du|since the close of"
    r"|depuis (?:janvier|le début|le 1er janvier|son|sa|ses|leurs?|le \d{1,2}|(?:la )?fin (?:19|20)\d\d)|cette année"
    r"|year[- ]to[- ]date"
    r"|this year|for the year|(?:in|so far in) \d{4} so far"
    r"|over the (?:past|last) \w+|so far this year|since the (?:start|beginning) of the year"
    r"|since (?:the end of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*"
    r"|since the (?:last|final) (?:close|session|trading day) of|depuis la dernière (?:clôture|séance) de"
    r"|since (?:peaking|topping out|hitting (?:a|its) (?:record|peak|high)) in"
    r"|depuis (?:la publication|l'annonce|la présentation)|since (?:the|its) (?:release|report|results|announcement)"
    r"|depuis (?:la|le|l')\s?[a-zà-ÿ]+ du \d|since (?:the|its) [a-z-]+ (?:of|on) (?:jan|feb|mar|apr|may|jun|jul|aug"
    r"|sep|oct|nov|dec)\w*\.? \d"  # "depuis la déroute du 5 août", "since the sell-off of Aug. 5"
    r"|(?:below|above|under|over) where (?:it|they|the index|the stock|the shares) (?:stood|was|were|closed|ended"
    r"|finished|traded)"
    r"|depuis (?:la fin (?:de |d')?)?(?:janvier|février|mars|avril|mai|juin|juillet"
    r"|août|septembre|octobre|novembre|décembre)"
    r"|(?:since|from|off|below|under|beneath|above|short of) (?:its|their|the|a) [\w .-]{0,25}?(?:peak|high(?:est)?"
    r"|low(?:est)?|start|beginning|listing|debut|record)"
    r"|(?:since|from|below|under|above) (?:its|their|the) (?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?"
    r" \d{1,2}|(?:mon|tues|wednes|thurs|fri)day's) (?:record |closing )?close"  # "above its April 8 close", "its Oct.
    # 31 record close", not "the prior close"
    r"|(?:par rapport à|de|du|depuis|sous|en dessous de|au-dessous de|au-dessus de|en deçà de|à) (?:son|sa|leurs?|ses)"
    r" [\w -]{0,25}?"
    r"(?:sommet|pic|plus haut|plus bas|plancher|creux|record)"
    r"|since (?:last )?(?:monday|tuesday|wednesday|thursday|friday)|depuis (?:lundi|mardi|mercredi|jeudi|vendredi)"
    r"|in (?:19|20)\d\d|en (?:19|20)\d\d|for (?:19|20)\d\d|en un mois|en une semaine|this (?:week|month)"
    r"|last year|l'an (?:dernier|passé)|l'année (?:dernière|passée)"
    r"|(?:in|over|across) (?:the )?(?:last |past )?\w+ (?:trading )?sessions"
    r"|(?:in|over) the (?:last |past )?\w+ months|over \w+ months|(?:sur|en) (?:les )?\w+ (?:derniers )?mois"
    r"|the (?:last |past )?\w+ months (?:through|to|ending|ended)"
    r"|(?:en|sur) (?:les )?\w+ (?:dernières )?séances"
    r"|cette semaine|sur (?:l'ensemble de )?la semaine|(?:over|for|on) the (?:holiday-shortened |shortened )?week"
    # not "Comme Nvidia la semaine dernière AMD a reculé": an aside before the subject
    r"|(?<!day )(?<!di )(?<!de )(?:last week|la semaine (?:dernière|passée))(?!\s+[A-Z])"
    # a price then and a price now: "est passé de 97,50 $ le 8 avril à 118,70 $ jeudi"
    r"|(?:passée?s? de|from)\s+(?:US)?\$?\s?\d[\d.,\s]*?\s?(?:\$|dollars?|euros?|€|yens?)?\s+(?:le \d|on [A-Z])"
    r"|ce mois-ci|from a year (?:ago|earlier)"
    r"|year[- ]on[- ]year"
    r"|sur un an|en glissement annuel"
    r"|d'une année sur l'autre"
    r"|(?:in|during|over) the (?:(?:first|second|third|fourth|final|last|latest|past|december|march|june|september)"
    r" )?quarter|(?:au|sur le|en un) (?:(?:premier|deuxième|second|troisième|quatrième|dernier) )?trimestre"
    r"|in (?:the )?Q[1-4]|(?:in|over|during) the same (?:period|span|stretch)"
    r"|(?:sur|au cours de) la même période)(?![\w])",
    _I,
)
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
            "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8, "neuf": 9, "dix": 10}  # fmt: skip
_N = "|".join(_NUMBERS) + r"|\d{1,2}"
# "in five sessions", "over the past three sessions", "en deux séances", "sur les cinq dernières séances"
_SESSIONS = re.compile(
    rf"(?<![\w])(?:(?:in|over|across) (?:the )?(?:last |past )?(?P<n>{_N}) (?:trading )?sessions"
    rf"|(?:en|sur) (?:les )?(?P<m>{_N}) (?:dernières )?séances)(?![\w])",
    _I,
)
_YEARS_LAST_CLOSE = re.compile(
    r"(?<![\w])(?:since the (?:last|final) (?:close|session|trading day) of|depuis la dernière (?:clôture|séance) de"
    r"|since the end of|depuis (?:la )?fin(?: de l'année)?)"  # "depuis fin 2024": that year's last close
    r" (?P<y>(?:19|20)\d\d)(?![\w])",
    _I,
)
_YEAR_SO_FAR = re.compile(
    r"(?<![\w])(?:year[- ]to[- ]date|ytd|this year|so far this year|for the year|since the (?:start|beginning) of the"
    r" year|since jan(?:uary|\.)?(?![.\s]*\d)|depuis le début de l'année|depuis le 1er janvier|depuis janvier"
    r"|cette année"
    r"|depuis le 1er janvier|sur l'ensemble de l'année|sur l'année)(?![\w])",
    _I,
)
_IN_YEAR = re.compile(
    r"(?<![\w])(?:so far in|in|en|for|depuis le début de|since the (?:start|beginning) of) (?P<year>(?:19|20)\d\d)"
    r"(?![\w])",  # "in 2024", "the stock's gain for 2024"
    _I,
)
_SINCE_START = re.compile(r"(?:depuis le début de|since the (?:start|beginning) of) ", _I)
_AFTER_WORD = re.compile(r"(?<![\w])(?:after|before|après|avant)(?![\w])", _I)
_LAST_YEAR = re.compile(r"(?<![\w])(?:last year|l'an (?:dernier|passé)|l'année (?:dernière|passée))(?![\w])", _I)
_M = month_pattern()
# "rose more than 37% in May alone", "une envolée de 37 % en mai": that month's move
# a period's explicit end: "from its September 2021 high to the end of June 2022"
_TO_END_OF = re.compile(
    rf"(?<![\w])(?:(?:to|through|until) the end of|jusqu'à (?:la )?fin(?: de)?) {_M}\s+(?P<y>(?:19|20)\d\d)",
    _I,
)
_FRONTED_END = re.compile(r"\s*(?:seulement|à lui seul|alone|only)?\s*,", _I)  # "En novembre seulement, …"
_IN_MONTH = re.compile(
    rf"(?<![\w])(?:in|en|during|au cours du mois de|au mois de|sur le mois de|over the month of)\s+{_M}"
    r"(?:\s+(?P<y>(?:19|20)\d\d))?(?![.\s]*\d{1,2}(?![\d]))",
    _I,
)
PERIOD = re.compile(rf"{PERIOD.pattern}|{_IN_MONTH.pattern}", _I)
_SINCE_MONTH = re.compile(
    rf"(?<![\w])(?:since|depuis)\s+(?:(?P<end>the end of|la fin(?: de| d')?)\s*|le mois de\s+)?{_M}(?![.\s]*\d)", _I
)
# "since peaking in March", "since hitting a record in July": the highest close of that month
# "depuis la publication de ses résultats, le 28 août": from that day's close
_SINCE_EVENT = re.compile(
    r"(?<![\w])(?:depuis (?:la publication|l'annonce|la présentation)|since (?:the|its) (?:release|report|results"
    r"|announcement)|depuis (?:la|le|l')\s?[a-zà-ÿ]+(?= du \d)|since (?:the|its) [a-z-]+(?= (?:of|on) [A-Z])"
    r"|(?:below|above|under|over) where (?:it|they|the index|the stock|the shares) (?:stood|was|were"
    r"|closed|ended|finished|traded))(?![\w])",  # "9% below where it stood on April 2"
    _I,
)
# a price then, a price now: "elle est passée de 164,67 $ le 3 octobre à 237,70 $ jeudi", "from $164.67 on Oct. 3"
_FROM_PRICE = re.compile(
    r"(?<![\w])(?:passée?s? de|from)\s+(?:US)?\$?\s?\d[\d.,\s\u202f]*?\s?(?:\$|dollars?|euros?|€|yens?)?"
    r"(?=\s+(?:le|on)\s)",
    _I,
)
_SINCE_PEAKING = re.compile(
    rf"(?<![\w])since (?:peaking|topping out|hitting (?:a|its) (?:record|peak|high)) in {_M}(?![.\s]*\d)", _I
)
_PART = r"(?:(?:late|early|mid)[- ]?|fin |début |mi-)"  # "late-October", "fin octobre": still that month
_EXTREME = re.compile(
    r"(?<![\w])(?:from|since|off|below|under|beneath|above|short of|depuis|par rapport à|sous|en dessous de"
    r"|au-dessous de|au-dessus de|en deçà de|de|du|à)\s+(?:its|their|the|a|son|sa|leurs?|ses|le|la|les)\s+(?:own\s+)?"
    r"(?:(?:all-time|record|recent|previous|52-week|\d+-(?:month|week|year))\s+)?"
    rf"(?:{_PART}?{_M.replace('month>', 'm1>')}\.?\s+(?:\d{{1,2}},?\s+)?"
    r"(?:(?P<y1>(?:19|20)\d\d)\s+)?)?(?:closing\s+|record\s+)?"
    r"(?P<kind>peak|highest|high|highs|top|record|lowest|low|lows|trough|bottom|sommets?|pic|plus hauts?|plus bas"
    r"|plancher|creux|close|clôture)(?![\w])"
    r"(?:\s+(?:close|closing (?:high|level)|de clôture|historiques?|absolus?))?"
    r"(?:\s+(?:of\s+\$?[\d,.]+(?:\s+(?:yens?|dollars?|euros?))?,?\s+)?"  # "its 52-week high of $135.58, set in June"
    r"(?:(?:it|they) (?:set|hit|reached|notched|touched|posted|recorded|marked)\s+|(?:set|hit|reached)\s+)?"
    rf"(?:of|in|de|d'|en|du mois d'|du mois de)\s*{_PART}?{_M.replace('month>', 'm2>')}"
    r"(?:\s+(?P<y2>(?:19|20)\d\d))?)?",
    _I,
)
# an extreme that is not the record: "its 52-week high", "its recent peak", "the morning low", "its 2021 high"
_NOT_RECORD = re.compile(
    r"(?<![\w])(?:52-week|\d+-(?:month|week|year|day)|recent|previous|prior|intraday|morning|afternoon|session|day's"
    r"|daily|annual|yearly|year's|multi-\w+|(?:19|20)\d\d|de la séance|du jour|annuel|récent|précédent)(?![\w])"
    r"|\s+(?:of the (?:day|session|year|week|month)|de la (?:séance|journée|semaine)|du (?:jour|mois)|de l'année"
    r"|(?:in|of|de|d'|en) (?:19|20)\d\d)",
    _I,
)
_SINCE_DAY = re.compile(
    r"(?<![\w])(?:(?:since|depuis)\s+(?:le\s+|last\s+)?"
    r"|(?:since|from|depuis) (?:the close (?:of|on)|la clôture du)\s+)$",
    _I,
)
_MONTHS_BACK = re.compile(
    rf"(?<![\w])(?:(?:(?:in|over|for|during) )?the (?:last |past )?(?P<n>{_N}|twelve) months(?= (?:through|to|ending"
    r"|ended))|(?:(?:in|over) the (?:last |past )?|over )(?P<k>\d{1,2}|two|three|four|five|six|seven|eight|nine|ten"
    r"|twelve) months|(?P<one>(?:in|over) the (?:last|past) month|over (?:one|a) month|(?:sur|en) un mois"
    r"|sur le dernier mois)"
    rf"|(?:sur|en) (?:les )?(?P<m>{_N}|douze) (?:derniers )?mois)(?![\w])",
    _I,
)
_YEARS_BACK = re.compile(
    rf"(?<![\w])(?:(?:sur|en) (?P<n>un|{_N}) ans?|(?:over|in) the (?:past|last) (?:(?P<k>{_N}) years|year)"
    r"|sur douze mois|sur 12 mois|from a year (?:ago|earlier))(?![\w])",
    _I,
)
WEEK = re.compile(
    r"(?<![\w])(?:this week|cette semaine|sur (?:l'ensemble de )?la semaine"
    r"|(?:over|for|on) the (?:holiday-shortened |shortened )?week)(?![\w])",
    _I,
)
_MONTH = re.compile(r"(?<![\w])(?:this month|ce mois-ci)(?![\w])", _I)
LAST_WEEK = re.compile(r"(?<![\w])(?<!day )(?<!di )(?<!de )(?:last week|la semaine (?:dernière|passée))(?![\w])", _I)
# "compared with Nvidia's loss of 13% in the same period": the period of the sentence's earlier figure
SAME_PERIOD = re.compile(r"(?<![\w])(?:the same (?:period|span|stretch)|la même période)(?![\w])", _I)


def _from_price(
    text: str, lo: int, hi: int, session: dt.date, dates: list[DateMention]
) -> tuple[str, DateMention | None, int]:
    """A price then and a price now before the figure ("est passée de 164,67 $ le 3 octobre à 237,70 $ jeudi")."""
    for m in _FROM_PRICE.finditer(text, lo, hi):
        day = _day_in(dates, m.end(), min(hi, m.end() + 8))
        if day is not None and day.date is not None:
            return _before(day.date, session).isoformat(), day, m.start()
    return "", None, hi


def since(
    text: str, lo: int, hi: int, session: dt.date, dates: list[DateMention]
) -> tuple[str, DateMention | None, int]:
    """The reference close named in ``text[lo:hi]``: (``since``, the date mention used, where the words start).

    ``since`` is "" when the words name no reference this module reads.
    """
    if m := _YEAR_SO_FAR.search(text, lo, hi):
        return f"{session.year - 1}-12-31", None, m.start()
    if m := _YEARS_LAST_CLOSE.search(text, lo, hi):  # "since the last close of 2024": that year's last close
        return f"{m['y']}-12-31", None, m.start()
    if (m := _IN_YEAR.search(text, lo, hi)) and int(m["year"]) == session.year:  # "doubled in 2024", in 2024
        return f"{session.year - 1}-12-31", None, m.start()
    if m and _SINCE_START.match(m.group()) and int(m["year"]) < session.year:  # "700% since the start of 2023"
        return f"{int(m['year']) - 1}-12-31", None, m.start()
    if m := _EXTREME.search(text, lo, hi):
        month = m["m1"] or m["m2"]
        side = (
            "low"
            if m["kind"].lower() in ("low", "lowest", "lows", "trough", "bottom", "plus bas", "plancher", "creux")
            else "high"
        )
        named = _day_in(dates, m.start(), m.end())  # "from its July 10 record close": that day
        if named is not None and named.date is not None:
            return _before(named.date, session).isoformat(), named, m.start()
        if month and (year := m["y1"] or m["y2"]):  # "below their March 2024 peak"
            return f"{side}:{year}-{month_number(month):02d}", None, m.start()
        if month:
            return f"{side}:{_month_on_or_before(month_number(month), session)}", None, m.start()
        day = _day_in(dates, m.end(), min(hi, m.end() + 60))
        if day is not None and day.date is not None:
            return _before(day.date, session).isoformat(), day, m.start()
        if m["kind"].lower() in ("close", "clôture"):
            return "", None, m.start()  # "above its April 8 close" names its day; "its previous close" none
        if not _NOT_RECORD.search(m.group()) and not _NOT_RECORD.match(text, m.end()):
            return f"{side}:record", None, m.start()  # "from its record high", "depuis leurs plus hauts"
        return "", None, m.start()
    if (m := _SINCE_EVENT.search(text, lo, hi)) and (day := _day_in(dates, m.end(), m.end() + 80)) and day.date:
        return _before(day.date, session).isoformat(), day, m.start()
    if m := _SINCE_PEAKING.search(text, lo, hi):
        return f"high:{_month_on_or_before(month_number(m['month']), session)}", None, m.start()
    if m := _SINCE_MONTH.search(text, lo, hi):
        first = dt.date.fromisoformat(f"{_month_on_or_before(month_number(m['month']), session)}-01")
        if m["end"]:  # "since the end of December": that month's last close
            first = (first + dt.timedelta(days=31)).replace(day=1)
        return (first - dt.timedelta(days=1)).isoformat(), None, m.start()
    for d in dates:
        dated = lo <= d.offset < hi and d.date is not None and d.precision == "day" and d.kind != "header"
        if dated and d.date is not None and _SINCE_DAY.search(text, max(lo, d.offset - 30), d.offset):
            return _before(d.date, session).isoformat(), d, d.offset
    if m := _SESSIONS.search(text, lo, hi):  # weekdays back (an exchange holiday between is not known here)
        n = m["n"] or m["m"]
        back = int(n) if n.isdigit() else _NUMBERS[n.lower()]
        return np.busday_offset(session, -back, roll="backward").astype(dt.date).isoformat(), None, m.start()
    if m := _MONTHS_BACK.search(text, lo, hi):  # "over the six months through Monday's close", "over the past month"
        n = m["n"] or m["k"] or m["m"] or "1"  # (?P<one>): "over the past month"
        back = int(n) if n.isdigit() else {"twelve": 12, "douze": 12}.get(n.lower()) or _NUMBERS[n.lower()]
        month = session.month - back
        year, month = session.year + (month - 1) // 12, (month - 1) % 12 + 1
        return session.replace(year=year, month=month, day=min(session.day, 28)).isoformat(), None, m.start()
    if m := _YEARS_BACK.search(text, lo, hi):  # "sur un an", "sur cinq ans", "over the past year": that day's close
        n = m["n"] or m["k"]
        back = 1 if n is None or n.lower() in ("un", "one", "a") else int(n) if n.isdigit() else _NUMBERS[n.lower()]
        day = session.replace(year=session.year - back, day=min(session.day, 28 if session.month == 2 else 31))
        return day.isoformat(), None, m.start()
    if m := WEEK.search(text, lo, hi):
        return (session - dt.timedelta(days=session.weekday() + 1)).isoformat(), None, m.start()
    if m := _MONTH.search(text, lo, hi):
        return (session.replace(day=1) - dt.timedelta(days=1)).isoformat(), None, m.start()
    return "", None, -1


def _before(date: dt.date, session: dt.date) -> dt.date:
    """A reference day written without its year ("du 16 décembre") lies before the session: last year's."""
    return date.replace(year=date.year - 1) if date > session and not (date.month == 2 and date.day == 29) else date


def _month_on_or_before(month: int, session: dt.date) -> str:
    year = session.year if month <= session.month else session.year - 1
    return f"{year}-{month:02d}"


def _day_in(dates: list[DateMention], lo: int, hi: int) -> DateMention | None:
    return next((d for d in dates if lo <= d.offset < hi and d.precision == "day" and d.kind == "absolute"), None)


_REFERENCE_DAY = re.compile(  # "… the record close it set on July 16": the reference's day
    r"(?<![\w])(?:peak|high|record|close|low|since|from|depuis|(?<!as )of|du|its|their|son|sa|leur"
    r"|(?:set|hit|reached|touched|notched|posted|recorded|marked) on)\s*$",
    _I,
)


_PERIOD_END = re.compile(
    r"(?<![\w])(?:by|to|until|through|as of|as at|jusqu'à|jusqu'au|à la clôture de)\s+$", re.IGNORECASE
)  # "by Tuesday's close", "as of Tuesday's close"
_INTO_REPORT = re.compile(
    r"(?<![\w])(?:going into|heading into|ahead of|in the run-up to|avant|à la veille de)\s+(?:the|its|their|ses|la|les"
    r"|leur)\s+(?:quarterly |annual |latest )?(?:report|results|earnings|numbers|résultats|publication)(?![\w])",
    re.IGNORECASE,
)
_AS_OF_NOW = re.compile(r"\b(?:still|now|currently|so far)\b|désormais|actuellement|à ce jour", re.IGNORECASE)
PLUPERFECT = re.compile(r"\b(?:had|avait|avaient)\b", re.IGNORECASE)  # "had risen", "avait gagné"


def period_of(
    text: str,
    seg_start: int,
    fig: re.Match[str],
    ahead_end: int,
    session: DateMention | None,
    dates: list[DateMention],
    reference: dt.date | None,
    last_day: DateMention | None = None,
    sentence_start: int | None = None,
    last_after_close: bool = False,
) -> tuple[str, DateMention | None, DateMention | None]:
    """A period move's (since, the date mention it names, the session's date mention or a stand-in).

    The session is the day the sentence names outside the period words, else the session of the
    article's previous claim (``last_day``; in the pluperfect, the session before it, or that
    session itself when the previous claim was a quote after its close: ``last_after_close``),
    else the article's date.
    """
    if session is not None and session.kind == "year":
        session = None  # the previous figure's year ("soaring 239% in 2023 and 171% in 2024"): not this one's
    day = session.date if session is not None and session.date is not None else reference
    if day is None:  # no day resolved (an undated article without --reference-date): no reference either
        return "", None, None
    opening = seg_start if sentence_start is None else sentence_start
    if earlier := _earlier_year(text, fig, ahead_end, day) or _named_month(text, fig, ahead_end, day, opening):
        return earlier
    own_clause = max(seg_start, text.rfind(",", seg_start, fig.start()) + 1)  # not an aside's "lost 11% last week"
    if LAST_WEEK.search(text, fig.end(), ahead_end) or LAST_WEEK.search(text, own_clause, fig.start()):
        end = day - dt.timedelta(days=day.weekday() + 3)  # "had ended last week 3% lower": that week's Friday,
        return (end - dt.timedelta(days=7)).isoformat(), None, article_day(end, fig.start())  # from the one before
    got, ref_day, start = _from_price(text, seg_start, fig.start(), day, dates)  # "passée de 164,67 $ le 3 octobre"
    from_price = bool(got)  # "… à 237,70 $ jeudi": the day after the price now is the session's
    if not got:
        got, ref_day, start = since(text, fig.end(), ahead_end, day, dates)  # "lost 46% since its July high"
    if not got and own_clause > seg_start:  # "…, et en cinq séances il a perdu 10,3 %": its own clause's first
        got, ref_day, start = since(text, own_clause, ahead_end, day, dates)
    if not got:
        got, ref_day, start = since(text, seg_start, ahead_end, day, dates)
    if not got:
        return "", None, None
    if (
        session is not None
        and not from_price
        and (
            (session.offset >= start and not _PERIOD_END.search(text, max(0, session.offset - 12), session.offset))
            or session is ref_day
            or _REFERENCE_DAY.search(text, max(0, session.offset - 30), session.offset)
        )
    ):
        session = None  # "from the record close it hit on Sept. 10": the reference's day, not the session's
        lo = seg_start if sentence_start is None else sentence_start
        earlier = [
            d for d in dates
            if lo <= d.offset < start and d is not ref_day and d.date is not None and d.precision == "day"
            and d.kind != "header" and not _REFERENCE_DAY.search(text, max(0, d.offset - 30), d.offset)
        ]  # fmt: skip
        if earlier:
            session = earlier[-1]  # "after Thursday's drop, X was down 39% from its September 10 record close"
    words = text[seg_start if sentence_start is None else sentence_start : ahead_end]
    if session is None and reference is not None and _AS_OF_NOW.search(words):
        now = as_of(text, dates, reference)
        session = article_day(now, fig.start())  # "is still up 55% this year": as of the article's last close
    if session is None and last_day is not None and last_day.date is not None:
        session, reference = last_day, last_day.date
        if PLUPERFECT.search(words) and not last_after_close:  # "avait déjà gagné 25 %": the session before
            before = np.busday_offset(last_day.date, -1, roll="backward").astype(dt.date)
            session, reference = replace(last_day, date=before), before
    if session is None:
        if reference is None:
            return "", None, None
        session = article_day(as_of(text, dates, reference), fig.start())
    if session.date is not None and session.date != day and not from_price:  # the reference read from the session's day
        got, ref_day, _ = since(text, fig.end(), ahead_end, session.date, dates)
        if not got:
            got, ref_day, _ = since(text, seg_start, ahead_end, session.date, dates)
    if (end := _TO_END_OF.search(text, fig.end(), ahead_end)) and not got.endswith("record"):
        last = dt.date(int(end["y"]), month_number(end["month"]), 1) + dt.timedelta(days=31)
        last = last.replace(day=1) - dt.timedelta(days=1)
        last -= dt.timedelta(days=max(0, last.weekday() - 4))  # its last weekday
        session = DateMention("", end.start(), end.group(), last, "year", reference=day, reference_from="that month")
    clause = words[: fig.start() - (ahead_end - len(words))].rsplit(",", 1)[-1]  # the figure's own clause
    if session.date is not None and _INTO_REPORT.search(text, fig.end(), ahead_end) and PLUPERFECT.search(clause):
        before = np.busday_offset(session.date, -1, roll="backward").astype(dt.date)
        session = replace(session, date=before)  # "had left it up 54% … going into the report": the close before
    when = got.split(":")[-1]
    if got and when != "record" and session.date is not None and when >= session.date.isoformat()[: len(when)]:
        return "", None, None  # a reference on or after the session is no period move: listed for review
    return got, ref_day, session


def _earlier_year(text: str, fig: re.Match[str], ahead_end: int, day: dt.date) -> tuple[str, None, DateMention] | None:
    """A move over an earlier calendar year ("after a 239% gain in 2023", "93% last year"): over that year."""
    m = _IN_YEAR.search(text, fig.end(), ahead_end) or _LAST_YEAR.search(text, fig.end(), ahead_end)
    if m is None or PERIOD.search(text, fig.end(), m.start()) or _AFTER_WORD.search(text, fig.end(), m.start()):
        return None  # "fallen 20% so far this year, after doubling in 2024": the year is the next clause's
    if _SINCE_START.match(m.group()):
        return None  # "more than 700% since the start of 2023": from then to the session (see since)
    year = int(m["year"]) if "year" in m.re.groupindex else day.year - 1
    if year >= day.year:
        return None
    end = dt.date(year, 12, 31)
    end -= dt.timedelta(days=max(0, end.weekday() - 4))  # its last weekday (a holiday then is the judge's note)
    stand_in = DateMention("", m.start(), m.group(), end, "year", reference=day, reference_from="that year's end")
    return f"{year - 1}-12-31", None, stand_in


_REFERENCE_WORD = re.compile(
    r"(?<![\w])(?:since|depuis|from|off|below|above|peak\w*|high|low|record|sommet|plus haut|plus bas)(?![\w])", _I
)


def _named_month(
    text: str, fig: re.Match[str], ahead_end: int, day: dt.date, opening: int
) -> tuple[str, None, DateMention] | None:
    """A month's move: from the month before's last close to the month's last close.

    "rose 37% in May alone", "En novembre seulement, le titre a grimpé de 12 %". The latest such month on
    or before the article's day; the month in progress runs to that day. Before the figure, only a month
    opening the sentence counts (``opening``: where the sentence starts).
    """
    m = _IN_MONTH.search(text, fig.end(), ahead_end)
    if m is not None and (
        PERIOD.search(text, fig.end(), m.start()) or _REFERENCE_WORD.search(text, fig.end(), m.start())
    ):
        return None  # "down 85% since peaking in March": March holds the reference, not the move
    if m is None:
        fronted = _IN_MONTH.match(
            text, opening + len(text[opening : fig.start()]) - len(text[opening : fig.start()].lstrip())
        )
        m = fronted if fronted and _FRONTED_END.match(text, fronted.end()) else None
    if m is None:
        return None
    month = month_number(m["month"])
    year = int(m["y"]) if m["y"] else day.year if month <= day.month else day.year - 1
    first = dt.date(year, month, 1)
    end = min(day, (first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1))
    end -= dt.timedelta(days=max(0, end.weekday() - 4))  # its last weekday (a holiday then is the judge's note)
    if end < first:
        return None
    stand_in = DateMention("", m.start(), m.group(), end, "year", reference=day, reference_from="that month's end")
    return (first - dt.timedelta(days=1)).isoformat(), None, stand_in
