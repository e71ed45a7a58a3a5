"""The coefficients d_n of DiDonato & Morris's (1992) BASYM expansion (Temme's uniform asymptotic
expansion of the incomplete beta function) as exact polynomials in h = min(a, b) / max(a, b),
printed as the Rust table BASYM_D of tables.rs.

BASYM computes the d_n for each (a, b) by a recurrence that costs O(n^3) operations (the series of
the expansion raised to the powers -(n + 1) / 2, then its reciprocal). Every quantity in it is
graded by weight: the expansion's coefficients are, for a <= b,

    a0_k = 2 / (k + 2) * (1 - h + h^2 - ... + (-h)^k),

(DiDonato & Morris write them as 2 r0 (1 + h^(k+1)) / (k + 2) for even k and
2 r1 (1 + h^2 + ... + h^(k-1)) / (k + 2) for odd k, r0 = 1 / (1 + h), r1 = (b - a) / b), so d_n is
a polynomial of degree n in h with rational coefficients. The same recurrence is run here in exact
rational arithmetic on those polynomials. For a > b the odd d_n change sign (r1 < 0).

Run: `python3 src/core/special/tests/basym_coefficients.py` (a second; standard library only).
"""

from __future__ import annotations

from fractions import Fraction

TERMS = 21

Poly = list[Fraction]


def mul(p: Poly, q: Poly) -> Poly:
    out = [Fraction(0)] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        for j, b in enumerate(q):
            out[i + j] += a * b
    return out


def add(p: Poly, q: Poly) -> Poly:
    n = max(len(p), len(q))
    return [(p[i] if i < len(p) else 0) + (q[i] if i < len(q) else 0) for i in range(n)]


def scale(c: Fraction, p: Poly) -> Poly:
    return [c * x for x in p]


def coefficients() -> list[Poly]:
    """d_1 .. d_TERMS (BASYM sums up to d_21), each as its coefficients in h from h^0 up."""
    a0 = [[]] + [
        [Fraction(2 * (-1) ** j, k + 2) for j in range(k + 1)] for k in range(1, TERMS + 1)
    ]
    c: list[Poly] = [[]] * (TERMS + 1)
    d: list[Poly] = [[]] * (TERMS + 1)
    for i in range(1, TERMS + 1):
        # b0: the series of the expansion raised to the power r (J. C. P. Miller's recurrence).
        r = Fraction(-(i + 1), 2)
        b0: list[Poly] = [[]] * (i + 1)
        b0[1] = scale(r, a0[1])
        for m in range(2, i + 1):
            acc: Poly = [Fraction(0)]
            for j in range(1, m):
                acc = add(acc, scale(j * r - (m - j), mul(a0[j], b0[m - j])))
            b0[m] = add(scale(r, a0[m]), scale(Fraction(1, m), acc))
        c[i] = scale(Fraction(1, i + 1), b0[i])
        acc = [Fraction(0)]
        for j in range(1, i):
            acc = add(acc, mul(d[i - j], c[j]))
        d[i] = scale(Fraction(-1), add(acc, c[i]))
    return d[1:]


def check(d: list[Poly]) -> None:
    """d_1 = (1 - h) / 3 and d_2 = (1 + h + h^2) / 12 (DiDonato & Morris's first terms), and the odd
    ones vanish at h = 1 (a = b, where the expansion is symmetric)."""
    assert d[0] == [Fraction(1, 3), Fraction(-1, 3)]
    assert d[1] == [Fraction(1, 12)] * 3
    for n in range(1, TERMS + 1, 2):
        assert sum(d[n - 1]) == 0


def main() -> None:
    d = coefficients()
    check(d)
    print("/// DiDonato & Morris's (1992) BASYM coefficients, d_n = sum_k BASYM_D[n - 1][k] h^k")
    print("/// for a <= b, h = a / b: exact rationals rounded once (tests/basym_coefficients.py).")
    print(f"pub(super) const BASYM_D: [&[f64]; {TERMS}] = [")
    for p in d:
        # As rustfmt lays it out: on one line where the array is at most 60 characters.
        array = "&[" + ", ".join(repr(float(x)) for x in p) + "]"
        if len(array) <= 60:
            print(f"    {array},")
        else:
            print("    &[\n" + "".join(f"        {float(x)!r},\n" for x in p) + "    ],")
    print("];")


if __name__ == "__main__":
    main()
