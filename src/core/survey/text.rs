//! Codes for text keys (by-columns, strata, PSU labels) read from Arrow's buffers.
use super::super::error::{CoreError, CoreResult};
use super::NO_CODE;
use rayon::prelude::*;
use std::collections::HashMap;

/// Rows per chunk when coding text keys on rayon's pool; below it one thread codes them all.
pub(super) const TEXT_CHUNK: usize = 131_072;

/// A multiplicative hash for short byte strings (the labels of by-columns: sexes, age groups,
/// regions), eight bytes at a time. Keys come from the caller's own data, not an adversary.
#[derive(Default)]
struct LabelHasher(u64);

impl std::hash::Hasher for LabelHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0_u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let mut tail = [0_u8; 8];
        tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.mix(u64::from_le_bytes(tail) ^ (bytes.len() as u64) << 56);
    }
    fn write_usize(&mut self, length: usize) {
        self.mix(length as u64);
    }
    fn write_u64(&mut self, word: u64) {
        self.mix(word);
    }
}

impl LabelHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// The length of the label at `data[start..end]` with its first and last eight bytes, as one
/// word. Short labels are read as eight bytes and masked, which avoids a copy of varying length.
fn fingerprint(data: &[u8], start: usize, end: usize) -> u64 {
    let load = |at: usize| {
        let mut buffer = [0_u8; 8];
        if at + 8 <= data.len() {
            buffer.copy_from_slice(&data[at..at + 8]);
        } else {
            let available = &data[at.min(data.len())..];
            buffer[..available.len()].copy_from_slice(available);
        }
        u64::from_le_bytes(buffer)
    };
    let n = end - start;
    let head = if n >= 8 {
        load(start)
    } else {
        load(start) & ((1_u64 << (8 * n)) - 1)
    };
    let tail = if n > 8 { load(end - 8) } else { 0 };
    (head ^ tail.rotate_left(29) ^ (n as u64) << 56).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

type LabelMap<'a> = HashMap<&'a [u8], u32, std::hash::BuildHasherDefault<LabelHasher>>;

/// A chunk's codes, and its labels in order of first appearance with the row of each.
type CodedChunk<'a> = (Vec<u32>, Vec<(&'a [u8], u64)>);

/// Codes for text labels in Arrow's layout (label `i` is `data[offsets[i]..offsets[i + 1]]`),
/// numbered in sorted order of the labels, with the first row of each code. `validity` is Arrow's
/// bitmap with the bit offset of the first label; a cleared bit is a missing label, [`NO_CODE`].
///
/// Hashing the labels here is several times faster than pandas `factorize` on a text column;
/// above [`TEXT_CHUNK`] rows the chunks are coded in parallel and their codes renumbered.
pub fn factorize_text(
    offsets: &[i64],
    data: &[u8],
    validity: Option<(&[u8], usize)>,
) -> CoreResult<(Vec<u32>, Vec<u64>)> {
    let n = offsets.len().saturating_sub(1);
    let label = |i: usize| -> CoreResult<Option<(usize, usize)>> {
        if let Some((bits, offset)) = validity {
            let bit = offset + i;
            match bits.get(bit / 8) {
                Some(byte) if byte & (1 << (bit % 8)) != 0 => {}
                _ => return Ok(None),
            }
        }
        let (start, end) = (offsets[i], offsets[i + 1]);
        if start < 0 || start > end || end as usize > data.len() {
            return Err(CoreError::Design(format!(
                "by: the text buffer of row {i} is malformed (offsets {start}..{end})"
            )));
        }
        Ok(Some((start as usize, end as usize)))
    };
    // Each chunk: local codes in order of first appearance, and its labels in that order.
    let code_chunk = |rows: std::ops::Range<usize>| -> CoreResult<CodedChunk<'_>> {
        // A label's fingerprint (its length and first and last eight bytes) finds its code with
        // one cheap lookup; the bytes are then compared, and a full map of the labels takes
        // the rare labels whose fingerprints collide.
        let mut by_print: HashMap<u64, u32, std::hash::BuildHasherDefault<LabelHasher>> =
            HashMap::default();
        let mut seen: LabelMap<'_> = HashMap::default();
        let mut labels: Vec<(&[u8], u64)> = Vec::new();
        let mut codes = Vec::with_capacity(rows.len());
        for i in rows {
            let Some((start, end)) = label(i)? else {
                codes.push(NO_CODE);
                continue;
            };
            let text = &data[start..end];
            let print = fingerprint(data, start, end);
            let code = match by_print.get(&print) {
                Some(&code) if labels[code as usize].0 == text => code,
                found => {
                    let collided = found.is_some();
                    let code = *seen.entry(text).or_insert_with(|| {
                        labels.push((text, i as u64));
                        (labels.len() - 1) as u32
                    });
                    if !collided {
                        by_print.insert(print, code);
                    }
                    code
                }
            };
            codes.push(code);
        }
        Ok((codes, labels))
    };
    let chunks: Vec<std::ops::Range<usize>> = (0..n.div_ceil(TEXT_CHUNK).max(1))
        .map(|c| c * TEXT_CHUNK..((c + 1) * TEXT_CHUNK).min(n))
        .collect();
    let parts: Vec<CoreResult<CodedChunk<'_>>> = if chunks.len() > 1 {
        chunks.into_par_iter().map(code_chunk).collect()
    } else {
        chunks.into_iter().map(code_chunk).collect()
    };
    let mut global: LabelMap<'_> = HashMap::default();
    let mut first_rows: Vec<u64> = Vec::new();
    let mut codes: Vec<u32> = Vec::with_capacity(n);
    for part in parts {
        let (local, labels) = part?;
        let renumber: Vec<u32> = labels
            .iter()
            .map(|&(text, row)| {
                *global.entry(text).or_insert_with(|| {
                    first_rows.push(row);
                    (first_rows.len() - 1) as u32
                })
            })
            .collect();
        codes.extend(local.iter().map(|&c| {
            if c == NO_CODE {
                NO_CODE
            } else {
                renumber[c as usize]
            }
        }));
    }
    // Renumber in sorted order of the labels' bytes (UTF-8 sorts as Python sorts str).
    let mut order: Vec<(&[u8], u32)> = global.into_iter().collect();
    order.sort_unstable();
    let mut rank = vec![0_u32; order.len()];
    for (r, &(_, code)) in order.iter().enumerate() {
        rank[code as usize] = r as u32;
    }
    let first_rows = order
        .iter()
        .map(|&(_, code)| first_rows[code as usize])
        .collect();
    for c in &mut codes {
        if *c != NO_CODE {
            *c = rank[*c as usize];
        }
    }
    Ok((codes, first_rows))
}
