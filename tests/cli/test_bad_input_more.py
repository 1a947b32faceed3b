"""More bad input (issue 12): every case exits 2 with one ``error:`` line naming the culprit.

``ISSUE_CASES`` are the cases of issue 12; ``MORE_CASES`` are further ones from
categories the catalogue did not cover (encodings, special files, environment
variables, option values, cache files, numeric edge cases). Each case is built in
``tmp_path`` by a small function and run through the CLI: in-process, or in a
subprocess with a timeout when broken code could block (FIFOs, devices, huge
inputs). ``scripts/bad_input_survey.py`` runs the same cases against any checkout
and counts the outcomes (named error, traceback, hang, wrong success).

Cases that need more than an exit code (a poisoned cache, hostile text in the
report, formula cells in CSV files, Yahoo Finance offline) are tests below.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import shutil
import subprocess
import sys
import time
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
from synthetic import make_market
from test_bad_input import edited, set_cell, study

from eventstudy.cli import main
from eventstudy.file_io import safe_cell, write_csv

REPO = Path(__file__).resolve().parents[2]
CLAIM = "Le cours d'Oracle a grimpé de 7 % mercredi 22 janvier 2025, au lendemain de l'annonce du 21 janvier 2025."


@dataclass
class Case:
    """A command line (after ``eventstudy``) that must fail with exit 2 naming ``names``."""

    argv: list[str]
    names: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    subprocess: bool = False  # broken code could block or run for minutes: run with a timeout


@dataclass
class Kit:
    tmp: Path
    market: Path

    def run(self, path: Path, *extra: str) -> list[str]:
        return ["run", str(path), "--prices", str(self.market), "--out", str(self.tmp / "out"), "--quiet", *extra]

    def events_csv(self, *rows: str, header: str = "event,ticker,timestamp,benchmark") -> Path:
        path = self.tmp / "events.csv"
        path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
        return path

    def article(self, text: str | bytes, name: str = "a.txt") -> Path:
        path = self.tmp / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return path


Builder = Callable[[Kit], Case]


def _edited(kit: Kit, symbol: str, edit: Callable[[list[str]], list[str]]) -> Path:
    return edited(kit.market, kit.tmp, symbol, edit)


def _prices_case(kit: Kit, symbol: str, edit: Callable[[list[str]], list[str]], *names: str) -> Case:
    prices = _edited(kit, symbol, edit)
    argv = ["run", str(study(kit.tmp)), "--prices", str(prices), "--out", str(kit.tmp / "out"), "--quiet"]
    return Case(argv, (str(prices / f"{symbol}.csv"), *names))


# --- the cases of issue 12 -------------------------------------------------------------------


def inf_adj_close(kit: Kit) -> Case:
    return _prices_case(kit, "STOCK", set_cell("2024-11-04", "Adj Close", "inf"), "2024-11-04", "infinite")


def benchmark_is_the_ticker(kit: Kit) -> Case:
    path = study(kit.tmp, benchmark="STOCK")
    return Case(kit.run(path), (str(path), "securities[0].benchmark", "STOCK", "itself"))


def benchmark_is_a_copy(kit: Kit) -> Case:
    prices = _edited(kit, "STOCK", lambda lines: lines)
    shutil.copy(prices / "STOCK.csv", prices / "TWIN.csv")
    argv = ["run", str(study(kit.tmp, benchmark="TWIN")), "--prices", str(prices), "--out", str(kit.tmp / "o"), "-q"]
    return Case(argv, ("STOCK around ev", "R² = 1"))


def events_row_too_few_fields(kit: Kit) -> Case:
    path = kit.events_csv("ev,STOCK,2025-01-21,MKT", "ev2,STOCK")
    return Case(kit.run(path), (str(path), "row 3", "2 fields", "4"))


def events_unclosed_quote(kit: Kit) -> Case:
    path = kit.events_csv("ev,STOCK,2025-01-21,MKT", 'ev2,"STOCK,2025-01-22,MKT')
    return Case(kit.run(path), (str(path), "row", "quote"))


def events_row_extra_fields(kit: Kit) -> Case:
    path = kit.events_csv("ev,STOCK,2025-01-21,MKT,XNYS,oops")
    return Case(kit.run(path), (str(path), "row 2", "6 fields"))


def study_csv_is_a_directory(kit: Kit) -> Case:
    folder = kit.tmp / "x.csv"
    folder.mkdir()
    return Case(kit.run(folder), (str(folder), "directory"))


def factors_is_a_directory(kit: Kit) -> Case:
    folder = kit.tmp / "factors"
    folder.mkdir()
    return Case(kit.run(study(kit.tmp), "--model", "ff3", "--factors", str(folder)), (str(folder), "directory"))


def _nested(depth: int) -> Callable[[Kit], Case]:
    def build(kit: Kit) -> Case:
        path = study(kit.tmp, study_extra="deep = " + "[" * depth + "]" * depth)
        return Case(kit.run(path), (str(path), "nested too deeply"))

    build.__name__ = f"toml_nested_{depth}"
    return build


def dev_zero_as_study(kit: Kit) -> Case:
    return Case(kit.run(Path("/dev/zero")), ("/dev/zero", "not a regular file"), subprocess=True)


def fifo_events_csv(kit: Kit) -> Case:
    path = kit.tmp / "events.csv"
    os.mkfifo(path)
    return Case(kit.run(path), (str(path), "FIFO"), subprocess=True)


def million_row_events_csv(kit: Kit) -> Case:
    path = kit.tmp / "events.csv"
    rows = "".join(f"e{i},STOCK,2025-01-21,MKT\n" for i in range(1_000_000))
    path.write_text("event,ticker,timestamp,benchmark\n" + rows)
    return Case(kit.run(path), (str(path), "limit", "EVENTSTUDY_MAX_EVENTS_BYTES"), subprocess=True)


def extract_five_megabytes(kit: Kit) -> Case:
    sentence = "Le cours d'Oracle a grimpé de 7 % mercredi après l'annonce du 21 janvier 2025. "
    path = kit.article(sentence * (5_000_000 // len(sentence)))
    return Case(["extract", str(path), "--year", "2025", "-q"], (str(path), "limit", "EVENTSTUDY_MAX_ARTICLE_BYTES"),
                subprocess=True)  # fmt: skip


def huge_estimation_window(kit: Kit) -> Case:
    path = study(kit.tmp, study_extra="estimation_window = [-100000000, -11]")
    return Case(kit.run(path), (str(path), "study.estimation_window", "-100000000"))


def _year_event(year: str) -> Callable[[Kit], Case]:
    def build(kit: Kit) -> Case:
        path = study(kit.tmp, timestamp=f"{year}-06-01T12:00:00-04:00")
        return Case(kit.run(path), (str(path), "event 'ev'", f"{year}-06-01"))

    build.__name__ = f"timestamp_in_{year}"
    return build


def _absurd_price(value: str) -> Callable[[Kit], Case]:
    def build(kit: Kit) -> Case:
        return _prices_case(kit, "STOCK", set_cell("2024-11-04", "Adj Close", value), "2024-11-04", "Adj Close")

    build.__name__ = f"price_{value}"
    return build


def trailing_comma_on_price_rows(kit: Kit) -> Case:
    return _prices_case(kit, "MKT", lambda lines: [lines[0]] + [line + "," for line in lines[1:]], "row 2", "8 fields")


def bad_reference_date(kit: Kit) -> Case:
    return Case(["extract", str(kit.article(CLAIM)), "--reference-date", "2025-13-45"], ("2025-13-45",))


def cache_is_a_file(kit: Kit) -> Case:
    blocker = kit.tmp / "passwd"
    blocker.write_text("root:x:0:0\n")
    argv = ["run", str(study(kit.tmp)), "--cache", str(blocker), "--out", str(kit.tmp / "o"), "-q"]
    return Case(argv, (str(blocker), "not a directory"))


def bad_format(kit: Kit) -> Case:
    return Case(kit.run(study(kit.tmp), "--format", "pdf"), ("--format", "'pdf'"))


def bad_figures(kit: Kit) -> Case:
    return Case(kit.run(study(kit.tmp), "--figures", "gif"), ("--figures", "'gif'"))


def bad_year(kit: Kit) -> Case:
    return Case(["extract", str(kit.article(CLAIM)), "--year", "twenty"], ("--year", "'twenty'"))


def empty_model(kit: Kit) -> Case:
    return Case(kit.run(study(kit.tmp), "--model", ""), ("--model", "''", "market_adjusted"))


def claim_session_years_away(kit: Kit) -> Case:
    claim = '\n[[claims]]\nid = "c"\nticker = "STOCK"\nevent = "ev"\nreported_percent = 7.0\nsession = 2000-01-21\n'
    path = study(kit.tmp, extra=claim)
    return Case(kit.run(path), (str(path), "claims[0].session", "2000-01-21", "days from event"))


def extract_id_is_a_path(kit: Kit) -> Case:
    return Case(["extract", str(kit.article(CLAIM)), "--id", "../x"], ("--id", "'../x'"))


def extract_alias_is_a_path(kit: Kit) -> Case:
    return Case(["extract", str(kit.article(CLAIM)), "--alias", "Evil=../../x:XNAS:^GSPC"], ("--alias", "'../../x'"))


ISSUE_CASES: list[Builder] = [
    inf_adj_close, benchmark_is_the_ticker, benchmark_is_a_copy, events_row_too_few_fields, events_unclosed_quote,
    events_row_extra_fields, study_csv_is_a_directory, factors_is_a_directory, _nested(5000), _nested(20000),
    dev_zero_as_study, fifo_events_csv, million_row_events_csv, extract_five_megabytes, huge_estimation_window,
    _year_event("1900"), _year_event("2100"), _absurd_price("1e308"), _absurd_price("1e-300"),
    trailing_comma_on_price_rows, bad_reference_date, cache_is_a_file, bad_format, bad_figures, bad_year,
    empty_model, claim_session_years_away, extract_id_is_a_path, extract_alias_is_a_path,
]  # fmt: skip


# --- more cases, from categories not in the catalogue ----------------------------------------


def study_in_utf16(kit: Kit) -> Case:
    path = study(kit.tmp)
    path.write_bytes(path.read_text().encode("utf-16"))
    return Case(kit.run(path), (str(path), "UTF-8"))


def study_with_nul_bytes(kit: Kit) -> Case:
    path = study(kit.tmp)
    path.write_bytes(path.read_bytes().replace(b'"bad"', b'"b\x00d"'))
    return Case(kit.run(path), (str(path),))


def study_over_the_size_limit(kit: Kit) -> Case:
    path = study(kit.tmp, extra='note = "' + "x" * 6_000_000 + '"\n')
    return Case(kit.run(path), (str(path), "limit", "EVENTSTUDY_MAX_STUDY_BYTES"))


def size_limit_env_malformed(kit: Kit) -> Case:
    return Case(
        kit.run(study(kit.tmp)), ("EVENTSTUDY_MAX_STUDY_BYTES", "'lots'"), env={"EVENTSTUDY_MAX_STUDY_BYTES": "lots"}
    )


def events_over_the_pair_limit(kit: Kit) -> Case:
    path = kit.events_csv(*(f"e{i},STOCK,2025-01-21,MKT" for i in range(11)))
    return Case(kit.run(path), (str(path), "10", "EVENTSTUDY_MAX_PAIRS"), env={"EVENTSTUDY_MAX_PAIRS": "10"})


def pair_limit_env_malformed(kit: Kit) -> Case:
    path = kit.events_csv("ev,STOCK,2025-01-21,MKT")
    return Case(kit.run(path), ("EVENTSTUDY_MAX_PAIRS", "'-5'"), env={"EVENTSTUDY_MAX_PAIRS": "-5"})


def events_csv_header_only_whitespace_rows(kit: Kit) -> Case:
    path = kit.events_csv(" , , , ")
    return Case(kit.run(path), (str(path), "no rows"))


def events_csv_ticker_is_a_path(kit: Kit) -> Case:
    path = kit.events_csv("ev,../../etc/passwd,2025-01-21,MKT")
    return Case(kit.run(path), (str(path), "'../../etc/passwd'"))


def events_csv_nul_byte(kit: Kit) -> Case:
    path = kit.tmp / "events.csv"
    path.write_bytes(b"event,ticker,timestamp,benchmark\nev,ST\x00OCK,2025-01-21,MKT\n")
    return Case(kit.run(path), (str(path),))


def events_csv_in_latin1(kit: Kit) -> Case:
    path = kit.tmp / "events.csv"
    path.write_bytes("event,ticker,timestamp,benchmark\nannonc\xe9,STOCK,2025-01-21,MKT\n".encode("latin-1"))
    return Case(kit.run(path), (str(path), "UTF-8"))


def price_file_is_a_fifo(kit: Kit) -> Case:
    prices = kit.tmp / "prices"
    prices.mkdir()
    shutil.copy(kit.market / "MKT.csv", prices / "MKT.csv")
    os.mkfifo(prices / "STOCK.csv")
    argv = ["run", str(study(kit.tmp)), "--prices", str(prices), "--out", str(kit.tmp / "o"), "-q"]
    return Case(argv, (str(prices / "STOCK.csv"),), subprocess=True)


def price_file_is_a_directory(kit: Kit) -> Case:
    prices = _edited(kit, "STOCK", lambda lines: lines)
    (prices / "STOCK.csv").unlink()
    (prices / "STOCK.csv").mkdir()
    argv = ["run", str(study(kit.tmp)), "--prices", str(prices), "--out", str(kit.tmp / "o"), "-q"]
    return Case(argv, (str(prices / "STOCK.csv"),))


def price_file_symlink_loop(kit: Kit) -> Case:
    prices = _edited(kit, "STOCK", lambda lines: lines)
    (prices / "STOCK.csv").unlink()
    (prices / "STOCK.csv").symlink_to(prices / "STOCK.csv")
    argv = ["run", str(study(kit.tmp)), "--prices", str(prices), "--out", str(kit.tmp / "o"), "-q"]
    return Case(argv, ("STOCK",))


def price_header_with_bom_and_crlf(kit: Kit) -> Case:
    # a BOM and CRLF line ends are fine; a volume of 1e400 (infinite) is not
    def edit(lines: list[str]) -> list[str]:
        lines = set_cell("2024-11-04", "Volume", "1e400")(lines)
        return ["\ufeff" + lines[0]] + [line + "\r" for line in lines[1:]]

    return _prices_case(kit, "STOCK", edit, "2024-11-04", "Volume", "infinite")


def price_header_line_repeated(kit: Kit) -> Case:
    return _prices_case(kit, "MKT", lambda lines: [*lines[:400], lines[0], *lines[400:]], "row 401", "'Date'")


def price_date_with_time(kit: Kit) -> Case:
    return _prices_case(kit, "MKT", set_cell("2024-08-01", "Date", "2024-08-01 16:00:00"), "'2024-08-01 16:00:00'")


def price_duplicate_column(kit: Kit) -> Case:
    def edit(lines: list[str]) -> list[str]:
        return [lines[0] + ",Close"] + [line + "," + line.split(",")[4] for line in lines[1:]]

    return _prices_case(kit, "STOCK", edit, "Close.1")


def price_thousandfold_jump(kit: Kit) -> Case:
    return _prices_case(kit, "STOCK", set_cell("2024-11-04", "Adj Close", "1500000"), "2024-11-04", "times")


def prices_dir_empty(kit: Kit) -> Case:
    prices = kit.tmp / "empty"
    prices.mkdir()
    argv = ["run", str(study(kit.tmp)), "--prices", str(prices), "--out", str(kit.tmp / "o"), "-q"]
    return Case(argv, (str(prices), "STOCK.csv"))


def factors_infinite_value(kit: Kit) -> Case:
    path = kit.tmp / "ff.csv"
    path.write_text("Date,Mkt-RF,SMB,HML,RF\n2024-01-02,0.1,0.2,inf,0.01\n")
    return Case(kit.run(study(kit.tmp), "--model", "ff3", "--factors", str(path)), (str(path), "row 2", "infinite"))


def factors_is_dev_zero(kit: Kit) -> Case:
    return Case(kit.run(study(kit.tmp), "--model", "ff3", "--factors", "/dev/zero"), ("/dev/zero", "regular file"),
                subprocess=True)  # fmt: skip


def cache_csv_is_a_fifo(kit: Kit) -> Case:
    cache = kit.tmp / "cache"
    cache.mkdir()
    os.mkfifo(cache / "STOCK.csv")
    (cache / "STOCK.json").write_text('{"sha256": "0", "start": "2020-01-01", "end": "2026-01-01", "symbol": "STOCK"}')
    env = {"HTTPS_PROXY": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "NO_PROXY": "", "no_proxy": ""}
    argv = ["run", str(study(kit.tmp)), "--cache", str(cache), "--out", str(kit.tmp / "o"), "-q"]
    return Case(argv, ("cannot reach Yahoo Finance",), env=env, subprocess=True)


def cache_env_is_a_file(kit: Kit) -> Case:
    blocker = kit.tmp / "cachefile"
    blocker.write_text("")
    argv = ["run", str(study(kit.tmp)), "--out", str(kit.tmp / "o"), "-q"]
    return Case(argv, (str(blocker), "EVENTSTUDY_CACHE"), env={"EVENTSTUDY_CACHE": str(blocker)})


def timestamp_bad_offset(kit: Kit) -> Case:
    path = study(kit.tmp, timestamp='"2025-01-21T12:00:00+25:00"')
    return Case(kit.run(path), (str(path), "events[0].timestamp", "+25:00"))


def timestamp_february_30(kit: Kit) -> Case:
    path = study(kit.tmp, timestamp='"2025-02-30"')
    return Case(kit.run(path), (str(path), "events[0].timestamp", "2025-02-30"))


def timestamp_is_a_number(kit: Kit) -> Case:
    path = study(kit.tmp, timestamp="1737478800")
    return Case(kit.run(path), (str(path), "events[0].timestamp", "1737478800"))


def reported_percent_nan(kit: Kit) -> Case:
    claim = '\n[[claims]]\nid = "c"\nticker = "STOCK"\nevent = "ev"\nreported_percent = nan\n'
    path = study(kit.tmp, extra=claim)
    return Case(kit.run(path), (str(path), "claims[0].reported_percent", "nan"))


def window_given_as_floats(kit: Kit) -> Case:
    path = study(kit.tmp, study_extra="estimation_window = [-250.0, -11.0]")
    return Case(kit.run(path), (str(path), "study.estimation_window", "-250.0"))


def event_windows_empty(kit: Kit) -> Case:
    path = study(kit.tmp, study_extra="event_windows = []")
    return Case(kit.run(path), (str(path), "study.event_windows"))


def study_id_with_newline(kit: Kit) -> Case:
    path = study(kit.tmp, study_id="good\\n")
    return Case(kit.run(path), (str(path), "study.id"))


def ticker_with_cyrillic_letter(kit: Kit) -> Case:
    path = study(kit.tmp, ticker="\u041eRCL")  # Cyrillic O
    return Case(kit.run(path), (str(path), "securities[0].ticker"))


def value_huge_in_message(kit: Kit) -> Case:
    path = study(kit.tmp, exchange="X" * 100_000)
    return Case(kit.run(path), (str(path), "securities[0].exchange", "…"))


def validate_negative_seed(kit: Kit) -> Case:
    return Case(["validate", "--prices", str(kit.market), "--seed", "-1", "--trials", "5", "-q"], ("--seed", "-1"))


def validate_too_many_trials(kit: Kit) -> Case:
    return Case(["validate", "--prices", str(kit.market), "--trials", "1000000000000", "-q"], ("--trials", "100000"),
                subprocess=True)  # fmt: skip


def validate_prices_missing(kit: Kit) -> Case:
    missing = kit.tmp / "nowhere"
    return Case(["validate", "--prices", str(missing), "--trials", "5", "-q"], (str(missing),))


def extract_empty_article(kit: Kit) -> Case:
    path = kit.article("")
    return Case(["extract", str(path)], (str(path),))


def extract_article_utf16(kit: Kit) -> Case:
    path = kit.article(CLAIM.encode("utf-16"))
    return Case(["extract", str(path)], (str(path), "UTF-8"))


def extract_article_dev_zero(kit: Kit) -> Case:
    return Case(["extract", "/dev/zero"], ("/dev/zero", "regular file"), subprocess=True)


def extract_article_fifo(kit: Kit) -> Case:
    path = kit.tmp / "article.txt"
    os.mkfifo(path)
    return Case(["extract", str(path)], (str(path), "FIFO"), subprocess=True)


def extract_alias_unknown_exchange(kit: Kit) -> Case:
    return Case(["extract", str(kit.article(CLAIM)), "--alias", "Tesla=TSLA:XXXX:^GSPC"], ("--alias", "'XXXX'"))


def extract_alias_control_characters(kit: Kit) -> Case:
    return Case(["extract", str(kit.article(CLAIM)), "--alias", "Te\x1bsla=TSLA"], ("--alias", "name"))


def extract_year_out_of_range(kit: Kit) -> Case:
    return Case(["extract", str(kit.article(CLAIM)), "--year", "99999"], ("--year", "'99999'"))


def extract_claims_csv_is_a_directory(kit: Kit) -> Case:
    folder = kit.tmp / "claims"
    folder.mkdir()
    return Case(["extract", str(kit.article(CLAIM)), "--year", "2025", "--claims-csv", str(folder)], (str(folder),))


def out_report_with_symlinked_table(kit: Kit) -> Case:
    out = kit.tmp / "out"
    out.mkdir()
    (out / ".eventstudy-report").write_text("")
    (out / "car.csv").symlink_to(kit.market / "STOCK.csv")  # not a file the report wrote
    return Case(kit.run(study(kit.tmp)), (str(out), "car.csv", "not written by eventstudy"))


def out_with_newline_in_name(kit: Kit) -> Case:
    out = kit.tmp / "re\nport"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    argv = ["run", str(study(kit.tmp)), "--prices", str(kit.market), "--out", str(out), "-q"]
    return Case(argv, ("mine.txt", "not written by eventstudy"))


def model_unknown_case(kit: Kit) -> Case:
    return Case(kit.run(study(kit.tmp), "--model", "Market"), ("--model", "'Market'"))


def unknown_option(kit: Kit) -> Case:
    return Case(kit.run(study(kit.tmp), "--prize", "x"), ("--prize",))


def source_date_epoch_float(kit: Kit) -> Case:
    return Case(kit.run(study(kit.tmp)), ("SOURCE_DATE_EPOCH", "'1.5e9'"), env={"SOURCE_DATE_EPOCH": "1.5e9"})


MORE_CASES: list[Builder] = [
    study_in_utf16, study_with_nul_bytes, study_over_the_size_limit, size_limit_env_malformed,
    events_over_the_pair_limit, pair_limit_env_malformed, events_csv_header_only_whitespace_rows,
    events_csv_ticker_is_a_path, events_csv_nul_byte, events_csv_in_latin1, price_file_is_a_fifo,
    price_file_is_a_directory, price_file_symlink_loop, price_header_with_bom_and_crlf, price_header_line_repeated,
    price_date_with_time, price_duplicate_column, price_thousandfold_jump, prices_dir_empty, factors_infinite_value,
    factors_is_dev_zero, cache_csv_is_a_fifo, cache_env_is_a_file, timestamp_bad_offset, timestamp_february_30,
    timestamp_is_a_number, reported_percent_nan, window_given_as_floats, event_windows_empty, study_id_with_newline,
    ticker_with_cyrillic_letter, value_huge_in_message, validate_negative_seed, validate_too_many_trials,
    validate_prices_missing, extract_empty_article, extract_article_utf16, extract_article_dev_zero,
    extract_article_fifo, extract_alias_unknown_exchange, extract_alias_control_characters, extract_year_out_of_range,
    extract_claims_csv_is_a_directory, out_report_with_symlinked_table, out_with_newline_in_name, model_unknown_case,
    unknown_option, source_date_epoch_float,
]  # fmt: skip

ALL_CASES = ISSUE_CASES + MORE_CASES


@pytest.fixture(scope="module")
def market(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("market") / "prices"
    make_market(directory)
    return directory


def check_error(code: int, err: str, names: tuple[str, ...]) -> str:
    """Exit 2, one ``error:`` line on stderr naming every name, no traceback."""
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for name in names:
        assert name in lines[0], f"{name!r} not in {lines[0]!r}"
    return lines[0]


def run_case(case: Case, cwd: Path, monkeypatch, capsys) -> tuple[int, str]:
    if case.subprocess:
        env = {**os.environ, "EVENTSTUDY_CACHE": str(cwd / "cache"), **case.env}
        try:
            proc = subprocess.run([sys.executable, "-m", "eventstudy", *case.argv], cwd=cwd, env=env,
                                  capture_output=True, text=True, timeout=60)  # fmt: skip
        except subprocess.TimeoutExpired:
            pytest.fail(f"no answer after 60 s: {case.argv}")
        return proc.returncode, proc.stderr
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(cwd)
    try:
        code = main(case.argv)
    except SystemExit as exc:  # argparse
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


@pytest.mark.parametrize("build", ALL_CASES, ids=[b.__name__ for b in ALL_CASES])
def test_bad_input_is_named(build, tmp_path, market, monkeypatch, capsys):
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))
    case = build(Kit(tmp_path, market))
    code, err = run_case(case, tmp_path, monkeypatch, capsys)
    check_error(code, err, case.names)
    assert not (tmp_path / "out" / "ar.csv").exists()


def test_case_counts():
    assert len(ISSUE_CASES) == 29 and len(MORE_CASES) >= 40


# --- a poisoned cache, Yahoo Finance offline ---------------------------------------------------


def _fake_yfinance(monkeypatch, market: Path, calls: list[str], *, log: str = "") -> types.ModuleType:
    """A fake ``yfinance``: ORCL from STOCK.csv and ^GSPC from MKT.csv, or ``log`` logged and nothing returned."""
    module = types.ModuleType("yfinance")
    module.__version__ = "0.0-fake"

    def download(symbol, **kwargs):
        calls.append(symbol)
        if log:  # what the real yfinance does offline: log the error, return an empty frame
            logging.getLogger("yfinance").error("['%s']: %s", symbol, log)
            warnings_module.warn("inplace is deprecated", FutureWarning, stacklevel=1)
            return pd.DataFrame()
        name = {"ORCL": "STOCK", "^GSPC": "MKT"}[symbol]
        frame = pd.read_csv(market / f"{name}.csv", index_col="Date", parse_dates=True)
        frame.columns = pd.MultiIndex.from_tuples([(c, symbol) for c in frame.columns], names=["Price", "Ticker"])
        return frame

    import warnings as warnings_module

    module.download = download
    monkeypatch.setitem(sys.modules, "yfinance", module)
    monkeypatch.setattr("time.sleep", lambda s: calls.append(f"sleep {s}"))
    return module


def test_cache_files_of_another_symbol_are_not_used(tmp_path, market, monkeypatch, capsys):
    calls: list[str] = []
    _fake_yfinance(monkeypatch, market, calls)
    cache = tmp_path / "cache"
    path = study(tmp_path, ticker="ORCL", benchmark="^GSPC")
    argv = ["run", str(path), "--cache", str(cache), "--format", "md", "--figures", "none"]
    assert main([*argv, "--out", str(tmp_path / "one"), "-q"]) == 0
    assert calls == ["ORCL", "^GSPC"]
    for suffix in (".csv", ".json"):  # the index's files copied over ORCL's: their sha256 agree
        shutil.copy(cache / f"GSPC{suffix}", cache / f"ORCL{suffix}")
    capsys.readouterr()
    assert main([*argv, "--out", str(tmp_path / "two")]) == 0
    err = capsys.readouterr().err
    assert "warning: ORCL: cache entry" in err and "damaged" in err and "holds '^GSPC', not 'ORCL'" in err
    assert calls == ["ORCL", "^GSPC", "ORCL"]  # downloaded again
    one, two = (pd.read_csv(tmp_path / name / "car.csv") for name in ("one", "two"))
    pd.testing.assert_frame_equal(one, two, rtol=1e-6, atol=1e-6)  # ORCL again, not the index (cache: 10 digits)


@pytest.mark.parametrize(
    ("log", "cause"),
    [
        (
            "DNSError('Failed to perform, curl: (6) Could not resolve host: query2.finance.yahoo.com')",
            "name resolution",
        ),
        ("Failed to perform, curl: (7) Failed to connect to query2.finance.yahoo.com port 443", "connection refused"),
    ],
)
def test_yahoo_unreachable_is_said_at_once_and_quietly(tmp_path, market, monkeypatch, capsys, log, cause):
    calls: list[str] = []
    _fake_yfinance(monkeypatch, market, calls, log=log)
    path = study(tmp_path, ticker="ORCL", benchmark="^GSPC")
    argv = ["run", str(path), "--cache", str(tmp_path / "cache"), "--out", str(tmp_path / "o")]
    line = check_error(main(argv), capsys.readouterr().err, (f"cannot reach Yahoo Finance ({cause}", "--prices DIR"))
    assert "try again later" in line
    assert calls == ["ORCL"]  # one attempt, no sleep, no second symbol


def test_yahoo_log_shows_with_verbose(tmp_path, market, monkeypatch, capsys):
    calls: list[str] = []
    _fake_yfinance(monkeypatch, market, calls, log="DNSError('curl: (6) Could not resolve host: x')")
    monkeypatch.setattr(logging.getLogger(), "handlers", [])  # basicConfig installs its handler afresh
    path = study(tmp_path, ticker="ORCL", benchmark="^GSPC")
    argv = ["run", str(path), "--cache", str(tmp_path / "cache"), "--out", str(tmp_path / "o"), "--verbose"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "yfinance: ['ORCL']: DNSError" in err and err.strip().splitlines()[-1].startswith("error: cannot reach")


def test_real_yfinance_with_no_route_fails_fast(tmp_path, market):
    """The real yfinance, its connections refused by a proxy on a closed port: no network needed."""
    pytest.importorskip("yfinance")
    path = study(tmp_path, ticker="ORCL", benchmark="^GSPC")
    closed = "http://127.0.0.1:9"
    env = {**os.environ, "HTTPS_PROXY": closed, "https_proxy": closed, "HTTP_PROXY": closed, "http_proxy": closed,
           "NO_PROXY": "", "no_proxy": "", "EVENTSTUDY_CACHE": str(tmp_path / "cache")}  # fmt: skip
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "eventstudy", "run", str(path), "--out", str(tmp_path / "o"), "-q"],
                          env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    elapsed = time.monotonic() - started
    line = check_error(proc.returncode, proc.stderr, ("cannot reach Yahoo Finance (connection refused)", "ORCL"))
    assert line.endswith("use --prices DIR, or try again later")
    assert elapsed < 15, elapsed  # the process starts in a few seconds; no retries, no backoff


# --- hostile text: HTML in the Markdown report, formulas in CSV files --------------------------

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def test_report_md_escapes_html_from_the_study(tmp_path, market):
    claim = (f'\n[[claims]]\nid = "c1"\nticker = "STOCK"\nevent = "ev"\nreported_percent = 1.0\n'
             f'quote = "{HOSTILE}"\nsource = "a`b{HOSTILE}.txt"\n')  # fmt: skip
    event = f'title = "{HOSTILE}"\nnote = "{HOSTILE}"\nsources = ["{HOSTILE}"]\n'
    path = study(tmp_path, study_extra=f'title = "{HOSTILE}"', extra=event + claim)
    out = tmp_path / "report"
    assert main(["run", str(path), "--prices", str(market), "--out", str(out), "-q", "--format", "md"]) == 0
    text = (out / "report.md").read_text()
    outside_code = "".join(text.split("`")[::2])  # HTML inside a code span is shown, never rendered
    assert "<script" not in outside_code and "<img" not in outside_code
    assert "&lt;script>alert(1)&lt;/script>&lt;img src=x onerror=alert(2)>" in text
    assert text.startswith("# &lt;script>")
    assert "| <0.0001 |" in text or "<0.0001" not in text  # a p-value is not a tag: left readable


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised():
    frame = pd.DataFrame(
        {
            "text": ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "-1.5", "plain", None],
            "number": [-1.5, 2.0, -3e-7, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    rows = list(csv.reader(io.StringIO(write_csv(frame))))
    assert [r[0] for r in rows[1:]] == [
        "'=HYPERLINK(\"http://x\")", "'+1+1", "'-2+3", "'@SUM(A1)", "'\tx", "'\rx", "-1.5", "plain", ""
    ]  # fmt: skip
    assert [r[1] for r in rows[1:]] == ["-1.5", "2", "-3e-07", "0", "1", "2", "3", "4", "5"]  # numbers stay numbers
    assert safe_cell(-2.5) == -2.5 and safe_cell("-cmd") == "'-cmd"


def test_extract_claims_csv_neutralises_formulas(tmp_path):
    lines = [
        "date 2025-01-22",
        '=HYPERLINK("http://evil") Le cours d\'Oracle a grimpé de 7 % mercredi.',
        "+cmd Le cours de Nvidia a grimpé de 2,3 % mercredi.",
        "@SUM Le cours d'Arm a grimpé de 5 % mercredi.",
    ]
    article = tmp_path / "a.txt"
    article.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "claims.csv"
    assert main(["extract", str(article), "--out", str(tmp_path / "d.toml"), "--claims-csv", str(out), "-q"]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 3
    assert all(r["quote"].startswith(("'=", "'+", "'@")) for r in rows), [r["quote"] for r in rows]
    assert all(not r["quote"][1:].startswith("'") for r in rows)
    assert {float(r["reported"]) for r in rows} == {0.07, 0.023, 0.05}  # numbers untouched


def test_results_json_keeps_text_as_written(tmp_path, market):
    # JSON is not a spreadsheet: the quote is kept as the article wrote it
    claim = '\n[[claims]]\nid = "c1"\nticker = "STOCK"\nevent = "ev"\nreported_percent = 1.0\nquote = "=1+1"\n'
    path = study(tmp_path, extra=claim)
    out = tmp_path / "report"
    assert main(["run", str(path), "--prices", str(market), "--out", str(out), "-q", "--format", "json"]) == 0
    claims = json.loads((out / "results.json").read_text())["claims"]
    assert any(c.get("quote") == "=1+1" for c in (claims if isinstance(claims, list) else []))


def test_size_limits_can_be_raised(tmp_path, monkeypatch, capsys):
    article = tmp_path / "long.txt"
    article.write_text("Nothing moved in the markets that day. " * 3500, encoding="utf-8")  # 137 KB, no claim
    assert main(["extract", str(article), "-q"]) == 2
    assert "over the 128 KB limit for an article" in capsys.readouterr().err
    monkeypatch.setenv("EVENTSTUDY_MAX_ARTICLE_BYTES", "1M")
    assert main(["extract", str(article), "-q"]) == 2
    assert "no stock-price claim found" in capsys.readouterr().err  # read, then judged on its content


def test_every_csv_goes_through_the_one_writer():
    package = REPO / "eventstudy"
    hits = [
        f"{path.relative_to(package)}:{n}: {line.strip()}"
        for path in sorted(package.rglob("*.py"))
        if path.name != "file_io.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ("csv.writer(" in line or "DictWriter(" in line or ".to_csv(" in line) and "res.to_csv(" not in line
    ]
    assert hits == []
