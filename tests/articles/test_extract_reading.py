"""What the extractor reads (issue 22, Reading; issue 25, the draft's header): one rule per own sentence."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tomllib
from pathlib import Path

import pytest

from eventstudy.articles import claims_csv, draft_study, extract
from eventstudy.errors import EventStudyError

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


# --- period moves: claims with a since ---------------------------------------------------------


def _periods(tmp_path: Path, text: str, **kw) -> list[tuple]:
    found = extract([_write(tmp_path, text)], **kw)
    return [(c.ticker, c.reported_percent, c.session, c.since, c.bound) for c in found.claims]


@pytest.mark.parametrize(
    ("sentence", "claim"),
    [
        ("Oracle has lost 40% from its July peak.", ("ORCL", -40.0, D(2025, 10, 8), "high:2025-07", "")),
        ("Oracle shares were down about 40% from the record close they hit on Sept. 10.",
         ("ORCL", -40.0, D(2025, 10, 8), "2025-09-10", "")),
        ("Nvidia has posted a 93.90% gain since January.", ("NVDA", 93.9, D(2025, 10, 8), "2024-12-31", "")),
        ("Broadcom is up 17% year to date.", ("AVGO", 17.0, D(2025, 10, 8), "2024-12-31", "")),
        ("L'action Oracle est en hausse de 45 % depuis janvier.", ("ORCL", 45.0, D(2025, 10, 8), "2024-12-31", "")),
        ("The rally left Nvidia shares 1.7% higher for the year.", ("NVDA", 1.7, D(2025, 10, 8), "2024-12-31", "")),
        ("Arm has climbed 20% since Sept. 10.", ("ARM", 20.0, D(2025, 10, 8), "2025-09-10", "")),
        ("On Monday, Oracle shares were down 30% from their September high.",
         ("ORCL", -30.0, D(2025, 10, 6), "high:2025-09", "")),
        ("Le titre SoftBank a plus que doublé depuis le début de l'année.",
         ("9984.T", 100.0, D(2025, 10, 8), "2024-12-31", "at_least")),
    ],
)  # fmt: skip
def test_period_moves_are_claims_with_a_since(tmp_path, sentence, claim):
    assert _periods(tmp_path, f"date 2025-10-08\n{sentence}") == [claim]


def test_a_peak_month_after_the_session_is_last_year(tmp_path):
    got = _periods(tmp_path, "date 2025-03-05\nNvidia has lost 25% from its November peak.")
    assert got == [("NVDA", -25.0, D(2025, 3, 5), "high:2024-11", "")]


def test_a_period_with_no_reference_stays_an_other_figure(tmp_path):
    found = extract([_write(tmp_path, "date 2025-10-08\nOracle has gained 300% since its listing. Nvidia rose 2%.")])
    assert [(c.ticker, c.since) for c in found.claims] == [("NVDA", "")]
    assert [f.kind for f in found.other_figures] == ["period move"]


def test_revenue_that_doubled_is_no_claim(tmp_path):
    found = extract([_write(tmp_path, "date 2025-10-08\nOracle's revenue has doubled since January. Nvidia rose 2%.")])
    assert [c.ticker for c in found.claims] == ["NVDA"]


def test_since_and_timing_in_the_draft_and_csv(tmp_path):
    text = "date 2025-10-08\nBroadcom is up 17% year to date. Nvidia rose 2% in premarket trading on Wednesday."
    path = _write(tmp_path, text)
    doc = tomllib.loads(draft_study([path]))
    by = {c["ticker"]: c for c in doc["claims"]}
    assert by["AVGO"]["since"] == "2024-12-31" and "since" not in by["NVDA"]
    assert by["NVDA"]["timing"] == "premarket"
    rows = list(csv.DictReader(io.StringIO(claims_csv(extract([path])))))
    assert [(r["ticker"], r["timing"], r["since"]) for r in rows] == [
        ("AVGO", "close", "2024-12-31"),
        ("NVDA", "premarket", ""),
    ]


# --- time of day --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "timing"),
    [
        ("Nvidia shares rose 2.1% in premarket trading on Thursday.", "premarket"),
        ("Nvidia gagnait 2,1 % en préouverture jeudi.", "premarket"),
        ("Oracle stock jumped 8.4% in after-hours trading on Thursday.", "after_hours"),
        ("Oracle shares surged 8.4% after the bell on Thursday.", "after_hours"),
        ("Jeudi, après la clôture, l'action Oracle s'envolait de 8,4 %.", "after_hours"),
        ("Oracle shares climbed 3% at the open on Thursday.", "open"),
        ("Jeudi, Oracle a bondi de 3 % à l'ouverture.", "open"),
        ("On Thursday, Oracle shares were up 5.2% at the time of writing.", "intraday"),
        ("On Thursday, Oracle shares are trading down 5.2% right now.", "intraday"),
        ("Oracle shares gained 4% in early trading on Thursday.", "intraday"),
        ("Jeudi, Oracle progresse de 4 % en séance.", "intraday"),
        ("Jeudi, vers 14H20 GMT, le titre Oracle bondissait de 4,25 %.", "intraday"),
        ("Oracle shares closed 4% higher on Thursday.", "close_only"),
    ],
)
def test_time_of_day(tmp_path, sentence, timing):
    (c,) = extract([_write(tmp_path, f"date 2025-09-12\n{sentence}")]).claims
    assert (c.ticker, c.session, c.timing) == ("ORCL" if "Oracle" in sentence else "NVDA", D(2025, 9, 11), timing)


# --- dates as sites print them ------------------------------------------------------------------


def test_past_weekdays_look_back_from_a_given_reference_date(tmp_path):
    text = "Oracle forecast strong revenue on Thursday. Its shares rose 11% in Friday trading."
    got = _claims(tmp_path, text, reference_date=D(2024, 12, 13))  # a Friday
    assert got == [("ORCL", 11.0, D(2024, 12, 13))]
    found = extract([_write(tmp_path, text)], reference_date=D(2024, 12, 13))
    assert D(2024, 12, 12) in {d.date for d in found.dates if d.kind == "weekday"}
    assert D(2024, 12, 19) not in {d.date for d in found.dates}


def test_an_undated_article_gets_claims_from_a_reference_date(tmp_path):
    text = "Shares of Nvidia slid 4.2% on Wednesday after the chipmaker's results."
    doc = tomllib.loads(draft_study([_write(tmp_path, text)], reference_date=D(2025, 8, 29)))
    assert [(c["ticker"], c["reported_percent"], c["session"]) for c in doc["claims"]] == [
        ("NVDA", -4.2, D(2025, 8, 27))
    ]


@pytest.mark.parametrize(
    ("top", "bottom"),
    [
        ("Last update: Sep 11, 2025\n", ""),
        ("Published Sep 11, 2025 08:15\n", ""),
        ("Publié le 11 sept. 2025 à 08h15\n", ""),
        ("2025-09-11 Oracle results lift the cloud trade.\n", ""),
        ("Publié le 11/09/2025\n", ""),
        ("", "\nSep 11, 2025"),
        ("", "\n11/09/2025 08:15"),
    ],
)
def test_article_dates_as_sites_print_them(tmp_path, top, bottom):
    text = f"{top}Oracle shares soared 36% on Wednesday after its cloud backlog jumped.\nMore text follows.{bottom}"
    assert _claims(tmp_path, text) == [("ORCL", 36.0, D(2025, 9, 10))]


def test_day_first_numeric_dates(tmp_path):
    found = extract([_write(tmp_path, "Le 22/01/2025, Oracle a bondi de 7 %.")])
    assert [(c.ticker, c.session) for c in found.claims] == [("ORCL", D(2025, 1, 22))]
    found = extract([_write(tmp_path, "On 22/01/2025, Oracle shares jumped 7%.")])
    assert [(c.ticker, c.session) for c in found.claims] == [("ORCL", D(2025, 1, 22))]


def test_yesterday_in_the_lede_carries_to_the_sentences_after_it(tmp_path):
    text = "date 2025-01-23\nHier, Oracle a présenté ses résultats. Le titre a bondi de 7 %.\n\nNvidia a gagné 2 %."
    assert _claims(tmp_path, text) == [("ORCL", 7.0, D(2025, 1, 22)), ("NVDA", 2.0, D(2025, 1, 22))]


# --- the figure's owner -------------------------------------------------------------------------

MON = D(2025, 1, 27)


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        ("Nvidia fell sharply. The stock's slump on Monday led a 3.1% slide in the Nasdaq.", [("^IXIC", -3.1, MON)]),
        ("On Monday, the Nasdaq was unchanged, while the Dow slipped 0.5%.", [("^DJI", -0.5, MON)]),
        ("Oracle's Nasdaq-listed shares ended Monday nearly 36% higher.", [("ORCL", 36.0, MON)]),
        ("On Monday, Oracle gained 2%, while its rival Nvidia Corp. Shares slipped 1.1%.",
         [("ORCL", 2.0, MON), ("NVDA", -1.1, MON)]),
    ],
)  # fmt: skip
def test_the_figure_belongs_to_its_noun_phrase(tmp_path, text, claims):
    assert _claims(tmp_path, f"date 2025-01-28\n{text}") == claims


# --- forms that were missed ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        ("Oracle shares finished 23.7% higher on Monday.", [("ORCL", 23.7, MON)]),
        ("Oracle settled up 2% on Monday.", [("ORCL", 2.0, MON)]),
        ("SoftBank Group gave an update. The news sent the stock 11% higher in Tokyo on Monday.",
         [("9984.T", 11.0, MON)]),
        ("SoftBank Group shares rose 9.98% in Monday's Tokyo session.", [("9984.T", 9.98, MON)]),
        ("Oracle soars 36% on cloud deals\n\nOracle shares skyrocketed 35.95% on January 27, 2025.",
         [("ORCL", 35.95, MON)]),
        ("Super Micro stock plunges as auditor quits\n\nShares are trading down -33.27% right now.",
         [("SMCI", -33.27, D(2025, 1, 28))]),
        ("Oracle a déçu. Lundi, ses actions ont perdu 17 %.", [("ORCL", -17.0, MON)]),
        ("Lundi, le S&P 500 a fini dans le rouge avec 1,5 %.", [("^GSPC", -1.5, MON)]),
        ("On Monday, chip stocks fell, with Oracle, Super Micro and Broadcom each down at least 8.7%.",
         [("ORCL", -8.7, MON), ("SMCI", -8.7, MON), ("AVGO", -8.7, MON)]),
        ("Oracle missed forecasts. The shares suffered a drop of nearly 19% on Monday.", [("ORCL", -19.0, MON)]),
        ("The Nikkei 225 had a dreadful week. On Monday, the index ended with a loss of 12.4%.",
         [("^N225", -12.4, MON)]),
        ("Oracle beat forecasts. On Monday, with a gain of about 15%, the shares hit a record.",
         [("ORCL", 15.0, MON)]),
        ("Lundi, la flambée de 41 % du cours de l'action Oracle a surpris.", [("ORCL", 41.0, MON)]),
        ("The Nasdaq had its worst day in months. It fell 5.8% on Monday.", [("^IXIC", -5.8, MON)]),
        ("Oracle reported on Monday. Shares of the company were up nearly 8% on Monday.", [("ORCL", 8.0, MON)]),
        ("Oracle a déclaré 455 milliards de dollars de RPO, soit une hausse de 359 %. Lundi, le titre a gagné 3 %.",
         [("ORCL", 3.0, MON)]),
    ],
)  # fmt: skip
def test_forms_that_were_missed(tmp_path, text, claims):
    assert _claims(tmp_path, f"date 2025-01-28\n{text}") == claims


def test_each_bound_is_at_least_for_every_name(tmp_path):
    text = "date 2025-01-28\nOn Monday, Oracle, Super Micro and Broadcom were each down at least 8.7%."
    found = extract([_write(tmp_path, text)])
    assert [(c.ticker, c.bound) for c in found.claims] == [("ORCL", "at_least"), ("SMCI", "at_least"),
                                                           ("AVGO", "at_least")]  # fmt: skip


def test_a_year_so_far_is_never_a_one_day_fall(tmp_path):
    text = "date 2025-01-28\nOracle slipped on Monday, which left the shares 1.7% higher for the year."
    found = extract([_write(tmp_path, text)])
    assert [(c.ticker, c.reported_percent, c.since) for c in found.claims] == [("ORCL", 1.7, "2024-12-31")]


# --- descriptions instead of names --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        ("Oracle a présenté ses résultats. Lundi, le géant du logiciel a bondi de 36 %.", [("ORCL", 36.0, MON)]),
        ("Nvidia faced a new rival. On Monday, the chipmaker slid 17%.", [("NVDA", -17.0, MON)]),
        ("SoftBank Group et Oracle ont signé. Lundi, le groupe japonais a perdu 8 %.", [("9984.T", -8.0, MON)]),
        ("Nvidia led the rally. On Monday, the AI darling rose 4%.", [("NVDA", 4.0, MON)]),
    ],
)
def test_a_description_goes_to_the_one_company_it_fits(tmp_path, text, claims):
    assert _claims(tmp_path, f"date 2025-01-28\n{text}") == claims


def test_a_description_fitting_several_or_none_is_listed_for_review(tmp_path):
    text = "date 2025-01-28\nNvidia and Broadcom fell. On Monday, the chipmaker slid 17%. Oracle rose 2% on Monday."
    found = extract([_write(tmp_path, text)])
    assert [c.ticker for c in found.claims] == ["ORCL"]
    assert [f.kind for f in found.other_figures] == ["description"]
    text = "date 2025-01-28\nOracle signed a deal. On Monday, the chipmaker slid 17%."
    found = extract([_write(tmp_path, text)])
    assert not found.claims and [f.kind for f in found.other_figures] == ["description"]


def test_a_french_quote_during_the_session_and_its_participle(tmp_path):
    text = "date 2025-01-28\nVers 14H20 GMT lundi, le titre Oracle bondissait de 38,25 %, "
    text += "l'indice Nasdaq prenant 0,53 %."
    found = extract([_write(tmp_path, text)])
    assert [(c.ticker, c.reported_percent, c.session, c.timing) for c in found.claims] == [
        ("ORCL", 38.25, MON, "intraday"),
        ("^IXIC", 0.53, MON, "intraday"),
    ]
    assert not found.unknown_companies  # "GMT" is no company


def test_the_night_from_monday_to_tuesday_is_mondays_new_york_session(tmp_path):
    text = "date 2025-01-28\nDans la nuit de lundi à mardi, Oracle a bondi de 36 % à Wall Street."
    assert _claims(tmp_path, text) == [("ORCL", 36.0, MON)]


@pytest.mark.parametrize(
    "top",
    [
        "Publié le 11/09/2025 à 07h10, mis à jour le 11/09/2025 à 09h45\n",
        "Le Quotidien – Publié le 11/09/2025 à 07h10\n",
        "Paris, 11 septembre 2025 (AFP) -\n",
    ],
)
def test_publication_lines_and_french_datelines(tmp_path, top):
    text = f"{top}Mercredi, l'action Oracle a bondi de 36 %.\nLa suite."
    assert _claims(tmp_path, text) == [("ORCL", 36.0, D(2025, 9, 10))]


@pytest.mark.parametrize(
    ("sentence", "timings"),
    [
        ("On Monday, Broadcom was down nearly 10% at the open but ended the day 1.2% lower.", ["open", "close_only"]),
        ("On Monday, Nvidia fell as much as 15.5% before paring its losses to close down 6.4%.",
         ["intraday", "close_only"]),
    ],
)  # fmt: skip
def test_the_moment_nearest_each_figure(tmp_path, sentence, timings):
    found = extract([_write(tmp_path, f"date 2025-01-28\n{sentence}")])
    assert [c.timing for c in found.claims] == timings


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        ("Oracle (Nasdaq: ORCL) was down 9% in premarket trading on Monday.", [("ORCL", -9.0, MON)]),
        ("On Monday, the Nasdaq Composite gave up 2.2%.", [("^IXIC", -2.2, MON)]),
        ("On Monday, the Dow Jones gave back 1.1% while the S&P 500 and the Nasdaq 100 fell 2% and 3%, respectively.",
         [("^DJI", -1.1, MON), ("^GSPC", -2.0, MON), ("^NDX", -3.0, MON)]),
        ("Oracle fell 4% on Monday, its worst day since March 2020.", [("ORCL", -4.0, MON)]),
        ("On Monday, the S&P 500 lost 3%, after a 6.1% collapse of the Nikkei in Tokyo.",
         [("^GSPC", -3.0, MON), ("^N225", -6.1, MON)]),
        ("Among the day's losers, the shares of Oracle suffered a drop of 7% on Monday.", [("ORCL", -7.0, MON)]),
        ("On Monday the iShares Semiconductor ETF (SOXX) rose 3%.", [("SOXX", 3.0, MON)]),
        ("Nvidia lost 11% between Friday's close and Monday's.", [("NVDA", -11.0, MON)]),
    ],
)  # fmt: skip
def test_more_owners_and_verbs(tmp_path, text, claims):
    assert _claims(tmp_path, f"date 2025-01-28\n{text}") == claims


def test_ahead_of_a_weekday_looks_forward_only_next_to_it(tmp_path):
    text = "date 2025-01-30\nOn Wednesday, Oracle ended down 1.1%, leaving it up 4.9% year to date ahead of its report."
    found = extract([_write(tmp_path, text)])
    assert [(c.reported_percent, c.session, c.since) for c in found.claims] == [
        (-1.1, D(2025, 1, 29), ""),
        (4.9, D(2025, 1, 29), "2024-12-31"),
    ]


def test_a_period_below_a_named_record_day(tmp_path):
    text = "date 2024-08-05\nThe Nasdaq is now 13.1% below its July 10 record close, "
    text += "and Nvidia has lost 20% since its June high."
    found = extract([_write(tmp_path, text)])
    assert [(c.ticker, c.reported_percent, c.session, c.since) for c in found.claims] == [
        ("^IXIC", -13.1, D(2024, 8, 5), "2024-07-10"),
        ("NVDA", -20.0, D(2024, 8, 5), "high:2024-06"),
    ]


def test_key_figure_lines_below_the_headline_are_claims(tmp_path):
    text = "date 2025-04-04\nWall Street : les chiffres clés\n\nLundi, la séance a été rude.\n"
    text += "S&P 500 : 5 396,52 points, en baisse de 4,84 %\nNasdaq-100 : en repli de 5,4 %\n"
    assert [(t, v) for t, v, _ in _claims(tmp_path, text)] == [("^GSPC", -4.84), ("^NDX", -5.4)]


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        ("Lundi, le S&P 500 a reculé de 1,5 %, et l'indice Nasdaq avec 3,1 %.",
         [("^GSPC", -1.5, MON), ("^IXIC", -3.1, MON)]),
        ("Dès l'ouverture lundi, le Nasdaq Composite lâchait 4,6 %.", [("^IXIC", -4.6, MON)]),
        ("Oracle a chuté lundi. Cette dégringolade de près de 12 % a surpris.", [("ORCL", -12.0, None)]),
        ("Lundi, Oracle a perdu 5 %, du jamais vu depuis mars 2020.", [("ORCL", -5.0, MON)]),
    ],
)  # fmt: skip
def test_more_french_forms(tmp_path, text, claims):
    assert _claims(tmp_path, f"date 2025-01-28\n{text}") == claims


def test_a_list_sentence_sets_no_topic(tmp_path):
    text = "date 2025-01-28\nNvidia a perdu 17 % lundi.\n\nBroadcom a lâché 17,4 % et AMD 6,4 % lundi.\n\n"
    text += "Mardi, en préouverture, le titre regagnait près de 3 %."
    found = extract([_write(tmp_path, text)])
    assert [(c.ticker, c.timing) for c in found.claims][-1] == ("NVDA", "premarket")


def test_a_reference_day_without_a_year_lies_before_the_session(tmp_path):
    text = "date 2025-04-04\nLe Nasdaq accuse une baisse de 18 % depuis son record de clôture du 16 décembre."
    found = extract([_write(tmp_path, text)])
    assert [(c.ticker, c.since) for c in found.claims] == [("^IXIC", "2024-12-16")]


@pytest.mark.parametrize(
    ("sentence", "timings"),
    [
        ("Lundi, Broadcom grimpe de 9,2 % et Arm de 8,7 %.", ["intraday", "intraday"]),
        ("Lundi, Oracle (+38,6 % à 334 dollars) s'envole en tête du S&P 500.", ["intraday"]),
        ("Lundi, Nvidia a reculé de 1,1 %, tandis que le Nasdaq avançait de 0,7 %.", ["close_only", "close_only"]),
        ("Lundi, Oracle a terminé en hausse de 3 %.", ["close_only"]),
    ],
)
def test_french_tenses_of_a_quote(tmp_path, sentence, timings):
    found = extract([_write(tmp_path, f"date 2025-01-28\n{sentence}")])
    assert [c.timing for c in found.claims] == timings


def test_undated_article_with_a_given_date_reads_each_day(tmp_path):
    text = "On Thursday, the chip designer Arm jumped 47.9%, and on Monday it soared another 29.3%.\n"
    text += "By Monday's close the shares were up 93.4% since last Wednesday's close."
    found = extract([_write(tmp_path, text)], reference_date=D(2024, 2, 13))  # a Tuesday
    assert [(c.reported_percent, c.session, c.since) for c in found.claims] == [
        (47.9, D(2024, 2, 8), ""),
        (29.3, D(2024, 2, 12), ""),
        (93.4, D(2024, 2, 12), "2024-02-07"),
    ]


def test_a_period_move_without_a_day_takes_the_previous_claims_session(tmp_path):
    text = "date 2025-01-28\nNvidia lost 17% on Monday. "
    text += "After that slump, Nvidia stands 12% lower since the start of the year."
    found = extract([_write(tmp_path, text)])
    assert [(c.reported_percent, c.session, c.since) for c in found.claims] == [
        (-17.0, MON, ""),
        (-12.0, MON, "2024-12-31"),
    ]


def test_with_a_figure_then_a_name(tmp_path):
    text = "date 2025-10-07\nOn Monday, with a gain of about 24%, AMD is now up 69% year to date."
    found = extract([_write(tmp_path, text)])
    assert [(c.ticker, c.reported_percent, c.since) for c in found.claims] == [
        ("AMD", 24.0, ""),
        ("AMD", 69.0, "2024-12-31"),
    ]


def test_a_claim_naming_no_day_links_to_the_day_its_article_is_telling(tmp_path):
    text = "date 2025-01-24\nOracle rose 5% on Wednesday. Oracle will hold a conference on January 29, 2025.\n\n"
    text += "Microsoft gained 1.9%."
    found = extract([_write(tmp_path, text)])
    by = {c.ticker: c for c in found.claims}
    assert by["ORCL"].session == D(2025, 1, 22) and by["MSFT"].session is None
    assert by["MSFT"].event == by["ORCL"].event == "2025-01-22"


def test_typographic_apostrophes_in_relative_days(tmp_path):
    text = "Aujourd’hui, l’action Oracle a bondi de 7 %. Hier, Nvidia a perdu 2 %."
    got = _claims(tmp_path, text, reference_date=D(2025, 1, 23))
    assert got == [("ORCL", 7.0, D(2025, 1, 23)), ("NVDA", -2.0, D(2025, 1, 22))]


def test_an_undated_period_move_without_a_reference_date_stays_an_other_figure(tmp_path):
    found = extract([_write(tmp_path, "On Monday Arm was up 93% since last Wednesday's close.")])
    assert not found.claims and [f.kind for f in found.other_figures] == ["period move"]


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        ("Oracle stock slid 1.2% in Monday's premarket.", ("ORCL", -1.2, MON, "premarket")),
        ("On Monday, Oracle dipped 1.2% ahead of the opening bell.", ("ORCL", -1.2, MON, "premarket")),
        ("Nvidia shares popped 3% in premarket trading on Monday.", ("NVDA", 3.0, MON, "premarket")),
        ("Nvidia beat forecasts. On Monday, shares in the graphics chip maker rose 2.5%.",
         ("NVDA", 2.5, MON, "close_only")),
    ],
)  # fmt: skip
def test_premarket_words_as_wires_print_them(tmp_path, text, claim):
    found = extract([_write(tmp_path, f"date 2025-01-28\n{text}")])
    assert [(c.ticker, c.reported_percent, c.session, c.timing) for c in found.claims] == [claim]


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        ("Lundi, Oracle a engrangé 2,4 %, Nvidia 2,2 %.", [("ORCL", 2.4, MON), ("NVDA", 2.2, MON)]),
        ("Lundi, le S&P-500, plus large, a pris 24,65 points, soit 0,58 %.", [("^GSPC", 0.58, MON)]),
        ("Lundi, le Nasdaq Composite s'est adjugé 20,89 points ou 0,41 %.", [("^IXIC", 0.41, MON)]),
        ("On Monday, the Dow slipped 0.5%.", [("^DJI", -0.5, MON)]),
        ("Lundi, à l'inverse, Dow (-2,1 %) et Oracle (-1,4 %) ont reculé.", [("ORCL", -1.4, MON)]),
    ],
)
def test_wire_recaps(tmp_path, text, claims):
    assert _claims(tmp_path, f"date 2025-01-28\n{text}") == claims


# --- the lede's day carries to later sentences that name none --------------------------------------

LEDE = (
    "Tokyo stocks crash as the yen soars\n"
    "TOKYO, March 10, 2025 -\n\n"
    "Japanese shares suffered on Monday their worst session in months, as a stronger yen hit exporters.\n\n"
    "{body}\n"
)


@pytest.mark.parametrize(
    ("body", "session"),
    [
        ("The Nikkei 225 closed down 6.1%, and SoftBank Group slumped 9.3%.", D(2025, 3, 10)),
        ("Arm rose 2.2% in New York overnight.", D(2025, 3, 7)),  # New York's Friday, seen from Tokyo on Monday
    ],
)
def test_the_ledes_day_carries(tmp_path, body, session):
    got = _claims(tmp_path, LEDE.format(body=body))
    assert got and all(s == session for _, _, s in got), got


def test_a_lede_naming_another_day_sets_nothing(tmp_path):
    text = (
        "Les valeurs de l'IA s'envolent\nLes Echos, jeudi 23 janvier 2025\n\n"
        "L'annonce faite mardi soir à la Maison Blanche d'un plan de 500 milliards de dollars a galvanisé "
        "les marchés.\n\n"
        "Depuis, Nvidia a gagné 4,4 %.\n"
    )
    assert [s for _, _, s in _claims(tmp_path, text)] == [None]


def test_a_connective_opening_the_sentence_is_not_a_name(tmp_path):
    """'However, …' is no company: the clause after it names what grew (revenue), not a stock."""
    text = (
        "date 2024-12-13\nBroadcom shares jumped 24.4% on Friday.\n\n"
        "However, the company said it booked $12.2 billion of AI revenue in fiscal 2024, a 220% increase from 2023.\n"
    )
    found = extract([_write(tmp_path, text)])
    assert [(c.ticker, c.reported_percent) for c in found.claims] == [("AVGO", 24.4)]
    assert [(o.value_percent, o.kind) for o in found.other_figures] == [(220.0, "metric")]


@pytest.mark.parametrize(
    ("top", "session"),
    [
        ("Publié le 10/10/2025 à 07h15", D(2025, 10, 9)),  # before any open: "now" is the previous close
        ("Publié le 10/10/2025 à 18h40", D(2025, 10, 10)),
        ("Oct 10, 2025 at 8:05 AM ET", D(2025, 10, 9)),
        ("Oct 10, 2025 at 4:45 PM ET", D(2025, 10, 10)),
        ("Publié le 13/10/2025 à 06h00", D(2025, 10, 10)),  # a Monday morning: Friday's close
    ],
)
def test_now_in_an_article_published_before_the_open_is_the_previous_close(tmp_path, top, session):
    text = (
        f"Les valeurs technologiques\n{top}\n\nL'action Oracle affiche désormais une hausse de 52 % depuis janvier.\n"
    )
    assert _periods(tmp_path, text) == [("ORCL", 52.0, session, "2024-12-31", "")]


def test_a_pronoun_after_a_paragraph_break_or_a_colon_is_the_name_before_it(tmp_path):
    text = (
        "date 2025-09-11\nOracle a bondi de 36 % mercredi, son meilleur jour depuis 1992.\n\n"
        "Il a gagné 4 % de plus jeudi.\n\n"
        "Le titre a presque doublé depuis janvier : il affiche une hausse de 96 % depuis le début de l'année.\n"
    )
    got = _periods(tmp_path, text)
    assert ("ORCL", 4.0, D(2025, 9, 11), "", "") in got
    assert ("ORCL", 96.0, D(2025, 9, 11), "2024-12-31", "") in got


def test_it_with_no_name_in_the_sentence_before_is_listed_not_guessed(tmp_path):
    text = (
        "date 2024-08-05\nSoftBank Group shares dropped 18.7% on Monday.\n\n"
        "The sell-off started last week. It fell 5.8% on Friday.\n"
    )
    found = extract([_write(tmp_path, text)])
    assert [(c.ticker, c.reported_percent) for c in found.claims] == [("9984.T", -18.7)]
    assert -5.8 in [o.value_percent for o in found.other_figures]


def test_nearly_doubled_is_an_approximate_multiple(tmp_path):
    text = (
        "date 2025-09-11\n"
        "Arm shares have nearly tripled since January. Le titre Oracle a presque doublé depuis janvier.\n"
    )
    found = extract([_write(tmp_path, text)])
    assert [(c.ticker, c.reported_percent, c.approximate, c.bound) for c in found.claims] == [
        ("ARM", 200.0, True, ""),
        ("ORCL", 100.0, True, ""),
    ]


def test_a_short_name_after_the_full_name_in_the_same_article(tmp_path):
    """'Constellation' alone is two companies in the table; after 'Constellation Energy' it is that one."""
    text = (
        "date 2024-09-20\nConstellation Energy said on Friday it would restart a reactor for Microsoft.\n\n"
        "Constellation shares closed 22.3% higher.\n"
    )
    assert [(t, v) for t, v, _ in _claims(tmp_path, text)] == [("CEG", 22.3)]
    text = (
        "date 2024-09-20\nConstellation Brands fell 1% and Constellation Energy rose 22.3%. Constellation gained 2%.\n"
    )
    assert [t for t, _, _ in _claims(tmp_path, text)] == ["STZ", "CEG"]  # two companies share it: never read alone


def test_the_stock_is_the_subject_of_the_sentence_before_not_its_object(tmp_path):
    text = (
        "date 2024-09-20\nConstellation Energy (NASDAQ: CEG) will sell the plant's power to Microsoft.\n\n"
        "The stock was up 12% in premarket trading.\n"
    )
    assert [(t, v) for t, v, _ in _claims(tmp_path, text)] == [("CEG", 12.0)]


def test_todays_move_before_a_period_clause_is_the_sessions(tmp_path):
    text = (
        "date 2024-09-20\n"
        "With today's rally of about 15%, Constellation Energy shares have more than doubled in 2024.\n"
    )
    got = _periods(tmp_path, text)
    assert ("CEG", 15.0, D(2024, 9, 20), "", "") in got or ("CEG", 15.0, None, "", "") in got
    assert ("CEG", 100.0, D(2024, 9, 20), "2023-12-31", "at_least") in got


def test_a_record_since_a_year_in_the_clause_before_is_no_period(tmp_path):
    text = (
        "date 2025-04-09\n"
        "The Nasdaq surged 12.2% on Wednesday, its best day since January 2001, while the S&P 500 rose 9.5%.\n"
    )
    got = _periods(tmp_path, text)
    assert [(t, v, s) for t, v, s, _, _ in got] == [("^IXIC", 12.2, D(2025, 4, 9)), ("^GSPC", 9.5, D(2025, 4, 9))]
    assert all(since == "" for _, _, _, since, _ in got)


def test_more_than_is_a_bound_not_an_approximation(tmp_path):
    found = extract([_write(tmp_path, "date 2024-10-31\nJeudi, l'action Super Micro a perdu plus de 11 %.\n")])
    (c,) = found.claims
    assert (c.ticker, c.reported_percent, c.bound, c.approximate) == ("SMCI", -11.0, "at_least", False)


def test_a_byline_ending_in_the_date_dates_the_article(tmp_path):
    text = (
        "Broadcom joins the club\nBy a staff writer | Dec 16, 2024, 4:20 PM ET\n\n"
        "Broadcom extended its post-earnings run on Monday, rising 11.2%.\n\n"
        "The chipmaker had already rocketed 24.4% on Friday. "
        "Over the two sessions, the stock has added more than 38%.\n"
    )
    found = extract([_write(tmp_path, text)])
    assert [(c.ticker, c.reported_percent, c.session) for c in found.claims][:2] == [
        ("AVGO", 11.2, D(2024, 12, 16)),  # "post-earnings" names no measure: a price move
        ("AVGO", 24.4, D(2024, 12, 13)),  # Friday looks back from the byline's Monday
    ]
    assert "Over" not in found.unknown_companies


@pytest.mark.parametrize(
    ("sentence", "claim"),
    [
        ("SoftBank Group a repris 12,1 % mardi après avoir abandonné près de 19 % lundi.",
         [("9984.T", 12.1), ("9984.T", -19.0)]),
        ("Mardi, le Topix s'est redressé de 9,3 %.", [("TOPIX", 9.3)]),
        ("Mardi, l'action Arm cède 3,2 %.", [("ARM", -3.2)]),
    ],
)  # fmt: skip
def test_french_verbs_of_giving_up_and_recovering(tmp_path, sentence, claim):
    found = extract([_write(tmp_path, f"date 2024-08-06\n{sentence}\n")])
    assert [(c.ticker, c.reported_percent) for c in found.claims] == claim


def test_a_papers_name_then_the_date_dates_the_article(tmp_path):
    text = (
        "La tech perd pied\nLe Courrier Économique - 28 janv. 2025 à 07:45\n\n"
        "Dans la nuit de lundi à mardi, Nvidia a dévissé de 16,97 % à Wall Street.\n"
    )
    assert _claims(tmp_path, text) == [("NVDA", -16.97, D(2025, 1, 27))]


def test_time_words_of_the_next_figure_are_not_this_ones(tmp_path):
    text = (
        "date 2025-01-28\n"
        "Lundi, Microsoft a limité la casse, avec une baisse de 2,1 %, "
        "après avoir perdu jusqu'à 4,6 % en début de séance.\n"
    )
    found = extract([_write(tmp_path, text)])
    assert [(c.reported_percent, c.timing) for c in found.claims] == [(-2.1, "close_only"), (-4.6, "open")]


def test_a_us_symbol_written_as_the_name(tmp_path):
    text = (
        "date 2024-02-21\n"
        "VRT stock sank as much as 11.3% in early trading on Wednesday. THE shares of NVDA shares rose 1%.\n"
    )
    found = extract([_write(tmp_path, text)])
    assert next((c.ticker, c.reported_percent, c.timing) for c in found.claims) == ("VRT", -11.3, "intraday")
    assert "THE" not in [c.ticker for c in found.claims]


def test_the_previous_figures_complement_does_not_name_this_one(tmp_path):
    text = (
        "date 2025-01-24\n"
        "SoftBank Group, qui détient environ 90 % du capital d'Arm, a grimpé de 8,7 % vendredi à Tokyo.\n"
        "Arm, in which SoftBank holds 90% of the capital, rose 4% on Thursday.\n"
    )
    found = extract([_write(tmp_path, text)])
    got = [(c.ticker, c.reported_percent) for c in found.claims]
    assert ("9984.T", 8.7) in got and ("ARM", 4.0) in got


# --- issue 22, after the holdout's one run: constructions it showed, in new sentences ---------------


def _read(tmp_path: Path, text: str) -> list[tuple]:
    found = extract([_write(tmp_path, text)])
    return [(c.ticker, c.reported_percent, c.session, c.timing, c.since, c.bound) for c in found.claims]


def test_broad_market_funds_by_name_and_a_day_after_the_last_figure(tmp_path):
    text = (
        "date 2025-04-11\n"
        "The SPDR S&P 500 ETF Trust (SPY) gained 10.5% and the Invesco QQQ Trust rose 12% on Wednesday.\n"
    )
    got = [(t, p, s) for t, p, s, *_ in _read(tmp_path, text)]
    assert got == [("SPY", 10.5, D(2025, 4, 9)), ("QQQ", 12.0, D(2025, 4, 9))]
    text = "date 2025-04-11\nNvidia rose 3% after AMD fell 2% on Monday.\n"  # another event's day is not shared
    assert next(s for _, _, s, *_ in _read(tmp_path, text)) != D(2025, 4, 7)


def test_a_period_move_is_measured_to_the_latest_session_of_its_own_security(tmp_path):
    text = (
        "date 2025-01-24\nNvidia rose 4.4% on Wednesday. SoftBank Group climbed 5% in Tokyo on Friday.\n\n"
        "Nvidia shares had fallen 3.5% on Monday. Since the start of 2025, Nvidia has gained 8%.\n"
    )
    period = [c for c in _read(tmp_path, text) if c[4]]
    assert period == [("NVDA", 8.0, D(2025, 1, 22), "close", "2024-12-31", "")]


def test_period_words_since_a_days_close_and_over_the_year(tmp_path):
    text = (
        "date 2024-03-09\nVendredi, l'action Nvidia a reculé de 5,5 %.\n\n"
        "Le titre a ainsi gagné 12 % depuis la clôture du 1er mars.\n\n"
        "Sur l'ensemble de l'année, sa progression dépasse déjà 77 %.\n"
    )
    got = [(t, p, s, since, bound) for t, p, s, _, since, bound in _read(tmp_path, text)]
    assert got[1:] == [
        ("NVDA", 12.0, D(2024, 3, 8), "2024-03-01", ""),
        ("NVDA", 77.0, D(2024, 3, 8), "2023-12-31", "at_least"),
    ]


def test_the_move_noun_before_the_figure_gives_it_to_the_name_after(tmp_path):
    text = (
        "date 2025-01-23\n"
        "SoftBank Group a bondi de 10,6 % mercredi, porté par l'envolée de 7 % du cours de l'action Oracle.\n"
    )
    assert [(t, p) for t, p, *_ in _read(tmp_path, text)] == [("9984.T", 10.6), ("ORCL", 7.0)]


def test_an_opening_circumstance_names_no_measure_and_a_pronoun_after_it(tmp_path):
    text = (
        "date 2024-11-22\nMardi, l'action Nvidia a gagné 4,9 %.\n\n"
        "Jeudi, au lendemain de la publication de ses résultats trimestriels, le fabricant de puces a gagné 0,5 %. "
        "Mercredi soir, dans les échanges après Bourse, il reculait de plus de 2 %.\n"
    )
    got = [(t, p, s, timing) for t, p, s, timing, *_ in _read(tmp_path, text)]
    assert got[1:] == [("NVDA", 0.5, D(2024, 11, 21), "close_only"), ("NVDA", -2.0, D(2024, 11, 20), "after_hours")]


def test_a_described_subject_before_its_apposition_and_a_stake_before_the_verb(tmp_path):
    text = (
        "date 2025-01-23\nLe titre SoftBank Group a grimpé de 10,6 % mercredi à Tokyo.\n\n"
        "Le groupe japonais, allié d'Oracle et d'OpenAI, avait déjà pris 1,3 % mardi.\n\n"
        "À Tokyo, jeudi, SoftBank Group, qui contrôle environ 90 % d’Arm, a encore gagné 5,1 %.\n"
    )
    got = [(t, p) for t, p, *_ in _read(tmp_path, text)]
    assert got == [("9984.T", 10.6), ("9984.T", 1.3), ("9984.T", 5.1)]


def test_a_quote_then_the_close_of_the_same_session(tmp_path):
    text = (
        "date 2025-01-28\n"
        "Lundi, vers 16H00 GMT, l'action Nvidia chutait de 16 %, avant de terminer la séance en baisse de 17 %.\n"
    )
    got = [(p, timing) for _, p, _, timing, *_ in _read(tmp_path, text)]
    assert got == [(-16.0, "intraday"), (-17.0, "close_only")]


def test_moves_over_n_sessions_a_week_and_a_day_after(tmp_path):
    text = (
        "date 2024-08-07\nThe Nikkei 225 jumped 10.2% on Tuesday, a day after it had plunged 12.4%.\n\n"
        "Over the week, the Topix lost 6%. Broadcom had gained 21% in three sessions by Tuesday's close.\n"
    )
    got = [(t, p, s, since) for t, p, s, _, since, _ in _read(tmp_path, text)]
    assert ("^N225", 10.2, D(2024, 8, 6), "") in got and ("^N225", -12.4, D(2024, 8, 5), "") in got
    assert ("AVGO", 21.0, D(2024, 8, 6), "2024-08-01") in got
    assert next(since for t, *_, since in got if t == "TOPIX") == "2024-08-04"  # the Sunday before the week


def test_an_opening_connective_is_no_company_and_a_described_investor(tmp_path):
    text = (
        "date 2024-08-06\nSoftBank Group shares rose 12.1% on Tuesday.\n\n"
        "Even so, the tech investor had slumped 18.7% on Monday.\n"
    )
    assert [(t, p) for t, p, *_ in _read(tmp_path, text)] == [("9984.T", 12.1), ("9984.T", -18.7)]


def test_as_much_as_before_the_figure_times_a_named_session(tmp_path):
    text = "date 2024-02-09\nArm shares rose as much as 67 percent during Thursday's session.\n"
    assert [(t, p, timing) for t, p, _, timing, *_ in _read(tmp_path, text)] == [("ARM", 67.0, "intraday")]


def test_the_imperfect_of_an_earlier_session_is_narrative(tmp_path):
    text = "date 2024-12-16\nVendredi, Broadcom a bondi de 24,4 %, tandis que le Nasdaq-100 prenait 0,8 %.\n"
    assert [(t, timing) for t, _, _, timing, *_ in _read(tmp_path, text)] == [
        ("AVGO", "close_only"),
        ("^NDX", "close_only"),
    ]
    text = "date 2024-12-13\nVendredi, vers 16H00, le titre Broadcom bondissait de 22 %.\n"  # the same day: a quote
    assert [timing for _, _, _, timing, *_ in _read(tmp_path, text)] == ["intraday"]


def test_a_multiple_in_the_pluperfect_ends_before_the_named_day(tmp_path):
    text = (
        "date 2024-02-14\n"
        "Arm slumped 19.5% on Tuesday, ending a rally that had nearly doubled the shares in three sessions.\n"
    )
    doubled = next(c for c in _read(tmp_path, text) if c[1] == 100.0)
    assert doubled[2] == D(2024, 2, 12) and doubled[4] == "2024-02-07"


def test_date_lines_as_wires_print_them(tmp_path):
    text = "Vertiv jumps on targets\n\nVertiv shares rose 14.6% on Tuesday.\n\n-- Desk\n\n11-19-24 1532ET\n"
    assert _claims(tmp_path, text) == [("VRT", 14.6, D(2024, 11, 19))]
    text = "Chips rally\n23/02/2024 | 22:40\n\nJeudi, l'action Nvidia s'était envolée de 16,4 %.\n"
    assert _claims(tmp_path, text) == [("NVDA", 16.4, D(2024, 2, 22))]


def test_a_dateline_without_a_year_takes_the_one_its_weekday_fits(tmp_path):
    text = (
        "NEW YORK, Feb 22 (Wire) - Nvidia shares surged 16.4% on Thursday after its forecast.\n\n"
        "The stock more than tripled in 2023.\n"
    )
    assert _claims(tmp_path, text) == [("NVDA", 16.4, D(2024, 2, 22))]  # 22 February was a Thursday in 2024


@pytest.mark.parametrize(("today", "year"), [(D(2026, 12, 7), 2024), (D(2024, 2, 21), 2018), (D(2030, 1, 1), 2029)])
def test_a_dateline_with_no_year_anywhere_takes_the_latest_year_its_weekdays_fit(tmp_path, monkeypatch, today, year):
    monkeypatch.setattr("eventstudy.articles.date_lines.today", lambda: today)
    text = "NEW YORK, Feb 22 (Wire) - Nvidia shares surged 16.4% on Thursday.\n"  # Thursday 22 Feb: 2018, 2024, 2029
    with pytest.warns(UserWarning, match=f"year {year} guessed"):
        found = extract([_write(tmp_path, text)])
    assert [(c.ticker, c.session) for c in found.claims] == [("NVDA", D(year, 2, 22))]


def test_a_weekday_and_date_pair_narrows_the_guess(tmp_path, monkeypatch):
    monkeypatch.setattr("eventstudy.articles.date_lines.today", lambda: D(2026, 12, 7))
    text = "NEW YORK, June 24 (Wire) - Nvidia fell 6.7% on Monday, after a record on Tuesday, June 18.\n"
    with pytest.warns(UserWarning, match="year 2024 guessed"):
        assert _claims(tmp_path, text)[0] == ("NVDA", -6.7, D(2024, 6, 24))
    text = "NEW YORK, June 24 (Wire) - Nvidia fell 6.7% on Monday, after a record on Wednesday, June 18.\n"
    with pytest.warns(UserWarning, match="without a year|no dated"), pytest.raises(EventStudyError):
        draft_study([_write(tmp_path, text)])  # no year has both: none guessed


@pytest.mark.parametrize(
    ("words", "year_end", "since"),
    [("in 2023", D(2023, 12, 29), "2022-12-31"), ("last year", D(2023, 12, 29), "2022-12-31")],
)
def test_an_earlier_years_move_is_judged_over_that_year(tmp_path, words, year_end, since):
    text = f"date 2024-02-23\nNvidia has gained 59% since the start of the year, after a 239% gain {words}.\n"
    found = extract([_write(tmp_path, text)])
    got = [(c.reported_percent, c.session, c.since) for c in found.claims]
    assert got == [(59.0, D(2024, 2, 23), "2023-12-31"), (239.0, year_end, since)]  # Dec 31, 2023: a Sunday


def test_one_companys_sentence_sets_the_stock_whatever_else_it_names(tmp_path):
    text = (
        "date 2025-11-14\nSoftBank Group shares fell 6.6% on Friday, after the sale of its Nvidia stake.\n\n"
        "The group said it had sold its Nvidia shares in October.\n\n"
        "The stock had dropped 3.5% on Wednesday.\n"
    )
    assert [(t, p) for t, p, *_ in _read(tmp_path, text)] == [("9984.T", -6.6), ("9984.T", -3.5)]


def test_a_description_fitting_several_goes_to_the_articles_lead_company(tmp_path):
    text = (
        "Nvidia takes a hit from export curbs\ndate 2025-04-17\n\n"
        "Nvidia shares closed down 6.9% on Wednesday. Advanced Micro Devices lost 7.3%.\n\n"
        "The chipmaker is down about 22% this year.\n"
    )
    assert next(t for t, p, *_ in _read(tmp_path, text) if p == -22.0) == "NVDA"


# --- the fresh part's seen failures, own sentences ----------------------------------------------


def _found_claims(tmp_path: Path, text: str, **kw) -> list:
    return extract([_write(tmp_path, text)], **kw).claims


def test_a_symbol_alone_is_the_company_the_article_names(tmp_path):
    text = (
        "Dec 12, 2025\n\nOracle Corporation shares fell 10.8% on Thursday.\n\n"
        "After Thursday's fall, ORCL was down 39% from its September 10 record close."
    )
    got = [(c.ticker, c.reported_percent, c.session, c.since) for c in _found_claims(tmp_path, text)]
    assert got == [("ORCL", -10.8, D(2025, 12, 11), ""), ("ORCL", -39.0, D(2025, 12, 11), "2025-09-10")]


def test_a_symbol_alone_in_an_article_that_never_names_the_company(tmp_path):
    # before a move verb it is the company ("ORCL was down"); in a list of holdings it names no move
    text = "Dec 12, 2025\n\nThe fund said ORCL was down 3% on Thursday."
    assert [(c.ticker, c.reported_percent) for c in _found_claims(tmp_path, text)] == [("ORCL", -3.0)]
    text = "Dec 12, 2025\n\nThe fund holds ORCL, MSFT and NVDA, which make up 3% of its assets."
    assert list(_found_claims(tmp_path, text)) == []


def test_a_period_move_s_session_is_the_day_before_its_reference_words(tmp_path):
    text = "Dec 12, 2025\n\nAfter Thursday's slide, Oracle was still up 20% year to date."
    (c,) = _found_claims(tmp_path, text)
    assert (c.session, c.since) == (D(2025, 12, 11), "2024-12-31")


def test_a_publication_line_with_a_time_and_a_byline(tmp_path):
    text = "Posted 2024-08-28 | 11:05 am ET | by our desk\n\nSuper Micro fell 2.6% on Tuesday."
    (c,) = _found_claims(tmp_path, text)
    assert c.session == D(2024, 8, 27)


def test_it_after_a_sentence_about_the_stock_is_the_topic(tmp_path):
    text = (
        "2024-08-28\n\nSuper Micro shares dropped 19% on Wednesday. Even so, the stock is up 50% year to date. "
        "It has, however, lost 60% since its March peak."
    )
    got = [(c.ticker, c.reported_percent, c.since) for c in _found_claims(tmp_path, text)]
    assert got[-1] == ("SMCI", -60.0, "high:2024-03")


def test_a_story_filed_while_new_york_trades_quotes_its_days_figures(tmp_path):
    text = (
        "Shares of Vertiv rose 12% in Tuesday afternoon trading.\n\nConstellation Energy was up 2%, while the "
        "S&P 500 was 0.4% higher. Vertiv had gained 1.8% on Monday.\n\n11-19-24 1532ET"
    )
    got = [(c.ticker, c.session, c.timing) for c in _found_claims(tmp_path, text)]
    assert got == [
        ("VRT", D(2024, 11, 19), "intraday"),
        ("CEG", D(2024, 11, 19), "intraday"),
        ("^GSPC", D(2024, 11, 19), "intraday"),
        ("VRT", D(2024, 11, 18), "close_only"),
    ]


@pytest.mark.parametrize(
    ("stamp", "timing"),
    [("11-19-24 1632ET", "close_only"), ("11-19-24 0815ET", "close"), ("11-20-24 0815ET", "close_only")],
)
def test_a_story_filed_outside_new_york_s_session_tells_closes(tmp_path, stamp, timing):
    text = f"Constellation Energy rose 2% on Tuesday.\n\n{stamp}"
    (c,) = _found_claims(tmp_path, text)
    assert (c.session, c.timing) == (D(2024, 11, 19), timing)  # after the close, or the next day: the close only


@pytest.mark.parametrize(
    ("line", "timing"),
    [("Publié le 19/11/2024 à 22:40", "close_only"), ("Publié le 19/11/2024 à 17:05", "intraday")],
)
def test_a_french_paper_s_time_is_paris_time(tmp_path, line, timing):
    (c,) = _found_claims(tmp_path, f"{line}\n\nMardi, Constellation Energy a gagné 2 %.")
    assert (c.session, c.timing) == (D(2024, 11, 19), timing)


def test_a_story_filed_in_new_york_session_leaves_tokyo_closes_alone(tmp_path):
    text = "SoftBank Group rose 3% in Tokyo on Tuesday.\n\n11-19-24 1102ET"
    (c,) = _found_claims(tmp_path, text)
    assert (c.ticker, c.timing) == ("9984.T", "close_only")


def test_timing_words_before_the_next_figure_are_its_own(tmp_path):
    text = (
        "2024-08-28\n\nSuper Micro slipped 2.6% on Tuesday after the report, having fallen as much as 8.7% in "
        "the session."
    )
    got = [(c.reported_percent, c.session, c.timing) for c in _found_claims(tmp_path, text)]
    assert got[0] == (-2.6, D(2024, 8, 27), "close_only")


def test_overnight_in_new_york_is_the_session_before_an_asian_story(tmp_path):
    text = (
        "Friday, 14 November 2025\n\nSoftBank Group fell 6% in Tokyo on Friday. Overnight in New York, "
        "Nvidia lost 3.6% and Broadcom slid 4.3%."
    )
    got = [(c.ticker, c.session) for c in _found_claims(tmp_path, text)]
    assert got == [("9984.T", D(2025, 11, 14)), ("NVDA", D(2025, 11, 13)), ("AVGO", D(2025, 11, 13))]


def test_the_benchmark_is_the_leading_index_of_the_sentence_before(tmp_path):
    text = (
        "TOKYO, Oct 6, 2025 -- The Nikkei 225 rose 4.8% on Monday, while the broader Topix gained 3.1%. "
        "At one point the benchmark was up more than 5%."
    )
    got = [(c.ticker, c.reported_percent, c.timing) for c in _found_claims(tmp_path, text)]
    assert got[-1] == ("^N225", 5.0, "intraday")


def test_since_the_end_of_a_month_is_that_month_s_last_close(tmp_path):
    text = "TOKYO, Oct 6, 2025 -- The Nikkei 225 rose 4.8% on Monday. It is now up 20% since the end of December."
    (_, c) = _found_claims(tmp_path, text)
    assert (c.ticker, c.since, c.session) == ("^N225", "2024-12-31", D(2025, 10, 6))


def test_la_veille_counts_from_the_narrative_day_not_a_flashback(tmp_path):
    text = (
        "23/02/2024 | 22:40\n\nNvidia a terminé la séance de vendredi sur un gain de 0,4 %.\n\n"
        "Jeudi, l’action s’était envolée de 16,4 %.\n\n"
        "Super Micro a rechuté de 11,8 % après avoir bondi de 32,9 % la veille. AMD a cédé 2,9 %."
    )
    got = [(c.ticker, c.reported_percent, c.session) for c in _found_claims(tmp_path, text)]
    assert got == [
        ("NVDA", 0.4, D(2024, 2, 23)),
        ("NVDA", 16.4, D(2024, 2, 22)),
        ("SMCI", -11.8, D(2024, 2, 23)),
        ("SMCI", 32.9, D(2024, 2, 22)),
        ("AMD", -2.9, D(2024, 2, 23)),
    ]


def test_a_year_end_session_gets_an_event_of_its_own(tmp_path):
    text = "date 2024-02-23\nNvidia rose 0.4% on Friday, after a 239% gain in 2023.\n"
    found = extract([_write(tmp_path, text)])
    days = {e.id: e.timestamp for e in found.events}
    gaps = [(c.session - days[c.event]).days for c in found.claims]
    assert [c.session for c in found.claims] == [D(2024, 2, 23), D(2023, 12, 29)]
    assert all(0 <= g <= 7 for g in gaps), gaps  # a draft the study file's 31-day rule accepts


def test_a_day_after_depuis_is_a_reference_not_the_session(tmp_path):
    text = "Mardi, Nvidia a plongé de 9,5 %.\n\nLe S&P 500 a chuté de 2,1 %, sa plus forte baisse depuis le 5 août."
    got = _claims(tmp_path, text, reference_date=D(2024, 9, 4))
    assert ("^GSPC", -2.1, D(2024, 8, 5)) not in got


def test_a_doubling_with_no_day_is_as_of_the_security_s_latest_session(tmp_path):
    text = (
        "Mardi, Nvidia a plongé de 9,5 %.\n\nMalgré ce repli, l'action Nvidia a plus que doublé depuis le 1er janvier."
    )
    got = [
        (c.reported_percent, c.session, c.since) for c in _found_claims(tmp_path, text, reference_date=D(2024, 9, 4))
    ]
    assert got == [(-9.5, D(2024, 9, 3), ""), (100.0, D(2024, 9, 3), "2023-12-31")]


def test_the_week_s_move_runs_to_the_article_s_latest_session(tmp_path):
    text = (
        "Samedi 3 août 2024\n\nJeudi, le Nikkei a perdu 2,5 %. Vendredi, SoftBank Group a chuté de 8 %.\n\n"
        "Sur la semaine, le Nikkei a perdu 4,7 %."
    )
    got = [(c.ticker, c.session, c.since) for c in _found_claims(tmp_path, text)]
    assert got[-1][:2] == ("^N225", D(2024, 8, 2)) and got[-1][2]


def test_a_nuclear_operator_description(tmp_path):
    text = (
        "Publié le 20/09/2024 à 22:40\n\nConstellation Energy (CEG) prenait 12 % avant l'ouverture vendredi, "
        "après l'annonce d'un contrat de vingt ans avec Microsoft pour relancer un réacteur.\n\n"
        "Le premier exploitant de centrales nucléaires des Etats-Unis a terminé la séance en hausse de 22,3 %."
    )
    assert _claims(tmp_path, text)[-1] == ("CEG", 22.3, D(2024, 9, 20))


def test_a_weekday_an_update_note_names_is_after_the_dateline(tmp_path):
    text = (
        "UPDATE 2-Chip stocks rally\n\nUpdates with premarket trading on Friday in final paragraph\n\n"
        "NEW YORK, Feb 22 (Market Wire) - Nvidia shares jumped 16.4% on Thursday after its forecast.\n\n"
        "In premarket trading on Friday, Nvidia was up another 2.9%."
    )
    got = [(c.reported_percent, c.session, c.timing) for c in _found_claims(tmp_path, text, year=2024)]
    assert got == [(16.4, D(2024, 2, 22), "close"), (2.9, D(2024, 2, 23), "premarket")]


def test_opened_is_the_opening_gap(tmp_path):
    text = (
        "Publié le 23/02/2024 à 22:40\n\nNvidia a terminé la séance de vendredi sur un gain de 0,4 %. "
        "Le titre avait pourtant ouvert en hausse de 2,9 %.\n\nOracle shares opened 14.5% lower on Friday and "
        "closed down 10%."
    )
    got = [(c.reported_percent, c.timing) for c in _found_claims(tmp_path, text)]
    assert got == [(0.4, "close_only"), (2.9, "open"), (-14.5, "open"), (-10.0, "close_only")]


# --- the unseen part's one run: its constructions, own sentences ----------------------------------


def _got(tmp_path: Path, text: str, **kw) -> list[tuple]:
    return [(c.ticker, c.reported_percent, c.session, c.timing, c.since) for c in _found_claims(tmp_path, text, **kw)]


def test_a_title_that_asks_or_shouts_is_a_headline(tmp_path):
    for title in ("ORACLE SANK 10% IN A DAY. IS THE AI TRADE OVER?", "Did Oracle really sink 10% in a day?"):
        text = f"{title}\n\n2025-12-12\n\nOracle shares fell 10.8% on Thursday."
        assert [c.reported_percent for c in _found_claims(tmp_path, text)] == [-10.8]


def test_lines_of_a_list_after_a_colon_are_claims(tmp_path):
    text = "2024-07-25\n\nVertiv fell 13.6% on Wednesday.\n\nAlso moving on July 24:\nNVIDIA Corp (NVDA) -6.80%\n"
    assert [(t, f, s) for t, f, s, *_ in _got(tmp_path, text)][-1] == ("NVDA", -6.8, D(2024, 7, 24))


def test_period_words_after_a_comma_belong_to_the_next_figure(tmp_path):
    text = (
        "Posted 2024-11-22 | 4:45 pm ET\n\nSuper Micro ended Friday with a 12% gain, lifting its advance since "
        "last Friday's close to 78%."
    )
    got = _got(tmp_path, text)
    assert [(f, s, since) for _, f, s, _, since in got] == [
        (12.0, D(2024, 11, 22), ""),
        (78.0, D(2024, 11, 22), "2024-11-15"),
    ]


@pytest.mark.parametrize(
    ("words", "since"),
    [
        ("below its record close in March", "high:2024-03"),
        ("since peaking in March", "high:2024-03"),
        ("over the six months through Monday's close", "2024-05-11"),  # Monday 11 November, six months back
    ],
)
def test_more_period_references(tmp_path, words, since):
    text = f"2024-11-14\n\nSuper Micro fell 11% on Thursday. The stock is down 60% {words}."
    assert _got(tmp_path, text)[-1][4] == since


def test_since_the_results_named_later_in_the_sentence(tmp_path):
    text = (
        "04/09/2024 | 18:00\n\nÀ la clôture de mardi, l’action Nvidia accusait un repli de 14 % depuis la publication "
        "de ses résultats, le 28 août au soir."
    )
    assert [(s, since) for *_, s, _, since in _got(tmp_path, text)] == [(D(2024, 9, 3), "2024-08-28")]


def test_a_quote_and_a_close_of_the_same_figure_are_two_claims(tmp_path):
    text = (
        "Posted 2024-03-12 08:40 ET\n\nOracle was up 12% in premarket trading on Tuesday.\n\n"
        "Update, 4:10 pm ET: Oracle closed up nearly 12%."
    )
    assert [(f, timing) for _, f, _, timing, _ in _got(tmp_path, text)] == [(12.0, "premarket"), (12.0, "close_only")]


def test_it_after_a_sentence_opening_on_the_stock_is_the_topic(tmp_path):
    text = (
        "02-27-24 0900ET\n\nConstellation Energy rose 13% on Tuesday. The stock is headed for its best day since "
        "it was spun off from Exelon. It had slipped 0.6% on Monday."
    )
    assert [t for t, *_ in _got(tmp_path, text)] == ["CEG", "CEG"]


def test_a_company_that_joined_an_index_is_the_article_s_company(tmp_path):
    text = (
        "2024-11-14\n\nSuper Micro fell 11% on Thursday. A company that joined the S&P 500 in March is now down 30% "
        "for the year."
    )
    assert [t for t, *_ in _got(tmp_path, text)] == ["SMCI", "SMCI"]


def test_when_the_index_closed_names_the_article_s_index(tmp_path):
    text = (
        "TOKYO, March 4, 2024 - The Nikkei 225 rose 0.5% on Monday. The broader Topix slipped 0.1%.\n\n"
        "Monday's rise followed a 1.9% gain on Friday, when the index closed near the milestone."
    )
    assert _got(tmp_path, text)[-1][:3] == ("^N225", 1.9, D(2024, 3, 1))


@pytest.mark.parametrize(
    "text",
    [
        "2024-11-06\n\nSuper Micro finished down 18.1% on Wednesday, well off its morning low.",
        "11/12/2024 | 23:00\n\nMercredi, Super Micro a terminé en baisse de 18,1 %, loin de son plus bas niveau "
        "de la journée.",
    ],
)
def test_the_session_s_own_low_is_no_period(tmp_path, text):
    assert [(f, since) for _, f, _, _, since in _got(tmp_path, text)] == [(-18.1, "")]


def test_au_lendemain_d_une_seance_is_the_day_before(tmp_path):
    text = (
        "04/09/2024 | 16:42\n\nNvidia avance de 1 %, au lendemain d’une séance noire au cours de laquelle le titre "
        "a chuté de 9,5 %."
    )
    assert [(f, s, timing) for _, f, s, timing, _ in _got(tmp_path, text)] == [
        (1.0, D(2024, 9, 4), "intraday"),
        (-9.5, D(2024, 9, 3), "close_only"),
    ]


def test_a_closing_update_tells_closes(tmp_path):
    text = (
        "Publié le 06/10/2025 à 16:31\n\nVers 14H15 GMT, le Nasdaq prenait 0,4 %.\n\n"
        "Mise à jour après la clôture : le Nasdaq 100 a gagné 0,78 %."
    )
    assert [timing for _, _, _, timing, _ in _got(tmp_path, text)] == ["intraday", "close_only"]


def test_a_quebec_paper_s_time_is_montreal_s(tmp_path):
    text = "Mis à jour le 31 juil. 2025, 17:12\n\nArm a dégringolé de 13,44 % à 141,38 $US, jeudi à Wall Street."
    assert _got(tmp_path, text)[0][3] == "close_only"  # 17:12 in Montreal is after New York's close


def test_the_head_noun_of_the_clause_is_the_measure(tmp_path):
    text = (
        "Tokyo, 9 octobre 2025 (AWP) - Le Nikkei a fini jeudi en hausse.\n\nL'action du géant japonais de "
        "l'investissement dans les technologies SoftBank Group a bondi de 11 %."
    )
    assert [(t, f) for t, f, *_ in _got(tmp_path, text)] == [("9984.T", 11.0)]


def test_a_figure_in_brackets_is_the_name_s_before_it(tmp_path):
    text = "13/06/2024 | 22:40\n\nJeudi, le Nasdaq doit beaucoup à l'envolée de Broadcom (+12,27 %)."
    assert [(t, f) for t, f, *_ in _got(tmp_path, text)] == [("AVGO", 12.27)]


def test_a_rival_of_a_named_company_is_not_that_company(tmp_path):
    text = (
        "01/08/2024 | 08:00\n\nAMD a gagné 4,4 % mercredi. Mardi soir, le titre du concurrent d’Intel avait pris "
        "jusqu’à 8 % dans les échanges après-Bourse."
    )
    assert [(t, f, timing) for t, f, _, timing, _ in _got(tmp_path, text)][-1] == ("AMD", 8.0, "after_hours")


# --- the second unseen part's one run --------------------------------------------------------------


def test_bullet_points_are_claims_not_headlines(tmp_path):
    text = (
        "2024-07-04\n\nThe Topix rose 1% on Thursday.\n\nQuick notes:\n\n- the Nikkei 225 added 0.82% to 40,913.65\n"
        "- SoftBank Group jumped 5.4%, the biggest boost to the index\n"
    )
    assert [(t, f) for t, f, *_ in _got(tmp_path, text)] == [("TOPIX", 1.0), ("^N225", 0.82), ("9984.T", 5.4)]


def test_breaking_above_a_peak_is_a_level_not_a_period(tmp_path):
    text = "2024-07-04\n\nThe Topix rose as much as 1.0% on Thursday, breaking above the peak it set in December 1989."
    assert [(t, f, since) for t, f, _, _, since in _got(tmp_path, text)] == [("TOPIX", 1.0, "")]


def test_a_closing_update_naming_the_next_weekday_looks_forward(tmp_path):
    text = (
        "Wednesday, October 22, 2025\n\nVertiv closed down 1.8% on Wednesday.\n\n"
        "Update, Thursday 4:10 p.m. ET: Vertiv bounced back, rising 6.8% in Thursday's session."
    )
    assert [(f, s) for _, f, s, *_ in _got(tmp_path, text)] == [(-1.8, D(2025, 10, 22)), (6.8, D(2025, 10, 23))]


def test_a_dateline_whose_own_day_is_the_lede_s_weekday_in_one_year_only(tmp_path):
    text = "SAN FRANCISCO, Feb 27 (Agency) - Nvidia slumped 8.5% on Thursday.\n\nSo far in 2025 the shares are down."
    assert _claims(tmp_path, text) == [("NVDA", -8.5, D(2025, 2, 27))]  # 27 Feb: a Thursday in 2025, a Friday in 2026


def test_a_year_named_in_the_next_clause_is_not_the_figure_s(tmp_path):
    text = "Broadcom's shares have fallen more than 20% so far this year, after doubling in 2024."
    got = [(f, s, since) for _, f, s, _, since in _got(tmp_path, text, reference_date=D(2025, 3, 7))]
    assert got[0] == (-20.0, D(2025, 3, 7), "2024-12-31")  # this year's move, not 2024's


# --- the seen parts' leftovers, before the third unseen part ----------------------------------------


def test_a_quote_strip_with_bars_is_no_claim(tmp_path):
    text = (
        "Oracle soars on cloud contracts\n\nOracle Corporation (NYSE: ORCL) | $328.33 | +35.95%\n\n"
        "2025-09-11\n\nShares of Oracle (NYSE:ORCL) climbed 35.95% on Wednesday."
    )
    assert _claims(tmp_path, text) == [("ORCL", 35.95, D(2025, 9, 10))]


def test_futures_are_not_the_index(tmp_path):
    text = "2025-10-22\n\nS&P 500 futures were up 0.4% before the bell. Vertiv rose 4% on Wednesday."
    found = extract([_write(tmp_path, text)])
    assert [(c.ticker, c.reported_percent) for c in found.claims] == [("VRT", 4.0)]
    assert [o.kind for o in found.other_figures] == ["futures"]


def test_a_description_goes_to_the_article_s_one_company(tmp_path):
    text = (
        "2025-10-22\n\nVertiv (VRT) opened up 4.5% on Wednesday, while the Nasdaq fell 0.3%. "
        "By noon the cooling equipment supplier was down 6% at its session low."
    )
    got = [(t, f, timing) for t, f, _, timing, _ in _got(tmp_path, text)]
    assert got[-1] == ("VRT", -6.0, "intraday")


def test_the_nouns_of_a_description_name_no_measure(tmp_path):
    text = (
        "13/08/2025\n\nLe géant japonais de l'investissement SoftBank Group, poids lourd de l'indice, "
        "a bondi de 6,9 % mardi."
    )
    assert _claims(tmp_path, text) == [("9984.T", 6.9, D(2025, 8, 12))]


def test_a_person_s_conglomerate_is_his_company(tmp_path):
    text = (
        "13/08/2025\n\nSoftBank Group a gagné 0,3 % mercredi à Tokyo, et Arm 1 % à New York. "
        "Le conglomérat de Masayoshi Son a plus que doublé depuis avril."
    )
    got = [(t, f, since) for t, f, _, _, since in _got(tmp_path, text)]
    assert ("9984.T", 100.0, "2025-03-31") in got


def test_going_into_the_report_ends_a_period_at_the_close_before_it(tmp_path):
    text = (
        "2025-10-22\n\nVertiv closed down 1.8% on Wednesday, after a run that had left it up about 54% this year "
        "going into its results."
    )
    got = [(f, s, since) for _, f, s, _, since in _got(tmp_path, text)]
    assert got == [(-1.8, D(2025, 10, 22), ""), (54.0, D(2025, 10, 21), "2024-12-31")]
    text = (
        "2025-01-30\n\nOn Wednesday the stock of Microsoft ended down 1.1%, leaving it up 4.9% this year "
        "ahead of its report."
    )
    got = [(f, s, since) for _, f, s, _, since in _got(tmp_path, text)]
    assert got[-1] == (4.9, D(2025, 1, 29), "2024-12-31")  # the report came after that close: no step back


def test_months_through_a_day_are_a_period_to_that_day(tmp_path):
    text = "Broadcom rose 8.6% on Friday. Counting the 12 months through Thursday, the shares are up about 35%."
    got = [(t, f, s, since) for t, f, s, _, since in _got(tmp_path, text, reference_date=D(2025, 3, 7))]
    assert got[-1] == ("AVGO", 35.0, D(2025, 3, 6), "2024-03-06")


def test_a_day_after_the_figure_in_a_pronoun_s_clause_is_that_clause_s(tmp_path):
    text = "Broadcom rallied. The stock closed Friday up 8.6%, more than erasing the ground it gave up on Thursday."
    assert _claims(tmp_path, text, reference_date=D(2025, 3, 7)) == [("AVGO", 8.6, D(2025, 3, 7))]


def test_a_segment_s_growth_after_an_apposition_naming_ai_is_no_move(tmp_path):
    text = (
        "2025-02-27\n\nNvidia slumped 8.5% on Thursday. Its revenue rose 78%, with sales of data center chips, "
        "the processors behind AI models, up 93%."
    )
    assert _claims(tmp_path, text) == [("NVDA", -8.5, D(2025, 2, 27))]


def test_a_sentence_opening_on_a_company_makes_it_the_topic(tmp_path):
    text = (
        "2025-02-27\n\nNvidia slumped 8.5% on Thursday, and AMD fell 5%. Nvidia's quarterly revenue had risen 78%. "
        "So far this year, the shares are down 10.5%."
    )
    assert [(t, f) for t, f, *_ in _got(tmp_path, text)][-1] == ("NVDA", -10.5)
    text = (
        "2025-09-10\n\nOracle jumped 36% on Wednesday. Deutsche Bank raised its target by 40%. "
        "The stock is up 90% this year."
    )
    assert [(t, f) for t, f, *_ in _got(tmp_path, text)][-1] == ("ORCL", 90.0)  # a broker with no claim is no topic


def test_a_dateline_without_a_city_dates_the_story(tmp_path):
    for line in ("Feb 8, 2024 - ", "February 8, 2024 – "):
        assert _claims(tmp_path, line + "Arm surged 30% on Wednesday.") == [("ARM", 30.0, D(2024, 2, 7))]


def test_as_of_a_close_ends_a_period_on_that_session(tmp_path):
    text = "2025-05-07 - Arm's shares had climbed more than 91% this year as of Tuesday's close."
    assert [(f, s, since) for _, f, s, _, since in _got(tmp_path, text)] == [(91.0, D(2025, 5, 6), "2024-12-31")]


def test_a_quarter_s_move_is_a_period_not_a_session(tmp_path):
    text = "Feb 8, 2024 - Before Wednesday's rally in New York, Arm shares jumped 40% in the December quarter."
    found = extract([_write(tmp_path, text)])
    assert not found.claims and [o.kind for o in found.other_figures] == ["period move"]


@pytest.mark.parametrize(
    "verb", ["s'est écrasé de", "a sombré de", "a fléchi de", "a fondu de", "a décliné de", "s'est enfoncé de"]
)
def test_french_down_verbs(tmp_path, verb):
    assert _claims(tmp_path, f"13/08/2025\n\nMercredi, SoftBank Group {verb} 2,1 %.") == [
        ("9984.T", -2.1, D(2025, 8, 13))
    ]


def test_a_relative_clause_s_own_timing_word(tmp_path):
    text = (
        "13/08/2025\n\nL'indice Nikkei, qui avait ouvert mercredi en hausse de plus de 1,7 %, a terminé sur un gain "
        "amoindri de 1,3 %."
    )
    assert [(f, timing) for _, f, _, timing, _ in _got(tmp_path, text)] == [(1.7, "open"), (1.3, "close_only")]


def test_a_number_word_opening_a_sentence_is_no_name(tmp_path):
    text = "Dec 16, 2024 - Super Micro left the Nasdaq 100. Five months after joining, the stock is down 7% on it."
    assert [(t, f) for t, f, *_ in _got(tmp_path, text)] == [("SMCI", -7.0)]


def test_a_period_of_the_clause_before_a_conjunction_is_not_the_next_figure_s(tmp_path):
    text = "Dec 16, 2024 - Palantir shares have gained almost 340% so far this year and were up 4% on Monday."
    got = [(f, s, since) for _, f, s, _, since in _got(tmp_path, text)]
    assert got == [(340.0, D(2024, 12, 16), "2023-12-31"), (4.0, D(2024, 12, 16), "")]
    text = "Dec 16, 2024 - Since January, Palantir shares have risen 340%."  # a fronted period stays the figure's
    assert [since for *_, since in _got(tmp_path, text)] == ["2023-12-31"]


def test_reuters_codes_name_the_security_before_them(tmp_path):
    text = (
        "25/08/2025\n\nL'indice Dow Jones .DJI a cédé 0,77 %, ou 349,27 points. Le Nasdaq Composite .IXIC a reculé de "
        "47,24 points, soit 0,22 %. L'action Nvidia NVDA.O a progressé de 1,03 % lundi."
    )
    assert [(t, f) for t, f, *_ in _got(tmp_path, text)] == [("^DJI", -0.77), ("^IXIC", -0.22), ("NVDA", 1.03)]


def test_respectively_after_a_notation_and_a_french_partitive(tmp_path):
    text = "20/02/2024\n\nMardi, les titres de Super Micro Computer (SMCI) et d'Arm ont lâché respectivement "
    text += "1,96 % et 5,12 %."
    assert _claims(tmp_path, text) == [("SMCI", -1.96, D(2024, 2, 20)), ("ARM", -5.12, D(2024, 2, 20))]


def test_a_participle_clause_s_day_is_not_the_first_figure_s(tmp_path):
    text = (
        "21/02/2024\n\nNvidia a chuté de 2,2 %, s'ajoutant à la baisse de plus de 4 % enregistrée la veille. "
        "Le Nasdaq Composite a perdu 0,83 %."
    )
    got = [(t, f, s) for t, f, s, *_ in _got(tmp_path, text)]
    assert got[1] == ("NVDA", -4.0, D(2024, 2, 20))
    assert got[0][2] != D(2024, 2, 20) and got[2][2] != D(2024, 2, 20)  # neither the first figure nor the next sentence


def test_an_english_thousands_separator_in_a_figure(tmp_path):
    text = "Jan 27, 2025 - Nvidia fell 17% on Monday. The stock has soared roughly 1,900% over the past five years."
    got = [(f, since) for _, f, _, _, since in _got(tmp_path, text)]
    assert got[-1] == (1900.0, "2020-01-27")  # not 1.9; five years back from the article's day
    text = "27/01/2025\n\nLundi, Nvidia a perdu 1,900 %."  # French: a decimal comma
    assert _claims(tmp_path, text) == [("NVDA", -1.9, D(2025, 1, 27))]


def test_at_market_open_is_the_opening_quote(tmp_path):
    text = "Jan 27, 2025 - Nvidia shares tumbled 13% at market open on Monday."
    assert [(f, timing) for _, f, _, timing, _ in _got(tmp_path, text)] == [(-13.0, "open")]


def test_a_hyphenated_chip_maker_is_the_article_s_chipmaker(tmp_path):
    text = "Jan 27, 2025 - The chip-maker's stock had plunged 16% as of midday Monday, Nvidia said."
    assert [(t, f, timing) for t, f, _, timing, _ in _got(tmp_path, text)] == [("NVDA", -16.0, "midday")]


def test_a_list_of_years_gives_each_figure_its_own_year(tmp_path):
    text = "Jan 28, 2025 - Nvidia fell 17% on Monday, after its stock soared 239% in 2023 and 171% in 2024."
    got = [(f, s, since) for _, f, s, _, since in _got(tmp_path, text)]
    assert got[1:] == [(239.0, D(2023, 12, 29), "2022-12-31"), (171.0, D(2024, 12, 31), "2023-12-31")]


def test_a_figure_after_a_second_name_and_verb_is_that_name_s(tmp_path):
    text = "Jan 28, 2025 - Broadcom fell 17% on Monday, while the S&P 500 dropped and the Nasdaq fell over 3%."
    assert [(t, f) for t, f, *_ in _got(tmp_path, text)] == [("AVGO", -17.0), ("^IXIC", -3.0)]


def test_at_the_start_of_trading_is_the_opening_quote(tmp_path):
    text = "Oct 6, 2025 - AMD shares surged over 30% at the start of trading on Monday."
    assert [(f, timing) for _, f, _, timing, _ in _got(tmp_path, text)] == [(30.0, "open")]


def test_a_leap_in_a_company_s_share_price_is_its_move(tmp_path):
    text = "Oct 6, 2025 - The more-than 25% leap in AMD's share price in pre-market trading today followed the deal."
    found = extract([_write(tmp_path, text)])
    assert [(c.ticker, c.reported_percent, c.timing, c.bound) for c in found.claims] == [
        ("AMD", 25.0, "premarket", "at_least")
    ]


def test_a_day_after_the_stock_fell_is_the_day_before(tmp_path):
    text = (
        "Jan 31, 2025 - Shares of Microsoft were little changed on Friday, a day after the stock suffered its largest "
        "single-day decline since 2020, falling 6.2% following the company's report."
    )
    assert _claims(tmp_path, text) == [("MSFT", -6.2, D(2025, 1, 30))]
    text = "Jan 31, 2025 - On Friday, a day after the report, Microsoft fell 6.2%."  # the report's day after: Friday
    assert _claims(tmp_path, text) == [("MSFT", -6.2, D(2025, 1, 31))]


def test_as_much_as_in_extended_trading_is_after_hours(tmp_path):
    text = (
        "Jan 29, 2025 - Microsoft shares, which had been up as much as 4% in extended trading following the "
        "headline beat, reversed course to trade down over 3%."
    )
    assert [(f, timing) for _, f, _, timing, _ in _got(tmp_path, text)] == [(4.0, "after_hours"), (-3.0, "after_hours")]


def test_moves_over_years_back(tmp_path):
    text = (
        "05/09/2025\n\nDepuis le début de l'année, l'action Broadcom a gagné plus de 30 %, flambé de 100 % sur un an "
        "et de 740 % sur cinq ans."
    )
    assert [since for *_, since in _got(tmp_path, text)] == ["2024-12-31", "2024-09-05", "2020-09-05"]
    text = "Sept 5, 2025 - Broadcom shares are up 100% over the past year."
    assert [since for *_, since in _got(tmp_path, text)] == ["2024-09-05"]


def test_a_floor_of_a_named_month_is_that_month_s_lowest_close(tmp_path):
    for text in (
        "05/09/2025\n\nLes actions Broadcom ont plus que doublé depuis leur plancher du mois d'avril.",
        "05/09/2025\n\nL'action Broadcom a gagné 120 % depuis son plancher du mois d'avril.",
    ):
        assert [since for *_, since in _got(tmp_path, text)] == ["low:2025-04"]


def test_a_symbol_after_a_french_price_noun(tmp_path):
    text = "13/10/2025\n\nAlors que la Bourse s'ouvrait lundi, le cours de l'action AVGO a bondi de plus de 7 %."
    assert [(t, f, timing) for t, f, _, timing, _ in _got(tmp_path, text)] == [("AVGO", 7.0, "open")]


def test_a_metric_before_an_amount_with_a_decimal_comma_and_a_currency(tmp_path):
    text = (
        "31/07/2025\n\nArm, contrôlé par SoftBank Group, a dégagé un chiffre d'affaires record de 1,05 milliard $US "
        "au premier trimestre, en hausse de 12 % sur un an."
    )
    found = extract([_write(tmp_path, text)])
    assert not found.claims and [o.kind for o in found.other_figures] == ["metric"]


# --- the third unseen part's one run -----------------------------------------------------------------


def test_a_dotted_date_line_and_a_live_page_s_span_of_days(tmp_path):
    text = "Fed wrap\n\n2024.12.19 06:41\n\nThe Nasdaq had closed at a record on Monday, rising 1.24%."
    assert _claims(tmp_path, text) == [("^IXIC", 1.24, D(2024, 12, 16))]
    text = "Oracle live\n\nLive updates | Sept. 9-10, 2024\n\nOracle ended Tuesday up 11.4% at $155.89."
    assert _claims(tmp_path, text) == [("ORCL", 11.4, D(2024, 9, 10))]


def test_since_a_dated_record_close_with_an_abbreviated_month(tmp_path):
    text = "2024.12.19 06:41\n\nThe S&P 500 fell on Wednesday. It has now lost 3.6% since its Dec. 6 record close."
    got = [(t, f, since) for t, f, _, _, since in _got(tmp_path, text)]
    assert ("^GSPC", -3.6, "2024-12-06") in got


def test_right_after_opening_a_sentence_is_no_name(tmp_path):
    text = "2024.12.19 06:41\n\nRight after the statement, the S&P 500 was down 1.4% and the Nasdaq 1.9%."
    assert [(t, f) for t, f, *_ in _got(tmp_path, text)] == [("^GSPC", -1.4), ("^IXIC", -1.9)]


def test_a_title_ending_on_its_date_dates_the_story(tmp_path):
    text = (
        "Japan Stock Market Today: SoftBank Sinks Again (November 25, 2025)\n\nSoftBank Group fell 9.95% on Tuesday, "
        "after a 10.9% drop on Friday."
    )
    assert _claims(tmp_path, text) == [("9984.T", -9.95, D(2025, 11, 25)), ("9984.T", -10.9, D(2025, 11, 21))]


def test_the_day_of_another_event_before_a_figure_is_not_its_session(tmp_path):
    text = (
        "2025-11-25\n\nMarkets reopened on Tuesday. After Monday's holiday, the Nikkei was up as much as 1.14% "
        "in the morning."
    )
    assert [(f, s) for _, f, s, *_ in _got(tmp_path, text)] == [(1.14, D(2025, 11, 25))]


def test_a_named_month_s_move(tmp_path):
    text = "June 3, 2025 - Constellation Energy jumped 1% on Tuesday. It rose more than 37% in May alone."
    got = [(f, s, since) for _, f, s, _, since in _got(tmp_path, text)]
    assert got[-1] == (37.0, D(2025, 5, 30), "2025-04-30")
    text = "2024-11-14 - Super Micro shares are down 85% since peaking in March."  # March holds the reference
    assert [since for *_, since in _got(tmp_path, text)] == ["high:2024-03"]


def test_after_a_day_s_slide_a_state_is_as_of_that_day(tmp_path):
    text = "Jan 28, 2025\n\nNvidia rebounded 8.9% on Tuesday after Monday's rout, in which the stock lost 17%."
    assert _claims(tmp_path, text)[-1] == ("NVDA", -17.0, D(2025, 1, 27))  # the rout's own figure: Monday


def test_a_later_figure_s_reference_day_is_not_shared(tmp_path):
    text = (
        "2025-03-10\n\nThe VanEck Semiconductor ETF (SMH) tumbled 4.7% on the day, and has now lost about 17% "
        "since January 17."
    )
    got = [(f, s, since) for _, f, s, _, since in _got(tmp_path, text)]
    assert got[0][1] != D(2025, 1, 17) and got[1][2] == "2025-01-17"


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        ("date 2025-03-10\nThe Nasdaq Composite fell 4% on Monday. The composite now stands 13.4% below the record "
         "close it set in December.", ("^IXIC", -13.4, D(2025, 3, 10), "high:2024-12")),
        ("date 2024-08-06\nSuper Micro rose 3% on Tuesday, yet the shares sat around 48% below the record close they "
         "set in March.", ("SMCI", -48.0, D(2024, 8, 6), "high:2024-03")),
        ("date 2025-03-10\nNvidia slid 5% on Monday, leaving the AI bellwether roughly 28% under its January peak.",
         ("NVDA", -28.0, D(2025, 3, 10), "high:2025-01")),
        ("date 2025-02-05\nAMD fell 6.3% on Wednesday and is now about 47 per cent below their March 2024 peak.",
         ("AMD", -47.0, D(2025, 2, 5), "high:2024-03")),
        ("date 2025-11-25\nSoftBank shares tumbled 9.9% on Tuesday. The stock has now lost about 43% from its "
         "late-October peak.", ("9984.T", -43.0, D(2025, 11, 25), "high:2025-10")),
        ("2024-07-18\nLe 17 juillet, Nvidia a reculé de 6,62 % à 117,99 dollars, soit environ 13 % sous son sommet "
         "de clôture du 18 juin.", ("NVDA", -13.0, D(2024, 7, 17), "2024-06-18")),
        ("2025-11-25\nSoftBank a chuté de 9,95 % mardi. Depuis son record de fin octobre, le titre a perdu plus "
         "de 40%.", ("9984.T", -40.0, D(2025, 11, 25), "high:2025-10")),
        ("2025-03-11\nMardi, le Nasdaq a encore reculé de 0,2 %. Il se situe désormais 14 % sous son record de "
         "décembre.", ("^IXIC", -14.0, D(2025, 3, 11), "high:2024-12")),
        ("date 2024-09-06\nNvidia fell 4.1% on Friday and now trades 26% beneath its June 18 closing high.",
         ("NVDA", -26.0, D(2024, 9, 6), "2024-06-18")),
        ("date 2024-09-06\nNvidia fell 4.1% on Friday, leaving it 20% off the all-time high it reached in June.",
         ("NVDA", -20.0, D(2024, 9, 6), "high:2024-06")),
    ],
)  # fmt: skip
def test_a_distance_below_a_peak_is_a_period_from_that_peak(tmp_path, text, claim):
    """ "13.4% below the record close it set in December", "13 % sous son sommet de clôture du 18 juin"."""
    got = _periods(tmp_path, text)
    assert got[-1][:4] == claim and got[0][3] == ""


@pytest.mark.parametrize(
    "text",
    [
        "2025-03-07\nVendredi, le S&P 500 a fini en hausse de 0,6 %, au-dessus de son plus bas de février.",
        "date 2025-03-07\nThe S&P 500 added 0.6% on Friday, still short of its February record.",
    ],
)
def test_a_level_after_a_comma_is_not_the_figures_period(tmp_path, text):
    """The figure is the day's move; the words after the comma say where the index stands."""
    assert _periods(tmp_path, text) == [("^GSPC", 0.6, D(2025, 3, 7), "", "")]


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        ("2024-07-18\nLe 17 juillet, le fonds négocié en bourse iShares Semiconductor (SOXX), qui suit l'indice des "
         "semi-conducteurs de Philadelphie, a plongé de 7,11 %.", [("SOXX", -7.11, D(2024, 7, 17))]),
        ("2024-08-08\nMercredi, Nvidia a baissé de 5,1 pour cent. Le fonds VanEck Semi-conducteur (SMH) a cédé 2,75 "
         "pour cent.", [("NVDA", -5.1, D(2024, 8, 7)), ("SMH", -2.75, D(2024, 8, 7))]),
        ("date 2024-08-08\nOn Wednesday the Invesco tracker (QQQ) lost 1.1%.", [("QQQ", -1.1, D(2024, 8, 7))]),
        ("2024-07-18\nLe 17 juillet, l'indice composé du Nasdaq a été entraîné vers le bas de 2,77 %.",
         [("^IXIC", -2.77, D(2024, 7, 17))]),
        ("2025-11-25\nMardi, l'indice vedette Nikkei a grappillé 0,07% à 48.659,52 points.",
         [("^N225", 0.07, D(2025, 11, 25))]),
        ("date 2025-03-10\nStocks sank on Monday. Nvidia (NVDA) took a 5.1% hit on the day.",
         [("NVDA", -5.1, D(2025, 3, 10))]),
        ("date 2025-03-10\nNvidia hit a record on Monday, up 3%.", [("NVDA", 3.0, D(2025, 3, 10))]),
    ],
)  # fmt: skip
def test_funds_by_their_notation_and_more_verbs(tmp_path, text, claims):
    """A name before a known ticker in parentheses is that ticker's; "entraîné vers le bas", "grappillé", "a hit"."""
    assert _claims(tmp_path, text) == claims


