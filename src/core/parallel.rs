//! Running a per-row kernel over many rows: serially for small inputs, on rayon's pool above
//! [`PARALLEL_MIN`] rows, and, for interval kernels whose answer depends only on integer counts,
//! once per distinct count or pair of counts.
//!
//! rayon's global pool honours `RAYON_NUM_THREADS`, so that caps the threads used here.
//!
//! # Reading memory another thread may write
//!
//! The binding hands the kernels the caller's own numpy arrays and releases the GIL, so another
//! Python thread may write to them while a kernel runs. A kernel that checked a value and later
//! read it again could compute on a value that never passed the check (or index a table with it).
//! Two disciplines keep that out, and every kernel follows one of them:
//!
//! * [`rows`] reads each input element exactly once, by a relaxed atomic load into a block buffer
//!   on the stack, then checks and computes from that buffer. The cheap closed-form kernels use
//!   it: no extra memory, and the copy into L1 costs about 0.3 ns a value.
//! * [`snapshot`] copies a column once, the same way, into memory the kernel owns; kernels that
//!   read their inputs more than once (distinct-value tables, funnels, tests) work on snapshots.
//!   On this machine a snapshot costs about 1 ms per million values (measured by
//!   `bench/rates.py`), small beside those kernels' own cost; [`rows`] can write it straight into
//!   an output column, so the snapshot takes no memory beyond the result.
use super::error::{CoreError, CoreResult};
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

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

/// Rows loaded at a time by [`rows`], per input column (4 KiB of stack each).
const BLOCK: usize = 512;

/// `values` seen as cells another thread may write, when it is aligned for 64-bit atomics (numpy
/// allocates with that alignment; an unaligned view of a buffer is read by volatile loads).
fn cells(values: &[f64]) -> Option<&[AtomicU64]> {
    const { assert!(std::mem::size_of::<f64>() == std::mem::size_of::<AtomicU64>()) };
    if values
        .as_ptr()
        .align_offset(std::mem::align_of::<AtomicU64>())
        != 0
    {
        return None;
    }
    // SAFETY: same size, and the alignment was checked; `AtomicU64` is the type for memory that
    // other threads may write while it is read, which is exactly the caller's array's situation.
    Some(unsafe { &*(std::ptr::from_ref(values) as *const [AtomicU64]) })
}

/// Copies `values[start..start + dst.len()]` into `dst`, reading each element exactly once (a
/// relaxed atomic load, which the compiler may neither repeat nor elide). The caller's array may
/// be written meanwhile; `dst` then holds, for each element, one value it really had.
pub fn load(values: &[f64], start: usize, dst: &mut [f64]) {
    let src = &values[start..start + dst.len()];
    if let Some(src) = cells(src) {
        for (d, cell) in dst.iter_mut().zip(src) {
            *d = f64::from_bits(cell.load(Ordering::Relaxed));
        }
    } else {
        for (i, d) in dst.iter_mut().enumerate() {
            // SAFETY: `i < src.len()`; an unaligned read of initialised memory.
            *d = unsafe { src.as_ptr().add(i).read_volatile() };
        }
    }
}

/// A copy of `values` owned by the kernel, each element read once (see [`load`]); in parallel
/// chunks above the threshold.
pub fn snapshot(values: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; values.len()];
    if values.len() < PARALLEL_MIN {
        load(values, 0, &mut out);
    } else {
        out.par_chunks_mut(CHUNK)
            .enumerate()
            .for_each(|(j, chunk)| load(values, j * CHUNK, chunk));
    }
    out
}

/// A bad row found by [`rows`]: the rank of the check it failed (checks are ranked in the order
/// a serial validation would run them, so the reported error is the one it would report) and the
/// error, which names the position.
pub type RowError = (u8, CoreError);

/// The first error of a task: lowest rank, then lowest row.
type Worst = Option<(u8, usize, CoreError)>;

