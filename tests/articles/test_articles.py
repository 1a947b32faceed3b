"""Drafting a study from articles: the seed articles, one rule per short sentence, the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tomllib
from pathlib import Path

import pytest
from conftest import REPO, require_shared

from eventstudy.articles import CSV_COLUMNS, claims_csv, draft_study, extract, parse_alias
from eventstudy.articles.text import read_article, sentences
from eventstudy.cli import main
from eventstudy.spec import load_study

SEEDS = REPO.parent / "shared" / "seeds"
PRICES = REPO.parent / "shared" / "data" / "prices"
D = dt.date


# --- helpers ---------------------------------------------------------------------------------


def _write(tmp_path: Path, text: str, name: str = "a.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _found(tmp_path: Path, text: str, **kw):
    return extract([_write(tmp_path, text)], **kw)


def _claims(tmp_path: Path, text: str, **kw) -> list[tuple[str, float, D | None]]:
    return [(c.ticker, c.reported_percent, c.session) for c in _found(tmp_path, text, **kw).claims]


def _seed_paths() -> list[Path]:
    require_shared(SEEDS)
    return sorted(SEEDS.glob("*.txt"))


@pytest.fixture(scope="module")
def seed_draft() -> dict:
    return tomllib.loads(draft_study(_seed_paths(), year=2025))


# --- the seed articles -----------------------------------------------------------------------


def test_seed_claims_precision_and_recall(seed_draft):
    truth_doc = tomllib.loads((REPO / "seeds" / "stargate.toml").read_text())
    truth = {(c["ticker"], c["reported_percent"], c.get("session")) for c in truth_doc["claims"]}
    drafted = [(c["ticker"], c["reported_percent"], c.get("session")) for c in seed_draft["claims"]]
    hits = [c for c in drafted if c in truth]
    precision, recall = len(hits) / len(drafted), len(set(hits)) / len(truth)
    print(f"seed claims: precision {precision:.2f} ({len(hits)}/{len(drafted)}), recall {recall:.2f}")
    assert recall == 1
    assert precision == 1


def test_seed_claims_details(seed_draft):
    claims = {c["id"]: c for c in seed_draft["claims"]}
    assert claims["orcl-7"]["approximate"] is True and claims["nvda-2.3"]["approximate"] is False
    thursday = claims["9984.t-6"]
    assert thursday["session"] == D(2025, 1, 23) and thursday["timing"] == "midday"
    wednesday = claims["9984.t-10"]
    assert wednesday["session"] == D(2025, 1, 22) and wednesday["approximate"] is True
    assert "timing" not in wednesday  # "mercredi" names no moment: close
    assert {c["event"] for c in claims.values()} == {"2025-01-21"}  # "après l'annonce", "présenté la veille"


def test_seed_figures_that_are_not_stock_moves(seed_draft):
    drafted = {abs(c["reported_percent"]) for c in seed_draft["claims"]}
    others = {abs(f["value_percent"]): f["kind"] for f in seed_draft["other_figures"]}
    for value in (40.0, 99.0, 10.47, 104.82, 11.95, 44.63, 30.17):
        assert value not in drafted
        assert value in others, value
    assert others[40.0] == "stake" and others[99.0] == "metric" and others[10.47] == "sector"
    assert others[11.95] == "crypto"
    assert {"VIRTUAL", "PIPPIN", "AI16Z"} <= set(seed_draft["extract"]["unknown_companies"])


def test_seed_provenance_quotes_are_verbatim(seed_draft):
    for rec in seed_draft["claims"] + seed_draft["other_figures"]:
        raw = (SEEDS / rec["source"]).read_text(encoding="utf-8")
        assert raw[rec["offset"] :].startswith(rec["quote"])
    orcl = next(c for c in seed_draft["claims"] if c["ticker"] == "ORCL")
    assert "grimpé d’environ 7 %" in orcl["quote"]


def test_seed_events_and_references(seed_draft):
    events = {e["id"]: e for e in seed_draft["events"]}
    assert {"2025-01-21", "2025-01-22"} <= set(events)
    assert "001_583f144498a7a794.txt" in events["2025-01-21"]["sources"]
    assert "004_4f7adb95c1daf6a0.txt" in events["2025-01-22"]["sources"]
    arts = {a["source"]: a for a in seed_draft["extract"]["articles"]}
    assert arts["003_dbfdd12f59583a3a.txt"]["date_header"] == "2025-07"
    assert arts["002_54957cd9e9dd94d2.txt"]["reference_date"] == D(2025, 1, 21)
    assert "announcement date" in arts["002_54957cd9e9dd94d2.txt"]["reference_from"]


def test_seed_draft_loads_and_runs(tmp_path, monkeypatch):
    prices = require_shared(PRICES)
    draft = tmp_path / "draft.toml"
    draft.write_text(draft_study(_seed_paths(), year=2025))
    spec = load_study(draft)
    assert {s.ticker for s in spec.securities} == {"ORCL", "NVDA", "ARM", "9984.T"}
    assert spec.security("9984.T").exchange == "XTKS" and spec.security("9984.T").benchmark == "^N225"
    assert all(e.date_only for e in spec.events)
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(draft), "--prices", str(prices), "--quiet"]) == 0
    report = (tmp_path / "reports" / "draft" / "report.md").read_text()
    assert "le cours d’Oracle a grimpé d’environ 7 %" in report and "002_54957cd9e9dd94d2.txt" in report


# --- one rule at a time ----------------------------------------------------------------------

REF = D(2025, 1, 21)  # a Tuesday
FRIDAY = D(2025, 1, 24)  # past-tense weekdays look back from a given date: "mercredi" is the 22nd


def test_list_shares_verb_and_context(tmp_path):
    text = "Après l'annonce, le cours d'Oracle a grimpé d'environ 7 %, Nvidia de 2,3 %, et celui d'Arm de 4,1 %."
    found = _found(tmp_path, text, reference_date=REF)
    assert [(c.ticker, c.reported_percent, c.approximate) for c in found.claims] == [
        ("ORCL", 7.0, True),
        ("NVDA", 2.3, False),
        ("ARM", 4.1, False),
    ]
    assert {c.verb for c in found.claims} == {"grimpé"}
    assert {c.quote for c in found.claims} == {text}


@pytest.mark.parametrize("space", ["\u202f", "\u00a0", " ", ""])
def test_decimal_comma_and_no_break_spaces(tmp_path, space):
    text = f"Le titre Nvidia a gagné 2,3{space}% et Oracle 1,5{space}%."
    assert _claims(tmp_path, text, reference_date=REF) == [("NVDA", 2.3, None), ("ORCL", 1.5, None)]


def test_negative_moves_french_and_english(tmp_path):
    assert _claims(tmp_path, "Le titre Oracle a chuté de 3 % mercredi.", reference_date=FRIDAY) == [
        ("ORCL", -3.0, D(2025, 1, 22))
    ]
    assert _claims(tmp_path, "Oracle shares fell 3% on Wednesday.", reference_date=FRIDAY) == [
        ("ORCL", -3.0, D(2025, 1, 22))
    ]
    assert _claims(tmp_path, "Arm a reculé de 1,2 %, Nvidia de 0,5 %.", reference_date=REF) == [
        ("ARM", -1.2, None),
        ("NVDA", -0.5, None),
    ]
    assert _claims(tmp_path, "Nvidia (-2,5 %) et Oracle (+1 %) ont terminé la séance.", reference_date=REF) == [
        ("NVDA", -2.5, None),
        ("ORCL", 1.0, None),
    ]


@pytest.mark.parametrize(
    ("text", "approximate"),
    [
        ("Oracle a grimpé d'environ 7 %.", True),
        ("SoftBank a gagné quelque 10% mercredi.", True),
        ("Oracle a bondi de près de 7 %.", True),
        ("Oracle shares rose about 7%.", True),
        ("Oracle shares rose 7%.", False),
    ],
)
def test_approximations(tmp_path, text, approximate):
    (claim,) = _found(tmp_path, text, reference_date=REF).claims
    assert claim.approximate is approximate


def test_english_dates_and_moves(tmp_path):
    text = (
        "On January 21, 2025, President Trump announced Stargate at the White House. "
        "On Wednesday, Oracle shares jumped about 7%, while Nvidia rose 2.3%."
    )
    found = _found(tmp_path, text)
    assert [e.id for e in found.events] == ["2025-01-21"]
    assert [(c.ticker, c.reported_percent, c.session, c.approximate) for c in found.claims] == [
        ("ORCL", 7.0, D(2025, 1, 22), True),
        ("NVDA", 2.3, D(2025, 1, 22), False),
    ]
    assert all(c.event == "2025-01-21" for c in found.claims)
    (wed,) = [d for d in found.dates if d.kind == "weekday"]
    assert wed.reference == D(2025, 1, 21) and "announcement date" in wed.reference_from


def test_relative_days_and_la_veille(tmp_path):
    text = "Le titre SoftBank a gagné 8 % jeudi midi, après avoir reculé de 2 % la veille."
    found = _found(tmp_path, text, reference_date=FRIDAY)
    assert [(c.reported_percent, c.session, c.timing) for c in found.claims] == [
        (8.0, D(2025, 1, 23), "midday"),
        (-2.0, D(2025, 1, 22), "close_only"),
    ]
    veille = next(c for c in found.claims if c.day_words == "la veille")
    assert veille.day_reference == D(2025, 1, 23)  # counted from "jeudi"


def test_weekdays_look_back_from_a_dated_header(tmp_path):
    # the header is the article's own date (Thursday 23): "mercredi" and "hier" are the day before
    text = " date 2025-01-23 Oracle a annoncé un accord le 21 janvier. Mercredi, Oracle a chuté de 3 %."
    assert _claims(tmp_path, text) == [("ORCL", -3.0, D(2025, 1, 22))]
    text = " date 2025-01-23 Oracle a annoncé un accord le 21 janvier. Hier, le titre Oracle a perdu 3 %."
    assert _claims(tmp_path, text) == [("ORCL", -3.0, D(2025, 1, 22))]


def test_year_from_header_option_or_missing(tmp_path):
    text = " date 2025-01 Le 21 janvier, Oracle a annoncé un accord. Le lendemain, son action a chuté de 3 %."
    found = _found(tmp_path, text, year=1999)
    day = next(d for d in found.dates if d.kind == "absolute")
    assert day.date == D(2025, 1, 21) and day.year_from == "header"
    assert [(c.reported_percent, c.session) for c in found.claims] == [(-3.0, D(2025, 1, 22))]
    assert [e.id for e in found.events] == ["2025-01-21"]

    plain = "Le 21 janvier, Oracle a annoncé un accord. Le titre Oracle a grimpé de 7 %."
    found = _found(tmp_path, plain, year=2025)
    assert next(d for d in found.dates if d.kind == "absolute").year_from == "--year"
    with pytest.warns(UserWarning, match="without a year"):
        found = _found(tmp_path, plain)
    assert next(d for d in found.dates if d.kind == "absolute").date is None
    assert not found.events and len(found.claims) == 1


def test_only_the_claims_days_are_dated(tmp_path):
    found = _found(tmp_path, " date 2025-01-28 Nvidia shares plunged 17% on Monday.")
    assert [(c.reported_percent, c.session) for c in found.claims] == [(-17.0, D(2025, 1, 27))]
    (event,) = found.events
    assert event.id == "2025-01-27" and "No other date found" in event.note


def test_no_day_in_the_text_drafts_the_event_on_the_articles_date_line(tmp_path):
    # a dated story whose only claim names no day: the event is the date line's, said in its note
    for line in ("TOKYO, Feb 8, 2024", "Feb. 8, 2024", "February 8, 2024 at 1:10 AM GMT+1", "8 février 2024"):
        body = "SoftBank Group shares rallied almost 10% after Arm's forecast."
        found = _found(tmp_path, f"SoftBank rallies\n{line}\n\n{body}")
        assert [(c.ticker, c.reported_percent, c.session) for c in found.claims] == [("9984.T", 10.0, None)], line
        (event,) = found.events
        assert event.id == "2024-02-08" and "date line" in event.note, line
    # no date line and no day word: still no event (check asks for --reference-date)
    assert not _found(tmp_path, "SoftBank Group shares rallied almost 10% after Arm's forecast.").events


def test_stated_time_with_zone_makes_a_timed_event(tmp_path):
    text = "Le 21 janvier 2025 à 16 h (heure de New York), Trump a annoncé Stargate. Oracle a grimpé de 7 %."
    (event,) = _found(tmp_path, text).events
    assert event.timestamp == dt.datetime(2025, 1, 21, 21, 0, tzinfo=dt.UTC)
    text = "Le 21 janvier 2025 à 16 h, Trump a annoncé Stargate. Oracle a grimpé de 7 %."
    (event,) = _found(tmp_path, text).events
    assert event.timestamp == D(2025, 1, 21) and "without a time zone" in event.note


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("SoftBank et OpenAI contrôleraient chacune 40% du capital.", "stake"),
        ("SoftBank will own a 40% stake in Stargate.", "stake"),
        ("La valorisation d'OpenAI a bondi de 50 %.", "valuation"),
        ("Oracle a gagné 12 % de part de marché.", "market share"),
        ("Le chiffre d'affaires de Nvidia a augmenté de 94 %.", "metric"),
        ("Nvidia's revenue rose 94% in the quarter.", "metric"),
        ("Ses revenus globaux avaient chuté de 99 % en janvier.", "metric"),
        ("Le secteur des semi-conducteurs a gagné 10,47 %.", "sector"),
        ("Nvidia a gagné 150 % depuis son introduction en Bourse.", "period move"),  # no reference the reader dates
        ("Les jetons d'IA ont gagné du terrain. Par ailleurs, VIRTUAL a augmenté de 11,95 %.", "crypto"),
        ("Acme Corp a bondi de 12 % mercredi.", "unknown company"),
        ("Oracle représente 40 % de l'indice.", "sector"),
        ("Environ 30 % des analystes restent prudents.", "not a move"),
    ],
)
def test_figures_that_are_not_stock_claims(tmp_path, text, kind):
    found = _found(tmp_path, text, reference_date=REF)
    assert not found.claims
    assert [f.kind for f in found.other_figures] == [kind]


def test_unknown_company_is_listed_and_alias_adds_it(tmp_path):
    text = "Le 21 janvier 2025, Acme Corp a annoncé un rachat. Acme Corp a bondi de 12 % mercredi."
    found = _found(tmp_path, text)
    assert found.unknown_companies == ("Acme Corp",) and not found.claims
    name, listing = parse_alias("Acme Corp=ACME:XNYS:^GSPC")
    found = _found(tmp_path, text, aliases={name: listing.ticker}, listings={listing.ticker: listing})
    assert [(c.ticker, c.reported_percent, c.session) for c in found.claims] == [("ACME", 12.0, D(2025, 1, 22))]


def test_alias_names_need_a_capital(tmp_path):
    assert not _found(tmp_path, "Il s'est cassé le bras, arm de 3 %.", reference_date=REF).claims
    assert _claims(tmp_path, "L'action NVIDIA a gagné 3 %.", reference_date=REF) == [("NVDA", 3.0, None)]
    assert _claims(tmp_path, "Softbank a gagné 3 %.", reference_date=REF) == [("9984.T", 3.0, None)]


def test_timing_words(tmp_path):
    (c,) = _found(tmp_path, "Oracle a bondi de 9 % à l'ouverture mercredi.", reference_date=FRIDAY).claims
    assert c.timing == "open" and c.session == D(2025, 1, 22)


def test_sentences_keep_offsets_and_quotes():
    text = "« C'est le début. » Oracle a grimpé de 7 %. Le 2.3% tient.\nNouvelle ligne, pays.Cependant rien."
    spans = sentences(text)
    got = [text[a:b] for a, b in spans]
    assert got == ["« C'est le début. »", "Oracle a grimpé de 7 %.", "Le 2.3% tient.", "Nouvelle ligne, pays.",
                   "Cependant rien."]  # fmt: skip


def test_draft_toml_and_csv(tmp_path):
    path = _write(tmp_path, "Le 21 janvier 2025, Trump a annoncé Stargate. Mercredi, Oracle a grimpé d'environ 7 %.")
    found = extract([path])
    doc = tomllib.loads(draft_study([path], study_id="t", title='Un "titre"'))
    assert doc["study"] == {"id": "t", "title": 'Un "titre"'}
    assert doc["claims"][0]["offset"] == found.claims[0].offset
    rows = list(csv.reader(io.StringIO(claims_csv(found))))
    assert rows[0] == CSV_COLUMNS
    assert CSV_COLUMNS == ["ticker", "reported", "day_ref", "timing", "since", "source", "offset", "quote"]
    assert rows[1][:7] == ["ORCL", "0.07", "2025-01-22", "close", "", "a.txt", str(found.claims[0].offset)]
    assert read_article(path).raw[int(rows[1][6]) :].startswith(rows[1][7])


# --- the command line ------------------------------------------------------------------------


def test_cli_extract_writes_files(tmp_path, capsys):
    out, csv_out = tmp_path / "draft.toml", tmp_path / "claims.csv"
    args = ["extract", *map(str, _seed_paths()), "--year", "2025", "--out", str(out), "--claims-csv", str(csv_out)]
    assert main(args) == 0
    assert load_study(out).claims
    assert out.read_text().startswith("# DRAFT")
    with csv_out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == CSV_COLUMNS and len(rows) == 5
    assert {(r["ticker"], r["reported"], r["day_ref"]) for r in rows} >= {
        ("9984.T", "0.06", "2025-01-23"),
        ("NVDA", "0.023", ""),
    }
    assert "drafted" in capsys.readouterr().err


def test_cli_extract_to_stdout(tmp_path, capsys):
    path = _write(tmp_path, "Le 21 janvier 2025, Trump a annoncé Stargate. Oracle a grimpé de 7 %.")
    assert main(["extract", str(path), "--quiet", "--alias", "Acme=ACME"]) == 0
    assert tomllib.loads(capsys.readouterr().out)["claims"][0]["ticker"] == "ORCL"


def test_cli_extract_bad_inputs(tmp_path, capsys):
    missing = tmp_path / "missing.txt"
    assert main(["extract", str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Oracle a gagné 3 %".encode("latin-1"))
    assert main(["extract", str(latin)]) == 2
    err = capsys.readouterr().err
    assert str(latin) in err and "UTF-8" in err
    empty = _write(tmp_path, "Rien à signaler le 21 janvier 2025.", "empty.txt")
    assert main(["extract", str(empty)]) == 2
    err = capsys.readouterr().err
    assert str(empty) in err and "no stock-price claim" in err
    undated = _write(tmp_path, "Oracle a grimpé de 7 %.", "undated.txt")
    assert main(["extract", str(undated)]) == 2
    assert "--reference-date" in capsys.readouterr().err
    assert main(["extract", str(undated), "--reference-date", "2025-01-21", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["extract", str(undated), "--alias", "Tesla"]) == 2
    assert "NAME=TICKER" in capsys.readouterr().err
    assert main(["extract", str(undated), "--reference-date", "21/01/2025"]) == 2


# --- issue 14: syntax, datelines, companies, the parser, bad input ------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Oracle, partenaire de la coentreprise aux côtés de SoftBank et d'OpenAI, a gagné près de 7 %.", "ORCL"),
        ("Arm, la société britannique détenue par SoftBank, s'est envolée de 24,2 %.", "ARM"),
        ("Oracle, a partner of SoftBank, dropped 4.5%.", "ORCL"),
        ("Broadcom, which supplies custom chips to several of Oracle's customers, rose nearly 10%.", "AVGO"),
        ("Microsoft, premier actionnaire d'OpenAI, a progressé de 10,1 %.", "MSFT"),
        ("SoftBank Group shares rebounded 11.5% in Tokyo on Thursday.", "9984.T"),
        ("La chute a emporté Broadcom, qui a cédé 17,4 %.", "AVGO"),
        ("After Nvidia's results, AMD fell 7.8%.", "AMD"),
        ("Analysts at Goldman Sachs said Nvidia rose 3%.", "NVDA"),
        ("Shares of Vertiv were sent 10.3% lower.", "VRT"),
        ("Le S&P 500 a gagné 0,4 %.", "^GSPC"),
        ("The Nikkei 225 index jumped 9.1%.", "^N225"),
        ("Apple a dépassé Nvidia, qui a perdu 3 %.", "NVDA"),
        ("SoftBank, which owns 90% of Arm, fell 5.2%.", "9984.T"),
        ("Oracle (ORCL.N) rose 3.6%.", "ORCL"),
        ("La hausse de 8,9 % de Nvidia a rassuré les investisseurs.", "NVDA"),
        ("Nvidia, whose chips power most AI models, bounced back 8.9%.", "NVDA"),
        ("Germany's DAX added 0.7%.", "^GDAXI"),
        ("Shares of Infineon fell 5%.", "IFX.DE"),
    ],
)
def test_subject_is_the_clause_subject(tmp_path, text, expected):
    (claim,) = _found(tmp_path, text, reference_date=REF).claims
    assert claim.ticker == expected


def test_the_stock_and_le_titre_refer_to_the_company(tmp_path):
    text = "Super Micro Computer was not spared: the stock tumbled more than 12%."
    (claim,) = _found(tmp_path, text, reference_date=REF).claims
    assert (claim.ticker, claim.reported_percent, claim.bound, claim.approximate) == ("SMCI", -12.0, "at_least", False)
    text = " date 2025-01-29 Lundi, l'action Nvidia a perdu 17 %. Mardi, le titre a repris 8,9 %."
    assert _claims(tmp_path, text) == [("NVDA", -17.0, D(2025, 1, 27)), ("NVDA", 8.9, D(2025, 1, 28))]
    text = " date 2025-04-10 SoftBank Group rose 11.5% on Thursday.\nIts shares fell 7.2% on Wednesday."
    assert _claims(tmp_path, text)[1] == ("9984.T", -7.2, D(2025, 4, 9))


def test_day_words_of_another_event_are_not_the_session(tmp_path):
    text = "Jan 28, 2025\n\nMeta Platforms climbed 2.2% ahead of its earnings on Wednesday."
    assert _claims(tmp_path, text) == [("META", 2.2, None)]


def test_conjoined_subjects_and_lists(tmp_path):
    assert _claims(tmp_path, "Nvidia and Arm rose 3.8% and 9.5%, respectively.", reference_date=REF) == [
        ("NVDA", 3.8, None),
        ("ARM", 9.5, None),
    ]
    text = "Le cours d'Oracle a grimpé de 12,2 %, AMD de 23,8 % et Broadcom de 18,7 %."
    assert [c[0] for c in _claims(tmp_path, text, reference_date=REF)] == ["ORCL", "AMD", "AVGO"]
    found = _found(tmp_path, "Chip stocks such as ASML and Acme Corp fell 7% and 5%.", reference_date=REF)
    assert [c.ticker for c in found.claims] == ["ASML.AS"]  # the unknown name keeps its figure: no claim
    assert found.unknown_companies == ("Acme Corp",)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Analysts expect Oracle shares to rise 20% after the results.", "forecast"),
        ("Les analystes estiment que l'action Oracle pourrait encore progresser de 15 %.", "forecast"),
        ("SoftBank Group owns about 90% of chip designer Arm.", "stake"),
        ("Super Micro has a 17% share of the AI server market.", "market share"),
        ("Oracle a annoncé une hausse de 10 % de son dividende.", "metric"),
        ("OpenAI, backed by Microsoft, is valued at $157 billion, up 80% from a year ago.", "valuation"),
        ("Oracle co-founder Larry Ellison's fortune fell 12%.", "metric"),
    ],
)
def test_more_figures_that_are_not_claims(tmp_path, text, kind):
    found = _found(tmp_path, text, reference_date=REF)
    assert not found.claims
    assert kind in [f.kind for f in found.other_figures]


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        ("Oracle shares have lost more than 40% since their September peak.",
         ("ORCL", -40.0, REF, "high:2024-09", "at_least")),
        ("Depuis le début de l'année, l'action Oracle a gagné 12 %.", ("ORCL", 12.0, REF, "2024-12-31", "")),
        ("Tesla fell. Its shares have lost 20% since December.", ("TSLA", -20.0, REF, "2024-11-30", "")),
    ],
)  # fmt: skip
def test_period_moves_are_claims_from_their_reference(tmp_path, text, claim):
    found = _found(tmp_path, text, reference_date=REF)
    assert [(c.ticker, c.reported_percent, c.session, c.since, c.bound) for c in found.claims] == [claim]


def test_headline_figures_are_not_claims(tmp_path):
    text = "Oracle soars 36% on AI cloud bookings\nSept 10, 2025\n\nOracle shares soared 36% on Wednesday."
    found = _found(tmp_path, text)
    assert [(c.ticker, c.session) for c in found.claims] == [("ORCL", D(2025, 9, 10))]
    assert [f.kind for f in found.other_figures] == ["headline"]


@pytest.mark.parametrize(
    ("top", "date"),
    [
        ("NEW YORK, Jan 27 (Reuters) - ", D(2025, 1, 27)),
        ("TOKYO, April 10, 2025 - ", D(2025, 4, 10)),
        ("AUSTIN, Texas, Dec 11, 2025 - ", D(2025, 12, 11)),
        ("Sept 10, 2025\n\n", D(2025, 9, 10)),
        ("Les Echos, mercredi 22 janvier 2025\n\n", D(2025, 1, 22)),
        ("WASHINGTON, Jan. 28, 2025 /PRNewswire/ -- ", D(2025, 1, 28)),
        ("Published 2025-01-28 14:05\n\n", D(2025, 1, 28)),
    ],
)
def test_datelines_are_the_articles_date(tmp_path, top, date):
    found = _found(tmp_path, top + "Oracle shares fell 3% on Monday.", year=2025)
    assert found.articles[0].reference == date and found.articles[0].reference_from == "header"
    monday = date - dt.timedelta(days=date.weekday())
    assert found.claims[0].session == monday  # a past-tense weekday looks back


def test_weekdays_look_back_in_the_past_and_forward_in_the_future(tmp_path):
    text = "Les Echos, jeudi 10 avril 2025\n\nMercredi, Nvidia a gagné 18,7 %."
    assert _claims(tmp_path, text) == [("NVDA", 18.7, D(2025, 4, 9))]
    text = "Jan 28, 2025\n\nNvidia rebounded 8.9% on Tuesday after Monday's rout, in which the stock lost 17%."
    assert _claims(tmp_path, text) == [("NVDA", 8.9, D(2025, 1, 28)), ("NVDA", -17.0, D(2025, 1, 27))]
    text = "Les Echos, jeudi 10 avril 2025\n\nOracle publiera ses résultats mardi. Mercredi, Oracle a gagné 12,2 %."
    found = _found(tmp_path, text)
    tuesday = next(d for d in found.dates if "mardi" in d.words.lower())
    assert tuesday.date == D(2025, 4, 15)  # future tense: the next Tuesday
    text = "Sept 10, 2025\n\nOracle will report results on Monday. Oracle rose 36% on Wednesday."
    monday = next(d for d in _found(tmp_path, text).dates if "Monday" in d.words)
    assert monday.date == D(2025, 9, 15)
    # the tense of the weekday's own clause counts, and a forecast before the move's own verb does not
    text = "Jan 30, 2025\n\nMicrosoft will report on Wednesday; its shares fell 2.1% on Monday."
    assert _claims(tmp_path, text) == [("MSFT", -2.1, D(2025, 1, 27))]
    text = "Jan 30, 2025\n\nMicrosoft shares are expected to fall on Friday after they dropped 6.2% on Thursday."
    assert _claims(tmp_path, text) == [("MSFT", -6.2, D(2025, 1, 30))]


def test_company_table_covers_the_indices():
    from eventstudy.articles.companies import LISTINGS, CompanyTable

    rows = [line for line in (REPO / "eventstudy/articles/data/companies.csv").read_text().splitlines()[2:] if line]
    assert len(rows) >= 900
    indices = " ".join(rows)
    for name in ("S&P 500", "Nasdaq-100", "Nikkei 225", "CAC 40", "DAX", "FTSE 100", "Euro Stoxx 50"):
        assert indices.count(name) >= 40, name
    table = CompanyTable()
    assert LISTINGS["ARM"].exchange == "XNAS" and LISTINGS["9984.T"].benchmark == "^N225"
    assert LISTINGS["MC.PA"].exchange == "XPAR" and LISTINGS["SAP.DE"].benchmark == "^GDAXI"
    assert [m.ticker for m in table.known("SoftBank Corp et SoftBank Group et SoftBank")] == [
        "9434.T",
        "9984.T",
    ] * 1 + ["9984.T"]
    assert "ambiguous" in table.note("SoftBank") and not table.note("SoftBank Group")


def test_ambiguous_name_is_flagged_and_unknown_names_listed(tmp_path):
    found = _found(tmp_path, "SoftBank a gagné 3 %. Rivian a bondi de 12 %.", reference_date=REF)
    (claim,) = found.claims
    assert claim.ticker == "9984.T" and "ambiguous" in claim.note
    assert found.unknown_companies == ("Rivian",)
    doc = tomllib.loads(draft_study([tmp_path / "a.txt"], reference_date=REF))
    assert "# review: ambiguous" in (tmp_path / "a.txt").read_text() or doc["claims"][0]["ticker"] == "9984.T"


def test_draft_has_bound_and_benchmark_securities(tmp_path):
    text = "Le 21 janvier 2025, Trump a annoncé Stargate. Mercredi, Oracle a gagné plus de 6 % et le S&P 500 0,6 %."
    path = _write(tmp_path, text)
    toml_text = draft_study([path])
    doc = tomllib.loads(toml_text)
    orcl = next(c for c in doc["claims"] if c["ticker"] == "ORCL")
    assert orcl["bound"] == "at_least" and orcl["approximate"] is False  # a bound, not "about"
    spx = next(s for s in doc["securities"] if s["ticker"] == "^GSPC")
    assert spx["benchmark"] == "^GSPC" and "benchmark claim" in toml_text
    assert load_study(_write(tmp_path, toml_text, "draft.toml")).claims


@pytest.fixture(scope="session")
def french_parser():
    from eventstudy.articles.parser import installed, load

    assert installed(), 'the test extra installs the parser: pip install -e ".[test]"'
    return load()


def test_parser_finds_an_inverted_subject(tmp_path, french_parser):
    text = "Comme Nvidia la semaine dernière AMD a reculé de 3 %."
    (claim,) = _found(tmp_path, text, reference_date=REF).claims
    assert (claim.ticker, claim.reported_percent) == ("AMD", -3.0) and "parser" in claim.note
    # without a parser (English), the rules' pick is kept with a note for the reviewer
    (claim,) = _found(tmp_path, "Like Nvidia last week AMD fell 3%.", reference_date=REF).claims
    assert claim.ticker == "NVDA" and "preposition" in claim.note


def _no_parser_load():
    raise AssertionError("the French parser was loaded, but the rules found every subject")


def test_check_never_loads_the_parser_when_the_rules_find_every_subject(tmp_path, monkeypatch):
    """Loading spaCy takes seconds: a French article whose subjects the rules find does without it."""
    from eventstudy.articles import parser

    monkeypatch.setattr(parser, "load", _no_parser_load)
    article = REPO / "tests" / "corpus" / "dev" / "fr_tarifs_jeudi.txt"
    assert parser.is_french(article.read_text(encoding="utf-8"))
    assert extract([article]).claims
    prices = require_shared(PRICES)
    out = tmp_path / "report"
    assert main(["check", str(article), "--prices", str(prices), "--out", str(out), "--format", "json",
                 "--figures", "none", "--quiet"]) == 0  # fmt: skip
    assert (out / "claims.csv").is_file()


def test_the_parser_is_loaded_once_when_a_subject_needs_it(tmp_path, monkeypatch, french_parser):
    from eventstudy.articles import parser

    calls = []
    monkeypatch.setattr(parser, "load", lambda: calls.append(1) or french_parser)
    text = "Le 21 janvier 2025, Oracle a gagné 7 %. Comme Nvidia la semaine dernière AMD a reculé de 3 %."
    claims = _found(tmp_path, text).claims
    assert [(c.ticker, c.reported_percent) for c in claims] == [("ORCL", 7.0), ("AMD", -3.0)]
    assert "parser" in claims[1].note and len(calls) == 1


def test_without_the_parser_attribution_is_degraded(tmp_path, monkeypatch, capsys):
    import sys

    monkeypatch.setattr(sys.modules["eventstudy.articles.extract"], "parser_installed", lambda: False)
    path = _write(tmp_path, "Le 21 janvier 2025, Oracle a gagné 7 %.")
    assert main(["extract", str(path), "--out", str(tmp_path / "d.toml")]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len([line for line in err if "degraded" in line]) == 1
    with pytest.warns(UserWarning, match="degraded"):
        found = extract([path])
    assert found.claims  # the rules still decide
    english = _write(tmp_path, "On January 21, 2025, Oracle rose 7%.", "en.txt")
    with warnings_as_errors():
        extract([english])  # English uses rules only: nothing is degraded


@pytest.mark.parametrize("command", ["extract", "check"])
@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\x00\x01\x02binary\x00" * 10, "binary"),
        (b"", "empty"),
        (b"   \n\n ", "empty"),
        (("Oracle a gagn\xc3\xa9 3 %. ".encode() * 400_000), "MB"),
        (b"<!DOCTYPE html><html><body><p>Oracle a gagne 3 %</p></body></html>", "HTML"),
    ],
)
def test_bad_articles_exit_2_with_one_line(tmp_path, capsys, command, content, words):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    assert main([command, str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and str(path) in err[0] and words in err[0]
    assert not (tmp_path / "out").exists()


def warnings_as_errors():
    import warnings

    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("error")

    class _Exit:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            ctx.__exit__(*exc)
            return False

    return _Exit()


def test_a_move_over_a_year_is_a_period_claim_from_that_day(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("Le 21 janvier 2025, Nvidia a gagné 150 % sur un an.", encoding="utf-8")
    (claim,) = extract([p]).claims
    assert (claim.ticker, claim.reported_percent, claim.since) == ("NVDA", 150.0, "2024-01-21")
