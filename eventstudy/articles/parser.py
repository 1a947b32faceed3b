"""The optional dependency parser: spaCy's official French pipeline ``fr_core_news_sm``.

A main dependency (versions pinned in pyproject.toml). It is asked only when the clause rules of
:mod:`.attribution` find no subject in a French sentence (an inverted
subject: "Ont également progressé Oracle (+3 %) et Nvidia (+2 %)"), and its
answer counts only when it is a name the company table knows. On appositions
and elliptical lists the small model errs ("Arm, la société britannique
détenue par SoftBank, s'est envolée" → subject "société"), which is why the
rules come first.

No English pipeline is used: spaCy's own ``en_core_web_sm`` is not on the
package index, and the third-party re-uploads could not be checked against
the official release's checksums; English attribution is rules only.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from typing import Any

from eventstudy.articles.attribution import Subject
from eventstudy.articles.companies import CompanyMention

MODEL = "fr_core_news_sm"
DEGRADED = (
    f"attribution is degraded: the French parser ({MODEL}) is not installed; the clause rules alone decide "
    "the subject of each move (reinstall the package: pip install -e .)"
)
_FRENCH = re.compile(r"(?<![\w])(?:le|la|les|des|du|est|a|au|aux|une|et|dans|pour)(?![\w])", re.IGNORECASE)
_ENGLISH = re.compile(r"(?<![\w])(?:the|of|and|to|in|is|was|for|on|with|its)(?![\w])", re.IGNORECASE)
_SUBJECTS = {"nsubj", "nsubj:pass"}
_CLAUSE_HEADS = {"ROOT", "acl:relcl", "acl", "advcl", "ccomp", "xcomp", "conj", "parataxis"}
_PRICE_NOUNS = {"cours", "titre", "action", "actions", "titres"}


def is_french(text: str) -> bool:
    """Whether an article reads as French (more French than English function words)."""
    return len(_FRENCH.findall(text)) > len(_ENGLISH.findall(text))


def installed() -> bool:
    """Whether spaCy and the French model are installed (without loading them)."""
    return all(importlib.util.find_spec(name) is not None for name in ("spacy", MODEL))


class Lazy:
    """The parser, loaded the first time the rules need it (loading takes seconds)."""

    def subject(self, text: str, sentence_start: int, fig_start: int, mentions: list[CompanyMention]) -> Subject | None:
        """See :meth:`FrenchParser.subject`; None when the parser cannot be loaded."""
        parser = load()
        return parser.subject(text, sentence_start, fig_start, mentions) if parser else None


@cache
def load() -> FrenchParser | None:
    """The parser, loaded once; None when spaCy or the model is not installed."""
    try:
        import spacy

        nlp = spacy.load(MODEL, exclude=["ner", "lemmatizer", "attribute_ruler", "morphologizer", "senter"])
    except (ImportError, OSError):
        return None
    return FrenchParser(nlp)


class FrenchParser:
    """Subject of a move verb from a dependency parse."""

    def __init__(self, nlp: Any) -> None:
        self.nlp = nlp
        self._docs: dict[str, Any] = {}

    def subject(self, text: str, sentence_start: int, fig_start: int, mentions: list[CompanyMention]) -> Subject | None:
        """The known company or index that is the subject of the verb governing the figure, if any."""
        end = text.find("\n", fig_start)
        sentence = text[sentence_start : end if end >= 0 else len(text)]
        doc = self._docs.get(sentence)
        if doc is None:
            doc = self._docs[sentence] = self.nlp(sentence)
        at = fig_start - sentence_start
        token = next((t for t in doc if t.idx <= at < t.idx + len(t)), None)
        seen = 0  # up to the head of the figure's clause
        while token is not None and token.dep_ not in _CLAUSE_HEADS and token.head is not token and seen < 6:
            token, seen = token.head, seen + 1
        if token is None:
            return None
        verb = token
        for candidate in [*verb.children, *(verb.head.children if verb.dep_ == "conj" else [])]:
            if candidate.dep_ not in _SUBJECTS and not (candidate.dep_ == "obj" and verb.i < candidate.i):
                continue
            if candidate.lower_ in ("qui", "which") and verb.dep_ == "acl:relcl":
                candidate = verb.head  # "Broadcom, qui a cédé 17,4 %"
            if candidate.lower_ in _PRICE_NOUNS:  # "le cours d'Oracle"
                candidate = next((c for c in candidate.children if c.dep_ == "nmod"), candidate)
            found = _mention_at(candidate, sentence_start, mentions)
            if found is not None:
                return Subject(found.name, found.ticker, "subject from the French parser")
        return None


def _mention_at(token: Any, offset: int, mentions: list[CompanyMention]) -> CompanyMention | None:
    start = offset + token.idx
    return next((m for m in mentions if m.start <= start < m.end), None)
