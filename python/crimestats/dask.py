"""Survey estimates and rates over a dask DataFrame, for data bigger than one machine's memory.

Install with ``pip install 'crimestats[dask]'``; the rest of crimestats does not need dask.

The survey functions take the arguments of their in-memory namesakes and give the same frame
(to rounding in the last digits): a first pass collects the strata, PSUs, domains and levels of
y of every partition (:class:`crimestats.partials.SurveyCategories`) and the partitions'
lengths; a second pass reduces each partition to its partials in the Rust core, coded against
those categories, merges them in a tree of ``split_every`` at a time on the workers and
estimates once. A PSU may span partitions, and a partition may hold no rows of some domain or
stratum. Give ``categories`` (from :func:`survey_categories`, for the same y and keys) to skip
the first pass when estimating several times from the same data.

:func:`rate`, :func:`compare` and :func:`funnel` sum counts per group (area, period) across
partitions, combine populations (summed for parts of an area, taken once where a long table
repeats its area's population on every row) and run the in-memory function on the small result.

The work runs on dask's current scheduler: a ``dask.distributed.Client`` if one is active.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd

try:
    import dask
    import dask.dataframe as dd
except ImportError as missing:
    raise ImportError(
        "crimestats.dask needs dask, which is not installed: pip install 'crimestats[dask]' "
        "(or pip install 'dask[dataframe]')"
    ) from missing

from . import changes as _changes
from . import rates as _rates
from ._choices import LonelyPsu, Overdispersion, RateMethod, ShareInterval, Statistic
from ._core import InputError
from .partials import SurveyCategories, SurveyPartials
from .partials import survey_categories as _categories
from .partials import survey_partials as _partials
from .survey.coding import Columns, column_list

__all__ = [
    "compare",
    "funnel",
    "rate",
    "survey_categories",
    "survey_mean",
    "survey_partials",
    "survey_share",
    "survey_total",
]

_T = TypeVar("_T")


def _frame(data: Any) -> dd.DataFrame:
    if not isinstance(data, dd.DataFrame):
        raise InputError(f"data: must be a dask DataFrame, got {type(data).__name__}")
    return data


def _project(data: dd.DataFrame, **named: Any) -> dd.DataFrame:
    """The columns the estimate reads, by argument name (each a column, a list or None), checked
    to exist: a reader of column files then reads no other."""
    columns: list[str] = []
    for name, value in named.items():
        for column in column_list(name, value):
            if column not in data.columns:
                raise InputError(f"{name}: column {column!r} is not in data")
            if column not in columns:
                columns.append(column)
    return data[columns]


def _split_every(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 2:
        raise InputError(f"split_every: must be a whole number 2 or more, got {value!r}")
    return value


def _tree(items: list[_T], combine: Callable[..., _T], split_every: int) -> _T:
    """`combine` over `items` in a tree, `split_every` at a time (the items are delayed)."""
    while len(items) > 1:
        items = [
            dask.delayed(combine)(*items[i : i + split_every])
            for i in range(0, len(items), split_every)
        ]
    return items[0]


def _union(*categories: SurveyCategories) -> SurveyCategories:
    out = categories[0]
    for other in categories[1:]:
        out = out | other
    return out


def _merge(*partials: SurveyPartials) -> SurveyPartials:
    return partials[0].merge(*partials[1:])


def _first_pass(
    data: dd.DataFrame,
    y: str,
    strata: str | None,
    psu: Columns,
    by: Columns,
    split_every: int,
    categories: bool,
) -> tuple[SurveyCategories | None, list[int]]:
    """The categories of all the partitions (if asked) and each partition's length."""
    # The empty meta frame checks the columns and their types before any partition is read.
    _categories(data._meta, y, strata=strata, psu=psu, by=by)
    if not categories:
        # Only the lengths: one column is enough (a parquet reader reads no other).
        parts = data[[y]].to_delayed()
        return None, [int(n) for n in dask.compute(*(dask.delayed(len)(p) for p in parts))]
    parts = _project(data, y=y, strata=strata, psu=psu, by=by).to_delayed()
    lengths = [dask.delayed(len)(part) for part in parts]
    each = [dask.delayed(_categories)(part, y, strata=strata, psu=psu, by=by) for part in parts]
    found, *counted = dask.compute(_tree(each, _union, split_every), *lengths)
    return found, [int(n) for n in counted]


