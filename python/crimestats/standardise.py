"""Rates beyond the crude: standardised, severity-weighted and smoothed.

``dsr`` and ``isr`` standardise for age as Public Health England does (PHEindicatormethods
``calculate_dsr``, ``calculate_ISRatio``, ``calculate_ISRate``); ``weighted_rate`` and
``test_weighted_change`` give a severity-weighted rate (the Crime Severity Score's form) an
interval (Fay & Feuer 1997) and a test; ``smooth_rates`` shrinks noisy small-area rates by
empirical Bayes (Marshall 1991, as R ``spdep``). The Rust core does every sum, one pass over
the rows per call; this module finds the columns and names the groups.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import _core, _events, _inputs, datasets
from ._choices import WeightedMethod
from ._core import InputError
from ._inputs import ArrayLike, FloatArray
from .changes import _boolean, _levels, level_name

Columns = str | Sequence[str] | None


def _by(frame: pd.DataFrame, by: Columns, used: dict[str, str]) -> list[str]:
    """The by-columns, once every named column is checked to be in `frame`."""
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    for arg, column in [*used.items(), *(("by", key) for key in keys)]:
        if not isinstance(column, str):
            raise InputError(f"{arg}: give a column name, got {column!r}")
        if column not in frame.columns:
            raise InputError(
                f"{arg}: column {column!r} is not in frame; its columns are {list(frame.columns)}"
            )
        _inputs.column(frame, arg, column, frame="frame")  # one column of that name
    for key in keys:
        if key in used.values():
            raise InputError(f"by: column {key!r} is also given as a count, population or weight")
    return keys


def _groups(frame: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Group codes 0..k-1 per row, in sorted order of the by-values, and the groups' labels."""
    if not keys:
        return np.zeros(len(frame), dtype=np.uint32), pd.DataFrame(index=pd.RangeIndex(1))
    grouped = frame.groupby(keys, sort=True, dropna=False, observed=True)
    codes = grouped.ngroup().to_numpy(dtype=np.uint32)
    labels = grouped.size().index.to_frame(index=False)
    for key in keys:
        labels[key] = labels[key].astype(frame[key].dtype)
    return np.ascontiguousarray(codes), labels


def _column(frame: pd.DataFrame, arg: str, column: str) -> FloatArray:
    return _inputs.numeric_column(frame, arg, column)


def _with_levels(
    labels: pd.DataFrame,
    columns: dict[str, FloatArray],
    bounds: dict[str, tuple[list[FloatArray], list[float], bool]],
) -> pd.DataFrame:
    """The result: labels, `columns`, then each named interval's bounds per confidence level
    (``lower``, ``upper`` for one level, ``lower_95``, ``upper_99_8``... for several)."""
    out = labels.reset_index(drop=True).copy()
    for name, values in columns.items():
        out[name] = values
    for prefix, (both, levels, single) in bounds.items():
        lowers, uppers = both[: len(levels)], both[len(levels) :]
        for level, low, high in zip(levels, lowers, uppers, strict=True):
            suffix = "" if single else "_" + level_name(level)
            out[f"{prefix}lower{suffix}"] = low
            out[f"{prefix}upper{suffix}"] = high
    return out


# ---------------------------------------------------------------------------------------------
# The 2013 European Standard Population's age bands
# ---------------------------------------------------------------------------------------------

_RANGE = re.compile(r"^(?:aged?\s*)?(\d+)\s*(?:-|\u2013|to)\s*(\d+)(?:\s*years?)?$")
_OPEN = re.compile(r"^(?:aged?\s*)?(\d+)\s*(?:\+|plus|and over|or over|and older)(?:\s*years?)?$")


def _band_start(label: Any) -> tuple[int, int | None] | None:
    """A band label's first and last age (None for an open top band), or None."""
    if isinstance(label, int | np.integer) and not isinstance(label, bool):
        return int(label), -1  # a lower bound alone: the band starting there
    text = str(label).strip().lower()
    if text.isdigit():
        return int(text), -1
    if match := _RANGE.match(text):
        return int(match[1]), int(match[2])
    if match := _OPEN.match(text):
        return int(match[1]), None
    return None


