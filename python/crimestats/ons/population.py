"""Mid-year population estimates and the district to police force area lookup."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .._core import InputError
from .cells import _MID_YEAR, _find_header, _open_workbook, _parse_cells, _read_csv

_POPULATION_COLUMNS = ["area_code", "area_name", "geography", "year", "population"]


def _pick_population_sheet(book: pd.ExcelFile) -> str:
    names = [str(s) for s in book.sheet_names]
    for wanted in ("mye4", "mye2 - persons", "mye2"):
        for sheet in names:
            if sheet.strip().lower() == wanted:
                return sheet
    for sheet in names:
        if sheet.strip().lower().startswith("mye2"):
            return sheet
    raise InputError(
        f"no MYE4 or MYE2 sheet among {', '.join(names)}: not an ONS mid-year estimates workbook"
    )


def read_mid_year_estimates(
    path: str | Path, *, year: int | None = None, sheet: str | None = None
) -> pd.DataFrame:
    """Read ONS mid-year population estimates by local authority into long form.

    Reads sheet MYE4 (totals for many years, columns ``Mid-2023``, ``Mid-2022`` ...) or MYE2
    (``All ages`` for one year) of the ONS "Estimates of the population for England and Wales"
    workbook, or a CSV export of MYE2 (a UTF-8 byte-order mark is allowed).

    Parameters
    ----------
    path
        The workbook or CSV.
    year
        The mid-year of a single-year table (MYE2, CSV). Taken from the sheet title
        ("... mid-2023") or from a file name such as ``mye24tablesew.csv`` when not given; for
        MYE4, keeps only that year.
    sheet
        The sheet to read; by default MYE4, else MYE2 - Persons.

    Returns
    -------
    pandas.DataFrame
        ``area_code, area_name, geography, year, population``: every row of the table
        (countries, regions, counties and local authorities) for each year.

    Raises
    ------
    InputError
        If the table has no ``Code`` header, or a single-year table's year cannot be told.

    Examples
    --------
    >>> mye = read_mid_year_estimates("mye24tablesew.csv")  # doctest: +SKIP
    >>> bedford = mye.area_code == "E06000055"  # doctest: +SKIP
    >>> int(mye.loc[bedford, "population"].iloc[0])  # doctest: +SKIP
    194976
    """
    path = Path(path)
    title = ""
    if path.suffix.lower() in (".csv", ".txt"):
        if not path.exists():
            raise FileNotFoundError(path)
        raw = _read_csv(path, header=None)
    else:
        book = _open_workbook(path)
        with book:
            chosen = sheet if sheet is not None else _pick_population_sheet(book)
            raw = pd.read_excel(book, sheet_name=chosen, header=None)
    header = _find_header(raw, {"code", "name"})
    if header is None:
        raise InputError(f"{path.name}: no header row with 'Code' and 'Name' columns")
    if header > 0:
        title = str(raw.iat[0, 0])
    labels = [str(v).strip() for v in raw.iloc[header].tolist()]
    lower = [v.lower() for v in labels]
    body = raw.iloc[header + 1 :]
    body = body.loc[body.iloc[:, lower.index("code")].notna()]
    code = body.iloc[:, lower.index("code")].astype(str).str.strip()
    name = body.iloc[:, lower.index("name")].astype(str).str.strip()
    geography = (
        body.iloc[:, lower.index("geography")].astype(str).str.strip()
        if "geography" in lower
        else pd.Series("", index=body.index)
    )

    year_columns: dict[int, int] = {}
    for j, label in enumerate(labels):
        match = re.fullmatch(r"mid-?\s*(\d{4})", label, flags=re.IGNORECASE)
        if match:
            year_columns[j] = int(match.group(1))
    if not year_columns:
        if "all ages" not in lower:
            raise InputError(f"{path.name}: no 'Mid-YYYY' or 'All ages' column")
        match = _MID_YEAR.search(title)
        file_match = re.search(r"mye(\d{2})", path.name.lower())
        stated = (
            int(match.group(1))
            if match
            else 2000 + int(file_match.group(1))
            if file_match
            else None
        )
        if year is not None and stated is not None and year != stated:
            raise InputError(f"year: {year} is not in {path.name} (it holds mid-{stated})")
        single = year if year is not None else stated
        if single is None:
            raise InputError(
                f"{path.name}: cannot tell which mid-year the estimates are for; pass year="
            )
        year_columns[lower.index("all ages")] = single

    frames = []
    for j, mid_year in year_columns.items():
        if year is not None and mid_year != year:
            continue
        values, _ = _parse_cells(body.iloc[:, j].tolist())
        frames.append(
            pd.DataFrame(
                {
                    "area_code": code.to_numpy(),
                    "area_name": name.to_numpy(),
                    "geography": geography.to_numpy(),
                    "year": mid_year,
                    "population": values,
                }
            )
        )
    if not frames:
        available = ", ".join(str(y) for y in sorted(year_columns.values()))
        raise InputError(f"year: {year} is not in {path.name} (years there: {available})")
    return pd.concat(frames, ignore_index=True)[_POPULATION_COLUMNS]


def read_pfa_lookup(path: str | Path) -> pd.DataFrame:
    """Read the ONS local authority district -> community safety partnership -> PFA lookup.

    A district that sits in more than one community safety partnership appears once per
    partnership in the ONS file; here it appears once.

    Parameters
    ----------
    path
        The lookup CSV (columns such as ``LAD23CD, LAD23NM, CSP23CD, CSP23NM, PFA23CD,
        PFA23NM``; any vintage).

    Returns
    -------
    pandas.DataFrame
        ``lad_code, lad_name, pfa_code, pfa_name``, one row per district.

    Raises
    ------
    InputError
        If the LAD and PFA code columns are missing, or a district maps to two forces.

    Examples
    --------
    >>> lookup = read_pfa_lookup("Local_Authority_District_to_CSPs_to_Police_Force_Areas_"
    ...                          "(December__2023)_Lookup_.csv")  # doctest: +SKIP
    >>> sorted(lookup.loc[lookup.pfa_name == "Bedfordshire", "lad_name"])  # doctest: +SKIP
    ['Bedford', 'Central Bedfordshire', 'Luton']
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(path)
    raw = _read_csv(path)
    found: dict[str, str] = {}
    for column in raw.columns:
        match = re.fullmatch(r"(LAD|PFA)\d{2}(CD|NM)", str(column).strip(), flags=re.IGNORECASE)
        if match:
            kind = "code" if match.group(2).upper() == "CD" else "name"
            found[f"{match.group(1).lower()}_{kind}"] = column
    needed = ["lad_code", "lad_name", "pfa_code", "pfa_name"]
    if not all(k in found for k in needed):
        raise InputError(
            f"{path.name} is not an ONS LAD to PFA lookup: it needs LADyyCD, LADyyNM, PFAyyCD "
            f"and PFAyyNM columns (it has {', '.join(map(str, raw.columns))})"
        )
    lookup = raw[[found[k] for k in needed]].copy()
    lookup.columns = needed
    lookup = lookup.apply(lambda s: s.str.strip())
    _check_codes(lookup, f"{path.name}: line", 2)  # line 1 is the header
    lookup = lookup.drop_duplicates()
    twice = lookup["lad_code"].duplicated(keep=False)
    if twice.any():
        bad = ", ".join(sorted(set(lookup.loc[twice, "lad_code"])))
        raise InputError(f"{path.name}: districts mapped to more than one force: {bad}")
    return lookup.reset_index(drop=True)


