"""trend_test: R glm agreement, Fingertips' rules and markers, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import crimestats as cs
from crimestats import InputError

from conftest import assert_r_output_current, r_output

# src/core/trend/r_reference.out: R 4.2.2 glm(count ~ time + offset(log(population))) on the
# series r_reference.R generates (Poisson and negative binomial counts, 5 to 12 periods).
R_SCRIPT = "src/core/trend/r_reference.R"
R = r_output("src/core/trend/r_reference.out")


def r_series() -> pd.DataFrame:
    lengths = np.array(R["lengths"], dtype=int)
    return pd.DataFrame(
        {
            "series": np.repeat(np.arange(len(lengths)), lengths),
            "year": 2010 + np.array(R["time"], dtype=int),
            "count": R["count"],
            "population": R["population"],
        }
    )


@pytest.mark.parametrize("method", ["poisson", "quasipoisson"])
def test_equals_r_glm(method: str) -> None:
    got = cs.trend_test(
        r_series(),
        count="count",
        population="population",
        period="year",
        by="series",
        method=method,
    )
    assert len(got) == len(R["lengths"]) and (got["reason"] == "").all()
    for column in ("rate_ratio", "lower", "upper", "dispersion"):
        np.testing.assert_allclose(got[column], R[f"{method} {column}"], rtol=1e-9)
    want_p = np.array(R[f"{method} p_value"])
    tiny = want_p == 0  # R's p-value underflows to 0 below 1e-308
    np.testing.assert_allclose(got["p_value"][~tiny], want_p[~tiny], rtol=1e-9)
    assert (got["p_value"][tiny] < 1e-290).all()
    want = np.where(
        np.array(R[f"{method} lower"]) > 1,
        "increasing",
        np.where(np.array(R[f"{method} upper"]) < 1, "decreasing", "no significant change"),
    )
    assert list(got["marker"]) == list(want)
    assert list(got["periods"]) == [int(n) for n in R["lengths"]]


def test_r_default_stopping_rule_is_a_step_short() -> None:
    # R's glm at its default control: the same rate ratios, p-values within 1e-3 of themselves.
    got = cs.trend_test(
        r_series(), count="count", population="population", period="year", by="series"
    )
    np.testing.assert_allclose(got["rate_ratio"], R["poisson default rate_ratio"], rtol=1e-7)
    np.testing.assert_allclose(got["p_value"], R["poisson default p_value"], rtol=1e-2, atol=1e-300)


def test_agrees_with_statsmodels_glm() -> None:
    # statsmodels fitted to convergence; R's default stopping rule (which trend_test follows)
    # leaves the standard error a step short, which shows only in the p-values of far tails.
    data = r_series()
    got = cs.trend_test(data, count="count", population="population", period="year", by="series")
    for k, part in data.groupby("series"):
        x = sm.add_constant(part["year"].to_numpy() - part["year"].min())
        fit = sm.GLM(
            part["count"].to_numpy(),
            x,
            family=sm.families.Poisson(),
            offset=np.log(part["population"].to_numpy()),
        ).fit(tol=1e-14, maxiter=200)
        assert got["rate_ratio"].iloc[k] == pytest.approx(np.exp(fit.params[1]), rel=1e-8)
        if fit.pvalues[1] > 1e-6:
            assert got["p_value"].iloc[k] == pytest.approx(fit.pvalues[1], rel=1e-6)


def test_fingertips_rules_say_why_not() -> None:
    years = list(range(2015, 2022))
    frame = pd.DataFrame(
        {
            "area": ["a"] * 7 + ["b"] * 4 + ["c"] * 6 + ["d"] * 7 + ["e"] * 7,
            "year": years + years[:4] + years[:3] + years[4:] + years + years,
            "count": [50, 55, 61, 66, 70, 80, 85]
            + [5, 6, 7, 8]
            + [9] * 6
            + [0] * 7
            + [0] * 6
            + [40],
            "people": 10_000,
        }
    )
    got = cs.trend_test(frame, count="count", population="people", period="year", by="area")
    got = got.set_index("area")
    assert got.loc["a", "marker"] == "increasing" and got.loc["a", "reason"] == ""
    assert got.loc["b", "reason"] == "fewer than 5 periods (4)"
    assert "not equally spaced" in got.loc["c", "reason"]
    assert got.loc["d", "reason"] == "no events in any period"
    assert "does not converge" in got.loc["e", "reason"]
    assert (got.loc[["b", "c", "d", "e"], "marker"] == "cannot be calculated").all()
    assert got.loc[["b", "c", "d", "e"], "rate_ratio"].isna().all()


def test_overlapping_rolling_years_cannot_be_tested() -> None:
    ends = pd.date_range("2017-03-31", periods=8, freq="QE")
    labels = [f"year ending {d:%B %Y}" for d in ends]
    frame = pd.DataFrame({"period": labels, "count": range(100, 108), "people": 1e5})
    got = cs.trend_test(frame, count="count", population="people", period="period")
    assert got.loc[0, "marker"] == "cannot be calculated"
    assert "overlap" in got.loc[0, "reason"]
    annual = frame.iloc[::4]
    assert (
        cs.trend_test(
            annual, count="count", population="people", period="period", min_periods=2 + 1
        ).loc[0, "reason"]
        == "fewer than 3 periods (2)"
    )


def test_quasipoisson_is_wider_for_overdispersed_counts() -> None:
    frame = pd.DataFrame(
        {
            "year": range(2011, 2021),
            "count": [500, 640, 480, 700, 520, 760, 600, 820, 610, 900],
            "people": 1e6,
        }
    )
    kwargs = {"count": "count", "population": "people", "period": "year"}
    poisson = cs.trend_test(frame, **kwargs).iloc[0]
    quasi = cs.trend_test(frame, method="quasipoisson", **kwargs).iloc[0]
    assert quasi["rate_ratio"] == pytest.approx(poisson["rate_ratio"], rel=1e-12)
    assert quasi["dispersion"] > 5
    assert quasi["lower"] < poisson["lower"] and quasi["p_value"] > poisson["p_value"]


def test_bad_input() -> None:
    frame = pd.DataFrame({"year": [2019, 2020], "count": [1, 2], "people": [10, 10]})
    kwargs = {"count": "count", "population": "people", "period": "year"}
    with pytest.raises(InputError, match=r"method: unknown value .linear."):
        cs.trend_test(frame, method="linear", **kwargs)
    with pytest.raises(InputError, match="min_periods"):
        cs.trend_test(frame, min_periods=2, **kwargs)
    with pytest.raises(InputError, match="population: position 1"):
        cs.trend_test(frame.assign(people=[10, 0]), min_periods=3, **kwargs)
    with pytest.raises(InputError, match="appears twice"):
        cs.trend_test(frame.assign(year=2019), min_periods=3, **kwargs)
    with pytest.raises(InputError, match="not a period"):
        cs.trend_test(frame.assign(year=["a", "b"]), min_periods=3, **kwargs)


def test_r_reference_output_is_current(tmp_path: Path) -> None:
    assert_r_output_current(R_SCRIPT, R, tmp_path)
