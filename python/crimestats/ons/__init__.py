"""Readers for the official tables behind crime statistics in England and Wales.

Every reader returns a tidy pandas DataFrame (one row per area and offence, or per area and
year) with the same column names: ``area_code`` (the nine-character GSS code),
``area_name``, ``area_type`` (``country``, ``region``, ``force`` or ``other``),
``offence``, and the measure (``count``, ``percent_change``, ``rate``, ``population``).

The ONS marks cells that hold no number with a symbol: ``-`` (the base is fewer than 50, so
no percentage change is given), ``..`` (not available), ``+`` (suppressed because the
population is small), and in newer tables ``[x]``, ``[c]``, ``[z]``. Such a cell becomes NaN
and the symbol is kept in the ``marker`` column, so nothing the publisher said is lost.
:func:`parse_number` is the one place that reads an ONS cell.

Spreadsheets are read through pandas with the ``calamine`` engine (xlsx, xls, xlsb and ods
alike).

The package's rooms: :mod:`~crimestats.ons.cells` reads a cell and opens a file,
:mod:`~crimestats.ons.geography` names and keys areas, :mod:`~crimestats.ons.readers` reads the
police force area tables and the Home Office open data, :mod:`~crimestats.ons.population` the
mid-year estimates and the district to force lookup, :mod:`~crimestats.ons.periods` reads period
labels as dates.
"""

from .cells import MARKERS, parse_number
from .geography import (
    NATIONAL_CODE,
    NATIONAL_NAME,
    area_key,
    count_offence,
    is_households,
    match_area,
    name_key,
    population_unit,
)
from .periods import parse_periods, period_end, period_months
from .population import pfa_population, read_mid_year_estimates, read_pfa_lookup
from .readers import PfaTables, offences, read_open_data, read_pfa_tables

__all__ = [
    "MARKERS",
    "NATIONAL_CODE",
    "NATIONAL_NAME",
    "PfaTables",
    "area_key",
    "count_offence",
    "is_households",
    "match_area",
    "name_key",
    "offences",
    "parse_number",
    "parse_periods",
    "period_end",
    "period_months",
    "pfa_population",
    "population_unit",
    "read_mid_year_estimates",
    "read_open_data",
    "read_pfa_lookup",
    "read_pfa_tables",
]
