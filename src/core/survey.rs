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
use super::binomial::{
    exact_interval, proportion_interval, wald_interval, wilson_interval, ProportionMethod,
};
use super::check;
use super::error::{half_alpha, CoreError, CoreResult};
use super::parallel::map_rows;
use super::special::{norm_ppf, norm_sf, t_ppf};
use rayon::prelude::*;
use std::collections::HashMap;
use std::str::FromStr;

/// The code for "no domain" (a row outside every domain) and "missing" (a categorical y).
pub const NO_CODE: u32 = u32::MAX;

/// Below this many rows the pass runs on one thread. Each chunk accumulates into its own table of
/// cells (domains x PSUs), so a chunk must have many more rows than a typical table has cells
/// (a few hundred thousand) for the threads to pay for the extra tables and their merge.
const PARALLEL_ROWS: usize = 200_000;

/// At most this many values (cells of (domain, last-stage unit) times values per cell, 32 MiB) are
/// held in a dense table; beyond it (an unclustered design with many domains, say) only the cells
/// that occur are kept, in a hash map.
const DENSE_VALUES: usize = 1 << 22;

/// A sampling fraction this close to 1 makes a stratum a certainty stratum: R's `onestrat` treats
/// `(N - n) / N < 1e-7` as zero variance before any lonely-PSU rule.
const CERTAINTY: f64 = 1e-7;

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

/// The interval around a survey share, as R `svyciprop(method = )` with the design df.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareInterval {
    /// The Wald interval on the logit scale (R `logit`, from `svyglm(family = quasibinomial)`).
    Logit,
    /// Korn & Graubard (1998): Clopper-Pearson on the effective sample size (R `beta`).
    Beta,
    /// The delta-method interval on the logit scale (R `xlogit`; the same as `Logit`).
    XLogit,
    /// Wilson's score interval on the effective sample size of `Beta` (Dean & Pagano 2015), with
    /// the t quantile of the design df in place of the normal one (svy's `wilson`).
    Wilson,
    /// The Wald interval `p +/- t se` (R `mean`), clipped to [0, 1].
    Mean,
}

impl ShareInterval {
    const KNOWN: &'static str = "'logit', 'beta', 'xlogit', 'wilson', 'mean'";
}

impl FromStr for ShareInterval {
    type Err = CoreError;
    fn from_str(name: &str) -> CoreResult<Self> {
        Ok(match name {
            "logit" => Self::Logit,
            "beta" => Self::Beta,
            "xlogit" => Self::XLogit,
            "wilson" => Self::Wilson,
            "mean" => Self::Mean,
            _ => {
                return Err(CoreError::Unknown {
                    arg: "ci",
                    given: name.to_owned(),
                    known: Self::KNOWN,
                })
            }
        })
    }
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
}

