//! Standardised rates and ratios, as Public Health England publishes them, and the wider
//! intervals that events falling repeatedly on the same people need.
//!
//! * [`dsr`]: directly standardised rates by Dobson et al. (1991), the interval for the weighted
//!   sum scaled from Byar's interval for the total count, as PHEindicatormethods
//!   `calculate_dsr`; groups with a total count under 10 are suppressed (NaN with a flag).
//! * [`isr`]: indirectly standardised ratios (observed over expected events), exact below 10
//!   observed events and Byar from 10, as `calculate_ISRatio`; times a reference rate they are
//!   the indirectly standardised rate of `calculate_ISRate`.
//! * Non-independent events (one person a victim several times): the variance of a count is
//!   `sum f^2 x_f` over the people `x_f` with `f` events, not the count itself, and an interval
//!   around the count is widened about it by the square root of the ratio, as
//!   `calculate_dsr(independent_events = FALSE)` does.
//!
//! Every statistic is one pass over the rows into per-group sums, then one step per group.
//! NaN in any row of a group gives NaN for that group.
use super::check;
use super::error::{half_alpha, CoreError, CoreResult};
use super::groups::Groups;
use super::poisson::{count_interval, RateMethod};
use super::special::norm_two_sided;

/// PHE's rule: a directly standardised rate from fewer than 10 events is not published.
pub const DSR_MIN_COUNT: f64 = 10.0;

/// The rows of a directly standardised rate: one per group and age band, or with
/// `frequency`, one per group, age band and number of events per person.
#[derive(Debug, Clone, Copy)]
pub struct DsrRows<'a> {
    /// Events on the row, or with `frequency` the people with that many events.
    pub count: &'a [f64],
    /// The band's population (greater than zero).
    pub population: &'a [f64],
    /// The band's standard population (zero or more).
    pub standard: &'a [f64],
    /// Events per person on the row (PHE's `eventfreq`), greater than zero.
    pub frequency: Option<&'a [f64]>,
    /// The age band of each row, codes `0..n`: a band's population and standard are taken once
    /// per group, however many frequency rows repeat them (and must agree); without `frequency`
    /// a band may not repeat in a group. Without it each row is its own band.
    pub band: Option<(&'a [u32], usize)>,
}

/// Directly standardised rates per group, with one interval per confidence level.
#[derive(Debug, Clone, PartialEq)]
pub struct Dsr {
    /// Total events.
    pub count: Vec<f64>,
    /// Total population.
    pub population: Vec<f64>,
    /// The standardised rate per `per`; NaN where suppressed.
    pub dsr: Vec<f64>,
    /// `lower[level][group]`, `upper[level][group]`.
    pub lower: Vec<Vec<f64>>,
    pub upper: Vec<Vec<f64>>,
    /// 1 where the total count is under 10, 0 otherwise, NaN where the count is unknown.
    pub suppressed: Vec<f64>,
}

/// Per-group sums of a standardised rate.
#[derive(Debug, Clone, Copy, Default)]
struct DsrSums {
    count: f64,
    population: f64,
    standard: f64,
    weighted: f64,
    variance: f64,
}

fn check_dsr_rows(rows: &DsrRows<'_>) -> CoreResult<()> {
    check::same_length("population", rows.population, "count", rows.count)?;
    check::same_length("standard", rows.standard, "count", rows.count)?;
    check::counts("count", rows.count, None)?;
    check::positive(
        "population",
        rows.population,
        " (a band with no population has no rate; leave it out or give NaN)",
    )?;
    check::counts("standard", rows.standard, None)?;
    if let Some(frequency) = rows.frequency {
        check::same_length("eventfreq", frequency, "count", rows.count)?;
        check::positive("eventfreq", frequency, " (events per person)")?;
    }
    if let Some((band, n)) = rows.band {
        Groups::new(band, n, rows.count.len())?;
    }
    Ok(())
}

