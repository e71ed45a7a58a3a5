"""Events that fall repeatedly on the same people: the distribution of events per person.

Where one person can be a victim several times (repeat victimisation; the Crime Survey's series
incidents, capped), a count of events varies more than a Poisson count: its variance is
``sum f^2 x_f`` over the ``x_f`` people with ``f`` events, not the count ``sum f x_f``. An
interval around the count is widened about it by the square root of the ratio of the two, as
PHEindicatormethods ``calculate_dsr(independent_events = FALSE)`` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from . import _core, _inputs
from ._core import InputError
from ._inputs import FloatArray

EventFrequencies: TypeAlias = "Mapping[float, Any] | pd.DataFrame | None"


def _frequencies(labels: Any) -> FloatArray:
    try:
        values = np.array([float(label) for label in labels], dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(
            f"eventfreq: the frequencies (events per person) must be numbers, got {list(labels)!r}"
        ) from None
    return values


def dispersion(eventfreq: EventFrequencies, size: int) -> FloatArray | None:
    """The variance ratio ``sum f^2 x_f / sum f x_f`` that widens each of `size` intervals.

    `eventfreq` is None (independent events), a mapping from events per person to the number
    (or share) of people with that many events, applying to every row, or a DataFrame with one
    such column per frequency and one row per element.
    """
    if eventfreq is None:
        return None
    if isinstance(eventfreq, pd.DataFrame):
        if len(eventfreq) not in (1, size):
            raise InputError(
                f"eventfreq: has {len(eventfreq)} rows but count has {size}; give one row per "
                "element, or a mapping for one distribution that applies to every row"
            )
        frequencies = _frequencies(eventfreq.columns)
        people = np.column_stack(
            [_inputs._to_float(f"eventfreq[{c!r}]", eventfreq[c]) for c in eventfreq.columns]
        )
    elif isinstance(eventfreq, Mapping):
        frequencies = _frequencies(eventfreq.keys())
        people = _inputs._to_float("eventfreq", list(eventfreq.values())).reshape(1, -1)
    else:
        raise InputError(
            "eventfreq: give a mapping {events per person: people}, e.g. {1: 700, 2: 200, 3: 100},"
            f" or a DataFrame with a column per frequency; got {type(eventfreq).__name__}"
        )
    flat = np.ascontiguousarray(people, dtype=np.float64).reshape(-1)
    return _core.event_dispersion(np.ascontiguousarray(frequencies), flat)


def widen(
    estimate: FloatArray, lower: FloatArray, upper: FloatArray, ratio: FloatArray | None
) -> tuple[FloatArray, FloatArray]:
    """`lower` and `upper` widened about `estimate` by ``sqrt(ratio)``; unchanged for None."""
    if ratio is None:
        return lower, upper
    low, high = _core.widen_interval(estimate, lower, upper, ratio)
    return low, high
