//! The row loop: each row's matching rules found by mask lookups, its update queued, and a
//! chunk's updates applied to the lead blocks in one tight loop (so the cache misses on
//! blocks, as leads arrive at random, overlap).

use super::plan::{Acc, Hot, Layout, Pass};
use super::{CHUNK_ROWS, MAX_TIME, MIN_TIME, STOP_CHECK_ROWS};
use crate::columnar::{
    AttrColumn, Bits, EventColumns, Keys, LeadRows, NULL_CODE, NULL_TIME, RawText, RowError,
    RowErrorReason, VALID8, check_dict, check_raw,
};
use crate::error::Result;
use crate::model::{Activity, ActivityKind, AttributeDef};
use crate::scoring::model::Scoring;
use chrono::DateTime;
use leadcore_hint::prefetch;
use std::ops::Range;

/// Buffers a chunk's scan reuses.
#[derive(Default)]
pub(super) struct Scratch {
    /// The chunk's lead indices, where the rows give keys.
    lead: Vec<u32>,
    /// Per row: its kind code, or past the last kind where the row does not count.
    bucket: Vec<u32>,
    /// How many rows each bucket has in `order`.
    counts: Vec<u32>,
    /// Where each bucket's rows start in `order`.
    starts: Vec<u32>,
    /// Row offsets in the chunk, by kind: a run of the chunk's length per kind.
    order: Vec<u32>,
    /// Per row of one kind: its rules still matching.
    masks: Vec<u64>,
    /// The chunk's kind codes, where the `kind` column is raw and they are not its keys.
    kind: Vec<u32>,
    /// Per pass, its raw 32-bit key columns (by bit) whose keys a chunk found not to read as
    /// codes: not tried again ([`keys_are_codes`]).
    not_codes: Vec<u64>,
    /// What adding a kind's rows into the states reuses.
    adding: Adding,
}

/// One rule's running state, for every lead.
pub(super) enum RuleState {
    Count(Vec<u32>),
    /// A count that stops at the first field ([`Acc::Tiny`]).
    Tiny(u8, Vec<u8>),
    Factors(Vec<u128>),
    /// `n` words per lead: its earliest `n` times as [`slot_value`]s, 0 where empty (the
    /// filled ones first); then the times too old for a slot ([`OLDEST_SLOT`]), with their
    /// leads (sorted by lead once the rows are scanned: [`Block::sort_old`]).
    Earliest(usize, Vec<u32>, Vec<(u32, i64)>),
    Side(u32, Vec<Vec<i64>>),
}

/// Running state of every lead, rule by rule.
pub(super) struct Block {
    pub rules: Vec<RuleState>,
    pub row_errors: Vec<RowError>,
}

impl Block {
    /// Takes `other`'s times too old for a slot (the same leads' in another thread).
    pub(super) fn take_old(&mut self, other: &mut Block) {
        for (mine, theirs) in self.rules.iter_mut().zip(&mut other.rules) {
            if let (RuleState::Earliest(_, _, a), RuleState::Earliest(_, _, b)) = (mine, theirs) {
                a.append(b);
            }
        }
    }

    /// Sorts the times too old for a slot by lead, for the leads to be finished in runs.
    pub(super) fn sort_old(&mut self) {
        for rule in &mut self.rules {
            if let RuleState::Earliest(_, _, old) = rule {
                old.sort_unstable();
            }
        }
    }

    fn new(n_leads: usize, layout: &Layout) -> Self {
        Block {
            rules: layout
                .acc
                .iter()
                .map(|acc| match *acc {
                    Acc::Count => RuleState::Count(written_zeros(n_leads)),
                    Acc::Tiny(n) => RuleState::Tiny(n, written_zeros(n_leads)),
                    Acc::Factors => RuleState::Factors(written_zeros(n_leads)),
                    Acc::Earliest(n) => {
                        let slots = written_zeros(n_leads * n as usize);
                        RuleState::Earliest(n as usize, slots, Vec::new())
                    }
                    Acc::Side(n) => RuleState::Side(n, vec![Vec::new(); n_leads]),
                })
                .collect(),
            row_errors: Vec::new(),
        }
    }

    /// Every rule's state cut in `pieces` runs of `per` leads: piece `i`'s parts, rule by
    /// rule (a rule over no leads has no parts: the pieces, then empty, read none).
    pub(super) fn pieces(&mut self, pieces: usize, per: usize) -> Vec<Vec<Part<'_>>> {
        let mut out: Vec<Vec<Part<'_>>> = (0..pieces)
            .map(|_| Vec::with_capacity(self.rules.len()))
            .collect();
        for rule in &mut self.rules {
            for (piece, part) in out.iter_mut().zip(rule.parts(per)) {
                piece.push(part);
            }
        }
        out
    }
}

/// `n` zeros, written rather than allocated zeroed (`vec![0; n]`). A state is read before
/// it is written; a fresh zeroed page that is read first is mapped to the kernel's shared
/// zero page, and the write after it faults again to copy it, flushing the page from every
/// core's TLB: with two threads, `perf` put that flush (an interrupt to the other core) at
/// about 11% of a batch. Written first, each page faults once.
fn written_zeros<T: Copy + Default>(n: usize) -> Vec<T> {
    let mut v = Vec::with_capacity(n);
    v.resize(n, T::default());
    v
}

