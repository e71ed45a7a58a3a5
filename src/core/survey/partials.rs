//! Making, merging and ordering [`SurveyPartials`]: the empty table of a design's shape, the
//! exact merge of two sets of partials, and the cells in the order the variance walks them.
use super::{
    Cells, CoreError, CoreResult, Design, Domains, Moments, Outcome, Shape, SurveyPartials, NO_CODE,
};
use std::collections::HashMap;

/// Up to this many possible cells of (domain, last-stage unit) times values per cell, the cells
/// are found by a direct index of every possible key (4 bytes a key); beyond it (an unclustered
/// design with many domains, say) by a hash map of the keys that occur.
pub(super) const DENSE_VALUES: usize = 1 << 22;

impl SurveyPartials {
    pub(super) fn empty(shape: Shape) -> Self {
        let cells_len = shape.n_domains * shape.last_units();
        let cells = if cells_len.saturating_mul(shape.width()) <= DENSE_VALUES {
            Cells::Indexed {
                slot: vec![0; cells_len],
                n_domains: shape.n_domains,
                keys: Vec::new(),
                values: Vec::new(),
            }
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
        let units = self.shape.last_units() as u64;
        let theirs = other.cells.values();
        for (key, at) in other.cells.present(width) {
            let mine = self.cells.cell_of_key(key, units, width);
            for (a, b) in mine.iter_mut().zip(&theirs[at..at + width]) {
                *a += b;
            }
        }
        Ok(self)
    }

    /// The present cells as (domain, last-stage unit, offset into the values), ordered by domain
    /// and then depth-first through the design (stratum, stage-1 unit, stage-2 unit, ...).
    pub(super) fn ordered_cells(&self, rank: &[u32]) -> (Vec<(u32, u32, usize)>, &[f64]) {
        let last = self.shape.last_units();
        let width = self.shape.width();
        let mut out = match &self.cells {
            Cells::Indexed {
                slot, n_domains, ..
            } => {
                // Units in depth-first order, each unit's domains side by side in the index: a
                // pass over the index counts each domain's cells, a second places them.
                let mut by_rank: Vec<u32> = vec![NO_CODE; last];
                for (u, &r) in rank.iter().enumerate() {
                    if r != NO_CODE {
                        by_rank[r as usize] = u as u32;
                    }
                }
                let by_rank: Vec<u32> = by_rank.into_iter().filter(|&u| u != NO_CODE).collect();
                let own = |u: u32| &slot[u as usize * n_domains..(u as usize + 1) * n_domains];
                let mut start = vec![0_usize; n_domains + 1];
                for &u in &by_rank {
                    for (d, &s) in own(u).iter().enumerate() {
                        start[d + 1] += usize::from(s != 0);
                    }
                }
                for d in 0..*n_domains {
                    start[d + 1] += start[d];
                }
                let mut out = vec![(0_u32, 0_u32, 0_usize); start[*n_domains]];
                for &u in &by_rank {
                    for (d, &s) in own(u).iter().enumerate() {
                        if s != 0 {
                            out[start[d]] = (d as u32, u, (s as usize - 1) * width);
                            start[d] += 1;
                        }
                    }
                }
                return (out, self.cells.values());
            }
            Cells::Sparse { .. } => self
                .cells
                .present(width)
                .into_iter()
                .map(|(key, at)| ((key / last as u64) as u32, (key % last as u64) as u32, at))
                .collect::<Vec<_>>(),
        };
        out.sort_unstable_by_key(|&(d, u, _)| (d, rank[u as usize]));
        (out, self.cells.values())
    }
}

pub(super) fn nesting_error(stage: usize, first: u64, again: u64) -> CoreError {
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

pub(super) fn fpc_varies_error(stage: usize, row: u64, value: f64, seen: f64) -> CoreError {
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

pub(super) fn check_shape(
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
