"""Tests of crimestats.story: the founding report's figures and sentences, and ONS table reports.

Where each expected value comes from:

- the report's own figures and wording ("5,108 ... up 3 per cent from 4,949", "around seven per
  1,000 people, below the 10 per 1,000 average", "599,908 ... a 6 per cent decrease from
  636,954", "70 per cent of the 1.4 million", "around one in eight women"): DESIGN.md's quotation
  of the founding report and ``../shared/reference/story.csv``;
- the populations (749,943 and 729,221 for Bedfordshire; 1,840,161 and 1,822,182 for Devon and
  Cornwall; 61,806,682 and 60,854,727 for England and Wales): ``story.csv``;
- the exact test of 5,108 against 4,949 (p = 0.1151): R ``poisson.test(c(5108, 4949))``, which
  is the two-sided binomial test of 5,108 successes in 10,057 trials at one half, computed here
  with scipy;
- the rate's interval (6.63 to 7.00 per 1,000): the PHE method (Byar), as in ``rate``'s
  docstring and ``../shared/reference/rates.csv``;
- the survey intervals: Wilson intervals on the effective base n / deft^2, computed here with
  statsmodels ``proportion_confint``;
- the ONS tables' figures: the workbooks in ``../shared/data`` (SOURCES.md), Tables P1-P3.
"""

from __future__ import annotations

import json
import math
from io import StringIO
from pathlib import Path
from typing import get_args

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

import crimestats as cs
from crimestats import InputError, ons
from crimestats.report.table import FORMATS, Format
from crimestats.story import REPORT_COLUMNS, report, story

DATA = Path(__file__).parents[1].parent / "shared" / "data"
WORKBOOKS = [
    "policeforceareatablesyearendingmarch2018v2.xlsx",
    "policeforceareadatatablesyearendingjune2018corrected.xlsx",
    "policeforceareatablesyearendingsep18corrected.xlsx",
    "policeforceareatablesyearendingdecember2018.xlsx",
    "policeforceareatablesyeendingmarch2019.xlsx",
    "policeforceareatablesyearendingjune2019.xlsx",
    "policeforceareatablesyearendingseptember2019.xlsx",
    "pfatablesdec19.xlsx",
]
EXCLUDING_GMP = {"policeforceareatablesyearendingseptember2019.xlsx", "pfatablesdec19.xlsx"}
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data is not present")

_TABLES: dict[str, ons.PfaTables] = {}


def tables(name: str) -> ons.PfaTables:
    if name not in _TABLES:
        _TABLES[name] = ons.read_pfa_tables(DATA / name)
    return _TABLES[name]


# --- the founding report ------------------------------------------------------------------------

REPORTED = (
    "Bedfordshire Police recorded 5,108 stalking and harassment offences in the year to March "
    "2025, up 3 per cent from 4,949.",
    "That is around seven per 1,000 people, below the 10 per 1,000 average across England and "
    "Wales.",
    "Across England and Wales, forces logged 599,908 offences, a 6 per cent decrease from 636,954.",
    "Women accounted for 70 per cent of the 1.4 million estimated stalking victims.",
    "Around one in eight women experienced sexual assault, domestic abuse or stalking.",
)

