//! Bindings for trend tests over many series and for adjusting p-values for many tests.
use super::{arrays, compute};
use crate::core::adjust::{self, Adjustment};
use crate::core::parallel::snapshot;
use crate::core::trend::{self, TrendMethod};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

/// rate_ratio, lower, upper, p_value, dispersion and status for each series; series `k` is rows
/// `starts[k]..starts[k + 1]`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn trend_tests<'py>(
    py: Python<'py>,
    count: PyReadonlyArray1<'py, f64>,
    population: PyReadonlyArray1<'py, f64>,
    time: PyReadonlyArray1<'py, f64>,
    starts: Vec<usize>,
    method: &str,
    conf: f64,
) -> PyResult<[Bound<'py, PyArray1<f64>>; 6]> {
    let method: TrendMethod = method.parse()?;
    let (count, population, time) = (count.as_slice()?, population.as_slice()?, time.as_slice()?);
    // The fits read every series' rows many times: on snapshots, each copied once.
    let t = compute(py, count.len(), || {
        let [count, population, time] = [count, population, time].map(snapshot);
        trend::trend_tests(&count, &population, &time, &starts, method, conf)
    })?;
    Ok(arrays(
        py,
        [
            t.rate_ratio,
            t.lower,
            t.upper,
            t.p_value,
            t.dispersion,
            t.status,
        ],
    ))
}

/// The p-values adjusted by `method` for the number of non-NaN values among them.
#[pyfunction]
fn adjust_p<'py>(
    py: Python<'py>,
    p: PyReadonlyArray1<'py, f64>,
    method: &str,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let method: Adjustment = method.parse()?;
    let p = p.as_slice()?;
    // Checked, sorted, then read in that order: on a snapshot, copied once.
    let adjusted = compute(py, p.len(), || adjust::adjust_p(&snapshot(p), method))?;
    Ok(adjusted.into_pyarray(py))
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(trend_tests, m)?)?;
    m.add_function(wrap_pyfunction!(adjust_p, m)?)?;
    Ok(())
}
