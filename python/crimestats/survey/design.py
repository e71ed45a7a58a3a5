"""The survey design object: one engine behind every survey estimate.

:func:`survey_design` codes a sample's design once (R ``svydesign``, or ``svrepdesign`` with
replicate weights); the :class:`SurveyDesign` it returns estimates shares, means, totals, ratios,
quantiles and contrasts per domain, tests independence (Rao-Scott), and makes post-stratified,
raked and calibrated designs whose standard errors are R's calibrated ones.

Every estimate is a smooth function of weighted domain totals. On a Taylor design its variance is
the design variance of its influence values (R ``svyrecvar``), computed by the Rust core; on a
replicate design it is the spread of the estimates under the replicate weights (R ``svrVar``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import _core, _inputs
from .._choices import LonelyPsu, ShareInterval, Statistic
from .._core import InputError
from . import calibration, replicate
from .chisq import rao_scott
from .coding import (
    NO_CODE,
    CodedDesign,
    Columns,
    column_list,
    design_codes,
    domain_codes,
    get_column,
    numeric_column,
    outcome_codes,
    survey_codes,
)
from .frames import result_frame


@dataclass(frozen=True)
class _Totals:
    """Ratio estimates `sum(w y_c) / sum(w x)` (or totals `sum(w y_c)`) per domain and column,
    with their covariance per domain, the design df per domain, and the domains' row counts."""

    estimate: np.ndarray  # domains x columns
    covariance: np.ndarray  # domains x columns x columns
    df: np.ndarray  # domains
    n: np.ndarray  # domains: rows with a valid value and weight
    weighted_n: np.ndarray  # domains: their weight


def _excluded(missing: np.ndarray, weight: np.ndarray) -> int:
    """The rows with a missing y (`missing`) or a missing (NaN) weight."""
    # A finite sum of the weights has no NaN in it (one reduction, against a pass making a mask).
    with np.errstate(over="ignore", invalid="ignore"):
        total = weight.sum()
    if np.isfinite(total):
        return int(np.count_nonzero(missing))
    return int((missing | np.isnan(weight)).sum())


