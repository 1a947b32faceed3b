"""The README's first command gives the same bytes every time: no wall clock, no temporary or machine paths.

So rerunning it over the committed ``reports/stargate`` leaves ``git status`` clean.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventstudy.cli import main

REPO = Path(__file__).resolve().parents[2]


def files(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def readme_command(out: Path, *extra: str) -> int:
    # the README's first command, from the repository root, with relative paths as the README writes them
    return main(["run", "seeds/stargate.toml", "--prices", "../shared/data/prices", "--out", str(out), "--quiet",
                 *extra])  # fmt: skip


def test_two_runs_give_the_same_bytes(prices_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first, second = tmp_path / "one" / "stargate", tmp_path / "two" / "stargate"
    assert readme_command(first) == 0
    assert readme_command(second) == 0
    a, b = files(first), files(second)
    assert {"report.md", "report.html", "results.json", "car.csv", "figures/claims.svg"} <= set(a)
    assert a.keys() == b.keys()
    assert [name for name in a if a[name] != b[name]] == []
    # nothing that names this machine or this run's folders
    for name, data in a.items():
        text = data.decode("utf-8", errors="replace")
        for path in (str(tmp_path), str(REPO), str(REPO.parent), str(Path.home())):
            assert path not in text, f"{name} mentions {path}"
    prov = json.loads(a["results.json"])["provenance"]
    assert prov["generated_at"] is None
    # derived from the inputs: the last price date of the files read
    lasts = [info["last"] for info in prov["data"].values()]
    assert prov["data_as_of"] == max(lasts)
    assert f"data as of {max(lasts)}" in a["report.md"].decode()


def test_source_date_epoch_is_honoured(prices_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = tmp_path / "stargate"
    assert readme_command(out, "--format", "md,json", "--figures", "none") == 0
    assert json.loads((out / "results.json").read_text())["provenance"]["generated_at"] == "2023-11-14T22:13:20+00:00"
    assert "generated 2023-11-14T22:13:20+00:00" in (out / "report.md").read_text()


@pytest.mark.parametrize("value", ["yesterday", "1.5", "99999999999999999999"])
def test_malformed_source_date_epoch_is_an_input_error(tmp_path, monkeypatch, capsys, value):
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    assert readme_command(tmp_path / "stargate") == 2
    err = capsys.readouterr().err
    assert err.startswith("error: SOURCE_DATE_EPOCH=") and value in err and err.count("\n") == 1
    assert not (tmp_path / "stargate").exists()
