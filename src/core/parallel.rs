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
//!   on the stack, then checks and computes from that buffer. rate, proportion, change and the
//!   Wald and score tests use it; it takes no memory beyond the result, and the loads cost what
//!   a copy into L1 costs.
//! * [`snapshot`] copies a column once, the same way, into memory the kernel owns; kernels that
//!   read their inputs more than once (the exact tests' tables of distinct pairs, funnels, the
//!   compare benchmark) work on snapshots.
//!
//! Cost, measured on this machine (2 cores, load average 10): loading two columns of a million
//! values into fresh memory takes about 3 ms, so a snapshot costs about 1.5 ms per million values,
//! against 20 to 60 ms for the kernels that take one. `rate` on 10,000,000 rows peaks at exactly
//! its result's size beyond its inputs (`bench/rates.py`): the values it reads are written
//! straight into output columns, which is where its costly methods keep their snapshot.
use super::error::{CoreError, CoreResult};
use rayon::prelude::*;
use std::hash::Hasher;
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

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
/// each task writing its own chunk of every column in place (see [`filled`]).
pub fn columns<const N: usize, F>(n: usize, f: F) -> [Vec<f64>; N]
where
    F: Fn(usize) -> [f64; N] + Sync + Send,
{
    let streamed = n >= STREAM_MIN;
    let fill = |start: usize, mut chunk: [&mut [MaybeUninit<f64>]; N]| {
        let len = chunk.first().map_or(0, |c| c.len());
        let mut block = [[0.0_f64; BLOCK]; N];
        for b0 in (0..len).step_by(BLOCK) {
            let m = BLOCK.min(len - b0);
            for r in 0..m {
                for (column, value) in block.iter_mut().zip(f(start + b0 + r)) {
                    column[r] = value;
                }
            }
            for (out, column) in chunk.iter_mut().zip(&block) {
                copy_out(&mut out[b0..b0 + m], &column[..m], streamed);
            }
        }
        if streamed {
            store_fence();
        }
    };
    filled(n, fill, |(), ()| ()).0
}

/// `N` columns of `n` rows, each allocated once at its final size and written in place by `task`,
/// which is given the first row of a chunk and that chunk of every column, and must write every
/// element of it; in chunks of [`CHUNK`] rows in parallel above the threshold, the tasks' results
/// merged by `merge`.
///
/// Fresh memory is the dearest part of a cheap kernel, so the columns are neither built in pieces
/// and copied nor zeroed before they are written: the first write to each 4 KiB page is a page
/// fault, and on this machine under load a fault costs 5 to 20 us, so five columns of a million
/// rows (10,000 pages) cost more than all the arithmetic. Columns of 4 MiB or more are therefore
/// advised to the kernel as candidates for transparent huge pages (2 MiB, one fault in place of
/// 512) where Linux offers them; the binding's allocator keeps freed columns for the next call,
/// whose pages are then already there.
fn filled<const N: usize, R, T, M>(n: usize, task: T, merge: M) -> ([Vec<f64>; N], R)
where
    R: Send + Default,
    T: Fn(usize, [&mut [MaybeUninit<f64>]; N]) -> R + Sync,
    M: Fn(R, R) -> R + Sync + Send,
{
    let mut out: [Vec<f64>; N] = std::array::from_fn(|_| {
        let mut column = Vec::with_capacity(n);
        advise_huge_pages(column.spare_capacity_mut());
        column
    });
    let mut spare = out.each_mut().map(|c| &mut c.spare_capacity_mut()[..n]);
    let result = if n < PARALLEL_MIN {
        task(0, spare.each_mut().map(|s| &mut **s))
    } else {
        let mut pieces = spare.map(|s| s.chunks_mut(CHUNK));
        let tasks: Vec<[&mut [MaybeUninit<f64>]; N]> = (0..n.div_ceil(CHUNK))
            .map(|_| pieces.each_mut().map(|p| p.next().unwrap_or_default()))
            .collect();
        tasks
            .into_par_iter()
            .enumerate()
            .map(|(j, chunk)| task(j * CHUNK, chunk))
            .reduce(R::default, merge)
    };
    for column in &mut out {
        // SAFETY: the capacity is `n`, and every task wrote every element of its chunk.
        unsafe { column.set_len(n) };
    }
    (out, result)
}

/// Bytes from which [`filled`] asks for huge pages: two of them.
const HUGE_MIN: usize = 4 << 20;

