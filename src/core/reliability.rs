//! Whether a figure is reliable enough to publish, by the rules statistical offices apply.
//!
//! Each rule gives every row a level (0 reliable, 1 for statistical review, 2 unreliable: shown
//! with a warning, 3 suppressed: not shown) and the reason for the first criterion it failed
//! (an index into [`REASONS`], 0 for none). A NaN in a value the rule reads gives NaN for both.
//!
//! * `ons`: survey estimates from an unweighted base under 50 are not shown (ONS, Crime Survey
//!   for England and Wales user guide).
//! * `phe_dsr`: directly standardised rates from fewer than 10 events are not shown (PHE).
//! * `nchs_proportion`: NCHS Data Presentation Standards for Proportions (Parker JD, Talih M,
//!   Malec DJ et al., Vital Health Stat 2(175), 2017), in the standard's order, as NCHS's own
//!   implementation (CDCgov/surveytable, `.lpe_percents`) applies it: suppressed when the
//!   effective sample size `p (1 - p) / se^2` (at most the sample size; the sample size for a
//!   share of 0 or 1) is under 30; else shown when the interval is at most 5 percentage points
//!   wide; else suppressed when it is 30 points wide or more, or wider than 130 per cent of the
//!   estimate; a shown estimate goes for statistical review when, in that middle band, the
//!   interval is wider than 130 per cent of the complement `1 - p`, when it has fewer than 8
//!   degrees of freedom, or when it is 0 or 100 per cent (for which the width criteria are not
//!   applied: the relative width of 0 is undefined).
//! * `nchs_rate`: NCHS Data Presentation Standards for Rates and Counts (Vital Health Stat
//!   2(200), 2023, Table A; surveytable's `.lpe_counts`): statistically unreliable when based on
//!   fewer than 10 events or when the interval is wider than 160 per cent of the rate (NCHS
//!   suppresses such rates; here they are shown with a warning, level `unreliable`, and a
//!   publisher may suppress them); a reliable rate with fewer than 8 degrees of freedom goes for
//!   review.
use super::error::{CoreError, CoreResult};
use std::str::FromStr;

/// The reasons a row can be flagged, by index.
pub const REASONS: [&str; 10] = [
    "",
    "unweighted base under 50",
    "fewer than 10 events",
    "effective sample size under 30",
    "confidence interval 30 percentage points wide or more",
    "confidence interval wider than 130 per cent of the estimate",
    "fewer than 8 degrees of freedom",
    "an estimate of 0 or 100 per cent",
    "confidence interval wider than 160 per cent of the rate",
    "confidence interval wider than 130 per cent of the complement",
];

/// A presentation rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Ons,
    PheDsr,
    NchsProportion,
    NchsRate,
}

impl FromStr for Rule {
    type Err = CoreError;
    fn from_str(name: &str) -> CoreResult<Self> {
        Ok(match name {
            "ons" => Self::Ons,
            "phe_dsr" => Self::PheDsr,
            "nchs_proportion" => Self::NchsProportion,
            "nchs_rate" => Self::NchsRate,
            _ => {
                return Err(CoreError::Unknown {
                    arg: "rule",
                    given: name.to_owned(),
                    known: "'ons', 'phe_dsr', 'nchs_proportion', 'nchs_rate'",
                })
            }
        })
    }
}

/// The columns a rule may read; each rule needs some of them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Figures<'a> {
    /// The unweighted sample size (survey) or the base.
    pub n: Option<&'a [f64]>,
    /// The number of events behind a rate.
    pub count: Option<&'a [f64]>,
    /// The estimate: a share in [0, 1] or a rate.
    pub estimate: Option<&'a [f64]>,
    pub lower: Option<&'a [f64]>,
    pub upper: Option<&'a [f64]>,
    /// The standard error, for the effective sample size of a survey share.
    pub se: Option<&'a [f64]>,
    /// The design's degrees of freedom.
    pub df: Option<&'a [f64]>,
}

