//! The row loop: each row's matching rules found by mask lookups, its update queued, and a
//! chunk's updates applied to the lead blocks in one tight loop (so the cache misses on
//! blocks, as leads arrive at random, overlap).

use super::plan::{Acc, Layout, Pass};
use super::{CHUNK_ROWS, MAX_TIME, MIN_TIME, STOP_CHECK_ROWS};
use crate::columnar::{
    AttrColumn, EventColumns, NULL_CODE, NULL_TIME, RowError, RowErrorReason, check_dict,
};
use crate::error::Result;
use crate::model::{Activity, ActivityKind, AttributeDef};
use crate::scoring::model::Scoring;
use crate::scoring::points::Factors;
use chrono::DateTime;
use std::ops::Range;

/// One row's matching rules.
struct Update {
    lead: u32,
    at: i64,
    mask: u64,
}

/// Running state of every lead: `stride` words each, plus the side table.
pub(super) struct Block {
    words: Vec<u32>,
    side: Vec<Vec<i64>>,
    pub row_errors: Vec<RowError>,
}

impl Block {
    fn new(n_leads: usize, layout: &Layout) -> Self {
        Block {
            words: vec![0; n_leads * layout.stride],
            side: vec![Vec::new(); n_leads * layout.side_slots],
            row_errors: Vec::new(),
        }
    }

    /// Lead `l`'s words.
    pub(super) fn lead(&self, l: usize, stride: usize) -> &[u32] {
        &self.words[l * stride..(l + 1) * stride]
    }

    /// Lead `l`'s side-table times at `slot`.
    pub(super) fn side(&self, l: usize, slot: usize, slots: usize) -> &[i64] {
        &self.side[l * slots + slot]
    }

    /// Adds another run's blocks (of rows after this one's) to these.
    pub(super) fn merge(&mut self, other: Block, layout: &Layout) {
        let stride = layout.stride;
        if stride > 0 {
            for (mine, theirs) in self
                .words
                .chunks_exact_mut(stride)
                .zip(other.words.chunks_exact(stride))
            {
                for acc in &layout.acc {
                    match *acc {
                        Acc::Count(at) => mine[at] = mine[at].saturating_add(theirs[at]),
                        Acc::Factors(at) => {
                            let sum = read_u128(mine, at).saturating_add(read_u128(theirs, at));
                            write_u128(mine, at, sum);
                        }
                        Acc::Earliest(at, n) => {
                            for k in 0..theirs[at] as usize {
                                let t = read_i64(theirs, at + 1 + 2 * k);
                                keep_inline(&mut mine[at..at + 1 + 2 * n as usize], t);
                            }
                        }
                        Acc::Side(..) => {}
                    }
                }
            }
        }
        if layout.side_slots > 0 {
            for (i, (mine, theirs)) in self.side.iter_mut().zip(other.side).enumerate() {
                let limit = layout.side_limits[i % layout.side_slots];
                for t in theirs {
                    keep_earliest(mine, t, limit);
                }
            }
        }
        self.row_errors.extend(other.row_errors);
    }
}

/// Everything a run over rows reads.
pub(super) struct Scan<'s, 'a> {
    pub scoring: &'a Scoring,
    pub events: &'s EventColumns<'a>,
    pub layout: &'s Layout,
    pub checked: &'s [(&'s AttrColumn<'a>, &'s AttributeDef)],
    pub n_leads: usize,
    pub now: i64,
    pub horizon: i64,
}

