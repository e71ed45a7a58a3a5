//! The Python binding: each function extracts numpy arrays, calls the core, and moves the result
//! vectors into numpy without a copy. Nothing numeric lives here.
use crate::core::error::CoreError;
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;

mod changes;
mod memory;
mod partials;
mod rates;
mod standardise;
mod survey;
mod trend;

pyo3::create_exception!(
    crimestats,
    InputError,
    pyo3::exceptions::PyValueError,
    "Bad input to a crimestats function; the message names the argument and the first bad position."
);

impl From<CoreError> for PyErr {
    fn from(err: CoreError) -> PyErr {
        InputError::new_err(err.to_string())
    }
}

/// Below this many rows the kernel runs with the GIL held: releasing and re-taking it costs about
/// a microsecond, more than the work on a handful of rows.
const DETACH_MIN: usize = 2_048;

/// Runs `work` over `rows` rows, with the GIL released when there are enough of them.
///
/// The slices `work` reads may be the caller's own arrays (the Python layer passes a contiguous
/// float64 argument on without copying it), which another Python thread can write while the GIL
/// is released. A kernel run here must therefore read each element once and compute on what it
/// checked, or work on a snapshot it copied once (`core::parallel` has both), and return the
/// inputs as it read them where the result shows them.
pub(crate) fn compute<T, F>(py: Python<'_>, rows: usize, work: F) -> T
where
    T: Send,
    F: FnOnce() -> T + Send,
{
    if rows >= DETACH_MIN {
        py.detach(work)
    } else {
        work()
    }
}

/// Moves result columns into numpy arrays.
pub(crate) fn arrays<const N: usize>(
    py: Python<'_>,
    columns: [Vec<f64>; N],
) -> [Bound<'_, PyArray1<f64>>; N] {
    columns.map(|column| column.into_pyarray(py))
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("InputError", m.py().get_type::<InputError>())?;
    rates::register(m)?;
    changes::register(m)?;
    survey::register(m)?;
    partials::register(m)?;
    trend::register(m)?;
    standardise::register(m)?;
    Ok(())
}