ANSWERS = (
    # R poisson.test(c(5108, 4949)): p-value = 0.1151, ratio 1.032 (0.992 to 1.073)
    "The 3 per cent rise is not a statistically significant change: an exact test of 5,108 "
    "offences against 4,949 gives p = 0.115 (the ratio of the two years' counts is 1.03, 95 per "
    "cent confidence interval 0.99 to 1.07).",
    # 4,949 / 729,221 = 6.79 and 5,108 / 749,943 = 6.81 per 1,000 (story.csv populations); the
    # population grew 2.8 per cent, the count 3.2 per cent, so the rate per head rose 0.4 per cent;
    # R poisson.test(c(5108, 4949), c(749943, 729221)): p-value = 0.8575
    "Per head, the rise is smaller: the population grew from 729,221 (mid-2023) to 749,943 "
    "(mid-2024), so the rate went from 6.79 to 6.81 per 1,000 people, up 0.4 per cent, not a "
    "statistically significant change (p = 0.858).",
    # rate(5108, 749943): 6.81 (6.63 to 7.00); England and Wales 599,908 / 61,806,682 = 9.71
    # the embedded data hold two forces, too few to measure the spread between forces
    "Bedfordshire's rate, 6.81 per 1,000 people (95 per cent confidence interval 6.63 to 7.00), "
    "is statistically significantly lower than the England and Wales rate of 9.71 per 1,000 by "
    "its interval. But whole forces' rates differ from one another far more than chance alone "
    "gives, and the embedded data hold no other forces to measure by how much: against exact "
    "Poisson limits, which allow for chance alone, it lies below the 99.8 per cent limits (with "
    "an ONS table, --table, the story allows for the usual variation too).",
    # 636,954 / 60,854,727 = 10.47 and 599,908 / 61,806,682 = 9.71 per 1,000
    "Nationally, the 6 per cent fall is a statistically significant change (p < 0.001), and per "
    "head the rate went from 10.47 to 9.71 per 1,000 people, down 7 per cent.",
    # Wilson on 1,000 / 1.2^2 = 694.4 effective respondents: 66.4 to 73.3 per cent, of 1.4 million
    "The survey shares are estimates from a sample. If 1,000 of the survey's respondents were "
    "stalking victims, 70 per cent is somewhere between 66 and 73 per cent (95 per cent "
    "confidence interval), so 70 per cent of 1.4 million is about 980,000 women, between "
    "931,000 and 1,026,000.",
    # Wilson on 15,000 / 1.44 = 10,417 effective respondents: 11.9 to 13.1 per cent
    "If 15,000 women answered, one in eight (12.5 per cent) is between 11.9 and 13.1 per cent.",
)


def test_founding_report_sentences_exactly() -> None:
    s = story()
    assert s.reported == REPORTED
    assert s.answers == ANSWERS
    assert (s.area, s.offence) == ("Bedfordshire", "Stalking and harassment")
    assert (s.period, s.previous_period) == ("year ending March 2025", "year ending March 2024")


def test_founding_report_figures() -> None:
    f = story().figures
    beds, ew = f.loc["Bedfordshire"], f.loc["England and Wales"]
    assert (beds["count"], beds["previous"], beds["change"]) == (5108, 4949, 159)
    assert (ew["count"], ew["previous"]) == (599_908, 636_954)
    assert (beds["population"], beds["previous_population"]) == (749_943, 729_221)
    assert beds["percent_change"] == pytest.approx((5108 / 4949 - 1) * 100, rel=1e-12)
    assert ew["percent_change"] == pytest.approx((599_908 / 636_954 - 1) * 100, rel=1e-12)
    # the exact test is the binomial test of 5,108 in 10,057 at one half
    p = stats.binomtest(5108, 5108 + 4949, 0.5).pvalue
    assert beds["change_p_value"] == pytest.approx(p, rel=1e-9)
    assert round(beds["change_p_value"], 3) == 0.115
    assert not beds["change_significant"]
    # per head: the conditional test with the populations, binomial at 749,943 / (sum)
    share = 749_943 / (749_943 + 729_221)
    p_rate = stats.binomtest(5108, 5108 + 4949, share).pvalue
    assert beds["rate_change_p_value"] == pytest.approx(p_rate, rel=1e-9)
    assert not beds["rate_change_significant"]
    assert beds["rate"] == pytest.approx(5108 / 749_943 * 1000, rel=1e-12)
    assert beds["previous_rate"] == pytest.approx(4949 / 729_221 * 1000, rel=1e-12)
    assert beds["rate_percent_change"] == pytest.approx(0.3609, abs=1e-4)
    assert (round(beds["lower"], 2), round(beds["upper"], 2)) == (6.63, 7.00)
    assert beds["benchmark"] == pytest.approx(599_908 / 61_806_682 * 1000, rel=1e-12)
    assert beds["comparison"] == "lower"
    assert beds["poisson_flag"] == "below_99_8"
    assert beds["funnel_flag"] is None  # no other forces to measure their spread by
    assert ew["change_significant"] and ew["rate_change_significant"]


