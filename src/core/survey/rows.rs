//! The one pass over the rows: each row's stratum, units, weight, domain and outcome checked and
//! added to its (domain, last-stage unit) cell. Row chunks run in parallel on rayon's pool and
//! their partials merge.
use super::partials::{check_shape, fpc_varies_error, nesting_error};
use super::{
    code_error, CoreError, CoreResult, Design, Domains, Outcome, ShiftedSums, SurveyPartials,
    NO_CODE, POSITIVE, ROWS, SUM_W, SUM_WY,
};
use rayon::prelude::*;

/// Below this many rows the pass runs on one thread. Each chunk accumulates into its own table of
/// cells (domains x PSUs), so a chunk must have many more rows than a typical table has cells
/// (a few hundred thousand) for the threads to pay for the extra tables and their merge.
pub(super) const PARALLEL_ROWS: usize = 200_000;

impl SurveyPartials {
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
    pub(super) fn accumulate(
        &mut self,
        design: &Design<'_>,
        outcome: Outcome<'_>,
        domains: Domains<'_>,
        rows: std::ops::Range<usize>,
        row_offset: u64,
    ) -> CoreResult<()> {
        // One loop per kind of outcome, each reading a row's outcome once: what it adds to the
        // row's cell (a value to one column, or a row of influence values), or nothing.
        match outcome {
            Outcome::Numeric(y) => self.pass(design, domains, rows, row_offset, |i, index| {
                let value = y[i];
                if value.abs() < f64::INFINITY {
                    Ok(Add::One(0, value))
                } else if value.is_nan() {
                    Ok(Add::Nothing)
                } else {
                    Err(CoreError::Infinite { arg: "y", index })
                }
            }),
            Outcome::Levels { code, n_levels } => {
                self.pass(design, domains, rows, row_offset, |i, index| {
                    let level = code[i];
                    if (level as usize) < n_levels && level != NO_CODE {
                        Ok(Add::One(level as usize, 1.0))
                    } else if level == NO_CODE {
                        Ok(Add::Nothing)
                    } else {
                        Err(code_error("y", index, level, "the level codes"))
                    }
                })
            }
            Outcome::Influence { values, n_columns } => {
                self.pass(design, domains, rows, row_offset, |i, index| {
                    let row = &values[i * n_columns..(i + 1) * n_columns];
                    if row.iter().any(|v| v.is_nan()) {
                        Ok(Add::Nothing)
                    } else if row.iter().any(|v| v.is_infinite()) {
                        Err(CoreError::Infinite { arg: "y", index })
                    } else {
                        Ok(Add::Row(row))
                    }
                })
            }
        }
    }

    /// The pass over `rows`, `outcome(i, index)` reading row `i`'s outcome.
    #[inline]
    fn pass<'a, F>(
        &mut self,
        design: &Design<'_>,
        domains: Domains<'_>,
        rows: std::ops::Range<usize>,
        row_offset: u64,
        outcome: F,
    ) -> CoreResult<()>
    where
        F: Fn(usize, usize) -> CoreResult<Add<'a>>,
    {
        let last_units = self.shape.last_units() as u64;
        let width = self.shape.width();
        let n_domains = self.shape.n_domains;
        let numeric = self.shape.numeric;
        // One stage without an fpc (the usual design) takes the short check of the unit.
        let single = design.stages.len() == 1 && design.stages[0].fpc.is_none();
        let mut sums = vec![ShiftedSums::default(); self.moments.len()];
        for i in rows {
            let global = row_offset + i as u64;
            let index = global as usize;
            let group = if single {
                self.first_stage(design, i, global)?
            } else {
                self.stages(design, i, global)?
            };
            let weight = design.weight[i];
            if !(0.0..f64::INFINITY).contains(&weight) {
                if weight.is_nan() {
                    continue;
                }
                return Err(if weight.is_infinite() {
                    CoreError::Infinite {
                        arg: "weight",
                        index,
                    }
                } else {
                    CoreError::Negative {
                        arg: "weight",
                        index,
                        value: weight,
                    }
                });
            }
            let domain = match domains.code {
                Some(d) => d[i],
                None => 0,
            };
            if domain == NO_CODE {
                continue;
            }
            if domain as usize >= n_domains {
                return Err(code_error("by", index, domain, "the domain codes"));
            }
            let add = outcome(i, index)?;
            if let Add::Nothing = add {
                continue;
            }
            let cell = self.cells.cell(domain, group, last_units, width);
            cell[ROWS] += 1.0;
            if weight > 0.0 {
                cell[POSITIVE] += 1.0;
            }
            cell[SUM_W] += weight;
            match add {
                Add::One(column, value) => {
                    cell[SUM_WY + column] += weight * value;
                    if numeric {
                        sums[domain as usize].push(weight, value);
                    }
                }
                Add::Row(row) => {
                    for (sum, v) in cell[SUM_WY..].iter_mut().zip(row) {
                        *sum += v;
                    }
                }
                Add::Nothing => {}
            }
        }
        for (m, s) in self.moments.iter_mut().zip(&sums) {
            m.merge(&s.moments());
        }
        Ok(())
    }

    /// The check of row `i` of a design with one stage and no fpc: its stratum and PSU in range,
    /// the PSU in one stratum. Returns the PSU.
    // Called for every row of the pass: inlined, so that its common case is two loads and a
    // comparison in the loop.
    #[allow(clippy::inline_always)]
    #[inline(always)]
    fn first_stage(&mut self, design: &Design<'_>, i: usize, global: u64) -> CoreResult<u32> {
        let stratum = match design.strata {
            Some(s) => s[i],
            None => 0,
        };
        let unit = design.stages[0].unit[i];
        match self.parent[0].get(unit as usize) {
            Some(&parent) if parent == stratum => Ok(unit),
            // A unit not seen yet, a stratum out of range or a unit in two strata: the full
            // check says which.
            _ => self.stages(design, i, global),
        }
    }

    /// The full check of row `i`'s stratum, units (each in one unit of the stage above) and fpc
    /// (constant within the group above), recording what is seen first. Returns the last-stage
    /// unit. The first row of a stratum is the first row of its first stage-1 unit.
    #[inline(never)]
    fn stages(&mut self, design: &Design<'_>, i: usize, global: u64) -> CoreResult<u32> {
        let index = global as usize;
        let stratum = match design.strata {
            Some(s) => s[i],
            None => 0,
        };
        if stratum as usize >= self.shape.n_strata {
            return Err(code_error("strata", index, stratum, "the stratum codes"));
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
                if k == 0 {
                    let first = &mut self.first_row_stratum[stratum as usize];
                    *first = (*first).min(global);
                }
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
        Ok(group)
    }
}

/// What a row's outcome adds to its cell.
enum Add<'a> {
    /// Nothing: the outcome is missing.
    Nothing,
    /// `w * value` to the sum of `w y` of a column (and the value to the domain's moments).
    One(usize, f64),
    /// A row of influence values, already weighted, to the sums of every column.
    Row(&'a [f64]),
}
