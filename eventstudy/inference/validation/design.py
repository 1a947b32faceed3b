"""The placebo simulation's design: the securities drawn, the windows, effects and levels, and the option checks."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from eventstudy.errors import EventStudyError
from eventstudy.spec.types import DEFAULT_AR_WINDOW, DEFAULT_ESTIMATION_WINDOW, Security


class ValidationInputError(EventStudyError, ValueError):
    """Bad options or data for the validation (the CLI exits with code 2)."""


class Listing(Security):
    """A study :class:`~eventstudy.spec.Security`, named as the draw names it: ``(ticker, benchmark, exchange)``.

    That is the order in which the placebo cache records it (and iterates it).
    """

    def __init__(self, ticker: str, benchmark: str, exchange: str) -> None:
        super().__init__(ticker, exchange, benchmark)

    def __iter__(self) -> Iterator[str]:
        return iter((self.ticker, self.benchmark, self.exchange))


US_STOCKS = ("ORCL", "NVDA", "ARM", "MSFT", "AVGO", "AMD", "SMCI", "VRT", "CEG")
GROUP: tuple[Listing, ...] = tuple(Listing(t, "^GSPC", "XNYS") for t in US_STOCKS)  # XNAS has the same sessions
SINGLE: tuple[Listing, ...] = (*GROUP, Listing("9984.T", "^N225", "XTKS"))
ESTIMATION_WINDOW = DEFAULT_ESTIMATION_WINDOW
AR_WINDOW = DEFAULT_AR_WINDOW  # the Corrado test ranks these days, as in a study
WINDOWS: tuple[tuple[int, int], ...] = ((0, 0),)
EFFECTS = (0.0, 0.01, 0.02, 0.05)
ALPHAS = (0.01, 0.05, 0.10)
GROUP_SIZE = (4, 8)
BOOTSTRAP_DRAWS = 999
DEFAULT_TRIALS = 2000  # a size of 5 % to about ±1 pp (binomial 95 % half-width 0.96 pp)
DEFAULT_SEED = 1985
SIZE_BAND = (0.04, 0.06)  # acceptable null rejection rate at the 5 % level
DESIGNS = ("brown-warner", "clustered")  # group designs: own random date each, or one date for all
SINGLE_DESIGN = "single"  # design label of the single-security trials (CAR t, SQ, bootstrap)
TABLE_COLUMNS = ["test", "design", "effect", "alpha", "rejection_rate", "n"]


def check_options(
    trials: int,
    single: Sequence[Listing],
    windows: tuple[tuple[int, int], ...],
    group: Sequence[Listing],
    group_size: tuple[int, int],
    n_boot: int,
    designs: tuple[str, ...] = DESIGNS,
) -> None:
    """Refuse options the simulation cannot run (:class:`ValidationInputError` naming the option)."""
    if not single and not group:
        raise ValidationInputError("no securities to draw: give single or group securities")
    if trials < 1:
        raise ValidationInputError(f"trials must be at least 1, got {trials}")
    if n_boot < 1:
        raise ValidationInputError(f"n_boot must be at least 1, got {n_boot}")
    for a, b in windows:
        if not AR_WINDOW[0] <= a <= 0 <= b <= AR_WINDOW[1]:
            raise ValidationInputError(f"window [{a},{b}] must contain day 0 and lie inside {list(AR_WINDOW)}")
    if not 2 <= group_size[0] <= group_size[1]:
        raise ValidationInputError(f"group size {group_size} must be (min, max) with 2 <= min <= max")
    if len({x.exchange for x in group}) > 1:
        raise ValidationInputError("group securities must trade on one exchange (one common event date)")
    unknown = [d for d in designs if d not in DESIGNS]
    if unknown or (group and not designs):
        raise ValidationInputError(f"designs must be among {', '.join(DESIGNS)}, got {', '.join(designs) or 'none'}")
