"""report.md and report.html are two renderings of one report model: they carry the same verdicts and numbers.

Both are parsed (pipe tables; HTML with the standard library's parser) and compared with claims.csv
and car.csv, written by the same run and independent of the templates: the percents are worked
from their decimals here.
"""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from eventstudy.market.csv_folder import CsvDirectorySource
from eventstudy.report import write_report
from eventstudy.spec import load_study
from eventstudy.study import EventStudy
from eventstudy.verdict_rows import verdict_rows, verdicts_text


@pytest.fixture(scope="module")
def out(prices_dir, study_path, tmp_path_factory) -> Path:
    res = EventStudy(load_study(study_path), CsvDirectorySource(prices_dir)).run()
    folder = tmp_path_factory.mktemp("model") / "stargate"
    write_report(res, folder, formats=["md", "html"], figure_format="none")
    return folder


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _pct(decimal: str) -> str:
    return f"{float(decimal) * 100:+.2f} %"


def _md_rows(text: str, after: str) -> list[list[str]]:
    """The rows of the first pipe table after the first line that starts with ``after``."""
    lines = text.split("\n" + after, 1)[1].split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("| "))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("| "):
            break
        rows.append([c.strip() for c in line.strip("|").split(" | ")])
    return rows


class _Cells(HTMLParser):
    """``tables``: the rows of cell texts under each id, by the last element with an id opened before them."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.cell: list[str] | None = None
        self.anchor = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.anchor = dict(attrs).get("id") or self.anchor
        if tag == "tr":
            self.tables.setdefault(self.anchor, []).append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.tables[self.anchor][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def _html(out: Path) -> dict[str, list[list[str]]]:
    parser = _Cells()
    parser.feed((out / "report.html").read_text(encoding="utf-8"))
    return parser.tables


def test_markdown_and_html_give_the_verdicts_of_claims_csv(out):
    claims = _csv(out / "claims.csv")
    expected = [(c["claim"], c["verdict"], c["session"], _pct(c["measured"]), _pct(c["abnormal"])) for c in claims]
    md = _md_rows((out / "report.md").read_text(encoding="utf-8"), "## The articles' claims against the market")
    got_md = [(r[0], re.sub(r"^\*\*(.*?)(?: \(.*\))?\*\*$", r"\1", r[3]), r[4], r[7], r[8]) for r in md]
    tables = _html(out)
    got_html = []
    for c in claims:
        first = tables[f"claim-{c['claim']}"][0]  # claim, reported, verdict, judged on, implied, best, measured, …
        verdict = re.sub(r"^\S+ ", "", first[2]).split(" (")[0]  # "✔ matches the close (±1.00 pp)"
        got_html.append((first[0].split()[0], verdict, first[3], first[6], first[7]))
    assert got_md == expected
    assert got_html == expected


def test_markdown_and_html_give_the_cars_of_car_csv(out):
    md = (out / "report.md").read_text(encoding="utf-8")
    tables = _html(out)
    sections = re.findall(r"^## Event `([^`]+)`", md, flags=re.M)
    assert sections
    checked = 0
    for row in _csv(out / "car.csv"):
        if row["event"] not in sections:
            continue  # an event shown in another's section (same day 0)
        expected = [f"[{row['start']}, {row['end']}]", _pct(row["car"]), f"{float(row['t']):.2f}"]
        part = md.split(f"## Event `{row['event']}`", 1)[1]
        md_rows = _md_rows(part, f"### {row['ticker']} (benchmark")
        html_rows = tables[f"event-{row['event']}-{row['ticker']}".replace("^", "-")]
        window = [r for r in md_rows if r[0] == expected[0]]
        assert [[r[0], r[1], r[3]] for r in window] == [expected]
        assert [[r[0], r[1], r[3]] for r in html_rows if r and r[0] == expected[0]] == [expected]
        checked += 1
    assert checked >= 12


def test_terminal_lines_name_each_claim_and_its_verdict():
    import pandas as pd

    claims = pd.DataFrame(
        {"claim": ["a", "b"], "ticker": ["ORCL", "9984.T"], "event": "e", "reported_text": ["≈ +7 %", "+6 %"],
         "verdict": ["matches the close", "not measured"], "verdict_label": ["matches the close", "not measured"],
         "session": pd.Timestamp("2025-01-21"), "implied_session": pd.Timestamp("2025-01-22"),
         "best_measure": ["close_to_close", None], "best_session": [pd.Timestamp("2025-01-21"), None],
         "best_day": [-1.0, float("nan")], "measured": [0.0717, float("nan")], "abnormal": [0.0588, float("nan")],
         "quote": ["Oracle a grimpé d'environ 7 %", ""], "source": "a.txt", "finding": "", "explanation": ""}
    )  # fmt: skip
    rows = verdict_rows(claims)
    assert [r["best"] for r in rows] == [["close-to-close", "2025-01-21 (day -1)"], ["–"]]
    assert [r["measured"] for r in rows] == ["+7.17 %", "–"]
    assert verdicts_text(rows) == [
        "  ORCL ≈ +7 % → matches the close: +7.17 % close-to-close, 2025-01-21 (day -1)  "
        '(a.txt: "Oracle a grimpé d\'environ 7 %")',
        "  9984.T +6 % → not measured",
    ]
