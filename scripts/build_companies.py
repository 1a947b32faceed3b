"""Build eventstudy/articles/data/companies.csv from pytickersymbols, plus the reviewed corrections.

Usage (build-time only; pytickersymbols is not a runtime dependency)::

    .venv/bin/pip install pytickersymbols==1.17.10
    .venv/bin/python scripts/build_companies.py

Source: the constituent lists that ``pytickersymbols`` ships offline (indices S&P 500,
NASDAQ 100, NIKKEI 225, CAC_40, DAX, FTSE 100, EURO STOXX 50). Rules, in order:

1. One row per company (same ISIN, else same name): its *primary listing* is the constituent
   symbol on the exchange of the ISIN's country (US: a symbol without suffix; JP: .T; FR: .PA;
   DE: .DE; GB: .L; NL: .AS; ES: .MC; IT: .MI; BE: .BR; FI: .HE; IE: .IR), else the symbol of the
   first index in the order above.
2. The exchange_calendars code comes from the symbol's suffix (.T → XTKS, .PA → XPAR, …); a US
   symbol is XNAS when the source lists it on NASDAQ or it is in the Nasdaq-100, else XNYS (the two
   share one calendar, so a wrong guess between them changes no session).
3. The benchmark is the home market's index (^GSPC, ^N225, ^FCHI, ^GDAXI, ^FTSE, ^AEX, ^IBEX,
   FTSEMIB.MI, ^BFX, ^OMXH25, ^ISEQ), else ^STOXX50E.
4. Short names: the name without legal suffixes (Inc., Corporation, plc, SE, AG, S.A., N.V.,
   Holdings, Group, …). A short name that two companies share is ambiguous: it is dropped unless
   eventstudy/articles/data/corrections.csv resolves it, and then it is flagged for review. A
   weaker alias also leaves out a generic last word ("Infineon" for Infineon Technologies); it is
   kept only when no other company has that name.
5. eventstudy/articles/data/corrections.csv (reviewed by hand) is applied last: ``set`` rows add or
   replace a company, ``alias`` rows add a name, ``ambiguous`` rows resolve a shared name to one
   symbol with a note, ``drop`` rows remove a name that is a common word.
"""

from __future__ import annotations

import csv
import importlib.metadata
import re
import sys
from pathlib import Path

from pytickersymbols import PyTickerSymbols

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "eventstudy" / "articles" / "data"
INDICES = {"S&P 500": "S&P 500", "NASDAQ 100": "Nasdaq-100", "NIKKEI 225": "Nikkei 225", "CAC_40": "CAC 40",
           "DAX": "DAX", "FTSE 100": "FTSE 100", "EURO STOXX 50": "Euro Stoxx 50"}  # fmt: skip
SUFFIX_BY_COUNTRY = {"US": "", "JP": ".T", "FR": ".PA", "DE": ".DE", "GB": ".L", "NL": ".AS", "ES": ".MC",
                     "IT": ".MI", "BE": ".BR", "FI": ".HE", "IE": ".IR"}  # fmt: skip
EXCHANGE_BY_SUFFIX = {".T": "XTKS", ".PA": "XPAR", ".DE": "XETR", ".L": "XLON", ".AS": "XAMS", ".MC": "XMAD",
                      ".MI": "XMIL", ".BR": "XBRU", ".HE": "XHEL", ".IR": "XDUB", ".LS": "XLIS", ".SW": "XSWX",
                      ".F": "XFRA"}  # fmt: skip
BENCHMARK_BY_EXCHANGE = {"XNYS": "^GSPC", "XNAS": "^GSPC", "XTKS": "^N225", "XPAR": "^FCHI", "XETR": "^GDAXI",
                         "XLON": "^FTSE", "XAMS": "^AEX", "XMAD": "^IBEX", "XMIL": "FTSEMIB.MI", "XBRU": "^BFX",
                         "XHEL": "^OMXH25", "XDUB": "^ISEQ"}  # fmt: skip
_LEGAL = re.compile(
    r"(?:,?\s+(?:Inc\.?|Incorporated|Corporation|Corp\.?|Co\.|Company|Companies|plc|PLC|SE|AG|S\.?A\.?|N\.?V\.?"
    r"|Ltd\.?|Limited|Holdings?|Group|Co\.,? Ltd\.?|& Co\.?|KGaA|SpA|S\.p\.A\.|ASA|A/S|\(The\)))+$"
)
# generic trailing words journalists leave out ("Infineon" for Infineon Technologies): a weaker alias
_GENERIC = re.compile(
    r"\s+(?:Technologies|Technology|Electronics|Pharmaceuticals?|Motors?|Industries|International|Semiconductors?"
    r"|Systems|Software|Brands|Enterprises?|Laboratories|Therapeutics|Chemicals?)$"
)
COLUMNS = ["symbol", "name", "aliases", "exchange", "benchmark", "indices", "isin", "review"]


def _suffix(symbol: str) -> str:
    m = re.search(r"\.[A-Z]{1,2}$", symbol)
    return m.group() if m else ""


def _exchange(symbol: str, stock: dict) -> str:
    suffix = _suffix(symbol)
    if suffix:
        return EXCHANGE_BY_SUFFIX.get(suffix, "")
    for s in stock.get("symbols", []):
        if s.get("yahoo") == symbol and s.get("google", "").startswith("NASDAQ:"):
            return "XNAS"
    return "XNYS"