def test_survey_intervals_are_wilson_on_the_effective_base() -> None:
    s = story()
    assert s.survey is not None and s.gross is not None
    survey = s.survey.set_index("figure")
    for figure, share, n in [
        ("share_of_stalking_victims_women", 0.70, 1_000),
        ("share_women_victims_sa_da_stalking", 0.125, 15_000),
    ]:
        effective = n / 1.2**2
        lower, upper = proportion_confint(share * effective, effective, method="wilson")
        row = survey.loc[figure]
        assert row["effective_n"] == pytest.approx(effective, rel=1e-12)
        assert row["lower"] == pytest.approx(lower, rel=1e-9)
        assert row["upper"] == pytest.approx(upper, rel=1e-9)
    gross = s.gross.iloc[0]
    women = survey.loc["share_of_stalking_victims_women"]
    assert gross["estimate"] == pytest.approx(980_000, rel=1e-12)
    assert gross["lower"] == pytest.approx(women["lower"] * 1_400_000, rel=1e-9)
    assert gross["upper"] == pytest.approx(women["upper"] * 1_400_000, rel=1e-9)


def test_survey_assumptions_are_said_and_can_be_changed() -> None:
    s = story(survey_victims=2_000, survey_women=20_000, deft=1.1)
    assert s.survey is not None
    assert s.survey["n"].tolist() == [2_000, 20_000]
    assert (s.survey["deft"] == 1.1).all()
    assert any("assume 2,000 stalking victims and 20,000 women" in n for n in s.notes)
    assert any("design factor of 1.1" in n for n in s.notes)
    assert "If 2,000 of the survey's respondents" in s.answers[4]


def test_text_has_every_figure_of_the_report() -> None:
    text = " ".join(story().text().split())  # undo the wrapping
    for figure in [
        "Bedfordshire Police recorded 5,108 stalking and harassment offences",
        "up 3 per cent from 4,949",
        "around seven per 1,000 people",
        "the 10 per 1,000 average across England and Wales",
        "forces logged 599,908 offences, a 6 per cent decrease from 636,954",
        "70 per cent of the 1.4 million estimated stalking victims",
        "one in eight women",
        "not a statistically significant change",
        "p = 0.115",
        "729,221 (mid-2023) to 749,943 (mid-2024)",
        "statistically significantly lower than the England and Wales rate",
        "assume 1,000 stalking victims and 15,000 women among the respondents, and a design "
        "factor of 1.2",
    ]:
        assert figure in text, figure
    assert str(story()) == story().text()
    assert story()._repr_markdown_().startswith("### Stalking and harassment in Bedfordshire")


def test_devon_and_cornwall_from_the_embedded_data() -> None:
    # story.csv: 14,530 against 12,853, "about 8 per 1,000" on 1,840,161 people
    s = story(area="Devon & Cornwall")
    assert s.area == "Devon and Cornwall"
    assert s.reported[0] == (
        "Devon and Cornwall Police recorded 14,530 stalking and harassment offences in the year "
        "to March 2025, up 13 per cent from 12,853."
    )
    assert s.reported[1] == (
        "That is around eight per 1,000 people, below the 10 per 1,000 average across England "
        "and Wales."
    )
    assert s.answers[0].startswith("The 13 per cent rise is a statistically significant change")
    devon = s.figures.loc["Devon and Cornwall"]
    assert devon["comparison"] == "lower"
    assert devon["rate"] == pytest.approx(14_530 / 1_840_161 * 1000, rel=1e-12)
    assert story(area="E23000035").area == "Devon and Cornwall"


