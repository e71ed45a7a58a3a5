//! Severity-weighted rates (the Crime Severity Score's form): `sum weight x count` per head, with
//! the interval of Fay & Feuer (1997) for a weighted sum of Poisson counts, and the test of a
//! change between two periods by the F interval that the same gamma approximation gives for a
//! ratio (Fay 1999; Tiwari, Clegg & Zou 2006).
//!
//! For a group with score `y = sum w x`, variance `v = sum w^2 x` and largest weight `m` (over
//! every row of the group, zero counts included), Fay & Feuer's interval for the expected score
//! is `[G(a/2; y^2/v, v/y), G(1 - a/2; (y+m)^2/(v+m^2), (v+m^2)/(y+m))]`, `G(p; shape, scale)`
//! the gamma quantile; the lower bound is 0 when `y` is 0. R `epitools::ageadjust.direct` and
//! `asht::wspoissonTest` compute the same. An area's population is repeated on its rows and is
//! taken once (rows that disagree are an error). NaN in a row gives NaN for its group.
use super::check;
use super::error::{half_alpha, CoreError, CoreResult};
use super::groups::{repeated, Groups};
use super::parallel::columns;
use super::special::{
    beta_inc, beta_inc_c, beta_isf, beta_ppf, gamma_isf, gamma_ppf, norm_sf, norm_two_sided,
};
use std::str::FromStr;

/// How the interval around a weighted score is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightedMethod {
    /// Fay & Feuer's (1997) gamma interval; for a change, the F interval it implies.
    Gamma,
    /// The normal approximation `y +/- z sqrt(v)` (lower bound kept at 0); for a change, the
    /// Wald interval on the log of the ratio.
    Normal,
}

impl FromStr for WeightedMethod {
    type Err = CoreError;
    fn from_str(name: &str) -> CoreResult<Self> {
        match name {
            "gamma" => Ok(Self::Gamma),
            "normal" => Ok(Self::Normal),
            _ => Err(CoreError::Unknown {
                arg: "method",
                given: name.to_owned(),
                known: "'gamma', 'normal'",
            }),
        }
    }
}

/// Per-group sums of a weighted score.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedSums {
    /// `sum w x`.
    pub score: Vec<f64>,
    /// `sum w^2 x`.
    pub variance: Vec<f64>,
    /// The largest weight of the group's rows.
    pub max_weight: Vec<f64>,
    /// The group's population, taken once.
    pub population: Vec<f64>,
}

/// Folds offence rows into per-group sums in one pass.
pub fn weighted_sums(
    count: &[f64],
    weight: &[f64],
    population: &[f64],
    groups: Groups<'_>,
) -> CoreResult<WeightedSums> {
    check::same_length("weight", weight, "count", count)?;
    check::same_length("population", population, "count", count)?;
    check::counts("count", count, None)?;
    check::counts("weight", weight, None)?;
    check::positive(
        "population",
        population,
        " (a rate per head of no population is undefined; give NaN for such a row)",
    )?;
    let population = repeated("population", population, groups)?;
    let mut sums = WeightedSums {
        score: vec![0.0; groups.n],
        variance: vec![0.0; groups.n],
        max_weight: vec![0.0; groups.n],
        population,
    };
    for row in 0..count.len() {
        let g = groups.of(row);
        let (x, w) = (count[row], weight[row]);
        sums.score[g] += w * x;
        sums.variance[g] += w * w * x;
        // NaN weights make the group NaN through the sums; max ignores them, so keep NaN.
        sums.max_weight[g] = if w.is_nan() || sums.max_weight[g].is_nan() {
            f64::NAN
        } else {
            sums.max_weight[g].max(w)
        };
    }
    Ok(sums)
}

/// A gamma quantile with the given mean and variance: shape `mean^2 / variance`, scale
/// `variance / mean`; `upper` takes the upper-tail probability.
fn gamma_quantile(tail: f64, mean: f64, variance: f64, upper: bool) -> f64 {
    if mean == 0.0 {
        return 0.0;
    }
    let (shape, scale) = (mean * mean / variance, variance / mean);
    scale
        * if upper {
            gamma_isf(tail, shape)
        } else {
            gamma_ppf(tail, shape)
        }
}

/// The interval for the expected score of one group.
fn score_interval(y: f64, v: f64, m: f64, method: WeightedMethod, tail: f64, z: f64) -> (f64, f64) {
    match method {
        WeightedMethod::Gamma => (
            gamma_quantile(tail, y, v, false),
            gamma_quantile(tail, y + m, v + m * m, true),
        ),
        WeightedMethod::Normal => {
            let half = z * v.sqrt();
            ((y - half).max(0.0), y + half)
        }
    }
}

/// Weighted rates per `per` people by group.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedRates {
    pub score: Vec<f64>,
    pub rate: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// The severity-weighted rate of each group, `score / population * per`, with its interval.
