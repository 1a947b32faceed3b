"""The table of test statistics for a study: every test, every event window.

One row per (event, window, test). Single-security tests (CAR t,
sample-quantile, bootstrap) give one row per security, named in
``ticker``; cross-sectional tests use all securities of the event
(``ticker`` empty, ``n`` securities). Residuals
of securities on different exchanges are aligned by event time (day -250
of each is row 0), which is what the Kolari-Pynnönen correlation and the
rank and sign tests need.

Columns: ``event, ticker, start, end, test, statistic, p, n, note, p_holm, p_bh``
(``p_holm``, ``p_bh``: the p-value adjusted by Holm and by Benjamini-Hochberg
across the windows and securities of its event, test by test: :func:`add_adjusted`). Rows: events
in the order of the CAR table; within an event, windows in that order;
within a window, the CAR t of each security, then its sample-quantile and
bootstrap tests, security by security, then the cross-sectional tests.

The single-security tests run for every (security, window) at once
(:func:`eventstudy.inference.single_firm.sample_quantile_tests`,
:func:`~eventstudy.inference.single_firm.bootstrap_tests`: the numbers of the
one-security functions, to the bit); the cross-sectional tests run for all
(event, window) blocks with the same number of securities at once.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.inference import cross_section as cs
from eventstudy.inference import multitest as mt
from eventstudy.inference import robust as rb
from eventstudy.inference import single_firm as sf
from eventstudy.inference import wild as wb
from eventstudy.inference.cross_section.inputs_and_p import scatter_columns
from eventstudy.inference.result import TestColumns

TEST_COLUMNS = ["event", "ticker", "start", "end", "test", "statistic", "p", "n", "note", "p_holm", "p_bh"]
BOOTSTRAP_DRAWS = 9999  # single-security bootstrap: resamples per (security, window) ...
BOOTSTRAP_DRAWS_LARGE = 999  # ... and in a study of more than BOOTSTRAP_LARGE_PAIRS pairs (smallest p 0.001)
BOOTSTRAP_LARGE_PAIRS = 10_000
WILD_DRAWS = 9999  # wild bootstrap over estimation dates: draws per (event, window) ...
WILD_DRAWS_LARGE = 999  # ... and in a study of more than WILD_LARGE_BLOCKS (event, window) blocks (smallest p 0.001)
WILD_LARGE_BLOCKS = 100
CHUNK_VALUES = 2_000_000  # residuals (blocks x N x T) per call of the batched cross-sectional tests
# a tests table of up to this many CAR rows (1,000 pairs of four windows) is cached on disk
CACHED_TESTS_MAX_ROWS = 4_000
ONE_SECURITY_CHUNK = 8_192  # one-security blocks per call (their residuals: 8,192 x T values, as CHUNK_VALUES)


def significance_table(
    ar: pd.DataFrame,
    car: pd.DataFrame,
    fits: pd.DataFrame,
    residuals: pd.DataFrame | np.ndarray,
    *,
    seed: int = 0,
    draws: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Every test for every event and window.

    Parameters
    ----------
    ar, car, fits
        Result tables (see :mod:`eventstudy.results`); every pair has the
        same AR days and residual count.
    residuals
        Estimation-window residuals: ``event, ticker, day, residual``, or
        the (pairs, T) matrix with the car table's pairs in order of first
        appearance (the engine's, no long table built).
    seed
        Seed of the bootstrap (reproducible tables): every security's
        bootstrap draws as ``numpy.random.default_rng(seed)`` would.
    draws
        Draws of the single-security bootstrap and of the wild bootstrap (default:
        :func:`study_draws` of these tables); a part of a study (:mod:`eventstudy.inference.parts`)
        passes the whole study's.
    """
    if car.empty:
        return pd.DataFrame([], columns=TEST_COLUMNS)
    keys = pd.MultiIndex.from_frame(car[["event", "ticker"]])
    pairs = keys.unique()  # in order of first appearance
    pair_of_row = pairs.get_indexer(keys)
    event_ar, days = _by_pair(ar, pairs, "abnormal")
    resid = residuals if isinstance(residuals, np.ndarray) else _by_pair(residuals, pairs, "residual")[0]
    df = fits.set_index(["event", "ticker"])["df"].reindex(pairs).to_numpy()
    # blocks (event, window), numbered in order of first appearance; listed event by event
    block_of_row, blocks = pd.factorize(pd.MultiIndex.from_arrays([car["event"], car["start"], car["end"]]))
    order = np.argsort(pd.factorize(blocks.get_level_values(0))[0], kind="stable")
    rank = np.empty(len(blocks), dtype=np.int64)
    rank[order] = np.arange(len(blocks))
    row_block = rank[block_of_row]
    pair_rank = _rank_in_event(pairs)
    boot, wild = draws or study_draws(len(pairs), len(blocks))
    parts = [_car_t_rows(car, row_block, pair_rank[pair_of_row])]
    # the single-security tests on a thread beside the cross-sectional ones: numpy releases the GIL, and the
    # first are bound by memory and the second by sorting (100,000 pairs: 25 s one after the other, 18 s together)
    with ThreadPoolExecutor(1) as pool:
        single = pool.submit(_single_firm_rows, car, row_block, pair_of_row, pair_rank, event_ar, resid, days, seed,
                             boot)  # fmt: skip
        cross = _cross_sectional_rows(car, row_block, pair_of_row, blocks[order], event_ar, resid, days, df, seed,
                                      wild)  # fmt: skip
        parts += single.result()
    parts.append(cross)
    return add_adjusted(_in_order(parts))


