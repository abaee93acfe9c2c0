//! The index behind fast calendar arithmetic: a calendar's open time from 2000-01-01 to
//! 2102-01-28 UTC, cut into 96 chunks of 2^25 seconds (388.4 days) each built on first use
//! from the day-by-day walk (so it holds exactly the walk's open instants) and kept for the
//! calendar's lifetime (a `OnceLock` per chunk: built once, then read without locking by
//! every thread; clones of a calendar share it).
//!
//! A chunk holds its open time as maximal runs (touching pieces merged) of second offsets
//! from the chunk's start, each with the business seconds of the chunk before it (a prefix
//! sum), and a slot table: per 2^16 seconds (18.2 h), the first run that ends after the slot
//! starts. Finding an instant is a table read and a scan of the one or two runs that end in
//! its slot; business time between two instants is a difference of prefix sums; adding
//! business time is a binary search on the prefix sums.
//!
//! Memory: 16 bytes per chunk slot up front (1.5 KiB a calendar), then per built chunk 2 KiB
//! of slot table and 12 bytes a run (Mon-Fri 9-17 has about 280 runs a chunk: about 5.4 KiB).

use std::fmt;
use std::sync::OnceLock;

/// First indexed instant: 2000-01-01T00:00:00Z.
pub(crate) const BASE: i64 = 946_684_800;
const CHUNK_SHIFT: u32 = 25;
/// Seconds a chunk covers.
pub(crate) const CHUNK: i64 = 1 << CHUNK_SHIFT;
const CHUNKS: usize = 96;
/// End of the indexed window (exclusive): 2102-01-28T04:11:12Z.
pub(crate) const LIMIT: i64 = BASE + CHUNK * CHUNKS as i64;
const SLOT_SHIFT: u32 = 16;
const SLOTS: usize = 1 << (CHUNK_SHIFT - SLOT_SHIFT);

/// A maximal run of open time inside a chunk: offsets `start..end` from the chunk's start,
/// and the chunk's business seconds before `start`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Run {
    pub(crate) start: u32,
    pub(crate) end: u32,
    pub(crate) before: u32,
}

impl Run {
    /// The chunk's business seconds up to this run's end.
    fn through(&self) -> u32 {
        self.before + (self.end - self.start)
    }
}

/// The open time of one chunk.
#[derive(Debug)]
pub(crate) struct Chunk {
    /// Sorted, disjoint, non-touching runs (a run may end at [`CHUNK`] and go on in the
    /// next chunk).
    pub(crate) runs: Box<[Run]>,
    /// Per slot of 2^16 seconds: the index of the first run ending after the slot's start.
    slots: Box<[u32]>,
    /// Business seconds in the chunk.
    pub(crate) total: u32,
}

impl Chunk {
    /// The chunk starting at `base`, from the open pieces at or after `base` in increasing
    /// order (they may touch, never overlap); pieces past the chunk are not read.
    pub(crate) fn build(base: i64, pieces: impl Iterator<Item = (i64, i64)>) -> Chunk {
        let end = base + CHUNK;
        let mut runs: Vec<Run> = Vec::new();
        let mut total: u32 = 0;
        for (s, e) in pieces {
            if s >= end {
                break;
            }
            // Offsets inside 0..=CHUNK (2^25): they fit a u32.
            let s = (s.max(base) - base) as u32;
            let e = (e.min(end) - base) as u32;
            if e <= s {
                continue;
            }
            match runs.last_mut() {
                Some(last) if last.end == s => last.end = e,
                _ => runs.push(Run {
                    start: s,
                    end: e,
                    before: total,
                }),
            }
            total += e - s;
        }
        let mut slots = Vec::with_capacity(SLOTS);
        let mut i = 0;
        for k in 0..SLOTS {
            let from = (k as u32) << SLOT_SHIFT;
            while runs.get(i).is_some_and(|r| r.end <= from) {
                i += 1;
            }
            slots.push(i as u32);
        }
        Chunk {
            runs: runs.into_boxed_slice(),
            slots: slots.into_boxed_slice(),
            total,
        }
    }

    /// For an offset `off` (`0..=CHUNK`): the index of the first run ending after it (the
    /// run count when none does) and the chunk's business seconds before it.
    #[inline]
    pub(crate) fn locate(&self, off: u32) -> (usize, u32) {
        let mut i = self
            .slots
            .get((off >> SLOT_SHIFT) as usize)
            .map_or(self.runs.len(), |&i| i as usize);
        while let Some(r) = self.runs.get(i) {
            if r.end > off {
                return (i, r.before + off.saturating_sub(r.start));
            }
            i += 1;
        }
        (i, self.total)
    }

