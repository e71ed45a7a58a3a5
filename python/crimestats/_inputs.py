"""Turning what an analyst passes (scalars, lists, arrays, Series, polars, Arrow) into arrays for
the core, and frames of any library into pandas.

One place for the shaping rules every vectorised function follows: arguments broadcast like numpy,
the result's index comes from the first Series argument (else a RangeIndex, named after the first
named polars or Arrow Series, which carry a name but no index), Series arguments must share that
index, integer inputs give integer columns where a result repeats them, and anything that is not a
number is refused with the argument and position. :func:`as_pandas` turns a polars DataFrame, a
pyarrow Table or anything with the Arrow PyCapsule stream or the dataframe interchange protocol
into a pandas DataFrame, column by column and without copying numeric columns that can be shared.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from numbers import Real
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from ._core import InputError

ArrayLike: TypeAlias = "float | Sequence[float] | np.ndarray | pd.Series | Any"
FloatArray: TypeAlias = "np.ndarray[Any, np.dtype[np.float64]]"
# What a frame-taking function accepts: pandas, polars, pyarrow, or any Arrow or interchange frame.
FrameLike: TypeAlias = "pd.DataFrame | Any"

# Types that are taken as they are; anything else may be a Series or frame of another library.
_NATIVE = (pd.Series, pd.Index, pd.DataFrame, np.ndarray, np.generic, list, tuple, int, float)
_FRAME_KINDS = (
    "a DataFrame (pandas, polars, pyarrow, or one with __arrow_c_stream__ or __dataframe__)"
)


def _narwhals_frame(data: Any) -> Any:
    """`data` as an eager narwhals DataFrame, or None when it is not a frame narwhals can read."""
    import narwhals as nw

    if hasattr(data, "__arrow_c_stream__") and not nw.dependencies.is_into_dataframe(data):
        data = _arrow_table(data)  # an Arrow stream from a library narwhals does not know
    frame = nw.from_native(data, eager_only=True, pass_through=True)
    return frame if isinstance(frame, nw.DataFrame) else None


def _arrow_table(data: Any) -> Any:
    """An object with the Arrow PyCapsule stream interface as a pyarrow Table (or polars frame)."""
    try:
        import pyarrow as pa
    except ImportError:
        try:
            import polars as pl
        except ImportError:
            raise InputError(
                f"data: a {type(data).__name__} is read through the Arrow stream interface, "
                "which needs pyarrow or polars: pip install pyarrow"
            ) from None
        return pl.DataFrame(data)
    return pa.table(data)


def _interchange_table(data: Any) -> Any:
    """An object with only the dataframe interchange protocol as a pyarrow Table, or through
    pandas' reader (which pandas 3 deprecates in favour of the Arrow interface) without pyarrow."""
    try:
        from pyarrow.interchange import from_dataframe
    except ImportError:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", FutureWarning)
            return pd.api.interchange.from_dataframe(data, allow_copy=True)
    return from_dataframe(data, allow_copy=True)


def as_pandas(name: str, data: Any) -> pd.DataFrame:
    """`data` as a pandas DataFrame, or an InputError naming `name`.

    A pandas DataFrame is returned as it is. A polars DataFrame, a pyarrow Table, a frame of any
    library narwhals reads, or an object with the Arrow PyCapsule stream interface
    (``__arrow_c_stream__``) becomes one column by column: a numeric column without missing values
    in one piece of memory is shared, not copied (polars and pyarrow hand out read-only views);
    missing values in an integer column become NaN, as pandas has them. An object with only the
    dataframe interchange protocol (``__dataframe__``) goes through pandas' reader of it.
    """
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series | np.ndarray | list | tuple | dict):
        raise InputError(f"{name}: must be {_FRAME_KINDS}, got {type(data).__name__}")
    frame = _narwhals_frame(data)
    if frame is not None:
        columns = {column: frame[column].to_numpy() for column in frame.columns}
        return pd.DataFrame(columns, index=pd.RangeIndex(len(frame)), copy=False)
    if hasattr(data, "__dataframe__"):
        return as_pandas(name, _interchange_table(data))
    kind = type(data).__name__
    lazy = " (a lazy frame: collect it first)" if hasattr(data, "collect") else ""
    raise InputError(f"{name}: must be {_FRAME_KINDS}, got {kind}{lazy}")


