//! Bindings for design-based survey estimation: codes and columns in, one estimate per domain and
//! level out.
use super::{arrays, compute};
use crate::core::binomial::ProportionMethod;
use crate::core::error::CoreError;
use crate::core::parallel::snapshot;
use crate::core::survey::{
    chi2_sf, f_sf, factorize_keys, gross_ups, replicate_sums, share_changes, share_cis,
    share_intervals, t_intervals, t_tests, Design, Domains, Estimator, KeyColumn, LonelyPsu,
    Offsets, Outcome, ShareInterval, Stage, SurveyPartials,
};
use numpy::ndarray::{Array2, Array3};
use numpy::{
    IntoPyArray, PyArray1, PyArray2, PyArray3, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2,
    PyUntypedArrayMethods,
};
use pyo3::prelude::*;

pub(super) type Columns8<'py> = [Bound<'py, PyArray1<f64>>; 8];
type TextCodes<'py> = (Bound<'py, PyArray1<u32>>, Bound<'py, PyArray1<u64>>);

/// A survey design coded for the core: the weight, strata and per-stage unit codes and fpc, as
/// the Python layer made them (fresh arrays no caller holds, so they are read with the GIL
/// released). Made once per design and passed to every estimate and to the partials.
#[pyclass(frozen, module = "crimestats._core", name = "SurveyCodes")]
pub struct SurveyCodes {
    weight: Py<PyArray1<f64>>,
    strata: Option<Py<PyArray1<u32>>>,
    n_strata: usize,
    units: Vec<Py<PyArray1<u32>>>,
    n_units: Vec<usize>,
    fpc: Vec<Option<Py<PyArray1<f64>>>>,
}

/// The arrays of a [`SurveyCodes`], borrowed for one call.
pub(super) struct Borrowed<'py> {
    weight: PyReadonlyArray1<'py, f64>,
    strata: Option<PyReadonlyArray1<'py, u32>>,
    n_strata: usize,
    units: Vec<PyReadonlyArray1<'py, u32>>,
    n_units: Vec<usize>,
    fpc: Vec<Option<PyReadonlyArray1<'py, f64>>>,
}

#[pymethods]
impl SurveyCodes {
    /// `units[k]` codes the stage-k units (`n_units[k]` codes) and `fpc[k]` is the stage's fpc
    /// or None; `strata` codes `n_strata` strata (None: one stratum).
    #[new]
    #[pyo3(signature = (weight, strata, n_strata, units, n_units, fpc))]
    fn new(
        weight: Bound<'_, PyArray1<f64>>,
        strata: Option<Bound<'_, PyArray1<u32>>>,
        n_strata: usize,
        units: Vec<Bound<'_, PyArray1<u32>>>,
        n_units: Vec<usize>,
        fpc: Vec<Option<Bound<'_, PyArray1<f64>>>>,
    ) -> PyResult<Self> {
        if units.len() != n_units.len() || units.len() != fpc.len() {
            return Err(CoreError::Design(
                "units, n_units and fpc need one entry per stage".into(),
            )
            .into());
        }
        Ok(SurveyCodes {
            weight: weight.unbind(),
            strata: strata.map(Bound::unbind),
            n_strata,
            units: units.into_iter().map(Bound::unbind).collect(),
            n_units,
            fpc: fpc.into_iter().map(|f| f.map(Bound::unbind)).collect(),
        })
    }

    /// The number of rows.
    fn __len__(&self, py: Python<'_>) -> usize {
        self.weight.bind(py).len()
    }
}

impl SurveyCodes {
    pub(super) fn borrow<'py>(&self, py: Python<'py>) -> Borrowed<'py> {
        Borrowed {
            weight: self.weight.bind(py).readonly(),
            strata: self.strata.as_ref().map(|s| s.bind(py).readonly()),
            n_strata: self.n_strata,
            units: self.units.iter().map(|u| u.bind(py).readonly()).collect(),
            n_units: self.n_units.clone(),
            fpc: self
                .fpc
                .iter()
                .map(|f| f.as_ref().map(|f| f.bind(py).readonly()))
                .collect(),
        }
    }
}

impl Borrowed<'_> {
    pub(super) fn design(&self) -> PyResult<Design<'_>> {
        let mut stages = Vec::with_capacity(self.units.len());
        for ((unit, &n_units), fpc) in self.units.iter().zip(&self.n_units).zip(&self.fpc) {
            stages.push(Stage {
                unit: unit.as_slice()?,
                n_units,
                fpc: fpc.as_ref().map(|f| f.as_slice()).transpose()?,
            });
        }
        Ok(Design {
            weight: self.weight.as_slice()?,
            strata: self.strata.as_ref().map(|s| s.as_slice()).transpose()?,
            n_strata: self.n_strata,
            stages,
        })
    }
}