/// A run of leads' state of one rule: another thread's state for the same leads is merged
/// into it ([`merge_part`]), then it is read to finish the leads.
pub(super) enum Part<'a> {
    Count(&'a mut [u32]),
    Tiny(u8, &'a mut [u8]),
    Factors(&'a mut [u128]),
    /// A slot's width, the run's slots, its leads' times too old for a slot (sorted by
    /// lead) and its first lead.
    Earliest(usize, &'a mut [u32], &'a [(u32, i64)], usize),
    Side(u32, &'a mut [Vec<i64>]),
}

impl RuleState {
    /// Its state in runs of `per` leads, to write.
    fn parts(&mut self, per: usize) -> Vec<Part<'_>> {
        match self {
            RuleState::Count(c) => c.chunks_mut(per).map(Part::Count).collect(),
            RuleState::Tiny(n, c) => c.chunks_mut(per).map(|c| Part::Tiny(*n, c)).collect(),
            RuleState::Factors(s) => s.chunks_mut(per).map(Part::Factors).collect(),
            RuleState::Earliest(w, a, old) => {
                let old = &old[..];
                // The old times of leads `first..first + per`.
                let of = |first: usize| {
                    let from = old.partition_point(|e| (e.0 as usize) < first);
                    let to = old.partition_point(|e| (e.0 as usize) < first + per);
                    &old[from..to]
                };
                a.chunks_mut(per * (*w).max(1))
                    .enumerate()
                    .map(|(i, a)| Part::Earliest(*w, a, of(i * per), i * per))
                    .collect()
            }
            RuleState::Side(n, l) => l.chunks_mut(per).map(|l| Part::Side(*n, l)).collect(),
        }
    }
}

/// `a[i] = add(a[i], b[i])` for each lead.
fn add_each<T: Copy>(a: &mut [T], b: &[T], add: impl Fn(T, T) -> T) {
    for (a, &b) in a.iter_mut().zip(b) {
        *a = add(*a, b);
    }
}

/// Adds the state of `leads` in `theirs` to `mine` (the same leads'), lead by lead.
pub(super) fn merge_part(mine: &mut Part<'_>, theirs: &RuleState, leads: Range<usize>) {
    match (mine, theirs) {
        (Part::Count(a), RuleState::Count(b)) => add_each(a, &b[leads], u32::saturating_add),
        (Part::Tiny(n, a), RuleState::Tiny(_, b)) => {
            let n = *n;
            add_each(a, &b[leads], |a, b| a.saturating_add(b).min(n));
        }
        (Part::Factors(a), RuleState::Factors(b)) => {
            add_each(a, &b[leads], u128::saturating_add);
        }
        (Part::Earliest(width, a, _, _), RuleState::Earliest(_, b, _)) => {
            let width = *width;
            let b = &b[leads.start * width..leads.end * width];
            for (a, b) in a.chunks_exact_mut(width).zip(b.chunks_exact(width)) {
                for &v in b.iter().take_while(|&&v| v != 0) {
                    keep_inline(a, v);
                }
            }
        }
        (Part::Side(n, a), RuleState::Side(_, b)) => {
            for (a, b) in a.iter_mut().zip(&b[leads]) {
                for &t in b {
                    keep_earliest(a, t, *n);
                }
            }
        }
        _ => {}
    }
}

/// One thread's run over pieces of rows: its passes, its blocks, its buffers.
pub(super) struct RowRun<'a> {
    passes: Vec<Pass<'a>>,
    pub block: Block,
    scratch: Scratch,
}

/// Everything a run over rows reads.
pub(super) struct Scan<'s, 'a> {
    pub scoring: &'a Scoring,
    pub events: &'s EventColumns<'a>,
    /// Each row's lead (`events.lead` is not read).
    pub lead_rows: LeadRows<'a>,
    /// Text columns as their producer holds them, read a chunk at a time.
    pub raw: &'s [RawText<'a>],
    pub layout: &'s Layout,
    /// Built-in attribute columns whose values may not fit their attribute: looked at a
    /// chunk at a time, and row by row in a chunk where one does not.
    pub checked: &'s [(&'s AttrColumn<'a>, &'s AttributeDef)],
    pub n_leads: usize,
    pub now: i64,
    pub horizon: i64,
}

