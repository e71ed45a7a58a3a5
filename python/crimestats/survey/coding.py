"""The coding of a survey design: strata, PSUs, domains and levels of y as the integer codes the
Rust core takes, and numeric columns as fresh float64 arrays."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import _core, _inputs
from .._core import InputError

Columns: TypeAlias = "str | Sequence[str] | None"

NO_CODE = np.uint32(0xFFFF_FFFF)


def column_list(name: str, value: Columns) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return list(value)
    raise InputError(f"{name}: give a column name or a list of column names, got {value!r}")


def get_column(data: pd.DataFrame, name: str, column: Any) -> pd.Series:
    return _inputs.column(data, name, column)


def numeric_column(data: pd.DataFrame, name: str, column: str) -> np.ndarray:
    return _inputs.numeric_column(data, name, column)


def factorize_one(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """pandas.factorize(sort=True), with a shortcut for integers in a compact range (PSU and
    stratum numbers), whose codes are the offsets from the smallest value."""
    # Only numpy's own integers: a nullable Int64 or Arrow column may hold <NA>, which
    # pandas.factorize codes as missing. The offsets are taken in the column's own dtype, so
    # uint64 ids from 2^63 do not overflow.
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iu" and len(column):
        values = column.to_numpy()
        low, high = values.min(), values.max()
        if int(high) - int(low) <= 4 * len(values):
            dtype = np.int32 if int(high) - int(low) < 2**31 else np.int64
            span = np.arange(int(high) - int(low) + 1, dtype=values.dtype) + low
            return (values - low).astype(dtype), pd.Index(span)
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), pd.Index(column.cat.categories)
    text = factorize_text(column)
    if text is not None:
        return text
    codes, uniques = pd.factorize(column, sort=True)
    return codes, pd.Index(uniques)


def factorize_text(column: pd.Series) -> tuple[np.ndarray, pd.Index] | None:
    """Sorted codes for a text column held by Arrow (pandas' default ``str``), hashed by the
    core from Arrow's buffers without a copy, several times faster than pandas.factorize; None
    for any other column."""
    dtype = column.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return None
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pandas needs pyarrow for this dtype
        return None
    array = pa.array(column)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_large_string(array.type):
        width: type[np.integer] = np.int64
    elif pa.types.is_string(array.type):
        width = np.int32
    else:
        return None
    validity, offsets, data = array.buffers()
    start = array.offset
    offsets_array = np.frombuffer(offsets, dtype=width)[start : start + len(array) + 1]
    codes, first_rows = _core.survey_factorize_text(
        np.ascontiguousarray(offsets_array, dtype=np.int64),
        np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8),
        np.frombuffer(validity, dtype=np.uint8) if validity is not None else None,
        start,
    )
    # Codes in sorted order of the labels; NO_CODE (missing) read as a signed int32 is -1.
    labels = column.iloc[first_rows.astype(np.intp)].to_numpy(dtype=object)
    return codes.view(np.int32), pd.Index(labels)


def factorize_grouped(columns: list[pd.Series]) -> tuple[np.ndarray, list[pd.Index]]:
    """As :func:`factorize` by grouping, for combinations too many to number in 62 bits."""
    grouped = pd.DataFrame(dict(enumerate(columns))).groupby(list(range(len(columns))))
    codes = grouped.ngroup().fillna(-1).to_numpy(dtype=np.int64)
    first = pd.Series(np.arange(len(codes))).groupby(codes).first()
    rows = first[first.index >= 0].to_numpy()
    return codes, [pd.Index(column.to_numpy()[rows]) for column in columns]


def factorize(columns: list[pd.Series]) -> tuple[np.ndarray, list[pd.Index]]:
    """Codes 0..k-1 for the distinct combinations of `columns` that occur, in sorted order (-1
    where any value is missing), and each combination's labels, one Index per column.

    Each column is factorised on its own and the codes combined in mixed radix, several times
    faster than grouping on the columns together.
    """
    factors = [factorize_one(column) for column in columns]
    sizes = [max(len(uniques), 1) for _, uniques in factors]
    space = math.prod(sizes)
    if space >= 2**62:
        return factorize_grouped(columns)
    dtype = np.int32 if space < 2**31 else np.int64
    combined: npt.NDArray[np.signedinteger[Any]] = factors[0][0].astype(dtype, copy=True)
    missing: np.ndarray | None = None
    for (codes, _), size in zip(factors, sizes, strict=True):
        if len(codes) and codes.min() < 0:
            missing = codes < 0 if missing is None else missing | (codes < 0)
        if codes is not factors[0][0]:
            np.multiply(combined, size, out=combined)
            np.add(combined, codes, out=combined, casting="unsafe")
    if missing is not None:
        combined[missing] = -1
    if space <= max(4 * len(combined), 1 << 20):
        present = (
            np.bincount(
                combined[combined >= 0] if missing is not None else combined, minlength=space
            )
            > 0
        )
        keys = np.flatnonzero(present)
        if len(keys) == space:
            out = combined
        else:
            # A lookup from combination to rank among those present; its last slot is -1, for
            # the rows that index it with -1.
            lookup = np.empty(space + 1, dtype=dtype)
            lookup[:space] = np.cumsum(present) - 1
            lookup[space] = -1
            out = lookup[combined]
    else:
        keys, inverse = np.unique(combined[combined >= 0], return_inverse=True)
        out = np.full(len(combined), -1, dtype=np.int64)
        out[combined >= 0] = inverse
    labels: list[pd.Index] = []
    remainder = keys
    for (_, uniques), size in zip(reversed(factors), reversed(sizes), strict=True):
        labels.append(pd.Index(uniques).take(remainder % size))
        remainder = remainder // size
    return out, labels[::-1]


def key_codes(data: pd.DataFrame, name: str, columns: list[str]) -> tuple[np.ndarray, int]:
    """Codes 0..k for the combinations of `columns`; a missing label is an InputError."""
    codes, labels = factorize([get_column(data, name, c) for c in columns])
    if (codes < 0).any():
        position = int(np.argmax(codes < 0))
        raise InputError(f"{name}: position {position} is missing; every row needs a {name}")
    return np.ascontiguousarray(codes, dtype=np.uint32), len(labels[0])


def survey_codes(
    weight: np.ndarray,
    strata: tuple[np.ndarray, int] | None,
    units: list[tuple[np.ndarray, int]],
    fpc: list[np.ndarray | None],
) -> _core.SurveyCodes:
    """The core's coded design from the weight, the stratum codes and their count (None when
    unstratified), each stage's unit codes and count, and each stage's fpc (None without)."""
    return _core.SurveyCodes(
        weight,
        None if strata is None else strata[0],
        1 if strata is None else strata[1],
        [codes for codes, _ in units],
        [count for _, count in units],
        fpc,
    )


class CodedDesign(NamedTuple):
    """A design's columns as codes: the weight, strata (codes and count, None if unstratified),
    each stage's units (codes and count), each stage's fpc, and the core's object of them."""

    weight: np.ndarray
    strata: tuple[np.ndarray, int] | None
    units: list[tuple[np.ndarray, int]]
    fpc: list[np.ndarray | None]
    core: _core.SurveyCodes


