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

from . import _core, _events, _inputs
from ._choices import ChangeMethod, Overdispersion, RateMethod
from ._core import InputError
from ._events import EventFrequencies
from ._inputs import ArrayLike, FloatArray
from .ons.periods import months_between, parse_periods
from .rates import rate


def level_name(conf: float) -> str:
    """The suffix naming a confidence level's columns: 0.95 -> "95", 0.998 -> "99_8"."""
    return f"{conf * 100:.10g}".replace(".", "_")


def _levels(conf: Any) -> tuple[list[float], bool]:
    """`conf` as a list of levels, and whether a single level (not a sequence) was given."""
    if np.ndim(conf) == 1 and not isinstance(conf, str):  # a list, tuple, array or Series
        levels = [_inputs.number("conf", c) for c in np.asarray(conf, dtype=object)]
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
    index, inputs = _inputs.broadcast_read(current=current, previous=previous)
    c, p = inputs
    # the core returns the counts as it read them: another thread may be writing the caller's
    c_read, p_read, delta, percent, suppressed = _core.count_change(
        c, p, _inputs.number("min_base", min_base)
    )
    now, then = inputs.integers(c), inputs.integers(p)
    if now is not None and then is not None and now.dtype.kind == then.dtype.kind == "i":
        delta = np.subtract(now, then, dtype=np.int64)  # counts in, a count out
    c, p = inputs.as_read(c, c_read), inputs.as_read(p, p_read)
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
    method: ChangeMethod = "exact",
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
    method: RateMethod = "phe",
    conf: float | Sequence[float] = 0.95,
    eventfreq: EventFrequencies = None,
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
    eventfreq
        The distribution of events per person for repeated events, as for
        :func:`crimestats.rate`: the intervals widen before they are compared.

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
    ratio = _events.dispersion(eventfreq, len(c))
    if len(levels) > 1:  # every level on the same values, even if the caller's arrays change
        c, p, b = (np.array(a) if id(a) in inputs.borrowed else a for a in inputs)
    b_read = b
    for level in levels:
        rates, lower, upper, codes, b_read = _core.rate_comparison(
            c, p, b, per_value, method_name, level, ratio
        )
        suffix = "" if single else "_" + level_name(level)
        bounds["lower" + suffix] = lower
        bounds["upper" + suffix] = upper
        comparisons["comparison" + suffix] = _comparison(codes)
    out = _inputs.frame(
        index, {"rate": rates, **bounds, "benchmark": inputs.as_read(b, b_read)}, inputs
    )
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
    overdispersion: Overdispersion | None = None,
) -> pd.DataFrame:
    """Funnel-plot control limits around a target rate, with each area's z-score and flag.

    Crime counts of whole police force areas vary far more than Poisson noise: with exact
    Poisson limits most forces lie outside the 99.8 per cent funnel. ``overdispersion`` draws
    the limits FunnelPlotR and the NHS draw instead, which allow for the usual variation
    between areas (Spiegelhalter 2005).

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
        How the limits allow for variation beyond Poisson noise. Every method starts from the
        square-root-scale z-scores z = 2 (sqrt(O) - sqrt(E)) for O events against E expected,
        winsorised at 10 per cent in each tail; phi is their mean square (1 for Poisson data).
        The limits are widened only when phi > 1, as FunnelPlotR draws adjusted limits only
        then.

        - ``None``: exact Poisson limits at each area's expected count, as FunnelPlotR's
          unadjusted limits (phi and tau^2 are still estimated and reported in ``attrs``).
        - ``"multiplicative"``: every area's variance is phi times Poisson's (Spiegelhalter
          2005, 6.3.1): limits target (1 -/+ q sqrt(phi / (4E)))^2, z divided by sqrt(phi).
        - ``"additive"``: additive random effects (Spiegelhalter 2005, 6.3.2), as FunnelPlotR's
          square-root method (``data_type = "SR"``, ``sr_method = "CQC"``): a between-area
          variance tau^2 by DerSimonian-Laird from phi, limits
          target (1 -/+ q sqrt(1 / (4E) + tau^2))^2, z divided by sqrt(1 + 4 E tau^2). The
          additive limits widen most for the largest areas, where Poisson noise is smallest;
          this is the method reports use.
        - ``"winsorised"``: the earlier name of ``"additive"``, kept working.

    Returns
    -------
    pandas.DataFrame
        Columns ``rate, z``, each level's ``lower_*`` and ``upper_*`` (``lower_95, upper_95,
        lower_99_8, upper_99_8`` by default), and ``flag``: an ordered categorical naming the
        widest limits the rate lies outside (``below_99_8`` ... ``within`` ... ``above_99_8``).

        ``attrs`` says what a report needs:

        - ``target``, ``per``: the centre line and the rate's base;
        - ``phi``: the dispersion ratio (winsorised mean square z-score), ``tau2``: the
          DerSimonian-Laird between-area variance, both estimated whatever the method;
        - ``areas``: how many areas they were estimated from;
        - ``overdispersed``: ``phi > 1``, so "the data are overdispersed (phi = 4.2)";
        - ``overdispersion``: the method asked for (``"winsorised"`` given as ``"additive"``);
        - ``adjusted``: whether the limits were widened (the method asked for and phi > 1);
        - ``limits``: the keyword arguments of :func:`funnel_limits` that redraw these limits
          over a grid: ``funnel_limits(grid, f.attrs["target"], **f.attrs["limits"])``.

    Examples
    --------
    >>> f = funnel([5108, 14530, 599_908], [749_943, 1_840_161, 61_806_682], target=9.71)
    >>> list(f["flag"])
    ['below_99_8', 'below_99_8', 'within']

    Forty areas whose rates vary more than chance would give:

    >>> rng = np.random.default_rng(1)
    >>> people = rng.uniform(3e5, 3e6, 40)
    >>> offences = rng.poisson(people / 1000 * 9 * rng.lognormal(0, 0.15, 40))
    >>> plain = funnel(offences, people)
    >>> adjusted = funnel(offences, people, overdispersion="additive")
    >>> round(adjusted.attrs["phi"]), adjusted.attrs["overdispersed"], adjusted.attrs["adjusted"]
    (134, True, True)
    >>> int((plain["flag"] != "within").sum()), int((adjusted["flag"] != "within").sum())
    (39, 2)
    """
    index, (c, p) = _inputs.broadcast(count=count, population=population)
    levels, _ = _levels(conf)
    target_value = None if target is None else _inputs.number("target", target)
    method = None if overdispersion is None else _inputs.choice("overdispersion", overdispersion)
    per_value = _inputs.number("per", per)
    fitted, (phi, tau2), (limit_phi, limit_tau2), (rates, z, flag), lowers, uppers = (
        _core.funnel_plot(c, p, target_value, per_value, levels, method)
    )
    columns: dict[str, FloatArray] = {"rate": rates, "z": z}
    for level, lower, upper in zip(levels, lowers, uppers, strict=True):
        columns[f"lower_{level_name(level)}"] = lower
        columns[f"upper_{level_name(level)}"] = upper
    out = _inputs.frame(index, columns)
    out["flag"] = _flags(flag, levels)
    known = ~(np.isnan(c) | np.isnan(p))
    out.attrs.update(
        target=fitted,
        per=per_value,
        phi=phi,
        tau2=tau2,
        areas=int(known.sum()),
        overdispersed=bool(phi > 1),
        overdispersion="additive" if method == "winsorised" else method,
        adjusted=bool(limit_phi > 1 or limit_tau2 > 0),
        limits={"per": per_value, "conf": levels, "phi": limit_phi, "tau2": limit_tau2},
    )
    return out


