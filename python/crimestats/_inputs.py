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


def _to_float(name: str, value: Any) -> FloatArray:
    """`value` as a float64 array (missing values as NaN), or an InputError naming `name`."""
    if isinstance(value, pd.Series | pd.Index):
        if value.dtype.kind in "mMO":
            _refuse_dates(name, value.to_numpy(dtype=object))
        try:
            return value.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            raise _first_bad(name, value.to_numpy(dtype=object)) from None
    if isinstance(value, pd.DataFrame):
        raise InputError(f"{name}: got a DataFrame; pass one column, e.g. frame['{name}']")
    array = np.asarray(value)
    if array.dtype.kind in "fiub":
        return array.astype(np.float64, copy=False)
    _refuse_dates(name, array)
    try:
        return (
            pd.to_numeric(pd.Series(array.ravel()), errors="raise")
            .to_numpy(dtype=np.float64, na_value=np.nan)
            .reshape(array.shape)
        )
    except (TypeError, ValueError):
        raise _first_bad(name, array.ravel()) from None


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
