"""Nothing lost, round three (issue 25): a user's files, hostile text, paths, processes.

Each test reproduces a case of the issue that lost or overwrote a file, opened a hole, or
broke the one-``error:``-line promise, and fails on the code before its fix. ``ROUND3_CASES``
are the cases that must exit 2 with one line naming the culprit; ``MORE_ROUND3_CASES`` the 75
cases of our own; ``scripts/bad_input_survey.py`` runs them with the earlier catalogues.

Where each case of the issue is tested:

- swap leftovers named like a user's folders, a folder without the marker:
  ``tests/report/test_report_swap.py`` (``test_a_users_folders_named_like_swap_leftovers_are_kept``,
  ``test_out_folder_not_written_by_eventstudy_is_refused``);
- an output that is an input, Markdown injection, symbols as paths, check's temp folder, workers
  left behind, a full disk, Ctrl-C at start-up, a negative volume, an unapplied split, a row dated
  2300, slow input (``benchmarks/bench_check.py``: speed is never asserted by a test), misleading
  messages: here;
- an article's file name injecting a claim into the draft: ``tests/articles/test_extract_reading.py``
  (``test_file_name_cannot_inject_a_claim`` and the control-character tests);
- High below Low, a claim on a Saturday: ``tests/claims/test_judging.py``
  (``test_high_below_low_gives_no_range_and_says_why``,
  ``test_claim_on_a_saturday_says_it_is_not_a_trading_day``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import PRICES, STUDY, require_shared
from markdown_it import MarkdownIt
from synthetic import make_market
from test_bad_input import edited, set_cell, study
from test_bad_input_more import CLAIM, ISSUE_CASES, MORE_CASES, Case, Kit, _edited, _prices_case, check_error, run_case

from eventstudy.cli import main
from eventstudy.spec.events_csv import load_events_csv

ARTICLE = "date 2025-01-22\n\nLe cours d'Oracle a grimpé de 7 % mercredi 22 janvier 2025.\n"


@pytest.fixture(scope="module")
def market(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("market") / "prices"
    make_market(directory)
    return directory


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


# --- outputs that are inputs ---------------------------------------------------------------


def extract_out_is_the_article(kit: Kit) -> Case:
    article = kit.tmp / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    return Case(["extract", str(article), "--out", str(article), "-q"], ("--out", "a.txt", "article"))


def extract_two_outputs_one_file(kit: Kit) -> Case:
    article = kit.tmp / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    draft = str(kit.tmp / "d.toml")
    return Case(["extract", str(article), "--out", draft, "--claims-csv", draft, "-q"], ("--out", "--claims-csv"))


def extract_out_is_a_link_to_the_article(kit: Kit) -> Case:
    article = kit.tmp / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    (kit.tmp / "link.toml").symlink_to(article)
    return Case(["extract", str(article), "--claims-csv", str(kit.tmp / "link.toml"), "-q"], ("--claims-csv",))


# --- Markdown: text from study files is text -------------------------------------------------

LINK = "[x](javascript:alert(document.domain))"
IMAGE = "![logo](http://127.0.0.1:9/beacon.png?who=reader)"
FENCE = "``` unclosed"


def _rendered(markdown: str) -> str:
    """report.md as a CommonMark viewer with GitHub tables renders it (markdown-it-py)."""
    return MarkdownIt("commonmark").enable("table").render(markdown)


def test_report_md_renders_study_text_as_text(tmp_path, market):
    hostile = f"{LINK} {IMAGE} *em* [ref]: javascript:alert(3)"
    claim = (f'\n[[claims]]\nid = "c1"\nticker = "STOCK"\nevent = "ev"\nreported_percent = 1.0\n'
             f'quote = "{FENCE} {hostile}"\n')  # fmt: skip
    event = f'title = "{hostile}"\nnote = "{FENCE}"\n'
    path = study(tmp_path, study_extra=f'title = "{LINK} {IMAGE}"', extra=event + claim)
    out = tmp_path / "report"
    assert main(["run", str(path), "--prices", str(market), "--out", str(out), "-q", "--format", "md"]) == 0
    text = (out / "report.md").read_text(encoding="utf-8")
    html = _rendered(text)
    sources = re.findall(r'<img src="([^"]*)"', html)
    assert sources and all(src.startswith("figures/") for src in sources)  # the report's own figures only
    assert "<a " not in html  # no link
    assert "javascript:alert(document.domain)" in html  # shown as text
    assert "<em>" not in html.split("<h2")[0]  # the title's *em* is text
    # the unclosed fence in the note swallows nothing: every section after it is still a heading
    assert html.count("<h2>") == text.count("\n## ") + text.startswith("## ")
    assert "<pre><code" not in html


# --- symbols are names, never paths --------------------------------------------------------


def to_parquet_symbol_is_a_path(kit: Kit) -> Case:
    (kit.tmp / "secret.csv").write_text((kit.market / "STOCK.csv").read_text())
    return Case(
        ["prices", "to-parquet", "--prices", str(kit.market), "--out", str(kit.tmp / "pq"), "--symbols", "../secret"],
        ("--symbols", "../secret"),
    )


def _article(kit: Kit) -> str:
    article = kit.tmp / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    return str(article)


def check_reference_date_february_30(kit: Kit) -> Case:
    return Case(["check", _article(kit), "--prices", str(kit.market), "--reference-date", "2025-02-30"],
                ("--reference-date", "2025-02-30", "day is out of range"))  # fmt: skip


def extract_reference_date_february_30(kit: Kit) -> Case:
    return Case(["extract", _article(kit), "--reference-date", "2025-02-30"], ("--reference-date", "2025-02-30"))


def check_year_99999(kit: Kit) -> Case:
    return Case(["check", _article(kit), "--prices", str(kit.market), "--year", "99999"], ("--year", "99999"))


def check_year_0(kit: Kit) -> Case:
    return Case(["check", _article(kit), "--prices", str(kit.market), "--year", "0"], ("--year", "'0'"))


def check_alias_ticker_is_a_path(kit: Kit) -> Case:
    return Case(["check", _article(kit), "--prices", str(kit.market), "--alias", "Foo=../../x"],
                ("--alias", "Foo=../../x", "ticker"))  # fmt: skip


def check_alias_unknown_exchange(kit: Kit) -> Case:
    return Case(["check", _article(kit), "--prices", str(kit.market), "--alias", "Foo=FOO:XMOON:^GSPC"],
                ("--alias", "XMOON", "exchange"))  # fmt: skip


ROUND3_CASES = [
    check_reference_date_february_30,
    extract_reference_date_february_30,
    check_year_99999,
    check_year_0,
    check_alias_ticker_is_a_path,
    check_alias_unknown_exchange,
    extract_out_is_the_article,
    extract_two_outputs_one_file,
    extract_out_is_a_link_to_the_article,
    to_parquet_symbol_is_a_path,
]


def test_a_symbol_that_is_a_path_reads_nothing_outside_the_folder(tmp_path, market):
    from eventstudy.errors import UnknownSymbolError
    from eventstudy.market import CsvDirectorySource

    (tmp_path / "secret.csv").write_text((market / "STOCK.csv").read_text())
    source = CsvDirectorySource(market)
    for symbol in ("../secret", "../../etc/passwd", "/etc/passwd", ".hidden", "a\\b"):
        with pytest.raises(UnknownSymbolError, match="not a symbol but a path"):
            source.prices(symbol, pd.Timestamp("2020-01-01"), pd.Timestamp("2026-01-01"))


# --- check without --out: a private folder in the shared temp directory ------------------


@pytest.mark.parametrize("plant", ["symlink", "open-folder"])
def test_check_default_out_refuses_a_planted_folder(tmp_path, market, monkeypatch, capsys, plant):
    import tempfile

    shared_tmp, theirs = tmp_path / "tmp", tmp_path / "theirs"
    shared_tmp.mkdir()
    theirs.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(shared_tmp))
    planted = shared_tmp / f"eventstudy-check-{os.getuid()}"
    if plant == "symlink":
        planted.symlink_to(theirs)
    else:
        planted.mkdir(mode=0o777)
        planted.chmod(0o777)
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    code = main(["check", str(article), "--prices", str(market), "-q"])
    check_error(code, capsys.readouterr().err, (str(planted), "--out"))
    assert list(theirs.iterdir()) == []


def test_check_default_out_is_private(tmp_path, monkeypatch):
    import tempfile

    from eventstudy.articles.check import default_out

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    out = default_out("check-x")
    assert out.parent.name == f"eventstudy-check-{os.getuid()}"
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700 and out.parent.stat().st_uid == os.getuid()


# --- workers end with their parent --------------------------------------------------------


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (read from /proc)."""
    found = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat_file.parent.name))
    return found