def _foreign_series(name: str, value: Any) -> tuple[Any, str | None]:
    """A polars Series, pyarrow Array or ChunkedArray (or another narwhals Series, or an Arrow
    array or stream) as a numpy array, without a copy where its memory allows, with its name;
    anything else unchanged. A frame of such a library is refused as a pandas one is."""
    if isinstance(value, _NATIVE) or value is None or isinstance(value, str):
        return value, None
    import narwhals as nw

    if not nw.dependencies.is_into_series(value) and (
        hasattr(value, "__arrow_c_array__") or hasattr(value, "__arrow_c_stream__")
    ):
        if _narwhals_frame(value) is not None:
            raise InputError(f"{name}: got a DataFrame; pass one column, e.g. frame['{name}']")
        try:
            import pyarrow as pa
        except ImportError:
            raise InputError(f"{name}: an Arrow array needs pyarrow: pip install pyarrow") from None
        value = pa.chunked_array(value)
    series = nw.from_native(value, series_only=True, pass_through=True)
    if isinstance(series, nw.Series):
        return series.to_numpy(), series.name or None
    if _narwhals_frame(value) is not None:
        raise InputError(f"{name}: got a DataFrame; pass one column, e.g. frame['{name}']")
    return value, None


def _numeric_list(value: Any) -> Any:
    """A list or tuple of numbers as a numpy array, converted once for both the float and the
    integer reading; anything else (text, ragged lists) unchanged, for those to refuse."""
    if isinstance(value, list | tuple):
        try:
            array = np.asarray(value)
        except ValueError:
            return value
        if array.dtype.kind in "iufb":
            return array
    return value


def _integers(value: Any) -> np.ndarray | None:
    """`value`'s integers as a numpy integer array when it holds integers only (a numpy integer
    dtype, or pandas' nullable integers without a missing value), else None."""
    dtype = getattr(value, "dtype", None)
    if isinstance(value, pd.Series | pd.Index):
        if dtype is not None and dtype.kind in "iu":
            if isinstance(dtype, np.dtype):
                return value.to_numpy()
            if not value.hasnans:  # pandas' Int64 and friends, without a missing value
                return value.to_numpy(dtype=dtype.numpy_dtype)
        return None
    if isinstance(value, np.ndarray | np.integer | int | list | tuple):
        array = np.asarray(value)
        return array if array.dtype.kind in "iu" else None
    return None


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


def column(data: pd.DataFrame, name: str, column: Any, *, frame: str = "data") -> pd.Series:
    """The column of `data` (the argument called `frame`) that the argument `name` names, or an
    InputError: the name is not a string, is not a column, or names several columns
    (``data[column]`` would then be a frame)."""
    if not isinstance(column, str):
        raise InputError(f"{name}: give the name of a column of {frame}, got {column!r}")
    if column not in data.columns:
        raise InputError(f"{name}: column {column!r} is not in {frame}")
    selected = data[column]
    if isinstance(selected, pd.DataFrame):
        positions = np.flatnonzero(data.columns == column).tolist()
        raise InputError(
            f"{name}: {frame} has {len(positions)} columns named {column!r} (at positions "
            f"{positions}); rename them so each name is one column"
        )
    return selected


def numeric_column(data: pd.DataFrame, name: str, column_name: str) -> FloatArray:
    """A numeric column as a fresh float64 array (missing as NaN). A copy, not a view of the
    frame: the core reads it with the GIL released while other threads may change the frame."""
    series = column(data, name, column_name)
    if not (pd.api.types.is_numeric_dtype(series.dtype) or series.dtype == bool):
        raise InputError(f"{name}: column {column_name!r} is not numeric")
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        # numpy's integers and booleans: the cast to float64 is the copy, with no -0.0 in it.
        return np.ascontiguousarray(series.to_numpy(dtype=np.float64))
    _refuse_complex(name, series.to_numpy())
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    # One pass that copies and reads -0.0 as 0.0 (-0.0 + 0.0 is +0.0, every other value as it is).
    return np.add(values, 0.0, order="C")


class Arrays(list[FloatArray]):
    """The broadcast arguments, remembering which are the caller's own arrays (not copies) and
    which came as integers (their integer values, broadcast, for a result that repeats them)."""

    borrowed: frozenset[int] = frozenset()
    integer: dict[int, np.ndarray]

    def __init__(self) -> None:
        super().__init__()
        self.integer = {}

    def integers(self, array: FloatArray) -> np.ndarray | None:
        """The integer values `array` (one of these arguments) came as, or None."""
        return self.integer.get(id(array))

    def as_read(self, given: FloatArray, read: FloatArray) -> FloatArray:
        """The column a result shows for the argument `given`: the core's copy `read` of it, the
        values the result was computed from (another thread may have written the caller's array
        since the core read it; the core reads -0.0 as 0.0). An argument given as integers keeps
        them: the copy is whole numbers as read, in the argument's integer type."""
        whole = self.integer.get(id(given))
        if whole is not None and not np.isnan(read).any():  # a masked row reads as NaN
            self.integer[id(read)] = read.astype(whole.dtype)
        return read


