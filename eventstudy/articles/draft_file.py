"""An :class:`Extraction` as a draft study file (TOML) and a claims CSV.

The TOML loads with :func:`eventstudy.spec.load_study`: ``[study]``,
``[[securities]]`` (from the company table's listings), ``[[events]]`` and
``[[claims]]`` as documented in ``docs/study-file.md``; each claim also
carries its ``offset``. Provenance for the reviewer lives in ``[extract]``
(articles, reference dates, every date mention, unknown companies) and in
``[[other_figures]]``, which ``load_study`` ignores.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from eventstudy.articles.companies import CompanyTable, Listing, parse_alias
from eventstudy.articles.extract import extract
from eventstudy.articles.records import ArticleError, CandidateClaim, DateMention, Extraction

CSV_COLUMNS = ["ticker", "reported", "day_ref", "timing", "since", "source", "offset", "quote"]


def draft_study(
    paths: Iterable[str | Path],
    *,
    year: int | None = None,
    reference_date: dt.date | None = None,
    aliases: Mapping[str, str] | None = None,
    listings: Mapping[str, Listing] | None = None,
    study_id: str = "draft",
    title: str = "",
) -> str:
    """Draft a study file (TOML text) from news articles, for a person to review.

    Parameters are those of :func:`eventstudy.articles.extract`, plus the
    study's ``id`` and ``title``.

    Raises
    ------
    ArticleError
        When an article cannot be read, or no stock claim or event is found.

    Examples
    --------
    >>> text = draft_study(["article.txt"], year=2025)  # doctest: +SKIP
    >>> Path("draft.toml").write_text(text)  # doctest: +SKIP
    """
    paths = list(paths)
    found = extract(paths, year=year, reference_date=reference_date, aliases=aliases, listings=listings)
    return to_toml(found, study_id=study_id, title=title, table=CompanyTable(aliases, listings),
                   reference_date=reference_date)  # fmt: skip


def check_usable(found: Extraction, reference_date: dt.date | None = None, *, date_hint: str = "") -> None:
    """Raise :class:`ArticleError` when there is no claim, or no event to hang claims on.

    ``date_hint``: what the error adds for an undated article (``check``: the date its figures fit).
    """
    files = ", ".join(a.path for a in found.articles)
    if not found.claims:
        kinds = sorted({f.kind for f in found.other_figures})
        also = f" ({len(found.other_figures)} other figures: {', '.join(kinds)})" if kinds else ""
        raise ArticleError(f"{files}: no stock-price claim found{also}; nothing to draft")
    if not found.events and reference_date is None:
        raise ArticleError(
            f"{files}: {len(found.claims)} claim(s) but no dated event found; pass --reference-date YYYY-MM-DD "
            "(the announcement date) or --year" + (f"; {date_hint}" if date_hint else "")
        )


def to_toml(
    found: Extraction,
    *,
    study_id: str = "draft",
    title: str = "",
    table: CompanyTable | None = None,
    reference_date: dt.date | None = None,
) -> str:
    """The draft study file for an extraction (see the module doc)."""
    check_usable(found, reference_date)
    table = table or CompanyTable()
    events = list(found.events)
    claims = list(found.claims)
    lines = _header(found)
    lines += ["[study]", f"id = {_s(study_id)}", f"title = {_s(title or 'Draft from ' + _files(found))}", ""]
    for ticker in dict.fromkeys(c.ticker for c in claims):
        lines += _security(table.listing(ticker))
    if not events:  # claims but no date: hang them on the given reference date
        lines += ["[[events]]", 'id = "reference"', f"timestamp = {reference_date}", 'title = "--reference-date"', ""]
        claims = [c if c.event else replace(c, event="reference") for c in claims]
    for ev in events:
        lines += [
            "[[events]]",
            f"id = {_s(ev.id)}",
            f"title = {_s(ev.title)}",
            f"timestamp = {_timestamp(ev.timestamp)}",
            f"sources = [{', '.join(_s(s) for s in ev.sources)}]",
        ]
        lines += [f"note = {_s(ev.note)}"] if ev.note else []
        lines += [f"# {_comment(_mention(d))}" for d in ev.mentions] + [""]
    for c in claims:
        lines += _claim(c)
    lines += _extract_table(found)
    for f in found.other_figures:
        lines += [
            "[[other_figures]]",
            f"value_percent = {_num(f.value_percent)}",
            f"figure = {_s(f.figure)}",
            f"kind = {_s(f.kind)}",
            f"reason = {_s(f.reason)}",
            f"subject = {_s(f.subject)}",
            f"source = {_s(f.source)}",
            f"offset = {f.offset}",
            f"quote = {_s(f.quote)}",
            "",
        ]
    return _checked("\n".join(lines).rstrip("\n") + "\n", len(claims))


def _checked(text: str, claims: int) -> str:
    """The draft, once it parses back with exactly the claims written (nothing escaped its string or comment)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # a bug here, never the user's input
        raise AssertionError(f"the drafted study file does not parse: {exc}") from None
    if len(doc.get("claims", [])) != claims:
        raise AssertionError("the drafted study file holds claims that were not drafted")
    return text


