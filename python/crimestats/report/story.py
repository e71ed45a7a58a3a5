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

import math
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import ons
from .._core import InputError
from ..changes import funnel
from ..ons import NATIONAL_CODE, area_key, name_key, population_unit
from . import phrase
from .figures import (
    _FIGURE_COLUMNS,
    DEFAULT_AREA,
    DEFAULT_OFFENCE,
    EMBEDDED,
    SURVEY_DEFT,
    SURVEY_VICTIMS_BASE,
    SURVEY_WOMEN_BASE,
    _embedded_areas,
    _survey_figures,
    _table_areas,
    area_figures,
    benchmark_name,
    force_funnel,
    national_rate,
)

__all__ = ["Story", "story"]

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


def _direction(pct: float) -> str:
    return "rise" if pct > 0 else "fall"


def _reported_sentences(
    local: pd.Series, national: pd.Series, offence: str, period: str, benchmark_name: str
) -> list[str]:
    noun_phrase, noun = _offence_phrase(offence)
    unit = population_unit(offence)
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


def _limits(flag: str) -> str:
    """Where a funnel flag puts an area: "within the 95 per cent limits", "below the 99.8 ..."."""
    if flag == "within":
        return "within the 95 per cent limits"
    side, level = flag.split("_", 1)
    return f"{side} the {level.replace('_', '.')} per cent limits"


_VERDICT = {
    "within": "not unusual for a force",
    "below_95": "unusually low, though not an outlier at the 99.8 per cent level",
    "above_95": "unusually high, though not an outlier at the 99.8 per cent level",
    "below_99_8": "an outlier even so",
    "above_99_8": "an outlier even so",
}


