"""The tests table's batched cross-sectional tests equal the one-block calls."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from eventstudy.inference import cross_section as cs
from eventstudy.inference import robust as rb
from eventstudy.inference import table as table_module
from eventstudy.inference import wild
from eventstudy.inference.table import significance_table


def _study(seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Events of 3, 3, 4, 3 (one zero CAR) and 1 securities; windows [-1, 1] and [0, 0]; T = 30."""
    rng = np.random.default_rng(seed)
    sizes = {"a": 3, "b": 3, "c": 4, "d": 3, "e": 1}
    days = np.arange(-2, 3)
    pairs = [(ev, f"T{i}") for ev, n in sizes.items() for i in range(n)]
    ar = rng.normal(0.001, 0.02, (len(pairs), len(days)))
    ar[pairs.index(("d", "T1")), days == 0] = 0.0  # a zero event-day CAR: Wilcoxon drops it
    resid = rng.normal(0, 0.02, (len(pairs), 30))
    df = rng.integers(20, 28, len(pairs)).astype(float)
    ar_rows, car_rows = [], []
    for p, (ev, tk) in enumerate(pairs):
        ar_rows += [(ev, tk, int(d), ar[p, j]) for j, d in enumerate(days)]
    for start, end in ((-1, 1), (0, 0)):
        cols = (days >= start) & (days <= end)
        for p, (ev, tk) in enumerate(pairs):
            c, se = float(ar[p, cols].sum()), 0.02 * math.sqrt(cols.sum()) * (1 + 0.1 * p)
            car_rows.append((ev, tk, start, end, c, se, c / se, 0.5, df[p]))
    car = pd.DataFrame(car_rows, columns=["event", "ticker", "start", "end", "car", "se", "t", "p", "df"])
    car = car.sort_values(["event", "start"], kind="stable").reset_index(drop=True)
    ar_t = pd.DataFrame(ar_rows, columns=["event", "ticker", "day", "abnormal"])
    fits = pd.DataFrame({"event": [e for e, _ in pairs], "ticker": [t for _, t in pairs], "df": df})
    return ar_t, car, fits, resid


@pytest.mark.parametrize("chunk_values", [None, 1, 400])  # default; one block per call; 3 blocks of N = 3
def test_batched_cross_section_equals_one_block_calls(monkeypatch, chunk_values):
    monkeypatch.setattr(table_module, "WILD_DRAWS", 999)  # speed
    if chunk_values is not None:
        monkeypatch.setattr(table_module, "CHUNK_VALUES", chunk_values)
    ar, car, fits, resid = _study()
    table = significance_table(ar, car, fits, resid)
    got = table[table["ticker"] == ""].reset_index(drop=True)
    days = np.arange(-2, 3)
    pairs = list(dict.fromkeys(zip(car["event"], car["ticker"], strict=True)))
    expected = []
    for (event, start, end), block in car.groupby(["event", "start", "end"], sort=False):
        idx = [pairs.index((event, t)) for t in block["ticker"]]
        x, se, e = block["car"].to_numpy(), block["se"].to_numpy(), resid[idx]
        event_ar = (
            ar.pivot(index=["event", "ticker"], columns="day", values="abnormal")
            .loc[[(event, t) for t in block["ticker"]]]
            .to_numpy()
        )
        cols = list(np.flatnonzero((days >= start) & (days <= end)))
        for r in (
            cs.cross_sectional_t(x),
            cs.patell_z(x, se, fits["df"].to_numpy()[idx]),
            cs.bmp_t(x, se),
            cs.kolari_pynnonen_t(x, se, e),
            cs.corrado_rank(e, event_ar, days=cols),
            cs.generalized_sign_z(x, e),
            cs.wilcoxon_signed_rank(x),
            rb.portfolio_t(x, e, len(cols)),
            rb.grank_t(x, se, e, fits["df"].to_numpy()[idx]),
            rb.grank_t(x, se, e, fits["df"].to_numpy()[idx], restandardize=False),
            wild.wild_bootstrap_dates_t(x, e, len(cols), n_boot=table_module.WILD_DRAWS, rng=0),
            rb.sign_test_exact(x, e),
        ):
            expected.append((event, start, end, r.name, r.stat, r.pvalue, r.nobs, r.note))
    exp = pd.DataFrame(expected, columns=["event", "start", "end", "test", "statistic", "p", "n", "note"])
    assert len(got) == len(exp) == 5 * 2 * 12
    for col in ("event", "start", "end", "test", "n", "note"):
        assert got[col].tolist() == exp[col].tolist(), col
    for col in ("statistic", "p"):
        np.testing.assert_allclose(got[col].to_numpy(float), exp[col].to_numpy(float), rtol=1e-12, atol=1e-15)
    wil = got[(got["event"] == "d") & (got["start"] == 0) & (got["test"] == "Wilcoxon signed-rank")]
    assert wil["note"].tolist() == ["1 zero CARs dropped"] and wil["n"].tolist() == [2]
    one = got[got["event"] == "e"]  # one security: only the portfolio t and the exact sign test are defined
    assert one[~one["test"].isin([rb.PORTFOLIO, rb.SIGN_EXACT])]["p"].isna().all()
    assert one[one["test"].isin([rb.PORTFOLIO, rb.SIGN_EXACT])]["p"].notna().all()
    assert got[got["event"] != "e"]["p"].notna().sum() > 90


