"""The article's own date, as sites print it near the top or the end.

A ``date YYYY-MM[-DD]`` header, a date alone on a line ("Sept 10, 2025", "22/01/2025", "2025-09-11"), a
paper's name or a byline then the date, a publication line ("Publié le …", "Posted 2024-08-28 | …"), a
dateline ("NEW YORK, Jan 27 (Reuters) -", its year from another date line or from the weekday its lede
names), or a Dow Jones time stamp at the end ("11-19-24 1532ET").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from eventstudy.articles.date_names import GERMAN_MONTH, parse_german_date
from eventstudy.articles.date_names import MONTH as _M
from eventstudy.articles.date_names import WEEKDAY as _W
from eventstudy.articles.date_names import YEAR as _YEAR
from eventstudy.articles.date_names import parse_date as _parse
from eventstudy.articles.text import HEADER

_I = re.IGNORECASE
_M2 = _M.replace("(?P<month>", "(?P<month2>")
_WD_SHORT = r"(?:mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\.?"  # "Wed, Feb 5, 2025"
_DAY_MONTH = (
    rf"(?i:(?:(?:{_W}|{_WD_SHORT}),?\s+)?(?:(?P<day>1er|\d{{1,2}})\s+{_M}|{_M2}\.?\s+(?P<day2>\d{{1,2}}))"
    rf"(?:,?\s+{_YEAR})?)"
)
# a time (and zone) printed before the date: "18:27 UTC+8, ", "04:54 PM EST, ", "09:12, "
_TIME_BEFORE = r"\d{1,2}[:h]\d{2}(?:\s*[AP]\.?M\.?)?(?:\s+(?P<tz>[A-Z]{2,4})(?:[+-]\d{1,2})?)?,?\s+"
_PUBLISHED = (
    r"(?:published|updated|last updated?|posted|publié|mis à jour|modifié|dernière mise à jour|créé)"
    r"(?:\s+(?:le|on|at))?\s*:?\s+"
)
# "22/01/2025", "22.01.2025": day first unless the second number cannot be a month
NUMERIC = re.compile(r"(?<![\d/.])(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>(?:19|20)\d\d)(?![\d/])")
_NUMERIC_LINE = re.compile(  # "23/02/2024 | 22:40", "Bourse, commentaire de clôture   23.07.2025 09:02:18"
    rf"^[ \t]*(?:{_PUBLISHED}|[A-Za-zÀ-ÿ][\w ,'’-]{{0,40}}?\s)?(?P<h>{NUMERIC.pattern})"  # "… par AOF 24/04/2024"
    rf"(?:,?\s+(?:[|•·-]\s+)?(?:à\s+|at\s+)?\d{{1,2}}[:h]\d{{2}}\S*)?[ \t]*$",  # "23/02/2024 | 22:40"
    _I | re.M,
)
_ISO_START = re.compile(r"\W{0,3}(?P<h>(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2}))(?![\d-])")
_WIRE = re.compile(r"\((?:Reuters|AP|AFP|Bloomberg|Dow Jones|awp/afp|AWP)\)", _I)
_REPOST = re.compile(r"(?<![\w])(?:posted|reposted|shared)\b[^\n]*\bby\b", _I)
_FOOTER_ZONE = 300  # characters from the end where a date line is the article's own, when none is at the top
# the article's own date, as newspapers and wires print it near the top:
_HEADERS = [
    # "January 27, 2025 9:40 PM UTC", "Sept 10, 2025", "Jan 28, 2025" alone on a line
    re.compile(
        rf"^[ \t]*(?:{_PUBLISHED}|[A-Z][a-z]{{2,15}}(?=[A-Z][a-z]))?(?P<h>{_DAY_MONTH})"  # "Published Wed, Feb 5, 2025
        # · 08:05 AM" too, and a section name glued to it by a page's layout: "MarketsSeptember 30, 2024"
        rf"(?:,?\s+(?:[|•·–—-]\s+)?(?:at\s+|à\s+)?\d{{1,2}}\s?[:h]\s?\d{{2}}(?:\s*[AP]M)?(?:\s+[A-Z]{{2,4}})?"
        r"(?:\s*\(?(?:GMT|UTC)[+-]\d{1,2}(?::?\d{2})?\)?)?)?"  # "Jan 8, 2025 08:15 (GMT+8)", "at 1:10 AM GMT+1"
        r"(?:\s*[·|•]\s*(?:less than |about )?(?:a|\d+)\s*min(?:ute)?s?(?:\s+read)?)?[ \t]*$",  # "· 3 min read"
        _I | re.M,
    ),
    # "Updated 4:36 AM EDT, July 23, 2025": the time before the date
    re.compile(rf"^[ \t]*(?:{_PUBLISHED})?\d{{1,2}}:\d{{2}}\s*[AP]\.?M\.?(?:\s+[A-Z]{{2,4}})?,?\s+"
               rf"(?P<h>{_DAY_MONTH})[ \t]*$", _I | re.M),
    # "Les Echos, jeudi 23 janvier 2025" alone on a line
    re.compile(rf"^[ \t]*[A-Z][\w'’ .&-]{{1,40}},\s+(?P<h>{_DAY_MONTH})[ \t]*$", re.M | _I),
    # datelines: "NEW YORK, Jan 27 (Reuters) -", "TOKYO, April 10, 2025 -", "AUSTIN, Texas, Dec 11, 2025 -",
    # "Tokyo, 5 août 2024 (AFP) -"
    re.compile(rf"^[ \t]*[A-Z][A-Za-zÀ-ÿ .'’-]{{1,30}},(?:\s+[A-Z][a-z]+\.?,)?\s+(?P<h>{_DAY_MONTH})"
               r"(?:\s+\([A-Za-z ]+\))?(?:\s+/[^/\n]{1,30}/)?\s+[-–—]", re.M),
    # a live page's span of days: "Live updates | Sept. 9-10, 2024" (its last day)
    re.compile(rf"^[^\n]{{0,40}}?(?<![\w])(?P<h>(?i:{_M2})\.?\s+\d{{1,2}}\s?[-–]\s?(?P<day2>\d{{1,2}}),?\s+{_YEAR})"
               r"(?P<day>(?!))?(?P<month>(?!))?[ \t]*$", re.M),
    # a title ending on its date: "Japan Stock Market Today: … (November 25, 2025)"
    re.compile(rf"\A[^\n]{{10,200}}\((?P<h>{_DAY_MONTH})\)[ \t]*$", re.M),
    # a dateline without a city: "Feb 8, 2024 - Arm surged…", "8 février 2024 – …"
    re.compile(rf"^[ \t]*(?P<h>{_DAY_MONTH})(?:\s+\([A-Za-z ]+\))?\s+[-–—]\s", re.M),
    # a byline or a paper's name, then the date: "By a staff writer | Dec 16, 2024, 4:20 PM ET",
    # "Le Progrès - 28 janv. 2025 à 07:45"
    re.compile(rf"^[^\n]{{0,60}}?\s[|•·–—-]\s*(?P<h>{_DAY_MONTH})"
               rf"(?:,?\s+(?:at\s+|à\s+)?\d{{1,2}}\s?[:h]\s?\d{{2}}(?:\s*[AP]M)?(?:\s+[A-Z]{{2,4}})?)?[ \t]*$",
               re.M | _I),
    # "Publié le 28/01/2025 à 14h05, mis à jour …", "Investir – Publié le 6 juin 2024": a publication line;
    # "Mis à jour : 09:12, 25 avril 2025": its time first
    re.compile(rf"^[^\n]{{0,40}}?(?<![\w]){_PUBLISHED}(?:{_TIME_BEFORE})?(?P<h>{_DAY_MONTH})", re.M | _I),
    # a photo credit or a wire's copyright line as the only date: "© 20 octobre 2025 (Keystone/ATS)"
    re.compile(rf"^[ \t]*©\s*(?P<h>{_DAY_MONTH})", re.M),
    # a dateline of fields between bars: "New York | April 17, 2024 | Market Desk—"
    re.compile(rf"^[^\n|]{{0,40}}\|\s*(?P<h>{_DAY_MONTH})\s*\|", re.M),
]  # fmt: skip
_PUBLISHED_NUMERIC = re.compile(  # "Publié le 28/01/2025", "Publié le Tue 25/11/2025 - 00:00"
    rf"^[^\n]{{0,40}}?(?<![\w]){_PUBLISHED}(?:(?:{_W}|{_WD_SHORT}),?\s+)?(?P<h>{NUMERIC.pattern})", re.M | _I
)
_TIME_NUMERIC = re.compile(rf"^[ \t]*(?:{_PUBLISHED})?{_TIME_BEFORE}(?P<h>{NUMERIC.pattern})", re.M | _I)
US_ZONES = ("ET", "EST", "EDT", "CT", "CST", "CDT", "MT", "MST", "MDT", "PT", "PST", "PDT")
# "26. Juli 2024 um 09:12", "Heute — 26. Juli 2024L'Économiste du Maghreb": a German feed reader's date line
_GERMAN_LINE = re.compile(
    rf"^[^\n\d]{{0,20}}?(?P<h>(?P<d>\d{{1,2}})\.\s+{GERMAN_MONTH}\s+(?P<y>(?:19|20)\d\d))", re.M | _I
)
# "2025-01-28" or "Published 2025-01-28 14:05" alone on a line
_ISO_LINE = re.compile(
    rf"^[ \t]*(?:[-•*]\s+)?(?:{_PUBLISHED})?(?:{_TIME_BEFORE})?"  # "- 2025-05-07 05:12:40", "18:27 UTC+8, 2025-03-31"
    r"(?P<h>(?P<y>\d{4})(?P<sep>[-./])(?P<m>\d{2})(?P=sep)(?P<d>\d{2}))"  # "2024.12.19 06:41" too
    r"(?:[ T]\d{1,2}:\d{2}\S*(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?)?"  # "2024/09/11 3:58 pm EDT"
    r"(?:[ \t]{2,}\S[^\n]{0,80})?[ \t]*$",  # "2024-03-09 08:15:32  Source : agence de presse"
    _I | re.M,
)
# "Posted 2024-08-28 | 11:05 am ET | by the Trading Desk": a publication line with more after the date
_PUBLISHED_ISO = re.compile(
    rf"^[^\n]{{0,40}}?(?<![\w]){_PUBLISHED}(?P<h>(?P<y>\d{{4}})-(?P<m>\d{{2}})-(?P<d>\d{{2}}))", re.M | _I
)
_HEADER_ZONE = 800  # characters from the top where a printed date is the article's own
# Dow Jones' time stamp line: "11-19-24 1532ET" (month, day, two-digit year, time)
_STAMP_LINE = re.compile(r"^[ \t]*(?P<h>(?P<m>\d{2})-(?P<d>\d{2})-(?P<y>\d{2}))\s+\d{4}\s?E[SD]?T[ \t]*$", re.M)


@dataclass(frozen=True)
class Header:
    """The article's own date: as written, the date, "day" or "month", and where it is."""

    words: str
    date: dt.date
    precision: str
    start: int
    end: int
    note: str = ""  # how a year the line does not print was chosen, when from the calendar alone


