"""Type stubs for the Rust extension module crimestats._core."""

from typing import Any, final

import numpy as np

from ._choices import (
    AdjustMethod,
    ChangeMethod,
    LonelyPsu,
    Overdispersion,
    ProportionMethod,
    RateMethod,
    ReliabilityRule,
    ShareInterval,
    Statistic,
    TrendMethod,
    WeightedMethod,
)

__all__ = ["InputError", "binomial_proportion", "poisson_rate"]
__all__ += [
    "SurveyCodes",
    "published_gross_up",
    "published_share_change",
    "published_share_ci",
    "survey_covariance",
    "survey_estimate",
    "survey_key_codes",
    "survey_replicate_sums",
    "survey_share_interval",
    "survey_t_test",
    "survey_upper_tail",
]
__all__ += ["SurveyPartials", "survey_partials"]

_F64 = np.ndarray[Any, np.dtype[np.float64]]
_U32 = np.ndarray[Any, np.dtype[np.uint32]]
_U64 = np.ndarray[Any, np.dtype[np.uint64]]

class InputError(ValueError): ...

def poisson_rate(
    count: _F64, population: _F64, per: float, method: RateMethod, conf: float
) -> list[_F64]: ...
def binomial_proportion(x: _F64, n: _F64, method: ProportionMethod, conf: float) -> list[_F64]: ...

__all__ += ["count_change", "funnel_grid", "funnel_plot", "rate_comparison", "rate_ratio_test"]

def count_change(current: _F64, previous: _F64, min_base: float) -> list[_F64]: ...
def rate_ratio_test(
    current: _F64,
    previous: _F64,
    exposure_current: _F64,
    exposure_previous: _F64,
    method: ChangeMethod,
    conf: float,
) -> list[_F64]: ...
def rate_comparison(
    count: _F64,
    population: _F64,
    benchmark: _F64,
    per: float,
    method: RateMethod,
    conf: float,
    dispersion: _F64 | None = None,
) -> list[_F64]: ...
def funnel_plot(
    count: _F64,
    population: _F64,
    target: float | None,
    per: float,
    conf: list[float],
    overdispersion: Overdispersion | None,
) -> tuple[float, list[float], list[float], list[_F64], list[_F64], list[_F64]]: ...
def funnel_grid(
    population: _F64, target: float, per: float, conf: list[float], tau2: float, phi: float
) -> tuple[_F64, list[_F64], list[_F64]]: ...

@final
class SurveyCodes:
    def __new__(
        cls,
        weight: _F64,
        strata: _U32 | None,
        n_strata: int,
        units: list[_U32],
        n_units: list[int],
        fpc: list[_F64 | None],
    ) -> SurveyCodes: ...
    def __len__(self) -> int: ...

def survey_estimate(
    codes: SurveyCodes,
    y: _F64 | None,
    levels: _U32 | None,
    n_levels: int,
    domain: _U32 | None,
    n_domains: int,
    statistic: Statistic,
    ci: ShareInterval,
    conf: float,
    lonely_psu: LonelyPsu,
) -> list[_F64]: ...
def survey_covariance(
    codes: SurveyCodes,
    z: np.ndarray[Any, np.dtype[np.float64]],
    domain: _U32 | None,
    n_domains: int,
    lonely_psu: str,
) -> tuple[np.ndarray[Any, np.dtype[np.float64]], np.ndarray[Any, np.dtype[np.float64]], _F64]: ...
def survey_t_test(estimate: _F64, se: _F64, df: _F64, conf: float) -> list[_F64]: ...
def survey_upper_tail(distribution: str, x: float, df1: float, df2: float) -> float: ...
def survey_replicate_sums(
    weights: list[_F64],
    values: np.ndarray[Any, np.dtype[np.float64]],
    domain: _U32 | None,
    n_domains: int,
) -> np.ndarray[Any, np.dtype[np.float64]]: ...
def published_share_ci(
    share: _F64, n: _F64, deft: _F64, method: ProportionMethod, conf: float
) -> list[_F64]: ...
def published_share_change(
    share1: _F64, n1: _F64, share0: _F64, n0: _F64, deft: _F64, conf: float
) -> list[_F64]: ...
def published_gross_up(
    share: _F64,
    share_lower: _F64,
    share_upper: _F64,
    total: _F64,
    total_lower: _F64,
    total_upper: _F64,
) -> list[_F64]: ...
def survey_share_interval(
    share: _F64, se: _F64, df: _F64, n: _F64, ci: ShareInterval, conf: float
) -> list[_F64]: ...
def survey_key_codes(columns: list[Any]) -> tuple[_U32, _U64]: ...

