"""Fuzz the ONS readers: mutated real workbooks and CSVs read, or raise InputError; nothing else.

Each input chooses a target and a series of mutations from the fuzzer's bytes:
- a police force area workbook (the real March 2019 tables, cut to P1-P3) with cells replaced by
  odd numbers, ONS markers, footnoted names, blanks or text, rows dropped or duplicated, sheets
  renamed; written to xlsx and read back with `read_pfa_tables` and `.offence(...)`;
- the mid-year population CSV, the force-area lookup and an open-data table, mutated as bytes
  and as fields, read with their readers.

Run: `.venv/bin/python fuzz/fuzz_ons.py -runs=2000` (libFuzzer flags); `make fuzz` runs a short
session and the test suite runs 150 inputs.
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["crimestats"]):
    from crimestats import InputError, ons

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
WORKBOOK = DATA / "policeforceareatablesyeendingmarch2019.xlsx"
POPULATION = DATA / "mye24tablesew.csv"
LOOKUP = (
    DATA / "Local_Authority_District_to_CSPs_to_Police_Force_Areas_(December__2023)_Lookup_.csv"
)
CELLS = [
    "",
    "-",
    "..",
    "+",
    "[x]",
    "1,234",
    "12.5%",
    "0",
    "-7",
    "1e308",
    "nan",
    "Cheshire7",
    "ENGLAND AND WALES6",
    "Area Code",
    "Stalking and\nharassment3",
    "\u2212 3",
    None,
    3.5,
    -1,
]


def _sheets() -> dict[str, list[list[object]]]:
    import pandas as pd

    book = pd.read_excel(WORKBOOK, sheet_name=None, header=None, engine="calamine")
    keep = {}
    for name, frame in book.items():
        if name.strip() in ("Table P1", "Table P2", "Table P3"):
            keep[name] = frame.astype(object).where(frame.notna(), None).values.tolist()
    return keep


SHEETS = _sheets() if WORKBOOK.exists() else {}
POPULATION_BYTES = POPULATION.read_bytes()[:20_000] if POPULATION.exists() else b""
LOOKUP_BYTES = LOOKUP.read_bytes()[:20_000] if LOOKUP.is_file() else b""
INSERTS = [b",", b"\n", b'"', b"..", b"-", b"1,000", b"\xef\xbb\xbf"]
OPEN_DATA = (
    "Financial Year,Force Name,Offence Description,Offence Group,Offence Subgroup,"
    "Offence Code,Number of Offences\n"
    '2023/24,Bedfordshire,Stalking,Stalking and harassment,Stalking,8Q,"1,204"\n'
    '2023/24,Bedfordshire,Harassment,Stalking and harassment,Harassment,8L,"3,904"\n'
    '2024/25,Bedfordshire,Stalking,Stalking and harassment,Stalking,8Q,"1,300"\n'
)


def _mutate_rows(fdp: atheris.FuzzedDataProvider, rows: list[list[object]]) -> list[list[object]]:
    rows = [list(r) for r in rows]
    for _ in range(fdp.ConsumeIntInRange(0, 12)):
        if not rows:
            break
        op = fdp.ConsumeIntInRange(0, 4)
        r = fdp.ConsumeIntInRange(0, len(rows) - 1)
        if op == 0 and rows[r]:
            c = fdp.ConsumeIntInRange(0, len(rows[r]) - 1)
            rows[r][c] = fdp.PickValueInList(CELLS)
        elif op == 1 and rows[r]:
            c = fdp.ConsumeIntInRange(0, len(rows[r]) - 1)
            rows[r][c] = fdp.ConsumeUnicodeNoSurrogates(12)
        elif op == 2:
            del rows[r]
        elif op == 3:
            rows.insert(r, list(rows[r]))
        else:
            rows[r] = rows[r][: fdp.ConsumeIntInRange(0, len(rows[r]))]
    return rows


def _workbook(fdp: atheris.FuzzedDataProvider, folder: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(value: object) -> object:
        # A workbook cannot hold control characters or formulas; keep the text, drop those.
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
            return "'" + value if value[:1] == "=" else value
        return value

    book = Workbook(write_only=True)
    for name, rows in SHEETS.items():
        if fdp.ConsumeIntInRange(0, 9) == 0:
            continue
        title = (
            name if fdp.ConsumeBool() else fdp.PickValueInList(["Table P1", "P2 ", "Sheet", name])
        )
        sheet = book.create_sheet(title[:31])
        for row in _mutate_rows(fdp, rows):
            sheet.append([cell(v) for v in row])
    path = folder / "table.xlsx"
    book.save(path)
    tables = ons.read_pfa_tables(path)
    for name in tables.offences()[:3]:
        tables.offence(name)
    tables.offence(fdp.PickValueInList(["stalking", "Total recorded crime", "robbery", "zzz"]))


def _bytes(fdp: atheris.FuzzedDataProvider, base: bytes) -> bytes:
    data = bytearray(base)
    for _ in range(fdp.ConsumeIntInRange(0, 8)):
        if not data:
            break
        at = fdp.ConsumeIntInRange(0, len(data) - 1)
        op = fdp.ConsumeIntInRange(0, 2)
        if op == 0:
            data[at] = fdp.ConsumeIntInRange(0, 255)
        elif op == 1:
            del data[at : at + fdp.ConsumeIntInRange(1, 200)]
        else:
            data[at:at] = fdp.PickValueInList(INSERTS)
    return bytes(data)


def TestOneInput(data: bytes) -> None:  # noqa: N802 (libFuzzer's name)
    fdp = atheris.FuzzedDataProvider(data)
    target = fdp.ConsumeIntInRange(0, 3)
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        folder = Path(tmp)
        try:
            if target == 0 and SHEETS:
                _workbook(fdp, folder)
            elif target == 1:
                path = folder / "mye.csv"
                path.write_bytes(_bytes(fdp, POPULATION_BYTES))
                ons.read_mid_year_estimates(path)
            elif target == 2:
                path = folder / "lookup.csv"
                path.write_bytes(_bytes(fdp, LOOKUP_BYTES))
                ons.read_pfa_lookup(path)
            else:
                path = folder / "open.csv"
                path.write_bytes(_bytes(fdp, OPEN_DATA.encode()))
                ons.read_open_data(path)
        except InputError:
            pass


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
