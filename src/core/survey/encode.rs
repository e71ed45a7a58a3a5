//! A compact byte encoding of [`SurveyPartials`], so that partials made on one machine (a dask
//! worker, a Spark executor, a loop over files) travel to another and merge there.
//!
//! The layout is little-endian and versioned: a magic `CSSP` and a version byte, the shape, then
//! only what is present (units seen with their parent and first row, fpc values seen, the cells
//! with at least one row), so partials of a partition that touches a few PSUs stay small whatever
//! the size of the design. Decoding checks every length and code against the shape and never
//! panics on bad bytes: it gives a [`CoreError::Design`] instead. Encoding is deterministic (sparse
//! cells are written in key order), so equal partials give equal bytes.
use super::{Cells, CoreError, CoreResult, Moments, Shape, SurveyPartials, NO_CODE};

const MAGIC: &[u8; 4] = b"CSSP";
const VERSION: u8 = 1;

/// Decoding allocates a table per stage over every unit code, seen or not; a stage of more
/// codes than this (a quarter of a billion rows as their own PSUs) is taken for corrupt bytes
/// rather than allocated.
const MAX_UNITS: usize = 1 << 28;

/// Appends little-endian values.
struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn len(&mut self, v: usize) {
        self.u64(v as u64);
    }
    fn f64(&mut self, v: f64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
}

/// Reads little-endian values, failing at the end of the bytes.
struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

fn malformed(what: &str) -> CoreError {
    CoreError::Design(format!(
        "partials: {what}; these bytes are not survey partials written by this version of \
         crimestats"
    ))
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> CoreResult<[u8; N]> {
        let end = self.at.checked_add(N).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| malformed("they end too soon"))?;
        let mut out = [0_u8; N];
        out.copy_from_slice(&self.bytes[self.at..end]);
        self.at = end;
        Ok(out)
    }
    fn u8(&mut self) -> CoreResult<u8> {
        Ok(self.take::<1>()?[0])
    }
    fn flag(&mut self) -> CoreResult<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(malformed("a flag is neither 0 nor 1")),
        }
    }
    fn u32(&mut self) -> CoreResult<u32> {
        Ok(u32::from_le_bytes(self.take()?))
    }
    fn u64(&mut self) -> CoreResult<u64> {
        Ok(u64::from_le_bytes(self.take()?))
    }
    fn f64(&mut self) -> CoreResult<f64> {
        Ok(f64::from_le_bytes(self.take()?))
    }
    /// A size below `limit`.
    fn len(&mut self, limit: usize, what: &str) -> CoreResult<usize> {
        let v = self.u64()?;
        usize::try_from(v)
            .ok()
            .filter(|&v| v < limit)
            .ok_or_else(|| malformed(&format!("{what} is {v}")))
    }
    /// A count of records of `record` bytes each, no more than the bytes left can hold.
    fn count(&mut self, record: usize, what: &str) -> CoreResult<usize> {
        let left = self.bytes.len() - self.at;
        self.len(left / record + 1, what)
    }
}