def claims_csv(found: Extraction) -> str:
    """The stock claims as CSV: ``ticker,reported,day_ref,timing,since,source,offset,quote``.

    ``reported`` is a decimal (0.07 for +7 %); ``day_ref`` is the session the
    words point to (ISO date), empty when the article names no day; ``timing``
    the moment of it ("close", "premarket"…); ``since`` a period move's
    reference close (empty for a one-session move).
    """
    import pandas as pd

    from eventstudy.file_io import write_csv  # the package's one CSV writer: spreadsheet formulas neutralised

    rows = [[c.ticker, c.reported_percent / 100, c.session.isoformat() if c.session else "", c.timing, c.since,
             c.source, c.offset, c.quote] for c in found.claims]  # fmt: skip
    return write_csv(pd.DataFrame(rows, columns=CSV_COLUMNS).astype({"reported": float, "offset": int}))


def _header(found: Extraction) -> list[str]:
    lines = [
        "# DRAFT study file, written by `eventstudy extract`: REVIEW EVERY ENTRY BEFORE USE.",
        "# Events, claims and figures were found by pattern matching. Check each against its",
        "# quote (file and character offset), fix or delete what is wrong, then run:",
        "#   eventstudy run THIS_FILE",
        "# Events are date-only unless a time with a time zone was stated. Percentages that",
        "# are not stock moves are listed under [[other_figures]] (ignored by `eventstudy run`).",
        "#",
    ]
    for a in found.articles:
        ref = f"relative days from {a.reference} ({a.reference_from})" if a.reference else "no reference date"
        head = f"date header {a.header}" if a.header else "no date header"
        lines.append(f"# {_comment(f'{a.source}: {head}; {ref}')}")
    if found.unknown_companies:
        lines.append(f"# Not in the company table (no claim drafted): {_comment(', '.join(found.unknown_companies))}")
    return [*lines, ""]


def _security(listing: Listing) -> list[str]:
    lines = ["[[securities]]"]
    if listing.index:
        lines.append("# benchmark claim: the index itself is measured (its abnormal return is zero by construction)")
    lines += [f"ticker = {_s(listing.ticker)}", f"name = {_s(listing.name)}"]
    if listing.exchange:
        lines += [f"exchange = {_s(listing.exchange)}", f"benchmark = {_s(listing.benchmark)}"]
        if listing.ohlc:  # chosen by `check` from the price source
            lines.append(f"ohlc = {_s(listing.ohlc)}  # day's range: no High/Low in {listing.ticker}.csv")
        return [*lines, *(["index = true"] if listing.index else []), ""]
    return [*lines, 'exchange = ""  # fill in: exchange_calendars code (XNYS, XNAS, XTKS, …)',
            'benchmark = ""  # fill in: market index symbol (^GSPC, ^N225, …)', ""]  # fmt: skip


