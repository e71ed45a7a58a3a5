"""Shares, means and totals per domain from survey microdata: one-line shorthands of
:func:`crimestats.survey_design` and its estimators."""

from __future__ import annotations

import pandas as pd

from .._choices import LonelyPsu, ShareInterval
from .coding import Columns
from .design import survey_design


def survey_share(
    data: pd.DataFrame,
    y: str,
    *,
    weight: str,
    strata: str | None = None,
    psu: Columns = None,
    fpc: Columns = None,
    by: Columns = None,
    conf: float = 0.95,
    ci: ShareInterval = "logit",
    deff: bool = True,
    lonely_psu: LonelyPsu = "fail",
) -> pd.DataFrame:
    """Shares from survey microdata, per domain, with design-based intervals.

    Parameters
    ----------
    data
        One row per respondent.
    y
        The column whose share is estimated: 0/1 or True/False (the share of 1s), or categorical
        (strings or a pandas Categorical: one row per level, the levels' shares summing to 1).
    weight
        The sampling weight column (zero or more).
    strata
        The stratum column, if the sample is stratified.
    psu
        The primary sampling unit column; a list of columns, one per stage, for a multistage
        sample (stage k's unit is the combination of the columns of stages 1..k). None: each row
        is its own PSU. A PSU must lie within one stratum.
    fpc
        Finite population correction: a column (or one per stage) of population counts (> 1) or
        sampling fractions (<= 1), constant within a stratum (within a unit of the stage above for
        later stages). Variance from later stages is added below stages with an fpc, as R does.
    by
        A column or list of columns defining domains (R ``svyby``); each domain is estimated on the
        full design. Rows with a missing by-value belong to no domain.
    conf
        Two-sided confidence level.
    ci
        ``"logit"`` (R ``svyciprop`` default), ``"beta"`` (Korn-Graubard), ``"xlogit"``,
        ``"wilson"`` (Wilson on Korn-Graubard's effective sample size with the t quantile, as
        svy's ``wilson``) or ``"mean"`` (Wald, clipped to [0, 1]); each with the domain's design
        degrees of freedom.
    deff
        Include the design effect column (R ``deff = TRUE``).
    lonely_psu
        Strata with a single PSU: ``"fail"`` (an error), ``"remove"``, ``"certainty"``,
        ``"adjust"`` or ``"average"``, as R's ``survey.lonely.psu``.

    Returns
    -------
    pandas.DataFrame
        The by-columns, ``level`` (for a categorical y), ``share, se, lower, upper, deff, n,
        weighted_n, df``: ``n`` the rows with a valid y and weight in the domain, ``weighted_n``
        the sum of their weights, ``df`` the design degrees of freedom (PSUs minus strata among
        the domain's rows, R ``degf``).

        Rows with a missing y or weight are left out of the estimates but stay in the design, as
        R's ``na.rm = TRUE``; their count is in ``attrs["excluded_rows"]``, and an
        :class:`ExcludedRowsWarning` says so when it is not zero.

    Raises
    ------
    InputError
        Negative weights, a PSU in two strata, a stratum with one PSU under
        ``lonely_psu="fail"``, a column that does not exist, a y that is neither binary nor
        categorical, an fpc that varies within a stratum.

    Examples
    --------
    The share of women among victims, from a small stratified, clustered sample:

    >>> import pandas as pd
    >>> victims = pd.DataFrame({
    ...     "sex": ["F", "F", "M", "F", "M", "F", "F", "M"],
    ...     "weight": [1200.0, 900.0, 1100.0, 1000.0, 950.0, 1050.0, 1300.0, 800.0],
    ...     "stratum": [1, 1, 1, 1, 2, 2, 2, 2],
    ...     "psu": [1, 1, 2, 2, 3, 3, 4, 4],
    ... })
    >>> s = survey_share(victims, "sex", weight="weight", strata="stratum", psu="psu")
    >>> s[["level", "share", "se", "df"]].round(4)
      level   share      se  df
    0     F  0.6566  0.1344   2
    1     M  0.3434  0.1344   2

    R gives the same: ``svymean(~sex, svydesign(id=~psu, strata=~stratum, weights=~weight,
    data=victims))``.
    """
    return survey_design(
        data, weight=weight, strata=strata, psu=psu, fpc=fpc, lonely_psu=lonely_psu
    )._domain_estimate("share", y, by=by, conf=conf, ci=ci, deff=deff)


def survey_mean(
    data: pd.DataFrame,
    y: str,
    *,
    weight: str,
    strata: str | None = None,
    psu: Columns = None,
    fpc: Columns = None,
    by: Columns = None,
    conf: float = 0.95,
    deff: bool = True,
    lonely_psu: LonelyPsu = "fail",
) -> pd.DataFrame:
    """Means of a numeric y from survey microdata, per domain (R ``svyby(~y, ~by, svymean)``).

    Arguments as :func:`survey_share`; the interval is ``mean +/- t se`` with the t quantile of
    the domain's design degrees of freedom. Returns the by-columns and ``mean, se, lower, upper,
    deff, n, weighted_n, df``.

    Examples
    --------
    R's ``svymean(~api00, svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat))``
    gives 662.29 with a standard error of 9.41; with a toy sample:

    >>> import pandas as pd
    >>> sample = pd.DataFrame({"y": [3.0, 5.0, 4.0, 8.0], "w": [10.0, 10.0, 20.0, 20.0],
    ...                        "h": [1, 1, 2, 2]})
    >>> survey_mean(sample, "y", weight="w", strata="h")[["mean", "se"]].round(3)
        mean     se
    0  5.333  1.374
    """
    return survey_design(
        data, weight=weight, strata=strata, psu=psu, fpc=fpc, lonely_psu=lonely_psu
    )._domain_estimate("mean", y, by=by, conf=conf, ci="mean", deff=deff)


def survey_total(
    data: pd.DataFrame,
    y: str,
    *,
    weight: str,
    strata: str | None = None,
    psu: Columns = None,
    fpc: Columns = None,
    by: Columns = None,
    conf: float = 0.95,
    deff: bool = True,
    lonely_psu: LonelyPsu = "fail",
) -> pd.DataFrame:
    """Weighted totals of y from survey microdata, per domain (R ``svyby(~y, ~by, svytotal)``).

    The "1.4 million estimated victims": the total of a 0/1 victim flag. Arguments as
    :func:`survey_share`; the interval is ``total +/- t se`` with the domain's design degrees of
    freedom. Returns the by-columns and ``total, se, lower, upper, deff, n, weighted_n, df``.

    Examples
    --------
    >>> import pandas as pd
    >>> sample = pd.DataFrame({"victim": [1, 0, 1, 1, 0, 0], "w": [900.0, 1100.0, 1000.0,
    ...                        1200.0, 800.0, 1000.0], "h": [1, 1, 1, 2, 2, 2]})
    >>> survey_total(sample, "victim", weight="w", strata="h")[["total", "se"]].round(0)
        total      se
    0  3100.0  1533.0
    """
    return survey_design(
        data, weight=weight, strata=strata, psu=psu, fpc=fpc, lonely_psu=lonely_psu
    )._domain_estimate("total", y, by=by, conf=conf, ci="mean", deff=deff)
