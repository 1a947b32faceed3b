"""``eventstudy.check``: the library call behind `eventstudy check`, on CSV and Parquet price folders."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest

from eventstudy.cli import main

CORPUS = Path(__file__).parents[1] / "corpus"


def _claims(folder: Path) -> list[dict[str, str]]:
    with (folder / "claims.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def parquet_prices(prices_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``eventstudy prices to-parquet`` of the shared price folder."""
    folder = tmp_path_factory.mktemp("parquet") / "prices"
    assert main(["prices", "to-parquet", "--prices", str(prices_dir), "--out", str(folder), "-q"]) == 0
    return folder


@pytest.mark.parametrize(
    ("article", "ref"),
    [
        ("seeds/002_54957cd9e9dd94d2.txt", "2025-01-23"),  # 9984.T: its day's range from a second series
        ("corpus/dev/en_oracle_sept.txt", None),
    ],
)
def test_check_on_a_parquet_folder_gives_the_csv_folders_claims(prices_dir, parquet_prices, tmp_path, article, ref):
    """The Parquet folder is asked what it holds (and which series has High/Low): same claims.csv as the CSVs."""
    path = (prices_dir.parents[1] / article) if article.startswith("seeds/") else (CORPUS.parent / article)
    outputs = {}
    for name, prices in (("csv", prices_dir), ("parquet", parquet_prices)):
        out = tmp_path / name
        argv = ["check", str(path), "--prices", str(prices), "--out", str(out), "--format", "json", "--figures",
                "none", "-q"] + (["--reference-date", ref] if ref else [])  # fmt: skip
        assert main(argv) == 0
        outputs[name] = out
    csv_rows, parquet_rows = _claims(outputs["csv"]), _claims(outputs["parquet"])
    assert csv_rows and parquet_rows == csv_rows
    assert all(r["verdict"] != "not measured" for r in csv_rows)
    csv_draft = (outputs["csv"] / "draft.toml").read_text(encoding="utf-8")
    assert (outputs["parquet"] / "draft.toml").read_text(encoding="utf-8") == csv_draft


def test_check_call_runs_the_study_its_draft_describes(prices_dir, tmp_path):
    """The study `check` runs (built without writing TOML) is the one ``load_study`` reads from its draft file."""
    import eventstudy
    from eventstudy.market import CsvDirectorySource
    from eventstudy.spec import load_study

    article = CORPUS / "dev" / "en_oracle_sept.txt"
    spec, res = eventstudy.check([article], CsvDirectorySource(prices_dir), out=tmp_path / "report")
    assert spec.path == str(tmp_path / "report" / "draft.toml") and not (tmp_path / "report").exists()
    draft = tmp_path / "draft.toml"
    draft.write_text(spec.extra["draft.toml"], encoding="utf-8")
    loaded = load_study(draft)
    assert replace(loaded, path=spec.path) == spec and loaded.sha256 == spec.sha256
    assert {c.id for c in spec.claims} == set(res.claims["claim"])
    assert len(spec.extra["extraction"].claims) == len(spec.claims)


def test_check_call_refuses_what_it_cannot_check(prices_dir, tmp_path):
    """No claim in the article, or no claimed security in the source: one error naming the article."""
    import eventstudy
    from eventstudy.errors import EventStudyError
    from eventstudy.market import CsvDirectorySource

    empty = tmp_path / "note.txt"
    empty.write_text("The board met on 3 March 2025 and approved the accounts.\n", encoding="utf-8")
    with pytest.raises(EventStudyError, match="no stock-price claim found"):
        eventstudy.check([empty], CsvDirectorySource(prices_dir), out=tmp_path / "a")
    bare = tmp_path / "prices"
    bare.mkdir()
    (bare / "OTHER.csv").write_text("Date,Open,High,Low,Close,Adj Close,Volume\n2025-01-06,1,1,1,1,1,1\n")
    article = CORPUS / "dev" / "en_oracle_sept.txt"
    with (
        pytest.warns(UserWarning, match=r"ORCL .* not checked: no prices for ORCL"),
        pytest.raises(EventStudyError, match=r"en_oracle_sept\.txt: no claimed security has prices in"),
    ):
        eventstudy.check([article], CsvDirectorySource(bare))


def test_sources_say_what_they_hold(prices_dir, parquet_prices):
    """``has`` and ``day_range`` of CSV and Parquet folders (9984.T.csv has no High/Low) and of Yahoo (not asked)."""
    from eventstudy.market import CsvDirectorySource, ParquetSource, YahooSource

    with (prices_dir / "9984.T.csv").open(encoding="utf-8") as fh:
        head = [next(fh).rstrip("\n").split(",") for _ in range(3)]
    assert head[0][2:4] == ["High", "Low"] and all(row[2] == row[3] == "" for row in head[1:])  # read as text
    for source in (CsvDirectorySource(prices_dir), ParquetSource(parquet_prices)):
        assert source.has("ORCL") and source.has("^GSPC") and not source.has("TSLA")
        assert source.day_range("ORCL") == "ORCL" and source.day_range("^GSPC") == "^GSPC"
        assert source.day_range("9984.T") == "9984.T_JQuants_OHLCV"

    def no_download(*args: object, **kwargs: object) -> None:
        raise AssertionError("Yahoo was asked")

    yahoo = YahooSource(cache=None, downloader=no_download)
    assert yahoo.has("ORCL") and yahoo.day_range("ORCL") == "ORCL" and yahoo.provenance() == {}
