"""The plan of a study: one (event, security) pair per row, with its day 0 and sessions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from eventstudy.market.calendars import DayZero
    from eventstudy.spec import Event, Security


@dataclass(frozen=True)
class Pair:
    """One (event, security) pair: its day 0 and the sessions from the estimation window to the AR window."""

    event: Event
    security: Security
    day0: DayZero
    sessions: pd.DatetimeIndex  # first one only supplies the starting price
