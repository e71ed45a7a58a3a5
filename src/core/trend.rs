//! Trend tests: a Poisson regression of each series' count on time, with the population as
//! offset, fitted by iteratively reweighted least squares for thousands of series at once.
//!
//! Guarantees (checked against R 4.2's `glm`, fitted to convergence, by `trend/r_reference.R`
//! beside this file):
//! - `Poisson` gives R `glm(count ~ time + offset(log(population)), family = poisson)`'s slope
//!   as a rate ratio per unit of time, its Wald interval (`confint.default`) and `summary`'s
//!   z-test p-value.
//! - `QuasiPoisson` gives R's quasi-Poisson fit: the same slope, the Pearson dispersion
//!   sum((y - mu)^2 / mu) / (n - 2), and a t-test and interval on n - 2 degrees of freedom; the
//!   dispersion is floored at 1 for the interval and test (an underdispersed series is not made
//!   to look surer than Poisson), as PHE's Fingertips trend method does.
//! - A series with a NaN count or population, no events, or a fit that does not converge (all
//!   events in one period: the slope is infinite) gets NaN results and a status saying why; the
//!   other series are unaffected.
use std::str::FromStr;

use super::check;
use super::error::{CoreError, CoreResult};
use super::parallel::map_rows;
use super::special::{norm_sf, norm_two_sided, t_sf, t_two_sided};

/// How the slope is tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrendMethod {
    /// Poisson variance; Wald z-test and interval.
    Poisson,
    /// Variance phi times Poisson's, phi the Pearson dispersion floored at 1; t on n - 2 df.
    QuasiPoisson,
}

impl FromStr for TrendMethod {
    type Err = CoreError;
    fn from_str(name: &str) -> CoreResult<Self> {
        match name {
            "poisson" => Ok(Self::Poisson),
            "quasipoisson" => Ok(Self::QuasiPoisson),
            _ => Err(CoreError::Unknown {
                arg: "method",
                given: name.to_owned(),
                known: "'poisson', 'quasipoisson'",
            }),
        }
    }
}

/// Why a series has no fit; the numbers are the `status` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Status {
    /// The series was fitted.
    Fitted = 0,
    /// A count, population or time is NaN.
    Missing = 1,
    /// Every count is zero: there is no rate to follow.
    NoEvents = 2,
    /// The fit did not converge (the slope runs off to infinity, e.g. all events in one period).
    NotConverged = 3,
    /// Too few periods to estimate a slope and its variance (2, or 3 for the quasi-Poisson).
    TooFew = 4,
}

/// Per-series results: the rate ratio per unit of time with its interval, the two-sided
/// p-value, the Pearson dispersion and a [`Status`] code.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrendTests {
    pub rate_ratio: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub p_value: Vec<f64>,
    pub dispersion: Vec<f64>,
    pub status: Vec<f64>,
}

/// The most IRLS iterations a series may take (R's `glm` stops at 25; a fit not settled by 100
/// is not reported).
const MAX_ITERATIONS: usize = 100;

/// Relative change in the coefficients below which the fit has converged. IRLS converges
/// quadratically, so this leaves the coefficients correct to rounding, and the covariance is
/// taken at the converged fitted values. R's default stopping rule (the deviance changing by
/// less than 1e-8 of itself) stops a step earlier and takes the covariance from the weights of
/// that step, which moves its p-values by up to about 1e-4 of themselves.
const TOLERANCE: f64 = 1e-13;

/// R `glm.fit` warns "fitted rates numerically 0 occurred" below this fitted count (10 machine
/// epsilons): the slope is then running off to infinity, and the fit is not reported.
const FITTED_ZERO: f64 = 10.0 * f64::EPSILON;

/// One series fitted: slope, its Poisson-scale standard error and the Pearson chi-square.
struct Fit {
    slope: f64,
    se: f64,
    pearson: f64,
}

/// Weighted least squares of `z` on `time` with weights `w`, centred for accuracy: (intercept,
/// slope, sum of w (t - mean)^2).
fn weighted_line(time: &[f64], z: &[f64], w: &[f64]) -> (f64, f64, f64) {
    let sw: f64 = w.iter().sum();
    let mean_t = time.iter().zip(w).map(|(t, w)| t * w).sum::<f64>() / sw;
    let mean_z = z.iter().zip(w).map(|(z, w)| z * w).sum::<f64>() / sw;
    let (mut sxx, mut sxz) = (0.0, 0.0);
    for i in 0..time.len() {
        let d = time[i] - mean_t;
        sxx += w[i] * d * d;
        sxz += w[i] * d * (z[i] - mean_z);
    }
    let slope = sxz / sxx;
    (mean_z - slope * mean_t, slope, sxx)
}