def test_embedded_data_errors_list_what_there_is() -> None:
    with pytest.raises(InputError, match=r"'Kent' is not in the embedded data.*Bedfordshire"):
        story(area="Kent")
    with pytest.raises(InputError, match="stalking and harassment only"):
        story(offence="Burglary")
    assert story(offence="stalking").offence == "Stalking and harassment"
    with pytest.raises(InputError, match="is England and Wales, the benchmark"):
        story(area="England and Wales")


@needs_data
def test_story_from_a_table_with_a_force_left_out() -> None:
    # pfatablesdec19.xlsx, stalking and harassment: Devon and Cornwall 10,266 against a revised
    # 10,076 (P2 +1.9 per cent), population 1,762,400 (P3); England and Wales 460,351 excluding
    # Greater Manchester, on 56,303,200 people.
    s = story(table=DATA / "pfatablesdec19.xlsx", area="devon and cornwall", offence="stalking")
    assert s.source == "pfatablesdec19.xlsx"
    assert s.reported == (
        "Devon and Cornwall Police recorded 10,266 stalking and harassment offences in the year "
        "to December 2019, up 2 per cent from 10,076.",
        "That is around six per 1,000 people, below the eight per 1,000 average across England "
        "and Wales (excluding Greater Manchester).",
        "Across England and Wales (excluding Greater Manchester), forces logged 460,351 "
        "offences, a 20 per cent increase from 384,038.",
    )
    assert s.survey is None and s.gross is None
    assert s.notes[0] == tables("pfatablesdec19.xlsx").exclusion_note
    # both verdicts: the interval (PHE rule), then the funnel of the 41 forces with a rate
    # (City of London's is suppressed, Greater Manchester supplied none) with overdispersion
    assert (
        "is statistically significantly lower than the England and Wales (excluding"
        in (s.answers[1])
    )
    assert (
        "Once the usual variation between forces is allowed for (a funnel plot of all 41 "
        in (s.answers[1])
    )
    wide = tables("pfatablesdec19.xlsx").offence("stalking")
    forces = wide[(wide["area_type"] == "force") & wide["rate"].notna()]
    benchmark = 460_351 / 56_303_200 * 1000
    adjusted = cs.funnel(
        forces["count"], forces["population"], target=benchmark, overdispersion="winsorised"
    )
    devon_flag = adjusted["flag"].to_numpy()[forces["area_name"].eq("Devon and Cornwall")][0]
    assert s.figures.loc["Devon and Cornwall", "funnel_flag"] == devon_flag
    assert s.figures.loc["Devon and Cornwall", "poisson_flag"] == "below_99_8"
    assert (
        "(exact Poisson limits, which allow for chance alone, put it below the 99.8"
        in (s.answers[1])
    )
    devon = s.figures.loc["Devon and Cornwall"]
    assert devon["benchmark"] == pytest.approx(460_351 / 56_303_200 * 1000, rel=1e-12)
    p = stats.binomtest(10_266, 10_266 + 10_076, 0.5).pvalue
    assert devon["change_p_value"] == pytest.approx(p, rel=1e-9)
    assert math.isnan(devon["previous_population"])  # one population for both years: no per head


@needs_data
def test_story_from_a_table_errors() -> None:
    t = tables("pfatablesdec19.xlsx")
    with pytest.raises(InputError, match="Greater Manchester has no stalking and harassment"):
        story(table=t, area="Greater Manchester")
    with pytest.raises(InputError, match="Offences in the table: Total recorded crime"):
        story(table=t, offence="fraud")
    with pytest.raises(InputError, match="is England and Wales, the benchmark"):
        story(table=t, area="K04000001")
    wales = story(table=t, area="Wales", offence="stalking")
    assert wales.reported[0].startswith("Forces in Wales recorded 33,703 stalking and harassment")


# --- the report on every area of a table --------------------------------------------------------


