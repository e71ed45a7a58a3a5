//! The regularized incomplete beta function, its complement and its quantiles.

use super::common::{
    away_from_zero, lentz_step, poly, solve, two_sum, Dd, Real, MAX_ITER, SMALLEST_SUBNORMAL,
};
use super::gamma::{gamma_pq, ln_gamma, neg_bd0, stirlerr};
use super::normal::{erfcx_nonneg, norm_ppf};
use super::tables::BASYM_D;
use std::f64::consts::{FRAC_2_SQRT_PI, PI};

/// sqrt(pi).
const SQRT_PI: f64 = 1.772_453_850_905_516;

/// The deviance `D = a ln(a / (n x)) + b ln(b / (n y)) >= 0` of the binomial-type
/// prefactor, `n = a + b`: `x^a y^b / B(a, b) = sqrt(a b / (2 pi n)) exp(C - D)` with
/// `C = stirlerr(n) - stirlerr(a) - stirlerr(b)` (Loader 2000, `dbinom_raw`:
/// `D = bd0(a, n x) + bd0(b, n y)`). `x + y = 1`; the smaller of the two is taken as exact
/// and the deviation `n x - a = -(n y - b)` is formed from it with error-free products,
/// so that `b ln y` is never computed from a rounded `y = 1 - x` (which would cost
/// `b * 1e-16` when `b` is large).
///
/// Returns `(D, n x - a)`.
fn binom_deviance(a: f64, b: f64, x: f64, y: f64) -> (f64, f64) {
    let (n, n_err) = two_sum(a, b);
    let (dev, ma, mb) = if x <= y {
        let hi = n * x;
        let lo = n.mul_add(x, -hi);
        let dev = (hi - a) + lo + n_err * x;
        (dev, hi, b - dev)
    } else {
        let hi = n * y;
        let lo = n.mul_add(y, -hi);
        let devb = (hi - b) + lo + n_err * y;
        (-devb, a - devb, hi)
    };
    (-(neg_bd0(a, dev, ma) + neg_bd0(b, -dev, mb)), dev)
}

/// `stirlerr(a + b) - stirlerr(a) - stirlerr(b)`, the `ln` of the ratio of `1 / B(a, b)`
/// to its Stirling approximation.
fn stirling_beta_corr(a: f64, b: f64) -> f64 {
    stirlerr(a + b) - stirlerr(a) - stirlerr(b)
}

/// Exponent `E = C - D` of the binomial-type prefactor
/// `x^a y^b / B(a, b) = sqrt(a b / (2 pi n)) exp(E)` (see [`binom_deviance`]).
pub(super) fn binom_exponent(a: f64, b: f64, x: f64, y: f64) -> f64 {
    stirling_beta_corr(a, b) - binom_deviance(a, b, x, y).0
}

/// `x^a y^b / B(a, b)` (see [`binom_exponent`]).
fn beta_prefactor(a: f64, b: f64, x: f64, y: f64) -> f64 {
    let n = a + b;
    binom_exponent(a, b, x, y).exp() * ((a / n) * (b / (2.0 * PI))).sqrt()
}

