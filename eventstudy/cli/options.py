"""What every command shares: exit codes, the argparse error line, option types, price source, progress."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from eventstudy.errors import EventStudyError

EXIT_OK, EXIT_BUG, EXIT_INPUT = 0, 1, 2
EXIT_CODES_HELP = "\nexit codes: 0 success, 1 internal error (a bug), 2 bad input (study file, data, options)\n"
REPORT_FORMATS = ("md", "html", "json")
MAX_TRIALS = 100_000  # validate --trials and run --placebo-trials: 1,000 validation trials take about 25 s


class Parser(argparse.ArgumentParser):
    """argparse, with a bad option reported as one ``error:`` line (exit 2) instead of the usage block."""

    def error(self, message: str) -> NoReturn:
        """Print ``error: MESSAGE (see PROG --help)`` and exit 2."""
        message = " ".join(message.split())
        self.exit(EXIT_INPUT, f"error: {message} (see {self.prog} --help)\n")


def price_source(args: argparse.Namespace):
    """``--prices`` (a CSV folder, Parquet folder or URL) or ``--cache`` (Yahoo downloads)."""
    from eventstudy.market import CsvDirectorySource, DiskCache, ParquetSource, YahooSource

    if args.prices is not None:
        if args.cache is not None:
            raise EventStudyError("--prices and --cache exclude each other: --cache is for Yahoo downloads")
        from eventstudy.market.parquet import is_parquet_location

        if not is_parquet_location(args.prices):
            return CsvDirectorySource(args.prices)
        try:
            return ParquetSource(args.prices)
        except EventStudyError as exc:  # name the option: "gopher://x: not a location fsspec can open"
            raise EventStudyError(f"--prices {exc}" if "--prices" not in str(exc) else str(exc)) from None
    return YahooSource(cache=DiskCache(args.cache))


def ff3_factors(args: argparse.Namespace):
    """The Fama-French daily factors of ``--factors``, else beside the ``--prices`` files."""
    from eventstudy.market.factors import FF3_FILE, read_fama_french

    path = args.factors or (args.prices / FF3_FILE if isinstance(args.prices, Path) else None)
    if path is None:
        raise EventStudyError("--model ff3 needs the Fama-French daily factors: pass --factors FILE")
    return read_fama_french(path)


def add_command(
    sub: argparse._SubParsersAction, name: str, summary: str, description: str, epilog: str
) -> argparse.ArgumentParser:
    """A subcommand: ``summary`` in the command list; its description and examples keep their line breaks."""
    return sub.add_parser(
        name, help=summary, description=description, epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter
    )


def location(text: str) -> Path | str:
    """``--prices``/``--out``: a URL (``scheme://…``) as given, else a local path."""
    return text if "://" in text else path_arg(text)


def path_arg(text: str) -> Path:
    """A path option: an empty value (an unset shell variable, ``--out "$DIR"``) is an error, never ``.``."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is empty; give a path")
    return Path(text)


def model_name(name: str) -> str:
    """``--model``: one of the models (an empty value is an error, not the default)."""
    from eventstudy.engine.models import MODELS

    if name not in MODELS:
        raise EventStudyError(f"--model {name!r} is not a model; choose one of {', '.join(MODELS)}")
    return name


def window(text: str) -> tuple[int, int]:
    """``--bhar-window START,END``."""
    parts = text.split(",")
    try:
        start, end = (int(p) for p in parts) if len(parts) == 2 else (None, None)
    except ValueError:
        start = end = None
    if start is None or end is None or start > end:
        raise argparse.ArgumentTypeError(f"{text!r} is not a window START,END such as 0,60 (start <= end)")
    return start, end


def year(text: str) -> int:
    """``--year``: a whole year between 1900 and 2200."""
    if not text.strip().isdigit() or not 1900 <= int(text) <= 2200:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year between 1900 and 2200")
    return int(text)


def pairs(text: str) -> int:
    """``--parquet-from`` value: a whole number of pairs, 0 or more."""
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of pairs, 0 or more (0: always Parquet)")
    return value


def formats(text: str) -> tuple[str, ...]:
    """``--format`` value: a comma-separated subset of md, html, json."""
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in REPORT_FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"{text!r}: choose one or more of {', '.join(REPORT_FORMATS)}, comma-separated (e.g. md,html)"
        )
    return chosen


class Progress:
    """Progress on stderr (rich): the current step, a bar for counted steps, the elapsed time.

    Silent with ``--quiet`` and when stderr is not a terminal (pipes, files,
    CI logs); called with one message per step, and ``done``/``total`` where
    the step is counted (prices read, symbol by symbol).
    """

    def __init__(self, quiet: bool) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self._live = None

    def __call__(self, message: str, done: int | None = None, total: int | None = None, /) -> None:
        """Show ``message``, with a bar when ``done`` of ``total`` are given."""
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


_ACTIVE: list[Progress] = []


def progress(quiet: bool) -> Progress:
    """A progress display for one command; :func:`stop_progress` clears every one."""
    progress = Progress(quiet)
    _ACTIVE.append(progress)
    return progress


def stop_progress() -> None:
    """Clear every progress display (safe to call more than once)."""
    while _ACTIVE:
        _ACTIVE.pop().stop()


def version() -> str:
    """The package version, for ``--version``."""
    from eventstudy import __version__

    return __version__