def test_adjusted_p_values_are_statsmodels_within_event_and_test():
    """p_holm and p_bh: multipletests over one event's windows and securities, one test at a time."""
    from statsmodels.stats.multitest import multipletests

    ar, car, fits, resid = _study()
    table = significance_table(ar, car, fits, resid)
    assert list(table.columns) == table_module.TEST_COLUMNS
    family = table["test"].str.replace(r" \(Campbell-Wasley, \d+ days?\)$", "", regex=True)
    for _, part in table.groupby([table["event"], family], sort=False):
        p = part["p"].to_numpy(float)
        ok = np.isfinite(p)
        if ok.sum() < 2:
            np.testing.assert_array_equal(part["p_holm"].to_numpy(float)[ok], p[ok])
            continue
        for col, method in (("p_holm", "holm"), ("p_bh", "fdr_bh")):
            np.testing.assert_allclose(part[col].to_numpy(float)[ok], multipletests(p[ok], method=method)[1])
            assert part[col].isna().to_numpy()[~ok].all()
    car_t = table[(table["event"] == "c") & (table["test"] == "CAR t")]
    assert len(car_t) == 8  # 4 securities x 2 windows in one family
    # Holm by hand: sorted p times (m - rank), running maximum, capped at 1
    p = np.sort(car_t["p"].to_numpy(float))
    holm = np.minimum(1, np.maximum.accumulate(p * (8 - np.arange(8))))
    np.testing.assert_allclose(np.sort(car_t["p_holm"].to_numpy(float)), holm)


