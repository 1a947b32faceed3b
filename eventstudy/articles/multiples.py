"""Period moves without a percent sign: "le titre a plus que doublé depuis janvier" (+100 %, at least).

The period and the session are read as for a figure with a percent sign
(:func:`eventstudy.articles.period_words.since`, ``as_of``); a sentence naming no day speaks of the
latest session the article gave the security, else of the article's last close.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np

from eventstudy.articles.attribution import Subject, find_subject
from eventstudy.articles.companies import CompanyTable
from eventstudy.articles.period_words import PLUPERFECT, since
from eventstudy.articles.records import CandidateClaim, DateMention
from eventstudy.articles.story_day import as_of
from eventstudy.articles.words import nouns

_I = re.IGNORECASE
# "a plus que doublé", "has more than doubled": a period move without a percent sign
MULTIPLE = re.compile(
    r"(?<![\w])(?:(?P<more>plus que |more than )"
    r"|(?P<about>presque |quasiment |pratiquement |nearly |almost |roughly ))?"
    r"(?P<verb>doublé|doubled|triplé|tripled|quadruplé|quadrupled)(?![\w])",
    _I,
)
_EXACT_AFTER = re.compile(r"\(\s*[+-]?\s?\d[\d,.]*\s?%\s*\)")
MULTIPLE_PERCENT = {"doubl": 100.0, "tripl": 200.0, "quadrupl": 300.0}


def multiple(verb: str) -> float:
    """The percent move of a multiple: "doubled" is +100, "triplé" +200."""
    return next(v for k, v in MULTIPLE_PERCENT.items() if verb.lower().startswith(k))


def multiples(
    text: str,
    a: int,
    b: int,
    table: CompanyTable,
    mentions: list,
    dates: list[DateMention],
    reference: dt.date,
    topic: Subject | None,
    record: dict,
    latest: dict[str, DateMention] | None = None,
) -> list[CandidateClaim]:
    """Period moves without a percent: "le titre a plus que doublé depuis janvier" (+100 %, at least).

    A sentence naming no day speaks of the latest session the article gave the security (``latest``),
    else of the article's last close.
    """
    out = []
    in_sentence = [m for m in mentions if a <= m.start < b]
    for m in MULTIPLE.finditer(text, a, b):
        named = nouns(text[a : m.start()])
        if named and not named[-1]["price"]:
            continue  # "revenue has doubled"
        subject = find_subject(text, a, a, m.start(), in_sentence, table, None, topic, mentions)
        if subject is None or not subject.ticker:
            continue
        days = [d for d in dates if a <= d.offset < m.start() and d.precision == "day" and d.kind != "header"]
        own = (latest or {}).get(subject.ticker)
        session = days[-1].date if days and days[-1].date else own.date if own and own.date else None
        session = session or as_of(text, dates, reference)
        if PLUPERFECT.search(text, a, m.start()):  # "slumped on Tuesday, ending a rally that had doubled": before it
            session = np.busday_offset(session, -1, roll="backward").astype(dt.date)
        got, _, _ = since(text, m.end(), min(b, m.end() + 80), session, dates)
        if not got or _EXACT_AFTER.search(text, m.end(), min(b, m.end() + 80)):
            continue  # no period, or the exact figure follows: "a presque triplé depuis janvier (+173 %)"
        out.append(
            CandidateClaim(
                ticker=subject.ticker, company=subject.name, reported_percent=multiple(m["verb"]), figure=m.group(),
                approximate=bool(m["about"]), verb=m["verb"], session=session, bound="at_least" if m["more"] else "",
                benchmark=table.is_index(subject.ticker), figure_offset=m.start(), since=got,
                note="; ".join(n for n in (subject.note, table.note(subject.name)) if n), **record,
            )
        )  # fmt: skip
    return out
