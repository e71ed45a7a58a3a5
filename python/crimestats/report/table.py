"""The report on every area of an ONS police force area table, and its rendering as text."""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from .. import ons
from .._core import InputError
from ..adjust import adjust_p, expected_by_chance
from ..ons import NATIONAL_CODE, area_key, count_offence, population_unit
from ..reliability import flag_reliability
from . import phrase
from .figures import (
    Progress,
    _quiet,
    area_figures,
    benchmark_name,
    force_funnel,
    national_rate,
)
from .story import _wrap

__all__ = ["FORMATS", "REPORT_COLUMNS", "AdjustMethod", "Format", "Report", "report"]

#: The output formats of :meth:`Report.render` and ``crimestats report --format``.
Format = Literal["table", "markdown", "csv", "json"]
#: The p-value adjustments of ``report(adjust=...)`` (:func:`crimestats.adjust_p`).
AdjustMethod = Literal["holm", "hochberg", "bh", "by", "bonferroni"]
FORMATS: tuple[Format, ...] = get_args(Format)

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
    "funnel",
    "reliability",
    "change_ratio",
    "change_lower",
    "change_upper",
    "change_p_value",
    "change_significant",
    "note",
]


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

    def render(self, format: Format = "table") -> str:
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

    def _repr_markdown_(self) -> str:
        """A notebook shows the report as markdown: the title, the notes and the table."""
        return self.render("markdown")

    def _repr_html_(self) -> str:
        """A notebook shows the report as HTML: the title, the notes and the table."""
        notes = "".join(f"<li>{html.escape(note)}</li>" for note in self.notes)
        table = _display(self.rows).to_html(index=False, escape=True, border=0)
        return f"<h3>{html.escape(self.title)}</h3><ul>{notes}</ul>{table}"


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
    "funnel",
    "reliability",
    "change_p_value",
    "p_adjusted",
    "change_significant",
    "note",
]
_DISPLAY_SET = set(_DISPLAY_COLUMNS)


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
    "p_adjusted": "p",
    "suppressed": "bool",
    "change_significant": "bool",
}


