//! Codes for key columns (by-columns, strata, PSU labels): text read from Arrow's buffers,
//! integers, or codes made elsewhere, and the combinations of several such columns, numbered in
//! sorted order in one parallel pass over the rows.
use super::super::error::{CoreError, CoreResult};
use super::NO_CODE;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};

/// Rows per chunk when coding keys on rayon's pool; below it one thread codes them all.
pub(super) const TEXT_CHUNK: usize = 131_072;

/// Arrow's offsets into a text column's bytes: `string` (32-bit) or `large_string` (64-bit).
#[derive(Debug, Clone, Copy)]
pub enum Offsets<'a> {
    Narrow(&'a [i32]),
    Wide(&'a [i64]),
}

impl Offsets<'_> {
    fn len(&self) -> usize {
        match self {
            Offsets::Narrow(o) => o.len(),
            Offsets::Wide(o) => o.len(),
        }
    }
}

/// One key column.
#[derive(Debug, Clone, Copy)]
pub enum KeyColumn<'a> {
    /// Text in Arrow's layout: label `i` is `data[offsets[i]..offsets[i + 1]]`; `validity` is
    /// Arrow's bitmap with the bit offset of the first label (a cleared bit is missing). Labels
    /// sort by their UTF-8 bytes, as Python sorts `str`.
    Text {
        offsets: Offsets<'a>,
        data: &'a [u8],
        validity: Option<(&'a [u8], usize)>,
    },
    /// Integer values (none missing), sorted by value. They may be the caller's memory, written
    /// by another thread meanwhile: each is read once, into a copy the coding works on.
    Integers(&'a [i64]),
    /// Codes `0..n` made elsewhere in the order wanted; a negative code is missing.
    Codes { codes: &'a [i64], n: usize },
}

impl KeyColumn<'_> {
    /// The number of rows.
    #[must_use]
    pub fn rows(&self) -> usize {
        match self {
            KeyColumn::Text { offsets, .. } => offsets.len().saturating_sub(1),
            KeyColumn::Integers(v) => v.len(),
            KeyColumn::Codes { codes, .. } => codes.len(),
        }
    }
}

/// The combinations of the key columns that occur: each row's code (in sorted order of the
/// combinations, [`NO_CODE`] where any column is missing) and the first row of each code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    pub codes: Vec<u32>,
    pub first_rows: Vec<u64>,
}

/// A column's code of each row, as the combination pass reads it: text as chunk-local codes
/// with each chunk's map to the sorted rank, integers as the offset from the smallest value (or
/// the rank among the distinct values when they spread widely), codes as given.
enum Coded<'a> {
    Text {
        local: Vec<u32>,
        rank: Vec<Vec<u32>>,
    },
    Offset {
        values: Vec<i64>,
        low: i64,
    },
    Sparse {
        values: Vec<i64>,
        distinct: Vec<i64>,
    },
    Given(&'a [i64]),
    /// Codes of combinations already made, [`NO_CODE`] missing.
    Compact(Vec<u32>),
}

impl Coded<'_> {
    /// `f(j, code)` for rows `start + j`, `j < len`, of chunk `chunk`: the loop specialised to
    /// the column's kind.
    #[inline]
    fn for_each<F: FnMut(usize, u32)>(&self, chunk: usize, start: usize, len: usize, mut f: F) {
        let rows = start..start + len;
        match self {
            Coded::Text { local, rank } => {
                let rank = &rank[chunk];
                for (j, &l) in local[rows].iter().enumerate() {
                    f(
                        j,
                        if l == NO_CODE {
                            NO_CODE
                        } else {
                            rank[l as usize]
                        },
                    );
                }
            }
            Coded::Offset { values, low } => {
                for (j, &v) in values[rows].iter().enumerate() {
                    f(j, v.wrapping_sub(*low) as u32);
                }
            }
            Coded::Compact(codes) => {
                for (j, &c) in codes[rows].iter().enumerate() {
                    f(j, c);
                }
            }
            _ => {
                for j in 0..len {
                    f(j, self.at(chunk, start + j));
                }
            }
        }
    }

    /// The code of row `i` (chunk `chunk`), or [`NO_CODE`] where missing.
    #[inline]
    fn at(&self, chunk: usize, i: usize) -> u32 {
        match self {
            Coded::Text { local, rank } => {
                let l = local[i];
                if l == NO_CODE {
                    NO_CODE
                } else {
                    rank[chunk][l as usize]
                }
            }
            Coded::Offset { values, low } => values[i].wrapping_sub(*low) as u32,
            Coded::Sparse { values, distinct } => distinct
                .binary_search(&values[i])
                .map_or(NO_CODE, |r| r as u32),
            Coded::Compact(codes) => codes[i],
            Coded::Given(codes) => {
                let c = codes[i];
                if c < 0 {
                    NO_CODE
                } else {
                    c as u32
                }
            }
        }
    }
}

