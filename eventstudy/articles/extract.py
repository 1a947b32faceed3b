"""Articles → an :class:`Extraction`: dates, drafted events, claims linked to events.

Order of work:

1. Read every article (errors name the file) and split it into sentences.
2. Find absolute dates; a day without a year takes it from the article's
   header, ``year`` or ``reference_date`` (see :mod:`.dates`).
3. The *announcement date* is the absolute day the articles cite most,
   counting a mention next to an announcement word ("annoncé",
   "conférence", "announced"…) three times; ties go to the earlier day.
4. Relative days count from the article's own date when its header gives a
   day, else from ``reference_date``, else from the announcement date.
5. Percentages become claims or other figures (:mod:`.moves`).
6. Every resolved day that is not a claim's session becomes a drafted
   event (one per date), scored by its mentions the same way; when there
   is none, the claims' own days are used, with a note.
7. A claim session with no event in the week before it gets an event of
   its own (drafted from its day words, with a note).
8. Each claim links to an event at most a week before its session that its
   own article mentions next to an announcement word, else that its article
   mentions, else the best-scored; ties go to the higher score, then the
   later date. A claim whose words name no day links to the event of its
   article's previous claim (the day the article is telling), else to any.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from eventstudy.articles.companies import CompanyTable, Listing
from eventstudy.articles.date_lines import article_header
from eventstudy.articles.dates import find_dates, zoned
from eventstudy.articles.moves import find_moves
from eventstudy.articles.parser import DEGRADED, Lazy, is_french
from eventstudy.articles.parser import installed as parser_installed
from eventstudy.articles.records import (
    ArticleInfo,
    CandidateClaim,
    CandidateEvent,
    DateMention,
    Extraction,
    OtherFigure,
)
from eventstudy.articles.text import Article, read_article, sentences
from eventstudy.articles.words import SINCE_DAY


def extract(
    paths: Iterable[str | Path | Article],
    *,
    year: int | None = None,
    reference_date: dt.date | None = None,
    aliases: Mapping[str, str] | None = None,
    listings: Mapping[str, Listing] | None = None,
    use_parser: bool = True,
) -> Extraction:
    """Find dates, events, stock claims and other figures in articles.

    Parameters
    ----------
    paths
        UTF-8 plain-text articles (French or English), or articles already read (:class:`.text.Article`).
    year
        Year for days written without one, in articles without a date header.
    reference_date
        Date relative days ("mercredi", "la veille") count from in articles
        without a dated header: the date of the news they report.
    aliases, listings
        Extra company names → tickers, and tickers' exchange and benchmark,
        on top of :data:`eventstudy.articles.companies.ALIASES` and ``LISTINGS``.
    use_parser
        Ask the French dependency parser (:mod:`.parser`) when the clause rules
        find no subject; without it installed, a warning says attribution is degraded.

    Returns
    -------
    Extraction

    Raises
    ------
    ArticleError
        When an article is missing or not UTF-8 text.
    """
    articles = [p if isinstance(p, Article) else read_article(p) for p in paths]
    table = CompanyTable(aliases, listings)
    french = [a for a in articles if is_french(a.text)]
    parser = Lazy() if french and use_parser and parser_installed() else None
    if french and use_parser and parser is None:
        warnings.warn(DEGRADED, stacklevel=2)
    splits = {a.source: sentences(a.text) for a in articles}
    first = [d for a in articles for d in find_dates(a, splits[a.source], year=year, reference=reference_date)]
    main = _announcement_date([d for d in first if d.kind == "absolute"])

    infos, dates, claims, others = [], [], [], []
    used: set[tuple[str, int]] = set()
    for art in articles:
        info = _info(art, reference_date, main, year)
        infos.append(info)
        found = find_dates(
            art,
            splits[art.source],
            year=year,
            reference=info.reference,
            reference_from=info.reference_from,
            look_back=info.reference_from == "header",
        )
        unresolved = [d.words for d in found if d.date is None and d.kind == "absolute"]
        if unresolved:
            warnings.warn(
                f"{art.source}: {len(unresolved)} date(s) without a year ({', '.join(unresolved[:3])}): "
                "pass --year or --reference-date",
                stacklevel=2,
            )
        c, o, u = find_moves(art, splits[art.source], table, found, parser if art in french else None, info.reference)
        dates += found
        claims += c
        others += o
        used |= {(art.source, off) for off in u}

    events = _draft_events([d for d in dates if (d.source, d.offset) not in used])
    if not events:  # only the claims' own days are dated: draft from those, and say so
        note = "No other date found: drafted from the day words of the claims; set the announcement date."
        sessions = {c.session for c in claims}  # not the reference days of period moves ("below its Oct. 31 close")
        events = [replace(e, note=note) for e in _draft_events([d for d in dates if d.date in sessions])]
    if not events and claims:  # no day in the text at all: the article's own date line
        note = "No date in the text: drafted from the article's date line; set the announcement date."
        events = [replace(e, note=note) for e in _draft_events(dates, header=True)]
    events = _events_for_lone_sessions(events, claims, dates)
    claims = _link(_ids(claims), events)
    unknown = sorted({f.subject for f in others if f.kind in ("unknown company", "crypto") and f.subject})
    return Extraction(tuple(infos), tuple(events), tuple(claims), tuple(others), tuple(dates), tuple(unknown))


def _info(
    art: Article, reference_date: dt.date | None, main: tuple[dt.date, str] | None, year: int | None
) -> ArticleInfo:
    header = article_header(art.text, year)
    if header and header.note:
        warnings.warn(f"{art.source}: dateline {header.words!r}: {header.note}", stacklevel=3)
    info = ArticleInfo(path=str(art.path), source=art.source, chars=len(art.raw))
    if header:
        info = replace(info, header=header.words, header_date=header.date, header_precision=header.precision)
    if header and header.precision == "day":
        return replace(info, reference=header.date, reference_from="header")
    if reference_date is not None:
        return replace(info, reference=reference_date, reference_from="--reference-date")
    if main is not None:
        return replace(info, reference=main[0], reference_from=f"announcement date ({main[1]})")
    return info


def _score(mentions: list[DateMention]) -> int:
    return sum(3 if d.announcement else 1 for d in mentions)


def _announcement_date(absolute: list[DateMention]) -> tuple[dt.date, str] | None:
    by_date: dict[dt.date, list[DateMention]] = defaultdict(list)
    for d in absolute:
        if d.date is not None and d.precision == "day":
            by_date[d.date].append(d)
    if not by_date:
        return None
    date = min(by_date, key=lambda k: (-_score(by_date[k]), k))
    return date, ", ".join(sorted({d.source for d in by_date[date]}))


def _draft_events(dates: list[DateMention], *, header: bool = False) -> list[CandidateEvent]:
    """One event per day named in the text (``header``: per day of the articles' date lines instead)."""
    by_date: dict[dt.date, list[DateMention]] = defaultdict(list)
    for d in dates:
        if d.date is not None and d.precision == "day" and (d.kind == "header") == header and not _period_start(d):
            by_date[d.date].append(d)
    events = []
    for date, mentions in sorted(by_date.items()):
        timed = next((d for d in mentions if d.time is not None and d.tz), None)
        untimed = next((d for d in mentions if d.time is not None and not d.tz), None)
        note = ""
        if timed is not None:
            timestamp: dt.date | dt.datetime = zoned(date, timed.time, timed.tz)  # type: ignore[arg-type]
        else:
            timestamp = date
            if untimed is not None:
                note = f"{untimed.source} gives a time ({untimed.time:%H:%M}) without a time zone; kept date-only."
        best = max(mentions, key=lambda d: (d.announcement, d.kind == "absolute", -d.offset))
        title = _title(best.quote)
        events.append(
            CandidateEvent(
                id=date.isoformat(),
                timestamp=timestamp,
                title=title,
                sources=tuple(sorted({d.source for d in mentions})),
                mentions=tuple(mentions),
                score=_score(mentions),
                note=note,
            )
        )
    return events


def _period_start(d: DateMention) -> bool:
    """Whether the date starts a period ("its worst day since April 9", "depuis le 5 août"): no event's day."""
    return bool(SINCE_DAY.search(d.quote[: max(0, d.offset - d.quote_offset)]))


LINK_DAYS = 7  # a claim's event is at most a week before its session


def _events_for_lone_sessions(
    events: list[CandidateEvent], claims: list[CandidateClaim], dates: list[DateMention]
) -> list[CandidateEvent]:
    """Add an event on each claim session that no drafted event precedes by at most a week."""
    lone = {
        c.session for c in claims
        if c.session is not None and not any(0 <= (c.session - _day(e)).days <= LINK_DAYS for e in events)
    }  # fmt: skip
    if not lone:
        return events
    note = "No announcement date found within a week before this session: drafted from the claims' day words."
    extra = [replace(e, note=note) for e in _draft_events([d for d in dates if d.date in lone])]
    unnamed = sorted(lone - {_day(e) for e in extra})  # a year's last session ("a 239% gain in 2023")
    for day in unnamed:
        c = next(c for c in claims if c.session == day)
        extra.append(CandidateEvent(id=day.isoformat(), timestamp=day, title=_title(c.quote), sources=(c.source,),
                                    mentions=(), score=0, note="Drafted on the session of a claim that names no date "
                                    "in the text (a year's last session)."))  # fmt: skip
    return sorted([*events, *extra], key=_day)


def _title(quote: str, limit: int = 100) -> str:
    text = " ".join(quote.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _ids(claims: list[CandidateClaim]) -> list[CandidateClaim]:
    out, seen = [], set()
    for c in claims:
        number = f"{abs(c.reported_percent):g}"
        base = f"{c.ticker.lower().lstrip('^')}-{'minus-' if c.reported_percent < 0 else ''}{number}"
        cid, n = base, 2
        while cid in seen:
            cid, n = f"{base}-{n}", n + 1
        seen.add(cid)
        out.append(replace(c, id=cid))
    return out


def _link(claims: list[CandidateClaim], events: list[CandidateEvent]) -> list[CandidateClaim]:
    out = []
    current: dict[str, str] = {}  # source → the event of its last claim: the day a claim naming none is about
    for c in claims:
        if c.session is None and c.source in current:
            out.append(replace(c, event=current[c.source]))
            continue
        pool = [e for e in events if c.session is None or 0 <= (c.session - _day(e)).days <= LINK_DAYS] or events
        if not pool:
            out.append(c)
            continue

        def rank(e: CandidateEvent, c: CandidateClaim = c) -> tuple[int, int, dt.date]:
            own = [d for d in e.mentions if d.source == c.source]
            relevance = 3 * any(d.announcement for d in own) + 2 * bool(own) + any(d.announcement for d in e.mentions)
            return relevance, e.score, _day(e)

        out.append(replace(c, event=max(pool, key=rank).id))
        current[c.source] = out[-1].event
    return out


def _day(e: CandidateEvent) -> dt.date:
    return e.timestamp if not isinstance(e.timestamp, dt.datetime) else e.timestamp.date()


def other_kinds(others: Iterable[OtherFigure]) -> dict[str, int]:
    """How many other figures of each kind (for a summary line)."""
    counts: dict[str, int] = defaultdict(int)
    for f in others:
        counts[f.kind] += 1
    return dict(counts)