impl Outcome<'_> {
    fn len(&self) -> usize {
        match self {
            Outcome::Numeric(y) => y.len(),
            Outcome::Levels { code, .. } => code.len(),
        }
    }
    fn n_columns(&self) -> usize {
        match self {
            Outcome::Numeric(_) => 1,
            Outcome::Levels { n_levels, .. } => *n_levels,
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

/// The table of (domain, last-stage unit) cells.
#[derive(Debug, Clone)]
enum Cells {
    /// Every cell, at `(domain * n_units + unit) * width`.
    Dense(Vec<f64>),
    /// The cells that occur: key `domain * n_units + unit` to the slot's offset in `values`.
    Sparse {
        slot: HashMap<u64, usize>,
        values: Vec<f64>,
    },
}

/// A weighted mean and sum of squared deviations (West 1979), mergeable by Chan et al. (1979).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Moments {
    weight: f64,
    mean: f64,
    m2: f64,
}

impl Moments {
    fn push(&mut self, w: f64, y: f64) {
        if w > 0.0 {
            self.weight += w;
            let delta = y - self.mean;
            self.mean += delta * w / self.weight;
            self.m2 += w * delta * (y - self.mean);
        }
    }
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

fn code_error(arg: &'static str, index: usize, value: u32, range: &'static str) -> CoreError {
    CoreError::OutOfRange {
        arg,
        index,
        value: f64::from(value),
        range,
    }
}

impl SurveyPartials {
    fn empty(shape: Shape) -> Self {
        let cells_len = shape.n_domains * shape.last_units();
        let cells = if cells_len.saturating_mul(shape.width()) <= DENSE_VALUES {
            Cells::Dense(vec![0.0; cells_len * shape.width()])
        } else {
            Cells::Sparse {
                slot: HashMap::new(),
                values: Vec::new(),
            }
        };
        let groups = |k: usize| {
            if k == 0 {
                shape.n_strata
            } else {
                shape.n_units[k - 1]
            }
        };
        SurveyPartials {
            parent: shape.n_units.iter().map(|&n| vec![NO_CODE; n]).collect(),
            fpc: (0..shape.n_units.len())
                .map(|k| {
                    if shape.has_fpc[k] {
                        vec![f64::NAN; groups(k)]
                    } else {
                        Vec::new()
                    }
                })
                .collect(),
            first_row_stratum: vec![u64::MAX; shape.n_strata],
            first_row_unit: shape.n_units.iter().map(|&n| vec![u64::MAX; n]).collect(),
            moments: vec![Moments::default(); if shape.numeric { shape.n_domains } else { 0 }],
            cells,
            shape,
        }
    }

    /// Accumulates the rows of `design`, `outcome` and `domains` (equal lengths); `row_offset` is
    /// the position of the first row in the whole data, so that messages name the right row.
    ///
    /// Above a few hundred thousand rows the pass runs over row chunks on rayon's pool and merges
    /// the chunks' partials.
    pub fn from_rows(
        design: &Design<'_>,
        outcome: Outcome<'_>,
        domains: Domains<'_>,
        row_offset: u64,
    ) -> CoreResult<Self> {
        let shape = check_shape(design, outcome, domains)?;
        let n = design.weight.len();
        let chunks = if n >= PARALLEL_ROWS {
            rayon::current_num_threads().clamp(1, n / (PARALLEL_ROWS / 2))
        } else {
            1
        };
        if chunks <= 1 {
            let mut partials = Self::empty(shape);
            partials.accumulate(design, outcome, domains, 0..n, row_offset)?;
            return Ok(partials);
        }
        let step = n.div_ceil(chunks);
        let parts: Vec<CoreResult<Self>> = (0..chunks)
            .into_par_iter()
            .map(|c| {
                let mut partials = Self::empty(shape.clone());
                let rows = c * step..((c + 1) * step).min(n);
                partials.accumulate(design, outcome, domains, rows, row_offset)?;
                Ok(partials)
            })
            .collect();
        let mut merged: Option<Self> = None;
        for part in parts {
            let part = part?;
            merged = Some(match merged {
                None => part,
                Some(m) => m.merge(part)?,
            });
        }
        merged.ok_or_else(|| CoreError::Design("no rows".to_owned()))
    }

    /// The serial pass over `rows`.
    fn accumulate(
        &mut self,
        design: &Design<'_>,
        outcome: Outcome<'_>,
        domains: Domains<'_>,
        rows: std::ops::Range<usize>,
        row_offset: u64,
    ) -> CoreResult<()> {
        let last_units = self.shape.last_units() as u64;
        let width = self.shape.width();
        for i in rows {
            let global = row_offset + i as u64;
            let index = global as usize;
            let stratum = match design.strata {
                Some(s) => s[i],
                None => 0,
            };
            if stratum as usize >= self.shape.n_strata {
                return Err(code_error("strata", index, stratum, "the stratum codes"));
            }
            if self.first_row_stratum[stratum as usize] == u64::MAX {
                self.first_row_stratum[stratum as usize] = global;
            }
            let mut group = stratum;
            for (k, stage) in design.stages.iter().enumerate() {
                let unit = stage.unit[i];
                if unit as usize >= self.shape.n_units[k] {
                    return Err(code_error("psu", index, unit, "the unit codes"));
                }
                let parent = &mut self.parent[k][unit as usize];
                if *parent == NO_CODE {
                    *parent = group;
                    self.first_row_unit[k][unit as usize] = global;
                } else if *parent != group {
                    return Err(nesting_error(
                        k,
                        self.first_row_unit[k][unit as usize],
                        global,
                    ));
                }
                if let Some(fpc) = stage.fpc {
                    let value = fpc[i];
                    if !(value.is_finite() && value > 0.0) {
                        return Err(CoreError::Design(format!(
                            "fpc: row {global} has {value} at stage {}; an fpc must be a \
                             population count or a sampling fraction greater than zero",
                            k + 1
                        )));
                    }
                    let seen = &mut self.fpc[k][group as usize];
                    if seen.is_nan() {
                        *seen = value;
                    } else if *seen != value {
                        return Err(fpc_varies_error(k, global, value, *seen));
                    }
                }
                group = unit;
            }
            let weight = design.weight[i];
            if weight.is_nan() {
                continue;
            }
            if weight.is_infinite() {
                return Err(CoreError::Infinite {
                    arg: "weight",
                    index,
                });
            }
            if weight < 0.0 {
                return Err(CoreError::Negative {
                    arg: "weight",
                    index,
                    value: weight,
                });
            }
            let domain = match domains.code {
                Some(d) => d[i],
                None => 0,
            };
            if domain == NO_CODE {
                continue;
            }
            if domain as usize >= self.shape.n_domains {
                return Err(code_error("by", index, domain, "the domain codes"));
            }
            // The outcome: a value for the one numeric column, or the column of the level.
            let (column, value) = match outcome {
                Outcome::Numeric(y) => {
                    let value = y[i];
                    if value.is_nan() {
                        continue;
                    }
                    if value.is_infinite() {
                        return Err(CoreError::Infinite { arg: "y", index });
                    }
                    (0, value)
                }
                Outcome::Levels { code, n_levels } => {
                    let level = code[i];
                    if level == NO_CODE {
                        continue;
                    }
                    if level as usize >= n_levels {
                        return Err(code_error("y", index, level, "the level codes"));
                    }
                    (level as usize, 1.0)
                }
            };
            if self.shape.numeric {
                self.moments[domain as usize].push(weight, value);
            }
            let key = u64::from(domain) * last_units + u64::from(group);
            let cell = match &mut self.cells {
                Cells::Dense(values) => {
                    let at = key as usize * width;
                    &mut values[at..at + width]
                }
                Cells::Sparse { slot, values } => {
                    let at = *slot.entry(key).or_insert_with(|| {
                        values.resize(values.len() + width, 0.0);
                        values.len() - width
                    });
                    &mut values[at..at + width]
                }
            };
            cell[ROWS] += 1.0;
            if weight > 0.0 {
                cell[POSITIVE] += 1.0;
            }
            cell[SUM_W] += weight;
            cell[SUM_WY + column] += weight * value;
        }
        Ok(())
    }

    /// The partials of the union of the rows of `self` and `other` (disjoint sets of rows, coded
    /// alike). Fails if the two disagree on the design: a unit in two strata, an fpc that varies.
    pub fn merge(mut self, other: SurveyPartials) -> CoreResult<Self> {
        if self.shape != other.shape {
            return Err(CoreError::Design(
                "partials with different designs, domains or outcomes cannot be merged".to_owned(),
            ));
        }
        for (a, b) in self
            .first_row_stratum
            .iter_mut()
            .zip(&other.first_row_stratum)
        {
            *a = (*a).min(*b);
        }
        for k in 0..self.parent.len() {
            for u in 0..self.parent[k].len() {
                let theirs = other.parent[k][u];
                if theirs == NO_CODE {
                    continue;
                }
                let mine = self.parent[k][u];
                let (first_mine, first_theirs) =
                    (self.first_row_unit[k][u], other.first_row_unit[k][u]);
                if mine == NO_CODE {
                    self.parent[k][u] = theirs;
                } else if mine != theirs {
                    return Err(nesting_error(
                        k,
                        first_mine.min(first_theirs),
                        first_mine.max(first_theirs),
                    ));
                }
                self.first_row_unit[k][u] = first_mine.min(first_theirs);
            }
            for g in 0..self.fpc[k].len() {
                let theirs = other.fpc[k][g];
                let mine = &mut self.fpc[k][g];
                if mine.is_nan() {
                    *mine = theirs;
                } else if !theirs.is_nan() && *mine != theirs {
                    return Err(fpc_varies_error(k, u64::MAX, theirs, *mine));
                }
            }
        }
        for (a, b) in self.moments.iter_mut().zip(&other.moments) {
            a.merge(b);
        }
        let width = self.shape.width();
        match (&mut self.cells, other.cells) {
            (Cells::Dense(mine), Cells::Dense(theirs)) => {
                for (a, b) in mine.iter_mut().zip(theirs) {
                    *a += b;
                }
            }
            (
                Cells::Sparse { slot, values },
                Cells::Sparse {
                    slot: their_slot,
                    values: their_values,
                },
            ) => {
                for (key, at) in their_slot {
                    let mine_at = *slot.entry(key).or_insert_with(|| {
                        values.resize(values.len() + width, 0.0);
                        values.len() - width
                    });
                    for j in 0..width {
                        values[mine_at + j] += their_values[at + j];
                    }
                }
            }
            _ => unreachable!("the cell layout follows from the shape"),
        }
        Ok(self)
    }

    /// The present cells as (domain, last-stage unit, offset into the values), ordered by domain
    /// and then depth-first through the design (stratum, stage-1 unit, stage-2 unit, ...).
    fn ordered_cells(&self, rank: &[u32]) -> (Vec<(u32, u32, usize)>, &[f64]) {
        let last = self.shape.last_units();
        let width = self.shape.width();
        match &self.cells {
            Cells::Dense(values) => {
                let mut by_rank: Vec<u32> = vec![NO_CODE; last];
                for (u, &r) in rank.iter().enumerate() {
                    if r != NO_CODE {
                        by_rank[r as usize] = u as u32;
                    }
                }
                let mut out = Vec::new();
                for d in 0..self.shape.n_domains {
                    for &u in &by_rank {
                        if u == NO_CODE {
                            continue;
                        }
                        let at = (d * last + u as usize) * width;
                        if values[at + ROWS] > 0.0 {
                            out.push((d as u32, u, at));
                        }
                    }
                }
                (out, values)
            }
            Cells::Sparse { slot, values } => {
                let mut out: Vec<(u32, u32, usize)> = slot
                    .iter()
                    .map(|(&key, &at)| ((key / last as u64) as u32, (key % last as u64) as u32, at))
                    .collect();
                out.sort_unstable_by_key(|&(d, u, _)| (d, rank[u as usize]));
                (out, values)
            }
        }
    }

    /// Estimates per domain with linearised standard errors, design effects and design df.
    pub fn estimate(&self, estimator: Estimator, lonely: LonelyPsu) -> CoreResult<Estimates> {
        let tree = Tree::new(self, lonely)?;
        let rank = tree.depth_first_rank();
        let (cells, values) = self.ordered_cells(&rank);
        let n_columns = self.shape.n_columns;
        let width = self.shape.width();
        // Domain boundaries in the ordered cells.
        let mut bounds = vec![0_usize; self.shape.n_domains + 1];
        for &(d, _, _) in &cells {
            bounds[d as usize + 1] += 1;
        }
        for d in 0..self.shape.n_domains {
            bounds[d + 1] += bounds[d];
        }
        let per_domain = map_rows(self.shape.n_domains, |d| {
            let own = &cells[bounds[d]..bounds[d + 1]];
            let moments = self.moments.get(d).copied();
            tree.domain(own, values, width, n_columns, estimator, moments)
        });
        let mut out = Estimates {
            n_columns,
            estimate: Vec::with_capacity(self.shape.n_domains * n_columns),
            se: Vec::with_capacity(self.shape.n_domains * n_columns),
            deff: Vec::with_capacity(self.shape.n_domains * n_columns),
            n: Vec::with_capacity(self.shape.n_domains),
            weighted_n: Vec::with_capacity(self.shape.n_domains),
            df: Vec::with_capacity(self.shape.n_domains),
        };
        for domain in per_domain {
            out.estimate.extend(domain.estimate);
            out.se.extend(domain.se);
            out.deff.extend(domain.deff);
            out.n.push(domain.n);
            out.weighted_n.push(domain.weighted_n);
            out.df.push(domain.df);
        }
        Ok(out)
    }
}

fn nesting_error(stage: usize, first: u64, again: u64) -> CoreError {
    if stage == 0 {
        CoreError::Design(format!(
            "psu: the PSU of row {again} is also in another stratum (at row {first}); a PSU must \
             lie within one stratum, so give PSU labels that are unique across strata"
        ))
    } else {
        CoreError::Design(format!(
            "psu: the stage-{} unit of row {again} also lies in another stage-{} unit (at row \
             {first})",
            stage + 1,
            stage
        ))
    }
}

fn fpc_varies_error(stage: usize, row: u64, value: f64, seen: f64) -> CoreError {
    let within = if stage == 0 {
        "stratum".to_owned()
    } else {
        format!("stage-{stage} unit")
    };
    let at = if row == u64::MAX {
        String::new()
    } else {
        format!("row {row} has {value}, ")
    };
    CoreError::Design(format!(
        "fpc: {at}not the {seen} of earlier rows of its {within}; the stage-{} fpc must be \
         constant within a {within}",
        stage + 1
    ))
}

fn check_shape(
    design: &Design<'_>,
    outcome: Outcome<'_>,
    domains: Domains<'_>,
) -> CoreResult<Shape> {
    let n = design.weight.len();
    let same = |arg: &'static str, got: usize| {
        if got == n {
            Ok(())
        } else {
            Err(CoreError::Length {
                arg,
                got,
                expected_arg: "weight",
                expected: n,
            })
        }
    };
    same("y", outcome.len())?;
    if let Some(s) = design.strata {
        same("strata", s.len())?;
    }
    if let Some(d) = domains.code {
        same("by", d.len())?;
    }
    if design.stages.is_empty() {
        return Err(CoreError::Design(
            "psu: a design needs at least one stage of sampling units".to_owned(),
        ));
    }
    for stage in &design.stages {
        same("psu", stage.unit.len())?;
        if let Some(f) = stage.fpc {
            same("fpc", f.len())?;
        }
        if stage.n_units >= NO_CODE as usize {
            return Err(CoreError::Design("psu: too many units".to_owned()));
        }
    }
    if design.n_strata == 0 || design.n_strata >= NO_CODE as usize {
        return Err(CoreError::Design("strata: no strata".to_owned()));
    }
    Ok(Shape {
        n_strata: design.n_strata,
        n_units: design.stages.iter().map(|s| s.n_units).collect(),
        has_fpc: design.stages.iter().map(|s| s.fpc.is_some()).collect(),
        n_domains: domains.n_domains,
        n_columns: outcome.n_columns(),
        numeric: matches!(outcome, Outcome::Numeric(_)),
    })
}

/// The design as a tree of strata and units, with what R's `onestrat` needs per group: the
/// number of units sampled in it and its population count.
struct Tree<'p> {
    partials: &'p SurveyPartials,
    lonely: LonelyPsu,
    /// Per stage k, per group (stratum at stage 1, unit of stage k - 1 after): units sampled.
    sampled: Vec<Vec<u32>>,
    /// Per stage k, per group: the population count N (infinite without an fpc).
    population: Vec<Vec<f64>>,
}

