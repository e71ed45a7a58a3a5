"""Numbers as a UK newsroom writes them.

The conventions are those of British press style guides: whole numbers below ten in words and
10 upwards in figures (also in words at the start of a sentence), thousands separated by commas
("599,908"), large numbers in millions and billions to one decimal place ("1.4 million"),
"per cent" in words after a figure ("3 per cent", never "3%" or "three per cent"), rates as
"per 1,000 people", shares as simple fractions ("one in eight", "seven in 10"), and halves
rounded up ("2.5" -> "3"), not to the even number.

Honesty needs hedges, and they are here too: "around" when a figure has been rounded a long
way, "not a statistically significant change", "statistically significantly lower than the
England and Wales rate", "similar to".

Every function returns a phrase without a capital or a full stop, ready to be put in a
sentence, except where ``sentence_start=True`` asks for a capital.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, SupportsFloat

from .._core import InputError

__all__ = [
    "change",
    "change_noun",
    "comparison",
    "large_number",
    "number",
    "one_in",
    "per_cent",
    "rate",
    "share",
    "significance",
    "year_to",
]

_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _finite(value: SupportsFloat, argument: str) -> float:
    """The value as a float, or an InputError naming the argument if it is NaN or infinite."""
    try:
        number_ = float(value)
    except (TypeError, ValueError) as error:
        raise InputError(f"{argument}: {value!r} is not a number") from error
    if not math.isfinite(number_):
        raise InputError(f"{argument}: {number_} cannot be put into words")
    return number_


def _round_half_up(value: float, decimals: int = 0) -> float:
    """Round as a reader expects (2.5 -> 3, -2.5 -> -3), not to even as Python's round does."""
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def _words(whole: int) -> str:
    """Words for 0 to 99, as a British writer spells them ("forty-two")."""
    if whole < 20:
        return _UNITS[whole]
    tens, units = divmod(whole, 10)
    return _TENS[tens] + (f"-{_UNITS[units]}" if units else "")


def _capital(text: str, sentence_start: bool) -> str:
    return text[:1].upper() + text[1:] if sentence_start else text


def _article(phrase: str) -> str:
    """'a' or 'an' before a figure, by how it is spoken: an 8, an 11, an 18, an 80, an 800."""
    lead = re.split(r"[,.\s]", phrase.lstrip("-"), maxsplit=1)[0]
    spoken_vowel = lead.startswith("8") or lead in ("11", "18") or phrase[:1] in "aeiou"
    return "an" if spoken_vowel else "a"


def number(value: SupportsFloat, *, decimals: int = 0, sentence_start: bool = False) -> str:
    """A number in house style: words below ten, figures with thousands separators above.

    Parameters
    ----------
    value
        The number. It is rounded half up to ``decimals`` places first.
    decimals
        Decimal places to keep. Only whole numbers are ever written in words.
    sentence_start
        Capitalise, and write in words any whole number below 100 (a sentence does not start
        with a figure). Larger numbers stay in figures: rephrase the sentence instead.

    Returns
    -------
    str
        ``"seven"``, ``"10"``, ``"5,108"``, ``"599,908"``, ``"6.8"``.

    Raises
    ------
    InputError
        If the value is NaN or infinite.

    Examples
    --------
    >>> number(5108)
    '5,108'
    >>> number(7)
    'seven'
    >>> number(12, sentence_start=True)
    'Twelve'
    """
    x = _round_half_up(_finite(value, "value"), decimals)
    whole = x == int(x)
    if whole and 0 <= x < (100 if sentence_start else 10):
        return _capital(_words(int(x)), sentence_start)
    digits = decimals if not whole else 0
    return f"{x:,.{digits}f}"


def large_number(value: SupportsFloat, *, sentence_start: bool = False) -> str:
    """A number as a reader takes it in: millions and billions to one decimal place.

    Parameters
    ----------
    value
        The number. Below a million it is written as :func:`number` writes it.
    sentence_start
        Capitalise (a whole number of millions below ten is then in words, "One million").

    Returns
    -------
    str
        ``"1.4 million"``, ``"61.8 million"``, ``"2 billion"``, ``"749,943"``.

    Examples
    --------
    >>> large_number(1_400_000)
    '1.4 million'
    >>> large_number(61_806_682)
    '61.8 million'
    """
    x = _finite(value, "value")
    for size, name in ((1e9, "billion"), (1e6, "million")):
        if abs(x) >= size * 0.9995:  # 999,600 reads as "1 million", not "999,600"
            scaled = _round_half_up(x / size, 1)
            text = f"{scaled:,.1f}".removesuffix(".0")
            if scaled == int(scaled) and 0 < scaled < 10:
                text = _UNITS[int(scaled)] if sentence_start else text
            return _capital(f"{text} {name}", sentence_start)
    return number(x, sentence_start=sentence_start)