def short_name(name: str) -> str:
    """The name without legal suffixes and a leading "The"."""
    short = _LEGAL.sub("", name.strip()).strip(" ,")
    return re.sub(r"^The\s+", "", short) or name


def build() -> tuple[list[dict[str, str]], list[str]]:
    """The table's rows, and a log of the names dropped as ambiguous."""
    data = PyTickerSymbols()
    companies: dict[str, dict] = {}
    for index, label in INDICES.items():
        for stock in data.get_stocks_by_index(index):
            isin = (stock.get("isins") or [""])[0]
            key = isin or stock["symbol"]
            row = companies.setdefault(key, {"stock": stock, "symbols": [], "indices": [], "isin": isin})
            row["symbols"].append(stock["symbol"])
            if label not in row["indices"]:
                row["indices"].append(label)
    rows = []
    for row in companies.values():
        stock, symbols = row["stock"], row["symbols"]
        home = SUFFIX_BY_COUNTRY.get(row["isin"][:2])
        primary = next((s for s in symbols if home is not None and _suffix(s) == home), symbols[0])
        exchange = _exchange(primary, stock)
        if exchange == "XNYS" and "Nasdaq-100" in row["indices"]:
            exchange = "XNAS"  # Nasdaq-100 members list on Nasdaq; the source often omits the exchange
        name = stock["name"].strip()
        aliases = sorted({name, short_name(name)} - {""})
        weak = _GENERIC.sub("", short_name(name))
        secondary = [weak] if weak != short_name(name) and len(weak) >= 4 else []
        rows.append({"symbol": primary, "name": name, "aliases": aliases, "secondary": secondary, "exchange": exchange,
                     "benchmark": BENCHMARK_BY_EXCHANGE.get(exchange, "^STOXX50E"),
                     "indices": row["indices"], "isin": row["isin"], "review": ""})  # fmt: skip
    return _apply_corrections(rows)


def _apply_corrections(rows: list[dict]) -> tuple[list[dict[str, str]], list[str]]:
    log = []
    by_symbol = {r["symbol"]: r for r in rows}
    with (DATA / "corrections.csv").open(encoding="utf-8") as fh:
        corrections = [c for c in csv.DictReader(fh) if c["action"] and not c["action"].startswith("#")]
    for c in corrections:
        if c["action"] == "set":
            old = by_symbol.pop(c["replaces"], None) if c["replaces"] else None
            row = by_symbol.get(c["symbol"]) or old or {"aliases": [], "indices": [], "isin": "", "review": ""}
            row.update(symbol=c["symbol"], name=c["name"] or row.get("name", c["symbol"]),
                       exchange=c["exchange"], benchmark=c["benchmark"])  # fmt: skip
            row["aliases"] = sorted(set(row["aliases"]) | {row["name"]} | set(filter(None, c["aliases"].split("|"))))
            by_symbol[c["symbol"]] = row
    # a short name shared by two companies is ambiguous: dropped unless an "ambiguous" row resolves it
    owners: dict[str, set[str]] = {}
    for r in by_symbol.values():
        for a in r["aliases"]:
            owners.setdefault(a.casefold(), set()).add(r["symbol"])
    resolved = {c["name"].casefold(): c for c in corrections if c["action"] == "ambiguous"}
    dropped = {c["name"].casefold() for c in corrections if c["action"] == "drop"}
    for c in corrections:
        if c["action"] == "alias":
            by_symbol[c["symbol"]]["aliases"].append(c["name"])
            owners.setdefault(c["name"].casefold(), set()).add(c["symbol"])
    weak_owners: dict[str, set[str]] = {}
    for r in by_symbol.values():
        for a in r.get("secondary", []):
            weak_owners.setdefault(a.casefold(), set()).add(r["symbol"])
    names = [n.casefold() for r in by_symbol.values() for n in r["aliases"]]
    for r in by_symbol.values():
        for a in r.get("secondary", []):  # kept only when no other company could be meant
            k = a.casefold()
            prefix = any(n.startswith(k + " ") for n in names if n not in {x.casefold() for x in r["aliases"]})
            if k not in owners and len(weak_owners[k]) == 1 and k not in dropped and not prefix:
                r["aliases"].append(a)
                owners[k] = {r["symbol"]}
    for r in by_symbol.values():
        keep = []
        for a in r["aliases"]:
            k = a.casefold()
            if k in dropped:
                continue
            if k in resolved:
                if resolved[k]["symbol"] == r["symbol"]:
                    keep.append(a)
                    r["review"] = "; ".join(filter(None, [r["review"], f"{a}: {resolved[k]['note']}"]))
                continue
            if len(owners[k]) > 1:
                log.append(f"ambiguous name dropped: {a!r} ({', '.join(sorted(owners[k]))})")
                continue
            keep.append(a)
        r["aliases"] = sorted(set(keep) - {""}, key=str.casefold)
    out = []
    for r in sorted(by_symbol.values(), key=lambda r: r["symbol"]):
        out.append({**r, "aliases": "|".join(r["aliases"]), "indices": "|".join(r["indices"])})
    return out, sorted(set(log))


def main() -> int:
    """Write companies.csv."""
    rows, log = build()
    version = importlib.metadata.version("pytickersymbols")
    with (DATA / "companies.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write(f"# built by scripts/build_companies.py from pytickersymbols {version} and corrections.csv\n")
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows({k: r.get(k, "") for k in COLUMNS} for r in rows)
    for line in log:
        print(line, file=sys.stderr)
    print(f"{len(rows)} companies → {DATA / 'companies.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
