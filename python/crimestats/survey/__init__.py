"""Shares, means and totals from survey microdata, with design-based uncertainty.

The estimates and standard errors are those of R's ``survey`` package (Lumley): Taylor
linearisation with strata, clustered and multistage samples and finite population corrections,
domains estimated on the full design as ``svyby`` does, single-PSU strata as
``options(survey.lonely.psu = )``, design effects as ``deff = TRUE`` and intervals as
``svyciprop`` with the design degrees of freedom. The Rust core does one pass over the rows.
"""

from .coding import Columns
from .design import SurveyDesign, survey_design
from .estimators import survey_mean, survey_share, survey_total
from .frames import ExcludedRowsWarning

__all__ = [
    "Columns",
    "ExcludedRowsWarning",
    "SurveyDesign",
    "survey_design",
    "survey_mean",
    "survey_share",
    "survey_total",
]
