"""rate(): reference values, agreement with scipy/statsmodels, edges and errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats
from statsmodels.stats.rates import confint_poisson

import crimestats as cs
from crimestats import InputError

from conftest import REFERENCE, reference

METHODS = ["exact", "byar", "phe", "score", "midp", "jeffreys", "wald"]


def test_reference_rates() -> None:
    # ../shared/reference/rates.csv: PHEindicatormethods testdata (Byar's, exact, PHE rule) and
    # statsmodels test_rates_poisson.py (exact-c, score, jeff); relative 1e-9, or half a unit in
    # the last printed digit where the source prints fewer digits.
    table = reference("rates.csv")
    printed = pd.read_csv(REFERENCE / "rates.csv", dtype=str)
    for row, text in zip(table.itertuples(), printed.itertuples(), strict=True):
        population = 1.0 if pd.isna(row.population) else row.population
        got = cs.rate(row.count, population, per=row.per, method=row.method, conf=row.conf)
        assert got["rate"].iloc[0] == pytest.approx(row.rate, rel=1e-12)
        if pd.isna(row.lower):
            continue
        for bound in ("lower", "upper"):
            want, digits = getattr(row, bound), getattr(text, bound).split(".")[1]
            tol = 0.5 * 10.0 ** -len(digits) if len(digits) < 12 else 1e-9 * want
            assert got[bound].iloc[0] == pytest.approx(want, rel=1e-9, abs=tol), row


def test_founding_report_rate() -> None:
    # story.csv: 5,108 offences, Bedfordshire mid-2024 population 749,943 -> 6.81 per 1,000.
    r = cs.rate(5108, 749_943)
    assert list(r.columns) == ["count", "population", "rate", "lower", "upper"]
    assert r["rate"].iloc[0] == pytest.approx(5108 / 749_943 * 1000, rel=1e-15)
    assert round(r["rate"].iloc[0], 2) == 6.81
    # Byar's bounds (count >= 10 under the PHE rule) computed from the formula directly.
    z = stats.norm.isf(0.025)
    lower = 5108 * (1 - 1 / (9 * 5108) - z / (3 * math.sqrt(5108))) ** 3 / 749.943
    upper = 5109 * (1 - 1 / (9 * 5109) + z / (3 * math.sqrt(5109))) ** 3 / 749.943
    assert r["lower"].iloc[0] == pytest.approx(lower, rel=1e-13)
    assert r["upper"].iloc[0] == pytest.approx(upper, rel=1e-13)


def test_exact_matches_scipy_on_random_counts() -> None:
    # Garwood: chi2.ppf(a/2, 2k)/2 and chi2.ppf(1 - a/2, 2k + 2)/2, scipy as the reference.
    rng = np.random.default_rng(7)
    count = np.concatenate([rng.integers(0, 50, 300), rng.integers(0, 10_000_000, 300)])
    pop = rng.uniform(1e3, 1e7, count.size)
    for conf in (0.5, 0.9, 0.95, 0.998, 0.9999):
        got = cs.rate(count, pop, per=1, method="exact", conf=conf)
        a = (1 - conf) / 2
        lower = np.where(count == 0, 0.0, stats.chi2.ppf(a, 2 * count) / 2) / pop
        upper = stats.chi2.isf(a, 2 * count + 2) / 2 / pop
        np.testing.assert_allclose(got["lower"], lower, rtol=1e-12, atol=0)
        np.testing.assert_allclose(got["upper"], upper, rtol=1e-12)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [("exact", "exact-c"), ("score", "score"), ("jeffreys", "jeff"), ("wald", "wald")],
)
def test_agrees_with_statsmodels(ours: str, theirs: str) -> None:
    rng = np.random.default_rng(11)
    count = rng.integers(1, 5000, 500)
    exposure = rng.uniform(10, 1e6, 500)
    got = cs.rate(count, exposure, per=1, method=ours, conf=0.9)
    low, upp = confint_poisson(count, exposure, method=theirs, alpha=0.1)  # counts >= 1
    np.testing.assert_allclose(got["lower"], np.maximum(low, 0), rtol=1e-11)
    np.testing.assert_allclose(got["upper"], upp, rtol=1e-11)


@pytest.mark.parametrize("k", [0, 1, 4, 37, 1500])
def test_midp_solves_its_defining_equations(k: int) -> None:
    # Mid-p: P(X > k; L) + P(X = k; L)/2 = a/2 and P(X < k; U) + P(X = k; U)/2 = a/2,
    # solved here independently with scipy's brentq.
    got = cs.rate(k, 1, per=1, method="midp", conf=0.95)
    pois = stats.poisson

    def upper_eq(mu: float) -> float:
        return pois.cdf(k, mu) - 0.5 * pois.pmf(k, mu) - 0.025

    def lower_eq(mu: float) -> float:
        return pois.sf(k, mu) + 0.5 * pois.pmf(k, mu) - 0.025

    u = optimize.brentq(upper_eq, k + 1e-9, 3 * k + 30, xtol=1e-14, rtol=1e-15)
    assert got["upper"].iloc[0] == pytest.approx(u, rel=1e-10)
    if k == 0:
        assert got["lower"].iloc[0] == 0
    else:
        lo = optimize.brentq(lower_eq, 1e-12, k, xtol=1e-14, rtol=1e-15)
        assert got["lower"].iloc[0] == pytest.approx(lo, rel=1e-10)


@pytest.mark.parametrize("method", METHODS)
def test_zero_count_has_lower_bound_zero(method: str) -> None:
    r = cs.rate(0, 1000, method=method)
    assert r["rate"].iloc[0] == 0
    assert r["lower"].iloc[0] == 0
    # The Wald interval collapses to [0, 0] at a zero count: the known defect of that method.
    assert r["upper"].iloc[0] == 0 if method == "wald" else r["upper"].iloc[0] > 0


def test_conf_0998_wider_than_095() -> None:
    narrow = cs.rate([0, 3, 65, 1045], 1000, conf=0.95)
    wide = cs.rate([0, 3, 65, 1045], 1000, conf=0.998)
    assert (wide["lower"] <= narrow["lower"]).all()
    assert (wide["upper"] > narrow["upper"]).all()


def test_series_index_broadcasting_and_nan() -> None:
    counts = pd.Series(
        [5108, np.nan, 14530], index=["Bedfordshire", "Nowhere", "Devon and Cornwall"]
    )
    r = cs.rate(counts, pd.Series([749_943, 1000, 1_840_161], index=counts.index))
    assert list(r.index) == list(counts.index)
    assert r.loc["Nowhere"].drop("population").isna().all()
    assert r.loc["Devon and Cornwall", "rate"] == pytest.approx(14530 / 1840.161)
    scalar_pop = cs.rate([1, 2, 3], 100, per=100)
    assert list(scalar_pop["rate"]) == [1.0, 2.0, 3.0]
    nullable = cs.rate(pd.Series([1, None, 3], dtype="Int64"), 10)
    assert np.isnan(nullable["rate"].iloc[1])


def test_repeated_counts_give_identical_rows() -> None:
    # Distinct counts are computed once above the parallel threshold; results must not change.
    rng = np.random.default_rng(3)
    count = rng.integers(0, 200, 50_000)
    big = cs.rate(count, 1000, method="exact")
    small = cs.rate(count[:100], 1000, method="exact")
    np.testing.assert_array_equal(big["upper"].to_numpy()[:100], small["upper"].to_numpy())


@settings(max_examples=200, deadline=None)
@given(
    k=st.integers(0, 10**7),
    pop=st.floats(1, 1e9),
    method=st.sampled_from(METHODS),
    conf=st.floats(0.5, 0.9999),
)
def test_interval_contains_estimate_and_widens(
    k: int, pop: float, method: str, conf: float
) -> None:
    r = cs.rate(k, pop, method=method, conf=conf).iloc[0]
    wider = cs.rate(k, pop, method=method, conf=min(conf + 0.0001, 0.99999)).iloc[0]
    assert r["lower"] <= r["rate"] * (1 + 1e-12)
    assert r["rate"] <= r["upper"]
    assert wider["lower"] <= r["lower"] * (1 + 1e-12) and wider["upper"] >= r["upper"] * (1 - 1e-12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"count": [1, -2], "population": 10}, "count: position 1 is -2"),
        (
            {"count": [1, 2.5], "population": 10, "method": "exact"},
            "count: position 1 is 2.5, not a whole number",
        ),
        ({"count": [1, 2], "population": [10, 0]}, "population: position 1 is 0"),
        ({"count": [1, 2], "population": [10, -5]}, "population: position 1 is -5"),
        (
            {"count": [1, 2, 3], "population": [10, 20]},
            "population: has 2 elements but count has 3",
        ),
        ({"count": 1, "population": 10, "conf": 1.0}, "conf: 1 is not between 0 and 1"),
        ({"count": 1, "population": 10, "conf": 95}, "conf: 95 is not between 0 and 1"),
        (
            {"count": 1, "population": 10, "method": "poisson"},
            "method: unknown value \"poisson\"; choose one of 'exact', 'byar'",
        ),
        (
            {"count": ["12", "1,234"], "population": 10},
            "count: position 1 is '1,234', not a number",
        ),
        ({"count": 1, "population": 10, "per": 0}, "per: position 0 is 0"),
        ({"count": 1, "population": 10, "per": "1000"}, "per: must be a number"),
    ],
)
def test_bad_input_names_argument_and_position(kwargs: dict, message: str) -> None:
    with pytest.raises(InputError) as caught:
        cs.rate(**kwargs)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_fractional_counts_allowed_for_approximate_methods() -> None:
    r = cs.rate(12.5, 1000, method="byar")
    assert r["rate"].iloc[0] == 12.5


def test_misaligned_series_are_refused() -> None:
    with pytest.raises(InputError, match="index differs"):
        cs.rate(pd.Series([1, 2], index=["a", "b"]), pd.Series([10, 20], index=["b", "a"]))


def test_result_never_shares_memory_with_the_input() -> None:
    # Float64 inputs are read in place (no copy); the echoed columns must still be copies.
    count = np.array([5108.0, 4949.0])
    population = np.array([749_943.0, 729_221.0])
    r = cs.rate(count, population)
    count[0] = 0.0
    assert r["count"].iloc[0] == 5108.0
    assert not np.shares_memory(r["population"].to_numpy(), population)


@settings(max_examples=100, deadline=None)
@given(
    k=st.integers(1, 10**6),
    pop=st.floats(1e3, 1e8),
    factor=st.integers(2, 100),
    method=st.sampled_from(METHODS),
)
def test_interval_narrows_as_counts_grow(k: int, pop: float, factor: int, method: str) -> None:
    # The same rate on `factor` times the count and population is known more precisely.
    small = cs.rate(k, pop, method=method).iloc[0]
    large = cs.rate(k * factor, pop * factor, method=method).iloc[0]
    assert large["rate"] == pytest.approx(small["rate"], rel=1e-12)
    assert large["upper"] - large["lower"] < small["upper"] - small["lower"]
    assert large["lower"] >= small["lower"] * (1 - 1e-12)
    assert large["upper"] <= small["upper"] * (1 + 1e-12)