/// One domain's results.
struct DomainEstimates {
    estimate: Vec<f64>,
    se: Vec<f64>,
    deff: Vec<f64>,
    n: f64,
    weighted_n: f64,
    df: f64,
}

impl<'p> Tree<'p> {
    fn new(partials: &'p SurveyPartials, lonely: LonelyPsu) -> CoreResult<Self> {
        let shape = &partials.shape;
        let stages = shape.n_units.len();
        let groups = |k: usize| {
            if k == 0 {
                shape.n_strata
            } else {
                shape.n_units[k - 1]
            }
        };
        let mut sampled: Vec<Vec<u32>> = (0..stages).map(|k| vec![0; groups(k)]).collect();
        for (counts, parents) in sampled.iter_mut().zip(&partials.parent) {
            for &g in parents {
                if g != NO_CODE {
                    counts[g as usize] += 1;
                }
            }
        }
        // R's `as.fpc`: population counts if any fpc exceeds 1, else sampling fractions.
        let mut above_one = None;
        let mut below_one = None;
        for fpc in &partials.fpc {
            for &f in fpc {
                if f > 1.0 {
                    above_one = Some(f);
                } else if f < 1.0 {
                    below_one = Some(f);
                }
            }
        }
        if let (Some(big), Some(small)) = (above_one, below_one) {
            return Err(CoreError::Design(format!(
                "fpc: mixes population counts (such as {big}) and sampling fractions (such as \
                 {small}); give all fpc as counts (> 1) or all as fractions (<= 1)"
            )));
        }
        let counts = above_one.is_some();
        let mut population: Vec<Vec<f64>> = Vec::with_capacity(stages);
        for (k, sampled_k) in sampled.iter().enumerate() {
            let mut pop = vec![f64::INFINITY; groups(k)];
            if shape.has_fpc[k] {
                for (g, p) in pop.iter_mut().enumerate() {
                    let f = partials.fpc[k][g];
                    let n = f64::from(sampled_k[g]);
                    if f.is_nan() || n == 0.0 {
                        continue;
                    }
                    *p = if counts { f } else { n / f };
                    if *p < n {
                        return Err(CoreError::Design(format!(
                            "fpc: the {} at row {} gives a population of {} but {n} units are \
                             sampled there at stage {}",
                            if k == 0 { "stratum" } else { "unit" },
                            group_first_row(partials, k, g),
                            *p,
                            k + 1
                        )));
                    }
                }
            }
            population.push(pop);
        }
        let tree = Tree {
            partials,
            lonely,
            sampled,
            population,
        };
        if lonely == LonelyPsu::Fail {
            tree.check_lonely()?;
        }
        Ok(tree)
    }

