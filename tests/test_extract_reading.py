"""What the extractor reads (issue 22, Reading; issue 25, the draft's header): one rule per own sentence."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

from eventstudy.articles import draft_study, extract

D = dt.date
REF = D(2025, 9, 11)  # a Thursday


def _write(tmp_path: Path, text: str, name: str = "a.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _claims(tmp_path: Path, text: str, **kw) -> list[tuple]:
    found = extract([_write(tmp_path, text)], **kw)
    return [(c.ticker, c.reported_percent, c.session) for c in found.claims]


# --- issue 25: nothing from a file name or a text escapes its TOML string or comment -------------


def test_file_name_cannot_inject_a_claim(tmp_path):
    name = 'a\n[[claims]]\nticker = "ORCL"\nreported_percent = 50.0\n.txt'
    path = _write(tmp_path, "Le 21 janvier 2025, Trump a annoncé Stargate. Mercredi, Nvidia a grimpé de 4 %.", name)
    doc = tomllib.loads(draft_study([path]))
    assert [c["ticker"] for c in doc["claims"]] == ["NVDA"]
    assert [c["reported_percent"] for c in doc["claims"]] == [4.0]
    assert doc["extract"]["articles"][0]["source"] == name


@pytest.mark.parametrize("bad", ["a\rb", "a\x1fb", "a\x7fb", "a\u2028b", "a\x0cb"])
def test_control_characters_in_a_name_keep_the_draft_parsing(tmp_path, bad):
    path = _write(tmp_path, "Le 21 janvier 2025, Trump a annoncé Stargate. Mercredi, Nvidia a grimpé de 4 %.", "x.txt")
    target = tmp_path / f"{bad}.txt"
    try:
        path.rename(target)
    except (OSError, ValueError):
        pytest.skip("the file system refuses that name")
    doc = tomllib.loads(draft_study([target]))
    assert len(doc["claims"]) == 1


def test_text_with_control_characters_keeps_the_draft_parsing(tmp_path):
    text = "Le 21 janvier 2025, Trump a annoncé Stargate.\x0b Mercredi, Nvidia a grimpé de 4 %.\x1b Fin."
    doc = tomllib.loads(draft_study([_write(tmp_path, text)]))
    assert doc["claims"][0]["ticker"] == "NVDA"


# --- ticker notations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "ticker"),
    [
        ("On September 10, 2025, Oracle (ORCL | +35.95%) was the day's big winner; the stock jumped 36%.", "ORCL"),
        ("On September 10, 2025, the stock (JP:9984) jumped 10.4% in Tokyo.", "9984.T"),
        ("On September 10, 2025, the shares (NYSE: ORCL) jumped 36%.", "ORCL"),
        ("On September 10, 2025, Nvidia (NASDAQ:NVDA) shares rose 3.8%.", "NVDA"),
        ("On September 10, 2025, Arm Holdings (ARM.US) climbed 4.1%.", "ARM"),
        ("On September 10, 2025, $NVDA gained 3.8% as chip stocks rallied.", "NVDA"),
        ("On September 10, 2025, the chip designer $(ARM)$ climbed 4.1%.", "ARM"),
    ],
)
def test_ticker_notations_name_the_company(tmp_path, sentence, ticker):
    found = extract([_write(tmp_path, sentence)])
    assert ticker in {c.ticker for c in found.claims}
    assert not {c.ticker for c in found.claims} & {"^IXIC", "^GSPC"}  # "NASDAQ:" is a market, not the index
    assert not found.unknown_companies  # "NYSE", "OTC", "JP" are not company names


def test_otc_adr_names_the_primary_listing_with_a_note(tmp_path):
    text = "On September 10, 2025, SoftBank Group Corp. (OTC:SFTBY) (OTC:SFTBF) shares rose 10.4%."
    (c,) = extract([_write(tmp_path, text)]).claims
    assert c.ticker == "9984.T"
    text = "On September 10, 2025, shares of the Japanese investor (OTC:SFTBY) rose 10.4%."
    (c,) = extract([_write(tmp_path, text)]).claims
    assert c.ticker == "9984.T" and "SFTBY" in c.note and "9984.T" in c.note


def test_a_lowercase_word_before_parentheses_is_no_notation(tmp_path):
    text = "On September 10, 2025, spending on information technology (IT) rose 4%. Oracle shares fell 2%."
    assert [c.ticker for c in extract([_write(tmp_path, text)]).claims] == ["ORCL"]
