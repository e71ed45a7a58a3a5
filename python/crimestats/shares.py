"""Proportions and shares with confidence intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _core, _inputs
from ._choices import ProportionMethod
from ._core import InputError
from ._inputs import ArrayLike


def proportion(
    x: ArrayLike, n: ArrayLike, *, method: ProportionMethod = "wilson", conf: float = 0.95
) -> pd.DataFrame:
    """Proportions x / n with a confidence interval for each.

    Parameters
    ----------
    x
        Successes (cases with the characteristic); at most ``n``.
    n
        The base; greater than zero. Fractional x and n are accepted by the closed-form methods
        (an effective base), not by ``"exact"``.
    method
        ``"wilson"`` (as PHEindicatormethods), ``"exact"`` (Clopper-Pearson, as R ``binom.test``),
        ``"jeffreys"``, ``"agresti-coull"`` or ``"wald"``.
    conf
        Two-sided confidence level, between 0 and 1.

    Returns
    -------
    pandas.DataFrame
        Columns ``x, n, proportion, lower, upper``.

    Examples
    --------
    Of 358 female homicide cases reviewed, 94 per cent (337) had a history of stalking:

    >>> p = proportion(337, 358)
    >>> round(p.loc[0, "proportion"], 3), round(p.loc[0, "lower"], 3), round(p.loc[0, "upper"], 3)
    (0.941, 0.912, 0.961)
    """
    index, inputs = _inputs.broadcast_read(x=x, n=n)
    xs, ns = inputs
    # x and n come back as the core read them (another thread may be writing the caller's)
    x_read, n_read, share, lower, upper = _core.binomial_proportion(
        xs, ns, _inputs.choice("method", method), _inputs.number("conf", conf)
    )
    xs, ns = inputs.as_read(xs, x_read), inputs.as_read(ns, n_read)
    return _inputs.frame(
        index, {"x": xs, "n": ns, "proportion": share, "lower": lower, "upper": upper}, inputs
    )


def share_ci(
    share: ArrayLike,
    n: ArrayLike,
    *,
    deft: ArrayLike = 1.0,
    conf: float = 0.95,
    method: ProportionMethod = "wilson",
) -> pd.DataFrame:
    """A published survey share with its interval, from its base and the survey's design factor.

    Published-table mode: the share's interval is the binomial interval of :func:`proportion` on
    the effective base ``n / deft**2`` (the design factor ``deft`` is the ratio of the survey's
    standard error to a simple random sample's, as ONS publishes it for the Crime Survey).

    Parameters
    ----------
    share
        The published share, between 0 and 1.
    n
        Its unweighted base (respondents); greater than zero.
    deft
        The design factor; 1 for a simple random sample.
    conf
        Two-sided confidence level.
    method
        As :func:`proportion`; ``"exact"`` accepts the fractional effective base here.

    Returns
    -------
    pandas.DataFrame
        Columns ``share, n, effective_n, lower, upper``.

    Examples
    --------
    One in eight women (12.6 per cent of 18,000 respondents, design factor 1.2):

    >>> s = share_ci(0.126, 18_000, deft=1.2)
    >>> s[["effective_n", "lower", "upper"]].round(4)
       effective_n   lower   upper
    0      12500.0  0.1203  0.1319
    """
    index, inputs = _inputs.broadcast(share=share, n=n, deft=deft)
    shares, ns, defts = inputs
    share_read, n_read, effective_n, lower, upper = _core.published_share_ci(
        shares, ns, defts, _inputs.choice("method", method), _inputs.number("conf", conf)
    )
    # The share and base shown are those the interval was computed from (the core's copies).
    shown = {"share": inputs.as_read(shares, share_read), "n": inputs.as_read(ns, n_read)}
    return _inputs.frame(
        index, {**shown, "effective_n": effective_n, "lower": lower, "upper": upper}, inputs
    )


def test_share_change(
    share1: ArrayLike,
    n1: ArrayLike,
    share0: ArrayLike,
    n0: ArrayLike,
    *,
    deft: ArrayLike = 1.0,
    conf: float = 0.95,
) -> pd.DataFrame:
    """Whether a survey share changed between two independent survey years.

    The difference ``share1 - share0`` with a Wald interval and a two-sided z test on the
    unpooled variance, each year's base divided by ``deft**2``: the way ONS flags a statistically
    significant change in its survey tables. With ``deft=1`` it is statsmodels
    ``test_proportions_2indep(method="wald")``.

    Returns
    -------
    pandas.DataFrame
        Columns ``difference, lower, upper, p_value, significant`` (``p_value < 1 - conf``;
        a nullable boolean, <NA> where a share, base or design factor is NaN).

    Examples
    --------
    >>> t = test_share_change(0.126, 18_000, 0.118, 17_500, deft=1.2)
    >>> t[["difference", "p_value", "significant"]].round(3)
       difference  p_value  significant
    0       0.008    0.055        False
    """
    index, (s1, m1, s0, m0, defts) = _inputs.broadcast(
        share1=share1, n1=n1, share0=share0, n0=n0, deft=deft
    )
    level = _inputs.number("conf", conf)
    difference, lower, upper, p_value = _core.published_share_change(s1, m1, s0, m0, defts, level)
    out = _inputs.frame(
        index, {"difference": difference, "lower": lower, "upper": upper, "p_value": p_value}
    )
    # nullable: <NA> where the p-value is NaN (a NaN share, base or design factor)
    out["significant"] = pd.arrays.BooleanArray(p_value < 1.0 - level, np.isnan(p_value))
    return out


def gross_up(
    share: ArrayLike,
    total: ArrayLike,
    *,
    n: ArrayLike | None = None,
    deft: ArrayLike = 1.0,
    conf: float = 0.95,
    method: ProportionMethod = "wilson",
    share_lower: ArrayLike | None = None,
    share_upper: ArrayLike | None = None,
    total_lower: ArrayLike | None = None,
    total_upper: ArrayLike | None = None,
) -> pd.DataFrame:
    """A share of a total as a count, with its interval: "70 per cent of 1.4 million".

    The share's interval is :func:`share_ci` on its base ``n`` and design factor (or
    ``share_lower``/``share_upper`` as published); the total is taken as exact unless
    ``total_lower``/``total_upper`` are given, in which case the two intervals are combined on the
    log scale (MOVER, Zou & Donner 2008), which keeps each interval's asymmetry.

    Returns
    -------
    pandas.DataFrame
        Columns ``estimate, lower, upper``.

    Examples
    --------
    >>> g = gross_up(0.70, 1_400_000, n=1_500, deft=1.2)
    >>> g.round(-3)
       estimate     lower      upper
    0  980000.0  940000.0  1018000.0
    """
    if (share_lower is None) != (share_upper is None):
        half, missing = ("share_lower", "share_upper")[:: 1 if share_upper is None else -1]
        raise InputError(f"{missing}: give it with {half}, or neither (the interval from n)")
    if n is None and (share_lower is None or share_upper is None):
        raise InputError("n: give the share's base n, or its published share_lower and share_upper")
    args = {"share": share, "total": total}
    if n is not None:
        args |= {"n": n, "deft": deft}
    if share_lower is not None and share_upper is not None:
        args |= {"share_lower": share_lower, "share_upper": share_upper}
    if total_lower is not None or total_upper is not None:
        args |= {
            "total_lower": total if total_lower is None else total_lower,
            "total_upper": total if total_upper is None else total_upper,
        }
    index, arrays = _inputs.broadcast(**args)
    given = dict(zip(args, arrays, strict=True))
    if "share_lower" in given:
        lower, upper = given["share_lower"], given["share_upper"]
    else:
        # The estimate is grossed up from the share its interval was computed from.
        given["share"], _, _, lower, upper = _core.published_share_ci(
            given["share"],
            given["n"],
            given["deft"],
            _inputs.choice("method", method),
            _inputs.number("conf", conf),
        )
    estimate, low, high = _core.published_gross_up(
        given["share"],
        lower,
        upper,
        given["total"],
        given.get("total_lower", given["total"]),
        given.get("total_upper", given["total"]),
    )
    return _inputs.frame(index, {"estimate": estimate, "lower": low, "upper": high})