impl Scan<'_, '_> {
    /// Scans rows `range` into fresh blocks; `None` once `keep_going` says stop. A code
    /// outside its dictionary in a column a rule filters on fails the batch.
    pub(super) fn run(
        &self,
        range: Range<usize>,
        keep_going: &mut dyn FnMut() -> bool,
    ) -> Result<Option<Block>> {
        let passes = Pass::plan(self.scoring, self.layout, self.events, self.now);
        let mut block = Block::new(self.n_leads, self.layout);
        let mut updates: Vec<Update> = Vec::with_capacity(CHUNK_ROWS);
        for (p, pass) in passes.iter().enumerate() {
            let mut start = range.start;
            let mut bad_codes = 0;
            while start < range.end {
                if (start - range.start) % STOP_CHECK_ROWS == 0 && !keep_going() {
                    return Ok(None);
                }
                let end = range.end.min(start + CHUNK_ROWS);
                bad_codes |= self.scan(p, pass, start..end, &mut updates, &mut block);
                self.apply(pass, &mut updates, &mut block);
                start = end;
            }
            for (d, dict) in pass.dicts.iter().enumerate() {
                if bad_codes & (1 << d.min(63)) != 0 {
                    check_dict(dict.name, &dict.col)?;
                }
            }
            for test in pass.tests.iter().flatten() {
                test.bad_code()?;
            }
        }
        Ok(Some(block))
    }

    /// Finds the matching rules of rows `rows` (row errors recorded by the first pass);
    /// gives the filtered columns that met a code outside their dictionary.
    #[inline(never)]
    fn scan(
        &self,
        p: usize,
        pass: &Pass<'_>,
        rows: Range<usize>,
        updates: &mut Vec<Update>,
        block: &mut Block,
    ) -> u64 {
        let mut bad_codes = 0;
        let ev = self.events;
        let leads = &ev.lead[rows.clone()];
        let codes = &ev.kind.codes[rows.clone()];
        let ats = &ev.at[rows.clone()];
        let n_kinds = pass.kind_masks.len();
        let checked = !self.checked.is_empty();
        let upper = self.horizon.min(MAX_TIME);
        for (i, ((&lead, &code), &at)) in leads.iter().zip(codes).zip(ats).enumerate() {
            let row = rows.start + i;
            let fine = ((lead as usize) < self.n_leads)
                & ((code as usize) < n_kinds)
                & (at >= MIN_TIME)
                & (at <= upper);
            if (!fine || checked)
                && let Some(e) = self.row_error(row)
            {
                if p == 0 {
                    block.row_errors.push(e);
                }
                continue;
            }
            if at > self.now {
                continue;
            }
            let mut m = pass.kind_masks[code as usize];
            if m == 0 {
                continue;
            }
            for (d, dict) in pass.dicts.iter().enumerate() {
                let index = dict.index(row);
                if index == dict.masks.len() - 1 && m & dict.involved != 0 {
                    bad_codes |= 1 << d.min(63);
                }
                m &= dict.masks[index];
            }
            for &(bit, from) in &pass.from {
                if at < from {
                    m &= !bit;
                }
            }
            let mut tested = m & pass.tested;
            while tested != 0 {
                let r = tested.trailing_zeros() as usize;
                tested &= tested - 1;
                if !pass.tests[r].iter().all(|c| c.test(row)) {
                    m &= !(1 << r);
                }
            }
            if m != 0 {
                updates.push(Update { lead, at, mask: m });
            }
        }
        bad_codes
    }

    /// Applies a chunk's updates to the lead blocks.
    #[inline(never)]
    fn apply(&self, pass: &Pass<'_>, updates: &mut Vec<Update>, block: &mut Block) {
        let (stride, slots) = (self.layout.stride, self.layout.side_slots);
        let Block { words, side, .. } = block;
        for u in updates.drain(..) {
            let lead = u.lead as usize;
            let Some(mine) = words.get_mut(lead * stride..(lead + 1) * stride) else {
                continue;
            };
            let mut m = u.mask;
            while m != 0 {
                let r = m.trailing_zeros() as usize;
                m &= m - 1;
                let hot = &pass.hot[r];
                match hot.acc {
                    Acc::Count(at) => mine[at] = mine[at].saturating_add(1),
                    Acc::Factors(at) => {
                        let age = self.now.saturating_sub(u.at).max(0) as u64;
                        let f = hot.table.map_or(1.0, |t| t.factor(age));
                        let sum = read_u128(mine, at).saturating_add(Factors::fixed(f));
                        write_u128(mine, at, sum);
                    }
                    Acc::Earliest(at, n) => {
                        keep_inline(&mut mine[at..at + 1 + 2 * n as usize], u.at)
                    }
                    Acc::Side(slot, n) => keep_earliest(&mut side[lead * slots + slot], u.at, n),
                }
            }
        }
    }

