//! Design-based estimation from survey microdata: domain means, shares and totals with Taylor-
//! linearised standard errors, as R `survey` (Lumley 2004, 2010) computes them.
//!
//! One pass over the rows accumulates, per domain and last-stage sampling unit, the weighted sums
//! a ratio estimator needs ([`SurveyPartials`]); partials of disjoint row ranges merge exactly, so
//! the pass runs over row chunks in parallel and a caller may reduce partitions separately, even
//! when a PSU spans several of them. [`SurveyPartials::estimate`] then gives, per domain:
//!
//! - the estimate: a mean (share) `sum(w y) / sum(w)` over the domain's rows, or a total `sum(w y)`;
//! - its variance by R's `svyrecvar`: PSU totals of the influence values, centred within strata,
//!   with replacement across PSUs, the finite population correction `(N - n) / N` when `fpc` is
//!   given, and for multistage designs R's `multistage` recursion, in which each later stage adds
//!   its within-unit variance times the sampling fraction `n / N` of the stage above;
//! - the design effect as R's `deff = TRUE` (SRS variance without replacement from the domain's
//!   weighted variance, `n` the rows with a positive weight, `N` the sum of their weights);
//! - the design degrees of freedom as R's `degf` on the domain: PSUs minus strata among the
//!   domain's rows with a positive weight.
//!
//! Domains keep the full design, as R `svyby` does: a row outside the domain contributes zero but
//! its PSU still counts in its stratum. Rows with a missing (NaN) weight or y are treated the same
//! way, as R's `na.rm = TRUE`. Single-PSU strata follow R's `survey.lonely.psu` ([`LonelyPsu`]).
//!
//! Keys arrive as integer codes (`u32`, made by the caller with e.g. pandas `factorize`):
//! [`NO_CODE`] marks a row outside every domain or a missing level of a categorical y.
use super::error::{CoreError, CoreResult};
use std::collections::HashMap;
use std::str::FromStr;

mod encode;
mod intervals;
mod partials;
mod published;
mod replicate;
mod rows;
mod text;
mod variance;

pub use intervals::{
    chi2_sf, f_sf, share_interval, share_intervals, t_intervals, t_tests, ShareInterval,
};
pub use published::{gross_up, gross_ups, share_changes, share_cis, ShareChanges, ShareCis};
pub use replicate::replicate_sums;
pub use text::{factorize_keys, factorize_text, KeyColumn, Keys, Offsets};

/// The code for "no domain" (a row outside every domain) and "missing" (a categorical y).
pub const NO_CODE: u32 = u32::MAX;

/// What to do with a stratum that has a single PSU, as R's `options(survey.lonely.psu = )`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LonelyPsu {
    /// An error naming the stratum (R's default).
    Fail,
    /// The stratum contributes no variance.
    Remove,
    /// The stratum contributes no variance (a certainty PSU); identical to `Remove` in R.
    Certainty,
    /// The lonely PSU is centred at zero, the grand mean of the influence values, not at its
    /// stratum mean.
    Adjust,
    /// The stratum's contribution is the average over the other strata: the sum over strata with
    /// two or more PSUs is scaled by (number of strata) / (number of such strata).
    Average,
}

impl LonelyPsu {
    const KNOWN: &'static str = "'fail', 'remove', 'certainty', 'adjust', 'average'";
}

impl FromStr for LonelyPsu {
    type Err = CoreError;
    fn from_str(name: &str) -> CoreResult<Self> {
        Ok(match name {
            "fail" => Self::Fail,
            "remove" => Self::Remove,
            "certainty" => Self::Certainty,
            "adjust" => Self::Adjust,
            "average" => Self::Average,
            _ => {
                return Err(CoreError::Unknown {
                    arg: "lonely_psu",
                    given: name.to_owned(),
                    known: Self::KNOWN,
                })
            }
        })
    }
}

