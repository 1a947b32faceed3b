"""``eventstudy validate`` (placebo simulation of every test) and ``eventstudy prices`` (CSV to Parquet)."""

from __future__ import annotations

import argparse
from pathlib import Path

from eventstudy.cli.options import EXIT_CODES_HELP, EXIT_OK, MAX_TRIALS, add_command, location, path_arg, progress
from eventstudy.errors import EventStudyError

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

VALIDATE_HELP = "placebo simulation: size and power of every test on the real prices"
VALIDATE_DESCRIPTION = (
    "Placebo simulation after Brown & Warner (1985): random pseudo-events on the real\n"
    "price files, the market model fitted on [-250,-11], and every test run on day 0 with no effect\n"
    "and with 1 %, 2 % and 5 % added to day-0 returns. Single-security trials, and groups of 4-8 US\n"
    "securities in two designs side by side: brown-warner (each security on its own random date)\n"
    "and clustered (one date for all, as in a study of one announcement). Prints the rejection rates\n"
    "at 1 %, 5 % and 10 %, the tests that are mis-sized and why, and the run time."
)

PRICES_HELP = "convert price CSVs to Parquet files for the workers of a Dask cluster"
PRICES_DESCRIPTION = (
    "to-parquet: write each DIR/<symbol>.csv as <symbol>.parquet at URL (a folder, or\n"
    "s3://..., gs://..., file://... with the fsspec filesystem installed), checked as `run` reads\n"
    "it; each file records the CSV it came from and its sha256. `run --prices URL` reads them."
)


def add_validate_parser(sub: argparse._SubParsersAction) -> None:
    """The ``validate`` subcommand and its options."""
    from eventstudy.inference.validation.design import DEFAULT_SEED, DEFAULT_TRIALS, DESIGNS

    val = add_command(sub, "validate", VALIDATE_HELP, VALIDATE_DESCRIPTION, VALIDATE_EXAMPLE)
    val.add_argument(
        "--prices",
        type=path_arg,
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
        type=path_arg,
        metavar="FILE",
        help="also write the table as CSV: test,design,effect,alpha,rejection_rate,n",
    )
    val.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")


def add_prices_parser(sub: argparse._SubParsersAction) -> None:
    """The ``prices`` subcommand and its options."""
    prc = add_command(sub, "prices", PRICES_HELP, PRICES_DESCRIPTION, PRICES_EXAMPLE + EXIT_CODES_HELP)
    prc.add_argument("action", choices=("to-parquet",), help="what to do (to-parquet)")
    prc.add_argument("--prices", type=path_arg, required=True, metavar="DIR", help="folder of <symbol>.csv price files")
    prc.add_argument(
        "--out",
        type=location,
        required=True,
        metavar="URL",
        help="folder or URL to write <symbol>.parquet into (new, or holding only .parquet files)",
    )
    prc.add_argument(
        "--symbols", metavar="LIST", help="comma-separated file stems to convert (GSPC for ^GSPC); default all"
    )
    prc.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")


def validate_command(args: argparse.Namespace) -> int:
    """``validate``: the placebo simulation of every test on the real prices."""
    from eventstudy.inference.validation import format_report, run_validation

    if not 1 <= args.trials <= MAX_TRIALS:
        raise EventStudyError(f"--trials must be between 1 and {MAX_TRIALS:,}, got {args.trials}")
    if args.seed < 0:
        raise EventStudyError(f"--seed must be a whole number 0 or more, got {args.seed}")
    designs = tuple(d.strip() for d in args.designs.split(",") if d.strip())
    from eventstudy.inference.validation.design import DESIGNS

    if unknown := [d for d in designs if d not in DESIGNS] or ([] if designs else [args.designs]):
        raise EventStudyError(f"--designs {unknown[0]!r} is not a design; choose from {', '.join(DESIGNS)}")
    if args.out is not None and (args.out.is_dir() or not args.out.parent.is_dir()):
        # checked before minutes of trials, not after
        why = "is a directory" if args.out.is_dir() else "is in a folder that does not exist"
        raise EventStudyError(f"--out {args.out} {why}; name a CSV file such as validation.csv")
    res = run_validation(
        args.prices, trials=args.trials, seed=args.seed, designs=designs, progress=progress(args.quiet)
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


def prices_command(args: argparse.Namespace) -> int:
    """``prices to-parquet``: the price CSVs as Parquet files for the workers of a Dask cluster."""
    from eventstudy.market.parquet import write_parquet_prices

    symbols = None
    if args.symbols is not None:
        symbols = list(dict.fromkeys(s.strip() for s in args.symbols.split(",")))  # a name twice: converted once
        if "" in symbols:  # "A,,B", a trailing comma, or an empty --symbols
            raise EventStudyError(f"--symbols {args.symbols!r} holds an empty name; list symbols as A,B,C")
        from eventstudy.file_io import symbol_filename
        from eventstudy.spec import SYMBOL

        for name in symbols:
            if SYMBOL.match(name) and args.prices.is_dir() and not (args.prices / symbol_filename(name)).exists():
                raise EventStudyError(f"--symbols {name!r}: no {symbol_filename(name)} in {args.prices}")
    written = write_parquet_prices(args.prices, args.out, symbols)
    if not args.quiet:
        print(f"{len(written)} Parquet price files written to {args.out}")
    return EXIT_OK
