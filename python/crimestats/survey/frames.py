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
    out = domain_labels.loc[np.repeat(np.arange(len(domain_labels)), n_columns)].reset_index(
        drop=True
    )
    if labels is not None:
        out["level"] = labels * len(domain_labels)
    out[statistic] = estimate
    out["se"] = se
    out["lower"] = lower
    out["upper"] = upper
    if deff:
        out["deff"] = design_effect
    out["n"] = np.repeat(n, n_columns).astype(np.int64)
    out["weighted_n"] = np.repeat(weighted_n, n_columns)
    out["df"] = np.repeat(df, n_columns).astype(np.int64)
    out.attrs["excluded_rows"] = excluded
    if excluded:
        warnings.warn(
            f"{excluded} row(s) with a missing {y} or weight left out of the estimate "
            "(kept in the design); see the result's attrs['excluded_rows']",
            ExcludedRowsWarning,
            stacklevel=stacklevel,
        )
    return out