def _running(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting to be reaped does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_kill_9_during_figures_leaves_no_worker(tmp_path):
    prices = require_shared(PRICES)
    argv = [sys.executable, "-m", "eventstudy", "run", str(STUDY), "--prices", str(prices),
            "--out", str(tmp_path / "out"), "--quiet", "--placebo-trials", "0"]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline, workers = time.monotonic() + 120, []
    while time.monotonic() < deadline and proc.poll() is None and not workers:
        workers = _children(proc.pid)
        time.sleep(0.05)
    assert workers, "the run drew no figure in worker processes"
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_running(w) for w in workers):
        time.sleep(0.1)
    alive = [w for w in workers if _running(w)]
    assert alive == [], alive
    proc.stdout.read()  # the pipe closes: no worker holds it open


# --- events CSV: the id from any file name, exchanges known or named ---------------------


def _events(kit: Kit, name: str, rows: str) -> Path:
    path = kit.tmp / name
    path.write_text("event,ticker,timestamp,benchmark" + rows, encoding="utf-8")
    return path


def events_csv_unknown_suffix(kit: Kit) -> Case:
    path = _events(kit, "ev.csv", "\ne1,STOCK.XX,2025-01-21,MKT\n")
    return Case(kit.run(path), ("ev.csv", "row 2.ticker", "STOCK.XX", "exchange column"))


def events_csv_unknown_exchange(kit: Kit) -> Case:
    path = _events(kit, "ev.csv", ",exchange\ne1,STOCK,2025-01-21,MKT,XMOON\n")
    return Case(kit.run(path), ("ev.csv", "row 2.exchange", "XMOON"))


def to_parquet_out_is_the_prices_folder(kit: Kit) -> Case:
    prices = kit.tmp / "prices"
    shutil.copytree(kit.market, prices)
    return Case(["prices", "to-parquet", "--prices", str(prices), "--out", str(prices)], ("--out", "--prices folder"))


ROUND3_CASES += [events_csv_unknown_suffix, events_csv_unknown_exchange, to_parquet_out_is_the_prices_folder]


# --- price files: negative volume, a row in the future, digits of another script -----------


def negative_volume(kit: Kit) -> Case:
    case = _prices_case(kit, "STOCK", set_cell("2024-11-04", "Volume", "-5000"), "negative Volume", "2024-11-04")
    case.argv += ["--measure", "volume"]
    return case


def row_dated_2300(kit: Kit) -> Case:
    def edit(lines: list[str]) -> list[str]:
        return [*lines, "2300-01-02," + lines[-1].split(",", 1)[1]]

    return _prices_case(kit, "STOCK", edit, "2300-01-02", "future")


def fullwidth_digits(kit: Kit) -> Case:
    return _prices_case(kit, "STOCK", set_cell("2024-11-04", "Close", "１２３.５"), "column Close", "ASCII digits")


def decimal_comma(kit: Kit) -> Case:
    return _prices_case(kit, "STOCK", set_cell("2024-11-04", "Close", '"123,5"'), "column Close", "decimal comma")


