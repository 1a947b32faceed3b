"""Command line: a thin layer over the public API.

Exit codes: 0 success; 1 unexpected internal error (a bug: please report
it); 2 bad input (study file, data, options), with a one-line message.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from eventstudy.errors import EventStudyError
from eventstudy.report.write import PARQUET_FROM_PAIRS

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager

    from eventstudy.spec import StudySpec

EXIT_OK, EXIT_BUG, EXIT_INPUT = 0, 1, 2
EXIT_CODES_HELP = "\nexit codes: 0 success, 1 internal error (a bug), 2 bad input (study file, data, options)\n"
REPORT_FORMATS = ("md", "html", "json")
MAX_TRIALS = (
    100_000  # validate --trials: 1,000 take about 25 s  # eventstudy.report.write.REPORT_FORMATS, without importing it
)

RUN_EXAMPLE = """\
examples:
  eventstudy run seeds/stargate.toml --prices ../shared/data/prices
  eventstudy run seeds/stargate.toml --out /tmp/stargate --model market_adjusted
  eventstudy run seeds/stargate.toml            # live Yahoo Finance, cached
  eventstudy run events.csv --prices ../shared/data/prices   # many events, one row per pair
  eventstudy run events.csv --prices s3://bucket/prices --dask tcp://10.0.0.5:8786   # on a Dask cluster
"""

VALIDATE_EXAMPLE = """\
examples:
  eventstudy validate --prices ../shared/data/prices
  eventstudy validate --trials 200 --seed 7 --out /tmp/rejection-rates.csv
  eventstudy validate --trials 500 --designs clustered
"""

PRICES_EXAMPLE = """\
examples:
  eventstudy prices to-parquet --prices ../shared/data/prices --out /mnt/shared/prices
  eventstudy prices to-parquet --prices ../shared/data/prices --out s3://my-bucket/prices   # needs s3fs
  eventstudy run events.csv --prices s3://my-bucket/prices --dask tcp://10.0.0.5:8786
"""

CHECK_EXAMPLE = """\
examples:
  eventstudy check article.txt --prices ../shared/data/prices
  eventstudy check a.txt b.txt --out /tmp/check --year 2025
