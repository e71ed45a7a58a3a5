"""Tests of crimestats.phrase: one test per house-style rule, then the founding report's sentences.

The founding report's figures are those of ../shared/reference/story.csv: Bedfordshire 5,108
stalking and harassment offences in the year ending March 2025 and 4,949 a year earlier,
population 749,943; England and Wales 599,908 and 636,954, population 61,806,682; 1.4 million
estimated stalking victims, 70 per cent of them women; 0.125 of women ("around one in eight").
"""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crimestats import InputError, phrase

# --- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, "zero"), (1, "one"), (7, "seven"), (9, "nine"), (10, "10"), (11, "11"), (6.81, "seven")],
)
def test_numbers_below_ten_in_words(value: float, expected: str) -> None:
    # House style: whole numbers below ten in words, 10 and above in figures.
    assert phrase.number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(599_908, "599,908"), (5108, "5,108"), (4949, "4,949"), (61_806_682, "61,806,682"),
     (1000, "1,000"), (-2500, "-2,500")],
)  # fmt: skip
def test_thousands_separators(value: float, expected: str) -> None:
    assert phrase.number(value) == expected


def test_numbers_at_the_start_of_a_sentence() -> None:
    # A sentence does not start with a figure: words and a capital, below 100.
    assert phrase.number(7, sentence_start=True) == "Seven"
    assert phrase.number(12, sentence_start=True) == "Twelve"
    assert phrase.number(42, sentence_start=True) == "Forty-two"
    assert phrase.number(5108, sentence_start=True) == "5,108"


def test_rounding_is_half_up() -> None:
    # Readers round 2.5 to 3 and 6.5 to 7; Python's round() would give 2 and 6.
    assert phrase.number(2.5) == "three"
    assert phrase.number(6.5) == "seven"
    assert phrase.number(10.5) == "11"
    assert phrase.number(6.25, decimals=1) == "6.3"
    assert phrase.per_cent(2.5) == "3 per cent"


def test_large_numbers_in_millions() -> None:
    assert phrase.large_number(1_400_000) == "1.4 million"  # story.csv: 1.4 million victims
    assert phrase.large_number(61_806_682) == "61.8 million"
    assert phrase.large_number(1_449_999) == "1.4 million"
    assert phrase.large_number(1_450_000) == "1.5 million"
    assert phrase.large_number(1_000_000) == "1 million"
    assert phrase.large_number(999_600) == "1 million"
    assert phrase.large_number(1_000_000, sentence_start=True) == "One million"
    assert phrase.large_number(2_450_000_000) == "2.5 billion"
    assert phrase.large_number(749_943) == "749,943"
    assert phrase.large_number(8) == "eight"


# --- per cent -----------------------------------------------------------------------------------


def test_per_cent_always_in_figures() -> None:
    assert phrase.per_cent(70) == "70 per cent"
    assert phrase.per_cent(3.2) == "3 per cent"  # a change of 3.2 is "3 per cent"
    assert phrase.per_cent(6) == "6 per cent"  # not "six per cent"
    assert phrase.per_cent(12.54, decimals=1) == "12.5 per cent"
    assert phrase.per_cent(-6.2) == "-6 per cent"


def test_per_cent_near_zero() -> None:
    assert phrase.per_cent(0.3) == "less than 1 per cent"
    assert phrase.per_cent(0.04, decimals=1) == "less than 0.1 per cent"
    assert phrase.per_cent(0) == "0 per cent"
    assert phrase.per_cent(-0.0) == "0 per cent"


def test_share_as_per_cent() -> None:
    assert phrase.share(0.70) == "70 per cent"  # story.csv share_of_stalking_victims_women
    assert phrase.share(0.39) == "39 per cent"  # share_cyber_stalking
    assert phrase.share(0.125, decimals=1) == "12.5 per cent"
    with pytest.raises(InputError, match="proportion"):
        phrase.share(1.2)


# --- changes ------------------------------------------------------------------------------------


def test_change_up_and_down() -> None:
    # 5,108 / 4,949 - 1 = 3.2%; 599,908 / 636,954 - 1 = -5.8%.
    assert phrase.change(5108, 4949) == "up 3 per cent from 4,949"
    assert phrase.change(599_908, 636_954) == "down 6 per cent from 636,954"
    assert phrase.change(5108, 4949, since=False) == "up 3 per cent"
    assert phrase.change(14_530, 12_853) == "up 13 per cent from 12,853"  # Devon and Cornwall
    assert phrase.change(4019, 2778, decimals=1) == "up 44.7 per cent from 2,778"  # ONS P2


