"""Replicate-weight designs (R ``svrepdesign``, ``as.svrepdesign``): the replicate weights with
their method, scale and rscales, and the variance of an estimate from its replicates,
``scale * sum_r rscales_r (theta_r - centre)^2`` (R ``svrVar``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import _core
from .._core import InputError
from .coding import NO_CODE, CodedDesign

METHODS = ("jk1", "jkn", "brr", "fay", "bootstrap", "sdr")


@dataclass(frozen=True)
class Replicates:
    """Replicate weight columns and how their spread gives a variance."""

    weights: list[np.ndarray]
    method: str
    scale: float
    rscales: np.ndarray
    mse: bool
    df: float

    def _spread(self, thetas: np.ndarray, centre_full: np.ndarray) -> np.ndarray:
        """scale * sum_r rscales_r (theta_r - c)(theta_r - c)' per domain: thetas is replicates
        x domains x columns; returns domains x columns x columns."""
        centre = centre_full if self.mse else thetas.mean(axis=0)
        dev = thetas - centre[None]
        return self.scale * np.einsum("r,rdi,rdj->dij", self.rscales, dev, dev)

    def sums(self, values: np.ndarray, domain: np.ndarray | None, n_domains: int) -> np.ndarray:
        """Per replicate, domain and column: the replicate-weighted sums of `values`."""
        return _core.survey_replicate_sums(
            self.weights, np.ascontiguousarray(values), domain, n_domains
        )

    def covariance(
        self,
        values: np.ndarray,
        denominator: np.ndarray | None,
        domain: np.ndarray | None,
        n_domains: int,
        estimate: np.ndarray,
    ) -> np.ndarray:
        """The replicate covariance of ratios of domain sums (totals without a denominator);
        missing rows are NaN in `values` or `denominator`."""
        p = values.shape[1]
        if denominator is None:
            thetas = self.sums(values, domain, n_domains)
        else:
            both = np.column_stack([values, denominator])
            sums = self.sums(both, domain, n_domains)
            with np.errstate(invalid="ignore", divide="ignore"):
                thetas = sums[:, :, :p] / sums[:, :, p : p + 1]
        return self._spread(thetas, estimate)

    def contrast_variance(
        self,
        values: np.ndarray,
        domain: np.ndarray,
        n_domains: int,
        coefficient: np.ndarray,
        weight: np.ndarray,
        statistic: str,
    ) -> float:
        valid = ~np.isnan(values) & ~np.isnan(weight)
        y = np.where(valid, values, np.nan)
        sums = self.sums(np.column_stack([y, np.where(valid, 1.0, np.nan)]), domain, n_domains)
        full = _core.survey_replicate_sums(
            [np.where(np.isnan(weight), 0.0, weight)],
            np.ascontiguousarray(np.column_stack([y, np.where(valid, 1.0, np.nan)])),
            domain,
            n_domains,
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            if statistic == "total":
                thetas, theta = sums[:, :, 0], full[0, :, 0]
            else:
                thetas, theta = sums[:, :, 0] / sums[:, :, 1], full[0, :, 0] / full[0, :, 1]
        combined = (thetas @ coefficient)[:, None, None]
        return float(self._spread(combined, np.array([[theta @ coefficient]]))[0, 0, 0])


def rank_df(weights: list[np.ndarray]) -> float:
    """R ``degf`` of a replicate design: the rank of the replicate weights minus one, from the
    distinct rows (replicate weights are constant within a PSU, so there are few)."""
    matrix = np.column_stack(weights)
    rng = np.random.default_rng(0)
    key = matrix @ rng.standard_normal(matrix.shape[1])
    _, first = np.unique(key, return_index=True)
    distinct = matrix[first]
    if len(distinct) > 20_000:
        distinct = distinct.T @ distinct
    # R's qr(tol = 1e-5): columns whose remainder is below 1e-5 of their norm are dependent.
    r = np.linalg.qr(distinct, mode="r")
    diag = np.abs(np.diag(r))
    return float(np.sum(diag > 1e-5 * max(diag.max(initial=0.0), 1e-300)) - 1)


def given(
    weights: list[np.ndarray],
    method: str,
    *,
    scale: float | None,
    rscales: Sequence[float] | None,
    mse: bool,
) -> Replicates:
    """Replicate weights supplied by the data provider (R ``svrepdesign``)."""
    if not isinstance(method, str) or method.lower() not in METHODS:
        raise InputError(
            f"replicate_method: unknown value {method!r}; choose one of "
            + ", ".join(f"'{m}'" for m in METHODS)
        )
    method = method.lower()
    r = len(weights)
    for k, w in enumerate(weights):
        bad = np.isnan(w) | np.isinf(w) | (w < 0)
        if bad.any():
            raise InputError(
                f"replicate_weights: column {k} has {w[int(np.argmax(bad))]} at position "
                f"{int(np.argmax(bad))}; replicate weights must be finite and zero or more"
            )
    if method == "fay" and scale is None:
        raise InputError("scale: give scale = 1 / (R (1 - rho)^2) for Fay's replicates")
    if method == "jkn" and rscales is None:
        raise InputError("rscales: give rscales ((n_h - 1) / n_h per replicate) for jkn")
    default = {
        "jk1": (r - 1) / r,
        "jkn": 1.0,
        "brr": 1.0 / r,
        "fay": scale,
        "bootstrap": 1.0 / (r - 1) if r > 1 else np.nan,
        "sdr": 4.0 / r,
    }[method]
    if method in ("brr", "sdr") and scale is not None:
        raise InputError(f"scale: {method} replicates fix their own scale ({default})")
    scale_value = float(default if scale is None else scale)  # type: ignore[arg-type]
    rs = np.ones(r) if rscales is None else np.asarray(rscales, dtype=float)
    if rs.shape != (r,):
        raise InputError(f"rscales: give one value per replicate ({r}), got {len(rs)}")
    if not isinstance(mse, bool | np.bool_):
        raise InputError(f"mse: must be True or False, got {mse!r}")
    return Replicates(weights, method, scale_value, rs, bool(mse), rank_df(weights))


def _sylvester_size(n_strata: int) -> int:
    """The order of R ``hadamard(n_strata)`` where R's choice is a Sylvester matrix (4 for up
    to three strata, else the power of two above n when it is at most 4 more); 0 where R takes a
    Paley or a tabulated matrix instead, which this does not build."""
    if n_strata <= 3:
        return 4
    size = 1 << n_strata.bit_length()
    return size if size - n_strata <= 4 else 0


def _brr(
    data: pd.DataFrame,
    coded: CodedDesign,
    weight: np.ndarray,
    rho: float,
    mse: bool,
) -> Replicates:
    """R ``as.svrepdesign(type = "BRR")`` (``"Fay"`` with ``fay.rho = rho``) for a design with two
    PSUs in every stratum: stratum h (in the sorted order of its labels as text, R's
    ``as.character``) takes row h + 1 of R's Hadamard matrix; in replicate r its first PSU (by
    first row) gets ``2 - rho`` times its weight where the matrix holds 1 and ``rho`` where it
    holds 0, the other PSU the reverse. R's matrix is Sylvester's (entry 1 where the bits of the
    row and the column share an even count) for 1-7, 12-15, 28-31, 60-63, ... strata."""
    if coded.strata is None or coded.strata_column is None:
        raise InputError("strata: BRR and Fay replicates need a stratified design (R's rule)")
    psu, n_psu = coded.units[0]
    stratum = coded.strata[0]
    first = np.full(n_psu, len(psu), dtype=np.int64)
    np.minimum.at(first, psu, np.arange(len(psu)))
    present = np.flatnonzero(first < len(psu))
    stratum_of = stratum[first[present]]
    labels = data[coded.strata_column].astype(str).to_numpy()
    names = np.array([labels[first[present][stratum_of == h][0]] for h in range(coded.strata[1])])
    counts = np.bincount(stratum_of, minlength=coded.strata[1])
    if (counts != 2).any():
        h = int(np.argmax(counts != 2))
        raise InputError(
            f"psu: stratum {str(names[h])!r} has {counts[h]} PSUs; BRR and Fay replicates need "
            "exactly two PSUs in every stratum"
        )
    order = sorted(range(len(names)), key=lambda h: names[h])
    size = _sylvester_size(len(names))
    if size == 0:
        raise InputError(
            f"strata: R's Hadamard matrix for {len(names)} strata is not Sylvester's; BRR from a "
            "Taylor design supports 1-7, 12-15, 28-31, 60-63, 124-127 or 252-255 strata (give "
            "R's replicate weights as replicate_weights otherwise)"
        )
    row = np.empty(len(names), dtype=np.int64)
    row[order] = np.arange(1, len(names) + 1)
    # Per PSU: the Hadamard row of its stratum and whether it is its stratum's first PSU.
    by_first = present[np.argsort(first[present], kind="stable")]
    is_first = np.zeros(n_psu, dtype=bool)
    seen: set[int] = set()
    for u in by_first:
        h = int(stratum[first[u]])
        if h not in seen:
            is_first[u] = True
            seen.add(h)
    psu_row = np.zeros(n_psu, dtype=np.int64)
    psu_row[present] = row[stratum_of]
    w = np.where(np.isnan(weight), 0.0, weight)
    reps = []
    for r in range(size):
        entry = np.bitwise_count(psu_row & r) % 2 == 0
        # Entry 1 gives the first PSU 2 - rho, entry 0 gives it rho; the second PSU the reverse.
        high = entry == is_first
        multiplier = np.where(high, 2.0 - rho, rho)
        reps.append(w * multiplier[psu])
    return Replicates(
        reps,
        "brr" if rho == 0 else "fay",
        1.0 / (size * (1.0 - rho) ** 2),
        np.ones(size),
        mse,
        rank_df(reps),
    )


def from_design(
    data: pd.DataFrame,
    coded: CodedDesign,
    weight: np.ndarray,
    method: str,
    *,
    replicates: int,
    seed: int | None,
    mse: bool,
    fay_rho: float = 0.0,
) -> Replicates:
    """Replicate weights from a Taylor design (R ``as.svrepdesign``): jk1, jkn, brr, fay or
    bootstrap."""
    known = ("jk1", "jkn", "brr", "fay", "bootstrap")
    if not isinstance(method, str) or method.lower() not in known:
        raise InputError(
            f"method: unknown value {method!r}; choose one of " + ", ".join(f"'{m}'" for m in known)
        )
    method = method.lower()
    if method in ("brr", "fay"):
        rho = float(fay_rho)
        if not 0 <= rho < 1 or (method == "fay" and rho == 0):
            raise InputError(f"fay_rho: give a number in [0, 1) (above 0 for Fay), got {fay_rho!r}")
        return _brr(data, coded, weight, rho, mse)
    psu, n_psu = coded.units[0]
    strata = coded.strata[0] if coded.strata is not None else np.zeros(len(psu), np.uint32)
    w = np.where(np.isnan(weight), 0.0, weight)
    present = np.unique(psu)
    stratum_of = np.zeros(n_psu, dtype=np.int64)
    stratum_of[psu] = strata
    fpc = coded.fpc[0]
    if method == "jk1":
        n = len(present)
        if n < 2:
            raise InputError("psu: the jackknife needs at least two PSUs")
        factor = 1.0
        if fpc is not None:
            # R jk1weights: one fpc for the sample; (N - n) / N from counts, 1 - f from fractions.
            value = float(np.unique(fpc)[0])
            factor = (value - n) / value if value > 1 else 1 - value
        reps = [np.where(psu == u, 0.0, w * n / (n - 1)) for u in present]
        return Replicates(reps, "jk1", factor * (n - 1) / n, np.ones(n), mse, rank_df(reps))
    if method == "jkn":
        reps, rscales = [], []
        for h in np.unique(strata):
            units = np.unique(psu[strata == h])
            n_h = len(units)
            if n_h < 2:
                continue
            factor = 1.0
            if fpc is not None:
                value = float(fpc[np.argmax(strata == h)])
                factor = (value - n_h) / value if value > 1 else 1 - value
            for u in units:
                rep = w.copy()
                inside = strata == h
                rep[inside] = np.where(psu[inside] == u, 0.0, w[inside] * n_h / (n_h - 1))
                reps.append(rep)
                rscales.append(factor * (n_h - 1) / n_h)
        return Replicates(reps, "jkn", 1.0, np.array(rscales), mse, rank_df(reps))
    if not isinstance(replicates, int) or replicates < 2:
        raise InputError(f"replicates: give a whole number 2 or more, got {replicates!r}")
    rng = np.random.default_rng(seed)
    reps = []
    groups = [(h, np.unique(psu[strata == h])) for h in np.unique(strata)]
    for _ in range(replicates):
        multiplier = np.zeros(n_psu)
        for _, units in groups:
            n_h = len(units)
            if n_h < 2:
                multiplier[units] = 1.0
                continue
            draws = rng.choice(units, size=n_h - 1, replace=True)
            counts = np.bincount(draws, minlength=n_psu)[units]
            multiplier[units] = counts * n_h / (n_h - 1)
        reps.append(w * multiplier[psu])
    r = float(replicates)
    return Replicates(reps, "bootstrap", 1.0 / (r - 1), np.ones(replicates), mse, rank_df(reps))


__all__ = ["NO_CODE", "Replicates", "from_design", "given", "rank_df"]
