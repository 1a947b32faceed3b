"""Command line: a thin layer over the public API, one module per group of subcommands.

- :mod:`~eventstudy.cli.run`: ``run`` (a study to its report);
- :mod:`~eventstudy.cli.articles`: ``extract`` and ``check`` (news articles);
- :mod:`~eventstudy.cli.tools`: ``validate`` and ``prices``;
- :mod:`~eventstudy.cli.options`: exit codes, option types, price source, progress.

Exit codes: 0 success; 1 unexpected internal error (a bug: please report
it); 2 bad input (study file, data, options), with a one-line message.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

__all__ = ["build_parser", "cli_reference", "main", "progress", "stop_progress"]
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def __getattr__(name: str) -> Any:
    """``progress`` and ``stop_progress`` from :mod:`.options`, imported on first use."""
    if name in ("progress", "stop_progress"):
        from eventstudy.cli import options

        return getattr(options, name)
    raise AttributeError(name)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used to generate docs/cli.md)."""
    import argparse

    from eventstudy.cli.articles import add_check_parser, add_extract_parser
    from eventstudy.cli.options import Parser, version
    from eventstudy.cli.run import add_run_parser
    from eventstudy.cli.tools import add_prices_parser, add_validate_parser

    parser = Parser(
        prog="eventstudy",
        description="Market-reaction event studies: did the move the article reports happen, "
        "on which session, how much was the market, and was it unusual?",
        epilog="example:\n  eventstudy run seeds/stargate.toml --prices ../shared/data/prices\n\n"
        "exit codes: 0 success, 1 internal error, 2 bad input",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_run_parser(sub)
    add_validate_parser(sub)
    add_extract_parser(sub)
    add_check_parser(sub)
    add_prices_parser(sub)
    return parser


def cli_reference() -> str:
    """Markdown CLI reference built from ``--help`` (written to docs/cli.md)."""
    import argparse
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
    """Entry point; returns the exit code (Ctrl-C at any moment, start-up included: one line, 130)."""
    restore = _on_interrupt()
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        restore()


def _on_interrupt() -> Callable[[], None]:
    """Ctrl-C ends the process at once, with one line, unless something is being written.

    (Raised as ``KeyboardInterrupt`` while a module loads, it can land in importlib's or a
    dataclass's own machinery, which turn it into another error with a traceback.) While a
    report folder, a temporary file or a cluster is open
    (:func:`eventstudy.processes.cleanup_on_interrupt`) it is a ``KeyboardInterrupt``, so they
    are cleaned up. Returns the function that puts the previous handler back; a no-op outside
    the main thread.
    """
    import signal
    import threading

    from eventstudy.processes import interrupt_now

    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def stop(signum: int, frame: object) -> None:
        if not interrupt_now():
            raise KeyboardInterrupt
        os.write(2, b"interrupted\n")
        os._exit(EXIT_INTERRUPTED)

    previous = signal.signal(signal.SIGINT, stop)
    if previous is None:  # set outside Python: put Python's own back
        previous = signal.default_int_handler

    def restore() -> None:
        signal.signal(signal.SIGINT, previous)

    return restore


def _main(argv: list[str] | None) -> int:
    import warnings

    from eventstudy.cache_limit import cache_cap
    from eventstudy.cli import articles, run, tools
    from eventstudy.cli.options import EXIT_INPUT, stop_progress
    from eventstudy.errors import EventStudyError

    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "verbose", False):
        import logging

        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stderr)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cache_cap()  # a bad EVENTSTUDY_CACHE_MAX_BYTES fails here, not when a run stores its first entry
            commands = {
                "run": run.run_command,
                "validate": tools.validate_command,
                "extract": articles.extract_command,
                "check": articles.check_command,
                "prices": tools.prices_command,
            }
            code = commands[args.command](args)
        for w in caught:
            if not args.quiet:
                print(f"warning: {w.message}", file=sys.stderr)
        return code
    except EventStudyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    finally:
        stop_progress()