/// Continued fraction for `I_x(a, b) a B(a, b) / (x^a y^b)` (the classical even/odd
/// form, modified Lentz); converges rapidly for `x < (a + 1) / (a + b + 2)`. Used in
/// double-double arithmetic ([`Dd`]), coefficients included, where the fraction's
/// denominators cancel (see [`beta_cf_side`]); in `f64` the fraction is
/// [`beta_cf_wallis`].
fn beta_cf<T: Real>(a: f64, b: f64, x: T) -> f64 {
    let one = T::of(1.0);
    let minus_one = T::of(-1.0);
    let (ta, tb) = (T::of(a), T::of(b));
    let qab = ta.plus(tb);
    let qap = ta.plus(one);
    let qam = ta.plus(minus_one);
    let mut c = one;
    // The first convergent, 1 / (1 - (a + b) x / (a + 1)).
    let mut d = one.over(away_from_zero(
        one.plus(qab.times(x).over(qap).times(minus_one)),
    ));
    let mut h = d;
    for i in 1..MAX_ITER {
        let m = T::of(f64::from(i));
        let m2 = T::of(2.0 * f64::from(i));
        let am2 = ta.plus(m2);
        // aa = m (b - m) x / ((a - 1 + 2m) (a + 2m))
        let aa = m
            .times(tb.plus(m.times(minus_one)))
            .times(x)
            .over(qam.plus(m2).times(am2));
        h = h.times(lentz_step(aa, one, &mut c, &mut d));
        // aa = -(a + m) (a + b + m) x / ((a + 2m) (a + 1 + 2m))
        let aa = ta
            .plus(m)
            .times(qab.plus(m))
            .times(x)
            .over(am2.times(qap.plus(m2)))
            .times(minus_one);
        let del = lentz_step(aa, one, &mut c, &mut d);
        h = h.times(del);
        if del.is_unit() {
            break;
        }
    }
    h.lead()
}

/// `(I_x(a, b), 1 - I_x(a, b), x^a y^b / B(a, b))` for `a, b > 0`, `0 < x < 1`,
/// `x + y = 1`. The continued fraction runs on whichever side converges; the other
/// value is its complement, which is then the larger one and loses nothing.
///
/// Exception: when the side the continued fraction would use has a large parameter
/// against a small one (its argument then lies close to 1), the fraction's first
/// denominators nearly cancel and it loses up to five digits. That tail is taken instead
/// from the small-parameter side by [`beta_tail_small_param`].
pub(super) fn beta_core(a: f64, b: f64, x: f64, y: f64) -> (f64, f64, f64) {
    beta_core_with(a, b, x, y, &mut None)
}

/// [`beta_core`], keeping the coefficients of the large-parameter expansion in `basym`
/// for the next call with the same parameters.
pub(super) fn beta_core_with(
    a: f64,
    b: f64,
    x: f64,
    y: f64,
    basym: &mut Option<Basym>,
) -> (f64, f64, f64) {
    if a.min(b) >= BASYM_MIN {
        let (deviance, dev) = binom_deviance(a, b, x, y);
        if deviance <= BASYM_MAX_DEVIANCE * a.min(b) * (a + b) / a.max(b) {
            let co = basym.get_or_insert_with(|| Basym::new(a, b));
            return beta_basym(co, deviance, dev <= 0.0);
        }
    }
    let pref = beta_prefactor(a, b, x, y);
    if x * (a + b + 2.0) <= a + 1.0 {
        if a >= BGRAT_MIN_LARGE && b * BGRAT_RATIO <= a {
            // I_x(a, b) = 1 - I_y(b, a), the upper tail of a small-parameter beta.
            let i = beta_tail_small_param(b, a, y, x);
            return (i, 1.0 - i, pref);
        }
        let i = pref * beta_cf_side(a, b, x, y) / a;
        (i, 1.0 - i, pref)
    } else {
        if b >= BGRAT_MIN_LARGE && a * BGRAT_RATIO <= b {
            let ic = beta_tail_small_param(a, b, x, y);
            return (1.0 - ic, ic, pref);
        }
        let ic = pref * beta_cf_side(b, a, y, x) / b;
        (1.0 - ic, ic, pref)
    }
}

/// Smallest parameters for which [`beta_basym`] is used.
const BASYM_MIN: f64 = 500.0;
/// Largest deviance (about half the squared normal deviate of `x`), in units of
/// `min(a, b) (1 + min / max)`, for which [`beta_basym`] is used: the expansion's terms
/// fall by about `sqrt(2 D / (min (1 + min / max)))` each. Beyond it the continued
/// fraction converges in a few steps.
const BASYM_MAX_DEVIANCE: f64 = 0.1;

