"""change, test_change, compare, funnel, funnel_limits, trend: reference values, agreement with
R, statsmodels and scipy, edges and errors."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import optimize, stats
from statsmodels.stats import rates as sm_rates

import crimestats as cs
from crimestats import InputError

from conftest import DATA, r_output, reference

STATSMODELS = {"exact": "exact-cond", "midp": "cond-midp", "score": "score", "wald": "wald"}


def random_pairs(seed: int, n: int = 400) -> tuple[np.ndarray, ...]:
    """Counts from 0 to about 20,000 on both sides, a few zeros, and unequal exposures."""
    rng = np.random.default_rng(seed)
    mean = np.exp(rng.uniform(0, math.log(20_000), n))
    x0 = rng.poisson(mean)
    x1 = rng.poisson(mean * rng.uniform(0.8, 1.25, n))
    x1[:4], x0[4:8] = 0, 0
    x0[(x1 == 0) & (x0 == 0)] = 1  # both zero is tested on its own: the references refuse it
    t1 = rng.uniform(0.5, 3, n)
    t0 = rng.uniform(0.5, 3, n)
    return x1, x0, t1, t0


# --- R poisson.test on the founding report's pairs -------------------------------------------

# R 4.2.2, poisson.test(c(x1, x0), c(t1, t0)): $p.value, $conf.int, printed with digits = 17.
# Counts from ../shared/reference/story.csv; exposures 1 (counts) or mid-year populations.
R_POISSON_TEST = [
    # x1, x0, t1, t0, p.value, lower, upper
    (5108, 4949, 1, 1, 0.11513288856351951, 0.99236262577337153, 1.0734927373979377),
    (599908, 636954, 1, 1, 2.5833155666674323e-243, 0.93852194710556358, 0.94516731642206608),
    (14530, 12853, 1, 1, 4.0101603619563108e-24, 1.1038853696775126, 1.1577158418012989),
    (5108, 4949, 749943, 729221, 0.8575466488590634, 0.96494222404780594, 1.0438305944025899),
    (
        599908,
        636954,
        61806682,
        60854727,
        3.4584595208887258e-323,
        0.92406670325091245,
        0.93060971967703177,
    ),
    (14530, 12853, 1840161, 1822182, 1.152610022385943e-20, 1.0931000334697396, 1.1464045635382853),
    (0, 12, 1, 1, 0.00048828125000000011, 0.0, 0.35989381728770392),
    (12, 0, 1, 1, 0.00048828125000000011, 2.7785973305581591, math.inf),
    (3, 0, 2, 5, 0.023323615160349854, 1.0330783875772349, math.inf),
]


@pytest.mark.parametrize(("x1", "x0", "t1", "t0", "p", "lower", "upper"), R_POISSON_TEST)
def test_exact_matches_r_poisson_test(
    x1: int, x0: int, t1: float, t0: float, p: float, lower: float, upper: float
) -> None:
    got = cs.test_change(x1, x0, exposure_current=t1, exposure_previous=t0).iloc[0]
    assert got["ratio"] == pytest.approx((x1 / t1) / (x0 / t0) if x0 else math.inf, rel=1e-15)
    # 3.5e-323 is subnormal: R's own value carries two significant digits there.
    assert got["p_value"] == pytest.approx(p, rel=1e-9, abs=1e-300)
    assert got["lower"] == pytest.approx(lower, rel=1e-9, abs=0)
    assert got["upper"] == pytest.approx(upper, rel=1e-9)


def test_founding_report_change_is_not_significant() -> None:
    # "up 3 per cent from 4,949": the exact test gives p = 0.115, and per head (populations
    # 729,221 -> 749,943) the rate barely moved.
    counts = cs.test_change(5108, 4949)
    assert round(counts["p_value"].iloc[0], 3) == 0.115
    assert not counts["significant"].iloc[0]
    per_head = cs.test_change(5108, 4949, exposure_current=749_943, exposure_previous=729_221)
    assert per_head["ratio"].iloc[0] == pytest.approx(
        (5108 / 749_943) / (4949 / 729_221), rel=1e-15
    )
    assert per_head["p_value"].iloc[0] > counts["p_value"].iloc[0]
    # England and Wales, 636,954 -> 599,908: a real fall, with or without populations.
    national = cs.test_change(
        599_908, 636_954, exposure_current=61_806_682, exposure_previous=60_854_727
    )
    assert national["significant"].iloc[0] and national["upper"].iloc[0] < 1


def test_exact_agrees_with_r_formula_on_random_pairs() -> None:
    # R binom.test(x1, x1 + x0, t1 / (t1 + t0)): scipy's binomtest implements the same two-sided
    # rule; the interval is Clopper-Pearson's beta quantiles mapped by p / (1 - p) * t0 / t1.
    x1, x0, t1, t0 = random_pairs(5)
    got = cs.test_change(x1, x0, exposure_current=t1, exposure_previous=t0)
    n = x1 + x0
    want_p = [
        stats.binomtest(a, m, t / (t + u)).pvalue for a, m, t, u in zip(x1, n, t1, t0, strict=True)
    ]
    np.testing.assert_allclose(got["p_value"], want_p, rtol=1e-9, atol=1e-300)
    p_low = np.where(x1 == 0, 0.0, stats.beta.ppf(0.025, x1, n - x1 + 1))
    p_upp = np.where(x1 == n, 1.0, stats.beta.isf(0.025, x1 + 1, np.maximum(n - x1, 1)))
    with np.errstate(divide="ignore"):
        lower = p_low / (1 - p_low) * t0 / t1
        upper = np.where(x1 == n, np.inf, p_upp / (1 - p_upp) * t0 / t1)
    np.testing.assert_allclose(got["lower"], lower, rtol=1e-9)
    np.testing.assert_allclose(got["upper"], upper, rtol=1e-9)


def r_binom_test(x: int, n: int, p: float) -> float:
    """R binom.test's two-sided p-value written out with dbinom (scipy's pmf), as R's source has
    it; summing pmf values keeps full precision in deep tails, where scipy's cdf loses digits."""
    k = np.arange(n + 1)
    pmf = stats.binom.pmf(k, n, p)
    d, m = pmf[x] * (1 + 1e-7), n * p
    if x == m:
        return 1.0
    if x < m:
        far = pmf[k >= math.ceil(m)]
        total = pmf[: x + 1].sum() + far[far <= d].sum()
    else:
        far = pmf[k <= math.floor(m)]
        total = far[far <= d].sum() + pmf[x:].sum()
    return min(1.0, float(total))


