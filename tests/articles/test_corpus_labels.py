"""The corpus labels (tests/corpus/labels.csv) against the price files, with the csv module only.

Each verified row's `verdict` must follow from the prices by the rule of issue 22:

- tolerance: half a unit of the figure's last digit; for an approximate figure ("about", "nearly", "roughly",
  "some", "almost", "around", "près de", "environ"...) max(one unit of the last digit, 10 % of the figure);
  `bound = at_least` ("more than", "at least"): the move must reach the figure less the tolerance;
- `matches the close`: a close-timing (or period) figure within tolerance of the close-to-close (or period)
  return on `move_date` (Adj Close where filled, else Close);
- `within the day's range`: a quote timing (open, premarket, after_hours, intraday, midday) within tolerance of
  `move_date`'s opening gap, or inside its [low, high] range from the previous close widened by the tolerance;
- `consistent on another session`: neither on `move_date`, but the close or the quote holds on a
  neighbouring session (days -1, +1, +2 of `move_date` in the security's own file);
- `not supported`: nothing holds.

A period move (`since` filled) is measured from its reference close: the last session on or before a date
(`YYYY-MM-DD`), or the highest / lowest close of a month (`high:YYYY-MM`, `low:YYYY-MM`).
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

import pytest
from conftest import PRICES, require_shared

CORPUS = Path(__file__).parents[1] / "corpus"
LABELS = CORPUS / "labels.csv"
COLUMNS = ["part", "article", "sentence", "ticker", "figure", "session", "bound", "verified", "move_date",
           "timing", "since", "verdict", "construction", "issue"]  # fmt: skip
VERDICTS = ("matches the close", "within the day's range", "consistent on another session", "not supported")
QUOTE_TIMINGS = ("open", "premarket", "after_hours", "intraday", "midday")
APPROXIMATE = ("about", "nearly", "roughly", "some ", "almost", "around", "close to", "approximately",
               "près de", "environ", "quelque", "presque", "autour de", "proche de")  # fmt: skip


def _rows() -> list[dict[str, str]]:
    with LABELS.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == COLUMNS, reader.fieldnames
        return list(reader)


ROWS = _rows()
VERIFIED = [r for r in ROWS if r["ticker"] and r["verified"] == "yes"]


def _norm(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


@cache
def _prices(symbol: str) -> list[dict[str, str]]:
    with (require_shared(PRICES) / f"{symbol.lstrip('^')}.csv").open(encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["Close"]]


def _index(rows: list[dict[str, str]], day: str) -> int:
    i = next((k for k, r in enumerate(rows) if r["Date"] == day), None)
    assert i is not None, f"{day} is not a session of the price file"
    return i


def _ratio(a: dict[str, str], b: dict[str, str]) -> float:
    """a / b - 1 in percent, on Adj Close where both rows have it, else on Close."""
    col = "Adj Close" if a["Adj Close"] and b["Adj Close"] else "Close"
    return (float(a[col]) / float(b[col]) - 1) * 100


def _reference(rows: list[dict[str, str]], since: str) -> dict[str, str]:
    if since.startswith(("high:", "low:")):
        kind, month = since.split(":")
        in_month = [r for r in rows if r["Date"].startswith(month)]
        assert in_month, since
        col = "Adj Close" if all(r["Adj Close"] for r in in_month) else "Close"
        pick = max if kind == "high" else min
        return pick(in_month, key=lambda r: float(r[col]))
    before = [r for r in rows if r["Date"] <= since]
    assert before, since
    return before[-1]


def _close_measure(rows: list[dict[str, str]], i: int, since: str) -> float:
    return _ratio(rows[i], _reference(rows, since)) if since else _ratio(rows[i], rows[i - 1])


def _quote_measures(rows: list[dict[str, str]], i: int) -> tuple[float, float, float] | None:
    """Opening gap, low and high of session i from the previous close, in percent (None without OHLC)."""
    r, prev = rows[i], float(rows[i - 1]["Close"])
    if not (r["Open"] and r["Low"] and r["High"]):
        return None
    return tuple((float(r[k]) / prev - 1) * 100 for k in ("Open", "Low", "High"))


def _decimals(figure: str) -> int:
    return len(figure.split(".")[1]) if "." in figure else 0


def _approximate(sentence: str) -> bool:
    return any(w in sentence.lower() for w in APPROXIMATE)


def tolerance(row: dict[str, str]) -> float:
    unit = 10.0 ** -_decimals(row["figure"])
    if _approximate(row["sentence"]):
        return max(unit, 0.1 * abs(float(row["figure"])))
    return 0.5 * unit


def _near(measured: float, figure: float, tol: float, at_least: bool) -> bool:
    if at_least:
        return measured * (1 if figure >= 0 else -1) >= abs(figure) - tol - 1e-9
    return abs(measured - figure) <= tol + 1e-9


def _close_holds(rows, i, row, tol) -> bool:
    return _near(_close_measure(rows, i, row["since"]), float(row["figure"]), tol, row["bound"] == "at_least")


def _quote_holds(rows, i, row, tol) -> bool:
    if row["since"]:
        return False
    quote = _quote_measures(rows, i)
    if quote is None:
        return False
    gap, low, high = quote
    figure, at_least = float(row["figure"]), row["bound"] == "at_least"
    if _near(gap, figure, tol, at_least):
        return True
    if at_least:
        return high >= figure - tol if figure >= 0 else low <= figure + tol
    return low - tol <= figure <= high + tol


def expected_verdict(row: dict[str, str]) -> str:
    rows = _prices(row["ticker"])
    i = _index(rows, row["move_date"])
    tol = tolerance(row)
    timing = row["timing"] or "close"
    if timing in QUOTE_TIMINGS:
        if _quote_holds(rows, i, row, tol):
            return "within the day's range"
    elif _close_holds(rows, i, row, tol):
        return "matches the close"
    for j in (i - 1, i + 1, i + 2):
        if 0 < j < len(rows) and (_close_holds(rows, j, row, tol) or _quote_holds(rows, j, row, tol)):
            return "consistent on another session"
    return "not supported"


def test_the_corpus_is_large_both_languages_a_third_held_out():
    """Dev + holdout: large, both languages, a third held out (the later parts are counted apart)."""
    rows = [r for r in ROWS if r["part"] in ("dev", "holdout")]
    sentences = {(r["article"], r["sentence"]) for r in rows}
    assert len(sentences) >= 300
    holdout = [r for r in rows if r["part"] == "holdout"]
    assert 3 * len(holdout) >= len(rows)
    assert {r["article"][:3] for r in holdout} == {r["article"][:3] for r in rows} == {"en_", "fr_"}
    assert len([r for r in VERIFIED if r["part"] in ("dev", "holdout")]) >= 250


@pytest.mark.parametrize(
    "part", ["fresh", "unseen", "unseen2", "unseen3", "unseen4", "unseen5", "unseen6", "unseen7", "unseen8"]
)
def test_the_later_parts_have_both_languages_and_wrong_claims(part):
    """Each part written after the holdout run: both languages, its own file suffix, every verdict."""
    mine = [r for r in ROWS if r["part"] == part]
    assert {r["article"][:3] for r in mine} == {"en_", "fr_"}
    assert all(r["article"].endswith(f"_{part}.txt") for r in mine)
    verdicts = {r["verdict"] for r in mine if r["ticker"] and r["verified"] == "yes"}
    assert set(VERDICTS) <= verdicts
    assert any("DELIBERATELY WRONG" in r["construction"] for r in mine)


@pytest.mark.parametrize("row", VERIFIED, ids=lambda r: f"{r['article']}:{r['ticker']}:{r['figure']}")
def test_verdict_follows_from_the_prices(row):
    assert row["verdict"] in VERDICTS, row
    assert row["timing"] in ("", "close", *QUOTE_TIMINGS), row
    assert re.fullmatch(r"-?\d+(\.\d+)?", row["figure"]), row
    assert row["bound"] in ("", "at_least"), row
    assert re.fullmatch(r"(\d{4}-\d{2}-\d{2}|(high|low):\d{4}-\d{2})?", row["since"]), row
    if row["timing"] == "after_hours":
        assert row["session"] and row["session"] < row["move_date"], "after hours: the move is the next session's"
    assert expected_verdict(row) == row["verdict"], (row, tolerance(row))


def test_rows_are_well_formed():
    parts = (
        "dev",
        "holdout",
        "fresh",
        "unseen",
        "unseen2",
        "unseen3",
        "unseen4",
        "unseen5",
        "unseen6",
        "unseen7",
        "unseen8",
    )
    for r in ROWS:
        assert r["part"] in parts, r
        assert r["construction"], r
        if not r["ticker"]:
            assert not any(r[k] for k in ("figure", "session", "bound", "verified", "move_date", "timing",
                                          "since", "verdict")), r  # fmt: skip
        else:
            assert r["verified"] in ("yes", "no") and r["figure"] and r["move_date"], r
            if r["verified"] == "yes":
                assert r["verdict"], r


def test_every_sentence_piece_is_in_its_article():
    for r in ROWS:
        path = CORPUS / r["part"] / r["article"]
        assert path.is_file(), r
        assert r["sentence"] in _norm(path.read_text(encoding="utf-8")), r


def test_every_article_has_rows_and_every_row_an_article():
    labelled = {(r["part"], r["article"]) for r in ROWS}
    files = {(p.parent.name, p.name) for p in CORPUS.glob("*/*.txt")}
    assert labelled == files
    assert {r["issue"] for r in ROWS} == {"14", "22"}
