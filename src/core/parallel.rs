//! Running a per-row kernel over many rows: serially for small inputs, on rayon's pool above
//! [`PARALLEL_MIN`] rows, and, for interval kernels whose answer depends only on integer counts,
//! once per distinct count or pair of counts.
//!
//! rayon's global pool honours `RAYON_NUM_THREADS`, so that caps the threads used here.
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Below this many rows the cost of waking rayon's workers (tens of microseconds) exceeds the work.
pub const PARALLEL_MIN: usize = 8_192;

/// The largest count for which a dense table of distinct counts is used: 8 MiB of flags at most.
const DENSE_MAX: f64 = 8_000_000.0;

/// `f(i)` for every row `i < n`, in order.
pub fn map_rows<T, F>(n: usize, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize) -> T + Sync + Send,
{
    if n >= PARALLEL_MIN {
        (0..n).into_par_iter().map(f).collect()
    } else {
        (0..n).map(f).collect()
    }
}

/// Rows per task when filling output columns in parallel: large enough to amortise scheduling,
/// small enough to balance two to sixteen threads on a million rows.
const CHUNK: usize = 16_384;

/// `N` output columns of `n` rows, row `i` being `f(i)`; filled in parallel above the threshold,
/// each task writing its own chunk of every column in place. Each column is allocated once, at
/// its final size: fresh pages are the dearest part of a cheap kernel (a page fault per 512 rows
/// and column), so the columns are not built in pieces and copied.
pub fn columns<const N: usize, F>(n: usize, f: F) -> [Vec<f64>; N]
where
    F: Fn(usize) -> [f64; N] + Sync + Send,
{
    let mut out: [Vec<f64>; N] = std::array::from_fn(|_| vec![0.0; n]);
    let fill = |start: usize, chunk: &mut [&mut [f64]]| {
        for r in 0..chunk.first().map_or(0, |c| c.len()) {
            for (column, value) in chunk.iter_mut().zip(f(start + r)) {
                column[r] = value;
            }
        }
    };
    if n < PARALLEL_MIN {
        let mut whole: Vec<&mut [f64]> = out.iter_mut().map(Vec::as_mut_slice).collect();
        fill(0, &mut whole);
        return out;
    }
    // Chunk j of every column, gathered into one task.
    let mut pieces: Vec<std::slice::ChunksMut<'_, f64>> =
        out.iter_mut().map(|c| c.chunks_mut(CHUNK)).collect();
    let tasks: Vec<Vec<&mut [f64]>> = (0..n.div_ceil(CHUNK))
        .map(|_| pieces.iter_mut().filter_map(Iterator::next).collect())
        .collect();
    tasks
        .into_par_iter()
        .enumerate()
        .for_each(|(j, mut chunk)| fill(j * CHUNK, &mut chunk));
    out
}

/// `f(count)` for every count, computing each distinct whole count once.
///
/// Crime counts repeat (many areas and months share small counts), and an exact interval costs
/// a few incomplete-gamma evaluations, so a table of distinct counts pays for itself from a few
/// thousand rows. Counts that are NaN, fractional or beyond the dense table are computed directly.
pub fn per_distinct_count<T, F>(counts: &[f64], f: F) -> Vec<T>
where
    T: Send + Sync + Copy,
    F: Fn(f64) -> T + Sync + Send,
{
    let max = counts
        .iter()
        .copied()
        .filter(|c| is_table_count(*c))
        .fold(-1.0_f64, f64::max);
    if counts.len() < PARALLEL_MIN || max < 0.0 || max > (4 * counts.len()).max(1 << 16) as f64 {
        return map_rows(counts.len(), |i| f(counts[i]));
    }
    let mut present = vec![false; max as usize + 1];
    for &c in counts {
        if is_table_count(c) {
            present[c as usize] = true;
        }
    }
    let distinct: Vec<usize> = (0..present.len()).filter(|&k| present[k]).collect();
    let values = map_rows(distinct.len(), |j| f(distinct[j] as f64));
    let mut slot = vec![0_u32; present.len()];
    for (j, &k) in distinct.iter().enumerate() {
        slot[k] = j as u32;
    }
    map_rows(counts.len(), |i| {
        let c = counts[i];
        if is_table_count(c) {
            values[slot[c as usize] as usize]
        } else {
            f(c)
        }
    })
}

