"""Seeded synthetic market with a planted abnormal return.

``make_market`` writes ``STOCK.csv`` and ``MKT.csv`` in the CSV-directory
layout, on real XNYS sessions, with returns r = alpha + beta * m + e and a
planted abnormal return added on given sessions. It returns the arrays it
drew so tests can compute expected values with numpy, independently of
eventstudy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass
class Market:
    sessions: pd.DatetimeIndex  # sessions[0] is the base price date
    stock: np.ndarray  # returns on sessions[1:]
    market: np.ndarray
    noise: np.ndarray
    alpha: float
    beta: float
    sigma: float


def make_market(
    directory: Path,
    *,
    start: str = "2023-01-03",
    end: str = "2025-06-30",
    alpha: float = 0.0005,
    beta: float = 1.3,
    sigma: float = 0.01,
    planted: dict[str, float] | None = None,
    seed: int = 20250121,
) -> Market:
    import warnings

    import exchange_calendars as xcals

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas 3.1 deprecation inside exchange_calendars
        sessions = xcals.get_calendar("XNYS").sessions_in_range(start, end)
    rng = np.random.default_rng(seed)
    n = len(sessions) - 1
    market = rng.normal(0.0004, 0.009, n)
    noise = rng.normal(0.0, sigma, n)
    stock = alpha + beta * market + noise
    for day, effect in (planted or {}).items():
        stock[sessions[1:].get_loc(pd.Timestamp(day))] += effect
    directory.mkdir(parents=True, exist_ok=True)
    for name, rets in (("STOCK", stock), ("MKT", market)):
        price = 100.0 * np.concatenate([[1.0], np.cumprod(1.0 + rets)])
        frame = pd.DataFrame(
            {
                "Date": sessions.strftime("%Y-%m-%d"),
                "Open": price,
                "High": price,
                "Low": price,
                "Close": price,
                "Adj Close": price,
                "Volume": 1000,
            }
        )
        frame.to_csv(directory / f"{name}.csv", index=False, float_format="%.17g")
    return Market(sessions, stock, market, noise, alpha, beta, sigma)


STUDY_TOML = """
[study]
id = "synthetic"
model = "{model}"

[[securities]]
ticker = "STOCK"
exchange = "XNYS"
benchmark = "MKT"

[[events]]
id = "ev"
timestamp = {timestamp}
"""


def write_study(path: Path, *, timestamp: str = "2025-01-21T12:00:00-05:00", model: str = "market") -> Path:
    path.write_text(STUDY_TOML.format(timestamp=timestamp, model=model))
    return path


def prices_with_a_negative_volume(prices_dir: Path, folder: Path, ticker: str = "NVDA") -> Path:
    """``folder`` holding a copy of the price files, the last volume of ``ticker`` made negative (fails validation)."""
    folder.mkdir()
    for f in prices_dir.glob("*.csv"):
        (folder / f.name).write_bytes(f.read_bytes())
    lines = (folder / f"{ticker}.csv").read_text().splitlines()
    cells = lines[-1].split(",")
    lines[-1] = ",".join([*cells[:-1], "-" + cells[-1]])
    (folder / f"{ticker}.csv").write_text("\n".join(lines) + "\n")
    return folder
