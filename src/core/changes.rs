//! Changes over time and comparisons with a benchmark: the change in a count, tests of the ratio
//! of two Poisson rates and an area's rate against a benchmark (funnel plots are in `funnel.rs`).
//!
//! Kept apart from `poisson.rs`, which holds the one-sample intervals these build on. Guarantees:
//! - `test_ratios` with `Exact` gives what R `poisson.test(c(x1, x0), c(t1, t0))` gives: the
//!   conditional binomial test of x1 given x1 + x0 with p = t1 / (t1 + t0), R `binom.test`'s
//!   two-sided p-value and the Clopper-Pearson interval mapped to the ratio by p / (1 - p) * t0 / t1.
//!   `Midp`, `Score` and `Wald` p-values are statsmodels `test_poisson_2indep`'s `cond-midp`,
//!   `score` and `wald`; their intervals are stated on [`TestMethod`].
//! - With no events in either period there is no evidence either way: ratio NaN, interval
//!   [0, inf), p-value 1. A zero count on one side gives a bound of 0 or infinity, never NaN.
//! - NaN in any input of a row gives NaN out for that row.
use super::binomial;
use super::check;
use super::error::{half_alpha, CoreError, CoreResult};
use super::parallel::{columns, per_distinct_pair, rows, snapshot};
use super::poisson::{self, log_alpha, RateMethod};
use super::special::{binom_cdf, binom_pmf, binom_sf, norm_sf, norm_two_sided, solve_decreasing};
use super::standardise;
pub use binomial_test::binom_test_two_sided;
use std::str::FromStr;

mod binomial_test;

// ---------------------------------------------------------------------------------------------
// The change in a count
// ---------------------------------------------------------------------------------------------

/// Absolute and percentage changes, with the ONS suppression flag (1 suppressed, 0 not, NaN
/// unknown).
#[derive(Debug, Clone, PartialEq)]
pub struct Changes {
    /// The counts as read (the caller's arrays may have changed since).
    pub current: Vec<f64>,
    pub previous: Vec<f64>,
    pub change: Vec<f64>,
    pub percent_change: Vec<f64>,
    pub suppressed: Vec<f64>,
}

/// `current - previous` and the percentage change, which is NaN and flagged suppressed where the
/// previous count is below `min_base` (ONS prints '-' for a base under 50). A previous count of
/// zero has no percentage change even when `min_base` is 0.
///
/// The arrays may be the caller's memory, written meanwhile: each element is read once by the pass
/// that checks it and computes from it ([`rows`]).
pub fn changes(current: &[f64], previous: &[f64], min_base: f64) -> CoreResult<Changes> {
    check::same_length("previous", previous, "current", current)?;
    let min_base_check = if min_base.is_finite() && min_base >= 0.0 {
        Ok(())
    } else {
        Err(CoreError::OutOfRange {
            arg: "min_base",
            index: 0,
            value: min_base,
            range: "[0, inf): give the smallest previous count a percentage is shown for",
        })
    };
    let check_row = |i: usize, [c, p]: [f64; 2]| {
        check::count("current", i, c, None).map_err(|e| (0, e))?;
        check::count("previous", i, p, None).map_err(|e| (1, e))
    };
    let plain_row = |[c, p]: [f64; 2]| check::plain_count(c) & check::plain_count(p);
    let [current, previous, change, percent_change, suppressed] =
        rows([current, previous], plain_row, check_row, |[c, p]| {
            let suppressed = if p.is_nan() {
                f64::NAN
            } else {
                f64::from(u8::from(p < min_base))
            };
            let change = c - p;
            let percent = if suppressed == 0.0 && p > 0.0 {
                100.0 * change / p
            } else {
                f64::NAN
            };
            [c, p, change, percent, suppressed]
        })?;
    min_base_check?;
    Ok(Changes {
        current,
        previous,
        change,
        percent_change,
        suppressed,
    })
}

// ---------------------------------------------------------------------------------------------
// The ratio of two Poisson rates
// ---------------------------------------------------------------------------------------------