/// Codes for the combinations of `columns` (equal lengths) that occur, numbered in sorted order
/// (by the first column, then the second, ...), with the first row of each.
///
/// One pass per text column finds its labels (in parallel over row chunks, a label of up to 16
/// bytes compared as two words and its length, without a call to `memcmp`), and one parallel pass
/// over the rows combines the columns' codes, several times faster than pandas `factorize` and
/// than combining codes column by column in numpy.
pub fn factorize_keys(columns: &[KeyColumn<'_>]) -> CoreResult<Keys> {
    let n = columns.first().map_or(0, KeyColumn::rows);
    if let Some(bad) = columns.iter().position(|c| c.rows() != n) {
        return Err(CoreError::Length {
            arg: "by",
            got: columns[bad].rows(),
            expected_arg: "the first key column",
            expected: n,
        });
    }
    let chunks: Vec<std::ops::Range<usize>> = (0..n.div_ceil(TEXT_CHUNK).max(1))
        .map(|c| c * TEXT_CHUNK..((c + 1) * TEXT_CHUNK).min(n))
        .collect();
    let mut group: Vec<Coded<'_>> = Vec::with_capacity(columns.len());
    let mut sizes: Vec<u64> = Vec::with_capacity(columns.len());
    let mut space = 1_u128;
    for column in columns {
        let (c, size) = code_column(column, &chunks, n)?;
        let size = size.max(1);
        // Past 2^128 combinations, the columns so far are combined first: the combinations
        // that occur are at most one per row, so the product with the next column fits.
        if space.checked_mul(u128::from(size)).is_none() {
            let keys = combine(&group, &sizes, space, n, &chunks)?;
            let occurring = keys.first_rows.len() as u64;
            group = vec![Coded::Compact(keys.codes)];
            sizes = vec![occurring.max(1)];
            space = u128::from(occurring.max(1));
        }
        group.push(c);
        sizes.push(size);
        space *= u128::from(size);
    }
    combine(&group, &sizes, space, n, &chunks)
}

/// The combinations that occur of the coded columns `coded` (`sizes` codes each, `space`
/// combinations in all), numbered in sorted order.
fn combine(
    coded: &[Coded<'_>],
    sizes: &[u64],
    space: u128,
    n: usize,
    chunks: &[std::ops::Range<usize>],
) -> CoreResult<Keys> {
    let key = |chunk: usize, i: usize| -> u128 {
        let mut k = 0_u128;
        for (c, &size) in coded.iter().zip(sizes) {
            let code = c.at(chunk, i);
            if code == NO_CODE {
                return u128::MAX;
            }
            k = k * u128::from(size) + u128::from(code);
        }
        k
    };
    let dense_limit = (4 * n as u128).max(1 << 20);
    if space <= dense_limit && space < u128::from(NO_CODE) {
        // Every slot is written by the first column.
        let mut codes = vec![0_u32; n];
        let pieces: Vec<(usize, &mut [u32])> = codes.chunks_mut(TEXT_CHUNK).enumerate().collect();
        // With few codes, each chunk notes the first row of each code while its codes are in
        // cache, and the chunks' tables merge (the earliest chunk's row wins).
        let local_first = space as usize <= TEXT_CHUNK / 8;
        // Column by column over each chunk, each column's kind matched once per chunk.
        let write = |(c, out): (usize, &mut [u32])| {
            let start = c * TEXT_CHUNK;
            for (k, (column, &size)) in coded.iter().zip(sizes).enumerate() {
                let size = size as u32;
                column.for_each(c, start, out.len(), |j, code| {
                    let slot = &mut out[j];
                    *slot = if code == NO_CODE || (k > 0 && *slot == NO_CODE) {
                        NO_CODE
                    } else if k == 0 {
                        code
                    } else {
                        *slot * size + code
                    };
                });
            }
            local_first.then(|| first_rows_of(out, space as usize, start as u64))
        };
        let firsts: Vec<Option<Vec<u64>>> = if pieces.len() > 1 {
            pieces.into_par_iter().map(write).collect()
        } else {
            pieces.into_iter().map(write).collect()
        };
        let first = if local_first {
            let mut tables = firsts.into_iter().flatten();
            let mut first = tables
                .next()
                .unwrap_or_else(|| vec![u64::MAX; space as usize]);
            for table in tables {
                for (a, b) in first.iter_mut().zip(table) {
                    *a = (*a).min(b);
                }
            }
            first
        } else {
            first_rows_of(&codes, space as usize, 0)
        };
        let mut rank = vec![NO_CODE; space as usize];
        let mut first_rows = Vec::new();
        for (k, &row) in first.iter().enumerate() {
            if row != u64::MAX {
                rank[k] = first_rows.len() as u32;
                first_rows.push(row);
            }
        }
        if first_rows.len() < space as usize {
            let remap = |slot: &mut u32| {
                if *slot != NO_CODE {
                    *slot = rank[*slot as usize];
                }
            };
            if n > TEXT_CHUNK {
                codes.par_iter_mut().for_each(remap);
            } else {
                codes.iter_mut().for_each(remap);
            }
        }
        return Ok(Keys { codes, first_rows });
    }
    // Many possible combinations: the ones that occur, by a map, then sorted.
    let mut first: HashMap<u128, u64> = HashMap::new();
    let mut keys = vec![u128::MAX; n];
    for (c, rows) in chunks.iter().enumerate() {
        for i in rows.clone() {
            let k = key(c, i);
            keys[i] = k;
            if k != u128::MAX {
                first.entry(k).or_insert(i as u64);
            }
        }
    }
    let mut order: Vec<(u128, u64)> = first.into_iter().collect();
    order.sort_unstable();
    if order.len() >= NO_CODE as usize {
        return Err(CoreError::Design(
            "by: too many combinations of the key columns".into(),
        ));
    }
    let rank: HashMap<u128, u32> = order
        .iter()
        .enumerate()
        .map(|(r, &(k, _))| (k, r as u32))
        .collect();
    let codes = keys
        .par_iter()
        .map(|k| rank.get(k).copied().unwrap_or(NO_CODE))
        .collect();
    Ok(Keys {
        codes,
        first_rows: order.into_iter().map(|(_, row)| row).collect(),
    })
}

/// The first row of each code `0..space` among `codes` (`u64::MAX` for a code that does not
/// occur), the first of them being row `offset`.
fn first_rows_of(codes: &[u32], space: usize, offset: u64) -> Vec<u64> {
    let mut first = vec![u64::MAX; space];
    for (i, &k) in codes.iter().enumerate() {
        if k != NO_CODE && first[k as usize] == u64::MAX {
            first[k as usize] = offset + i as u64;
        }
    }
    first
}

/// A copy of `values`, each element read once (a relaxed atomic load: the caller's array may be
/// written meanwhile, and the copy holds for each element one value it really had), with the
/// smallest and largest; in parallel over row chunks.
fn load_integers(values: &[i64]) -> (Vec<i64>, i64, i64) {
    let mut out = vec![0_i64; values.len()];
    let copy = |(dst, src): (&mut [i64], &[i64])| {
        let (mut low, mut high) = (i64::MAX, i64::MIN);
        let mut put = |d: &mut i64, v: i64| {
            *d = v;
            low = low.min(v);
            high = high.max(v);
        };
        if src.as_ptr().align_offset(std::mem::align_of::<AtomicI64>()) == 0 {
            // SAFETY: same size, and the alignment was checked; `AtomicI64` is the type for
            // memory that another thread may write while it is read.
            let cells = unsafe { &*(std::ptr::from_ref(src) as *const [AtomicI64]) };
            for (d, cell) in dst.iter_mut().zip(cells) {
                put(d, cell.load(Ordering::Relaxed));
            }
        } else {
            for (i, d) in dst.iter_mut().enumerate() {
                // SAFETY: `i < src.len()` (`dst` is as long), and the slice is aligned for i64.
                put(d, unsafe { src.as_ptr().add(i).read_volatile() });
            }
        }
        (low, high)
    };
    let both = |a: (i64, i64), b: (i64, i64)| (a.0.min(b.0), a.1.max(b.1));
    let (low, high) = if values.len() > TEXT_CHUNK {
        out.par_chunks_mut(TEXT_CHUNK)
            .zip(values.par_chunks(TEXT_CHUNK))
            .map(copy)
            .reduce(|| (i64::MAX, i64::MIN), both)
    } else {
        copy((&mut out, values))
    };
    (out, low, high)
}

/// A column's codes for the combination pass, and how many codes it has.
fn code_column<'a>(
    column: &KeyColumn<'a>,
    chunks: &[std::ops::Range<usize>],
    n: usize,
) -> CoreResult<(Coded<'a>, u64)> {
    Ok(match *column {
        KeyColumn::Text {
            offsets,
            data,
            validity,
        } => {
            let (local, rank, size) = match offsets {
                Offsets::Narrow(o) => code_text(o, data, validity, chunks)?,
                Offsets::Wide(o) => code_text(o, data, validity, chunks)?,
            };
            (Coded::Text { local, rank }, size)
        }
        KeyColumn::Integers(caller) => {
            let (values, low, high) = load_integers(caller);
            let span = i128::from(high) - i128::from(low) + 1;
            if n == 0 {
                (Coded::Offset { values, low: 0 }, 0)
            } else if span <= (4 * n as i128).max(1 << 20) {
                (Coded::Offset { values, low }, span as u64)
            } else {
                let mut distinct = values.clone();
                distinct.par_sort_unstable();
                distinct.dedup();
                let size = distinct.len() as u64;
                (Coded::Sparse { values, distinct }, size)
            }
        }
        KeyColumn::Codes { codes, n: size } => {
            if let Some(i) = codes.iter().position(|&c| c >= size as i64) {
                return Err(CoreError::OutOfRange {
                    arg: "by",
                    index: i,
                    value: codes[i] as f64,
                    range: "the key codes",
                });
            }
            (Coded::Given(codes), size as u64)
        }
    })
}

/// An Arrow offset, 32 or 64 bits.
trait Offset: Copy + Send + Sync {
    fn get(self) -> i64;
}
impl Offset for i32 {
    #[inline]
    fn get(self) -> i64 {
        i64::from(self)
    }
}
impl Offset for i64 {
    #[inline]
    fn get(self) -> i64 {
        self
    }
}

/// A label of up to 16 bytes as its two words (zero-padded) and length; longer labels as their
/// first and last eight bytes and length, whose bytes are compared in full on a match.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Short {
    lo: u64,
    hi: u64,
    len: u64,
}

