"""Volume, volatility, BHAR and GARCH measures against arithmetic written here.

Real-data expectations are computed from the CSV files with the csv module
and numpy formulas, by file row (the files hold every session); the code
under test gets its inputs through the package's own route (CsvDirectorySource,
exchange sessions, the returns panel, ``stack``).
"""

from __future__ import annotations

import csv
import math
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy import CsvDirectorySource
from eventstudy.engine.panel import returns_panel
from eventstudy.market.calendars import sessions_around
from eventstudy.measures import stack
from eventstudy.measures.bhar import bootstrap_skewness_adjusted_t, buy_and_hold, skewness_adjusted_t
from eventstudy.measures.volatility import abnormal_volatility, volatility_tests
from eventstudy.measures.volume import (
    BENCHMARK_GAPS,
    NO_BENCHMARK_VOLUME,
    ZERO_DAYS,
    abnormal_volume,
    log_volume,
    split_adjust_volume,
    volume_tests,
)

DAY0 = "2025-01-22"
PAIRS = [("9984.T", "^N225", "XTKS"), ("ARM", "^GSPC", "XNAS")]
FIRST, LAST = -250, 60  # stacked event days


def rows(prices_dir, symbol):
    with open(prices_dir / (symbol.lstrip("^") + ".csv"), newline="") as fh:
        return list(csv.DictReader(fh))


def price(row):
    return float(row["Adj Close"] or row["Close"])


@pytest.fixture(scope="module")
def stacked(prices_dir):
    """Volume, benchmark volume, returns and benchmark returns, days -250..+60, through the package."""
    src = CsvDirectorySource(prices_dir)
    out = {"volume": [], "market_volume": [], "returns": [], "market": []}
    for ticker, bench, exchange in PAIRS:
        sessions = sessions_around(pd.Timestamp(DAY0), FIRST - 1, LAST, exchange)
        frames = {s: src.prices(s, sessions[0], sessions[-1]) for s in (ticker, bench)}
        panel = returns_panel(frames, sessions, carry={bench})
        vol = pd.DataFrame({s: frames[s]["Volume"].reindex(sessions) for s in (ticker, bench)})
        day0 = np.array([sessions.get_loc(pd.Timestamp(DAY0))])
        out["returns"].append(stack(panel.to_numpy(), [0], day0, FIRST, LAST)[0])
        out["market"].append(stack(panel.to_numpy(), [1], day0, FIRST, LAST)[0])
        out["volume"].append(stack(vol.to_numpy(), [0], day0, FIRST, LAST)[0])
        out["market_volume"].append(stack(vol.to_numpy(), [1], day0, FIRST, LAST)[0])
    return {k: np.array(v) for k, v in out.items()}


@pytest.fixture(scope="module")
def by_hand(prices_dir):
    """Per pair, from the CSV rows: log volumes and returns on days -250..+60 (file rows i-250..i+60)."""
    out = []
    for ticker, bench, _ in PAIRS:
        sec = rows(prices_dir, ticker)
        bench_rows = {r["Date"]: r for r in rows(prices_dir, bench)}
        i = [r["Date"] for r in sec].index(DAY0)
        span = range(i + FIRST, i + LAST + 1)
        out.append(
            {
                "v": np.array([math.log(1 + float(sec[k]["Volume"])) for k in span]),
                "vm": np.array([math.log(1 + float(bench_rows[sec[k]["Date"]]["Volume"])) for k in span]),
                "r": np.array([price(sec[k]) / price(sec[k - 1]) - 1 for k in span]),
                "rm": np.array(
                    [price(bench_rows[sec[k]["Date"]]) / price(bench_rows[sec[k - 1]["Date"]]) - 1 for k in span]
                ),
            }
        )
    return out


EST = slice(0, 240)  # days -250..-11 in a stack starting at -250
D0 = 250  # day 0


