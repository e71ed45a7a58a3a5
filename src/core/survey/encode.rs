//! The byte encoding of [`SurveyPartials`], so that partials made on one machine (a dask
//! worker, a Spark executor, a loop over files) travel to another and merge there.
//!
//! Layout: the mark `CSSP`, a version byte, the CRC-32 of the body (little-endian), then the body:
//! a [`Wire`] record in postcard's format (serde; varint integers, lengths before sequences). Only
//! what is present is written (units seen with their parent and first row, fpc values seen, cells
//! with at least one row), so a partition that touches a few PSUs stays small whatever the size of
//! the design. Encoding is deterministic (cells in key order), so equal partials give equal bytes.
//!
//! Decoding never panics and never trusts a size: a truncated or altered payload fails the
//! checksum or postcard's own reading, and every code and count is checked against the shape
//! before anything is built. The tables the shape implies (one entry per unit code, stratum and
//! domain) are allocated only within [`budget`] of the payload's length, so a short payload
//! cannot claim billions of units or domains. Every failure is a [`CoreError::Design`] naming
//! the partials.
use super::{CoreError, CoreResult, Moments, Shape, SurveyPartials, NO_CODE};
use serde::{Deserialize, Serialize};

const MAGIC: &[u8; 4] = b"CSSP";
const VERSION: u8 = 2;
/// Mark, version byte and checksum.
const HEADER: usize = 4 + 1 + 4;

/// The bytes the shape's tables may take when decoded: 64 per payload byte, and at least
/// 256 MiB (a partition that touches a few PSUs of a design with millions of them is small but
/// decodes to the design's full tables).
fn budget(payload: usize) -> u64 {
    (payload as u64).saturating_mul(64).max(256 << 20)
}

/// The partials as written: the shape, then only what is present.
#[derive(Serialize, Deserialize)]
struct Wire {
    n_strata: u32,
    /// Per stage: the number of unit codes and whether the stage has an fpc.
    stages: Vec<(u32, bool)>,
    n_domains: u32,
    n_columns: u32,
    numeric: bool,
    first_row_stratum: Vec<u64>,
    /// Per stage, the units seen: (unit, parent, first row).
    units: Vec<Vec<(u32, u32, u64)>>,
    /// Per stage with an fpc, the groups seen: (group, fpc).
    fpc: Vec<Vec<(u32, f64)>>,
    /// Per domain of a numeric y: weight, mean and sum of squared deviations.
    moments: Vec<(f64, f64, f64)>,
    /// Cells with at least one row: (domain x units + unit, the cell's values).
    cells: Vec<(u64, Vec<f64>)>,
}

fn malformed(what: &str) -> CoreError {
    CoreError::Design(format!(
        "partials: {what}; these bytes are not survey partials written by this version of \
         crimestats"
    ))
}

impl SurveyPartials {
    /// The partials as bytes, for [`from_bytes`](Self::from_bytes) to read back.
    pub fn to_bytes(&self) -> Vec<u8> {
        let shape = &self.shape;
        let width = shape.width();
        let values = self.cells.values();
        let mut cells: Vec<(u64, Vec<f64>)> = self
            .cells
            .present(width)
            .into_iter()
            .map(|(key, at)| (key, values[at..at + width].to_vec()))
            .collect();
        cells.sort_unstable_by_key(|&(key, _)| key);
        let wire = Wire {
            n_strata: shape.n_strata as u32,
            stages: shape
                .n_units
                .iter()
                .zip(&shape.has_fpc)
                .map(|(&n, &f)| (n as u32, f))
                .collect(),
            n_domains: shape.n_domains as u32,
            n_columns: shape.n_columns as u32,
            numeric: shape.numeric,
            first_row_stratum: self.first_row_stratum.clone(),
            units: self
                .parent
                .iter()
                .zip(&self.first_row_unit)
                .map(|(parents, first)| {
                    parents
                        .iter()
                        .zip(first)
                        .enumerate()
                        .filter(|(_, (&p, _))| p != NO_CODE)
                        .map(|(u, (&p, &row))| (u as u32, p, row))
                        .collect()
                })
                .collect(),
            fpc: self
                .fpc
                .iter()
                .map(|fpc| {
                    fpc.iter()
                        .enumerate()
                        .filter(|(_, f)| !f.is_nan())
                        .map(|(g, &f)| (g as u32, f))
                        .collect()
                })
                .collect(),
            moments: self
                .moments
                .iter()
                .map(|m| (m.weight, m.mean, m.m2))
                .collect(),
            cells,
        };
        let body = postcard::to_allocvec(&wire).unwrap_or_default();
        let mut out = Vec::with_capacity(HEADER + body.len());
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }

