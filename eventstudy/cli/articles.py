"""``eventstudy extract`` and ``eventstudy check``: from news articles to a draft study, and to verdicts."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from eventstudy.cli.options import (
    EXIT_CODES_HELP,
    EXIT_OK,
    REPORT_FORMATS,
    add_command,
    formats,
    location,
    path_arg,
    price_source,
    progress,
    stop_progress,
    year,
)
from eventstudy.errors import EventStudyError

if TYPE_CHECKING:
    from eventstudy.results import StudyResults
    from eventstudy.spec import Security, StudySpec

EXTRACT_EXAMPLE = """\
examples:
  eventstudy extract ../shared/seeds/*.txt --year 2025 --out draft.toml --claims-csv claims.csv
  eventstudy extract article.txt --reference-date 2025-01-21 --alias "Tesla=TSLA:XNAS:^GSPC"
  eventstudy run draft.toml --prices ../shared/data/prices   # after reviewing draft.toml
"""

CHECK_EXAMPLE = """\
examples:
  eventstudy check article.txt --prices ../shared/data/prices
  eventstudy check a.txt b.txt --out /tmp/check --year 2025
"""

EXTRACT_HELP = "draft a study file from news articles (plain text, French or English)"
EXTRACT_DESCRIPTION = (
    "Read news articles and draft a study file for a person to review: candidate events\n"
    "from the dates the articles give, and the stock moves they report as claims, each with its\n"
    "file, character offset and sentence. Percentages that are not stock moves (stakes,\n"
    "valuations, sectors, tokens) are listed as other figures. Without --out the draft goes to\n"
    "standard output."
)

CHECK_HELP = "check the price moves news articles report: draft the study, run it, write the report"
CHECK_DESCRIPTION = (
    "From articles to verdicts in one command: draft a study from the articles (as\n"
    "`extract` does), run it, and write the report with the draft next to it (draft.toml), so a\n"
    "person can review the draft and rerun it with `eventstudy run`. The report cites each claim's\n"
    "sentence. The run's id comes from the articles (check-<first file>-<hash of the articles>).\n"
    "Without --out the report goes to <temp dir>/eventstudy-check-<uid>/<id>: nothing is written in\n"
    "the current directory unless asked."
)


def add_extract_parser(sub: argparse._SubParsersAction) -> None:
    """The ``extract`` subcommand and its options."""
    ext = add_command(sub, "extract", EXTRACT_HELP, EXTRACT_DESCRIPTION, EXTRACT_EXAMPLE)
    ext.add_argument("articles", type=path_arg, nargs="+", metavar="ARTICLE", help="UTF-8 plain-text article")
    ext.add_argument("--out", type=path_arg, metavar="FILE", help="write the draft study (TOML) to FILE")
    ext.add_argument(
        "--claims-csv", type=path_arg, metavar="FILE", help="also write the claims as CSV: ticker,reported,day_ref,"
        "timing,since,source,offset,quote"
    )  # fmt: skip
    ext.add_argument(
        "--year",
        type=year,
        metavar="YEAR",
        help="year for dates written without one, in articles with no date header",
    )
    ext.add_argument(
        "--reference-date",
        metavar="DATE",
        help="the articles' own date (YYYY-MM-DD), for articles with no dated header: relative days such as "
        "'mercredi' count from it, past-tense ones looking back (default: the announcement date the articles "
        "cite most, weekdays looking forward)",
    )
    ext.add_argument(
        "--alias",
        action="append",
        default=[],
        metavar="NAME=TICKER[:EXCHANGE:BENCHMARK]",
        help="add a company to the company table, e.g. Tesla=TSLA:XNAS:^GSPC (repeatable)",
    )
    ext.add_argument("--id", default="draft", help="study id of the draft (default %(default)s)")
    ext.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")


def add_check_parser(sub: argparse._SubParsersAction) -> None:
    """The ``check`` subcommand and its options."""
    chk = add_command(sub, "check", CHECK_HELP, CHECK_DESCRIPTION, CHECK_EXAMPLE + EXIT_CODES_HELP)
    chk.add_argument("articles", type=path_arg, nargs="+", metavar="ARTICLE", help="UTF-8 plain-text article")
    chk.add_argument(
        "--prices",
        type=location,
        metavar="DIR|URL",
        help="read prices offline instead of Yahoo Finance: from DIR/<symbol>.csv, or from <symbol>.parquet files "
        "in DIR or at a URL, as for run",
    )
    chk.add_argument(
        "--out", type=path_arg, metavar="DIR", help="report directory (default <temp dir>/eventstudy-check-<uid>/<id>)"
    )
    chk.add_argument(
        "--year", type=year, metavar="YEAR", help="year for dates written without one, in articles with no dated header"
    )
    chk.add_argument(
        "--reference-date",
        metavar="DATE",
        help="date (YYYY-MM-DD) that relative days count from, as for extract; an article that prints no date "
        "needs it, and without it check stops naming the date the article's figures fit",
    )
    chk.add_argument(
        "--alias",
        action="append",
        default=[],
        metavar="NAME=TICKER[:EXCHANGE:BENCHMARK]",
        help="add a company to the company table (repeatable)",
    )
    chk.add_argument(
        "--format", type=formats, default=REPORT_FORMATS, metavar="LIST", help="report formats, as for run"
    )
    chk.add_argument("--figures", choices=("svg", "png", "none"), default="svg", help="figure files, as for run")
    chk.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")


def extract_command(args: argparse.Namespace) -> int:
    """``extract``: draft a study file (TOML) from articles, for a person to review."""
    from eventstudy.articles import claims_csv, extract, to_toml
    from eventstudy.articles.companies import CompanyTable
    from eventstudy.spec import ID_PATTERN

    ref, aliases, listings = article_options(args)
    articles_once(args.articles)
    if not ID_PATTERN.match(args.id):
        raise EventStudyError(
            f"--id {args.id!r} is not a study id: 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    outputs_distinct(args.articles, {"--out": args.out, "--claims-csv": args.claims_csv})
    found = extract(args.articles, year=args.year, reference_date=ref, aliases=aliases, listings=listings)
    text = to_toml(found, study_id=args.id, table=CompanyTable(aliases, listings), reference_date=ref)
    outputs = [(args.out, text), (args.claims_csv, claims_csv(found))]
    for path, content in outputs:
        if path is not None:
            try:
                path.write_text(content, encoding="utf-8")
            except OSError as exc:
                raise EventStudyError(f"{path}: cannot write: {exc.strerror or exc}") from None
    if args.out is None:
        sys.stdout.write(text)
    if not args.quiet:
        where = f" → {args.out}" if args.out else ""
        print(
            f"drafted {len(found.events)} events, {len(found.claims)} claims, {len(found.other_figures)} other "
            f"figures from {len(found.articles)} articles{where}; review before `eventstudy run`",
            file=sys.stderr,
        )
    return EXIT_OK


def check_command(args: argparse.Namespace) -> int:
    """``check``: options → :func:`eventstudy.check` (draft and run) → the report with ``draft.toml`` → verdicts."""
    from eventstudy.checking import DRAFT, check
    from eventstudy.report import write_report

    ref, aliases, listings = article_options(args)
    articles_once(args.articles)
    args.cache = None
    source = price_source(args)  # a --prices folder that does not exist is named before any work
    say = progress(args.quiet)
    spec, res = check(args.articles, source, reference_date=ref, year=args.year, aliases=aliases,
                      listings=listings, out=args.out, progress=say)  # fmt: skip
    out = Path(spec.path).parent
    say(f"writing report to {out}")
    write_report(res, out, formats=args.format, figure_format=args.figures, extra={DRAFT: spec.extra[DRAFT]})
    stop_progress()
    if not args.quiet:
        print_verdicts(spec, res, out, args.format)
    return EXIT_OK


def print_verdicts(spec: StudySpec, res: StudyResults, out: Path, report_formats: tuple[str, ...]) -> None:
    """The verdicts on standard output, with where the report and the draft are."""
    found = spec.extra["extraction"]
    print(f"{spec.id}: {len(found.claims)} claims from {len(found.articles)} articles")
    from eventstudy.verdict_rows import verdict_rows, verdicts_text

    for line in verdicts_text(verdict_rows(res.claims)):
        print(line)
    main_file = next((f"report.{f}" for f in ("html", "md") if f in report_formats), "results.json")
    print(f"\nreport: {out / main_file}\ndraft:  {out / 'draft.toml'} (review it, then: eventstudy run)")


def articles_once(articles: list[Path]) -> None:
    """An article given twice (``a.txt a.txt``, ``*.txt a.txt``) would draft each of its claims twice."""
    seen: dict[str, Path] = {}
    for article in articles:
        key = os.path.realpath(article)
        if key in seen:
            same = "" if str(seen[key]) == str(article) else f" (as {seen[key]})"
            raise EventStudyError(f"{article}: the article is given twice{same}; list each article once")
        seen[key] = article


def outputs_distinct(inputs: list[Path], outputs: dict[str, Path | None]) -> None:
    """Refuse an output that is one of the inputs, or two outputs that are one file (nothing is written)."""
    import os

    def same(a: Path, b: Path) -> bool:
        try:
            return os.path.samefile(a, b)
        except OSError:  # one does not exist yet: compare the paths
            return os.path.realpath(a) == os.path.realpath(b)

    given = [(option, path) for option, path in outputs.items() if path is not None]
    for i, (option, path) in enumerate(given):
        if hit := next((a for a in inputs if same(path, a)), None):
            raise EventStudyError(
                f"{option} {path}: is the article {hit}; it would be overwritten: choose another file"
            )
        if other := next((o for o, p in given[i + 1 :] if same(path, p)), None):
            raise EventStudyError(f"{option} {path}: is also {other}; give the two outputs different files")


def article_options(args: argparse.Namespace) -> tuple[dt.date | None, dict[str, str], dict[str, Security]]:
    """``--reference-date`` and ``--alias`` of ``extract`` and ``check``, each checked and named when wrong."""
    from eventstudy.articles.draft_file import listings_from_aliases

    ref = None
    if args.reference_date is not None:
        try:
            ref = dt.date.fromisoformat(args.reference_date)
        except ValueError as exc:
            why = f" ({exc})" if "range" in str(exc) else ""
            raise EventStudyError(f"--reference-date {args.reference_date!r} is not a date YYYY-MM-DD{why}") from None
    try:
        aliases, listings = listings_from_aliases(args.alias)
    except ValueError as exc:
        raise EventStudyError(f"--alias {exc}") from None
    check_aliases(args.alias, listings.values())
    return ref, aliases, listings


def check_aliases(options: list[str], listings) -> None:
    """``--alias`` values: a ticker symbol, a known exchange and a benchmark symbol, as in a study file."""
    from eventstudy.spec import SYMBOL, exchange_names

    for option, listing in zip(options, listings, strict=False):
        bad = [
            f"ticker {listing.ticker!r}" * (not SYMBOL.match(listing.ticker)),
            f"exchange {listing.exchange!r}" * bool(listing.exchange and listing.exchange not in exchange_names()),
            f"benchmark {listing.benchmark!r}" * bool(listing.benchmark and not SYMBOL.match(listing.benchmark)),
            f"name {listing.name!r}" * (not listing.name.isprintable() or len(listing.name) > 100),
        ]
        if bad := [b for b in bad if b]:
            raise EventStudyError(
                f"--alias {option!r}: {', '.join(bad)} not valid; a ticker is letters, digits, '.', '-', '=' "
                "with an optional leading '^', an exchange an exchange_calendars code such as XNAS"
            )
