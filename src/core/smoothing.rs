//! Empirical Bayes smoothing of small-area rates (Marshall 1991), as R `spdep`: each raw rate
//! is pulled towards a mean rate by as much as its own noise exceeds the spread between areas.
//!
//! * Global ([`smooth_global`], `spdep::EBest`): the mean `b = sum count / sum population`, the
//!   between-area variance `a = s^2 - b / mean population` (0 if negative), `s^2` the
//!   population-weighted variance of the raw rates; the smoothed rate is `b + C (raw - b)` with
//!   `C = a / (a + b / population)`.
//! * Local ([`smooth_local`], `spdep::EBlocal`, its default `geoda = FALSE`): the same over each
//!   area and its neighbours, `m_i` and `a_i` from the sums over the neighbourhood (the
//!   variance term summing each member's squared deviation from its own local mean, as `spdep`).
//!
//! `shrinkage` is `1 - C`, the weight the smoothed rate gives the mean: 0 keeps the raw rate,
//! 1 replaces it by the mean. Rates are per head; a NaN count or population gives NaN for that
//! area, which is left out of every other area's sums. Where the mean and the variance are
//! both 0 (no events anywhere near) the smoothed rate is the mean, 0, with shrinkage 1 (R
//! gives NaN there).
use super::check;
use super::error::{CoreError, CoreResult};

/// Raw and smoothed rates per head, with each area's shrinkage.
#[derive(Debug, Clone, PartialEq)]
pub struct Smoothed {
    pub raw: Vec<f64>,
    pub smoothed: Vec<f64>,
    pub shrinkage: Vec<f64>,
}

fn check_inputs(count: &[f64], population: &[f64]) -> CoreResult<()> {
    check::same_length("population", population, "count", count)?;
    check::counts("count", count, None)?;
    check::positive(
        "population",
        population,
        " (a rate per head of no population is undefined; give NaN for such an area)",
    )
}

/// The estimate and shrinkage from a mean `m`, a between-area variance `a` and an area's raw
/// rate and population.
fn shrink(raw: f64, population: f64, m: f64, a: f64) -> (f64, f64) {
    let noise = m / population;
    let shrinkage = if a + noise == 0.0 {
        1.0
    } else {
        noise / (a + noise)
    };
    (m + (1.0 - shrinkage) * (raw - m), shrinkage)
}

/// Marshall's global empirical Bayes estimates.
pub fn smooth_global(count: &[f64], population: &[f64]) -> CoreResult<Smoothed> {
    check_inputs(count, population)?;
    let present = |i: usize| !(count[i].is_nan() || population[i].is_nan());
    let rows: Vec<usize> = (0..count.len()).filter(|&i| present(i)).collect();
    let raw: Vec<f64> = count.iter().zip(population).map(|(c, p)| c / p).collect();
    let total_count: f64 = rows.iter().map(|&i| count[i]).sum();
    let total_population: f64 = rows.iter().map(|&i| population[i]).sum();
    let b = total_count / total_population;
    let s2 = rows
        .iter()
        .map(|&i| population[i] * (raw[i] - b).powi(2))
        .sum::<f64>()
        / total_population;
    #[allow(clippy::cast_precision_loss)]
    let mean_population = total_population / rows.len() as f64;
    let a = (s2 - b / mean_population).max(0.0);
    let mut out = Smoothed {
        smoothed: vec![f64::NAN; count.len()],
        shrinkage: vec![f64::NAN; count.len()],
        raw,
    };
    for &i in &rows {
        (out.smoothed[i], out.shrinkage[i]) = shrink(out.raw[i], population[i], b, a);
    }
    Ok(out)
}

/// A neighbour list in compressed form: the neighbours of area `i` are
/// `indices[offsets[i]..offsets[i + 1]]` (0-based; an area listed as its own neighbour is
/// taken once, as every area is in its own neighbourhood).
#[derive(Debug, Clone, Copy)]
pub struct Neighbours<'a> {
    pub offsets: &'a [usize],
    pub indices: &'a [u32],
}