    /// Partials from the bytes of [`to_bytes`](Self::to_bytes).
    pub fn from_bytes(bytes: &[u8]) -> CoreResult<Self> {
        if bytes.len() < HEADER || &bytes[..4] != MAGIC {
            return Err(malformed(
                "they do not start with the survey partials' mark",
            ));
        }
        if bytes[4] != VERSION {
            return Err(malformed(&format!("version {}", bytes[4])));
        }
        let body = &bytes[HEADER..];
        let checksum = u32::from_le_bytes([bytes[5], bytes[6], bytes[7], bytes[8]]);
        if crc32fast::hash(body) != checksum {
            return Err(malformed(
                "their checksum does not match (truncated or altered)",
            ));
        }
        let (wire, rest): (Wire, &[u8]) =
            postcard::take_from_bytes(body).map_err(|e| malformed(&format!("{e}")))?;
        if !rest.is_empty() {
            return Err(malformed("bytes are left over after the cells"));
        }
        let shape = Shape {
            n_strata: wire.n_strata as usize,
            n_units: wire.stages.iter().map(|&(n, _)| n as usize).collect(),
            has_fpc: wire.stages.iter().map(|&(_, f)| f).collect(),
            n_domains: wire.n_domains as usize,
            n_columns: wire.n_columns as usize,
            numeric: wire.numeric,
        };
        check_shape(&shape, &wire, bytes.len())?;
        let mut p = Self::empty(shape);
        p.first_row_stratum.clone_from(&wire.first_row_stratum);
        for (k, units) in wire.units.iter().enumerate() {
            let groups = if k == 0 {
                p.shape.n_strata
            } else {
                p.shape.n_units[k - 1]
            };
            for &(unit, parent, row) in units {
                let unit = unit as usize;
                if unit >= p.shape.n_units[k] || parent as usize >= groups {
                    return Err(malformed("a unit or its parent is out of range"));
                }
                p.parent[k][unit] = parent;
                p.first_row_unit[k][unit] = row;
            }
        }
        for (k, groups) in wire.fpc.iter().enumerate() {
            for &(group, value) in groups {
                let slot = p.fpc[k].get_mut(group as usize);
                *slot.ok_or_else(|| malformed("an fpc group is out of range"))? = value;
            }
        }
        for (m, &(weight, mean, m2)) in p.moments.iter_mut().zip(&wire.moments) {
            *m = Moments { weight, mean, m2 };
        }
        let width = p.shape.width();
        let n_cells = (p.shape.n_domains as u64).saturating_mul(p.shape.last_units() as u64);
        let mut last_key = None;
        for (key, cell) in wire.cells {
            if key >= n_cells || cell.len() != width || last_key.is_some_and(|k| k >= key) {
                return Err(malformed(
                    "a cell is out of range, repeated or of the wrong width",
                ));
            }
            last_key = Some(key);
            let target = p.cells.cell_of_key(key, p.shape.last_units() as u64, width);
            target.copy_from_slice(&cell);
        }
        Ok(p)
    }
}

/// The decoded record's sizes agree with its shape, and the shape's tables fit the budget.
fn check_shape(shape: &Shape, wire: &Wire, payload: usize) -> CoreResult<()> {
    let stages = shape.n_units.len();
    if shape.n_strata == 0 || stages == 0 || shape.n_columns == 0 {
        return Err(malformed("no strata, stages or columns"));
    }
    if shape.n_units.iter().any(|&n| n >= NO_CODE as usize)
        || shape.n_strata >= NO_CODE as usize
        || shape.n_domains >= NO_CODE as usize
    {
        return Err(malformed("a count of codes is out of range"));
    }
    let moments = if shape.numeric { shape.n_domains } else { 0 };
    if wire.first_row_stratum.len() != shape.n_strata
        || wire.units.len() != stages
        || wire.fpc.len() != stages
        || wire.moments.len() != moments
    {
        return Err(malformed("their tables do not match their shape"));
    }
    // What `empty` allocates: per stage a parent and a first row per unit, an fpc per group of a
    // stage with an fpc, a first row per stratum, moments per domain, and the dense cells.
    let units: u64 = shape.n_units.iter().map(|&n| n as u64 * 12).sum();
    let fpc: u64 = (0..stages)
        .filter(|&k| shape.has_fpc[k])
        .map(|k| {
            8 * if k == 0 {
                shape.n_strata
            } else {
                shape.n_units[k - 1]
            } as u64
        })
        .sum();
    let cells = (shape.n_domains as u64)
        .saturating_mul(shape.last_units() as u64)
        .saturating_mul(shape.width() as u64);
    let dense = if cells <= super::partials::DENSE_VALUES as u64 {
        cells * 8
    } else {
        0
    };
    // Estimating then holds a few values per domain and column (estimates, bounds, df).
    let domains = 64 * (shape.n_domains as u64) * (shape.n_columns as u64 + 1);
    let total = units + fpc + 8 * shape.n_strata as u64 + 24 * moments as u64 + dense + domains;
    if total > budget(payload) {
        return Err(malformed(&format!(
            "their shape claims tables of {total} bytes from a payload of {payload}"
        )));
    }
    Ok(())
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
            for bit in 0..8 {
                let mut flipped = bytes.clone();
                flipped[at] ^= 1 << bit;
                assert!(
                    SurveyPartials::from_bytes(&flipped).is_err(),
                    "byte {at} bit {bit} flipped still decodes"
                );
            }
        }
        let err = SurveyPartials::from_bytes(b"not partials").unwrap_err();
        assert!(err.to_string().starts_with("partials: "), "{err}");
    }
}

#[cfg(test)]
mod attacks {
    use super::*;

    /// A payload with a correct checksum around any body, as an attacker could make one.
    fn sealed(body: &[u8]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.push(VERSION);
        out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn a_short_payload_cannot_claim_billions_of_units_or_domains() {
        for (units, domains) in [(1 << 28, 1), (1, 4_000_000_000_u32), (u32::MAX - 1, 2)] {
            let wire = Wire {
                n_strata: 1,
                stages: vec![(units, false)],
                n_domains: domains,
                n_columns: 1,
                numeric: false,
                first_row_stratum: vec![0],
                units: vec![vec![]],
                fpc: vec![vec![]],
                moments: vec![],
                cells: vec![],
            };
            let bytes = sealed(&postcard::to_allocvec(&wire).unwrap());
            assert!(bytes.len() < 100, "{}", bytes.len());
            let err = SurveyPartials::from_bytes(&bytes).unwrap_err();
            assert!(err.to_string().starts_with("partials: "), "{err}");
            assert!(err.to_string().contains("claims") || err.to_string().contains("range"));
        }
    }
}
