//! Linearised variances per domain, as R's `svyrecvar`: the design as a tree of strata and
//! units, and R's `multistage` / `onestage` / `onestrat` recursion over it.
use super::super::parallel::map_rows;
use super::{
    CoreError, CoreResult, Covariances, Estimates, Estimator, LonelyPsu, Moments, SurveyPartials,
    NO_CODE, POSITIVE, ROWS, SUM_W, SUM_WY,
};

/// A sampling fraction this close to 1 makes a stratum a certainty stratum: R's `onestrat` treats
/// `(N - n) / N < 1e-7` as zero variance before any lonely-PSU rule.
const CERTAINTY: f64 = 1e-7;

impl SurveyPartials {
    /// Estimates per domain with linearised standard errors, design effects and design df.
    pub fn estimate(&self, estimator: Estimator, lonely: LonelyPsu) -> CoreResult<Estimates> {
        let tree = Tree::new(self, lonely)?;
        let rank = tree.depth_first_rank();
        let (cells, values) = self.ordered_cells(&rank);
        let n_columns = self.shape.n_columns;
        let width = self.shape.width();
        let bounds = domain_bounds(&cells, self.shape.n_domains);
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

    /// Per domain, the totals of the influence columns of an [`Outcome::Influence`] and their
    /// covariance matrix by R's `svyrecvar` (strata, stages, fpc and lonely PSUs as
    /// [`estimate`](Self::estimate)), with the domain's design df.
    pub fn covariance(&self, lonely: LonelyPsu) -> CoreResult<Covariances> {
        let tree = Tree::new(self, lonely)?;
        let rank = tree.depth_first_rank();
        let (cells, values) = self.ordered_cells(&rank);
        let p = self.shape.n_columns;
        let width = self.shape.width();
        let bounds = domain_bounds(&cells, self.shape.n_domains);
        let per_domain = map_rows(self.shape.n_domains, |d| {
            tree.influence(&cells[bounds[d]..bounds[d + 1]], values, width, p)
        });
        let mut out = Covariances {
            n_columns: p,
            total: Vec::with_capacity(self.shape.n_domains * p),
            covariance: Vec::with_capacity(self.shape.n_domains * p * p),
            df: Vec::with_capacity(self.shape.n_domains),
        };
        for (total, covariance, df) in per_domain {
            out.total.extend(total);
            out.covariance.extend(covariance);
            out.df.push(df);
        }
        Ok(out)
    }
}

/// Where each domain's cells start in the ordered cells, and where the last ends.
fn domain_bounds(cells: &[(u32, u32, usize)], n_domains: usize) -> Vec<usize> {
    let mut bounds = vec![0_usize; n_domains + 1];
    for &(d, _, _) in cells {
        bounds[d as usize + 1] += 1;
    }
    for d in 0..n_domains {
        bounds[d + 1] += bounds[d];
    }
    bounds
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
        let path = self.paths(cells);
        let mut z = vec![0.0; cells.len() * n_columns];
        for (i, &(_, _, at)) in cells.iter().enumerate() {
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
            full: false,
            levels,
            z: &z,
            path: &path,
        };
        let mut variance = vec![0.0; n_columns];
        if !cells.is_empty() {
            fold.multistage(0, cells.len(), 0, &mut variance);
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
            df: self.degf(cells, values, &path),
        }
    }

    /// Each cell's path through the design: its stratum, then its unit at each stage.
    fn paths(&self, cells: &[(u32, u32, usize)]) -> Vec<u32> {
        let stages = self.partials.parent.len();
        let levels = stages + 1;
        let mut path = vec![0_u32; cells.len() * levels];
        for (i, &(_, u, _)) in cells.iter().enumerate() {
            let mut unit = u;
            for k in (0..stages).rev() {
                path[i * levels + k + 1] = unit;
                unit = self.partials.parent[k][unit as usize];
            }
            path[i * levels] = unit;
        }
        path
    }

    /// R `degf` on a domain: distinct PSUs minus distinct strata among its positive-weight rows.
    fn degf(&self, cells: &[(u32, u32, usize)], values: &[f64], path: &[u32]) -> f64 {
        let levels = self.partials.parent.len() + 1;
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
        psus - strata
    }

    /// The totals of one domain's influence columns, their covariance matrix (row-major) and
    /// the domain's design df.
    fn influence(
        &self,
        cells: &[(u32, u32, usize)],
        values: &[f64],
        width: usize,
        n_columns: usize,
    ) -> (Vec<f64>, Vec<f64>, f64) {
        let mut totals = vec![0.0; n_columns];
        let mut z = vec![0.0; cells.len() * n_columns];
        for (i, &(_, _, at)) in cells.iter().enumerate() {
            for c in 0..n_columns {
                let v = values[at + SUM_WY + c];
                z[i * n_columns + c] = v;
                totals[c] += v;
            }
        }
        debug_assert!(width >= SUM_WY + n_columns);
        let path = self.paths(cells);
        let fold = Fold {
            tree: self,
            n_columns,
            full: true,
            levels: self.partials.parent.len() + 1,
            z: &z,
            path: &path,
        };
        let mut covariance = vec![0.0; n_columns * n_columns];
        if !cells.is_empty() {
            fold.multistage(0, cells.len(), 0, &mut covariance);
        }
        (totals, covariance, self.degf(cells, values, &path))
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
    /// The full covariance matrix of the columns (row-major), not only their variances.
    full: bool,
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
            let mut sub = vec![0.0; variance.len()];
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
        let means: Vec<f64> = (0..c)
            .map(|col| {
                if lonely {
                    0.0
                } else {
                    unit_totals.iter().skip(col).step_by(c).sum::<f64>() / sampled
                }
            })
            .collect();
        let absent = sampled - present;
        if self.full {
            for a in 0..c {
                for b in 0..c {
                    let spread: f64 = unit_totals
                        .chunks_exact(c)
                        .map(|t| (t[a] - means[a]) * (t[b] - means[b]))
                        .sum::<f64>()
                        + absent * means[a] * means[b];
                    variance[a * c + b] += scale * spread;
                }
            }
        } else {
            for (col, v) in variance.iter_mut().enumerate() {
                let mean = means[col];
                let spread: f64 = unit_totals
                    .iter()
                    .skip(col)
                    .step_by(c)
                    .map(|t| (t - mean) * (t - mean))
                    .sum::<f64>()
                    + absent * mean * mean;
                *v += scale * spread;
            }
        }
        true
    }
}
