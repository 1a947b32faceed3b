"""Score the whole chain of `eventstudy check` on the labelled corpus: ticker, figure, session and verdict.

For every article of a part (``dev``, ``holdout``, ``fresh``, ``unseen``, ``unseen2``, ``unseen3``, ``unseen4``,
``unseen5``, ``unseen6``, ``unseen7`` or ``unseen8``) named in ``tests/corpus/labels.csv``, this runs

    eventstudy check ARTICLE --prices ../shared/data/prices --out TMPDIR --format json --figures none --quiet

(in process, through ``eventstudy.cli.main``; with ``--reference-date`` when a label row's construction
says ``--reference-date YYYY-MM-DD``), reads the ``claims.csv`` it writes and scores each label of a claim
the prices can check (``ticker`` set, ``verified = yes``) against the drafted claims.

A drafted claim is right when its ticker and signed figure (``reported`` x 100) are a label's, the session
it was judged on (``session``) is the label's ``move_date`` (for an after-hours quote, the day it names:
the tool judges it there, on the next session's opening gap) and its verdict is the label's ``verdict``.
Each drafted claim matches at most one label and each label at most one drafted claim; labels of one
claim repeated in an article (same ticker, figure, session and verdict: a notation line and the body)
count once, as `check` drafts it once. Every figure
sentence of an article is labelled, so any other drafted claim is wrong, except one that matches a label
without a price file (``verified = no``, the Dow): those are left out of both counts.

Printed per part: precision (right / drafted), recall (right / labelled), labelled true claims called
"not supported" (same ticker and figure, verdict "not supported", where the label expects another
verdict), drafted claims given to the wrong security or sign (a label's figure in absolute value, on
another ticker or with the other sign), and articles where `check` did not exit 0.

Run by hand, one part at a time: ``python tests/corpus_check.py dev [--issue=22]``. The holdout part of
issue 22's articles is run once, at the end.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from corpus_eval import Score

CORPUS = Path(__file__).parent / "corpus"
PRICES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "prices"
NOT_SUPPORTED = "not supported"
_REFERENCE = re.compile(r"--reference-date (\d{4}-\d{2}-\d{2})")


@dataclass
class ChainScore(Score):
    """:class:`corpus_eval.Score` (precision, recall) and what only the whole chain can get wrong."""

    articles: int = 0
    not_supported: int = 0
    wrong_security_or_sign: int = 0
    failed: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"{self.part}: {self.articles} articles, {self.truth} labelled claims the prices can check, "
            f"{self.drafted} drafted",
            f"  precision {self.precision:.3f} ({self.hits}/{self.drafted}), recall {self.recall:.3f} "
            f"({self.hits}/{self.truth})",
            f"  true claims called 'not supported': {self.not_supported}",
            f"  drafted claims on the wrong security or sign: {self.wrong_security_or_sign}",
            f"  articles where check did not exit 0: {len(self.failed)}",
        ]


def labels(part: str, issue: str | None = None) -> list[dict[str, str]]:
    """The rows of ``part`` (of one ``issue``'s articles when given: "14" or "22")."""
    with (CORPUS / "labels.csv").open(encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["part"] == part and issue in (None, r["issue"])]


def _figure(value: str) -> float:
    return round(float(value), 6)


def _reported(claim: dict[str, str]) -> float:
    return _figure(float(claim["reported"]) * 100)


def reference_date(rows: list[dict[str, str]]) -> str | None:
    for r in rows:
        if m := _REFERENCE.search(r.get("construction") or ""):
            return m[1]
    return None


def run_check(article: Path, reference: str | None, prices: Path) -> tuple[int, list[dict[str, str]]]:
    """Exit code of `eventstudy check` on one article and the rows of its claims.csv."""
    from eventstudy.cli import main

    with tempfile.TemporaryDirectory(prefix="corpus-check-") as tmp:
        out = Path(tmp) / "report"
        argv = ["check", str(article), "--prices", str(prices), "--out", str(out), "--format", "json",
                "--figures", "none", "--quiet"]  # fmt: skip
        if reference:
            argv += ["--reference-date", reference]
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse errors
                code = exc.code if isinstance(exc.code, int) else 2
        claims = out / "claims.csv"
        if not claims.is_file():
            return code, []
        with claims.open(encoding="utf-8", newline="") as fh:
            return code, list(csv.DictReader(fh))


def _matches(claim: dict[str, str], label: dict[str, str], *, verdict: bool = True) -> bool:
    if claim["ticker"] != label["ticker"] or _reported(claim) != _figure(label["figure"]):
        return False
    # an after-hours quote is judged on the session it was quoted after (its measure: the next opening gap)
    judged_on = label["session"] if label.get("timing") == "after_hours" and label["session"] else label["move_date"]
    if claim["session"] != judged_on:
        return False
    return not (verdict and label.get("verdict") and claim["verdict"] != label["verdict"])


def _once(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """One row per claim: the same move labelled in two sentences of an article (a notation line and the body,
    "gained 36%" then "a gain of 36%") is one claim of the study, drafted once. A day's move and a period's of
    the same size ("more than 3% on Wednesday", "about 3% this year") are two."""
    seen: dict[tuple, dict[str, str]] = {}
    for r in rows:
        judged_on = r["session"] if r.get("timing") == "after_hours" and r["session"] else r["move_date"]
        seen.setdefault((r["ticker"], _figure(r["figure"]), judged_on, r.get("verdict", ""), r.get("since", "")), r)
    return list(seen.values())


def score_article(score: ChainScore, article: str, rows: list[dict[str, str]], claims: list[dict[str, str]]) -> None:
    truth = _once([r for r in rows if r["ticker"] and r["verified"] == "yes"])
    unchecked = [r for r in rows if r["ticker"] and r["verified"] != "yes"]
    score.truth += len(truth)
    left = list(truth)
    for c in claims:
        hit = next((r for r in left if _matches(c, r)), None)
        if hit is not None:
            left.remove(hit)
            score.hits += 1
            score.drafted += 1
            continue
        figure = _reported(c)
        if any(c["ticker"] == r["ticker"] and figure == _figure(r["figure"]) for r in unchecked):
            continue
        score.drafted += 1
        what = f"{article}: {c['ticker']} {figure:+g} judged on {c['session'] or '-'}: {c['verdict']}"
        same_size = [r for r in truth if abs(figure) == abs(_figure(r["figure"]))]
        if same_size and not any(r["ticker"] == c["ticker"] and figure == _figure(r["figure"]) for r in same_size):
            score.wrong_security_or_sign += 1
            what += " [wrong security or sign]"
        score.wrong.append(what)
    for r in truth:
        expected = r.get("verdict") or ""
        if expected == NOT_SUPPORTED:
            continue
        same = [c for c in claims if c["ticker"] == r["ticker"] and _reported(c) == _figure(r["figure"])]
        if same and all(c["verdict"] == NOT_SUPPORTED for c in same):
            score.not_supported += 1
    score.missed += [
        f"{article}: {r['ticker']} {r['figure']} on {r['move_date']} ({r.get('verdict') or 'no verdict label'}) "
        f"in {r['sentence'][:70]!r}"
        for r in left
    ]


def evaluate(part: str, prices: Path = PRICES, issue: str | None = None) -> ChainScore:
    rows = labels(part, issue)
    score = ChainScore(part)
    for article in sorted({r["article"] for r in rows}):
        mine = [r for r in rows if r["article"] == article]
        code, claims = run_check(CORPUS / part / article, reference_date(mine), prices)
        score.articles += 1
        if code != 0:
            score.failed.append(f"{article}: exit {code}")
        score_article(score, article, mine, claims)
    return score


if __name__ == "__main__":
    parts = [a for a in sys.argv[1:] if not a.startswith("--issue=")] or ["dev"]
    only = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--issue=")), None)
    if not PRICES.is_dir():
        sys.exit(f"{PRICES} not found: the corpus check reads ../shared/data/prices next to the repository")
    for part in parts:
        s = evaluate(part, issue=only)
        print(*s.lines(), sep="\n")
        print("  failed:", *s.failed, sep="\n    ")
        print("  wrong:", *s.wrong, sep="\n    ")
        print("  missed:", *s.missed, sep="\n    ")
