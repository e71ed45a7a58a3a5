//! Funnel-plot control limits around a target rate: exact Poisson limits at each area's expected
//! count (as FunnelPlotR draws them), and limits widened for overdispersion, multiplicatively (phi)
//! or by additive random effects (DerSimonian-Laird tau^2 on winsorised z-scores), as Spiegelhalter
//! (2005) and FunnelPlotR. NaN in any input of a row gives NaN out for that row.
use super::check;
use super::error::{half_alpha, CoreError, CoreResult};
use super::parallel::{map_rows, snapshot};
use super::poisson::{exact_interval, times_ratio};
use super::special::norm_two_sided;
use std::str::FromStr;

/// How the funnel's limits allow for variation between areas beyond Poisson noise (Spiegelhalter
/// 2005, section 6). Both start from the square-root-scale z-scores 2 (sqrt(O) - sqrt(E)),
/// winsorised at 10 per cent in each tail, and phi, their mean square (FunnelPlotR's `phi_func`);
/// neither widens the limits unless phi > 1, as FunnelPlotR draws adjusted limits only then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overdispersion {
    /// Multiplicative: the variance of every area's z-score is phi times Poisson's, so the
    /// limits are target (1 -/+ z sqrt(phi / (4E)))^2 and the z-score is divided by sqrt(phi).
    Multiplicative,
    /// Additive random effects, as FunnelPlotR's square-root (`sr_method = "CQC"`) method: a
    /// between-area variance tau^2 by DerSimonian-Laird from phi, the limits
    /// target (1 -/+ z sqrt(1 / (4E) + tau^2))^2. Also spelt "winsorised".
    Additive,
}

impl FromStr for Overdispersion {
    type Err = CoreError;
    fn from_str(name: &str) -> CoreResult<Self> {
        match name {
            "multiplicative" => Ok(Self::Multiplicative),
            "additive" | "winsorised" => Ok(Self::Additive),
            _ => Err(CoreError::Unknown {
                arg: "overdispersion",
                given: name.to_owned(),
                known: "None, 'multiplicative', 'additive' ('winsorised')",
            }),
        }
    }
}

/// The share of z-scores winsorised at each end (Spiegelhalter 2005; FunnelPlotR's default).
const WINSORISE_BY: f64 = 0.1;

/// Funnel-plot results: the target rate; the overdispersion estimates phi and tau^2 (estimated
/// whatever the method, so a report can say whether the data are overdispersed); the `phi` and
/// `tau2` the limits were drawn with (1 and 0 without an adjustment); each area's rate and
/// z-score; lower and upper limits per confidence level; and a flag: 0 within every limit, +k
/// above (or -k below) the limits of the k-th level (1-based) and of no wider level that was
/// crossed, NaN unknown.
#[derive(Debug, Clone, PartialEq)]
pub struct Funnel {
    pub target: f64,
    pub phi: f64,
    pub tau2: f64,
    pub limit_phi: f64,
    pub limit_tau2: f64,
    pub rate: Vec<f64>,
    pub z: Vec<f64>,
    pub limits: Vec<(Vec<f64>, Vec<f64>)>,
    pub flag: Vec<f64>,
}

/// Lower and upper limits, one pair of columns per confidence level.
pub type Limits = Vec<(Vec<f64>, Vec<f64>)>;

fn check_levels(conf: &[f64]) -> CoreResult<Vec<f64>> {
    conf.iter().map(|&c| half_alpha(c)).collect()
}

