"""The founding report and reports on ONS tables: :mod:`crimestats.report` under the old name.

:func:`story` and :class:`Story` live in :mod:`crimestats.report.story`, :func:`report`,
:class:`Report`, :data:`FORMATS` and :data:`REPORT_COLUMNS` in :mod:`crimestats.report.table`.
"""

from .report.story import Story, story
from .report.table import FORMATS, REPORT_COLUMNS, Report, report

__all__ = ["FORMATS", "REPORT_COLUMNS", "Report", "Story", "report", "story"]