"""

EXTRACT_EXAMPLE = """\
examples:
  eventstudy extract ../shared/seeds/*.txt --year 2025 --out draft.toml --claims-csv claims.csv
  eventstudy extract article.txt --reference-date 2025-01-21 --alias "Tesla=TSLA:XNAS:^GSPC"
  eventstudy run draft.toml --prices ../shared/data/prices   # after reviewing draft.toml
"""


class _Parser(argparse.ArgumentParser):
    """argparse, with a bad option reported as one ``error:`` line (exit 2) instead of the usage block."""

    def error(self, message: str) -> NoReturn:
        message = " ".join(message.split())
        self.exit(EXIT_INPUT, f"error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used to generate docs/cli.md)."""
    parser = _Parser(
        prog="eventstudy",
        description="Market-reaction event studies: did the move the article reports happen, "
        "on which session, how much was the market, and was it unusual?",
        epilog="example:\n  eventstudy run seeds/stargate.toml --prices ../shared/data/prices\n\n"
        "exit codes: 0 success, 1 internal error, 2 bad input",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser(
        "run",
        help="run a study file and write its report",
        description="Run a study: fetch prices, fit the model on the estimation window, compute "
        "abnormal returns and CARs, compare the articles' claims, and write the report directory "
        "(report.md, report.html, results.json, CSV tables, figures/).",
        epilog=RUN_EXAMPLE + EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument(
        "study",
        type=Path,
        help="study file (TOML), e.g. seeds/stargate.toml, or an events CSV with columns "
        "event,ticker,timestamp,benchmark[,exchange] (one row per event and security)",
    )
    run.add_argument(
        "--prices",
        type=_location,
        metavar="DIR|URL",
        help="read prices offline instead of Yahoo Finance: from DIR/<symbol>.csv, or from <symbol>.parquet files "
        "in DIR or at a URL such as s3://bucket/prices or file:///data/prices (see eventstudy prices to-parquet)",
    )
    run.add_argument(
        "--cache",
        type=Path,
        metavar="DIR",
        help="cache directory for Yahoo downloads (default $EVENTSTUDY_CACHE or ~/.cache/eventstudy)",
    )
    run.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="report directory (default reports/<study id>); an existing folder is replaced only if it holds "
        "an earlier report and nothing else",
    )
    run.add_argument(
        "--model",
        help="expected-return model: market (default from the study), market_adjusted, constant_mean, "
        "multi_index (market + the security's factors), ff3 (Fama-French three factors), garch (GARCH(1,1) "
        "market model through arch; a fit that fails is excluded with its reason)",
    )
    run.add_argument(
        "--measure",
        action="append",
        default=[],
        metavar="NAME",
        help="also measure volume (abnormal log volume), volatility (Beaver's U, variance ratios) or bhar "
        "(buy-and-hold abnormal returns); repeatable, added to the study file's measures",
    )
    run.add_argument(
        "--bhar-window",
        action="append",
        default=[],
        type=_window,
        metavar="START,END",
        help="buy-and-hold window in sessions from day 0, e.g. 0,60; repeatable; replaces study.bhar_windows "
        "and turns on bhar",
    )
    run.add_argument(
        "--factors",
        type=Path,
        metavar="FILE",
        help="Fama-French daily factors CSV for --model ff3 "
        "(default: F-F_Research_Data_Factors_daily.csv in the --prices directory)",
    )
    run.add_argument(
        "--skip-errors",
        action="store_true",
        help="leave out (event, security) pairs whose data or fit fail, listing them in the report, "
        "instead of stopping with exit code 2",
    )
    run.add_argument(
        "--format",
        type=_formats,
        default=REPORT_FORMATS,
        metavar="LIST",
        help="report formats, comma-separated, from md (report.md), html (report.html, self-contained) and "
        "json (results.json); default all; the CSV tables are always written, figures/ with md or html",
    )
    run.add_argument(
        "--figures",
        choices=("svg", "png", "none"),
        default="svg",
        help="figure files: svg (default; sharp at any size, text as text), png (110 dpi raster) or none "
        "(no figures: the fastest report of a large study)",
    )
    run.add_argument(
        "--parquet-from",
        type=_pairs,
        default=PARQUET_FROM_PAIRS,
        metavar="PAIRS",
        help=f"from this many (event, security) pairs on (default {PARQUET_FROM_PAIRS:,}; 0: always), write "
        "ar, car, tests, day0, fits, moves and overlaps as Parquet files, with a summary in results.json "
        "instead of those tables",
    )
    run.add_argument(
        "--csv",
        action="store_true",
        help="with Parquet files, also write ar.csv, car.csv and tests.csv",
    )
    run.add_argument(
        "--placebo-trials",
        type=int,
        default=None,
        metavar="N",
        help="the study's own placebo run: N placebo dates from the securities' own price history, every test's "
        "size and power in this design, shown beside each test (default 200; not run by default above 500 pairs; "
        "0: off; needs --prices)",
    )
    run.add_argument(
        "--placebo-seed",
        type=int,
        default=None,
        metavar="SEED",
        help="seed of the placebo dates and draws (default 2025): the same seed gives the same sizes",
    )
    run.add_argument(
        "--dask",
        nargs="?",
        const="",
        default=None,
        metavar="ADDRESS",
        help="fit the pairs on Dask, in partitions of whole events: on the scheduler at ADDRESS (e.g. "
        "tcp://10.0.0.5:8786), else on the one $DASK_SCHEDULER_ADDRESS names, else on a local cluster (2 "
        "workers); each worker reads its pairs' prices from --prices, which must be a location every worker sees "
        "(a Parquet URL or a shared folder); the same report as without --dask (needs the dask extra: "
        'pip install "eventstudy-claims[dask]"; see docs/scaling.md)',
    )
    run.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    run.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="also print the log of the libraries used (yfinance's download messages), silenced by default",
    )
    _add_validate(sub)
    _add_extract(sub)
    _add_check(sub)
    _add_prices(sub)
    return parser


def _add_prices(sub: argparse._SubParsersAction) -> None:
    prc = sub.add_parser(
        "prices",
        help="convert price CSVs to Parquet files for the workers of a Dask cluster",
        description="to-parquet: write each DIR/<symbol>.csv as <symbol>.parquet at URL (a folder, or\n"
        "s3://..., gs://..., file://... with the fsspec filesystem installed), checked as `run` reads\n"
        "it; each file records the CSV it came from and its sha256. `run --prices URL` reads them.",
        epilog=PRICES_EXAMPLE + EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    prc.add_argument("action", choices=("to-parquet",), help="what to do (to-parquet)")
    prc.add_argument("--prices", type=Path, required=True, metavar="DIR", help="folder of <symbol>.csv price files")
    prc.add_argument(
        "--out",
        type=_location,
        required=True,
        metavar="URL",
        help="folder or URL to write <symbol>.parquet into (new, or holding only .parquet files)",
    )
    prc.add_argument(
        "--symbols", metavar="LIST", help="comma-separated file stems to convert (GSPC for ^GSPC); default all"
    )
    prc.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")


def _add_validate(sub: argparse._SubParsersAction) -> None:
    from eventstudy.inference.validation import DEFAULT_SEED, DEFAULT_TRIALS, DESIGNS

    val = sub.add_parser(
        "validate",
        help="placebo simulation: size and power of every test on the real prices",
        description="Placebo simulation after Brown & Warner (1985): random pseudo-events on the real\n"
        "price files, the market model fitted on [-250,-11], and every test run on day 0 with no effect\n"
        "and with 1 %, 2 % and 5 % added to day-0 returns. Single-security trials, and groups of 4-8 US\n"
        "securities in two designs side by side: brown-warner (each security on its own random date)\n"
        "and clustered (one date for all, as in a study of one announcement). Prints the rejection rates\n"
        "at 1 %, 5 % and 10 %, the tests that are mis-sized and why, and the run time.",
        epilog=VALIDATE_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    val.add_argument(
        "--prices",
        type=Path,
        default=Path("../shared/data/prices"),
        metavar="DIR",
        help="price directory, DIR/<symbol>.csv (default ../shared/data/prices)",
    )
    val.add_argument(
        "--trials",
        type=int,
        default=DEFAULT_TRIALS,
        metavar="N",
        help="pseudo-events per design (default %(default)s: a 5 %% size to about ±1 point)",
    )
    val.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="S", help="random seed (default %(default)s)")
    val.add_argument(
        "--designs",
        default=",".join(DESIGNS),
        metavar="LIST",
        help="comma-separated group designs among %(default)s (default: both)",
    )
    val.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="also write the table as CSV: test,design,effect,alpha,rejection_rate,n",
    )
    val.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")


def _add_extract(sub: argparse._SubParsersAction) -> None:
    ext = sub.add_parser(
        "extract",
        help="draft a study file from news articles (plain text, French or English)",
        description="Read news articles and draft a study file for a person to review: candidate events\n"
        "from the dates the articles give, and the stock moves they report as claims, each with its\n"
        "file, character offset and sentence. Percentages that are not stock moves (stakes,\n"
        "valuations, sectors, tokens) are listed as other figures. Without --out the draft goes to\n"
        "standard output.",
        epilog=EXTRACT_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ext.add_argument("articles", type=Path, nargs="+", metavar="ARTICLE", help="UTF-8 plain-text article")
    ext.add_argument("--out", type=Path, metavar="FILE", help="write the draft study (TOML) to FILE")
    ext.add_argument(
        "--claims-csv", type=Path, metavar="FILE", help="also write the claims as CSV: ticker,reported,day_ref,"
        "source,offset,quote"
    )  # fmt: skip
    ext.add_argument(
        "--year",
        type=_year,
        metavar="YEAR",
        help="year for dates written without one, in articles with no date header",
    )
    ext.add_argument(
        "--reference-date",
        metavar="DATE",
        help="date (YYYY-MM-DD) that relative days such as 'mercredi' count from, in articles with no dated "
        "header (default: the announcement date the articles cite most)",
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


def _add_check(sub: argparse._SubParsersAction) -> None:
    chk = sub.add_parser(
        "check",
        help="check the price moves news articles report: draft the study, run it, write the report",
        description="From articles to verdicts in one command: draft a study from the articles (as\n"
        "`extract` does), run it, and write the report with the draft next to it (draft.toml), so a\n"
        "person can review the draft and rerun it with `eventstudy run`. The report cites each claim's\n"
        "sentence. The run's id comes from the articles (check-<first file>-<hash of the articles>).\n"
        "Without --out the report goes to <temp dir>/eventstudy-check/<id>: nothing is written in\n"
        "the current directory unless asked.",
        epilog=CHECK_EXAMPLE + EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    chk.add_argument("articles", type=Path, nargs="+", metavar="ARTICLE", help="UTF-8 plain-text article")
    chk.add_argument(
        "--prices", type=Path, metavar="DIR", help="read prices offline from DIR/<symbol>.csv instead of Yahoo Finance"
    )
    chk.add_argument(
        "--out", type=Path, metavar="DIR", help="report directory (default <temp dir>/eventstudy-check/<id>)"
    )
    chk.add_argument(
        "--year", type=int, metavar="YEAR", help="year for dates written without one, in articles with no dated header"
    )
    chk.add_argument(
        "--reference-date", metavar="DATE", help="date (YYYY-MM-DD) that relative days count from, as for extract"
    )
    chk.add_argument(
        "--alias",
        action="append",
        default=[],
        metavar="NAME=TICKER[:EXCHANGE:BENCHMARK]",
        help="add a company to the company table (repeatable)",
    )
    chk.add_argument(
        "--format", type=_formats, default=REPORT_FORMATS, metavar="LIST", help="report formats, as for run"
    )
    chk.add_argument("--figures", choices=("svg", "png", "none"), default="svg", help="figure files, as for run")
    chk.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")


def cli_reference() -> str:
    """Markdown CLI reference built from ``--help`` (written to docs/cli.md)."""
    import os

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        parser = build_parser()
        parts = ["# Command-line reference", "", "Generated from `--help`; `tests/test_docs.py` keeps it in sync.", ""]
        parts += ["## eventstudy", "", "```text", parser.format_help().rstrip(), "```", ""]
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        for name, command in sub.choices.items():
            parts += [f"## eventstudy {name}", "", "```text", command.format_help().rstrip(), "```", ""]
        return "\n".join(parts)
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "verbose", False):
        import logging

        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stderr)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            commands = {"validate": _validate, "extract": _extract, "check": _check, "prices": _prices}
            code = commands.get(args.command, _run)(args)
        for w in caught:
            if not args.quiet:
                print(f"warning: {w.message}", file=sys.stderr)
        return code
    except EventStudyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        _stop_progress()


def _run(args: argparse.Namespace) -> int:
    from eventstudy.engine.provenance import source_date_epoch
    from eventstudy.report import write_report
    from eventstudy.spec import load_study
    from eventstudy.spec.events_csv import load_events_csv
    from eventstudy.study import EventStudy

    source_date_epoch()  # a malformed $SOURCE_DATE_EPOCH fails now (numpy's f2py would crash on it later)
    spec = load_events_csv(args.study) if args.study.suffix.lower() == ".csv" else load_study(args.study)
    out = _out_dir(args, spec)
    spec = _with_measures(spec, args.measure, args.bhar_window)
    model = spec.model if args.model is None else _model(args.model)
    source = _source(args)
    factors = _factors(args) if model == "ff3" else None
    on_error = "skip" if args.skip_errors else "raise"
    if args.placebo_trials is not None and not 0 <= args.placebo_trials <= MAX_TRIALS:
        raise EventStudyError(f"--placebo-trials must be between 0 and {MAX_TRIALS:,}, got {args.placebo_trials}")
    if args.placebo_seed is not None and args.placebo_seed < 0:
        raise EventStudyError(f"--placebo-seed must be a whole number 0 or more, got {args.placebo_seed}")
    say = _progress(args.quiet)
    with _dask_client(args, say) as client:
        study = EventStudy(spec, source, model=model, factors=factors, on_error=on_error, client=client,
                           placebo_trials=args.placebo_trials, placebo_seed=args.placebo_seed)  # fmt: skip
        res = study.run(progress=say)
    say("the study's placebo run (--placebo-trials)")
    _ = res.placebo  # computed here, reported by every format
    say(f"writing report to {out}")
    write_report(
        res, out, formats=args.format, figure_format=args.figures, parquet_from=args.parquet_from, csv=args.csv
    )
    _stop_progress()
    if not args.quiet:
        print(res.summary())
        main_file = next((f"report.{f}" for f in ("html", "md") if f in args.format), "")
        print(f"\nreport: {out / main_file}")
    return EXIT_OK


def _out_dir(args: argparse.Namespace, spec: StudySpec) -> Path:
    """``--out`` (default reports/<study id>), checked before any work: never a folder eventstudy did not write."""
    from eventstudy.report.write import check_out_dir

    out = args.out if args.out is not None else Path("reports") / spec.id
    check_out_dir(out)
    return out


def _dask_client(args: argparse.Namespace, say: Callable[..., None]) -> AbstractContextManager[Any]:
    """``--dask [ADDRESS]``: a client of the scheduler at ADDRESS or $DASK_SCHEDULER_ADDRESS, else a local one."""
    from contextlib import nullcontext

    if args.dask is None:
        return nullcontext()
    if args.prices is None:
        raise EventStudyError("--dask: the workers read the prices themselves; pass --prices DIR|URL, a location "
                              "every worker sees (see eventstudy prices to-parquet)")  # fmt: skip
    from eventstudy.engine.distributed import connect, local_client

    address = args.dask or os.environ.get("DASK_SCHEDULER_ADDRESS", "")
    say(f"connecting to the Dask scheduler at {address}" if address else "starting a local Dask cluster")
    return connect(address) if address else local_client()


def _prices(args: argparse.Namespace) -> int:
    from eventstudy.market.parquet import write_parquet_prices

    symbols = [s.strip() for s in args.symbols.split(",") if s.strip()] if args.symbols else None
    written = write_parquet_prices(args.prices, args.out, symbols)
    if not args.quiet:
        print(f"{len(written)} Parquet price files written to {args.out}")
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from eventstudy.inference.validation import format_report, run_validation

    if not 1 <= args.trials <= MAX_TRIALS:
        raise EventStudyError(f"--trials must be between 1 and {MAX_TRIALS:,}, got {args.trials}")
    if args.seed < 0:
        raise EventStudyError(f"--seed must be a whole number 0 or more, got {args.seed}")
    designs = tuple(d.strip() for d in args.designs.split(",") if d.strip())
    res = run_validation(
        args.prices, trials=args.trials, seed=args.seed, designs=designs, progress=_progress(args.quiet)
    )
    if args.out is not None:
        try:
            res.to_csv(args.out)
        except OSError as exc:
            raise EventStudyError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    if not args.quiet:
        print(format_report(res, str(args.prices)))
        if args.out is not None:
            print(f"table: {args.out}")
    return EXIT_OK


def _extract(args: argparse.Namespace) -> int:
    import datetime as dt

    from eventstudy.articles import claims_csv, extract, to_toml
    from eventstudy.articles.companies import CompanyTable
    from eventstudy.articles.render import listings_from_aliases
    from eventstudy.spec import ID_PATTERN

    try:
        ref = dt.date.fromisoformat(args.reference_date) if args.reference_date is not None else None
    except ValueError:
        raise EventStudyError(f"--reference-date {args.reference_date!r} is not a date YYYY-MM-DD") from None
    try:
        aliases, listings = listings_from_aliases(args.alias)
    except ValueError as exc:
        raise EventStudyError(f"--alias {exc}") from None
    _check_aliases(args.alias, listings.values())
    if not ID_PATTERN.match(args.id):
        raise EventStudyError(
            f"--id {args.id!r} is not a study id: 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
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


def _check(args: argparse.Namespace) -> int:
    import datetime as dt

    from eventstudy.articles.check import default_out, draft_for_check, run_id, with_day_ranges, without_unpriced
    from eventstudy.articles.render import listings_from_aliases
    from eventstudy.report import write_report
    from eventstudy.study import EventStudy

    try:
        ref = dt.date.fromisoformat(args.reference_date) if args.reference_date else None
        aliases, listings = listings_from_aliases(args.alias)
    except ValueError as exc:
        raise EventStudyError(f"--reference-date/--alias: {exc}") from None
    args.cache = None
    source = _source(args)  # a --prices folder that does not exist is named before any work
    study_id = run_id(args.articles)
    out = args.out or default_out(study_id)
    spec, text, found = draft_for_check(
        args.articles, out, year=args.year, reference_date=ref, aliases=aliases, listings=listings, study_id=study_id
    )
    if args.prices is not None:
        spec, left_out = without_unpriced(spec, args.prices)
        spec, text, ranges = with_day_ranges(spec, text, args.prices)
        for line in (*left_out, *ranges):
            warnings.warn(line, stacklevel=1)
        if not spec.securities:
            raise EventStudyError(
                f"{', '.join(map(str, args.articles))}: no claimed security has prices in {args.prices}"
            )
    say = _progress(args.quiet)
    res = EventStudy(spec, source, on_error="skip").run(progress=say)
    say(f"writing report to {out}")
    write_report(res, out, formats=args.format, figure_format=args.figures)
    try:
        (out / "draft.toml").write_text(text, encoding="utf-8")
    except OSError as exc:
        raise EventStudyError(f"{out / 'draft.toml'}: cannot write: {exc.strerror or exc}") from None
    _stop_progress()
    if not args.quiet:
        print(f"{study_id}: {len(found.claims)} claims from {len(found.articles)} articles")
        for row in res.claims.itertuples():
            print(f"  {row.ticker} {row.reported * 100:+.4g} % → {row.verdict}  ({row.source}: {row.quote[:70]!r})")
        main_file = next((f"report.{f}" for f in ("html", "md") if f in args.format), "results.json")
        print(f"\nreport: {out / main_file}\ndraft:  {out / 'draft.toml'} (review it, then: eventstudy run)")
    return EXIT_OK


def _source(args: argparse.Namespace):
    from eventstudy.market import CsvDirectorySource, DiskCache, ParquetSource, YahooSource

    if args.prices is not None:
        if args.cache is not None:
            raise EventStudyError("--prices and --cache exclude each other: --cache is for Yahoo downloads")
        from eventstudy.market.parquet import is_parquet_location

        return ParquetSource(args.prices) if is_parquet_location(args.prices) else CsvDirectorySource(args.prices)
    return YahooSource(cache=DiskCache(args.cache))


def _factors(args: argparse.Namespace):
    from eventstudy.market.factors import FF3_FILE, read_fama_french

    path = args.factors or (args.prices / FF3_FILE if isinstance(args.prices, Path) else None)
    if path is None:
        raise EventStudyError("--model ff3 needs the Fama-French daily factors: pass --factors FILE")
    return read_fama_french(path)


def _location(text: str) -> Path | str:
    """``--prices``/``--out``: a URL (``scheme://…``) as given, else a local path."""
    return text if "://" in text else Path(text)


def _model(name: str) -> str:
    """``--model``: one of the models (an empty value is an error, not the default)."""
    from eventstudy.engine.models import MODELS

    if name not in MODELS:
        raise EventStudyError(f"--model {name!r} is not a model; choose one of {', '.join(MODELS)}")
    return name


def _window(text: str) -> tuple[int, int]:
    """``--bhar-window START,END``."""
    parts = text.split(",")
    try:
        start, end = (int(p) for p in parts) if len(parts) == 2 else (None, None)
    except ValueError:
        start = end = None
    if start is None or end is None or start > end:
        raise argparse.ArgumentTypeError(f"{text!r} is not a window START,END such as 0,60 (start <= end)")
    return start, end


def _with_measures(spec: StudySpec, measures: list[str], bhar_windows: list[tuple[int, int]]) -> StudySpec:
    """The study with ``--measure`` added to its measures and ``--bhar-window`` as its buy-and-hold windows."""
    import dataclasses

    from eventstudy.errors import StudyFileError
    from eventstudy.spec.fields import FieldParser
    from eventstudy.spec.study import check_bhar_windows
    from eventstudy.spec.types import DEFAULT_BHAR_WINDOWS, MEASURE_NAMES

    for m in measures:
        if m not in MEASURE_NAMES:
            raise EventStudyError(f"--measure {m!r} is not a measure; choose from {', '.join(MEASURE_NAMES)} "
                                  "(returns are always measured)")  # fmt: skip
    wanted = set(spec.measures) | set(measures) | ({"bhar"} if bhar_windows else set())
    windows = tuple(bhar_windows) or spec.bhar_windows or (DEFAULT_BHAR_WINDOWS if "bhar" in wanted else ())
    if bhar_windows:
        p = FieldParser("--bhar-window")
        try:
            windows = tuple(p._pair("window", w) for w in windows)
            check_bhar_windows(p, windows, spec.estimation_window)
        except StudyFileError as exc:
            raise EventStudyError(
                str(exc).replace(": window: ", ": ").replace(": study.bhar_windows: ", ": ")
            ) from None
    if wanted == set(spec.measures) and windows == spec.bhar_windows:
        return spec
    return dataclasses.replace(spec, measures=tuple(m for m in MEASURE_NAMES if m in wanted), bhar_windows=windows)


def _year(text: str) -> int:
    """``--year``: a whole year between 1900 and 2200."""
    if not text.strip().isdigit() or not 1900 <= int(text) <= 2200:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year between 1900 and 2200")
    return int(text)


def _check_aliases(options: list[str], listings) -> None:
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


def _pairs(text: str) -> int:
    """``--parquet-from`` value: a whole number of pairs, 0 or more."""
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of pairs, 0 or more (0: always Parquet)")
    return value


def _formats(text: str) -> tuple[str, ...]:
    """``--format`` value: a comma-separated subset of md, html, json."""
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in REPORT_FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"{text!r}: choose one or more of {', '.join(REPORT_FORMATS)}, comma-separated (e.g. md,html)"
        )
    return chosen


class _Progress:
    """Progress on stderr (rich): the current step, a bar for counted steps, the elapsed time.

    Silent with ``--quiet`` and when stderr is not a terminal (pipes, files,
    CI logs); called with one message per step, and ``done``/``total`` where
    the step is counted (prices read, symbol by symbol).
    """

    def __init__(self, quiet: bool) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self._live = None

    def __call__(self, message: str, done: int | None = None, total: int | None = None, /) -> None:
        if not self.enabled:
            return
        if self._live is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._live = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), console=Console(stderr=True), transient=True,
            )  # fmt: skip
            self._task = self._live.add_task(message, total=None)
            self._live.start()
        self._live.update(self._task, description=message, completed=done or 0, total=total)

    def stop(self) -> None:
        """Clear the progress line (safe to call more than once)."""
        if self._live is not None:
            self._live.stop()
            self._live = None


_ACTIVE: list[_Progress] = []


def _progress(quiet: bool) -> _Progress:
    progress = _Progress(quiet)
    _ACTIVE.append(progress)
    return progress


def _stop_progress() -> None:
    while _ACTIVE:
        _ACTIVE.pop().stop()


def _version() -> str:
    from eventstudy import __version__

    return __version__


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
