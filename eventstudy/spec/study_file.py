"""Study files: what to measure, around which events, against which claims.

A study file is TOML. ``load_study(path)`` reads and validates it; every
error names the file, the key and the offending value. The full key
reference is in ``docs/study-file.md``. The dataclasses are in
:mod:`eventstudy.spec.types`, the checks of each field in :mod:`eventstudy.spec.fields`.
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import Any

from eventstudy.errors import StudyFileError
from eventstudy.file_io import read_input
from eventstudy.spec.fields import FieldParser
from eventstudy.spec.types import (
    DEFAULT_AR_WINDOW,
    DEFAULT_BHAR_WINDOWS,
    DEFAULT_ESTIMATION_WINDOW,
    DEFAULT_EVENT_WINDOWS,
    MEASURE_NAMES,
    StudySpec,
)


def load_study(path: str | Path) -> StudySpec:
    """Read and validate a TOML study file.

    Parameters
    ----------
    path
        Path of the study file.

    Returns
    -------
    StudySpec

    Raises
    ------
    StudyFileError
        When the file cannot be read or parsed, or a key is missing or has
        an invalid value. The message names the file, the key and the value.
    """
    path = Path(path)
    raw, text = read_text(path, "study")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StudyFileError(path, "(file)", f"is not valid TOML: {exc}") from None
    except RecursionError:
        raise StudyFileError(path, "(file)", "is nested too deeply to be a study file (arrays or tables)") from None
    return parse_study(doc, path=path, sha256=hashlib.sha256(raw).hexdigest())


def read_text(path: Path, kind: str) -> tuple[bytes, str]:
    """The bytes of a study or events file and its UTF-8 text; a file that cannot be read is a StudyFileError.

    A byte order mark (Notepad's) is dropped: it is not TOML or CSV, but is no error either.
    """
    try:
        raw = read_input(path, kind)
    except FileNotFoundError:
        raise StudyFileError(path, "(file)", "no such file") from None
    except OSError as exc:
        raise StudyFileError(path, "(file)", f"cannot be read: {exc.strerror or exc}") from None
    try:
        return raw, raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StudyFileError(path, "(file)", f"is not UTF-8 text: {exc}") from None


def parse_study(doc: dict[str, Any], *, path: str | Path = "<study>", sha256: str = "") -> StudySpec:
    """Validate a study already parsed into a dict (see :func:`load_study`)."""
    p = FieldParser(path)
    study = p.table(doc, "study")
    study_id = p.ident(study, "study.id")
    est = p.window(study, "study.estimation_window", DEFAULT_ESTIMATION_WINDOW)
    ar_win = p.window(study, "study.ar_window", DEFAULT_AR_WINDOW)
    windows = p.windows(study, "study.event_windows", DEFAULT_EVENT_WINDOWS)
    model = p.model(study, "study.model")
    _check_windows(p, est, ar_win, windows)
    measures = p.measures(study, "study.measures")
    bhar_windows: tuple[tuple[int, int], ...] = ()
    if "bhar_windows" in study or "bhar" in measures:
        bhar_windows = p.windows(study, "study.bhar_windows", DEFAULT_BHAR_WINDOWS)
        check_bhar_windows(p, bhar_windows, est)
        measures = tuple(m for m in MEASURE_NAMES if m in measures or m == "bhar")

    securities = tuple(p.security(i, t) for i, t in enumerate(p.array(doc, "securities")))
    p.unique([s.ticker for s in securities], "securities", "ticker")
    _check_mutual_benchmarks(p, securities)
    events = tuple(p.event(i, t) for i, t in enumerate(p.array(doc, "events")))
    p.unique([e.id for e in events], "events", "id")
    tickers = {s.ticker for s in securities}
    event_ids = {e.id: e for e in events}
    claims = tuple(p.claim(i, t, tickers, event_ids) for i, t in enumerate(p.array(doc, "claims", required=False)))
    p.unique([c.id for c in claims], "claims", "id")
    p.groups(claims)
    return StudySpec(
        id=study_id,
        title=p.string(study, "study.title", default=study_id),
        securities=securities,
        events=events,
        claims=claims,
        estimation_window=est,
        event_windows=windows,
        ar_window=ar_win,
        model=model,
        path=str(path),
        sha256=sha256,
        measures=measures,
        bhar_windows=bhar_windows,
    )


def check_bhar_windows(p: FieldParser, windows: tuple[tuple[int, int], ...], est: tuple[int, int]) -> None:
    """Buy-and-hold windows start after the estimation window and are distinct."""
    for w in windows:
        if w[0] <= est[1]:
            p.fail("study.bhar_windows", w, f"must start after the estimation window ends (day {est[1]})")
    if len(set(windows)) != len(windows):
        p.fail("study.bhar_windows", windows, "lists a window twice")


def _check_windows(
    p: FieldParser,
    est: tuple[int, int],
    ar_win: tuple[int, int],
    windows: tuple[tuple[int, int], ...],
) -> None:
    if est[1] - est[0] + 1 < 30:
        p.fail("study.estimation_window", est, "needs at least 30 sessions")
    if est[1] >= ar_win[0]:
        p.fail(
            "study.estimation_window",
            est,
            f"must end before the AR window starts (day {ar_win[0]})",
        )
    for w in windows:
        if w[0] < ar_win[0] or w[1] > ar_win[1]:
            p.fail("study.event_windows", w, f"must lie inside study.ar_window {ar_win}")


def _check_mutual_benchmarks(p: FieldParser, securities: tuple[Any, ...]) -> None:
    """A benchmarked against B and B against A: each abnormal return mirrors the other's (no market left)."""
    position = {s.ticker: i for i, s in enumerate(securities)}
    for i, sec in enumerate(securities):
        j = position.get(sec.benchmark)
        if j is not None and j < i and securities[j].benchmark == sec.ticker:
            p.fail(f"securities[{i}].benchmark", sec.benchmark,
                   f"is securities[{j}], whose benchmark is {sec.ticker}: each abnormal return would mirror the "
                   "other's; benchmark both against a market index")  # fmt: skip
