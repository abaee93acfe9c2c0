//! The columnar path of pipeline metrics: opportunities as columns and their stage entries
//! as one long table of `(deal, stage, at)` rows, the shape a CRM's stage-history export
//! has. Same definitions and same numbers as adding each [`DealHistory`] one by one (a
//! property test holds them equal), without a string or an allocation per row.
//!
//! [`DealHistory`]: super::DealHistory

use super::pipeline::{DealView, GroupedMetrics, PipelineMetrics, add_i128};
use crate::error::{Error, Result};
use crate::lifecycle::StageKind;
use std::sync::Arc;

/// Opportunities as columns, for [`PipelineMetrics::add_columns`]. Every per-deal column has
/// one value per deal, or is empty (unknown for every deal: no amount, new business, no
/// creation date, no current stage).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::analytics::{DealColumns, MetricsSpec, Period, PipelineMetrics, PipelineStages, StageDef, StageEntryColumns};
/// use leadcore::StageKind;
/// let stages = PipelineStages::new("deals", vec![StageDef::new("Open", StageKind::Open),
///     StageDef::new("Won", StageKind::Won), StageDef::new("Lost", StageKind::Lost)]).unwrap();
/// let t = |m, d| Utc.with_ymd_and_hms(2017, m, d, 0, 0, 0).unwrap();
/// let spec = MetricsSpec::new(stages, Period { from: t(1, 1), to: t(7, 1) }, None).unwrap();
/// let day = |m, d| t(m, d).timestamp_micros();
/// let deals = DealColumns {
///     amount: vec![Some(1000), Some(0)],
///     currency: vec![0, 0],
///     currencies: vec!["USD".into()],
///     created: vec![Some(day(1, 1)), Some(day(1, 1))],
///     ..Default::default()
/// };
/// // deal 0: Open on 1 Jan, Won on 11 Jan; deal 1: Open on 1 Jan, Lost on 21 Jan
/// let entries = StageEntryColumns {
///     deal: vec![0, 1, 0, 1],
///     stage: vec![0, 0, 1, 2],
///     at: vec![day(1, 1), day(1, 1), day(1, 11), day(1, 21)],
/// };
/// let mut m = PipelineMetrics::new(spec);
/// m.add_columns(&deals, &entries).unwrap();
/// let r = m.finish().unwrap();
/// assert_eq!(r.win_rate.rate, Some(0.5));
/// assert_eq!(r.stages[0].dwell.median_seconds, Some(10 * 86_400));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DealColumns {
    /// Opportunity ids, for error messages (empty: deals are named by their index).
    pub ids: Vec<String>,
    /// Amount in minor units (`None`: unknown).
    pub amount: Vec<Option<i64>>,
    /// Index into `currencies` of each amount's currency (read only where there is an amount).
    pub currency: Vec<u32>,
    /// The currency codes.
    pub currencies: Vec<String>,
    /// Upsell or cross-sell (`false`: new business).
    pub expansion: Vec<bool>,
    /// Creation, microseconds since the Unix epoch.
    pub created: Vec<Option<i64>>,
    /// The current stage (index into the spec's stages), read for a deal without entries.
    pub stage: Vec<Option<u32>>,
}

/// Stage entries as a long table: row `k` says deal `deal[k]` (index into the
/// [`DealColumns`]) entered stage `stage[k]` (index into the spec's stages) at `at[k]`
/// (microseconds since the Unix epoch). Rows may come in any order across deals (grouped by
/// deal is fastest); one deal's rows must be in time order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageEntryColumns {
    /// Deal index of each row.
    pub deal: Vec<u32>,
    /// Stage index of each row.
    pub stage: Vec<u32>,
    /// When, in microseconds since the epoch.
    pub at: Vec<i64>,
}

impl DealColumns {
    /// The number of deals: the length of the longest per-deal column.
    pub fn len(&self) -> usize {
        [
            self.ids.len(),
            self.amount.len(),
            self.currency.len(),
            self.expansion.len(),
            self.created.len(),
            self.stage.len(),
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
    }

    /// No deal.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn name(&self, d: usize) -> String {
        self.ids
            .get(d)
            .map_or_else(|| format!("#{d}"), |id| format!("`{id}`"))
    }
}

/// Entries grouped by deal: `offsets[d]..offsets[d + 1]` into `at` and `stage`.
struct Grouped<'a> {
    offsets: Vec<usize>,
    at: std::borrow::Cow<'a, [i64]>,
    stage: std::borrow::Cow<'a, [u32]>,
}

fn group<'a>(n: usize, e: &'a StageEntryColumns) -> Grouped<'a> {
    let mut offsets = vec![0usize; n + 1];
    for &d in &e.deal {
        offsets[d as usize + 1] += 1;
    }
    for d in 0..n {
        offsets[d + 1] += offsets[d];
    }
    if e.deal.windows(2).all(|w| w[0] <= w[1]) {
        return Grouped {
            offsets,
            at: std::borrow::Cow::Borrowed(&e.at),
            stage: std::borrow::Cow::Borrowed(&e.stage),
        };
    }
    // A stable counting sort by deal: each deal's rows keep their table order.
    let mut next = offsets.clone();
    let mut at = vec![0i64; e.at.len()];
    let mut stage = vec![0u32; e.stage.len()];
    for ((&d, &t), &s) in e.deal.iter().zip(&e.at).zip(&e.stage) {
        let slot = &mut next[d as usize];
        at[*slot] = t;
        stage[*slot] = s;
        *slot += 1;
    }
    Grouped {
        offsets,
        at: std::borrow::Cow::Owned(at),
        stage: std::borrow::Cow::Owned(stage),
    }
}

impl PipelineMetrics {
    /// The columns' lengths (no index or value checked).
    fn check_shape(&self, deals: &DealColumns, entries: &StageEntryColumns) -> Result<()> {
        let n = deals.len();
        let bad = |m: String| Err(Error::invalid_input(m));
        for (name, len) in [
            ("ids", deals.ids.len()),
            ("amount", deals.amount.len()),
            ("currency", deals.currency.len()),
            ("expansion", deals.expansion.len()),
            ("created", deals.created.len()),
            ("stage", deals.stage.len()),
        ] {
            if len != 0 && len != n {
                return bad(format!(
                    "deal column `{name}` has {len} values for {n} deals"
                ));
            }
        }
        if !deals.amount.is_empty() && deals.currency.is_empty() {
            return bad("deal amounts without a `currency` column".into());
        }
        if entries.stage.len() != entries.deal.len() || entries.at.len() != entries.deal.len() {
            return bad(format!(
                "stage entry columns differ in length (deal {}, stage {}, at {})",
                entries.deal.len(),
                entries.stage.len(),
                entries.at.len()
            ));
        }
        Ok(())
    }

