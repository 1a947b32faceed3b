"""Nothing lost, ever: ``--out`` replaces only a report eventstudy wrote, and the swap is safe.

The kill tests run ``atomic_directory`` in a subprocess whose ``_after_step`` hook calls
``os._exit`` (no cleanup, no ``finally``: what SIGKILL leaves) at one named step of the swap,
for every step of both swap schemes (Linux ``RENAME_EXCHANGE`` and the portable rename pair).
After each kill a complete report, old or new, must be at ``--out`` or (portable scheme, between
its two renames) under the backup name that the next run restores; the next run then leaves
exactly one complete report and no hidden leftovers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from synthetic import make_market

from eventstudy.cli import main
from eventstudy.report import folder as report_folder
from eventstudy.report.folder import MARKER

REPO = Path(__file__).resolve().parents[2]
FILES = ("report.md", "car.csv", "ar.csv", "figures/a.svg")

# writes a fake report of version argv[3] into argv[2]; exits abruptly after step argv[1]
WRITER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    import eventstudy.report.folder as w

    step, out, version, exchange = sys.argv[1:]
    w._USE_EXCHANGE = exchange == "1"
    w._after_step = lambda name: os._exit(9) if name == step else None
    with w.atomic_directory(out) as tmp:
        (tmp / "figures").mkdir()
        for name in FILES:
            (tmp / name).write_text(version + " " + name)
    """
).replace("FILES", repr(FILES))


def write_version(out: Path, version: str, *, step: str = "", exchange: bool = True) -> int:
    """Write report ``version`` to ``out`` in a subprocess killed after ``step``; its exit code."""
    argv = [sys.executable, "-c", WRITER, step, str(out), version, "1" if exchange else "0"]
    return subprocess.run(argv, cwd=out.parent, capture_output=True, text=True, timeout=60).returncode


def version_of(directory: Path) -> str:
    """The version of the complete fake report in ``directory``; fails if it is partial or mixed."""
    names = sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())
    assert names == sorted([*FILES, MARKER]), names
    versions = {(directory / name).read_text().split(" ")[0] for name in FILES}
    assert len(versions) == 1, versions
    return versions.pop()


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name)


def _steps(exchange: bool) -> list[str]:
    return ["written", "exchanged", "trashed", "removed"] if exchange else [
        "written", "backed_up", "moved_in", "trashed", "removed"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("exchange", "step"),
    [(True, s) for s in _steps(True)] + [(False, s) for s in _steps(False)],
    ids=[f"exchange-{s}" for s in _steps(True)] + [f"portable-{s}" for s in _steps(False)],
)
def test_killed_at_each_step_of_the_swap(tmp_path, exchange, step):
    out = tmp_path / "site" / "report"
    out.parent.mkdir()
    assert write_version(out, "v1") == 0
    assert version_of(out) == "v1" and leftovers(out) == []

    assert write_version(out, "v2", step=step, exchange=exchange) == 9  # killed there
    if out.exists():
        assert version_of(out) in {"v1", "v2"}
        # before the swap the new one is hidden; after it, the old one is
        assert version_of(out) == ("v1" if step == "written" else "v2")
    else:  # only between the portable scheme's two renames: the old report, whole, under its backup name
        assert step == "backed_up"
        backups = [p for p in out.parent.iterdir() if p.name.startswith(".report.old-")]
        assert len(backups) == 1 and version_of(backups[0]) == "v1"

    # the next run finds a complete report to replace (restored first when needed) and cleans up
    assert write_version(out, "v3", exchange=exchange) == 0
    assert version_of(out) == "v3"
    assert leftovers(out) == []


def test_a_failing_run_after_a_kill_restores_the_old_report(tmp_path):
    out = tmp_path / "report"
    assert write_version(out, "v1") == 0
    assert write_version(out, "v2", step="backed_up", exchange=False) == 9
    assert not out.exists()
    with pytest.raises(RuntimeError, match="disk full"), report_folder.atomic_directory(out):
        raise RuntimeError("disk full")
    assert version_of(out) == "v1"
    assert leftovers(out) == []


def test_kill_before_the_first_report_leaves_nothing_behind(tmp_path):
    out = tmp_path / "report"
    assert write_version(out, "v1", step="written") == 9
    assert not out.exists()
    assert write_version(out, "v2") == 0  # the dead run's hidden folder is removed
    assert version_of(out) == "v2" and leftovers(out) == []


def test_a_running_writers_folder_is_not_removed(tmp_path):
    out = tmp_path / "report"
    alive = out.with_name(f".report.new-{os.getpid()}-0000abcd")  # this process: still running
    alive.mkdir()
    (alive / MARKER).write_text("")
    assert write_version(out, "v1") == 0
    assert alive.is_dir()


@pytest.mark.parametrize(
    "name",
    [".report.trash-can", ".report.old-backup", ".report.new-1-2", ".report.old-99999999-0000abcd",
     ".report.trash-1-0000abcd"],
)  # fmt: skip
def test_a_users_folders_named_like_swap_leftovers_are_kept(tmp_path, name):
    """Only a folder with a swap's exact name and its marker is a leftover; the user's are untouched."""
    out = tmp_path / "report"
    assert write_version(out, "v1") == 0
    mine = tmp_path / name
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")  # no marker: the swap did not make it
    for step in ("", "backed_up"):  # a plain run, and the next run's recovery after a kill
        write_version(out, "v2", step=step, exchange=False)
        assert write_version(out, "v3") == 0
        assert (mine / "notes.txt").read_text() == "mine" and sorted(p.name for p in mine.iterdir()) == ["notes.txt"]
    assert version_of(out) == "v3"


