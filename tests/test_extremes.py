"""Every public vectorised function at the edges of conf, against 50-digit arithmetic (mpmath).

A hypothesis property draws counts, bases and exposures and a conf within 1e-16 of 0 or 1 (or a
usual level), and checks each bound and p-value against an mpmath reference written here from
the method's definition: closed forms evaluated at 40 digits with z = sqrt(2) erfinv(conf), and
the exact and mid-p bounds as roots of the regularised incomplete gamma and beta functions.
Where the answer is a normal number the two agree to a relative 1e-12; a bound that is a
difference of terms (Wald, Agresti-Coull, Byar) is held to 1e-12 of those terms, as the
rounding of the inputs alone limits it there. Below the regression tests for the findings of
issue 10 (rows 5 to 9), each with the reproducer that failed before its fix.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable

import mpmath as mp
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crimestats as cs

mp.mp.dps = 40
TINY = sys.float_info.min  # the smallest normal number
EXAMPLES = settings(max_examples=12, deadline=None)


# --- the references --------------------------------------------------------------------------


def z_of(conf: float) -> mp.mpf:
    """The two-sided normal quantile of the exact `conf` given."""
    return mp.sqrt(2) * mp.erfinv(mp.mpf(conf))


def tail_of(conf: float) -> mp.mpf:
    return (1 - mp.mpf(conf)) / 2


def root(g: Callable[[mp.mpf], mp.mpf], target: mp.mpf, near: float, top: float = math.inf):
    """The x in (0, top) with g(x) = target for a monotone g, found on the log scale from a
    bracket grown around `near` (the value under test, so a wrong one is not assumed right)."""
    h = lambda x: mp.log(g(x)) - mp.log(target)  # noqa: E731
    x0 = mp.mpf(near) if math.isfinite(near) and 0 < near < top else mp.mpf(min(1, top) / 2)
    lo, hi = x0 * (1 - mp.mpf("1e-9")), min(x0 * (1 + mp.mpf("1e-9")), (x0 + top) / 2)
    for _ in range(300):
        if h(lo) * h(hi) <= 0:
            return mp.findroot(h, (lo, hi), solver="anderson")
        lo, hi = lo / 16, min(hi * 16, (hi + top) / 2)
    raise AssertionError(f"no root near {near}")


def poisson_bounds(k: float, method: str, conf: float, got: tuple[float, float]) -> tuple:
    """The interval for the expected count behind k, by `method` (crimestats.rate's)."""
    z, tail, k_ = z_of(conf), tail_of(conf), mp.mpf(k)
    if method == "phe":
        method = "exact" if k < 10 else "byar"
    lower_p = lambda a: lambda mu: mp.gammainc(a, 0, mu, regularized=True)  # noqa: E731
    upper_q = lambda a: lambda mu: mp.gammainc(a, mu, mp.inf, regularized=True)  # noqa: E731
    if method == "exact":
        lo = 0 if k == 0 else root(lower_p(k_), tail, got[0])
        return lo, root(upper_q(k_ + 1), tail, got[1])
    if method == "jeffreys":
        lo = 0 if k == 0 else root(lower_p(k_ + 0.5), tail, got[0])
        return lo, root(upper_q(k_ + 0.5), tail, got[1])
    if method == "midp":
        pmf = lambda mu: mp.exp(-mu + k_ * mp.log(mu) - mp.loggamma(k_ + 1))  # noqa: E731
        below = lambda mu: upper_q(k_)(mu) if k > 0 else 0  # P(X < k)  # noqa: E731
        hi = root(lambda mu: below(mu) + pmf(mu) / 2, tail, got[1])
        lo = 0 if k == 0 else root(lambda mu: lower_p(k_ + 1)(mu) + pmf(mu) / 2, tail, got[0])
        return lo, hi
    if method == "byar":
        lo = 0 if k == 0 else k_ * (1 - 1 / (9 * k_) - z / (3 * mp.sqrt(k_))) ** 3
        k1 = k_ + 1
        return max(lo, 0), k1 * (1 - 1 / (9 * k1) + z / (3 * mp.sqrt(k1))) ** 3
    if method == "score":
        centre, half = k_ + z**2 / 2, z * mp.sqrt(k_ + z**2 / 4)
        return centre - half, centre + half
    half = z * mp.sqrt(k_)  # wald
    return max(k_ - half, 0), k_ + half


def binomial_bounds(x: float, n: float, method: str, conf: float, got: tuple) -> tuple:
    """The interval for a proportion x / n by `method` (crimestats.proportion's)."""
    z, tail, x_, n_ = z_of(conf), tail_of(conf), mp.mpf(x), mp.mpf(n)
    p = x_ / n_
    if method in ("exact", "jeffreys"):
        shift = 0 if method == "exact" else mp.mpf(0.5)
        a_lo, b_lo = (x_, n_ - x_ + 1) if method == "exact" else (x_ + shift, n_ - x_ + shift)
        a_hi, b_hi = (x_ + 1, n_ - x_) if method == "exact" else (x_ + shift, n_ - x_ + shift)
        lo = 0 if x == 0 else root(lambda q: mp.betainc(a_lo, b_lo, 0, q, True), tail, got[0], 1)
        hi = (
            1
            if x == n
            else 1 - root(lambda r: mp.betainc(b_hi, a_hi, 0, r, True), tail, 1 - got[1], 1)
        )
        return lo, hi
    if method == "wilson":
        far = x_ + z**2 / 2 + z * mp.sqrt(x_ * (1 - p) + z**2 / 4)
        return (0 if x == 0 else x_**2 / (n_ * far)), (1 if x == n else far / (n_ + z**2))
    if method == "agresti-coull":
        n_t = n_ + z**2
        p, n_ = (x_ + z**2 / 2) / n_t, n_t
    half = z * mp.sqrt(p * (1 - p) / n_)
    return min(max(p - half, 0), 1), min(max(p + half, 0), 1)


def check(got: float, want: mp.mpf, scale: mp.mpf | float = 0, what: str = "") -> None:
    """`got` within 1e-12 of `want`, relative to it (or to `scale`, the size of the terms a
    difference cancels), where `want` is a normal number; 0 and overflow exactly."""
    want = mp.mpf(want)
    if want == 0:
        assert got == 0 or abs(got) <= 1e-12 * float(scale), (what, got)
    elif abs(want) > sys.float_info.max:
        assert math.isinf(got), (what, got, want)
    elif abs(want) >= TINY:
        allowed = mp.mpf("1e-12") * max(abs(want), mp.mpf(scale))
        assert abs(mp.mpf(got) - want) <= allowed, (what, got, mp.nstr(want, 17))


# --- the strategies --------------------------------------------------------------------------

EDGE = st.sampled_from([1e-16, 3e-16, 1e-12, 1e-9, 1e-6])
CONF = st.one_of(
    EDGE, EDGE.map(lambda d: 1.0 - d), st.sampled_from([0.5, 0.95, 0.998]), st.floats(1e-16, 1)
).filter(lambda c: 0 < c < 1)
COUNT = st.one_of(st.integers(0, 12), st.integers(0, 20_000)).map(float)
WEIGHTED = st.one_of(COUNT, st.floats(1e-6, 1e4))


# --- rate, compare, proportion, share_ci, gross_up --------------------------------------------


@pytest.mark.parametrize("method", ["exact", "byar", "phe", "score", "midp", "jeffreys", "wald"])
@EXAMPLES
@given(k=COUNT, population=st.floats(1.0, 1e7), conf=CONF)
def test_rate_against_mpmath(method: str, k: float, population: float, conf: float) -> None:
    out = cs.rate(k, population, per=1000, method=method, conf=conf)
    lo, hi = out.loc[0, "lower"], out.loc[0, "upper"]
    scale = mp.mpf(1000) / mp.mpf(population)
    want = poisson_bounds(k, method, conf, (lo / float(scale), hi / float(scale)))
    terms = (k + 1) * scale if method in ("byar", "phe", "wald") else 0
    check(lo, want[0] * scale, terms, f"{method} lower")
    check(hi, want[1] * scale, terms, f"{method} upper")
    compared = cs.compare(k, population, 5.0, method=method, conf=conf)
    assert (compared.loc[0, "lower"], compared.loc[0, "upper"]) == (lo, hi)


@pytest.mark.parametrize("method", ["score", "byar", "wald"])
@EXAMPLES
@given(k=WEIGHTED, conf=CONF)
def test_weighted_rate_against_mpmath(method: str, k: float, conf: float) -> None:
    out = cs.rate(k, 1.0, per=1, method=method, conf=conf)
    lo, hi = out.loc[0, "lower"], out.loc[0, "upper"]
    want = poisson_bounds(k, method, conf, (lo, hi))
    terms = k + 1 if method != "score" else 0
    check(lo, want[0], terms, f"{method} lower")
    check(hi, want[1], terms, f"{method} upper")


@pytest.mark.parametrize("method", ["wilson", "exact", "jeffreys", "agresti-coull", "wald"])
@EXAMPLES
@given(data=st.data(), conf=CONF)
def test_proportion_against_mpmath(method: str, data: st.DataObject, conf: float) -> None:
    # mpmath's incomplete beta slows with its parameters: bases to 500 for the beta quantiles
    largest = 500 if method in ("exact", "jeffreys") else 20_000
    n = float(data.draw(st.integers(1, largest)))
    x = float(data.draw(st.integers(0, int(n))))
    out = cs.proportion(x, n, method=method, conf=conf)
    lo, hi = out.loc[0, "lower"], out.loc[0, "upper"]
    want = binomial_bounds(x, n, method, conf, (lo, hi))
    terms = 1 if method in ("wald", "agresti-coull") else 0
    check(lo, want[0], terms, f"{method} lower")
    check(hi, want[1], terms, f"{method} upper")


@EXAMPLES
@given(
    share=st.one_of(
        st.just(0.0), st.floats(1e-300, 1)
    ),  # normal shares: a subnormal has lost digits
    n=st.floats(2, 1e5),
    deft=st.floats(1, 2),
    total=st.floats(1, 1e8),
    conf=CONF,
)
def test_share_ci_and_gross_up_against_mpmath(
    share: float, n: float, deft: float, total: float, conf: float
) -> None:
    out = cs.share_ci(share, n, deft=deft, conf=conf)
    m = float(out.loc[0, "effective_n"])
    want = binomial_bounds(share * m, m, "wilson", conf, (0, 0))
    check(out.loc[0, "lower"], want[0], 0, "share_ci lower")
    check(out.loc[0, "upper"], want[1], 0, "share_ci upper")
    grossed = cs.gross_up(share, total, n=n, deft=deft, conf=conf)
    check(grossed.loc[0, "lower"], want[0] * mp.mpf(total), 0, "gross_up lower")
    check(grossed.loc[0, "upper"], want[1] * mp.mpf(total), 0, "gross_up upper")


# --- test_change, test_share_change -----------------------------------------------------------


def binom_test(x: int, n: int, p: mp.mpf) -> tuple[mp.mpf, mp.mpf]:
    """R binom.test's two-sided p-value, literally (relErr 1 + 1e-7), and P(X = x)."""
    pmf = [mp.binomial(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    d, m = pmf[x] * (1 + mp.mpf("1e-7")), n * p
    if x == m:
        return mp.mpf(1), pmf[x]
    if x < m:
        far = sum(v for v in pmf[int(mp.ceil(m)) :] if v <= d)
        return min(sum(pmf[: x + 1]) + far, 1), pmf[x]
    near = sum(v for v in pmf[: int(mp.floor(m)) + 1] if v <= d)
    return min(near + sum(pmf[x:]), 1), pmf[x]


def ratio_reference(x1: float, x0: float, t1: float, t0: float, method: str, conf: float, got):
    """(lower, upper, p-value) of the rate ratio by `method` (crimestats.test_change's)."""
    z = z_of(conf)
    a, b, u, v = (mp.mpf(w) for w in (x1, x0, t1, t0))
    r, back = u / v, v / u
    if method in ("exact", "midp"):
        p_value, at_x = binom_test(int(x1), int(x1 + x0), u / (u + v))
        if method == "midp":
            p_value -= at_x / 2
        n = x1 + x0
        to_p = lambda bound: 1.0 if math.isinf(bound) else bound / (bound + float(back))  # noqa: E731
        if method == "exact":
            lo, hi = binomial_bounds(x1, n, "exact", conf, (to_p(got[0]), to_p(got[1])))
        else:
            tail, n_ = tail_of(conf), int(n)
            cdf = lambda q, k: mp.betainc(k + 1, n_ - k, q, 1, True) if k >= 0 else 0  # noqa: E731
            pmf = lambda q: mp.binomial(n_, int(x1)) * q**x1 * (1 - q) ** (n_ - x1)  # noqa: E731
            hi = (
                1
                if x1 == n
                else root(lambda q: cdf(q, int(x1) - 1) + pmf(q) / 2, tail, to_p(got[1]), 1)
            )
            above = lambda q: mp.betainc(x1 + 1, n_ - x1, 0, q, True) if x1 < n else 0  # noqa: E731
            lo = 0 if x1 == 0 else root(lambda q: above(q) + pmf(q) / 2, tail, to_p(got[0]), 1)
        odds = lambda q: q / (1 - q) * back if q < 1 else mp.inf  # noqa: E731
        return odds(lo), odds(hi), p_value
    if method == "score":
        stat = (a - b * r) / mp.sqrt((a + b) * r)
        z2, total = z**2, a + b
        big = 2 * a * b + z2 * total + mp.sqrt(z2 * total * (4 * a * b + z2 * total))
        lo, hi = 2 * a * a / big * back, (big / (2 * b * b) if b > 0 else mp.inf) * back
        return lo, hi, mp.erfc(abs(stat) / mp.sqrt(2))
    stat = (a - b * r) / mp.sqrt(a + b * r * r)  # wald
    if a == 0 or b == 0:
        return mp.mpf(0), mp.inf, mp.erfc(abs(stat) / mp.sqrt(2))
    half, log_ratio = z * mp.sqrt(1 / a + 1 / b), mp.log(a / u) - mp.log(b / v)
    return mp.exp(log_ratio - half), mp.exp(log_ratio + half), mp.erfc(abs(stat) / mp.sqrt(2))


@pytest.mark.parametrize("method", ["exact", "midp", "score", "wald"])
@EXAMPLES
@given(
    x1=st.integers(0, 300).map(float),
    x0=st.integers(0, 300).map(float),
    exposure=st.sampled_from([1.0, 1e-6, 3.5, 1e6, 1e12]),
    conf=CONF,
)
def test_test_change_against_mpmath(
    method: str, x1: float, x0: float, exposure: float, conf: float
) -> None:
    out = cs.test_change(x1, x0, exposure_current=exposure, method=method, conf=conf)
    if x1 + x0 == 0:
        assert out.loc[0, "p_value"] == 1.0
        return
    lo, hi, p = (out.loc[0, c] for c in ("lower", "upper", "p_value"))
    want = ratio_reference(x1, x0, exposure, 1.0, method, conf, (lo, hi))
    check(lo, want[0], 0, f"{method} lower")
    check(hi, want[1], 0, f"{method} upper")
    check(p, want[2], 0, f"{method} p-value")


@EXAMPLES
@given(
    s1=st.floats(0, 1),
    s0=st.floats(0, 1),
    n1=st.floats(10, 1e5),
    n0=st.floats(10, 1e5),
    conf=CONF,
)
def test_test_share_change_against_mpmath(
    s1: float, s0: float, n1: float, n0: float, conf: float
) -> None:
    out = cs.test_share_change(s1, n1, s0, n0, deft=1.2, conf=conf)
    a, b, d2 = mp.mpf(s1), mp.mpf(s0), mp.mpf(1.2) ** 2
    se = mp.sqrt(a * (1 - a) * d2 / n1 + b * (1 - b) * d2 / n0)
    difference, half = a - b, z_of(conf) * se
    check(out.loc[0, "lower"], difference - half, abs(difference) + half, "lower")
    check(out.loc[0, "upper"], difference + half, abs(difference) + half, "upper")
    if se > 0:
        check(out.loc[0, "p_value"], mp.erfc(abs(difference / se) / mp.sqrt(2)), 0, "p-value")


# --- a survey interval ---------------------------------------------


@EXAMPLES
@given(conf=CONF, seed=st.integers(0, 2**16))
def test_survey_mean_t_interval_against_mpmath(conf: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({"y": rng.normal(10, 3, 8), "w": rng.uniform(1, 3, 8), "h": [1, 2] * 4})
    out = cs.survey_mean(data, "y", weight="w", strata="h")
    df, mean, se = int(out.loc[0, "df"]), out.loc[0, "mean"], out.loc[0, "se"]
    bounds = cs.survey_mean(data, "y", weight="w", strata="h", conf=conf)
    c, dfm = mp.mpf(conf), mp.mpf(df)
    # P(|T| <= t) = I(t^2 / (df + t^2); 1/2, df/2) = conf, solved for t.
    t = root(
        lambda t: (
            mp.betainc(0.5, dfm / 2, 0, t * t / (dfm + t * t), True)
            if c < 0.5
            else mp.betainc(dfm / 2, 0.5, 0, dfm / (dfm + t * t), True)
        ),
        c if c < 0.5 else 1 - c,
        (bounds.loc[0, "upper"] - mean) / se,
    )
    half = t * mp.mpf(se)
    check(bounds.loc[0, "upper"], mean + half, abs(mean) + half, "upper")
    check(bounds.loc[0, "lower"], mean - half, abs(mean) + half, "lower")


# --- regression tests: issue 10's findings, rows 5 to 9 --------------------------------------


def test_row5_conf_within_1e_16_of_1_gives_finite_z_and_wilson_matches_statsmodels() -> None:
    near_one = 0.9999999999999999
    out = cs.proportion(5000, 10000, conf=near_one)
    assert 0 < out.loc[0, "lower"] < 0.5 < out.loc[0, "upper"] < 1  # was [0, 1] (z = inf)
    want = binomial_bounds(5000, 10000, "wilson", near_one, (0, 0))
    check(out.loc[0, "lower"], want[0])
    # statsmodels proportion_confint(5, 10, alpha=1 - conf, method="wilson") at conf 1 - 1e-9:
    # (0.05595757085101061, 0.9440424291489894); the old z was 4.9e-9 relative off it.
    conf = 1 - 1e-9
    out = cs.proportion(5, 10, conf=conf)
    assert out.loc[0, "lower"] == pytest.approx(0.05595757085101061, rel=1e-13)
    assert out.loc[0, "upper"] == pytest.approx(0.9440424291489894, rel=1e-13)
    for method in ["byar", "score", "wald"]:
        rate = cs.rate(20, 1000, method=method, conf=near_one)
        assert np.isfinite(rate.loc[0, "upper"]), method


def test_row5_conf_within_1e_16_of_0_keeps_its_value() -> None:
    # The Wilson upper bound at x = 0 is z^2 / (n + z^2): z = 1e-16 sqrt(pi / 2) gives
    # 1.570796e-33 for n = 1; 1 - conf had kept only a tenth of conf.
    out = cs.proportion(0, 1, conf=1e-16)
    check(out.loc[0, "upper"], binomial_bounds(0, 1, "wilson", 1e-16, (0, 0))[1])


def test_row6_exact_test_when_one_exposure_dwarfs_the_other() -> None:
    # mpmath: binom.test(3, 10, 1e12 / (1e12 + 1)), R's rule at 40 digits.
    want = binom_test(3, 10, mp.mpf(1e12) / (mp.mpf(1e12) + 1))[0]
    one = cs.test_change(3, 7, exposure_current=1e12, exposure_previous=1)
    mirror = cs.test_change(7, 3, exposure_current=1, exposure_previous=1e12)
    check(one.loc[0, "p_value"], want)  # was 1.19981e-82, 1.6e-4 off
    check(mirror.loc[0, "p_value"], want)
    assert math.isfinite(cs.test_change(4e15, 1).loc[0, "upper"])  # was inf


def test_row7_lower_bounds_for_tiny_weighted_counts_do_not_cancel() -> None:
    out = cs.rate(1e-6, 1, per=1, method="score")
    check(out.loc[0, "lower"], poisson_bounds(1e-6, "score", 0.95, (0, 0))[0])  # was 2.6024e-13
    tiny = cs.proportion(5e-324, 10)
    assert tiny.loc[0, "lower"] <= tiny.loc[0, "proportion"]  # was above the estimate
    out = cs.proportion(1e-6, 1)
    check(out.loc[0, "lower"], binomial_bounds(1e-6, 1, "wilson", 0.95, (0, 0))[0])


def test_row8_no_spurious_overflow() -> None:
    out = cs.rate(0, 1e-306)
    assert out.loc[0, "rate"] == 0 and out.loc[0, "lower"] == 0  # were NaN (0 x inf)
    # a weighted count over a tiny population: 1e-10 * 1000 / 1e-306 = 1e299, not inf
    assert cs.rate(1e-10, 1e-306, method="score").loc[0, "rate"] == pytest.approx(1e299)
    # Wald statistic at an exposure ratio of 1e160: r^2 overflowed and gave z = 0, p = 1
    wald = cs.test_change(5, 3, exposure_current=1e160, method="wald")
    want = ratio_reference(5, 3, 1e160, 1, "wald", 0.95, (0, 0))[2]
    check(wald.loc[0, "p_value"], want)
    score = cs.test_change(5, 3, exposure_current=1e300, method="score")
    check(score.loc[0, "p_value"], ratio_reference(5, 3, 1e300, 1, "score", 0.95, (0, 0))[2])


def test_row9_funnel_and_wilson_at_extreme_targets_and_bases() -> None:
    out = cs.funnel([5, 6], [1000, 2000], target=5e-324)
    assert np.isfinite(out[["upper_95", "upper_99_8"]]).all(axis=None)  # were inf
    assert list(out["flag"]) != ["within", "within"]
    overdispersed = cs.funnel_limits([1000.0], 5e-324, tau2=0.5)
    assert np.isfinite(overdispersed["upper_95"]).all()
    huge = cs.proportion(1, 1e308)
    assert huge.loc[0, "lower"] < huge.loc[0, "upper"]  # had collapsed to a point
    want = binomial_bounds(1, 1e308, "wilson", 0.95, (0, 0))
    check(huge.loc[0, "upper"], want[1])


# --- funnel, funnel_limits ---------------------------------------------------------------------


def gamma_quantile(shape: mp.mpf, p: mp.mpf, near: float, upper: bool) -> mp.mpf:
    """The x with P(shape, x) = p (or Q(shape, x) = p for `upper`): Newton's method on log x,
    started at `near` (the value under test; a wrong one only costs iterations)."""
    shape, p = mp.mpf(shape), mp.mpf(p)
    x = mp.mpf(near) if math.isfinite(near) and near > 0 else shape
    for _ in range(400):
        tail = mp.gammainc(shape, *((x, mp.inf) if upper else (0, x)), regularized=True)
        density = mp.exp(-x + (shape - 1) * mp.log(x) - mp.loggamma(shape))
        slope = (-1 if upper else 1) * x * density / tail  # d log(tail) / d log(x)
        step = max(min((mp.log(tail) - mp.log(p)) / slope, 4), -4)
        x *= mp.exp(-step)
        if abs(step) < mp.mpf("1e-30"):
            return x
    raise AssertionError(f"no gamma quantile near {near}")


def gamma_lower(shape: mp.mpf, p: mp.mpf, got: float) -> mp.mpf:
    """The lower gamma quantile, or 0 when it lies below the smallest normal number (where a
    core result of 0 or a subnormal is right): P(shape, TINY) >= p says so without finding it."""
    if not (got >= TINY) and mp.gammainc(shape, 0, TINY, regularized=True) >= p:
        return mp.mpf(0)
    return gamma_quantile(shape, p, got, upper=False)


@EXAMPLES
@given(
    # expected counts to 20,000, as the counts above (mpmath's incomplete gamma stops
    # converging near the median of a gamma of shape 1e6)
    expected=st.one_of(st.floats(1e-3, 2e4), st.sampled_from([0.01, 1.0, 10.0])),
    target=st.one_of(st.floats(1e-3, 1e3), st.sampled_from([1.0, 5.0])),
    per=st.sampled_from([1.0, 1000.0, 1e5]),
    conf=CONF,
)
def test_funnel_limits_against_mpmath(
    expected: float, target: float, per: float, conf: float
) -> None:
    # FunnelPlotR's exact limits at the expected count E = target population / per: the
    # Garwood interval at E, lower G(a/2; E) and upper G(1 - a/2; E + 1), times per / population
    # (src/core/funnel.rs).
    population = expected * per / target
    out = cs.funnel_limits([population], target, per=per, conf=conf)
    lo, hi = float(out.iloc[0, 1]), float(out.iloc[0, 2])
    e = mp.mpf(target) * mp.mpf(population) / mp.mpf(per)
    scale = mp.mpf(per) / mp.mpf(population)
    tail = tail_of(conf)
    check(lo, gamma_lower(e, tail, lo / float(scale)) * scale, 0, "lower")
    check(hi, gamma_quantile(e + 1, tail, hi / float(scale), upper=True) * scale, 0, "upper")
    # funnel() draws the same limits around the target it is given
    drawn = cs.funnel([3.0], [population], target=target, per=per, conf=conf)
    assert (drawn.iloc[0, 2], drawn.iloc[0, 3]) == (lo, hi)
    # widened (Spiegelhalter 2005): target (1 -/+ z sqrt(phi / (4E) + tau2))^2
    phi, tau2 = 1.7, 0.01
    wide = cs.funnel_limits([population], target, per=per, conf=conf, tau2=tau2, phi=phi)
    root_t = mp.sqrt(mp.mpf(target))
    u = z_of(conf) * mp.sqrt(phi * scale / 4 + mp.mpf(target) * tau2)
    terms = (root_t + u) ** 2
    check(wide.iloc[0, 1], (root_t - u) ** 2 if u < root_t else 0, terms, "widened lower")
    check(wide.iloc[0, 2], terms, 0, "widened upper")


# --- dsr, isr -----------------------------------------------------------------------------------

BANDS = st.lists(
    st.tuples(st.integers(0, 400), st.floats(100, 1e6), st.floats(100, 1e5)), min_size=1, max_size=6
)


@EXAMPLES
@given(bands=BANDS, conf=CONF)
def test_dsr_against_mpmath(bands: list[tuple[int, float, float]], conf: float) -> None:
    # Dobson et al. (1991) with Byar's interval on the total count, as PHEindicatormethods
    frame = pd.DataFrame(bands, columns=["count", "population", "standard"])
    out = cs.dsr(frame, count="count", population="population", standard="standard", conf=conf)
    x = [mp.mpf(c) for c in frame["count"]]
    w = [mp.mpf(s) / mp.mpf(p) for s, p in zip(frame["standard"], frame["population"], strict=True)]
    total, standard = sum(x), sum(mp.mpf(s) for s in frame["standard"])
    if total < 10:
        assert out.loc[0, "suppressed"] and np.isnan(out.loc[0, "lower"])
        return
    value = sum(xi * wi for xi, wi in zip(x, w, strict=True)) / standard
    variance = sum(xi * wi * wi for xi, wi in zip(x, w, strict=True)) / standard**2
    lo, hi = poisson_bounds(float(total), "byar", conf, (0, 0))
    root_ratio, per = mp.sqrt(variance / total), 100_000
    terms = (value + root_ratio * (hi + total)) * per
    check(out.loc[0, "dsr"], value * per, 0, "dsr")
    check(out.loc[0, "lower"], (value + root_ratio * (lo - total)) * per, terms, "lower")
    check(out.loc[0, "upper"], (value + root_ratio * (hi - total)) * per, terms, "upper")


@EXAMPLES
@given(
    bands=st.lists(st.tuples(st.integers(0, 60), st.floats(100, 1e5)), min_size=1, max_size=5),
    conf=CONF,
)
def test_isr_against_mpmath(bands: list[tuple[int, float]], conf: float) -> None:
    # observed over expected at the reference rates; exact below 10 events, Byar from 10 (PHE)
    frame = pd.DataFrame(bands, columns=["count", "population"]).assign(rc=50, rp=1e4)
    out = cs.isr(
        frame, count="count", population="population", reference_count="rc",
        reference_population="rp", conf=conf,
    )  # fmt: skip
    observed = float(frame["count"].sum())
    expected = sum(mp.mpf(50) / mp.mpf(1e4) * mp.mpf(p) for p in frame["population"])
    lo, hi = out.loc[0, "lower"], out.loc[0, "upper"]
    want = poisson_bounds(observed, "phe", conf, (lo * float(expected), hi * float(expected)))
    terms = (observed + 1) / expected if observed >= 10 else 0
    check(lo, want[0] / expected, terms, "lower")
    check(hi, want[1] / expected, terms, "upper")


# --- weighted_rate, test_weighted_change -------------------------------------------------------

OFFENCES = st.lists(st.tuples(st.integers(0, 300), st.floats(0.5, 500)), min_size=1, max_size=5)


def weighted_sums(rows: list[tuple[int, float]]) -> tuple[mp.mpf, mp.mpf, mp.mpf]:
    """The score sum w x, its variance sum w^2 x and the largest weight, at 40 digits."""
    y = sum(mp.mpf(w) * x for x, w in rows)
    v = sum(mp.mpf(w) ** 2 * x for x, w in rows)
    return y, v, mp.mpf(max(w for _, w in rows))


def offences(rows: list[tuple[int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["count", "weight"]).assign(population=2e4)


@pytest.mark.parametrize("method", ["gamma", "normal"])
@EXAMPLES
@given(rows=OFFENCES, conf=CONF)
def test_severity_weighted_rate_against_mpmath(
    method: str, rows: list[tuple[int, float]], conf: float
) -> None:
    # Fay & Feuer (1997): G(a/2; y^2/v, v/y) and G(1 - a/2; (y+m)^2/(v+m^2), (v+m^2)/(y+m))
    out = cs.weighted_rate(
        offences(rows), count="count", weight="weight", population="population", per=1,
        conf=conf, method=method,
    )  # fmt: skip
    y, v, m = weighted_sums(rows)
    lo, hi = out.loc[0, "lower"] * 2e4, out.loc[0, "upper"] * 2e4
    if method == "normal":
        half = z_of(conf) * mp.sqrt(v)
        want = (max(y - half, 0), y + half)
        terms = y + half
    else:
        shape = lambda y_, v_: y_**2 / v_  # noqa: E731
        low = 0 if y == 0 else gamma_lower(shape(y, v), tail_of(conf), lo * float(y / v)) * v / y
        top, top_v = y + m, v + m * m
        up = gamma_quantile(shape(top, top_v), tail_of(conf), hi * float(top / top_v), True)
        want, terms = (low, up * top_v / top), 0
    check(lo, want[0], terms, f"{method} lower")
    check(hi, want[1], terms, f"{method} upper")


def f_quantile(p: mp.mpf, d1: mp.mpf, d2: mp.mpf, near: float) -> mp.mpf:
    """The F(d1, d2) quantile at p, as d2 x / (d1 (1 - x)) for x the Beta(d1/2, d2/2) one."""
    a, b = d1 / 2, d2 / 2
    x_near = d1 * near / (d1 * near + d2) if math.isfinite(near) and near > 0 else 0.5
    x = root(lambda q: mp.betainc(a, b, 0, q, True), p, float(x_near), 1)
    return d2 * x / (d1 * (1 - x))


@pytest.mark.parametrize("method", ["gamma", "normal"])
@EXAMPLES
@given(now=OFFENCES, then=OFFENCES, conf=CONF)
def test_test_weighted_change_against_mpmath(
    method: str, now: list[tuple[int, float]], then: list[tuple[int, float]], conf: float
) -> None:
    out = cs.test_weighted_change(
        offences(now), offences(then), count="count", weight="weight", population="population",
        conf=conf, method=method,
    )  # fmt: skip
    (y1, v1, m1), (y0, v0, m0) = weighted_sums(now), weighted_sums(then)
    lo, hi = out.loc[0, "lower"], out.loc[0, "upper"]
    if y1 == 0 or y0 == 0:
        return  # a bound of 0 or inf, and for the normal method no interval: tested elsewhere
    if method == "normal":
        se, log = mp.sqrt(v1 / y1**2 + v0 / y0**2), mp.log(y1 / y0)
        half = z_of(conf) * se
        want = (mp.exp(log - half), mp.exp(log + half))
        check(out.loc[0, "p_value"], mp.erfc(abs(log / se) / mp.sqrt(2)), 0, "p-value")
    else:  # Fay (1999), Tiwari et al. (2006): bounds from F quantiles of the gamma shapes
        shape = lambda y, v: 2 * y * y / v  # noqa: E731
        a1, b1 = shape(y1, v1), shape(y1 + m1, v1 + m1 * m1)
        a0, b0 = shape(y0, v0), shape(y0 + m0, v0 + m0 * m0)
        low_scale, up_scale = y1 / (y0 + m0), (y1 + m1) / y0
        tail = tail_of(conf)
        want = (
            low_scale * f_quantile(tail, a1, b0, lo / float(low_scale)),
            up_scale * f_quantile(1 - tail, b1, a0, hi / float(up_scale)),
        )
    check(lo, want[0], 0, f"{method} lower")
    check(hi, want[1], 0, f"{method} upper")


# --- trend_test ---------------------------------------------------------------------------------


def poisson_slope(counts: list[int], people: list[float]) -> tuple[mp.mpf, mp.mpf, mp.mpf]:
    """The Poisson regression of count on time with log(population) offset, by Newton's method
    at 40 digits: slope, its standard error and the Pearson chi-square."""
    t = [mp.mpf(i) for i in range(len(counts))]
    y, off = [mp.mpf(c) for c in counts], [mp.log(p) for p in people]
    b0, b1 = mp.log(sum(y) / sum(mp.mpf(p) for p in people)), mp.mpf(0)
    for _ in range(100):
        mu = [mp.exp(b0 + b1 * ti + oi) for ti, oi in zip(t, off, strict=True)]
        g0 = sum(yi - mi for yi, mi in zip(y, mu, strict=True))
        g1 = sum(ti * (yi - mi) for ti, yi, mi in zip(t, y, mu, strict=True))
        h00, h01 = sum(mu), sum(ti * mi for ti, mi in zip(t, mu, strict=True))
        h11 = sum(ti * ti * mi for ti, mi in zip(t, mu, strict=True))
        det = h00 * h11 - h01 * h01
        d0, d1 = (h11 * g0 - h01 * g1) / det, (h00 * g1 - h01 * g0) / det
        b0, b1 = b0 + d0, b1 + d1
        if abs(d0) + abs(d1) < mp.mpf("1e-35"):
            break
    mu = [mp.exp(b0 + b1 * ti + oi) for ti, oi in zip(t, off, strict=True)]
    h00, h01 = sum(mu), sum(ti * mi for ti, mi in zip(t, mu, strict=True))
    h11 = sum(ti * ti * mi for ti, mi in zip(t, mu, strict=True))
    pearson = sum((yi - mi) ** 2 / mi for yi, mi in zip(y, mu, strict=True))
    return b1, mp.sqrt(h00 / (h00 * h11 - h01 * h01)), pearson


@pytest.mark.parametrize("method", ["poisson", "quasipoisson"])
@EXAMPLES
@given(counts=st.lists(st.integers(20, 2_000), min_size=5, max_size=8), conf=CONF)
def test_trend_test_against_mpmath(method: str, counts: list[int], conf: float) -> None:
    people = [1e5 + 5e3 * i for i in range(len(counts))]
    frame = pd.DataFrame({"c": counts, "p": people, "year": range(2015, 2015 + len(counts))})
    out = cs.trend_test(frame, count="c", population="p", period="year", method=method, conf=conf)
    slope, se, pearson = poisson_slope(counts, people)
    lo, hi = out.loc[0, "lower"], out.loc[0, "upper"]
    if method == "poisson":
        q = z_of(conf)
    else:  # t on n - 2 df, the Pearson dispersion floored at 1 (Fingertips)
        df = mp.mpf(len(counts) - 2)
        se *= mp.sqrt(max(pearson / df, 1))
        c = mp.mpf(conf)
        q = root(  # P(|T| <= q) = conf
            lambda t: (
                mp.betainc(0.5, df / 2, 0, t * t / (df + t * t), True)
                if c < 0.5
                else mp.betainc(df / 2, 0.5, 0, df / (df + t * t), True)
            ),
            c if c < 0.5 else 1 - c,
            float(mp.log(hi) - slope) / float(se) if hi > 0 else 1.0,
        )
    # the slope is an iterative fit, right to about 1e-15: held to 1e-12 of the bound, plus, for a
    # bound exp(slope -/+ q se) far from 1, 1e-14 of the exponent's size (q and se each carry
    # their last digits into it: counts [20] * 6 + [236] at conf 1 - 3e-16 give exp(-483), whose
    # t quantile, right to 2.4e-15, moves it by 1.2e-12)
    check(out.loc[0, "rate_ratio"], mp.exp(slope), 0, "rate ratio")
    for got, sign, what in [(lo, -1, "lower"), (hi, 1, "upper")]:
        exponent = slope + sign * q * se
        want = mp.exp(exponent)
        if 0 < got < math.inf and TINY <= want <= sys.float_info.max:
            allowed = mp.mpf("1e-12") + mp.mpf("1e-14") * (abs(slope) + abs(q * se))
            assert abs(mp.log(got) - exponent) <= allowed, (what, got, mp.nstr(want, 17))
        else:
            check(got, want, 0, what)


def test_funnel_at_population_10_and_target_1() -> None:
    # E = 0.01: the lower limit G(a/2; 0.01) is (a/2 Gamma(1.01))^100, 3.5e-159 at 95 per cent,
    # and below the smallest double at conf 1 - 1e-16 (about 1e-1600), where the core gives 0.
    for conf in [0.95, 0.998, 1 - 1e-16, 1e-16]:
        out = cs.funnel_limits([10.0], 1.0, per=1000, conf=conf)
        lo, hi = float(out.iloc[0, 1]), float(out.iloc[0, 2])
        e, scale, tail = mp.mpf("0.01"), mp.mpf(100), tail_of(conf)
        check(lo, gamma_lower(e, tail, lo / 100) * scale, 0, f"lower at {conf}")
        check(hi, gamma_quantile(e + 1, tail, hi / 100, upper=True) * scale, 0, f"upper at {conf}")
    assert cs.funnel_limits([10.0], 1.0, per=1000, conf=0.95).iloc[0, 1] == pytest.approx(
        3.522685997314058605e-159, rel=1e-13
    )


def test_weighted_change_upper_bound_is_finite_at_conf_near_1() -> None:
    # F(1 - a/2; b1, a0) was taken at 1 - tail, which is 1 for conf = 1 - 1e-16: upper inf
    one = offences([(1, 1.0)])
    out = cs.test_weighted_change(
        one, one, count="count", weight="weight", population="population", conf=1 - 1e-16
    )
    assert math.isfinite(out.loc[0, "upper"])
    y, v, m = weighted_sums([(1, 1.0)])
    b1, a0 = 2 * (y + m) ** 2 / (v + m * m), 2 * y * y / v
    want = (y + m) / y * f_quantile(1 - tail_of(1 - 1e-16), b1, a0, out.loc[0, "upper"] / 2)
    check(out.loc[0, "upper"], want, 0, "upper")