/// The statistic estimated per domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Estimator {
    /// The ratio `sum(w y) / sum(w)` over the domain (R `svymean` on the domain): a mean, or for
    /// a 0/1 or categorical y a share.
    Mean,
    /// The total `sum(w y)` over the domain (R `svytotal`).
    Total,
}

/// One stage of sampling: the unit of each row and, optionally, the stage's fpc.
#[derive(Debug, Clone, Copy)]
pub struct Stage<'a> {
    /// The unit of each row, coded `0..n_units`. Stage-k codes identify the unit together with
    /// its ancestors (R's `interaction` of the id columns of stages 1..k).
    pub unit: &'a [u32],
    /// The number of unit codes.
    pub n_units: usize,
    /// Per row, the stage's population count (> 1) or sampling fraction (<= 1), constant within
    /// a stratum (stage 1) or within the unit of the stage above.
    pub fpc: Option<&'a [f64]>,
}

/// The sampling design of the rows.
#[derive(Debug, Clone)]
pub struct Design<'a> {
    /// The sampling weight of each row; NaN marks a row left out of every estimate.
    pub weight: &'a [f64],
    /// The stratum of each row, coded `0..n_strata`; `None` for an unstratified design.
    pub strata: Option<&'a [u32]>,
    /// The number of stratum codes (1 when unstratified).
    pub n_strata: usize,
    /// The stages, first the PSU. An unclustered design has one stage whose unit is the row.
    pub stages: Vec<Stage<'a>>,
}

/// The variable estimated.
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    /// A numeric y (a 0/1 flag for a share); NaN is missing.
    Numeric(&'a [f64]),
    /// A categorical y coded `0..n_levels`, [`NO_CODE`] missing: one estimate per level.
    Levels { code: &'a [u32], n_levels: usize },
    /// `n_columns` influence values per row (row-major), already weighted: each row adds its
    /// values to its cell as they are, not times its weight; NaN in any column leaves the row out.
    /// [`SurveyPartials::covariance`] then gives their totals' covariance.
    Influence { values: &'a [f64], n_columns: usize },
}

impl Outcome<'_> {
    fn len(&self) -> usize {
        match self {
            Outcome::Numeric(y) => y.len(),
            Outcome::Levels { code, .. } => code.len(),
            Outcome::Influence { values, n_columns } => values.len() / (*n_columns).max(1),
        }
    }
    fn n_columns(&self) -> usize {
        match self {
            Outcome::Numeric(_) => 1,
            Outcome::Levels { n_levels, .. } => *n_levels,
            Outcome::Influence { n_columns, .. } => *n_columns,
        }
    }
}

/// The domain of each row, coded `0..n_domains`, [`NO_CODE`] outside every domain; `code = None`
/// makes the whole sample one domain.
#[derive(Debug, Clone, Copy)]
pub struct Domains<'a> {
    pub code: Option<&'a [u32]>,
    pub n_domains: usize,
}

/// The dimensions of a set of partials; partials merge only with partials of the same shape.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shape {
    n_strata: usize,
    n_units: Vec<usize>,
    has_fpc: Vec<bool>,
    n_domains: usize,
    n_columns: usize,
    numeric: bool,
}

impl Shape {
    fn last_units(&self) -> usize {
        self.n_units.last().copied().unwrap_or(0)
    }
    /// Values per cell: rows, rows with a positive weight, sum of w, then sum of w y per column.
    fn width(&self) -> usize {
        3 + self.n_columns
    }
}

const ROWS: usize = 0;
const POSITIVE: usize = 1;
const SUM_W: usize = 2;
const SUM_WY: usize = 3;

