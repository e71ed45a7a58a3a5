"""Changes over time, and how an area compares with the national picture.

``change`` is the arithmetic a report prints, ``test_change`` says whether a change is more than
chance, ``compare`` sets an area's rate against a benchmark, ``funnel`` sets every area against
the pooled rate at once, and ``trend`` does all of it along a multi-year series.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import _core, _inputs
from ._core import InputError
from ._inputs import ArrayLike, FloatArray
from .rates import rate


def level_name(conf: float) -> str:
    """The suffix naming a confidence level's columns: 0.95 -> "95", 0.998 -> "99_8"."""
    return f"{conf * 100:.10g}".replace(".", "_")


def _levels(conf: Any) -> tuple[list[float], bool]:
    """`conf` as a list of levels, and whether a single level (not a sequence) was given."""
    if isinstance(conf, Sequence) and not isinstance(conf, str):
        levels = [_inputs.number("conf", c) for c in conf]
        if not levels:
            raise InputError("conf: give at least one confidence level, e.g. (0.95, 0.998)")
        names = [level_name(c) for c in levels]
        if len(set(names)) != len(names):
            raise InputError(f"conf: levels {levels} repeat one another")
        return levels, False
    return [_inputs.number("conf", conf)], True


def _boolean(values: FloatArray) -> pd.arrays.BooleanArray:
    """1 / 0 / NaN from the core as a nullable boolean column (NaN becomes <NA>)."""
    return pd.arrays.BooleanArray(values == 1.0, np.isnan(values))


def change(current: ArrayLike, previous: ArrayLike, *, min_base: float = 50) -> pd.DataFrame:
    """The change in a count from one period to the next, as ONS tables print it.

    Parameters
    ----------
    current, previous
        The counts in the later and the earlier period (zero or more; NaN for unknown).
    min_base
        The smallest previous count a percentage change is shown for: ONS prints '-' for a
        base under 50, and so ``percent_change`` is NaN and ``suppressed`` True there.

    Returns
    -------
    pandas.DataFrame
        Columns ``current, previous, change, percent_change, suppressed``; ``suppressed`` is a
        nullable boolean (<NA> where the previous count is unknown).

    Examples
    --------
    Bedfordshire's stalking and harassment offences, up 3 per cent from 4,949:

    >>> c = change(5108, 4949)
    >>> int(c.loc[0, "change"]), round(float(c.loc[0, "percent_change"]), 1)
    (159, 3.2)
    """
    index, inputs = _inputs.broadcast(current=current, previous=previous)
    c, p = inputs
    delta, percent, suppressed = _core.count_change(c, p, _inputs.number("min_base", min_base))
    whole_c, whole_p = inputs.integers(c), inputs.integers(p)
    if (
        whole_c is not None
        and whole_p is not None
        and whole_c.dtype.kind == whole_p.dtype.kind == "i"
    ):
        delta = np.subtract(whole_c, whole_p, dtype=np.int64)  # counts in, a count out
    out = _inputs.frame(
        index, {"current": c, "previous": p, "change": delta, "percent_change": percent}, inputs
    )
    out["suppressed"] = _boolean(suppressed)
    return out


