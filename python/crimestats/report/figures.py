"""The figures behind a crime story: rates, changes, tests and comparisons for each area.

Both :func:`crimestats.report.story.story` and :func:`crimestats.report.table.report` take their
numbers from here (:func:`area_figures` for each area, :func:`force_funnel` for the forces set
against the national rate); nothing here words or renders them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np
import pandas as pd

from .. import ons
from .._core import InputError
from ..changes import change, compare, funnel
from ..changes import test_change as _test_change  # not collected as a test by pytest
from ..datasets import load_story_areas, story_figure
from ..ons import NATIONAL_CODE, match_area
from ..rates import rate
from ..shares import gross_up, share_ci

EMBEDDED = "the founding report's figures, embedded in crimestats (crimestats.datasets)"

#: The story's area and offence when none is given (the founding report's).
DEFAULT_AREA = "Bedfordshire"
DEFAULT_OFFENCE = "Stalking and harassment"

#: Assumed survey bases for the shares' intervals: the report publishes neither the number of
#: respondents behind its shares nor the survey's design factor. These are round figures of the
#: size the Crime Survey for England and Wales has (about 35,000 adults a year, some 3 per cent
#: of them stalked), and the design factor is one typical of its published tables.
SURVEY_VICTIMS_BASE = 1_000
SURVEY_WOMEN_BASE = 15_000
SURVEY_DEFT = 1.2

#: The overdispersion adjustment of the forces' funnel: additive random effects on the
#: square-root scale with winsorised z-scores (Spiegelhalter 2005; FunnelPlotR's default).
OVERDISPERSION: Final = "additive"

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    """The default progress callback: say nothing."""


def area_figures(frame: pd.DataFrame, benchmark: float, *, per: float = 1000) -> pd.DataFrame:
    """Rates, changes, tests and the comparison with the benchmark for each area of a frame.

    Parameters
    ----------
    frame
        ``count, previous, population`` per area (any other columns are kept);
        ``previous_population`` (optional) gives the rate per head a year earlier.
    benchmark
        The national rate per ``per`` every area is compared with.

    Returns
    -------
    pandas.DataFrame
        ``frame`` with ``change, percent_change, suppressed`` (:func:`~crimestats.change`),
        ``rate, lower, upper`` (:func:`~crimestats.rate`), ``change_ratio, change_lower,
        change_upper, change_p_value, change_significant`` (the exact test of the two counts),
        ``previous_rate, rate_percent_change, rate_change_p_value, rate_change_significant``
        (per head, where ``previous_population`` is known) and ``benchmark, comparison``
        (:func:`~crimestats.compare`, the PHE rule).
    """
    out = frame.copy()
    counts = change(out["count"], out["previous"])
    out["change"] = counts["change"].to_numpy()
    out["percent_change"] = counts["percent_change"].to_numpy()
    out["suppressed"] = counts["suppressed"].fillna(False).to_numpy(dtype=bool)
    now = rate(out["count"], out["population"], per=per)
    out["rate"] = now["rate"].to_numpy()
    out["lower"] = now["lower"].to_numpy()
    out["upper"] = now["upper"].to_numpy()
    tested = _test_change(out["count"], out["previous"])
    out["change_ratio"] = tested["ratio"].to_numpy()
    out["change_lower"] = tested["lower"].to_numpy()
    out["change_upper"] = tested["upper"].to_numpy()
    out["change_p_value"] = tested["p_value"].to_numpy()
    out["change_significant"] = tested["significant"].to_numpy()
    if "previous_population" not in out:
        out["previous_population"] = np.nan
    known = out["previous_population"].notna()
    out["previous_rate"] = out["previous"] / out["previous_population"] * per
    out["rate_percent_change"] = (out["rate"] / out["previous_rate"] - 1) * 100
    out["rate_change_p_value"] = np.nan
    out["rate_change_significant"] = pd.array([pd.NA] * len(out), dtype="boolean")
    if known.any():
        per_head = _test_change(
            out.loc[known, "count"],
            out.loc[known, "previous"],
            exposure_current=out.loc[known, "population"],
            exposure_previous=out.loc[known, "previous_population"],
        )
        out.loc[known, "rate_change_p_value"] = per_head["p_value"].to_numpy()
        out.loc[known, "rate_change_significant"] = per_head["significant"].to_numpy()
    compared = compare(out["count"], out["population"], benchmark, per=per)
    out["benchmark"] = benchmark
    out["comparison"] = compared["comparison"].astype(object).to_numpy()
    return out


def force_funnel(forces: pd.DataFrame, benchmark: float, *, per: float = 1000) -> pd.DataFrame:
    """The forces set against the national rate on a funnel plot, allowing for overdispersion.

    Whole forces' rates vary between forces far more than Poisson noise: against exact Poisson
    limits nearly every force lies outside the 99.8 per cent funnel. Where the forces are
    overdispersed, their ``flag`` is against limits widened for the usual variation between
    forces (:data:`OVERDISPERSION`); ``poisson_flag`` is against the exact Poisson limits.

    Parameters
    ----------
    forces
        ``area_code, area_name, count, population``, one row per force with a rate.
    benchmark
        The national rate per ``per`` at the funnel's centre.

    Returns
    -------
    pandas.DataFrame
        ``area_code, area_name, count, population``, :func:`~crimestats.funnel`'s columns
        (``flag`` against the adjusted limits where the forces are overdispersed) and
        ``poisson_flag``. ``attrs``: ``target``, ``per``, ``phi``, ``tau2``, ``areas``,
        ``overdispersed`` (phi > 1), ``adjusted`` (the limits were widened), ``overdispersion``
        (the method) and ``limits`` (:func:`~crimestats.funnel_limits`'s keywords for these
        limits).
    """
    parts = forces[["area_code", "area_name", "count", "population"]].reset_index(drop=True)
    plain = funnel(parts["count"], parts["population"], target=benchmark, per=per)
    adjusted = funnel(
        parts["count"],
        parts["population"],
        target=benchmark,
        per=per,
        overdispersion=OVERDISPERSION,
    )
    out = pd.concat([parts, adjusted.reset_index(drop=True)], axis=1)
    out["poisson_flag"] = plain["flag"].to_numpy()
    out.attrs.update(adjusted.attrs)
    return out


_FIGURE_COLUMNS = [
    "area_code",
    "area_type",
    "count",
    "previous",
    "change",
    "percent_change",
    "population",
    "previous_population",
    "rate",
    "lower",
    "upper",
    "previous_rate",
    "rate_percent_change",
    "change_ratio",
    "change_lower",
    "change_upper",
    "change_p_value",
    "change_significant",
    "rate_change_p_value",
    "rate_change_significant",
    "benchmark",
    "comparison",
    "funnel_flag",
    "poisson_flag",
]


def benchmark_name(excluded: tuple[str, ...] | list[str]) -> str:
    """The national benchmark's name: "England and Wales", with the forces its totals leave out.

    Examples
    --------
    >>> benchmark_name(("Greater Manchester",))
    'England and Wales (excluding Greater Manchester)'
    """
    if not excluded:
        return ons.NATIONAL_NAME
    return f"{ons.NATIONAL_NAME} (excluding {' and '.join(excluded)})"


def national_rate(frame: pd.DataFrame, *, source: str, offence: str, per: float = 1000) -> float:
    """The England and Wales rate per ``per`` from its row of ``frame`` (count / population).

    Raises
    ------
    InputError
        If ``frame`` has no England and Wales row with a count and a population.
    """
    national = frame[frame["area_code"] == NATIONAL_CODE]
    if national.empty or national[["count", "population"]].isna().any(axis=None):
        raise InputError(
            f"{source} has no England and Wales count and population for {offence}, so there "
            "is no national rate to compare with"
        )
    return float(national["count"].iloc[0] / national["population"].iloc[0] * per)


def _embedded_areas(area: str) -> tuple[pd.DataFrame, str, str]:
    """The story's area and England and Wales from the embedded data, and the two periods."""
    areas = load_story_areas()
    areas["area_type"] = np.where(areas["area_code"] == NATIONAL_CODE, "country", "force")
    try:
        name = match_area(area, areas, where="the embedded data")
    except InputError as error:
        raise InputError(f"{error}. Pass table= (--table) for another area") from None
    match = areas[areas["area_name"] == name]
    national = areas[areas["area_code"] == NATIONAL_CODE]
    chosen = pd.concat([match, national]).drop_duplicates("area_code")
    return chosen, str(match["period"].iloc[0]), str(match["previous_period"].iloc[0])


