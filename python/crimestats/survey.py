"""Shares, means and totals from survey microdata, with design-based uncertainty.

The estimates and standard errors are those of R's ``survey`` package (Lumley): Taylor
linearisation with strata, clustered and multistage samples and finite population corrections,
domains estimated on the full design as ``svyby`` does, single-PSU strata as
``options(survey.lonely.psu = )``, design effects as ``deff = TRUE`` and intervals as
``svyciprop`` with the design degrees of freedom. The Rust core does one pass over the rows.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import _core, _inputs
from ._core import InputError

Columns: TypeAlias = "str | Sequence[str] | None"

_NO_CODE = np.uint32(0xFFFF_FFFF)


class ExcludedRowsWarning(UserWarning):
    """Rows with a missing y or weight were left out of a survey estimate.

    The result's ``attrs["excluded_rows"]`` holds the count. The rows stay in the design (their
    PSUs still count in their strata), as R ``survey`` does with ``na.rm = TRUE``.
    """


def _column_list(name: str, value: Columns) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return list(value)
    raise InputError(f"{name}: give a column name or a list of column names, got {value!r}")


def _column(data: pd.DataFrame, name: str, column: Any) -> pd.Series:
    return _inputs.column(data, name, column)


def _numeric(data: pd.DataFrame, name: str, column: str) -> np.ndarray:
    return _inputs.numeric_column(data, name, column)


def _factorize_one(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """pandas.factorize(sort=True), with a shortcut for integers in a compact range (PSU and
    stratum numbers), whose codes are the offsets from the smallest value."""
    # Only numpy's own integers: a nullable Int64 or Arrow column may hold <NA>, which
    # pandas.factorize codes as missing. The offsets are taken in the column's own dtype, so
    # uint64 ids from 2^63 do not overflow.
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iu" and len(column):
        values = column.to_numpy()
        low, high = values.min(), values.max()
        if int(high) - int(low) <= 4 * len(values):
            dtype = np.int32 if int(high) - int(low) < 2**31 else np.int64
            span = np.arange(int(high) - int(low) + 1, dtype=values.dtype) + low
            return (values - low).astype(dtype), pd.Index(span)
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), pd.Index(column.cat.categories)
    text = _factorize_text(column)
    if text is not None:
        return text
    codes, uniques = pd.factorize(column, sort=True)
    return codes, pd.Index(uniques)


def _factorize_text(column: pd.Series) -> tuple[np.ndarray, pd.Index] | None:
    """Sorted codes for a text column held by Arrow (pandas' default ``str``), hashed by the
    core from Arrow's buffers without a copy, several times faster than pandas.factorize; None
    for any other column."""
    dtype = column.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return None
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pandas needs pyarrow for this dtype
        return None
    array = pa.array(column)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_large_string(array.type):
        width: type[np.integer] = np.int64
    elif pa.types.is_string(array.type):
        width = np.int32
    else:
        return None
    validity, offsets, data = array.buffers()
    start = array.offset
    offsets_array = np.frombuffer(offsets, dtype=width)[start : start + len(array) + 1]
    codes, first_rows = _core.survey_factorize_text(
        np.ascontiguousarray(offsets_array, dtype=np.int64),
        np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8),
        np.frombuffer(validity, dtype=np.uint8) if validity is not None else None,
        start,
    )
    # Codes in sorted order of the labels; NO_CODE (missing) read as a signed int32 is -1.
    labels = column.iloc[first_rows.astype(np.intp)].to_numpy(dtype=object)
    return codes.view(np.int32), pd.Index(labels)


def _factorize_grouped(columns: list[pd.Series]) -> tuple[np.ndarray, list[pd.Index]]:
    """As :func:`_factorize` by grouping, for combinations too many to number in 62 bits."""
    grouped = pd.DataFrame(dict(enumerate(columns))).groupby(list(range(len(columns))))
    codes = grouped.ngroup().fillna(-1).to_numpy(dtype=np.int64)
    first = pd.Series(np.arange(len(codes))).groupby(codes).first()
    rows = first[first.index >= 0].to_numpy()
    return codes, [pd.Index(column.to_numpy()[rows]) for column in columns]


def _factorize(columns: list[pd.Series]) -> tuple[np.ndarray, list[pd.Index]]:
    """Codes 0..k-1 for the distinct combinations of `columns` that occur, in sorted order (-1
    where any value is missing), and each combination's labels, one Index per column.

    Each column is factorised on its own and the codes combined in mixed radix, several times
    faster than grouping on the columns together.
    """
    factors = [_factorize_one(column) for column in columns]
    sizes = [max(len(uniques), 1) for _, uniques in factors]
    space = math.prod(sizes)
    if space >= 2**62:
        return _factorize_grouped(columns)
    dtype = np.int32 if space < 2**31 else np.int64
    combined: npt.NDArray[np.signedinteger[Any]] = factors[0][0].astype(dtype, copy=True)
    missing: np.ndarray | None = None
    for (codes, _), size in zip(factors, sizes, strict=True):
        if len(codes) and codes.min() < 0:
            missing = codes < 0 if missing is None else missing | (codes < 0)
        if codes is not factors[0][0]:
            np.multiply(combined, size, out=combined)
            np.add(combined, codes, out=combined, casting="unsafe")
    if missing is not None:
        combined[missing] = -1
    if space <= max(4 * len(combined), 1 << 20):
        present = (
            np.bincount(
                combined[combined >= 0] if missing is not None else combined, minlength=space
            )
            > 0
        )
        keys = np.flatnonzero(present)
        if len(keys) == space:
            out = combined
        else:
            # A lookup from combination to rank among those present; its last slot is -1, for
            # the rows that index it with -1.
            lookup = np.empty(space + 1, dtype=dtype)
            lookup[:space] = np.cumsum(present) - 1
            lookup[space] = -1
            out = lookup[combined]
    else:
        keys, inverse = np.unique(combined[combined >= 0], return_inverse=True)
        out = np.full(len(combined), -1, dtype=np.int64)
        out[combined >= 0] = inverse
    labels: list[pd.Index] = []
    remainder = keys
    for (_, uniques), size in zip(reversed(factors), reversed(sizes), strict=True):
        labels.append(pd.Index(uniques).take(remainder % size))
        remainder = remainder // size
    return out, labels[::-1]


def _codes(data: pd.DataFrame, name: str, columns: list[str]) -> tuple[np.ndarray, int]:
    """Codes 0..k for the combinations of `columns`; a missing label is an InputError."""
    codes, labels = _factorize([_column(data, name, c) for c in columns])
    if (codes < 0).any():
        position = int(np.argmax(codes < 0))
        raise InputError(f"{name}: position {position} is missing; every row needs a {name}")
    return np.ascontiguousarray(codes, dtype=np.uint32), len(labels[0])


def _design(
    data: pd.DataFrame, weight: str, strata: str | None, psu: Columns, fpc: Columns
) -> dict[str, Any]:
    n = len(data)
    psus = _column_list("psu", psu)
    fpcs = _column_list("fpc", fpc)
    stages = max(len(psus), 1)
    if len(fpcs) > stages:
        raise InputError(
            f"fpc: {len(fpcs)} columns for {stages} stage(s) of sampling; give one fpc per stage"
        )
    if strata is not None:
        strata_codes, n_strata = _codes(data, "strata", [strata])
    else:
        strata_codes, n_strata = None, 1
    units: list[np.ndarray] = []
    n_units: list[int] = []
    if psus:
        # A stage-k unit is the combination of the ids of stages 1..k (R's `interaction`), so a
        # second-stage label may repeat across first-stage units.
        for k in range(len(psus)):
            codes, count = _codes(data, "psu", psus[: k + 1])
            units.append(codes)
            n_units.append(count)
    else:
        units.append(np.arange(n, dtype=np.uint32))
        n_units.append(n)
    fpc_arrays: list[np.ndarray | None] = [_numeric(data, "fpc", f) for f in fpcs]
    fpc_arrays += [None] * (stages - len(fpc_arrays))
    return {
        "weight": _numeric(data, "weight", weight),
        "strata": strata_codes,
        "n_strata": n_strata,
        "units": units,
        "n_units": n_units,
        "fpc": fpc_arrays,
    }


def _domains(data: pd.DataFrame, by: Columns) -> tuple[np.ndarray | None, int, pd.DataFrame]:
    """Domain codes (NO_CODE where a by-value is missing), their count and their labels."""
    columns = _column_list("by", by)
    if not columns:
        return None, 1, pd.DataFrame(index=pd.RangeIndex(1))
    codes, labels = _factorize([_column(data, "by", c) for c in columns])
    frame = pd.DataFrame(
        {c: pd.Series(label, dtype=data[c].dtype) for c, label in zip(columns, labels, strict=True)}
    )
    out = np.where(codes < 0, _NO_CODE, codes).astype(np.uint32)
    return np.ascontiguousarray(out), len(frame), frame


def _outcome(
    data: pd.DataFrame, y: str, statistic: str
) -> tuple[np.ndarray | None, np.ndarray | None, list[Any] | None, np.ndarray]:
    """(numeric y, level codes, level labels, missing mask) for `y`."""
    series = _column(data, "y", y)
    missing = series.isna().to_numpy()
    categorical = isinstance(series.dtype, pd.CategoricalDtype) or not (
        pd.api.types.is_numeric_dtype(series.dtype) or series.dtype == bool
    )
    if statistic == "share" and categorical:
        if isinstance(series.dtype, pd.CategoricalDtype):
            codes = series.cat.codes.to_numpy()
            labels = list(series.cat.categories)
        else:
            codes, uniques = pd.factorize(series, sort=True)
            labels = list(uniques)
        level_codes = np.where(codes < 0, _NO_CODE, codes).astype(np.uint32)
        return None, np.ascontiguousarray(level_codes), labels, missing
    if categorical:
        raise InputError(f"y: column {y!r} is not numeric; use survey_share for a categorical y")
    values = _numeric(data, "y", y)
    if statistic == "share":
        seen = values[~np.isnan(values)]
        bad = ~np.isin(seen, (0.0, 1.0))
        if bad.any():
            position = int(np.flatnonzero(~np.isnan(values))[np.argmax(bad)])
            raise InputError(
                f"y: position {position} is {values[position]:g}; a share needs a y that is "
                "binary (0/1, True/False) or categorical (strings or a pandas Categorical); "
                "use survey_mean for a numeric y"
            )
    return values, None, None, missing


def _estimate(
    statistic: str,
    data: pd.DataFrame,
    y: str,
    *,
    weight: str,
    strata: str | None,
    psu: Columns,
    fpc: Columns,
    by: Columns,
    conf: float,
    ci: str,
    deff: bool,
    lonely_psu: str,
) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"data: must be a pandas DataFrame, got {type(data).__name__}")
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
    statistic: str,
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
    ci: str = "logit",
    deff: bool = True,
    lonely_psu: str = "fail",
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
    lonely_psu: str = "fail",
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
    lonely_psu: str = "fail",
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
