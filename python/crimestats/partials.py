"""Survey estimation in pieces: partials of each partition of the rows, merged, estimated once.

:func:`crimestats.survey_share` and its siblings make one pass over the rows in the Rust core,
accumulating per domain, stratum and PSU the weighted sums that the estimates and their
linearised variances need. This module makes that step public, so that data too big for one
machine's memory is reduced where it lies, by any engine (:mod:`crimestats.dask`, Spark through a
pandas UDF, a loop over files):

1. :func:`survey_categories` over every partition, merged with ``|``: the strata, PSUs, domains
   and levels of y that occur anywhere, so that every partition codes them alike (codes made
   per partition would disagree);
2. :func:`survey_partials` of each partition against those categories, with the partition's
   ``row_offset`` (its first row's position in the whole data);
3. :meth:`SurveyPartials.merge` in any order or grouping (the sums add; a PSU may span
   partitions, and a partition may hold no rows of some domain or stratum);
4. :meth:`SurveyPartials.estimate` once: exactly the frame the in-memory function gives on all
   the rows together.

Partials pickle to a compact byte encoding of the core's sums (a few bytes per PSU and domain
present), so they travel between processes and machines.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from . import _core, _inputs
from ._choices import LonelyPsu, ShareInterval, Statistic
from ._core import InputError
from .survey.coding import (
    NO_CODE,
    Columns,
    column_list,
    factorize_one,
    get_column,
    numeric_column,
    survey_codes,
)
from .survey.frames import result_frame


def _distinct(data: pd.DataFrame, name: str, columns: list[str]) -> pd.DataFrame:
    """The distinct combinations of `columns` with no value missing, in a fresh RangeIndex.

    Each column is factorised on its own and the codes combined in mixed radix, as the
    in-memory functions code keys, which is several times faster than dropping duplicate rows.
    """
    series = [get_column(data, name, c) for c in columns]
    factors = [factorize_one(s) for s in series]
    sizes = [max(len(uniques), 1) for _, uniques in factors]
    if int(np.prod(sizes, dtype=object)) >= 2**62:
        frame = pd.DataFrame(dict(zip(columns, series, strict=True)))
        return frame.dropna().drop_duplicates().reset_index(drop=True)
    combined = np.zeros(len(data), dtype=np.int64)
    missing = np.zeros(len(data), dtype=bool)
    for (codes, _), size in zip(factors, sizes, strict=True):
        missing |= codes < 0
        combined = combined * size + codes
    valid = combined[~missing]
    space = int(np.prod(sizes, dtype=object))
    if space <= max(4 * len(valid), 1 << 20):
        keys = np.flatnonzero(np.bincount(valid, minlength=space))
    else:
        keys = np.unique(valid)
    out = {}
    for column, s, (_, uniques), size in reversed(
        list(zip(columns, series, factors, sizes, strict=True))
    ):
        out[column] = pd.Series(uniques.take(keys % size), dtype=s.dtype)
        keys = keys // size
    return pd.DataFrame({c: out[c] for c in columns})


class _Key:
    """The distinct combinations of one set of key columns (strata, a stage's units, the
    domains), sorted as the in-memory functions sort them: by each column's sorted values in
    turn. A frame's rows are coded as the position of their combination."""

    def __init__(self, name: str, combos: pd.DataFrame) -> None:
        self.name = name
        self.columns = list(combos.columns)
        self.uniques = [pd.Index(combos[c].unique()).sort_values() for c in self.columns]
        sizes = [max(len(u), 1) for u in self.uniques]
        self.radix = int(np.prod(sizes, dtype=object)) < 2**62
        if self.radix:
            combined = self._combine(
                [u.get_indexer(pd.Index(combos[c])) for u, c in self._pairs()], sizes
            )
            order = np.argsort(combined, kind="stable")
            self.keys = combined[order]
        else:
            order = np.lexsort(
                [u.get_indexer(pd.Index(combos[c])) for u, c in reversed(list(self._pairs()))]
            )
            self.keys = np.array([], dtype=np.int64)
        self.sizes = sizes
        # A dense table from combined key to code when the key space is small (the usual case:
        # strata, PSUs, a few by-columns), a binary search of the sorted keys otherwise.
        space = int(np.prod(sizes, dtype=object))
        self.table: np.ndarray | None = None
        if self.radix and space <= 1 << 24:
            self.table = np.full(space + 1, -1, dtype=np.int64)
            self.table[self.keys] = np.arange(len(self.keys))
        self.labels = combos.iloc[order].reset_index(drop=True)

    def _pairs(self) -> Iterable[tuple[pd.Index, str]]:
        return zip(self.uniques, self.columns, strict=True)

    @staticmethod
    def _combine(codes: list[np.ndarray], sizes: list[int]) -> np.ndarray:
        """Mixed-radix keys of per-column codes; -1 where any code is -1."""
        combined = np.zeros(len(codes[0]) if codes else 0, dtype=np.int64)
        missing = np.zeros(len(combined), dtype=bool)
        for code, size in zip(codes, sizes, strict=True):
            missing |= code < 0
            combined = combined * size + code
        combined[missing] = -1
        return combined

    def __len__(self) -> int:
        return len(self.labels)

    def code(self, data: pd.DataFrame, row_offset: int, missing_ok: bool) -> np.ndarray:
        """uint32 codes of the rows of `data` (NO_CODE where a value is missing, if
        `missing_ok`); a missing value otherwise, or a combination not among the categories, is
        an InputError naming the row's position in the whole data."""
        frame = pd.DataFrame({c: get_column(data, self.name, c) for c in self.columns})
        missing = frame.isna().any(axis=1).to_numpy()
        if self.radix:
            combined = self._combine(
                [_column_codes(u, frame[c]) for u, c in self._pairs()], self.sizes
            )
            if self.table is not None:
                codes = self.table[np.where(combined >= 0, combined, len(self.table) - 1)]
            else:
                at = np.searchsorted(self.keys, combined)
                found = np.zeros(len(combined), dtype=bool)
                if len(self.keys):
                    found = self.keys[np.minimum(at, len(self.keys) - 1)] == combined
                codes = np.where(found & (combined >= 0), at, -1)
        else:
            index = pd.MultiIndex.from_frame(self.labels)
            codes = index.get_indexer(pd.MultiIndex.from_frame(frame))
        bad = (codes < 0) & ~missing if missing_ok else codes < 0
        if bad.any():
            position = int(np.argmax(bad))
            what = (
                "is missing; every row needs a " + self.name
                if missing[position]
                else "is not among the categories; make the categories from all the data"
            )
            raise InputError(f"{self.name}: position {row_offset + position} {what}")
        return np.ascontiguousarray(np.where(codes < 0, NO_CODE, codes), dtype=np.uint32)


