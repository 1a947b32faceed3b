"""Which security a figure is about: rules over the clause, then (optionally) a parser.

The subject of a move is the first name of the clause's subject phrase. The
clause runs from the previous figure of the sentence (or its start, or the last
``;``/``:``) to the figure; it is cut at commas into chunks, and

1. leading asides are skipped: chunks that start with a preposition, a
   participle or a time word ("Mercredi,", "À Tokyo,", "After the close,",
   "Porté par ses résultats,"), or that name nothing;
2. the first remaining chunk that names a company or an index gives the
   subject: its first name, so that what follows it, an apposition ("Oracle,
   a partner of SoftBank, dropped"), a relative clause ("Broadcom, which
   supplies Oracle, rose"; "Broadcom, qui a cédé 17,4 %") or a possessive
   complement ("le cours d'Oracle") never takes the claim; after a reporting
   verb ("Goldman said Nvidia rose") the name after the verb counts, and
   "SoftBank's Arm" is Arm;
3. a clause that names nothing but says "the stock", "its shares", "le
   titre", "l'action"… is about the last company named before it in the
   sentence, else the company of the article's previous claim, else the
   last company named before the sentence;
4. a clause that names nothing else shares the previous figure's subject
   ("…, après un bond de 10,6 % mercredi");
5. "X and Y rose 3% and 5%" gives the names to the figures in order;
6. a figure in a relative clause ("Apple a dépassé Nvidia, qui a perdu
   3 %") is about the name the clause hangs on: the last name before it,
   skipping appositions ("Vertiv, fournisseur de …, qui a dévissé").

When the rules find nothing for a figure that is otherwise a price move,
:func:`eventstudy.articles.moves.find_moves` asks a dependency parser
(:mod:`.parser`, French only) for the subject of the move verb; its answer
counts only when it is a known name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from eventstudy.articles.companies import CompanyMention, CompanyTable
from eventstudy.articles.descriptions import described, description_spans
from eventstudy.articles.words import DOWN, UP

_I = re.IGNORECASE


@dataclass(frozen=True)
class Subject:
    """What moved: ``ticker`` is empty for a name the company table does not know."""

    name: str
    ticker: str
    note: str = ""


# a name inside a relative clause of the subject: "An exchange-traded fund that tracks the Topix, …"
_RELATIVE_OBJECT = re.compile(r"(?<![\w])(?:that|which|qui)\s+[a-zà-ÿ]+s?\s+(?:the\s+|le\s+|la\s+|l')?[^,;]*$", _I)
# lowercase words between a capitalised descriptor and a known name: "Technology investor SoftBank"
_DESCRIPTOR_GAP = re.compile(r"(?:\s+[a-z][\w-]*){1,3}\s+")
# a clause with its own move in points: "The Dow was down more than 1,100 points"
_POINTS_MOVE = re.compile(rf"(?<![\w])(?:{UP}|{DOWN})(?![\w])[^,;]{{0,30}}\d[\d,.]*\s*(?:points?|pts)(?![\w])", _I)

# words opening an aside before the subject: prepositions, participles, subordinators, time words
_OPENER = re.compile(
    r"^\W*(?:à|a|au|aux|en|dans|sur|après|avant|malgré|comme|selon|pour|par|depuis|contrairement|face|lors"
    r"|d'après|porté\w*|soutenu\w*|plombé\w*|tiré\w*|dopé\w*|pénalisé\w*|lundi|mardi|mercredi|jeudi|vendredi|samedi"
    r"|dimanche|hier|ce|cette|in|at|on|after|before|following|despite|like|unlike|amid|with|according|meanwhile"
    r"|however|elsewhere|separately|also|later|earlier|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|yesterday|today|by|for|from|since|among|parmi|dès|poids lourd|par ailleurs|de son côté|quant à|outre|outside"
    r"|beyond|across|besides|apart from|hors|en dehors|côté)(?![\w])",
    _I,
)
_REPORTING = re.compile(
    r"(?<![\w])(?:said|says|told|reported|noted|estimated|estime\w*|a déclaré|affirme\w*|indique\w*|selon|note\w*)"
    r"(?:\s+(?:that|que|qu'))?(?![\w])",
    _I,
)
_REFERENCE = re.compile(
    r"(?<![\w])(?:the stock|its stock|the shares|its shares|their shares|the company's shares|the group's shares"
    r"|the share price|its share price|le titre|l'action|son action|ses actions|les actions|son titre|le cours"
    r"|son cours|le stock|the fund|this fund|the ETF|le fonds|ce fonds|l'ETF|cet ETF|le FNB|ce FNB"
    r"|la valeur|(?:cette|ce|this|that|sa|son|its|the stock's|the shares') "
    r"(?:dégringolade|chute|baisse|hausse|envolée|flambée|plongeon|repli|recul|bond"
    r"|progression|perte|drop|fall|slide|decline|gain|rise|jump|rally|slump|plunge|loss|sell-off))(?![\w])",
    _I,
)
# a name right after a preposition is an oblique ("Comme Nvidia, AMD…"), unless a price noun owns it
_OBLIQUE = re.compile(
    r"(?<![\w])(?:de|d'|du|des|à|au|aux|pour|par|avec|face à|contre|sur|chez|comme|of|for|with|by|against|like|than"
    r"|to|from|in|on|among|within|dans|parmi)\s*(?:l'|la |le |les |the )?$",
    _I,
)
_SUBJECT_PRONOUN = re.compile(r"(?<![\w])(?:it|they|il|elle|ils|elles)\s+\w+", _I)
_POSSESSOR = re.compile(
    r"(?<![\w])(?:cours|titres?|actions?|shares?|stock|share price|valeur)\s+(?:de|d'|du|of)\s*(?:l'|la |le |the )?$",
    _I,
)
OBLIQUE = "the name follows a preposition: check that it is what moved"
DESCRIPTION = "a description, not a name"
_RELATIVE = re.compile(r"\s*(?:qui|which|who|that|dont|whose)(?![\w])", _I)  # "UnitedHealth, dont l'action a chuté"
_LEVEL_TAIL = re.compile(r"\W*(?:à|at|to)\s+\$?\d[\d.,\s\u202f]*(?:points?|pts|dollars?|euros?|yens?|\$|€)?", _I)
_WITH = re.compile(r"\s*(?:with|avec)\s", _I)
_CONJUNCTION = re.compile(r"(?:et|and|ou|or|puis|then)(?![\w])", _I)
_TAIL = re.compile(r"^\s*(?:(?:of|de|du|des|to|à|au|aux|from|in|on|sur|since|depuis|for|pour)(?![\w])|d['’])", _I)
_JOIN = re.compile(r"^\s*(?:,\s*)?(?:and|et|&)?\s*$", _I)
_LIST_SEP = re.compile(
    r"^\s*(?:\([^()\n]{1,20}\)\s*)?(?:,|,?\s*(?:and|et|&))\s*"
    r"(?:the\s+|le\s+|la\s+|les\s+|l'|d'|de\s+|du\s+|des\s+)?$",
    _I,
)  # "Super Micro Computer (SMCI) et d'Arm ont lâché respectivement 1,96 % et 5,12 %"
_COMMA = re.compile(r"(?<!\d),|,(?!\d)")
# a name's own verb, then "and": the next name starts a clause of its own
_VERB_THEN_AND = re.compile(
    rf"\s+(?:\w+\s+)?(?:{UP}|{DOWN})(?![\w])[^,;%]*?\s(?:and|et)\s+(?:the\s+|le\s+|la\s+|l')?", _I
)
_CLAUSE = re.compile(r"[;:]|\s[-–—]{1,2}\s|,\s*(?:while|whereas|but|tandis que|alors que|mais)(?![\w])", _I)
_BARE_SHARES = re.compile(r"\W*(?:shares|stock)(?![\w])(?! of\b)", _I)  # "Shares are trading down 33%"
_INDEX_REF = re.compile(
    r"(?<![\w])(?:the (?:tech-heavy )?(?:index|benchmark|gauge|composite|average)|l'indice|le composite)(?![\w])", _I
)
# "The composite now stands 13.4% below…", "the tech-heavy index": the Nasdaq Composite among the article's indices
_AVERAGE_REF = re.compile(r"(?<![\w])average(?![\w])", _I)
_NASDAQ_REF = re.compile(r"(?<![\w])(?:composite|tech-heavy)(?![\w])", _I)
# "a 1.9% gain on Friday, when the index closed just short": the figure is the index's
_WHEN_THE_INDEX = re.compile(r"[^,.;]{0,30},\s*(?:when|as|lorsque|quand) (?:the index|the benchmark|l'indice)", _I)
_COMPANY_THAT = re.compile(
    r"\W*(?:a|the|une|la|le) (?:company|firm|group|société|entreprise|groupe) (?:that|which|who|qui|que)(?![\w])", _I
)
# "le titre du concurrent d'Intel": the name is the description's, not the subject
_RIVAL_OF = re.compile(
    r"(?:concurrent|rival|compétiteur|fournisseur|client|partenaire|supplier|customer|partner)s?"
    r"(?: (?:direct|principal|historique|main|chief|biggest|largest|closest|key)e?s?)? (?:de |d['’]|of )$",
    _I,
)
_BENCHMARK = re.compile(r"(?<![\w])(?:the benchmark|l'indice de référence)(?![\w])", _I)
# "It fell", "they were down", "Going into the report they were down", "Dès mercredi soir, il s'envolait"
_PRONOUN = re.compile(
    r"\W*(?![Tt]he\s|[Ll]es?\s|[Ll]a\s|[Aa]n?\s)(?:[A-Za-z]?[a-z]+\s){0,5}?(?:[Ii]t|[Tt]hey|[Ii]ls?|[Ee]lles?)\s"
)
_THE_COMPANY = re.compile(r"(?<![\w])(?:the company|the group|the firm|la société|le groupe|l'entreprise)(?![\w])", _I)


def paragraph_of(text: str, offset: int) -> int:
    """The paragraph (line) an offset lies in: the offset of its start."""
    return text.rfind("\n", 0, offset) + 1


def conjoined(text: str, figures: list[re.Match[str]], mentions: list[CompanyMention]) -> dict[int, Subject]:
    """Figure index → subject for "X and Y rose 3% and 5%" (names to figures, in order)."""
    out: dict[int, Subject] = {}
    for i, fig in enumerate(figures):
        lo = figures[i - 1].end() if i else 0
        names = [m for m in mentions if lo <= m.start < fig.start()]
        if len(names) < 2:
            continue
        run = [names[0]]
        for m in names[1:]:
            if _LIST_SEP.match(text[run[-1].end : m.start]):
                run.append(m)
            else:
                run = [m]
        if len(run) < 2 or not text[run[-1].end : fig.start()].strip():
            continue
        following = figures[i + 1 : i + len(run)]
        if len(following) != len(run) - 1:
            continue
        gaps = [text[figures[i + k].end() : following[k].start()] for k in range(len(following))]
        if all(_JOIN.match(g) for g in gaps):
            for k, m in enumerate(run):
                out[i + k] = Subject(m.name, m.ticker)
    return out


def _names_in(chunk: tuple[int, int], mentions: list[CompanyMention]) -> list[CompanyMention]:
    """The mentions inside ``text[lo:hi]``."""
    return [m for m in mentions if chunk[0] <= m.start < chunk[1]]


def find_subject(
    text: str,
    sentence_start: int,
    seg_start: int,
    fig_start: int,
    mentions: list[CompanyMention],
    table: CompanyTable,
    previous: Subject | None,
    topic: Subject | None,
    earlier: list[CompanyMention] | None = None,
) -> Subject | None:
    """The subject of the figure at ``fig_start`` (see the module doc)."""
    clause_start = seg_start
    for m in _CLAUSE.finditer(text, seg_start, fig_start):
        if not any(n.start <= m.start() < n.end for n in mentions):  # not the colon of "(NASDAQ:NVDA)"
            clause_start = m.end()
    bounds = [clause_start] + [m.end() for m in _COMMA.finditer(text, clause_start, fig_start)] + [fig_start]
    chunks = list(pairwise(bounds))
    if topic is not None and _COMPANY_THAT.match(text, clause_start):  # "A company that joined the S&P 500 … is down"
        return Subject(topic.name, topic.ticker, f"{text[clause_start:fig_start].strip()!r} read as {topic.name}")
    if len(chunks) > 1 and _RELATIVE.match(text, chunks[-1][0]):  # "Apple a dépassé Nvidia, qui a perdu 3 %"
        lo, hi = chunks[-2]
        right_before = [m for m in mentions if lo <= m.start and m.end <= hi and text[m.end : hi].strip(" ,") == ""]
        if right_before and right_before[-1].ticker:  # "…, plombé par UnitedHealth Group, dont l'action a chuté"
            return Subject(right_before[-1].name, right_before[-1].ticker)
        for lo, hi in reversed(chunks[:-1]):
            chunk = text[lo:hi].strip()
            if chunk[:1].islower() and not _CONJUNCTION.match(chunk):
                continue  # an apposition between the name and "qui"
            names = [m for m in mentions if lo <= m.start < hi]
            if names:
                return Subject(names[-1].name, names[-1].ticker)
            break
    if len(chunks) > 1 and _names_in(chunks[0], mentions) == [] and clause_start == sentence_start:
        said, fit = described(text[slice(*chunks[0])], earlier or mentions, table)
        if said and len(fit) == 1:  # "Le conglomérat japonais, partenaire d'Oracle…, avait gagné 7,3 %"
            return Subject(fit[0].name, fit[0].ticker, f"{said!r} read as {fit[0].name}, the one company here it fits")
    conj_lo, conj_hi = chunks[-1]
    if len(chunks) > 1 and _CONJUNCTION.match(text[conj_lo:conj_hi].strip()):
        own = [m for m in mentions if conj_lo <= m.start < conj_hi and m.ticker]
        if own:  # "Markets had bet on Ishiba's rival, …, and on Friday the Nikkei had jumped 2.3%": its own subject
            return Subject(own[0].name, own[0].ticker)
    if len(chunks) > 1 and _WITH.match(text, conj_lo):  # "Oracle joined in, with Nvidia up 4%": Nvidia's
        own = [m for m in mentions if conj_lo <= m.start < conj_hi] or table.unknown(text, conj_lo, conj_hi, -1)
        if own:
            return Subject(own[0].name, own[0].ticker)
    for k, (lo, hi) in enumerate(chunks):
        chunk = text[lo:hi]
        last = k == len(chunks) - 1
        level = k == 0 and seg_start > sentence_start and _LEVEL_TAIL.match(chunk)  # "(+0,48%) à 6.631,96 points et"
        if not last and _OPENER.match(chunk) and not level:
            continue
        if not last and _POINTS_MOVE.search(chunk) and not re.match(r"\s*(?:or|soit)\s", text[hi:fig_start], _I):
            continue  # "The Dow was down more than 1,100 points, the S&P 500 was off 2.9%": that clause is done
        if k == 0 and seg_start > sentence_start and _TAIL.match(chunk) and not last and not level:
            continue  # "…90% of Arm, fell 5.2%": the previous figure's complement
        if rep := _REPORTING.search(chunk):
            after = [m for m in mentions if lo + rep.end() <= m.start < hi]
            if after:
                return Subject(after[0].name, after[0].ticker)
        names = [
            m for m in mentions if lo <= m.start < hi and not _RIVAL_OF.search(text, max(lo, m.start - 30), m.start)
            and not (not last and _RELATIVE_OBJECT.search(text, lo, m.start))
        ]  # fmt: skip  # not "A fund that tracks the Topix, Nomura's NEXT FUNDS TOPIX ETF, lost 3.3%"
        inside = description_spans(text, lo, hi)  # "Le conglomérat de Masayoshi Son": a description, no name
        unknown = [
            u for u in table.unknown(text, lo, hi, sentence_start) if not any(s <= u.start < e for s, e in inside)
        ]
        if unknown and names and _DESCRIPTOR_GAP.fullmatch(text, unknown[0].end, names[0].start):
            unknown = unknown[1:]  # "Technology investor SoftBank Group rose 2.4%": a descriptor before the name
        if unknown and (not names or unknown[0].start < names[0].start) and not _REFERENCE.search(chunk):
            if not last and not names and _is_aside(text, lo, hi):
                continue
            return Subject(unknown[0].name, "")
        if names:
            first = names[0]
            if len(names) > 1 and text.startswith("'s", first.end) and names[1].start - first.end < 20:
                first = names[1]  # "SoftBank's Arm"
            for prev_name, name in pairwise(names):  # "the S&P 500 dropped and the Nasdaq fell over 3%": the Nasdaq
                if _VERB_THEN_AND.fullmatch(text, prev_name.end, name.start):
                    first = name
            oblique = _OBLIQUE.search(text, lo, first.start) and not _POSSESSOR.search(text, lo, first.start)
            if oblique and len(names) == 1 and _SUBJECT_PRONOUN.search(text, lo, first.start):
                break  # "it was the top performer in the S&P 500, up 13%": the pronoun is the subject
            return Subject(first.name, first.ticker, OBLIQUE if oblique and len(names) > 1 else "")
    seg = text[clause_start:fig_start]
    own = seg[seg.rfind(",") + 1 :]
    if previous is not None and previous.ticker and seg_start > sentence_start and _PRONOUN.match(own):
        return previous  # "The stock is up 9% this year, but it remains 72% below its record": the same subject
    if got := _described(text, sentence_start, seg, fig_start, table, earlier or mentions, topic):
        return got
    if (colon := text.find(" :", sentence_start, clause_start)) > 0 or (
        colon := text.find(":", sentence_start, clause_start)
    ) > 0:
        heads = [m for m in mentions if sentence_start <= m.start < colon]
        if len({m.ticker for m in heads}) == 1 and clause_start > colon:  # "S&P 500 : 5 396,52 points, en baisse
            # de 4,84 %", "SoftBank Group (9984): -9.95%" (a name and its code)
            return Subject(heads[0].name, heads[0].ticker)
    if _REFERENCE.search(seg) or _BARE_SHARES.match(seg):
        before = [
            m for m in mentions if m.start < clause_start and not table.is_index(m.ticker)
            and not _RIVAL_OF.search(text, max(0, m.start - 30), m.start)
        ]  # fmt: skip  # not "AMD, concurrent d'Intel, …, a limité sa baisse": AMD's
        if before:
            return Subject(before[-1].name, before[-1].ticker, f"{seg.strip()!r} read as {before[-1].name}")
        if topic is None:
            named = [m for m in earlier or [] if m.start < sentence_start and not table.is_index(m.ticker)]
            if named:  # the subject of the last sentence naming a company: its first name, not its object
                lead = max(text.rfind(". ", 0, named[-1].start), text.rfind("\n", 0, named[-1].start)) + 1
                named = [m for m in named if m.start >= lead]
            topic = Subject(named[0].name, named[0].ticker) if named else None
        title_end = text.find("\n")
        lead = _lead_company(text, earlier or mentions, table)
        lead = lead if any(m.ticker == lead and m.start < title_end for m in earlier or mentions) else ""  # the title's
        opens_paragraph = text[:sentence_start].rstrip(" \t").endswith("\n") and clause_start == sentence_start
        if lead and opens_paragraph and (topic is None or topic.ticker != lead):
            m = next(m for m in earlier or mentions if m.ticker == lead)  # "The stock …" opening a paragraph: the
            return Subject(m.name, m.ticker, f"{seg.strip()!r} read as {m.name}, the company the article leads with")
        if topic is not None:
            return Subject(topic.name, topic.ticker, f"{seg.strip()!r} read as {topic.name} (an earlier sentence)")
    return previous


def _described(
    text: str,
    sentence_start: int,
    seg: str,
    fig_start: int,
    table: CompanyTable,
    every: list[CompanyMention],
    topic: Subject | None = None,
) -> Subject | None:
    """A clause naming nothing that points back: "the index", "It fell 5.8%", "Shares of the company"."""
    desc, fit = described(seg, every, table)
    lead = _lead_company(text, every, table)
    para = text.rfind("\n\n", 0, sentence_start) + 1
    near = topic.ticker if topic is not None else ""  # the topic, when the paragraph names it before
    near = near if any(m.ticker == near and para <= m.start < sentence_start for m in every) else ""
    if desc and len(fit) > 1 and near in {m.ticker for m in fit}:
        fit = [m for m in fit if m.ticker == near]  # "Nvidia a perdu… le géant des puces": the paragraph's
    elif desc and len(fit) > 1 and lead in {m.ticker for m in fit}:
        fit = [m for m in fit if m.ticker == lead]  # "Nvidia takes a hit… The chipmaker is down 22% this year"
    if desc and len(fit) == 1:
        return Subject(fit[0].name, fit[0].ticker, f"{desc!r} read as {fit[0].name}, the one company here it fits")
    if desc:
        names = ", ".join(sorted({m.name for m in fit})) or "none"
        return Subject(desc, "", f"{DESCRIPTION}: {desc!r} fits {len(fit)} companies of the article ({names})")
    when = not _INDEX_REF.search(seg) and _WHEN_THE_INDEX.match(text, text.find("%", fig_start) + 1)
    if _INDEX_REF.search(seg) or when:
        indices = [m for m in every if m.start < fig_start and table.is_index(m.ticker)]
        indices = indices[:1] if when else indices  # "…, when the index closed": the article's index, its first
        if _NASDAQ_REF.search(seg) and (nasdaq := [m for m in indices if m.ticker == "^IXIC"]):
            indices = nasdaq
        if _AVERAGE_REF.search(seg):  # "the average": the Nikkei Stock Average or the Dow Jones Industrial Average
            indices = [m for m in indices if m.ticker in ("^N225", "^DJI")]
        if indices and _BENCHMARK.search(seg):  # "The Nikkei 225 jumped…, while the broader Topix… the benchmark"
            last = text.rfind(". ", 0, indices[-1].start) + 1
            indices = [m for m in indices if m.start >= last][:1]
        if indices:
            return Subject(indices[-1].name, indices[-1].ticker, f"{seg.strip()!r} read as {indices[-1].name}")
    if _PRONOUN.match(seg) or _PRONOUN.match(seg[seg.rfind(",") + 1 :]):  # "Dès mercredi soir, il s'envolait"
        end = len(text[:sentence_start].rstrip())  # the previous sentence, across a paragraph break
        before = max(text.rfind(". ", 0, end - 1), text.rfind("\n", 0, end)) + 1
        clause_start = fig_start - len(seg)
        if topic is not None and _REFERENCE.match(text[before:sentence_start].strip()):
            return Subject(topic.name, topic.ticker, f"{seg.strip()!r} read as {topic.name} (the stock before it)")
        names = [m for m in every if sentence_start <= m.start < clause_start]  # "…: il affiche"
        names = names or [m for m in every if before <= m.start < sentence_start]
        if names:
            return Subject(names[0].name, names[0].ticker, f"{seg.strip()!r} read as {names[0].name}")
        said, fit = described(text[before:sentence_start], every, table)  # "Le concepteur de puces a… Il"
        if topic is not None and said and topic.ticker in {m.ticker for m in fit}:
            return Subject(topic.name, topic.ticker, f"{seg.strip()!r} read as {topic.name} ({said!r} before it)")
        if topic is not None and (
            _REFERENCE.search(text, sentence_start, clause_start)  # "Le titre … : il affiche"
            or _REFERENCE.search(text, before, sentence_start)  # "… the stock is still up 56%. It has lost 63%"
        ):
            return Subject(topic.name, topic.ticker, f"{seg.strip()!r} read as {topic.name} (the stock before it)")
    if _THE_COMPANY.search(seg):
        if topic is not None and topic.ticker == lead and len({m.ticker for m in every if m.ticker}) > 1:
            return Subject(topic.name, topic.ticker, f"{seg.strip()!r} read as {topic.name}, the article's company")
        return article_company(every, table, seg.strip())
    return None


def _lead_company(text: str, every: list[CompanyMention], table: CompanyTable) -> str:
    """The one company the article's first sentence naming any (its headline, its lede) names, else ""."""
    if not every:
        return ""
    first = min(every, key=lambda m: m.start)
    ends = [i for i in (text.find(". ", first.start), text.find("\n", first.start)) if i >= 0]
    end = min(ends) if ends else len(text)
    named = {m.ticker for m in every if first.start <= m.start < end and m.ticker and not table.is_index(m.ticker)}
    return first.ticker if len(named) == 1 and first.ticker in named else ""