    /// R fails on a group with one sampled unit, unless the group is a certainty (its fpc says
    /// every unit was sampled). Later stages are reached only below stages with an fpc.
    fn check_lonely(&self) -> CoreResult<()> {
        for k in 0..self.sampled.len() {
            if k > 0 && !self.partials.shape.has_fpc[k - 1] {
                break;
            }
            for (g, &n) in self.sampled[k].iter().enumerate() {
                if n == 1 && self.fraction_unsampled(k, g) >= CERTAINTY {
                    let row = group_first_row(self.partials, k, g);
                    return Err(CoreError::Design(if k == 0 {
                        format!(
                            "strata: the stratum of row {row} has only one PSU; choose \
                             lonely_psu='remove', 'certainty', 'adjust' or 'average', or merge \
                             strata"
                        )
                    } else {
                        format!(
                            "psu: the stage-{k} unit of row {row} has only one sampled unit at \
                             stage {}; choose lonely_psu='remove', 'certainty', 'adjust' or \
                             'average'",
                            k + 1
                        )
                    }));
                }
            }
        }
        Ok(())
    }

    /// `(N - n) / N`, 1 without an fpc.
    fn fraction_unsampled(&self, k: usize, g: usize) -> f64 {
        let big_n = self.population[k][g];
        if big_n.is_infinite() {
            1.0
        } else {
            (big_n - f64::from(self.sampled[k][g])) / big_n
        }
    }

    /// A rank of each last-stage unit in depth-first order of (stratum, unit at stage 1, ...).
    fn depth_first_rank(&self) -> Vec<u32> {
        let parent = &self.partials.parent;
        let mut rank_above: Vec<u32> = (0..self.partials.shape.n_strata as u32).collect();
        let mut rank: Vec<u32> = Vec::new();
        for units in parent {
            let mut order: Vec<u32> = (0..units.len() as u32)
                .filter(|&u| units[u as usize] != NO_CODE)
                .collect();
            order.sort_unstable_by_key(|&u| (rank_above[units[u as usize] as usize], u));
            rank = vec![NO_CODE; units.len()];
            for (r, &u) in order.iter().enumerate() {
                rank[u as usize] = r as u32;
            }
            rank_above.clone_from(&rank);
        }
        rank
    }