# --- --out: only a folder eventstudy wrote is replaced -------------------------------------


@pytest.fixture(scope="module")
def market(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("market") / "prices"
    make_market(directory)
    return directory


@pytest.fixture(scope="module")
def study_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("study") / "study.toml"
    path.write_text(
        '[study]\nid = "swap"\n\n[[securities]]\nticker = "STOCK"\nexchange = "XNYS"\nbenchmark = "MKT"\n\n'
        '[[events]]\nid = "ev"\ntimestamp = 2025-01-21T12:00:00-05:00\n'
    )
    return path


def run(capsys, study_file: Path, market: Path, out: str | Path) -> tuple[int, str]:
    try:
        code = main(["run", str(study_file), "--prices", str(market), "--out", str(out), "--quiet", "--format", "md"])
    except SystemExit as exc:  # a bad option value: argparse's one line and exit 2
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    "files",
    [
        {"thesis.docx": b"years of work"},
        {"report.md": b"my own notes"},  # report names, but no marker
        {"car.csv": b"event,ticker\nmine,1\n"},  # a user's own car.csv, no marker
        {"car.csv": b"x", "ar.csv": b"x", "report.md": b"x", "figures/claims.svg": b"<svg/>"},  # report-like
        {MARKER: b"", "report.md": b"x", "notes.txt": b"mine"},  # a report with a user's file added
        {MARKER: b"", "figures/photo.jpg": b"jpeg"},
        {MARKER: b"", "figures/sub/a.svg": b"<svg/>"},
    ],
    ids=[
        "user-folder",
        "report-name-only",
        "users-car-csv",
        "report-like-no-marker",
        "report-plus-user-file",
        "foreign-figure",
        "figure-subfolder",
    ],
)
def test_out_folder_not_written_by_eventstudy_is_refused(tmp_path, capsys, study_file, market, files):
    out = tmp_path / "mine"
    for name, data in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    before = snapshot(out)
    code, err = run(capsys, study_file, market, out)
    assert code == 2
    line = err.strip()
    assert "\n" not in line and line.startswith(f"error: --out {out} is not empty and was not written by eventstudy")
    assert "choose a new folder or remove it" in line
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_an_earlier_report_is_replaced(tmp_path, capsys, study_file, market):
    out = tmp_path / "report"
    assert run(capsys, study_file, market, out)[0] == 0
    assert (out / MARKER).read_text().startswith("This folder is a report written by `eventstudy run`")
    (out / "figures" / "old_event.svg").write_text("<svg/>")  # a figure of an event since removed
    assert run(capsys, study_file, market, out)[0] == 0
    assert not (out / "figures" / "old_event.svg").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_an_empty_folder_is_used(tmp_path, capsys, study_file, market):
    out = tmp_path / "empty"
    out.mkdir()
    assert run(capsys, study_file, market, out)[0] == 0
    assert (out / "car.csv").exists()


@pytest.mark.parametrize("value", ["", ".", ".."])
def test_out_cannot_be_the_current_directory(tmp_path, capsys, study_file, market, monkeypatch, value):
    work = tmp_path / "work"
    work.mkdir()
    (work / "keep.txt").write_text("keep")
    monkeypatch.chdir(work)
    code, err = run(capsys, study_file, market, value)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    said = ("current directory", "not written by eventstudy", "--out: '' is empty")  # "": an unset variable
    assert any(words in err for words in said), err
    assert (work / "keep.txt").read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]


def test_out_cannot_be_a_symbolic_link(tmp_path, capsys, study_file, market):
    target = tmp_path / "target"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    code, err = run(capsys, study_file, market, link)
    assert code == 2 and "symbolic link" in err and str(link) in err
    assert link.is_symlink() and list(target.iterdir()) == []


def test_cli_killed_mid_swap_keeps_a_complete_report(tmp_path, study_file, market):
    """End to end: the real command killed right after the exchange, then run again."""
    out = tmp_path / "report"
    script = textwrap.dedent(
        """
        import os, sys
        import eventstudy.report.folder as w
        from eventstudy.cli import main
        step = sys.argv[1]
        w._after_step = lambda name: os._exit(9) if name == step else None
        sys.exit(main(["run", sys.argv[2], "--prices", sys.argv[3], "--out", sys.argv[4], "--quiet",
                       "--format", "md", "--figures", "none"]))
        """
    )
    argv = [sys.executable, "-c", script]
    paths = [str(study_file), str(market), str(out)]
    assert subprocess.run([*argv, "", *paths], timeout=120).returncode == 0
    first = snapshot(out)
    assert subprocess.run([*argv, "exchanged", *paths], timeout=120).returncode == 9
    assert snapshot(out) == first  # the same study again: the new report, complete and identical
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report.")]  # the old one, hidden
    assert subprocess.run([*argv, "", *paths], timeout=120).returncode == 0
    assert snapshot(out) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