ROUND3_CASES += [negative_volume, row_dated_2300, fullwidth_digits, decimal_comma]


def test_a_csv_folder_with_a_stray_parquet_file_is_read_as_csv(tmp_path, market, capsys):
    prices = tmp_path / "prices"
    shutil.copytree(market, prices)
    (prices / "notes.parquet").write_bytes(b"not ours")
    path = study(tmp_path)
    code = main(["run", str(path), "--prices", str(prices), "--out", str(tmp_path / "o"), "-q", "--format", "json"])
    assert code == 0, capsys.readouterr().err
    assert "CSV directory" in (tmp_path / "o" / "results.json").read_text()


@pytest.mark.parametrize(("name", "study_id"), [("événements.csv", "evenements"), (".events.csv", "events"),
                                                 ("__.csv", "events"), ("Q1 2025.csv", "Q1-2025")])  # fmt: skip
def test_events_csv_study_id_from_any_file_name(tmp_path, market, name, study_id):
    kit = Kit(tmp_path, market)
    spec = load_events_csv(_events(kit, name, "\ne1,STOCK,2025-01-21,MKT\n"))
    assert spec.id == study_id


@pytest.mark.parametrize(
    ("ticker", "exchange"),
    [
        ("SAP.DE", "XETR"),
        ("MC.PA", "XPAR"),
        ("BRK.B", "XNYS"),
        ("9984.T", "XTKS"),
        ("ORCL", "XNYS"),
        ("0700.HK", "XHKG"),
    ],
)
def test_events_csv_exchange_from_the_suffix(tmp_path, market, ticker, exchange):
    spec = load_events_csv(_events(Kit(tmp_path, market), "ev.csv", f"\ne1,{ticker},2025-01-21,MKT\n"))
    assert spec.securities[0].exchange == exchange


# --- every case of the catalogue above ------------------------------------------------------


@pytest.mark.parametrize("build", ROUND3_CASES, ids=lambda b: b.__name__)
def test_round3_case(tmp_path, market, monkeypatch, capsys, build):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))
    case = build(Kit(tmp_path, market))
    before = snapshot(tmp_path)
    code, err = run_case(case, tmp_path, monkeypatch, capsys)
    check_error(code, err, case.names)
    assert snapshot(tmp_path) == before  # nothing written, nothing overwritten


# --- Ctrl-C at any moment of start-up -----------------------------------------------------


@pytest.mark.parametrize("delay", [0.1, 0.2, 0.3, 0.4, 0.5, 0.65, 0.8, 1.0, 1.2, 1.5, 2.5, 4.0])
def test_ctrl_c_during_start_up_is_one_line(tmp_path, tmp_path_factory, delay):
    prices = require_shared(PRICES)
    script = Path(sys.executable).with_name("eventstudy")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "eventstudy"]
    argv = [*command, "run", str(STUDY), "--prices", str(prices), "--out", str(tmp_path / "out"), "--quiet"]
    # an empty cache of its own: every stage computed, so the run outlasts the longest delay (a rerun whose
    # tables the earlier tests cached can end before 4 s, and then there is nothing left to interrupt)
    env = {**os.environ, "EVENTSTUDY_CACHE": str(tmp_path_factory.mktemp("cold-cache"))}
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    left = list(tmp_path.iterdir())
    if left:  # on a fast machine the run can end first (the signal then lands in the interpreter's shutdown):
        written = {p.name for p in (tmp_path / "out").iterdir()}  # the report is whole, nothing else is left
        assert [p.name for p in left] == ["out"] and {"report.md", "report.html", "results.json"} <= written
        assert "Traceback" not in err and proc.returncode in (0, -signal.SIGINT, 130), (proc.returncode, err)
        return
    if _before_the_first_line(proc.returncode, err):
        return  # the interpreter's own start-up (a loaded machine): no line of the package had run yet
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert proc.returncode == 130 and err.strip().splitlines()[-1] == "interrupted", (proc.returncode, err)


def _before_the_first_line(code: int, err: str) -> bool:
    """Whether Ctrl-C came before ``eventstudy/__init__.py`` ran its first line (its handler is the first).

    Killed by the signal before Python set its own handler, or Python's traceback with no frame
    in the package (in ``site`` or the script's import statement): nothing of the tool's had run.
    """
    if code == -signal.SIGINT and not err:
        return True
    package = str(Path(__file__).resolve().parents[2] / "eventstudy")
    frames = [line for line in err.splitlines() if line.strip().startswith('File "')]
    return err.rstrip().endswith("KeyboardInterrupt") and not any(package in f for f in frames)


# --- a full disk under --out --------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB tmpfs (root only: mount); skipped elsewhere, required under CI=true."""
    disk = tmp_path / "disk"
    disk.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], capture_output=True)
    if done.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"cannot mount a tmpfs for the full-disk test: {done.stderr.decode().strip()}")
        pytest.skip("mounting a tmpfs needs root")
    yield disk
    subprocess.run(["umount", str(disk)], check=False)


def _fill(disk: Path, leave: int) -> None:
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(disk / "filler", "wb") as fh:
        fh.write(b"\0" * max(free - leave, 0))


@pytest.mark.parametrize("earlier", [False, True], ids=["new-folder", "over-an-earlier-report"])
def test_a_full_disk_is_one_line_and_keeps_the_earlier_report(small_disk, tmp_path, market, capsys, earlier):
    path = study(tmp_path)
    out = small_disk / "report"
    argv = ["run", str(path), "--prices", str(market), "--out", str(out), "-q", "--placebo-trials", "0"]
    before: dict[str, bytes] = {}
    if earlier:
        assert main([*argv, "--format", "json", "--figures", "none"]) == 0
        before = snapshot(out)
    _fill(small_disk, leave=64 * 1024)
    code = main(argv)
    check_error(code, capsys.readouterr().err, (str(out), "No space left on device", "choose another --out"))
    assert (snapshot(out) == before) if earlier else not out.exists()
    assert sorted(p.name for p in small_disk.iterdir()) == (["filler", "report"] if earlier else ["filler"])