def cached_significance_table(ar: pd.DataFrame, car: pd.DataFrame, fits: pd.DataFrame,
                              residuals: pd.DataFrame | np.ndarray, **options: Any) -> pd.DataFrame:  # fmt: skip
    """:func:`significance_table` (``options``: ``seed``, ``draws``), read back from the disk cache if computed.

    Only a table of up to :data:`CACHED_TESTS_MAX_ROWS` CAR rows is cached
    (:mod:`eventstudy.table_cache`): a rerun of a small study neither computes it nor imports ``scipy.stats``.
    """
    if len(car) > CACHED_TESTS_MAX_ROWS:
        return significance_table(ar, car, fits, residuals, **options)
    from eventstudy.table_cache import cached_table

    key = (ar, car, fits, residuals, options.get("seed", 0), options.get("draws"))
    return cached_table("tests", key, lambda: significance_table(ar, car, fits, residuals, **options))


def study_draws(pairs: int, blocks: int) -> tuple[int, int]:
    """Draws of the single-security and of the wild bootstrap: ``pairs`` pairs, ``blocks`` (event, window) blocks."""
    boot = BOOTSTRAP_DRAWS if pairs <= BOOTSTRAP_LARGE_PAIRS else BOOTSTRAP_DRAWS_LARGE
    return boot, WILD_DRAWS if blocks <= WILD_LARGE_BLOCKS else WILD_DRAWS_LARGE


def _in_order(parts: list[Rows]) -> pd.DataFrame:
    """The rows of ``parts`` as one frame, sorted by their keys; ``parts`` is emptied (memory goes as columns come)."""
    key = np.zeros(sum(len(part["_block"]) for part in parts), dtype=np.int64)
    span = 1
    for name in ("_sub", "_pos", "_part", "_block"):  # one integer key, sub varying fastest: one sort, not four
        values = np.concatenate([part[name] for part in parts])
        size = int(values.max(initial=0)) + 1
        if span * size >= 2**63:
            raise OverflowError(f"too many rows to order in one key ({name} at {span:,} positions)")
        key += values * span
        span *= size
    sort = np.argsort(key, kind="stable")
    columns = {}
    for name in TEST_COLUMNS[:-2]:
        columns[name] = pd.Series(np.concatenate([part.pop(name) for part in parts])[sort])
    parts.clear()
    return pd.DataFrame(columns)


def _objects(column: pd.Series) -> np.ndarray:
    """``column`` as an object array whose equal strings are one Python object (not one per row)."""
    codes, uniques = pd.factorize(column)
    return np.asarray(uniques, dtype=object)[codes]


def add_adjusted(table: pd.DataFrame) -> pd.DataFrame:
    """``p_holm`` and ``p_bh``: each p-value adjusted across its event's windows and securities, test by test.

    The family is one (event, test): the CAR t of every security in every
    window, or one cross-sectional test in every window (the Corrado test and
    its Campbell-Wasley window version are one test);
    :func:`eventstudy.inference.multitest.adjust_families` (the numbers of statsmodels'
    ``multipletests``, ``holm`` and ``fdr_bh``). NaN p-values stay NaN and are not counted.
    """
    p = table["p"].to_numpy(dtype=float)
    test_code, tests = pd.factorize(table["test"])
    family_names = pd.Index(tests).str.replace(r" \(Campbell-Wasley, \d+ days?\)$", "", regex=True)  # one Corrado
    family_of_test = pd.factorize(family_names)[0]
    event_code = pd.factorize(table["event"])[0]
    codes = event_code.astype(np.int64) * max(1, len(tests)) + family_of_test[test_code]
    holm, bh = mt.adjust_families(p, codes, "holm"), mt.adjust_families(p, codes, "fdr_bh")
    return table.assign(p_holm=holm, p_bh=bh)


