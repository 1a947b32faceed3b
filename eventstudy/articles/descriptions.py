"""Descriptions instead of names: "the chipmaker", "Le géant du logiciel", "le groupe japonais".

``data/descriptions.csv`` says which companies each description fits, by
ticker or by home exchange. A description goes to the one company of the
article that fits it; when none or several fit, it goes to no one and the
figure is listed for review (never given to another company).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache

from eventstudy.articles.companies import DATA, CompanyMention, CompanyTable


@dataclass(frozen=True)
class Description:
    """A description's words and the companies it fits."""

    words: re.Pattern[str]
    tickers: frozenset[str]
    exchanges: frozenset[str]

    def fits(self, ticker: str, table: CompanyTable) -> bool:
        """Whether the description fits a company."""
        return "*" in self.tickers or ticker in self.tickers or table.listing(ticker).exchange in self.exchanges


@cache
def descriptions() -> tuple[Description, ...]:
    """The descriptions of ``data/descriptions.csv``."""
    with (DATA / "descriptions.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    if any(None in r for r in rows):  # a comma inside a pattern: quote the field
        raise ValueError(f"{DATA / 'descriptions.csv'}: a row has more than 3 fields")
    return tuple(
        Description(
            re.compile(rf"(?<![\w])(?:{r['words']})(?![\w])", re.IGNORECASE),
            frozenset(filter(None, r["tickers"].split("|"))),
            frozenset(filter(None, r["exchanges"].split("|"))),
        )
        for r in rows
    )


def description_spans(text: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of every description in ``text[lo:hi]``, each row read on the original words."""
    hi = len(text) if hi is None else hi
    return [(m.start(), m.end()) for d in descriptions() for m in d.words.finditer(text, lo, hi)]


def blank_descriptions(words: str) -> str:
    """``words`` with every description blanked (offsets kept): its nouns name no measure.

    "Le géant japonais de l'investissement SoftBank": "investissement" is no metric here.
    """
    chars = list(words)
    for s, e in description_spans(words):  # "le géant japonais" and "… de l'investissement" both
        if tail := _COMPLEMENT.match(words, e):  # "le groupe japonais d'investissement": the complement too
            e = tail.end()
        chars[s:e] = " " * (e - s)
    return "".join(chars)


# a description's noun complement: "d'investissement", "de l'investissement", "des semi-conducteurs"
_COMPLEMENT = re.compile(r"(?:\s*(?:de la |de l['’]|d['’]|de |du |des )[\w-]+)+", re.IGNORECASE)


def described(words: str, every: list[CompanyMention], table: CompanyTable) -> tuple[str, list[CompanyMention]]:
    """(the description found in ``words``, the article's companies it fits); ("", []) when there is none."""
    for d in descriptions():
        if m := d.words.search(words):
            fit = {c.ticker: c for c in every if c.ticker and not table.is_index(c.ticker) and d.fits(c.ticker, table)}
            return m.group(), list(fit.values())
    return "", []