/// Estimates per domain (and level of a categorical y): estimate, se, lower, upper and deff per
/// domain and level, domain-major; n, weighted_n and df per domain.
///
/// `statistic` is "share" (a mean with a share interval `ci`), "mean" or "total" (t intervals).
/// `y` is a numeric y, or `levels` the codes of a categorical one.
#[pyfunction]
#[pyo3(signature = (codes, y, levels, n_levels, domain, n_domains, statistic, ci, conf, lonely_psu))]
fn survey_estimate<'py>(
    py: Python<'py>,
    codes: &SurveyCodes,
    y: Option<PyReadonlyArray1<'py, f64>>,
    levels: Option<PyReadonlyArray1<'py, u32>>,
    n_levels: usize,
    domain: Option<PyReadonlyArray1<'py, u32>>,
    n_domains: usize,
    statistic: &str,
    ci: &str,
    conf: f64,
    lonely_psu: &str,
) -> PyResult<Columns8<'py>> {
    // Parse the choices before the pass over the rows, so a misspelt name fails fast.
    parse_statistic(statistic, ci)?;
    lonely_psu.parse::<LonelyPsu>()?;
    let partials = partials_from_rows(py, codes, y, levels, n_levels, domain, n_domains, 0)?;
    estimate_columns(py, &partials, statistic, ci, conf, lonely_psu)
}

/// Per domain, the totals of the influence columns `z` (rows x columns, already weighted) and
/// their covariance by R's `svyrecvar` on the design, with the domain's design df: (totals as
/// domains x columns, covariances as domains x columns x columns, df per domain).
#[pyfunction]
#[pyo3(signature = (codes, z, domain, n_domains, lonely_psu))]
fn survey_covariance<'py>(
    py: Python<'py>,
    codes: &SurveyCodes,
    z: PyReadonlyArray2<'py, f64>,
    domain: Option<PyReadonlyArray1<'py, u32>>,
    n_domains: usize,
    lonely_psu: &str,
) -> PyResult<Covariance3<'py>> {
    let lonely: LonelyPsu = lonely_psu.parse()?;
    let n_columns = z.shape()[1];
    let borrowed = codes.borrow(py);
    let design = borrowed.design()?;
    let values = z.as_slice()?;
    let domain_codes = domain.as_ref().map(|d| d.as_slice()).transpose()?;
    let domains = Domains {
        code: domain_codes,
        n_domains,
    };
    let outcome = Outcome::Influence { values, n_columns };
    let result =
        py.detach(|| SurveyPartials::from_rows(&design, outcome, domains, 0)?.covariance(lonely))?;
    let p = result.n_columns;
    let total = Array2::from_shape_vec((n_domains, p), result.total)
        .map_err(|e| CoreError::Design(e.to_string()))?;
    let covariance = Array3::from_shape_vec((n_domains, p, p), result.covariance)
        .map_err(|e| CoreError::Design(e.to_string()))?;
    Ok((
        total.into_pyarray(py),
        covariance.into_pyarray(py),
        result.df.into_pyarray(py),
    ))
}

type Covariance3<'py> = (
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray3<f64>>,
    Bound<'py, PyArray1<f64>>,
);

/// Per weight column, domain and value column (an array of that shape): the weighted sums of
/// `values` (rows x columns) over each domain's rows, for replicate-weight designs.
#[pyfunction]
#[pyo3(signature = (weights, values, domain, n_domains))]
fn survey_replicate_sums<'py>(
    py: Python<'py>,
    weights: Vec<PyReadonlyArray1<'py, f64>>,
    values: PyReadonlyArray2<'py, f64>,
    domain: Option<PyReadonlyArray1<'py, u32>>,
    n_domains: usize,
) -> PyResult<Bound<'py, PyArray3<f64>>> {
    let n_columns = values.shape()[1];
    let slices = weights
        .iter()
        .map(|w| w.as_slice())
        .collect::<Result<Vec<_>, _>>()?;
    let values = values.as_slice()?;
    let domain = domain.as_ref().map(|d| d.as_slice()).transpose()?;
    let sums = py.detach(|| replicate_sums(&slices, values, n_columns, domain, n_domains))?;
    let sums = Array3::from_shape_vec((slices.len(), n_domains, n_columns), sums)
        .map_err(|e| CoreError::Design(e.to_string()))?;
    Ok(sums.into_pyarray(py))
}

