"""The session a claim speaks of when its own words name none.

In order, :func:`eventstudy.articles.moves.find_moves` tries: a later figure's day shared by the sentence
("X lost 1.6% and Y fell 1.4% on Tuesday"), the day of the paragraph's earlier claim, the day of a list's
intro line ("Also moving on July 24:"), a closing update's or a live story's own day, "right now", the
"hier"/"today" of the paragraph, and the day the lede names. "au lendemain d'une séance …" and "a day
after" put a figure on the session before.
"""

from __future__ import annotations

import datetime as dt
import re

from eventstudy.articles.records import DateMention
from eventstudy.articles.session_words import OTHER_EVENT, set_apart
from eventstudy.articles.story_day import as_of
from eventstudy.articles.text import normalize

_I = re.IGNORECASE
# the day the sentence before named: "On that first day, …", "Ce jour-là, …", "Le S&P 500 avait alors reculé"
THAT_DAY = re.compile(
    r"(?<![\w])(?:that (?:first |same |very )?(?:day|session)|ce jour-là|cette séance-là|le même jour"
    r"|(?:avait|avaient|a|ont) alors)(?![\w])",
    _I,
)
DAY_AFTER = re.compile(r"(?<![\w])(?:a|one|the) day after|au lendemain d['e]", _I)

_BULLET = re.compile(r"\s*(?:[-•*▪‣]|\*\*|\d{1,2}[.)])\s")
_TODAY = re.compile(r"hier|yesterday|aujourd'hui|today", _I)
# a sentence that places its move at another moment than the lede's day ("rose 24% in New York overnight")
_ELSEWHEN = re.compile(
    r"overnight|the day before|earlier|dans la nuit|la veille(?!\s+(?:de|du|des|d['’]))|plus tôt|auparavant", _I
)  # not "à la veille de l'élection": the eve of an event, on the story's day


def list_intro(text: str, a: int) -> tuple[int, int] | None:
    """The span of the line right before the sentence at ``a`` when it opens a list (ends with ":")."""
    line_start = text.rfind("\n", 0, a) + 1
    if line_start == 0 or text[line_start:a].strip():
        return None
    prev_start = text.rfind("\n", 0, line_start - 1) + 1
    return (prev_start, line_start - 1) if text[prev_start : line_start - 1].rstrip().endswith(":") else None


def elsewhen(text: str, a: int, fig_end: int, ahead: str, asides: list[tuple[int, int]] | None = None) -> bool:
    """Whether the figure's own words place it at another moment ("overnight", "la veille").

    The words after the figure count up to a clause of another event ("après avoir bondi de 33 % la veille");
    words in an aside that does not hold the figure do not count ("AMD, qui a publié ses comptes la veille, gagne").
    """
    cut = OTHER_EVENT.search(ahead)
    before = [m for m in _ELSEWHEN.finditer(text, a, fig_end) if not set_apart(asides or [], m.start(), fig_end - 1)]
    return bool(before or _ELSEWHEN.search(ahead[: cut.start()] if cut else ahead))


PARTICIPLE = re.compile(
    r",\s*(?:s'|se\s+)?[a-zà-ÿ]+(?:ant|ing)(?![\w])", re.IGNORECASE
)  # ", adding to", ", s'ajoutant"


_SINCE_BEFORE = re.compile(r"(?<![\w])(?:since|depuis|from|du|from the close of)\s+(?:le\s+)?$", re.IGNORECASE)


def shared_day(
    text: str, dates: list[DateMention], figures: list[re.Match[str]], i: int, end: int, asides: list[tuple[int, int]]
) -> DateMention | None:
    """The one day named right after a later figure of the sentence, when no other event's words come between."""
    fig = figures[i]
    days = [
        d for later in figures[i + 1 :] for d in dates
        if later.end() <= d.offset <= min(end, later.end() + 20) and d.precision == "day" and d.kind != "header"
        and not d.announcement and not set_apart(asides, d.offset, fig.start())
        and not _SINCE_BEFORE.search(text, max(0, d.offset - 12), d.offset)
    ]  # fmt: skip  # not "… and has lost 17% since January 17": a reference day
    if len({d.date for d in days}) != 1 or days[0].date is None:
        return None
    if OTHER_EVENT.search(text, fig.end(), days[0].offset) or DAY_AFTER.search(text, fig.end(), days[0].offset):
        return None  # "a reculé de 5,4 %, au lendemain d'une chute de 10,8 % jeudi": jeudi is the fall's
    if PARTICIPLE.search(text, fig.end(), days[0].offset):
        return None  # "a chuté de 2,2 %, s'ajoutant à la baisse de 4 % enregistrée la veille": the later move's day
    return days[0]


def later_day(day: DateMention | None, other: DateMention | None) -> DateMention | None:
    """The later of two sessions (a period move's "now" is the article's latest day, not its last named)."""
    if other is None or other.date is None:
        return day
    return other if day is None or day.date is None or other.date >= day.date else day


