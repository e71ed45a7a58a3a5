//! The standard normal distribution: erf/erfc by series and Chebyshev expansions,
//! the distribution function, its upper tail and its quantile (AS 241).

use super::common::{chebyshev, poly};
use super::tables::{
    AS241_A, AS241_B, AS241_C, AS241_D, AS241_E, AS241_F, ERFCX_A, ERFCX_B, ERFCX_C, ERFCX_T,
};
use std::f64::consts::{FRAC_1_SQRT_2, FRAC_2_SQRT_PI};

/// `exp(-c x^2)` for `c` a power of two, without the error of rounding `x^2`: `x` is
/// split into a 26-bit head (whose square is exact) and a tail, so the only rounding
/// is that of `exp` itself. Rounding `x^2` first would cost a relative error of about
/// `2 c x^2 * 1e-16`, i.e. 1e-13 at the far normal tail.
fn exp_neg_sq(x: f64, c: f64) -> f64 {
    if c * x * x > 746.0 {
        return 0.0;
    }
    let hi = f64::from_bits(x.to_bits() & 0xFFFF_FFFF_F800_0000);
    let lo = x - hi;
    (-c * hi * hi).exp() * (-c * lo * (x + hi)).exp()
}

/// erf(x) for |x| <= 0.5 from its Maclaurin series, `x sum (-1)^n x^2n / (n! (2n + 1))`,
/// summed by Horner's rule in x^2 from precomputed coefficients (terms fall by a factor of at
/// least 4 per step, no cancellation; the 14th is below 1e-19 of the sum).
fn erf_small(x: f64) -> f64 {
    const SERIES: [f64; 14] = [
        1.0,
        -0.3333333333333333,
        0.1,
        -0.023809523809523808,
        0.004629629629629629,
        -0.0007575757575757576,
        0.00010683760683760684,
        -1.3227513227513228e-05,
        1.4589169000933706e-06,
        -1.4503852223150468e-07,
        1.3122532963802806e-08,
        -1.0892221037148573e-09,
        8.35070279514724e-11,
        -5.9477940136376354e-12,
    ];
    let x2 = x * x;
    let sum = SERIES
        .iter()
        .rev()
        .fold(0.0_f64, |acc, &c| acc.mul_add(x2, c));
    x * sum * FRAC_2_SQRT_PI
}

/// The scaled complementary error function `exp(s^2) erfc(s)` for `s >= 0.5`, from
/// Chebyshev expansions (computed to 1e-18 at 50 digits) on [0.5, 1], [1, 2], [2, 4]
/// and, in `t = 1/s^2`, on [4, inf).
fn erfcx_large(s: f64) -> f64 {
    if s < 1.0 {
        chebyshev(&ERFCX_A, 4.0 * s - 3.0)
    } else if s < 2.0 {
        chebyshev(&ERFCX_B, 2.0 * s - 3.0)
    } else if s < 4.0 {
        chebyshev(&ERFCX_C, s - 3.0)
    } else {
        let t = 1.0 / (s * s);
        chebyshev(&ERFCX_T, 32.0 * t - 1.0) * (0.5 * FRAC_2_SQRT_PI) / s
    }
}

/// The scaled complementary error function `exp(s^2) erfc(s)` for `s >= 0`.
pub(super) fn erfcx_nonneg(s: f64) -> f64 {
    if s < 0.5 {
        (s * s).exp() * (1.0 - erf_small(s))
    } else {
        erfcx_large(s)
    }
}

/// `erfc(s) / 2` for `s >= 0`, given `exp(-s^2)` computed accurately by the caller.
pub(super) fn half_erfc_nonneg(s: f64, exp_neg_s2: f64) -> f64 {
    if s < 0.5 {
        0.5 - 0.5 * erf_small(s)
    } else {
        0.5 * exp_neg_s2 * erfcx_large(s)
    }
}

