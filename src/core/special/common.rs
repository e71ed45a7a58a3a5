//! Numerical devices shared by the distribution rooms: constants, Chebyshev and
//! polynomial evaluation, error-free sums and double-double arithmetic, the modified Lentz
//! step of every continued fraction, and the one safeguarded Halley root-finder behind
//! every quantile.

/// ln(sqrt(2 pi)).
pub(super) const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
/// sqrt(2 pi).
pub(super) const SQRT_2PI: f64 = 2.506_628_274_631_000_5;
/// Guard against division by zero in the modified Lentz continued-fraction algorithm.
pub(super) const TINY: f64 = 1e-300;
/// Iteration cap for series and continued fractions; never reached for finite inputs
/// in the supported ranges, it only stops runaway loops on pathological arguments.
pub(super) const MAX_ITER: i32 = 1_000_000;

/// Evaluates a Chebyshev series `c[0] + sum c[k] T_k(t)` by Clenshaw's recurrence.
pub(super) fn chebyshev(c: &[f64], t: f64) -> f64 {
    let (mut b1, mut b2) = (0.0, 0.0);
    for &ck in c.iter().skip(1).rev() {
        let b0 = 2.0 * t * b1 - b2 + ck;
        b2 = b1;
        b1 = b0;
    }
    t * b1 - b2 + c[0]
}

/// Knuth's error-free sum: `s + e == a + b` exactly.
pub(super) fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// Horner evaluation of `c[0] + c[1] r + ...`.
pub(super) fn poly(c: &[f64], r: f64) -> f64 {
    let mut acc = 0.0;
    for &ck in c.iter().rev() {
        acc = acc * r + ck;
    }
    acc
}

/// The smallest positive double (a subnormal, 4.9e-324).
pub(super) const SMALLEST_SUBNORMAL: f64 = 5e-324;

/// Safeguarded Halley iteration for `F(x) = target` on `(lo, hi)`, `F` monotone
/// (increasing when `increasing`). `eval(x)` returns `(F(x), density, g)` where the
/// density is `|F'(x)|` and `g = F''(x) / F'(x)`. A step that would leave the bracket, or
/// any step while `F` is more than 4 times the target, is a Newton step on `ln F` against
/// `ln x` instead (exact for power-law tails, and fast where `F` falls exponentially),
/// and failing that a bisection.
///
/// Stopping: Halley's method leaves a relative error of about `kappa r^3` after a step
/// of relative size `r` (`kappa` is the caller's bound on the curvature scale, roughly
/// shape times `1 + z^2`, with a safety factor of 10). When `kappa r^3` is below 1e-17
/// (and, after the first step, the steps have been shrinking superlinearly) the last
/// step is taken and the iteration stops, which saves the confirming evaluation;
/// otherwise it stops when the step is below 1e-14 relative.
pub(super) fn solve<E: FnMut(f64) -> (f64, f64, f64)>(
    mut eval: E,
    target: f64,
    increasing: bool,
    x0: f64,
    bracket: (f64, f64),
    kappa: f64,
) -> f64 {
    let (mut lo, mut hi) = bracket;
    let mut x = x0;
    let mut last_r = f64::INFINITY;
    for _ in 0..100 {
        let (f, density, g) = eval(x);
        let diff = f - target;
        if diff == 0.0 || f.is_nan() {
            return x;
        }
        if (diff < 0.0) == increasing {
            lo = x;
        } else {
            hi = x;
            if x <= SMALLEST_SUBNORMAL {
                // Even the smallest positive double overshoots: the root underflows.
                return 0.0;
            }
        }
        let slope = if increasing { density } else { -density };
        let newton = diff / slope;
        let corr = 1.0 - 0.5 * newton * g;
        let step = if (0.5..=2.0).contains(&corr) {
            newton / corr
        } else {
            newton
        };
        let mut xn = x - step;
        let r = (step / x).abs();
        if r <= 1e-14 {
            // Converged; a step below the rounding of x must not trip the bracket test.
            return if xn > lo && xn < hi { xn } else { x };
        }
        // Far above the target (more than a factor 4) a step on F itself crawls where F
        // falls exponentially (by 1 / |ln F|' a step, hundreds of steps from 1e-45 to
        // 1e-300): step on ln F instead, below.
        let far = f > 4.0 * target;
        if xn > lo && xn < hi && !far {
            if r <= 10.0 * last_r * last_r && kappa * r * r * r <= 1e-17 {
                return xn;
            }
            last_r = r;
        } else {
            last_r = f64::INFINITY;
            // Newton on ln F versus ln x: F ~ c x^k in the tails.
            xn = if f > 0.0 && slope != 0.0 {
                x * (-(f / target).ln() * f / (x * slope)).exp()
            } else {
                f64::NAN
            };
            if xn == 0.0 && lo == 0.0 {
                // The power law puts the root below the smallest double; confirm there.
                xn = SMALLEST_SUBNORMAL;
            }
            if !(xn > lo && xn < hi) {
                xn = if hi == f64::INFINITY {
                    4.0 * x.max(lo)
                } else if lo > 0.0 {
                    (lo * hi).sqrt()
                } else {
                    0.125 * hi
                };
            }
        }
        x = xn;
    }
    x
}