impl Short {
    #[inline]
    fn of(data: &[u8], start: usize, end: usize) -> Self {
        let load = |at: usize, take: usize| -> u64 {
            let mut buffer = [0_u8; 8];
            let take = take.min(8);
            if at + 8 <= data.len() {
                buffer.copy_from_slice(&data[at..at + 8]);
                let word = u64::from_le_bytes(buffer);
                return if take == 8 {
                    word
                } else {
                    word & ((1_u64 << (8 * take)) - 1)
                };
            }
            buffer[..take].copy_from_slice(&data[at..at + take]);
            u64::from_le_bytes(buffer)
        };
        let n = end - start;
        if n <= 16 {
            Short {
                lo: load(start, n),
                hi: if n > 8 { load(start + 8, n - 8) } else { 0 },
                len: n as u64,
            }
        } else {
            Short {
                lo: load(start, 8),
                hi: load(end - 8, 8),
                len: n as u64,
            }
        }
    }
    #[inline]
    fn hash(self) -> u64 {
        (self.lo ^ self.hi.rotate_left(29) ^ self.len.rotate_left(57))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }
}

/// A chunk's labels in order of first appearance: open addressing on [`Short`] keys.
struct LabelTable<'a> {
    /// Code + 1 per slot, 0 empty; a power of two long, at most half full.
    slots: Vec<u32>,
    keys: Vec<Short>,
    labels: Vec<(&'a [u8], u64)>,
}