def test_abnormal_volume_softbank_and_arm_on_2025_01_22(stacked, by_hand):
    """Mean and market models of log(1 + V) against OLS arithmetic on the CSV volumes."""
    mean_res = abnormal_volume(stacked["volume"], stacked["market_volume"], start=FIRST, model="mean")
    mkt_res = abnormal_volume(stacked["volume"], stacked["market_volume"], start=FIRST)
    assert list(mkt_res.model) == ["market", "market"] and mkt_res.ok.all()
    day0 = list(mkt_res.days).index(0)
    w11 = mkt_res.windows.index((-1, 1))
    for p, h in enumerate(by_hand):
        y, m = h["v"][EST], h["vm"][EST]
        n = len(y)
        # mean model
        mu, s2 = y.mean(), ((y - y.mean()) ** 2).sum() / (n - 1)
        assert mean_res.abnormal[p, day0] == pytest.approx(h["v"][D0] - mu, abs=1e-12)
        assert mean_res.sav[p, day0] == pytest.approx((h["v"][D0] - mu) / math.sqrt(s2 * (1 + 1 / n)), abs=1e-10)
        cav = (h["v"][D0 - 1 : D0 + 2] - mu).sum()
        t = cav / math.sqrt(s2 * (3 + 9 / n))
        assert mean_res.cav[p, w11] == pytest.approx(cav, abs=1e-11)
        assert mean_res.t[p, w11] == pytest.approx(t, abs=1e-9)
        assert mean_res.p[p, w11] == pytest.approx(2 * stats.t.sf(abs(t), n - 1), abs=1e-10)
        # market model on the benchmark's log volume
        b, a = np.polyfit(m, y, 1)
        e = y - a - b * m
        s2 = e @ e / (n - 2)
        sxx = ((m - m.mean()) ** 2).sum()
        av0 = h["v"][D0] - a - b * h["vm"][D0]
        assert mkt_res.beta[p] == pytest.approx(b, abs=1e-9)
        assert mkt_res.abnormal[p, day0] == pytest.approx(av0, abs=1e-9)
        assert mkt_res.sav[p, day0] == pytest.approx(
            av0 / math.sqrt(s2 * (1 + 1 / n + (h["vm"][D0] - m.mean()) ** 2 / sxx)), abs=1e-8
        )
        ms = h["vm"][D0 - 1 : D0 + 2].sum()
        cav = (h["v"][D0 - 1 : D0 + 2] - a - b * h["vm"][D0 - 1 : D0 + 2]).sum()
        t = cav / math.sqrt(s2 * (3 + 9 / n + (ms - 3 * m.mean()) ** 2 / sxx))
        assert mkt_res.t[p, w11] == pytest.approx(t, abs=1e-8)
    # the figures quoted in docs/methodology.md
    np.testing.assert_allclose(mean_res.abnormal[:, day0], [1.0095, 1.2538], atol=5e-5)
    np.testing.assert_allclose(mkt_res.abnormal[:, day0], [1.1274, 1.1740], atol=5e-5)
    np.testing.assert_allclose(mean_res.t[:, 0], [2.16, 1.96], atol=5e-3)
    np.testing.assert_allclose(mkt_res.t[:, 0], [2.72, 1.86], atol=5e-3)
    np.testing.assert_allclose(mean_res.cav[:, w11], [1.111, 1.873], atol=5e-4)
    np.testing.assert_allclose(mkt_res.t[:, w11], [2.12, 1.41], atol=5e-3)


def test_volume_tests_on_the_standardized_values(stacked):
    res = abnormal_volume(stacked["volume"], stacked["market_volume"], start=FIRST)
    t, rank = volume_tests(res, (0, 0))
    scav = res.cav[:, 0] / res.se[:, 0]
    expected = scav.mean() / (scav.std(ddof=1) / math.sqrt(2))
    assert t.stat == pytest.approx(expected, abs=1e-10)
    assert t.pvalue == pytest.approx(2 * stats.t.sf(abs(expected), 1), abs=1e-10)
    # Corrado on the standardized values: ranks of each pair's 240 + 21 values
    values = np.hstack([res.residuals / res.sigma[:, None], res.sav])
    u = stats.rankdata(values, axis=1) / (values.shape[1] + 1) - 0.5
    ubar = u.mean(axis=0)
    z = ubar[240 + 10] / math.sqrt(np.mean(ubar**2))
    assert rank.stat == pytest.approx(z, abs=1e-10) and rank.name == "abnormal volume rank"