    /// The estimates of one domain from its cells in depth-first order.
    fn domain(
        &self,
        cells: &[(u32, u32, usize)],
        values: &[f64],
        width: usize,
        n_columns: usize,
        estimator: Estimator,
        moments: Option<Moments>,
    ) -> DomainEstimates {
        let stages = self.partials.parent.len();
        let mut totals = vec![0.0; width];
        for &(_, _, at) in cells {
            for j in 0..width {
                totals[j] += values[at + j];
            }
        }
        let weighted_n = totals[SUM_W];
        let positive = totals[POSITIVE];
        let estimate: Vec<f64> = (0..n_columns)
            .map(|c| match estimator {
                Estimator::Mean => totals[SUM_WY + c] / weighted_n,
                Estimator::Total => totals[SUM_WY + c],
            })
            .collect();
        // Each cell's path through the design and its influence values: for a ratio mean
        // (sum w y - R sum w) / sum w over the cell's rows, for a total sum w y.
        let levels = stages + 1;
        let mut path = vec![0_u32; cells.len() * levels];
        let mut z = vec![0.0; cells.len() * n_columns];
        for (i, &(_, u, at)) in cells.iter().enumerate() {
            let mut unit = u;
            for k in (0..stages).rev() {
                path[i * levels + k + 1] = unit;
                unit = self.partials.parent[k][unit as usize];
            }
            path[i * levels] = unit;
            for c in 0..n_columns {
                z[i * n_columns + c] = match estimator {
                    Estimator::Mean => {
                        (values[at + SUM_WY + c] - estimate[c] * values[at + SUM_W]) / weighted_n
                    }
                    Estimator::Total => values[at + SUM_WY + c],
                };
            }
        }
        let fold = Fold {
            tree: self,
            n_columns,
            levels,
            z: &z,
            path: &path,
        };
        let mut variance = vec![0.0; n_columns];
        if !cells.is_empty() {
            fold.multistage(0, cells.len(), 0, &mut variance);
        }
        // R `degf` on the domain: distinct PSUs minus distinct strata among positive-weight rows.
        let (mut psus, mut strata) = (0.0, 0.0);
        let (mut last_psu, mut last_stratum) = (None, None);
        for (i, &(_, _, at)) in cells.iter().enumerate() {
            if values[at + SUM_W] > 0.0 {
                let (h, psu) = (path[i * levels], path[i * levels + 1]);
                if last_stratum != Some(h) {
                    strata += 1.0;
                    last_stratum = Some(h);
                }
                if last_psu != Some((h, psu)) {
                    psus += 1.0;
                    last_psu = Some((h, psu));
                }
            }
        }
        // R `svymean(deff = TRUE)`: the SRS variance without replacement of the domain mean,
        // svyvar(y) (N - n) / (N n), svyvar with divisor n - 1; a total's is N^2 times it.
        let srs_variance: Vec<f64> = (0..n_columns)
            .map(|c| {
                let spread = moments.map_or_else(
                    || {
                        let p = totals[SUM_WY + c] / weighted_n;
                        p * (1.0 - p)
                    },
                    |m| m.m2 / m.weight,
                );
                let svyvar = spread * positive / (positive - 1.0);
                let mean_srs = if weighted_n < positive {
                    f64::NAN
                } else {
                    svyvar * (weighted_n - positive) / (weighted_n * positive)
                };
                match estimator {
                    Estimator::Mean => mean_srs,
                    Estimator::Total => mean_srs * weighted_n * weighted_n,
                }
            })
            .collect();
        // A mean over no weight has no spread either (a total over nothing is 0 with se 0).
        if estimator == Estimator::Mean && weighted_n == 0.0 {
            variance.fill(f64::NAN);
        }
        DomainEstimates {
            se: variance.iter().map(|v| v.sqrt()).collect(),
            deff: variance
                .iter()
                .zip(&srs_variance)
                .map(|(v, s)| v / s)
                .collect(),
            estimate,
            n: totals[ROWS],
            weighted_n,
            df: psus - strata,
        }
    }
}

fn group_first_row(partials: &SurveyPartials, k: usize, g: usize) -> u64 {
    if k == 0 {
        partials.first_row_stratum[g]
    } else {
        partials.first_row_unit[k - 1][g]
    }
}

/// R's `multistage` / `onestage` / `onestrat` over one domain's cells in depth-first order.
struct Fold<'f> {
    tree: &'f Tree<'f>,
    n_columns: usize,
    levels: usize,
    z: &'f [f64],
    path: &'f [u32],
}

impl Fold<'_> {
    /// The code at `level` (0 the stratum, k + 1 the stage-k unit) of cell `i`.
    fn key(&self, i: usize, level: usize) -> u32 {
        self.path[i * self.levels + level]
    }

    /// The end of the run of cells from `start` sharing the code at `level`.
    fn run_end(&self, start: usize, end: usize, level: usize) -> usize {
        let key = self.key(start, level);
        let mut j = start + 1;
        while j < end && self.key(j, level) == key {
            j += 1;
        }
        j
    }

    /// R `multistage`: stage k's variance over cells `start..end`, plus, below a stage with an
    /// fpc, each unit's own later-stage variance times its group's sampling fraction n / N.
    fn multistage(&self, start: usize, end: usize, k: usize, variance: &mut [f64]) {
        self.onestage(start, end, k, variance);
        let stages = self.levels - 1;
        if k + 1 < stages && self.tree.partials.shape.has_fpc[k] {
            let mut sub = vec![0.0; self.n_columns];
            let mut i = start;
            while i < end {
                let j = self.run_end(i, end, k + 1);
                let g = self.key(i, k) as usize;
                let fraction = f64::from(self.tree.sampled[k][g]) / self.tree.population[k][g];
                sub.fill(0.0);
                self.multistage(i, j, k + 1, &mut sub);
                for (v, s) in variance.iter_mut().zip(&sub) {
                    *v += s * fraction;
                }
                i = j;
            }
        }
    }

    /// R `onestage`: the sum over the groups present of their contributions; with lonely PSUs
    /// averaged, scaled by (groups present) / (groups that contributed).
    fn onestage(&self, start: usize, end: usize, k: usize, variance: &mut [f64]) {
        let (mut groups, mut contributing) = (0.0, 0.0);
        let mut i = start;
        while i < end {
            let j = self.run_end(i, end, k);
            groups += 1.0;
            if self.onestrat(i, j, k, variance) {
                contributing += 1.0;
            }
            i = j;
        }
        if contributing < groups {
            let scale = groups / contributing;
            for v in variance.iter_mut() {
                *v *= scale;
            }
        }
    }

    /// R `onestrat`: adds group's contribution `f n / (n - 1) sum (Z_u - mean Z)^2` over its n
    /// sampled units (units absent from the domain have Z = 0) to `variance`; false for a lonely
    /// PSU under [`LonelyPsu::Average`] (R's NA).
    fn onestrat(&self, start: usize, end: usize, k: usize, variance: &mut [f64]) -> bool {
        let g = self.key(start, k) as usize;
        let sampled = f64::from(self.tree.sampled[k][g]);
        let unsampled = self.tree.fraction_unsampled(k, g);
        if unsampled < CERTAINTY {
            return true;
        }
        let lonely = self.tree.sampled[k][g] == 1;
        if lonely {
            match self.tree.lonely {
                LonelyPsu::Average => return false,
                LonelyPsu::Remove | LonelyPsu::Certainty | LonelyPsu::Fail => return true,
                LonelyPsu::Adjust => {}
            }
        }
        let scale = if lonely {
            unsampled
        } else {
            unsampled * sampled / (sampled - 1.0)
        };
        // Unit totals of the influence values, then their spread about the mean over the n
        // sampled units (about zero for a lonely PSU under Adjust).
        let c = self.n_columns;
        let mut unit_totals: Vec<f64> = Vec::new();
        let mut i = start;
        while i < end {
            let j = self.run_end(i, end, k + 1);
            let at = unit_totals.len();
            unit_totals.resize(at + c, 0.0);
            for cell in i..j {
                for col in 0..c {
                    unit_totals[at + col] += self.z[cell * c + col];
                }
            }
            i = j;
        }
        let present = (unit_totals.len() / c) as f64;
        for (col, v) in variance.iter_mut().enumerate() {
            let mean = if lonely {
                0.0
            } else {
                unit_totals.iter().skip(col).step_by(c).sum::<f64>() / sampled
            };
            let spread: f64 = unit_totals
                .iter()
                .skip(col)
                .step_by(c)
                .map(|t| (t - mean) * (t - mean))
                .sum::<f64>()
                + (sampled - present) * mean * mean;
            *v += scale * spread;
        }
        true
    }
}

