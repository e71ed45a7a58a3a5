//! Replicate-weight designs (R `svrepdesign`): the weighted sums of every replicate in one pass
//! per replicate, from which the Python layer forms each replicate's estimate and the variance
//! `scale * sum_r rscales_r (theta_r - centre)^2`.
use super::super::error::{CoreError, CoreResult};
use super::NO_CODE;
use rayon::prelude::*;

/// Per weight column `r`, domain `d` and value column `c` (in that order, row-major): the sum of
/// `weights[r][i] * values[i * n_columns + c]` over the rows `i` of domain `d` (`domain[i] == d`;
/// all rows when `domain` is None, [`NO_CODE`] in no domain). A row with a NaN value in any
/// column is left out; a weight that is NaN, infinite or negative is an error naming its column
/// and row.
pub fn replicate_sums(
    weights: &[&[f64]],
    values: &[f64],
    n_columns: usize,
    domain: Option<&[u32]>,
    n_domains: usize,
) -> CoreResult<Vec<f64>> {
    let n = values.len().checked_div(n_columns).unwrap_or(0);
    if n_columns == 0 || values.len() != n * n_columns {
        return Err(CoreError::Design(
            "values: give a whole number of rows of the value columns".to_owned(),
        ));
    }
    for w in weights {
        if w.len() != n {
            return Err(CoreError::Length {
                arg: "replicate_weights",
                got: w.len(),
                expected_arg: "y",
                expected: n,
            });
        }
    }
    if let Some(d) = domain {
        if d.len() != n {
            return Err(CoreError::Length {
                arg: "by",
                got: d.len(),
                expected_arg: "y",
                expected: n,
            });
        }
        if let Some(i) = d
            .iter()
            .position(|&c| c != NO_CODE && c as usize >= n_domains)
        {
            return Err(CoreError::OutOfRange {
                arg: "by",
                index: i,
                value: f64::from(d[i]),
                range: "the domain codes",
            });
        }
    }
    // Each row's domain once, NO_CODE for a row out of every domain or with a NaN value; then
    // blocks of weight columns in parallel, each block one pass over the rows, so the values and
    // domains are read once per block rather than once per column.
    let row_domain: Vec<u32> = (0..n)
        .map(|i| {
            let d = domain.map_or(0, |d| d[i]);
            let row = &values[i * n_columns..(i + 1) * n_columns];
            if row.iter().any(|v| v.is_nan()) {
                NO_CODE
            } else {
                d
            }
        })
        .collect();
    let per_block: Vec<CoreResult<Vec<f64>>> = weights
        .par_chunks(BLOCK)
        .enumerate()
        .map(|(b, block)| {
            let cells = n_domains * n_columns;
            let mut sums = vec![0.0; block.len() * cells];
            for (i, &d) in row_domain.iter().enumerate() {
                if d == NO_CODE {
                    continue;
                }
                let row = &values[i * n_columns..(i + 1) * n_columns];
                let at = d as usize * n_columns;
                for (r, w) in block.iter().enumerate() {
                    let weight = w[i];
                    if !(weight.is_finite() && weight >= 0.0) {
                        return Err(CoreError::Design(format!(
                            "replicate_weights: column {} has {weight} at row {i}; replicate \
                             weights must be finite and zero or more",
                            b * BLOCK + r
                        )));
                    }
                    let target = &mut sums[r * cells + at..r * cells + at + n_columns];
                    for (s, v) in target.iter_mut().zip(row) {
                        *s += weight * v;
                    }
                }
            }
            Ok(sums)
        })
        .collect();
    let mut out = Vec::with_capacity(weights.len() * n_domains * n_columns);
    for sums in per_block {
        out.extend(sums?);
    }
    Ok(out)
}

/// Weight columns summed together in one pass over the rows.
const BLOCK: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_per_weight_domain_and_column() {
        let values = [1.0, 2.0, 3.0, f64::NAN, 5.0, 6.0];
        let domain = [0, 1, 0];
        let w0 = [1.0, 1.0, 1.0];
        let w1 = [2.0, 0.0, 0.5];
        let got = replicate_sums(&[&w0, &w1], &values, 2, Some(&domain), 2).unwrap();
        // Row 1 has a NaN and is left out; rows 0 and 2 are domain 0.
        assert_eq!(got, vec![6.0, 8.0, 0.0, 0.0, 4.5, 7.0, 0.0, 0.0]);
        let bad = [-1.0, 1.0, 1.0];
        let err = replicate_sums(&[&bad], &values, 2, None, 1).unwrap_err();
        assert!(
            err.to_string().contains("column 0 has -1 at row 0"),
            "{err}"
        );
    }
}