def _complete(rows: pd.DataFrame, name: str) -> None:
    """Every force and BTP has every figure the table allows, and a note where it has not."""
    forces = rows[rows["area_type"] == "force"]
    assert len(forces) == 43
    assert (rows["area_name"] == "British Transport Police").sum() == 1
    excluded = tables(name).excluded
    for row in rows[rows["area_type"].isin(["force", "other"])].itertuples(index=False):
        if row.area_name in excluded:
            assert math.isnan(row.count) and "supplied no data" in row.note
            continue
        assert row.count >= 0 and row.previous >= 0, row.area_name
        assert not math.isnan(row.change) and not math.isnan(row.percent_change), row.area_name
        assert row.change_significant in (True, False), row.area_name
        assert 0 <= row.change_p_value <= 1
        if row.area_name == "British Transport Police":
            assert math.isnan(row.population) and math.isnan(row.rate)
            assert row.note == "no population, so no rate"
        elif row.area_name == "City of London":
            assert row.population > 0 and math.isnan(row.rate)  # ONS '+': suppressed
            assert "rate suppressed" in row.note
        else:
            assert row.population > 0, row.area_name
            assert row.lower <= row.rate <= row.upper, row.area_name
            assert row.comparison in ("lower", "similar", "higher"), row.area_name


@needs_data
@pytest.mark.parametrize("name", WORKBOOKS)
def test_report_on_every_workbook(name: str) -> None:
    t = tables(name)
    for offence in ["Total recorded crime (excluding fraud)", "Stalking and harassment"]:
        r = report(t, offence=offence)
        rows = r.rows
        assert list(rows.columns) == REPORT_COLUMNS
        assert len(rows) == 56  # 3 countries, 9 regions, 43 forces, BTP
        _complete(rows, name)
        wide = t.offence(offence)
        # changes from the publication's own P2: previous = count / (1 + P2 / 100)
        p2 = rows["change_source"] == "P2"
        assert p2.sum() >= 55 - len(t.excluded)
        np.testing.assert_allclose(
            rows.loc[p2, "percent_change"], wide.loc[p2, "percent_change"], rtol=0, atol=0
        )
        implied = rows.loc[p2, "count"] / (1 + rows.loc[p2, "percent_change"] / 100)
        np.testing.assert_allclose(rows.loc[p2, "previous"], implied, rtol=0, atol=1e-6)
        # rates from P1 counts and P3 populations reproduce the published P3 rates to 0.2 per cent
        both = rows.dropna(subset=["rate", "published_rate"])
        assert ((both["rate"] / both["published_rate"] - 1).abs() < 0.002).all()
        # the comparison is the Fingertips rule against the same table's national rate
        national = rows.set_index("area_code").loc["K04000001"]
        assert r.benchmark == pytest.approx(national["count"] / national["population"] * 1000)
        rated = rows.dropna(subset=["comparison"])
        expected = np.where(
            rated["upper"] < r.benchmark,
            "lower",
            np.where(rated["lower"] > r.benchmark, "higher", "similar"),
        )
        assert (rated["comparison"] == expected).all()
        assert len(r.funnel) == 42 - len(t.excluded)  # forces with a rate (no City of London)
        assert any("revised in this publication" in n for n in r.notes)


@needs_data
@pytest.mark.parametrize("name", sorted(EXCLUDING_GMP))
def test_report_says_greater_manchester_is_left_out(name: str) -> None:
    r = report(tables(name), offence="stalking")
    rows = r.rows.set_index("area_name")
    assert r.benchmark_name == "England and Wales (excluding Greater Manchester)"
    assert r.notes[0] == (
        f"Greater Manchester supplied no data for the {r.period}; the England and Wales, "
        "England and regional totals exclude it."
    )
    assert rows.loc["Greater Manchester", "note"] == (
        "supplied no data; left out of the national and regional totals"
    )
    for area in ["England and Wales", "England", "North West"]:
        assert "excludes Greater Manchester" in rows.loc[area, "note"], area
    for area in ["North East", "Wales", "London"]:
        assert "Greater Manchester" not in rows.loc[area, "note"], area
    assert rows.loc["England and Wales", "population"] == 56_303_200  # SOURCES.md
    assert "(excluding Greater Manchester)" in r.render("table")


