//! Many comparisons: p-values adjusted for the number of tests made, as R `p.adjust`.
//!
//! Guarantees: every method gives what R 4.2's `p.adjust(p, method)` gives (`adjust/r_reference.R`
//! beside this file writes the reference values); NaN p-values stay NaN in place and are not
//! counted among the tests; adjusted values lie in [p, 1].
use std::str::FromStr;

use super::error::{CoreError, CoreResult};

/// How p-values are adjusted for the number of tests n (R `p.adjust`'s methods).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adjustment {
    /// min(1, n p): controls the family-wise error rate, under any dependence.
    Bonferroni,
    /// Holm (1979): step-down Bonferroni, the i-th smallest times n - i + 1, cumulative maximum;
    /// the family-wise error rate under any dependence, never less powerful than Bonferroni.
    Holm,
    /// Hochberg (1988): step-up, the i-th smallest times n - i + 1, cumulative minimum from the
    /// largest; valid for independent or positively dependent tests.
    Hochberg,
    /// Benjamini and Hochberg (1995): the false discovery rate, the i-th smallest times n / i,
    /// cumulative minimum from the largest.
    Bh,
    /// Benjamini and Yekutieli (2001): as `Bh` times sum(1 / k, k = 1..n), the false discovery
    /// rate under any dependence.
    By,
}

impl FromStr for Adjustment {
    type Err = CoreError;
    fn from_str(name: &str) -> CoreResult<Self> {
        match name {
            "bonferroni" => Ok(Self::Bonferroni),
            "holm" => Ok(Self::Holm),
            "hochberg" => Ok(Self::Hochberg),
            "bh" | "fdr" => Ok(Self::Bh),
            "by" => Ok(Self::By),
            _ => Err(CoreError::Unknown {
                arg: "method",
                given: name.to_owned(),
                known: "'holm', 'hochberg', 'bh', 'by', 'bonferroni'",
            }),
        }
    }
}

/// The p-values `p` adjusted for the number of known (non-NaN) values among them.
///
/// # Errors
/// A p-value outside [0, 1].
pub fn adjust_p(p: &[f64], method: Adjustment) -> CoreResult<Vec<f64>> {
    if let Some(index) = p
        .iter()
        .position(|v| !v.is_nan() && !(0.0..=1.0).contains(v))
    {
        return Err(CoreError::OutOfRange {
            arg: "p",
            index,
            value: p[index],
            range: "[0, 1]",
        });
    }
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    let n = order.len();
    let count = n as f64;
    let mut out = p.to_vec();
    if n == 0 {
        return Ok(out);
    }
    // Ascending p; ties keep their order (R's `order` is stable), which the cumulative
    // maximum and minimum make irrelevant to the values.
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    match method {
        Adjustment::Bonferroni => {
            for &i in &order {
                out[i] = (count * p[i]).min(1.0);
            }
        }
        Adjustment::Holm => {
            let mut running = 0.0_f64;
            for (rank, &i) in order.iter().enumerate() {
                running = running.max((count - rank as f64) * p[i]);
                out[i] = running.min(1.0);
            }
        }
        Adjustment::Hochberg | Adjustment::Bh | Adjustment::By => {
            let harmonic: f64 = if method == Adjustment::By {
                (1..=n).map(|k| 1.0 / k as f64).sum()
            } else {
                1.0
            };
            let mut running = f64::INFINITY;
            for (rank, &i) in order.iter().enumerate().rev() {
                let position = (rank + 1) as f64;
                let factor = match method {
                    Adjustment::Hochberg => count - position + 1.0,
                    _ => harmonic * count / position,
                };
                running = running.min(factor * p[i]);
                out[i] = running.min(1.0);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::close;

    #[test]
    fn holm_and_bh_by_hand() {
        // Worked by hand: p = (0.01, 0.04, 0.03, 0.005), n = 4.
        let p = [0.01, 0.04, 0.03, 0.005];
        let holm = adjust_p(&p, Adjustment::Holm).unwrap();
        // sorted 0.005 x4 = 0.02, 0.01 x3 = 0.03, 0.03 x2 = 0.06, 0.04 x1 -> max 0.06.
        for (got, want) in holm.iter().zip([0.03, 0.06, 0.06, 0.02]) {
            close(*got, want, 1e-15);
        }
        let bh = adjust_p(&p, Adjustment::Bh).unwrap();
        // from the largest: 0.04, min(0.04, 0.03 * 4/3), min(.., 0.01 * 2), min(.., 0.005 * 4).
        for (got, want) in bh.iter().zip([0.02, 0.04, 0.04, 0.02]) {
            close(*got, want, 1e-15);
        }
    }

    #[test]
    fn nan_kept_and_not_counted_and_bad_p_refused() {
        let got = adjust_p(&[0.02, f64::NAN, 0.5], Adjustment::Bonferroni).unwrap();
        assert!(got[1].is_nan());
        close(got[0], 0.04, 1e-15);
        assert_eq!(got[2], 1.0);
        assert!(adjust_p(&[], Adjustment::Holm).unwrap().is_empty());
        assert!(adjust_p(&[f64::NAN], Adjustment::By).unwrap()[0].is_nan());
        assert!(adjust_p(&[0.1, 1.5], Adjustment::Holm).is_err());
        assert!(adjust_p(&[-0.0001], Adjustment::Holm).is_err());
        assert!("hommel".parse::<Adjustment>().is_err());
    }
}