@settings(max_examples=300, deadline=None)
@given(
    x1=st.integers(0, 3000),
    x0=st.integers(0, 3000),
    exposure_ratio=st.floats(1e-4, 1e4),
)
def test_exact_p_value_matches_r_binom_test(x1: int, x0: int, exposure_ratio: float) -> None:
    # Small totals (a table of probabilities), large ones (tail sums) and extreme p alike.
    assume(x1 + x0 > 0)
    got = cs.test_change(x1, x0, exposure_current=exposure_ratio, exposure_previous=1.0)
    want = r_binom_test(x1, x1 + x0, exposure_ratio / (exposure_ratio + 1.0))
    assert got["p_value"].iloc[0] == pytest.approx(want, rel=1e-9, abs=1e-300)


# --- statsmodels -----------------------------------------------------------------------------


@pytest.mark.parametrize("method", list(STATSMODELS))
def test_p_values_agree_with_statsmodels(method: str) -> None:
    x1, x0, t1, t0 = random_pairs(7)
    got = cs.test_change(x1, x0, exposure_current=t1, exposure_previous=t0, method=method)
    theirs = STATSMODELS[method]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels divides by zero on the zero-count rows
        want = np.array(
            [
                sm_rates.test_poisson_2indep(a, t, b, u, method=theirs).pvalue
                for a, b, t, u in zip(x1, x0, t1, t0, strict=True)
            ]
        )
    np.testing.assert_allclose(got["p_value"], want, rtol=1e-9, atol=1e-300)
    np.testing.assert_array_equal(got["significant"], want < 0.05)


def test_score_interval_inverts_statsmodels_score_test() -> None:
    # Our bounds are the closed-form roots; statsmodels finds them with optimize.fmin
    # (xtol=1e-8) from the waldcc interval, so its bounds agree to about 1e-6 (and for some
    # pairs it returns them swapped, hence the sort) and its test at our bounds gives alpha.
    x1, x0, t1, t0 = (a[:80] for a in random_pairs(11))
    keep = (x1 > 0) & (x0 > 0)  # statsmodels' fmin finds one bound only when a count is 0
    x1, x0, t1, t0 = x1[keep], x0[keep], t1[keep], t0[keep]
    got = cs.test_change(
        x1, x0, exposure_current=t1, exposure_previous=t0, method="score", conf=0.9
    )
    for row, a, b, t, u in zip(got.itertuples(), x1, x0, t1, t0, strict=True):
        low, upp = sorted(
            float(v) for v in sm_rates.confint_poisson_2indep(a, t, b, u, method="score", alpha=0.1)
        )
        assert row.lower == pytest.approx(low, rel=2e-5)
        assert row.upper == pytest.approx(upp, rel=2e-5)
        for bound in (row.lower, row.upper):
            p = sm_rates.test_poisson_2indep(a, t, b, u, value=bound, method="score").pvalue
            assert p == pytest.approx(0.1, rel=1e-9)


def test_wald_interval_is_statsmodels_wald_log() -> None:
    x1, x0, t1, t0 = random_pairs(13)
    keep = (x1 > 0) & (x0 > 0)  # the log interval needs both counts
    x1, x0, t1, t0 = x1[keep], x0[keep], t1[keep], t0[keep]
    got = cs.test_change(x1, x0, exposure_current=t1, exposure_previous=t0, method="wald")
    low, upp = sm_rates.confint_poisson_2indep(x1, t1, x0, t0, method="wald-log")
    np.testing.assert_allclose(got["lower"], low, rtol=1e-12)
    np.testing.assert_allclose(got["upper"], upp, rtol=1e-12)


def test_midp_interval_solves_its_equations() -> None:
    # Mid-p bounds for p = x1 / (x1 + x0): P(X > x; L) + P(X = x; L)/2 = a/2 and
    # P(X < x; U) + P(X = x; U)/2 = a/2, solved independently with brentq.
    for x1, x0, t1, t0 in [(7, 13, 1, 1), (3, 40, 2.0, 5.0), (250, 199, 1, 1), (1, 0, 1, 1)]:
        got = cs.test_change(x1, x0, exposure_current=t1, exposure_previous=t0, method="midp")
        n, scale = x1 + x0, t0 / t1

        def lower_eq(p: float, x: int = x1, m: int = n) -> float:
            return stats.binom.sf(x, m, p) + 0.5 * stats.binom.pmf(x, m, p) - 0.025

        def upper_eq(p: float, x: int = x1, m: int = n) -> float:
            return stats.binom.cdf(x, m, p) - 0.5 * stats.binom.pmf(x, m, p) - 0.025

        lo = optimize.brentq(lower_eq, 1e-12, x1 / n, xtol=1e-15, rtol=1e-15)
        assert got["lower"].iloc[0] == pytest.approx(lo / (1 - lo) * scale, rel=1e-9)
        if x0 == 0:
            assert got["upper"].iloc[0] == math.inf
        else:
            hi = optimize.brentq(upper_eq, x1 / n, 1 - 1e-12, xtol=1e-15, rtol=1e-15)
            assert got["upper"].iloc[0] == pytest.approx(hi / (1 - hi) * scale, rel=1e-9)


def test_gu_et_al_reference() -> None:
    # ../shared/reference/poisson_two_sample.csv: statsmodels' test of Gu et al. (2008); z is
    # printed to 7 significant digits, so the two-sided p-value 2 * sf(z) agrees to about 1e-6.
    for row in reference("poisson_two_sample.csv").itertuples():
        if row.method not in STATSMODELS:
            continue  # the square-root test is not one of crimestats' methods
        got = cs.test_change(
            row.count1,
            row.count0,
            exposure_current=row.exposure1,
            exposure_previous=row.exposure0,
            method=row.method,
        )
        p = got["p_value"].iloc[0]
        assert p == pytest.approx(2 * stats.norm.sf(row.statistic), rel=1e-5)
        assert p / 2 == pytest.approx(row.p_one_sided_paper, abs=5e-7)