@needs_data
def test_report_renders_in_every_format() -> None:
    r = report(tables("pfatablesdec19.xlsx"), offence="stalking")
    csv = pd.read_csv(StringIO(r.render("csv")))
    assert list(csv.columns) == REPORT_COLUMNS and len(csv) == 56
    document = json.loads(r.render("json"))
    assert document["period"] == "year ending December 2019"
    assert document["benchmark"]["name"] == "England and Wales (excluding Greater Manchester)"
    assert len(document["rows"]) == 56
    gmp = next(row for row in document["rows"] if row["area_name"] == "Greater Manchester")
    assert gmp["count"] is None and gmp["change_significant"] is None
    markdown = r.render("markdown")
    assert "| E23000026 | Bedfordshire | 4,809 | 3,607 | 1,202 | +33.3 | no | 669,300 |" in markdown
    table = r.render("table")
    beds = next(line for line in table.splitlines() if "Bedfordshire" in line)
    assert beds.split()[:5] == ["E23000026", "Bedfordshire", "4,809", "3,607", "1,202"]
    assert str(r) == table
    with pytest.raises(InputError, match="format: 'xml'"):
        r.render("xml")


@needs_data
def test_report_areas_and_offence_default() -> None:
    r = report(tables("pfatablesdec19.xlsx"), areas=["Bedfordshire", "devon & cornwall"])
    assert r.offence == "Total recorded crime (excluding fraud)"
    assert r.rows["area_name"].tolist() == ["Bedfordshire", "Devon and Cornwall"]
    with pytest.raises(InputError, match="area 'Atlantis' is not in"):
        report(tables("pfatablesdec19.xlsx"), areas=["Atlantis"])


@needs_data
def test_report_flags_unreliable_rates() -> None:
    # The NCHS presentation standard for rates (2023): unreliable from fewer than 10 events or an
    # interval wider than 160 per cent of the rate. Homicides are few: Cumbria's 5 in the year
    # ending December 2019 give an unreliable rate, total crime none.
    r = report(tables("pfatablesdec19.xlsx"), offence="homicide")
    rows = r.rows[r.rows["rate"].notna()]
    wide = (rows["upper"] - rows["lower"]) > 1.6 * rows["rate"]
    expected = np.where((rows["count"] < 10) | wide, "unreliable", "reliable")
    assert rows["reliability"].astype(str).tolist() == expected.tolist()
    cumbria = rows.set_index("area_name").loc["Cumbria"]
    assert (cumbria["count"], cumbria["reliability"]) == (5, "unreliable")
    assert any("treat these with caution: " in note and "Cumbria" in note for note in r.notes)
    total = report(tables("pfatablesdec19.xlsx"))
    assert set(total.rows["reliability"].dropna()) == {"reliable"}
    assert any(note.endswith("every rate here meets it.") for note in total.notes)


@needs_data
def test_report_households_rate() -> None:
    r = report(tables("pfatablesdec19.xlsx"), offence="Residential burglary (households)")
    beds = r.rows.set_index("area_name").loc["Bedfordshire"]
    assert beds["rate"] == pytest.approx(beds["published_rate"], rel=0.002)
    assert "per 1,000 households" in r.notes[2]


def _without_p2(source: Path, target: Path) -> Path:
    """A copy of a workbook with Tables P1 and P3 only, as a publication without changes."""
    with pd.ExcelFile(source, engine="calamine") as book:
        sheets = {
            str(s): pd.read_excel(book, sheet_name=s, header=None)
            for s in book.sheet_names
            if str(s).strip() in ("Table P1", "Table P3")
        }
    with pd.ExcelWriter(target, engine="openpyxl") as writer:
        for sheet, frame in sheets.items():
            frame.to_excel(writer, sheet_name=sheet, index=False, header=False)
    return target


