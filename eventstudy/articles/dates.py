"""Dates in article text, French and English, absolute and relative.

Month and weekday names come from ``dateparser``'s own language data, and
``dateparser`` parses each span found; this module only decides where a
date is and what it is counted from.

Rules:

- The article's own date is a ``date YYYY-MM[-DD]`` header, a date printed
  alone on a line near the top ("Sept 10, 2025", "Les Echos, jeudi 23 janvier
  2025") or a dateline ("NEW YORK, Jan 27 (Reuters) -", "TOKYO, April 10,
  2025 -"); a dateline without a year takes it from another date line.
- A day without a year ("Le 21 janvier") takes the year from the article's
  header, else from ``year`` (``--year``), else from ``reference``
  (``--reference-date``); the mention records which (``year_from``).
- A weekday ("mercredi", "jeudi midi", "Wednesday") is counted from the
  article's reference date: from a header with a day, it is the last such
  day on or before it (the article looks back); from a reference date (the
  date of the news the article is about, given or inferred), the first such
  day on or after it. "dernier"/"last" and "prochain"/"next" override, and a
  sentence in the future tense ("will report on Thursday", "publiera
  mardi") looks forward.
- "la veille"/"the day before" and "le lendemain"/"the next day" are one day
  before or after the previous resolved date in the article outside an
  aside (", whose … ,", "( … )"; else the reference); "hier"/"aujourd'hui"/"yesterday"/"today" count from a header
  date or a given reference date only.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from dataclasses import replace
from zoneinfo import ZoneInfo

from eventstudy.articles.date_lines import NUMERIC, Header, article_header, numeric_date
from eventstudy.articles.date_names import MONTH as _M
from eventstudy.articles.date_names import WEEKDAY as _W
from eventstudy.articles.date_names import WEEKDAY_NAMES as _WEEKDAYS
from eventstudy.articles.date_names import YEAR as _YEAR
from eventstudy.articles.date_names import month_index, parse_date, weekday_index
from eventstudy.articles.parser import is_french
from eventstudy.articles.records import DateMention
from eventstudy.articles.text import Article, aside_spans, normalize, sentence_at
from eventstudy.articles.words import SINCE_DAY

_I = re.IGNORECASE


_ABSOLUTE = [
    # 21 janvier 2025, mardi 21 janvier, le 1er janvier, 21st January 2025
    re.compile(rf"(?<![\w,.])(?:{_W},?\s+)?(?:le\s+)?(?P<day>1er|\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_M}"
               rf"(?:,?\s+{_YEAR})?", _I),
    # January 21, 2025; Wednesday, January 22
    re.compile(rf"(?<![\w])(?:{_W},?\s+)?{_M}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?![\d%])(?!\s?%)"
               rf"(?:,?\s+{_YEAR})?", _I),
    re.compile(r"(?<![\w-])(?P<iso>(?P<year>\d{4})-(?P<m>\d{2})-(?P<d>\d{2}))(?![\w-])"),
]  # fmt: skip
# a day of the month alone, in English: "on the 6th" (not "the 6th of May", "the 18th century", "the 90th percentile")
_ORDINAL_DAY = re.compile(
    r"(?<![\w])(?:on\s+)?the\s+(?P<day>\d{1,2})(?:st|nd|rd|th)(?![\w])(?!\s+(?:of|century|percentile|straight|consecutive))",
    _I,
)
_MONTH_YEAR = re.compile(rf"(?<![\w])(?:en\s+|in\s+)?{_M},?\s+{_YEAR}", _I)
_WEEKDAY = re.compile(
    rf"(?<![\w])(?:(?P<pre>last|next|this|on)\s+)?{_W}"
    r"(?:\s+(?P<post>dernier|prochain|matin|midi|soir|après-midi|morning|afternoon|evening|noon))?",
    _I,
)
_RELATIVE = re.compile(
    r"(?<![\w])(?P<rel>la veille(?!\s+(?:de|du|des|d['’]))|le lendemain|avant-hier|après-demain|hier|aujourd'hui"
    r"|demain|"
    r"the day before|the previous day|the next day|the following day|yesterday|today|tomorrow"
    r"|overnight (?:in New York|on Wall Street|in the United States|in the U\.S\.|in U\.S\. trading)"
    r"|(?:in New York|on Wall Street) overnight"
    r"|(?:\d{1,2}|two|three|four|five|six|seven) days ago|il y a (?:\d{1,2}|deux|trois|quatre|cinq|six|sept) jours)"
    r"(?![\w])",
    _I,
)
_DAYS_AGO = re.compile(r"(\w+) days ago|il y a (\w+) jours")
_COUNT = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "deux": 2, "trois": 3, "quatre": 4,
          "cinq": 5, "sept": 7}  # fmt: skip
_SHIFT = {"la veille": -1, "the day before": -1, "the previous day": -1, "le lendemain": 1, "the next day": 1,
          "the following day": 1, "avant-hier": -2, "hier": -1, "yesterday": -1, "aujourd'hui": 0, "today": 0,
          "demain": 1, "tomorrow": 1, "après-demain": 2}  # fmt: skip
_ANCHORED = {"la veille", "the day before", "the previous day", "le lendemain", "the next day", "the following day"}
_TIMING = {"midi": "midday", "noon": "midday", "matin": "intraday", "morning": "intraday", "après-midi": "intraday",
           "afternoon": "intraday", "soir": "close", "evening": "close"}  # fmt: skip
_TIME = re.compile(
    r"^,?\s*(?:à|a|vers|at|around|about)\s+(?P<h>\d{1,2})(?:\s*h\s*(?P<m1>\d{2})?|:(?P<m2>\d{2})\s*(?P<ap1>[ap])?\.?m?\.?"
    r"|\s*(?P<ap2>[ap])\.?m\.?)(?![\w%])",
    _I,
)
_ZONE = re.compile(
    r"^\s*\(?\s*(?:heure de |à |in |)(?P<zone>New York|Paris|Tokyo|Washington|Eastern|ET|EST|EDT|GMT|UTC|CET|CEST|JST"
    r"|heure française)(?: time)?\)?",
)
_ZONES = {"New York": "America/New_York", "Washington": "America/New_York", "Eastern": "America/New_York",
          "ET": "America/New_York", "EST": "America/New_York", "EDT": "America/New_York", "Paris": "Europe/Paris",
          "CET": "Europe/Paris", "CEST": "Europe/Paris", "heure française": "Europe/Paris", "Tokyo": "Asia/Tokyo",
          "JST": "Asia/Tokyo", "GMT": "UTC", "UTC": "UTC"}  # fmt: skip
ANNOUNCEMENT = re.compile(
    r"annon[cç]\w*|announc\w*|dévoil\w*|unveil\w*|présenté\w*|presented|conférence|press conference", _I
)


def find_dates(
    article: Article,
    spans: list[tuple[int, int]],
    *,
    year: int | None = None,
    reference: dt.date | None = None,
    reference_from: str = "",
    look_back: bool = False,
) -> list[DateMention]:
    """Every date mention in ``article``, resolved as far as the options allow.

    Parameters
    ----------
    article, spans
        The article and its sentence spans (:func:`eventstudy.articles.text.sentences`).
    year
        Year for days written without one, when the article has no header.
    reference, reference_from
        Date relative words count from, and where it came from (shown to the reviewer).
    look_back
        The reference is the article's own date: weekdays point back to it.
    """
    text, src = article.text, article.source
    header = article_header(text, year)
    out: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str] | tuple[int, int], group: int | str = 0, **kw: object) -> None:
        start, end = m if isinstance(m, tuple) else m.span(group)
        a, b = _sentence(spans, start)
        taken.append((start, end))
        near = text[max(a, start - 40) : min(b, end + 40)]
        out.append(
            DateMention(
                source=src, offset=start, words=article.raw[start:end], quote_offset=a, quote=article.raw[a:b],
                announcement=bool(ANNOUNCEMENT.search(near)), **kw,  # type: ignore[arg-type]
            )
        )  # fmt: skip

    if header:
        add((header.start, header.end), date=header.date, kind="header", precision=header.precision, year_from="text")
    free = lambda m: not any(s < m.end() and m.start() < e for s, e in taken)  # noqa: E731
    for rx in _ABSOLUTE:
        for m in rx.finditer(text):
            if not free(m):
                continue
            date, year_from = _absolute(m, header, year, reference, reference_from)
            kw = _time_after(text, m.end(), date)
            add(m, date=date, kind="absolute", year_from=year_from, **kw)
    french = is_french(text)
    for m in NUMERIC.finditer(text):
        if free(m) and (date := numeric_date(m, french=french)) is not None:
            add(m, date=date, kind="absolute", year_from="text", **_time_after(text, m.end(), date))
    anchor = header.date if header and header.precision == "day" else reference
    for m in _ORDINAL_DAY.finditer(text):  # "on the 6th", "Trading on the 18th (local time)": the anchor's month
        if free(m) and anchor is not None and 1 <= int(m["day"]) <= 31:
            back = int(m["day"]) > anchor.day  # a day after the anchor's is last month's
            month_start = (
                (anchor.replace(day=1) - dt.timedelta(days=1)).replace(day=1) if back else anchor.replace(day=1)
            )
            try:
                date = month_start.replace(day=int(m["day"]))
            except ValueError:
                continue
            add(m, date=date, kind="absolute", year_from="header" if header else reference_from)
            taken.append(m.span())
    for m in _MONTH_YEAR.finditer(text):
        if free(m):
            add(m, date=dt.date(int(m["year"]), month_index(m["month"]), 1), kind="absolute", precision="month",
                year_from="text")  # fmt: skip
    for m in _NIGHT.finditer(text):  # "dans la nuit de lundi à mardi": Monday's New York session, seen from Europe
        if free(m):
            add(m, "w1", date=None, kind="weekday")
            taken.append(m.span())
    for m in _WEEKDAY.finditer(text):
        if free(m):
            add(m, date=None, kind="weekday", timing=_TIMING.get((m["post"] or "").lower(), ""))
    for m in _RELATIVE.finditer(text):
        if free(m):
            add(m, date=None, kind="relative")
    out.sort(key=lambda d: d.offset)
    updated = _update_days(text, header.date if header else None) if look_back else {}
    return _resolve_relative(out, reference, reference_from, look_back, updated)


# a wire's update note under its headline: "Updates with premarket trading on Friday in final paragraph"
_UPDATE_NOTE = re.compile(r"^[ \t]*(?:Updates?|Adds?)\b(?:[^\n]{0,120}$|[^\n:]{0,60}:)", re.M)  # "Update, Thursday …:"


def _update_days(text: str, dated: dt.date | None) -> dict[int, dt.date]:
    """The weekdays an update note names, as the first such day on or after the dateline's (they look forward)."""
    if dated is None:
        return {}
    out = {}
    for note in _UPDATE_NOTE.finditer(text):
        for w in _W_RX.finditer(note.group()):
            target = weekday_index(w[0])
            out[target] = dated + dt.timedelta(days=(target - dated.weekday()) % 7)  # "Update, Tuesday close:"
    return out


