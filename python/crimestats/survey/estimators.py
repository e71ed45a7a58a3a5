"""Shares, means and totals per domain from survey microdata: the estimate through the core and
the tidy result frame."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from .. import _core, _inputs
from .._choices import LonelyPsu, ShareInterval, Statistic
from .._core import InputError
from ._coding import Columns, _design, _domains, _outcome


class ExcludedRowsWarning(UserWarning):
    """Rows with a missing y or weight were left out of a survey estimate.

    The result's ``attrs["excluded_rows"]`` holds the count. The rows stay in the design (their
    PSUs still count in their strata), as R ``survey`` does with ``na.rm = TRUE``.
    """


def _estimate(
    statistic: Statistic,
    data: pd.DataFrame,
    y: str,
    *,
    weight: str,
    strata: str | None,
    psu: Columns,
    fpc: Columns,
    by: Columns,
    conf: float,
    ci: ShareInterval,
    deff: bool,
    lonely_psu: LonelyPsu,
) -> pd.DataFrame:
    data = _inputs.as_pandas("data", data)
    if len(data) == 0:
        raise InputError("data: has no rows")
    if not isinstance(deff, bool | np.bool_):  # deff="no" would otherwise be truthy
        raise InputError(f"deff: must be True or False, got {deff!r}")
    design = _design(data, weight, strata, psu, fpc)
    values, levels, labels, missing = _outcome(data, y, statistic)
    domain, n_domains, domain_labels = _domains(data, by)
    estimate, se, lower, upper, design_effect, n, weighted_n, df = _core.survey_estimate(
        design["weight"],
        design["strata"],
        design["n_strata"],
        design["units"],
        design["n_units"],
        design["fpc"],
        values,
        levels,
        len(labels) if labels is not None else 0,
        domain,
        n_domains,
        statistic,
        _inputs.choice("ci", ci),
        _inputs.number("conf", conf),
        _inputs.choice("lonely_psu", lonely_psu),
    )
    excluded = int((missing | np.isnan(design["weight"])).sum())
    return _result(
        statistic,
        (estimate, se, lower, upper, design_effect, n, weighted_n, df),
        domain_labels,
        labels,
        deff=deff,
        excluded=excluded,
        y=y,
        stacklevel=4,
    )


def _result(
    statistic: Statistic,
    columns: tuple[np.ndarray, ...],
    domain_labels: pd.DataFrame,
    labels: list[Any] | None,
    *,
    deff: bool,
    excluded: int,
    y: str,
    stacklevel: int,
) -> pd.DataFrame:
    """The result frame from the core's columns: one row per domain and level of y."""
    estimate, se, lower, upper, design_effect, n, weighted_n, df = columns
    n_columns = len(labels) if labels is not None else 1
    out = domain_labels.loc[np.repeat(np.arange(len(domain_labels)), n_columns)].reset_index(
        drop=True
    )
    if labels is not None:
        out["level"] = labels * len(domain_labels)
    out[statistic] = estimate
    out["se"] = se
    out["lower"] = lower
    out["upper"] = upper
    if deff:
        out["deff"] = design_effect
    out["n"] = np.repeat(n, n_columns).astype(np.int64)
    out["weighted_n"] = np.repeat(weighted_n, n_columns)
    out["df"] = np.repeat(df, n_columns).astype(np.int64)
    out.attrs["excluded_rows"] = excluded
    if excluded:
        warnings.warn(
            f"{excluded} row(s) with a missing {y} or weight left out of the estimate "
            "(kept in the design); see the result's attrs['excluded_rows']",
            ExcludedRowsWarning,
            stacklevel=stacklevel,
        )
    return out


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
    return _estimate(
        "share",
        data,
        y,
        weight=weight,
        strata=strata,
        psu=psu,
        fpc=fpc,
        by=by,
        conf=conf,
        ci=ci,
        deff=deff,
        lonely_psu=lonely_psu,
    )


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
    return _estimate(
        "mean",
        data,
        y,
        weight=weight,
        strata=strata,
        psu=psu,
        fpc=fpc,
        by=by,
        conf=conf,
        ci="mean",
        deff=deff,
        lonely_psu=lonely_psu,
    )


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
    return _estimate(
        "total",
        data,
        y,
        weight=weight,
        strata=strata,
        psu=psu,
        fpc=fpc,
        by=by,
        conf=conf,
        ci="mean",
        deff=deff,
        lonely_psu=lonely_psu,
    )