# --- wrong answers said: a split the prices were not adjusted for -------------------------


def _scaled_from(day: str, factor: float) -> Callable[[list[str]], list[str]]:
    """Price columns times ``factor`` on ``day`` and after (an unapplied split), volume unchanged."""

    def edit(lines: list[str]) -> list[str]:
        out = lines[:1]
        for line in lines[1:]:
            cells = line.split(",")
            if cells[0] >= day:
                cells[1:6] = [repr(float(c) * factor) if c else c for c in cells[1:6]]
            out.append(",".join(cells))
        return out

    return edit


@pytest.mark.parametrize(
    ("day", "factor", "words"),
    [("2025-01-21", 10.0, "likely a 1-for-10 reverse split"), ("2024-09-03", 0.5, "likely a 2-for-1 split")],
    ids=["tenfold-from-day-0", "two-for-one-in-the-estimation-window"],
)  # fmt: skip
def test_an_unapplied_split_is_said(tmp_path, market, capsys, day, factor, words):
    prices = edited(market, tmp_path, "STOCK", _scaled_from(day, factor))
    out = tmp_path / "out"
    code = main(["run", str(study(tmp_path)), "--prices", str(prices), "--out", str(out), "--format", "md,json",
                 "--placebo-trials", "0"])  # fmt: skip
    assert code == 0
    err = capsys.readouterr().err
    assert any(line.startswith("warning: STOCK: the price on " + day) and words in line for line in err.splitlines())
    assert words in (out / "report.md").read_text(encoding="utf-8")
    assert any(words in w for w in json.loads((out / "results.json").read_text())["provenance"]["data_warnings"])


def test_split_like_moves_needs_a_split_ratio_and_a_quiet_market():
    from eventstudy.market.frames import split_like_moves

    def moves(step: float, market_step: float) -> list[tuple[int, float, int]]:
        price = np.array([100.0, 101.0, 101.0 * step, 101.0 * step])
        bench = np.array([50.0, 50.5, 50.5 * market_step, 50.5 * market_step])
        return split_like_moves(price, bench)

    assert [(t, k) for t, _, k in moves(1 / 3, 1.0)] == [(2, 3)]
    assert [(t, k) for t, _, k in moves(4.02, 1.003)] == [(2, -4)]
    assert moves(0.5, 0.92) == []  # the market fell 8 %: a crash, not a split
    assert moves(0.62, 1.0) == []  # -38 %: no split ratio
    assert moves(1.5, 1.0) == []  # 3-for-2 is not looked for: too close to real moves
    assert moves(0.5, float("nan")) == []  # no benchmark price that day: nothing to compare


# --- round three, our own cases (issue 25: "at least 40 more cases that no one listed") ---------
# Each must exit 2 with one ``error:`` line naming the culprit and write nothing; the cases whose
# right answer is a warning and exit 0 are tests of their own below the catalogue.

SECOND_SECURITY = '\n[[securities]]\nticker = "MKT"\nexchange = "XNYS"\nbenchmark = "STOCK"\n'


def _study_text(kit: Kit, text: str) -> Path:
    path = kit.tmp / "study.toml"
    path.write_text(text, encoding="utf-8")
    return path


def study_ar_window_huge_int(kit: Kit) -> Case:
    path = study(kit.tmp, study_extra="ar_window = [-10, 99999999999999999999999]")
    return Case(kit.run(path), (str(path), "study.ar_window", "99999999999999999999999"))


def study_duplicate_event_ids(kit: Kit) -> Case:
    path = study(kit.tmp, extra='\n[[events]]\nid = "ev"\ntimestamp = 2025-02-04T12:00:00-05:00\n')
    return Case(kit.run(path), (str(path), "events", "'ev'"))


def study_event_id_zero_width_space(kit: Kit) -> Case:
    path = study(kit.tmp)
    path.write_text(path.read_text().replace('id = "ev"', 'id = "ev\u200b"'), encoding="utf-8")
    return Case(kit.run(path), (str(path), "events[0].id"))


def study_claim_on_unknown_event(kit: Kit) -> Case:
    claim = '\n[[claims]]\nid = "c"\nticker = "STOCK"\nevent = "nope"\nreported_percent = 7.0\n'
    path = study(kit.tmp, extra=claim)
    return Case(kit.run(path), (str(path), "claims[0].event", "'nope'"))


def study_claim_on_unknown_ticker(kit: Kit) -> Case:
    claim = '\n[[claims]]\nid = "c"\nticker = "ORCL"\nevent = "ev"\nreported_percent = 7.0\n'
    path = study(kit.tmp, extra=claim)
    return Case(kit.run(path), (str(path), "claims[0].ticker", "'ORCL'"))


def study_event_window_reversed(kit: Kit) -> Case:
    path = study(kit.tmp, study_extra="event_windows = [[1, -1]]")
    return Case(kit.run(path), (str(path), "study.event_windows"))


def study_estimation_window_after_event(kit: Kit) -> Case:
    path = study(kit.tmp, study_extra="estimation_window = [11, 250]")
    return Case(kit.run(path), (str(path), "study.estimation_window"))


def study_event_on_a_holiday_far_in_the_past(kit: Kit) -> Case:
    path = study(kit.tmp, timestamp="1987-12-25T12:00:00-05:00")  # Christmas, before every price
    return Case(kit.run(path), ("STOCK", "1987"))


def study_model_with_a_space(kit: Kit) -> Case:
    path = study(kit.tmp, study_extra='model = "market model"')
    return Case(kit.run(path), (str(path), "study.model", "'market model'"))