/// `(I_x(a, b), 1 - I_x(a, b), x^a y^b / B(a, b))` for large `a` and `b`, from Temme's
/// uniform asymptotic expansion in the error function (Temme 1987, "Incomplete Laplace
/// integrals: uniform asymptotic expansion with application to the incomplete beta
/// function"), in the form of DiDonato & Morris's (1992) BASYM. The tail below the mean
/// (the upper tail of the mirror image `I_y(b, a)` above it) is
/// `(2 / sqrt(pi)) exp(-D - c) sum_n d_n w^n J_n(sqrt D)`, with `D` the deviance
/// ([`binom_deviance`], formed from the exact deviation), `c` the Stirling corrections
/// ([`stirling_beta_corr`]), `J_0 = sqrt(pi) erfcx(sqrt D) / 4` and the `J_n` by their
/// upward recurrence (all terms positive), `w = 1 / sqrt(min(a, b) (1 + h))` with
/// `h = min / max`, and the `d_n` of [`Basym`]. The other tail is the complement (then the
/// larger value). `below_mean` is the sign of the exact deviation `(a + b) x - a`: near
/// the mean a wrong side would cost the density times the rounding of `x`. The number of
/// terms is what the parameters need for 1e-16, at most [`BASYM_TERMS`].
fn beta_basym(co: &Basym, deviance: f64, below_mean: bool) -> (f64, f64, f64) {
    let scale = (co.corr - deviance).exp();
    let pref = scale * co.root;
    // Below the mean, I_x(a, b); above it I_y(b, a) = 1 - I_x(a, b), whose coefficients
    // are those of (a, b) with the odd ones negated.
    let tail = FRAC_2_SQRT_PI * scale * co.sum(deviance, !below_mean);
    if below_mean {
        (tail, 1.0 - tail, pref)
    } else {
        (1.0 - tail, tail, pref)
    }
}

/// Most terms [`Basym`] takes (even).
const BASYM_TERMS: usize = 20;

/// What [`beta_basym`]'s expansion for Beta(a, b) needs of the parameters, formed once for
/// the evaluations of one quantile's iteration. The coefficients `d_n` (DiDonato & Morris
/// 1992, BASYM) depend on the parameters only through `h = min / max` and the sign of
/// `b - a`: for `a <= b`, `d_n` is a polynomial of degree `n` in `h` with rational
/// coefficients ([`BASYM_D`], exact from `tests/basym_coefficients.py`, which runs
/// DiDonato & Morris's O(n^3) recurrence on polynomials), and for `a > b` the odd ones
/// change sign; the mirror image Beta(b, a) negates the odd ones again.
pub(super) struct Basym {
    h: f64,
    /// `1` for `a <= b`, `-1` otherwise: the sign of the odd `d_n`.
    odd: f64,
    w0: f64,
    /// [`stirling_beta_corr`] and `sqrt(a b / (2 pi (a + b)))`.
    corr: f64,
    root: f64,
}

impl Basym {
    pub(super) fn new(a: f64, b: f64) -> Self {
        let (h, small) = if a > b { (b / a, b) } else { (a / b, a) };
        Basym {
            h,
            odd: if a > b { -1.0 } else { 1.0 },
            w0: 1.0 / (small * (1.0 + h)).sqrt(),
            corr: stirling_beta_corr(a, b),
            root: ((a / (a + b)) * (b / (2.0 * PI))).sqrt(),
        }
    }

    /// `d_n`, without the sign of the odd ones.
    fn d(&self, n: usize) -> f64 {
        poly(BASYM_D[n - 1], self.h)
    }