fn keep_worst(worst: Worst, other: Worst) -> Worst {
    match (worst, other) {
        (Some(a), Some(b)) => Some(if (b.0, b.1) < (a.0, a.1) { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// `N` output columns of the rows of `K` input columns, each input element read exactly once:
/// a block of every input is loaded (see [`load`]), each row of the block is checked by `check`
/// (given the row number and the values), and `f` maps the values to the row's outputs. The
/// inputs may be the caller's memory, written by another thread meanwhile: what is checked is
/// what is computed on. Errors are reported as a serial check would (see [`RowError`]).
///
/// All inputs must have the length of the first (callers check lengths first).
pub fn rows<const K: usize, const N: usize, C, F>(
    inputs: [&[f64]; K],
    check: C,
    f: F,
) -> CoreResult<[Vec<f64>; N]>
where
    C: Fn(usize, [f64; K]) -> Result<(), RowError> + Sync,
    F: Fn([f64; K]) -> [f64; N] + Sync,
{
    let n = inputs.first().map_or(0, |c| c.len());
    debug_assert!(inputs.iter().all(|c| c.len() == n));
    let mut out: [Vec<f64>; N] = std::array::from_fn(|_| vec![0.0; n]);
    let task = |start: usize, mut chunk: [&mut [f64]; N]| -> Worst {
        let len = chunk.first().map_or(0, |c| c.len());
        let mut worst: Worst = None;
        let mut buf = [[0.0_f64; BLOCK]; K];
        for b0 in (0..len).step_by(BLOCK) {
            let m = BLOCK.min(len - b0);
            for (input, block) in inputs.iter().zip(buf.iter_mut()) {
                load(input, start + b0, &mut block[..m]);
            }
            let row = |r: usize| -> [f64; K] { std::array::from_fn(|k| buf[k][r]) };
            for r in 0..m {
                if let Err((rank, err)) = check(start + b0 + r, row(r)) {
                    if worst.as_ref().map_or(true, |w| rank < w.0) {
                        worst = Some((rank, start + b0 + r, err));
                    }
                }
            }
            if worst.is_some() {
                continue; // the result is an error; only lower-ranked errors matter now
            }
            for r in 0..m {
                let values = f(row(r));
                for (column, value) in chunk.iter_mut().zip(values) {
                    column[b0 + r] = value;
                }
            }
        }
        worst
    };
    let worst = if n < PARALLEL_MIN {
        task(0, out.each_mut().map(Vec::as_mut_slice))
    } else {
        let mut pieces = out.each_mut().map(|c| c.chunks_mut(CHUNK));
        let tasks: Vec<[&mut [f64]; N]> = (0..n.div_ceil(CHUNK))
            .map(|_| pieces.each_mut().map(|p| p.next().unwrap_or_default()))
            .collect();
        tasks
            .into_par_iter()
            .enumerate()
            .map(|(j, chunk)| task(j * CHUNK, chunk))
            .reduce(|| None, keep_worst)
    };
    match worst {
        Some((_, _, err)) => Err(err),
        None => Ok(out),
    }
}

/// Runs `f` on every element of `a` and `b` pairwise, in place, in parallel above the threshold.
pub fn zip_in_place<F>(a: &mut [f64], b: &mut [f64], f: F)
where
    F: Fn(&mut f64, &mut f64) + Sync,
{
    let run = |a: &mut [f64], b: &mut [f64]| {
        for (x, y) in a.iter_mut().zip(b.iter_mut()) {
            f(x, y);
        }
    };
    if a.len() < PARALLEL_MIN {
        run(a, b);
    } else {
        a.par_chunks_mut(CHUNK)
            .zip(b.par_chunks_mut(CHUNK))
            .for_each(|(a, b)| run(a, b));
    }
}

/// `f` at each distinct whole count of a column, computed once and found again by a direct index
/// (an array indexed by the count; no hashing).
///
/// Crime counts repeat (many areas and months share small counts), and an exact interval costs a
/// few incomplete-gamma evaluations, so the table pays for itself from a few thousand rows. Counts
/// that are NaN, fractional or beyond the table are not in it: [`CountTable::get`] gives `None`
/// and the caller computes them directly.
pub struct CountTable<T> {
    /// `slot[k]` is the index in `values` of count `k`, or `u32::MAX` when `k` does not occur.
    slot: Vec<u32>,
    values: Vec<T>,
}

impl<T: Copy + Send + Sync> CountTable<T> {
    /// The table over `counts` (memory the kernel owns: it is read twice), or `None` when it would
    /// not pay: under [`PARALLEL_MIN`] rows, no whole counts, or a largest count beyond four times
    /// the rows (and 65,536), where the index would cost more than it saves.
    pub fn new<F>(counts: &[f64], f: F) -> Option<Self>
    where
        F: Fn(f64) -> T + Sync + Send,
    {
        let max = counts
            .iter()
            .copied()
            .filter(|c| is_table_count(*c))
            .fold(-1.0_f64, f64::max);
        if counts.len() < PARALLEL_MIN || max < 0.0 || max > (4 * counts.len()).max(1 << 16) as f64
        {
            return None;
        }
        let mut slot = vec![u32::MAX; max as usize + 1];
        for &c in counts {
            if is_table_count(c) && (c as usize) < slot.len() {
                slot[c as usize] = 0;
            }
        }
        let distinct: Vec<usize> = (0..slot.len()).filter(|&k| slot[k] == 0).collect();
        for (j, &k) in distinct.iter().enumerate() {
            slot[k] = j as u32;
        }
        let values = map_rows(distinct.len(), |j| f(distinct[j] as f64));
        Some(Self { slot, values })
    }

    /// `f(c)` when `c` is a count in the table.
    #[inline]
    pub fn get(&self, c: f64) -> Option<T> {
        if !is_table_count(c) {
            return None;
        }
        let j = *self.slot.get(c as usize)?;
        self.values.get(j as usize).copied()
    }
}

fn is_table_count(c: f64) -> bool {
    (0.0..=DENSE_MAX).contains(&c) && c.fract() == 0.0
}

/// `f(a, b)` for every pair of rows, computing each distinct pair once (by bit pattern). The
/// arrays are read twice: they must be memory the kernel owns.
pub fn per_distinct_pair<T, F>(a: &[f64], b: &[f64], f: F) -> Vec<T>
where
    T: Send + Sync + Copy,
    F: Fn(f64, f64) -> T + Sync + Send,
{
    let n = a.len().min(b.len());
    if n < PARALLEL_MIN {
        return map_rows(n, |i| f(a[i], b[i]));
    }
    let (slots, values) = distinct_pairs(&a[..n], &b[..n], f);
    map_rows(n, |i| values[slots[i] as usize])
}

/// `(a[i], b[i]) = f(a[i], b[i])` for every row, in place, computing each distinct pair once; the
/// form of [`per_distinct_pair`] that needs no result memory beyond the arrays themselves.
pub fn per_distinct_pair_in_place<F>(a: &mut [f64], b: &mut [f64], f: F)
where
    F: Fn(f64, f64) -> (f64, f64) + Sync + Send,
{
    if a.len().min(b.len()) < PARALLEL_MIN {
        zip_in_place(a, b, |x, y| (*x, *y) = f(*x, *y));
        return;
    }
    let (slots, values) = distinct_pairs(a, b, f);
    let run = |a: &mut [f64], b: &mut [f64], slots: &[u32]| {
        for ((x, y), &s) in a.iter_mut().zip(b.iter_mut()).zip(slots) {
            (*x, *y) = values[s as usize];
        }
    };
    a.par_chunks_mut(CHUNK)
        .zip(b.par_chunks_mut(CHUNK))
        .zip(slots.par_chunks(CHUNK))
        .for_each(|((a, b), s)| run(a, b, s));
}

/// The slot of each row's pair among the distinct pairs, and `f` at each distinct pair.
fn distinct_pairs<T, F>(a: &[f64], b: &[f64], f: F) -> (Vec<u32>, Vec<T>)
where
    T: Send,
    F: Fn(f64, f64) -> T + Sync + Send,
{
    let mut slot_of: HashMap<(u64, u64), u32, BuildHasherDefault<PairHasher>> =
        HashMap::with_capacity_and_hasher(1024, BuildHasherDefault::default());
    let mut distinct: Vec<(f64, f64)> = Vec::new();
    let slots: Vec<u32> = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| {
            *slot_of
                .entry((x.to_bits(), y.to_bits()))
                .or_insert_with(|| {
                    distinct.push((x, y));
                    (distinct.len() - 1) as u32
                })
        })
        .collect();
    let values = map_rows(distinct.len(), |j| f(distinct[j].0, distinct[j].1));
    (slots, values)
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
        let table = CountTable::new(&counts, f).unwrap();
        for c in &counts {
            let g = table.get(*c).unwrap_or_else(|| f(*c));
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