pub fn weighted_rates(
    sums: &WeightedSums,
    per: f64,
    method: WeightedMethod,
    conf: f64,
) -> CoreResult<WeightedRates> {
    let tail = half_alpha(conf)?;
    check::positive_scalar("per", per)?;
    let z = norm_two_sided(conf);
    // Two gamma quantiles a group (a few microseconds): across threads for many groups.
    let [rate, lower, upper] = columns(sums.score.len(), |g| {
        let scale = per / sums.population[g];
        let (y, v, m) = (sums.score[g], sums.variance[g], sums.max_weight[g]);
        let (lo, hi) = score_interval(y, v, m, method, tail, z);
        [y * scale, lo * scale, hi * scale]
    });
    Ok(WeightedRates {
        score: sums.score.clone(),
        rate,
        lower,
        upper,
    })
}

/// The change in a weighted rate between two periods, per group.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedChange {
    pub ratio: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub p_value: Vec<f64>,
    pub significant: Vec<f64>,
}

/// The F distribution's quantile with `d1`, `d2` degrees of freedom: `d2 x / (d1 (1 - x))` for
/// `x` the Beta(d1/2, d2/2) quantile, with `1 - x` from the complementary quantile so that
/// neither tail loses digits.
fn f_quantile(p: f64, d1: f64, d2: f64) -> f64 {
    let (a, b) = (d1 / 2.0, d2 / 2.0);
    let x = beta_ppf(p, a, b);
    // 1 - X is Beta(b, a), so 1 - x is its upper quantile at p.
    let complement = if x > 0.5 { beta_isf(p, b, a) } else { 1.0 - x };
    d2 * x / (d1 * complement)
}

/// The F distribution's lower (`upper = false`) or upper tail at `q`.
fn f_tail(q: f64, d1: f64, d2: f64, upper: bool) -> f64 {
    if q.is_infinite() {
        return if upper { 0.0 } else { 1.0 };
    }
    let x = d1 * q / (d1 * q + d2);
    if upper {
        beta_inc_c(d1 / 2.0, d2 / 2.0, x)
    } else {
        beta_inc(d1 / 2.0, d2 / 2.0, x)
    }
}

/// The change from `previous` to `current` in each group: the ratio of the weighted rates, its
/// interval and the two-sided p-value of the test that the interval inverts (so `significant`
/// is exactly "the interval excludes 1").
///
/// Gamma: with `a = y^2/v` the gamma shape of a score and `b = (y+m)^2/(v+m^2)` the shape of its
/// upper bound, the lower bound is `r1 / r0' F(a/2; 2 a1, 2 b0)` and the upper
/// `r1' / r0 F(1 - a/2; 2 b1, 2 a0)`, `r'` the rate with one more largest weight (Fay 1999,
/// Tiwari et al. 2006); one-sided p-values are the F tails at which a bound reaches 1.
pub fn weighted_change(
    current: &WeightedSums,
    previous: &WeightedSums,
    method: WeightedMethod,
    conf: f64,
) -> CoreResult<WeightedChange> {
    let tail = half_alpha(conf)?;
    let z = norm_two_sided(conf);
    let n = current.score.len();
    let mut out = WeightedChange {
        ratio: Vec::with_capacity(n),
        lower: Vec::with_capacity(n),
        upper: Vec::with_capacity(n),
        p_value: Vec::with_capacity(n),
        significant: Vec::with_capacity(n),
    };
    for g in 0..n {
        let (y1, v1, m1, n1) = (
            current.score[g],
            current.variance[g],
            current.max_weight[g],
            current.population[g],
        );
        let (y0, v0, m0, n0) = (
            previous.score[g],
            previous.variance[g],
            previous.max_weight[g],
            previous.population[g],
        );
        let exposure = n0 / n1; // ratio of rates = (y1 / y0) * exposure
        let (ratio, lower, upper, p) = if [y1, v1, m1, n1, y0, v0, m0, n0]
            .iter()
            .any(|x| x.is_nan())
        {
            (f64::NAN, f64::NAN, f64::NAN, f64::NAN)
        } else if y1 == 0.0 && y0 == 0.0 {
            (f64::NAN, 0.0, f64::INFINITY, 1.0)
        } else {
            match method {
                WeightedMethod::Gamma => gamma_change([y1, v1, m1], [y0, v0, m0], exposure, tail),
                WeightedMethod::Normal => {
                    let ratio = y1 / y0 * exposure;
                    let se = (v1 / (y1 * y1) + v0 / (y0 * y0)).sqrt();
                    let log = ratio.ln();
                    let p = if se.is_finite() {
                        (2.0 * norm_sf((log / se).abs())).min(1.0)
                    } else {
                        1.0
                    };
                    let (lo, hi) = if se.is_finite() {
                        ((log - z * se).exp(), (log + z * se).exp())
                    } else {
                        (0.0, f64::INFINITY)
                    };
                    (ratio, lo, hi, p)
                }
            }
        };
        out.ratio.push(ratio);
        out.lower.push(lower);
        out.upper.push(upper);
        out.p_value.push(p);
        out.significant.push(if p.is_nan() {
            f64::NAN
        } else {
            f64::from(u8::from(p < 2.0 * tail))
        });
    }
    Ok(out)
}

