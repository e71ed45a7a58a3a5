"""The names a method-like argument takes, as ``Literal`` types an IDE and mypy can offer.

The Rust core decides what a name means and refuses an unknown one with an InputError listing
these; tests/test_choices.py checks that the core takes every name listed here and no other, so
the two cannot drift apart. Names are matched without regard to case.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

__all__ = [
    "AdjustMethod",
    "ChangeMethod",
    "LonelyPsu",
    "Overdispersion",
    "ProportionMethod",
    "RateMethod",
    "ReliabilityRule",
    "ShareInterval",
    "Statistic",
    "TrendMethod",
    "WeightedMethod",
]

RateMethod: TypeAlias = Literal["phe", "exact", "byar", "score", "midp", "jeffreys", "wald"]
ProportionMethod: TypeAlias = Literal["wilson", "exact", "jeffreys", "agresti-coull", "wald"]
ChangeMethod: TypeAlias = Literal["exact", "midp", "score", "wald"]
Overdispersion: TypeAlias = Literal["multiplicative", "additive", "winsorised"]
ShareInterval: TypeAlias = Literal["logit", "beta", "xlogit", "wilson", "mean"]
LonelyPsu: TypeAlias = Literal["fail", "remove", "certainty", "adjust", "average"]
Statistic: TypeAlias = Literal["share", "mean", "total"]
TrendMethod: TypeAlias = Literal["poisson", "quasipoisson"]
AdjustMethod: TypeAlias = Literal["holm", "hochberg", "bh", "by", "bonferroni"]
WeightedMethod: TypeAlias = Literal["gamma", "normal"]
ReliabilityRule: TypeAlias = Literal["ons", "phe_dsr", "nchs_proportion", "nchs_rate"]
