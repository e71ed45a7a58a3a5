//! Bindings for design-based survey estimation: codes and columns in, one estimate per domain and
//! level out.
use super::{arrays, compute};
use crate::core::binomial::ProportionMethod;
use crate::core::error::CoreError;
use crate::core::survey::{
    factorize_text, gross_ups, share_changes, share_cis, share_intervals, Design, Domains,
    Estimator, LonelyPsu, Outcome, ShareInterval, Stage, SurveyPartials,
};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

pub(super) type Columns8<'py> = [Bound<'py, PyArray1<f64>>; 8];
type TextCodes<'py> = (Bound<'py, PyArray1<u32>>, Bound<'py, PyArray1<u64>>);

/// Estimates per domain (and level of a categorical y): estimate, se, lower, upper and deff per
/// domain and level, domain-major; n, weighted_n and df per domain.
///
/// `statistic` is "share" (a mean with a share interval `ci`), "mean" or "total" (t intervals).
/// `y` is a numeric y, or `levels` the codes of a categorical one; `units[k]` codes the stage-k
/// units (`n_units[k]` codes) and `fpc[k]` is the stage's fpc or None.
#[pyfunction]
#[pyo3(signature = (
    weight, strata, n_strata, units, n_units, fpc, y, levels, n_levels, domain, n_domains,
    statistic, ci, conf, lonely_psu
))]
fn survey_estimate<'py>(
    py: Python<'py>,
    weight: PyReadonlyArray1<'py, f64>,
    strata: Option<PyReadonlyArray1<'py, u32>>,
    n_strata: usize,
    units: Vec<PyReadonlyArray1<'py, u32>>,
    n_units: Vec<usize>,
    fpc: Vec<Option<PyReadonlyArray1<'py, f64>>>,
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
    let partials = partials_from_rows(
        py, weight, strata, n_strata, units, n_units, fpc, y, levels, n_levels, domain, n_domains,
        0,
    )?;
    estimate_columns(py, &partials, statistic, ci, conf, lonely_psu)
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

/// The partials of the rows given as codes and columns (as [`survey_estimate`] takes them);
/// `row_offset` is the position of the first row in the whole data.
pub(super) fn partials_from_rows<'py>(
    py: Python<'py>,
    weight: PyReadonlyArray1<'py, f64>,
    strata: Option<PyReadonlyArray1<'py, u32>>,
    n_strata: usize,
    units: Vec<PyReadonlyArray1<'py, u32>>,
    n_units: Vec<usize>,
    fpc: Vec<Option<PyReadonlyArray1<'py, f64>>>,
    y: Option<PyReadonlyArray1<'py, f64>>,
    levels: Option<PyReadonlyArray1<'py, u32>>,
    n_levels: usize,
    domain: Option<PyReadonlyArray1<'py, u32>>,
    n_domains: usize,
    row_offset: u64,
) -> PyResult<SurveyPartials> {
    if units.len() != n_units.len() || units.len() != fpc.len() {
        return Err(
            CoreError::Design("units, n_units and fpc need one entry per stage".into()).into(),
        );
    }
    let weight = weight.as_slice()?;
    let strata = strata.as_ref().map(|s| s.as_slice()).transpose()?;
    let unit_slices = units
        .iter()
        .map(|u| u.as_slice())
        .collect::<Result<Vec<_>, _>>()?;
    let fpc_slices = fpc
        .iter()
        .map(|f| f.as_ref().map(|f| f.as_slice()).transpose())
        .collect::<Result<Vec<_>, _>>()?;
    let outcome = match (&y, &levels) {
        (Some(y), None) => Outcome::Numeric(y.as_slice()?),
        (None, Some(code)) => Outcome::Levels {
            code: code.as_slice()?,
            n_levels,
        },
        _ => return Err(CoreError::Design("give exactly one of y and levels".into()).into()),
    };
    let domain = domain.as_ref().map(|d| d.as_slice()).transpose()?;
    let design = Design {
        weight,
        strata,
        n_strata,
        stages: unit_slices
            .iter()
            .zip(&n_units)
            .zip(&fpc_slices)
            .map(|((unit, &n_units), fpc)| Stage {
                unit,
                n_units,
                fpc: *fpc,
            })
            .collect(),
    };
    let domains = Domains {
        code: domain,
        n_domains,
    };
    Ok(compute(py, weight.len(), || {
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

/// effective_n, lower and upper for published shares with base `n` and design factor `deft`.
#[pyfunction]
fn published_share_ci<'py>(
    py: Python<'py>,
    share: PyReadonlyArray1<'py, f64>,
    n: PyReadonlyArray1<'py, f64>,
    deft: PyReadonlyArray1<'py, f64>,
    method: &str,
    conf: f64,
) -> PyResult<Columns3<'py>> {
    let method: ProportionMethod = method.parse()?;
    let (share, n, deft) = (share.as_slice()?, n.as_slice()?, deft.as_slice()?);
    let r = compute(py, share.len(), || share_cis(share, n, deft, method, conf))?;
    Ok(arrays(py, [r.effective_n, r.lower, r.upper]))
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
        share_changes(share1, n1, share0, n0, deft, conf)
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
        gross_ups(
            share,
            share_lower,
            share_upper,
            total,
            total_lower,
            total_upper,
        )
    })?;
    Ok(arrays(py, r))
}

/// Codes (in order of first appearance, `u32::MAX` missing) and the first row of each code for a
/// text column in Arrow's layout: `offsets` (as i64), `data`, and the validity bitmap with the bit
/// offset of the first label. Arrow never mutates a buffer, so they are read with the GIL released.
#[pyfunction]
#[pyo3(signature = (offsets, data, validity, bit_offset))]
fn survey_factorize_text<'py>(
    py: Python<'py>,
    offsets: PyReadonlyArray1<'py, i64>,
    data: PyReadonlyArray1<'py, u8>,
    validity: Option<PyReadonlyArray1<'py, u8>>,
    bit_offset: usize,
) -> PyResult<TextCodes<'py>> {
    let (offsets, data) = (offsets.as_slice()?, data.as_slice()?);
    let validity = validity.as_ref().map(|v| v.as_slice()).transpose()?;
    let (codes, first_rows) = compute(py, offsets.len(), || {
        factorize_text(offsets, data, validity.map(|bits| (bits, bit_offset)))
    })?;
    Ok((codes.into_pyarray(py), first_rows.into_pyarray(py)))
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(survey_factorize_text, m)?)?;
    m.add_function(wrap_pyfunction!(survey_estimate, m)?)?;
    m.add_function(wrap_pyfunction!(survey_share_interval, m)?)?;
    m.add_function(wrap_pyfunction!(published_share_ci, m)?)?;
    m.add_function(wrap_pyfunction!(published_share_change, m)?)?;
    m.add_function(wrap_pyfunction!(published_gross_up, m)?)?;
    Ok(())
}
