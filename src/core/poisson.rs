//! Confidence intervals for a Poisson count and the rate it implies.
//!
//! Every interval is for the expected count behind an observed count `k`; a rate divides it by
//! the population and multiplies by `per`. Intervals are central (alpha/2 in each tail), the lower
//! bound is 0 when `k` is 0, and a NaN count or population gives NaN for that row.
use super::check;
use super::error::{half_alpha, CoreError, CoreResult};
use super::parallel::{owned_rows, rows, CountMarks, CountTable, Direct, PARALLEL_MIN};
use super::special::{
    gamma_isf, gamma_ppf, norm_central, norm_two_sided, poisson_cdf, poisson_pmf, poisson_sf,
    solve_decreasing,
};
use std::str::FromStr;

/// How the interval around a count is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateMethod {
    /// Garwood (1936): lower = chi2(a/2, 2k)/2, upper = chi2(1-a/2, 2k+2)/2; R `poisson.test`,
    /// statsmodels `exact-c` and PHEindicatormethods give the same.
    Exact,
    /// Byar's approximation (Breslow & Day 1987), as PHEindicatormethods `byars_lower/upper`.
    Byar,
    /// Public Health England's rule: exact below 10 events, Byar from 10 (PHEindicatormethods).
    Phe,
    /// The score (Wilson-type) interval, statsmodels `confint_poisson(method="score")`.
    Score,
    /// The mid-p exact interval: half the probability of the observed count in each tail.
    Midp,
    /// Jeffreys' prior: gamma quantiles with shape k + 1/2, statsmodels `jeff`; the lower bound is 0
    /// at k = 0 (Brown, Cai & DasGupta's boundary rule, as for proportions).
    Jeffreys,
    /// The normal approximation k +/- z sqrt(k), the lower bound clipped at 0.
    Wald,
}

impl RateMethod {
    const KNOWN: &'static str = "'exact', 'byar', 'phe', 'score', 'midp', 'jeffreys', 'wald'";

    /// Methods built on the Poisson distribution of whole counts refuse fractional counts.
    fn needs_whole_counts(self) -> Option<&'static str> {
        match self {
            Self::Exact | Self::Phe | Self::Midp => Some(
                "exact Poisson methods need whole counts; use method='byar' or 'score' for weighted counts",
            ),
            _ => None,
        }
    }

    /// Methods whose interval costs more than a table lookup (incomplete-gamma quantiles): these
    /// are computed once per distinct count; the others row by row.
    fn is_costly(self) -> bool {
        matches!(self, Self::Exact | Self::Midp | Self::Jeffreys)
    }
}

