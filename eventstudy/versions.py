"""The installed versions of the packages that shape the numbers: in every report's provenance and cache key.

Base layer: imports nothing of the package, so every stage (the market's calendar cache, the
engine's provenance, the on-disk caches) can use it.
"""

from __future__ import annotations

import platform
from functools import lru_cache
from importlib import metadata

_PACKAGES = (
    "eventstudy-claims",
    "pandas",
    "numpy",
    "statsmodels",
    "scipy",
    "exchange_calendars",
    "matplotlib",
    "yfinance",
)


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that shape the numbers (looked up once per process)."""
    return dict(_package_versions())


@lru_cache(maxsize=1)
def _package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out
