"""eventstudy: did the stock move when the article says, and was it the market.

Public API::

    from eventstudy import EventStudy, load_study, CsvDirectorySource
    res = EventStudy(load_study("seeds/stargate.toml"),
                     CsvDirectorySource("../shared/data/prices")).run()
    spec, res = check(["article.txt"], CsvDirectorySource("../shared/data/prices"))
    res.claims  # one verdict per price move the article reports

Heavy dependencies (statsmodels, matplotlib, yfinance, exchange_calendars)
are imported when first used, not by ``import eventstudy``.
"""

from __future__ import annotations

import sys

if sys.argv and sys.argv[0].replace("\\", "/").rsplit("/", 1)[-1] in ("eventstudy", "eventstudy.exe"):
    import _signal
    import os

    def _interrupted_at_start_up(signum: int, frame: object) -> None:
        """Ctrl-C while the command line loads (before ``cli.main`` takes over): one line, exit 130."""
        os.write(2, b"interrupted\n")
        os._exit(130)

    _signal.signal(_signal.SIGINT, _interrupted_at_start_up)  # the first thing the ``eventstudy`` command runs

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "EventStudy": "eventstudy.study",
    "StudyResults": "eventstudy.results",
    "load_study": "eventstudy.spec",
    "StudySpec": "eventstudy.spec",
    "Security": "eventstudy.spec",
    "Event": "eventstudy.spec",
    "Claim": "eventstudy.spec",
    "CsvDirectorySource": "eventstudy.market",
    "ParquetSource": "eventstudy.market",
    "YahooSource": "eventstudy.market",
    "DiskCache": "eventstudy.market",
    "PriceSource": "eventstudy.market",
    "get_model": "eventstudy.engine.models",
    "MarketModel": "eventstudy.engine.models",
    "MarketAdjustedModel": "eventstudy.engine.models",
    "ConstantMeanModel": "eventstudy.engine.models",
    "day_zero": "eventstudy.market.calendars",
    "TestResult": "eventstudy.inference.result",
    "write_report": "eventstudy.report",
    "check": "eventstudy.checking",
}

if TYPE_CHECKING:
    from eventstudy.checking import check
    from eventstudy.engine.models import ConstantMeanModel, MarketAdjustedModel, MarketModel, get_model
    from eventstudy.inference.result import TestResult
    from eventstudy.market import CsvDirectorySource, DiskCache, ParquetSource, PriceSource, YahooSource
    from eventstudy.market.calendars import day_zero
    from eventstudy.report import write_report
    from eventstudy.results import StudyResults
    from eventstudy.spec import Claim, Event, Security, StudySpec, load_study
    from eventstudy.study import EventStudy

__all__ = [
    "Claim",
    "ConstantMeanModel",
    "CsvDirectorySource",
    "DiskCache",
    "Event",
    "EventStudy",
    "MarketAdjustedModel",
    "MarketModel",
    "ParquetSource",
    "PriceSource",
    "Security",
    "StudyResults",
    "StudySpec",
    "TestResult",
    "YahooSource",
    "check",
    "day_zero",
    "get_model",
    "load_study",
    "write_report",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'eventstudy' has no attribute {name!r}")
