"""Many comparisons: p-values adjusted for the number of tests made.

A report of 43 forces makes 43 tests; at the 5 per cent level about two "significant" changes
are expected by chance alone. ``adjust_p`` adjusts the p-values as R ``p.adjust`` does, and
``expected_by_chance`` says how many significant results chance alone would give.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import _core, _inputs
from ._choices import AdjustMethod
from ._inputs import ArrayLike, FloatArray

_METHODS = ("holm", "hochberg", "bh", "by", "bonferroni")


def adjust_p(p: ArrayLike, *, method: AdjustMethod = "holm") -> Any:
    """P-values adjusted for multiple comparisons, equal to R ``p.adjust(p, method)``.

    Parameters
    ----------
    p
        The p-values, each in [0, 1]; NaN for a test that was not made. NaN stays NaN in its
        place and is not counted among the tests.
    method
        ``"holm"`` (Holm 1979, the default, as R's): the family-wise error rate under any
        dependence between the tests, uniformly more powerful than ``"bonferroni"``.
        ``"hochberg"`` (Hochberg 1988): the family-wise rate for independent or positively
        dependent tests. ``"bh"`` (Benjamini and Hochberg 1995): the false discovery rate, the
        expected share of false positives among the significant results. ``"by"`` (Benjamini
        and Yekutieli 2001): the false discovery rate under any dependence. ``"bonferroni"``:
        min(1, n p).

    Returns
    -------
    pandas.Series or numpy.ndarray
        The adjusted p-values in the order given: a Series with ``p``'s index when ``p`` is a
        Series, else a float64 array.

    Examples
    --------
    Forty-three forces' tests of a change, three of them below 0.05:

    >>> p = [0.001, 0.02, 0.04] + [0.5] * 40
    >>> adjust_p(p)[:3].round(3).tolist()
    [0.043, 0.84, 1.0]
    >>> adjust_p(p, method="bh")[:3].round(3).tolist()
    [0.043, 0.43, 0.5]
    """
    name = _inputs.choice("method", method)
    if name not in _METHODS:
        raise _core.InputError(
            f"method: unknown value {method!r}; choose one of " + ", ".join(map(repr, _METHODS))
        )
    index, (values,) = _inputs.broadcast(p=p)
    adjusted: FloatArray = _core.adjust_p(values, name)
    if isinstance(p, pd.Series):
        return pd.Series(adjusted, index=index, name=p.name)
    return adjusted


def expected_by_chance(p: ArrayLike, *, alpha: float = 0.05) -> float:
    """How many of these tests chance alone would make significant: alpha times the tests made.

    Parameters
    ----------
    p
        The p-values; NaN (no test) is not counted.
    alpha
        The significance level, 1 - conf.

    Examples
    --------
    >>> expected_by_chance([0.01] * 3 + [0.5] * 40)
    2.15
    """
    _, (values,) = _inputs.broadcast(p=p)
    outside = np.flatnonzero(~np.isnan(values) & ~((values >= 0) & (values <= 1)))
    if outside.size:
        at = int(outside[0])
        raise _core.InputError(
            f"p: position {at} is {values[at]}, not a p-value in [0, 1]; give NaN for a test "
            "that was not made"
        )
    level = _inputs.number("alpha", alpha)
    if not 0 < level < 1:
        raise _core.InputError(f"alpha: {level} is not between 0 and 1 (exclusive)")
    return float(level * np.count_nonzero(~np.isnan(values)))
