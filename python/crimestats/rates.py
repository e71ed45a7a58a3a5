"""Rates per head of population with exact and approximate confidence intervals."""

from __future__ import annotations

import pandas as pd

from . import _core, _events, _inputs
from ._choices import RateMethod
from ._events import EventFrequencies
from ._inputs import ArrayLike


def rate(
    count: ArrayLike,
    population: ArrayLike,
    *,
    per: float = 1000,
    method: RateMethod = "phe",
    conf: float = 0.95,
    eventfreq: EventFrequencies = None,
) -> pd.DataFrame:
    """Crime rates per `per` people with a confidence interval for each.

    Parameters
    ----------
    count
        Recorded offences (whole numbers for the exact methods). NaN gives a NaN row.
    population
        The population the rate is per head of; must be greater than zero (NaN for unknown).
    per
        The rate's base: 1000 gives offences per 1,000 people, as ONS publishes them.
    method
        ``"phe"`` (exact below 10 events, Byar from 10, as PHEindicatormethods and Fingertips),
        ``"exact"`` (Garwood, as R ``poisson.test``), ``"byar"``, ``"score"``, ``"midp"``,
        ``"jeffreys"`` or ``"wald"``.
    conf
        Two-sided confidence level, between 0 and 1.
    eventfreq
        For events that repeat on the same people (repeat victims): the distribution of events
        per person, as a mapping ``{1: people with one event, 2: ..., ...}`` for every row or a
        DataFrame with a column per frequency and a row per element. The interval is widened
        about the rate by ``sqrt(sum f^2 x_f / sum f x_f)``, as PHE's non-independent events
        (see docs/standardise.md).

    Returns
    -------
    pandas.DataFrame
        Columns ``count, population, rate, lower, upper``, one row per element, indexed like the
        first Series argument.

    Examples
    --------
    Bedfordshire's stalking and harassment offences in the year to March 2025:

    >>> r = rate(5108, 749_943)
    >>> round(r.loc[0, "rate"], 2), round(r.loc[0, "lower"], 2), round(r.loc[0, "upper"], 2)
    (6.81, 6.63, 7.0)
    """
    index, inputs = _inputs.broadcast_read(count=count, population=population)
    c, p = inputs
    # count and population come back as the core read them: another thread may be writing the
    # caller's arrays, and the result shows what the rates were computed from
    c_read, p_read, r, lower, upper = _core.poisson_rate(
        c,
        p,
        _inputs.number("per", per),
        _inputs.choice("method", method),
        _inputs.number("conf", conf),
    )
    lower, upper = _events.widen(r, lower, upper, _events.dispersion(eventfreq, len(c)))
    c, p = inputs.as_read(c, c_read), inputs.as_read(p, p_read)
    return _inputs.frame(
        index, {"count": c, "population": p, "rate": r, "lower": lower, "upper": upper}, inputs
    )