def study_measure_unknown(kit: Kit) -> Case:
    path = study(kit.tmp, study_extra='measures = ["volumes"]')
    return Case(kit.run(path), (str(path), "study.measures", "volumes"))


def study_measures_a_string(kit: Kit) -> Case:
    path = study(kit.tmp, study_extra='measures = "volume"')
    return Case(kit.run(path), (str(path), "study.measures", "'volume'"))


def study_bhar_window_reversed(kit: Kit) -> Case:
    path = study(kit.tmp, study_extra="bhar_windows = [[60, 0]]")
    return Case(kit.run(path), (str(path), "study.bhar_windows"))


def study_securities_empty(kit: Kit) -> Case:
    path = _study_text(kit, '[study]\nid = "x"\nsecurities = []\n\n[[events]]\nid = "ev"\n'
                            "timestamp = 2025-01-21T12:00:00-05:00\n")  # fmt: skip
    return Case(kit.run(path), (str(path), "securities"))


def study_benchmarks_each_other(kit: Kit) -> Case:
    # STOCK against MKT and MKT against STOCK: each abnormal return is the other's, negated
    path = study(kit.tmp)
    text = path.read_text()
    head, events = text.split("[[events]]")
    path.write_text(head + SECOND_SECURITY + "\n[[events]]" + events, encoding="utf-8")
    return Case(kit.run(path), (str(path), "securities[1].benchmark", "STOCK", "securities[0]"))


def study_title_a_number(kit: Kit) -> Case:
    path = study(kit.tmp, study_extra="title = 2025")
    return Case(kit.run(path), (str(path), "study.title", "2025"))


def study_approximate_a_string(kit: Kit) -> Case:
    path = study(kit.tmp, extra='approximate = "yes"\n')
    return Case(kit.run(path), (str(path), "events[0].approximate", "'yes'"))


def study_zero_bytes(kit: Kit) -> Case:
    path = _study_text(kit, "")
    return Case(kit.run(path), (str(path), "study"))


def study_events_a_table(kit: Kit) -> Case:
    path = study(kit.tmp)
    path.write_text(path.read_text().replace("[[events]]", "[events]"), encoding="utf-8")
    return Case(kit.run(path), (str(path), "events"))


def study_timestamp_leap_second(kit: Kit) -> Case:
    path = study(kit.tmp, timestamp="2016-12-31T23:59:60Z")
    return Case(kit.run(path), (str(path), "line"))


# --- price files ----------------------------------------------------------------------------


def price_header_only(kit: Kit) -> Case:
    return _prices_case(kit, "STOCK", lambda lines: lines[:1], "no price rows")


def price_volume_column_of_null(kit: Kit) -> Case:
    def edit(lines: list[str]) -> list[str]:
        return [lines[0]] + [line.rsplit(",", 1)[0] + ",null" for line in lines[1:]]

    case = _prices_case(kit, "STOCK", edit, "Volume", "'null'")
    case.argv += ["--measure", "volume"]
    return case


def price_close_null_text(kit: Kit) -> Case:
    return _prices_case(kit, "STOCK", set_cell("2024-11-04", "Adj Close", "null"), "row 464", "Adj Close", "'null'")


def price_very_long_line(kit: Kit) -> Case:
    return _prices_case(kit, "STOCK", set_cell("2024-11-04", "Open", "1" * 2_000_000), "row 464", "field")


def price_bom_in_the_middle(kit: Kit) -> Case:
    def edit(lines: list[str]) -> list[str]:
        row = next(i for i, line in enumerate(lines) if line.startswith("2024-11-04"))
        lines[row] = "\ufeff" + lines[row]
        return lines

    return _prices_case(kit, "STOCK", edit, "2024-11-04")


def price_file_in_windows_1252(kit: Kit) -> Case:
    prices = _edited(kit, "STOCK", lambda lines: lines)
    path = prices / "STOCK.csv"
    path.write_bytes(path.read_bytes().replace(b"Volume", b"Volume \x80", 1))  # a euro sign in cp1252
    argv = ["run", str(study(kit.tmp)), "--prices", str(prices), "--out", str(kit.tmp / "out"), "--quiet"]
    return Case(argv, (str(path), "UTF-8"))


def price_date_with_time_zone(kit: Kit) -> Case:
    return _prices_case(kit, "STOCK", set_cell("2024-11-04", "Date", "2024-11-04T00:00:00-05:00"), "2024-11-04")


def price_file_links_to_dev_zero(kit: Kit) -> Case:
    prices = _edited(kit, "STOCK", lambda lines: lines)
    (prices / "STOCK.csv").unlink()
    (prices / "STOCK.csv").symlink_to("/dev/zero")
    argv = ["run", str(study(kit.tmp)), "--prices", str(prices), "--out", str(kit.tmp / "o"), "-q"]
    return Case(argv, (str(prices / "STOCK.csv"), "regular file"), subprocess=True)


def price_nul_byte_in_a_cell(kit: Kit) -> Case:
    return _prices_case(kit, "STOCK", set_cell("2024-11-04", "Close", "12\x003"), "row 464", "Close")


def price_semicolon_separated(kit: Kit) -> Case:
    return _prices_case(kit, "STOCK", lambda lines: [line.replace(",", ";") for line in lines], "semicolons")


# --- options and environment --------------------------------------------------------------


def option_out_is_the_study_file(kit: Kit) -> Case:
    path = study(kit.tmp)
    argv = ["run", str(path), "--prices", str(kit.market), "--out", str(path), "-q"]
    return Case(argv, ("--out", str(path)))


def option_out_is_the_prices_folder(kit: Kit) -> Case:
    prices = _edited(kit, "STOCK", lambda lines: lines)
    argv = ["run", str(study(kit.tmp)), "--prices", str(prices), "--out", str(prices), "-q"]
    return Case(argv, ("--out", str(prices)))


def option_out_empty(kit: Kit) -> Case:
    return Case(["run", str(study(kit.tmp)), "--prices", str(kit.market), "--out", "", "-q"], ("--out", "''"))


