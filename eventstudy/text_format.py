"""Text for people: numbers, percents and p-values, Markdown escaping, verdict marks; the notebook's HTML.

Shared by :mod:`eventstudy.report` and the notebook view of :class:`~eventstudy.results.StudyResults`
(``_repr_html_``: :func:`table` and :func:`badge` with inline styles, text through :func:`esc`,
i.e. :func:`html.escape`; only markup built here is inserted raw, :class:`Html`). Text that comes
from a study file or an article goes through :func:`md_text` / :func:`md_code` in Markdown; the HTML
report is a jinja2 template with autoescape (:mod:`eventstudy.report.pages`).
May import: nothing of the package.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence

import pandas as pd


def fmt_pct(value: float, digits: int = 2, *, sign: bool = True) -> str:
    """Decimal → percent text, e.g. 0.0717 → '+7.17 %'; NaN → '–'."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value * 100:{'+' if sign else ''}.{digits}f} %"


def fmt_num(value: float, digits: int = 3) -> str:
    """Number with fixed digits; NaN → '–'."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:.{digits}f}"


def fmt_p(value: float) -> str:
    """p-value: 4 decimals, or '<0.0001'."""
    if value is None or not math.isfinite(value):
        return "–"
    return "<0.0001" if value < 1e-4 else f"{value:.4f}"


_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")  # what can open an HTML tag, comment or autolink
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")


_MD_LINK = re.compile(r"[\\`]|\](?=[(\[])|\](?=:\s*\S+\s*(?:[\"'(].*)?\Z)")  # code; link, image; "[x]: url" definition
_MD_MARKUP = re.compile(r"[\\`*_\[\]|~]")  # every inline markup character
_MD_BLOCK_START = re.compile(r"[#>]|[-+*](?= )|\d+(?=[.)] )")  # a heading, quote or list


def md_text(value: object, *, literal: bool = False) -> str:
    """Text safe in Markdown, on one line: no HTML, no link, image or code (``literal``: no markup at all).

    A ``<`` that could open a tag (``<script>``, ``<img onerror=…>``) becomes ``&lt;`` and an
    entity's ``&`` becomes ``&amp;``, so a Markdown viewer that renders HTML shows them as text;
    ``<0.0001`` or ``R&D`` stay as they are. A backslash escapes what would make a link, an image
    or a code span: ``[x](javascript:…)`` and ``![img](http://…)`` stay text (no link, no image
    fetched), a backtick cannot open a code block; a leading ``#``, ``>``, ``- ``, ``1. `` or ``[``
    cannot start a heading, quote, list or link reference. ``literal`` (text a study file or an
    article gave, on its own) also escapes emphasis, strikethrough and table bars.
    """
    text = _TAG_START.sub("&lt;", _ENTITY.sub("&amp;", " ".join(str(value).split())))
    text = (_MD_MARKUP if literal else _MD_LINK).sub(lambda m: "\\" + m.group(), text)
    if (start := _MD_BLOCK_START.match(text)) and not text.startswith("\\"):
        at = start.end() if start.group()[0].isdigit() else start.start()  # "12\. x", "\# x"
        text = text[:at] + "\\" + text[at:]
    return text


def md_code(value: object) -> str:
    """Text as a Markdown code span (no HTML inside one is rendered; backticks cannot close it)."""
    return "`" + " ".join(str(value).split()).replace("`", "'") + "`"


def best_match(c: dict, *, sep: str = ", ", day: bool = True) -> str:
    """'close-to-close, 2025-01-22 (day +0)' for a claim row, '–' when it was not measured."""
    session = c.get("best_session")
    if session is None or pd.isna(session):
        return "–"
    text = f"{str(c['best_measure']).replace('_', '-')}{sep}{pd.Timestamp(session):%Y-%m-%d}"
    return text + (f" (day {int(c['best_day']):+d})" if day else "")


VERDICT_CLASS = {
    "matches the close": "ok",
    "within the day's range": "range",
    "consistent on another session": "other",
    "not supported": "no",
    "not measured": "na",
}
VERDICT_MARK = {"ok": "✔", "range": "✓", "other": "◐", "no": "✘", "na": "–"}
_INLINE_BADGE = {
    "ok": "background:#dafbe1;color:#116329",
    "range": "background:#ddf4ff;color:#0a3069",
    "other": "background:#fff8c5;color:#7d4e00",
    "no": "background:#ffebe9;color:#a40e26",
    "na": "background:#eaeef2;color:#57606a",
}

_INLINE_ALIGN = {
    "l": ' style="text-align:left"',
    "r": ' style="text-align:right;white-space:nowrap"',
    "n": ' style="text-align:left;white-space:nowrap"',
}


class Html(str):
    """Markup built by this module: inserted as is, never escaped again."""


def esc(value: object) -> Html:
    """Escape text for HTML (quotes included); :class:`Html` passes through."""
    if isinstance(value, Html):
        return value
    if isinstance(value, pd.Timestamp):
        value = value.date() if value == value.normalize() else value
    return Html(html.escape("" if value is None else str(value), quote=True))


def slug(value: object) -> str:
    """A safe fragment for an element id (letters, digits, ``_ . -``)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "-", str(value))


def table(header: Sequence[str], rows: Iterable[Sequence[object]], align: str = "") -> Html:
    """An HTML table with inline styles (a notebook has no report CSS).

    ``align`` has one letter per column: ``l`` left, ``r`` right, ``n`` left, no wrap.
    """
    align = align.ljust(len(header), "l")
    klass = [_INLINE_ALIGN[a] for a in align]
    out = ['<div class="scroll"><table><thead><tr>']
    out += [f"<th{k}>{esc(h)}</th>" for h, k in zip(header, klass, strict=True)]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(f"<td{k}>{esc(v)}</td>" for v, k in zip(row, klass, strict=True)) + "</tr>")
    out.append("</tbody></table></div>")
    return Html("".join(out))


def badge(verdict: str) -> Html:
    """Coloured verdict label with inline styles (with a mark, so it does not rely on colour alone)."""
    key = VERDICT_CLASS.get(verdict, "no")
    style = _INLINE_BADGE[key] + ";padding:1px 8px;border-radius:10px;font-weight:600;white-space:nowrap"
    return Html(f'<span style="{style}">{VERDICT_MARK[key]} {esc(verdict)}</span>')