impl<'a> Scan<'_, 'a> {
    /// A fresh run: the passes planned, empty blocks, scratch buffers.
    pub(super) fn begin(&self) -> RowRun<'a> {
        let passes = Pass::plan(self.scoring, self.events, self.raw, self.now);
        let scratch = Scratch {
            not_codes: vec![0; passes.len()],
            ..Scratch::default()
        };
        RowRun {
            passes,
            block: Block::new(self.n_leads, self.layout),
            scratch,
        }
    }

    /// Scans rows `range` into `run`'s blocks, telling `keep_going` how many rows of its
    /// passes are scanned; `false` once it says stop. A code outside its dictionary where a
    /// rule reads it (a row of the rule's kind, in its window) fails the batch.
    pub(super) fn scan_piece(
        &self,
        run: &mut RowRun<'a>,
        range: Range<usize>,
        keep_going: &mut dyn FnMut(u64) -> bool,
    ) -> Result<bool> {
        let RowRun {
            passes,
            block,
            scratch,
        } = run;
        for (p, pass) in passes.iter().enumerate() {
            let mut start = range.start;
            let mut bad_codes = 0;
            while start < range.end {
                let offset = start - range.start;
                if offset.is_multiple_of(STOP_CHECK_ROWS)
                    && !keep_going((p * range.len() + offset) as u64)
                {
                    return Ok(false);
                }
                let end = range.end.min(start + CHUNK_ROWS);
                bad_codes |= self.scan(p, pass, start..end, scratch, block);
                start = end;
            }
            for (d, dict) in pass.dicts.iter().enumerate() {
                if bad_codes & (1 << d.min(63)) != 0 {
                    match &dict.raw {
                        None => check_dict(dict.name, &dict.col)?,
                        Some(raw) => check_raw(raw, dict.col.dictionary.len())?,
                    }
                }
            }
            for test in pass.tests.iter().flatten() {
                test.bad_code()?;
            }
        }
        scratch.adding.held.flush(&mut block.rules);
        Ok(true)
    }

    /// Scores rows `rows` (at most [`CHUNK_ROWS`]; row errors recorded by the first
    /// pass) into the lead blocks; gives the filtered columns that met a code outside
    /// their dictionary. The chunk's rows are bucketed by kind first, so each row reads
    /// only the columns its kind's rules filter on and the per-rule steps repeat within a
    /// bucket (branches predict); windows are decided for the whole chunk where its times
    /// all fall on one side of them (most chunks of a time-ordered log). The rows of a
    /// bucket update their leads' blocks independently of one another, so the cache
    /// misses on blocks (leads arrive at random) overlap.
    #[inline(never)]
    fn scan(
        &self,
        p: usize,
        pass: &Pass<'_>,
        rows: Range<usize>,
        scratch: &mut Scratch,
        block: &mut Block,
    ) -> u64 {
        let ev = self.events;
        let start = rows.start;
        let leads: &[u32] = match self.lead_rows {
            LeadRows::Index(all) => &all[rows.clone()],
            keyed => {
                keyed.fill(rows.clone(), &mut scratch.lead);
                &scratch.lead
            }
        };
        let raw_kind = self.raw.iter().find(|r| r.column == "kind");
        let codes: &[u32] = match raw_kind {
            None => &ev.kind.codes[rows.clone()],
            Some(raw) => match raw_chunk(raw, rows.clone(), 0, &mut scratch.kind).0 {
                Some(keys) => keys,
                None => &scratch.kind,
            },
        };
        let ats = &ev.at[rows.clone()];
        // Codes within the dictionary; buckets of rows: one per kind code (`codes` are
        // the buckets), or per kind with rules.
        let n_codes = pass.kind_masks.len();
        let n_kinds = pass.kinds.len();
        let now = self.now;

        // Whether every row can be used (reductions the compiler vectorises), and the
        // chunk's time span.
        // (Whether any lies past its bound, rather than the maximum: baseline x86-64 has no
        // unsigned 32-bit maximum, and the comparison folds in fewer instructions.)
        let past = |values: &[u32], bound: usize| {
            let bound = u32::try_from(bound).unwrap_or(u32::MAX);
            values.iter().fold(false, |past, &v| past | (v >= bound))
        };
        let leads_past = self.n_leads <= u32::MAX as usize && past(leads, self.n_leads);
        let codes_past = n_codes <= u32::MAX as usize && past(codes, n_codes);
        // Four running minima and maxima: four short dependency chains instead of one long
        // one (64-bit comparisons do not vectorise with the baseline instructions).
        let (mut lo, mut hi) = ([i64::MAX; 4], [i64::MIN; 4]);
        let mut quads = ats.chunks_exact(4);
        for q in &mut quads {
            for j in 0..4 {
                lo[j] = lo[j].min(q[j]);
                hi[j] = hi[j].max(q[j]);
            }
        }
        for &at in quads.remainder() {
            lo[0] = lo[0].min(at);
            hi[0] = hi[0].max(at);
        }
        let first = lo.into_iter().fold(i64::MAX, i64::min);
        let last = hi.into_iter().fold(i64::MIN, i64::max);
        let all_fine = !leads_past
            && !codes_past
            && first >= MIN_TIME
            && last <= self.horizon.min(MAX_TIME)
            && self
                .checked
                .iter()
                .all(|(col, def)| super::column_fits(col, def, rows.clone()));

        // Each row's bucket: its kind, or the last bucket where it does not count.
        let bucket: &[u32] = if all_fine && last <= now && pass.buckets.is_none() {
            codes
        } else {
            let b = &mut scratch.bucket;
            b.clear();
            match &pass.buckets {
                None => b.extend(codes.iter().map(|&c| (c as usize).min(n_kinds) as u32)),
                Some(of) => b.extend(
                    codes
                        .iter()
                        .map(|&c| of.get(c as usize).copied().unwrap_or(n_kinds as u32)),
                ),
            }
            let check = !all_fine;
            for (i, b) in b.iter_mut().enumerate() {
                if check && let Some(e) = self.row_error(start + i, leads[i], codes[i]) {
                    *b = n_kinds as u32;
                    if p == 0 {
                        block.row_errors.push(e);
                    }
                    continue;
                }
                // Events after `now` (within the tolerance) do not count.
                if ats[i] > now {
                    *b = n_kinds as u32;
                }
            }
            &scratch.bucket
        };
        // The rows by bucket: `order[starts[k]..][..counts[k]]` are bucket `k`'s. Where the
        // rows give lead keys (8 bytes a row, read first of the chunk's columns, to make its
        // lead indices), the next chunk's keys are prefetched meanwhile, a cache line every 8
        // rows: the keyed path's batch of the realistic fixture took 126 ms instead of
        // 132 ms (median of four alternating processes' best of 15 runs). Prefetching every
        // column of the next chunk this way did not speed up the core's own columns.
        let ahead = match self.lead_rows {
            LeadRows::Run { keys, .. } | LeadRows::Table { keys, .. } => {
                keys.get(rows.end..).filter(|next| !next.is_empty())
            }
            LeadRows::Index(_) => None,
        };
        sort_by_bucket(
            bucket,
            n_kinds + 1,
            &mut scratch.starts,
            &mut scratch.counts,
            &mut scratch.order,
            ahead,
        );
        let (starts, counts, order) =
            (&scratch.starts[..], &scratch.counts[..], &scratch.order[..]);

        // Windows decided for the chunk; the rest, row by row.
        let mut keep = u64::MAX;
        let mut open = 0;
        for &(bit, from) in &pass.from {
            if last < from {
                keep &= !bit;
            } else if first < from {
                open |= bit;
            }
        }

        // A code outside its dictionary in a row a rule reads it for fails the batch: each
        // filtered column's codes are checked as they are looked up, a raw column's keys
        // read where they lie (their validity bit beside them), with no copy of the column.
        // First, which columns hold a code outside their dictionary in the chunk's rows at
        // all, in a loop that vectorises: only there are a column's codes checked as they are
        // looked up. The loop also brings the chunk's codes into the cache ahead of the
        // look-ups, which is most of its worth (without it the batch was ~5% slower). A raw
        // column's keys are read there too, without their validity: a key outside its
        // dictionary under a null (which may hold any) only makes the chunk's look-ups check
        // theirs. (Without that pass, the keyed path's batch of the realistic fixture in
        // Arrow's layout took 122.9 ms instead of 119.4: medians of four alternating
        // processes' 15 runs.)
        //
        // A raw column of 32-bit keys is read as the core's codes in a chunk where it can be:
        // where no key is outside its dictionary and every null holds -1 (as pyarrow keeps a
        // masked array's nulls), a key is its code ([`NULL_CODE`] where missing), so the
        // look-ups skip the validity bits: the keyed path's batch of the realistic fixture
        // in pyarrow's layout took 110.5 ms instead of 116.9 (the core's own: 108.1; the
        // medians of four alternating processes' best of 7 runs).
        let (mut suspect, mut plain) = (0u64, 0u64);
        for (d, dict) in pass.dicts.iter().enumerate().take(64) {
            let outside = (dict.masks.len() - 1) as u32;
            let maybe = match &dict.raw {
                None => dict.codes[rows.clone()]
                    .iter()
                    .fold(false, |bad, &c| bad | (c.wrapping_add(1) >= outside)),
                Some(raw) => {
                    let tried = scratch.not_codes[p] >> d & 1 == 0;
                    let got = raw_outside(raw, rows.clone(), outside - 1, tried);
                    // Once a chunk's keys do not read as codes (a producer that leaves
                    // something else under its nulls), the column's are not tried again.
                    if tried && !got.1 {
                        scratch.not_codes[p] |= 1 << d;
                    }
                    plain |= u64::from(got.1) << d;
                    got.0
                }
            };
            suspect |= u64::from(maybe) << d;
        }
        let mut bad_codes = 0;
        let states = &mut block.rules;
        for (k, plan) in pass.kinds.iter().enumerate() {
            let mine = &order[starts[k] as usize..][..counts[k] as usize];
            let base = plan.mask & keep;
            if mine.is_empty() || base == 0 {
                continue;
            }
            let masks = &mut scratch.masks;
            masks.clear();
            masks.resize(mine.len(), base);
            for &d in &plan.dicts {
                let dict = &pass.dicts[d];
                let table = &dict.masks[..];
                let checked = d >= 64 || suspect >> d & 1 != 0;
                let bad = match &dict.raw {
                    None => {
                        let codes = &dict.codes[rows.clone()];
                        let outside = (table.len() - 1) as u32;
                        let mut bad = false;
                        if checked {
                            for (m, &i) in masks.iter_mut().zip(mine) {
                                let entry = codes[i as usize].wrapping_add(1);
                                bad |= entry >= outside;
                                *m &= table[entry.min(outside) as usize];
                            }
                        } else {
                            for (m, &i) in masks.iter_mut().zip(mine) {
                                let entry = codes[i as usize].wrapping_add(1);
                                *m &= table[entry.min(outside) as usize];
                            }
                        }
                        bad
                    }
                    // Read as codes: the pass above found them so.
                    Some(RawText {
                        keys: Keys::U32(keys),
                        ..
                    }) if d < 64 && plain >> d & 1 != 0 => {
                        look_up_keys(&keys[rows.clone()], mine, masks, table);
                        false
                    }
                    // Unchecked: the pass above found no key outside in the chunk.
                    Some(raw) => look_up_raw(raw, start, mine, masks, table) & checked,
                };
                if bad {
                    bad_codes |= 1 << d.min(63);
                }
            }
            for (g, ranges) in &plan.ints {
                let group = &pass.ints[*g];
                let ranges = &ranges[..];
                let values = &group.col.values[rows.clone()];
                let valid = group.col.valid.map(|v| &v[rows.clone()]);
                for (m, &i) in masks.iter_mut().zip(mine) {
                    let v = values[i as usize];
                    let ok = valid.is_none_or(|valid| valid[i as usize]);
                    let mut clear = 0;
                    for r in ranges {
                        let fail = if ok { (v < r.lo) | (v > r.hi) } else { !r.null };
                        clear |= r.bit & u64::from(fail).wrapping_neg();
                    }
                    *m &= !clear;
                }
            }
            if open & base != 0 {
                let windows = &plan.from[..];
                for (m, &i) in masks.iter_mut().zip(mine) {
                    let at = ats[i as usize];
                    let mut clear = 0;
                    for &(bit, from) in windows {
                        clear |= bit & open & u64::from(at < from).wrapping_neg();
                    }
                    *m &= !clear;
                }
            }
            if plan.tested != 0 {
                for (m, &i) in masks.iter_mut().zip(mine) {
                    let mut tested = *m & plan.tested;
                    while tested != 0 {
                        let r = tested.trailing_zeros() as usize;
                        tested &= tested - 1;
                        if !pass.tests[r].iter().all(|c| c.test(start + i as usize)) {
                            *m &= !(1 << r);
                        }
                    }
                }
            }
            // Into the rules' states, rule by rule (the rows of one kind hit the same
            // rules, so their arrays stay in cache).
            add_rows(
                masks,
                mine,
                leads,
                ats,
                now,
                &pass.hot,
                states,
                &mut scratch.adding,
            );
        }
        bad_codes
    }

    /// The error of row `row`, if it has one: checked in the order of the row's fields.
    fn row_error(&self, row: usize, lead: u32, code: u32) -> Option<RowError> {
        let ev = self.events;
        let lead = lead as usize;
        let at = ev.at[row];
        let error = |reason, message| {
            Some(RowError {
                row,
                reason,
                message,
            })
        };
        if lead >= self.n_leads {
            let message = match self.lead_rows {
                LeadRows::Index(_) => {
                    format!("lead index {lead} is not among the {} leads", self.n_leads)
                }
                LeadRows::Run { keys, .. } | LeadRows::Table { keys, .. } => format!(
                    "lead key {} is not among the {} leads",
                    keys.get(row).copied().unwrap_or_default(),
                    self.n_leads
                ),
            };
            return error(RowErrorReason::UnknownLead, message);
        }
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

/// The rows `0..bucket.len()` by their bucket (each `< buckets`): bucket `k`'s rows, in row
/// order, are `order[starts[k]..][..counts[k]]`. One pass, each row written to its bucket's
/// run at once: every run has room for all the rows ([`run_len`]; only the runs' written
/// prefixes are touched), so no pass counts the buckets first. (The buckets are few: the
/// kinds with rules, or the codes of a small kinds' dictionary.) `ahead`: the lead keys that
/// follow the rows, prefetched two cache lines every 16 rows.
fn sort_by_bucket(
    bucket: &[u32],
    buckets: usize,
    starts: &mut Vec<u32>,
    counts: &mut Vec<u32>,
    order: &mut Vec<u32>,
    ahead: Option<&[i64]>,
) {
    let stride = run_len(bucket.len());
    starts.clear();
    starts.extend((0..buckets).map(|k| (k * stride) as u32));
    // Each run's end, as it fills.
    counts.clear();
    counts.extend_from_slice(starts);
    if order.len() < buckets * stride {
        order.resize(buckets * stride, 0);
    }
    let (ends, order) = (&mut counts[..], &mut order[..]);
    match ahead {
        None => {
            for (i, &b) in bucket.iter().enumerate() {
                let end = &mut ends[b as usize];
                order[*end as usize] = i as u32;
                *end += 1;
            }
        }
        Some(next) => {
            for (g, group) in bucket.chunks(16).enumerate() {
                prefetch(next, g * 16);
                prefetch(next, g * 16 + 8);
                for (j, &b) in group.iter().enumerate() {
                    let end = &mut ends[b as usize];
                    order[*end as usize] = (g * 16 + j) as u32;
                    *end += 1;
                }
            }
        }
    }
    for (end, &start) in ends.iter_mut().zip(starts.iter()) {
        *end -= start;
    }
}

/// The room [`sort_by_bucket`] gives each bucket for `n` rows: `n`, and a cache line more
/// than a multiple of 16 rows, so the runs do not start at the same place of a page (runs
/// 64 KB apart would share the same few sets of the L1 cache).
fn run_len(n: usize) -> usize {
    n.next_multiple_of(16) + 16
}

/// A key type of a [`RawText`] column, as a code (a signed key's bits: -1 is
/// [`NULL_CODE`], any other negative key lies past every dictionary).
trait Key: Copy {
    fn code(self) -> u32;

    /// Whether a key of `keys` lies outside a dictionary of `len` (a -1 aside where `mom`):
    /// [`outside_by_code`]'s answer, found in the keys' own width where they are narrower
    /// than a code (a vector compare takes sixteen 8-bit keys where it took four widened
    /// ones: pandas' categorical codes are 8 or 16 bits).
    fn any_outside(keys: &[Self], len: u32, mom: bool) -> bool {
        outside_by_code(keys, len, mom)
    }
}

/// Whether a key of `keys`, as a code, lies outside a dictionary of `len` (a -1 aside where
/// `mom`).
fn outside_by_code<K: Key>(keys: &[K], len: u32, mom: bool) -> bool {
    keys.iter().fold(false, |bad, &k| {
        let c = k.code();
        bad | ((c >= len) & !(mom & (c == NULL_CODE)))
    })
}

/// [`Key`] for the unsigned keys narrower than a code (never -1): a key is outside where it
/// is above the dictionary's last code.
macro_rules! narrow_unsigned_key {
    ($($t:ty),*) => {$(
        impl Key for $t {
            #[inline(always)]
            fn code(self) -> u32 {
                u32::from(self)
            }

            fn any_outside(keys: &[$t], len: u32, _mom: bool) -> bool {
                match len.checked_sub(1) {
                    None => !keys.is_empty(),
                    Some(last) => {
                        let last = <$t>::try_from(last).unwrap_or(<$t>::MAX);
                        keys.iter().fold(false, |bad, &k| bad | (k > last))
                    }
                }
            }
        }
    )*};
}
narrow_unsigned_key!(u8, u16);

/// [`Key`] for the signed keys narrower than a code: a key is outside where it is above the
/// dictionary's last code, or negative but for a missing -1.
macro_rules! narrow_signed_key {
    ($($t:ty),*) => {$(
        impl Key for $t {
            #[inline(always)]
            fn code(self) -> u32 {
                i32::from(self) as u32
            }

            fn any_outside(keys: &[$t], len: u32, mom: bool) -> bool {
                // A negative key is a code of at least 2^31 (past any dictionary but one of
                // 2^31 entries or more, which is read by code).
                if len > i32::MAX as u32 {
                    return outside_by_code(keys, len, mom);
                }
                // The last code (-1 for an empty dictionary), at most the type's largest.
                let last = <$t>::try_from(i64::from(len) - 1).unwrap_or(<$t>::MAX);
                keys.iter().fold(false, |bad, &k| {
                    bad | (k > last) | ((k < 0) & !(mom & (k == -1)))
                })
            }
        }
    )*};
}
narrow_signed_key!(i8, i16);

impl Key for u32 {
    #[inline(always)]
    fn code(self) -> u32 {
        self
    }
}

/// ANDs into `masks` the verdicts `table` (a [`super::plan::DictMask`]'s) of 32-bit keys that
/// read as codes (`raw_outside` found them so), in the chunk's rows `mine`. Out of line: in
/// the scan's body, its loop cost the core's own loops about 1% more instructions.
#[inline(never)]
fn look_up_keys(codes: &[u32], mine: &[u32], masks: &mut [u64], table: &[u64]) {
    let outside = (table.len() - 1) as u32;
    for (m, &i) in masks.iter_mut().zip(mine) {
        let entry = codes[i as usize].wrapping_add(1);
        *m &= table[entry.min(outside) as usize];
    }
}

/// ANDs into `masks` the verdicts `table` (a [`super::plan::DictMask`]'s) of the keys of
/// raw column `raw` in the chunk's rows `mine` (offsets from row `start`), each read where
/// it lies with its validity bit; whether a key read lies outside the dictionary (a missing
/// one never does).
fn look_up_raw(
    raw: &RawText<'_>,
    start: usize,
    mine: &[u32],
    masks: &mut [u64],
    table: &[u64],
) -> bool {
    match raw.keys {
        Keys::U8(k) => look_up(k, raw, start, mine, masks, table),
        Keys::U16(k) => look_up(k, raw, start, mine, masks, table),
        Keys::U32(k) => look_up(k, raw, start, mine, masks, table),
        Keys::I8(k) => look_up(k, raw, start, mine, masks, table),
        Keys::I16(k) => look_up(k, raw, start, mine, masks, table),
    }
}

/// Whether a key of raw column `raw` in rows `rows` lies outside a dictionary of `len` (a
/// missing -1 aside; the validity is not read but for 32-bit keys), in a loop that
/// vectorises; and whether the rows' keys can be read as codes: 32-bit keys, none outside
/// the dictionary, every null holding -1 (looked at only if `try_codes`, where there is a
/// validity). Out of line, so the scan's own loops keep their registers.
#[inline(never)]
fn raw_outside(raw: &RawText<'_>, rows: Range<usize>, len: u32, try_codes: bool) -> (bool, bool) {
    fn any<K: Key>(keys: &[K], rows: Range<usize>, len: u32, mom: bool) -> bool {
        K::any_outside(keys.get(rows).unwrap_or_default(), len, mom)
    }
    let mom = raw.minus_one_missing;
    // Read key by key, with their validity: not as codes.
    let key_by_key = |bad| (bad, false);
    match (raw.keys, raw.valid) {
        (Keys::U32(k), None) => {
            let bad = any(k, rows.clone(), len, mom);
            (bad, !bad && k.len() >= rows.end)
        }
        (Keys::U32(k), Some(valid)) if try_codes && k.len() >= rows.end => {
            if keys_are_codes(&k[rows.clone()], &valid, rows.start, len) {
                (false, true)
            } else {
                (any(k, rows, len, mom), false)
            }
        }
        (Keys::U32(k), Some(_)) => key_by_key(any(k, rows, len, mom)),
        (Keys::U8(k), _) => key_by_key(any(k, rows, len, mom)),
        (Keys::U16(k), _) => key_by_key(any(k, rows, len, mom)),
        (Keys::I8(k), _) => key_by_key(any(k, rows, len, mom)),
        (Keys::I16(k), _) => key_by_key(any(k, rows, len, mom)),
    }
}

/// Whether 32-bit keys (rows `start..` of a column with validity `valid`) read as codes: each
/// valid one inside a dictionary of `len`, each null holding -1 ([`NULL_CODE`]). One compare
/// a key, in a loop that vectorises: a key XORed with its null mask (all ones under a null)
/// is below `len` exactly where it reads as its code. Only where the rows start on a
/// validity byte (`false` otherwise, as where a key does not read as its code). Its own loop
/// rather than [`each_masked`]'s: through that one's closures (a verdict reduced per group
/// of 8) the same check took three times the instructions.
fn keys_are_codes(keys: &[u32], valid: &Bits<'_>, start: usize, len: u32) -> bool {
    let first = valid.offset + start;
    let bytes = valid.bytes.get(first / 8..).unwrap_or_default();
    if !first.is_multiple_of(8) || bytes.len() < keys.len().div_ceil(8) {
        return false;
    }
    let groups = keys.chunks_exact(8);
    let (tail, done) = (groups.remainder(), keys.len() / 8 * 8);
    let mut lanes = [0u32; 8];
    for (g, &byte) in groups.zip(bytes) {
        let m = &VALID8[byte as usize];
        for j in 0..8 {
            lanes[j] |= u32::from((g[j] ^ !m[j]) >= len);
        }
    }
    let tail_reads = tail.iter().enumerate().all(|(i, &c)| {
        if valid.get(start + done + i) {
            c < len
        } else {
            c == NULL_CODE
        }
    });
    tail_reads && lanes.iter().all(|&l| l == 0)
}

/// [`look_up_raw`] for keys of one type.
#[inline(always)]
fn look_up<K: Key>(
    keys: &[K],
    raw: &RawText<'_>,
    start: usize,
    mine: &[u32],
    masks: &mut [u64],
    table: &[u64],
) -> bool {
    // Entry 0: missing; entry c + 1: code c; the last: outside the dictionary of `len`.
    let outside = (table.len() - 1) as u32;
    let len = outside - 1;
    let mom = raw.minus_one_missing;
    let keys = keys.get(start..).unwrap_or_default();
    let mut bad = false;
    let mut add = |m: &mut u64, key: Option<&K>, set: bool| {
        let c = key.map_or(NULL_CODE, |k| k.code());
        let present = set & key.is_some() & (c != NULL_CODE || !mom);
        bad |= present & (c >= len);
        let entry = if present { c.min(len) + 1 } else { 0 };
        *m &= table[entry as usize];
    };
    match raw.valid {
        None => {
            for (m, &i) in masks.iter_mut().zip(mine) {
                add(m, keys.get(i as usize), true);
            }
        }
        Some(valid) => {
            for (m, &i) in masks.iter_mut().zip(mine) {
                let i = i as usize;
                add(m, keys.get(i), valid.get(start + i));
            }
        }
    }
    bad
}

/// A raw column's codes for rows `rows` (borrowed where its keys are the codes, else made
/// into `out`: [`NULL_CODE`] where missing), and whether a code read lies outside the
/// dictionary of `len`.
pub(super) fn raw_chunk<'k>(
    raw: &RawText<'k>,
    rows: Range<usize>,
    len: u32,
    out: &mut Vec<u32>,
) -> (Option<&'k [u32]>, bool) {
    let mom = raw.minus_one_missing;
    // Outside: past the dictionary, but for a missing -1.
    let outside = move |c: u32| (c >= len) & !(mom & (c == NULL_CODE));
    let start = rows.start;
    match (raw.keys, raw.valid) {
        (Keys::U32(k), None) => {
            let k = &k[rows];
            (Some(k), k.iter().fold(false, |b, &c| b | outside(c)))
        }
        (Keys::U32(k), Some(valid)) => {
            let k = &k[rows];
            // Borrowed when every null holds NULL_CODE.
            let mut acc = (false, 0u32);
            each_masked(
                k,
                &valid,
                start,
                &mut acc,
                |acc, _, g, m| {
                    let (mut b, mut s) = (false, 0);
                    for (&c, &m) in g.iter().zip(m) {
                        b |= outside(c) & (m != 0);
                        s |= !(c | m);
                    }
                    acc.0 |= b;
                    acc.1 |= s;
                },
                |acc, _, c, valid| {
                    if valid {
                        acc.0 |= outside(c);
                    } else {
                        acc.1 |= !c;
                    }
                },
            );
            if acc.1 == 0 {
                return (Some(k), acc.0);
            }
            (None, widen(k, Some(&valid), start, &outside, out))
        }
        (Keys::U8(k), v) => (None, widen(&k[rows], v.as_ref(), start, &outside, out)),
        (Keys::U16(k), v) => (None, widen(&k[rows], v.as_ref(), start, &outside, out)),
        (Keys::I8(k), v) => (None, widen(&k[rows], v.as_ref(), start, &outside, out)),
        (Keys::I16(k), v) => (None, widen(&k[rows], v.as_ref(), start, &outside, out)),
    }
}