    /// The columns' shape: lengths and indices in range (no value checked).
    pub(crate) fn check_columns(
        &self,
        deals: &DealColumns,
        entries: &StageEntryColumns,
    ) -> Result<()> {
        self.check_shape(deals, entries)?;
        match row_error(deals.len(), self.spec().stages().len(), entries, 0) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Adds every opportunity of `deals` with its entries: the same as adding each as a
    /// [`DealHistory`](super::DealHistory), without a string or an allocation per row.
    ///
    /// Refused, leaving the accumulator unchanged (`input.invalid`, naming the deal and the
    /// row): columns of different lengths, a deal, stage or currency index out of range, a
    /// negative amount, a deal's entries out of time order, an entry before its creation, a
    /// current stage that is not the last entry's.
    pub fn add_columns(&mut self, deals: &DealColumns, entries: &StageEntryColumns) -> Result<()> {
        self.check_shape(deals, entries)?;
        let stages = self.spec().stages().len();
        if stages <= 32 {
            let mut fresh = PipelineMetrics::new(self.spec_arc());
            match fresh.stream(deals, entries, PART_BITS, BLOCK_ROWS) {
                Ok(Streamed::Done) => return self.merge(fresh),
                // instants too far apart to pack: by deal
                Ok(Streamed::OutOfRange) => {}
                // by deal too, for the error in the words of the row path, the entry counted
                // within its deal (a rare path: the time is the caller's mistake's)
                Err(_) => {}
            }
        }
        self.add_grouped(deals, entries)
    }

    /// The path for any number of stages: rows grouped by deal (a stable counting sort
    /// unless already grouped), then each deal applied as the row path does.
    fn add_grouped(&mut self, deals: &DealColumns, entries: &StageEntryColumns) -> Result<()> {
        let n = deals.len();
        let bad = |m: String| Err(Error::invalid_input(m));
        let stages = self.spec().stages().len();
        if let Some(e) = row_error(n, stages, entries, 0) {
            return Err(e);
        }
        if let Some(e) = deal_error(deals, stages) {
            return Err(e);
        }
        let g = group(n, entries);
        for d in 0..n {
            let (lo, hi) = (g.offsets[d], g.offsets[d + 1]);
            let at = &g.at[lo..hi];
            if let Some(k) = at.windows(2).position(|w| w[1] < w[0]) {
                return bad(format!(
                    "opportunity {}: its entry {} is before the entry before it",
                    deals.name(d),
                    k + 1
                ));
            }
            if let (Some(&Some(c)), Some(&first)) = (deals.created.get(d), at.first())
                && first < c
            {
                return bad(format!(
                    "opportunity {}: an entry is before its creation",
                    deals.name(d)
                ));
            }
            if let (Some(&Some(s)), Some(&last)) = (deals.stage.get(d), g.stage[lo..hi].last())
                && s != last
            {
                return bad(format!(
                    "opportunity {}: stage {s} is not the last entry's ({last})",
                    deals.name(d)
                ));
            }
        }
        for d in 0..n {
            let (lo, hi) = (g.offsets[d], g.offsets[d + 1]);
            let amount = match (deals.amount.get(d), deals.currency.get(d)) {
                (Some(&Some(a)), Some(&c)) => {
                    deals.currencies.get(c as usize).map(|c| (c.as_str(), a))
                }
                _ => None,
            };
            self.apply(&DealView {
                amount,
                expansion: deals.expansion.get(d).copied().unwrap_or(false),
                created: deals.created.get(d).copied().flatten(),
                stage: deals.stage.get(d).copied().flatten().map(|s| s as usize),
                at: &g.at[lo..hi],
                stages: &g.stage[lo..hi],
            });
        }
        Ok(())
    }
}

/// The first row (from `from`, in table order) naming a deal or a stage out of range.
fn row_error(n: usize, stages: usize, e: &StageEntryColumns, from: usize) -> Option<Error> {
    let rows = e.deal.iter().zip(&e.stage).enumerate().skip(from);
    for (k, (&d, &s)) in rows {
        if d as usize >= n {
            return Some(Error::invalid_input(format!(
                "stage entry row {k}: deal {d} of {n} deals"
            )));
        }
        if s as usize >= stages {
            return Some(Error::invalid_input(format!(
                "stage entry row {k}: stage {s} of {stages} stages"
            )));
        }
    }
    None
}

/// The first deal (in index order) with a negative amount, a currency or a current stage out
/// of range.
fn deal_error(deals: &DealColumns, stages: usize) -> Option<Error> {
    let ncur = deals.currencies.len();
    let bad = |d: usize| {
        let amount = deals.amount.get(d).copied().flatten();
        if let Some(a) = amount
            && a < 0
        {
            return Some(format!(
                "opportunity {}: negative amount {a}",
                deals.name(d)
            ));
        }
        if let (Some(_), Some(&c)) = (amount, deals.currency.get(d))
            && c as usize >= ncur
        {
            return Some(format!(
                "opportunity {}: currency {c} of {ncur}",
                deals.name(d)
            ));
        }
        if let Some(&Some(s)) = deals.stage.get(d)
            && s as usize >= stages
        {
            return Some(format!(
                "opportunity {}: stage {s} of {stages} stages",
                deals.name(d)
            ));
        }
        None
    };
    // A quick scan column by column, then the first failing deal's message.
    let amounts_bad = deals.amount.iter().enumerate().any(|(d, a)| {
        let c = deals.currency.get(d).map_or(0, |&c| c as usize);
        a.is_some_and(|a| (a < 0) | (c >= ncur))
    });
    let stages_bad = deals
        .stage
        .iter()
        .any(|s| s.is_some_and(|s| s as usize >= stages));
    if !(amounts_bad || stages_bad) {
        return None;
    }
    (0..deals.len()).find_map(bad).map(Error::invalid_input)
}

/// One deal's running state in the streaming pass (rows in any order across deals): 16
/// bytes, so a partition's deals stay in a core's L1 data cache.
#[derive(Clone, Copy)]
struct Running {
    /// Packed: the last entry known at the snapshot, as microseconds after the stream's
    /// base instant (55 bits, signed; before the first entry, the creation or the lowest
    /// value, so one comparison checks both the time order and the creation), then the last
    /// stage (5 bits), then the flags (4 bits).
    key: i64,
    /// Stages entered in the period (bits).
    entered: u32,
    /// Open stages first entered in the period and not yet converted (bits); once the deal
    /// has an entry at or after the snapshot (`BEYOND`: no more conversions), the index of
    /// its latest such entry in the stream's `beyond` list.
    pending: u32,
}

const HAS_ENTRY: i64 = 1;
const KNOWN: i64 = 2;
const QUALIFIED: i64 = 4;
/// Has an entry at or after the snapshot (kept aside in `beyond`).
const BEYOND: i64 = 8;
const FLAGS: i64 = 15;
/// Bits of a packed key below the time.
const TIME_SHIFT: u32 = 9;
/// Packed times lie in `[-LIMIT, LIMIT)` microseconds of the base (±570 years).
const LIMIT: i64 = 1 << 54;

impl Running {
    fn time(self) -> i64 {
        self.key >> TIME_SHIFT
    }
    fn stage(self) -> usize {
        ((self.key >> 4) & 31) as usize
    }
    fn flags(self) -> i64 {
        self.key & FLAGS
    }
}

/// Deals per partition: 2^10 × 16 bytes = 16 KB of running state, within a core's L1 data
/// cache (2^14, 256 KB in L2, took ~10 ms more of the row loop on 9 M rows; 2^8 and 2^9
/// lose more in the scatter, which then writes to too many partitions at once).
const PART_BITS: u32 = 10;
/// Rows scattered into partitions at a time, each as one 8-byte word (its time after the
/// block's earliest, its deal within the partition, its stage): the buffer is reused, so no
/// fresh memory per row; large enough that each partition gets many rows per block and a
/// deal's rows seldom straddle blocks (2^21 beat 2^20 by ~4% on 9 M rows, 2^22 lost).
const BLOCK_ROWS: usize = 1 << 21;

/// A deal's latest entry at or after the snapshot, and its pending bits when its first such
/// entry came (conversions stop there).
struct Beyond {
    at: i64,
    stage: u8,
    pending: u32,
}

/// A deal's entry at or after the snapshot (`t`, stage `s`): kept aside in `beyond` (no
/// conversion after it), the first one with the deal's pending bits beside it. `false` if
/// it is before the deal's previous such entry (or the list is full). Out of the row loop's
/// way: rare, and its registers are the loop's.
#[cold]
#[inline(never)]
fn at_or_after_snapshot(beyond: &mut Vec<Beyond>, r: &mut Running, t: i64, s: u8) -> bool {
    if r.flags() & BEYOND != 0 {
        match beyond.get_mut(r.pending as usize) {
            Some(b) if t >= b.at => {
                (b.at, b.stage) = (t, s);
                true
            }
            _ => false,
        }
    } else {
        let Ok(at) = u32::try_from(beyond.len()) else {
            return false;
        };
        beyond.push(Beyond {
            at: t,
            stage: s,
            pending: r.pending,
        });
        r.pending = at;
        r.key |= HAS_ENTRY | BEYOND;
        true
    }
}

/// The open ranked stages, as bits: those a later entry can convert.
fn open_bits(st: &super::PipelineStages) -> u32 {
    (0..st.len())
        .filter(|&s| st.kind(s) == StageKind::Open && st.rank(s).is_some())
        .fold(0, |m, s| m | 1 << s)
}

/// How the streaming pass ended.
enum Streamed {
    Done,
    /// Instants more than ±570 years apart: they do not pack into a running state.
    OutOfRange,
}

impl PipelineMetrics {
    /// The pass over rows for pipelines of at most 32 stages: per deal, a 16-byte running
    /// state; per row, a few bit operations. Rows are taken a block at a time, scattered by
    /// deal range (2^`part_bits` deals) into a reused buffer, and applied a range at a time,
    /// so the states being updated stay in cache; each deal's rows keep their table order. A
    /// row out of time order within its deal, or before its creation, is an error (the
    /// caller's accumulator is untouched: this one is fresh). Errors are those of the row
    /// path's checks, in the same precedence: a bad row index, then a bad deal, then the rest.
    fn stream(
        &mut self,
        deals: &DealColumns,
        entries: &StageEntryColumns,
        part_bits: u32,
        block_rows: usize,
    ) -> Result<Streamed> {
        let spec = self.spec_arc();
        let st = spec.stages();
        let ns = st.len();
        let n = deals.len();
        // The deals are checked as they are finished (one pass over them less); an error on
        // the way asks first whether a row names a deal or stage out of range, then whether
        // a deal is bad: those errors come first, as on the row path.
        let base = entries.at.first().copied().unwrap_or(0);
        let rel = |t: i64| t.checked_sub(base).filter(|r| (-LIMIT..LIMIT).contains(r));
        // Per deal: the creation as the lowest time an entry may have.
        let mut state = Vec::with_capacity(n);
        for d in 0..n {
            let floor = match deals.created.get(d).copied().flatten() {
                Some(c) => match rel(c) {
                    Some(r) => r,
                    None if c < base => -LIMIT,
                    None => return Ok(Streamed::OutOfRange),
                },
                None => -LIMIT,
            };
            state.push(Running {
                key: floor << TIME_SHIFT,
                entered: 0,
                pending: 0,
            });
        }
        match self.stream_rows(deals, entries, &mut state, base, part_bits, block_rows) {
            Ok(Some(beyond)) => self
                .finish_deals(deals, &state, &beyond, base)
                .map_err(|e| deal_error(deals, ns).unwrap_or(e)),
            Ok(None) => Ok(Streamed::OutOfRange),
            // a later row's bad index comes first, then a bad deal
            Err((e, k)) => Err(row_error(n, ns, entries, k)
                .or_else(|| deal_error(deals, ns))
                .unwrap_or(e)),
        }
    }

