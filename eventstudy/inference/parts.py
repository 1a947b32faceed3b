"""The tests table of a large study in parts of whole events, written to Parquet without holding the whole table.

The tests table has one row per (pair, window) for each single-security test and one per
(event, window) for each of the twelve cross-sectional tests: 6,000,000 rows (about 0.9 GB)
for 100,000 one-security events. Every row depends only on its event's pairs, the seed and the
study's draw counts (:func:`eventstudy.inference.table.study_draws`), and the Holm and BH
adjustments are made within an event, so the table of a run of whole events, in the CAR
table's order, is exactly those events' rows of the whole table, and the parts one after the
other are the whole table (``tests/inference/test_tests_parts.py``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from eventstudy.inference.table import TEST_COLUMNS, cached_significance_table, study_draws

PAIRS_PER_PART = 10_000  # pairs of whole events per part: ~0.1 GB of rows for one-security events


def tests_in_parts(
    ar: pd.DataFrame,
    car: pd.DataFrame,
    fits: pd.DataFrame,
    residuals: np.ndarray,
    *,
    residual_rows: np.ndarray | None = None,
    seed: int = 0,
    pairs_per_part: int | None = None,
) -> Iterator[pd.DataFrame]:
    """The rows of :func:`~eventstudy.inference.table.significance_table`, in parts of whole events, in order.

    ``residuals``: the (pairs, T) matrix, the car table's pairs in order of first appearance, or
    the rows ``residual_rows`` of it are (the engine's matrix, read a part at a time, not copied).
    Each part holds the events whose pairs come next, about ``pairs_per_part`` pairs (default
    :data:`PAIRS_PER_PART`; an event is never cut); concatenated, the parts are the whole table.
    """
    if car.empty:
        yield pd.DataFrame([], columns=TEST_COLUMNS)
        return
    pairs = pd.MultiIndex.from_frame(car[["event", "ticker"]]).unique()  # in order of first appearance
    event_of_pair, events = pd.factorize(pairs.get_level_values(0))
    blocks = len(pd.MultiIndex.from_arrays([car["event"], car["start"], car["end"]]).unique())
    draws = study_draws(len(pairs), blocks)
    # events in order of first appearance, cut where the pairs so far pass a multiple of pairs_per_part
    before = np.cumsum(np.bincount(event_of_pair, minlength=len(events))) - 1
    part_of_event = before // max(1, pairs_per_part or PAIRS_PER_PART)
    part_of_pair = part_of_event[event_of_pair]
    at = np.arange(len(pairs)) if residual_rows is None else np.asarray(residual_rows)
    part_of = {name: part_of_event[events.get_indexer(table["event"])] for name, table in
               (("ar", ar), ("car", car), ("fits", fits))}  # fmt: skip
    for part in np.unique(part_of_event).tolist():
        rows = {name: np.flatnonzero(where == part) for name, where in part_of.items()}
        yield cached_significance_table(
            ar.iloc[rows["ar"]], car.iloc[rows["car"]], fits.iloc[rows["fits"]],
            residuals[at[part_of_pair == part]], seed=seed, draws=draws,
        )  # fmt: skip


def write_tests_parquet(parts: Iterator[pd.DataFrame], path: Path, keep: Collection[str]) -> pd.DataFrame:
    """Write ``parts`` (:func:`tests_in_parts`) as one Parquet file; return the rows of the events ``keep``.

    The rows returned keep their labels in the whole table (as ``tests[tests["event"].isin(keep)]``).

    The file reads back (``pandas.read_parquet``) as the whole table written at once would; one
    part is held at a time.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    kept = []
    writer = None
    offset = 0
    try:
        for part in parts:
            part.index = pd.RangeIndex(offset, offset + len(part))  # the whole table's row labels
            offset += len(part)
            table = pa.Table.from_pandas(part, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="snappy")
            writer.write_table(table)
            del table
            kept.append(part[part["event"].isin(list(keep))])
    finally:
        if writer is not None:
            writer.close()
    return pd.concat(kept) if len(kept) > 1 else kept[0]
