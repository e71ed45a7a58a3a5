"""Survey partials: merged in any order and grouping, they give the in-memory estimates."""

from __future__ import annotations

import itertools
import pickle
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crimestats as cs
from crimestats import InputError
from crimestats.partials import SurveyCategories, SurveyPartials


def sample(seed: int, rows: int = 400) -> pd.DataFrame:
    """Stratified clustered rows, sorted by PSU, with a missing y and a zero weight here and
    there, two domain columns and a categorical y."""
    rng = np.random.default_rng(seed)
    psu = np.sort(rng.integers(0, 40, rows))
    frame = pd.DataFrame(
        {
            "stratum": psu % 6,
            "psu": psu,
            "ssu": rng.integers(0, 3, rows),
            "fpc": (psu % 6 + 12).astype(float),
            "weight": rng.gamma(3.0, 10.0, rows),
            "sex": rng.choice(["female", "male"], rows),
            "age": rng.choice(["16-24", "25-59", "60+"], rows),
            "victim": rng.integers(0, 2, rows).astype(float),
            "tenure": rng.choice(["owner", "renter", "social"], rows),
        }
    )
    frame.loc[rng.random(rows) < 0.02, "victim"] = np.nan
    frame.loc[rng.random(rows) < 0.02, "weight"] = 0.0
    return frame


def pieces(frame: pd.DataFrame, cuts: list[int]) -> list[tuple[pd.DataFrame, int]]:
    """Consecutive pieces of `frame` at the cut positions, each with its row offset."""
    bounds = [0, *sorted(set(cuts)), len(frame)]
    return [(frame.iloc[a:b], a) for a, b in itertools.pairwise(bounds)]


def partials_of(
    frame: pd.DataFrame, cuts: list[int], y: str, keys: dict[str, Any]
) -> list[SurveyPartials]:
    parts = pieces(frame, cuts)
    categories = None
    for part, _ in parts:
        found = cs.survey_categories(
            part, y, **{k: v for k, v in keys.items() if k in ("strata", "psu", "by")}
        )
        categories = found if categories is None else categories | found
    return [
        cs.survey_partials(part, y, categories=categories, row_offset=offset, **keys)
        for part, offset in parts
    ]


def assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    numbers = [c for c in want.columns if want[c].dtype.kind == "f"]
    assert list(got.columns) == list(want.columns)
    assert got.attrs == want.attrs
    pd.testing.assert_frame_equal(got.drop(columns=numbers), want.drop(columns=numbers))
    for column in numbers:
        np.testing.assert_allclose(got[column], want[column], rtol=1e-10, atol=1e-13)


def merge_in_tree(items: list[SurveyPartials], order: list[int], fan_in: int) -> SurveyPartials:
    """Merge `items` taken in `order`, `fan_in` at a time, level by level."""
    level = [items[i] for i in order]
    while len(level) > 1:
        level = [level[i].merge(*level[i + 1 : i + fan_in]) for i in range(0, len(level), fan_in)]
    return level[0]


KEYS = {
    "weight": "weight",
    "strata": "stratum",
    "psu": ["psu", "ssu"],
    "fpc": ["fpc"],
    "by": ["sex", "age"],
}


@settings(max_examples=40, deadline=None)
@given(
    cuts=st.lists(st.integers(1, 399), max_size=8),
    data=st.data(),
    fan_in=st.integers(2, 4),
)
def test_any_order_and_grouping_of_merges_gives_the_in_memory_estimates(
    cuts: list[int], data: st.DataObject, fan_in: int
) -> None:
    frame = sample(1)
    items = partials_of(frame, cuts, "victim", KEYS)
    order = data.draw(st.permutations(range(len(items))))
    merged = merge_in_tree(items, order, fan_in)
    with pytest.warns(cs.ExcludedRowsWarning):
        got = merged.estimate("share", lonely_psu="adjust")
    with pytest.warns(cs.ExcludedRowsWarning):
        want = cs.survey_share(frame, "victim", lonely_psu="adjust", **KEYS)
    assert_same(got, want)


