"""crimestats: the figures behind crime statistics, and the honest uncertainty around them.

Rates per head with exact intervals, changes and whether they are real, comparisons with the
national picture, and shares from complex surveys, computed by a Rust core and returned as pandas
DataFrames.
"""

from . import datasets, ons, phrase
from ._core import InputError
from .adjust import adjust_p, expected_by_chance
from .changes import change, compare, funnel, funnel_limits, test_change, trend
from .partials import survey_categories, survey_partials
from .rates import rate
from .reliability import flag_reliability
from .shares import gross_up, proportion, share_ci, test_share_change
from .standardise import dsr, isr, smooth_rates, test_weighted_change, weighted_rate
from .survey import (
    ExcludedRowsWarning,
    survey_design,
    survey_mean,
    survey_share,
    survey_total,
)
from .survey import SurveyDesign as SurveyDesign  # the class survey_design returns
from .trends import trend_test

__all__ = ["InputError", "datasets", "ons", "phrase", "proportion", "rate"]
__all__ += ["change", "compare", "funnel", "funnel_limits", "test_change", "trend"]
__all__ += [
    "ExcludedRowsWarning",
    "gross_up",
    "share_ci",
    "survey_mean",
    "survey_share",
    "survey_total",
    "test_share_change",
]
__all__ += ["survey_categories", "survey_partials"]
__all__ += ["adjust_p", "expected_by_chance", "trend_test"]
__all__ += ["dsr", "flag_reliability", "isr", "smooth_rates", "test_weighted_change"]
__all__ += ["weighted_rate"]
__all__ += ["survey_design"]
__version__ = "0.1.0"