def _table_areas(
    tables: ons.PfaTables, area: str, offence: str
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The story's area and England and Wales from an ONS table, every force, and the offence."""
    name = tables.resolve_offence(offence)
    area_name = tables.resolve_area(area)
    wide = tables.offence(name)
    wide = wide.assign(previous_population=np.nan)
    local = wide[wide["area_name"] == area_name]
    if local["area_type"].eq("force").any():
        local = local[local["area_type"] == "force"]
    local = local.iloc[:1]
    if local["count"].isna().all():
        raise InputError(
            f"{area_name} has no {name.lower()} count in {tables.path.name} "
            f"({tables.exclusion_note or 'the table marks it as not available'})"
        )
    national = wide[wide["area_code"] == NATIONAL_CODE]
    chosen = pd.concat([local, national]).drop_duplicates("area_name")
    forces = wide[(wide["area_type"] == "force") & wide["rate"].notna()]
    return chosen, forces, name


def _survey_figures(
    victims_base: float, women_base: float, deft: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The founding report's survey shares with intervals, and the grossed-up women victims."""
    women_share = story_figure("share_of_stalking_victims_women")
    one_in_eight = story_figure("share_women_victims_sa_da_stalking")
    victims = story_figure("stalking_victims_estimated")
    shares = pd.DataFrame(
        {
            "figure": ["share_of_stalking_victims_women", "share_women_victims_sa_da_stalking"],
            "share": [women_share, one_in_eight],
            "n": [victims_base, women_base],
        }
    )
    ci = share_ci(shares["share"], shares["n"], deft=deft)
    survey = pd.concat([shares[["figure"]], ci], axis=1)
    survey.insert(3, "deft", deft)
    grossed = gross_up(women_share, victims, n=victims_base, deft=deft)
    gross = pd.DataFrame(
        {
            "figure": ["women_stalking_victims"],
            "share": [women_share],
            "total": [victims],
            "estimate": grossed["estimate"].to_numpy(),
            "lower": grossed["lower"].to_numpy(),
            "upper": grossed["upper"].to_numpy(),
        }
    )
    return survey, gross
