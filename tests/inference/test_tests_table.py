"""The tests table: its batched cross-sectional tests against scipy and the papers' formulas worked in numpy."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

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


NAMES = ["cross-sectional t", "Patell Z", "BMP t", "Kolari-Pynnönen adjusted BMP t", "Corrado rank",
         "generalized sign Z", "Wilcoxon signed-rank", "portfolio t (Brown-Warner)", "GRANK t (Kolari-Pynnönen)",
         "GRANK t, SCAR not re-standardized", "wild bootstrap t, estimation dates",
         "generalized sign (exact binomial)"]  # fmt: skip


def _block_reference(x, se, e, event_ar, cols, dof, n_boot):
    """The 12 tests of one block (N >= 2), statistic and p, worked in numpy and scipy from the papers' formulas."""
    n, t, length = len(x), e.shape[1], len(cols)
    normal_p = lambda z: 2 * stats.norm.sf(abs(z))  # noqa: E731
    out = {"cross-sectional t": tuple(stats.ttest_1samp(x, 0))}
    z = (x / se).sum() / math.sqrt((dof / (dof - 2)).sum())  # Patell (1976)
    out["Patell Z"] = (z, normal_p(z))
    bmp = stats.ttest_1samp(x / se, 0)  # Boehmer, Musumeci & Poulsen (1991)
    out["BMP t"] = tuple(bmp)
    r = np.corrcoef(e)[np.triu_indices(n, 1)].mean()  # Kolari & Pynnönen (2010)
    kp = bmp.statistic * math.sqrt((1 - r) / (1 + (n - 1) * r))
    out["Kolari-Pynnönen adjusted BMP t"] = (kp, 2 * stats.t.sf(abs(kp), n - 1))
    u = stats.rankdata(np.column_stack([e, event_ar]), axis=1) / (t + event_ar.shape[1] + 1) - 0.5  # Corrado (1989)
    ubar = u.mean(axis=0)
    z = ubar[[t + c for c in cols]].sum() / (math.sqrt(length) * np.sqrt(np.mean(ubar**2)))
    out["Corrado rank"] = (z, normal_p(z))
    p0, w = float((e > 0).mean()), int((x > 0).sum())  # Cowan (1992)
    z = (w - n * p0) / math.sqrt(n * p0 * (1 - p0))
    out["generalized sign Z"] = (z, normal_p(z))
    out["Wilcoxon signed-rank"] = tuple(stats.wilcoxon(x[x != 0]))
    abar = e.mean(axis=0)  # Brown & Warner (1980)
    tp = x.mean() / (np.std(abar, ddof=1) * math.sqrt(length))
    out["portfolio t (Brown-Warner)"] = (tp, 2 * stats.t.sf(abs(tp), t - 1))
    out["GRANK t (Kolari-Pynnönen)"] = _grank_reference(x, se, e, dof)
    out["GRANK t, SCAR not re-standardized"] = _grank_reference(x, se, e, dof, restandardize=False)
    out["wild bootstrap t, estimation dates"] = _wild_dates_reference(x, e, length, n_boot, 0)
    out["generalized sign (exact binomial)"] = (w / n, stats.binomtest(w, n, p0).pvalue)
    return out


@pytest.mark.parametrize("chunk_values", [None, 1, 400])  # default; one block per call; 3 blocks of N = 3
def test_batched_cross_section_against_formulas(monkeypatch, chunk_values):
    """Every cross-sectional row of the table, block by block, against the formulas worked here."""
    monkeypatch.setattr(table_module, "WILD_DRAWS", 999)  # speed
    if chunk_values is not None:
        monkeypatch.setattr(table_module, "CHUNK_VALUES", chunk_values)
    ar, car, fits, resid = _study()
    table = significance_table(ar, car, fits, resid)
    got = table[table["ticker"] == ""].reset_index(drop=True)
    assert len(got) == 5 * 2 * 12
    days = np.arange(-2, 3)
    pairs = list(zip(fits["event"], fits["ticker"], strict=True))
    wide = ar.pivot(index=["event", "ticker"], columns="day", values="abnormal")
    blocks = car.groupby(["event", "start", "end"], sort=False)
    assert [k for k, _ in blocks] == list(dict.fromkeys(zip(got["event"], got["start"], got["end"], strict=True)))
    for (event, start, end), block in blocks:
        rows = got[(got["event"] == event) & (got["start"] == start) & (got["end"] == end)].set_index("test")
        length = end - start + 1
        corrado = f"Corrado rank (Campbell-Wasley, {length} days)" if length > 1 else "Corrado rank"
        assert list(rows.index) == [corrado if name == "Corrado rank" else name for name in NAMES]
        rows = rows.rename(index={corrado: "Corrado rank"})
        x, n = block["car"].to_numpy(), len(block)
        assert (rows["n"] == n).drop("Wilcoxon signed-rank").all()
        assert rows.loc["Wilcoxon signed-rank", "n"] == (x != 0).sum()
        if n == 1:  # one security: only the portfolio t and the exact sign test are defined
            defined = rows.index.isin([rb.PORTFOLIO, rb.SIGN_EXACT])
            assert rows["p"][~defined].isna().all() and rows["p"][defined].notna().all()
            assert (rows["note"][~defined] == "1 securities; at least 2 are needed").all()
            continue
        idx = [pairs.index((event, t)) for t in block["ticker"]]
        event_ar = wide.loc[[(event, t) for t in block["ticker"]]].to_numpy()
        cols = list(np.flatnonzero((days >= start) & (days <= end)))
        expected = _block_reference(x, block["se"].to_numpy(), resid[idx], event_ar, cols,
                                    fits["df"].to_numpy()[idx], 999)  # fmt: skip
        for name, (stat, p) in expected.items():
            np.testing.assert_allclose(rows.loc[name, ["statistic", "p"]].to_numpy(float), (stat, p), rtol=1e-10,
                                       err_msg=f"{event} [{start}, {end}] {name}")  # fmt: skip
    wil = got[(got["event"] == "d") & (got["start"] == 0) & (got["test"] == "Wilcoxon signed-rank")]
    assert wil["note"].tolist() == ["1 zero CARs dropped"] and wil["n"].tolist() == [2]


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


