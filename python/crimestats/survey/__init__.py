"""Shares, means and totals from survey microdata, with design-based uncertainty.

The estimates and standard errors are those of R's ``survey`` package (Lumley): Taylor
linearisation with strata, clustered and multistage samples and finite population corrections,
domains estimated on the full design as ``svyby`` does, single-PSU strata as
``options(survey.lonely.psu = )``, design effects as ``deff = TRUE`` and intervals as
``svyciprop`` with the design degrees of freedom. The Rust core does one pass over the rows.
"""

from ._coding import Columns
from .estimators import ExcludedRowsWarning, survey_mean, survey_share, survey_total

__all__ = [
    "Columns",
    "ExcludedRowsWarning",
    "survey_mean",
    "survey_share",
    "survey_total",
]
