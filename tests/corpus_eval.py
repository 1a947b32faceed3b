"""Precision and recall of `extract` on the labelled corpus in tests/corpus (see its README).

A drafted claim is right when its (article, ticker, signed figure, session, bound, since) is a
label's and its quote contains the label's sentence piece; a label that names no session accepts
none or the session the move is on (``move_date``). Every figure sentence of an article is labelled,
so any other drafted claim is wrong.

Run by hand on the development part only: ``python tests/corpus_eval.py dev``.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"


@dataclass
class Score:
    part: str
    drafted: int = 0
    truth: int = 0
    hits: int = 0
    wrong: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.hits / self.drafted if self.drafted else 1.0

    @property
    def recall(self) -> float:
        return self.hits / self.truth if self.truth else 1.0

    def line(self) -> str:
        return (f"{self.part}: precision {self.precision:.3f} ({self.hits}/{self.drafted}), "
                f"recall {self.recall:.3f} ({self.hits}/{self.truth})")  # fmt: skip


def labels(part: str, issue: str | None = None) -> list[dict[str, str]]:
    """The rows of ``part`` (of one ``issue``'s articles when given: "14" or "22")."""
    with (CORPUS / "labels.csv").open(encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["part"] == part and issue in (None, r["issue"])]


def _norm(s: str) -> str:
    return s.replace("\u202f", " ").replace("\u00a0", " ")


def _same(key: tuple, label: dict[str, str]) -> bool:
    """A drafted claim's (ticker, figure, session, bound, since) is the label's; a label naming no session
    takes the session the move is on (a period move's, or one the extractor carried from the context)."""
    ticker, figure, session, bound, since = key
    sessions = {label["session"]} if label["session"] else {"", label["move_date"]}
    return (ticker, figure, bound, since) == (label["ticker"], round(float(label["figure"]), 6), label["bound"],
                                              label["since"]) and session in sessions  # fmt: skip


def evaluate(part: str, issue: str | None = None) -> Score:
    from eventstudy.articles import extract

    rows = labels(part, issue)
    score = Score(part)
    for article in sorted({r["article"] for r in rows}):
        truth = [r for r in rows if r["article"] == article and r["ticker"]]
        found = extract([CORPUS / part / article], year=2025)
        score.truth += len(truth)
        left = list(truth)
        for c in found.claims:
            score.drafted += 1
            key = (c.ticker, round(c.reported_percent, 6), c.session.isoformat() if c.session else "", c.bound, c.since)
            hit = next((r for r in left if _same(key, r) and r["sentence"] in _norm(c.quote)), None)
            if hit is None:
                score.wrong.append(f"{article}: {key} in {c.quote[:90]!r}")
            else:
                left.remove(hit)
                score.hits += 1
        score.missed += [f"{article}: {r['ticker']} {r['figure']} {r['session']} {r['bound']} in {r['sentence']!r}"
                         for r in left]  # fmt: skip
    return score


if __name__ == "__main__":
    s = evaluate(sys.argv[1] if len(sys.argv) > 1 else "dev")
    print(s.line())
    print("wrong:", *s.wrong, sep="\n  ")
    print("missed:", *s.missed, sep="\n  ")