/// Levels and reasons, one per row.
#[derive(Debug, Clone, PartialEq)]
pub struct Flags {
    pub level: Vec<f64>,
    pub reason: Vec<f64>,
}

const RELIABLE: (f64, f64) = (0.0, 0.0);
const REVIEW: f64 = 1.0;
const UNRELIABLE: f64 = 2.0;
const SUPPRESSED: f64 = 3.0;

fn needed<'a>(
    rule: &'static str,
    what: &'static str,
    column: Option<&'a [f64]>,
    rows: usize,
) -> CoreResult<&'a [f64]> {
    let values = column.ok_or_else(|| CoreError::Design(format!("rule {rule:?} needs {what}")))?;
    if values.len() == rows {
        Ok(values)
    } else {
        Err(CoreError::Length {
            arg: what,
            got: values.len(),
            expected_arg: "the rows",
            expected: rows,
        })
    }
}

/// Optional columns (se, df) read as NaN-free "not given" when absent.
fn optional(column: Option<&[f64]>, i: usize) -> Option<f64> {
    column.map(|c| c[i]).filter(|v| !v.is_nan())
}

/// Flags each row of `figures` by `rule`.
pub fn flag(rule: Rule, figures: &Figures<'_>, rows: usize) -> CoreResult<Flags> {
    let mut out = Flags {
        level: Vec::with_capacity(rows),
        reason: Vec::with_capacity(rows),
    };
    let mut push = |(level, reason): (f64, f64)| {
        out.level.push(level);
        out.reason.push(reason);
    };
    let nan = (f64::NAN, f64::NAN);
    for (what, column) in [("se", figures.se), ("df", figures.df)] {
        if column.is_some() {
            needed("any", what, column, rows)?;
        }
    }
    match rule {
        Rule::Ons => {
            let n = needed("ons", "n", figures.n, rows)?;
            for &n in n {
                push(if n.is_nan() {
                    nan
                } else if n < 50.0 {
                    (SUPPRESSED, 1.0)
                } else {
                    RELIABLE
                });
            }
        }
        Rule::PheDsr => {
            let count = needed("phe_dsr", "count", figures.count, rows)?;
            for &k in count {
                push(if k.is_nan() {
                    nan
                } else if k < 10.0 {
                    (SUPPRESSED, 2.0)
                } else {
                    RELIABLE
                });
            }
        }
        Rule::NchsProportion => {
            let rule = "nchs_proportion";
            let n = needed(rule, "n", figures.n, rows)?;
            let p = needed(rule, "the estimate", figures.estimate, rows)?;
            let lower = needed(rule, "lower", figures.lower, rows)?;
            let upper = needed(rule, "upper", figures.upper, rows)?;
            for i in 0..rows {
                let se = optional(figures.se, i);
                let df = optional(figures.df, i);
                push(nchs_proportion(n[i], p[i], lower[i], upper[i], se, df));
            }
        }
        Rule::NchsRate => {
            let rule = "nchs_rate";
            let count = needed(rule, "count", figures.count, rows)?;
            let rate = needed(rule, "the estimate", figures.estimate, rows)?;
            let lower = needed(rule, "lower", figures.lower, rows)?;
            let upper = needed(rule, "upper", figures.upper, rows)?;
            for i in 0..rows {
                let (k, r, width) = (count[i], rate[i], upper[i] - lower[i]);
                let df = optional(figures.df, i);
                push(if k.is_nan() || r.is_nan() || width.is_nan() {
                    nan
                } else if k < 10.0 {
                    (UNRELIABLE, 2.0)
                } else if width > 1.6 * r {
                    (UNRELIABLE, 8.0)
                } else if df.is_some_and(|df| df < 8.0) {
                    (REVIEW, 6.0)
                } else {
                    RELIABLE
                });
            }
        }
    }
    Ok(out)
}