def broadcast(**arguments: Any) -> tuple[pd.Index, Arrays]:
    """Broadcast the keyword arguments together as one-dimensional float64 arrays (see
    `_broadcast`), -0.0 read as 0.0."""
    return _broadcast(arguments, signed_zeros=False)


def broadcast_read(**arguments: Any) -> tuple[pd.Index, Arrays]:
    """`broadcast` for a kernel that reads its arrays through the core's one-read loads (which
    read -0.0 as 0.0) and whose result shows only what it read (`Arrays.as_read`): -0.0 is left
    to the core, saving a pass over each array."""
    return _broadcast(arguments, signed_zeros=True)


def _broadcast(arguments: dict[str, Any], *, signed_zeros: bool) -> tuple[pd.Index, Arrays]:
    """Broadcast the keyword arguments together as one-dimensional float64 arrays.

    Returns the result index and one contiguous array per argument, in order. An argument that
    already is a contiguous float64 array of the full length is passed on as it is, not copied
    (a million-row column costs 8 MB to copy): like numpy's own ufuncs, the core then reads the
    caller's memory with the GIL released, so another thread must not write to it meanwhile.
    `frame` copies such arrays before they appear in a result.
    """
    index: pd.Index | None = None
    index_owner = ""
    series_name: str | None = None  # of the first named polars or Arrow Series
    arrays: list[FloatArray] = []
    integers: list[np.ndarray | None] = []
    for name, value in arguments.items():
        if isinstance(value, pd.Series):
            if index is None:
                index, index_owner = value.index, name
            elif not value.index.equals(index):
                raise InputError(
                    f"{name}: its index differs from {index_owner}'s; align the Series first "
                    f"(e.g. {name}.reindex({index_owner}.index)) or pass .to_numpy()"
                )
        value, foreign_name = _foreign_series(name, value)
        series_name = series_name or foreign_name
        value = _numeric_list(value)
        array = _as_float(name, value) if signed_zeros else _to_float(name, value)
        if array.ndim > 1:
            raise InputError(
                f"{name}: must be one-dimensional (a number, list, array or Series), "
                f"got shape {array.shape}"
            )
        arrays.append(array.reshape(-1) if array.ndim == 1 else array.reshape(1))
        whole = _integers(value)
        integers.append(None if whole is None else whole.reshape(arrays[-1].shape))
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
    for a, whole in zip(arrays, integers, strict=True):
        if len(a) == size and a.dtype == np.float64 and a.flags.c_contiguous:
            out.append(a)  # possibly the caller's own memory
            borrowed.add(id(a))
        else:  # broadcast_to gives a stride-0 view; the core needs contiguous memory
            out.append(np.array(np.broadcast_to(a, (size,)), dtype=np.float64, order="C"))
        if whole is not None:
            out.integer[id(out[-1])] = np.broadcast_to(whole, (size,))
    out.borrowed = frozenset(borrowed)
    if index is None or len(index) != size:
        index = pd.RangeIndex(size, name=series_name if index is None else None)
    return index, out


def number(name: str, value: Any) -> float:
    """A scalar option (such as `per` or `conf`) as a float, or an InputError naming it."""
    if isinstance(value, np.ndarray) and value.ndim == 0:  # numpy's reductions give these
        value = value[()]
    if isinstance(value, bool) or not isinstance(value, Real | np.floating | np.integer):
        raise InputError(f"{name}: must be a number, got {value!r}")
    return float(value)


def choice(name: str, value: Any) -> Any:
    """A method-like option as a lower-case string, or an InputError naming it.

    Typed ``Any``: the core's stub types each option by the names it takes
    (:mod:`crimestats._choices`), and the core refuses any other name.
    """
    if not isinstance(value, str):
        raise InputError(f"{name}: must be a string, got {value!r}")
    return value.lower()


def frame(
    index: pd.Index, columns: dict[str, FloatArray], inputs: Arrays | None = None
) -> pd.DataFrame:
    """The one-row-per-element result frame with the columns in the order given.

    The core's results are fresh arrays, so the frame takes them without copying (a million rows
    by five columns would otherwise cost 40 MB of copying); a column that is one of the caller's
    own arrays among `inputs` is copied, so the result never shares memory with the input. A
    column that repeats an argument given as integers has those integers (5108, not 5108.0).
    """
    if inputs is None:
        return pd.DataFrame(columns, index=index, copy=False)
    owned = {}
    for name, a in columns.items():
        whole = inputs.integers(a)
        owned[name] = (
            np.array(whole) if whole is not None else np.array(a) if id(a) in inputs.borrowed else a
        )
    return pd.DataFrame(owned, index=index, copy=False)