    /// The row pass: `None` if an instant is out of the packable range; on an error, the
    /// row from which the rest is unchecked.
    #[allow(clippy::type_complexity)]
    fn stream_rows(
        &mut self,
        deals: &DealColumns,
        entries: &StageEntryColumns,
        state: &mut [Running],
        base: i64,
        part_bits: u32,
        block_rows: usize,
    ) -> std::result::Result<Option<Vec<Beyond>>, (Error, usize)> {
        let spec = self.spec_arc();
        let st = spec.stages();
        let ns = st.len();
        let n = deals.len();
        let (from, to) = (
            spec.period().from.timestamp_micros(),
            spec.period().to.timestamp_micros(),
        );
        let qualify = spec.qualified_from.and_then(|q| st.rank(q));
        // Per stage: the open stages of lower rank it converts, whether it qualifies.
        let mut converts = [0u32; 32];
        let mut qualifies = [0i64; 32];
        for (s, c) in converts.iter_mut().enumerate().take(ns) {
            if let Some(r) = st.rank(s) {
                for o in 0..ns {
                    if st.kind(o) == StageKind::Open && st.rank(o).is_some_and(|ro| ro < r) {
                        *c |= 1 << o;
                    }
                }
                if qualify.is_none_or(|q| r >= q) {
                    qualifies[s] = QUALIFIED;
                }
            } else if qualify.is_none() {
                qualifies[s] = QUALIFIED;
            }
        }
        let open_bits = open_bits(st);
        let out_of_order = |d: usize| {
            Error::invalid_input(format!(
                "opportunity {}: an entry is before the entry before it",
                deals.name(d)
            ))
        };
        let before_creation = |d: usize| {
            Error::invalid_input(format!(
                "opportunity {}: an entry is before its creation",
                deals.name(d)
            ))
        };
        let mut dwell: [Vec<i64>; 32] = std::array::from_fn(|_| Vec::new());
        // Latest entry at or after the snapshot of each deal that has one.
        let mut beyond: Vec<Beyond> = Vec::new();
        // Instants that pack: `[lo, lo + span)`.
        let lo = base.saturating_sub(LIMIT);
        let span = base.saturating_add(LIMIT).wrapping_sub(lo) as u64;
        let parts = (n >> part_bits) + 1;
        let mask = (1u32 << part_bits) - 1;
        let mut next = vec![0usize; parts + 1];
        // The period's bounds relative to `base` (a row's `t - base` never overflows).
        let (from_r, to_r) = (from.saturating_sub(base), to.saturating_sub(base));
        // Each row scattered as one word: its time after the block's earliest, its deal
        // within the partition, its stage.
        let shift = 5 + part_bits;
        let cap = block_rows.min(entries.deal.len());
        let mut rows = vec![0u64; cap];
        let mut start = 0;
        while start < entries.deal.len() {
            let mut end = (start + block_rows).min(entries.deal.len());
            let (dc, sc) = (&entries.deal[start..end], &entries.stage[start..end]);
            // Check every index and instant (branch-free), then count per partition.
            let top_deal = dc.iter().fold(0, |m, &d| m.max(d));
            let top_stage = sc.iter().fold(0, |m, &s| m.max(s));
            if top_deal as usize >= n || top_stage as usize >= ns {
                let e = row_error(n, ns, entries, start);
                return Err((e.unwrap_or_else(|| out_of_order(0)), start));
            }
            // The instants as offsets from `lo`: all packable, and within a span that fits
            // beside the deal and stage (a block spanning more is halved until it fits: at
            // worst one row).
            let earliest = loop {
                let (min, max) = entries.at[start..end]
                    .iter()
                    .fold((u64::MAX, 0), |(a, b), &t| {
                        let u = t.wrapping_sub(lo) as u64;
                        (a.min(u), b.max(u))
                    });
                if max >= span {
                    return Ok(None);
                }
                if (max - min) >> (64 - shift) == 0 {
                    break min;
                }
                end = start + (end - start).div_ceil(2);
            };
            let (dc, sc, tc) = (
                &entries.deal[start..end],
                &entries.stage[start..end],
                &entries.at[start..end],
            );
            // The block's earliest instant relative to `base`.
            let first_r = lo.wrapping_add(earliest as i64).wrapping_sub(base);
            next.fill(0);
            for &d in dc {
                next[(d >> part_bits) as usize + 1] += 1;
            }
            for p in 0..parts {
                next[p + 1] += next[p];
            }
            // Scatter, stable: each deal's rows keep their table order.
            for ((&d, &s), &t) in dc.iter().zip(sc).zip(tc) {
                let slot = &mut next[(d >> part_bits) as usize];
                let since = (t.wrapping_sub(lo) as u64).wrapping_sub(earliest);
                rows[*slot] = since << shift | u64::from((d & mask) << 5 | s);
                *slot += 1;
            }
            // Apply a partition at a time (`next[p]` is now where partition `p + 1` starts).
            // Each completed dwell is written back into the rows' own words, packed with its
            // stage (`seconds << 5 | stage`) at a position the loop keeps in a register,
            // then handed to its stage's run once the partition is done: no store whose
            // address hangs on the state just loaded.
            let mut lo = 0;
            for (p, &hi) in next.iter().enumerate().take(parts) {
                let first = p << part_bits;
                let mut kept = lo;
                for i in lo..hi {
                    let row = rows[i];
                    let d = first | (row >> 5) as usize & mask as usize;
                    let s = (row & 31) as usize;
                    let tr = first_r + (row >> shift) as i64;
                    let r = &mut state[d];
                    let (key, flags) = (r.key, r.flags());
                    let last = r.time();
                    if tr < last {
                        let e = if flags & HAS_ENTRY == 0 {
                            before_creation(d)
                        } else {
                            out_of_order(d)
                        };
                        return Err((e, end));
                    }
                    if tr >= to_r {
                        if !at_or_after_snapshot(&mut beyond, r, base + tr, s as u8) {
                            return Err((out_of_order(d), end));
                        }
                        continue;
                    }
                    if flags & BEYOND != 0 {
                        return Err((out_of_order(d), end)); // before an entry at or after the snapshot
                    }
                    // Branch-free from here: whether an entry came before, whether this one is
                    // in the period, its stage are all data.
                    let in_period = from_r <= tr;
                    // the dwell in the last stage, kept if completed in the period
                    // (`rows[i]` is read: `kept <= i`)
                    rows[kept] = (((tr - last) / 1_000_000) << 5 | ((key >> 4) & 31)) as u64;
                    kept += usize::from(in_period & (flags & KNOWN != 0));
                    // a first entry in the period; earlier first entries this one converts
                    let first = (u32::from(in_period) << s) & !r.entered;
                    r.entered |= first;
                    r.pending = (r.pending & !converts[s]) | (first & open_bits);
                    r.key = tr << TIME_SHIFT
                        | (s as i64) << 4
                        | flags
                        | qualifies[s]
                        | HAS_ENTRY
                        | KNOWN;
                }
                for &v in &rows[lo..kept] {
                    let v = v as i64;
                    dwell[(v & 31) as usize].push(v >> 5);
                }
                lo = hi;
            }
            start = end;
        }
        for (acc, run) in self.stages.iter_mut().zip(&mut dwell) {
            acc.dwell = std::mem::take(run);
        }
        Ok(Some(beyond))
    }

