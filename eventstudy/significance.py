"""The table of test statistics for a study: every test, every event window.

One row per (event, window, test). Single-security tests (CAR t,
sample-quantile, bootstrap) give one row per security and name it in
``note``; cross-sectional tests use all securities of the event. Residuals
of securities on different exchanges are aligned by event time (day -250
of each is row 0), which is what the Kolari-Pynnönen correlation and the
rank and sign tests need.

Columns: ``event, start, end, test, statistic, p, n, note``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy import cross_section as cs
from eventstudy import single_firm as sf
from eventstudy.inference import TestResult

TEST_COLUMNS = ["event", "start", "end", "test", "statistic", "p", "n", "note"]
BOOTSTRAP_DRAWS = 9999


def significance_table(
    ar: pd.DataFrame, car: pd.DataFrame, fits: pd.DataFrame, residuals: pd.DataFrame, *, seed: int = 0
) -> pd.DataFrame:
    """Every test for every event and window.

    Parameters
    ----------
    ar, car, fits
        Result tables (see :mod:`eventstudy.results`).
    residuals
        Estimation-window residuals: ``event, ticker, day, residual``.
    seed
        Seed of the bootstrap (reproducible tables).
    """
    rows: list[dict[str, object]] = []
    ar_by = dict(list(ar.groupby(["event", "ticker"], sort=False)))
    resid_by = dict(list(residuals.groupby(["event", "ticker"], sort=False)))
    df_by = fits.set_index(["event", "ticker"])["df"]
    for event, car_ev in car.groupby("event", sort=False):
        tickers = list(dict.fromkeys(car_ev["ticker"]))
        resid = np.vstack([resid_by[(event, t)]["residual"].to_numpy() for t in tickers])
        event_ar = np.vstack([ar_by[(event, t)]["abnormal"].to_numpy() for t in tickers])
        days = ar_by[(event, tickers[0])]["day"].to_numpy()
        df = np.array([df_by[(event, t)] for t in tickers])
        for (start, end), win in car_ev.groupby(["start", "end"], sort=False):
            win = win.set_index("ticker").loc[tickers]
            cars, ses = win["car"].to_numpy(), win["se"].to_numpy()
            cols = np.flatnonzero((days >= start) & (days <= end))
            base = {"event": event, "start": int(start), "end": int(end)}
            for ticker, row in win.iterrows():
                rows.append({**base, "test": "CAR t", "statistic": row["t"], "p": row["p"], "n": int(row["df"]),
                             "note": f"{ticker}; df = n - k"})  # fmt: skip
            for i, ticker in enumerate(tickers):
                window_ar = event_ar[i, cols]
                for result in (
                    sf.sample_quantile_test(window_ar, resid[i]),
                    sf.bootstrap_test(window_ar, resid[i], n_boot=BOOTSTRAP_DRAWS, rng=seed),
                ):
                    rows.append(_row(base, result, prefix=str(ticker)))
            for result in (
                cs.cross_sectional_t(cars),
                cs.patell_z(cars, ses, df),
                cs.bmp_t(cars, ses),
                cs.kolari_pynnonen_t(cars, ses, resid),
                cs.corrado_rank(resid, event_ar, days=list(cols)),
                cs.generalized_sign_z(cars, resid),
                cs.wilcoxon_signed_rank(cars),
            ):
                rows.append(_row(base, result, prefix=f"{len(tickers)} securities"))
    return pd.DataFrame(rows, columns=TEST_COLUMNS)


def _row(base: dict[str, object], result: TestResult, *, prefix: str) -> dict[str, object]:
    note = "; ".join(s for s in (prefix, result.note) if s)
    return {**base, "test": result.name, "statistic": result.stat, "p": result.pvalue, "n": result.nobs, "note": note}
