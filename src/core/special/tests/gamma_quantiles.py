"""Golden gamma quantiles at 50 digits for src/core/special/tests/golden.rs (GAMMA_QUANTILES).

For each shape a and probability p (a double, taken exactly), the lower quantile x with
P(a, x) = p and the upper quantile x with Q(a, x) = p, solved by mpmath at 50 digits and rounded
to the nearest double. Probabilities near 1 are the doubles 1 - 1e-8 and 1 - 1e-16 as they round;
their complements are formed exactly. Run from the repository's root:

    .venv/bin/python src/core/special/tests/gamma_quantiles.py
"""

from __future__ import annotations

import mpmath as mp

mp.mp.dps = 50

SHAPES = [10.0, 31.5, 100.0, 1000.0, 12345.5, 1e5, 1e7]
PROBABILITIES = [1e-300, 1e-100, 1e-20, 1e-8, 0.025, 0.5, 1 - 1e-8, 1 - 1e-16]


def quantile(a: mp.mpf, target: mp.mpf, upper: bool) -> mp.mpf:
    """x with P(a, x) = target (Q when upper), target <= 1/2, by Newton steps on ln P (ln Q)."""

    def tail(x: mp.mpf) -> mp.mpf:
        if upper:
            return mp.gammainc(a, x, mp.inf, regularized=True)
        # x^a e^-x / Gamma(a + 1) 1F1(1; a + 1; x): the series of positive terms, which at
        # a = 1e7 needs more terms than gammainc allows itself.
        prefactor = mp.exp(a * mp.log(x) - x - mp.loggamma(a + 1))
        return prefactor * mp.hyp1f1(1, a + 1, x, maxterms=10**7)

    # A start from the normal approximation or the lower power law, then Newton on ln x.
    z = mp.sqrt(-2 * mp.log(target)) if target < 1e-40 else mp.sqrt(2) * mp.erfinv(1 - 2 * target)
    x = a + (z if upper else -z) * mp.sqrt(a)
    if x <= 0 or (not upper and x < a / 4):
        x = mp.exp((mp.log(target) + mp.loggamma(a + 1)) / a)
    if upper and x < a:
        x = a
    for _ in range(200):
        f = tail(x)
        density = mp.exp((a - 1) * mp.log(x) - x - mp.loggamma(a))
        # d ln f / d ln x = -+ x density / f
        slope = (-1 if upper else 1) * x * density / f
        step = (mp.log(f) - mp.log(target)) / slope
        step = max(min(step, mp.mpf(1)), mp.mpf(-1))
        x = x * mp.exp(-step)
        if abs(step) < mp.mpf(10) ** -45:
            break
    else:
        raise RuntimeError(f"no convergence at a={a}, target={target}, upper={upper}")
    return x


def main() -> None:
    print("// (p, a, lower quantile, upper quantile): mpmath", mp.__version__, "at 50 digits,")
    print("// src/core/special/tests/gamma_quantiles.py.")
    for a in SHAPES:
        for p in PROBABILITIES:
            pa, aa = mp.mpf(p), mp.mpf(a)
            if p <= 0.5:
                lower, upper = quantile(aa, pa, False), quantile(aa, pa, True)
            else:
                lower, upper = quantile(aa, 1 - pa, True), quantile(aa, 1 - pa, False)
            print(f"    ({p!r}, {a!r}, {float(lower)!r}, {float(upper)!r}),")


if __name__ == "__main__":
    main()