def test_benchmark_without_volume_zero_days_and_missing_volume():
    rng = np.random.default_rng(3)
    v = np.exp(rng.normal(14, 0.5, (4, 261)))
    mv = np.exp(rng.normal(20, 0.3, (4, 261)))
    mv[1, 100] = 0.0  # a zero on a window day (like ^GSPC on 2023-05-24)
    mv[2] = np.nan  # an index without volume (TOPIX)
    v[3, 50] = 0.0  # the security did not trade
    res = abnormal_volume(v, mv, start=-250)
    assert list(res.model) == ["market", "mean", "mean", "market"]
    assert res.note[1] == BENCHMARK_GAPS and res.note[2] == NO_BENCHMARK_VOLUME and res.note[3] == ZERO_DAYS
    assert list(res.zero_days) == [0, 0, 0, 1] and res.ok.all()
    assert res.residuals[3, 50] == pytest.approx(0.0 - res.alpha[3] - res.beta[3] * math.log1p(mv[3, 50]))
    only_mean = abnormal_volume(v, None, start=-250)
    assert set(only_mean.model) == {"mean"} and set(only_mean.note) - {NO_BENCHMARK_VOLUME + "; " + ZERO_DAYS} == {
        NO_BENCHMARK_VOLUME
    }
    mean = abnormal_volume(v, mv, start=-250, model="mean")
    np.testing.assert_array_equal(res.abnormal[1:3], mean.abnormal[1:3])
    v[0, 255] = np.nan
    assert list(abnormal_volume(v, mv, start=-250).ok) == [False, True, True, True]
    with pytest.raises(ValueError, match="negative"):
        abnormal_volume(-v, mv, start=-250)
    with pytest.raises(ValueError, match="inside the abnormal window"):
        abnormal_volume(v, mv, start=-250, event_windows=((0, 20),))
    with pytest.raises(ValueError, match="outside the stacked days"):
        abnormal_volume(v, mv, start=-240)
    with pytest.raises(ValueError, match="unknown volume model"):
        abnormal_volume(v, mv, start=-250, model="garch")


def test_log_volume_is_the_same_bits_on_every_cpu(prices_dir):
    """log(1 + V) bit for bit as the C library's scalar log gives it, on every volume of the price files.

    numpy's log1p takes an AVX-512 path on CPUs that have it and differs there in the last bit (seen on 7 of
    26,854 volumes), so a report regenerated on another machine changed.
    """
    volumes = np.concatenate([
        frame["Volume"].dropna().to_numpy(float)
        for path in sorted(prices_dir.glob("*.csv"))
        if "Volume" in (frame := pd.read_csv(path))
    ])  # fmt: skip
    assert len(volumes) > 20_000
    scalar = np.array([math.log(1.0 + v) for v in volumes]).tobytes()
    assert log_volume(volumes).tobytes() == scalar
    # and with numpy's AVX-512 paths turned off, as on a CPU without them (names of numpy 2.4's dispatch targets)
    run = subprocess.run(
        [sys.executable, "-c", "import sys, numpy as np; from eventstudy.measures.volume import log_volume; "
         "sys.stdout.buffer.write(log_volume(np.frombuffer(sys.stdin.buffer.read())).tobytes())"],
        input=volumes.tobytes(), capture_output=True, check=True,
        env={**os.environ, "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR"},
    )  # fmt: skip
    assert run.stdout == scalar


def test_jquants_volume_is_not_split_adjusted_before_2021_01_26(prices_dir):
    """Why the Yahoo volume is used: J-Quants' is on the raw share basis until 2021-01-25."""
    yahoo = {r["Date"]: float(r["Volume"]) for r in rows(prices_dir, "9984.T")}
    jq_rows = rows(prices_dir, "9984.T_JQuants_OHLCV")
    jq = pd.Series([float(r["Volume"]) for r in jq_rows], index=pd.DatetimeIndex([r["Date"] for r in jq_rows]))
    adjusted = split_adjust_volume(jq, {"2021-01-26": 4})
    differ = [d for d, v in adjusted.items() if v != yahoo[str(d.date())]]
    assert [str(d.date()) for d in differ] == ["2022-05-17", "2024-01-15", "2024-03-29"]
    raw_differ = [d for d, v in jq.items() if v != yahoo[str(d.date())]]
    assert len(raw_differ) == 257 + 3  # every day before 2021-01-26, a quarter of Yahoo's