    /// `sum_n d_n w^n J_n(sqrt D)` for the lower tail of Beta(a, b), or of Beta(b, a) when
    /// `mirror`.
    fn sum(&self, deviance: f64, mirror: bool) -> f64 {
        /// 2^(-3/2).
        const E1: f64 = 0.353_553_390_593_273_8;
        let odd = if mirror { -self.odd } else { self.odd };
        let w0 = self.w0;
        let z0 = deviance.sqrt();
        let z2 = 2.0 * deviance;
        // J_0 = sqrt(pi) / 4 erfcx(z0) and J_1 = 2^(-3/2).
        let mut j0 = 0.25 * SQRT_PI * erfcx_nonneg(z0);
        let mut j1 = E1;
        let mut sum = j0 + odd * self.d(1) * w0 * j1;
        let mut w = w0;
        // z^(n-1) and z^n for z = sqrt(2 D).
        let mut znm1 = std::f64::consts::SQRT_2 * z0;
        let mut zn = z2;
        for n in (2..=BASYM_TERMS).step_by(2) {
            let nf = n as f64;
            j0 = E1 * znm1 + (nf - 1.0) * j0;
            j1 = E1 * zn + nf * j1;
            znm1 *= z2;
            zn *= z2;
            w *= w0;
            let t0 = self.d(n) * w * j0;
            w *= w0;
            let t1 = odd * self.d(n + 1) * w * j1;
            sum += t0 + t1;
            if t0.abs() + t1.abs() <= 1e-16 * sum {
                break;
            }
        }
        sum
    }
}

/// The continued fraction in `f64` ([`beta_cf_wallis`]), or in double-double arithmetic
/// ([`beta_cf`]) when the fraction's leading denominators cancel by
/// more than three digits and the parameters are large enough for that to persist.
/// Outside that band the double-precision fraction is good to about 1e-14 for
/// parameters up to 1e4 and a few times 1e-13 at 1e6 (its roundings accumulate over
/// its O(sqrt(min(a, b))) steps); that moves the quantiles by far less than an ulp,
/// and the double-double fraction everywhere would cost four times the time. Above 1e10, far beyond the
/// package's range, the band stays in double precision: there the fraction needs on
/// the order of `sqrt(min(a, b))` steps, and accuracy near the mean degrades to about
/// `1e-17 / |1 - x (a + b + 2) / (a + 1)|` rather than the time growing further. `v` is the argument and
/// `w = 1 - v`; the smaller of the two is exact, and in the double-double branch the
/// other is formed exactly from it, because in that band the fraction amplifies a
/// rounding of its argument as much as its own roundings.
fn beta_cf_side(a: f64, b: f64, v: f64, w: f64) -> f64 {
    let s = (1.0 - v * (a + b + 2.0) / (a + 1.0)).abs();
    if s < 1e-3 && a.min(b) > 50.0 && a.max(b) < 1e10 {
        let vd = if v <= w {
            Dd::from(v)
        } else {
            let (hi, lo) = two_sum(1.0, -w);
            Dd::norm(hi, lo)
        };
        beta_cf(a, b, vd)
    } else {
        beta_cf_wallis(a, b, v)
    }
}