    /// Per deal, after the rows: the stage at the snapshot, the current-stage check, values
    /// entered and in stage, closes.
    fn finish_deals(
        &mut self,
        deals: &DealColumns,
        state: &[Running],
        beyond: &[Beyond],
        base: i64,
    ) -> Result<Streamed> {
        let spec = self.spec_arc();
        let st = spec.stages();
        let ns = st.len();
        let n = deals.len();
        let (from, to) = (
            spec.period().from.timestamp_micros(),
            spec.period().to.timestamp_micros(),
        );
        let qualify = spec.qualified_from.and_then(|q| st.rank(q));
        let qualifies: Vec<bool> = (0..ns)
            .map(|s| qualify.is_none_or(|q| st.rank(s).is_some_and(|r| r >= q)))
            .collect();
        let ncur = deals.currencies.len().max(1);
        let amount_of = |d: usize| match (deals.amount.get(d), deals.currency.get(d)) {
            (Some(&Some(a)), Some(&c)) => Some((c as usize, a)),
            _ => None,
        };
        let open_bits = open_bits(st);
        // Per stage: 1 if open, 2 if won, 4 if lost.
        let mut kinds = [0u8; 32];
        for (s, k) in kinds.iter_mut().enumerate().take(ns) {
            *k = match st.kind(s) {
                StageKind::Open => 1,
                StageKind::Won => 2,
                StageKind::Lost => 4,
                _ => 0,
            };
        }
        // Per set of the first 8 stages (a byte): deals that entered exactly those in the
        // period, their value per currency, deals that converted exactly those; stages from
        // the 9th on one by one.
        let mut entered_low = [0u64; 256];
        let mut converted_low = [0u64; 256];
        let mut value_low = vec![(0i128, false); 256 * ncur];
        let mut entered = [0u64; 32];
        let mut converted = [0u64; 32];
        let mut in_stage = vec![0u64; ns];
        // value per (stage, currency): sum and whether any amount was added
        let mut value = vec![(0i128, false); ns * ncur];
        let mut value_in = vec![(0i128, false); ns * ncur];
        let mut won_value = vec![(0i128, false); ncur];
        // won, lost: new business, expansion
        let mut closes = [[0u64; 2]; 2];
        let mut won_with_amount = 0;
        let mut open_qualified = 0;
        let mut cycle = std::mem::take(&mut self.cycle);
        let currencies = deals.currencies.len();
        for (d, &r) in state.iter().enumerate() {
            let flags = r.flags();
            let amount = amount_of(d);
            // The checks `deal_error` makes (which words the error)
            if amount.is_some_and(|(c, a)| (a < 0) | (c >= currencies))
                | deals
                    .stage
                    .get(d)
                    .is_some_and(|s| s.is_some_and(|s| s as usize >= ns))
            {
                return Err(Error::invalid_input(format!(
                    "opportunity {}: a negative amount, or a currency or stage out of range",
                    deals.name(d)
                )));
            }
            let beyond = (flags & BEYOND != 0)
                .then(|| beyond.get(r.pending as usize))
                .flatten();
            // Stages first entered in the period; those of them converted: no longer pending.
            let pending = beyond.map_or(r.pending, |b| b.pending);
            let done = r.entered & open_bits & !pending;
            let low = (r.entered & 0xFF) as usize;
            entered_low[low] += 1;
            converted_low[(done & 0xFF) as usize] += 1;
            if let Some((c, a)) = amount
                && let Some(v) = value_low.get_mut(low * ncur + c)
            {
                v.0 += i128::from(a);
                v.1 = true;
            }
            let mut bits = r.entered & !0xFF;
            while bits != 0 {
                let s = bits.trailing_zeros() as usize;
                entered[s] += 1;
                converted[s] += u64::from(done >> s & 1);
                if let Some((c, a)) = amount {
                    let v = &mut value[s * ncur + c];
                    v.0 += i128::from(a);
                    v.1 = true;
                }
                bits &= bits - 1;
            }
            let given = deals.stage.get(d).copied().flatten();
            if let Some(g) = given
                && flags & HAS_ENTRY != 0
            {
                let last_any = beyond.map_or(r.stage(), |b| usize::from(b.stage));
                if g as usize != last_any {
                    return Err(Error::invalid_input(format!(
                        "opportunity {}: stage {g} is not the last entry's ({last_any})",
                        deals.name(d)
                    )));
                }
            }
            let created = deals.created.get(d).copied().flatten();
            let (cur, entered_at) = if flags & KNOWN != 0 {
                (r.stage(), base + r.time())
            } else if flags & HAS_ENTRY == 0 && created.is_none_or(|c| c < to) {
                match given {
                    // no entry: never closed in the period
                    Some(g) => (g as usize, i64::MIN),
                    None => continue,
                }
            } else {
                continue;
            };
            in_stage[cur] += 1;
            if let Some((c, a)) = amount {
                let v = &mut value_in[cur * ncur + c];
                v.0 += i128::from(a);
                v.1 = true;
            }
            // Branch-free: whether it counts, and as what, is data.
            let qualified = qualify.is_none()
                | (flags & QUALIFIED != 0)
                | ((flags & KNOWN == 0) & qualifies[cur]);
            let kind = kinds[cur & 31];
            open_qualified += u64::from(qualified & (kind & 1 != 0));
            let closed = qualified & (from <= entered_at) & (entered_at < to);
            let won = closed & (kind & 2 != 0);
            let expansion = usize::from(deals.expansion.get(d).copied().unwrap_or(false));
            closes[0][expansion] += u64::from(won);
            closes[1][expansion] += u64::from(closed & (kind & 4 != 0));
            if let Some((c, a)) = amount {
                let v = &mut won_value[c];
                v.0 += i128::from(a & -i64::from(won));
                v.1 |= won;
                won_with_amount += u64::from(won);
            }
            if let Some(c) = created {
                cycle.push(entered_at.wrapping_sub(c) / 1_000_000);
                cycle.truncate(cycle.len() - usize::from(!won));
            }
        }
        // (a set with no deal names only stages of this pipeline)
        for (m, &c) in converted_low.iter().enumerate() {
            let mut bits = if c > 0 { m } else { 0 };
            while bits != 0 {
                converted[bits.trailing_zeros() as usize] += c;
                bits &= bits - 1;
            }
        }
        for (m, &e) in entered_low.iter().enumerate() {
            let mut bits = if e > 0 { m } else { 0 };
            while bits != 0 {
                let s = bits.trailing_zeros() as usize;
                entered[s] += e;
                for k in 0..ncur {
                    let (sum, any) = value_low[m * ncur + k];
                    let v = &mut value[s * ncur + k];
                    v.0 += sum;
                    v.1 |= any;
                }
                bits &= bits - 1;
            }
        }
        for (x, k) in [(&mut self.new_business, 0), (&mut self.expansion, 1)] {
            x.won += closes[0][k];
            x.lost += closes[1][k];
        }
        self.cycle = cycle;
        self.won_with_amount += won_with_amount;
        self.open_qualified += open_qualified;
        self.opportunities += n as u64;
        let currency = |c: usize| deals.currencies.get(c).map_or("", String::as_str);
        for (s, acc) in self.stages.iter_mut().enumerate() {
            acc.entered += entered[s];
            acc.converted += converted[s];
            acc.in_stage += in_stage[s];
            for c in 0..ncur {
                if value[s * ncur + c].1 {
                    add_i128(&mut acc.value_entered, currency(c), value[s * ncur + c].0);
                }
                if value_in[s * ncur + c].1 {
                    add_i128(
                        &mut acc.value_in_stage,
                        currency(c),
                        value_in[s * ncur + c].0,
                    );
                }
            }
        }
        for (c, v) in won_value.iter().enumerate() {
            if v.1 {
                add_i128(&mut self.won_value, currency(c), v.0);
            }
        }
        Ok(Streamed::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::{MetricsSpec, Period, PipelineStages, StageDef};
    use chrono::{TimeZone, Utc};

    /// A small seeded generator (splitmix64).
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) % n
        }
    }

