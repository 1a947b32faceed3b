"""Orchestration of `eventstudy check`: articles + price source → (study, verdicts), in one call.

No computation lives here; each step calls the stage that owns it::

    read the articles once (articles.text) ─▶ extract (articles.extract) ─▶ StudySpec (articles.check)
      ─▶ ask the source what it holds (market: has, day_range) ─▶ EventStudy.run (study) ─▶ StudyResults

The report, with ``draft.toml`` next to it, is written by the caller (the CLI: ``write_report``)
from what this returns: the draft's text is ``spec.extra["draft.toml"]``, the extraction it
comes from ``spec.extra["extraction"]``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventstudy.errors import EventStudyError

if TYPE_CHECKING:
    import pandas as pd

    from eventstudy.articles.records import CandidateClaim
    from eventstudy.articles.text import Article
    from eventstudy.market import PriceSource
    from eventstudy.results import StudyResults
    from eventstudy.spec import Security, StudySpec

DRAFT = "draft.toml"  # the draft's file name in the report folder, and its key in ``spec.extra``


def check(
    paths: Sequence[str | Path],
    source: PriceSource,
    *,
    reference_date: dt.date | None = None,
    year: int | None = None,
    aliases: Mapping[str, str] | None = None,
    listings: Mapping[str, Security] | None = None,
    out: str | Path | None = None,
    progress: Callable[..., None] | None = None,
) -> tuple[StudySpec, StudyResults]:
    """Check the price moves news articles report: draft the study from them and run it on ``source``.

    Parameters
    ----------
    paths
        UTF-8 plain-text articles (French or English), each read once.
    source
        Where prices come from (:class:`~eventstudy.market.CsvDirectorySource`, ``ParquetSource``,
        ``YahooSource``). Securities whose prices or benchmark's it does not hold (``source.has``) are
        left out with a warning; one whose prices lack High/Low takes its day's range from the
        series ``source.day_range`` names (``9984.T_JQuants_OHLCV``), also with a warning.
    reference_date, year, aliases, listings
        As for :func:`eventstudy.articles.extract`.
    out
        The report folder ``draft.toml`` is meant for: the study's ``path`` is ``out/draft.toml``
        (default ``<temp dir>/eventstudy-check-<uid>/<id>``, the id coming from the articles).
    progress
        Called with progress messages, as :meth:`eventstudy.EventStudy.run`'s.

    Returns
    -------
    (StudySpec, StudyResults)
        The study as run (its draft file's text in ``spec.extra["draft.toml"]``, hashed in
        ``spec.sha256``; the extraction in ``spec.extra["extraction"]``) and its results:
        ``results.claims`` holds the verdicts.

    Raises
    ------
    EventStudyError
        An article cannot be read, holds no claim, or the source holds none of the claimed securities.
    """
    from eventstudy.articles.check import (
        check_title,
        default_out,
        draft_spec,
        draft_text,
        run_id,
        with_day_ranges,
        without_unpriced,
    )
    from eventstudy.articles.companies import CompanyTable
    from eventstudy.articles.draft_file import check_usable
    from eventstudy.articles.extract import extract
    from eventstudy.articles.text import read_article
    from eventstudy.claims.dating import fitting_dates, suggestion
    from eventstudy.market.source import holds
    from eventstudy.study import EventStudy

    articles = [read_article(p) for p in paths]
    study_id = run_id(articles)
    folder = Path(out) if out is not None else default_out(study_id)
    found = extract(articles, year=year, reference_date=reference_date, aliases=aliases, listings=listings)
    if found.claims and not found.events and reference_date is None:  # undated: say which dates the figures fit
        read = partial(_claims_from, articles, year=year, aliases=aliases, listings=listings)
        check_usable(found, date_hint=suggestion(fitting_dates(found.claims, read, partial(_close_moves, source))))
    table = CompanyTable(aliases, listings)
    spec = draft_spec(found, table, study_id=study_id, title=check_title(articles), reference_date=reference_date,
                      path=folder / DRAFT)  # fmt: skip
    has = getattr(source, "has", partial(holds, source))
    spec, left_out = without_unpriced(spec, has, _where(source))
    spec, ranges = with_day_ranges(spec, getattr(source, "day_range", lambda symbol: symbol))
    for line in (*left_out, *ranges):
        warnings.warn(line, stacklevel=2)
    if not spec.securities:
        raise EventStudyError(f"{', '.join(map(str, paths))}: no claimed security has prices in {_where(source)}")
    text = draft_text(found, spec, table, reference_date)
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    spec = replace(spec, sha256=sha256, extra={DRAFT: text, "extraction": found})
    return spec, EventStudy(spec, source, on_error="skip").run(progress=progress)


def _claims_from(articles: Sequence[Article], reference_date: dt.date, **options: Any) -> list[CandidateClaim]:
    """The articles' claims read with ``reference_date`` (a candidate date of an undated article)."""
    from eventstudy.articles.extract import extract

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return list(extract(articles, reference_date=reference_date, **options).claims)


def _close_moves(source: PriceSource, ticker: str) -> pd.Series | None:
    """``ticker``'s close-to-close moves on every session the source holds, None without prices."""
    import pandas as pd

    from eventstudy.errors import UnknownSymbolError
    from eventstudy.market.decompose import decompose

    try:
        frame = source.prices(ticker, pd.Timestamp.min, pd.Timestamp.max)
    except UnknownSymbolError:
        return None
    return decompose(frame, frame.index[1:]).set_index("session")["close_to_close"]


def _where(source: PriceSource) -> str:
    """The folder or URL the source reads (as ``--prices`` named it), else its one-line description."""
    for attr in ("directory", "url"):
        if (where := getattr(source, attr, None)) is not None:
            return str(where)
    return source.describe()
