"""The bad-input catalogue (docs/errors.md): every row is run, so the page is what the code does."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import crimestats as cs
from crimestats import ons, phrase
from crimestats.story import story

from conftest import DATA

PAGE = Path(__file__).resolve().parents[1] / "docs" / "errors.md"
ROW = re.compile(r"^\| (?P<bad>[^|]+) \| `(?P<call>[^`]+)` \| `(?P<outcome>[^`]+)` \|$")


def _rows() -> list[Any]:
    rows, section = [], ""
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:]
        match = ROW.match(line)
        if match:
            name = f"{section}: {match['bad']}"
            rows.append(pytest.param(*match.group("call", "outcome"), id=name))
    return rows


def _names() -> dict[str, Any]:
    """The names the catalogue's calls use, as its introduction defines them."""
    page = PAGE.read_text(encoding="utf-8")
    names: dict[str, Any] = {"cs": cs, "ons": ons, "phrase": phrase, "story": story}
    names |= {"np": np, "pd": pd, "math": math, "nan": math.nan, "inf": math.inf, "DATA": DATA}
    setup = page.split("```python\n", 1)[1].split("```", 1)[0]
    exec(setup, names)
    return names


ROWS = _rows()


def test_the_catalogue_has_rows_for_every_public_function() -> None:
    calls = " ".join(str(row.values[0]) for row in ROWS)
    for name in [*cs.__all__, "read_pfa_tables", "read_open_data", "story"]:
        if name in {"InputError", "ExcludedRowsWarning", "datasets", "ons", "phrase"}:
            continue
        assert f"{name}(" in calls, name


@pytest.mark.parametrize(("call", "outcome"), ROWS)
def test_catalogue_row(call: str, outcome: str) -> None:
    names = _names()
    if "DATA" in call and not DATA.exists():
        pytest.skip("the ONS tables are not beside this checkout")
    kind, _, expected = outcome.partition(": ")
    if kind == "returns":
        result = eval(call, names)
        assert eval(expected, names | {"r": result}), result
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(Exception) as raised:  # the class is checked by name
            eval(call, names)
    assert type(raised.value).__name__ == kind
    if kind == "InputError":
        assert isinstance(raised.value, ValueError)
    message = str(raised.value)
    if expected.endswith("..."):
        assert message.startswith(expected[:-3]), message
    else:
        assert message == expected