def survey_categories(
    data: dd.DataFrame,
    y: str,
    *,
    strata: str | None = None,
    psu: Columns = None,
    by: Columns = None,
    split_every: int = 8,
) -> SurveyCategories:
    """The strata, PSUs, domains and levels of y in every partition of `data` (one pass).

    Arguments as :func:`survey_share`. Pass the result as ``categories`` to estimate several
    times from the same data (other statistics, intervals or lonely-PSU rules) without this pass.
    """
    found, _ = _first_pass(
        _frame(data), y, strata, psu, by, _split_every(split_every), categories=True
    )
    assert found is not None
    return found


def survey_partials(
    data: dd.DataFrame,
    y: str,
    *,
    weight: str,
    strata: str | None = None,
    psu: Columns = None,
    fpc: Columns = None,
    by: Columns = None,
    categories: SurveyCategories | None = None,
    split_every: int = 8,
) -> SurveyPartials:
    """The partials of all the rows of `data`, merged: call ``.estimate(statistic, ...)``.

    Arguments as :func:`survey_share`. Each partition is reduced to its partials in the Rust
    core where it lies; the partials are merged ``split_every`` at a time on the workers, and
    only the merged partials (a few bytes per domain and PSU) come back.
    """
    data, split_every = _frame(data), _split_every(split_every)
    found, lengths = _first_pass(
        data, y, strata, psu, by, split_every, categories=categories is None
    )
    categories = categories if categories is not None else found
    offsets = [sum(lengths[:i]) for i in range(len(lengths))]
    each = [
        dask.delayed(_partials)(
            part,
            y,
            weight=weight,
            strata=strata,
            psu=psu,
            fpc=fpc,
            by=by,
            categories=categories,
            row_offset=offset,
        )
        for part, offset in zip(
            _project(data, y=y, weight=weight, strata=strata, psu=psu, fpc=fpc, by=by).to_delayed(),
            offsets,
            strict=True,
        )
    ]
    (merged,) = dask.compute(_tree(each, _merge, split_every))
    return merged


def estimate_frame(statistic: Statistic, data: Any, y: str, design: dict[str, Any]) -> pd.DataFrame:
    options = {k: design.pop(k) for k in ("conf", "ci", "deff", "lonely_psu") if k in design}
    return survey_partials(data, y, **design).estimate(statistic, **options)


def survey_share(
    data: dd.DataFrame,
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
    categories: SurveyCategories | None = None,
    split_every: int = 8,
) -> pd.DataFrame:
    """:func:`crimestats.survey_share` over a dask DataFrame: the same arguments, the same frame.

    ``categories`` (from :func:`survey_categories`) skips the first pass over the data;
    ``split_every`` is the fan-in of the tree that merges the partitions' partials.

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd
    >>> victims = pd.DataFrame({
    ...     "sex": ["F", "F", "M", "F", "M", "F", "F", "M"],
    ...     "weight": [1200.0, 900.0, 1100.0, 1000.0, 950.0, 1050.0, 1300.0, 800.0],
    ...     "stratum": [1, 1, 1, 1, 2, 2, 2, 2],
    ...     "psu": [1, 1, 2, 2, 3, 3, 4, 4],
    ... })
    >>> parts = dd.from_pandas(victims, npartitions=3)
    >>> s = survey_share(parts, "sex", weight="weight", strata="stratum", psu="psu")
    >>> s[["level", "share", "se", "df"]].round(4)
      level   share      se  df
    0     F  0.6566  0.1344   2
    1     M  0.3434  0.1344   2
    """
    return estimate_frame(
        "share",
        data,
        y,
        {
            "weight": weight,
            "strata": strata,
            "psu": psu,
            "fpc": fpc,
            "by": by,
            "conf": conf,
            "ci": ci,
            "deff": deff,
            "lonely_psu": lonely_psu,
            "categories": categories,
            "split_every": split_every,
        },
    )


def survey_mean(
    data: dd.DataFrame,
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
    categories: SurveyCategories | None = None,
    split_every: int = 8,
) -> pd.DataFrame:
    """:func:`crimestats.survey_mean` over a dask DataFrame; arguments as :func:`survey_share`."""
    return estimate_frame(
        "mean",
        data,
        y,
        {
            "weight": weight,
            "strata": strata,
            "psu": psu,
            "fpc": fpc,
            "by": by,
            "conf": conf,
            "deff": deff,
            "lonely_psu": lonely_psu,
            "categories": categories,
            "split_every": split_every,
        },
    )


