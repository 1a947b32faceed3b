"""The report directory: which folder ``--out`` may replace, and the swap that replaces it whole.

``--out DIR`` is replaced only when it is missing, empty, or holds a report eventstudy wrote
(``report_dir_problem``). The new report is written into a hidden sibling ``.DIR.new-<pid>-<hex>``
and swapped in under an exclusive lock on the parent directory:

* Linux: ``renameat2(RENAME_EXCHANGE)`` swaps the two directories in one step, so ``DIR`` holds
  the old or the new complete report at every instant; the old one (now at the hidden name) is
  renamed to ``.DIR.trash-…`` and removed.
* elsewhere: ``DIR`` → ``.DIR.old-…`` (the complete old report), then the new one → ``DIR``, then
  ``.DIR.old-…`` → ``.DIR.trash-…`` and removed. Between the first two renames ``DIR`` is missing
  but the old report is complete under ``.DIR.old-…``: the next run (``_recover``) renames it back
  before anything else, and ``.DIR.trash-…`` or a dead process's ``.DIR.new-…`` are removed.

A hidden sibling is touched only with proof that a swap made it: its name is exactly
``.DIR.<kind>-<pid>-<8 hex digits>`` and it holds the marker file (written into ``.DIR.new-…``
when it is made). A user's ``.DIR.trash-can`` or ``.DIR.old-backup`` is never removed or moved.

``_after_step(name)`` is called after each step; the tests replace it to kill the process there.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from eventstudy.errors import EventStudyError
from eventstudy.file_io import locked

MARKER = ".eventstudy-report"
MARKER_TEXT = (
    "This folder is a report written by `eventstudy run`.\n"
    "A later run with the same --out replaces the whole folder: keep no other files here.\n"
)
REPORT_FILES = frozenset(
    {MARKER, "report.md", "report.html", "results.json", "ar.csv", "car.csv", "claims.csv", "flags.csv", "tests.csv",
     "draft.toml"}  # draft.toml: the study `eventstudy check` drafted, written beside its report
)  # fmt: skip
FIGURE_SUFFIXES = (".svg", ".png")
_KINDS = ("new", "old", "trash")
_RENAME_EXCHANGE = 2
_USE_EXCHANGE = True  # tests set False to exercise the portable path


def _after_step(name: str) -> None:
    """Test hook: called after each step of writing and swapping a report directory."""


def _report_files() -> frozenset[str]:
    """Every file name a report directory may hold: ``REPORT_FILES``, the measures' tables and the Parquet tables."""
    from eventstudy.measures.lazy_tables import ALL_MEASURE_TABLES
    from eventstudy.results_json import COLUMNAR_TABLES

    measures = {f"{name}.{ext}" for name in ALL_MEASURE_TABLES for ext in ("csv", "parquet")}
    return REPORT_FILES | measures | {f"{name}.parquet" for name in COLUMNAR_TABLES}


def report_dir_problem(path: Path) -> str | None:
    """Why ``path`` (an existing directory) may not be replaced by a report; None if it may.

    It may when it is empty, or holds only report files (``REPORT_FILES``, and ``figures/`` with
    only ``.svg``/``.png`` files) including the marker file: report-like names without the marker
    may be a user's own files, and are refused.
    """
    entries = sorted(os.scandir(path), key=lambda e: e.name)
    if not entries:
        return None
    for entry in entries:
        if entry.name == "figures" and entry.is_dir(follow_symlinks=False):
            for fig in sorted(os.scandir(entry.path), key=lambda e: e.name):
                if not (fig.is_file(follow_symlinks=False) and fig.name.endswith(FIGURE_SUFFIXES)):
                    return f"it holds figures/{fig.name}, which is not a report figure"
        elif _is_parts_folder(entry):  # a table the Dask workers wrote: part-NNNNN.parquet files
            continue
        elif entry.name not in _report_files() or not entry.is_file(follow_symlinks=False):
            return f"it holds {entry.name}, which is not a report file"
    names = {e.name for e in entries}
    if MARKER not in names:
        return f"it has no {MARKER} file"
    return None


