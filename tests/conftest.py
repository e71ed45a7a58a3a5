"""Shared test fixtures: where the reference values and the real ONS data live."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import settings

# CI replays the same examples every run, so a red run is a regression, not a new random find;
# elsewhere hypothesis explores afresh each time.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REFERENCE = SHARED / "reference"
DATA = SHARED / "data"


def reference(name: str) -> pd.DataFrame:
    """A reference table from ../shared/reference, or skip when the checkout has none beside it."""
    path = REFERENCE / name
    if not path.exists():
        pytest.skip(f"{path} is not beside this checkout")
    return pd.read_csv(path)


ROOT = Path(__file__).resolve().parents[1]


def r_output(path: Path | str) -> dict[str, list[float]]:
    """`name = [v1, v2, ...]` lines as the committed R reference scripts print them (NA as NaN)."""
    out = {}
    for line in Path(ROOT / path).read_text().splitlines():
        name, _, values = line.partition(" = ")
        out[name] = [float("nan") if v == "NA" else float(v) for v in values[1:-1].split(", ")]
    return out