def article_company(every: list[CompanyMention], table: CompanyTable, words: str) -> Subject | None:
    """The one company an article names (indices aside), when there is exactly one."""
    tickers = {m.ticker: m for m in every if m.ticker and not table.is_index(m.ticker)}
    if len(tickers) != 1:
        return None
    (m,) = tickers.values()
    return Subject(m.name, m.ticker, f"{words!r} read as {m.name}, the one company the article names")


_EACH = re.compile(r"\s*(?:were\s+|are\s+|ont\s+)?(?:each|all|both|chacun|chacune|tous|toutes)(?![\w])", _I)
_EACH_AFTER = re.compile(r"\s*(?:each|apiece|chacun|chacune)(?![\w])", _I)


def each_of(
    text: str, seg_start: int, fig_start: int, mentions: list[CompanyMention], fig_end: int = -1
) -> list[CompanyMention]:
    """The names that share one figure: "Oracle, Super Micro and Dell each down at least 8.7%", "… 6% each"."""
    names = [m for m in mentions if seg_start <= m.start < fig_start]
    after = fig_end >= 0 and _EACH_AFTER.match(text, fig_end)  # "… advanced more than 6% each"
    if len(names) < 2 or not (_EACH.match(text, names[-1].end) or after):
        return []
    run = [names[-1]]
    for m in reversed(names[:-1]):
        if not _LIST_SEP.match(text[m.end : run[0].start]):
            break
        run.insert(0, m)
    return run if len(run) > 1 else []