def _grank_reference(car, sd, e, dof, restandardize=True):
    """GRANK t of one block worked in numpy (Kolari & Pynnönen 2011, eqs. 7-14; T the estimation length)."""
    t = e.shape[1]
    sar = e / np.sqrt((e**2).sum(axis=1) / dof)[:, None]
    scar = car / sd
    if restandardize:
        scar = scar / np.std(scar, ddof=1)
    u = stats.rankdata(np.column_stack([sar, scar]), axis=1) / (t + 2) - 0.5
    ubar = u.mean(axis=0)
    z = ubar[-1] / np.sqrt((ubar**2).sum() / t)
    tg = z * np.sqrt((t - 2) / (t - 1 - z**2))
    return tg, 2 * stats.t.sf(abs(tg), t - 2)


def _wild_dates_reference(car, e, length, n_boot, seed):
    """Wild bootstrap over estimation dates, drawn as documented: L rows and L signs per draw, shared by all."""
    gen = np.random.default_rng(seed)
    rows = gen.integers(0, e.shape[1], size=(n_boot, length))
    signs = gen.integers(0, 2, size=(n_boot, length)) * 2.0 - 1
    draws = np.einsum("bl,nbl->bn", signs, e[:, rows])
    t0 = stats.ttest_1samp(car, 0).statistic
    t_star = stats.ttest_1samp(draws, 0, axis=1).statistic
    return t0, (1 + np.count_nonzero(np.abs(t_star) >= abs(t0))) / (n_boot + 1)


def test_robust_batch_functions_against_formulas():
    """portfolio, GRANK (both), wild bootstrap over dates and exact sign: each block against numpy and scipy."""
    rng = np.random.default_rng(11)
    car, sd = rng.normal(0, 0.03, (7, 5)), rng.uniform(0.01, 0.03, (7, 5))
    car[4, :] = car[4, 0]  # zero cross-sectional variance
    resid = rng.normal(0, 0.02, (7, 5, 40))
    resid[2, :, 3] = resid[2, :, 4] = 0.0  # ties in the ranks
    resid[5, 1, 7] = np.nan  # a block that cannot be computed
    dof = np.full((7, 5), 37.0)
    portfolio = rb.portfolio_t_batch(car, resid, 3)
    grank, grank_scar = (
        rb.grank_t_batch(car, sd, resid, dof),
        rb.grank_t_batch(car, sd, resid, dof, restandardize=False),
    )
    dates = wild.wild_bootstrap_dates_t_batch(car, resid, 2, n_boot=499, seed=4)
    sign = rb.sign_test_exact_batch(car, resid)
    for j in range(7):
        x, s, e = car[j], sd[j], resid[j]
        if j == 5:  # NaN residual: no test that reads the residuals
            assert not any(np.isfinite(c.pvalue[j]) for c in (portfolio, grank, grank_scar, dates, sign))
            continue
        abar = e.mean(axis=0)
        t_port = x.mean() / (np.std(abar, ddof=1) * math.sqrt(3))
        np.testing.assert_allclose(portfolio.stat[j], t_port, rtol=1e-12)
        np.testing.assert_allclose(portfolio.pvalue[j], 2 * stats.t.sf(abs(t_port), 39), rtol=1e-10)
        for columns, restandardize in ((grank, True), (grank_scar, False)):
            tg, pg = _grank_reference(x, s, e, dof[j], restandardize)
            np.testing.assert_allclose((columns.stat[j], columns.pvalue[j]), (tg, pg), rtol=1e-10)
        w, p0 = int((x > 0).sum()), float((e > 0).mean())
        assert sign.nobs[j] == 5
        np.testing.assert_allclose(sign.pvalue[j], stats.binomtest(w, 5, p0).pvalue, rtol=1e-12)
        if j == 4:  # equal CARs: no cross-sectional t
            assert not np.isfinite(dates.pvalue[j])
            continue
        t0, p = _wild_dates_reference(x, e, 2, 499, 4)
        np.testing.assert_allclose(dates.stat[j], t0, rtol=1e-12)
        assert dates.pvalue[j] == p