# --- edges -----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", list(STATSMODELS))
def test_zero_counts_on_either_side(method: str) -> None:
    got = cs.test_change([0, 12, 0], [12, 0, 0], method=method)
    fell, rose, nothing = (got.iloc[i] for i in range(3))
    assert fell["ratio"] == 0 and fell["lower"] == 0
    assert rose["ratio"] == math.inf and rose["upper"] == math.inf and rose["lower"] >= 0
    if method != "wald":
        assert fell["upper"] < 1 and rose["lower"] > 1
    assert fell["significant"] and rose["significant"]
    assert fell["p_value"] == pytest.approx(rose["p_value"], rel=1e-12)
    # No events at all: no evidence either way.
    assert math.isnan(nothing["ratio"]) and nothing["lower"] == 0 and nothing["upper"] == math.inf
    assert nothing["p_value"] == 1 and not nothing["significant"]


def test_nan_rows_give_nan() -> None:
    got = cs.test_change([5, np.nan, 5, 5], [4, 4, np.nan, 4], exposure_current=[1, 1, 1, np.nan])
    assert not math.isnan(got["p_value"].iloc[0])
    for i in (1, 2, 3):
        row = got.iloc[i]
        assert all(math.isnan(row[c]) for c in ("ratio", "lower", "upper", "p_value"))
        assert row["significant"] is pd.NA


def test_repeated_pairs_give_identical_rows() -> None:
    # Above the parallel threshold each distinct pair is computed once; results must not change.
    rng = np.random.default_rng(3)
    x1, x0 = rng.integers(0, 60, 50_000), rng.integers(0, 60, 50_000)
    pop = rng.uniform(1e3, 1e4, 50_000)
    for kwargs in ({}, {"exposure_current": pop}):
        for method in ("exact", "midp"):
            big = cs.test_change(x1, x0, method=method, **kwargs)
            small_kwargs = {k: v[:200] for k, v in kwargs.items()}
            small = cs.test_change(x1[:200], x0[:200], method=method, **small_kwargs)
            pd.testing.assert_frame_equal(big.iloc[:200], small)


def test_series_keep_their_index() -> None:
    now = pd.Series([5108, 14530], index=["Bedfordshire", "Devon and Cornwall"])
    before = pd.Series([4949, 12853], index=now.index)
    got = cs.test_change(now, before)
    assert list(got.index) == list(now.index)
    assert list(got.columns) == ["ratio", "lower", "upper", "p_value", "significant"]


@settings(max_examples=200, deadline=None)
@given(
    x1=st.integers(0, 10**6),
    x0=st.integers(0, 10**6),
    t1=st.floats(1e-3, 1e7),
    t0=st.floats(1e-3, 1e7),
    method=st.sampled_from(list(STATSMODELS)),
    conf=st.floats(0.5, 0.999),
)
def test_interval_contains_ratio(
    x1: int, x0: int, t1: float, t0: float, method: str, conf: float
) -> None:
    row = cs.test_change(
        x1, x0, exposure_current=t1, exposure_previous=t0, method=method, conf=conf
    )
    r = row.iloc[0]
    assert 0 <= r["p_value"] <= 1
    if x1 + x0 > 0:
        assert r["lower"] <= r["ratio"] * (1 + 1e-9) and r["ratio"] <= r["upper"] * (1 + 1e-9)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"current": [1, -2], "previous": 3}, "current: position 1 is -2"),
        ({"current": 1, "previous": [3, 4, -1]}, "previous: position 2 is -1"),
        ({"current": [1, 2.5], "previous": 3}, "current: position 1 is 2.5, not a whole number"),
        (
            {"current": 1, "previous": 3, "exposure_current": [1, 0]},
            "exposure_current: position 1 is 0",
        ),
        (
            {"current": 1, "previous": 3, "exposure_previous": [-5]},
            "exposure_previous: position 0 is -5",
        ),
        ({"current": [1, 2, 3], "previous": [1, 2]}, "previous: has 2 elements but current has 3"),
        ({"current": 1, "previous": 3, "method": "poisson"}, 'method: unknown value "poisson"'),
        ({"current": 1, "previous": 3, "conf": 1.5}, "conf: 1.5 is not between 0 and 1"),
    ],
)
def test_bad_input_names_argument_and_position(kwargs: dict, message: str) -> None:
    with pytest.raises(InputError) as caught:
        cs.test_change(**kwargs)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_weighted_counts_for_score_and_wald_only() -> None:
    assert cs.test_change(12.5, 10, method="score")["ratio"].iloc[0] == 1.25
    assert cs.test_change(12.5, 10, method="wald")["ratio"].iloc[0] == 1.25
    with pytest.raises(InputError, match="whole"):
        cs.test_change(12.5, 10, method="midp")


# --- change ----------------------------------------------------------------------------------


def test_change_and_ons_suppression() -> None:
    got = cs.change([5108, 599_908, 30, 7, np.nan, 3], [4949, 636_954, 49, 50, 60, np.nan])
    assert list(got.columns) == ["current", "previous", "change", "percent_change", "suppressed"]
    assert got["change"].iloc[0] == 159
    assert round(got["percent_change"].iloc[0]) == 3  # "up 3 per cent"
    assert round(got["percent_change"].iloc[1]) == -6  # "a 6 per cent decrease"
    assert math.isnan(got["percent_change"].iloc[2]) and got["suppressed"].iloc[2]
    assert got["percent_change"].iloc[3] == -86 and not got["suppressed"].iloc[3]
    assert math.isnan(got["change"].iloc[4]) and not got["suppressed"].iloc[4]
    assert got["suppressed"].iloc[5] is pd.NA
    relaxed = cs.change([30, 3], [49, 0], min_base=0)
    assert not relaxed["suppressed"].any()
    assert relaxed["percent_change"].iloc[0] == pytest.approx(100 * -19 / 49)
    assert math.isnan(relaxed["percent_change"].iloc[1])  # no percentage of nothing
    with pytest.raises(InputError, match="previous: position 0 is -1"):
        cs.change(1, -1)
    with pytest.raises(InputError, match="min_base"):
        cs.change(1, 1, min_base=-5)


# --- compare ---------------------------------------------------------------------------------