def funnel_limits(
    population: ArrayLike,
    target: float,
    *,
    per: float = 1000,
    conf: float | Sequence[float] = (0.95, 0.998),
    tau2: float = 0.0,
    phi: float = 1.0,
) -> pd.DataFrame:
    """Funnel limits over a grid of populations, for drawing the funnel's curves.

    Parameters
    ----------
    population
        The populations to evaluate the limits at (e.g. ``numpy.geomspace(1e4, 2e6, 200)``).
    target, per, conf
        As for :func:`funnel`; ``funnel(...).attrs["target"]`` gives the pooled rate.
    tau2
        An additive between-area variance on the square-root scale; 0 for none.
    phi
        A multiplicative dispersion factor, 1 or more; 1 for none. With ``tau2`` 0 and ``phi`` 1
        the limits are exact Poisson; ``funnel(...).attrs["limits"]`` holds ``per``, ``conf``,
        ``phi`` and ``tau2`` as that funnel drew them.

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
    p_read, lowers, uppers = _core.funnel_grid(
        p,
        _inputs.number("target", target),
        _inputs.number("per", per),
        levels,
        _inputs.number("tau2", tau2),
        _inputs.number("phi", phi),
    )
    columns: dict[str, FloatArray] = {"population": inputs.as_read(p, p_read)}
    for level, lower, upper in zip(levels, lowers, uppers, strict=True):
        columns[f"lower_{level_name(level)}"] = lower
        columns[f"upper_{level_name(level)}"] = upper
    return _inputs.frame(index, columns, inputs)


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds, for messages."""
    return value.item() if isinstance(value, np.generic) else value