def _esp2013_bands(ages: pd.Series) -> tuple[np.ndarray, FloatArray]:
    """Each row's ESP2013 band (0..18) and standard population, from its age label."""
    esp = datasets.load_esp2013()
    starts = {index * 5: index for index in range(len(esp))}
    known = ", ".join(esp["age"])
    inverse, uniques = pd.factorize(ages, use_na_sentinel=False)  # hashing: fast on text
    band_of = np.empty(len(uniques), dtype=np.uint32)
    for u, label in enumerate(uniques):
        parsed = _band_start(label)
        band = starts.get(parsed[0]) if parsed else None
        top = len(esp) - 1
        if parsed is not None and band is not None and parsed[1] != -1:
            expected_end = None if band == top else parsed[0] + 4
            if parsed[1] != expected_end:
                band = None
        if band is None:
            position = int(np.argmax(inverse == u))
            raise InputError(
                f"age: position {position} is {label!r}, not a band of the 2013 European "
                f"Standard Population ({known}); give standard= a column of standard "
                "populations for other bands"
            )
        band_of[u] = band
    bands = np.ascontiguousarray(band_of[inverse])
    return bands, np.ascontiguousarray(esp["population"].to_numpy(dtype=np.float64)[bands])


def dsr(
    frame: pd.DataFrame,
    *,
    count: str,
    population: str,
    standard: str,
    by: Columns = None,
    age: str = "age",
    per: float = 100_000,
    conf: float | Sequence[float] = 0.95,
    eventfreq: str | Mapping[float, Any] | None = None,
) -> pd.DataFrame:
    """Directly standardised rates by Dobson's method, as PHEindicatormethods ``calculate_dsr``.

    Each group's rate is ``sum(count / population * standard) / sum(standard) * per``; the
    interval is Byar's interval for the total count moved onto the rate's scale (Dobson et al.
    1991). A total under 10 events is suppressed, as PHE publishes it: ``dsr``, ``lower`` and
    ``upper`` NaN and ``suppressed`` True.

    Parameters
    ----------
    frame
        One row per group (``by``) and age band.
    count, population
        Columns of events and of the band's population (greater than zero).
    standard
        A column of standard populations, or ``"esp2013"``: the 2013 European Standard
        Population, matched on the ``age`` column's band labels (``"0-4"`` ... ``"85-89"``,
        ``"90+"``; ``"00-04"``, ``"90 and over"`` or the lower ages 0, 5, ... 90 also work).
        Every group must have the same bands.
    by
        The column or columns naming a group (a force, a year); None for one rate.
    age
        The column of band labels; needed for ``"esp2013"`` and with ``eventfreq``.
    per
        The rate's base: 100,000 as PHE.
    conf
        A level, or several, e.g. ``(0.95, 0.998)`` for ``lower_95, upper_95, lower_99_8,
        upper_99_8`` in one call.
    eventfreq
        For events that repeat on the same people: the name of a column of events per person
        (``count`` is then the number of people with that many events, a row per group, band
        and frequency: PHE's ``independent_events = FALSE``), or a mapping ``{events per
        person: people}`` for a distribution that applies to every band.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``count`` (total events), ``population``, ``dsr``, the bounds, and
        ``suppressed``, one row per group in sorted order.

    Examples
    --------
    >>> data = pd.DataFrame({"age": datasets.load_esp2013()["age"],
    ...                      "offences": [127, 25, 18, 21, 12, 27, 48, 27, 29, 32, 32, 34, 45,
    ...                                   65, 38, 68, 74, 82, 91],
    ...                      "people": [636, 558, 609, 543, 384, 594, 669, 843, 660, 576, 606,
    ...                                 522, 426, 273, 300, 288, 153, 123, 207]})
    >>> d = dsr(data, count="offences", population="people", standard="esp2013")
    >>> round(float(d.loc[0, "dsr"]), 1), round(float(d.loc[0, "lower"]), 1)
    (10430.2, 9717.7)
    """
    frame = _inputs.as_pandas("frame", frame)
    used = {"count": count, "population": population}
    esp = isinstance(standard, str) and standard.lower() == "esp2013"
    if not esp:
        used["standard"] = standard
    frequency_column = eventfreq if isinstance(eventfreq, str) else None
    if frequency_column is not None:
        used["eventfreq"] = frequency_column
    needs_age = esp or frequency_column is not None
    if needs_age:
        used["age"] = age
    keys = _by(frame, by, used)
    codes, labels = _groups(frame, keys)
    levels, single = _levels(conf)
    rows_count = _column(frame, "count", count)
    rows_population = _column(frame, "population", population)
    band: np.ndarray | None = None
    n_bands = 0
    if esp:
        band, standard_values = _esp2013_bands(frame[age])
        n_bands = 19
    else:
        standard_values = _column(frame, "standard", standard)
        if needs_age:
            band_codes, band_labels = pd.factorize(frame[age], use_na_sentinel=True)
            if (band_codes < 0).any():
                raise InputError(f"age: position {int(np.argmax(band_codes < 0))} is missing")
            band = np.ascontiguousarray(band_codes, dtype=np.uint32)
            n_bands = len(band_labels)
    frequency = None if frequency_column is None else _column(frame, "eventfreq", frequency_column)
    if band is not None:
        _check_bands(frame, keys, age, codes, band, n_bands, frequency_column, esp)
    ratio = 1.0
    if eventfreq is not None and frequency_column is None:
        dispersion = _events.dispersion(eventfreq, 1)  # type: ignore[arg-type]
        ratio = float(dispersion[0]) if dispersion is not None else 1.0
    (total, people, rates, suppressed), lowers, uppers = _core.standardised_rate(
        rows_count,
        rows_population,
        standard_values,
        frequency,
        band,
        n_bands,
        codes,
        len(labels),
        _inputs.number("per", per),
        levels,
        ratio,
    )
    out = _with_levels(
        labels,
        {"count": total, "population": people, "dsr": rates},
        {"": ([*lowers, *uppers], levels, single)},
    )
    out["suppressed"] = _boolean(suppressed)
    return out


