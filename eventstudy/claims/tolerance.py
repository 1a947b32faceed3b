"""How close a measured move must be to a reported figure to match it.

The rule comes from how the figure is written, never from the data:

- A figure with d decimals ("2,3 %": d = 1; "6 %": d = 0) stands for the
  interval it rounds from: half a unit in its last place,
  ``0.5 × 10^-d`` percentage points ("2,3 %" → ±0.05 pp).
- An approximate figure ("environ 7 %", "quelque 10 %", "about 7 %") is
  read as "within 10 %" of its value, and never tighter than one full unit
  in its last place: ``max(10^-d, 0.1 × |value|)`` pp ("environ 7 %" →
  ±1 pp, "environ 25 %" → ±2.5 pp).

Decimals are counted from the number as the article wrote it (the claim's
quote) when it can be found there, else from the study file's value.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"[-+−]?\d+(?:[.,]\d+)?")


def decimals_in(quote: str, percent: float) -> int | None:
    """Decimals of the number in ``quote`` equal to ``percent``, if present."""
    for match in _NUMBER.finditer(quote.replace("\u202f", " ").replace("\xa0", " ")):
        text = match.group().replace(",", ".").replace("−", "-").lstrip("+")
        try:
            value = float(text)
        except ValueError:
            continue
        if abs(abs(value) - abs(percent)) < 1e-9:
            return len(text.split(".")[1]) if "." in text else 0
    return None


def decimals_of(percent: float) -> int:
    """Decimals of a float as written in a study file (7.0 → 0, 2.3 → 1)."""
    text = repr(float(percent)).rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def tolerance(reported: float, *, approximate: bool, quote: str = "") -> float:
    """Tolerance in decimal return units for a reported decimal move.

    Examples
    --------
    >>> round(tolerance(0.023, approximate=False, quote="Nvidia de 2,3 %"), 6)
    0.0005
    >>> round(tolerance(0.07, approximate=True, quote="d'environ 7 %"), 6)
    0.01
    """
    percent = reported * 100.0
    d = decimals_in(quote, percent)
    if d is None:
        d = decimals_of(round(percent, 10))
    unit = 10.0 ** (-d)
    tol_pp = max(unit, 0.1 * abs(percent)) if approximate else 0.5 * unit
    return tol_pp / 100.0
