//! Intervals around survey estimates: a share's by R `svyciprop`, a mean's or total's by the t
//! quantile of the design df.
use super::super::binomial::{exact_interval, wald_interval, wilson_interval};
use super::super::check;
use super::super::error::{half_alpha, CoreError, CoreResult};
use super::super::special::{beta_inc, gamma_q, t_sf, t_two_sided};
use super::Estimates;
use std::collections::HashMap;
use std::str::FromStr;

/// The interval around a survey share, as R `svyciprop(method = )` with the design df.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareInterval {
    /// The Wald interval on the logit scale (R `logit`, from `svyglm(family = quasibinomial)`).
    Logit,
    /// Korn & Graubard (1998): Clopper-Pearson on the effective sample size (R `beta`).
    Beta,
    /// The delta-method interval on the logit scale (R `xlogit`; the same as `Logit`).
    XLogit,
    /// Wilson's score interval on the effective sample size of `Beta` (Dean & Pagano 2015), with
    /// the t quantile of the design df in place of the normal one (svy's `wilson`).
    Wilson,
    /// The Wald interval `p +/- t se` (R `mean`), clipped to [0, 1].
    Mean,
}

impl ShareInterval {
    const KNOWN: &'static str = "'logit', 'beta', 'xlogit', 'wilson', 'mean'";
}

impl FromStr for ShareInterval {
    type Err = CoreError;
    fn from_str(name: &str) -> CoreResult<Self> {
        Ok(match name {
            "logit" => Self::Logit,
            "beta" => Self::Beta,
            "xlogit" => Self::XLogit,
            "wilson" => Self::Wilson,
            "mean" => Self::Mean,
            _ => {
                return Err(CoreError::Unknown {
                    arg: "ci",
                    given: name.to_owned(),
                    known: Self::KNOWN,
                })
            }
        })
    }
}

/// The t quantile of the design df for a two-sided `conf` interval (NaN for df <= 0), from
/// `conf` itself so that a conf within 1e-16 of 0 or 1 keeps its value.
fn t_quantile(conf: f64, df: f64) -> f64 {
    if df > 0.0 {
        t_two_sided(conf, df)
    } else {
        f64::NAN
    }
}

/// The interval around a survey share `share` with standard error `se`, design df `df` and `n`
/// rows in its domain (used by Korn-Graubard), as R `svyciprop`.
///
/// A share of 0 or 1 has no spread to scale: `logit`, `xlogit` and `mean` give the point, `beta`
/// and `wilson` the interval of `n` independent rows.
pub fn share_interval(
    share: f64,
    se: f64,
    df: f64,
    n: f64,
    method: ShareInterval,
    tail: f64,
) -> (f64, f64) {
    let conf = 1.0 - 2.0 * tail;
    let rows_quantile = if matches!(method, ShareInterval::Beta | ShareInterval::Wilson) && n > 1.0
    {
        t_quantile(conf, n - 1.0)
    } else {
        f64::NAN
    };
    interval_from_quantiles(
        share,
        se,
        n,
        t_quantile(conf, df),
        rows_quantile,
        method,
        tail,
    )
}

/// [`share_interval`] given the upper t quantiles of the design df (`t`) and of `n - 1` df
/// (`t_rows`, for Korn-Graubard and Wilson).
fn interval_from_quantiles(
    share: f64,
    se: f64,
    n: f64,
    t: f64,
    t_rows: f64,
    method: ShareInterval,
    tail: f64,
) -> (f64, f64) {
    if share.is_nan() || se.is_nan() || t.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    // The effective sample size p (1 - p) / se^2 (Korn & Graubard 1998), n when se is zero,
    // scaled by (t_{n-1} / t_df)^2 for the design's fewer degrees of freedom (R `svyciprop`).
    let effective_n = if se > 0.0 {
        share * (1.0 - share) / (se * se)
    } else {
        n
    };
    let ratio = t_rows / t;
    let scaled = effective_n * ratio * ratio;
    match method {
        ShareInterval::Logit | ShareInterval::XLogit => {
            if share <= 0.0 || share >= 1.0 || se == 0.0 {
                return (share, share);
            }
            // R `svycontrast(log(p / (1 - p)))`: the delta method, se / (p (1 - p)).
            let logit = (share / (1.0 - share)).ln();
            let half = t * se / (share * (1.0 - share));
            (expit(logit - half), expit(logit + half))
        }
        ShareInterval::Mean => wald_interval(share, se, t),
        ShareInterval::Wilson if !scaled.is_nan() => wilson_interval(share * scaled, scaled, t),
        // R `svyciprop(method = "beta")`: Clopper-Pearson at x = n_eff p on the scaled n_eff.
        ShareInterval::Beta if !scaled.is_nan() => exact_interval(scaled * share, scaled, tail),
        ShareInterval::Wilson | ShareInterval::Beta => (f64::NAN, f64::NAN),
    }
}