def test_beaver_u_and_window_variance_ratio_on_real_data(stacked, by_hand):
    vol = abnormal_volatility(stacked["returns"], stacked["market"], start=FIRST)
    day0 = list(vol.days).index(0)
    for p, h in enumerate(by_hand):
        np.testing.assert_allclose(stacked["returns"][p], h["r"], atol=1e-12)
        y, m = h["r"][EST], h["rm"][EST]
        n = len(y)
        b, a = np.polyfit(m, y, 1)
        e = y - a - b * m
        s2 = e @ e / (n - 2)
        x = np.column_stack([np.ones(n), m])
        xtx_inv = np.linalg.inv(x.T @ x)
        ar = h["r"][240:261] - a - b * h["rm"][240:261]
        assert vol.u[p, day0] == pytest.approx(ar[10] ** 2 / s2, rel=1e-9)
        x0 = np.array([1.0, h["rm"][D0]])
        u_star = ar[10] ** 2 / (s2 * (1 + x0 @ xtx_inv @ x0))
        assert vol.u_star[p, day0] == pytest.approx(u_star, rel=1e-9)
        assert vol.p_day[p, day0] == pytest.approx(stats.f.sf(u_star, 1, n - 2), rel=1e-8)
        for w, (lo, hi) in enumerate(vol.windows):
            sel = slice(lo + 10, hi + 11)
            xs = np.column_stack([np.ones(hi - lo + 1), h["rm"][240:261][sel]])
            omega = np.eye(hi - lo + 1) + xs @ xtx_inv @ xs.T
            f = ar[sel] @ np.linalg.solve(omega, ar[sel]) / ((hi - lo + 1) * s2)
            assert vol.variance_ratio[p, w] == pytest.approx(np.mean(ar[sel] ** 2) / s2, rel=1e-9)
            assert vol.f[p, w] == pytest.approx(f, rel=1e-8)
            assert vol.p_window[p, w] == pytest.approx(stats.f.sf(f, hi - lo + 1, n - 2), rel=1e-7, abs=1e-15)
    # the figures quoted in docs/methodology.md: SoftBank and Arm on 2025-01-22
    np.testing.assert_allclose(vol.u[:, day0], [19.88, 7.55], atol=5e-3)
    np.testing.assert_allclose(vol.u_star[:, day0], [19.72, 7.51], atol=5e-3)
    np.testing.assert_allclose(vol.variance_ratio[:, vol.windows.index((-5, 5))], [4.09, 1.15], atol=5e-3)
    test = volatility_tests(vol, (0, 0))
    assert test.stat == pytest.approx(vol.u_star[:, day0].sum()) and test.df == 2
    assert test.pvalue == pytest.approx(stats.chi2.sf(test.stat, 2))


def test_volatility_tests_are_sized_and_find_planted_variance():
    """Normal market-model data: the exact F tests reject 5 % at 5 %; a tripled sd on days 0..+5 is found."""
    rng = np.random.default_rng(1968)
    pairs, span = 4000, 261
    m = rng.normal(0, 0.01, (pairs, span))
    r = 0.0002 + 1.2 * m + rng.normal(0, 0.02, (pairs, span))
    vol = abnormal_volatility(r, m, start=-250)
    band = 1.96 * math.sqrt(0.05 * 0.95 / pairs) + 0.002
    assert abs(np.mean(vol.p_day[:, 10] < 0.05) - 0.05) < band
    for w in range(len(vol.windows)):
        assert abs(np.mean(vol.p_window[:, w] < 0.05) - 0.05) < band
    r[:, 250:256] += rng.normal(0, 0.04, (pairs, 6))  # variance x 5 on days 0..+5
    vol = abnormal_volatility(r, m, start=-250, event_windows=((0, 5),))
    power = stats.chi2.sf(6 * stats.f.isf(0.05, 6, 238) / 5.0, 6)  # 6F/5 ≈ χ²(6) for large T: 0.86
    assert abs(np.mean(vol.p_window[:, 0] < 0.05) - power) < 0.03
    assert volatility_tests(vol, (0, 5), pairs=np.arange(5)).pvalue < 1e-6