/// The table of (domain, last-stage unit) cells, each keyed `domain * n_units + unit`.
#[derive(Debug, Clone)]
enum Cells {
    /// A direct index of every cell: `slot[unit * n_domains + domain]` is one more than the
    /// cell's place in `keys` and `values` (0: not seen). The cells that occur are kept in the
    /// order first seen, so a pass touches only as much memory as it has cells, not a table of
    /// every domain times every unit (most domains lie in few PSUs), and the slots of one unit's
    /// domains lie together (a PSU's rows are usually together).
    Indexed {
        slot: Vec<u32>,
        n_domains: usize,
        keys: Vec<u32>,
        values: Vec<f64>,
    },
    /// Too many possible keys for an index: key to the slot's offset in `values`, in a hash map.
    Sparse {
        slot: HashMap<u64, usize>,
        values: Vec<f64>,
    },
}

impl Cells {
    /// The values of the cell of (`domain`, `unit`) among `units` units (`width` of them), made
    /// (zeros) when not seen yet.
    // Called for every row of the pass: inlined, the rare hash-map case kept out of line.
    #[allow(clippy::inline_always)]
    #[inline(always)]
    fn cell(&mut self, domain: u32, unit: u32, units: u64, width: usize) -> &mut [f64] {
        match self {
            Cells::Indexed {
                slot,
                n_domains,
                keys,
                values,
            } => {
                let s = &mut slot[unit as usize * *n_domains + domain as usize];
                if *s == 0 {
                    keys.push((u64::from(domain) * units + u64::from(unit)) as u32);
                    values.resize(values.len() + width, 0.0);
                    *s = keys.len() as u32;
                }
                let at = (*s as usize - 1) * width;
                &mut values[at..at + width]
            }
            Cells::Sparse { slot, values } => Self::sparse_cell(
                slot,
                values,
                u64::from(domain) * units + u64::from(unit),
                width,
            ),
        }
    }

    /// [`cell`](Self::cell) by the cell's key.
    fn cell_of_key(&mut self, key: u64, units: u64, width: usize) -> &mut [f64] {
        self.cell((key / units) as u32, (key % units) as u32, units, width)
    }

    #[inline(never)]
    fn sparse_cell<'a>(
        slot: &mut HashMap<u64, usize>,
        values: &'a mut Vec<f64>,
        key: u64,
        width: usize,
    ) -> &'a mut [f64] {
        let at = *slot.entry(key).or_insert_with(|| {
            values.resize(values.len() + width, 0.0);
            values.len() - width
        });
        &mut values[at..at + width]
    }

    /// The cells that occur, as (key, offset of the values), in no particular order.
    fn present(&self, width: usize) -> Vec<(u64, usize)> {
        match self {
            Cells::Indexed { keys, .. } => keys
                .iter()
                .enumerate()
                .map(|(j, &k)| (u64::from(k), j * width))
                .collect(),
            Cells::Sparse { slot, .. } => slot.iter().map(|(&k, &at)| (k, at)).collect(),
        }
    }

    fn values(&self) -> &[f64] {
        match self {
            Cells::Indexed { values, .. } | Cells::Sparse { values, .. } => values,
        }
    }
}

/// A weighted mean and sum of squared deviations (West 1979), mergeable by Chan et al. (1979).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Moments {
    weight: f64,
    mean: f64,
    m2: f64,
}

/// The weighted moments of one pass over rows, by the shifted-data sums `sum w`, `sum w d` and
/// `sum w d^2` with `d = y - shift` and the shift the first value seen, each summed with
/// Neumaier's compensation: no division per row (West's update divides by the running weight,
/// a chain of divisions through the pass), and closer to the exact moments than West's update
/// (R's `svyvar`, two passes accumulated in long double, agrees to a few 1e-16).
#[derive(Debug, Clone, Copy, Default)]
struct ShiftedSums {
    shift: Option<f64>,
    weight: Compensated,
    s1: Compensated,
    s2: Compensated,
}

/// A sum with Neumaier's running compensation.
#[derive(Debug, Clone, Copy, Default)]
struct Compensated {
    sum: f64,
    error: f64,
}

impl Compensated {
    #[inline]
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        self.error += if self.sum.abs() >= x.abs() {
            (self.sum - t) + x
        } else {
            (x - t) + self.sum
        };
        self.sum = t;
    }
    fn value(self) -> f64 {
        self.sum + self.error
    }
}

