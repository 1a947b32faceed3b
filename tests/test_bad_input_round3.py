"""Nothing lost, round three (issue 25): a user's files, hostile text, paths, processes.

Each test reproduces a case of the issue that lost or overwrote a file, opened a hole, or
broke the one-``error:``-line promise, and fails on the code before its fix. ``ROUND3_CASES``
are the cases that must exit 2 with one line naming the culprit; ``scripts/bad_input_survey.py``
runs them with the earlier catalogues.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from synthetic import make_market
from test_bad_input import study
from test_bad_input_more import Case, Kit, check_error

from eventstudy.cli import main

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


ROUND3_CASES = [extract_out_is_the_article, extract_two_outputs_one_file, extract_out_is_a_link_to_the_article]


@pytest.mark.parametrize("build", ROUND3_CASES, ids=lambda b: b.__name__)
def test_round3_case(tmp_path, market, capsys, build):
    case = build(Kit(tmp_path, market))
    before = snapshot(tmp_path)
    code = main(case.argv)
    check_error(code, capsys.readouterr().err, case.names)
    assert snapshot(tmp_path) == before  # nothing written, nothing overwritten


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