impl<'a> LabelTable<'a> {
    fn new() -> Self {
        LabelTable {
            slots: vec![0; 64],
            keys: Vec::new(),
            labels: Vec::new(),
        }
    }

    #[inline]
    fn code(&mut self, text: &'a [u8], key: Short, row: u64) -> u32 {
        let mask = self.slots.len() - 1;
        let mut at = (key.hash() >> 32) as usize & mask;
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                break;
            }
            let code = slot - 1;
            if self.keys[code as usize] == key
                && (key.len <= 16 || self.labels[code as usize].0 == text)
            {
                return code;
            }
            at = (at + 1) & mask;
        }
        let code = self.labels.len() as u32;
        self.labels.push((text, row));
        self.keys.push(key);
        self.slots[at] = code + 1;
        if 2 * self.labels.len() > self.slots.len() {
            self.grow();
        }
        code
    }

    fn grow(&mut self) {
        let mut slots = vec![0_u32; self.slots.len() * 2];
        let mask = slots.len() - 1;
        for (code, key) in self.keys.iter().enumerate() {
            let mut at = (key.hash() >> 32) as usize & mask;
            while slots[at] != 0 {
                at = (at + 1) & mask;
            }
            slots[at] = code as u32 + 1;
        }
        self.slots = slots;
    }
}