fn is_table_count(c: f64) -> bool {
    (0.0..=DENSE_MAX).contains(&c) && c.fract() == 0.0
}

/// `f(a, b)` for every pair of rows, computing each distinct pair once (by bit pattern).
pub fn per_distinct_pair<T, F>(a: &[f64], b: &[f64], f: F) -> Vec<T>
where
    T: Send + Sync + Copy,
    F: Fn(f64, f64) -> T + Sync + Send,
{
    let n = a.len().min(b.len());
    if n < PARALLEL_MIN {
        return map_rows(n, |i| f(a[i], b[i]));
    }
    let mut slot_of: HashMap<(u64, u64), u32, BuildHasherDefault<PairHasher>> =
        HashMap::with_capacity_and_hasher(1024, BuildHasherDefault::default());
    let mut distinct: Vec<(f64, f64)> = Vec::new();
    let slots: Vec<u32> = (0..n)
        .map(|i| {
            *slot_of
                .entry((a[i].to_bits(), b[i].to_bits()))
                .or_insert_with(|| {
                    distinct.push((a[i], b[i]));
                    (distinct.len() - 1) as u32
                })
        })
        .collect();
    let values = map_rows(distinct.len(), |j| f(distinct[j].0, distinct[j].1));
    map_rows(n, |i| values[slots[i] as usize])
}

/// A fast multiplicative hash for pairs of f64 bit patterns (keys come from the caller's own
/// arrays, not from an adversary, so SipHash's protection is not needed).
#[derive(Default)]
struct PairHasher(u64);

impl Hasher for PairHasher {
    /// The multiply leaves a whole number's f64 pattern (trailing zero mantissa bits) with zero
    /// low bits, and the table picks buckets by the low bits, so a million distinct pairs of
    /// counts would share a handful of buckets; splitmix64's finaliser folds the high bits down.
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_counts_give_the_same_as_direct() {
        let counts: Vec<f64> = (0..50_000)
            .map(|i| match i % 7 {
                0 => f64::NAN,
                1 => 2.5,
                2 => 1e9,
                _ => f64::from(i % 300),
            })
            .collect();
        let f = |c: f64| (c * 2.0, c + 1.0);
        let got = per_distinct_count(&counts, f);
        for (c, g) in counts.iter().zip(&got) {
            let want = f(*c);
            assert!(want.0.to_bits() == g.0.to_bits() && want.1.to_bits() == g.1.to_bits());
        }
    }

    #[test]
    fn pair_hashes_of_whole_numbers_spread_over_the_low_bits() {
        // 4,096 pairs of whole-number counts should land in nearly 4,096 of 65,536 low-bit buckets.
        let mut buckets = std::collections::HashSet::new();
        for a in 0..64_u32 {
            for b in 0..64_u32 {
                let mut h = PairHasher::default();
                h.write_u64(f64::from(a * 37).to_bits());
                h.write_u64(f64::from(b * 11).to_bits());
                buckets.insert(h.finish() & 0xffff);
            }
        }
        assert!(buckets.len() > 3_900, "{} buckets", buckets.len());
    }

    #[test]
    fn distinct_pairs_give_the_same_as_direct() {
        let a: Vec<f64> = (0..40_000).map(|i| f64::from(i % 97)).collect();
        let b: Vec<f64> = (0..40_000).map(|i| f64::from(i % 89 + 100)).collect();
        let got = per_distinct_pair(&a, &b, |x, n| x / n);
        for i in 0..a.len() {
            assert_eq!(got[i], a[i] / b[i]);
        }
    }
}