def test_compare_fingertips_rule() -> None:
    # Bedfordshire and Devon and Cornwall against England and Wales (story.csv).
    national = 599_908 / 61_806_682 * 1000
    got = cs.compare([5108, 14530, 9, 1000], [749_943, 1_840_161, 1000, 100_000], national)
    assert list(got.columns) == ["rate", "lower", "upper", "benchmark", "comparison"]
    assert list(got["comparison"]) == ["lower", "lower", "similar", "similar"]
    rates = cs.rate([5108, 14530, 9, 1000], [749_943, 1_840_161, 1000, 100_000])
    np.testing.assert_array_equal(got["lower"], rates["lower"])
    np.testing.assert_array_equal(got["upper"], rates["upper"])
    above = cs.compare(100, 1000, [50, 100, np.nan])
    assert list(above["comparison"].astype(object).fillna("?")) == ["higher", "similar", "?"]


def test_compare_several_levels() -> None:
    got = cs.compare([5108, 100], [749_943, 10_000], 7.5, conf=(0.95, 0.998))
    assert list(got.columns) == [
        "rate",
        "lower_95",
        "upper_95",
        "lower_99_8",
        "upper_99_8",
        "benchmark",
        "comparison_95",
        "comparison_99_8",
    ]
    assert (got["lower_99_8"] < got["lower_95"]).all()
    wide = cs.rate([5108, 100], [749_943, 10_000], conf=0.998)
    np.testing.assert_array_equal(got["upper_99_8"], wide["upper"])
    # 100 in 10,000 (10 per 1,000) is above 7.5 at 95 per cent but not at 99.8.
    assert list(got["comparison_95"]) == ["lower", "higher"]
    assert list(got["comparison_99_8"]) == ["lower", "similar"]
    with pytest.raises(InputError, match="benchmark: position 0 is -1"):
        cs.compare(1, 10, -1)


# --- funnel ----------------------------------------------------------------------------------


def test_funnelplotr_poisson_limits() -> None:
    # ../shared/reference/funnel_poisson.csv: FunnelPlotR's limits for expected counts 15, 20,
    # 30 around a ratio of 1, printed to 7 decimals (lower) and 6 (upper).
    table = reference("funnel_poisson.csv")
    for row in table.itertuples():
        got = cs.funnel_limits(row.expected, row.target, per=1, conf=row.conf)
        name = cs.changes.level_name(row.conf)
        assert round(got[f"lower_{name}"].iloc[0], 7) == pytest.approx(row.lower, abs=1e-12)
        assert round(got[f"upper_{name}"].iloc[0], 6) == pytest.approx(row.upper, abs=1e-12)


def test_funnel_limits_are_exact_poisson() -> None:
    # Garwood at the expected count E = target * population / per, as FunnelPlotR: lower
    # chi2.ppf(a/2, 2E) / 2, upper chi2.isf(a/2, 2E + 2) / 2, over E and times the target.
    population = np.geomspace(500, 5e6, 60)
    got = cs.funnel_limits(population, 9.7)
    e = 9.7 * population / 1000
    for conf in (0.95, 0.998):
        a = (1 - conf) / 2
        name = cs.changes.level_name(conf)
        np.testing.assert_allclose(
            got[f"lower_{name}"], stats.chi2.ppf(a, 2 * e) / 2 / e * 9.7, rtol=1e-12
        )
        np.testing.assert_allclose(
            got[f"upper_{name}"], stats.chi2.isf(a, 2 * e + 2) / 2 / e * 9.7, rtol=1e-12
        )


@settings(max_examples=200, deadline=None)
@given(
    population=st.floats(1, 1e9),
    target=st.floats(1e-3, 1e3),
    tau2=st.sampled_from([0.0, 1e-4, 0.01]),
)
def test_funnel_limits_bracket_the_target_and_nest(
    population: float, target: float, tau2: float
) -> None:
    g = cs.funnel_limits(population, target, tau2=tau2).iloc[0]
    assert 0 <= g["lower_99_8"] <= g["lower_95"] <= target * (1 + 1e-12)
    assert target <= g["upper_95"] * (1 + 1e-12) and g["upper_95"] <= g["upper_99_8"]


def forces() -> tuple[np.ndarray, np.ndarray]:
    """Made-up force-sized areas with more spread than Poisson noise."""
    rng = np.random.default_rng(21)
    population = rng.uniform(3e5, 3e6, 40)
    count = rng.poisson(population / 1000 * 9 * rng.lognormal(0, 0.15, 40))
    return count, population


def test_funnel_pooled_target_flags_and_columns() -> None:
    count, population = forces()
    got = cs.funnel(count, population)
    assert list(got.columns) == [
        "rate",
        "z",
        "lower_95",
        "upper_95",
        "lower_99_8",
        "upper_99_8",
        "flag",
    ]
    target = count.sum() / population.sum() * 1000
    assert got.attrs["target"] == pytest.approx(target, rel=1e-14)
    assert got.attrs["limits"] == {"per": 1000, "conf": [0.95, 0.998], "phi": 1, "tau2": 0}
    assert got.attrs["overdispersed"] and not got.attrs["adjusted"]
    limits = cs.funnel_limits(population, got.attrs["target"])
    for column in ("lower_95", "upper_95", "lower_99_8", "upper_99_8"):
        np.testing.assert_array_equal(got[column], limits[column])
    rate = got["rate"]
    expected_flag = np.select(
        [
            rate > got["upper_99_8"],
            rate > got["upper_95"],
            rate < got["lower_99_8"],
            rate < got["lower_95"],
        ],
        ["above_99_8", "above_95", "below_99_8", "below_95"],
        "within",
    )
    assert list(got["flag"]) == list(expected_flag)
    e = target * population / 1000
    np.testing.assert_allclose(got["z"], 2 * (np.sqrt(count) - np.sqrt(e)), rtol=1e-12)
    assert got["flag"].cat.ordered