/// `keys` (rows `start..` of a column with validity `valid`) as codes into `out`,
/// [`NULL_CODE`] under the nulls; whether a set row's code is `outside`. Widened in one
/// loop, then masked a validity byte (8 rows) at a time, so both vectorise.
fn widen<K: Key>(
    keys: &[K],
    valid: Option<&Bits<'_>>,
    start: usize,
    outside: &impl Fn(u32) -> bool,
    out: &mut Vec<u32>,
) -> bool {
    out.clear();
    out.extend(keys.iter().map(|&k| k.code()));
    let Some(valid) = valid else {
        return out.iter().fold(false, |b, &c| b | outside(c));
    };
    let first = valid.offset + start;
    let head = ((8 - first % 8) % 8).min(out.len());
    let mut bad = false;
    let (head_codes, body) = out.split_at_mut(head);
    for (i, c) in head_codes.iter_mut().enumerate() {
        let set = valid.get(start + i);
        bad |= set & outside(*c);
        if !set {
            *c = NULL_CODE;
        }
    }
    let bytes = valid.bytes.get((first + head) / 8..).unwrap_or_default();
    let mut groups = body.chunks_exact_mut(8);
    let mut done = head;
    for (g, &byte) in (&mut groups).zip(bytes) {
        let m = &VALID8[byte as usize];
        let mut b = false;
        for (c, &m) in g.iter_mut().zip(m) {
            b |= outside(*c) & (m != 0);
            *c |= !m;
        }
        bad |= b;
        done += 8;
    }
    for (i, c) in out.iter_mut().enumerate().skip(done) {
        let set = valid.get(start + i);
        bad |= set & outside(*c);
        if !set {
            *c = NULL_CODE;
        }
    }
    bad
}