/// `t_quantile(conf, df)` for each df, computed once per distinct df (domains share a few).
fn quantiles(conf: f64, df: &[f64]) -> Vec<f64> {
    let mut seen: HashMap<u64, f64> = HashMap::new();
    df.iter()
        .map(|&d| {
            *seen
                .entry(d.to_bits())
                .or_insert_with(|| t_quantile(conf, d))
        })
        .collect()
}

fn expit(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Intervals for every share, as [`share_interval`] with a two-sided `conf`.
pub fn share_intervals(
    share: &[f64],
    se: &[f64],
    df: &[f64],
    n: &[f64],
    method: ShareInterval,
    conf: f64,
) -> CoreResult<(Vec<f64>, Vec<f64>)> {
    let tail = half_alpha(conf)?;
    check::same_length("se", se, "share", share)?;
    check::same_length("df", df, "share", share)?;
    check::same_length("n", n, "share", share)?;
    check::unit_interval("share", share)?;
    check::counts("se", se, None)?;
    let t = quantiles(conf, df);
    let t_rows = if matches!(method, ShareInterval::Beta | ShareInterval::Wilson) {
        let rows_df: Vec<f64> = n.iter().map(|m| m - 1.0).collect();
        quantiles(conf, &rows_df)
    } else {
        vec![f64::NAN; share.len()]
    };
    Ok((0..share.len())
        .map(|i| interval_from_quantiles(share[i], se[i], n[i], t[i], t_rows[i], method, tail))
        .unzip())
}

impl Estimates {
    /// Lower and upper bounds for every estimate: a share interval by `share` (with the domain's
    /// df and rows), or for means and totals (`share = None`) the t interval of the design df.
    pub fn intervals(
        &self,
        share: Option<ShareInterval>,
        conf: f64,
    ) -> CoreResult<(Vec<f64>, Vec<f64>)> {
        let per_column = |v: &[f64]| -> Vec<f64> {
            v.iter()
                .flat_map(|&x| std::iter::repeat(x).take(self.n_columns))
                .collect()
        };
        let df = per_column(&self.df);
        match share {
            Some(method) => share_intervals(
                &self.estimate,
                &self.se,
                &df,
                &per_column(&self.n),
                method,
                conf,
            ),
            None => t_intervals(&self.estimate, &self.se, &df, conf),
        }
    }
}

/// The t interval `estimate +/- t_df se` for means and totals (R `confint(df = degf(design))`).
pub fn t_intervals(
    estimate: &[f64],
    se: &[f64],
    df: &[f64],
    conf: f64,
) -> CoreResult<(Vec<f64>, Vec<f64>)> {
    half_alpha(conf)?;
    let t = quantiles(conf, df);
    Ok(estimate
        .iter()
        .zip(se)
        .zip(&t)
        .map(|((&e, &s), &t)| {
            if s == 0.0 {
                (e, e)
            } else {
                (e - t * s, e + t * s)
            }
        })
        .unzip())
}

/// The t tests of estimates against zero with the design df: the upper t quantile of each df for
/// a two-sided `conf` interval, and the two-sided p value `2 P(T_df > |estimate / se|)` (NaN
/// where se is zero or df is not positive). With [`t_intervals`] this is R's `confint(df = )`
/// and `svyttest` for a contrast.
pub fn t_tests(
    estimate: &[f64],
    se: &[f64],
    df: &[f64],
    conf: f64,
) -> CoreResult<(Vec<f64>, Vec<f64>)> {
    half_alpha(conf)?;
    check::same_length("se", se, "estimate", estimate)?;
    check::same_length("df", df, "estimate", estimate)?;
    let t = quantiles(conf, df);
    let p = estimate
        .iter()
        .zip(se)
        .zip(df)
        .map(|((&e, &s), &d)| {
            if s > 0.0 && d > 0.0 {
                2.0 * t_sf((e / s).abs(), d)
            } else {
                f64::NAN
            }
        })
        .collect();
    Ok((t, p))
}

/// The upper tail of the F distribution with `ndf` and `ddf` degrees of freedom at `x` (R
/// `pf(x, ndf, ddf, lower.tail = FALSE)`), for the Rao-Scott F test.
pub fn f_sf(x: f64, ndf: f64, ddf: f64) -> f64 {
    if x.is_nan() || ndf.is_nan() || ddf.is_nan() || ndf <= 0.0 || ddf <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    beta_inc(ddf / 2.0, ndf / 2.0, ddf / (ddf + ndf * x))
}

/// The upper tail of the chi-square distribution with `df` degrees of freedom at `x` (R
/// `pchisq(x, df, lower.tail = FALSE)`).
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    if x.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    gamma_q(df / 2.0, x / 2.0)
}