def _check_bands(
    frame: pd.DataFrame,
    keys: list[str],
    age: str,
    codes: np.ndarray,
    band: np.ndarray,
    n_bands: int,
    frequency: str | None,
    esp: bool,
) -> None:
    """One row per group, band and frequency; with the ESP, the same bands in every group."""
    if frequency is not None:  # without frequencies the core refuses a repeated band
        key = pd.DataFrame({"group": codes, "band": band, "frequency": frame[frequency]})
        repeated = np.flatnonzero(key.duplicated().to_numpy())
        if repeated.size:
            row = int(repeated[0])
            raise InputError(
                f"{age}: position {row} repeats band {frame[age].iloc[row]!r} and frequency "
                f"{frame[frequency].iloc[row]!r} of its group; give one row per group, band and "
                "frequency"
            )
    if esp and len(keys):
        present = np.zeros((int(codes.max()) + 1 if len(codes) else 0, n_bands), dtype=bool)
        present[codes, band] = True
        every = present.any(axis=0)
        lacking = np.flatnonzero((present != every).any(axis=1))
        if lacking.size:
            g = int(lacking[0])
            missing = int(np.flatnonzero(every & ~present[g])[0])
            label = datasets.load_esp2013()["age"].iloc[missing]
            row = int(np.argmax(codes == g))
            where = ", ".join(f"{k}={frame[k].iloc[row]!r}" for k in keys)
            raise InputError(
                f"{age}: the group {where} has no row for band {label!r}, which other groups "
                "have; give it a row with a count of 0 so that every group has the same standard"
            )


