"""The tidy frames every survey estimate returns, and the warning for rows left out."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd


class ExcludedRowsWarning(UserWarning):
    """Rows with a missing y or weight were left out of a survey estimate.

    The result's ``attrs["excluded_rows"]`` holds the count. The rows stay in the design (their
    PSUs still count in their strata), as R ``survey`` does with ``na.rm = TRUE``.
    """


def result_frame(
    statistic: str,
    columns: tuple[np.ndarray, ...],
    domain_labels: pd.DataFrame,
    labels: list[Any] | None,
    *,
    deff: bool,
    excluded: int,
    y: str,
    stacklevel: int,
) -> pd.DataFrame:
    """The result frame from the core's columns: one row per domain and level of y."""
    estimate, se, lower, upper, design_effect, n, weighted_n, df = columns
    n_columns = len(labels) if labels is not None else 1
    domains = len(domain_labels)
    # The frame in one constructor from whole columns: each domain's labels repeated once per
    # level of y (as they are when y has one column).
    repeat = np.repeat(np.arange(domains), n_columns) if n_columns != 1 else None
    out_columns: dict[Any, Any] = {
        c: (values if repeat is None else values.take(repeat))
        for c, values in ((c, domain_labels[c].array) for c in domain_labels.columns)
    }
    if labels is not None:
        out_columns["level"] = labels * domains
    out_columns[statistic] = estimate
    out_columns["se"] = se
    out_columns["lower"] = lower
    out_columns["upper"] = upper
    if deff:
        out_columns["deff"] = design_effect
    out_columns["n"] = np.repeat(n, n_columns).astype(np.int64)
    out_columns["weighted_n"] = np.repeat(weighted_n, n_columns)
    out_columns["df"] = np.repeat(df, n_columns).astype(np.int64)
    out = pd.DataFrame(out_columns, index=pd.RangeIndex(domains * n_columns))
    out.attrs["excluded_rows"] = excluded
    if excluded:
        warnings.warn(
            f"{excluded} row(s) with a missing {y} or weight left out of the estimate "
            "(kept in the design); see the result's attrs['excluded_rows']",
            ExcludedRowsWarning,
            stacklevel=stacklevel,
        )
    return out