    /// Stages: 4 open, won, lost; or with `wide`, 10 open, won, lost, nurture (more than a
    /// byte of stages).
    fn spec_of(wide: bool) -> MetricsSpec {
        let open = if wide { 10 } else { 4 };
        let mut kinds = vec![StageKind::Open; open];
        kinds.extend([StageKind::Won, StageKind::Lost]);
        if wide {
            kinds.push(StageKind::Nurture);
        }
        let defs = kinds
            .iter()
            .enumerate()
            .map(|(i, &k)| StageDef::new(format!("S{i}"), k))
            .collect();
        let t = |d| Utc.with_ymd_and_hms(2024, 1, d, 0, 0, 0).unwrap();
        MetricsSpec::new(
            PipelineStages::new("p", defs).unwrap(),
            Period {
                from: t(10),
                to: t(20),
            },
            Some("S1"),
        )
        .unwrap()
    }

    fn spec() -> MetricsSpec {
        spec_of(false)
    }

    /// Deals with 0-5 entries each over 1-29 January (crossing both ends of the period),
    /// rows interleaved across deals in a random order, each deal's rows in time order.
    fn fixture(seed: u64, n: usize) -> (DealColumns, StageEntryColumns) {
        fixture_of(seed, n, 6)
    }

    fn fixture_of(seed: u64, n: usize, stages: u64) -> (DealColumns, StageEntryColumns) {
        let mut rng = Rng(seed);
        let day = 86_400_000_000i64;
        let jan = Utc
            .with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
            .unwrap()
            .timestamp_micros();
        let mut deals = DealColumns {
            currencies: vec!["USD".into(), "EUR".into()],
            ..Default::default()
        };
        let mut rows = Vec::new();
        for d in 0..n {
            let created = jan + rng.below(28) as i64 * day;
            deals.created.push(Some(created));
            deals
                .amount
                .push((rng.below(5) > 0).then(|| rng.below(1000) as i64));
            deals.currency.push(rng.below(2) as u32);
            deals.expansion.push(rng.below(3) == 0);
            let mut at = created;
            let mut last = rng.below(stages) as u32;
            for _ in 0..rng.below(6) {
                at += rng.below(4 * day as u64) as i64;
                last = rng.below(stages) as u32;
                rows.push((rng.below(1 << 20), d as u32, last, at));
            }
            // the current stage given for some deals (the last entry's, if any)
            deals.stage.push((rng.below(2) == 0).then_some(last));
        }
        // random order across deals, each deal's rows in time order
        let mut by_deal: Vec<Vec<(u32, u32, i64)>> = vec![Vec::new(); n];
        for &(_, d, s, t) in &rows {
            by_deal[d as usize].push((d, s, t));
        }
        let mut order: Vec<(u64, u32)> = rows.iter().map(|r| (r.0, r.1)).collect();
        order.sort_unstable();
        let mut taken = vec![0usize; n];
        let mut entries = StageEntryColumns::default();
        for (_, d) in order {
            let (d, s, t) = by_deal[d as usize][taken[d as usize]];
            taken[d as usize] += 1;
            entries.deal.push(d);
            entries.stage.push(s);
            entries.at.push(t);
        }
        (deals, entries)
    }

