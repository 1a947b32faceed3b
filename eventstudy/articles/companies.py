"""Company names and aliases → tickers, with each ticker's exchange and benchmark.

``ALIASES`` maps a name as articles write it (matched without regard to
case, but it must start with a capital in the text: "Arm", not "arm") to a
ticker; ``LISTINGS`` gives each ticker's display name, exchange_calendars
code and benchmark, which :func:`eventstudy.articles.draft_study` writes
into the study's ``[[securities]]``. Both are plain dicts: extend them, or
pass more through ``CompanyTable(extra_aliases, extra_listings)`` (the CLI's
``--alias NAME=TICKER[:EXCHANGE:BENCHMARK]``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Listing:
    """Where a ticker trades and what it is compared with."""

    ticker: str
    name: str
    exchange: str = ""  # exchange_calendars code; empty when unknown (the reviewer fills it in)
    benchmark: str = ""


LISTINGS: dict[str, Listing] = {
    "ORCL": Listing("ORCL", "Oracle", "XNYS", "^GSPC"),
    "NVDA": Listing("NVDA", "Nvidia", "XNAS", "^GSPC"),
    "ARM": Listing("ARM", "Arm Holdings", "XNAS", "^GSPC"),
    "9984.T": Listing("9984.T", "SoftBank Group", "XTKS", "^N225"),
    "MSFT": Listing("MSFT", "Microsoft", "XNAS", "^GSPC"),
    "AMD": Listing("AMD", "AMD", "XNAS", "^GSPC"),
    "AVGO": Listing("AVGO", "Broadcom", "XNAS", "^GSPC"),
    "SMCI": Listing("SMCI", "Super Micro Computer", "XNAS", "^GSPC"),
    "VRT": Listing("VRT", "Vertiv", "XNYS", "^GSPC"),
    "CEG": Listing("CEG", "Constellation Energy", "XNAS", "^GSPC"),
    "AAPL": Listing("AAPL", "Apple", "XNAS", "^GSPC"),
    "AMZN": Listing("AMZN", "Amazon", "XNAS", "^GSPC"),
    "GOOGL": Listing("GOOGL", "Alphabet", "XNAS", "^GSPC"),
    "META": Listing("META", "Meta Platforms", "XNAS", "^GSPC"),
    "TSLA": Listing("TSLA", "Tesla", "XNAS", "^GSPC"),
    "INTC": Listing("INTC", "Intel", "XNAS", "^GSPC"),
    "TSM": Listing("TSM", "TSMC", "XNYS", "^GSPC"),
}

ALIASES: dict[str, str] = {
    "Oracle": "ORCL",
    "Nvidia": "NVDA",
    "Arm": "ARM",
    "Arm Holdings": "ARM",
    "SoftBank": "9984.T",
    "SoftBank Group": "9984.T",
    "SoftBank Group Corp": "9984.T",
    "groupe SoftBank": "9984.T",
    "Microsoft": "MSFT",
    "AMD": "AMD",
    "Advanced Micro Devices": "AMD",
    "Broadcom": "AVGO",
    "Super Micro": "SMCI",
    "Supermicro": "SMCI",
    "Super Micro Computer": "SMCI",
    "Vertiv": "VRT",
    "Constellation Energy": "CEG",
    "Apple": "AAPL",
    "Amazon": "AMZN",
    "Alphabet": "GOOGL",
    "Google": "GOOGL",
    "Meta": "META",
    "Tesla": "TSLA",
    "Intel": "INTC",
    "TSMC": "TSM",
}

# capitalised words that start sentences or name no company
_STOPWORDS = (
    "le la les l un une des de du d au aux et ou mais par pour selon après avant alors ainsi cependant "
    "toutefois ce cet cette ces son sa ses leur leurs il elle ils elles on nous vous je en dans sur sous avec "
    "sans chez lors depuis comme donc or ni car aujourd hier d'après the a an and or but by for after before "
    "as in on at of to with from this that these those its their his her it they we he she meanwhile however "
    "while shares stock ia ai pdg ceo usa us etats-unis états-unis environ près presque plus moins outre malgré "
    "puis ensuite enfin aussi même dont où quand si lundi mardi mercredi jeudi vendredi samedi dimanche monday "
    "tuesday wednesday thursday friday saturday sunday janvier février mars avril mai juin juillet août septembre "
    "octobre novembre décembre january february march april may june july august september october november "
    "december"
)
_NOT_NAMES = frozenset(_STOPWORDS.split())
# a name opening a sentence: all capitals, several capitalised words, or one word then a lowercase verb
_NAME_AT_START = re.compile(r"[A-Z0-9]{2,}\b|[A-ZÀ-Ý][\w&-]*\s+[A-Z]|[A-ZÀ-Ý][\w&-]*\s+[a-zà-ÿ]")
_PROPER = re.compile(r"(?<![\w])[A-ZÀ-Ý][\w&-]*(?:\s+[A-Z][\w&-]*)*")


@dataclass(frozen=True)
class CompanyMention:
    """A name in the text: ``ticker`` is empty for a name the table does not know."""

    start: int
    end: int
    name: str
    ticker: str


class CompanyTable:
    """The alias table (module defaults plus extra entries) and its matcher."""

    def __init__(
        self,
        extra_aliases: Mapping[str, str] | None = None,
        extra_listings: Mapping[str, Listing] | None = None,
    ) -> None:
        self.listings = dict(LISTINGS)
        for ticker, listing in (extra_listings or {}).items():
            if listing.exchange or ticker not in self.listings:  # keep a known listing's exchange
                self.listings[ticker] = listing
        aliases = {**ALIASES, **(extra_aliases or {})}
        self.aliases = {k.casefold(): v for k, v in aliases.items()}
        names = sorted({*aliases, *self.listings}, key=len, reverse=True)
        self._known = re.compile(r"(?<![\w])(" + "|".join(re.escape(n) for n in names) + r")(?![\w])", re.IGNORECASE)

    def listing(self, ticker: str) -> Listing:
        """The listing of a ticker; exchange and benchmark empty when unknown."""
        return self.listings.get(ticker, Listing(ticker, ticker))

    def known(self, text: str, start: int = 0, end: int | None = None) -> list[CompanyMention]:
        """Known company names in ``text[start:end]`` (capitalised in the text)."""
        out = []
        for m in self._known.finditer(text, start, len(text) if end is None else end):
            name = m.group(1)
            if not name[0].isupper():
                continue
            ticker = self.aliases.get(name.casefold()) or (name if name in self.listings else "")
            if ticker:
                out.append(CompanyMention(m.start(1), m.end(1), name, ticker))
        return out

    def unknown(self, text: str, start: int, end: int, sentence_start: int) -> list[CompanyMention]:
        """Capitalised names in ``text[start:end]`` the table does not know.

        Common words (articles, pronouns, weekdays, months…) are skipped; a
        word opening the sentence counts when it is all capitals ("VIRTUAL a
        augmenté"), starts a multi-word name ("Acme Corp") or is followed
        by a lowercase word ("Rivian a bondi").
        """
        out = []
        known = self.known(text, start, end)
        for m in _PROPER.finditer(text, start, end):
            name = m.group().strip()
            if any(k.start < m.end() and m.start() < k.end for k in known):
                continue
            first = name.split()[0]
            if first.casefold() in _NOT_NAMES or len(name) < 2:
                continue
            if m.start() == sentence_start and not _NAME_AT_START.match(text, m.start()):
                continue
            out.append(CompanyMention(m.start(), m.start() + len(name), name, ""))
        return out


def parse_alias(spec: str) -> tuple[str, Listing]:
    """Parse ``NAME=TICKER[:EXCHANGE:BENCHMARK]`` (the CLI's ``--alias``).

    Examples
    --------
    >>> parse_alias("Tesla=TSLA:XNAS:^GSPC")
    ('Tesla', Listing(ticker='TSLA', name='Tesla', exchange='XNAS', benchmark='^GSPC'))
    """
    name, sep, rest = spec.partition("=")
    parts = rest.split(":")
    if not sep or not name.strip() or not parts[0].strip() or len(parts) not in (1, 3):
        raise ValueError(
            f"{spec!r}: expected NAME=TICKER or NAME=TICKER:EXCHANGE:BENCHMARK (e.g. Tesla=TSLA:XNAS:^GSPC)"
        )
    ticker = parts[0].strip()
    exchange, benchmark = (parts[1].strip(), parts[2].strip()) if len(parts) == 3 else ("", "")
    return name.strip(), Listing(ticker, name.strip(), exchange, benchmark)