/// Folds the rows into per-group sums: events `f x`, the Dobson weighted sum
/// `f x standard / population` and its variance `f^2 x (standard / population)^2`, and the
/// population and standard of each band once.
fn dsr_sums(rows: &DsrRows<'_>, groups: Groups<'_>) -> CoreResult<Vec<DsrSums>> {
    let mut sums = vec![DsrSums::default(); groups.n];
    // With bands, the first row of each (group, band) seen, plus one; 0 for none yet.
    let mut first: Vec<usize> = match rows.band {
        Some((_, n_bands)) => vec![0; groups.n * n_bands],
        None => Vec::new(),
    };
    for row in 0..rows.count.len() {
        let g = groups.of(row);
        let (x, n, w) = (rows.count[row], rows.population[row], rows.standard[row]);
        let f = rows.frequency.map_or(1.0, |f| f[row]);
        let ratio = w / n;
        let s = &mut sums[g];
        s.count += f * x;
        s.weighted += f * x * ratio;
        s.variance += f * f * x * ratio * ratio;
        let take_once = match rows.band {
            None => true,
            Some((band, n_bands)) => {
                let slot = &mut first[g * n_bands + band[row] as usize];
                if *slot == 0 {
                    *slot = row + 1;
                    true
                } else {
                    let at = *slot - 1;
                    if rows.frequency.is_none() {
                        return Err(CoreError::Repeated {
                            arg: "age",
                            index: row,
                            first_index: at,
                        });
                    }
                    for (arg, values) in
                        [("population", rows.population), ("standard", rows.standard)]
                    {
                        if !(values[row] == values[at]
                            || values[row].is_nan() && values[at].is_nan())
                        {
                            return Err(CoreError::Differs {
                                arg,
                                index: row,
                                value: values[row],
                                first_index: at,
                                first_value: values[at],
                            });
                        }
                    }
                    false
                }
            }
        };
        if take_once {
            s.population += n;
            s.standard += w;
        }
    }
    Ok(sums)
}

/// Dobson's interval for a weighted sum of Poisson counts: the interval for the total count
/// `count` by `method`, moved to the weighted sum's scale about its value, `value +
/// sqrt(variance / count) (bound - count)` (Dobson et al. 1991, eq. 3; PHEindicatormethods
/// `dsr_inner`).
fn dobson(value: f64, variance: f64, count: f64, tail: f64, z: f64) -> (f64, f64) {
    let (lo, hi) = count_interval(count, RateMethod::Byar, tail, z);
    let scale = (variance / count).sqrt();
    (value + scale * (lo - count), value + scale * (hi - count))
}

/// Directly standardised rates per `per` for each group, with an interval per level in `confs`.
///
/// `dispersion` multiplies every group's variance: the ratio `sum f^2 x / sum f x` of a
/// distribution of events per person that applies to every band (1 for independent events).
pub fn dsr(
    rows: &DsrRows<'_>,
    groups: Groups<'_>,
    per: f64,
    confs: &[f64],
    dispersion: f64,
) -> CoreResult<Dsr> {
    check_dsr_rows(rows)?;
    check::positive_scalar("per", per)?;
    check::positive(
        "eventfreq",
        &[dispersion],
        " (the variance ratio of the events)",
    )?;
    let tails = confs
        .iter()
        .map(|&c| half_alpha(c))
        .collect::<CoreResult<Vec<f64>>>()?;
    let sums = dsr_sums(rows, groups)?;
    let mut out = Dsr {
        count: sums.iter().map(|s| s.count).collect(),
        population: sums.iter().map(|s| s.population).collect(),
        dsr: Vec::with_capacity(groups.n),
        lower: vec![Vec::with_capacity(groups.n); confs.len()],
        upper: vec![Vec::with_capacity(groups.n); confs.len()],
        suppressed: Vec::with_capacity(groups.n),
    };
    let zs: Vec<f64> = confs.iter().map(|&c| norm_two_sided(c)).collect();
    for s in &sums {
        let suppressed = if s.count.is_nan() {
            f64::NAN
        } else {
            f64::from(u8::from(s.count < DSR_MIN_COUNT))
        };
        out.suppressed.push(suppressed);
        let shown = suppressed == 0.0;
        let value = s.weighted / s.standard;
        let variance = dispersion * s.variance / (s.standard * s.standard);
        out.dsr.push(if shown { value * per } else { f64::NAN });
        for (level, (&tail, &z)) in tails.iter().zip(&zs).enumerate() {
            let (lo, hi) = if shown {
                dobson(value, variance, s.count, tail, z)
            } else {
                (f64::NAN, f64::NAN)
            };
            out.lower[level].push(lo * per);
            out.upper[level].push(hi * per);
        }
    }
    Ok(out)
}

