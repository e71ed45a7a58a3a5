"""Areas of England and Wales as the ONS tables name them: GSS codes, names and join keys."""

from __future__ import annotations

import re

import pandas as pd

from .cells import _clean_label

_GSS = re.compile(r"^([EKNSW]\d{8})")

# The names the tables print in capitals, or under another name in one table.
_AREA_NAMES: dict[str, str] = {
    "K04000001": "England and Wales",
    "E92000001": "England",
    "W92000004": "Wales",
    "E12000005": "West Midlands",
    "E23000034": "City of London",
}


def _key(text: str) -> str:
    """A matching key: lower case, '&' as 'and', punctuation and spaces dropped."""
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


def _area_key(frame: pd.DataFrame) -> pd.Series:
    """Join key: the GSS code, or the name where an area has none (British Transport Police)."""
    names = frame["area_name"].map(lambda n: "name:" + _key(str(n)))
    return frame["area_code"].where(frame["area_code"].notna(), names).astype(str)