def test_batch_functions_against_formulas():
    """Each cross-sectional batch function, block by block, against scipy or the formula worked in numpy."""
    rng = np.random.default_rng(5)
    car, sd = rng.normal(0, 0.03, (6, 5)), rng.uniform(0.01, 0.03, (6, 5))
    car[2, 1] = 0.0
    car[4, :] = car[4, 0]  # zero cross-sectional variance
    resid, event = rng.normal(0, 0.02, (6, 5, 40)), rng.normal(0, 0.02, (6, 5, 3))
    dof = np.full((6, 5), 37.0)
    cst, patell, bmp = cs.cross_sectional_t_batch(car), cs.patell_z_batch(car, sd, dof), cs.bmp_t_batch(car, sd)
    kp, corrado = cs.kolari_pynnonen_t_batch(car, sd, resid), cs.corrado_rank_batch(resid, event, [0, 2])
    sign, wil = cs.generalized_sign_z_batch(car, resid), cs.wilcoxon_signed_rank_batch(car)
    normal_p = lambda z: 2 * stats.norm.sf(abs(z))  # noqa: E731
    for j in range(6):
        x, s, e, ev = car[j], sd[j], resid[j], event[j]
        z = (x / s).sum() / math.sqrt((dof[j] / (dof[j] - 2)).sum())
        np.testing.assert_allclose((patell.stat[j], patell.pvalue[j]), (z, normal_p(z)), rtol=1e-10)
        u = stats.rankdata(np.column_stack([e, ev]), axis=1) / 44 - 0.5  # M = T + L = 43 days
        ubar = u.mean(axis=0)
        z = ubar[[40, 42]].sum() / (math.sqrt(2) * np.sqrt(np.mean(ubar**2)))
        np.testing.assert_allclose((corrado.stat[j], corrado.pvalue[j]), (z, normal_p(z)), rtol=1e-10)
        p0, w = float((e > 0).mean()), int((x > 0).sum())
        z = (w - 5 * p0) / math.sqrt(5 * p0 * (1 - p0))
        np.testing.assert_allclose((sign.stat[j], sign.pvalue[j]), (z, normal_p(z)), rtol=1e-10)
        ref = stats.wilcoxon(x[x != 0] if j != 4 else x)
        np.testing.assert_allclose((wil.stat[j], wil.pvalue[j]), (ref.statistic, ref.pvalue), rtol=1e-10)
        if j == 4:  # equal CARs: no cross-sectional t (their SD is 0)
            assert not np.isfinite(cst.pvalue[j])
        else:
            ref = stats.ttest_1samp(x, 0)
            np.testing.assert_allclose((cst.stat[j], cst.pvalue[j]), (ref.statistic, ref.pvalue), rtol=1e-10)
        ref = stats.ttest_1samp(x / s, 0)
        np.testing.assert_allclose((bmp.stat[j], bmp.pvalue[j]), (ref.statistic, ref.pvalue), rtol=1e-10)
        r = np.corrcoef(e)[np.triu_indices(5, 1)].mean()
        t = ref.statistic * math.sqrt((1 - r) / (1 + 4 * r))
        np.testing.assert_allclose((kp.stat[j], kp.pvalue[j]), (t, 2 * stats.t.sf(abs(t), 4)), rtol=1e-10)
    assert wil[2].note == "1 zero CARs dropped" and wil.nobs[2] == 4
    assert corrado.name[0] == "Corrado rank (Campbell-Wasley, 2 days)"


def test_batch_functions_of_no_blocks_are_empty():
    z, e = np.zeros((0, 3)), np.zeros((0, 3, 5))
    assert cs.cross_sectional_t_batch(z) == cs.patell_z_batch(z, z, z) == cs.bmp_t_batch(z, z) == []
    assert cs.kolari_pynnonen_t_batch(z, z, e) == cs.corrado_rank_batch(e, e[:, :, :2]) == []
    assert cs.generalized_sign_z_batch(z, e) == cs.wilcoxon_signed_rank_batch(z) == []
