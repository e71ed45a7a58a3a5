"""Exact Poisson and binomial intervals on 1,000,000 rows: crimestats against scipy and statsmodels.

Both sides run in this process on the same arrays; the script prints each time, the ratio and the
largest relative difference between the answers. Run with `make bench` or `.venv/bin/python
bench/rates.py`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

import crimestats as cs

from _timing import best_of, rel_diff

ROWS = 1_000_000


def report(name: str, ours: float, theirs: float, peer: str, diff: float) -> None:
    print(
        f"{name:<44} crimestats {ours * 1e3:8.1f} ms   {peer} {theirs * 1e3:9.1f} ms   "
        f"{theirs / ours:7.1f}x   max rel diff {diff:.1e}"
    )


MEMORY_ROWS = 10_000_000


def peak_memory() -> None:
    """Peak memory of `rate` on 10,000,000 rows beyond what was in use before the call (run in a
    child process, so the inputs and nothing else are in memory; Linux's high-water mark of
    resident memory, reset just before the call)."""
    rng = np.random.default_rng(11)
    population = rng.uniform(2_000, 1_500_000, MEMORY_ROWS).round()
    count = rng.poisson(population * 0.01).astype(float)
    inputs = count.nbytes + population.nbytes

    def resident(field: str) -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) * 1024
        raise LookupError(field)

    for method in ("phe", "exact", "byar"):
        before = resident("VmRSS:")
        Path("/proc/self/clear_refs").write_text("5")  # reset the high-water mark
        result = cs.rate(count, population, method=method)
        peak = resident("VmHWM:") - before
        held = sum(result[c].to_numpy().nbytes for c in result.columns)
        print(
            f"  rate(method={method!r}) on {MEMORY_ROWS:,} rows: peak {peak / 1e6:,.0f} MB beyond "
            f"the inputs = {peak / inputs:.2f}x their {inputs / 1e6:,.0f} MB (the result frame "
            f"itself holds {held / 1e6:,.0f} MB = {held / inputs:.2f}x; working memory "
            f"{(peak - held) / inputs:.2f}x)"
        )
        del result


def main() -> None:
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    rng = np.random.default_rng(2025)
    # Area-month counts of one offence: populations of local areas, counts around their rates.
    population = rng.uniform(2_000, 1_500_000, ROWS).round()
    count = rng.poisson(population * rng.gamma(4.0, 0.0025, ROWS) / 12).astype(float)
    print(
        f"{ROWS:,} rows; {np.unique(count).size:,} distinct counts (median {np.median(count):.0f})"
    )

    t_ours, ours = best_of(3, lambda: cs.rate(count, population, per=1, method="exact"))

    def scipy_exact() -> tuple[np.ndarray, np.ndarray]:
        lower = np.where(count == 0, 0.0, stats.chi2.ppf(0.025, 2 * count) / 2) / population
        return lower, stats.chi2.ppf(0.975, 2 * count + 2) / 2 / population

    t_scipy, (lo, up) = best_of(1, scipy_exact)
    diff = max(rel_diff(ours["lower"], lo, atol=1e-15), rel_diff(ours["upper"], up, atol=1e-15))
    report("exact Poisson (Garwood) vs scipy chi2.ppf", t_ours, t_scipy, "scipy", diff)

    t_sm, (lo, up) = best_of(1, lambda: confint_poisson(count, population, method="exact-c"))
    diff = max(rel_diff(ours["lower"], lo, atol=1e-15), rel_diff(ours["upper"], up, atol=1e-15))
    report("exact Poisson vs statsmodels confint_poisson", t_ours, t_sm, "statsmodels", diff)

    # Proportions: outcomes of n offences per area-month (e.g. charged), n a few dozen to thousands.
    n = rng.poisson(rng.choice([12, 40, 150, 600], ROWS)).astype(float) + 1
    x = rng.binomial(n.astype(int), 0.08).astype(float)
    pairs = np.unique(np.stack([x, n]), axis=1).shape[1]
    print(f"{ROWS:,} rows; {pairs:,} distinct (x, n) pairs")
    for ours_method, sm_method, label in [
        ("exact", "beta", "Clopper-Pearson vs statsmodels beta"),
        ("wilson", "wilson", "Wilson vs statsmodels wilson"),
    ]:
        t_ours, got = best_of(3, lambda m=ours_method: cs.proportion(x, n, method=m))
        t_sm, (lo, up) = best_of(1, lambda m=sm_method: proportion_confint(x, n, method=m))
        diff = max(rel_diff(got["lower"], lo, atol=1e-15), rel_diff(got["upper"], up, atol=1e-15))
        report(label, t_ours, t_sm, "statsmodels", diff)

    # All-distinct pairs: nothing to share between rows, so this is the kernel's own speed.
    n = rng.integers(10, 1_000_000, ROWS).astype(float)
    x = rng.binomial(n.astype(int), rng.uniform(0.01, 0.99, ROWS)).astype(float)
    t_ours, got = best_of(1, lambda: cs.proportion(x, n, method="exact"))
    t_sm, (lo, up) = best_of(1, lambda: proportion_confint(x, n, method="beta"))
    diff = max(rel_diff(got["lower"], lo, atol=1e-15), rel_diff(got["upper"], up, atol=1e-15))
    report("Clopper-Pearson, all pairs distinct", t_ours, t_sm, "statsmodels", diff)


if __name__ == "__main__":
    if "--memory" in sys.argv:
        peak_memory()
    else:
        main()
        if Path("/proc/self/clear_refs").exists():
            print("peak memory (child process):")
            sys.stdout.flush()
            subprocess.run([sys.executable, __file__, "--memory"], check=True)
