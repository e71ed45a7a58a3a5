"""The ONS police force area data tables (P1-P3) and the Home Office open data tables."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .._core import InputError
from .cells import (
    _MID_YEAR,
    _clean_label,
    _find_header,
    _open_workbook,
    _parse_cells,
    _read_csv,
)
from .geography import (
    NATIONAL_CODE,
    _area_code,
    _area_name,
    _area_type,
    area_key,
    count_offence,
    is_households,
    match_area,
    name_key,
)
from .periods import period_end

# Spellings that differ between tables of the same publication, mapped to one name.
_OFFENCE_ALIASES: dict[str, str] = {
    "residental burglary": "Residential burglary",
    "all other theft offences": "Other theft offences",
    "miscellaneous crimes": "Miscellaneous crimes against society",
}


def _offence_name(value: object) -> str:
    label = _clean_label(value)
    return _OFFENCE_ALIASES.get(label.lower(), label)


_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTHS = {m[:3].lower(): m for m in _MONTH_NAMES}
_PERIOD = re.compile(r"year ending\s+([A-Za-z]+)\.?\s+(20\d\d|\d\d)", re.IGNORECASE)

_AREA_COLUMNS = ["area_code", "area_name", "area_type"]
# Every frame of a publication says which twelve months it covers (``period`` as the ONS labels
# it, ``period_end`` its last day, to order publications by) and, for each total, the forces it
# leaves out (``excludes``), so that publications stack into one honest series.
_PERIOD_COLUMNS = ["period", "period_end"]
_COUNT_COLUMNS = [*_PERIOD_COLUMNS, *_AREA_COLUMNS, "offence", "count", "marker", "excludes"]
_CHANGE_COLUMNS = [
    *_PERIOD_COLUMNS,
    *_AREA_COLUMNS,
    "offence",
    "percent_change",
    "suppressed",
    "marker",
    "excludes",
]
_RATE_COLUMNS = [
    *_PERIOD_COLUMNS,
    *_AREA_COLUMNS,
    "offence",
    "rate",
    "population",
    "households",
    "marker",
    "excludes",
]
_WIDE_COLUMNS = [
    *_PERIOD_COLUMNS,
    *_AREA_COLUMNS,
    "count",
    "previous",
    "percent_change",
    "suppressed",
    "population",
    "rate",
    "excludes",
]


def _periods(title: str) -> list[str]:
    """Every "year ending <Month> <Year>" in a title, footnote digits after the year ignored."""
    found = []
    for month, year in _PERIOD.findall(title):
        full = _MONTHS.get(month[:3].lower())
        if full is None:
            continue
        found.append(f"year ending {full} {2000 + int(year) if len(year) == 2 else int(year)}")
    return found


@dataclass
class _Sheet:
    """One table of a PFA workbook, cut into its parts."""

    name: str
    title: str
    preamble: list[str]
    columns: dict[int, str]  # column position -> cleaned header label
    codes: list[str | None]
    names: list[str]
    body: pd.DataFrame  # data rows only, positional columns
    footnotes: list[str]


def _cut_sheet(raw: pd.DataFrame, sheet: str, source: str) -> _Sheet:
    """Find the title, the header row starting with 'Area Code', the data rows and the footnotes."""
    header_row = code_col = name_col = None
    for i in range(min(len(raw), 30)):
        cells = [str(v).strip().lower() for v in raw.iloc[i].tolist()]
        if "area code" in cells:
            header_row, code_col = i, cells.index("area code")
            name_col = cells.index("area name") if "area name" in cells else code_col + 1
            break
    if header_row is None or code_col is None or name_col is None:
        raise InputError(
            f"{source}: sheet {sheet!r} has no header row starting with 'Area Code', so it is not "
            "an ONS police force area data table"
        )
    above = [
        [str(v).strip() for v in row if isinstance(v, str) and v.strip()]
        for row in raw.iloc[:header_row].itertuples(index=False)
    ]
    cells = [v for row in above for v in row]
    title = next((v for v in cells if v.lower().startswith("table")), cells[0] if cells else "")
    # single-cell lines under the title, such as "England and Wales (excluding Greater
    # Manchester Police)"; rows of several cells are grouped column headers
    preamble = [row[0] for row in above if len(row) == 1 and row[0] != title]

    data_rows: list[int] = []
    footnote_start = len(raw)
    for i in range(header_row + 1, len(raw)):
        name = raw.iat[i, name_col]
        code = raw.iat[i, code_col]
        has_name = isinstance(name, str) and name.strip() != ""
        no_code = not isinstance(code, str) or not code.strip()
        has_values = raw.iloc[i, name_col + 1 :].notna().any()
        if has_name and (_area_code(code) is not None or no_code or has_values):
            data_rows.append(i)  # British Transport Police has no code, or a non-GSS one
        elif data_rows and isinstance(code, str) and code.strip():
            footnote_start = i
            break
    body = raw.iloc[data_rows]

    columns: dict[int, str] = {}
    for j in range(name_col + 1, raw.shape[1]):
        label = raw.iat[header_row, j]
        k = header_row - 1
        while (not isinstance(label, str) or not label.strip()) and k > 0:
            label = raw.iat[k, j]  # a label merged over the header rows sits higher up
            k -= 1
        if not isinstance(label, str) or not label.strip():
            continue
        if body.iloc[:, j].notna().any():
            columns[j] = str(label)

    footnotes = [
        re.sub(r"\s+", " ", str(v)).strip()
        for v in raw.iloc[footnote_start:, code_col].tolist()
        if isinstance(v, str) and v.strip()
    ]
    codes = [_area_code(v) for v in body.iloc[:, code_col].tolist()]
    names = [_area_name(v, c) for v, c in zip(body.iloc[:, name_col].tolist(), codes, strict=True)]
    return _Sheet(sheet, title, preamble, columns, codes, names, body, footnotes)


def _tidy(sheet: _Sheet, measure: str, skip: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per area and offence column of a sheet: area columns, offence, measure, marker."""
    frames = []
    for j, label in sheet.columns.items():
        if label.lower().startswith(skip):
            continue
        values, markers = _parse_cells(sheet.body.iloc[:, j].tolist())
        frames.append(
            pd.DataFrame(
                {
                    "area_code": pd.Series(sheet.codes, dtype=object),
                    "area_name": sheet.names,
                    "area_type": [_area_type(c) for c in sheet.codes],
                    "offence": _offence_name(label),
                    measure: values,
                    "marker": pd.Series(markers, dtype=object),
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=[*_AREA_COLUMNS, "offence", measure, "marker"])
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True, eq=False)
class PfaTables:
    """The ONS "Police force area data tables" of one publication, as tidy frames.

    Attributes
    ----------
    path
        The workbook read.
    period
        The twelve months the counts cover, e.g. ``"year ending March 2019"``.
    previous_period
        The twelve months that Table P2 compares with, e.g. ``"year ending March 2018"``.
    population_base
        The mid-year population estimates behind the rates in Table P3, e.g. ``"mid-2017"``.
    counts
        Table P1: ``period, period_end, area_code, area_name, area_type, offence, count, marker,
        excludes``.
    changes
        Table P2: ``period, period_end, area_code, area_name, area_type, offence,
        percent_change, suppressed, marker, excludes``; ``suppressed`` is True where the ONS
        printed '-' (a base of fewer than 50).
    rates
        Table P3: ``period, period_end, area_code, area_name, area_type, offence, rate,
        population, households, marker, excludes``; rates are per 1,000 people, and for
        "Residential burglary (households)" per 1,000 households.

    In every frame ``period`` is the publication's label ("year ending December 2019"),
    ``period_end`` the last day it covers (a Timestamp, 2019-12-31: publications order by it,
    not by the label's text) and ``excludes`` the forces a total leaves out ("Greater
    Manchester" on the England and Wales, England and North West rows of December 2019; ""
    where none), the column ``trend(..., coverage="excludes")`` reads.

    The long frames of several publications stack with ``pd.concat`` into one series, one row
    per period, area and offence.
    notes
        The footnotes and sub-titles of the three tables, each once, footnote numbers removed.
    excluded
        Forces that supplied no data for the period (every cell '..' in Table P1). The
        England and Wales, England and regional totals of such a publication leave them out.
    """

    path: Path
    period: str
    previous_period: str | None
    population_base: str | None
    counts: pd.DataFrame
    changes: pd.DataFrame
    rates: pd.DataFrame
    notes: tuple[str, ...] = ()
    excluded: tuple[str, ...] = field(default=())

    @property
    def exclusion_note(self) -> str | None:
        """A sentence saying which forces the national totals leave out, or None.

        Examples
        --------
        >>> tables = read_pfa_tables("pfatablesdec19.xlsx")  # doctest: +SKIP
        >>> tables.exclusion_note  # doctest: +SKIP
        'Greater Manchester supplied no data for the year ending December 2019; the England and
        Wales, England and regional totals exclude it.'
        """
        if not self.excluded:
            return None
        forces = " and ".join(self.excluded)
        pronoun = "it" if len(self.excluded) == 1 else "them"
        return (
            f"{forces} supplied no data for the {self.period}; the England and Wales, England and "
            f"regional totals exclude {pronoun}."
        )

    @property
    def totals_excluding(self) -> frozenset[str]:
        """The GSS codes of the totals that leave out the :attr:`excluded` forces (their
        ``excludes`` is not ""): England and Wales, the force's country and its region."""
        return frozenset(self.counts.loc[self.counts["excludes"] != "", "area_code"])

    def offences(self) -> list[str]:
        """The offences of Table P1, in the order of the table.

        Examples
        --------
        >>> tables = read_pfa_tables("policeforceareatablesyeendingmarch2019.xlsx")
        ... # doctest: +SKIP
        >>> "Stalking and harassment" in tables.offences()  # doctest: +SKIP
        True
        """
        return list(dict.fromkeys(self.counts["offence"].tolist()))

    def areas(self) -> list[str]:
        """The areas of Table P1 in its order: countries, regions, forces and BTP.

        Examples
        --------
        >>> tables.areas()[:3]  # doctest: +SKIP
        ['England and Wales', 'England', 'North East']
        """
        return list(dict.fromkeys(self.counts["area_name"].tolist()))

    def resolve_area(self, name: str, *, area_type: str | None = None) -> str:
        """The table's own name for an area given by code or loosely by name.

        Matching is :func:`~crimestats.ons.match_area`'s: case, punctuation and '&' against
        'and' ignored ("Devon & Cornwall" is "Devon and Cornwall"), a GSS code matches its area,
        and the start of exactly one name matches it ("Devon"). Where a name is both a region
        and a force ("West Midlands"), the force is taken unless ``area_type`` says otherwise.

        Raises
        ------
        InputError
            If no area matches, or the start of several; the message lists them.

        Examples
        --------
        >>> tables.resolve_area("devon & cornwall")  # doctest: +SKIP
        'Devon and Cornwall'
        """
        return match_area(name, self.counts, area_type=area_type, where=self.path.name)

    def resolve_offence(self, name: str) -> str:
        """The table's own name for an offence given loosely.

        Matching ignores case, spacing, punctuation and footnote digits; the start of exactly
        one offence name also matches ("stalking" -> "Stalking and harassment").

        Raises
        ------
        InputError
            If no offence, or more than one, matches; the message lists the offences there are.

        Examples
        --------
        >>> tables.resolve_offence("stalking")  # doctest: +SKIP
        'Stalking and harassment'
        """
        available = self.offences() + [
            o for o in dict.fromkeys(self.rates["offence"].tolist()) if o not in self.offences()
        ]
        wanted = name_key(_offence_name(name))
        exact = [o for o in available if name_key(o) == wanted]
        if exact:
            return exact[0]
        partial = [o for o in available if wanted and name_key(o).startswith(wanted)]
        if len(partial) == 1:
            return partial[0]
        listing = "; ".join(available)
        if partial:
            raise InputError(
                f"offence {name!r} matches more than one offence in {self.path.name}: "
                f"{'; '.join(partial)}. Offences in the table: {listing}"
            )
        raise InputError(
            f"offence {name!r} is not in {self.path.name}. Offences in the table: {listing}"
        )

    def offence(self, name: str) -> pd.DataFrame:
        """One offence across all areas, with its count, change and rate side by side.

        Parameters
        ----------
        name
            The offence, matched as :meth:`resolve_offence` does.

        Returns
        -------
        pandas.DataFrame
            One row per area of Table P1, in its order: ``period, period_end, area_code,
            area_name, area_type, count, previous, percent_change, suppressed, population, rate,
            excludes`` (``period``, ``period_end`` and ``excludes`` as in the long frames).
            ``previous`` is the count a year earlier as revised in this publication, ``count /
            (1 + percent_change / 100)`` rounded to a whole number (NaN where P2 gives no
            change).
            ``population`` is the one Table P3 used (households for "Residential burglary
            (households)"); British Transport Police has no population or rate.

        Examples
        --------
        >>> tables = read_pfa_tables("policeforceareatablesyeendingmarch2019.xlsx")
        ... # doctest: +SKIP
        >>> beds = tables.offence("stalking").set_index("area_name")  # doctest: +SKIP
        >>> beds.loc["Bedfordshire", ["count", "previous", "rate"]].tolist()  # doctest: +SKIP
        [4019.0, 2778.0, 6.047...]
        """
        offence = self.resolve_offence(name)
        count_name = count_offence(offence)

        def pick(frame: pd.DataFrame, wanted: str, cols: list[str]) -> pd.DataFrame:
            part = frame.loc[frame["offence"] == wanted].copy()
            part["_key"] = area_key(part)
            return part.drop_duplicates("_key").set_index("_key")[cols]

        out = self.counts.loc[
            self.counts["offence"] == count_name, [*_PERIOD_COLUMNS, *_AREA_COLUMNS, "excludes"]
        ].copy()
        out["_key"] = area_key(out)
        out = out.drop_duplicates("_key").set_index("_key")
        counts = pick(self.counts, count_name, ["count"])
        changes = pick(self.changes, count_name, ["percent_change", "suppressed"])
        rates = pick(self.rates, offence, ["rate", "population", "households"])
        out["count"] = counts["count"].reindex(out.index)
        pct = changes["percent_change"].reindex(out.index).astype(float)
        factor = 1.0 + pct / 100.0
        out["previous"] = np.round(out["count"] / factor.where(factor > 0))
        out["percent_change"] = pct
        out["suppressed"] = changes["suppressed"].reindex(out.index).fillna(False).astype(bool)
        denominator = "households" if is_households(offence) else "population"
        out["population"] = rates[denominator].reindex(out.index).astype(float)
        out["rate"] = rates["rate"].reindex(out.index).astype(float)
        return out.reset_index(drop=True)[_WIDE_COLUMNS]


def _find_sheet(book: pd.ExcelFile, table: str) -> str | None:
    for sheet in book.sheet_names:
        if re.sub(r"\s+", " ", str(sheet)).strip().lower() == f"table {table}".lower():
            return str(sheet)
    return None


def read_pfa_tables(path: str | Path) -> PfaTables:
    """Read tables P1 (counts), P2 (percentage change) and P3 (rates) of an ONS PFA workbook.

    The workbook is one of the ONS "Crime in England and Wales: Police Force Area data tables"
    (xlsx or ods). Title and footnote rows, grouped headers, footnote digits on area and offence
    names, line breaks in headers, sheet names with trailing spaces and British Transport Police
    (which has no area code) are handled; the ONS symbols become NaN with the symbol kept in a
    ``marker`` column.

    Parameters
    ----------
    path
        The workbook.

    Returns
    -------
    PfaTables
        The tidy tables, the period, and the forces the national totals leave out.

    Raises
    ------
    InputError
        If the file is not an ONS police force area data table (no sheet "Table P1" with a
        header row starting "Area Code").

    Examples
    --------
    >>> tables = read_pfa_tables("policeforceareatablesyeendingmarch2019.xlsx")  # doctest: +SKIP
    >>> tables.period  # doctest: +SKIP
    'year ending March 2019'
    >>> sh = tables.offence("Stalking and harassment")  # doctest: +SKIP
    >>> int(sh.loc[sh.area_name == "Bedfordshire", "count"].iloc[0])  # doctest: +SKIP
    4019
    """
    path = Path(path)
    book = _open_workbook(path)
    with book:
        p1 = _find_sheet(book, "P1")
        if p1 is None:
            raise InputError(
                f"{path.name} is not an ONS police force area data table: it has no sheet "
                f"'Table P1' (its sheets: {', '.join(map(str, book.sheet_names))})"
            )
        sheets = {"P1": p1, "P2": _find_sheet(book, "P2"), "P3": _find_sheet(book, "P3")}
        cut = {
            table: _cut_sheet(pd.read_excel(book, sheet_name=sheet, header=None), sheet, path.name)
            for table, sheet in sheets.items()
            if sheet is not None
        }

    periods = _periods(cut["P1"].title)
    if not periods:
        raise InputError(
            f"{path.name}: the title of Table P1 names no 'year ending <month> <year>' period: "
            f"{cut['P1'].title!r}"
        )
    when = {"period": periods[-1], "period_end": period_end([periods[-1]]).iloc[0]}
    counts = _tidy(cut["P1"], "count").assign(**when, excludes="")
    if "P2" in cut:
        changes = _tidy(cut["P2"], "percent_change").assign(**when, excludes="")
        changes["suppressed"] = changes["marker"].eq("-")
    else:
        changes = pd.DataFrame(columns=_CHANGE_COLUMNS)
    population_base = None
    if "P3" in cut:
        rates = _p3_rates(cut["P3"]).assign(**when, excludes="")
        for label in cut["P3"].columns.values():
            match = _MID_YEAR.search(label)
            if label.lower().startswith("population") and match:
                population_base = f"mid-{match.group(1)}"
    else:
        rates = pd.DataFrame(columns=_RATE_COLUMNS)
    # P2 titles name both years, in either order ("... 2018 compared with ... 2019", or the reverse)
    compared = [p for p in _periods(cut["P2"].title) if p != periods[-1]] if "P2" in cut else []
    previous = compared[0] if compared else None

    notes: list[str] = []
    for part in cut.values():
        for text in [*part.preamble, *part.footnotes]:
            text = re.sub(r"^\d+\.?\s+", "", text).strip()
            if text and text not in notes:
                notes.append(text)

    forces = counts.loc[counts["area_type"] == "force"]
    missing = forces.groupby("area_name", sort=False)["count"].apply(lambda s: s.isna().all())
    excluded = [str(name) for name, empty in missing.items() if empty]
    # a force left out of the totals may also have no row at all: the sub-title then says so,
    # as in "England and Wales (excluding Greater Manchester Police)"
    for note in notes:
        for force in re.findall(r"\(excluding ([A-Z][\w&' -]*?)(?: Police)?\)", note):
            if force not in excluded:
                excluded.append(force)
    if excluded:
        summing = _totals_leaving_out(counts, excluded)
        for frame in (counts, changes, rates):
            frame["excludes"] = np.where(
                frame["area_code"].isin(summing), " and ".join(excluded), ""
            )
    counts = counts[_COUNT_COLUMNS]
    changes = changes[_CHANGE_COLUMNS]
    rates = rates[_RATE_COLUMNS]
    return PfaTables(
        path=path,
        period=periods[-1],
        previous_period=previous,
        population_base=population_base,
        counts=counts.reset_index(drop=True),
        changes=changes.reset_index(drop=True),
        rates=rates.reset_index(drop=True),
        notes=tuple(notes),
        excluded=tuple(excluded),
    )


def _totals_leaving_out(counts: pd.DataFrame, excluded: list[str]) -> set[str]:
    """The areas whose totals leave out the excluded forces: England and Wales, the force's
    country and the region it sits in (the last region row above it in the table's order)."""
    containing = {NATIONAL_CODE}
    region = None
    for row in counts.drop_duplicates(["area_code", "area_name"]).itertuples(index=False):
        if row.area_type == "region":
            region = row.area_code
        elif row.area_name in excluded and isinstance(row.area_code, str):
            containing.add("E92000001" if row.area_code.startswith("E") else "W92000004")
            if region is not None:
                containing.add(str(region))
    if not any(name in excluded for name in counts["area_name"]):
        containing.add("E92000001")  # the force's row is missing: England at least leaves it out
    return containing


def _p3_rates(sheet: _Sheet) -> pd.DataFrame:
    """Table P3 in long form, each rate beside the population and households it was based on."""
    population = households = np.full(len(sheet.body), np.nan)
    for j, label in sheet.columns.items():
        low = label.lower()
        if low.startswith("population"):
            population, _ = _parse_cells(sheet.body.iloc[:, j].tolist())
        elif low.startswith("household"):
            households, _ = _parse_cells(sheet.body.iloc[:, j].tolist())
    rates = _tidy(sheet, "rate", skip=("population", "household"))
    n_offences = len(rates) // max(len(sheet.body), 1)
    rates["population"] = np.tile(population, n_offences)
    rates["households"] = np.tile(households, n_offences)
    return rates


def offences(tables: str | Path | PfaTables) -> list[str]:
    """The offences in an ONS police force area workbook, in the order of Table P1.

    Parameters
    ----------
    tables
        A workbook path, or tables already read with :func:`read_pfa_tables`.

    Examples
    --------
    >>> offences("policeforceareatablesyeendingmarch2019.xlsx")[:3]  # doctest: +SKIP
    ['Total recorded crime (excluding fraud)', 'Violence against the person', 'Homicide']
    """
    if not isinstance(tables, PfaTables):
        tables = read_pfa_tables(tables)
    return tables.offences()


# --- Home Office open data tables ---------------------------------------------------------------

_OPEN_DATA_COLUMNS = {
    "financial year": "financial_year",
    "force name": "area_name",
    "police force area": "area_name",
    "offence group": "offence_group",
    "offence subgroup": "offence_subgroup",
    "number of offences": "count",
}
_FINANCIAL_YEAR = re.compile(r"^\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*$")


def _financial_year_period(value: object) -> str:
    """'2023/24' -> 'year ending March 2024'."""
    match = _FINANCIAL_YEAR.match(str(value))
    if not match:
        raise InputError(f"financial year {value!r} is not of the form '2023/24'")
    start = int(match.group(1))
    return f"year ending March {start + 1}"


def read_open_data(
    path: str | Path, *, level: Literal["group", "subgroup"] = "group"
) -> pd.DataFrame:
    """Read the Home Office police recorded crime open data tables, summed by force and year.

    The open data tables list offences by financial year, quarter, force and offence code
    (columns ``Financial Year``, ``Force Name``, ``Offence Group``, ``Offence Subgroup``,
    ``Number of Offences``, among others). This sums them to one row per year, force and offence
    group (or subgroup). CSV files and spreadsheets (xlsx or ods, every sheet that has those
    columns, title rows above the header allowed) are read; numbers may carry thousands
    separators.

    Parameters
    ----------
    path
        The file.
    level
        ``"group"`` to sum to offence groups, ``"subgroup"`` to keep subgroups.

    Returns
    -------
    pandas.DataFrame
        ``financial_year, period, period_end, area_name, offence_group, [offence_subgroup,]
        count, excludes``, where ``period`` is the financial year as the ONS tables name it
        ("year ending March 2025"), ``period_end`` its last day and ``excludes`` "" (each row
        is one force's own count).

    Raises
    ------
    InputError
        If the file has none of the open data columns, or ``level`` is not recognised.

    Examples
    --------
    >>> data = read_open_data("prc-pfa-mar2013-onwards-tables.csv")  # doctest: +SKIP
    >>> beds = data.query("area_name == 'Bedfordshire' and period == 'year ending March 2025'")
    ... # doctest: +SKIP
    """
    if level not in ("group", "subgroup"):
        raise InputError(f"level: {level!r} is not 'group' or 'subgroup'")
    path = Path(path)
    required = {"financial year", "number of offences", "offence group"}
    frames: list[pd.DataFrame] = []
    if path.suffix.lower() in (".csv", ".txt"):
        if not path.exists():
            raise FileNotFoundError(path)
        raw = _read_csv(path, header=None)
        frames.append(raw)
    else:
        book = _open_workbook(path)
        with book:
            frames.extend(
                pd.read_excel(book, sheet_name=sheet, header=None) for sheet in book.sheet_names
            )
    tables = []
    for raw in frames:
        header = _find_header(raw, required)
        if header is None:
            continue
        table = raw.iloc[header + 1 :].copy()
        table.columns = [str(v).strip().lower() for v in raw.iloc[header].tolist()]
        table = table.rename(columns=_OPEN_DATA_COLUMNS)
        if "area_name" not in table.columns:
            continue
        tables.append(table.dropna(subset=["financial_year"]))
    if not tables:
        raise InputError(
            f"{path.name} is not a Home Office open data table: no sheet has the columns "
            "'Financial Year', 'Force Name', 'Offence Group' and 'Number of Offences'"
        )
    data = pd.concat(tables, ignore_index=True)
    data["count"], _ = _parse_cells(data["count"].tolist())
    keys = ["financial_year", "area_name", "offence_group"]
    if level == "subgroup":
        if "offence_subgroup" not in data.columns:
            raise InputError(f"{path.name} has no 'Offence Subgroup' column")
        keys.append("offence_subgroup")
    for key in keys:
        data[key] = data[key].astype(str).str.strip()
    summed = pd.DataFrame(data.groupby(keys, sort=True)["count"].sum(min_count=1).reset_index())
    summed.insert(1, "period", summed["financial_year"].map(_financial_year_period))
    summed.insert(2, "period_end", period_end(summed["period"]).to_numpy())
    summed["excludes"] = ""  # a force's own count leaves no force out
    return summed