/// Control limits for the rate of an area of `population` around `target` (per `per`).
///
/// Without overdispersion (`tau2` = 0) they are exact Poisson limits for the expected count
/// E = target * population / per, as FunnelPlotR draws them: Garwood's interval evaluated at E,
/// lower chi2(a/2, 2E) / 2 and upper chi2(1 - a/2, 2E + 2) / 2, divided by E and times the
/// target. With `tau2` > 0 or `phi` > 1 they are target * (1 -/+ z sqrt(phi / (4E) + tau2))^2,
/// the square-root-scale limits of Spiegelhalter (2005) squared back, the lower one no less
/// than 0.
fn funnel_limit(
    population: f64,
    target: f64,
    per: f64,
    tail: f64,
    z: f64,
    scale: Scale,
) -> (f64, f64) {
    let expected = times_ratio(target, population, per);
    if expected.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    // target / expected = per / population: the limits are written with that ratio, never
    // with 1 / expected, which overflowed (to an upper limit of inf) at a target of 5e-324.
    if scale.widens() {
        // target (1 -/+ s)^2 with s = z sqrt(phi / (4E) + tau2), as (sqrt(target) -/+ u)^2
        // with u = s sqrt(target) = z sqrt(phi per / (4 population) + target tau2).
        let root = target.sqrt();
        let u = z * (0.25 * scale.phi * (per / population) + target * scale.tau2).sqrt();
        let lower = if u >= root { 0.0 } else { (root - u).powi(2) };
        (lower, (root + u).powi(2))
    } else {
        let (lo, hi) = exact_interval(expected, tail);
        (
            times_ratio(lo, per, population),
            times_ratio(hi, per, population),
        )
    }
}

/// R's default (type 7) quantile of sorted values.
fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// How much the funnel's limits are widened: a multiplicative `phi` (1 for none) and an additive
/// between-area variance `tau2` (0 for none).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub phi: f64,
    pub tau2: f64,
}

impl Scale {
    /// Exact Poisson limits.
    pub const POISSON: Self = Self {
        phi: 1.0,
        tau2: 0.0,
    };

    fn widens(self) -> bool {
        self.phi > 1.0 || self.tau2 > 0.0
    }
}

/// Spiegelhalter's phi and DerSimonian-Laird tau^2 from square-root-scale z-scores and their
/// weights w = 1 / s^2 = 4E, as FunnelPlotR's `phi_func` and `tau_func`: tau^2 is 0 when
/// n phi < n - 1 (no overdispersion), else (n phi - (n - 1)) / (sum w - sum w^2 / sum w).
/// Areas whose z-score or weight is not finite (an infinite population) take no part.
fn dispersion(z: &[f64], weight: &[f64]) -> (f64, f64) {
    let (z, weight): (Vec<f64>, Vec<f64>) = z
        .iter()
        .zip(weight)
        .filter(|(z, w)| z.is_finite() && w.is_finite())
        .map(|(z, w)| (*z, *w))
        .unzip();
    let mut sorted: Vec<f64> = z.clone();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    if sorted.is_empty() {
        return (f64::NAN, 0.0);
    }
    let low = quantile_sorted(&sorted, WINSORISE_BY);
    let high = quantile_sorted(&sorted, 1.0 - WINSORISE_BY);
    let phi = z.iter().map(|v| v.clamp(low, high).powi(2)).sum::<f64>() / n;
    if n * phi < n - 1.0 {
        return (phi, 0.0);
    }
    let sum_w: f64 = weight.iter().sum();
    let sum_w2: f64 = weight.iter().map(|w| w * w).sum();
    let tau2 = ((n * phi - (n - 1.0)) / (sum_w - sum_w2 / sum_w)).max(0.0);
    (phi, if tau2.is_finite() { tau2 } else { 0.0 })
}

