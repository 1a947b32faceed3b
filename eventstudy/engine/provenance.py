"""What a report needs to be traced: source, files, versions, study hash, time.

No wall-clock time goes into a report unless asked for (``generated_at=`` or the
``SOURCE_DATE_EPOCH`` environment variable of reproducible builds): the same
inputs give the same report, byte for byte. The time the report does carry is
derived from its inputs: ``data_as_of``, the latest retrieval time of the
downloaded prices, or the last price date of the CSV files read.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from typing import Any

from eventstudy.spec import StudySpec
from eventstudy.versions import package_versions


def provenance(
    spec: StudySpec,
    source: Any,
    generated_at: dt.datetime | None = None,
    data: dict[str, Any] | None = None,
    *,
    warned: Sequence[str] = (),
) -> dict[str, Any]:
    """Provenance record for a run (see the module doc for ``generated_at`` and ``data_as_of``).

    ``data``: per symbol, where its prices came from (default ``source.provenance()``;
    the workers' records in a Dask run). ``warned``: what the data check warned of (carried
    closes, a likely unapplied split), kept as ``data_warnings`` when there is any.
    """
    when = generated_at or source_date_epoch()
    data = source.provenance() if data is None else data
    return ({"data_warnings": list(warned)} if warned else {}) | {
        "generated_at": when.isoformat(timespec="seconds") if when is not None else None,
        "data_as_of": data_as_of(data),
        "study_file": spec.path,
        "study_sha256": spec.sha256,
        "data_source": source.describe(),
        "data": data,
        "packages": package_versions(),
    }


def source_date_epoch() -> dt.datetime | None:
    """``$SOURCE_DATE_EPOCH`` (seconds since 1970, UTC) as a datetime; None when unset."""
    from eventstudy.errors import EventStudyError

    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    try:
        return dt.datetime.fromtimestamp(int(value), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise EventStudyError(
            f"SOURCE_DATE_EPOCH={value!r} is not a whole number of seconds since 1970-01-01; fix or unset it"
        ) from None


def data_as_of(data: dict[str, dict[str, Any]]) -> str:
    """The latest retrieval time of downloaded prices, else the last price date read ("" if none)."""
    retrieved = [str(info["retrieved_at"]) for info in data.values() if info.get("retrieved_at")]
    if retrieved:
        return max(retrieved)
    return max((str(info["last"]) for info in data.values() if info.get("last")), default="")


def time_note(prov: dict[str, Any]) -> str:
    """Report header text: generated <time> · data as of <time> (the parts that are known)."""
    parts = [f"generated {prov['generated_at']}"] if prov.get("generated_at") else []
    parts += [f"data as of {prov['data_as_of']}"] if prov.get("data_as_of") else []
    return " · ".join(parts)
