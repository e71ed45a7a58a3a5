"""Use crimestats as a fresh virtualenv holding only its wheel (and polars, pyarrow) has it.

``make wheel-test`` runs this with each Python it installs the wheel into, with no Rust toolchain
on PATH. It checks that what was installed is the abi3 wheel (not the checkout), that every ONS
workbook in ``../shared/data`` reads through the core install, that polars and pyarrow frames and
Series go in and pandas comes out with integer counts kept integer, and that the optional extras
name themselves when they are missing. Each check prints one line; the last line counts them.

Not collected by pytest (its name does not start with ``test_``): it runs outside the dev
virtualenv, in which these things are tested by tests/test_inputs.py and tests/test_ons.py.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa

import crimestats as cs
from crimestats import ons

SHARED = Path(os.environ.get("CRIMESTATS_SHARED", Path(__file__).resolve().parents[2] / "shared"))
CHECKS: list[Callable[[], str]] = []


def check(function: Callable[[], str]) -> Callable[[], str]:
    CHECKS.append(function)
    return function


@check
def installed_wheel() -> str:
    core = Path(cs._core.__file__)
    assert Path(sys.prefix) in core.parents, f"crimestats imported from {core}, not the virtualenv"
    assert core.name.endswith(".abi3.so"), f"the extension is {core.name}, not an abi3 build"
    for tool in ("cargo", "rustc"):
        assert shutil.which(tool) is None, f"{tool} is on PATH: {shutil.which(tool)}"
    return f"the abi3 wheel, no Rust on PATH ({core.name})"


@check
def every_ons_workbook() -> str:
    data = SHARED / "data"
    if not data.is_dir():
        if os.environ.get("CRIMESTATS_SKIP_SHARED") == "1":
            return f"skipped: {data} is absent (CRIMESTATS_SKIP_SHARED=1)"
        raise AssertionError(f"{data} is absent")
    books = sorted(data.glob("*.xlsx")) + sorted(data.glob("*.ods"))
    assert books, f"no workbooks in {data}"
    for book in books:
        if book.name.startswith("LAD"):
            frame = ons.read_mid_year_estimates(book)
            assert len(frame) > 300 and frame["population"].gt(0).all(), book.name
        else:
            tables = ons.read_pfa_tables(book)
            beds = tables.offence("Stalking and harassment").set_index("area_name")
            assert beds.loc["Bedfordshire", "count"] > 2000, book.name
    return f"{len(books)} ONS workbooks read"


@check
def polars_frame_in_survey_share() -> str:
    rows = {
        "victim": [1, 0, 1, 1, 0, 0, 1, 0],
        "weight": [900.0, 1100.0, 1000.0, 1200.0, 800.0, 950.0, 1050.0, 1000.0],
        "stratum": ["a", "a", "a", "a", "b", "b", "b", "b"],
        "psu": [1, 1, 2, 2, 3, 3, 4, 4],
        "sex": ["f", "m", "f", "m", "f", "m", "f", "m"],
    }
    keys = {"weight": "weight", "strata": "stratum", "psu": "psu", "by": "sex"}
    expected = cs.survey_share(pd.DataFrame(rows), "victim", **keys)
    for native in (pl.DataFrame(rows), pa.table(rows)):
        got = cs.survey_share(native, "victim", **keys)
        assert isinstance(got, pd.DataFrame), type(got)
        pd.testing.assert_frame_equal(got, expected)
    return "polars DataFrame and pyarrow Table in survey_share, pandas out"


@check
def polars_series_in_rate() -> str:
    counts = pl.Series("offences", [5108, 599_908], dtype=pl.Int64)
    populations = pl.Series("population", [749_943, 61_806_682], dtype=pl.Int64)
    got = cs.rate(counts, populations)
    assert got["count"].dtype == np.int64, got.dtypes
    assert got["count"].tolist() == [5108, 599_908]
    assert round(got["rate"].iloc[0], 2) == 6.81, got
    arrow = cs.rate(pa.chunked_array([[5108], [599_908]]), pa.array([749_943, 61_806_682]))
    pd.testing.assert_frame_equal(arrow, got.rename_axis(arrow.index.name))
    return "polars and pyarrow Series in rate, int64 counts kept int64"


@check
def int64_counts_stay_int64() -> str:
    frame = pd.DataFrame({"count": np.array([5108, 4949], dtype=np.int64)})
    got = cs.rate(frame["count"], 749_943)
    assert got["count"].dtype == np.int64 and got.loc[0, "count"] == 5108, got
    return "int64 counts give an int64 count column (5108, not 5108.0)"


@check
def extras_name_themselves() -> str:
    from crimestats import plot

    areas = pd.DataFrame(
        {"count": [30, 50], "population": [10_000, 12_000], "area_name": ["a", "b"]}
    )
    attempts = {
        "dask": lambda: __import__("crimestats.dask"),
        "plot": lambda: plot.funnel_plot(areas),
    }
    said = []
    for extra, attempt in attempts.items():
        try:
            attempt()
        except ImportError as missing:
            assert f"crimestats[{extra}]" in str(missing), str(missing)
            said.append(extra)
        else:
            raise AssertionError(f"the {extra} extra is installed in a virtualenv without it")
    return f"each missing extra names itself ({', '.join(said)})"


def main() -> int:
    version = platform.python_version()
    failed = 0
    for function in CHECKS:
        try:
            print(f"  ok   {function.__name__}: {function()}")
        except Exception:
            failed += 1
            print(f"  FAIL {function.__name__}")
            traceback.print_exc()
    print(f"wheel check, Python {version}: {len(CHECKS) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