/// R `glm.fit` for the Poisson family with log link: start at mu = y + 0.1 and regress the
/// working response z = eta - offset + (y - mu) / mu on time with weights mu until the
/// coefficients settle; the standard error is from the information at the converged fit.
fn fit(count: &[f64], offset: &[f64], time: &[f64]) -> Result<Fit, Status> {
    let n = count.len();
    let mut mu: Vec<f64> = count.iter().map(|y| y + 0.1).collect();
    let mut eta: Vec<f64> = mu.iter().map(|m| m.ln()).collect();
    let mut z = vec![0.0; n];
    let mut coef = (f64::NAN, f64::NAN);
    for _ in 0..MAX_ITERATIONS {
        for i in 0..n {
            z[i] = eta[i] - offset[i] + (count[i] - mu[i]) / mu[i];
        }
        let (intercept, slope, _) = weighted_line(time, &z, &mu);
        if !(intercept.is_finite() && slope.is_finite()) {
            return Err(Status::NotConverged);
        }
        for i in 0..n {
            eta[i] = offset[i] + intercept + slope * time[i];
            mu[i] = eta[i].exp();
        }
        if mu.iter().any(|&m| m < FITTED_ZERO || !m.is_finite()) {
            return Err(Status::NotConverged);
        }
        let step = (intercept - coef.0).abs() + (slope - coef.1).abs();
        coef = (intercept, slope);
        if step <= TOLERANCE * (1.0 + intercept.abs() + slope.abs()) {
            let (_, _, sxx) = weighted_line(time, &z, &mu);
            let pearson = (0..n).map(|i| (count[i] - mu[i]).powi(2) / mu[i]).sum();
            return Ok(Fit {
                slope,
                se: sxx.recip().sqrt(),
                pearson,
            });
        }
    }
    Err(Status::NotConverged)
}

/// One series' row: [rate ratio, lower, upper, p-value, dispersion, status].
fn series_row(
    count: &[f64],
    population: &[f64],
    time: &[f64],
    method: TrendMethod,
    conf: f64,
) -> [f64; 6] {
    let failed = |status: Status| {
        let mut row = [f64::NAN; 6];
        row[5] = f64::from(status as u8);
        row
    };
    let n = count.len();
    let needed = if method == TrendMethod::QuasiPoisson {
        3
    } else {
        2
    };
    if count
        .iter()
        .chain(population)
        .chain(time)
        .any(|v| v.is_nan())
    {
        return failed(Status::Missing);
    }
    if n < needed {
        return failed(Status::TooFew);
    }
    if count.iter().all(|&y| y == 0.0) {
        return failed(Status::NoEvents);
    }
    let offset: Vec<f64> = population.iter().map(|p| p.ln()).collect();
    let fitted = match fit(count, &offset, time) {
        Ok(f) => f,
        Err(status) => return failed(status),
    };
    let df = (n - 2) as f64;
    let dispersion = if n > 2 { fitted.pearson / df } else { f64::NAN };
    let (se, p_value, quantile) = match method {
        TrendMethod::Poisson => {
            let z = fitted.slope / fitted.se;
            (fitted.se, 2.0 * norm_sf(z.abs()), norm_two_sided(conf))
        }
        TrendMethod::QuasiPoisson => {
            let se = fitted.se * dispersion.max(1.0).sqrt();
            let t = fitted.slope / se;
            (
                se,
                (2.0 * t_sf(t.abs(), df)).min(1.0),
                t_two_sided(conf, df),
            )
        }
    };
    [
        fitted.slope.exp(),
        (fitted.slope - quantile * se).exp(),
        (fitted.slope + quantile * se).exp(),
        p_value,
        dispersion,
        f64::from(Status::Fitted as u8),
    ]
}