/// A chunk's labels in order of first appearance, with the first row of each.
type ChunkLabels<'a> = Vec<(&'a [u8], u64)>;

/// The text column's chunk-local codes, each chunk's map from local code to the label's rank in
/// sorted order, and the number of labels.
type TextCodes = (Vec<u32>, Vec<Vec<u32>>, u64);

fn code_text<O: Offset>(
    offsets: &[O],
    data: &[u8],
    validity: Option<(&[u8], usize)>,
    chunks: &[std::ops::Range<usize>],
) -> CoreResult<TextCodes> {
    let n = offsets.len().saturating_sub(1);
    let mut local = vec![NO_CODE; n];
    let pieces: Vec<(std::ops::Range<usize>, &mut [u32])> = chunks
        .iter()
        .cloned()
        .zip(local.chunks_mut(TEXT_CHUNK))
        .collect();
    let code_chunk = |(rows, out): (std::ops::Range<usize>, &mut [u32])| {
        let mut table = LabelTable::new();
        let first = rows.start;
        for i in rows {
            if let Some((bits, offset)) = validity {
                let bit = offset + i;
                match bits.get(bit / 8) {
                    Some(byte) if byte & (1 << (bit % 8)) != 0 => {}
                    _ => continue,
                }
            }
            let (start, end) = (offsets[i].get(), offsets[i + 1].get());
            if start < 0 || start > end || end as usize > data.len() {
                return Err(CoreError::Design(format!(
                    "by: the text buffer of row {i} is malformed (offsets {start}..{end})"
                )));
            }
            let (start, end) = (start as usize, end as usize);
            let text = &data[start..end];
            out[i - first] = table.code(text, Short::of(data, start, end), i as u64);
        }
        Ok(table.labels)
    };
    let parts: Vec<CoreResult<ChunkLabels<'_>>> = if pieces.len() > 1 {
        pieces.into_par_iter().map(code_chunk).collect()
    } else {
        pieces.into_iter().map(code_chunk).collect()
    };
    let parts = parts.into_iter().collect::<CoreResult<Vec<_>>>()?;
    // Every chunk's labels, sorted by their bytes, then each chunk's map to the rank.
    let mut all: Vec<&[u8]> = parts.iter().flatten().map(|&(text, _)| text).collect();
    all.sort_unstable();
    all.dedup();
    let rank: HashMap<&[u8], u32> = all
        .iter()
        .enumerate()
        .map(|(r, &t)| (t, r as u32))
        .collect();
    let maps = parts
        .iter()
        .map(|labels| labels.iter().map(|(t, _)| rank[t]).collect())
        .collect();
    Ok((local, maps, all.len() as u64))
}

