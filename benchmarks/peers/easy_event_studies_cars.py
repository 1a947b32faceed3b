"""CARs of (security, day 0) pairs with EasyEventStudies 2.0, from local price CSVs.

Run by ``benchmarks/bench_peers.py`` in the peers' own virtual environment::

    python easy_event_studies_cars.py PAIRS_CSV PRICES_DIR OUT_CSV

EasyEventStudies' ``run_event_study`` downloads the prices (Yahoo Finance) and the market
return (Kenneth French's library) itself; everything after the download is its own
functions, called here in the order ``run_event_study`` calls them: the market model fitted
by statsmodels OLS on the estimation window, the abnormal returns of the event window, their
covariance (Campbell, Lo & MacKinlay 1997), the day-by-day CAR with its variance, t and p.
Its windows are calendar days around the event date; each pair's are the calendar days of
sessions -250, -11, -10 and +10 of the security, so it fits and sums the same sessions as
``eventstudy`` ([-250, -11] and [-10, 10]). The market return is the benchmark's, its last
close carried onto the security's sessions it did not trade, as ``eventstudy`` does.
Prints nothing; writes ``pair,car`` (the CAR over [-10, 10]).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
from EasyEventStudies import easy_event_studies as ees


def main(pairs_csv: str, prices: str, out: str) -> None:
    """Read the pairs and prices, run the peer on every pair, write the CARs."""
    closes: dict[str, pd.Series] = {}

    def close(symbol: str) -> pd.Series:
        if symbol not in closes:
            frame = pd.read_csv(Path(prices) / f"{symbol.lstrip('^')}.csv", parse_dates=["Date"], index_col="Date")
            column = "Adj Close" if frame["Adj Close"].notna().any() else "Close"  # as eventstudy's price_series
            closes[symbol] = frame[column].dropna()
        return closes[symbol]

    rows = []
    for pair in pd.read_csv(pairs_csv, parse_dates=["day0"]).itertuples():
        stock = close(pair.ticker)
        market = close(pair.benchmark).reindex(stock.index.union(close(pair.benchmark).index)).ffill()
        dates = pd.Series(stock.index)
        stock_data = pd.DataFrame({"Date": dates, "Close": stock.to_numpy()})
        stock_data["Daily_Return"] = stock_data["Close"].pct_change()
        factor_data = pd.DataFrame({"Date": dates, "Mkt": market.pct_change().reindex(stock.index).to_numpy()})
        i, event_date = int(dates.searchsorted(pair.day0)), pair.day0
        days = [int((dates.iloc[i + k] - event_date).days) for k in (-250, -11, -10, 10)]  # sessions to calendar days
        estimation, event = (days[0], days[1]), (days[2], days[3])
        x = ees.create_X_matrix(factor_data, estimation, event_date, mode="market_model")
        y = ees.create_Y_matrix(stock_data, event_date, estimation)
        x_star = ees.create_X_star_matrix(event_date, event, factor_data, "market_model")
        y_star = ees.create_Y_star_matrix(event_date, event, stock_data)
        model, variance = ees.estimate_return_model(x, y, "market_model")
        normal, abnormal = ees.estimate_normal_abnormal_returns(model, x_star, y_star)
        var_ar = ees.estimate_variance_of_abnormal_returns(x, y, x_star, y_star, variance)
        table = ees.create_event_study_output(
            event_date, stock_data, factor_data, normal, abnormal, var_ar, event, historical_days=10
        )
        rows.append((pair.pair, float(table["CAR"].dropna().iloc[-1])))
    pd.DataFrame(rows, columns=["pair", "car"]).to_csv(out, index=False)


if __name__ == "__main__":
    main(*sys.argv[1:4])