/// lower, upper, p_value and the t quantile of t tests of `estimate` (standard error `se`)
/// with `df` degrees of freedom: `estimate +/- t se` and the two-sided p value against zero.
#[pyfunction]
fn survey_t_test<'py>(
    py: Python<'py>,
    estimate: PyReadonlyArray1<'py, f64>,
    se: PyReadonlyArray1<'py, f64>,
    df: PyReadonlyArray1<'py, f64>,
    conf: f64,
) -> PyResult<[Bound<'py, PyArray1<f64>>; 4]> {
    let (estimate, se, df) = (estimate.as_slice()?, se.as_slice()?, df.as_slice()?);
    let (t, p) = t_tests(estimate, se, df, conf)?;
    let (lower, upper) = t_intervals(estimate, se, df, conf)?;
    Ok(arrays(py, [lower, upper, p, t]))
}

/// The upper tail at `x` of the F distribution (`distribution` "f", degrees of freedom `df1`
/// and `df2`) or the chi-square (`"chisq"`, `df1`), for the Rao-Scott tests.
#[pyfunction]
fn survey_upper_tail(distribution: &str, x: f64, df1: f64, df2: f64) -> PyResult<f64> {
    match distribution {
        "f" => Ok(f_sf(x, df1, df2)),
        "chisq" => Ok(chi2_sf(x, df1)),
        _ => Err(CoreError::Unknown {
            arg: "distribution",
            given: distribution.to_owned(),
            known: "'f', 'chisq'",
        }
        .into()),
    }
}

/// The estimator and, for a share, its interval method.
fn parse_statistic(statistic: &str, ci: &str) -> PyResult<(Estimator, Option<ShareInterval>)> {
    Ok(match statistic {
        "share" => (Estimator::Mean, Some(ci.parse::<ShareInterval>()?)),
        "mean" => (Estimator::Mean, None),
        "total" => (Estimator::Total, None),
        _ => {
            return Err(CoreError::Unknown {
                arg: "statistic",
                given: statistic.to_owned(),
                known: "'share', 'mean', 'total'",
            }
            .into())
        }
    })
}

/// The partials of the rows of `codes` with outcome `y` or `levels` and domains `domain`;
/// `row_offset` is the position of the first row in the whole data.
pub(super) fn partials_from_rows<'py>(
    py: Python<'py>,
    codes: &SurveyCodes,
    y: Option<PyReadonlyArray1<'py, f64>>,
    levels: Option<PyReadonlyArray1<'py, u32>>,
    n_levels: usize,
    domain: Option<PyReadonlyArray1<'py, u32>>,
    n_domains: usize,
    row_offset: u64,
) -> PyResult<SurveyPartials> {
    let borrowed = codes.borrow(py);
    let design = borrowed.design()?;
    let outcome = match (&y, &levels) {
        (Some(y), None) => Outcome::Numeric(y.as_slice()?),
        (None, Some(code)) => Outcome::Levels {
            code: code.as_slice()?,
            n_levels,
        },
        _ => return Err(CoreError::Design("give exactly one of y and levels".into()).into()),
    };
    let domain = domain.as_ref().map(|d| d.as_slice()).transpose()?;
    let domains = Domains {
        code: domain,
        n_domains,
    };
    Ok(compute(py, design.weight.len(), || {
        SurveyPartials::from_rows(&design, outcome, domains, row_offset)
    })?)
}

/// The estimate columns of [`survey_estimate`] from partials. The work is per cell of the design
/// (domains x PSUs), so it always runs with the GIL released.
pub(super) fn estimate_columns<'py>(
    py: Python<'py>,
    partials: &SurveyPartials,
    statistic: &str,
    ci: &str,
    conf: f64,
    lonely_psu: &str,
) -> PyResult<Columns8<'py>> {
    let lonely: LonelyPsu = lonely_psu.parse()?;
    let (estimator, share) = parse_statistic(statistic, ci)?;
    let result = py.detach(|| {
        let estimates = partials.estimate(estimator, lonely)?;
        let (lower, upper) = estimates.intervals(share, conf)?;
        Ok::<_, CoreError>((estimates, lower, upper))
    });
    let (e, lower, upper) = result?;
    Ok(arrays(
        py,
        [
            e.estimate,
            e.se,
            lower,
            upper,
            e.deff,
            e.n,
            e.weighted_n,
            e.df,
        ],
    ))
}