/// Calls `group(acc, offset, 8 keys, their validity masks)` over the keys (rows `start..`
/// of a column with validity `valid`) whose validity is a whole byte, and
/// `row(acc, offset, key, valid)` over the others.
#[inline(always)]
fn each_masked<K: Copy, A>(
    keys: &[K],
    valid: &Bits<'_>,
    start: usize,
    acc: &mut A,
    group: impl Fn(&mut A, usize, &[K; 8], &[u32; 8]),
    row: impl Fn(&mut A, usize, K, bool),
) {
    let first = valid.offset + start;
    let head = ((8 - first % 8) % 8).min(keys.len());
    for (i, &k) in keys[..head].iter().enumerate() {
        row(acc, i, k, valid.get(start + i));
    }
    let bytes = valid.bytes.get((first + head) / 8..).unwrap_or_default();
    let mut done = head;
    for (g, &byte) in keys[head..].chunks_exact(8).zip(bytes) {
        if let Ok(g) = <&[K; 8]>::try_from(g) {
            group(acc, done, g, &VALID8[byte as usize]);
            done += 8;
        }
    }
    for (i, &k) in keys.iter().enumerate().skip(done) {
        row(acc, i, k, valid.get(start + i));
    }
}

/// Adds the rows `mine` (indexes into the chunk's `leads` and `ats`), each with its matching
/// rules `masks`, into the rules' per-lead states, one rule at a time: a rule's rows are
/// gathered first (without a branch), its decay factors computed in a loop of their own,
/// and then its state updated in a loop that does nothing else, so the cache misses on the
/// state (leads arrive at random) overlap instead of waiting behind the factor arithmetic
/// and the other rules' branches. A decay sum is prefetched as its row's factor is computed;
/// an earliest-time slot, by the update [`AHEAD`] places before its own, so the misses overlap
/// across the branches that decide an update too.
/// A function of its own, so the loops get the registers.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn add_rows(
    masks: &[u64],
    mine: &[u32],
    leads: &[u32],
    ats: &[i64],
    now: i64,
    hot: &[Hot<'_>],
    states: &mut [RuleState],
    buffers: &mut Adding,
) {
    let (any, every) = masks
        .iter()
        .fold((0, u64::MAX), |(any, every), &m| (any | m, every & m));
    let Adding {
        rows,
        factors,
        held,
        live,
    } = buffers;
    if rows.len() <= mine.len() {
        rows.resize(mine.len() + 1, 0);
    }
    // Buffers and states are written as slices: through a `Vec`, each store would make the
    // loop read the `Vec`'s pointer and length again.
    let rows = &mut rows[..];
    // Where more than one rule's rows are gathered, the rows matching any rule (often a
    // few of a kind's: a filter on the page) are gathered first, with their masks, and each
    // rule's from them.
    let (masks, mine) = if (any & !every).count_ones() > 1 {
        let (live_masks, live_rows) = live;
        if live_rows.len() <= mine.len() {
            live_rows.resize(mine.len() + 1, 0);
            live_masks.resize(mine.len() + 1, 0);
        }
        let (live_masks, live_rows) = (&mut live_masks[..], &mut live_rows[..]);
        let mut n = 0;
        for (&m, &i) in masks.iter().zip(mine) {
            live_rows[n] = i;
            live_masks[n] = m;
            n += usize::from(m != 0);
        }
        (&live_masks[..n], &live_rows[..n])
    } else {
        (masks, mine)
    };
    let mut bits = any;
    while bits != 0 {
        let r = bits.trailing_zeros();
        bits &= bits - 1;
        // The rule's rows: all of them where every row matches, else gathered.
        let picked: &[u32] = if every >> r & 1 != 0 {
            mine
        } else {
            let mut n = 0;
            for (&m, &i) in masks.iter().zip(mine) {
                rows[n] = i;
                n += (m >> r & 1) as usize;
            }
            &rows[..n]
        };
        let hot = &hot[r as usize];
        let lead = |i: u32| leads[i as usize] as usize;
        // The lead of the update `AHEAD` places after the `k`-th.
        let ahead = |k: usize| picked.get(k + AHEAD).map(|&i| lead(i));
        match &mut states[hot.flat] {
            state @ (RuleState::Count(_) | RuleState::Tiny(..)) => {
                held.hold(hot.flat, picked.iter().map(|&i| leads[i as usize]), state);
            }
            RuleState::Factors(sums) => {
                let Some(rule) = hot.rule else { continue };
                factors.clear();
                let sums = &mut sums[..];
                // Each row's lead's sum is prefetched as its factor is computed (tens of
                // instructions a row), so the sums are in cache when they are added to.
                let age = |i: u32| {
                    prefetch(sums, lead(i));
                    now.saturating_sub(ats[i as usize])
                };
                // The half-life table's look-ups inline, out of the general factor's match.
                if let Some(half_life) = &rule.half_life {
                    factors.extend(picked.iter().map(|&i| half_life.fixed(age(i))));
                } else {
                    factors.extend(picked.iter().map(|&i| rule.fixed(age(i))));
                }
                for (&i, &f) in picked.iter().zip(factors.iter()) {
                    if let Some(s) = sums.get_mut(lead(i)) {
                        *s = s.saturating_add(f);
                    }
                }
            }
            RuleState::Earliest(width, times, old) => {
                let (width, times) = (*width, &mut times[..]);
                let oldest = now.saturating_sub(OLDEST_SLOT);
                for (k, &i) in picked.iter().enumerate() {
                    if let Some(l) = ahead(k) {
                        prefetch(times, l * width);
                        // A slot of more than one time may straddle two cache lines.
                        if width > 1 {
                            prefetch(times, l * width + width - 1);
                        }
                    }
                    let (l, at) = (lead(i), ats[i as usize]);
                    if at < oldest {
                        old.push((l as u32, at));
                    } else if let Some(slot) = times.get_mut(l * width..(l + 1) * width) {
                        keep_inline(slot, slot_value(now, at));
                    }
                }
            }
            RuleState::Side(n, lists) => {
                for &i in picked {
                    if let Some(list) = lists.get_mut(lead(i)) {
                        keep_earliest(list, ats[i as usize], *n);
                    }
                }
            }
        }
    }
}

