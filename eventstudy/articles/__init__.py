"""News articles → a draft study file: candidate events and claims, with provenance.

Public API::

    from eventstudy.articles import draft_study, extract
    toml_text = draft_study(["article.txt"], year=2025)   # for a person to review
    found = extract(["article.txt"], year=2025)           # the records themselves
    found.claims, found.events, found.other_figures

Modules: :mod:`.text` (reading, sentences), :mod:`.companies` (alias
table), :mod:`.notation` (ticker notations), :mod:`.descriptions` ("the
chipmaker"), :mod:`.date_names` (month and weekday names),
:mod:`.date_lines` (the article's own date line), :mod:`.dates` (date
mentions and what they count from), :mod:`.session_words` (a figure's
session and moment), :mod:`.claim_days` (the session of a figure whose
words name none), :mod:`.words` (the vocabulary of moves),
:mod:`.moves` (percentages), :mod:`.figure_kind` (a price move or
another figure), :mod:`.period_words` (period moves and their
reference), :mod:`.multiples` ("a plus que doublé"), :mod:`.attribution` (who moved), :mod:`.extract` (events,
links), :mod:`.draft_file` (TOML and CSV).

Stage 2 of the flow. May import: :mod:`eventstudy.spec` and the base layer
(:mod:`eventstudy.errors`, :mod:`eventstudy.file_io`).
"""

from __future__ import annotations

from eventstudy.articles.companies import ALIASES, LISTINGS, CompanyTable, Listing, parse_alias
from eventstudy.articles.draft_file import CSV_COLUMNS, claims_csv, draft_study, to_toml
from eventstudy.articles.extract import extract
from eventstudy.articles.records import (
    ArticleError,
    ArticleInfo,
    CandidateClaim,
    CandidateEvent,
    DateMention,
    Extraction,
    OtherFigure,
)

__all__ = [
    "ALIASES",
    "CSV_COLUMNS",
    "LISTINGS",
    "ArticleError",
    "ArticleInfo",
    "CandidateClaim",
    "CandidateEvent",
    "CompanyTable",
    "DateMention",
    "Extraction",
    "Listing",
    "OtherFigure",
    "claims_csv",
    "draft_study",
    "extract",
    "parse_alias",
    "to_toml",
]
