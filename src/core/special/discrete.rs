//! Poisson and binomial mass and distribution functions.

use super::beta::{beta_core, binom_exponent};
use super::common::SQRT_2PI;
use super::gamma::{gamma_p, gamma_q, neg_bd0, stirlerr};
use std::f64::consts::PI;

/// Poisson probability mass `P(X = k)` for mean `mu >= 0`; 0 for `k` negative or not
/// an integer.
///
/// Method: Loader (2000) `dpois_raw`: `exp(-stirlerr(k) - bd0(k, mu)) / sqrt(2 pi k)`,
/// relative error about 1e-14 even for `k` in the millions, where
/// `exp(k ln mu - mu - ln k!)` would lose about `1e-16 * k`.
pub fn poisson_pmf(k: f64, mu: f64) -> f64 {
    if k.is_nan() || mu.is_nan() || mu < 0.0 || mu == f64::INFINITY {
        return f64::NAN;
    }
    if k < 0.0 || k != k.floor() || k == f64::INFINITY {
        return 0.0;
    }
    if mu == 0.0 {
        return if k == 0.0 { 1.0 } else { 0.0 };
    }
    if k == 0.0 {
        return (-mu).exp();
    }
    (neg_bd0(k, mu - k, mu) - stirlerr(k)).exp() / (SQRT_2PI * k.sqrt())
}

/// Binomial probability mass `P(X = k)` for `n` trials (a non-negative integer) with
/// success probability `p`; 0 for `k` outside 0..=n or not an integer.
///
/// Method: Loader (2000) `dbinom_raw` (`stirlerr` and `bd0`), with the deviation
/// `n p - k` formed exactly.
pub fn binom_pmf(k: f64, n: f64, p: f64) -> f64 {
    if binom_invalid(k, n, p) {
        return f64::NAN;
    }
    if k < 0.0 || k > n || k != k.floor() {
        return 0.0;
    }
    if p == 0.0 {
        return if k == 0.0 { 1.0 } else { 0.0 };
    }
    if p == 1.0 {
        return if k == n { 1.0 } else { 0.0 };
    }
    if k == 0.0 {
        return (n * (-p).ln_1p()).exp();
    }
    if k == n {
        return (n * p.ln()).exp();
    }
    let nk = n - k;
    binom_exponent(k, nk, p, 1.0 - p).exp() * ((n / (2.0 * PI * k)) / nk).sqrt()
}

/// NaN or out-of-domain binomial parameters.
fn binom_invalid(k: f64, n: f64, p: f64) -> bool {
    k.is_nan()
        || n.is_nan()
        || p.is_nan()
        || n < 0.0
        || n != n.floor()
        || n == f64::INFINITY
        || !(0.0..=1.0).contains(&p)
}

/// Poisson distribution function `P(X <= k)` (`k` is floored): `Q(floor(k) + 1, mu)`.
pub fn poisson_cdf(k: f64, mu: f64) -> f64 {
    if k.is_nan() || mu.is_nan() || mu < 0.0 {
        return f64::NAN;
    }
    if k < 0.0 {
        return 0.0;
    }
    if k == f64::INFINITY {
        return 1.0;
    }
    gamma_q(k.floor() + 1.0, mu)
}

/// Poisson upper tail `P(X > k)` (`k` is floored): `P(floor(k) + 1, mu)`, accurate when
/// tiny.
pub fn poisson_sf(k: f64, mu: f64) -> f64 {
    if k.is_nan() || mu.is_nan() || mu < 0.0 {
        return f64::NAN;
    }
    if k < 0.0 {
        return 1.0;
    }
    if k == f64::INFINITY {
        return 0.0;
    }
    gamma_p(k.floor() + 1.0, mu)
}

/// Binomial distribution function `P(X <= k)` (`k` is floored):
/// `1 - I_p(k + 1, n - k)`, computed directly where small.
pub fn binom_cdf(k: f64, n: f64, p: f64) -> f64 {
    binom_tails(k, n, p).0
}

/// Binomial upper tail `P(X > k)` (`k` is floored): `I_p(k + 1, n - k)`.
pub fn binom_sf(k: f64, n: f64, p: f64) -> f64 {
    binom_tails(k, n, p).1
}

/// `(P(X <= k), P(X > k))` for the binomial.
fn binom_tails(k: f64, n: f64, p: f64) -> (f64, f64) {
    if binom_invalid(k, n, p) {
        return (f64::NAN, f64::NAN);
    }
    if k < 0.0 {
        return (0.0, 1.0);
    }
    let k = k.floor();
    if k >= n || p == 0.0 {
        return (1.0, 0.0);
    }
    if p == 1.0 {
        return (0.0, 1.0);
    }
    let (i, ic, _) = beta_core(k + 1.0, n - k, p, 1.0 - p);
    (ic, i)
}