@final
class SurveyPartials:
    def __new__(cls, state: bytes) -> SurveyPartials: ...
    def merge(self, other: SurveyPartials) -> SurveyPartials: ...
    def to_bytes(self) -> bytes: ...
    def estimate(
        self, statistic: Statistic, ci: ShareInterval, conf: float, lonely_psu: LonelyPsu
    ) -> list[_F64]: ...
    def __reduce__(self) -> tuple[type[SurveyPartials], tuple[bytes]]: ...

def survey_partials(
    codes: SurveyCodes,
    y: _F64 | None,
    levels: _U32 | None,
    n_levels: int,
    domain: _U32 | None,
    n_domains: int,
    row_offset: int,
) -> SurveyPartials: ...

__all__ += ["adjust_p", "trend_tests"]

def trend_tests(
    count: _F64,
    population: _F64,
    time: _F64,
    starts: list[int],
    method: TrendMethod,
    conf: float,
) -> list[_F64]: ...
def adjust_p(p: _F64, method: AdjustMethod) -> _F64: ...

__all__ += ["event_dispersion", "standardised_rate", "standardised_ratio", "widen_interval"]
__all__ += ["reliability_flags", "reliability_reasons", "smoothed_rate"]
__all__ += ["weighted_rate", "weighted_rate_change"]

def standardised_rate(
    count: _F64,
    population: _F64,
    standard: _F64,
    frequency: _F64 | None,
    band: _U32 | None,
    n_bands: int,
    group: _U32,
    n_groups: int,
    per: float,
    conf: list[float],
    dispersion: float,
) -> tuple[list[_F64], list[_F64], list[_F64]]: ...
def standardised_ratio(
    count: _F64,
    population: _F64,
    reference_count: _F64,
    reference_population: _F64,
    group: _U32,
    n_groups: int,
    conf: list[float],
) -> tuple[list[_F64], list[_F64], list[_F64]]: ...
def event_dispersion(frequencies: _F64, people: _F64) -> _F64: ...
def widen_interval(estimate: _F64, lower: _F64, upper: _F64, dispersion: _F64) -> list[_F64]: ...
def weighted_rate(
    count: _F64,
    weight: _F64,
    population: _F64,
    group: _U32,
    n_groups: int,
    per: float,
    method: WeightedMethod,
    conf: float,
) -> list[_F64]: ...
def weighted_rate_change(
    current: tuple[_F64, _F64, _F64, _U32],
    previous: tuple[_F64, _F64, _F64, _U32],
    n_groups: int,
    per: float,
    method: WeightedMethod,
    conf: float,
) -> list[_F64]: ...
def smoothed_rate(
    count: _F64, population: _F64, neighbours: tuple[_U64, _U32] | None
) -> list[_F64]: ...
def reliability_flags(
    rule: ReliabilityRule,
    rows: int,
    n: _F64 | None = None,
    count: _F64 | None = None,
    estimate: _F64 | None = None,
    lower: _F64 | None = None,
    upper: _F64 | None = None,
    se: _F64 | None = None,
    df: _F64 | None = None,
) -> list[_F64]: ...
def reliability_reasons() -> list[str]: ...