def long_frame(
    frame: pd.DataFrame,
    *,
    count: str,
    population: str,
    period: str,
    by: str | Sequence[str] | None,
    extra: dict[str, str | None] | None = None,
) -> tuple[list[str], pd.DataFrame]:
    """The by-column names and a frame of the by-columns, ``period``, ``count``, ``population``
    (and each named ``extra`` column), checked: every column exists, no by-column doubles as
    another, and no period is missing."""
    frame = _inputs.as_pandas("frame", frame)
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    named = {name: column for name, column in (extra or {}).items() if column is not None}
    for arg, column in [
        ("count", count),
        ("population", population),
        ("period", period),
        *named.items(),
        *(("by", key) for key in keys),
    ]:
        if column not in frame.columns:
            raise InputError(
                f"{arg}: column {column!r} is not in frame; its columns are {list(frame.columns)}"
            )
        _inputs.column(frame, arg, column, frame="frame")  # one column of that name
    for key in keys:
        if key in ("period", "count", "population", *named) or key in (
            count,
            population,
            period,
            *named.values(),
        ):
            raise InputError(f"by: column {key!r} is also used for the period, count or population")
    data = pd.DataFrame({key: frame[key].to_numpy() for key in keys})
    data["period"] = frame[period].to_numpy()
    data["count"] = frame[count].to_numpy()
    data["population"] = frame[population].to_numpy()
    for name, column in named.items():
        data[name] = frame[column].to_numpy()
    missing = np.flatnonzero(pd.isna(frame[period]).to_numpy())
    if missing.size:
        raise InputError(f"period: position {missing[0]} is missing")
    return keys, data


def _period_times(periods: pd.Series) -> pd.DataFrame:
    """Each row's period as ``_end`` (last day) and ``_months`` (0: unknown length).

    Labels, years and dates are read by :func:`crimestats.ons.parse_periods`; an ordered
    pandas Categorical of labels it cannot read keeps its own order (as a length-free rank)."""
    try:
        parsed = parse_periods(periods)
    except InputError:
        if not (isinstance(periods.dtype, pd.CategoricalDtype) and periods.cat.ordered):
            raise
        ranks = periods.cat.codes.to_numpy().astype("int64")
        ends = pd.Timestamp("1970-01-01") + pd.to_timedelta(ranks, unit="D")
        return pd.DataFrame({"_end": ends, "_months": 0}, index=periods.index)
    return pd.DataFrame(
        {"_end": parsed["period_end"].to_numpy(), "_months": parsed["months"].to_numpy()},
        index=periods.index,
    )