def _claim(c: CandidateClaim) -> list[str]:
    lines = ["[[claims]]"]
    if c.benchmark:
        lines.append("# benchmark claim: a market index's move")
    if c.note:
        lines.append(f"# review: {_comment(c.note)}")
    if c.day_words:
        ref = f"counted from {c.day_reference} ({c.day_reference_from})" if c.day_reference else "not resolved"
        lines.append(f"# day: {_comment(repr(c.day_words) + ', ' + ref)}")
    lines += [
        f"id = {_s(c.id)}",
        f"ticker = {_s(c.ticker)}",
        f"event = {_s(c.event)}",
        f"reported_percent = {_num(c.reported_percent)}  # {_comment(c.figure)}, verb {_comment(repr(c.verb))}",
        f"approximate = {'true' if c.approximate else 'false'}",
    ]
    if c.bound:
        lines.append(f"bound = {_s(c.bound)}  # at_least: the move is at least that large; at_most: at most")
    if c.session is not None:
        lines.append(f"session = {c.session.isoformat()}")
    if c.timing != "close":
        lines.append(f"timing = {_s(c.timing)}")
    if c.since:
        lines.append(f"since = {_s(c.since)}  # a period move: from this reference close to the session")
    return [*lines, f"source = {_s(c.source)}", f"offset = {c.offset}", f"quote = {_s(c.quote)}", ""]


def _extract_table(found: Extraction) -> list[str]:
    lines = [
        "[extract]",
        'tool = "eventstudy extract"',
        f"unknown_companies = [{', '.join(_s(n) for n in found.unknown_companies)}]",
        "",
    ]
    for a in found.articles:
        lines += ["[[extract.articles]]", f"source = {_s(a.source)}", f"chars = {a.chars}"]
        lines += [f"date_header = {_s(a.header)}"] if a.header else []
        if a.reference is not None:
            lines += [f"reference_date = {a.reference}", f"reference_from = {_s(a.reference_from)}"]
        lines.append("")
    for d in found.dates:
        lines += ["[[extract.dates]]", f"source = {_s(d.source)}", f"offset = {d.offset}", f"words = {_s(d.words)}"]
        lines += [f"kind = {_s(d.kind)}", f"precision = {_s(d.precision)}"]
        lines += [f"date = {d.date.isoformat()}"] if d.date else ['date_note = "not resolved: no year or reference"']
        lines += [f"year_from = {_s(d.year_from)}"] if d.year_from and d.kind == "absolute" else []
        if d.reference is not None:
            lines += [f"reference = {d.reference}", f"reference_from = {_s(d.reference_from)}"]
        lines += [f"timing = {_s(d.timing)}"] if d.timing else []
        lines += [f"quote_offset = {d.quote_offset}", ""]
    return lines


def _mention(d: DateMention) -> str:
    how = f", from {d.reference} ({d.reference_from})" if d.reference else ""
    year = f", year from {d.year_from}" if d.kind == "absolute" and d.year_from != "text" else ""
    flag = ", announcement" if d.announcement else ""
    return f"{d.source} @{d.offset}: {d.words!r} ({d.kind}{how}{year}{flag})"


def _files(found: Extraction) -> str:
    names = [a.source for a in found.articles]
    return ", ".join(names) if len(names) <= 3 else f"{len(names)} articles"


def _timestamp(ts: dt.date | dt.datetime) -> str:
    return ts.isoformat(timespec="seconds") if isinstance(ts, dt.datetime) else ts.isoformat()


def _num(x: float) -> str:
    text = repr(float(x))
    return text if "e" not in text else f"{x:.10f}".rstrip("0")


def _s(value: str) -> str:
    """A TOML basic string: quotes, backslashes and every control character escaped."""
    return json.dumps(value, ensure_ascii=False).translate(_ESCAPE)


# JSON leaves DEL, C1 controls and the Unicode line and paragraph separators as they are
_ESCAPE = {c: f"\\u{c:04x}" for c in [0x7F, *range(0x80, 0xA0), 0x2028, 0x2029]}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def _comment(text: str) -> str:
    """Text for a ``#`` comment: one line, control characters (newlines, DEL…) made spaces."""
    return " ".join(_CONTROL.sub(" ", text).split())


def listings_from_aliases(specs: Iterable[str]) -> tuple[dict[str, str], dict[str, Listing]]:
    """``NAME=TICKER[:EXCHANGE:BENCHMARK]`` options → (aliases, listings)."""
    aliases, listings = {}, {}
    for spec in specs:
        name, listing = parse_alias(spec)
        aliases[name] = listing.ticker
        listings[listing.ticker] = listing
    return aliases, listings