    /// Everything an accumulator holds, its runs of durations sorted.
    fn canon(mut m: PipelineMetrics) -> String {
        for a in &mut m.stages {
            a.dwell.sort_unstable();
        }
        m.cycle.sort_unstable();
        format!(
            "{} {:?} {:?} {:?} {:?} {} {:?} {}",
            m.opportunities,
            m.stages,
            m.new_business,
            m.expansion,
            m.won_value,
            m.won_with_amount,
            m.cycle,
            m.open_qualified
        )
    }

    fn streamed(
        deals: &DealColumns,
        entries: &StageEntryColumns,
        part_bits: u32,
        block_rows: usize,
    ) -> Result<String> {
        streamed_with(spec(), deals, entries, part_bits, block_rows)
    }

    fn streamed_with(
        spec: MetricsSpec,
        deals: &DealColumns,
        entries: &StageEntryColumns,
        part_bits: u32,
        block_rows: usize,
    ) -> Result<String> {
        let mut m = PipelineMetrics::new(spec);
        match m.stream(deals, entries, part_bits, block_rows)? {
            Streamed::Done => Ok(canon(m)),
            Streamed::OutOfRange => Err(Error::invalid_input("out of range")),
        }
    }

    fn grouped(deals: &DealColumns, entries: &StageEntryColumns) -> Result<String> {
        grouped_with(spec(), deals, entries)
    }

    fn grouped_with(
        spec: MetricsSpec,
        deals: &DealColumns,
        entries: &StageEntryColumns,
    ) -> Result<String> {
        let mut m = PipelineMetrics::new(spec);
        m.add_grouped(deals, entries)?;
        Ok(canon(m))
    }

    fn columns(deals: &DealColumns, entries: &StageEntryColumns) -> Result<String> {
        let mut m = PipelineMetrics::new(spec());
        m.add_columns(deals, entries)?;
        Ok(canon(m))
    }

    #[test]
    fn blocks_and_partitions_of_any_size_give_the_grouped_report() {
        for seed in 0..40 {
            // more than a byte of stages on odd seeds
            let wide = seed % 2 == 1;
            let (deals, entries) = fixture_of(seed, 200, if wide { 13 } else { 6 });
            let want = grouped_with(spec_of(wide), &deals, &entries).unwrap();
            // (with 20 and 26 bits of deal, a row's word keeps 39 and 33 bits of time: 6.4
            // days and 2.4 hours, so blocks spanning more are halved until they fit)
            for (bits, block) in [
                (0, 1),
                (1, 7),
                (3, 64),
                (5, 1000),
                (20, 1000),
                (26, 500),
                (PART_BITS, BLOCK_ROWS),
            ] {
                assert_eq!(
                    streamed_with(spec_of(wide), &deals, &entries, bits, block).unwrap(),
                    want,
                    "seed {seed}, {bits} bits, blocks of {block}"
                );
            }
        }
    }

    #[test]
    fn errors_in_a_later_block_are_found() {
        let (deals, entries) = fixture(3, 200);
        // a deal's two rows swapped: out of time order
        let mut e = entries.clone();
        let d = e.deal[e.deal.len() - 1];
        let ks: Vec<usize> = (0..e.deal.len()).filter(|&k| e.deal[k] == d).collect();
        assert!(ks.len() >= 2 && e.at[ks[0]] < e.at[ks[ks.len() - 1]]);
        e.at.swap(ks[0], ks[ks.len() - 1]);
        for (bits, block) in [(1, 7), (3, 64), (PART_BITS, BLOCK_ROWS)] {
            let err = streamed(&deals, &e, bits, block).unwrap_err().to_string();
            assert!(err.contains(&format!("#{d}")), "{err}");
        }
        // a bad stage index after an out-of-order row: the index is reported
        let last = e.stage.len() - 1;
        e.stage[last] = 6;
        for (bits, block) in [(1, 7), (3, 64), (PART_BITS, BLOCK_ROWS)] {
            let err = streamed(&deals, &e, bits, block).unwrap_err().to_string();
            assert!(err.contains(&format!("row {last}: stage 6 of 6")), "{err}");
        }
    }