def _is_parts_folder(entry: os.DirEntry[str]) -> bool:
    """``entry`` is a table's folder of Parquet parts (eventstudy.engine.worker_tables) and holds nothing else."""
    from eventstudy.engine.worker_tables import WRITTEN_TABLES

    if entry.name not in {f"{name}.parquet" for name in WRITTEN_TABLES} or not entry.is_dir(follow_symlinks=False):
        return False
    return all(re.fullmatch(r"part-\d{5}\.parquet", part.name) and part.is_file(follow_symlinks=False)
               for part in os.scandir(entry.path))  # fmt: skip


def check_out_dir(out_dir: str | Path) -> Path:
    """Raise ``EventStudyError`` unless a report may be written to ``out_dir``; return it, absolute.

    Refused: the current directory or one that holds it, a symbolic link, a file, and a non-empty
    directory that is not a report (see :func:`report_dir_problem`). Nothing is changed.
    """
    shown = str(out_dir) if str(out_dir).isprintable() and str(out_dir) else repr(str(out_dir))
    try:
        out, cwd = Path(os.path.abspath(out_dir)), Path.cwd()
    except OSError as exc:  # the current directory was removed
        raise EventStudyError(f"cannot write the report to {shown}: {exc.strerror or exc}") from None
    if out == cwd or out in cwd.parents:
        raise EventStudyError(
            f"cannot write the report to {shown}: it is the current directory or holds it; choose a new folder"
        )
    _check_name_length(out, shown)
    try:
        link, exists = out.is_symlink(), out.exists()
    except OSError as exc:  # a component of the path too long, or not searchable
        why = exc.strerror or exc
        raise EventStudyError(f"cannot write the report to {shown}: {why}; choose another --out") from None
    if link:
        raise EventStudyError(f"cannot write the report to {shown}: it is a symbolic link; choose a new folder")
    if exists and not out.is_dir():
        raise EventStudyError(
            f"cannot write the report to {shown}: it is a file, not a directory; choose another --out"
        )
    if out.is_dir():
        try:
            problem = report_dir_problem(out)
        except OSError as exc:
            raise EventStudyError(f"cannot write the report to {shown}: {exc.strerror or exc}") from None
        if problem:
            raise EventStudyError(
                f"--out {shown} is not empty and was not written by eventstudy ({problem}); "
                "choose a new folder or remove it"
            )
    return out


SWAP_NAME_EXTRA = 32  # ".DIR.trash-<pid>-<8 hex>": the swap's siblings are this much longer than DIR's name


