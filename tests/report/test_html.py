"""report.html: self-contained, verdicts first, escaped, and rendered by a real browser.

The browser test runs headless Chromium (Debian package ``chromium``). It
skips when Chromium is not installed, except under ``CI=true``, where it
fails: CI installs it (``.ci/run``).
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime as dt
import html
import importlib.util
import os
import re
import sys

import pytest
from conftest import REPO
from markupsafe import escape

from eventstudy import CsvDirectorySource, EventStudy, load_study
from eventstudy.cli import main
from eventstudy.errors import EventStudyError
from eventstudy.report import write_report
from eventstudy.report.pages import render_html
from eventstudy.text_format import slug

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>&'
SECTIONS = ["verdicts", "claims-figure", "warnings", "candidates", "method", "provenance"]
# the smallest valid PNG: 1 × 1 pixel, so tests that only need some figure do not draw the real ones
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def _checker():
    spec = importlib.util.spec_from_file_location("check_html", REPO / "scripts" / "check_html.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def res(prices_dir, study_path):
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    return EventStudy(load_study(study_path), CsvDirectorySource(prices_dir), generated_at=when).run()


@pytest.fixture(scope="module")
def report(res, tmp_path_factory):
    out = tmp_path_factory.mktemp("html") / "stargate"
    write_report(res, out)
    return out


@pytest.fixture
def tiny_figures(monkeypatch):
    from eventstudy.report import figure_jobs

    figures = [figure_jobs.ReportFigure("figures/claims.png", None, "claims", TINY_PNG)]

    class Drawn(contextlib.nullcontext):  # what start_figures gives, the figures drawn already
        def result(self) -> list[figure_jobs.ReportFigure]:
            return figures

    monkeypatch.setattr(figure_jobs, "start_figures", lambda res, *, fmt: Drawn(Drawn()))


def _images(page: str) -> list[str]:
    return re.findall(r'<img [^>]*src="([^"]*)"', page)


def test_html_is_self_contained(report):
    page = (report / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    lowered = page.lower()
    for needle in ("<script", "<link", "@import", "<iframe", "url(", "http://", "https://"):
        assert needle not in lowered, needle
    srcs = _images(page)
    files = sorted((report / "figures").glob("*.svg"))
    # claims, then prices, AR, CAR and abnormal volume per event section (musk-doubt: none)
    assert len(srcs) == len(files) == 1 + 3 * 4
    embedded = {base64.b64decode(s.split(",", 1)[1]) for s in srcs if s.startswith("data:image/svg+xml;base64,")}
    assert len(embedded) == len(srcs), "every image is an embedded SVG"
    assert embedded == {f.read_bytes() for f in files}, "the page embeds the figure files"
    for svg in embedded:
        assert b"<svg" in svg[:500] and b"http://www.w3.org/2000/svg" in svg


def test_verdicts_come_first_with_labels_quotes_and_explanations(report, res):
    page = (report / "report.html").read_text(encoding="utf-8")
    ids = re.findall(r' id="([^"]+)"', page)
    for sid in [*SECTIONS, *(f"event-{e.id}" for e in res.spec.events)]:
        assert sid in ids, sid
    assert ids.index("verdicts") < ids.index("event-first-reports") < ids.index("warnings")
    verdicts = page.split('id="verdicts"', 1)[1].split("</section>", 1)[0]
    for c in res.claims.itertuples():
        row = verdicts.split(f'id="claim-{c.claim}"', 1)[1].split("</tbody>", 1)[0]
        assert escape(c.verdict) in row and escape(c.finding) in row  # jinja2's autoescape: markupsafe
        group = verdicts.split(f'id="group-{slug(c.group)}"', 1)[1].split("</tbody>", 1)[0]
        assert escape(c.story) in group and f"“{c.quote}”" in group and c.source in group
    assert 'class="verdict v-range">✓ within the day&#39;s range' in verdicts
    assert verdicts.count('class="verdict v-ok">✔ matches the close') == 3 + 1  # three claims, the count


def test_evidence_per_event(report):
    page = (report / "report.html").read_text(encoding="utf-8")
    event = page.split('id="event-white-house"', 1)[1].split("</section>", 1)[0]
    for needle in (
        "Day 0 on each exchange",
        "after the close",
        "When the move happened: overnight and intraday parts",
        'id="event-white-house-ORCL"',
        'id="event-white-house-9984.T"',
        "Returns by day",
        'id="event-white-house-warnings"',
        "Tests by window",
        "What holds",
        "Patell Z",
        "data:image/svg+xml;base64,",
    ):
        assert needle in event, needle
    assert "2026-01-02T03:04:05+00:00" in page  # generated_at, injected
    prov = page.split('id="provenance"', 1)[1]
    assert "ORCL.csv" in prov and "sha256" in prov


def test_article_and_study_text_is_escaped(res):
    spec = res.spec
    events = tuple(dataclasses.replace(e, title=EVIL, note=EVIL, sources=(EVIL,)) for e in spec.events)
    evil_spec = dataclasses.replace(spec, title=EVIL, events=events)
    claims = res.claims.assign(quote=EVIL, source=EVIL, explanation=EVIL)
    evil = dataclasses.replace(res, spec=evil_spec, claims=claims, provenance={**res.provenance, "data_source": EVIL})
    for page in (render_html(evil), evil._repr_html_()):
        assert "<script>" not in page and "<img src=x" not in page
        assert escape(EVIL) in page or html.escape(EVIL) in page  # the report: markupsafe; the notebook: html
    assert "&amp;" in render_html(evil)


def test_notebook_view_puts_verdicts_first(res):
    page = res._repr_html_()
    assert page.index("Claims against the measured moves") < page.index("Cumulative abnormal returns")
    assert "✓ within the day&#x27;s range" in page and "CAR [0, 0]" in page
    assert "<style" not in page, "notebook output styles inline only"


def test_write_report_formats(res, tmp_path, tiny_figures):
    paths = write_report(res, tmp_path / "h", formats=("html",))
    names = {p.relative_to(tmp_path / "h").as_posix() for p in paths}
    assert {"report.html", "ar.csv", "car.csv", "claims.csv", "flags.csv", "figures/claims.png"} <= names
    assert not {"report.md", "results.json"} & names
    paths = write_report(res, tmp_path / "j", formats="json")
    names = {p.relative_to(tmp_path / "j").as_posix() for p in paths}
    assert "results.json" in names and not [n for n in names if n.startswith("figures/") or n.startswith("report")]
    with pytest.raises(EventStudyError, match="pdf"):
        write_report(res, tmp_path / "x", formats=("md", "pdf"))


def test_cli_format_option(prices_dir, study_path, tmp_path, tiny_figures, capsys):
    out = tmp_path / "r"
    assert main(["run", str(study_path), "--prices", str(prices_dir), "--out", str(out), "--format", "md,html"]) == 0
    assert (out / "report.md").exists() and (out / "report.html").exists() and not (out / "results.json").exists()
    assert f"report: {out / 'report.html'}" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["run", str(study_path), "--format", "pdf"])
    assert exc.value.code == 2 and "choose one or more of md, html, json" in capsys.readouterr().err


def test_progress_is_quiet_off_a_terminal(capsys):
    from eventstudy.cli import progress, stop_progress

    say = progress(quiet=False)  # pytest's captured stderr is not a terminal
    say("prices for ORCL")
    stop_progress()
    assert capsys.readouterr().err == ""


def test_progress_on_a_terminal(monkeypatch):
    import io

    from eventstudy.cli import progress, stop_progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    say = progress(quiet=False)
    say("prices for ORCL")
    say("fitting ORCL around white-house")
    stop_progress()
    assert "fitting ORCL around white-house" in tty.getvalue()
    assert progress(quiet=True).enabled is False


def _chromium(checker) -> str:
    chromium = checker.find_chromium()
    if chromium is None:
        message = "chromium is not installed (Debian: apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return chromium


def test_report_renders_in_chromium(report, res, tmp_path):
    """Headless Chromium: no page error, every image decodes, every section is there; a screenshot."""
    checker = _checker()
    chromium = _chromium(checker)
    sections = [*SECTIONS, *(f"event-{e.id}" for e in res.spec.events), "claim-arm-4.1", "event-white-house-ORCL"]
    shot = tmp_path / "report.png"
    problems = checker.check_report(
        report / "report.html", sections, screenshot=shot, chromium=chromium, max_height=4000
    )
    assert problems == []
    assert shot.read_bytes()[:8] == PNG_MAGIC and shot.stat().st_size > 50_000


def test_browser_check_catches_a_broken_page(tmp_path):
    checker = _checker()
    chromium = _chromium(checker)
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><section id="here">'
        '<img alt="cut short" src="data:image/png;base64,iVBORw0KGgo="></section></body></html>',
        encoding="utf-8",
    )
    problems = checker.check_report(page, ["here", "gone"], chromium=chromium)
    assert "broken image: 'cut short'" in problems and "missing section id: gone" in problems
    assert not [p for p in problems if "here" in p]


def test_navigation_can_wrap(res):
    """Links separated by spaces: a study with 12 detailed events must not widen the page."""
    nav = render_html(res).split("<nav>", 1)[1].split("</nav>", 1)[0]
    links = re.findall(r"<a href=", nav)
    assert len(links) >= 6 and nav.count("</a> <a href=") == len(links) - 1
