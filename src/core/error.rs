//! The one error type of the numeric core: bad input, named by argument and first bad position.
//!
//! Every kernel validates before it computes and reports the first offending element, so an analyst
//! can find the row. NaN is never an error: a NaN input gives a NaN output for that row.
use thiserror::Error;

/// Bad input to a kernel. The binding turns every variant into `crimestats.InputError`.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CoreError {
    /// A value that must be zero or more is negative (a count, a weight, an exposure).
    #[error("{arg}: position {index} is {}, which is negative; {arg} must be zero or more", shown(*.value))]
    Negative {
        arg: &'static str,
        index: usize,
        value: f64,
    },
    /// A value that must be a whole number is not (a count for an exact method).
    #[error("{arg}: position {index} is {}, not a whole number; {why}", shown(*.value))]
    NotWhole {
        arg: &'static str,
        index: usize,
        value: f64,
        why: &'static str,
    },
    /// A value that must be strictly positive is zero or negative (a population, a base).
    #[error("{arg}: position {index} is {}; {arg} must be greater than zero{hint}", shown(*.value))]
    NotPositive {
        arg: &'static str,
        index: usize,
        value: f64,
        hint: &'static str,
    },
    /// A part exceeds its whole (x > n in a proportion).
    #[error(
        "{arg}: position {index} is {}, more than {whole_arg} ({})",
        shown(*.value),
        shown(*.whole)
    )]
    ExceedsWhole {
        arg: &'static str,
        whole_arg: &'static str,
        index: usize,
        value: f64,
        whole: f64,
    },
    /// A value outside its allowed interval (a share outside [0, 1], for instance).
    #[error("{arg}: position {index} is {}, outside {range}", shown(*.value))]
    OutOfRange {
        arg: &'static str,
        index: usize,
        value: f64,
        range: &'static str,
    },
    /// Infinite where a finite number is needed.
    #[error("{arg}: position {index} is infinite")]
    Infinite { arg: &'static str, index: usize },
    /// A confidence level outside the open interval (0, 1).
    #[error(
        "conf: {} is not between 0 and 1 (exclusive); give e.g. 0.95 for a 95 per cent interval",
        shown(*.0)
    )]
    Conf(f64),
    /// Arrays that should be the same length are not.
    #[error("{arg}: has {got} elements but {expected_arg} has {expected}")]
    Length {
        arg: &'static str,
        got: usize,
        expected_arg: &'static str,
        expected: usize,
    },
    /// A method (or other option) name that is not known.
    #[error("{arg}: unknown value {given:?}; choose one of {known}")]
    Unknown {
        arg: &'static str,
        given: String,
        known: &'static str,
    },
    /// A value that must repeat on every row of its group differs from the group's first row
    /// (an area's population on its offence rows, an age band's population on its rows).
    #[error(
        "{arg}: position {index} is {} but position {first_index} of the same group is {}; \
         {arg} is taken once per group, so its rows must agree",
        shown(*.value),
        shown(*.first_value)
    )]
    Differs {
        arg: &'static str,
        index: usize,
        value: f64,
        first_index: usize,
        first_value: f64,
    },
    /// A row repeats the group and age band of an earlier row where each band has one row.
    #[error(
        "{arg}: position {index} repeats the band of position {first_index} in the same group; \
         give one row per group and band, or eventfreq= for repeated events"
    )]
    Repeated {
        arg: &'static str,
        index: usize,
        first_index: usize,
    },
    /// A survey design that cannot be estimated, with the reason.
    #[error("{0}")]
    Design(String),
}

/// A value as a message shows it: plainly (`1.5`, `-1`, `1400000`), but in scientific notation
/// when plain digits would run long (`1e-300`, not three hundred zeros; `2e20`).
fn shown(value: f64) -> String {
    let size = value.abs();
    if size == 0.0 || !size.is_finite() || (1e-6..1e16).contains(&size) {
        format!("{value}")
    } else {
        format!("{value:e}")
    }
}

/// Result of a core computation.
pub type CoreResult<T> = Result<T, CoreError>;

/// Checks a two-sided confidence level and returns the upper-tail probability alpha / 2.
pub fn half_alpha(conf: f64) -> CoreResult<f64> {
    if conf.is_finite() && conf > 0.0 && conf < 1.0 {
        Ok((1.0 - conf) / 2.0)
    } else {
        Err(CoreError::Conf(conf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_show_values_briefly() {
        let tiny = CoreError::ExceedsWhole {
            arg: "x",
            whole_arg: "n",
            index: 0,
            value: 5.0,
            whole: 1e-300,
        };
        assert_eq!(tiny.to_string(), "x: position 0 is 5, more than n (1e-300)");
        let plain = CoreError::NotWhole {
            arg: "count",
            index: 2,
            value: 1.5,
            why: "exact",
        };
        assert_eq!(
            plain.to_string(),
            "count: position 2 is 1.5, not a whole number; exact"
        );
        assert!(CoreError::Conf(f64::NAN)
            .to_string()
            .starts_with("conf: NaN is not"));
    }
}
