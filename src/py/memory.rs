//! The allocator of the extension: the system's, with freed result columns kept for the next call.
//!
//! A result column of a million rows is 8 MB of fresh memory, and on first touch the kernel maps
//! it one 4 KiB page at a time: about 2,000 page faults a column, which cost more here than the
//! arithmetic that fills it (1e6 Wilson rows computed in about 1 ms, their five columns faulted in
//! for about 10 ms). numpy's own temporaries escape this because glibc reuses a freed block for
//! the next one; a result frame of five columns, freed together, is instead returned to the
//! system at the top of the heap and faulted in afresh by the next call.
//!
//! So a freed block of at least [`LARGE`] bytes is kept, up to [`KEEP`] bytes in all (glibc's own
//! ceiling for memory it keeps at the top of the heap), and handed to the next request of about its
//! size. Everything else goes straight to the system allocator, and every block kept came from it,
//! so `realloc` and `free` stay the system's.
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;

/// Blocks below this size go straight to the system (they are not worth a lock).
const LARGE: usize = 1 << 20;
/// At most this many bytes of freed blocks are kept.
const KEEP: usize = 64 << 20;
/// At most this many blocks are kept.
const SLOTS: usize = 16;
/// The most alignment a kept block is reused for (malloc's own).
const ALIGN: usize = 16;

/// A freed block: its address and the size it was allocated with.
#[derive(Clone, Copy)]
struct Block {
    at: usize,
    size: usize,
}

/// The kept blocks, oldest first.
struct Kept {
    blocks: [Block; SLOTS],
    len: usize,
    bytes: usize,
}

impl Kept {
    /// The most recently freed block that serves `size` bytes without wasting over a quarter.
    fn take(&mut self, size: usize) -> Option<usize> {
        let found = (0..self.len)
            .rev()
            .find(|&i| (size..=size + size / 4).contains(&self.blocks[i].size))?;
        let block = self.blocks[found];
        self.blocks.copy_within(found + 1..self.len, found);
        self.len -= 1;
        self.bytes -= block.size;
        Some(block.at)
    }

    /// Keeps `block`, returning the oldest blocks it pushes out (to be freed outside the lock).
    fn keep(&mut self, block: Block) -> ([usize; SLOTS], usize) {
        let mut out = [0; SLOTS];
        let mut n_out = 0;
        while self.len > 0 && (self.len == SLOTS || self.bytes + block.size > KEEP) {
            out[n_out] = self.blocks[0].at;
            n_out += 1;
            self.bytes -= self.blocks[0].size;
            self.blocks.copy_within(1..self.len, 0);
            self.len -= 1;
        }
        self.blocks[self.len] = block;
        self.len += 1;
        self.bytes += block.size;
        (out, n_out)
    }
}

static KEPT: Mutex<Kept> = Mutex::new(Kept {
    blocks: [Block { at: 0, size: 0 }; SLOTS],
    len: 0,
    bytes: 0,
});

/// Whether a block of `layout` is one to keep and reuse.
fn kept_kind(layout: Layout) -> bool {
    layout.size() >= LARGE && layout.size() <= KEEP && layout.align() <= ALIGN
}

/// The system allocator, keeping large freed blocks for reuse.
pub struct Columns;

// SAFETY: every block handed out came from `System` (fresh or kept after a `dealloc`), is at least
// the size asked for and aligned to malloc's 16 bytes; `System` frees and reallocates it by its
// address alone, whatever the size recorded here.
unsafe impl GlobalAlloc for Columns {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if kept_kind(layout) {
            if let Some(at) = KEPT
                .lock()
                .map_or(None, |mut kept| kept.take(layout.size()))
            {
                return at as *mut u8;
            }
        }
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if kept_kind(layout) {
            if let Some(at) = KEPT
                .lock()
                .map_or(None, |mut kept| kept.take(layout.size()))
            {
                let ptr = at as *mut u8;
                ptr.write_bytes(0, layout.size());
                return ptr;
            }
        }
        System.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if kept_kind(layout) {
            if let Ok(mut kept) = KEPT.lock() {
                let (out, n_out) = kept.keep(Block {
                    at: ptr as usize,
                    size: layout.size(),
                });
                drop(kept);
                for &at in &out[..n_out] {
                    System.dealloc(at as *mut u8, Layout::from_size_align_unchecked(LARGE, 1));
                }
                return;
            }
        }
        System.dealloc(ptr, layout);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Columns = Columns;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_blocks_stay_bounded_and_zeroed_requests_are_zero() {
        for _ in 0..3 {
            let columns: Vec<Vec<f64>> = (0..40).map(|_| vec![2.0; 1 << 18]).collect();
            drop(columns);
            // A kept block full of 2.0 serves this request: it must come back zeroed.
            let zeroed = vec![0.0_f64; 1 << 18];
            assert!(zeroed.iter().all(|&v| v == 0.0));
        }
        let kept = KEPT.lock().expect("no test panics holding the lock");
        assert!(kept.bytes <= KEEP && kept.len <= SLOTS);
        assert_eq!(
            kept.bytes,
            kept.blocks[..kept.len]
                .iter()
                .map(|b| b.size)
                .sum::<usize>()
        );
    }

    #[test]
    fn take_prefers_the_newest_block_that_fits_and_refuses_waste() {
        let mut kept = Kept {
            blocks: [Block { at: 0, size: 0 }; SLOTS],
            len: 0,
            bytes: 0,
        };
        for (at, size) in [(1, 8 << 20), (2, 4 << 20), (3, 8 << 20)] {
            assert_eq!(kept.keep(Block { at, size }).1, 0);
        }
        assert_eq!(kept.take(8 << 20), Some(3));
        assert_eq!(kept.take(7 << 20), Some(1)); // 8 MiB serves 7 MiB: an eighth spare
        assert_eq!(kept.take(2 << 20), None); // 4 MiB for 2 MiB would waste half
        assert_eq!((kept.len, kept.bytes), (1, 4 << 20));
        // Filling past KEEP pushes out the oldest first.
        let (out, n_out) = kept.keep(Block {
            at: 9,
            size: KEEP - (1 << 20),
        });
        assert_eq!(&out[..n_out], &[2]);
        assert_eq!((kept.len, kept.bytes), (1, KEEP - (1 << 20)));
    }
}