@needs_data
def test_changes_from_two_publications_are_said(tmp_path: Path) -> None:
    # Without a Table P2 the change comes from the year before's own P1 count: Bedfordshire
    # stalking 4,809 (Dec 2019) against 3,569 (Dec 2018 P1, SOURCES.md).
    path = _without_p2(DATA / "pfatablesdec19.xlsx", tmp_path / "no_p2.xlsx")
    r = report(path, offence="stalking", previous_table=tables(WORKBOOKS[3]))
    rows = r.rows.set_index("area_name")
    beds = rows.loc["Bedfordshire"]
    assert (beds["count"], beds["previous"], beds["change_source"]) == (
        4809,
        3569,
        "two publications",
    )
    assert beds["percent_change"] == pytest.approx((4809 / 3569 - 1) * 100, rel=1e-12)
    assert "change computed from two publications" in beds["note"]
    assert r.previous_period == "year ending December 2018"
    assert any(n.startswith("Changes for 55 area(s) had to be computed from two") for n in r.notes)
    assert any("the earlier totals are taken without Greater Manchester" in n for n in r.notes)
    assert math.isnan(rows.loc["Greater Manchester", "previous"])  # no count this year
    # like for like: the earlier totals less Greater Manchester, as this year's leave it out
    earlier = tables(WORKBOOKS[3]).offence("stalking").set_index("area_name")["count"]
    gmp = earlier["Greater Manchester"]
    for area in ["England and Wales", "England", "North West"]:
        assert rows.loc[area, "previous"] == earlier[area] - gmp, area
    assert rows.loc["North East", "previous"] == earlier["North East"]


@needs_data
def test_base_under_50_filled_from_the_previous_publication() -> None:
    # P2 prints '-' for homicide in most forces (a base under 50); the earlier publication's count
    # gives the change in numbers, and the percentage stays suppressed (the ONS rule).
    r = report(
        tables("pfatablesdec19.xlsx"), offence="homicide", previous_table=tables(WORKBOOKS[3])
    )
    beds = r.rows.set_index("area_name").loc["Bedfordshire"]
    earlier = tables(WORKBOOKS[3]).offence("homicide").set_index("area_name")
    assert beds["previous"] == earlier.loc["Bedfordshire", "count"]
    assert beds["suppressed"] and math.isnan(beds["percent_change"])
    assert beds["change"] == beds["count"] - beds["previous"]
    assert beds["change_source"] == "two publications"
    alone = report(tables("pfatablesdec19.xlsx"), offence="homicide").rows.set_index("area_name")
    assert alone.loc["Bedfordshire", "suppressed"]
    assert alone.loc["Bedfordshire", "note"] == "base under 50: no change given (ONS '-')"


@needs_data
@pytest.mark.parametrize("method", ["holm", "bh"])
def test_report_adjusts_for_many_comparisons(method: str) -> None:
    # p_adjusted is R p.adjust over the table's tests (statsmodels' multipletests gives the same
    # Holm and Benjamini-Hochberg values), and change_significant is read from it.
    plain = report(tables("pfatablesdec19.xlsx"), offence="homicide")
    adjusted = report(tables("pfatablesdec19.xlsx"), offence="homicide", adjust=method)
    p = plain.rows["change_p_value"]
    tested = p.notna()
    expected = multipletests(p[tested], method={"holm": "holm", "bh": "fdr_bh"}[method])[1]
    got = adjusted.rows["p_adjusted"]
    np.testing.assert_allclose(got[tested], expected, rtol=1e-12)
    assert got[~tested].isna().all()
    assert (adjusted.rows["change_significant"] == (got < 0.05)).all()
    assert list(adjusted.rows.columns) == [
        *REPORT_COLUMNS[: REPORT_COLUMNS.index("change_p_value") + 1],
        "p_adjusted",
        *REPORT_COLUMNS[REPORT_COLUMNS.index("change_p_value") + 1 :],
    ]
    before = int(plain.rows["change_significant"].sum())
    after = int(adjusted.rows["change_significant"].sum())
    assert after <= before
    assert any(
        n.startswith(f"p_adjusted: the {int(tested.sum())} changes' p-values adjusted")
        and f"{after} of the {int(tested.sum())} changes, against {before} before" in n
        for n in adjusted.notes
    )
    # without adjust= the notes say what chance alone gives: 5 per cent of the tests
    chance = [n for n in plain.notes if n.startswith("Many comparisons:")]
    assert len(chance) == 1
    assert f"{before} of the {int(tested.sum())} changes tested are significant" in chance[0]


