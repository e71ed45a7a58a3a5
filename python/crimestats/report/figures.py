"""The figures behind a crime story: rates, changes, tests and comparisons for each area.

Both :func:`crimestats.report.story.story` and :func:`crimestats.report.table.report` take their
numbers from here; nothing here words or renders them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from .. import ons
from .._core import InputError
from ..changes import change, compare, funnel
from ..changes import test_change as _test_change  # not collected as a test by pytest
from ..datasets import load_story_areas, story_figure
from ..ons.geography import _key
from ..rates import rate
from ..shares import gross_up, share_ci

_NATIONAL = "K04000001"
_NATIONAL_NAME = "England and Wales"
_EMBEDDED = "the founding report's figures, embedded in crimestats (crimestats.datasets)"

#: Assumed survey bases for the shares' intervals: the report publishes neither the number of
#: respondents behind its shares nor the survey's design factor. These are round figures of the
#: size the Crime Survey for England and Wales has (about 35,000 adults a year, some 3 per cent
#: of them stalked), and the design factor is one typical of its published tables.
SURVEY_VICTIMS_BASE = 1_000
SURVEY_WOMEN_BASE = 15_000
SURVEY_DEFT = 1.2

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    """The default progress callback: say nothing."""


def _area_figures(frame: pd.DataFrame, benchmark: float, *, per: float = 1000) -> pd.DataFrame:
    """Rates, changes, tests and comparisons for a frame of ``count, previous, population``.

    ``previous_population`` (optional) gives the rate per head a year earlier.
    """
    out = frame.copy()
    counts = change(out["count"], out["previous"])
    out["change"] = counts["change"].to_numpy()
    out["percent_change"] = counts["percent_change"].to_numpy()
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
    flags = funnel(out["count"], out["population"], target=benchmark, per=per)
    out["funnel_flag"] = flags["flag"].astype(object).to_numpy()
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
]


def _embedded_areas(area: str) -> tuple[pd.DataFrame, str, str]:
    """The story's area and England and Wales from the embedded data, and the two periods."""
    areas = load_story_areas()
    areas["area_type"] = np.where(areas["area_code"] == _NATIONAL, "country", "force")
    wanted = _key(area)
    match = areas[
        (areas["area_code"] == area.strip().upper()) | (areas["area_name"].map(_key) == wanted)
    ]
    if match.empty:
        raise InputError(
            f"area {area!r} is not in the embedded data; areas there: "
            f"{'; '.join(areas['area_name'])}. Pass table= (--table) for another area"
        )
    national = areas[areas["area_code"] == _NATIONAL]
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
    national = wide[wide["area_code"] == _NATIONAL]
    chosen = pd.concat([local, national]).drop_duplicates("area_name")
    forces = wide[wide["area_type"] == "force"]
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


def _by_area(frame: pd.DataFrame) -> pd.Series:
    """A key per row: the GSS code, or the name where an area has none (BTP)."""
    names = frame["area_name"].map(lambda n: "name:" + _key(str(n)))
    return frame["area_code"].where(frame["area_code"].notna(), names).astype(str)


def _containing(tables: ons.PfaTables, rows: pd.DataFrame) -> set[str]:
    """The areas whose totals leave out an excluded force: England and Wales, its country and
    the region it sits in (the last region row above it in the table's order)."""
    if not tables.excluded:
        return set()
    containing = {_NATIONAL}
    region = None
    for row in tables.counts.drop_duplicates(["area_code", "area_name"]).itertuples(index=False):
        if row.area_type == "region":
            region = row.area_code
        elif row.area_name in tables.excluded and isinstance(row.area_code, str):
            containing.add("E92000001" if row.area_code.startswith("E") else "W92000004")
            if region is not None:
                containing.add(str(region))
    if not any(name in tables.excluded for name in rows["area_name"]):
        containing.add("E92000001")  # the force's row is missing: England at least leaves it out
    return containing