def option_prices_empty(kit: Kit) -> Case:
    return Case(["run", str(study(kit.tmp)), "--prices", "", "--out", str(kit.tmp / "o"), "-q"], ("--prices", "''"))


def option_prices_unknown_scheme(kit: Kit) -> Case:
    argv = ["run", str(study(kit.tmp)), "--prices", "gopher://x/prices", "--out", str(kit.tmp / "o"), "-q"]
    return Case(argv, ("--prices gopher://x/prices", "fsspec"))


def option_factors_is_a_price_file(kit: Kit) -> Case:
    stock = kit.market / "STOCK.csv"
    return Case(kit.run(study(kit.tmp), "--model", "ff3", "--factors", str(stock)), (str(stock), "Mkt-RF"))


def option_parquet_from_negative(kit: Kit) -> Case:
    return Case(kit.run(study(kit.tmp), "--parquet-from", "-1"), ("--parquet-from", "'-1'"))


def option_placebo_trials_huge(kit: Kit) -> Case:
    return Case(kit.run(study(kit.tmp), "--placebo-trials", "10" + "0" * 30), ("--placebo-trials", "100,000"))


def factors_in_ken_french_layout(kit: Kit) -> Case:
    # the file as downloaded from Kenneth French's site: a preamble, then YYYYMMDD dates, in percent
    path = kit.tmp / "F-F_Research_Data_Factors_daily.csv"
    path.write_text("This file was created by CMPT_ME_BEME_RETS_DAILY using the 202411 CRSP database.\n\n"
                    ",Mkt-RF,SMB,HML,RF\n20240102,-0.71,0.42,0.35,0.021\n")  # fmt: skip
    return Case(kit.run(study(kit.tmp), "--model", "ff3", "--factors", str(path)), (str(path),))


def option_format_empty(kit: Kit) -> Case:
    return Case(kit.run(study(kit.tmp), "--format", ""), ("--format", "''"))


def option_figures_two_formats(kit: Kit) -> Case:
    return Case(kit.run(study(kit.tmp), "--figures", "svg,png"), ("--figures", "'svg,png'"))


def option_measure_empty(kit: Kit) -> Case:
    return Case(kit.run(study(kit.tmp), "--measure", ""), ("--measure", "''"))


def env_source_date_epoch_words(kit: Kit) -> Case:
    return Case(kit.run(study(kit.tmp)), ("SOURCE_DATE_EPOCH", "'yesterday'"), env={"SOURCE_DATE_EPOCH": "yesterday"})


def env_source_date_epoch_huge(kit: Kit) -> Case:
    big = "9" * 30
    return Case(kit.run(study(kit.tmp)), ("SOURCE_DATE_EPOCH", big), env={"SOURCE_DATE_EPOCH": big})


def env_max_prices_bytes_zero(kit: Kit) -> Case:
    return Case(kit.run(study(kit.tmp)), ("EVENTSTUDY_MAX_PRICES_BYTES", "0 bytes"),
                env={"EVENTSTUDY_MAX_PRICES_BYTES": "0"})  # fmt: skip


# --- events CSVs ----------------------------------------------------------------------------


def events_csv_a_million_columns(kit: Kit) -> Case:
    path = kit.events_csv("ev,STOCK,2025-01-21,MKT", header="event,ticker,timestamp,benchmark" + ",x" * 1_000_000)
    return Case(kit.run(path), (str(path), "row 2", "1000004"), subprocess=True)


def events_csv_quoted_newline_in_id(kit: Kit) -> Case:
    path = kit.events_csv('"e\nv",STOCK,2025-01-21,MKT')
    return Case(kit.run(path), (str(path), "row 2.event"))


def events_csv_id_with_a_slash(kit: Kit) -> Case:
    path = kit.events_csv("q1/ev,STOCK,2025-01-21,MKT")
    return Case(kit.run(path), (str(path), "row 2.event", "'q1/ev'"))


def events_csv_header_only(kit: Kit) -> Case:
    path = kit.events_csv()
    return Case(kit.run(path), (str(path), "no rows"))


def events_csv_duplicate_pair(kit: Kit) -> Case:
    path = kit.events_csv("ev,STOCK,2025-01-21,MKT", "ev,STOCK,2025-01-21,MKT")
    return Case(kit.run(path), (str(path), "row 3", "STOCK"))


def events_csv_one_event_two_timestamps(kit: Kit) -> Case:
    path = kit.events_csv("ev,STOCK,2025-01-21,MKT", "ev,MKT,2025-02-04,STOCK")
    return Case(kit.run(path), (str(path), "row 3", "2025-02-04"))


def events_csv_semicolons(kit: Kit) -> Case:
    path = kit.events_csv("ev;STOCK;2025-01-21;MKT", header="event;ticker;timestamp;benchmark")
    return Case(kit.run(path), (str(path), "semicolons"))


# --- prices to-parquet, validate, extract and check through the CLI -------------------------


def _to_parquet(kit: Kit, symbols: str) -> list[str]:
    return ["prices", "to-parquet", "--prices", str(kit.market), "--out", str(kit.tmp / "pq"), "--symbols", symbols]


def to_parquet_symbols_with_an_empty_name(kit: Kit) -> Case:
    return Case(_to_parquet(kit, "STOCK,,MKT"), ("--symbols", "empty"))


def to_parquet_symbols_unknown(kit: Kit) -> Case:
    return Case(_to_parquet(kit, "STOCK,NOPE"), ("--symbols", "NOPE"))


def validate_zero_trials(kit: Kit) -> Case:
    return Case(["validate", "--prices", str(kit.market), "--trials", "0", "-q"], ("--trials", "0"))


def validate_unknown_design(kit: Kit) -> Case:
    return Case(["validate", "--prices", str(kit.market), "--trials", "5", "--designs", "clustered,bogus", "-q"],
                ("--designs", "bogus"))  # fmt: skip


