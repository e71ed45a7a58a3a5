"""proportion(): reference values, agreement with statsmodels, edges and errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

import crimestats as cs
from crimestats import InputError

from conftest import reference

METHODS = {
    "wilson": "wilson",
    "exact": "beta",
    "jeffreys": "jeffreys",
    "agresti-coull": "agresti_coull",
    "wald": "normal",
}


def test_reference_proportions() -> None:
    # ../shared/reference/proportions.csv: PHEindicatormethods (Wilson) and statsmodels.
    for row in reference("proportions.csv").itertuples():
        got = cs.proportion(row.x, row.n, method=row.method, conf=row.conf)
        assert got["proportion"].iloc[0] == pytest.approx(row.proportion, rel=1e-15)
        assert got["lower"].iloc[0] == pytest.approx(row.lower, rel=1e-9)
        assert got["upper"].iloc[0] == pytest.approx(row.upper, rel=1e-9)


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("conf", [0.9, 0.95, 0.998])
def test_agrees_with_statsmodels(method: str, conf: float) -> None:
    rng = np.random.default_rng(5)
    n = np.concatenate([rng.integers(1, 60, 200), rng.integers(60, 1_000_000, 200)])
    x = rng.binomial(n, rng.uniform(0, 1, n.size))
    x[:5] = 0
    x[5:10] = n[5:10]
    got = cs.proportion(x, n, method=method, conf=conf)
    low, upp = proportion_confint(x, n, alpha=1 - conf, method=METHODS[method])
    if method == "jeffreys":
        # Brown, Cai & DasGupta (2001): lower 0 at x = 0, upper 1 at x = n; statsmodels keeps the
        # plain beta quantiles there.
        low, upp = np.where(x == 0, 0.0, low), np.where(x == n, 1.0, upp)
    # statsmodels' Wilson leaves rounding noise (~1e-17) where the bound is exactly 0 or 1.
    np.testing.assert_allclose(got["lower"], low, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(got["upper"], upp, rtol=1e-10, atol=1e-15)
    assert (got["lower"][x == 0] == 0).all() and (got["upper"][x == n] == 1).all()


def test_edges_x_zero_and_x_n() -> None:
    p = cs.proportion([0, 20], [20, 20], method="exact")
    assert p["lower"].iloc[0] == 0 and p["upper"].iloc[1] == 1
    assert p["upper"].iloc[0] == pytest.approx(1 - 0.025 ** (1 / 20), rel=1e-13)
    w = cs.proportion([0, 20], [20, 20], conf=0.998)
    assert w["lower"].iloc[0] == 0 and w["upper"].iloc[1] == pytest.approx(1)


def test_effective_base_is_fractional() -> None:
    # A published share with a design factor: n / deft^2 need not be whole.
    p = cs.proportion(0.7 * 1000 / 1.2**2, 1000 / 1.2**2)
    assert p["proportion"].iloc[0] == pytest.approx(0.7)


def test_series_index_kept() -> None:
    x = pd.Series([10, 20], index=["women", "men"])
    p = cs.proportion(x, 100)
    assert list(p.index) == ["women", "men"]
    assert list(p.columns) == ["x", "n", "proportion", "lower", "upper"]


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 10**6), frac=st.floats(0, 1), method=st.sampled_from(list(METHODS)))
def test_interval_contains_estimate(n: int, frac: float, method: str) -> None:
    x = round(n * frac)
    p = cs.proportion(x, n, method=method).iloc[0]
    assert 0 <= p["lower"] <= p["upper"] <= 1
    if method in ("wilson", "exact", "jeffreys"):
        assert p["lower"] <= p["proportion"] <= p["upper"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"x": [1, 30], "n": [10, 20]}, "x: position 1 is 30, more than n (20)"),
        ({"x": [1, -1], "n": 10}, "x: position 1 is -1"),
        ({"x": 1, "n": 0}, "n: position 0 is 0"),
        ({"x": 1.5, "n": 10, "method": "exact"}, "x: position 0 is 1.5, not a whole number"),
        (
            {"x": 1, "n": 10, "method": "binomial"},
            "method: unknown value \"binomial\"; choose one of 'wilson'",
        ),
        ({"x": 1, "n": 10, "conf": 0}, "conf: 0 is not between 0 and 1"),
        ({"x": [1, 2], "n": [10, 20, 30]}, "x: has 2 elements but n has 3"),
    ],
)
def test_bad_input(kwargs: dict, message: str) -> None:
    with pytest.raises(InputError) as caught:
        cs.proportion(**kwargs)
    assert message in str(caught.value)


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(2, 10**5),
    frac=st.floats(0, 1),
    factor=st.integers(2, 50),
    conf=st.floats(0.5, 0.99),
    method=st.sampled_from(list(METHODS)),
)
def test_interval_widens_with_conf_and_narrows_with_n(
    n: int, frac: float, factor: int, conf: float, method: str
) -> None:
    x = round(n * frac)
    p = cs.proportion(x, n, method=method, conf=conf).iloc[0]
    wider = cs.proportion(x, n, method=method, conf=conf + 0.009).iloc[0]
    larger = cs.proportion(x * factor, n * factor, method=method, conf=conf).iloc[0]
    assert wider["lower"] <= p["lower"] + 1e-15 and p["upper"] <= wider["upper"] + 1e-15
    assert larger["upper"] - larger["lower"] <= p["upper"] - p["lower"] + 1e-15


@settings(max_examples=100, deadline=None)
@given(
    share=st.floats(0, 1),
    n=st.floats(10, 1e5),
    deft=st.floats(1, 2),
    method=st.sampled_from(["wilson", "agresti-coull", "wald"]),
)
def test_share_ci_agrees_with_statsmodels_on_the_effective_base(
    share: float, n: float, deft: float, method: str
) -> None:
    # A published share on base n with design factor deft: a proportion on n / deft^2, which
    # statsmodels takes as a fractional count and base.
    got = cs.share_ci(share, n, deft=deft, method=method).iloc[0]
    effective = n / deft**2
    lower, upper = proportion_confint(share * effective, effective, method=METHODS[method])
    assert got["lower"] == pytest.approx(max(lower, 0.0), rel=1e-9, abs=1e-12)
    assert got["upper"] == pytest.approx(min(upper, 1.0), rel=1e-9, abs=1e-12)
    wider = cs.share_ci(share, n, deft=deft * 1.1, method=method).iloc[0]
    # Within a few doubles of 0 or 1, the count share * m read back as a share (m / m) may round
    # to the next double, which changes 1 - p, and with it Wald's standard error, by up to half:
    # nesting holds there only to that rounding (share 1 - 1e-16, n 10, deft 1.5 was 3e-9 out).
    slack = 1e-15 if method != "wald" or 1e-12 < share < 1 - 1e-12 else 1e-8
    assert wider["lower"] <= got["lower"] + slack and got["upper"] <= wider["upper"] + slack
