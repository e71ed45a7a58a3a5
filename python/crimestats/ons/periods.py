"""Periods as time: the labels ONS and Home Office tables give periods, read as dates.

A period is known by the last day it covers (``period_end``) and how many months it spans
(``months``). ONS police force area tables are published quarterly, each covering the twelve
months to its end, so two consecutive publications overlap by nine months: ordering them by
their labels' text ("year ending December 2018" before "year ending June 2018") or comparing
neighbours would be wrong, and the end dates and lengths here make both avoidable.

Understood, in any letter case, with full or three-letter month names ("Sept" too):

- ``"year ending March 2019"``, ``"Year ending Dec 18"``, ``"YE Mar 19"``: twelve months;
- ``"April 2018 to March 2019"``, ``"Apr 2018 - Mar 2019"``: the months from one to the other;
- ``"2023/24"``, ``"2023-24"``, ``"2023/2024"``: a financial year, April to March;
- ``"2019"`` or the number 2019: a calendar year;
- ``"March 2019"``, ``"Mar 2019"``: one month;
- dates (``datetime.date``, ``pandas.Timestamp``, ``numpy.datetime64``): the day itself, of
  unknown length.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from .._core import InputError

_MONTHS = {
    name: number
    for number, full in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
    for name in {full, full[:3], "sept" if full == "september" else full[:3]}
}
_MONTH = r"([a-z]+)\.?"
_YEAR = r"(\d{4}|\d{2})"
_YEAR_ENDING = re.compile(rf"(?:year\s+ending|ye)\s+{_MONTH}\s+{_YEAR}")
_RANGE = re.compile(rf"{_MONTH}\s+{_YEAR}\s*(?:to|-|\u2013|\u2014)\s*{_MONTH}\s+{_YEAR}")
_FINANCIAL = re.compile(r"(?:fy\s*)?(\d{4})\s*[/-]\s*(\d{2}|\d{4})")
_CALENDAR = re.compile(r"(\d{4})")
_ONE_MONTH = re.compile(rf"{_MONTH}\s+{_YEAR}")


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _month(text: str) -> int | None:
    return _MONTHS.get(text)


def _month_end(year: int, month: int) -> pd.Timestamp:
    return pd.Timestamp(year=year, month=month, day=1) + pd.offsets.MonthEnd(0)


def _parse_text(text: str) -> tuple[pd.Timestamp, int] | None:
    """(last day, months) of a period label, or None when it is not one."""
    label = " ".join(text.lower().replace(",", " ").split())
    if match := _YEAR_ENDING.fullmatch(label):
        month = _month(match[1])
        return None if month is None else (_month_end(_year(match[2]), month), 12)
    if match := _RANGE.fullmatch(label):
        first, last = _month(match[1]), _month(match[3])
        if first is None or last is None:
            return None
        start, end = _year(match[2]) * 12 + first, _year(match[4]) * 12 + last
        if end < start:
            return None
        return _month_end(_year(match[4]), last), end - start + 1
    if match := _FINANCIAL.fullmatch(label):
        first_year, second = int(match[1]), match[2]
        end_year = int(second) if len(second) == 4 else (first_year // 100) * 100 + int(second)
        if end_year == first_year - 99:  # "1999/00"
            end_year = first_year + 1
        if end_year != first_year + 1:
            return None
        return _month_end(end_year, 3), 12
    if match := _CALENDAR.fullmatch(label):
        return _month_end(int(match[1]), 12), 12
    if match := _ONE_MONTH.fullmatch(label):
        month = _month(match[1])
        return None if month is None else (_month_end(_year(match[2]), month), 1)
    return None


def _parse_one(value: Any) -> tuple[pd.Timestamp, int] | None:
    """(last day, months; 0 where the length is unknown) of one period, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | np.integer) or (
        isinstance(value, float | np.floating) and float(value).is_integer()
    ):
        year = int(value)
        return (_month_end(year, 12), 12) if 1000 <= year <= 9999 else None
    if isinstance(value, pd.Timestamp | dt.date | np.datetime64):
        stamp = pd.Timestamp(value)
        return None if pd.isna(stamp) else (stamp.normalize(), 0)
    if isinstance(value, pd.Period):
        months = {"Y": 12, "Q": 3, "M": 1}.get(value.freqstr[0])
        if months is None:
            return None
        return value.end_time.normalize(), months
    if isinstance(value, str):
        return _parse_text(value)
    return None


def parse_periods(periods: Iterable[Any], *, arg: str = "period") -> pd.DataFrame:
    """Each period's last day and length in months.

    Parameters
    ----------
    periods
        Period labels, years, dates or pandas Periods (a Series, list or array).
    arg
        The argument name errors give.

    Returns
    -------
    pandas.DataFrame
        Columns ``period_end`` (a Timestamp, the last day covered) and ``months`` (the months
        the period spans; 0 for a date, whose length is unknown), one row per period, with a
        Series' index.

    Raises
    ------
    InputError
        A value that is not a period, named by its position, or a missing one.

    Examples
    --------
    >>> parse_periods(["year ending June 2018", "2023/24", 2019, "April 2018 to March 2019"])
      period_end  months
    0 2018-06-30      12
    1 2024-03-31      12
    2 2019-12-31      12
    3 2019-03-31      12
    """
    values = periods if isinstance(periods, pd.Series) else pd.Series(list(periods), dtype=object)
    distinct: Any
    try:  # each distinct label is read once: a stacked table repeats a handful of them
        codes, distinct = pd.factorize(values.astype(object), use_na_sentinel=True)
    except TypeError:  # unhashable values: every one on its own
        codes, distinct = np.arange(len(values)), values.to_numpy(dtype=object)
    if (codes < 0).any():
        raise InputError(f"{arg}: position {int(np.flatnonzero(codes < 0)[0])} is missing")
    ends: list[pd.Timestamp] = []
    months: list[int] = []
    for code, value in enumerate(distinct):
        parsed = _parse_one(value)
        if parsed is None:
            position = int(np.flatnonzero(codes == code)[0])
            raise InputError(
                f"{arg}: position {position} is {value!r}, which is not a period crimestats can "
                "put in time order; give labels such as 'year ending March 2019', 'April 2018 "
                "to March 2019' or '2023/24', years, or dates"
            )
        ends.append(parsed[0])
        months.append(parsed[1])
    end_values = pd.DatetimeIndex(ends, dtype="datetime64[ns]").to_numpy()
    return pd.DataFrame(
        {
            "period_end": end_values[codes] if len(codes) else end_values[:0],
            "months": np.array(months, dtype=np.int64)[codes] if len(codes) else np.zeros(0, int),
        },
        index=values.index,
    )


def period_end(periods: Iterable[Any]) -> pd.Series:
    """The last day each period covers, as a pandas Timestamp.

    Examples
    --------
    >>> [str(d.date()) for d in period_end(["Year ending Dec 2018", "2023/24"])]
    ['2018-12-31', '2024-03-31']
    """
    return parse_periods(periods)["period_end"]


def period_months(periods: Iterable[Any]) -> pd.Series:
    """How many months each period spans (0 for a date).

    Examples
    --------
    >>> period_months(["year ending March 2019", "March 2019", "Apr 2018 - Sep 2018"]).tolist()
    [12, 1, 6]
    """
    return parse_periods(periods)["months"]


def months_between(later: pd.Timestamp, earlier: pd.Timestamp) -> int:
    """Whole calendar months from `earlier`'s month to `later`'s."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month