/// Funnel-plot limits, z-scores and flags for each area's rate `count / population * per`.
///
/// `target` defaults to the pooled rate sum(count) / sum(population) * per over the rows with
/// both known. The z-score is Spiegelhalter's on the square-root scale, 2 (sqrt(O) - sqrt(E)),
/// divided by sqrt(1 + 4E tau^2) when the overdispersion adjustment applies; when it finds no
/// overdispersion (tau^2 = 0) the exact Poisson limits stand, as in FunnelPlotR.
pub fn funnel(
    count: &[f64],
    population: &[f64],
    target: Option<f64>,
    per: f64,
    conf: &[f64],
    overdispersion: Option<Overdispersion>,
) -> CoreResult<Funnel> {
    check_levels(conf)?;
    check::same_length("population", population, "count", count)?;
    // Read many times over: snapshots, copied once.
    let (count, population) = (&snapshot(count), &snapshot(population));
    check::counts("count", count, None)?;
    check::positive(
        "population",
        population,
        " (a rate per head of no population is undefined; give NaN for such a row)",
    )?;
    check::positive_scalar("per", per)?;
    let known: Vec<usize> = (0..count.len())
        .filter(|&i| !count[i].is_nan() && !population[i].is_nan())
        .collect();
    let target = if let Some(t) = target {
        check::positive_scalar("target", t)?;
        t
    } else {
        let events: f64 = known.iter().map(|&i| count[i]).sum();
        let people: f64 = known.iter().map(|&i| population[i]).sum();
        let pooled = events / people * per;
        // Zero events, or no known rows (NaN), leave nothing to centre the funnel on.
        if pooled.is_nan() || pooled <= 0.0 {
            return Err(CoreError::NotPositive {
                arg: "target",
                index: 0,
                value: pooled,
                hint:
                    " (the pooled rate of these rows, used when no target is given; give target=)",
            });
        }
        pooled
    };
    let expected: Vec<f64> = population
        .iter()
        .map(|&p| times_ratio(target, p, per))
        .collect();
    let raw_z: Vec<f64> = (0..count.len())
        .map(|i| 2.0 * (count[i].sqrt() - expected[i].sqrt()))
        .collect();
    let z: Vec<f64> = known.iter().map(|&i| raw_z[i]).collect();
    let w: Vec<f64> = known.iter().map(|&i| 4.0 * expected[i]).collect();
    let (phi, tau2) = dispersion(&z, &w);
    // FunnelPlotR draws adjusted limits only when phi > 1 ("no overdispersion detected").
    let scale = match overdispersion {
        Some(Overdispersion::Multiplicative) if phi > 1.0 => Scale { phi, tau2: 0.0 },
        Some(Overdispersion::Additive) if phi > 1.0 => Scale { phi: 1.0, tau2 },
        _ => Scale::POISSON,
    };
    let z: Vec<f64> = (0..count.len())
        .map(|i| raw_z[i] / (scale.phi + 4.0 * expected[i] * scale.tau2).sqrt())
        .collect();
    let limits = owned_funnel_grid(population, target, per, conf, scale)?;
    let rate: Vec<f64> = (0..count.len())
        .map(|i| times_ratio(count[i], per, population[i]))
        .collect();
    let flag = (0..count.len())
        .map(|i| flag_of(rate[i], &limits, conf, i))
        .collect();
    Ok(Funnel {
        target,
        phi,
        tau2,
        limit_phi: scale.phi,
        limit_tau2: scale.tau2,
        rate,
        z,
        limits,
        flag,
    })
}

/// The flag of row `i`: the widest level whose limits the rate lies outside, signed by side.
fn flag_of(rate: f64, limits: &[(Vec<f64>, Vec<f64>)], conf: &[f64], i: usize) -> f64 {
    if rate.is_nan()
        || limits
            .iter()
            .any(|(lo, hi)| lo[i].is_nan() || hi[i].is_nan())
    {
        return f64::NAN;
    }
    let mut flag = 0.0;
    let mut widest = 0.0;
    for (k, (lo, hi)) in limits.iter().enumerate() {
        let side = if rate > hi[i] {
            1.0
        } else if rate < lo[i] {
            -1.0
        } else {
            continue;
        };
        if conf[k] > widest {
            widest = conf[k];
            flag = side * (k + 1) as f64;
        }
    }
    flag
}

/// The populations as read and the funnel limits (lower, upper) per confidence level over that
/// grid of populations, for drawing the funnel: exact Poisson limits for [`Scale::POISSON`],
/// widened ones otherwise (see [`funnel_limit`]).
pub fn funnel_grid(
    population: &[f64],
    target: f64,
    per: f64,
    conf: &[f64],
    scale: Scale,
) -> CoreResult<(Vec<f64>, Limits)> {
    // Read once per level: a snapshot, copied once, returned beside the limits.
    let population = snapshot(population);
    let limits = owned_funnel_grid(&population, target, per, conf, scale)?;
    Ok((population, limits))
}