def test_a_wires_local_date_opening_the_lede_is_the_storys_day(tmp_path):
    """ "Le 17 juillet, heure locale, …" in an article dated the 18th: unnamed days after it are the 17th."""
    text = (
        "2024-07-18\n\nLe 17 juillet, heure locale, les valeurs des semi-conducteurs ont lourdement chuté à Wall "
        "Street après des propos sur Taïwan.\n\nAMD a perdu 10,21 %. Le fonds iShares Semiconductor (SOXX) a "
        "plongé de 7,11 %. Jusqu'à mardi, ce fonds affichait encore une progression de plus de 36 % depuis le "
        "début de l'année."
    )
    got = _periods(tmp_path, text)
    assert got == [
        ("AMD", -10.21, D(2024, 7, 17), "", ""),
        ("SOXX", -7.11, D(2024, 7, 17), "", ""),
        ("SOXX", 36.0, D(2024, 7, 16), "2023-12-31", "at_least"),
    ]


def test_a_result_clause_keeps_the_previous_figures_company(tmp_path):
    """ "X took a 5.1% hit, leaving the AI bellwether 28% under its January peak, and Y lost 5.4%"."""
    text = (
        "date 2025-03-10\nChip stocks bore the brunt on Monday. Nvidia (NVDA) took a 5.1% hit, leaving the AI "
        "bellwether roughly 28% under its January peak, and Broadcom (AVGO) lost 5.4%."
    )
    got = _periods(tmp_path, text)
    assert [(t, f, since) for t, f, _, since, _ in got] == [
        ("NVDA", -5.1, ""), ("NVDA", -28.0, "high:2025-01"), ("AVGO", -5.4, "")
    ]  # fmt: skip