def _column_codes(uniques: pd.Index, column: pd.Series) -> np.ndarray:
    """Each value's position in the sorted `uniques`, -1 if absent or missing: the partition is
    factorised as the in-memory functions factorise a column, then its few distinct values are
    looked up among the categories."""
    codes, seen = factorize_one(column)
    lookup = np.append(uniques.get_indexer(seen), -1).astype(np.int64)
    return lookup[codes]


def _is_categorical(series: pd.Series) -> bool:
    return isinstance(series.dtype, pd.CategoricalDtype) or not (
        pd.api.types.is_numeric_dtype(series.dtype) or series.dtype == bool
    )


class SurveyCategories:
    """The strata, PSUs, domains and levels of y that occur in survey data, so that every
    partition of the data codes them alike. Make one per partition with
    :func:`survey_categories` and merge them with ``|`` (or :meth:`union`); ``rows`` counts the
    rows seen.

    Attributes
    ----------
    strata, units, domains
        Per key (strata, each stage's units, the by-columns), the distinct combinations, sorted;
        ``units`` is empty when each row is its own PSU.
    levels
        The levels of a categorical y, None for a numeric y.
    rows
        The number of rows the categories were made from.
    """

    def __init__(
        self,
        y: str,
        strata: pd.DataFrame | None,
        units: list[pd.DataFrame],
        domains: pd.DataFrame | None,
        levels: list[Any] | None,
        rows: int,
    ) -> None:
        self.y = y
        self.strata = strata
        self.units = units
        self.domains = domains
        self.levels = levels
        self.rows = rows
        self._keys: dict[str, Any] | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_keys": None}

    @property
    def columns(self) -> dict[str, Any]:
        """The key columns, as survey_categories took them: y, strata, psu and by."""
        return {
            "y": self.y,
            "strata": None if self.strata is None else self.strata.columns[0],
            "psu": list(self.units[-1].columns) if self.units else [],
            "by": [] if self.domains is None else list(self.domains.columns),
        }

    def _coders(self) -> dict[str, Any]:
        if self._keys is None:
            self._keys = {
                "strata": None if self.strata is None else _Key("strata", self.strata),
                "units": [_Key("psu", u) for u in self.units],
                "by": None if self.domains is None else _Key("by", self.domains),
            }
        return self._keys

    def union(self, other: SurveyCategories) -> SurveyCategories:
        """The categories of the rows of both."""
        if not isinstance(other, SurveyCategories):
            raise InputError(f"categories: cannot merge with {type(other).__name__}")
        if self.columns != other.columns:
            raise InputError(
                f"categories: made for different columns, {self.columns} and {other.columns}"
            )

        def both(a: pd.DataFrame | None, b: pd.DataFrame | None) -> pd.DataFrame | None:
            if a is None or b is None:
                return None
            return _Key("", pd.concat([a, b]).drop_duplicates()).labels

        levels: list[Any] | None = None
        if self.levels is not None and other.levels is not None:
            levels = (
                list(self.levels)
                if list(self.levels) == list(other.levels)
                else list(pd.Index(self.levels).union(pd.Index(other.levels)))
            )
        elif self.levels is not None or other.levels is not None:
            raise InputError(f"categories: y {self.y!r} is categorical in one part only")
        return SurveyCategories(
            self.y,
            both(self.strata, other.strata),
            [u for u in map(both, self.units, other.units) if u is not None],
            both(self.domains, other.domains),
            levels,
            self.rows + other.rows,
        )

    def __or__(self, other: SurveyCategories) -> SurveyCategories:
        return self.union(other)

    def __repr__(self) -> str:
        parts = [f"rows={self.rows}"]
        if self.strata is not None:
            parts.append(f"strata={len(self.strata)}")
        parts += [f"stage{k + 1}_units={len(u)}" for k, u in enumerate(self.units)]
        if self.domains is not None:
            parts.append(f"domains={len(self.domains)}")
        if self.levels is not None:
            parts.append(f"levels={len(self.levels)}")
        return f"SurveyCategories({', '.join(parts)})"

    def digest(self) -> str:
        """A fingerprint of the categories: partials merge only if theirs agree."""
        h = hashlib.blake2b(digest_size=16)
        frames = [self.strata, *self.units, self.domains]
        h.update(repr((self.columns, self.levels, self.rows)).encode())
        for frame in frames:
            if frame is not None:
                h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
                h.update(repr(list(frame.dtypes)).encode())
        return h.hexdigest()


