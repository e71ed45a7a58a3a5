"""Trend tests: is a series of rates rising or falling, beyond chance, over its periods?

``trend_test`` fits R's ``glm(count ~ period + offset(log(population)), family = poisson)`` (or
its quasi-Poisson) to every series at once in the Rust core and marks each series as PHE's
Fingertips marks a trend: "increasing", "decreasing", "no significant change", or "cannot be
calculated" with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from . import _core, _inputs
from ._choices import TrendMethod
from ._core import InputError
from .changes import long_frame
from .ons.periods import parse_periods

_MARKERS = pd.CategoricalDtype(
    ["decreasing", "no significant change", "increasing", "cannot be calculated"]
)
# The core's status codes (src/core/trend.rs `Status`) in words.
_REASONS = {
    1: "a count or population is missing",
    2: "no events in any period",
    3: "the fit does not converge: the events fall in too few periods for a rate of change",
    4: "too few periods",
}


def _series_reasons(
    group: np.ndarray, ends: pd.Series, months: np.ndarray, starts: np.ndarray, min_periods: int
) -> np.ndarray:
    """Why each series (rows `starts[k]:starts[k + 1]`, in time order) cannot carry a trend
    test, or "" when it can: too few periods, periods of different lengths, overlapping
    periods, or periods not equally spaced. Whole-array operations, one pass over the rows."""
    n_series = len(starts) - 1
    sizes = np.diff(starts)
    stamp = pd.DatetimeIndex(ends)
    month_index = (stamp.year * 12 + stamp.month).to_numpy(dtype=np.int64)
    day_index = (stamp - pd.Timestamp("1970-01-01")).days.to_numpy(dtype=np.int64)
    within = np.r_[False, group[1:] == group[:-1]]  # row follows a row of its own series
    gaps = np.where(within, np.r_[0, np.diff(month_index)], -1)
    day_gaps = np.where(within, np.r_[0, np.diff(day_index)], -1)
    frame = pd.DataFrame(
        {
            "g": group,
            "months": months,
            "gap": np.where(within, gaps, np.nan),
            "days": np.where(within, day_gaps, np.nan),
        }
    )
    stats = frame.groupby("g", sort=True).agg(
        shortest=("months", "min"),
        longest=("months", "max"),
        low=("gap", "min"),
        high=("gap", "max"),
        low_days=("days", "min"),
        high_days=("days", "max"),
    )
    stats = stats.reindex(range(n_series))
    length = stats["shortest"].to_numpy()
    reasons = np.full(n_series, "", dtype=object)
    unequal_length = stats["shortest"].to_numpy() != stats["longest"].to_numpy()
    overlap = (length > 0) & (stats["low"].to_numpy() < length)
    uneven = stats["low"].to_numpy() != stats["high"].to_numpy()
    uneven_days = (length == 0) & (stats["low_days"].to_numpy() != stats["high_days"].to_numpy())
    for k in np.flatnonzero(overlap & ~unequal_length):
        reasons[k] = (
            f"the periods overlap ({int(length[k])}-month periods ending "
            f"{int(stats['low'].iloc[k])} months apart); keep one period a year, e.g. the "
            "publications for the year ending March"
        )
    reasons[uneven & ~overlap & ~unequal_length & (length > 0)] = (
        "the periods are not equally spaced (a period is missing)"
    )
    reasons[uneven_days & ~unequal_length] = "the dates are not equally spaced"
    reasons[unequal_length] = "the periods are of different lengths"
    few = sizes < min_periods
    reasons[few] = [f"fewer than {min_periods} periods ({n})" for n in sizes[few]]
    return reasons


def trend_test(
    frame: pd.DataFrame,
    *,
    count: str,
    population: str,
    period: str,
    by: str | Sequence[str] | None = None,
    method: TrendMethod = "poisson",
    conf: float = 0.95,
    min_periods: int = 5,
) -> pd.DataFrame:
    """A test for a trend in each series' rate: Poisson regression on the period.

    Parameters
    ----------
    frame
        Long format: one row per series (``by``) and period.
    count, population, period
        The columns holding each period's count, population and period (ONS labels such as
        "year ending March 2019", financial years "2023/24", years, or dates; see
        :func:`crimestats.ons.parse_periods`).
    by
        The column (or columns) naming each series, e.g. the area; None for one series.
    method
        ``"poisson"``: R ``glm(count ~ period + offset(log(population)), family = poisson)``,
        its Wald interval (``confint.default``) and z-test p-value. ``"quasipoisson"``: R's
        quasi-Poisson fit, the Pearson dispersion and a t-test on n - 2 degrees of freedom,
        with the dispersion floored at 1 for the interval and test. Crime counts are usually
        overdispersed, and the Poisson test then finds trends that are not there; the
        ``dispersion`` column shows by how much.
    conf
        The confidence level of the interval; a trend is significant when the interval
        excludes 1.
    min_periods
        Fingertips' rule: at least this many periods (5), not overlapping and equally spaced.

    Returns
    -------
    pandas.DataFrame
        One row per series: the ``by`` columns, then ``periods`` (how many), ``first`` and
        ``last`` (their labels), ``rate_ratio`` (the change in the rate from one period to the
        next, e.g. 1.03 for 3 per cent a period), ``lower``, ``upper``, ``p_value``,
        ``dispersion`` (Pearson chi-square over its degrees of freedom; about 1 for Poisson
        counts), ``marker`` ("increasing", "decreasing", "no significant change" or "cannot be
        calculated") and ``reason`` (why it cannot be, else "").

    Examples
    --------
    >>> years = pd.DataFrame({"year": range(2015, 2025),
    ...                       "offences": [3120, 3302, 3495, 3530, 3781, 3850, 4102, 4290,
    ...                                    4455, 4949],
    ...                       "people": [690_000 + 6_000 * i for i in range(10)]})
    >>> t = trend_test(years, count="offences", population="people", period="year")
    >>> round(float(t.loc[0, "rate_ratio"]), 3), t.loc[0, "marker"]
    (1.04, 'increasing')
    """
    keys, data = long_frame(frame, count=count, population=population, period=period, by=by)
    method_name = _inputs.choice("method", method)
    conf_value = _inputs.number("conf", conf)
    if isinstance(min_periods, bool) or not isinstance(min_periods, int | np.integer):
        raise InputError(f"min_periods: must be a whole number, got {min_periods!r}")
    if min_periods < 3:
        raise InputError(f"min_periods: {min_periods} is below 3, too few to test a trend")
    parsed = parse_periods(data["period"])
    data["_end"] = parsed["period_end"].to_numpy()
    data["_months"] = parsed["months"].to_numpy()
    data = data.sort_values([*keys, "_end"], kind="stable").reset_index(drop=True)
    repeated = np.flatnonzero(data.duplicated([*keys, "_end", "_months"]).to_numpy())
    if repeated.size:
        raise InputError(
            f"period: {data['period'].iloc[repeated[0]]!r} appears twice for one series; "
            "give one row per series and period"
        )
    group = (
        data.groupby(keys, sort=False, observed=True, dropna=False).ngroup().to_numpy()
        if keys
        else np.zeros(len(data), dtype=np.int64)
    )
    boundaries = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    starts = np.r_[boundaries, len(data)].astype(np.int64)
    reasons = _series_reasons(group, data["_end"], data["_months"].to_numpy(), starts, min_periods)
    # Every series goes to the core, which checks every count and population; the results of
    # those that break Fingertips' rules are not reported.
    time = (np.arange(len(data)) - np.repeat(starts[:-1], np.diff(starts))).astype(np.float64)
    _, (counts, people) = _inputs.broadcast(
        count=data["count"].to_numpy(), population=data["population"].to_numpy()
    )
    ratio, lower, upper, p_value, dispersion, status = _core.trend_tests(
        counts, people, time, starts.tolist(), method_name, conf_value
    )
    first, last = starts[:-1], starts[1:] - 1
    out = data.iloc[first][keys].reset_index(drop=True)
    out["periods"] = np.diff(starts)
    out["first"] = data["period"].to_numpy()[first] if len(data) else []
    out["last"] = data["period"].to_numpy()[last] if len(data) else []
    out["reason"] = reasons
    fitted = out["reason"] == ""
    for column, values in [
        ("rate_ratio", ratio),
        ("lower", lower),
        ("upper", upper),
        ("p_value", p_value),
        ("dispersion", dispersion),
    ]:
        full = np.full(len(out), np.nan)
        full[fitted.to_numpy()] = values[fitted.to_numpy()]
        out[column] = full
    codes = np.zeros(len(out), dtype=np.int64)
    codes[fitted.to_numpy()] = status[fitted.to_numpy()].astype(np.int64)
    reasons = out["reason"].where(~fitted, [_REASONS.get(int(c), "") for c in codes])
    marker = np.where(
        reasons != "",
        "cannot be calculated",
        np.where(
            out["lower"] > 1,
            "increasing",
            np.where(out["upper"] < 1, "decreasing", "no significant change"),
        ),
    )
    out["marker"] = pd.Categorical(marker, dtype=_MARKERS)
    out["reason"] = reasons
    return out[
        [
            *keys,
            "periods",
            "first",
            "last",
            "rate_ratio",
            "lower",
            "upper",
            "p_value",
            "dispersion",
            "marker",
            "reason",
        ]
    ]