def test_robust_batch_functions_equal_row_by_row():
    """portfolio, GRANK (both), wild bootstrap over dates and exact sign: batch = one block at a time."""
    rng = np.random.default_rng(11)
    car, sd = rng.normal(0, 0.03, (7, 5)), rng.uniform(0.01, 0.03, (7, 5))
    car[4, :] = car[4, 0]  # zero cross-sectional variance
    resid = rng.normal(0, 0.02, (7, 5, 40))
    resid[2, :, 3] = resid[2, :, 4] = 0.0  # ties in the ranks
    resid[5, 1, 7] = np.nan  # a block that cannot be computed
    dof = np.full((7, 5), 37.0)
    pairs = [
        (rb.portfolio_t_batch(car, resid, 3), [rb.portfolio_t(c, e, 3) for c, e in zip(car, resid, strict=True)]),
        (rb.grank_t_batch(car, sd, resid, dof), [rb.grank_t(*a) for a in zip(car, sd, resid, dof, strict=True)]),
        (
            rb.grank_t_batch(car, sd, resid, dof, restandardize=False),
            [rb.grank_t(*a, restandardize=False) for a in zip(car, sd, resid, dof, strict=True)],
        ),
        (
            wild.wild_bootstrap_dates_t_batch(car, resid, 2, n_boot=499, seed=4),
            [wild.wild_bootstrap_dates_t(c, e, 2, n_boot=499, rng=4) for c, e in zip(car, resid, strict=True)],
        ),
        (rb.sign_test_exact_batch(car, resid), [rb.sign_test_exact(c, e) for c, e in zip(car, resid, strict=True)]),
    ]
    for batch, single in pairs:
        assert [(r.name, r.nobs, r.note, r.valid) for r in batch] == [(r.name, r.nobs, r.note, r.valid) for r in single]
        for b, s in zip(batch, single, strict=True):
            if s.valid:
                assert math.isclose(b.stat, s.stat, rel_tol=1e-12) and math.isclose(b.pvalue, s.pvalue, rel_tol=1e-12)
    assert not pairs[0][0][5].valid and not pairs[3][0][4].valid


def test_batch_functions_equal_row_by_row():
    """Each batch function on a stack equals the one-block function on each block, a zero CAR included."""
    rng = np.random.default_rng(5)
    car, sd = rng.normal(0, 0.03, (6, 5)), rng.uniform(0.01, 0.03, (6, 5))
    car[2, 1] = 0.0
    car[4, :] = car[4, 0]  # zero cross-sectional variance
    resid, event = rng.normal(0, 0.02, (6, 5, 40)), rng.normal(0, 0.02, (6, 5, 3))
    dof = np.full((6, 5), 37.0)
    pairs = [
        (cs.cross_sectional_t_batch(car), [cs.cross_sectional_t(c) for c in car]),
        (cs.patell_z_batch(car, sd, dof), [cs.patell_z(c, s, d) for c, s, d in zip(car, sd, dof, strict=True)]),
        (cs.bmp_t_batch(car, sd), [cs.bmp_t(c, s) for c, s in zip(car, sd, strict=True)]),
        (
            cs.kolari_pynnonen_t_batch(car, sd, resid),
            [cs.kolari_pynnonen_t(c, s, e) for c, s, e in zip(car, sd, resid, strict=True)],
        ),
        (
            cs.corrado_rank_batch(resid, event, [0, 2]),
            [cs.corrado_rank(e, v, [0, 2]) for e, v in zip(resid, event, strict=True)],
        ),
        (
            cs.generalized_sign_z_batch(car, resid),
            [cs.generalized_sign_z(c, e) for c, e in zip(car, resid, strict=True)],
        ),
        (cs.wilcoxon_signed_rank_batch(car), [cs.wilcoxon_signed_rank(c) for c in car]),
    ]
    for batch, single in pairs:
        assert [(r.name, r.nobs, r.note, r.valid) for r in batch] == [(r.name, r.nobs, r.note, r.valid) for r in single]
        for b, s in zip(batch, single, strict=True):
            if s.valid:
                assert math.isclose(b.stat, s.stat, rel_tol=1e-12) and math.isclose(b.pvalue, s.pvalue, rel_tol=1e-12)
    assert cs.wilcoxon_signed_rank_batch(car)[2].note == "1 zero CARs dropped"
    assert not cs.cross_sectional_t_batch(car)[4].valid


def test_batch_functions_of_no_blocks_are_empty():
    z, e = np.zeros((0, 3)), np.zeros((0, 3, 5))
    assert cs.cross_sectional_t_batch(z) == cs.patell_z_batch(z, z, z) == cs.bmp_t_batch(z, z) == []
    assert cs.kolari_pynnonen_t_batch(z, z, e) == cs.corrado_rank_batch(e, e[:, :, :2]) == []
    assert cs.generalized_sign_z_batch(z, e) == cs.wilcoxon_signed_rank_batch(z) == []