/// How many updates ahead [`add_rows`] prefetches a lead's earliest-time slot (a decay sum
/// is prefetched in the loop computing the factors instead: 3-4% faster on one thread, in a
/// loop too short for 16 updates to cover a miss): far enough for a miss to
/// be served before its update comes up, near enough for the line to be there still (12 to
/// 20 were best on the realistic fixture: one thread's batch 8-10% faster than with none).
const AHEAD: usize = 16;

/// Buffers [`add_rows`] reuses: one rule's rows, their decay factors, and the counting
/// rules' held leads.
#[derive(Default)]
pub(super) struct Adding {
    rows: Vec<u32>,
    factors: Vec<u128>,
    held: Held,
    /// The rows matching any rule, and their masks.
    live: (Vec<u64>, Vec<u32>),
}

/// The leads a counting rule ([`RuleState::Count`], [`RuleState::Tiny`]) met, held back
/// and counted [`HELD`] at a time: a chunk's rows of one rule update a few thousand leads
/// at random, and its counts (100 KB for 100,000 leads in bytes) have left the core's
/// cache by the next chunk, so each update missed it; counted many chunks' worth at once,
/// the counts are read into the cache once and the updates hit it.
#[derive(Default)]
pub(super) struct Held {
    /// Per flat rule: its held leads (empty for the other rules).
    leads: Vec<Vec<u32>>,
}

