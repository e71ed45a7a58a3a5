//! Bindings for standardised rates and ratios, severity-weighted rates, empirical Bayes
//! smoothing and the presentation rules.
//!
//! Every kernel here checks its inputs and then reads them again (grouped sums, means over all
//! areas, sorted orders), so each works on snapshots (`parallel::snapshot`, each element read
//! once, copied once) taken after the GIL is released, never on the caller's arrays: a value
//! another thread writes meanwhile cannot slip past the checks, and the figures returned are
//! the ones computed on. The group, band and neighbour codes are the Python layer's own arrays,
//! made for the call, which no caller holds.
use super::{arrays, compute};
use crate::core::error::CoreError;
use crate::core::groups::Groups;
use crate::core::parallel::snapshot;
use crate::core::reliability::{self, Figures, Rule};
use crate::core::smoothing::{self, Neighbours};
use crate::core::standardise::{self, DsrRows};
use crate::core::weighted::{self, WeightedMethod};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

type Array<'py> = Bound<'py, PyArray1<f64>>;
type Columns<'py, const N: usize> = [Array<'py>; N];
/// Columns, then lower and upper bounds per confidence level.
type Levels<'py, const N: usize> = (Columns<'py, N>, Vec<Array<'py>>, Vec<Array<'py>>);

fn per_level(py: Python<'_>, bounds: Vec<Vec<f64>>) -> Vec<Array<'_>> {
    bounds.into_iter().map(|b| b.into_pyarray(py)).collect()
}

/// Directly standardised rates per group: ([count, population, dsr, suppressed], lower per
/// level, upper per level).
#[pyfunction]
#[pyo3(signature = (count, population, standard, frequency, band, n_bands, group, n_groups, per, conf, dispersion))]
#[allow(clippy::too_many_arguments)]
fn standardised_rate<'py>(
    py: Python<'py>,
    count: PyReadonlyArray1<'py, f64>,
    population: PyReadonlyArray1<'py, f64>,
    standard: PyReadonlyArray1<'py, f64>,
    frequency: Option<PyReadonlyArray1<'py, f64>>,
    band: Option<PyReadonlyArray1<'py, u32>>,
    n_bands: usize,
    group: PyReadonlyArray1<'py, u32>,
    n_groups: usize,
    per: f64,
    conf: Vec<f64>,
    dispersion: f64,
) -> PyResult<Levels<'py, 4>> {
    let frequency = optional(frequency.as_ref())?;
    let band = band.as_ref().map(PyReadonlyArray1::as_slice).transpose()?;
    let (count, population, standard) = (
        count.as_slice()?,
        population.as_slice()?,
        standard.as_slice()?,
    );
    let group = group.as_slice()?;
    let d = compute(py, count.len(), || {
        let [count, population, standard] = [count, population, standard].map(snapshot);
        let frequency = frequency.map(snapshot);
        let rows = DsrRows {
            count: &count,
            population: &population,
            standard: &standard,
            frequency: frequency.as_deref(),
            band: band.map(|b| (b, n_bands)),
        };
        let groups = Groups::new(group, n_groups, rows.count.len())?;
        standardise::dsr(&rows, groups, per, &conf, dispersion)
    })?;
    Ok((
        arrays(py, [d.count, d.population, d.dsr, d.suppressed]),
        per_level(py, d.lower),
        per_level(py, d.upper),
    ))
}

/// Indirectly standardised ratios per group: ([observed, expected, ratio, reference_rate],
/// lower per level, upper per level).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn standardised_ratio<'py>(
    py: Python<'py>,
    count: PyReadonlyArray1<'py, f64>,
    population: PyReadonlyArray1<'py, f64>,
    reference_count: PyReadonlyArray1<'py, f64>,
    reference_population: PyReadonlyArray1<'py, f64>,
    group: PyReadonlyArray1<'py, u32>,
    n_groups: usize,
    conf: Vec<f64>,
) -> PyResult<Levels<'py, 4>> {
    let (count, population) = (count.as_slice()?, population.as_slice()?);
    let (reference_count, reference_population) = (
        reference_count.as_slice()?,
        reference_population.as_slice()?,
    );
    let group = group.as_slice()?;
    let r = compute(py, count.len(), || {
        let [count, population, reference_count, reference_population] =
            [count, population, reference_count, reference_population].map(snapshot);
        let groups = Groups::new(group, n_groups, count.len())?;
        standardise::isr(
            &count,
            &population,
            &reference_count,
            &reference_population,
            groups,
            &conf,
        )
    })?;
    Ok((
        arrays(py, [r.observed, r.expected, r.ratio, r.reference_rate]),
        per_level(py, r.lower),
        per_level(py, r.upper),
    ))
}