def test_a_session_word_after_a_day_is_no_session_extreme(tmp_path):
    """ "since January 17, the last session before …": a period from that day, not "its session low"."""
    text = (
        "date 2025-03-10\nThe VanEck Semiconductor ETF (SMH) tumbled 4.7% on Monday and has now lost about 17% since "
        "January 17, the last session before the inauguration."
    )
    assert [(f, since) for _, f, _, since, _ in _periods(tmp_path, text)] == [(-4.7, ""), (-17.0, "2025-01-17")]


def test_an_index_story_told_through_the_average_and_it(tmp_path):
    """ "higher than Friday's finish" names no session; "the average" is the Nikkei, not the Topix named after it;
    "At the close it…" and "It had risen…" are the index of the sentence before; a flashback sets no later day."""
    text = (
        "Tokyo stocks at a record\n\nOctober 27, 2025 at 16:10 JST\n\nTOKYO -- The Nikkei Stock Average opened 600 "
        "points higher than Friday's finish and rose as much as 2.5 percent in the morning. At the close it stood at "
        "50,512.32, a gain of 2.46 percent. The broader Topix climbed 1.70 percent.\n\nThe average has gained more "
        "than 10 percent since Oct. 3. It had already risen 1.35 percent on Thursday last week.\n\nSoftBank Group "
        "surged 6.7 percent. The stock is up roughly 178 percent this year."
    )
    got = _periods(tmp_path, text)
    monday, thursday = D(2025, 10, 27), D(2025, 10, 23)
    assert [(t, f, s or monday, since) for t, f, s, since, _ in got] == [
        ("^N225", 2.5, monday, ""), ("^N225", 2.46, monday, ""), ("TOPIX", 1.7, monday, ""),
        ("^N225", 10.0, monday, "2025-10-03"), ("^N225", 1.35, thursday, ""),
        ("9984.T", 6.7, monday, ""), ("9984.T", 178.0, monday, "2024-12-31"),
    ]  # fmt: skip


