//! Bindings for changes over time, comparisons with a benchmark and funnel plots.
use super::{arrays, compute};
use crate::core::changes::{self, TestMethod};
use crate::core::funnel::{self, Overdispersion, Scale};
use crate::core::poisson::RateMethod;
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

type Columns<'py, const N: usize> = [Bound<'py, PyArray1<f64>>; N];
/// Lower limits per level, upper limits per level.
type Limits<'py> = (
    Vec<Bound<'py, PyArray1<f64>>>,
    Vec<Bound<'py, PyArray1<f64>>>,
);
/// populations, lower limits per level, upper limits per level.
type GridColumns<'py> = (
    Bound<'py, PyArray1<f64>>,
    Vec<Bound<'py, PyArray1<f64>>>,
    Vec<Bound<'py, PyArray1<f64>>>,
);
/// target, [phi, tau2] estimated, [phi, tau2] of the limits, [rate, z, flag], lower limits
/// per level, upper limits per level.
type FunnelColumns<'py> = (
    f64,
    [f64; 2],
    [f64; 2],
    Columns<'py, 3>,
    Vec<Bound<'py, PyArray1<f64>>>,
    Vec<Bound<'py, PyArray1<f64>>>,
);

fn limit_arrays(py: Python<'_>, limits: Vec<(Vec<f64>, Vec<f64>)>) -> Limits<'_> {
    limits
        .into_iter()
        .map(|(lower, upper)| (lower.into_pyarray(py), upper.into_pyarray(py)))
        .unzip()
}

/// current and previous (as read), change, percent_change and suppressed (1, 0 or NaN) for each
/// (current, previous) row.
#[pyfunction]
fn count_change<'py>(
    py: Python<'py>,
    current: PyReadonlyArray1<'py, f64>,
    previous: PyReadonlyArray1<'py, f64>,
    min_base: f64,
) -> PyResult<Columns<'py, 5>> {
    let (current, previous) = (current.as_slice()?, previous.as_slice()?);
    let c = compute(py, current.len(), || {
        changes::changes(current, previous, min_base)
    })?;
    Ok(arrays(
        py,
        [
            c.current,
            c.previous,
            c.change,
            c.percent_change,
            c.suppressed,
        ],
    ))
}

/// ratio, lower, upper, p_value and significant (1, 0 or NaN) for each pair of rates.
#[pyfunction]
fn rate_ratio_test<'py>(
    py: Python<'py>,
    current: PyReadonlyArray1<'py, f64>,
    previous: PyReadonlyArray1<'py, f64>,
    exposure_current: PyReadonlyArray1<'py, f64>,
    exposure_previous: PyReadonlyArray1<'py, f64>,
    method: &str,
    conf: f64,
) -> PyResult<Columns<'py, 5>> {
    let method: TestMethod = method.parse()?;
    let (current, previous) = (current.as_slice()?, previous.as_slice()?);
    let (exposure_current, exposure_previous) =
        (exposure_current.as_slice()?, exposure_previous.as_slice()?);
    let t = compute(py, current.len(), || {
        changes::test_ratios(
            current,
            previous,
            exposure_current,
            exposure_previous,
            method,
            conf,
        )
    })?;
    Ok(arrays(
        py,
        [t.ratio, t.lower, t.upper, t.p_value, t.significant],
    ))
}

/// rate, lower, upper, comparison (-1 lower, 0 similar, 1 higher, NaN) against a benchmark, and
/// the benchmark as read; `dispersion` widens the intervals for repeated events.
#[pyfunction]
#[pyo3(signature = (count, population, benchmark, per, method, conf, dispersion=None))]
#[allow(clippy::too_many_arguments)]
fn rate_comparison<'py>(
    py: Python<'py>,
    count: PyReadonlyArray1<'py, f64>,
    population: PyReadonlyArray1<'py, f64>,
    benchmark: PyReadonlyArray1<'py, f64>,
    per: f64,
    method: &str,
    conf: f64,
    dispersion: Option<PyReadonlyArray1<'py, f64>>,
) -> PyResult<Columns<'py, 5>> {
    let method: RateMethod = method.parse()?;
    let dispersion = dispersion
        .as_ref()
        .map(PyReadonlyArray1::as_slice)
        .transpose()?;
    let (count, population, benchmark) = (
        count.as_slice()?,
        population.as_slice()?,
        benchmark.as_slice()?,
    );
    let c = compute(py, count.len(), || {
        changes::compare(count, population, benchmark, per, method, conf, dispersion)
    })?;
    Ok(arrays(
        py,
        [c.rate, c.lower, c.upper, c.comparison, c.benchmark],
    ))
}

/// The funnel: (target, [phi, tau2], [phi, tau2] of the limits, [rate, z, flag], lower limits per level, upper limits per
/// level).
#[pyfunction]
#[pyo3(signature = (count, population, target, per, conf, overdispersion))]
fn funnel_plot<'py>(
    py: Python<'py>,
    count: PyReadonlyArray1<'py, f64>,
    population: PyReadonlyArray1<'py, f64>,
    target: Option<f64>,
    per: f64,
    conf: Vec<f64>,
    overdispersion: Option<&str>,
) -> PyResult<FunnelColumns<'py>> {
    let overdispersion: Option<Overdispersion> = overdispersion.map(str::parse).transpose()?;
    let (count, population) = (count.as_slice()?, population.as_slice()?);
    let f = compute(py, count.len(), || {
        funnel::funnel(count, population, target, per, &conf, overdispersion)
    })?;
    let (lower, upper) = limit_arrays(py, f.limits);
    Ok((
        f.target,
        [f.phi, f.tau2],
        [f.limit_phi, f.limit_tau2],
        arrays(py, [f.rate, f.z, f.flag]),
        lower,
        upper,
    ))
}

/// Funnel limits over a grid of populations: (the populations as read, lower limits per level,
/// upper limits per level).
#[pyfunction]
fn funnel_grid<'py>(
    py: Python<'py>,
    population: PyReadonlyArray1<'py, f64>,
    target: f64,
    per: f64,
    conf: Vec<f64>,
    tau2: f64,
    phi: f64,
) -> PyResult<GridColumns<'py>> {
    let population = population.as_slice()?;
    let (population, limits) = compute(py, population.len(), || {
        funnel::funnel_grid(population, target, per, &conf, Scale { phi, tau2 })
    })?;
    let (lower, upper) = limit_arrays(py, limits);
    Ok((population.into_pyarray(py), lower, upper))
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(count_change, m)?)?;
    m.add_function(wrap_pyfunction!(rate_ratio_test, m)?)?;
    m.add_function(wrap_pyfunction!(rate_comparison, m)?)?;
    m.add_function(wrap_pyfunction!(funnel_plot, m)?)?;
    m.add_function(wrap_pyfunction!(funnel_grid, m)?)?;
    Ok(())
}
