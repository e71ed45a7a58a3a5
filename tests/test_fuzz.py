"""A short fuzzing session of the ONS readers (fuzz/fuzz_ons.py): no crash but InputError.

`make fuzz` runs a longer session. Bugs it found and the fix for each are listed in
docs/hardening.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DATA

ROOT = Path(__file__).resolve().parents[1]


def test_ons_readers_survive_mutated_tables(tmp_path: Path) -> None:
    pytest.importorskip("atheris")
    if not DATA.exists():
        pytest.skip("the ONS workbooks are not beside this checkout")
    run = subprocess.run(
        [sys.executable, str(ROOT / "fuzz" / "fuzz_ons.py"), "-runs=150", "-seed=20251128"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    tail = (run.stdout + run.stderr)[-3000:]
    assert run.returncode == 0, tail
    assert "Done 150 runs" in tail
    assert not list(tmp_path.glob("crash-*"))