impl SurveyPartials {
    /// The partials as bytes, for [`from_bytes`](Self::from_bytes) to read back.
    pub fn to_bytes(&self) -> Vec<u8> {
        let shape = &self.shape;
        let mut w = Writer(Vec::new());
        w.0.extend_from_slice(MAGIC);
        w.u8(VERSION);
        w.len(shape.n_strata);
        w.len(shape.n_units.len());
        for (&n, &fpc) in shape.n_units.iter().zip(&shape.has_fpc) {
            w.len(n);
            w.u8(u8::from(fpc));
        }
        w.len(shape.n_domains);
        w.len(shape.n_columns);
        w.u8(u8::from(shape.numeric));
        for &row in &self.first_row_stratum {
            w.u64(row);
        }
        for (parents, first) in self.parent.iter().zip(&self.first_row_unit) {
            w.len(parents.iter().filter(|&&p| p != NO_CODE).count());
            for (unit, (&p, &row)) in parents.iter().zip(first).enumerate() {
                if p != NO_CODE {
                    w.u32(unit as u32);
                    w.u32(p);
                    w.u64(row);
                }
            }
        }
        for fpc in &self.fpc {
            w.len(fpc.iter().filter(|f| !f.is_nan()).count());
            for (group, &f) in fpc.iter().enumerate() {
                if !f.is_nan() {
                    w.u32(group as u32);
                    w.f64(f);
                }
            }
        }
        for m in &self.moments {
            w.f64(m.weight);
            w.f64(m.mean);
            w.f64(m.m2);
        }
        let width = shape.width();
        let mut cells: Vec<(u64, &[f64])> = match &self.cells {
            Cells::Dense(values) => values
                .chunks_exact(width)
                .enumerate()
                .filter(|(_, cell)| cell[super::ROWS] > 0.0)
                .map(|(key, cell)| (key as u64, cell))
                .collect(),
            Cells::Sparse { slot, values } => slot
                .iter()
                .map(|(&key, &at)| (key, &values[at..at + width]))
                .collect(),
        };
        cells.sort_unstable_by_key(|&(key, _)| key);
        w.len(cells.len());
        for (key, cell) in cells {
            w.u64(key);
            for &v in cell {
                w.f64(v);
            }
        }
        w.0
    }

