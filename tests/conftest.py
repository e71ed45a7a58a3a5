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