def per_cent(percent: SupportsFloat, *, decimals: int = 0) -> str:
    """A percentage in words: "3 per cent" (always a figure, whatever its size).

    Parameters
    ----------
    percent
        The percentage (3.2 for 3.2 per cent), rounded half up to ``decimals`` places. A
        non-zero value that rounds to zero reads "less than 1 per cent" (or "less than 0.1
        per cent" with one decimal).
    decimals
        Decimal places to keep.

    Examples
    --------
    >>> per_cent(3.2)
    '3 per cent'
    >>> per_cent(70)
    '70 per cent'
    >>> per_cent(0.3)
    'less than 1 per cent'
    """
    x = _finite(percent, "percent")
    rounded = _round_half_up(x, decimals)
    if rounded == 0 and x != 0:
        smallest = f"{10.0**-decimals:.{decimals}f}"
        return f"less than {smallest} per cent"
    return f"{rounded + 0.0:,.{decimals}f} per cent"  # + 0.0 turns -0.0 into 0.0


def share(proportion: SupportsFloat, *, decimals: int = 0) -> str:
    """A share (a proportion from 0 to 1) as a percentage: 0.70 -> "70 per cent".

    Examples
    --------
    >>> share(0.70)
    '70 per cent'
    >>> share(0.125, decimals=1)
    '12.5 per cent'
    """
    p = _finite(proportion, "proportion")
    if not 0 <= p <= 1:
        raise InputError(f"proportion: {p} is outside 0 to 1")
    return per_cent(p * 100, decimals=decimals)


def _percent_change(current: SupportsFloat, previous: SupportsFloat) -> tuple[float, float]:
    now = _finite(current, "current")
    before = _finite(previous, "previous")
    if before <= 0:
        raise InputError(f"previous: {before} must be greater than zero for a percentage change")
    return (now / before - 1) * 100, before


def change(
    current: SupportsFloat,
    previous: SupportsFloat,
    *,
    decimals: int = 0,
    since: bool = True,
) -> str:
    """A change as a newspaper writes it after a figure: "up 3 per cent from 4,949".

    Parameters
    ----------
    current, previous
        The two figures; the percentage change is ``current / previous - 1``.
    decimals
        Decimal places of the percentage.
    since
        Add "from <previous>"; ``False`` gives just "up 3 per cent".

    Returns
    -------
    str
        "up 3 per cent from 4,949", "down 6 per cent from 636,954", "unchanged from 4,949"
        (equal figures) or "little changed from 4,949" (a change that rounds to 0 per cent).

    Raises
    ------
    InputError
        If ``previous`` is not greater than zero.

    Examples
    --------
    >>> change(5108, 4949)
    'up 3 per cent from 4,949'
    >>> change(599_908, 636_954, since=False)
    'down 6 per cent'
    """

    def moved(pct: float) -> str:
        return f"{'up' if pct > 0 else 'down'} {per_cent(abs(pct), decimals=decimals)}"

    return _change_words(current, previous, decimals, since, ("unchanged", "little changed"), moved)


def _change_words(
    current: SupportsFloat,
    previous: SupportsFloat,
    decimals: int,
    since: bool,
    still: tuple[str, str],
    moved: Callable[[float], str],
) -> str:
    """A change in words: `still`'s first for none, its second for one that rounds to 0 per
    cent, else `moved` of the percentage; then " from <previous>" when `since`."""
    pct, before = _percent_change(current, previous)
    tail = f" from {number(before)}" if since else ""
    if pct == 0:
        return still[0] + tail
    if _round_half_up(pct, decimals) == 0:
        return still[1] + tail
    return moved(pct) + tail


def change_noun(
    current: SupportsFloat,
    previous: SupportsFloat,
    *,
    decimals: int = 0,
    since: bool = True,
) -> str:
    """A change as a noun phrase: "a 6 per cent decrease from 636,954".

    Parameters
    ----------
    current, previous
        The two figures.
    decimals
        Decimal places of the percentage.
    since
        Add "from <previous>".

    Returns
    -------
    str
        "a 3 per cent increase from 4,949", "an 8 per cent decrease", "no change from 4,949",
        "little change from 4,949".

    Examples
    --------
    >>> change_noun(599_908, 636_954)
    'a 6 per cent decrease from 636,954'
    >>> change_noun(5108, 4949, since=False)
    'a 3 per cent increase'
    """

    def moved(pct: float) -> str:
        amount = per_cent(abs(pct), decimals=decimals)
        return f"{_article(amount)} {amount} {'increase' if pct > 0 else 'decrease'}"

    return _change_words(current, previous, decimals, since, ("no change", "little change"), moved)