@needs_data
@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("p*.xlsx")))
def test_report_funnel_allows_for_overdispersion(name: str) -> None:
    # Whole forces are overdispersed in every publication: exact Poisson limits put most of
    # them outside the 99.8 per cent funnel, the adjusted limits a handful at most, and the
    # notes say so and why.
    r = report(tables(name))
    forces = r.rows[r.rows["area_type"] == "force"].set_index("area_name")
    placed = r.funnel.set_index("area_name")
    assert r.funnel.attrs["overdispersed"] and r.funnel.attrs["adjusted"]
    assert (placed["poisson_flag"].isin(["below_99_8", "above_99_8"])).sum() > 30
    outside = forces["funnel"].isin(["below_99_8", "above_99_8"]).sum()
    assert outside <= 5
    assert (forces.loc[placed.index, "funnel"] == placed["flag"].astype(str)).all()
    assert (
        forces["funnel"]
        .dropna()
        .isin(["within", "above_95", "above_99_8", "below_95", "below_99_8"])
        .all()
    )
    assert r.rows.loc[r.rows["area_type"] != "force", "funnel"].isna().all()
    note = next(n for n in r.notes if n.startswith("funnel:"))
    assert "adjusted for overdispersion" in note
    assert f"Against the adjusted limits {outside} lie outside the 99.8 per cent limits" in note


@needs_data
def test_report_shows_itself_in_a_notebook() -> None:
    r = report(tables("pfatablesdec19.xlsx"), offence="stalking", areas=["Devon"])
    assert r._repr_markdown_() == r.render("markdown")
    shown = r._repr_html_()
    assert shown.startswith(
        "<h3>Stalking and harassment, year ending December 2019: pfatablesdec19.xlsx</h3><ul><li>"
    )
    assert "<td>Devon and Cornwall</td>" in shown and "<th>funnel</th>" in shown
    assert "Byar&#x27;s approximation" in shown  # notes are escaped, not raw HTML
    # the output formats are the Literal type's choices, in its order
    assert get_args(Format) == FORMATS == ("table", "markdown", "csv", "json")


@needs_data
def test_previous_table_that_would_be_read_for_nothing_is_refused() -> None:
    # Table P2 of December 2019 gives the change of stalking for every area with a count, so
    # the December 2018 table would add nothing: refused rather than read and ignored.
    with pytest.raises(InputError, match=r"previous_table: .* gives no change that pfatablesdec19"):
        report(
            tables("pfatablesdec19.xlsx"), offence="stalking", previous_table=tables(WORKBOOKS[3])
        )


@needs_data
def test_previous_table_for_the_wrong_year() -> None:
    with pytest.raises(InputError, match="is for the year ending March 2018, but the changes"):
        report(tables("pfatablesdec19.xlsx"), previous_table=tables(WORKBOOKS[0]))


@needs_data
def test_progress_is_reported() -> None:
    said: list[str] = []
    report(DATA / "pfatablesdec19.xlsx", offence="stalking", progress=said.append)
    assert said[0] == "Reading pfatablesdec19.xlsx"
    assert said[1].startswith("Computing rates, changes and comparisons for 56 areas")
