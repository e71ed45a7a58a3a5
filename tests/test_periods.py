"""crimestats.ons.periods: period labels read as their last day and length."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import crimestats as cs
from crimestats import InputError

from conftest import DATA


@pytest.mark.parametrize(
    ("label", "end", "months"),
    [
        ("year ending March 2019", "2019-03-31", 12),
        ("Year ending Dec 2018", "2018-12-31", 12),
        ("YEAR ENDING SEPT 18", "2018-09-30", 12),
        ("year ending Feb. 2020", "2020-02-29", 12),
        ("YE Jun 19", "2019-06-30", 12),
        ("April 2018 to March 2019", "2019-03-31", 12),
        ("Apr 2018 - Sep 2018", "2018-09-30", 6),
        ("October 2019 \u2013 December 2019", "2019-12-31", 3),
        ("2023/24", "2024-03-31", 12),
        ("2023-24", "2024-03-31", 12),
        ("1999/00", "2000-03-31", 12),
        ("2023/2024", "2024-03-31", 12),
        ("2019", "2019-12-31", 12),
        (2019, "2019-12-31", 12),
        (np.int64(2019), "2019-12-31", 12),
        ("March 2019", "2019-03-31", 1),
        (pd.Timestamp("2019-03-31"), "2019-03-31", 0),
        (dt.date(2019, 3, 31), "2019-03-31", 0),
        (pd.Period("2019Q1"), "2019-03-31", 3),
    ],
)
def test_reads_each_kind_of_label(label: object, end: str, months: int) -> None:
    got = cs.ons.parse_periods([label])
    assert got["period_end"].iloc[0] == pd.Timestamp(end)
    assert got["months"].iloc[0] == months


def test_series_keeps_its_index_and_functions_agree() -> None:
    labels = pd.Series(["year ending June 2018", "2023/24"], index=["a", "b"])
    got = cs.ons.parse_periods(labels)
    assert list(got.index) == ["a", "b"]
    assert list(cs.ons.period_end(labels)) == list(got["period_end"])
    assert list(cs.ons.period_months(labels)) == [12, 12]


@pytest.mark.parametrize(
    "bad",
    [
        "Spring 2019",
        "2023/25",
        "year ending Smarch 2019",
        "June 2019 to March 2019",
        True,
        12.5,
        "x",
    ],
)
def test_unreadable_labels_are_refused_by_position(bad: object) -> None:
    with pytest.raises(InputError, match=r"period: position 1 is .*not a period"):
        cs.ons.parse_periods(["2019", bad])


def test_missing_is_refused() -> None:
    with pytest.raises(InputError, match="period: position 0 is missing"):
        cs.ons.parse_periods([None, "2019"])


def test_every_ons_workbook_period_is_read() -> None:
    paths = [p for p in sorted(DATA.glob("*.xlsx")) if not p.name.startswith("LAD")]
    if not paths:
        pytest.skip(f"no ONS workbooks in {DATA}")
    periods = [cs.ons.read_pfa_tables(p).period for p in paths]
    got = cs.ons.parse_periods(periods)
    assert (got["months"] == 12).all()
    assert sorted(got["period_end"].dt.strftime("%Y-%m")) == [
        "2018-03",
        "2018-06",
        "2018-09",
        "2018-12",
        "2019-03",
        "2019-06",
        "2019-09",
        "2019-12",
    ]