def survey_total(
    data: dd.DataFrame,
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
    categories: SurveyCategories | None = None,
    split_every: int = 8,
) -> pd.DataFrame:
    """:func:`crimestats.survey_total` over a dask DataFrame; arguments as :func:`survey_share`.

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd
    >>> sample = pd.DataFrame({"victim": [1, 0, 1, 1, 0, 0], "w": [900.0, 1100.0, 1000.0,
    ...                        1200.0, 800.0, 1000.0], "h": [1, 1, 1, 2, 2, 2]})
    >>> t = survey_total(dd.from_pandas(sample, npartitions=2), "victim", weight="w", strata="h")
    >>> t[["total", "se"]].round(0)
        total      se
    0  3100.0  1533.0
    """
    return estimate_frame(
        "total",
        data,
        y,
        {
            "weight": weight,
            "strata": strata,
            "psu": psu,
            "fpc": fpc,
            "by": by,
            "conf": conf,
            "deff": deff,
            "lonely_psu": lonely_psu,
            "categories": categories,
            "split_every": split_every,
        },
    )


_POPULATIONS = ("auto", "sum", "repeated")


def _how_populations_combine(per_value: pd.Series, keys: list[str], populations: str) -> str:
    """ "sum" or "repeated", from the multiplicity of each population value in each group.

    A long table with a row per offence repeats its area's population on every row: each group
    holds one value many times ("repeated", taken once). Rows that are disjoint parts of an
    area (wards) hold different populations, the same value only by coincidence ("sum"). A
    group whose every value appears equally often, more than once (two wards, a row per offence
    each), or a table with groups of both kinds, could be either: refused unless said."""
    if populations != "auto":
        return populations
    stats = per_value.groupby(level=keys, observed=True).agg(["size", "min", "max", "sum"])
    constant = (stats["size"] == 1) & (stats["sum"] > 1)
    even = (stats["size"] > 1) & (stats["min"] == stats["max"]) & (stats["min"] > 1)
    parts = (stats["size"] > 1) & ~even
    doubtful = stats.index[even] if even.any() else stats.index[constant & bool(parts.any())]
    if len(doubtful) == 0:
        return "repeated" if constant.any() else "sum"
    group = doubtful[0]
    shown = ", ".join(map(str, group)) if isinstance(group, tuple) else str(group)
    values = per_value.xs(group, level=tuple(keys)) if len(keys) > 1 else per_value.loc[group]
    listing = ", ".join(f"{v:,.10g} on {n} rows" for v, n in values.items())
    raise InputError(
        f"population: the rows of {shown} give population {listing}, and it is not clear "
        "whether each row repeats its area's population or counts a part of it; say which: "
        "populations='repeated' takes each distinct population of a group once (a long table "
        "with a row per offence repeats its area's population), populations='sum' adds up "
        "the rows' populations (disjoint parts of an area, such as wards)"
    )


def _sums(
    data: Any, by: Columns, count: str, population: str, populations: str
) -> tuple[pd.DataFrame, str]:
    """Per group of `by`, the sum of the counts over every partition and the group's population
    (summed, or each distinct value once, as `populations` says or the data show; a group whose
    values are all missing gives NaN), sorted by group; and which way the populations went."""
    frame = _frame(data)
    keys = column_list("by", by)
    if not keys:
        raise InputError("by: give the column(s) that name an area (and period)")
    how = populations.lower() if isinstance(populations, str) else populations
    if how not in _POPULATIONS:
        raise InputError(
            f"populations: unknown value {populations!r}; choose one of "
            + ", ".join(map(repr, _POPULATIONS))
        )
    for name, column in [*(("by", k) for k in keys), ("count", count), ("population", population)]:
        if column not in frame.columns:
            raise InputError(f"{name}: column {column!r} is not in data")
    counts = frame.groupby(keys, sort=True, observed=True)[count].sum(min_count=1)
    per_value = frame.groupby([*keys, population], observed=True, dropna=True).size()
    counts, per_value = dask.compute(counts, per_value)
    how = _how_populations_combine(per_value, keys, how)
    level = per_value.index.get_level_values(population)
    whole = level.dtype.kind in "iu"  # whole populations in, whole populations out
    values = level.to_numpy(dtype=np.int64 if whole else np.float64)
    weights = per_value.to_numpy(dtype=values.dtype) if how == "sum" else 1
    people = (
        pd.Series(values * weights, index=per_value.index).groupby(level=keys, observed=True).sum()
    )
    if frame[count].dtype.kind in "iu" and counts.notna().all():
        counts = counts.astype(np.int64)  # dask's grouped sum with min_count floats whole counts
    sums = pd.DataFrame({count: counts})
    sums[population] = people.reindex(sums.index)
    return sums.sort_index(), how