    /// Damaged inputs of every kind the checks know, several at once: `add_columns` says
    /// exactly what the grouped path says, the same report or the same error; the streamed
    /// pass (any block and partition size) gives the same report or an error too; nothing
    /// panics.
    #[test]
    fn damaged_columns_give_the_grouped_paths_answer() {
        for seed in 0..300u64 {
            let (mut deals, mut e) = fixture(seed, 60);
            let mut rng = Rng(seed ^ 0x5eed);
            let rows = e.deal.len();
            for _ in 0..=rng.below(3) {
                let k = rng.below(rows.max(1) as u64) as usize;
                let d = rng.below(deals.len() as u64) as usize;
                match rng.below(10) {
                    0 if rows > 0 => e.deal[k] = 60 + rng.below(3) as u32,
                    1 if rows > 0 => e.stage[k] = 6 + rng.below(30) as u32,
                    2 if rows > 1 => e.at.swap(k, rng.below(rows as u64) as usize),
                    3 if rows > 0 => {
                        e.at[k] =
                            [i64::MIN, i64::MAX, 0, e.at[k] - 86_400_000_000][rng.below(4) as usize]
                    }
                    4 => deals.amount[d] = Some(-1 - rng.below(5) as i64),
                    5 => deals.currency[d] = 2 + rng.below(3) as u32,
                    6 => deals.stage[d] = Some(rng.below(9) as u32),
                    7 => {
                        deals.created[d] =
                            [None, Some(i64::MIN), Some(i64::MAX)][rng.below(3) as usize]
                    }
                    8 if rows > 0 => e.deal[k] = d as u32,
                    _ => deals.created[d] = deals.created[d].map(|c| c + 40 * 86_400_000_000),
                }
            }
            let want = grouped(&deals, &e).map_err(|x| x.to_string());
            assert_eq!(
                columns(&deals, &e).map_err(|x| x.to_string()),
                want,
                "seed {seed}"
            );
            for (bits, block) in [(1, 7), (3, 64), (PART_BITS, BLOCK_ROWS)] {
                let got = streamed(&deals, &e, bits, block).map_err(|x| x.to_string());
                match (&got, &want) {
                    (Err(m), _) if m.ends_with("out of range") => {}
                    (Ok(_), Ok(_)) => {
                        assert_eq!(got, want, "seed {seed}, {bits} bits, blocks of {block}")
                    }
                    (Err(_), Err(_)) => {}
                    _ => panic!("seed {seed}, {bits} bits, blocks of {block}: {got:?} vs {want:?}"),
                }
            }
        }
    }

    #[test]
    fn instants_too_far_apart_take_the_grouped_path() {
        let (mut deals, mut entries) = fixture(5, 50);
        let want = grouped(&deals, &entries).unwrap();
        assert_eq!(columns(&deals, &entries).unwrap(), want);
        // a deal created at the dawn of time: still packs (its creation bounds nothing)
        deals.created[0] = Some(i64::MIN / 2);
        assert_eq!(
            streamed(&deals, &entries, PART_BITS, BLOCK_ROWS).unwrap(),
            grouped(&deals, &entries).unwrap()
        );
        // an entry in the far future: out of range for the stream, same report by deal
        deals.created[0] = None;
        let d = deals.len() as u32;
        deals.created.push(None);
        deals.amount.push(None);
        deals.currency.push(0);
        deals.expansion.push(false);
        deals.stage.push(None);
        entries.deal.push(d);
        entries.stage.push(0);
        entries.at.push(i64::MAX);
        assert!(matches!(
            PipelineMetrics::new(spec()).stream(&deals, &entries, PART_BITS, BLOCK_ROWS),
            Ok(Streamed::OutOfRange)
        ));
        assert_eq!(
            columns(&deals, &entries).unwrap(),
            grouped(&deals, &entries).unwrap()
        );
    }
}

/// Which group each opportunity of a [`DealColumns`] falls in, for
/// [`GroupedMetrics::add_columns`]: the distinct key values (one value per key of the
/// grouping, in its order; `None` for a missing value) and, per deal, an index into them.
///
/// ```
/// let g = leadcore::analytics::DealGroups {
///     keys: vec![vec![Some("Ann".into())], vec![None]],
///     of: vec![0, 1, 0],
/// };
/// assert_eq!(g.of.len(), 3);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DealGroups {
    /// The key values of each group.
    pub keys: Vec<Vec<Option<String>>>,
    /// Per deal, its group (index into `keys`); empty: every deal in one group of the
    /// first key values (or of none, without keys).
    pub of: Vec<u32>,
}

fn micros_text(t: i64) -> String {
    chrono::DateTime::from_timestamp_micros(t).map_or_else(|| t.to_string(), |d| d.to_rfc3339())
}