/// One share by the NCHS standard for proportions. The effective sample size is
/// `p (1 - p) / se^2`, at most the sample size (as the standard says), or the sample size
/// where no standard error is given or the share is 0 or 1.
fn nchs_proportion(
    n: f64,
    p: f64,
    lower: f64,
    upper: f64,
    se: Option<f64>,
    df: Option<f64>,
) -> (f64, f64) {
    let width = upper - lower;
    if n.is_nan() || p.is_nan() || width.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    let effective = match se {
        Some(se) if se > 0.0 && p > 0.0 && p < 1.0 => (p * (1.0 - p) / (se * se)).min(n),
        _ => n,
    };
    let extreme = p == 0.0 || p == 1.0;
    // The middle band of widths, where the relative widths decide.
    let middle = !extreme && width > 0.05 && width < 0.30;
    if effective < 30.0 {
        (SUPPRESSED, 3.0)
    } else if !extreme && width >= 0.30 {
        (SUPPRESSED, 4.0)
    } else if middle && width > 1.30 * p {
        (SUPPRESSED, 5.0)
    } else if middle && width > 1.30 * (1.0 - p) {
        (REVIEW, 9.0)
    } else if df.is_some_and(|df| df < 8.0) {
        (REVIEW, 6.0)
    } else if extreme {
        (REVIEW, 7.0)
    } else {
        RELIABLE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_at_its_thresholds() {
        let n = [49.0, 50.0, f64::NAN];
        let f = flag(
            Rule::Ons,
            &Figures {
                n: Some(&n),
                ..Figures::default()
            },
            3,
        )
        .unwrap();
        assert_eq!(&f.level[..2], &[3.0, 0.0]);
        assert!(f.level[2].is_nan());
        assert!(flag(Rule::Ons, &Figures::default(), 3).is_err());
        let short = Figures {
            n: Some(&n),
            df: Some(&[1.0]),
            ..Figures::default()
        };
        assert!(flag(Rule::Ons, &short, 3).is_err());
        // Shares: too few effective cases, too wide, relatively too wide, few df, zero (its
        // interval 11 points wide: the width criteria do not apply), within 5 points, and a
        // share of 0.95 whose interval is wider than 130 per cent of its complement.
        let share = [0.5, 0.5, 0.05, 0.5, 0.0, 0.3, 0.95];
        let lower = [0.4, 0.3, 0.01, 0.45, 0.0, 0.28, 0.85];
        let upper = [0.6, 0.62, 0.12, 0.55, 0.11, 0.32, 0.92];
        let se = [0.1, 0.01, 0.01, 0.01, 0.0, 0.01, 0.01];
        let df = [30.0, 30.0, 30.0, 5.0, 30.0, 30.0, 30.0];
        let n = [100.0; 7];
        let f = flag(
            Rule::NchsProportion,
            &Figures {
                n: Some(&n),
                estimate: Some(&share),
                lower: Some(&lower),
                upper: Some(&upper),
                se: Some(&se),
                df: Some(&df),
                ..Figures::default()
            },
            7,
        )
        .unwrap();
        assert_eq!(f.level, [3.0, 3.0, 3.0, 1.0, 1.0, 0.0, 1.0]);
        assert_eq!(f.reason, [3.0, 4.0, 5.0, 6.0, 7.0, 0.0, 9.0]);
        let count = [9.0, 20.0, 400.0];
        let rate = [1.0, 1.0, 1.0];
        let (lower, upper) = ([0.5, 0.1, 0.9], [1.5, 1.8, 1.1]);
        let f = flag(
            Rule::NchsRate,
            &Figures {
                count: Some(&count),
                estimate: Some(&rate),
                lower: Some(&lower),
                upper: Some(&upper),
                ..Figures::default()
            },
            3,
        )
        .unwrap();
        assert_eq!(f.level, [2.0, 2.0, 0.0]);
        assert_eq!(f.reason, [2.0, 8.0, 0.0]);
    }
}
