"""The Literal types of crimestats._choices list exactly the names the core takes.

For each option, every listed name is accepted, and an unknown name is refused with a message
whose list of names (the core's own) is the Literal's: the types an IDE offers cannot drift from
what the code does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, get_args

import pandas as pd
import pytest

import crimestats as cs
from crimestats import _choices

SAMPLE = pd.DataFrame(
    {
        "victim": [1, 0, 1, 1, 0, 0, 1, 0],
        "weight": [900.0, 1100.0, 1000.0, 1200.0, 800.0, 950.0, 1050.0, 1000.0],
        "stratum": ["a", "a", "a", "a", "b", "b", "b", "b"],
        "psu": [1, 1, 2, 2, 3, 3, 4, 4],
    }
)
YEARS = pd.DataFrame(
    {
        "year": range(2015, 2025),
        "offences": [40, 44, 47, 52, 55, 61, 64, 70, 75, 81],
        "people": [10_000] * 10,
    }
)
SEVERITY = pd.DataFrame({"count": [30, 4], "weight": [2.0, 10.0], "people": [10_000, 10_000]})
RELIABILITY = pd.DataFrame(
    {
        "share": [0.7, 0.2],
        "n": [1200, 41],
        "count": [840, 8],
        "lower": [0.67, 0.1],
        "upper": [0.73, 0.35],
    }
)
DESIGN = {"weight": "weight", "strata": "stratum", "psu": "psu"}


def _partials_estimate(statistic: Any) -> object:
    partials = cs.survey_partials(SAMPLE, "victim", **DESIGN)
    return partials.estimate(statistic)


CALLS: dict[str, Callable[[Any], object]] = {
    "RateMethod": lambda m: cs.rate(5, 100, method=m),
    "ProportionMethod": lambda m: cs.proportion(3, 10, method=m),
    "ChangeMethod": lambda m: cs.test_change(12, 8, method=m),
    "Overdispersion": lambda m: cs.funnel(
        [10, 25, 30, 80], [1000, 2000, 3000, 4000], overdispersion=m
    ),
    "ShareInterval": lambda m: cs.survey_share(SAMPLE, "victim", **DESIGN, ci=m),
    "LonelyPsu": lambda m: cs.survey_share(SAMPLE, "victim", **DESIGN, lonely_psu=m),
    "Statistic": _partials_estimate,
    "TrendMethod": lambda m: cs.trend_test(
        YEARS, count="offences", population="people", period="year", method=m
    ),
    "AdjustMethod": lambda m: cs.adjust_p([0.01, 0.04, 0.03], method=m),
    "WeightedMethod": lambda m: cs.weighted_rate(
        SEVERITY, count="count", weight="weight", population="people", method=m
    ),
    "ReliabilityRule": lambda m: cs.flag_reliability(RELIABILITY, m, estimate="share"),
}


def test_every_choice_type_is_checked() -> None:
    assert set(CALLS) == set(_choices.__all__)


@pytest.mark.parametrize("option", sorted(CALLS))
def test_the_core_takes_every_listed_name(option: str) -> None:
    for name in get_args(getattr(_choices, option)):
        CALLS[option](name)


@pytest.mark.parametrize("option", sorted(CALLS))
def test_an_unknown_name_is_refused_with_the_listed_names(option: str) -> None:
    with pytest.raises(cs.InputError) as refused:
        CALLS[option]("no-such-method")
    message = str(refused.value)
    listed = set(re.findall(r"'([a-z_-]+)'", message)) - {"no-such-method"}
    if not listed:  # a list without quotes: "choose one of ons, phe_dsr, ..."
        listed = set(message.rsplit(" one of ", 1)[-1].split(", "))
    assert listed == set(get_args(getattr(_choices, option))), message