def _display(rows: pd.DataFrame) -> pd.DataFrame:
    """The contract's columns as strings formatted for reading."""
    shown = [c for c in _columns("holm" if "p_adjusted" in rows else None) if c in _DISPLAY_SET]
    return pd.DataFrame(
        {
            column: [_cell(v, _KINDS.get(column, "text")) for v in rows[column].tolist()]
            for column in shown
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


def report(
    table: str | Path | ons.PfaTables,
    *,
    offence: str | None = None,
    areas: Sequence[str] | None = None,
    previous_table: str | Path | ons.PfaTables | None = None,
    adjust: AdjustMethod | None = None,
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
    adjust
        Adjust the changes' p-values for the number of tests the report makes
        (:func:`crimestats.adjust_p`, as R ``p.adjust``): ``"holm"``, ``"hochberg"``, ``"bh"``,
        ``"by"`` or ``"bonferroni"``. The rows gain ``p_adjusted`` and ``change_significant`` is
        read from it. Without it, the notes say how many of the significant changes chance
        alone would give.
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
    offence_name = tables.resolve_offence(tables.offences()[0] if offence is None else offence)
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
    rows = wide[["area_code", "area_name", "area_type", "count", "previous", "population"]].copy()
    rows["change_source"] = ["P2" if given else None for given in wide["percent_change"].notna()]
    two_publications = 0
    if earlier is not None:
        two_publications = _fill_from_earlier(rows, tables, earlier, offence_name)

    benchmark = national_rate(rows, source=tables.path.name, offence=offence_name)
    rows = area_figures(rows, benchmark)
    # The change is the ONS's own (Table P2, on revised figures) wherever it gives one.
    published_change = wide["percent_change"].to_numpy()
    from_p2 = ~np.isnan(published_change)
    rows["percent_change"] = np.where(from_p2, published_change, rows["percent_change"])
    rows["suppressed"] = np.where(
        from_p2, False, rows["suppressed"].to_numpy(dtype=bool) | wide["suppressed"].to_numpy()
    )
    published = wide["rate"].to_numpy()
    # A rate the ONS did not publish (the City of London's, '+': its resident population is too
    # small to mean anything) is not computed here either.
    for column in ("rate", "lower", "upper"):
        rows[column] = np.where(np.isnan(published), np.nan, rows[column])
    rows["published_rate"] = published
    # no verdict where there is no rate, nor for the benchmark itself
    blank = np.isnan(published) | (rows["area_code"] == NATIONAL_CODE).to_numpy()
    rows["comparison"] = rows["comparison"].where(~blank, None)

    forces = rows[(rows["area_type"] == "force") & rows["rate"].notna()]
    funnel_frame = force_funnel(forces, benchmark)
    flags = pd.Series(funnel_frame["flag"].astype(object).to_numpy(), index=area_key(funnel_frame))
    rows["funnel"] = area_key(rows).map(flags).where(lambda s: s.notna(), None).to_numpy()
    # NCHS presentation standard for rates: unreliable from fewer than 10 offences or with an
    # interval wider than 160 per cent of the rate (<NA> where there is no rate)
    rows["reliability"] = flag_reliability(rows, "nchs_rate", estimate="rate")["reliability"]
    rows["note"] = _row_notes(rows, wide, tables)
    unadjusted = int(rows["change_significant"].fillna(False).astype(bool).sum())
    if adjust is not None:
        rows["p_adjusted"] = adjust_p(rows["change_p_value"].to_numpy(dtype=float), method=adjust)
        rows["change_significant"] = rows["p_adjusted"].to_numpy() < 0.05

    if areas:
        wanted = [tables.resolve_area(a) for a in areas]
        rows = rows[rows["area_name"].isin(wanted)]
    compared_with = benchmark_name(tables.excluded)
    notes = _report_notes(
        tables, earlier, offence_name, benchmark, compared_with, adjusted=adjust is not None
    )
    notes.append(_funnel_note(funnel_frame, compared_with))
    notes.append(_chance_note(rows, adjust, unadjusted))
    notes.append(_reliability_note(rows))
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
        benchmark_name=compared_with,
        rows=rows[_columns(adjust)].reset_index(drop=True),
        funnel=funnel_frame,
        notes=tuple(notes),
    )


def _fill_from_earlier(
    rows: pd.DataFrame, tables: ons.PfaTables, earlier: ons.PfaTables, offence: str
) -> int:
    """Previous counts the table lacks, from the earlier publication's count; how many.

    Raises
    ------
    InputError
        If the earlier publication gives none that the table lacks: it would be read for nothing.
    """
    before = earlier.offence(earlier.resolve_offence(count_offence(offence)))
    before_counts = pd.Series(before["count"].to_numpy(), index=area_key(before))
    fill = rows["previous"].isna() & rows["count"].notna()
    looked_up = area_key(rows).map(before_counts)
    # Like for like: where this year's totals leave a force out, so must last year's.
    left_out = before[before["area_name"].isin(tables.excluded)]
    if not left_out.empty:
        adjust = rows["area_code"].isin(tables.totals_excluding)
        looked_up = looked_up.where(~adjust, looked_up - left_out["count"].sum())
    fill &= looked_up.notna()
    if not fill.any():
        raise InputError(
            f"previous_table: {earlier.path.name} gives no change that {tables.path.name} lacks "
            f"(its Table P2 has the change for every area with a count of {offence}); leave the "
            "previous table out"
        )
    rows.loc[fill, "previous"] = looked_up[fill]
    rows.loc[fill, "change_source"] = "two publications"
    return int(fill.sum())


def _funnel_note(placed: pd.DataFrame, compared_with: str) -> str:
    """What the funnel column is set against, and why those limits."""
    attrs = placed.attrs
    n = attrs["areas"]
    poisson_out = int(placed["poisson_flag"].isin(["below_99_8", "above_99_8"]).sum())
    adjusted_out = int(placed["flag"].isin(["below_99_8", "above_99_8"]).sum())
    outside_95 = int((placed["flag"] != "within").sum())
    head = (
        f"funnel: where each of the {n} forces with a rate lies on a funnel plot around the "
        f"{compared_with} rate"
    )
    if not attrs["adjusted"]:
        return (
            f"{head}, with exact Poisson 95 and 99.8 per cent limits: the forces' rates vary no "
            f"more than chance alone gives (dispersion ratio {attrs['phi']:.2f}); "
            f"{outside_95} lie outside the 95 per cent limits, {adjusted_out} outside the 99.8."
        )
    return (
        f"{head}, with limits adjusted for overdispersion (additive random effects, winsorised, "
        "as FunnelPlotR; Spiegelhalter 2005). Whole forces' rates vary far more than chance "
        f"alone gives (dispersion ratio {phrase.number(attrs['phi'])}, where chance gives 1): "
        f"against exact Poisson limits {poisson_out} of the {n} would lie outside the 99.8 per "
        f"cent limits, which says only that forces differ. Against the adjusted limits "
        f"{adjusted_out} lie outside the 99.8 per cent limits and {outside_95} outside the 95 "
        "per cent ones. comparison (the PHE rule) judges each rate by its own interval, with "
        "no allowance for that variation."
    )


def _reliability_note(rows: pd.DataFrame) -> str:
    """What the reliability column says, and how many rates it warns of."""
    unreliable = rows.loc[rows["reliability"] == "unreliable", "area_name"].tolist()
    rule = (
        "reliability follows the NCHS presentation standard for rates: a rate from fewer than 10 "
        "offences, or with a 95 per cent interval wider than 160 per cent of the rate, is "
        "unreliable"
    )
    if not unreliable:
        return f"{rule[0].upper()}{rule[1:]}; every rate here meets it."
    return f"{rule[0].upper()}{rule[1:]}; treat these with caution: {', '.join(unreliable)}."


def _columns(adjust: str | None) -> list[str]:
    """:data:`REPORT_COLUMNS`, with ``p_adjusted`` after ``change_p_value`` when adjusting."""
    if adjust is None:
        return REPORT_COLUMNS
    at = REPORT_COLUMNS.index("change_p_value") + 1
    return [*REPORT_COLUMNS[:at], "p_adjusted", *REPORT_COLUMNS[at:]]


_ADJUSTED_BY = {
    "holm": "Holm's method",
    "hochberg": "Hochberg's method",
    "bh": "the Benjamini-Hochberg false discovery rate",
    "by": "the Benjamini-Yekutieli false discovery rate",
    "bonferroni": "Bonferroni's method",
}


def _chance_note(rows: pd.DataFrame, adjust: str | None, unadjusted: int) -> str:
    """How many significant changes chance alone would give among the report's tests, or how
    the p-values were adjusted for them."""
    p = rows["change_p_value"].to_numpy(dtype=float)
    n = int(np.count_nonzero(~np.isnan(p)))
    if adjust is not None:
        significant = int(rows["change_significant"].astype(bool).sum())
        return (
            f"p_adjusted: the {n} changes' p-values adjusted for the number of tests by "
            f"{_ADJUSTED_BY[adjust]} (R p.adjust); change_significant is p_adjusted below 0.05: "
            f"{significant} of the {n} changes, against {unadjusted} before adjustment."
        )
    expected = expected_by_chance(p, alpha=0.05)
    return (
        f"Many comparisons: {unadjusted} of the {n} changes tested are significant at the 5 per "
        f"cent level, and chance alone would make about {phrase.number(expected)} of {n} tests "
        "significant even if nothing had changed; --adjust holm (adjust='holm') allows for the "
        "number of tests."
    )


def _row_notes(rows: pd.DataFrame, wide: pd.DataFrame, tables: ons.PfaTables) -> list[str]:
    """Why a row has gaps, in a few words each."""
    excluded = " and ".join(tables.excluded)
    summing = tables.totals_excluding
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
        elif code in summing:
            said.append(f"excludes {excluded}")
        if source == "two publications":
            said.append("change computed from two publications")
        elif marker_suppressed and math.isnan(previous):
            said.append("base under 50: no change given (ONS '-')")
        if not isinstance(code, str):
            said.append("no population, so no rate")
        elif math.isnan(published) and not math.isnan(population):
            said.append("rate suppressed by ONS (small resident population)")
        if code == NATIONAL_CODE:
            said.append("the benchmark")
        notes.append("; ".join(said))
    return notes


def _report_notes(
    tables: ons.PfaTables,
    earlier: ons.PfaTables | None,
    offence: str,
    benchmark: float,
    benchmark_name: str,
    *,
    adjusted: bool,
) -> list[str]:
    unit = population_unit(offence)
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
        "change_p_value: the exact test of the two years' counts (as R poisson.test); "
        "change_significant: " + ("p_adjusted" if adjusted else "change_p_value") + " below 0.05."
    )
    return notes