def test_a_paper_dated_before_the_open_telling_the_evening_and_the_next_session(tmp_path):
    """ "Published Wed, Feb 5, 2025 · 08:05 AM": the lede's Tuesday is the story's day; "they" is the shares."""
    text = (
        "AMD falls on data centre miss\n\nPublished Wed, Feb 5, 2025 · 08:05 AM\n\n"
        "Advanced Micro Devices (AMD) was sold in late trading on Tuesday after its data centre sales missed "
        "forecasts.\n\nIn extended trading the shares gave up more than 8 per cent. Heading into the report they "
        "were down 1.1 per cent for the year as of Tuesday's (Feb 4) close.\n\nOn Wednesday they finished the "
        "session down 6.3 per cent. Data centre revenue rose 69 per cent, and it was short of estimates by 5%."
    )
    got = extract([_write(tmp_path, text)])
    claims = [(c.ticker, c.reported_percent, c.session, c.timing, c.since) for c in got.claims]
    assert claims == [
        ("AMD", -8.0, D(2025, 2, 4), "after_hours", ""),
        ("AMD", -1.1, D(2025, 2, 4), "close", "2024-12-31"),
        ("AMD", -6.3, D(2025, 2, 5), "close_only", ""),
    ]
    assert {f.value_percent for f in got.other_figures} == {69.0, 5.0}