def isr(
    frame: pd.DataFrame,
    *,
    count: str,
    population: str,
    reference_count: str,
    reference_population: str,
    by: Columns = None,
    conf: float | Sequence[float] = 0.95,
    reference_rate: float | str | None = None,
    per: float = 100_000,
) -> pd.DataFrame:
    """Indirectly standardised ratios, as PHEindicatormethods ``calculate_ISRatio``.

    Observed events over those expected had each band had the reference rates
    ``reference_count / reference_population`` (England and Wales, say): exact (Garwood)
    intervals below 10 observed events, Byar's from 10.

    Parameters
    ----------
    frame
        One row per group and age band.
    count, population
        Columns of the group's events and population in each band (a population may be 0).
    reference_count, reference_population
        Columns of the reference's events and population in the same band.
    by
        The column or columns naming a group; None for one ratio.
    conf
        A level or several, as for :func:`dsr`.
    reference_rate
        For the indirectly standardised rate (``calculate_ISRate``): ``"crude"`` for the
        reference population's own crude rate over the bands, or a rate per ``per`` people.
        Adds ``reference_rate``, ``rate`` and its ``rate_lower``, ``rate_upper``.
    per
        The base of the rates.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``observed, expected, ratio`` and the bounds (then the rate
        columns), one row per group in sorted order.

    Examples
    --------
    >>> data = pd.DataFrame({"offences": [30, 12], "people": [1000, 3000],
    ...                      "ew_offences": [5000, 2000], "ew_people": [100_000, 200_000]})
    >>> r = isr(data, count="offences", population="people", reference_count="ew_offences",
    ...         reference_population="ew_people")
    >>> float(r.loc[0, "expected"]), round(float(r.loc[0, "ratio"]), 3)
    (80.0, 0.525)
    """
    frame = _inputs.as_pandas("frame", frame)
    used = {
        "count": count,
        "population": population,
        "reference_count": reference_count,
        "reference_population": reference_population,
    }
    keys = _by(frame, by, used)
    codes, labels = _groups(frame, keys)
    levels, single = _levels(conf)
    (observed, expected, ratio, crude), lowers, uppers = _core.standardised_ratio(
        _column(frame, "count", count),
        _column(frame, "population", population),
        _column(frame, "reference_count", reference_count),
        _column(frame, "reference_population", reference_population),
        codes,
        len(labels),
        levels,
    )
    columns = {"observed": observed, "expected": expected, "ratio": ratio}
    bounds = {"": ([*lowers, *uppers], levels, single)}
    if reference_rate is not None:
        per_value = _inputs.number("per", per)
        if isinstance(reference_rate, str):
            if reference_rate.lower() != "crude":
                raise InputError(
                    f"reference_rate: give 'crude' or a rate per {per_value:g}, got "
                    f"{reference_rate!r}"
                )
            base = crude * per_value
        else:
            base = np.full(len(labels), _inputs.number("reference_rate", reference_rate))
        columns["reference_rate"] = base
        columns["rate"] = ratio * base
        bounds["rate_"] = ([b * base for b in [*lowers, *uppers]], levels, single)
    return _with_levels(labels, columns, bounds)


# ---------------------------------------------------------------------------------------------
# Severity-weighted rates
# ---------------------------------------------------------------------------------------------


def _weighted_rows(
    frame: pd.DataFrame, count: str, weight: str, population: str
) -> tuple[FloatArray, FloatArray, FloatArray]:
    return (
        _column(frame, "count", count),
        _column(frame, "weight", weight),
        _column(frame, "population", population),
    )


def weighted_rate(
    frame: pd.DataFrame,
    *,
    count: str,
    weight: str,
    population: str,
    by: Columns = None,
    per: float = 1000,
    conf: float = 0.95,
    method: WeightedMethod = "gamma",
) -> pd.DataFrame:
    """A severity-weighted rate per group (the Crime Severity Score's form) with its interval.

    The score is ``sum(weight * count)``, the rate ``score / population * per``. With
    ``method="gamma"`` the interval is Fay & Feuer's (1997) gamma interval for a weighted sum
    of Poisson counts (as R ``epitools::ageadjust.direct``); ``"normal"`` is
    ``score +/- z sqrt(sum weight^2 count)``.

    Parameters
    ----------
    frame
        One row per group (an area, a year) and offence.
    count
        Column of offences recorded.
    weight
        Column of the offence's severity weight (zero or more). The ONS publishes the Crime
        Severity Score's weights per Home Office offence code (days of custody equivalent);
        merge them onto the offence rows.
    population
        Column of the group's population, repeated on each of its rows and taken once (rows of a
        group that disagree are an InputError).
    by
        The column or columns naming a group.
    per, conf
        The rate's base and the two-sided confidence level.
    method
        ``"gamma"`` or ``"normal"``.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``score, rate, lower, upper``, one row per group in sorted order.

    Examples
    --------
    >>> data = pd.DataFrame({"offence": ["theft", "robbery"], "count": [30, 4],
    ...                      "weight": [2.0, 10.0], "people": [1000, 1000]})
    >>> w = weighted_rate(data, count="count", weight="weight", population="people")
    >>> float(w.loc[0, "rate"]), round(float(w.loc[0, "lower"]), 1)
    (100.0, 60.4)
    """
    frame = _inputs.as_pandas("frame", frame)
    keys = _by(frame, by, {"count": count, "weight": weight, "population": population})
    codes, labels = _groups(frame, keys)
    score, rates, lower, upper = _core.weighted_rate(
        *_weighted_rows(frame, count, weight, population),
        codes,
        len(labels),
        _inputs.number("per", per),
        _inputs.choice("method", method),
        _inputs.number("conf", conf),
    )
    return _with_levels(labels, {"score": score, "rate": rates, "lower": lower, "upper": upper}, {})


