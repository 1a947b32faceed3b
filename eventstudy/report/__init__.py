"""Stage 9, the report: Markdown, HTML, CSV tables, JSON and figures of a study's results.

May import every lower stage: :mod:`eventstudy.results`, :mod:`eventstudy.plots`,
:mod:`eventstudy.claims`, :mod:`eventstudy.inference`, :mod:`eventstudy.engine`,
:mod:`eventstudy.market`, :mod:`eventstudy.spec` and the base layer
(:mod:`eventstudy.errors`, :mod:`eventstudy.file_io`, :mod:`eventstudy.text_format`).
"""

from eventstudy.report.write import write_report

__all__ = ["write_report"]