_LOCAL_TIME = re.compile(r"\s*,?\s*\(?(?:heure locale|local time|à l'heure locale)\)?", re.IGNORECASE)


def lede_day(text: str, dates: list[DateMention], reference: dt.date | None) -> DateMention | None:
    """The day the first sentence of the article's prose names: the article's own date, or "hier"/"yesterday".

    A wire story's lede says which session it tells ("La Bourse de Tokyo a vécu lundi une journée de
    panique", "Oracle shares soared yesterday"); a later sentence that names no day speaks of it. A lede
    naming another day (the announcement's, "mardi soir") sets nothing.
    """
    if reference is None:
        return None
    start = 0
    for block in re.split(r"(\n\s*\n)", text):
        bullets = sum(1 for line in block.splitlines() if _BULLET.match(line)) >= 2  # "Key Takeaways" above the story
        if len(block.split()) >= 12 and block.rstrip().endswith((".", "!", "?", "»", '"', "”")) and not bullets:
            first = re.search(r"[.!?](?:\s|$)", block)  # the lede's first sentence names the story's day
            end = start + (first.end() if first else len(block))
            days = [d for d in dates if start <= d.offset < end and d.source and d.date is not None]
            local = [d for d in days if d.kind == "absolute" and d.precision == "day" and d.offset - start < 12]
            if local and _LOCAL_TIME.match(text, local[0].offset + len(local[0].words)):
                return local[0]  # "Le 17 juillet, heure locale, …", "On the 18th (local time), …": a wire's day
            story_day = (reference, as_of(text, dates, reference))  # published before the open: the session before
            if local and local[0].date in story_day and not local[0].announcement:
                return local[0]  # "Mardi 13 mai, Wall Street a fini…" in a story of the 14th
            inline = lambda d: text[text.rfind("\n", 0, d.offset) + 1 : d.offset].strip() != ""  # noqa: E731
            own = [  # a date in the lede's words, or the date line read from them ("… ce jeudi 4 décembre")
                d for d in days if d.precision == "day" and d.date == reference
                and (d.kind == "absolute" or (d.kind == "header" and inline(d)))
            ]  # fmt: skip
            days = [d for d in days if d.kind in ("weekday", "relative")]
            if days and (days[0].date in story_day or _TODAY.fullmatch(normalize(days[0].words).lower())):
                return days[0]
            if own and not own[0].announcement:
                return own[0]  # "La Bourse de Tokyo a clôturé ce 20 octobre sur un gain…" in a story of the 20th
            return None
        start += len(block)
    return None


def day_of_paragraph(dates: list[DateMention], para: int, at: int) -> DateMention | None:
    """The last "hier"/"yesterday"/"today" earlier in the paragraph: the day its sentences speak of."""
    days = [d for d in dates if d.kind == "relative" and d.date is not None and para <= d.offset < at]
    days = [d for d in days if _TODAY.fullmatch(normalize(d.words).lower()) and d.quote_offset >= para]
    return days[-1] if days else None


DAY_AFTER_IT = re.compile(
    r"(?<![\w])(?:a|one|the) day after (?:the stock|the shares|shares|it|they)(?![\w])"
    r"|au lendemain d['e] (?:sa|son|leur) (?:chute|baisse|hausse|envolée|plongeon|bond)",
    _I,
)
# a new clause with its own subject after an aside: ", and Advanced Micro Devices shed"
_NEXT_CLAUSE = re.compile(r",\s*(?:and|but|while|whereas|et|mais|tandis que|alors que)\s+(?!(?:it|its|they)\b)", _I)


def past_aside(segment: str, at: int) -> bool:
    """Whether a clause of the figure's own follows the words ending at ``at``: ", and AMD shed", ", having opened"."""
    return bool(_NEXT_CLAUSE.search(segment, at) or PARTICIPLE.search(segment, at))


_ABOVE = re.compile(r"(?:above|below|over|under|from)\s+$", _I)
_REFERENCE_CLOSE = re.compile(r"['’]s\s+(?:close|closing (?:level|price))", _I)
# a story told after its day's close ("By the closing bell the Nasdaq had shed 4%"): its later moves are closes
STORY_CLOSED = re.compile(
    r"(?<![\w])(?:by|at) the closing bell|(?:by|at) the (?:day's )?close,|au terme de la séance|à la clôture,", _I
)


def names_reference_close(text: str, day: DateMention, fig_end: int) -> bool:
    """Whether the day after the figure is a reference close: "11.3% above Thursday's close" is Friday's move."""
    after = day.offset + len(day.words)
    return (
        day.date is not None and day.offset > fig_end and bool(_REFERENCE_CLOSE.match(text, after))
        and bool(_ABOVE.search(text, fig_end, day.offset))
    )  # fmt: skip