@pytest.mark.parametrize("statistic", ["share", "mean", "total"])
def test_partials_pickle_and_estimate_every_statistic(statistic: str) -> None:
    frame = sample(2)
    keys = {"weight": "weight", "strata": "stratum", "psu": "psu", "by": "sex"}
    items = [pickle.loads(pickle.dumps(p)) for p in partials_of(frame, [100, 250], "victim", keys)]
    merged = pickle.loads(pickle.dumps(items[2].merge(items[0], items[1])))
    function = {"share": cs.survey_share, "mean": cs.survey_mean, "total": cs.survey_total}
    with pytest.warns(cs.ExcludedRowsWarning):
        got = merged.estimate(statistic, conf=0.9)
    with pytest.warns(cs.ExcludedRowsWarning):
        want = function[statistic](frame, "victim", conf=0.9, **keys)
    assert_same(got, want)


def test_categorical_y_and_an_unclustered_design_by_row_offset() -> None:
    frame = sample(3)
    keys = {"weight": "weight", "strata": "stratum", "by": "age"}
    items = partials_of(frame, [50, 51, 300], "tenure", keys)
    got = merge_in_tree(items, [3, 1, 0, 2], 2).estimate("share", ci="beta")
    assert_same(got, cs.survey_share(frame, "tenure", ci="beta", **keys))
    with pytest.raises(InputError, match="not numeric; use survey_share"):
        items[0].estimate("mean")


def test_one_frame_without_categories_is_the_in_memory_function() -> None:
    frame = sample(4).dropna()
    keys = {"weight": "weight", "strata": "stratum", "psu": "psu", "by": ["sex", "age"]}
    got = cs.survey_partials(frame, "victim", **keys).estimate("total", deff=False)
    assert_same(got, cs.survey_total(frame, "victim", deff=False, **keys))


def test_bytes_are_compact_and_deterministic() -> None:
    frame = sample(5)
    keys = {"weight": "weight", "strata": "stratum", "psu": "psu", "by": "sex"}
    first, second = partials_of(frame, [20], "victim", keys)
    # The first 20 rows touch a couple of PSUs: their bytes hold those cells only.
    assert len(first.core.to_bytes()) < len(second.core.to_bytes()) / 4
    assert first.core.to_bytes() == pickle.loads(pickle.dumps(first)).core.to_bytes()
    with pytest.raises(InputError, match="partials: "):
        cs._core.SurveyPartials(b"CSSP\x01")


def test_every_truncation_and_flipped_byte_of_real_partials_is_an_input_error() -> None:
    # Issue 10's partials rows: a cut or altered payload once decoded to other estimates, or
    # panicked in estimate (index 4294967295). Now the checksum and postcard's reading refuse it.
    frame = sample(7)
    keys = {"weight": "weight", "strata": "stratum", "psu": "psu", "by": "sex"}
    (whole,) = partials_of(frame, [], "victim", keys)
    payload = whole.core.to_bytes()
    for cut in range(len(payload)):
        with pytest.raises(InputError, match="partials: "):
            cs._core.SurveyPartials(payload[:cut])
    for at in range(len(payload)):
        altered = bytearray(payload)
        altered[at] ^= 0x5A
        with pytest.raises(InputError, match="partials: "):
            cs._core.SurveyPartials(bytes(altered)).estimate("share", "logit", 0.95, "fail")


