"""Post-stratification, raking and linear (GREG) calibration: the new weights, and the step each
leaves for the variance, as R ``survey`` records it in ``postStrata`` and ``svyrecvar`` applies
it to the influence values (residuals on the calibration model)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._core import InputError
from .coding import get_column, numeric_column


@dataclass(frozen=True)
class PostStratum:
    """R's post-stratification record: each row's post-stratum, its new weight (``psw``) and its
    weight before (``oldw``)."""

    code: np.ndarray
    weight: np.ndarray
    old_weight: np.ndarray

    def residuals(self, x: np.ndarray) -> np.ndarray:
        """x minus each post-stratum's mean of x oldw / psw over sum oldw, times psw."""
        psw = np.where((self.weight == 0) & (self.old_weight == 0), 1.0, self.weight)
        k = int(self.code.max()) + 1
        with np.errstate(invalid="ignore", divide="ignore"):
            scaled = x * (self.old_weight / psw)[:, None]
        sums = np.stack([np.bincount(self.code, weights=c, minlength=k) for c in scaled.T], 1)
        means = sums / np.bincount(self.code, weights=self.old_weight, minlength=k)[:, None]
        return x - means[self.code] * psw[:, None]


@dataclass(frozen=True)
class Raking:
    """R's raking record: the post-stratum of each margin with the weights after its last pass;
    the variance step is ten passes of ``x - psw * ave(x / psw, margin)``."""

    margins: tuple[tuple[np.ndarray, np.ndarray], ...]

    def residuals(self, x: np.ndarray) -> np.ndarray:
        x = x.copy()
        for _ in range(10):
            for code, psw in self.margins:
                k = int(code.max()) + 1
                counts = np.bincount(code, minlength=k)
                scaled = x / psw[:, None]
                sums = np.stack([np.bincount(code, weights=c, minlength=k) for c in scaled.T], 1)
                x = x - psw[:, None] * (sums / counts[:, None])[code]
        return x


@dataclass(frozen=True)
class Greg:
    """R's linear calibration record: Q of the QR of the model matrix times sqrt(w), and the
    scale g sqrt(w); the variance step is ``qr.resid(Q, x / scale) * scale``."""

    q: np.ndarray
    scale: np.ndarray

    def residuals(self, x: np.ndarray) -> np.ndarray:
        u = x / self.scale[:, None]
        return (u - self.q @ (self.q.T @ u)) * self.scale[:, None]


Adjustment = PostStratum | Raking | Greg


def _levels(data: pd.DataFrame, name: str, column: str, totals: Mapping[Any, float]) -> np.ndarray:
    """Each row's position among the levels of `totals` (an InputError for a level absent)."""
    if not isinstance(totals, Mapping) or not totals:
        raise InputError(f"{name}: give the population total of each level of {column!r}")
    series = get_column(data, name, column)
    index = pd.Index(list(totals))
    code = index.get_indexer(series)
    if (code < 0).any():
        position = int(np.argmax(code < 0))
        raise InputError(
            f"{name}: position {position} of {column!r} is {series.iloc[position]!r}, a level "
            "with no population total"
        )
    return code.astype(np.intp)


def poststratify(
    data: pd.DataFrame, weight: np.ndarray, name: str, column: str, totals: Mapping[Any, float]
) -> tuple[np.ndarray, PostStratum]:
    """R ``postStratify``: weights times population / sample total of each level."""
    code = _levels(data, name, column, totals)
    population = np.array([float(v) for v in totals.values()])
    w = np.where(np.isnan(weight), 0.0, weight)
    sample = np.bincount(code, weights=w, minlength=len(population))
    if np.any((sample == 0) & (population > 0)):
        missing = list(totals)[int(np.argmax((sample == 0) & (population > 0)))]
        raise InputError(f"{name}: level {missing!r} of {column!r} has no sample weight")
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(sample > 0, population / sample, 0.0)
    new = weight * factor[code]
    return new, PostStratum(code, np.where(np.isnan(new), 0.0, new), w)