/// The t quantile of the design df for a two-sided `conf` interval (NaN for df <= 0).
fn t_quantile(tail: f64, df: f64) -> f64 {
    if df > 0.0 {
        t_ppf(1.0 - tail, df)
    } else {
        f64::NAN
    }
}

/// The interval around a survey share `share` with standard error `se`, design df `df` and `n`
/// rows in its domain (used by Korn-Graubard), as R `svyciprop`.
///
/// A share of 0 or 1 has no spread to scale: `logit`, `xlogit` and `mean` give the point, `beta`
/// and `wilson` the interval of `n` independent rows.
pub fn share_interval(
    share: f64,
    se: f64,
    df: f64,
    n: f64,
    method: ShareInterval,
    tail: f64,
) -> (f64, f64) {
    let rows_quantile = if matches!(method, ShareInterval::Beta | ShareInterval::Wilson) && n > 1.0
    {
        t_quantile(tail, n - 1.0)
    } else {
        f64::NAN
    };
    interval_from_quantiles(
        share,
        se,
        n,
        t_quantile(tail, df),
        rows_quantile,
        method,
        tail,
    )
}

/// [`share_interval`] given the upper t quantiles of the design df (`t`) and of `n - 1` df
/// (`t_rows`, for Korn-Graubard and Wilson).
fn interval_from_quantiles(
    share: f64,
    se: f64,
    n: f64,
    t: f64,
    t_rows: f64,
    method: ShareInterval,
    tail: f64,
) -> (f64, f64) {
    if share.is_nan() || se.is_nan() || t.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    // The effective sample size p (1 - p) / se^2 (Korn & Graubard 1998), n when se is zero,
    // scaled by (t_{n-1} / t_df)^2 for the design's fewer degrees of freedom (R `svyciprop`).
    let effective_n = if se > 0.0 {
        share * (1.0 - share) / (se * se)
    } else {
        n
    };
    let ratio = t_rows / t;
    let scaled = effective_n * ratio * ratio;
    match method {
        ShareInterval::Logit | ShareInterval::XLogit => {
            if share <= 0.0 || share >= 1.0 || se == 0.0 {
                return (share, share);
            }
            // R `svycontrast(log(p / (1 - p)))`: the delta method, se / (p (1 - p)).
            let logit = (share / (1.0 - share)).ln();
            let half = t * se / (share * (1.0 - share));
            (expit(logit - half), expit(logit + half))
        }
        ShareInterval::Mean => wald_interval(share, se, t),
        ShareInterval::Wilson if !scaled.is_nan() => wilson_interval(share * scaled, scaled, t),
        // R `svyciprop(method = "beta")`: Clopper-Pearson at x = n_eff p on the scaled n_eff.
        ShareInterval::Beta if !scaled.is_nan() => exact_interval(scaled * share, scaled, tail),
        ShareInterval::Wilson | ShareInterval::Beta => (f64::NAN, f64::NAN),
    }
}

/// `t_quantile(tail, df)` for each df, computed once per distinct df (domains share a few).
fn quantiles(tail: f64, df: &[f64]) -> Vec<f64> {
    let mut seen: HashMap<u64, f64> = HashMap::new();
    df.iter()
        .map(|&d| {
            *seen
                .entry(d.to_bits())
                .or_insert_with(|| t_quantile(tail, d))
        })
        .collect()
}

fn expit(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Intervals for every share, as [`share_interval`] with a two-sided `conf`.
pub fn share_intervals(
    share: &[f64],
    se: &[f64],
    df: &[f64],
    n: &[f64],
    method: ShareInterval,
    conf: f64,
) -> CoreResult<(Vec<f64>, Vec<f64>)> {
    let tail = half_alpha(conf)?;
    check::same_length("se", se, "share", share)?;
    check::same_length("df", df, "share", share)?;
    check::same_length("n", n, "share", share)?;
    check::unit_interval("share", share)?;
    check::counts("se", se, None)?;
    let t = quantiles(tail, df);
    let t_rows = if matches!(method, ShareInterval::Beta | ShareInterval::Wilson) {
        let rows_df: Vec<f64> = n.iter().map(|m| m - 1.0).collect();
        quantiles(tail, &rows_df)
    } else {
        vec![f64::NAN; share.len()]
    };
    Ok((0..share.len())
        .map(|i| interval_from_quantiles(share[i], se[i], n[i], t[i], t_rows[i], method, tail))
        .unzip())
}

impl Estimates {
    /// Lower and upper bounds for every estimate: a share interval by `share` (with the domain's
    /// df and rows), or for means and totals (`share = None`) the t interval of the design df.
    pub fn intervals(
        &self,
        share: Option<ShareInterval>,
        conf: f64,
    ) -> CoreResult<(Vec<f64>, Vec<f64>)> {
        let per_column = |v: &[f64]| -> Vec<f64> {
            v.iter()
                .flat_map(|&x| std::iter::repeat(x).take(self.n_columns))
                .collect()
        };
        let df = per_column(&self.df);
        match share {
            Some(method) => share_intervals(
                &self.estimate,
                &self.se,
                &df,
                &per_column(&self.n),
                method,
                conf,
            ),
            None => t_intervals(&self.estimate, &self.se, &df, conf),
        }
    }
}

/// The t interval `estimate +/- t_df se` for means and totals (R `confint(df = degf(design))`).
pub fn t_intervals(
    estimate: &[f64],
    se: &[f64],
    df: &[f64],
    conf: f64,
) -> CoreResult<(Vec<f64>, Vec<f64>)> {
    let tail = half_alpha(conf)?;
    let t = quantiles(tail, df);
    Ok(estimate
        .iter()
        .zip(se)
        .zip(&t)
        .map(|((&e, &s), &t)| {
            if s == 0.0 {
                (e, e)
            } else {
                (e - t * s, e + t * s)
            }
        })
        .unzip())
}

/// Rows per chunk when coding text keys on rayon's pool; below it one thread codes them all.
const TEXT_CHUNK: usize = 131_072;

/// A multiplicative hash for short byte strings (the labels of by-columns: sexes, age groups,
/// regions), eight bytes at a time. Keys come from the caller's own data, not an adversary.
#[derive(Default)]
struct LabelHasher(u64);

impl std::hash::Hasher for LabelHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0_u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let mut tail = [0_u8; 8];
        tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.mix(u64::from_le_bytes(tail) ^ (bytes.len() as u64) << 56);
    }
    fn write_usize(&mut self, length: usize) {
        self.mix(length as u64);
    }
    fn write_u64(&mut self, word: u64) {
        self.mix(word);
    }
}

