"""The words of a price move: figures, measure nouns, move verbs, hedges and bounds (French and English).

:mod:`.moves` reads them; they are kept here so that the vocabulary can be
read (and grown) in one place.
"""

from __future__ import annotations

import re
from itertools import pairwise

_I = re.IGNORECASE
FIGURE = re.compile(
    r"(?<![\w.,+\-])(?P<sign>[+-] ?)?(?P<num>\d+(?:[.,]\d+)?)\s{0,2}(?:%|pour ?cent\b|per ?cent\b|percent\b)", _I
)
NOUNS = {
    "price": r"cours|titres?|actions?|shares?|stocks?|share price|bourse|séance|session|trading",
    "stake": r"capital|participation|stake|détien\w*|contrôl\w*|holds?|owns|owned|actionnaires?|shareholders?",
    "valuation": r"valorisation|valuation|valued|valoris\w+",
    "market share": r"parts? de marché|market share",
    "metric": r"revenus?|chiffre d'affaires|ventes|bénéfices?|profits?|résultats?|marges?|revenues?|sales|earnings"
    r"|income|volumes?|capitalisation|market cap\w*|dépenses|investissements?|emplois|effectifs|inflation|taux"
    r"|PIB|GDP|croissance|growth|dividendes?|dividends?|coûts?|costs?|tariffs?|droits de douane|taxes?"
    r"|carnet de commandes|commandes|orders|bookings|backlog|performance obligations|RPO|expenditure|capex"
    r"|net asset value|salaires?|wages?|prix|prices|fortune|net worth|wealth|patrimoine",
    "sector": r"secteur|sector|indices?|index",
    "crypto": r"tokens?|jetons?|crypto\w*|bitcoin|memecoins?|protocole|protocol|blockchain",
    "futures": r"futures|contrats à terme|contrats futures|E-minis?",
}
# "post-earnings run", "pre-market": a noun inside a compound adjective names no measure
NOUN = re.compile("|".join(rf"(?P<{k.replace(' ', '_')}>(?<![\w-])(?:{v})(?![\w]))" for k, v in NOUNS.items()), _I)
AFTER = re.compile(
    r"^\s*(?:(?:du|de la|de l'|des|de son|de sa|de ses|de leur|de|of (?:its|the|their)?)\s*)?"
    r"(?P<what>capital|parts?|stake|revenus?|chiffre|ventes|capitalisation|voix|revenue|sales|company|société"
    r"|indices?|index|secteur|sector|marché|market|share of|coûts?|costs?|dividendes?|dividends?|bénéfices?"
    r"|profits?|résultats?|marges?|prix|salaires?|effectifs|emplois|production|commandes|orders|earnings"
    r"|valorisation|valuation|tariffs?|surtaxes?(?: douanières?)?|droits? de douane|taxes?|duty|duties)\b"
    r"|^\s*(?:la|le|les)\s+(?P<levy>surtaxes?|taxes?|droits? de douane)\b",  # "qui ramène à 15% la surtaxe"
    _I,
)
AFTER_KIND = {"valorisation": "valuation", "valuation": "valuation", "capital": "stake", "part": "market share",
               "parts": "market share", "stake": "stake",
               "company": "stake", "société": "stake", "voix": "stake", "indice": "sector", "indices": "sector",
               "index": "sector", "secteur": "sector", "sector": "sector", "marché": "market share",
               "market": "market share", "share of": "market share"}  # fmt: skip