    /// The error of row `row`, if it has one: checked in the order of the row's fields.
    fn row_error(&self, row: usize) -> Option<RowError> {
        let ev = self.events;
        let lead = ev.lead[row] as usize;
        let at = ev.at[row];
        let error = |reason, message| {
            Some(RowError {
                row,
                reason,
                message,
            })
        };
        if lead >= self.n_leads {
            return error(
                RowErrorReason::UnknownLead,
                format!("lead index {lead} is not among the {} leads", self.n_leads),
            );
        }
        let code = ev.kind.codes[row];
        if code as usize >= ev.kind.dictionary.len() {
            return error(
                RowErrorReason::BadValue,
                if code == NULL_CODE {
                    "the event has no kind".to_owned()
                } else {
                    format!(
                        "kind code {code} is outside its dictionary of {}",
                        ev.kind.dictionary.len()
                    )
                },
            );
        }
        if !(MIN_TIME..=MAX_TIME).contains(&at) {
            return error(
                RowErrorReason::InvalidTime,
                if at == NULL_TIME {
                    "the event has no time".to_owned()
                } else {
                    format!("event time {at} is not a representable instant")
                },
            );
        }
        if at > self.horizon {
            return error(
                RowErrorReason::InFuture,
                format!("event at {at} is after now ({})", self.now),
            );
        }
        if !self.checked.is_empty() {
            let mut scratch = Activity::new(ActivityKind::Call, DateTime::UNIX_EPOCH);
            for (col, def) in self.checked {
                if let Err(why) = def.set(&mut scratch, col.values.get(row)) {
                    return error(
                        RowErrorReason::BadValue,
                        format!("event column `{}`: {why}", col.name),
                    );
                }
            }
        }
        None
    }
}

/// The `u128` in four words from `at`.
#[inline(always)]
pub(super) fn read_u128(words: &[u32], at: usize) -> u128 {
    let w = &words[at..at + 4];
    u128::from(w[0]) | u128::from(w[1]) << 32 | u128::from(w[2]) << 64 | u128::from(w[3]) << 96
}

#[inline(always)]
fn write_u128(words: &mut [u32], at: usize, v: u128) {
    let w = &mut words[at..at + 4];
    w[0] = v as u32;
    w[1] = (v >> 32) as u32;
    w[2] = (v >> 64) as u32;
    w[3] = (v >> 96) as u32;
}

/// The `i64` in two words from `at`.
#[inline(always)]
pub(super) fn read_i64(words: &[u32], at: usize) -> i64 {
    (u64::from(words[at]) | u64::from(words[at + 1]) << 32) as i64
}

#[inline(always)]
fn write_i64(words: &mut [u32], at: usize, v: i64) {
    words[at] = v as u32;
    words[at + 1] = ((v as u64) >> 32) as u32;
}

/// Keeps the earliest times in `slot = [count, t1, .., t_n]` (times as two words each).
fn keep_inline(slot: &mut [u32], t: i64) {
    let n = (slot.len() - 1) / 2;
    let count = slot[0] as usize;
    if count < n {
        write_i64(slot, 1 + 2 * count, t);
        slot[0] += 1;
        return;
    }
    let (mut latest, mut at) = (i64::MIN, 0);
    for k in 0..n {
        let v = read_i64(slot, 1 + 2 * k);
        if v > latest {
            (latest, at) = (v, k);
        }
    }
    if n > 0 && t < latest {
        write_i64(slot, 1 + 2 * at, t);
    }
}

/// Keeps the `limit` earliest times.
fn keep_earliest(times: &mut Vec<i64>, t: i64, limit: u32) {
    if (times.len() as u32) < limit {
        times.push(t);
        return;
    }
    if let Some((i, &latest)) = times.iter().enumerate().max_by_key(|&(_, v)| *v)
        && t < latest
    {
        times[i] = t;
    }
}
