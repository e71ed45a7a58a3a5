"""Turning what an analyst passes (scalars, lists, arrays, Series) into arrays for the core.

One place for the shaping rules every vectorised function follows: arguments broadcast like numpy,
the result's index comes from the first Series argument (else a RangeIndex), Series arguments must
share that index, and anything that is not a number is refused with the argument and position.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from ._core import InputError

ArrayLike: TypeAlias = "float | Sequence[float] | np.ndarray | pd.Series"
FloatArray: TypeAlias = "np.ndarray[Any, np.dtype[np.float64]]"


def _first_bad(name: str, values: Sequence[Any] | np.ndarray) -> InputError:
    """The error for the first element of `values` that is not a number."""
    for position, value in enumerate(values):
        try:
            float(value)
        except (TypeError, ValueError):
            hint = ""
            if isinstance(value, str):
                hint = (
                    "; text from a spreadsheet (thousands separators, '..', '-') is read by "
                    "crimestats.ons, or convert it with pandas.to_numeric first"
                )
            shown = repr(str(value)) if isinstance(value, str) else repr(value)
            return InputError(f"{name}: position {position} is {shown}, not a number{hint}")
    return InputError(f"{name}: is not numeric")


_TEMPORAL = {"datetime64", "datetime", "date", "timedelta64", "timedelta", "time", "period"}


def _refuse_dates(name: str, values: Any) -> None:
    """Dates and durations convert to numbers (nanoseconds since 1970) without complaint in numpy
    and pandas; a count or population given as one would be a quietly wrong figure."""
    kind = getattr(getattr(values, "dtype", None), "kind", "O")
    if kind in "mM" or (
        kind == "O" and pd.api.types.infer_dtype(np.ravel(values), skipna=True) in _TEMPORAL
    ):
        flat = np.ravel(values)
        position = next((i for i, v in enumerate(flat) if not pd.isna(v)), 0)
        raise InputError(
            f"{name}: position {position} is a date or time ({flat[position]!s}), not a number"
        )


def _refuse_complex(name: str, values: Any) -> None:
    """A complex number has no place in a count, a population or a share, and numpy's cast to
    float drops its imaginary part (``1 + 2j`` would count as 1): refuse it, whatever its
    imaginary part, at the first element that is complex."""
    flat = np.ravel(values)
    if flat.dtype.kind == "c":
        position = int(np.argmax(flat.imag != 0)) if len(flat) else 0
    elif flat.dtype.kind == "O":
        found = (i for i, v in enumerate(flat) if isinstance(v, complex | np.complexfloating))
        position = next(found, -1)
        if position < 0:
            return
    else:
        return
    raise InputError(
        f"{name}: position {position} is {complex(flat[position])!r}, a complex number; give real "
        "numbers (numpy.real(...) if the imaginary parts are zero)"
    )


def _without_negative_zero(array: FloatArray) -> FloatArray:
    """`array` with -0.0 read as 0.0 (-0.0 would come back as a count or rate of -0.0), copied
    only when a sign bit is set: a negative value is refused later, so the usual input is read
    once and not copied."""
    if array.size and np.signbit(array).any():
        return array + 0.0  # -0.0 + 0.0 is +0.0; every other value is unchanged
    return array


def _nested(name: str, values: Sequence[Any] | np.ndarray) -> InputError | None:
    """The error for the first element of a ragged list that is itself a list, if any."""
    for position, value in enumerate(values):
        if isinstance(value, Sequence | np.ndarray | pd.Series) and not isinstance(value, str):
            return InputError(
                f"{name}: position {position} is a {type(value).__name__} ({value!r}), not a "
                "number; give one number per position (a flat list, array or Series)"
            )
    return None


def _to_float(name: str, value: Any) -> FloatArray:
    """`value` as a float64 array (missing values as NaN), or an InputError naming `name`."""
    return _without_negative_zero(_as_float(name, value))


def _as_float(name: str, value: Any) -> FloatArray:
    if isinstance(value, pd.Series | pd.Index):
        if value.dtype.kind in "mMOc":
            _refuse_dates(name, value.to_numpy(dtype=object))
            _refuse_complex(name, value.to_numpy())
        try:
            return value.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            raise _first_bad(name, value.to_numpy(dtype=object)) from None
    if isinstance(value, pd.DataFrame):
        raise InputError(f"{name}: got a DataFrame; pass one column, e.g. frame['{name}']")
    if isinstance(value, np.ma.MaskedArray):  # np.asarray would drop the mask: masked is missing
        floats = _as_float(name, np.ma.getdata(value))
        mask = np.ma.getmaskarray(value)
        return np.where(mask, np.nan, floats) if mask.any() else floats
    try:
        array = np.asarray(value)
    except ValueError:  # numpy's "inhomogeneous shape" for a ragged list
        nested = _nested(name, value) if isinstance(value, Sequence) else None
        if nested is None:
            raise
        raise nested from None
    if array.dtype.kind in "fiub":
        return array.astype(np.float64, copy=False)
    _refuse_complex(name, array)
    _refuse_dates(name, array)
    if array.dtype.kind == "O" and array.ndim == 1:
        nested = _nested(name, array)
        if nested is not None:
            raise nested
    try:
        return (
            pd.to_numeric(pd.Series(array.ravel()), errors="raise")
            .to_numpy(dtype=np.float64, na_value=np.nan)
            .reshape(array.shape)
        )
    except (TypeError, ValueError):
        raise _first_bad(name, array.ravel()) from None


def column(data: pd.DataFrame, name: str, column: Any) -> pd.Series:
    """The column of `data` that the argument `name` names, or an InputError: the name is not a
    string, is not a column, or names several columns (``data[column]`` would then be a frame)."""
    if not isinstance(column, str):
        raise InputError(f"{name}: give the name of a column of data, got {column!r}")
    if column not in data.columns:
        raise InputError(f"{name}: column {column!r} is not in data")
    selected = data[column]
    if isinstance(selected, pd.DataFrame):
        positions = np.flatnonzero(data.columns == column).tolist()
        raise InputError(
            f"{name}: data has {len(positions)} columns named {column!r} (at positions "
            f"{positions}); rename them so each name is one column"
        )
    return selected


def numeric_column(data: pd.DataFrame, name: str, column_name: str) -> FloatArray:
    """A numeric column as a fresh float64 array (missing as NaN). A copy, not a view of the
    frame: the core reads it with the GIL released while other threads may change the frame."""
    series = column(data, name, column_name)
    if not (pd.api.types.is_numeric_dtype(series.dtype) or series.dtype == bool):
        raise InputError(f"{name}: column {column_name!r} is not numeric")
    _refuse_complex(name, series.to_numpy())
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    return _without_negative_zero(np.array(values, dtype=np.float64, order="C", copy=True))


class Arrays(list[FloatArray]):
    """The broadcast arguments, remembering which are the caller's own arrays (not copies)."""

    borrowed: frozenset[int] = frozenset()