def test_change_noun() -> None:
    assert phrase.change_noun(599_908, 636_954) == "a 6 per cent decrease from 636,954"
    assert phrase.change_noun(5108, 4949) == "a 3 per cent increase from 4,949"
    assert phrase.change_noun(5108, 4949, since=False) == "a 3 per cent increase"


@pytest.mark.parametrize(
    ("current", "expected"),
    [(108, "an 8 per cent increase"), (111, "an 11 per cent increase"),
     (118, "an 18 per cent increase"), (180, "an 80 per cent increase"),
     (112, "a 12 per cent increase"), (190, "a 90 per cent increase"),
     (900, "an 800 per cent increase"), (1200, "a 1,100 per cent increase")],
)  # fmt: skip
def test_change_noun_article_follows_the_spoken_number(current: int, expected: str) -> None:
    # "an" before a figure spoken with a vowel: eight, eleven, eighteen, eighty, eight hundred.
    assert phrase.change_noun(current, 100, since=False) == expected


def test_no_change_and_little_change() -> None:
    assert phrase.change(4949, 4949) == "unchanged from 4,949"
    assert phrase.change(4960, 4949) == "little changed from 4,949"  # +0.2% rounds to 0
    assert phrase.change_noun(4949, 4949) == "no change from 4,949"
    assert phrase.change_noun(4960, 4949, since=False) == "little change"


def test_change_needs_a_positive_base() -> None:
    with pytest.raises(InputError, match="previous"):
        phrase.change(10, 0)
    with pytest.raises(InputError, match="current"):
        phrase.change(math.nan, 10)


# --- rates --------------------------------------------------------------------------------------


def test_rate_rounding_and_around() -> None:
    # Bedfordshire: 5,108 / 749,943 * 1,000 = 6.81 -> "around seven per 1,000 people".
    assert phrase.rate(5108 / 749_943 * 1000) == "around seven per 1,000 people"
    assert phrase.rate(6.81) == "around seven per 1,000 people"
    assert phrase.rate(10) == "10 per 1,000 people"
    assert phrase.rate(10.02) == "10 per 1,000 people"  # rounding moved it by 0.2%: no hedge
    assert phrase.rate(15.4) == "around 15 per 1,000 people"
    assert phrase.rate(6.81, approximate=False) == "seven per 1,000 people"
    assert phrase.rate(7, approximate=True) == "around seven per 1,000 people"


def test_rate_units_and_bases() -> None:
    assert phrase.rate(9.71, unit=None, approximate=False) == "10 per 1,000"
    assert phrase.rate(4.6, unit="households") == "around five per 1,000 households"
    assert phrase.rate(1.2, per=100_000) == "around one per 100,000 people"
    # below 1, one significant figure: 0.012 (homicide, per 1,000) -> "around 0.01"
    assert phrase.rate(0.012) == "around 0.01 per 1,000 people"
    assert phrase.rate(0.3) == "0.3 per 1,000 people"
    with pytest.raises(InputError, match="negative"):
        phrase.rate(-1)


# --- shares as fractions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("share", "expected"),
    [(0.125, "one in eight"), (0.7, "seven in 10"), (0.5, "one in two"), (0.2, "one in five"),
     (0.25, "one in four"), (0.1, "one in 10"), (0.3, "three in 10"), (1 / 3, "one in three"),
     (0.9, "nine in 10"), (0.05, "one in 20"), (0.01, "one in 100")],
)  # fmt: skip
def test_one_in_exact_fractions(share: float, expected: str) -> None:
    # The closest simple fraction; "one in N" where it is as close as "k in 10".
    assert phrase.one_in(share) == expected


def test_one_in_approximate() -> None:
    assert phrase.one_in(0.39) == "around four in 10"  # story.csv: 39 per cent cyber-stalking
    assert phrase.one_in(0.22) == "around one in five"  # 22 per cent stalked by a partner or ex
    assert phrase.one_in(0.09) == "one in 11"  # 0.0909: within 2 per cent, no hedge
    assert phrase.one_in(0.78) == "around eight in 10"
    assert phrase.one_in(0.125, approximate=True) == "around one in eight"
    assert phrase.one_in(0.39, approximate=False) == "four in 10"
    for bad in (0, 1, -0.1, 1.5, math.nan):
        with pytest.raises(InputError):
            phrase.one_in(bad)


# --- hedges -------------------------------------------------------------------------------------


def test_significance_hedge() -> None:
    # The 3 per cent rise in Bedfordshire is not significant (exact test p = 0.12, DESIGN.md).
    assert phrase.significance(False) == "not a statistically significant change"
    assert phrase.significance(True) == "a statistically significant change"
    assert phrase.significance(False, what="rise") == "not a statistically significant rise"