def rate(
    data: dd.DataFrame,
    count: str,
    population: str,
    *,
    by: Columns,
    per: float = 1000,
    method: RateMethod = "phe",
    conf: float = 0.95,
    populations: str = "auto",
) -> pd.DataFrame:
    """:func:`crimestats.rate` per group of a dask DataFrame: counts summed, populations combined.

    Parameters
    ----------
    data
        Rows of counts and populations, e.g. per neighbourhood and month, in any partitions.
    count, population
        The columns to sum per group and take the rate of.
    by
        The group columns: an area, and a period if there is one.
    per, method, conf
        As for :func:`crimestats.rate`.
    populations
        How a group's rows make up its population. ``"repeated"``: each distinct population
        of a group counts once, for a long table whose rows (one per offence, say) repeat
        their area's population. ``"sum"``: the rows' populations add up, for rows that are
        disjoint parts of an area (wards). ``"auto"`` (the default) tells them apart by how
        often each value appears in each group, and refuses, saying how to choose, where the
        data could be either.

    Returns
    -------
    pandas.DataFrame
        The by-columns, then ``count, population, rate, lower, upper``, one row per group;
        ``attrs["populations"]`` says whether the populations were summed or taken once.

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd
    >>> wards = pd.DataFrame({"force": ["Bedfordshire"] * 2 + ["Kent"] * 2,
    ...                       "offences": [2600, 2508, 7000, 7530],
    ...                       "people": [370_000, 379_943, 900_000, 940_161]})
    >>> r = rate(dd.from_pandas(wards, npartitions=2), "offences", "people", by="force")
    >>> r[["force", "count", "rate"]].round(2)
              force  count  rate
    0  Bedfordshire   5108  6.81
    1          Kent  14530  7.90
    """
    sums, how = _sums(data, by, count, population, populations)
    out = _rates.rate(sums[count], sums[population], per=per, method=method, conf=conf)
    out = out.reset_index()
    out.attrs["populations"] = how
    return out


def compare(
    data: dd.DataFrame,
    count: str,
    population: str,
    benchmark: float,
    *,
    by: Columns,
    per: float = 1000,
    method: RateMethod = "phe",
    conf: float | Sequence[float] = 0.95,
    populations: str = "auto",
) -> pd.DataFrame:
    """:func:`crimestats.compare` per group of a dask DataFrame: counts summed, populations
    combined as :func:`rate` combines them (``populations``).

    Each group's rate against one `benchmark` rate per `per` people (the England and Wales rate,
    say). Returns the by-columns, then the columns of :func:`crimestats.compare`.

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd
    >>> wards = pd.DataFrame({"force": ["Bedfordshire"] * 2 + ["Kent"] * 2,
    ...                       "offences": [2600, 2508, 7000, 7530],
    ...                       "people": [370_000, 379_943, 900_000, 940_161]})
    >>> c = compare(dd.from_pandas(wards, npartitions=2), "offences", "people", 9.71, by="force")
    >>> c[["force", "rate", "comparison"]].round(2)
              force  rate comparison
    0  Bedfordshire  6.81      lower
    1          Kent  7.90      lower
    """
    sums, how = _sums(data, by, count, population, populations)
    out = _changes.compare(
        sums[count], sums[population], benchmark, per=per, method=method, conf=conf
    )
    out = out.reset_index()
    out.attrs["populations"] = how
    return out


def funnel(
    data: dd.DataFrame,
    count: str,
    population: str,
    *,
    by: Columns,
    target: float | None = None,
    per: float = 1000,
    conf: float | Sequence[float] = (0.95, 0.998),
    overdispersion: Overdispersion | None = None,
    populations: str = "auto",
) -> pd.DataFrame:
    """:func:`crimestats.funnel` per group of a dask DataFrame: counts summed, populations
    combined as :func:`rate` combines them (``populations``).

    By default the funnel is centred on the pooled rate of all the groups. Returns the
    by-columns, then the columns (and ``attrs``) of :func:`crimestats.funnel`.
    """
    sums, how = _sums(data, by, count, population, populations)
    out = _changes.funnel(
        sums[count],
        sums[population],
        target=target,
        per=per,
        conf=conf,
        overdispersion=overdispersion,
    )
    attrs = dict(out.attrs)
    out = out.reset_index()
    out.attrs = attrs
    out.attrs["populations"] = how
    return out