impl FromStr for RateMethod {
    type Err = CoreError;
    fn from_str(name: &str) -> CoreResult<Self> {
        Ok(match name {
            "exact" => Self::Exact,
            "byar" => Self::Byar,
            "phe" => Self::Phe,
            "score" => Self::Score,
            "midp" => Self::Midp,
            "jeffreys" => Self::Jeffreys,
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

/// Garwood's exact interval for the expected count behind `k` events.
pub fn exact_interval(k: f64, tail: f64) -> (f64, f64) {
    let lower = if k == 0.0 { 0.0 } else { gamma_ppf(tail, k) };
    (lower, gamma_isf(tail, k + 1.0))
}

/// Byar's approximation; `z` is the upper `tail` normal quantile.
fn byar_interval(k: f64, z: f64) -> (f64, f64) {
    let lower = if k == 0.0 {
        0.0
    } else {
        k * (1.0 - 1.0 / (9.0 * k) - z / (3.0 * k.sqrt())).powi(3)
    };
    let k1 = k + 1.0;
    let upper = k1 * (1.0 - 1.0 / (9.0 * k1) + z / (3.0 * k1.sqrt())).powi(3);
    (lower.max(0.0), upper)
}

/// Mid-p bounds: lower L solves P(X > k; L) + P(X = k; L)/2 = tail, upper U solves
/// P(X < k; U) + P(X = k; U)/2 = tail. Both lie inside the exact interval, which brackets the
/// Newton iteration for each (not k: at a conf near 0 both tend to the mid-p median, which may
/// lie above k); the derivative is -(pmf(k) + pmf(k-1))/2 for the lower-tail function.
fn midp_interval(k: f64, tail: f64, z: f64) -> (f64, f64) {
    if k == 0.0 {
        // exp(-U) / 2 = tail: U = -ln(1 - conf), which vanishes with conf.
        return (0.0, -log_alpha(tail, z));
    }
    let (exact_lower, exact_upper) = exact_interval(k, tail);
    // g(mu) = P(X <= k; mu) - P(X = k; mu)/2 falls from 1 - pmf/2 at 0 towards 0.
    let g = |mu: f64| poisson_cdf(k, mu) - 0.5 * poisson_pmf(k, mu);
    let below = |mu: f64| {
        if k == 0.0 {
            0.0
        } else {
            poisson_pmf(k - 1.0, mu)
        }
    };
    let slope = |mu: f64| -0.5 * (poisson_pmf(k, mu) + below(mu));
    let upper = solve_decreasing(g, slope, tail, exact_lower, exact_upper);
    // P(X > k; mu) + P(X = k; mu)/2 rises with mu; solved as its negative against -tail (the
    // same slope as g), not as g against 1 - tail, which rounds a tail of 5e-17 by a tenth.
    let rising = |mu: f64| -(poisson_sf(k, mu) + 0.5 * poisson_pmf(k, mu));
    let lower = solve_decreasing(rising, slope, -tail, exact_lower, exact_upper);
    (lower, upper)
}

/// `ln(1 - conf) = ln(2 tail)` for the level with upper tail `tail` and normal quantile `z`:
/// from the tail where it is small, and from conf = P(|Z| <= z) where it is near 1/2 (a conf of
/// 1e-16), which the rounded tail no longer holds.
pub(crate) fn log_alpha(tail: f64, z: f64) -> f64 {
    if tail < 0.25 {
        (2.0 * tail).ln()
    } else {
        (-norm_central(z)).ln_1p()
    }
}

/// The interval for the expected count behind `k` by `method`, with `tail` = alpha/2 and `z` its
/// upper normal quantile. NaN in, NaN out.
pub fn count_interval(k: f64, method: RateMethod, tail: f64, z: f64) -> (f64, f64) {
    if k.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    match method {
        RateMethod::Exact => exact_interval(k, tail),
        RateMethod::Phe if k < 10.0 => exact_interval(k, tail),
        RateMethod::Byar | RateMethod::Phe => byar_interval(k, z),
        RateMethod::Score => {
            // The roots of (mu - k)^2 = z^2 mu: their product is k^2, so the lower one is
            // k * (k / upper), free of the cancellation of centre - half for a tiny weighted
            // count (rate(1e-6, 1, method="score") was 3e-4 off).
            let upper = k + z * z / 2.0 + z * (k + z * z / 4.0).sqrt();
            let lower = if k == 0.0 { 0.0 } else { k * (k / upper) };
            (lower.min(k), upper.max(k))
        }
        RateMethod::Midp => midp_interval(k, tail, z),
        RateMethod::Jeffreys => {
            let lower = if k == 0.0 {
                0.0
            } else {
                gamma_ppf(tail, k + 0.5)
            };
            (lower, gamma_isf(tail, k + 0.5))
        }
        RateMethod::Wald => {
            let half = z * k.sqrt();
            ((k - half).max(0.0), k + half)
        }
    }
}

/// `value * num / den` for positive `num` and `den` (a count as a rate per `per` people, or a
/// rate as an expected count) without a spurious overflow: `per / population` alone overflowed
/// for a population of 1e-306, and 0 times that was NaN, not the rate 0.
pub(crate) fn times_ratio(value: f64, num: f64, den: f64) -> f64 {
    let ratio = num / den;
    if value == 0.0 && !num.is_nan() && !den.is_nan() {
        0.0
    } else if ratio.is_finite() && ratio >= f64::MIN_POSITIVE {
        value * ratio
    } else {
        // The ratio overflowed or underflowed: divide first, then multiply.
        value / den * num
    }
}

/// Rates per `per` people with their intervals, beside the counts and populations they were
/// computed from (as read: the caller's arrays may have changed since).
#[derive(Debug, Clone, PartialEq)]
pub struct Rates {
    pub count: Vec<f64>,
    pub population: Vec<f64>,
    pub rate: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// Rates `count / population * per` with a `conf` interval by `method`, for equal-length arrays.
///
/// `count` and `population` may be the caller's memory, written by another thread meanwhile: the
/// one pass that reads them reads each element once ([`rows`]), checks it and computes from it.
/// The closed-form methods finish in that pass. For the costly ones the pass only copies and marks
/// the distinct whole counts it read, each one's interval is computed once, and a second pass over
/// the `count` and `population` columns the first pass wrote (owned memory, the values it checked)
/// fills `rate`, `lower` and `upper` from that table (indexed by the count, in a sweep without
/// branches that vectorises); no memory beyond the result either way.
///
/// Populations must be positive (a rate per head of nobody is undefined: pass NaN for such a row);
/// counts may exceed populations.
#[allow(clippy::manual_range_contains, clippy::needless_bitwise_bool)] // see `usual`
pub fn rates(
    count: &[f64],
    population: &[f64],
    per: f64,
    method: RateMethod,
    conf: f64,
) -> CoreResult<Rates> {
    /// The table's value for a count it lacks (an interval of a whole count is never NaN).
    const MISSING: (f64, f64) = (f64::NAN, f64::NAN);
    let tail = half_alpha(conf)?;
    check::same_length("population", population, "count", count)?;
    // Checked after the arrays, so that a bad array is reported first.
    let per_check = check::positive_scalar("per", per);
    let whole = method.needs_whole_counts();
    let check_row = |i: usize, [k, p]: [f64; 2]| {
        check::count("count", i, k, whole).map_err(|e| (0, e))?;
        check::positive_at(
            "population",
            i,
            p,
            " (a rate per head of no population is undefined; give NaN for such a row)",
        )
        .map_err(|e| (1, e))
    };
    let needs_whole = whole.is_some();
    let plain_row = move |[k, p]: [f64; 2]| {
        let whole = !needs_whole | check::plain_whole_count(k);
        check::plain_count(k) & check::plain_positive(p) & whole
    };
    let z = norm_two_sided(conf);
    let interval = |k: f64| count_interval(k, method, tail, z);
    // `v` per `per` people of population `p`.
    let scaled = |v: f64, p: f64| {
        let scale = per / p;
        if scale.is_finite() && scale >= f64::MIN_POSITIVE {
            v * scale
        } else {
            times_ratio(v, per, p)
        }
    };
    if !method.is_costly() {
        // PHE's exact intervals below 10 events, computed once.
        let small: [(f64, f64); 10] = std::array::from_fn(|k| interval(k as f64));
        let [count, population, rate, lower, upper] =
            rows([count, population], plain_row, check_row, |[k, p]| {
                let (lo, hi) = if method == RateMethod::Phe && k < 10.0 && check::is_whole(k) {
                    small[k as usize]
                } else {
                    interval(k)
                };
                [k, p, scaled(k, p), scaled(lo, p), scaled(hi, p)]
            })?;
        per_check?;
        return Ok(Rates {
            count,
            population,
            rate,
            lower,
            upper,
        });
    }
    // The costly methods: the pass that reads the caller's arrays also marks the distinct whole
    // counts it read, each distinct count's interval is computed once from the marks, and a second
    // pass over the columns the first one wrote (owned memory) looks the intervals up.
    let marks = (count.len() >= PARALLEL_MIN).then(CountMarks::default);
    let [count, population] = rows([count, population], plain_row, check_row, |[k, p]| {
        if let Some(marks) = &marks {
            marks.mark(k);
        }
        [k, p]
    })?;
    per_check?;
    let table = marks.and_then(|marks| {
        CountTable::from_marks(&marks, interval, MISSING)
            .or_else(|| CountTable::new(&count, interval, MISSING))
    });
    let tabled = |k: f64| table.as_ref().map_or(MISSING, |t| t.get(k));
    let direct = table
        .as_ref()
        .map_or(Direct::none(&MISSING), CountTable::direct);
    // The usual row, without branches (`&`, not `&&`): its interval is in the direct part of the
    // table and `per / p` is a normal number. Any other row is computed by `scaled`, and its
    // interval directly where the table lacks it; the same numbers either way.
    let usual = |[k, p]: [f64; 2]| {
        let (lo, hi) = direct.get(k);
        let scale = per / p;
        let right = !lo.is_nan() & (scale < f64::INFINITY) & (scale >= f64::MIN_POSITIVE);
        ([k * scale, lo * scale, hi * scale], right)
    };
    let other = |[k, p]: [f64; 2]| {
        let (lo, hi) = match tabled(k) {
            (lo, _) if lo.is_nan() => interval(k),
            found => found,
        };
        [scaled(k, p), scaled(lo, p), scaled(hi, p)]
    };
    let [rate, lower, upper] = owned_rows([&count, &population], usual, other);
    Ok(Rates {
        count,
        population,
        rate,
        lower,
        upper,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::core::special::norm_ppf;
    use crate::core::testing::close;

    #[test]
    fn phe_reference_values() {
        // PHEindicatormethods testdata_Rate.xlsx (../shared/reference/rates.csv).
        let r = rates(
            &[1.0, 222.0],
            &[100.0, 3215.0],
            100_000.0,
            RateMethod::Phe,
            0.95,
        )
        .unwrap();
        close(r.lower[0], 25.317807984289896, 1e-9);
        close(r.upper[0], 5571.6433909388979, 1e-9);
        close(r.lower[1], 6026.5748776526743, 1e-9);
        close(r.upper[1], 7875.7293708718507, 1e-9);
        let big = rates(
            &[7776456.0],
            &[7564336677.0],
            100_000.0,
            RateMethod::Phe,
            0.95,
        )
        .unwrap();
        close(big.lower[0], 102.73196005302074, 1e-9);
    }

    #[test]
    fn byar_count_only() {
        // PHEindicatormethods testdata_Byars_Wilson.xlsx.
        let (lo, hi) = count_interval(65.0, RateMethod::Byar, 0.025, norm_ppf(0.975));
        close(lo, 50.163187710459454, 1e-9);
        close(hi, 82.849138545939837, 1e-9);
    }

    #[test]
    fn statsmodels_reference_values() {
        // statsmodels test_rates_poisson.py: count 15, exposure 400.
        for (method, lo, hi) in [
            (RateMethod::Exact, 0.0209884653319583, 0.0618505471787146),
            (RateMethod::Score, 0.0227264749053794, 0.0618771721463559),
            (RateMethod::Jeffreys, 0.0219234232268444, 0.0602898619930649),
        ] {
            let r = rates(&[15.0], &[400.0], 1.0, method, 0.95).unwrap();
            close(r.lower[0], lo, 1e-12);
            close(r.upper[0], hi, 1e-12);
        }
    }

    #[test]
    fn zero_counts_nan_and_midp() {
        let r = rates(
            &[0.0, f64::NAN],
            &[10.0, 10.0],
            1.0,
            RateMethod::Exact,
            0.95,
        )
        .unwrap();
        assert_eq!(r.lower[0], 0.0);
        close(r.upper[0] * 10.0, -(0.025_f64.ln()), 1e-14);
        assert!(r.rate[1].is_nan() && r.lower[1].is_nan() && r.upper[1].is_nan());
        // Mid-p for k = 0: upper solves exp(-U)/2 = 0.025, so U = ln(20).
        let (lo, hi) = midp_interval(0.0, 0.025, norm_ppf(0.975));
        assert_eq!(lo, 0.0);
        close(hi, 20.0_f64.ln(), 1e-13);
        // Mid-p lies inside the exact interval.
        let (elo, ehi) = exact_interval(7.0, 0.025);
        let (mlo, mhi) = midp_interval(7.0, 0.025, norm_ppf(0.975));
        assert!(elo < mlo && mhi < ehi);
    }

    #[test]
    fn tabled_rows_equal_direct_intervals() {
        // Enough rows for the table of distinct counts: counts below the bitmap's limit (a table
        // indexed by the count), counts on both sides of it (the marks give up and the table over
        // the column holds the small ones directly and the others by slot), zero counts, NaN,
        // fractional counts for Jeffreys (computed directly), and populations whose `per / p`
        // overflows or is NaN (computed by `scaled`, with the interval from the table).
        let near = |i: u32| 65_530.0 + f64::from(i % 13);
        for (method, big) in [
            (RateMethod::Exact, None),
            (RateMethod::Exact, Some(near as fn(u32) -> f64)),
            (RateMethod::Jeffreys, Some(|i| 7e4 + f64::from(i % 3))),
        ] {
            let count: Vec<f64> = (0..20_000)
                .map(|i| match i % 6 {
                    0 => f64::NAN,
                    1 => big.map_or(0.0, |b| b(i)),
                    2 if method == RateMethod::Jeffreys => 0.5 + f64::from(i % 7),
                    3 => 0.0,
                    _ => f64::from(i % 41),
                })
                .collect();
            let population: Vec<f64> = (0..20_000)
                .map(|i| match i % 997 {
                    0 => 1e-310,
                    1 => f64::NAN,
                    _ => 1e3 + f64::from(i),
                })
                .collect();
            let r = rates(&count, &population, 100.0, method, 0.9).unwrap();
            let (tail, z) = (half_alpha(0.9).unwrap(), norm_two_sided(0.9));
            for i in 0..count.len() {
                let (lo, hi) = count_interval(count[i], method, tail, z);
                let p = population[i];
                for (got, want) in [
                    (r.lower[i], times_ratio(lo, 100.0, p)),
                    (r.upper[i], times_ratio(hi, 100.0, p)),
                    (r.rate[i], times_ratio(count[i], 100.0, p)),
                ] {
                    assert!(got.to_bits() == want.to_bits(), "row {i}: {got} {want}");
                }
                if (100.0 / p).is_normal() {
                    // The usual row: the interval scaled by `per / p`, as `times_ratio` does.
                    assert!(r.lower[i].to_bits() == (lo * (100.0 / p)).to_bits());
                }
            }
        }
    }

    #[test]
    fn bad_input_is_named() {
        let err = rates(&[1.0, 2.5], &[1.0, 1.0], 1.0, RateMethod::Exact, 0.95).unwrap_err();
        assert!(matches!(err, CoreError::NotWhole { index: 1, .. }));
        assert!(rates(&[1.0], &[0.0], 1.0, RateMethod::Byar, 0.95).is_err());
        assert!(rates(&[1.0], &[1.0], 1.0, RateMethod::Byar, 1.0).is_err());
        assert!(rates(&[1.0], &[1.0, 2.0], 1.0, RateMethod::Byar, 0.9).is_err());
        assert!("poisson".parse::<RateMethod>().is_err());
    }
}
