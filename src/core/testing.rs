//! Assertions shared by the core's unit tests.

/// Asserts `got` is within relative `rel` of `want`.
pub fn close(got: f64, want: f64, rel: f64) {
    assert!(
        (got - want).abs() <= rel * want.abs(),
        "got {got}, want {want}"
    );
}