def test_change(
    current: ArrayLike,
    previous: ArrayLike,
    *,
    exposure_current: ArrayLike = 1,
    exposure_previous: ArrayLike = 1,
    method: str = "exact",
    conf: float = 0.95,
) -> pd.DataFrame:
    """Whether the rate changed: the ratio of two Poisson rates, its interval and p-value.

    Parameters
    ----------
    current, previous
        The counts in the later and the earlier period (whole numbers for ``exact`` and
        ``midp``).
    exposure_current, exposure_previous
        What each count is over (the population, or 1 to compare counts); greater than zero.
        With populations the test answers "did the rate per head change".
    method
        ``"exact"``: the conditional binomial test and Clopper-Pearson-based interval of R
        ``poisson.test(c(current, previous), c(exposure_current, exposure_previous))``.
        ``"midp"``, ``"score"``, ``"wald"``: the p-values of statsmodels
        ``test_poisson_2indep`` (``cond-midp``, ``score``, ``wald``); intervals are the mid-p
        binomial interval, the inverted score test (statsmodels ``confint_poisson_2indep``
        ``score``) and the log-ratio Wald interval (``wald-log``).
    conf
        Two-sided confidence level; ``significant`` is ``p_value < 1 - conf``.

    Returns
    -------
    pandas.DataFrame
        Columns ``ratio, lower, upper, p_value, significant``. With no events in either
        period the ratio is NaN, the interval [0, inf) and the p-value 1.

    Examples
    --------
    Up 3 per cent from 4,949 to 5,108 is not more than chance:

    >>> t = test_change(5108, 4949)
    >>> round(float(t.loc[0, "p_value"]), 3), bool(t.loc[0, "significant"])
    (0.115, False)
    """
    index, (x1, x0, t1, t0) = _inputs.broadcast(
        current=current,
        previous=previous,
        exposure_current=exposure_current,
        exposure_previous=exposure_previous,
    )
    ratio, lower, upper, p_value, significant = _core.rate_ratio_test(
        x1, x0, t1, t0, _inputs.choice("method", method), _inputs.number("conf", conf)
    )
    out = _inputs.frame(index, {"ratio": ratio, "lower": lower, "upper": upper, "p_value": p_value})
    out["significant"] = _boolean(significant)
    return out


# A statistical test, not a pytest one: stops pytest collecting it from `from crimestats import *`.
test_change.__test__ = False  # type: ignore[attr-defined]

_COMPARISON = pd.CategoricalDtype(["lower", "similar", "higher"], ordered=True)


def _comparison(codes: FloatArray) -> pd.Categorical:
    """-1 / 0 / 1 / NaN from the core as "lower" / "similar" / "higher" / NaN."""
    safe = np.where(np.isnan(codes), -1, codes + 1).astype(np.int64)
    return pd.Categorical.from_codes(safe, dtype=_COMPARISON)


def compare(
    count: ArrayLike,
    population: ArrayLike,
    benchmark: ArrayLike,
    *,
    per: float = 1000,
    method: str = "phe",
    conf: float | Sequence[float] = 0.95,
) -> pd.DataFrame:
    """An area's rate against a benchmark rate (the PHE Fingertips rule).

    The rate is "lower" when its whole confidence interval lies below the benchmark, "higher"
    when it lies above, and "similar" otherwise.

    Parameters
    ----------
    count, population
        As for :func:`crimestats.rate`.
    benchmark
        The rate to compare with, per ``per`` people (the England and Wales rate, say).
    per, method
        As for :func:`crimestats.rate`.
    conf
        A confidence level, or several, e.g. ``(0.95, 0.998)``: each level then gets its own
        ``lower_95``, ``upper_95``, ``comparison_95``, ``lower_99_8``, ... columns.

    Returns
    -------
    pandas.DataFrame
        Columns ``rate, lower, upper, benchmark, comparison`` for one level, or ``rate``, each
        level's ``lower_*`` and ``upper_*``, ``benchmark``, then each level's ``comparison_*``.
        ``comparison`` is an ordered categorical.

    Examples
    --------
    Bedfordshire, around seven per 1,000, against England and Wales's 9.7 per 1,000:

    >>> c = compare(5108, 749_943, 599_908 / 61_806_682 * 1000)
    >>> round(float(c.loc[0, "rate"]), 2), c.loc[0, "comparison"]
    (6.81, 'lower')
    """
    index, inputs = _inputs.broadcast(count=count, population=population, benchmark=benchmark)
    c, p, b = inputs
    levels, single = _levels(conf)
    per_value, method_name = _inputs.number("per", per), _inputs.choice("method", method)
    bounds: dict[str, FloatArray] = {}
    comparisons: dict[str, pd.Categorical] = {}
    rates = np.array([])
    for level in levels:
        rates, lower, upper, codes = _core.rate_comparison(c, p, b, per_value, method_name, level)
        suffix = "" if single else "_" + level_name(level)
        bounds["lower" + suffix] = lower
        bounds["upper" + suffix] = upper
        comparisons["comparison" + suffix] = _comparison(codes)
    out = _inputs.frame(index, {"rate": rates, **bounds, "benchmark": b}, inputs)
    for name, column in comparisons.items():
        out[name] = column
    return out


