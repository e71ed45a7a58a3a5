"""R ``svychisq``'s Rao-Scott tests of independence in a two-way table of survey estimates: the
second-order F (Satterthwaite's df) and the first-order chi-square, from the cell proportions and
their design covariance (used by :meth:`SurveyDesign.chisq`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _core


def rao_scott(
    mean: np.ndarray, v: np.ndarray, nr: int, nc: int, n: float, df: float, statistic: str
) -> pd.DataFrame:
    """R ``svychisq``'s Rao-Scott corrections from the cell proportions `mean` (row-major,
    nr x nc), their design covariance `v`, the design's `n` rows and design df `df`: Pearson's
    X^2 of the table scaled to n, divided by the mean (chisq) or, with Satterthwaite's df, the
    trace (F) of the design-effect matrix Delta of the interaction contrasts."""
    table = mean.reshape(nr, nc)
    expected = np.outer(table.sum(axis=1), table.sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        pearson = n * float(np.nansum((table - expected) ** 2 / expected))
        inverse = np.where(mean == 0, 0.0, 1 / mean)
    x1 = _independence_matrix(nr, nc)
    x12 = _interaction_matrix(nr, nc)
    q, _ = np.linalg.qr(x1)
    c = x12 - q @ (q.T @ x12)
    scaled = c * inverse[:, None]
    delta = np.linalg.solve(c.T @ scaled / n, scaled.T @ v @ scaled)
    trace = float(np.trace(delta))
    if statistic == "f":
        ndf = trace**2 / float(np.trace(delta @ delta))
        f = pearson / trace
        return pd.DataFrame(
            {
                "statistic": [f],
                "ndf": [ndf],
                "ddf": [ndf * df],
                "p_value": [_core.survey_upper_tail("f", f, ndf, ndf * df)],
            }
        )
    # R reports Pearson's X^2 itself and refers X^2 / mean(diag(Delta)) to chi-square.
    dimension = delta.shape[0]
    chisq = pearson / (trace / dimension)
    return pd.DataFrame(
        {
            "statistic": [pearson],
            "df": [dimension],
            "p_value": [_core.survey_upper_tail("chisq", chisq, dimension, 0.0)],
        }
    )


def _independence_matrix(nr: int, nc: int) -> np.ndarray:
    """The model matrix of row + column main effects (with intercept) over the nr x nc cells."""
    cells = [(i, j) for i in range(nr) for j in range(nc)]
    out = np.zeros((nr * nc, 1 + (nr - 1) + (nc - 1)))
    for k, (i, j) in enumerate(cells):
        out[k, 0] = 1.0
        if i > 0:
            out[k, i] = 1.0
        if j > 0:
            out[k, nr - 1 + j] = 1.0
    return out


def _interaction_matrix(nr: int, nc: int) -> np.ndarray:
    """The interaction columns (row dummy i times column dummy j, i, j >= 1) over the cells."""
    out = np.zeros((nr * nc, (nr - 1) * (nc - 1)))
    for i in range(1, nr):
        for j in range(1, nc):
            out[i * nc + j, (i - 1) * (nc - 1) + (j - 1)] = 1.0
    return out
