"""`eventstudy check`, the articles' side: the run's id and folder, the drafted study and its draft file.

The run's id comes from the articles (the first file's name and a hash of all
their bytes), so two runs on the same articles share it and different articles
never do. The report goes to ``--out``, else to
``<temp dir>/eventstudy-check-<uid>/<id>``: nothing is written in the current
directory (or the repository) unless asked.

The study is built from the extraction as the values ``draft.toml`` holds, checked by the
parser ``load_study`` uses (:func:`draft_spec`); the draft file itself is written for the
reviewer from the same extraction and the study's securities (:func:`draft_text`). The
library call that chains them is :func:`eventstudy.checking.check`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from eventstudy.articles.companies import CompanyTable
from eventstudy.articles.draft_file import check_usable, to_toml
from eventstudy.articles.records import CandidateClaim, Extraction
from eventstudy.articles.text import Article
from eventstudy.file_io import private_dir
from eventstudy.spec import StudySpec, parse_study


def run_id(articles: Sequence[Article]) -> str:
    """``check-<first file's stem>[-and-N]-<8 hex of the articles' SHA-256>``."""
    digest = hashlib.sha256()
    for a in articles:
        digest.update(a.raw.encode("utf-8"))
        digest.update(b"\0")
    stem = re.sub(r"[^A-Za-z0-9]+", "-", articles[0].path.stem).strip("-").lower()[:30] or "article"
    more = f"-and-{len(articles) - 1}" if len(articles) > 1 else ""
    return f"check-{stem}{more}-{digest.hexdigest()[:8]}"


def default_out(study_id: str) -> Path:
    """Where a report goes without ``--out``: under ``<temp dir>/eventstudy-check-<user id>``, private."""
    user = getattr(os, "getuid", lambda: "user")()
    return private_dir(Path(tempfile.gettempdir()) / f"eventstudy-check-{user}") / study_id


def check_title(articles: Sequence[Article]) -> str:
    """The drafted study's title: ``eventstudy check: a.txt, b.txt`` (the first and a count past three)."""
    names = [a.source for a in articles]
    return "eventstudy check: " + (", ".join(names) if len(names) <= 3 else f"{names[0]} and {len(names) - 1} more")


def draft_spec(
    found: Extraction,
    table: CompanyTable,
    *,
    study_id: str,
    title: str,
    reference_date: dt.date | None = None,
    path: str | Path = "draft.toml",
) -> StudySpec:
    """The study ``draft.toml`` describes, from the extraction's values, checked as ``load_study`` checks a file.

    Raises :class:`~eventstudy.articles.records.ArticleError` when there is nothing to draft and
    :class:`~eventstudy.errors.StudyFileError` (naming ``path``) when a drafted value is not valid.
    """
    check_usable(found, reference_date)
    claims: list[CandidateClaim] = list(found.claims)
    events: list[dict[str, Any]] = [
        {"id": e.id, "title": e.title, "timestamp": e.timestamp, "sources": list(e.sources)}
        | ({"note": e.note} if e.note else {})
        for e in found.events
    ]
    if not events:  # claims but no date: hung on the given reference date, as the draft file writes it
        events = [{"id": "reference", "timestamp": reference_date, "title": "--reference-date"}]
        claims = [c if c.event else replace(c, event="reference") for c in claims]
    doc = {
        "study": {"id": study_id, "title": title},
        "securities": [_security(table, t) for t in dict.fromkeys(c.ticker for c in claims)],
        "events": events,
        "claims": [_claim(c) for c in claims],
    }
    return parse_study(doc, path=path)


def _security(table: CompanyTable, ticker: str) -> dict[str, Any]:
    listing = table.listing(ticker)
    out = {"ticker": listing.ticker, "name": listing.name, "exchange": listing.exchange, "benchmark": listing.benchmark}
    return out | ({"index": True} if listing.index and listing.exchange else {})


def _claim(c: CandidateClaim) -> dict[str, Any]:
    optional = {"bound": c.bound, "session": c.session, "timing": c.timing if c.timing != "close" else "",
                "since": c.since}  # fmt: skip
    return {
        "id": c.id,
        "ticker": c.ticker,
        "event": c.event,
        "reported_percent": float(c.reported_percent),
        "approximate": c.approximate,
        **{k: v for k, v in optional.items() if v},
        "source": c.source,
        "offset": c.offset,
        "quote": c.quote,
    }


def draft_text(found: Extraction, spec: StudySpec, table: CompanyTable, reference_date: dt.date | None) -> str:
    """``draft.toml`` for the reviewer: every drafted security, each with the ``ohlc`` the study gives it."""
    for sec in spec.securities:
        if sec.ohlc:
            table.listings[sec.ticker] = replace(table.listing(sec.ticker), ohlc=sec.ohlc)
    return to_toml(found, study_id=spec.id, title=spec.title, table=table, reference_date=reference_date)


def without_unpriced(spec: StudySpec, has: Callable[[str], bool], where: str) -> tuple[StudySpec, list[str]]:
    """The study without the securities (and their claims) whose prices or benchmark's are not held.

    ``has(symbol)`` asks the price source (``source.has``: a CSV or Parquet folder alike); ``where``
    names it. Returns the study and one line per security left out, for the user.
    """
    dropped = [s for s in spec.securities if not has(s.ticker) or not has(s.benchmark)]
    if not dropped:
        return spec, []
    gone = {s.ticker for s in dropped}
    kept = tuple(s for s in spec.securities if s.ticker not in gone)
    lines = [
        f"{s.ticker} ({s.name}) not checked: no prices for {s.ticker if not has(s.ticker) else s.benchmark} "
        f"in {where}" for s in dropped
    ]  # fmt: skip
    claims = tuple(c for c in spec.claims if c.ticker not in gone)
    return replace(spec, securities=kept, claims=claims), lines


def with_day_ranges(spec: StudySpec, day_range: Callable[[str], str | None]) -> tuple[StudySpec, list[str]]:
    """Give each security whose prices have no High/Low a second series of the source that has them.

    ``day_range(symbol)`` (``source.day_range``) names the symbol whose prices give ``symbol``'s
    day's range: itself, a second file such as ``9984.T_JQuants_OHLCV.csv``, or None. The second
    one becomes the security's ``ohlc`` source: without a day's range a claim about a price quoted
    during the session ("6 % jeudi midi") cannot be checked. Returns the study and one line per
    series chosen, for the user.
    """
    chosen = {s.ticker: other for s in spec.securities if not s.ohlc and (other := day_range(s.ticker)) not in
              (None, s.ticker)}  # fmt: skip
    securities = tuple(replace(s, ohlc=chosen[s.ticker]) if s.ticker in chosen else s for s in spec.securities)
    lines = [f"{t}: no High/Low in {t}.csv; the day's range comes from {f}.csv" for t, f in chosen.items()]
    return replace(spec, securities=securities), lines