def _sentence(spans: list[tuple[int, int]], offset: int) -> tuple[int, int]:
    try:
        return sentence_at(spans, offset)
    except ValueError:
        return offset, offset


def _absolute(
    m: re.Match[str],
    header: Header | None,
    year: int | None,
    reference: dt.date | None,
    reference_from: str,
) -> tuple[dt.date | None, str]:
    if m.groupdict().get("iso"):
        try:
            return dt.date(int(m["year"]), int(m["m"]), int(m["d"])), "text"
        except ValueError:
            return None, "text"
    if m["year"]:
        y, year_from = int(m["year"]), "text"
    elif header:
        y, year_from = header.date.year, "header"
    elif year is not None:
        y, year_from = year, "--year"
    elif reference is not None:
        y, year_from = reference.year, reference_from or "--reference-date"
    else:
        return None, "unknown: pass --year"
    day = m["day"].lower().removesuffix("er")
    return parse_date(f"{day} {m['month']} {y}"), year_from


def _time_after(text: str, end: int, date: dt.date | None) -> dict[str, object]:
    """A stated time right after a date ("à 16 h (heure de New York)")."""
    m = _TIME.match(text[end : end + 40])
    if not m or date is None:
        return {}
    hour, minute = int(m["h"]), int(m["m1"] or m["m2"] or 0)
    ap = (m["ap1"] or m["ap2"] or "").lower()
    hour += 12 if ap == "p" and hour < 12 else 0
    if hour > 23 or minute > 59:
        return {}
    z = _ZONE.match(text[end + m.end() : end + m.end() + 30])
    return {"time": dt.time(hour, minute), "tz": _ZONES[z["zone"]] if z else ""}