/// The variance ratio `sum f^2 x / sum f x` of each row of `people` (row-major, one column per
/// frequency).
#[pyfunction]
fn event_dispersion<'py>(
    py: Python<'py>,
    frequencies: PyReadonlyArray1<'py, f64>,
    people: PyReadonlyArray1<'py, f64>,
) -> PyResult<Array<'py>> {
    let (frequencies, people) = (frequencies.as_slice()?, people.as_slice()?);
    let d = compute(py, people.len(), || {
        standardise::event_dispersion(&snapshot(frequencies), &snapshot(people))
    })?;
    Ok(d.into_pyarray(py))
}

/// Intervals widened about their estimates by the square root of `dispersion` (one value, or
/// one per row): [lower, upper].
#[pyfunction]
fn widen_interval<'py>(
    py: Python<'py>,
    estimate: PyReadonlyArray1<'py, f64>,
    lower: PyReadonlyArray1<'py, f64>,
    upper: PyReadonlyArray1<'py, f64>,
    dispersion: PyReadonlyArray1<'py, f64>,
) -> PyResult<Columns<'py, 2>> {
    let (estimate, lower, upper) = (estimate.as_slice()?, lower.as_slice()?, upper.as_slice()?);
    let dispersion = dispersion.as_slice()?;
    let (lo, hi) = compute(py, estimate.len(), || {
        let [estimate, mut lo, mut hi, dispersion] =
            [estimate, lower, upper, dispersion].map(snapshot);
        standardise::widen(&estimate, &mut lo, &mut hi, &dispersion).map(|()| (lo, hi))
    })?;
    Ok(arrays(py, [lo, hi]))
}

/// One period's offence rows as slices: count, weight, population, group codes.
type PeriodRows<'py> = (
    PyReadonlyArray1<'py, f64>,
    PyReadonlyArray1<'py, f64>,
    PyReadonlyArray1<'py, f64>,
    PyReadonlyArray1<'py, u32>,
);

/// count, weight, population and group codes as slices.
type Period<'a> = (&'a [f64], &'a [f64], &'a [f64], &'a [u32]);

/// The per-group sums of one period, on snapshots of its columns.
fn weighted_sums(rows: Period<'_>, n_groups: usize) -> Result<weighted::WeightedSums, CoreError> {
    let (count, weight, population, group) = rows;
    let [count, weight, population] = [count, weight, population].map(snapshot);
    let groups = Groups::new(group, n_groups, count.len())?;
    weighted::weighted_sums(&count, &weight, &population, groups)
}

fn slices<'a>(rows: &'a PeriodRows<'_>) -> PyResult<Period<'a>> {
    Ok((
        rows.0.as_slice()?,
        rows.1.as_slice()?,
        rows.2.as_slice()?,
        rows.3.as_slice()?,
    ))
}

/// Severity-weighted rates per group: [score, rate, lower, upper].
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn weighted_rate<'py>(
    py: Python<'py>,
    count: PyReadonlyArray1<'py, f64>,
    weight: PyReadonlyArray1<'py, f64>,
    population: PyReadonlyArray1<'py, f64>,
    group: PyReadonlyArray1<'py, u32>,
    n_groups: usize,
    per: f64,
    method: &str,
    conf: f64,
) -> PyResult<Columns<'py, 4>> {
    let method: WeightedMethod = method.parse()?;
    let period = (count, weight, population, group);
    let rows = slices(&period)?;
    let r = compute(py, rows.0.len(), || {
        weighted::weighted_rates(&weighted_sums(rows, n_groups)?, per, method, conf)
    })?;
    Ok(arrays(py, [r.score, r.rate, r.lower, r.upper]))
}

/// The change in severity-weighted rates between two periods, groups coded alike in both:
/// [rate_current, rate_previous, ratio, lower, upper, p_value, significant].
#[pyfunction]
#[pyo3(signature = (current, previous, n_groups, per, method, conf))]
fn weighted_rate_change<'py>(
    py: Python<'py>,
    current: PeriodRows<'py>,
    previous: PeriodRows<'py>,
    n_groups: usize,
    per: f64,
    method: &str,
    conf: f64,
) -> PyResult<Columns<'py, 7>> {
    let method: WeightedMethod = method.parse()?;
    let (now, then) = (slices(&current)?, slices(&previous)?);
    let (rate_now, rate_then, c) = compute(py, now.0.len() + then.0.len(), || {
        let (now, then) = (
            weighted_sums(now, n_groups)?,
            weighted_sums(then, n_groups)?,
        );
        Ok::<_, CoreError>((
            weighted::weighted_rates(&now, per, method, conf)?.rate,
            weighted::weighted_rates(&then, per, method, conf)?.rate,
            weighted::weighted_change(&now, &then, method, conf)?,
        ))
    })?;
    Ok(arrays(
        py,
        [
            rate_now,
            rate_then,
            c.ratio,
            c.lower,
            c.upper,
            c.p_value,
            c.significant,
        ],
    ))
}