def validate_out_is_a_directory(kit: Kit) -> Case:
    folder = kit.tmp / "table"
    folder.mkdir()
    return Case(["validate", "--prices", str(kit.market), "--trials", "5", "--out", str(folder), "-q"],
                ("--out", str(folder)))  # fmt: skip


def extract_article_in_windows_1252(kit: Kit) -> Case:
    path = kit.article(CLAIM.encode("cp1252"))
    return Case(["extract", str(path), "-q"], (str(path), "UTF-8"))


def extract_article_is_a_directory(kit: Kit) -> Case:
    folder = kit.tmp / "articles"
    folder.mkdir()
    return Case(["extract", str(folder), "-q"], (str(folder), "directory"))


def extract_article_missing(kit: Kit) -> Case:
    missing = kit.tmp / "nowhere.txt"
    return Case(["extract", str(missing), "-q"], (str(missing),))


def check_article_is_a_directory(kit: Kit) -> Case:
    folder = kit.tmp / "articles"
    folder.mkdir()
    return Case(["check", str(folder), "--prices", str(kit.market), "--out", str(kit.tmp / "o"), "-q"],
                (str(folder), "directory"))  # fmt: skip


def check_zero_byte_article(kit: Kit) -> Case:
    path = kit.article(b"", name="empty.txt")
    return Case(["check", str(path), "--prices", str(kit.market), "--out", str(kit.tmp / "o"), "-q"], (str(path),))


def check_prices_missing(kit: Kit) -> Case:
    missing = kit.tmp / "nowhere"
    return Case(["check", _article(kit), "--prices", str(missing), "--out", str(kit.tmp / "o"), "-q"],
                (str(missing),))  # fmt: skip


# --- a second batch: exports from other tools, the environment, models fed their own data ----


def price_file_saved_with_a_pandas_index(kit: Kit) -> Case:
    # DataFrame.to_csv() without index=False: a first column with an empty name
    return _prices_case(kit, "STOCK", lambda lines: [f"{i - 1 if i else ''},{line}" for i, line in enumerate(lines)],
                        "empty name", "index=False")  # fmt: skip


def price_header_in_lower_case(kit: Kit) -> Case:
    return _prices_case(kit, "STOCK", lambda lines: [lines[0].lower(), *lines[1:]], "'date'", "case-sensitive")


def price_comment_line_on_top(kit: Kit) -> Case:
    return _prices_case(kit, "STOCK", lambda lines: ["# downloaded from Yahoo Finance", *lines], "row 1", "comment")


def study_factor_is_the_benchmark(kit: Kit) -> Case:
    path = study(kit.tmp)
    path.write_text(path.read_text().replace('benchmark = "MKT"', 'benchmark = "MKT"\nfactors = ["MKT"]'))
    return Case(kit.run(path, "--model", "multi_index"), (str(path), "securities[0].factors", "MKT", "benchmark"))


def study_factor_is_the_security(kit: Kit) -> Case:
    path = study(kit.tmp)
    path.write_text(path.read_text().replace('benchmark = "MKT"', 'benchmark = "MKT"\nfactors = ["STOCK"]'))
    return Case(kit.run(path, "--model", "multi_index"), (str(path), "securities[0].factors", "STOCK"))


def study_reported_percent_infinite(kit: Kit) -> Case:
    claim = '\n[[claims]]\nid = "c"\nticker = "STOCK"\nevent = "ev"\nreported_percent = inf\n'
    path = study(kit.tmp, extra=claim)
    return Case(kit.run(path), (str(path), "claims[0].reported_percent", "inf"))


def events_csv_benchmark_empty(kit: Kit) -> Case:
    path = kit.events_csv("ev,STOCK,2025-01-21,")
    return Case(kit.run(path), (str(path), "row 2.benchmark"))


def events_csv_ticker_empty(kit: Kit) -> Case:
    path = kit.events_csv("ev,,2025-01-21,MKT")
    return Case(kit.run(path), (str(path), "row 2.ticker"))


def events_csv_event_empty(kit: Kit) -> Case:
    path = kit.events_csv(",STOCK,2025-01-21,MKT")
    return Case(kit.run(path), (str(path), "row 2.event"))


def option_out_name_too_long(kit: Kit) -> Case:
    out = kit.tmp / ("r" * 300)
    argv = ["run", str(study(kit.tmp)), "--prices", str(kit.market), "--out", str(out), "-q"]
    return Case(argv, ("--out", "too long"))


def option_bhar_window_past_the_data(kit: Kit) -> Case:
    return Case(kit.run(study(kit.tmp), "--bhar-window", "0,5000"), ("STOCK", "2"))


def env_ascii_only_stderr(kit: Kit) -> Case:
    # an error line holding a non-ASCII character, printed where stderr only takes ASCII (PYTHONIOENCODING)
    path = study(kit.tmp, ticker="\u041eRCL")
    return Case(kit.run(path), (str(path), "securities[0].ticker"), env={"PYTHONIOENCODING": "ascii"},
                subprocess=True)  # fmt: skip


def extract_the_same_article_twice(kit: Kit) -> Case:
    path = _article(kit)
    return Case(["extract", path, path, "-q"], (path, "twice"))


SECOND_BATCH = [
    price_file_saved_with_a_pandas_index, price_header_in_lower_case, price_comment_line_on_top,
    study_factor_is_the_benchmark, study_factor_is_the_security, study_reported_percent_infinite,
    events_csv_benchmark_empty, events_csv_ticker_empty, events_csv_event_empty, option_out_name_too_long,
    option_bhar_window_past_the_data, env_ascii_only_stderr, extract_the_same_article_twice,
]  # fmt: skip