def test_comparison_hedge() -> None:
    assert (
        phrase.comparison("lower")
        == "statistically significantly lower than the England and Wales rate"
    )
    assert phrase.comparison("higher", benchmark="the national rate") == (
        "statistically significantly higher than the national rate"
    )
    assert phrase.comparison("similar") == "similar to the England and Wales rate"
    with pytest.raises(InputError, match="result"):
        phrase.comparison("below")


def test_year_to() -> None:
    assert phrase.year_to("year ending March 2025") == "the year to March 2025"
    assert phrase.year_to("year ending March 2025", with_year=False) == "the year to March"
    with pytest.raises(InputError, match="period"):
        phrase.year_to("2024/25")


def test_bad_values_are_input_errors() -> None:
    for bad in (math.nan, math.inf):
        with pytest.raises(InputError):
            phrase.number(bad)
        with pytest.raises(ValueError):  # InputError is a ValueError
            phrase.large_number(bad)


# --- the founding report ------------------------------------------------------------------------


def test_founding_report_sentences() -> None:
    beds_rate = 5108 / 749_943 * 1000  # 6.81 per 1,000
    national_rate = 599_908 / 61_806_682 * 1000  # 9.71 per 1,000

    first = (
        f"Bedfordshire Police recorded {phrase.number(5108)} stalking and harassment offences "
        f"in {phrase.year_to('year ending March 2025', with_year=False)}, "
        f"{phrase.change(5108, 4949)}"
    )
    assert first == (
        "Bedfordshire Police recorded 5,108 stalking and harassment offences in the year to "
        "March, up 3 per cent from 4,949"
    )

    second = (
        f"{phrase.rate(beds_rate)}, below the "
        f"{phrase.rate(national_rate, unit=None, approximate=False)} average across England and "
        "Wales"
    )
    assert second == (
        "around seven per 1,000 people, below the 10 per 1,000 average across England and Wales"
    )

    third = (
        f"forces logged {phrase.number(599_908)} offences, {phrase.change_noun(599_908, 636_954)}"
    )
    assert third == "forces logged 599,908 offences, a 6 per cent decrease from 636,954"

    fourth = (
        f"women accounted for {phrase.share(0.70)} of the {phrase.large_number(1_400_000)} "
        "estimated stalking victims"
    )
    assert fourth == (
        "women accounted for 70 per cent of the 1.4 million estimated stalking victims"
    )

    assert f"{phrase.one_in(0.125, approximate=True)} women" == "around one in eight women"


def test_what_the_report_could_not_say() -> None:
    # The sentences the story adds: the rise is not significant; the rate is below the national.
    sentence = (
        f"The rise is {phrase.significance(False)}; Bedfordshire's rate is "
        f"{phrase.comparison('lower')}."
    )
    assert sentence == (
        "The rise is not a statistically significant change; Bedfordshire's rate is "
        "statistically significantly lower than the England and Wales rate."
    )


# --- properties ---------------------------------------------------------------------------------


@given(st.integers(min_value=10, max_value=10**12))
def test_number_round_trips_for_figures(value: int) -> None:
    # Figures from 10 up: commas every three digits, and nothing else changed.
    text = phrase.number(value)
    assert int(text.replace(",", "")) == value
    assert re.fullmatch(r"\d{1,3}(,\d{3})*", text)


@given(st.floats(min_value=0.001, max_value=0.999))
def test_one_in_is_the_closest_simple_fraction(share: float) -> None:
    # The chosen fraction is at least as close as any "one in N" or "k in 10".
    text = phrase.one_in(share, approximate=False)
    top, bottom = text.split(" in ")
    words = {w: i for i, w in enumerate(["zero", "one", "two", "three", "four", "five", "six",
                                          "seven", "eight", "nine"])}  # fmt: skip
    value = (words[top] if top in words else int(top)) / (
        words[bottom] if bottom in words else int(bottom.replace(",", ""))
    )
    candidates = [1 / n for n in range(2, 2001)] + [k / 10 for k in range(1, 10)]
    assert abs(value - share) <= min(abs(c - share) for c in candidates) + 1e-12


@given(st.floats(min_value=1, max_value=1e6), st.floats(min_value=1, max_value=1e6))
def test_change_direction_matches_the_numbers(current: float, previous: float) -> None:
    text = phrase.change(current, previous, since=False)
    if current > previous * 1.005:
        assert text.startswith("up ")
    elif current < previous * 0.995:
        assert text.startswith("down ")
    else:
        assert text in ("unchanged", "little changed") or text.endswith(" per cent")