impl Neighbours<'_> {
    /// Checks the shape for `n` areas: `n + 1` rising offsets, indices below `n`, no area
    /// listed twice among one area's neighbours.
    fn check(&self, n: usize) -> CoreResult<()> {
        let bad_offsets = self.offsets.len() != n + 1
            || self.offsets.first() != Some(&0)
            || self.offsets.last() != Some(&self.indices.len())
            || self.offsets.windows(2).any(|w| w[0] > w[1]);
        if bad_offsets {
            return Err(CoreError::Length {
                arg: "neighbours",
                got: self.offsets.len().saturating_sub(1),
                expected_arg: "count",
                expected: n,
            });
        }
        let mut seen = vec![usize::MAX; n];
        for i in 0..n {
            for &j in &self.indices[self.offsets[i]..self.offsets[i + 1]] {
                let j = j as usize;
                if j >= n {
                    return Err(CoreError::OutOfRange {
                        arg: "neighbours",
                        index: i,
                        value: j as f64,
                        range: "the positions of the areas",
                    });
                }
                if seen[j] == i {
                    return Err(CoreError::Design(format!(
                        "neighbours: area {i} lists area {j} twice; give each neighbour once"
                    )));
                }
                seen[j] = i;
            }
        }
        Ok(())
    }

    /// Area `i` and its neighbours, `i` first and once.
    fn of(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::once(i).chain(
            self.indices[self.offsets[i]..self.offsets[i + 1]]
                .iter()
                .map(|&j| j as usize)
                .filter(move |&j| j != i),
        )
    }
}

/// Marshall's local empirical Bayes estimates over each area's neighbourhood.
pub fn smooth_local(
    count: &[f64],
    population: &[f64],
    neighbours: Neighbours<'_>,
) -> CoreResult<Smoothed> {
    check_inputs(count, population)?;
    let n = count.len();
    neighbours.check(n)?;
    let present = |i: usize| !(count[i].is_nan() || population[i].is_nan());
    let raw: Vec<f64> = count.iter().zip(population).map(|(c, p)| c / p).collect();
    // Local means m_i and the neighbourhood's total and average population.
    let mut local_mean = vec![f64::NAN; n];
    let mut local_population = vec![f64::NAN; n];
    let mut average_population = vec![f64::NAN; n];
    for i in (0..n).filter(|&i| present(i)) {
        let (mut events, mut people, mut members) = (0.0, 0.0, 0.0);
        for j in neighbours.of(i).filter(|&j| present(j)) {
            events += count[j];
            people += population[j];
            members += 1.0;
        }
        local_mean[i] = events / people;
        local_population[i] = people;
        average_population[i] = people / members;
    }
    let mut out = Smoothed {
        smoothed: vec![f64::NAN; n],
        shrinkage: vec![f64::NAN; n],
        raw,
    };
    for i in (0..n).filter(|&i| present(i)) {
        let spread: f64 = neighbours
            .of(i)
            .filter(|&j| present(j))
            .map(|j| population[j] * (out.raw[j] - local_mean[j]).powi(2))
            .sum();
        let m = local_mean[i];
        let a = (spread / local_population[i] - m / average_population[i]).max(0.0);
        (out.smoothed[i], out.shrinkage[i]) = shrink(out.raw[i], population[i], m, a);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::close;

    #[test]
    fn global_by_hand() {
        let count = [2.0, 10.0, 40.0];
        let population = [100.0, 1000.0, 2000.0];
        let s = smooth_global(&count, &population).unwrap();
        let b: f64 = 52.0 / 3100.0;
        let s2 = (100.0 * (0.02 - b).powi(2)
            + 1000.0 * (0.01 - b).powi(2)
            + 2000.0 * (0.02 - b).powi(2))
            / 3100.0;
        let a = (s2 - b / (3100.0 / 3.0)).max(0.0);
        for (i, people) in population.iter().enumerate() {
            let c = a / (a + b / people);
            close(s.smoothed[i], b + c * (s.raw[i] - b), 1e-14);
            close(s.shrinkage[i], 1.0 - c, 1e-14);
        }
    }

    #[test]
    fn nothing_to_smooth_and_bad_neighbours() {
        let s = smooth_global(&[0.0, 0.0], &[10.0, 20.0]).unwrap();
        assert_eq!((s.smoothed[0], s.shrinkage[0]), (0.0, 1.0));
        let count = [1.0, 2.0, f64::NAN];
        let population = [10.0, 20.0, 30.0];
        let ring = Neighbours {
            offsets: &[0, 2, 4, 6],
            indices: &[1, 2, 0, 2, 0, 1],
        };
        let s = smooth_local(&count, &population, ring).unwrap();
        assert!(s.smoothed[2].is_nan());
        // Areas 0 and 1 see each other only: the local mean is 3 / 30.
        assert!((s.smoothed[0] - 0.1).abs() <= (s.raw[0] - 0.1).abs());
        let twice = Neighbours {
            offsets: &[0, 2, 2, 2],
            indices: &[1, 1],
        };
        assert!(smooth_local(&count, &population, twice).is_err());
        let outside = Neighbours {
            offsets: &[0, 1, 1, 1],
            indices: &[7],
        };
        assert!(smooth_local(&count, &population, outside).is_err());
    }
}