def test_weighted_change(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    *,
    count: str,
    weight: str,
    population: str,
    by: Columns = None,
    per: float = 1000,
    conf: float = 0.95,
    method: WeightedMethod = "gamma",
) -> pd.DataFrame:
    """Whether a severity-weighted rate changed between two periods.

    ``method="gamma"``: the F interval for the ratio of two weighted Poisson sums that Fay &
    Feuer's gamma approximation gives (Fay 1999; Tiwari, Clegg & Zou 2006), and the p-value of
    the test it inverts, so ``significant`` is exactly "the interval excludes 1".
    ``"normal"``: the Wald interval and test on the log of the ratio.

    Parameters
    ----------
    current, previous
        The two periods' offence rows, with the same columns (as for :func:`weighted_rate`).
    count, weight, population, by, per
        As for :func:`weighted_rate`; groups are matched on the ``by`` values, and a group in
        one period only gives NaN.
    conf
        Two-sided level of the interval; ``significant`` is ``p_value < 1 - conf``.
    method
        ``"gamma"`` or ``"normal"``.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``rate_current, rate_previous, ratio, lower, upper, p_value,
        significant``.

    Examples
    --------
    >>> people = [10_000, 10_000]
    >>> now = pd.DataFrame({"count": [300, 60], "weight": [2.0, 10.0], "people": people})
    >>> then = pd.DataFrame({"count": [200, 20], "weight": [2.0, 10.0], "people": people})
    >>> t = test_weighted_change(now, then, count="count", weight="weight", population="people")
    >>> float(t.loc[0, "ratio"]), round(float(t.loc[0, "lower"]), 2), bool(t.loc[0, "significant"])
    (2.0, 1.58, True)
    """
    current = _inputs.as_pandas("current", current)
    previous = _inputs.as_pandas("previous", previous)
    used = {"count": count, "weight": weight, "population": population}
    keys = _by(current, by, used)
    _by(previous, by, used)
    both = pd.concat(
        [current[keys].assign(_period=0), previous[keys].assign(_period=1)], ignore_index=True
    )
    codes, labels = _groups(both, keys)
    now_codes = np.ascontiguousarray(codes[: len(current)])
    then_codes = np.ascontiguousarray(codes[len(current) :])
    columns = _core.weighted_rate_change(
        (*_weighted_rows(current, count, weight, population), now_codes),
        (*_weighted_rows(previous, count, weight, population), then_codes),
        len(labels),
        _inputs.number("per", per),
        _inputs.choice("method", method),
        _inputs.number("conf", conf),
    )
    names = ["rate_current", "rate_previous", "ratio", "lower", "upper", "p_value"]
    out = _with_levels(labels, dict(zip(names, columns[:6], strict=True)), {})
    out["significant"] = _boolean(columns[6])
    return out


test_weighted_change.__test__ = False  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------
# Empirical Bayes smoothing
# ---------------------------------------------------------------------------------------------