def _is_aside(text: str, lo: int, hi: int) -> bool:
    """A chunk between commas that only describes ("la société britannique")."""
    return text[lo:hi].strip()[:1].islower()


_OWNER = re.compile(
    r"\s*(?P<noun>(?:slide|drop|fall|decline|gain|rise|jump|rally|surge|loss|plunge|slump|tumble|hausse|baisse"
    r"|chute|recul|progression|bond|flambée|envolée|repli|perte|plongeon|collapse|crash|rout|sell-?off|effondrement"
    r"|krach|dégringolade|débâcle|leap|spike|climb|advance|pop|rebound|increase|decrease|dip|move|runup|run-up"
    r"|retreat|bounce)\s+)?(?:de|d'|du|of|in|for)\s*(?:the\s+)?"
    r"(?:(?:cours|prix) (?:de |d'))?(?:l'action |le titre |shares of |the shares of )?",
    _I,
)
MOVE_NOUN_BEFORE = re.compile(
    r"(?:hausse|baisse|chute|recul|progression|bond|flambée|envolée|repli|plongeon|effondrement|dégringolade)"
    r"\s+(?:de|d'environ|de près de|de plus de)\s*$",
    _I,
)


def owner_after(text: str, end: int, mentions: list, *, noun_only: bool = False) -> Subject | None:
    """A name right after the figure that owns it: "la hausse de 8,9 % de Nvidia", "a 3.1% slide in the Nasdaq".

    With ``noun_only``, only after a move noun ("slide in", "flambée … du cours de").
    """
    m = _OWNER.match(text, end)
    if m and m.group().strip() and (m["noun"] or not noun_only):
        return next((Subject(c.name, c.ticker) for c in mentions if c.start == m.end()), None)
    return None