def _check_name_length(out: Path, shown: str) -> None:
    """``--out``'s name leaves room for the swap's sibling folders (``.DIR.new-…``) within the name limit."""
    try:
        name_max = os.pathconf(out.parent if out.parent.is_dir() else "/", "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    size = len(os.fsencode(out.name))
    if size + SWAP_NAME_EXTRA > name_max:
        raise EventStudyError(
            f"--out {shown[:60]}…: the folder name is too long ({size} bytes; at most {name_max - SWAP_NAME_EXTRA}, "
            "leaving room for the report's swap folders); choose a shorter name"
        )


@contextmanager
def atomic_directory(out_dir: str | Path) -> Iterator[Path]:
    """Yield a new hidden sibling of ``out_dir``; on success it replaces ``out_dir`` (see above).

    On any exception (Ctrl-C included: :func:`~eventstudy.processes.cleanup_on_interrupt`) the new
    directory is removed and ``out_dir`` is left as it was. Raises ``EventStudyError`` when
    ``out_dir`` may not or cannot be written (see :func:`check_out_dir`).
    """
    from eventstudy.processes import cleanup_on_interrupt

    with cleanup_on_interrupt(), _swapped_in(out_dir) as tmp:
        yield tmp


@contextmanager
def _swapped_in(out_dir: str | Path) -> Iterator[Path]:
    shown = out_dir
    out = check_out_dir(out_dir)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with locked(out.parent):
            _recover(out)
        out = check_out_dir(out_dir)  # a restored report is one
        tmp = _new_sibling(out, "new", create=True)
    except NotADirectoryError:
        raise EventStudyError(
            f"cannot write the report to {shown}: a parent is a file, not a directory; choose another --out"
        ) from None
    except OSError as exc:
        raise EventStudyError(f"cannot write the report to {shown}: {exc.strerror}; choose another --out") from None
    try:
        yield tmp
        _after_step("written")
        with locked(out.parent):
            _swap(tmp, out, shown)
    except OSError as exc:  # a full disk, a quota, a folder made read-only meanwhile
        shutil.rmtree(tmp, ignore_errors=True)
        hint = "free some space" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else "check the folder"
        raise EventStudyError(
            f"cannot write the report to {shown}: {exc.strerror or exc}; {hint} or choose another --out "
            "(any earlier report there is unchanged)"
        ) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap(tmp: Path, out: Path, shown: str | Path) -> None:
    """Put ``tmp`` at ``out`` (see the comment above ``MARKER``); called under the parent's lock."""
    if not os.path.lexists(out):
        os.rename(tmp, out)
        _after_step("moved_in")
        return
    check_out_dir(out)  # still a report (nothing else was put there meanwhile)?
    if _exchange(tmp, out):
        _after_step("exchanged")
        old = tmp
    else:
        old = _new_sibling(out, "old")
        os.rename(out, old)
        _after_step("backed_up")
        os.rename(tmp, out)
        _after_step("moved_in")
    trash = _new_sibling(out, "trash")
    os.rename(old, trash)
    _after_step("trashed")
    shutil.rmtree(trash, ignore_errors=True)
    _after_step("removed")


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where that is not available."""
    if not _USE_EXCHANGE or not sys.platform.startswith("linux"):
        return False
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):  # old kernel, or a file system without it
        return False
    raise OSError(err, os.strerror(err), str(b))


def _new_sibling(out: Path, kind: str, *, create: bool = False) -> Path:
    """A fresh hidden sibling name ``.<name>.<kind>-<pid>-<hex>`` (created as a directory if asked)."""
    while True:
        path = out.with_name(f".{out.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}")
        if not create:
            if not os.path.lexists(path):
                return path
            continue
        try:
            path.mkdir()  # mode 0o777 minus the umask, like any folder the user makes
        except FileExistsError:
            continue
        (path / MARKER).write_text(MARKER_TEXT, encoding="utf-8")  # the proof _recover looks for
        return path


def _made_by_swap(entry: Path, out: Path) -> str | None:
    """The kind of ``entry`` (``new``/``old``/``trash``) when a swap for ``out`` made it, else None."""
    match = re.fullmatch(rf"\.{re.escape(out.name)}\.({'|'.join(_KINDS)})-(\d+)-[0-9a-f]{{8}}", entry.name)
    if match is None or entry.is_symlink() or not entry.is_dir():
        return None
    marker = entry / MARKER
    return match.group(1) if marker.is_file() and not marker.is_symlink() else None


def _recover(out: Path) -> None:
    """Finish what a killed run left (called under the parent's lock, before anything else).

    ``.<name>.old-…`` is a complete previous report: renamed back to ``out`` if ``out`` is missing,
    else discarded. ``.<name>.trash-…`` and the ``.<name>.new-…`` of a process that no longer runs
    are removed.
    """
    leftovers: dict[str, list[Path]] = {k: [] for k in _KINDS}
    for entry in sorted(out.parent.iterdir()):
        kind = _made_by_swap(entry, out)
        if kind is not None and (kind != "new" or not _alive(entry.name.split("-")[-2])):
            leftovers[kind].append(entry)
    for old in leftovers["old"]:
        if not os.path.lexists(out):
            os.rename(old, out)
        else:
            leftovers["trash"].append(old)
    for path in leftovers["trash"] + leftovers["new"]:
        shutil.rmtree(path, ignore_errors=True)


def _alive(pid: str) -> bool:
    """Whether process ``pid`` still runs (True when unsure)."""
    if not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
