"""Tests of a change in a Poisson rate: crimestats, vectorised, against statsmodels, pair by pair.

statsmodels `test_poisson_2indep` takes one pair per call (its exact and mid-p tests call scipy's
`binomtest`, which takes one count), so an analyst loops over rows. Both sides run in this
process on the same pairs; the script prints the time per pair, the ratio and the largest relative
difference between the p-values, then times the exact test on 1,000,000 pairs on one core (in a
child process started with RAYON_NUM_THREADS=1). Run with `make bench` or `.venv/bin/python
bench/changes.py`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import numpy as np
from statsmodels.stats import rates as sm_rates

import crimestats as cs

from _timing import best_of, rel_diff

ROWS = 1_000_000
SAMPLE = 1_000  # pairs statsmodels is timed on, one call each
METHODS = {"score": "score", "wald": "wald", "exact": "exact-cond", "midp": "cond-midp"}


def neighbourhood_months(rng: np.random.Generator, rows: int) -> tuple[np.ndarray, ...]:
    """police.uk-style pairs: one crime type in one neighbourhood (LSOA), this month against
    last, with the neighbourhood's population as exposure; counts of 0 to a few dozen."""
    population = rng.integers(1_000, 3_000, rows).astype(float)
    mean = rng.gamma(0.8, 4.0, rows)
    previous = rng.poisson(mean).astype(float)
    current = rng.poisson(mean * rng.uniform(0.8, 1.25, rows)).astype(float)
    return current, previous, population, population * rng.uniform(0.99, 1.01, rows).round(3)


def area_years(rng: np.random.Generator, rows: int) -> tuple[np.ndarray, ...]:
    """Local-authority or force pairs, year on year: counts 10 to 20,000, all pairs distinct."""
    mean = np.exp(rng.uniform(np.log(10), np.log(20_000), rows))
    previous = rng.poisson(mean).astype(float)
    current = rng.poisson(mean * rng.uniform(0.9, 1.1, rows)).astype(float)
    population = rng.uniform(50_000, 2_000_000, rows).round()
    return current, previous, population, (population * rng.uniform(0.98, 1.03, rows)).round()


def compare_with_statsmodels() -> None:
    rng = np.random.default_rng(2025)
    x1, x0, t1, t0 = neighbourhood_months(rng, ROWS)
    both = (x1 > 0) | (x0 > 0)  # statsmodels and scipy refuse a pair with no events
    x1, x0, t1, t0 = x1[both], x0[both], t1[both], t0[both]
    rows = len(x1)
    pairs = np.unique(np.stack([x1, x0]), axis=1).shape[1]
    print(f"{rows:,} neighbourhood-month pairs (exposures: populations); {pairs:,} distinct counts")
    pick = rng.choice(rows, SAMPLE, replace=False)
    per_call: dict[str, float] = {}
    for ours, theirs in METHODS.items():
        t_ours, got = best_of(
            7,
            lambda m=ours: cs.test_change(
                x1, x0, exposure_current=t1, exposure_previous=t0, method=m
            ),
        )

        def statsmodels_loop(m: str = theirs) -> np.ndarray:
            return np.array(
                [
                    sm_rates.test_poisson_2indep(
                        int(x1[i]), t1[i], int(x0[i]), t0[i], method=m
                    ).pvalue
                    for i in pick
                ]
            )

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_sm, p_sm = best_of(3, statsmodels_loop)
        per_ours, per_sm = t_ours / rows, t_sm / SAMPLE
        per_call[ours] = per_sm
        diff = rel_diff(got["p_value"].to_numpy()[pick], p_sm)
        print(
            f"  {ours:<6} crimestats {per_ours * 1e9:8.1f} ns/pair ({t_ours * 1e3:6.1f} ms for "
            f"{rows:,})   statsmodels {per_sm * 1e6:7.1f} us/pair   {per_sm / per_ours:8.0f}x   "
            f"p-values agree to {diff:.1e}"
        )
    # The score interval: statsmodels inverts its test numerically (optimize.fmin), pair by pair.
    small = pick[:200]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_ci, _ = best_of(
            1,
            lambda: [
                sm_rates.confint_poisson_2indep(
                    int(x1[i]), t1[i], int(x0[i]), t0[i], method="score"
                )
                for i in small
            ],
        )
    t_ours, _ = best_of(
        3,
        lambda: cs.test_change(x1, x0, exposure_current=t1, exposure_previous=t0, method="score"),
    )
    print(
        f"  score test and interval: crimestats {t_ours / rows * 1e9:.1f} ns/pair, statsmodels "
        f"test {1e6 * per_call['score']:.0f} us + confint {1e6 * t_ci / len(small):.0f} us per pair"
    )


def one_core() -> None:
    """The exact test on 1,000,000 pairs with one thread (run in a child process)."""
    rng = np.random.default_rng(7)
    for label, make in [
        ("neighbourhood months (counts repeat)", neighbourhood_months),
        ("area years (all pairs distinct)", area_years),
    ]:
        x1, x0, t1, t0 = make(rng, ROWS)
        for exposures in ("counts", "populations"):
            kwargs = (
                {} if exposures == "counts" else {"exposure_current": t1, "exposure_previous": t0}
            )
            t, got = best_of(
                2, lambda a=x1, b=x0, k=kwargs: cs.test_change(a, b, method="exact", **k)
            )
            print(
                f"  exact, {ROWS:,} {label}, {exposures}: {t:.3f} s on one core "
                f"({t / ROWS * 1e9:.0f} ns/pair; {int(got['significant'].sum()):,} significant)"
            )


def main() -> None:
    # Timings move with other work on the machine; print its load so a reader can judge them.
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    compare_with_statsmodels()
    child = dict(os.environ, RAYON_NUM_THREADS="1")
    print("exact test, one core (RAYON_NUM_THREADS=1):")
    sys.stdout.flush()
    subprocess.run([sys.executable, __file__, "--one-core"], env=child, check=True)


if __name__ == "__main__":
    if "--one-core" in sys.argv:
        one_core()
    else:
        main()