/// Standard normal upper tail `P(Z > x)`.
///
/// Method: `erfc(x / sqrt 2) / 2`, written as `exp(-x^2/2) erfcx(x / sqrt 2) / 2` with
/// `exp(-x^2/2)` from an exact split of `x` (so no error from rounding `x^2`) and
/// `erfcx` from Chebyshev expansions (fitted for this module in 50-digit arithmetic,
/// in the manner of Cody's 1969 rational erfc approximations); the Maclaurin series
/// of erf near 0. Relative error a few ulps down to the underflow threshold (x about
/// 38.5).
pub fn norm_sf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let s = x * FRAC_1_SQRT_2;
    if s.abs() < 0.5 {
        return 0.5 - 0.5 * erf_small(s);
    }
    let tail = 0.5 * exp_neg_sq(x, 0.5) * erfcx_large(s.abs());
    if x > 0.0 {
        tail
    } else {
        1.0 - tail
    }
}

/// Standard normal distribution function `P(Z <= x)`; `norm_sf(-x)`, so accurate in the
/// far lower tail.
pub fn norm_cdf(x: f64) -> f64 {
    norm_sf(-x)
}

/// Standard normal quantile: `z` with `P(Z <= z) = p`; -inf at 0, +inf at 1.
///
/// Method: Wichura (1988), Algorithm AS 241 (PPND16), rational approximations in
/// three ranges with relative accuracy about 1e-16, valid down to p = 1e-300. For
/// `p > 0.5` the upper tail `1 - p` is formed exactly (Sterbenz), so no precision is
/// lost near 1.
pub fn norm_ppf(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        return ppf_central(q);
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let val = ppf_far(tail);
    if q < 0.0 {
        -val
    } else {
        val
    }
}

/// AS 241's central range: `z` with `P(Z <= z) = 1/2 + q`, for `|q| <= 0.425`.
fn ppf_central(q: f64) -> f64 {
    let r = 0.180625 - q * q;
    q * poly(&AS241_A, r) / poly(&AS241_B, r)
}

/// AS 241's tail ranges: `z > 0` with `P(Z > z) = tail`, for `0 < tail < 0.075`.
fn ppf_far(tail: f64) -> f64 {
    let r = (-tail.ln()).sqrt();
    if r <= 5.0 {
        let r = r - 1.6;
        poly(&AS241_C, r) / poly(&AS241_D, r)
    } else {
        let r = r - 5.0;
        poly(&AS241_E, r) / poly(&AS241_F, r)
    }
}

/// The central probability `P(|Z| <= z) = erf(z / sqrt 2)`, the conf of a two-sided `z`:
/// from erf's series for small `z`, so that a conf of 1e-16 comes back whole.
pub fn norm_central(z: f64) -> f64 {
    let s = z * FRAC_1_SQRT_2;
    if s.abs() < 0.5 {
        erf_small(s)
    } else {
        1.0 - 2.0 * norm_sf(z.abs())
    }
}

/// The two-sided normal quantile: `z >= 0` with `P(|Z| <= z) = conf`, the `z` of a `conf`
/// interval; 0 at conf 0, +inf at 1, NaN outside [0, 1].
///
/// Computed from `conf` itself, never from a rounded `1 - (1 - conf) / 2`: near 1 from the
/// exact upper tail `(1 - conf) / 2` (Sterbenz), so conf = 1 - 1e-16 gives z = 8.2, not inf;
/// near 0 from AS 241's central range at `q = conf / 2`, so conf = 1e-16 gives
/// z = 1.2533e-16 (= conf sqrt(pi / 2)) to full precision, where `1 - conf` would have lost
/// a tenth of it.
pub fn norm_two_sided(conf: f64) -> f64 {
    if conf.is_nan() || !(0.0..=1.0).contains(&conf) {
        return f64::NAN;
    }
    if conf == 1.0 {
        return f64::INFINITY;
    }
    let half = 0.5 * conf;
    if half <= 0.425 {
        ppf_central(half)
    } else {
        ppf_far(0.5 - half)
    }
}
