"""Percentages in article text: reported stock moves, and everything else.

For each percentage ("7 %", "2,3 %", "+104,82 %", "fell 3%") the words
before it back to the previous figure of the sentence (its *segment*) and a
few words after it decide what it is:

1. A measure named right after it ("40 % du capital", "of revenue") or a
   period ("sur un an", "this year") makes it an *other figure*.
2. Else the noun nearest before it decides: a price word ("cours",
   "titre", "shares", "Bourse") or none means a price; "revenus",
   "valorisation", "part de marché", "secteur", "tokens"… make it an other
   figure.
3. It needs a direction: a movement verb or noun ("a grimpé", "a chuté",
   "fell", "en hausse de") or a written sign ("+2,3 %"); down verbs make
   the figure negative.
4. Its subject is the nearest company name before it; a name the alias
   table does not know makes an other figure (listed as an unknown
   company, or a token when the article speaks of crypto).

A segment with no verb and no noun of its own ("…, Nvidia de 2,3 %")
shares the verb, the measure, and the session words of the previous figure
in the sentence; one with no company shares its company.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from eventstudy.articles.companies import CompanyTable
from eventstudy.articles.records import CandidateClaim, DateMention, OtherFigure
from eventstudy.articles.text import Article

_I = re.IGNORECASE
FIGURE = re.compile(
    r"(?<![\w.,+\-])(?P<sign>[+-] ?)?(?P<num>\d+(?:[.,]\d+)?)\s{0,2}(?:%|pour ?cent\b|per ?cent\b|percent\b)", _I
)
_NOUNS = {
    "price": r"cours|titres?|actions?|shares?|stocks?|share price|bourse|séance|session|trading",
    "stake": r"capital|participation|stake|détien\w*|contrôl\w*|holds?|owns?|owned|actionnaires?|shareholders?",
    "valuation": r"valorisation|valuation|valued|valoris\w+",
    "market share": r"parts? de marché|market share",
    "metric": r"revenus?|chiffre d'affaires|ventes|bénéfices?|profits?|résultats?|marges?|revenues?|sales|earnings"
    r"|income|volumes?|capitalisation|market cap\w*|dépenses|investissements?|emplois|effectifs|inflation|taux"
    r"|PIB|GDP|croissance|growth|dividendes?|dividends?",
    "sector": r"secteur|sector|indices?|index|Nasdaq|S&P(?: 500)?|Dow Jones|CAC 40|Nikkei|Topix|Stoxx|DAX|FTSE",
    "crypto": r"tokens?|jetons?|crypto\w*|bitcoin|memecoins?|protocole|protocol|blockchain",
}
_NOUN = re.compile("|".join(rf"(?P<{k.replace(' ', '_')}>(?<![\w])(?:{v})(?![\w]))" for k, v in _NOUNS.items()), _I)
_AFTER = re.compile(
    r"^\s*(?:(?:du|de la|de l'|des|de son|de sa|de ses|de leur|de|of (?:its|the|their)?)\s*)?"
    r"(?P<what>capital|parts?|stake|revenus?|chiffre|ventes|capitalisation|voix|revenue|sales|company|société"
    r"|indices?|index|secteur|sector|marché|market)\b",
    _I,
)
_AFTER_KIND = {"capital": "stake", "part": "market share", "parts": "market share", "stake": "stake",
               "company": "stake", "société": "stake", "voix": "stake", "indice": "sector", "indices": "sector",
               "index": "sector", "secteur": "sector", "sector": "sector", "marché": "market share",
               "market": "market share"}  # fmt: skip
_PERIOD = re.compile(
    r"(?<![\w])(?:sur (?:un an|douze mois|12 mois|l'année|cinq ans|\d+ (?:ans|mois|semaines))|en un an|depuis le début "
    r"de l'année|depuis (?:janvier|le début)|cette année|year[- ]to[- ]date|this year|over the (?:past|last) \w+"
    r"|so far this year|since the start of the year|in (?:19|20)\d\d|en (?:19|20)\d\d)(?![\w])",
    _I,
)
_UP = (
    r"grimp\w*|augment\w*|gagn\w*|bondi\w*|s'envol\w*|envol\w*|mont(?:é|ée|és|ées|e|ent|ant)|progress\w*|hausse"
    r"|rebond\w*|avanc(?:é|e|ent|ant)|s'appréci\w*|flamb\w*|décoll\w*|pris|rose|rises?|risen|rising|gain\w*"
    r"|jump\w*|climb\w*|surg\w*|soar\w*|rall\w*|advanc\w*|up|increas\w*|spik\w*|leap\w*|added|higher"
)
_DOWN = (
    r"chut\w*|baiss\w*|recul\w*|perd\w*|plong\w*|déviss\w*|repli\w*|céd(?:é|e|ant|ait)|lâch\w*|dégringol\w*"
    r"|décroch\w*|gliss\w*|effondr\w*|diminu\w*|fell|falls?|fallen|falling|drop\w*|declin\w*|slid\w*|slip\w*"
    r"|slump\w*|plung\w*|tumbl\w*|sank|sinks?|sinking|lost|los(?:e|es|ing)|down|tank\w*|crash\w*|shed\w*|lower"
    r"|decreas\w*|dipp\w*"
)
_MOVE = re.compile(rf"(?<![\w])(?:(?P<up>{_UP})|(?P<down>{_DOWN}))(?![\w])", _I)
_APPROX = re.compile(
    r"(?<![\w])(?:environ|quelques?|près de|presque|autour de|approximativement|à peu près|plus de|about|around"
    r"|roughly|nearly|almost|approximately|some|close to|more than|over)(?![\w])\W*$|~\s*$",
    _I,
)
_TIMING_WORDS = [
    ("midday", re.compile(r"(?<![\w])(?:midi|mi-séance|mi-journée|midday|noon|lunch)(?![\w])", _I)),
    ("open", re.compile(r"à l'ouverture|en début de séance|at the open|in early trading|at the opening", _I)),
    ("intraday", re.compile(r"en (?:cours de )?séance|intraday|during (?:the )?(?:session|trading)", _I)),
    ("close", re.compile(r"à la clôture|at the close|closed|a clôturé|a terminé|finished", _I)),
]
_KIND_TEXT = {"stake": "a stake in a company's capital", "valuation": "a valuation", "market share": "a market share",
              "metric": "a company or market metric (revenue, volume, capitalisation…)",
              "sector": "a sector or index move", "crypto": "a crypto token's move"}  # fmt: skip
_POSSESSIVE = re.compile(r"(?<![\w])(?:son|sa|ses|leur|leurs|its|their)(?![\w])", _I)
_BREAK = re.compile(r"[,;:()]")
_PROPER_WORD = re.compile(r"(?<![\w])[A-ZÀ-Ý][\w&-]+")
CRYPTO_ARTICLE = re.compile(r"(?<![\w])(?:tokens?|jetons?|crypto\w*|memecoins?|blockchain)(?![\w])", _I)


@dataclass
class _Context:
    """What a figure passes on to the next one in its sentence."""

    kind: str | None = None
    direction: str = ""
    verb: str = ""
    subject: tuple[str, str] | None = None  # (name, ticker)
    carried: bool = False  # subject carried over from the previous sentence
    session: DateMention | None = None
    timing: str = ""


def find_moves(
    article: Article, spans: list[tuple[int, int]], table: CompanyTable, dates: list[DateMention]
) -> tuple[list[CandidateClaim], list[OtherFigure], set[int]]:
    """Stock claims, other figures, and the offsets of dates used as claim sessions."""
    text, raw = article.text, article.raw
    crypto_article = bool(CRYPTO_ARTICLE.search(text))
    claims: list[CandidateClaim] = []
    others: list[OtherFigure] = []
    used: set[int] = set()
    last_company: tuple[str, str] | None = None  # for "son action" in the next sentence
    for a, b in spans:
        figures = list(FIGURE.finditer(text, a, b))
        prev = _Context(subject=last_company, carried=True)
        for i, fig in enumerate(figures):
            seg_start = figures[i - 1].end() if i else a
            ahead_end = min(figures[i + 1].start() if i + 1 < len(figures) else b, fig.end() + 60)
            segment, ahead = text[seg_start : fig.start()], text[fig.end() : ahead_end]
            value = float(fig["num"].replace(",", "."))
            ctx = _classify(segment, ahead, fig, prev, text, seg_start, a, table)
            ctx.session, ctx.timing = _session(dates, seg_start, fig, ahead_end, prev, ahead, segment)
            record = dict(source=article.source, offset=a, quote=raw[a:b], figure_offset=fig.start())
            figure = raw[fig.start() : fig.end()]
            kind, reason = _verdict(ctx, ahead, segment, crypto_article, signed=bool(fig["sign"]))
            sign = (fig["sign"] or "").strip()
            signed = -value if sign == "-" or (not sign and ctx.direction == "down") else value
            if kind:
                name = ctx.subject[0] if ctx.subject else ""
                others.append(OtherFigure(signed, figure, kind, reason, name, **record))  # type: ignore[arg-type]
            else:
                assert ctx.subject is not None
                s = ctx.session
                claims.append(
                    CandidateClaim(
                        ticker=ctx.subject[1], company=ctx.subject[0], reported_percent=signed, figure=figure,
                        approximate=bool(_APPROX.search(segment[-30:])), verb=ctx.verb,
                        session=s.date if s else None, timing=ctx.timing or "close",
                        day_words=s.words if s else "", day_reference=s.reference if s else None,
                        day_reference_from=s.reference_from if s else "", **record,  # type: ignore[arg-type]
                    )
                )  # fmt: skip
                if s is not None:
                    used.add(s.offset)
            prev = ctx
        if known := table.known(text, a, b):
            last_company = (known[-1].name, known[-1].ticker)
    return _dedupe(claims), others, used


def _classify(
    segment: str, ahead: str, fig: re.Match[str], prev: _Context, text: str, seg_start: int, a: int, table: CompanyTable
) -> _Context:
    ctx = _Context()
    scope = seg_start + _scope(segment, table)
    nouns = list(_NOUN.finditer(text, scope, fig.start()))
    moves = list(_MOVE.finditer(segment))
    if nouns:
        ctx.kind = next(k for k, v in nouns[-1].groupdict().items() if v).replace("_", " ")
    elif not moves and prev.kind not in ("sector", "crypto"):
        ctx.kind = prev.kind  # "…, Nvidia de 2,3 %" shares the measure
    if moves:
        ctx.verb, ctx.direction = moves[-1].group(), "up" if moves[-1]["up"] else "down"
    elif m := _MOVE.match(ahead.lstrip()[:15]):  # "3% higher"
        ctx.verb, ctx.direction = m.group(), "up" if m["up"] else "down"
    elif prev.verb and not nouns:
        ctx.verb, ctx.direction = prev.verb, prev.direction
    if known := table.known(text, seg_start, fig.start()):
        ctx.subject = (known[-1].name, known[-1].ticker)
        return ctx
    for lo in (scope, seg_start):
        if unknown := table.unknown(text, lo, fig.start(), a):
            ctx.subject = (unknown[-1].name, "")
            return ctx
    if not prev.carried or _POSSESSIVE.search(segment):  # "son action" names the previous sentence's company
        ctx.subject = prev.subject
    return ctx


def _scope(segment: str, table: CompanyTable) -> int:
    """Start of the clauses that name what moved: back from the figure to a clause with a noun or a name."""
    breaks = [0] + [m.end() for m in _BREAK.finditer(segment)]
    for start in reversed(breaks):
        part = segment[start:]
        if _NOUN.search(part) or table.known(part) or _PROPER_WORD.search(part):
            return start
    return 0


def _verdict(ctx: _Context, ahead: str, segment: str, crypto_article: bool, *, signed: bool) -> tuple[str, str]:
    """("", "") for a stock move, else (kind, reason) of an other figure."""
    if m := _AFTER.match(ahead):
        what = m["what"].lower()
        kind = _AFTER_KIND.get(what, "metric")
        return kind, f"{_KIND_TEXT[kind]}: followed by {m.group().strip()!r}"
    tail = segment[_last_end(_MOVE, segment) :] + ahead
    if p := _PERIOD.search(tail):
        return "period move", f"a move over a period ({p.group()!r}), not a session's move"
    if ctx.kind not in (None, "price"):
        return ctx.kind, f"{_KIND_TEXT[ctx.kind]}, not a stock price"
    if not ctx.direction and not signed:
        return "not a move", "no movement verb or sign"
    if ctx.subject is None:
        return "no company", "no company named before it"
    if not ctx.subject[1]:
        name = ctx.subject[0]
        if crypto_article and (name.isupper() or any(c.isdigit() for c in name)):
            return "crypto", f"{name} is not in the alias table and the article speaks of tokens"
        return "unknown company", f"{name} is not in the alias table (add it with --alias NAME=TICKER)"
    return "", ""


def _last_end(rx: re.Pattern[str], s: str) -> int:
    end = 0
    for m in rx.finditer(s):
        end = m.end()
    return end


def _session(
    dates: list[DateMention],
    seg_start: int,
    fig: re.Match[str],
    ahead_end: int,
    prev: _Context,
    ahead: str,
    segment: str,
) -> tuple[DateMention | None, str]:
    """The day words of a figure and the session moment they name.

    Right after the figure ("de 6% jeudi midi") first, else before it in
    its segment, else the previous figure's; the moment comes from the day
    words ("midi"), else from timing words on the same side of the figure.
    """
    near = [d for d in dates if d.kind != "header" and not d.announcement and d.precision == "day"]
    after = [d for d in near if fig.end() <= d.offset < ahead_end]
    before = [d for d in near if seg_start <= d.offset < fig.start()]
    if after:
        return after[0], after[0].timing or timing_words(ahead)
    if before:
        return before[-1], before[-1].timing or timing_words(segment)
    own = timing_words(ahead) or timing_words(segment)
    return prev.session, own or prev.timing


def timing_words(text: str) -> str:
    """The session moment named in ``text`` ("midday", "open", "intraday", "close") or ""."""
    for name, rx in _TIMING_WORDS:
        if rx.search(text):
            return name
    return ""


def _dedupe(claims: list[CandidateClaim]) -> list[CandidateClaim]:
    seen: set[tuple[str, float, dt.date | None]] = set()
    out = []
    for c in claims:
        key = (c.ticker, c.reported_percent, c.session)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out