def _resolve_relative(
    mentions: list[DateMention],
    reference: dt.date | None,
    reference_from: str,
    look_back: bool,
    updated: dict[int, dt.date],
) -> list[DateMention]:
    out, last = [], None
    for d in mentions:
        if d.kind == "weekday" and reference is not None:
            words = d.words.lower()
            target = weekday_index(_W_RX.search(d.words)[0])  # type: ignore[index]
            back = look_back and not _future(d)  # "will report on Thursday" looks forward
            if any(w in words for w in ("dernier", "last")):
                back = True
            elif any(w in words for w in ("prochain", "next")):
                back = False
            delta = (target - reference.weekday()) % 7
            if reference_from == "--reference-date" and not any(w in words for w in ("prochain", "next")):
                back = not _future(d)  # past tense looks back, as from a dateline
            date = reference + dt.timedelta(days=delta) if not back else reference - dt.timedelta(days=(-delta) % 7)
            if date == reference and any(w in words for w in ("dernier", "last")):
                date -= dt.timedelta(days=7)  # "since last Friday's close" on a Friday: the week before
            if target in updated and not any(w in words for w in ("dernier", "last")):
                date = updated[target]  # the day an update note names: after the dateline
            d = replace(d, date=date, reference=reference, reference_from=reference_from)
        elif d.kind == "relative":
            rel = normalize(d.words).lower()  # "aujourd’hui" as printed
            anchor, anchor_from = (last.date, f"{last.words!r} at offset {last.offset}") if last else (None, "")
            if rel in _ANCHORED and anchor is not None:
                d = replace(
                    d, date=anchor + dt.timedelta(days=_SHIFT[rel]), reference=anchor, reference_from=anchor_from
                )
            elif reference is not None and (look_back or reference_from == "--reference-date" or rel in _ANCHORED):
                # "overnight in New York" in a story dated in Asia or Europe: the weekday session before its day
                shift = _SHIFT.get(rel, _days_ago(rel))
                day = reference + dt.timedelta(days=shift) if shift is not None else _weekday_before(reference)
                d = replace(d, date=day, reference=reference, reference_from=reference_from)
        # not an aside's day ("Arm, whose shares soared on Wednesday, fell") nor a flashback's ("s'était envolée")
        narrative = d.date is not None and d.precision == "day" and d.kind != "header" and not _in_aside(d)
        at = d.offset - d.quote_offset
        narrative = narrative and not SINCE_DAY.search(d.quote[max(0, at - 12) : at])  # "depuis le 1er janvier"
        if narrative and (last is None or not _FLASHBACK.search(_clause(d))):
            last = d
        out.append(d)
    return out


