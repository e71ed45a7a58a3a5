"""crimestats.dask on a real two-process LocalCluster: the distributed estimates equal the
in-memory ones to 1e-10, with PSUs split across partitions and partitions missing domains."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

import crimestats as cs
from crimestats import ExcludedRowsWarning, InputError

pytest.importorskip("dask.distributed")

import dask.dataframe as dd
from distributed import Client, LocalCluster

import crimestats.dask as csd

PARTITIONS = 7


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    # Two worker processes, as the data would sit on two machines; the dashboard on no
    # fixed port to collide with another cluster on the machine (":0" asks for any free one).
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def sample(seed: int, lonely: bool = False) -> pd.DataFrame:
    """A stratified two-stage sample, sorted by stratum and PSU: 12 strata of 1 to 6 PSUs
    (one PSU only in some strata when `lonely`), 2 to 4 second-stage units per PSU, domains
    sex x region with region following the stratum, so that a partition of consecutive rows
    holds few regions."""
    rng = np.random.default_rng(seed)
    rows = []
    psu = 0
    for stratum in range(12):
        n_psu = 1 if lonely and stratum % 4 == 0 else int(rng.integers(2, 7))
        for _ in range(n_psu):
            psu += 1
            n_ssu = int(rng.integers(2, 5))
            for ssu in range(n_ssu):
                size = int(rng.integers(3, 15))
                rows.append(
                    pd.DataFrame(
                        {
                            "stratum": stratum + 1,
                            "psu": 100 + psu,
                            "ssu": ssu + 1,
                            "fpc1": 3.0 * n_psu + 1.0,
                            "fpc2": 2.0 * n_ssu,
                            "size": size,
                        },
                        index=range(size),
                    )
                )
    frame = pd.concat(rows, ignore_index=True)
    n = len(frame)
    frame["weight"] = rng.gamma(4.0, 12.5, n) * frame["fpc1"] / 3.0
    frame["sex"] = np.array(["female", "male"])[rng.integers(0, 2, n)]
    frame["region"] = np.array(["north", "midlands", "south", "wales"])[frame["stratum"] // 4]
    frame["victim"] = (rng.random(n) < 0.1 + 0.1 * (frame["sex"] == "female")).astype(np.int64)
    frame["income"] = rng.lognormal(10.0, 0.5, n)
    tenure = np.array(["owner", "social", "private"], dtype=object)[rng.integers(0, 3, n)]
    tenure[rng.random(n) < 0.03] = None
    frame["tenure"] = tenure
    return frame.drop(columns="size")


def partitioned(frame: pd.DataFrame) -> dd.DataFrame:
    """Consecutive rows in PARTITIONS partitions; checks that some PSU is split and some
    partition misses a domain."""
    data = dd.from_pandas(frame, npartitions=PARTITIONS, sort=False)
    parts = [data.get_partition(i).compute() for i in range(data.npartitions)]
    psus = [set(p["psu"]) for p in parts]
    assert any(a & b for a, b in itertools.pairwise(psus)), "no PSU is split"
    domains = set(zip(frame["sex"], frame["region"], strict=True))
    assert any(len(set(zip(p["sex"], p["region"], strict=True))) < len(domains) for p in parts)
    return data


def assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """The same columns, labels and counts; every number within 1e-10 (relative)."""
    assert list(got.columns) == list(want.columns)
    assert got.attrs == want.attrs
    numbers = [c for c in want.columns if want[c].dtype.kind == "f"]
    pd.testing.assert_frame_equal(got.drop(columns=numbers), want.drop(columns=numbers))
    for column in numbers:
        np.testing.assert_allclose(
            got[column], want[column], rtol=1e-10, atol=1e-13, err_msg=column
        )


DESIGNS: dict[str, dict[str, Any]] = {
    "strata and PSUs": {"strata": "stratum", "psu": "psu"},
    "PSUs only": {"psu": "psu"},
    "strata, no clustering": {"strata": "stratum"},
    "strata, PSUs and fpc": {"strata": "stratum", "psu": "psu", "fpc": "fpc1"},
    "multistage with fpc": {"strata": "stratum", "psu": ["psu", "ssu"], "fpc": ["fpc1", "fpc2"]},
    "multistage without fpc": {"strata": "stratum", "psu": ["psu", "ssu"]},
}


@pytest.mark.parametrize("design", DESIGNS.values(), ids=list(DESIGNS))
@pytest.mark.parametrize("by", [None, "region", ["sex", "region"]])
def test_share_equals_in_memory(client: Client, design: dict[str, Any], by: Any) -> None:
    frame = sample(1)
    data = partitioned(frame)
    args = {"weight": "weight", "by": by, **design}
    assert_same(
        csd.survey_share(data, "victim", **args), cs.survey_share(data.compute(), "victim", **args)
    )


@pytest.mark.parametrize("lonely_psu", ["remove", "adjust", "average", "certainty"])
@pytest.mark.parametrize("fpc", [None, "fpc1"])
def test_lonely_psus(client: Client, lonely_psu: str, fpc: str | None) -> None:
    frame = sample(2, lonely=True)
    data = partitioned(frame)
    args = {"weight": "weight", "strata": "stratum", "psu": "psu", "fpc": fpc}
    args |= {"by": ["sex", "region"], "lonely_psu": lonely_psu}
    assert_same(
        csd.survey_share(data, "victim", **args), cs.survey_share(data.compute(), "victim", **args)
    )


def test_lonely_psu_fail_names_the_same_row(client: Client) -> None:
    data = partitioned(sample(2, lonely=True))
    args = {"weight": "weight", "strata": "stratum", "psu": "psu"}
    with pytest.raises(InputError) as in_memory:
        cs.survey_share(data.compute(), "victim", **args)
    with pytest.raises(InputError) as distributed:
        csd.survey_share(data, "victim", **args)
    assert str(distributed.value) == str(in_memory.value)


@pytest.mark.parametrize("ci", ["logit", "beta", "xlogit", "wilson", "mean"])
def test_share_intervals(client: Client, ci: str) -> None:
    data = partitioned(sample(3))
    args = {"weight": "weight", "strata": "stratum", "psu": "psu", "by": "sex", "ci": ci}
    assert_same(
        csd.survey_share(data, "victim", **args), cs.survey_share(data.compute(), "victim", **args)
    )


def test_categorical_y_with_missing_values_warns_alike(client: Client) -> None:
    data = partitioned(sample(4))
    args = {"weight": "weight", "strata": "stratum", "psu": "psu", "by": "region"}
    with pytest.warns(ExcludedRowsWarning) as caught:
        got = csd.survey_share(data, "tenure", **args)
    with pytest.warns(ExcludedRowsWarning) as expected:
        want = cs.survey_share(data.compute(), "tenure", **args)
    assert str(caught[0].message) == str(expected[0].message)
    assert got.attrs["excluded_rows"] > 0
    assert_same(got, want)


@pytest.mark.parametrize("design", DESIGNS.values(), ids=list(DESIGNS))
def test_total_and_mean_equal_in_memory(client: Client, design: dict[str, Any]) -> None:
    data = partitioned(sample(5))
    args = {"weight": "weight", "by": ["sex", "region"], **design}
    local = data.compute()
    assert_same(csd.survey_total(data, "victim", **args), cs.survey_total(local, "victim", **args))
    assert_same(csd.survey_mean(data, "income", **args), cs.survey_mean(local, "income", **args))


def test_categories_given_skip_the_first_pass(client: Client) -> None:
    data = partitioned(sample(6))
    keys = {"strata": "stratum", "psu": "psu", "by": "sex"}
    categories = csd.survey_categories(data, "victim", **keys)
    assert categories.rows == len(data)
    share = csd.survey_share(data, "victim", weight="weight", categories=categories, **keys)
    assert_same(share, cs.survey_share(data.compute(), "victim", weight="weight", **keys))
    merged = csd.survey_partials(data, "victim", weight="weight", categories=categories, **keys)
    assert_same(
        merged.estimate("total"), cs.survey_total(data.compute(), "victim", weight="weight", **keys)
    )


@pytest.mark.parametrize("split_every", [2, 3, 8])
def test_merge_tree_fan_in(client: Client, split_every: int) -> None:
    data = dd.from_pandas(sample(7), npartitions=11, sort=False)
    args = {"weight": "weight", "strata": "stratum", "psu": "psu", "by": "region"}
    got = csd.survey_share(data, "victim", split_every=split_every, **args)
    assert_same(got, cs.survey_share(data.compute(), "victim", **args))


def test_errors_name_the_row_in_the_whole_data(client: Client) -> None:
    frame = sample(8)
    frame.loc[len(frame) - 3, "weight"] = -1.0
    data = partitioned(frame)
    with pytest.raises(InputError, match=f"weight: position {len(frame) - 3} "):
        csd.survey_share(data, "victim", weight="weight", strata="stratum", psu="psu")
    with pytest.raises(InputError, match="by: column 'nope' is not in data"):
        csd.survey_share(data, "victim", weight="weight", by="nope")
    with pytest.raises(InputError, match="data: must be a dask DataFrame"):
        csd.survey_share(frame, "victim", weight="weight")
    clean = partitioned(sample(8))
    with pytest.raises(InputError) as in_memory:
        cs.survey_share(clean.compute(), "income", weight="weight")
    with pytest.raises(InputError) as distributed:
        csd.survey_share(clean, "income", weight="weight")
    assert str(distributed.value) == str(in_memory.value)


def test_rate_sums_counts_and_populations_per_group(client: Client) -> None:
    rng = np.random.default_rng(9)
    wards = pd.DataFrame(
        {
            "force": rng.choice(["Bedfordshire", "Kent", "Essex"], 500),
            "year": rng.choice([2024, 2025], 500),
            "offences": rng.integers(0, 40, 500),
            "population": rng.integers(2_000, 9_000, 500),
        }
    )
    data = dd.from_pandas(wards, npartitions=5)
    got = csd.rate(data, "offences", "population", by=["force", "year"], method="exact")
    sums = data.compute().groupby(["force", "year"])[["offences", "population"]].sum()
    want = cs.rate(sums["offences"], sums["population"], method="exact").reset_index()
    want.attrs["populations"] = "sum"  # wards: different populations, parts of a force
    assert_same(got, want)
    with pytest.raises(InputError, match="by: give the column"):
        csd.rate(data, "offences", "population", by=None)


def test_docstring_examples_run(client: Client) -> None:
    import doctest

    assert doctest.testmod(csd).failed == 0


@pytest.mark.parametrize("by", ["force", ["force", "year"]])
def test_compare_and_funnel_sum_per_group(client: Client, by: Any) -> None:
    rng = np.random.default_rng(10)
    wards = pd.DataFrame(
        {
            "force": rng.choice([f"force {i:02d}" for i in range(20)], 2_000),
            "year": rng.choice([2024, 2025], 2_000),
            "offences": rng.integers(0, 60, 2_000),
            "population": rng.integers(2_000, 9_000, 2_000),
        }
    )
    data = dd.from_pandas(wards, npartitions=6)
    sums = data.compute().groupby(by)[["offences", "population"]].sum()
    got = csd.compare(data, "offences", "population", 6.5, by=by, conf=(0.95, 0.998))
    want = cs.compare(sums["offences"], sums["population"], 6.5, conf=(0.95, 0.998))
    want = want.reset_index()
    want.attrs["populations"] = "sum"
    assert_same(got, want)
    for overdispersion in (None, "winsorised"):
        got = csd.funnel(data, "offences", "population", by=by, overdispersion=overdispersion)
        want = cs.funnel(sums["offences"], sums["population"], overdispersion=overdispersion)
        attrs = dict(want.attrs, populations="sum")
        want = want.reset_index()
        want.attrs = attrs
        assert_same(got, want)


def long_table() -> pd.DataFrame:
    """A row per force, year and offence, each repeating its force's population (the issue's
    Bedfordshire 2024: summed over two offences it came out at twice its population)."""
    offences = ["Stalking and harassment", "Violence with injury", "Burglary"]
    people = {
        ("Bedfordshire", 2024): 729_221,
        ("Bedfordshire", 2025): 749_943,
        ("Kent", 2024): 1_870_000,
        ("Kent", 2025): 1_893_000,
    }
    rows = [
        (force, year, offence, 1000 + 7 * i, population)
        for i, ((force, year), population) in enumerate(people.items())
        for offence in offences
    ]
    return pd.DataFrame(rows, columns=["force", "year", "offence", "offences", "population"])


def test_population_repeated_on_rows_of_one_area_is_not_summed(client: Client) -> None:
    frame = long_table()
    data = dd.from_pandas(frame, npartitions=3)
    got = csd.rate(data, "offences", "population", by=["force", "year"])
    assert got.attrs["populations"] == "repeated"
    beds = got[(got["force"] == "Bedfordshire") & (got["year"] == 2024)].iloc[0]
    assert beds["population"] == 729_221 and beds["count"] == 3 * 1000
    want = cs.rate(3 * 1000, 729_221).iloc[0]
    assert beds["rate"] == pytest.approx(want["rate"], rel=1e-15)
    said = csd.rate(data, "offences", "population", by=["force", "year"], populations="repeated")
    assert_same(said, got)
    summed = csd.rate(data, "offences", "population", by=["force", "year"], populations="sum")
    assert summed.attrs["populations"] == "sum"
    assert summed["population"].iloc[0] == 3 * 729_221
    for function in (csd.compare, csd.funnel):
        extra = (9.7,) if function is csd.compare else ()
        out = function(data, "offences", "population", *extra, by=["force", "year"])
        assert out.attrs["populations"] == "repeated"
        assert out["rate"].iloc[0] == pytest.approx(want["rate"], rel=1e-15)


def test_ambiguous_populations_are_refused_with_how_to_give_them(client: Client) -> None:
    # Two wards per force, a row per offence each: parts, or repeats? Not guessed.
    frame = long_table()
    wards = pd.concat([frame, frame.assign(population=frame["population"] // 2)])
    data = dd.from_pandas(wards, npartitions=2)
    with pytest.raises(
        InputError,
        match=r"population: the rows of Bedfordshire, 2024 give "
        r"population 364,610 on 3 rows, 729,221 on 3 rows.*populations='repeated'"
        r".*populations='sum'",
    ):
        csd.rate(data, "offences", "population", by=["force", "year"])
    got = csd.rate(data, "offences", "population", by=["force", "year"], populations="repeated")
    assert got["population"].iloc[0] == 729_221 + 364_610
    # Some areas repeating one population, others adding up parts: refused too.
    mixed = pd.concat(
        [
            frame[frame["force"] == "Kent"],
            pd.DataFrame(
                {
                    "force": ["Essex"] * 2,
                    "year": [2024] * 2,
                    "offence": ["a", "a"],
                    "offences": [5, 6],
                    "population": [1000, 2000],
                }
            ),
        ]
    )
    with pytest.raises(InputError, match="population: the rows of Kent, 2024"):
        csd.rate(
            dd.from_pandas(mixed, npartitions=2), "offences", "population", by=["force", "year"]
        )
    with pytest.raises(InputError, match="populations: unknown value 'first'"):
        csd.rate(data, "offences", "population", by="force", populations="first")
