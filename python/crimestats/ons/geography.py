"""Areas of England and Wales as the ONS tables name them: GSS codes, names and join keys.

The one place for what the newsroom layer and the readers both need to know about geography:
the national code, the key that joins two tables' rows of one area, loose matching of an area's
name, and the offences counted per household rather than per head.
"""

from __future__ import annotations

import re

import pandas as pd

from .._core import InputError
from .cells import _clean_label

__all__ = [
    "NATIONAL_CODE",
    "NATIONAL_NAME",
    "area_key",
    "count_offence",
    "is_households",
    "match_area",
    "name_key",
    "population_unit",
]

#: The GSS code of England and Wales, the benchmark every area is compared with.
NATIONAL_CODE = "K04000001"
#: Its name as the reports print it.
NATIONAL_NAME = "England and Wales"
#: The suffix ONS Table P3 gives an offence whose rate is per 1,000 households.
_HOUSEHOLDS = "(households)"

_GSS = re.compile(r"^([EKNSW]\d{8})")

# The names the tables print in capitals, or under another name in one table.
_AREA_NAMES: dict[str, str] = {
    "K04000001": "England and Wales",
    "E92000001": "England",
    "W92000004": "Wales",
    "E12000005": "West Midlands",
    "E23000034": "City of London",
}


def name_key(text: str) -> str:
    """The key names are matched by: lower case, '&' as 'and', punctuation and spaces dropped.

    Examples
    --------
    >>> name_key("Devon & Cornwall") == name_key("DEVON AND CORNWALL")
    True
    """
    return re.sub(r"[^a-z0-9]", "", text.lower().replace("&", "and"))


def _area_type(code: str | None) -> str:
    if not code:
        return "other"
    if code.startswith(("K04", "E92", "W92")):
        return "country"
    if code.startswith("E12"):
        return "region"
    if code.startswith(("E23", "W15")):
        return "force"
    return "other"


def _area_code(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    match = _GSS.match(value.strip())
    return match.group(1) if match else None


def _area_name(value: object, code: str | None) -> str:
    if code in _AREA_NAMES:
        return _AREA_NAMES[code]
    name = _clean_label(value)
    if name.isupper():
        name = name.title().replace(" And ", " and ").replace(" Of ", " of ")
    return name


def area_key(frame: pd.DataFrame) -> pd.Series:
    """A key per row that joins one area's rows across tables and publications.

    The GSS code, or ``"name:"`` and the name's matching key where an area has none (British
    Transport Police).

    Parameters
    ----------
    frame
        A frame with ``area_code`` and ``area_name`` columns.

    Examples
    --------
    >>> frame = pd.DataFrame({"area_code": ["E23000026", None],
    ...                       "area_name": ["Bedfordshire", "British Transport Police"]})
    >>> area_key(frame).tolist()
    ['E23000026', 'name:britishtransportpolice']
    """
    names = frame["area_name"].map(lambda n: "name:" + name_key(str(n)))
    return frame["area_code"].where(frame["area_code"].notna(), names).astype(str)


def match_area(
    name: str, areas: pd.DataFrame, *, area_type: str | None = None, where: str = "the table"
) -> str:
    """An area's name as ``areas`` spells it, given by GSS code or loosely by name.

    Matching ignores case, punctuation and '&' against 'and' ("Devon & Cornwall" is "Devon and
    Cornwall"; "London, City of" is "City of London"); a GSS code matches its area. A name that
    matches no area exactly may match the start of exactly one ("Devon" is "Devon and
    Cornwall"). Where a name is both a region and a force ("West Midlands"), the force is taken.

    Parameters
    ----------
    name
        The area asked for.
    areas
        The areas there are: ``area_code, area_name`` and, optionally, ``area_type``.
    area_type
        Keep only areas of this type ("force", "region", "country").
    where
        What ``areas`` are, for the error message ("pfatablesdec19.xlsx").

    Raises
    ------
    InputError
        If no area matches (the message lists the areas there are), or the start of several
        (the message lists them).

    Examples
    --------
    >>> areas = pd.DataFrame({"area_code": ["E23000026", "E23000035"],
    ...                       "area_name": ["Bedfordshire", "Devon and Cornwall"]})
    >>> match_area("devon", areas)
    'Devon and Cornwall'
    >>> match_area("E23000026", areas)
    'Bedfordshire'
    """
    areas = areas.drop_duplicates(["area_code", "area_name"])
    if area_type is not None and "area_type" in areas:
        areas = areas[areas["area_type"] == area_type]
    by_code = areas[areas["area_code"] == name.strip().upper()]
    if not by_code.empty:
        return str(by_code["area_name"].iloc[0])
    cleaned = _clean_label(name)
    # "London, City of" is the ONS register's order of "City of London"
    inverted = re.sub(r"^(.+),\s*(.+ of)$", r"\2 \1", cleaned)
    wanted = {name_key(cleaned), name_key(inverted)}
    keys = areas["area_name"].map(lambda a: name_key(str(a)))
    matches = areas[keys.isin(wanted)]
    if matches.empty:
        matches = areas[keys.map(lambda k: any(w and k.startswith(w) for w in wanted))]
        if matches["area_name"].nunique() > 1:
            raise InputError(
                f"area {name!r} matches more than one area in {where}: "
                f"{'; '.join(dict.fromkeys(map(str, matches['area_name'])))}"
            )
    if matches.empty:
        raise InputError(
            f"area {name!r} is not in {where}. Areas there: "
            f"{'; '.join(dict.fromkeys(map(str, areas['area_name'])))}"
        )
    if "area_type" in matches:
        forces = matches[matches["area_type"] == "force"]
        if not forces.empty:
            matches = forces
    return str(matches["area_name"].iloc[0])


def is_households(offence: str) -> bool:
    """Whether an ONS offence's rate is per 1,000 households ("Residential burglary (households)").

    Examples
    --------
    >>> is_households("Residential burglary (households)"), is_households("Robbery")
    (True, False)
    """
    return offence.strip().lower().endswith(_HOUSEHOLDS)


def count_offence(offence: str) -> str:
    """The offence whose count a rate is of: the name without "(households)".

    Examples
    --------
    >>> count_offence("Residential burglary (households)")
    'Residential burglary'
    """
    text = offence.strip()
    return text[: -len(_HOUSEHOLDS)].strip() if is_households(text) else text


def population_unit(offence: str) -> str:
    """What an offence's rate is per: "households" or "people".

    Examples
    --------
    >>> population_unit("Stalking and harassment")
    'people'
    """
    return "households" if is_households(offence) else "people"