def survey_categories(
    data: pd.DataFrame,
    y: str,
    *,
    strata: str | None = None,
    psu: Columns = None,
    by: Columns = None,
) -> SurveyCategories:
    """The categories of one partition of survey data, for :func:`survey_partials`.

    Arguments as :func:`crimestats.survey_share`. Merge the categories of every partition with
    ``|`` before making any partials; a partition's partials must be coded against the
    categories of all the data.

    Examples
    --------
    >>> import pandas as pd
    >>> part = pd.DataFrame({"victim": [1, 0], "w": [1.0, 2.0], "h": [1, 2], "sex": ["F", "M"]})
    >>> survey_categories(part, "victim", strata="h", by="sex")
    SurveyCategories(rows=2, strata=2, domains=2)
    """
    data = _inputs.as_pandas("data", data)
    psus = column_list("psu", psu)
    columns = column_list("by", by)
    series = get_column(data, "y", y)
    levels: list[Any] | None = None
    if _is_categorical(series):
        if isinstance(series.dtype, pd.CategoricalDtype):
            levels = list(series.cat.categories)
        else:
            levels = list(pd.Index(series.dropna().unique()).sort_values())
    return SurveyCategories(
        y,
        None if strata is None else _Key("strata", _distinct(data, "strata", [strata])).labels,
        [_Key("psu", _distinct(data, "psu", psus[: k + 1])).labels for k in range(len(psus))],
        _Key("by", _distinct(data, "by", columns)).labels if columns else None,
        levels,
        len(data),
    )