FORECAST = re.compile(
    r"(?<![\w])(?:will|would|could|might|should|expects?|expected|expecting|forecasts?|forecasting|projected"
    r"|predicts?|targets?|pourrait|pourraient|pourra|pourront|devrait|devraient|devra|devront|prévoi\w*|anticip\w*"
    r"|table(?:nt)? sur|vise(?:nt)?|objectif|espère|espèrent|[a-zéè]{3,}(?:era|eront|ira|iront))(?![\w])",
    _I,
)
UP = (
    r"grimp\w*|augment\w*|gagn\w*|bondi\w*|bond|s'envol\w*|envol\w*|mont(?:é|ée|és|ées|e|ent|ant)|progress\w*|hausse"
    r"|rebond\w*|avanc(?:é|e|ent|ant)|avanç\w*|prenai(?:t|ent)|prenant|s'appréci\w*|flamb\w*|décoll\w*|pris|repris|rose|rises?|risen|rising|gain\w*"
    r"|jump\w*|climb\w*|surg\w*|soar\w*|rall\w*|advanc\w*|up|increas\w*|spik\w*|leap\w*|added|adding|higher"
    r"|regagn\w*|regain\w*|rebound\w*|recover\w*|bounc\w*|recoup\w*|skyrocket\w*|rocket\w*"
    r"|popp\w*|pops?|engrang\w*|s'adjug\w*|adjug\w*|explos\w*|dans le vert|in the green"
    r"|en vert|redress\w*|grappill\w*|tir(?:é|ée|és|ées|ait|aient) vers le haut"
    r"|(?:s'est|se sont|s'était) empar(?:é|ée|és|ées)"  # Quebec: "s'est emparé de 185,78 points, ou 0,97 %"
    r"|(?:put|puts|putting|tacked|tacking) on"  # "Micron and Nvidia put on about 6.5% and 6%"
)
DOWN = (
    r"chut\w*|rechut\w*|baiss\w*|recul\w*|perd\w*|perdu|plong\w*|déviss\w*|repli\w*|céd(?:é|e|ant|ait)|lâch\w*|dégringol\w*"
    r"|décroch\w*|gliss\w*|effondr\w*|diminu\w*|fell|falls?|fallen|falling|drop\w*|declin\w*|slid\w*|slip\w*"
    r"|slump\w*|plung\w*|tumbl\w*|sank|sinks?|sinking|lost|los(?:e|es|ing|s)|down|tank\w*|crash\w*|shed\w*|lower"
    r"|decreas\w*|dipp\w*|sunk|rout|nosediv\w*|dans le rouge|in the red|en rouge|un rouge de|gave up|gave back"
    r"|giving up"
    r"|giving back|gives up|gives back|a rendu|rendant|abandonn\w*|cèd(?:e|ent)"
    r"|s'écras\w*|écras\w*|sombr\w*|fléchi\w*|flanch\w*|fond(?:u|ait|aient|ant)|déclin\w*|s'enfonc\w*|enfonc\w*"
    r"|pein(?:é|ait|aient|e)|souffert|souffr\w*|tumbl\w*|skid\w*|retreat\w*|eas(?:ed|ing)|dropp\w*|cratèr\w*"
    r"|(?:entraîn|tir)(?:é|ée|és|ées|ait|aient) vers le bas|plummet\w*|nosediv\w*|cratered|cratering|slid"
    r"|inférieure?s?(?=\s+d[e'])"  # "reste inférieur d'environ 8,6 % à son record"
)
# "1.7% higher", "13.4% below the record close", "14 % sous son record", "20% off its high"
COMPARATIVE = re.compile(
    r"\s*(?:(?P<up>higher|above|au-dessus de|supérieure?s?|up(?!\s+to\b))|(?P<down>lower|below|under|beneath|sous"
    r"|en dessous de|down(?!\s+to\b)"
    r"|au-dessous de|inférieure?s?"
    r"|(?:off|short of)(?=\s+(?:its|their|the)\s+[\w .-]{0,25}?(?:peak|high|record))))(?![\w])",
    _I,
)
MOVE = re.compile(rf"(?<![\w])(?:(?P<up>{UP})|(?P<down>{DOWN}))(?![\w])", _I)
APPROX = re.compile(
    r"(?<![\w])(?:environ|quelques?|près de|presque|autour de|approximativement|à peu près|plus de|about|around"
    r"|roughly|nearly|almost|approximately|some|close to|more[ -]than|over|au moins|at least|moins de|less than)"
    r"(?![\w])\W*$|~\s*$",
    _I,
)
LOWER = re.compile(
    r"(?<![\w])(?:plus de|more[ -]than|over|au moins|at least|dépasse(?:nt)?(?: désormais| déjà| maintenant)?"
    r"|exceeds?|exceeded|tops?|topped)\W*$",
    _I,
)
UPPER = re.compile(r"(?<![\w])(?:moins de|less than|under)\W*$", _I)
_BREAK = re.compile(r"[;:()]|(?<!\d),|,(?!\d)")  # not the decimal comma of "1,05 milliard"
_PROPER_WORD = re.compile(r"(?<![\w])(?!(?:AI|IA|GPUs?|CEO|PDG|US|USD)(?![\w]))[A-ZÀ-Ý][\w&-]+")  # "AI models": no name
_ENDS_WITH_NAME = re.compile(r"(?<![\w])[A-ZÀ-Ý][\w&-]*(?: \d+)?$")
# a capitalised word that opens a sentence as a connective, not a name: "However, the company says…"
_CONNECTIVE = re.compile(
    r"(?:However|Meanwhile|Moreover|Still|Also|Yet|Instead|Overall|Separately|Even|Nonetheless|Nevertheless|Indeed"
    r"|Elsewhere|Cependant|Toutefois|Néanmoins|Même|D'ailleurs"
    r"|Pourtant|Ainsi|Enfin|Par ailleurs|En revanche|De plus|Or)$"
)
_VERB_START = re.compile(
    r"\s*(?:a|ont|avait|avaient|est|sont|has|have|had|is|was|were)\s+(?!été\b)(?:\w+\s+)?(?:\w+é|\w+ed|\w+en|dégagé)\b",
    _I,
)  # a clause opening on its verb: the sentence's main clause after an apposition
_RELATIVE = re.compile(r"^\s*(?:which|who|whose|that|qui|dont|lequel|laquelle|lesquels)(?![\w])", _I)


