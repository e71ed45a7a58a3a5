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


# --- issue 10's findings on files: damaged workbooks and lookups (built from the real ones) ----


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


P1_TITLE = ["Table P1: Police recorded crime, year ending March 2019"]
P1_HEADER = ["Area Code", "Area Name", "Total recorded crime (excluding fraud)"]
P1_ROWS = [["K04000001", "England and Wales", "5,000"], ["E23000013", "Cleveland", "70"]]


def test_a_p1_sheet_with_a_header_but_no_rows_is_refused(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "empty.xlsx", {"Table P1": [P1_TITLE, P1_HEADER]})
    with pytest.raises(cs.InputError, match="'Table P1' has a header row but no rows"):
        ons.read_pfa_tables(path)  # was an IndexError in the story


def test_an_empty_sheet_named_like_a_table_before_the_real_one_is_passed_over(
    tmp_path: Path,
) -> None:
    path = _workbook(
        tmp_path / "two.xlsx",
        {"Table P1 ": [["nothing here"]], "Table P1": [P1_TITLE, P1_HEADER, *P1_ROWS]},
    )
    tables = ons.read_pfa_tables(path)
    assert tables.counts["count"].tolist() == [5000.0, 70.0]


def test_corrupt_sheet_xml_inside_a_valid_zip_is_an_input_error(tmp_path: Path) -> None:
    import zipfile

    good = _workbook(tmp_path / "good.xlsx", {"Table P1": [P1_TITLE, P1_HEADER, *P1_ROWS]})
    bad = tmp_path / "corrupt.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = data[: len(data) // 2]  # the sheet's XML cut off mid-element
            target.writestr(item, data)
    with pytest.raises(cs.InputError, match="sheet 'Table P1' cannot be read"):
        ons.read_pfa_tables(bad)  # was python_calamine.XmlError
    from crimestats.report.cli import main

    assert main(["report", str(bad)]) == 2


def test_a_lookup_csv_with_a_blank_force_code_is_refused(tmp_path: Path) -> None:
    lookup = (
        DATA / "Local_Authority_District_to_CSPs_to_Police_Force_Areas_(December__2023)_Lookup_.csv"
    )
    if not lookup.exists():
        pytest.skip("the ONS tables are not beside this checkout")
    lines = lookup.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    force = next(i for i, c in enumerate(header) if c.startswith("PFA") and c.endswith("CD"))
    row = next(i for i, line in enumerate(lines) if ",Hartlepool," in line)
    cells = lines[row].split(",")
    cells[force] = ""
    lines[row] = ",".join(cells)
    blanked = tmp_path / "lookup.csv"
    blanked.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # Cleveland was 502,189 without Hartlepool instead of 600,369, with no word said
    with pytest.raises(cs.InputError, match=r"lookup.csv: line 2 \(Hartlepool\) has no force"):
        ons.pfa_population(DATA / "mye24tablesew.csv", blanked)


def test_report_with_an_empty_offence_is_not_total_crime(capsys: pytest.CaptureFixture) -> None:
    table = DATA / "policeforceareatablesyeendingmarch2019.xlsx"
    if not table.exists():
        pytest.skip("the ONS tables are not beside this checkout")
    from crimestats.report.cli import main

    assert main(["report", str(table), "--offence", ""]) == 2
    assert "offence '' is not in" in capsys.readouterr().err