def test_funnel_winsorised_overdispersion_as_spiegelhalter() -> None:
    # Spiegelhalter (2005), FunnelPlotR's square-root method, written out with numpy:
    # z = (sqrt(O/E) - 1) / s with s = 1 / (2 sqrt(E)), winsorised at R's type-7 10th and 90th
    # percentiles, phi = mean(z_w^2), tau2 by DerSimonian-Laird with w = 1 / s^2.
    count, population = forces()
    got = cs.funnel(count, population, overdispersion="winsorised")
    target = count.sum() / population.sum() * 1000
    e = target * population / 1000
    s = 1 / (2 * np.sqrt(e))
    z = (np.sqrt(count / e) - 1) / s
    low, high = np.quantile(z, [0.1, 0.9])
    n = len(z)
    phi = np.mean(np.clip(z, low, high) ** 2)
    w = 1 / s**2
    tau2 = (n * phi - (n - 1)) / (w.sum() - (w**2).sum() / w.sum())
    assert got.attrs["phi"] == pytest.approx(phi, rel=1e-12)
    assert got.attrs["tau2"] == pytest.approx(tau2, rel=1e-12)
    assert tau2 > 0
    spread = np.sqrt(s**2 + tau2)
    np.testing.assert_allclose(got["z"], (np.sqrt(count / e) - 1) / spread, rtol=1e-12)
    for conf in (0.95, 0.998):
        q = stats.norm.isf((1 - conf) / 2)
        name = cs.changes.level_name(conf)
        np.testing.assert_allclose(got[f"lower_{name}"], target * (1 - q * spread) ** 2, rtol=1e-12)
        np.testing.assert_allclose(got[f"upper_{name}"], target * (1 + q * spread) ** 2, rtol=1e-12)
    plain = cs.funnel(count, population)
    assert (got["upper_99_8"] > plain["upper_99_8"]).all()
    grid = cs.funnel_limits(population, target, tau2=got.attrs["tau2"])
    np.testing.assert_allclose(grid["upper_95"], got["upper_95"], rtol=1e-15)


R_FUNNEL = r_output("src/core/funnel/r_reference.out")


@pytest.mark.parametrize("case", ["forces", "small", "poisson"])
def test_funnel_overdispersion_equals_funnelplotr_and_spiegelhalter(case: str) -> None:
    # src/core/funnel/r_reference.out: phi and tau2 from FunnelPlotR's own od_adjustment.R
    # (square-root method, 10 per cent winsorised, expected counts as denominators); limits
    # from Spiegelhalter (2005)'s formulas written out in R, squared back to the rate scale.
    count, population = R_FUNNEL[f"{case} count"], R_FUNNEL[f"{case} population"]
    for method in ("additive", "multiplicative"):
        got = cs.funnel(count, population, overdispersion=method)
        assert got.attrs["phi"] == pytest.approx(R_FUNNEL[f"{case} phi"][0], rel=1e-12)
        assert got.attrs["tau2"] == pytest.approx(R_FUNNEL[f"{case} tau2"][0], rel=1e-12)
        assert got.attrs["adjusted"] == (case != "poisson") == got.attrs["overdispersed"]
        plain = cs.funnel(count, population)
        for level in ("95", "99_8"):
            for side in ("lower", "upper"):
                want = R_FUNNEL[f"{case} {level} {method} {side}"]
                if case == "poisson":  # phi < 1: the exact Poisson limits stand
                    want = plain[f"{side}_{level}"]
                np.testing.assert_allclose(got[f"{side}_{level}"], want, rtol=1e-12)
        grid = cs.funnel_limits(population, got.attrs["target"], **got.attrs["limits"])
        np.testing.assert_allclose(grid["upper_99_8"], got["upper_99_8"], rtol=1e-15)


def test_funnel_winsorised_is_additive() -> None:
    count, population = forces()
    old = cs.funnel(count, population, overdispersion="winsorised")
    new = cs.funnel(count, population, overdispersion="additive")
    pd.testing.assert_frame_equal(old, new)
    assert old.attrs["overdispersion"] == "additive"


def test_december_2019_table_within_the_adjusted_limits() -> None:
    # The issue: with exact Poisson limits nearly every force lies outside the 99.8 per cent
    # funnel of December 2019's total offences; allowing for overdispersion leaves a handful.
    path = DATA / "pfatablesdec19.xlsx"
    if not path.exists():
        pytest.skip(f"{path} is not beside this checkout")
    table = cs.ons.read_pfa_tables(path).offence("Total recorded crime (excluding fraud)")
    forces = table[(table["area_type"] == "force") & table["population"].notna()]
    forces = forces[forces["count"].notna()]
    plain = cs.funnel(forces["count"], forces["population"])
    outside = {
        method: cs.funnel(forces["count"], forces["population"], overdispersion=method)
        for method in ("additive", "multiplicative")
    }
    assert (plain["flag"].isin(["above_99_8", "below_99_8"])).sum() >= 35
    for method, got in outside.items():
        assert got.attrs["overdispersed"] and got.attrs["adjusted"], method
        assert got["flag"].isin(["above_99_8", "below_99_8"]).sum() <= 5, method


def test_funnel_without_overdispersion_keeps_poisson_limits() -> None:
    # Counts at their expected values: phi < 1, tau2 = 0, and the exact limits stand.
    population = np.array([1e4, 2e4, 5e4, 1e5, 2e5, 4e5])
    count = population / 1000 * 8
    got = cs.funnel(count, population, target=8, overdispersion="winsorised")
    assert got.attrs["tau2"] == 0 and got.attrs["phi"] < 1 and not got.attrs["adjusted"]
    np.testing.assert_array_equal(
        got["upper_95"], cs.funnel(count, population, target=8)["upper_95"]
    )
    assert (got["flag"] == "within").all()


def test_funnel_nan_rows_and_errors() -> None:
    got = cs.funnel([10, np.nan, 30], [1000, 2000, np.nan], target=10)
    assert math.isnan(got["rate"].iloc[1]) and not math.isnan(got["upper_95"].iloc[1])
    assert math.isnan(got["upper_95"].iloc[2])
    assert got["flag"].isna().tolist() == [False, True, True]
    with pytest.raises(InputError, match="population: position 1 is 0"):
        cs.funnel([1, 2], [10, 0])
    with pytest.raises(InputError, match="overdispersion: unknown value"):
        cs.funnel([1, 2], [10, 20], overdispersion="trimmed")
    with pytest.raises(InputError, match="target"):
        cs.funnel([0, 0], [10, 20])
    with pytest.raises(InputError, match="conf"):
        cs.funnel([1, 2], [10, 20], conf=(0.95, 1.2))
    with pytest.raises(InputError, match="tau2"):
        cs.funnel_limits([10], 1, tau2=-1)


# --- trend -----------------------------------------------------------------------------------


def series() -> pd.DataFrame:
    """Two forces over four years; Devon and Cornwall has no 2023 row."""
    return pd.DataFrame(
        {
            "force": ["Bedfordshire"] * 4 + ["Devon and Cornwall"] * 3,
            "year": [2022, 2023, 2024, 2025, 2022, 2024, 2025],
            "offences": [4500, 4700, 4949, 5108, 12000, 12853, 14530],
            "people": [710_000, 720_000, 729_221, 749_943, 1_800_000, 1_822_182, 1_840_161],
        }
    )


