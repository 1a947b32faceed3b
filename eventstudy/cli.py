"""Command line: a thin layer over the public API.

Exit codes: 0 success; 1 unexpected internal error (a bug: please report
it); 2 bad input (study file, data, options), with a one-line message.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from eventstudy.errors import EventStudyError

EXIT_OK, EXIT_BUG, EXIT_INPUT = 0, 1, 2

RUN_EXAMPLE = """\
examples:
  eventstudy run seeds/stargate.toml --prices ../shared/data/prices
  eventstudy run seeds/stargate.toml --out /tmp/stargate --model market_adjusted
  eventstudy run seeds/stargate.toml            # live Yahoo Finance, cached
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used to generate docs/cli.md)."""
    parser = argparse.ArgumentParser(
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
        "(report.md, ar.csv, car.csv, results.json, figures/).",
        epilog=RUN_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("study", type=Path, help="study file (TOML), e.g. seeds/stargate.toml")
    run.add_argument(
        "--prices", type=Path, metavar="DIR", help="read prices offline from DIR/<symbol>.csv instead of Yahoo Finance"
    )
    run.add_argument(
        "--cache",
        type=Path,
        metavar="DIR",
        help="cache directory for Yahoo downloads (default $EVENTSTUDY_CACHE or ~/.cache/eventstudy)",
    )
    run.add_argument("--out", type=Path, metavar="DIR", help="report directory (default reports/<study id>)")
    run.add_argument(
        "--model",
        help="expected-return model: market (default from the study), market_adjusted, constant_mean, "
        "multi_index (market + the security's factors), ff3 (Fama-French three factors)",
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
    run.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    return parser


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
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            code = _run(args)
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


def _run(args: argparse.Namespace) -> int:
    from eventstudy.report import write_report
    from eventstudy.spec import load_study
    from eventstudy.study import EventStudy

    spec = load_study(args.study)
    source = _source(args)
    say = _progress(args.quiet)
    model = args.model or spec.model
    factors = _factors(args) if model == "ff3" else None
    on_error = "skip" if args.skip_errors else "raise"
    res = EventStudy(spec, source, model=model, factors=factors, on_error=on_error).run(progress=say)
    out = args.out or Path("reports") / spec.id
    say(f"writing report to {out}")
    write_report(res, out)
    if not args.quiet:
        print(res.summary())
        print(f"\nreport: {out / 'report.md'}")
    return EXIT_OK


def _source(args: argparse.Namespace):
    from eventstudy.data import CsvDirectorySource, DiskCache, YahooSource

    if args.prices is not None:
        if args.cache is not None:
            raise EventStudyError("--prices and --cache exclude each other: --cache is for Yahoo downloads")
        return CsvDirectorySource(args.prices)
    return YahooSource(cache=DiskCache(args.cache))


def _factors(args: argparse.Namespace):
    from eventstudy.data.factors import FF3_FILE, read_fama_french

    path = args.factors or (args.prices / FF3_FILE if args.prices is not None else None)
    if path is None:
        raise EventStudyError("--model ff3 needs the Fama-French daily factors: pass --factors FILE")
    return read_fama_french(path)


def _progress(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return lambda _msg: None
    return lambda msg: print(f"… {msg}", file=sys.stderr)


def _version() -> str:
    from eventstudy import __version__

    return __version__


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
