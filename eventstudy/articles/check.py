"""`eventstudy check`: articles → draft study → verdicts, with the draft kept next to the report.

The run's id comes from the articles (the first file's name and a hash of all
their bytes), so two runs on the same articles share it and different articles
never do. The report goes to ``--out``, else to
``<temp dir>/eventstudy-check-<uid>/<id>``: nothing is written in the current
directory (or the repository) unless asked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from eventstudy.articles.companies import CompanyTable, Listing
from eventstudy.articles.extract import extract
from eventstudy.articles.records import Extraction
from eventstudy.articles.render import to_toml
from eventstudy.articles.text import read_article
from eventstudy.files import private_dir
from eventstudy.spec import StudySpec, parse_study


def run_id(paths: Sequence[str | Path]) -> str:
    """``check-<first file's stem>[-and-N]-<8 hex of the articles' SHA-256>``."""
    digest = hashlib.sha256()
    for p in paths:
        digest.update(read_article(p).raw.encode("utf-8"))
        digest.update(b"\0")
    stem = re.sub(r"[^A-Za-z0-9]+", "-", Path(paths[0]).stem).strip("-").lower()[:30] or "article"
    more = f"-and-{len(paths) - 1}" if len(paths) > 1 else ""
    return f"check-{stem}{more}-{digest.hexdigest()[:8]}"


def default_out(study_id: str) -> Path:
    """Where a report goes without ``--out``: under ``<temp dir>/eventstudy-check-<user id>``, private."""
    user = getattr(os, "getuid", lambda: "user")()
    return private_dir(Path(tempfile.gettempdir()) / f"eventstudy-check-{user}") / study_id


def draft_for_check(
    paths: Sequence[str | Path],
    out: Path,
    *,
    year: int | None = None,
    reference_date: dt.date | None = None,
    aliases: Mapping[str, str] | None = None,
    listings: Mapping[str, Listing] | None = None,
    study_id: str | None = None,
) -> tuple[StudySpec, str, Extraction]:
    """The drafted study (validated as ``load_study`` would), its TOML text and the extraction."""
    found = extract(paths, year=year, reference_date=reference_date, aliases=aliases, listings=listings)
    sid = study_id or run_id(paths)
    text = to_toml(found, study_id=sid, title=f"eventstudy check: {_names(paths)}",
                   table=CompanyTable(aliases, listings), reference_date=reference_date)  # fmt: skip
    spec = parse_study(tomllib.loads(text), path=out / "draft.toml",
                       sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())  # fmt: skip
    return spec, text, found


def _names(paths: Sequence[str | Path]) -> str:
    names = [Path(p).name for p in paths]
    return ", ".join(names) if len(names) <= 3 else f"{names[0]} and {len(names) - 1} more"


def without_unpriced(spec: StudySpec, has: Callable[[str], bool], where: str) -> tuple[StudySpec, list[str]]:
    """The study without the securities (and their claims) whose prices or benchmark's are not held.

    ``has(symbol)`` asks the price source (a CSV or Parquet folder alike, see
    :func:`eventstudy.market.source.holds`); ``where`` names it. Returns the study and one line per
    security left out, for the user.
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


def with_day_ranges(spec: StudySpec, text: str, prices: Path) -> tuple[StudySpec, str, list[str]]:
    """Give each security whose price file has no High/Low a second file of ``prices`` that has them.

    The second file is ``<ticker>_*.csv`` beside the first (e.g. ``9984.T_JQuants_OHLCV.csv``),
    used as the security's ``ohlc`` source: without a day's range a claim about a price quoted
    during the session ("6 % jeudi midi") cannot be checked. Returns the study, the draft's
    TOML ``text`` with the same ``ohlc`` lines, and one line per file chosen, for the user.
    """
    from eventstudy.files import symbol_filename

    chosen: dict[str, str] = {}
    for sec in spec.securities:
        own = prices / symbol_filename(sec.ticker)
        if sec.ohlc or not own.is_file() or _has_range(own):
            continue
        stem = own.name.removesuffix(".csv")
        second = sorted(p for p in prices.glob(f"{stem}_*.csv") if p.is_file() and _has_range(p))
        if second:
            chosen[sec.ticker] = second[0].name.removesuffix(".csv")
    if not chosen:
        return spec, text, []
    securities = tuple(replace(s, ohlc=chosen[s.ticker]) if s.ticker in chosen else s for s in spec.securities)
    lines = [f"{t}: no High/Low in {t}.csv; the day's range comes from {f}.csv" for t, f in chosen.items()]
    for ticker, stem in chosen.items():  # after the security's benchmark line, in its [[securities]] table
        block = re.search(rf'^ticker = "{re.escape(ticker)}"\n(?:(?!\[).*\n)*?benchmark = .*\n', text, re.MULTILINE)
        if block:
            line = f'ohlc = "{stem}"  # day\'s range: no High/Low in {ticker}.csv\n'
            text = text[: block.end()] + line + text[block.end() :]
    return replace(spec, securities=securities), text, lines


def _has_range(path: Path) -> bool:
    """Whether a price CSV has High and Low values (its first data rows, not only the header)."""
    import csv

    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = csv.DictReader(fh)
            head = [r for _, r in zip(range(20), rows, strict=False)]
    except (OSError, UnicodeDecodeError, csv.Error):
        return False
    return any((r.get("High") or "").strip() and (r.get("Low") or "").strip() for r in head)
