"""The session a figure's words name, and the moment of it (close, open, premarket…).

Day words right after the figure ("de 6% jeudi midi") come first, unless
they own what follows ("Thursday's 10.8% slide") or follow a word that
introduces another event ("ahead of its earnings on Wednesday"); else those
before it in its segment; else the previous figure's. The moment comes from
the day words ("midi"), else from timing words around the figure: "in
premarket trading", "en préouverture" (premarket); "after-hours", "after the
bell", "après la clôture" (after_hours); "at the open", "à l'ouverture"
(open); "at the time of writing", "right now", "in early trading", "en
séance", "vers 14H20" (intraday); "midi", "midday" (midday).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from eventstudy.articles.records import DateMention
from eventstudy.articles.words import DOWN, RELATIVE_ASIDE, SINCE_DAY, UP, blank

_I = re.IGNORECASE
_TIMING_WORDS = [
    (
        "premarket",
        re.compile(
            r"(?<![\w])(?:pre-?market|(?:before|ahead of) the (?:opening )?bell|en pré-?ouverture"
            r"|avant (?:l'ouverture|la séance)|en avant-Bourse|en pré-commercialisation|premarket trade)(?![\w])",
            _I,
        ),
    ),
    (
        "after_hours",
        re.compile(
            r"(?<![\w])(?:after-?hours|after the bell|after the close|post-?market"
            r"|extended (?:trading|session|hours)|après la clôture|en après-Bourse|après[- ]Bourse|post-?clôture"
            r"|hors séance|(?:dans les|lors des) échanges prolongés|en séance prolongée"
            r"|(?:dans les|lors des) échanges électroniques)(?![\w])",
            _I,
        ),
    ),
    ("midday", re.compile(r"(?<![\w])(?:midi|mi-séance|mi-journée|midday|noon|lunch)(?![\w])", _I)),
    (
        "open",
        re.compile(
            r"(?:à|dès) l'ouverture|en début de séance|at the open|at the opening|at (?:the )?(?:market|official) open"
            r"|at the start of (?:trading|the session|the day)|(?:au début des|dans les premiers) échanges"
            # "opened 14.5% lower", "after opening 5% lower", "avait ouvert en hausse"
            r"|(?<![\w])(?:opened|ouvert|ouvrait|ouvraient|(?:after|before|on|upon) opening)(?![\w])",
            _I,
        ),
    ),
    (
        "intraday",
        re.compile(
            r"en (?:cours de )?séance|intraday|during (?:the |\w+'s )?(?:session|trading)|at the time of"
            r" (?:writing|publication)|as of writing|right now|in (?:early|late|morning|afternoon)"
            r" trading|(?:is|are|was|were) (?:currently )?trading|as much as|as high as|as low as|jusqu'à"
            r"|at one (?:point|stage)|at (?:its|their|the) (?:worst|best|lowest|highest) point"
            r"|à un moment|(?<![\w])mid-?(?:morning|afternoon|session)(?![\w])"
            r"|as of \d{4} GMT|as of \d{1,2}:\d{2}"
            r"|at (?:the|its) (?:session|day's|intraday|morning|afternoon) (?:low|high)"
            r"|at (?:its|the) (?:low|high)s? of the (?:day|session)|au plus (?:bas|haut) de (?:la séance|la journée)"
            r"|au moment (?:d'écrire|où nous"
            r" écrivons)|(?<![\w])vers \d{1,2} ?[hH](?: ?\d\d)?|(?<![\w])(?:à|a) la même heure|au même moment"
            # a New York clock time during the session: "at 2 p.m.", "at 10:02 a.m. ET"
            r"|(?<![\w])(?:at|as of|by)\s+(?:(?:1[01]|9:[3-5]\d)(?::\d\d)?\s*a\.?m\.?"
            r"|(?:12|1|2|3)(?::\d\d)?\s*p\.?m\.?)",
            _I,
        ),
    ),
    (
        "close",
        re.compile(
            r"a finalement|ont finalement|finally|ended up|"
            r"à la clôture|at the close|closed|a clôturé|a terminé|finished|(?:to|by the) close|close"
            r" (?:down|up|higher|lower)|ended|settled|a fini|a terminé|en clôture|en fin de séance"
            r"|au terme (?:des échanges|de la séance)|à l'issue de la séance"
            r"|termin(?:er|é|ait|ant) (?:la séance|la journée|les échanges)",
            _I,
        ),
    ),
]

# words after a figure that introduce another event's day: "2.2% ahead of its earnings on Wednesday"
OTHER_EVENT = re.compile(
    r"(?<![\w])(?:ahead of|before(?! the bell)|after(?![\w-]| the bell| the close)|until|avant"
    r"|après(?! la clôture|[- ]Bourse)|jusqu'|en attendant)(?![\w])",
    _I,
)


_OWNED_SESSION = re.compile(
    r"'s\s+(?:\([^()]{1,20}\)\s+)?(?:[A-Z][\w-]+\s+)?(?:session|trading|close|open|pre-?market|after-?hours|extended)",
    _I,
)  # "in Monday's session", "in Monday's premarket": the day's own


_AFTER_DAY = re.compile(r"(?<![\w])(?:after|following|since|après|depuis)\s+(?:the\s+|le\s+)?$", _I)
# a day with no session: "after Monday's holiday" (not "after Thursday's slide, X was still up 20%")
_NO_SESSION = re.compile(r"(?:'s)?\s+(?:[A-Z][\w-]+\s+){0,3}(?:holiday|closure|break)|\s+(?:férié|chômé)", _I)
_MAIN_CLAUSE_AFTER = re.compile(
    r"[,:;](?!\s*(?:in which|during which|when|where|which|où|au cours de laquelle|lors de laquelle|qui))", _I
)
_NEXT_CLAUSE = re.compile(r"[,;]\s*(?:and|et|but|mais|while|tandis)(?![\w])", _I)  # ", and on Monday it soared"
# a clause of its own after the figure: a pronoun and its verb ("the ground it lost on Thursday")
_OWN_VERB = re.compile(
    rf"[,;][^,;]*(?<![\w])(?:it|they|which|il|elle|ils|elles|qu'il|qu'elle)\s+(?:had\s+|has\s+|have\s+|avait\s+"
    rf"|avaient\s+|a\s+|ont\s+)?(?:{UP}|{DOWN})(?![\w])",
    _I,
)
_BETWEEN = re.compile(r"(?<![\w])(?:between|entre)(?![\w])", _I)


def set_apart(asides: list[tuple[int, int]], where: int, fig: int) -> bool:
    """Whether ``where`` lies in an aside that does not hold the figure at ``fig``."""
    return any(s <= where < e and not s <= fig < e for s, e in asides)


_COMPARED = re.compile(
    r"(?<![\w])(?:than|versus|vs\.?|compared (?:with|to)|par rapport à|contre)\s+(?:the\s+|le\s+|la\s+)?$",
    re.IGNORECASE,
)


def session_of(
    dates: list[DateMention],
    text: str,
    seg_start: int,
    fig: re.Match[str],
    ahead_end: int,
    prev: Any,
    ahead: str,
    segment: str,
    asides: list[tuple[int, int]],
) -> tuple[DateMention | None, str]:
    """The day words of a figure and the session moment they name.

    Right after the figure ("de 6% jeudi midi") first, unless they own
    what follows ("Thursday's 10.8% slide"), else before it in its
    segment, else the previous figure's; the moment comes from the day
    words ("midi"), else from timing words on the same side of the figure.
    Day words in an aside that does not hold the figure ("Nvidia, whose
    value fell the day before, climbed 8.9%") are the aside's, not its.
    """
    days = [  # only the figure's segment and what follows it count (a long sentence holds many dates)
        d for d in dates
        if seg_start <= d.offset < ahead_end and d.kind != "header" and d.precision == "day"
        and not set_apart(asides, d.offset, fig.start())
    ]  # fmt: skip
    near = [d for d in days if not d.announcement]
    after = [  # an announcement word nearby does not matter right after the figure ("3,3 % mercredi")
        d for d in days
        if fig.end() <= d.offset < ahead_end and (not d.announcement or d.offset - fig.end() <= 12)
        and (not text.startswith("'s", d.offset + len(d.words)) or _OWNED_SESSION.match(text, d.offset + len(d.words)))
        and not OTHER_EVENT.search(text, fig.end(), d.offset)
        and not _NEXT_CLAUSE.search(text, fig.end(), d.offset)
        and not _OWN_VERB.search(text, fig.end(), d.offset)  # "…, making up the ground it lost on Thursday"
        and not SINCE_DAY.search(text, max(fig.end(), d.offset - 12), d.offset)  # "… depuis le 5 août": a reference
    ]  # fmt: skip
    before = [
        d for d in near if seg_start <= d.offset < fig.start()
        and not _COMPARED.search(text, max(seg_start, d.offset - 20), d.offset)  # "higher than Friday's finish"
        and not (_AFTER_DAY.search(text, max(seg_start, d.offset - 12), d.offset)
                 and _NO_SESSION.match(text, d.offset + len(d.words))
                 and _MAIN_CLAUSE_AFTER.search(text, d.offset, fig.start()))
    ]  # fmt: skip  # "after Monday's holiday, the Nikkei was up" (not "after Monday's rout, in which it lost 17%")
    span = [d for d in days if fig.end() <= d.offset < ahead_end]
    if len(span) > 1 and _BETWEEN.search(text, fig.end(), span[0].offset):
        after = span[1:2]  # "lost 17% between Friday's close and Monday's": the move ends on the later day
    if after:  # "rose as much as 43 percent during Wednesday's session": the words before the figure time it
        cuts = [segment.rfind(",") + 1, *(m.end() for m in OTHER_EVENT.finditer(segment))]
        clause = segment[max(cuts) :]  # not the previous figure's words ("6 % jeudi midi après avoir gagné…")
        own = nearest_timing(clause, ahead)
        if own in ("after_hours", "premarket") and after[0].timing == "close":
            return after[0], own  # "mardi soir dans les échanges après-Bourse": the evening's extended trading
        return after[0], after[0].timing or own
    own = _extended(nearest_timing(segment, ahead), ahead)  # "mercredi soir, dans les échanges après Bourse"
    if before:
        return before[-1], own if own in ("after_hours", "premarket") else before[-1].timing or own
    return prev.session, own or prev.timing


def _extended(own: str, ahead: str) -> str:
    """A quote's session: "had been up as much as 4% in extended trading" is after hours, not intraday."""
    nxt = _NEXT_FIGURE.search(ahead)
    extended = [n for n, rx in _TIMING_WORDS[:2] if rx.search(ahead[: nxt.start() if nxt else len(ahead)])]
    return extended[0] if extended and own == "intraday" else own  # "avait pris jusqu'à 8 % … après-Bourse"


_NEXT_FIGURE = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?\s*(?:%|pour cent|per ?cent)")


def nearest_timing(segment: str, ahead: str) -> str:
    """The moment named nearest the figure: the last words before it or the first after it.

    After it means before the next figure: "une baisse de 2,1 %, après avoir perdu jusqu'à 4,6 % en début
    de séance" times the 4,6 % only.
    """
    segment, ahead = blank(RELATIVE_ASIDE, segment), blank(RELATIVE_ASIDE, ahead)  # ", qui avait ouvert
    # en hausse, de 1,18 %": a whole relative aside times another moment, not the figure outside it
    nxt = _NEXT_FIGURE.search(ahead)  # ``ahead`` runs to the sentence's end or to the next figure
    at_next = nxt.start() if nxt else len(ahead) if not re.search(r"[.!?\n]\W*$", ahead) else len(ahead) + 3
    stop = at_next - 2  # words right before the next figure are its own ("jusqu'à 4,6 %")
    before = [(len(segment) - m.end(), k, n) for k, (n, rx) in enumerate(_TIMING_WORDS) for m in rx.finditer(segment)]
    after = [(m.start(), k, n) for k, (n, rx) in enumerate(_TIMING_WORDS) for m in rx.finditer(ahead) if m.end() < stop]
    # "bondissait de 39,5 %, avant de terminer la séance": a later moment (not "ahead of the opening bell" itself)
    later = [m.start() for m in OTHER_EVENT.finditer(ahead) if not any(m.start() == a[0] for a in after)]
    after = [a for a in after if not later or a[0] < later[0]]
    if before and (comma := ahead.find(",")) >= 0:  # "qui avait ouvert en hausse de 1,7 %, a terminé": the main verb's
        after = [a for a in after if a[0] < comma]
    return min([*before, *after], default=(0, 0, ""))[2]


# words that put a quote at the time the article was written: its own date
NOW = re.compile(
    r"(?<![\w])(?:right now|at the time of (?:writing|publication)|as of writing|au moment (?:d'écrire|où nous"
    r" écrivons)|currently)(?![\w])",
    _I,
)


def article_day(reference: dt.date, at: int) -> DateMention:
    """A stand-in day mention for the article's own date (no words of the sentence name it)."""
    return DateMention("", at, "", reference, "article date", reference=reference, reference_from="the article's date")


# French tenses of a move verb: the imperfect ("bondissait") and the present ("s'envole", "grimpe") quote a
# price during the session, unless the sentence tells a finished session in the passé composé ("a reculé")
_IMPERFECT = re.compile(r"\w(?:ait|aient)$")
_PRESENT = re.compile(
    r"(?:grimpe|grimpent|avance|avancent|recule|reculent|bondit|bondissent|s'envole|s'envolent|progresse"
    r"|progressent|cède|cèdent|perd|perdent|gagne|gagnent|lâche|lâchent|plonge|plongent|dévisse|dévissent"
    r"|s'effondre|s'effondrent|flambe|flambent|décroche|décrochent|glisse|glissent|chute|chutent|prend|prennent"
    r"|monte|montent|rebondit|rebondissent|abandonne|abandonnent|s'adjuge|s'adjugent)",
    _I,
)
_MOVE_AFTER = re.compile(r"\w")  # a verb of the figure's own, not just its sign
_NOT_A_VERB = re.compile(r"(?<![\w'’])(?:en|une|la|sa|son|cette|a|ont|avait|avaient|de)\s+$", _I)
_PASSE_COMPOSE = re.compile(
    r"(?<![\w'])(?:a|ont)\s+(?:\w+\s+)?(?:\w+é|perdu|pris|repris|bondi|rebondi|fini|conclu)(?![\w])", _I
)


def tense_timing(sentence: str, segment: str, verb: str, ahead: str = "") -> str:
    """Say "intraday" for a French move verb in the imperfect or the present, outside a passé composé narrative.

    A figure before its verb ("Oracle (+38,6 %) s'envole") takes the verb right after it.
    """
    if _PASSE_COMPOSE.search(sentence):
        return ""
    after = re.match(r"[^.;]{0,30}?\)\s*(\S+(?: \S+)?)", ahead)
    if after and not _MOVE_AFTER.match(verb) and _PRESENT.match(after[1]):
        return "intraday"
    if _IMPERFECT.search(verb):
        return "intraday"
    at = segment.rfind(verb) if verb else -1
    if at >= 0 and _PRESENT.fullmatch(verb) and not _NOT_A_VERB.search(segment[max(0, at - 12) : at]):
        return "intraday"
    return ""


# the time a story was filed, on its date line: "11:05 am ET", "11-19-24 1532ET", "Publié le 20/09/2024 à 22:40"
_FILED_ET = re.compile(
    r"(?<![\d:])(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ap>[ap])\.?m\.?\s*(?:ET|EST|EDT)(?![\w])"
    r"|(?<![\d])(?P<h2>\d{2})(?P<m2>\d{2})\s?E[SD]?T(?![\w])",
    _I,
)
_FILED_LOCAL = re.compile(
    r"(?<![\d:/.-])(?P<h>\d{1,2})\s*[:h]\s*(?P<m>\d{2})(?![\d])(?!\s*(?:[ap]\.?m|ET|EST|EDT|GMT|UTC))", _I
)
_QUEBEC = re.compile(
    r"\d\s?\$\s?(?:US|CA)(?![\w])|(?<![\w])(?:Montréal|Québec|Bourse de Toronto|La Presse Canadienne|S&P/TSX"
    r"|parquet torontois|TORONTO\s+[—–-])(?![\w])"
)  # a Canadian paper: its times are Montreal's
US_EXCHANGES = ("XNYS", "XNAS")
# each exchange's close, in minutes of the day New York time (the later of winter and summer)
CLOSE_ET = {"XNYS": 16 * 60, "XNAS": 16 * 60, "XTKS": 2 * 60 + 30, "XPAR": 11 * 60 + 30, "XETR": 11 * 60 + 30,
            "XAMS": 11 * 60 + 30, "XLON": 11 * 60 + 30}  # fmt: skip


def entry_stamps(text: str, dates: list[DateMention]) -> list[tuple[int, DateMention, int]]:
    """A live page's entry stamps: (line offset, the day, the minute of the day New York time).

    A stamp is a line that holds only a date and an ET time ("April 21, 2025, 4:08 PM EDT", "Tuesday 4:08
    p.m. ET"); none are returned unless there are two. The entry under a stamp speaks of the stamp's day,
    during or after its session by the time.
    """
    stamps = []
    for d in dates:
        if d.kind == "header" or d.date is None or d.precision != "day":
            continue
        line_start = text.rfind("\n", 0, d.offset) + 1
        line_end = text.find("\n", d.offset)
        line = text[line_start : len(text) if line_end < 0 else line_end]
        m = _FILED_ET.search(line)
        rest = line.replace(d.words, "", 1) if m is None else line[: m.start()].replace(d.words, "", 1)
        if m is None or m["h2"] or line[m.end() :].strip() or rest.strip(" ,·|-–—\t").lower() not in ("", "at"):
            continue
        minute = (int(m["h"]) % 12 + (12 if m["ap"].lower() == "p" else 0)) * 60 + int(m["m"] or 0)
        stamps.append((line_start, d, minute))
    return stamps if len(stamps) >= 2 else []


def filed_at(text: str, dates: list[DateMention], *, french: bool) -> tuple[dt.date, int] | None:
    """(the article's date, the minute of that day New York time it was filed) from its date line, else None.

    An "ET" time is New York's; a time with no zone in a French article is Paris's, or Montreal's in a Quebec
    paper ("141,38 $US").
    """
    header = next((d for d in dates if d.kind == "header" and d.date is not None), None)
    if header is None or header.date is None:
        return None
    line_start = text.rfind("\n", 0, header.offset) + 1
    line_end = text.find("\n", header.offset)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    if m := _FILED_ET.search(line):
        if m["h2"]:
            return header.date, int(m["h2"]) * 60 + int(m["m2"])
        return header.date, (int(m["h"]) % 12 + (12 if m["ap"].lower() == "p" else 0)) * 60 + int(m["m"] or 0)
    if french and (m := _FILED_LOCAL.search(line)) and int(m["h"]) < 24 and int(m["m"]) < 60:
        zone = "America/Toronto" if _QUEBEC.search(text) else "Europe/Paris"  # "141,38 $US": a Quebec paper
        local = dt.datetime.combine(header.date, dt.time(int(m["h"]), int(m["m"])), tzinfo=ZoneInfo(zone))
        ny = local.astimezone(ZoneInfo("America/New_York"))
        return ny.date(), ny.hour * 60 + ny.minute
    return None