    /// The instant offset at which the chunk's business seconds reach `target`
    /// (`1..=total`), searching from run `from` on: the earliest such offset.
    #[inline]
    pub(crate) fn reach(&self, from: usize, target: u32) -> Option<u32> {
        let runs = self.runs.get(from..)?;
        // Most deadlines fall in the run `from` or the next few: look there first, then
        // search the rest.
        let (near, far) = runs.split_at(runs.len().min(4));
        let r = match near.iter().find(|r| r.through() >= target) {
            Some(r) => r,
            None => far.get(far.partition_point(|r| r.through() < target))?,
        };
        Some(r.start + (target - r.before))
    }
}

/// The chunks of one calendar, each built on first use.
pub(crate) struct Index {
    chunks: Box<[OnceLock<Box<Chunk>>]>,
}

impl Index {
    /// An index with no chunk built yet.
    pub(crate) fn new() -> Index {
        Index {
            chunks: (0..CHUNKS).map(|_| OnceLock::new()).collect(),
        }
    }

    /// Chunk `k` (`None` past the window), built by `build(base)` on first use.
    #[inline]
    pub(crate) fn chunk(&self, k: usize, build: impl FnOnce(i64) -> Chunk) -> Option<&Chunk> {
        let cell = self.chunks.get(k)?;
        Some(cell.get_or_init(|| Box::new(build(chunk_base(k)))))
    }

    /// The chunk number and offset of an instant inside the window
    /// (`BASE <= t < LIMIT`).
    #[inline]
    pub(crate) fn split(t: i64) -> (usize, u32) {
        let rel = t - BASE;
        ((rel >> CHUNK_SHIFT) as usize, (rel & (CHUNK - 1)) as u32)
    }
}

/// The first instant of chunk `k`.
#[inline]
pub(crate) fn chunk_base(k: usize) -> i64 {
    BASE + ((k as i64) << CHUNK_SHIFT)
}

impl fmt::Debug for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let built = self.chunks.iter().filter(|c| c.get().is_some()).count();
        f.debug_struct("Index")
            .field("built_chunks", &built)
            .finish()
    }
}

impl Index {
    /// Bytes the index holds: its chunk table and every chunk built so far.
    pub(crate) fn heap_bytes(&self) -> usize {
        let table = self.chunks.len() * std::mem::size_of::<OnceLock<Box<Chunk>>>();
        let chunks: usize = self
            .chunks
            .iter()
            .filter_map(OnceLock::get)
            .map(|c| {
                std::mem::size_of::<Chunk>()
                    + c.runs.len() * std::mem::size_of::<Run>()
                    + c.slots.len() * std::mem::size_of::<u32>()
            })
            .sum();
        table + chunks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_constants() {
        assert_eq!(CHUNK, 33_554_432);
        assert_eq!(LIMIT, 4_167_910_272);
        assert_eq!(SLOTS, 512);
        assert_eq!(Index::split(BASE), (0, 0));
        assert_eq!(Index::split(LIMIT - 1), (CHUNKS - 1, (CHUNK - 1) as u32));
        assert_eq!(std::mem::size_of::<OnceLock<Box<Chunk>>>(), 16);
    }

    #[test]
    fn runs_merge_and_locate() {
        let base = chunk_base(3);
        let pieces = [
            (base - 10, base + 5),
            (base + 5, base + 10),
            (base + 100, base + 200),
        ];
        let c = Chunk::build(base, pieces.into_iter());
        assert_eq!(c.runs.len(), 2);
        assert_eq!(c.total, 110);
        assert_eq!(c.locate(0), (0, 0));
        assert_eq!(c.locate(7), (0, 7));
        assert_eq!(c.locate(10), (1, 10));
        assert_eq!(c.locate(150), (1, 60));
        assert_eq!(c.locate(200), (2, 110));
        assert_eq!(c.locate(CHUNK as u32), (2, 110));
        assert_eq!(c.reach(0, 10), Some(10));
        assert_eq!(c.reach(0, 11), Some(101));
        assert_eq!(c.reach(1, 110), Some(200));
        assert_eq!(c.reach(0, 111), None);
    }
}