/// Indirectly standardised ratios per group, with an interval per confidence level.
#[derive(Debug, Clone, PartialEq)]
pub struct Isr {
    pub observed: Vec<f64>,
    pub expected: Vec<f64>,
    pub ratio: Vec<f64>,
    pub lower: Vec<Vec<f64>>,
    pub upper: Vec<Vec<f64>>,
    /// The reference population's crude rate over the group's bands (per head).
    pub reference_rate: Vec<f64>,
}

/// Indirectly standardised ratios: observed events over those expected at the reference
/// rates `reference_count / reference_population` in each band (PHEindicatormethods
/// `calculate_ISRatio`): exact (Garwood) below 10 observed events, Byar from 10.
///
/// A band's population may be zero (it expects nothing); reference populations must be
/// greater than zero.
pub fn isr(
    count: &[f64],
    population: &[f64],
    reference_count: &[f64],
    reference_population: &[f64],
    groups: Groups<'_>,
    confs: &[f64],
) -> CoreResult<Isr> {
    check::same_length("population", population, "count", count)?;
    check::same_length("reference_count", reference_count, "count", count)?;
    check::same_length("reference_population", reference_population, "count", count)?;
    check::counts(
        "count",
        count,
        Some("exact Poisson intervals need whole counts"),
    )?;
    check::counts("population", population, None)?;
    check::counts("reference_count", reference_count, None)?;
    check::positive(
        "reference_population",
        reference_population,
        " (a reference rate per head of no population is undefined)",
    )?;
    let tails = confs
        .iter()
        .map(|&c| half_alpha(c))
        .collect::<CoreResult<Vec<f64>>>()?;
    let mut observed = vec![0.0; groups.n];
    let mut expected = vec![0.0; groups.n];
    let mut reference = vec![(0.0, 0.0); groups.n];
    for row in 0..count.len() {
        let g = groups.of(row);
        observed[g] += count[row];
        expected[g] += reference_count[row] / reference_population[row] * population[row];
        reference[g].0 += reference_count[row];
        reference[g].1 += reference_population[row];
    }
    let mut out = Isr {
        ratio: Vec::with_capacity(groups.n),
        lower: vec![Vec::with_capacity(groups.n); confs.len()],
        upper: vec![Vec::with_capacity(groups.n); confs.len()],
        reference_rate: reference.iter().map(|(x, n)| x / n).collect(),
        observed,
        expected,
    };
    for g in 0..groups.n {
        let (o, e) = (out.observed[g], out.expected[g]);
        out.ratio.push(o / e);
        for (level, &tail) in tails.iter().enumerate() {
            let (lo, hi) = count_interval(o, RateMethod::Phe, tail, norm_two_sided(confs[level]));
            out.lower[level].push(lo / e);
            out.upper[level].push(hi / e);
        }
    }
    Ok(out)
}

/// The variance ratio `sum f^2 x_f / sum f x_f` of each row's distribution of events per
/// person: `people` holds, row after row, the number of people with each of `frequencies`
/// events. 1 for a row with no events (nothing to widen), NaN for a row with a NaN.
pub fn event_dispersion(frequencies: &[f64], people: &[f64]) -> CoreResult<Vec<f64>> {
    check::positive("eventfreq", frequencies, " (events per person)")?;
    check::counts("eventfreq", people, None)?;
    let k = frequencies.len();
    if k == 0 || people.len() % k != 0 {
        return Err(CoreError::Length {
            arg: "eventfreq",
            got: people.len(),
            expected_arg: "a multiple of the frequencies",
            expected: k,
        });
    }
    Ok(people
        .chunks_exact(k)
        .map(|row| {
            let (mut events, mut square) = (0.0, 0.0);
            for (&f, &x) in frequencies.iter().zip(row) {
                events += f * x;
                square += f * f * x;
            }
            if events == 0.0 {
                1.0
            } else {
                square / events
            }
        })
        .collect())
}

