"""The report a newsroom or an analyst runs: every figure of a crime story, and what is behind it.

:func:`story` retells the founding report ("Bedfordshire Police recorded 5,108 stalking and
harassment offences in the year to March 2025, up 3 per cent from 4,949 ...") from the embedded
example data, or the same story for another force and offence from an ONS police force area
table, and adds what such a report cannot say on its own: whether the change is more than chance,
what happened to the rate per head, whether the area really differs from the national rate, and
how sure the survey figures are.

:func:`report` does the arithmetic for every area of an ONS table at once: one row per area with
its count, the change on the year before (from the publication's own Table P2), its rate with a
confidence interval, how it compares with the England and Wales rate and whether the change is
statistically significant.

Every number comes from the package's own functions (:func:`crimestats.rate`,
:func:`~crimestats.changes.test_change`, :func:`~crimestats.changes.compare`,
:func:`~crimestats.changes.funnel`, :func:`~crimestats.shares.share_ci`,
:func:`~crimestats.shares.gross_up`) and every phrase from :mod:`crimestats.phrase`.
"""

from __future__ import annotations

import json
import math
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import ons, phrase
from ._core import InputError
from .changes import change, compare, funnel
from .changes import test_change as _test_change  # not collected as a test by pytest
from .datasets import load_story_areas, story_figure
from .rates import rate
from .shares import gross_up, share_ci

__all__ = [
    "FORMATS",
    "REPORT_COLUMNS",
    "Report",
    "Story",
    "report",
    "story",
]

#: The output formats of :meth:`Report.render` and ``crimestats report --format``.
FORMATS = ("table", "markdown", "csv", "json")

#: The columns of :attr:`Report.rows`, in order.
REPORT_COLUMNS = [
    "area_code",
    "area_name",
    "area_type",
    "count",
    "previous",
    "change",
    "percent_change",
    "suppressed",
    "change_source",
    "population",
    "rate",
    "lower",
    "upper",
    "published_rate",
    "comparison",
    "change_ratio",
    "change_lower",
    "change_upper",
    "change_p_value",
    "change_significant",
    "note",
]

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


# --- wording helpers ----------------------------------------------------------------------------


