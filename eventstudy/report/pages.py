"""report.md and report.html: the report model (:mod:`eventstudy.report.model`) through two jinja2 templates.

- ``report.html.j2`` (CSS in ``report.css``): one self-contained page that needs nothing but a
  browser: CSS inline, figures embedded as ``data:`` URIs, no script, web font or other network
  resource. Autoescaped: every value of the model, text from a study file or an article included,
  is escaped.
- ``report.md.j2``: autoescape off; text goes through explicit filters that call
  :func:`eventstudy.text_format.md_text` (``md``; ``lit`` for text a study file or an article gave,
  with no markup at all) and :func:`eventstudy.text_format.md_code` (``code``); tables through
  ``md_table``.

HTML section ids (stable, for links and tests): ``verdicts``, ``claims-figure``, ``all-pairs`` (a large
study), ``event-<event id>`` (with ``event-<event id>-<ticker>`` per security and, when measured,
``event-<event id>-volume``, ``-volatility``, ``-bhar``, ``-measure-tests``), ``warnings``,
``candidates``, ``excluded``, ``method``, ``provenance``.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pandas as pd

from eventstudy.text_format import VERDICT_CLASS, VERDICT_MARK, md_code, md_text, slug

if TYPE_CHECKING:
    from jinja2 import Environment

    from eventstudy.report.figure_jobs import ReportFigure
    from eventstudy.report.model import Model
    from eventstudy.results import StudyResults

_ALIGN = {"l": "", "r": ' class="r"', "n": ' class="nw"'}  # table column letters: CSS classes of report.css
_MD_ALIGN = {"l": ":---", "r": "---:", "c": ":---:"}


def render_markdown(res: StudyResults, figures: Sequence[ReportFigure] = ()) -> str:
    """report.md of ``res``, with these figures (their paths relative to the report folder)."""
    from eventstudy.report.model import report_model

    return markdown_page(report_model(res, figures))


def render_html(res: StudyResults, figures: Sequence[ReportFigure] = ()) -> str:
    """report.html of ``res``, with these figures embedded."""
    from eventstudy.report.model import report_model

    return html_page(report_model(res, figures))


def markdown_page(model: Model) -> str:
    """The Markdown report of a report model."""
    return _environment(markdown=True).get_template("report.md.j2").render(model)


def html_page(model: Model) -> str:
    """The HTML report of a report model."""
    return _environment(markdown=False).get_template("report.html.j2").render(model)


@lru_cache(maxsize=2)
def _environment(*, markdown: bool) -> Environment:
    """The templates of report/templates/ with the filters they use: HTML autoescaped, Markdown escaped by filters."""
    from jinja2 import Environment, PackageLoader, StrictUndefined
    from markupsafe import Markup

    env = Environment(
        loader=PackageLoader("eventstudy.report", "templates"),
        autoescape=not markdown,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=markdown,
        lstrip_blocks=markdown,
    )
    env.filters.update(figure_kind=lambda f: f.name.rsplit("/", 1)[-1].split("_")[0])
    if markdown:
        env.filters.update(md=md_text, lit=lambda v: md_text(v, literal=True), code=md_code, cell=_md_cell,
                           md_table=markdown_table)  # fmt: skip
    else:
        env.filters.update(
            slug=slug,
            cell=_cell,
            align_attr=lambda a: Markup(_ALIGN[a]),
            verdict_class=lambda v: VERDICT_CLASS.get(v, "no"),
            verdict_mark=lambda v: VERDICT_MARK[VERDICT_CLASS.get(v, "no")],
            figure=_figure,
        )
    return env


def _cell(value: object) -> object:
    """An HTML table cell as text: a date without a time as YYYY-MM-DD, None as empty."""
    if value is None:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() else value
    return value


def _md_cell(value: object) -> str:
    """A Markdown table cell: a date as YYYY-MM-DD, text escaped, ``|`` too."""
    if isinstance(value, pd.Timestamp):
        return str(value.date())
    return md_text(value).replace("|", "\\|")


def markdown_table(t: dict[str, Any]) -> str:
    """A pipe table of a model table (:func:`eventstudy.report.tables.table`), aligned by its ``md_align``."""
    lines = [
        "| " + " | ".join(_md_cell(h) for h in t["header"]) + " |",
        "| " + " | ".join(_MD_ALIGN[a] for a in t["md_align"]) + " |",
    ]
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in t["rows"]]
    return "\n".join(lines)


def _figure(fig: ReportFigure) -> dict[str, str]:
    """A figure embedded as a data URI."""
    data = base64.b64encode(fig.data).decode("ascii")
    return {
        "id": slug(fig.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]),
        "caption": fig.caption,
        "uri": f"data:{fig.mime};base64,{data}",
    }