def test_a_clause_after_a_figure_is_not_a_pronoun_opening(tmp_path):
    """ "The preliminary figures it gave showed a margin of 13%, down from 15%": no claim, even after one."""
    text = (
        "date 2024-11-14\nThe S&P 500 fell 0.6% on Wednesday. The preliminary figures it gave showed a gross margin "
        "of about 13%, down from more than 15% a year earlier."
    )
    assert _claims(tmp_path, text) == [("^GSPC", -0.6, D(2024, 11, 13))]


@pytest.mark.parametrize(
    ("text", "since"),
    [
        ("date 2025-03-10\nThe Nasdaq fell 4% on Monday and now stands 13.4% below its record high.", "high:record"),
        ("date 2025-03-10\nNvidia fell 5% on Monday and is 27% below its all-time high.", "high:record"),
        ("2025-03-10\nNvidia a chuté de 5 % lundi et se situe 27 % sous son plus haut historique.", "high:record"),
        ("date 2025-03-10\nNvidia fell 5% on Monday and is 20% below its 52-week high.", None),
        ("date 2025-03-10\nNvidia fell 5% on Monday, 9% off its recent peak.", None),
        ("date 2025-03-10\nNvidia fell 5% on Monday and is 30% below its 2024 high.", None),
    ],
)
def test_a_record_without_a_month_is_the_highest_close_of_the_history(tmp_path, text, since):
    """ "below its record high", "sous son plus haut historique": high:record; a 52-week or recent peak: no claim."""
    got = _periods(tmp_path, text)
    assert got[0][:4] == ("NVDA" if "Nvidia" in text else "^IXIC", -5.0 if "Nvidia" in text else -4.0,
                          D(2025, 3, 10), "")  # fmt: skip
    assert [c[3] for c in got[1:]] == ([since] if since else [])