def _p_value(p: float) -> str:
    """An exact test's p-value as a report prints it: "p = 0.115", "p < 0.001"."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _decimal(value: float, decimals: int = 2) -> str:
    """A rate or ratio to a fixed number of decimals, as the tables print it ("6.81")."""
    return phrase.number(value, decimals=decimals) if value >= 10 else f"{value:.{decimals}f}"


def _offence_phrase(offence: str) -> tuple[str, str]:
    """The offence as a sentence names it, and the bare noun to repeat ("offences", "crimes").

    "Stalking and harassment" -> ("stalking and harassment offences", "offences");
    "Total recorded crime (excluding fraud)" -> ("crimes (excluding fraud)", "crimes").
    """
    name = offence.removesuffix("(households)").strip()
    low = name[:1].lower() + name[1:] if not name[:2].isupper() else name
    if low.lower().startswith("total recorded crime"):
        rest = low[len("total recorded crime") :].strip()
        return (f"crimes {rest}".strip(), "crimes")
    if re.search(r"\b(offences|crimes)\b", low):
        return low, "offences"
    return f"{low} offences", "offences"


def _recorder(area: str, area_type: str) -> str:
    """Who recorded the offences: "Bedfordshire Police", "Forces in Wales"."""
    if area_type == "force" or area.endswith("Police"):
        if area == "City of London":
            return "City of London Police"
        return area if area.endswith("Police") else f"{area} Police"
    return f"Forces in {area}"


def _wrap(text: str, indent: str = "  ", width: int = 100) -> str:
    return textwrap.fill(
        text, width=width, initial_indent=indent + "- ", subsequent_indent=indent + "  "
    )


def _rounded_thousands(value: float) -> str:
    """A grossed-up survey count to the nearest thousand: 940,069 -> "940,000"."""
    return phrase.number(round(value, -3))


def _share_range(lower: float, upper: float, *, decimals: int = 0) -> str:
    """An interval of shares: "66 and 73 per cent"."""
    low = phrase.share(lower, decimals=decimals).removesuffix(" per cent")
    return f"{low} and {phrase.share(upper, decimals=decimals)}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- the story ----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Story:
    """A crime story's figures and sentences, with the questions behind them answered.

    Attributes
    ----------
    area, offence
        The area (as the data names it) and the offence.
    period, previous_period
        The year the story is about and the year it is compared with, as the ONS names them
        ("year ending March 2025").
    source
        Where the figures come from: the embedded example data, or the table's file name.
    figures
        One row per area (the story's area, then England and Wales), indexed by area name:
        ``area_code, area_type, count, previous, change, percent_change, population,
        previous_population, rate, lower, upper, previous_rate, rate_percent_change,
        change_ratio, change_lower, change_upper, change_p_value, change_significant,
        rate_change_p_value, rate_change_significant, benchmark, comparison, funnel_flag``.
        ``change_*`` test the counts (:func:`~crimestats.changes.test_change`, exact);
        ``rate_change_*`` test the rates per head (the same test with the populations as
        exposures) where both years' populations are known.
    survey
        The survey shares with their intervals, one row per share (``figure, share, n, deft,
        effective_n, lower, upper``), or None when the story has no survey figures.
    gross
        The grossed-up survey count ("70 per cent of 1.4 million") with its interval (``figure,
        share, total, estimate, lower, upper``), or None.
    reported
        The report's own sentences, each figure as the report printed it.
    answers
        What the report could not say: the sentences that answer its questions.
    notes
        What a reader of the answers must know: assumptions, exclusions, sources.
    """

    area: str
    offence: str
    period: str
    previous_period: str | None
    source: str
    figures: pd.DataFrame
    survey: pd.DataFrame | None
    gross: pd.DataFrame | None
    reported: tuple[str, ...]
    answers: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())

    def text(self, width: int = 100) -> str:
        """The story as plain text: the report's sentences, the answers, then the notes.

        Parameters
        ----------
        width
            Wrap the lines at this many characters.

        Examples
        --------
        >>> print(story().text())  # doctest: +ELLIPSIS
        Stalking and harassment in Bedfordshire, the year to March 2025
        ...
        """
        heading = f"{self.offence} in {self.area}, {phrase.year_to(self.period)}"
        lines = [heading, "=" * len(heading), f"Source: {self.source}", ""]
        lines.append("What the report said")
        lines += [_wrap(s, width=width) for s in self.reported]
        lines += ["", "What it could not say"]
        lines += [_wrap(s, width=width) for s in self.answers]
        if self.notes:
            lines += ["", "Notes"]
            lines += [_wrap(s, width=width) for s in self.notes]
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.text()

    def _repr_markdown_(self) -> str:
        heading = f"### {self.offence} in {self.area}, {phrase.year_to(self.period)}"
        parts = [heading, f"*Source: {self.source}*", "**What the report said**"]
        parts.append("\n".join(f"- {s}" for s in self.reported))
        parts += ["**What it could not say**", "\n".join(f"- {s}" for s in self.answers)]
        if self.notes:
            parts += ["**Notes**", "\n".join(f"- {s}" for s in self.notes)]
        return "\n\n".join(parts)


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
    wanted = ons._key(area)
    match = areas[
        (areas["area_code"] == area.strip().upper()) | (areas["area_name"].map(ons._key) == wanted)
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


def _direction(pct: float) -> str:
    return "rise" if pct > 0 else "fall"


def _reported_sentences(
    local: pd.Series, national: pd.Series, offence: str, period: str, benchmark_name: str
) -> list[str]:
    noun_phrase, noun = _offence_phrase(offence)
    unit = "households" if offence.endswith("(households)") else "people"
    recorder = _recorder(str(local.name), str(local["area_type"]))
    first = (
        f"{recorder} recorded {phrase.number(local['count'])} {noun_phrase} in "
        f"{phrase.year_to(period)}"
    )
    if not math.isnan(local["previous"]) and local["previous"] > 0:
        first += f", {phrase.change(local['count'], local['previous'])}"
    sentences = [first + "."]
    if not math.isnan(local["rate"]):
        side = "below" if local["rate"] < national["rate"] else "above"
        sentences.append(
            f"That is {phrase.rate(local['rate'], unit=unit)}, {side} the "
            f"{phrase.rate(national['rate'], unit=None, approximate=False)} average across "
            f"{benchmark_name}."
        )
    national_change = (
        f", {phrase.change_noun(national['count'], national['previous'])}"
        if not math.isnan(national["previous"]) and national["previous"] > 0
        else ""
    )
    sentences.append(
        f"Across {benchmark_name}, forces logged {phrase.number(national['count'])} {noun}"
        f"{national_change}."
    )
    return sentences


def _answer_change(local: pd.Series) -> str:
    pct = local["percent_change"]
    amount = phrase.per_cent(abs(pct))
    verdict = phrase.significance(bool(local["change_significant"]))
    return (
        f"The {amount} {_direction(pct)} is {verdict}: an exact test of "
        f"{phrase.number(local['count'])} offences against {phrase.number(local['previous'])} "
        f"gives {_p_value(local['change_p_value'])} (the ratio of the two years' counts is "
        f"{local['change_ratio']:.2f}, 95 per cent confidence interval "
        f"{local['change_lower']:.2f} to {local['change_upper']:.2f})."
    )


def _answer_per_head(local: pd.Series, unit: str) -> str:
    count_pct, rate_pct = local["percent_change"], local["rate_percent_change"]
    if np.sign(count_pct) != np.sign(rate_pct):
        verdict = f"the {_direction(count_pct)} becomes a {_direction(rate_pct)}"
    elif abs(rate_pct) < abs(count_pct):
        verdict = f"the {_direction(count_pct)} is smaller"
    else:
        verdict = f"the {_direction(count_pct)} is larger"
    grew = "grew" if local["population"] > local["previous_population"] else "fell"
    before, after = local["previous_population_base"], local["population_base"]
    return (
        f"Per head, {verdict}: the population {grew} from "
        f"{phrase.number(local['previous_population'])} ({before}) to "
        f"{phrase.number(local['population'])} ({after}), so the rate went from "
        f"{_decimal(local['previous_rate'])} to {_decimal(local['rate'])} per 1,000 {unit}, "
        f"{phrase.change(local['rate'], local['previous_rate'], decimals=1, since=False)}, "
        f"{phrase.significance(bool(local['rate_change_significant']))} "
        f"({_p_value(local['rate_change_p_value'])})."
    )


def _answer_comparison(local: pd.Series, benchmark_name: str, unit: str, forces: int) -> str:
    result = str(local["comparison"])
    flag = str(local["funnel_flag"])
    if flag == "within":
        funnel_text = "it lies within the 95 per cent limits"
    else:
        side, level = flag.split("_", 1)
        funnel_text = f"it lies {side} the {level.replace('_', '.')} per cent limits"
    where = f"a funnel plot of all {forces} forces" if forces > 1 else "a funnel plot"
    return (
        f"{local.name}'s rate, {_decimal(local['rate'])} per 1,000 {unit} (95 per cent confidence "
        f"interval {_decimal(local['lower'])} to {_decimal(local['upper'])}), is "
        f"{phrase.comparison(result, benchmark=f'the {benchmark_name} rate')} of "
        f"{_decimal(local['benchmark'])} per 1,000; on {where} around the national rate "
        f"{funnel_text}."
    )


def _answer_national(national: pd.Series, unit: str) -> str:
    pct = national["percent_change"]
    text = (
        f"Nationally, the {phrase.per_cent(abs(pct))} {_direction(pct)} is "
        f"{phrase.significance(bool(national['change_significant']))} "
        f"({_p_value(national['change_p_value'])})"
    )
    if not math.isnan(national["previous_rate"]):
        text += (
            f", and per head the rate went from {_decimal(national['previous_rate'])} to "
            f"{_decimal(national['rate'])} per 1,000 {unit}, "
            f"{phrase.change(national['rate'], national['previous_rate'], since=False)}"
        )
    return text + "."


def _survey_sentences(survey: pd.DataFrame, gross: pd.DataFrame) -> tuple[list[str], list[str]]:
    women = survey.iloc[0]
    eight = survey.iloc[1]
    g = gross.iloc[0]
    reported = [
        f"Women accounted for {phrase.share(women['share'])} of the "
        f"{phrase.large_number(g['total'])} estimated stalking victims.",
        f"{_sentence(phrase.one_in(eight['share'], approximate=True))} women experienced "
        "sexual assault, domestic abuse or stalking.",
    ]
    answers = [
        f"The survey shares are estimates from a sample. If {phrase.number(women['n'])} of the "
        f"survey's respondents were stalking victims, {phrase.share(women['share'])} is "
        f"somewhere between {_share_range(women['lower'], women['upper'])} (95 per cent "
        "confidence interval), so "
        f"{phrase.share(women['share'])} of {phrase.large_number(g['total'])} is about "
        f"{_rounded_thousands(g['estimate'])} women, between "
        f"{_rounded_thousands(g['lower'])} and {_rounded_thousands(g['upper'])}.",
        f"If {phrase.number(eight['n'])} women answered, "
        f"{phrase.one_in(eight['share'])} ({phrase.share(eight['share'], decimals=1)}) is "
        f"between {_share_range(eight['lower'], eight['upper'], decimals=1)}.",
    ]
    return reported, answers


def story(
    *,
    area: str = "Bedfordshire",
    offence: str = "Stalking and harassment",
    table: str | Path | ons.PfaTables | None = None,
    survey_victims: float = SURVEY_VICTIMS_BASE,
    survey_women: float = SURVEY_WOMEN_BASE,
    deft: float = SURVEY_DEFT,
) -> Story:
    """The founding report's figures and sentences, with the questions behind them answered.

    Without ``table``, the figures are the founding report's, embedded in the package
    (:mod:`crimestats.datasets`): Bedfordshire (or Devon and Cornwall) and England and Wales,
    stalking and harassment, the year to March 2025 against the year before, with the ONS
    mid-year populations of both years and the Crime Survey shares. With ``table``, they are the
    area's and the offence's in an ONS police force area table, with England and Wales as that
    table prints it (the survey figures are then left out: they are national and about stalking).

    Parameters
    ----------
    area
        The area, by name or GSS code ("Devon & Cornwall" and "E23000035" both work).
    offence
        The offence, matched loosely ("stalking"); only stalking and harassment is in the
        embedded data.
    table
        An ONS police force area data table (path, or tables read with
        :func:`crimestats.ons.read_pfa_tables`); None for the embedded data.
    survey_victims, survey_women, deft
        The survey bases assumed for the intervals around the survey shares (stalking victims
        among the respondents; women respondents) and the survey's design factor. The report
        publishes none of them; the story says so beside the intervals.

    Returns
    -------
    Story
        The figures, the report's sentences, the answers and the notes; ``str()`` or
        :meth:`Story.text` gives the text.

    Raises
    ------
    InputError
        An area or offence that is not in the data (the message lists those that are), or a
        table that is not an ONS police force area table.

    Examples
    --------
    >>> s = story()
    >>> s.reported[0]
    'Bedfordshire Police recorded 5,108 stalking and harassment offences in the year to March 2025, up 3 per cent from 4,949.'
    >>> round(float(s.figures.loc["Bedfordshire", "change_p_value"]), 3)
    0.115
    >>> s.figures.loc["Bedfordshire", "comparison"]
    'lower'
    >>> story(area="Devon and Cornwall").reported[1]
    'That is around eight per 1,000 people, below the 10 per 1,000 average across England and Wales.'
    """  # noqa: E501
    notes: list[str] = []
    survey = gross = None
    previous_period: str | None
    if table is None:
        if ons._key(offence) not in ons._key("Stalking and harassment"):
            raise InputError(
                f"offence {offence!r} is not in the embedded data, which holds stalking and "
                "harassment only; pass table= (--table) for another offence"
            )
        chosen, period, previous_period = _embedded_areas(area)
        offence_name = "Stalking and harassment"
        source = _EMBEDDED
        forces = 1
        chosen = chosen.assign(population_base="mid-2024", previous_population_base="mid-2023")
        benchmark_name = _NATIONAL_NAME
    else:
        tables = table if isinstance(table, ons.PfaTables) else ons.read_pfa_tables(table)
        chosen, all_forces, offence_name = _table_areas(tables, area, offence)
        period, previous_period = tables.period, tables.previous_period
        source = tables.path.name
        forces = int(all_forces["count"].notna().sum())
        chosen = chosen.assign(population_base=tables.population_base)
        benchmark_name = _NATIONAL_NAME
        if tables.excluded:
            benchmark_name = f"England and Wales (excluding {' and '.join(tables.excluded)})"
            notes.append(str(tables.exclusion_note))
        notes.append(
            f"Changes are against {previous_period} as revised in this publication (Table P2); "
            f"rates use the {tables.population_base} populations of Table P3, the same for both "
            "years, so the change per head cannot be told from the change in the count here."
        )
    national_rows = chosen["area_code"] == _NATIONAL
    if not national_rows.any():
        raise InputError(f"{source} has no England and Wales row to compare with")
    national_row = chosen[national_rows].iloc[0]
    benchmark = float(national_row["count"] / national_row["population"] * 1000)
    figures = _area_figures(chosen, benchmark)
    figures["population_base"] = chosen["population_base"].to_numpy()
    if "previous_population_base" in chosen:
        figures["previous_population_base"] = chosen["previous_population_base"].to_numpy()
    figures = figures.set_index("area_name")
    if (figures["area_code"] != _NATIONAL).sum() == 0:
        raise InputError(
            f"area {area!r} is England and Wales, the benchmark the story compares with; "
            "pick a force or region"
        )
    local = figures[figures["area_code"] != _NATIONAL].iloc[0]
    national = figures[figures["area_code"] == _NATIONAL].iloc[0]
    unit = "households" if offence_name.endswith("(households)") else "people"

    reported = _reported_sentences(local, national, offence_name, period, benchmark_name)
    answers: list[str] = []
    if not math.isnan(local["change_p_value"]):
        answers.append(_answer_change(local))
    if not math.isnan(local["rate_change_p_value"]):
        answers.append(_answer_per_head(local, unit))
    if not math.isnan(local["rate"]):
        answers.append(_answer_comparison(local, benchmark_name, unit, forces))
    if not math.isnan(national["change_p_value"]):
        answers.append(_answer_national(national, unit))
    if table is None:
        survey, gross = _survey_figures(survey_victims, survey_women, deft)
        said, answered = _survey_sentences(survey, gross)
        reported += said
        answers += answered
        notes.append(
            "The report gives neither the number of survey respondents behind its shares nor "
            f"the survey's design factor, so the survey intervals above assume "
            f"{phrase.number(survey_victims)} stalking victims and "
            f"{phrase.number(survey_women)} women among the respondents, and a design factor of "
            f"{deft:g} (typical of the Crime Survey for England and Wales). With the published "
            "bases they would be narrower or wider; the 1.4 million is taken as exact."
        )
        notes.append(
            "Populations are ONS mid-year estimates: mid-2024 for the year to March 2025 and "
            "mid-2023 for the year before."
        )
    notes.append(
        f"The funnel plot's limits are exact Poisson limits (95 and 99.8 per cent) around the "
        f"{benchmark_name} rate."
    )
    return Story(
        area=str(local.name),
        offence=offence_name,
        period=period,
        previous_period=previous_period,
        source=source,
        figures=figures[_FIGURE_COLUMNS],
        survey=survey,
        gross=gross,
        reported=tuple(reported),
        answers=tuple(answers),
        notes=tuple(notes),
    )


# --- the report on every area of a table --------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Report:
    """Every area of an ONS police force area table for one offence: counts, changes, rates.

    Attributes
    ----------
    source
        The table's file name.
    offence
        The offence, as the table names it.
    period, previous_period
        The year of the counts and the year the changes are against.
    population_base
        The mid-year population estimates behind the rates ("mid-2018").
    benchmark, benchmark_name
        The England and Wales rate per 1,000 every area is compared with (from the same table's
        count and population, so without any force the national total leaves out), and its name.
    rows
        One row per area of the table, in its order (or of the areas asked for): the columns of
        :data:`REPORT_COLUMNS`. ``previous`` is the year-earlier count as revised in this
        publication, ``count / (1 + P2 / 100)``; ``change_source`` says where the change came
        from ("P2", or "two publications" where it had to be computed from an earlier table's
        count). ``rate, lower, upper`` are per 1,000 people (households for "Residential burglary
        (households)") with a 95 per cent interval (:func:`crimestats.rate`, PHE method);
        ``published_rate`` is Table P3's. ``comparison`` is "lower", "similar" or "higher" than
        the benchmark (:func:`~crimestats.changes.compare`); ``change_*`` is the exact test of the
        two counts (:func:`~crimestats.changes.test_change`), ``change_significant`` at the 5 per
        cent level. ``note`` says why a row has gaps.
    funnel
        The forces with a rate, set against the benchmark (:func:`~crimestats.changes.funnel`):
        ``area_code, area_name, count, population, rate, z, lower_95, upper_95, lower_99_8,
        upper_99_8, flag``; ``attrs`` carries the target rate.
    notes
        What a reader must know about the table: forces left out, where the changes come from,
        how the rates and comparisons are made.
    """

    source: str
    offence: str
    period: str
    previous_period: str | None
    population_base: str | None
    benchmark: float
    benchmark_name: str
    rows: pd.DataFrame
    funnel: pd.DataFrame
    notes: tuple[str, ...]

    @property
    def title(self) -> str:
        """The report's heading: offence, period and source."""
        return f"{self.offence}, {self.period}: {self.source}"

    def render(self, format: str = "table") -> str:
        """The report as text in one of :data:`FORMATS`.

        ``table`` (aligned plain text) and ``markdown`` print the title, the notes and the
        contract's columns with figures formatted for reading; ``csv`` is every column of
        :attr:`rows` unformatted (each row's ``note`` carries what the notes say about it);
        ``json`` is an object with the title fields, ``notes`` and ``rows`` (every column,
        missing values as null).

        Examples
        --------
        >>> r = report("pfatablesdec19.xlsx", offence="stalking")  # doctest: +SKIP
        >>> print(r.render("markdown"))  # doctest: +SKIP
        """
        if format not in FORMATS:
            raise InputError(f"format: {format!r} is not one of {', '.join(FORMATS)}")
        if format == "csv":
            return str(self.rows.to_csv(index=False, lineterminator="\n"))
        if format == "json":
            rows = json.loads(self.rows.to_json(orient="records"))
            document = {
                "source": self.source,
                "offence": self.offence,
                "period": self.period,
                "previous_period": self.previous_period,
                "population_base": self.population_base,
                "benchmark": {"name": self.benchmark_name, "rate": self.benchmark},
                "notes": list(self.notes),
                "rows": rows,
            }
            return json.dumps(document, indent=2) + "\n"
        shown = _display(self.rows)
        if format == "markdown":
            lines = [f"## {self.title}", ""]
            lines += [f"- {note}" for note in self.notes]
            lines += ["", _markdown_table(shown)]
            return "\n".join(lines) + "\n"
        lines = [self.title, "=" * len(self.title)]
        lines += [_wrap(note, indent="") for note in self.notes]
        lines += ["", _text_table(shown), ""]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render("table")


_DISPLAY_COLUMNS = [
    "area_code",
    "area_name",
    "count",
    "previous",
    "change",
    "percent_change",
    "suppressed",
    "population",
    "rate",
    "lower",
    "upper",
    "comparison",
    "change_p_value",
    "change_significant",
    "note",
]


def _cell(value: Any, kind: str) -> str:
    """One cell for reading: '..' for a missing number (the ONS symbol), '' for no verdict."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ".." if kind in ("count", "decimal", "percent", "p") else ""
    if kind == "count":
        return f"{value:,.0f}"
    if kind == "percent":
        return f"{value:+.1f}"
    if kind == "decimal":
        return f"{value:.2f}"
    if kind == "p":
        return "<0.001" if value < 0.001 else f"{value:.3f}"
    if kind == "bool":
        return "yes" if bool(value) else "no"
    return str(value)


_KINDS = {
    "count": "count",
    "previous": "count",
    "change": "count",
    "population": "count",
    "percent_change": "percent",
    "rate": "decimal",
    "lower": "decimal",
    "upper": "decimal",
    "change_p_value": "p",
    "suppressed": "bool",
    "change_significant": "bool",
}


def _display(rows: pd.DataFrame) -> pd.DataFrame:
    """The contract's columns as strings formatted for reading."""
    return pd.DataFrame(
        {
            column: [_cell(v, _KINDS.get(column, "text")) for v in rows[column].tolist()]
            for column in _DISPLAY_COLUMNS
        }
    )


_NUMERIC = {c for c, k in _KINDS.items() if k in ("count", "percent", "decimal", "p")}


def _text_table(frame: pd.DataFrame) -> str:
    """Aligned plain text: figures to the right, words to the left."""
    widths = {c: max(len(c), *(len(v) for v in frame[c])) for c in frame.columns}

    def line(cells: Sequence[str]) -> str:
        padded = [
            v.rjust(widths[c]) if c in _NUMERIC else v.ljust(widths[c])
            for c, v in zip(frame.columns, cells, strict=True)
        ]
        return "  ".join(padded).rstrip()

    return "\n".join([line(list(frame.columns)), *(line(r) for r in frame.itertuples(index=False))])


def _markdown_table(frame: pd.DataFrame) -> str:
    numeric = _NUMERIC
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---:" if c in numeric else "---" for c in frame.columns) + "|"
    body = [
        "| " + " | ".join(v.replace("|", "\\|") for v in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join([header, rule, *body])


def _by_area(frame: pd.DataFrame) -> pd.Series:
    """A key per row: the GSS code, or the name where an area has none (BTP)."""
    names = frame["area_name"].map(lambda n: "name:" + ons._key(str(n)))
    return frame["area_code"].where(frame["area_code"].notna(), names).astype(str)


def report(
    table: str | Path | ons.PfaTables,
    *,
    offence: str | None = None,
    areas: Sequence[str] | None = None,
    previous_table: str | Path | ons.PfaTables | None = None,
    progress: Progress | None = None,
) -> Report:
    """Counts, changes, rates and comparisons for every area of an ONS police force area table.

    Parameters
    ----------
    table
        An ONS "Police force area data tables" workbook (xlsx or ods), or tables already read
        with :func:`crimestats.ons.read_pfa_tables`.
    offence
        The offence, matched loosely ("stalking"); by default the table's first, total recorded
        crime.
    areas
        Keep only these areas (names or GSS codes, matched loosely); by default every area.
    previous_table
        The publication for the year before. The change on the year comes from this table's own
        Table P2 wherever it has one (the publication's revised figure); where it has none (no
        P2, or a base under 50), the change is computed from the earlier table's count, and the
        report says so.
    progress
        Called with a line of text as each stage starts (the command line prints them to
        stderr).

    Returns
    -------
    Report
        ``rows`` (one per area), ``funnel`` (the forces against the national rate), ``notes``
        and :meth:`Report.render` for the text.

    Raises
    ------
    InputError
        A file that is not an ONS police force area table, an offence or area that is not in
        it (the message lists those that are), or a previous table for another year than the
        one this table's changes are against.

    Examples
    --------
    >>> r = report("pfatablesdec19.xlsx", offence="stalking")  # doctest: +SKIP
    >>> r.rows.set_index("area_name").loc["Bedfordshire", ["count", "previous", "comparison"]]
    ... # doctest: +SKIP
    count         4809.0
    previous      3607.0
    comparison     lower
    """
    say = progress or _quiet
    if isinstance(table, ons.PfaTables):
        tables = table
    else:
        say(f"Reading {Path(table).name}")
        tables = ons.read_pfa_tables(table)
    offence_name = tables.resolve_offence(offence or tables.offences()[0])
    earlier = None
    if previous_table is not None:
        if isinstance(previous_table, ons.PfaTables):
            earlier = previous_table
        else:
            say(f"Reading {Path(previous_table).name} for the year before")
            earlier = ons.read_pfa_tables(previous_table)
        if tables.previous_period is not None and earlier.period != tables.previous_period:
            raise InputError(
                f"previous table {earlier.path.name} is for the {earlier.period}, but the changes "
                f"in {tables.path.name} are against the {tables.previous_period}"
            )
    wide = tables.offence(offence_name)
    say(f"Computing rates, changes and comparisons for {len(wide)} areas: {offence_name}")
    rows = wide[["area_code", "area_name", "area_type", "count", "previous"]].copy()
    rows["change_source"] = ["P2" if given else None for given in wide["percent_change"].notna()]
    published_change = wide["percent_change"].to_numpy()
    two_publications = 0
    if earlier is not None:
        count_name = offence_name.removesuffix("(households)").strip()
        before = earlier.offence(earlier.resolve_offence(count_name))
        before_counts = pd.Series(before["count"].to_numpy(), index=_by_area(before))
        fill = rows["previous"].isna() & rows["count"].notna()
        looked_up = _by_area(rows).map(before_counts)
        # Like for like: where this year's totals leave a force out, so must last year's.
        left_out = before[before["area_name"].isin(tables.excluded)]
        if not left_out.empty:
            adjust = rows["area_code"].isin(_containing(tables, rows))
            looked_up = looked_up.where(~adjust, looked_up - left_out["count"].sum())
        fill &= looked_up.notna()
        rows.loc[fill, "previous"] = looked_up[fill]
        rows.loc[fill, "change_source"] = "two publications"
        two_publications = int(fill.sum())

    counted = change(rows["count"], rows["previous"])
    rows["change"] = counted["change"].to_numpy()
    from_p2 = ~np.isnan(published_change)
    rows["percent_change"] = np.where(
        from_p2, published_change, counted["percent_change"].to_numpy()
    )
    suppressed = counted["suppressed"].fillna(False).to_numpy(dtype=bool)
    rows["suppressed"] = np.where(from_p2, False, suppressed | wide["suppressed"].to_numpy())
    rows["population"] = wide["population"].to_numpy()

    national = rows[rows["area_code"] == _NATIONAL]
    if national.empty or national[["count", "population"]].isna().any(axis=None):
        raise InputError(
            f"{tables.path.name} has no England and Wales count and population for "
            f"{offence_name}, so there is no national rate to compare with"
        )
    benchmark = float(national["count"].iloc[0] / national["population"].iloc[0] * 1000)
    rated = rate(rows["count"], rows["population"])
    published = wide["rate"].to_numpy()
    # A rate the ONS did not publish (the City of London's, '+': its resident population is too
    # small to mean anything) is not computed here either.
    for column in ("rate", "lower", "upper"):
        rows[column] = np.where(np.isnan(published), np.nan, rated[column].to_numpy())
    rows["published_rate"] = published
    compared = compare(rows["count"], rows["population"], benchmark)
    # no verdict where there is no rate, nor for the benchmark itself
    blank = np.isnan(published) | (rows["area_code"] == _NATIONAL).to_numpy()
    rows["comparison"] = [
        None if skip else verdict
        for skip, verdict in zip(blank, compared["comparison"].astype(object), strict=True)
    ]
    tested = _test_change(rows["count"], rows["previous"])
    rows["change_ratio"] = tested["ratio"].to_numpy()
    rows["change_lower"] = tested["lower"].to_numpy()
    rows["change_upper"] = tested["upper"].to_numpy()
    rows["change_p_value"] = tested["p_value"].to_numpy()
    rows["change_significant"] = tested["significant"].to_numpy()
    rows["note"] = _row_notes(rows, wide, tables)

    forces = rows[(rows["area_type"] == "force") & rows["rate"].notna()]
    flags = funnel(forces["count"], forces["population"], target=benchmark)
    funnel_frame = pd.concat(
        [
            forces[["area_code", "area_name", "count", "population"]].reset_index(drop=True),
            flags.reset_index(drop=True),
        ],
        axis=1,
    )
    funnel_frame.attrs.update(flags.attrs)

    if areas:
        wanted = [tables.resolve_area(a) for a in areas]
        rows = rows[rows["area_name"].isin(wanted)]
    benchmark_name = _NATIONAL_NAME
    if tables.excluded:
        benchmark_name = f"England and Wales (excluding {' and '.join(tables.excluded)})"
    notes = _report_notes(tables, earlier, offence_name, benchmark, benchmark_name)
    if two_publications:
        assert earlier is not None
        notes.insert(
            1,
            f"Changes for {two_publications} area(s) had to be computed from two different "
            f"publications: this table's count against the {earlier.period} count of "
            f"{earlier.path.name}, which this publication may since have revised "
            "(change_source 'two publications')"
            + (
                f"; the earlier totals are taken without {' and '.join(tables.excluded)}, like "
                "this year's."
                if tables.excluded
                else "."
            ),
        )
    return Report(
        source=tables.path.name,
        offence=offence_name,
        period=tables.period,
        previous_period=tables.previous_period or (earlier.period if earlier else None),
        population_base=tables.population_base,
        benchmark=benchmark,
        benchmark_name=benchmark_name,
        rows=rows[REPORT_COLUMNS].reset_index(drop=True),
        funnel=funnel_frame,
        notes=tuple(notes),
    )


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


def _row_notes(rows: pd.DataFrame, wide: pd.DataFrame, tables: ons.PfaTables) -> list[str]:
    """Why a row has gaps, in a few words each."""
    excluded = " and ".join(tables.excluded)
    containing = _containing(tables, rows)
    notes = []
    for code, name, source, previous, population, marker_suppressed, published in zip(
        rows["area_code"].tolist(),
        rows["area_name"].tolist(),
        rows["change_source"].tolist(),
        rows["previous"].to_numpy(dtype=float),
        rows["population"].to_numpy(dtype=float),
        wide["suppressed"].tolist(),
        wide["rate"].to_numpy(dtype=float),
        strict=True,
    ):
        said: list[str] = []
        if name in tables.excluded:
            said.append("supplied no data; left out of the national and regional totals")
        elif code in containing:
            said.append(f"excludes {excluded}")
        if source == "two publications":
            said.append("change computed from two publications")
        elif marker_suppressed and math.isnan(previous):
            said.append("base under 50: no change given (ONS '-')")
        if not isinstance(code, str):
            said.append("no population, so no rate")
        elif math.isnan(published) and not math.isnan(population):
            said.append("rate suppressed by ONS (small resident population)")
        if code == _NATIONAL:
            said.append("the benchmark")
        notes.append("; ".join(said))
    return notes


def _report_notes(
    tables: ons.PfaTables,
    earlier: ons.PfaTables | None,
    offence: str,
    benchmark: float,
    benchmark_name: str,
) -> list[str]:
    unit = "households" if offence.endswith("(households)") else "people"
    notes: list[str] = []
    if tables.exclusion_note:
        notes.append(tables.exclusion_note)
    if tables.previous_period is not None:
        notes.append(
            f"Changes are on the {tables.previous_period} as revised in this publication: the "
            "previous count is count / (1 + P2 / 100) from its Table P2."
        )
    elif earlier is None:
        notes.append("The table has no Table P2, so there are no changes on the year before.")
    base = f" ({tables.population_base} populations of Table P3)" if tables.population_base else ""
    notes.append(
        f"Rates are per 1,000 {unit}{base} with 95 per cent confidence intervals (exact below "
        "10 offences, Byar's approximation from 10); comparison is against the "
        f"{benchmark_name} rate of {benchmark:.2f} per 1,000: 'lower' or 'higher' where the "
        "whole interval lies below or above it."
    )
    notes.append(
        "change_significant: the exact test of the two years' counts (as R poisson.test) at "
        "the 5 per cent level."
    )
    return notes