/// How the ratio of two Poisson rates is tested and its interval computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestMethod {
    /// R `poisson.test`: the binomial test of x1 given x1 + x0 (R `binom.test`'s two-sided
    /// p-value) and the Clopper-Pearson interval for p mapped to the ratio.
    Exact,
    /// statsmodels `cond-midp`: the exact p-value less half the probability of the observed
    /// count. Interval: the mid-p binomial interval (half the observed count's probability in
    /// each tail) mapped to the ratio as for `Exact`.
    Midp,
    /// statsmodels `score` (Gu et al. 2008, W2A): z = (x1 - x0 r) / sqrt((x1 + x0) r) with
    /// r = t1 / t0. Interval: the score test inverted in closed form (the roots of a quadratic),
    /// which statsmodels `confint_poisson_2indep(method="score")` finds numerically.
    Score,
    /// statsmodels `wald` (W1A): z = (x1 - x0 r) / sqrt(x1 + x0 r^2). Interval: the Wald
    /// interval of the log ratio, statsmodels `confint_poisson_2indep(method="wald-log")`;
    /// [0, inf) where either count is 0, as the log interval does not exist there.
    Wald,
}

impl TestMethod {
    const KNOWN: &'static str = "'exact', 'midp', 'score', 'wald'";

    fn needs_whole_counts(self) -> Option<&'static str> {
        match self {
            Self::Exact | Self::Midp => Some(
                "the exact and mid-p tests need whole counts; use method='score' for weighted counts",
            ),
            Self::Score | Self::Wald => None,
        }
    }
}

impl FromStr for TestMethod {
    type Err = CoreError;
    fn from_str(name: &str) -> CoreResult<Self> {
        Ok(match name {
            "exact" => Self::Exact,
            "midp" => Self::Midp,
            "score" => Self::Score,
            "wald" => Self::Wald,
            _ => {
                return Err(CoreError::Unknown {
                    arg: "method",
                    given: name.to_owned(),
                    known: Self::KNOWN,
                })
            }
        })
    }
}

/// Ratios of two rates with their intervals, two-sided p-values and significance (1, 0 or NaN).
#[derive(Debug, Clone, PartialEq)]
pub struct RatioTests {
    pub ratio: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub p_value: Vec<f64>,
    pub significant: Vec<f64>,
}

/// The binomial probability of `k`, 0 outside 0..=n.
fn pmf(k: f64, n: f64, p: f64) -> f64 {
    if k < 0.0 || k > n {
        0.0
    } else {
        binom_pmf(k, n, p)
    }
}

/// The mid-p interval for a binomial proportion: the lower bound L solves
/// P(X > x; L) + P(X = x; L) / 2 = tail and the upper bound U solves
/// P(X < x; U) + P(X = x; U) / 2 = tail. Both lie between the Clopper-Pearson bounds, which
/// bracket the Newton iteration (not x / n: at a conf near 0 both bounds tend to the mid-p
/// median, on either side of x / n); the derivative of P(X <= x) - P(X = x) / 2 in p is
/// -n (P_{n-1}(x) + P_{n-1}(x - 1)) / 2.
fn binomial_midp_interval(x: f64, n: f64, tail: f64, z: f64) -> (f64, f64) {
    if x == 0.0 {
        // (1 - U)^n / 2 = tail: U = 1 - (1 - conf)^(1/n), which vanishes with conf.
        return (0.0, -(log_alpha(tail, z) / n).exp_m1());
    }
    let (exact_lower, exact_upper) = binomial::exact_interval_at(x, n, tail, z);
    let slope = |p: f64| -0.5 * n * (pmf(x, n - 1.0, p) + pmf(x - 1.0, n - 1.0, p));
    let upper = if x == n {
        1.0
    } else {
        let g = |p: f64| binom_cdf(x, n, p) - 0.5 * pmf(x, n, p);
        solve_decreasing(g, slope, tail, exact_lower, exact_upper)
    };
    let lower = if x == 0.0 {
        0.0
    } else {
        // -(P(X > x) + P(X = x) / 2) falls as p rises, with the same slope.
        let g = |p: f64| -(binom_sf(x, n, p) + 0.5 * pmf(x, n, p));
        solve_decreasing(g, slope, -tail, exact_lower, exact_upper)
    };
    (lower, upper)
}

/// `p / (1 - p)`, for a `p` not near 1 (where `1 - p` would lose digits).
fn odds(p: f64) -> f64 {
    if p == 1.0 {
        f64::INFINITY
    } else {
        p / (1.0 - p)
    }
}