type Columns3<'py> = [Bound<'py, PyArray1<f64>>; 3];

/// lower and upper of survey shares from their estimate, standard error, design df and domain
/// rows, as R `svyciprop(method = ci)`: for shares estimated elsewhere.
#[pyfunction]
fn survey_share_interval<'py>(
    py: Python<'py>,
    share: PyReadonlyArray1<'py, f64>,
    se: PyReadonlyArray1<'py, f64>,
    df: PyReadonlyArray1<'py, f64>,
    n: PyReadonlyArray1<'py, f64>,
    ci: &str,
    conf: f64,
) -> PyResult<[Bound<'py, PyArray1<f64>>; 2]> {
    let method: ShareInterval = ci.parse()?;
    let (share, se, df, n) = (
        share.as_slice()?,
        se.as_slice()?,
        df.as_slice()?,
        n.as_slice()?,
    );
    let (lower, upper) = share_intervals(share, se, df, n, method, conf)?;
    Ok(arrays(py, [lower, upper]))
}

/// share and n as read, effective_n, lower and upper for published shares with base `n` and
/// design factor `deft`.
#[pyfunction]
fn published_share_ci<'py>(
    py: Python<'py>,
    share: PyReadonlyArray1<'py, f64>,
    n: PyReadonlyArray1<'py, f64>,
    deft: PyReadonlyArray1<'py, f64>,
    method: &str,
    conf: f64,
) -> PyResult<[Bound<'py, PyArray1<f64>>; 5]> {
    let method: ProportionMethod = method.parse()?;
    let (share, n, deft) = (share.as_slice()?, n.as_slice()?, deft.as_slice()?);
    // The kernels check, then compute: on snapshots, as the caller may write its arrays
    // meanwhile; the share and base shown beside the interval are the snapshots it came from.
    let (share, n, r) = compute(py, share.len(), || {
        let [share, n, deft] = [share, n, deft].map(snapshot);
        share_cis(&share, &n, &deft, method, conf).map(|r| (share, n, r))
    })?;
    Ok(arrays(py, [share, n, r.effective_n, r.lower, r.upper]))
}

/// difference, lower, upper and p_value between two independent published shares.
#[pyfunction]
fn published_share_change<'py>(
    py: Python<'py>,
    share1: PyReadonlyArray1<'py, f64>,
    n1: PyReadonlyArray1<'py, f64>,
    share0: PyReadonlyArray1<'py, f64>,
    n0: PyReadonlyArray1<'py, f64>,
    deft: PyReadonlyArray1<'py, f64>,
    conf: f64,
) -> PyResult<[Bound<'py, PyArray1<f64>>; 4]> {
    let (share1, n1) = (share1.as_slice()?, n1.as_slice()?);
    let (share0, n0, deft) = (share0.as_slice()?, n0.as_slice()?, deft.as_slice()?);
    let r = compute(py, share1.len(), || {
        let [share1, n1, share0, n0, deft] = [share1, n1, share0, n0, deft].map(snapshot);
        share_changes(&share1, &n1, &share0, &n0, &deft, conf)
    })?;
    Ok(arrays(py, [r.difference, r.lower, r.upper, r.p_value]))
}

/// estimate, lower and upper of a share of a total as a count.
#[pyfunction]
fn published_gross_up<'py>(
    py: Python<'py>,
    share: PyReadonlyArray1<'py, f64>,
    share_lower: PyReadonlyArray1<'py, f64>,
    share_upper: PyReadonlyArray1<'py, f64>,
    total: PyReadonlyArray1<'py, f64>,
    total_lower: PyReadonlyArray1<'py, f64>,
    total_upper: PyReadonlyArray1<'py, f64>,
) -> PyResult<Columns3<'py>> {
    let (share, share_lower, share_upper) = (
        share.as_slice()?,
        share_lower.as_slice()?,
        share_upper.as_slice()?,
    );
    let (total, total_lower, total_upper) = (
        total.as_slice()?,
        total_lower.as_slice()?,
        total_upper.as_slice()?,
    );
    let r = compute(py, share.len(), || {
        let [share, share_lower, share_upper, total, total_lower, total_upper] = [
            share,
            share_lower,
            share_upper,
            total,
            total_lower,
            total_upper,
        ]
        .map(snapshot);
        gross_ups(
            &share,
            &share_lower,
            &share_upper,
            &total,
            &total_lower,
            &total_upper,
        )
    })?;
    Ok(arrays(py, r))
}

