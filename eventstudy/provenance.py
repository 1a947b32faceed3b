"""What a report needs to be traced: source, files, versions, study hash, time."""

from __future__ import annotations

import datetime as dt
import platform
from importlib import metadata
from typing import Any

from eventstudy.spec import StudySpec

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
    """Installed versions of the packages that shape the numbers."""
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def provenance(spec: StudySpec, source: Any, generated_at: dt.datetime | None = None) -> dict[str, Any]:
    """Provenance record for a run (``generated_at`` defaults to now, UTC)."""
    when = generated_at or dt.datetime.now(dt.UTC)
    return {
        "generated_at": when.isoformat(timespec="seconds"),
        "study_file": spec.path,
        "study_sha256": spec.sha256,
        "data_source": source.describe(),
        "data": source.provenance(),
        "packages": package_versions(),
    }