def article_header(text: str, year: int | None = None) -> Header | None:
    """The article's own date: a ``date YYYY-MM[-DD]`` header, a date line near the top or a dateline.

    A dateline without a year ("NEW YORK, Jan 27 (Reuters) -") takes the year of
    another date line at the top of the article, else ``year``.
    """
    m = HEADER.match(text)
    if m:
        y, mo, d = int(m["y"]), int(m["m"]), int(m["d"] or 1)
        try:
            date = dt.date(y, mo, d)
        except ValueError:
            return None
        return Header(m["h"].split(None, 1)[1], date, "day" if m["d"] else "month", *m.span("h"))
    zones = [(0, min(len(text), _HEADER_ZONE)), (max(0, len(text) - _FOOTER_ZONE), len(text))]
    for lo, hi in zones:
        got = _dated_line(text, lo, hi, year)
        if got is not None:
            return got
    return _yearless_lede_date(text, year)


# a page's slug as its only date: "01192024-super-micro" (month, day, year)
_SLUG = re.compile(r"^[ \t]*(?P<h>(?P<m>\d{2})(?P<d>\d{2})(?P<y>20\d\d))-[a-z]", re.M)


_TODAY_BEFORE = re.compile(r"(?:(?<![\w])(?:ce|this|today,?|aujourd'hui,?)\s+|^[ \t]*)\Z", re.IGNORECASE | re.MULTILINE)