/// Widens intervals about their estimates by `sqrt(dispersion)` (one value, or one per row):
/// `estimate + sqrt(d) (bound - estimate)`, the lower bound kept at zero or more. Each bound is
/// replaced in place.
pub fn widen(
    estimate: &[f64],
    lower: &mut [f64],
    upper: &mut [f64],
    dispersion: &[f64],
) -> CoreResult<()> {
    let n = estimate.len();
    if lower.len() != n || upper.len() != n || !(dispersion.len() == 1 || dispersion.len() == n) {
        return Err(CoreError::Length {
            arg: "eventfreq",
            got: dispersion.len(),
            expected_arg: "count",
            expected: n,
        });
    }
    check::positive(
        "eventfreq",
        dispersion,
        " (the variance ratio of the events)",
    )?;
    for i in 0..n {
        let scale = dispersion[if dispersion.len() == 1 { 0 } else { i }].sqrt();
        lower[i] = (estimate[i] + scale * (lower[i] - estimate[i])).max(0.0);
        upper[i] = estimate[i] + scale * (upper[i] - estimate[i]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::close;

    /// PHEindicatormethods testdata_DSR_ISR.xlsx, sheet testdata_multiarea, area testdata_big
    /// (../shared/reference/dsr.csv).
    const COUNT: [f64; 19] = [
        127.0, 25.0, 18.0, 21.0, 12.0, 27.0, 48.0, 27.0, 29.0, 32.0, 32.0, 34.0, 45.0, 65.0, 38.0,
        68.0, 74.0, 82.0, 91.0,
    ];
    const POPULATION: [f64; 19] = [
        636.0, 558.0, 609.0, 543.0, 384.0, 594.0, 669.0, 843.0, 660.0, 576.0, 606.0, 522.0, 426.0,
        273.0, 300.0, 288.0, 153.0, 123.0, 207.0,
    ];
    const ESP2013: [f64; 19] = [
        5000.0, 5500.0, 5500.0, 5500.0, 6000.0, 6000.0, 6500.0, 7000.0, 7000.0, 7000.0, 7000.0,
        6500.0, 6000.0, 5500.0, 5000.0, 4000.0, 2500.0, 1500.0, 1000.0,
    ];

    fn rows(count: &[f64]) -> DsrRows<'_> {
        DsrRows {
            count,
            population: &POPULATION,
            standard: &ESP2013,
            frequency: None,
            band: None,
        }
    }

    #[test]
    fn dsr_matches_phe() {
        let groups = Groups::new(&[0; 19], 1, 19).unwrap();
        let d = dsr(&rows(&COUNT), groups, 100_000.0, &[0.95, 0.998], 1.0).unwrap();
        assert_eq!(d.count[0], 895.0);
        close(d.dsr[0], 10430.247991469423, 1e-12);
        close(d.lower[0][0], 9717.709067985681, 1e-12);
        close(d.upper[0][0], 11178.94091547925, 1e-12);
        close(d.lower[1][0], 9323.2878802199029, 1e-12);
        close(d.upper[1][0], 11620.595999522058, 1e-12);
        assert_eq!(d.suppressed[0], 0.0);
    }

    #[test]
    fn small_totals_are_suppressed_and_nan_propagates() {
        let mut tiny = [0.0; 19];
        tiny[0] = 9.0;
        let groups = Groups::new(&[0; 19], 1, 19).unwrap();
        let d = dsr(&rows(&tiny), groups, 100_000.0, &[0.95], 1.0).unwrap();
        assert_eq!(d.suppressed[0], 1.0);
        assert!(d.dsr[0].is_nan() && d.lower[0][0].is_nan());
        let mut missing = COUNT;
        missing[3] = f64::NAN;
        let d = dsr(&rows(&missing), groups, 100_000.0, &[0.95], 1.0).unwrap();
        assert!(d.suppressed[0].is_nan() && d.dsr[0].is_nan());
    }

    #[test]
    fn repeated_bands_must_agree() {
        let band: Vec<u32> = (0..19).chain(0..19).collect();
        let count: Vec<f64> = COUNT.iter().chain(&COUNT).copied().collect();
        let mut population: Vec<f64> = POPULATION.iter().chain(&POPULATION).copied().collect();
        let standard: Vec<f64> = ESP2013.iter().chain(&ESP2013).copied().collect();
        let frequency: Vec<f64> = [1.0; 19].iter().chain(&[2.0; 19]).copied().collect();
        let groups = Groups::new(&[0; 38], 1, 38).unwrap();
        let make = |population: &'_ [f64]| {
            dsr(
                &DsrRows {
                    count: &count,
                    population,
                    standard: &standard,
                    frequency: Some(&frequency),
                    band: Some((&band, 19)),
                },
                groups,
                1.0,
                &[0.95],
                1.0,
            )
        };
        let d = make(&population).unwrap();
        // Every person with one event and as many again with two: three times the events.
        assert_eq!(d.count[0], 3.0 * 895.0);
        assert_eq!(d.population[0], 8970.0);
        population[20] = 1.0;
        assert!(matches!(
            make(&population).unwrap_err(),
            CoreError::Differs {
                index: 20,
                first_index: 1,
                ..
            }
        ));
    }

    #[test]
    fn dispersion_of_a_distribution() {
        let d = event_dispersion(&[1.0, 2.0, 3.0], &[10.0, 5.0, 0.0, 0.0, 0.0, 0.0]).unwrap();
        close(d[0], (10.0 + 20.0) / (10.0 + 10.0), 1e-15);
        assert_eq!(d[1], 1.0);
        assert!(event_dispersion(&[1.0, 0.0], &[1.0, 1.0]).is_err());
        assert!(event_dispersion(&[1.0, 2.0], &[1.0, 1.0, 1.0]).is_err());
        let (mut lower, mut upper) = ([8.0], [13.0]);
        widen(&[10.0], &mut lower, &mut upper, &[4.0]).unwrap();
        assert_eq!((lower[0], upper[0]), (6.0, 16.0));
    }

    #[test]
    fn isr_matches_phe() {
        // testresults_ISR rows 7 and 9 (ratio x 1): testdata_big and testdata_tiny.
        let refcount = [
            10303.0, 2824.0, 0.0, 3615.0, 3641.0, 3490.0, 3789.0, 3213.0, 3031.0, 2771.0, 3089.0,
            3490.0, 3595.0, 4745.0, 5514.0, 7125.0, 5694.0, 6210.0, 5757.0,
        ];
        let refpop = [
            50520.0, 57173.0, 60213.0, 54659.0, 44345.0, 50128.0, 62163.0, 67423.0, 62899.0,
            55463.0, 60479.0, 49974.0, 44140.0, 40888.0, 37239.0, 30819.0, 18136.0, 15325.0,
            13918.0,
        ];
        let mut tiny = [0.0; 19];
        tiny[6] = 1.0;
        tiny[12] = 1.0;
        tiny[15] = 1.0;
        tiny[16] = 1.0;
        tiny[17] = 2.0;
        tiny[18] = 3.0;
        let count: Vec<f64> = COUNT.iter().chain(&tiny).copied().collect();
        let pop: Vec<f64> = POPULATION.iter().chain(&POPULATION).copied().collect();
        let rc: Vec<f64> = refcount.iter().chain(&refcount).copied().collect();
        let rp: Vec<f64> = refpop.iter().chain(&refpop).copied().collect();
        let code: Vec<u32> = [0; 19].iter().chain(&[1; 19]).copied().collect();
        let groups = Groups::new(&code, 2, 38).unwrap();
        let r = isr(&count, &pop, &rc, &rp, groups, &[0.95, 0.998]).unwrap();
        close(r.expected[0], 835.88356123117433, 1e-12);
        close(r.ratio[0], 1.0707232939020275, 1e-12);
        close(r.lower[0][0], 1.0017147712553987, 1e-12);
        close(r.upper[0][0], 1.1432332872498949, 1e-12);
        close(r.lower[1][0], 0.96351556196144372, 1e-12);
        close(r.upper[1][0], 1.1860070415876287, 1e-12);
        assert_eq!(r.observed[1], 9.0);
        close(r.lower[0][1], 0.0049233808250957762, 1e-12);
        close(r.upper[0][1], 0.02043921455549973, 1e-12);
        close(r.lower[1][1], 0.0029339306550682617, 1e-12);
        close(r.upper[1][1], 0.027105896514690211, 1e-12);
        close(r.reference_rate[0] * 100_000.0, 9349.8830922110192, 1e-12);
    }
}