#[cfg(target_os = "linux")]
fn advise_huge_pages(v: &mut [MaybeUninit<f64>]) {
    extern "C" {
        fn madvise(addr: *mut std::ffi::c_void, len: usize, advice: i32) -> i32;
    }
    /// `MADV_HUGEPAGE` from <sys/mman.h> (the same on every Linux architecture).
    const MADV_HUGEPAGE: i32 = 14;
    const PAGE: usize = 4096;
    let bytes = std::mem::size_of_val(v);
    if bytes < HUGE_MIN {
        return;
    }
    let start = v.as_mut_ptr() as usize;
    let first = start.next_multiple_of(PAGE);
    let end = (start + bytes) / PAGE * PAGE;
    if end > first {
        // SAFETY: the range lies inside `v`'s allocation and is page aligned; the advice changes
        // how the kernel backs the pages, never their contents. A failure is harmless and ignored.
        unsafe {
            madvise(first as *mut std::ffi::c_void, end - first, MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_: &mut [MaybeUninit<f64>]) {}

/// Rows loaded at a time by [`rows`], per input column (4 KiB of stack each).
const BLOCK: usize = 512;

/// `values` seen as cells another thread may write, when it is aligned for 64-bit atomics (always
/// on 64-bit targets; on some 32-bit ones `f64` needs only 4-byte alignment, and such a slice is
/// read by volatile loads instead).
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
///
/// -0.0 is read as 0.0 (adding 0.0 changes no other value, NaN included), so that a count or
/// base of -0.0 comes back, and is computed on, as 0: the Python layer leaves that to this read
/// rather than making a pass of its own over the arrays.
pub fn load<D: Slot>(values: &[f64], start: usize, dst: &mut [D]) {
    let src = &values[start..start + dst.len()];
    if let Some(src) = cells(src) {
        for (d, cell) in dst.iter_mut().zip(src) {
            d.put(f64::from_bits(cell.load(Ordering::Relaxed)) + 0.0);
        }
    } else {
        for (i, d) in dst.iter_mut().enumerate() {
            // SAFETY: `i < src.len()`, and the slice is aligned for `f64`.
            d.put(unsafe { src.as_ptr().add(i).read_volatile() } + 0.0);
        }
    }
}

/// Where [`load`] puts a value: a buffer already initialised, or a column being filled.
pub trait Slot {
    fn put(&mut self, value: f64);
}

impl Slot for f64 {
    fn put(&mut self, value: f64) {
        *self = value;
    }
}

impl Slot for MaybeUninit<f64> {
    fn put(&mut self, value: f64) {
        self.write(value);
    }
}

/// A copy of `values` owned by the kernel, each element read once (see [`load`]); in parallel
/// chunks above the threshold.
pub fn snapshot(values: &[f64]) -> Vec<f64> {
    let [out] = filled(
        values.len(),
        |start, [chunk]| load(values, start, chunk),
        |(), ()| (),
    )
    .0;
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
/// a block of every input is loaded (see [`load`]), each row of the block is checked, and `f`
/// maps the values to the row's outputs. The inputs may be the caller's memory, written by
/// another thread meanwhile: what is checked is what is computed on. Errors are reported as a
/// serial check would (see [`RowError`]).
///
/// The check comes in two parts: `plain`, a test without branches that a row certainly passes
/// (the usual row: finite counts, positive bases; it may say false for a row that would pass,
/// such as a NaN), swept over the whole block at once; and `check`, given the row number and the
/// values, run on each row of a block where `plain` failed for some row.
///
/// All inputs must have the length of the first (callers check lengths first).
pub fn rows<const K: usize, const N: usize, P, C, F>(
    inputs: [&[f64]; K],
    plain: P,
    check: C,
    f: F,
) -> CoreResult<[Vec<f64>; N]>
where
    P: Fn([f64; K]) -> bool + Sync,
    C: Fn(usize, [f64; K]) -> Result<(), RowError> + Sync,
    F: Fn([f64; K]) -> [f64; N] + Sync,
{
    let n = inputs.first().map_or(0, |c| c.len());
    debug_assert!(inputs.iter().all(|c| c.len() == n));
    let streamed = n >= STREAM_MIN;
    // `f` is right on every row: the fallback of `compute_block` is never taken.
    let exact = |x: [f64; K]| (f(x), true);
    let task = |start: usize, mut chunk: [&mut [MaybeUninit<f64>]; N]| -> Worst {
        let len = chunk.first().map_or(0, |c| c.len());
        let mut worst: Worst = None;
        let mut buf = [[0.0_f64; BLOCK]; K];
        let mut block = [[0.0_f64; BLOCK]; N];
        for b0 in (0..len).step_by(BLOCK) {
            let m = BLOCK.min(len - b0);
            for (input, block) in inputs.iter().zip(buf.iter_mut()) {
                load(input, start + b0, &mut block[..m]);
            }
            let row = |r: usize| -> [f64; K] { std::array::from_fn(|k| buf[k][r]) };
            if worst.is_none() && (0..m).fold(true, |all, r| all & plain(row(r))) {
                let outs = chunk.each_mut().map(|c| &mut c[b0..b0 + m]);
                compute_block(&exact, &f, &buf, &mut block, outs, streamed);
                continue;
            }
            for r in 0..m {
                if let Err((rank, err)) = check(start + b0 + r, row(r)) {
                    if worst.as_ref().map_or(true, |w| rank < w.0) {
                        worst = Some((rank, start + b0 + r, err));
                    }
                }
            }
            if worst.is_some() {
                // The result is an error; only lower-ranked errors matter now.
                for c in &mut chunk {
                    c[b0..b0 + m].fill(MaybeUninit::new(f64::NAN));
                }
                continue;
            }
            let outs = chunk.each_mut().map(|c| &mut c[b0..b0 + m]);
            compute_block(&exact, &f, &buf, &mut block, outs, streamed);
        }
        if streamed {
            store_fence();
        }
        worst
    };
    let (out, worst) = filled(n, task, keep_worst);
    match worst {
        Some((_, _, err)) => Err(err),
        None => Ok(out),
    }
}

/// `N` output columns of the rows of `K` input columns that the kernel owns (nobody else writes
/// them, so they are read as plain memory): row `r`'s outputs are `fast` of its values where
/// `fast` says they are right, and `slow` of them elsewhere (see [`compute_block`]: `fast` should
/// be free of branches, so that it vectorises).
///
/// All inputs must have the length of the first.
pub fn owned_rows<const K: usize, const N: usize, F, S>(
    inputs: [&[f64]; K],
    fast: F,
    slow: S,
) -> [Vec<f64>; N]
where
    F: Fn([f64; K]) -> ([f64; N], bool) + Sync,
    S: Fn([f64; K]) -> [f64; N] + Sync,
{
    let n = inputs.first().map_or(0, |c| c.len());
    debug_assert!(inputs.iter().all(|c| c.len() == n));
    let streamed = n >= STREAM_MIN;
    let task = |start: usize, mut chunk: [&mut [MaybeUninit<f64>]; N]| {
        let len = chunk.first().map_or(0, |c| c.len());
        let mut buf = [[0.0_f64; BLOCK]; K];
        let mut block = [[0.0_f64; BLOCK]; N];
        for b0 in (0..len).step_by(BLOCK) {
            let m = BLOCK.min(len - b0);
            for (input, buf) in inputs.iter().zip(buf.iter_mut()) {
                buf[..m].copy_from_slice(&input[start + b0..start + b0 + m]);
            }
            let outs = chunk.each_mut().map(|c| &mut c[b0..b0 + m]);
            compute_block(&fast, &slow, &buf, &mut block, outs, streamed);
        }
        if streamed {
            store_fence();
        }
    };
    filled(n, task, |(), ()| ()).0
}

/// Row `r` of the outputs is `fast` of row `r` of the loaded block where `fast` says its answer
/// is right, and `slow` of it elsewhere, for every row of the outputs.
///
/// A closed-form kernel is a few divisions and a square root a row; written without branches it
/// vectorises, and this loop is where it does: on x86-64 processors with AVX2 (detected once, at
/// run time) it is compiled four rows wide, elsewhere two. The arithmetic is the same IEEE
/// operations either way (Rust never fuses a multiply and an add), so the answers are identical.
/// `fast` runs on every row and `slow` only on the rows of a block where `fast` gave up, after the
/// sweep, so the uncommon case (a NaN, a count beyond a table) costs no branch in the sweep.
#[inline]
fn compute_block<const K: usize, const N: usize, F, S>(
    fast: &F,
    slow: &S,
    buf: &[[f64; BLOCK]; K],
    block: &mut [[f64; BLOCK]; N],
    outs: [&mut [MaybeUninit<f64>]; N],
    streamed: bool,
) where
    F: Fn([f64; K]) -> ([f64; N], bool),
    S: Fn([f64; K]) -> [f64; N],
{
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2, checked just above.
        unsafe { compute_block_avx2(fast, slow, buf, block, outs, streamed) };
        return;
    }
    compute_block_plain(fast, slow, buf, block, outs, streamed);
}

// Always inlined: it must be compiled inside `compute_block_avx2` to be compiled for AVX2.
#[allow(clippy::inline_always)]
#[inline(always)]
fn compute_block_plain<const K: usize, const N: usize, F, S>(
    fast: &F,
    slow: &S,
    buf: &[[f64; BLOCK]; K],
    block: &mut [[f64; BLOCK]; N],
    outs: [&mut [MaybeUninit<f64>]; N],
    streamed: bool,
) where
    F: Fn([f64; K]) -> ([f64; N], bool),
    S: Fn([f64; K]) -> [f64; N],
{
    // The rows are computed into a block of the task's own and copied out: the compiler can see
    // that it overlaps neither the inputs nor the kernel's captured values, where the output
    // columns would need a run-time overlap check per pair (too many for it to vectorise).
    let m = outs.first().map_or(0, |c| c.len()).min(BLOCK);
    let row = |r: usize| -> [f64; K] { std::array::from_fn(|k| buf[k][r]) };
    let mut all = true;
    for r in 0..m {
        let (values, right) = fast(row(r));
        for (column, value) in block.iter_mut().zip(values) {
            column[r] = value;
        }
        all &= right;
    }
    if !all {
        for r in 0..m {
            if !fast(row(r)).1 {
                for (column, value) in block.iter_mut().zip(slow(row(r))) {
                    column[r] = value;
                }
            }
        }
    }
    for (out, column) in outs.into_iter().zip(block.iter()) {
        let m = out.len().min(m);
        copy_out(&mut out[..m], &column[..m], streamed);
    }
}

/// Output columns of at least this many rows are written by non-temporal stores (see [`copy_out`]).
const STREAM_MIN: usize = 1 << 17;

/// Copies a block computed on the stack into its place in the output columns; when `streamed`,
/// by non-temporal stores, on x86-64 where `dst` is 16-byte aligned (as malloc's columns are, and
/// every block of them): the cache lines are then written without first being read from memory,
/// which a column too large for the cache would otherwise cost, and the inputs stay in the cache
/// meanwhile. A task that streams calls [`store_fence`] before its result is handed over.
#[allow(clippy::inline_always)]
#[inline(always)]
#[cfg_attr(not(target_arch = "x86_64"), allow(unused_variables))]
fn copy_out(dst: &mut [MaybeUninit<f64>], src: &[f64], streamed: bool) {
    let len = dst.len().min(src.len());
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if streamed && (dst.as_ptr() as usize) % 16 == 0 {
        use std::arch::x86_64::{_mm_loadu_pd, _mm_stream_pd};
        done = len / 2 * 2;
        for i in (0..done).step_by(2) {
            // SAFETY: `i + 1 < len`, within both slices; `dst + i` is 16-byte aligned (`dst` is,
            // and `i` is even); SSE2 is part of x86-64.
            unsafe {
                let pair = _mm_loadu_pd(src.as_ptr().add(i));
                _mm_stream_pd(dst.as_mut_ptr().add(i).cast::<f64>(), pair);
            }
        }
    }
    for (slot, &value) in dst[done..len].iter_mut().zip(&src[done..len]) {
        slot.write(value);
    }
}

/// Orders the non-temporal stores of [`copy_out`] before whatever follows (they are weakly ordered:
/// another thread could otherwise read a column before its values arrive).
fn store_fence() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE is part of x86-64.
    unsafe {
        std::arch::x86_64::_mm_sfence();
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn compute_block_avx2<const K: usize, const N: usize, F, S>(
    fast: &F,
    slow: &S,
    buf: &[[f64; BLOCK]; K],
    block: &mut [[f64; BLOCK]; N],
    outs: [&mut [MaybeUninit<f64>]; N],
    streamed: bool,
) where
    F: Fn([f64; K]) -> ([f64; N], bool),
    S: Fn([f64; K]) -> [f64; N],
{
    compute_block_plain(fast, slow, buf, block, outs, streamed);
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

/// `f` at each distinct whole count of a column, computed once and found again by indexing with
/// the count (no hashing).
///
/// Crime counts repeat (many areas and months share small counts), and an exact interval costs a
/// few incomplete-gamma evaluations, so the table pays for itself from a few thousand rows. Counts
/// below [`MARK_LIMIT`] index the values directly ([`CountTable::direct`]): one load a row, found
/// without branches by [`Direct::get`], so that a sweep of rows vectorises (the second pass of
/// `poisson::rates` spent a third of its time on the two dependent loads of a slot table). Larger
/// counts, where a table the size of the largest count would be mostly empty, have a slot each
/// that holds their index among the distinct values. Counts that are NaN, fractional or not in the
/// table give the table's `missing` value (the caller computes those directly).
pub struct CountTable<T> {
    /// `f(k)` at `direct[k]` for the counts `k` in the table below [`MARK_LIMIT`], `missing` at
    /// the others and at the end (see [`Direct`]).
    direct: Vec<T>,
    /// `slot[k - MARK_LIMIT]` is the index in `values` of count `k`, or `u32::MAX` when `k` does
    /// not occur; empty when no count reaches [`MARK_LIMIT`].
    slot: Vec<u32>,
    values: Vec<T>,
    missing: T,
}

impl<T: Copy + Send + Sync> CountTable<T> {
    /// The table over `counts` (memory the kernel owns: it is read twice), or `None` when it would
    /// not pay: under [`PARALLEL_MIN`] rows, no whole counts, or a largest count beyond four times
    /// the rows (and 65,536), where the index would cost more than it saves.
    pub fn new<F>(counts: &[f64], f: F, missing: T) -> Option<Self>
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
        let mut seen = vec![false; max as usize + 1];
        for &c in counts {
            if is_table_count(c) && (c as usize) < seen.len() {
                seen[c as usize] = true;
            }
        }
        let distinct: Vec<usize> = (0..seen.len()).filter(|&k| seen[k]).collect();
        Some(Self::of(&distinct, f, missing))
    }

    /// The table of `f` at the counts marked in `marks`, when they are all below the bitmap's
    /// limit (`None` otherwise: the caller then builds [`CountTable::new`] over the counts, or
    /// computes row by row). The same table as [`CountTable::new`] over the marked counts.
    pub fn from_marks<F>(marks: &CountMarks, f: F, missing: T) -> Option<Self>
    where
        F: Fn(f64) -> T + Sync + Send,
    {
        if marks.beyond.load(Ordering::Relaxed) {
            return None;
        }
        let mut distinct = Vec::new();
        for (w, word) in marks.bits[..MARK_LIMIT / 64].iter().enumerate() {
            let mut bits = word.load(Ordering::Relaxed);
            while bits != 0 {
                distinct.push(w * 64 + bits.trailing_zeros() as usize);
                bits &= bits - 1;
            }
        }
        if distinct.is_empty() {
            return None;
        }
        Some(Self::of(&distinct, f, missing))
    }

    /// The table of `f` at `distinct`, which is ascending and not empty.
    fn of<F>(distinct: &[usize], f: F, missing: T) -> Self
    where
        F: Fn(f64) -> T + Sync + Send,
    {
        let top = distinct[distinct.len() - 1];
        let mut values = map_rows(distinct.len(), |j| f(distinct[j] as f64));
        let below = distinct.partition_point(|&k| k < MARK_LIMIT);
        let mut direct = vec![missing; (top + 1).min(MARK_LIMIT) + 1];
        for (&k, &value) in distinct[..below].iter().zip(&values) {
            direct[k] = value;
        }
        values.drain(..below);
        let mut slot = vec![u32::MAX; (top + 1).saturating_sub(MARK_LIMIT)];
        for (j, &k) in distinct[below..].iter().enumerate() {
            slot[k - MARK_LIMIT] = j as u32;
        }
        Self {
            direct,
            slot,
            values,
            missing,
        }
    }

    /// The part of the table indexed by the count itself (the counts below [`MARK_LIMIT`]).
    pub fn direct(&self) -> Direct<'_, T> {
        Direct {
            values: &self.direct,
        }
    }

    /// `f(c)` when `c` is a count in the table, the table's `missing` value otherwise.
    #[inline]
    pub fn get(&self, c: f64) -> T {
        if c < MARK_LIMIT as f64 {
            return self.direct().get(c);
        }
        if !is_table_count(c) {
            return self.missing;
        }
        match self.slot.get(c as usize - MARK_LIMIT) {
            Some(&j) if j != u32::MAX => self.values[j as usize],
            _ => self.missing,
        }
    }
}

/// Values indexed by a whole count (see [`Direct::get`]).
#[derive(Clone, Copy)]
pub struct Direct<'a, T> {
    /// The value of each count below `values.len() - 1`, then the value of every other count;
    /// never empty.
    values: &'a [T],
}

impl<'a, T: Copy> Direct<'a, T> {
    /// A table that has no count: every count gives `missing`.
    pub fn none(missing: &'a T) -> Self {
        Self {
            values: std::slice::from_ref(missing),
        }
    }

    /// The value at `c` when `c` is a whole number in the table, the table's `missing` value
    /// otherwise. Without branches or selects between values (a select between the loaded value
    /// and `missing` put the compiler off vectorising): `missing` is the table's last entry, which
    /// every count not in it loads.
    #[inline]
    pub fn get(&self, c: f64) -> T {
        let k = whole_below(c, self.values.len() - 1);
        // SAFETY: `k` is at most `values.len() - 1` (the table is never empty).
        unsafe { *self.values.get_unchecked(k) }
    }
}

/// `c` when it is a whole number below `limit` (at most 2^32), `limit` otherwise; without branches
/// or a conversion instruction (a saturating `f64 as u32` is four scalar instructions a row on
/// AVX2), so that a sweep of rows vectorises: below 2^52, adding 2^52 leaves a whole number in
/// the low bits of the sum, and taking it away again gives `c` back only if `c` was whole.
// `&`, not `&&`, and no `contains`: a test without branches, so that a sweep vectorises.
#[allow(clippy::manual_range_contains, clippy::needless_bitwise_bool)]
#[inline]
fn whole_below(c: f64, limit: usize) -> usize {
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    let shifted = c + TWO_52;
    let found = (shifted - TWO_52 == c) & (c >= 0.0) & (c < limit as f64);
    if found {
        (shifted.to_bits() & 0xffff_ffff) as usize
    } else {
        limit
    }
}

/// Whether `c` is a whole number in `0..=DENSE_MAX`. `c as u32 as f64 == c` is two conversion
/// instructions where `c.fract()` is a call into libm (x86-64 has no rounding instruction before
/// SSE4.1), which was a quarter of the cost of a table lookup.
#[inline]
fn is_table_count(c: f64) -> bool {
    (0.0..=DENSE_MAX).contains(&c) && f64::from(c as u32) == c
}

/// Counts below this are marked in [`CountMarks`]' bitmap (8 KiB, which stays in L1).
const MARK_LIMIT: usize = 1 << 16;

/// The distinct whole counts seen by a pass over rows, marked as the pass reads them (so that the
/// table of [`CountTable::from_marks`] needs no pass of its own). Any number of threads may mark
/// at once: a bit is set by an atomic OR only when a load finds it clear, so a count that recurs
/// costs one load of a shared, unchanging cache line.
pub struct CountMarks {
    /// Bit `k` for count `k` below [`MARK_LIMIT`]; bit [`MARK_LIMIT`] (in a word of its own) is
    /// where every other value is marked, so that marking takes no branch, and is never read.
    bits: Vec<AtomicU64>,
    /// A whole count of [`MARK_LIMIT`] or more (up to [`DENSE_MAX`]) was seen; the bitmap does not
    /// hold it.
    beyond: AtomicBool,
}

impl Default for CountMarks {
    fn default() -> Self {
        Self {
            bits: (0..=MARK_LIMIT / 64).map(|_| AtomicU64::new(0)).collect(),
            beyond: AtomicBool::new(false),
        }
    }
}

impl CountMarks {
    /// Notes `c` when it is a whole count in the table's range; anything else is ignored (the
    /// table gives its `missing` value for it and the caller computes it directly).
    #[inline]
    pub fn mark(&self, c: f64) {
        let k = whole_below(c, MARK_LIMIT);
        let bit = 1_u64 << (k & 63);
        // `k >> 6` is at most `MARK_LIMIT / 64`, the last word.
        let word = &self.bits[k >> 6];
        if word.load(Ordering::Relaxed) & bit == 0 {
            word.fetch_or(bit, Ordering::Relaxed);
        }
        if k == MARK_LIMIT && c >= MARK_LIMIT as f64 && is_table_count(c) {
            self.beyond.store(true, Ordering::Relaxed);
        }
    }
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
    match distinct_pairs(&a[..n], &b[..n], &f) {
        Some((slots, values)) => map_rows(n, |i| values[slots[i] as usize]),
        None => map_rows(n, |i| f(a[i], b[i])),
    }
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
    let Some((slots, values)) = distinct_pairs(a, b, &f) else {
        zip_in_place(a, b, |x, y| (*x, *y) = f(*x, *y));
        return;
    };
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

/// Rows hashed by [`distinct_pairs`] between its checks that the table pays.
const PROBE: usize = 65_536;

/// The slot of each row's pair among the distinct pairs, and `f` at each distinct pair; or `None`
/// when the pairs hardly repeat. The hashing is serial where `f` runs on every core, so a table
/// of pairs that are nearly all distinct costs more than it saves: after every [`PROBE`] rows,
/// if more than three rows in four so far brought a new pair, the table is given up and the
/// caller computes every row (1e6 distinct Clopper-Pearson pairs spent 14% of their time
/// hashing).
fn distinct_pairs<T, F>(a: &[f64], b: &[f64], f: &F) -> Option<(Vec<u32>, Vec<T>)>
where
    T: Send,
    F: Fn(f64, f64) -> T + Sync + Send,
{
    let n = a.len().min(b.len());
    let key = |i: usize| (a[i].to_bits(), b[i].to_bits());
    let mut index = PairIndex::new();
    let mut distinct: Vec<(f64, f64)> = Vec::new();
    let mut slots: Vec<u32> = Vec::with_capacity(n);
    // The hashes of the next AHEAD rows, whose buckets are fetched while this row's is probed.
    let mut ahead = [0_u64; AHEAD];
    for (i, h) in ahead.iter_mut().enumerate().take(n) {
        *h = pair_hash(key(i));
        index.prefetch(*h);
    }
    for i in 0..n {
        let hash = ahead[i % AHEAD];
        if i + AHEAD < n {
            let next = pair_hash(key(i + AHEAD));
            ahead[i % AHEAD] = next;
            index.prefetch(next);
        }
        let slot = index.slot(key(i), hash, || {
            distinct.push((a[i], b[i]));
            (distinct.len() - 1) as u32
        });
        slots.push(slot);
        if (i + 1) % PROBE == 0 && i + 1 < n && 4 * distinct.len() > 3 * (i + 1) {
            return None;
        }
    }
    let values = map_rows(distinct.len(), |j| f(distinct[j].0, distinct[j].1));
    Some((slots, values))
}

/// Rows [`distinct_pairs`] hashes ahead of the one it looks up, so that their buckets are on
/// their way from memory: half a million distinct pairs make a table of 25 MB, where a lookup
/// that waited for its bucket cost about 100 ns.
const AHEAD: usize = 16;

/// The pair's hash by [`PairHasher`].
fn pair_hash((x, y): (u64, u64)) -> u64 {
    let mut h = PairHasher::default();
    h.write_u64(x);
    h.write_u64(y);
    h.finish()
}

/// The slots of distinct pairs by their bit patterns: open addressing with linear probing,
/// at most half full. A bucket holds the pair and its slot plus one (0: empty).
struct PairIndex {
    buckets: Vec<(u64, u64, u32)>,
    len: usize,
}

impl PairIndex {
    fn new() -> Self {
        PairIndex {
            buckets: vec![(0, 0, 0); 4096],
            len: 0,
        }
    }

    fn mask(&self) -> usize {
        self.buckets.len() - 1
    }

    /// Asks for the pair's bucket to be brought into cache (no effect off x86-64).
    #[inline]
    fn prefetch(&self, hash: u64) {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            let at = &self.buckets[hash as usize & self.mask()];
            // A hint only: it reads nothing and cannot fault.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(at).cast::<i8>()) };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = hash;
    }

    /// The slot of `key` (hashed to `hash`), given by `new` and stored if the pair is new.
    fn slot(&mut self, key: (u64, u64), hash: u64, new: impl FnOnce() -> u32) -> u32 {
        let mask = self.mask();
        let mut i = hash as usize & mask;
        loop {
            let (x, y, slot) = self.buckets[i];
            if slot == 0 {
                let slot = new();
                self.buckets[i] = (key.0, key.1, slot + 1);
                self.len += 1;
                if 2 * self.len > self.buckets.len() {
                    self.grow();
                }
                return slot;
            }
            if (x, y) == key {
                return slot - 1;
            }
            i = (i + 1) & mask;
        }
    }

    /// Twice the buckets, every pair moved to its place among them.
    fn grow(&mut self) {
        let doubled = vec![(0, 0, 0); 2 * self.buckets.len()];
        let old = std::mem::replace(&mut self.buckets, doubled);
        let mask = self.mask();
        for (x, y, slot) in old.into_iter().filter(|b| b.2 != 0) {
            let mut i = pair_hash((x, y)) as usize & mask;
            while self.buckets[i].2 != 0 {
                i = (i + 1) & mask;
            }
            self.buckets[i] = (x, y, slot);
        }
    }
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
    use crate::core::check;

    #[test]
    fn rows_report_the_error_a_serial_check_reports() {
        // The first check fails late (twice), the second early: a serial check of the first
        // argument, then the second, reports the first argument at its first bad row.
        let n = 50_000;
        let (mut a, mut b) = (vec![1.0; n], vec![2.0; n]);
        a[40_000] = -1.0;
        a[45_000] = -2.0;
        b[10] = -1.0;
        let check = |i: usize, [x, y]: [f64; 2]| {
            check::count("a", i, x, None).map_err(|e| (0, e))?;
            check::count("b", i, y, None).map_err(|e| (1, e))
        };
        let err = rows([&a, &b], |_| false, check, |[x, y]| [x + y]).unwrap_err();
        assert_eq!(
            err,
            CoreError::Negative {
                arg: "a",
                index: 40_000,
                value: -1.0
            }
        );
        a[40_000] = 1.0;
        a[45_000] = 1.0;
        let err = rows([&a, &b], |_| false, check, |[x, y]| [x + y]).unwrap_err();
        assert!(matches!(
            err,
            CoreError::Negative {
                arg: "b",
                index: 10,
                ..
            }
        ));
        b[10] = 2.0;
        let plain = |[x, y]: [f64; 2]| check::plain_count(x) & check::plain_count(y);
        let [sum, first] = rows([&a, &b], plain, check, |[x, y]| [x + y, x]).unwrap();
        assert!(sum.iter().all(|&s| s == 3.0) && first == a);
    }

    #[test]
    fn snapshots_and_loads_copy_every_value() {
        let values: Vec<f64> = (0..20_000).map(|i| f64::from(i) * 0.5 - 7.0).collect();
        assert_eq!(snapshot(&values), values);
        let mut part = vec![0.0; 100];
        load(&values, 9_000, &mut part);
        assert_eq!(part, values[9_000..9_100]);
    }

    #[test]
    fn distinct_counts_give_the_same_as_direct() {
        let f = |c: f64| (c * 2.0, c + 1.0);
        let missing = (f64::NAN, f64::NAN);
        let same = |a: (f64, f64), b: (f64, f64)| {
            a.0.to_bits() == b.0.to_bits() && a.1.to_bits() == b.1.to_bits()
        };
        // Counts below the bitmap's limit (a direct table), and the same with counts beyond it
        // (slots for those); NaN, fractional, negative and huge values are not tabled.
        for big in [None, Some(70_000.0)] {
            let counts: Vec<f64> = (0..50_000)
                .map(|i| match (i % 9, big) {
                    (0, _) => f64::NAN,
                    (1, _) => 2.5,
                    (2, _) => 1e9,
                    (3, _) => -0.0,
                    (4, Some(b)) => b + f64::from(i % 5),
                    _ => f64::from(i % 300),
                })
                .collect();
            let table = CountTable::new(&counts, f, missing).unwrap();
            let marks = CountMarks::default();
            for c in &counts {
                marks.mark(*c);
            }
            let marked = CountTable::from_marks(&marks, f, missing);
            // Marking gives the same table while every count is below the limit, and refuses to
            // make one (rather than drop a count) beyond it.
            assert_eq!(marked.is_some(), big.is_none());
            let tabled = |c: f64| {
                is_table_count(c) && (c < 300.0 || big.is_some_and(|b| (b..b + 5.0).contains(&c)))
            };
            for c in counts
                .iter()
                .copied()
                .chain([-1.0, 299.0, 300.0, 65_536.0, 3e9, 0.25])
            {
                // -0.0 is the count 0 (`load` reads it as 0.0).
                let want = if tabled(c) { f(c + 0.0) } else { missing };
                assert!(same(table.get(c), want), "{c}");
                if let Some(marked) = &marked {
                    assert!(same(marked.get(c), want), "{c}");
                }
                // The direct part holds the counts below the limit and nothing else.
                let direct = if c < MARK_LIMIT as f64 { want } else { missing };
                assert!(same(table.direct().get(c), direct), "{c}");
            }
        }
        // No whole count at all: no table.
        let none = CountMarks::default();
        none.mark(f64::NAN);
        none.mark(2.5);
        none.mark(-1.0);
        assert!(CountTable::from_marks(&none, f, missing).is_none());
        // An empty direct table gives `missing` for everything.
        let only = Direct::none(&missing);
        assert!([0.0, 1.0, f64::NAN]
            .iter()
            .all(|&c| same(only.get(c), missing)));
    }

    #[test]
    fn whole_below_finds_exactly_the_whole_numbers_below_the_limit() {
        for (c, want) in [
            (0.0, 0),
            (-0.0, 0),
            (1.0, 1),
            (65_535.0, 65_535),
            (65_536.0, 65_536),
            (1e300, 65_536),
            (0.5, 65_536),
            (65_535.5, 65_536),
            (-1.0, 65_536),
            (f64::NAN, 65_536),
            (f64::INFINITY, 65_536),
            (f64::NEG_INFINITY, 65_536),
            (4_503_599_627_370_497.0, 65_536),
        ] {
            assert_eq!(whole_below(c, 65_536), want, "{c}");
        }
        let limit = u32::MAX as usize;
        assert_eq!(whole_below(4_294_967_294.0, limit), 4_294_967_294);
        assert_eq!(whole_below(4_294_967_295.0, limit), limit);
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

    #[test]
    fn pairs_that_hardly_repeat_are_computed_directly() {
        use std::sync::atomic::AtomicUsize;
        // 70,000 distinct pairs, then 130,000 rows repeating them: after the first PROBE rows all
        // were new, so the table is given up and every row is computed; a column that repeats
        // from the start keeps its table (one call per distinct pair).
        for (distinct, calls) in [(70_000_u32, 200_000), (97, 97)] {
            let a: Vec<f64> = (0..200_000).map(|i| f64::from(i % distinct)).collect();
            let b: Vec<f64> = a.iter().map(|x| x + 1.0).collect();
            let seen = AtomicUsize::new(0);
            let got = per_distinct_pair(&a, &b, |x, y| {
                seen.fetch_add(1, Ordering::Relaxed);
                x / y
            });
            assert_eq!(seen.load(Ordering::Relaxed), calls);
            assert!(got
                .iter()
                .zip(a.iter().zip(&b))
                .all(|(&g, (x, y))| g == x / y));
            let (mut lo, mut hi) = (a.clone(), b.clone());
            seen.store(0, Ordering::Relaxed);
            per_distinct_pair_in_place(&mut lo, &mut hi, |x, y| {
                seen.fetch_add(1, Ordering::Relaxed);
                (x / y, y - x)
            });
            assert_eq!(seen.load(Ordering::Relaxed), calls);
            assert!((0..a.len()).all(|i| lo[i] == a[i] / b[i] && hi[i] == b[i] - a[i]));
        }
    }
}