def test_trend_changes_and_tests() -> None:
    data = series()
    got = cs.trend(data, count="offences", population="people", period="year", by="force")
    assert list(got.columns) == [
        "force",
        "period",
        "count",
        "population",
        "rate",
        "lower",
        "upper",
        "compared_with",
        "change_on_previous",
        "change_on_base",
        "significant",
        "comparable",
        "significant_on_base",
        "change_like_for_like",
        "significant_like_for_like",
    ]
    beds = got[got["force"] == "Bedfordshire"].reset_index(drop=True)
    want = cs.test_change(5108, 4949, exposure_current=749_943, exposure_previous=729_221).iloc[0]
    assert beds["change_on_previous"].iloc[3] == pytest.approx(100 * (want["ratio"] - 1), rel=1e-14)
    assert beds["significant"].iloc[3] == want["significant"]
    base = cs.test_change(5108, 4500, exposure_current=749_943, exposure_previous=710_000).iloc[0]
    assert beds["change_on_base"].iloc[3] == pytest.approx(100 * (base["ratio"] - 1), rel=1e-14)
    assert beds["significant_on_base"].iloc[3] == base["significant"]
    assert math.isnan(beds["change_on_previous"].iloc[0]) and beds["significant"].iloc[0] is pd.NA
    assert beds["change_on_base"].iloc[0] == 0
    rates = cs.rate(beds["count"], beds["population"])
    np.testing.assert_array_equal(beds["upper"], rates["upper"])


def test_trend_missing_year_is_nan_not_shifted() -> None:
    got = cs.trend(series(), count="offences", population="people", period="year", by="force")
    devon = got[got["force"] == "Devon and Cornwall"].set_index("period")
    assert list(devon.index) == [2022, 2024, 2025]
    # 2024 has no 2023 to compare with: NaN, not a comparison with 2022.
    assert math.isnan(devon.loc[2024, "change_on_previous"])
    assert devon.loc[2024, "significant"] is pd.NA
    assert not math.isnan(devon.loc[2025, "change_on_previous"])
    assert devon.loc[2024, "change_on_base"] == pytest.approx(
        100 * ((12853 / 1_822_182) / (12000 / 1_800_000) - 1), rel=1e-13
    )


def test_trend_ignores_row_order_and_takes_a_base() -> None:
    data = series()
    shuffled = data.sample(frac=1, random_state=4)
    kwargs = {"count": "offences", "population": "people", "period": "year", "by": "force"}
    pd.testing.assert_frame_equal(cs.trend(data, **kwargs), cs.trend(shuffled, **kwargs))
    based = cs.trend(data, base=2024, **kwargs)
    assert (based.loc[based["period"] == 2024, "change_on_base"] == 0).all()
    single = cs.trend(
        data[data["force"] == "Bedfordshire"], count="offences", population="people", period="year"
    )
    assert single.columns[0] == "period" and len(single) == 4


def test_trend_bad_input() -> None:
    data = series()
    kwargs = {"count": "offences", "population": "people", "period": "year"}
    with pytest.raises(InputError, match="by: column 'area' is not in frame"):
        cs.trend(data, by="area", **kwargs)
    with pytest.raises(InputError, match="period: position 2 repeats period 2023"):
        cs.trend(data.iloc[[0, 1, 1]], **kwargs)
    with pytest.raises(InputError, match="base: 2019 is not among the periods"):
        cs.trend(data, by="force", base=2019, **kwargs)
    with pytest.raises(InputError, match="frame: must be a DataFrame"):
        cs.trend(data.to_dict(), **kwargs)  # type: ignore[arg-type]
    labels = data.assign(year=["2022", "2023", "Spring 2024", "2025", "2022", "2024", "2025"])
    with pytest.raises(InputError, match="period: position 2 is 'Spring 2024', which is not a"):
        cs.trend(labels, **kwargs)
    with pytest.raises(InputError, match="coverage: column 'excludes' is not in frame"):
        cs.trend(data, coverage="excludes", **kwargs)


def rolling() -> pd.DataFrame:
    """Quarterly publications of rolling years, as ONS publishes them, given out of order."""
    ends = ["December 2018", "June 2018", "March 2019", "September 2018", "March 2018"]
    return pd.DataFrame(
        {
            "period": [f"year ending {e}" for e in ends],
            "offences": [4600, 4300, 4019, 4450, 2778],
            "people": [669_000, 667_000, 664_500, 668_000, 664_500],
        }
    )


def test_trend_orders_rolling_years_by_their_end_and_compares_a_year_apart() -> None:
    # The issue: by label text "December 2018" sorts before "June 2018", and neighbouring
    # quarterly publications share nine months. Time order, and only year-on-year changes.
    got = cs.trend(rolling(), count="offences", population="people", period="period")
    assert list(got["period"]) == [
        "year ending March 2018",
        "year ending June 2018",
        "year ending September 2018",
        "year ending December 2018",
        "year ending March 2019",
    ]
    assert got["compared_with"].isna().tolist() == [True] * 4 + [False]
    assert got["compared_with"].iloc[4] == "year ending March 2018"
    want = cs.test_change(4019, 2778, exposure_current=664_500, exposure_previous=664_500)
    assert got["change_on_previous"].iloc[4] == pytest.approx(
        100 * (want["ratio"].iloc[0] - 1), rel=1e-14
    )
    # The base (March 2018) overlaps June, September and December 2018: no change on it.
    assert got["change_on_base"].isna().tolist() == [False, True, True, True, False]
    assert got["significant_on_base"].isna().tolist() == [False, True, True, True, False]


def test_trend_reads_financial_years_dates_and_ranges() -> None:
    kwargs = {"count": "offences", "population": "people", "period": "period"}
    base = pd.DataFrame({"offences": [90, 100, 120], "people": [1e5, 1e5, 1e5]})
    for labels in (
        ["2024/25", "2022/23", "2023/24"],
        ["April 2024 to March 2025", "April 2022 to March 2023", "Apr 2023 - Mar 2024"],
        [2025, 2023, 2024],
        [pd.Timestamp("2025-03-31"), pd.Timestamp("2023-03-31"), pd.Timestamp("2024-03-31")],
    ):
        got = cs.trend(base.assign(period=labels), **kwargs)
        assert list(got["count"]) == [100, 120, 90], labels
        assert got["change_on_previous"].iloc[2] == pytest.approx(-25, rel=1e-12)
        assert got["compared_with"].iloc[2] == labels[2]


