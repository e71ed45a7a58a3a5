"""Properties every vectorised function shares: no dependence on row order or on the pandas index.

A shuffled input gives the same rows, shuffled alike; a Series input's index, whatever it is
(shuffled, text, repeated labels), is the result's index and does not change a number. Properties
of one module's statistics (intervals nest, narrow, agree with scipy and statsmodels) live in that
module's test file.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crimestats as cs

Columns = dict[str, np.ndarray]


def _counts(rng: np.random.Generator, n: int) -> Columns:
    population = rng.uniform(1e3, 2e6, n)
    count = rng.poisson(population * rng.uniform(1e-4, 2e-2, n)).astype(float)
    previous = rng.poisson(count + 5).astype(float)
    return {"count": count, "previous": previous, "population": population}


def _shares(rng: np.random.Generator, n: int) -> Columns:
    return {
        "share": rng.uniform(0, 1, n),
        "share0": rng.uniform(0, 1, n),
        "n": rng.integers(20, 20_000, n).astype(float),
        "deft": rng.uniform(1, 1.6, n),
        "total": rng.uniform(1e4, 1e7, n),
    }


# each function, the inputs it takes from a generated frame, and that frame
CALLS: dict[str, tuple[Callable[..., pd.DataFrame], Callable[[Columns], dict[str, object]]]] = {
    "rate": (cs.rate, lambda c: {"count": c["count"], "population": c["population"]}),
    "rate exact": (
        lambda **a: cs.rate(**a, method="exact"),
        lambda c: {"count": c["count"], "population": c["population"]},
    ),
    "proportion": (
        lambda **a: cs.proportion(**a, method="exact"),
        lambda c: {"x": np.minimum(c["count"], c["previous"]), "n": c["previous"] + 1},
    ),
    "change": (cs.change, lambda c: {"current": c["count"], "previous": c["previous"]}),
    "test_change": (
        cs.test_change,
        lambda c: {
            "current": c["count"],
            "previous": c["previous"],
            "exposure_current": c["population"],
        },
    ),
    "compare": (
        cs.compare,
        lambda c: {"count": c["count"], "population": c["population"], "benchmark": 5.0},
    ),
    "funnel pooled target": (
        cs.funnel,
        lambda c: {"count": c["count"], "population": c["population"]},
    ),
    "funnel overdispersed": (
        lambda **a: cs.funnel(**a, overdispersion="winsorised"),
        lambda c: {"count": c["count"], "population": c["population"]},
    ),
    "share_ci": (cs.share_ci, lambda s: {"share": s["share"], "n": s["n"], "deft": s["deft"]}),
    "test_share_change": (
        cs.test_share_change,
        lambda s: {"share1": s["share"], "n1": s["n"], "share0": s["share0"], "n0": s["n"]},
    ),
    "gross_up": (
        cs.gross_up,
        lambda s: {"share": s["share"], "total": s["total"], "n": s["n"], "deft": s["deft"]},
    ),
}


def _inputs(name: str, seed: int, n: int) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    columns = _shares(rng, n) if name in {"share_ci", "test_share_change", "gross_up"} else None
    return CALLS[name][1](columns if columns is not None else _counts(rng, n))


def _permuted(arguments: dict[str, object], order: np.ndarray) -> dict[str, object]:
    return {k: v[order] if isinstance(v, np.ndarray) else v for k, v in arguments.items()}


@pytest.mark.parametrize("name", list(CALLS))
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 60))
def test_results_do_not_depend_on_row_order(name: str, seed: int, n: int) -> None:
    function, _ = CALLS[name]
    arguments = _inputs(name, seed, n)
    order = np.random.default_rng(seed + 1).permutation(n)
    whole = function(**arguments)
    shuffled = function(**_permuted(arguments, order))
    pd.testing.assert_frame_equal(
        shuffled.reset_index(drop=True), whole.iloc[order].reset_index(drop=True), rtol=1e-12
    )


@pytest.mark.parametrize("name", list(CALLS))
@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 40),
    labels=st.sampled_from(["shuffled", "text", "repeated"]),
)
def test_results_do_not_depend_on_the_index(name: str, seed: int, n: int, labels: str) -> None:
    function, _ = CALLS[name]
    arguments = _inputs(name, seed, n)
    rng = np.random.default_rng(seed + 2)
    index = {
        "shuffled": pd.Index(rng.permutation(n) + 100),
        "text": pd.Index([f"area {i}" for i in rng.permutation(n)]),
        "repeated": pd.Index(rng.integers(0, 3, n)),
    }[labels]
    as_series = {
        k: pd.Series(v, index=index) if isinstance(v, np.ndarray) else v
        for k, v in arguments.items()
    }
    plain = function(**arguments)
    indexed = function(**as_series)
    assert indexed.index.equals(index)
    pd.testing.assert_frame_equal(indexed.reset_index(drop=True), plain, rtol=1e-15)


# --- anything in, InputError or a sound frame out -------------------------------------------------

ANY_VALUE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, 1, -1, 0.5, 1e-320, 1e308, "12", "1,234", "..", "", None, True]),
)
ANY_COLUMN = st.one_of(ANY_VALUE, st.lists(ANY_VALUE, min_size=0, max_size=6))
ANY_CONF = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just(0.95))

FUNCTIONS: dict[str, Callable[..., pd.DataFrame]] = {
    "rate": lambda a, b, c, conf: cs.rate(a, b, conf=conf),
    "rate exact": lambda a, b, c, conf: cs.rate(a, b, method="exact", conf=conf),
    "proportion": lambda a, b, c, conf: cs.proportion(a, b, conf=conf),
    "proportion exact": lambda a, b, c, conf: cs.proportion(a, b, method="exact", conf=conf),
    "change": lambda a, b, c, conf: cs.change(a, b),
    "test_change": lambda a, b, c, conf: cs.test_change(a, b, exposure_current=c, conf=conf),
    "test_change score": lambda a, b, c, conf: cs.test_change(a, b, method="score", conf=conf),
    "compare": lambda a, b, c, conf: cs.compare(a, b, c, conf=conf),
    "funnel": lambda a, b, c, conf: cs.funnel(a, b, conf=conf),
    "share_ci": lambda a, b, c, conf: cs.share_ci(a, b, deft=c, conf=conf),
    "test_share_change": lambda a, b, c, conf: cs.test_share_change(a, b, a, b, deft=c, conf=conf),
    "gross_up": lambda a, b, c, conf: cs.gross_up(a, b, n=c, conf=conf),
}


@pytest.mark.parametrize("name", list(FUNCTIONS))
@settings(max_examples=150, deadline=None)
@given(a=ANY_COLUMN, b=ANY_COLUMN, c=ANY_COLUMN, conf=ANY_CONF)
def test_any_input_gives_an_input_error_or_ordered_intervals(
    name: str, a: object, b: object, c: object, conf: float
) -> None:
    try:
        out = FUNCTIONS[name](a, b, c, conf)
    except cs.InputError:
        return
    bounds = [(lo, hi) for lo, hi in [("lower", "upper"), ("lower_95", "upper_95")] if lo in out]
    for lo, hi in bounds:
        known = out[lo].notna() & out[hi].notna()
        assert (out.loc[known, lo] <= out.loc[known, hi]).all(), out


JUNK = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["F", "", None, True, -1.0, 0.0, 1e308, 5e-324]),
)


def _mostly(good: st.SearchStrategy, n: int) -> st.SearchStrategy:
    """n cells, most of them good, a few junk."""
    return st.lists(st.one_of(good, good, good, good, JUNK), min_size=n, max_size=n)


@st.composite
def survey_frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 16))
    columns = {
        "y": draw(_mostly(st.one_of(st.integers(0, 1), st.floats(0, 100)), n)),
        "weight": draw(_mostly(st.floats(0, 1e4), n)),
        "stratum": draw(_mostly(st.integers(0, 2), n)),
        "psu": draw(_mostly(st.integers(0, 5), n)),
        "by": draw(_mostly(st.sampled_from(["North", "South"]), n)),
    }
    return pd.DataFrame(columns, dtype=object)


@pytest.mark.parametrize("statistic", ["share", "mean", "total"])
@settings(max_examples=150, deadline=None)
@given(
    data=survey_frames(),
    numeric=st.sets(st.sampled_from(["y", "weight", "stratum", "psu"]), min_size=2),
    design=st.sampled_from([{}, {"strata": "stratum", "psu": "psu"}, {"psu": "psu", "by": "by"}]),
    lonely=st.sampled_from(["fail", "remove", "adjust"]),
)
def test_any_survey_frame_gives_an_input_error_or_sound_estimates(
    statistic: str, data: pd.DataFrame, numeric: set[str], design: dict, lonely: str
) -> None:
    for name in numeric:  # some columns as numbers (text cells become NaN), some as they are
        if name != "by":
            data[name] = pd.to_numeric(data[name], errors="coerce")
    function = {"share": cs.survey_share, "mean": cs.survey_mean, "total": cs.survey_total}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cs.ExcludedRowsWarning)
            out = function[statistic](data, "y", weight="weight", lonely_psu=lonely, **design)
    except cs.InputError:
        return
    known = out["lower"].notna() & out["upper"].notna()
    assert (out.loc[known, "lower"] <= out.loc[known, "upper"] + 1e-12).all(), out
    assert (out["se"].dropna() >= 0).all(), out
