"""Percentages in article text: reported price moves, and everything else.

For each percentage ("7 %", "2,3 %", "+104,82 %", "fell 3%") the words
before it back to the previous figure of the sentence (its *segment*) and a
few words after it decide what it is (:mod:`.figure_kind` holds steps 1-3):

1. A figure in a headline, a measure named right after it ("40 % du
   capital", "of revenue"), a period ("sur un an", "this year", "since
   their peak") or a forecast ("will climb", "pourrait progresser",
   "expects revenue to grow") makes it an *other figure*.
2. Else the noun nearest before it decides: a price word ("cours",
   "titre", "shares") or none means a price; "revenus", "valorisation",
   "part de marché", "secteur", "tokens"… make it an other figure.
3. It needs a direction: a movement verb or noun ("a grimpé", "fell",
   "en hausse de", "slide") or a written sign ("+2,3 %").
4. Its subject comes from the clause's structure (:mod:`.attribution`):
   the first name of the clause's subject phrase, never a company named in
   an apposition, a relative clause or a leading aside ("Oracle, partenaire
   de SoftBank, a gagné" → Oracle); "the stock", "le titre" → the company
   the sentence or article is about; "X and Y rose 3% and 5%" → in order.
   A market index ("S&P 500", "Nikkei") makes a benchmark claim.

A segment with no verb and no noun of its own ("…, Nvidia de 2,3 %")
shares the verb, the measure, and the session words of the previous figure
in the sentence; one with no company shares its company. A claim whose
words name no day takes the day of the previous claim of its paragraph.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import numpy as np

from eventstudy.articles.attribution import (
    MOVE_NOUN_BEFORE,
    OBLIQUE,
    Subject,
    article_company,
    conjoined,
    each_of,
    find_subject,
    owner_after,
    paragraph_of,
)
from eventstudy.articles.claim_days import (
    DAY_AFTER,
    DAY_AFTER_IT,
    PARTICIPLE,
    STORY_CLOSED,
    THAT_DAY,
    day_of_paragraph,
    elsewhen,
    later_day,
    lede_day,
    list_intro,
    names_reference_close,
    past_aside,
    shared_day,
)
from eventstudy.articles.companies import CompanyTable, masked_names
from eventstudy.articles.figure_kind import CLOSING_PAREN, Context, classify, verdict
from eventstudy.articles.headlines import headings
from eventstudy.articles.multiples import multiples
from eventstudy.articles.notation import fund_names, one_per_name
from eventstudy.articles.parser import is_french
from eventstudy.articles.period_words import PERIOD, PLUPERFECT, SAME_PERIOD, WEEK, period_of
from eventstudy.articles.records import CandidateClaim, DateMention, OtherFigure, dedupe_claims
from eventstudy.articles.session_words import (
    CLOSE_ET,
    NOW,
    OTHER_EVENT,
    US_EXCHANGES,
    article_day,
    entry_stamps,
    filed_at,
    nearest_timing,
    session_of,
    set_apart,
    tense_timing,
)
from eventstudy.articles.story_day import CLOSING_UPDATE
from eventstudy.articles.text import Article, aside_spans
from eventstudy.articles.words import (
    APPROX,
    FIGURE,
    LOWER,
    MOVE,
    UPPER,
)

_I = re.IGNORECASE
CRYPTO_ARTICLE = re.compile(r"(?<![\w])(?:tokens?|jetons?|crypto\w*|memecoins?|blockchain)(?![\w])", _I)


def find_moves(
    article: Article,
    spans: list[tuple[int, int]],
    table: CompanyTable,
    dates: list[DateMention],
    parser=None,
    reference: dt.date | None = None,
) -> tuple[list[CandidateClaim], list[OtherFigure], set[int]]:
    """Price claims, other figures, and the offsets of dates used as claim sessions.

    ``reference`` is the article's date: the session of a period move whose sentence names no day.

    ``parser`` (optional, :mod:`.parser`) is asked for the subject when the rules find none.
    """
    text, raw = article.text, article.raw
    crypto_article = bool(CRYPTO_ARTICLE.search(text))
    french = is_french(text)
    mentions = table.known(text)
    heads = headings(text)
    claims: list[CandidateClaim] = []
    others: list[OtherFigure] = []
    used: set[int] = set()
    topic: Subject | None = None  # the last company a claim was about: "the stock", "le titre"
    para_session: tuple[int, DateMention | None] = (-1, None)
    last_day: DateMention | None = None  # the session of the article's last claim: a period move's, when unnamed
    latest: dict[str, DateMention] = {}  # per security, the latest session its claims named
    lede = lede_day(text, dates, reference)  # "Tokyo, 5 août (AFP) - La Bourse a vécu lundi…": the story's day
    filed = filed_at(text, dates, french=french)  # "11:05 am ET", "Publié le 20/09/2024 à 22:40"
    live = filed[0] if filed and 9 * 60 + 30 <= filed[1] < 16 * 60 else None  # New York trading: its day's quotes
    story_closed = STORY_CLOSED.search(text)  # a story told after its day's close: its later moves are closes
    stamps = entry_stamps(text, dates)  # a live page's "April 21, 2025, 4:08 PM EDT": each entry its own moment
    live = None if stamps else live
    update = CLOSING_UPDATE.search(text)  # "Update, 4:10 pm ET:", "Mise à jour après la clôture :": closes after it
    # "Update, Wednesday close:": the day the update names, else the article's
    update_day = update and next((d for d in dates if update.start() <= d.offset < update.end() and d.date), None)
    last_said: tuple[int, Subject] | None = None  # the sentence and company of the last claim: "It" after it
    last_period: tuple[int, str, DateMention | None] = (-1, "", None)  # the sentence, since and session of the last
    for k, (a, b) in enumerate(spans):
        figures = list(FIGURE.finditer(text, a, b))
        stamp = next((st for st in reversed(stamps) if st[0] <= a), None)  # the live entry the sentence is in
        if reference is not None:
            record = dict(source=article.source, offset=a, quote=raw[a:b])
            claims += multiples(text, a, b, table, mentions, dates, reference, topic, record, latest)
        opener = next((m for m in mentions if a <= m.start < b), None)
        if opener is not None and opener.start == a and any(c.ticker == opener.ticker for c in claims):
            topic = Subject(opener.name, opener.ticker)  # "Nvidia's quarterly revenue had risen…. The shares…"
        if not figures:
            continue
        para = paragraph_of(text, a)
        in_sentence = fund_names(text, [m for m in mentions if a <= m.start < b])
        unknown = table.unknown(text, a, b, a)
        shared = conjoined(text, figures, one_per_name(text, sorted([*in_sentence, *unknown], key=lambda m: m.start)))
        prev, prev_kind = Context(), ""
        asides = aside_spans(text, a, b)
        first_claim = len(claims)
        for i, fig in enumerate(figures):
            seg_start = figures[i - 1].end() if i else a
            ahead_end = min(figures[i + 1].start() if i + 1 < len(figures) else b, fig.end() + 60)
            if (semi := text.find(";", fig.end(), ahead_end)) != -1:
                ahead_end = semi  # "a perdu 1,70 % ; depuis le 1er janvier, le titre a quadruplé": the next clause's
            segment, ahead = text[seg_start : fig.start()], text[fig.end() : ahead_end]
            num = fig["num"]  # "1,900%" in English is a thousand and nine hundred; "1,9 %" in French is 1.9
            value = float(num.replace(",", "") if not french and _THOUSANDS.fullmatch(num) else num.replace(",", "."))
            words = masked_names(segment, seg_start, in_sentence)  # "Advanced Micro Devices" is no move verb
            ctx = classify(words, ahead, prev, text, seg_start, a)
            ctx.subject = shared.get(i) or find_subject(
                text, a, seg_start, fig.start(), in_sentence, table, prev.subject, topic, mentions
            )
            unnamed = not any(seg_start <= m.start < fig.start() for m in in_sentence)
            if i > 0 and prev_kind == "quote notation" and unnamed and prev.subject is not None and prev.subject.ticker:
                ctx.subject = prev.subject  # "Nvidia (NVDA -0.11%), the dominant supplier of AI chips, lost 4.4%"
            result = _RESULT_CLAUSE.search(segment)  # "…, leaving the AI bellwether 28% under its January peak"
            if (
                result and prev.subject is not None and prev.subject.ticker and i > 0
                and not any(seg_start + result.start() <= m.start < fig.start() for m in in_sentence)
            ):  # fmt: skip
                ctx.subject = prev.subject
            named = next((m for m in in_sentence if _PAREN_FIGURE.fullmatch(text, m.end, fig.start())), None)
            if named is not None and named.ticker:  # "l'envolée de Broadcom (+12,27 %)": the name right before
                ctx.subject = Subject(named.name, named.ticker)
                if fig["sign"] and ctx.kind == "metric":  # "Les résultats de Broadcom (-3,13%)": its quote
                    ctx.kind = "price"
            run = each_of(text, seg_start, fig.start(), in_sentence, fig.end())
            if run:  # "Oracle, Super Micro and Dell each down at least 8.7%"
                ctx.subject = Subject(run[0].name, run[0].ticker)
            noun_before = bool(MOVE_NOUN_BEFORE.search(segment))  # "la flambée de 36 % du cours de l'action Oracle"
            if owner := owner_after(text, fig.end(), in_sentence, noun_only=not noun_before):
                ctx.subject = owner  # "led a 3.1% slide in the Nasdaq": the slide is the Nasdaq's
            if ctx.subject and ctx.subject.ticker and table.is_index(ctx.subject.ticker) and ctx.kind == "sector":
                ctx.kind = "price"  # "the Nikkei 225 index jumped 9.1%"
            day_end = min(figures[i + 1].start() if i + 1 < len(figures) else b, fig.end() + 80)  # a day's words
            ctx.session, ctx.timing = session_of(dates, text, seg_start, fig, day_end, prev, ahead, segment, asides)
            if ctx.session is not None and names_reference_close(text, ctx.session, fig.end()):
                after = np.busday_offset(ctx.session.date, 1, roll="forward").astype(dt.date)
                ctx.session = replace(ctx.session, date=after)  # "as high as 11.3% above Thursday's close": Friday's
            early = ctx.timing in ("premarket", "open") and prev.timing == "after_hours"
            if early and ctx.session is prev.session and ctx.session is not None and ctx.session.date is not None:
                after = np.busday_offset(ctx.session.date, 1, roll="forward").astype(dt.date)
                ctx.session = replace(
                    ctx.session, date=after
                )  # "sank 6% after hours Thursday, … down 7% before the bell"
            own_clause = words[words.rfind(",") + 1 :]
            inherited = i > 0 and ctx.timing and ctx.timing == prev.timing and not nearest_timing(segment, ahead)
            verbs = [v for v in MOVE.finditer(own_clause) if v.group().lower() not in _BARE_DIRECTIONS]
            if inherited and _CONJ_CLAUSE.match(own_clause) and verbs:  # "…, while Nvidia slipped", not "and X down 1%"
                ctx.timing = ""  # a clause with its own verb and no time words does not take the last one's
            clause = seg_start + segment.rfind(",") + 1  # the figure's own clause
            own_day = ctx.session is not None and clause <= ctx.session.offset < day_end
            after_close = i > 0 and prev.timing in ("close", "close_only") and ctx.timing in ("", "close")
            if after_close and not own_day and _AFTER_EXTREME.search(segment):
                ctx.timing = "intraday"  # "ended 3.46% lower, after falling 10%": the day's extreme before the close
            if named is not None and fig["sign"] and CLOSING_PAREN.match(ahead):
                # "Broadcom (-3,13%), attendus après la clôture": the words are the sentence's; the quote is the story's
                before = claims[-1].timing if claims and claims[-1].timing in ("intraday", "open") else ""
                ctx.timing = prev.timing or before
            after_day = ctx.session is not None and ctx.session.source and seg_start <= ctx.session.offset
            # "little changed on Friday, a day after the stock suffered its worst day, falling 6.2%": the day before
            after_day = after_day and DAY_AFTER_IT.search(text, ctx.session.offset, fig.start())
            day_after = ctx.session is prev.session and DAY_AFTER.search(segment)
            if day_after and past_aside(segment, day_after.end()):
                day_after = None  # "slid 7.4%, a day after an even larger drop, and AMD shed 8.6%": the aside is done
            if ctx.session is not None and (day_after or after_day):
                back = np.busday_offset(ctx.session.date, -1, roll="backward").astype(dt.date)
                ctx.session = replace(ctx.session, date=back)  # "soared 10.2% on Tuesday, a day after it lost 12.4%"
            by_tense = False
            if not ctx.timing and french:
                ctx.timing = tense_timing(text[a:b], segment, ctx.verb, ahead)  # "le titre bondissait de 38 %"
                by_tense = ctx.timing == "intraday" and not (i > 0 and prev.timing == "intraday")  # "Vers 15H00 GMT,
                # le Nasdaq avançait de 0,41 % et le S&P 500 gagnait 0,35 %": the clock time is the sentence's
                told_after = ctx.session is not None and ctx.session.date and reference and ctx.session.date < reference
                if told_after and ctx.verb.endswith(("ait", "aient")):  # an earlier session's imperfect: narrative
                    ctx.timing = ""
            if ctx.session is not None and set_apart(asides, ctx.session.offset, fig.start()):
                ctx.session = None  # "Nvidia, which fell 17% on Monday, rose 9%": the aside's day is not the verb's
            record = dict(source=article.source, offset=a, quote=raw[a:b], figure_offset=fig.start())
            own = ahead  # "… with an 11.6% gain, taking its advance since last Friday to 78.4%": the next one's
            if i + 1 < len(figures) and figures[i + 1].start() == ahead_end and (cut := _CLAUSE_CUT.search(ahead)):
                own = ahead[: cut.start()]
            figure = raw[fig.start() : fig.end()]
            heading = any(s <= fig.start() < e for s, e in heads)
            kind, reason = verdict(ctx, own, words, crypto_article, signed=bool(fig["sign"]), heading=heading)
            if kind == "no company" and (owner := owner_after(text, fig.end(), in_sentence)):
                ctx.subject = owner  # "la hausse de 8,9 % de Nvidia", "a 17% drop in Nvidia"
                kind, reason = verdict(ctx, own, words, crypto_article, signed=bool(fig["sign"]), heading=False)
            if kind == "no company" and _SHARES_AFTER.match(ahead):  # "with a gain of about 15%, the shares…"
                ctx.subject = topic or article_company(mentions, table, ahead.strip(" ,")[:20])
                kind, reason = verdict(ctx, own, words, crypto_article, signed=bool(fig["sign"]), heading=False)
            if kind == "no company" and _WITH.search(text[a : fig.start()]) and (comma := _COMMA_AFTER.match(ahead)):
                owner = next((m for m in in_sentence if m.start == fig.end() + comma.end()), None)
                if owner is not None:  # "With today's gain of about 24%, AMD is now up…"
                    ctx.subject = Subject(owner.name, owner.ticker)
                    signed_fig = bool(fig["sign"])
                    kind, reason = verdict(ctx, own, words, crypto_article, signed=signed_fig, heading=False)
            pronoun = i == 0 and _PRONOUN_OPENING.match(text, a)
            unowned = kind == "no company" or (kind == "period move" and ctx.subject is None)
            if unowned and last_said and last_said[0] == k - 1 and pronoun:
                said = last_said[1]  # "The average gained 10% since Oct. 3. It had risen 1.35% on Thursday"
                ctx.subject = Subject(said.name, said.ticker, f"the pronoun read as {said.name}, the sentence before")
                kind, reason = verdict(ctx, own, words, crypto_article, signed=bool(fig["sign"]), heading=False)
            doubtful = kind == "" and ctx.subject is not None and ctx.subject.note == OBLIQUE
            if (kind == "no company" or doubtful) and parser is not None:  # ask the parser for the verb's subject
                ctx.subject = parser.subject(text, a, fig.start(), in_sentence) or (None if doubtful else ctx.subject)
                kind, reason = verdict(ctx, own, words, crypto_article, signed=bool(fig["sign"]), heading=False)
            sign = (fig["sign"] or "").strip()
            signed = -value if sign == "-" or (not sign and ctx.direction == "down") else value
            since, ref_day = "", None
            same = SAME_PERIOD.search(text, seg_start, min(b, fig.end() + 80))  # "13% and 17%, respectively, in…"
            if same and (MOVE.search(text, fig.end(), same.start()) or last_period[0] != k):
                same = None  # another clause's, or no period before it in the sentence
            if same and kind in ("", "period move") and ctx.subject is not None and ctx.subject.ticker:
                kind, since, ctx.session, ctx.since = "", last_period[1], last_period[2], last_period[1]
            elif kind == "period move" and ctx.subject is not None and ctx.subject.ticker:
                own_day = latest.get(ctx.subject.ticker) or last_day
                if stamp is not None and (own_day is None or own_day.offset < stamp[0]):
                    own_day = stamp[1]  # a live entry's period: to the entry's day
                if WEEK.search(text, a, b) and latest:  # "Sur la semaine, le Nikkei a perdu 4,7 %": to its last day
                    exchange = table.listing(ctx.subject.ticker).exchange  # its own market's last day
                    same = [d for t, d in latest.items() if table.listing(t).exchange == exchange]
                    same = same or list(latest.values())
                    own_day = max(same, key=lambda d: d.date or dt.date.min)
                mine = [c for c in claims if c.ticker == ctx.subject.ticker]
                after_hours = bool(mine) and mine[-1].timing == "after_hours"  # "had gained 55%" before that news
                since, ref_day, s = period_of(
                    text,
                    seg_start,
                    fig,
                    ahead_end,
                    ctx.session or (stamp[1] if stamp is not None else None),  # a live entry's "so far": its day
                    dates,
                    reference,
                    own_day,
                    sentence_start=a,
                    last_after_close=after_hours,
                )
                if since:
                    kind, ctx.session, ctx.since = "", s, since
            elif not kind and prev.since and (not MOVE.search(segment) or PERIOD.match(text, a)):
                # "… recule de 1,9 % et Broadcom de 7,8 %", "Since the end of December X has lost 10.7%, while Y is
                # down 4.5%": the opening period is every figure's
                since, ctx.session, ctx.since = prev.since, prev.session, prev.since
            if since and ctx.timing in ("intraday", "after_hours"):
                ctx.timing = ""  # a period move is measured close to close ("…, due after the bell, up 35% this year")
            if not kind and signed <= -100:  # a price cannot fall 100% or more: "down 183%" is a misreading
                kind, reason = "not a move", f"a fall of {-signed:g}% is no price move: the sign or the figure is wrong"
            if kind:
                name = ctx.subject.name if ctx.subject else ""
                others.append(OtherFigure(signed, figure, kind, reason, name, **record))  # type: ignore[arg-type]
                prev, prev_kind = ctx, kind
                continue
            assert ctx.subject is not None
            s = ctx.session
            if s is None and THAT_DAY.search(text, a, fig.start()):  # "On that first day, AMD shares were up…"
                s = next((d for d in reversed(dates) if d.offset < a and d.date and d.precision == "day"
                          and d.kind != "header"), None)  # fmt: skip
            if s is None and prev.session is None:
                s = shared_day(text, dates, figures, i, b, asides)  # "X lost 1.6% and Y fell 1.4% on Tuesday"
            if (
                s is None
                and para_session[0] == para
                and not (para_session[1] and set_apart(asides, para_session[1].offset, fig.start()))
            ):
                s = para_session[1]  # "Mercredi, Oracle a gagné 7 %. Arm a bondi de 15 %." : same day
            other_moment = elsewhen(text, a, fig.end(), ahead, asides)
            updated = update is not None and fig.start() > update.start()  # told by a closing update
            live_day = None if updated else live
            if updated and a <= update.start() and ctx.timing == "after_hours":
                ctx.timing = ""  # "Mise à jour après la clôture : le Nasdaq a gagné 0,78 %": the update's words
            if s is None and stamp is not None and not other_moment:
                s = stamp[1]  # the entry's stamp
            if s is None and updated and reference and not other_moment:
                s = update_day or article_day(reference, fig.start())  # a closing update tells its day
            if s is None and live_day is not None and not other_moment:
                s = article_day(live_day, fig.start())  # a story filed during the session: its figures are that day's
            if s is None and reference is not None and NOW.search(segment + ahead):
                s = article_day(reference, fig.start())  # "Shares are trading down 33% right now"
            if s is None and (intro := list_intro(text, a)):  # "Also moving on July 24:\nNVIDIA Corp (NVDA) -6.80%"
                s = next((d for d in reversed(dates) if intro[0] <= d.offset < intro[1] and d.date is not None), None)
            if s is None:
                s = day_of_paragraph(dates, para, fig.start())  # "Hier, Oracle a publié… Le titre a bondi de 7 %."
            if s is None and lede is not None and lede.offset < fig.start() and not other_moment:
                s = lede  # the day the lede names carries to sentences that name none
            if s is not None and s.date is not None and s.date.weekday() >= 5 and not a <= s.offset < fig.end():
                back = np.busday_offset(s.date, 0, roll="backward").astype(dt.date)  # a weekend's date carried from
                s = replace(s, date=back)  # a dateline ("San Jose, Saturday, 17 February 2024."): the Friday before
            after = DAY_AFTER.search(segment)
            after = after and not past_aside(segment, after.end())  # "…, a day after X, and AMD shed"
            if ctx.session is None and not since and s is not None and s.date and after:
                back = np.busday_offset(s.date, -1, roll="backward").astype(dt.date)  # "au lendemain d'une séance
                s = replace(s, date=back)  # noire au cours de laquelle le titre a chuté de 9,5 %": the day before
                ctx.timing = "" if ctx.timing == prev.timing else ctx.timing  # not the quote of today's figure
            tail = segment[-30:]
            notes = [ctx.subject.note, table.note(ctx.subject.name)]
            exchange = table.listing(ctx.subject.ticker).exchange
            if not ctx.timing and live_day and s is not None and s.date == live_day and not since:
                ctx.timing = "intraday" if exchange in US_EXCHANGES else ""
            stamped = stamp is not None and s is stamp[1] and exchange in US_EXCHANGES and not since
            if not ctx.timing and stamped and stamp is not None and 9 * 60 + 30 <= stamp[2] < 16 * 60:
                ctx.timing = "intraday"  # an entry stamped during the session: its quotes
            told_after = s is not None and s.date is not None and reference is not None and s.date < reference
            told_after = told_after or bool(updated and s and s.date == reference)
            closed = bool(story_closed and story_closed.start() < a and not stamps)  # "By the closing bell …" earlier
            told_after = told_after or bool(closed and s and lede and s.date == lede.date)
            told_after = told_after or bool(
                filed and s is not None and s.date == filed[0] and filed[1] >= CLOSE_ET.get(exchange, 24 * 60)
            )  # filed after its exchange closed that day
            filed_after = bool(
                filed and (s is None or s.date == filed[0]) and filed[1] >= CLOSE_ET.get(exchange, 24 * 60)
            )
            if by_tense and filed_after:
                ctx.timing = ""  # "le S&P-500 cède 2,71 %" in a story filed after the close: the close, in the present
            if not since and (ctx.timing == "close" or (not ctx.timing and told_after)):
                ctx.timing = "close_only"  # "closed down 4.5%", or told after the session ended: its close
            claims.append(
                CandidateClaim(
                    ticker=ctx.subject.ticker, company=ctx.subject.name, reported_percent=signed, figure=figure,
                    approximate=bool(APPROX.search(tail)) and not (LOWER.search(tail) or UPPER.search(tail)),
                    verb=ctx.verb,
                    session=s.date if s else None, timing=ctx.timing or "close",
                    day_words=s.words if s else "", day_reference=s.reference if s else None,
                    day_reference_from=s.reference_from if s else "",
                    bound="at_least" if LOWER.search(tail) else "at_most" if UPPER.search(tail) else "",
                    benchmark=table.is_index(ctx.subject.ticker), note="; ".join(n for n in notes if n),
                    since=since, **record,  # type: ignore[arg-type]
                )
            )  # fmt: skip
            last_said = (k, ctx.subject)
            if since:
                last_period = (k, since, s)
            if run and ctx.subject.ticker == run[0].ticker:  # the other names of "X, Y and Z each down 8.7%"
                claims += [replace(claims[-1], ticker=m.ticker, company=m.name, note="") for m in run[1:] if m.ticker]
            if s is not None and s.source:
                used.add(s.offset)
            if ref_day is not None:
                used.add(ref_day.offset)
            # "… après avoir bondi de 32,9 % la veille", "…, s'ajoutant à la baisse de 4 % enregistrée la veille"
            clause_day = i > 0 and bool(OTHER_EVENT.search(segment) or PARTICIPLE.search(segment))
            clause_day = clause_day or bool(_WHEN_CLAUSE.search(segment))  # "since May 27, when it rose 2.5%"
            flashback = bool(PLUPERFECT.search(segment[segment.rfind(",") + 1 :]))  # "It had already risen 1.35%"
            if not since and not (clause_day and para_session[0] == para) and not flashback:
                para_session = (para, s)  # not a flashback's day: "Mercredi soir, … avait gagné 4 %. Le titre a pris…"
            if not since and not flashback:
                last_day = last_day if clause_day and last_day else s or last_day
                if later := later_day(latest.get(ctx.subject.ticker), s):
                    latest[ctx.subject.ticker] = later
            if not table.is_index(ctx.subject.ticker) and len({m.ticker for m in in_sentence}) <= 1:
                topic = ctx.subject  # a list ("Broadcom a lâché 17 % et AMD 6 %") sets no topic
            prev, prev_kind = ctx, ""
        said = {(c.ticker, c.company) for c in claims[first_claim:] if not table.is_index(c.ticker)}
        if len(said) == 1:  # one company's moves, whatever else the sentence names ("…sale of its Nvidia stake")
            ((ticker, company),) = said
            topic = Subject(company, ticker)
    return dedupe_claims(claims), others, used


_WITH = re.compile(r"(?:^|[,;])\W*(?:with|avec)(?![\w])[^,;]*$", _I)
_COMMA_AFTER = re.compile(r"[^,;.]{0,20}?,\s*")
_SHARES_AFTER = re.compile(  # "with a gain of 15%, the shares…", "En baisse de 1,1 % à l'ouverture, le titre…"
    r"(?:\s+(?:à l['’]ouverture|en début de séance|at the open|in early trading|before the bell|en avant-Bourse))?"
    r"\s*,\s*(?:the shares|the stock|its shares|its stock|le titre|l['’]action|ses actions)\b",
    _I,
)


_CLAUSE_CUT = re.compile(r",\s")
_BARE_DIRECTIONS = ("up", "down", "higher", "lower")  # "with the Nasdaq down 1.4% and the S&P 500 down 0.9%"
_CONJ_CLAUSE = re.compile(r"\s*(?:while|whereas|but|and|tandis que|alors que|mais|et)(?![\w])", _I)
_WHEN_CLAUSE = re.compile(r",\s*(?:when|lorsque|quand)\s", _I)
# a sentence opening on a pronoun, after a short time phrase or not: "It had risen…", "At the close it stood…"
_PRONOUN_OPENING = re.compile(  # "It fell", "Going into the report they were down", "Dans l'après-midi, il a reculé"
    r"\W*(?![Tt]he\s|[Ll]es?\s|[Ll]a\s|[Aa]n?\s|[Uu]ne?\s|[Dd]es\s)(?:[A-Za-zÀ-ÿ]?[a-zà-ÿ’'-]+,?\s){0,7}?"
    r"(?:[Ii]t|[Tt]hey|[Ii]ls?|[Ee]lles?)\s"
)
# a clause of the previous figure's result: its subject is that figure's
_RESULT_CLAUSE = re.compile(
    r",\s*(?:leaving|which left|that left|putting|bringing|taking|pushing|lifting|sending|laissant|portant|ramenant)"
    r"\s[^,;]*$",
    _I,
)


_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+")
_PAREN_FIGURE = re.compile(r"\s*\(\s*")
_AFTER_EXTREME = re.compile(
    r",\s*(?:after|having|après avoir)\s+(?:(?:been|été)\s+)?(?:fall\w*|dropp\w*|slid\w*|sink\w*|tumbl\w*|plung\w*"
    r"|ris\w*|jump\w*|climb\w*|surg\w*|gain\w*|los\w*|down|up|perdu|gagné|chuté|bondi|grimpé|reculé|cédé)\s+"
    r"(?:(?:as much as|jusqu'à|up to|nearly|almost|more than|over|près de|plus de)\s+)?$",
    _I,
)
