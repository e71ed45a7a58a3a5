"""The coding of a survey design: strata, PSUs, domains and levels of y as the integer codes the
Rust core takes, and numeric columns as fresh float64 arrays."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, NamedTuple, TypeAlias

import numpy as np
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


def _text_buffers(column: pd.Series) -> tuple[Any, ...] | None:
    """A text column held by Arrow (pandas' default ``str``) as the core reads it: its offsets,
    bytes, validity bitmap and the bit offset of its first label, without a copy, then the Arrow
    array that owns them; None for any other column."""
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
    return (
        np.frombuffer(offsets, dtype=width)[start : start + len(array) + 1],
        np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8),
        np.frombuffer(validity, dtype=np.uint8) if validity is not None else None,
        start,
        array,
    )


# The codes of the last few sets of Arrow text key columns. Arrow never mutates a buffer, so
# columns with the same buffers (the same frame's by-columns, estimated again) have the same
# codes; each entry holds its arrays, so their buffers' addresses cannot be reused meanwhile.
# An entry is [arrays, codes, first rows, labels (None until asked for)].
_TEXT_KEYS: OrderedDict[tuple[Any, ...], list[Any]] = OrderedDict()
_TEXT_KEYS_HELD = 4
_TEXT_KEYS_LOCK = threading.Lock()


def _buffers_key(texts: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    return tuple(
        (
            *(b.address if b is not None else 0 for b in t[4].buffers()),
            t[4].offset,
            len(t[4]),
            str(t[4].type),
        )
        for t in texts
    )


def _key_column(column: pd.Series) -> Any:
    """A key column as the core's :func:`_core.survey_key_codes` takes it: Arrow text buffers,
    integers as int64, or codes from pandas (sorted, -1 missing) with their count."""
    text = _text_buffers(column)
    if text is not None:
        return text[:4]
    dtype = column.dtype
    # Only numpy's own integers: a nullable Int64 or Arrow column may hold <NA>.
    if (
        isinstance(dtype, np.dtype)
        and dtype.kind in "iu"
        and not (
            dtype.kind == "u" and dtype.itemsize == 8 and len(column) and column.max() >= 2**63
        )
    ):
        # The core reads each value once into a copy of its own, so the frame's own array
        # (another thread may write it) is passed as it is.
        # (copied only when not contiguous int64, or misaligned, as unpickled buffers may be).
        return np.require(column.to_numpy(), dtype=np.int64, requirements=["C", "A"])
    if isinstance(dtype, pd.CategoricalDtype):
        codes, count = column.cat.codes.to_numpy(), len(dtype.categories)
    else:
        codes, uniques = pd.factorize(column, sort=True)
        count = len(uniques)
    return (np.array(codes, dtype=np.int64, copy=True), count)


def _labels(column: pd.Series, rows: np.ndarray) -> pd.Index:
    """The labels of `column` at `rows` (each code's first row)."""
    picked = column.iloc[rows.astype(np.intp)]
    if isinstance(column.dtype, pd.StringDtype | pd.CategoricalDtype):
        return pd.Index(picked.to_numpy(dtype=object))
    return pd.Index(picked)


def factorize_one(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """pandas.factorize(sort=True) of one column (-1 missing), by the core's key coding."""
    codes, labels = factorize([column])
    return codes, labels[0]


def factorize(columns: list[pd.Series]) -> tuple[np.ndarray, list[pd.Index]]:
    """As :func:`key_column_codes`, with -1 (int32) where any value is missing."""
    codes, labels = key_column_codes(columns)
    return codes.view(np.int32), labels


def key_column_codes(columns: list[pd.Series]) -> tuple[np.ndarray, list[pd.Index]]:
    """Codes 0..k-1 (uint32) for the distinct combinations of `columns` that occur, in sorted
    order (NO_CODE where any value is missing), and each combination's labels, one Index per
    column.

    The core codes every column and their combinations in one parallel pass over the rows
    (text straight from Arrow's buffers, integers by their offset from the smallest), several
    times faster than pandas factorizing each column and numpy combining the codes.
    """
    codes, first_rows, held = _codes_and_first_rows(columns)
    if held is not None and held[3] is not None:
        return codes, list(held[3])
    labels = [_labels(c, first_rows) for c in columns]
    if held is not None:
        held[3] = labels  # the labels of Arrow's buffers, as fixed as their codes
    return codes, labels


def _codes_and_first_rows(
    columns: list[pd.Series],
) -> tuple[np.ndarray, np.ndarray, list[Any] | None]:
    """The core's codes for the combinations of `columns` and the first row of each, with the
    cache's entry for them when all are Arrow text."""
    texts = [_text_buffers(c) for c in columns]
    if not all(t is not None for t in texts):
        codes, first_rows = _core.survey_key_codes([_key_column(c) for c in columns])
        return codes, first_rows, None
    key = _buffers_key(texts)  # type: ignore[arg-type]
    with _TEXT_KEYS_LOCK:
        held = _TEXT_KEYS.get(key)
        if held is not None:
            _TEXT_KEYS.move_to_end(key)
    if held is None:
        codes, first_rows = _core.survey_key_codes([t[:4] for t in texts])  # type: ignore[index]
        codes.flags.writeable = False
        held = [[t[4] for t in texts], codes, first_rows, None]  # type: ignore[index]
        with _TEXT_KEYS_LOCK:
            _TEXT_KEYS[key] = held
            while len(_TEXT_KEYS) > _TEXT_KEYS_HELD:
                _TEXT_KEYS.popitem(last=False)
    return held[1], held[2], held


def _never_missing(column: pd.Series) -> bool:
    dtype = column.dtype
    return isinstance(dtype, np.dtype) and dtype.kind in "iu"


def key_codes(data: pd.DataFrame, name: str, columns: list[str]) -> tuple[np.ndarray, int]:
    """Codes 0..k for the combinations of `columns`; a missing label is an InputError."""
    series = [get_column(data, name, c) for c in columns]
    codes, first_rows, _ = _codes_and_first_rows(series)
    if not all(_never_missing(c) for c in series):
        missing = codes == NO_CODE
        if missing.any():
            position = int(np.argmax(missing))
            raise InputError(f"{name}: position {position} is missing; every row needs a {name}")
    return codes, len(first_rows)


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
    strata_column: str | None = None


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
    return CodedDesign(weights, strata_codes, units, fpc_arrays, core, strata)


def domain_codes(data: pd.DataFrame, by: Columns) -> tuple[np.ndarray | None, int, pd.DataFrame]:
    """Domain codes (NO_CODE where a by-value is missing), their count and their labels."""
    columns = column_list("by", by)
    if not columns:
        return None, 1, pd.DataFrame(index=pd.RangeIndex(1))
    codes, labels = key_column_codes([get_column(data, "by", c) for c in columns])
    frame = pd.DataFrame(
        {c: pd.Series(label, dtype=data[c].dtype) for c, label in zip(columns, labels, strict=True)}
    )
    return codes, len(frame), frame


def _binary(dtype: Any, values: np.ndarray) -> bool:
    """Whether `values` (a numeric column of `dtype` as float64) certainly holds only 0 and 1: for
    numpy's integers, when none is below 0 or above 1 (two reductions, no temporary array)."""
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return True
    if not (isinstance(dtype, np.dtype) and dtype.kind in "iu") or not len(values):
        return False
    return bool(values.min() >= 0.0 and values.max() <= 1.0)


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
    if statistic == "share" and not _binary(series.dtype, values):
        bad = (values != 0.0) & (values != 1.0)
        bad &= ~np.isnan(values)
        if bad.any():
            position = int(np.argmax(bad))
            raise InputError(
                f"y: position {position} is {values[position]:g}; a share needs a y that is "
                "binary (0/1, True/False) or categorical (strings or a pandas Categorical); "
                "use survey_mean for a numeric y"
            )
    return values, None, None, missing