/// Trend tests of many series laid end to end: series `k` is rows `starts[k]..starts[k + 1]`
/// of `count`, `population` and `time` (its periods on a common scale, e.g. 0, 1, 2, ... in
/// years), so `starts` has one more element than there are series and ends at the row count.
///
/// # Errors
/// Mismatched lengths, negative or infinite counts, populations not greater than zero,
/// infinite times, `starts` not rising from 0 to the row count, or `conf` outside (0, 1).
pub fn trend_tests(
    count: &[f64],
    population: &[f64],
    time: &[f64],
    starts: &[usize],
    method: TrendMethod,
    conf: f64,
) -> CoreResult<TrendTests> {
    check::same_length("population", population, "count", count)?;
    check::same_length("time", time, "count", count)?;
    check::counts("count", count, None)?;
    check::positive("population", population, "")?;
    if let Some(index) = time.iter().position(|t| t.is_infinite()) {
        return Err(CoreError::Infinite { arg: "time", index });
    }
    if !(conf > 0.0 && conf < 1.0) {
        return Err(CoreError::Conf(conf));
    }
    let bad_starts = starts.first() != Some(&0)
        || starts.last() != Some(&count.len())
        || starts.windows(2).any(|w| w[1] < w[0]);
    if bad_starts {
        return Err(CoreError::Design(format!(
            "starts: must rise from 0 to the row count {}; got {} values",
            count.len(),
            starts.len()
        )));
    }
    // z and t from conf itself, so that a conf within 1e-16 of 0 or 1 keeps its value.
    let rows = map_rows(starts.len() - 1, |k| {
        let span = starts[k]..starts[k + 1];
        series_row(
            &count[span.clone()],
            &population[span.clone()],
            &time[span],
            method,
            conf,
        )
    });
    let column = |j: usize| rows.iter().map(|r| r[j]).collect::<Vec<f64>>();
    Ok(TrendTests {
        rate_ratio: column(0),
        lower: column(1),
        upper: column(2),
        p_value: column(3),
        dispersion: column(4),
        status: column(5),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `name = [v1, v2, ...]` lines of `trend/r_reference.out`.
    fn reference(name: &str) -> Vec<f64> {
        let text = include_str!("trend/r_reference.out");
        let line = text
            .lines()
            .find(|l| l.split(" = ").next() == Some(name))
            .unwrap_or_else(|| panic!("{name} not in r_reference.out"));
        let values = line.split(" = ").nth(1).unwrap();
        values
            .trim_matches(|c| c == '[' || c == ']')
            .split(", ")
            .map(|v| {
                if v == "NA" {
                    f64::NAN
                } else {
                    v.parse().unwrap()
                }
            })
            .collect()
    }

    #[test]
    fn equals_r_glm() {
        let (count, population) = (reference("count"), reference("population"));
        let time = reference("time");
        let lengths = reference("lengths");
        let mut starts = vec![0];
        for l in &lengths {
            starts.push(starts.last().unwrap() + *l as usize);
        }
        for (method, tag) in [
            (TrendMethod::Poisson, "poisson"),
            (TrendMethod::QuasiPoisson, "quasipoisson"),
        ] {
            let got = trend_tests(&count, &population, &time, &starts, method, 0.95).unwrap();
            for (name, column) in [
                ("rate_ratio", &got.rate_ratio),
                ("lower", &got.lower),
                ("upper", &got.upper),
                ("p_value", &got.p_value),
                ("dispersion", &got.dispersion),
            ] {
                let want = reference(&format!("{tag} {name}"));
                assert_eq!(want.len(), column.len());
                for (g, w) in column.iter().zip(&want) {
                    if *w == 0.0 {
                        // R's p-value underflows where 2 pnorm(-|z|) falls below 1e-308.
                        assert!(*g < 1e-290, "{tag} {name}: {g} for R's 0");
                    } else {
                        let rel = ((g - w) / w).abs();
                        assert!(rel < 1e-9, "{tag} {name}: {g} vs R {w} ({rel:e})");
                    }
                }
            }
        }
    }

    #[test]
    fn failed_series_say_why() {
        let time = [0.0, 1.0, 2.0, 3.0, 4.0];
        let one = [1000.0; 5];
        let starts = [0, 5, 10, 15, 20, 22];
        let count = [
            [0.0, 0.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 7.0],
            [1.0, 2.0, f64::NAN, 4.0, 5.0],
            [10.0, 12.0, 11.0, 15.0, 14.0],
        ]
        .concat();
        let mut all_count = count.clone();
        all_count.extend([3.0, 4.0]);
        let population: Vec<f64> = one.iter().cycle().take(22).copied().collect();
        let times: Vec<f64> = time.iter().cycle().take(22).copied().collect();
        let got = trend_tests(
            &all_count,
            &population,
            &times,
            &starts,
            TrendMethod::QuasiPoisson,
            0.95,
        )
        .unwrap();
        assert_eq!(got.status, vec![2.0, 3.0, 1.0, 0.0, 4.0]);
        assert!(got.rate_ratio[0].is_nan() && got.p_value[1].is_nan());
        assert!(got.rate_ratio[3] > 1.0 && got.lower[3] < got.rate_ratio[3]);
        assert!(trend_tests(&[1.0], &[0.0], &[0.0], &[0, 1], TrendMethod::Poisson, 0.95).is_err());
        assert!(trend_tests(&[1.0], &[1.0], &[0.0], &[0, 2], TrendMethod::Poisson, 0.95).is_err());
        assert!(trend_tests(&[1.0], &[1.0], &[0.0], &[0, 1], TrendMethod::Poisson, 1.0).is_err());
        assert!("linear".parse::<TrendMethod>().is_err());
    }
}
