"""50-digit reference values for the exact test's two-sided binomial p-value (R `binom.test`'s
rule, scipy `binomtest`'s), printed as the Rust table BINOM_TEST of golden.rs beside this file.

The p-value of x successes in n trials with probability p is the probability of every count no
more probable than x, within R's relative tolerance 1e-7: P(X <= x) + P(X >= y) for x below the
mean n p, with y the first count from ceil(n p) up whose probability is at most
P(X = x) (1 + 1e-7) (mirrored above the mean), capped at 1. Here every probability is
exp(ln n! - ln x! - ln (n-x)! + x ln p + (n-x) ln(1-p)) from mpmath's log-gamma at 50 digits,
with p the exact binary value of the double; y is found by bisection on those probabilities,
and each tail is summed outward by the exact ratio of neighbours until the terms fall below
1e-60 of the sum. A case whose boundary count lies within 1e-12 (relative) of the tolerance is
refused: double precision could not decide it.

The cases cover every route of `binom_test_two_sided`: small totals, counts within a few
standard deviations of the mean (p-values near 1), far tails summed and far tails from the
incomplete beta function, lopsided exposures (p from 1e-70 to 0.5), x at 0 and at n, and
p-values down to 1e-300 and below.

Run: `.venv/bin/python src/core/changes/binomial_test/golden.py` (about half a minute).
"""

from __future__ import annotations

import mpmath as mp

mp.mp.dps = 50
REL_ERR = 1 + mp.mpf("1e-7")


def log_pmf(k: int, n: int, p: mp.mpf) -> mp.mpf:
    if p == 0:
        return mp.mpf(0) if k == 0 else -mp.inf
    return (
        mp.loggamma(n + 1)
        - mp.loggamma(k + 1)
        - mp.loggamma(n - k + 1)
        + k * mp.log(p)
        + (n - k) * mp.log1p(-p)
    )


def tail(k: int, n: int, p: mp.mpf, upward: bool) -> mp.mpf:
    """P(X >= k) when `upward`, else P(X <= k), summed outward from P(X = k)."""
    q = 1 - p
    term = mp.exp(log_pmf(k, n, p))
    total = term
    i = k
    while (i < n) if upward else (i > 0):
        if upward:
            term *= mp.mpf(n - i) / (i + 1) * p / q
            i += 1
        else:
            term *= mp.mpf(i) / (n - i + 1) * q / p
            i -= 1
        total += term
        if term < total * mp.mpf("1e-60"):
            break
    return total


def p_value(x: int, n: int, p_float: float) -> mp.mpf:
    p = mp.mpf(p_float)
    m = n * p
    if x == m:
        return mp.mpf(1)
    log_d = log_pmf(x, n, p) + mp.log(REL_ERR)

    def qualifies(k: int) -> bool:
        margin = log_pmf(k, n, p) - log_d
        if abs(margin) < mp.mpf("1e-12"):
            raise ValueError(f"count {k} of ({x}, {n}, {p_float}) is on the tolerance")
        return margin <= 0

    if x < m:
        # First count from ceil(m) up that qualifies (probabilities fall there), n + 1 if none.
        lo, hi = int(mp.ceil(m)), n + 1
        while lo < hi:
            mid = (lo + hi) // 2
            if qualifies(mid):
                hi = mid
            else:
                lo = mid + 1
        far = tail(lo, n, p, upward=True) if lo <= n else 0
        total = tail(x, n, p, upward=False) + far
    else:
        # Last count up to floor(m) that qualifies (probabilities rise there), -1 if none.
        lo, hi = -1, int(mp.floor(m))
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if qualifies(mid):
                lo = mid
            else:
                hi = mid - 1
        far = tail(lo, n, p, upward=False) if lo >= 0 else 0
        total = far + tail(x, n, p, upward=True)
    return min(total, mp.mpf(1))


def near(n: int, p: float, target: float) -> int:
    """The count below the mean whose p-value is nearest `target` (by bisection on x)."""
    lo, hi = 0, int(n * p)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if p_value(mid, n, p) < target:
            lo = mid
        else:
            hi = mid
    return hi


CASES: list[tuple[int, int, float]] = [
    # Small totals.
    (3, 10, 0.5),
    (0, 10, 0.3),
    (10, 10, 0.3),
    (7, 20, 0.123),
    (50, 101, 0.5),
    (100, 240, 0.4999),
    (175, 248, 0.25797064961609956),
    (111, 115, 0.12606461387479911),
    (72, 102, 0.0001924626258081321),
    (256, 256, 0.5),
    # The founding report, R poisson.test(c(5108, 4949)): both directions.
    (5108, 10057, 0.5),
    (4949, 10057, 0.5),
    # Thousands: near the mean, and far tails.
    (1950, 4000, 0.4999),
    (1990, 4000, 0.5),
    (160, 1342, 0.03375328658497365),
    (376, 1317, 0.10241323566689939),
    (214, 2075, 0.008980178698382814),
    (157, 2002, 0.0008872260078843716),
    (219, 423, 0.013707324643316596),
    # Tens of thousands (the area-year pairs): p-values near 1, moderate and far.
    (19999, 40000, 0.5),
    (19950, 40000, 0.4999),
    (20060, 40000, 0.4999),
    (19900, 40000, 0.4999),
    (19800, 40000, 0.4999),
    (19500, 40000, 0.4999),
    (20600, 40000, 0.503),
    (17400, 40000, 0.4999),
    (17400, 40000, 0.5),
    # Large totals.
    (500_300, 1_000_000, 0.5),
    (499_000, 1_000_000, 0.4993),
    (502_500, 1_000_000, 0.4993),
    (4_990_000, 10_000_000, 0.5),
    (3_000_100, 10_000_000, 0.3),
    # Lopsided exposures.
    (80, 100_000, 0.001),
    (100, 100_000, 0.001),
    (131, 100_000, 0.001),
    (3, 10_000_000, 1e-6),
    (25, 10_000_000, 1e-6),
    (0, 3_000_000, 1e-6),
    (1, 1000, 1e-70),
    (2, 5_000, 2.5e-5),
    # x at 0 and at n.
    (0, 300, 0.01),
    (1, 300, 0.01),
    (300, 300, 0.99),
    (0, 2000, 0.3),
    (2000, 2000, 0.7),
    (0, 40000, 0.0001),
]

TARGETS = [(2000, 0.5), (40000, 0.4999), (1_000_000, 0.3)]


def main() -> None:
    cases = list(CASES)
    # p-values near 1e-280, 1e-300 and 1e-306 (subnormal below 2.2e-308).
    for n, p in TARGETS:
        for target in (1e-280, 1e-300, 1e-306):
            cases.append((near(n, p, target), n, p))
    print("/// Golden values (x, n, p, expected p-value) of R `binom.test`'s two-sided rule:")
    print("/// 50-digit sums from `golden.py` beside this file (log-gamma probabilities, exact")
    print("/// ratios).")
    print("pub(super) const BINOM_TEST: &[(f64, f64, f64, f64)] = &[")
    for x, n, p in cases:
        value = p_value(x, n, p)
        expected = mp.nstr(value, 17, min_fixed=0, max_fixed=0)
        print(f"    ({float(x)!r}, {float(n)!r}, {p!r}, {expected}),")
    print("];")


if __name__ == "__main__":
    main()
