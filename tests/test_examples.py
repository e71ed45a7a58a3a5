"""The worked notebook runs from start to end, and its script twin holds the same cells.

``examples/stalking_report.ipynb`` is committed with its outputs; this test executes it afresh with
nbclient, so a change to the package that breaks it fails here. ``examples/stalking_report.py``
is the same notebook as a script (``# %%`` cells), checked by ``mypy --strict`` in ``make lint``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DATA

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOK = EXAMPLES / "stalking_report.ipynb"
SCRIPT = EXAMPLES / "stalking_report.py"


def script_cells(text: str) -> list[tuple[str, str]]:
    """The (cell type, source) pairs of a ``# %%`` script, markdown unprefixed."""
    cells: list[tuple[str, str]] = []
    for chunk in text.split("# %%")[1:]:
        header, _, body = chunk.partition("\n")
        if header.strip() == "[markdown]":
            lines = [line.removeprefix("#").removeprefix(" ") for line in body.strip().splitlines()]
            cells.append(("markdown", "\n".join(lines)))
        else:
            cells.append(("code", body.strip()))
    return cells


def test_notebook_and_script_hold_the_same_cells() -> None:
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    cells = [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]
    assert cells == script_cells(SCRIPT.read_text(encoding="utf-8"))


def test_notebook_runs() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    if not (DATA / "policeforceareatablesyeendingmarch2019.xlsx").exists():
        pytest.skip("the ONS workbook is not beside this checkout")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": EXAMPLES}}
    )
    client.execute()
    text = "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )
    assert "Bedfordshire Police recorded 4,019 stalking and harassment offences" in text
    assert any(
        "image/png" in output.get("data", {})
        for cell in notebook.cells
        for output in cell.get("outputs", [])
    )