def broadcast(**arguments: Any) -> tuple[pd.Index, Arrays]:
    """Broadcast the keyword arguments together as one-dimensional float64 arrays.

    Returns the result index and one contiguous array per argument, in order. An argument that
    already is a contiguous float64 array of the full length is passed on as it is, not copied
    (a million-row column costs 8 MB to copy): like numpy's own ufuncs, the core then reads the
    caller's memory with the GIL released, so another thread must not write to it meanwhile.
    `frame` copies such arrays before they appear in a result.
    """
    index: pd.Index | None = None
    index_owner = ""
    arrays: list[FloatArray] = []
    for name, value in arguments.items():
        if isinstance(value, pd.Series):
            if index is None:
                index, index_owner = value.index, name
            elif not value.index.equals(index):
                raise InputError(
                    f"{name}: its index differs from {index_owner}'s; align the Series first "
                    f"(e.g. {name}.reindex({index_owner}.index)) or pass .to_numpy()"
                )
        array = _to_float(name, value)
        if array.ndim > 1:
            raise InputError(
                f"{name}: must be one-dimensional (a number, list, array or Series), "
                f"got shape {array.shape}"
            )
        arrays.append(array.reshape(-1) if array.ndim == 1 else array.reshape(1))
    lengths = {len(a) for a in arrays} - {1}
    if len(lengths) > 1:
        names = list(arguments)
        longest = max(range(len(arrays)), key=lambda i: len(arrays[i]))
        for i, array in enumerate(arrays):
            if len(array) not in (1, len(arrays[longest])):
                raise InputError(
                    f"{names[i]}: has {len(array)} elements but {names[longest]} has "
                    f"{len(arrays[longest])}"
                )
    size = lengths.pop() if lengths else 1  # numpy: a one-element argument stretches, even to 0
    out = Arrays()
    borrowed = set()
    for a in arrays:
        if len(a) == size and a.dtype == np.float64 and a.flags.c_contiguous:
            out.append(a)  # possibly the caller's own memory
            borrowed.add(id(a))
        else:  # broadcast_to gives a stride-0 view; the core needs contiguous memory
            out.append(np.array(np.broadcast_to(a, (size,)), dtype=np.float64, order="C"))
    out.borrowed = frozenset(borrowed)
    if index is None or len(index) != size:
        index = pd.RangeIndex(size)
    return index, out


def number(name: str, value: Any) -> float:
    """A scalar option (such as `per` or `conf`) as a float, or an InputError naming it."""
    if isinstance(value, np.ndarray) and value.ndim == 0:  # numpy's reductions give these
        value = value[()]
    if isinstance(value, bool) or not isinstance(value, Real | np.floating | np.integer):
        raise InputError(f"{name}: must be a number, got {value!r}")
    return float(value)


def choice(name: str, value: Any) -> str:
    """A method-like option as a string, or an InputError naming it."""
    if not isinstance(value, str):
        raise InputError(f"{name}: must be a string, got {value!r}")
    return value.lower()


def frame(
    index: pd.Index, columns: dict[str, FloatArray], inputs: Arrays | None = None
) -> pd.DataFrame:
    """The one-row-per-element result frame with the columns in the order given.

    The core's results are fresh arrays, so the frame takes them without copying (a million rows
    by five columns would otherwise cost 40 MB of copying); a column that is one of the caller's
    own arrays among `inputs` is copied, so the result never shares memory with the input.
    """
    borrowed = inputs.borrowed if inputs is not None else frozenset()
    owned = {name: (np.array(a) if id(a) in borrowed else a) for name, a in columns.items()}
    return pd.DataFrame(owned, index=index, copy=False)