/// A bound on the odds p / (1 - p) as a bound on the rate ratio: times t0 / t1, as R
/// `poisson.test` maps `binom.test`'s interval (0 and infinity stay themselves).
fn odds_to_ratio(odds: f64, exposure_ratio: f64) -> f64 {
    if odds == 0.0 || odds.is_infinite() {
        odds
    } else {
        odds * exposure_ratio
    }
}

/// The conditional tests' interval for the odds p / (1 - p) of p = x1 / (x1 + x0),
/// Clopper-Pearson or mid-p: it depends on the counts alone, so rows sharing counts share it
/// whatever their exposures.
///
/// A bound of p within 1e-3 of 1 would lose its distance from 1, and with it the odds, in
/// rounding (`test_change(4e15, 1)` had an infinite upper bound): such a bound is taken from
/// the mirror image, the interval of q = 1 - p for x0 (both intervals are symmetric in the
/// two counts), where it is the small one.
fn conditional_interval(x1: f64, x0: f64, method: TestMethod, tail: f64, z: f64) -> (f64, f64) {
    const NEAR_ONE: f64 = 0.999;
    let total = x1 + x0;
    let interval = |x: f64| {
        if method == TestMethod::Midp {
            binomial_midp_interval(x, total, tail, z)
        } else {
            binomial::exact_interval_at(x, total, tail, z)
        }
    };
    if total.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    if total == 0.0 {
        return (0.0, f64::INFINITY);
    }
    let (lower, upper) = interval(x1);
    if upper <= NEAR_ONE {
        return (odds(lower), odds(upper));
    }
    // p / (1 - p) = 1 / (q / (1 - q)), with q's bounds the mirror image of p's.
    let (q_lower, q_upper) = interval(x0);
    let low = if lower <= NEAR_ONE {
        odds(lower)
    } else {
        1.0 / odds(q_upper)
    };
    (low, 1.0 / odds(q_lower))
}

/// The conditional tests' two-sided p-value: x1 given x1 + x0 is binomial with
/// p = t1 / (t1 + t0) when the rates are equal.
fn conditional_p_value(x1: f64, x0: f64, t1: f64, t0: f64, method: TestMethod) -> f64 {
    let total = x1 + x0;
    if total.is_nan() || t1.is_nan() || t0.is_nan() {
        return f64::NAN;
    }
    if total == 0.0 {
        return 1.0;
    }
    // The test is symmetric in the two periods (x1 ~ Bin(total, p) is total - x0 ~ ...), so
    // it is made on the side whose share of the exposure is the smaller: p = t1 / (t1 + t0)
    // near 1 would keep 1 - p only to a relative 1e-16 / (1 - p), and test_change(3, 7,
    // exposure_current=1e12) was 2e-4 off its mirror image.
    let (x, p) = if t1 <= t0 {
        (x1, t1 / (t1 + t0))
    } else {
        (x0, t0 / (t1 + t0))
    };
    if p < f64::MIN_POSITIVE {
        // Exposures so lopsided (over 1e308 to one) that this side's count must be 0.
        return f64::from(u8::from(x == 0.0));
    }
    let exact = binom_test_two_sided(x, total, p);
    if method == TestMethod::Midp {
        exact - 0.5 * binom_pmf(x, total, p)
    } else {
        exact
    }
}

/// The row of a conditional test from its interval for p and its p-value.
fn conditional_row(
    x1: f64,
    x0: f64,
    t1: f64,
    t0: f64,
    bounds: (f64, f64),
    p_value: f64,
) -> (f64, f64, f64, f64) {
    if x1.is_nan() || x0.is_nan() || t1.is_nan() || t0.is_nan() {
        return (f64::NAN, f64::NAN, f64::NAN, f64::NAN);
    }
    let back = t0 / t1;
    (
        (x1 / t1) / (x0 / t0),
        odds_to_ratio(bounds.0, back),
        odds_to_ratio(bounds.1, back),
        p_value,
    )
}