def _exclusions(value: Any) -> frozenset[str]:
    """The areas a total leaves out, from a coverage cell: "" or NaN for none, names split on
    ";"."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return frozenset()
    return frozenset(part.strip() for part in str(value).split(";") if part.strip())


def trend(
    frame: pd.DataFrame,
    *,
    count: str,
    population: str,
    period: str,
    by: str | Sequence[str] | None = None,
    base: Any = None,
    coverage: str | None = None,
    per: float = 1000,
    conf: float = 0.95,
    test: ChangeMethod = "exact",
) -> pd.DataFrame:
    """A series over time: each period's rate, and its change on the year before and the base.

    Periods are put in time order by the dates they end on, read from their labels: ONS labels
    ("year ending March 2019", "April 2018 to March 2019"), financial years ("2023/24"), years
    and dates (see :func:`crimestats.ons.parse_periods`); a label that cannot be read as a date
    is an error, never sorted as text. Each period is compared with the one ending one period
    length earlier, never an overlapping one: quarterly publications of rolling years (the year
    ending June 2019 beside the year ending March 2019) are compared a year apart, the year
    ending June 2019 with the year ending June 2018. Each change is the change in the rate per
    head, tested as :func:`test_change` tests it with the populations as exposures. A period
    missing for an area gives NaN changes against it (never a comparison with another period in
    its place).

    Parameters
    ----------
    frame
        Long format: one row per area (``by``) and period.
    count, population, period
        The names of the columns holding the count, the population and the period. An ordered
        pandas Categorical of labels that are not dates keeps its order, each period compared
        with the one before.
    by
        The column (or columns) naming the area; None for a single series.
    base
        The period every ``change_on_base`` is measured from; by default the first period. A
        period overlapping the base has no change on it.
    coverage
        A column naming what each row's total leaves out ("" or NaN where nothing; several
        names separated by ";"), such as ``PfaTables.offence()``'s ``excludes``: from September
        2019 the England and Wales total leaves out Greater Manchester. A change between rows
        that leave out different areas is not a change in crime: it has ``comparable`` False,
        and no change or test. Where the frame holds the left-out areas' own rows (by the first
        ``by`` column), ``change_like_for_like`` is the change with them left out of both
        periods, tested in ``significant_like_for_like``.
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
        compared_with, change_on_previous, change_on_base, significant, comparable``, then
        ``significant_on_base``, ``change_like_for_like`` and ``significant_like_for_like``,
        sorted by area and period end. ``compared_with`` is the period ``change_on_previous``
        is measured from (<NA> where there is none). Changes are percentage changes in the
        rate; ``significant`` refers to the change on the previous period.

    Examples
    --------
    >>> data = pd.DataFrame({"period": ["year ending March 2025", "year ending March 2024",
    ...                                 "year ending June 2024"],
    ...                      "offences": [5108, 4949, 5003],
    ...                      "people": [749_943, 729_221, 735_000]})
    >>> t = trend(data, count="offences", population="people", period="period")
    >>> t[["period", "compared_with"]].values.tolist()[2]
    ['year ending March 2025', 'year ending March 2024']
    >>> round(float(t.loc[2, "change_on_previous"]), 2), bool(t.loc[2, "significant"])
    (0.36, False)
    """
    frame = _inputs.as_pandas("frame", frame)
    keys, data = long_frame(
        frame,
        count=count,
        population=population,
        period=period,
        by=by,
        extra={"_coverage": coverage},
    )
    times = _period_times(frame[period].reset_index(drop=True))
    data["_end"] = times["_end"].to_numpy()
    data["_months"] = times["_months"].to_numpy()
    no_exclusions: frozenset[str] = frozenset()
    data["_excludes"] = pd.Series(
        [_exclusions(v) for v in data["_coverage"]] if coverage else [no_exclusions] * len(data),
        dtype=object,
    ).to_numpy()
    slot = [*keys, "_end", "_months"]
    duplicated = np.flatnonzero(data.duplicated(slot).to_numpy())
    if duplicated.size:
        first = duplicated[0]
        where = ", ".join(f"{k}={_plain(data[k].iloc[first])!r}" for k in keys)
        raise InputError(
            f"period: position {first} repeats period {_plain(data['period'].iloc[first])!r}"
            + (f" for {where}" if where else "")
            + "; give one row per area and period"
        )
    data = data.sort_values([*keys, "_end", "_months"], kind="stable").reset_index(drop=True)
    # Earlier period of each row: one period length back for a known length, else the one
    # before in time order among all the frame's periods.
    distinct = data[["_end", "_months"]].drop_duplicates().sort_values(["_end", "_months"])
    rank = {
        (e, m): i
        for i, (e, m) in enumerate(zip(distinct["_end"], distinct["_months"], strict=True))
    }
    ordered = list(rank)
    back = [
        (e - pd.DateOffset(months=m) + pd.offsets.MonthEnd(0), m)
        if m
        else (ordered[rank[(e, m)] - 1] if rank[(e, m)] else (pd.NaT, 0))
        for e, m in zip(data["_end"], data["_months"], strict=True)
    ]
    previous = pd.DataFrame(back, columns=["_end", "_months"])
    if base is None:
        base_slot = ordered[0] if ordered else (pd.NaT, 0)
    else:
        base_times = _period_times(pd.Series([base], dtype=object))
        base_slot = (base_times["_end"].iloc[0], int(base_times["_months"].iloc[0]))
        if base_slot not in rank:
            labels = list(dict.fromkeys(data["period"].map(_plain)))
            raise InputError(f"base: {base!r} is not among the periods {labels}")
    table = data.set_index(slot)

    def lookup(when: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        """Columns of each row's own area in the period `when` gives (NaN where absent)."""
        wanted = pd.MultiIndex.from_arrays(
            [*(data[k] for k in keys), when["_end"], when["_months"]], names=slot
        )
        return table[columns].reindex(wanted).reset_index(drop=True)

    rates = rate(data["count"], data["population"], per=per, conf=conf)
    columns = data[[*keys, "period", "count", "population"]].copy()
    for name in ("rate", "lower", "upper"):
        columns[name] = rates[name].to_numpy()
    now_count = rates["count"].to_numpy()
    now_population = rates["population"].to_numpy()
    earlier = lookup(previous, ["period", "count", "population", "_excludes"])
    comparable = np.array(
        [
            not isinstance(then, frozenset) or then == now
            for then, now in zip(earlier["_excludes"], data["_excludes"], strict=True)
        ]
    )

    def tested(
        count_now: FloatArray, people_now: FloatArray, count_then: Any, people_then: Any
    ) -> pd.DataFrame:
        return test_change(
            count_now,
            np.asarray(count_then, dtype=np.float64),
            exposure_current=people_now,
            exposure_previous=np.asarray(people_then, dtype=np.float64),
            method=test,
            conf=conf,
        )

    on_previous = tested(now_count, now_population, earlier["count"], earlier["population"])
    base_frame = pd.DataFrame(
        {"_end": [base_slot[0]] * len(data), "_months": [base_slot[1]] * len(data)}
    )
    at_base = lookup(base_frame, ["count", "population", "_excludes"])
    overlaps = np.array(
        [
            _overlap(e, m, base_slot[0], base_slot[1])
            for e, m in zip(data["_end"], data["_months"], strict=True)
        ]
    )
    base_comparable = np.array(
        [
            not isinstance(then, frozenset) or then == now
            for then, now in zip(at_base["_excludes"], data["_excludes"], strict=True)
        ]
    )
    on_base = tested(now_count, now_population, at_base["count"], at_base["population"])
    valid_base = base_comparable & ~overlaps
    change_previous = np.where(comparable, 100 * (on_previous["ratio"].to_numpy() - 1), np.nan)
    change_base = np.where(valid_base, 100 * (on_base["ratio"].to_numpy() - 1), np.nan)
    columns["compared_with"] = earlier["period"].astype(object).where(earlier["period"].notna())
    columns["change_on_previous"] = change_previous
    columns["change_on_base"] = change_base
    columns["significant"] = on_previous["significant"].array.copy()
    columns.loc[~comparable, "significant"] = pd.NA
    columns["comparable"] = comparable
    columns["significant_on_base"] = on_base["significant"].array.copy()
    columns.loc[~valid_base, "significant_on_base"] = pd.NA
    like = _like_for_like(data, keys, earlier, previous, comparable)
    lfl = tested(*like)
    columns["change_like_for_like"] = 100 * (lfl["ratio"].to_numpy() - 1)
    columns["significant_like_for_like"] = lfl["significant"].array
    return columns