impl LabelHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// The length of the label at `data[start..end]` with its first and last eight bytes, as one
/// word. Short labels are read as eight bytes and masked, which avoids a copy of varying length.
fn fingerprint(data: &[u8], start: usize, end: usize) -> u64 {
    let load = |at: usize| {
        let mut buffer = [0_u8; 8];
        if at + 8 <= data.len() {
            buffer.copy_from_slice(&data[at..at + 8]);
        } else {
            let available = &data[at.min(data.len())..];
            buffer[..available.len()].copy_from_slice(available);
        }
        u64::from_le_bytes(buffer)
    };
    let n = end - start;
    let head = if n >= 8 {
        load(start)
    } else {
        load(start) & ((1_u64 << (8 * n)) - 1)
    };
    let tail = if n > 8 { load(end - 8) } else { 0 };
    (head ^ tail.rotate_left(29) ^ (n as u64) << 56).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

type LabelMap<'a> = HashMap<&'a [u8], u32, std::hash::BuildHasherDefault<LabelHasher>>;

/// A chunk's codes, and its labels in order of first appearance with the row of each.
type CodedChunk<'a> = (Vec<u32>, Vec<(&'a [u8], u64)>);

/// Codes for text labels in Arrow's layout (label `i` is `data[offsets[i]..offsets[i + 1]]`),
/// numbered in sorted order of the labels, with the first row of each code. `validity` is Arrow's
/// bitmap with the bit offset of the first label; a cleared bit is a missing label, [`NO_CODE`].
///
/// Hashing the labels here is several times faster than pandas `factorize` on a text column;
/// above [`TEXT_CHUNK`] rows the chunks are coded in parallel and their codes renumbered.
pub fn factorize_text(
    offsets: &[i64],
    data: &[u8],
    validity: Option<(&[u8], usize)>,
) -> CoreResult<(Vec<u32>, Vec<u64>)> {
    let n = offsets.len().saturating_sub(1);
    let label = |i: usize| -> CoreResult<Option<(usize, usize)>> {
        if let Some((bits, offset)) = validity {
            let bit = offset + i;
            match bits.get(bit / 8) {
                Some(byte) if byte & (1 << (bit % 8)) != 0 => {}
                _ => return Ok(None),
            }
        }
        let (start, end) = (offsets[i], offsets[i + 1]);
        if start < 0 || start > end || end as usize > data.len() {
            return Err(CoreError::Design(format!(
                "by: the text buffer of row {i} is malformed (offsets {start}..{end})"
            )));
        }
        Ok(Some((start as usize, end as usize)))
    };
    // Each chunk: local codes in order of first appearance, and its labels in that order.
    let code_chunk = |rows: std::ops::Range<usize>| -> CoreResult<CodedChunk<'_>> {
        // A label's fingerprint (its length and first and last eight bytes) finds its code with
        // one cheap lookup; the bytes are then compared, and a full map of the labels takes
        // the rare labels whose fingerprints collide.
        let mut by_print: HashMap<u64, u32, std::hash::BuildHasherDefault<LabelHasher>> =
            HashMap::default();
        let mut seen: LabelMap<'_> = HashMap::default();
        let mut labels: Vec<(&[u8], u64)> = Vec::new();
        let mut codes = Vec::with_capacity(rows.len());
        for i in rows {
            let Some((start, end)) = label(i)? else {
                codes.push(NO_CODE);
                continue;
            };
            let text = &data[start..end];
            let print = fingerprint(data, start, end);
            let code = match by_print.get(&print) {
                Some(&code) if labels[code as usize].0 == text => code,
                found => {
                    let collided = found.is_some();
                    let code = *seen.entry(text).or_insert_with(|| {
                        labels.push((text, i as u64));
                        (labels.len() - 1) as u32
                    });
                    if !collided {
                        by_print.insert(print, code);
                    }
                    code
                }
            };
            codes.push(code);
        }
        Ok((codes, labels))
    };
    let chunks: Vec<std::ops::Range<usize>> = (0..n.div_ceil(TEXT_CHUNK).max(1))
        .map(|c| c * TEXT_CHUNK..((c + 1) * TEXT_CHUNK).min(n))
        .collect();
    let parts: Vec<CoreResult<CodedChunk<'_>>> = if chunks.len() > 1 {
        chunks.into_par_iter().map(code_chunk).collect()
    } else {
        chunks.into_iter().map(code_chunk).collect()
    };
    let mut global: LabelMap<'_> = HashMap::default();
    let mut first_rows: Vec<u64> = Vec::new();
    let mut codes: Vec<u32> = Vec::with_capacity(n);
    for part in parts {
        let (local, labels) = part?;
        let renumber: Vec<u32> = labels
            .iter()
            .map(|&(text, row)| {
                *global.entry(text).or_insert_with(|| {
                    first_rows.push(row);
                    (first_rows.len() - 1) as u32
                })
            })
            .collect();
        codes.extend(local.iter().map(|&c| {
            if c == NO_CODE {
                NO_CODE
            } else {
                renumber[c as usize]
            }
        }));
    }
    // Renumber in sorted order of the labels' bytes (UTF-8 sorts as Python sorts str).
    let mut order: Vec<(&[u8], u32)> = global.into_iter().collect();
    order.sort_unstable();
    let mut rank = vec![0_u32; order.len()];
    for (r, &(_, code)) in order.iter().enumerate() {
        rank[code as usize] = r as u32;
    }
    let first_rows = order
        .iter()
        .map(|&(_, code)| first_rows[code as usize])
        .collect();
    for c in &mut codes {
        if *c != NO_CODE {
            *c = rank[*c as usize];
        }
    }
    Ok((codes, first_rows))
}