def rake(
    data: pd.DataFrame,
    weight: np.ndarray,
    margins: Mapping[str, Mapping[Any, float]],
    max_iterations: int,
    epsilon: float,
) -> tuple[np.ndarray, Raking, int]:
    """R ``rake``: post-stratify to each margin in turn; stop when the joint table of weights
    over the margins' columns moves by less than `epsilon` (times the total weight below 1).
    Also returns the number of passes made, which a replicate design's replicate weights take
    too (R rakes them alongside, stopping on the full sample's table)."""
    if not isinstance(margins, Mapping) or not margins:
        raise InputError("margins: give {column: {level: population total}} for each margin")
    codes = [_levels(data, "margins", c, t) for c, t in margins.items()]
    joint = np.zeros(len(data), dtype=np.int64)
    for code, totals in zip(codes, margins.values(), strict=True):
        joint = joint * len(totals) + code
    joint_code = np.unique(joint, return_inverse=True)[1]
    w0 = np.where(np.isnan(weight), 0.0, weight)
    tolerance = epsilon * w0.sum() if epsilon < 1 else epsilon

    def table(w: np.ndarray) -> np.ndarray:
        return np.bincount(joint_code, weights=np.where(np.isnan(w), 0.0, w))

    old = table(weight)
    current = weight
    last: list[tuple[np.ndarray, np.ndarray]] = []
    passes = 0
    for _ in range(max_iterations):
        last = []
        passes += 1
        for column, totals in margins.items():
            current, step = poststratify(data, current, "margins", column, totals)
            last.append((step.code, step.weight))
        new = table(current)
        if np.max(np.abs(old - new)) < tolerance:
            break
        old = new
    return current, Raking(tuple(last)), passes


def rake_passes(
    data: pd.DataFrame, weight: np.ndarray, margins: Mapping[str, Mapping[Any, float]], passes: int
) -> np.ndarray:
    """`weight` post-stratified to each margin in turn, `passes` times (a replicate's raking)."""
    for _ in range(passes):
        for column, totals in margins.items():
            weight, _ = poststratify(data, weight, "margins", column, totals)
    return weight


def calibration_model(
    data: pd.DataFrame,
    totals: Mapping[str, Mapping[Any, float] | float],
    population_size: float | None,
) -> tuple[np.ndarray, np.ndarray]:
    """The model matrix of a linear calibration (R's treatment coding) and its population
    totals."""
    if not isinstance(totals, Mapping) or not totals:
        raise InputError("totals: give {column: total} or {column: {level: total}}")
    columns: list[np.ndarray] = []
    population: list[float] = []
    if population_size is not None:
        columns.append(np.ones(len(data)))
        population.append(float(population_size))
    first_categorical = population_size is None
    for column, total in totals.items():
        if isinstance(total, Mapping):
            code = _levels(data, "totals", column, total)
            levels = list(total.values())
            # R's treatment coding: the first factor carries the intercept (all its levels),
            # later factors drop their first level.
            start = 0 if first_categorical else 1
            first_categorical = False
            for k in range(start, len(levels)):
                columns.append((code == k).astype(float))
                population.append(float(levels[k]))
        else:
            columns.append(numeric_column(data, "totals", column))
            population.append(float(total))
    x = np.column_stack(columns)
    if np.isnan(x).any():
        position = int(np.argmax(np.isnan(x).any(axis=1)))
        raise InputError(f"totals: position {position} has a missing calibration variable")
    return x, np.array(population)


def linear_g(x: np.ndarray, weight: np.ndarray, population: np.ndarray) -> np.ndarray:
    """The calibration factors g = 1 + x'(sum w x x')^-1 (t - sum w x) of weights `weight`."""
    w = np.where(np.isnan(weight), 0.0, weight)
    t_matrix = (x * w[:, None]).T @ x
    try:
        lam = np.linalg.solve(t_matrix, population - w @ x)
    except np.linalg.LinAlgError:
        raise InputError("totals: the calibration variables are collinear in the sample") from None
    return 1.0 + x @ lam


def linear(
    data: pd.DataFrame,
    weight: np.ndarray,
    totals: Mapping[str, Mapping[Any, float] | float],
    population_size: float | None,
) -> tuple[np.ndarray, Greg]:
    """R ``calibrate(calfun = "linear")``: g = 1 + x'(sum w x x')^-1 (t - sum w x)."""
    x, population = calibration_model(data, totals, population_size)
    g = linear_g(x, weight, population)
    whalf = np.sqrt(np.where(np.isnan(weight), 0.0, weight))
    q, _ = np.linalg.qr(x * whalf[:, None])
    return weight * g, Greg(q, g * whalf)
