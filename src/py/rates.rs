//! Bindings for rates (Poisson) and proportions (binomial).
use super::{arrays, compute};
use crate::core::{binomial, poisson};
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

type Columns5<'py> = [Bound<'py, PyArray1<f64>>; 5];

/// count and population (as read), rate, lower and upper per `per` people for each row.
#[pyfunction]
fn poisson_rate<'py>(
    py: Python<'py>,
    count: PyReadonlyArray1<'py, f64>,
    population: PyReadonlyArray1<'py, f64>,
    per: f64,
    method: &str,
    conf: f64,
) -> PyResult<Columns5<'py>> {
    let method: poisson::RateMethod = method.parse()?;
    let (count, population) = (count.as_slice()?, population.as_slice()?);
    let r = compute(py, count.len(), || {
        poisson::rates(count, population, per, method, conf)
    })?;
    Ok(arrays(
        py,
        [r.count, r.population, r.rate, r.lower, r.upper],
    ))
}

/// x and n (as read), proportion, lower and upper for each row.
#[pyfunction]
fn binomial_proportion<'py>(
    py: Python<'py>,
    x: PyReadonlyArray1<'py, f64>,
    n: PyReadonlyArray1<'py, f64>,
    method: &str,
    conf: f64,
) -> PyResult<Columns5<'py>> {
    let method: binomial::ProportionMethod = method.parse()?;
    let (x, n) = (x.as_slice()?, n.as_slice()?);
    let p = compute(py, x.len(), || binomial::proportions(x, n, method, conf))?;
    Ok(arrays(py, [p.x, p.n, p.proportion, p.lower, p.upper]))
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(poisson_rate, m)?)?;
    m.add_function(wrap_pyfunction!(binomial_proportion, m)?)?;
    Ok(())
}