def nouns(segment: str) -> list[re.Match[str]]:
    """Measure nouns of the clauses that name what moved (see :func:`_clauses`)."""
    return [n for lo, hi in clauses(segment) for n in NOUN.finditer(segment, lo, hi)]


def main_clauses(segment: str) -> str:
    """The clauses that name what moved, without asides."""
    return " ".join(segment[lo:hi] for lo, hi in clauses(segment))


def clauses(segment: str) -> list[tuple[int, int]]:
    """Spans of the clauses that name what moved, leaving out asides.

    Back from the figure to the last clause with a noun or a name; a clause
    between commas that starts in lowercase after a name ("Microsoft,
    premier actionnaire d'OpenAI, a progressé") is an aside and says
    nothing about the measure.
    """
    bounds = [0] + [m.end() for m in _BREAK.finditer(segment)] + [len(segment)]
    chunks = list(pairwise(bounds))
    kept = []
    for k in range(len(chunks) - 1, -1, -1):
        lo, hi = chunks[k]
        part = segment[lo:hi]
        before = segment[chunks[k - 1][0] : chunks[k - 1][1]].rstrip(" ,") if k else ""
        aside = (
            0 < k < len(chunks) - 1
            and (
                bool(_RELATIVE.match(part))
                or (
                    part.strip()[:1].islower()
                    and bool(_ENDS_WITH_NAME.search(before))
                    and not _CONNECTIVE.match(before)
                )
            )
            and not _VERB_START.match(part)
        )  # "Arm, contrôlé par SoftBank Group, a dégagé un chiffre d'affaires…"
        if aside:
            continue
        kept.append((lo, hi))
        if NOUN.search(part) or _PROPER_WORD.search(part):
            break
    return list(reversed(kept))


# a day's "since" right before it: "since Monday", "depuis le 5 août" (a period's start, not an event's day)
SINCE_DAY = re.compile(r"(?<![\w])(?:since|depuis)\s+(?:le\s+)?$", re.IGNORECASE)
# ", which hit a record in March," / ", qui a bondi depuis janvier,": a whole relative aside
RELATIVE_ASIDE = re.compile(r",\s*(?:which|who|that|qui|dont)(?![\w])[^,;]*,", re.IGNORECASE)


def blank(rx: re.Pattern[str], text: str) -> str:
    """``text`` with what ``rx`` matches blanked out (offsets kept)."""
    return rx.sub(lambda m: " " * len(m.group()), text)
