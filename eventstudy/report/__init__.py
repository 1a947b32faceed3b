"""Report writers: Markdown, CSV tables, JSON and PNG figures."""

from eventstudy.report.write import write_report

__all__ = ["write_report"]
