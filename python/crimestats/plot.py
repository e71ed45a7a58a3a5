"""Funnel plots and change charts: :mod:`crimestats.report.plot` under its public name."""

from .report.plot import *  # noqa: F403
from .report.plot import __all__ as __all__