def _by_pair(table: pd.DataFrame, pairs: pd.MultiIndex, column: str) -> tuple[np.ndarray, np.ndarray]:
    """``column`` as a (pairs, rows per pair) matrix in ``pairs`` order, and the first pair's ``day``."""
    where = pairs.get_indexer(pd.MultiIndex.from_frame(table[["event", "ticker"]]))
    keep = np.flatnonzero(where >= 0)
    order = keep[np.argsort(where[keep], kind="stable")]
    counts = np.bincount(where[keep], minlength=len(pairs))
    width = int(counts[0]) if len(pairs) else 0
    day = table["day"].to_numpy()[order]
    if (counts != width).any() or (day.reshape(len(pairs), width) != day[:width]).any():
        raise ValueError(f"every (event, ticker) needs {column} on the same days")
    return table[column].to_numpy(dtype=float)[order].reshape(len(pairs), width), day[:width]


def _rank_in_event(pairs: pd.MultiIndex) -> np.ndarray:
    """Position of each pair among its event's pairs."""
    codes = pd.factorize(pairs.get_level_values(0))[0]
    return pd.Series(codes).groupby(codes).cumcount().to_numpy()


Rows = dict[str, np.ndarray]  # columns of some rows of the table, with the sort keys _block, _part, _pos, _sub


def _frame(cols: dict[str, object], block: object, part: int, pos: object, sub: object) -> Rows:
    """Rows of the table with their sort keys: block, part (CAR t, single firm, cross-section), position, sub."""
    n = len(cols["event"])  # type: ignore[arg-type]
    keys = {"_block": block, "_part": part, "_pos": pos, "_sub": sub}
    return {
        "event": np.asarray(cols["event"], dtype=object), "ticker": np.asarray(cols["ticker"], dtype=object),
        "start": np.asarray(cols["start"], dtype=np.int64), "end": np.asarray(cols["end"], dtype=np.int64),
        "test": np.asarray(cols["test"], dtype=object), "statistic": np.asarray(cols["statistic"], dtype=float),
        "p": np.asarray(cols["p"], dtype=float), "n": np.asarray(cols["n"], dtype=np.int64),
        "note": np.asarray(cols["note"], dtype=object),
        **{k: np.broadcast_to(np.asarray(v, dtype=np.int64), n) for k, v in keys.items()},
    }  # fmt: skip


def _car_t_rows(car: pd.DataFrame, row_block: np.ndarray, rank: np.ndarray) -> Rows:
    cols = {"event": _objects(car["event"]), "ticker": _objects(car["ticker"]),
            "start": car["start"], "end": car["end"], "test": np.full(len(car), "CAR t", dtype=object),
            "statistic": car["t"], "p": car["p"], "n": car["df"],
            "note": np.full(len(car), "df = n - k", dtype=object)}  # fmt: skip
    return _frame(cols, row_block, 0, rank, 0)


def _single_firm_rows(
    car: pd.DataFrame,
    row_block: np.ndarray,
    pair_of_row: np.ndarray,
    pair_rank: np.ndarray,
    event_ar: np.ndarray,
    resid: np.ndarray,
    days: np.ndarray,
    seed: int,
    draws: int,
) -> list[Rows]:
    """SQ and bootstrap rows (``draws`` draws) of every (pair, window), one call per window shape."""
    out = []
    windows = pd.MultiIndex.from_arrays([car["start"], car["end"]])
    starts, ends = car["start"].to_numpy(), car["end"].to_numpy()
    events, all_tickers = _objects(car["event"]), _objects(car["ticker"])
    for start, end in windows.unique():
        rows = np.flatnonzero((starts == start) & (ends == end))
        cols = np.flatnonzero((days >= start) & (days <= end))
        pairs = pair_of_row[rows]
        window_ar = event_ar[pairs][:, cols]
        tickers = all_tickers[rows]
        for sub, res in enumerate(
            (
                sf.sample_quantile_tests(window_ar, resid[pairs]),
                sf.bootstrap_tests(window_ar, resid[pairs], n_boot=draws, seed=seed),
            )
        ):
            table = {"event": events[rows], "ticker": tickers,
                     "start": np.full(len(rows), start), "end": np.full(len(rows), end),
                     "test": res.name, "statistic": res.stat, "p": res.pvalue, "n": res.nobs,
                     "note": res.note}  # fmt: skip
            out.append(_frame(table, row_block[rows], 1, pair_rank[pairs], sub))
    return out