def _yearless_lede_date(text: str, year: int | None) -> Header | None:
    """A slug's date, or a lede's "ce jeudi 4 décembre" in a text that prints no year: the latest year that fits.

    The year is ``year`` when given, else the latest up to today whose calendar puts that day on that
    weekday (ten years back at most), said in the note.
    """
    if (slug := _SLUG.search(text, 0, _HEADER_ZONE)) and 1 <= int(slug["m"]) <= 12:
        try:
            return Header(slug["h"], dt.date(int(slug["y"]), int(slug["m"]), int(slug["d"])), "day", *slug.span("h"))
        except ValueError:
            pass
    m = next(
        (m for m in _WEEKDAY_DAY_MONTH.finditer(text, 0, _HEADER_ZONE) if _TODAY_BEFORE.search(text, 0, m.start())),
        None,
    )
    if m is None:  # only the story's own day counts: "ce jeudi 4 décembre", not "after a record on Tuesday, June 18"
        return None
    day, month = m["d1"] or m["d2"], m["mo1"] or m["mo2"]
    y = _latest_fitting_year(day, month, _WEEKDAY_NUMBER[m["wd"].lower()], years=[year] if year else None)
    date = _parse(f"{day} {month} {y}") if y else None
    if date is None:
        return None
    note = "" if year else f"year {y} guessed: the latest up to today whose calendar fits the weekday; pass --year"
    return Header(m.group(), date, "day", m.start(), m.end(), note=note)