def _answer_comparison(
    local: pd.Series, benchmark_name: str, unit: str, forces: dict[str, Any] | None
) -> str:
    """The PHE rule's verdict on the interval, then the funnel's once forces' spread is allowed."""
    result = local["comparison"]  # compare() gives "lower", "similar" or "higher"
    text = (
        f"{local.name}'s rate, {_decimal(local['rate'])} per 1,000 {unit} (95 per cent confidence "
        f"interval {_decimal(local['lower'])} to {_decimal(local['upper'])}), is "
        f"{phrase.comparison(result, benchmark=f'the {benchmark_name} rate')} of "
        f"{_decimal(local['benchmark'])} per 1,000 by its interval"
    )
    poisson = str(local["poisson_flag"])
    if forces is None:
        return (
            f"{text}. But whole forces' rates differ from one another far more than chance alone "
            "gives, and the embedded data hold no other forces to measure by how much: against "
            f"exact Poisson limits, which allow for chance alone, it lies {_limits(poisson)} "
            "(with an ONS table, --table, the story allows for the usual variation too)."
        )
    if not isinstance(local["funnel_flag"], str):  # a region or country: not on the forces' funnel
        return f"{text}."
    flag = local["funnel_flag"]
    if not forces["adjusted"]:
        return (
            f"{text}; the {forces['areas']} forces' rates vary no more than chance would give, "
            f"and on a funnel plot of all of them it lies {_limits(flag)}."
        )
    text += (
        f". Once the usual variation between forces is allowed for (a funnel plot of all "
        f"{forces['areas']} forces with limits adjusted for overdispersion: their rates vary far "
        f"more than chance alone gives, a dispersion ratio of {phrase.number(forces['phi'])}), "
        f"it lies {_limits(flag)}: {_VERDICT[flag]}"
    )
    if poisson != flag:
        text += f" (exact Poisson limits, which allow for chance alone, put it {_limits(poisson)})"
    return text + "."


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
    area: str = DEFAULT_AREA,
    offence: str = DEFAULT_OFFENCE,
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
    for name, value, whole in [
        ("survey_victims", survey_victims, True),
        ("survey_women", survey_women, True),
        ("deft", deft, False),
    ]:
        # a NaN, fractional or non-positive figure would be phrased ("If zero women answered")
        # or fail deep in the phrasing under another argument's name
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0) or (
            whole and value != int(value)
        ):
            kind = "a whole number of respondents" if whole else "a positive design factor"
            raise InputError(f"{name}: {value!r} is not {kind}")
    notes: list[str] = []
    survey = gross = None
    previous_period: str | None
    if table is None:
        if name_key(offence) not in name_key(DEFAULT_OFFENCE):
            raise InputError(
                f"offence {offence!r} is not in the embedded data, which holds stalking and "
                "harassment only; pass table= (--table) for another offence"
            )
        chosen, period, previous_period = _embedded_areas(area)
        offence_name = DEFAULT_OFFENCE
        source = EMBEDDED
        all_forces = None
        chosen = chosen.assign(population_base="mid-2024", previous_population_base="mid-2023")
        compared_with = benchmark_name(())
    else:
        tables = table if isinstance(table, ons.PfaTables) else ons.read_pfa_tables(table)
        chosen, all_forces, offence_name = _table_areas(tables, area, offence)
        period, previous_period = tables.period, tables.previous_period
        source = tables.path.name
        chosen = chosen.assign(population_base=tables.population_base)
        compared_with = benchmark_name(tables.excluded)
        if tables.exclusion_note:
            notes.append(tables.exclusion_note)
        notes.append(
            f"Changes are against {previous_period} as revised in this publication (Table P2); "
            f"rates use the {tables.population_base} populations of Table P3, the same for both "
            "years, so the change per head cannot be told from the change in the count here."
        )
    benchmark = national_rate(chosen, source=source, offence=offence_name)
    figures = area_figures(chosen, benchmark)
    figures["poisson_flag"] = (
        funnel(figures["count"], figures["population"], target=benchmark)["flag"]
        .astype(object)
        .to_numpy()
    )
    figures["funnel_flag"] = None
    spread: dict[str, Any] | None = None
    if all_forces is not None:
        placed = force_funnel(all_forces, benchmark)
        spread = {str(k): v for k, v in placed.attrs.items()}
        flags = pd.Series(placed["flag"].astype(object).to_numpy(), index=area_key(placed))
        placed_flags = area_key(figures).map(flags)
        figures["funnel_flag"] = placed_flags.where(placed_flags.notna(), None).to_numpy()
    figures["population_base"] = chosen["population_base"].to_numpy()
    if "previous_population_base" in chosen:
        figures["previous_population_base"] = chosen["previous_population_base"].to_numpy()
    figures = figures.set_index("area_name")
    if (figures["area_code"] != NATIONAL_CODE).sum() == 0:
        raise InputError(
            f"area {area!r} is England and Wales, the benchmark the story compares with; "
            "pick a force or region"
        )
    local = figures[figures["area_code"] != NATIONAL_CODE].iloc[0]
    national = figures[figures["area_code"] == NATIONAL_CODE].iloc[0]
    unit = population_unit(offence_name)

    reported = _reported_sentences(local, national, offence_name, period, compared_with)
    answers: list[str] = []
    if not math.isnan(local["change_p_value"]):
        answers.append(_answer_change(local))
    if not math.isnan(local["rate_change_p_value"]):
        answers.append(_answer_per_head(local, unit))
    if not math.isnan(local["rate"]):
        answers.append(_answer_comparison(local, compared_with, unit, spread))
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
    if spread is None:
        notes.append(
            f"The funnel plot's limits are exact Poisson limits (95 and 99.8 per cent) around the "
            f"{compared_with} rate: they allow for chance alone."
        )
    else:
        notes.append(_funnel_note(spread, compared_with))
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


def _funnel_note(spread: dict[str, Any], compared_with: str) -> str:
    """How the forces' funnel limits were drawn, and why."""
    where = f"95 and 99.8 per cent limits around the {compared_with} rate"
    if not spread["adjusted"]:
        return (
            f"The funnel plot of the {spread['areas']} forces has exact Poisson {where}: the "
            "forces' rates vary no more than chance alone gives (no overdispersion)."
        )
    return (
        f"The funnel plot of the {spread['areas']} forces has {where} adjusted for "
        "overdispersion (additive random effects with winsorised z-scores, Spiegelhalter 2005, "
        f"as FunnelPlotR): the dispersion ratio is {phrase.number(spread['phi'])} where chance "
        "alone gives 1, so exact Poisson limits would flag nearly every force."
    )
