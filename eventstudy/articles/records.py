"""What extraction finds: frozen records, each with its provenance.

Every record carries ``source`` (the article's file name), ``offset`` (the
character offset, in the decoded file, where ``quote`` starts) and
``quote`` (the sentence, taken verbatim from the file), so that
``text[offset:offset + len(quote)] == quote``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from eventstudy.errors import EventStudyError


class ArticleError(EventStudyError):
    """An article cannot be read, or nothing usable was found in the articles."""


@dataclass(frozen=True)
class DateMention:
    """A date the text gives, absolute or relative, and how it was resolved.

    ``date`` is None when it cannot be resolved (a day without a year and no
    year to take). ``precision`` is "day" or "month". ``kind`` is "header",
    "absolute", "weekday" or "relative". ``reference`` is the date a relative
    mention was counted from and ``reference_from`` says where that date came
    from; ``year_from`` says where a missing year was taken ("text",
    "header", "--year", "--reference-date", "announcement date").
    ``time`` and ``tz`` are set when a time of day is stated ("16 h", with a
    time zone when one is named); ``timing`` is the session moment the words
    name ("midday" for "jeudi midi").
    """

    source: str
    offset: int  # where ``words`` start in the file
    words: str
    date: dt.date | None
    kind: str
    precision: str = "day"
    reference: dt.date | None = None
    reference_from: str = ""
    year_from: str = ""
    time: dt.time | None = None
    tz: str = ""
    timing: str = ""
    announcement: bool = False  # an announcement word stands next to the date
    quote_offset: int = 0
    quote: str = ""


@dataclass(frozen=True)
class CandidateClaim:
    """A reported stock move: a claim for the study file, to be reviewed.

    ``reported_percent`` is signed (the verb's direction, or the sign as
    written). ``session`` is the exchange-local session date the words point
    to ("mercredi" → 2025-01-22), None when the day is not stated;
    ``day_words`` are those words and ``day_reference`` the date they were
    counted from. ``event`` is filled in when the claim is linked to a
    drafted event. ``bound`` is "at_least" when the words make the figure a
    lower bound on the size of the move ("more than", "plus de"), "at_most" for "less than".
    """

    ticker: str
    company: str  # as written
    reported_percent: float
    figure: str  # the figure as written ("2,3 %")
    approximate: bool
    verb: str
    source: str
    offset: int
    quote: str
    figure_offset: int
    session: dt.date | None = None
    timing: str = "close"
    day_words: str = ""
    day_reference: dt.date | None = None
    day_reference_from: str = ""
    event: str = ""
    id: str = ""
    bound: str = ""  # "at_least" for "more than 12%" / "plus de 12 %": the move is at least that large
    benchmark: bool = False  # a market index's move (checked against the index itself)
    note: str = ""  # for the reviewer: an ambiguous name, a subject taken from an earlier sentence
    since: str = ""  # a period move's reference close ("2024-12-31", "high:2025-07"); "" for one session


@dataclass(frozen=True)
class OtherFigure:
    """A percentage that is not a stock move (stake, valuation, sector, token…)."""

    value_percent: float
    figure: str
    kind: str
    reason: str
    subject: str
    source: str
    offset: int
    quote: str
    figure_offset: int


@dataclass(frozen=True)
class CandidateEvent:
    """An event drafted from the dates the articles give.

    ``timestamp`` is a date (date-only event) unless a time with a time zone
    was stated, then a timezone-aware datetime.
    """

    id: str
    timestamp: dt.date | dt.datetime
    title: str
    sources: tuple[str, ...]
    mentions: tuple[DateMention, ...]
    score: int
    note: str = ""


@dataclass(frozen=True)
class ArticleInfo:
    """One article: its file, its own date and the reference used for relative days."""

    path: str
    source: str
    chars: int
    header: str = ""  # the date header as written ("2025-07")
    header_date: dt.date | None = None
    header_precision: str = ""
    reference: dt.date | None = None
    reference_from: str = ""


@dataclass(frozen=True)
class Extraction:
    """Everything found in a set of articles."""

    articles: tuple[ArticleInfo, ...]
    events: tuple[CandidateEvent, ...]
    claims: tuple[CandidateClaim, ...]
    other_figures: tuple[OtherFigure, ...]
    dates: tuple[DateMention, ...]
    unknown_companies: tuple[str, ...]


def dedupe_claims(claims: list[CandidateClaim]) -> list[CandidateClaim]:
    """``claims`` less repeats: one per ticker, figure, session, quote or close, and period."""
    seen: set[tuple[str, float, dt.date | None, bool, str]] = set()
    out = []
    for c in claims:  # "up 12% in premarket trading" then "closed up nearly 12%": a quote and a close, two claims
        # (and "more than 3% on Wednesday" then "about 3% this year": a day's move and a period's, two claims)
        key = (c.ticker, c.reported_percent, c.session, c.timing not in ("close", "close_only"), c.since)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out