/// [`funnel_grid`] on memory the kernel owns.
fn owned_funnel_grid(
    population: &[f64],
    target: f64,
    per: f64,
    conf: &[f64],
    scale: Scale,
) -> CoreResult<Limits> {
    let tails = check_levels(conf)?;
    check::positive("population", population, "")?;
    check::positive_scalar("target", target)?;
    check::positive_scalar("per", per)?;
    if !(scale.tau2.is_finite() && scale.tau2 >= 0.0) {
        return Err(CoreError::OutOfRange {
            arg: "tau2",
            index: 0,
            value: scale.tau2,
            range: "[0, inf)",
        });
    }
    if !(scale.phi.is_finite() && scale.phi >= 1.0) {
        return Err(CoreError::OutOfRange {
            arg: "phi",
            index: 0,
            value: scale.phi,
            range: "[1, inf) (limits are never narrowed below Poisson's)",
        });
    }
    Ok(tails
        .iter()
        .zip(conf)
        .map(|(&tail, &level)| {
            let z = norm_two_sided(level);
            let rows = map_rows(population.len(), |i| {
                funnel_limit(population[i], target, per, tail, z, scale)
            });
            (
                rows.iter().map(|r| r.0).collect(),
                rows.iter().map(|r| r.1).collect(),
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::close;

    #[test]
    fn funnelplotr_poisson_limits() {
        // FunnelPlotR tests/testthat/test-poisson_limits.R (../shared/reference/funnel_poisson.csv):
        // target 1, expected 15, 20, 30.
        let (_, limits) = funnel_grid(
            &[15.0, 20.0, 30.0],
            1.0,
            1.0,
            &[0.95, 0.998],
            Scale::POISSON,
        )
        .unwrap();
        let want = [
            (
                [0.5596924, 0.6108260, 0.6746958],
                [1.649348, 1.544419, 1.427562],
            ),
            (
                [0.3862650, 0.4479107, 0.5289724],
                [2.082907, 1.902094, 1.702771],
            ),
        ];
        for (level, (lo, hi)) in want.iter().enumerate() {
            for i in 0..3 {
                assert!((limits[level].0[i] - lo[i]).abs() < 5e-8);
                assert!((limits[level].1[i] - hi[i]).abs() < 5e-7);
            }
        }
    }

    #[test]
    fn funnel_flags_and_overdispersion() {
        let count = [10.0, 100.0, 1000.0, 40.0, 55.0, 5.0, f64::NAN];
        let population = [1000.0, 10_000.0, 50_000.0, 4000.0, 5000.0, 900.0, 100.0];
        let f = funnel(&count, &population, None, 1000.0, &[0.95, 0.998], None).unwrap();
        let pooled = 1210.0 / 70_900.0 * 1000.0;
        close(f.target, pooled, 1e-15);
        assert_eq!(f.flag[2], 2.0); // 20 per 1,000 on 50,000 people: far above.
        assert!(f.flag[6].is_nan() && f.rate[6].is_nan() && !f.limits[0].0[6].is_nan());
        let od = funnel(
            &count,
            &population,
            None,
            1000.0,
            &[0.95, 0.998],
            Some(Overdispersion::Additive),
        )
        .unwrap();
        assert!(od.phi > 1.0 && od.tau2 > 0.0);
        assert_eq!((od.limit_phi, od.limit_tau2), (1.0, od.tau2));
        assert_eq!((f.phi, f.tau2), (od.phi, od.tau2));
        assert_eq!((f.limit_phi, f.limit_tau2), (1.0, 0.0));
        assert!(od.limits[1].1[2] > f.limits[1].1[2]);
        assert!(od.z[2].abs() < f.z[2].abs());
        let m = funnel(
            &count,
            &population,
            None,
            1000.0,
            &[0.95, 0.998],
            Some(Overdispersion::Multiplicative),
        )
        .unwrap();
        assert_eq!((m.limit_phi, m.limit_tau2), (od.phi, 0.0));
        close(m.z[2], f.z[2] / od.phi.sqrt(), 1e-14);
        assert!(m.limits[0].1[2] > f.limits[0].1[2]);
        assert!(funnel(&[0.0, 0.0], &[1.0, 2.0], None, 1.0, &[0.95], None).is_err());
    }

    #[test]
    fn unknown_overdispersion_is_refused() {
        assert!("trimmed".parse::<Overdispersion>().is_err());
    }
}