impl GroupedMetrics {
    /// Adds every opportunity of `deals`, with its entries, to its group: the same as
    /// [`GroupedMetrics::add`] of each as a [`DealHistory`](super::DealHistory) in deal
    /// order, the same errors first (a negative amount, an entry out of time order or before
    /// the creation, a current stage that is not the last entry's, reported for the first
    /// deal at fault with the row path's message), without a string or an allocation per
    /// row. Refused as a whole, leaving the accumulator unchanged; also refused: the
    /// [`PipelineMetrics::add_columns`] errors, a group index out of range, keys of the wrong
    /// width.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use leadcore::analytics::{DealColumns, DealGroups, GroupedMetrics, MetricsSpec, Period, PipelineStages, SliceKey, StageDef, StageEntryColumns};
    /// use leadcore::StageKind;
    /// let stages = PipelineStages::new("deals", vec![StageDef::new("Open", StageKind::Open),
    ///     StageDef::new("Won", StageKind::Won)]).unwrap();
    /// let t = |m| Utc.with_ymd_and_hms(2017, m, 1, 0, 0, 0).unwrap();
    /// let spec = MetricsSpec::new(stages, Period { from: t(1), to: t(7) }, None).unwrap();
    /// let deals = DealColumns { ids: vec!["A".into(), "B".into()], ..Default::default() };
    /// let groups = DealGroups { keys: vec![vec![Some("Ann".into())], vec![Some("Bob".into())]], of: vec![1, 0] };
    /// let entries = StageEntryColumns { deal: vec![0, 1], stage: vec![1, 0], at: vec![t(2).timestamp_micros(); 2] };
    /// let mut g = GroupedMetrics::new(spec, vec![SliceKey::Owner]);
    /// g.add_columns(&deals, &groups, &entries).unwrap();
    /// let r = g.finish().unwrap();
    /// assert_eq!(r[0].key["owner"].as_deref(), Some("Ann"));
    /// assert_eq!(r[0].report.stages[0].in_stage, 1); // B, still Open
    /// ```
    pub fn add_columns(
        &mut self,
        deals: &DealColumns,
        groups: &DealGroups,
        entries: &StageEntryColumns,
    ) -> Result<()> {
        let n = deals.len();
        let bad = |m: String| Err(Error::invalid_input(m));
        if !groups.of.is_empty() && groups.of.len() != n {
            return bad(format!(
                "deal groups: {} values for {n} deals",
                groups.of.len()
            ));
        }
        if let Some(k) = groups.keys.iter().find(|k| k.len() != self.by.len()) {
            return bad(format!(
                "deal groups: a key of {} values for {} group keys",
                k.len(),
                self.by.len()
            ));
        }
        if let Some(&g) = groups.of.iter().find(|&&g| g as usize >= groups.keys.len()) {
            return bad(format!("deal groups: group {g} of {}", groups.keys.len()));
        }
        if groups.of.is_empty() && groups.keys.is_empty() && !self.by.is_empty() && n > 0 {
            return bad("deal groups: no keys for a grouping".into());
        }
        // Checked as a whole first (lengths, indices), then in deal order with the row
        // path's messages.
        PipelineMetrics::new(Arc::clone(&self.spec)).check_columns(deals, entries)?;
        self.check_in_deal_order(deals, entries)?;
        let whole = |g: &Self| -> Vec<Option<String>> {
            groups
                .keys
                .first()
                .cloned()
                .unwrap_or_else(|| vec![None; g.by.len()])
        };
        let single = groups.of.is_empty() || groups.of.iter().all(|&g| g == groups.of[0]);
        if single {
            if n == 0 {
                return Ok(());
            }
            let key = match groups.of.first() {
                Some(&g) => groups.keys.get(g as usize).cloned().unwrap_or_default(),
                None => whole(self),
            };
            let mut fresh = PipelineMetrics::new(Arc::clone(&self.spec));
            fresh.add_columns(deals, entries)?;
            return self.merge_group(key, fresh);
        }
        // Split by group: local deal indices, each group's columns and entries.
        let ng = groups.keys.len();
        let mut local = vec![0u32; n];
        let mut sizes = vec![0u32; ng];
        for (d, &g) in groups.of.iter().enumerate() {
            local[d] = sizes[g as usize];
            sizes[g as usize] += 1;
        }
        let mut parts: Vec<(DealColumns, StageEntryColumns)> = (0..ng)
            .map(|g| {
                let k = sizes[g] as usize;
                let cap = |has: bool| if has { k } else { 0 };
                (
                    DealColumns {
                        ids: Vec::with_capacity(cap(!deals.ids.is_empty())),
                        amount: Vec::with_capacity(cap(!deals.amount.is_empty())),
                        currency: Vec::with_capacity(cap(!deals.currency.is_empty())),
                        currencies: deals.currencies.clone(),
                        expansion: Vec::with_capacity(cap(!deals.expansion.is_empty())),
                        created: Vec::with_capacity(cap(!deals.created.is_empty())),
                        stage: Vec::with_capacity(cap(!deals.stage.is_empty())),
                    },
                    StageEntryColumns::default(),
                )
            })
            .collect();
        for (d, &g) in groups.of.iter().enumerate() {
            let Some((p, _)) = parts.get_mut(g as usize) else {
                continue;
            };
            if let Some(x) = deals.ids.get(d) {
                p.ids.push(x.clone());
            }
            if let Some(&x) = deals.amount.get(d) {
                p.amount.push(x);
            }
            if let Some(&x) = deals.currency.get(d) {
                p.currency.push(x);
            }
            if let Some(&x) = deals.expansion.get(d) {
                p.expansion.push(x);
            }
            if let Some(&x) = deals.created.get(d) {
                p.created.push(x);
            }
            if let Some(&x) = deals.stage.get(d) {
                p.stage.push(x);
            }
        }
        for ((&d, &s), &t) in entries.deal.iter().zip(&entries.stage).zip(&entries.at) {
            let (Some(&g), Some(&l)) = (groups.of.get(d as usize), local.get(d as usize)) else {
                continue;
            };
            if let Some((_, e)) = parts.get_mut(g as usize) {
                e.deal.push(l);
                e.stage.push(s);
                e.at.push(t);
            }
        }
        let mut done: Vec<(Vec<Option<String>>, PipelineMetrics)> = Vec::new();
        for (g, (cols, ents)) in parts.into_iter().enumerate() {
            if sizes[g] == 0 {
                continue;
            }
            let mut fresh = PipelineMetrics::new(Arc::clone(&self.spec));
            fresh.add_columns(&cols, &ents)?;
            done.push((groups.keys[g].clone(), fresh));
        }
        for (key, m) in done {
            self.merge_group(key, m)?;
        }
        Ok(())
    }

    /// The row path's checks, in deal order, with its messages.
    fn check_in_deal_order(&self, deals: &DealColumns, entries: &StageEntryColumns) -> Result<()> {
        let n = deals.len();
        let g = group(n, entries);
        let st = self.spec.stages();
        let name = |s: u32| st.stages().get(s as usize).map_or("", |d| d.name.as_str());
        for d in 0..n {
            let bad = |m: String| {
                Err(Error::invalid_input(format!(
                    "opportunity {}: {m}",
                    deals.name(d)
                )))
            };
            if let Some(Some(a)) = deals.amount.get(d)
                && *a < 0
            {
                return bad(format!("negative amount {a}"));
            }
            let (lo, hi) = (g.offsets[d], g.offsets[d + 1]);
            let created = deals.created.get(d).copied().flatten();
            let mut prev: Option<i64> = None;
            for k in 0..hi - lo {
                let (t, s) = (g.at[lo + k], g.stage[lo + k]);
                if prev.is_some_and(|p| t < p) {
                    return bad(format!(
                        "history[{k}] at {} is before the entry before it",
                        micros_text(t)
                    ));
                }
                if let Some(c) = created
                    && t < c
                {
                    return bad(format!(
                        "history[{k}] (`{}` at {}) is before its creation at {}",
                        name(s),
                        micros_text(t),
                        micros_text(c)
                    ));
                }
                prev = Some(t);
            }
            if let (Some(&Some(s)), Some(&last)) = (deals.stage.get(d), g.stage[lo..hi].last())
                && s != last
            {
                return bad(format!(
                    "stage `{}` is not the last history entry's (`{}`)",
                    name(s),
                    name(last)
                ));
            }
        }
        Ok(())
    }

    fn merge_group(&mut self, key: Vec<Option<String>>, m: PipelineMetrics) -> Result<()> {
        match self.groups.get_mut(&key) {
            Some(mine) => mine.merge(m),
            None => {
                self.groups.insert(key, m);
                Ok(())
            }
        }
    }
}