def test_period_words_opening_a_sentence_cover_its_respectively_list(tmp_path):
    """ "Depuis leurs plus hauts, A et B accusent un recul de respectivement x % et y %": both from their records."""
    text = (
        "Publié le 10/03/2025 à 22h40\n\nLundi, le Nasdaq a lâché 4 %. Depuis leurs plus hauts, le Nasdaq et le "
        "S&P 500 accusent désormais un recul de respectivement 13,4 % et 8,6 %."
    )
    got = _periods(tmp_path, text)
    assert [(t, f, s, since) for t, f, s, since, _ in got] == [
        ("^IXIC", -4.0, D(2025, 3, 10), ""),
        ("^IXIC", -13.4, D(2025, 3, 10), "high:record"),
        ("^GSPC", -8.6, D(2025, 3, 10), "high:record"),
    ]


def test_a_descriptions_complement_names_no_measure(tmp_path):
    """ "Le groupe japonais d'investissement a dégringolé de 9,95 %": the group's price, not an investment figure."""
    text = "2025-11-25\nSoftBank Group a publié mardi. Le groupe japonais d'investissement a dégringolé de 9,95% mardi."
    assert _claims(tmp_path, text) == [("9984.T", -9.95, D(2025, 11, 25))]


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        ("date 2025-07-31\nArm Holdings (ARM -13.43%) stock slid 8.6% in Wednesday's after-hours trading.",
         [("ARM", -8.6, D(2025, 7, 30), "after_hours", "")]),
        ("date 2025-05-08\nSo far this year, Arm has gained nearly 1%, compared with Nvidia and AMD's loss of nearly "
         "13% and 17%, respectively, in the same period.",
         [("ARM", 1.0, D(2025, 5, 8), "close", "2024-12-31"), ("NVDA", -13.0, D(2025, 5, 8), "close", "2024-12-31"),
          ("AMD", -17.0, D(2025, 5, 8), "close", "2024-12-31")]),
        ("date 2024-06-13\nBroadcom shares closed at $1,495.51 on Wednesday, up 2.36%. As of mid-morning Thursday, it "
         "was the top performer in the S&P 500, up over 13% at $1,696.",
         [("AVGO", 2.36, D(2024, 6, 12), "close_only", ""), ("AVGO", 13.0, D(2024, 6, 13), "intraday", "")]),
        ("2025-12-11\nDans les premiers échanges jeudi, Oracle chute de 15,56%. Dans son sillage, Nvidia recule de "
         "2,33%, Advanced Micro Devices de 2,75% et Microsoft de 0,20%. Les résultats de Broadcom (-3,13%), attendus "
         "après la clôture, seront un nouveau test.",
         [("ORCL", -15.56, D(2025, 12, 11), "open", ""), ("NVDA", -2.33, D(2025, 12, 11), "intraday", ""),
          ("AMD", -2.75, D(2025, 12, 11), "intraday", ""), ("MSFT", -0.2, D(2025, 12, 11), "intraday", ""),
          ("AVGO", -3.13, D(2025, 12, 11), "intraday", "")]),
        ("2025-12-10\nAu terme des échanges mercredi, le Dow Jones progressait de plus de 1%.",
         [("^DJI", 1.0, D(2025, 12, 10), "close_only", "")]),
    ],
)  # fmt: skip
def test_more_wire_and_blog_constructions(tmp_path, text, claims):
    """A live-quote notation "(ARM -13.43%)" is no claim; "in the same period" is the sentence's period; "it …
    in the S&P 500" is the company; "Advanced Micro Devices de 2,75%" keeps the shared verb's sign; "Broadcom
    (-3,13%), attendus après la clôture" is the story's quote; "Au terme des échanges" is the close."""
    found = extract([_write(tmp_path, text)])
    assert [(c.ticker, c.reported_percent, c.session, c.timing, c.since) for c in found.claims] == claims


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        ("date 2024-10-30\nSuper Micro shares are down 34% premarket to $33.90 on Wednesday after its auditor quit.",
         [("SMCI", -34.0, D(2024, 10, 30), "premarket", "")]),
        ("date 2024-10-30\nShares of Super Micro, which hit a record $122.90 in March, plummeted 34% to $32.42 on "
         "Wednesday.", [("SMCI", -34.0, D(2024, 10, 30), "close", "")]),
        ("date 2024-10-30\nSuper Micro Computer's shares took a nosedive of more than 30% on Wednesday morning.",
         [("SMCI", -30.0, D(2024, 10, 30), "intraday", "")]),
        ("2024-08-05\nL'action du géant japonais SoftBank Group a signé la plus forte dégringolade de la journée "
         "lundi, -18,68%.", [("9984.T", -18.68, D(2024, 8, 5), "close", "")]),
    ],
)  # fmt: skip
def test_constructions_of_more_real_pages(tmp_path, text, claims):
    """ "down 34% premarket", a relative clause's "in March" is not the figure's period, "plummeted", "took a
    nosedive of", a signed figure after "la plus forte dégringolade de la journée"."""
    found = extract([_write(tmp_path, text)])
    assert [(c.ticker, c.reported_percent, c.session, c.timing, c.since) for c in found.claims] == claims


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        ("2024-07-31\nLe cours de Microsoft qui a clôturé mardi en baisse de 0,89%, a chuté dans les échanges "
         "électroniques post-clôture, avec un plongeon de 6,68%.",
         [("MSFT", -0.89, D(2024, 7, 30), "close_only"), ("MSFT", -6.68, D(2024, 7, 30), "after_hours")]),
        ("2024-07-31\nLe titre Microsoft perdait 2,72 % mardi lors des échanges électroniques après la clôture.",
         [("MSFT", -2.72, D(2024, 7, 30), "after_hours")]),
        ("2025-01-28\nLe S&P 500 est presque 1,5% inférieur lundi.", [("^GSPC", -1.5, D(2025, 1, 27), "close_only")]),
    ],
)  # fmt: skip
def test_after_hours_in_french_and_a_translated_comparative(tmp_path, text, claims):
    """ "échanges électroniques post-clôture", "lors des échanges électroniques"; "1,5% inférieur"."""
    found = extract([_write(tmp_path, text)])
    assert [(c.ticker, c.reported_percent, c.session, c.timing) for c in found.claims] == claims


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        ("date 2025-11-12\nSoftBank Group 9984.T fell 5.16% on Wednesday.",
         [("9984.T", -5.16, D(2025, 11, 12), "close")]),
        ("date 2025-11-12\nAdvantest 6857.T and Tokyo Electron 8035.T were down 1.99% and 1.87%, respectively, on "
         "Wednesday.", [("6857.T", -1.99, D(2025, 11, 12), "close"), ("8035.T", -1.87, D(2025, 11, 12), "close")]),
        ("date 2025-11-12\nSoftBank Group ended 3.46% lower on Wednesday, after falling 10%, as the investor sold its "
         "Nvidia stake.",
         [("9984.T", -3.46, D(2025, 11, 12), "close_only"), ("9984.T", -10.0, D(2025, 11, 12), "intraday")]),
        ("date 2025-11-12\nThe Nikkei .N225 was up 0.1% at 50,881.59 on Wednesday, as of 0143 GMT.",
         [("^N225", 0.1, D(2025, 11, 12), "intraday")]),
    ],
)  # fmt: skip
def test_reuters_tokyo_constructions(tmp_path, text, claims):
    """A Reuters code with digits ("9984.T") ends no sentence and joins its name; "ended 3.46% lower, after falling
    10%": the day's low; "as of 0143 GMT" is during the session."""
    found = extract([_write(tmp_path, text)])
    assert [(c.ticker, c.reported_percent, c.session, c.timing) for c in found.claims] == claims


def test_a_closing_story_in_the_present_with_its_summary_bullets(tmp_path):
    """ "10/10/2025 - 22:41" (Paris, after New York's close): the present tense is the close; summary bullets above
    the story are its headline; "Sur l'ensemble de la semaine" is the week."""
    text = (
        "Wall Street décroche, le Nasdaq lâche 3,56%\n\n10/10/2025 - 22:41\n\n"
        "* Le S&P-500 recule de 2,71% et le Nasdaq de 3,56%\n* ARM cède plus de 9%\n\n"
        "Les menaces de droits de douane ont fait plonger la Bourse de New York vendredi, dans un marché inquiet.\n\n"
        "Le S&P 500 cède 2,71% et le Nasdaq Composite 3,56%. Sur l'ensemble de la semaine, le S&P-500 cède 2,43%."
    )
    found = extract([_write(tmp_path, text)])
    got = [(c.ticker, c.reported_percent, c.session, c.timing, c.since) for c in found.claims]
    friday = D(2025, 10, 10)
    assert got == [
        ("^GSPC", -2.71, friday, "close_only", ""),
        ("^IXIC", -3.56, friday, "close_only", ""),
        ("^GSPC", -2.43, friday, "close", "2025-10-05"),
    ]
    assert sorted(f.value_percent for f in found.other_figures if f.kind == "headline") == [-9.0, -3.56, -3.56, -2.71]


def test_a_date_line_with_a_gmt_offset(tmp_path):
    text = "NVIDIA slides after CES\n\nJan 8, 2025 08:15 (GMT+8)\n\nOn Tuesday, NVIDIA's share price dropped 6.2%."
    assert _claims(tmp_path, text) == [("NVDA", -6.2, D(2025, 1, 7))]


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        ("date 2025-11-04\nShares of Super Micro (SMCI) tumbled over 9% in Tuesday's extended session after results.",
         [("SMCI", -9.0, D(2025, 11, 4), "after_hours", "")]),
        ("date 2025-11-05\nOn Wednesday SMCI stock finished down 11.3%, after opening 5% lower. Advanced Micro Devices "
         "ended 2.5% higher, having opened 2.7% lower, while Nvidia slipped 1.8%.",
         [("SMCI", -11.3, D(2025, 11, 5), "close_only", ""), ("SMCI", -5.0, D(2025, 11, 5), "open", ""),
          ("AMD", 2.5, D(2025, 11, 5), "close_only", ""), ("AMD", -2.7, D(2025, 11, 5), "open", ""),
          ("NVDA", -1.8, D(2025, 11, 5), "close", "")]),
        ("Publié le 05/11/2025 à 17:08\n\nLe titre Super Micro avait cédé près de 9% mardi soir dans les échanges "
         "après-Bourse.", [("SMCI", -9.0, D(2025, 11, 4), "after_hours", "")]),
        ("date 2025-05-12\nThe Nasdaq jumped 4.35% on Monday, which lifted it more than 22% above its April 8 close.",
         [("^IXIC", 4.35, D(2025, 5, 12), "close", ""), ("^IXIC", 22.0, D(2025, 5, 12), "close", "2025-04-08")]),
        ("date 2025-05-12\nNvidia rose 5% on Monday, 3% above its previous close.",
         [("NVDA", 5.0, D(2025, 5, 12), "close", ""), ("NVDA", 3.0, D(2025, 5, 12), "close", "")]),
    ],
)  # fmt: skip
def test_extended_sessions_openings_and_named_closes(tmp_path, text, claims):
    """ "Tuesday's extended session", "mardi soir dans les échanges après-Bourse", "after opening 5% lower"; a
    clause with its own verb does not take the open of the one before; "above its April 8 close" is a period."""
    found = extract([_write(tmp_path, text)])
    assert [(c.ticker, c.reported_percent, c.session, c.timing, c.since) for c in found.claims] == claims


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "2025-09-23\n\nNvidia closed 3.97% higher on Monday. The shares have added 3% over the past month and more "
            "than 51% over six months.",
            [(3.97, ""), (3.0, "2025-08-22"), (51.0, "2025-03-22")],  # a month and six months before Monday 22 Sept
        ),
        (
            "23/09/2025\n\nNvidia a terminé lundi en hausse de 3,97 %. Le titre a pris 3 % sur un mois et plus de 51 % "
            "sur six mois.",
            [(3.97, ""), (3.0, "2025-08-22"), (51.0, "2025-03-22")],
        ),
    ],
)
def test_months_back_without_a_number_or_without_the(tmp_path, text, expected):
    got = _got(tmp_path, text)
    assert [(f, since) for _, f, s, _, since in got] == expected
    assert {s for _, _, s, _, _ in got} == {D(2025, 9, 22)}


@pytest.mark.parametrize(
    ("sentence", "figure"),
    [
        ("The Nasdaq Composite finished 157.50 points, or 0.70%, higher at 22,788.98.", 0.7),
        ("The Nikkei ended 914.14 points, or 1.74%, lower at 51,497.20.", -1.74),
        ("Le Nasdaq a terminé en recul de 962,82 points, soit 5,82 %, à 15 587,79 points.", -5.82),
    ],
)
def test_points_or_percent_then_the_direction_word(tmp_path, sentence, figure):
    got = _got(tmp_path, f"2025-11-05\n\n{sentence}")
    assert [f for _, f, *_ in got] == [figure]