def test_bhar_against_the_hand_formula(stacked, by_hand):
    res = buy_and_hold([[0.5, 0.1, -0.05]], [[0.3, 0.02, 0.01]], start=-1, windows=((0, 1),))
    assert res.bhar[0, 0] == pytest.approx((1.1 * 0.95 - 1) - (1.02 * 1.01 - 1), abs=1e-15)
    real = buy_and_hold(stacked["returns"], stacked["market"], start=FIRST, windows=((0, 20), (0, 60)))
    for p, h in enumerate(by_hand):  # compounded from the CSV's adjusted closes: P(20)/P(-1)
        for w, last in enumerate((20, 60)):
            sec = np.prod(1 + h["r"][D0 : D0 + last + 1]) - 1
            bench = np.prod(1 + h["rm"][D0 : D0 + last + 1]) - 1
            assert real.bhar[p, w] == pytest.approx(sec - bench, abs=1e-12)
    np.testing.assert_allclose(real.bhar[:, 1], [-0.1572, -0.2242], atol=5e-5)  # quoted in the docs
    missing = buy_and_hold([[0.1, np.nan]], [[0.0, 0.0]], start=0, windows=((0, 1),))
    assert np.isnan(missing.bhar[0, 0])


def _lbt(x):
    """Lyon, Barber & Tsai (1999) eq. (5)-(6), written out."""
    n = len(x)
    s = x.mean() / x.std(ddof=1)
    gamma = stats.skew(x) * ((n - 1) / n) ** 1.5  # Σ(x - x̄)³ / (n s³), s with n - 1
    return math.sqrt(n) * (s + gamma * s**2 / 3 + gamma / (6 * n))


def test_skewness_adjusted_t_against_the_formula():
    x = np.random.default_rng(5).lognormal(0, 1, 40) - 1.5
    res = skewness_adjusted_t(x)
    assert res.stat == pytest.approx(_lbt(x), rel=1e-12)
    assert res.pvalue == pytest.approx(2 * stats.t.sf(abs(_lbt(x)), 39), rel=1e-10)
    assert not skewness_adjusted_t([0.1, 0.2]).valid


def test_bootstrapped_skewness_adjusted_t_replays_its_draws():
    x = np.random.default_rng(6).lognormal(0, 1, 48) - 1.2
    res = bootstrap_skewness_adjusted_t(x, resamples=300, seed=11)
    idx = np.random.default_rng(11).integers(48, size=(300, 12))
    tb = []
    for row in idx:  # each resample of n/4 = 12, centred on the sample mean
        xb = x[row]
        s = (xb.mean() - x.mean()) / xb.std(ddof=1)
        gamma = ((xb - xb.mean()) ** 3).sum() / (12 * xb.std(ddof=1) ** 3)
        tb.append(math.sqrt(12) * (s + gamma * s**2 / 3 + gamma / 72))
    tb = np.array(tb)
    t = _lbt(x)
    assert res.stat == pytest.approx(t, rel=1e-12)
    assert res.pvalue == pytest.approx(min(1, 2 * min(np.mean(tb <= t), np.mean(tb >= t))), abs=1e-12)
    assert "300 resamples of 12" in res.note
    assert not bootstrap_skewness_adjusted_t(x[:11]).valid  # n/4 < 3


def test_bootstrapped_skewness_adjusted_t_finds_a_planted_mean():
    rng = np.random.default_rng(7)
    skewed = rng.lognormal(0, 1, 200)
    assert bootstrap_skewness_adjusted_t(skewed - skewed.mean() + 0.5).pvalue < 0.01  # sample mean 0.5
    sizes = [bootstrap_skewness_adjusted_t(rng.lognormal(0, 1, 200) - np.exp(0.5), resamples=400).pvalue < 0.05
             for _ in range(100)]  # fmt: skip
    assert np.mean(sizes) < 0.15