def _flag_dtype(levels: list[float]) -> pd.CategoricalDtype:
    widest_first = sorted(levels, reverse=True)
    below = [f"below_{level_name(level)}" for level in widest_first]
    above = [f"above_{level_name(level)}" for level in reversed(widest_first)]
    return pd.CategoricalDtype([*below, "within", *above], ordered=True)


def _flags(codes: FloatArray, levels: list[float]) -> pd.Categorical:
    """The core's signed level codes (+k above the k-th level's limits) as labels."""
    dtype = _flag_dtype(levels)
    labels = np.full(codes.shape, None, dtype=object)
    labels[codes == 0] = "within"
    for k, level in enumerate(levels, start=1):
        labels[codes == k] = f"above_{level_name(level)}"
        labels[codes == -k] = f"below_{level_name(level)}"
    return pd.Categorical(labels, dtype=dtype)


def funnel(
    count: ArrayLike,
    population: ArrayLike,
    *,
    target: float | None = None,
    per: float = 1000,
    conf: float | Sequence[float] = (0.95, 0.998),
    overdispersion: str | None = None,
) -> pd.DataFrame:
    """Funnel-plot control limits around a target rate, with each area's z-score and flag.

    Parameters
    ----------
    count, population
        Each area's count and population (population greater than zero).
    target
        The rate per ``per`` people the funnel is centred on; by default the pooled rate
        sum(count) / sum(population).
    per
        The rate's base.
    conf
        The control limits' levels: 95 and 99.8 per cent (about 2 and 3 standard deviations).
    overdispersion
        ``None``: exact Poisson limits at each area's expected count, as FunnelPlotR draws them.
        ``"winsorised"``: Spiegelhalter (2005), as FunnelPlotR's square-root method: z-scores
        winsorised at 10 per cent in each tail give phi and a DerSimonian-Laird tau^2 that
        widens the limits (Poisson limits stand where no overdispersion is found).

    Returns
    -------
    pandas.DataFrame
        Columns ``rate, z``, each level's ``lower_*`` and ``upper_*`` (``lower_95, upper_95,
        lower_99_8, upper_99_8`` by default), and ``flag``: an ordered categorical naming the
        widest limits the rate lies outside (``below_99_8`` ... ``within`` ... ``above_99_8``).
        ``attrs`` holds ``target``, ``per``, ``phi`` and ``tau2`` for :func:`funnel_limits`.
        ``z`` is 2 (sqrt(O) - sqrt(E)) for O events against E expected, divided by
        sqrt(1 + 4 E tau^2) under the overdispersion adjustment.

    Examples
    --------
    >>> f = funnel([5108, 14530, 599_908], [749_943, 1_840_161, 61_806_682], target=9.71)
    >>> list(f["flag"])
    ['below_99_8', 'below_99_8', 'within']
    """
    index, (c, p) = _inputs.broadcast(count=count, population=population)
    levels, _ = _levels(conf)
    target_value = None if target is None else _inputs.number("target", target)
    method = None if overdispersion is None else _inputs.choice("overdispersion", overdispersion)
    per_value = _inputs.number("per", per)
    fitted, phi, tau2, (rates, z, flag), lowers, uppers = _core.funnel_plot(
        c, p, target_value, per_value, levels, method
    )
    columns: dict[str, FloatArray] = {"rate": rates, "z": z}
    for level, lower, upper in zip(levels, lowers, uppers, strict=True):
        columns[f"lower_{level_name(level)}"] = lower
        columns[f"upper_{level_name(level)}"] = upper
    out = _inputs.frame(index, columns)
    out["flag"] = _flags(flag, levels)
    out.attrs.update(target=fitted, per=per_value, phi=phi, tau2=tau2)
    return out