def rate(
    value: SupportsFloat,
    *,
    per: int = 1000,
    unit: str | None = "people",
    approximate: bool | None = None,
) -> str:
    """A rate per head as a reader takes it in: "around seven per 1,000 people".

    The rate is rounded to a whole number (to one significant figure below 1, as "0.3"), written
    as :func:`number` writes it, so 6.81 becomes "seven".

    Parameters
    ----------
    value
        The rate per ``per`` people (6.81 for 6.81 per 1,000).
    per
        The base of the rate: 1,000 for crime rates, 100,000 for homicide.
    unit
        What the rate is per: "people", "households", or ``None`` for the bare "per 1,000"
        (as in "the 10 per 1,000 average").
    approximate
        Say "around". By default, when rounding moved the figure by more than 1 per cent
        (6.81 -> "around seven"; 10.02 -> "10").

    Examples
    --------
    >>> rate(6.81)
    'around seven per 1,000 people'
    >>> rate(9.71, unit=None, approximate=False)
    '10 per 1,000'
    """
    x = _finite(value, "value")
    if x < 0:
        raise InputError(f"value: {x} is negative; a rate is zero or more")
    if per <= 0:
        raise InputError(f"per: {per} must be greater than zero")
    if 0 < x < 0.95:
        decimals = max(1, -math.floor(math.log10(x)))
        rounded = _round_half_up(x, decimals)
        text = f"{rounded:.{decimals}f}"
    else:
        rounded = _round_half_up(x)
        text = number(rounded)
    around = abs(rounded - x) > 0.01 * x if approximate is None else approximate
    phrase = f"{'around ' if around else ''}{text} per {number(per)}"
    return f"{phrase} {unit}" if unit else phrase


def one_in(proportion: SupportsFloat, *, approximate: bool | None = None) -> str:
    """A share as the simplest fraction a reader pictures: "one in eight", "seven in 10".

    The closest of "one in N" (N from 2 upwards) and "k in 10" is chosen; where both are as
    close, "one in N" wins (0.2 is "one in five").

    Parameters
    ----------
    proportion
        The share, greater than 0 and less than 1.
    approximate
        Say "around". By default, when the fraction is more than 2 per cent (relative) away
        from the share.

    Raises
    ------
    InputError
        If the share is not strictly between 0 and 1.

    Examples
    --------
    >>> one_in(0.125)
    'one in eight'
    >>> one_in(0.7)
    'seven in 10'
    >>> one_in(0.125, approximate=True)
    'around one in eight'
    """
    p = _finite(proportion, "proportion")
    if not 0 < p < 1:
        raise InputError(f"proportion: {p} must be greater than 0 and less than 1")
    largest = max(20, round(1 / p) + 1)
    candidates: list[tuple[float, int, int]] = [(1 / n, 1, n) for n in range(2, largest + 1)]
    candidates += [(k / 10, k, 10) for k in range(2, 10)]
    best = min(candidates, key=lambda c: (round(abs(c[0] - p), 12), c[1]))
    value, top, bottom = best
    around = abs(value - p) / p > 0.02 if approximate is None else approximate
    return f"{'around ' if around else ''}{number(top)} in {number(bottom)}"


def significance(significant: bool, *, what: str = "change") -> str:
    """The honest hedge on a change or a difference: is it more than chance?

    Parameters
    ----------
    significant
        The test's verdict (``test_change(...)["significant"]``).
    what
        The noun: "change", "difference", "rise", "fall".

    Examples
    --------
    >>> significance(False)
    'not a statistically significant change'
    >>> significance(True, what="fall")
    'a statistically significant fall'
    """
    return f"{'a' if significant else 'not a'} statistically significant {what}"


def comparison(
    result: Literal["lower", "similar", "higher"], *, benchmark: str = "the England and Wales rate"
) -> str:
    """How an area compares with a benchmark, from ``compare()``'s verdict.

    Parameters
    ----------
    result
        ``"lower"``, ``"similar"`` or ``"higher"`` (the ``comparison`` column of
        ``crimestats.compare``).
    benchmark
        What the area is compared with.

    Raises
    ------
    InputError
        If ``result`` is none of the three.

    Examples
    --------
    >>> comparison("lower")
    'statistically significantly lower than the England and Wales rate'
    >>> comparison("similar", benchmark="the national rate")
    'similar to the national rate'
    """
    if result == "similar":
        return f"similar to {benchmark}"
    if result in ("lower", "higher"):
        return f"statistically significantly {result} than {benchmark}"
    raise InputError(f"result: {result!r} is not 'lower', 'similar' or 'higher'")


_YEAR_ENDING = re.compile(r"^\s*year ending\s+([A-Za-z]+)\s+(\d{4})\s*$", re.IGNORECASE)


def year_to(period: str, *, with_year: bool = True) -> str:
    """An ONS period as a newspaper names it: "year ending March 2025" -> "the year to March 2025".

    Parameters
    ----------
    period
        The period as the ONS tables name it.
    with_year
        Keep the year ("the year to March" when the year is clear from the story).

    Examples
    --------
    >>> year_to("year ending March 2025")
    'the year to March 2025'
    >>> year_to("year ending March 2025", with_year=False)
    'the year to March'
    """
    match = _YEAR_ENDING.match(period)
    if not match:
        raise InputError(f"period: {period!r} is not of the form 'year ending March 2025'")
    month = match.group(1).capitalize()
    return f"the year to {month} {match.group(2)}" if with_year else f"the year to {month}"
