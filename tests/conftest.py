"""Shared test fixtures: where the reference values and the real ONS data live."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
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


def assert_r_output_current(script: str, committed: dict[str, list[float]], tmp_path: Path) -> None:
    """Runs the committed R reference `script` and checks it prints exactly `committed` (its
    committed output), so the reference values in the tests are the script's; skips without R."""
    if shutil.which("Rscript") is None:
        pytest.skip("R is not installed")
    run = subprocess.run(["Rscript", script], cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    fresh = tmp_path / "fresh.out"
    fresh.write_text(run.stdout)
    again = r_output(fresh)
    assert again.keys() == committed.keys()
    for key, values in committed.items():
        np.testing.assert_array_equal(again[key], values, err_msg=key)