/// Empirical Bayes rates per head: [raw, smoothed, shrinkage]; local when a neighbour list
/// (offsets, indices) is given.
#[pyfunction]
fn smoothed_rate<'py>(
    py: Python<'py>,
    count: PyReadonlyArray1<'py, f64>,
    population: PyReadonlyArray1<'py, f64>,
    neighbours: Option<(PyReadonlyArray1<'py, u64>, PyReadonlyArray1<'py, u32>)>,
) -> PyResult<Columns<'py, 3>> {
    let (count, population) = (count.as_slice()?, population.as_slice()?);
    let s = match &neighbours {
        None => compute(py, count.len(), || {
            smoothing::smooth_global(&snapshot(count), &snapshot(population))
        })?,
        Some((offsets, indices)) => {
            let offsets: Vec<usize> = offsets
                .as_slice()?
                .iter()
                .map(|&o| usize::try_from(o).unwrap_or(usize::MAX))
                .collect();
            let indices = indices.as_slice()?;
            compute(py, count.len(), || {
                smoothing::smooth_local(
                    &snapshot(count),
                    &snapshot(population),
                    Neighbours {
                        offsets: &offsets,
                        indices,
                    },
                )
            })?
        }
    };
    Ok(arrays(py, [s.raw, s.smoothed, s.shrinkage]))
}

fn optional<'a>(array: Option<&'a PyReadonlyArray1<'_, f64>>) -> PyResult<Option<&'a [f64]>> {
    Ok(array.map(PyReadonlyArray1::as_slice).transpose()?)
}

/// Presentation flags by `rule`: [level, reason]; the reasons' texts are
/// `reliability_reasons()`.
#[pyfunction]
#[pyo3(signature = (rule, rows, n=None, count=None, estimate=None, lower=None, upper=None, se=None, df=None))]
#[allow(clippy::too_many_arguments)]
fn reliability_flags<'py>(
    py: Python<'py>,
    rule: &str,
    rows: usize,
    n: Option<PyReadonlyArray1<'py, f64>>,
    count: Option<PyReadonlyArray1<'py, f64>>,
    estimate: Option<PyReadonlyArray1<'py, f64>>,
    lower: Option<PyReadonlyArray1<'py, f64>>,
    upper: Option<PyReadonlyArray1<'py, f64>>,
    se: Option<PyReadonlyArray1<'py, f64>>,
    df: Option<PyReadonlyArray1<'py, f64>>,
) -> PyResult<Columns<'py, 2>> {
    let rule: Rule = rule.parse()?;
    let figures = Figures {
        n: optional(n.as_ref())?,
        count: optional(count.as_ref())?,
        estimate: optional(estimate.as_ref())?,
        lower: optional(lower.as_ref())?,
        upper: optional(upper.as_ref())?,
        se: optional(se.as_ref())?,
        df: optional(df.as_ref())?,
    };
    let f = compute(py, rows, || {
        let copies = [
            figures.n,
            figures.count,
            figures.estimate,
            figures.lower,
            figures.upper,
            figures.se,
            figures.df,
        ]
        .map(|figure| figure.map(snapshot));
        let [n, count, estimate, lower, upper, se, df] = copies.each_ref().map(Option::as_deref);
        let owned = Figures {
            n,
            count,
            estimate,
            lower,
            upper,
            se,
            df,
        };
        reliability::flag(rule, &owned, rows)
    })?;
    Ok(arrays(py, [f.level, f.reason]))
}

/// The texts of the reliability reasons, by index.
#[pyfunction]
fn reliability_reasons() -> Vec<&'static str> {
    reliability::REASONS.to_vec()
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(standardised_rate, m)?)?;
    m.add_function(wrap_pyfunction!(standardised_ratio, m)?)?;
    m.add_function(wrap_pyfunction!(event_dispersion, m)?)?;
    m.add_function(wrap_pyfunction!(widen_interval, m)?)?;
    m.add_function(wrap_pyfunction!(weighted_rate, m)?)?;
    m.add_function(wrap_pyfunction!(weighted_rate_change, m)?)?;
    m.add_function(wrap_pyfunction!(smoothed_rate, m)?)?;
    m.add_function(wrap_pyfunction!(reliability_flags, m)?)?;
    m.add_function(wrap_pyfunction!(reliability_reasons, m)?)?;
    Ok(())
}
