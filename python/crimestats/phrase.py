"""Numbers as a UK newsroom writes them: :mod:`crimestats.report.phrase` under its public name."""

from .report.phrase import *  # noqa: F403
from .report.phrase import __all__ as __all__