impl ShiftedSums {
    #[inline]
    fn push(&mut self, w: f64, y: f64) {
        if w > 0.0 {
            let shift = *self.shift.get_or_insert(y);
            self.weight.add(w);
            // A row at the shift adds zero to both sums, which leaves a compensated sum as it
            // is: skipped (for a 0/1 y, all the rows of the more common value).
            if y != shift {
                let d = y - shift;
                self.s1.add(w * d);
                self.s2.add(w * d * d);
            }
        }
    }
    fn moments(&self) -> Moments {
        match self.shift {
            None => Moments::default(),
            Some(shift) => {
                let (weight, s1, s2) = (self.weight.value(), self.s1.value(), self.s2.value());
                Moments {
                    weight,
                    mean: shift + s1 / weight,
                    m2: (s2 - s1 * s1 / weight).max(0.0),
                }
            }
        }
    }
}

impl Moments {
    fn merge(&mut self, other: &Moments) {
        let weight = self.weight + other.weight;
        if other.weight == 0.0 {
            return;
        }
        if self.weight == 0.0 {
            *self = *other;
            return;
        }
        let delta = other.mean - self.mean;
        self.mean += delta * other.weight / weight;
        self.m2 += other.m2 + delta * delta * self.weight * other.weight / weight;
        self.weight = weight;
    }
}

/// The weighted sums of a set of survey rows that every estimate needs: per (domain, last-stage
/// unit) cell the row counts, `sum(w)` and `sum(w y)`; per unit its stratum (or parent unit) and
/// fpc; per domain the weighted moments of a numeric y (for the design effect).
///
/// Partials of disjoint sets of rows [`merge`](Self::merge) into the partials of their union, so
/// a reduction may run per partition (rows of one PSU may sit in several partitions) as long as
/// every partition codes strata, units and domains the same way.
#[derive(Debug, Clone)]
pub struct SurveyPartials {
    shape: Shape,
    /// Per stage k, the group of each stage-k unit: its stratum at stage 1, its unit at the stage
    /// above after; [`NO_CODE`] for a unit not seen.
    parent: Vec<Vec<u32>>,
    /// Per stage with an fpc, the fpc of each group (NaN until seen).
    fpc: Vec<Vec<f64>>,
    /// The first row of each stratum, and of each unit per stage, for messages.
    first_row_stratum: Vec<u64>,
    first_row_unit: Vec<Vec<u64>>,
    cells: Cells,
    moments: Vec<Moments>,
}

/// Estimates per domain, with the domain's columns (levels of a categorical y) domain-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimates {
    /// Columns per domain (1, or the number of levels of a categorical y).
    pub n_columns: usize,
    /// The mean (share) or total, per domain and column.
    pub estimate: Vec<f64>,
    /// Its linearised standard error.
    pub se: Vec<f64>,
    /// Its design effect, R `deff = TRUE`.
    pub deff: Vec<f64>,
    /// Per domain: rows with a valid y and weight.
    pub n: Vec<f64>,
    /// Per domain: the sum of their weights.
    pub weighted_n: Vec<f64>,
    /// Per domain: the design degrees of freedom (PSUs minus strata, R `degf`).
    pub df: Vec<f64>,
}

/// Per domain, the totals of influence columns and their covariance matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Covariances {
    /// Influence columns per domain.
    pub n_columns: usize,
    /// The column totals, domain-major.
    pub total: Vec<f64>,
    /// Per domain the `n_columns x n_columns` covariance matrix, row-major.
    pub covariance: Vec<f64>,
    /// Per domain: the design degrees of freedom (PSUs minus strata, R `degf`).
    pub df: Vec<f64>,
}

fn code_error(arg: &'static str, index: usize, value: u32, range: &'static str) -> CoreError {
    CoreError::OutOfRange {
        arg,
        index,
        value: f64::from(value),
        range,
    }
}

#[cfg(test)]
mod tests;
