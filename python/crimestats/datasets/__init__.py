"""The example data that ships with crimestats: the figures of the founding news report.

The report: "Bedfordshire Police recorded 5,108 stalking and harassment offences in the year to
March 2025, up 3 per cent from 4,949 ... around seven per 1,000 people, below the 10 per 1,000
average across England and Wales ... forces logged 599,908 offences, a 6 per cent decrease from
636,954 ... women accounted for 70 per cent of the 1.4 million estimated stalking victims ...
around one in eight women". ``story.csv`` beside this module holds each of its figures once,
with the ONS mid-year populations behind its rates and where each figure comes from.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from .._core import InputError

__all__ = ["load_esp2013", "load_story", "load_story_areas", "story_figure"]

_STORY_COLUMNS = ["figure", "area_code", "area_name", "period", "value", "unit", "source"]
_OFFENCES = "stalking_and_harassment_offences"


def load_story() -> pd.DataFrame:
    """The founding report's figures, one row per figure, area and period.

    Returns
    -------
    pandas.DataFrame
        ``figure, area_code, area_name, period, value, unit, source``. ``figure`` names what
        the row is (``stalking_and_harassment_offences``, ``population``,
        ``share_of_stalking_victims_women`` ...); ``period`` is "year ending March 2025" for
        counts and survey figures and "mid-2024" for populations; ``value`` is a count, a
        population or a share from 0 to 1. Figures without an area or period (the Suzy
        Lamplugh Trust's) have them missing.

    Examples
    --------
    >>> story = load_story()
    >>> beds = story.query("figure == 'stalking_and_harassment_offences' and area_name == "
    ...                    "'Bedfordshire'")
    >>> beds["value"].tolist()
    [5108.0, 4949.0]
    """
    with resources.files(__name__).joinpath("story.csv").open("r", encoding="utf-8") as handle:
        story = pd.read_csv(handle, dtype={"value": float})
    return story[_STORY_COLUMNS]


def story_figure(figure: str, *, area: str | None = None, period: str | None = None) -> float:
    """One figure of the founding report.

    Parameters
    ----------
    figure
        The ``figure`` name, as in :func:`load_story`.
    area
        The area, by code (``"E23000026"``) or name (``"Bedfordshire"``), where the figure has
        several.
    period
        The period (``"year ending March 2024"``, ``"mid-2023"``), where the figure has several.

    Returns
    -------
    float
        The value.

    Raises
    ------
    InputError
        If no row, or more than one, matches; the message lists what there is.

    Examples
    --------
    >>> story_figure("population", area="Bedfordshire", period="mid-2024")
    749943.0
    >>> story_figure("share_of_stalking_victims_women")
    0.7
    """
    story = load_story()
    rows = story[story["figure"] == figure]
    if rows.empty:
        raise InputError(
            f"figure: {figure!r} is not in the story; figures: "
            f"{', '.join(dict.fromkeys(story['figure']))}"
        )
    if area is not None:
        rows = rows[(rows["area_code"] == area) | (rows["area_name"] == area)]
    if period is not None:
        rows = rows[rows["period"] == period]
    if len(rows) != 1:
        choices = story.loc[story["figure"] == figure, ["area_name", "period"]]
        listing = "; ".join(f"{a} ({p})" for a, p in choices.itertuples(index=False))
        found = "no row" if rows.empty else f"{len(rows)} rows"
        raise InputError(
            f"{figure!r} with area={area!r}, period={period!r} matches {found}; "
            f"there are: {listing}"
        )
    return float(rows["value"].iloc[0])


def load_story_areas() -> pd.DataFrame:
    """The report's stalking and harassment figures by area, shaped for rates and changes.

    Returns
    -------
    pandas.DataFrame
        One row per area (Bedfordshire, Devon and Cornwall, England and Wales): ``area_code,
        area_name, offence, period, count, previous_period, previous, population,
        previous_population``. ``count`` is for the year ending March 2025 and ``previous`` for
        the year before; ``population`` is mid-2024 and ``previous_population`` mid-2023, the
        estimates nearest each year's middle.

    Examples
    --------
    >>> areas = load_story_areas().set_index("area_name")
    >>> beds = areas.loc["Bedfordshire"]
    >>> round(float(beds["count"] / beds["population"] * 1000), 2)
    6.81
    """
    story = load_story()
    offences = story[story["figure"] == _OFFENCES]
    population = story[story["figure"] == "population"]
    rows = []
    for code, group in offences.groupby("area_code", sort=False):
        by_period = group.set_index("period")["value"]
        pops = population[population["area_code"] == code].set_index("period")["value"]
        rows.append(
            {
                "area_code": code,
                "area_name": group["area_name"].iloc[0],
                "offence": "Stalking and harassment",
                "period": "year ending March 2025",
                "count": by_period["year ending March 2025"],
                "previous_period": "year ending March 2024",
                "previous": by_period["year ending March 2024"],
                "population": pops["mid-2024"],
                "previous_population": pops["mid-2023"],
            }
        )
    return pd.DataFrame(rows)


def load_esp2013() -> pd.DataFrame:
    """The 2013 European Standard Population: 19 age bands per 100,000 people (Eurostat 2013).

    Returns
    -------
    pandas.DataFrame
        ``age`` (band labels ``"0-4"``, ``"5-9"``, ..., ``"85-89"``, ``"90+"``) and
        ``population``, summing to 100,000.

    Examples
    --------
    >>> esp = load_esp2013()
    >>> len(esp), int(esp["population"].sum())
    (19, 100000)
    """
    with resources.files(__name__).joinpath("esp2013.csv").open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype={"age": str, "population": float})