def _check_codes(lookup: pd.DataFrame, where: str, first: int) -> None:
    """Every row of a LAD -> PFA lookup has a district and a force code: a district without a
    force was left out of its force's sum without a word (Cleveland 502,189 instead of 600,369
    with Hartlepool's code blanked), and one without a code cannot be matched to an estimate."""
    for column, what in [("lad_code", "district (LAD)"), ("pfa_code", "force (PFA)")]:
        codes = lookup[column]
        blank = codes.isna().to_numpy() | (codes.astype(str).str.strip() == "").to_numpy()
        if blank.any():
            position = int(np.argmax(blank))
            name = lookup["lad_name"].iloc[position]
            named = "" if pd.isna(name) else f" ({name})"
            raise InputError(
                f"{where} {position + first}{named} has no {what} code; give every district "
                "its LAD and PFA codes (as in the ONS lookup), or drop the row"
            )


def pfa_population(
    estimates: str | Path | pd.DataFrame,
    lookup: str | Path | pd.DataFrame,
    *,
    year: int | None = None,
) -> pd.DataFrame:
    """Sum local authority population estimates to police force areas.

    Parameters
    ----------
    estimates
        Mid-year estimates by local authority: a path read with :func:`read_mid_year_estimates`,
        or its result.
    lookup
        The LAD -> PFA lookup: a path read with :func:`read_pfa_lookup`, or its result.
    year
        Keep only this mid-year; by default every year in ``estimates``.

    Returns
    -------
    pandas.DataFrame
        ``area_code, area_name, year, population``, one row per force and year, in the order of
        the force codes.

    Raises
    ------
    InputError
        If a district of the lookup has no estimate (estimates on other boundaries than the
        lookup's), naming the districts.

    Examples
    --------
    >>> pop = pfa_population("mye24tablesew.csv", "Local_Authority_District_to_CSPs_to_"
    ...                      "Police_Force_Areas_(December__2023)_Lookup_.csv")  # doctest: +SKIP
    >>> int(pop.loc[pop.area_name == "Bedfordshire", "population"].iloc[0])  # doctest: +SKIP
    749943
    """
    mye = (
        estimates
        if isinstance(estimates, pd.DataFrame)
        else read_mid_year_estimates(estimates, year=year)
    )
    if isinstance(lookup, pd.DataFrame):
        _check_codes(lookup, "lookup: row", 0)
        lad = lookup
    else:
        lad = read_pfa_lookup(lookup)
    if year is not None:
        mye = mye.loc[mye["year"] == year]
        if mye.empty:
            raise InputError(f"year: {year} is not in the estimates")
    merged = lad.merge(
        mye[["area_code", "year", "population"]],
        left_on="lad_code",
        right_on="area_code",
        how="left",
    )
    missing = merged.loc[merged["population"].isna(), "lad_code"]
    if not missing.empty:
        shown = ", ".join(sorted(set(missing))[:10])
        raise InputError(
            f"{missing.nunique()} districts of the lookup have no population estimate "
            f"({shown}...): are the estimates on the same boundaries as the lookup?"
        )
    summed = (
        merged.groupby(["pfa_code", "pfa_name", "year"], sort=True)["population"]
        .sum()
        .reset_index()
        .rename(columns={"pfa_code": "area_code", "pfa_name": "area_name"})
    )
    return pd.DataFrame(summed)
