"""Ticker notations as sites print them, read as the company they name.

"Oracle (ORCL | +35.95%)", "Nvidia (NASDAQ:NVDA)", "(NYSE: ORCL)", "the stock
(JP:9984)", "SoftBank Group Corp. (OTC:SFTBY)", "Arm Holdings (ARM.US)",
"ARM $(ARM)$", "$NVDA", Reuters codes ("NVDA.O", ".IXIC"). A symbol counts only when it leads to a listing of
the company table. A market prefix or suffix gives the listing's market
("JP:9984" → 9984.T, "ARM.US" → ARM); an OTC symbol (an ADR or a foreign
share traded over the counter) names the primary listing, with a note
saying so (SFTBY → 9984.T). A bare "(SYM)" counts only after a capitalised
word or a price noun ("Gartner (IT)", not "information technology (IT)").

On a sentence's mentions: :func:`one_per_name` makes a name and its own notation one mention,
:func:`fund_names` drops a fund issuer's name before the fund's symbol ("the Invesco tracker (QQQ)").
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass, replace

# OTC symbols (ADRs and foreign ordinary shares) → the primary listing in the company table
OTC: dict[str, str] = {
    "SFTBY": "9984.T", "SFTBF": "9984.T",  # SoftBank Group
    "TOELY": "8035.T", "TOELF": "8035.T",  # Tokyo Electron
    "ATEYY": "6857.T",  # Advantest
    "SOBKY": "9434.T",  # SoftBank Corp
    "NTDOY": "7974.T",  # Nintendo
    "FUJIY": "4901.T",  # Fujifilm
    "RNECY": "6723.T",  # Renesas
    "LVMUY": "MC.PA", "LVMHF": "MC.PA",  # LVMH
    "SAPGF": "SAP.DE",  # SAP (SAP on NYSE is the ADR)
    "SMEGF": "SIE.DE", "SIEGY": "SIE.DE",  # Siemens
    "ASMLF": "ASML.AS",  # ASML (ASML on Nasdaq is the New York share)
}  # fmt: skip
# market prefixes and suffixes → the suffix of the listing's Yahoo symbol
_MARKETS = {
    "NASDAQ": "", "NYSE": "", "NYSEARCA": "", "NYSEAMERICAN": "", "AMEX": "", "US": "", "N": "", "O": "", "OQ": "",
    "JP": ".T", "TYO": ".T", "TSE": ".T", "JPX": ".T", "T": ".T",
    "EPA": ".PA", "PAR": ".PA", "EURONEXT": ".PA", "PA": ".PA",
    "LON": ".L", "LSE": ".L", "L": ".L",
    "ETR": ".DE", "XETRA": ".DE", "FRA": ".DE", "DE": ".DE",
    "AMS": ".AS", "AS": ".AS",
}  # fmt: skip
_OTC = r"OTC|OTCMKTS|OTCPK|OTCQX|OTCQB|PINK"
_PREFIX = "|".join(sorted((k for k in _MARKETS if len(k) > 2 or k in ("JP", "US")), key=len, reverse=True))
_SYMBOL = r"[A-Z][A-Z0-9]{0,5}|\d{4}"
NOTATION = re.compile(
    rf"\(\s*(?i:(?P<otc>{_OTC})|(?P<mkt>{_PREFIX}))\s*:\s*(?P<sym>{_SYMBOL})(?:\.(?P<suf>[A-Z]{{1,2}}))?"
    rf"(?:\s*\|[^()\n]{{0,30}})?\s*\)"  # "(NASDAQ:NVDA)", "(OTC:SFTBY)", "(JP:9984)"
    rf"|\((?P<bare>{_SYMBOL})(?:\.(?P<bsuf>[A-Z]{{1,2}}))?(?:\s*\|[^()\n]{{0,30}}|\s?[+-]\d+(?:[.,]\d+)?\s?%)?\)"
    # "(ORCL | +36%)", "(ARM.US)", "(SMCI+2.35%)"
    rf"|\$\((?P<tag>[A-Z][A-Z0-9]{{0,5}})\)\$"  # "$(ARM)$"
    rf"|(?<![\w$])\$(?P<cash>[A-Z][A-Z0-9]{{0,5}})(?![\w])"  # "$NVDA"
    rf"|(?<=\s)(?P<ric>[A-Z][A-Z0-9]{{0,5}}|\d{{4}})\.(?P<rsuf>OQ|O|N|T|PA|L|DE|AS)(?![\w.])"  # Reuters "NVDA.O"
    rf"|(?<=[\s(])\.(?P<index>DJI|IXIC|SPX|INX|NDX|N225|TOPX|SOX|FCHI)(?![\w.])"  # Reuters codes ".IXIC", "(.SPX)"
)
# Reuters index codes → Yahoo symbols
_INDEX_CODES = {"DJI": "^DJI", "IXIC": "^IXIC", "SPX": "^GSPC", "INX": "^GSPC", "NDX": "^NDX", "N225": "^N225",
                "TOPX": "TOPIX", "SOX": "^SOX", "FCHI": "^FCHI"}  # fmt: skip
_BEFORE_BARE = re.compile(r"(?:[A-ZÀ-Ý][\w&.'-]*|stock|shares|titre|action|tracker|fund|fonds|ETF|trust)\s*$")


@dataclass(frozen=True)
class Notation:
    """A notation at ``start:end`` naming ``ticker``; ``note`` says when it was read as another listing."""

    start: int
    end: int
    written: str
    ticker: str
    note: str = ""


def notations(text: str, listings: Container[str], start: int = 0, end: int | None = None) -> list[Notation]:
    """The ticker notations in ``text[start:end]``, whether or not they lead to a known listing.

    ``ticker`` is empty for a notation the table does not know (its span is
    still no company name: "NYSE", "OTC").
    """
    out = []
    for m in NOTATION.finditer(text, start, len(text) if end is None else end):
        ticker, note = _resolve(m, listings)
        if m["bare"] and not _BEFORE_BARE.search(text, max(0, m.start() - 40), m.start()):
            continue
        if m["bare"] and not ticker:
            continue  # "(CEO)", "(RPO)": an abbreviation, not a notation
        out.append(Notation(m.start(), m.end(), m.group(), ticker, note))
    return out


def _resolve(m: re.Match[str], listings: Container[str]) -> tuple[str, str]:
    if m["index"]:
        return _INDEX_CODES[m["index"]], ""  # the index's name is printed before its code: a span, not a new name
    symbol = m["sym"] or m["bare"] or m["tag"] or m["cash"] or m["ric"]
    if m["otc"]:
        primary = OTC.get(symbol, symbol if symbol in listings else "")
        if primary and primary != symbol:
            return primary, f"{m.group()} is traded over the counter: read as the primary listing {primary}"
        return primary, ""
    suffix = _MARKETS.get((m["mkt"] or "").upper(), "")
    extra = m["suf"] or m["bsuf"] or m["rsuf"]
    if extra is not None:
        if extra not in _MARKETS:
            return "", ""
        suffix = _MARKETS[extra]
    tokyo = (symbol + ".T",) if symbol.isdigit() and not suffix else ()  # "(1306)": a Tokyo code
    for candidate in (symbol + suffix, symbol, *tokyo):
        if candidate in listings:
            return candidate, ""
    return "", ""


def one_per_name(text: str, mentions: list) -> list:
    """``mentions`` less a notation right after its own name: "Advantest 6857.T", "Oracle (NYSE: ORCL)"."""
    out: list = []
    for m in mentions:
        if (
            out
            and out[-1].ticker
            and m.ticker == out[-1].ticker
            and _JUST_NOTATION.fullmatch(text, out[-1].end, m.start)
        ):
            out[-1] = replace(out[-1], end=m.end + len(_CLOSE.match(text, m.end).group()))  # one name, to its end
            continue
        out.append(m)
    return out


_JUST_NOTATION = re.compile(r"[\s(:$]*(?:[A-Za-z]+\s*:\s*)?")
_CLOSE = re.compile(r"[)$]?")


def fund_names(text: str, mentions: list) -> list:
    """``mentions`` less a name whose noun phrase ends on another known ticker in parentheses (a fund's issuer).

    "the Invesco tracker (QQQ)" is the fund, not Invesco the company.
    """
    out = []
    for m, k in zip(mentions, [*mentions[1:], None], strict=False):
        if (
            k is not None and k.ticker and k.ticker != m.ticker
            and _UP_TO_NOTATION.fullmatch(text, m.end, k.start)
            and (text.startswith(")", k.end) or text[k.end - 1] == ")")
        ):  # fmt: skip
            continue
        out.append(m)
    return out


_UP_TO_NOTATION = re.compile(r"[\w'’ -]{0,30}?(?:\(\s*(?:[A-Z]+\s*:\s*)?)?")  # "… tracker (QQQ)", "… tracker (1306)"
