//! Rows coded by group: the one-pass accumulation every grouped statistic shares.
//!
//! The binding passes one code per row (0..n_groups, from the by-columns) and each statistic
//! folds its rows into per-group sums in a single pass, then finishes each group on its own.
use super::error::{CoreError, CoreResult};

/// Rows labelled with group codes `0..n`.
#[derive(Debug, Clone, Copy)]
pub struct Groups<'a> {
    pub code: &'a [u32],
    pub n: usize,
}

impl<'a> Groups<'a> {
    /// Checks that there is a code per row and that each is below `n`.
    pub fn new(code: &'a [u32], n: usize, rows: usize) -> CoreResult<Self> {
        if code.len() != rows {
            return Err(CoreError::Length {
                arg: "by",
                got: code.len(),
                expected_arg: "the rows",
                expected: rows,
            });
        }
        if let Some(index) = code.iter().position(|&c| c as usize >= n) {
            return Err(CoreError::OutOfRange {
                arg: "by",
                index,
                value: f64::from(code[index]),
                range: "the group codes",
            });
        }
        Ok(Self { code, n })
    }

    /// The group of row `row`.
    pub fn of(&self, row: usize) -> usize {
        self.code[row] as usize
    }
}

/// A value every row of a group must repeat (an area's population on each of its offence rows):
/// the group's value, NaN if any of its rows is NaN, or an error naming the first row that
/// differs from the group's first row.
pub fn repeated(arg: &'static str, values: &[f64], groups: Groups<'_>) -> CoreResult<Vec<f64>> {
    let mut first: Vec<Option<usize>> = vec![None; groups.n];
    let mut out = vec![f64::NAN; groups.n];
    let mut missing = vec![false; groups.n];
    for (row, &value) in values.iter().enumerate() {
        let g = groups.of(row);
        if value.is_nan() {
            missing[g] = true;
            continue;
        }
        match first[g] {
            None => {
                first[g] = Some(row);
                out[g] = value;
            }
            Some(at) if values[at] != value => {
                return Err(CoreError::Differs {
                    arg,
                    index: row,
                    value,
                    first_index: at,
                    first_value: values[at],
                });
            }
            Some(_) => {}
        }
    }
    for (value, missing) in out.iter_mut().zip(missing) {
        if missing {
            *value = f64::NAN;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_checked_and_repeats_taken_once() {
        assert!(Groups::new(&[0, 2], 2, 2).is_err());
        assert!(Groups::new(&[0], 2, 2).is_err());
        let groups = Groups::new(&[0, 0, 1, 1], 2, 4).unwrap();
        let once = repeated("population", &[5.0, 5.0, 7.0, f64::NAN], groups).unwrap();
        assert_eq!(once[0], 5.0);
        assert!(once[1].is_nan());
        let err = repeated("population", &[5.0, 6.0, 7.0, 7.0], groups).unwrap_err();
        assert!(matches!(
            err,
            CoreError::Differs {
                index: 1,
                first_index: 0,
                ..
            }
        ));
    }
}