@pytest.mark.parametrize("opening", ["Outside tech", "Beyond chips", "Across the sector", "Outside of technology"])
def test_an_opening_preposition_is_no_company(tmp_path, opening):
    text = f"Published Fri, Apr 4 2025 4:21 PM EDT\n\n{opening}, data center supplier Vertiv lost 12% on Friday."
    assert [(t, f, s) for t, f, s, *_ in _got(tmp_path, text)] == [("VRT", -12.0, D(2025, 4, 4))]


def test_a_day_after_aside_ends_before_the_next_clause(tmp_path):
    text = (
        "Published Fri, Apr 4 2025 4:21 PM EDT\n\nChip stocks fell hardest on Friday. Nvidia slid 7.4%, a day after "
        "an even larger drop, and Advanced Micro Devices shed 8.6%."
    )
    assert [(t, s) for t, _, s, *_ in _got(tmp_path, text)] == [("NVDA", D(2025, 4, 4)), ("AMD", D(2025, 4, 4))]


def test_ended_higher_a_day_after_its_results_having_opened_lower(tmp_path):
    text = (
        "Published Nov 05, 2025 | 4:40 PM EST\n\nOn Wednesday, Advanced Micro Devices ended 2.5% higher a day after "
        "its own results, having opened 2.7% lower."
    )
    got = _got(tmp_path, text)
    assert [(t, f, s, tm) for t, f, s, tm, _ in got] == [
        ("AMD", 2.5, D(2025, 11, 5), "close_only"),
        ("AMD", -2.7, D(2025, 11, 5), "open"),
    ]


def test_a_pluperfect_period_before_an_after_hours_report_is_to_that_close(tmp_path):
    text = (
        "Published Nov 04, 2025 | 10:15 PM EST\n\nSuper Micro Computer shares tumbled over 9% in Tuesday's extended "
        "session after its results missed estimates.\n\nHeading into the report, the stock had gained more than 55% "
        "year to date."
    )
    got = _got(tmp_path, text)
    assert got[-1] == ("SMCI", 55.0, D(2025, 11, 4), "close", "2024-12-31")  # Tuesday's close, not Monday's


def test_a_closing_update_naming_its_day_carries_to_the_paragraphs_after_it(tmp_path):
    text = (
        "Published Nov 04, 2025 | 10:15 PM EST · Updated Nov 05, 2025 | 4:40 PM EST\n\nSuper Micro Computer "
        "shares tumbled over 9% in Tuesday's extended session.\n\nUpdate, Wednesday close: the stock finished down "
        "11.3%.\n\nAmong peers, Nvidia slipped 1.8%."
    )
    got = _got(tmp_path, text)
    assert [(t, f, s) for t, f, s, *_ in got[1:]] == [("SMCI", -11.3, D(2025, 11, 5)), ("NVDA", -1.8, D(2025, 11, 5))]


def test_a_description_goes_to_the_company_of_the_paragraph_before_the_headline_one(tmp_path):
    text = (
        "ASML drags chipmakers down on Wall Street\n\nPublié le 16/10/2024 à 07:40\n\nNvidia a perdu 4,69 % mardi. "
        "Lundi, le titre avait progressé de 2,43 %. Depuis le début de l'année, le géant des puces affiche toujours "
        "une hausse de 166 %.\n\nASML a plongé de 16,26 % à New York."
    )
    got = _got(tmp_path, text)
    assert ("NVDA", 166.0, D(2024, 10, 15), "close", "2023-12-31") in got
    assert not any(t == "ASML.AS" and f == 166.0 for t, f, *_ in got)


def test_an_aside_naming_the_day_before_does_not_move_a_live_quote(tmp_path):
    text = (
        "Publié le 05/11/2025 à 17:08\n\n(AOF) - Super Micro Computer recule de 8,5 % à 43,37 dollars.\n\n"
        "AMD, qui a publié ses comptes la veille, gagne 1,9 %."
    )
    assert _got(tmp_path, text)[-1] == ("AMD", 1.9, D(2025, 11, 5), "intraday", "")


def test_a_bare_symbol_before_a_move_verb_is_the_company(tmp_path):
    text = (
        "Published Nov 05, 2025 | 4:40 PM EST\n\nSMCI closed down 11.3% at $42.03 on Wednesday, while NVDA slipped "
        "1.8% and AMD gained 2.5%."
    )
    assert [(t, f) for t, f, *_ in _got(tmp_path, text)] == [("SMCI", -11.3), ("NVDA", -1.8), ("AMD", 2.5)]


def test_a_symbol_that_is_a_word_is_no_company_alone(tmp_path):
    text = "Published Nov 05, 2025 | 4:40 PM EST\n\nNOW fell 3% on Wednesday as software stocks slid."
    assert [t for t, *_ in _got(tmp_path, text)] == []


# --- the unseen5 part's constructions (seen after its one run), own sentences ------------------------


def test_a_live_pages_entry_stamps_date_and_time_each_entry(tmp_path):
    text = (
        "Markets live\n\nLast updated: March 11, 2025 at 10:02 AM EDT\n\nMarch 11, 2025, 10:02 AM EDT\nA calmer start"
        "\n\nThe Nasdaq Composite rose 0.6% in early minutes.\n\nMarch 10, 2025, 4:05 PM EDT\nA rout into the close\n\n"
        "The Nasdaq Composite sank 4% and Nvidia lost 5.1%.\n\nMarch 10, 2025, 11:30 AM EDT\nSelling deepens\n\n"
        "Nvidia was down 6.2%."
    )
    got = [(t, f, s, tm) for t, f, s, tm, _ in _got(tmp_path, text)]
    assert got[1:] == [
        ("^IXIC", -4.0, D(2025, 3, 10), "close_only"),
        ("NVDA", -5.1, D(2025, 3, 10), "close_only"),
        ("NVDA", -6.2, D(2025, 3, 10), "intraday"),
    ]


@pytest.mark.parametrize(
    ("line", "day"),
    [
        ("Updated 4:36 AM EDT, July 23, 2025", D(2025, 7, 23)),
        ("March 26, 2025 · less than 3 min read", D(2025, 3, 26)),
        ("2024/09/11 3:58 pm EDT", D(2024, 9, 11)),
        ("Publié le Tue 25/11/2025 - 00:00", D(2025, 11, 25)),
        ("Bourse, commentaire de clôture   23.07.2025 09:02:18", D(2025, 7, 23)),
    ],
)
def test_more_date_lines(tmp_path, line, day):
    found = extract([_write(tmp_path, f"A title\n\n{line}\n\nNvidia fell 3% on the day.")])
    assert next(d.date for d in found.dates if d.kind == "header") == day


@pytest.mark.parametrize(
    ("sentence", "claims"),
    [
        ("Tokyo's benchmark jumped 3.5% on Wednesday.", [("^N225", 3.5)]),
        ("La Bourse de Tokyo a terminé mercredi sur une envolée de 3,5 %.", [("^N225", 3.5)]),
        (
            "The Dow was down more than 1,100 points, the S&P 500 was off 2.9% and the Nasdaq had dropped 3.3%.",
            [("^GSPC", -2.9), ("^IXIC", -3.3)],
        ),
        ("Technology investor SoftBank Group Corp. rose 2.4%.", [("9984.T", 2.4)]),
        (
            "Le DJIA a cédé 0,64 %, plombé par UnitedHealth Group, dont l'action a chuté de 17,79 %.",
            [("^DJI", -0.64), ("UNH", -17.79)],
        ),
        ("Côté valeurs, Nvidia a bondi de 5,63 %.", [("NVDA", 5.63)]),
        ("L'indice composé du Nasdaq s'est emparé de 185,78 points, ou 0,97 %.", [("^IXIC", 0.97)]),
        (
            "Le S&P 500 a terminé en hausse de 0,72 %, à 5 886,55 points, un sommet depuis le début du mois de mars.",
            [("^GSPC", 0.72)],
        ),
        ("The stock has moved more than 5% on 21 occasions over the last year.", []),
        ("The accord cuts to 15% la surtaxe, and Toyota a gagné 14,3 %.", [("7203.T", 14.3)]),
    ],
)
def test_more_owners_and_kinds(tmp_path, sentence, claims):
    got = _got(tmp_path, f"2025-07-23\n\n{sentence}")
    assert [(t, f) for t, f, *_ in got] == claims


def test_a_quote_notation_in_apposition_keeps_its_company(tmp_path):
    text = (
        "2025-10-15\n\nAdvanced Micro Devices (AMD 9.40%) stock rallied on Wednesday. Nvidia (NVDA -0.11%), the "
        "dominant supplier of AI chips, lost 4.4% on Tuesday."
    )
    assert [(t, f) for t, f, *_ in _got(tmp_path, text)] == [("NVDA", -4.4)]


def test_a_premarket_quote_after_an_evening_one_is_the_next_session(tmp_path):
    text = (
        "Updated 4:27 PM EDT, September 6, 2024\n\nBroadcom tumbled 10.4% on Friday. Its shares had sunk about 6% in "
        "after-hours trading Thursday, and they were down about 7% before the opening bell."
    )
    got = [(f, s, tm) for _, f, s, tm, _ in _got(tmp_path, text)]
    assert got[1:] == [(-6.0, D(2024, 9, 5), "after_hours"), (-7.0, D(2024, 9, 6), "premarket")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # "that first day": the day the sentence before named
            "2025-10-15\n\nThe rally began on Tuesday, when Oracle said it will deploy the chips next year. On that "
            "first day, AMD shares were up nearly 4% at one point.",
            ("AMD", 4.0, D(2025, 10, 14), "intraday"),
        ),
        (
            "2024-09-11\n\nOur last story on the stock was 5 days ago, when Nvidia dropped 4.1%.",
            ("NVDA", -4.1, D(2024, 9, 6), "close"),
        ),
        ("11/09/2024\n\nIl y a cinq jours, Nvidia avait perdu 4,1 %.", ("NVDA", -4.1, D(2024, 9, 6), "close")),
        (
            "2025-10-15\n\nOracle had been down more than 5% during Tuesday's session.",
            ("ORCL", -5.0, D(2025, 10, 14), "intraday"),
        ),
    ],
)
def test_days_named_by_reference_and_by_count(tmp_path, text, expected):
    t, f, s, tm, _ = _got(tmp_path, text)[-1]
    assert (t, f, s, tm if tm != "close_only" else "close") == expected


def test_period_words_before_a_parenthesis_are_not_its_figures(tmp_path):
    text = (
        "2024/09/11 3:58 pm EDT\n\nNvidia jumped 7.1% in the afternoon session as stocks recovered from a weak start "
        "(Nasdaq up 1.9%, S&P 500 up 0.9%)."
    )
    assert [(t, f, since) for t, f, _, _, since in _got(tmp_path, text)] == [
        ("NVDA", 7.1, ""),
        ("^IXIC", 1.9, ""),
        ("^GSPC", 0.9, ""),
    ]


def test_key_takeaways_bullets_are_not_the_lede(tmp_path):
    text = (
        "Stocks rally\n\nUpdated November 24, 2025\n\nKey Takeaways\n- The S&P 500 gained 1.5% on Monday, Nov. 24, "
        "2025, as investors returned to AI stocks.\n- Broadcom soared.\n\nInvestors piled back into the theme on "
        "Monday. By the close, the Nasdaq had jumped 2.7%."
    )
    assert _got(tmp_path, text)[-1][:3] == ("^IXIC", 2.7, D(2025, 11, 24))


@pytest.mark.parametrize(
    ("words", "since"),
    [
        ("below its own record close of Oct. 29", "2025-10-29"),
        ("below its 52-week high of $135.58, set in June 2025", "high:2025-06"),
        ("below where it stood on April 2", "2025-04-02"),
    ],
)
def test_more_references_below_a_level(tmp_path, words, since):
    text = f"2025-11-24\n\nNvidia added 2.1% on Monday. Nvidia still sits almost 12% {words}."
    assert _got(tmp_path, text)[-1][4] == since


def test_a_list_after_opened_keeps_the_open_for_both(tmp_path):
    text = (
        "2025-04-21\n\nThe major averages opened in the red on Monday, with the Nasdaq down 1.4% and the S&P 500 "
        "down 0.9%."
    )
    assert [(t, tm) for t, _, _, tm, _ in _got(tmp_path, text)] == [("^IXIC", "open"), ("^GSPC", "open")]


def test_an_absolute_day_opening_the_lede_is_the_storys_day(tmp_path):
    text = (
        "2025-05-14 07:12:05\n\nMardi 13 mai, Wall Street a fini en ordre dispersé, les valeurs technologiques tirant "
        "la cote vers le haut.\n\nLe Nasdaq Composite a gagné 1,61 %."
    )
    assert _got(tmp_path, text)[-1][:3] == ("^IXIC", 1.61, D(2025, 5, 13))


def test_the_eve_of_an_event_is_no_relative_day(tmp_path):
    text = (
        "Publié le 04/11/2024 à 22:31\n\nConstellation a chuté de 12,46 % lundi, à 21 % sous son record du 4 octobre."
        "\n\nAilleurs, le S&P 500 a cédé 0,28 %, à la veille de l'élection présidentielle."
    )
    assert _got(tmp_path, text)[-1][:3] == ("^GSPC", -0.28, D(2024, 11, 4))


def test_a_month_opening_the_sentence_and_a_day_and_period_claim_of_one_figure(tmp_path):
    text = (
        "Publié le 2 décembre 2024 à 17 h 05\n\nSuper Micro Computer a bondi de 12 % lundi. En novembre seulement, "
        "le titre avait grimpé de 12 %."
    )
    got = [(f, s, since) for _, f, s, _, since in _got(tmp_path, text)]
    assert got == [(12.0, D(2024, 12, 2), ""), (12.0, D(2024, 11, 29), "2024-10-31")]


def test_a_live_entrys_so_far_is_to_the_entrys_day(tmp_path):
    text = (
        "Oracle live\n\nLive updates | Sept. 9-10, 2024\n\nTuesday 4:08 p.m. ET\nOracle ended Tuesday up 11.4%.\n\n"
        "Monday 3:00 p.m. ET\nHeading into the report, due after the bell, the shares are ahead nearly 35% so far "
        "this year."
    )
    assert _got(tmp_path, text)[-1] == ("ORCL", 35.0, D(2024, 9, 9), "close", "2023-12-31")


def test_a_story_told_by_the_closing_bell_gives_closes(tmp_path):
    text = (
        "NEW YORK, March 10, 2025 (Agency) - The Nasdaq suffered its heaviest loss in years on Monday, as investors "
        "sold technology names.\n\nBy the closing bell the Nasdaq Composite had shed 4%. Microsoft slid 3.3% on "
        "worries about software spending."
    )
    assert _got(tmp_path, text)[-1][:4] == ("MSFT", -3.3, D(2025, 3, 10), "close_only")


def test_a_period_with_its_own_end_in_an_earlier_year(tmp_path):
    text = (
        "2024-07-25\n\nVertiv fell 13.6% on Wednesday. During the 2022 sell-off, Vertiv fell about 71% from its "
        "September 2021 high to the end of June 2022."
    )
    assert _got(tmp_path, text)[-1] == ("VRT", -71.0, D(2022, 6, 30), "close", "high:2021-09")


# --- the unseen6 part's constructions (seen after its one run), own sentences ------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # a Saturday morning story: "now" is Friday's close
            "Published Sat, Mar 15, 2025 · 08:10 AM\n\n[NEW YORK] US stocks rallied on Friday, with chipmakers "
            "leading a broad rebound after weeks of selling.\n\nThe Nasdaq Composite jumped 2.6 per cent.",
            ("^IXIC", 2.6, D(2025, 3, 14)),
        ),
        (
            "Japan's Nikkei slides\n\nMarketsSeptember 30, 2024\n\nTOKYO (AP) — The Topix shed 3.5% on Monday.",
            ("TOPIX", -3.5, D(2024, 9, 30)),
        ),
        (
            "Posted on 26 June 2024 by Markets Desk\n\nNEW YORK, June 25 (Reuters) - Nvidia rose 6.8% on Tuesday. The "
            "Nasdaq Composite (.IXIC), opens new tab added 1.3%.",
            ("^IXIC", 1.3, D(2024, 6, 25)),
        ),
        (
            "29 mai 2025 | 16 h 52\n\nMercredi soir, l'action Nvidia avait gagné environ 4 %. Le titre de Nvidia a "
            "pris 3,25 % jeudi.",
            ("NVDA", 3.25, D(2025, 5, 29)),
        ),
        (
            "2024-03-09 08:15:32  Source : agence de presse\n\nNvidia a finalement chuté de 5,55 % vendredi. Broadcom "
            "avait grimpé de 4,22 % jeudi.",
            ("AVGO", 4.22, D(2024, 3, 7)),
        ),
        (
            "information fournie par AOF 24/04/2024 à 16:05\n\n(AOF) - Vertiv s'envole de 13,4 %. Mardi, il avait "
            "gagné 4,08 %.",
            ("VRT", 4.08, D(2024, 4, 23)),
        ),
    ],
)
def test_unseen6_date_lines_and_days(tmp_path, text, expected):
    assert _got(tmp_path, text)[-1][:3] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "2024-09-30\n\nAn exchange-traded fund that tracks the Topix, Nomura's NEXT FUNDS TOPIX ETF, lost 3.3%.",
            [("1306.T", -3.3)],
        ),
        ("2024-10-28\n\nLe fonds indiciel Topix de Nomura a gagné 1,53 %.", [("1306.T", 1.53)]),
        (
            "2024-09-30\n\nMarkets had bet on Ishiba's rival, Sanae Takaichi, and on Friday the Nikkei had jumped "
            "2.3%.",
            [("^N225", 2.3)],
        ),
        (
            "Top Gainers: Super Micro Computer, Inc. (SMCI)\n\n2025-01-03\n\nSuper Micro Computer closed 10.9% higher. "
            "Nvidia rose over 4%.\n\nThe stock is now up about 9% since the last close of 2024, but it remains roughly "
            "72% below its March 2024 record close.",
            [("SMCI", 10.9), ("NVDA", 4.0), ("SMCI", 9.0), ("SMCI", -72.0)],
        ),
        (
            "2024-08-30\n\nThe chipmaker's shares closed at USD 117.59, down USD 8.02 or 6.38 per cent. The Nasdaq "
            "Composite ended 0.23 per cent or 39.60 points lower.",
            [("^IXIC", -0.23)],
        ),
    ],
)
def test_unseen6_owners(tmp_path, text, expected):
    assert [(t, f) for t, f, *_ in _got(tmp_path, text)] == expected


