"""What the Markdown and HTML reports say once: claim groups, events sharing a day 0, flagged days.

- **Claim groups**: the claims judged together (:mod:`eventstudy.claims.reconcile`)
  are shown together, with their sentence and timing story once.
- **One event per day 0**: events whose day 0 is the same session for every
  security of the study have the same abnormal returns, CARs and tests
  (daily data cannot separate them). The report details the first of them
  and says so; the CSV and JSON tables keep one row set per event, so every
  event id still finds its numbers there.
- **Flagged days** name the event of the study whose day 0 they are.
- **Bounded in a large study**: a cell or sentence names at most ``MAX_NAMED`` events ("… and K more"),
  the overlaps are summarised by security; every row stays in the tables (overlaps.parquet, day0).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from eventstudy.report.tables import large_study, listed, table

if TYPE_CHECKING:
    from eventstudy.results import StudyResults


def grouped_claims(res: StudyResults) -> list[tuple[str, pd.DataFrame]]:
    """(group id, its claims' rows) in the order of the claims."""
    claims = res.claims
    if "group" not in claims:
        return [(c, claims[claims["claim"] == c]) for c in claims["claim"]]
    return [(g, claims[claims["group"] == g]) for g in dict.fromkeys(claims["group"])]


def shared_quote(rows: pd.DataFrame) -> str:
    """The quote every claim of a group shares, else ''."""
    quotes = set(rows["quote"].fillna(""))
    return quotes.pop() if len(quotes) == 1 else ""


def group_story(rows: pd.DataFrame) -> str:
    """The group's timing story (the same on every measured row)."""
    stories = [s for s in rows["story"].fillna("") if s] if "story" in rows else []
    return stories[0] if stories else ""


_LAST: list[tuple[object, object, object, Day0Groups]] = []  # the last answer, by its tables' identity


class Day0Groups:
    """The events with the same day 0 on every security (:func:`same_day0`), held as arrays.

    ``get(e, default)`` and ``groups[e]``: the events of ``e``'s group in study order (the first is the one
    the report details); ``first`` and ``first_of``: that first event. A million events take a few
    arrays of a million numbers, not a dict of a million lists.
    """

    def __init__(self, index: pd.Index, group: np.ndarray, measured: np.ndarray) -> None:
        self.index, self.group = index, group  # every event id in study order; its group, -1 when not measured
        self.measured = measured  # whether each event has a fitted pair
        self.ids = index.to_numpy(dtype=object)
        members = np.flatnonzero(group >= 0)
        self.order = members[np.argsort(group[members], kind="stable")]  # by group, then study order
        self.starts = np.searchsorted(group[self.order], np.arange(int(group.max(initial=-1)) + 2))
        self.heads = self.order[self.starts[:-1]]  # each group's first event

    def head_at(self, at: np.ndarray) -> np.ndarray:
        """The position of the first event of the group of the events at positions ``at`` (their own when alone)."""
        g = self.group[at]
        return np.where(g >= 0, self.heads[np.maximum(g, 0)] if len(self.heads) else at, at)

    def firsts(self) -> np.ndarray:
        """Whether each event (study order) is the first of its group, as :meth:`first` says: an array of bools."""
        every = np.arange(len(self.ids))
        return self.head_at(every) == every

    def _group(self, event_id: str) -> int:
        try:
            return int(self.group[self.index.get_loc(event_id)])
        except KeyError:
            return -1

    def get(self, event_id: str, default: list[str] | None = None) -> list[str] | None:
        """The events of ``event_id``'s group, in study order; ``default`` when it is not measured."""
        g = self._group(event_id)
        return default if g < 0 else self.ids[self.order[self.starts[g] : self.starts[g + 1]]].tolist()

    def __getitem__(self, event_id: str) -> list[str]:
        found = self.get(event_id)
        if found is None:
            raise KeyError(event_id)
        return found

    def first(self, event_id: str) -> str:
        """The first event of ``event_id``'s group (itself when alone or not measured)."""
        g = self._group(event_id)
        return event_id if g < 0 else self.ids[self.heads[g]]

    def first_of(self, events: Sequence[str] | pd.Series | np.ndarray) -> np.ndarray:
        """:meth:`first` of each of ``events``, as an array."""
        values = np.asarray(events, dtype=object)
        at = self.index.get_indexer(values)
        g = np.full(len(at), -1, dtype=np.int64)
        g[at >= 0] = self.group[at[at >= 0]]
        out = values.copy()
        out[g >= 0] = self.ids[self.heads[g[g >= 0]]]
        return out


def same_day0(res: StudyResults) -> Day0Groups:
    """The events with the same day 0 on every security: the same set of (security, session) pairs.

    Only events with abnormal returns (measured) are merged; an event alone is a group of itself.
    Matched on integer codes (a pair's code, each event's sorted codes), never on text. The report
    asks many times about the same results: the last answer is kept.
    """
    if _LAST and _LAST[0][0] is res.day0 and _LAST[0][1] is res.fits and _LAST[0][2] is res.spec:
        return _LAST[0][3]
    ids = np.array([e.id for e in res.spec.events], dtype=object)
    index = pd.Index(ids)
    fits, d0 = res.every_fit(), res.day0
    measured = np.zeros(len(ids), dtype=bool)  # every fitted pair's event
    if "event" in fits:
        found = index.get_indexer(pd.unique(fits["event"]))
        measured[found[found >= 0]] = True
    at = index.get_indexer(d0["event"])
    rows = np.flatnonzero(at >= 0)
    rows = rows[measured[at[rows]]]
    at = at[rows]
    ticker = pd.factorize(d0["ticker"].to_numpy()[rows])[0]
    session = d0["session"].astype("int64").to_numpy()[rows]
    by_pair = np.lexsort((session, ticker))  # a code for each (security, session)
    new = np.ones(len(rows), dtype=bool)
    new[1:] = (np.diff(ticker[by_pair]) != 0) | (np.diff(session[by_pair]) != 0)
    pair = np.empty(len(rows), dtype=np.int64)
    pair[by_pair] = np.cumsum(new) - 1
    o = np.lexsort((pair, at))  # each event's rows together, its pair codes sorted
    at, pair = at[o], pair[o]
    events, start, count = np.unique(at, return_index=True, return_counts=True)
    group = np.full(len(ids), -1, dtype=np.int64)
    groups = 0
    for c in np.unique(count):  # events of c pairs: the same day 0 everywhere = the same row of c codes
        of_c = count == c
        codes = pair[start[of_c][:, None] + np.arange(c)]
        _, which = np.unique(codes, axis=0, return_inverse=True)
        group[events[of_c]] = groups + which.ravel()
        groups += int(which.max()) + 1
    out = Day0Groups(index, group, measured)
    _LAST[:] = [(res.day0, res.fits, res.spec, out)]
    return out


MAX_NAMED = 10  # events a large study's report names in one cell, sentence or list; the rest are counted


def capped(ids: Sequence[str], res: StudyResults) -> tuple[Sequence[str], int]:
    """The ids a report names: all of them, or the first ``MAX_NAMED`` of a large study; and how many are left."""
    if len(ids) <= MAX_NAMED or not large_study(res):
        return ids, 0
    return ids[:MAX_NAMED], len(ids) - MAX_NAMED


def named(ids: Sequence[str], res: StudyResults, sep: str = ", ") -> str:
    """The ids joined (a large study's first ``MAX_NAMED``, then 'and K more')."""
    shown, more = capped(ids, res)
    return sep.join(shown) + (f" and {more:,} more" if more else "")


def group_label(res: StudyResults, event_id: str) -> str:
    """The events shown as one with ``event_id`` (same day 0 everywhere), named together."""
    return named(same_day0(res).get(event_id, [event_id]), res)


def merged_note(res: StudyResults, event_id: str) -> str:
    """The line under a section that stands for several events; '' when it stands for one."""
    ids = same_day0(res).get(event_id, [event_id])
    if len(ids) < 2:
        return ""
    others, more = capped(ids[1:], res)
    names = ", ".join(f"{o} (“{res.spec.event(o).title}”)" if res.spec.event(o).title else o for o in others)
    names += f" and {more:,} more events (listed in the day0 table)" if more else ""
    sessions = res.day0[res.day0["event"] == event_id]
    days = ", ".join(sorted({f"{s:%Y-%m-%d}" for s in sessions["session"]}))
    return (
        f"Also {names}: its day 0 is the same session as this event's on every exchange of the study ({days}), "
        "so daily data cannot separate the two; the tables below hold for both and are shown once "
        "(ar.csv, car.csv and results.json list each event)."
        if len(ids) == 2
        else f"Also {names}: their day 0 is the same session as this event's on every exchange of the study "
        f"({days}), so daily data cannot separate them; the tables below hold for all and are shown once "
        "(ar.csv, car.csv and results.json list each event)."
    )


def merged_events(res: StudyResults, event_id: str) -> list[str]:
    """One plain-text line per other event shown in this section: id, title, time, note, sources."""
    lines = []
    for other in capped(same_day0(res).get(event_id, [event_id])[1:], res)[0]:
        ev = res.spec.event(other)
        if ev.date_only:
            when = f"{ev.timestamp:%Y-%m-%d} (date only)"
        else:
            when = f"{ev.timestamp:%Y-%m-%d %H:%M} UTC" + (" (approximate time)" if ev.approximate else "")
        text = f"{other}: {ev.title + ', ' if ev.title else ''}announced {when}."
        text += f" {ev.note}" if ev.note else ""
        text += f" Sources: {', '.join(ev.sources)}." if ev.sources else ""
        lines.append(text)
    return lines


def day0_table(res: StudyResults, event_id: str) -> tuple[list[str], list[list[object]]]:
    """Header and rows of a section's day-0 table: with an ``event`` column when it stands for several events."""
    ids = same_day0(res).get(event_id, [event_id])
    d0 = res.day0[res.day0["event"].isin([ids[0], *capped(ids[1:], res)[0]])]  # the events the note names
    header = ["ticker", "exchange", "local time", "day 0", "rule"]
    rows = [[r.ticker, r.exchange, r.local_time, r.session, r.rule] for r in d0.itertuples()]
    if len(ids) == 1:
        return header, rows
    return ["event", *header], [[e, *row] for e, row in zip(d0["event"], rows, strict=True)]


def representative(res: StudyResults, event_id: str) -> str:
    """The event whose section stands for ``event_id`` (itself unless merged)."""
    return same_day0(res).first(event_id)


def flag_label(res: StudyResults, day0_of: str) -> str:
    """What a flagged day is: 'day 0 of first-reports (“First public reports …”)', or that no event is known."""
    ids = [e for e in str(day0_of or "").split(",") if e]
    if not ids:
        return "none of the study's events (other news)"
    if len(ids) == 1 and res.spec.event(ids[0]).title:
        return f"day 0 of {ids[0]} (“{res.spec.event(ids[0]).title}”)"
    return "day 0 of " + named(ids, res, " and ")


def flag_rows(res: StudyResults) -> pd.DataFrame:
    """Flags with events that share a day 0 shown once (``event`` lists them) and a ``label`` column."""
    flags = res.flags
    if flags.empty:
        return flags.assign(label=pd.Series(dtype=str))
    groups = same_day0(res)
    keep = flags[groups.first_of(flags["event"]) == flags["event"].to_numpy(dtype=object)].copy()
    keep["event"] = [named(groups.get(e, [e]), res) for e in keep["event"]]
    keep["label"] = [flag_label(res, d) for d in keep.get("day0_of", pd.Series("", index=keep.index))]
    return keep


def overlap_rows(res: StudyResults) -> pd.DataFrame:
    """Overlaps between events shown apart, each group's own rows dropped (one row per ticker and pair of groups).

    ``event`` and ``nearest_event`` are the first events of their groups (events with the same day 0 everywhere,
    :func:`same_day0`): :func:`group_label` names a group, for the rows a report shows.
    """
    ov = res.overlaps
    if ov.empty:
        return ov
    groups = same_day0(res)
    event, nearest = groups.first_of(ov["event"]), groups.first_of(ov["nearest_event"])
    apart = event != nearest  # only these rows copied
    out = ov[apart].assign(event=event[apart], nearest_event=nearest[apart])
    return out.drop_duplicates(["ticker", "event", "nearest_event"])


def overlap_summary(res: StudyResults) -> dict[str, object] | None:
    """A large study's overlaps by security: a sentence and a table (the most overlapped securities first)."""
    ov = res.overlaps
    if ov.empty or not large_study(res):
        return None
    pairs = res.day0["ticker"].value_counts(sort=False)
    by = ov.groupby("ticker", sort=False)["overlapping"].agg(["size", "max"])
    by = by.sort_values("size", ascending=False, kind="stable")
    shown, more = listed(by, res)
    rows = [[t, f"{pairs.get(t, 0):,}", f"{n:,}", f"{m:,}"] for t, n, m in shown.itertuples()]
    text = (
        f"{len(ov):,} of {len(res.day0):,} (event, security) pairs have a window that shares sessions with another "
        f"event's window of the same security; by security, most first"
        + (f" (the first {len(shown):,} of {len(by):,})" if more else "")
        + ". Every pair's row (how many events overlap, the nearest one, the sessions shared) is in the overlaps "
        "table (overlaps.parquet)."
    )
    header = ["ticker", "pairs", "pairs overlapping another event", "most overlapping events"]
    return {"text": text, "table": table(header, rows, "lrrr")}
