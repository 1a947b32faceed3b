"""The day a story's "now" means: its date line's time, a weekend, a closing update.

"is still up 55% this year" is measured to the close of that day (:func:`as_of`).
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np

from eventstudy.articles.records import DateMention

# the publication time on the header's line: "Publié le 04/04/2025 à 06h30", "Jan 27, 2025 at 5:12 PM EST"
_TIME = re.compile(r"(?<![\d/.:-])(\d{1,2})\s*(?:h|:)\s*(\d{2})(?:\s*([AaPp])\.?[Mm]\b)?")


# a closing update ("Update, Tuesday close:", "Mise à jour après la clôture :"): the story ran past the close
CLOSING_UPDATE = re.compile(
    r"^[ \t]*(?:update|mise à jour)\b[^:\n]{0,40}?(?:after the close|closing|close|après la clôture|clôture"
    r"|(?:4|5|6|7|8):\d\d\s*p\.?m|1[6-9]:\d\d|1[6-9]h\d\d)[^:\n]{0,20}:",
    re.IGNORECASE | re.MULTILINE,
)


def as_of(text: str, dates: list[DateMention], reference: dt.date) -> dt.date:
    """The day whose close "now" means.

    The article's date (a weekend's: the Friday before), or the weekday before it for an article
    published before 9:00 (before any exchange of the study opens, whatever the zone): "Published Sat,
    Mar 15, 2025 · 08:10 AM" is Friday's close, not Thursday's.
    """
    day = np.busday_offset(reference, 0, roll="backward").astype(dt.date)
    header = next((d for d in dates if d.kind == "header" and d.date == reference), None)
    if header is None:
        return day if day != reference and reference.weekday() >= 5 else reference
    line = text[text.rfind("\n", 0, header.offset) + 1 : (text.find("\n", header.offset) + 1 or len(text) + 1) - 1]
    m = _TIME.search(line)
    if m is None or CLOSING_UPDATE.search(text):
        return day  # no time, or updated after the close: the article's date
    hour = int(m[1]) % 12 + (12 if (m[3] or "").lower() == "p" else 0) if m[3] else int(m[1])
    if hour >= 9:
        return day
    return np.busday_offset(reference, -1, roll="forward").astype(dt.date)
