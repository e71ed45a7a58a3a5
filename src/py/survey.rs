//! Bindings for design-based survey estimation: codes and columns in, one estimate per domain and
//! level out.
use super::{arrays, compute};
use crate::core::error::CoreError;
use crate::core::survey::{
    Design, Domains, Estimator, LonelyPsu, Outcome, ShareInterval, Stage, SurveyPartials,
};
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

type Columns8<'py> = [Bound<'py, PyArray1<f64>>; 8];

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
    let lonely: LonelyPsu = lonely_psu.parse()?;
    let (estimator, share) = match statistic {
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
    };
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
    let result = compute(py, weight.len(), || {
        let estimates =
            SurveyPartials::from_rows(&design, outcome, domains, 0)?.estimate(estimator, lonely)?;
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

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(survey_estimate, m)?)?;
    Ok(())
}