/// Codes for one text column in Arrow's layout (as [`KeyColumn::Text`]), numbered in sorted
/// order of the labels, with the first row of each code.
pub fn factorize_text(
    offsets: &[i64],
    data: &[u8],
    validity: Option<(&[u8], usize)>,
) -> CoreResult<(Vec<u32>, Vec<u64>)> {
    let keys = factorize_keys(&[KeyColumn::Text {
        offsets: Offsets::Wide(offsets),
        data,
        validity,
    }])?;
    Ok((keys.codes, keys.first_rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The combinations of (text, integer, code) keys, in sorted order, checked against a
    /// plain sort of the rows' tuples; chunks (`TEXT_CHUNK`) are crossed, labels up to and past
    /// 16 bytes, missing values in each column.
    #[test]
    fn combinations_are_numbered_in_sorted_order() {
        let labels = [
            "b",
            "a",
            "a longer label than sixteen",
            "zz",
            "",
            "sixteen bytes!!!",
        ];
        let n = 2 * TEXT_CHUNK + 77;
        let mut data = Vec::new();
        let mut offsets = vec![0_i64];
        let mut bits = vec![0_u8; n.div_ceil(8)];
        let mut ints = Vec::with_capacity(n);
        let mut given = Vec::with_capacity(n);
        let mut want: Vec<Option<(&str, i64, i64)>> = Vec::with_capacity(n);
        let mut x = 7_u64;
        for i in 0..n {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let label = labels[(x >> 40) as usize % labels.len()];
            let valid = (x >> 20) % 17 != 0;
            if valid {
                bits[i / 8] |= 1 << (i % 8);
            }
            data.extend_from_slice(label.as_bytes());
            offsets.push(data.len() as i64);
            let v = 1_000 + ((x >> 30) % 5) as i64 * 3;
            ints.push(v);
            let c = ((x >> 50) % 4) as i64 - 1; // -1 is missing
            given.push(c);
            want.push((valid && c >= 0).then_some((label, v, c)));
        }
        let keys = factorize_keys(&[
            KeyColumn::Text {
                offsets: Offsets::Wide(&offsets),
                data: &data,
                validity: Some((&bits, 0)),
            },
            KeyColumn::Integers(&ints),
            KeyColumn::Codes {
                codes: &given,
                n: 3,
            },
        ])
        .unwrap();
        let mut sorted: Vec<(&str, i64, i64)> = want.iter().flatten().copied().collect();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(keys.first_rows.len(), sorted.len());
        for (i, w) in want.iter().enumerate() {
            match w {
                None => assert_eq!(keys.codes[i], NO_CODE, "row {i}"),
                Some(t) => assert_eq!(sorted[keys.codes[i] as usize], *t, "row {i}"),
            }
        }
        for (code, &row) in keys.first_rows.iter().enumerate() {
            assert_eq!(want[row as usize], Some(sorted[code]));
            assert!(keys.codes[..row as usize].iter().all(|&c| c != code as u32));
        }
    }

    #[test]
    fn wide_integer_keys_and_many_columns() {
        // Values spread past 4n (within 2^20) are offsets from the smallest; eight such
        // columns number past 2^128 combinations and are combined in steps.
        let n = 300;
        let columns: Vec<Vec<i64>> = (0..8)
            .map(|k| {
                (0..n)
                    .map(|i| ((i * 7919 + k * 31) % 97) as i64 * 10_000)
                    .collect()
            })
            .collect();
        let keys = factorize_keys(
            &columns
                .iter()
                .map(|c| KeyColumn::Integers(c))
                .collect::<Vec<_>>(),
        )
        .unwrap();
        let rows: Vec<Vec<i64>> = (0..n)
            .map(|i| columns.iter().map(|c| c[i]).collect())
            .collect();
        let mut sorted = rows.clone();
        sorted.sort_unstable();
        sorted.dedup();
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(&sorted[keys.codes[i] as usize], row);
        }
        let bad = factorize_keys(&[KeyColumn::Codes {
            codes: &[0, 3],
            n: 2,
        }]);
        assert!(bad.is_err());
    }
}
