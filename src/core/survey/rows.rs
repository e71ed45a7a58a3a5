//! The one pass over the rows: each row's stratum, units, weight, domain and outcome checked and
//! added to its (domain, last-stage unit) cell. Row chunks run in parallel on rayon's pool and
//! their partials merge.
use super::partials::{check_shape, fpc_varies_error, nesting_error};
use super::{
    code_error, Cells, CoreError, CoreResult, Design, Domains, Outcome, ShiftedSums,
    SurveyPartials, NO_CODE, POSITIVE, ROWS, SUM_W, SUM_WY,
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
        let last_units = self.shape.last_units() as u64;
        let width = self.shape.width();
        let mut sums = vec![ShiftedSums::default(); self.moments.len()];
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
            if let Outcome::Influence { values, n_columns } = outcome {
                let row = &values[i * n_columns..(i + 1) * n_columns];
                if row.iter().any(|v| v.is_nan()) {
                    continue;
                }
                if row.iter().any(|v| v.is_infinite()) {
                    return Err(CoreError::Infinite { arg: "y", index });
                }
                let cell = self.cell(domain, group, last_units, width);
                cell[ROWS] += 1.0;
                if weight > 0.0 {
                    cell[POSITIVE] += 1.0;
                }
                cell[SUM_W] += weight;
                for (sum, v) in cell[SUM_WY..].iter_mut().zip(row) {
                    *sum += v;
                }
                continue;
            }
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
                Outcome::Influence { .. } => unreachable!("influence rows are added above"),
            };
            if self.shape.numeric {
                sums[domain as usize].push(weight, value);
            }
            let cell = self.cell(domain, group, last_units, width);
            cell[ROWS] += 1.0;
            if weight > 0.0 {
                cell[POSITIVE] += 1.0;
            }
            cell[SUM_W] += weight;
            cell[SUM_WY + column] += weight * value;
        }
        for (m, s) in self.moments.iter_mut().zip(&sums) {
            m.merge(&s.moments());
        }
        Ok(())
    }

    /// The values of the cell of (`domain`, last-stage unit `unit`).
    fn cell(&mut self, domain: u32, unit: u32, last_units: u64, width: usize) -> &mut [f64] {
        let key = u64::from(domain) * last_units + u64::from(unit);
        match &mut self.cells {
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
        }
    }
}