/// [`beta_cf`] in `f64` by the forward recurrence of its convergents' numerators and
/// denominators (Wallis), `A_n = A_(n-1) + d_n A_(n-2)` and the same for `B_n`, rescaled
/// by powers of two when they grow: a step waits on one multiply and one add, where
/// Lentz's form waits on two divisions (`binom_cdf` with n below 1000, tens of steps, went
/// from 322 to 190 ns). The roundings are those of the Lentz form:
/// each step's carry into the ratio `A_n / B_n`, about an ulp, and the error it leaves
/// persists as a relative one. Stops where the convergents of one pair of steps (the
/// even and odd coefficients) agree within two ulps. The denominators stay positive on the
/// side where the fraction is used (`x (a + b + 2) <= a + 1`, so `1 + d_1 > 0`).
fn beta_cf_wallis(a: f64, b: f64, x: f64) -> f64 {
    /// 2^600 and 2^-600: exact rescalings that keep the recurrence within range.
    const BIG: f64 = 4.149_515_568_880_993e180;
    const SMALL: f64 = 2.409_919_865_102_884e-181;
    let qab = a + b;
    // (A_(n-1), A_n) and (B_(n-1), B_n), from (A_0, B_0) = (0, 1), (A_1, B_1) = (1, 1),
    // with the first coefficient d_1 = -(a + b) x / (a + 1) taken.
    let (mut a0, mut a1) = (1.0, 1.0);
    let (mut b0, mut b1) = (1.0, 1.0 - qab * x / (a + 1.0));
    let mut h = a1 / b1;
    for i in 1..MAX_ITER {
        let m = f64::from(i);
        let am2 = a + 2.0 * m;
        // d_2m = m (b - m) x / ((a - 1 + 2m) (a + 2m))
        let even = m * (b - m) * x / ((am2 - 1.0) * am2);
        (a0, a1) = (a1, a1 + even * a0);
        (b0, b1) = (b1, b1 + even * b0);
        // d_(2m+1) = -(a + m) (a + b + m) x / ((a + 2m) (a + 1 + 2m))
        let odd = -(a + m) * (qab + m) * x / (am2 * (am2 + 1.0));
        (a0, a1) = (a1, a1 + odd * a0);
        (b0, b1) = (b1, b1 + odd * b0);
        if b1.abs() > BIG {
            (a0, a1, b0, b1) = (a0 * SMALL, a1 * SMALL, b0 * SMALL, b1 * SMALL);
        }
        let next = a1 / b1;
        if (next - h).abs() <= 2.0 * f64::EPSILON * next.abs() {
            return next;
        }
        h = next;
    }
    h
}

/// Smallest large parameter for which [`beta_tail_small_param`] is used (DiDonato &
/// Morris use their BGRAT expansion from 15 on).
const BGRAT_MIN_LARGE: f64 = 100.0;
/// Minimum ratio of large to small parameter for [`beta_tail_small_param`].
const BGRAT_RATIO: f64 = 8.0;

/// `1 - I_x(a, b)` for `b` large against `a`, with `x` above the bulk (so `1 - x` is
/// near 1 and `b (1 - x)`-type continued fractions are ill-conditioned).
///
/// Method: the recurrence `1 - I_x(a + 1, b) = 1 - I_x(a, b) + x^a y^b / (a B(a, b))`
/// (terms all positive) summed downward from `a` while the terms matter, down to the
/// fractional part `a0` in (0, 1]; there `1 - I_x(a0, b) = I_y(b, a0)` is `y^b` for
/// `a0 = 1` and otherwise DiDonato & Morris's (1992) BGRAT asymptotic expansion in
/// incomplete gamma functions (Temme's large-parameter expansion).
fn beta_tail_small_param(a: f64, b: f64, x: f64, y: f64) -> f64 {
    let a0 = a - (a - 1.0).ceil().max(0.0);
    let mut sum = 0.0;
    let mut ai = a - 1.0;
    if ai >= a0 {
        // Term x^ai y^b / (ai B(ai, b)), then downward by its exact ratio.
        let mut term = beta_prefactor(ai, b, x, y) / ai;
        loop {
            sum += term;
            if term <= sum * 1e-17 || ai - 1.0 < a0 {
                break;
            }
            term *= ai / (x * (ai - 1.0 + b));
            ai -= 1.0;
        }
        if ai - 1.0 >= a0 {
            // The remaining terms and the base are below the rounding of the sum.
            return sum;
        }
    }
    let ln_y = (-x).ln_1p();
    let base = if a0 == 1.0 {
        (b * ln_y).exp()
    } else {
        beta_bgrat(b, a0, ln_y)
    };
    sum + base
}

