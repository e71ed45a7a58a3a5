"""Tests of crimestats.datasets: the embedded figures of the founding report.

Expected values are the report's own figures as quoted in DESIGN.md and, where the checkout has
it beside it, every row of ../shared/reference/story.csv.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from crimestats import InputError, phrase
from crimestats.datasets import load_story, load_story_areas, story_figure

from conftest import REFERENCE


def test_story_columns_and_types() -> None:
    story = load_story()
    assert list(story.columns) == [
        "figure",
        "area_code",
        "area_name",
        "period",
        "value",
        "unit",
        "source",
    ]
    assert story["value"].dtype == float
    assert story["value"].notna().all()
    assert len(story) == 23
    assert story["source"].notna().all()


def test_story_matches_the_reference_figures() -> None:
    path = REFERENCE / "story.csv"
    if not path.exists():
        pytest.skip(f"{path} is not beside this checkout")
    reference = pd.read_csv(path)
    story = load_story()
    assert len(story) == len(reference)
    for ours, theirs in zip(story.itertuples(), reference.itertuples(), strict=True):
        assert ours.figure == theirs.figure
        assert ours.value == theirs.value
        assert (pd.isna(ours.area_code) and pd.isna(theirs.area_code)) or (
            ours.area_code == theirs.area_code
        )
        assert (pd.isna(ours.period) and pd.isna(theirs.period)) or ours.period == theirs.period


def test_story_figures_of_the_report() -> None:
    # DESIGN.md: 5,108 up from 4,949; 599,908 down from 636,954; 70 per cent of 1.4 million;
    # one in eight women; SOURCES.md: Bedfordshire mid-2024 749,943, E&W 61,806,682.
    offences = "stalking_and_harassment_offences"
    assert story_figure(offences, area="Bedfordshire", period="year ending March 2025") == 5108
    assert story_figure(offences, area="E23000026", period="year ending March 2024") == 4949
    assert story_figure(offences, area="England and Wales", period="year ending March 2025") == (
        599_908
    )
    assert story_figure(offences, area="K04000001", period="year ending March 2024") == 636_954
    assert story_figure(offences, area="Devon and Cornwall", period="year ending March 2025") == (
        14_530
    )
    assert story_figure("population", area="Bedfordshire", period="mid-2024") == 749_943
    assert story_figure("population", area="Bedfordshire", period="mid-2023") == 729_221
    assert story_figure("population", area="E23000035", period="mid-2024") == 1_840_161
    assert story_figure("population", area="K04000001", period="mid-2024") == 61_806_682
    assert story_figure("stalking_victims_estimated") == 1_400_000
    assert story_figure("share_of_stalking_victims_women") == 0.70
    assert story_figure("share_women_victims_sa_da_stalking") == 0.125
    assert story_figure("female_homicide_cases_reviewed") == 358


def test_story_figure_errors() -> None:
    with pytest.raises(InputError, match="not in the story; figures: stalking_and_harassment"):
        story_figure("burglaries")
    with pytest.raises(InputError, match="matches 6 rows"):
        story_figure("stalking_and_harassment_offences")
    with pytest.raises(InputError, match=r"matches no row.*Bedfordshire \(year ending March"):
        story_figure("stalking_and_harassment_offences", area="Kent")


def test_story_areas() -> None:
    areas = load_story_areas().set_index("area_name")
    assert list(areas.index) == ["Bedfordshire", "England and Wales", "Devon and Cornwall"]
    beds = areas.loc["Bedfordshire"]
    assert (beds["count"], beds["previous"]) == (5108, 4949)
    assert (beds["population"], beds["previous_population"]) == (749_943, 729_221)
    assert beds["area_code"] == "E23000026"
    ew = areas.loc["England and Wales"]
    assert (ew["count"], ew["previous"], ew["population"]) == (599_908, 636_954, 61_806_682)
    # The report's rates: around seven per 1,000 (6.81) against 10 per 1,000 (9.71); Devon and
    # Cornwall "about 8 per 1,000" (story.csv source note).
    rates = areas["count"] / areas["population"] * 1000
    assert round(rates["Bedfordshire"], 2) == 6.81
    assert round(rates["England and Wales"], 2) == 9.71
    assert round(rates["Devon and Cornwall"]) == 8
    # "the rate per head actually fell": 4,949 / 729,221 = 6.79 ... 6.81 per 1,000.
    previous_rates = areas["previous"] / areas["previous_population"] * 1000
    assert math.isclose(previous_rates["Bedfordshire"], 4949 / 729_221 * 1000)


def test_story_sentences_from_embedded_data() -> None:
    # The founding report's sentences, phrased from the embedded figures alone.
    areas = load_story_areas().set_index("area_name")
    beds, ew = areas.loc["Bedfordshire"], areas.loc["England and Wales"]
    assert phrase.change(beds["count"], beds["previous"]) == "up 3 per cent from 4,949"
    assert phrase.rate(beds["count"] / beds["population"] * 1000) == (
        "around seven per 1,000 people"
    )
    assert phrase.rate(ew["count"] / ew["population"] * 1000, unit=None, approximate=False) == (
        "10 per 1,000"
    )
    assert phrase.change_noun(ew["count"], ew["previous"]) == "a 6 per cent decrease from 636,954"
    assert phrase.share(story_figure("share_of_stalking_victims_women")) == "70 per cent"
    assert phrase.large_number(story_figure("stalking_victims_estimated")) == "1.4 million"
    assert phrase.one_in(story_figure("share_women_victims_sa_da_stalking")) == "one in eight"
