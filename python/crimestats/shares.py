"""Proportions and shares with confidence intervals."""

from __future__ import annotations

import pandas as pd

from . import _args, _core
from ._args import ArrayLike


def proportion(
    x: ArrayLike, n: ArrayLike, *, method: str = "wilson", conf: float = 0.95
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
    index, inputs = _args.broadcast(x=x, n=n)
    xs, ns = inputs
    share, lower, upper = _core.binomial_proportion(
        xs, ns, _args.choice("method", method), _args.number("conf", conf)
    )
    return _args.frame(
        index, {"x": xs, "n": ns, "proportion": share, "lower": lower, "upper": upper}, inputs
    )