def _neighbour_list(neighbours: Any, index: pd.Index, size: int) -> tuple[np.ndarray, np.ndarray]:
    """A neighbour list as compressed offsets and 0-based indices."""
    if isinstance(neighbours, Mapping):
        position = {label: i for i, label in enumerate(index)}
        lists: list[Any] = [[] for _ in range(size)]
        for label, near in neighbours.items():
            if label not in position:
                raise InputError(f"neighbours: {label!r} is not a label of count's index")
            try:
                lists[position[label]] = [position[n] for n in near]
            except KeyError as missing:
                raise InputError(
                    f"neighbours: {missing.args[0]!r} (a neighbour of {label!r}) is not a label "
                    "of count's index"
                ) from None
    elif isinstance(neighbours, Sequence) and not isinstance(neighbours, str):
        lists = list(neighbours)
        if len(lists) != size:
            raise InputError(
                f"neighbours: has {len(lists)} lists but count has {size}; give each area's "
                "neighbours as a list of positions"
            )
    else:
        raise InputError(
            "neighbours: give a list of each area's neighbours (0-based positions) or a "
            f"mapping from each area's label to its neighbours' labels; got {neighbours!r}"
        )
    offsets = np.zeros(size + 1, dtype=np.uint64)
    flat: list[int] = []
    for i, near in enumerate(lists):
        for j in near:
            if isinstance(j, bool) or not isinstance(j, int | np.integer) or not 0 <= j < size:
                raise InputError(
                    f"neighbours: area {i} lists {j!r}, not a position from 0 to {size - 1}"
                )
            flat.append(int(j))
        offsets[i + 1] = len(flat)
    return offsets, np.ascontiguousarray(np.array(flat, dtype=np.uint32))


def smooth_rates(
    count: ArrayLike,
    population: ArrayLike,
    *,
    method: str = "global",
    neighbours: Sequence[Sequence[int]] | Mapping[Any, Sequence[Any]] | None = None,
    per: float = 1000,
) -> pd.DataFrame:
    """Empirical Bayes smoothed rates for small areas (Marshall 1991), as R ``spdep``.

    Each raw rate is pulled towards a mean rate by as much as its Poisson noise outweighs the
    real spread between areas: a ward with 300 people moves a long way, a town of 300,000
    hardly at all.

    Parameters
    ----------
    count, population
        Each area's events and population (greater than zero); NaN gives a NaN row, left out of
        the other areas' means.
    method
        ``"global"``: towards the mean of all areas (``spdep::EBest``). ``"local"``: towards
        the mean of the area and its neighbours (``spdep::EBlocal``).
    neighbours
        For ``"local"``: each area's neighbours, as a list of 0-based positions per area or a
        mapping from each area's label (``count``'s index) to its neighbours' labels.
    per
        The rates' base.

    Returns
    -------
    pandas.DataFrame
        ``raw, smoothed, shrinkage``, indexed like the first Series argument. ``shrinkage`` is
        the weight the smoothed rate gives the mean: 0 keeps the raw rate, 1 replaces it.

    Examples
    --------
    >>> s = smooth_rates([2, 10, 40], [100, 1000, 2000])
    >>> [round(v, 1) for v in s["raw"]], [round(v, 1) for v in s["smoothed"]]
    ([20.0, 10.0, 20.0], [16.9, 15.1, 18.1])
    """
    index, (c, p) = _inputs.broadcast(count=count, population=population)
    name = _inputs.choice("method", method)
    if name == "global":
        if neighbours is not None:
            raise InputError("neighbours: only method='local' uses neighbours")
        pair = None
    elif name == "local":
        if neighbours is None:
            raise InputError("neighbours: method='local' needs each area's neighbours")
        pair = _neighbour_list(neighbours, index, len(c))
    else:
        raise InputError(f"method: unknown value {method!r}; choose one of 'global', 'local'")
    raw, smoothed, shrinkage = _core.smoothed_rate(c, p, pair)
    scale = _inputs.number("per", per)
    if not (np.isfinite(scale) and scale > 0):
        raise InputError(f"per: {scale} must be greater than zero")
    return _inputs.frame(
        index, {"raw": raw * scale, "smoothed": smoothed * scale, "shrinkage": shrinkage}
    )


__all__ = ["dsr", "isr", "smooth_rates", "test_weighted_change", "weighted_rate"]