/// The ratio of the rates x1 / t1 and x0 / t0 with its interval and two-sided p-value by
/// `method`; `tail` is alpha / 2 and `z` its upper normal quantile.
pub fn ratio_test(
    x1: f64,
    x0: f64,
    t1: f64,
    t0: f64,
    method: TestMethod,
    tail: f64,
    z: f64,
) -> (f64, f64, f64, f64) {
    if x1.is_nan() || x0.is_nan() || t1.is_nan() || t0.is_nan() {
        return (f64::NAN, f64::NAN, f64::NAN, f64::NAN);
    }
    let ratio = (x1 / t1) / (x0 / t0);
    let total = x1 + x0;
    if total == 0.0 {
        return (ratio, 0.0, f64::INFINITY, 1.0);
    }
    // statsmodels' r_d for a null ratio of 1: the expected x1 / x0 under the null.
    let r_d = t1 / t0;
    let back = t0 / t1;
    match method {
        TestMethod::Exact | TestMethod::Midp => conditional_row(
            x1,
            x0,
            t1,
            t0,
            conditional_interval(x1, x0, method, tail, z),
            conditional_p_value(x1, x0, t1, t0, method),
        ),
        TestMethod::Score => {
            // (x1 - x0 r) / sqrt(total r), with sqrt(r) taken first so that neither x0 r nor
            // total r overflows where the statistic itself is finite.
            let root_r = r_d.sqrt();
            let expected_part = if x0 == 0.0 { 0.0 } else { x0 * root_r };
            let stat = (x1 / root_r - expected_part) / total.sqrt();
            // (x1 - x0 u)^2 = z^2 (x1 + x0) u in u = ratio * t1 / t0: roots with product
            // (x1 / x0)^2, taken in the forms that avoid cancellation.
            let z2 = z * z;
            let b = 2.0 * x1 * x0 + z2 * total;
            let root = b + (z2 * total * (4.0 * x1 * x0 + z2 * total)).sqrt();
            // Both roots bracket x1 / x0; at a tiny z rounding could cross them, so keep them
            // on their sides of it.
            let centre = x1 / x0;
            let lower = (2.0 * x1 * x1 / root).min(centre);
            let upper = (root / (2.0 * x0 * x0)).max(centre);
            (ratio, lower * back, upper * back, 2.0 * norm_sf(stat.abs()))
        }
        TestMethod::Wald => {
            // (x1 - x0 r) / sqrt(x1 + x0 r^2), divided through by r when r > 1: r^2 overflowed
            // at exposure ratios of 1e160 and gave z = 0, p = 1.
            let stat = if r_d > 1.0 {
                (x1 / r_d - x0) / (x1 / r_d / r_d + x0).sqrt()
            } else {
                (x1 - x0 * r_d) / (x1 + x0 * r_d * r_d).sqrt()
            };
            // On the log scale throughout: with tiny weighted counts the ratio can underflow to 0
            // while the half-width overflows, and ratio * exp(half) would be 0 * inf = NaN.
            let (lower, upper) = if x1 == 0.0 || x0 == 0.0 {
                (0.0, f64::INFINITY)
            } else {
                let half = z * (1.0 / x1 + 1.0 / x0).sqrt();
                let log_ratio = x1.ln() - t1.ln() - x0.ln() + t0.ln();
                ((log_ratio - half).exp(), (log_ratio + half).exp())
            };
            (ratio, lower, upper, 2.0 * norm_sf(stat.abs()))
        }
    }
}

/// The largest total the conditional tests take: 2^53, beyond which f64 no longer holds every
/// whole number, so the binomial search over counts cannot step from one count to the next (it
/// looped without end above i64's range, and gave bounds rounded to 2^53 below it).
const EXACT_TOTAL_MAX: f64 = 9_007_199_254_740_992.0;

/// An error naming the larger count of the first pair whose total is beyond [`EXACT_TOTAL_MAX`].
fn check_exact_total(current: &[f64], previous: &[f64]) -> CoreResult<()> {
    for (index, (&x1, &x0)) in current.iter().zip(previous).enumerate() {
        if x1 + x0 > EXACT_TOTAL_MAX {
            let (arg, value) = if x1 >= x0 {
                ("current", x1)
            } else {
                ("previous", x0)
            };
            return Err(CoreError::OutOfRange {
                arg,
                index,
                value,
                range: "what the exact and mid-p tests hold (current + previous at most 2^53, \
                        about 9.0e15); use method='score' for larger counts",
            });
        }
    }
    Ok(())
}