def _overlap(end: pd.Timestamp, months: int, base_end: Any, base_months: int) -> bool:
    """Whether two different periods share any months (periods of unknown length never do)."""
    if pd.isna(base_end) or (end == base_end and months == base_months):
        return False
    if not months or not base_months:
        return False
    later, later_months, earlier_end = (
        (end, months, base_end) if end > base_end else (base_end, base_months, end)
    )
    return months_between(later, earlier_end) < later_months


def _like_for_like(
    data: pd.DataFrame,
    keys: list[str],
    earlier: pd.DataFrame,
    previous: pd.DataFrame,
    comparable: np.ndarray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Counts and populations now and then with the areas either period leaves out taken out
    of both, for rows across a coverage break whose left-out areas have rows of their own
    (named in the first by-column; the other by-columns narrow the match where the left-out
    area has rows with the same value); NaN elsewhere."""
    n = len(data)
    out = [np.full(n, np.nan) for _ in range(4)]
    if not keys:
        return out[0], out[1], out[2], out[3]
    area, others = keys[0], keys[1:]
    by_area = {
        (name, end, months): rows
        for (name, end, months), rows in data.groupby([area, "_end", "_months"], sort=False)
    }
    for i in np.flatnonzero(~comparable):
        now_out, then_out = data["_excludes"].iloc[i], earlier["_excludes"].iloc[i]
        if not isinstance(then_out, frozenset):
            continue
        either = now_out | then_out
        parts = {"now": either - now_out, "then": either - then_out}
        when = {
            "now": (data["_end"].iloc[i], data["_months"].iloc[i]),
            "then": (previous["_end"].iloc[i], previous["_months"].iloc[i]),
        }
        totals = {
            "now": (data["count"].iloc[i], data["population"].iloc[i]),
            "then": (earlier["count"].iloc[i], earlier["population"].iloc[i]),
        }
        found = {}
        for side in ("now", "then"):
            count_sum, people_sum = float(totals[side][0]), float(totals[side][1])
            for name in parts[side]:
                rows = by_area.get((name, *when[side]))
                if rows is None:
                    count_sum = people_sum = np.nan
                    break
                # Narrow by each other by-column where the left-out area has the same value
                # (the same offence), not where it differs by nature (its area type).
                for key in others:
                    same = rows[rows[key] == data[key].iloc[i]]
                    rows = same if len(same) else rows
                count_sum -= float(rows["count"].iloc[0]) if len(rows) == 1 else np.nan
                people_sum -= float(rows["population"].iloc[0]) if len(rows) == 1 else np.nan
            found[side] = (count_sum, people_sum)
        out[0][i], out[1][i] = found["now"]
        out[2][i], out[3][i] = found["then"]
    return out[0], out[1], out[2], out[3]