def _weekday_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=3 if day.weekday() == 0 else 2 if day.weekday() == 6 else 1)


_W_RX = re.compile(_W, _I)
_FLASHBACK = re.compile(r"(?<![\w])(?:s['’]était|s['’]étaient|avait|avaient)(?![\w])", _I)
_DAY_NAMES = "|".join(re.escape(n) for n in _WEEKDAYS)
_NIGHT = re.compile(rf"(?<![\w])nuit (?:de|du) (?P<w1>{_DAY_NAMES})\s+(?:à|au) (?:{_DAY_NAMES})(?![\w])", _I)
_CLAUSE_BREAK = re.compile(
    r"[;:]|,?\s(?:after|before|but|while|après|avant|mais|tandis)(?![\w])|,\s(?:when|lorsque|quand)(?![\w])", _I
)  # ", when Oracle said it will…": the clause before keeps its own tense


def _in_aside(d: DateMention) -> bool:
    at = d.offset - d.quote_offset
    return any(s <= at < e for s, e in _asides(d.quote))


def _clause(d: DateMention) -> str:
    """The clause of the sentence that holds a date mention."""
    at = d.offset - d.quote_offset
    starts, ends = _breaks(d.quote)
    k = bisect.bisect_right(ends, at)  # the breaks that end at or before the mention
    lo = ends[k - 1] if k else 0
    j = bisect.bisect_left(starts, at)
    hi = starts[j] if j < len(starts) else len(d.quote)
    return d.quote[lo:hi]


# per sentence, once: a long sentence holds many date mentions (each scan of it was quadratic in its length)
@functools.lru_cache(maxsize=64)
def _asides(quote: str) -> tuple[tuple[int, int], ...]:
    return tuple(aside_spans(quote))


@functools.lru_cache(maxsize=64)
def _breaks(quote: str) -> tuple[list[int], list[int]]:
    found = list(_CLAUSE_BREAK.finditer(quote))
    return [m.start() for m in found], [m.end() for m in found]


# a sentence about the future: a weekday in it looks forward from the article's date
_FUTURE = re.compile(
    r"(?<![\w])(?:will|is (?:due|scheduled|set|expected) to|are (?:due|scheduled|set|expected) to|doit|doivent"
    r"|attendus? (?:après|avant|le|lundi|mardi|mercredi|jeudi|vendredi)"
    r"|[a-zéè]{3,}(?:era|eront|ira|iront))(?![\w])",
    _I,
)


def zoned(date: dt.date, time: dt.time, tz: str) -> dt.datetime:
    """A timezone-aware datetime for a date and a time stated in a named zone."""
    return dt.datetime.combine(date, time, tzinfo=ZoneInfo(tz))


_AHEAD_OF = re.compile(r"(?<![\w])(?:ahead of|due (?:after|before|on|out))(?![\w])[^,;.]{0,40}$", _I)


def _days_ago(rel: str) -> int | None:
    """-N for "N days ago" / "il y a N jours" (calendar days, as pages print them), else None."""
    if m := _DAYS_AGO.fullmatch(rel):
        n = m[1] or m[2]
        return -(int(n) if n.isdigit() else _COUNT[n])
    return None


def _future(d: DateMention) -> bool:
    """Whether a weekday's clause speaks of the future ("will report on Thursday", "ahead of its results on Monday")."""
    at = d.offset - d.quote_offset
    return bool(_FUTURE.search(_clause(d)) or _AHEAD_OF.search(d.quote[max(0, at - 50) : at]))