/// Tests of the ratio of the rates `current / exposure_current` and
/// `previous / exposure_previous`, row by row, with `conf` intervals. `significant` is 1 where
/// the p-value is below 1 - conf.
///
/// The exact and mid-p tests cost a few incomplete-beta evaluations per row, and crime counts
/// repeat, so their interval is computed once per distinct pair of counts (it does not depend
/// on the exposures), and so is the p-value when every row has the same exposures.
pub fn test_ratios(
    current: &[f64],
    previous: &[f64],
    exposure_current: &[f64],
    exposure_previous: &[f64],
    method: TestMethod,
    conf: f64,
) -> CoreResult<RatioTests> {
    let tail = half_alpha(conf)?;
    check::same_length("previous", previous, "current", current)?;
    check::same_length("exposure_current", exposure_current, "current", current)?;
    check::same_length("exposure_previous", exposure_previous, "current", current)?;
    let z = norm_two_sided(conf);
    let alpha = 2.0 * tail;
    let row = |r: (f64, f64, f64, f64)| [r.0, r.1, r.2, r.3, significance(r.3, alpha)];
    let hint = " (an exposure is the population or time the count is over)";
    let whole = method.needs_whole_counts();
    let [ratio, lower, upper, p_value, significant] = if whole.is_none() {
        // The Wald and score tests: one pass, each element read once, checked and used.
        let check_row = |i: usize, [x1, x0, t1, t0]: [f64; 4]| {
            check::count("current", i, x1, None).map_err(|e| (0, e))?;
            check::count("previous", i, x0, None).map_err(|e| (1, e))?;
            check::positive_at("exposure_current", i, t1, hint).map_err(|e| (2, e))?;
            check::positive_at("exposure_previous", i, t0, hint).map_err(|e| (3, e))
        };
        let plain_row = |[x1, x0, t1, t0]: [f64; 4]| {
            check::plain_count(x1)
                & check::plain_count(x0)
                & check::plain_positive(t1)
                & check::plain_positive(t0)
        };
        rows(
            [current, previous, exposure_current, exposure_previous],
            plain_row,
            check_row,
            |[x1, x0, t1, t0]| row(ratio_test(x1, x0, t1, t0, method, tail, z)),
        )?
    } else {
        // The exact and mid-p tests read their inputs more than once (tables of distinct pairs),
        // so they work on snapshots, copied once: about 1.5 ms per million values, against the
        // microseconds each distinct pair costs.
        let (x1, x0, t1, t0) = (
            &snapshot(current),
            &snapshot(previous),
            &snapshot(exposure_current),
            &snapshot(exposure_previous),
        );
        check::counts("current", x1, whole)?;
        check::counts("previous", x0, whole)?;
        check_exact_total(x1, x0)?;
        check::positive("exposure_current", t1, hint)?;
        check::positive("exposure_previous", t0, hint)?;
        let n = x1.len();
        let constant = |values: &[f64]| values.iter().all(|v| v.to_bits() == values[0].to_bits());
        // The interval for p depends on the counts alone, so it is computed once per distinct
        // pair; so is the p-value when every row has the same exposures, and otherwise it is
        // computed in the pass that writes the rows.
        if n > 0 && constant(t1) && constant(t0) {
            let tests = per_distinct_pair(x1, x0, |a, b| {
                (
                    conditional_interval(a, b, method, tail, z),
                    conditional_p_value(a, b, t1[0], t0[0], method),
                )
            });
            columns(n, |i| {
                let (bounds, p_value) = tests[i];
                row(conditional_row(x1[i], x0[i], t1[i], t0[i], bounds, p_value))
            })
        } else {
            let bounds =
                per_distinct_pair(x1, x0, |a, b| conditional_interval(a, b, method, tail, z));
            columns(n, |i| {
                let (a, b, ta, tb) = (x1[i], x0[i], t1[i], t0[i]);
                let p_value = conditional_p_value(a, b, ta, tb, method);
                row(conditional_row(a, b, ta, tb, bounds[i], p_value))
            })
        }
    };
    Ok(RatioTests {
        ratio,
        lower,
        upper,
        p_value,
        significant,
    })
}

fn significance(p_value: f64, alpha: f64) -> f64 {
    if p_value.is_nan() {
        f64::NAN
    } else {
        f64::from(u8::from(p_value < alpha))
    }
}