MORE_ROUND3_CASES: list[Callable[[Kit], Case]] = [
    study_ar_window_huge_int, study_duplicate_event_ids, study_event_id_zero_width_space, study_claim_on_unknown_event,
    study_claim_on_unknown_ticker, study_event_window_reversed, study_estimation_window_after_event,
    study_event_on_a_holiday_far_in_the_past, study_model_with_a_space, study_measure_unknown, study_measures_a_string,
    study_bhar_window_reversed, study_securities_empty, study_benchmarks_each_other, study_title_a_number,
    study_approximate_a_string, study_zero_bytes, study_events_a_table, study_timestamp_leap_second,
    price_header_only, price_volume_column_of_null, price_close_null_text,
    price_very_long_line, price_bom_in_the_middle, price_file_in_windows_1252, price_date_with_time_zone,
    price_file_links_to_dev_zero, price_nul_byte_in_a_cell, price_semicolon_separated,
    option_out_is_the_study_file, option_out_is_the_prices_folder, option_out_empty, option_prices_empty,
    option_prices_unknown_scheme, option_factors_is_a_price_file, option_parquet_from_negative,
    option_placebo_trials_huge, factors_in_ken_french_layout, option_format_empty, option_figures_two_formats,
    option_measure_empty, env_source_date_epoch_words, env_source_date_epoch_huge, env_max_prices_bytes_zero,
    events_csv_a_million_columns, events_csv_quoted_newline_in_id, events_csv_id_with_a_slash, events_csv_header_only,
    events_csv_duplicate_pair, events_csv_one_event_two_timestamps, events_csv_semicolons,
    to_parquet_symbols_with_an_empty_name, to_parquet_symbols_unknown, validate_zero_trials, validate_unknown_design,
    validate_out_is_a_directory, extract_article_in_windows_1252, extract_article_is_a_directory,
    extract_article_missing, check_article_is_a_directory, check_zero_byte_article, check_prices_missing,
    *SECOND_BATCH,
]  # fmt: skip


@pytest.mark.parametrize("build", MORE_ROUND3_CASES, ids=lambda b: b.__name__)
def test_more_round3_case(tmp_path, market, monkeypatch, capsys, build):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))
    case = build(Kit(tmp_path, market))
    before = snapshot(tmp_path)
    code, err = run_case(case, tmp_path, monkeypatch, capsys)
    check_error(code, err, case.names)
    assert snapshot(tmp_path) == before  # nothing written, nothing overwritten


# --- our own cases whose right answer is exit 0: used as documented, or with a warning ------


def _run_ok(tmp_path: Path, prices: Path, capsys, path: Path | None = None) -> tuple[str, dict]:
    out = tmp_path / "out"
    argv = ["run", str(path or study(tmp_path)), "--prices", str(prices), "--out", str(out), "--format", "json",
            "--figures", "none", "--placebo-trials", "0"]  # fmt: skip
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 0, err
    assert "Traceback" not in err
    return err, json.loads((out / "results.json").read_text())


def test_a_weekend_row_is_ignored_with_a_warning(tmp_path, market, capsys):
    def saturday(lines: list[str]) -> list[str]:
        row = next(i for i, line in enumerate(lines) if line.startswith("2024-11-04"))
        return [*lines[:row], "2024-11-02" + lines[row][10:], *lines[row:]]

    (tmp_path / "clean").mkdir()
    _, clean = _run_ok(tmp_path / "clean", market, capsys)
    err, results = _run_ok(tmp_path, edited(market, tmp_path, "STOCK", saturday), capsys)
    words = "STOCK: 1 price row(s) dated on days that are not XNYS sessions were ignored (the first on 2024-11-02"
    assert any(line.startswith("warning: " + words) for line in err.splitlines()), err
    assert any(w.startswith(words) for w in results["provenance"]["data_warnings"])
    assert results["car"] == clean["car"]  # the row changes no number


def test_a_study_file_with_a_byte_order_mark_runs(tmp_path, market, capsys):
    path = study(tmp_path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # as Windows Notepad saves UTF-8
    err, _ = _run_ok(tmp_path, market, capsys, path)
    assert "error" not in err


def _adj_close_empty(lines: list[str]) -> list[str]:
    return [lines[0]] + [",".join([*c[:5], "", c[6]]) for c in (line.split(",") for line in lines[1:])]


def _close_only(lines: list[str]) -> list[str]:
    return ["Date,Close,Volume"] + [f"{c[0]},{c[4]},{c[6]}" for c in (line.split(",") for line in lines[1:])]


@pytest.mark.parametrize("edit", [_adj_close_empty, _close_only], ids=["adj-close-all-empty", "close-only"])
def test_close_without_adj_close_is_used(tmp_path, market, capsys, edit):
    # as for an index: no Adj Close value, or no Open/High/Low/Adj Close column, is no error;
    # Close is used for every row alike (README, "Errors and data problems")
    _run_ok(tmp_path, edited(market, tmp_path, "STOCK", edit), capsys)


def test_prices_in_scientific_notation_are_numbers(tmp_path, market, capsys):
    def scientific(lines: list[str]) -> list[str]:
        rows = (line.split(",") for line in lines[1:])
        return [lines[0]] + [",".join([c[0], *(f"{float(v):e}" for v in c[1:])]) for c in rows]

    _run_ok(tmp_path, edited(market, tmp_path, "STOCK", scientific), capsys)


def test_to_parquet_converts_a_symbol_named_twice_once(tmp_path, market, capsys):
    out = tmp_path / "pq"
    assert main(["prices", "to-parquet", "--prices", str(market), "--out", str(out), "--symbols", "STOCK,STOCK"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["STOCK.parquet"]
    assert "1 Parquet price files written" in capsys.readouterr().out


def test_more_round3_case_count():
    names = {b.__name__ for b in (*ISSUE_CASES, *MORE_CASES, *ROUND3_CASES)}
    assert len(MORE_ROUND3_CASES) >= 40 and not names & {b.__name__ for b in MORE_ROUND3_CASES}