/// How many leads a counting rule holds before it counts them.
const HELD: usize = 1 << 16;

impl Held {
    /// Holds `leads` for counting rule `flat` (its state `state`), counting them all once
    /// there are [`HELD`].
    fn hold(&mut self, flat: usize, leads: impl Iterator<Item = u32>, state: &mut RuleState) {
        if self.leads.len() <= flat {
            self.leads.resize_with(flat + 1, Vec::new);
        }
        let held = &mut self.leads[flat];
        held.extend(leads);
        if held.len() >= HELD {
            count(held, state);
            held.clear();
        }
    }

    /// Counts every held lead into its rule's state.
    fn flush(&mut self, states: &mut [RuleState]) {
        for (held, state) in self.leads.iter_mut().zip(states) {
            if !held.is_empty() {
                count(held, state);
                held.clear();
            }
        }
    }
}

/// Adds one occurrence per lead of `leads` into a counting rule's state.
fn count(leads: &[u32], state: &mut RuleState) {
    match state {
        RuleState::Count(counts) => {
            let counts = &mut counts[..];
            for &l in leads {
                if let Some(c) = counts.get_mut(l as usize) {
                    *c += 1;
                }
            }
        }
        RuleState::Tiny(n, counts) => {
            let (n, counts) = (*n, &mut counts[..]);
            for &l in leads {
                if let Some(c) = counts.get_mut(l as usize) {
                    *c += u8::from(*c < n);
                }
            }
        }
        _ => {}
    }
}

