"""The command line, run in-process."""

from __future__ import annotations

import csv
import hashlib
import json
import tomllib

import pytest

from eventstudy.cli import main
from eventstudy.errors import EventStudyError


def _counts(study_path):
    doc = tomllib.loads(study_path.read_text())
    return [e["id"] for e in doc["events"]], len(doc["securities"]), len(doc["study"]["event_windows"])


@pytest.fixture(scope="module")
def report(prices_dir, study_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "stargate"
    code = main(["run", str(study_path), "--prices", str(prices_dir), "--out", str(out), "--quiet"])
    return code, out


def test_run_writes_every_file(report, study_path):
    code, out = report
    assert code == 0
    for name in ("report.md", "report.html", "ar.csv", "car.csv", "claims.csv", "flags.csv", "results.json"):
        assert (out / name).stat().st_size > 0, name
    events, _, _ = _counts(study_path)
    svgs = sorted(p.name for p in (out / "figures").glob("*.svg"))
    # musk-doubt has white-house's day 0 on every exchange: one section and one set of figures for both
    drawn = [e for e in events if e != "musk-doubt"]
    kinds = ("ar", "car", "prices", "volume")  # volume: the study asks for it (study.measures)
    assert svgs == sorted(["claims.svg", *(f"{kind}_{e}.svg" for e in drawn for kind in kinds)])
    for svg in (out / "figures").glob("*.svg"):
        assert b"<svg" in svg.read_bytes()[:500]
    assert not list(out.parent.glob(".stargate.*")), "temporary directory left behind"


def test_csv_columns_exactly(report, study_path):
    _, out = report
    events, n_sec, n_win = _counts(study_path)
    with (out / "ar.csv").open() as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["event", "ticker", "day", "session", "return", "expected", "abnormal"]
    assert len(rows) == 1 + len(events) * n_sec * 21
    with (out / "car.csv").open() as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["event", "ticker", "start", "end", "car", "se", "t", "p"]
    assert len(rows) == 1 + len(events) * n_sec * n_win
    with (out / "claims.csv").open() as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["claim", "ticker", "reported", "best_measure", "best_session", "measured", "abnormal", "verdict",
                       "group", "implied_session", "session", "tolerance", "bound", "explanation"]  # fmt: skip
    assert len(rows) == 1 + 5
    assert {r[3] for r in rows[1:]} <= {"close_to_close", "overnight", "intraday", "two_day"}
    with (out / "flags.csv").open() as fh:
        assert next(csv.reader(fh)) == ["event", "ticker", "day", "session", "abnormal", "z", "day0_of"]
    with (out / "tests.csv").open() as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["event", "ticker", "start", "end", "test", "statistic", "p", "n", "note", "p_holm", "p_bh"]
    assert {"Patell Z", "BMP t", "Kolari-Pynnönen adjusted BMP t", "sample-quantile (SQ)"} <= {r[4] for r in rows}
    # decimals, not percent: ORCL's +7.2 % on 2025-01-21 is written as about 0.072
    orcl = next(r for r in csv.reader((out / "ar.csv").open()) if r[:3] == ["first-reports", "ORCL", "0"])
    assert orcl[3] == "2025-01-21" and float(orcl[4]) == pytest.approx(172.57 / 161.03 - 1, abs=2e-6)


def test_results_json_provenance(report, study_path, prices_dir):
    _, out = report
    doc = json.loads((out / "results.json").read_text())
    prov = doc["provenance"]
    assert prov["study_sha256"] == hashlib.sha256(study_path.read_bytes()).hexdigest()
    assert prov["data"]["ORCL"]["sha256"] == hashlib.sha256((prices_dir / "ORCL.csv").read_bytes()).hexdigest()
    assert {"pandas", "statsmodels", "exchange_calendars", "python"} <= set(prov["packages"])
    events, n_sec, n_win = _counts(study_path)
    assert len(doc["car"]) == len(events) * n_sec * n_win and len(doc["claims"]) == 5


def test_report_mentions_every_claim_and_day0(report):
    _, out = report
    text = (out / "report.md").read_text()
    for claim in ("orcl-7", "nvda-2.3", "arm-4.1", "softbank-wed-10", "softbank-thu-6"):
        assert claim in text
    assert "after the close" in text and "| 9984.T | XTKS |" in text
    assert "figures/car_white-house.svg" in text and "](figures/claims.svg)" in text


def test_bad_study_path_exits_2(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.toml"), "--prices", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "nope.toml" in err and "no such file" in err and "Traceback" not in err


def test_unknown_symbol_exits_2(tmp_path, study_path, capsys):
    assert main(["run", str(study_path), "--prices", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "no price file for" in err and str(tmp_path) in err


def test_help_has_example(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "--help"])
    assert exc.value.code == 0
    assert "eventstudy run seeds/stargate.toml --prices ../shared/data/prices" in capsys.readouterr().out


def test_skip_errors_reports_excluded_pairs_and_unmeasured_claims(tmp_path, prices_dir, study_path, capsys):
    # ff3 needs US sessions: SoftBank (Tokyo) is excluded, its claims judged on raw moves, the run completes.
    out = tmp_path / "ff3"
    args = ["run", str(study_path), "--prices", str(prices_dir), "--out", str(out), "--model", "ff3", "-q"]
    assert main(args) == 2
    assert "Fama-French factors have no row" in capsys.readouterr().err
    assert main([*args, "--skip-errors", "--format", "md"]) == 0
    with (out / "claims.csv").open() as fh:
        rows = {r["claim"]: r for r in csv.DictReader(fh)}
    wed = rows["softbank-wed-10"]
    assert wed["verdict"] == "matches the close" and "left out of the ff3 model" in wed["explanation"]
    assert "market-adjusted" in wed["explanation"]
    assert rows["orcl-7"]["verdict"] == "matches the close"
    assert "## Excluded" in (out / "report.md").read_text()


def test_figures_png_option(prices_dir, study_path, tmp_path):
    out = tmp_path / "png"
    code = main(["run", str(study_path), "--prices", str(prices_dir), "--out", str(out), "-q", "--figures", "png"])
    assert code == 0
    pngs = list((out / "figures").glob("*.png"))
    assert len(pngs) == 13 and not list((out / "figures").glob("*.svg"))  # claims + 3 sections × 4 (with volume)
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 13
    assert "](figures/claims.png)" in (out / "report.md").read_text(encoding="utf-8")


def test_figures_none_option(prices_dir, study_path, tmp_path):
    out = tmp_path / "nofig"
    code = main(["run", str(study_path), "--prices", str(prices_dir), "--out", str(out), "-q", "--figures", "none"])
    assert code == 0
    assert not (out / "figures").exists()
    assert "figures/" not in (out / "report.md").read_text(encoding="utf-8")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<img" not in page and "Verdicts" in page
    from eventstudy.report import write_report

    with pytest.raises(EventStudyError, match="svg, png or none"):
        write_report(None, out, figure_format="gif")  # type: ignore[arg-type]


def test_progress_counts_the_price_files(prices_dir, study_path):
    """The run tells its progress: one counted step per symbol read (the CLI draws it as a bar)."""
    from eventstudy import CsvDirectorySource, EventStudy, load_study

    doc = tomllib.loads(study_path.read_text())
    symbols = set()
    for s in doc["securities"]:
        symbols |= {s["ticker"], s["benchmark"], s.get("ohlc", ""), *s.get("factors", [])} - {""}
    steps = []
    EventStudy(load_study(study_path), CsvDirectorySource(prices_dir)).run(progress=lambda *a: steps.append(a))
    counted = [s for s in steps if len(s) == 3]
    assert [s[1] for s in counted] == list(range(len(symbols)))
    assert {s[2] for s in counted} == {len(symbols)}
    assert {s[0].removeprefix("prices for ") for s in counted} == symbols


def test_a_parquet_report_can_be_replaced(prices_dir, study_path, tmp_path):
    """A report with Parquet tables is recognised as a report: the same --out can be written again."""
    out = tmp_path / "report"
    args = ["run", str(study_path), "--prices", str(prices_dir), "--out", str(out), "--parquet-from", "0",
            "--figures", "none", "--format", "json", "-q"]  # fmt: skip
    assert main(args) == 0
    assert (out / "ar.parquet").is_file()
    assert main(args) == 0


def test_a_check_report_can_be_replaced(prices_dir, tmp_path):
    """`eventstudy check` writes draft.toml beside its report; running it again replaces that report."""
    from pathlib import Path

    article = Path(__file__).parents[1] / "corpus" / "dev" / "en_smci_march.txt"
    out = tmp_path / "check"
    args = ["check", str(article), "--prices", str(prices_dir), "--out", str(out), "--figures", "none",
            "--format", "md", "-q"]  # fmt: skip
    assert main(args) == 0
    assert (out / "draft.toml").is_file()
    assert main(args) == 0


def test_check_names_a_missing_prices_folder(tmp_path, capsys):
    """`check --prices DIR` with no such folder says so (not "no claimed security has prices"), exit 2."""
    from pathlib import Path

    article = Path(__file__).parents[1] / "corpus" / "dev" / "en_smci_march.txt"
    missing = tmp_path / "no-such-folder"
    assert main(["check", str(article), "--prices", str(missing), "--out", str(tmp_path / "out"), "-q"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "does not exist" in err[0] and str(missing) in err[0]
    assert not (tmp_path / "out").exists()


def test_check_reads_a_parquet_prices_folder_and_leaves_out_what_it_lacks(prices_dir, tmp_path, capsys):
    """`check --prices` on a Parquet folder asks that folder what it holds (not for <symbol>.csv files)."""
    import csv
    from pathlib import Path

    from eventstudy.market.parquet import write_parquet_prices

    article = Path(__file__).parents[1] / "corpus" / "dev" / "en_oracle_sept.txt"
    parquet = tmp_path / "parquet"
    write_parquet_prices(prices_dir, parquet, ["ORCL", "GSPC", "IXIC", "NDX", "NVDA"])  # no ARM, no AVGO
    out = tmp_path / "check"
    args = ["check", str(article), "--prices", str(parquet), "--out", str(out), "--figures", "none",
            "--format", "md"]  # fmt: skip
    assert main(args) == 0
    err = capsys.readouterr().err
    assert f"ARM (Arm Holdings) not checked: no prices for ARM in {parquet}" in err
    with (out / "claims.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["ticker"] for r in rows} >= {"ORCL", "NVDA"} and "ARM" not in {r["ticker"] for r in rows}
    assert all(r["verdict"] != "not measured" for r in rows)


def test_check_takes_the_day_range_from_a_second_file(tmp_path):
    """9984.T.csv has no High/Low; check uses 9984.T_<source>.csv beside it (the draft's ``ohlc``: the seed test)."""
    import tomllib

    from eventstudy.articles.check import with_day_ranges
    from eventstudy.market import CsvDirectorySource
    from eventstudy.spec import parse_study

    prices = tmp_path / "prices"
    prices.mkdir()
    (prices / "9984.T.csv").write_text("Date,Open,High,Low,Close,Adj Close,Volume\n2025-01-06,,,,100,100,1\n")
    (prices / "9984.T_Other.csv").write_text("Date,Open,High,Low,Close,Adj Close,Volume\n2025-01-06,1,,,100,,1\n")
    (prices / "9984.T_JQuants.csv").write_text(
        "Date,Open,High,Low,Close,Adj Close,Volume\n2025-01-06,99,101,98,100,,1\n"
    )
    text = (
        '[study]\nid = "d"\n\n[[securities]]\nticker = "9984.T"\nname = "SoftBank Group"\nexchange = "XTKS"\n'
        'benchmark = "^N225"\n\n[[events]]\nid = "e"\ntimestamp = 2025-01-06\n'
    )
    source = CsvDirectorySource(prices)
    spec, lines = with_day_ranges(parse_study(tomllib.loads(text)), source.day_range)
    assert spec.securities[0].ohlc == "9984.T_JQuants"  # the file with a range, not the one without
    assert lines == ["9984.T: no High/Low in 9984.T.csv; the day's range comes from 9984.T_JQuants.csv"]
    assert source.provenance() == {}  # asking reads no file into the run's record
    (prices / "9984.T.csv").write_text("Date,Open,High,Low,Close,Adj Close,Volume\n2025-01-06,99,101,98,100,100,1\n")
    assert with_day_ranges(parse_study(tomllib.loads(text)), source.day_range)[1] == []  # its own range: kept


def test_check_on_the_seed_softbank_midday_claim(prices_dir, tmp_path):
    """Seed 002: "grimpant de 6% jeudi midi" is checked against the J-Quants day range, not "not supported"."""
    import csv

    article = prices_dir.parents[1] / "seeds" / "002_54957cd9e9dd94d2.txt"
    out = tmp_path / "check"
    args = ["check", str(article), "--prices", str(prices_dir), "--out", str(out), "--figures", "none",
            "--format", "md", "--reference-date", "2025-01-23", "-q"]  # fmt: skip  # the article's day: Thursday
    assert main(args) == 0
    with (out / "claims.csv").open(encoding="utf-8") as fh:
        rows = {round(float(r["reported"]), 4): r for r in csv.DictReader(fh) if r["ticker"] == "9984.T"}
    with (prices_dir / "9984.T_JQuants_OHLCV.csv").open(encoding="utf-8") as fh:
        days = {r["Date"][:10]: r for r in csv.DictReader(fh)}
    prev, day = float(days["2025-01-22"]["Close"]), days["2025-01-23"]
    low, high = float(day["Low"]) / prev - 1, float(day["High"]) / prev - 1
    assert low <= 0.06 <= high  # +6 % lies in Thursday's range from Wednesday's close (by the csv module)
    assert rows[0.06]["verdict"] == "within the day's range"
    assert "9984.T_JQuants_OHLCV" in (out / "draft.toml").read_text(encoding="utf-8")