def test_a_short_payload_claiming_huge_tables_is_refused_not_allocated() -> None:
    # Issue 10: a 79-byte payload made decoding allocate 3 GiB; one claiming 4e9 domains decoded
    # and then aborted in estimate. The header's checksum is easy to forge, so the shape's
    # tables are checked against the payload's length before anything is allocated.
    import zlib

    def sealed(body: bytes) -> bytes:
        return b"CSSP\x02" + zlib.crc32(body).to_bytes(4, "little") + body

    def varint(n: int) -> bytes:
        out = bytearray()
        while True:
            byte, n = n & 0x7F, n >> 7
            out.append(byte | (0x80 if n else 0))
            if not n:
                return bytes(out)

    for units, domains in [(1 << 28, 1), (1, 4_000_000_000)]:
        # n_strata, stages [(units, fpc)], n_domains, n_columns, numeric, first rows [0],
        # units [[]], fpc [[]], moments [], cells [].
        body = (
            varint(1)
            + varint(1)
            + varint(units)
            + b"\x00"
            + varint(domains)
            + varint(1)
            + b"\x00"
            + varint(1)
            + varint(0)
            + varint(1)
            + varint(0)
            + varint(1)
            + varint(0)
            + varint(0)
            + varint(0)
        )
        payload = sealed(body)
        assert len(payload) < 80
        with pytest.raises(InputError, match="claims tables"):
            cs._core.SurveyPartials(payload)


def test_mismatched_partials_and_categories_are_input_errors() -> None:
    frame = sample(6)
    keys = {"weight": "weight", "strata": "stratum", "psu": "psu"}
    a = cs.survey_partials(frame.iloc[:100], "victim", **keys)
    b = cs.survey_partials(frame.iloc[100:], "victim", row_offset=100, **keys)
    with pytest.raises(InputError, match="different categories"):
        a.merge(b)
    categories = cs.survey_categories(frame.iloc[:100], "victim", strata="stratum", psu="psu")
    with pytest.raises(InputError, match=r"psu: position \d+ is not among the categories"):
        cs.survey_partials(frame, "victim", categories=categories, **keys)
    with pytest.raises(InputError, match="categories: made for"):
        cs.survey_partials(frame, "victim", weight="weight", categories=categories)
    missing = frame.assign(stratum=frame["stratum"].astype(float))
    missing.loc[107, "stratum"] = np.nan
    with pytest.raises(InputError, match="strata: position 107 is missing"):
        cs.survey_partials(missing.iloc[100:], "victim", row_offset=100, **keys)
    unclustered = cs.survey_categories(frame.iloc[:100], "victim")
    with pytest.raises(InputError, match="row_offset: rows 50 to 149"):
        cs.survey_partials(
            frame.iloc[:100], "victim", weight="weight", categories=unclustered, row_offset=50
        )
    assert isinstance(unclustered | unclustered, SurveyCategories)
    with pytest.raises(InputError, match="categories: made for different columns"):
        unclustered | categories


def test_docstring_examples_run() -> None:
    import doctest

    import crimestats.partials

    assert doctest.testmod(crimestats.partials).failed == 0


def test_the_core_package_does_not_import_dask() -> None:
    import subprocess
    import sys

    code = "import sys, crimestats; sys.exit(any(m.split('.')[0] == 'dask' for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_misaligned_columns_as_a_dask_worker_receives_them() -> None:
    rows = 100
    raw = np.zeros(rows * 8 + 1, dtype=np.uint8)[1:].view(np.float64)
    raw[:] = np.linspace(1.0, 2.0, rows)
    frame = pd.DataFrame(raw.reshape(-1, 1), columns=["weight"], copy=False)
    assert not frame["weight"].to_numpy().flags["ALIGNED"]
    frame["victim"] = np.arange(rows) % 2
    frame["psu"] = np.arange(rows) // 5
    got = cs.survey_partials(frame, "victim", weight="weight", psu="psu").estimate("share")
    want = cs.survey_share(frame.copy(), "victim", weight="weight", psu="psu")
    assert_same(got, want)


def test_domains_of_many_sparse_combinations() -> None:
    # Three by-columns of ~400 distinct values each: the combined key space (64 million) is
    # searched, not tabulated.
    frame = sample(7)
    rng = np.random.default_rng(7)
    for column in "abc":
        frame[column] = rng.integers(0, 100_000, len(frame))
    keys = {"weight": "weight", "strata": "stratum", "psu": "psu", "by": ["a", "b", "c"]}
    items = partials_of(frame, [150, 300], "tenure", keys)
    got = merge_in_tree(items, [2, 0, 1], 3).estimate("share", lonely_psu="remove")
    assert_same(got, cs.survey_share(frame, "tenure", lonely_psu="remove", **keys))