/// The F interval and its p-value for one group; `[y, v, m]` per period, `exposure` the
/// previous population over the current one.
fn gamma_change(
    current: [f64; 3],
    previous: [f64; 3],
    exposure: f64,
    tail: f64,
) -> (f64, f64, f64, f64) {
    let [y1, v1, m1] = current;
    let [y0, v0, m0] = previous;
    let ratio = y1 / y0 * exposure;
    // Twice the gamma shapes: the estimate's and its upper bound's.
    let shape = |y: f64, v: f64| 2.0 * y * y / v;
    let (a1, b1) = (shape(y1, v1), shape(y1 + m1, v1 + m1 * m1));
    let (a0, b0) = (shape(y0, v0), shape(y0 + m0, v0 + m0 * m0));
    let lower_scale = y1 / (y0 + m0) * exposure;
    let upper_scale = (y1 + m1) / y0 * exposure;
    let lower = if y1 == 0.0 {
        0.0
    } else {
        lower_scale * f_quantile(tail, a1, b0)
    };
    let upper = if y0 == 0.0 {
        f64::INFINITY
    } else {
        // F(1 - a/2; b1, a0) = 1 / F(a/2; a0, b1): 1 - tail rounds to 1 (an infinite bound)
        // for a conf within 1e-16 of 1.
        upper_scale / f_quantile(tail, a0, b1)
    };
    // The lower bound exceeds 1 when the F quantile exceeds 1 / lower_scale, i.e. when the tail
    // probability is above F's distribution function there; likewise for the upper bound.
    let higher = if y1 == 0.0 {
        1.0
    } else {
        f_tail(1.0 / lower_scale, a1, b0, false)
    };
    let lower_p = if y0 == 0.0 {
        1.0
    } else {
        f_tail(1.0 / upper_scale, b1, a0, true)
    };
    let p = (2.0 * higher.min(lower_p)).min(1.0);
    (ratio, lower, upper, p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::special::norm_ppf;
    use crate::core::testing::close;

    #[test]
    fn fay_feuer_by_hand() {
        // Two offences with weights 2 and 10 and counts 30 and 4 in an area of 1,000 people.
        let groups = Groups::new(&[0, 0], 1, 2).unwrap();
        let sums = weighted_sums(&[30.0, 4.0], &[2.0, 10.0], &[1000.0, 1000.0], groups).unwrap();
        assert_eq!(sums.score[0], 100.0);
        assert_eq!(sums.variance[0], 520.0);
        assert_eq!(sums.max_weight[0], 10.0);
        let r = weighted_rates(&sums, 1000.0, WeightedMethod::Gamma, 0.95).unwrap();
        // scipy.stats.gamma.ppf(0.025, 100**2/520, scale=520/100) and
        // gamma.ppf(0.975, 110**2/620, scale=620/110).
        close(r.lower[0], 60.414_118_181_110_33, 1e-12);
        close(r.upper[0], 163.904_079_974_341_87, 1e-12);
        let normal = weighted_rates(&sums, 1000.0, WeightedMethod::Normal, 0.95).unwrap();
        close(
            normal.upper[0],
            100.0 + norm_ppf(0.975) * 520_f64.sqrt(),
            1e-14,
        );
    }

    #[test]
    fn zero_score_and_differing_population() {
        let groups = Groups::new(&[0, 0], 1, 2).unwrap();
        let sums = weighted_sums(&[0.0, 0.0], &[2.0, 10.0], &[100.0, 100.0], groups).unwrap();
        let r = weighted_rates(&sums, 1.0, WeightedMethod::Gamma, 0.95).unwrap();
        assert_eq!(r.lower[0], 0.0);
        // Shape 1, scale 10: -10 ln(0.025), per head of 100.
        close(r.upper[0], -10.0 * 0.025_f64.ln() / 100.0, 1e-13);
        assert!(weighted_sums(&[1.0, 1.0], &[1.0, 1.0], &[100.0, 101.0], groups).is_err());
    }

    #[test]
    fn change_interval_and_p_agree() {
        let groups = Groups::new(&[0, 0], 1, 2).unwrap();
        let now = weighted_sums(&[30.0, 6.0], &[2.0, 10.0], &[1000.0, 1000.0], groups).unwrap();
        let then = weighted_sums(&[20.0, 2.0], &[2.0, 10.0], &[1000.0, 1000.0], groups).unwrap();
        for conf in [0.8, 0.9, 0.95] {
            let c = weighted_change(&now, &then, WeightedMethod::Gamma, conf).unwrap();
            assert_eq!(c.lower[0] > 1.0, c.significant[0] == 1.0);
            close(c.ratio[0], 120.0 / 60.0, 1e-15);
        }
        // At the level where the lower bound is exactly 1 the p-value is 1 - conf.
        let c = weighted_change(&now, &then, WeightedMethod::Gamma, 0.95).unwrap();
        let p = c.p_value[0];
        let at = weighted_change(&now, &then, WeightedMethod::Gamma, 1.0 - p).unwrap();
        close(at.lower[0], 1.0, 1e-9);
    }
}