def test_trend_coverage_break_is_not_a_change_and_gives_like_for_like() -> None:
    # From the year ending September 2019 the England and Wales total leaves out Greater
    # Manchester; the change across the break is not comparable, and the like-for-like change
    # takes Greater Manchester out of the earlier total too.
    data = pd.DataFrame(
        {
            "area": ["England and Wales", "Greater Manchester", "Kent"] * 2,
            "period": ["year ending September 2018"] * 3 + ["year ending September 2019"] * 3,
            "offences": [500_000, 40_000, 9_000, 470_000, np.nan, 9_500],
            "people": [59e6, 2.8e6, 1.8e6, 56.3e6, 2.8e6, 1.85e6],
            "excludes": ["", "", "", "Greater Manchester", "", np.nan],
        }
    )
    got = cs.trend(
        data,
        count="offences",
        population="people",
        period="period",
        by="area",
        coverage="excludes",
    ).set_index(["area", "period"])
    now = ("England and Wales", "year ending September 2019")
    assert not got.loc[now, "comparable"]
    assert math.isnan(got.loc[now, "change_on_previous"]) and got.loc[now, "significant"] is pd.NA
    want = cs.test_change(
        470_000, 460_000, exposure_current=56.3e6, exposure_previous=59e6 - 2.8e6
    ).iloc[0]
    assert got.loc[now, "change_like_for_like"] == pytest.approx(100 * (want["ratio"] - 1))
    assert got.loc[now, "significant_like_for_like"] == want["significant"]
    kent = ("Kent", "year ending September 2019")
    assert got.loc[kent, "comparable"] and not math.isnan(got.loc[kent, "change_on_previous"])
    assert math.isnan(got.loc[kent, "change_like_for_like"])


@settings(max_examples=100, deadline=None)
@given(
    x1=st.integers(0, 10**5),
    x0=st.integers(0, 10**5),
    t1=st.floats(1e2, 1e7),
    t0=st.floats(1e2, 1e7),
    method=st.sampled_from(list(STATSMODELS)),
    conf=st.floats(0.5, 0.99),
)
def test_ratio_interval_widens_with_conf(
    x1: int, x0: int, t1: float, t0: float, method: str, conf: float
) -> None:
    assume(x1 > 0 and x0 > 0)
    kw = {"exposure_current": t1, "exposure_previous": t0, "method": method}
    r = cs.test_change(x1, x0, conf=conf, **kw).iloc[0]
    wider = cs.test_change(x1, x0, conf=conf + 0.009, **kw).iloc[0]
    assert wider["lower"] <= r["lower"] * (1 + 1e-9)
    assert r["upper"] <= wider["upper"] * (1 + 1e-9)


@settings(max_examples=100, deadline=None)
@given(
    count=st.lists(st.integers(0, 50_000), min_size=1, max_size=20),
    benchmark=st.floats(0.1, 30),
    method=st.sampled_from(["phe", "exact", "byar", "score"]),
)
def test_compare_is_the_rate_interval_against_the_benchmark(
    count: list[int], benchmark: float, method: str
) -> None:
    population = np.linspace(1e4, 5e6, len(count))
    got = cs.compare(count, population, benchmark, method=method)
    rates = cs.rate(count, population, method=method)
    np.testing.assert_array_equal(got["lower"], rates["lower"])
    np.testing.assert_array_equal(got["upper"], rates["upper"])
    want = np.where(
        rates["upper"] < benchmark,
        "lower",
        np.where(rates["lower"] > benchmark, "higher", "similar"),
    )
    assert got["comparison"].astype(str).tolist() == want.tolist()


@settings(max_examples=60, deadline=None)
@given(
    count=st.lists(st.integers(0, 50_000), min_size=2, max_size=30),
    target=st.floats(0.5, 20),
)
def test_funnel_flags_match_its_limits(count: list[int], target: float) -> None:
    population = np.linspace(2e4, 3e6, len(count))
    f = cs.funnel(count, population, target=target)
    rate = f["rate"].to_numpy()
    outside_95 = (rate < f["lower_95"]) | (rate > f["upper_95"])
    outside_998 = (rate < f["lower_99_8"]) | (rate > f["upper_99_8"])
    assert (f["flag"].astype(str) == "within").tolist() == (~outside_95).tolist()
    assert f["flag"].astype(str).str.endswith("99_8").tolist() == outside_998.tolist()
    assert ((f["lower_99_8"] <= f["lower_95"]) & (f["upper_95"] <= f["upper_99_8"])).all()


def test_score_interval_stays_ordered_at_a_tiny_conf() -> None:
    # Found by the any-input property: with z near 0 both score roots equal x1 / x0, and
    # rounding put the lower above the upper.
    t = cs.test_change(6651472837886291.0, 1, method="score", conf=5.1454149120288824e-148)
    assert t["lower"].iloc[0] <= t["ratio"].iloc[0] <= t["upper"].iloc[0] * (1 + 1e-15)
    assert t["lower"].iloc[0] <= t["upper"].iloc[0]


def stacked_workbooks() -> pd.DataFrame:
    """Total recorded crime from every ONS workbook in ../shared/data, stacked with pd.concat."""
    paths = sorted(DATA.glob("*.xlsx"))
    paths = [p for p in paths if not p.name.startswith("LAD")]
    if not paths:
        pytest.skip(f"no ONS workbooks in {DATA}")
    frames = []
    for path in paths:
        tables = cs.ons.read_pfa_tables(path)
        one = tables.offence("Total recorded crime (excluding fraud)")
        if "period" not in one.columns:
            one["period"] = tables.period
        if "excludes" not in one.columns:
            # The totals Greater Manchester's missing data leave it out of (the ONS note).
            totals = one["area_name"].isin(["England and Wales", "England", "North West"])
            one["excludes"] = np.where(totals, "; ".join(tables.excluded), "")
        frames.append(one)
    return pd.concat(frames, ignore_index=True)


