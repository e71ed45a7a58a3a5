//! Confidence intervals for a binomial proportion x / n.
//!
//! Intervals are central and lie in [0, 1]: the exact and Jeffreys lower bounds are 0 at x = 0 and
//! the upper bounds 1 at x = n, as statsmodels `proportion_confint` and R `binom.test` give. The
//! closed-form intervals accept fractional x and n (an effective base n / deft^2); the exact one
//! needs whole numbers. NaN in, NaN out.
use super::check;
use super::error::{half_alpha, CoreError, CoreResult};
use super::parallel::{per_distinct_pair_in_place, rows, RowError};
use super::special::{beta_isf, beta_ppf, beta_tail_quantile, norm_ppf, norm_two_sided};
use std::str::FromStr;

/// How the interval around a proportion is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProportionMethod {
    /// Wilson (1927) score interval; PHEindicatormethods `phe_proportion` and statsmodels `wilson`.
    Wilson,
    /// Clopper & Pearson (1934): beta quantiles, statsmodels `beta`, R `binom.test`.
    Exact,
    /// Jeffreys' prior Beta(x + 1/2, n - x + 1/2), statsmodels `jeffreys`, with Brown, Cai &
    /// DasGupta's (2001) boundary rule: lower 0 at x = 0, upper 1 at x = n.
    Jeffreys,
    /// Agresti & Coull (1998): the Wald interval around (x + z^2/2) / (n + z^2).
    AgrestiCoull,
    /// The normal approximation p +/- z sqrt(p (1 - p) / n), clipped to [0, 1].
    Wald,
}

impl ProportionMethod {
    const KNOWN: &'static str = "'wilson', 'exact', 'jeffreys', 'agresti-coull', 'wald'";
}

