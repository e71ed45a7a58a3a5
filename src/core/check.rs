//! Input checks shared by every kernel: each returns the first bad position, named by argument.
//!
//! NaN passes every check (it means "missing" and gives NaN out for that row); infinities and
//! values outside the domain do not.
use super::error::{CoreError, CoreResult};

/// Every element is NaN or a finite number >= 0; with `whole`, also a whole number.
pub fn counts(arg: &'static str, values: &[f64], whole: Option<&'static str>) -> CoreResult<()> {
    values
        .iter()
        .enumerate()
        .try_for_each(|(index, &value)| count(arg, index, value, whole))
}

/// Whether a finite `value` >= 0 is a whole number. By conversion to an integer and back, not
/// `fract`: on x86-64 without SSE4.1 `fract` is a library call, which the compiler may even make
/// where its result is not needed (it has no side effects), and the checks run on every row.
#[inline]
pub fn is_whole(value: f64) -> bool {
    // From 2^52 on every f64 is whole; below, the conversion is exact for whole numbers.
    value >= 4_503_599_627_370_496.0 || (value as u64) as f64 == value
}

/// Whether `value` is a finite number >= 0 (NaN is not: this is the common case of [`count`],
/// tested without branches, so a block of rows can be tested in one vectorised sweep).
// `&`, not `&&`, and no `contains`: a test without branches, so that a sweep vectorises.
#[allow(clippy::manual_range_contains, clippy::needless_bitwise_bool)]
#[inline]
pub fn plain_count(value: f64) -> bool {
    (value >= 0.0) & (value < f64::INFINITY)
}

/// [`plain_count`] and whole. Without a conversion: below 2^52, adding and taking away 2^52
/// rounds to a whole number, which gives `value` back only if it was one.
// `&`, not `&&`, and no `contains`: a test without branches, so that a sweep vectorises.
#[allow(clippy::manual_range_contains, clippy::needless_bitwise_bool)]
#[inline]
pub fn plain_whole_count(value: f64) -> bool {
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    plain_count(value) & ((value >= TWO_52) | ((value + TWO_52) - TWO_52 == value))
}

/// Whether `value` is a finite number > 0 (NaN is not), without branches.
// `&`, not `&&`, and no `contains`: a test without branches, so that a sweep vectorises.
#[allow(clippy::manual_range_contains, clippy::needless_bitwise_bool)]
#[inline]
pub fn plain_positive(value: f64) -> bool {
    (value > 0.0) & (value < f64::INFINITY)
}

/// Whether `value <= whole` (false for NaN), as a test without branches beside the others.
#[inline]
pub fn at_most_plain(value: f64, whole: f64) -> bool {
    value <= whole
}

/// Element `index` of [`counts`]: NaN or a finite number >= 0 (whole, with `whole`). For kernels
/// that check each element as they read it.
#[inline]
pub fn count(
    arg: &'static str,
    index: usize,
    value: f64,
    whole: Option<&'static str>,
) -> CoreResult<()> {
    // The common case, a finite count >= 0, costs one comparison.
    if (0.0..f64::INFINITY).contains(&value) && (whole.is_none() || is_whole(value)) {
        return Ok(());
    }
    if value.is_nan() {
        return Ok(());
    }
    if value.is_infinite() {
        return Err(CoreError::Infinite { arg, index });
    }
    if value < 0.0 {
        return Err(CoreError::Negative { arg, index, value });
    }
    Err(CoreError::NotWhole {
        arg,
        index,
        value,
        why: whole.unwrap_or_default(),
    })
}

/// Every element is NaN or a finite number > 0.
pub fn positive(arg: &'static str, values: &[f64], hint: &'static str) -> CoreResult<()> {
    values
        .iter()
        .enumerate()
        .try_for_each(|(index, &value)| positive_at(arg, index, value, hint))
}

/// Element `index` of [`positive`]: NaN or a finite number > 0.
#[inline]
pub fn positive_at(
    arg: &'static str,
    index: usize,
    value: f64,
    hint: &'static str,
) -> CoreResult<()> {
    if (value > 0.0 && value < f64::INFINITY) || value.is_nan() {
        Ok(())
    } else if value.is_infinite() {
        Err(CoreError::Infinite { arg, index })
    } else {
        Err(CoreError::NotPositive {
            arg,
            index,
            value,
            hint,
        })
    }
}