def test_trend_of_every_ons_workbook_stacked() -> None:
    data = stacked_workbooks()
    got = cs.trend(
        data,
        count="count",
        population="population",
        period="period",
        by=["area_name", "area_type"],
        coverage="excludes",
    )
    got = got.assign(end=cs.ons.period_end(got["period"]).to_numpy())
    assert len(got) == len(data)
    for area, rows in got.groupby(["area_name", "area_type"]):
        # Time order, every publication once.
        assert rows["end"].is_monotonic_increasing and rows["end"].is_unique, area
        assert len(rows) == 8, area
        # Only year-on-year windows: the period compared with ends exactly twelve months earlier.
        compared = rows.dropna(subset=["compared_with"])
        assert len(compared) == 4, area  # each quarter of 2019 on the same quarter of 2018
        then = cs.ons.period_end(compared["compared_with"]).to_numpy()
        gap = (compared["end"].dt.year - pd.DatetimeIndex(then).year) * 12 + (
            compared["end"].dt.month - pd.DatetimeIndex(then).month
        )
        assert (gap == 12).all(), area
    ew = got[got["area_name"] == "England and Wales"].set_index("period")
    for period in ("year ending September 2019", "year ending December 2019"):
        assert not ew.loc[period, "comparable"]
        assert math.isnan(ew.loc[period, "change_on_previous"])
        assert ew.loc[period, "significant"] is pd.NA
        assert not math.isnan(ew.loc[period, "change_like_for_like"])
    assert ew.loc["year ending June 2019", "comparable"]
    forces = got[got["area_type"] == "force"]
    assert forces["area_name"].nunique() == 43 and forces["comparable"].all()


# --- PHEindicatormethods' funnel test data (tests/reference/phe_funnel_*.csv, numbers only) ----

PHE_FUNNEL = Path(__file__).resolve().parent / "reference"


def _phe_significance(count: np.ndarray, denominator: np.ndarray, benchmark: float) -> list[str]:
    """PHEindicatormethods' assign_funnel_significance labels from crimestats.compare: PHE's
    interval on each observed count (exact below 10 events, Byar from 10: method "phe") at
    95 and 99.8 per cent, against the benchmark, the 99.8 per cent level first."""
    out = cs.compare(count, denominator, benchmark, per=1, method="phe", conf=(0.95, 0.998))
    labels = []
    for wide, narrow in zip(out["comparison_99_8"], out["comparison_95"], strict=True):
        if wide == "higher":
            labels.append("High (0.001)")
        elif narrow == "higher":
            labels.append("High (0.025)")
        elif wide == "lower":
            labels.append("Low (0.001)")
        elif narrow == "lower":
            labels.append("Low (0.025)")
        else:
            labels.append("Not significant")
    return labels


def test_phe_funnel_significance_for_ratios() -> None:
    # assign_funnel_significance(obs, expected, statistic = "ratio"): 300 areas, against 1
    data = pd.read_csv(PHE_FUNNEL / "phe_funnel_ratio_significance.csv")
    got = _phe_significance(data["obs"].to_numpy(), data["expected"].to_numpy(), 1.0)
    assert got == data["significance"].tolist()
    assert {"High (0.001)", "Low (0.025)", "Not significant"} <= set(got)


@pytest.mark.parametrize(
    ("column", "kind", "per"),
    [
        ("dsr_per_100000_with_0", "dsr", 1e5),
        ("dsr_per_100_with_0", "dsr", 100),
        ("crude_per_100000_with_0", "crude", 1e5),
        ("crude_per_100_with_0", "crude", 100),
        ("dsr_per_100000_without_0", "dsr", 1e5),
        ("crude_per_100000_without_0", "crude", 1e5),
    ],
)
def test_phe_funnel_significance_for_rates(column: str, kind: str, per: float) -> None:
    # assign_funnel_significance(count, pop, rate, statistic = "rate", rate_type, multiplier):
    # each area's denominator is per * count / rate (its population where the count is 0, for
    # crude rates; none for a DSR), the benchmark the pooled count over those denominators; a
    # DSR from fewer than 10 events has no significance.
    data = pd.read_csv(PHE_FUNNEL / "phe_funnel_rate_significance.csv")
    if column.endswith("without_0"):
        data = data[data["count"] != 0]
    count = data["count"].to_numpy(dtype=float)
    rate = data["rate_dsr" if kind == "dsr" else f"rate_crude_per_{per:g}"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        derived = per * count / rate
    if kind == "dsr":
        derived[count == 0] = np.nan
    else:
        derived[count == 0] = data["pop"].to_numpy(dtype=float)[count == 0]
    average = count.sum() / np.nansum(derived)
    got = _phe_significance(count, derived, average)
    if kind == "dsr":
        got = [
            "Not applicable for events less than 10 for dsrs" if k < 10 else label
            for k, label in zip(count, got, strict=True)
        ]
    assert got == data[column].tolist()


def test_phe_funnel_ratio_limits_to_the_accuracy_phe_computes_them() -> None:
    # calculate_funnel_limits(statistic = "ratio") gives, for each number of observed events O,
    # the expected events at which O lies on a 95 or 99.8 per cent limit: the exact (Garwood)
    # bounds for O, crimestats.rate(O, 1, per=1, method="exact"). PHE finds them by bisection
    # on v = E / (1 + O + E), stopping at a step of 0.5 / 2^23 = 6e-8 in v, so its published
    # values are off by up to that step times dE/dv = (1 + O) / (1 - v)^2 (measured: up to
    # 4.7e-5 relative, at O = 1 and 99.8 per cent); no exact method agrees with them to 1e-9.
    data = pd.read_csv(PHE_FUNNEL / "phe_funnel_ratio_limits.csv")
    observed = data["observed"].to_numpy(dtype=float)
    step = 0.5 / 2**23
    for conf, level in [(0.95, "2s"), (0.998, "3s")]:
        bounds = cs.rate(observed, 1, per=1, method="exact", conf=conf)
        for ours, theirs in [
            ("upper", f"lower_{level}_exp_events"),
            ("lower", f"upper_{level}_exp_events"),
        ]:
            want, got = data[theirs].to_numpy(), bounds[ours].to_numpy()
            v = got / (1 + observed + got)
            allowed = 1.01 * step * (1 + observed) / (1 - v) ** 2 + 1e-9 * got
            assert (np.abs(got - want) <= allowed).all(), (ours, np.max(np.abs(got / want - 1)))
