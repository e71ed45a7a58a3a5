//! Survey partials as a Python object: made from one partition's rows, merged with the partials
//! of other partitions, pickled between processes as the core's byte encoding, and estimated
//! once at the end.
use super::survey::{estimate_columns, partials_from_rows, Columns8, SurveyCodes};
use crate::core::survey;
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple, PyType};

/// The sufficient statistics of a set of survey rows, coded against categories shared by every
/// partition: they merge exactly, and give the estimates of all the rows together.
#[pyclass(frozen, module = "crimestats._core", name = "SurveyPartials")]
pub struct SurveyPartials(survey::SurveyPartials);

#[pymethods]
impl SurveyPartials {
    /// Partials from the bytes of `to_bytes` (how pickle rebuilds them).
    #[new]
    fn new(py: Python<'_>, state: &[u8]) -> PyResult<Self> {
        let state = state.to_vec();
        let partials = py.detach(move || survey::SurveyPartials::from_bytes(&state))?;
        Ok(SurveyPartials(partials))
    }

    /// The partials of the rows of both (disjoint sets of rows coded alike).
    fn merge(&self, py: Python<'_>, other: &SurveyPartials) -> PyResult<SurveyPartials> {
        let merged = py.detach(|| self.0.clone().merge(other.0.clone()))?;
        Ok(SurveyPartials(merged))
    }

    /// The compact byte encoding of the partials.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let bytes = py.detach(|| self.0.to_bytes());
        PyBytes::new(py, &bytes)
    }

    /// estimate, se, lower, upper, deff (per domain and level), n, weighted_n, df (per domain),
    /// as `survey_estimate` gives them.
    fn estimate<'py>(
        &self,
        py: Python<'py>,
        statistic: &str,
        ci: &str,
        conf: f64,
        lonely_psu: &str,
    ) -> PyResult<Columns8<'py>> {
        estimate_columns(py, &self.0, statistic, ci, conf, lonely_psu)
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyType>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let bytes = slf.get().to_bytes(py);
        Ok((slf.get_type(), PyTuple::new(py, [bytes])?))
    }
}

/// The partials of the rows of `codes` with outcome `y` (or `levels`) and domains `domain`;
/// `row_offset` is the position of the first row in the whole data (for messages, and the unit
/// code of a row when each row is its own PSU).
#[pyfunction]
#[pyo3(signature = (codes, y, levels, n_levels, domain, n_domains, row_offset))]
fn survey_partials<'py>(
    py: Python<'py>,
    codes: &SurveyCodes,
    y: Option<PyReadonlyArray1<'py, f64>>,
    levels: Option<PyReadonlyArray1<'py, u32>>,
    n_levels: usize,
    domain: Option<PyReadonlyArray1<'py, u32>>,
    n_domains: usize,
    row_offset: u64,
) -> PyResult<SurveyPartials> {
    partials_from_rows(
        py, codes, y, levels, n_levels, domain, n_domains, row_offset,
    )
    .map(SurveyPartials)
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<SurveyPartials>()?;
    m.add_function(wrap_pyfunction!(survey_partials, m)?)?;
    Ok(())
}
