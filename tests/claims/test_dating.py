"""The date an undated article's figures fit: planted moves, and `check` on a real session.

The expected date is the one the moves were planted on (or the figures taken from, with the csv
module), never one the code under test found.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from eventstudy.claims.dating import DateFit, fitting_dates, suggestion
from eventstudy.cli import main

SESSIONS = pd.bdate_range("2024-01-02", "2024-12-31")
PLANTED = {("AAA", "2024-06-12"): 0.0321, ("BBB", "2024-06-12"): -0.0157, ("AAA", "2024-06-11"): 0.0085}


def market() -> dict[str, pd.Series]:
    rng = np.random.default_rng(7)
    # ordinary days never within a planted figure's tolerance: |move| below 0.5 % or above 6 %
    moves = {t: pd.Series(rng.uniform(-0.004, 0.004, len(SESSIONS)), index=SESSIONS) for t in ("AAA", "BBB")}
    for (ticker, day), move in PLANTED.items():
        moves[ticker][pd.Timestamp(day)] = move
    return moves


def claim(ticker: str, percent: float, figure: str, day_words: str = "", **kw) -> SimpleNamespace:
    base = dict(ticker=ticker, reported_percent=percent, approximate=False, quote=f"moved {figure}",
                bound="", since="", timing="close", session=None, day_words=day_words)  # fmt: skip
    return SimpleNamespace(**{**base, **kw})


def reader(claims: list[SimpleNamespace]):
    """read(date): the claims with their weekday words counted back from ``date`` (the latest such day)."""

    def read(date: dt.date) -> list[SimpleNamespace]:
        out = []
        for c in claims:
            session = None
            if date is not None and c.day_words:
                weekday = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"].index(c.day_words)
                session = date - dt.timedelta(days=(date.weekday() - weekday) % 7)
            out.append(SimpleNamespace(**{**vars(c), "session": session}))
        return out

    return read


def test_the_planted_date_fits_best_and_is_suggested():
    moves = market()
    claims = [claim("AAA", 3.21, "3.21%"), claim("BBB", -1.57, "1.57%"), claim("AAA", 0.85, "0.85%", "Tuesday")]
    fits = fitting_dates(claims, reader(claims), moves.get)
    assert fits[0] == DateFit(dt.date(2024, 6, 12), 3, 3)
    text = suggestion(fits)
    assert "--reference-date 2024-06-12" in text and "3 of 3" in text


def test_bounds_periods_and_quotes_are_not_used_to_date_an_article():
    moves = market()
    claims = [
        claim("AAA", 3.21, "3.21%"),
        claim("BBB", -1.57, "1.57%", bound="at_least"),
        claim("BBB", -1.57, "1.57%", since="2024-01-02"),
        claim("BBB", -1.57, "1.57%", timing="intraday"),
    ]
    fits = fitting_dates(claims, reader(claims), moves.get)
    assert fits[0].measured == 1 and fits[0].matched == 1
    assert suggestion(fits) == ""  # one figure is no evidence of a date


def test_a_tie_or_no_prices_gives_no_suggestion():
    moves = market()
    moves["AAA"][pd.Timestamp("2024-03-05")] = 0.0321  # the same move on another day
    moves["BBB"][pd.Timestamp("2024-03-05")] = -0.0157
    pair = [claim("AAA", 3.21, "3.21%"), claim("BBB", -1.57, "1.57%")]
    tied = fitting_dates(pair, reader(pair), moves.get)
    assert [f.matched for f in tied[:2]] == [2, 2] and suggestion(tied) == ""
    lone = [claim("ZZZ", 3.21, "3.21%")]
    assert fitting_dates(lone, reader(lone), moves.get) == []


def close_move(prices: Path, symbol: str, day: str) -> float:
    with (prices / f"{symbol.lstrip('^')}.csv").open(newline="") as fh:  # ^IXIC is IXIC.csv
        rows = list(csv.DictReader(fh))
    column = "Adj Close" if any(r["Adj Close"] for r in rows) else "Close"  # indexes: no Adj Close
    adj = {r["Date"]: float(r[column]) for r in rows}
    return adj[day] / adj[max(d for d in adj if d < day)] - 1


def test_check_on_an_undated_article_names_the_session_its_figures_fit(prices_dir, tmp_path, capsys):
    day = "2025-01-27"  # the figures below are that Monday's closes
    nvda, avgo, ixic = (100 * close_move(prices_dir, s, day) for s in ("NVDA", "AVGO", "^IXIC"))
    article = tmp_path / "undated.txt"
    article.write_text(
        "Chip stocks routed as a cheap Chinese model spooks investors\n\n"
        f"Nvidia shares lost {abs(nvda):.2f}% on Monday, wiping out a record amount of market value.\n\n"
        f"Broadcom sank {abs(avgo):.2f}% in the same session, and the Nasdaq Composite closed "
        f"{abs(ixic):.2f}% lower.\n",
        encoding="utf-8",
    )
    before = article.read_bytes()
    code = main(["check", str(article), "--prices", str(prices_dir), "--out", str(tmp_path / "out"), "-q"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and err.startswith("error: ")
    assert f"--reference-date {day}" in err.split("; its figures fit", 1)[1]
    assert article.read_bytes() == before and not (tmp_path / "out").exists()
