"""Month and weekday names, French and English, from ``dateparser``'s own language data, and their parsing."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

import dateparser
from dateparser.languages.loader import default_loader

LANGUAGES = ("fr", "en")


def _names(keys: tuple[str, ...], min_len: int) -> list[str]:
    names: set[str] = set()
    for lang in LANGUAGES:
        info = default_loader.get_locale(lang).info
        for key in keys:
            names |= {n for n in info[key] if len(n) >= min_len}
    return sorted(names, key=len, reverse=True)


_MONTH_KEYS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
               "november", "december")  # fmt: skip
_DAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = _names(_MONTH_KEYS, 3)
_WEEKDAYS = _names(_DAY_KEYS, 5)
_M = "(?P<month>" + "|".join(re.escape(n) for n in _MONTHS) + r")(?![\w])(?:\.(?=\s\d))?"
_W = "(?P<wd>" + "|".join(re.escape(n) for n in _WEEKDAYS) + r")(?![\w])"
_YEAR = r"(?P<year>(?:19|20)\d\d)(?!\d)"
_I = re.IGNORECASE


@cache
def _parse(text: str) -> dt.date | None:
    got = dateparser.parse(text, languages=list(LANGUAGES), settings={"REQUIRE_PARTS": ["day", "month", "year"]})
    return got.date() if got else None


@cache
def _month_number(name: str) -> int:
    got = dateparser.parse(f"1 {name} 2001", languages=list(LANGUAGES))
    if got is None:  # pragma: no cover - names come from dateparser's own data
        raise ValueError(name)
    return got.month


@cache
def _weekday(name: str) -> int:
    got = dateparser.parse(name, languages=list(LANGUAGES), settings={"RELATIVE_BASE": dt.datetime(2001, 1, 10)})
    if got is None:  # pragma: no cover
        raise ValueError(name)
    return got.weekday()


def month_number(name: str) -> int:
    """The month (1-12) of a French or English month name."""
    return _month_number(name.rstrip("."))


def month_pattern() -> str:
    """The regular expression of a month name, as group ``month``."""
    return _M


# the patterns, as the other date modules use them
MONTH, WEEKDAY, YEAR, WEEKDAY_NAMES = _M, _W, _YEAR, _WEEKDAYS
parse_date, month_index, weekday_index = _parse, _month_number, _weekday


# German month names, for a feed reader's date line over a French or English story ("26. Juli 2024 um 09:12")
_GERMAN_MONTHS = sorted(
    {n for k in _MONTH_KEYS for n in default_loader.get_locale("de").info[k]}, key=len, reverse=True
)
GERMAN_MONTH = "(?P<mo>" + "|".join(re.escape(n) for n in _GERMAN_MONTHS) + r")\.?(?![\w])"


@cache
def parse_german_date(text: str) -> dt.date | None:
    """A German date ("26 Juli 2024"), or None."""
    got = dateparser.parse(text, languages=["de"], settings={"REQUIRE_PARTS": ["day", "month", "year"]})
    return got.date() if got else None
