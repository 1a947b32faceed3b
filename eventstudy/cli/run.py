"""``eventstudy run``: a study file or an events CSV to a report directory."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventstudy.cli.options import (
    EXIT_CODES_HELP,
    EXIT_OK,
    MAX_TRIALS,
    REPORT_FORMATS,
    add_command,
    ff3_factors,
    formats,
    location,
    model_name,
    pairs,
    path_arg,
    price_source,
    progress,
    stop_progress,
    window,
)
from eventstudy.cli.run_summary import SUMMARY_ABOVE_PAIRS
from eventstudy.errors import EventStudyError
from eventstudy.report.write import PARQUET_FROM_PAIRS

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager

    from eventstudy.spec import StudySpec

RUN_EXAMPLE = """\
examples:
  eventstudy run seeds/stargate.toml --prices ../shared/data/prices
  eventstudy run seeds/stargate.toml --out /tmp/stargate --model market_adjusted
  eventstudy run seeds/stargate.toml            # live Yahoo Finance, cached
  eventstudy run events.csv --prices ../shared/data/prices   # many events, one row per pair
  eventstudy run events.csv --prices s3://bucket/prices --dask tcp://10.0.0.5:8786   # on a Dask cluster
"""

RUN_HELP = "run a study file and write its report"
RUN_DESCRIPTION = (
    "Run a study: fetch prices, fit the model on the estimation window, compute "
    "abnormal returns and CARs, compare the articles' claims, and write the report directory "
    "(report.md, report.html, results.json, CSV tables, figures/)."
)


def add_run_parser(sub: argparse._SubParsersAction) -> None:
    """The ``run`` subcommand and its options."""
    run = add_command(sub, "run", RUN_HELP, RUN_DESCRIPTION, RUN_EXAMPLE + EXIT_CODES_HELP)
    run.add_argument(
        "study",
        type=path_arg,
        help="study file (TOML), e.g. seeds/stargate.toml, or an events CSV with columns "
        "event,ticker,timestamp,benchmark[,exchange] (one row per event and security)",
    )
    run.add_argument(
        "--prices",
        type=location,
        metavar="DIR|URL",
        help="read prices offline instead of Yahoo Finance: from DIR/<symbol>.csv, or from <symbol>.parquet files "
        "in DIR or at a URL such as s3://bucket/prices or file:///data/prices (see eventstudy prices to-parquet)",
    )
    run.add_argument(
        "--cache",
        type=path_arg,
        metavar="DIR",
        help="cache directory for Yahoo downloads (default $EVENTSTUDY_CACHE or ~/.cache/eventstudy)",
    )
    run.add_argument(
        "--out",
        type=path_arg,
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
        type=window,
        metavar="START,END",
        help="buy-and-hold window in sessions from day 0, e.g. 0,60; repeatable; replaces study.bhar_windows "
        "and turns on bhar",
    )
    run.add_argument(
        "--factors",
        type=path_arg,
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
        type=formats,
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
        type=pairs,
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
        "(a Parquet URL or a shared folder); the same report as without --dask; from --parquet-from pairs the "
        "workers write the ar, car, fits and tests tables as Parquet parts beside --out, which they must see too "
        "(needs the dask extra: "
        'pip install "eventstudy-claims[dask]"; see docs/scaling.md)',
    )
    run.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    run.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help=f"print every CAR row even of a large study (more than {SUMMARY_ABOVE_PAIRS} pairs, otherwise a "
        "summary: per window the mean and median CAR and the share with p < 0.05), and the log of the libraries "
        "used (yfinance's download messages), silenced by default",
    )


def run_command(args: argparse.Namespace) -> int:
    """``run``: a study file or events CSV to its report directory."""
    from eventstudy.engine.provenance import source_date_epoch
    from eventstudy.report import write_report
    from eventstudy.spec import load_study
    from eventstudy.spec.events_csv import load_events_csv
    from eventstudy.study import EventStudy

    source_date_epoch()  # a malformed $SOURCE_DATE_EPOCH fails now (numpy's f2py would crash on it later)
    spec = load_events_csv(args.study) if args.study.suffix.lower() == ".csv" else load_study(args.study)
    out = out_dir(args, spec)
    spec = with_measures(spec, args.measure, args.bhar_window)
    model = spec.model if args.model is None else model_name(args.model)
    source = price_source(args)
    factors = ff3_factors(args) if model == "ff3" else None
    on_error = "skip" if args.skip_errors else "raise"
    if args.placebo_trials is not None and not 0 <= args.placebo_trials <= MAX_TRIALS:
        raise EventStudyError(f"--placebo-trials must be between 0 and {MAX_TRIALS:,}, got {args.placebo_trials}")
    if args.placebo_seed is not None and args.placebo_seed < 0:
        raise EventStudyError(f"--placebo-seed must be a whole number 0 or more, got {args.placebo_seed}")
    say = progress(args.quiet)
    with dask_client(args, say) as client, workers_folder(args, spec, out) as tables_to:
        study = EventStudy(spec, source, model=model, factors=factors, on_error=on_error, client=client,
                           placebo_trials=args.placebo_trials, placebo_seed=args.placebo_seed,
                           tables_to=tables_to)  # fmt: skip
        # the report computes the tests table: whole, or for a large study in parts (StudyResults.write_tests)
        res = study.run(progress=say, tests=False)
        say(f"writing report to {out}")  # inside: the workers' folder is moved into the report
        write_report(
            res, out, formats=args.format, figure_format=args.figures, parquet_from=args.parquet_from, csv=args.csv
        )
    stop_progress()
    if not args.quiet:
        from eventstudy.cli.run_summary import results_text

        print(results_text(res, verbose=args.verbose))
        main_file = next((f"report.{f}" for f in ("html", "md") if f in args.format), "")
        print(f"\nreport: {out / main_file}")
    return EXIT_OK


def out_dir(args: argparse.Namespace, spec: StudySpec) -> Path:
    """``--out`` (default reports/<study id>), checked before any work: never a folder eventstudy did not write."""
    from eventstudy.report.folder import check_out_dir

    out = args.out if args.out is not None else Path("reports") / spec.id
    check_out_dir(out)
    return out


def dask_client(args: argparse.Namespace, say: Callable[..., None]) -> AbstractContextManager[Any]:
    """``--dask [ADDRESS]``: a client of the scheduler at ADDRESS or $DASK_SCHEDULER_ADDRESS, else a local one."""
    from contextlib import nullcontext

    if args.dask is None:
        return nullcontext()
    if args.prices is None:
        raise EventStudyError("--dask: the workers read the prices themselves; pass --prices DIR|URL, a location "
                              "every worker sees (see eventstudy prices to-parquet)")  # fmt: skip
    from eventstudy.engine.cluster import connect
    from eventstudy.engine.distributed import local_client

    address = args.dask or os.environ.get("DASK_SCHEDULER_ADDRESS", "")
    say(f"connecting to the Dask scheduler at {address}" if address else "starting a local Dask cluster")
    return connect(address) if address else local_client()


@contextmanager
def workers_folder(args: argparse.Namespace, spec: StudySpec, out: Path) -> Iterator[Path | None]:
    """With ``--dask`` and Parquet tables (a large study, no ``--csv``): a hidden folder beside ``--out``.

    The workers write the ar, car, fits and tests tables there (every worker must see ``--out``, as the
    prices); the report moves them in. Removed on exit, whatever happens.
    """
    pairs = len(spec.pairs) or len(spec.events) * len(spec.securities)
    if args.dask is None or args.csv or pairs < args.parquet_from:
        yield None
        return
    import shutil
    import tempfile

    from eventstudy.processes import cleanup_on_interrupt

    out.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{out.name}.tables-", dir=out.parent)).resolve()
    try:
        with cleanup_on_interrupt():
            yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def with_measures(spec: StudySpec, measures: list[str], bhar_windows: list[tuple[int, int]]) -> StudySpec:
    """The study with ``--measure`` added to its measures and ``--bhar-window`` as its buy-and-hold windows."""
    import dataclasses

    from eventstudy.errors import StudyFileError
    from eventstudy.spec.fields import FieldParser
    from eventstudy.spec.study_file import check_bhar_windows
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