// ---------------------------------------------------------------------------------------------
// An area against a benchmark
// ---------------------------------------------------------------------------------------------

/// Rates with intervals and their comparison with a benchmark: -1 lower, 0 similar, 1 higher,
/// NaN unknown.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparisons {
    pub rate: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub comparison: Vec<f64>,
    /// The benchmark as read.
    pub benchmark: Vec<f64>,
}

/// The PHE Fingertips rule: a rate is significantly lower than the benchmark when its whole
/// interval lies below it, higher when the whole interval lies above it, similar otherwise.
/// `dispersion` (one value or one per row) widens the intervals for events that repeat on the
/// same people ([`standardise::widen`]).
#[allow(clippy::too_many_arguments)]
pub fn compare(
    count: &[f64],
    population: &[f64],
    benchmark: &[f64],
    per: f64,
    method: RateMethod,
    conf: f64,
    dispersion: Option<&[f64]>,
) -> CoreResult<Comparisons> {
    check::same_length("benchmark", benchmark, "count", count)?;
    // `rates` reads count and population once each; the benchmark is read twice, so it is copied.
    let benchmark = snapshot(benchmark);
    check::counts("benchmark", &benchmark, None)?;
    let mut r = poisson::rates(count, population, per, method, conf)?;
    if let Some(d) = dispersion {
        standardise::widen(&r.rate, &mut r.lower, &mut r.upper, d)?;
    }
    let comparison = (0..count.len())
        .map(|i| {
            let (lo, hi, b) = (r.lower[i], r.upper[i], benchmark[i]);
            if lo.is_nan() || hi.is_nan() || b.is_nan() {
                f64::NAN
            } else if hi < b {
                -1.0
            } else if lo > b {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    Ok(Comparisons {
        rate: r.rate,
        lower: r.lower,
        upper: r.upper,
        comparison,
        benchmark,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::special::norm_ppf;

    use crate::core::testing::close;

    #[test]
    fn change_and_suppression() {
        let c = changes(
            &[5108.0, 10.0, 3.0, f64::NAN],
            &[4949.0, 40.0, 0.0, 5.0],
            50.0,
        )
        .unwrap();
        assert_eq!(c.change[0], 159.0);
        close(c.percent_change[0], 100.0 * 159.0 / 4949.0, 1e-15);
        assert_eq!(c.suppressed[..3], [0.0, 1.0, 1.0]);
        assert!(c.percent_change[1].is_nan() && c.percent_change[2].is_nan());
        assert!(c.change[3].is_nan() && c.percent_change[3].is_nan());
        let zero_base = changes(&[3.0], &[0.0], 0.0).unwrap();
        assert_eq!(zero_base.suppressed[0], 0.0);
        assert!(zero_base.percent_change[0].is_nan());
        assert!(changes(&[1.0], &[1.0], -1.0).is_err());
        assert!(changes(&[1.0], &[-1.0], 50.0).is_err());
    }

    #[test]
    fn exact_test_matches_r() {
        // R 4.x: poisson.test(c(5108, 4949))$p.value and $conf.int (the founding report).
        let (ratio, lo, hi, p) =
            ratio_test(5108.0, 4949.0, 1.0, 1.0, TestMethod::Exact, 0.025, 1.96);
        close(ratio, 5108.0 / 4949.0, 1e-15);
        assert!((p - 0.115).abs() < 0.0005, "p = {p}");
        assert!(lo < 1.0 && 1.0 < hi);
        // Binomial symmetry: with equal exposures and equal counts the p-value is 1.
        let (_, _, _, p_tie) = ratio_test(30.0, 30.0, 2.0, 2.0, TestMethod::Exact, 0.025, 1.96);
        assert_eq!(p_tie, 1.0);
    }

    #[test]
    fn zero_counts_have_defined_answers() {
        for method in [
            TestMethod::Exact,
            TestMethod::Midp,
            TestMethod::Score,
            TestMethod::Wald,
        ] {
            let z = norm_ppf(0.975);
            let (ratio, lo, hi, p) = ratio_test(0.0, 0.0, 1.0, 1.0, method, 0.025, z);
            assert!(ratio.is_nan() && lo == 0.0 && hi.is_infinite() && p == 1.0);
            let (ratio, lo, hi, p) = ratio_test(0.0, 12.0, 1.0, 1.0, method, 0.025, z);
            assert!(ratio == 0.0 && lo == 0.0 && hi.is_finite() || method == TestMethod::Wald);
            assert!(p > 0.0 && p < 0.01, "{method:?}: {p}");
            let (ratio, lo, hi, _) = ratio_test(12.0, 0.0, 1.0, 1.0, method, 0.025, z);
            assert!(ratio.is_infinite() && hi.is_infinite() && lo >= 0.0);
        }
        // Score bounds with one zero count, from the quadratic: z^2 / x0 and x1 / z^2.
        let z = norm_ppf(0.975);
        let (_, _, hi, _) = ratio_test(0.0, 12.0, 1.0, 1.0, TestMethod::Score, 0.025, z);
        close(hi, z * z / 12.0, 1e-14);
        let (_, lo, _, _) = ratio_test(12.0, 0.0, 1.0, 1.0, TestMethod::Score, 0.025, z);
        close(lo, 12.0 / (z * z), 1e-14);
        // Exposures beyond double precision's reach: p rounds to 1 and the test degenerates.
        let (_, _, _, p) = ratio_test(3.0, 4.0, 1e300, 1e-20, TestMethod::Exact, 0.025, z);
        assert_eq!(p, 0.0);
        let (_, _, _, p) = ratio_test(7.0, 0.0, 1e300, 1e-20, TestMethod::Midp, 0.025, z);
        assert_eq!(p, 1.0);
    }

    #[test]
    fn midp_interval_solves_its_equations() {
        let (x, n, tail) = (7.0, 20.0, 0.025);
        let (lo, hi) = binomial_midp_interval(x, n, tail, norm_ppf(1.0 - tail));
        close(binom_sf(x, n, lo) + 0.5 * binom_pmf(x, n, lo), tail, 1e-10);
        close(binom_cdf(x, n, hi) - 0.5 * binom_pmf(x, n, hi), tail, 1e-10);
        let (elo, ehi) = binomial::exact_interval(x, n, tail);
        assert!(elo < lo && hi < ehi);
    }

    #[test]
    fn distinct_pairs_give_the_same_as_direct() {
        let x1: Vec<f64> = (0..20_000).map(|i| f64::from(i % 61)).collect();
        let x0: Vec<f64> = (0..20_000).map(|i| f64::from(i % 53)).collect();
        let one = vec![1.0; x1.len()];
        let all = test_ratios(&x1, &x0, &one, &one, TestMethod::Exact, 0.95).unwrap();
        for i in (0..x1.len()).step_by(997) {
            let tail = half_alpha(0.95).unwrap();
            let row = ratio_test(
                x1[i],
                x0[i],
                1.0,
                1.0,
                TestMethod::Exact,
                tail,
                norm_ppf(1.0 - tail),
            );
            assert_eq!(all.p_value[i].to_bits(), row.3.to_bits());
            assert_eq!(all.upper[i].to_bits(), row.2.to_bits());
        }
    }

    #[test]
    fn bad_input_is_named() {
        let one = [1.0, 1.0];
        let err = test_ratios(&[1.0, -1.0], &one, &one, &one, TestMethod::Score, 0.95).unwrap_err();
        assert!(matches!(
            err,
            CoreError::Negative {
                arg: "current",
                index: 1,
                ..
            }
        ));
        let err = test_ratios(&one, &one, &one, &[1.0, 0.0], TestMethod::Exact, 0.95).unwrap_err();
        assert!(matches!(
            err,
            CoreError::NotPositive {
                arg: "exposure_previous",
                index: 1,
                ..
            }
        ));
        assert!(test_ratios(&[1.5, 1.0], &one, &one, &one, TestMethod::Exact, 0.95).is_err());
        assert!(test_ratios(&[1.5, 1.0], &one, &one, &one, TestMethod::Score, 0.95).is_ok());
        assert!(test_ratios(&one, &[1.0], &one, &one, TestMethod::Exact, 0.95).is_err());
        assert!(test_ratios(&one, &one, &one, &one, TestMethod::Exact, 1.0).is_err());
        assert!("poisson".parse::<TestMethod>().is_err());
    }
}
