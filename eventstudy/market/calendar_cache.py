"""Exchange calendars cached on disk: a process reads the schedule back instead of computing two centuries of holidays.

Building an ``exchange_calendars`` calendar computes its holiday rules from 1970 to 2200 (pandas'
holiday calendars) to lay out its default range of sessions, today - 20 years to today + 1 year:
0.2-0.3 s of CPU a calendar, in every process. The schedule it gives is a function of the exchange,
that range, and the versions of exchange_calendars, pandas and numpy
(:func:`eventstudy.versions.package_versions`); the key is the sha256 of those and of this
package's code. An entry, ``<cache>/calendars/<key>.npz`` under the folder of the price downloads
(``$EVENTSTUDY_CACHE``, else ``~/.cache/eventstudy``), holds what the calendar's constructor sets
(the schedule of opens, breaks and closes, their nanosecond arrays, the late opens and early
closes) as integer arrays, read with allow_pickle=False, written atomically. Read back, they are set on
an instance of the library's own class, whose methods then answer as they would have; its
holiday rules (``day``) are computed only if a method asks for them, and the sessions carry no
``freq`` (nothing here reads it). An entry is stored only if it reads back equal to the
calendar built, and one that cannot be read is built again. A calendar built is kept in memory
as the entries of the table cache are (:func:`eventstudy.table_cache.write_entry`), until
:func:`eventstudy.table_cache.store_pending` (the end of :meth:`eventstudy.EventStudy.run`): a
run that fails on its input writes nothing, not even to the cache.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import warnings
from typing import TYPE_CHECKING

from eventstudy.table_cache import read_entry, write_entry

if TYPE_CHECKING:
    from exchange_calendars import ExchangeCalendar

FORMAT = 1  # bumped when the entry's layout changes
_INDEXES = ("_opens", "_break_starts", "_break_ends", "_closes", "_late_opens", "_early_closes")
_ARRAYS = ("opens_nanos", "break_starts_nanos", "break_ends_nanos", "closes_nanos")
_SCHEDULE = ("open", "break_start", "break_end", "close")


def cached_calendar(code: str) -> ExchangeCalendar:
    """``exchange_calendars.get_calendar(code)``, its default range, read from the disk cache when there."""
    import exchange_calendars as xcals

    from eventstudy.market.price_cache import default_cache_dir

    dispatcher = xcals.calendar_utils.global_calendar_dispatcher
    cls = dispatcher._calendar_factories.get(dispatcher.resolve_alias(code))
    if cls is None:  # a calendar registered as an instance: as the library gives it
        return xcals.get_calendar(code)
    key = _key(cls)
    path = default_cache_dir() / "calendars" / f"{key}.npz"
    try:
        return read_entry(path, lambda data: _load(cls, data, key))
    except Exception:  # not there, damaged, another key's: built
        pass
    with warnings.catch_warnings():
        # exchange_calendars reads Series.values of tz-aware columns, which
        # pandas >= 3.1 deprecates; the values it gets are still right.
        warnings.filterwarnings("ignore", message="Series.values returning an ndarray")
        cal = xcals.get_calendar(code)
    if type(cal) is cls and _key(cls) == key:  # the day did not change meanwhile
        data = _dump(cal, key)
        if data is not None:
            write_entry(path, data, pending=True)  # written when the run goes through
    return cal


def _key(cls: type) -> str:
    from eventstudy.table_cache import code_fingerprint
    from eventstudy.versions import package_versions

    text = json.dumps([FORMAT, f"{cls.__module__}.{cls.__qualname__}", str(cls.default_start()),
                       str(cls.default_end()), sorted(package_versions().items()), code_fingerprint()])  # fmt: skip
    return hashlib.sha256(text.encode()).hexdigest()


def _dump(cal: ExchangeCalendar, key: str) -> bytes | None:
    """The entry of ``cal``, or None if it would not read back equal to it (a layout this module does not know)."""
    import numpy as np

    state = vars(cal)
    lazy = {n for n in state if isinstance(getattr(type(cal), n, None), functools.cached_property)}  # computed on use
    if set(state) - lazy - {"_side", "schedule", *_INDEXES, *_ARRAYS} or list(cal.schedule.columns) != list(_SCHEDULE):
        return None
    arrays = {"sessions": cal.schedule.index.asi8, **{name: state[name] for name in _ARRAYS}}
    arrays |= {f"schedule_{c}": cal.schedule[c].array.asi8 for c in _SCHEDULE}
    zones = {}
    for name in _INDEXES:
        if state[name] is not None:
            arrays[name], zones[name] = state[name].asi8, (str(state[name].tz), state[name].unit)
    meta = {"key": key, "side": state["_side"], "zones": zones}
    buf = io.BytesIO()
    np.savez(buf, meta=np.array(json.dumps(meta)), **arrays)
    data = buf.getvalue()
    return data if _same(_load(type(cal), data, key), cal) else None


def _load(cls: type, data: bytes, key: str) -> ExchangeCalendar:
    import numpy as np
    import pandas as pd

    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        meta = json.loads(str(npz["meta"]))
        if meta["key"] != key:
            raise ValueError("another key's entry")
        cal = cls.__new__(cls)
        sessions = pd.DatetimeIndex(npz["sessions"].astype("datetime64[ns]"))
        cal._side = meta["side"]
        for name in _INDEXES:
            zone, unit = meta["zones"].get(name, (None, None))
            values = None if zone is None else pd.DatetimeIndex(npz[name].view(f"datetime64[{unit}]"))
            setattr(cal, name, None if values is None else values if zone == "None" else values.tz_localize(zone))
        schedule = {c: pd.DatetimeIndex(npz[f"schedule_{c}"].astype("datetime64[ns]")).tz_localize("UTC")
                    for c in _SCHEDULE}  # fmt: skip
        cal.schedule = pd.DataFrame(schedule, index=sessions)
        for name in _ARRAYS:
            setattr(cal, name, npz[name])
    return cal


def _same(a: ExchangeCalendar, b: ExchangeCalendar) -> bool:
    """Whether the calendar read back ``a`` holds what ``b`` was built with (values, dtypes, names; not ``freq``)."""
    import numpy as np

    sa, sb = vars(a), vars(b)
    if sa["_side"] != sb["_side"] or not a.schedule.equals(b.schedule):
        return False
    if a.schedule.index.name != b.schedule.index.name or list(a.schedule.dtypes) != list(b.schedule.dtypes):
        return False
    for name in _INDEXES:
        x, y = sa[name], sb[name]
        if (x is None) != (y is None):
            return False
        if x is not None and (not x.equals(y) or x.dtype != y.dtype or x.name != y.name):
            return False
    return all(np.array_equal(sa[n], sb[n]) and sa[n].dtype == sb[n].dtype for n in _ARRAYS)