def funnel_limits(
    population: ArrayLike,
    target: float,
    *,
    per: float = 1000,
    conf: float | Sequence[float] = (0.95, 0.998),
    tau2: float = 0.0,
) -> pd.DataFrame:
    """Funnel limits over a grid of populations, for drawing the funnel's curves.

    Parameters
    ----------
    population
        The populations to evaluate the limits at (e.g. ``numpy.geomspace(1e4, 2e6, 200)``).
    target, per, conf
        As for :func:`funnel`; ``funnel(...).attrs["target"]`` gives the pooled rate.
    tau2
        The between-area variance from ``funnel(..., overdispersion="winsorised").attrs["tau2"]``;
        0 gives the exact Poisson limits.

    Returns
    -------
    pandas.DataFrame
        Columns ``population`` and each level's ``lower_*`` and ``upper_*``.

    Examples
    --------
    >>> g = funnel_limits([10_000, 1_000_000], 9.71)
    >>> [round(v, 2) for v in g["upper_95"]]
    [11.84, 9.91]
    """
    index, inputs = _inputs.broadcast(population=population)
    (p,) = inputs
    levels, _ = _levels(conf)
    lowers, uppers = _core.funnel_grid(
        p,
        _inputs.number("target", target),
        _inputs.number("per", per),
        levels,
        _inputs.number("tau2", tau2),
    )
    columns: dict[str, FloatArray] = {"population": p}
    for level, lower, upper in zip(levels, lowers, uppers, strict=True):
        columns[f"lower_{level_name(level)}"] = lower
        columns[f"upper_{level_name(level)}"] = upper
    return _inputs.frame(index, columns, inputs)


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds, for messages."""
    return value.item() if isinstance(value, np.generic) else value


def _period_order(periods: pd.Series) -> list[Any]:
    """The periods in time order: an ordered categorical's order, else sorted values."""
    if isinstance(periods.dtype, pd.CategoricalDtype) and periods.cat.ordered:
        present = set(periods.dropna())
        return [p for p in periods.cat.categories if p in present]
    try:
        return sorted(periods.unique())
    except TypeError:
        raise InputError(
            "period: values of mixed types cannot be put in time order; pass one type, or an "
            "ordered pandas Categorical"
        ) from None


