"""Reading one cell of an ONS or Home Office table, and opening the files they come in.

:func:`parse_number` is the one place that reads an ONS cell; :func:`_clean_label` the one
place that cleans a header or area label of line breaks and footnote digits.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .._core import InputError

#: The symbols ONS and Home Office tables put in place of a number, and what each means.
MARKERS: dict[str, str] = {
    "-": "base fewer than 50, so no percentage change is given",
    "..": "not available",
    "+": "suppressed (small population)",
    ":": "not available",
    "*": "suppressed",
    "[x]": "not available",
    "[c]": "confidential",
    "[z]": "not applicable",
    "[low]": "fewer than 0.5",
}

_DASHES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u00a0": " "})
_NOTE_TAG = re.compile(r"\[(?:note|Note)\s*\d+\]")
_NUMBER = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$")


def parse_number(value: object) -> tuple[float, str | None]:
    """Read one cell of an ONS or Home Office table.

    Parameters
    ----------
    value
        The cell as the spreadsheet reader gave it: a number, a string such as ``"5,108"``,
        ``"-"``, ``".."``, ``"+"`` or ``"12.5%"``, or ``None``/NaN for an empty cell.

    Returns
    -------
    tuple of (float, str or None)
        The number (NaN where the cell holds no number) and the ONS symbol found in the cell
        (one of :data:`MARKERS`), or ``None`` when there was none. Thousands separators, spaces,
        ``[note N]`` tags, a trailing per cent sign and a trailing ``[u]`` (low reliability) are
        dropped; the number itself is kept.

    Raises
    ------
    InputError
        If the cell holds text that is neither a number nor an ONS symbol.

    Examples
    --------
    >>> parse_number("5,108")
    (5108.0, None)
    >>> parse_number("-")
    (nan, '-')
    >>> parse_number(4019)
    (4019.0, None)
    """
    if value is None:
        return math.nan, None
    if isinstance(value, bool):
        raise InputError(f"cell holds {value!r}, not a number")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value), None
    text = str(value).translate(_DASHES).strip()
    text = _NOTE_TAG.sub("", text).strip()
    if text == "" or text.lower() == "nan":
        return math.nan, None
    low = text.lower()
    for marker in MARKERS:
        if low == marker:
            return math.nan, marker
    if low.endswith("[u]"):  # a number flagged as of low reliability: the number stands
        text = text[:-3].strip()
    cleaned = text.replace(",", "").replace(" ", "").removesuffix("%")
    if _NUMBER.match(cleaned):
        return float(cleaned), None
    raise InputError(f"cell holds {value!r}, which is neither a number nor an ONS symbol")


def _parse_cells(values: Iterable[object]) -> tuple[np.ndarray, list[str | None]]:
    """Parse many cells with :func:`parse_number`: the numbers and the markers."""
    numbers: list[float] = []
    markers: list[str | None] = []
    for value in values:
        number, marker = parse_number(value)
        numbers.append(number)
        markers.append(marker)
    return np.asarray(numbers, dtype=float), markers


# Footnote digits glued to a label, at its end or before a closing bracket:
# "Cheshire7", "ENGLAND AND WALES6,7", "Stalking and harassment 5", "(excluding fraud3)".
_FOOTNOTE = re.compile(r"(?<=[A-Za-z)])\s*\d+(?:\s*,\s*\d+)*(?=\s*\)|\s*$)")
_BRACKETED_FOOTNOTE = re.compile(r"\s*\(\d+\)\s*$")


def _clean_label(value: object) -> str:
    """A header or area label without line breaks, repeated spaces and footnote digits."""
    text = str(value).translate(_DASHES).replace("\n", " ")
    text = _BRACKETED_FOOTNOTE.sub("", text)
    text = _FOOTNOTE.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


_MID_YEAR = re.compile(r"mid-?\s*(\d{4})", re.IGNORECASE)


def _read_csv(path: Path, **options: object) -> pd.DataFrame:
    """pandas.read_csv of a text table; the ways a damaged file fails become InputError."""
    try:
        return pd.read_csv(path, dtype=str, encoding="utf-8-sig", **options)  # type: ignore[call-overload]
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InputError(f"{path.name}: not a readable CSV table ({error})") from None


def _open_workbook(path: Path) -> pd.ExcelFile:
    if not path.exists():
        raise FileNotFoundError(path)
    try:
        return pd.ExcelFile(path, engine="calamine")
    except Exception as error:  # calamine raises its own types for a file it cannot read
        raise InputError(
            f"{path.name} is not a spreadsheet that can be read (xlsx, xls, xlsb or ods): {error}"
        ) from error


def _find_header(raw: pd.DataFrame, required: set[str]) -> int | None:
    for i in range(min(len(raw), 30)):
        cells = {str(v).strip().lower() for v in raw.iloc[i].tolist()}
        if required <= cells:
            return i
    return None
