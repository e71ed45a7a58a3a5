"""Frames and Series of other libraries in, pandas out; integer inputs keep integer columns.

The expected values are crimestats' own results for the same data as pandas (whose numbers the
other test files check against R, statsmodels and the published tables): a polars or Arrow input
must give exactly the pandas input's frame.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import crimestats as cs
from crimestats import _inputs

ROWS: dict[str, list[Any]] = {
    "victim": [1, 0, 1, 1, 0, 0, 1, 0],
    "weight": [900.0, 1100.0, 1000.0, 1200.0, 800.0, 950.0, 1050.0, 1000.0],
    "stratum": ["a", "a", "a", "a", "b", "b", "b", "b"],
    "psu": [1, 1, 2, 2, 3, 3, 4, 4],
    "sex": ["f", "m", "f", "m", "f", "m", "f", "m"],
}
DESIGN = {"weight": "weight", "strata": "stratum", "psu": "psu", "by": "sex"}


class ArrowStream:
    """Only the Arrow PyCapsule stream interface, as a library unknown to narwhals has it."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self.table.__arrow_c_stream__(requested_schema)


class Interchange:
    """Only the dataframe interchange protocol."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table

    def __dataframe__(self, nan_as_null: bool = False, allow_copy: bool = True) -> object:
        return self.table.__dataframe__(nan_as_null, allow_copy)


FRAMES = {
    "polars": pl.DataFrame,
    "pyarrow": pa.table,
    "arrow-stream": lambda rows: ArrowStream(pa.table(rows)),
    "interchange": lambda rows: Interchange(pa.table(rows)),
}


@pytest.mark.parametrize("make", FRAMES.values(), ids=FRAMES.keys())
@pytest.mark.parametrize("estimate", [cs.survey_share, cs.survey_mean, cs.survey_total])
def test_any_frame_in_the_survey_estimates(make: Any, estimate: Any) -> None:
    expected = estimate(pd.DataFrame(ROWS), "victim", **DESIGN)
    got = estimate(make(ROWS), "victim", **DESIGN)
    assert isinstance(got, pd.DataFrame)
    pd.testing.assert_frame_equal(got, expected)


def test_polars_frame_in_the_partials() -> None:
    keys = {"strata": "stratum", "psu": "psu", "by": "sex"}
    categories = cs.survey_categories(pl.DataFrame(ROWS), "victim", **keys)
    assert repr(categories) == repr(cs.survey_categories(pd.DataFrame(ROWS), "victim", **keys))
    partials = cs.survey_partials(
        pa.table(ROWS), "victim", weight="weight", categories=categories, **keys
    )
    expected = cs.survey_share(pd.DataFrame(ROWS), "victim", **DESIGN)
    pd.testing.assert_frame_equal(partials.estimate("share"), expected)


def test_polars_frame_in_trend() -> None:
    years = {
        "year": [2023, 2024, 2025],
        "offences": [4800, 4949, 5108],
        "people": [720_000, 729_221, 749_943],
    }
    expected = cs.trend(pd.DataFrame(years), count="offences", population="people", period="year")
    got = cs.trend(pl.DataFrame(years), count="offences", population="people", period="year")
    pd.testing.assert_frame_equal(got, expected)


def test_numeric_columns_are_shared_not_copied() -> None:
    frame = pl.DataFrame({"w": [1.0, 2.0, 3.0], "n": [1, 2, 3], "s": ["a", "b", None]})
    converted = _inputs.as_pandas("data", frame)
    for column in ("w", "n"):
        assert np.shares_memory(converted[column].to_numpy(), frame[column].to_numpy()), column
    assert converted["n"].dtype == np.int64
    assert converted["s"].isna().tolist() == [False, False, True]
    table = pa.table({"w": [1.0, 2.0, 3.0]})
    shared = _inputs.as_pandas("data", table)["w"].to_numpy()
    assert np.shares_memory(shared, table["w"].chunk(0).to_numpy())


def test_missing_integers_become_nan() -> None:
    converted = _inputs.as_pandas("data", pl.DataFrame({"n": [1, None, 3]}))
    assert converted["n"].dtype == np.float64
    assert np.isnan(converted.loc[1, "n"])


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (pl.DataFrame(ROWS).lazy(), "got LazyFrame (a lazy frame: collect it first)"),
        ([1, 2], "got list"),
        ("victims.csv", "got str"),
        (pd.Series([1, 2]), "got Series"),
    ],
)
def test_what_is_not_a_frame_is_refused(data: Any, said: str) -> None:
    with pytest.raises(cs.InputError, match=r"^data: must be a DataFrame \(pandas, polars, "):
        cs.survey_share(data, "victim", weight="weight")
    with pytest.raises(cs.InputError, match=re.escape(said)):
        cs.survey_share(data, "victim", weight="weight")


SERIES = {
    "polars": lambda v: pl.Series("offences", v),
    "pyarrow-array": pa.array,
    "pyarrow-chunked": lambda v: pa.chunked_array([v[:1], v[1:]]),
}


@pytest.mark.parametrize("make", SERIES.values(), ids=SERIES.keys())
def test_series_of_other_libraries_in_rate(make: Any) -> None:
    counts, populations = [5108, 599_908], [749_943, 61_806_682]
    expected = cs.rate(pd.Series(counts), pd.Series(populations))
    got = cs.rate(make(counts), make(populations))
    pd.testing.assert_frame_equal(got, expected, check_names=False)
    assert round(got.loc[0, "rate"], 2) == 6.81  # the founding report's 6.8 per 1,000


def test_a_named_polars_series_names_the_index() -> None:
    """A polars Series has a name and no index: the name becomes the result's index name, where
    a pandas Series gives its own index (and its index's name)."""
    got = cs.rate(pl.Series("offences", [5108, 4949]), 749_943)
    assert got.index.name == "offences"
    assert got.index.equals(pd.RangeIndex(2, name="offences"))
    area = pd.Index(["Bedfordshire", "Kent"], name="area")
    assert cs.rate(pd.Series([5108, 4949], index=area, name="n"), 749_943).index.name == "area"


def test_a_frame_of_another_library_as_a_column_is_refused() -> None:
    for frame in (pl.DataFrame(ROWS), pa.table(ROWS)):
        with pytest.raises(cs.InputError, match=r"^count: got a DataFrame; pass one column"):
            cs.rate(frame, 1000)


INTEGER_COLUMNS = [
    (lambda c, p: cs.rate(c, p), ["count", "population"]),
    (lambda c, p: cs.proportion(c, p), ["x", "n"]),
    (lambda c, p: cs.change(p, c), ["current", "previous", "change"]),
    (lambda c, p: cs.compare(c, p, 6), ["benchmark"]),
    (lambda c, p: cs.funnel_limits(p, 6.8), ["population"]),
    (lambda c, p: cs.share_ci(0.1, p), ["n"]),
]


@pytest.mark.parametrize(("call", "columns"), INTEGER_COLUMNS)
@pytest.mark.parametrize("kind", ["numpy", "pandas", "nullable", "polars", "list"], ids=lambda k: k)
def test_integer_inputs_keep_integer_columns(call: Any, columns: list[str], kind: str) -> None:
    counts, people = np.array([5108, 4949]), np.array([749_943, 729_221])
    make = {
        "numpy": lambda v: v,
        "pandas": pd.Series,
        "nullable": lambda v: pd.Series(v, dtype="Int64"),
        "polars": pl.Series,
        "list": lambda v: v.tolist(),
    }[kind]
    got = call(make(counts), make(people))
    for column in columns:
        assert got[column].dtype == np.int64, (column, got.dtypes)
    assert got[columns[0]].tolist()[0] in {5108, 6, 749_943}
    floats = call(counts.astype(float), people.astype(float))
    pd.testing.assert_frame_equal(
        got.astype(floats.dtypes), floats, check_index_type=False, check_names=False
    )


def test_the_founding_counts_print_as_counts() -> None:
    assert cs.rate(5108, 749_943).loc[0, "count"] == 5108
    assert cs.rate(np.int64(5108), 749_943)["count"].dtype == np.int64
    assert cs.change(5108, 4949).loc[0, "change"] == 159
    assert cs.change(5108, 4949)["change"].dtype == np.int64


def test_missing_or_fractional_values_keep_float_columns() -> None:
    assert cs.rate(pd.Series([5108, None], dtype="Int64"), 749_943)["count"].dtype == np.float64
    assert cs.rate(pl.Series([5108, None]), 749_943)["count"].dtype == np.float64
    assert cs.rate(5108.5, 749_943, method="byar")["count"].dtype == np.float64
    assert cs.change(5108, 4949.0)["change"].dtype == np.float64


def test_integer_columns_are_copies() -> None:
    counts = np.array([5108, 4949])
    got = cs.rate(counts, 749_943)
    assert not np.shares_memory(got["count"].to_numpy(), counts)


FRAME_TAKERS = {
    "trend_test": (
        lambda f: cs.trend_test(f, count="offences", population="people", period="year"),
        {
            "year": list(range(2015, 2025)),
            "offences": [40, 44, 47, 52, 55, 61, 64, 70, 75, 81],
            "people": [10_000] * 10,
        },
    ),
    "weighted_rate": (
        lambda f: cs.weighted_rate(f, count="count", weight="weight", population="people"),
        {"count": [30, 4], "weight": [2.0, 10.0], "people": [10_000, 10_000]},
    ),
    "flag_reliability": (
        lambda f: cs.flag_reliability(f, "ons"),
        {"share": [0.7, 0.2], "n": [1200, 41]},
    ),
}


@pytest.mark.parametrize(("call", "rows"), FRAME_TAKERS.values(), ids=FRAME_TAKERS.keys())
def test_polars_frames_wherever_a_frame_is_taken(call: Any, rows: dict[str, list[Any]]) -> None:
    pd.testing.assert_frame_equal(call(pl.DataFrame(rows)), call(pd.DataFrame(rows)))


# --- a column name that names two columns: an InputError naming the argument and the name -----

PERIODS = pd.DataFrame(
    {
        "force": ["a"] * 5,
        "count": [50.0, 60, 55, 70, 65],
        "population": [1e4] * 5,
        "period": [2019, 2020, 2021, 2022, 2023],
        "weight": [1.5] * 5,
        "rc": [10.0] * 5,
        "rp": [1e3] * 5,
        "age": ["0-4", "5-9", "10-14", "15-19", "20-24"],
        "std": [5000.0] * 5,
        "share": [0.5] * 5,
        "n": [100.0] * 5,
        "victim": [1, 0, 1, 1, 0],
    }
)
RATE_ARGS = {"count": "count", "population": "population"}
FRAME_CALLS: dict[str, Any] = {
    "trend": lambda f, by: cs.trend(f, **RATE_ARGS, period="period", by=by),
    "trend_test": lambda f, by: cs.trend_test(f, **RATE_ARGS, period="period", by=by),
    "dsr": lambda f, by: cs.dsr(f, **RATE_ARGS, standard="std", by=by),
    "isr": lambda f, by: cs.isr(
        f, **RATE_ARGS, reference_count="rc", reference_population="rp", by=by
    ),
    "weighted_rate": lambda f, by: cs.weighted_rate(f, **RATE_ARGS, weight="weight", by=by),
    "test_weighted_change": lambda f, by: cs.test_weighted_change(
        f, f, **RATE_ARGS, weight="weight", by=by
    ),
    "flag_reliability": lambda f, by: cs.flag_reliability(f, "ons"),
    "survey_share": lambda f, by: cs.survey_share(f, "victim", weight="weight", by=by),
}
DOUBLED = {  # the argument whose column is doubled, per function (the by-column "force" too)
    "trend": ["count", "population", "period"],
    "trend_test": ["count", "population", "period"],
    "dsr": ["count", "population", "standard"],
    "isr": ["count", "population", "reference_count", "reference_population"],
    "weighted_rate": ["count", "population", "weight"],
    "test_weighted_change": ["count", "population", "weight"],
    "flag_reliability": ["n"],
    "survey_share": ["y", "weight"],
}
COLUMN_OF = {
    "standard": "std",
    "reference_count": "rc",
    "reference_population": "rp",
    "y": "victim",
}


@pytest.mark.parametrize(
    ("name", "arg"),
    [(name, arg) for name, args in DOUBLED.items() for arg in [*args, "by"]] + [("dsr", "age")],
)
def test_a_column_name_given_twice_is_an_input_error_naming_it(name: str, arg: str) -> None:
    # trend gave numpy's "Expected a 1D array, got an array with shape (5, 2)"; a doubled
    # by-column "Grouper for 'force' not 1-dimensional"
    if arg == "by" and name == "flag_reliability":
        pytest.skip("flag_reliability takes no by-columns")
    frame = PERIODS
    if name == "dsr" and arg == "age":
        frame = PERIODS.assign(std=PERIODS["std"].iloc[0])
        call = lambda f, by: cs.dsr(f, **RATE_ARGS, standard="esp2013", by=by)  # noqa: E731
    else:
        call = FRAME_CALLS[name]
    column = "force" if arg == "by" else COLUMN_OF.get(arg, arg)
    doubled = pd.concat([frame, frame[[column]]], axis=1)
    call(frame, "force")  # the frame with each name once is taken
    position = list(frame.columns).index(column)
    message = (
        rf"^{arg}: (frame|data) has 2 columns named '{column}' "
        rf"\(at positions \[{position}, {len(frame.columns)}\]\); rename them"
    )
    with pytest.raises(cs.InputError, match=message):
        call(doubled, "force")