def trend(
    frame: pd.DataFrame,
    *,
    count: str,
    population: str,
    period: str,
    by: str | Sequence[str] | None = None,
    base: Any = None,
    per: float = 1000,
    conf: float = 0.95,
    test: str = "exact",
) -> pd.DataFrame:
    """A multi-year series: each period's rate, and its change on the previous and base periods.

    Each change is the change in the rate per head, tested as :func:`test_change` tests it with
    the populations as exposures. A period missing for an area gives NaN changes against it
    (never a comparison with an earlier period in its place).

    Parameters
    ----------
    frame
        Long format: one row per area (``by``) and period.
    count, population, period
        The names of the columns holding the count, the population and the period. Periods are
        put in order by sorting (years, dates, or labels such as "2023/24"); pass an ordered
        pandas Categorical for labels that do not sort in time order.
    by
        The column (or columns) naming the area; None for a single series.
    base
        The period every ``change_on_base`` is measured from; by default the first period.
    per
        The rates' base, as for :func:`crimestats.rate` (intervals by its default method).
    conf
        Confidence level of the rate intervals and the tests.
    test
        The test of each change: a ``method`` of :func:`test_change`.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then ``period, count, population, rate, lower, upper,
        change_on_previous, change_on_base, significant, significant_on_base``, sorted by area
        and period. Changes are percentage changes in the rate; ``significant`` refers to the
        change on the previous period, ``significant_on_base`` to the change on the base.

    Examples
    --------
    >>> data = pd.DataFrame({"year": [2024, 2025], "offences": [4949, 5108],
    ...                      "people": [729_221, 749_943]})
    >>> t = trend(data, count="offences", population="people", period="year")
    >>> round(float(t.loc[1, "change_on_previous"]), 2), bool(t.loc[1, "significant"])
    (0.36, False)
    """
    frame = _inputs.as_pandas("frame", frame)
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    for arg, column in [("count", count), ("population", population), ("period", period)] + [
        ("by", key) for key in keys
    ]:
        if column not in frame.columns:
            raise InputError(
                f"{arg}: column {column!r} is not in frame; its columns are {list(frame.columns)}"
            )
    for key in keys:
        if key in ("period", "count", "population") or key in (count, population, period):
            raise InputError(f"by: column {key!r} is also used for the period, count or population")
    data = pd.DataFrame({key: frame[key].to_numpy() for key in keys})
    data["period"] = frame[period].to_numpy()
    data["count"] = frame[count].to_numpy()
    data["population"] = frame[population].to_numpy()
    missing = np.flatnonzero(pd.isna(frame[period]).to_numpy())
    if missing.size:
        raise InputError(f"period: position {missing[0]} is missing")
    order = _period_order(frame[period])
    rank = {p: i for i, p in enumerate(order)}
    if base is None:
        base = order[0] if order else None
    elif base not in rank:
        raise InputError(f"base: {base!r} is not among the periods {[_plain(p) for p in order]}")
    data["_rank"] = data["period"].map(rank).astype(np.int64)
    duplicated = np.flatnonzero(data.duplicated([*keys, "_rank"]).to_numpy())
    if duplicated.size:
        first = duplicated[0]
        where = ", ".join(f"{k}={_plain(data[k].iloc[first])!r}" for k in keys)
        raise InputError(
            f"period: position {first} repeats period {_plain(data['period'].iloc[first])!r}"
            + (f" for {where}" if where else "")
            + "; give one row per area and period"
        )
    data = data.sort_values([*keys, "_rank"], kind="stable").reset_index(drop=True)

    def lookup(ranks: pd.Series) -> tuple[FloatArray, FloatArray]:
        """The count and population of each row's area in the period of rank `ranks`."""
        table = data.set_index([*keys, "_rank"])[["count", "population"]]
        wanted = pd.MultiIndex.from_arrays([*(data[k] for k in keys), ranks])
        if not keys:
            wanted = pd.Index(ranks)
        found = table.reindex(wanted)
        return (
            found["count"].to_numpy(dtype=np.float64, na_value=np.nan),
            found["population"].to_numpy(dtype=np.float64, na_value=np.nan),
        )

    rates = rate(data["count"], data["population"], per=per, conf=conf)
    columns = data[[*keys, "period", "count", "population"]].copy()
    for name in ("rate", "lower", "upper"):
        columns[name] = rates[name].to_numpy()
    count_now = rates["count"].to_numpy()
    population_now = rates["population"].to_numpy()
    tests = {}
    base_rank = pd.Series(np.full(len(data), rank[base] if order else 0), dtype=np.int64)
    for name, ranks in [("previous", data["_rank"] - 1), ("base", base_rank)]:
        earlier_count, earlier_population = lookup(ranks)
        tests[name] = test_change(
            count_now,
            earlier_count,
            exposure_current=population_now,
            exposure_previous=earlier_population,
            method=test,
            conf=conf,
        )
    columns["change_on_previous"] = 100 * (tests["previous"]["ratio"].to_numpy() - 1)
    columns["change_on_base"] = 100 * (tests["base"]["ratio"].to_numpy() - 1)
    columns["significant"] = tests["previous"]["significant"].array
    columns["significant_on_base"] = tests["base"]["significant"].array
    return columns