/// DiDonato & Morris (1992) BGRAT: `I_v(p, q)` for large `p`, `0 < q <= 1`, given
/// `ln v` (v near 1), as `sum_n p_n J_n` with `J_0 = Q(q, u) / h`,
/// `u = -(p + (q - 1)/2) ln v` and `h = u^q e^-u / Gamma(q)`. The ratio
/// `Gamma(p + q) / Gamma(p)` is formed from `stirlerr` differences, never from two
/// large log-gammas.
fn beta_bgrat(p: f64, q: f64, ln_v: f64) -> f64 {
    let t = p + 0.5 * (q - 1.0);
    let u = -t * ln_v;
    // ln(Gamma(p + q) / (Gamma(p) t^q)).
    let ln_ratio =
        stirlerr(p + q) - stirlerr(p) + (p + q - 0.5) * (q / p).ln_1p() - q + q * (p / t).ln();
    let (_, qg, density) = gamma_pq(q, u);
    let h = density * u;
    let prefix = h * ln_ratio.exp();
    if h == 0.0 {
        return 0.0;
    }
    let mut j = qg / h;
    let mut sum = j;
    // (2m + 1)! for m = 0..29 and the p_n of DiDonato & Morris's (9.3).
    let mut odd_fact = [1.0f64; 30];
    let mut pn = [0.0f64; 30];
    pn[0] = 1.0;
    let lx2 = 0.25 * ln_v * ln_v;
    let mut lxp = 1.0;
    let t4 = 4.0 * t * t;
    let mut b2n = q;
    let mut nf = 0.0;
    for n in 1..30 {
        nf += 1.0;
        odd_fact[n] = odd_fact[n - 1] * (2.0 * nf) * (2.0 * nf + 1.0);
        let mut s = 0.0;
        let mut mf = 0.0;
        for m in 1..n {
            mf += 1.0;
            s += (mf * q - nf) * pn[n - m] / odd_fact[m];
        }
        pn[n] = s / nf + (q - 1.0) / odd_fact[n];
        j = (b2n * (b2n + 1.0) * j + (u + b2n + 1.0) * lxp) / t4;
        lxp *= lx2;
        b2n += 2.0;
        let r = pn[n] * j;
        sum += r;
        if r.abs() <= 1e-17 * sum.abs() {
            break;
        }
    }
    prefix * sum
}

/// `(I, 1 - I)` at the edges of the domain, `None` for an interior point.
fn beta_edge(a: f64, b: f64, x: f64) -> Option<(f64, f64)> {
    if a.is_nan() || b.is_nan() || x.is_nan() || a < 0.0 || b < 0.0 || (a == 0.0 && b == 0.0) {
        return Some((f64::NAN, f64::NAN));
    }
    if a == f64::INFINITY || b == f64::INFINITY {
        return Some((f64::NAN, f64::NAN));
    }
    if x <= 0.0 {
        // a = 0 is a point mass at 0, whose distribution function is 1 from 0 on.
        return Some(if a == 0.0 { (1.0, 0.0) } else { (0.0, 1.0) });
    }
    if x >= 1.0 || a == 0.0 {
        return Some((1.0, 0.0));
    }
    if b == 0.0 {
        return Some((0.0, 1.0));
    }
    None
}

/// Regularized incomplete beta function `I_x(a, b)` (the Beta(a, b) distribution
/// function). `a = 0` or `b = 0` are point masses at 0 or 1.
///
/// Method: for both parameters at least 500 and `x` within the expansion's reach of the
/// mean, Temme's uniform asymptotic expansion (DiDonato & Morris's BASYM; see
/// [`beta_basym`]), about 0.3 us whatever the parameters; otherwise the classical
/// continued fraction (modified Lentz) on the side where it
/// converges, in double-double arithmetic in the narrow band around the mean where its
/// denominators cancel; for lopsided parameters (one at least 100 and 8 times the
/// other) the tail on the large-parameter side by DiDonato & Morris's (1992) BGRAT
/// expansion plus an all-positive recurrence. The prefactor `x^a (1-x)^b / B(a, b)` is
/// Loader's (2000) `dbinom_raw` saddle-point form (exact deviation, `stirlerr`, `bd0`).
/// Relative error about 1e-14 or better for parameters up to 1e10 (see
/// [`beta_cf_side`] beyond).
pub fn beta_inc(a: f64, b: f64, x: f64) -> f64 {
    match beta_edge(a, b, x) {
        Some((i, _)) => i,
        None => beta_core(a, b, x, 1.0 - x).0,
    }
}