class SurveyPartials:
    """The sufficient statistics of some of a survey's rows: merge the partials of every
    partition, then :meth:`estimate` once.

    Attributes
    ----------
    categories
        The categories every partition was coded against.
    excluded_rows
        Rows with a missing y or weight, left out of the estimates (kept in the design).
    """

    def __init__(
        self,
        core: _core.SurveyPartials,
        categories: SurveyCategories,
        excluded_rows: int,
        non_binary: tuple[int, float] | None,
        digest: str,
    ) -> None:
        self.core = core
        self.categories = categories
        self.excluded_rows = excluded_rows
        self.non_binary = non_binary
        self.digest = digest

    def __repr__(self) -> str:
        return f"SurveyPartials({self.categories!r}, excluded_rows={self.excluded_rows})"

    def merge(self, *others: SurveyPartials) -> SurveyPartials:
        """The partials of the rows of all of them (disjoint sets of rows).

        The sums add, so any order and grouping of merges gives the same estimates (to rounding
        in the last digits); partials coded against different categories are an InputError.
        """
        core, excluded, non_binary = self.core, self.excluded_rows, self.non_binary
        for other in others:
            if not isinstance(other, SurveyPartials):
                raise InputError(f"partials: cannot merge with {type(other).__name__}")
            if other.digest != self.digest:
                raise InputError(
                    "partials: made against different categories; make every partition's "
                    "partials against the categories of all the data"
                )
            core = core.merge(other.core)
            excluded += other.excluded_rows
            if other.non_binary is not None and (
                non_binary is None or other.non_binary[0] < non_binary[0]
            ):
                non_binary = other.non_binary
        return SurveyPartials(core, self.categories, excluded, non_binary, self.digest)

    def estimate(
        self,
        statistic: Statistic = "share",
        *,
        conf: float = 0.95,
        ci: ShareInterval = "logit",
        deff: bool = True,
        lonely_psu: LonelyPsu = "fail",
    ) -> pd.DataFrame:
        """The estimates of all the rows merged into these partials.

        Parameters
        ----------
        statistic
            ``"share"``, ``"mean"`` or ``"total"``: the frame of
            :func:`crimestats.survey_share`, :func:`~crimestats.survey_mean` or
            :func:`~crimestats.survey_total` on the same rows.
        conf, ci, deff, lonely_psu
            As for :func:`crimestats.survey_share` (``ci`` applies to shares only).
        """
        statistic = _inputs.choice("statistic", statistic)
        y = self.categories.y
        labels = self.categories.levels
        if statistic not in ("share", "mean", "total"):
            raise InputError(
                f"statistic: unknown value \"{statistic}\"; choose one of 'share', 'mean', 'total'"
            )
        if self.categories.rows == 0:
            raise InputError("data: has no rows")
        if not isinstance(deff, bool | np.bool_):  # deff="no" would otherwise be truthy
            raise InputError(f"deff: must be True or False, got {deff!r}")
        if labels is not None and statistic != "share":
            raise InputError(
                f"y: column {y!r} is not numeric; use survey_share for a categorical y"
            )
        if statistic == "share" and self.non_binary is not None:
            position, value = self.non_binary
            raise InputError(
                f"y: position {position} is {value:g}; a share needs a y that is binary (0/1, "
                "True/False) or categorical (strings or a pandas Categorical); use survey_mean "
                "for a numeric y"
            )
        columns = self.core.estimate(
            statistic,
            _inputs.choice("ci", ci) if statistic == "share" else "mean",
            _inputs.number("conf", conf),
            _inputs.choice("lonely_psu", lonely_psu),
        )
        domains = self.categories.domains
        return result_frame(
            statistic,
            tuple(columns),
            pd.DataFrame(index=pd.RangeIndex(1)) if domains is None else domains,
            labels,
            deff=deff,
            excluded=self.excluded_rows,
            y=y,
            stacklevel=3,
        )


