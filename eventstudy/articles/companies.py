"""Company and index names → tickers, with each ticker's exchange and benchmark.

The table is ``data/companies.csv``: the constituents of the S&P 500, Nasdaq-100,
Nikkei 225, CAC 40, DAX, FTSE 100 and Euro Stoxx 50 (936 companies), built by
``scripts/build_companies.py`` from ``pytickersymbols`` with the reviewed corrections
in ``data/corrections.csv``. Each row gives the Yahoo symbol of the company's
primary listing, its exchange_calendars code and its home-market benchmark.
``INDICES`` adds the market indices articles quote ("S&P 500", "Nasdaq",
"Nikkei", "CAC 40"…): a move of an index is a *benchmark claim*, checked
against the index itself, never given to a stock.

Names match without regard to case but must start with a capital in the text
("Arm", not "arm"). A name two companies share is *ambiguous*: the table
resolves it by the primary-listing rule and says so (``CompanyTable.review``);
a capitalised name the table does not know is listed, never guessed. Extra
names come through ``CompanyTable(extra_aliases, extra_listings)`` (the CLI's
``--alias NAME=TICKER[:EXCHANGE:BENCHMARK]``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from eventstudy.articles.notation import Notation, notations
from eventstudy.spec.types import Security

DATA = Path(__file__).parent / "data"


# a ticker's listing (exchange, benchmark, display name, index or not) is the study's Security:
# the table's entries are the [[securities]] a draft writes; Listing is the name it has here
Listing = Security


# market indices as articles name them → (symbol, exchange, display name)
INDEX_NAMES: dict[str, tuple[str, str, str]] = {
    "S&P 500": ("^GSPC", "XNYS", "S&P 500"),
    "S&P-500": ("^GSPC", "XNYS", "S&P 500"),
    "Standard & Poor's 500": ("^GSPC", "XNYS", "S&P 500"),
    "Standard & Poor's-500": ("^GSPC", "XNYS", "S&P 500"),
    "S&P": ("^GSPC", "XNYS", "S&P 500"),
    "Nasdaq Composite": ("^IXIC", "XNAS", "Nasdaq Composite"),
    "Nasdaq": ("^IXIC", "XNAS", "Nasdaq Composite"),
    "Nasdaq-100": ("^NDX", "XNAS", "Nasdaq-100"),
    "Nasdaq 100": ("^NDX", "XNAS", "Nasdaq-100"),
    "Dow Jones": ("^DJI", "XNYS", "Dow Jones Industrial Average"),
    "Dow Jones Industrial Average": ("^DJI", "XNYS", "Dow Jones Industrial Average"),
    "Dow": ("^DJI", "XNYS", "Dow Jones Industrial Average"),  # "the Dow" only (see _AFTER_THE)
    "DJIA": ("^DJI", "XNYS", "Dow Jones Industrial Average"),
    "Nikkei 225": ("^N225", "XTKS", "Nikkei 225"),
    "Nikkei": ("^N225", "XTKS", "Nikkei 225"),
    "Topix": ("TOPIX", "XTKS", "TOPIX (JPX series; Yahoo has no usable ^TPX)"),
    "CAC 40": ("^FCHI", "XPAR", "CAC 40"),
    "DAX": ("^GDAXI", "XETR", "DAX"),
    "FTSE 100": ("^FTSE", "XLON", "FTSE 100"),
    "Euro Stoxx 50": ("^STOXX50E", "XETR", "Euro Stoxx 50"),
    "Stoxx 600": ("^STOXX", "XETR", "Stoxx Europe 600"),
    "Stoxx Europe 600": ("^STOXX", "XETR", "Stoxx Europe 600"),
    "Tokyo's benchmark": ("^N225", "XTKS", "Nikkei 225"),  # AP's "Tokyo's benchmark jumped 3.5%"
    "Bourse de Tokyo": ("^N225", "XTKS", "Nikkei 225"),  # AFP's "La Bourse de Tokyo a terminé … de plus de 3%"
    "Tokyo's main index": ("^N225", "XTKS", "Nikkei 225"),
    "Hang Seng": ("^HSI", "XHKG", "Hang Seng"),
    "Hong Kong's benchmark": ("^HSI", "XHKG", "Hang Seng"),
    "Seoul's benchmark": ("^KS11", "XKRX", "KOSPI"),
    "Kospi": ("^KS11", "XKRX", "KOSPI"),
    "Russell 2000": ("^RUT", "XNYS", "Russell 2000"),
}


# exchange-traded funds articles quote as a sector's move: name → (symbol, exchange, display name)
ETF_NAMES: dict[str, tuple[str, str, str]] = {
    "VanEck Semiconductor ETF": ("SMH", "XNAS", "VanEck Semiconductor ETF"),
    "SMH": ("SMH", "XNAS", "VanEck Semiconductor ETF"),
    "ETF VanEck Semiconductor": ("SMH", "XNAS", "VanEck Semiconductor ETF"),  # French word order
    "VanEck Semiconductor": ("SMH", "XNAS", "VanEck Semiconductor ETF"),
    "ETF iShares Semiconductor": ("SOXX", "XNAS", "iShares Semiconductor ETF"),
    "iShares Semiconductor ETF": ("SOXX", "XNAS", "iShares Semiconductor ETF"),
    "iShares Semiconductor": ("SOXX", "XNAS", "iShares Semiconductor ETF"),  # "le fonds iShares Semiconductor"
    "VanEck Vectors Semiconductor ETF": ("SMH", "XNAS", "VanEck Semiconductor ETF"),
    "SOXX": ("SOXX", "XNAS", "iShares Semiconductor ETF"),
    "Invesco QQQ Trust": ("QQQ", "XNAS", "Invesco QQQ Trust"),
    "Invesco QQQ": ("QQQ", "XNAS", "Invesco QQQ Trust"),
    "QQQ": ("QQQ", "XNAS", "Invesco QQQ Trust"),
    "SPDR S&P 500 ETF Trust": ("SPY", "XNYS", "SPDR S&P 500 ETF Trust"),
    "SPDR S&P 500 ETF": ("SPY", "XNYS", "SPDR S&P 500 ETF Trust"),
    "SPY": ("SPY", "XNYS", "SPDR S&P 500 ETF Trust"),
    "NEXT FUNDS TOPIX": ("1306.T", "XTKS", "NEXT FUNDS TOPIX ETF"),
    "NEXT FUNDS TOPIX ETF": ("1306.T", "XTKS", "NEXT FUNDS TOPIX ETF"),
    "Nomura's Topix ETF": ("1306.T", "XTKS", "NEXT FUNDS TOPIX ETF"),  # Nomura's TOPIX tracker is 1306.T
    "Topix de Nomura": ("1306.T", "XTKS", "NEXT FUNDS TOPIX ETF"),  # "le fonds indiciel Topix de Nomura"
}


@cache
def _table() -> tuple[dict[str, Security], dict[str, str], dict[str, str]]:
    listings: dict[str, Security] = {}
    aliases: dict[str, str] = {}
    review: dict[str, str] = {}
    with (DATA / "companies.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            listings[row["symbol"]] = Security(row["symbol"], row["exchange"], row["benchmark"], name=row["name"])
            for name in filter(None, row["aliases"].split("|")):
                aliases[name] = row["symbol"]
            for note in filter(None, row["review"].split("; ")):
                name, _, text = note.partition(": ")
                review[name.casefold()] = text
    for name, (symbol, exchange, display) in ETF_NAMES.items():
        bench = "^N225" if exchange == "XTKS" else "^GSPC"
        listings[symbol] = Security(symbol, exchange, bench, name=display)
        aliases[name] = symbol
    for name, (symbol, exchange, display) in INDEX_NAMES.items():
        listings[symbol] = Security(symbol, exchange, symbol, name=display, index=True)
        aliases[name] = symbol
    return listings, aliases, review


LISTINGS: dict[str, Security] = dict(_table()[0])
ALIASES: dict[str, str] = dict(_table()[1])

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
    "december porté portée portés soutenu soutenue plombé plombée tiré tirée à wall street bourse tokyo paris "
    "new york london londres francfort frankfurt u.s. chief president président analysts analystes "
    "germany germany's allemagne japan japan's japon france france's china china's chine europe europe's "
    "european européen européenne européens européennes american américain américaine asian asia asie "
    "britain britain's british britannique uk korea korean corée taiwan taïwan hong seoul séoul beijing pékin "
    "washington shanghai shenzhen amsterdam milan madrid zurich india inde investors investisseurs traders"
    " chipmakers japanese japonais japonaise french français française german allemand allemande chinese chinois"
    " chinoise taiwanese dutch néerlandais swiss suisse vers gmt utc et est edt cet cest jst heure among parmi dès"
    " poids actions action titres titre over during since until despite throughout amid even still yet so also"
    " nonetheless nevertheless indeed elsewhere overnight measured through peu one two three four five six seven"
    " eight nine ten eleven twelve right just shortly soon outside beyond across besides apart excluding hors côté"
    " markets marchés stocks usd eur jpy gbp chf cad ailleurs only seul seule"
    " un une deux trois quatre cinq six sept huit neuf dix onze douze"
)
_NOT_NAMES = frozenset(_STOPWORDS.split())
_SYMBOL_AS_NAME = re.compile(
    r"(?<![\w$&.:-])([A-Z]{3,5})(?=\s+(?:stock|shares|share price|closed|ended|finished|settled|rose|fell|gained"
    r"|lost|jumped|slipped|dropped|climbed|sank|slid|added|advanced|declined|surged|soared|tumbled|plunged|rallied"
    r"|was (?:up|down)|were (?:up|down))(?![\w]))"  # "VRT stock", "SMCI closed down 11.3%"
    r"|(?:(?<=l'action )|(?<=le titre ))([A-Z]{3,5})(?![\w.&-])"  # "le cours de l'action AVGO"
)
# symbols that are also words or other names ("NOW fell", "DOW closed": the index): never read as a name alone
_WORD_SYMBOLS = frozenset(
    ("ALL", "ARE", "BALL", "CAT", "COST", "DIS", "DOC", "DOW", "EXE", "FAST", "FIX", "GEN", "HAS", "ICE", "KEY",
     "KIM", "LEN", "LOW", "MAS", "MET", "NOW", "POOL", "REG", "ROL", "ROP", "SHOP", "SNA", "STE", "TAP", "TEAM",
     "TECH", "TEL", "USB", "WAT", "WELL")
)  # fmt: skip
_BARE_SYMBOL = re.compile(r"(?<![\w$&.:(|-])([A-Z]{3,5})(?![\w&.:-])")
# a name opening a sentence: all capitals, several capitalised words, or one word then a lowercase verb
_NAME_AT_START = re.compile(
    r"[A-Z0-9]{2,}\b|[A-ZÀ-Ý][\w&-]*\s+[A-Z]|[A-ZÀ-Ý][\w&-]*\s+[a-zà-ÿ]|[A-Z][a-z]+[A-Z]\w*"  # "OpenAI", "DeepSeek"
)
_AFTER_THE = {"dow"}  # index names that are the index only after "the"
_THE = re.compile(r"(?:the|The) $")
_WORD_START = re.compile(r"(?<![\w&])(?:[A-ZÀ-Ý0-9]|[a-z](?=[A-Z]))")
_PROPER = re.compile(r"(?<![\w])[A-ZÀ-Ý][\w&-]*(?:\s+[A-Z][\w&-]*)*")


@dataclass(frozen=True)
class CompanyMention:
    """A name in the text: ``ticker`` is empty for a name the table does not know."""

    start: int
    end: int
    name: str
    ticker: str


class CompanyTable:
    """The company table (plus extra entries) and its matcher."""

    def __init__(
        self,
        extra_aliases: Mapping[str, str] | None = None,
        extra_listings: Mapping[str, Security] | None = None,
    ) -> None:
        listings, aliases, review = _table()
        self.listings = dict(listings)
        for ticker, listing in (extra_listings or {}).items():
            if listing.exchange or ticker not in self.listings:  # keep a known listing's exchange
                self.listings[ticker] = listing
        merged = {**aliases, **(extra_aliases or {})}
        self.aliases = {k.casefold(): v for k, v in merged.items()}
        self.review = {k: v for k, v in review.items() if (extra_aliases or {}).get(k) is None}
        names = sorted(set(merged), key=len, reverse=True)
        self._memo: tuple[str, list[CompanyMention], list[Notation]] | None = None
        self._known = re.compile(
            r"(?<![\w&])(" + "|".join(re.escape(n) for n in names) + r")(?![\w&]|-\d|-[a-z])", re.I
        )

    def listing(self, ticker: str) -> Security:
        """The listing of a ticker (its study security); exchange and benchmark empty when unknown."""
        return self.listings.get(ticker, Security(ticker, "", "", name=ticker))

    def is_index(self, ticker: str) -> bool:
        """Whether ``ticker`` is a market index (a benchmark claim)."""
        return self.listing(ticker).index

    def note(self, name: str) -> str:
        """The review note of an ambiguous name ("" when it is not ambiguous)."""
        return self.review.get(name.casefold(), "")

    def known(self, text: str, start: int = 0, end: int | None = None) -> list[CompanyMention]:
        """Known company and index names in ``text[start:end]`` (capitalised in the text)."""
        stop = len(text) if end is None else end
        return [m for m in self._scan(text)[0] if start <= m.start and m.end <= stop]

    def _scan(self, text: str) -> tuple[list[CompanyMention], list[Notation]]:
        """Known names and ticker notations of a whole text, found once per text (one text at a time)."""
        if self._memo is None or self._memo[0] is not text:
            self._memo = (text, self._known_in(text), notations(text, self.listings))
        return self._memo[1], self._memo[2]

    def _known_in(self, text: str) -> list[CompanyMention]:
        marks = notations(text, self.listings)
        out = [CompanyMention(n.start, n.end, n.written, n.ticker) for n in marks if n.ticker]
        for n in marks:
            if n.note:
                self.review[n.written.casefold()] = n.note
        done = 0
        for word in _WORD_START.finditer(text):  # names start with a capital or a digit: try only there
            if word.start() < done or (m := self._known.match(text, word.start())) is None:
                continue
            done = m.end()
            name = m.group(1)
            if not name[0].isupper() and not name[0].isdigit() and not name[1:2].isupper():  # "iShares", "eBay"
                continue
            if any(n.start <= m.start(1) < n.end for n in marks):
                continue  # "NASDAQ" in "(NASDAQ:NVDA)" is the market, not the index
            ticker = self.aliases.get(name.casefold(), "")
            if name.casefold() in _AFTER_THE and not _THE.search(text, max(0, m.start(1) - 4), m.start(1)):
                continue  # "the Dow" is the index; "Dow (-2,13 %)" alone is Dow Inc.
            if ticker:
                out.append(CompanyMention(m.start(1), m.end(1), name, ticker))
        out += [
            CompanyMention(m.start(g), m.end(g), m[g], m[g])
            for m in _SYMBOL_AS_NAME.finditer(text)
            if m[g := 1 if m[1] else 2] in self.listings
            and m[g] not in _WORD_SYMBOLS
            and not any(n.start <= m.start(g) < n.end for n in out)
        ]  # "VRT stock sank", "NVDA shares", "SMCI closed": a US symbol written as the name
        named = {c.ticker for c in out}
        out += [
            CompanyMention(m.start(1), m.end(1), m[1], m[1])
            for m in _BARE_SYMBOL.finditer(text)
            if m[1] in named and m[1] in self.listings and not any(n.start <= m.start(1) < n.end for n in out)
        ]  # "ORCL was down 39%" in an article that names Oracle: its symbol alone
        return sorted(out + self._short_names(text, out), key=lambda c: c.start)

    def _short_names(self, text: str, named: list[CompanyMention]) -> list[CompanyMention]:
        """A full name's first word, read in this article only.

        In an article that named the company in full ("Constellation Energy … Constellation shares"): the
        short name the table leaves out as ambiguous.
        """
        firsts: dict[str, set[str]] = {}
        for m in named:
            words = m.name.split()
            if len(words) > 1 and len(words[0]) >= 4 and words[0].casefold() not in _NOT_NAMES:
                firsts.setdefault(words[0], set()).add(m.ticker)
        out = []
        for word, tickers in firsts.items():
            if len(tickers) > 1 or word.casefold() in self.aliases:
                continue  # two companies of the article share it, or it is a name of its own
            (ticker,) = tickers
            for w in re.finditer(rf"(?<![\w&]){re.escape(word)}(?![\w&-])(?!\s+[A-Z])", text):
                if not any(n.start <= w.start() < n.end for n in named):
                    out.append(CompanyMention(w.start(), w.end(), word, ticker))
        return out

    def unknown(self, text: str, start: int, end: int, sentence_start: int) -> list[CompanyMention]:
        """Capitalised names in ``text[start:end]`` the table does not know.

        Common words (articles, pronouns, weekdays, months, places…) are
        skipped; a word opening the sentence counts when it is all capitals
        ("VIRTUAL a augmenté"), starts a multi-word name ("Acme Corp") or is
        followed by a lowercase word ("Rivian a bondi").
        """
        out = []
        known = self.known(text, start, end)
        marks = [n for n in self._scan(text)[1] if start <= n.start and n.end <= end]
        taken = bytearray(end - start)  # the characters a known name or a mark covers: one look per candidate
        for k in [*known, *marks]:  # both lie within start..end
            taken[k.start - start : k.end - start] = b"\x01" * (k.end - k.start)
        for m in _PROPER.finditer(text, start, end):
            name = m.group().strip()
            if taken.find(1, m.start() - start, m.end() - start) != -1:
                continue
            first = name.split()[0]
            if first.casefold() in _NOT_NAMES or len(name) < 2:
                continue
            if m.start() == sentence_start and not _NAME_AT_START.match(text, m.start()):
                continue
            if m.start() == sentence_start and re.fullmatch(r"[A-Z][a-z]+ing", first):
                continue  # "Counting the 12 months through Thursday, …", "Counting Tuesday's jump": a participle
            after = _TICKER_AFTER.match(text, m.start() + len(name))
            if after and any(after.start() < k.start < after.end() for k in known):
                continue  # "iShares Semiconductor (SOXX)": the known ticker in parentheses names it
            out.append(CompanyMention(m.start(), m.start() + len(name), name, ""))
        return out


_TICKER_AFTER = re.compile(r"\s*\(\s*(?:[A-Z]+\s*:\s*)?[A-Z0-9.^]{1,8}\s*\)")


def parse_alias(spec: str) -> tuple[str, Security]:
    """Parse ``NAME=TICKER[:EXCHANGE:BENCHMARK]`` (the CLI's ``--alias``).

    Examples
    --------
    >>> name, listing = parse_alias("Tesla=TSLA:XNAS:^GSPC")
    >>> name, listing.ticker, listing.exchange, listing.benchmark
    ('Tesla', 'TSLA', 'XNAS', '^GSPC')
    """
    name, sep, rest = spec.partition("=")
    parts = rest.split(":")
    if not sep or not name.strip() or not parts[0].strip() or len(parts) not in (1, 3):
        raise ValueError(
            f"{spec!r}: expected NAME=TICKER or NAME=TICKER:EXCHANGE:BENCHMARK (e.g. Tesla=TSLA:XNAS:^GSPC)"
        )
    ticker = parts[0].strip()
    exchange, benchmark = (parts[1].strip(), parts[2].strip()) if len(parts) == 3 else ("", "")
    return name.strip(), Security(ticker, exchange, benchmark, name=name.strip())


def masked_names(segment: str, start: int, mentions: list) -> str:
    """``segment`` (from ``start`` in the text) with the names of ``mentions`` masked ("Xxxxxxxx Xxxxx").

    Symbols are kept; a name still reads as a name, and none of its words as a verb or a measure noun.
    """
    chars = list(segment)
    for m in mentions:
        lo, hi = max(m.start - start, 0), min(m.end - start, len(segment))
        if lo < hi and any(c.islower() for c in segment[lo:hi]):
            chars[lo:hi] = ["X" if c.isupper() else "x" if c.isalpha() else c for c in segment[lo:hi]]
    return "".join(chars)