def _cross_sectional_rows(
    car: pd.DataFrame,
    row_block: np.ndarray,
    pair_of_row: np.ndarray,
    blocks: pd.MultiIndex,
    event_ar: np.ndarray,
    resid: np.ndarray,
    days: np.ndarray,
    df: np.ndarray,
    seed: int = 0,
    draws: int = WILD_DRAWS,
) -> Rows:
    """The cross-sectional tests of every (event, window) block, in table order; securities in event order.

    Blocks with the same number of securities are tested together (:func:`cross_sectional_columns`,
    in chunks of at most :data:`CHUNK_VALUES` residuals); the table is built from the tests' arrays.
    """
    starts, ends = blocks.get_level_values(1).to_numpy(), blocks.get_level_values(2).to_numpy()  # read once
    by_block = np.lexsort((pair_of_row, row_block))  # rows block by block, securities in event order
    bounds = np.searchsorted(row_block[by_block], np.arange(len(blocks) + 1))
    sizes = np.diff(bounds)
    cars, ses = car["car"].to_numpy(dtype=float), car["se"].to_numpy(dtype=float)
    window_of_block, window_keys = pd.factorize(pd.MultiIndex.from_arrays([starts, ends]))
    windows = [np.flatnonzero((days >= a) & (days <= b)).tolist() for a, b in window_keys]  # AR columns of each
    chunk = max(1, CHUNK_VALUES // max(1, resid.shape[1] * int(sizes.max(initial=1))))  # blocks per call
    done: list[tuple[np.ndarray, list[TestColumns]]] = []
    for size in pd.unique(sizes).tolist():  # blocks of equal N, in order of first appearance; no list per block
        group = np.flatnonzero(sizes == size)
        if size == 1:  # one security: only the portfolio t and the exact sign test have a statistic
            for first in range(0, len(group), ONE_SECURITY_CHUNK):
                members = group[first : first + ONE_SECURITY_CHUNK]
                rows = by_block[bounds[members]][:, None]
                pairs = pair_of_row[rows]
                present, firsts, at = np.unique(window_of_block[members], return_index=True, return_inverse=True)
                template = cross_sectional_columns(cars[rows][firsts], ses[rows][firsts], resid, event_ar, df,
                                                   pairs[firsts], [windows[w] for w in present.tolist()], seed,
                                                   draws)  # fmt: skip
                lengths = np.array([len(windows[w]) for w in window_of_block[members].tolist()])
                done.append(
                    (members, _one_security_columns(template, at.reshape(-1), cars[rows], resid[pairs], lengths))
                )
            continue
        for first in range(0, len(group), chunk):
            members = group[first : first + chunk]
            rows = by_block[bounds[members][:, None] + np.arange(size)]
            cols = [windows[w] for w in window_of_block[members].tolist()]
            pairs = pair_of_row[rows]
            done.append(
                (members, cross_sectional_columns(cars[rows], ses[rows], resid, event_ar, df, pairs, cols, seed, draws))
            )
    order = np.argsort(np.concatenate([m for m, _ in done]), kind="stable")  # blocks in table order

    def column(field: str) -> np.ndarray:
        """One field of every test of every block: block by block, the tests in order."""
        parts = [np.stack([getattr(c, field) for c in tests], axis=1) for _, tests in done]  # (blocks, tests)
        return np.concatenate(parts)[order].ravel()

    k = len(done[0][1])
    table: dict[str, object] = {
        "event": np.repeat(blocks.get_level_values(0).to_numpy(dtype=object), k),
        "ticker": np.full(len(blocks) * k, "", dtype=object),
        "start": np.repeat(starts, k), "end": np.repeat(ends, k), "test": column("name"), "statistic": column("stat"),
        "p": column("pvalue"), "n": column("nobs"), "note": column("note"),
    }  # fmt: skip
    return _frame(table, np.repeat(np.arange(len(blocks)), k), 2, 0, np.tile(np.arange(k), len(blocks)))


def _one_security_columns(
    template: list[TestColumns], at: np.ndarray, car: np.ndarray, e: np.ndarray, lengths: np.ndarray
) -> list[TestColumns]:
    """:func:`cross_sectional_columns` of blocks of one security (N = 1), without a test run per block.

    Ten of the twelve tests need at least two securities: their rows (no statistic, the reason
    in ``note``) depend only on the window, so they are those of ``template`` (one block per
    window, the window of block ``i`` at ``at[i]``), repeated. The portfolio t and the exact
    sign test have a statistic with one security: computed for every block at once (``car``
    (blocks, 1), ``e`` (blocks, 1, T), ``lengths`` the window lengths), as
    :func:`cross_sectional_columns` does.
    """
    out = []
    for tests in template:
        if tests.name[0] == rb.PORTFOLIO:
            out.append(_by_length(car, e, lengths, rb.portfolio_t_batch))
        elif tests.name[0] == rb.SIGN_EXACT:
            out.append(rb.sign_test_exact_batch(car, e))
        else:
            if not np.isnan(tests.stat).all():  # pragma: no cover - a test that a single security could pass
                raise AssertionError(f"{tests.name[0]} has a statistic with one security")
            out.append(TestColumns(tests.name[at], tests.stat[at], tests.pvalue[at], tests.null, tests.nobs[at],
                                      tests.df[at], tests.note[at]))  # fmt: skip
    return out


def _by_length(
    car: np.ndarray, e: np.ndarray, lengths: np.ndarray, test: Callable[[np.ndarray, np.ndarray, int], TestColumns]
) -> TestColumns:
    """``test(car, e, L)`` of the blocks of each window length L at once, back in block order."""
    parts = [(idx, test(car[idx], e[idx], int(length)))
             for length in np.unique(lengths) for idx in [np.flatnonzero(lengths == length)]]  # fmt: skip
    return scatter_columns(parts, len(car))


def cross_sectional_columns(
    car: np.ndarray,
    se: np.ndarray,
    resid: np.ndarray,
    event_ar: np.ndarray,
    df: np.ndarray,
    pairs: np.ndarray,
    cols: list[list[int]],
    seed: int = 0,
    draws: int = WILD_DRAWS,
) -> list[TestColumns]:
    """The twelve cross-sectional tests of blocks of equal N, each as arrays over the blocks.

    ``car``, ``se``, ``pairs``: (blocks, N); ``resid``, ``event_ar``, ``df``: by pair;
    ``cols``: each block's window, as AR columns. The seven classical tests, then
    those that survive clustering and small N (:mod:`eventstudy.inference.robust`):
    portfolio t, GRANK as in the paper and without re-standardization, the wild
    bootstrap over estimation dates (``draws`` draws, ``seed``) and the exact sign test.
    What depends on the securities alone (Corrado and GRANK ranks of the
    estimation window, the Kolari-Pynnönen correlation) is computed once per set
    of securities (the windows of an event).
    """
    sets, of_block = np.unique(pairs, axis=0, return_inverse=True)  # the windows of an event share securities
    of_block = of_block.reshape(-1)
    e = resid[pairs]
    dof = df[pairs]
    lengths = np.array([len(c) for c in cols])
    portfolio = _by_length(car, e, lengths, rb.portfolio_t_batch)
    wild_boot = _by_length(
        car, e, lengths, lambda c, x, length: wb.wild_bootstrap_dates_t_batch(c, x, length, n_boot=draws, seed=seed)
    )
    by_set = resid[sets]
    grank, grank_scar = rb.grank_t_pair(car, se, by_set, df[sets], of_block)
    return [
        cs.cross_sectional_t_batch(car),
        cs.patell_z_batch(car, se, dof),
        cs.bmp_t_batch(car, se),
        cs.kolari_pynnonen_t_batch(car, se, by_set, of_block),
        cs.corrado_rank_sets(by_set, event_ar[sets], cols, of_block, left_to_right=True),
        cs.generalized_sign_z_batch(car, e),
        cs.wilcoxon_signed_rank_batch(car),
        portfolio,
        grank,
        grank_scar,
        wild_boot,
        rb.sign_test_exact_batch(car, e),
    ]
