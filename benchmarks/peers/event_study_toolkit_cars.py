"""CARs of (security, day 0) pairs with event-study-toolkit 1.0.0, from local price CSVs.

Run by ``benchmarks/bench_peers.py`` in the peers' own virtual environment::

    python event_study_toolkit_cars.py PAIRS_CSV PRICES_DIR OUT_CSV

The toolkit takes a panel of returns (``permno, date, ret_dlst_adj, vwretd``) and an events
table (``permno, EVT_DATE``, a group column), lays its estimation and event periods on an
exchange's trading calendar (pandas_market_calendars), fits its ``'market'`` model by
statsmodels formula OLS per ``permno`` and sums the abnormal returns of the event period
(``getCARS``: CAR, sigma, SCAR, BMP-scaled SCAR). It fits one model per ``permno``, so each
pair is its own ``permno`` with its own rows; ``estperiod=240, gap=0, start=-10, end=10`` is
``eventstudy``'s [-250, -11] estimation window and [-10, 10] AR window. Its calendar schedule
stops at 2023-07-10 in the package's code, before these events: ``getTradingCalendar`` is the
package's own, the schedule's end moved to 2026-12-31. One study per calendar (NYSE for the
US listings, JPX for Tokyo). Prints nothing; writes ``pair,car`` (the CAR over [-10, 10]).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pandas_market_calendars as mcal
from event_study_toolkit.eventstudy import eventstudy

CALENDARS = {"XNYS": "NYSE", "XNAS": "NYSE", "XTKS": "JPX"}


class Study(eventstudy):
    """The toolkit's study, its trading calendar running to 2026 (the package's stops at 2023-07-10)."""

    def getTradingCalendar(self, calType: str) -> pd.DataFrame:  # the package's name
        """The package's method with a later end date."""
        calendar = mcal.get_calendar(calType).schedule(start_date="1900-01-01", end_date="2026-12-31")
        calendar["date"] = calendar.index
        return self.generateTradingCalendar(calendar)


def main(pairs_csv: str, prices: str, out: str) -> None:
    """Read the pairs and prices, run the peer once per calendar, write the CARs."""
    closes: dict[str, pd.Series] = {}

    def close(symbol: str) -> pd.Series:
        if symbol not in closes:
            frame = pd.read_csv(Path(prices) / f"{symbol.lstrip('^')}.csv", parse_dates=["Date"], index_col="Date")
            column = "Adj Close" if frame["Adj Close"].notna().any() else "Close"  # as eventstudy's price_series
            closes[symbol] = frame[column].dropna()
        return closes[symbol]

    pairs = pd.read_csv(pairs_csv, parse_dates=["day0"])
    panels, events = [], []
    for pair in pairs.itertuples():
        stock, bench = close(pair.ticker), close(pair.benchmark)
        market = bench.reindex(stock.index.union(bench.index)).ffill().pct_change().reindex(stock.index)
        i = int(stock.index.searchsorted(pair.day0))
        rows = slice(i - 252, i + 12)
        panels.append(pd.DataFrame({
            "permno": pair.pair, "date": stock.index[rows].astype("datetime64[ns]"),
            "ret_dlst_adj": stock.pct_change().to_numpy()[rows], "vwretd": market.to_numpy()[rows],
            "cal": CALENDARS[pair.exchange],
        }))  # fmt: skip
        events.append((pair.pair, pair.day0, "all", CALENDARS[pair.exchange]))
    data = pd.concat(panels, ignore_index=True)
    table = pd.DataFrame(events, columns=["permno", "EVT_DATE", "grp", "cal"])
    cars = []
    for cal, part in table.groupby("cal"):
        study = Study(240, 0, -10, 10, data[data["cal"] == cal].drop(columns="cal"), part.drop(columns="cal"),
                      unique_id="permno", calType=cal, groups=["grp"])  # fmt: skip
        cars.append(study.getCARS("market")[["permno", "car"]])
    result = pd.concat(cars).rename(columns={"permno": "pair"}).drop_duplicates("pair")
    result.assign(car=result["car"].astype(np.float64)).to_csv(out, index=False)


if __name__ == "__main__":
    main(*sys.argv[1:4])