/// Complemented regularized incomplete beta `1 - I_x(a, b) = I_(1-x)(b, a)`, computed
/// directly where small. Same method as [`beta_inc`].
pub fn beta_inc_c(a: f64, b: f64, x: f64) -> f64 {
    match beta_edge(a, b, x) {
        Some((_, ic)) => ic,
        None => beta_core(a, b, x, 1.0 - x).1,
    }
}

/// `ln B(a, b)`, for starting values only.
fn ln_beta_rough(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// Starting point `(x, 1 - x)` for `I_x(a, b) = target` (`1 - I_x = target` when
/// `upper`), given `z_target = norm_ppf(target)`. For `a, b > 1` the normal approximation
/// of AS 109 (Majumder & Bhattacharjee 1973, after Carter 1947); otherwise the power laws
/// of the two tails, `I_x ~ x^a / (a B)` and `1 - I_x ~ y^b / (b B)`.
pub(super) fn beta_start(target: f64, z_target: f64, a: f64, b: f64, upper: bool) -> (f64, f64) {
    let z = if upper { -z_target } else { z_target };
    if a > 1.0 && b > 1.0 {
        let zeta = -z;
        let r = (zeta * zeta - 3.0) / 6.0;
        let s = 1.0 / (2.0 * a - 1.0);
        let t = 1.0 / (2.0 * b - 1.0);
        let h = 2.0 / (s + t);
        let w = zeta * (h + r).sqrt() / h - (t - s) * (r + 5.0 / 6.0 - 2.0 / (3.0 * h));
        // x = a / (a + b e^(2w)), formed so that neither x nor 1 - x cancels.
        let (x, y) = if w > 0.0 {
            let e = (-2.0 * w).exp();
            (a * e / (a * e + b), b / (a * e + b))
        } else {
            let e = (2.0 * w).exp();
            (a / (a + b * e), b * e / (a + b * e))
        };
        if x > 0.0 && y > 0.0 {
            return (x, y);
        }
    }
    let lb = ln_beta_rough(a, b);
    let (pl, ql) = if upper {
        (1.0 - target, target)
    } else {
        (target, 1.0 - target)
    };
    // Floored at the smallest double so that a root that underflows is still found
    // (and reported as exactly 0 or 1) from the right side.
    let xs = ((pl.ln() + a.ln() + lb) / a).exp().max(SMALLEST_SUBNORMAL);
    let ys = ((ql.ln() + b.ln() + lb) / b).exp().max(SMALLEST_SUBNORMAL);
    let guess = if upper {
        if ys < 0.5 {
            (1.0 - ys, ys)
        } else {
            (xs, 1.0 - xs)
        }
    } else if xs < 0.5 {
        (xs, 1.0 - xs)
    } else {
        (1.0 - ys, ys)
    };
    if guess.0 > 0.0 && guess.1 > 0.0 {
        guess
    } else {
        (0.5, 0.5)
    }
}

/// Solves `I_x(a, b) = target` (`1 - I_x(a, b) = target` when `upper`) for
/// `0 < target <= 1/2`, returning `(x, 1 - x)` with both accurate: the iteration runs on
/// whichever of `x` and `1 - x` the start puts below 1/2, using
/// `I_x(a, b) = 1 - I_(1-x)(b, a)`. `z_target = norm_ppf(target)` sets the stopping
/// rule's curvature scale (see [`solve`]).
pub(super) fn beta_solve(
    target: f64,
    z_target: f64,
    a: f64,
    b: f64,
    upper: bool,
    start: (f64, f64),
) -> (f64, f64) {
    let (x0, y0) = start;
    let swap = x0 > 0.5;
    let (p, q, up, v0) = if swap {
        (b, a, !upper, y0)
    } else {
        (a, b, upper, x0)
    };
    let mut basym = None;
    let eval = |v: f64| {
        let w = 1.0 - v;
        let (i, ic, pref) = beta_core_with(p, q, v, w, &mut basym);
        let f = if up { ic } else { i };
        (f, pref / (v * w), (p - 1.0) / v - (q - 1.0) / w)
    };
    // Curvature scale in units of v: the squared ratio of the mean of v to its standard
    // deviation, p (p + q + 1) / q (about p, the shape on v's side, which is the smaller
    // one for v below 1/2, where a + b overstated it by up to 1 / h).
    let v = solve(
        eval,
        target,
        !up,
        v0,
        (0.0, 1.0),
        10.0 * (1.0 + p * (p + q + 1.0) / q) * (1.0 + z_target * z_target),
    );
    if swap {
        (1.0 - v, v)
    } else {
        (v, 1.0 - v)
    }
}

/// Beta(a, b) quantile: `x` with `I_x(a, b) = p`. 0 at `p = 0`, 1 at `p = 1`; 0 when
/// `a = 0` and 1 when `b = 0` (point masses).
///
/// Method: AS 109-style start (Cran, Martin & Thomas 1977) or tail power laws, refined
/// by safeguarded Halley steps on `I_x` (or on `1 - I_x` for `p > 1/2`), iterating on
/// the smaller of `x` and `1 - x`. Typically one or two evaluations of [`beta_inc`].
pub fn beta_ppf(p: f64, a: f64, b: f64) -> f64 {
    if p <= 0.5 {
        beta_tail_quantile(p, norm_ppf(p), a, b, false)
    } else {
        let q = 1.0 - p;
        beta_tail_quantile(q, norm_ppf(q), a, b, true)
    }
}

/// Beta(a, b) upper quantile: `x` with `1 - I_x(a, b) = q`. 1 at `q = 0`, 0 at `q = 1`.
///
/// Method: as [`beta_ppf`], solving against `1 - I_x` directly for `q <= 1/2`, so tiny
/// `q` keeps full relative accuracy.
pub fn beta_isf(q: f64, a: f64, b: f64) -> f64 {
    if q <= 0.5 {
        beta_tail_quantile(q, norm_ppf(q), a, b, true)
    } else {
        let p = 1.0 - q;
        beta_tail_quantile(p, norm_ppf(p), a, b, false)
    }
}

/// [`beta_ppf`] (or [`beta_isf`] when `upper`) at a tail probability `prob`, given
/// `z = norm_ppf(prob)`: for callers that take many quantiles at one probability (the
/// Clopper-Pearson bounds), which then share the normal quantile. A `prob` above 1/2 is
/// passed on to [`beta_ppf`] or [`beta_isf`] (`z` unused).
pub fn beta_tail_quantile(prob: f64, z: f64, a: f64, b: f64, upper: bool) -> f64 {
    if let Some(v) = beta_quantile_edge(prob, a, b, upper) {
        return v;
    }
    if prob > 0.5 {
        return if upper {
            beta_isf(prob, a, b)
        } else {
            beta_ppf(prob, a, b)
        };
    }
    beta_solve(prob, z, a, b, upper, beta_start(prob, z, a, b, upper)).0
}

/// Quantile at the edges of the domain; `prob` is a lower-tail probability, or an
/// upper-tail one when `upper`.
fn beta_quantile_edge(prob: f64, a: f64, b: f64, upper: bool) -> Option<f64> {
    if prob.is_nan()
        || a.is_nan()
        || b.is_nan()
        || !(0.0..=1.0).contains(&prob)
        || a < 0.0
        || b < 0.0
        || (a == 0.0 && b == 0.0)
        || a == f64::INFINITY
        || b == f64::INFINITY
    {
        return Some(f64::NAN);
    }
    if a == 0.0 {
        return Some(0.0);
    }
    if b == 0.0 {
        return Some(1.0);
    }
    // The quantile is 0 at lower-tail probability 0 and 1 at lower-tail probability 1.
    if prob == 0.0 || prob == 1.0 {
        return Some(if (prob == 0.0) == upper { 1.0 } else { 0.0 });
    }
    None
}