impl FromStr for ProportionMethod {
    type Err = CoreError;
    fn from_str(name: &str) -> CoreResult<Self> {
        Ok(match name {
            "wilson" => Self::Wilson,
            "exact" => Self::Exact,
            "jeffreys" => Self::Jeffreys,
            "agresti-coull" => Self::AgrestiCoull,
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

/// Wilson's score interval for x successes in n trials; `z` is the upper normal quantile.
///
/// The bounds are the roots of `(n + z^2) p^2 - (2x + z^2) p + x^2 / n = 0`, written in counts,
/// `(x + z^2/2 +/- z sqrt(x (1 - x/n) + z^2/4)) / (n + z^2)`, so that nothing underflows for a
/// huge base (`p (1 - p) / n` was 0 at n = 1e308 and the interval collapsed to a point), and
/// the lower root is taken as `x^2 / n` over the product's other factor, free of the
/// cancellation of `centre - half` for a tiny x (a lower bound above the estimate at
/// x = 5e-324).
///
/// NaN in either gives NaN bounds. Written without branches (every `if` is a select), so that a
/// loop of it vectorises.
#[inline]
pub fn wilson_interval(x: f64, n: f64, z: f64) -> (f64, f64) {
    let p = x / n;
    let z2 = z * z;
    let base = n + z2;
    // (n + z^2) times the upper root.
    let far = x + 0.5 * z2 + z * (x * (1.0 - p) + 0.25 * z2).sqrt();
    // At x = 0 and x = n the bounds are exactly 0 and 1.
    let lower = if x == 0.0 { 0.0 } else { p * (x / far) };
    let upper = if x == n { 1.0 } else { (far / base).min(1.0) };
    nan_if(p, (lower.min(p), upper.max(p)))
}

/// `bounds`, or NaN bounds where `p` is NaN (min and max would otherwise drop a NaN).
#[inline]
fn nan_if(p: f64, (lower, upper): (f64, f64)) -> (f64, f64) {
    if p.is_nan() {
        (f64::NAN, f64::NAN)
    } else {
        (lower, upper)
    }
}

/// The Wald interval around a proportion `p` with standard error `se`, clipped to [0, 1].
#[inline]
pub fn wald_interval(p: f64, se: f64, z: f64) -> (f64, f64) {
    nan_if(
        p + se,
        ((p - z * se).clamp(0.0, 1.0), (p + z * se).clamp(0.0, 1.0)),
    )
}

/// Agresti and Coull's interval: the Wald interval around (x + z^2/2) / (n + z^2).
#[inline]
fn agresti_coull_interval(x: f64, n: f64, z: f64) -> (f64, f64) {
    let n_tilde = n + z * z;
    let p_tilde = (x + z * z / 2.0) / n_tilde;
    wald_interval(p_tilde, (p_tilde * (1.0 - p_tilde) / n_tilde).sqrt(), z)
}

/// The Wald interval around x / n.
#[inline]
fn wald_proportion_interval(x: f64, n: f64, z: f64) -> (f64, f64) {
    let p = x / n;
    wald_interval(p, (p * (1.0 - p) / n).sqrt(), z)
}

/// Clopper-Pearson bounds: Beta(x, n - x + 1) lower and Beta(x + 1, n - x) upper quantiles,
/// both at the tail probability `tail` (so they share its normal quantile).
pub fn exact_interval(x: f64, n: f64, tail: f64) -> (f64, f64) {
    exact_interval_at(x, n, tail, -norm_ppf(tail))
}

/// [`exact_interval`] given `z`, the upper normal quantile of `tail`, for callers that take
/// many intervals at one `tail` and have it already.
pub fn exact_interval_at(x: f64, n: f64, tail: f64, z: f64) -> (f64, f64) {
    let z = -z;
    let lower = if x == 0.0 {
        0.0
    } else {
        beta_tail_quantile(tail, z, x, n - x + 1.0, false)
    };
    let upper = if x == n {
        1.0
    } else {
        beta_tail_quantile(tail, z, x + 1.0, n - x, true)
    };
    (lower, upper)
}

/// The interval for x successes in n trials by `method`, `tail` = alpha/2, `z` its normal quantile.
pub fn proportion_interval(
    x: f64,
    n: f64,
    method: ProportionMethod,
    tail: f64,
    z: f64,
) -> (f64, f64) {
    if x.is_nan() || n.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    match method {
        ProportionMethod::Wilson => wilson_interval(x, n, z),
        ProportionMethod::Exact => exact_interval_at(x, n, tail, z),
        ProportionMethod::Jeffreys => {
            let lower = if x == 0.0 {
                0.0
            } else {
                beta_ppf(tail, x + 0.5, n - x + 0.5)
            };
            let upper = if x == n {
                1.0
            } else {
                beta_isf(tail, x + 0.5, n - x + 0.5)
            };
            (lower, upper)
        }
        ProportionMethod::AgrestiCoull => agresti_coull_interval(x, n, z),
        ProportionMethod::Wald => wald_proportion_interval(x, n, z),
    }
}

/// Proportions with their intervals, beside the `x` and `n` they were computed from (as read).
#[derive(Debug, Clone, PartialEq)]
pub struct Proportions {
    pub x: Vec<f64>,
    pub n: Vec<f64>,
    pub proportion: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// Proportions `x / n` with a `conf` interval by `method`, for equal-length arrays.
///
/// `x` and `n` may be the caller's memory, written by another thread meanwhile: they are read
/// once, element by element, by the pass that checks them ([`rows`]). The closed-form intervals
/// finish in that pass; for the exact and Jeffreys intervals it leaves `x` and `n` in the `lower`
/// and `upper` columns (an owned snapshot taking no memory beyond the result) and each distinct
/// (x, n) pair's interval is computed once from there.
pub fn proportions(
    x: &[f64],
    n: &[f64],
    method: ProportionMethod,
    conf: f64,
) -> CoreResult<Proportions> {
    let tail = half_alpha(conf)?;
    check::same_length("n", n, "x", x)?;
    let whole = (method == ProportionMethod::Exact).then_some(
        "the exact (Clopper-Pearson) interval needs whole numbers; use method='wilson' for an effective base",
    );
    let check_row = |i: usize, [xi, ni]: [f64; 2]| {
        check::count("x", i, xi, whole).map_err(|e| (0, e))?;
        check::positive_at("n", i, ni, "").map_err(|e| (1, e))?;
        check::count("n", i, ni, whole).map_err(|e| (2, e))?;
        check::at_most_at("x", i, xi, "n", ni).map_err(|e| (3, e))
    };
    let needs_whole = whole.is_some();
    let plain_row = move |[xi, ni]: [f64; 2]| {
        let whole = !needs_whole | (check::plain_whole_count(xi) & check::plain_whole_count(ni));
        check::plain_count(xi) & check::plain_positive(ni) & whole & check::at_most_plain(xi, ni)
    };
    let z = norm_two_sided(conf);
    let kernel = |xi: f64, ni: f64| proportion_interval(xi, ni, method, tail, z);
    if method == ProportionMethod::Exact || method == ProportionMethod::Jeffreys {
        let [x, n, proportion, mut lower, mut upper] =
            rows([x, n], plain_row, check_row, |[xi, ni]| {
                [xi, ni, xi / ni, xi, ni]
            })?;
        per_distinct_pair_in_place(&mut lower, &mut upper, kernel);
        return Ok(Proportions {
            x,
            n,
            proportion,
            lower,
            upper,
        });
    }
    // The closed forms row by row, each method its own loop, free of branches (it vectorises:
    // see `parallel::rows`).
    let [x, n, proportion, lower, upper] = match method {
        ProportionMethod::Wilson => closed_rows(x, n, plain_row, check_row, move |x, n| {
            wilson_interval(x, n, z)
        }),
        ProportionMethod::AgrestiCoull => closed_rows(x, n, plain_row, check_row, move |x, n| {
            agresti_coull_interval(x, n, z)
        }),
        _ => closed_rows(x, n, plain_row, check_row, move |x, n| {
            wald_proportion_interval(x, n, z)
        }),
    }?;
    Ok(Proportions {
        x,
        n,
        proportion,
        lower,
        upper,
    })
}

/// x, n, x / n and the bounds of `interval` for each row, in one read of each element.
fn closed_rows<P, C, I>(
    x: &[f64],
    n: &[f64],
    plain_row: P,
    check_row: C,
    interval: I,
) -> CoreResult<[Vec<f64>; 5]>
where
    P: Fn([f64; 2]) -> bool + Sync,
    C: Fn(usize, [f64; 2]) -> Result<(), RowError> + Sync,
    I: Fn(f64, f64) -> (f64, f64) + Sync + Copy,
{
    rows([x, n], plain_row, check_row, move |[xi, ni]| {
        let (lo, hi) = interval(xi, ni);
        [xi, ni, xi / ni, lo, hi]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::core::testing::close;

    #[test]
    fn wilson_reference_values() {
        // PHEindicatormethods testdata_Proportion.xlsx and statsmodels test_proportion.py
        // (../shared/reference/proportions.csv).
        let p = proportions(
            &[65.0, 1.0, 999.0, 19.0],
            &[100.0, 100.0, 3456.0, 38.0],
            ProportionMethod::Wilson,
            0.95,
        )
        .unwrap();
        for (i, (lo, hi)) in [
            (0.55254443296887967, 0.73635751756902468),
            (0.0017674320641406511, 0.054486196178705294),
            (0.27418951080009873, 0.30440389662818057),
            (0.348499283643951, 0.651500716356049),
        ]
        .into_iter()
        .enumerate()
        {
            close(p.lower[i], lo, 1e-12);
            close(p.upper[i], hi, 1e-12);
        }
    }

    #[test]
    fn exact_edges() {
        let p = proportions(&[0.0, 10.0], &[10.0, 10.0], ProportionMethod::Exact, 0.95).unwrap();
        assert_eq!(p.lower[0], 0.0);
        // x = 0: the upper bound solves (1 - U)^n = alpha/2.
        close(p.upper[0], 1.0 - 0.025_f64.powf(0.1), 1e-13);
        assert_eq!(p.upper[1], 1.0);
        close(p.lower[1], 0.025_f64.powf(0.1), 1e-13);
    }

    #[test]
    fn bad_input_is_named() {
        let err = proportions(&[3.0], &[2.0], ProportionMethod::Wilson, 0.95).unwrap_err();
        assert!(matches!(err, CoreError::ExceedsWhole { index: 0, .. }));
        assert!(proportions(&[1.5], &[2.0], ProportionMethod::Exact, 0.95).is_err());
        assert!(proportions(&[1.5], &[2.5], ProportionMethod::Wilson, 0.95).is_ok());
        assert!(proportions(&[0.0], &[0.0], ProportionMethod::Wilson, 0.95).is_err());
        assert!("binomial".parse::<ProportionMethod>().is_err());
    }
}
