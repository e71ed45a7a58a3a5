"""Whether a figure is reliable enough to publish, by the rules statistical offices use.

``flag_reliability`` reads the columns crimestats' own results carry (``n``, ``count``, the
estimate, ``lower``, ``upper``, ``se``, ``df``) and adds a ``reliability`` level and the
``reliability_reason`` for it. The rules themselves live in the Rust core.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _core, _inputs
from ._choices import ReliabilityRule
from ._core import InputError

#: The levels, least to most severe: shown plainly; shown, for statistical review; shown with a
#: warning that the figure is unreliable; not shown.
LEVELS = pd.CategoricalDtype(["reliable", "review", "unreliable", "suppressed"], ordered=True)

_RULES = {
    "ons": ("n",),
    "phe_dsr": ("count",),
    "nchs_proportion": ("n", "estimate", "lower", "upper"),
    "nchs_rate": ("count", "estimate", "lower", "upper"),
}
_OPTIONAL = {"nchs_proportion": ("se", "df"), "nchs_rate": ("df",)}
_ESTIMATES = ("share", "proportion", "rate", "dsr", "mean", "ratio")


def _figure(frame: pd.DataFrame, field: str, column: str) -> np.ndarray:
    """The column the rule reads for `field`, as contiguous float64 (one column of that name)."""
    series = _inputs.column(frame, field, column, frame="frame")
    return np.ascontiguousarray(_inputs._to_float(field, series))


def flag_reliability(
    frame: pd.DataFrame,
    rule: ReliabilityRule = "ons",
    *,
    estimate: str | None = None,
    n: str = "n",
    count: str = "count",
) -> pd.DataFrame:
    """The frame with each row's ``reliability`` and ``reliability_reason`` by a publication rule.

    Parameters
    ----------
    frame
        Results with the columns the rule reads, as crimestats returns them.
    rule
        ``"ons"``: survey estimates from an unweighted base (``n``) under 50 are suppressed, as
        the ONS publishes the Crime Survey for England and Wales. ``"phe_dsr"``: rates from
        fewer than 10 events (``count``) are suppressed, as PHE publishes standardised rates.
        ``"nchs_proportion"``: the NCHS Data Presentation Standards for Proportions (Parker JD,
        Talih M, Malec DJ et al., Vital Health Stat 2(175), 2017), in their order: suppressed
        below an effective sample size of 30 (``p (1 - p) / se^2``, at most ``n``; ``n`` where
        there is no ``se`` column or the estimate is 0 or 1); else shown for an interval at
        most 5 percentage points wide; else suppressed for one 30 points wide or more, or wider
        than 130 per cent of the estimate; a shown estimate goes for review when its interval
        (between 5 and 30 points) is wider than 130 per cent of ``1 - p``, for fewer than 8
        degrees of freedom (``df``), or for an estimate of 0 or 1 (not judged by width). The
        interval should be the 95 per cent Korn-Graubard one (``survey_share(..., ci="beta")``).
        ``"nchs_rate"``: the NCHS Data Presentation Standards for Rates and Counts (Vital Health
        Stat 2(200), 2023, Table A): unreliable from fewer than 10 events or with a 95 per cent
        interval wider than 160 per cent of the rate (NCHS suppresses these); review for fewer
        than 8 degrees of freedom.
    estimate
        The column of the estimate for the NCHS rules; by default the first of ``share,
        proportion, rate, dsr, mean, ratio`` in the frame.
    n, count
        The columns of the unweighted base and of the number of events.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` with ``reliability`` (ordered categorical: ``reliable``,
        ``review``, ``unreliable``, ``suppressed``; <NA> where a value the rule reads is
        missing) and ``reliability_reason`` (the first criterion failed; "" when reliable).
        A report shows ``suppressed`` rows as not available, ``unreliable`` ones with a
        warning, ``review`` ones with a note.

    Examples
    --------
    >>> shares = pd.DataFrame({"share": [0.7, 0.2], "n": [1200, 41]})
    >>> flag_reliability(shares, "ons")["reliability"].tolist()
    ['reliable', 'suppressed']
    """
    frame = _inputs.as_pandas("frame", frame)
    name = _inputs.choice("rule", rule)
    if name not in _RULES:
        raise InputError(f"rule: unknown value {rule!r}; choose one of {', '.join(_RULES)}")
    if estimate is None:
        estimate = next((c for c in _ESTIMATES if c in frame.columns), "share")
    columns = {"n": n, "count": count, "estimate": estimate, "lower": "lower", "upper": "upper"}
    columns |= {"se": "se", "df": "df"}
    arrays: dict[str, np.ndarray] = {}
    for field in _RULES[name]:
        column = columns[field]
        if column not in frame.columns:
            raise InputError(
                f"{field}: rule {name!r} reads column {column!r}, which is not in frame; its "
                f"columns are {list(frame.columns)}"
            )
        arrays[field] = _figure(frame, field, column)
    for field in _OPTIONAL.get(name, ()):
        if columns[field] in frame.columns:
            arrays[field] = _figure(frame, field, columns[field])
    level, reason = _core.reliability_flags(name, len(frame), **arrays)
    texts = np.array(_core.reliability_reasons(), dtype=object)
    missing = np.isnan(level)
    out = frame.copy()
    codes = np.where(missing, -1, level).astype(np.int64)
    out["reliability"] = pd.Categorical.from_codes(codes, dtype=LEVELS)
    reasons = texts[np.where(missing, 0, reason).astype(np.int64)]
    reasons[missing] = None
    out["reliability_reason"] = reasons
    return out