def _dated_line(text: str, lo: int, hi: int, year: int | None) -> Header | None:
    """A date line (or a dateline) in ``text[lo:hi]``."""
    iso = _ISO_LINE.search(text, lo, hi) or _PUBLISHED_ISO.search(text, lo, hi)
    iso = iso or (_ISO_START.match(text) if lo == 0 else None)
    if iso:
        try:
            return Header(iso["h"], dt.date(int(iso["y"]), int(iso["m"]), int(iso["d"])), "day", *iso.span("h"))
        except ValueError:
            pass
    if stamp := _STAMP_LINE.search(text, lo, hi):
        try:
            return Header(stamp["h"], dt.date(2000 + int(stamp["y"]), int(stamp["m"]), int(stamp["d"])), "day",
                          *stamp.span("h"))  # fmt: skip
        except ValueError:
            pass
    if timed := _TIME_NUMERIC.search(text, lo, hi):
        date = numeric_date(timed, french=timed["tz"] not in US_ZONES, month_first=timed["tz"] in US_ZONES)
        if date is not None:
            return Header(timed["h"], date, "day", *timed.span("h"))
    if num := _NUMERIC_LINE.search(text, lo, hi) or _PUBLISHED_NUMERIC.search(text, lo, hi):
        date = numeric_date(num, french=True)
        if date is not None:
            return Header(num["h"], date, "day", *num.span("h"))
    if (german := _GERMAN_LINE.search(text, lo, hi)) and (
        date := parse_german_date(f"{german['d']} {german['mo']} {german['y']}")
    ):
        return Header(german["h"], date, "day", *german.span("h"))
    found = []
    for rx in _HEADERS:
        for h in rx.finditer(text, lo, hi):
            found.append(h)
    if not found:
        return None
    years = [int(h["year"]) for h in found if h["year"]]
    h = min(found, key=lambda h: h.start("h"))
    wire = [w for w in found if _WIRE.search(w.group())]  # "NEW YORK, June 25 (Reuters) -": the story's own day,
    h = wire[0] if wire and _REPOST.search(text, h.start(), h.end() + 40) else h  # not a repost's "Posted on … by"
    y = int(h["year"]) if h["year"] else (years[0] if years else year)
    day = (h["day"] or h["day2"]).lower().removesuffix("er")
    note = ""
    if y is None:
        y = _year_by_weekday(text, h.end(), day, h["month"] or h["month2"])
    if y is None and not re.search(r"(?<![\d])(?:19|20)\d\d(?![\d])", text):
        y = _year_by_calendar(text, h.end(), day, h["month"] or h["month2"])
        note = f"year {y} guessed: the latest up to today whose calendar fits the weekdays; pass --year" if y else ""
    if y is None:
        return None
    date = _parse(f"{day} {h['month'] or h['month2']} {y}")
    return Header(h["h"], date, "day", *h.span("h"), note=note) if date else None


_WEEKDAY_NUMBER = {
    name: i
    for i, names in enumerate(("monday lundi", "tuesday mardi", "wednesday mercredi", "thursday jeudi",
                               "friday vendredi", "saturday samedi", "sunday dimanche"))
    for name in names.split()
}  # fmt: skip
_WEEKDAY_WORD = re.compile(r"(?<![\w])(" + "|".join(_WEEKDAY_NUMBER) + r")(?![\w])", _I)


