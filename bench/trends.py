"""Trend tests of many series: crimestats.trend_test, all series in one call, against a loop over
statsmodels GLM, one fit per series.

10,000 series of 10 yearly counts (say, one offence in each neighbourhood of a force), with
populations as offsets. Both sides run in this process on the same series; the script prints the
time per series, the ratio and the largest relative difference between the rate ratios and
between the p-values. statsmodels is timed on a sample of the series (one fit each) and scaled.
Run with `make bench` or `.venv/bin/python bench/trends.py`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm

import crimestats as cs

from _timing import best_of, rel_diff

SERIES = 10_000
PERIODS = 10
SAMPLE = 500  # series statsmodels is timed on, one GLM fit each


def series(rng: np.random.Generator) -> pd.DataFrame:
    """Counts of 5 to 500 a year, some rising or falling, some overdispersed."""
    base = np.exp(rng.uniform(np.log(5), np.log(500), SERIES))
    slope = rng.normal(0, 0.03, SERIES)
    population = rng.uniform(1_000, 20_000, SERIES).round()
    year = np.arange(PERIODS)
    mu = (
        base[:, None]
        * np.exp(slope[:, None] * year[None, :])
        * rng.gamma(20, 1 / 20, (SERIES, PERIODS))
    )
    return pd.DataFrame(
        {
            "area": np.repeat(np.arange(SERIES), PERIODS),
            "year": np.tile(2015 + year, SERIES),
            "count": rng.poisson(mu).ravel().astype(float),
            "population": np.repeat(population, PERIODS),
        }
    )


def statsmodels_fits(data: pd.DataFrame, areas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A statsmodels Poisson GLM per series: the rate ratio per year and its p-value."""
    ratios, p_values = [], []
    groups = dict(tuple(data.groupby("area")))
    for area in areas:
        part = groups[area]
        x = sm.add_constant(part["year"].to_numpy(dtype=float) - 2015)
        fit = sm.GLM(
            part["count"].to_numpy(),
            x,
            family=sm.families.Poisson(),
            offset=np.log(part["population"].to_numpy()),
        ).fit(tol=1e-13, maxiter=100)
        ratios.append(np.exp(fit.params[1]))
        p_values.append(fit.pvalues[1])
    return np.array(ratios), np.array(p_values)


def main() -> None:
    data = series(np.random.default_rng(2019))
    ours_time, ours = best_of(
        5,
        lambda: cs.trend_test(
            data, count="count", population="population", period="year", by="area"
        ),
    )
    sample = np.arange(SAMPLE)
    peer_time, (ratios, p_values) = best_of(2, lambda: statsmodels_fits(data, sample))
    per_ours = ours_time / SERIES
    per_peer = peer_time / SAMPLE
    print(f"trend_test: {SERIES:,} series of {PERIODS} periods")
    print(f"  crimestats  {per_ours * 1e6:9.2f} us a series ({ours_time * 1e3:.1f} ms in all)")
    print(f"  statsmodels {per_peer * 1e6:9.2f} us a series (GLM fit per series)")
    print(f"  ratio       {per_peer / per_ours:9.1f}x")
    print(
        f"  largest relative difference: rate ratio "
        f"{rel_diff(ours['rate_ratio'][:SAMPLE], ratios):.1e}, p-value "
        f"{rel_diff(ours['p_value'][:SAMPLE], p_values):.1e}"
    )


if __name__ == "__main__":
    main()