/// Published-table shares: each share's effective base `n / deft^2` and its interval by `method`
/// on that base (the binomial interval with a fractional base, as ONS does with its design
/// factors).
pub struct ShareCis {
    pub effective_n: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// Intervals for published shares with base `n` and design factor `deft` (equal lengths).
pub fn share_cis(
    share: &[f64],
    n: &[f64],
    deft: &[f64],
    method: ProportionMethod,
    conf: f64,
) -> CoreResult<ShareCis> {
    let tail = half_alpha(conf)?;
    check_published(("share", share), ("n", n), deft)?;
    let z = norm_ppf(1.0 - tail);
    let effective_n: Vec<f64> = n.iter().zip(deft).map(|(n, d)| n / (d * d)).collect();
    let (lower, upper) = share
        .iter()
        .zip(&effective_n)
        .map(|(&p, &m)| proportion_interval(p * m, m, method, tail, z))
        .unzip();
    Ok(ShareCis {
        effective_n,
        lower,
        upper,
    })
}

/// The published-table arguments checked under the caller's names (`share1` and `n1` for a
/// change), so an error names the argument the user passed.
fn check_published(
    (share_name, share): (&'static str, &[f64]),
    (n_name, n): (&'static str, &[f64]),
    deft: &[f64],
) -> CoreResult<()> {
    check::same_length(n_name, n, share_name, share)?;
    check::same_length("deft", deft, share_name, share)?;
    check::unit_interval(share_name, share)?;
    check::positive(n_name, n, "")?;
    check::positive(
        "deft",
        deft,
        "; a design factor is 1 for a simple random sample",
    )
}

/// The change between two independent survey shares.
pub struct ShareChanges {
    pub difference: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub p_value: Vec<f64>,
}

/// `share1 - share0` for two independent samples with bases `n1`, `n0` and a common design
/// factor: the Wald interval and two-sided z test with the unpooled variance
/// `p1 (1 - p1) / n1' + p0 (1 - p0) / n0'` on the effective bases `n' = n / deft^2`, as ONS tests
/// a change between survey years (statsmodels `test_proportions_2indep(method = "wald")` when
/// deft = 1).
pub fn share_changes(
    share1: &[f64],
    n1: &[f64],
    share0: &[f64],
    n0: &[f64],
    deft: &[f64],
    conf: f64,
) -> CoreResult<ShareChanges> {
    let tail = half_alpha(conf)?;
    check_published(("share1", share1), ("n1", n1), deft)?;
    check::same_length("share0", share0, "share1", share1)?;
    check::same_length("n0", n0, "share1", share1)?;
    check::unit_interval("share0", share0)?;
    check::positive("n0", n0, "")?;
    let z = norm_ppf(1.0 - tail);
    let mut out = ShareChanges {
        difference: Vec::with_capacity(share1.len()),
        lower: Vec::with_capacity(share1.len()),
        upper: Vec::with_capacity(share1.len()),
        p_value: Vec::with_capacity(share1.len()),
    };
    for i in 0..share1.len() {
        let (p1, p0) = (share1[i], share0[i]);
        let d2 = deft[i] * deft[i];
        let se = (p1 * (1.0 - p1) * d2 / n1[i] + p0 * (1.0 - p0) * d2 / n0[i]).sqrt();
        let difference = p1 - p0;
        out.difference.push(difference);
        out.lower.push(difference - z * se);
        out.upper.push(difference + z * se);
        out.p_value.push(if se > 0.0 {
            2.0 * norm_sf((difference / se).abs())
        } else if se.is_nan() || difference.is_nan() {
            f64::NAN // a NaN share, base or design factor: NaN in, NaN out, never "significant"
        } else if difference == 0.0 {
            1.0
        } else {
            0.0
        });
    }
    Ok(out)
}

/// A share of a total as a count: `share * total` with an interval from the share's interval
/// and, if given, the total's, combined on the log scale by MOVER (Zou & Donner 2008): the
/// product's log bounds are the log estimate minus (plus) the root sum of squares of the two
/// log distances to the bounds. With an exact total the bounds are the share's bounds times it.
pub fn gross_up(
    share: f64,
    share_lower: f64,
    share_upper: f64,
    total: f64,
    total_lower: f64,
    total_upper: f64,
) -> (f64, f64, f64) {
    let estimate = share * total;
    if share == 0.0 || total == 0.0 {
        return (estimate, 0.0, share_upper * total_upper);
    }
    let distance = |a: f64, b: f64| (a.ln() - b.ln()).abs();
    let down = distance(share, share_lower).hypot(distance(total, total_lower));
    let up = distance(share_upper, share).hypot(distance(total_upper, total));
    let log_estimate = estimate.ln();
    (
        estimate,
        (log_estimate - down).exp(),
        (log_estimate + up).exp(),
    )
}

/// [`gross_up`] for equal-length arrays, checked: shares and their bounds in [0, 1], totals and
/// their bounds zero or more, each bound on its side of the estimate.
pub fn gross_ups(
    share: &[f64],
    share_lower: &[f64],
    share_upper: &[f64],
    total: &[f64],
    total_lower: &[f64],
    total_upper: &[f64],
) -> CoreResult<[Vec<f64>; 3]> {
    for (arg, values) in [
        ("share_lower", share_lower),
        ("share_upper", share_upper),
        ("total", total),
        ("total_lower", total_lower),
        ("total_upper", total_upper),
    ] {
        check::same_length(arg, values, "share", share)?;
    }
    for (arg, values) in [
        ("share", share),
        ("share_lower", share_lower),
        ("share_upper", share_upper),
    ] {
        check::unit_interval(arg, values)?;
    }
    for (arg, values) in [
        ("total", total),
        ("total_lower", total_lower),
        ("total_upper", total_upper),
    ] {
        check::counts(arg, values, None)?;
    }
    check::at_most("share_lower", share_lower, "share", share)?;
    check::at_most("share", share, "share_upper", share_upper)?;
    check::at_most("total_lower", total_lower, "total", total)?;
    check::at_most("total", total, "total_upper", total_upper)?;
    let mut out = [
        Vec::with_capacity(share.len()),
        Vec::with_capacity(share.len()),
        Vec::with_capacity(share.len()),
    ];
    for i in 0..share.len() {
        let (e, l, u) = gross_up(
            share[i],
            share_lower[i],
            share_upper[i],
            total[i],
            total_lower[i],
            total_upper[i],
        );
        out[0].push(e);
        out[1].push(l);
        out[2].push(u);
    }
    Ok(out)
}

mod encode;

#[cfg(test)]
mod tests;