/// A scalar that must be finite and > 0 (a multiplier such as `per`).
pub fn positive_scalar(arg: &'static str, value: f64) -> CoreResult<()> {
    positive(arg, &[value], "").and_then(|()| {
        if value.is_nan() {
            Err(CoreError::NotPositive {
                arg,
                index: 0,
                value,
                hint: "",
            })
        } else {
            Ok(())
        }
    })
}

/// Two arrays the kernel walks together have the same length.
pub fn same_length(
    arg: &'static str,
    values: &[f64],
    expected_arg: &'static str,
    expected: &[f64],
) -> CoreResult<()> {
    if values.len() == expected.len() {
        Ok(())
    } else {
        Err(CoreError::Length {
            arg,
            got: values.len(),
            expected_arg,
            expected: expected.len(),
        })
    }
}

/// Every part is at most its whole (x <= n), NaN aside.
pub fn at_most(
    arg: &'static str,
    parts: &[f64],
    whole_arg: &'static str,
    wholes: &[f64],
) -> CoreResult<()> {
    parts
        .iter()
        .zip(wholes)
        .enumerate()
        .try_for_each(|(index, (&value, &whole))| at_most_at(arg, index, value, whole_arg, whole))
}

/// Element `index` of [`at_most`].
#[inline]
pub fn at_most_at(
    arg: &'static str,
    index: usize,
    value: f64,
    whole_arg: &'static str,
    whole: f64,
) -> CoreResult<()> {
    if value > whole {
        Err(CoreError::ExceedsWhole {
            arg,
            whole_arg,
            index,
            value,
            whole,
        })
    } else {
        Ok(())
    }
}

/// Every element is NaN or within [0, 1] (a share).
pub fn unit_interval(arg: &'static str, values: &[f64]) -> CoreResult<()> {
    for (index, &value) in values.iter().enumerate() {
        if !value.is_nan() && !(0.0..=1.0).contains(&value) {
            return Err(CoreError::OutOfRange {
                arg,
                index,
                value,
                range: "[0, 1]",
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_bad_position_is_named() {
        let err = counts("count", &[1.0, f64::NAN, -2.0, -3.0], None).unwrap_err();
        assert_eq!(
            err,
            CoreError::Negative {
                arg: "count",
                index: 2,
                value: -2.0
            }
        );
        assert!(counts("count", &[1.0, 2.5], Some("exact needs whole counts")).is_err());
        assert!(counts("count", &[1.0, 2.5], None).is_ok());
        assert!(positive("population", &[1.0, 0.0], "").is_err());
        assert!(positive("population", &[f64::NAN], "").is_ok());
        assert!(positive_scalar("per", f64::NAN).is_err());
        assert!(at_most("x", &[3.0], "n", &[2.0]).is_err());
        assert!(unit_interval("share", &[1.5]).is_err());
    }

    #[test]
    fn plain_tests_pass_only_what_the_full_checks_pass() {
        // Each plain test must imply the full check (it may refuse more: NaN goes to the full check).
        let values = [
            0.0,
            -0.0,
            1.0,
            2.5,
            0.1,
            -1.0,
            4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            9_007_199_254_740_994.0,
            1e300,
            f64::MIN_POSITIVE,
            5e-324,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for v in values {
            let whole = Some("whole");
            assert_eq!(
                plain_count(v),
                count("x", 0, v, None).is_ok() && !v.is_nan(),
                "{v}"
            );
            assert_eq!(
                plain_whole_count(v),
                count("x", 0, v, whole).is_ok() && !v.is_nan(),
                "{v}"
            );
            assert_eq!(
                plain_positive(v),
                positive_at("n", 0, v, "").is_ok() && !v.is_nan(),
                "{v}"
            );
            if v.is_finite() && v >= 0.0 {
                assert_eq!(is_whole(v), v.fract() == 0.0, "{v}");
            }
        }
    }
}