class SurveyDesign:
    """A survey sample with its design: weights, strata, clusters, fpc, or replicate weights,
    and any calibration. Made by :func:`survey_design`; every method returns a tidy frame or a
    new design.

    Domains (``by=``) are estimated on the full design, as R's ``svyby`` and ``subset`` do: rows
    outside a domain contribute zero but their PSUs still count in their strata.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        coded: CodedDesign,
        weight: np.ndarray,
        lonely_psu: str,
        replicates: replicate.Replicates | None = None,
        adjustments: tuple[calibration.Adjustment, ...] = (),
    ) -> None:
        self._data = data
        self._coded = coded
        self._weight = weight
        self._lonely = lonely_psu
        self._replicates = replicates
        self._adjustments = adjustments

    def __repr__(self) -> str:
        kind = (
            f"replicate weights ({self._replicates.method}, {len(self._replicates.weights)})"
            if self._replicates is not None
            else "Taylor linearisation"
        )
        adjusted = f", {len(self._adjustments)} calibration step(s)" if self._adjustments else ""
        return f"SurveyDesign({len(self._data)} rows, {kind}{adjusted})"

    @property
    def weights(self) -> pd.Series:
        """The analysis weight of each row (after any calibration), indexed as the data."""
        return pd.Series(self._weight, index=self._data.index, name="weight")

    @property
    def df(self) -> int:
        """The design degrees of freedom (R ``degf``): PSUs minus strata, or for replicate
        weights the rank of the replicate weights minus one."""
        if self._replicates is not None:
            return int(self._replicates.df)
        return int(self._totals(np.ones((len(self._data), 1)), None, None, 1).df[0])

    # -- the engine -------------------------------------------------------------------------

    def _with_weight(self, weight: np.ndarray) -> CodedDesign:
        coded = self._coded
        core = survey_codes(weight, coded.strata, coded.units, coded.fpc)
        return coded._replace(weight=weight, core=core)

    def _totals(
        self,
        values: np.ndarray,
        denominator: np.ndarray | None,
        domain: np.ndarray | None,
        n_domains: int,
    ) -> _Totals:
        """Ratios `sum(w y_c) / sum(w x)` per domain of the columns of `values` (rows x
        columns) over `denominator` (None: totals), with their covariance per domain. A row
        with a missing value in any column or a missing weight is left out (its PSU stays)."""
        n, p = values.shape
        weight = self._weight
        valid = ~np.isnan(values).any(axis=1) & ~np.isnan(weight)
        if denominator is not None:
            valid &= ~np.isnan(denominator)
        if domain is not None:
            valid &= domain != NO_CODE
        code = np.zeros(n, dtype=np.intp) if domain is None else domain.astype(np.intp)
        code = np.where(valid, code, n_domains)
        w = np.where(valid, weight, 0.0)
        y = np.where(valid[:, None], values, 0.0)
        x = np.ones(n) if denominator is None else np.where(valid, denominator, 0.0)

        def sums(v: np.ndarray) -> np.ndarray:
            return np.bincount(code, weights=v, minlength=n_domains + 1)[:n_domains]

        count = np.bincount(code, weights=(w > 0).astype(float), minlength=n_domains + 1)
        weighted_n = sums(w)
        x_total = sums(w * x)
        y_total = np.column_stack([sums(w * y[:, c]) for c in range(p)])
        with np.errstate(invalid="ignore", divide="ignore"):
            estimate = y_total if denominator is None else y_total / x_total[:, None]
        if self._replicates is not None:
            covariance = self._replicates.covariance(
                np.where(valid[:, None], values, np.nan),
                None if denominator is None else np.where(valid, denominator, np.nan),
                domain,
                n_domains,
                estimate,
            )
            df = np.full(n_domains, float(self._replicates.df))
        else:
            # Influence values w (y - R x) / X (R svyratio, svymean), w y for a total.
            if denominator is None:
                z = w[:, None] * y
            else:
                d = np.minimum(code, n_domains - 1)
                with np.errstate(invalid="ignore", divide="ignore"):
                    z = w[:, None] * (y - estimate[d] * x[:, None]) / x_total[d][:, None]
                z[~valid] = 0.0
            covariance, df = self._influence_covariance(z, domain, n_domains)
            if denominator is not None:
                covariance[x_total == 0] = np.nan
        return _Totals(estimate, covariance, df, count[:n_domains], weighted_n)

    def _influence_covariance(
        self, z: np.ndarray, domain: np.ndarray | None, n_domains: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """The covariance per domain of the totals of influence values `z` (rows x columns,
        zero outside each row's domain), by R's svyrecvar on the design and its calibration."""
        lonely = self._lonely
        codes = self._coded.core
        if not self._adjustments:
            _, covariance, df = _core.survey_covariance(
                codes, np.ascontiguousarray(z), domain, n_domains, lonely
            )
            return covariance, df
        # Calibration residuals cut across domains: the domains' columns side by side, each
        # zero outside its domain, residualised together, as R's svyrecvar on a subset.
        n, p = z.shape
        if domain is None or n_domains == 1:
            wide = z.copy()
            keys = np.zeros(n, dtype=np.intp)
        else:
            keys = np.where(domain == NO_CODE, 0, domain).astype(np.intp)
            wide = np.zeros((n, n_domains * p))
            inside = domain != NO_CODE
            for c in range(p):
                wide[np.flatnonzero(inside), keys[inside] * p + c] = z[inside, c]
        for adjustment in self._adjustments:
            wide = adjustment.residuals(wide)
        _, full, _ = _core.survey_covariance(codes, np.ascontiguousarray(wide), None, 1, lonely)
        blocks = np.stack(
            [full[0, d * p : (d + 1) * p, d * p : (d + 1) * p] for d in range(max(n_domains, 1))]
        )
        # The domain's df (PSUs minus strata among its rows), from a pass with its codes.
        _, _, df = _core.survey_covariance(
            codes, np.ascontiguousarray(z[:, :1]), domain, n_domains, lonely
        )
        return blocks, df

    # -- shares, means, totals --------------------------------------------------------------

    def _domain_estimate(
        self,
        statistic: Statistic,
        y: str,
        *,
        by: Columns,
        conf: float,
        ci: ShareInterval,
        deff: bool,
    ) -> pd.DataFrame:
        if not isinstance(deff, bool | np.bool_):  # deff="no" would otherwise be truthy
            raise InputError(f"deff: must be True or False, got {deff!r}")
        data = self._data
        values, levels, labels, missing = outcome_codes(data, y, statistic)
        domain, n_domains, domain_labels = domain_codes(data, by)
        ci = _inputs.choice("ci", ci)
        conf = _inputs.number("conf", conf)
        excluded = _excluded(missing, self._weight)
        if self._replicates is None and not self._adjustments:
            columns = _core.survey_estimate(
                self._coded.core,
                values,
                levels,
                len(labels) if labels is not None else 0,
                domain,
                n_domains,
                statistic,
                ci,
                conf,
                _inputs.choice("lonely_psu", self._lonely),
            )
        else:
            columns = self._estimate_columns(
                statistic, values, levels, labels, domain, n_domains, ci, conf
            )
        return result_frame(
            statistic,
            tuple(columns),
            domain_labels,
            labels,
            deff=deff,
            excluded=excluded,
            y=y,
            stacklevel=4,
        )

    def _estimate_columns(
        self,
        statistic: Statistic,
        values: np.ndarray | None,
        levels: np.ndarray | None,
        labels: list[Any] | None,
        domain: np.ndarray | None,
        n_domains: int,
        ci: ShareInterval,
        conf: float,
    ) -> list[np.ndarray]:
        """The core's eight columns (estimate, se, lower, upper, deff, n, weighted_n, df) for
        a calibrated or replicate design."""
        if levels is not None and labels is not None:
            matrix = np.zeros((len(levels), len(labels)))
            present = levels != NO_CODE
            matrix[np.flatnonzero(present), levels[present].astype(np.intp)] = 1.0
            matrix[~present] = np.nan
        else:
            assert values is not None
            matrix = values[:, None]
        ones = None if statistic == "total" else np.ones(len(matrix))
        totals = self._totals(matrix, ones, domain, n_domains)
        estimate = totals.estimate.ravel()
        variance = np.diagonal(totals.covariance, axis1=1, axis2=2).ravel()
        se = np.sqrt(variance)
        p = matrix.shape[1]
        df = np.repeat(totals.df, p)
        n = np.repeat(totals.n, p)
        if statistic == "share":
            lower, upper = _core.survey_share_interval(estimate, se, df, n, ci, conf)
        else:
            lower, upper = _t_interval(estimate, se, df, conf)
        srs = _srs_variance(
            matrix, self._weight, domain, n_domains, total=statistic == "total"
        ).ravel()
        with np.errstate(invalid="ignore", divide="ignore"):
            design_effect = variance / srs
        return [
            estimate,
            se,
            lower,
            upper,
            design_effect,
            totals.n,
            totals.weighted_n,
            totals.df,
        ]

    def share(
        self,
        y: str,
        *,
        by: Columns = None,
        conf: float = 0.95,
        ci: ShareInterval = "logit",
        deff: bool = True,
    ) -> pd.DataFrame:
        """Shares per domain, as :func:`crimestats.survey_share` (R ``svyciprop``, ``svymean``
        of a factor), on this design.

        Examples
        --------
        >>> import pandas as pd
        >>> victims = pd.DataFrame({"sex": ["F", "F", "M", "F", "M", "F", "F", "M"],
        ...     "weight": [1200.0, 900.0, 1100.0, 1000.0, 950.0, 1050.0, 1300.0, 800.0],
        ...     "stratum": [1, 1, 1, 1, 2, 2, 2, 2], "psu": [1, 1, 2, 2, 3, 3, 4, 4]})
        >>> design = survey_design(victims, weight="weight", strata="stratum", psu="psu")
        >>> design.share("sex")[["level", "share", "se"]].round(4)
          level   share      se
        0     F  0.6566  0.1344
        1     M  0.3434  0.1344
        """
        return self._domain_estimate("share", y, by=by, conf=conf, ci=ci, deff=deff)

    def mean(
        self, y: str, *, by: Columns = None, conf: float = 0.95, deff: bool = True
    ) -> pd.DataFrame:
        """Means of a numeric y per domain, as :func:`crimestats.survey_mean` (R ``svymean``)."""
        return self._domain_estimate("mean", y, by=by, conf=conf, ci="mean", deff=deff)

    def total(
        self, y: str, *, by: Columns = None, conf: float = 0.95, deff: bool = True
    ) -> pd.DataFrame:
        """Totals of y per domain, as :func:`crimestats.survey_total` (R ``svytotal``)."""
        return self._domain_estimate("total", y, by=by, conf=conf, ci="mean", deff=deff)

    # -- ratios, contrasts, quantiles -------------------------------------------------------

    def ratio(
        self,
        numerator: str,
        denominator: str,
        *,
        by: Columns = None,
        conf: float = 0.95,
        deff: bool = True,
    ) -> pd.DataFrame:
        """The ratio of two totals per domain, ``sum(w y) / sum(w x)`` (R ``svyratio``).

        Returns the by-columns and ``ratio, se, lower, upper, deff, n, weighted_n, df``; the
        interval is ``ratio +/- t se`` with the design df (R ``confint(r, df = degf(design))``),
        ``deff`` is R's ``svyratio(deff = TRUE)``: the variance over the SRS variance of the
        total of the ratio's influence values ``(y - ratio x) / sum(w x)``. Rows with a missing
        numerator, denominator or weight are left out (their PSUs stay in the design).

        Examples
        --------
        >>> import pandas as pd
        >>> sample = pd.DataFrame({"crimes": [3.0, 5.0, 4.0, 8.0], "homes": [10.0, 20.0, 10.0,
        ...     30.0], "w": [10.0, 10.0, 20.0, 20.0], "h": [1, 1, 2, 2]})
        >>> r = survey_design(sample, weight="w", strata="h").ratio("crimes", "homes")
        >>> r[["ratio", "se"]].round(4)
           ratio      se
        0  0.2727  0.0304
        """
        data = self._data
        y = numeric_column(data, "numerator", numerator)
        x = numeric_column(data, "denominator", denominator)
        domain, n_domains, labels = domain_codes(data, by)
        if not isinstance(deff, bool | np.bool_):
            raise InputError(f"deff: must be True or False, got {deff!r}")
        totals = self._totals(y[:, None], x, domain, n_domains)
        estimate = totals.estimate[:, 0]
        variance = totals.covariance[:, 0, 0]
        se = np.sqrt(variance)
        lower, upper = _t_interval(estimate, se, totals.df, _inputs.number("conf", conf))
        out = labels.reset_index(drop=True)
        out["ratio"] = estimate
        out["se"] = se
        out["lower"] = lower
        out["upper"] = upper
        if deff:
            out["deff"] = variance / self._ratio_srs_variance(y, x, estimate, domain, n_domains)
        out["n"] = totals.n.astype(np.int64)
        out["weighted_n"] = totals.weighted_n
        out["df"] = totals.df.astype(np.int64)
        return out

    def _ratio_srs_variance(
        self,
        y: np.ndarray,
        x: np.ndarray,
        ratio: np.ndarray,
        domain: np.ndarray | None,
        n_domains: int,
    ) -> np.ndarray:
        """R ``svyratio(deff = TRUE)``'s SRS variance: that of the total of the influence values
        ``(y - ratio_d x) / X_d`` (``deff(svytotal(r, design, deff = TRUE))``), per domain."""
        d = np.zeros(len(y), dtype=np.intp) if domain is None else domain.astype(np.intp)
        d = np.minimum(d, n_domains - 1)
        valid = ~np.isnan(y) & ~np.isnan(x) & ~np.isnan(self._weight)
        if domain is not None:
            valid &= domain != NO_CODE
        w = np.where(valid, self._weight, 0.0)
        code = np.where(valid, d, n_domains)
        x_total = np.bincount(code, weights=w * np.where(valid, x, 0.0), minlength=n_domains + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = (y - ratio[d] * x) / x_total[d]
        r = np.where(valid, r, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            return _srs_variance(r[:, None], self._weight, domain, n_domains, total=True)[:, 0]

    def contrast(
        self,
        y: str,
        *,
        by: Columns,
        weights: Mapping[Any, float],
        statistic: str = "mean",
        conf: float = 0.95,
    ) -> pd.DataFrame:
        """A linear combination of domain estimates, ``sum_d weights[d] * estimate_d``, with the
        covariance between domains (R ``svyby(covmat = TRUE)`` then ``svycontrast``).

        ``weights`` maps domain labels (a tuple of labels for several by-columns) to
        coefficients: ``{"F": 1, "M": -1}`` is women minus men. ``statistic`` is ``"mean"`` (a
        share for a 0/1 y) or ``"total"``. Returns one row: ``contrast, se, lower, upper,
        p_value, df``, the interval and two-sided test by the t distribution of the design df.

        Examples
        --------
        >>> import pandas as pd
        >>> sample = pd.DataFrame({"victim": [1, 0, 1, 1, 0, 1, 0, 0], "sex": list("FMFMFMFM"),
        ...     "w": [1.0, 2.0, 1.5, 1.0, 2.0, 1.0, 1.0, 2.0], "psu": [1, 1, 2, 2, 3, 3, 4, 4]})
        >>> design = survey_design(sample, weight="w", psu="psu")
        >>> c = design.contrast("victim", by="sex", weights={"F": 1, "M": -1})
        >>> c[["contrast", "se", "df"]].round(4)
           contrast      se  df
        0    0.2727  0.3506   3
        """
        statistic = _inputs.choice("statistic", statistic)
        if statistic not in ("mean", "total"):
            raise InputError(
                f"statistic: unknown value \"{statistic}\"; choose one of 'mean', 'total'"
            )
        if not isinstance(weights, Mapping) or not weights:
            raise InputError("weights: give a dict of domain labels to coefficients")
        data = self._data
        values = numeric_column(data, "y", y)
        domain, n_domains, labels = domain_codes(data, by)
        if domain is None:
            raise InputError("by: a contrast needs domains; give the by-column(s)")
        keys = [tuple(row) if labels.shape[1] > 1 else row[0] for row in labels.to_numpy()]
        coefficient = np.zeros(n_domains)
        for label, value in weights.items():
            if label not in keys:
                raise InputError(f"weights: {label!r} is not a domain of {by!r}; domains {keys}")
            coefficient[keys.index(label)] = float(value)
        totals = self._totals(
            values[:, None],
            None if statistic == "total" else np.ones(len(values)),
            domain,
            n_domains,
        )
        # Influence values of the combination: each row's own domain's, times its coefficient.
        estimate = float(coefficient @ totals.estimate[:, 0])
        variance, df = self._contrast_variance(values, domain, n_domains, coefficient, statistic)
        se = np.sqrt(variance)
        lower, upper, p_value, _ = _core.survey_t_test(
            np.array([estimate]), np.array([se]), np.array([df]), _inputs.number("conf", conf)
        )
        return pd.DataFrame(
            {
                "contrast": [estimate],
                "se": [se],
                "lower": lower,
                "upper": upper,
                "p_value": p_value,
                "df": [int(df)],
            }
        )

    def _contrast_variance(
        self,
        values: np.ndarray,
        domain: np.ndarray,
        n_domains: int,
        coefficient: np.ndarray,
        statistic: str,
    ) -> tuple[float, float]:
        """The variance of the contrast and the design df."""
        if self._replicates is not None:
            variance = self._replicates.contrast_variance(
                values, domain, n_domains, coefficient, self._weight, statistic
            )
            return variance, float(self._replicates.df)
        valid = ~np.isnan(values) & ~np.isnan(self._weight) & (domain != NO_CODE)
        code = np.where(valid, domain, n_domains).astype(np.intp)
        w = np.where(valid, self._weight, 0.0)
        y = np.where(valid, values, 0.0)
        weighted_n = np.bincount(code, weights=w, minlength=n_domains + 1)[:n_domains]
        total = np.bincount(code, weights=w * y, minlength=n_domains + 1)[:n_domains]
        d = np.minimum(code, n_domains - 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            if statistic == "total":
                z = coefficient[d] * w * y
            else:
                mean = total / weighted_n
                z = coefficient[d] * w * (y - mean[d]) / weighted_n[d]
        z[~valid] = 0.0
        covariance, df = self._influence_covariance(z[:, None], None, 1)
        return float(covariance[0, 0, 0]), float(df[0])

    def quantile(
        self,
        y: str,
        probabilities: float | Sequence[float] = 0.5,
        *,
        by: Columns = None,
        conf: float = 0.95,
    ) -> pd.DataFrame:
        """Quantiles of y per domain, as R survey 4.1's ``svyquantile`` defaults: the "math"
        rule (the smallest value whose cumulative weight share reaches p), Woodruff's interval
        (the interval of the share below the quantile, ``mean`` method with the design df,
        mapped back through the quantile rule) and ``se`` from the interval's width,
        ``(upper - lower) / (2 t_df)``. On a replicate design the share's standard error comes
        from the replicates, as R's ``svyquantile`` on a ``svyrep.design`` gives it.

        Returns the by-columns and ``probability, quantile, se, lower, upper, df``.

        Examples
        --------
        >>> import pandas as pd
        >>> sample = pd.DataFrame({"y": [3.0, 5.0, 4.0, 8.0, 6.0, 1.0], "w": [1.0, 2.0, 1.0, 2.0,
        ...     1.0, 1.0], "psu": [1, 1, 2, 2, 3, 3]})
        >>> q = survey_design(sample, weight="w", psu="psu").quantile("y", 0.5)
        >>> q[["probability", "quantile"]]
           probability  quantile
        0          0.5       5.0
        """
        data = self._data
        values = numeric_column(data, "y", y)
        probs = np.atleast_1d(np.asarray(probabilities, dtype=float))
        if probs.ndim != 1 or not np.all((probs >= 0) & (probs <= 1)):
            raise InputError(f"probabilities: give numbers between 0 and 1, got {probabilities!r}")
        conf = _inputs.number("conf", conf)
        domain, n_domains, labels = domain_codes(data, by)
        valid = ~np.isnan(values) & ~np.isnan(self._weight)
        if domain is not None:
            valid &= domain != NO_CODE
        code = np.zeros(len(values), dtype=np.intp) if domain is None else domain.astype(np.intp)
        order = _domain_value_order(values, np.where(valid, code, n_domains), n_domains)
        order = order[valid[order]]
        bounds = np.searchsorted(code[order], np.arange(n_domains + 1))
        rules = [
            _QuantileRule(values[order[a:b]], self._weight[order[a:b]])
            for a, b in itertools.pairwise(bounds)
        ]
        d_of = np.minimum(code, n_domains - 1)
        rows = []
        for p in probs:
            qhat = np.array([rule.at(p) for rule in rules])
            below = np.where(np.isnan(values), np.nan, 0.0)
            below[valid] = (values[valid] <= qhat[d_of[valid]]).astype(float)
            totals = self._totals(below[:, None], np.ones(len(values)), domain, n_domains)
            share = totals.estimate[:, 0]
            se_share = np.sqrt(totals.covariance[:, 0, 0])
            low_p, high_p = _t_interval(share, se_share, totals.df, conf)
            lower = np.array(
                [r.at(q) if q >= 0 else np.nan for r, q in zip(rules, low_p, strict=True)]
            )
            upper = np.array(
                [r.at(q) if q <= 1 else np.nan for r, q in zip(rules, high_p, strict=True)]
            )
            t = _t_quantiles(totals.df, conf)
            frame = labels.reset_index(drop=True)
            frame["probability"] = p
            frame["quantile"] = qhat
            frame["se"] = (upper - lower) / (2 * t)
            frame["lower"] = lower
            frame["upper"] = upper
            frame["df"] = totals.df.astype(np.int64)
            rows.append(frame)
        return pd.concat(rows, ignore_index=True)

    # -- tests --------------------------------------------------------------------------------

    def chisq(self, row: str, column: str, *, statistic: str = "F") -> pd.DataFrame:
        """R ``svychisq``: the Rao-Scott test of independence of two categorical columns.

        ``statistic="F"`` (R's default) gives the second-order corrected F with ``statistic,
        ndf, ddf, p_value``; ``"chisq"`` the first-order corrected chi-square with ``statistic,
        df, p_value``.

        Examples
        --------
        >>> import pandas as pd
        >>> sample = pd.DataFrame({"a": list("xyxyxyxyxyxy"), "b": list("ppqqpqpqqppq"),
        ...     "w": [1.0, 2.0] * 6, "psu": [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]})
        >>> test = survey_design(sample, weight="w", psu="psu").chisq("a", "b")
        >>> list(test.columns)
        ['statistic', 'ndf', 'ddf', 'p_value']
        """
        statistic = _inputs.choice("statistic", statistic)
        if statistic not in ("f", "chisq"):
            raise InputError(
                f"statistic: unknown value \"{statistic}\"; choose one of 'F', 'chisq'"
            )
        data = self._data
        rows_codes, row_labels = pd.factorize(get_column(data, "row", row), sort=True)
        col_codes, col_labels = pd.factorize(get_column(data, "column", column), sort=True)
        nr, nc = len(row_labels), len(col_labels)
        if nr < 2 or nc < 2:
            raise InputError("row, column: each needs at least two levels for a test")
        missing = (rows_codes < 0) | (col_codes < 0)
        cell = np.where(missing, 0, rows_codes * nc + col_codes)
        matrix = np.zeros((len(data), nr * nc))
        matrix[np.arange(len(data)), cell] = 1.0
        matrix[missing] = np.nan
        totals = self._totals(matrix, np.ones(len(data)), None, 1)
        mean = totals.estimate[0]
        v = totals.covariance[0]
        return rao_scott(mean, v, nr, nc, float(len(data)), float(self.df), statistic)

    # -- calibration --------------------------------------------------------------------------

    def _calibrated(
        self,
        weight: np.ndarray,
        adjustment: calibration.Adjustment,
        replicate_step: Callable[[np.ndarray], np.ndarray],
    ) -> SurveyDesign:
        """The design with calibrated weights `weight`. A Taylor design keeps the calibration
        step for its variance; a replicate design calibrates every replicate's weights by
        `replicate_step` as well (R ``calibrate.svyrep.design``, ``postStratify.svyrep.design``,
        ``rake``), and its variances come from the calibrated replicates."""
        if self._replicates is not None:
            reps = self._replicates
            weights = [replicate_step(w) for w in reps.weights]
            return SurveyDesign(
                self._data,
                self._with_weight(weight),
                weight,
                self._lonely,
                replicate.Replicates(
                    weights,
                    reps.method,
                    reps.scale,
                    reps.rscales,
                    reps.mse,
                    replicate.rank_df(weights),
                ),
                self._adjustments,
            )
        return SurveyDesign(
            self._data,
            self._with_weight(weight),
            weight,
            self._lonely,
            None,
            (*self._adjustments, adjustment),
        )

    def poststratify(self, column: str, totals: Mapping[Any, float]) -> SurveyDesign:
        """A post-stratified design (R ``postStratify``): each level's weights scaled to its
        population total, with R's post-stratified standard errors.

        Examples
        --------
        >>> import pandas as pd
        >>> sample = pd.DataFrame({"y": [1.0, 0.0, 1.0, 1.0], "sex": ["F", "F", "M", "M"],
        ...                        "w": [1.0, 1.0, 1.0, 1.0]})
        >>> ps = survey_design(sample, weight="w").poststratify("sex", {"F": 60, "M": 40})
        >>> ps.weights.tolist()
        [30.0, 30.0, 20.0, 20.0]
        """
        weight, adjustment = calibration.poststratify(
            self._data, self._weight, "column", column, totals
        )
        return self._calibrated(
            weight,
            adjustment,
            lambda w: calibration.poststratify(self._data, w, "column", column, totals)[0],
        )

    def rake(
        self,
        margins: Mapping[str, Mapping[Any, float]],
        *,
        max_iterations: int = 10,
        epsilon: float = 1.0,
    ) -> SurveyDesign:
        """A raked design (R ``rake``): post-stratified to each margin in turn until the joint
        table of weights changes by less than ``epsilon`` (R's ``control``; below 1, a fraction
        of the total weight) or ``max_iterations`` passes; standard errors as R's.

        Examples
        --------
        >>> import pandas as pd
        >>> sample = pd.DataFrame({"sex": list("FFMM"), "age": list("ayay"), "w": [1.0] * 4})
        >>> raked = survey_design(sample, weight="w").rake(
        ...     {"sex": {"F": 50, "M": 50}, "age": {"a": 40, "y": 60}})
        >>> raked.weights.round(1).tolist()
        [20.0, 30.0, 20.0, 30.0]
        """
        weight, adjustment, passes = calibration.rake(
            self._data, self._weight, margins, max_iterations, epsilon
        )
        return self._calibrated(
            weight, adjustment, lambda w: calibration.rake_passes(self._data, w, margins, passes)
        )

    def calibrate(
        self,
        totals: Mapping[str, Mapping[Any, float] | float],
        *,
        population_size: float | None = None,
    ) -> SurveyDesign:
        """A linearly calibrated (GREG) design (R ``calibrate(calfun = "linear")``).

        ``totals`` maps a categorical column to its level totals or a numeric column to its
        total; ``population_size`` adds an intercept with that total (R's ``(Intercept)``;
        implied when a categorical column is given). Standard errors are R's: the influence
        values' residuals on the calibration model.

        Examples
        --------
        >>> import pandas as pd
        >>> sample = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "w": [1.0] * 4})
        >>> cal = survey_design(sample, weight="w").calibrate({"x": 12.0}, population_size=5)
        >>> round(float(cal.weights.sum()), 6)
        5.0
        """
        weight, adjustment = calibration.linear(self._data, self._weight, totals, population_size)
        x, population = calibration.calibration_model(self._data, totals, population_size)
        return self._calibrated(
            weight, adjustment, lambda w: w * calibration.linear_g(x, w, population)
        )

    # -- replicates ---------------------------------------------------------------------------

    def as_replicate(
        self,
        method: str = "jk1",
        *,
        replicates: int = 50,
        seed: int | None = None,
        mse: bool = False,
        fay_rho: float = 0.0,
    ) -> SurveyDesign:
        """A replicate-weight design from this Taylor design, as R ``as.svrepdesign``:
        ``"jk1"`` (delete one PSU), ``"jkn"`` (delete one PSU within its stratum), ``"brr"``
        (balanced repeated replication over two PSUs per stratum, on R's Hadamard matrix),
        ``"fay"`` (BRR with Fay's ``fay_rho``, R's ``fay.rho``; the fpc is dropped, as R drops
        it) or ``"bootstrap"`` (Rao-Wu rescaled bootstrap of ``replicates`` replicates from
        ``seed``).

        Examples
        --------
        >>> import pandas as pd
        >>> sample = pd.DataFrame({"y": [3.0, 5.0, 4.0, 8.0], "w": [1.0] * 4, "psu": [1, 2, 3, 4]})
        >>> jk = survey_design(sample, weight="w", psu="psu").as_replicate("jk1")
        >>> jk.mean("y")[["mean", "se"]].round(4)
           mean      se
        0   5.0  1.0801
        """
        if self._replicates is not None:
            raise InputError("as_replicate: the design already has replicate weights")
        if self._adjustments:
            raise InputError("as_replicate: make the replicates before calibrating")
        reps = replicate.from_design(
            self._data,
            self._coded,
            self._weight,
            method,
            replicates=replicates,
            seed=seed,
            mse=mse,
            fay_rho=fay_rho,
        )
        return SurveyDesign(self._data, self._coded, self._weight, self._lonely, reps)


def _t_interval(
    estimate: np.ndarray, se: np.ndarray, df: np.ndarray, conf: float
) -> tuple[np.ndarray, np.ndarray]:
    """``estimate +/- t_df se`` (R ``confint(df = degf(design))``); the point where se is 0."""
    shape = np.shape(estimate)
    lower, upper, _, _ = _core.survey_t_test(
        np.ascontiguousarray(estimate, dtype=float),
        np.ascontiguousarray(se, dtype=float),
        np.ascontiguousarray(np.broadcast_to(df, shape), dtype=float),
        conf,
    )
    return lower, upper


def _t_quantiles(df: np.ndarray, conf: float) -> np.ndarray:
    """The upper t quantile of each df for a two-sided `conf` interval."""
    ones = np.ones(len(df))
    return _core.survey_t_test(ones, ones, np.ascontiguousarray(df, dtype=float), conf)[3]


def _srs_variance(
    matrix: np.ndarray,
    weight: np.ndarray,
    domain: np.ndarray | None,
    n_domains: int,
    *,
    total: bool,
) -> np.ndarray:
    """R ``deff = TRUE``'s SRS variance of each domain mean (or total): svyvar(y) (N - n) /
    (N n), svyvar the weighted variance with divisor n - 1 over the positive-weight rows."""
    valid = ~np.isnan(matrix).any(axis=1) & ~np.isnan(weight)
    if domain is not None:
        valid &= domain != NO_CODE
    code = np.zeros(len(weight), dtype=np.intp) if domain is None else domain.astype(np.intp)
    code = np.where(valid, code, n_domains)
    w = np.where(valid, weight, 0.0)
    y = np.where(valid[:, None], matrix, 0.0)

    def sums(v: np.ndarray) -> np.ndarray:
        return np.bincount(code, weights=v, minlength=n_domains + 1)[:n_domains]

    big_n = sums(w)
    n = sums((w > 0).astype(float))
    out = np.empty((n_domains, matrix.shape[1]))
    with np.errstate(invalid="ignore", divide="ignore"):
        for c in range(matrix.shape[1]):
            mean = sums(w * y[:, c]) / big_n
            spread = sums(w * (y[:, c] - mean[np.minimum(code, n_domains - 1)]) ** 2) / big_n
            svyvar = spread * n / (n - 1)
            srs = np.where(big_n < n, np.nan, svyvar * (big_n - n) / (big_n * n))
            out[:, c] = srs * big_n**2 if total else srs
    return out


def _domain_value_order(values: np.ndarray, code: np.ndarray, n_domains: int) -> np.ndarray:
    """The rows ordered by domain `code` (0..n_domains, the last for rows left out), then value,
    then row: ``np.lexsort((values, code))``, by one unstable sort of the values (stable only when
    two are equal) and a stable sort of the domain codes, which numpy does by radix for 16 bits."""
    order = np.argsort(values)
    ranked = values[order]
    if np.any(ranked[1:] == ranked[:-1]):
        order = np.argsort(values, kind="stable")
    if n_domains > 1:
        key = code[order].astype(np.uint16 if n_domains < 2**16 - 1 else np.intp)
        order = order[np.argsort(key, kind="stable")]
    return order


class _QuantileRule:
    """R survey's ``qrule_math`` over one domain's values (in increasing order) and weights:
    ``at(p)`` is the value at the last position whose cumulative weight is at most ``p`` of the
    total if it reaches p exactly, else the next value (zero weights dropped; the first position
    if none)."""

    def __init__(self, x: np.ndarray, w: np.ndarray) -> None:
        keep = w != 0
        self.x = x[keep]
        # R's cumsum() and sum() accumulate in long double and round each result to double.
        running = np.cumsum(w[keep].astype(np.longdouble))
        self.cumulative = running.astype(np.float64)
        self.total = float(running[-1]) if len(running) else np.nan

    def at(self, p: float) -> float:
        if len(self.x) == 0 or np.isnan(p):
            return np.nan
        pos = int(np.searchsorted(self.cumulative, p * self.total, side="right")) - 1
        pos = max(pos, 0)  # R's `last`: the first position when none is at most p
        if p - self.cumulative[pos] / self.total == 0:
            return float(self.x[pos])
        return float(self.x[min(pos + 1, len(self.x) - 1)])


def survey_design(
    data: pd.DataFrame,
    *,
    weight: str,
    strata: str | None = None,
    psu: Columns = None,
    fpc: Columns = None,
    lonely_psu: LonelyPsu = "fail",
    replicate_weights: str | Sequence[str] | None = None,
    replicate_method: str | None = None,
    scale: float | None = None,
    rscales: Sequence[float] | None = None,
    mse: bool = False,
) -> SurveyDesign:
    """A survey design: R ``svydesign`` (Taylor linearisation) or, with replicate weights,
    ``svrepdesign``. Every survey estimate in crimestats runs on one.

    Parameters
    ----------
    data
        One row per respondent.
    weight, strata, psu, fpc, lonely_psu
        As for :func:`crimestats.survey_share`: the sampling weight, the stratum column, the PSU
        column (a list per stage for multistage designs), the finite population correction,
        and the rule for strata with one PSU.
    replicate_weights
        The replicate weight columns: a list of names, or a prefix (a string naming no column;
        every column whose name starts with it, in the frame's order, as R's ``repweights =
        "wt[0-9]+"``). The design's variances then come from the replicates.
    replicate_method
        ``"jk1"``, ``"jkn"``, ``"brr"``, ``"fay"``, ``"bootstrap"`` or ``"sdr"`` (R's ``type``
        JK1, JKn, BRR, Fay, bootstrap, successive-difference).
    scale, rscales
        R's ``scale`` and ``rscales``: the variance is ``scale * sum(rscales * (theta_r -
        centre)^2)``. Defaults as R's: jk1 ``(R - 1) / R``, brr ``1 / R``, fay ``1 / (R (1 -
        rho)^2)`` (give ``scale`` for Fay; R's ``rho``), bootstrap ``1 / (R - 1)``, sdr ``4 / R``;
        jkn needs ``rscales`` (R's ``(n_h - 1) / n_h`` per replicate).
    mse
        Centre the replicates at the full-sample estimate (R's ``mse = TRUE``) rather than at
        their mean.

    Examples
    --------
    >>> import pandas as pd
    >>> sample = pd.DataFrame({"y": [3.0, 5.0, 4.0, 8.0], "w": [10.0, 10.0, 20.0, 20.0],
    ...                        "h": [1, 1, 2, 2]})
    >>> design = survey_design(sample, weight="w", strata="h")
    >>> design.mean("y")[["mean", "se"]].round(3)
        mean     se
    0  5.333  1.374
    """
    data = _inputs.as_pandas("data", data)
    if len(data) == 0:
        raise InputError("data: has no rows")
    lonely_psu = _inputs.choice("lonely_psu", lonely_psu)
    coded = design_codes(data, weight, strata, psu, fpc)
    reps = None
    if replicate_weights is not None or replicate_method is not None:
        if replicate_weights is None or replicate_method is None:
            raise InputError(
                "replicate_weights, replicate_method: give both for a replicate-weight design"
            )
        columns = _replicate_columns(data, replicate_weights)
        reps = replicate.given(
            [numeric_column(data, "replicate_weights", c) for c in columns],
            replicate_method,
            scale=scale,
            rscales=rscales,
            mse=mse,
        )
    elif scale is not None or rscales is not None or mse:
        raise InputError("scale, rscales, mse: apply to replicate weights; give replicate_weights")
    return SurveyDesign(data, coded, coded.weight, lonely_psu, reps)


def _replicate_columns(data: pd.DataFrame, replicate_weights: str | Sequence[str]) -> list[str]:
    if isinstance(replicate_weights, str) and replicate_weights not in data.columns:
        columns = [
            c for c in data.columns if isinstance(c, str) and c.startswith(replicate_weights)
        ]
        if not columns:
            raise InputError(
                f"replicate_weights: no column of data starts with {replicate_weights!r}"
            )
        return columns
    columns = column_list("replicate_weights", replicate_weights)
    for c in columns:
        get_column(data, "replicate_weights", c)
    if not columns:
        raise InputError("replicate_weights: give at least one replicate weight column")
    return columns


__all__ = ["SurveyDesign", "survey_design"]
