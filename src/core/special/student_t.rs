//! Student's t distribution: tails and quantile, by way of the incomplete beta.

use super::beta::{beta_core, beta_solve};
use super::gamma::ln_gamma;
use super::normal::{norm_ppf, norm_sf, norm_two_sided};
use std::f64::consts::PI;

/// Degrees of freedom beyond which Student's t equals the normal to double precision
/// (the leading correction is of relative order z^4 / (4 df)).
const T_NORMAL_DF: f64 = 1e20;

/// `P(T > t)` for `t > 0` and finite `df > 0`.
fn t_tail(t: f64, df: f64) -> f64 {
    if t > 1e150 {
        // t^2 would overflow; the tail is the leading power law to double precision:
        // P(T > t) = C df^((df - 1) / 2) t^-df with C the density's constant.
        let ln_c = ln_gamma(0.5 * (df + 1.0)) - ln_gamma(0.5 * df) - 0.5 * (df * PI).ln();
        return (ln_c + 0.5 * (df - 1.0) * df.ln() - df * t.ln()).exp();
    }
    let t2 = t * t;
    let x2 = t2 / (df + t2);
    let x1 = df / (df + t2);
    // I_{x2}(1/2, df/2) = P(|T| < t); its complement is twice the tail. The smaller of
    // x1, x2 carries the precision into the prefactor.
    0.5 * beta_core(0.5, 0.5 * df, x2, x1).1
}

/// Student's t upper tail `P(T > t)` with `df > 0` degrees of freedom (real; infinite
/// means the normal).
///
/// Method: `I_{t^2/(df+t^2)}(1/2, df/2)` through [`beta_inc`]'s machinery, with both
/// `t^2/(df+t^2)` and `df/(df+t^2)` formed directly so neither is a rounded `1 - x`.
/// Relative error about 1e-14, also in the far tails.
pub fn t_sf(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if df > T_NORMAL_DF {
        return norm_sf(t);
    }
    if t == 0.0 {
        return 0.5;
    }
    if t.is_infinite() {
        return if t > 0.0 { 0.0 } else { 1.0 };
    }
    let tail = t_tail(t.abs(), df);
    if t > 0.0 {
        tail
    } else {
        1.0 - tail
    }
}

/// Student's t distribution function `P(T <= t)`; `t_sf(-t, df)`.
pub fn t_cdf(t: f64, df: f64) -> f64 {
    t_sf(-t, df)
}

/// Student's t quantile: `t` with `P(T <= t) = p`, for real `df > 0` (infinite or
/// above 1e20: the normal). -inf at 0, +inf at 1.
///
/// Method: closed forms for df = 1 and 2; otherwise the beta quantile of
/// `df / (df + t^2)` for the two-sided tail `2 min(p, 1-p)`, started from the
/// Cornish-Fisher (Hill 1970) expansion or, deep in a heavy tail, from the tail power
/// law, and iterated on whichever of `df/(df+t^2)` and `t^2/(df+t^2)` is smaller so
/// that `t = sqrt(df x2 / x1)` loses nothing.
pub fn t_ppf(p: f64, df: f64) -> f64 {
    if p.is_nan() || df.is_nan() || df <= 0.0 || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if df > T_NORMAL_DF {
        return norm_ppf(p);
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    if p == 0.5 {
        return 0.0;
    }
    // q = min(p, 1 - p), formed exactly, and P(|T| <= t) = 1 - 2q (exact where it is used).
    let (q, sign) = if p < 0.5 { (p, -1.0) } else { (1.0 - p, 1.0) };
    sign * t_upper(q, 1.0 - 2.0 * q, df)
}

/// The two-sided t quantile: `t >= 0` with `P(|T| <= t) = conf`, the `t` of a `conf` interval
/// with `df` degrees of freedom; 0 at conf 0, +inf at 1.
///
/// As [`norm_two_sided`] does for the normal, it works from `conf` itself: the exact upper
/// tail `(1 - conf) / 2` near 1, and `conf` as the central probability near 0, so neither
/// conf = 1 - 1e-16 nor conf = 1e-16 is rounded away.
pub fn t_two_sided(conf: f64, df: f64) -> f64 {
    if conf.is_nan() || df.is_nan() || df <= 0.0 || !(0.0..=1.0).contains(&conf) {
        return f64::NAN;
    }
    if df > T_NORMAL_DF {
        return norm_two_sided(conf);
    }
    if conf == 0.0 {
        return 0.0;
    }
    if conf == 1.0 {
        return f64::INFINITY;
    }
    // The tail is exact where conf >= 1/2 (Sterbenz); below, only `conf` itself is used.
    t_upper(0.5 * (1.0 - conf), conf, df)
}

/// `t > 0` with `P(T > t) = q` and `P(|T| <= t) = centre`, given both (`centre = 1 - 2q`, but
/// each exact where its branch uses it: `q` up to 1/4, `centre` beyond).
fn t_upper(q: f64, centre: f64, df: f64) -> f64 {
    if df == 1.0 {
        // Cauchy: t = cot(pi q); near q = 1/2 as tan(pi (1/2 - q)) = tan(pi centre / 2).
        if q < 0.25 {
            1.0 / (PI * q).tan()
        } else {
            (0.5 * PI * centre).tan()
        }
    } else if df == 2.0 {
        centre / (2.0 * q * (1.0 - q)).sqrt()
    } else {
        let z = if q <= 0.25 {
            -norm_ppf(q)
        } else {
            norm_two_sided(centre)
        };
        let z2 = z * z;
        let cf = z
            + z * (z2 + 1.0) / (4.0 * df)
            + z * ((5.0 * z2 + 16.0) * z2 + 3.0) / (96.0 * df * df)
            + z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / (384.0 * df * df * df);
        let ln_c = ln_gamma(0.5 * (df + 1.0)) - ln_gamma(0.5 * df) - 0.5 * (df * PI).ln();
        let pow_law = ((ln_c + 0.5 * (df - 1.0) * df.ln() - q.ln()) / df).exp();
        let t0 = if pow_law > 3.0 * df.sqrt() {
            pow_law
        } else {
            cf
        };
        let start = if t0 > 1e150 {
            (0.0, 1.0)
        } else {
            let t2 = t0 * t0;
            (df / (df + t2), t2 / (df + t2))
        };
        // I_{x1}(df/2, 1/2) = 2q; near the centre match the smaller complement
        // 1 - 2q instead (exact, by Sterbenz), as the solver expects a target <= 1/2.
        let (x1, x2) = if q <= 0.25 {
            beta_solve(2.0 * q, norm_ppf(2.0 * q), 0.5 * df, 0.5, false, start)
        } else {
            beta_solve(centre, norm_ppf(centre), 0.5 * df, 0.5, true, start)
        };
        df.sqrt() * (x2 / x1).sqrt()
    }
}