def design_codes(
    data: pd.DataFrame, weight: str, strata: str | None, psu: Columns, fpc: Columns
) -> CodedDesign:
    """The design of the rows of `data` coded for the core (strata, each stage's units as R's
    `interaction` of the id columns of stages 1..k, fpc per stage)."""
    n = len(data)
    psus = column_list("psu", psu)
    fpcs = column_list("fpc", fpc)
    stages = max(len(psus), 1)
    if len(fpcs) > stages:
        raise InputError(
            f"fpc: {len(fpcs)} columns for {stages} stage(s) of sampling; give one fpc per stage"
        )
    strata_codes = key_codes(data, "strata", [strata]) if strata is not None else None
    # A stage-k unit is the combination of the ids of stages 1..k (R's `interaction`), so a
    # second-stage label may repeat across first-stage units.
    units = [key_codes(data, "psu", psus[: k + 1]) for k in range(len(psus))] or [
        (np.arange(n, dtype=np.uint32), n)
    ]
    fpc_arrays: list[np.ndarray | None] = [numeric_column(data, "fpc", f) for f in fpcs]
    fpc_arrays += [None] * (stages - len(fpc_arrays))
    weights = numeric_column(data, "weight", weight)
    core = survey_codes(weights, strata_codes, units, fpc_arrays)
    return CodedDesign(weights, strata_codes, units, fpc_arrays, core)


def domain_codes(data: pd.DataFrame, by: Columns) -> tuple[np.ndarray | None, int, pd.DataFrame]:
    """Domain codes (NO_CODE where a by-value is missing), their count and their labels."""
    columns = column_list("by", by)
    if not columns:
        return None, 1, pd.DataFrame(index=pd.RangeIndex(1))
    codes, labels = factorize([get_column(data, "by", c) for c in columns])
    frame = pd.DataFrame(
        {c: pd.Series(label, dtype=data[c].dtype) for c, label in zip(columns, labels, strict=True)}
    )
    out = np.where(codes < 0, NO_CODE, codes).astype(np.uint32)
    return np.ascontiguousarray(out), len(frame), frame


def outcome_codes(
    data: pd.DataFrame, y: str, statistic: str
) -> tuple[np.ndarray | None, np.ndarray | None, list[Any] | None, np.ndarray]:
    """(numeric y, level codes, level labels, missing mask) for `y`."""
    series = get_column(data, "y", y)
    missing = series.isna().to_numpy()
    categorical = isinstance(series.dtype, pd.CategoricalDtype) or not (
        pd.api.types.is_numeric_dtype(series.dtype) or series.dtype == bool
    )
    if statistic == "share" and categorical:
        if isinstance(series.dtype, pd.CategoricalDtype):
            codes = series.cat.codes.to_numpy()
            labels = list(series.cat.categories)
        else:
            codes, uniques = pd.factorize(series, sort=True)
            labels = list(uniques)
        level_codes = np.where(codes < 0, NO_CODE, codes).astype(np.uint32)
        return None, np.ascontiguousarray(level_codes), labels, missing
    if categorical:
        raise InputError(f"y: column {y!r} is not numeric; use survey_share for a categorical y")
    values = numeric_column(data, "y", y)
    if statistic == "share":
        seen = values[~np.isnan(values)]
        bad = ~np.isin(seen, (0.0, 1.0))
        if bad.any():
            position = int(np.flatnonzero(~np.isnan(values))[np.argmax(bad)])
            raise InputError(
                f"y: position {position} is {values[position]:g}; a share needs a y that is "
                "binary (0/1, True/False) or categorical (strings or a pandas Categorical); "
                "use survey_mean for a numeric y"
            )
    return values, None, None, missing