_WEEKDAY_DATE = re.compile(
    r"(?<![\w])(?P<wd>"
    + "|".join(_WEEKDAY_NUMBER)
    + r"),?\s+"
    + _M.replace("(?P<month>", "(?P<mo>")
    + r"\.?\s+(?P<d>\d{1,2})(?![\d,])(?!,?\s+(?:19|20)\d\d)",
    _I,
)  # "Tuesday, June 18" (no year)
# a weekday and a day of a month, French or English, no year: "ce jeudi 4 décembre", "Thursday, December 4"
_WEEKDAY_DAY_MONTH = re.compile(
    r"(?<![\w])(?P<wd>"
    + "|".join(_WEEKDAY_NUMBER)
    + r"),?\s+(?:(?P<d1>\d{1,2})(?:er)?\s+"
    + _M.replace("(?P<month>", "(?P<mo1>")
    + r"|"
    + _M.replace("(?P<month>", "(?P<mo2>")
    + r"\.?\s+(?P<d2>\d{1,2})(?![\d]))(?!,?\s+(?:19|20)\d\d)",
    _I,
)


def _year_by_weekday(text: str, after: int, day: str, month: str) -> int | None:
    """A dateline's year, when it prints none ("NEW YORK, Feb 22 (Reuters) - … on Thursday").

    The latest year the text mentions or the one after it, whichever alone makes the dateline's day
    (or the day before it) the weekday the lede names first; None when neither or both do.
    """
    years = [int(y) for y in re.findall(r"(?<![\d])((?:19|20)\d\d)(?![\d])", text)]
    named = _WEEKDAY_WORD.search(text, after, after + 600)
    if not years or named is None:
        return None
    weekday = _WEEKDAY_NUMBER[named.group(1).lower()]
    fits, exact = [], []
    for y in (max(years), max(years) + 1):
        date = _parse(f"{day} {month} {y}")
        if date is not None and weekday in (date.weekday(), (date - dt.timedelta(days=1)).weekday()):
            fits.append(y)
            if date.weekday() == weekday:
                exact.append(y)
    if len(fits) > 1 and len(exact) == 1:
        return exact[0]  # the dateline's own day is the lede's weekday in one of them only
    return fits[0] if len(fits) == 1 else None


def today() -> dt.date:
    """Today's date (a function, so that tests can set it)."""
    return dt.date.today()


def _year_by_calendar(text: str, after: int, day: str, month: str) -> int | None:
    """A dateline's year when the text prints none at all: the latest up to today whose calendar fits.

    The dateline's day must be the weekday the lede names first, and every "Tuesday, June 18" of the
    text must fall on its weekday; ten years back at most.
    """
    named = _WEEKDAY_WORD.search(text, after, after + 600)
    if named is None:
        return None
    weekday = _WEEKDAY_NUMBER[named.group(1).lower()]
    pairs = [(_WEEKDAY_NUMBER[m["wd"].lower()], m["d"], m["mo"]) for m in _WEEKDAY_DATE.finditer(text)]
    return _latest_fitting_year(day, month, weekday, pairs)


def _latest_fitting_year(
    day: str, month: str, weekday: int, pairs: list[tuple[int, str, str]] = (), years: Iterable[int] | None = None
) -> int | None:
    """The latest year up to today (ten back at most, or of ``years``) putting ``day month`` on ``weekday``.

    Every (weekday, day, month) of ``pairs`` must fall on its weekday that year too.
    """
    for y in years if years is not None else range(today().year, today().year - 11, -1):
        date = _parse(f"{day} {month} {y}")
        if date is None or date > today() or date.weekday() != weekday:
            continue
        if all((got := _parse(f"{d} {mo} {y}")) is not None and got.weekday() == wd for wd, d, mo in pairs):
            return y
    return None


def numeric_date(m: re.Match[str], *, french: bool, month_first: bool = False) -> dt.date | None:
    """The date of "22/01/2025": day first, unless only month first makes sense; None when ambiguous in English.

    ``month_first``: a US line ("04:54 PM EST, 11/10/2025"), month first unless only day first makes sense.
    """
    a, b, y = int(m["a"]), int(m["b"]), int(m["y"])
    if a <= 12 and b <= 12 and a != b and not french and not month_first:
        return None  # "03/04/2025" in English: March or April
    day, month = (b, a) if b > 12 or (month_first and a <= 12) else (a, b)
    try:
        return dt.date(y, month, day)
    except ValueError:
        return None