/// The arithmetic of [`lentz_step`] and the continued fractions built on it: `f64`, or
/// [`Dd`] where a fraction's denominators cancel and double precision would lose digits.
pub(super) trait Real: Copy {
    fn of(x: f64) -> Self;
    fn plus(self, o: Self) -> Self;
    fn times(self, o: Self) -> Self;
    fn over(self, o: Self) -> Self;
    /// The leading double.
    fn lead(self) -> f64;
    /// Whether a Lentz factor is 1 to this type's precision (the fraction has converged).
    fn is_unit(self) -> bool;
}

impl Real for f64 {
    fn of(x: f64) -> Self {
        x
    }
    fn plus(self, o: Self) -> Self {
        self + o
    }
    fn times(self, o: Self) -> Self {
        self * o
    }
    fn over(self, o: Self) -> Self {
        self / o
    }
    fn lead(self) -> f64 {
        self
    }
    fn is_unit(self) -> bool {
        (self - 1.0).abs() <= f64::EPSILON
    }
}

impl Real for Dd {
    fn of(x: f64) -> Self {
        Dd::from(x)
    }
    fn plus(self, o: Self) -> Self {
        self.add(o)
    }
    fn times(self, o: Self) -> Self {
        self.mul(o)
    }
    fn over(self, o: Self) -> Self {
        self.div(o)
    }
    fn lead(self) -> f64 {
        self.0
    }
    fn is_unit(self) -> bool {
        (self.0 - 1.0).abs() + self.1.abs() <= 1e-17
    }
}

/// `v`, or [`TINY`] where `v` is closer to 0: the modified Lentz algorithm's guard against
/// a zero denominator.
pub(super) fn away_from_zero<T: Real>(v: T) -> T {
    if v.lead().abs() < TINY {
        T::of(TINY)
    } else {
        v
    }
}

/// One step of the modified Lentz algorithm (Thompson & Barnett 1986) for a continued
/// fraction `b0 + a1 / (b1 + a2 / (b2 + ...))`: given the partial numerator `a` and
/// denominator `b` of the next level, updates the ratios `c = A_n / A_(n-1)` and
/// `d = B_(n-1) / B_n` of successive numerators and denominators (each kept away from
/// zero) and returns `c d`, the factor that takes the convergent from level `n - 1` to `n`.
pub(super) fn lentz_step<T: Real>(a: T, b: T, c: &mut T, d: &mut T) -> T {
    *d = away_from_zero(b.plus(a.times(*d)));
    *c = away_from_zero(b.plus(a.over(*c)));
    *d = T::of(1.0).over(*d);
    c.times(*d)
}

/// Double-double number `hi + lo` with `|lo| <= ulp(hi) / 2`.
#[derive(Clone, Copy)]
pub(super) struct Dd(pub(super) f64, pub(super) f64);

impl Dd {
    pub(super) fn from(x: f64) -> Self {
        Dd(x, 0.0)
    }
    /// Normalizes `hi + lo` given `|hi| >= |lo|` (Dekker's fast two-sum).
    pub(super) fn norm(hi: f64, lo: f64) -> Self {
        let s = hi + lo;
        Dd(s, lo - (s - hi))
    }
    pub(super) fn add(self, o: Dd) -> Dd {
        let (s, e) = two_sum(self.0, o.0);
        Dd::norm(s, e + self.1 + o.1)
    }
    pub(super) fn mul(self, o: Dd) -> Dd {
        let p = self.0 * o.0;
        let e = self.0.mul_add(o.0, -p) + (self.0 * o.1 + self.1 * o.0);
        Dd::norm(p, e)
    }
    pub(super) fn div(self, o: Dd) -> Dd {
        let q1 = self.0 / o.0;
        let r = self.add(o.mul(Dd::from(-q1)));
        let q2 = r.0 / o.0;
        Dd::norm(q1, q2)
    }
}

/// Root of `g(x) = target` for `g` decreasing on [lo, hi], by Newton steps kept inside a
/// shrinking bracket (bisection when a step would leave it). The root-finder of the interval
/// kernels whose function has no cheap second derivative (the mid-p intervals); the quantiles
/// here use [`solve`].
pub fn solve_decreasing(
    g: impl Fn(f64) -> f64,
    slope: impl Fn(f64) -> f64,
    target: f64,
    mut lo: f64,
    mut hi: f64,
) -> f64 {
    let mut x = 0.5 * (lo + hi);
    for _ in 0..200 {
        let diff = g(x) - target;
        if diff == 0.0 {
            return x;
        }
        if diff > 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let step = diff / slope(x);
        let mut next = x - step;
        if !(next > lo && next < hi && step.is_finite()) {
            next = 0.5 * (lo + hi);
        }
        if (next - x).abs() <= 1e-15 * x.abs() || hi - lo <= 1e-15 * hi.abs() {
            return next;
        }
        x = next;
    }
    x
}