    /// Partials from the bytes of [`to_bytes`](Self::to_bytes).
    pub fn from_bytes(bytes: &[u8]) -> CoreResult<Self> {
        let mut r = Reader { bytes, at: 0 };
        if r.take::<4>()? != *MAGIC {
            return Err(malformed(
                "they do not start with the survey partials' mark",
            ));
        }
        let version = r.u8()?;
        if version != VERSION {
            return Err(malformed(&format!("version {version}")));
        }
        let limit = NO_CODE as usize;
        let n_strata = r.len(limit, "the number of strata")?;
        let stages = r.len(64, "the number of stages")?;
        let mut n_units = Vec::with_capacity(stages);
        let mut has_fpc = Vec::with_capacity(stages);
        for _ in 0..stages {
            n_units.push(r.len(MAX_UNITS, "the number of units")?);
            has_fpc.push(r.flag()?);
        }
        let shape = Shape {
            n_strata,
            n_units,
            has_fpc,
            n_domains: r.len(limit, "the number of domains")?,
            n_columns: r.len(limit, "the number of columns")?,
            numeric: r.flag()?,
        };
        if n_strata == 0 || stages == 0 || shape.n_columns == 0 {
            return Err(malformed("no strata, stages or columns"));
        }
        let moments = if shape.numeric { shape.n_domains } else { 0 };
        let dense = (shape.n_strata as u64).saturating_add(3 * moments as u64);
        if dense.saturating_mul(8) > (bytes.len() - r.at) as u64 {
            return Err(malformed("they end too soon"));
        }
        let mut p = Self::empty(shape);
        for row in &mut p.first_row_stratum {
            *row = r.u64()?;
        }
        for k in 0..stages {
            let groups = if k == 0 {
                p.shape.n_strata
            } else {
                p.shape.n_units[k - 1]
            };
            for _ in 0..r.count(16, "the number of units seen")? {
                let (unit, parent, row) = (r.u32()? as usize, r.u32()?, r.u64()?);
                if unit >= p.shape.n_units[k] || parent as usize >= groups {
                    return Err(malformed("a unit or its parent is out of range"));
                }
                p.parent[k][unit] = parent;
                p.first_row_unit[k][unit] = row;
            }
        }
        for k in 0..stages {
            for _ in 0..r.count(12, "the number of fpc values")? {
                let (group, value) = (r.u32()? as usize, r.f64()?);
                let slot = p.fpc[k].get_mut(group);
                *slot.ok_or_else(|| malformed("an fpc group is out of range"))? = value;
            }
        }
        for m in &mut p.moments {
            *m = Moments {
                weight: r.f64()?,
                mean: r.f64()?,
                m2: r.f64()?,
            };
        }
        let width = p.shape.width();
        let n_cells = (p.shape.n_domains as u64).saturating_mul(p.shape.last_units() as u64);
        for _ in 0..r.count(8 * (width + 1), "the number of cells")? {
            let key = r.u64()?;
            if key >= n_cells {
                return Err(malformed("a cell is out of range"));
            }
            let cell = match &mut p.cells {
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
            for v in cell.iter_mut() {
                *v += r.f64()?;
            }
        }
        if r.at != bytes.len() {
            return Err(malformed("bytes are left over after the cells"));
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Design, Domains, Estimator, LonelyPsu, Outcome, Stage};
    use super::*;

    /// Two strata, four PSUs, two domains, a numeric y with a missing value and a zero weight.
    fn partials(rows: std::ops::Range<usize>, units: usize) -> SurveyPartials {
        let weight = [1.0, 2.0, 0.0, 1.5, 3.0, 2.5, 1.0, 2.0];
        let strata = [0, 0, 0, 0, 1, 1, 1, 1];
        let psu = [0, 0, 1, 1, 2, 2, 3, 3];
        let fpc = [10.0, 10.0, 10.0, 10.0, 8.0, 8.0, 8.0, 8.0];
        let y = [1.0, 0.0, 1.0, f64::NAN, 1.0, 1.0, 0.0, 1.0];
        let domain = [0, 1, 0, 1, 0, 0, 1, NO_CODE];
        let row_units: Vec<u32> = (0..8).collect();
        let r = rows.clone();
        let design = Design {
            weight: &weight[r.clone()],
            strata: Some(&strata[r.clone()]),
            n_strata: 2,
            stages: vec![Stage {
                unit: if units == 4 {
                    &psu[r.clone()]
                } else {
                    &row_units[r.clone()]
                },
                n_units: units,
                fpc: Some(&fpc[r.clone()]),
            }],
        };
        SurveyPartials::from_rows(
            &design,
            Outcome::Numeric(&y[r.clone()]),
            Domains {
                code: Some(&domain[r.clone()]),
                n_domains: 2,
            },
            rows.start as u64,
        )
        .unwrap()
    }

    fn same_estimates(a: &SurveyPartials, b: &SurveyPartials) {
        for estimator in [Estimator::Mean, Estimator::Total] {
            let (x, y) = (
                a.estimate(estimator, LonelyPsu::Adjust).unwrap(),
                b.estimate(estimator, LonelyPsu::Adjust).unwrap(),
            );
            for (u, v) in [(&x.estimate, &y.estimate), (&x.se, &y.se), (&x.df, &y.df)] {
                for (s, t) in u.iter().zip(v) {
                    assert!(s == t || (s.is_nan() && t.is_nan()), "{u:?} vs {v:?}");
                }
            }
        }
    }

    #[test]
    fn bytes_round_trip_dense_and_sparse() {
        // Four PSUs keep a dense table; a unit per row beyond the dense limit goes sparse.
        for units in [4, (1 << 22) + 8] {
            let whole = partials(0..8, units);
            let back = SurveyPartials::from_bytes(&whole.to_bytes()).unwrap();
            assert_eq!(back.to_bytes(), whole.to_bytes());
            same_estimates(&whole, &back);
        }
    }

    #[test]
    fn decoded_partials_of_split_psus_merge_to_the_whole() {
        // Rows 0..3 and 3..8: PSU 1 spans the two parts.
        let whole = partials(0..8, 4);
        let first = SurveyPartials::from_bytes(&partials(0..3, 4).to_bytes()).unwrap();
        let second = SurveyPartials::from_bytes(&partials(3..8, 4).to_bytes()).unwrap();
        same_estimates(&whole, &second.merge(first).unwrap());
    }

    #[test]
    fn bad_bytes_are_an_error_not_a_panic() {
        let bytes = partials(0..8, 4).to_bytes();
        for cut in 0..bytes.len() {
            assert!(
                SurveyPartials::from_bytes(&bytes[..cut]).is_err(),
                "cut {cut}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(SurveyPartials::from_bytes(&longer).is_err());
        for at in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0xFF;
            // Any outcome but a panic: a flipped value byte still decodes.
            let _ = SurveyPartials::from_bytes(&flipped);
        }
        let err = SurveyPartials::from_bytes(b"not partials").unwrap_err();
        assert!(err.to_string().starts_with("partials: "), "{err}");
    }
}