/// How long before `now` a time may lie to be held in a slot: `2^32 - 2` seconds (136
/// years). An older one (a counted row is not after `now`) is kept in the rule's list of
/// old times instead.
pub(super) const OLDEST_SLOT: i64 = u32::MAX as i64 - 1;

/// A time `t` (from `now - OLDEST_SLOT` to `now`) as an earliest-occurrence slot holds it:
/// `now + 1 - t`, at least 1 and larger for earlier times, so an empty slot is 0 (a fresh
/// block's zeroed pages, with no pass to fill them) and the earliest times are the largest
/// values. Four bytes a time instead of eight keep a lead's slots in fewer cache lines.
fn slot_value(now: i64, t: i64) -> u32 {
    (now + 1 - t) as u32
}

/// The time of a [`slot_value`].
pub(super) fn slot_time(now: i64, v: u32) -> i64 {
    now + 1 - i64::from(v)
}

/// Keeps the earliest times in `slot` (as [`slot_value`]s, 0 where empty): `v` takes the
/// place of the smallest value if it is larger. The smallest is the first one found, so
/// the empty slots fill in order and a slot whose first value is 0 holds no time.
fn keep_inline(slot: &mut [u32], v: u32) {
    let (mut least, mut at) = (u32::MAX, 0);
    for (k, &s) in slot.iter().enumerate() {
        if s < least {
            (least, at) = (s, k);
        }
    }
    if v > least {
        slot[at] = v;
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Narrow keys found outside a dictionary in their own width are those found outside
        /// it as codes: any key, any dictionary size (empty, at and past the type's range),
        /// with and without -1 as missing.
        #[test]
        fn narrow_keys_are_outside_where_their_codes_are(
            keys in proptest::collection::vec(any::<i16>(), 0..100),
            len in prop_oneof![0u32..300, 30_000u32..70_000, Just(u32::MAX)],
            mom: bool,
        ) {
            let i8s: Vec<i8> = keys.iter().map(|&k| k as i8).collect();
            let u8s: Vec<u8> = keys.iter().map(|&k| k as u8).collect();
            let u16s: Vec<u16> = keys.iter().map(|&k| k as u16).collect();
            prop_assert_eq!(i8::any_outside(&i8s, len, mom), outside_by_code(&i8s, len, mom));
            prop_assert_eq!(i16::any_outside(&keys, len, mom), outside_by_code(&keys, len, mom));
            prop_assert_eq!(u8::any_outside(&u8s, len, mom), outside_by_code(&u8s, len, mom));
            prop_assert_eq!(u16::any_outside(&u16s, len, mom), outside_by_code(&u16s, len, mom));
            // And one key at a time, where a miss would not hide behind another key.
            for k in &keys {
                let one = [*k];
                prop_assert_eq!(i16::any_outside(&one, len, mom), outside_by_code(&one, len, mom), "{}", k);
                let one = [*k as i8];
                prop_assert_eq!(i8::any_outside(&one, len, mom), outside_by_code(&one, len, mom), "{}", k);
            }
        }

        /// Each bucket's rows, all of them and in row order, whatever the number of rows.
        #[test]
        fn rows_sorted_by_bucket_keep_their_order(
            bucket in proptest::collection::vec(0u32..6, 0..200),
        ) {
            let (mut starts, mut counts, mut order) = (vec![3; 4], vec![9; 2], vec![7; 3]);
            sort_by_bucket(&bucket, 6, &mut starts, &mut counts, &mut order, None);
            // The same with the next keys prefetched (the keyed path's loop, 16 rows a step).
            let mut again = (vec![], vec![], vec![]);
            sort_by_bucket(&bucket, 6, &mut again.0, &mut again.1, &mut again.2, Some(&[7; 20]));
            prop_assert_eq!(&again.0, &starts);
            prop_assert_eq!(&again.1, &counts);
            let n = bucket.len();
            prop_assert_eq!(counts.len(), 6);
            for k in 0..6 {
                let expected: Vec<u32> =
                    (0..n as u32).filter(|&i| bucket[i as usize] == k as u32).collect();
                prop_assert_eq!(&order[starts[k] as usize..][..counts[k] as usize], &expected[..]);
                prop_assert_eq!(&again.2[starts[k] as usize..][..counts[k] as usize], &expected[..]);
            }
        }
    }
}