def survey_partials(
    data: pd.DataFrame,
    y: str,
    *,
    weight: str,
    strata: str | None = None,
    psu: Columns = None,
    fpc: Columns = None,
    by: Columns = None,
    categories: SurveyCategories | None = None,
    row_offset: int = 0,
) -> SurveyPartials:
    """The partials of one partition of survey data, to merge with the other partitions'.

    Parameters
    ----------
    data, y, weight, strata, psu, fpc, by
        As for :func:`crimestats.survey_share`, for the rows of one partition.
    categories
        The categories of all the data (:func:`survey_categories` of every partition, merged);
        None takes them from `data` alone, for data in one piece.
    row_offset
        The position of the partition's first row in the whole data. Messages name rows by it,
        and a design without ``psu`` (each row its own PSU) codes each row's PSU by it, so there
        the offsets must be right: ``0`` for the first partition, then the running total of the
        partitions' lengths.

    Returns
    -------
    SurveyPartials
        Merge them with :meth:`SurveyPartials.merge` and call :meth:`SurveyPartials.estimate`.

    Examples
    --------
    Two partitions of one clustered sample, PSU 2 split between them:

    >>> import pandas as pd
    >>> rows = pd.DataFrame({"victim": [1, 0, 1, 0, 1, 1], "w": [900.0, 1100.0, 1000.0,
    ...                      1200.0, 800.0, 1000.0], "psu": [1, 1, 2, 2, 3, 3]})
    >>> parts = [rows.iloc[:3], rows.iloc[3:]]
    >>> cats = survey_categories(parts[0], "victim", psu="psu") | survey_categories(
    ...     parts[1], "victim", psu="psu")
    >>> first, second = (survey_partials(p, "victim", weight="w", psu="psu", categories=cats,
    ...                                  row_offset=o) for p, o in zip(parts, [0, 3]))
    >>> first.merge(second).estimate("total")[["total", "se"]].round(0)
        total     se
    0  3700.0  854.0
    """
    data = _inputs.as_pandas("data", data)
    psus = column_list("psu", psu)
    fpcs = column_list("fpc", fpc)
    by_columns = column_list("by", by)
    offset = int(_inputs.number("row_offset", row_offset))
    if offset < 0 or offset != row_offset:
        raise InputError(f"row_offset: {row_offset!r} is not a whole number zero or more")
    if categories is None:
        categories = survey_categories(data, y, strata=strata, psu=psus, by=by_columns)
    if not isinstance(categories, SurveyCategories):
        raise InputError(
            f"categories: give the SurveyCategories of all the data, got "
            f"{type(categories).__name__}"
        )
    given = {"y": y, "strata": strata, "psu": psus, "by": by_columns}
    if given != categories.columns:
        raise InputError(
            f"categories: made for {categories.columns}, but the partials are asked for {given}"
        )
    stages = max(len(psus), 1)
    if len(fpcs) > stages:
        raise InputError(
            f"fpc: {len(fpcs)} columns for {stages} stage(s) of sampling; give one fpc per stage"
        )
    n = len(data)
    coders = categories._coders()
    strata_coder = coders["strata"]
    if psus:
        units = [key.code(data, offset, missing_ok=False) for key in coders["units"]]
        n_units = [len(key) for key in coders["units"]]
    else:
        if offset + n > categories.rows:
            raise InputError(
                f"row_offset: rows {offset} to {offset + n - 1} lie beyond the "
                f"{categories.rows} rows of the categories; without psu each row is its own "
                "PSU, coded by its position in the whole data"
            )
        units = [np.arange(offset, offset + n, dtype=np.uint32)]
        n_units = [categories.rows]
    fpc_arrays: list[np.ndarray | None] = [numeric_column(data, "fpc", f) for f in fpcs]
    fpc_arrays += [None] * (stages - len(fpc_arrays))
    series = get_column(data, "y", y)
    missing = series.isna().to_numpy()
    values: np.ndarray | None = None
    level_codes: np.ndarray | None = None
    non_binary: tuple[int, float] | None = None
    if categories.levels is not None:
        if not _is_categorical(series):
            raise InputError(f"y: column {y!r} is numeric here but categorical in the categories")
        codes = pd.Index(categories.levels).get_indexer(pd.Index(series))
        unknown = (codes < 0) & ~missing
        if unknown.any():
            position = int(np.argmax(unknown))
            raise InputError(
                f"y: position {offset + position} is not among the categories' levels; make "
                "the categories from all the data"
            )
        level_codes = np.ascontiguousarray(np.where(codes < 0, NO_CODE, codes), dtype=np.uint32)
    else:
        if _is_categorical(series):
            raise InputError(f"y: column {y!r} is categorical here but numeric in the categories")
        values = numeric_column(data, "y", y)
        bad = ~np.isnan(values) & (values != 0.0) & (values != 1.0)
        if bad.any():
            position = int(np.argmax(bad))
            non_binary = (offset + position, float(values[position]))
    weight_values = numeric_column(data, "weight", weight)
    domain_coder = coders["by"]
    codes = survey_codes(
        weight_values,
        None
        if strata_coder is None
        else (strata_coder.code(data, offset, missing_ok=False), len(strata_coder)),
        list(zip(units, n_units, strict=True)),
        fpc_arrays,
    )
    core = _core.survey_partials(
        codes,
        values,
        level_codes,
        0 if categories.levels is None else len(categories.levels),
        None if domain_coder is None else domain_coder.code(data, offset, missing_ok=True),
        1 if domain_coder is None else len(domain_coder),
        offset,
    )
    excluded = int((missing | np.isnan(weight_values)).sum())
    return SurveyPartials(core, categories, excluded, non_binary, categories.digest())