/// A key column as the Python layer hands it over: a text column's Arrow buffers `(offsets,
/// data, validity, bit_offset)` (offsets 32- or 64-bit), codes made elsewhere `(codes, n)`
/// (negative missing), or integer values (a fresh int64 array).
enum KeyArrays<'py> {
    Text {
        narrow: Option<PyReadonlyArray1<'py, i32>>,
        wide: Option<PyReadonlyArray1<'py, i64>>,
        data: PyReadonlyArray1<'py, u8>,
        validity: Option<PyReadonlyArray1<'py, u8>>,
        bit_offset: usize,
    },
    Codes(PyReadonlyArray1<'py, i64>, usize),
    Integers(PyReadonlyArray1<'py, i64>),
}

impl<'py> KeyArrays<'py> {
    fn extract(item: &Bound<'py, PyAny>) -> PyResult<Self> {
        if let Ok(values) = item.extract::<PyReadonlyArray1<'py, i64>>() {
            return Ok(KeyArrays::Integers(values));
        }
        if let Ok((codes, n)) = item.extract::<(PyReadonlyArray1<'py, i64>, usize)>() {
            return Ok(KeyArrays::Codes(codes, n));
        }
        let (offsets, data, validity, bit_offset): (
            Bound<'py, PyAny>,
            PyReadonlyArray1<'py, u8>,
            Option<PyReadonlyArray1<'py, u8>>,
            usize,
        ) = item.extract()?;
        let narrow = offsets.extract::<PyReadonlyArray1<'py, i32>>().ok();
        let wide = if narrow.is_none() {
            Some(offsets.extract::<PyReadonlyArray1<'py, i64>>()?)
        } else {
            None
        };
        Ok(KeyArrays::Text {
            narrow,
            wide,
            data,
            validity,
            bit_offset,
        })
    }

    fn column(&self) -> PyResult<KeyColumn<'_>> {
        Ok(match self {
            KeyArrays::Text {
                narrow,
                wide,
                data,
                validity,
                bit_offset,
            } => KeyColumn::Text {
                offsets: match (narrow, wide) {
                    (Some(o), _) => Offsets::Narrow(o.as_slice()?),
                    (None, Some(o)) => Offsets::Wide(o.as_slice()?),
                    (None, None) => unreachable!("extract gives one of the two"),
                },
                data: data.as_slice()?,
                validity: validity
                    .as_ref()
                    .map(|v| v.as_slice())
                    .transpose()?
                    .map(|bits| (bits, *bit_offset)),
            },
            KeyArrays::Codes(codes, n) => KeyColumn::Codes {
                codes: codes.as_slice()?,
                n: *n,
            },
            KeyArrays::Integers(values) => KeyColumn::Integers(values.as_slice()?),
        })
    }
}

/// Codes for the combinations of key columns that occur, in sorted order (`u32::MAX` where any
/// column is missing), and the first row of each. Arrow never mutates a buffer, integers are
/// read once each into the core's copy, and codes are fresh copies, so all are read with the
/// GIL released.
#[pyfunction]
fn survey_key_codes<'py>(
    py: Python<'py>,
    columns: Vec<Bound<'py, PyAny>>,
) -> PyResult<TextCodes<'py>> {
    let arrays = columns
        .iter()
        .map(KeyArrays::extract)
        .collect::<PyResult<Vec<_>>>()?;
    let keys = arrays
        .iter()
        .map(KeyArrays::column)
        .collect::<PyResult<Vec<_>>>()?;
    let rows = keys.first().map_or(0, KeyColumn::rows);
    let result = compute(py, rows, || factorize_keys(&keys))?;
    Ok((
        result.codes.into_pyarray(py),
        result.first_rows.into_pyarray(py),
    ))
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(survey_key_codes, m)?)?;
    m.add_class::<SurveyCodes>()?;
    m.add_function(wrap_pyfunction!(survey_estimate, m)?)?;
    m.add_function(wrap_pyfunction!(survey_covariance, m)?)?;
    m.add_function(wrap_pyfunction!(survey_replicate_sums, m)?)?;
    m.add_function(wrap_pyfunction!(survey_t_test, m)?)?;
    m.add_function(wrap_pyfunction!(survey_upper_tail, m)?)?;
    m.add_function(wrap_pyfunction!(survey_share_interval, m)?)?;
    m.add_function(wrap_pyfunction!(published_share_ci, m)?)?;
    m.add_function(wrap_pyfunction!(published_share_change, m)?)?;
    m.add_function(wrap_pyfunction!(published_gross_up, m)?)?;
    Ok(())
}