@pytest.mark.parametrize(
    ("sentence", "since"),
    [
        ("Counting Tuesday's jump, Nvidia has gained 155% this year.", "2023-12-31"),
        ("Nvidia has gained more than 700 per cent since the start of 2023.", "2022-12-31"),
        ("For the holiday-shortened week, Nvidia still lost 0.48%.", "2024-06-23"),
        ("Le Nasdaq a gagné 9,9 % depuis la fin avril.", "2024-04-30"),
        ("Sur l'année, la hausse de Vertiv atteint désormais 76 %.", "2023-12-31"),
        ("Le Nikkei reste inférieur d'environ 8,6 % à son record de clôture de janvier.", "high:2024-01"),
    ],
)
def test_unseen6_periods(tmp_path, sentence, since):
    assert _got(tmp_path, f"2024-06-25\n\n{sentence}")[-1][4] == since


def test_a_semicolon_ends_a_figures_period_words_and_a_reference_day_anchors_nothing(tmp_path):
    text = (
        "2024-03-09\n\nSuper Micro Computer a perdu 1,70 % vendredi ; depuis le 1er janvier, le titre a quadruplé "
        "(+301 %).\n\nLa veille, Nvidia avait gagné 4,47 %."
    )
    got = [(t, f, s, since) for t, f, s, _, since in _got(tmp_path, text)]
    assert got[0] == ("SMCI", -1.7, D(2024, 3, 8), "") and got[-1] == ("NVDA", 4.47, D(2024, 3, 7), "")


def test_as_high_as_above_the_previous_days_close_is_the_next_session(tmp_path):
    text = "2025-01-03\n\nSuper Micro had traded as high as 11.3% above Thursday's close before giving back a little."
    assert _got(tmp_path, text)[-1][:4] == ("SMCI", 11.3, D(2025, 1, 3), "intraday")


def test_an_index_code_after_a_market_prefix_and_the_worst_point_of_a_session(tmp_path):
    text = (
        "2024-07-12 07:30\n\nTechnology shares slumped on Wall Street on Thursday after a soft inflation reading "
        "lifted smaller companies.\n\nBy the closing bell in New York, the Nasdaq Composite was 1.95% lower. At its "
        "worst point of Thursday's session it had been down 2.2%. The broader S&P 500 Index (SP: .INX) gave up 0.9%."
    )
    got = [(t, f, s, tm) for t, f, s, tm, _ in _got(tmp_path, text)]
    assert got[1:] == [("^IXIC", -2.2, D(2024, 7, 11), "intraday"), ("^GSPC", -0.9, D(2024, 7, 11), "close_only")]


# --- after the unseen6 run, a second round: owners of "with X up", levels, rivals, "alors", lowest closes --------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "with X up n%": X's figure, whatever the clause before names
        ("2025-01-03\n\nMicrosoft followed along, with Arm Holdings up 10.05%.", [("ARM", 10.05)]),
        ("2025-01-03\n\nPower producers joined the rally, with Vertiv up 6.23%.", [("VRT", 6.23)]),
        ("2025-01-03\n\nLes valeurs de l'énergie ont suivi, avec Vertiv en hausse de 6,23 %.", [("VRT", 6.23)]),
        # a sentence-opening adverb followed by its complement is no company
        ("2025-01-03\n\nAilleurs dans la cote, Oracle a gagné 1,2 %.", [("ORCL", 1.2)]),
        # the level after the previous figure is not an opener: the name after it owns the next figure
        (
            "2025-09-18\n\nLe Nasdaq a pris 0,94 % à 22.470,73 points et le S&P 500 .SPX 31,61 points, soit 0,48 %.",
            [("^IXIC", 0.94), ("^GSPC", 0.48)],
        ),
        # a rival named in an apposition does not take the main clause's figure
        (
            "2025-09-18\n\nArm, concurrent direct de Nvidia sur les puces, qui cédait 2 % à l'ouverture, a fini en "
            "baisse de 4,45 %.",
            [("ARM", -2.0), ("ARM", -4.45)],
        ),
    ],
)
def test_unseen6_second_round_owners(tmp_path, text, expected):
    assert [(t, f) for t, f, *_ in _got(tmp_path, text)] == expected


def test_alors_is_the_day_the_sentence_before_named(tmp_path):
    text = (
        "2025-09-18\n\nLa Bourse de Paris a fini en hausse jeudi.\n\nLa veille, mercredi, la Fed avait baissé ses "
        "taux. Le Nasdaq avait alors cédé 0,33 %."
    )
    assert _got(tmp_path, text)[-1][:3] == ("^IXIC", -0.33, D(2025, 9, 17))


def test_lowest_close_of_a_named_month(tmp_path):
    text = "2025-07-15\n\nAMD shares are up about 55% from their lowest close in April."
    assert _got(tmp_path, text)[-1][4] == "low:2025-04"


# --- after the unseen7 run: date lines, weekend datelines, periods, owners and timings it showed --------


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("- Input\n- 2025-06-03 06:10:12\n- Updated\n- 2025-06-03 06:10:12", D(2025, 6, 3)),  # bullets of a Korean page
        ("21:05 UTC+8, 2025-06-03", D(2025, 6, 3)),  # a time with its offset before an ISO date
        ("05:12 PM EDT, 06/03/2025 (Wire Desk) --", D(2025, 6, 3)),  # a US zone: the month first
        ("© 3 juin 2025 (Keystone/ATS)", D(2025, 6, 3)),  # a wire's copyright line
        ("Mis à jour : 22:40, 3 juin 2025", D(2025, 6, 3)),  # the time before the date
        ("Chicago | June 3, 2025 | Markets Team—", D(2025, 6, 3)),  # fields between bars
        ("3. Juni 2025 um 18:05", D(2025, 6, 3)),  # a German feed reader's line
    ],
)
def test_unseen7_date_lines(line, date):
    from eventstudy.articles.date_lines import article_header

    header = article_header(f"Chip stocks end higher\n\n{line}\n\nNvidia rose 2.8% on Tuesday after a rally in Asia.")
    assert header is not None and header.date == date


def test_a_weekend_dateline_carried_to_a_figure_is_the_friday_before(tmp_path):
    text = (
        "2024-03-09 markets\n\nAustin, Saturday, 9 March 2024.\nNvidia fell 5.55% on Friday after a record run.\n\n"
        "The chipmaker had opened 4% higher."
    )
    assert _got(tmp_path, text)[-1][:3] == ("NVDA", 4.0, D(2024, 3, 8))


def test_a_figure_followed_by_up_and_an_impossible_fall(tmp_path):
    assert _got(tmp_path, "2024-03-08\n\nEven after Friday's drop, Nvidia shares have been 77% up this year.")[-1][
        :2
    ] == ("NVDA", 77.0)
    assert not _found_claims(tmp_path, "2024-03-08\n\nSuper Micro shares have fallen 120% this year.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a record close of a named day after a superlative's "since": the period is the figure's own words
        (
            "Published on June 3, 2025\n\nThe Nikkei rose 1.2%, its best day since May 12, leaving it about 4% below "
            "its March 3 record close.",
            ("^N225", -4.0, "2025-03-03"),
        ),
        ("2024-08-15\n\nDepuis la débâcle du 5 août, le Nasdaq a regagné 8,6 %.", ("^IXIC", 8.6, "2024-08-05")),
        ("2024-08-15\n\nSince the rout of Aug. 5, the S&P 500 has regained 6%.", ("^GSPC", 6.0, "2024-08-05")),
        (
            "Publié le 6 juin 2025\n\nAMD a fortement progressé : son cours est passé de 97,50 $ le 8 avril à 118,70 $ "
            "jeudi (+21,7 %).",
            ("AMD", 21.7, "2025-04-08"),
        ),
        ("2025-06-10\n\nThe S&P 500 had ended last week 1.5% higher.", ("^GSPC", 1.5, "2025-05-30")),
    ],
)
def test_unseen7_periods(tmp_path, text, expected):
    assert [(t, f, since) for t, f, _, _, since in _got(tmp_path, text)][-1] == expected


def test_a_period_opening_the_sentence_is_every_figures(tmp_path):
    text = "2025-06-06\n\nSince the end of December the Nikkei has lost 4.2%, while the Topix is down 2.1%."
    assert [(t, since) for t, _, _, _, since in _got(tmp_path, text)] == [
        ("^N225", "2024-12-31"),
        ("TOPIX", "2024-12-31"),
    ]


def test_a_multiple_with_its_exact_figure_in_parentheses_is_one_claim(tmp_path):
    text = "Publié le 6 juin 2025\n\nLe titre a presque doublé depuis le début de l'année (+96 %)."
    found = [c for c in _found_claims(tmp_path, "Vertiv en hausse\n\n" + text.replace("Le titre", "Vertiv"))]
    assert [c.reported_percent for c in found] == [96.0]


def test_a_weekday_due_after_the_bell_looks_forward(tmp_path):
    text = (
        "Published on June 3, 2025\n\nOn Monday, Nvidia slid 1.9% ahead of its results, due after the bell on "
        "Wednesday."
    )
    found = extract([_write(tmp_path, text)])
    assert [e.id for e in found.events if "Wednesday" in " ".join(m.words for m in e.mentions)] == ["2025-06-04"]


def test_a_canadian_wire_tells_montreal_time(tmp_path):
    # 16 h 45 in Montreal is after New York's close: a close, not a quote during the session
    text = "Publié le 3 juin 2025 à 16 h 45\n\nLa Presse Canadienne\n\nÀ New York, le Nasdaq a gagné 0,81 % mardi."
    assert _got(tmp_path, text)[-1][:4] == ("^IXIC", 0.81, D(2025, 6, 3), "close_only")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Publié le 04/06/2025\n\nLes fonds ont suivi : le fonds iShares Semiconductor a pris 1,9 %.", [("SOXX", 1.9)]),
        (
            "Publié le 04/06/2025\n\nEn baisse de 0,8 % à l'ouverture, le titre Oracle a ensuite fini en hausse de "
            "1,5 %.",
            [("ORCL", -0.8), ("ORCL", 1.5)],
        ),
        (
            "Publié le 04/06/2025\n\nLe Nikkei a fini en baisse de 1,2 %. Dans l'après-midi, il a reculé de jusqu'à "
            "1,9 %.",
            [("^N225", -1.2), ("^N225", -1.9)],
        ),
        (
            "2025-06-04\n\nMemory makers were in demand: Micron and Nvidia put on 4.1% and 2.8%, respectively.",
            [("MU", 4.1), ("NVDA", 2.8)],
        ),
    ],
)
def test_unseen7_owners(tmp_path, text, expected):
    assert [(t, f) for t, f, *_ in _got(tmp_path, text)] == expected


def test_a_clock_time_is_the_whole_sentences_and_a_la_meme_heure_carries_it(tmp_path):
    text = (
        "Vers 15H30 GMT, le Nasdaq avançait de 0,62 % et le S&P 500 gagnait 0,41 %. A la même heure, Broadcom "
        "reculait de 1,3 %.\n\n04/06/2025 22:14"
    )
    assert [tm for *_, tm, _ in _got(tmp_path, text)] == ["intraday", "intraday", "intraday"]


def test_a_feed_footer_repeating_the_title_is_a_headline(tmp_path):
    text = (
        "Le Nikkei recule de 1,2 %\n\nPublié le 04/06/2025\n\nLe Nikkei a perdu 1,2 % mercredi.\n\nL'article Le Nikkei "
        "recule de 1,2 % est apparu en premier sur Exemple Finance."
    )
    assert len(_got(tmp_path, text)) == 1


def test_a_when_clause_of_an_earlier_day_does_not_set_the_paragraphs_day(tmp_path):
    text = (
        "05:10 PM EDT, 06/10/2025 (Wire) -- The Nasdaq rose 1.5% on Tuesday, its best gain since May 12, "
        "when it jumped 4.35%. The S&P 500 added 0.9%."
    )
    assert _got(tmp_path, text)[-1][:3] == ("^GSPC", 0.9, D(2025, 6, 10))


def test_a_closing_update_on_the_datelines_weekday_is_that_day(tmp_path):
    text = (
        "June 3, 2025 8:40 AM EDT\n\nOracle shares were higher in premarket trading.\n\nUpdate, Tuesday "
        "close: Oracle finished the session 1.6% higher. The stock is now up about 9% this year."
    )
    got = [(t, f, s) for t, f, s, *_ in _got(tmp_path, text)]
    assert got[-2:] == [("ORCL", 1.6, D(2025, 6, 3)), ("ORCL", 9.0, D(2025, 6, 3))]


def test_each_after_the_figure_and_a_links_screen_reader_words(tmp_path):
    got = _got(tmp_path, "2025-06-04\n\nOracle and Microsoft gained about 2% each.")
    assert [(t, f) for t, f, *_ in got] == [("ORCL", 2.0), ("MSFT", 2.0)]
    text = "2025-06-04\n\nThe VanEck Semiconductor ETF (SMH), which opened a new tab, rose 2.2% on Wednesday."
    assert _got(tmp_path, text)[-1][:4] == ("SMH", 2.2, D(2025, 6, 4), "close")


def test_a_reference_set_on_a_named_day_is_not_the_next_figures_session(tmp_path):
    text = (
        "2025-06-05\n\nEven after Thursday's drop, the Nasdaq is still about 3% below the record close it set on "
        "May 28, and it is down 1.1% for the week."
    )
    assert _got(tmp_path, text)[-1][:3] == ("^IXIC", -1.1, D(2025, 6, 5))


def test_a_day_of_the_month_alone_and_a_clock_time_during_the_session(tmp_path):
    text = (
        "2025-06-05\n\nThe S&P 500 lost 0.53% and the Nasdaq fell 0.83% on the 4th. Right after the data came out "
        "at 10 a.m., the Nasdaq was down 1.2%."
    )
    got = [(t, f, s, tm) for t, f, s, tm, _ in _got(tmp_path, text)]
    assert got[0][2] == D(2025, 6, 4) and got[-1] == ("^IXIC", -1.2, D(2025, 6, 4), "intraday")


# --- after the unseen8 run ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Vertiv soars\n\n06042025-vertiv-soars\n\nVertiv jumped 6% on Wednesday.", D(2025, 6, 4)),  # a page's slug
        # a yearless weekday and day in the lede of a page that prints no date line: the latest year that fits
        (
            "Tokyo finit en hausse\n\nLa Bourse de Tokyo a fini en hausse ce mercredi 4 juin, portée par la tech.",
            D(2025, 6, 4),
        ),
    ],
)
def test_unseen8_date_lines(text, date):
    from eventstudy.articles.date_lines import article_header

    header = article_header(text)
    assert header is not None and header.date == date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-04\n\nOracle's gain for 2025 rose to about 12% on Wednesday.", ("ORCL", 12.0, "2024-12-31")),
        (  # the period of the figure's own clause, not the level of the clause before
            "Publié le 04/06/2025\n\nOracle a gagné 1 % mercredi. Il se trouve 9 % sous son plus haut de clôture de "
            "mars, et en trois séances il a gagné 4,1 %.",
            ("ORCL", 4.1, "2025-05-30"),
        ),
        (  # a pronoun after the period's words
            "Publié le 04/06/2025\n\nOracle a gagné 1 % mercredi. Depuis le début de l'année, il affiche une hausse "
            "de 12 %.",
            ("ORCL", 12.0, "2024-12-31"),
        ),
    ],
)
def test_unseen8_periods(tmp_path, text, expected):
    assert [(t, f, since) for t, f, _, _, since in _got(tmp_path, text)][-1] == expected


def test_unseen8_owners_and_signs(tmp_path):
    got = _got(tmp_path, "2024-09-12\n\nNomura's Topix tracker (1306) gained 1.9 per cent.")
    assert [(t, f) for t, f, *_ in got] == [("1306.T", 1.9)]
    got = _got(tmp_path, "Publié le 06/06/2024\n\nL'action de Vertiv a clôturé ce jeudi avec un rouge de 4,2 %.")
    assert [(t, f) for t, f, *_ in got] == [("VRT", -4.2)]
    found = extract([_write(tmp_path, "2024-02-28\n\nThe S&P 500 (^GSPC -0.17%) dipped 0.2% on Wednesday.")])
    assert [c.reported_percent for c in found.claims] == [-0.2]
    assert [f.kind for f in found.other_figures] == ["quote notation"]


def test_a_yearless_lede_date_is_the_story_day_and_periods_from_a_day_or_a_years_end(tmp_path):
    text = (
        "Tokyo finit en hausse\n\nLa Bourse de Tokyo a fini en hausse ce mercredi 4 juin, portée par la tech.\n\n"
        "Le Topix a pris 0,9 %. Depuis le 28 mai, Advantest a gagné 6,1 %. Il a plus que doublé depuis fin 2024 "
        "(+104 %)."
    )
    with pytest.warns(UserWarning, match="year 2025 guessed"):
        got = [(t, f, s, since) for t, f, s, _, since in _got(tmp_path, text)]
    assert got == [
        ("TOPIX", 0.9, D(2025, 6, 4), ""),
        ("6857.T", 6.1, D(2025, 6, 4), "2025-05-28"),
        ("6857.T", 104.0, D(2025, 6, 4), "2024-12-31"),
    ]


def test_a_key_figure_line_with_a_name_and_its_code(tmp_path):
    got = _got(tmp_path, "2025-11-25\n\nKey takeaways\n- Advantest (6857): -4.1%\n- SoftBank Group (9984): +2.2%\n")
    assert [(t, f) for t, f, *_ in got] == [("6857.T", -4.1), ("9984.T", 2.2)]


def test_a_superlatives_month_is_the_reference_not_a_months_move(tmp_path):
    text = "2025-05-07\n\nFrom its lowest close in April, Vertiv has risen 48%."
    assert _got(tmp_path, text)[-1][4] == "low:2025-04"


def test_a_relative_aside_inside_a_list_gives_no_sign_or_moment(tmp_path):
    text = (
        "Publié le 06/06/2024\n\nOracle a reculé de 2,4 %, Broadcom de 1,9 % et Arm, qui avait ouvert en hausse, de "
        "0,8 %."
    )
    got = [(t, f, tm) for t, f, _, tm, _ in _got(tmp_path, text)]
    assert got == [("ORCL", -2.4, "close"), ("AVGO", -1.9, "close"), ("ARM", -0.8, "close")]
